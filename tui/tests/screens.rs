//! Every screen in both languages, drawn on ratatui's `TestBackend` after driving the app with
//! the same messages real keys and replies produce.

use std::time::Duration;

use amparo::actions::Kind;
use amparo::api::ApiError;
use amparo::api::case_queue::CaseList;
use amparo::api::protection_cases::ProtectionCaseList;
use amparo::app::{App, Cmd, LiveEvent, Msg, Reply, Screen, update};
use amparo::i18n::Lang;
use amparo::msg::{
    ActDone, CasePage, HouseholdNote, ListReply, ListTarget, PlannedList, ProtectionInput,
};
use amparo::view::view;
use amparo_domain::error::{BookingClash, Reason};
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
    update(
        app,
        Msg::Reply {
            rtt: RTT,
            reply: Box::new(reply),
        },
    )
}

fn render_at(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view(app, f)).expect("draw");
    terminal.backend().to_string()
}

fn render(app: &App) -> String {
    render_at(app, 80, 24)
}

/// The one case action among `cmds`: its `clientMutationId` and its variables as they go on the
/// wire, the input's `clientMutationId` taken out (it is new each time).
fn sent_action(cmds: &[Cmd]) -> (String, serde_json::Value) {
    let [Cmd::Act { cmid, request }] = cmds else {
        panic!("{cmds:?}")
    };
    let mut vars = request.variables();
    let id = vars["input"]
        .as_object_mut()
        .and_then(|i| i.remove("clientMutationId"));
    assert_eq!(id, Some(json!(cmid)), "the request carries the form's id");
    (cmid.clone(), vars)
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
        matches!(cmds.as_slice(), [Cmd::Login { username, password, .. }] if username == "registrar" && password == "s3cret?")
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
    assert_eq!(app.screen(), Screen::Search);
    app
}

fn me(username: &str, roles: &[&str]) -> amparo::api::me::ResponseData {
    me_in(username, roles, &["registration", "rsd"])
}

/// Who logged in, at the Quito office, in a unit running `modules`.
fn me_in(username: &str, roles: &[&str], modules: &[&str]) -> amparo::api::me::ResponseData {
    data(json!({ "me": {
        "id": format!("user-{username}"),
        "username": username,
        "roles": roles,
        "office": { "name": "Quito", "timeZone": "America/Guayaquil", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } },
        "operationUnit": { "timeZone": "America/Guayaquil", "modules": modules, "hasFieldNodes": false },
    } }))
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
        "givenNames": "Mohammed",
        "familyName": "Al-Hassan",
        "version": 3,
        "originalScriptName": "محمد الحسن",
        "sex": "M",
        "dateOfBirth": "1985-03-01",
        "dateOfBirthPrecision": "exact",
        "nationalities": ["SYR", "JOR"],
        "office": { "name": "Quito" },
        "specificNeeds": [
            { "id": "n-1", "version": 1, "code": "SP", "subCode": "SP-PT", "status": "PENDING_REVIEW" },
            { "id": "n-2", "version": 2, "code": "DS", "subCode": null, "status": "CONFIRMED" },
        ],
        "withheldSpecificNeeds": 1,
        "documents": [
            { "id": "doc-1", "version": 2, "documentType": "passport", "number": "N0123456", "issuingCountry": "SYR", "issuedOn": "2019-05-01", "expiresOn": "2029-04-30" },
            { "id": "doc-2", "version": 1, "documentType": "asylum_certificate", "number": "AC-77", "issuingCountry": "ECU", "issuedOn": null, "expiresOn": null },
        ],
        "addresses": [
            { "kind": "current", "line": "Av. 10 de Agosto N24", "city": "Quito", "province": "Pichincha", "country": "ECU", "validTo": null },
            { "kind": "current", "line": "Casa de acogida", "city": "Lago Agrio", "province": null, "country": "ECU", "validTo": "2026-10-01" },
        ],
        "phones": [{ "number": "+593 99 111 2222", "kind": "mobile", "consentToContact": true }],
        "languages": [{ "language": "ara", "kind": "mother_tongue" }, { "language": "spa", "kind": "spoken" }],
        "groupMembership": {
            "relationship": "focal_point",
            "group": { "id": "g-1", "groupNumber": "DPIN-G-0000001", "members": [
                { "relationship": "focal_point", "individual": { "id": "id-1", "individualNumber": "DPIN-I-0000001", "fullName": "Mohammed Al-Hassan" } },
                { "relationship": "spouse", "individual": { "id": "id-2", "individualNumber": "DPIN-I-0000002", "fullName": "Fatima Al-Hassan" } },
                { "relationship": "son", "individual": null },
            ]},
        },
        "cases": [{ "id": "case-1", "caseNumber": "DPIN-C-0000001", "status": "scheduled" }],
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
        assert_eq!(app.screen(), Screen::Login);
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
                first: 14,
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
        app.screens.search.rows.is_empty(),
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
    assert_eq!(app.screens.search.rows.len(), 1);
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
        assert_eq!(app.screen(), Screen::Search);
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
fn nationality_and_relationship_are_chosen_by_name_from_lists() {
    for (lang, name, rel) in [
        (Lang::Es, "alemania", "hija"),
        (Lang::En, "germany", "daughter"),
    ] {
        let mut app = logged_in(lang);
        press(&mut app, KeyCode::F(3));
        fill_member(&mut app, ["Anna", "Weber", "F", "1980-01-01", name]);
        ctrl(&mut app, 'n');
        type_text(&mut app, rel);
        press(&mut app, KeyCode::Tab);
        fill_member(&mut app, ["Lena", "Weber", "F", "2010-01-01", ""]);
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Register(input)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(input.members[0].person.nationalities, ["DEU"]);
        assert_eq!(input.members[1].relationship, "daughter");
        // Tabbing through an empty nationality leaves it empty.
        assert!(input.members[1].person.nationalities.is_empty());
    }
}

#[test]
fn registration_screens() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        press(&mut app, KeyCode::F(3));
        assert_eq!(app.screen(), Screen::Register);
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
        assert!(app.help.is_none());
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
    assert_eq!(app.screen(), Screen::Login);
    let screen = render(&app);
    assert!(
        screen.contains("Your session ended") && !screen.contains("Wrong username"),
        "{screen}"
    );
    type_text(&mut app, "s3cret?");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(matches!(cmds.as_slice(), [Cmd::Login { .. }]));
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok2" } })))),
    );
    assert_eq!(app.screen(), Screen::Register);
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
    let seq = app.screens.individual.record.seq;
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

fn group() -> serde_json::Value {
    let member = |id: &str, number: &str, name: &str, sex: &str, born: &str| {
        json!({ "id": id, "individualNumber": number, "fullName": name, "sex": sex,
                "dateOfBirth": born, "specificNeeds": [] })
    };
    json!({ "registrationGroup": {
        "id": "g-1",
        "version": 5, "groupNumber": "DPIN-G-0000001",
        "status": "active",
        "closedReason": null,
        "createdAt": "2026-11-20T14:03:09Z",
        "office": { "name": "Quito" },
        "members": [
            { "relationship": "focal_point", "startedAt": "2026-11-20T14:03:09Z", "endedAt": null, "endReason": null,
              "individual": member("id-1", "DPIN-I-0000001", "Mohammed Al-Hassan", "M", "1985-03-01") },
            { "relationship": "spouse", "startedAt": "2026-11-20T14:03:09Z", "endedAt": null, "endReason": null,
              "individual": { "id": "id-2", "individualNumber": "DPIN-I-0000002", "fullName": "Fatima Al-Hassan",
                              "sex": "F", "dateOfBirth": "1990-07-15",
                              "specificNeeds": [{ "code": "WR", "subCode": "WR-WR" }] } },
            { "relationship": "son", "startedAt": "2026-11-20T14:03:09Z", "endedAt": null, "endReason": null,
              "individual": null },
            { "relationship": "brother", "startedAt": "2026-11-20T14:03:09Z", "endedAt": "2026-11-22T10:00:00Z",
              "endReason": "split",
              "individual": member("id-4", "DPIN-I-0000004", "Omar Al-Hassan", "M", "1992-05-05") },
        ],
        "history": [
            { "kind": "registered", "actor": "registrar", "at": "2026-11-20T14:03:09Z" },
            { "kind": "split", "actor": "supervisor", "at": "2026-11-22T10:00:00Z" },
        ],
    }})
}

#[test]
fn group_screens() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        app.open_individual("id-1".into(), &mut Vec::new());
        let seq = app.screens.individual.record.seq;
        reply(
            &mut app,
            Reply::Individual {
                seq,
                result: Ok(data(individual())),
            },
        );
        let cmds = press(&mut app, KeyCode::Char('g'));
        let [Cmd::Group { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "g-1");
        assert_eq!(app.screen(), Screen::Group);
        reply(
            &mut app,
            Reply::Group {
                seq: *seq,
                result: Ok(data(group())),
            },
        );
        insta::assert_snapshot!(format!("group_{code}"), render(&app));
        // The third member is outside the caller's scope: chosen, it opens nothing.
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("group_past_member_chosen_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(cmds.as_slice(), [Cmd::Individual { id, .. }] if id == "id-4"),
            "{cmds:?}"
        );
        assert_eq!(app.screen(), Screen::Individual);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::Group);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::Individual);
    }
}

// ---- Case work ----

const ALL_ACTIONS: [&str; 16] = [
    "DECIDE_ADMISSIBILITY",
    "SCHEDULE_INTERVIEW",
    "RECORD_INTERVIEW",
    "RECORD_NO_SHOW",
    "RECORD_CONTACT",
    "SUBMIT_ASSESSMENT",
    "REVIEW_ASSESSMENT",
    "NOTIFY_DECISION",
    "LODGE_APPEAL",
    "WITHDRAW_CASE",
    "CLOSE_CASE",
    "CONFIRM_ABANDONMENT",
    "REOPEN_CASE",
    "ASSIGN_CASE",
    "PUT_CASE_ON_HOLD",
    "RESUME_CASE",
];

fn row(i: usize) -> serde_json::Value {
    let status = ["scheduled", "registered", "interviewed", "assessed"][i % 4];
    json!({
        "id": format!("case-{i}"),
        "caseNumber": format!("DPIN-C-{i:07}"),
        "status": status,
        "daysWaiting": 3 + i * 2,
        "priority": i.is_multiple_of(3),
        "specificNeedCodes": if i.is_multiple_of(3) { json!(["SC", "WR"]) } else { json!([]) },
        "version": 4,
        "deadlines": { "due": format!("2026-12-{:02}T15:00:00Z", 1 + i % 28), "overdue": i == 2 },
        "principalApplicant": if i == 1 { json!(null) } else {
            let names = ["María Fernanda Rodríguez de la Torre", "Ali Hassan", "Yusuf Abdullahi Mohamed"];
            json!({ "fullName": names[i % 3] })
        },
        "assignedOfficer": if i % 4 == 1 { json!(null) } else { json!({ "displayName": "Carmen Villavicencio" }) },
    })
}

fn queue(field: &str, ids: std::ops::Range<usize>, has_next: bool) -> serde_json::Value {
    let edges: Vec<_> = ids.map(|i| json!({ "node": row(i) })).collect();
    json!({ field: { "edges": edges, "pageInfo": { "hasNextPage": has_next, "endCursor": "c1" } } })
}

fn case_record(actions: &[&str]) -> serde_json::Value {
    json!({ "case": {
        "id": "case-0",
        "caseNumber": "DPIN-C-0000000",
        "status": "interviewed",
        "stage": "first_instance",
        "modality": "regular",
        "daysWaiting": 12,
        "priority": true,
        "specificNeedCodes": ["SC", "WR"],
        "version": 7,
        "assignedOfficerId": "user-officer",
        "allowedActions": actions,
        "deadlines": {
            "decisionDue": "2026-12-20T05:00:00Z",
            "overdue": false,
            "appealDeadline": null,
            "abandonmentCandidateFrom": null,
            "nextInterview": "2026-12-02T15:00:00Z"
        },
        "members": [
            { "role": "principal", "relationship": null, "individual": { "id": "p1", "individualNumber": "DPIN-I-0000010", "fullName": "Rosa Quintero" } },
            { "role": "derivative", "relationship": "son", "individual": { "id": "p2", "individualNumber": "DPIN-I-0000011", "fullName": "Pablo Quintero" } }
        ],
        "workflow": {
            "holdReason": null,
            "admissibility": { "admissible": true, "reason": null },
            "pendingAppointments": [
                { "id": "ap1", "at": "2026-12-02T15:00:00Z", "interpreterLanguage": "spa" }
            ],
            "stages": [{
                "stage": "first_instance",
                "interviews": [{ "at": "2026-11-20T15:00:00Z", "principalAttended": true,
                    "interviewerId": "user-officer", "interpreterLanguage": null, "notesRef": "DOC-88" }],
                "missedAppointments": 1,
                "assessment": null,
                "returnedAssessments": 0,
                "reviews": [],
                "decisions": [],
                "decidedAt": null,
                "notifiedAt": null
            }],
            "appealLodgedAt": null,
            "closureReason": null,
            "reopenings": 0
        },
        "events": [
            { "kind": "opened", "actor": "registrar", "at": "2026-11-14T14:00:00Z", "data": "{}" },
            { "kind": "assigned", "actor": "supervisor", "at": "2026-11-14T15:30:00Z", "data": "{}" },
            { "kind": "admissibility_decided", "actor": "officer", "at": "2026-11-16T16:00:00Z", "data": "{}" },
            { "kind": "contact_recorded", "actor": "registrar", "at": "2026-11-18T14:10:00Z",
              "data": "{\"kind\":\"contact_recorded\",\"why\":\"Asks to move the interview\",\"data\":{\"channel\":\"phone\"}}" },
            { "kind": "interview_recorded", "actor": "officer", "at": "2026-11-20T17:00:00Z",
              "data": "{\"kind\":\"interview_recorded\",\"why\":null,\"data\":{\"principal_attended\":true,\"held_at\":\"2026-11-20T15:00:00\"}}" }
        ]
    }})
}

fn summary() -> serde_json::Value {
    json!({ "caseSummary": {
        "byOfficeAndStatus": [
            { "officeName": "Quito", "status": "registered", "cases": 4 },
            { "officeName": "Quito", "status": "scheduled", "cases": 3 },
            { "officeName": "Guayaquil", "status": "assessed", "cases": 2 }
        ],
        "aging": [
            { "label": "0-30", "cases": 5 }, { "label": "31-60", "cases": 2 },
            { "label": "61-90", "cases": 1 }, { "label": "90+", "cases": 1 }
        ],
        "open": 9, "overdue": 1, "priority": 3, "abandonmentCandidates": 1,
        "appealsNearDeadline": 1, "awaitingReview": 2,
        "workload": [
            { "username": "officer", "open": 5, "overdue": 1, "awaitingReview": 1 },
            { "username": "officer2", "open": 3, "overdue": 0, "awaitingReview": 1 }
        ],
        "unassigned": 1
    }})
}

/// Logs in as `username` with `roles`; returns the app and the commands `me` started.
fn logged_in_as(lang: Lang, username: &str, roles: &[&str], size: (u16, u16)) -> (App, Vec<Cmd>) {
    let mut app = App::new(lang, "http://amparo.test:8080", size);
    type_text(&mut app, username);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    let cmds = reply(&mut app, Reply::Me(Ok(me(username, roles))));
    (app, cmds)
}

fn work_reply(app: &mut App, cmds: &[Cmd], page: serde_json::Value) {
    let Some(Cmd::Work { seq, page: p, .. }) = cmds.iter().find(|c| matches!(c, Cmd::Work { .. }))
    else {
        panic!("no My work read in {cmds:?}")
    };
    let d: amparo::api::my_work::ResponseData = data(page);
    reply(
        app,
        Reply::Read(ListReply::Work {
            seq: *seq,
            page: *p,
            result: Ok(CasePage {
                has_next: d.my_work.page_info.has_next_page,
                end_cursor: d.my_work.page_info.end_cursor,
                rows: d.my_work.edges.into_iter().map(|e| e.node.into()).collect(),
            }),
        }),
    );
}

fn case_reply(app: &mut App, cmds: &[Cmd], record: serde_json::Value) {
    let Some(Cmd::Case { seq, .. }) = cmds.iter().find(|c| matches!(c, Cmd::Case { .. })) else {
        panic!("no case read in {cmds:?}")
    };
    reply(
        app,
        Reply::Read(ListReply::Case {
            seq: *seq,
            result: Ok(Box::new(data(record))),
        }),
    );
}

fn officer_on_case(lang: Lang, actions: &[&str]) -> App {
    let (mut app, cmds) = logged_in_as(lang, "officer", &["eligibility_officer"], (80, 24));
    work_reply(&mut app, &cmds, queue("myWork", 0..3, false));
    let cmds = press(&mut app, KeyCode::Enter);
    case_reply(&mut app, &cmds, case_record(actions));
    app
}

#[test]
fn my_work_screens() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = logged_in_as(lang, "officer", &["eligibility_officer"], (80, 24));
        assert_eq!(app.screen(), Screen::Work);
        assert!(
            cmds.iter().any(|c| matches!(c, Cmd::Live(t) if t == "tok")),
            "an officer opens the live link: {cmds:?}"
        );
        insta::assert_snapshot!(format!("work_loading_{code}"), render(&app));
        work_reply(&mut app, &cmds, queue("myWork", 0..14, true));
        update(&mut app, Msg::Live(LiveEvent::Up));
        insta::assert_snapshot!(format!("work_{code}"), render(&app));

        let cmds = press(&mut app, KeyCode::Char('n'));
        let [Cmd::Work { page: 1, after, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(after.as_deref(), Some("c1"));
        work_reply(&mut app, &cmds, queue("myWork", 14..16, false));
        insta::assert_snapshot!(format!("work_page2_{code}"), render(&app));

        let cmds = press(&mut app, KeyCode::Char('f'));
        let [
            Cmd::Work {
                page: 0, filter, ..
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(filter.status.as_deref(), Some("registered"));
        press(&mut app, KeyCode::Char('!'));
        let cmds = press(&mut app, KeyCode::Char('o'));
        let [Cmd::Work { filter, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(filter.priority_only && filter.overdue_only);
        work_reply(&mut app, &cmds, queue("myWork", 0..0, false));
        insta::assert_snapshot!(format!("work_filtered_empty_{code}"), render(&app));

        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_work_{code}"), render(&app));
    }
}

#[test]
fn my_work_on_a_larger_terminal() {
    let (mut app, cmds) = logged_in_as(Lang::Es, "officer", &["eligibility_officer"], (120, 32));
    work_reply(&mut app, &cmds, queue("myWork", 0..14, true));
    insta::assert_snapshot!("work_120x32_es", render_at(&app, 120, 32));
    let cmds = press(&mut app, KeyCode::Enter);
    case_reply(&mut app, &cmds, case_record(&ALL_ACTIONS));
    insta::assert_snapshot!("case_120x32_es", render_at(&app, 120, 32));
}

#[test]
fn lists_and_the_case_use_a_200_by_50_window() {
    let (mut app, cmds) = logged_in_as(Lang::En, "officer", &["eligibility_officer"], (200, 50));
    // Fifty lines hold forty cases: the window asks for them at once.
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::Work { first: 40, .. })),
        "{cmds:?}"
    );
    work_reply(&mut app, &cmds, queue("myWork", 0..40, true));
    let screen = render_at(&app, 200, 50);
    // Whole names and the due time, not cut.
    assert!(
        screen.contains("María Fernanda Rodríguez de la Torre")
            && screen.contains("2026-12-01 10:00"),
        "{screen}"
    );
    insta::assert_snapshot!("work_200x50_en", screen);
    let cmds = press(&mut app, KeyCode::Enter);
    case_reply(&mut app, &cmds, case_record(&ALL_ACTIONS));
    insta::assert_snapshot!("case_200x50_en", render_at(&app, 200, 50));
}

#[test]
fn search_uses_a_200_by_50_window() {
    let (mut app, _) = logged_in_as(Lang::En, "registrar", &["registration_clerk"], (200, 50));
    type_text(&mut app, "muhamad al hasan");
    let cmds = press(&mut app, KeyCode::Enter);
    let [Cmd::Search { seq, first: 40, .. }] = cmds.as_slice() else {
        panic!("expected a search of forty rows, got {cmds:?}");
    };
    reply(
        &mut app,
        Reply::Search {
            seq: *seq,
            page: 0,
            result: Ok(data(search_page(1..41, true))),
        },
    );
    let screen = render_at(&app, 200, 50);
    assert!(
        screen.contains("DPIN-I-0000040"),
        "the fortieth row is shown: {screen}"
    );
    insta::assert_snapshot!("search_200x50_en", screen);
}

#[test]
fn a_window_made_taller_asks_for_more_rows_up_to_the_apis_page() {
    let mut app = logged_in(Lang::En);
    update(&mut app, Msg::Resize(80, 40));
    type_text(&mut app, "ana");
    let cmds = press(&mut app, KeyCode::Enter);
    assert!(
        matches!(cmds.as_slice(), [Cmd::Search { first: 30, .. }]),
        "{cmds:?}"
    );
    // The supervisor's list below the summary, and the duplicates queue, grow the same way.
    let (mut sup, cmds) = logged_in_as(Lang::En, "supervisor", &["supervisor"], (200, 50));
    let Some(Cmd::Queue { seq: qseq, .. }) = cmds
        .iter()
        .find(|c| matches!(c, Cmd::Queue { first: 34, .. }))
    else {
        panic!("{cmds:?}")
    };
    let Some(Cmd::Summary { seq: sseq }) = cmds.iter().find(|c| matches!(c, Cmd::Summary { .. }))
    else {
        panic!("{cmds:?}")
    };
    reply(
        &mut sup,
        Reply::Read(ListReply::Summary {
            seq: *sseq,
            result: Ok(data(summary())),
        }),
    );
    let d: amparo::api::case_queue::ResponseData = data(queue("caseQueue", 0..34, true));
    reply(
        &mut sup,
        Reply::Read(ListReply::Queue {
            seq: *qseq,
            page: 0,
            result: Ok(CasePage {
                has_next: true,
                end_cursor: Some("c1".into()),
                rows: d
                    .case_queue
                    .edges
                    .into_iter()
                    .map(|e| e.node.into())
                    .collect(),
            }),
        }),
    );
    // All thirty-four fit above the hints.
    let screen = render_at(&sup, 200, 50);
    assert!(screen.contains("DPIN-C-0000033"), "{screen}");
    assert!(screen.contains("n/p"), "the hints still show: {screen}");
    assert_eq!(app.screens.reviews.page_size, 32);
    // A very tall window asks for no more than the API's largest page, and a tiny one for one row.
    update(&mut app, Msg::Resize(80, 300));
    assert_eq!(app.screens.search.page_size, 100);
    update(&mut app, Msg::Resize(80, 5));
    assert_eq!(app.screens.search.page_size, 1);
    assert_eq!(app.screens.work.page_size, 1);
}

#[test]
fn case_screens_and_every_action_form() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &ALL_ACTIONS);
        assert_eq!(app.screen(), Screen::Case);
        insta::assert_snapshot!(format!("case_{code}"), render(&app));
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_case_{code}"), render(&app));
        press(&mut app, KeyCode::Right);
        insta::assert_snapshot!(format!("help_case_page2_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::PageDown);
        insta::assert_snapshot!(format!("case_page2_{code}"), render(&app));
        press(&mut app, KeyCode::PageUp);
        for a in amparo::actions::ACTIONS {
            let (key, action) = (a.key, a.kind);
            let cmds = press(&mut app, KeyCode::Char(key));
            if matches!(
                action,
                Kind::ScheduleInterview | Kind::Reopen | Kind::Assign
            ) && !cmds.is_empty()
            {
                assert!(matches!(cmds.as_slice(), [Cmd::Officers]), "{cmds:?}");
                reply(
                    &mut app,
                    Reply::Officers(Ok(data(json!({ "assignableOfficers": [
                        { "id": "user-officer", "username": "officer", "displayName": "Officer" },
                        { "id": "user-officer2", "username": "officer2", "displayName": "Officer 2" },
                        { "id": "user-supervisor2", "username": "supervisor2", "displayName": "Sup 2" }
                    ] })))),
                );
            }
            assert!(app.screens.case.form.is_some(), "{key} opened no form");
            insta::assert_snapshot!(format!("form_{key}_{code}"), render(&app));
            press(&mut app, KeyCode::Esc);
            assert!(app.screens.case.form.is_none());
        }
    }
}

#[test]
fn only_allowed_actions_open_forms() {
    let mut app = officer_on_case(Lang::En, &["RECORD_CONTACT"]);
    app.dirty = false;
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert!(app.screens.case.form.is_none() && !app.dirty);
    let screen = render(&app);
    assert!(
        screen.contains("c contact") && !screen.contains("d admissibility"),
        "{screen}"
    );
}

#[test]
fn an_interview_sends_the_language_interpreted_and_a_sex_override_reason() {
    let mut app = officer_on_case(Lang::En, &["RECORD_INTERVIEW"]);
    press(&mut app, KeyCode::Char('i'));
    for (value, tabs) in [("spa", 4), ("the applicant agreed on the day", 1)] {
        for _ in 0..tabs {
            press(&mut app, KeyCode::Tab);
        }
        type_text(&mut app, value);
    }
    let cmds = ctrl(&mut app, 's');
    let (_, vars) = sent_action(&cmds);
    assert_eq!(
        vars["input"],
        json!({
            "caseId": "case-0",
            "version": 7,
            "principalAttended": true,
            // The appointment's time, 10:00 in Quito, unless the officer changes it.
            "heldAt": "2026-12-02T15:00:00Z",
            "notesRef": null,
            "interpreterLanguage": "spa",
            "overrideReason": "the applicant agreed on the day",
        })
    );
}

#[test]
fn an_interview_cannot_be_dated_before_its_appointment_or_in_the_future() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &["RECORD_INTERVIEW"]);
        press(&mut app, KeyCode::Char('i'));
        let screen = render(&app);
        assert!(
            screen.contains("2026-12-02") && screen.contains("10:00"),
            "{screen}"
        );
        press(&mut app, KeyCode::Tab);
        ctrl(&mut app, 'u');
        // The appointment was on the 2nd: the 30th before it cannot be the interview's day.
        type_text(&mut app, "2026-11-30");
        assert!(
            ctrl(&mut app, 's').is_empty(),
            "a backdated interview was sent"
        );
        insta::assert_snapshot!(format!("interview_backdated_{code}"), render(&app));
        ctrl(&mut app, 'u');
        type_text(&mut app, "2099-01-04");
        assert!(
            ctrl(&mut app, 's').is_empty(),
            "a future interview was sent"
        );
        let screen = render(&app);
        let expected = match lang {
            Lang::Es => "aún no ha llegado",
            Lang::En => "not yet come",
        };
        assert!(screen.contains(expected), "{screen}");
    }
}

#[test]
fn a_contact_takes_a_channel_from_the_list_and_a_note() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &["RECORD_CONTACT"]);
        press(&mut app, KeyCode::Char('c'));
        // Typing narrows by the name in the user's language.
        type_text(
            &mut app,
            match lang {
                Lang::Es => "llamada",
                Lang::En => "phone",
            },
        );
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Asks to move the interview");
        insta::assert_snapshot!(format!("contact_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let (_, vars) = sent_action(&cmds);
        assert_eq!(
            vars["contact"],
            json!({ "channel": "phone", "note": "Asks to move the interview" })
        );
    }
}

#[test]
fn a_notification_takes_its_day_and_method() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &["NOTIFY_DECISION"]);
        press(&mut app, KeyCode::Char('t'));
        type_text(&mut app, "2026-11-30");
        press(&mut app, KeyCode::Tab);
        type_text(
            &mut app,
            match lang {
                Lang::Es => "electr",
                Lang::En => "mail",
            },
        );
        insta::assert_snapshot!(format!("notify_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let (_, vars) = sent_action(&cmds);
        assert_eq!(
            vars["notification"],
            // A past day without a time is dated at the close of that working day.
            json!({ "notifiedAt": "2026-11-30T22:00:00Z", "method": "email" })
        );
    }
}

#[test]
fn the_case_history_shows_what_each_step_recorded() {
    let app = officer_on_case(Lang::En, &[]);
    let screen = render_at(&app, 200, 50);
    assert!(screen.contains("Phone call"), "{screen}");
    assert!(screen.contains("«Asks to move the"), "{screen}");
    assert!(screen.contains("held 2026-11-20 10:00"), "{screen}");
}

#[test]
fn an_office_in_another_zone_shows_and_reads_times_on_its_own_clock() {
    // An officer of an office in the Galápagos (UTC-6), next to a Quito session (UTC-5) in the
    // same process: each keeps its own clock.
    let (mut quito, cmds) = logged_in_as(Lang::En, "officer", &["eligibility_officer"], (80, 24));
    work_reply(&mut quito, &cmds, queue("myWork", 0..3, false));
    let mut app = App::new(Lang::Es, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "officer.gps");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    let cmds = reply(
        &mut app,
        Reply::Me(Ok(data(json!({ "me": {
            "id": "user-officer", "username": "officer.gps", "roles": ["eligibility_officer"],
            "office": { "name": "Galápagos", "timeZone": "Pacific/Galapagos", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } },
            "operationUnit": { "timeZone": "America/Guayaquil", "modules": ["registration", "rsd"], "hasFieldNodes": false } } })))),
    );
    work_reply(&mut app, &cmds, queue("myWork", 0..3, false));
    // Due 2026-12-01T15:00Z: 09:00 on the islands (the time shows on a wide window).
    let wide = render_at(&app, 200, 50);
    assert!(wide.contains("2026-12-01 09:00"), "{wide}");
    let cmds = press(&mut app, KeyCode::Enter);
    case_reply(&mut app, &cmds, case_record(&ALL_ACTIONS));
    let screen = render(&app);
    assert!(
        screen.contains("Próxima entrevista: 2026-12-02 09:00"),
        "{screen}"
    );
    assert!(screen.contains("Cita: 2026-12-02 09:00"), "{screen}");
    // A deadline at midnight on the mainland is 23:00 the day before on the islands.
    assert!(screen.contains("Decisión hasta: 2026-12-19"), "{screen}");

    press(&mut app, KeyCode::Char('s'));
    reply(
        &mut app,
        Reply::Officers(Err(ApiError::Forbidden("supervisors".into()))),
    );
    assert!(
        render(&app).contains("Hora Galápagos (HH:MM)"),
        "{}",
        render(&app)
    );
    type_text(&mut app, "2026-12-07");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "10:30");
    let cmds = ctrl(&mut app, 's');
    let (_, vars) = sent_action(&cmds);
    // 10:30 on the islands is 16:30 UTC; the same time typed in Quito is 15:30 UTC.
    assert_eq!(vars["input"]["at"], json!("2026-12-07T16:30:00Z"));
    let wide = render_at(&quito, 200, 50);
    assert!(wide.contains("2026-12-01 10:00"), "{wide}");
}

#[test]
fn forms_validate_inline_keep_their_id_on_retry_and_send_the_version_read() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &ALL_ACTIONS);
        press(&mut app, KeyCode::Char('s'));
        reply(
            &mut app,
            Reply::Officers(Err(ApiError::Forbidden("supervisors".into()))),
        );
        type_text(&mut app, "2026-12-05");
        press(&mut app, KeyCode::Tab);
        // A Saturday, and 18:00 is after hours anyway.
        type_text(&mut app, "18:00");
        assert!(ctrl(&mut app, 's').is_empty(), "an invalid form was sent");
        insta::assert_snapshot!(format!("form_schedule_invalid_{code}"), render(&app));

        press(&mut app, KeyCode::BackTab);
        for _ in 0..2 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "07");
        press(&mut app, KeyCode::Tab);
        for _ in 0..5 {
            press(&mut app, KeyCode::Backspace);
        }
        type_text(&mut app, "10:30");
        let cmds = ctrl(&mut app, 's');
        let (cmid, vars) = sent_action(&cmds);
        assert_eq!(
            vars["input"],
            json!({
                "caseId": "case-0",
                "version": 7,
                "at": "2026-12-07T15:30:00Z",
                "minutes": 120,
                "officerId": null,
                "language": null,
                "interpreterId": null,
                "overrideReason": null,
                "rescheduleAppointmentId": null,
            })
        );
        insta::assert_snapshot!(format!("form_sending_{code}"), render(&app));
        let first = cmid.clone();
        reply(
            &mut app,
            Reply::Act {
                cmid: first.clone(),
                result: Err(ApiError::Network("timed out".into())),
            },
        );
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Act { cmid, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(cmid, &first, "a retry after a timeout reuses the id");
        reply(
            &mut app,
            Reply::Act {
                cmid: first.clone(),
                result: Err(ApiError::Validation {
                    field: "input.at".into(),
                    reason: Reason::AlreadyBooked(Box::new(BookingClash {
                        who: "officer".into(),
                        starts: "2026-12-15T15:00:00Z".into(),
                        ends: "2026-12-15T17:00:00Z".into(),
                    })),
                    message: "the officer is already booked from 2026-12-15 15:00 to 17:00 UTC"
                        .into(),
                }),
            },
        );
        assert!(
            app.screens.case.form.is_some(),
            "the form is kept after a refusal"
        );
        insta::assert_snapshot!(format!("form_refused_{code}"), render(&app));

        let cmds = ctrl(&mut app, 's');
        assert!(matches!(cmds.as_slice(), [Cmd::Act { .. }]));
        let cmds = reply(
            &mut app,
            Reply::Act {
                cmid: first,
                result: Ok(ActDone {
                    status: Some("scheduled".into()),
                    cases: 1,
                }),
            },
        );
        assert!(app.screens.case.form.is_none());
        assert!(matches!(cmds.as_slice(), [Cmd::Case { .. }]), "{cmds:?}");
        let mut record = case_record(&["RECORD_CONTACT"]);
        record["case"]["status"] = json!("scheduled");
        case_reply(&mut app, &cmds, record);
        insta::assert_snapshot!(format!("case_done_{code}"), render(&app));
    }
}

#[test]
fn the_case_shows_one_message_at_a_time_with_its_kind() {
    for (lang, code) in LANGS {
        let mut app = officer_on_case(lang, &["RECORD_CONTACT"]);
        press(&mut app, KeyCode::Char('c'));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Act { cmid, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let cmds = reply(
            &mut app,
            Reply::Act {
                cmid: cmid.clone(),
                result: Ok(ActDone {
                    status: Some("scheduled".into()),
                    cases: 1,
                }),
            },
        );
        // The re-read after the action finds the server gone: the failure replaces "done",
        // it is not written after it.
        let Some(Cmd::Case { seq, .. }) = cmds.iter().find(|c| matches!(c, Cmd::Case { .. }))
        else {
            panic!("no case read in {cmds:?}")
        };
        reply(
            &mut app,
            Reply::Read(ListReply::Case {
                seq: *seq,
                result: Err(ApiError::Network("connection refused".into())),
            }),
        );
        let screen = render(&app);
        let t = amparo::i18n::text(lang);
        assert!(screen.contains(t.err_network), "{screen}");
        assert!(
            !screen.contains("Done; now") && !screen.contains("Hecho; ahora"),
            "{screen}"
        );
        insta::assert_snapshot!(format!("case_failed_after_done_{code}"), render(&app));
    }
}

#[test]
fn an_unreachable_server_shows_link_down_without_a_key() {
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        assert!(render(&app).contains(amparo::i18n::text(lang).online));
        let cmds = update(&mut app, Msg::Live(LiveEvent::Unreachable));
        assert!(cmds.is_empty(), "{cmds:?}");
        assert!(app.dirty, "the status line is drawn again at once");
        insta::assert_snapshot!(format!("unreachable_{code}"), render(&app));
    }
}

#[test]
fn an_assessment_needs_codes_that_fit_each_outcome() {
    let mut app = officer_on_case(Lang::En, &ALL_ACTIONS);
    press(&mut app, KeyCode::Char('e'));
    // María: recognised, the ground picked by typing part of its name.
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "1951");
    // Pablo: rejected; the list now offers reasons of a rejection, in words.
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "convention");
    assert!(
        render(&app).contains("no_convention_ground No link to a Convention ground"),
        "{}",
        render(&app)
    );
    type_text(&mut app, "zzz");
    assert!(ctrl(&mut app, 's').is_empty(), "no reason chosen");
    assert!(render(&app).contains("required"), "{}", render(&app));
    for _ in 0.."convention".len() + 3 {
        press(&mut app, KeyCode::Backspace);
    }
    type_text(&mut app, "credible");
    insta::assert_snapshot!("form_assessment_picker_en", render(&app));
    let cmds = ctrl(&mut app, 's');
    let (_, vars) = sent_action(&cmds);
    assert_eq!(
        vars["input"]["recommendations"],
        json!([
            { "individualId": "p1", "outcome": "recognised", "ground": "convention_1951",
              "reasons": [], "clauses": [] },
            { "individualId": "p2", "outcome": "rejected", "ground": null,
              "reasons": ["not_credible"], "clauses": [] },
        ])
    );
    assert_eq!(vars["input"]["assessmentRef"], json!(null));
}

#[test]
fn a_failed_me_keeps_the_login_screen_with_the_reason() {
    let mut app = App::new(Lang::En, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "officer");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    reply(&mut app, Reply::Me(Err(ApiError::Network("reset".into()))));
    assert_eq!(app.screen(), Screen::Login);
    assert!(render(&app).contains("No connection"), "{}", render(&app));
}

#[test]
fn my_work_re_reads_only_for_its_own_cases() {
    let (mut app, cmds) = logged_in_as(Lang::En, "officer", &["eligibility_officer"], (80, 24));
    work_reply(&mut app, &cmds, queue("myWork", 0..3, false));
    let notice = |app: &mut App, case: &str, officer: &str| {
        update(
            app,
            Msg::Live(LiveEvent::Notice {
                case_id: case.into(),
                kind: "assigned".into(),
                officer_ids: vec![officer.into()],
            }),
        )
    };
    assert!(notice(&mut app, "case-77", "user-officer2").is_empty());
    let cmds = notice(&mut app, "case-77", "user-officer");
    assert!(
        matches!(cmds.as_slice(), [Cmd::Silent(c)] if matches!(**c, Cmd::Work { .. })),
        "{cmds:?}"
    );
}

#[test]
fn supervisor_screens_and_bulk_reassignment() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = logged_in_as(lang, "supervisor", &["supervisor"], (80, 24));
        assert_eq!(app.screen(), Screen::Supervisor);
        let Some(Cmd::Summary { seq: sseq }) =
            cmds.iter().find(|c| matches!(c, Cmd::Summary { .. }))
        else {
            panic!("{cmds:?}")
        };
        let Some(Cmd::Queue {
            seq: qseq, list, ..
        }) = cmds.iter().find(|c| matches!(c, Cmd::Queue { .. }))
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(*list, CaseList::AWAITING_REVIEW);
        reply(
            &mut app,
            Reply::Read(ListReply::Summary {
                seq: *sseq,
                result: Ok(data(summary())),
            }),
        );
        let page = |ids: std::ops::Range<usize>| {
            let d: amparo::api::case_queue::ResponseData = data(queue("caseQueue", ids, false));
            CasePage {
                has_next: false,
                end_cursor: None,
                rows: d
                    .case_queue
                    .edges
                    .into_iter()
                    .map(|e| e.node.into())
                    .collect(),
            }
        };
        reply(
            &mut app,
            Reply::Read(ListReply::Queue {
                seq: *qseq,
                page: 0,
                result: Ok(page(0..5)),
            }),
        );
        update(&mut app, Msg::Live(LiveEvent::Up));
        insta::assert_snapshot!(format!("supervisor_{code}"), render(&app));
        insta::assert_snapshot!(
            format!("supervisor_200x50_{code}"),
            render_at(&app, 200, 50)
        );
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_supervisor_{code}"), render(&app));
        // Every key on one page at 80x24, every description whole.
        assert_eq!(app.help_pages(), 1);
        press(&mut app, KeyCode::Esc);
        assert!(app.help.is_none());

        press(&mut app, KeyCode::Char(' '));
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char(' '));
        let cmds = press(&mut app, KeyCode::Char('a'));
        assert!(matches!(cmds.as_slice(), [Cmd::Officers]), "{cmds:?}");
        reply(
            &mut app,
            Reply::Officers(Ok(data(json!({ "assignableOfficers": [
                { "id": "user-officer", "username": "officer", "displayName": "Officer" },
                { "id": "user-officer2", "username": "officer2", "displayName": "Officer 2" }
            ] })))),
        );
        press(&mut app, KeyCode::Right);
        insta::assert_snapshot!(format!("supervisor_reassign_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        let (cmid, vars) = sent_action(&cmds);
        assert_eq!(
            vars["input"],
            json!({
                "cases": [{ "caseId": "case-0", "version": 4 }, { "caseId": "case-2", "version": 4 }],
                "officerId": "user-officer2",
            })
        );
        let cmds = reply(
            &mut app,
            Reply::Act {
                cmid: cmid.clone(),
                result: Ok(ActDone {
                    status: None,
                    cases: 2,
                }),
            },
        );
        assert!(app.screens.supervisor.chosen.is_empty());
        assert_eq!(cmds.len(), 2, "{cmds:?}");

        let cmds = press(&mut app, KeyCode::Char('3'));
        assert!(cmds.iter().any(
            |c| matches!(c, Cmd::Queue { list, .. } if *list == CaseList::APPEALS_NEAR_DEADLINE)
        ));
    }
}

#[test]
fn notices_re_read_once_per_burst_and_an_unchanged_answer_draws_nothing() {
    let mut app = officer_on_case(Lang::En, &ALL_ACTIONS);
    let notice = |app: &mut App, case: &str| {
        update(
            app,
            Msg::Live(LiveEvent::Notice {
                case_id: case.into(),
                kind: "contact_recorded".into(),
                officer_ids: vec!["user-officer".into()],
            }),
        )
    };
    app.dirty = false;
    assert!(
        notice(&mut app, "case-99").is_empty(),
        "another case is not on screen"
    );
    let cmds = notice(&mut app, "case-0");
    let [Cmd::Silent(inner)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let Cmd::Case { seq, .. } = inner.as_ref() else {
        panic!("{inner:?}")
    };
    assert_eq!(app.pending, 0, "a re-read shows no pending marker");
    // A burst while the read is out makes one more read, not one per notice.
    assert!(notice(&mut app, "case-0").is_empty());
    assert!(notice(&mut app, "case-0").is_empty());
    assert!(!app.dirty);
    let silent = |seq: u64, record| {
        Reply::Silent(Box::new(Reply::Read(ListReply::Case {
            seq,
            result: Ok(Box::new(data(record))),
        })))
    };
    let cmds = reply(&mut app, silent(*seq, case_record(&ALL_ACTIONS)));
    assert!(!app.dirty, "the same case again must not repaint");
    let [Cmd::Silent(inner)] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let Cmd::Case { seq, .. } = inner.as_ref() else {
        panic!("{inner:?}")
    };
    let mut changed = case_record(&["RECORD_CONTACT"]);
    changed["case"]["version"] = json!(8);
    let cmds = reply(&mut app, silent(*seq, changed));
    assert!(cmds.is_empty(), "the burst is over: {cmds:?}");
    assert!(app.dirty, "a changed case repaints");
    assert!(!render(&app).contains("d admissibility"));

    update(&mut app, Msg::Live(LiveEvent::Up));
    app.dirty = false;
    update(&mut app, Msg::Live(LiveEvent::Up));
    assert!(!app.dirty, "the link was already up");
    update(&mut app, Msg::Live(LiveEvent::Down));
    assert!(app.dirty);
    assert!(!render(&app).contains("● live"));
    // Back up: what was missed meanwhile is read again, once.
    let cmds = update(&mut app, Msg::Live(LiveEvent::Up));
    assert!(
        matches!(cmds.as_slice(), [Cmd::Silent(c)] if matches!(**c, Cmd::Case { .. })),
        "{cmds:?}"
    );
}

// ---- Possible duplicates ----

const POSITIONS: [&str; 12] = [
    "RIGHT_THUMB",
    "RIGHT_INDEX",
    "RIGHT_MIDDLE",
    "RIGHT_RING",
    "RIGHT_LITTLE",
    "LEFT_THUMB",
    "LEFT_INDEX",
    "LEFT_MIDDLE",
    "LEFT_RING",
    "LEFT_LITTLE",
    "RIGHT_IRIS",
    "LEFT_IRIS",
];

/// The moment the fixtures' pages are read: ages count to then.
fn read_at() -> chrono::DateTime<chrono::Utc> {
    "2026-11-27T12:00:00Z".parse().expect("fixture time")
}

fn review_row(i: usize, candidate_in_scope: bool) -> serde_json::Value {
    let side = |n: usize, name: &str, shown: bool| {
        json!({
            "individualId": format!("i-{n}"),
            "individual": shown.then(|| json!({
                "individualNumber": format!("DPIN-I-{n:07}"),
                "fullName": name,
            })),
        })
    };
    let created = [
        "2026-11-20T09:15:00Z",
        "2026-11-27T07:30:00Z",
        "2026-11-27T11:48:00Z",
    ][i % 3];
    json!({ "node": {
        "id": format!("rev-{i}"),
        "score": 1.0 + i as f64 * 0.73,
        "createdAt": created,
        "enrolled": side(10 + i, "Fatima Al-Hassan Mahmoud", true),
        "candidate": side(i + 1, "Fátima Hassan", candidate_in_scope),
    }})
}

fn reviews_page(rows: Vec<serde_json::Value>) -> amparo::msg::ReviewsPage {
    let d: amparo::api::biometric_reviews::ResponseData = data(json!({ "biometricReviews": {
        "edges": rows,
        "pageInfo": { "hasNextPage": false, "endCursor": null },
    }}));
    amparo::msg::ReviewsPage {
        rows: d
            .biometric_reviews
            .edges
            .into_iter()
            .map(|e| e.node)
            .collect(),
        has_next: d.biometric_reviews.page_info.has_next_page,
        end_cursor: d.biometric_reviews.page_info.end_cursor,
    }
}

fn review_record(status: &str) -> serde_json::Value {
    let scores: Vec<_> = POSITIONS
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != 9)
        .map(|(k, p)| json!({ "position": p, "score": 0.05 + (k as f64) * 0.031, "matched": k % 3 != 1 }))
        .collect();
    let samples = |skip: usize| -> Vec<serde_json::Value> {
        POSITIONS
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != skip)
            .map(|(_, p)| json!({ "position": p }))
            .collect()
    };
    json!({ "biometricReview": {
        "id": "rev-1",
        "version": 3,
        "status": status,
        "score": 2.46,
        "createdAt": "2026-11-27T07:30:00Z",
        "decisionReason": null,
        "positionScores": scores,
        "enrolled": {
            "individualId": "i-11",
            "enrolledAt": "2026-11-27T07:29:41Z",
            "individual": {
                "individualNumber": "DPIN-I-0000011", "fullName": "Fatima Al-Hassan Mahmoud",
                "sex": "F", "dateOfBirth": "1990-07-15", "nationalities": ["SYR", "JOR"],
                "office": { "name": "Quito" },
            },
            "samples": samples(9),
        },
        "candidate": {
            "individualId": "i-2",
            "enrolledAt": "2026-10-02T16:05:00Z",
            "individual": {
                "individualNumber": "DPIN-I-0000002", "fullName": "Fátima Hassan",
                "sex": "F", "dateOfBirth": "1991-01-01", "nationalities": ["SYR"],
                "office": { "name": "Guayaquil" },
            },
            "samples": samples(99),
        },
    }})
}

/// A protection officer on the queue with three reviews, the first candidate outside scope.
fn on_reviews(lang: Lang) -> App {
    let (mut app, _) = logged_in_as(lang, "protection", &["protection_officer"], (80, 24));
    let cmds = press(&mut app, KeyCode::F(6));
    let [
        Cmd::Reviews {
            seq,
            page: 0,
            after: None,
            first: 16,
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(app.screen(), Screen::Reviews);
    reply(
        &mut app,
        Reply::Reviews {
            seq: *seq,
            page: 0,
            read_at: read_at(),
            result: Ok(reviews_page(vec![
                review_row(0, true),
                review_row(1, false),
                review_row(2, true),
            ])),
        },
    );
    app
}

fn open_review(app: &mut App, status: &str) {
    let cmds = press(app, KeyCode::Enter);
    let [Cmd::Review { seq, id }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(app.screen(), Screen::Review);
    let seq = *seq;
    let id = id.clone();
    let d: amparo::api::biometric_review::ResponseData = data(review_record(status));
    let record = d.biometric_review.map(Box::new);
    assert!(record.is_some(), "{id}");
    reply(
        app,
        Reply::Review {
            seq,
            result: Ok(record),
        },
    );
}

#[test]
fn review_screens_and_a_decision() {
    for (lang, code) in LANGS {
        let mut app = on_reviews(lang);
        insta::assert_snapshot!(format!("reviews_{code}"), render(&app));
        // Keys that change nothing ask for no frame.
        app.dirty = false;
        assert!(press(&mut app, KeyCode::Up).is_empty());
        assert!(press(&mut app, KeyCode::PageDown).is_empty());
        assert!(!app.dirty);

        press(&mut app, KeyCode::Down);
        open_review(&mut app, "PENDING");
        insta::assert_snapshot!(format!("review_{code}"), render(&app));

        // Without a reason nothing is sent, and the form says why.
        assert!(press(&mut app, KeyCode::Char('d')).is_empty());
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        assert!(ctrl(&mut app, 's').is_empty());
        insta::assert_snapshot!(format!("review_reason_required_{code}"), render(&app));
        press(&mut app, KeyCode::F(1));
        let help = render(&app);
        assert!(help.contains("Ctrl-S"), "{help}");
        press(&mut app, KeyCode::Esc);

        type_text(&mut app, " Different ridge counts; distinct irises ");
        let cmds = ctrl(&mut app, 's');
        let [
            Cmd::Decide {
                cmid,
                review_id,
                version,
                decision,
                reason,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(review_id, "rev-1");
        assert_eq!(*version, 3);
        assert_eq!(*decision, amparo::msg::Decision::DifferentPeople);
        assert_eq!(reason, "Different ridge counts; distinct irises");
        let cmid = cmid.clone();

        // A lost answer keeps the form; the retry is the same decision to the server.
        reply(
            &mut app,
            Reply::Decide {
                cmid: cmid.clone(),
                result: Err(ApiError::Network("timed out".into())),
            },
        );
        assert_eq!(app.screen(), Screen::Review);
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(cmds.as_slice(), [Cmd::Decide { cmid: again, .. }] if *again == cmid),
            "{cmds:?}"
        );
        // An answer to another form is not this one's.
        reply(
            &mut app,
            Reply::Decide {
                cmid: "someone-else".into(),
                result: Ok(()),
            },
        );
        assert_eq!(app.screen(), Screen::Review);

        let cmds = reply(
            &mut app,
            Reply::Decide {
                cmid,
                result: Ok(()),
            },
        );
        assert_eq!(app.screen(), Screen::Reviews);
        let [
            Cmd::Reviews {
                seq,
                page: 0,
                after: None,
                first: 16,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        reply(
            &mut app,
            Reply::Reviews {
                seq: *seq,
                page: 0,
                read_at: read_at(),
                result: Ok(reviews_page(vec![review_row(0, true), review_row(2, true)])),
            },
        );
        insta::assert_snapshot!(format!("reviews_decided_{code}"), render(&app));
    }
}

#[test]
fn a_conflict_closes_the_form_and_re_reads_the_review() {
    let mut app = on_reviews(Lang::En);
    open_review(&mut app, "PENDING");
    press(&mut app, KeyCode::Char('s'));
    type_text(&mut app, "same thumbs");
    let cmds = press(&mut app, KeyCode::Enter);
    let [Cmd::Decide { cmid, decision, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(*decision, amparo::msg::Decision::SamePerson);
    let cmds = reply(
        &mut app,
        Reply::Decide {
            cmid: cmid.clone(),
            result: Err(ApiError::Conflict("version".into())),
        },
    );
    assert!(app.screens.review.form.is_none());
    let [Cmd::Review { seq, id }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(id, "rev-0");
    let seq = *seq;
    // A reply to the read before the conflict is stale and changes nothing.
    let d: amparo::api::biometric_review::ResponseData = data(review_record("PENDING"));
    reply(
        &mut app,
        Reply::Review {
            seq: seq - 1,
            result: Ok(d.biometric_review.map(Box::new)),
        },
    );
    assert!(app.screens.review.loading);
    let d: amparo::api::biometric_review::ResponseData = data(review_record("SAME_PERSON"));
    reply(
        &mut app,
        Reply::Review {
            seq,
            result: Ok(d.biometric_review.map(Box::new)),
        },
    );
    let screen = render(&app);
    assert!(screen.contains("Someone changed this record"), "{screen}");
    assert!(screen.contains("Status: same person"), "{screen}");
    // Decided by someone else: nothing left to decide.
    assert!(press(&mut app, KeyCode::Char('d')).is_empty());
    assert!(app.screens.review.form.is_none());
}

#[test]
fn only_adjudicators_reach_the_queue() {
    let mut app = logged_in(Lang::En);
    assert!(press(&mut app, KeyCode::F(6)).is_empty());
    assert_eq!(app.screen(), Screen::Search);
    let (mut app, _) = logged_in_as(Lang::Es, "supervisor", &["supervisor"], (80, 24));
    press(&mut app, KeyCode::F(1));
    assert!(render(&app).contains("F6"), "{}", render(&app));
    press(&mut app, KeyCode::Esc);
    let cmds = press(&mut app, KeyCode::F(6));
    assert!(matches!(cmds.as_slice(), [Cmd::Reviews { .. }]), "{cmds:?}");
}

#[test]
fn quitting_with_unsent_work_asks_first() {
    for (lang, code) in LANGS {
        // Nothing typed: Ctrl-Q quits at once, as before.
        let mut app = logged_in(lang);
        ctrl(&mut app, 'q');
        assert!(app.quit, "nothing to lose, nothing to ask");

        // A half-typed registration: Ctrl-C asks, a second Ctrl-C keeps asking, any other key
        // stays with the form as it was.
        let mut app = filled_form(lang);
        ctrl(&mut app, 'c');
        assert!(!app.quit && app.quit_asked);
        insta::assert_snapshot!(format!("quit_unsent_{code}"), render(&app));
        ctrl(&mut app, 'c');
        assert!(!app.quit && app.quit_asked);
        press(&mut app, KeyCode::Char('n'));
        assert!(!app.quit && !app.quit_asked);
        assert_eq!(app.screens.register.members.len(), 3, "the form is kept");
        // Away on another screen the form still waits, so the question still comes.
        press(&mut app, KeyCode::F(2));
        ctrl(&mut app, 'q');
        assert!(app.quit_asked);
        press(
            &mut app,
            KeyCode::Char(if lang == Lang::Es { 's' } else { 'y' }),
        );
        assert!(app.quit);

        // An open action form on a case is unsent work too.
        let mut app = officer_on_case(lang, &["RECORD_NO_SHOW"]);
        press(&mut app, KeyCode::Char('x'));
        assert!(app.screens.case.form.is_some());
        ctrl(&mut app, 'q');
        assert!(app.quit_asked && !app.quit);
        press(&mut app, KeyCode::Esc);
        assert!(
            app.screens.case.form.is_some(),
            "the answer key goes to no form"
        );

        // Under amparo demo the question names the database and how to keep it.
        let mut app = logged_in(lang);
        app.demo = true;
        app.demo_db = Some(("/tmp/amparo-demo-0/amparo.db".into(), false));
        ctrl(&mut app, 'c');
        assert!(app.quit_asked);
        insta::assert_snapshot!(format!("quit_demo_{code}"), render(&app));
    }
}

/// A registrar on person `id-1`, read.
fn on_person(lang: Lang) -> App {
    let mut app = logged_in(lang);
    let cmds = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(cmds.is_empty());
    app.open_individual("id-1".into(), &mut Vec::new());
    let seq = app.screens.individual.record.seq;
    reply(
        &mut app,
        Reply::Individual {
            seq,
            result: Ok(data(individual())),
        },
    );
    assert_eq!(app.screen(), Screen::Individual);
    app
}

fn sent_person(cmds: &[Cmd]) -> (String, amparo::msg::PersonInput) {
    match cmds {
        [Cmd::Person { cmid, input }] => (cmid.clone(), (**input).clone()),
        other => panic!("expected one person command, got {other:?}"),
    }
}

#[test]
fn a_person_gets_a_need_picked_from_the_list_a_document_and_a_correction() {
    use amparo::msg::PersonInput;
    for (lang, code) in LANGS {
        let mut app = on_person(lang);
        // A need: typed letters narrow the list of needs by name (accents ignored), the
        // sub-codes follow the need chosen.
        press(&mut app, KeyCode::Char('+'));
        assert!(app.screens.individual.form.is_some());
        type_text(
            &mut app,
            if lang == Lang::Es {
                "separado"
            } else {
                "separated"
            },
        );
        insta::assert_snapshot!(format!("person_need_picker_{code}"), render(&app));
        press(&mut app, KeyCode::Tab);
        type_text(
            &mut app,
            if lang == Lang::Es {
                "no acompa"
            } else {
                "unaccomp"
            },
        );
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "found alone at the border");
        let cmds = ctrl(&mut app, 's');
        let (cmid, input) = sent_person(&cmds);
        assert_eq!(
            input,
            PersonInput::AddNeed {
                individual_id: "id-1".into(),
                code: "SC".into(),
                sub_code: Some("SC-UC".into()),
                comments: Some("found alone at the border".into()),
            }
        );
        // Quitting now would lose it.
        assert!(app.must_ask_before_quitting());
        let cmds = reply(
            &mut app,
            Reply::Person {
                cmid,
                result: Ok(None),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::Individual { id, .. }] if id == "id-1"));
        assert!(app.screens.individual.form.is_none());

        // A document: its type from the list, the number typed, no country.
        press(&mut app, KeyCode::Char('d'));
        type_text(&mut app, "cedula");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "1712345678");
        let (_, input) = sent_person(&ctrl(&mut app, 's'));
        assert_eq!(
            input,
            PersonInput::AddDocument {
                individual_id: "id-1".into(),
                document_type: "cedula".into(),
                number: "1712345678".into(),
                issuing_country: None,
            }
        );
        press(&mut app, KeyCode::Esc);

        // A correction sends only what changed, with the version read.
        press(&mut app, KeyCode::Char('e'));
        let cmds = ctrl(&mut app, 's');
        assert!(cmds.is_empty(), "nothing changed, nothing sent");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        ctrl(&mut app, 'u');
        type_text(&mut app, "1985-02-30");
        assert!(ctrl(&mut app, 's').is_empty(), "not a date");
        insta::assert_snapshot!(format!("person_correct_bad_date_{code}"), render(&app));
        ctrl(&mut app, 'u');
        type_text(&mut app, "1985-03-02");
        let (cmid, input) = sent_person(&ctrl(&mut app, 's'));
        assert_eq!(
            input,
            PersonInput::Update {
                id: "id-1".into(),
                version: 3,
                given_names: None,
                family_name: None,
                original_script_name: None,
                date_of_birth: Some("1985-03-02".into()),
                nationalities: None,
                languages: None,
                addresses: None,
                phones: None,
            }
        );
        // Someone else changed the given names meanwhile: the record is read again under the
        // form, which keeps the date typed, takes their names and says what changed.
        let cmds = reply(
            &mut app,
            Reply::Person {
                cmid,
                result: Err(ApiError::Conflict("version".into())),
            },
        );
        let [Cmd::Individual { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let mut fresh = individual();
        fresh["individual"]["version"] = json!(4);
        fresh["individual"]["givenNames"] = json!("Muhammad");
        reply(
            &mut app,
            Reply::Individual {
                seq: *seq,
                result: Ok(data(fresh)),
            },
        );
        insta::assert_snapshot!(format!("person_correct_conflict_{code}"), render(&app));
        let (_, input) = sent_person(&ctrl(&mut app, 's'));
        assert!(
            matches!(&input, PersonInput::Update { version: 4, given_names: None, date_of_birth: Some(d), .. } if d == "1985-03-02"),
            "{input:?}"
        );
        press(&mut app, KeyCode::Esc);

        // The address, phone and language: the first of each is edited, the whole list sent
        // (the other language kept as read, the past address left alone).
        press(&mut app, KeyCode::Char('e'));
        for _ in 0..5 {
            press(&mut app, KeyCode::Tab);
        }
        ctrl(&mut app, 'u');
        type_text(&mut app, "Calle Larga 5");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        ctrl(&mut app, 'u');
        type_text(&mut app, "12");
        assert!(ctrl(&mut app, 's').is_empty(), "not a phone");
        ctrl(&mut app, 'u');
        type_text(&mut app, "+593 98 000 1111");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, if lang == Lang::Es { "kurdo" } else { "kurdish" });
        insta::assert_snapshot!(format!("person_correct_contact_{code}"), render(&app));
        let (_, input) = sent_person(&ctrl(&mut app, 's'));
        let PersonInput::Update {
            version,
            given_names,
            languages,
            addresses,
            phones,
            ..
        } = input
        else {
            panic!("{input:?}")
        };
        assert_eq!((version, given_names), (4, None));
        let languages = languages.expect("languages sent");
        assert_eq!(languages.len(), 2);
        assert_eq!(languages[0].kind, "mother_tongue");
        assert_ne!(languages[0].language, "ara");
        assert_eq!(languages[1].language, "spa");
        let addresses = addresses.expect("addresses sent");
        assert_eq!(addresses.len(), 1, "only current addresses: {addresses:?}");
        assert_eq!(addresses[0].line, "Calle Larga 5");
        assert_eq!(addresses[0].city.as_deref(), Some("Quito"));
        assert_eq!(addresses[0].province.as_deref(), Some("Pichincha"));
        assert_eq!(addresses[0].country, "ECU");
        let phones = phones.expect("phones sent");
        assert_eq!(phones[0].number, "+593 98 000 1111");
        assert!(phones[0].consent_to_contact, "consent kept");
        press(&mut app, KeyCode::Esc);

        // A document corrected: the second one chosen by name, its expiry typed; sent whole
        // with that document's version (its issue date as read).
        press(&mut app, KeyCode::Char('D'));
        type_text(&mut app, "AC-77");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        ctrl(&mut app, 'u');
        type_text(&mut app, "AC-78");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "2030-01-3");
        insta::assert_snapshot!(format!("person_edit_document_{code}"), render(&app));
        type_text(&mut app, "1");
        let (cmid, input) = sent_person(&ctrl(&mut app, 's'));
        assert_eq!(
            input,
            PersonInput::UpdateDocument {
                id: "doc-2".into(),
                version: 1,
                document_type: "asylum_certificate".into(),
                number: "AC-78".into(),
                issuing_country: Some("ECU".into()),
                issued_on: None,
                expires_on: Some("2030-01-31".into()),
            }
        );
        // Someone corrected it first: read again, the number typed is kept and the new
        // version is sent next.
        let cmds = reply(
            &mut app,
            Reply::Person {
                cmid,
                result: Err(ApiError::Conflict("version".into())),
            },
        );
        let [Cmd::Individual { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let mut fresh = individual();
        fresh["individual"]["version"] = json!(4);
        fresh["individual"]["documents"][1]["version"] = json!(2);
        fresh["individual"]["documents"][1]["issuingCountry"] = json!("COL");
        reply(
            &mut app,
            Reply::Individual {
                seq: *seq,
                result: Ok(data(fresh)),
            },
        );
        let (_, input) = sent_person(&ctrl(&mut app, 's'));
        assert!(
            matches!(&input, PersonInput::UpdateDocument { id, version: 2, number, issuing_country: Some(c), .. } if id == "doc-2" && number == "AC-78" && c == "COL"),
            "{input:?}"
        );
        press(&mut app, KeyCode::Esc);

        // A case for the person and the group's other members; done, the case is shown.
        press(&mut app, KeyCode::Char('a'));
        let (cmid, input) = sent_person(&ctrl(&mut app, 's'));
        assert_eq!(
            input,
            PersonInput::OpenCase {
                group_id: "g-1".into(),
                principal_id: "id-1".into(),
                member_ids: vec!["id-2".into()],
                claim_summary: None,
            }
        );
        let cmds = reply(
            &mut app,
            Reply::Person {
                cmid,
                result: Ok(Some("case-9".into())),
            },
        );
        assert_eq!(app.screen(), Screen::Case);
        assert!(
            cmds.iter()
                .any(|c| matches!(c, Cmd::Case { id, .. } if id == "case-9")),
            "{cmds:?}"
        );

        // A registrar does not review needs; the person's case opens with its number.
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::Individual);
        press(&mut app, KeyCode::Char('v'));
        assert!(app.screens.individual.form.is_none());
        press(&mut app, KeyCode::Char('1'));
        assert_eq!(app.screen(), Screen::Case);
    }
}

#[test]
fn protection_staff_review_a_need() {
    use amparo::msg::PersonInput;
    let mut app = on_person(Lang::En);
    app.me = Some(me("protection", &["protection_officer"]).me);
    press(&mut app, KeyCode::Char('v'));
    assert!(app.screens.individual.form.is_some());
    // The second open need, confirmed.
    press(&mut app, KeyCode::Down);
    let (_, input) = sent_person(&ctrl(&mut app, 's'));
    assert_eq!(
        input,
        PersonInput::ReviewNeed {
            need_id: "n-2".into(),
            version: 2,
            confirmed: true,
            comments: None,
        }
    );
}

fn group_as(lang: Lang) -> App {
    let mut app = on_person(lang);
    let cmds = press(&mut app, KeyCode::Char('g'));
    let [Cmd::Group { seq, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let mut g = group();
    g["registrationGroup"]["version"] = json!(5);
    reply(
        &mut app,
        Reply::Group {
            seq: *seq,
            result: Ok(Box::new(data(g))),
        },
    );
    assert_eq!(app.screen(), Screen::Group);
    app
}

#[test]
fn a_group_is_split_and_another_merged_into_it() {
    use amparo::msg::PersonInput;
    for (lang, code) in LANGS {
        let mut app = group_as(lang);
        // Mark the second member and split them off as the new group's focal point.
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('x'));
        press(&mut app, KeyCode::Char('s'));
        assert!(app.screens.group.form.is_some());
        insta::assert_snapshot!(format!("group_split_{code}"), render(&app));
        let (cmid, input) = sent_person(&ctrl(&mut app, 's'));
        let PersonInput::Split {
            group_id,
            version,
            members,
        } = input
        else {
            panic!("{input:?}")
        };
        assert_eq!((group_id.as_str(), version), ("g-1", 5));
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].1, "focal_point");
        let cmds = reply(
            &mut app,
            Reply::Person {
                cmid,
                result: Ok(Some("g-2".into())),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::Group { id, .. }] if id == "g-2"),
            "{cmds:?}"
        );

        // Merge: mark one group, open another, merge the marked one into it; a focal point
        // cannot be chosen for members joining an existing group.
        let mut app = group_as(lang);
        press(&mut app, KeyCode::Char('m'));
        app.screens.group.merge_source.as_mut().expect("marked").id = "g-0".into();
        press(&mut app, KeyCode::Char('M'));
        let form = app.screens.group.form.as_ref().expect("merge form");
        assert!(
            form.rows
                .iter()
                .all(|(_, _, p)| p.value() == Some("other_relative"))
        );
        let (_, input) = sent_person(&ctrl(&mut app, 's'));
        assert!(
            matches!(&input, PersonInput::Merge { target_id, source_id, target_version: 5, .. } if target_id == "g-1" && source_id == "g-0"),
            "{input:?}"
        );
    }
}

#[test]
fn f9_logs_out_and_asks_first_when_work_would_be_lost() {
    let mut app = logged_in(Lang::En);
    let cmds = press(&mut app, KeyCode::F(9));
    assert!(matches!(cmds.as_slice(), [Cmd::Logout]), "{cmds:?}");
    assert_eq!(app.screen(), Screen::Login);
    assert!(app.me.is_none() && app.user.is_none() && app.token.is_none());

    let mut app = filled_form(Lang::Es);
    let cmds = press(&mut app, KeyCode::F(9));
    assert!(cmds.is_empty() && app.quit_asked && app.logout_asked);
    insta::assert_snapshot!("logout_unsent_es", render(&app));
    let cmds = press(&mut app, KeyCode::Char('s'));
    assert!(matches!(cmds.as_slice(), [Cmd::Logout]), "{cmds:?}");
    assert!(!app.quit, "logging out does not quit");
    assert!(
        !app.screens.register.unsent(),
        "the next user does not see the form"
    );
}

#[test]
fn the_case_stays_live_after_the_users_own_action() {
    let mut app = officer_on_case(Lang::En, &["RECORD_NO_SHOW"]);
    let notice = |app: &mut App| {
        update(
            app,
            Msg::Live(LiveEvent::Notice {
                case_id: "case-0".into(),
                kind: "no_show".into(),
                officer_ids: vec![],
            }),
        )
    };
    // The notice of the user's own action arrives first and starts a silent re-read...
    let silent = notice(&mut app);
    let [Cmd::Silent(stale)] = silent.as_slice() else {
        panic!("{silent:?}")
    };
    let Cmd::Case { seq: stale_seq, .. } = **stale else {
        panic!("{stale:?}")
    };
    // ...then the action's own answer, which reads the case again in the open.
    press(&mut app, KeyCode::Char('x'));
    let cmds = ctrl(&mut app, 's');
    let [Cmd::Act { cmid, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let cmds = reply(
        &mut app,
        Reply::Act {
            cmid: cmid.clone(),
            result: Ok(ActDone {
                status: Some("no_show".into()),
                cases: 1,
            }),
        },
    );
    let [Cmd::Case { .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    // The silent read answers late and is dropped as stale; the open read answers.
    reply(
        &mut app,
        Reply::Silent(Box::new(Reply::Read(ListReply::Case {
            seq: stale_seq,
            result: Ok(Box::new(data(case_record(&[])))),
        }))),
    );
    case_reply(&mut app, &cmds, case_record(&[]));
    // Someone else acts on the case later: the screen must read it again.
    let cmds = notice(&mut app);
    assert!(
        matches!(cmds.as_slice(), [Cmd::Silent(c)] if matches!(**c, Cmd::Case { .. })),
        "a later notice re-reads the case: {cmds:?}"
    );
}

#[test]
fn the_status_line_says_the_link_is_down_when_the_live_link_drops() {
    let mut app = officer_on_case(Lang::En, &[]);
    update(&mut app, Msg::Live(LiveEvent::Up));
    assert!(render(&app).contains("online · ● live"), "{}", render(&app));
    app.dirty = false;
    update(&mut app, Msg::Live(LiveEvent::Down));
    assert!(app.dirty, "redrawn at once, not at the next key");
    let screen = render(&app);
    assert!(
        screen.contains("LINK DOWN") && !screen.contains("online"),
        "{screen}"
    );
    // A failed request while the websocket still thinks it is up: no "● live" beside it.
    update(&mut app, Msg::Live(LiveEvent::Up));
    reply(
        &mut app,
        Reply::Officers(Err(ApiError::Network("refused".into()))),
    );
    let screen = render(&app);
    assert!(
        screen.contains("LINK DOWN") && !screen.contains("● live"),
        "{screen}"
    );
}

#[test]
fn the_reviewer_reads_the_whole_assessment_before_deciding() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = logged_in_as(lang, "supervisor", &["supervisor"], (80, 24));
        let _ = cmds;
        let mut record = case_record(&["REVIEW_ASSESSMENT"]);
        record["case"]["workflow"]["stages"][0]["assessment"] = json!({
            "at": "2026-11-25T19:30:00Z",
            "assessorId": "user-officer",
            "assessmentRef": "ASSESS-7",
            "recommendations": [
                { "individualId": "p1", "outcome": "recognised", "ground": "convention_1951",
                  "reasons": [], "clauses": [] },
                { "individualId": "p2", "outcome": "rejected", "ground": null,
                  "reasons": ["not_credible", "internal_flight_alternative"], "clauses": [] }
            ]
        });
        app.open_case("case-0".into(), &mut Vec::new());
        let seq = app.screens.case.seq;
        reply(
            &mut app,
            Reply::Read(ListReply::Case {
                seq,
                result: Ok(Box::new(data(record))),
            }),
        );
        let cmds = press(&mut app, KeyCode::Char('v'));
        assert!(matches!(cmds.as_slice(), [Cmd::Officers]), "{cmds:?}");
        reply(
            &mut app,
            Reply::Officers(Ok(data(json!({ "assignableOfficers": [
                { "id": "user-officer", "username": "officer", "displayName": "Olga Ortiz" }
            ] })))),
        );
        let form = app.screens.case.form.as_ref().expect("review form");
        assert!(form.context[0].contains("Olga Ortiz"), "{:?}", form.context);
        assert!(
            form.context.iter().any(|l| l.contains("Pablo")),
            "{:?}",
            form.context
        );
        insta::assert_snapshot!(format!("review_with_assessment_{code}"), render(&app));
    }
}

/// The unit admin's home: the users of their unit; a new user's form; the one-time code shown
/// once; and the login screen's one-time code form.
#[test]
fn administration() {
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        type_text(&mut app, "admin");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "s3cret");
        press(&mut app, KeyCode::Enter);
        reply(
            &mut app,
            Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
        );
        let cmds = reply(&mut app, Reply::Me(Ok(me("admin", &["unit_admin"]))));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminUsers]),
            "the admin's home reads the users: {cmds:?}"
        );
        assert_eq!(app.screen(), Screen::Admin);
        let user = |name: &str,
                    roles: &[&str],
                    scope: &str,
                    office: &str,
                    status: &str,
                    login: Option<&str>| {
            json!({ "node": { "id": format!("u-{name}"), "username": name, "displayName": name, "roles": roles, "scopeLevel": scope, "officeId": office, "status": status, "lastLoginAt": login, "version": 1 } })
        };
        reply(
            &mut app,
            Reply::AdminUsers(Ok(data(json!({
                "users": { "totalCount": 5, "edges": [
                    user("admin", &["unit_admin"], "unit", "o-uio", "ACTIVE", Some("2026-12-07T14:00:00Z")),
                    user("officer", &["eligibility_officer"], "office", "o-uio", "ACTIVE", Some("2026-12-06T09:12:00Z")),
                    user("registrar", &["registration_clerk"], "office", "o-uio", "DISABLED", None),
                    user("registrar.lag", &["registration_clerk"], "office", "o-lag", "PENDING", None),
                    user("supervisor", &["supervisor", "protection_officer"], "unit", "o-gye", "ACTIVE", Some("2026-12-01T10:00:00Z")),
                ] },
                "offices": [
                    { "id": "o-gye", "code": "GYE", "name": "Guayaquil" },
                    { "id": "o-lag", "code": "LAG", "name": "Lago Agrio" },
                    { "id": "o-uio", "code": "UIO", "name": "Quito" },
                ],
            })))),
        );
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("admin_users_{code}"), render(&app));

        press(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "clerk.lag");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Rosa Quishpe");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        insta::assert_snapshot!(format!("admin_new_user_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let cmid = match cmds.as_slice() {
            [
                Cmd::AdminAct {
                    cmid,
                    op:
                        amparo::msg::AdminOp::Create {
                            username,
                            office_id,
                            roles,
                            ..
                        },
                },
            ] => {
                assert_eq!(username, "clerk.lag");
                assert_eq!(office_id.as_deref(), Some("o-lag"));
                assert_eq!(roles, &["registration_clerk"]);
                cmid.clone()
            }
            other => panic!("create sent {other:?}"),
        };
        let cmds = reply(
            &mut app,
            Reply::AdminAct {
                cmid,
                result: Ok(amparo::msg::AdminDone::Code {
                    username: "clerk.lag".into(),
                    code: "K7QM-4XPA-9TRB".into(),
                    expires_at: "2026-12-10T15:00:00Z".into(),
                }),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::AdminUsers]), "{cmds:?}");
        insta::assert_snapshot!(format!("admin_code_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        assert!(
            !render(&app).contains("K7QM-4XPA-9TRB"),
            "the code is gone after a key"
        );
        press(&mut app, KeyCode::Down);
        let cmds = press(&mut app, KeyCode::Char('d'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminAct { op: amparo::msg::AdminOp::Enable { id, .. }, .. }] if id == "u-registrar"),
            "d on a disabled user enables them: {cmds:?}"
        );

        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        ctrl(&mut app, 'o');
        type_text(&mut app, "clerk.lag");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "k7qm-4xpa-9trb");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "rio napo en la manana");
        insta::assert_snapshot!(format!("login_code_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(cmds.as_slice(), [Cmd::SetPasswordWithCode { username, code, new_password }] if username == "clerk.lag" && code == "k7qm-4xpa-9trb" && new_password == "rio napo en la manana"),
            "{cmds:?}"
        );
    }
}

/// An admin logged in on their home, with four users and three offices read.
fn admin_home(lang: Lang) -> App {
    let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "admin");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "s3cret");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    reply(&mut app, Reply::Me(Ok(me("admin", &["unit_admin"]))));
    let user = |name: &str, roles: &[&str], scope: &str, office: &str| json!({ "node": { "id": format!("u-{name}"), "username": name, "displayName": name, "roles": roles, "scopeLevel": scope, "officeId": office, "status": "ACTIVE", "lastLoginAt": "2026-12-07T14:00:00Z", "version": 3 } });
    reply(
        &mut app,
        Reply::AdminUsers(Ok(data(json!({
            "users": { "totalCount": 4, "edges": [
                user("admin", &["unit_admin"], "unit", "o-uio"),
                user("officer", &["eligibility_officer"], "office", "o-uio"),
                user("registrar", &["registration_clerk"], "office", "o-uio"),
                user("supervisor", &["supervisor"], "unit", "o-gye"),
            ] },
            "offices": [
                { "id": "o-gye", "code": "GYE", "name": "Guayaquil" },
                { "id": "o-lag", "code": "LAG", "name": "Lago Agrio" },
                { "id": "o-uio", "code": "UIO", "name": "Quito" },
            ],
        })))),
    );
    assert_eq!(app.screen(), Screen::Admin);
    app
}

/// The admin's other views: a user's roles changed with the new-user form, their sessions
/// (one ended), the offices (a time zone that is not in the IANA database refused before
/// sending), the unit's settings changed and their history, and the access review.
#[test]
fn administration_views() {
    use amparo::msg::{AdminData, AdminOp, AdminRead};
    for (lang, code) in LANGS {
        let mut app = admin_home(lang);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('e'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Char(' '));
        insta::assert_snapshot!(format!("admin_edit_user_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        match cmds.as_slice() {
            [
                Cmd::AdminAct {
                    op:
                        AdminOp::Update {
                            id,
                            version,
                            roles,
                            office_id,
                            scope_level,
                            force_password_change,
                            ..
                        },
                    ..
                },
            ] => {
                assert_eq!(id, "u-registrar");
                assert_eq!(*version, 3, "the version read");
                assert_eq!(
                    roles.as_deref(),
                    Some(
                        &[
                            "registration_clerk".to_string(),
                            "eligibility_officer".into()
                        ][..]
                    )
                );
                assert_eq!(office_id.as_deref(), Some("o-uio"));
                assert_eq!(scope_level.as_deref(), Some("office"));
                assert!(!force_password_change);
            }
            other => panic!("update sent {other:?}"),
        }
        press(&mut app, KeyCode::Esc);

        let cmds = press(&mut app, KeyCode::Char('s'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Sessions { user_id })] if user_id == "u-registrar"),
            "{cmds:?}"
        );
        reply(
            &mut app,
            Reply::AdminRead(Ok(AdminData::Sessions {
                user_id: "u-registrar".into(),
                sessions: data(json!([
                    { "id": "s-1", "kind": "session", "name": null, "createdAt": "2026-12-07T13:00:00Z", "lastUsedAt": "2026-12-07T14:10:00Z", "expiresAt": "2026-12-08T01:00:00Z" },
                    { "id": "s-2", "kind": "api", "name": "estadísticas", "createdAt": "2026-11-30T15:00:00Z", "lastUsedAt": "2026-12-06T08:00:00Z", "expiresAt": "2027-02-28T15:00:00Z" },
                ])),
            })),
        );
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("admin_sessions_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Char('x'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminAct { op: AdminOp::EndSession { id }, .. }] if id == "s-2"),
            "{cmds:?}"
        );

        let cmds = press(&mut app, KeyCode::Char('2'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Offices)]),
            "{cmds:?}"
        );
        reply(
            &mut app,
            Reply::AdminRead(Ok(AdminData::Offices(data(json!([
                { "id": "o-gye", "code": "GYE", "name": "Guayaquil", "timeZone": "America/Guayaquil", "workingHours": null, "holidays": [], "version": 1 },
                { "id": "o-lag", "code": "LAG", "name": "Lago Agrio", "timeZone": "America/Guayaquil", "workingHours": "{\"day_starts\":480,\"day_ends\":990,\"working_days\":[1,2,3,4,5]}", "holidays": ["2026-12-25", "2027-01-01"], "version": 4 },
                { "id": "o-uio", "code": "UIO", "name": "Quito", "timeZone": "America/Guayaquil", "workingHours": null, "holidays": ["2026-12-06"], "version": 2 },
            ]))))),
        );
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("admin_offices_{code}"), render(&app));
        press(&mut app, KeyCode::Char('e'));
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        ctrl(&mut app, 'u');
        type_text(&mut app, "America/Quitto");
        let cmds = ctrl(&mut app, 's');
        assert!(cmds.is_empty(), "refused before sending: {cmds:?}");
        insta::assert_snapshot!(format!("admin_office_form_{code}"), render(&app));
        ctrl(&mut app, 'u');
        type_text(&mut app, "Pacific/Galapagos");
        let cmds = ctrl(&mut app, 's');
        match cmds.as_slice() {
            [
                Cmd::AdminAct {
                    op:
                        AdminOp::SaveOffice {
                            id,
                            version,
                            time_zone,
                            working_hours,
                            holidays,
                            ..
                        },
                    ..
                },
            ] => {
                assert_eq!(id.as_deref(), Some("o-lag"));
                assert_eq!(*version, Some(4));
                assert_eq!(time_zone, "Pacific/Galapagos");
                let hours: serde_json::Value =
                    serde_json::from_str(working_hours.as_deref().expect("hours")).expect("json");
                assert_eq!(
                    hours,
                    json!({ "day_starts": 480, "day_ends": 990, "working_days": [1, 2, 3, 4, 5] })
                );
                assert_eq!(holidays, &["2026-12-25", "2027-01-01"]);
            }
            other => panic!("saveOffice sent {other:?}"),
        }
        press(&mut app, KeyCode::Esc);

        let cmds = press(&mut app, KeyCode::Char('3'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Settings)]),
            "{cmds:?}"
        );
        reply(
            &mut app,
            Reply::AdminRead(Ok(AdminData::Settings(Box::new(data(json!({
                "unitSettings": {
                    "modules": ["registration", "rsd"],
                    "version": 7,
                    "settings": {
                        "access": { "code_hours": 72, "min_password_length": 12, "sessions_per_user": 3 },
                        "calendar": { "day_ends": 1020, "day_starts": 480, "utc_offset_minutes": -300, "working_days": [1, 2, 3, 4, 5] },
                        "rsd": { "abandonment_days": 42, "admissibility": true, "appeal_deadline_days": 30, "appeal_grace_days": 42, "appeal_warning_days": 7, "cartagena": true,
                                 "decision_target_days": { "accelerated": 30, "merged": 30, "regular": 90, "simplified": 60 } }
                    }
                },
                "unitSettingsHistory": { "edges": [
                    { "node": { "at": "2026-12-07T15:30:00Z", "username": "admin", "kind": "UNIT_SETTINGS", "officeId": null,
                                "before": { "access": { "min_password_length": 10 }, "rsd": { "cartagena": false } },
                                "after": { "access": { "min_password_length": 12 }, "rsd": { "cartagena": true } } } },
                    { "node": { "at": "2026-12-06T10:05:00Z", "username": "admin", "kind": "OFFICE_CHANGED", "officeId": "o-lag",
                                "before": { "code": "LAG", "timeZone": "America/Bogota", "version": 3 },
                                "after": { "code": "LAG", "timeZone": "America/Guayaquil", "version": 4 } } },
                    { "node": { "at": "2026-12-05T09:00:00Z", "username": "admin", "kind": "OFFICE_CREATED", "officeId": "o-lag",
                                "before": null, "after": { "code": "LAG", "name": "Lago Agrio", "version": 1 } } }
                ] },
                "unitOffices": [ { "id": "o-lag", "code": "LAG" } ]
            })))))),
        );
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        ctrl(&mut app, 'u');
        type_text(&mut app, "14");
        press(&mut app, KeyCode::Enter);
        insta::assert_snapshot!(format!("admin_settings_{code}"), render(&app));
        assert!(app.must_ask_before_quitting(), "unsaved settings ask first");
        let cmds = ctrl(&mut app, 's');
        match cmds.as_slice() {
            [
                Cmd::AdminAct {
                    op: AdminOp::UpdateSettings { version, settings },
                    ..
                },
            ] => {
                assert_eq!(*version, 7);
                assert_eq!(settings["access"]["min_password_length"], 14);
                assert_eq!(
                    settings["rsd"]["appeal_deadline_days"], 30,
                    "the rest as read"
                );
            }
            other => panic!("updateUnitSettings sent {other:?}"),
        }
        press(&mut app, KeyCode::Char('h'));
        insta::assert_snapshot!(format!("admin_settings_history_{code}"), render(&app));

        let cmds = press(&mut app, KeyCode::Char('4'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Review)]),
            "{cmds:?}"
        );
        let line = |name: &str,
                    roles: &[&str],
                    scope: &str,
                    offices: &[&str],
                    groups: &[&str],
                    reads: bool| {
            json!({ "user": { "username": name, "roles": roles, "scopeLevel": scope, "status": "ACTIVE", "lastLoginAt": "2026-12-07T14:00:00Z" },
                    "fieldGroups": groups, "officeCodes": offices, "readsPersons": reads })
        };
        reply(
            &mut app,
            Reply::AdminRead(Ok(AdminData::Review(data(json!([
                line(
                    "admin",
                    &["unit_admin"],
                    "unit",
                    &["GYE", "LAG", "UIO"],
                    &[],
                    false
                ),
                line(
                    "officer",
                    &["eligibility_officer"],
                    "office",
                    &["UIO"],
                    &["claim_narrative"],
                    true
                ),
                line(
                    "protection",
                    &["protection_officer"],
                    "unit",
                    &["GYE", "LAG", "UIO"],
                    &["sgbv", "torture", "medical", "claim_narrative"],
                    true
                ),
                line(
                    "registrar",
                    &["registration_clerk"],
                    "office",
                    &["UIO"],
                    &[],
                    true
                ),
            ]))))),
        );
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        insta::assert_snapshot!(format!("admin_access_review_{code}"), render(&app));
    }
}

/// The tokens screen (F12, anyone logged in): the caller's tokens, a new one's secret shown
/// once, a revocation.
#[test]
fn api_tokens_screen() {
    use amparo::msg::TokenOp;
    for (lang, code) in LANGS {
        let mut app = logged_in(lang);
        let cmds = press(&mut app, KeyCode::F(12));
        assert!(matches!(cmds.as_slice(), [Cmd::Tokens]), "{cmds:?}");
        assert_eq!(app.screen(), Screen::Tokens);
        reply(
            &mut app,
            Reply::Tokens(Ok(data(json!({ "apiTokens": [
                { "id": "t-1", "name": "estadísticas mensuales", "createdAt": "2026-11-01T10:00:00Z", "lastUsedAt": "2026-12-06T08:00:00Z", "expiresAt": "2099-01-30T10:00:00Z", "revokedAt": null },
                { "id": "t-2", "name": "migración", "createdAt": "2026-10-01T10:00:00Z", "lastUsedAt": "2026-10-02T08:00:00Z", "expiresAt": "2099-12-30T10:00:00Z", "revokedAt": "2026-10-03T08:00:00Z" },
            ] })))),
        );
        insta::assert_snapshot!(format!("tokens_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Char('x'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::TokenAct { op: TokenOp::Revoke { id }, .. }] if id == "t-1"),
            "{cmds:?}"
        );
        press(&mut app, KeyCode::Char('n'));
        type_text(&mut app, "tablero");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "400");
        let cmds = ctrl(&mut app, 's');
        assert!(cmds.is_empty(), "400 days refused before sending: {cmds:?}");
        press(&mut app, KeyCode::Backspace);
        press(&mut app, KeyCode::Backspace);
        let cmds = ctrl(&mut app, 's');
        let cmid = match cmds.as_slice() {
            [
                Cmd::TokenAct {
                    cmid,
                    op: TokenOp::Create { name, days },
                },
            ] => {
                assert_eq!(name, "tablero");
                assert_eq!(*days, Some(4));
                cmid.clone()
            }
            other => panic!("createApiToken sent {other:?}"),
        };
        let cmds = reply(
            &mut app,
            Reply::TokenAct {
                cmid,
                result: Ok(Some("amp_9f2c1e7b4d5a6c3b8e0f1a2b3c4d5e6f".into())),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::Tokens]), "{cmds:?}");
        insta::assert_snapshot!(format!("tokens_secret_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        assert!(
            !render(&app).contains("amp_9f2c"),
            "the secret is shown once"
        );
    }
}

/// A login the unit admin asked to change: the new password asked for twice, a mismatch
/// caught here, the policy's refusal shown in the user's language.
#[test]
fn a_forced_password_change_at_login() {
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        type_text(&mut app, "registrar");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "old secret");
        press(&mut app, KeyCode::Enter);
        reply(
            &mut app,
            Reply::Login(Err(ApiError::PasswordChangeRequired("change".into()))),
        );
        type_text(&mut app, "nueva clave larga");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "nueva clave larg");
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(cmds.is_empty(), "a mismatch is caught here: {cmds:?}");
        type_text(&mut app, "nueva clave larga");
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(
            matches!(cmds.as_slice(), [Cmd::Login { username, password, new_password: Some(n) }]
                if username == "registrar" && password == "old secret" && n == "nueva clave larga"),
            "{cmds:?}"
        );
        reply(
            &mut app,
            Reply::Login(Err(ApiError::Validation {
                field: "input.newPassword".into(),
                reason: Reason::CommonPassword,
                message: "common".into(),
            })),
        );
        insta::assert_snapshot!(format!("login_change_refused_{code}"), render(&app));
        assert_eq!(app.screen(), Screen::Login);
    }
}

fn pre_reg_row(i: usize, duplicates: bool) -> serde_json::Value {
    let members = if i == 0 {
        json!([
            { "relationship": "focal_point", "givenNames": "Rosa Elena", "familyName": "Quintero Díaz",
              "sex": "F", "dateOfBirth": "1988-04-12", "nationality": "VEN" },
            { "relationship": "daughter", "givenNames": "Valentina", "familyName": "Quintero",
              "sex": "F", "dateOfBirth": "2019-09-01", "nationality": "VEN" },
            { "relationship": "son", "givenNames": "Mateo", "familyName": "Quintero",
              "sex": "M", "dateOfBirth": "2024-02-20", "dateOfBirthPrecision": "estimated",
              "nationality": "VEN" },
        ])
    } else {
        json!([
            { "relationship": "focal_point", "givenNames": "Jean", "familyName": null,
              "sex": "M", "dateOfBirth": null, "nationality": "HTI" },
        ])
    };
    let possible = if duplicates {
        json!([{ "memberIndex": 0, "individualNumber": "ECU-UIO-0000123", "fullName": "Rosa Quintero",
                 "score": 88 }])
    } else {
        json!([])
    };
    json!({
        "id": format!("pre-{i}"),
        "reference": if i == 0 { "K7M2Q-9XD4T" } else { "B3NH8-W5RCA" },
        "officeId": "UIO",
        "stage": if i == 0 { "appointment_given" } else { "received" },
        "urgency": if i == 0 { 7 } else { 0 },
        "urgentNeeds": if i == 0 { json!(["CR-LO", "SM-MI"]) } else { json!([]) },
        "withheldUrgentNeeds": if i == 0 { 1 } else { 0 },
        "appointmentAt": if i == 0 { json!("2026-12-09T14:30:00Z") } else { json!(null) },
        "receivedAt": "2026-12-05T16:00:00Z",
        "version": 2 + i,
        "members": members,
        "province": "Pichincha",
        "canton": "Quito",
        "languages": if i == 0 { json!(["spa"]) } else { json!(["hat", "fra"]) },
        "needsInterpreter": i == 1,
        "possibleDuplicates": possible,
    })
}

fn pre_regs_reply(app: &mut App, cmds: &[Cmd], rows: Vec<serde_json::Value>) {
    let [Cmd::PreRegs { seq, page, after }] = cmds else {
        panic!("{cmds:?}")
    };
    assert_eq!((*page, after.as_deref()), (0, None));
    let d: amparo::api::pre_registrations::ResponseData = data(json!({ "preRegistrations": {
        "nodes": rows,
        "pageInfo": { "hasNextPage": false, "endCursor": "Mg" },
    }}));
    reply(
        app,
        Reply::PreRegs {
            seq: *seq,
            page: 0,
            result: Ok(amparo::msg::PreRegPage {
                rows: d.pre_registrations.nodes,
                has_next: false,
                end_cursor: Some("Mg".into()),
            }),
        },
    );
}

/// A registrar on the pre-registration queue (F8), two waiting.
fn on_pre_regs(lang: Lang) -> App {
    let mut app = logged_in(lang);
    let cmds = press(&mut app, KeyCode::F(8));
    assert_eq!(app.screen(), Screen::PreRegs);
    pre_regs_reply(
        &mut app,
        &cmds,
        vec![pre_reg_row(0, true), pre_reg_row(1, false)],
    );
    app
}

#[test]
fn pre_registration_queue_and_a_dismissal() {
    for (lang, code) in LANGS {
        let mut app = on_pre_regs(lang);
        insta::assert_snapshot!(format!("pre_regs_{code}"), render(&app));
        press(&mut app, KeyCode::Char('?'));
        let help = render(&app);
        assert!(help.contains("F8"), "{help}");
        insta::assert_snapshot!(format!("pre_regs_help_{code}"), help);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('x'));
        assert!(app.screens.pre_regs.form.is_some());
        // Nothing is sent without a reason.
        assert!(press(&mut app, KeyCode::Enter).is_empty());
        type_text(&mut app, "duplicada de una visita <b>");
        insta::assert_snapshot!(format!("pre_regs_dismiss_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        let [
            Cmd::Dismiss {
                cmid,
                id,
                version,
                reason,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!((id.as_str(), *version), ("pre-1", 3));
        assert_eq!(reason, "duplicada de una visita <b>");
        let cmid = cmid.clone();
        // A failure keeps the form and its id, so a retry dismisses once.
        let cmds = reply(
            &mut app,
            Reply::Dismiss {
                cmid: cmid.clone(),
                result: Err(ApiError::Network("timeout".into())),
            },
        );
        assert!(cmds.is_empty());
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Cmd::Dismiss { cmid: again, .. }] if *again == cmid));
        let cmds = reply(
            &mut app,
            Reply::Dismiss {
                cmid,
                result: Ok(()),
            },
        );
        assert!(app.screens.pre_regs.form.is_none());
        pre_regs_reply(&mut app, &cmds, vec![pre_reg_row(0, true)]);
        insta::assert_snapshot!(format!("pre_regs_dismissed_{code}"), render(&app));
    }
}

#[test]
fn a_dismissal_conflict_closes_the_form_and_re_reads_the_queue() {
    let mut app = on_pre_regs(Lang::En);
    press(&mut app, KeyCode::Char('x'));
    type_text(&mut app, "test entry");
    let cmds = press(&mut app, KeyCode::Enter);
    let [Cmd::Dismiss { cmid, .. }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let cmds = reply(
        &mut app,
        Reply::Dismiss {
            cmid: cmid.clone(),
            result: Err(ApiError::Conflict("version".into())),
        },
    );
    assert!(app.screens.pre_regs.form.is_none());
    pre_regs_reply(&mut app, &cmds, vec![pre_reg_row(1, false)]);
    assert!(render(&app).contains("Someone else changed it first"));
}

#[test]
fn only_those_who_register_have_the_pre_registration_queue() {
    let (mut app, _) = logged_in_as(Lang::En, "protection", &["protection_officer"], (80, 24));
    let before = app.screen();
    assert!(press(&mut app, KeyCode::F(8)).is_empty());
    assert_eq!(app.screen(), before);
}

#[test]
fn converting_fills_the_registration_form_and_sends_the_version_read() {
    for (lang, code) in LANGS {
        let mut app = on_pre_regs(lang);
        assert!(press(&mut app, KeyCode::Char('c')).is_empty());
        assert_eq!(app.screen(), Screen::Register);
        insta::assert_snapshot!(format!("pre_regs_convert_form_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Convert(input)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!((input.id.as_str(), input.version), ("pre-0", 2));
        assert!(!input.acknowledge_duplicates);
        let rels: Vec<_> = input
            .members
            .iter()
            .map(|m| m.relationship.as_str())
            .collect();
        assert_eq!(rels, ["focal_point", "daughter", "son"]);
        assert_eq!(input.members[0].person.given_names, "Rosa Elena");
        assert_eq!(
            input.members[2].person.date_of_birth.as_deref(),
            Some("2024-02-20")
        );
        // An age given on the form stays an estimate.
        assert_eq!(
            input.members[2].person.date_of_birth_precision.as_deref(),
            Some("estimated")
        );
        assert_eq!(input.members[1].person.date_of_birth_precision, None);
        assert_eq!(input.members[1].person.nationalities, ["VEN"]);
        let first = input.client_mutation_id.clone();
        // The server found possible duplicates: shown, and Ctrl-S again registers anyway with
        // a new id.
        reply(
            &mut app,
            Reply::Convert(Ok(data(json!({ "convertPreRegistration": {
                "clientMutationId": first, "saved": false, "groupId": null, "individualIds": [],
                "possibleDuplicates": [{ "memberIndex": 0, "individualNumber": "ECU-UIO-0000123",
                    "fullName": "Rosa Quintero", "dateOfBirth": "1988-04-12", "score": 88,
                    "reasons": ["similar_name", "same_birth_date"] }],
            }})))),
        );
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Convert(input)] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert!(input.acknowledge_duplicates);
        assert_ne!(input.client_mutation_id, first);
        let second = input.client_mutation_id.clone();
        // Someone else changed it first: said, and the form kept.
        reply(
            &mut app,
            Reply::Convert(Err(ApiError::Conflict("version".into()))),
        );
        assert_eq!(app.screen(), Screen::Register);
        insta::assert_snapshot!(format!("pre_regs_convert_conflict_{code}"), render(&app));
        let cmds = ctrl(&mut app, 's');
        assert!(
            matches!(cmds.as_slice(), [Cmd::Convert(i)] if i.client_mutation_id == second),
            "a retry keeps its id"
        );
        reply(
            &mut app,
            Reply::Convert(Ok(data(json!({ "convertPreRegistration": {
                "clientMutationId": second, "saved": true, "groupId": "grp-9",
                "individualIds": ["ind-1", "ind-2", "ind-3"], "possibleDuplicates": [],
            }})))),
        );
        insta::assert_snapshot!(format!("pre_regs_converted_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::PreRegs);
        assert!(!app.screens.register.unsent());
        pre_regs_reply(&mut app, &cmds, vec![pre_reg_row(1, false)]);
        assert!(render(&app).contains("K7M2Q-9XD4T"));
    }
}

/// A unit without RSD (UNHCR) gets no RSD screens, whatever its users' roles: a supervisor and
/// protection officer there does not land on supervision, F4 and F5 open nothing, no live link
/// to case notices is opened, and the help lists no case keys.
#[test]
fn screens_of_modules_the_unit_lacks_are_not_offered() {
    let mut app = App::new(Lang::En, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "unhcr.officer");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    let roles = ["protection_officer", "registration_clerk", "supervisor"];
    let unhcr = ["assistance", "protection", "resettlement"];
    let cmds = reply(
        &mut app,
        Reply::Me(Ok(me_in("unhcr.officer", &roles, &unhcr))),
    );
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::Live(_))),
        "no case notices without RSD: {cmds:?}"
    );
    // Its protection staff land on the protection follow-ups instead.
    assert_eq!(app.screen(), Screen::Protection);
    for k in [KeyCode::F(4), KeyCode::F(5)] {
        press(&mut app, k);
        assert_eq!(app.screen(), Screen::Protection, "{k:?}");
    }
    // Registration comes with protection work: partners register the people they meet.
    press(&mut app, KeyCode::F(3));
    assert_eq!(app.screen(), Screen::Register);

    // The same roles in a unit that runs RSD land on supervision.
    let mut dpin = App::new(Lang::En, "http://amparo.test:8080", (80, 24));
    type_text(&mut dpin, "supervisor");
    press(&mut dpin, KeyCode::Tab);
    type_text(&mut dpin, "pw");
    press(&mut dpin, KeyCode::Enter);
    reply(
        &mut dpin,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    reply(
        &mut dpin,
        Reply::Me(Ok(me_in("supervisor", &roles, &["registration", "rsd"]))),
    );
    assert_eq!(dpin.screen(), Screen::Supervisor);
    // ... and, without the protection module, F8 is not protection there (for someone who
    // registers it is the pre-registration queue).
    press(&mut dpin, KeyCode::F(8));
    assert_ne!(dpin.screen(), Screen::Protection);

    // The help lists no keys of case work.
    press(&mut app, KeyCode::F(1));
    let help = render(&app);
    assert!(!help.contains("F4"), "{help}");
    assert!(help.contains("F3"), "{help}");
    assert!(help.contains("F8"), "{help}");
}

/// A protection case as `protectionCase` answers: a child's case with a plan action, a
/// referral, a follow-up held and one due, and what the officer may do now.
fn protection_record(actions: &[&str]) -> serde_json::Value {
    json!({ "protectionCase": {
        "id": "pc-1", "caseNumber": "UNHCR-P-0000001", "status": "open", "principalId": "ind-1",
        "category": "CR", "subCode": "CR-LW", "restricted": false, "riskLevel": "HIGH",
        "intakeSummary": "Niña de 14 años, llegó sola por Rumichaca.",
        "assignedOfficerId": "user-unhcr.protection", "nextFollowUp": "2026-12-04",
        "openedOn": "2026-11-20", "version": 4, "allowedActions": actions,
        "members": [
            { "individualId": "ind-1", "principal": true, "child": true,
              "individual": { "individualNumber": "UNHCR-I-0000031",
                              "fullName": "Valentina Rojas Pérez" } },
            { "individualId": "ind-2", "principal": false, "child": false,
              "individual": null },
        ],
        "plan": [{ "id": "a1", "description": "Buscar familia en Colombia", "due": "2026-12-10",
                   "completedOn": null, "outcome": null }],
        "referrals": [{ "id": "r1", "service": "family_tracing", "provider": "CICR",
                        "referredOn": "2026-11-21", "outcome": "ACCEPTED",
                        "outcomeOn": "2026-11-25" }],
        "followUps": [
            { "id": "f1", "due": "2026-11-27", "purpose": "Visita al hogar de acogida",
              "doneOn": "2026-11-27", "note": "Estable" },
            { "id": "f2", "due": "2026-12-04", "purpose": "Revisar escolaridad",
              "doneOn": null, "note": null },
        ],
        "bestInterestsAssessments": [],
        "bestInterestsDeterminations": [],
        "closure": null,
        "history": [
            { "kind": "opened", "actor": "unhcr.protection", "at": "2026-11-20T15:00:00Z" },
            { "kind": "refer", "actor": "unhcr.protection", "at": "2026-11-21T15:00:00Z" },
        ],
    } })
}

#[test]
fn protection_screens_and_a_bia_form() {
    const RISKS: [&str; 3] = ["HIGH", "CRITICAL", "LOW"];
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        type_text(&mut app, "unhcr.protection");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "pw");
        press(&mut app, KeyCode::Enter);
        reply(
            &mut app,
            Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
        );
        let cmds = reply(
            &mut app,
            Reply::Me(Ok(me_in(
                "unhcr.protection",
                &["protection_officer"],
                &["assistance", "protection", "resettlement"],
            ))),
        );
        // Protection staff land on the follow-ups due.
        assert_eq!(app.screen(), Screen::Protection);
        let Some(Cmd::ProtectionCases { list, page: asked }) = cmds
            .iter()
            .find(|c| matches!(c, Cmd::ProtectionCases { .. }))
        else {
            panic!("no protection list read in {cmds:?}")
        };
        assert_eq!(list, &ProtectionCaseList::FOLLOW_UPS_DUE);
        let nodes: Vec<serde_json::Value> = (0..3_usize)
            .map(|i| {
                json!({
                    "id": format!("pc-{i}"), "caseNumber": format!("UNHCR-P-000000{i}"),
                    "status": "open", "category": if i == 1 { None } else { Some("CR") },
                    "restricted": i == 1,
                    "riskLevel": RISKS[i],
                    "nextFollowUp": format!("2026-12-0{}", i + 1), "openedOn": "2026-11-20",
                    "members": [{ "principal": true, "child": i != 1,
                                  "individual": { "fullName": format!("Persona {i}") } }],
                })
            })
            .collect();
        let page: amparo::api::protection_cases::ResponseData = data(
            json!({ "protectionCases": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": nodes } }),
        );
        reply(
            &mut app,
            Reply::ProtectionCases {
                seq: asked.seq,
                page: 0,
                result: Ok(one_page(page.protection_cases.nodes)),
            },
        );
        insta::assert_snapshot!(format!("protection_follow_ups_{code}"), render(&app));
        // `l` switches to the open cases.
        let cmds = press(&mut app, KeyCode::Char('l'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::ProtectionCases { list, .. }] if *list == ProtectionCaseList::OPEN),
            "{cmds:?}"
        );
        // Enter opens the chosen case.
        let seq = match cmds.as_slice() {
            [Cmd::ProtectionCases { page, .. }] => page.seq,
            _ => unreachable!(),
        };
        reply(
            &mut app,
            Reply::ProtectionCases {
                seq,
                page: 0,
                result: Ok(one_page(page_rows())),
            },
        );
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::ProtectionCase { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "pc-0");
        let record: amparo::api::protection_case::ResponseData = data(protection_record(&[
            "UPDATE_RISK",
            "ADD_PLAN_ACTION",
            "COMPLETE_PLAN_ACTION",
            "REFER",
            "SCHEDULE_FOLLOW_UP",
            "RECORD_FOLLOW_UP",
            "RECORD_BIA",
            "CLOSE",
        ]));
        reply(
            &mut app,
            Reply::ProtectionCase {
                seq: *seq,
                result: Ok(Box::new(record.protection_case)),
            },
        );
        assert_eq!(app.screen(), Screen::ProtectionCase);
        insta::assert_snapshot!(format!("protection_case_{code}"), render(&app));
        // An action not allowed opens nothing.
        assert!(press(&mut app, KeyCode::Char('d')).is_empty());
        assert!(app.screens.protection_case.form.is_none());
        // `b`: the child's BIA. Nothing goes out without a summary.
        press(&mut app, KeyCode::Char('b'));
        assert!(ctrl(&mut app, 's').is_empty());
        insta::assert_snapshot!(format!("protection_bia_problems_{code}"), render(&app));
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Vive con familia de acogida; quiere estudiar.");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        let cmds = ctrl(&mut app, 's');
        let [Cmd::Protection { cmid, input }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let ProtectionInput::Act(bia) = input else {
            panic!("{input:?}")
        };
        assert!(matches!(
            **bia,
            amparo::api::ProtectionMutation::RecordBestInterestsAssessment(_)
        ));
        assert_eq!(
            bia.variables(),
            json!({ "input": {
                "clientMutationId": cmid, "caseId": "pc-1", "version": 4, "childId": "ind-1",
                "summary": "Vive con familia de acogida; quiere estudiar.", "bidNeeded": true,
            } })
        );
        // Refused: the form stays and says why in the user's language.
        let first = cmid.clone();
        reply(
            &mut app,
            Reply::Protection {
                cmid: first.clone(),
                result: Err(ApiError::Validation {
                    field: "input.summary".into(),
                    reason: Reason::TooLong { max: 4000 },
                    message: "too long".into(),
                }),
            },
        );
        assert!(app.screens.protection_case.form.is_some());
        insta::assert_snapshot!(format!("protection_bia_refused_{code}"), render(&app));
        // A retry of the same form reuses its id; done, the case is read again.
        let cmds = ctrl(&mut app, 's');
        assert!(matches!(cmds.as_slice(), [Cmd::Protection { cmid, .. }] if *cmid == first));
        let cmds = reply(
            &mut app,
            Reply::Protection {
                cmid: first,
                result: Ok("pc-1".into()),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::ProtectionCase { id, .. }] if id == "pc-1"));
        assert!(app.screens.protection_case.form.is_none());
        // `f`: a follow-up needs a real date.
        press(&mut app, KeyCode::Char('f'));
        type_text(&mut app, "2026-13-01");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Visita");
        assert!(ctrl(&mut app, 's').is_empty());
        insta::assert_snapshot!(format!("protection_follow_up_form_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("protection_case_help_{code}"), render(&app));
    }
}

/// A list's only page.
fn one_page<T>(rows: Vec<T>) -> amparo::widgets::Page<T> {
    amparo::widgets::Page {
        rows,
        has_next: false,
        end_cursor: None,
    }
}

fn page_rows() -> Vec<amparo::msg::ProtectionRow> {
    let page: amparo::api::protection_cases::ResponseData = data(json!({
        "protectionCases": { "pageInfo": { "hasNextPage": false, "endCursor": null }, "nodes": [{
            "id": "pc-0", "caseNumber": "UNHCR-P-0000000", "status": "open", "category": "CR",
            "restricted": false, "riskLevel": "HIGH", "nextFollowUp": null,
            "openedOn": "2026-11-20", "members": [],
        }] }
    }));
    page.protection_cases.nodes
}

fn import_side(n: usize, name: &str, sex: &str, born: &str) -> serde_json::Value {
    json!({ "individualNumber": format!("DPIN-I-{n:07}"), "fullName": name, "sex": sex,
        "dateOfBirth": born, "nationalities": ["VEN"] })
}

fn import_reviews_page(rows: Vec<serde_json::Value>) -> amparo::msg::ImportReviewsPage {
    let d: amparo::api::import_reviews::ResponseData = data(json!({ "importReviews": {
        "edges": rows,
        "pageInfo": { "hasNextPage": false, "endCursor": null },
    }}));
    amparo::msg::ImportReviewsPage {
        rows: d.import_reviews.edges.into_iter().map(|e| e.node).collect(),
        has_next: d.import_reviews.page_info.has_next_page,
        end_cursor: d.import_reviews.page_info.end_cursor,
    }
}

fn import_rows() -> Vec<serde_json::Value> {
    vec![
        json!({ "node": { "id": "ir-1", "version": 1, "score": 100, "withinImport": false,
            "reasons": ["SIMILAR_NAME", "SAME_BIRTH_DATE", "SAME_NATIONALITY", "SAME_SEX"],
            "imported": import_side(41, "Suárez Mora Gabriela", "F", "1988-04-03"),
            "existing": import_side(2, "Gabriela Suárez Mora", "F", "1988-04-03") } }),
        json!({ "node": { "id": "ir-2", "version": 1, "score": 86, "withinImport": true,
            "reasons": ["SIMILAR_NAME", "SAME_BIRTH_DATE", "SAME_SEX"],
            "imported": import_side(45, "Hassan Mohamed", "M", "1980-01-01"),
            "existing": null } }),
    ]
}

/// A registrar on the import review list (F8) with two reviews, the second's earlier person
/// outside their scope.
fn on_import_reviews(lang: Lang) -> App {
    let (mut app, _) = logged_in_as(lang, "registrar", &["registration_clerk"], (80, 24));
    let cmds = press(&mut app, KeyCode::F(11));
    let [
        Cmd::ImportReviews {
            seq,
            page: 0,
            after: None,
        },
    ] = cmds.as_slice()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(app.screen(), Screen::ImportReviews);
    reply(
        &mut app,
        Reply::ImportReviews {
            seq: *seq,
            page: 0,
            result: Ok(import_reviews_page(import_rows())),
        },
    );
    app
}

#[test]
fn import_reviews_link_and_keep_separate() {
    for (lang, code) in LANGS {
        let mut app = on_import_reviews(lang);
        insta::assert_snapshot!(format!("import_reviews_{code}"), render(&app));

        // Link the first at the version read; the key is not taken twice while it is out.
        let cmds = press(&mut app, KeyCode::Char('l'));
        let [
            Cmd::DecideImport {
                cmid,
                review_id,
                version: 1,
                link: true,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(review_id, "ir-1");
        let cmid = cmid.clone();
        assert!(press(&mut app, KeyCode::Char('k')).is_empty());
        // An answer to another decision is not this one's.
        assert!(
            reply(
                &mut app,
                Reply::DecideImport {
                    cmid: "someone-else".into(),
                    result: Ok(()),
                },
            )
            .is_empty()
        );
        let cmds = reply(
            &mut app,
            Reply::DecideImport {
                cmid,
                result: Ok(()),
            },
        );
        let [Cmd::ImportReviews { seq, page: 0, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        reply(
            &mut app,
            Reply::ImportReviews {
                seq: *seq,
                page: 0,
                result: Ok(import_reviews_page(import_rows().split_off(1))),
            },
        );
        insta::assert_snapshot!(format!("import_reviews_linked_{code}"), render(&app));

        // Keep the other separate; a refusal (decided meanwhile) is shown in the user's language.
        let cmds = press(&mut app, KeyCode::Char('k'));
        let [
            Cmd::DecideImport {
                cmid,
                review_id,
                link: false,
                ..
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(review_id, "ir-2");
        let cmid = cmid.clone();
        reply(
            &mut app,
            Reply::DecideImport {
                cmid,
                result: Err(amparo::api::ApiError::Conflict("changed".into())),
            },
        );
        assert_eq!(app.screen(), Screen::ImportReviews);
        assert!(matches!(
            app.screens.import_reviews.list.error,
            Some(amparo::api::ApiError::Conflict(_))
        ));
        insta::assert_snapshot!(format!("import_reviews_refused_{code}"), render(&app));
    }
}

#[test]
fn only_registrars_reach_the_import_reviews() {
    let (mut app, _) = logged_in_as(Lang::En, "analyst", &["analyst"], (80, 24));
    assert!(press(&mut app, KeyCode::F(11)).is_empty());
    assert_ne!(app.screen(), Screen::ImportReviews);
}

/// Assistance staff land on the day's distributions (F4); from there the programmes with their
/// criteria in words, a reconciliation, and a list where a distribution is recorded after the
/// recipient's document number is typed (an empty number is caught, a household served
/// elsewhere is refused in words, a retry keeps its id).
#[test]
fn assistance_screens_and_recording_a_distribution() {
    for (lang, code) in LANGS {
        let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
        type_text(&mut app, "unhcr.assistance");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "pw");
        press(&mut app, KeyCode::Enter);
        reply(
            &mut app,
            Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
        );
        let cmds = reply(
            &mut app,
            Reply::Me(Ok(me_in(
                "unhcr.assistance",
                &["assistance_officer"],
                &["assistance", "protection", "resettlement"],
            ))),
        );
        assert_eq!(app.screen(), Screen::Distributions);
        let Some(Cmd::DistributionLists { seq }) = cmds
            .iter()
            .find(|c| matches!(c, Cmd::DistributionLists { .. }))
        else {
            panic!("no day read in {cmds:?}")
        };
        let cash = json!({ "id": "p-1", "name": "Efectivo multipropósito", "kind": "CASH", "amount": 120.0, "amountUnit": "USD" });
        let kits = json!({ "id": "p-2", "name": "Kits de higiene", "kind": "IN_KIND", "amount": 1.0, "amountUnit": "kit" });
        let day: amparo::api::distribution_lists::ResponseData = data(
            json!({ "distributionLists": [
            { "id": "l-1", "site": "Ibarra - Centro", "date": "2026-12-09", "cycle": 1, "planned": 2, "distributed": 0, "programme": cash },
            { "id": "l-2", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "planned": 2, "distributed": 1, "programme": cash },
            { "id": "l-3", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "planned": 4, "distributed": 0, "programme": kits },
        ] }),
        );
        reply(
            &mut app,
            Reply::DistributionLists {
                seq: *seq,
                result: Ok(day.distribution_lists),
            },
        );
        insta::assert_snapshot!(format!("distributions_day_{code}"), render(&app));

        // The programmes, the chosen one's criteria in words.
        let cmds = press(&mut app, KeyCode::Char('p'));
        let [Cmd::Programmes { seq }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let programmes: amparo::api::assistance_programmes::ResponseData = data(
            json!({ "assistanceProgrammes": [
            { "id": "p-1", "name": "Efectivo multipropósito", "kind": "CASH", "amount": 120.0, "amountUnit": "USD", "cycles": 3, "active": true, "version": 2,
              "eligibility": r#"{"all": [{"household_size": {"min": 2}}, {"any": [{"member_age": {"max": 17}}, {"need": {"codes": ["SM", "DS"]}}]}]}"# },
            { "id": "p-2", "name": "Kits de higiene", "kind": "IN_KIND", "amount": 1.0, "amountUnit": "kit", "cycles": 6, "active": false, "version": 1,
              "eligibility": r#"{"member_age": {"max": 4}}"# },
        ] }),
        );
        reply(
            &mut app,
            Reply::Programmes {
                seq: *seq,
                result: Ok(programmes.assistance_programmes),
            },
        );
        insta::assert_snapshot!(format!("distributions_programmes_{code}"), render(&app));

        // Its reconciliation, cycle 1 (`c`: `r` stays registration, as everywhere).
        let cmds = press(&mut app, KeyCode::Char('c'));
        let [
            Cmd::Reconciliation {
                seq,
                programme_id,
                cycle,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!((programme_id.as_str(), *cycle), ("p-1", 1));
        let sites: amparo::api::assistance_reconciliation::ResponseData = data(
            json!({ "assistanceReconciliation": [
            { "site": "Ibarra - Centro", "planned": 2, "distributedOfPlanned": 1, "outstanding": 1, "distributedHere": 0 },
            { "site": "Quito - La Tola", "planned": 2, "distributedOfPlanned": 1, "outstanding": 1, "distributedHere": 2 },
        ] }),
        );
        reply(
            &mut app,
            Reply::Reconciliation {
                seq: *seq,
                result: Ok(sites.assistance_reconciliation),
            },
        );
        insta::assert_snapshot!(format!("distributions_reconciliation_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Right);
        assert!(
            matches!(cmds.as_slice(), [Cmd::Reconciliation { cycle: 2, .. }]),
            "{cmds:?}"
        );

        // Back to the day; the Quito cash list.
        let cmds = press(&mut app, KeyCode::Esc);
        let [Cmd::DistributionLists { seq }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let day: amparo::api::distribution_lists::ResponseData = data(
            json!({ "distributionLists": [
            { "id": "l-2", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "planned": 2, "distributed": 1, "programme": cash },
        ] }),
        );
        reply(
            &mut app,
            Reply::DistributionLists {
                seq: *seq,
                result: Ok(day.distribution_lists),
            },
        );
        let cmds = press(&mut app, KeyCode::Enter);
        assert_eq!(app.screen(), Screen::DistributionList);
        let [Cmd::DistributionList { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "l-2");
        let list: amparo::api::distribution_list::ResponseData = data(
            json!({ "distributionList": {
            "id": "l-2", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "version": 1, "programme": cash,
            "entries": [
                { "entitlementId": "e-1", "groupId": "g-1", "groupNumber": "UNHCR-G-0000001", "focalPointId": "i-1",
                  "focalPointName": "María José Rojas", "members": 3, "amount": 120.0,
                  "distribution": { "site": "Quito - La Tola", "distributedAt": "2026-12-09T14:30:00Z", "method": "DOCUMENT" } },
                { "entitlementId": "e-2", "groupId": "g-2", "groupNumber": "UNHCR-G-0000002", "focalPointId": "i-4",
                  "focalPointName": "Rosa Quispe", "members": 2, "amount": 120.0, "distribution": null },
            ],
        } }),
        );
        reply(
            &mut app,
            Reply::DistributionList {
                seq: *seq,
                result: Ok(Box::new(list.distribution_list)),
            },
        );
        insta::assert_snapshot!(format!("distribution_list_{code}"), render(&app));

        // A household already served opens nothing; the next one opens the check.
        press(&mut app, KeyCode::Enter);
        assert!(app.screens.distribution_list.form.is_none());
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Enter);
        assert!(app.screens.distribution_list.form.is_some());
        assert!(
            press(&mut app, KeyCode::Enter).is_empty(),
            "nothing typed, nothing sent"
        );
        insta::assert_snapshot!(format!("distribution_verify_empty_{code}"), render(&app));
        type_text(&mut app, "V-20.111.222");
        let cmds = press(&mut app, KeyCode::Enter);
        let [
            Cmd::Distribute {
                cmid,
                list_id,
                group_id,
                recipient_id,
                document_number,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            (
                list_id.as_str(),
                group_id.as_str(),
                recipient_id.as_str(),
                document_number.as_deref()
            ),
            ("l-2", "g-2", "i-4", Some("V-20.111.222"))
        );
        let first = cmid.clone();
        reply(
            &mut app,
            Reply::Distributed {
                cmid: first.clone(),
                result: Err(ApiError::Refused {
                    reason: Reason::AlreadyDistributed(Box::new(amparo_domain::error::Delivered {
                        at: "2026-12-09T15:02:00Z".into(),
                        site: "Ibarra - Centro".into(),
                    })),
                    message: "already".into(),
                }),
            },
        );
        assert!(app.screens.distribution_list.form.is_some());
        insta::assert_snapshot!(format!("distribution_refused_{code}"), render(&app));
        // A retry keeps the id; done, the list is read again and says so.
        let cmds = press(&mut app, KeyCode::Enter);
        assert!(matches!(cmds.as_slice(), [Cmd::Distribute { cmid, .. }] if *cmid == first));
        let cmds = reply(
            &mut app,
            Reply::Distributed {
                cmid: first,
                result: Ok("d-1".into()),
            },
        );
        assert!(matches!(cmds.as_slice(), [Cmd::DistributionList { id, .. }] if id == "l-2"));
        assert!(app.screens.distribution_list.form.is_none());
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("distribution_list_help_{code}"), render(&app));
    }
}

/// An assistance officer on the programmes, fixture read.
fn assistance_officer_on_programmes(lang: Lang) -> App {
    let mut app = App::new(lang, "http://amparo.test:8080", (80, 24));
    type_text(&mut app, "unhcr.assistance");
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    reply(
        &mut app,
        Reply::Me(Ok(me_in(
            "unhcr.assistance",
            &["assistance_officer"],
            &["assistance", "protection", "resettlement"],
        ))),
    );
    let cmds = press(&mut app, KeyCode::Char('p'));
    let [Cmd::Programmes { seq }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    let programmes: amparo::api::assistance_programmes::ResponseData = data(
        json!({ "assistanceProgrammes": [
        { "id": "p-1", "name": "Efectivo multipropósito", "kind": "CASH", "amount": 120.0, "amountUnit": "USD", "cycles": 3, "active": true, "version": 2,
          "eligibility": r#"{"all": [{"household_size": {"min": 5}}, {"member_age": {"max": 4}}]}"# },
    ] }),
    );
    reply(
        &mut app,
        Reply::Programmes {
            seq: *seq,
            result: Ok(programmes.assistance_programmes),
        },
    );
    app
}

fn note(household: &str, eligible: bool, planned: bool, es: &str, en: &str) -> HouseholdNote {
    HouseholdNote {
        household: household.into(),
        eligible,
        planned,
        elsewhere: false,
        why_es: Some(es.into()),
        why_en: Some(en.into()),
    }
}

/// Planning from the terminal: a programme created (a rule that would be refused is refused
/// before sending, in the user's words, pointing at the condition) and changed at the version
/// read (the server's coded refusal shown the same way), a household assessed with its
/// explanation, a list opened for a site and date showing what became of each household, more
/// households added at the list's version; at 80x24 in both languages.
#[test]
fn assistance_planning_forms() {
    for (lang, code) in LANGS {
        let mut app = assistance_officer_on_programmes(lang);
        assert!(press(&mut app, KeyCode::Char('n')).is_empty());
        assert!(app.screens.distributions.form.is_some());
        insta::assert_snapshot!(format!("programme_new_{code}"), render(&app));
        type_text(&mut app, "Kits de invierno");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "1");
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "kit");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        // A rule whose ages run backwards: the rule field shows it whole, with the problem.
        let form = app.screens.distributions.form.as_mut().expect("form");
        form.form.fields[5].text.value =
            r#"{"all": [{"household_size": {"min": 5}}, {"member_age": {"min": 10, "max": 4}}]"#
                .into();
        press(&mut app, KeyCode::Char('}'));
        insta::assert_snapshot!(format!("programme_rule_{code}"), render(&app));
        assert!(
            press(&mut app, KeyCode::Enter).is_empty(),
            "refused before sending"
        );
        let shown = render(&app);
        let refusal = app
            .screens
            .distributions
            .form
            .as_ref()
            .and_then(|f| f.form.error.clone());
        assert!(
            matches!(&refusal, Some(ApiError::Validation { field, reason: Reason::BadRule(_), .. }) if field == "input.eligibility.all.1.member_age"),
            "{refusal:?}"
        );
        insta::assert_snapshot!(format!("programme_refused_here_{code}"), shown);
        let form = app.screens.distributions.form.as_mut().expect("form");
        form.form.fields[5].text.value = r#"{"member_age": {"max": 4}}"#.into();
        let cmds = press(&mut app, KeyCode::Enter);
        let [
            Cmd::SaveProgramme {
                cmid,
                edit: None,
                active: true,
                input,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            (
                input.name.as_str(),
                input.amount,
                input.unit.as_str(),
                input.cycles
            ),
            ("Kits de invierno", 1.0, "kit", 1)
        );
        assert_eq!(input.kind, amparo_domain::assistance::ProgrammeKind::InKind);
        assert_eq!(input.eligibility, r#"{"member_age":{"max":4}}"#);
        let cmds = reply(
            &mut app,
            Reply::ProgrammeSaved {
                cmid: cmid.clone(),
                result: Ok("p-9".into()),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::Programmes { .. }]),
            "{cmds:?}"
        );
        assert!(app.screens.distributions.form.is_none());

        // Changed at the version read; the server's refusal of the rule, in words.
        let mut app = assistance_officer_on_programmes(lang);
        press(&mut app, KeyCode::Char('e'));
        let cmds = ctrl(&mut app, 's');
        let [Cmd::SaveProgramme { cmid, edit, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(edit, &Some(("p-1".to_string(), 2)));
        reply(
            &mut app,
            Reply::ProgrammeSaved {
                cmid: cmid.clone(),
                result: Err(ApiError::Validation {
                    field: "input.eligibility.all.0.need.codes.0".into(),
                    reason: Reason::BadRule(Box::new(
                        amparo_domain::assistance::rules::RuleFault::UnknownNeed {
                            value: "XX".into(),
                        },
                    )),
                    message: "not a code".into(),
                }),
            },
        );
        insta::assert_snapshot!(format!("programme_refused_by_server_{code}"), render(&app));
        press(&mut app, KeyCode::Esc);

        // A household assessed, with why.
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "UNHCR-G-0000004");
        let cmds = press(&mut app, KeyCode::Enter);
        let [
            Cmd::Assess {
                cmid,
                programme_id,
                household,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            (programme_id.as_str(), household.as_str()),
            ("p-1", "UNHCR-G-0000004")
        );
        reply(
            &mut app,
            Reply::Assessed {
                cmid: cmid.clone(),
                result: Ok(note(
                    "UNHCR-G-0000004",
                    true,
                    false,
                    "elegible: hogar de 6 personas con un niño menor de 5",
                    "eligible: household of 6 with a child under 5",
                )),
            },
        );
        insta::assert_snapshot!(format!("programme_assessed_{code}"), render(&app));

        // A list for a site and day, two households sent.
        press(&mut app, KeyCode::Char('l'));
        let form = app.screens.distributions.form.as_mut().expect("form");
        form.form.fields[2].text.value = "2026-12-10".into();
        insta::assert_snapshot!(format!("list_new_{code}"), render(&app));
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Quito - La Tola");
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "UNHCR-G-0000004, UNHCR-G-0000007");
        let (cmid, target, households) = sent_plan(press(&mut app, KeyCode::Enter));
        assert_eq!(
            target,
            ListTarget::New {
                programme_id: "p-1".into(),
                cycle: 1,
                site: "Quito - La Tola".into(),
                date: "2026-12-10".into()
            }
        );
        assert_eq!(households, ["UNHCR-G-0000004", "UNHCR-G-0000007"]);
        let cmds = reply(
            &mut app,
            Reply::Planned {
                cmid: cmid.clone(),
                result: Ok(PlannedList {
                    list_id: "l-9".into(),
                    households: vec![
                        note(
                            "UNHCR-G-0000004",
                            true,
                            true,
                            "elegible: hogar de 6 personas con un niño menor de 5",
                            "eligible: household of 6 with a child under 5",
                        ),
                        note(
                            "UNHCR-G-0000007",
                            false,
                            false,
                            "no elegible: hogar de 2 personas (se requiere un niño menor de 5)",
                            "not eligible: household of 2 (needs a child under 5)",
                        ),
                    ],
                }),
            },
        );
        assert_eq!(app.screen(), Screen::DistributionList);
        let [Cmd::DistributionList { seq, id }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "l-9");
        let list: amparo::api::distribution_list::ResponseData = data(
            json!({ "distributionList": {
            "id": "l-9", "site": "Quito - La Tola", "date": "2026-12-10", "cycle": 1, "version": 2,
            "programme": { "id": "p-1", "name": "Efectivo multipropósito", "kind": "CASH", "amount": 120.0, "amountUnit": "USD" },
            "entries": [
                { "entitlementId": "e-4", "groupId": "g-4", "groupNumber": "UNHCR-G-0000004", "focalPointId": "i-4",
                  "focalPointName": "Rosa Quispe", "members": 6, "amount": 120.0, "distribution": null },
            ],
        } }),
        );
        reply(
            &mut app,
            Reply::DistributionList {
                seq: *seq,
                result: Ok(Box::new(list.distribution_list)),
            },
        );
        insta::assert_snapshot!(format!("list_planned_{code}"), render(&app));

        // More households, at the list's version.
        press(&mut app, KeyCode::Char('a'));
        type_text(&mut app, "UNHCR-G-0000008");
        insta::assert_snapshot!(format!("list_add_{code}"), render(&app));
        let (cmid, target, households) = sent_plan(press(&mut app, KeyCode::Enter));
        assert_eq!(
            target,
            ListTarget::Existing {
                list_id: "l-9".into(),
                version: 2
            }
        );
        assert_eq!(households, ["UNHCR-G-0000008"]);
        let cmds = reply(
            &mut app,
            Reply::Planned {
                cmid: cmid.clone(),
                result: Ok(PlannedList {
                    list_id: "l-9".into(),
                    households: vec![note(
                        "UNHCR-G-0000008",
                        true,
                        true,
                        "elegible: hogar de 5 personas",
                        "eligible: household of 5",
                    )],
                }),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::DistributionList { .. }]),
            "{cmds:?}"
        );
        assert!(app.screens.distribution_list.add.is_none());
    }
}

/// Where the workstation has a trusted scanner, `b` checks the recipient by their fingers: a
/// capture that does not match records nothing and says so; a match records a BIOMETRIC
/// distribution (no document number), once.
#[test]
fn a_recipient_checked_by_fingers() {
    for (lang, code) in LANGS {
        let mut app = assistance_officer_on_programmes(lang);
        app.scanner = true;
        press(&mut app, KeyCode::Esc);
        let cmds = press(&mut app, KeyCode::Char('g'));
        let [Cmd::DistributionLists { seq }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let cash = json!({ "id": "p-1", "name": "Efectivo multipropósito", "kind": "CASH", "amount": 120.0, "amountUnit": "USD" });
        let day: amparo::api::distribution_lists::ResponseData = data(
            json!({ "distributionLists": [
            { "id": "l-2", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "planned": 1, "distributed": 0, "programme": cash },
        ] }),
        );
        reply(
            &mut app,
            Reply::DistributionLists {
                seq: *seq,
                result: Ok(day.distribution_lists),
            },
        );
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::DistributionList { seq, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let list: amparo::api::distribution_list::ResponseData = data(
            json!({ "distributionList": {
            "id": "l-2", "site": "Quito - La Tola", "date": "2026-12-09", "cycle": 1, "version": 1, "programme": cash,
            "entries": [
                { "entitlementId": "e-2", "groupId": "g-2", "groupNumber": "UNHCR-G-0000002", "focalPointId": "i-4",
                  "focalPointName": "Rosa Quispe", "members": 2, "amount": 120.0, "distribution": null },
            ],
        } }),
        );
        reply(
            &mut app,
            Reply::DistributionList {
                seq: *seq,
                result: Ok(Box::new(list.distribution_list)),
            },
        );
        let cmds = press(&mut app, KeyCode::Char('b'));
        let [
            Cmd::CheckBiometrics {
                cmid,
                individual_id,
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(individual_id, "i-4");
        insta::assert_snapshot!(format!("fingers_capturing_{code}"), render(&app));
        assert!(
            press(&mut app, KeyCode::Esc).is_empty(),
            "the capture runs on"
        );
        reply(
            &mut app,
            Reply::BiometricChecked {
                cmid: cmid.clone(),
                result: Ok(false),
            },
        );
        insta::assert_snapshot!(format!("fingers_no_match_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Enter);
        let [Cmd::CheckBiometrics { cmid, .. }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        let cmds = reply(
            &mut app,
            Reply::BiometricChecked {
                cmid: cmid.clone(),
                result: Ok(true),
            },
        );
        let [
            Cmd::Distribute {
                cmid,
                recipient_id,
                document_number: None,
                ..
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(recipient_id, "i-4");
        let cmds = reply(
            &mut app,
            Reply::Distributed {
                cmid: cmid.clone(),
                result: Ok("d-1".into()),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::DistributionList { .. }]),
            "{cmds:?}"
        );
        assert!(app.screens.distribution_list.bio.is_none());
        press(&mut app, KeyCode::Char('?'));
        insta::assert_snapshot!(format!("fingers_list_help_{code}"), render(&app));
    }
}

fn statistics_fixture() -> serde_json::Value {
    let cell = |row: &str, count: i64| json!({ "row": row, "count": count });
    let month = |m: &str, office: &str, measure: &str, count: i64| json!({ "month": m, "office": office, "measure": measure, "count": count });
    let mut monthly = Vec::new();
    for (i, m) in [
        "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
    ]
    .iter()
    .enumerate()
    {
        let n = i as i64;
        monthly.push(month(m, "UIO", "REGISTRATION", 30 + 4 * n));
        monthly.push(month(m, "GYE", "REGISTRATION", 12 + n));
        monthly.push(month(m, "UIO", "APPLICATION", 9 + n));
        monthly.push(month(m, "UIO", "INTERVIEW", 5 + n));
        monthly.push(month(m, "UIO", "ASSESSMENT", 3 + n));
        monthly.push(month(m, "GYE", "REVIEW", 2 + n));
        monthly.push(month(m, "UIO", "DECISION_DAYS", 2 + n));
    }
    monthly.push(month("2026-11", "UIO", "RECOGNISED_CONVENTION", 14));
    monthly.push(month("2026-11", "UIO", "RECOGNISED_CARTAGENA", 6));
    monthly.push(month("2026-12", "UIO", "REJECTED", 9));
    monthly.push(month("2026-12", "UIO", "WITHDRAWAL", 2));
    json!({
        "statistics": {
            "asOf": "2026-12-06",
            "byAge": [cell("0-4", 31), cell("5-11", 44), cell("12-17", 28), cell("18-59", 160), cell("60+", 12), cell("unknown", 3)],
            "bySex": [cell("F", 148), cell("M", 127), cell("X", 3)],
            "byNationality": [cell("VEN", 190), cell("COL", 61), cell("CUB", 12), cell("HTI", 9), cell("PER", 6)],
            "byNeed": [cell("SV", 14), cell("CR", 11), cell("WR", 9), cell("SM", 4), cell("DS", 2)],
            "byGroupSize": [cell("1", 40), cell("2", 52), cell("3", 87), cell("4", 60), cell("5", 25), cell("6+", 14)],
            "byMonth": [cell("2026-07", 42), cell("2026-08", 47), cell("2026-09", 51), cell("2026-10", 55), cell("2026-11", 60), cell("2026-12", 23)],
            "monthly": monthly,
            "decisions": 29,
            "recognitionRate": 0.69,
            "refugeeRecognitionRate": 0.48,
            "processingTimes": [
                { "modality": "regular", "decisions": 21, "medianDays": 74, "p90Days": 118 },
                { "modality": "accelerated", "decisions": 8, "medianDays": 22, "p90Days": 35 }
            ],
            "backlog": {
                "open": 64, "awaitingDecision": 41,
                "ages": [{ "days": "0-30", "count": 20 }, { "days": "31-90", "count": 25 }, { "days": "91-180", "count": 12 }, { "days": "181-365", "count": 6 }, { "days": "366+", "count": 1 }],
                "overdue": [{ "modality": "regular", "targetDays": 90, "count": 7 }, { "modality": "simplified", "targetDays": 60, "count": 0 }, { "modality": "accelerated", "targetDays": 30, "count": 3 }, { "modality": "merged", "targetDays": 30, "count": 0 }]
            },
            "teamWork": [
                { "username": "registrar", "measure": "REGISTRATION", "count": 120 },
                { "username": "officer", "measure": "INTERVIEW", "count": 18 },
                { "username": "officer", "measure": "ASSESSMENT", "count": 12 }
            ]
        },
        "offices": [{ "code": "GYE", "name": "Guayaquil" }, { "code": "UIO", "name": "Quito" }]
    })
}

/// The bytes a first paint of the app sends to a terminal at 80x24, through the client's own
/// backend (what `tui/bench` counts).
fn wire_bytes(app: &App) -> usize {
    use amparo::term::{self, LeanBackend};
    let mut t = Terminal::new(LeanBackend::with_size(
        Vec::new(),
        ratatui::layout::Size::new(80, 24),
    ))
    .expect("counting terminal");
    term::frame(&mut t, app).expect("frame");
    t.backend_mut().writer_mut().len()
}

/// Analysts land on statistics (their F4): population, procedure and work views, office and
/// period filters, each screen under 4 KB at 80x24.
#[test]
fn statistics_screens() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = logged_in_as(lang, "analyst", &["analyst"], (80, 24));
        assert_eq!(app.screen(), Screen::Statistics);
        let Some(Cmd::Statistics {
            seq,
            office: None,
            from_month: None,
        }) = cmds
            .iter()
            .find(|c| matches!(c, Cmd::Statistics { .. }))
            .cloned()
        else {
            panic!("the analyst's home reads the statistics: {cmds:?}")
        };
        reply(
            &mut app,
            Reply::Statistics {
                seq,
                result: Ok(data(statistics_fixture())),
            },
        );
        let screen = render(&app);
        insta::assert_snapshot!(format!("statistics_population_{code}"), screen);
        let bytes = wire_bytes(&app);
        assert!(bytes < 4096, "population view sends {bytes} bytes");
        press(&mut app, KeyCode::Char('2'));
        insta::assert_snapshot!(format!("statistics_procedure_{code}"), render(&app));
        let bytes = wire_bytes(&app);
        assert!(bytes < 4096, "procedure view sends {bytes} bytes");
        press(&mut app, KeyCode::Char('3'));
        insta::assert_snapshot!(format!("statistics_work_{code}"), render(&app));
        let bytes = wire_bytes(&app);
        assert!(bytes < 4096, "work view sends {bytes} bytes");
        // Office and period filters ask again.
        let cmds = press(&mut app, KeyCode::Char('o'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::Statistics { office: Some(o), .. }] if o == "GYE"),
            "{cmds:?}"
        );
        let cmds = press(&mut app, KeyCode::Char('p'));
        assert!(
            matches!(
                cmds.as_slice(),
                [Cmd::Statistics {
                    from_month: Some(_),
                    office: Some(_),
                    ..
                }]
            ),
            "{cmds:?}"
        );
        // F4 is the analyst's statistics.
        let cmds = press(&mut app, KeyCode::F(4));
        assert!(
            matches!(cmds.as_slice(), [Cmd::Statistics { .. }]),
            "{cmds:?}"
        );
    }
}

/// Supervisors open statistics with `s` and data quality with `q` from their screen.
#[test]
fn data_quality_screens() {
    for (lang, code) in LANGS {
        let (mut app, _) = logged_in_as(lang, "supervisor", &["supervisor"], (80, 24));
        assert_eq!(app.screen(), Screen::Supervisor);
        let cmds = press(&mut app, KeyCode::Char('s'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::Statistics { .. }]),
            "{cmds:?}"
        );
        assert_eq!(app.screen(), Screen::Statistics);
        press(&mut app, KeyCode::Esc);
        let cmds = press(&mut app, KeyCode::Char('q'));
        let [Cmd::DataQuality { seq, office: None }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        assert_eq!(app.screen(), Screen::Quality);
        let keys = |pairs: &[(&str, i64)]| -> serde_json::Value {
            pairs
                .iter()
                .map(|(k, n)| json!({ "key": k, "count": n }))
                .collect()
        };
        let rule = |rule: &str, cases: bool, count: i64, records: serde_json::Value| {
            json!({
                "rule": rule, "aboutCases": cases, "count": count,
                "byOffice": keys(&[("UIO", count - count / 3), ("GYE", count / 3)]),
                "byUser": keys(&[("registrar", count / 2), ("registrar.gye", count - count / 2)]),
                "byMonth": keys(&[("2026-09", 1), ("2026-10", count / 2), ("2026-11", count / 3), ("2026-12", 2)]),
                "records": records,
            })
        };
        let rec = |n: &str, name: &str| json!({ "id": n, "number": n, "name": name, "office": "UIO", "month": "2026-11" });
        reply(
            &mut app,
            Reply::DataQuality {
                seq: *seq,
                result: Ok(data(json!({
                    "dataQuality": [
                        rule("birth_date_missing_or_estimated", false, 23, json!([rec("DPIN-00000012", "José Rondón"), rec("DPIN-00000031", "Ana Quispe")])),
                        rule("no_document", false, 41, json!([])),
                        rule("name_in_one_script", false, 3, json!([])),
                        rule("impossible_family_age", false, 1, json!([])),
                        rule("need_past_review", false, 6, json!([])),
                        rule("duplicate_not_adjudicated", false, 2, json!([])),
                        rule("case_without_events", true, 9, json!([])),
                    ],
                    "offices": [{ "code": "GYE", "name": "Guayaquil" }, { "code": "UIO", "name": "Quito" }]
                }))),
            },
        );
        insta::assert_snapshot!(format!("data_quality_{code}"), render(&app));
        let bytes = wire_bytes(&app);
        assert!(bytes < 4096, "data quality sends {bytes} bytes");
        press(&mut app, KeyCode::Down);
        let cmds = press(&mut app, KeyCode::Char('o'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::DataQuality { office: Some(o), .. }] if o == "GYE"),
            "{cmds:?}"
        );
    }
}

/// `me` as a field node answers it: the node, central unreachable since 14:05 UTC, three
/// changes waiting to go up and one conflict.
fn me_on_node(username: &str, roles: &[&str]) -> amparo::api::me::ResponseData {
    let mut me = serde_json::to_value(me_json(username, roles)).expect("me");
    me["fieldNode"] = json!({
        "node": true, "online": false, "offlineSince": "2026-12-07T14:05:00Z",
        "syncingPercent": null, "waiting": 3, "conflicts": 1
    });
    data(me)
}

fn me_json(username: &str, roles: &[&str]) -> serde_json::Value {
    json!({ "me": {
        "id": format!("user-{username}"),
        "username": username,
        "roles": roles,
        "office": { "name": "Quito", "timeZone": "America/Guayaquil", "workingHours": { "dayStarts": "08:00", "dayEnds": "17:00", "workingDays": [1, 2, 3, 4, 5], "holidays": [] } },
        "operationUnit": { "timeZone": "America/Guayaquil", "modules": ["registration", "rsd"], "hasFieldNodes": false },
    } })
}

/// Logs in on a field node as `username`; returns the app and what `me` started.
fn logged_in_on_node(lang: Lang, username: &str, roles: &[&str]) -> (App, Vec<Cmd>) {
    let mut app = App::new(lang, "http://127.0.0.1:8080", (80, 24));
    type_text(&mut app, username);
    press(&mut app, KeyCode::Tab);
    type_text(&mut app, "pw");
    press(&mut app, KeyCode::Enter);
    reply(
        &mut app,
        Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
    );
    let cmds = reply(&mut app, Reply::Me(Ok(me_on_node(username, roles))));
    (app, cmds)
}

fn sync_status(
    online: bool,
    syncing: Option<i64>,
    waiting: i64,
    conflicts: i64,
) -> amparo::api::sync_status::ResponseData {
    data(json!({ "syncStatus": {
        "node": true, "online": online,
        "offlineSince": if online { serde_json::Value::Null } else { json!("2026-12-07T14:05:00Z") },
        "syncingPercent": syncing, "waiting": waiting, "conflicts": conflicts
    } }))
}

#[test]
fn on_a_node_the_status_line_says_where_central_stands() {
    for (lang, code) in LANGS {
        let (mut app, cmds) = logged_in_on_node(lang, "registrar", &["registration_clerk"]);
        // A node is asked again in a while; nothing else is sent for it now.
        assert!(
            matches!(cmds.as_slice(), [Cmd::Silent(inner)] if matches!(**inner, Cmd::SyncStatus { after } if after == Duration::from_secs(15))),
            "{cmds:?}"
        );
        insta::assert_snapshot!(format!("node_offline_{code}"), render(&app));
        let (since, waiting, conflicts) = match lang {
            Lang::Es => ("sin central desde 09:05", "3 por subir", "1 conflicto"),
            Lang::En => ("offline since 09:05", "3 waiting", "1 conflict"),
        };
        let shown = render(&app);
        for words in [since, waiting, conflicts] {
            assert!(shown.contains(words), "{words}: {shown}");
        }
        // One conflict is singular.
        assert!(!shown.contains(&format!("{conflicts}s")), "{shown}");
        // A sync under way, then central reached with nothing left.
        let again = reply(
            &mut app,
            Reply::Silent(Box::new(Reply::SyncStatus(Ok(sync_status(
                true,
                Some(37),
                1,
                0,
            ))))),
        );
        assert!(
            matches!(again.as_slice(), [Cmd::Silent(inner)] if matches!(**inner, Cmd::SyncStatus { .. })),
            "asked again: {again:?}"
        );
        let syncing = match lang {
            Lang::Es => "sincronizando 37%",
            Lang::En => "syncing 37%",
        };
        assert!(render(&app).contains(syncing), "{}", render(&app));
        reply(
            &mut app,
            Reply::Silent(Box::new(Reply::SyncStatus(Ok(sync_status(
                true, None, 0, 0,
            ))))),
        );
        insta::assert_snapshot!(format!("node_online_{code}"), render(&app));
        // Logging out stops the questions and forgets the node's state.
        press(&mut app, KeyCode::F(9));
        assert!(app.node.line().is_none());
        let after = reply(
            &mut app,
            Reply::Silent(Box::new(Reply::SyncStatus(Ok(sync_status(
                true, None, 0, 0,
            ))))),
        );
        assert!(after.is_empty(), "{after:?}");
    }
}

#[test]
fn central_is_never_asked_where_it_stands() {
    let (app, cmds) = logged_in_as(Lang::En, "registrar", &["registration_clerk"], (80, 24));
    assert!(cmds.is_empty(), "{cmds:?}");
    assert!(app.node.line().is_none());
}

fn conflict_rows() -> Vec<amparo::screens::conflicts::Row> {
    let d: amparo::api::sync_conflicts::ResponseData = data(json!({ "syncConflicts": [
        {
            "id": "sc-1", "version": 1, "mutation": "updateIndividual",
            "mine": r#"{"clientMutationId":"n-1","id":"p-1","version":1,"givenNames":"María Node","placeOfBirth":"Nueva Loja"}"#,
            "theirs": r#"{"id":"p-1","version":2,"given_names":"María José","family_name":"Central","place_of_birth":"Nueva Loja"}"#,
            "recordId": "p-1", "recordType": "individuals", "errorCode": "CONFLICT",
            "errorMessage": "the record changed since you read it (version 2, you sent 1)",
            "status": "OPEN", "createdAt": "2026-12-07T15:10:00Z"
        },
        {
            "id": "sc-2", "version": 1, "mutation": "recordInterview",
            "mine": r#"{"clientMutationId":"n-2","caseId":"c-1","version":3,"at":"2026-12-25T15:00:00Z"}"#,
            "theirs": null, "recordId": "c-1", "recordType": "cases", "errorCode": "VALIDATION",
            "errorMessage": "2026-12-25 is not a working day at this office",
            "errorReason": "NOT_WORKING_DAY", "errorParams": { "at": "2026-12-25T15:00:00Z" },
            "errorField": "at",
            "status": "OPEN", "createdAt": "2026-12-07T15:12:00Z"
        }
    ] }));
    d.sync_conflicts
}

/// Ctrl-K from wherever the user is: the list of open conflicts, read.
fn on_conflicts(app: &mut App) {
    let cmds = ctrl(app, 'k');
    let [Cmd::SyncConflicts { seq }] = cmds.as_slice() else {
        panic!("{cmds:?}")
    };
    assert_eq!(app.screen(), Screen::Conflicts);
    reply(
        app,
        Reply::SyncConflicts {
            seq: *seq,
            result: Ok(conflict_rows()),
        },
    );
}

#[test]
fn sync_conflicts_side_by_side_resolved_by_a_person() {
    use amparo::screens::conflicts::Resolve;
    for (lang, code) in LANGS {
        let (mut app, _) = logged_in_on_node(lang, "registrar", &["registration_clerk"]);
        on_conflicts(&mut app);
        insta::assert_snapshot!(format!("sync_conflicts_{code}"), render(&app));
        // Merge: only the marked field goes, at the version read.
        assert!(
            press(&mut app, KeyCode::Char('f')).is_empty(),
            "nothing marked"
        );
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char(' '));
        insta::assert_snapshot!(format!("sync_conflicts_marked_{code}"), render(&app));
        let cmds = press(&mut app, KeyCode::Char('f'));
        let [
            Cmd::ResolveConflict {
                cmid,
                id,
                version: 1,
                resolution: Resolve::Merge,
                fields: Some(fields),
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "sc-1");
        assert_eq!(fields, &vec!["givenNames".to_string()]);
        let cmid = cmid.clone();
        // Not taken twice while it is out.
        assert!(press(&mut app, KeyCode::Char('m')).is_empty());
        let cmds = reply(
            &mut app,
            Reply::ResolveConflict {
                cmid,
                result: Ok(()),
            },
        );
        let [Cmd::SyncConflicts { seq }] = cmds.as_slice() else {
            panic!("{cmds:?}")
        };
        reply(
            &mut app,
            Reply::SyncConflicts {
                seq: *seq,
                result: Ok(conflict_rows().split_off(1)),
            },
        );
        insta::assert_snapshot!(format!("sync_conflicts_merged_{code}"), render(&app));
        // Central's refusal of the other is in the user's words, never central's English.
        let said = match lang {
            Lang::Es => "Fecha y hora: el 2026-12-25",
            Lang::En => "Date and time: 2026-12-25",
        };
        let shown = render(&app);
        assert!(shown.contains(said), "{shown}");
        assert!(!shown.contains("at this office"), "{shown}");
        // Keep central's; a refusal (resolved meanwhile) is shown in the user's language.
        let cmds = press(&mut app, KeyCode::Char('t'));
        let [
            Cmd::ResolveConflict {
                cmid,
                id,
                resolution: Resolve::Theirs,
                fields: None,
                ..
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(id, "sc-2");
        let cmid = cmid.clone();
        reply(
            &mut app,
            Reply::ResolveConflict {
                cmid,
                result: Err(ApiError::Conflict("resolved meanwhile".into())),
            },
        );
        assert_eq!(app.screen(), Screen::Conflicts);
        insta::assert_snapshot!(format!("sync_conflicts_refused_{code}"), render(&app));
        // Apply mine on the other, and Esc goes back to where the user was.
        let cmds = press(&mut app, KeyCode::Char('m'));
        assert!(
            matches!(
                cmds.as_slice(),
                [Cmd::ResolveConflict {
                    resolution: Resolve::Mine,
                    ..
                }]
            ),
            "{cmds:?}"
        );
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.screen(), Screen::Search);
    }
}

#[test]
fn sync_conflicts_are_offered_only_where_the_unit_has_field_nodes() {
    for (who, roles) in [
        ("supervisor", &["supervisor"][..]),
        ("officer", &["eligibility_officer"][..]),
    ] {
        // A unit with no field node: no conflict can exist, so no key is offered for them.
        let (mut app, _) = logged_in_as(Lang::En, who, roles, (80, 24));
        let shown = app.screen();
        assert!(ctrl(&mut app, 'k').is_empty(), "{who}");
        assert_eq!(app.screen(), shown, "{who}");
        press(&mut app, KeyCode::Char('?'));
        let help = app.help_lines();
        assert!(!help.iter().any(|(k, _)| k == "Ctrl-K"), "{who}: {help:?}");
        assert!(help.iter().any(|(k, _)| k == "?, F1"), "{who}: {help:?}");
        // Once the unit has one, Ctrl-K opens them from anywhere, and the help lists it.
        let mut app = App::new(Lang::En, "http://amparo.test:8080", (80, 24));
        type_text(&mut app, who);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "pw");
        press(&mut app, KeyCode::Enter);
        reply(
            &mut app,
            Reply::Login(Ok(data(json!({ "login": { "token": "tok" } })))),
        );
        let mut me = me_json(who, roles);
        me["me"]["operationUnit"]["hasFieldNodes"] = json!(true);
        reply(&mut app, Reply::Me(Ok(data(me))));
        assert!(app.help_lines().iter().any(|(k, _)| k == "Ctrl-K"), "{who}");
        let cmds = ctrl(&mut app, 'k');
        assert!(
            matches!(cmds.as_slice(), [Cmd::SyncConflicts { .. }]),
            "{who}: {cmds:?}"
        );
        assert_eq!(app.screen(), Screen::Conflicts, "{who}");
        press(&mut app, KeyCode::Char('?'));
        let help = render(&app);
        assert!(help.contains("apply mine"), "{help}");
    }
}

/// The unit's field nodes as a unit admin sees them: view 6 of F7 lists them, `n` registers
/// one for an office and shows its one-time code once with the line that uses it, `x` revokes
/// the chosen one at the version read, after a confirmation in the user's language.
#[test]
fn a_unit_admin_registers_and_revokes_field_nodes() {
    use amparo::msg::{AdminData, AdminOp, AdminRead};
    for (lang, code) in LANGS {
        let mut app = admin_home(lang);
        let cmds = press(&mut app, KeyCode::Char('6'));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Nodes)]),
            "{cmds:?}"
        );
        let node = |id: &str, name: &str, office: &str, enrolled: bool, revoked: bool| {
            json!({
                "id": id, "name": name, "officeId": office,
                "enrolledAt": if enrolled { json!("2026-12-01T13:00:00Z") } else { json!(null) },
                "enrolExpiresAt": "2099-12-08T13:00:00Z",
                "lastContactAt": if enrolled { json!("2026-12-07T14:05:00Z") } else { json!(null) },
                "backlog": if enrolled { 3 } else { 0 }, "behind": if enrolled { 41 } else { 0 },
                "revokedAt": if revoked { json!("2026-12-05T10:00:00Z") } else { json!(null) },
                "wipedAt": null, "version": if enrolled { 2 } else { 1 },
            })
        };
        reply(
            &mut app,
            Reply::AdminRead(Ok(AdminData::Nodes(Box::new(data(json!({
                "fieldNodes": [
                    node("n-lag", "Lago Agrio laptop 1", "o-lag", true, false),
                    node("n-esm", "Esmeraldas", "o-esm", true, true),
                    node("n-tul", "Tulcán", "o-tul", false, false),
                ],
                "unitOffices": [
                    { "id": "o-esm", "code": "ESM", "name": "Esmeraldas" },
                    { "id": "o-lag", "code": "LAG", "name": "Lago Agrio" },
                    { "id": "o-tul", "code": "TUL", "name": "Tulcán" },
                ],
            })))))),
        );
        insta::assert_snapshot!(format!("admin_nodes_{code}"), render(&app));
        let shown = render(&app);
        let words = match lang {
            Lang::Es => ["en servicio", "revocado", "espera código"],
            Lang::En => ["in service", "revoked", "awaits code"],
        };
        for w in words {
            assert!(shown.contains(w), "{w}: {shown}");
        }
        // A new node for Tulcán.
        press(&mut app, KeyCode::Char('n'));
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Tab);
        type_text(&mut app, "Tulcán laptop 2");
        let cmds = ctrl(&mut app, 's');
        let [
            Cmd::AdminAct {
                cmid,
                op: AdminOp::RegisterNode { office_code, name },
            },
        ] = cmds.as_slice()
        else {
            panic!("{cmds:?}")
        };
        assert_eq!(
            (office_code.as_str(), name.as_str()),
            ("TUL", "Tulcán laptop 2")
        );
        let cmds = reply(
            &mut app,
            Reply::AdminAct {
                cmid: cmid.clone(),
                result: Ok(amparo::msg::AdminDone::NodeCode {
                    name: "Tulcán laptop 2".into(),
                    code: "ABCDE-FGHJK-LMNPQ-RSTUV".into(),
                    expires_at: "2026-12-14T15:00:00Z".into(),
                }),
            },
        );
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminRead(AdminRead::Nodes)]),
            "the list is read again: {cmds:?}"
        );
        let shown = render(&app);
        assert!(
            shown.contains("node init --central URL --code ABCDE-FGHJK-LMNPQ-RSTUV"),
            "{shown}"
        );
        insta::assert_snapshot!(format!("admin_node_code_{code}"), shown);
        // The code is shown once: any key closes it.
        press(&mut app, KeyCode::Esc);
        assert!(!render(&app).contains("ABCDE-FGHJK"));
        // Revoke Lago Agrio's: asked first; another key than yes changes nothing.
        press(&mut app, KeyCode::Char('x'));
        let ask = match lang {
            Lang::Es => {
                "¿Revocar? Deja de sincronizar y borra sus datos personales. s sí · otra no"
            }
            Lang::En => {
                "Revoke? It stops syncing and wipes its personal data. y yes · another key no"
            }
        };
        assert!(render(&app).contains(ask), "{}", render(&app));
        assert!(press(&mut app, KeyCode::Char('q')).is_empty());
        press(&mut app, KeyCode::Char('x'));
        let yes = match lang {
            Lang::Es => 's',
            Lang::En => 'y',
        };
        let cmds = press(&mut app, KeyCode::Char(yes));
        assert!(
            matches!(cmds.as_slice(), [Cmd::AdminAct { op: AdminOp::RevokeNode { id, version }, .. }] if id == "n-lag" && *version == 2),
            "{cmds:?}"
        );
        // A revoked node offers nothing to revoke.
        press(&mut app, KeyCode::Down);
        assert!(press(&mut app, KeyCode::Char('x')).is_empty());
        assert!(!render(&app).contains(ask));
    }
}

/// The one distribution-list request a key sent: its clientMutationId, list and households.
fn sent_plan(cmds: Vec<Cmd>) -> (String, ListTarget, Vec<String>) {
    match <[Cmd; 1]>::try_from(cmds) {
        Ok(
            [
                Cmd::PlanList {
                    cmid,
                    target,
                    households,
                },
            ],
        ) => (cmid, target, households),
        Ok([other]) => panic!("sent {other:?}, not a list"),
        Err(cmds) => panic!("sent {cmds:?}, not one list"),
    }
}
