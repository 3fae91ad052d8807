//! The audit log: every read of personal data is recorded, supervisors can query it, and the
//! hash chain exposes any change or removal.

use amparo_api::auth::AuthConfig;
use amparo_api::store::audit::{self, Verdict};
use amparo_tests::{Backend, TestDb, TestServer, both_backends, error_code, start, world};
use diesel::connection::SimpleConnection;
use serde_json::json;

use super::support::{NAMED_RECORDS, count_rows, family, register};

async fn every_read_is_audited_and_queryable(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    let reg = register(&srv, &clerk, family("aud-1", "Pérez")).await;
    let person = reg["members"][0]["id"].as_str().expect("id").to_string();
    let reads_before = count_rows(
        &t.db,
        &format!("{NAMED_RECORDS} WHERE action = 'read' AND record_type = 'individual'"),
    );
    let (page, paged) = page_of_three(&srv, &clerk).await;
    assert_eq!(paged.len(), 3, "{page}");
    assert_eq!(
        count_rows(
            &t.db,
            &format!("{NAMED_RECORDS} WHERE action = 'read' AND record_type = 'individual'")
        ),
        reads_before + 3,
        "each individual of a page counts"
    );
    let supervisor = srv.login("supervisor").await;
    // The page is one event naming its three people, found from any of them.
    let third = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { auditTrail(recordId: $id) { action recordId recordIds } }",
            json!({ "id": paged[2] }),
        )
        .await;
    let page_read = third["data"]["auditTrail"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["action"] == "read"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(page_read["recordIds"], json!(paged), "{third}");
    assert!(page_read["recordId"].is_null(), "{third}");
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

/// The events that name a record among others.
fn named_among(t: &TestDb, record: &str) -> Vec<i64> {
    use amparo_api::store::schema::audit_event_records;
    use diesel::prelude::*;
    let mut c = t.db.conn().expect("connection");
    audit_event_records::table
        .filter(audit_event_records::record_id.eq(record))
        .select(audit_event_records::seq)
        .load(&mut *c)
        .expect("named records")
}

/// A page of three people read by `token`: the answer and the ids in it.
async fn page_of_three(srv: &TestServer, token: &str) -> (serde_json::Value, Vec<String>) {
    let page = srv
        .gql(
            Some(token),
            "{ individuals(first: 3) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let ids = page["data"]["individuals"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_string))
        .collect();
    (page, ids)
}

fn verify(t: &TestDb) -> Verdict {
    let mut c = t.db.conn().expect("connection");
    audit::verify(&mut c).expect("verify runs")
}

fn tamper(t: &TestDb, sql: &str) {
    // Someone with direct database access drops the append-only guard first.
    let drop_guard = match t.backend {
        Backend::Postgres => {
            "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only; \
             ALTER TABLE audit_event_records DISABLE TRIGGER audit_event_records_append_only;"
        }
        Backend::Sqlite => {
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; \
             DROP TRIGGER IF EXISTS audit_event_records_no_update; \
             DROP TRIGGER IF EXISTS audit_event_records_no_delete;"
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
    // The page's read is one event whose list of people its hash covers: dropping one of them
    // from the list breaks the chain there.
    let (page_seq, list): (i64, String) = {
        use amparo_api::store::schema::audit_events;
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .filter(audit_events::action.eq("read"))
            .filter(audit_events::record_ids.is_not_null())
            .order(audit_events::seq.desc())
            .select((
                audit_events::seq,
                audit_events::record_ids.assume_not_null(),
            ))
            .first(&mut *c)
            .expect("a read of a page")
    };
    let ids: Vec<String> = serde_json::from_str(&list).expect("a list of ids");
    assert!(ids.len() >= 3, "{list}");
    assert!(
        named_among(&t, &ids[1]).contains(&page_seq),
        "the page is found from its second person"
    );
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
        &format!(
            "UPDATE audit_events SET record_ids = '{}' WHERE seq = {page_seq}",
            serde_json::json!(ids[1..])
        ),
    );
    assert!(
        matches!(verify(&t), Verdict::Broken { seq, .. } if seq == page_seq),
        "{:?}",
        verify(&t)
    );
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

/// What someone with write access to the database but without the audit key can do: change
/// event 3, then recompute every hash from there (and the tip) the only way they can, as plain
/// SHA-256; with `strip`, also remove every event's key id so the whole log looks unkeyed.
fn forge(t: &TestDb, strip: bool) {
    use amparo_api::store::schema::audit_events;
    use diesel::prelude::*;
    let events: Vec<audit::AuditEvent> = {
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .order(audit_events::seq.asc())
            .select(audit::AuditEvent::as_select())
            .load(&mut *c)
            .expect("events")
    };
    let mut sql = String::new();
    let mut prev = "0".repeat(64);
    for mut ev in events {
        let from = if strip { 1 } else { 3 };
        if ev.seq >= from {
            if ev.seq == 3 {
                ev.username = Some("someone_else".into());
            }
            if strip {
                ev.key_id = None;
            }
            ev.prev_hash = prev.clone();
            ev.hash = ev.unkeyed_hash();
            sql.push_str(&format!(
                "UPDATE audit_events SET username = {}, key_id = {}, prev_hash = '{}', hash = '{}' WHERE seq = {};\n",
                ev.username.as_deref().map_or("NULL".to_string(), |u| format!("'{u}'")),
                ev.key_id.as_deref().map_or("NULL".to_string(), |k| format!("'{k}'")),
                ev.prev_hash,
                ev.hash,
                ev.seq
            ));
        }
        prev = ev.hash.clone();
    }
    sql.push_str(&format!(
        "UPDATE audit_head SET hash = '{prev}' WHERE id = 1;"
    ));
    tamper(t, &sql);
}

async fn a_forged_chain_is_caught_by_its_key_and_checkpoints(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("aud-k", "Pérez")).await;
    let key = amparo_tests::audit_key().clone();
    let dir = tempfile::tempdir().expect("checkpoint directory");
    let check = |t: &TestDb| {
        let checkpoints = audit::Checkpoint::load_dir(dir.path()).expect("checkpoints");
        let mut c = t.db.conn().expect("connection");
        audit::verify_with(&mut c, std::slice::from_ref(&key), &checkpoints).expect("verify runs")
    };
    {
        let mut c = t.db.conn().expect("connection");
        audit::Checkpoint::export(&mut c, &key, dir.path()).expect("checkpoint");
    }
    assert!(
        matches!(check(&t), Verdict::Intact { .. }),
        "{:?}",
        check(&t)
    );

    // Re-chained without the key: the keyed hashes no longer match.
    forge(&t, false);
    assert!(
        matches!(verify(&t), Verdict::Broken { seq: 3, .. }),
        "{:?}",
        verify(&t)
    );
    // Keys stripped too: the whole log now looks like one written before keys, so only the
    // checkpoint kept outside the database can tell.
    forge(&t, true);
    match check(&t) {
        Verdict::Broken { problem, .. } => {
            assert!(problem.contains("checkpoint"), "{problem}")
        }
        v => panic!("a rewritten log must not verify against its checkpoint: {v:?}"),
    }

    // A checkpoint changed to match the forged log is refused by its signature.
    let forged_tip = {
        let mut c = t.db.conn().expect("connection");
        audit::Checkpoint::export(
            &mut c,
            &audit::AuditKey::generate(),
            tempfile::tempdir().expect("dir").path(),
        )
        .expect("checkpoint")
        .0
    };
    let file = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("checkpoint file");
    let mut cp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    cp["seq"] = json!(forged_tip.seq);
    cp["hash"] = json!(forged_tip.hash);
    std::fs::write(&file, cp.to_string()).expect("write");
    match check(&t) {
        Verdict::Broken { problem, .. } => assert!(problem.contains("signature"), "{problem}"),
        v => panic!("a changed checkpoint must be refused: {v:?}"),
    }
}

/// A log cut back to before its last checkpoint, tip and all, is caught.
async fn a_log_cut_below_its_checkpoint_is_caught(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("aud-c", "Pérez")).await;
    let key = amparo_tests::audit_key().clone();
    let dir = tempfile::tempdir().expect("checkpoint directory");
    let (cp, _) = {
        let mut c = t.db.conn().expect("connection");
        audit::Checkpoint::export(&mut c, &key, dir.path()).expect("checkpoint")
    };
    let keep = cp.seq - 2;
    let tip: String = {
        use amparo_api::store::schema::audit_events;
        use diesel::prelude::*;
        let mut c = t.db.conn().expect("connection");
        audit_events::table
            .filter(audit_events::seq.eq(keep))
            .select(audit_events::hash)
            .first(&mut *c)
            .expect("hash")
    };
    tamper(
        &t,
        &format!(
            "DELETE FROM audit_events WHERE seq > {keep}; UPDATE audit_head SET seq = {keep}, hash = '{tip}' WHERE id = 1;"
        ),
    );
    assert!(
        matches!(verify(&t), Verdict::Intact { .. }),
        "without checkpoints a clean cut looks whole"
    );
    let checkpoints = audit::Checkpoint::load_dir(dir.path()).expect("checkpoints");
    let mut c = t.db.conn().expect("connection");
    let v = audit::verify_with(&mut c, &[key], &checkpoints).expect("verify runs");
    assert!(
        matches!(&v, Verdict::Broken { problem, .. } if problem.contains("checkpoint")),
        "{v:?}"
    );
}

/// The index of the records a page's event names is not in the hash: removing a name from it
/// would hide that read from the person's trail, so `audit verify` compares it with the lists.
async fn a_read_hidden_from_the_trail_is_caught(t: TestDb) {
    world(&t.db);
    let srv = start(&t.db, AuthConfig::default()).await;
    let clerk = srv.login("registrar").await;
    register(&srv, &clerk, family("aud-h", "Pérez")).await;
    let (page, paged) = page_of_three(&srv, &clerk).await;
    let hidden = paged
        .get(1)
        .cloned()
        .unwrap_or_else(|| panic!("a second person: {page}"));
    assert!(matches!(verify(&t), Verdict::Intact { .. }));
    let seq = *named_among(&t, &hidden)
        .last()
        .expect("the page names them");
    tamper(
        &t,
        &format!("DELETE FROM audit_event_records WHERE record_id = '{hidden}' AND seq = {seq}"),
    );
    let supervisor = srv.login("supervisor").await;
    let trail = srv
        .gql(
            Some(&supervisor),
            "query($id: ID!) { auditTrail(recordId: $id) { seq action } }",
            json!({ "id": hidden }),
        )
        .await;
    assert!(
        trail["data"]["auditTrail"]
            .as_array()
            .is_some_and(|e| e.iter().all(|e| e["seq"] != seq)),
        "the trail no longer shows the read: {trail}"
    );
    assert!(
        matches!(verify(&t), Verdict::Broken { seq: s, .. } if s == seq),
        "{:?}",
        verify(&t)
    );
}

both_backends!(
    a_read_hidden_from_the_trail_is_caught,
    every_read_is_audited_and_queryable,
    the_chain_detects_changes_and_removals,
    removing_events_is_detected,
    verify_gives_no_false_alarm_under_write_load,
    a_forged_chain_is_caught_by_its_key_and_checkpoints,
    a_log_cut_below_its_checkpoint_is_caught,
);
