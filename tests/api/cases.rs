//! The demo world's cases through the API: lists, filters, one case with members and history.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start};
use serde_json::json;

const DEMO_PASSWORD: &str = "amparo-demo";

async fn cases_of_the_demo_world(t: TestDb) {
    amparo_api::seed::demo(&t.db).expect("demo world");
    let srv = start(&t.db, AuthConfig::default()).await;
    let officer = srv.login_with("officer", DEMO_PASSWORD).await;
    let mine = srv
        .gql(Some(&officer), "{ cases(first: 100, filter: { assignedToMe: true }) { totalCount edges { node { id caseNumber status stage claimSummary } } } }", json!({}))
        .await;
    let total = mine["data"]["cases"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{mine}"));
    assert!(total > 0, "the demo officer has cases: {mine}");
    let first = mine["data"]["cases"]["edges"][0]["node"].clone();
    assert!(
        first["caseNumber"]
            .as_str()
            .is_some_and(|n| n.starts_with("DPIN-C-")),
        "{first}"
    );
    assert!(
        first["claimSummary"].is_string(),
        "officers read claim narratives"
    );
    let one = srv
        .gql(
            Some(&officer),
            "query($id: ID!) { case(id: $id) { status principalApplicant { id fullName } members { role individual { id } } events { kind actor at data } } }",
            json!({ "id": first["id"] }),
        )
        .await;
    let case = &one["data"]["case"];
    assert!(case["principalApplicant"]["id"].is_string(), "{one}");
    assert!(
        case["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|x| x["role"] == "principal")),
        "{one}"
    );
    assert!(
        case["events"].as_array().is_some_and(|e| !e.is_empty()),
        "cases carry their history: {one}"
    );
    // Another unit sees none of them: UNHCR does not even run RSD.
    let unhcr = srv.login_with("unhcr.officer", DEMO_PASSWORD).await;
    let r = srv
        .gql(
            Some(&unhcr),
            "query($id: ID!) { case(id: $id) { id } }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["reason"], "MODULE_NOT_ENABLED");
    let supervisor = srv.login_with("supervisor", DEMO_PASSWORD).await;
    let all = srv
        .gql(
            Some(&supervisor),
            "{ cases { totalCount } individuals { totalCount } registrationGroups { totalCount } }",
            json!({}),
        )
        .await;
    assert!(
        all["data"]["individuals"]["totalCount"]
            .as_i64()
            .is_some_and(|n| n >= 200),
        "{all}"
    );
    assert!(
        all["data"]["registrationGroups"]["totalCount"]
            .as_i64()
            .is_some_and(|n| n >= 60),
        "{all}"
    );
    assert!(
        all["data"]["cases"]["totalCount"]
            .as_i64()
            .is_some_and(|n| n >= total),
        "{all}"
    );
}

both_backends!(cases_of_the_demo_world);
