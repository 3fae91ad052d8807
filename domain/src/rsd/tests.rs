//! Unit tests: one or more per guard, each refusal checked for its kind.

use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::access::Role;
use crate::error::Reason;

fn t(day: i64) -> NaiveDateTime {
    let base = NaiveDate::from_ymd_opt(2026, 1, 5)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("valid base date");
    base + chrono::TimeDelta::days(day)
}

fn actor(id: &str, role: Role, sex: &str) -> Actor {
    Actor {
        user_id: id.to_owned(),
        roles: vec![role],
        sex: Some(sex.to_owned()),
    }
}
fn officer_a() -> Actor {
    actor("A", Role::EligibilityOfficer, "F")
}
fn officer_b() -> Actor {
    actor("B", Role::EligibilityOfficer, "M")
}
fn sup_s() -> Actor {
    actor("S", Role::Supervisor, "F")
}
fn sup_t() -> Actor {
    actor("T", Role::Supervisor, "M")
}
fn clerk() -> Actor {
    actor("C", Role::RegistrationClerk, "F")
}

fn rules() -> UnitRules {
    UnitRules::default()
}

fn new_case(modality: Modality) -> CaseState {
    let mut s = CaseState::new("p1", vec!["m1".to_owned()], modality, t(0));
    s.assigned_officer = Some("A".to_owned());
    s
}

fn ok(state: &CaseState, who: &Actor, action: Action, now: NaiveDateTime) -> CaseState {
    match apply(state, who, &action, &rules(), now) {
        Ok(tr) => {
            assert_eq!(tr.event.from_status, state.status);
            assert_eq!(tr.event.to_status, tr.state.status);
            assert_eq!(tr.event.version, state.version + 1);
            assert_eq!(tr.state.version, state.version + 1);
            assert_eq!(tr.event.actor_id, who.user_id);
            tr.state
        }
        Err(r) => panic!("{:?} refused: {}", action.kind(), r.message),
    }
}

fn refused(state: &CaseState, who: &Actor, action: Action, now: NaiveDateTime) -> Refusal {
    match apply(state, who, &action, &rules(), now) {
        Ok(tr) => panic!("{:?} accepted: {:?}", action.kind(), tr.event),
        Err(r) => {
            // Payload refusals name a field; the others are exactly what allowed_actions hides.
            assert_eq!(
                allowed_actions(state, who, &rules(), now).contains(&action.kind()),
                r.field.is_some(),
                "{}",
                r.message
            );
            r
        }
    }
}

fn schedule(id: &str, at: NaiveDateTime, officer: &str, sex: &str) -> Action {
    Action::ScheduleInterview {
        appointment_id: id.to_owned(),
        at,
        officer_id: officer.to_owned(),
        officer_sex: Some(sex.to_owned()),
        interpreter_language: Some("prs".to_owned()),
        override_reason: None,
    }
}

fn interview(attended: bool) -> Action {
    Action::RecordInterview {
        held_at: None,
        principal_attended: attended,
        notes_ref: Some("notes-1".to_owned()),
        interpreter_language: None,
        override_reason: None,
    }
}

fn rejected(id: &str) -> IndividualOutcome {
    IndividualOutcome {
        individual_id: id.to_owned(),
        outcome: Outcome::Rejected {
            reasons: vec![RejectionReason::NotCredible],
        },
    }
}

fn recognised(id: &str) -> IndividualOutcome {
    IndividualOutcome {
        individual_id: id.to_owned(),
        outcome: Outcome::Recognised {
            ground: Ground::Convention1951,
        },
    }
}

fn assessment(recs: Vec<IndividualOutcome>) -> Action {
    Action::SubmitAssessment {
        recommendations: recs,
        assessment_ref: Some("doc-1".to_owned()),
    }
}

fn approve() -> Action {
    Action::ReviewAssessment {
        approve: true,
        comments: None,
    }
}

fn interviewed() -> CaseState {
    let s = new_case(Modality::Regular);
    let s = ok(
        &s,
        &officer_a(),
        Action::DecideAdmissibility {
            admissible: true,
            reason: None,
        },
        t(1),
    );
    let s = ok(&s, &officer_a(), schedule("ap1", t(5), "A", "F"), t(1));
    ok(&s, &officer_a(), interview(true), t(5))
}

/// First-instance decision (principal rejected, dependant recognised) notified on day 10.
fn notified() -> CaseState {
    let s = interviewed();
    let s = ok(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), recognised("m1")]),
        t(6),
    );
    let s = ok(&s, &sup_s(), approve(), t(7));
    ok(
        &s,
        &officer_a(),
        Action::NotifyDecision {
            notified_at: None,
            method: None,
        },
        t(10),
    )
}

fn appeal_lodged() -> CaseState {
    let s = notified();
    let s = ok(
        &s,
        &officer_a(),
        Action::LodgeAppeal { lodged_at: t(20) },
        t(20),
    );
    ok(
        &s,
        &sup_t(),
        Action::Assign {
            officer_id: "B".to_owned(),
        },
        t(20),
    )
}

#[test]
fn names_round_trip_and_match_serde() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
        assert_eq!(
            serde_json::to_value(s).ok(),
            Some(serde_json::Value::from(s.as_str()))
        );
    }
    for k in ActionKind::ALL {
        assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).ok(),
            Some(serde_json::Value::from(k.as_str()))
        );
    }
    for e in EventKind::ALL {
        assert_eq!(EventKind::parse(e.as_str()), Some(e));
        assert_eq!(
            serde_json::to_value(e).ok(),
            Some(serde_json::Value::from(e.as_str()))
        );
    }
    for m in Modality::ALL {
        assert_eq!(Modality::parse(m.as_str()), Some(m));
    }
    for r in RejectionReason::ALL {
        assert_eq!(RejectionReason::parse(r.as_str()), Some(r));
        assert_eq!(
            serde_json::to_value(r).ok(),
            Some(serde_json::Value::from(r.as_str()))
        );
    }
    for c in ExclusionClause::ALL {
        assert_eq!(
            serde_json::to_value(c).ok(),
            Some(serde_json::Value::from(c.as_str()))
        );
    }
    for g in Ground::ALL {
        assert_eq!(Ground::parse(g.as_str()), Some(g));
        assert_eq!(
            serde_json::to_value(g).ok(),
            Some(serde_json::Value::from(g.as_str()))
        );
    }
    for g in ReopenGround::ALL {
        assert_eq!(ReopenGround::parse(g.as_str()), Some(g));
    }
    for c in ClosureReason::ALL {
        assert_eq!(ClosureReason::parse(c.as_str()), Some(c));
    }
    assert_eq!(
        serde_json::to_value(Ground::Convention1951).ok(),
        Some(serde_json::Value::from("convention_1951"))
    );
    assert_eq!(Status::parse("under_review"), None);
}

#[test]
fn rules_default_to_ecuador_and_fill_missing_fields() {
    let r: UnitRules = serde_json::from_str(r#"{"appeal_deadline_days": 45}"#).expect("rules");
    assert!(r.admissibility);
    assert_eq!(r.appeal_deadline_days, 45);
    assert_eq!(r.appeal_grace_days, 42);
    assert_eq!(r.abandonment_days, 42);
    assert_eq!(r.decision_target_days.regular, 90);
    assert!(r.problems().is_empty());
    let bad = UnitRules {
        appeal_deadline_days: 10,
        ..UnitRules::default()
    };
    assert_eq!(bad.problems().len(), 1);
}

#[test]
fn read_only_and_unrelated_roles_can_do_nothing() {
    let s = new_case(Modality::Regular);
    for role in [Role::ProtectionOfficer, Role::UnitAdmin, Role::Analyst] {
        let who = actor("P", role, "F");
        assert!(allowed_actions(&s, &who, &rules(), t(1)).is_empty());
        let r = refused(
            &s,
            &who,
            Action::RecordContact {
                channel: None,
                note: None,
            },
            t(1),
        );
        assert_eq!(r.kind, RefusalKind::Forbidden);
    }
}

#[test]
fn officers_act_only_on_their_own_cases() {
    let s = new_case(Modality::Regular);
    let r = refused(
        &s,
        &officer_b(),
        Action::RecordContact {
            channel: None,
            note: None,
        },
        t(1),
    );
    assert_eq!(r.kind, RefusalKind::Forbidden);
    assert!(r.message.contains("assigned to another officer"));
    let mut unassigned = s.clone();
    unassigned.assigned_officer = None;
    let r = refused(
        &unassigned,
        &officer_a(),
        Action::RecordContact {
            channel: None,
            note: None,
        },
        t(1),
    );
    assert_eq!(r.kind, RefusalKind::Forbidden);
    // Clerks keep the calendar for every case; supervisors act anywhere.
    let mut simplified = unassigned.clone();
    simplified.modality = Modality::Simplified;
    ok(&simplified, &clerk(), schedule("ap", t(3), "B", "M"), t(1));
    ok(
        &unassigned,
        &sup_s(),
        Action::RecordContact {
            channel: None,
            note: None,
        },
        t(1),
    );
    // A clerk cannot interview or assess.
    let r = refused(&unassigned, &clerk(), interview(true), t(1));
    assert_eq!(r.kind, RefusalKind::Forbidden);
}

#[test]
fn admissibility_comes_first_when_the_unit_has_it() {
    let s = new_case(Modality::Regular);
    let r = refused(&s, &officer_a(), schedule("ap", t(3), "A", "F"), t(1));
    assert_eq!(r.kind, RefusalKind::Invalid);
    let r = refused(
        &s,
        &officer_a(),
        Action::DecideAdmissibility {
            admissible: false,
            reason: Some("  ".to_owned()),
        },
        t(1),
    );
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("reason")));
    let closed = ok(
        &s,
        &officer_a(),
        Action::DecideAdmissibility {
            admissible: false,
            reason: Some("Safe third country".to_owned()),
        },
        t(1),
    );
    assert_eq!(closed.status, Status::Closed);
    assert_eq!(
        closed.closure.as_ref().map(|c| c.reason),
        Some(ClosureReason::Inadmissible)
    );

    // Simplified cases skip it; so does a unit without the step.
    let simplified = new_case(Modality::Simplified);
    let r = refused(
        &simplified,
        &officer_a(),
        Action::DecideAdmissibility {
            admissible: true,
            reason: None,
        },
        t(1),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    ok(
        &simplified,
        &officer_a(),
        schedule("ap", t(3), "A", "F"),
        t(1),
    );
    let no_step = UnitRules {
        admissibility: false,
        ..UnitRules::default()
    };
    assert!(
        apply(
            &s,
            &officer_a(),
            &schedule("ap", t(3), "A", "F"),
            &no_step,
            t(1)
        )
        .is_ok()
    );
}

#[test]
fn merged_cases_are_interviewed_at_registration() {
    let merged = new_case(Modality::Merged);
    let s = ok(&merged, &officer_a(), interview(true), t(0));
    assert_eq!(s.status, Status::Interviewed);
    // Other modalities need an appointment.
    let simplified = new_case(Modality::Simplified);
    let r = refused(&simplified, &officer_a(), interview(true), t(0));
    assert_eq!(r.kind, RefusalKind::Invalid);
}

#[test]
fn appointments_are_not_set_in_the_past() {
    let s = new_case(Modality::Simplified);
    let r = refused(&s, &officer_a(), schedule("ap", t(0), "A", "F"), t(1));
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("at")));
    let r = refused(&s, &officer_a(), schedule(" ", t(3), "A", "F"), t(1));
    assert_eq!(r.field, Some("appointment_id"));
    // Scheduling the same id again moves the appointment.
    let s = ok(&s, &officer_a(), schedule("ap", t(3), "A", "F"), t(1));
    let s = ok(&s, &officer_a(), schedule("ap", t(4), "A", "F"), t(1));
    assert_eq!(s.appointments.len(), 1);
    assert_eq!(s.next_appointment().map(|a| a.at), Some(t(4)));
}

#[test]
fn same_sex_interviewer_preference_needs_an_override_to_be_set_aside() {
    let mut s = new_case(Modality::Simplified);
    s.interviewer_sex_preference = Some("F".to_owned());
    assert!(interviewer_conflict(&s, Some("f")).is_none());
    assert_eq!(
        interviewer_conflict(&s, Some("M")).map(|c| c.requested),
        Some("F".to_owned())
    );
    assert!(interviewer_conflict(&s, None).is_some());

    let r = refused(&s, &officer_a(), schedule("ap", t(3), "B", "M"), t(1));
    assert_eq!(
        (r.kind, r.field),
        (RefusalKind::Invalid, Some("override_reason"))
    );
    let mut with_override = schedule("ap", t(3), "B", "M");
    if let Action::ScheduleInterview {
        override_reason, ..
    } = &mut with_override
    {
        *override_reason = Some("No female officer speaks Dari".to_owned());
    }
    let scheduled = ok(&s, &officer_a(), with_override, t(1));
    assert!(scheduled.appointments[0].override_reason.is_some());

    // An officer of the requested sex needs nothing more.
    let s2 = ok(&s, &officer_a(), schedule("ap", t(3), "A", "F"), t(1));
    ok(&s2, &officer_a(), interview(true), t(3));
    // Recording by an officer of another sex needs the reason, unless given at scheduling.
    let mut b_case = s2.clone();
    b_case.assigned_officer = Some("B".to_owned());
    let r = refused(&b_case, &officer_b(), interview(true), t(3));
    assert_eq!(r.field, Some("override_reason"));
    let mut b_sched = scheduled.clone();
    b_sched.assigned_officer = Some("B".to_owned());
    ok(&b_sched, &officer_b(), interview(true), t(3));
}

#[test]
fn no_assessment_without_an_interview_of_the_principal() {
    let s = new_case(Modality::Simplified);
    let s = ok(&s, &officer_a(), schedule("ap", t(3), "A", "F"), t(1));
    let r = refused(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(3),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    assert_eq!(
        r.message,
        "The principal applicant has not been interviewed yet; an assessment needs a recorded \
         interview."
    );
    // A session without the principal does not count.
    let s = ok(&s, &officer_a(), interview(false), t(3));
    assert_eq!(s.status, Status::Scheduled);
    let r = refused(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(3),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    let s = ok(&s, &officer_a(), interview(true), t(4));
    assert_eq!(s.status, Status::Interviewed);
    assert!(s.appointments.is_empty());
}

#[test]
fn recommendations_cover_everyone_once_with_reasons() {
    let s = interviewed();
    let cases: Vec<(Vec<IndividualOutcome>, &str)> = vec![
        (vec![rejected("p1")], "missing: m1"),
        (
            vec![rejected("p1"), rejected("m1"), rejected("x9")],
            "x9 is not among",
        ),
        (
            vec![rejected("p1"), rejected("p1"), rejected("m1")],
            "two recommendations",
        ),
        (
            vec![
                IndividualOutcome {
                    individual_id: "p1".to_owned(),
                    outcome: Outcome::Rejected { reasons: vec![] },
                },
                rejected("m1"),
            ],
            "at least one reason",
        ),
        (
            vec![
                IndividualOutcome {
                    individual_id: "p1".to_owned(),
                    outcome: Outcome::Excluded { clauses: vec![] },
                },
                rejected("m1"),
            ],
            "clause",
        ),
    ];
    for (recs, expected) in cases {
        let r = refused(&s, &officer_a(), assessment(recs), t(6));
        assert_eq!(
            (r.kind, r.field),
            (RefusalKind::Invalid, Some("recommendations"))
        );
        assert!(r.message.contains(expected), "{} / {expected}", r.message);
    }
    // Cartagena only where the unit applies it.
    let cartagena = vec![
        IndividualOutcome {
            individual_id: "p1".to_owned(),
            outcome: Outcome::Recognised {
                ground: Ground::Cartagena,
            },
        },
        rejected("m1"),
    ];
    let no_cartagena = UnitRules {
        cartagena: false,
        ..UnitRules::default()
    };
    let r = apply(
        &s,
        &officer_a(),
        &assessment(cartagena.clone()),
        &no_cartagena,
        t(6),
    );
    assert_eq!(r.err().map(|r| r.field), Some(Some("recommendations")));
    ok(&s, &officer_a(), assessment(cartagena), t(6));
    // The written assessment is required except in simplified cases.
    let short = Action::SubmitAssessment {
        recommendations: vec![rejected("p1"), rejected("m1")],
        assessment_ref: None,
    };
    let r = refused(&s, &officer_a(), short.clone(), t(6));
    assert_eq!(r.field, Some("assessment_ref"));
    let mut simplified = s.clone();
    simplified.modality = Modality::Simplified;
    ok(&simplified, &officer_a(), short, t(6));
}

#[test]
fn four_eyes_the_assessor_never_reviews() {
    let s = interviewed();
    let mut sup_case = s.clone();
    sup_case.assigned_officer = None;
    let assessed = ok(
        &sup_case,
        &sup_s(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(6),
    );
    let r = refused(&assessed, &sup_s(), approve(), t(7));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    assert_eq!(
        r.message,
        "You submitted this assessment; another supervisor must review it."
    );
    // Officers do not review.
    let mut mine = assessed.clone();
    mine.assigned_officer = Some("A".to_owned());
    let r = refused(&mine, &officer_a(), approve(), t(7));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    // Sent back without comments: refused; with them, back to interviewed.
    let r = refused(
        &assessed,
        &sup_t(),
        Action::ReviewAssessment {
            approve: false,
            comments: None,
        },
        t(7),
    );
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("comments")));
    let back = ok(
        &assessed,
        &sup_t(),
        Action::ReviewAssessment {
            approve: false,
            comments: Some("Credibility findings need sources".to_owned()),
        },
        t(7),
    );
    assert_eq!(back.status, Status::Interviewed);
    assert!(back.current().assessment.is_none());
    // T rewrites it; S wrote the earlier version, so S may not review the new one either.
    let again = ok(
        &back,
        &sup_t(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(8),
    );
    let r = refused(&again, &sup_s(), approve(), t(9));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let r = refused(&again, &sup_t(), approve(), t(9));
    assert_eq!(r.kind, RefusalKind::Forbidden);
}

#[test]
fn approval_decides_from_the_recommendation() {
    let s = interviewed();
    let s = ok(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), recognised("m1")]),
        t(6),
    );
    let tr = apply(&s, &sup_s(), &approve(), &rules(), t(7)).expect("approved");
    assert_eq!(tr.state.status, Status::Decided);
    assert_eq!(tr.event.kind, EventKind::Decided);
    assert_eq!(tr.state.first_instance.decided_by(), Some("S"));
    assert_eq!(
        tr.state.final_outcome("m1").map(Outcome::as_str),
        Some("recognised")
    );
    // Even if a corrupted record lost the interview, approval refuses.
    let mut broken = s.clone();
    broken.first_instance.interviews.clear();
    let r = refused(&broken, &sup_s(), approve(), t(7));
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("approve")));
}

#[test]
fn notifying_closes_when_nothing_can_follow() {
    let s = interviewed();
    let s = ok(
        &s,
        &officer_a(),
        assessment(vec![recognised("p1"), recognised("m1")]),
        t(6),
    );
    let s = ok(&s, &sup_s(), approve(), t(7));
    let s = ok(
        &s,
        &officer_a(),
        Action::NotifyDecision {
            notified_at: None,
            method: None,
        },
        t(8),
    );
    assert_eq!(s.status, Status::Closed);
    assert_eq!(s.closure.map(|c| c.reason), Some(ClosureReason::Recognised));

    let n = notified();
    assert_eq!(n.status, Status::Notified);
    assert_eq!(n.first_instance.notified_at, Some(t(10)));
}

#[test]
fn appeals_run_on_deadline_and_grace_period() {
    let n = notified();
    let d = deadlines(&n, &rules());
    assert_eq!(d.appeal_deadline, Some(t(40)));
    assert_eq!(d.appeal_grace_end, Some(t(82)));
    assert!(appeal_deadline_near(&n, &rules(), t(35)));
    assert!(!appeal_deadline_near(&n, &rules(), t(20)));
    assert!(!appeal_deadline_near(&n, &rules(), t(41)));

    let in_time = ok(
        &n,
        &officer_a(),
        Action::LodgeAppeal { lodged_at: t(40) },
        t(41),
    );
    assert!(!in_time.appeal_late);
    assert_eq!(
        (in_time.stage, in_time.status),
        (Stage::Appeal, Status::AppealLodged)
    );
    // The first-instance officer no longer holds the case.
    assert_eq!(in_time.assigned_officer, None);

    let tr = apply(
        &n,
        &officer_a(),
        &Action::LodgeAppeal { lodged_at: t(60) },
        &rules(),
        t(90),
    )
    .expect("late appeal within grace");
    assert!(tr.state.appeal_late);
    assert!(matches!(
        tr.event.data,
        crate::rsd::StepData::AppealLodged { late: true, .. }
    ));

    for (lodged, now) in [(t(83), t(90)), (t(9), t(20)), (t(30), t(25))] {
        let r = refused(
            &n,
            &officer_a(),
            Action::LodgeAppeal { lodged_at: lodged },
            now,
        );
        assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("lodged_at")));
    }
}

#[test]
fn nothing_to_appeal_when_everyone_was_recognised() {
    let mut n = notified();
    n.first_instance.decisions = vec![recognised("p1"), recognised("m1")];
    let r = refused(
        &n,
        &officer_a(),
        Action::LodgeAppeal { lodged_at: t(11) },
        t(11),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    assert!(r.message.contains("nothing to appeal"));
}

#[test]
fn appeal_is_handled_by_other_officers() {
    let s = notified();
    let s = ok(
        &s,
        &officer_a(),
        Action::LodgeAppeal { lodged_at: t(20) },
        t(20),
    );
    let r = refused(
        &s,
        &sup_t(),
        Action::Assign {
            officer_id: "A".to_owned(),
        },
        t(20),
    );
    assert_eq!(
        (r.kind, r.field),
        (RefusalKind::Invalid, Some("officer_id"))
    );
    let s = ok(
        &s,
        &sup_t(),
        Action::Assign {
            officer_id: "B".to_owned(),
        },
        t(20),
    );
    let r = refused(&s, &officer_b(), schedule("ap2", t(25), "A", "F"), t(21));
    assert_eq!(
        (r.kind, r.field),
        (RefusalKind::Invalid, Some("officer_id"))
    );
    let r = refused(&s, &sup_s(), schedule("ap2", t(25), "S", "F"), t(21));
    assert_eq!(r.field, Some("officer_id"));
    let s = ok(&s, &officer_b(), schedule("ap2", t(25), "B", "M"), t(21));
    // S reviewed at first instance: may not interview the appeal.
    let r = refused(&s, &sup_s(), interview(true), t(25));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let s = ok(&s, &officer_b(), interview(true), t(25));
    // The appeal decides only on those rejected at first instance.
    let r = refused(
        &s,
        &officer_b(),
        assessment(vec![recognised("p1"), recognised("m1")]),
        t(26),
    );
    assert!(r.message.contains("m1 is not among"));
    let r = refused(&s, &sup_s(), assessment(vec![recognised("p1")]), t(26));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let s = ok(&s, &officer_b(), assessment(vec![recognised("p1")]), t(26));
    let r = refused(&s, &sup_s(), approve(), t(27));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    assert!(r.message.contains("first-instance"));
    let s = ok(&s, &sup_t(), approve(), t(27));
    let s = ok(
        &s,
        &officer_b(),
        Action::NotifyDecision {
            notified_at: None,
            method: None,
        },
        t(28),
    );
    assert_eq!(s.status, Status::Closed);
    assert_eq!(
        s.closure.as_ref().map(|c| c.reason),
        Some(ClosureReason::AppealDecided)
    );
    assert_eq!(
        s.final_outcome("p1").map(Outcome::as_str),
        Some("recognised")
    );
    assert_eq!(
        s.final_outcome("m1").map(Outcome::as_str),
        Some("recognised")
    );
}

#[test]
fn abandonment_needs_a_missed_interview_time_without_contact_and_a_supervisor() {
    let s = appeal_lodged();
    let s = ok(&s, &officer_b(), schedule("ap2", t(25), "B", "M"), t(21));
    let r = refused(&s, &clerk(), Action::RecordNoShow, t(24));
    assert_eq!(r.kind, RefusalKind::Invalid);
    let s = ok(&s, &clerk(), Action::RecordNoShow, t(25));
    assert_eq!(s.no_show_at, Some(t(25)));
    assert_eq!(s.status, Status::Scheduled);
    assert_eq!(
        deadlines(&s, &rules()).abandonment_candidate_from,
        Some(t(67))
    );
    assert!(!is_abandonment_candidate(&s, &rules(), t(66)));
    assert!(is_abandonment_candidate(&s, &rules(), t(67)));
    let r = refused(&s, &sup_s(), Action::ConfirmAbandonment, t(66));
    assert_eq!(r.kind, RefusalKind::Invalid);
    let r = refused(&s, &officer_b(), Action::ConfirmAbandonment, t(67));
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let abandoned = ok(&s, &sup_s(), Action::ConfirmAbandonment, t(67));
    assert_eq!(abandoned.status, Status::Abandoned);

    // Contact after the missed interview stops the clock.
    let contacted = ok(
        &s,
        &clerk(),
        Action::RecordContact {
            channel: None,
            note: None,
        },
        t(30),
    );
    assert!(!is_abandonment_candidate(&contacted, &rules(), t(100)));
    // So does an appointment still to come.
    let invited = ok(&s, &officer_b(), schedule("ap3", t(80), "B", "M"), t(60));
    assert!(!is_abandonment_candidate(&invited, &rules(), t(70)));
}

#[test]
fn reopening_needs_a_ground_and_another_supervisor() {
    let s = appeal_lodged();
    let s = ok(&s, &officer_b(), schedule("ap2", t(25), "B", "M"), t(21));
    let s = ok(&s, &clerk(), Action::RecordNoShow, t(25));
    let abandoned = ok(&s, &sup_s(), Action::ConfirmAbandonment, t(70));

    let reopen = |ground, approver: &str, roles: Vec<Role>| Action::Reopen {
        ground,
        approver_id: approver.to_owned(),
        approver_roles: roles,
    };
    let active = appeal_lodged();
    let r = refused(
        &active,
        &sup_s(),
        reopen(ReopenGround::NewEvidence, "T", vec![Role::Supervisor]),
        t(30),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    let r = refused(
        &abandoned,
        &sup_s(),
        reopen(
            ReopenGround::AbandonmentReopened,
            "S",
            vec![Role::Supervisor],
        ),
        t(80),
    );
    assert_eq!(
        (r.kind, r.field),
        (RefusalKind::Forbidden, Some("approver_id"))
    );
    let r = refused(
        &abandoned,
        &officer_b(),
        reopen(
            ReopenGround::AbandonmentReopened,
            "A",
            vec![Role::EligibilityOfficer],
        ),
        t(80),
    );
    assert_eq!(
        (r.kind, r.field),
        (RefusalKind::Invalid, Some("approver_id"))
    );
    let r = refused(
        &abandoned,
        &clerk(),
        reopen(
            ReopenGround::AbandonmentReopened,
            "S",
            vec![Role::Supervisor],
        ),
        t(80),
    );
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let r = refused(
        &abandoned,
        &sup_s(),
        Action::RecordContact {
            channel: None,
            note: None,
        },
        t(80),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    assert!(r.message.contains("only be reopened"));

    // Abandonment reopened: back where it stopped.
    let resumed = ok(
        &abandoned,
        &officer_b(),
        reopen(
            ReopenGround::AbandonmentReopened,
            "S",
            vec![Role::Supervisor],
        ),
        t(80),
    );
    assert_eq!(
        (resumed.stage, resumed.status),
        (Stage::Appeal, Status::AppealLodged)
    );
    assert!(resumed.closure.is_none());
    assert!(resumed.reopenings[0].past_round.is_none());

    // A closed case cannot use the abandonment ground; new evidence starts over.
    let closed = ok(
        &notified(),
        &sup_s(),
        Action::Close {
            reason: ClosureReason::Duplicate,
        },
        t(11),
    );
    let r = refused(
        &closed,
        &sup_s(),
        reopen(
            ReopenGround::AbandonmentReopened,
            "T",
            vec![Role::Supervisor],
        ),
        t(100),
    );
    assert_eq!(r.field, Some("ground"));
    let fresh = ok(
        &closed,
        &sup_s(),
        reopen(ReopenGround::NewEvidence, "T", vec![Role::Supervisor]),
        t(100),
    );
    assert_eq!(
        (fresh.stage, fresh.status),
        (Stage::FirstInstance, Status::Registered)
    );
    assert!(fresh.first_instance.decisions.is_empty());
    assert!(fresh.admissibility.is_none());
    assert_eq!(fresh.procedure_started_at(), t(100));
    assert_eq!(deadlines(&fresh, &rules()).decision_due, Some(t(190)));
    let past = fresh.reopenings[0]
        .past_round
        .as_ref()
        .expect("past round kept");
    assert_eq!(past.first_instance.decisions.len(), 2);
}

#[test]
fn on_hold_only_resume_withdraw_or_assign() {
    let s = interviewed();
    let r = refused(
        &s,
        &officer_a(),
        Action::PutOnHold {
            reason: "".to_owned(),
        },
        t(6),
    );
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("reason")));
    let held = ok(
        &s,
        &officer_a(),
        Action::PutOnHold {
            reason: "Awaiting medical report".to_owned(),
        },
        t(6),
    );
    assert_eq!(held.status_before_hold, Some(Status::Interviewed));
    let mut allowed = allowed_actions(&held, &sup_s(), &rules(), t(7));
    allowed.sort();
    assert_eq!(
        allowed,
        vec![ActionKind::Withdraw, ActionKind::Assign, ActionKind::Resume]
    );
    let r = refused(
        &held,
        &officer_a(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(7),
    );
    assert_eq!(r.kind, RefusalKind::Invalid);
    assert!(r.message.contains("on hold"));
    let back = ok(&held, &officer_a(), Action::Resume, t(8));
    assert_eq!(back.status, Status::Interviewed);
    assert_eq!(back.status_before_hold, None);
    let r = refused(&back, &officer_a(), Action::Resume, t(8));
    assert_eq!(r.kind, RefusalKind::Invalid);
    let gone = ok(
        &held,
        &clerk(),
        Action::Withdraw {
            reason: "Left for Peru".to_owned(),
        },
        t(8),
    );
    assert_eq!(gone.status, Status::Withdrawn);
    let r = refused(
        &held,
        &clerk(),
        Action::Withdraw {
            reason: " ".to_owned(),
        },
        t(8),
    );
    assert_eq!(r.field, Some("reason"));
}

#[test]
fn closing_by_hand_uses_manual_reasons_after_the_appeal_window() {
    let n = notified();
    let r = refused(
        &n,
        &officer_a(),
        Action::Close {
            reason: ClosureReason::NoAppeal,
        },
        t(90),
    );
    assert_eq!(r.kind, RefusalKind::Forbidden);
    let r = refused(
        &n,
        &sup_s(),
        Action::Close {
            reason: ClosureReason::Recognised,
        },
        t(90),
    );
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("reason")));
    let r = refused(
        &n,
        &sup_s(),
        Action::Close {
            reason: ClosureReason::NoAppeal,
        },
        t(82),
    );
    assert_eq!((r.kind, r.field), (RefusalKind::Invalid, Some("reason")));
    let closed = ok(
        &n,
        &sup_s(),
        Action::Close {
            reason: ClosureReason::NoAppeal,
        },
        t(83),
    );
    assert_eq!(
        closed.closure.map(|c| c.reason),
        Some(ClosureReason::NoAppeal)
    );
    let r = refused(
        &interviewed(),
        &sup_s(),
        Action::Close {
            reason: ClosureReason::NoAppeal,
        },
        t(83),
    );
    assert_eq!(r.field, Some("reason"));
}

#[test]
fn decision_targets_follow_modality_and_priority() {
    let r = rules();
    for (m, days) in [
        (Modality::Regular, 90),
        (Modality::Simplified, 60),
        (Modality::Accelerated, 30),
        (Modality::Merged, 30),
    ] {
        let s = new_case(m);
        assert_eq!(deadlines(&s, &r).decision_due, Some(t(days)));
        assert!(!is_overdue(&s, &r, t(days)));
        assert!(is_overdue(&s, &r, t(days + 1)));
    }
    let mut urgent = new_case(Modality::Regular);
    urgent.priority = true;
    assert_eq!(decision_target_days(&urgent, &r), 30);
    // The clock stops at the decision.
    let n = notified();
    assert_eq!(deadlines(&n, &r).decision_due, None);
    assert!(!is_overdue(&n, &r, t(400)));
    // Absurd configuration saturates instead of overflowing.
    let huge = UnitRules {
        appeal_deadline_days: u32::MAX,
        appeal_grace_days: u32::MAX,
        ..UnitRules::default()
    };
    assert_eq!(
        deadlines(&n, &huge).appeal_grace_end,
        Some(NaiveDateTime::MAX)
    );
    assert!(!huge.problems().is_empty());
}

#[test]
fn queue_columns_follow_the_state() {
    let s = interviewed();
    let s = ok(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), rejected("m1")]),
        t(6),
    );
    let q = queue_columns(&s, &rules());
    assert_eq!(q.status, Status::Assessed);
    assert_eq!(q.assessor_awaiting_review.as_deref(), Some("A"));
    assert_eq!(q.decision_due, Some(t(90)));
    let n = notified();
    let q = queue_columns(&n, &rules());
    assert_eq!(q.assessor_awaiting_review, None);
    assert_eq!(q.appeal_deadline, Some(t(40)));
}

#[test]
fn events_survive_json() {
    let s = interviewed();
    let tr = apply(
        &s,
        &officer_a(),
        &assessment(vec![rejected("p1"), recognised("m1")]),
        &rules(),
        t(6),
    )
    .expect("assessment accepted");
    let json = serde_json::to_string(&tr.event).expect("serialise");
    let back: CaseEvent = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, tr.event);
    let stored: serde_json::Value = serde_json::from_str(&json).expect("stored json");
    assert_eq!(
        stored["data"]["recommendations"][0]["outcome"],
        serde_json::Value::from("rejected")
    );
    assert_eq!(stored["kind"], "assessment_submitted");
}

#[test]
fn state_survives_json() {
    let s = appeal_lodged();
    let json = serde_json::to_string(&s).expect("serialise");
    let back: CaseState = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, s);
    // Older stored states without the optional fields still load.
    let minimal = r#"{"status":"registered","stage":"first_instance","principal_id":"p1",
                      "opened_at":"2026-01-05T09:00:00"}"#;
    let loaded: CaseState = serde_json::from_str(minimal).expect("minimal state");
    assert_eq!(loaded.modality, Modality::Regular);
    assert_eq!(loaded.version, 0);
}

#[test]
fn the_action_table_follows_the_variants_and_names_each_action_once() {
    use std::collections::BTreeSet;
    for (i, row) in ACTIONS.iter().enumerate() {
        assert_eq!(row.kind as usize, i, "{row:?}");
        assert_eq!(ActionKind::ALL[i], row.kind);
        assert_eq!(row.kind.info(), row);
    }
    let distinct =
        |f: fn(&ActionInfo) -> String| ACTIONS.iter().map(f).collect::<BTreeSet<_>>().len();
    assert_eq!(distinct(|r| r.name.to_string()), ACTIONS.len());
    assert_eq!(distinct(|r| r.mutation.to_string()), ACTIONS.len());
    assert_eq!(distinct(|r| r.key.to_string()), ACTIONS.len());
    assert_eq!(distinct(|r| r.label_es.to_string()), ACTIONS.len());
    assert_eq!(distinct(|r| r.label_en.to_string()), ACTIONS.len());
    // The mutation is the stable name in lower camel case.
    for r in &ACTIONS {
        let camel: String = r
            .name
            .split('_')
            .enumerate()
            .map(|(i, w)| {
                let w = w.to_lowercase();
                if i == 0 {
                    w
                } else {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect())
                        .unwrap_or_default()
                }
            })
            .collect();
        assert_eq!(camel, r.mutation);
    }
}

fn held(at: Option<NaiveDateTime>) -> Action {
    Action::RecordInterview {
        principal_attended: true,
        held_at: at,
        notes_ref: Some("notes-1".to_owned()),
        interpreter_language: None,
        override_reason: None,
    }
}

fn scheduled_for(day: i64) -> CaseState {
    let s = new_case(Modality::Regular);
    let s = ok(
        &s,
        &officer_a(),
        Action::DecideAdmissibility {
            admissible: true,
            reason: None,
        },
        t(1),
    );
    ok(&s, &officer_a(), schedule("ap1", t(day), "A", "F"), t(1))
}

#[test]
fn an_interview_is_dated_when_it_was_held() {
    let s = scheduled_for(5);
    // Recorded two days late without a time: the appointment's.
    let late = ok(&s, &officer_a(), held(None), t(7));
    assert_eq!(late.first_instance.interviews[0].at, t(5));
    // Recorded with the hour it really started.
    let at = t(5) + chrono::TimeDelta::hours(2);
    let exact = ok(&s, &officer_a(), held(Some(at)), t(7));
    assert_eq!(exact.first_instance.interviews[0].at, at);

    let r = refused(&s, &officer_a(), held(Some(t(8))), t(7));
    assert_eq!(
        (r.field, r.reason),
        (Some("held_at"), Some(Reason::InFuture))
    );
    // Booked for the 10th, recorded as held on the 8th: refused.
    let r = refused(&s, &officer_a(), held(Some(t(3))), t(7));
    assert_eq!(r.field, Some("held_at"));
    assert_eq!(
        r.reason,
        Some(Reason::TooEarly {
            min: t(5).date().to_string()
        })
    );
}

#[test]
fn an_interview_held_ahead_of_its_appointment_is_dated_today() {
    let s = scheduled_for(9);
    let early = ok(&s, &officer_a(), held(None), t(4));
    assert_eq!(early.first_instance.interviews[0].at, t(4));
    let r = refused(&s, &officer_a(), held(Some(t(3))), t(4));
    assert_eq!(
        r.reason,
        Some(Reason::TooEarly {
            min: t(4).date().to_string()
        })
    );
}

#[test]
fn a_notification_keeps_its_date_and_method() {
    let s = interviewed();
    let s = ok(
        &s,
        &officer_a(),
        assessment(vec![rejected("p1"), recognised("m1")]),
        t(6),
    );
    let decided = ok(&s, &sup_s(), approve(), t(7));
    let notify = |at, method: &str| Action::NotifyDecision {
        notified_at: at,
        method: Some(method.to_owned()),
    };
    let tr = apply(
        &decided,
        &officer_a(),
        &notify(Some(t(8)), "email"),
        &rules(),
        t(12),
    )
    .expect("notified");
    assert_eq!(tr.state.first_instance.notified_at, Some(t(8)));
    // The appeal deadline runs from the day the applicant was told, not the day it was typed.
    assert_eq!(deadlines(&tr.state, &rules()).appeal_deadline, Some(t(38)));
    assert!(matches!(
        tr.event.data,
        StepData::Notified { notified_at: Some(at), method: Some(ref m), .. }
            if at == t(8) && m == "email"
    ));

    let r = refused(&decided, &officer_a(), notify(Some(t(13)), "email"), t(12));
    assert_eq!(
        (r.field, r.reason),
        (Some("notified_at"), Some(Reason::InFuture))
    );
    let r = refused(&decided, &officer_a(), notify(Some(t(6)), "email"), t(12));
    assert_eq!(r.field, Some("notified_at"));
    assert!(matches!(r.reason, Some(Reason::TooEarly { .. })));
    let r = refused(&decided, &officer_a(), notify(None, "pigeon"), t(12));
    assert_eq!(r.field, Some("method"));
    assert!(
        matches!(r.reason, Some(Reason::UnknownCode { ref vocabulary, .. }) if vocabulary == "notification_methods")
    );
}

#[test]
fn a_contact_keeps_its_channel_and_note() {
    let s = scheduled_for(5);
    let contact = |channel: &str, note: &str| Action::RecordContact {
        channel: Some(channel.to_owned()),
        note: Some(note.to_owned()),
    };
    let tr = apply(
        &s,
        &clerk(),
        &contact("phone", " Will come on Monday "),
        &rules(),
        t(2),
    )
    .expect("recorded");
    assert_eq!(tr.state.last_contact_at, Some(t(2)));
    assert_eq!(tr.event.why.as_deref(), Some("Will come on Monday"));
    assert_eq!(
        tr.event.data,
        StepData::ContactRecorded {
            channel: Some("phone".to_owned())
        }
    );
    let r = refused(&s, &clerk(), contact("smoke", ""), t(2));
    assert_eq!(r.field, Some("channel"));
    let r = refused(&s, &clerk(), contact("phone", &"x".repeat(1001)), t(2));
    assert_eq!(r.reason, Some(Reason::TooLong { max: 1000 }));
}

#[test]
fn events_stored_before_the_details_still_read() {
    let old = serde_json::json!({});
    assert_eq!(
        StepData::read(EventKind::ContactRecorded, old.clone()),
        Ok(StepData::ContactRecorded { channel: None })
    );
    let notified = serde_json::json!({ "closure_reason": null, "appeal_deadline": null, "appeal_grace_end": null });
    assert!(matches!(
        StepData::read(EventKind::Notified, notified),
        Ok(StepData::Notified {
            notified_at: None,
            method: None,
            ..
        })
    ));
    let interview = serde_json::json!({ "principal_attended": true, "interpreter_language": null, "interviewer_sex_override": false });
    assert!(matches!(
        StepData::read(EventKind::InterviewRecorded, interview),
        Ok(StepData::InterviewRecorded { held_at: None, .. })
    ));
}
