//! The per-unit change feed: concurrent writers through the store while a reader follows the
//! feed with its cursor; the reader must see every committed change exactly once, in consecutive
//! positions, and every personal-data row must be named in the feed at its current version.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use amparo_api::auth::scope_for;
use amparo_api::domain::feed::RecordKind;
use amparo_api::domain::patch::PersonPatch;
use amparo_api::domain::registration::{GroupInput, MemberInput, NeedInput, PersonInput};
use amparo_api::error::Error;
use amparo_api::store::feed::{self, FeedEntry};
use amparo_api::store::registry;
use amparo_api::store::{Database, Scope, users};
use amparo_tests::{TestDb, both_backends, world};
use diesel::prelude::*;

const WRITERS: usize = 6;
const ROUNDS: usize = 12;

fn scope(db: &Database, username: &str) -> Scope {
    let mut c = db.conn().expect("connection");
    let user = users::user_by_username(&mut c, username)
        .expect("user lookup")
        .expect("fixture user");
    scope_for(&user, "feed-test").expect("scope")
}

fn person(given: &str, family: &str, need: Option<&str>) -> PersonInput {
    PersonInput {
        given_names: given.to_string(),
        family_name: Some(family.to_string()),
        sex: Some("F".to_string()),
        date_of_birth: chrono::NaiveDate::from_ymd_opt(1990, 3, 4),
        nationalities: vec!["VEN".to_string()],
        specific_needs: need
            .map(|code| NeedInput {
                code: code.to_string(),
                sub_code: None,
                comments: None,
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}

fn family(tag: &str) -> GroupInput {
    GroupInput {
        members: vec![
            MemberInput {
                person: person("Rosa", tag, Some("SV")),
                relationship: "focal_point".to_string(),
            },
            MemberInput {
                person: person("Luz", tag, None),
                relationship: "daughter".to_string(),
            },
        ],
    }
}

/// What one writer round did, as (kind, id, version) it expects the feed to name.
type Expected = Vec<(RecordKind, String, i32)>;

/// One writer: registers a family, edits its focal point, flags a need; every third round also
/// starts a registration and rolls it back, whose entries must leave no trace nor gap.
fn writer(db: Database, scope: Scope, n: usize) -> Expected {
    let mut expected = Vec::new();
    for round in 0..ROUNDS {
        let tag = format!("Feed{n}x{round}");
        let done = db
            .write_blocking(|c| registry::register_group(c, &scope, &family(&tag)))
            .expect("registration");
        expected.push((RecordKind::RegistrationGroup, done.group_id.clone(), 1));
        for id in &done.individual_ids {
            expected.push((RecordKind::Individual, id.clone(), 1));
        }
        let focal = done.individual_ids[0].clone();
        let patch = PersonPatch {
            place_of_birth: Some(format!("Maracaibo {round}")),
            ..Default::default()
        };
        db.write_blocking(|c| registry::update_individual(c, &scope, &focal, 1, &patch))
            .expect("update");
        expected.push((RecordKind::Individual, focal.clone(), 2));
        let need = db
            .write_blocking(|c| {
                registry::add_specific_need(
                    c,
                    &scope,
                    &focal,
                    &NeedInput {
                        code: "SP".to_string(),
                        sub_code: None,
                        comments: None,
                    },
                )
            })
            .expect("need");
        expected.push((RecordKind::SpecificNeed, need.id, 1));
        if round % 3 == 0 {
            let refused = db.write_blocking(|c| {
                registry::register_group(c, &scope, &family(&format!("{tag}Gone")))?;
                Err::<(), _>(Error::conflict("rolled back on purpose"))
            });
            assert!(refused.is_err());
        }
    }
    expected
}

/// Follows the feed from `cursor` to its current end, checking that positions run on without a
/// gap or a repeat.
fn follow(db: &Database, unit: &str, cursor: &mut i64, seen: &mut Vec<FeedEntry>) {
    let mut c = db.conn().expect("reader connection");
    loop {
        let page = feed::read_after(&mut c, unit, *cursor, 7).expect("read feed");
        if page.is_empty() {
            return;
        }
        for e in page {
            assert_eq!(
                e.position,
                *cursor + 1,
                "the reader at {cursor} was given position {} next: a change was skipped or repeated",
                e.position
            );
            *cursor = e.position;
            seen.push(e);
        }
    }
}

async fn no_change_is_missed_or_repeated(t: TestDb) {
    let w = world(&t.db);
    let dpin = scope(&t.db, "registrar");
    let unhcr = scope(&t.db, "unhcr.officer");
    let db = t.db.clone();
    let unit = w.dpin.clone();
    let reading = thread::spawn(move || {
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|n| {
                let (db, scope) = if n % 3 == 2 {
                    (db.clone(), unhcr.clone())
                } else {
                    (db.clone(), dpin.clone())
                };
                let mine = n % 3 != 2;
                thread::spawn(move || (mine, writer(db, scope, n)))
            })
            .collect();
        let reader = {
            let (db, unit, stop) = (db.clone(), unit.clone(), stop.clone());
            thread::spawn(move || {
                let (mut cursor, mut seen) = (0, Vec::new());
                let mut passes = 0;
                while !stop.load(Ordering::SeqCst) {
                    follow(&db, &unit, &mut cursor, &mut seen);
                    passes += 1;
                    thread::sleep(Duration::from_millis(2));
                }
                // Everything is committed now: one last pass reaches the end.
                follow(&db, &unit, &mut cursor, &mut seen);
                (cursor, seen, passes)
            })
        };
        let mut expected = Vec::new();
        for w in writers {
            let (mine, e) = w.join().expect("writer thread");
            if mine {
                expected.extend(e);
            }
        }
        stop.store(true, Ordering::SeqCst);
        let (cursor, seen, passes) = reader.join().expect("reader thread");
        (expected, cursor, seen, passes)
    });
    let (expected, cursor, seen, passes) = tokio::task::spawn_blocking(move || reading.join())
        .await
        .expect("join")
        .expect("test thread");
    assert!(
        passes > 1,
        "the reader followed the feed while writers wrote"
    );

    let mut c = t.db.conn().expect("connection");
    assert_eq!(cursor, feed::head(&mut c, &w.dpin).expect("head"));
    let named: HashSet<(RecordKind, String, i32)> = seen
        .iter()
        .map(|e| (e.kind, e.record_id.clone(), e.version))
        .collect();
    assert_eq!(named.len(), seen.len(), "no entry was read twice");
    for e in &expected {
        assert!(named.contains(e), "the reader never saw {e:?}");
    }
    // Nothing of the other unit, nothing rolled back: per DPIN round a group, two people, two
    // memberships, a need, a document-less registration: 6 entries, then 1 update and 1 need.
    let dpin_writers = (0..WRITERS).filter(|n| n % 3 != 2).count();
    assert_eq!(seen.len(), dpin_writers * ROUNDS * 8);
    let sgbv = seen
        .iter()
        .filter(|e| e.field_groups == [amparo_api::domain::access::FieldGroup::Sgbv])
        .count();
    assert_eq!(
        sgbv,
        dpin_writers * ROUNDS,
        "each SV need is tagged with its group"
    );
    let other = feed::read_after(&mut c, &w.unhcr, 0, 1000).expect("other unit");
    assert_eq!(other.len(), (WRITERS - dpin_writers) * ROUNDS * 8);
    assert!(
        other
            .iter()
            .enumerate()
            .all(|(i, e)| e.position == i as i64 + 1),
        "each unit counts from 1 without gaps"
    );
    drop(c);
    assert_feed_covers(&t.db);
}

/// Every row of personal or case data is named in the feed at its current version (or, for rows
/// without a version, at all): a store write that bypassed the feed fails here.
pub fn assert_feed_covers(db: &Database) {
    #[derive(QueryableByName, Debug)]
    struct Missing {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let versioned = [
        ("individuals", "individual"),
        ("registration_groups", "registration_group"),
        ("specific_needs", "specific_need"),
        ("documents", "document"),
        ("cases", "case"),
        ("appointments", "appointment"),
        ("biometric_reviews", "biometric_review"),
        ("pre_registrations", "pre_registration"),
        ("protection_cases", "protection_case"),
        ("import_reviews", "import_review"),
        ("assistance_programmes", "assistance_programme"),
        ("distribution_lists", "distribution_list"),
    ];
    let unversioned = [
        ("group_memberships", "group_membership"),
        ("case_members", "case_member"),
        ("biometric_enrolments", "biometric_enrolment"),
        ("individual_links", "individual_link"),
        ("eligibility_assessments", "eligibility_assessment"),
        ("entitlements", "entitlement"),
        ("distributions", "distribution"),
    ];
    let mut c = db.conn().expect("connection");
    let mut missing = BTreeSet::new();
    let queries = versioned
        .iter()
        .map(|(table, kind)| {
            format!(
                "SELECT t.id AS id FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM change_feed f \
                 WHERE f.record_type = '{kind}' AND f.record_id = t.id AND f.version = t.version \
                 AND f.operation_unit_id = t.operation_unit_id AND f.position IS NOT NULL)"
            )
        })
        .chain(unversioned.iter().map(|(table, kind)| {
            format!(
                "SELECT t.id AS id FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM change_feed f \
                 WHERE f.record_type = '{kind}' AND f.record_id = t.id \
                 AND f.operation_unit_id = t.operation_unit_id AND f.position IS NOT NULL)"
            )
        }));
    for (sql, table) in queries.zip(versioned.iter().chain(&unversioned)) {
        let q = diesel::sql_query(sql);
        let rows: Vec<Missing> = match &mut *c {
            amparo_api::store::DbConn::Pg(c) => q.load(c),
            amparo_api::store::DbConn::Sqlite(c) => q.load(c),
        }
        .expect("coverage query");
        for r in rows {
            missing.insert(format!("{}:{}", table.0, r.id));
        }
    }
    assert!(
        missing.is_empty(),
        "rows written without a feed entry at their version: {missing:?}"
    );
}

/// The demo world is written through the store (and the seeder's own case writer): every row it
/// leaves is in the feed.
async fn the_demo_world_is_all_in_the_feed(t: TestDb) {
    let db = t.db.clone();
    tokio::task::spawn_blocking(move || amparo_api::seed::demo(&db).expect("demo world"))
        .await
        .expect("seed task");
    assert_feed_covers(&t.db);
}

/// The bulk loader of `seed --individuals` gives every row it loads its feed entry, and the
/// feed it leaves reads without gaps.
async fn a_bulk_load_is_all_in_the_feed(t: TestDb) {
    let db = t.db.clone();
    let summary = tokio::task::spawn_blocking(move || {
        amparo_api::seed::scale(&db, 300, false).expect("bulk load")
    })
    .await
    .expect("seed task");
    assert!(
        summary.individuals >= 300 && summary.cases > 0,
        "{summary:?}"
    );
    assert_feed_covers(&t.db);
}

both_backends!(
    no_change_is_missed_or_repeated,
    the_demo_world_is_all_in_the_feed,
    a_bulk_load_is_all_in_the_feed
);
