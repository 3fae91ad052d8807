//! The audit log: every read of personal data is recorded, supervisors can query it, and the
//! hash chain exposes any change or removal.

use amparo_api::auth::AuthConfig;
use amparo_api::store::audit::{self, Verdict};
use amparo_tests::{Backend, TestDb, both_backends, error_code, start, world};
use diesel::connection::SimpleConnection;
use serde_json::json;

use super::support::{count_rows, family, register};

async fn every_read_is_audited_and_queryable(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("aud-1", "Pérez")).await;
    let person = reg["members"][0]["id"].as_str().expect("id").to_string();
    let reads_before = count_rows(
        &t.db,
        "audit_events WHERE action = 'read' AND record_type = 'individual'",
    );
    let page = srv
        .gql(
            Some(&clerk),
            "{ individuals(first: 3) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page["data"]["individuals"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        count_rows(
            &t.db,
            "audit_events WHERE action = 'read' AND record_type = 'individual'"
        ),
        reads_before + 3,
        "each individual of a page counts"
    );
    let supervisor = srv.login("supervisor").await;
    let trail = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { auditTrail(recordId: $id) { username action outcome requestId } }",
            json!({ "id": person }),
        )
        .await;
    let events = trail["data"]["auditTrail"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["username"] == "registrar" && e["action"] == "create"),
        "{trail}"
    );
    assert!(
        events.iter().any(|e| e["username"] == "registrar"
            && e["action"] == "read"
            && e["requestId"].is_string()),
        "{trail}"
    );
    let denied = srv
        .gql(
            Some(&clerk),
            "query($id: ID!) { auditTrail(recordId: $id) { action } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"));
    assert!(
        count_rows(
            &t.db,
            "audit_events WHERE action = 'login' AND outcome = 'ok'"
        ) >= 2
    );
}

fn verify(t: &TestDb) -> Verdict {
    let mut c = t.db.conn().expect("connection");
    audit::verify(&mut c).expect("verify runs")
}

fn tamper(t: &TestDb, sql: &str) {
    // Someone with direct database access drops the append-only guard first.
    let drop_guard = match t.backend {
        Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;",
        Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;"
        }
    };
    let mut c = t.db.conn().expect("connection");
    c.batch_execute(drop_guard).expect("drop guard");
    c.batch_execute(sql).expect("tamper");
}

async fn the_chain_detects_changes_and_removals(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("aud-2", "Pérez")).await;
    srv.gql(
        Some(&clerk),
        "{ individuals { edges { node { id } } } }",
        json!({}),
    )
    .await;
    let Verdict::Intact { events } = verify(&t) else {
        panic!("fresh log must verify")
    };
    assert!(events >= 8, "{events}");
    // The log refuses edits while its guard is in place.
    {
        let mut c = t.db.conn().expect("connection");
        assert!(
            c.batch_execute("UPDATE audit_events SET username = 'x' WHERE seq = 1")
                .is_err()
        );
        assert!(
            c.batch_execute("DELETE FROM audit_events WHERE seq = 1")
                .is_err()
        );
    }
    tamper(
        &t,
        "UPDATE audit_events SET username = 'someone_else' WHERE seq = 3",
    );
    assert!(
        matches!(verify(&t), Verdict::Broken { seq: 3, .. }),
        "{:?}",
        verify(&t)
    );
}

async fn removing_events_is_detected(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("aud-3", "Pérez")).await;
    let Verdict::Intact { events } = verify(&t) else {
        panic!("fresh log must verify")
    };
    tamper(
        &t,
        &format!("DELETE FROM audit_events WHERE seq = {events}"),
    );
    assert!(
        matches!(verify(&t), Verdict::Broken { .. }),
        "a removed last event is caught by the tip"
    );
    tamper(&t, "DELETE FROM audit_events WHERE seq = 2");
    assert!(
        matches!(verify(&t), Verdict::Broken { seq: 2, .. }),
        "{:?}",
        verify(&t)
    );
}

/// `audit verify` on a live server: writers append while it walks, and it must not cry wolf.
async fn verify_gives_no_false_alarm_under_write_load(t: TestDb) {
    world(&t.db);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (db, stop) = (t.db.clone(), stop.clone());
            std::thread::spawn(move || {
                let actor = audit::Actor::default();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let entries: Vec<audit::Entry> = (0..5)
                        .map(|i| {
                            audit::Entry::plain(
                                "load",
                                audit::Outcome::Ok,
                                Some(format!("writer {w} event {i}")),
                            )
                        })
                        .collect();
                    db.write_blocking(|c| audit::append(c, &actor, &entries))
                        .expect("append");
                }
            })
        })
        .collect();
    let mut runs = 0;
    let started = std::time::Instant::now();
    while runs < 60 && started.elapsed() < std::time::Duration::from_secs(20) {
        let verdict = verify(&t);
        assert!(
            matches!(verdict, Verdict::Intact { .. }),
            "run {runs}: {verdict:?}"
        );
        runs += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in writers {
        w.join().expect("writer");
    }
    assert!(matches!(verify(&t), Verdict::Intact { .. }));
}

both_backends!(
    every_read_is_audited_and_queryable,
    the_chain_detects_changes_and_removals,
    removing_events_is_detected,
    verify_gives_no_false_alarm_under_write_load
);
