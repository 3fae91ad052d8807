use chrono::NaiveDate;

use super::disclosure::{Crossing, Dimension, Release, Rule, Treatment, audit, protect, round};
use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn age_brackets_move_with_the_date_asked() {
    let born = "2020-06";
    assert_eq!(AgeBracket::at(born, day(2025, 5, 31)), AgeBracket::From0To4);
    assert_eq!(AgeBracket::at(born, day(2025, 6, 1)), AgeBracket::From5To11);
    assert_eq!(
        AgeBracket::at("2008-01", day(2026, 1, 1)),
        AgeBracket::From18To59
    );
    assert_eq!(
        AgeBracket::at("2008-02", day(2026, 1, 31)),
        AgeBracket::From12To17
    );
    assert_eq!(
        AgeBracket::at("1960-12", day(2026, 12, 1)),
        AgeBracket::From60
    );
    assert_eq!(AgeBracket::at("", day(2026, 12, 1)), AgeBracket::Unknown);
}

#[test]
fn a_person_counts_once_and_once_more_per_need_category() {
    let p = PersonFacts {
        office_id: "o".into(),
        nationalities: vec!["VEN".into(), "COL".into()],
        sex: Some("F".into()),
        date_of_birth: Some(day(1990, 3, 14)),
        registration_date: day(2026, 11, 2),
        registered_by: "u".into(),
        group_size: 9,
        open_need_categories: vec!["SV-VA".into(), "SV-VF".into(), "WR".into()],
    };
    let cells = p.cells();
    assert_eq!(cells.len(), 3);
    assert_eq!(cells[0].need, "");
    assert_eq!(cells[0].nationality, "VEN");
    assert_eq!(cells[0].birth_month, "1990-03");
    assert_eq!(cells[0].group_size, GROUP_SIZE_CAP);
    assert_eq!(cells[1].need, "SV");
    assert_eq!(cells[2].need, "WR");
    assert_eq!(group_size_label(6), "6+");
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let h = [(10, 1), (20, 1), (30, 1), (40, 1), (50, 6)];
    assert_eq!(percentile(&h, 0.5), Some(50));
    assert_eq!(percentile(&[(3, 2), (9, 2)], 0.5), Some(3));
    assert_eq!(percentile(&[(3, 2), (9, 2)], 0.9), Some(9));
    assert_eq!(percentile(&[], 0.5), None);
}

fn dims() -> Vec<Dimension> {
    let d = |name: &str, v: &[&str]| Dimension {
        name: name.into(),
        values: v.iter().map(|s| s.to_string()).collect(),
    };
    vec![
        d("sex", &["F", "M"]),
        d("age", &["0-4", "5-17", "18+"]),
        d("nationality", &["VEN", "COL", "CUB"]),
    ]
}

/// Two linked tables (sex by age, nationality by sex) with small cells and shared margins.
fn crafted() -> Release {
    let sex_age = vec![vec![2, 30, 41], vec![1, 27, 38]];
    let nat_sex = vec![vec![60, 55], vec![12, 9], vec![1, 2]];
    let sum_rows = |t: &Vec<Vec<u64>>| t.iter().map(|r| r.iter().sum()).collect::<Vec<u64>>();
    let sum_cols = |t: &Vec<Vec<u64>>| {
        (0..t[0].len())
            .map(|j| t.iter().map(|r| r[j]).sum())
            .collect::<Vec<u64>>()
    };
    Release {
        total: 139,
        dimensions: dims(),
        margins: vec![sum_rows(&sex_age), sum_cols(&sex_age), sum_rows(&nat_sex)],
        crossings: vec![
            Crossing {
                name: "sex_by_age".into(),
                rows: 0,
                columns: 1,
                counts: sex_age,
            },
            Crossing {
                name: "nationality_by_sex".into(),
                rows: 2,
                columns: 0,
                counts: nat_sex,
            },
        ],
    }
}

#[test]
fn rounding_goes_to_the_nearest_multiple() {
    assert_eq!(round(12, 5), 10);
    assert_eq!(round(13, 5), 15);
    assert_eq!(round(7, 1), 7);
}

#[test]
fn primary_suppression_alone_lets_a_small_cell_be_narrowed() {
    let release = crafted();
    let layout = release.layout().unwrap();
    let exact = Rule {
        threshold: 5,
        rounding: 1,
    };
    let published: Vec<Option<u64>> = layout
        .values
        .iter()
        .map(|&v| (v == 0 || v >= 5).then_some(v))
        .collect();
    let intervals = audit(&layout, &published, exact).unwrap();
    assert!(
        intervals.iter().any(|i| i.width() < 5.0),
        "the audit should find a cell recomputable from its row and column: {intervals:?}"
    );
}

#[test]
fn every_withheld_small_cell_of_linked_tables_stays_wide_enough() {
    for rule in [
        Rule::default(),
        Rule {
            threshold: 5,
            rounding: 1,
        },
        Rule {
            threshold: 10,
            rounding: 1,
        },
    ] {
        let p = protect(&crafted(), rule).unwrap();
        let (primary, secondary) = p.suppressed();
        assert!(primary > 0);
        if rule.rounding == 1 {
            assert!(secondary > 0, "exact figures need secondary suppression");
        }
        let intervals = audit(&p.layout, &p.published, rule).unwrap();
        for iv in intervals {
            if p.treatment[iv.cell] == Treatment::Primary {
                assert!(
                    iv.width() + 1e-6 >= rule.threshold as f64,
                    "{:?} narrowed to {iv:?} under {rule:?}",
                    p.layout.cells[iv.cell]
                );
            }
        }
        for (i, v) in p.published.iter().enumerate() {
            if let Some(v) = v {
                assert_eq!(v % rule.rounding, 0);
                assert!(p.layout.values[i] == 0 || p.layout.values[i] >= rule.threshold);
            }
        }
    }
}

#[test]
fn tables_that_do_not_add_up_are_refused() {
    let mut r = crafted();
    r.total += 1;
    assert!(r.layout().is_err());
}

#[test]
fn totals_drop_the_worker_and_the_month_of_a_value() {
    let fact = |measure: Measure, value: i64, actor: &str| Fact {
        office_id: "o".into(),
        measure,
        month: "2026-03".into(),
        modality: "regular".into(),
        value,
        actor: actor.into(),
    };
    let step = fact(Measure::Interview, 0, "u1").total();
    assert_eq!((step.month.as_str(), step.actor.as_str()), ("2026-03", ""));
    let days = fact(Measure::DecisionDays, 41, "").total();
    assert_eq!((days.month.as_str(), days.value), ("", 41));
    assert_eq!(fact(Measure::Open, 20000, "").total().month, "");
}
