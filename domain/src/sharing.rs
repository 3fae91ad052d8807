//! Sharing between operation units: the data sharing agreement two units sign, the person's
//! consent, and what a referral under them may carry. Units are hard tenants; a referral is the
//! only bridge, and it carries exactly the fields the agreement names for its purpose, only
//! while the agreement is in force and the person's consent for that purpose stands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{NotCarried, Reason, Validity};

/// Why one unit refers a person to another (stable codes).
pub const PURPOSES: [&str; 4] = ["assistance", "resettlement", "asylum", "protection"];

/// The fields of a person a referral may carry (stable names). Sensitive groups (needs, claim,
/// ethnicity, religion) are never among them: a referral introduces a person, and the receiving
/// unit asks what it needs itself.
pub const FIELDS: [&str; 9] = [
    "individual_number",
    "given_names",
    "family_name",
    "second_family_name",
    "sex",
    "date_of_birth",
    "nationalities",
    "country_of_origin",
    "marital_status",
];

/// Longest note or reason, in characters.
pub const NOTE_MAX: usize = 2000;

/// One purpose of an agreement and the fields a referral for it may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    pub code: String,
    pub fields: Vec<String>,
}

/// What two units agreed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub purposes: Vec<Purpose>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// A problem with an agreement or a referral, with the field at fault and the coded reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
    pub reason: Reason,
}

impl Problem {
    fn new(field: &'static str, message: impl Into<String>, reason: Reason) -> Self {
        Self {
            field,
            message: message.into(),
            reason,
        }
    }
}

impl Terms {
    /// The terms cleaned (codes trimmed and lower-cased, fields in the order of [`FIELDS`]),
    /// or the first problem.
    pub fn checked(self) -> Result<Terms, Problem> {
        if self.valid_until < self.valid_from {
            return Err(Problem::new(
                "validUntil",
                "the agreement ends before it starts",
                Reason::BeforeOther {
                    other: "validFrom".into(),
                },
            ));
        }
        if self.purposes.is_empty() {
            return Err(Problem::new(
                "purposes",
                "an agreement names at least one purpose",
                Reason::TooFew { min: 1 },
            ));
        }
        let mut purposes: Vec<Purpose> = Vec::new();
        for p in self.purposes {
            let code = p.code.trim().to_lowercase();
            if !PURPOSES.contains(&code.as_str()) {
                return Err(Problem::new(
                    "purposes",
                    format!("{code:?} is not a referral purpose"),
                    Reason::UnknownCode {
                        vocabulary: "referral_purposes".into(),
                        value: code,
                    },
                ));
            }
            if purposes.iter().any(|q| q.code == code) {
                return Err(Problem::new(
                    "purposes",
                    format!("the purpose {code} is named twice"),
                    Reason::Unspecified,
                ));
            }
            let wanted: Vec<String> = p.fields.iter().map(|f| f.trim().to_lowercase()).collect();
            if let Some(bad) = wanted.iter().find(|f| !FIELDS.contains(&f.as_str())) {
                return Err(Problem::new(
                    "purposes",
                    format!("{bad:?} is not a field a referral may carry"),
                    Reason::UnknownCode {
                        vocabulary: "referral_fields".into(),
                        value: bad.clone(),
                    },
                ));
            }
            let fields: Vec<String> = FIELDS
                .iter()
                .filter(|f| wanted.iter().any(|w| w == *f))
                .map(|f| f.to_string())
                .collect();
            if fields.is_empty() {
                return Err(Problem::new(
                    "purposes",
                    format!("the purpose {code} carries no field"),
                    Reason::TooFew { min: 1 },
                ));
            }
            purposes.push(Purpose { code, fields });
        }
        Ok(Terms {
            purposes,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
        })
    }

    /// Whether the agreement is in force on `today` (both ends included).
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.valid_from <= today && today <= self.valid_until
    }

    /// The fields the agreement lets a referral for `purpose` carry.
    pub fn carries(&self, purpose: &str) -> Option<&[String]> {
        self.purposes
            .iter()
            .find(|p| p.code == purpose)
            .map(|p| p.fields.as_slice())
    }
}

/// A person's consent to be referred, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Who consented: the person, or a parent or guardian for a child.
    pub given_by: String,
    pub given_on: NaiveDate,
    /// The purposes consented to.
    pub purposes: Vec<String>,
    pub withdrawn_on: Option<NaiveDate>,
}

impl Consent {
    /// Whether the consent covers `purpose` on `today`.
    pub fn covers(&self, purpose: &str, today: NaiveDate) -> bool {
        self.withdrawn_on.is_none_or(|w| w > today)
            && self.given_on <= today
            && self.purposes.iter().any(|p| p == purpose)
    }
}

/// The fields a referral carries, in the order of [`FIELDS`], or why it may not go:
/// the agreement must be in force and name the purpose, the consent must stand for it, and
/// every field asked for must be one the purpose carries (an empty request asks for all).
pub fn check_referral(
    terms: &Terms,
    consent: Option<&Consent>,
    purpose: &str,
    fields: &[String],
    today: NaiveDate,
) -> Result<Vec<String>, Problem> {
    if !terms.in_force(today) {
        return Err(Problem::new(
            "agreementId",
            format!(
                "the agreement is in force from {} to {}",
                terms.valid_from, terms.valid_until
            ),
            Reason::AgreementNotInForce(Box::new(Validity {
                from: terms.valid_from.to_string(),
                until: terms.valid_until.to_string(),
            })),
        ));
    }
    let Some(carried) = terms.carries(purpose) else {
        return Err(Problem::new(
            "purpose",
            format!("the agreement does not cover referrals for {purpose}"),
            Reason::PurposeNotAgreed {
                purpose: purpose.to_string(),
            },
        ));
    };
    match consent {
        None => {
            return Err(Problem::new(
                "consent",
                "a referral needs the person's consent, recorded first",
                Reason::ConsentMissing,
            ));
        }
        Some(c) if c.withdrawn_on.is_some_and(|w| w <= today) => {
            return Err(Problem::new(
                "consent",
                "the person withdrew their consent; nothing more is shared",
                Reason::ConsentWithdrawn {
                    on: c.withdrawn_on.map(|w| w.to_string()).unwrap_or_default(),
                },
            ));
        }
        Some(c) if !c.covers(purpose, today) => {
            return Err(Problem::new(
                "consent",
                format!("the person's consent does not cover {purpose}"),
                Reason::ConsentMissing,
            ));
        }
        Some(_) => {}
    }
    if let Some(extra) = fields.iter().find(|f| !carried.contains(f)) {
        return Err(Problem::new(
            "fields",
            format!("the agreement does not let a referral for {purpose} carry {extra}"),
            Reason::FieldNotCarried(Box::new(NotCarried {
                field: extra.clone(),
                purpose: purpose.to_string(),
            })),
        ));
    }
    Ok(if fields.is_empty() {
        carried.to_vec()
    } else {
        carried
            .iter()
            .filter(|f| fields.contains(f))
            .cloned()
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).expect("date")
    }

    fn terms() -> Terms {
        Terms {
            purposes: vec![Purpose {
                code: " Assistance".into(),
                fields: vec!["sex".into(), "given_names".into(), "family_name".into()],
            }],
            valid_from: day(1),
            valid_until: day(20),
        }
        .checked()
        .expect("terms")
    }

    fn consent() -> Consent {
        Consent {
            given_by: "the person".into(),
            given_on: day(2),
            purposes: vec!["assistance".into()],
            withdrawn_on: None,
        }
    }

    #[test]
    fn terms_are_cleaned_and_checked() {
        let t = terms();
        assert_eq!(t.purposes[0].code, "assistance");
        assert_eq!(t.purposes[0].fields, ["given_names", "family_name", "sex"]);
        let mut bad = t.clone();
        bad.purposes[0].fields.push("religion".into());
        assert_eq!(bad.checked().unwrap_err().field, "purposes");
        let mut bad = t.clone();
        bad.valid_until = day(1) - chrono::TimeDelta::days(1);
        assert_eq!(bad.checked().unwrap_err().field, "validUntil");
        let mut bad = t;
        bad.purposes[0].code = "marketing".into();
        assert!(bad.checked().is_err());
    }

    #[test]
    fn a_referral_carries_what_the_purpose_carries() {
        let t = terms();
        let all = check_referral(&t, Some(&consent()), "assistance", &[], day(5)).expect("ok");
        assert_eq!(all, ["given_names", "family_name", "sex"]);
        let some = check_referral(&t, Some(&consent()), "assistance", &["sex".into()], day(5))
            .expect("ok");
        assert_eq!(some, ["sex"]);
        let extra = check_referral(
            &t,
            Some(&consent()),
            "assistance",
            &["date_of_birth".into()],
            day(5),
        );
        assert!(matches!(
            extra.unwrap_err().reason,
            Reason::FieldNotCarried(_)
        ));
    }

    #[test]
    fn validity_purpose_and_consent_are_required() {
        let t = terms();
        let c = consent();
        assert!(matches!(
            check_referral(&t, Some(&c), "assistance", &[], day(21))
                .unwrap_err()
                .reason,
            Reason::AgreementNotInForce(_)
        ));
        assert!(matches!(
            check_referral(&t, Some(&c), "resettlement", &[], day(5))
                .unwrap_err()
                .reason,
            Reason::PurposeNotAgreed { .. }
        ));
        assert_eq!(
            check_referral(&t, None, "assistance", &[], day(5))
                .unwrap_err()
                .reason,
            Reason::ConsentMissing
        );
        let mut w = c.clone();
        w.withdrawn_on = Some(day(4));
        assert!(matches!(
            check_referral(&t, Some(&w), "assistance", &[], day(5))
                .unwrap_err()
                .reason,
            Reason::ConsentWithdrawn { .. }
        ));
        let mut other = c;
        other.purposes = vec!["resettlement".into()];
        assert_eq!(
            check_referral(&t, Some(&other), "assistance", &[], day(5))
                .unwrap_err()
                .reason,
            Reason::ConsentMissing
        );
    }
}
