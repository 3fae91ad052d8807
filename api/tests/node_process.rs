//! A field node as an office runs it: `amparo-api serve` as central (PostgreSQL, and SQLite),
//! `amparo-api node enrol`, `node init` and `node sync` as processes, real HTTP between them.
//! A node's sync killed with SIGKILL at any moment resumes, and ends with the same records as a
//! node whose sync was never cut; `node init` refuses a key file inside the data directory.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use amparo_api::node::key;
use amparo_api::store::{Database, DbConn};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

mod support;
use support::{Db, Server, bin, run};

/// People seeded into the unit; the office followed gets its share.
const PEOPLE: &str = "3000";
/// The office whose node is made (the seeded unit's first office).
const OFFICE: &str = "UIO";

/// Db seeded and serving on a loopback port.
fn serve(central: &Db) -> Server {
    run(&central.url, &["migrate"]);
    run(&central.url, &["seed", "--individuals", PEOPLE]);
    support::serve(&central.url).expect("central serving")
}

fn enrol(central: &Db) -> String {
    let out = run(&central.url, &["node", "enrol", "--office", OFFICE]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.starts_with("enrolment code"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap_or_else(|| panic!("no code in {text}"))
        .to_string()
}

/// A node's place: its data directory and its key file beside (never inside) it.
struct Place {
    _root: tempfile::TempDir,
    data: PathBuf,
    key: PathBuf,
}

fn place() -> Place {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("data");
    let key = root.path().join("keys").join("node.key");
    std::fs::create_dir_all(key.parent().expect("parent")).expect("key dir");
    Place {
        data,
        key,
        _root: root,
    }
}

fn node_cmd(p: &Place, args: &[&str]) -> Command {
    let mut c = bin();
    c.arg("node")
        .args(args)
        .arg("--data")
        .arg(&p.data)
        .arg("--key-file")
        .arg(&p.key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// What a node holds of its office, table by table: each row's id and version (or the whole
/// row's identity where a table has no version), in order.
fn holdings(p: &Place) -> Vec<String> {
    let k = key::from_file(&p.key, &p.data, false).expect("key");
    let db = Database::open_node(&key::database_path(&p.data), Some(k)).expect("open node");
    let mut conn = db.conn().expect("conn");
    let DbConn::Sqlite(c) = &mut *conn else {
        panic!("a node is SQLite")
    };
    let queries = [
        "SELECT 'individual ' || id || ' v' || version || ' ' || office_id AS line FROM individuals",
        "SELECT 'group ' || id || ' v' || version AS line FROM registration_groups",
        "SELECT 'membership ' || group_id || ' ' || individual_id AS line FROM group_memberships",
        "SELECT 'case ' || id || ' v' || version || ' ' || status AS line FROM cases",
        "SELECT 'member ' || case_id || ' ' || individual_id AS line FROM case_members",
        "SELECT 'need ' || id AS line FROM specific_needs",
        "SELECT 'document ' || id AS line FROM documents",
        "SELECT 'appointment ' || id AS line FROM appointments",
        "SELECT 'event ' || id AS line FROM events",
        "SELECT 'user ' || id AS line FROM users",
    ];
    let mut all = Vec::new();
    for q in queries {
        let mut rows: Vec<Line> = diesel::sql_query(q).load(c).expect(q);
        rows.sort_by(|a, b| a.line.cmp(&b.line));
        all.extend(rows.into_iter().map(|r| r.line));
    }
    all
}

fn people_on(p: &Place) -> i64 {
    let k = key::from_file(&p.key, &p.data, false).expect("key");
    let db = Database::open_node(&key::database_path(&p.data), Some(k)).expect("open node");
    let mut conn = db.conn().expect("conn");
    let DbConn::Sqlite(c) = &mut *conn else {
        panic!("a node is SQLite")
    };
    diesel::sql_query("SELECT COUNT(*) AS n FROM individuals")
        .get_result::<Count>(c)
        .map(|r| r.n)
        .unwrap_or(0)
}

/// Waits for `child` up to `limit`; kills it with SIGKILL if it still runs then. True when it
/// ended by itself with success.
fn finish_or_kill(child: &mut Child, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.success();
        }
        if Instant::now() >= until {
            // SIGKILL: no chance to finish a chunk or to clean up.
            child.kill().expect("SIGKILL");
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn killed_transfers_resume_to_the_same_state(central: Db) {
    let served = serve(&central);
    // A node whose first sync runs uninterrupted.
    let whole = place();
    let out = node_cmd(
        &whole,
        &["init", "--central", &served.url, "--code", &enrol(&central)],
    )
    .output()
    .expect("node init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = holdings(&whole);
    let people = people_on(&whole);
    assert!(
        people > 200,
        "the office has several chunks of people: {people}"
    );

    // A second node whose sync is killed again and again, at growing moments, until one run
    // ends by itself.
    let cut = place();
    let code = enrol(&central);
    let mut init = node_cmd(&cut, &["init", "--central", &served.url, "--code", &code])
        .spawn()
        .expect("node init");
    // Killed once enrolled (the code works once), while its first sync runs.
    let stderr = init.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.starts_with("enrolled as node") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the node enrolled");
    let mut kills = 0;
    let mut done = finish_or_kill(&mut init, Duration::from_millis(30));
    if !done {
        kills += 1;
    }
    let mut wait = Duration::from_millis(40);
    let mut seen_partial = false;
    while !done {
        assert!(kills < 200, "the sync never finished");
        if key::database_path(&cut.data).exists() {
            let n = people_on(&cut);
            seen_partial |= n > 0 && n < people;
        }
        let mut sync = node_cmd(&cut, &["sync"]).spawn().expect("node sync");
        done = finish_or_kill(&mut sync, wait);
        if !done {
            kills += 1;
        }
        wait += Duration::from_millis(40);
    }
    assert!(kills > 0, "the transfer was never cut");
    assert!(
        seen_partial,
        "a cut transfer left part of the office applied, whole chunks only"
    );
    assert_eq!(holdings(&cut), expected, "same state after {kills} kills");
    // One more sync changes nothing.
    let out = node_cmd(&cut, &["sync"]).output().expect("node sync");
    assert!(out.status.success());
    assert_eq!(holdings(&cut), expected);
    drop(served);
}

#[test]
fn killed_transfers_resume_to_the_same_state_postgres() {
    if let Some(central) = support::postgres("amparo_node_proc") {
        killed_transfers_resume_to_the_same_state(central);
    }
}

#[test]
fn killed_transfers_resume_to_the_same_state_sqlite() {
    killed_transfers_resume_to_the_same_state(support::sqlite());
}

#[test]
fn node_init_refuses_a_key_file_inside_its_data_directory() {
    let root = tempfile::tempdir().expect("dir");
    let data = root.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    let inside = data.join("node.key");
    let out = bin()
        .args([
            "node",
            "init",
            "--central",
            "http://127.0.0.1:9",
            "--code",
            "X",
        ])
        .arg("--data")
        .arg(&data)
        .arg("--key-file")
        .arg(&inside)
        .stdin(Stdio::null())
        .output()
        .expect("node init");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("inside the data directory"), "{err}");
    assert!(!inside.exists(), "no key written beside the data");
    assert!(
        !key::database_path(&data).exists(),
        "no database made without a key kept elsewhere"
    );
}
