//! Assistance end to end over HTTP: a programme and its rule checked when saved, households
//! assessed with the criteria met and explained, distribution lists at two sites, a
//! distribution after the recipient's document is checked, the same household refused a second
//! time in the cycle (also when two sites send it at the same moment), reconciliation per site;
//! idempotency, versions, audit and the change feed.

use amparo_api::auth::{AuthConfig, password};
use amparo_api::store::users;
use amparo_tests::{PASSWORD, TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::support::{count_rows, family, register, register_person};

/// The rule of the test programme: households of three or more with a child.
const RULE: &str = r#"{"all": [{"household_size": {"min": 3}}, {"member_age": {"max": 17}}]}"#;

/// Adds an assistance officer to a unit and returns their username.
pub fn assistance_officer(db: &amparo_api::store::Database, unit: &str, name: &str) -> String {
    let hash = password::hash(PASSWORD).expect("hash");
    let name = name.to_string();
    db.write_blocking(|c| {
        let office = users::offices_of(c, unit)?
            .into_iter()
            .next()
            .expect("an office");
        users::create_user(
            c,
            users::NewUser {
                unit_id: unit,
                office_id: Some(&office.id),
                username: &name,
                display_name: &name,
                password_hash: Some(&hash),
                roles: "assistance_officer",
                scope_level: "unit",
            },
        )?;
        Ok::<_, amparo_api::error::Error>(name.clone())
    })
    .expect("assistance officer")
}

async fn call(
    srv: &TestServer,
    token: &str,
    mutation: &str,
    input_type: &str,
    select: &str,
    input: Value,
) -> Value {
    srv.gql(
        Some(token),
        &format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ clientMutationId {select} }} }}"),
        json!({ "i": input }),
    )
    .await
}

pub async fn create_programme(
    srv: &TestServer,
    token: &str,
    cmid: &str,
    name: &str,
    rule: &str,
) -> Value {
    call(
        srv,
        token,
        "createAssistanceProgramme",
        "CreateAssistanceProgrammeInput",
        "programme { id name version eligibility cycles }",
        json!({ "clientMutationId": cmid, "name": name, "kind": "CASH", "amount": 120.0, "amountUnit": "USD", "cycles": 3, "eligibility": rule }),
    )
    .await
}

pub async fn create_list(
    srv: &TestServer,
    token: &str,
    cmid: &str,
    programme: &Value,
    site: &str,
    groups: Vec<Value>,
) -> Value {
    call(
        srv,
        token,
        "createDistributionList",
        "CreateDistributionListInput",
        "distributionList { id version site planned distributed } planned { groupId assessmentId entitlementId alreadyOnListId }",
        json!({ "clientMutationId": cmid, "programmeId": programme, "cycle": 1, "site": site, "date": today(), "groupIds": groups }),
    )
    .await
}

pub fn record(
    list: &Value,
    group: &Value,
    recipient: &Value,
    doc: &str,
    cmid: &str,
) -> (String, Value) {
    (
        "mutation($i: RecordDistributionInput!) { recordDistribution(input: $i) { clientMutationId distributionId } }".to_string(),
        json!({ "i": { "clientMutationId": cmid, "listId": list, "groupId": group, "recipientId": recipient, "method": "DOCUMENT", "documentNumber": doc } }),
    )
}

/// Today in Ecuador (the unit's calendar, UTC-5).
pub fn today() -> String {
    (chrono::Utc::now() - chrono::TimeDelta::hours(5))
        .date_naive()
        .to_string()
}

fn reason(r: &Value) -> Option<&str> {
    r["errors"][0]["extensions"]["reason"].as_str()
}

async fn a_household_is_assessed_planned_and_served_once(t: TestDb) {
    let w = world(&t.db);
    let staff = assistance_officer(&t.db, &w.unhcr, "unhcr.assistance");
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("unhcr.officer").await;
    let officer = srv.login(&staff).await;
    let fam = register(&srv, &clerk, family("as-1", "Rojas")).await;
    let single = register_person(&srv, &clerk, "as-2", json!({ "givenNames": "Pedro", "familyName": "Solo", "sex": "M", "dateOfBirth": "1970-01-01", "nationalities": ["COL"] })).await;
    let (g1, g2) = (fam["group"]["id"].clone(), single["group"]["id"].clone());
    let focal = fam["members"][0]["id"].clone();

    // A rule that does not hold together is refused with where and why; nothing is stored.
    let bad = create_programme(
        &srv,
        &officer,
        "p-0",
        "Efectivo",
        r#"{"all": [{"member_age": {"min": 10, "max": 5}}]}"#,
    )
    .await;
    assert_eq!(error_code(&bad), Some("VALIDATION"), "{bad}");
    assert_eq!(
        bad["errors"][0]["extensions"]["field"], "input.eligibility.all.0.member_age",
        "{bad}"
    );
    // The problem is data a client words in its own language.
    assert_eq!(
        bad["errors"][0]["extensions"]["reason"], "BAD_RULE",
        "{bad}"
    );
    assert_eq!(
        bad["errors"][0]["extensions"]["params"],
        json!({ "problem": "MIN_ABOVE_MAX", "min": "10", "max": "5" }),
        "{bad}"
    );
    assert_eq!(count_rows(&t.db, "assistance_programmes"), 0);

    let r = create_programme(&srv, &officer, "p-1", "Efectivo", RULE).await;
    let programme = r["data"]["createAssistanceProgramme"]["programme"].clone();
    assert!(programme["id"].is_string(), "{r}");
    // A retry with the same clientMutationId acts once.
    let again = create_programme(&srv, &officer, "p-1", "Efectivo", RULE).await;
    assert_eq!(
        again["data"]["createAssistanceProgramme"]["programme"]["id"], programme["id"],
        "{again}"
    );
    assert_eq!(count_rows(&t.db, "assistance_programmes"), 1);

    // Updates check the version read.
    let update = |cmid: &str, version: i64| json!({ "clientMutationId": cmid, "id": programme["id"], "version": version, "name": "Efectivo multipropósito", "kind": "CASH", "amount": 150.0, "amountUnit": "USD", "cycles": 3, "eligibility": RULE, "active": true });
    let stale = call(
        &srv,
        &officer,
        "updateAssistanceProgramme",
        "UpdateAssistanceProgrammeInput",
        "programme { version }",
        update("u-1", 7),
    )
    .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let ok = call(
        &srv,
        &officer,
        "updateAssistanceProgramme",
        "UpdateAssistanceProgrammeInput",
        "programme { version amount }",
        update("u-2", 1),
    )
    .await;
    assert_eq!(
        ok["data"]["updateAssistanceProgramme"]["programme"]["version"], 2,
        "{ok}"
    );

    // The assessment records the criteria met and explains itself in both languages.
    let a = call(
        &srv,
        &officer,
        "assessEligibility",
        "AssessEligibilityInput",
        "assessment { eligible criteriaMet explanationEn explanationEs restricted }",
        json!({ "clientMutationId": "a-1", "programmeId": programme["id"], "groupId": g1 }),
    )
    .await;
    let a = &a["data"]["assessEligibility"]["assessment"];
    assert_eq!(a["eligible"], true, "{a}");
    assert_eq!(a["criteriaMet"], json!(["household_size", "member_age"]));
    assert_eq!(
        a["explanationEn"],
        "eligible: household of 3 with a child under 18"
    );
    assert_eq!(
        a["explanationEs"],
        "elegible: hogar de 3 personas con un niño o niña menor de 18 años"
    );

    // Two sites: Quito plans both households (only the family is eligible); Ibarra offers
    // the family again and is told where it is already planned.
    let quito = create_list(
        &srv,
        &officer,
        "l-1",
        &programme["id"],
        "Quito - La Tola",
        vec![g1.clone(), g2.clone()],
    )
    .await;
    let planned = &quito["data"]["createDistributionList"]["planned"];
    assert!(planned[0]["entitlementId"].is_string(), "{quito}");
    assert!(planned[1]["entitlementId"].is_null(), "{quito}");
    let quito_id = quito["data"]["createDistributionList"]["distributionList"]["id"].clone();
    assert_eq!(
        quito["data"]["createDistributionList"]["distributionList"]["planned"],
        1
    );
    let ibarra = create_list(
        &srv,
        &officer,
        "l-2",
        &programme["id"],
        "Ibarra",
        vec![g1.clone()],
    )
    .await;
    let ibarra_id = ibarra["data"]["createDistributionList"]["distributionList"]["id"].clone();
    assert_eq!(
        ibarra["data"]["createDistributionList"]["planned"][0]["alreadyOnListId"], quito_id,
        "{ibarra}"
    );

    // The day's lists, and the list with its household.
    let day = srv
        .gql(
            Some(&officer),
            "{ distributionLists { site planned distributed } }",
            json!({}),
        )
        .await;
    assert_eq!(
        day["data"]["distributionLists"].as_array().map(Vec::len),
        Some(2),
        "{day}"
    );
    let list = srv.gql(Some(&officer), "query($id: ID!) { distributionList(id: $id) { entries { groupId focalPointId focalPointName members amount distribution { id } } } }", json!({ "id": quito_id })).await;
    let entry = &list["data"]["distributionList"]["entries"][0];
    assert_eq!(entry["focalPointId"], focal, "{list}");
    assert_eq!(entry["members"], 3);
    assert_eq!(entry["amount"], 150.0);

    // A number that is not the recipient's is refused; theirs, typed loosely, is accepted.
    let (q, v) = record(&quito_id, &g1, &focal, "18555322", "d-0");
    let r = srv.gql(Some(&officer), &q, v).await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(reason(&r), Some("RECIPIENT_NOT_VERIFIED"));
    let (q, v) = record(&quito_id, &g1, &focal, "v 18.555.321", "d-1");
    let r = srv.gql(Some(&officer), &q, v.clone()).await;
    assert!(
        r["data"]["recordDistribution"]["distributionId"].is_string(),
        "{r}"
    );
    let replay = srv.gql(Some(&officer), &q, v).await;
    assert_eq!(
        replay["data"]["recordDistribution"]["distributionId"],
        r["data"]["recordDistribution"]["distributionId"],
        "{replay}"
    );

    // The same household at the other site, in the same cycle: refused, naming where it was.
    let (q, v) = record(&ibarra_id, &g1, &focal, "18555321", "d-2");
    let r = srv.gql(Some(&officer), &q, v).await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(reason(&r), Some("ALREADY_DISTRIBUTED"));
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["site"],
        "Quito - La Tola"
    );
    // A household that is not entitled is told so.
    let (q, v) = record(&quito_id, &g2, &single["members"][0]["id"], "x1", "d-3");
    let r = srv.gql(Some(&officer), &q, v).await;
    assert_eq!(reason(&r), Some("NOT_ENTITLED"), "{r}");
    assert_eq!(count_rows(&t.db, "distributions"), 1);

    // Distributions and the reconciliation per site.
    let d = srv.gql(Some(&officer), "query($p: ID!) { distributions(programmeId: $p, cycle: 1) { nodes { site method recipientId } } }", json!({ "p": programme["id"] })).await;
    assert_eq!(
        d["data"]["distributions"]["nodes"],
        json!([{ "site": "Quito - La Tola", "method": "DOCUMENT", "recipientId": focal }]),
        "{d}"
    );
    let rec = srv.gql(Some(&officer), "query($p: ID!) { assistanceReconciliation(programmeId: $p, cycle: 1) { site planned distributedOfPlanned outstanding distributedHere } }", json!({ "p": programme["id"] })).await;
    assert_eq!(
        rec["data"]["assistanceReconciliation"],
        json!([{ "site": "Quito - La Tola", "planned": 1, "distributedOfPlanned": 1, "outstanding": 0, "distributedHere": 1 }]),
        "{rec}"
    );
    // Reads of households are audited; every write is in the change feed.
    assert!(
        count_rows(
            &t.db,
            "audit_events WHERE action = 'read' AND record_type = 'distribution'"
        ) >= 1
    );
    assert!(count_rows(&t.db, "audit_events WHERE action = 'record_distribution'") == 1);
    super::feed::assert_feed_covers(&t.db);

    // An assistance officer does no protection work, and a protection-only role no assistance.
    let r = srv
        .gql(
            Some(&officer),
            "{ protectionCases { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
}

async fn two_sites_at_the_same_moment_deliver_once(t: TestDb) {
    let w = world(&t.db);
    let a = assistance_officer(&t.db, &w.unhcr, "unhcr.site.a");
    let b = assistance_officer(&t.db, &w.unhcr, "unhcr.site.b");
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("unhcr.officer").await;
    let (ta, tb) = (srv.login(&a).await, srv.login(&b).await);
    let mut families = Vec::new();
    for i in 0..4 {
        let mut f = family(&format!("c-{i}"), &format!("Familia{i}"));
        f["members"][0]["person"]["documents"][0]["number"] = json!(format!("D-{i}00"));
        f["acknowledgeDuplicates"] = json!(true);
        families.push(register(&srv, &clerk, f).await);
    }
    let groups: Vec<Value> = families.iter().map(|f| f["group"]["id"].clone()).collect();
    let p = create_programme(&srv, &ta, "p", "Kits", RULE).await;
    let programme = p["data"]["createAssistanceProgramme"]["programme"]["id"].clone();
    let l1 = create_list(&srv, &ta, "la", &programme, "Sitio A", groups.clone()).await;
    let l2 = create_list(&srv, &tb, "lb", &programme, "Sitio B", Vec::new()).await;
    let la = l1["data"]["createDistributionList"]["distributionList"]["id"].clone();
    let lb = l2["data"]["createDistributionList"]["distributionList"]["id"].clone();
    assert!(la.is_string() && lb.is_string(), "{l1} {l2}");
    for (i, f) in families.iter().enumerate() {
        let (g, focal) = (&groups[i], &f["members"][0]["id"]);
        let doc = format!("D-{i}00");
        let (q1, v1) = record(&la, g, focal, &doc, &format!("a-{i}"));
        let (q2, v2) = record(&lb, g, focal, &doc, &format!("b-{i}"));
        let (r1, r2) = tokio::join!(srv.gql(Some(&ta), &q1, v1), srv.gql(Some(&tb), &q2, v2));
        let done = [&r1, &r2]
            .iter()
            .filter(|r| r["data"]["recordDistribution"]["distributionId"].is_string())
            .count();
        assert_eq!(done, 1, "exactly one site delivers: {r1} {r2}");
        let refused = if r1["errors"].is_null() { &r2 } else { &r1 };
        assert_eq!(error_code(refused), Some("CONFLICT"), "{refused}");
        assert_eq!(reason(refused), Some("ALREADY_DISTRIBUTED"), "{refused}");
    }
    assert_eq!(count_rows(&t.db, "distributions"), 4);
    // The database itself holds the rule: a second row for the same household and cycle is
    // refused whatever code writes it.
    let copy = "INSERT INTO distributions (id, operation_unit_id, entitlement_id, programme_id, cycle, group_id, list_id, site, recipient_id, method, document_id, distributed_by, distributed_at) \
                SELECT id || 'x', operation_unit_id, entitlement_id, programme_id, cycle, group_id, list_id, site, recipient_id, method, document_id, distributed_by, distributed_at FROM distributions";
    assert!(super::support::try_exec(&t.db, copy).is_err());
    assert_eq!(count_rows(&t.db, "distributions"), 4);
}

both_backends!(
    a_household_is_assessed_planned_and_served_once,
    two_sites_at_the_same_moment_deliver_once,
);
