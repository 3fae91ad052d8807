//! Property tests: random walks of random actions by random actors, with time moving on, must
//! never break the procedure's invariants.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use super::*;
use crate::access::Role;

/// The people of the walks: officers A and B, supervisors S, T and U, a clerk and a protection
/// officer, with their sex codes. A third supervisor lets appeals be reviewed when two
/// supervisors both took part at first instance.
const PEOPLE: [(&str, Role, &str); 7] = [
    ("A", Role::EligibilityOfficer, "F"),
    ("B", Role::EligibilityOfficer, "M"),
    ("S", Role::Supervisor, "F"),
    ("T", Role::Supervisor, "M"),
    ("U", Role::Supervisor, "F"),
    ("C", Role::RegistrationClerk, "F"),
    ("P", Role::ProtectionOfficer, "M"),
];

fn person(i: usize) -> Actor {
    let (id, role, sex) = PEOPLE[i % PEOPLE.len()];
    Actor {
        user_id: id.to_owned(),
        roles: vec![role],
        sex: Some(sex.to_owned()),
    }
}

fn roles_of(id: &str) -> Vec<Role> {
    PEOPLE.iter().filter(|p| p.0 == id).map(|p| p.1).collect()
}

fn sex_of(id: &str) -> Option<String> {
    PEOPLE.iter().find(|p| p.0 == id).map(|p| p.2.to_owned())
}

/// A small deterministic generator so one proptest seed drives a whole payload.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn text(&mut self, percent_present: u64) -> Option<String> {
        if self.chance(percent_present) {
            Some("because".to_owned())
        } else if self.chance(50) {
            Some("   ".to_owned())
        } else {
            None
        }
    }
    fn hours(&mut self, from: i64, to: i64) -> TimeDelta {
        let span = (to - from).max(1) as u64;
        TimeDelta::hours(from + self.below(span) as i64)
    }
}

const OFFICER_IDS: [&str; 5] = ["A", "B", "S", "T", "U"];

fn random_outcome(d: &mut Dice, id: &str) -> IndividualOutcome {
    let outcome = match d.below(4) {
        0 => Outcome::Recognised {
            ground: Ground::Convention1951,
        },
        1 => Outcome::Recognised {
            ground: Ground::Cartagena,
        },
        2 => Outcome::Rejected {
            reasons: if d.chance(95) {
                vec![*d.pick(&RejectionReason::ALL)]
            } else {
                vec![]
            },
        },
        _ => Outcome::Excluded {
            clauses: if d.chance(95) {
                vec![*d.pick(&ExclusionClause::ALL)]
            } else {
                vec![]
            },
        },
    };
    IndividualOutcome {
        individual_id: id.to_owned(),
        outcome,
    }
}

/// A random payload for `kind`, valid more often than not.
fn random_action(kind: ActionKind, state: &CaseState, d: &mut Dice, now: NaiveDateTime) -> Action {
    match kind {
        ActionKind::DecideAdmissibility => Action::DecideAdmissibility {
            admissible: d.chance(80),
            reason: d.text(70),
        },
        ActionKind::ScheduleInterview => {
            let officer = *d.pick(&OFFICER_IDS);
            Action::ScheduleInterview {
                appointment_id: d.pick(&["ap1", "ap2", "ap3", ""]).to_string(),
                at: now + d.hours(-24, 24 * 10),
                officer_id: officer.to_owned(),
                officer_sex: if d.chance(85) { sex_of(officer) } else { None },
                interpreter_language: d.chance(50).then(|| "prs".to_owned()),
                override_reason: d.text(50),
            }
        }
        ActionKind::RecordInterview => Action::RecordInterview {
            held_at: None,
            principal_attended: d.chance(80),
            notes_ref: d.text(50),
            interpreter_language: None,
            override_reason: d.text(50),
        },
        ActionKind::RecordNoShow => Action::RecordNoShow,
        ActionKind::RecordContact => Action::RecordContact {
            channel: None,
            note: None,
        },
        ActionKind::SubmitAssessment => {
            let mut recommendations: Vec<IndividualOutcome> = state
                .individuals_concerned()
                .into_iter()
                .map(|id| random_outcome(d, id))
                .collect();
            if d.chance(5) {
                recommendations.pop();
            }
            if d.chance(5) {
                recommendations.push(random_outcome(d, "stranger"));
            }
            Action::SubmitAssessment {
                recommendations,
                assessment_ref: d.text(85),
            }
        }
        ActionKind::ReviewAssessment => Action::ReviewAssessment {
            approve: d.chance(70),
            comments: d.text(60),
        },
        ActionKind::NotifyDecision => Action::NotifyDecision {
            notified_at: None,
            method: None,
        },
        ActionKind::LodgeAppeal => {
            let base = state.first_instance.notified_at.unwrap_or(now);
            let span = (now - base).num_hours();
            Action::LodgeAppeal {
                lodged_at: base + d.hours(-24, span + 24),
            }
        }
        ActionKind::Withdraw => Action::Withdraw {
            reason: d.text(90).unwrap_or_default(),
        },
        ActionKind::Close => Action::Close {
            reason: *d.pick(&ClosureReason::ALL),
        },
        ActionKind::ConfirmAbandonment => Action::ConfirmAbandonment,
        ActionKind::Reopen => {
            let approver = *d.pick(&OFFICER_IDS);
            Action::Reopen {
                ground: *d.pick(&ReopenGround::ALL),
                approver_id: approver.to_owned(),
                approver_roles: roles_of(approver),
            }
        }
        ActionKind::Assign => Action::Assign {
            officer_id: d.pick(&OFFICER_IDS).to_string(),
        },
        ActionKind::PutOnHold => Action::PutOnHold {
            reason: d.text(90).unwrap_or_default(),
        },
        ActionKind::Resume => Action::Resume,
    }
}

/// How often a walk picks an allowed kind, relative to the others.
fn weight(kind: ActionKind) -> usize {
    match kind {
        ActionKind::Withdraw
        | ActionKind::Close
        | ActionKind::ConfirmAbandonment
        | ActionKind::PutOnHold
        | ActionKind::RecordContact => 1,
        ActionKind::Assign => 3,
        _ => 8,
    }
}

/// A payload `apply` must accept whenever `kind` is allowed: the witness that `allowed_actions`
/// promises nothing it cannot keep.
fn witness(
    kind: ActionKind,
    state: &CaseState,
    actor: &Actor,
    rules: &UnitRules,
    now: NaiveDateTime,
) -> Action {
    let first = state.first_instance_officers();
    let free = |taken: Option<&str>| {
        ["A", "B", "S", "T", "U", "Z1", "Z2"]
            .into_iter()
            .find(|o| !first.contains(o) && Some(*o) != taken)
            .unwrap_or("Z3")
            .to_owned()
    };
    match kind {
        ActionKind::DecideAdmissibility => Action::DecideAdmissibility {
            admissible: true,
            reason: None,
        },
        ActionKind::ScheduleInterview => Action::ScheduleInterview {
            appointment_id: "w".to_owned(),
            at: now,
            officer_id: free(None),
            officer_sex: None,
            interpreter_language: None,
            override_reason: Some("only officer free".to_owned()),
        },
        ActionKind::RecordInterview => Action::RecordInterview {
            held_at: None,
            principal_attended: true,
            notes_ref: None,
            interpreter_language: None,
            override_reason: Some("only officer free".to_owned()),
        },
        ActionKind::RecordNoShow => Action::RecordNoShow,
        ActionKind::RecordContact => Action::RecordContact {
            channel: None,
            note: None,
        },
        ActionKind::SubmitAssessment => Action::SubmitAssessment {
            recommendations: state
                .individuals_concerned()
                .into_iter()
                .map(|id| IndividualOutcome {
                    individual_id: id.to_owned(),
                    outcome: Outcome::Recognised {
                        ground: Ground::Convention1951,
                    },
                })
                .collect(),
            assessment_ref: Some("doc".to_owned()),
        },
        ActionKind::ReviewAssessment => Action::ReviewAssessment {
            approve: false,
            comments: Some("redo".to_owned()),
        },
        ActionKind::NotifyDecision => Action::NotifyDecision {
            notified_at: None,
            method: None,
        },
        ActionKind::LodgeAppeal => {
            let end = deadlines(state, rules).appeal_grace_end.unwrap_or(now);
            Action::LodgeAppeal {
                lodged_at: now.min(end),
            }
        }
        ActionKind::Withdraw => Action::Withdraw {
            reason: "w".to_owned(),
        },
        ActionKind::Close => Action::Close {
            reason: ClosureReason::Duplicate,
        },
        ActionKind::ConfirmAbandonment => Action::ConfirmAbandonment,
        ActionKind::Reopen => Action::Reopen {
            ground: ReopenGround::NewEvidence,
            approver_id: if actor.user_id == "S" { "T" } else { "S" }.to_owned(),
            approver_roles: vec![Role::Supervisor],
        },
        ActionKind::Assign => Action::Assign {
            officer_id: free(state.assigned_officer.as_deref()),
        },
        ActionKind::PutOnHold => Action::PutOnHold {
            reason: "h".to_owned(),
        },
        ActionKind::Resume => Action::Resume,
    }
}

#[derive(Debug, Clone)]
struct Setup {
    modality: Modality,
    priority: bool,
    preference: Option<&'static str>,
    admissibility: bool,
    members: usize,
    assigned: Option<&'static str>,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        proptest::sample::select(Modality::ALL.to_vec()),
        any::<bool>(),
        proptest::sample::select(vec![None, Some("F"), Some("M")]),
        any::<bool>(),
        0usize..3,
        proptest::sample::select(vec![None, Some("A"), Some("B")]),
    )
        .prop_map(
            |(modality, priority, preference, admissibility, members, assigned)| Setup {
                modality,
                priority,
                preference,
                admissibility,
                members,
                assigned,
            },
        )
}

#[derive(Debug, Clone)]
struct Step {
    actor: usize,
    /// Pick among the allowed kinds (most steps) or any kind at all.
    from_allowed: bool,
    kind: usize,
    seed: u64,
    advance_hours: i64,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0usize..PEOPLE.len(),
        proptest::bool::weighted(0.85),
        0usize..1024,
        any::<u64>(),
        prop_oneof![4 => 0i64..48, 1 => 0i64..24 * 60],
    )
        .prop_map(|(actor, from_allowed, kind, seed, advance_hours)| Step {
            actor,
            from_allowed,
            kind,
            seed,
            advance_hours,
        })
}

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap_or_default()
}

/// The invariants every reachable state keeps.
fn check_state(s: &CaseState) -> Result<(), TestCaseError> {
    for stage in Stage::ALL {
        let r = s.stage_record(stage);
        prop_assert!(
            r.decisions.is_empty() || r.principal_interviewed(),
            "decision at {:?} without an interview of the principal",
            stage
        );
        for review in &r.reviews {
            prop_assert_ne!(
                &review.reviewer_id,
                &review.assessor_id,
                "own assessment reviewed"
            );
        }
        if let Some(a) = &r.assessment
            && !r.decisions.is_empty()
        {
            prop_assert!(r.decided_by().is_some_and(|d| d != a.assessor_id));
        }
    }
    let first = s.first_instance.officers();
    let appeal = s.appeal.officers();
    prop_assert!(
        first.is_disjoint(&appeal),
        "first-instance officers {:?} acted on appeal {:?}",
        first,
        appeal
    );
    if s.stage == Stage::Appeal
        && let Some(o) = &s.assigned_officer
    {
        prop_assert!(!first.contains(o.as_str()), "appeal assigned to {o}");
    }
    Ok(())
}

/// Runs one walk, checking every invariant; records which events happened at which stage.
fn walk(
    setup: &Setup,
    steps: &[Step],
    seen: &mut BTreeSet<(EventKind, Stage)>,
) -> Result<(), TestCaseError> {
    let rules = UnitRules {
        admissibility: setup.admissibility,
        ..UnitRules::default()
    };
    let members = (0..setup.members).map(|i| format!("m{i}")).collect();
    let mut state = CaseState::new("p0", members, setup.modality, start());
    state.priority = setup.priority;
    state.interviewer_sex_preference = setup.preference.map(str::to_owned);
    state.assigned_officer = setup.assigned.map(str::to_owned);
    let mut now = start();
    let mut events: Vec<CaseEvent> = Vec::new();
    let mut accepted = 0u64;

    for st in steps {
        now += TimeDelta::hours(st.advance_hours);
        // Every person's allowed kinds, each checked against a payload apply must accept.
        let mut choices: Vec<(usize, ActionKind)> = Vec::new();
        for who in 0..PEOPLE.len() {
            let actor = person(who);
            for kind in allowed_actions(&state, &actor, &rules, now) {
                let w = witness(kind, &state, &actor, &rules, now);
                let outcome = apply(&state, &actor, &w, &rules, now);
                prop_assert!(
                    outcome.is_ok(),
                    "{:?} allowed to {} but witness refused: {:?}",
                    kind,
                    actor.user_id,
                    outcome.err()
                );
                // Steps that end or pause the procedure come up less often, so walks get deep.
                choices.extend(std::iter::repeat_n((who, kind), weight(kind)));
            }
        }

        let (who, kind) = if st.from_allowed && !choices.is_empty() {
            choices[st.kind % choices.len()]
        } else {
            (st.actor, ActionKind::ALL[st.kind % ActionKind::ALL.len()])
        };
        let actor = person(who);
        let allowed = allowed_actions(&state, &actor, &rules, now);
        let mut dice = Dice(st.seed);
        let action = random_action(kind, &state, &mut dice, now);
        match apply(&state, &actor, &action, &rules, now) {
            Ok(tr) => {
                prop_assert!(
                    allowed.contains(&kind),
                    "{:?} accepted but not allowed",
                    kind
                );
                prop_assert_eq!(tr.event.from_status, state.status);
                prop_assert_eq!(tr.event.to_status, tr.state.status);
                prop_assert_eq!(tr.event.from_stage, state.stage);
                prop_assert_eq!(tr.event.stage, tr.state.stage);
                prop_assert_eq!(tr.event.action, kind);
                prop_assert_eq!(&tr.event.actor_id, &actor.user_id);
                prop_assert_eq!(tr.event.at, now);
                if tr.event.kind == EventKind::Decided {
                    prop_assert!(state.current().principal_interviewed());
                    let assessor = state
                        .current()
                        .assessment
                        .as_ref()
                        .map(|a| a.assessor_id.clone());
                    prop_assert_ne!(assessor, Some(actor.user_id.clone()));
                }
                if state.stage == Stage::Appeal
                    && matches!(
                        kind,
                        ActionKind::SubmitAssessment
                            | ActionKind::ReviewAssessment
                            | ActionKind::RecordInterview
                    )
                {
                    prop_assert!(
                        !state
                            .first_instance_officers()
                            .contains(actor.user_id.as_str())
                    );
                }
                seen.insert((tr.event.kind, tr.event.stage));
                events.push(tr.event);
                accepted += 1;
                state = tr.state;
                check_state(&state)?;
                let json = serde_json::to_string(&state)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let back: CaseState =
                    serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&back, &state);
            }
            Err(refusal) => {
                // Refusals about the payload name a field and concern an allowed kind; the
                // others are exactly the kinds allowed_actions leaves out.
                prop_assert_eq!(
                    allowed.contains(&kind),
                    refusal.field.is_some(),
                    "{}",
                    refusal.message
                );
                prop_assert!(!refusal.message.is_empty());
            }
        }
    }

    prop_assert_eq!(events.len() as u64, accepted);
    prop_assert_eq!(state.version, accepted);
    for (i, e) in events.iter().enumerate() {
        prop_assert_eq!(e.version, i as u64 + 1);
    }
    for pair in events.windows(2) {
        prop_assert_eq!(pair[0].to_status, pair[1].from_status);
        prop_assert_eq!(pair[0].stage, pair[1].from_stage);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_walks_keep_the_procedure_sound(setup in setup(), steps in vec(step(), 20..160)) {
        walk(&setup, &steps, &mut BTreeSet::new())?;
    }

    #[test]
    fn protection_officers_only_read(seed in any::<u64>(), days in 0i64..200) {
        let state = CaseState::new("p0", vec![], Modality::Regular, start());
        let now = start() + TimeDelta::days(days);
        let reader = person(6);
        prop_assert!(allowed_actions(&state, &reader, &UnitRules::default(), now).is_empty());
        let mut dice = Dice(seed);
        let kind = *dice.pick(&ActionKind::ALL);
        let action = random_action(kind, &state, &mut dice, now);
        let refusal = apply(&state, &reader, &action, &UnitRules::default(), now).err();
        prop_assert_eq!(refusal.map(|r| r.kind), Some(RefusalKind::Forbidden));
    }
}

/// The walks are only worth something if they get deep into the procedure: with a fixed seed,
/// enough walks must reach every step at both stages.
#[test]
fn walks_reach_the_whole_procedure() {
    let mut runner = TestRunner::deterministic();
    let strategy = (setup(), vec(step(), 20..160));
    let mut seen = BTreeSet::new();
    for _ in 0..150 {
        let (s, steps) = strategy
            .new_tree(&mut runner)
            .map(|t| t.current())
            .unwrap_or_else(|e| panic!("strategy failed: {e}"));
        if let Err(e) = walk(&s, &steps, &mut seen) {
            panic!("walk failed: {e}");
        }
    }
    let missing: Vec<_> = [
        (EventKind::AdmissibilityDecided, Stage::FirstInstance),
        (EventKind::Decided, Stage::FirstInstance),
        (EventKind::AssessmentReturned, Stage::FirstInstance),
        (EventKind::AppealLodged, Stage::Appeal),
        (EventKind::InterviewRecorded, Stage::Appeal),
        (EventKind::Decided, Stage::Appeal),
        (EventKind::Notified, Stage::Appeal),
        (EventKind::Abandoned, Stage::FirstInstance),
        (EventKind::Reopened, Stage::FirstInstance),
        (EventKind::Resumed, Stage::FirstInstance),
        (EventKind::Withdrawn, Stage::FirstInstance),
    ]
    .into_iter()
    .filter(|k| !seen.contains(k))
    .collect();
    assert!(
        missing.is_empty(),
        "never reached: {missing:?}; reached: {seen:?}"
    );
}
