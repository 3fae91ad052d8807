use chrono::NaiveDate;

use super::*;
use crate::access::Role;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
}

fn who(id: &str, role: Role) -> Actor {
    Actor {
        user_id: id.into(),
        roles: vec![role],
        sex: None,
    }
}

fn new_case(from: Option<&str>) -> NewCase {
    NewCase {
        categories: vec!["lpn".into(), "AWR".into()],
        priority: Priority::Urgent,
        summary: "Threatened by the group that displaced them".into(),
        members: vec![
            Member {
                individual_id: "mother".into(),
                principal: true,
            },
            Member {
                individual_id: "son".into(),
                principal: false,
            },
        ],
        from_protection_case: from.map(str::to_string),
    }
}

#[test]
fn the_table_is_in_the_order_of_the_kinds() {
    for (i, k) in ActionKind::ALL.iter().enumerate() {
        assert_eq!(ACTIONS[i].kind, *k);
        assert_eq!(info(*k).kind, *k);
    }
}

#[test]
fn a_protection_officer_opens_only_as_a_hand_off() {
    let p = who("P", Role::ProtectionOfficer);
    assert_eq!(
        open(new_case(None), &p, day(1))
            .map(|_| ())
            .unwrap_err()
            .kind,
        RefusalKind::Forbidden
    );
    let s = open(new_case(Some("pc-1")), &p, day(1)).expect("hand-off");
    assert_eq!(s.categories, ["LPN", "AWR"]);
    assert_eq!(s.from_protection_case.as_deref(), Some("pc-1"));
    let clerk = who("C", Role::RegistrationClerk);
    assert!(open(new_case(Some("pc-1")), &clerk, day(1)).is_err());
}

#[test]
fn unknown_categories_and_empty_lists_are_refused() {
    let r = who("R", Role::ResettlementOfficer);
    let mut c = new_case(None);
    c.categories = vec!["XYZ".into()];
    assert_eq!(open(c, &r, day(1)).unwrap_err().field, Some("categories"));
    let mut c = new_case(None);
    c.categories.clear();
    assert_eq!(open(c, &r, day(1)).unwrap_err().field, Some("categories"));
}

#[test]
fn the_whole_path_with_four_eyes_and_deadlines() {
    let r = who("R", Role::ResettlementOfficer);
    let s2 = who("S", Role::Supervisor);
    let s = open(new_case(None), &r, day(1)).expect("open");
    assert_eq!(s.due_on(), Some(day(11)), "urgent: ten days to assess");
    assert_eq!(
        allowed_actions(&s, &r),
        [ActionKind::RecordAssessment, ActionKind::Exit]
    );
    let s = apply(
        &s,
        &r,
        Action::RecordAssessment {
            summary: "Meets LPN and AWR".into(),
        },
        day(2),
    )
    .expect("assess");
    assert!(!allowed_actions(&s, &r).contains(&ActionKind::ReviewAssessment));
    let own = apply(
        &s,
        &r,
        Action::ReviewAssessment {
            approve: true,
            note: None,
        },
        day(3),
    );
    assert_eq!(own.unwrap_err().kind, RefusalKind::Forbidden);
    let back = apply(
        &s,
        &s2,
        Action::ReviewAssessment {
            approve: false,
            note: None,
        },
        day(3),
    );
    assert_eq!(back.unwrap_err().field, Some("note"));
    let s = apply(
        &s,
        &s2,
        Action::ReviewAssessment {
            approve: true,
            note: None,
        },
        day(3),
    )
    .expect("approve");
    assert_eq!(s.status, Status::Approved);
    let future = apply(
        &s,
        &r,
        Action::Submit {
            state: "CAN".into(),
            submitted_on: day(9),
            dossier_reference: "ECU-26-001".into(),
        },
        day(4),
    );
    assert_eq!(future.unwrap_err().field, Some("submittedOn"));
    let s = apply(
        &s,
        &r,
        Action::Submit {
            state: "can".into(),
            submitted_on: day(4),
            dossier_reference: "ECU-26-001".into(),
        },
        day(4),
    )
    .expect("submit");
    assert_eq!(s.submission().map(|x| x.state.as_str()), Some("CAN"));
    let s = apply(
        &s,
        &r,
        Action::RecordInterview {
            interviewed_on: day(10),
        },
        day(12),
    )
    .expect("interview");
    let s = apply(
        &s,
        &r,
        Action::RecordDecision {
            decision: StateDecision::Rejected,
            decided_on: day(12),
        },
        day(12),
    )
    .expect("decision");
    assert_eq!(s.status, Status::Rejected);
    let again = apply(
        &s,
        &r,
        Action::Submit {
            state: "CAN".into(),
            submitted_on: day(13),
            dossier_reference: "ECU-26-002".into(),
        },
        day(13),
    );
    assert_eq!(again.unwrap_err().field, Some("state"));
    let s = apply(
        &s,
        &r,
        Action::Submit {
            state: "ESP".into(),
            submitted_on: day(13),
            dossier_reference: "ECU-26-002".into(),
        },
        day(13),
    )
    .expect("resubmit");
    let s = apply(
        &s,
        &r,
        Action::RecordDecision {
            decision: StateDecision::Accepted,
            decided_on: day(20),
        },
        day(20),
    )
    .expect("accepted");
    let s = apply(
        &s,
        &r,
        Action::RecordDeparture {
            departed_on: day(25),
        },
        day(25),
    )
    .expect("departed");
    assert_eq!(s.status, Status::Departed);
    assert!(s.due_on().is_none());
    assert!(allowed_actions(&s, &r).is_empty());
}

#[test]
fn exit_says_why_and_ends_the_case() {
    let r = who("R", Role::ResettlementOfficer);
    let s = open(new_case(None), &r, day(1)).expect("open");
    let s = apply(
        &s,
        &r,
        Action::Exit {
            reason: ExitReason::OtherDurableSolution,
            note: Some("Local integration".into()),
        },
        day(2),
    )
    .expect("exit");
    assert_eq!(s.status, Status::Exited);
    assert_eq!(s.exit_reason, Some(ExitReason::OtherDurableSolution));
    assert!(allowed_actions(&s, &r).is_empty());
}

#[test]
fn sensitive_categories_name_their_field_groups() {
    let r = who("R", Role::ResettlementOfficer);
    let mut c = new_case(None);
    c.categories = vec!["SVT".into(), "MED".into(), "SVT".into()];
    let s = open(c, &r, day(1)).expect("open");
    assert_eq!(s.categories, ["SVT", "MED"]);
    assert_eq!(
        s.field_groups(),
        [
            crate::access::FieldGroup::Torture,
            crate::access::FieldGroup::Medical
        ]
    );
}
