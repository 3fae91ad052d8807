//! Property tests: random walks of random actions by random actors, with days passing, must
//! never break the procedure's invariants.

use chrono::{NaiveDate, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::access::Role;

/// Protection officers P and Q, supervisors S, T, U and V, and a clerk C.
const PEOPLE: [(&str, Role); 7] = [
    ("P", Role::ProtectionOfficer),
    ("Q", Role::ProtectionOfficer),
    ("S", Role::Supervisor),
    ("T", Role::Supervisor),
    ("U", Role::Supervisor),
    ("V", Role::Supervisor),
    ("C", Role::RegistrationClerk),
];

fn person(i: u8) -> Actor {
    let (id, role) = PEOPLE[usize::from(i) % PEOPLE.len()];
    Actor {
        user_id: id.into(),
        roles: vec![role],
        sex: None,
    }
}

const IDS: [&str; 3] = ["x1", "x2", "x3"];
const MEMBERS: [&str; 3] = ["child", "teen", "adult"];

/// One random action, its payload drawn from small pools so identifiers collide and guards
/// are reached.
fn action(k: u8, a: u8, b: u8, today: NaiveDate) -> Action {
    // Mostly ids of a small pool, so they collide; now and then a new one.
    let id = if a >= 250 {
        format!("n{b}")
    } else {
        IDS[usize::from(a) % IDS.len()].to_string()
    };
    let who = MEMBERS[usize::from(b) % MEMBERS.len()].to_string();
    let text = if b.is_multiple_of(7) { " " } else { "because" }.to_string();
    let date = today + TimeDelta::days(i64::from(b % 5) - 1);
    match k % 12 {
        0 => Action::UpdateRisk {
            level: RiskLevel::ALL[usize::from(a) % 4],
            reason: text,
        },
        1 => Action::AddPlanAction {
            action_id: id,
            description: text,
            responsible_id: "P".into(),
            due: date,
        },
        2 => Action::CompletePlanAction {
            action_id: id,
            outcome: text,
        },
        3 => Action::Refer {
            referral_id: id,
            service: SERVICES[usize::from(b) % SERVICES.len()].into(),
            provider: "HIAS".into(),
            consent: !b.is_multiple_of(4),
        },
        4 => Action::RecordReferralOutcome {
            referral_id: id,
            outcome: ReferralOutcome::ALL[usize::from(b) % 4],
            note: None,
        },
        5 => Action::ScheduleFollowUp {
            follow_up_id: id,
            due: date,
            purpose: text,
        },
        6 => Action::RecordFollowUp {
            follow_up_id: id,
            note: text,
        },
        7 => Action::RecordBia {
            child_id: who,
            summary: text,
            bid_needed: a.is_multiple_of(2),
        },
        8 => Action::RecordBid {
            child_id: who,
            decision: text,
            panel: PEOPLE
                .iter()
                .skip(usize::from(a) % 4)
                .take(usize::from(b % 4) + 1)
                .map(|p| p.0.to_string())
                .collect(),
        },
        9 => Action::Assign {
            officer_id: ["P", "Q"][usize::from(a) % 2].into(),
        },
        10 => Action::Close {
            reason: ClosureReason::ALL[usize::from(a) % ClosureReason::ALL.len()],
            note: None,
        },
        _ => Action::Reopen { reason: text },
    }
}

fn start() -> (ProtectionState, NaiveDate) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
    let born = |y| NaiveDate::from_ymd_opt(y, 6, 15);
    let s = open(
        NewCase {
            category: "SC".into(),
            sub_code: Some("SC-UC".into()),
            risk: RiskLevel::Medium,
            intake_summary: "Found alone at the border.".into(),
            members: vec![
                Member {
                    individual_id: "child".into(),
                    date_of_birth: born(2018),
                    principal: true,
                },
                // Turns 18 during the walk: a BIA is possible only until then.
                Member {
                    individual_id: "teen".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(2008, 12, 10),
                    principal: false,
                },
                Member {
                    individual_id: "adult".into(),
                    date_of_birth: born(1980),
                    principal: false,
                },
            ],
        },
        &person(0),
        today,
    )
    .expect("opened");
    (s, today)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn walks_keep_the_invariants(steps in vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>(), 0u8..3), 1..60)) {
        let (mut s, mut today) = start();
        for (who, k, a, b, days) in steps {
            today += TimeDelta::days(i64::from(days));
            let actor = person(who);
            let act = action(k, a, b, today);
            let kind = act.kind();
            let allowed = allowed_actions(&s, &actor, today);
            match apply(&s, &actor, act.clone(), today) {
                Ok(next) => {
                    // Only what allowedActions offers ever succeeds.
                    prop_assert!(allowed.contains(&kind), "{kind:?} applied but not allowed");
                    // Only supervisors decide BIDs, assign and reopen.
                    if matches!(kind, ActionKind::RecordBid | ActionKind::Assign | ActionKind::Reopen) {
                        prop_assert!(actor.roles.contains(&Role::Supervisor));
                    }
                    // A closed case changes only by reopening.
                    if s.status == Status::Closed {
                        prop_assert_eq!(kind, ActionKind::Reopen);
                    }
                    // A completion claimed leaves nothing pending.
                    if let Some(c) = next.closure.as_ref().filter(|c| c.reason.claims_completion()) {
                        prop_assert!(s.pending_work().is_empty(), "{:?} closed with work pending", c.reason);
                    }
                    // A high-risk case closed by a supervisor only.
                    if kind == ActionKind::Close && s.risk >= RiskLevel::High {
                        prop_assert!(actor.roles.contains(&Role::Supervisor));
                    }
                    s = next;
                }
                Err(r) => {
                    // A role outside the procedure is refused as FORBIDDEN, never as invalid.
                    if actor.roles == vec![Role::RegistrationClerk] {
                        prop_assert_eq!(r.kind, RefusalKind::Forbidden);
                    }
                }
            }
            // Every BID follows a BIA of the same child that asked for it, by a panel of at
            // least three that excludes the assessor, and a child has at most one BID.
            for bid in &s.bids {
                let bia = s.bias.iter().rev().find(|b| b.child_id == bid.child_id && b.assessed_on <= bid.decided_on);
                prop_assert!(bia.is_some_and(|b| b.bid_needed), "BID without a BIA asking for it");
                prop_assert!(bid.panel.len() >= BID_PANEL_MIN);
                prop_assert!(bia.is_some_and(|b| !bid.panel.contains(&b.assessed_by)));
                prop_assert_eq!(s.bids.iter().filter(|d| d.child_id == bid.child_id).count(), 1);
            }
            // BIAs are only of members who were children that day.
            for bia in &s.bias {
                let m = s.members.iter().find(|m| m.individual_id == bia.child_id);
                prop_assert!(m.and_then(|m| m.date_of_birth).is_some_and(|d| age(d, bia.assessed_on) < 18));
            }
            // Referrals always carry consent (it is required to exist), ids stay unique.
            let mut ids: Vec<&str> = s.referrals.iter().map(|r| r.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(ids.len(), s.referrals.len());
            // The queue column is the earliest open follow-up of an open case.
            let expected = (s.status == Status::Open)
                .then(|| s.follow_ups.iter().filter(|f| f.done_on.is_none()).map(|f| f.due).min())
                .flatten();
            prop_assert_eq!(s.next_follow_up(), expected);
            prop_assert_eq!(s.status == Status::Closed, s.closure.is_some());
        }
    }

    /// Whatever allowedActions offers has some payload that is accepted: the client never
    /// shows an action that cannot succeed.
    #[test]
    fn every_allowed_action_has_an_accepted_payload(steps in vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()), 0..40), who in any::<u8>()) {
        let (mut s, today) = start();
        for (w, k, a, b) in steps {
            if let Ok(next) = apply(&s, &person(w), action(k, a, b, today), today) {
                s = next;
            }
        }
        let actor = person(who);
        for kind in allowed_actions(&s, &actor, today) {
            let found = (0..=255u8).step_by(5).any(|a| {
                (0..=255u8).any(|b| {
                    let act = action(kind as u8, a, b, today);
                    act.kind() == kind && apply(&s, &actor, act, today).is_ok()
                })
            });
            prop_assert!(found, "{kind:?} offered but no payload passes");
        }
    }
}
