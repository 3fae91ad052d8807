//! Field groups on every path: no response to a role carries a value of a field group the role
//! lacks (history, case events, audit trail, search, counts, error messages), and a filter on
//! such a group is FORBIDDEN rather than an oracle.

use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use crate::support::register;

/// Values planted in each sensitive field group, as they would appear in a response.
const ETHNICITY: &str = "EtniaMarcada";
const RELIGION: &str = "CredoMarcado";
const CLAIM: &str = "RelatoMarcado";

/// The roles of the fixture world and the groups each opens.
const READERS: [(&str, &[&str]); 6] = [
    ("registrar", &[]),
    (
        "officer",
        &["sgbv", "torture", "ethnicity", "religion", "claim"],
    ),
    (
        "supervisor",
        &["sgbv", "torture", "ethnicity", "religion", "claim"],
    ),
    (
        "protection",
        &["sgbv", "torture", "medical", "ethnicity", "religion"],
    ),
    ("admin", &[]),
    ("analyst", &[]),
];

/// How a value of each group shows in a response: as a JSON string, or inside a payload that is
/// itself JSON text.
fn traces(group: &str) -> Vec<String> {
    let values: &[&str] = match group {
        "sgbv" => &["SV", "SV-VA"],
        "torture" => &["TR", "TR-PI"],
        "medical" => &["SM", "SM-CI"],
        "ethnicity" => &[ETHNICITY],
        "religion" => &[RELIGION],
        _ => &[CLAIM],
    };
    values
        .iter()
        .flat_map(|v| [format!("\"{v}\""), format!("\\\"{v}\\\""), v.to_string()])
        .filter(|t| t.len() > 4 || t.starts_with('"') || t.starts_with('\\'))
        .collect()
}

struct Planted {
    individual: String,
    case: String,
}

/// A family whose focal point has an SGBV, a torture and a medical need, an ethnicity and a
/// religion, in a case with a claim summary; then a supervisor edits the ethnicity.
async fn plant(srv: &TestServer) -> Planted {
    let registrar = srv.login("registrar").await;
    let g = register(
        srv,
        &registrar,
        json!({
            "clientMutationId": "plant",
            "members": [
                { "relationship": "focal_point", "person": {
                    "givenNames": "Carmen", "familyName": "Reservada", "sex": "F",
                    "dateOfBirth": "1985-02-03", "nationalities": ["COL"],
                    "ethnicity": ETHNICITY, "religion": RELIGION,
                    "specificNeeds": [
                        { "code": "SV", "subCode": "SV-VA" },
                        { "code": "TR", "subCode": "TR-PI" },
                        { "code": "SM", "subCode": "SM-CI" }
                    ]
                }},
                { "relationship": "son", "person": {
                    "givenNames": "Tomás", "familyName": "Reservada", "sex": "M",
                    "dateOfBirth": "2012-06-07", "nationalities": ["COL"]
                }}
            ]
        }),
    )
    .await;
    let individual = g["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let son = g["members"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let r = srv
        .gql(
            Some(&registrar),
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
            json!({ "input": {
                "clientMutationId": "plant-case",
                "groupId": g["group"]["id"],
                "principalId": individual,
                "memberIds": [son],
                "claimSummary": CLAIM,
            }}),
        )
        .await;
    assert!(r["errors"].is_null(), "openCase: {r}");
    let case = r["data"]["openCase"]["case"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let supervisor = srv.login("supervisor").await;
    let r = srv
        .gql(
            Some(&supervisor),
            "mutation($input: UpdateIndividualInput!) { updateIndividual(input: $input) { individual { version } } }",
            json!({ "input": {
                "clientMutationId": "plant-edit", "id": individual, "version": 1,
                "ethnicity": format!("{ETHNICITY}Dos"),
            }}),
        )
        .await;
    assert!(r["errors"].is_null(), "updateIndividual: {r}");
    Planted { individual, case }
}

const READ: &str = r#"
query($id: ID!, $case: ID!) {
  individual(id: $id) {
    ethnicity religion withheldSpecificNeeds
    specificNeeds { code subCode }
    history { kind data }
    cases { claimSummary specificNeedCodes events { kind data } }
  }
  case(id: $case) { claimSummary specificNeedCodes events { kind data } }
}"#;

fn leaks(body: &str, sees: &[&str]) -> Vec<String> {
    [
        "sgbv",
        "torture",
        "medical",
        "ethnicity",
        "religion",
        "claim",
    ]
    .into_iter()
    .filter(|g| !sees.contains(g))
    .flat_map(traces)
    .filter(|t| body.contains(t.as_str()))
    .collect()
}

/// Item 1 of the hardening issue: a registrar reads SV/TR/SM in no history; a supervisor reads
/// no medical code.
async fn history_keeps_withheld_needs(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    let p = plant(&srv).await;
    for (who, sees) in [
        ("registrar", &[][..]),
        ("supervisor", &["sgbv", "torture"][..]),
    ] {
        let token = srv.login(who).await;
        let r = srv
            .gql(
                Some(&token),
                "query($id: ID!) { individual(id: $id) { withheldSpecificNeeds history { kind data } } }",
                json!({ "id": p.individual }),
            )
            .await;
        assert!(r["errors"].is_null(), "{who}: {r}");
        let history = r["data"]["individual"]["history"].to_string();
        assert!(history.contains("specific_need_added"), "{who}: {r}");
        for code in ["SV", "TR", "SM"] {
            let shown = history.contains(&format!("\\\"{code}\\\""));
            assert_eq!(
                shown,
                sees.contains(&match code {
                    "SV" => "sgbv",
                    "TR" => "torture",
                    _ => "medical",
                }),
                "{who} and {code} in history: {history}"
            );
        }
    }
}

/// Item 2: filtering or counting on a need code of a withheld group is FORBIDDEN, for the roles
/// that lack the group, and answers for those who have it.
async fn filters_on_withheld_groups_are_forbidden(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    plant(&srv).await;
    let q = "query($code: String!) { individuals(filter: {specificNeedCode: $code}, first: 10) { totalCount edges { node { givenNames } } } }";
    for (who, code, allowed) in [
        ("registrar", "SV", false),
        ("registrar", "TR", false),
        ("registrar", "SM", false),
        ("supervisor", "SM", false),
        ("supervisor", "SV", true),
        ("protection", "SM", true),
        ("registrar", "SP", true),
    ] {
        let token = srv.login(who).await;
        let r = srv.gql(Some(&token), q, json!({ "code": code })).await;
        if allowed {
            assert!(r["errors"].is_null(), "{who} {code}: {r}");
        } else {
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{who} {code}: {r}");
            assert!(
                !r.to_string().contains("Carmen"),
                "a refused filter names no one: {r}"
            );
        }
    }
}

/// Item 3: over every role and every path that shows personal data, no response carries a
/// value of a field group the role lacks.
async fn no_role_reads_a_group_it_lacks(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    let p = plant(&srv).await;
    let paths: Vec<(&str, &str, Value)> = vec![
        ("read", READ, json!({ "id": p.individual, "case": p.case })),
        (
            "search",
            "query { individuals(search: \"Reservada\", first: 10) { edges { node { ethnicity religion specificNeeds { code } history { data } } } } }",
            json!({}),
        ),
        (
            "audit",
            "query($id: ID!) { auditTrail(recordId: $id, first: 100) { action detail recordType } }",
            json!({ "id": p.individual }),
        ),
        (
            "case audit",
            "query($id: ID!) { auditTrail(recordId: $id, first: 100) { action detail recordType } }",
            json!({ "id": p.case }),
        ),
    ];
    let mut checked = 0;
    for (who, sees) in READERS {
        let token = srv.login(who).await;
        for (name, query, vars) in &paths {
            let r = srv.gql(Some(&token), query, vars.clone()).await;
            let body = r.to_string();
            let found = leaks(&body, sees);
            assert!(found.is_empty(), "{who} on {name} read {found:?}: {body}");
            checked += 1;
        }
        for code in ["SV", "TR", "SM", "DS"] {
            for query in [
                "query($c: String!) { individuals(filter: {specificNeedCode: $c}, first: 5) { totalCount edges { node { givenNames } } } }",
                "query($c: String!) { individuals(filter: {specificNeedCode: $c}, search: \"Reservada\", first: 5) { edges { node { id } } } }",
            ] {
                let r = srv.gql(Some(&token), query, json!({ "c": code })).await;
                let group = match code {
                    "SV" => "sgbv",
                    "TR" => "torture",
                    _ => "medical",
                };
                if !sees.contains(&group) {
                    assert!(
                        r["data"].is_null() || r["data"]["individuals"].is_null(),
                        "{who} filtering on {code} learned something: {r}"
                    );
                    assert!(!r.to_string().contains("Carmen"), "{who} {code}: {r}");
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, READERS.len() * (4 + 8));
}

/// An error message is a path too: reviewing a need of a group one cannot read answers as for a
/// need that does not exist, not with a refusal that names its kind.
async fn refusals_do_not_name_withheld_needs(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, Default::default()).await;
    let p = plant(&srv).await;
    let protection = srv.login("protection").await;
    let r = srv
        .gql(
            Some(&protection),
            "query($id: ID!) { individual(id: $id) { specificNeeds { id code version } } }",
            json!({ "id": p.individual }),
        )
        .await;
    let medical = r["data"]["individual"]["specificNeeds"]
        .as_array()
        .and_then(|n| n.iter().find(|n| n["code"] == "SM"))
        .cloned()
        .unwrap_or_else(|| panic!("protection staff read the medical need: {r}"));
    let supervisor = srv.login("supervisor").await;
    let review = "mutation($input: ReviewSpecificNeedInput!) { reviewSpecificNeed(input: $input) { specificNeedId } }";
    let answer = |id: Value, cmid: &str| json!({ "input": { "clientMutationId": cmid, "id": id, "version": 1, "status": "CONFIRMED" } });
    let withheld = srv
        .gql(
            Some(&supervisor),
            review,
            answer(medical["id"].clone(), "rv-1"),
        )
        .await;
    let made_up = srv
        .gql(
            Some(&supervisor),
            review,
            answer(json!("0190aaaa-0000-7000-8000-000000000000"), "rv-2"),
        )
        .await;
    assert_eq!(error_code(&withheld), Some("NOT_FOUND"), "{withheld}");
    assert_eq!(
        withheld["errors"][0]["message"], made_up["errors"][0]["message"],
        "{withheld} / {made_up}"
    );
}

both_backends!(
    refusals_do_not_name_withheld_needs,
    history_keeps_withheld_needs,
    filters_on_withheld_groups_are_forbidden,
    no_role_reads_a_group_it_lacks
);
