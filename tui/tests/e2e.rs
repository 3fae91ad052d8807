//! The client against a real server over HTTP (SQLite, and PostgreSQL where reachable, from the
//! `amparo-tests` harness): keys go through `update`, requests through the real runtime and
//! transport, and the test reads the screen a caseworker would see.

use std::time::Duration;

use amparo::api::Client;
use amparo::app::{App, Msg, Screen, update};
use amparo::i18n::Lang;
use amparo::runtime;
use amparo::view::view;
use amparo_api::auth::AuthConfig;
use amparo_tests::{PASSWORD, TestDb, start, world};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
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
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
        terminal.draw(|f| view(&self.app, f)).expect("draw");
        terminal.backend().to_string()
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

amparo_tests::both_backends!(log_in_register_find_by_transliteration_and_open);

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
    assert_eq!(d.app.screen, Screen::Login);
    assert!(
        d.screen().contains("Wrong username or password"),
        "{}",
        d.screen()
    );

    d.ctrl('u').await;
    d.text(PASSWORD).await;
    d.key(KeyCode::Enter).await;
    assert_eq!(d.app.screen, Screen::Search, "{}", d.screen());
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
    assert_eq!(d.app.screen, Screen::Individual);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_the_demo_world_to_the_client() {
    let server = amparo::demo::start().await.expect("demo server");
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
    assert_eq!(d.app.screen, Screen::Search, "{}", d.screen());
    d.text("garcia").await;
    d.key(KeyCode::Enter).await;
    assert!(d.app.search.rows.len() > 1, "{}", d.screen());
    assert!(d.screen().contains("García"), "{}", d.screen());
}
