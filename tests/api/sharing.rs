//! Resettlement and referrals between units end to end over HTTP: the resettlement procedure
//! from a protection officer's hand-off to departure, with four eyes, queues and exit; data
//! sharing agreements seen by both units; referrals refused without an agreement in force,
//! without consent or with a field the purpose does not carry; exactly the agreed fields
//! shared, audited on both sides; nothing more after consent is withdrawn; the sender seeing
//! only the outcome; and every new operation out of reach of a unit that is not party to it.

use amparo_api::auth::{AuthConfig, password};
use amparo_api::store::users;
use amparo_tests::{PASSWORD, TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::feed::assert_feed_covers;
use super::support::{count_rows, family, register};

const RCASE: &str = "id caseNumber status priority categories restricted summary dueOn overdue protectionCaseId version allowedActions members { individualId principal } assessments { summary } reviews { approved note } submissions { state submittedOn dossierReference interviewedOn decision decidedOn } departedOn exitReason history { kind actor }";

const REFERRAL: &str = "id reference kind direction otherUnit purpose status sharedFields { field value } consentWithdrawn note declineReason individualId individual { givenNames familyName } version";

/// Adds users to a unit and returns nothing; each gets the test password.
fn staff(db: &amparo_api::store::Database, unit: &str, people: &[(&str, &str)]) {
    let hash = password::hash(PASSWORD).expect("hash");
    db.write_blocking(|c| {
        let office = users::offices_of(c, unit)?
            .into_iter()
            .next()
            .expect("an office");
        for (name, roles) in people {
            users::create_user(
                c,
                users::NewUser {
                    unit_id: unit,
                    office_id: Some(&office.id),
                    username: name,
                    display_name: name,
                    password_hash: Some(&hash),
                    roles,
                    scope_level: "unit",
                },
            )?;
        }
        Ok::<_, amparo_api::error::Error>(())
    })
    .expect("staff");
}

fn cmid() -> String {
    uuid::Uuid::now_v7().to_string()
}

async fn step(srv: &TestServer, token: &str, case: &Value, fields: Value) -> Value {
    let mut input =
        json!({ "clientMutationId": cmid(), "caseId": case["id"], "version": case["version"] });
    if let (Some(i), Some(f)) = (input.as_object_mut(), fields.as_object()) {
        i.extend(f.clone());
    }
    srv.gql(
        Some(token),
        &format!("mutation($i: ActOnResettlementCaseInput!) {{ actOnResettlementCase(input: $i) {{ caseId resettlementCase {{ {RCASE} }} }} }}"),
        json!({ "i": input }),
    )
    .await
}

async fn ok_step(srv: &TestServer, token: &str, case: &Value, fields: Value) -> Value {
    let r = step(srv, token, case, fields.clone()).await;
    assert!(r["errors"].is_null(), "{fields}: {r}");
    r["data"]["actOnResettlementCase"]["resettlementCase"].clone()
}

fn list(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn reason(r: &Value) -> Option<&str> {
    r["errors"][0]["extensions"]["reason"].as_str()
}

async fn a_family_handed_over_goes_through_resettlement(t: TestDb) {
    let w = world(&t.db);
    staff(
        &t.db,
        &w.unhcr,
        &[
            ("unhcr.resettlement", "resettlement_officer"),
            ("unhcr.reviewer", "resettlement_officer"),
            ("unhcr.po", "protection_officer"),
        ],
    );
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("unhcr.officer").await;
    let reg = register(&srv, &clerk, family("rst-1", "Quintero")).await;
    let mother = reg["members"][0]["id"].clone();
    let po = srv.login("unhcr.po").await;
    let pc = srv
        .gql(
            Some(&po),
            "mutation($i: OpenProtectionCaseInput!) { openProtectionCase(input: $i) { protectionCase { id } } }",
            json!({ "i": { "clientMutationId": cmid(), "principalId": mother, "memberIds": [reg["members"][1]["id"]], "category": "WR", "riskLevel": "HIGH", "intakeSummary": "Amenazas" } }),
        )
        .await["data"]["openProtectionCase"]["protectionCase"]["id"]
        .clone();
    // A protection officer opens a resettlement case only as a hand-off.
    let open = "mutation($i: OpenResettlementCaseInput!) { openResettlementCase(input: $i) { caseId resettlementCase { id } } }";
    let alone = srv
        .gql(
            Some(&po),
            open,
            json!({ "i": { "clientMutationId": cmid(), "principalId": mother, "categories": ["LPN"], "summary": "x" } }),
        )
        .await;
    assert_eq!(error_code(&alone), Some("FORBIDDEN"), "{alone}");
    let handoff = json!({ "i": { "clientMutationId": "handoff-1", "principalId": mother, "categories": ["awr", "LPN"], "priority": "URGENT", "summary": "Riesgo persistente", "protectionCaseId": pc } });
    let r = srv.gql(Some(&po), open, handoff.clone()).await;
    assert!(r["errors"].is_null(), "{r}");
    let id = r["data"]["openResettlementCase"]["caseId"].clone();
    assert!(
        r["data"]["openResettlementCase"]["resettlementCase"].is_null(),
        "the case is resettlement staff's to read: {r}"
    );
    let again = srv.gql(Some(&po), open, handoff).await;
    assert_eq!(again["data"]["openResettlementCase"]["caseId"], id);
    assert_eq!(count_rows(&t.db, "resettlement_cases"), 1);
    // The protection officer reads no resettlement case.
    let read = format!("query($id: ID!) {{ resettlementCase(id: $id) {{ {RCASE} }} }}");
    let refused = srv.gql(Some(&po), &read, json!({ "id": id })).await;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"), "{refused}");

    let officer = srv.login("unhcr.resettlement").await;
    let reviewer = srv.login("unhcr.reviewer").await;
    let case =
        srv.gql(Some(&officer), &read, json!({ "id": id })).await["data"]["resettlementCase"]
            .clone();
    assert_eq!(case["status"], "IDENTIFIED");
    assert_eq!(case["categories"], json!(["AWR", "LPN"]));
    assert_eq!(case["protectionCaseId"], pc);
    assert_eq!(case["members"].as_array().map(Vec::len), Some(2), "{case}");
    assert_eq!(list(&case["allowedActions"]), ["RECORD_ASSESSMENT", "EXIT"]);
    assert!(
        case["dueOn"].is_string() && case["overdue"] == false,
        "{case}"
    );
    let today = case["history"][0].clone();
    assert_eq!(today["kind"], "handed_off");
    // A step without what it needs names the field.
    let missing = step(
        &srv,
        &officer,
        &case,
        json!({ "action": "RECORD_ASSESSMENT" }),
    )
    .await;
    assert_eq!(
        missing["errors"][0]["extensions"]["field"], "input.summary",
        "{missing}"
    );
    let case = ok_step(
        &srv,
        &officer,
        &case,
        json!({ "action": "RECORD_ASSESSMENT", "summary": "Cumple AWR" }),
    )
    .await;
    assert_eq!(case["status"], "ASSESSED");
    // Four eyes: the assessor does not review.
    assert!(!list(&case["allowedActions"]).contains(&"REVIEW_ASSESSMENT".to_string()));
    let own = step(
        &srv,
        &officer,
        &case,
        json!({ "action": "REVIEW_ASSESSMENT", "approve": true }),
    )
    .await;
    assert_eq!(error_code(&own), Some("FORBIDDEN"), "{own}");
    let case = ok_step(
        &srv,
        &reviewer,
        &case,
        json!({ "action": "REVIEW_ASSESSMENT", "approve": true }),
    )
    .await;
    assert_eq!(case["status"], "APPROVED");
    // A stale version is a conflict.
    let mut stale = case.clone();
    stale["version"] = json!(1);
    let conflict = step(
        &srv,
        &officer,
        &stale,
        json!({ "action": "EXIT", "exitReason": "WITHDRAWN" }),
    )
    .await;
    assert_eq!(error_code(&conflict), Some("CONFLICT"), "{conflict}");
    let day = chrono::Utc::now().date_naive() - chrono::Days::new(0);
    let future = (day + chrono::Days::new(3)).to_string();
    let bad = step(
        &srv,
        &officer,
        &case,
        json!({ "action": "SUBMIT", "state": "CAN", "date": future, "dossierReference": "ECU-1" }),
    )
    .await;
    assert_eq!(reason(&bad), Some("IN_FUTURE"), "{bad}");
    let on = case["history"]
        .as_array()
        .map_or(String::new(), |_| String::new());
    let _ = on;
    let submitted_on = srv
        .gql(
            Some(&officer),
            "query($id: ID!) { resettlementCase(id: $id) { dueOn } }",
            json!({ "id": id }),
        )
        .await;
    let _ = submitted_on;
    // The unit's today is the day the case reached its step (approval just now).
    let today = unit_today(&srv, &officer, &id).await;
    let case = ok_step(&srv, &officer, &case, json!({ "action": "SUBMIT", "state": "can", "date": today, "dossierReference": "ECU-RST-1" })).await;
    assert_eq!(case["status"], "SUBMITTED");
    assert_eq!(case["submissions"][0]["state"], "CAN");
    let case = ok_step(
        &srv,
        &officer,
        &case,
        json!({ "action": "RECORD_INTERVIEW", "date": today }),
    )
    .await;
    let case = ok_step(
        &srv,
        &officer,
        &case,
        json!({ "action": "RECORD_DECISION", "decision": "ACCEPTED", "date": today }),
    )
    .await;
    assert_eq!(case["status"], "ACCEPTED");
    // The steps-pending queue holds it until departure, then the ended list.
    let queue = "query($l: ResettlementCaseList) { resettlementCases(list: $l) { nodes { id status dueOn } } }";
    let pending = srv
        .gql(Some(&officer), queue, json!({ "l": "PENDING" }))
        .await;
    assert_eq!(
        pending["data"]["resettlementCases"]["nodes"][0]["id"], id,
        "{pending}"
    );
    let case = ok_step(
        &srv,
        &officer,
        &case,
        json!({ "action": "RECORD_DEPARTURE", "date": today }),
    )
    .await;
    assert_eq!(case["status"], "DEPARTED");
    assert_eq!(list(&case["allowedActions"]), Vec::<String>::new());
    assert!(case["dueOn"].is_null());
    let pending = srv
        .gql(Some(&officer), queue, json!({ "l": "PENDING" }))
        .await;
    assert_eq!(
        pending["data"]["resettlementCases"]["nodes"],
        json!([]),
        "{pending}"
    );
    let ended = srv
        .gql(Some(&officer), queue, json!({ "l": "ENDED" }))
        .await;
    assert_eq!(ended["data"]["resettlementCases"]["nodes"][0]["id"], id);
    let kinds: Vec<&str> = case["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "handed_off",
            "record_assessment",
            "review_assessment",
            "submit",
            "record_interview",
            "record_decision",
            "record_departure"
        ]
    );
    // A case that leaves resettlement says why.
    let second = srv
        .gql(
            Some(&officer),
            "mutation($i: OpenResettlementCaseInput!) { openResettlementCase(input: $i) { resettlementCase { id version status } } }",
            json!({ "i": { "clientMutationId": cmid(), "principalId": mother, "categories": ["LAS"], "summary": "Sin alternativas" } }),
        )
        .await["data"]["openResettlementCase"]["resettlementCase"]
        .clone();
    let exited = ok_step(&srv, &officer, &second, json!({ "action": "EXIT", "exitReason": "OTHER_DURABLE_SOLUTION", "note": "Integración local" })).await;
    assert_eq!(exited["status"], "EXITED");
    assert_eq!(exited["exitReason"], "OTHER_DURABLE_SOLUTION");
    // Reads are audited; DPIN does not run resettlement.
    assert!(
        count_rows(
            &t.db,
            "audit_events WHERE record_type = 'resettlement_case' AND action = 'read'"
        ) >= 1
    );
    let dpin = srv.login("supervisor").await;
    let other = srv.gql(Some(&dpin), &read, json!({ "id": id })).await;
    assert_eq!(reason(&other), Some("MODULE_NOT_ENABLED"), "{other}");
    assert_feed_covers(&t.db);
}

/// The unit's today, as the case shows it: the day its current step started is due later, so
/// ask the server through a step's refusal of a date far in the future.
async fn unit_today(srv: &TestServer, token: &str, id: &Value) -> String {
    let r = srv
        .gql(
            Some(token),
            "query($id: ID!) { resettlementCase(id: $id) { history { at } } }",
            json!({ "id": id }),
        )
        .await;
    let _ = r;
    // The unit's calendar is Ecuador's mainland (UTC-5).
    (chrono::Utc::now() - chrono::TimeDelta::hours(5))
        .date_naive()
        .to_string()
}

async fn record_agreement(
    srv: &TestServer,
    admin: &str,
    purposes: Value,
    from: &str,
    until: &str,
) -> Value {
    srv.gql(
        Some(admin),
        "mutation($i: RecordDataSharingAgreementInput!) { recordDataSharingAgreement(input: $i) { agreement { id withUnit inForce purposes { purpose fields } } } }",
        json!({ "i": { "clientMutationId": cmid(), "partnerUnitCode": "UNHCR", "title": "DPIN-UNHCR 2026", "purposes": purposes, "validFrom": from, "validUntil": until } }),
    )
    .await
}

async fn refer(srv: &TestServer, token: &str, input: Value) -> Value {
    srv.gql(
        Some(token),
        &format!("mutation($i: ReferPersonInput!) {{ referPerson(input: $i) {{ referral {{ {REFERRAL} }} }} }}"),
        json!({ "i": input }),
    )
    .await
}

async fn referrals(srv: &TestServer, token: &str, direction: &str) -> Vec<Value> {
    let r = srv
        .gql(
            Some(token),
            &format!("query($d: ReferralDirection!) {{ referrals(direction: $d) {{ nodes {{ {REFERRAL} }} }} }}"),
            json!({ "d": direction }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"]["referrals"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn referrals_carry_exactly_what_the_agreement_and_consent_allow(t: TestDb) {
    let w = world(&t.db);
    staff(&t.db, &w.unhcr, &[("unhcr.admin", "unit_admin")]);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let today = (chrono::Utc::now() - chrono::TimeDelta::hours(5)).date_naive();
    let d = |days: i64| (today + chrono::TimeDelta::days(days)).to_string();
    let a = record_agreement(
        &srv,
        &admin,
        json!([{ "purpose": "assistance", "fields": ["sex", "given_names", "family_name"] }]),
        &d(-10),
        &d(10),
    )
    .await;
    assert!(a["errors"].is_null(), "{a}");
    let agreement = a["data"]["recordDataSharingAgreement"]["agreement"].clone();
    assert_eq!(agreement["withUnit"], "UNHCR");
    assert_eq!(
        agreement["purposes"][0]["fields"],
        json!(["given_names", "family_name", "sex"])
    );
    let expired = record_agreement(
        &srv,
        &admin,
        json!([{ "purpose": "asylum", "fields": ["sex"] }]),
        &d(-30),
        &d(-1),
    )
    .await;
    let expired = expired["data"]["recordDataSharingAgreement"]["agreement"]["id"].clone();
    // Only admins record agreements; the other unit's admin sees them too.
    let officer = srv.login("officer").await;
    let not_admin = record_agreement(
        &srv,
        &officer,
        json!([{ "purpose": "asylum", "fields": ["sex"] }]),
        &d(0),
        &d(1),
    )
    .await;
    assert_eq!(error_code(&not_admin), Some("FORBIDDEN"), "{not_admin}");
    let unhcr_admin = srv.login("unhcr.admin").await;
    let seen = srv
        .gql(
            Some(&unhcr_admin),
            "{ dataSharingAgreements { id withUnit recordedByUnit inForce } }",
            json!({}),
        )
        .await;
    assert_eq!(
        seen["data"]["dataSharingAgreements"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{seen}"
    );
    assert_eq!(seen["data"]["dataSharingAgreements"][0]["withUnit"], "DPIN");

    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("ref-1", "Pérez")).await;
    let person = reg["members"][0]["id"].clone();
    let son = reg["members"][1]["id"].clone();
    let base = |extra: Value| {
        let mut i = json!({ "clientMutationId": cmid(), "individualId": person, "agreementId": agreement["id"], "purpose": "assistance" });
        if let (Some(o), Some(e)) = (i.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        i
    };
    let consent = json!({ "consent": { "givenBy": "la persona", "givenOn": d(0) } });
    // Refused: no consent, a purpose not agreed, a field not carried, an agreement not in force.
    let r = refer(&srv, &officer, base(json!({}))).await;
    assert_eq!(reason(&r), Some("CONSENT_MISSING"), "{r}");
    let mut bad = base(consent.clone());
    bad["purpose"] = json!("resettlement");
    let r = refer(&srv, &officer, bad).await;
    assert_eq!(reason(&r), Some("PURPOSE_NOT_AGREED"), "{r}");
    let mut bad = base(consent.clone());
    bad["fields"] = json!(["given_names", "date_of_birth"]);
    let r = refer(&srv, &officer, bad).await;
    assert_eq!(reason(&r), Some("FIELD_NOT_CARRIED"), "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["field"],
        "date_of_birth"
    );
    let mut bad = base(consent.clone());
    bad["agreementId"] = expired;
    bad["purpose"] = json!("asylum");
    let r = refer(&srv, &officer, bad).await;
    assert_eq!(reason(&r), Some("AGREEMENT_NOT_IN_FORCE"), "{r}");
    assert_eq!(count_rows(&t.db, "referrals"), 0);
    assert_eq!(
        count_rows(&t.db, "consents"),
        0,
        "a refused referral records no consent"
    );

    // Accepted: exactly the agreed fields travel, audited on both sides.
    let mut ok = base(consent.clone());
    ok["note"] = json!("Familia sin ingresos");
    let sent = refer(&srv, &officer, ok).await;
    assert!(sent["errors"].is_null(), "{sent}");
    let sent = sent["data"]["referPerson"]["referral"].clone();
    assert_eq!(sent["direction"], "SENT");
    assert_eq!(sent["sharedFields"], json!([]), "the sender sees no copy");
    let unhcr = srv.login("unhcr.officer").await;
    let received = referrals(&srv, &unhcr, "RECEIVED").await;
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got["otherUnit"], "DPIN");
    assert_eq!(got["status"], "PENDING");
    assert_eq!(got["note"], "Familia sin ingresos");
    assert_eq!(
        got["sharedFields"],
        json!([
            { "field": "given_names", "value": "María José" },
            { "field": "family_name", "value": "Pérez" },
            { "field": "sex", "value": "F" }
        ])
    );
    assert!(
        got["individualId"].is_null(),
        "the sender's person is not named: {got}"
    );
    assert_eq!(
        count_rows(&t.db, "audit_events WHERE action = 'share_field'"),
        3
    );
    assert_eq!(
        count_rows(
            &t.db,
            &format!(
                "audit_events WHERE action = 'field_received' AND operation_unit_id = '{}'",
                w.unhcr
            )
        ),
        3
    );

    // A consent recorded once, then withdrawn: the pending referral stops showing its fields
    // and a new referral under it is refused.
    let c = srv
        .gql(
            Some(&officer),
            "mutation($i: RecordReferralConsentInput!) { recordReferralConsent(input: $i) { consent { id version purposes } } }",
            json!({ "i": { "clientMutationId": cmid(), "individualId": son, "givenBy": "su madre", "givenOn": d(0), "purposes": ["assistance"] } }),
        )
        .await;
    let consent_row = c["data"]["recordReferralConsent"]["consent"].clone();
    assert_eq!(consent_row["purposes"], json!(["assistance"]), "{c}");
    let mut under = base(json!({ "consentId": consent_row["id"] }));
    under["individualId"] = son.clone();
    let second = refer(&srv, &officer, under.clone()).await;
    assert!(second["errors"].is_null(), "{second}");
    let w_ = srv
        .gql(
            Some(&officer),
            "mutation($i: WithdrawReferralConsentInput!) { withdrawReferralConsent(input: $i) { consent { withdrawnOn } } }",
            json!({ "i": { "clientMutationId": cmid(), "consentId": consent_row["id"], "version": consent_row["version"] } }),
        )
        .await;
    assert!(
        w_["data"]["withdrawReferralConsent"]["consent"]["withdrawnOn"].is_string(),
        "{w_}"
    );
    let received = referrals(&srv, &unhcr, "RECEIVED").await;
    let luis = received
        .iter()
        .find(|r| r["id"] == second["data"]["referPerson"]["referral"]["id"])
        .cloned()
        .unwrap_or_default();
    assert_eq!(luis["consentWithdrawn"], true);
    assert_eq!(
        luis["sharedFields"],
        json!([]),
        "nothing more is shared: {luis}"
    );
    under["clientMutationId"] = json!(cmid());
    let after = refer(&srv, &officer, under).await;
    assert_eq!(reason(&after), Some("CONSENT_WITHDRAWN"), "{after}");

    // UNHCR accepts the first (registering the person from what was shared) and declines the
    // second; DPIN sees the outcome and nothing else.
    let accept = srv
        .gql(
            Some(&unhcr),
            &format!("mutation($i: AcceptReferralInput!) {{ acceptReferral(input: $i) {{ referral {{ {REFERRAL} }} }} }}"),
            json!({ "i": { "clientMutationId": cmid(), "referralId": got["id"], "version": got["version"] } }),
        )
        .await;
    let accepted = accept["data"]["acceptReferral"]["referral"].clone();
    assert_eq!(accepted["status"], "ACCEPTED", "{accept}");
    assert_eq!(accepted["individual"]["givenNames"], "María José");
    assert_eq!(accepted["individual"]["familyName"], "Pérez");
    let decline = srv
        .gql(
            Some(&unhcr),
            "mutation($i: DeclineReferralInput!) { declineReferral(input: $i) { referral { status declineReason } } }",
            json!({ "i": { "clientMutationId": cmid(), "referralId": luis["id"], "version": luis["version"], "reason": "Fuera de nuestra zona" } }),
        )
        .await;
    assert_eq!(
        decline["data"]["declineReferral"]["referral"]["declineReason"], "Fuera de nuestra zona",
        "{decline}"
    );
    // DPIN cannot answer what it sent.
    let own = srv
        .gql(
            Some(&officer),
            "mutation($i: DeclineReferralInput!) { declineReferral(input: $i) { referral { status } } }",
            json!({ "i": { "clientMutationId": cmid(), "referralId": got["id"], "version": 2, "reason": "x" } }),
        )
        .await;
    assert!(error_code(&own).is_some(), "{own}");
    let sent = referrals(&srv, &officer, "SENT").await;
    assert_eq!(sent.len(), 2);
    let statuses: Vec<&str> = sent.iter().filter_map(|r| r["status"].as_str()).collect();
    assert!(
        statuses.contains(&"ACCEPTED") && statuses.contains(&"DECLINED"),
        "{sent:?}"
    );
    for r in &sent {
        assert_eq!(r["sharedFields"], json!([]));
        assert!(r["declineReason"].is_null() && r["note"].is_null(), "{r}");
        assert_eq!(r["otherUnit"], "UNHCR");
        // Their own person, never UNHCR's.
        assert_eq!(r["individual"]["familyName"], "Pérez", "{r}");
    }
    assert_eq!(
        count_rows(
            &t.db,
            &format!(
                "audit_events WHERE action = 'referral_outcome' AND operation_unit_id = '{}'",
                w.dpin
            )
        ),
        2
    );
    assert_feed_covers(&t.db);
}

async fn units_outside_a_referral_reach_nothing_of_it(t: TestDb) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let today = (chrono::Utc::now() - chrono::TimeDelta::hours(5)).date_naive();
    let d = |days: i64| (today + chrono::TimeDelta::days(days)).to_string();
    let a = record_agreement(
        &srv,
        &admin,
        json!([{ "purpose": "assistance", "fields": ["given_names"] }]),
        &d(-1),
        &d(1),
    )
    .await;
    let agreement = a["data"]["recordDataSharingAgreement"]["agreement"]["id"].clone();
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("iso-ref", "Rojas")).await;
    let person = reg["members"][0]["id"].clone();
    let officer = srv.login("officer").await;
    let sent = refer(&srv, &officer, json!({ "clientMutationId": cmid(), "individualId": person, "agreementId": agreement, "purpose": "assistance", "consent": { "givenBy": "la persona", "givenOn": d(0) } })).await;
    let referral = sent["data"]["referPerson"]["referral"].clone();
    let consents = srv
        .gql(
            Some(&officer),
            "query($id: ID!) { referralConsents(individualId: $id) { id version } }",
            json!({ "id": person }),
        )
        .await;
    let consent = consents["data"]["referralConsents"][0].clone();
    assert!(consent["id"].is_string(), "{consents}");

    // A third unit, party to nothing.
    let ngo = t
        .db
        .write_blocking(|c| users::create_unit(c, "NGO", "Partner NGO", "ngo", &["assistance"]))
        .expect("unit");
    t.db.write_blocking(|c| users::create_office(c, &ngo.id, "UIO", "Quito"))
        .expect("office");
    staff(
        &t.db,
        &ngo.id,
        &[
            ("ngo.worker", "registration_clerk,supervisor"),
            ("ngo.admin", "unit_admin"),
        ],
    );
    let _ = w;
    let worker = srv.login("ngo.worker").await;
    let ngo_admin = srv.login("ngo.admin").await;
    let empty = srv
        .gql(
            Some(&ngo_admin),
            "{ dataSharingAgreements { id } }",
            json!({}),
        )
        .await;
    assert_eq!(empty["data"]["dataSharingAgreements"], json!([]), "{empty}");
    for dir in ["RECEIVED", "SENT"] {
        assert!(referrals(&srv, &worker, dir).await.is_empty());
    }
    let denied_before = count_rows(&t.db, "audit_events WHERE outcome = 'denied'");
    let calls = [
        (format!("query($id: ID!) {{ referral(id: $id) {{ {REFERRAL} }} }}"), json!({ "id": referral["id"] })),
        ("query($id: ID!) { referralConsents(individualId: $id) { id } }".to_string(), json!({ "id": person })),
        (
            "mutation($i: AcceptReferralInput!) { acceptReferral(input: $i) { clientMutationId } }".to_string(),
            json!({ "i": { "clientMutationId": cmid(), "referralId": referral["id"], "version": 1 } }),
        ),
        (
            "mutation($i: DeclineReferralInput!) { declineReferral(input: $i) { clientMutationId } }".to_string(),
            json!({ "i": { "clientMutationId": cmid(), "referralId": referral["id"], "version": 1, "reason": "x" } }),
        ),
        (
            "mutation($i: WithdrawReferralConsentInput!) { withdrawReferralConsent(input: $i) { clientMutationId } }".to_string(),
            json!({ "i": { "clientMutationId": cmid(), "consentId": consent["id"], "version": 1 } }),
        ),
        (
            "mutation($i: RecordReferralConsentInput!) { recordReferralConsent(input: $i) { clientMutationId } }".to_string(),
            json!({ "i": { "clientMutationId": cmid(), "individualId": person, "givenBy": "x", "givenOn": d(0), "purposes": ["assistance"] } }),
        ),
        (
            "mutation($i: ReferPersonInput!) { referPerson(input: $i) { clientMutationId } }".to_string(),
            json!({ "i": { "clientMutationId": cmid(), "individualId": person, "agreementId": agreement, "purpose": "assistance", "consent": { "givenBy": "x", "givenOn": d(0) } } }),
        ),
    ];
    for (q, v) in &calls {
        let r = srv.gql(Some(&worker), q, v.clone()).await;
        assert!(
            matches!(
                error_code(&r),
                Some("NOT_FOUND" | "VALIDATION" | "FORBIDDEN")
            ),
            "{q}: {r}"
        );
    }
    assert!(count_rows(&t.db, "audit_events WHERE outcome = 'denied'") > denied_before);
    // Nothing changed.
    let still = referrals(&srv, &srv.login("unhcr.officer").await, "RECEIVED").await;
    assert_eq!(still[0]["status"], "PENDING");
    assert_eq!(still[0]["sharedFields"][0]["value"], "María José");
    assert_eq!(count_rows(&t.db, "consents WHERE withdrawn_on IS NULL"), 1);
}

both_backends!(
    a_family_handed_over_goes_through_resettlement,
    referrals_carry_exactly_what_the_agreement_and_consent_allow,
    units_outside_a_referral_reach_nothing_of_it,
);
