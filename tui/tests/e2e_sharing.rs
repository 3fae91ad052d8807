//! Resettlement and referrals between units on the client against a real server over HTTP
//! (SQLite, and PostgreSQL where reachable): a UNHCR protection officer hands a family to
//! resettlement, where it is assessed, reviewed by another officer (four eyes) and submitted
//! to a state; a DPIN officer records a recognised refugee's consent and refers her to UNHCR,
//! UNHCR accepts, and the DPIN officer sees that it was accepted and nothing else of UNHCR.

use std::time::Duration;

use amparo::api::Client;
use amparo::app::{App, Msg, Screen, update};
use amparo::i18n::Lang;
use amparo::runtime;
use amparo::view::view;
use amparo_api::auth::AuthConfig;
use amparo_api::auth::password;
use amparo_api::store::users;
use amparo_tests::{PASSWORD, TestDb, TestServer, start, world};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// One user's client: keys go through `update`, requests through the real runtime.
struct Driver {
    app: App,
    client: Client,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl Driver {
    fn new(url: &str) -> Self {
        let (tx, rx) = unbounded_channel();
        Self {
            app: App::new(Lang::En, url, (80, 24)),
            client: Client::new(url).expect("client"),
            tx,
            rx,
        }
    }

    /// Applies a message, runs its commands, and waits until every request has been answered.
    async fn send(&mut self, msg: Msg) {
        let mut next = Some(msg);
        while let Some(msg) = next.take() {
            for cmd in update(&mut self.app, msg) {
                runtime::run(&self.client, cmd, &self.tx);
            }
            if self.app.pending > 0 {
                let reply = tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
                    .await
                    .expect("the server answered within a minute")
                    .expect("runtime channel open");
                next = Some(reply);
            }
        }
    }

    async fn key(&mut self, code: KeyCode) {
        self.send(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .await;
    }

    async fn ctrl(&mut self, c: char) {
        self.send(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
        .await;
    }

    async fn text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    async fn log_in(&mut self, username: &str) {
        self.text(username).await;
        self.key(KeyCode::Tab).await;
        self.text(PASSWORD).await;
        self.key(KeyCode::Enter).await;
    }

    fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
        terminal.draw(|f| view(&self.app, f)).expect("draw");
        terminal.backend().to_string()
    }

    /// Asserts the screen shows `text`.
    fn shows(&self, text: &str) {
        let screen = self.screen();
        assert!(screen.contains(text), "{text} in\n{screen}");
    }
}

/// Adds users to a unit's first office, each with the test password.
fn staff(t: &TestDb, unit: &str, people: &[(&str, &str)]) {
    let hash = password::hash(PASSWORD).expect("hash");
    t.db.write_blocking(|c| {
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

async fn ok(srv: &TestServer, token: &str, query: &str, input: Value) -> Value {
    let r = srv.gql(Some(token), query, json!({ "input": input })).await;
    assert!(r["errors"].is_null(), "{query}: {r}");
    r["data"].clone()
}

/// The unit's day (Ecuador, UTC-5).
fn today() -> String {
    (chrono::Utc::now() - chrono::TimeDelta::hours(5))
        .date_naive()
        .to_string()
}

const REGISTER: &str = "mutation($input: RegisterGroupInput!) { registerGroup(input: $input) { group { id } members { id } } }";

/// A UNHCR protection officer hands a family over from its protection case; a resettlement
/// officer assesses it, another reviews and approves it (the author may not), and it is
/// submitted to a state.
async fn a_protection_officer_hands_a_family_to_resettlement_which_is_assessed_and_submitted(
    t: TestDb,
) {
    let w = world(&t.db);
    staff(
        &t,
        &w.unhcr,
        &[
            ("unhcr.resettlement", "resettlement_officer"),
            ("unhcr.reviewer", "resettlement_officer"),
            ("unhcr.po", "protection_officer"),
        ],
    );
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("unhcr.officer").await;
    let g = ok(
        &srv,
        &clerk,
        REGISTER,
        json!({ "clientMutationId": "rst-fam", "acknowledgeDuplicates": true, "members": [
            { "relationship": "focal_point", "person": { "givenNames": "Rosa", "familyName": "Quintero", "sex": "F", "dateOfBirth": "1987-02-03", "nationalities": ["COL"] } },
            { "relationship": "son", "person": { "givenNames": "Pablo", "familyName": "Quintero", "sex": "M", "dateOfBirth": "2014-06-09", "nationalities": ["COL"] } }
        ]}),
    )
    .await;
    let members = &g["registerGroup"]["members"];
    let po = srv.login("unhcr.po").await;
    ok(
        &srv,
        &po,
        "mutation($input: OpenProtectionCaseInput!) { openProtectionCase(input: $input) { protectionCase { id } } }",
        json!({ "clientMutationId": "rst-pc", "principalId": members[0]["id"], "memberIds": [members[1]["id"]],
                "category": "WR", "riskLevel": "HIGH", "intakeSummary": "Amenazas del grupo armado" }),
    )
    .await;

    // The protection officer opens the case from the open list and hands the family over.
    let mut p = Driver::new(&srv.url);
    p.log_in("unhcr.po").await;
    assert_eq!(p.app.screen(), Screen::Protection, "{}", p.screen());
    p.key(KeyCode::Char('l')).await;
    p.shows("Open cases");
    p.key(KeyCode::Enter).await;
    assert_eq!(p.app.screen(), Screen::ProtectionCase, "{}", p.screen());
    p.shows("R ");
    p.key(KeyCode::Char('R')).await;
    assert_eq!(p.app.screen(), Screen::ResettlementCase, "{}", p.screen());
    // Category AWR (the fourth offered), priority URGENT (the second), why.
    for _ in 0..3 {
        p.key(KeyCode::Right).await;
    }
    p.key(KeyCode::Tab).await;
    p.key(KeyCode::Right).await;
    p.key(KeyCode::Tab).await;
    p.text("Threats persist despite the protection plan").await;
    p.ctrl('s').await;
    p.shows("Handed over to resettlement.");
    assert!(p.app.screens.resettlement_case.form.is_none());

    // The resettlement officer lands on the steps pending and assesses the case.
    let mut r = Driver::new(&srv.url);
    r.log_in("unhcr.resettlement").await;
    assert_eq!(r.app.screen(), Screen::Resettlement, "{}", r.screen());
    r.shows("Rosa Quintero");
    r.key(KeyCode::Enter).await;
    assert_eq!(r.app.screen(), Screen::ResettlementCase, "{}", r.screen());
    r.shows("handed over from protection");
    r.shows("URGENT");
    r.key(KeyCode::Char('a')).await;
    r.text("Woman at risk; no local integration possible").await;
    r.ctrl('s').await;
    r.shows("Done.");
    r.shows("to review");
    // Four eyes: the author is not offered the review.
    r.key(KeyCode::Char('v')).await;
    assert!(
        r.app.screens.resettlement_case.form.is_none(),
        "{}",
        r.screen()
    );

    // Another resettlement officer approves it, and submits it to Canada.
    let mut v = Driver::new(&srv.url);
    v.log_in("unhcr.reviewer").await;
    v.key(KeyCode::Enter).await;
    assert_eq!(v.app.screen(), Screen::ResettlementCase, "{}", v.screen());
    v.key(KeyCode::Char('v')).await;
    assert!(
        v.app.screens.resettlement_case.form.is_some(),
        "{}",
        v.screen()
    );
    v.ctrl('s').await;
    v.shows("to submit");
    v.key(KeyCode::Char('s')).await;
    v.text("CAN").await;
    v.key(KeyCode::Tab).await;
    v.text(&today()).await;
    v.key(KeyCode::Tab).await;
    v.text("ECU-RST-26-001").await;
    v.ctrl('s').await;
    assert!(
        v.app.screens.resettlement_case.form.is_none(),
        "{}",
        v.screen()
    );
    v.shows("submitted");
    v.shows("CAN");
    v.shows("ECU-RST-26-001");
    v.shows("review assessment");
    v.shows("submit to a state");
}

/// A recognised refugee of DPIN: a family of one through RSD to the supervisor's approval of
/// a recognition; returns the person's id.
async fn recognised_refugee(srv: &TestServer) -> String {
    let registrar = srv.login("registrar").await;
    let supervisor = srv.login("supervisor").await;
    let officer = srv.login("officer").await;
    let g = ok(
        srv,
        &registrar,
        REGISTER,
        json!({ "clientMutationId": "ref-fam", "acknowledgeDuplicates": true, "members": [
            { "relationship": "focal_point", "person": { "givenNames": "Yusmary", "familyName": "Colmenares", "sex": "F", "dateOfBirth": "1991-05-04", "nationalities": ["VEN"] } }
        ]}),
    )
    .await;
    let person = g["registerGroup"]["members"][0]["id"].clone();
    let c = ok(
        srv,
        &registrar,
        "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id version } } }",
        json!({ "clientMutationId": "ref-open", "groupId": g["registerGroup"]["group"]["id"],
                "principalId": person, "memberIds": [] }),
    )
    .await;
    let id = c["openCase"]["case"]["id"].clone();
    let mut version = c["openCase"]["case"]["version"].clone();
    let me = srv.gql(Some(&officer), "{ me { id } }", json!({})).await;
    let officer_id = me["data"]["me"]["id"].clone();
    let steps = [
        (
            &supervisor,
            "assignCase",
            "AssignCaseInput",
            json!({ "officerId": officer_id }),
        ),
        (
            &officer,
            "decideAdmissibility",
            "DecideAdmissibilityInput",
            json!({ "admissible": true }),
        ),
        (
            &registrar,
            "scheduleInterview",
            "ScheduleInterviewInput",
            json!({ "at": next_working_day_10am(), "officerId": officer_id }),
        ),
        (
            &officer,
            "recordInterview",
            "RecordInterviewInput",
            json!({ "principalAttended": true, "notesRef": "NOTES-1" }),
        ),
        (
            &officer,
            "submitAssessment",
            "SubmitAssessmentInput",
            json!({ "assessmentRef": "ASSESS-1",
            "recommendations": [{ "individualId": person, "outcome": "recognised", "ground": "convention_1951" }] }),
        ),
        (
            &supervisor,
            "reviewAssessment",
            "ReviewAssessmentInput",
            json!({ "approve": true }),
        ),
    ];
    for (i, (token, name, input_type, extra)) in steps.into_iter().enumerate() {
        let mut input =
            json!({ "clientMutationId": format!("ref-{i}"), "caseId": id, "version": version });
        if let (Some(obj), Some(more)) = (input.as_object_mut(), extra.as_object()) {
            obj.extend(more.clone());
        }
        let query = format!(
            "mutation($input: {input_type}!) {{ {name}(input: $input) {{ case {{ version status }} }} }}"
        );
        let d = ok(srv, token, &query, input).await;
        version = d[name]["case"]["version"].clone();
    }
    person.as_str().expect("person id").to_string()
}

/// 10:00 in Ecuador (15:00 UTC) on the next working day.
fn next_working_day_10am() -> String {
    use chrono::Datelike;
    let mut day = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        day = day + chrono::Days::new(1);
    }
    format!("{}T15:00:00Z", day.format("%Y-%m-%d"))
}

/// The DPIN officer finds a recognised refugee, records her consent to be referred for
/// resettlement and refers her to UNHCR under it; UNHCR accepts the referral on its F10; the
/// DPIN officer's sent referrals show it accepted and nothing of UNHCR's record.
async fn a_dpin_officer_records_consent_and_refers_a_recognised_refugee_whom_unhcr_accepts(
    t: TestDb,
) {
    let w = world(&t.db);
    staff(&t, &w.unhcr, &[("unhcr.supervisor", "supervisor")]);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin = srv.login("admin").await;
    let from = (chrono::Utc::now() - chrono::TimeDelta::days(30))
        .date_naive()
        .to_string();
    let until = (chrono::Utc::now() + chrono::TimeDelta::days(300))
        .date_naive()
        .to_string();
    ok(
        &srv,
        &admin,
        "mutation($input: RecordDataSharingAgreementInput!) { recordDataSharingAgreement(input: $input) { agreement { id } } }",
        json!({ "clientMutationId": "agr", "partnerUnitCode": "UNHCR", "title": "DPIN-UNHCR 2026",
                "purposes": [{ "purpose": "resettlement", "fields": ["given_names", "family_name", "sex", "date_of_birth"] }],
                "validFrom": from, "validUntil": until }),
    )
    .await;
    recognised_refugee(&srv).await;

    let mut d = Driver::new(&srv.url);
    d.log_in("officer").await;
    d.key(KeyCode::F(2)).await;
    d.text("Yusmary Colmenares").await;
    d.key(KeyCode::Enter).await;
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen(), Screen::Individual, "{}", d.screen());
    d.shows("Yusmary Colmenares");
    // `R`: the referral form opens; with no consent recorded yet, the officer records it first.
    d.key(KeyCode::Char('R')).await;
    assert_eq!(d.app.screen(), Screen::Referrals, "{}", d.screen());
    assert!(d.app.screens.referrals.form.is_some(), "{}", d.screen());
    d.key(KeyCode::Esc).await;
    d.shows("None recorded");
    d.key(KeyCode::Char('c')).await;
    d.key(KeyCode::Tab).await;
    d.text(&today()).await;
    d.key(KeyCode::Tab).await;
    d.key(KeyCode::Tab).await;
    d.key(KeyCode::Right).await;
    d.ctrl('s').await;
    assert!(d.app.screens.referrals.form.is_none(), "{}", d.screen());
    d.shows("Consent recorded.");
    d.shows(&format!("{} the person · resettlement", today()));
    // The referral rests on that consent.
    d.key(KeyCode::Char('R')).await;
    d.shows("UNHCR · resettlement");
    d.shows("the person · resettlement");
    d.ctrl('s').await;
    assert!(d.app.screens.referrals.form.is_none(), "{}", d.screen());
    d.shows("Done: RF-");
    d.shows("pending");

    // UNHCR's supervisor sees it received with exactly the agreed fields, and accepts it.
    let mut u = Driver::new(&srv.url);
    u.log_in("unhcr.supervisor").await;
    u.key(KeyCode::F(10)).await;
    assert_eq!(u.app.screen(), Screen::Referrals, "{}", u.screen());
    u.shows("DPIN");
    u.shows("Yusmary");
    u.shows("1991-05-04");
    assert!(!u.screen().contains("VEN"), "{}", u.screen());
    u.key(KeyCode::Char('a')).await;
    u.ctrl('s').await;
    assert!(u.app.screens.referrals.form.is_none(), "{}", u.screen());
    u.shows("ACCEPTED");
    u.shows("Recorded as: UNHCR-I-");

    // The DPIN officer sees only that it was accepted.
    d.key(KeyCode::Char('g')).await;
    d.shows("ACCEPTED");
    let screen = d.screen();
    assert!(!screen.contains("UNHCR-I-"), "{screen}");
    assert!(screen.contains("Yusmary Colmenares"), "{screen}");
}

amparo_tests::both_backends!(
    a_protection_officer_hands_a_family_to_resettlement_which_is_assessed_and_submitted,
    a_dpin_officer_records_consent_and_refers_a_recognised_refugee_whom_unhcr_accepts,
);
