//! Record-level exports: the file holds exactly the columns the requester's roles may read and
//! the records their scope covers, every record exported is in the audit log, only the
//! requester's key opens it, a download cut anywhere resumes to the same checksum, bad ranges
//! are refused with 416, and an expired link is refused and its file deleted.

use std::io::Read;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{count_rows, exec, register};

const REQUEST: &str = r#"
mutation($input: RequestExportInput!) {
  requestExport(input: $input) { clientMutationId job { id status fields } }
}"#;

const JOB: &str = r#"
query($id: ID!) {
  exportJob(id: $id) {
    id status rowsTotal rowsDone error sizeBytes sha256 downloadPath expiresAt fields
  }
}"#;

/// A client's key pair, as `amparo export` makes one.
pub struct Key(age::x25519::Identity);

impl Key {
    pub fn new() -> Self {
        Self(age::x25519::Identity::generate())
    }
    pub fn public(&self) -> String {
        self.0.to_public().to_string()
    }
    /// Decrypts a file; None when this key does not open it.
    pub fn open(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let d = age::Decryptor::new(bytes).ok()?;
        let mut r = d
            .decrypt(std::iter::once(&self.0 as &dyn age::Identity))
            .ok()?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).ok()?;
        Some(out)
    }
}

/// Asks for an export and returns the response.
pub async fn request(
    srv: &TestServer,
    token: &str,
    cmid: &str,
    kind: &str,
    fields: Option<Vec<&str>>,
    key: &Key,
) -> Value {
    srv.gql(
        Some(token),
        REQUEST,
        json!({ "input": {
            "clientMutationId": cmid, "kind": kind, "fields": fields,
            "purpose": "verification of the registry", "recipient": key.public()
        }}),
    )
    .await
}

/// Follows a job until it is final and returns it.
pub async fn finished(srv: &TestServer, token: &str, id: &str) -> Value {
    for _ in 0..300 {
        let r = srv.gql(Some(token), JOB, json!({ "id": id })).await;
        let job = r["data"]["exportJob"].clone();
        if matches!(job["status"].as_str(), Some("READY" | "FAILED" | "EXPIRED")) {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("export {id} did not finish");
}

/// GETs a path with a token and optional headers.
pub async fn get(
    srv: &TestServer,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = srv
        .http
        .get(format!("{}{path}", srv.url))
        .bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("download");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows of a decrypted CSV export (header first).
fn csv_rows(plain_gz: &[u8]) -> Vec<Vec<String>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(plain_gz)
        .read_to_string(&mut text)
        .expect("gzip");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.expect("row").iter().map(str::to_string).collect())
        .collect()
}

/// A family in Quito with an ethnicity, a religion and an SGBV, a torture, a medical and a
/// plain need on its focal point, and one person in Guayaquil.
async fn plant(srv: &TestServer) -> (Vec<String>, String) {
    let registrar = srv.login("registrar").await;
    let g = register(
        srv,
        &registrar,
        json!({
            "clientMutationId": "plant",
            "members": [
                { "relationship": "focal_point", "person": {
                    "givenNames": "Carmen", "familyName": "Exportada", "sex": "F",
                    "dateOfBirth": "1985-02-03", "nationalities": ["COL"],
                    "ethnicity": "EtniaMarcada", "religion": "CredoMarcado",
                    "specificNeeds": [
                        { "code": "SV", "subCode": "SV-VA" },
                        { "code": "TR", "subCode": "TR-PI" },
                        { "code": "SM", "subCode": "SM-CI" },
                        { "code": "SP", "subCode": "SP-PT" }
                    ]
                }},
                { "relationship": "son", "person": {
                    "givenNames": "Tomás", "familyName": "Exportada", "sex": "M",
                    "dateOfBirth": "2012-06-07", "nationalities": ["COL"]
                }}
            ]
        }),
    )
    .await;
    let quito: Vec<String> = g["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let gye = srv.login("registrar.gye").await;
    let other = register(
        srv,
        &gye,
        json!({ "clientMutationId": "plant-gye", "acknowledgeDuplicates": true, "members": [
            { "relationship": "focal_point", "person": {
                "givenNames": "Pedro", "familyName": "Costeño", "sex": "M",
                "dateOfBirth": "1990-01-01", "nationalities": ["VEN"] } }
        ]}),
    )
    .await;
    let gye_id = other["members"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (quito, gye_id)
}

/// Requests, waits for and downloads an export; returns the job and the decrypted CSV rows.
async fn export_as(
    srv: &TestServer,
    username: &str,
    key: &Key,
    fields: Option<Vec<&str>>,
) -> (Value, Vec<Vec<String>>, Vec<u8>) {
    let token = srv.login(username).await;
    let r = request(
        srv,
        &token,
        &format!("x-{username}"),
        "INDIVIDUALS",
        fields,
        key,
    )
    .await;
    assert!(r["errors"].is_null(), "{r}");
    let id = r["data"]["requestExport"]["job"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let job = finished(srv, &token, &id).await;
    assert_eq!(job["status"], "READY", "{job}");
    let path = job["downloadPath"].as_str().unwrap_or_default();
    let (status, _, body) = get(srv, &token, path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(Some(sha256(&body).as_str()), job["sha256"].as_str());
    let plain = key.open(&body).expect("the requester's key opens it");
    (job, csv_rows(&plain), body)
}

async fn an_export_holds_exactly_the_permitted_fields_and_records(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let (quito, gye) = plant(&srv).await;
    let key = Key::new();

    // A registrar of Quito: no sensitive column, no sensitive need, only Quito's people.
    let (job, rows, _) = export_as(&srv, "registrar", &key, None).await;
    let header = &rows[0];
    assert!(
        !header.iter().any(|h| h == "ethnicity" || h == "religion"),
        "{header:?}"
    );
    let text = format!("{rows:?}");
    for secret in ["EtniaMarcada", "CredoMarcado", "SV", "TR-PI", "SM-CI"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked to a registrar: {text}"
        );
    }
    assert!(text.contains("SP-PT"), "a plain need is exported: {text}");
    let mut ids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    ids.sort();
    let mut want = quito.clone();
    want.sort();
    assert_eq!(ids, want, "exactly the office's records");
    assert_eq!(job["rowsDone"], 2);
    assert_eq!(job["rowsTotal"], 2);
    // Every record exported is in the audit log, once.
    let audited = count_rows(
        &t.db,
        &format!(
            "audit_events WHERE action = 'export' AND detail = 'export {}'",
            job["id"].as_str().unwrap_or_default()
        ),
    );
    assert_eq!(audited, 2);

    // A protection officer of the unit: the sensitive columns and needs their role reads, and
    // every office.
    let (_, rows, _) = export_as(&srv, "protection", &key, None).await;
    let header = &rows[0];
    assert!(header.iter().any(|h| h == "ethnicity"));
    assert!(header.iter().any(|h| h == "religion"));
    let text = format!("{rows:?}");
    for seen in [
        "EtniaMarcada",
        "CredoMarcado",
        "SV-VA",
        "TR-PI",
        "SM-CI",
        "SP-PT",
    ] {
        assert!(text.contains(seen), "{seen} missing for protection: {text}");
    }
    assert!(rows[1..].iter().any(|r| r[0] == gye));
    assert_eq!(rows.len(), 4);

    // Columns asked for by name, in the catalogue's order.
    let (_, rows, _) = export_as(&srv, "officer", &key, Some(vec!["sex", "id"])).await;
    assert_eq!(rows[0], ["id", "sex"]);

    // A column outside the role is refused, not dropped.
    let registrar = srv.login("registrar").await;
    let r = request(
        &srv,
        &registrar,
        "refused",
        "INDIVIDUALS",
        Some(vec!["religion"]),
        &key,
    )
    .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["reason"],
        "FIELD_NOT_PERMITTED"
    );
    let r = request(
        &srv,
        &registrar,
        "unknown",
        "INDIVIDUALS",
        Some(vec!["salary"]),
        &key,
    )
    .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    // A recipient that is not an age key is refused.
    let r = srv
        .gql(
            Some(&registrar),
            REQUEST,
            json!({ "input": { "clientMutationId": "badkey", "kind": "INDIVIDUALS",
                "purpose": "x", "recipient": "ssh-ed25519 AAAA" } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    // The analyst reads no records at all.
    let analyst = srv.login("analyst").await;
    let r = request(&srv, &analyst, "an", "INDIVIDUALS", None, &key).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
}

async fn only_its_requester_sees_and_opens_an_export(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    plant(&srv).await;
    let key = Key::new();
    let (job, _, body) = export_as(&srv, "supervisor", &key, None).await;
    let id = job["id"].as_str().unwrap_or_default();
    let path = job["downloadPath"].as_str().unwrap_or_default();
    // Another key (anyone else's, the server's if it had one) does not open it.
    assert!(Key::new().open(&body).is_none());
    // Another user of the unit and a user of another unit neither see nor download it.
    for other in ["supervisor2", "unhcr.officer"] {
        let token = srv.login(other).await;
        let r = srv.gql(Some(&token), JOB, json!({ "id": id })).await;
        assert!(r["data"]["exportJob"].is_null(), "{other}: {r}");
        let (status, _, _) = get(&srv, &token, path, &[]).await;
        assert_eq!(status, 404, "{other}");
    }
    let (status, _, _) = get(&srv, "not-a-token", path, &[]).await;
    assert_eq!(status, 401);
    assert!(
        count_rows(
            &t.db,
            "audit_events WHERE action = 'download_export' AND outcome = 'denied'"
        ) >= 2
    );
}

async fn a_cut_download_resumes_to_the_same_checksum(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    for i in 0..30 {
        register(
            &srv,
            &registrar,
            json!({ "clientMutationId": format!("p{i}"), "acknowledgeDuplicates": true, "members": [
                { "relationship": "focal_point", "person": {
                    "givenNames": format!("Persona{i}"), "familyName": "Numerosa", "sex": "F",
                    "dateOfBirth": "1991-03-04", "nationalities": ["VEN"] } }
            ]}),
        )
        .await;
    }
    let key = Key::new();
    for format in ["CSV", "XLSX"] {
        let r = srv
            .gql(
                Some(&registrar),
                REQUEST,
                json!({ "input": { "clientMutationId": format!("f-{format}"), "kind": "INDIVIDUALS",
                    "format": format, "purpose": "resume test", "recipient": key.public() } }),
            )
            .await;
        let id = r["data"]["requestExport"]["job"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let job = finished(&srv, &registrar, &id).await;
        let path = job["downloadPath"].as_str().unwrap_or_default().to_string();
        let sha = job["sha256"].as_str().unwrap_or_default().to_string();
        let size = job["sizeBytes"].as_f64().unwrap_or_default() as usize;
        assert!(size > 100, "{job}");
        let etag = format!("\"{sha}\"");
        // Cut at several offsets: each piece resumes from the bytes already held.
        for cuts in [vec![1], vec![100, size / 2], vec![size / 3, size - 1]] {
            let mut have: Vec<u8> = Vec::new();
            for cut in cuts.iter().copied().chain([size]) {
                let range = format!("bytes={}-{}", have.len(), cut - 1);
                let (status, h, body) = get(
                    &srv,
                    &registrar,
                    &path,
                    &[("range", &range), ("if-range", &etag)],
                )
                .await;
                assert_eq!(status, 206, "{range}");
                assert_eq!(
                    h.get("content-range").and_then(|v| v.to_str().ok()),
                    Some(format!("bytes {}-{}/{size}", have.len(), cut - 1).as_str())
                );
                have.extend_from_slice(&body);
            }
            assert_eq!(sha256(&have), sha, "{format} cut at {cuts:?}");
            assert!(key.open(&have).is_some());
        }
        // An open-ended resume, and the last bytes.
        let (status, _, tail) = get(&srv, &registrar, &path, &[("range", "bytes=-10")]).await;
        assert_eq!((status, tail.len()), (206, 10));
        // Bad ranges: 416 with the size.
        for bad in [
            format!("bytes={size}-"),
            "bytes=5-2".to_string(),
            "bytes=0-1,4-5".to_string(),
            "lines=1-2".to_string(),
        ] {
            let (status, h, _) = get(&srv, &registrar, &path, &[("range", &bad)]).await;
            assert_eq!(status, 416, "{bad}");
            assert_eq!(
                h.get("content-range").and_then(|v| v.to_str().ok()),
                Some(format!("bytes */{size}").as_str())
            );
        }
        // A resume against another file's tag gets the whole (current) file.
        let (status, _, body) = get(
            &srv,
            &registrar,
            &path,
            &[("range", "bytes=10-"), ("if-range", "\"0000\"")],
        )
        .await;
        assert_eq!((status, body.len()), (200, size));
    }
}

async fn expired_links_are_refused_and_their_files_deleted(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    plant(&srv).await;
    let key = Key::new();
    let (job, _, _) = export_as(&srv, "registrar", &key, None).await;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    let path = job["downloadPath"].as_str().unwrap_or_default().to_string();
    let registrar = srv.login("registrar").await;
    // The link lasts 24 hours by default.
    let expires = chrono::DateTime::parse_from_rfc3339(job["expiresAt"].as_str().unwrap_or(""))
        .expect("expiresAt");
    let hours = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{hours} minutes");
    exec(
        &t.db,
        &format!("UPDATE export_jobs SET expires_at = '2020-01-01 00:00:00' WHERE id = '{id}'"),
    );
    let (status, _, _) = get(&srv, &registrar, &path, &[]).await;
    assert_eq!(status, 410);
    let settings = amparo_api::export::ExportSettings::default();
    let file = settings.file_path(&format!("{id}.csv.gz.age"));
    assert!(file.exists());
    let n = amparo_api::export::sweep(&t.db, &settings)
        .await
        .expect("sweep");
    assert!(n >= 1);
    assert!(!file.exists(), "the file is deleted after expiry");
    let r = srv.gql(Some(&registrar), JOB, json!({ "id": id })).await;
    assert_eq!(r["data"]["exportJob"]["status"], "EXPIRED");
    assert!(r["data"]["exportJob"]["downloadPath"].is_null());
    let (status, _, _) = get(&srv, &registrar, &path, &[]).await;
    assert_eq!(status, 410);
}

async fn an_export_interrupted_by_a_restart_is_written_again(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    plant(&srv).await;
    let key = Key::new();
    let (job, _, _) = export_as(&srv, "registrar", &key, None).await;
    let id = job["id"].as_str().unwrap_or_default().to_string();
    // As if the server had stopped while writing it.
    exec(
        &t.db,
        &format!(
            "UPDATE export_jobs SET status = 'running', rows_done = 1, sha256 = NULL WHERE id = '{id}'"
        ),
    );
    let again = {
        let mut c = t.db.conn().expect("conn");
        amparo_api::store::exports::requeue_interrupted(&mut c).expect("requeue")
    };
    assert_eq!(again, vec![id.clone()]);
    let settings = amparo_api::export::ExportSettings::default();
    let (db, s, i) = (t.db.clone(), settings.clone(), id.clone());
    let ran = tokio::task::spawn_blocking(move || amparo_api::export::run(&db, &s, &i))
        .await
        .expect("task")
        .expect("run");
    assert!(ran);
    let registrar = srv.login("registrar").await;
    let job = finished(&srv, &registrar, &id).await;
    assert_eq!(job["status"], "READY");
    assert_eq!(job["rowsDone"], 2);
    // Past its attempts, a job is failed with a reason instead of looping.
    exec(
        &t.db,
        &format!("UPDATE export_jobs SET status = 'running', attempts = 3 WHERE id = '{id}'"),
    );
    let again = {
        let mut c = t.db.conn().expect("conn");
        amparo_api::store::exports::requeue_interrupted(&mut c).expect("requeue")
    };
    assert!(again.is_empty());
    let job = finished(&srv, &registrar, &id).await;
    assert_eq!(job["status"], "FAILED");
    assert!(job["error"].as_str().is_some_and(|e| e.contains("stopped")));
}

both_backends!(
    an_export_holds_exactly_the_permitted_fields_and_records,
    only_its_requester_sees_and_opens_an_export,
    a_cut_download_resumes_to_the_same_checksum,
    expired_links_are_refused_and_their_files_deleted,
    an_export_interrupted_by_a_restart_is_written_again,
);
