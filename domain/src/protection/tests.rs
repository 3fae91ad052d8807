//! The procedure step by step: a child protection case from intake to closure, and each guard
//! refusing what it must.

use chrono::NaiveDate;

use super::*;
use crate::access::Role;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
}

fn actor(id: &str, role: Role) -> Actor {
    Actor {
        user_id: id.into(),
        roles: vec![role],
        sex: None,
    }
}

fn officer() -> Actor {
    actor("P", Role::ProtectionOfficer)
}

fn supervisor() -> Actor {
    actor("S", Role::Supervisor)
}

/// A mother and her daughter of 9, opened for a child at risk.
fn child_case() -> ProtectionState {
    open(
        NewCase {
            category: "CR".into(),
            sub_code: Some("CR-LW".into()),
            risk: RiskLevel::High,
            intake_summary: "Works at a market instead of school.".into(),
            members: vec![
                Member {
                    individual_id: "child".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(2017, 5, 1),
                    principal: true,
                },
                Member {
                    individual_id: "mother".into(),
                    date_of_birth: NaiveDate::from_ymd_opt(1990, 1, 1),
                    principal: false,
                },
            ],
        },
        &officer(),
        day(1),
    )
    .expect("opened")
}

fn step(s: &ProtectionState, who: &Actor, a: Action) -> ProtectionState {
    apply(s, who, a, day(2)).unwrap_or_else(|r| panic!("refused: {r}"))
}

#[test]
fn actions_table_follows_the_kinds() {
    for (i, a) in ACTIONS.iter().enumerate() {
        assert_eq!(a.kind as usize, i, "{}", a.name);
        assert_eq!(info(a.kind).name, a.name);
    }
    let keys: std::collections::BTreeSet<char> = ACTIONS.iter().map(|a| a.key).collect();
    assert_eq!(keys.len(), ACTIONS.len(), "one key per action");
}

#[test]
fn intake_checks_category_members_and_role() {
    let s = child_case();
    assert_eq!(s.status, Status::Open);
    assert_eq!(s.assigned_officer.as_deref(), Some("P"));
    assert_eq!(s.field_group(), None);
    let mut new = NewCase {
        category: "XX".into(),
        sub_code: None,
        risk: RiskLevel::Low,
        intake_summary: "x".into(),
        members: vec![],
    };
    let r = open(new.clone(), &officer(), day(1)).expect_err("unknown category");
    assert_eq!(r.field, Some("category"));
    new.category = "SV".into();
    let r = open(new.clone(), &officer(), day(1)).expect_err("no members");
    assert_eq!(r.field, Some("members"));
    new.members = vec![Member {
        individual_id: "a".into(),
        date_of_birth: None,
        principal: false,
    }];
    let r = open(new.clone(), &officer(), day(1)).expect_err("no principal");
    assert!(matches!(
        r.reason,
        Some(crate::error::Reason::ExactlyOne { found: 0, .. })
    ));
    new.members[0].principal = true;
    let r = open(new.clone(), &actor("C", Role::RegistrationClerk), day(1)).expect_err("clerk");
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let s = open(new, &supervisor(), day(1)).expect("opened");
    assert_eq!(s.field_group(), Some(crate::access::FieldGroup::Sgbv));
    assert_eq!(
        s.assigned_officer, None,
        "a supervisor opening assigns nobody"
    );
}

#[test]
fn a_child_case_from_bia_to_bid_and_closure() {
    let s = child_case();
    let p = officer();
    let allowed = allowed_actions(&s, &p, day(2));
    assert!(allowed.contains(&ActionKind::RecordBia));
    assert!(!allowed.contains(&ActionKind::RecordBid), "no BIA yet");
    assert!(
        !allowed.contains(&ActionKind::Close),
        "high risk: supervisors close"
    );
    let r = apply(
        &s,
        &p,
        Action::RecordBia {
            child_id: "mother".into(),
            summary: "x".into(),
            bid_needed: false,
        },
        day(2),
    )
    .expect_err("the mother is no child");
    assert_eq!(r.field, Some("childId"));
    let s = step(
        &s,
        &p,
        Action::RecordBia {
            child_id: "child".into(),
            summary: "Needs school and a safe carer.".into(),
            bid_needed: true,
        },
    );
    let s = step(
        &s,
        &p,
        Action::ScheduleFollowUp {
            follow_up_id: "f1".into(),
            due: day(9),
            purpose: "Home visit".into(),
        },
    );
    assert_eq!(s.next_follow_up(), Some(day(9)));
    assert!(!allowed_actions(&s, &p, day(2)).contains(&ActionKind::RecordBid));
    let sup = supervisor();
    assert!(allowed_actions(&s, &sup, day(2)).contains(&ActionKind::RecordBid));
    let bid = |panel: &[&str]| Action::RecordBid {
        child_id: "child".into(),
        decision: "Stays with the mother with school support.".into(),
        panel: panel.iter().map(|p| p.to_string()).collect(),
    };
    let r = apply(&s, &sup, bid(&["S", "T"]), day(2)).expect_err("two members");
    assert_eq!(
        r.reason,
        Some(crate::error::Reason::TooFew { min: BID_PANEL_MIN })
    );
    let r = apply(&s, &sup, bid(&["S", "T", "T"]), day(2)).expect_err("one twice");
    assert_eq!(r.field, Some("panel"));
    let r = apply(&s, &sup, bid(&["S", "T", "P"]), day(2)).expect_err("the assessor");
    assert!(r.message.contains("BIA"), "{r}");
    let r = apply(
        &s,
        &sup,
        Action::Close {
            reason: ClosureReason::NeedsMet,
            note: None,
        },
        day(2),
    )
    .expect_err("BID pending");
    assert!(r.message.contains("BID"), "{r}");
    let s = step(&s, &sup, bid(&["S", "T", "U"]));
    assert!(s.bids_pending().is_empty());
    assert!(
        !allowed_actions(&s, &p, day(2)).contains(&ActionKind::RecordBia),
        "decided"
    );
    let s = step(
        &s,
        &sup,
        Action::Close {
            reason: ClosureReason::NeedsMet,
            note: None,
        },
    );
    assert_eq!(
        s.status,
        Status::Closed,
        "an open follow-up does not hold a closure"
    );
    assert_eq!(s.next_follow_up(), None, "a closed case leaves the queue");
}

#[test]
fn referrals_need_consent_and_an_outcome_before_needs_met() {
    let s = child_case();
    let p = officer();
    let refer = |consent| Action::Refer {
        referral_id: "r1".into(),
        service: "psychosocial".into(),
        provider: "HIAS Quito".into(),
        consent,
    };
    let r = apply(&s, &p, refer(false), day(2)).expect_err("no consent");
    assert_eq!(r.field, Some("consent"));
    let r = apply(
        &s,
        &p,
        Action::Refer {
            referral_id: "r1".into(),
            service: "spa".into(),
            provider: "x".into(),
            consent: true,
        },
        day(2),
    )
    .expect_err("unknown service");
    assert_eq!(r.field, Some("service"));
    let s = step(&s, &p, refer(true));
    let r = apply(&s, &p, refer(true), day(2)).expect_err("same id twice");
    assert_eq!(r.field, Some("referralId"));
    let s = step(
        &s,
        &p,
        Action::UpdateRisk {
            level: RiskLevel::Medium,
            reason: "Safe carer found".into(),
        },
    );
    let r = apply(
        &s,
        &p,
        Action::Close {
            reason: ClosureReason::NeedsMet,
            note: None,
        },
        day(2),
    )
    .expect_err("referral without outcome");
    assert!(r.message.contains("r1"), "{r}");
    let closed = step(
        &s,
        &p,
        Action::Close {
            reason: ClosureReason::Relocated,
            note: Some("Moved to Cuenca".into()),
        },
    );
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(closed.next_follow_up(), None);
    assert_eq!(
        allowed_actions(&closed, &p, day(2)),
        Vec::<ActionKind>::new()
    );
    assert_eq!(
        allowed_actions(&closed, &supervisor(), day(2)),
        vec![ActionKind::Reopen]
    );
    let s = step(
        &s,
        &p,
        Action::RecordReferralOutcome {
            referral_id: "r1".into(),
            outcome: ReferralOutcome::Completed,
            note: None,
        },
    );
    let s = step(
        &s,
        &p,
        Action::Close {
            reason: ClosureReason::NeedsMet,
            note: None,
        },
    );
    assert_eq!(
        s.closure.as_ref().map(|c| c.reason),
        Some(ClosureReason::NeedsMet)
    );
    let s = step(
        &s,
        &supervisor(),
        Action::Reopen {
            reason: "New threat".into(),
        },
    );
    assert_eq!(s.status, Status::Open);
    assert_eq!(s.reopenings, vec!["New threat".to_string()]);
}

#[test]
fn plans_and_follow_ups_take_dates_from_today() {
    let s = child_case();
    let p = officer();
    let r = apply(
        &s,
        &p,
        Action::ScheduleFollowUp {
            follow_up_id: "f".into(),
            due: day(1),
            purpose: "x".into(),
        },
        day(2),
    )
    .expect_err("past");
    assert!(matches!(
        r.reason,
        Some(crate::error::Reason::TooEarly { .. })
    ));
    let s = step(
        &s,
        &p,
        Action::AddPlanAction {
            action_id: "a1".into(),
            description: "Enrol in school".into(),
            responsible_id: "P".into(),
            due: day(20),
        },
    );
    assert!(allowed_actions(&s, &p, day(2)).contains(&ActionKind::CompletePlanAction));
    let s = step(
        &s,
        &p,
        Action::CompletePlanAction {
            action_id: "a1".into(),
            outcome: "Enrolled".into(),
        },
    );
    assert!(!allowed_actions(&s, &p, day(2)).contains(&ActionKind::CompletePlanAction));
    let r = apply(
        &s,
        &p,
        Action::AddPlanAction {
            action_id: "a b".into(),
            description: "x".into(),
            responsible_id: "P".into(),
            due: day(20),
        },
        day(2),
    )
    .expect_err("bad id");
    assert_eq!(r.field, Some("actionId"));
}

#[test]
fn other_roles_do_nothing() {
    let s = child_case();
    for role in [
        Role::RegistrationClerk,
        Role::EligibilityOfficer,
        Role::UnitAdmin,
        Role::Analyst,
    ] {
        assert!(
            allowed_actions(&s, &actor("X", role), day(2)).is_empty(),
            "{role}"
        );
    }
}
