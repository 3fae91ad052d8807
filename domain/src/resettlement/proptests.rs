//! Property tests: random walks of random actions by random actors, with days passing, never
//! break the procedure's invariants, and `allowed_actions` says exactly what `apply` accepts.

use chrono::{NaiveDate, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;

use super::*;
use crate::access::Role;

/// Resettlement officers R and Q, a supervisor S, a protection officer P and a clerk C.
const PEOPLE: [(&str, Role); 5] = [
    ("R", Role::ResettlementOfficer),
    ("Q", Role::ResettlementOfficer),
    ("S", Role::Supervisor),
    ("P", Role::ProtectionOfficer),
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

const STATES: [&str; 3] = ["CAN", "ESP", "usa"];

fn action(k: u8, a: u8, today: NaiveDate) -> Action {
    let text = if a.is_multiple_of(7) { " " } else { "because" }.to_string();
    let date =
        today - TimeDelta::days(i64::from(a % 4)) + TimeDelta::days(i64::from(a.is_multiple_of(9)));
    match k % 7 {
        0 => Action::RecordAssessment { summary: text },
        1 => Action::ReviewAssessment {
            approve: !a.is_multiple_of(3),
            note: a.is_multiple_of(2).then_some(text),
        },
        2 => Action::Submit {
            state: STATES[usize::from(a) % 3].into(),
            submitted_on: date,
            dossier_reference: text,
        },
        3 => Action::RecordInterview {
            interviewed_on: date,
        },
        4 => Action::RecordDecision {
            decision: if a.is_multiple_of(2) {
                StateDecision::Accepted
            } else {
                StateDecision::Rejected
            },
            decided_on: date,
        },
        5 => Action::RecordDeparture { departed_on: date },
        _ => Action::Exit {
            reason: ExitReason::ALL[usize::from(a) % ExitReason::ALL.len()],
            note: None,
        },
    }
}

proptest! {
    #[test]
    fn walks_keep_the_invariants(steps in vec((any::<u8>(), any::<u8>(), any::<u8>(), 0u8..4), 1..60)) {
        let mut today = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let opener = person(0);
        let mut s = open(NewCase {
            categories: vec!["LPN".into()],
            priority: Priority::Normal,
            summary: "need".into(),
            members: vec![Member { individual_id: "a".into(), principal: true }],
            from_protection_case: None,
        }, &opener, today).expect("open");
        for (who, k, a, days) in steps {
            today += TimeDelta::days(i64::from(days));
            let actor = person(who);
            let act = action(k, a, today);
            let kind = act.kind();
            let allowed = allowed_actions(&s, &actor).contains(&kind);
            match apply(&s, &actor, act, today) {
                Ok(next) => {
                    prop_assert!(allowed, "{kind:?} applied though not allowed");
                    // Only resettlement staff and supervisors act.
                    prop_assert!(actor.has(Role::ResettlementOfficer) || actor.has(Role::Supervisor));
                    // Four eyes: an approval is never by the assessment's author.
                    if kind == ActionKind::ReviewAssessment {
                        let rev = next.reviews.last().expect("review");
                        prop_assert_ne!(&rev.reviewed_by, &s.assessment().expect("assessed").assessed_by);
                    }
                    // Nothing happens after the end.
                    prop_assert!(!s.status.is_final());
                    // A case submitted, interviewed or decided has a submission behind it.
                    if matches!(next.status, Status::Submitted | Status::Interviewed | Status::Accepted | Status::Rejected) {
                        prop_assert!(next.submission().is_some());
                    }
                    // Approval always follows an assessment reviewed by another person.
                    if next.status == Status::Approved {
                        prop_assert!(next.reviews.last().is_some_and(|r| r.approved));
                    }
                    if next.status == Status::Exited {
                        prop_assert!(next.exit_reason.is_some());
                    }
                    prop_assert_eq!(next.due_on().is_none(), next.status.is_final());
                    s = next;
                }
                Err(r) => {
                    // A refusal on the guards means the action was not listed; a payload refusal
                    // names its field.
                    if !allowed {
                        continue;
                    }
                    prop_assert_eq!(r.kind, RefusalKind::Invalid);
                    prop_assert!(r.field.is_some() || kind == ActionKind::RecordInterview || kind == ActionKind::RecordDecision, "{:?}", r);
                }
            }
        }
    }
}
