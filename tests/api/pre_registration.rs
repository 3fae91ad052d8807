//! The public pre-registration form over real HTTP: a family sends it, corrects an error, gets a
//! reference and a secret, books a registration appointment; and the limits that keep it
//! standing (rates, sizes, the honeypot, wrong secrets, a replayed form).

use amparo_api::auth::AuthConfig;
use amparo_api::preregistration::Limits;
use amparo_api::server::HttpConfig;
use amparo_api::store::Database;
use amparo_tests::{TestDb, TestServer, World, both_backends, start, start_with_http, world};

use crate::support::count_rows;

fn open(db: &Database, w: &World) {
    let unit = w.dpin.clone();
    db.write_blocking(move |c| amparo_api::store::prereg::set_enabled(c, &unit, true))
        .expect("form on");
}

/// The text between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}

async fn get(srv: &TestServer, path: &str) -> (u16, String) {
    let r = srv
        .http
        .get(format!("{}{path}", srv.url))
        .send()
        .await
        .expect("get");
    (r.status().as_u16(), r.text().await.expect("html"))
}

async fn post(srv: &TestServer, path: &str, form: &[(String, String)]) -> (u16, String) {
    let r = srv
        .http
        .post(format!("{}{path}", srv.url))
        .form(form)
        .send()
        .await
        .expect("post");
    (r.status().as_u16(), r.text().await.expect("html"))
}

fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A family of three as the form sends it, for office `office` with form token `token`.
fn family(token: &str, office: &str) -> Vec<(String, String)> {
    kv(&[
        ("token", token),
        ("lang", "es"),
        ("website", ""),
        ("members.0.givenNames", "Ana María"),
        ("members.0.familyName", "Pérez Gómez"),
        ("members.0.sex", "F"),
        ("members.0.dateOfBirth", "1988-03-14"),
        ("members.0.nationality", "VEN"),
        ("members.1.givenNames", "Luis"),
        ("members.1.familyName", "Rondón"),
        ("members.1.sex", "M"),
        ("members.1.dateOfBirth", "1985-11-02"),
        ("members.1.nationality", "VEN"),
        ("members.1.relationship", "spouse"),
        ("members.2.givenNames", "Sofía"),
        ("members.2.familyName", "Rondón Pérez"),
        ("members.2.sex", "F"),
        ("members.2.age", "4"),
        ("members.2.nationality", "VEN"),
        ("members.2.relationship", "daughter"),
        ("phone", "+593 99 123 4567"),
        ("province", "Carchi"),
        ("canton", "Tulcán"),
        ("office", office),
        ("languages.0", "spa"),
        ("urgent", "chronic_illness"),
        ("consent", "on"),
        ("action", "send"),
    ])
}

fn set(form: &mut [(String, String)], key: &str, value: &str) {
    for (k, v) in form.iter_mut() {
        if k == key {
            *v = value.to_string();
        }
    }
}

/// A new form's token and the id of the office offered for Quito.
async fn new_form(srv: &TestServer) -> (String, String) {
    let (status, html) = get(srv, "/pre-registration").await;
    assert_eq!(status, 200, "{html}");
    let token = between(&html, "name=\"token\" value=\"", "\"")
        .expect("a token")
        .to_string();
    let office = between(&html, "<option value=\"", "\">Quito")
        .and_then(|s| s.rsplit("<option value=\"").next())
        .expect("Quito offered")
        .to_string();
    (token, office)
}

async fn a_family_pre_registers_and_books_an_appointment(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let (status, _) = get(&srv, "/pre-registration").await;
    assert_eq!(status, 404, "closed until the unit turns it on");
    open(&t.db, &w);
    let page = srv
        .http
        .get(format!("{}/pre-registration", srv.url))
        .send()
        .await
        .expect("form");
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a policy")
        .to_string();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(html.contains("lang=\"es\"") && html.contains("cualquier alfabeto"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    let (token, office) = new_form(&srv).await;

    // Adding a person keeps what was typed and adds a row.
    let mut form = family(&token, &office);
    set(&mut form, "action", "add");
    let (status, html) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("name=\"members.3.givenNames\""),
        "a fourth row"
    );
    assert!(html.contains("value=\"Ana María\""), "typed values kept");
    // Removing it again.
    set(&mut form, "action", "remove.3");
    let (_, html) = post(&srv, "/pre-registration", &form).await;
    assert!(!html.contains("name=\"members.3.givenNames\"") || html.contains("value=\"\""));

    // An impossible date is refused next to its field, keeping everything typed.
    let mut form = family(&token, &office);
    set(&mut form, "members.1.dateOfBirth", "2099-01-01");
    let (status, html) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("id=\"e-members.1.dateOfBirth\""), "{html}");
    assert!(html.contains("La fecha no puede ser futura"));
    assert!(html.contains("value=\"2099-01-01\"") && html.contains("value=\"Rondón\""));
    assert_eq!(count_rows(&t.db, "pre_registrations"), 0);

    // Corrected, it is received.
    let form = family(&token, &office);
    let (status, html) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 200, "{html}");
    let reference = between(&html, "id=\"reference\">", "<")
        .expect("reference")
        .to_string();
    let secret = between(&html, "id=\"secret\">", "<")
        .expect("secret")
        .to_string();
    assert_eq!(reference.len(), 11);
    assert_eq!(secret.len(), 19);
    // A double tap gives the same reference and secret and writes nothing more.
    let (status, again) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 200);
    assert_eq!(
        between(&again, "id=\"reference\">", "<"),
        Some(reference.as_str())
    );
    assert_eq!(
        between(&again, "id=\"secret\">", "<"),
        Some(secret.as_str())
    );
    assert_eq!(count_rows(&t.db, "pre_registrations"), 1);
    assert_eq!(
        count_rows(&t.db, "change_feed"),
        1,
        "the write is in the unit's feed"
    );

    // The status page, typed loosely (lower case, spaces), shows the stage and free times.
    let creds = kv(&[
        ("lang", "en"),
        ("reference", &reference.to_lowercase().replace('-', " ")),
        ("secret", &secret),
    ]);
    let (status, html) = post(&srv, "/pre-registration/status", &creds).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Received"), "{html}");
    assert!(
        !html.contains("Ana") && !html.contains("Rondón"),
        "no personal data shown"
    );
    let slot = between(&html, "name=\"slot\"><option value=\"", "\"")
        .expect("free times")
        .to_string();
    let mut book = creds.clone();
    book.push(("slot".into(), slot.clone()));
    book.push(("action".into(), "book".into()));
    let (status, html) = post(&srv, "/pre-registration/status", &book).await;
    assert_eq!(status, 200);
    assert!(html.contains("Appointment given"), "{html}");
    assert!(
        html.contains("id=\"appointment\"") && html.contains("Quito"),
        "{html}"
    );
    assert!(
        html.contains("Move my appointment"),
        "one booking, which can be moved"
    );
    // Reading it again shows the same booking; a made-up time is refused.
    let mut bad = creds.clone();
    bad.push(("slot".into(), "2020-01-01T03:00".into()));
    bad.push(("action".into(), "book".into()));
    let (_, html) = post(&srv, "/pre-registration/status", &bad).await;
    assert!(html.contains("id=\"e-slot\""), "{html}");
    assert!(html.contains("id=\"appointment\""), "the booking stands");
    let audited = {
        use amparo_api::store::schema::audit_events;
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .filter(audit_events::record_type.eq("pre_registration"))
            .select(audit_events::action)
            .load::<String>(&mut *c)
            .expect("audit")
    };
    for action in ["pre_register", "read", "book"] {
        assert!(
            audited.iter().any(|a| a == action),
            "{action} in {audited:?}"
        );
    }
    assert_eq!(
        count_rows(&t.db, "change_feed"),
        2,
        "the booking is in the feed"
    );
}

async fn wrong_reference_and_wrong_secret_answer_alike(t: TestDb) {
    let w = world(&t.db);
    open(&t.db, &w);
    let http = HttpConfig {
        pre_registration: Limits {
            wrong_secrets_per_reference_per_hour: 3,
            ..Limits::default()
        },
        ..HttpConfig::default()
    };
    let srv = start_with_http(&t.db, AuthConfig::default(), http).await;
    let (token, office) = new_form(&srv).await;
    let (_, html) = post(&srv, "/pre-registration", &family(&token, &office)).await;
    let reference = between(&html, "id=\"reference\">", "<")
        .expect("reference")
        .to_string();
    let secret = between(&html, "id=\"secret\">", "<")
        .expect("secret")
        .to_string();
    let ask = |r: &str, s: &str| kv(&[("lang", "es"), ("reference", r), ("secret", s)]);
    let wrong_secret = post(
        &srv,
        "/pre-registration/status",
        &ask(&reference, "AAAA-AAAA-AAAA-AAAA"),
    )
    .await;
    let other = "ZZZZZ-ZZZZZ";
    let wrong_reference = post(&srv, "/pre-registration/status", &ask(other, &secret)).await;
    assert_eq!(wrong_secret.0, wrong_reference.0);
    assert!(wrong_secret.1.contains("id=\"not-found\""));
    assert_eq!(
        wrong_secret.1.replace(&reference, "R"),
        wrong_reference.1.replace(other, "R"),
        "the same page for either mistake"
    );
    // Past the cap of wrong secrets, the reference answers "not found" even to its secret.
    for _ in 0..3 {
        post(
            &srv,
            "/pre-registration/status",
            &ask(&reference, "BBBB-BBBB-BBBB-BBBB"),
        )
        .await;
    }
    let (_, html) = post(&srv, "/pre-registration/status", &ask(&reference, &secret)).await;
    assert!(html.contains("id=\"not-found\""), "capped");
    let denied = {
        use amparo_api::store::schema::audit_events;
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .filter(audit_events::outcome.eq("denied"))
            .filter(audit_events::record_type.eq("pre_registration"))
            .count()
            .get_result::<i64>(&mut *c)
            .expect("audit")
    };
    assert!(
        denied >= 3,
        "wrong secrets are audited in the unit: {denied}"
    );
}

async fn the_form_holds_against_floods_and_bad_input(t: TestDb) {
    let w = world(&t.db);
    open(&t.db, &w);
    let http = HttpConfig {
        pre_registration: Limits {
            submissions_per_minute: 3,
            ..Limits::default()
        },
        ..HttpConfig::default()
    };
    let srv = start_with_http(&t.db, AuthConfig::default(), http).await;
    let (token, office) = new_form(&srv).await;

    // Markup in a name comes back as text.
    let mut form = family(&token, &office);
    set(
        &mut form,
        "members.0.givenNames",
        "<script>alert(1)</script>",
    );
    set(&mut form, "consent", "");
    let (status, html) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 422);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
    assert!(html.contains("id=\"e-consent\""));

    // A name over the limit is refused next to it; a field over the body's limit refuses all.
    let mut form = family(&token, &office);
    set(&mut form, "members.1.givenNames", &"n".repeat(201));
    let (status, html) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"e-members.1.givenNames\""));
    let mut form = family(&token, &office);
    set(&mut form, "canton", &"c".repeat(5000));
    let (status, _) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 400);
    let huge = vec![("x".to_string(), "y".repeat(60 * 1024))];
    let (status, _) = post(&srv, "/pre-registration", &huge).await;
    assert_eq!(status, 413);

    // The honeypot refuses and stores nothing.
    let mut form = family(&token, &office);
    set(&mut form, "website", "http://spam.example");
    let (status, _) = post(&srv, "/pre-registration", &form).await;
    assert_eq!(status, 400);
    assert_eq!(count_rows(&t.db, "pre_registrations"), 0);

    // The global rate: three sends a minute here (two were refused above and count too).
    let (token2, _) = new_form(&srv).await;
    let (status, _) = post(&srv, "/pre-registration", &family(&token2, &office)).await;
    assert_eq!(status, 200);
    let (token3, _) = new_form(&srv).await;
    let r = srv
        .http
        .post(format!("{}/pre-registration", srv.url))
        .form(&family(&token3, &office))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("60")
    );
    assert_eq!(count_rows(&t.db, "pre_registrations"), 1);

    // A token that is not one of ours refuses; an office of a unit whose form is off is refused.
    let (status, _) = post(&srv, "/pre-registration", &family("not-a-token", &office)).await;
    assert_eq!(status, 400);
}

async fn pages_are_light_and_bilingual(t: TestDb) {
    let w = world(&t.db);
    open(&t.db, &w);
    let srv = start(&t.db, AuthConfig::default()).await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let r = raw
        .get(format!("{}/pre-registration", srv.url))
        .header("accept-encoding", "gzip")
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .expect("form");
    assert_eq!(
        r.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let bytes = r.bytes().await.expect("body");
    assert!(bytes.len() < 30 * 1024, "{} bytes on the wire", bytes.len());
    let (_, html) = get(&srv, "/pre-registration?lang=en").await;
    assert!(html.contains("lang=\"en\"") && html.contains("any script"));
    let (_, html) = get(&srv, "/pre-registration/status?lang=en").await;
    assert!(html.contains("Type the reference"));
    // Fifteen people, the most one form takes, still fit.
    let (token, office) = new_form(&srv).await;
    let mut form = family(&token, &office);
    for i in 3..15 {
        form.push((format!("members.{i}.givenNames"), "Niño".into()));
    }
    set(&mut form, "action", "add");
    let r = raw
        .post(format!("{}/pre-registration", srv.url))
        .header("accept-encoding", "gzip")
        .form(&form)
        .send()
        .await
        .expect("post");
    let bytes = r.bytes().await.expect("body");
    assert!(
        bytes.len() < 30 * 1024,
        "{} bytes for fifteen people",
        bytes.len()
    );
}

const QUEUE: &str = "query($office: ID) { preRegistrations(officeId: $office, first: 10) { nodes { id reference stage urgency urgentNeeds withheldUrgentNeeds version officeId appointmentAt members { relationship givenNames familyName sex dateOfBirth dateOfBirthPrecision nationality } phone province canton languages possibleDuplicates { memberIndex individualNumber score } } pageInfo { hasNextPage } } }";

const CONVERT: &str = "mutation($input: ConvertPreRegistrationInput!) { convertPreRegistration(input: $input) { clientMutationId saved groupId individualIds possibleDuplicates { memberIndex } } }";

const DISMISS: &str = "mutation($input: DismissPreRegistrationInput!) { dismissPreRegistration(input: $input) { id version } }";

/// Sends a family of three with the given urgent needs; returns its reference and secret.
async fn send(srv: &TestServer, given: &str, urgent: &[&str]) -> (String, String) {
    let (token, office) = new_form(srv).await;
    let mut form: Vec<(String, String)> = family(&token, &office)
        .into_iter()
        .filter(|(k, _)| k != "urgent")
        .collect();
    set(&mut form, "members.0.givenNames", given);
    for u in urgent {
        form.push(("urgent".into(), u.to_string()));
    }
    let (status, html) = post(srv, "/pre-registration", &form).await;
    assert_eq!(status, 200, "{html}");
    (
        between(&html, "id=\"reference\">", "<")
            .expect("reference")
            .to_string(),
        between(&html, "id=\"secret\">", "<")
            .expect("secret")
            .to_string(),
    )
}

/// The registration input a registrar sends, started from a queue item's members.
fn members_of(item: &serde_json::Value) -> serde_json::Value {
    let members: Vec<serde_json::Value> = item["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            serde_json::json!({
                "relationship": m["relationship"],
                "person": {
                    "givenNames": m["givenNames"],
                    "familyName": m["familyName"],
                    "sex": m["sex"],
                    "dateOfBirth": m["dateOfBirth"],
                    "dateOfBirthPrecision": m["dateOfBirthPrecision"],
                    "nationalities": [m["nationality"]],
                }
            })
        })
        .collect();
    serde_json::Value::Array(members)
}

async fn registrars_triage_convert_and_dismiss(t: TestDb) {
    let w = world(&t.db);
    open(&t.db, &w);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    // Someone already registered who resembles the applicant.
    let existing = serde_json::json!({ "givenNames": "Ana María", "familyName": "Pérez Gómez", "sex": "F", "dateOfBirth": "1988-03-14", "nationalities": ["VEN"] });
    crate::support::register_person(&srv, &registrar, "existing-1", existing).await;

    let (calm_ref, _) = send(&srv, "Ana María", &[]).await;
    let (urgent_ref, urgent_secret) =
        send(&srv, "Rosa", &["critical_medical", "risk_of_return"]).await;

    let r = srv
        .gql(Some(&registrar), QUEUE, serde_json::json!({}))
        .await;
    let nodes = r["data"]["preRegistrations"]["nodes"]
        .as_array()
        .expect("queue")
        .clone();
    assert_eq!(nodes.len(), 2, "{r}");
    assert_eq!(nodes[0]["reference"], urgent_ref.as_str(), "urgent first");
    assert_eq!(nodes[1]["reference"], calm_ref.as_str());
    // A clerk reads no medical need back: the critical illness is withheld, the risk shown.
    assert_eq!(nodes[0]["urgentNeeds"], serde_json::json!(["LP-RR"]));
    assert_eq!(nodes[0]["withheldUrgentNeeds"], 1);
    assert_eq!(nodes[0]["members"][2]["dateOfBirthPrecision"], "estimated");
    assert!(
        nodes[1]["possibleDuplicates"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the registered Ana María is a possible duplicate: {}",
        nodes[1]
    );
    // Another office's registrar and another unit see none of them.
    for other in ["registrar.gye", "unhcr.officer"] {
        let token = srv.login(other).await;
        let r = srv.gql(Some(&token), QUEUE, serde_json::json!({})).await;
        assert_eq!(
            r["data"]["preRegistrations"]["nodes"],
            serde_json::json!([]),
            "{other}: {r}"
        );
    }
    let analyst = srv.login("analyst").await;
    let r = srv.gql(Some(&analyst), QUEUE, serde_json::json!({})).await;
    assert_eq!(amparo_tests::error_code(&r), Some("FORBIDDEN"), "{r}");
    // Another unit's user acting on it is refused as if it did not exist, and the unit that
    // holds it is told (its own audit names the record, not the user).
    let outsider = srv.login("unhcr.officer").await;
    let r = srv
        .gql(
            Some(&outsider),
            DISMISS,
            serde_json::json!({ "input": {
                "clientMutationId": "outside-1", "id": nodes[0]["id"],
                "version": nodes[0]["version"], "reason": "not ours",
            }}),
        )
        .await;
    assert_eq!(amparo_tests::error_code(&r), Some("NOT_FOUND"), "{r}");
    assert_eq!(
        count_rows(
            &t.db,
            &format!(
                "audit_events WHERE action = 'refused_outside_access' AND record_id = '{}' \
                 AND operation_unit_id = '{}'",
                nodes[0]["id"].as_str().unwrap_or_default(),
                w.dpin
            )
        ),
        1
    );

    // Converting: a stale version is a conflict and changes nothing.
    let item = nodes[0].clone();
    let input = |cmid: &str, version: i64| {
        serde_json::json!({ "input": {
            "clientMutationId": cmid, "id": item["id"], "version": version,
            "members": members_of(&item), "acknowledgeDuplicates": true,
        }})
    };
    let r = srv
        .gql(Some(&registrar), CONVERT, input("convert-stale", 99))
        .await;
    assert_eq!(amparo_tests::error_code(&r), Some("CONFLICT"), "{r}");
    let version = item["version"].as_i64().expect("version");
    let r = srv
        .gql(Some(&registrar), CONVERT, input("convert-1", version))
        .await;
    let payload = &r["data"]["convertPreRegistration"];
    assert_eq!(payload["saved"], true, "{r}");
    assert_eq!(payload["individualIds"].as_array().map(Vec::len), Some(3));
    // A replay answers the same and registers nobody twice.
    let again = srv
        .gql(Some(&registrar), CONVERT, input("convert-1", version))
        .await;
    assert_eq!(
        again["data"]["convertPreRegistration"]["groupId"],
        payload["groupId"]
    );
    assert_eq!(count_rows(&t.db, "individuals"), 4);
    // The family's status page says registered; the queue no longer has it.
    let creds = kv(&[
        ("lang", "es"),
        ("reference", &urgent_ref),
        ("secret", &urgent_secret),
    ]);
    let (_, html) = post(&srv, "/pre-registration/status", &creds).await;
    assert!(html.contains("id=\"stage\">Registrado"), "{html}");
    assert!(
        !html.contains("name=\"slot\""),
        "no booking once registered"
    );
    let r = srv
        .gql(Some(&registrar), QUEUE, serde_json::json!({}))
        .await;
    let left = r["data"]["preRegistrations"]["nodes"]
        .as_array()
        .expect("queue")
        .clone();
    assert_eq!(left.len(), 1);

    // Dismissing needs a reason, and then takes it out of the queue.
    let calm = left[0].clone();
    let dismiss = |cmid: &str, reason: &str| {
        serde_json::json!({ "input": {
            "clientMutationId": cmid, "id": calm["id"], "version": calm["version"], "reason": reason,
        }})
    };
    let r = srv
        .gql(Some(&registrar), DISMISS, dismiss("dismiss-0", " "))
        .await;
    assert_eq!(amparo_tests::error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["reason"], "REQUIRED");
    let r = srv
        .gql(
            Some(&registrar),
            DISMISS,
            dismiss("dismiss-1", "already registered as DPIN-I-0000001"),
        )
        .await;
    assert!(
        r["data"]["dismissPreRegistration"]["version"].as_i64() > calm["version"].as_i64(),
        "{r}"
    );
    let r = srv
        .gql(Some(&registrar), QUEUE, serde_json::json!({}))
        .await;
    assert_eq!(
        r["data"]["preRegistrations"]["nodes"],
        serde_json::json!([])
    );

    // Retention: once the period ends the dismissed one is deleted, audited; the converted one
    // stays, named by its group's history.
    let later = amparo_api::store::now() + chrono::TimeDelta::days(91);
    let deleted =
        t.db.write_blocking(move |c| amparo_api::store::prereg::purge_expired(c, later))
            .expect("purge");
    assert_eq!(deleted, 1);
    assert_eq!(count_rows(&t.db, "pre_registrations"), 1);
    let actions = {
        use amparo_api::store::schema::audit_events;
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .filter(audit_events::record_type.eq("pre_registration"))
            .select(audit_events::action)
            .load::<String>(&mut *c)
            .expect("audit")
    };
    for a in ["convert", "dismiss", "delete"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    crate::feed::assert_feed_covers(&t.db);
}

both_backends!(
    a_family_pre_registers_and_books_an_appointment,
    wrong_reference_and_wrong_secret_answer_alike,
    the_form_holds_against_floods_and_bad_input,
    pages_are_light_and_bilingual,
    registrars_triage_convert_and_dismiss,
);
