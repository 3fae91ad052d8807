//! How one server process learns what the others on the same database did: it follows the
//! per-unit change feed (`store::feed`), the one record every write leaves, and from it
//!
//! - tells its subscribers of case transitions committed through another process, in the
//!   order of each unit's feed (so in order per case), with the same scoping as its own
//!   (`caseEvents` applies `may_hear` to every notice alike);
//! - marks its cached case summaries outdated when any process changed a case;
//! - adds enrolments made through another process to its biometric gallery.
//!
//! On PostgreSQL a trigger on the feed sends a NOTIFY at each commit that wrote to it
//! (migration `2026-12-09-600002_feed_notify`); the follower LISTENs on its own connection and
//! reads the feed when woken, and every few seconds in any case, so a lost notification only
//! delays. The feed itself is what it reads: positions are gap-free per unit, and the follower
//! keeps the last position it applied of each, so it never misses an entry. Should it find more
//! case transitions waiting than it can announce one by one ([`MAX_NOTICES`]), it tells its
//! subscribers to reload instead.
//!
//! It starts at each unit's head (the gallery is loaded after the heads are read, so nothing
//! enrolled in between is lost), and announces nothing this process announced itself: the
//! case events it published are remembered by id.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::biometric::Keyring;
use crate::biometric::gallery::Template;
use crate::domain::feed::{Operation, RecordKind};
use crate::error::{Error, Result};
use crate::graphql::AppState;
use crate::store::db::DbConn;
use crate::store::schema::{biometric_enrolments, cases, events, operation_units};
use crate::store::workflow::Acted;
use crate::store::{Database, feed};

/// An enrolled reference and its templates, as a 1:N search compares with them.
pub type Enrolled = (i64, Vec<(crate::biometric::Position, Template)>);

/// Most transitions announced one by one after a pass; past this, subscribers reload.
pub const MAX_NOTICES: usize = 1000;
/// How many announced case events are remembered, so none is announced twice.
const REMEMBERED: usize = 20_000;
/// How often the feed is read without a notification.
const POLL_EVERY: Duration = Duration::from_secs(2);
/// How often a PostgreSQL follower looks for a notification.
const LISTEN_EVERY: Duration = Duration::from_millis(50);
/// The channel the feed's trigger notifies on.
pub const CHANNEL: &str = "amparo_feed";

/// Where this process stands in each unit's feed, and what it announced itself.
#[derive(Default)]
pub struct Follower {
    cursors: Mutex<Option<HashMap<String, i64>>>,
    announced: Mutex<Announced>,
}

#[derive(Default)]
struct Announced {
    order: VecDeque<String>,
    ids: HashSet<String>,
}

impl Announced {
    /// Remembers `id`; false when it was already remembered.
    fn insert(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_string()) {
            return false;
        }
        self.order.push_back(id.to_string());
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }
}

/// What one read of the feed found.
#[derive(Default)]
pub struct Learned {
    cursors: HashMap<String, i64>,
    /// Whether any process changed a case or its members.
    pub cases_changed: bool,
    /// Transitions to announce, in feed order.
    pub notices: Vec<Acted>,
    /// More transitions were waiting than are announced one by one.
    pub overflow: bool,
    /// Enrolments recorded, with their templates opened.
    pub enrolments: Vec<(i64, Vec<(crate::biometric::Position, Template)>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means a panic while it was held; the data is still consistent
    // (each change is one insert or one replacement).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Follower {
    /// Starts at every unit's head; call before loading what the follower keeps current (the
    /// gallery), so nothing committed in between is missed. Later calls change nothing.
    pub fn start_at_heads(&self, conn: &mut DbConn) -> Result<()> {
        let mut cursors = lock(&self.cursors);
        if cursors.is_none() {
            *cursors = Some(heads(conn)?);
        }
        Ok(())
    }

    /// The last position applied of each unit (None before the follower started).
    pub fn cursors(&self) -> Option<HashMap<String, i64>> {
        lock(&self.cursors).clone()
    }

    /// Notes a case event this process announced itself.
    pub fn announced(&self, event_id: &str) {
        lock(&self.announced).insert(event_id);
    }

    /// Reads what was recorded after the cursors (blocking).
    pub fn read(&self, conn: &mut DbConn, keys: Option<&Keyring>) -> Result<Learned> {
        let Some(cursors) = self.cursors() else {
            // A process with no gallery starts here, on its first read. What it learns is
            // where it stands: `apply` makes these the cursors. (Learning nothing at all left
            // the cursors empty, and the next read walked every unit's feed from its first
            // entry, announcing old transitions again: 4.3 million entries at a million people.)
            self.start_at_heads(conn)?;
            return Ok(Learned {
                cursors: self.cursors().unwrap_or_default(),
                ..Learned::default()
            });
        };
        let mut learned = Learned {
            cursors: cursors.clone(),
            ..Learned::default()
        };
        let mut case_entries: Vec<(String, chrono::NaiveDateTime)> = Vec::new();
        let mut enrolment_ids: Vec<String> = Vec::new();
        for unit in units(conn)? {
            let mut at = cursors.get(&unit).copied().unwrap_or(0);
            loop {
                let page = feed::read_after(conn, &unit, at, feed::MAX_PAGE)?;
                let Some(last) = page.last().map(|e| e.position) else {
                    break;
                };
                for e in &page {
                    match e.kind {
                        RecordKind::Case | RecordKind::CaseMember => {
                            learned.cases_changed = true;
                            if e.kind == RecordKind::Case && e.operation == Operation::Update {
                                case_entries.push((e.record_id.clone(), e.at));
                            }
                        }
                        RecordKind::BiometricEnrolment if e.operation == Operation::Create => {
                            enrolment_ids.push(e.record_id.clone());
                        }
                        _ => {}
                    }
                }
                at = last;
                if (page.len() as i64) < feed::MAX_PAGE {
                    break;
                }
            }
            learned.cursors.insert(unit, at);
        }
        if case_entries.len() > MAX_NOTICES {
            learned.overflow = true;
        } else {
            let announced = lock(&self.announced).ids.clone();
            for (case_id, at) in case_entries {
                if let Some(acted) = transition(conn, &case_id, at)?
                    && !announced.contains(&acted.event_id)
                {
                    learned.notices.push(acted);
                }
            }
        }
        if let Some(keys) = keys
            && !enrolment_ids.is_empty()
        {
            learned.enrolments = enrolled(conn, keys, &enrolment_ids)?;
        }
        Ok(learned)
    }

    /// Applies what a read found to the process: notices, caches, gallery; then moves the
    /// cursors past it.
    pub fn apply(&self, st: &AppState, learned: Learned) {
        if let Some(svc) = &st.biometrics {
            for (reference, templates) in &learned.enrolments {
                svc.add(*reference as u64, templates);
            }
        }
        if learned.cases_changed {
            st.cases_changed();
        }
        if learned.overflow {
            st.reload_subscribers();
        }
        for acted in learned.notices {
            if lock(&self.announced).insert(&acted.event_id) {
                st.announce(acted);
            }
        }
        *lock(&self.cursors) = Some(learned.cursors);
    }

    /// How far the gallery is current: every enrolment at or before these feed positions is in
    /// it, because [`Self::apply`] adds enrolments before it moves the cursors past them. A 1:N
    /// search takes this mark *before* it searches and gives it to [`Self::enrolled_after`]
    /// inside the enrolment lock; the two together are one search as current as the database.
    pub fn gallery_mark(&self) -> HashMap<String, i64> {
        self.cursors().unwrap_or_default()
    }

    /// Every reference enrolled after `mark` (from [`Self::gallery_mark`]), with its templates
    /// (blocking). Nothing is left out because the gallery holds it *now*: the follower may
    /// have added it after the search ran, and then the search never saw it.
    pub fn enrolled_after(
        &self,
        conn: &mut DbConn,
        keys: &Keyring,
        mark: &HashMap<String, i64>,
    ) -> Result<Vec<Enrolled>> {
        let mut ids = Vec::new();
        for unit in units(conn)? {
            let after = mark.get(&unit).copied().unwrap_or(0);
            ids.extend(feed::records_after(
                conn,
                &unit,
                after,
                RecordKind::BiometricEnrolment,
            )?);
        }
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        enrolled(conn, keys, &ids)
    }
}

fn units(conn: &mut DbConn) -> Result<Vec<String>> {
    Ok(operation_units::table
        .select(operation_units::id)
        .order(operation_units::id)
        .load(conn)?)
}

fn heads(conn: &mut DbConn) -> Result<HashMap<String, i64>> {
    let mut out = HashMap::new();
    for unit in units(conn)? {
        let head = feed::head(conn, &unit)?;
        out.insert(unit, head);
    }
    Ok(out)
}

/// The templates of these enrolments, by reference.
fn enrolled(conn: &mut DbConn, keys: &Keyring, enrolment_ids: &[String]) -> Result<Vec<Enrolled>> {
    let mut references: Vec<i64> = Vec::new();
    for chunk in enrolment_ids.chunks(500) {
        references.extend(
            biometric_enrolments::table
                .filter(biometric_enrolments::id.eq_any(chunk))
                .select(biometric_enrolments::reference_id)
                .load::<i64>(conn)?,
        );
    }
    let mut out = Vec::new();
    for chunk in references.chunks(500) {
        let mut found: Vec<_> = crate::store::biometrics::templates_of(conn, keys, chunk)?
            .into_iter()
            .collect();
        found.sort_by_key(|(r, _)| *r);
        out.extend(found);
    }
    Ok(out)
}

/// The transition a feed entry of a case records: the case's last event at or before the
/// entry, with the officers assigned before and after it. None when the case has no event
/// yet (a case just opened).
fn transition(
    conn: &mut DbConn,
    case_id: &str,
    at: chrono::NaiveDateTime,
) -> Result<Option<Acted>> {
    use crate::domain::rsd::CaseEvent;
    use crate::domain::rsd::StepData;
    let Some((id, unit, office, number, officer, version)) = cases::table
        .find(case_id)
        .select((
            cases::id,
            cases::operation_unit_id,
            cases::office_id,
            cases::case_number,
            cases::assigned_officer_id,
            cases::version,
        ))
        .first::<(String, String, String, String, Option<String>, i32)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let Some((event_id, actor_id, data)) = events::table
        .filter(events::record_type.eq("case"))
        .filter(events::record_id.eq(case_id))
        .filter(events::at.le(at))
        .order((events::at.desc(), events::id.desc()))
        .select((events::id, events::actor_id, events::data))
        .first::<(String, String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let event: CaseEvent = serde_json::from_str(&data)
        .map_err(|e| Error::internal(format!("unreadable case event {event_id}: {e}")))?;
    let mut officers: Vec<String> = officer.into_iter().collect();
    if let StepData::Assigned { from, to } = &event.data {
        for o in [from.clone(), Some(to.clone())].into_iter().flatten() {
            if !officers.contains(&o) {
                officers.push(o);
            }
        }
    }
    Ok(Some(Acted {
        case_id: id,
        case_number: number,
        office_id: office,
        operation_unit_id: unit,
        event_id,
        kind: event.kind.as_str().to_string(),
        from_status: event.from_status.as_str().to_string(),
        to_status: event.to_status.as_str().to_string(),
        stage: event.stage.as_str().to_string(),
        actor_id,
        at: event.at,
        version,
        officers,
    }))
}

/// Follows the feed for `state` on a connection of its own until the state is dropped (the
/// server stopped). Runs on a thread of its own: everything it does is blocking and short.
pub fn spawn(state: &Arc<AppState>) -> Result<()> {
    let weak = Arc::downgrade(state);
    let db = state.db.clone();
    std::thread::Builder::new()
        .name("feed-follower".into())
        .spawn(move || follow(weak, db))
        .map(|_| ())
        .map_err(|e| Error::internal(format!("cannot start the feed follower: {e}")))
}

fn follow(weak: Weak<AppState>, db: Database) {
    let mut conn: Option<DbConn> = None;
    let mut last_read: Option<Instant> = None;
    let mut failing = false;
    loop {
        std::thread::sleep(LISTEN_EVERY);
        let Some(st) = weak.upgrade() else { return };
        if conn.is_none() {
            match db.dedicated(Some(CHANNEL)) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    if !failing {
                        tracing::warn!(error = %e, "the feed follower cannot connect; retrying");
                        failing = true;
                    }
                    std::thread::sleep(POLL_EVERY);
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let woken = match crate::store::dialect::notified(c) {
            Ok(woken) => woken,
            Err(e) => {
                tracing::warn!(error = %e, "the feed follower lost its connection; reconnecting");
                conn = None;
                continue;
            }
        };
        if !woken && last_read.is_some_and(|t| t.elapsed() < POLL_EVERY) {
            continue;
        }
        last_read = Some(Instant::now());
        let keys = st.biometrics.as_ref().map(|s| &s.keys);
        match st.follower.read(c, keys) {
            Ok(learned) => {
                if failing {
                    tracing::info!("the feed follower is reading again");
                    failing = false;
                }
                st.follower.apply(&st, learned);
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e.cause_chain(), "the feed follower cannot read the feed; retrying");
                    failing = true;
                }
                conn = None;
            }
        }
    }
}
