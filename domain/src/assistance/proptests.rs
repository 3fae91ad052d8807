//! Property tests of the eligibility rules: `all` and `any` mean and and or, every rule that
//! passes its check survives storage, no text panics the parser, and every household gets an
//! explanation in both languages that agrees with the verdict.

use chrono::{NaiveDate, TimeDelta};
use proptest::collection::vec;
use proptest::prelude::*;

use super::rules::{self, Bounds, Household, HouseholdMember, HouseholdNeed, NeedCondition, Rule};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 9).expect("date")
}

fn bounds(max: u32) -> impl Strategy<Value = Bounds<u32>> {
    (proptest::option::of(1..=max), proptest::option::of(1..=max))
        .prop_filter("one end", |(a, b)| a.is_some() || b.is_some())
        .prop_map(|(a, b)| match (a, b) {
            (Some(a), Some(b)) if a > b => Bounds {
                min: Some(b),
                max: Some(a),
            },
            (a, b) => Bounds { min: a, max: b },
        })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..2000).prop_map(|d| today() - TimeDelta::days(d))
}

fn condition() -> impl Strategy<Value = Rule> {
    prop_oneof![
        bounds(12).prop_map(Rule::HouseholdSize),
        bounds(90).prop_map(Rule::MemberAge),
        vec(
            prop_oneof![Just("VEN"), Just("COL"), Just("ECU"), Just("XXA")],
            1..3
        )
        .prop_map(|v| Rule::Nationality(v.into_iter().map(String::from).collect())),
        (
            vec(
                prop_oneof![
                    Just("SM"),
                    Just("DS"),
                    Just("WR"),
                    Just("SM-CI"),
                    Just("CR-LW")
                ],
                1..3
            ),
            proptest::option::of(date()),
        )
            .prop_map(|(c, since)| Rule::Need(NeedCondition {
                codes: c.into_iter().map(String::from).collect(),
                since,
                until: None,
            })),
        (date(), date()).prop_map(|(a, b)| Rule::Registered(Bounds {
            min: Some(a.min(b)),
            max: Some(a.max(b)),
        })),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    condition().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 1..4).prop_map(Rule::All),
            vec(inner, 1..4).prop_map(Rule::Any),
        ]
    })
}

fn household() -> impl Strategy<Value = Household> {
    let need = (
        prop_oneof![Just("SM"), Just("DS"), Just("WR"), Just("CR")],
        date(),
        any::<bool>(),
    )
        .prop_map(|(c, on, resolved)| HouseholdNeed {
            code: c.to_string(),
            sub_code: (c == "SM").then(|| "SM-CI".to_string()),
            identified_on: on,
            resolved,
        });
    let member = (
        proptest::option::of(0i64..(90 * 365)),
        vec(prop_oneof![Just("VEN"), Just("COL"), Just("ECU")], 0..2),
        vec(need, 0..3),
    )
        .prop_map(|(age, nats, needs)| HouseholdMember {
            date_of_birth: age.map(|d| today() - TimeDelta::days(d)),
            nationalities: nats.into_iter().map(String::from).collect(),
            needs,
        });
    (vec(member, 1..9), date()).prop_map(|(members, registered_on)| Household {
        members,
        registered_on,
    })
}

proptest! {
    #[test]
    fn generated_rules_pass_their_check_and_survive_storage(r in rule()) {
        prop_assert!(r.check().is_ok(), "{:?}", r.check());
        prop_assert_eq!(rules::parse(&r.to_json()).expect("stored rule reads back"), r);
    }

    #[test]
    fn all_is_and_and_any_is_or(rs in vec(rule(), 1..4), h in household()) {
        let each: Vec<bool> = rs.iter().map(|r| r.evaluate(&h, today()).eligible).collect();
        prop_assert_eq!(Rule::All(rs.clone()).evaluate(&h, today()).eligible, each.iter().all(|b| *b));
        prop_assert_eq!(Rule::Any(rs).evaluate(&h, today()).eligible, each.iter().any(|b| *b));
    }

    #[test]
    fn the_explanation_agrees_with_the_verdict(r in rule(), h in household()) {
        let a = r.evaluate(&h, today());
        prop_assert_eq!(a.explanation_en.starts_with("eligible: "), a.eligible);
        prop_assert_eq!(a.explanation_es.starts_with("elegible: "), a.eligible);
        prop_assert!(a.explanation_en.len() > "eligible: ".len());
        prop_assert!(a.explanation_es.len() > "elegible: ".len());
        prop_assert!(!a.eligible || !a.criteria_met.is_empty());
    }

    #[test]
    fn a_rule_never_gets_looser_when_a_condition_is_added(r in rule(), c in condition(), h in household()) {
        let plain = r.evaluate(&h, today()).eligible;
        let narrower = Rule::All(vec![r, c]).evaluate(&h, today()).eligible;
        prop_assert!(!narrower || plain);
    }

    #[test]
    fn no_text_panics_the_parser(s in ".{0,200}") {
        let _ = rules::parse(&s);
    }

    #[test]
    fn mangled_rules_are_refused_or_checked(r in rule(), cut in 0usize..400) {
        let text = r.to_json();
        let cut = cut.min(text.len());
        if let Ok(parsed) = rules::parse(&text[..cut]) {
            prop_assert!(parsed.check().is_ok());
        }
    }
}
