//! Every screen in both languages, drawn on ratatui's `TestBackend` after driving the app with
//! the same messages real keys and replies produce.

use std::time::Duration;

use amparo::api::ApiError;
use amparo::app::{App, Cmd, Msg, Reply, Screen, update};
use amparo::i18n::Lang;
use amparo::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

const RTT: Duration = Duration::from_millis(142);
const LANGS: [(Lang, &str); 2] = [(Lang::Es, "es"), (Lang::En, "en")];

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
    update(app, Msg::Reply { rtt: RTT, reply })
}

fn render_at(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal.backend().to_string()
}

fn render(app: &App) -> String {
    render_at(app, 80, 24)
}

fn data<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("fixture matches the generated types")
}

fn logged_in(lang: Lang) -> App {
    let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "registrar");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret?");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::Login { username, password }] if username == "registrar" && password == "s3cret?")
    );
    let cmds = reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    assert!(matches!(cmds.as_slice(), [Cmd::UseToken(t), Cmd::Me] if t == "tok"));
    let cmds = reply(
        &mut app,
        Reply::Me(Ok(me("registrar", &["registration_clerk"]))),
    );
    assert!(cmds.is_empty(), "a registrar needs no live link: {cmds:?}");
    assert_eq!(app.screen, Screen::Search);
    app
}

fn me(username: &str, roles: &[&str]) -> amparo::api::me::ResponseData {
    data(
        json!({ "me": { "id": format!("user-{username}"), "username": username, "roles": roles } }),
    )
}

fn search_page(ids: std::ops::Range<usize>, has_next: bool) -> serde_json::Value {
    let edges: Vec<_> = ids
        .map(|i| {
            json!({ "node": {
                "id": format!("id-{i}"),
                "individualNumber": format!("DPIN-I-{i:07}"),
                "fullName": format!("Muhammad Al-Hassan {i}"),
                "sex": if i % 2 == 0 { "M" } else { "F" },
                "dateOfBirth": format!("19{:02}-03-0{}", 60 + i, 1 + i % 9),
                "nationalities": ["SYR"],
            }})
        })
        .collect();
    json!({ "individuals": {
        "edges": edges,
        "pageInfo": { "hasNextPage": has_next, "endCursor": if has_next { Some("cursor-1") } else { None } },
    }})
}

fn individual() -> serde_json::Value {
    json!({ "individual": {
        "id": "id-1",
        "individualNumber": "DPIN-I-0000001",
        "fullName": "Mohammed Al-Hassan",
        "originalScriptName": "محمد الحسن",
        "sex": "M",
        "dateOfBirth": "1985-03-01",
        "dateOfBirthPrecision": "exact",
        "nationalities": ["SYR", "JOR"],
        "office": { "name": "Quito" },
        "specificNeeds": [
            { "code": "SP", "subCode": "SP-PT", "status": "PENDING_REVIEW" },
            { "code": "DS", "subCode": null, "status": "CONFIRMED" },
        ],
        "withheldSpecificNeeds": 1,
        "documents": [{ "documentType": "passport", "number": "N0123456", "issuingCountry": "SYR" }],
        "groupMembership": {
            "relationship": "focal_point",
            "group": { "groupNumber": "DPIN-G-0000001", "members": [
                { "relationship": "focal_point", "individual": { "individualNumber": "DPIN-I-0000001", "fullName": "Mohammed Al-Hassan" } },
                { "relationship": "spouse", "individual": { "individualNumber": "DPIN-I-0000002", "fullName": "Fatima Al-Hassan" } },
                { "relationship": "son", "individual": null },
            ]},
        },
        "history": [
            { "kind": "registered", "actor": "registrar", "at": "2026-11-20T14:03:09.123Z" },
            { "kind": "specific_need_added", "actor": "officer", "at": "2026-11-21T09:30:00Z" },
        ],
    }})
}

#[test]
fn login_screens() {
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        insta::assert_snapshot!(format!("login_empty_{code}"), render(&app));
        type_text(&mut app, "registrar");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "hunter2");
        let screen = render(&app);
        assert!(
            !screen.contains("hunter2") && !screen.contains('*'),
            "password echoed:\n{screen}"
        );
        press(&mut app, KeyCode::Enter);
        insta::assert_snapshot!(format!("login_pending_{code}"), render(&app));
        reply(
            &mut app,
            Reply::Login(Err(ApiError::Unauthenticated("invalid credentials".into()))),
        );
        insta::assert_snapshot!(format!("login_refused_{code}"), render(&app));
        assert_eq!(app.screen, Screen::Login);
    }
}

#[test]
fn demo_login_names_the_demo_users() {
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://127.0.0.1:43117/graphql", (80, 24));
        app.demo = true;
        insta::assert_snapshot!(format!("login_demo_{code}"), render(&app));
    }
}

#[test]
fn login_without_username_says_so_and_sends_nothing() {
    let mut app = App::new(Lang::En, "http://amparo.test:8080", (80, 24));
    assert!(press(&mut app, KeyCode::Enter).is_empty());
    assert!(render(&app).contains("Type your username."));
}

#[test]
fn search_screens_and_paging() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        insta::assert_snapshot!(format!("search_empty_{code}"), render(&app));
        type_text(&mut app, "muhamad al hasan");
        let cmds = press(&mut app, KeyCode::Enter);
        let [
            Cmd::Search {
                seq,
                page: 0,
                query,
                after: None,
            },
        ] = cmds.as_slice()
        else {
            panic!("expected a first-page search, got {cmds:?}");
        };
        assert_eq!(query, "muhamad al hasan");
        insta::assert_snapshot!(format!("search_pending_{code}"), render(&app));
        reply(
            &mut app,
            Reply::Search {
                seq: *seq,
                page: 0,
                result: Ok(data(search_page(1..15, true))),
            },
        );
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("search_results_{code}"), render(&app));

        let cmds = press(&mut app, KeyCode::Char('n'));
        let [
            Cmd::Search {
                seq,
                page: 1,
                after: Some(after),
                ..
            },
        ] = cmds.as_slice()
        else {
            panic!("expected the second page, got {cmds:?}");
        };
        assert_eq!(after, "cursor-1");
        reply(
            &mut app,
            Reply::Search {
                seq: *seq,
                page: 1,
                result: Ok(data(search_page(15..17, false))),
            },
        );
        insta::assert_snapshot!(format!("search_page2_{code}"), render(&app));
        assert!(
            press(&mut app, KeyCode::PageDown).is_empty(),
            "no page after the last"
        );
        let cmds = press(&mut app, KeyCode::PageUp);
        assert!(matches!(
            cmds.as_slice(),
            [Cmd::Search {
                page: 0,
                after: None,
                ..
            }]
        ));
    }
}

#[test]
fn stale_search_replies_are_ignored() {
    let mut app = logged_in(Lang::En);
    type_text(&mut app, "ana");
    let first = press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Up);
    type_text(&mut app, "lia");
    let second = press(&mut app, KeyCode::Enter);
    let ([Cmd::Search { seq: old, .. }], [Cmd::Search { seq: new, .. }]) =
        (first.as_slice(), second.as_slice())
    else {
        panic!("two searches expected");
    };
    reply(
        &mut app,
        Reply::Search {
            seq: *old,
            page: 0,
            result: Ok(data(search_page(1..3, false))),
        },
    );
    assert!(
        app.search.rows.is_empty(),
        "an old answer replaced the current search"
    );
    reply(
        &mut app,
        Reply::Search {
            seq: *new,
            page: 0,
            result: Ok(data(search_page(1..2, false))),
        },
    );
    assert_eq!(app.search.rows.len(), 1);
    assert_eq!(app.pending, 0);
}

#[test]
fn individual_screens() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        type_text(&mut app, "mohammed");
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::Search { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        reply(
            &mut app,
            Reply::Search {
                seq: *seq,
                page: 0,
                result: Ok(data(search_page(1..3, false))),
            },
        );
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::Individual { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "id-1");
        insta::assert_snapshot!(format!("individual_loading_{code}"), render(&app));
        reply(
            &mut app,
            Reply::Individual {
                seq: *seq,
                result: Ok(data(individual())),
            },
        );
        insta::assert_snapshot!(format!("individual_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen, Screen::Search);
    }
}

fn fill_member(app: &mut App, fields: [&str; 5]) {
    for (i, value) in fields.iter().enumerate() {
        type_text(app, value);
        if i + 1 < fields.len() {
            press(app, KeyCode::Tab);
        }
    }
}

fn filled_form(lang: Lang) -> App {
    let mut app = logged_in(lang);
    press(&mut app, KeyCode::F(3));
    fill_member(
        &mut app,
        ["Mohammed", "Al-Hassan", "m", "1985-03-01", "syr"],
    );
    ctrl(&mut app, 'n');
    press(&mut app, KeyCode::Tab);
    fill_member(&mut app, ["Fatima", "Al-Hassan", "F", "1990-07-15", "SYR"]);
    ctrl(&mut app, 'n');
    for _ in 0..2 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Tab);
    fill_member(&mut app, ["Ali", "Al-Hassan", "M", "2015-01-20", "SYR"]);
    app
}

#[test]
fn registration_screens() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        press(&mut app, KeyCode::F(3));
        assert_eq!(app.screen, Screen::Register);
        insta::assert_snapshot!(format!("register_empty_{code}"), render(&app));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "x");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "1985-13-01");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "SY");
        assert!(ctrl(&mut app, 's').is_empty(), "an invalid form was sent");
        insta::assert_snapshot!(format!("register_invalid_{code}"), render(&app));

        let mut app = filled_form(lang);
        insta::assert_snapshot!(format!("register_filled_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Register(first)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(!first.acknowledge_duplicates);
        let rels: Vec<_> = first
            .members
            .iter()
            .map(|m| m.relationship.as_str())
            .collect();
        assert_eq!(rels, ["focal_point", "spouse", "son"]);
        assert_eq!(first.members[0].person.sex.as_deref(), Some("M"));
        assert_eq!(first.members[0].person.nationalities, ["SYR"]);
        insta::assert_snapshot!(format!("register_sending_{code}"), render(&app));

        reply(
            &mut app,
            Reply::Register(Err(ApiError::Network("timed out".into()))),
        );
        insta::assert_snapshot!(format!("register_failed_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Register(retry)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            retry.client_mutation_id, first.client_mutation_id,
            "a retry must reuse the id"
        );

        reply(
            &mut app,
            Reply::Register(Ok(data(json!({ "registerGroup": {
                "clientMutationId": retry.client_mutation_id,
                "saved": false, "group": null, "members": [],
                "possibleDuplicates": [{
                    "memberIndex": 0, "individualNumber": "DPIN-I-0000007",
                    "fullName": "Muhammad Al Hasan", "dateOfBirth": "1985-03-01",
                    "score": 91, "reasons": ["similar_name", "same_birth_date"],
                }],
            }})))),
        );
        insta::assert_snapshot!(format!("register_duplicates_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Register(ack)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(ack.acknowledge_duplicates);
        assert_ne!(
            ack.client_mutation_id, first.client_mutation_id,
            "confirming needs a new id"
        );

        reply(
            &mut app,
            Reply::Register(Ok(data(json!({ "registerGroup": {
                "clientMutationId": ack.client_mutation_id,
                "saved": true, "group": { "groupNumber": "DPIN-G-0000012" },
                "members": [
                    { "id": "a", "individualNumber": "DPIN-I-0000040", "fullName": "Mohammed Al-Hassan" },
                    { "id": "b", "individualNumber": "DPIN-I-0000041", "fullName": "Fatima Al-Hassan" },
                    { "id": "c", "individualNumber": "DPIN-I-0000042", "fullName": "Ali Al-Hassan" },
                ],
                "possibleDuplicates": [],
            }})))),
        );
        insta::assert_snapshot!(format!("register_saved_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Cmd::Individual { id, .. }] if id == "a"));
    }
}

#[test]
fn editing_after_duplicates_starts_a_new_submit() {
    let mut app = filled_form(Lang::En);
    let cmds = ctrl(&mut app, 's');
    let [Cmd::Register(first)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    reply(
        &mut app,
        Reply::Register(Ok(data(json!({ "registerGroup": {
            "clientMutationId": first.client_mutation_id, "saved": false, "group": null, "members": [],
            "possibleDuplicates": [{ "memberIndex": 2, "individualNumber": "DPIN-I-0000009",
                "fullName": "Ali Hasan", "dateOfBirth": null, "score": 70, "reasons": ["similar_name"] }],
        }})))),
    );
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "Q");
    let cmds = ctrl(&mut app, 's');
    let [Cmd::Register(again)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert!(
        !again.acknowledge_duplicates,
        "a changed form must be checked for duplicates again"
    );
    assert_ne!(again.client_mutation_id, first.client_mutation_id);
}

#[test]
fn help_and_status_screens() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_search_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        assert!(!app.help);
        press(&mut app, KeyCode::F(3));
        press(&mut app, KeyCode::F(1));
        insta::assert_snapshot!(format!("help_register_{code}"), render(&app));

        let mut app = logged_in(lang);
        type_text(&mut app, "ana");
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::Search { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        reply(
            &mut app,
            Reply::Search {
                seq: *seq,
                page: 0,
                result: Err(ApiError::Network("connection refused".into())),
            },
        );
        insta::assert_snapshot!(format!("link_down_{code}"), render(&app));

        update(&mut app, Msg::Resize(70, 20));
        insta::assert_snapshot!(format!("too_small_{code}"), render_at(&app, 70, 20));
    }
}

#[test]
fn keys_that_change_nothing_do_not_ask_for_a_frame() {
    let mut app = logged_in(Lang::Es);
    app.dirty = false;
    press(&mut app, KeyCode::PageDown);
    assert!(!app.dirty, "an ignored key asked for a redraw");
    press(&mut app, KeyCode::Char('a'));
    assert!(app.dirty);
}

#[test]
fn an_ended_session_logs_in_again_and_keeps_the_form() {
    let mut app = filled_form(Lang::En);
    let cmds = ctrl(&mut app, 's');
    let [Cmd::Register(first)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    reply(
        &mut app,
        Reply::Register(Err(ApiError::Unauthenticated("session expired".into()))),
    );
    assert_eq!(app.screen, Screen::Login);
    assert!(render(&app).contains("the session ended"));
    type_text(&mut app, "s3cret?");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Cmd::Login { .. }]));
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok2" } })))),
    );
    assert_eq!(app.screen, Screen::Register);
    let cmds = ctrl(&mut app, 's');
    let [Cmd::Register(again)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(again.client_mutation_id, first.client_mutation_id);
    assert_eq!(again.members.len(), 3);
}

#[test]
fn the_individual_flips_by_pages_and_stops_at_the_end() {
    let mut app = logged_in(Lang::En);
    app.open_individual("id-1".into(), &mut Vec::new());
    let seq = app.individual.seq;
    let mut record = individual();
    for day in 1..=12 {
        record["individual"]["history"]
            .as_array_mut()
            .expect("history is a list")
            .push(json!({ "kind": "updated", "actor": "officer", "at": format!("2026-11-{day:02}T10:00:00Z") }));
    }
    reply(
        &mut app,
        Reply::Individual {
            seq,
            result: Ok(data(record)),
        },
    );
    let first = render(&app);
    assert!(first.contains("PgDn: more below"), "{first}");
    assert!(press(&mut app, KeyCode::PageDown).is_empty());
    let second = render(&app);
    assert!(
        second.contains("2026-11-12") && !second.contains("Original script"),
        "{second}"
    );
    app.dirty = false;
    press(&mut app, KeyCode::PageDown);
    assert!(!app.dirty, "flipped past the last page");
    press(&mut app, KeyCode::PageUp);
    assert_eq!(render(&app), first);
}
