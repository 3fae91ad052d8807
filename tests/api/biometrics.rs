//! Biometric enrolment end to end: real ISO 19794 records made from the engine's synthetic
//! fingers and eyes, deduplication across units, adjudication, 1:1 verification, refusals that
//! store nothing, idempotent retries, and the gallery rebuilt at restart.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use amparo_api::auth::AuthConfig;
use amparo_biometrics::finger::synthetic::Finger;
use amparo_biometrics::iris::synthetic::{Format, SyntheticEye};
use amparo_tests::iso::{b64, finger_record, iris_record};
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, start_with_key, world};
use serde_json::{Value, json};

use super::support::{count_rows, register_person};

const FINGERS: [&str; 10] = amparo_tests::iso::FINGER_POSITIONS;

const ENROL: &str = r#"
mutation($input: EnrolBiometricsInput!) {
  enrolBiometrics(input: $input) {
    clientMutationId
    enrolment {
      id referenceId individualId status transactionId
      samples { position quality algorithmVersion }
      exceptions { position reason note }
      candidates { individualId reviewId score positionScores { position score matched } individual { id } }
      otherUnitMatches { unitCode referralReference }
    }
  }
}"#;

const REVIEWS: &str = r#"
query($status: BiometricReviewStatus) {
  biometricReviews(status: $status, first: 10) {
    edges { node {
      id version status score decisionReason
      positionScores { position score matched }
      enrolled { individualId individual { id givenNames } samples { position } }
      candidate { individualId individual { id givenNames } samples { position } }
    } }
    pageInfo { hasNextPage }
  }
}"#;

const DECIDE: &str = r#"
mutation($input: DecideDuplicateInput!) {
  decideDuplicate(input: $input) { clientMutationId review { id version status decisionReason } }
}"#;

const VERIFY: &str = r#"
query($input: VerifyIdentityInput!) {
  verifyIdentity(input: $input) { matched score positionScores { position score matched } }
}"#;

/// Base64 ISO records, cached: the same synthetic finger or eye is rendered once per process.
fn cached(key: String, make: impl FnOnce() -> Vec<u8>) -> String {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().expect("cache").get(&key) {
        return v.clone();
    }
    let v = b64(&make());
    cache.lock().expect("cache").insert(key, v.clone());
    v
}

/// Finger `k` (0-9) of synthetic person `person`, impression `impression`.
fn finger(person: u64, k: usize, impression: u64) -> String {
    cached(format!("f{person}.{k}.{impression}"), || {
        let f = Finger::generate(person * 100 + k as u64);
        finger_record(k as u8 + 1, &f.impression(impression).image)
    })
}

/// An eye of synthetic person `person`; capture 0 is the first, others are recaptures.
fn eye(person: u64, left: bool, capture: u64) -> String {
    cached(format!("e{person}.{left}.{capture}"), || {
        let e = SyntheticEye::new(person * 10 + u64::from(left));
        let c = if capture == 0 {
            e.capture(Format::K3)
        } else {
            e.recapture(capture, Format::K3)
        };
        iris_record(left, &c.image)
    })
}

/// Ten fingers of `finger_person` and two eyes of `eye_person`.
pub(crate) fn samples(
    finger_person: u64,
    impression: u64,
    eye_person: u64,
    capture: u64,
) -> Vec<Value> {
    let mut out: Vec<Value> = FINGERS
        .iter()
        .enumerate()
        .map(|(k, p)| json!({ "position": p, "record": finger(finger_person, k, impression), "quality": 80 }))
        .collect();
    for (p, left) in [("RIGHT_IRIS", false), ("LEFT_IRIS", true)] {
        out.push(json!({ "position": p, "record": eye(eye_person, left, capture), "quality": 90 }));
    }
    out
}

pub(crate) fn enrolment(cmid: &str, individual: &str, samples: Vec<Value>) -> Value {
    let mut vars = json!({ "input": {
        "clientMutationId": cmid, "individualId": individual, "transactionId": format!("tx-{cmid}"),
        "capturedAt": "2026-11-27T10:30:00Z", "samples": samples, "exceptions": []
    }});
    amparo_tests::device::sign_samples(&mut vars);
    vars
}

pub(crate) async fn enrol(srv: &TestServer, token: &str, vars: Value) -> Value {
    let r = srv.gql(Some(token), ENROL, vars).await;
    assert!(r["errors"].is_null(), "enrolBiometrics failed: {r}");
    r["data"]["enrolBiometrics"]["enrolment"].clone()
}

pub(crate) async fn person(srv: &TestServer, token: &str, cmid: &str, given: &str) -> String {
    let p = register_person(srv, token, cmid, json!({ "givenNames": given, "familyName": "Biometría", "sex": "F", "dateOfBirth": "1990-01-01", "nationalities": ["COL"] })).await;
    p["members"][0]["id"]
        .as_str()
        .expect("individual id")
        .to_string()
}

pub(crate) async fn pending(srv: &TestServer, token: &str) -> Vec<Value> {
    let r = srv.gql(Some(token), REVIEWS, json!({})).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["biometricReviews"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn duplicates_are_found_queued_and_adjudicated(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let ana = person(&srv, &clerk, "p-ana", "Ana").await;
    let bea = person(&srv, &clerk, "p-bea", "Bea").await;
    let cruz = person(&srv, &clerk, "p-cruz", "Cruz").await;

    let first = enrol(
        &srv,
        &clerk,
        enrolment("bio-ana", &ana, samples(1, 1, 1, 0)),
    )
    .await;
    assert_eq!(first["status"], "CLEAR", "{first}");
    assert_eq!(first["samples"].as_array().map(Vec::len), Some(12));
    assert!(
        first["samples"][0]["algorithmVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("amparo-finger")),
        "{first}"
    );
    assert!(
        first["samples"][11]["algorithmVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("amparo-iris")),
        "{first}"
    );
    let stored = count_rows(&t.db, "biometric_samples");
    assert_eq!(stored, 12);

    // A retry after a lost answer returns the first enrolment and stores nothing.
    let again = enrol(
        &srv,
        &clerk,
        enrolment("bio-ana", &ana, samples(1, 1, 1, 0)),
    )
    .await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["referenceId"], first["referenceId"]);
    assert_eq!(count_rows(&t.db, "biometric_samples"), stored);
    assert_eq!(count_rows(&t.db, "biometric_enrolments"), 1);

    // Ana's fingers again (another impression) under another identity, with other eyes.
    let second = enrol(
        &srv,
        &clerk,
        enrolment("bio-bea", &bea, samples(1, 2, 2, 0)),
    )
    .await;
    assert_eq!(second["status"], "POSSIBLE_DUPLICATE", "{second}");
    let candidates = second["candidates"].as_array().expect("candidates");
    assert_eq!(candidates.len(), 1, "{second}");
    assert_eq!(candidates[0]["individualId"], json!(ana));
    assert!(candidates[0]["score"].as_f64().unwrap_or(0.0) >= 1.0);
    let scores = candidates[0]["positionScores"].as_array().expect("scores");
    assert_eq!(scores.len(), 12, "every finger and eye is scored: {second}");
    assert!(
        scores
            .iter()
            .filter(|s| s["position"].as_str().is_some_and(|p| p.ends_with("IRIS")))
            .all(|s| s["matched"] == false),
        "other eyes do not match: {second}"
    );
    assert_eq!(second["otherUnitMatches"], json!([]));
    assert_eq!(
        count_rows(&t.db, "biometric_enrolments"),
        2,
        "stored, not rejected"
    );

    // The supervisor sees the pair side by side; a clerk may not adjudicate.
    let supervisor = srv.login("supervisor").await;
    let queue = pending(&srv, &supervisor).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["enrolled"]["individual"]["givenNames"], "Bea");
    assert_eq!(queue[0]["candidate"]["individual"]["givenNames"], "Ana");
    assert_eq!(
        queue[0]["enrolled"]["samples"].as_array().map(Vec::len),
        Some(12)
    );
    let refused = srv.gql(Some(&clerk), REVIEWS, json!({})).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");

    // A third identity with the same fingers matches both: two reviews.
    let third = enrol(
        &srv,
        &clerk,
        enrolment("bio-cruz", &cruz, samples(1, 3, 3, 0)),
    )
    .await;
    assert_eq!(
        third["candidates"].as_array().map(Vec::len),
        Some(2),
        "{third}"
    );
    let queue = pending(&srv, &supervisor).await;
    assert_eq!(queue.len(), 3);
    let review = &queue[0];

    let decide = |cmid: &str, version: &Value, decision: &str, reason: &str| json!({ "input": { "clientMutationId": cmid, "reviewId": review["id"], "version": version, "decision": decision, "reason": reason } });
    let no_reason = srv
        .gql(
            Some(&supervisor),
            DECIDE,
            decide("d-0", &review["version"], "SAME_PERSON", "  "),
        )
        .await;
    assert_eq!(error_code(&no_reason), Some("VALIDATION"), "{no_reason}");
    assert_eq!(no_reason["errors"][0]["extensions"]["field"], "reason");
    let stale = srv
        .gql(
            Some(&supervisor),
            DECIDE,
            decide("d-1", &json!(7), "SAME_PERSON", "same scars"),
        )
        .await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "{stale}");
    let by_clerk = srv
        .gql(
            Some(&clerk),
            DECIDE,
            decide("d-2", &review["version"], "SAME_PERSON", "x"),
        )
        .await;
    assert_eq!(error_code(&by_clerk), Some("FORBIDDEN"), "{by_clerk}");
    let same = decide(
        "d-3",
        &review["version"],
        "SAME_PERSON",
        "Same person: interviewed both, admitted the earlier registration.",
    );
    let done = srv.gql(Some(&supervisor), DECIDE, same.clone()).await;
    assert!(done["errors"].is_null(), "{done}");
    assert_eq!(
        done["data"]["decideDuplicate"]["review"]["status"],
        "SAME_PERSON"
    );
    assert_eq!(done["data"]["decideDuplicate"]["review"]["version"], 2);
    let replay = srv.gql(Some(&supervisor), DECIDE, same).await;
    assert_eq!(
        replay["data"]["decideDuplicate"]["review"]["version"], 2,
        "{replay}"
    );
    assert_eq!(
        count_rows(&t.db, "individual_links"),
        2,
        "a link on each individual"
    );
    assert_eq!(count_rows(&t.db, "individuals"), 3, "nothing deleted");

    // The protection officer decides the next one the other way.
    let protection = srv.login("protection").await;
    let queue = pending(&srv, &protection).await;
    assert_eq!(queue.len(), 2);
    let other = json!({ "input": { "clientMutationId": "d-4", "reviewId": queue[0]["id"], "version": queue[0]["version"], "decision": "DIFFERENT_PEOPLE", "reason": "Twins, documents checked." } });
    let done = srv.gql(Some(&protection), DECIDE, other).await;
    assert_eq!(
        done["data"]["decideDuplicate"]["review"]["status"], "DIFFERENT_PEOPLE",
        "{done}"
    );
    assert_eq!(count_rows(&t.db, "individual_links"), 2);
    let decided = srv
        .gql(
            Some(&supervisor),
            REVIEWS,
            json!({ "status": "DIFFERENT_PEOPLE" }),
        )
        .await;
    assert_eq!(
        decided["data"]["biometricReviews"]["edges"][0]["node"]["decisionReason"],
        "Twins, documents checked."
    );
    assert_eq!(pending(&srv, &supervisor).await.len(), 1);
}

async fn another_unit_learns_only_that_a_duplicate_exists(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let ana = person(&srv, &clerk, "p-ana", "Ana").await;
    let first = enrol(
        &srv,
        &clerk,
        enrolment("bio-ana", &ana, samples(1, 1, 1, 0)),
    )
    .await;
    assert_eq!(first["status"], "CLEAR");

    let unhcr = srv.login("unhcr.officer").await;
    let dora = person(&srv, &unhcr, "p-dora", "Dora").await;
    let raw = srv
        .gql(
            Some(&unhcr),
            ENROL,
            enrolment("bio-dora", &dora, samples(1, 2, 1, 3)),
        )
        .await;
    assert!(raw["errors"].is_null(), "{raw}");
    let e = &raw["data"]["enrolBiometrics"]["enrolment"];
    assert_eq!(e["status"], "POSSIBLE_DUPLICATE", "{raw}");
    assert_eq!(e["candidates"], json!([]), "no candidate from another unit");
    let matches = e["otherUnitMatches"].as_array().expect("matches");
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0]["unitCode"], "DPIN");
    assert!(
        matches[0]["referralReference"]
            .as_str()
            .is_some_and(|r| r.starts_with("BR-")),
        "{raw}"
    );
    let text = raw.to_string();
    assert!(!text.contains(&ana), "the other unit's ids never leak");
    assert!(!text.contains(first["id"].as_str().unwrap_or("?")));
    assert!(!text.contains(first["referenceId"].as_str().unwrap_or("?")));
    assert_eq!(count_rows(&t.db, "biometric_referrals"), 1);
    // No review in either unit: referrals go through the units' own channel.
    assert!(pending(&srv, &unhcr).await.is_empty());
    assert!(
        pending(&srv, &srv.login("supervisor").await)
            .await
            .is_empty()
    );
}

async fn bad_records_are_refused_and_nothing_is_stored(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let ana = person(&srv, &clerk, "p-ana", "Ana").await;

    // A corrupt image: the PNG inside the third finger's record is damaged.
    let mut s = samples(1, 1, 1, 0);
    let mut record =
        amparo_tests::iso::finger_record(3, &Finger::generate(102).impression(1).image);
    let n = record.len();
    for b in &mut record[n - 400..n - 40] {
        *b ^= 0x5a;
    }
    s[2]["record"] = json!(b64(&record));
    let r = srv
        .gql(Some(&clerk), ENROL, enrolment("bad-1", &ana, s))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "samples.2.record");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("RIGHT_MIDDLE:") && msg.contains("image"),
        "{msg}"
    );

    // Damaged images, correctly signed: cut (the end zeroed), bytes after the end, a broken
    // marker segment (PNG chunk length), and dimensions that disagree with the ISO header.
    use amparo_biometrics::iso::finger_image::FingerImageRecord;
    let intact = FingerImageRecord::parse(&amparo_tests::iso::finger_record(
        3,
        &Finger::generate(102).impression(1).image,
    ))
    .expect("record");
    type Damage = fn(&mut FingerImageRecord);
    let damages: [(&str, Damage); 4] = [
        ("cut", |r| {
            let d = &mut r.representations[0].image_data;
            let n = d.len();
            d[n - 16..].fill(0);
        }),
        ("after the IEND", |r| {
            r.representations[0]
                .image_data
                .extend_from_slice(b"garbage")
        }),
        ("declares", |r| {
            r.representations[0].image_data[8..12].fill(0xff)
        }),
        ("record says", |r| r.representations[0].width += 1),
    ];
    for (i, (needle, damage)) in damages.into_iter().enumerate() {
        let mut rec = intact.clone();
        damage(&mut rec);
        let mut s = samples(1, 1, 1, 0);
        s[2]["record"] = json!(b64(&rec.to_bytes().expect("bytes")));
        let r = srv
            .gql(
                Some(&clerk),
                ENROL,
                enrolment(&format!("damaged-{i}"), &ana, s),
            )
            .await;
        assert_eq!(error_code(&r), Some("VALIDATION"), "{needle}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "samples.2.record");
        let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(needle), "{needle}: {msg}");
        assert_eq!(count_rows(&t.db, "biometric_samples"), 0, "nothing stored");
    }

    // A bad header: not an ISO finger image record at all.
    let mut s = samples(1, 1, 1, 0);
    let mut record =
        amparo_tests::iso::finger_record(1, &Finger::generate(100).impression(1).image);
    record[1] = b'X';
    s[0]["record"] = json!(b64(&record));
    let r = srv
        .gql(Some(&clerk), ENROL, enrolment("bad-2", &ana, s))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "samples.0.record");
    let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("not a finger image") && msg.contains("format identifier"),
        "{msg}"
    );

    // An iris record sent as a finger.
    let mut s = samples(1, 1, 1, 0);
    s[4]["record"] = s[10]["record"].clone();
    let r = srv
        .gql(Some(&clerk), ENROL, enrolment("bad-3", &ana, s))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["field"], "samples.4.record",
        "{r}"
    );

    // Device records the server cannot believe: not the device's JSON, a signature that does
    // not verify, a record other than the one signed, another session's transaction, and a
    // device this server does not trust.
    let refused = |field: &'static str, needle: &'static str| {
        move |r: Value| {
            assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
            let msg = r["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(msg.contains(needle), "{needle:?} in {msg}");
        }
    };
    let mut v = enrolment("bad-4", &ana, samples(1, 1, 1, 0));
    v["input"]["samples"][11]["deviceRecord"] = json!("not json");
    refused("samples.11.deviceRecord", "SBI JSON")(srv.gql(Some(&clerk), ENROL, v).await);

    let mut v = enrolment("bad-4b", &ana, samples(1, 1, 1, 0));
    let record = v["input"]["samples"][3]["deviceRecord"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut forged: Value = serde_json::from_str(&record).expect("device JSON");
    let jws = forged["data"].as_str().unwrap_or_default().to_string();
    let (head, sig) = jws.rsplit_once('.').expect("a JWS");
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    forged["data"] = json!(format!("{head}.{flipped}{}", &sig[1..]));
    v["input"]["samples"][3]["deviceRecord"] = json!(forged.to_string());
    refused("samples.3.deviceRecord", "signature")(srv.gql(Some(&clerk), ENROL, v).await);

    let mut v = enrolment("bad-4c", &ana, samples(1, 1, 1, 0));
    v["input"]["samples"][0]["record"] = json!(finger(9, 0, 1));
    refused("samples.0.deviceRecord", "not the one the device signed")(
        srv.gql(Some(&clerk), ENROL, v).await,
    );

    let mut v = enrolment("bad-4d", &ana, samples(1, 1, 1, 0));
    v["input"]["transactionId"] = json!("another-session");
    refused("samples.0.deviceRecord", "transaction")(srv.gql(Some(&clerk), ENROL, v).await);

    let stranger = amparo_sbi::DeviceIdentity::generate(&mut rand_core::OsRng, "unknown scanner")
        .expect("identity");
    let mut v = enrolment("bad-4e", &ana, samples(1, 1, 1, 0));
    let record: Value = serde_json::from_str(
        v["input"]["samples"][5]["deviceRecord"]
            .as_str()
            .unwrap_or_default(),
    )
    .expect("device JSON");
    let jws = record["data"].as_str().unwrap_or_default();
    let payload = amparo_sbi::jws::b64url_decode(jws.split('.').nth(1).unwrap_or_default())
        .expect("JWS payload");
    let mut resigned = record.clone();
    resigned["data"] = json!(stranger.sign(&payload));
    v["input"]["samples"][5]["deviceRecord"] = json!(resigned.to_string());
    refused("samples.5.deviceRecord", "trusted")(srv.gql(Some(&clerk), ENROL, v).await);

    // The same position twice, and an eligibility officer, who does not enrol.
    let mut s = samples(1, 1, 1, 0);
    s[1]["position"] = json!("RIGHT_THUMB");
    let r = srv
        .gql(Some(&clerk), ENROL, enrolment("bad-5", &ana, s))
        .await;
    assert_eq!(
        r["errors"][0]["extensions"]["field"], "samples.1.position",
        "{r}"
    );
    let officer = srv.login("officer").await;
    let r = srv
        .gql(
            Some(&officer),
            ENROL,
            enrolment("bad-6", &ana, samples(1, 1, 1, 0)),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    for table in [
        "biometric_samples",
        "biometric_enrolments",
        "biometric_reviews",
    ] {
        assert_eq!(count_rows(&t.db, table), 0, "{table} must stay empty");
    }
    // And the same individual then enrols normally.
    let ok = enrol(&srv, &clerk, enrolment("good", &ana, samples(1, 1, 1, 0))).await;
    assert_eq!(ok["status"], "CLEAR");
}

async fn verify_identity_matches_the_person_only(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let ana = person(&srv, &clerk, "p-ana", "Ana").await;
    enrol(
        &srv,
        &clerk,
        enrolment("bio-ana", &ana, samples(1, 1, 1, 0)),
    )
    .await;
    let samples_before = count_rows(&t.db, "biometric_samples");
    let audit_before = count_rows(&t.db, "audit_events");

    let officer = srv.login("officer").await;
    let probe = |person: u64, eye_person: u64| {
        json!({ "input": { "individualId": ana, "samples": [
            { "position": "RIGHT_INDEX", "record": finger(person, 1, 4) },
            { "position": "LEFT_THUMB", "record": finger(person, 5, 4) },
            { "position": "RIGHT_IRIS", "record": eye(eye_person, false, 5) },
        ] } })
    };
    let yes = srv.gql(Some(&officer), VERIFY, probe(1, 1)).await;
    assert!(yes["errors"].is_null(), "{yes}");
    assert_eq!(yes["data"]["verifyIdentity"]["matched"], true, "{yes}");
    assert_eq!(
        yes["data"]["verifyIdentity"]["positionScores"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    let no = srv.gql(Some(&officer), VERIFY, probe(7, 7)).await;
    assert_eq!(no["data"]["verifyIdentity"]["matched"], false, "{no}");
    assert!(
        no["data"]["verifyIdentity"]["score"]
            .as_f64()
            .unwrap_or(9.0)
            < 1.0
    );

    assert_eq!(
        count_rows(&t.db, "biometric_samples"),
        samples_before,
        "nothing stored"
    );
    assert!(
        count_rows(&t.db, "audit_events") >= audit_before + 2,
        "both attempts audited"
    );
    let unenrolled = person(&srv, &clerk, "p-eva", "Eva").await;
    let mut v = probe(1, 1);
    v["input"]["individualId"] = json!(unenrolled);
    let r = srv.gql(Some(&officer), VERIFY, v).await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
}

async fn the_gallery_is_rebuilt_at_restart(t: TestDb) {
    world(&t.db);
    let dir = tempfile::tempdir().expect("dir");
    let key = dir.path().join("biometric.key");
    amparo_api::biometric::Keyring::generate_file(&key).expect("key");
    let (ana, bea) = {
        let srv = start_with_key(&t.db, AuthConfig::default(), &key).await;
        let clerk = srv.login("registrar").await;
        let ana = person(&srv, &clerk, "p-ana", "Ana").await;
        let bea = person(&srv, &clerk, "p-bea", "Bea").await;
        enrol(
            &srv,
            &clerk,
            enrolment("bio-ana", &ana, samples(1, 1, 1, 0)),
        )
        .await;
        (ana, bea)
    };
    let srv = start_with_key(&t.db, AuthConfig::default(), &key).await;
    let clerk = srv.login("registrar").await;
    let second = enrol(
        &srv,
        &clerk,
        enrolment("bio-bea", &bea, samples(1, 2, 4, 0)),
    )
    .await;
    // Found by the fingers (an uncalibrated iris alone never decides beside fingers).
    assert_eq!(
        second["status"], "POSSIBLE_DUPLICATE",
        "found by the fingers: {second}"
    );
    assert_eq!(second["candidates"][0]["individualId"], json!(ana));
    let finger_matched = second["candidates"][0]["positionScores"]
        .as_array()
        .expect("scores")
        .iter()
        .any(|s| s["position"] == "RIGHT_THUMB" && s["matched"] == true);
    assert!(finger_matched, "{second}");
}

/// The FVC2002 prints beside the repository (or beside a parent folder), when present.
fn fvc() -> Option<std::path::PathBuf> {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = here
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared").join("biometrics").join("fvc2002"))
        .find(|d| d.is_dir());
    if found.is_none() {
        eprintln!("skipped: no shared/biometrics/fvc2002 beside the repository or its parents");
    }
    found
}

/// Finger `k` (0-9) of FVC2002 database `db`, impression `impression`, as a device record of
/// position `k + 1` (PNG inside, lossless).
fn real_finger(dir: &std::path::Path, db: &str, k: usize, impression: u32) -> String {
    let path = dir.join(db).join(format!("{}_{impression}.tif", 101 + k));
    cached(path.display().to_string(), || {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let image = amparo_biometrics::image::decode_tiff(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        finger_record(k as u8 + 1, &image)
    })
}

/// The ten fingers of `db`, each at its `nth` (0-based) impression that the acceptance rule
/// takes (a few FVC prints have too few minutiae for enrolment, as a device would re-capture).
fn real_hand(dir: &std::path::Path, db: &str, nth: usize) -> Vec<Value> {
    FINGERS
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let impression = (1..=8u32)
                .filter(|&i| {
                    let path = dir.join(db).join(format!("{}_{i}.tif", 101 + k));
                    let bytes = std::fs::read(&path).expect("FVC image");
                    let image = amparo_biometrics::image::decode_tiff(&bytes).expect("TIFF");
                    amparo_biometrics::finger::extract(&image).is_ok_and(|e| {
                        amparo_biometrics::finger::quality::acceptable(&e.template).is_ok()
                    })
                })
                .nth(nth)
                .expect("enough acceptable impressions");
            json!({ "position": p, "record": real_finger(dir, db, k, impression), "quality": 80 })
        })
        .collect()
}

/// Real prints: the ten fingers of FVC2002 DB1 enrolled from impression 1, the same fingers
/// at impression 2 under a new identity are queued as a possible duplicate, DB2's fingers are
/// not; verification matches impression 3 and rejects another person's fingers.
async fn real_prints_are_deduplicated_and_verified(t: TestDb) {
    let Some(dir) = fvc() else {
        return;
    };
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let ana = person(&srv, &clerk, "p-ana", "Ana").await;
    let first = enrol(
        &srv,
        &clerk,
        enrolment("real-ana", &ana, real_hand(&dir, "DB1_B", 0)),
    )
    .await;
    assert_eq!(first["status"], "CLEAR", "{first}");
    let other = person(&srv, &clerk, "p-otra", "Otra").await;
    let clear = enrol(
        &srv,
        &clerk,
        enrolment("real-otra", &other, real_hand(&dir, "DB2_B", 0)),
    )
    .await;
    assert_eq!(
        clear["status"], "CLEAR",
        "another person's real fingers: {clear}"
    );
    let bea = person(&srv, &clerk, "p-bea", "Bea").await;
    let second = enrol(
        &srv,
        &clerk,
        enrolment("real-bea", &bea, real_hand(&dir, "DB1_B", 1)),
    )
    .await;
    assert_eq!(second["status"], "POSSIBLE_DUPLICATE", "{second}");
    let candidates = second["candidates"].as_array().expect("candidates");
    assert_eq!(candidates.len(), 1, "{second}");
    assert_eq!(candidates[0]["individualId"], json!(ana));
    let supervisor = srv.login("supervisor").await;
    let queue = pending(&srv, &supervisor).await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["candidate"]["individual"]["givenNames"], "Ana");
    let version: String = {
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("conn");
        let q = diesel::sql_query("SELECT calibration_version FROM biometric_reviews");
        let row: CalibrationRow = match &mut *c {
            amparo_api::store::DbConn::Pg(pg) => q.get_result(pg),
            amparo_api::store::DbConn::Sqlite(lite) => q.get_result(lite),
        }
        .expect("calibration version");
        row.calibration_version
    };
    assert_eq!(
        version,
        amparo_biometrics::finger::dedup::CALIBRATION_VERSION,
        "the decision records its calibration"
    );

    let officer = srv.login("officer").await;
    let probe = |db: &str| {
        let samples: Vec<Value> = real_hand(&dir, db, 2)
            .into_iter()
            .map(|s| json!({ "position": s["position"], "record": s["record"] }))
            .collect();
        json!({ "input": { "individualId": ana, "samples": samples } })
    };
    let yes = srv.gql(Some(&officer), VERIFY, probe("DB1_B")).await;
    assert!(yes["errors"].is_null(), "{yes}");
    assert_eq!(yes["data"]["verifyIdentity"]["matched"], true, "{yes}");
    let no = srv.gql(Some(&officer), VERIFY, probe("DB3_B")).await;
    assert!(no["errors"].is_null(), "{no}");
    assert_eq!(no["data"]["verifyIdentity"]["matched"], false, "{no}");
}

#[derive(diesel::QueryableByName)]
struct CalibrationRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    calibration_version: String,
}

both_backends!(
    real_prints_are_deduplicated_and_verified,
    duplicates_are_found_queued_and_adjudicated,
    another_unit_learns_only_that_a_duplicate_exists,
    bad_records_are_refused_and_nothing_is_stored,
    verify_identity_matches_the_person_only,
    the_gallery_is_rebuilt_at_restart,
);
