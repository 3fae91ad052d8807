//! The public pre-registration form in real headless chromium, driven over WebDriver
//! (chromedriver on a free loopback port), once with JavaScript off and once on, on both
//! databases: a family of three is sent, a refused age is corrected next to its field, the
//! reference and secret are shown, the status page books an appointment and shows it, and once
//! a registrar converts it the status page says registered.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/apt-packages`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use amparo_api::auth::AuthConfig;
use amparo_tests::{TestDb, TestServer, World, both_backends, start, world};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// chromedriver on a loopback port of its own, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn driver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian's chromium-driver) on the PATH");
    // Dropping it stops the process, whatever happens below.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    // It listens once started; ask until it answers, a bounded number of times.
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start listening on {port}");
}

async fn browser(driver: &Driver, javascript: bool) -> Client {
    let mut options = json!({
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=360,740",
                 "--lang=en-GB"],
    });
    if !javascript {
        options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a chromium session")
}

async fn field(c: &Client, name: &str) -> fantoccini::elements::Element {
    c.find(Locator::Css(&format!("[name=\"{name}\"]")))
        .await
        .unwrap_or_else(|e| panic!("field {name}: {e}"))
}

async fn type_in(c: &Client, name: &str, text: &str) {
    let f = field(c, name).await;
    f.clear().await.expect("clear");
    f.send_keys(text).await.expect("type");
}

async fn choose(c: &Client, name: &str, value: &str) {
    field(c, name)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {name}: {e}"));
}

/// Clicks a button that loads a new page, and waits until the page it was on is gone, so that
/// what is read next is the new page (a form's submission may return before it loads).
async fn press(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.expect("the page");
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("button {css}: {e}"))
        .click()
        .await
        .expect("click");
    for _ in 0..1200 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("pressing {css} loaded no new page");
}

async fn text_of(c: &Client, id: &str) -> String {
    c.wait()
        .for_element(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .text()
        .await
        .expect("text")
}

async fn person(c: &Client, i: usize, given: &str, sex: &str, age: &str, relationship: &str) {
    type_in(c, &format!("members.{i}.givenNames"), given).await;
    type_in(c, &format!("members.{i}.familyName"), "Rondón").await;
    choose(c, &format!("members.{i}.sex"), sex).await;
    type_in(c, &format!("members.{i}.age"), age).await;
    choose(c, &format!("members.{i}.nationality"), "VEN").await;
    if i > 0 {
        choose(c, &format!("members.{i}.relationship"), relationship).await;
    }
}

fn open(srv: &TestServer, db: &amparo_api::store::Database, w: &World) -> String {
    let unit = w.dpin.clone();
    db.write_blocking(move |c| amparo_api::store::prereg::set_enabled(c, &unit, true))
        .expect("form on");
    format!("{}/pre-registration", srv.url)
}

async fn a_family_of_three_in_chromium(t: TestDb, javascript: bool) {
    let w = world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let form_url = open(&srv, &t.db, &w);
    let d = driver().await;
    let c = browser(&d, javascript).await;
    c.goto(&format!("{form_url}?lang=en")).await.expect("form");

    person(&c, 0, "Ana María", "F", "37", "").await;
    press(&c, "button[value=\"add\"]").await;
    person(&c, 1, "Luis", "M", "40", "spouse").await;
    press(&c, "button[value=\"add\"]").await;
    // An impossible age, refused below.
    person(&c, 2, "Sofía", "F", "300", "daughter").await;
    type_in(&c, "phone", "+593 99 123 4567").await;
    type_in(&c, "province", "Carchi").await;
    type_in(&c, "canton", "Tulcán").await;
    let quito = c
        .find(Locator::XPath(
            "//select[@name='office']/option[text()='Quito']",
        ))
        .await
        .expect("Quito offered");
    quito.click().await.expect("choose Quito");
    choose(&c, "languages.0", "spa").await;
    field(&c, "consent").await.click().await.expect("consent");
    press(&c, "button.go").await;

    let refusal = text_of(&c, "e-members.2.age").await;
    assert!(refusal.contains("Not a possible age"), "{refusal}");
    assert_eq!(
        field(&c, "members.1.givenNames")
            .await
            .prop("value")
            .await
            .expect("value"),
        Some("Luis".to_string()),
        "what was typed is kept"
    );
    type_in(&c, "members.2.age", "4").await;
    press(&c, "button.go").await;

    let reference = text_of(&c, "reference").await;
    let secret = text_of(&c, "secret").await;
    assert_eq!(reference.len(), 11, "{reference}");
    assert_eq!(secret.len(), 19, "{secret}");

    // The status page, reached from the confirmation with a POST: free times, then a booking.
    press(&c, "button.go").await;
    assert!(text_of(&c, "stage").await.contains("Received"));
    press(&c, "button[value=\"book\"]").await;
    assert!(text_of(&c, "stage").await.contains("Appointment given"));
    let appointment = text_of(&c, "appointment").await;
    assert!(appointment.contains(':'), "a date and time: {appointment}");
    let url = c.current_url().await.expect("url");
    assert!(url.query().is_none(), "nothing in the URL: {url}");

    // A registrar converts it; the family's status page then says registered.
    let token = srv.login("registrar").await;
    let queue = srv
        .gql(
            Some(&token),
            "{ preRegistrations { nodes { id version reference members { relationship givenNames familyName sex dateOfBirth dateOfBirthPrecision nationality } } } }",
            json!({}),
        )
        .await;
    let item = queue["data"]["preRegistrations"]["nodes"][0].clone();
    assert_eq!(item["reference"], reference.as_str(), "{queue}");
    let members: Vec<Value> = item["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            json!({ "relationship": m["relationship"], "person": {
                "givenNames": m["givenNames"], "familyName": m["familyName"], "sex": m["sex"],
                "dateOfBirth": m["dateOfBirth"], "dateOfBirthPrecision": m["dateOfBirthPrecision"],
                "nationalities": [m["nationality"]] } })
        })
        .collect();
    let converted = srv
        .gql(
            Some(&token),
            "mutation($input: ConvertPreRegistrationInput!) { convertPreRegistration(input: $input) { saved } }",
            json!({ "input": { "clientMutationId": "browser-convert", "id": item["id"],
                    "version": item["version"], "members": members, "acknowledgeDuplicates": true } }),
        )
        .await;
    assert_eq!(
        converted["data"]["convertPreRegistration"]["saved"], true,
        "{converted}"
    );
    c.goto(&format!("{form_url}/status?lang=en"))
        .await
        .expect("status");
    type_in(&c, "reference", &reference).await;
    type_in(&c, "secret", &secret).await;
    press(&c, "button.go").await;
    assert_eq!(text_of(&c, "stage").await, "Registered");
    c.close().await.expect("close the browser");
}

async fn without_javascript(t: TestDb) {
    a_family_of_three_in_chromium(t, false).await;
}

async fn with_javascript(t: TestDb) {
    a_family_of_three_in_chromium(t, true).await;
}

both_backends!(without_javascript, with_javascript);
