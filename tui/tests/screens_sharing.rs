//! Resettlement and referrals in both languages at 80x24, drawn on ratatui's `TestBackend`
//! after driving the app with the messages real keys and replies produce: a resettlement
//! officer's F4 steps pending, a case and its action forms; a protection officer's hand-off;
//! F10 referrals received and sent with the accept and decline forms; the referral form from a
//! person; the admin's agreements view.

use std::time::Duration;

use amparo::api::ApiError;
use amparo::api::referrals::ReferralDirection;
use amparo::api::resettlement_cases::ResettlementCaseList;
use amparo::app::{App, Cmd, Msg, Reply, Screen, update};
use amparo::i18n::Lang;
use amparo::msg::{ReferralConsent, ReferralsData, ResettlementInput, SharingInput};
use amparo::view::view;
use amparo_domain::error::Reason;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

const RTT: Duration = Duration::from_millis(142);
const LANGS: [(Lang, &str); 2] = [(Lang::Es, "es"), (Lang::En, "en")];
const UNHCR: [&str; 3] = ["assistance", "protection", "resettlement"];

fn press(app: &mut App, code: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Cmd> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let cmds = press(app, KeyCode::Char(c));
        assert!(cmds.is_empty(), "typing {c:?} sent {cmds:?}");
    }
}

fn reply(app: &mut App, reply: Reply) -> Vec<Cmd> {
    update(
        app,
        Msg::Reply {
            rtt: RTT,
            reply: Box::new(reply),
        },
    )
}

fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal.backend().to_string()
}

fn data<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("fixture matches the generated types")
}

/// Logs in as `username` with `roles` in a unit running `modules`; returns the commands `me`
/// started.
fn log_in(lang: Lang, username: &str, roles: &[&str], modules: &[&str]) -> (App, Vec<Cmd>) {
    let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, username);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    let me = data(json!({ "me": {
        "id": format!("user-{username}"),
        "username": username,
        "roles": roles,
        "office": { "name": "Quito", "timeZone": "America/Guayaquil", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } },
        "operationUnit": { "timeZone": "America/Guayaquil", "modules": modules, "hasFieldNodes": false },
    } }));
    let cmds = reply(&mut app, Reply::Me(Ok(me)));
    (app, cmds)
}

/// A list's only page.
fn one_page<T>(rows: Vec<T>) -> amparo::widgets::Page<T> {
    amparo::widgets::Page {
        rows,
        has_next: false,
        end_cursor: None,
    }
}

fn resettlement_rows() -> Vec<amparo::msg::ResettlementRow> {
    let steps = ["IDENTIFIED", "ASSESSED", "SUBMITTED", "ACCEPTED"];
    let nodes: Vec<serde_json::Value> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "id": format!("rc-{i}"), "caseNumber": format!("UNHCR-R-000000{i}"),
                "status": s, "priority": if i == 0 { "URGENT" } else { "NORMAL" },
                "categories": if i == 2 { json!([]) } else { json!(["LPN", "AWR"]) },
                "restricted": i == 2, "dueOn": format!("2026-12-0{}", i + 1), "overdue": i == 0,
                "members": [{ "principal": true, "individual": { "fullName": format!("Persona {i}") } }],
            })
        })
        .collect();
    let d: amparo::api::resettlement_cases::ResponseData = data(
        json!({ "resettlementCases": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": nodes } }),
    );
    d.resettlement_cases.nodes
}

fn resettlement_record(status: &str, actions: &[&str]) -> amparo::msg::ResettlementCaseData {
    let d: amparo::api::resettlement_case::ResponseData = data(json!({ "resettlementCase": {
        "id": "rc-0", "caseNumber": "UNHCR-R-0000001", "status": status, "priority": "URGENT",
        "categories": ["AWR", "LPN"], "restricted": false,
        "summary": "Amenazas persistentes del grupo que la desplazó.",
        "identifiedOn": "2026-11-20", "dueOn": "2026-11-30", "overdue": false,
        "protectionCaseId": "pc-1",
        "members": [
            { "individualId": "ind-1", "principal": true,
              "individual": { "individualNumber": "UNHCR-I-0000031", "fullName": "Rosa Quintero" } },
            { "individualId": "ind-2", "principal": false,
              "individual": { "individualNumber": "UNHCR-I-0000032", "fullName": "Luis Quintero" } },
        ],
        "assessments": [{ "summary": "Cumple AWR y LPN", "assessedOn": "2026-11-22" }],
        "reviews": [{ "approved": true, "note": null, "reviewedOn": "2026-11-23" }],
        "submissions": [],
        "departedOn": null, "exitReason": null, "exitNote": null,
        "version": 3, "allowedActions": actions,
        "history": [
            { "kind": "handed_off", "actor": "unhcr.protection", "at": "2026-11-20T15:00:00Z" },
            { "kind": "record_assessment", "actor": "unhcr.resettlement", "at": "2026-11-22T15:00:00Z" },
        ],
    } }));
    d.resettlement_case
}

#[test]
fn resettlement_staff_land_on_the_steps_pending_and_submit_a_case() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = log_in(
            lang,
            "unhcr.resettlement",
            &["resettlement_officer"],
            &UNHCR,
        );
        assert_eq!(app.screen(), Screen::Resettlement, "F4 is their home");
        let Some(Cmd::ResettlementCases { list, page }) = cmds
            .iter()
            .find(|c| matches!(c, Cmd::ResettlementCases { .. }))
        else {
            panic!("no resettlement list read in {cmds:?}")
        };
        assert_eq!(list, &ResettlementCaseList::PENDING);
        reply(
            &mut app,
            Reply::ResettlementCases {
                seq: page.seq,
                page: 0,
                result: Ok(one_page(resettlement_rows())),
            },
        );
        insta::assert_snapshot!(format!("resettlement_pending_{code}"), render(&app));
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::ResettlementCase { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "rc-2");
        reply(
            &mut app,
            Reply::ResettlementCase {
                seq: *seq,
                result: Ok(Box::new(resettlement_record(
                    "APPROVED",
                    &["SUBMIT", "EXIT"],
                ))),
            },
        );
        assert_eq!(app.screen(), Screen::ResettlementCase);
        insta::assert_snapshot!(format!("resettlement_case_{code}"), render(&app));
        // An action not allowed opens nothing; `s` submits to a state.
        assert!(press(&mut app, KeyCode::Char('a')).is_empty());
        assert!(app.screens.resettlement_case.form.is_none());
        press(&mut app, KeyCode::Char('s'));
        type_text(&mut app, "CAN");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2026-11-3x");
        assert!(ctrl(&mut app, 's').is_empty(), "a bad date is not sent");
        insta::assert_snapshot!(format!("resettlement_submit_problems_{code}"), render(&app));
        press(&mut app, KeyCode::Backspace);
        type_text(&mut app, "0");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "ECU-RST-26-001");
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Resettlement { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let ResettlementInput::Act(step) = input else {
            panic!("{input:?}")
        };
        assert_eq!(
            serde_json::to_value(step).expect("json"),
            json!({
                "clientMutationId": cmid, "caseId": "rc-0", "version": 3, "action": "SUBMIT",
                "summary": null, "approve": null, "note": null, "state": "CAN",
                "date": "2026-11-30", "dossierReference": "ECU-RST-26-001", "decision": null,
                "exitReason": null,
            })
        );
        let first = cmid.clone();
        reply(
            &mut app,
            Reply::Resettlement {
                cmid: first.clone(),
                result: Err(ApiError::Validation {
                    field: "input.date".into(),
                    reason: Reason::InFuture,
                    message: "in the future".into(),
                }),
            },
        );
        insta::assert_snapshot!(format!("resettlement_submit_refused_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        assert!(matches!(cmds.as_slice(), [Cmd::Resettlement { cmid, .. }] if *cmid == first));
        let cmds = reply(
            &mut app,
            Reply::Resettlement {
                cmid: first,
                result: Ok("rc-0".into()),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::ResettlementCase { id, .. }] if id == "rc-0"));
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("resettlement_case_help_{code}"), render(&app));
    }
}

#[test]
fn a_protection_officer_hands_a_family_to_resettlement() {
    for (lang, code) in LANGS {
        let (mut app, _) = log_in(lang, "unhcr.protection", &["protection_officer"], &UNHCR);
        assert_eq!(app.screen(), Screen::Protection);
        // F4 is not theirs: they are no resettlement staff.
        press(&mut app, KeyCode::F(4));
        assert_eq!(app.screen(), Screen::Protection);
        let d: amparo::api::protection_cases::ResponseData = data(
            json!({ "protectionCases": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [{
            "id": "pc-1", "caseNumber": "UNHCR-P-0000001", "status": "open", "category": "WR",
            "restricted": false, "riskLevel": "HIGH", "nextFollowUp": "2026-12-01",
            "openedOn": "2026-11-20",
            "members": [{ "principal": true, "child": false, "individual": { "fullName": "Rosa Quintero" } }],
        }] } }),
        );
        let seq = app.screens.protection.cases.seq;
        reply(
            &mut app,
            Reply::ProtectionCases {
                seq,
                page: 0,
                result: Ok(one_page(d.protection_cases.nodes)),
            },
        );
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::ProtectionCase { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let record: amparo::api::protection_case::ResponseData = data(json!({ "protectionCase": {
            "id": "pc-1", "caseNumber": "UNHCR-P-0000001", "status": "open", "principalId": "ind-1",
            "category": "WR", "subCode": null, "restricted": false, "riskLevel": "HIGH",
            "intakeSummary": "Amenazas", "assignedOfficerId": null, "nextFollowUp": null,
            "openedOn": "2026-11-20", "version": 2, "allowedActions": ["UPDATE_RISK", "CLOSE"],
            "members": [{ "individualId": "ind-1", "principal": true, "child": false,
                          "individual": { "individualNumber": "UNHCR-I-0000031", "fullName": "Rosa Quintero" } }],
            "plan": [], "referrals": [], "followUps": [], "bestInterestsAssessments": [],
            "bestInterestsDeterminations": [], "closure": null, "history": [],
        } }));
        reply(
            &mut app,
            Reply::ProtectionCase {
                seq: *seq,
                result: Ok(Box::new(record.protection_case)),
            },
        );
        assert!(render(&app).contains("R "), "the hand-off is offered");
        press(&mut app, KeyCode::Char('R'));
        assert_eq!(app.screen(), Screen::ResettlementCase);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Riesgo persistente pese al plan");
        insta::assert_snapshot!(format!("resettlement_hand_off_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::Resettlement { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &ResettlementInput::Open {
                principal_id: "ind-1".into(),
                protection_case_id: Some("pc-1".into()),
                category: "AWR".into(),
                priority: amparo::api::open_resettlement_case::ResettlementPriority::URGENT,
                summary: "Riesgo persistente pese al plan".into(),
            }
        );
        let cmds = reply(
            &mut app,
            Reply::Resettlement {
                cmid: cmid.clone(),
                result: Ok("rc-9".into()),
            },
        );
        assert!(
            cmds.is_empty(),
            "a protection officer does not read the case: {cmds:?}"
        );
        insta::assert_snapshot!(format!("resettlement_handed_off_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::ProtectionCase);
    }
}

fn agreements() -> Vec<amparo::msg::AgreementRow> {
    let d: amparo::api::agreements::ResponseData = data(json!({ "dataSharingAgreements": [{
        "id": "ag-1", "title": "Acuerdo DPIN–ACNUR 2026", "recordedByUnit": "DPIN", "withUnit": "UNHCR",
        "purposes": [
            { "purpose": "assistance", "fields": ["given_names", "family_name", "sex"] },
            { "purpose": "resettlement", "fields": ["individual_number", "given_names", "family_name"] },
        ],
        "validFrom": "2026-06-01", "validUntil": "2027-06-01", "inForce": true,
    }] }));
    d.data_sharing_agreements
}

fn referral_rows(sent: bool) -> Vec<amparo::msg::ReferralRow> {
    let nodes = if sent {
        json!([
            { "id": "rf-1", "reference": "RF-3FA91C0D22", "kind": "REFERRAL", "direction": "SENT",
              "otherUnit": "UNHCR", "purpose": "resettlement", "status": "ACCEPTED",
              "createdAt": "2026-11-20T15:00:00Z", "decidedAt": "2026-11-21T16:00:00Z",
              "sharedFields": [], "consentWithdrawn": false, "note": null, "declineReason": null,
              "individualId": "d-1", "individual": { "individualNumber": "DPIN-I-0000012", "fullName": "Ana Pérez" },
              "version": 2 },
        ])
    } else {
        json!([
            { "id": "rf-2", "reference": "RF-0A1B2C3D4E", "kind": "REFERRAL", "direction": "RECEIVED",
              "otherUnit": "DPIN", "purpose": "assistance", "status": "PENDING",
              "createdAt": "2026-11-20T15:00:00Z", "decidedAt": null,
              "sharedFields": [
                  { "field": "given_names", "value": "María José" },
                  { "field": "family_name", "value": "Pérez" },
                  { "field": "sex", "value": "F" },
              ],
              "consentWithdrawn": false, "note": "Familia sin ingresos", "declineReason": null,
              "individualId": null, "individual": null, "version": 1 },
            { "id": "rf-3", "reference": "BR-77AA00CC11", "kind": "BIOMETRIC", "direction": "RECEIVED",
              "otherUnit": "DPIN", "purpose": null, "status": "PENDING",
              "createdAt": "2026-11-19T15:00:00Z", "decidedAt": null, "sharedFields": [],
              "consentWithdrawn": false, "note": null, "declineReason": null,
              "individualId": "u-4", "individual": { "individualNumber": "UNHCR-I-0000004", "fullName": "Rosa Quintero" },
              "version": 1 },
        ])
    };
    let d: amparo::api::referrals::ResponseData = data(json!({ "referrals": {
        "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": nodes } }));
    d.referrals.nodes
}

fn referrals_reply(app: &mut App, cmds: &[Cmd], sent: bool) {
    consents_reply(app, cmds, sent, Vec::new());
}

/// Answers the referrals read in `cmds` with the person's `consents`.
fn consents_reply(app: &mut App, cmds: &[Cmd], sent: bool, consents: Vec<amparo::msg::ConsentRow>) {
    let Some(Cmd::Referrals {
        page, direction, ..
    }) = cmds.iter().find(|c| matches!(c, Cmd::Referrals { .. }))
    else {
        panic!("no referrals read in {cmds:?}")
    };
    let want = if sent {
        ReferralDirection::SENT
    } else {
        ReferralDirection::RECEIVED
    };
    assert_eq!(direction, &want);
    let lang_free = ReferralsData {
        referrals: one_page(referral_rows(sent)),
        page: 0,
        agreements: agreements(),
        consents,
    };
    reply(
        app,
        Reply::Referrals {
            seq: page.seq,
            result: Ok(lang_free),
        },
    );
}

#[test]
fn referrals_received_are_answered_and_sent_show_only_their_outcome() {
    for (lang, code) in LANGS {
        let (mut app, _) = log_in(lang, "unhcr.supervisor", &["supervisor"], &UNHCR);
        let cmds = press(&mut app, KeyCode::F(10));
        assert_eq!(app.screen(), Screen::Referrals);
        referrals_reply(&mut app, &cmds, false);
        insta::assert_snapshot!(format!("referrals_received_{code}"), render(&app));
        // `x` declines with a reason: nothing goes without one.
        press(&mut app, KeyCode::Char('x'));
        assert!(ctrl(&mut app, 's').is_empty());
        insta::assert_snapshot!(format!("referrals_decline_form_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        // `a` accepts, registering the person from what was shared.
        press(&mut app, KeyCode::Char('a'));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &SharingInput::Accept {
                referral_id: "rf-2".into(),
                version: 1,
                individual_id: None,
            }
        );
        let cmds = reply(
            &mut app,
            Reply::Sharing {
                cmid: cmid.clone(),
                result: Ok("RF-0A1B2C3D4E".into()),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::Referrals { .. }]),
            "{cmds:?}"
        );
        // The biometric one names the unit's own person.
        referrals_reply(&mut app, &cmds, false);
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("referrals_biometric_{code}"), render(&app));
        // `d`: those sent show the outcome and nothing else of the other unit.
        let cmds = press(&mut app, KeyCode::Char('d'));
        referrals_reply(&mut app, &cmds, true);
        insta::assert_snapshot!(format!("referrals_sent_{code}"), render(&app));
    }
}

/// An eligibility officer on a person's record presses `R`: the referrals screen opens for
/// that person; the commands it sent are returned.
fn referring(lang: Lang) -> (App, Vec<Cmd>) {
    let (mut app, _) = log_in(
        lang,
        "officer",
        &["eligibility_officer"],
        &["registration", "rsd"],
    );
    // The individual screen, as search opens it.
    let mut opened = Vec::new();
    app.open_individual("d-1".into(), &mut opened);
    let Some(Cmd::Individual { seq, .. }) = opened.first() else {
        panic!("{opened:?}")
    };
    let seq = *seq;
    let ind: amparo::api::individual::ResponseData = data(json!({ "individual": {
        "id": "d-1", "individualNumber": "DPIN-I-0000012", "fullName": "Ana Pérez",
        "givenNames": "Ana", "familyName": "Pérez", "version": 2, "sex": "F",
        "originalScriptName": null, "dateOfBirth": "1990-01-01",
        "dateOfBirthPrecision": "exact", "nationalities": ["COL"],
        "office": { "name": "Quito" }, "specificNeeds": [], "withheldSpecificNeeds": 0,
        "documents": [], "addresses": [], "phones": [], "languages": [],
        "groupMembership": null, "cases": [], "history": [],
    } }));
    reply(
        &mut app,
        Reply::Individual {
            seq,
            result: Ok(Box::new(ind)),
        },
    );
    let cmds = press(&mut app, KeyCode::Char('R'));
    assert_eq!(app.screen(), Screen::Referrals);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Referrals { person: Some(p), .. } if p == "d-1")),
        "the person's consents are read: {cmds:?}"
    );
    (app, cmds)
}

fn consents() -> Vec<amparo::msg::ConsentRow> {
    let d: amparo::api::referral_consents::ResponseData = data(json!({ "referralConsents": [
        { "id": "co-2", "givenBy": "Ana Pérez", "givenOn": "2026-11-28",
          "purposes": ["resettlement", "assistance"], "withdrawnOn": null, "version": 1 },
        { "id": "co-1", "givenBy": "Ana Pérez", "givenOn": "2026-10-02",
          "purposes": ["asylum"], "withdrawnOn": "2026-10-20", "version": 2 },
    ] }));
    d.referral_consents
}

#[test]
fn a_caseworker_records_and_withdraws_a_persons_consent_and_refers_under_it() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = referring(lang);
        consents_reply(&mut app, &cmds, true, consents());
        // The referral form offers the consent standing, not the one withdrawn.
        press(&mut app, KeyCode::Right);
        insta::assert_snapshot!(format!("referral_under_consent_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { input, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &SharingInput::Refer {
                individual_id: "d-1".into(),
                agreement_id: "ag-1".into(),
                purpose: "resettlement".into(),
                consent: ReferralConsent::Recorded("co-2".into()),
                note: None,
            }
        );
        press(&mut app, KeyCode::Esc);
        insta::assert_snapshot!(format!("referral_consents_{code}"), render(&app));
        // `c` records a consent: who, when, yes to the purposes consented to.
        press(&mut app, KeyCode::Char('c'));
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2026-12-01");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        insta::assert_snapshot!(format!("consent_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &SharingInput::RecordConsent {
                individual_id: "d-1".into(),
                given_by: match lang {
                    Lang::Es => "la persona".into(),
                    Lang::En => "the person".into(),
                },
                given_on: "2026-12-01".into(),
                purposes: vec!["resettlement".into(), "asylum".into()],
            }
        );
        let cmds = reply(
            &mut app,
            Reply::Sharing {
                cmid: cmid.clone(),
                result: Ok("co-3".into()),
            },
        );
        assert!(
            matches!(
                cmds.as_slice(),
                [Cmd::Referrals {
                    person: Some(_),
                    ..
                }]
            ),
            "{cmds:?}"
        );
        consents_reply(&mut app, &cmds, true, consents());
        assert!(render(&app).contains(match lang {
            Lang::Es => "Consentimiento registrado.",
            Lang::En => "Consent recorded.",
        }));
        // `w` withdraws one standing, with the version read.
        press(&mut app, KeyCode::Char('w'));
        insta::assert_snapshot!(format!("consent_withdraw_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { input, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &SharingInput::WithdrawConsent {
                consent_id: "co-2".into(),
                version: 1,
            }
        );
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("referral_person_help_{code}"), render(&app));
    }
}

#[test]
fn a_person_is_referred_with_consent_from_their_record() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = referring(lang);
        referrals_reply(&mut app, &cmds, true);
        assert!(
            app.screens.referrals.form.is_some(),
            "the referral form opens"
        );
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2026-11-30");
        insta::assert_snapshot!(format!("referral_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            input,
            &SharingInput::Refer {
                individual_id: "d-1".into(),
                agreement_id: "ag-1".into(),
                purpose: "resettlement".into(),
                consent: ReferralConsent::GivenNow {
                    given_by: match lang {
                        Lang::Es => "la persona".into(),
                        Lang::En => "the person".into(),
                    },
                    given_on: "2026-11-30".into(),
                },
                note: None,
            }
        );
        reply(
            &mut app,
            Reply::Sharing {
                cmid: cmid.clone(),
                result: Err(ApiError::Validation {
                    field: "input.fields".into(),
                    reason: Reason::FieldNotCarried(Box::new(amparo_domain::error::NotCarried {
                        field: "date_of_birth".into(),
                        purpose: "resettlement".into(),
                    })),
                    message: "not carried".into(),
                }),
            },
        );
        insta::assert_snapshot!(format!("referral_refused_{code}"), render(&app));
    }
}

#[test]
fn the_admin_records_an_agreement_in_view_5() {
    for (lang, code) in LANGS {
        let (mut app, _) = log_in(lang, "admin", &["unit_admin"], &["registration", "rsd"]);
        assert_eq!(app.screen(), Screen::Admin);
        let cmds = press(&mut app, KeyCode::Char('5'));
        assert!(
            matches!(
                cmds.as_slice(),
                [Cmd::AdminRead(amparo::msg::AdminRead::Agreements)]
            ),
            "{cmds:?}"
        );
        reply(
            &mut app,
            Reply::AdminRead(Ok(amparo::msg::AdminData::Agreements(agreements()))),
        );
        insta::assert_snapshot!(format!("admin_agreements_{code}"), render(&app));
        press(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "UNHCR");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Acuerdo 2027");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2027-01-01");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2027-12-31");
        insta::assert_snapshot!(format!("admin_agreement_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Sharing { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let SharingInput::Agreement {
            fields, purpose, ..
        } = input
        else {
            panic!("{input:?}")
        };
        assert_eq!(purpose, "assistance");
        assert_eq!(fields.len(), 9, "all fields when none named");
        let cmds = reply(
            &mut app,
            Reply::Sharing {
                cmid: cmid.clone(),
                result: Ok("ag-2".into()),
            },
        );
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::AdminRead(amparo::msg::AdminRead::Agreements)]
        ));
        assert!(app.screens.admin.agreements_view.form.is_none());
    }
}
