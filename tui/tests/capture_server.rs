//! `amparo capture` against the real server (SQLite, and PostgreSQL where reachable): the device
//! emulator signs as the capture device the test server trusts, sessions run through every check,
//! and the captures travel through the offline queue and the `enrolBiometrics` uploader. A
//! person is enrolled; the same fingers under a second identity are flagged and queued for
//! adjudication, which a supervisor decides; a fresh capture verifies 1:1 against the first
//! identity only; a capture made while the server was down arrives after `--sync`; a sample the
//! server refuses is taken again alone and the enrolment then lands.

use std::time::Duration;

use amparo::api::{self, Client};
use amparo::capture::check::Problem;
use amparo::capture::cli::deliver_retaking;
use amparo::capture::device::{self, Device, SbiHttp};
use amparo::capture::emulator::{self, Emulator, EmulatorConfig, Source};
use amparo::capture::model::Capture;
use amparo::capture::progress::Board;
use amparo::capture::queue::{Delivery, Queue};
use amparo::capture::session::{FingerMode, Operator, Plan, Policy, Session, Step};
use amparo::capture::upload::GraphqlUploader;
use amparo::i18n::Lang;
use amparo_api::auth::AuthConfig;
use amparo_sbi::Position;
use amparo_tests::{PASSWORD, TestDb, TestServer, both_backends, start, world};
use serde_json::{Value, json};

/// Retries while it may and never gives a position up.
struct Patient;

impl Operator for Patient {
    fn progress(&mut self, _board: &Board) {}
    fn step(&mut self, _step: &Step) {}
    fn retry(&mut self, _step: &Step, _problem: &Problem, _attempt: u32, _max: u32) -> bool {
        true
    }
    fn give_up(&mut self, _position: Position, _problem: &Problem) -> bool {
        false
    }
}

/// Ten fingers and both irises of synthetic person `seed`, from a device signed as the test
/// server's trusted scanner.
async fn capture_of(seed: u64, individual: &str) -> Capture {
    let emu = Emulator::start(EmulatorConfig {
        port: None,
        source: Source::Synthetic,
        subject_seed: seed,
        identity: Some(amparo_tests::device::identity().clone()),
        fault: None,
    })
    .await
    .expect("emulator listens in 4501-4600");
    let trust = amparo_tests::device::trust();
    let http = SbiHttp::new(Duration::from_millis(500)).expect("client");
    // Other tests run emulators of their own on the other ports.
    let devices: Vec<Device> = device::discover(&http, emulator::PORTS, &trust)
        .await
        .into_iter()
        .filter(|d| d.port == emu.port())
        .collect();
    let policy = Policy::default();
    let plan = Plan {
        fingers: FingerMode::Slaps,
        irises: true,
        face: false,
        exceptions: Vec::new(),
    };
    Session::new(&http, &devices, &trust, &policy)
        .run(&plan, individual, &mut Patient)
        .await
        .expect("a clean capture")
}

async fn logged_in(url: &str, username: &str) -> Client {
    let client = Client::new(url).expect("client");
    let data = client
        .post::<api::Login>(api::login::Variables {
            username: username.into(),
            password: PASSWORD.into(),
            new_password: None,
        })
        .await
        .expect("login");
    client.set_token(Some(data.login.token));
    client
}

async fn gql(srv: &TestServer, token: &str, query: &str, vars: Value) -> Value {
    let r = srv.gql(Some(token), query, vars).await;
    assert!(r["errors"].is_null(), "{r}");
    r["data"].clone()
}

async fn register(srv: &TestServer, token: &str, given: &str) -> String {
    let d = gql(
        srv,
        token,
        "mutation($i: RegisterGroupInput!) { registerGroup(input: $i) { members { id } } }",
        json!({ "i": { "clientMutationId": format!("reg-{given}"), "acknowledgeDuplicates": true,
            "members": [{ "relationship": "focal_point", "person": { "givenNames": given,
            "familyName": "Capturada", "sex": "F", "dateOfBirth": "1991-04-02",
            "nationalities": ["VEN"] } }] } }),
    )
    .await;
    d["registerGroup"]["members"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

async fn verify(srv: &TestServer, token: &str, individual: &str, probe: &Capture) -> bool {
    let samples: Vec<Value> = probe
        .samples
        .iter()
        .map(|s| json!({ "position": s.position.contract_name(), "record": s.record }))
        .collect();
    let d = gql(
        srv,
        token,
        "query($i: VerifyIdentityInput!) { verifyIdentity(input: $i) { matched } }",
        json!({ "i": { "individualId": individual, "samples": samples } }),
    )
    .await;
    d["verifyIdentity"]["matched"].as_bool().expect("matched")
}

async fn pending_reviews(srv: &TestServer, token: &str) -> Vec<Value> {
    let d = gql(
        srv,
        token,
        "query { biometricReviews(status: PENDING, first: 20) { edges { node { id version
            enrolled { individualId } candidate { individualId } } } } }",
        json!({}),
    )
    .await;
    d["biometricReviews"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

both_backends!(
    captured_enrolled_flagged_adjudicated_verified_and_synced,
    a_sample_the_server_refuses_is_taken_again_alone_and_the_enrolment_lands,
);

async fn captured_enrolled_flagged_adjudicated_verified_and_synced(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let supervisor = srv.login("supervisor").await;
    let ana = register(&srv, &clerk, "Ana").await;
    let alias = register(&srv, &clerk, "Aurora").await;
    let carla = register(&srv, &clerk, "Carla").await;

    let client = logged_in(&srv.url, "registrar").await;
    let uploader = GraphqlUploader {
        client: client.clone(),
        text: amparo::i18n::capture_text(Lang::En),
    };
    let dir = tempfile::tempdir().expect("queue dir");
    let queue = Queue::open(dir.path(), None).expect("queue");

    // Ana's first enrolment: nobody matches, no review.
    let first = capture_of(42, &ana).await;
    assert_eq!(first.samples.len(), 12);
    assert_eq!(
        queue.deliver(&uploader, &first).await.expect("delivered"),
        Delivery::Uploaded
    );
    assert!(pending_reviews(&srv, &supervisor).await.is_empty());
    // Sending it again (a retry after a lost answer) enrols nothing new.
    assert_eq!(
        queue.deliver(&uploader, &first).await.expect("delivered"),
        Delivery::Uploaded
    );
    assert!(pending_reviews(&srv, &supervisor).await.is_empty());

    // The same person presents as "Aurora": stored, flagged and queued against Ana.
    let again = capture_of(42, &alias).await;
    assert_eq!(
        queue.deliver(&uploader, &again).await.expect("delivered"),
        Delivery::Uploaded
    );
    let reviews = pending_reviews(&srv, &supervisor).await;
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert_eq!(reviews[0]["enrolled"]["individualId"], json!(alias));
    assert_eq!(reviews[0]["candidate"]["individualId"], json!(ana));

    // A supervisor decides: the same person.
    let d = gql(
        &srv,
        &supervisor,
        "mutation($i: DecideDuplicateInput!) { decideDuplicate(input: $i) { review { status decisionReason } } }",
        json!({ "i": { "clientMutationId": "decide-1", "reviewId": reviews[0]["id"],
            "version": reviews[0]["version"], "decision": "SAME_PERSON",
            "reason": "Same fingers and irises; she registered twice under another name" } }),
    )
    .await;
    assert_eq!(d["decideDuplicate"]["review"]["status"], "SAME_PERSON");
    assert!(pending_reviews(&srv, &supervisor).await.is_empty());

    // At a service point: a new capture of the same person verifies against Ana, and not
    // against Carla (not enrolled yet) nor is a stranger taken for Ana.
    let probe = capture_of(42, &ana).await;
    assert!(verify(&srv, &clerk, &ana, &probe).await);
    let stranger = capture_of(4242, &ana).await;
    assert!(!verify(&srv, &clerk, &ana, &stranger).await);

    // Carla is captured while the server cannot be reached: the capture waits, encrypted.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let offline = GraphqlUploader {
        client: Client::new(&dead).expect("client"),
        text: amparo::i18n::capture_text(Lang::En),
    };
    let carla_capture = capture_of(77, &carla).await;
    assert!(matches!(
        queue.deliver(&offline, &carla_capture).await.expect("kept"),
        Delivery::Queued(_)
    ));
    assert_eq!(queue.pending().expect("list").len(), 1);
    // `--sync` once the link is back: it arrives once, and Carla then verifies.
    let report = queue.sync(&uploader).await.expect("sync");
    assert_eq!((report.sent, report.remaining), (1, 0));
    assert_eq!(queue.sync(&uploader).await.expect("sync").sent, 0);
    let carla_probe = capture_of(77, &carla).await;
    assert!(verify(&srv, &clerk, &carla, &carla_probe).await);
    assert!(pending_reviews(&srv, &supervisor).await.is_empty());
}

/// The server refuses one finger of an enrolment (here its device record is another finger's,
/// so it names `samples.N.deviceRecord`); the client takes only that finger again in the same
/// session and the enrolment lands, with every other sample as first captured.
async fn a_sample_the_server_refuses_is_taken_again_alone_and_the_enrolment_lands(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let dora = register(&srv, &clerk, "Dora").await;
    let client = logged_in(&srv.url, "registrar").await;
    let uploader = GraphqlUploader {
        client,
        text: amparo::i18n::capture_text(Lang::En),
    };
    let dir = tempfile::tempdir().expect("queue dir");
    let queue = Queue::open(dir.path(), None).expect("queue");

    let emu = Emulator::start(EmulatorConfig {
        port: None,
        source: Source::Synthetic,
        subject_seed: 77,
        identity: Some(amparo_tests::device::identity().clone()),
        fault: None,
    })
    .await
    .expect("emulator listens in 4501-4600");
    let trust = amparo_tests::device::trust();
    let http = SbiHttp::new(Duration::from_millis(500)).expect("client");
    let devices: Vec<Device> = device::discover(&http, emulator::PORTS, &trust)
        .await
        .into_iter()
        .filter(|d| d.port == emu.port())
        .collect();
    let policy = Policy::default();
    let plan = Plan {
        fingers: FingerMode::Slaps,
        irises: false,
        face: false,
        exceptions: Vec::new(),
    };
    let mut session = Session::new(&http, &devices, &trust, &policy);
    let mut capture = session
        .run(&plan, &dora, &mut Patient)
        .await
        .expect("a clean capture");
    let ring = capture
        .samples
        .iter()
        .position(|s| s.position == Position::LeftRing)
        .expect("left ring");
    let middle = capture
        .samples
        .iter()
        .position(|s| s.position == Position::LeftMiddle)
        .expect("left middle");
    capture.samples[ring].device_record = capture.samples[middle].device_record.clone();
    let kept: Vec<_> = capture
        .samples
        .iter()
        .filter(|s| s.position != Position::LeftRing)
        .cloned()
        .collect();

    let before = emu.captures();
    let sent = capture.clone();
    let delivery = deliver_retaking(&queue, &uploader, &mut session, capture, &mut Patient)
        .await
        .expect("delivered");
    assert_eq!(delivery, Delivery::Uploaded);
    assert_eq!(emu.captures(), before + 1, "only the refused finger again");
    assert!(queue.pending().expect("list").is_empty());
    assert!(queue.refused().expect("refused").is_empty());
    // The enrolment landed: the person now verifies with the samples kept from the first try.
    let probe = Capture {
        samples: kept,
        ..sent
    };
    assert!(verify(&srv, &clerk, &dora, &probe).await);
}
