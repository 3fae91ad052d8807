//! Request limits, transport, the published schema, and start-up errors.

use amparo_api::auth::AuthConfig;
use amparo_tests::{Backend, TestDb, both_backends, error_code, start, world};
use serde_json::json;

async fn limits_protect_the_server(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let token = srv.login("supervisor").await;
    let deep = "{ individuals { edges { node { groupMembership { group { members { individual { groupMembership { group { members { individual { groupMembership { group { id } } } } } } } } } } } } } }";
    let r = srv.gql(Some(&token), deep, json!({})).await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "depth: {r}");
    let wide = "{ individuals(first: 100) { edges { node { cases { members { individual { documents { id } phones { id } } } } } } } }";
    let r = srv.gql(Some(&token), wide, json!({})).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("omplex"),
        "complexity: {r}"
    );
    let aliases: String = (0..40)
        .map(|i| format!("a{i}: me {{ username }} "))
        .collect();
    let r = srv
        .gql(Some(&token), &format!("{{ {aliases} }}"), json!({}))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "aliases: {r}");
    let batch = srv
        .http
        .post(format!("{}/graphql", srv.url))
        .bearer_auth(&token)
        .json(&json!([{ "query": "{ me { username } }" }, { "query": "{ me { username } }" }]))
        .send()
        .await
        .expect("send");
    assert!(
        batch.status().is_client_error(),
        "batched requests are refused: {}",
        batch.status()
    );
    let unknown = srv.gql(Some(&token), "{ nothingHere }", json!({})).await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"));
}

async fn transport_health_and_graphiql(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let health = srv
        .http
        .get(format!("{}/healthz", srv.url))
        .send()
        .await
        .expect("healthz");
    assert!(health.status().is_success());
    let page = srv
        .http
        .get(format!("{}/graphql", srv.url))
        .send()
        .await
        .expect("graphiql")
        .text()
        .await
        .unwrap_or_default();
    assert!(
        page.contains("graphiql") || page.contains("GraphiQL"),
        "GraphiQL served"
    );
    // A raw client sees gzip when it asks for it.
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let token = srv.login("supervisor").await;
    let resp = raw
        .post(format!("{}/graphql", srv.url))
        .bearer_auth(&token)
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ __schema { types { name description } } }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        resp.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert!(resp.headers().get("x-request-id").is_some());
}

async fn postgres_tls_is_supported(t: TestDb) {
    if t.backend != Backend::Postgres {
        return;
    }
    let url = format!("{}?sslmode=require", t.url);
    let db = amparo_api::store::Database::open(&url, 1).expect("sslmode=require connects");
    let mut c = db.conn().expect("connection");
    #[derive(diesel::QueryableByName)]
    struct Ssl {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    use diesel::RunQueryDsl;
    let q = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    let row: Ssl = match &mut *c {
        amparo_api::store::DbConn::Pg(pg) => q.get_result(pg).expect("pg_stat_ssl"),
        amparo_api::store::DbConn::Sqlite(_) => unreachable!("postgres only"),
    };
    assert!(row.ssl, "the connection is encrypted");
}

both_backends!(
    limits_protect_the_server,
    transport_health_and_graphiql,
    postgres_tls_is_supported
);

#[test]
fn schema_graphql_is_generated_from_the_server() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .expect("schema.graphql at the repository root");
    let generated = amparo_api::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is stale: run `cargo run -p amparo-api -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_and_field_is_documented() {
    let q = "{ __schema { types { name kind description fields { name description args { name description } } inputFields { name description } enumValues { name description } } } }";
    let resp = amparo_api::graphql::build_schema().execute(q).await;
    let data = resp.data.into_json().expect("introspection json");
    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let mut missing = Vec::new();
    let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
    for t in data["__schema"]["types"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let name = t["name"].as_str().unwrap_or_default().to_string();
        if name.starts_with("__") || builtin.contains(&name.as_str()) {
            continue;
        }
        if blank(&t["description"]) {
            missing.push(name.clone());
        }
        for f in t["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(t["inputFields"].as_array().into_iter().flatten())
        {
            if blank(&f["description"]) {
                missing.push(format!("{name}.{}", f["name"].as_str().unwrap_or_default()));
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if blank(&a["description"]) {
                    missing.push(format!(
                        "{name}.{}({})",
                        f["name"].as_str().unwrap_or_default(),
                        a["name"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if blank(&v["description"]) {
                missing.push(format!("{name}.{}", v["name"].as_str().unwrap_or_default()));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

#[test]
fn unknown_database_urls_are_refused_without_creating_files() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("amparo.db");
    let err = amparo_api::store::Database::open(path.to_str().expect("utf-8"), 1)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
    assert!(!path.exists());
    let err = amparo_api::store::Database::open("postgres://nobody@127.0.0.1:1/none", 1)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("cannot connect"),
        "the real error is reported: {err}"
    );
}
