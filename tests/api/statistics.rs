//! Statistics on both databases: figures equal counts made straight from the tables, stay
//! exact after each kind of mutation (registration, split, merge, RSD steps, reopening), stay
//! inside the caller's unit, and the public release withholds small counts so that no withheld
//! one can be narrowed below the threshold (an LP interval audit of the whole release).

use std::collections::BTreeMap;

use amparo_api::auth::AuthConfig;
use amparo_api::domain::stats::AgeBracket;
use amparo_api::domain::stats::disclosure::{Rule, Treatment, audit, protect};
use amparo_api::store::stats;
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::support::{family, register};

const DEMO_PASSWORD: &str = "amparo-demo";

/// The unit's people straight from the table: (first nationality, sex, birth date, reg date).
fn people(
    db: &amparo_api::store::Database,
    unit: &str,
) -> Vec<(String, String, Option<NaiveDate>, NaiveDate)> {
    use amparo_api::store::schema::individuals as i;
    let mut c = db.conn().expect("connection");
    let rows: Vec<(String, Option<String>, Option<NaiveDate>, NaiveDate)> = i::table
        .filter(i::operation_unit_id.eq(unit))
        .select((
            i::nationalities,
            i::sex,
            i::date_of_birth,
            i::registration_date,
        ))
        .load(&mut *c)
        .expect("people");
    rows.into_iter()
        .map(|(n, s, d, r)| {
            (
                n.split_whitespace().next().unwrap_or("UNK").to_string(),
                s.unwrap_or_else(|| "U".into()),
                d,
                r,
            )
        })
        .collect()
}

fn unit_id(db: &amparo_api::store::Database, code: &str) -> String {
    let mut c = db.conn().expect("connection");
    amparo_api::store::users::unit_by_code(&mut c, code)
        .expect("unit")
        .expect("unit exists")
        .id
}

async fn population(
    srv: &TestServer,
    token: &str,
    dims: &str,
    as_of: &str,
) -> BTreeMap<(String, String), i64> {
    let q = format!(
        "query($d: NaiveDate) {{ statistics(asOf: $d) {{ population({dims}) {{ row column count }} }} }}"
    );
    let r = srv.gql(Some(token), &q, json!({ "d": as_of })).await;
    let cells = r["data"]["statistics"]["population"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    cells
        .iter()
        .map(|c| {
            (
                (
                    c["row"].as_str().unwrap_or_default().to_string(),
                    c["column"].as_str().unwrap_or_default().to_string(),
                ),
                c["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

/// The counters agree with a count made afresh, after the figures were asked for.
async fn exact(
    srv: &TestServer,
    token: &str,
    db: &amparo_api::store::Database,
    unit: &str,
    after: &str,
) {
    let r = srv
        .gql(Some(token), "{ statistics { decisions } }", json!({}))
        .await;
    assert!(r["errors"].is_null(), "{after}: {r}");
    let mut c = db.conn().expect("connection");
    let drift = stats::drift(&mut c, unit).expect("drift");
    assert!(
        drift.is_empty(),
        "after {after}, the counters drifted: {drift:#?}"
    );
}

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

async fn figures_equal_direct_counts_on_the_demo(t: TestDb) {
    amparo_api::seed::demo(&t.db).expect("demo world");
    let srv = start(&t.db, AuthConfig::default()).await;
    let analyst = srv.login_with("analyst", DEMO_PASSWORD).await;
    let dpin = unit_id(&t.db, "DPIN");
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
    let direct = people(&t.db, &dpin);
    let mut want: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut want_age: BTreeMap<(String, String), i64> = BTreeMap::new();
    let end_of_month = |d: NaiveDate| amparo_api::domain::stats::month_of(d);
    for (nat, sex, dob, reg) in &direct {
        if end_of_month(*reg) > end_of_month(as_of) {
            continue;
        }
        *want.entry((nat.clone(), sex.clone())).or_default() += 1;
        let born = dob
            .map(amparo_api::domain::stats::month_of)
            .unwrap_or_default();
        *want_age
            .entry((
                AgeBracket::at(&born, as_of).as_str().to_string(),
                String::new(),
            ))
            .or_default() += 1;
    }
    let got = population(
        &srv,
        &analyst,
        "rows: NATIONALITY, columns: SEX",
        &as_of.to_string(),
    )
    .await;
    assert_eq!(got, want);
    let got = population(&srv, &analyst, "rows: AGE_BRACKET", &as_of.to_string()).await;
    assert_eq!(got, want_age);
    // Today, everyone counts.
    let all = population(&srv, &analyst, "rows: SEX", &today()).await;
    assert_eq!(all.values().sum::<i64>(), direct.len() as i64);
    // Today's figures come from the crossings; a period from the beginning counts the same
    // people from the fine cube: every question, both ways round, whole unit and one office.
    let dims = [
        "NATIONALITY",
        "SEX",
        "AGE_BRACKET",
        "OFFICE",
        "REGISTRATION_MONTH",
        "NEED_CATEGORY",
        "GROUP_SIZE",
    ];
    let ask = |args: String, dims: String| {
        let srv = &srv;
        let analyst = &analyst;
        async move {
            let q =
                format!("{{ statistics({args}) {{ population({dims}) {{ row column count }} }} }}");
            let r = srv.gql(Some(analyst), &q, json!({})).await;
            r["data"]["statistics"]["population"]
                .as_array()
                .map(|a| a.to_vec())
                .unwrap_or_else(|| panic!("{q}: {r}"))
        }
    };
    // Ages in their order, not the labels' ("12-17" after "5-11").
    let ages = ask(format!("asOf: \"{}\"", today()), "rows: AGE_BRACKET".into()).await;
    let order: Vec<&str> = ages.iter().filter_map(|c| c["row"].as_str()).collect();
    let mut want_order = order.clone();
    want_order.sort_by_key(|a| AgeBracket::ALL.iter().position(|b| b.as_str() == *a));
    assert_eq!(order, want_order);
    assert!(order.len() >= 4, "{order:?}");
    for rows in dims {
        let others = dims.iter().filter(|c| **c != rows).map(Some);
        for columns in std::iter::once(None).chain(others) {
            let d = match columns {
                Some(c) => format!("rows: {rows}, columns: {c}"),
                None => format!("rows: {rows}"),
            };
            for office in ["", ", office: \"UIO\""] {
                let fast = ask(format!("asOf: \"{}\"{office}", today()), d.clone()).await;
                let fine = ask(format!("fromMonth: \"1900-01\"{office}"), d.clone()).await;
                assert_eq!(fast, fine, "{d}{office}");
                if office.is_empty() && columns.is_none() {
                    let total: i64 = fast.iter().map(|c| c["count"].as_i64().unwrap_or(0)).sum();
                    assert!(total > 0, "{d}: {fast:?}");
                }
            }
        }
    }
    // The procedure's figures of today come from the unit's totals; from the beginning, from
    // the counters by month and worker: the same, for the unit and for one office.
    let procedure = "monthly { month office measure count } decisions recognitionRate \
                     refugeeRecognitionRate processingTimes { modality decisions medianDays p90Days } \
                     backlog { open awaitingDecision ages { days count } overdue { modality count } }";
    for office in ["", ", office: \"UIO\""] {
        let q = |args: String| format!("{{ statistics({args}) {{ {procedure} }} }}");
        let fast = srv
            .gql(
                Some(&analyst),
                &q(format!("asOf: \"{}\"{office}", today())),
                json!({}),
            )
            .await;
        let fine = srv
            .gql(
                Some(&analyst),
                &q(format!("fromMonth: \"1900-01\"{office}")),
                json!({}),
            )
            .await;
        assert!(fast["errors"].is_null(), "{fast}");
        assert!(
            fast["data"]["statistics"]["decisions"].as_i64() > Some(0),
            "{fast}"
        );
        assert_eq!(fast["data"], fine["data"], "{office}");
    }
    // Procedure: applications are the RSD cases opened, open ones those not ended.
    let r = srv
        .gql(
            Some(&analyst),
            "{ statistics { monthly { measure count } backlog { open awaitingDecision } decisions recognitionRate processingTimes { modality decisions medianDays p90Days } } }",
            json!({}),
        )
        .await;
    let s = &r["data"]["statistics"];
    let applications: i64 = s["monthly"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .filter(|m| m["measure"] == "APPLICATION")
        .map(|m| m["count"].as_i64().unwrap_or(0))
        .sum();
    let cases = crate::support::count_rows(&t.db, "cases WHERE procedure = 'rsd'");
    assert_eq!(applications, cases, "{r}");
    let open = crate::support::count_rows(
        &t.db,
        "cases WHERE procedure = 'rsd' AND status NOT IN ('closed', 'withdrawn', 'abandoned')",
    );
    assert_eq!(s["backlog"]["open"].as_i64(), Some(open), "{r}");
    let mut c = t.db.conn().expect("connection");
    assert_eq!(
        stats::drift(&mut c, &dpin).expect("drift"),
        Vec::<String>::new()
    );
    drop(c);

    // UNHCR's people are its own: an officer of UNHCR with a supervisor's role sees only them.
    let unhcr = srv.login_with("unhcr.supervisor", DEMO_PASSWORD).await;
    let theirs = population(&srv, &unhcr, "rows: SEX", &today()).await;
    let unhcr_people = people(&t.db, &unit_id(&t.db, "UNHCR")).len() as i64;
    assert_eq!(theirs.values().sum::<i64>(), unhcr_people);
    let r = srv
        .gql(
            Some(&unhcr),
            "{ statistics { monthly { count } backlog { open } } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["statistics"]["backlog"]["open"], 0, "{r}");

    // Clerks have no statistics.
    let registrar = srv.login_with("registrar", DEMO_PASSWORD).await;
    let r = srv
        .gql(Some(&registrar), "{ statistics { decisions } }", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    // The public release: small counts withheld, every count rounded, and no withheld count
    // narrowed below the threshold from everything published (the audit, on the release's own
    // published figures).
    let r = srv
        .gql(Some(&analyst), "{ publicStatistics { unit threshold rounding primarySuppressed secondarySuppressed csv tables { name cells { row column count suppression } } } }", json!({}))
        .await;
    let p = &r["data"]["publicStatistics"];
    assert_eq!(p["unit"], "DPIN", "{r}");
    assert_eq!(p["threshold"], 5);
    for t in p["tables"].as_array().expect("tables") {
        for cell in t["cells"].as_array().expect("cells") {
            match cell["count"].as_i64() {
                Some(n) => assert_eq!(n % 5, 0, "{cell}"),
                None => assert_ne!(cell["suppression"], "PUBLISHED", "{cell}"),
            }
        }
    }
    let csv = p["csv"].as_str().expect("csv");
    assert!(csv.starts_with("table,row_dimension,row,column_dimension,column,count\n"));
    assert!(csv.contains("\nsex_by_age,sex,"), "{csv}");
    let mut c = t.db.conn().expect("connection");
    let release =
        stats::public_release(&mut c, &dpin, chrono::Utc::now().date_naive()).expect("release");
    let rule = Rule::default();
    let protected = protect(&release, rule).expect("protect");
    for iv in audit(&protected.layout, &protected.published, rule).expect("audit") {
        if protected.treatment[iv.cell] == Treatment::Primary {
            assert!(
                iv.width() + 1e-6 >= 5.0,
                "{:?} narrowed to {iv:?}",
                protected.layout.cells[iv.cell]
            );
        }
    }
}

async fn counters_stay_exact_after_every_kind_of_change(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let supervisor = srv.login("supervisor").await;
    let supervisor2 = srv.login("supervisor2").await;
    let officer = srv.login("officer").await;
    let analyst = srv.login("analyst").await;
    let unit = &w.dpin;
    exact(&srv, &analyst, &t.db, unit, "nothing").await;

    // Registration.
    let reg = register(&srv, &registrar, family("st-1", "Quintero")).await;
    exact(&srv, &analyst, &t.db, unit, "a registration").await;
    let sizes = population(&srv, &analyst, "rows: GROUP_SIZE", &today()).await;
    assert_eq!(
        sizes.get(&("3".into(), String::new())),
        Some(&3),
        "{sizes:?}"
    );
    let needs = population(&srv, &analyst, "rows: NEED_CATEGORY", &today()).await;
    assert_eq!(
        needs.get(&("SP".into(), String::new())),
        Some(&1),
        "{needs:?}"
    );

    // Split and merge move people between group sizes.
    let group = reg["group"]["id"].clone();
    let son = reg["members"][1]["id"].clone();
    let split = "mutation($i: SplitGroupInput!) { splitGroup(input: $i) { newGroup { id } } }";
    let r = srv.gql(Some(&registrar), split, json!({ "i": { "clientMutationId": "st-s", "groupId": group, "version": 1, "members": [{ "individualId": son, "relationship": "focal_point" }] } })).await;
    assert!(r["errors"].is_null(), "{r}");
    exact(&srv, &analyst, &t.db, unit, "a split").await;
    let sizes = population(&srv, &analyst, "rows: GROUP_SIZE", &today()).await;
    assert_eq!(
        sizes.get(&("2".into(), String::new())),
        Some(&2),
        "{sizes:?}"
    );
    assert_eq!(
        sizes.get(&("1".into(), String::new())),
        Some(&1),
        "{sizes:?}"
    );
    let new_group = r["data"]["splitGroup"]["newGroup"]["id"].clone();
    let merge = "mutation($i: MergeGroupsInput!) { mergeGroups(input: $i) { group { id } } }";
    let r = srv.gql(Some(&registrar), merge, json!({ "i": { "clientMutationId": "st-m", "targetGroupId": group, "targetVersion": 2, "sourceGroupId": new_group, "sourceVersion": 1, "members": [{ "individualId": son, "relationship": "son" }] } })).await;
    assert!(r["errors"].is_null(), "{r}");
    exact(&srv, &analyst, &t.db, unit, "a merge").await;

    // RSD steps: opening, assignment, admissibility, withdrawal, reopening.
    let members: Vec<Value> = reg["members"].as_array().cloned().unwrap_or_default();
    let r = srv
        .gql(
            Some(&registrar),
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id version } } }",
            json!({ "input": { "clientMutationId": "st-open", "groupId": group, "principalId": members[0]["id"], "memberIds": [members[1]["id"], members[2]["id"]] } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    exact(&srv, &analyst, &t.db, unit, "a case opened").await;
    let id = r["data"]["openCase"]["case"]["id"].clone();
    let mut version = r["data"]["openCase"]["case"]["version"]
        .as_i64()
        .unwrap_or(1);
    let me = srv.gql(Some(&officer), "{ me { id } }", json!({})).await;
    let officer_id = me["data"]["me"]["id"].clone();
    let me2 = srv
        .gql(Some(&supervisor2), "{ me { id } }", json!({}))
        .await;
    let supervisor2_id = me2["data"]["me"]["id"].clone();
    let steps: [(&str, &str, &str, Value); 4] = [
        (
            "assignCase",
            "AssignCaseInput",
            "supervisor",
            json!({ "officerId": officer_id }),
        ),
        (
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            "officer",
            json!({ "admissible": true }),
        ),
        (
            "withdrawCase",
            "CaseReasonInput",
            "registrar",
            json!({ "reason": "Left for Peru" }),
        ),
        (
            "reopenCase",
            "ReopenCaseInput",
            "supervisor",
            json!({ "ground": "new_evidence", "approverId": supervisor2_id }),
        ),
    ];
    for (name, input_type, who, extra) in steps {
        let token = match who {
            "supervisor" => &supervisor,
            "officer" => &officer,
            _ => &registrar,
        };
        let mut input =
            json!({ "clientMutationId": format!("st-{name}"), "caseId": id, "version": version });
        for (k, v) in extra.as_object().expect("object") {
            input[k] = v.clone();
        }
        let q = format!(
            "mutation($input: {input_type}!) {{ {name}(input: $input) {{ case {{ version }} }} }}"
        );
        let r = srv.gql(Some(token), &q, json!({ "input": input })).await;
        assert!(r["errors"].is_null(), "{name}: {r}");
        version = r["data"][name]["case"]["version"]
            .as_i64()
            .unwrap_or(version);
        exact(&srv, &analyst, &t.db, unit, name).await;
    }
    let r = srv
        .gql(
            Some(&analyst),
            "{ statistics { monthly { measure count } backlog { open } } }",
            json!({}),
        )
        .await;
    let count = |m: &str| -> i64 {
        r["data"]["statistics"]["monthly"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter(|x| x["measure"] == m)
                    .map(|x| x["count"].as_i64().unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    };
    assert_eq!(count("APPLICATION"), 1, "{r}");
    assert_eq!(count("ADMISSIBLE"), 1, "{r}");
    assert_eq!(count("WITHDRAWAL"), 1, "{r}");
    assert_eq!(count("REOPENING"), 1, "{r}");
    assert_eq!(
        r["data"]["statistics"]["backlog"]["open"], 1,
        "reopened: {r}"
    );

    // The supervisor sees their own team's work per person; the analyst sees none.
    let r = srv
        .gql(
            Some(&supervisor),
            "{ statistics { teamWork { username measure count } } }",
            json!({}),
        )
        .await;
    let team = r["data"]["statistics"]["teamWork"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        team.iter().any(|x| x["username"] == "registrar"
            && x["measure"] == "REGISTRATION"
            && x["count"] == 3),
        "{r}"
    );
    assert!(
        team.iter()
            .any(|x| x["username"] == "officer" && x["measure"] == "ADMISSIBLE"),
        "{r}"
    );
    let r = srv
        .gql(
            Some(&analyst),
            "{ statistics { teamWork { username } } }",
            json!({}),
        )
        .await;
    assert_eq!(r["data"]["statistics"]["teamWork"], json!([]), "{r}");

    // Data quality: the family has one document (the focal point's), so two lack one.
    let r = srv
        .gql(
            Some(&supervisor),
            "{ dataQuality { rule count byOffice { key count } records { number } } }",
            json!({}),
        )
        .await;
    let rules = r["data"]["dataQuality"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    let no_doc = rules
        .iter()
        .find(|x| x["rule"] == "no_document")
        .expect("rule");
    assert_eq!(no_doc["count"], 2, "{r}");
    assert_eq!(no_doc["byOffice"][0]["key"], "UIO", "{r}");
    assert_eq!(no_doc["records"].as_array().map(Vec::len), Some(2), "{r}");
    // An analyst counts but reads no record.
    let r = srv
        .gql(
            Some(&analyst),
            "{ dataQuality { rule count records { number } } }",
            json!({}),
        )
        .await;
    let rules = r["data"]["dataQuality"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"));
    let no_doc = rules
        .iter()
        .find(|x| x["rule"] == "no_document")
        .expect("rule");
    assert_eq!(no_doc["count"], 2, "{r}");
    assert_eq!(no_doc["records"], json!([]), "{r}");
    // Another unit sees none of it.
    let unhcr = srv.login("unhcr.officer").await;
    let r = srv
        .gql(
            Some(&unhcr),
            "{ dataQuality { rule count } statistics { population(rows: SEX) { count } } }",
            json!({}),
        )
        .await;
    assert!(
        r["data"]["dataQuality"]
            .as_array()
            .is_some_and(|v| v.iter().all(|x| x["count"] == 0)),
        "{r}"
    );
    assert_eq!(r["data"]["statistics"]["population"], json!([]), "{r}");
}

both_backends!(
    figures_equal_direct_counts_on_the_demo,
    counters_stay_exact_after_every_kind_of_change
);
