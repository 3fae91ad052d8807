//! Finding people the way caseworkers type them, and paging through lists.

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::support::register_person;

const SEARCH: &str = "query($q: String!, $first: Int) { individuals(search: $q, first: $first) { totalCount edges { node { id givenNames familyName } } } }";

async fn names_found(srv: &TestServer, token: &str, q: &str) -> Vec<String> {
    let r = srv
        .gql(Some(token), SEARCH, json!({ "q": q, "first": 50 }))
        .await;
    assert!(r["errors"].is_null(), "{q}: {r}");
    r["data"]["individuals"]["edges"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|x| {
                    format!(
                        "{} {}",
                        x["node"]["givenNames"].as_str().unwrap_or(""),
                        x["node"]["familyName"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn names_as_caseworkers_type_them(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let people: [Value; 5] = [
        json!({ "givenNames": "Mohammed", "familyName": "Al-Hassan", "fathersName": "Yusuf", "originalScriptName": "محمد يوسف الحسن", "dateOfBirth": "1980-01-01" }),
        json!({ "givenNames": "Mahmoud", "familyName": "Haddad", "dateOfBirth": "1975-05-05" }),
        json!({ "givenNames": "José", "familyName": "Núñez", "secondFamilyName": "Gutiérrez", "dateOfBirth": "1990-02-02" }),
        json!({ "givenNames": "Youssef", "familyName": "Karimi", "dateOfBirth": "2001-03-03" }),
        json!({ "givenNames": "Ana", "familyName": "Torres", "dateOfBirth": "1995-07-07" }),
    ];
    for (i, p) in people.into_iter().enumerate() {
        register_person(&srv, &token, &format!("p-{i}"), p).await;
    }
    for q in [
        "Muhammad",
        "mohamad",
        "MOHAMMED al hassan",
        "hassan muhammad",
        "muham",
    ] {
        let found = names_found(&srv, &token, q).await;
        assert_eq!(found, vec!["Mohammed Al-Hassan"], "query {q:?}");
    }
    assert_eq!(
        names_found(&srv, &token, "محمد").await,
        vec!["Mohammed Al-Hassan"]
    );
    assert_eq!(
        names_found(&srv, &token, "mahmoud").await,
        vec!["Mahmoud Haddad"],
        "Mahmoud is not Mohammed"
    );
    assert_eq!(names_found(&srv, &token, "nunez").await, vec!["José Núñez"]);
    assert_eq!(
        names_found(&srv, &token, "gutierrez jose").await,
        vec!["José Núñez"]
    );
    let yusuf = names_found(&srv, &token, "Yusuf").await;
    assert!(
        yusuf.contains(&"Youssef Karimi".to_string())
            && yusuf.contains(&"Mohammed Al-Hassan".to_string()),
        "{yusuf:?}"
    );
    assert!(names_found(&srv, &token, "zzyzx").await.is_empty());
}

async fn numbers_find_people(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let reg = register_person(
        &srv,
        &token,
        "num-1",
        json!({ "givenNames": "Ana", "familyName": "Torres", "legacyId": "PGV3-000991" }),
    )
    .await;
    let id = reg["members"][0]["id"].clone();
    let number = reg["members"][0]["individualNumber"]
        .as_str()
        .expect("number")
        .to_string();
    let group_number = reg["group"]["groupNumber"]
        .as_str()
        .expect("group number")
        .to_string();
    for q in [
        number.clone(),
        number.to_lowercase().replace('-', " "),
        group_number,
        "PGV3-000991".to_string(),
    ] {
        let r = srv.gql(Some(&token), SEARCH, json!({ "q": q })).await;
        assert_eq!(
            r["data"]["individuals"]["edges"][0]["node"]["id"], id,
            "{q}: {r}"
        );
    }
}

async fn pages_have_cursors_caps_and_counts(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    for i in 0..7 {
        register_person(
            &srv,
            &token,
            &format!("pg-{i}"),
            json!({ "givenNames": format!("Persona{i}"), "familyName": "Vera" }),
        )
        .await;
    }
    let page = "query($after: String) { individuals(first: 3, after: $after) { totalCount edges { cursor node { givenNames } } pageInfo { hasNextPage endCursor } } }";
    let mut after = Value::Null;
    let mut seen = Vec::new();
    loop {
        let r = srv.gql(Some(&token), page, json!({ "after": after })).await;
        let conn = &r["data"]["individuals"];
        assert_eq!(conn["totalCount"], 7, "{r}");
        for e in conn["edges"].as_array().cloned().unwrap_or_default() {
            seen.push(
                e["node"]["givenNames"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        seen,
        (0..7).map(|i| format!("Persona{i}")).collect::<Vec<_>>()
    );
    let too_many = srv
        .gql(
            Some(&token),
            "{ individuals(first: 101) { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&too_many), Some("VALIDATION"));
    let bad_cursor = srv
        .gql(
            Some(&token),
            "{ individuals(after: \"%%%\") { edges { cursor } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad_cursor), Some("VALIDATION"));
}

/// Several-word searches over a seeded registry, over HTTP: every page together gives exactly
/// the people the count finds, in order, once each, also for an office-scoped clerk. (Pages that
/// cross many candidate chunks are tested in `store::queries`.)
async fn several_words_page_through_large_registries(t: TestDb) {
    amparo_api::seed::demo(&t.db).expect("demo");
    amparo_api::seed::scale(&t.db, 3000, false).expect("seed");
    let srv = start(&t.db, AuthConfig::default()).await;
    // The two most common keys' first three letters make a broad two-word query.
    let common: Vec<String> = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct K {
            #[diesel(sql_type = diesel::sql_types::Text)]
            token: String,
        }
        let q = diesel::sql_query(
            "SELECT token FROM name_tokens GROUP BY token ORDER BY COUNT(*) DESC LIMIT 2",
        );
        let mut c = t.db.conn().expect("connection");
        let rows: Vec<K> = match &mut *c {
            amparo_api::store::DbConn::Pg(pg) => q.load(pg),
            amparo_api::store::DbConn::Sqlite(lite) => q.load(lite),
        }
        .expect("common tokens");
        rows.into_iter()
            .map(|k| k.token.chars().take(3).collect())
            .collect()
    };
    let query = common.join(" ");
    for user in ["supervisor", "registrar"] {
        let token = srv.login_with(user, "amparo-demo").await;
        let page = "query($q: String!, $after: String) { individuals(search: $q, first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }";
        let (mut after, mut ids) = (Value::Null, Vec::<String>::new());
        let total;
        loop {
            let r = srv
                .gql(Some(&token), page, json!({ "q": query, "after": after }))
                .await;
            let conn = &r["data"]["individuals"];
            let count = conn["totalCount"].as_i64().unwrap_or_else(|| panic!("{r}"));
            ids.extend(
                conn["edges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["node"]["id"].as_str().map(str::to_string)),
            );
            if conn["pageInfo"]["hasNextPage"] != true {
                total = count;
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        assert!(total > 0, "{user}: {query:?} finds people");
        assert_eq!(
            ids.len() as i64,
            total,
            "{user}: pages add up to the count for {query:?}"
        );
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{user}: in order, once each"
        );
    }
}

/// A document number is found with or without its prefix and separators, and as a bare number.
async fn document_numbers_without_prefix(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("registrar").await;
    let doc = |number: &str| json!([{ "documentType": "cedula", "number": number, "issuingCountry": "VEN" }]);
    register_person(&srv, &token, "doc-1", json!({ "givenNames": "Rosa", "familyName": "Mejía",
        "sex": "F", "dateOfBirth": "1979-03-03", "nationalities": ["VEN"], "documents": doc("V-24220660") })).await;
    register_person(&srv, &token, "doc-2", json!({ "givenNames": "Pedro", "familyName": "Lara",
        "sex": "M", "dateOfBirth": "1981-07-07", "nationalities": ["VEN"], "documents": doc("31555777") })).await;
    for q in [
        "24220660",
        "V-24220660",
        "v24220660",
        "V-24.220.660",
        "24 220 660",
    ] {
        assert_eq!(
            names_found(&srv, &token, q).await,
            vec!["Rosa Mejía"],
            "{q}"
        );
    }
    for q in ["31555777", "V-31555777", "E 31.555.777"] {
        assert_eq!(
            names_found(&srv, &token, q).await,
            vec!["Pedro Lara"],
            "{q}"
        );
    }
    assert!(
        names_found(&srv, &token, "2422066").await.is_empty(),
        "a part of a number is not the number"
    );
}

both_backends!(
    names_as_caseworkers_type_them,
    numbers_find_people,
    document_numbers_without_prefix,
    pages_have_cursors_caps_and_counts,
    several_words_page_through_large_registries,
);
