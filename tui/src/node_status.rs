//! Where a field node stands, as the status line shows it: whether the server this client talks
//! to is a node, whether that node reaches central (or since when it has not), a sync under way,
//! the changes waiting to go up and the conflicts waiting for a person. It learns it from `me`
//! (its `fieldNode`, null on central) and then from `syncStatus`, asked again every
//! [`ASK_EVERY`] while the session lasts; central is never asked again.

use std::time::Duration;

use ratatui::text::Span;

use crate::api::{self, ApiError};
use crate::i18n::Text;
use crate::msg::Cmd;
use crate::widgets::{OfficeClock, bold, error};

/// How often a client of a field node asks again where it stands.
pub const ASK_EVERY: Duration = Duration::from_secs(15);

/// A field node's freshness, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLine {
    pub node: bool,
    pub online: bool,
    /// HH:MM on the office's clock.
    pub offline_since: Option<String>,
    pub syncing: Option<i64>,
    pub waiting: i64,
    pub conflicts: i64,
}

/// What the client knows of the node it talks to; empty on central and before `me`.
#[derive(Debug, Clone, Default)]
pub struct NodeStatus {
    line: Option<SyncLine>,
}

fn ask_again() -> Cmd {
    Cmd::Silent(Box::new(Cmd::SyncStatus { after: ASK_EVERY }))
}

impl NodeStatus {
    /// Whether the server is a field node.
    pub fn on_node(&self) -> bool {
        self.line.as_ref().is_some_and(|s| s.node)
    }

    /// What is known, if anything.
    pub fn line(&self) -> Option<&SyncLine> {
        self.line.as_ref()
    }

    /// `me` answered: a node says so (and is asked again in a while); central answers null.
    pub fn from_me(
        &mut self,
        found: Option<api::me::MeFieldNode>,
        clock: &OfficeClock,
    ) -> Option<Cmd> {
        self.line = found.map(|s| SyncLine {
            node: s.node,
            online: s.online,
            offline_since: s.offline_since.map(|t| hh_mm(clock, &t)),
            syncing: s.syncing_percent,
            waiting: s.waiting,
            conflicts: s.conflicts,
        });
        self.on_node().then(ask_again)
    }

    /// `syncStatus` answered (or failed: a node is asked again all the same). Returns whether
    /// what the status line shows changed, and the next question while `logged_in`.
    pub fn reply(
        &mut self,
        result: Result<api::sync_status::ResponseData, ApiError>,
        clock: &OfficeClock,
        logged_in: bool,
    ) -> (bool, Option<Cmd>) {
        let Ok(data) = result else {
            return (false, (logged_in && self.on_node()).then(ask_again));
        };
        let s = data.sync_status;
        let line = SyncLine {
            node: s.node,
            online: s.online,
            offline_since: s.offline_since.map(|t| hh_mm(clock, &t)),
            syncing: s.syncing_percent,
            waiting: s.waiting,
            conflicts: s.conflicts,
        };
        let next = (line.node && logged_in).then(ask_again);
        let changed = self.line.replace(line.clone()) != Some(line);
        (changed, next)
    }

    /// Logged out: nothing is known until the next `me`.
    pub fn forget(&mut self) {
        self.line = None;
    }

    /// The node's part of the status line while it answers: whether it reaches central, what
    /// waits to go up, the conflicts. None when the server is central or does not answer (the
    /// line then says how the link is).
    pub fn spans(&self, t: &Text, link_up: bool) -> Option<Vec<Span<'static>>> {
        let sync = self.line.as_ref().filter(|s| s.node && link_up)?;
        let mut spans = vec![Span::raw(" · ")];
        spans.push(match (&sync.syncing, &sync.offline_since) {
            (Some(p), _) => Span::raw(format!("{} {p}%", t.node_syncing)),
            (None, Some(since)) => {
                Span::styled(format!("{} {since}", t.node_offline_since), bold())
            }
            (None, None) => Span::raw(t.node_central_online),
        });
        if sync.waiting > 0 {
            spans.push(Span::raw(format!(" · {} {}", sync.waiting, t.node_waiting)));
        }
        if sync.conflicts > 0 {
            let (one, many) = t.node_conflicts;
            let word = if sync.conflicts == 1 { one } else { many };
            spans.push(Span::styled(
                format!(" · {} {word}", sync.conflicts),
                error(),
            ));
        }
        Some(spans)
    }
}

/// HH:MM on the office's clock.
fn hh_mm(clock: &OfficeClock, at: &str) -> String {
    clock.local_time(at).chars().skip(11).collect()
}
