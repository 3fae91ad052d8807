//! The RSD procedure over the API: a case from registration for RSD to the appeal decision,
//! every mutation and its refusals, the queues, and a supervisor's subscription seeing an
//! officer's action.

use std::time::Duration;

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, both_backends, error_code, start, world};
use chrono::{Datelike, Duration as Days, Utc, Weekday};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};

use crate::support::{count_rows, family, register};

const CASE_FIELDS: &str = "case { id caseNumber status stage version assignedOfficerId allowedActions \
    deadlines { decisionDue overdue appealDeadline nextInterview due } \
    workflow { pendingAppointments { id at officerId interpreterLanguage } \
      stages { stage interviews { interviewerId principalAttended } decisions { individualId outcome ground reasons } notifiedAt } \
      closureReason appealLate } } \
    event { eventId kind fromStatus toStatus stage version }";

/// A mutation of the workflow with its input type, returning the case and the event.
fn mutation(name: &str, input_type: &str) -> String {
    format!(
        "mutation($input: {input_type}!) {{ {name}(input: $input) {{ clientMutationId {CASE_FIELDS} }} }}"
    )
}

/// A case under test: its id and the version last read.
pub(crate) struct Case {
    pub(crate) id: String,
    pub(crate) version: i64,
}

impl Case {
    /// Sends a workflow mutation with this case's id and version and fresh clientMutationId;
    /// keeps the new version on success. Returns the whole response.
    async fn act(
        &mut self,
        srv: &TestServer,
        token: &str,
        name: &str,
        input_type: &str,
        extra: Value,
    ) -> Value {
        let mut input = json!({
            "clientMutationId": uuid::Uuid::now_v7().to_string(),
            "caseId": self.id,
            "version": self.version,
        });
        if let (Some(obj), Some(more)) = (input.as_object_mut(), extra.as_object()) {
            for (k, v) in more {
                obj.insert(k.clone(), v.clone());
            }
        }
        let r = srv
            .gql(
                Some(token),
                &mutation(name, input_type),
                json!({ "input": input }),
            )
            .await;
        if let Some(v) = r["data"][name]["case"]["version"].as_i64() {
            self.version = v;
        }
        r
    }

    /// Assigned to `officer_id` by the supervisor, then found admissible by that officer: the
    /// case is ready for its interview to be scheduled.
    pub(crate) async fn ready_to_schedule(
        &mut self,
        srv: &TestServer,
        supervisor: &str,
        officer: &str,
        officer_id: &str,
    ) {
        self.ok(
            srv,
            supervisor,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        )
        .await;
        self.ok(
            srv,
            officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        )
        .await;
    }

    /// Like [`Case::act`], failing the test unless the action was accepted.
    pub(crate) async fn ok(
        &mut self,
        srv: &TestServer,
        token: &str,
        name: &str,
        input_type: &str,
        extra: Value,
    ) -> Value {
        let r = self.act(srv, token, name, input_type, extra).await;
        assert!(r["errors"].is_null(), "{name} failed: {r}");
        r["data"][name].clone()
    }
}

/// The next working day at 10:00 in Ecuador (15:00 UTC), `ahead` working days from tomorrow.
pub(crate) fn working_slot(ahead: i64, hour_utc: u32) -> String {
    let mut day = Utc::now().date_naive() + Days::days(1);
    let mut left = ahead;
    loop {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            if left == 0 {
                break;
            }
            left -= 1;
        }
        day += Days::days(1);
    }
    format!("{}T{hour_utc:02}:00:00Z", day.format("%Y-%m-%d"))
}

fn next_saturday() -> String {
    let mut day = Utc::now().date_naive() + Days::days(1);
    while day.weekday() != Weekday::Sat {
        day += Days::days(1);
    }
    format!("{}T15:00:00Z", day.format("%Y-%m-%d"))
}

pub(crate) async fn user_id(srv: &TestServer, token: &str) -> String {
    let r = srv.gql(Some(token), "{ me { id } }", json!({})).await;
    r["data"]["me"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_string()
}

/// Registers a family and opens an RSD case for all of it; returns the case and the member ids.
pub(crate) async fn open_case(
    srv: &TestServer,
    registrar: &str,
    cmid: &str,
    name: &str,
) -> (Case, Vec<String>) {
    let g = register(srv, registrar, family(cmid, name)).await;
    let members: Vec<String> = g["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let r = srv
        .gql(
            Some(registrar),
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id version status stage priority allowedActions } } }",
            json!({ "input": {
                "clientMutationId": format!("open-{cmid}"),
                "groupId": g["group"]["id"],
                "principalId": members[0],
                "memberIds": members[1..],
                "claimSummary": "Amenazas de un grupo armado.",
            }}),
        )
        .await;
    assert!(r["errors"].is_null(), "openCase failed: {r}");
    let case = &r["data"]["openCase"]["case"];
    assert_eq!(case["status"], "registered", "{r}");
    assert_eq!(case["priority"], true, "a member has a specific need: {r}");
    (
        Case {
            id: case["id"].as_str().expect("case id").to_string(),
            version: case["version"].as_i64().expect("version"),
        },
        members,
    )
}

fn actions(payload: &Value) -> Vec<String> {
    payload["case"]["allowedActions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn refused(r: &Value, code: &str, words: &str) {
    assert_eq!(error_code(r), Some(code), "{r}");
    let message = r["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.to_lowercase().contains(&words.to_lowercase()),
        "the refusal says why ({words:?}): {r}"
    );
}

async fn rsd_case_from_registration_to_appeal_decision(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let officer2 = srv.login("officer2").await;
    let supervisor = srv.login("supervisor").await;
    let supervisor2 = srv.login("supervisor2").await;
    let protection = srv.login("protection").await;
    let officer_id = user_id(&srv, &officer).await;
    let officer2_id = user_id(&srv, &officer2).await;

    let (mut case, members) = open_case(&srv, &registrar, "rsd-1", "Rondón").await;
    // Opening twice for the same principal is refused.
    let again = srv
        .gql(
            Some(&registrar),
            "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id } } }",
            json!({ "input": { "clientMutationId": "open-again", "groupId": Value::Null, "principalId": members[0] } }),
        )
        .await;
    assert!(again["errors"].is_array(), "{again}");

    // Protection officers read cases but take no step.
    let r = case
        .act(
            &srv,
            &protection,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        )
        .await;
    refused(&r, "FORBIDDEN", "assigning");
    // Assignment is a supervisor's.
    let p = case
        .ok(
            &srv,
            &supervisor,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        )
        .await;
    assert_eq!(p["event"]["kind"], "assigned");
    assert_eq!(p["case"]["assignedOfficerId"], json!(officer_id));
    // A stale version is a conflict, and nothing changes.
    let events_before = count_rows(&t.db, "events");
    let mut stale = Case {
        id: case.id.clone(),
        version: case.version - 1,
    };
    let r = stale
        .act(
            &srv,
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(count_rows(&t.db, "events"), events_before);

    // Admissibility: an inadmissible decision needs a reason.
    let r = case
        .act(
            &srv,
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": false }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let p = case
        .ok(
            &srv,
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        )
        .await;
    assert_eq!(p["case"]["status"], "admissible");

    // Scheduling: working days and hours only, never a double booking.
    let r = case
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": next_saturday(), "officerId": officer_id }),
        )
        .await;
    refused(&r, "VALIDATION", "working day");
    let r = case
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(1, 23), "officerId": officer_id }),
        )
        .await;
    refused(&r, "VALIDATION", "working hours");
    assert_eq!(
        r["errors"][0]["extensions"]["reason"], "OUTSIDE_WORKING_HOURS",
        "{r}"
    );
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["starts"],
        json!(working_slot(1, 23)),
        "{r}"
    );
    let r = case
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(1, 15), "officerId": officer_id, "language": "prs" }),
        )
        .await;
    refused(&r, "VALIDATION", "interpreter");
    let slot = working_slot(1, 15);
    let p = case
        .ok(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": slot, "officerId": officer_id }),
        )
        .await;
    assert_eq!(p["case"]["status"], "scheduled");
    assert!(p["case"]["deadlines"]["nextInterview"].is_string(), "{p}");
    let appointment = p["case"]["workflow"]["pendingAppointments"][0]["id"].clone();
    let (mut other, _) = open_case(&srv, &registrar, "rsd-2", "Quintero").await;
    other
        .ready_to_schedule(&srv, &supervisor, &officer, &officer_id)
        .await;
    let r = other
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": slot, "officerId": officer_id }),
        )
        .await;
    refused(&r, "VALIDATION", "already booked");
    // The times come as RFC 3339 parameters, for the client to show in the office's time.
    let ext = &r["errors"][0]["extensions"];
    assert_eq!(ext["reason"], "ALREADY_BOOKED", "{r}");
    assert_eq!(ext["field"], "input.at", "{r}");
    let ends = chrono::DateTime::parse_from_rfc3339(&slot)
        .map(|s| (s + chrono::TimeDelta::minutes(120)).to_utc())
        .expect("slot");
    assert_eq!(
        ext["params"],
        json!({
            "who": "officer",
            "starts": slot,
            "ends": ends.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
        "{r}"
    );
    // Moving the appointment keeps the earlier booking in the book.
    let moved = working_slot(2, 15);
    let p = case
        .ok(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": moved, "officerId": officer_id, "rescheduleAppointmentId": appointment }),
        )
        .await;
    assert_eq!(
        p["case"]["workflow"]["pendingAppointments"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{p}"
    );
    assert_eq!(
        count_rows(&t.db, "appointments"),
        2,
        "the moved booking is kept as history"
    );
    // The freed slot can be booked for another case now.
    other
        .ok(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": slot, "officerId": officer_id }),
        )
        .await;
    // No no-show before the appointment time.
    let r = case
        .act(
            &srv,
            &registrar,
            "recordNoShow",
            "CaseActionInput",
            json!({}),
        )
        .await;
    refused(&r, "VALIDATION", "no appointment");

    // No assessment without an interview of the principal applicant.
    let rejected = json!([
        { "individualId": members[0], "outcome": "rejected", "reasons": ["not_credible"] },
        { "individualId": members[1], "outcome": "rejected", "reasons": ["not_credible"] },
        { "individualId": members[2], "outcome": "rejected", "reasons": ["not_credible"] },
    ]);
    let r = case
        .act(
            &srv,
            &officer,
            "submitAssessment",
            "SubmitAssessmentInput",
            json!({ "recommendations": rejected, "assessmentRef": "doc-1" }),
        )
        .await;
    refused(&r, "VALIDATION", "interview");
    // Only the assigned officer interviews.
    let r = case
        .act(
            &srv,
            &officer2,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let p = case
        .ok(
            &srv,
            &officer,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true, "notesRef": "notes-1" }),
        )
        .await;
    assert_eq!(p["case"]["status"], "interviewed");
    let r = case
        .act(&srv, &officer, "submitAssessment", "SubmitAssessmentInput", json!({ "recommendations": [{ "individualId": members[0], "outcome": "rejected", "reasons": ["no_such_reason"] }] }))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    assert!(
        r["errors"][0]["extensions"]["field"]
            .as_str()
            .is_some_and(|f| f.contains("reasons")),
        "{r}"
    );
    let p = case
        .ok(
            &srv,
            &officer,
            "submitAssessment",
            "SubmitAssessmentInput",
            json!({ "recommendations": rejected, "assessmentRef": "doc-1" }),
        )
        .await;
    assert_eq!(p["case"]["status"], "assessed");
    // Four eyes: the officer cannot review; the supervisor can.
    let r = case
        .act(
            &srv,
            &officer,
            "reviewAssessment",
            "ReviewAssessmentInput",
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let p = case
        .ok(
            &srv,
            &supervisor,
            "reviewAssessment",
            "ReviewAssessmentInput",
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(p["case"]["status"], "decided");
    assert_eq!(
        p["case"]["workflow"]["stages"][0]["decisions"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "{p}"
    );
    let p = case
        .ok(
            &srv,
            &officer,
            "notifyDecision",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert_eq!(p["case"]["status"], "notified");
    assert!(p["case"]["deadlines"]["appealDeadline"].is_string(), "{p}");

    // An appeal dated before the notification is refused; a timely one is accepted.
    let r = case
        .act(
            &srv,
            &officer,
            "lodgeAppeal",
            "LodgeAppealInput",
            json!({ "lodgedAt": "2020-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let p = case
        .ok(&srv, &officer, "lodgeAppeal", "LodgeAppealInput", json!({}))
        .await;
    assert_eq!(p["case"]["status"], "appeal_lodged");
    assert_eq!(p["case"]["stage"], "appeal");
    assert!(
        p["case"]["assignedOfficerId"].is_null(),
        "the first-instance officer is unassigned: {p}"
    );
    // The appeal goes to another officer.
    let r = case
        .act(
            &srv,
            &supervisor,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        )
        .await;
    refused(&r, "VALIDATION", "first-instance");
    assert_eq!(
        r["errors"][0]["extensions"]["field"], "input.officerId",
        "{r}"
    );
    case.ok(
        &srv,
        &supervisor,
        "assignCase",
        "AssignCaseInput",
        json!({ "officerId": officer2_id }),
    )
    .await;
    case.ok(
        &srv,
        &registrar,
        "scheduleInterview",
        "ScheduleInterviewInput",
        json!({ "at": working_slot(3, 15), "officerId": officer2_id }),
    )
    .await;
    case.ok(
        &srv,
        &officer2,
        "recordInterview",
        "RecordInterviewInput",
        json!({ "principalAttended": true }),
    )
    .await;
    let recognised = json!([
        { "individualId": members[0], "outcome": "recognised", "ground": "convention_1951" },
        { "individualId": members[1], "outcome": "recognised", "ground": "convention_1951" },
        { "individualId": members[2], "outcome": "recognised", "ground": "convention_1951" },
    ]);
    case.ok(
        &srv,
        &officer2,
        "submitAssessment",
        "SubmitAssessmentInput",
        json!({ "recommendations": recognised, "assessmentRef": "doc-2" }),
    )
    .await;
    // The supervisor who decided at first instance may not review the appeal.
    let r = case
        .act(
            &srv,
            &supervisor,
            "reviewAssessment",
            "ReviewAssessmentInput",
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    // A return needs comments.
    let r = case
        .act(
            &srv,
            &supervisor2,
            "reviewAssessment",
            "ReviewAssessmentInput",
            json!({ "approve": false }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    case.ok(
        &srv,
        &supervisor2,
        "reviewAssessment",
        "ReviewAssessmentInput",
        json!({ "approve": true }),
    )
    .await;
    let p = case
        .ok(
            &srv,
            &officer2,
            "notifyDecision",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert_eq!(p["case"]["status"], "closed");
    assert_eq!(p["case"]["workflow"]["closureReason"], "appeal_decided");
    assert_eq!(
        actions(&p),
        ["REOPEN_CASE"],
        "an ended case only reopens (on a ground, approved by a supervisor): {p}"
    );

    // The history holds every accepted step, once, with who and when.
    let h = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { case(id: $id) { version events { kind actorId at } } }",
            json!({ "id": case.id }),
        )
        .await;
    let events = h["data"]["case"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "assigned",
            "admissibility_decided",
            "interview_scheduled",
            "interview_scheduled",
            "interview_recorded",
            "assessment_submitted",
            "decided",
            "notified",
            "appeal_lodged",
            "assigned",
            "interview_scheduled",
            "interview_recorded",
            "assessment_submitted",
            "decided",
            "notified"
        ],
        "{h}"
    );
    assert_eq!(
        h["data"]["case"]["version"].as_i64(),
        Some(events.len() as i64 + 1),
        "one version per transition: {h}"
    );
}

async fn every_step_is_idempotent_and_refusals_change_nothing(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let supervisor = srv.login("supervisor").await;
    let supervisor2 = srv.login("supervisor2").await;
    let analyst = srv.login("analyst").await;
    let officer_id = user_id(&srv, &officer).await;
    let supervisor2_id = user_id(&srv, &supervisor2).await;
    let supervisor_id = user_id(&srv, &supervisor).await;
    let (mut case, _) = open_case(&srv, &registrar, "idem-1", "Salas").await;

    // A replay of the same clientMutationId answers the first result and acts once.
    let input = json!({ "clientMutationId": "assign-once", "caseId": case.id, "version": case.version, "officerId": officer_id });
    let q = mutation("assignCase", "AssignCaseInput");
    let first = srv
        .gql(Some(&supervisor), &q, json!({ "input": input }))
        .await;
    let events = count_rows(&t.db, "events");
    let replay = srv
        .gql(Some(&supervisor), &q, json!({ "input": input }))
        .await;
    assert!(first["errors"].is_null(), "{first}");
    assert_eq!(
        first["data"]["assignCase"]["event"]["eventId"],
        replay["data"]["assignCase"]["event"]["eventId"],
        "{replay}"
    );
    assert_eq!(
        count_rows(&t.db, "events"),
        events,
        "nothing happened twice"
    );
    case.version = first["data"]["assignCase"]["case"]["version"]
        .as_i64()
        .expect("version");

    // On hold and back.
    let r = case
        .act(
            &srv,
            &officer,
            "putCaseOnHold",
            "CaseReasonInput",
            json!({ "reason": "  " }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let p = case
        .ok(
            &srv,
            &officer,
            "putCaseOnHold",
            "CaseReasonInput",
            json!({ "reason": "Applicant in hospital" }),
        )
        .await;
    assert_eq!(p["case"]["status"], "on_hold");
    let r = case
        .act(
            &srv,
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        )
        .await;
    refused(&r, "VALIDATION", "hold");
    let p = case
        .ok(&srv, &officer, "resumeCase", "CaseActionInput", json!({}))
        .await;
    assert_eq!(p["case"]["status"], "registered");
    // Contact is recorded by the front desk.
    case.ok(
        &srv,
        &registrar,
        "recordContact",
        "CaseActionInput",
        json!({}),
    )
    .await;
    // Nothing to notify before a decision; no appeal without a notified rejection.
    let r = case
        .act(
            &srv,
            &officer,
            "notifyDecision",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let r = case
        .act(&srv, &officer, "lodgeAppeal", "LodgeAppealInput", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    // A withdrawal needs the applicant's reason; an empty reassignment is refused.
    let r = case
        .act(
            &srv,
            &registrar,
            "withdrawCase",
            "CaseReasonInput",
            json!({ "reason": "" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let r = srv
        .gql(
            Some(&supervisor),
            "mutation($input: AssignCasesInput!) { assignCases(input: $input) { events { caseId } } }",
            json!({ "input": { "clientMutationId": "none", "officerId": officer_id, "cases": [] } }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    // Closing is a supervisor's; an unknown reason is refused with the known ones.
    let r = case
        .act(
            &srv,
            &officer,
            "closeCase",
            "CloseCaseInput",
            json!({ "reason": "duplicate" }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = case
        .act(
            &srv,
            &supervisor,
            "closeCase",
            "CloseCaseInput",
            json!({ "reason": "bored" }),
        )
        .await;
    refused(&r, "VALIDATION", "duplicate");
    // Withdrawal by the front desk ends the case.
    let p = case
        .ok(
            &srv,
            &registrar,
            "withdrawCase",
            "CaseReasonInput",
            json!({ "reason": "Left for Peru" }),
        )
        .await;
    assert_eq!(p["case"]["status"], "withdrawn");
    let r = case
        .act(
            &srv,
            &officer,
            "recordContact",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert!(
        r["errors"].is_array(),
        "an ended case takes no step but reopening: {r}"
    );
    // Reopening needs a ground and another supervisor's approval.
    let r = case
        .act(
            &srv,
            &supervisor,
            "reopenCase",
            "ReopenCaseInput",
            json!({ "ground": "new_evidence", "approverId": supervisor_id }),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = case
        .act(
            &srv,
            &supervisor,
            "reopenCase",
            "ReopenCaseInput",
            json!({ "ground": "whim", "approverId": supervisor2_id }),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    let p = case
        .ok(
            &srv,
            &supervisor,
            "reopenCase",
            "ReopenCaseInput",
            json!({ "ground": "new_evidence", "approverId": supervisor2_id }),
        )
        .await;
    assert_eq!(p["case"]["status"], "registered");
    assert_eq!(p["event"]["kind"], "reopened");
    // Abandonment needs a candidate; no confirmation without one.
    let r = case
        .act(
            &srv,
            &supervisor,
            "confirmAbandonment",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r), Some("VALIDATION"), "{r}");
    // Analysts never touch cases; unknown cases are NOT_FOUND; no token is UNAUTHENTICATED.
    let r = case
        .act(&srv, &analyst, "resumeCase", "CaseActionInput", json!({}))
        .await;
    assert!(
        matches!(error_code(&r), Some("FORBIDDEN") | Some("NOT_FOUND")),
        "{r}"
    );
    let mut ghost = Case {
        id: uuid::Uuid::now_v7().to_string(),
        version: 1,
    };
    let r = ghost
        .act(
            &srv,
            &supervisor,
            "resumeCase",
            "CaseActionInput",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = srv
        .gql(None, &mutation("resumeCase", "CaseActionInput"), json!({ "input": { "clientMutationId": "x", "caseId": case.id, "version": case.version } }))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    // Another unit cannot touch the case at all: UNHCR does not run RSD.
    let unhcr = srv.login("unhcr.officer").await;
    let r = case
        .act(&srv, &unhcr, "resumeCase", "CaseActionInput", json!({}))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(r["errors"][0]["extensions"]["reason"], "MODULE_NOT_ENABLED");
}

async fn queues_show_officers_and_supervisors_their_work(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let officer2 = srv.login("officer2").await;
    let supervisor = srv.login("supervisor").await;
    let officer_id = user_id(&srv, &officer).await;
    let officer2_id = user_id(&srv, &officer2).await;
    let mut cases = Vec::new();
    for (i, name) in ["Aguirre", "Benítez", "Cárdenas"].iter().enumerate() {
        let (mut c, _) = open_case(&srv, &registrar, &format!("q-{i}"), name).await;
        c.ok(
            &srv,
            &supervisor,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        )
        .await;
        cases.push(c);
    }
    cases[0]
        .ok(
            &srv,
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        )
        .await;
    cases[0]
        .ok(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(0, 14), "officerId": officer_id }),
        )
        .await;
    let work = "query($f: WorkFilterInput, $after: String) { myWork(first: 2, filter: $f, after: $after) { edges { cursor node { id status priority daysWaiting specificNeedCodes deadlines { due } } } pageInfo { hasNextPage endCursor } } }";
    let r = srv.gql(Some(&officer), work, json!({})).await;
    let edges = r["data"]["myWork"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(edges.len(), 2, "{r}");
    assert_eq!(
        edges[0]["node"]["id"],
        json!(cases[0].id),
        "the interview is due first: {r}"
    );
    assert_eq!(edges[0]["node"]["specificNeedCodes"], json!(["SP"]), "{r}");
    assert_eq!(r["data"]["myWork"]["pageInfo"]["hasNextPage"], true, "{r}");
    let next = srv
        .gql(
            Some(&officer),
            work,
            json!({ "after": r["data"]["myWork"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = next["data"]["myWork"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rest.len(), 1, "{next}");
    let seen: Vec<&Value> = edges
        .iter()
        .chain(&rest)
        .map(|e| &e["node"]["id"])
        .collect();
    for c in &cases {
        assert!(seen.contains(&&json!(c.id)), "every case once across pages");
    }
    let filtered = srv
        .gql(
            Some(&officer),
            work,
            json!({ "f": { "status": "scheduled" } }),
        )
        .await;
    assert_eq!(
        filtered["data"]["myWork"]["edges"].as_array().map(Vec::len),
        Some(1),
        "{filtered}"
    );
    let r = srv.gql(Some(&officer2), work, json!({})).await;
    assert_eq!(
        r["data"]["myWork"]["edges"].as_array().map(Vec::len),
        Some(0),
        "{r}"
    );

    // The supervisor's summary counts; officers may not read it.
    let summary = "{ caseSummary { open overdue priority awaitingReview unassigned aging { label cases } byOfficeAndStatus { officeName status cases } workload { username open interviewsAhead } } }";
    let r = srv.gql(Some(&officer), summary, json!({})).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = srv.gql(Some(&supervisor), summary, json!({})).await;
    let s = &r["data"]["caseSummary"];
    assert_eq!(s["open"], 3, "{r}");
    assert_eq!(s["priority"], 3, "{r}");
    assert_eq!(s["aging"][0]["cases"], 3, "{r}");
    assert_eq!(s["workload"][0]["username"], "officer", "{r}");
    assert_eq!(s["workload"][0]["open"], 3, "{r}");
    assert_eq!(s["workload"][0]["interviewsAhead"], 1, "{r}");
    assert!(
        s["byOfficeAndStatus"].as_array().is_some_and(|rows| rows
            .iter()
            .any(|x| x["officeName"] == "Quito" && x["status"] == "scheduled" && x["cases"] == 1)),
        "{r}"
    );
    let r = srv
        .gql(
            Some(&supervisor),
            "{ caseQueue(list: PRIORITY) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r["data"]["caseQueue"]["edges"].as_array().map(Vec::len),
        Some(3),
        "{r}"
    );

    // Case screens name the officer; the reassigning screen knows who may approve a reopening.
    let r = srv
        .gql(
            Some(&officer),
            "query($id: ID!) { case(id: $id) { assignedOfficer { username displayName roles } } }",
            json!({ "id": cases[0].id }),
        )
        .await;
    assert_eq!(
        r["data"]["case"]["assignedOfficer"]["username"], "officer",
        "{r}"
    );
    assert_eq!(
        r["data"]["case"]["assignedOfficer"]["roles"],
        json!(["eligibility_officer"]),
        "{r}"
    );
    let r = srv
        .gql(
            Some(&supervisor),
            "{ assignableOfficers { username roles } }",
            json!({}),
        )
        .await;
    let officers = r["data"]["assignableOfficers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        officers
            .iter()
            .any(|o| o["username"] == "supervisor2" && o["roles"] == json!(["supervisor"])),
        "{r}"
    );
    assert!(
        !officers.iter().any(|o| o["username"] == "registrar"),
        "clerks are not assignable: {r}"
    );
    // Reassigning many at once: all or none.
    let q = "mutation($input: AssignCasesInput!) { assignCases(input: $input) { events { caseId kind version } } }";
    let bad = json!({ "clientMutationId": "bulk-bad", "officerId": officer2_id, "cases": [
        { "caseId": cases[1].id, "version": cases[1].version },
        { "caseId": cases[2].id, "version": cases[2].version - 1 },
    ]});
    let r = srv.gql(Some(&supervisor), q, json!({ "input": bad })).await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    let r = srv.gql(Some(&officer2), work, json!({})).await;
    assert_eq!(
        r["data"]["myWork"]["edges"].as_array().map(Vec::len),
        Some(0),
        "none moved: {r}"
    );
    let good = json!({ "clientMutationId": "bulk-good", "officerId": officer2_id, "cases": [
        { "caseId": cases[1].id, "version": cases[1].version },
        { "caseId": cases[2].id, "version": cases[2].version },
    ]});
    let r = srv
        .gql(Some(&supervisor), q, json!({ "input": good }))
        .await;
    assert_eq!(
        r["data"]["assignCases"]["events"].as_array().map(Vec::len),
        Some(2),
        "{r}"
    );
    let r = srv.gql(Some(&officer2), work, json!({})).await;
    assert_eq!(
        r["data"]["myWork"]["edges"].as_array().map(Vec::len),
        Some(2),
        "{r}"
    );
    // The summary counts again after the reassignment (a cached one would still say 3).
    let r = srv
        .gql(
            Some(&supervisor),
            "{ caseSummary { workload { username open } } }",
            json!({}),
        )
        .await;
    let workload = r["data"]["caseSummary"]["workload"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let open_of = |name: &str| {
        workload
            .iter()
            .find(|w| w["username"] == name)
            .and_then(|w| w["open"].as_i64())
    };
    assert_eq!(open_of("officer"), Some(1), "{r}");
    assert_eq!(open_of("officer2"), Some(2), "{r}");
}

/// Reads websocket messages until one satisfies `want`, for at most ten seconds so a broken
/// server fails the test instead of hanging it.
pub(crate) async fn next_message<S>(ws: &mut S, want: impl Fn(&Value) -> bool) -> Value
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    let wait = async {
        while let Some(msg) = ws.next().await {
            let Ok(tokio_tungstenite::tungstenite::Message::Text(text)) = msg else {
                continue;
            };
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if want(&v) {
                return v;
            }
        }
        panic!("the websocket closed");
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("a message within ten seconds")
}

async fn supervisor_subscription_sees_an_officers_action(t: TestDb) {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let supervisor = srv.login("supervisor").await;
    let unhcr = srv.login("unhcr.officer").await;
    let officer_id = user_id(&srv, &officer).await;
    let (mut case, _) = open_case(&srv, &registrar, "ws-1", "Montoya").await;

    let connect = |token: String| {
        let url = format!("{}/graphql/ws", srv.url.replace("http://", "ws://"));
        async move {
            let mut req = url.into_client_request().expect("request");
            req.headers_mut().insert(
                "Sec-WebSocket-Protocol",
                "graphql-transport-ws".parse().expect("header"),
            );
            let (mut ws, _) = tokio_tungstenite::connect_async(req)
                .await
                .expect("websocket");
            ws.send(Message::Text(
                json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
                    .to_string()
                    .into(),
            ))
            .await
            .expect("init");
            next_message(&mut ws, |v| v["type"] == "connection_ack").await;
            ws.send(Message::Text(
                json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { caseEvents { caseId caseNumber kind fromStatus toStatus version officerIds } }" } })
                    .to_string()
                    .into(),
            ))
            .await
            .expect("subscribe");
            ws
        }
    };
    let mut watching = connect(supervisor.clone()).await;
    let mut other_unit = connect(unhcr.clone()).await;
    // The server starts listening once it has handled the subscribe message, a moment after it
    // was sent: record (harmless) contacts until the supervisor's subscription hears one.
    let mut live = false;
    for _ in 0..20 {
        case.ok(
            &srv,
            &registrar,
            "recordContact",
            "CaseActionInput",
            json!({}),
        )
        .await;
        let heard = tokio::time::timeout(
            Duration::from_secs(1),
            next_message(&mut watching, |v| v["type"] == "next"),
        )
        .await;
        if heard.is_ok() {
            live = true;
            break;
        }
    }
    assert!(
        live,
        "the supervisor's subscription never heard a transition"
    );

    case.ready_to_schedule(&srv, &supervisor, &officer, &officer_id)
        .await;
    let seen = next_message(&mut watching, |v| {
        v["type"] == "next" && v["payload"]["data"]["caseEvents"]["kind"] == "admissibility_decided"
    })
    .await;
    let notice = &seen["payload"]["data"]["caseEvents"];
    assert_eq!(notice["caseId"], json!(case.id), "{seen}");
    assert_eq!(notice["fromStatus"], "registered");
    assert_eq!(notice["toStatus"], "admissible");
    assert_eq!(notice["version"], json!(case.version));

    // The other unit hears nothing of it: it does not run RSD, so its subscription was
    // refused for the module, and that refusal is all it ever received.
    let refused = next_message(&mut other_unit, |v| v["type"] != "connection_ack").await;
    assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["reason"], "MODULE_NOT_ENABLED",
        "{refused}"
    );
    assert!(!refused.to_string().contains(&case.id), "{refused}");

    // Without a valid token the connection is refused.
    let url = format!("{}/graphql/ws", srv.url.replace("http://", "ws://"));
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket");
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } })
            .to_string()
            .into(),
    ))
    .await
    .expect("init");
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(m) = ws.next().await {
            match m {
                Ok(Message::Text(t)) => {
                    let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                    assert_ne!(
                        v["type"], "connection_ack",
                        "a bad token is not acknowledged"
                    );
                }
                Ok(Message::Close(_)) | Err(_) => return true,
                Ok(_) => {}
            }
        }
        true
    })
    .await;
    assert_eq!(closed.ok(), Some(true));
}

/// The reason code of a refusal, as a client reads it.
fn reason(r: &Value) -> &str {
    r["errors"][0]["extensions"]["reason"]
        .as_str()
        .unwrap_or_default()
}

async fn interviews_notifications_and_contacts_keep_when_and_how(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let supervisor = srv.login("supervisor").await;
    let officer_id = user_id(&srv, &officer).await;
    let (mut case, members) = open_case(&srv, &registrar, "when-1", "Cárdenas").await;
    case.ready_to_schedule(&srv, &supervisor, &officer, &officer_id)
        .await;
    case.ok(
        &srv,
        &registrar,
        "scheduleInterview",
        "ScheduleInterviewInput",
        json!({ "at": working_slot(2, 15), "officerId": officer_id }),
    )
    .await;

    // Not in the future; not before the appointment's day (today, as it is still ahead).
    let tomorrow = (Utc::now() + Days::days(1)).to_rfc3339();
    let r = case
        .act(
            &srv,
            &officer,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true, "heldAt": tomorrow }),
        )
        .await;
    assert_eq!(
        (error_code(&r), reason(&r)),
        (Some("VALIDATION"), "IN_FUTURE"),
        "{r}"
    );
    assert_eq!(r["errors"][0]["extensions"]["field"], "input.heldAt", "{r}");
    let last_week = (Utc::now() - Days::days(7)).to_rfc3339();
    let r = case
        .act(
            &srv,
            &officer,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true, "heldAt": last_week }),
        )
        .await;
    assert_eq!(reason(&r), "TOO_EARLY", "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["min"],
        Utc::now().date_naive().to_string(),
        "{r}"
    );
    let p = case
        .ok(
            &srv,
            &officer,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true }),
        )
        .await;
    assert_eq!(p["case"]["status"], "interviewed");

    let rejected: Vec<Value> = members
        .iter()
        .map(|m| json!({ "individualId": m, "outcome": "rejected", "reasons": ["not_credible"] }))
        .collect();
    case.ok(
        &srv,
        &officer,
        "submitAssessment",
        "SubmitAssessmentInput",
        json!({ "recommendations": rejected, "assessmentRef": "doc-9" }),
    )
    .await;
    case.ok(
        &srv,
        &supervisor,
        "reviewAssessment",
        "ReviewAssessmentInput",
        json!({ "approve": true }),
    )
    .await;

    let notify = format!(
        "mutation($input: CaseActionInput!, $n: NotificationInput) {{ notifyDecision(input: $input, notification: $n) {{ clientMutationId {CASE_FIELDS} }} }}"
    );
    let input = |case: &Case, cmid: &str| json!({ "clientMutationId": cmid, "caseId": case.id, "version": case.version });
    let r = srv
        .gql(Some(&officer), &notify, json!({ "input": input(&case, "n1"), "n": { "notifiedAt": tomorrow, "method": "email" } }))
        .await;
    assert_eq!(
        (error_code(&r), reason(&r)),
        (Some("VALIDATION"), "IN_FUTURE"),
        "{r}"
    );
    let r = srv
        .gql(
            Some(&officer),
            &notify,
            json!({ "input": input(&case, "n2"), "n": { "method": "pigeon" } }),
        )
        .await;
    assert_eq!(reason(&r), "UNKNOWN_CODE", "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["vocabulary"], "notification_methods",
        "{r}"
    );
    let r = srv
        .gql(Some(&officer), &notify, json!({ "input": input(&case, "n3"), "n": { "notifiedAt": last_week, "method": "email" } }))
        .await;
    assert_eq!(reason(&r), "TOO_EARLY", "notified before the decision: {r}");
    let r = srv
        .gql(
            Some(&officer),
            &notify,
            json!({ "input": input(&case, "n4"), "n": { "method": "email" } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["notifyDecision"]["case"]["status"], "notified");
    case.version = r["data"]["notifyDecision"]["case"]["version"]
        .as_i64()
        .expect("version");

    let contact = format!(
        "mutation($input: CaseActionInput!, $c: ContactInput) {{ recordContact(input: $input, contact: $c) {{ clientMutationId {CASE_FIELDS} }} }}"
    );
    let vars = json!({ "input": input(&case, "c1"), "c": { "channel": "phone", "note": "Will bring the appeal on Monday" } });
    let first = srv.gql(Some(&registrar), &contact, vars.clone()).await;
    assert!(first["errors"].is_null(), "{first}");
    // A retry with the same id acts once and answers the same.
    let again = srv.gql(Some(&registrar), &contact, vars).await;
    assert_eq!(
        first["data"]["recordContact"]["event"],
        again["data"]["recordContact"]["event"]
    );
    case.version = first["data"]["recordContact"]["case"]["version"]
        .as_i64()
        .expect("version");
    let r = srv
        .gql(
            Some(&registrar),
            &contact,
            json!({ "input": input(&case, "c2"), "c": { "channel": "smoke signals" } }),
        )
        .await;
    assert_eq!(reason(&r), "UNKNOWN_CODE", "{r}");

    // The history shows when and how.
    let h = srv
        .gql(
            Some(&officer),
            "query($id: ID!) { case(id: $id) { events { kind data } } }",
            json!({ "id": case.id }),
        )
        .await;
    let events = h["data"]["case"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let data = |kind: &str| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["kind"] == kind)
            .filter_map(|e| {
                e["data"]
                    .as_str()
                    .and_then(|d| serde_json::from_str(d).ok())
            })
            .collect()
    };
    let interview = data("interview_recorded");
    assert_eq!(interview.len(), 1, "{h}");
    assert!(interview[0]["data"]["held_at"].is_string(), "{h}");
    let notified = data("notified");
    assert_eq!(notified[0]["data"]["method"], "email", "{h}");
    assert!(notified[0]["data"]["notified_at"].is_string(), "{h}");
    let contacts = data("contact_recorded");
    assert_eq!(contacts.len(), 1, "a retried contact is recorded once: {h}");
    assert_eq!(contacts[0]["data"]["channel"], "phone", "{h}");
    assert_eq!(contacts[0]["why"], "Will bring the appeal on Monday", "{h}");
}

/// An office's own hours and holidays, set by the unit admin, are the ones interviews are
/// booked in (not the unit's), and the API tells clients that calendar.
async fn interviews_keep_the_offices_own_hours_and_holidays(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let officer = srv.login("officer").await;
    let supervisor = srv.login("supervisor").await;
    let admin = srv.login("admin").await;
    let officer_id = user_id(&srv, &officer).await;
    let (mut case, _) = open_case(&srv, &registrar, "hours-1", "Benítez").await;
    case.ready_to_schedule(&srv, &supervisor, &officer, &officer_id)
        .await;

    // The case is the registrar's office's; its admin gives it mornings only (09:00-12:00
    // Quito, 14:00-17:00 UTC) and a holiday on the second working day ahead.
    let office_id = srv
        .gql(Some(&registrar), "{ me { office { id } } }", json!({}))
        .await["data"]["me"]["office"]["id"]
        .as_str()
        .expect("the registrar's office")
        .to_string();
    let offices = srv
        .gql(
            Some(&admin),
            "{ unitOffices { id code name version } }",
            json!({}),
        )
        .await;
    let office = offices["data"]["unitOffices"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["id"] == office_id.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("the office among the unit's: {offices}"));
    let holiday = &working_slot(2, 15)[..10];
    let r = srv
        .gql(
            Some(&admin),
            "mutation($i: OfficeInput!) { saveOffice(input: $i) { office { version } } }",
            json!({ "i": { "clientMutationId": "hours-office", "id": office_id,
                "version": office["version"], "code": office["code"], "name": office["name"],
                "workingHours": "{\"day_starts\": 540, \"day_ends\": 720, \"working_days\": [1,2,3,4,5]}",
                "holidays": [holiday] } }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let me = srv
        .gql(
            Some(&registrar),
            "{ me { office { workingHours { timeZone dayStarts dayEnds workingDays holidays } } } }",
            json!({}),
        )
        .await;
    let hours = &me["data"]["me"]["office"]["workingHours"];
    assert_eq!(hours["dayStarts"], "09:00", "{me}");
    assert_eq!(hours["dayEnds"], "12:00", "{me}");
    assert_eq!(hours["holidays"], json!([holiday]), "{me}");

    // 15:00 Quito is inside the unit's day but after this office's.
    let r = case
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(1, 20), "officerId": officer_id }),
        )
        .await;
    assert_eq!(reason(&r), "OUTSIDE_WORKING_HOURS", "{r}");
    assert_eq!(
        r["errors"][0]["extensions"]["params"]["day_ends"], "12:00",
        "{r}"
    );
    // 10:00 Quito on the office's holiday.
    let r = case
        .act(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(2, 15), "officerId": officer_id }),
        )
        .await;
    assert_eq!(reason(&r), "NOT_WORKING_DAY", "{r}");
    refused(&r, "VALIDATION", "holiday");
    // 10:00 Quito on a working day of the office.
    let p = case
        .ok(
            &srv,
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": working_slot(3, 15), "officerId": officer_id }),
        )
        .await;
    assert_eq!(p["case"]["status"], "scheduled", "{p}");
}

both_backends!(
    rsd_case_from_registration_to_appeal_decision,
    every_step_is_idempotent_and_refusals_change_nothing,
    queues_show_officers_and_supervisors_their_work,
    supervisor_subscription_sees_an_officers_action,
    interviews_notifications_and_contacts_keep_when_and_how,
    interviews_keep_the_offices_own_hours_and_holidays,
);
