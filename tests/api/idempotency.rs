//! Retries: a copy of a mutation racing its original gets the original's answer, and a
//! clientMutationId reused for a different input is refused without changing anything.

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::support::{REGISTER, count_rows, family};

/// A one-person family no other pair resembles: its own invented name and birth date.
fn lone(cmid: &str, i: usize) -> Value {
    const SYLLABLES: [&str; 16] = [
        "ka", "lo", "mi", "ne", "pu", "ra", "so", "ti", "vu", "xe", "yo", "za", "be", "do", "fi",
        "gu",
    ];
    let word = |n: usize| -> String {
        let mut s: String = (0..4).map(|k| SYLLABLES[(n >> (4 * k)) & 15]).collect();
        if let Some(first) = s.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        s
    };
    let dob = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("date")
        + chrono::Duration::days(97 * i as i64);
    json!({
        "clientMutationId": cmid,
        "members": [{ "relationship": "focal_point", "person": {
            "givenNames": word(i * 7919 + 13), "familyName": word(i * 104_729 + 101),
            "sex": if i.is_multiple_of(2) { "F" } else { "M" },
            "dateOfBirth": dob.to_string(), "nationalities": ["COL"]
        }}]
    })
}

async fn racing_retries_get_the_stored_result(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    const PAIRS: usize = 100;
    let mut not_saved = 0;
    for i in 0..PAIRS {
        let input = lone(&format!("race-{i}"), i);
        let before = count_rows(&t.db, "registration_groups");
        // Half the pairs spread over 0-20 ms, half packed into the first 3 ms, where the
        // copies overlap most.
        let delay = Duration::from_millis(if i.is_multiple_of(2) {
            (i / 2) % 21
        } else {
            i % 3
        } as u64);
        let vars = json!({ "input": input });
        let (a, b) = tokio::join!(srv.gql(Some(&token), REGISTER, vars.clone()), async {
            tokio::time::sleep(delay).await;
            srv.gql(Some(&token), REGISTER, vars.clone()).await
        });
        assert!(a["errors"].is_null(), "pair {i}: {a}");
        assert!(b["errors"].is_null(), "pair {i}: {b}");
        assert_eq!(
            a, b,
            "pair {i} ({delay:?} apart): both copies get the one stored result"
        );
        let created = count_rows(&t.db, "registration_groups") - before;
        if a["data"]["registerGroup"]["saved"] == true {
            assert_eq!(created, 1, "pair {i}: one group, never two");
        } else {
            not_saved += 1;
            assert_eq!(created, 0, "pair {i}: nothing saved: {a}");
        }
    }
    assert_eq!(not_saved, 0, "no pair resembles another, so all are saved");
}

const UPDATE: &str = "mutation($i: UpdateIndividualInput!) { updateIndividual(input: $i) { individual { givenNames version } } }";

async fn a_reused_id_with_another_input_is_refused(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let reused = |r: &Value| {
        error_code(r) == Some("VALIDATION")
            && r["errors"][0]["extensions"]["reason"] == "CLIENT_MUTATION_ID_REUSED"
            && r["errors"][0]["extensions"]["field"] == "clientMutationId"
    };

    let first = srv
        .gql(
            Some(&token),
            REGISTER,
            json!({ "input": family("fam-r", "Pérez") }),
        )
        .await;
    assert_eq!(first["data"]["registerGroup"]["saved"], true, "{first}");
    let (groups, people) = (
        count_rows(&t.db, "registration_groups"),
        count_rows(&t.db, "individuals"),
    );
    // Another family under the same id: refused, not answered with the first family.
    let other = srv
        .gql(
            Some(&token),
            REGISTER,
            json!({ "input": family("fam-r", "Quispe") }),
        )
        .await;
    assert!(reused(&other), "{other}");
    assert_eq!(count_rows(&t.db, "registration_groups"), groups);
    assert_eq!(count_rows(&t.db, "individuals"), people);
    // The same input, its fields in another order and a default spelled out, is a replay.
    let mut same = family("fam-r", "Pérez");
    same["acknowledgeDuplicates"] = json!(false);
    let same = json!({
        "acknowledgeDuplicates": same["acknowledgeDuplicates"],
        "members": same["members"],
        "clientMutationId": same["clientMutationId"],
    });
    let replay = srv
        .gql(Some(&token), REGISTER, json!({ "input": same }))
        .await;
    assert_eq!(replay, first, "a true replay still gets the stored result");

    // An edit: the second change under the same id is refused, not silently lost.
    let id = first["data"]["registerGroup"]["members"][1]["id"].clone();
    let r = srv
        .gql(Some(&token), UPDATE, json!({ "i": { "clientMutationId": "u-r", "id": id, "version": 1, "givenNames": "Luis Alberto" } }))
        .await;
    assert_eq!(
        r["data"]["updateIndividual"]["individual"]["version"], 2,
        "{r}"
    );
    let events = count_rows(&t.db, "events");
    let lost = srv
        .gql(Some(&token), UPDATE, json!({ "i": { "clientMutationId": "u-r", "id": id, "version": 1, "givenNames": "Luis Fernando" } }))
        .await;
    assert!(reused(&lost), "{lost}");
    assert_eq!(count_rows(&t.db, "events"), events);
    let now = srv
        .gql(
            Some(&token),
            "query($id: ID!) { individual(id: $id) { givenNames version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["data"]["individual"],
        json!({ "givenNames": "Luis Alberto", "version": 2 })
    );
    // The id for another mutation is refused with the same reason.
    let doc = srv
        .gql(Some(&token), "mutation($i: AddDocumentInput!) { addDocument(input: $i) { documentId } }", json!({ "i": {
            "clientMutationId": "u-r", "individualId": id, "document": { "documentType": "passport", "number": "X1" } } }))
        .await;
    assert!(reused(&doc), "{doc}");
}

both_backends!(
    racing_retries_get_the_stored_result,
    a_reused_id_with_another_input_is_refused,
);
