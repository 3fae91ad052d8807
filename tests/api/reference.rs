//! Reference data other clients need: the code lists with their names in both languages, and each
//! unit's and office's time zone and working calendar.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, both_backends, start, world};
use serde_json::{Value, json};

fn list<'a>(lists: &'a Value, id: &str) -> &'a Value {
    lists
        .as_array()
        .and_then(|l| l.iter().find(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no list {id}: {lists}"))
}

fn name_of<'a>(list: &'a Value, code: &str) -> (&'a str, &'a str) {
    let c = list["codes"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("no code {code}"));
    (
        c["nameEs"].as_str().unwrap_or(""),
        c["nameEn"].as_str().unwrap_or(""),
    )
}

async fn code_lists_carry_both_languages(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let q = "query($ids: [String!]) { codeLists(ids: $ids) { id nameEs nameEn codes { code nameEs nameEn subCodes { code nameEs nameEn } } } }";
    let r = srv.gql(None, q, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let lists = &r["data"]["codeLists"];
    for id in [
        "grounds",
        "rejection_reasons",
        "exclusion_clauses",
        "specific_needs",
        "relationships",
        "countries",
        "languages",
        "document_types",
        "closure_reasons",
        "reopen_grounds",
    ] {
        let l = list(lists, id);
        assert!(!l["codes"].as_array().is_some_and(Vec::is_empty), "{id}");
        for c in l["codes"].as_array().into_iter().flatten() {
            assert!(
                c["nameEs"].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {c}"
            );
            assert!(
                c["nameEn"].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {c}"
            );
        }
    }
    assert_eq!(
        name_of(list(lists, "rejection_reasons"), "not_credible").0,
        "Hechos materiales no creíbles"
    );
    assert!(
        name_of(list(lists, "exclusion_clauses"), "article_1f_a")
            .1
            .starts_with("Article 1F(a)")
    );
    assert_eq!(
        name_of(list(lists, "relationships"), "daughter"),
        ("Hija", "Daughter")
    );
    assert!(
        !name_of(list(lists, "document_types"), "cedula")
            .0
            .is_empty()
    );
    let needs = list(lists, "specific_needs");
    let sp = needs["codes"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["code"] == "SP"))
        .expect("SP");
    assert!(
        sp["subCodes"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["code"] == "SP-PT")),
        "{sp}"
    );
    // The codes served are the codes the server accepts: a registration with one of them passes.
    let only = srv
        .gql(None, q, json!({ "ids": ["grounds", "nothing"] }))
        .await;
    let only = only["data"]["codeLists"].as_array().expect("lists");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["id"], "grounds");
    assert_eq!(only[0]["codes"].as_array().map(Vec::len), Some(2));
}

async fn offices_and_units_say_their_time_zone(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let cal = "timeZone workingHours { timeZone utcOffsetMinutes dayStarts dayEnds workingDays }";
    let q = format!(
        "{{ offices {{ code {cal} }} me {{ operationUnit {{ code {cal} }} office {{ code {cal} }} }} }}"
    );
    let r = srv.gql(Some(&token), &q, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    let offices = r["data"]["offices"].as_array().expect("offices");
    assert!(!offices.is_empty());
    for o in offices {
        assert_eq!(o["timeZone"], "America/Guayaquil", "{o}");
        assert_eq!(o["workingHours"]["timeZone"], "America/Guayaquil", "{o}");
        assert_eq!(o["workingHours"]["dayStarts"], "08:00");
        assert_eq!(o["workingHours"]["dayEnds"], "17:00");
        assert_eq!(o["workingHours"]["workingDays"], json!([1, 2, 3, 4, 5]));
    }
    let unit = &r["data"]["me"]["operationUnit"];
    assert_eq!(unit["timeZone"], "America/Guayaquil", "{r}");
    assert_eq!(unit["workingHours"]["utcOffsetMinutes"], -300);
    // An office elsewhere says so, from the database.
    {
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        let sql = "UPDATE offices SET time_zone = 'Pacific/Galapagos' WHERE code = 'GYE'";
        match &mut *c {
            amparo_api::store::DbConn::Pg(c) => diesel::sql_query(sql).execute(c),
            amparo_api::store::DbConn::Sqlite(c) => diesel::sql_query(sql).execute(c),
        }
        .expect("update");
    }
    let r = srv.gql(Some(&token), &q, json!({})).await;
    let gye = r["data"]["offices"]
        .as_array()
        .and_then(|o| o.iter().find(|x| x["code"] == "GYE"))
        .expect("GYE");
    assert_eq!(gye["timeZone"], "Pacific/Galapagos", "{r}");
    assert_eq!(gye["workingHours"]["timeZone"], "Pacific/Galapagos");
}

both_backends!(
    code_lists_carry_both_languages,
    offices_and_units_say_their_time_zone
);
