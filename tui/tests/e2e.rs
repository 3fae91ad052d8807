//! The client against a real server over HTTP (SQLite, and PostgreSQL where reachable, from the
//! `amparo-tests` harness): keys go through `update`, requests through the real runtime and
//! transport, and the test reads the screen a caseworker would see.

use std::time::Duration;

use amparo::api::Client;
use amparo::app::{App, Link, Msg, Screen, update};
use amparo::i18n::Lang;
use amparo::runtime;
use amparo::view::view;
use amparo_api::auth::AuthConfig;
use amparo_tests::{PASSWORD, TestDb, TestServer, start, start_tls, world};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

struct Driver {
    app: App,
    client: Client,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl Driver {
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

    /// Applies whatever arrives (replies, live notices) until `done` holds, for at most
    /// thirty seconds so a broken link fails the test instead of hanging it.
    async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let wait = async {
            while !done(&self.app) {
                let Some(msg) = self.rx.recv().await else {
                    panic!("runtime channel closed")
                };
                for cmd in update(&mut self.app, msg) {
                    runtime::run(&self.client, cmd, &self.tx);
                }
            }
        };
        if tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .is_err()
        {
            panic!("waited 30 s for {what}:\n{}", self.screen());
        }
    }

    async fn log_in(&mut self, username: &str) {
        self.text(username).await;
        self.key(KeyCode::Tab).await;
        self.text(PASSWORD).await;
        self.key(KeyCode::Enter).await;
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

    fn screen(&self) -> String {
        render(&self.app)
    }

    async fn register_family(&mut self, focal: &str) {
        self.key(KeyCode::F(3)).await;
        let members = [
            [focal, "Al-Hassan", "M", "1985-03-01", "SYR"],
            ["Fatima", "Al-Hassan", "F", "1990-07-15", "SYR"],
            ["Ali", "Al-Hassan", "M", "2015-01-20", "SYR"],
        ];
        for (i, fields) in members.iter().enumerate() {
            if i > 0 {
                self.ctrl('n').await;
                // spouse, then son: the first and third relationships offered.
                for _ in 0..(if i == 1 { 0 } else { 2 }) {
                    self.key(KeyCode::Right).await;
                }
                self.key(KeyCode::Tab).await;
            }
            for (j, value) in fields.iter().enumerate() {
                self.text(value).await;
                if j + 1 < fields.len() {
                    self.key(KeyCode::Tab).await;
                }
            }
        }
        self.ctrl('s').await;
    }
}

fn driver(url: &str) -> Driver {
    let (tx, rx) = unbounded_channel();
    Driver {
        app: App::new(Lang::En, url, (80, 24)),
        client: Client::new(url).expect("client"),
        tx,
        rx,
    }
}

async fn ok(srv: &TestServer, token: &str, query: &str, input: Value) -> Value {
    let r = srv.gql(Some(token), query, json!({ "input": input })).await;
    assert!(r["errors"].is_null(), "{query}: {r}");
    r["data"].clone()
}

/// A family registered, opened for RSD and assigned to `officer`; returns the case number.
async fn assigned_case(srv: &TestServer) -> String {
    let registrar = srv.login("registrar").await;
    let supervisor = srv.login("supervisor").await;
    let officer = srv.login("officer").await;
    let g = ok(
        srv,
        &registrar,
        "mutation($input: RegisterGroupInput!) { registerGroup(input: $input) { group { id } members { id } } }",
        json!({ "clientMutationId": "e2e-rsd", "acknowledgeDuplicates": true, "members": [
            { "relationship": "focal_point", "person": { "givenNames": "Rosa", "familyName": "Quintero", "sex": "F", "dateOfBirth": "1987-02-03", "nationalities": ["COL"] } },
            { "relationship": "son", "person": { "givenNames": "Pablo", "familyName": "Quintero", "sex": "M", "dateOfBirth": "2014-06-09", "nationalities": ["COL"] } }
        ]}),
    )
    .await;
    let members = &g["registerGroup"]["members"];
    let c = ok(
        srv,
        &registrar,
        "mutation($input: OpenCaseInput!) { openCase(input: $input) { case { id caseNumber version } } }",
        json!({ "clientMutationId": "e2e-open", "groupId": g["registerGroup"]["group"]["id"],
                "principalId": members[0]["id"], "memberIds": [members[1]["id"]] }),
    )
    .await;
    let case = &c["openCase"]["case"];
    let me = srv.gql(Some(&officer), "{ me { id } }", json!({})).await;
    ok(
        srv,
        &supervisor,
        "mutation($input: AssignCaseInput!) { assignCase(input: $input) { case { version } } }",
        json!({ "clientMutationId": "e2e-assign", "caseId": case["id"], "version": case["version"],
                "officerId": me["data"]["me"]["id"] }),
    )
    .await;
    case["caseNumber"]
        .as_str()
        .expect("case number")
        .to_string()
}

async fn officer_acts_and_the_supervisor_sees_it_live(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let number = assigned_case(&srv).await;

    // The supervisor's client starts on the summary and opens the live link.
    let mut sup = driver(&srv.url);
    sup.log_in("supervisor").await;
    assert_eq!(sup.app.screen(), Screen::Supervisor, "{}", sup.screen());
    sup.until("the live link", |a| a.live).await;
    assert!(sup.screen().contains("● live"), "{}", sup.screen());
    assert!(sup.screen().contains("registered 1"), "{}", sup.screen());

    // The officer's client starts on My work, which lists the case.
    let mut off = driver(&srv.url);
    off.log_in("officer").await;
    assert_eq!(off.app.screen(), Screen::Work, "{}", off.screen());
    let screen = off.screen();
    assert!(screen.contains(&number), "{screen}");
    assert!(screen.contains("registered"), "{screen}");

    off.key(KeyCode::Enter).await;
    assert_eq!(off.app.screen(), Screen::Case);
    let screen = off.screen();
    assert!(screen.contains("Rosa Quintero"), "{screen}");
    assert!(screen.contains("d admissibility"), "{screen}");
    off.key(KeyCode::Char('d')).await;
    assert!(off.screen().contains("Admissible"), "{}", off.screen());
    off.ctrl('s').await;
    // The answer and the case read back after it are two requests: on a loaded machine the
    // second may still be out when the first has been drawn.
    off.until("the case read back after the action", |a| {
        render(a).contains("admissibility decided")
    })
    .await;
    let screen = off.screen();
    assert!(off.app.screens.case.form.is_none(), "{screen}");
    assert!(screen.contains("Done; now: admissible"), "{screen}");
    assert!(screen.contains("admissibility decided"), "{screen}");
    assert!(!screen.contains("d admissibility"), "{screen}");

    // The supervisor's screen follows from the notice alone: no key was pressed there.
    sup.until("the summary to show the new status", |a| {
        a.screens.supervisor.summary.as_ref().is_some_and(|s| {
            s.by_office_and_status
                .iter()
                .any(|r| r.status == "admissible" && r.cases == 1)
        })
    })
    .await;
    let screen = sup.screen();
    assert!(screen.contains("admissible 1"), "{screen}");
    assert!(!screen.contains("registered 1"), "{screen}");
}

/// A registrar has no live link; the status line still turns to LINK DOWN within seconds of
/// the server going away, with no key pressed.
async fn the_status_line_sees_the_server_go_without_a_key(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let mut d = driver(&srv.url);
    runtime::watch(&d.client, &d.tx);
    d.log_in("registrar").await;
    assert_eq!(d.app.screen(), Screen::Search, "{}", d.screen());
    assert!(!d.app.live, "a registrar has no live link");
    assert!(d.screen().contains(" · online"), "{}", d.screen());
    drop(srv);
    d.until("LINK DOWN without a key", |a| a.link == Link::Down)
        .await;
    let screen = d.screen();
    assert!(screen.contains("LINK DOWN"), "{screen}");
    assert!(!screen.contains("online"), "{screen}");
}

/// A UNHCR protection officer lands on the protection follow-ups, registers a family, opens a
/// protection case for its child from the child's record, records a BIA and plans a follow-up;
/// each shows on the case read back, and the case is in the open list.
async fn a_protection_officer_opens_a_child_case_records_a_bia_and_a_follow_up(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let mut d = driver(&srv.url);
    d.log_in("unhcr.officer").await;
    assert_eq!(d.app.screen(), Screen::Protection, "{}", d.screen());
    assert!(d.screen().contains("Follow-ups due"), "{}", d.screen());

    d.register_family("Karim").await;
    assert!(d.screen().contains("Group registered"), "{}", d.screen());
    d.key(KeyCode::Enter).await;
    // The group, then its third member: Ali, born 2015.
    d.key(KeyCode::Char('g')).await;
    assert_eq!(d.app.screen(), Screen::Group, "{}", d.screen());
    d.key(KeyCode::Down).await;
    d.key(KeyCode::Down).await;
    d.key(KeyCode::Enter).await;
    assert!(d.screen().contains("Ali Al-Hassan"), "{}", d.screen());

    // Intake: category CR (the first offered), high risk, what intake found.
    d.key(KeyCode::Char('P')).await;
    assert_eq!(d.app.screen(), Screen::ProtectionCase, "{}", d.screen());
    d.key(KeyCode::Tab).await;
    d.key(KeyCode::Right).await;
    d.key(KeyCode::Right).await;
    d.key(KeyCode::Tab).await;
    d.text("Works at the market instead of school").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(d.app.screens.protection_case.form.is_none(), "{screen}");
    assert!(screen.contains("Case opened."), "{screen}");
    assert!(screen.contains("UNHCR-P-"), "{screen}");
    assert!(screen.contains("risk: HIGH"), "{screen}");
    assert!(screen.contains("b BIA"), "{screen}");

    // The child's BIA.
    d.key(KeyCode::Char('b')).await;
    d.key(KeyCode::Tab).await;
    d.text("Lives with both parents; wants to study").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(d.app.screens.protection_case.form.is_none(), "{screen}");
    assert!(
        screen.contains("Ali Al-Hassan: Lives with both parents; wants to study"),
        "{screen}"
    );

    // A follow-up in a few days (the unit's calendar is behind UTC, so three days ahead is
    // in the future there whatever the hour).
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(3)).to_string();
    d.key(KeyCode::Char('f')).await;
    d.text(&due).await;
    d.key(KeyCode::Tab).await;
    d.text("Visit the school").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(d.app.screens.protection_case.form.is_none(), "{screen}");
    assert!(
        screen.contains(&format!("{due} Visit the school")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("Next follow-up: {due}")),
        "{screen}"
    );

    // Back on the lists: the case is open, and not yet due.
    d.key(KeyCode::F(8)).await;
    assert!(!d.screen().contains("UNHCR-P-"), "{}", d.screen());
    d.key(KeyCode::Char('l')).await;
    assert!(d.screen().contains("Open cases"), "{}", d.screen());
    assert!(d.screen().contains("UNHCR-P-"), "{}", d.screen());
}

amparo_tests::both_backends!(
    a_protection_officer_opens_a_child_case_records_a_bia_and_a_follow_up,
    the_status_line_sees_the_server_go_without_a_key,
    a_clerk_records_a_need_a_document_a_correction_and_opens_a_case,
    log_in_register_find_by_transliteration_and_open,
    officer_acts_and_the_supervisor_sees_it_live,
    a_supervisor_decides_a_possible_duplicate,
    the_admin_creates_a_registrar_who_sets_a_password_and_is_disabled,
    token_commands_create_list_and_revoke,
);

/// `amparo token create|list|revoke` after a login with a password file, checked through the API.
async fn token_commands_create_list_and_revoke(t: TestDb) {
    use amparo::token::{TokenAction, TokenArgs, run};
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("password");
    std::fs::write(&file, format!("{PASSWORD}\n")).expect("password file");
    let args = |action| TokenArgs {
        username: Some("analyst".into()),
        password_file: Some(file.clone()),
        action,
    };
    let client = Client::new(&srv.url).expect("client");
    let code = run(
        args(TokenAction::Create {
            name: "monthly statistics".into(),
            days: Some(30),
        }),
        &client,
        Lang::En,
    )
    .await;
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let analyst = srv.login("analyst").await;
    let list = srv
        .gql(
            Some(&analyst),
            "{ apiTokens { id name revokedAt } }",
            json!({}),
        )
        .await;
    let tokens = list["data"]["apiTokens"]
        .as_array()
        .expect("tokens")
        .clone();
    assert_eq!(tokens.len(), 1, "{list}");
    assert_eq!(tokens[0]["name"], "monthly statistics");
    let id = tokens[0]["id"].as_str().expect("id").to_string();
    assert_eq!(
        run(args(TokenAction::List), &client, Lang::Es).await,
        std::process::ExitCode::SUCCESS
    );
    assert_eq!(
        run(
            args(TokenAction::Revoke { id: id.clone() }),
            &client,
            Lang::En
        )
        .await,
        std::process::ExitCode::SUCCESS
    );
    let list = srv
        .gql(Some(&analyst), "{ apiTokens { id revokedAt } }", json!({}))
        .await;
    assert!(
        !list["data"]["apiTokens"][0]["revokedAt"].is_null(),
        "{list}"
    );
    // Revoking again, or with a wrong password, fails with a non-zero exit.
    assert_eq!(
        run(args(TokenAction::Revoke { id }), &client, Lang::En).await,
        std::process::ExitCode::FAILURE
    );
    std::fs::write(&file, "wrong").expect("password file");
    assert_eq!(
        run(args(TokenAction::List), &client, Lang::En).await,
        std::process::ExitCode::FAILURE
    );
}

/// DPIN's admin creates a registrar for Lago Agrio in the client; the registrar logs in with the
/// one-time code, sets a password and finds only Lago Agrio's people; the admin disables them
/// and their session ends at their next request.
async fn the_admin_creates_a_registrar_who_sets_a_password_and_is_disabled(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let admin_token = srv.login("admin").await;
    ok(
        &srv,
        &admin_token,
        "mutation($input: OfficeInput!) { saveOffice(input: $input) { office { id } } }",
        json!({ "clientMutationId": "e2e-lag", "code": "LAG", "name": "Lago Agrio" }),
    )
    .await;
    // A family of the same name registered in Quito, which Lago Agrio must not see.
    let registrar = srv.login("registrar").await;
    ok(
        &srv,
        &registrar,
        "mutation($input: RegisterGroupInput!) { registerGroup(input: $input) { group { id } } }",
        json!({ "clientMutationId": "e2e-uio", "acknowledgeDuplicates": true, "members": [
            { "relationship": "focal_point", "person": { "givenNames": "Omar", "familyName": "Al-Hassan", "sex": "M", "dateOfBirth": "1970-01-02", "nationalities": ["SYR"] } }
        ]}),
    )
    .await;

    let mut admin = driver(&srv.url);
    admin.log_in("admin").await;
    assert_eq!(admin.app.screen(), Screen::Admin, "{}", admin.screen());
    assert!(
        admin.screen().contains("registrar.gye"),
        "{}",
        admin.screen()
    );
    admin.key(KeyCode::Char('n')).await;
    admin.text("registrar.lag").await;
    admin.key(KeyCode::Tab).await;
    admin.text("Registro Lago Agrio").await;
    admin.key(KeyCode::Tab).await;
    admin.key(KeyCode::Tab).await;
    while !admin.screen().contains("LAG Lago Agrio") {
        admin.key(KeyCode::Right).await;
    }
    admin.ctrl('s').await;
    let screen = admin.screen();
    let code = admin
        .app
        .screens
        .admin
        .code
        .clone()
        .map(|(_, code, _)| code)
        .unwrap_or_else(|| panic!("a one-time code is shown: {screen}"));
    assert!(screen.contains(&code), "{screen}");
    admin.key(KeyCode::Esc).await;
    assert!(!admin.screen().contains(&code), "shown once");

    let mut clerk = driver(&srv.url);
    clerk.ctrl('o').await;
    clerk.text("registrar.lag").await;
    clerk.key(KeyCode::Tab).await;
    clerk.text(&code).await;
    clerk.key(KeyCode::Tab).await;
    clerk.text("password").await;
    clerk.key(KeyCode::Enter).await;
    assert_eq!(clerk.app.screen(), Screen::Login);
    assert!(
        clerk.screen().contains("Choose another password"),
        "{}",
        clerk.screen()
    );
    clerk.ctrl('u').await;
    clerk.text("lluvia sobre el aguarico").await;
    clerk.key(KeyCode::Enter).await;
    assert_eq!(clerk.app.screen(), Screen::Search, "{}", clerk.screen());
    clerk.register_family("Lucia").await;
    assert!(
        clerk.screen().contains("Group registered DPIN-G-"),
        "{}",
        clerk.screen()
    );
    clerk.key(KeyCode::F(2)).await;
    clerk.ctrl('u').await;
    clerk.text("al hassan").await;
    clerk.key(KeyCode::Enter).await;
    let screen = clerk.screen();
    assert!(screen.contains("Lucia Al-Hassan"), "{screen}");
    assert!(
        !screen.contains("Omar"),
        "only Lago Agrio's people: {screen}"
    );

    // The admin disables them; their next request finds the session ended.
    admin.key(KeyCode::Char('g')).await;
    let at = admin
        .app
        .screens
        .admin
        .users
        .iter()
        .position(|u| u.username == "registrar.lag")
        .expect("listed");
    while admin.app.screens.admin.chosen < at {
        admin.key(KeyCode::Down).await;
    }
    admin.key(KeyCode::Char('d')).await;
    assert!(
        admin.screen().contains("registrar.lag") && admin.screen().contains("disabled"),
        "{}",
        admin.screen()
    );
    clerk.key(KeyCode::Enter).await;
    assert_eq!(clerk.app.screen(), Screen::Login, "{}", clerk.screen());
    let me = srv
        .gql(Some(&admin_token), "{ me { username } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["username"], "admin");
}

async fn log_in_register_find_by_transliteration_and_open(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let (tx, rx) = unbounded_channel();
    let mut d = Driver {
        app: App::new(Lang::En, &srv.url, (80, 24)),
        client: Client::new(&srv.url).expect("client"),
        tx,
        rx,
    };

    d.text("registrar").await;
    d.key(KeyCode::Tab).await;
    d.text("wrong password").await;
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen(), Screen::Login);
    assert!(
        d.screen().contains("Wrong username or password"),
        "{}",
        d.screen()
    );

    d.ctrl('u').await;
    d.text(PASSWORD).await;
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen(), Screen::Search, "{}", d.screen());
    assert!(d.screen().contains("online"));

    d.text("Mohammed").await;
    d.key(KeyCode::Enter).await;
    assert!(d.screen().contains("No one matches"), "{}", d.screen());

    d.register_family("Mohammed").await;
    let screen = d.screen();
    assert!(screen.contains("Group registered DPIN-G-"), "{screen}");
    assert!(screen.contains("Fatima Al-Hassan"), "{screen}");

    d.key(KeyCode::F(2)).await;
    d.ctrl('u').await;
    d.text("muhammad al hasan").await;
    d.key(KeyCode::Enter).await;
    let screen = d.screen();
    assert!(screen.contains("Mohammed Al-Hassan"), "{screen}");
    assert!(!screen.contains("Fatima"), "{screen}");

    d.key(KeyCode::Enter).await;
    let screen = d.screen();
    assert_eq!(d.app.screen(), Screen::Individual);
    assert!(screen.contains("Mohammed Al-Hassan"), "{screen}");
    assert!(screen.contains("Focal point"), "{screen}");
    assert!(
        screen.contains("Spouse") && screen.contains("Fatima Al-Hassan"),
        "{screen}"
    );
    assert!(
        screen.contains("registrar") && screen.contains("registered"),
        "{screen}"
    );

    // The household: its three members, and from there the spouse's own record.
    d.key(KeyCode::Char('g')).await;
    let screen = d.screen();
    assert_eq!(d.app.screen(), Screen::Group, "{screen}");
    assert!(
        screen.contains("Members:") && screen.contains("active"),
        "{screen}"
    );
    for name in ["Mohammed Al-Hassan", "Fatima Al-Hassan", "Ali Al-Hassan"] {
        assert!(screen.contains(name), "{name}: {screen}");
    }
    d.key(KeyCode::Down).await;
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen(), Screen::Individual);
    assert!(
        d.screen().contains("Fatima Al-Hassan") && d.screen().contains("1990-07-15"),
        "{}",
        d.screen()
    );
    d.key(KeyCode::Esc).await;
    d.key(KeyCode::Esc).await;
    assert_eq!(d.app.screen(), Screen::Individual);

    // The same family again: the server shows who it may already be, and only a confirmed
    // second submit registers it.
    d.key(KeyCode::Char('r')).await;
    d.key(KeyCode::Char('n')).await;
    d.register_family("Muhammad").await;
    let screen = d.screen();
    assert!(screen.contains("Possible duplicates"), "{screen}");
    assert!(screen.contains("Mohammed Al-Hassan"), "{screen}");
    d.ctrl('s').await;
    assert!(d.screen().contains("Group registered"), "{}", d.screen());
}

/// A clerk's day on one family: registered, then on the focal point a specific need picked from
/// the catalogue by typing its name, a passport, a corrected birth date (sent with the version
/// read), and a case opened for the family; each shows on the record read back from the server.
async fn a_clerk_records_a_need_a_document_a_correction_and_opens_a_case(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let mut d = driver(&srv.url);
    d.log_in("registrar").await;
    d.register_family("Karim").await;
    assert!(d.screen().contains("Group registered"), "{}", d.screen());
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen(), Screen::Individual, "{}", d.screen());
    assert!(d.screen().contains("Karim Al-Hassan"), "{}", d.screen());

    d.key(KeyCode::Char('+')).await;
    d.text("unaccompanied or").await;
    d.key(KeyCode::Tab).await;
    d.text("unaccompanied child").await;
    d.key(KeyCode::Tab).await;
    d.text("arrived alone").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(d.app.screens.individual.form.is_none(), "{screen}");
    assert!(
        screen.contains("[SC-UC pending review] Unaccompanied child"),
        "{screen}"
    );

    d.key(KeyCode::Char('d')).await;
    d.text("passport").await;
    d.key(KeyCode::Tab).await;
    d.text("N0123456").await;
    d.key(KeyCode::Tab).await;
    d.text("syria").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(screen.contains("Passport: N0123456 (SYR)"), "{screen}");

    d.key(KeyCode::Char('e')).await;
    d.key(KeyCode::Tab).await;
    d.key(KeyCode::Tab).await;
    d.ctrl('u').await;
    d.text("1985-03-02").await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert!(d.app.screens.individual.form.is_none(), "{screen}");
    assert!(screen.contains("Born: 1985-03-02"), "{screen}");

    // A stale version is refused and the form shows the record read again.
    let version = d
        .app
        .screens
        .individual
        .record
        .data
        .as_ref()
        .map(|p| p.version);
    d.key(KeyCode::Char('e')).await;
    if let Some(form) = d.app.screens.individual.form.as_mut() {
        form.version -= 1;
    }
    d.ctrl('u').await;
    d.text("Kareem").await;
    d.ctrl('s').await;
    let form = d.app.screens.individual.form.as_ref().expect("form kept");
    assert_eq!(Some(form.version), version, "{}", d.screen());
    assert!(
        d.screen().contains("Someone else changed"),
        "{}",
        d.screen()
    );
    d.ctrl('s').await;
    assert!(d.app.screens.individual.form.is_none(), "{}", d.screen());
    assert!(d.screen().contains("Kareem Al-Hassan"), "{}", d.screen());

    d.key(KeyCode::Char('a')).await;
    d.text("Fled threats").await;
    d.ctrl('s').await;
    assert_eq!(d.app.screen(), Screen::Case, "{}", d.screen());
    assert!(d.screen().contains("DPIN-C-"), "{}", d.screen());
    d.key(KeyCode::Esc).await;
    assert_eq!(d.app.screen(), Screen::Individual);
    assert!(d.screen().contains("Cases:"), "{}", d.screen());
    assert!(d.screen().contains("1  DPIN-C-"), "{}", d.screen());
}

/// A unit's server with a certificate from its own authority: the client that is given that
/// authority works as over plain HTTP, live link (wss://) included; one that is not refuses the
/// server and says the link is down. (Transport only, so SQLite alone.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_with_the_units_own_certificate() {
    let Some(t) = amparo_tests::test_db(amparo_tests::Backend::Sqlite) else {
        return;
    };
    world(&t.db);
    let dir = tempfile::tempdir().expect("temp dir");
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("certificate");
    let files = amparo_api::server::TlsFiles {
        cert: dir.path().join("server.pem"),
        key: dir.path().join("server.key"),
    };
    std::fs::write(&files.cert, cert.pem()).expect("write certificate");
    std::fs::write(&files.key, signing_key.serialize_pem()).expect("write key");
    let srv = start_tls(&t.db, AuthConfig::default(), files.clone()).await;
    assert!(srv.url.starts_with("https://"));

    let (tx, rx) = unbounded_channel();
    let mut d = Driver {
        app: App::new(Lang::En, &srv.url, (80, 24)),
        client: Client::with_ca(&srv.url, Some(&files.cert)).expect("client"),
        tx,
        rx,
    };
    d.log_in("officer").await;
    assert_eq!(d.app.screen(), Screen::Work, "{}", d.screen());
    d.until("the live link over wss", |a| a.live).await;
    assert!(d.screen().contains("● live"), "{}", d.screen());

    // A machine whose store is empty refuses already here, which is as good.
    let Ok(client) = Client::new(&srv.url) else {
        return;
    };
    let (tx, rx) = unbounded_channel();
    let mut stranger = Driver {
        app: App::new(Lang::En, &srv.url, (80, 24)),
        client,
        tx,
        rx,
    };
    stranger.log_in("officer").await;
    assert_eq!(stranger.app.screen(), Screen::Login);
    let screen = stranger.screen();
    assert!(screen.contains("LINK DOWN"), "{screen}");
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_the_demo_world_to_the_client() {
    let server = amparo::demo::start(false).await.expect("demo server");
    let (tx, rx) = unbounded_channel();
    let mut d = Driver {
        app: App::new(Lang::Es, &server.url, (80, 24)),
        client: Client::new(&server.url).expect("client"),
        tx,
        rx,
    };
    d.text("officer").await;
    d.key(KeyCode::Tab).await;
    d.text("amparo-demo").await;
    d.key(KeyCode::Enter).await;
    // The seeds walk cases through the procedure, so the officer's home has work in it.
    assert_eq!(d.app.screen(), Screen::Work, "{}", d.screen());
    assert!(!d.app.screens.work.list.rows.is_empty(), "{}", d.screen());
    assert!(d.screen().contains("DPIN-C-"), "{}", d.screen());
    d.key(KeyCode::F(2)).await;
    d.text("garcia").await;
    d.key(KeyCode::Enter).await;
    assert!(d.app.screens.search.rows.len() > 1, "{}", d.screen());
    assert!(d.screen().contains("García"), "{}", d.screen());
    // Quitting asks first, since the server and its database go with the client.
    d.app.demo = true;
    d.app.demo_db = Some((server.dir.join("amparo.db").display().to_string(), false));
    update(
        &mut d.app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(!d.app.quit && d.app.quit_asked);
    assert!(d.screen().contains("amparo demo --keep"), "{}", d.screen());
    let dir = server.dir.clone();
    drop(server);
    assert!(
        !dir.exists(),
        "the demo's directory is removed without --keep"
    );
}

#[cfg(feature = "demo")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_keep_leaves_its_database() {
    let server = amparo::demo::start(true).await.expect("demo server");
    let db = server.dir.join("amparo.db");
    let dir = server.dir.clone();
    drop(server);
    assert!(db.exists(), "amparo demo --keep keeps {}", db.display());
    std::fs::remove_dir_all(&dir).expect("clean up the kept demo");
}

/// Ten fingers of synthetic person `person` (impression `impression`) and the two eyes of
/// synthetic person `eyes`, as signed device records for `transaction`.
fn enrolment(cmid: &str, individual: &Value, person: u64, impression: u64, eyes: u64) -> Value {
    use amparo_biometrics::finger::synthetic::Finger;
    use amparo_biometrics::iris::synthetic::{Format, SyntheticEye};
    use amparo_tests::iso::{b64, finger_record, iris_record};
    let mut samples: Vec<Value> = amparo_tests::iso::FINGER_POSITIONS
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let f = Finger::generate(person * 100 + k as u64);
            let record = finger_record(k as u8 + 1, &f.impression(impression).image);
            json!({ "position": p, "record": b64(&record), "quality": 80 })
        })
        .collect();
    for (p, left) in [("RIGHT_IRIS", false), ("LEFT_IRIS", true)] {
        let eye = SyntheticEye::new(eyes * 10 + u64::from(left)).capture(Format::K3);
        let record = iris_record(left, &eye.image);
        samples.push(json!({ "position": p, "record": b64(&record), "quality": 90 }));
    }
    let mut vars = json!({ "input": {
        "clientMutationId": cmid, "individualId": individual, "transactionId": format!("tx-{cmid}"),
        "capturedAt": "2026-11-27T10:30:00Z", "samples": samples, "exceptions": []
    }});
    amparo_tests::device::sign_samples(&mut vars);
    vars
}

const ENROL: &str = "mutation($input: EnrolBiometricsInput!) { enrolBiometrics(input: $input) { enrolment { status } } }";

async fn a_supervisor_decides_a_possible_duplicate(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let registrar = srv.login("registrar").await;
    let mut ids = Vec::new();
    for (cmid, given) in [("e2e-amira", "Amira"), ("e2e-bashir", "Bashir")] {
        let g = ok(
            &srv,
            &registrar,
            "mutation($input: RegisterGroupInput!) { registerGroup(input: $input) { members { id individualNumber } } }",
            json!({ "clientMutationId": cmid, "acknowledgeDuplicates": true, "members": [
                { "relationship": "focal_point", "person": { "givenNames": given, "familyName": "Haddad", "sex": "F", "dateOfBirth": "1992-04-11", "nationalities": ["SYR"] } }
            ]}),
        )
        .await;
        ids.push(g["registerGroup"]["members"][0].clone());
    }
    // Amira's fingers, captured again under Bashir's record with other eyes.
    for (i, (cmid, impression, eyes, status)) in [
        ("e2e-bio-1", 1, 1, "CLEAR"),
        ("e2e-bio-2", 2, 2, "POSSIBLE_DUPLICATE"),
    ]
    .into_iter()
    .enumerate()
    {
        let vars = enrolment(cmid, &ids[i]["id"], 7, impression, eyes);
        let r = srv.gql(Some(&registrar), ENROL, vars).await;
        assert!(r["errors"].is_null(), "{r}");
        assert_eq!(
            r["data"]["enrolBiometrics"]["enrolment"]["status"], status,
            "{r}"
        );
    }

    let mut d = driver(&srv.url);
    d.log_in("supervisor").await;
    d.key(KeyCode::F(6)).await;
    assert_eq!(d.app.screen(), Screen::Reviews);
    let screen = d.screen();
    for p in &ids {
        let number = p["individualNumber"].as_str().expect("number");
        assert!(screen.contains(number), "{number} missing:\n{screen}");
    }
    assert!(
        screen.contains("Bashir") && screen.contains("Amira"),
        "{screen}"
    );

    d.key(KeyCode::Enter).await;
    let screen = d.screen();
    assert_eq!(d.app.screen(), Screen::Review, "{screen}");
    assert!(
        screen.contains("Fused score") && screen.contains("Status: pending"),
        "{screen}"
    );

    // No reason: refused on the form, nothing sent.
    d.key(KeyCode::Char('d')).await;
    d.key(KeyCode::Enter).await;
    assert!(d.screen().contains("required"), "{}", d.screen());
    assert!(d.app.screens.review.form.is_some());
    let token = srv.login("supervisor").await;
    let pending = "{ biometricReviews { edges { node { id status } } } }";
    let r = srv.gql(Some(&token), pending, json!({})).await;
    assert_eq!(
        r["data"]["biometricReviews"]["edges"][0]["node"]["status"], "PENDING",
        "{r}"
    );

    let reason = "Different irises; fingers to be recaptured";
    d.text(reason).await;
    d.ctrl('s').await;
    let screen = d.screen();
    assert_eq!(d.app.screen(), Screen::Reviews, "{screen}");
    assert!(screen.contains("Decided: different people"), "{screen}");
    assert!(
        screen.contains("No possible duplicates waiting"),
        "{screen}"
    );

    let r = srv
        .gql(
            Some(&token),
            "query($s: BiometricReviewStatus) { biometricReviews(status: $s) { edges { node { status decisionReason } } } }",
            json!({ "s": "DIFFERENT_PEOPLE" }),
        )
        .await;
    assert!(r["errors"].is_null(), "{r}");
    let edges = r["data"]["biometricReviews"]["edges"]
        .as_array()
        .expect("edges");
    assert_eq!(edges.len(), 1, "{r}");
    assert_eq!(edges[0]["node"]["decisionReason"], reason, "{r}");
    let r = srv.gql(Some(&token), pending, json!({})).await;
    assert_eq!(r["data"]["biometricReviews"]["edges"], json!([]), "{r}");
}

/// The screen of `app` at 80x24, as the user sees it.
fn render(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal.backend().to_string()
}
