//! Protection case management end to end over HTTP: intake, a child's BIA and BID, referrals
//! with consent, follow-ups falling due into the queue, closure and reopening; idempotency,
//! versions, field groups, audit, the change feed, and isolation between units.

use amparo_api::auth::{AuthConfig, password};
use amparo_api::store::users;
use amparo_tests::{PASSWORD, TestDb, TestServer, both_backends, error_code, start, world};
use serde_json::{Value, json};

use super::support::{count_rows, exec, family, register};

const CASE: &str = "id caseNumber status category subCode restricted riskLevel intakeSummary version nextFollowUp allowedActions assignedOfficerId members { individualId principal child individual { givenNames } } plan { id description completedOn } referrals { id service outcome } followUps { id due doneOn purpose } bestInterestsAssessments { childId bidNeeded summary } bestInterestsDeterminations { childId panel decision } closure { reason } history { kind actor }";

/// Adds users to the UNHCR unit (a panel and a supervisor without the medical field group) and
/// returns their ids by username.
fn unhcr_staff(db: &amparo_api::store::Database, unit: &str) -> Vec<(String, String)> {
    let hash = password::hash(PASSWORD).expect("hash");
    db.write_blocking(|c| {
        let office = users::offices_of(c, unit)?
            .into_iter()
            .next()
            .expect("UNHCR office");
        let mut out = Vec::new();
        for (name, roles) in [
            ("unhcr.panel1", "protection_officer"),
            ("unhcr.panel2", "protection_officer"),
            ("unhcr.panel3", "supervisor"),
        ] {
            let u = users::create_user(
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
            out.push((name.to_string(), u.id));
        }
        Ok::<_, amparo_api::error::Error>(out)
    })
    .expect("staff")
}

async fn mutate(
    srv: &TestServer,
    token: &str,
    name: &str,
    input_type: &str,
    input: Value,
) -> Value {
    srv.gql(
        Some(token),
        &format!("mutation($i: {input_type}!) {{ {name}(input: $i) {{ clientMutationId protectionCase {{ {CASE} }} }} }}"),
        json!({ "i": input }),
    )
    .await
}

/// Runs an action on `case` with a fresh clientMutationId and the version read; fails the test
/// on an error and returns the case as it is now.
async fn act(
    srv: &TestServer,
    token: &str,
    case: &Value,
    name: &str,
    input_type: &str,
    fields: Value,
) -> Value {
    let mut input = json!({
        "clientMutationId": uuid::Uuid::now_v7().to_string(),
        "caseId": case["id"],
        "version": case["version"],
    });
    if let (Some(i), Some(f)) = (input.as_object_mut(), fields.as_object()) {
        i.extend(f.clone());
    }
    let r = mutate(srv, token, name, input_type, input).await;
    assert!(r["errors"].is_null(), "{name}: {r}");
    r["data"][name]["protectionCase"].clone()
}

fn actions(case: &Value) -> Vec<String> {
    case["allowedActions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

async fn a_child_protection_case_from_intake_to_closure(t: TestDb) {
    let w = world(&t.db);
    let staff = unhcr_staff(&t.db, &w.unhcr);
    let id_of = |n: &str| json!(staff.iter().find(|s| s.0 == n).map(|s| s.1.clone()));
    let srv = start(&t.db, AuthConfig::default()).await;
    let officer = srv.login("unhcr.officer").await;
    let g = register(&srv, &officer, family("pc-1", "Quispe")).await;
    let (mother, son) = (g["members"][0]["id"].clone(), g["members"][1]["id"].clone());

    // Intake, idempotent by clientMutationId.
    let open = json!({
        "clientMutationId": "open-1",
        "principalId": son,
        "memberIds": [mother],
        "category": "cr",
        "subCode": "CR-LW",
        "riskLevel": "HIGH",
        "intakeSummary": "Trabaja en el mercado en lugar de ir a la escuela.",
    });
    let r = mutate(
        &srv,
        &officer,
        "openProtectionCase",
        "OpenProtectionCaseInput",
        open.clone(),
    )
    .await;
    assert!(r["errors"].is_null(), "{r}");
    let case = r["data"]["openProtectionCase"]["protectionCase"].clone();
    let again = mutate(
        &srv,
        &officer,
        "openProtectionCase",
        "OpenProtectionCaseInput",
        open,
    )
    .await;
    assert_eq!(
        again["data"]["openProtectionCase"]["protectionCase"]["id"],
        case["id"]
    );
    assert_eq!(
        count_rows(&t.db, "protection_cases"),
        1,
        "a replay opens nothing"
    );
    assert_eq!(case["status"], "open");
    assert_eq!(case["category"], "CR");
    assert_eq!(case["riskLevel"], "HIGH");
    assert!(
        case["caseNumber"]
            .as_str()
            .is_some_and(|n| n.starts_with("UNHCR-P-")),
        "{case}"
    );
    assert_eq!(case["members"][0]["principal"], true);
    assert_eq!(case["members"][0]["child"], true);
    assert_eq!(case["members"][0]["individual"]["givenNames"], "Luis");
    assert_eq!(case["members"][1]["child"], false);
    assert!(actions(&case).contains(&"RECORD_BIA".to_string()), "{case}");
    assert!(
        !actions(&case).contains(&"RECORD_BID".to_string()),
        "{case}"
    );

    // A BIA only of a child; then with a determination asked for.
    let bia = |child: &Value| json!({ "childId": child, "summary": "Necesita escuela y un cuidador seguro.", "bidNeeded": true });
    let r = mutate(
        &srv,
        &officer,
        "recordBestInterestsAssessment",
        "RecordBestInterestsAssessmentInput",
        json!({ "clientMutationId": "bia-0", "caseId": case["id"], "version": case["version"], "childId": mother, "summary": "x", "bidNeeded": true }),
    )
    .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "input.childId");
    let case = act(
        &srv,
        &officer,
        &case,
        "recordBestInterestsAssessment",
        "RecordBestInterestsAssessmentInput",
        bia(&son),
    )
    .await;
    assert_eq!(case["version"], 2);
    assert_eq!(case["bestInterestsAssessments"][0]["bidNeeded"], true);
    // A stale version is a conflict and changes nothing.
    let r = mutate(
        &srv,
        &officer,
        "recordReferralOutcome",
        "RecordReferralOutcomeInput",
        json!({ "clientMutationId": "stale", "caseId": case["id"], "version": 1, "referralId": "r", "outcome": "ACCEPTED" }),
    )
    .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");

    // A referral needs consent.
    let r = mutate(
        &srv,
        &officer,
        "referProtectionCase",
        "ReferProtectionCaseInput",
        json!({ "clientMutationId": "ref-0", "caseId": case["id"], "version": case["version"], "service": "psychosocial", "provider": "HIAS Quito", "consent": false }),
    )
    .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["field"], "input.consent");
    let case = act(&srv, &officer, &case, "referProtectionCase", "ReferProtectionCaseInput", json!({ "referralId": "ref-1", "service": "psychosocial", "provider": "HIAS Quito", "consent": true })).await;

    // A follow-up due today falls into the queue.
    let today = chrono::Utc::now()
        .checked_sub_signed(chrono::TimeDelta::hours(5))
        .map(|t| t.date_naive().to_string())
        .expect("today");
    let case = act(
        &srv,
        &officer,
        &case,
        "scheduleFollowUp",
        "ScheduleFollowUpInput",
        json!({ "followUpId": "visit-1", "due": today, "purpose": "Visita al hogar" }),
    )
    .await;
    assert_eq!(case["nextFollowUp"], json!(today));
    let due = srv
        .gql(
            Some(&officer),
            "{ protectionCases(list: FOLLOW_UPS_DUE) { nodes { id nextFollowUp } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        due["data"]["protectionCases"]["nodes"][0]["id"], case["id"],
        "{due}"
    );

    // Closing as needs met waits for the referral's outcome and the BID.
    let r = mutate(
        &srv,
        &officer,
        "closeProtectionCase",
        "CloseProtectionCaseInput",
        json!({ "clientMutationId": "close-0", "caseId": case["id"], "version": case["version"], "reason": "NEEDS_MET" }),
    )
    .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let case = act(
        &srv,
        &officer,
        &case,
        "recordReferralOutcome",
        "RecordReferralOutcomeInput",
        json!({ "referralId": "ref-1", "outcome": "COMPLETED" }),
    )
    .await;
    let case = act(
        &srv,
        &officer,
        &case,
        "recordFollowUp",
        "RecordFollowUpInput",
        json!({ "followUpId": "visit-1", "note": "Asiste a la escuela." }),
    )
    .await;
    assert_eq!(case["nextFollowUp"], Value::Null);

    // The BID: three panel members, not the assessor.
    let bid = |panel: Vec<Value>| json!({ "childId": son, "decision": "Permanece con su madre, con apoyo escolar.", "panel": panel });
    let officer_id =
        srv.gql(Some(&officer), "{ me { id } }", json!({})).await["data"]["me"]["id"].clone();
    let r = mutate(
        &srv,
        &officer,
        "recordBestInterestsDetermination",
        "RecordBestInterestsDeterminationInput",
        {
            let mut i = bid(vec![
                officer_id.clone(),
                id_of("unhcr.panel1"),
                id_of("unhcr.panel2"),
            ]);
            i["clientMutationId"] = json!("bid-0");
            i["caseId"] = case["id"].clone();
            i["version"] = case["version"].clone();
            i
        },
    )
    .await;
    assert_eq!(
        error_code(&r),
        Some("VALIDATION"),
        "the assessor sits on the panel: {r}"
    );
    let case = act(
        &srv,
        &officer,
        &case,
        "recordBestInterestsDetermination",
        "RecordBestInterestsDeterminationInput",
        bid(vec![
            id_of("unhcr.panel1"),
            id_of("unhcr.panel2"),
            id_of("unhcr.panel3"),
        ]),
    )
    .await;
    assert_eq!(
        case["bestInterestsDeterminations"][0]["panel"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    // Now it closes, and a supervisor may reopen it.
    let case = act(
        &srv,
        &officer,
        &case,
        "closeProtectionCase",
        "CloseProtectionCaseInput",
        json!({ "reason": "NEEDS_MET" }),
    )
    .await;
    assert_eq!(case["status"], "closed");
    assert_eq!(case["closure"]["reason"], "NEEDS_MET");
    assert_eq!(actions(&case), vec!["REOPEN".to_string()]);
    let panel1 = srv.login("unhcr.panel1").await;
    let r = mutate(
        &srv,
        &panel1,
        "reopenProtectionCase",
        "ReopenProtectionCaseInput",
        json!({ "clientMutationId": "reopen-0", "caseId": case["id"], "version": case["version"], "reason": "Nueva amenaza" }),
    )
    .await;
    assert_eq!(
        error_code(&r),
        Some("FORBIDDEN"),
        "protection officers do not reopen: {r}"
    );
    let case = act(
        &srv,
        &officer,
        &case,
        "reopenProtectionCase",
        "ReopenProtectionCaseInput",
        json!({ "reason": "Nueva amenaza" }),
    )
    .await;
    assert_eq!(case["status"], "open");
    let kinds: Vec<&str> = case["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kinds.first(), Some(&"opened"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"reopen"), "{kinds:?}");

    // Every read was audited; every write is in the unit's feed at its version.
    assert!(
        count_rows(
            &t.db,
            &format!(
                "{} WHERE action = 'read' AND record_type = 'protection_case' AND named = '{}'",
                super::support::NAMED_RECORDS,
                case["id"].as_str().unwrap_or_default()
            )
        ) > 5
    );
    crate::feed::assert_feed_covers(&t.db);
}

async fn sensitive_cases_show_their_details_only_to_roles_that_hold_them(t: TestDb) {
    let w = world(&t.db);
    unhcr_staff(&t.db, &w.unhcr);
    let srv = start(&t.db, AuthConfig::default()).await;
    let officer = srv.login("unhcr.officer").await;
    let g = register(&srv, &officer, family("pc-2", "Mendoza")).await;
    let r = mutate(
        &srv,
        &officer,
        "openProtectionCase",
        "OpenProtectionCaseInput",
        json!({ "clientMutationId": "open-sm", "principalId": g["members"][0]["id"], "category": "SM", "subCode": "SM-CI", "riskLevel": "MEDIUM", "intakeSummary": "Diálisis tres veces por semana." }),
    )
    .await;
    let case = r["data"]["openProtectionCase"]["protectionCase"].clone();
    assert_eq!(
        case["restricted"], false,
        "protection officers hold medical: {r}"
    );
    assert_eq!(case["intakeSummary"], "Diálisis tres veces por semana.");
    // A supervisor's roles do not include the medical field group.
    let supervisor = srv.login("unhcr.panel3").await;
    let seen = srv
        .gql(
            Some(&supervisor),
            &format!("query($id: ID!) {{ protectionCase(id: $id) {{ {CASE} }} }}"),
            json!({ "id": case["id"] }),
        )
        .await;
    let seen = &seen["data"]["protectionCase"];
    assert_eq!(seen["restricted"], true, "{seen}");
    assert_eq!(seen["category"], Value::Null);
    assert_eq!(seen["subCode"], Value::Null);
    assert_eq!(seen["intakeSummary"], Value::Null);
    assert_eq!(seen["status"], "open", "the case itself is visible: {seen}");
    assert!(!seen.to_string().contains("Diálisis"), "{seen}");
}

async fn another_unit_reaches_no_protection_case(t: TestDb) {
    let w = world(&t.db);
    unhcr_staff(&t.db, &w.unhcr);
    let srv = start(&t.db, AuthConfig::default()).await;
    let officer = srv.login("unhcr.officer").await;
    let g = register(&srv, &officer, family("pc-3", "Torres")).await;
    let r = mutate(
        &srv,
        &officer,
        "openProtectionCase",
        "OpenProtectionCaseInput",
        json!({ "clientMutationId": "open-x", "principalId": g["members"][1]["id"], "category": "SC", "riskLevel": "LOW", "intakeSummary": "Llegó sin sus padres." }),
    )
    .await;
    let case = r["data"]["openProtectionCase"]["protectionCase"].clone();
    assert!(case["id"].is_string(), "{r}");
    // DPIN does not run protection: refused for the module.
    let dpin = srv.login("supervisor").await;
    let q = "query($id: ID!) { protectionCase(id: $id) { id } }";
    let r = srv.gql(Some(&dpin), q, json!({ "id": case["id"] })).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    // Even a unit that ran protection would reach nothing of UNHCR's: not the case, not the
    // list, not an action, not a member it cannot see.
    exec(
        &t.db,
        "UPDATE operation_units SET modules = 'registration,rsd,protection' WHERE code = 'DPIN'",
    );
    let r = srv.gql(Some(&dpin), q, json!({ "id": case["id"] })).await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    for list in ["OPEN", "FOLLOW_UPS_DUE", "CLOSED"] {
        let r = srv
            .gql(
                Some(&dpin),
                &format!("{{ protectionCases(list: {list}) {{ nodes {{ id }} }} }}"),
                json!({}),
            )
            .await;
        assert_eq!(
            r["data"]["protectionCases"]["nodes"],
            json!([]),
            "{list}: {r}"
        );
    }
    let before = count_rows(&t.db, "events WHERE record_type = 'protection_case'");
    let r = mutate(
        &srv,
        &dpin,
        "updateProtectionRisk",
        "UpdateProtectionRiskInput",
        json!({ "clientMutationId": "x1", "caseId": case["id"], "version": case["version"], "riskLevel": "CRITICAL", "reason": "x" }),
    )
    .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = mutate(
        &srv,
        &dpin,
        "openProtectionCase",
        "OpenProtectionCaseInput",
        json!({ "clientMutationId": "x2", "principalId": g["members"][0]["id"], "category": "WR", "riskLevel": "LOW", "intakeSummary": "x" }),
    )
    .await;
    assert_eq!(
        error_code(&r),
        Some("VALIDATION"),
        "UNHCR's person is no one to DPIN: {r}"
    );
    assert_eq!(
        count_rows(&t.db, "events WHERE record_type = 'protection_case'"),
        before
    );
    assert_eq!(count_rows(&t.db, "protection_cases"), 1);
    // The refusals are audited, and UNHCR's own trail of the case says another unit tried.
    assert!(
        count_rows(
            &t.db,
            &format!(
                "audit_events WHERE action = 'refused_outside_access' AND record_id = '{}'",
                case["id"].as_str().unwrap_or_default()
            )
        ) >= 1
    );
}

both_backends!(
    a_child_protection_case_from_intake_to_closure,
    sensitive_cases_show_their_details_only_to_roles_that_hold_them,
    another_unit_reaches_no_protection_case,
);
