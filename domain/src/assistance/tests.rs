//! Examples of the eligibility rules and the programme's checks.

use chrono::NaiveDate;

use super::rules::{self, Household, HouseholdMember, HouseholdNeed, Rule};
use super::*;
use crate::access::FieldGroup;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn member(born: &str, nat: &str) -> HouseholdMember {
    HouseholdMember {
        date_of_birth: Some(day(born)),
        nationalities: vec![nat.to_string()],
        needs: Vec::new(),
    }
}

/// A household of 6: two adults, a child of 3, three older children; the mother has a chronic
/// illness.
fn family_of_six() -> Household {
    let mut mother = member("1990-05-01", "VEN");
    mother.needs.push(HouseholdNeed {
        code: "SM".into(),
        sub_code: Some("SM-CI".into()),
        identified_on: day("2026-10-02"),
        resolved: false,
    });
    Household {
        members: vec![
            mother,
            member("1987-01-01", "VEN"),
            member("2023-06-01", "ECU"),
            member("2014-01-01", "VEN"),
            member("2016-01-01", "VEN"),
            member("2018-01-01", "VEN"),
        ],
        registered_on: day("2026-09-30"),
    }
}

const TODAY: &str = "2026-12-09";

const CHILD_AND_MEDICAL: &str = r#"{"all": [{"household_size": {"min": 5}}, {"member_age": {"max": 4}}, {"need": {"codes": ["SM"]}}]}"#;

#[test]
fn the_issue_example_is_explained_in_both_languages() {
    let rule = rules::parse(CHILD_AND_MEDICAL).expect("rule");
    let a = rule.evaluate(&family_of_six(), day(TODAY));
    assert!(a.eligible);
    assert_eq!(
        a.explanation_en,
        "eligible: household of 6 with a child under 5 and a serious medical condition"
    );
    assert_eq!(
        a.explanation_es,
        "elegible: hogar de 6 personas con un niño o niña menor de 5 años y condición médica grave"
    );
    assert_eq!(a.criteria_met, ["household_size", "member_age", "need:SM"]);
    assert_eq!(rule.field_groups(), [FieldGroup::Medical]);
}

#[test]
fn a_rule_reads_as_words() {
    let rule = rules::parse(CHILD_AND_MEDICAL).expect("rule");
    assert_eq!(
        rule.describe(crate::codes::Lang::En),
        "household of at least 5 with a child under 5 and a serious medical condition"
    );
    assert_eq!(
        rule.describe(crate::codes::Lang::Es),
        "hogar de al menos 5 personas con un niño o niña menor de 5 años y condición médica grave"
    );
}

#[test]
fn a_household_that_fails_is_told_why() {
    let rule = rules::parse(CHILD_AND_MEDICAL).expect("rule");
    let mut h = family_of_six();
    h.members.truncate(2);
    h.members[0].needs[0].resolved = true;
    let a = rule.evaluate(&h, day(TODAY));
    assert!(!a.eligible);
    assert!(a.criteria_met.is_empty());
    assert_eq!(
        a.explanation_en,
        "not eligible: household of 2 (needs at least 5) with no child under 5 and no serious medical condition"
    );
    assert!(
        a.explanation_es
            .starts_with("no elegible: hogar de 2 personas (se requiere al menos 5)")
    );
}

#[test]
fn any_takes_the_first_branch_that_holds_and_sub_codes_count() {
    let rule = rules::parse(
        r#"{"any": [{"nationality": ["COL"]}, {"need": {"codes": ["SM-CI"], "since": "2026-10-01"}}, {"member_age": {"min": 60}}]}"#,
    )
    .expect("rule");
    let a = rule.evaluate(&family_of_six(), day(TODAY));
    assert!(a.eligible, "{a:?}");
    assert_eq!(a.criteria_met, ["need:SM-CI"]);
    assert_eq!(a.explanation_en, "eligible: a chronic illness");
    let late = rules::parse(r#"{"need": {"codes": ["SM"], "since": "2026-11-01"}}"#).expect("rule");
    let a = late.evaluate(&family_of_six(), day(TODAY));
    assert!(!a.eligible);
    assert_eq!(
        a.explanation_en,
        "not eligible: no serious medical condition identified on or after 2026-11-01"
    );
}

#[test]
fn registration_dates_and_nationalities() {
    let rule = rules::parse(
        r#"{"all": [{"registered": {"since": "2026-01-01"}}, {"nationality": ["ECU", "VEN"]}]}"#,
    )
    .expect("rule");
    let a = rule.evaluate(&family_of_six(), day(TODAY));
    assert!(a.eligible);
    assert_eq!(
        a.explanation_es,
        "elegible: registrado el 2026-09-30, un miembro de nacionalidad ECU, VEN"
    );
}

#[test]
fn bad_rules_are_refused_with_where_and_why() {
    let cases = [
        ("{}", ""),
        (r#"{"all": []}"#, "all"),
        (
            r#"{"all": [{"member_age": {"min": 10, "max": 5}}]}"#,
            "all.0.member_age",
        ),
        (
            r#"{"any": [{"need": {"codes": ["XX"]}}]}"#,
            "any.0.need.codes.0",
        ),
        (r#"{"nationality": ["Venezuela"]}"#, "nationality.0"),
        (r#"{"household_size": {}}"#, "household_size"),
        (r#"{"household_size": {"min": 0}}"#, "household_size"),
        (
            r#"{"registered": {"since": "2026-02-01", "until": "2026-01-01"}}"#,
            "registered",
        ),
        (
            r#"{"all": [{"all": [{"all": [{"all": [{"all": [{"all": [{"household_size": {"min": 1}}]}]}]}]}]}]}"#,
            "all.0.all.0.all.0.all.0.all.0.all",
        ),
        (r#"{"household_size": {"min": 1}, "extra": 1}"#, ""),
        ("not json", ""),
    ];
    for (text, path) in cases {
        let e = rules::parse(text).expect_err(text);
        assert_eq!(e.path, path, "{text}: {e}");
        assert!(!e.message.is_empty());
        assert_eq!(e.message, e.fault.english(), "{text}");
    }
}

#[test]
fn a_programme_is_checked_field_by_field() {
    let ok = ProgrammeInput {
        name: "Cash for families".into(),
        kind: ProgrammeKind::Cash,
        amount: 120.0,
        unit: "USD".into(),
        cycles: 3,
        eligibility: CHILD_AND_MEDICAL.into(),
    };
    assert!(ok.check().is_ok());
    let bad = [
        (
            ProgrammeInput {
                name: " ".into(),
                ..ok.clone()
            },
            "name",
        ),
        (
            ProgrammeInput {
                amount: 0.0,
                ..ok.clone()
            },
            "amount",
        ),
        (
            ProgrammeInput {
                amount: f64::NAN,
                ..ok.clone()
            },
            "amount",
        ),
        (
            ProgrammeInput {
                cycles: 0,
                ..ok.clone()
            },
            "cycles",
        ),
        (
            ProgrammeInput {
                unit: "".into(),
                ..ok.clone()
            },
            "unit",
        ),
        (
            ProgrammeInput {
                eligibility: r#"{"all": [{"need": {"codes": []}}]}"#.into(),
                ..ok.clone()
            },
            "eligibility.all.0.need",
        ),
    ];
    for (p, field) in bad {
        assert_eq!(p.check().expect_err(field).field, field);
    }
}

#[test]
fn documents_match_as_search_keys() {
    assert!(document_matches("v18555321", ["V-18.555.321"]));
    assert!(document_matches(" 18 555 321 ", ["P1", "V-18.555.321"]));
    assert!(!document_matches("18555322", ["V-18.555.321"]));
    assert!(!document_matches("", ["V-18.555.321"]));
    assert!(!document_matches("-", [""]));
}

#[test]
fn ages_count_whole_years() {
    assert_eq!(rules::age_on(day("2021-12-10"), day(TODAY)), 4);
    assert_eq!(rules::age_on(day("2021-12-09"), day(TODAY)), 5);
    assert_eq!(rules::age_on(day("2027-01-01"), day(TODAY)), 0);
    let _ = Rule::All(vec![]);
}
