//! Online pre-registration: what a person who seeks asylum sends from a phone before coming to an
//! office, the rules it must meet, and the reference and secret they come back with.
//!
//! The form asks what the first contact needs and no more. Its members become an ordinary
//! [`GroupInput`] and are validated by the registration's own rules, so a date or a code the
//! registration would refuse is refused here too, in the same field names (`members.0.sex`).
//! Urgent needs are asked in plain words ([`URGENT_NEEDS`]) and mapped to specific-need codes, so
//! the registrar who converts a pre-registration sees them as needs to confirm.
//!
//! A pre-registration is found again by a reference (short, read aloud over a phone: Crockford's
//! base32, no I, L, O or U, grouped in fives) and proved by a secret of 80 random bits. Both are
//! derived from the form's one-time token, so a double tap on "send" finds the same record and
//! shows the same secret, while the server keeps only the secret's hash.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codes;
use crate::error::{Error, Reason, Result};
use crate::registration::{
    FOCAL_POINT, GroupInput, LanguageInput, MAX_TEXT, MemberInput, NeedInput, PersonInput,
    PhoneInput,
};

/// Most people one pre-registration may bring (the applicant included): a family, not a bus.
pub const MAX_MEMBERS: usize = 15;
/// Most languages one pre-registration may name.
pub const MAX_LANGUAGES: usize = 5;
/// Oldest age accepted, in years.
pub const MAX_AGE: u32 = 120;
/// Longest contact, province or canton text, in characters.
pub const MAX_PLACE: usize = 100;
/// Characters of a reference (without its dash).
pub const REFERENCE_LEN: usize = 10;
/// Characters of a secret (without its dashes).
pub const SECRET_LEN: usize = 16;
/// Characters of a form token.
pub const TOKEN_LEN: usize = 26;

/// Crockford's base32 alphabet: digits and letters without I, L, O and U, so a value read aloud
/// or copied by hand is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Where a pre-registration stands, as the applicant's status page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Sent; nobody has acted on it yet.
    Received,
    /// The applicant booked an appointment at the registration desk.
    AppointmentGiven,
    /// A registrar registered the family from it.
    Registered,
    /// A registrar set it aside, with a reason.
    Dismissed,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::Received,
        Stage::AppointmentGiven,
        Stage::Registered,
        Stage::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::AppointmentGiven => "appointment_given",
            Stage::Registered => "registered",
            Stage::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the applicant may still book or move an appointment.
    pub fn bookable(self) -> bool {
        matches!(self, Stage::Received | Stage::AppointmentGiven)
    }
}

/// An urgent need as the form asks it, and the specific need a registrar confirms from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrgentNeed {
    /// The form's value.
    pub key: &'static str,
    pub code: &'static str,
    pub sub_code: &'static str,
    /// How far up the triage queue it puts the family (higher first).
    pub weight: u32,
    pub es: &'static str,
    pub en: &'static str,
}

const fn need(
    key: &'static str,
    code: &'static str,
    sub_code: &'static str,
    weight: u32,
    es: &'static str,
    en: &'static str,
) -> UrgentNeed {
    UrgentNeed {
        key,
        code,
        sub_code,
        weight,
        es,
        en,
    }
}

/// The urgent needs the form offers, in plain words. Deliberately few and none that asks a person
/// to disclose violence on a public form: those are asked in person.
pub const URGENT_NEEDS: [UrgentNeed; 8] = [
    need(
        "critical_medical",
        "SM",
        "SM-CC",
        5,
        "Alguien está muy enfermo o herido ahora",
        "Someone is very ill or injured now",
    ),
    need(
        "unaccompanied_child",
        "SC",
        "SC-UC",
        5,
        "Un niño o niña viaja sin sus padres ni otro adulto a cargo",
        "A child is travelling without parents or another adult in charge",
    ),
    need(
        "risk_of_return",
        "LP",
        "LP-RR",
        4,
        "Corremos el riesgo de ser devueltos a nuestro país",
        "We are at risk of being sent back to our country",
    ),
    need(
        "difficult_pregnancy",
        "SM",
        "SM-DP",
        4,
        "Embarazo con complicaciones",
        "A pregnancy with complications",
    ),
    need(
        "chronic_illness",
        "SM",
        "SM-CI",
        3,
        "Enfermedad que necesita tratamiento continuo",
        "An illness that needs continuous treatment",
    ),
    need(
        "disability",
        "DS",
        "DS-PS",
        2,
        "Una persona con discapacidad",
        "A person with a disability",
    ),
    need(
        "older_alone",
        "ER",
        "ER-NF",
        2,
        "Una persona mayor sola",
        "An older person on their own",
    ),
    need(
        "no_shelter",
        "LP",
        "LP-BN",
        3,
        "No tenemos dónde dormir ni qué comer",
        "We have nowhere to sleep or nothing to eat",
    ),
];

/// The urgent need of a form value.
pub fn urgent_need(key: &str) -> Option<&'static UrgentNeed> {
    URGENT_NEEDS.iter().find(|n| n.key == key)
}

/// One person of the form. Dates and ages arrive as typed, so that an impossible one is refused
/// in the field where it was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub given_names: String,
    pub family_name: String,
    /// The name in its own script (Arabic, Cyrillic, ...), if the Latin one is a transliteration.
    pub original_script_name: String,
    pub sex: String,
    /// `YYYY-MM-DD`, or empty when the age is given instead.
    pub date_of_birth: String,
    /// Years, when the date of birth is not known.
    pub age: String,
    pub nationality: String,
    /// Empty for the applicant (the first member), who is the focal point.
    pub relationship: String,
}

/// The whole form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PreRegistrationForm {
    pub members: Vec<MemberForm>,
    pub phone: String,
    pub email: String,
    pub province: String,
    pub canton: String,
    /// ISO 639-3 codes; the first is the mother tongue.
    pub languages: Vec<String>,
    pub needs_interpreter: bool,
    /// Keys of [`URGENT_NEEDS`].
    pub urgent: Vec<String>,
    pub consent: bool,
}

fn invalid(field: impl Into<String>, reason: Reason, message: &str) -> Error {
    Error::invalid(field.into(), reason, message.to_string())
}

fn place(field: &str, value: &str, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(invalid(field, Reason::Required, "this is required"));
    }
    if value.chars().count() > MAX_PLACE {
        return Err(invalid(
            field,
            Reason::TooLong { max: MAX_PLACE },
            "is too long",
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(
            field,
            Reason::ControlCharacters,
            "must not contain control characters",
        ));
    }
    Ok(())
}

fn trimmed(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl MemberForm {
    /// The date of birth and its precision, from the date or else the age.
    fn birth(&self, field: &str, today: NaiveDate) -> Result<(Option<NaiveDate>, Option<String>)> {
        if let Some(d) = trimmed(&self.date_of_birth) {
            let date = NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                invalid(
                    format!("{field}.dateOfBirth"),
                    Reason::BadFormat {
                        format: "date".into(),
                    },
                    "is not a date (day, month and year)",
                )
            })?;
            return Ok((Some(date), Some("exact".into())));
        }
        let Some(a) = trimmed(&self.age) else {
            return Ok((None, None));
        };
        let years: u32 = a.parse().map_err(|_| {
            invalid(
                format!("{field}.age"),
                Reason::BadFormat {
                    format: "age".into(),
                },
                "is not a number of years",
            )
        })?;
        if years > MAX_AGE {
            return Err(invalid(
                format!("{field}.age"),
                Reason::TooMany {
                    max: MAX_AGE as usize,
                },
                "is not a possible age",
            ));
        }
        // Years are counted back from today; the 1st of July keeps the estimate mid-year.
        let year = today.year() - years as i32;
        let date = NaiveDate::from_ymd_opt(year, 7, 1).map(|d| d.min(today));
        Ok((date, Some("estimated".into())))
    }

    fn person(
        &self,
        field: &str,
        lead: &PreRegistrationForm,
        today: NaiveDate,
    ) -> Result<PersonInput> {
        let (date_of_birth, precision) = self.birth(field, today)?;
        Ok(PersonInput {
            given_names: self.given_names.trim().to_string(),
            family_name: trimmed(&self.family_name),
            original_script_name: trimmed(&self.original_script_name),
            sex: trimmed(&self.sex),
            date_of_birth,
            date_of_birth_precision: precision,
            nationalities: trimmed(&self.nationality).into_iter().collect(),
            needs_interpreter: lead.needs_interpreter,
            consent_to_contact: lead.consent,
            dataset_level: Some("emergency".into()),
            ..PersonInput::default()
        })
    }
}

impl PreRegistrationForm {
    /// The registration this form amounts to: the applicant as focal point with the contact,
    /// languages and urgent needs, the others with their relationship. A registrar's form starts
    /// from it; it is also what validation checks.
    pub fn to_group(&self, today: NaiveDate) -> Result<GroupInput> {
        if self.members.is_empty() {
            return Err(invalid(
                "members",
                Reason::TooFew { min: 1 },
                "the applicant is required",
            ));
        }
        if self.members.len() > MAX_MEMBERS {
            return Err(invalid(
                "members",
                Reason::TooMany { max: MAX_MEMBERS },
                "too many people for one form",
            ));
        }
        let mut members = Vec::with_capacity(self.members.len());
        for (i, m) in self.members.iter().enumerate() {
            let field = format!("members.{i}");
            let mut person = m.person(&field, self, today)?;
            let relationship = if i == 0 {
                FOCAL_POINT.to_string()
            } else if m.relationship.trim().is_empty() {
                return Err(invalid(
                    format!("{field}.relationship"),
                    Reason::Required,
                    "say how this person is related to the applicant",
                ));
            } else {
                m.relationship.trim().to_string()
            };
            if i == 0 {
                person.languages = self
                    .languages
                    .iter()
                    .enumerate()
                    .map(|(k, l)| LanguageInput {
                        language: l.clone(),
                        kind: if k == 0 { "mother_tongue" } else { "spoken" }.into(),
                    })
                    .collect();
                if let Some(number) = trimmed(&self.phone) {
                    person.phones = vec![PhoneInput {
                        number,
                        kind: "mobile".into(),
                        consent_to_contact: self.consent,
                    }];
                }
                person.specific_needs = self
                    .urgent
                    .iter()
                    .filter_map(|k| urgent_need(k))
                    .map(|n| NeedInput {
                        code: n.code.into(),
                        sub_code: Some(n.sub_code.into()),
                        comments: Some("pre-registration".into()),
                    })
                    .collect();
            }
            members.push(MemberInput {
                person,
                relationship,
            });
        }
        Ok(GroupInput { members })
    }

    /// Checks everything the form asks; the error names the first field in the form's own names
    /// (`members.1.dateOfBirth`, `phone`, `consent`).
    pub fn validate(&self, today: NaiveDate) -> Result<()> {
        for (i, m) in self.members.iter().enumerate() {
            if m.sex.trim().is_empty() {
                return Err(invalid(
                    format!("members.{i}.sex"),
                    Reason::Required,
                    "this is required",
                ));
            }
            if m.date_of_birth.trim().is_empty() && m.age.trim().is_empty() {
                return Err(invalid(
                    format!("members.{i}.dateOfBirth"),
                    Reason::Required,
                    "give the date of birth or the age",
                ));
            }
            for (f, v) in [
                ("familyName", &m.family_name),
                ("originalScriptName", &m.original_script_name),
            ] {
                if v.chars().count() > MAX_TEXT {
                    return Err(invalid(
                        format!("members.{i}.{f}"),
                        Reason::TooLong { max: MAX_TEXT },
                        "is too long",
                    ));
                }
            }
        }
        let group = self.to_group(today)?;
        group.validate(today).map_err(|e| self.form_field(e))?;
        if self.phone.trim().is_empty() && self.email.trim().is_empty() {
            return Err(invalid(
                "phone",
                Reason::Required,
                "give a phone number or an e-mail address",
            ));
        }
        let email = self.email.trim();
        place("email", email, false)?;
        if !email.is_empty() && !email_shaped(email) {
            return Err(invalid(
                "email",
                Reason::BadFormat {
                    format: "email".into(),
                },
                "is not an e-mail address",
            ));
        }
        place("province", &self.province, true)?;
        place("canton", &self.canton, true)?;
        if self.languages.is_empty() {
            return Err(invalid("languages", Reason::Required, "name a language"));
        }
        if self.languages.len() > MAX_LANGUAGES {
            return Err(invalid(
                "languages",
                Reason::TooMany { max: MAX_LANGUAGES },
                "too many languages",
            ));
        }
        for (i, l) in self.languages.iter().enumerate() {
            if !codes::is_valid_language_code(l) {
                return Err(invalid(
                    format!("languages.{i}"),
                    Reason::UnknownCode {
                        vocabulary: "language".into(),
                        value: l.clone(),
                    },
                    "is not a known language",
                ));
            }
        }
        if self.urgent.len() > URGENT_NEEDS.len() {
            return Err(invalid(
                "urgent",
                Reason::TooMany {
                    max: URGENT_NEEDS.len(),
                },
                "too many urgent needs",
            ));
        }
        for u in &self.urgent {
            if urgent_need(u).is_none() {
                return Err(invalid(
                    "urgent",
                    Reason::UnknownCode {
                        vocabulary: "urgent_need".into(),
                        value: u.clone(),
                    },
                    "is not a need the form offers",
                ));
            }
        }
        if !self.consent {
            return Err(invalid(
                "consent",
                Reason::Required,
                "the applicant must accept the processing of their data",
            ));
        }
        Ok(())
    }

    /// Registration validation names fields of the person (`members.0.phones.0.number`); the
    /// form has them elsewhere.
    fn form_field(&self, e: Error) -> Error {
        let Some(field) = e.field.clone() else {
            return e;
        };
        let moved = if field.contains(".phones.") {
            Some("phone".to_string())
        } else if let Some(rest) = field.split_once(".languages.") {
            Some(format!(
                "languages.{}",
                rest.1.split('.').next().unwrap_or("0")
            ))
        } else if field.contains(".specificNeeds.") {
            Some("urgent".to_string())
        } else if field.ends_with(".nationalities.0") {
            Some(field.replace(".nationalities.0", ".nationality"))
        } else {
            None
        };
        match moved {
            Some(f) => Error {
                field: Some(f),
                ..e
            },
            None => e,
        }
    }

    /// How urgent the family is, for the triage queue: the sum of the weights of its urgent needs,
    /// and one more for a child under five or a person of seventy or more.
    pub fn urgency(&self, today: NaiveDate) -> u32 {
        let needs: u32 = self
            .urgent
            .iter()
            .filter_map(|k| urgent_need(k))
            .map(|n| n.weight)
            .sum();
        let vulnerable_age = self.members.iter().any(|m| {
            m.birth("", today)
                .ok()
                .and_then(|(d, _)| d)
                .map(|d| {
                    let years = today.years_since(d).unwrap_or(0);
                    !(5..70).contains(&years)
                })
                .unwrap_or(false)
        });
        needs + u32::from(vulnerable_age)
    }
}

fn email_shaped(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Crockford base32 of the first `len` five-bit groups of `bytes`.
fn base32(bytes: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        if out.len() == len {
            break;
        }
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && out.len() < len {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    out
}

fn grouped(raw: &str, size: usize) -> String {
    raw.as_bytes()
        .chunks(size)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A new form token from 130 random bits given by the caller (the domain draws no randomness).
pub fn form_token(random: &[u8; 17]) -> String {
    base32(random, TOKEN_LEN)
}

/// Whether a form token has the shape [`form_token`] gives.
pub fn is_form_token(s: &str) -> bool {
    s.len() == TOKEN_LEN && s.bytes().all(|b| ALPHABET.contains(&b))
}

fn derive(token: &str, purpose: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"amparo pre-registration\n");
    h.update(purpose.as_bytes());
    h.update(b"\n");
    h.update(token.as_bytes());
    h.finalize().into()
}

/// The reference of the pre-registration sent with `token`, as shown: `XXXXX-XXXXX`.
pub fn reference_of(token: &str) -> String {
    grouped(&base32(&derive(token, "reference"), REFERENCE_LEN), 5)
}

/// The secret of the pre-registration sent with `token`, as shown: `XXXX-XXXX-XXXX-XXXX`.
pub fn secret_of(token: &str) -> String {
    grouped(&base32(&derive(token, "secret"), SECRET_LEN), 4)
}

/// What is stored of a secret: the SHA-256 of its normalised form, in hex. The secret carries
/// 80 random bits, so a slow hash would add nothing but work an attacker could make us do.
pub fn secret_hash(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"amparo pre-registration secret\n");
    h.update(normalize(secret).unwrap_or_default().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A reference or secret as typed (any case, spaces or dashes, O for 0, I or L for 1), in the
/// shape it is shown; None when it has letters the alphabet lacks or the wrong length.
pub fn normalize(typed: &str) -> Option<String> {
    let mut raw = String::new();
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        raw.push(c);
    }
    match raw.len() {
        REFERENCE_LEN => Some(grouped(&raw, 5)),
        SECRET_LEN => Some(grouped(&raw, 4)),
        _ => None,
    }
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default()
    }

    fn member(given: &str, rel: &str) -> MemberForm {
        MemberForm {
            given_names: given.into(),
            family_name: "Pérez".into(),
            sex: "F".into(),
            date_of_birth: "1990-04-02".into(),
            nationality: "VEN".into(),
            relationship: rel.into(),
            ..MemberForm::default()
        }
    }

    fn family() -> PreRegistrationForm {
        PreRegistrationForm {
            members: vec![member("Ana", ""), member("Luis", "spouse"), {
                let mut m = member("Sofía", "daughter");
                m.date_of_birth = String::new();
                m.age = "3".into();
                m
            }],
            phone: "+593 99 123 4567".into(),
            province: "Carchi".into(),
            canton: "Tulcán".into(),
            languages: vec!["spa".into()],
            urgent: vec!["chronic_illness".into()],
            consent: true,
            ..PreRegistrationForm::default()
        }
    }

    fn field_of(f: &PreRegistrationForm) -> Option<String> {
        f.validate(today()).err().and_then(|e| e.field)
    }

    #[test]
    fn a_family_of_three_is_a_registration_with_one_focal_point() {
        let f = family();
        assert_eq!(f.validate(today()), Ok(()));
        let g = f.to_group(today()).expect("group");
        assert_eq!(g.members.len(), 3);
        assert_eq!(g.members[0].relationship, FOCAL_POINT);
        assert_eq!(g.members[0].person.phones.len(), 1);
        assert_eq!(
            g.members[0].person.specific_needs[0].sub_code.as_deref(),
            Some("SM-CI")
        );
        assert_eq!(
            g.members[2].person.date_of_birth_precision.as_deref(),
            Some("estimated")
        );
        assert_eq!(g.members[0].person.languages[0].kind, "mother_tongue");
    }

    #[test]
    fn errors_name_the_field_of_the_form() {
        let mut f = family();
        f.members[1].date_of_birth = "2031-01-01".into();
        assert_eq!(field_of(&f).as_deref(), Some("members.1.dateOfBirth"));
        let mut f = family();
        f.members[1].date_of_birth = "1990-02-30".into();
        assert_eq!(field_of(&f).as_deref(), Some("members.1.dateOfBirth"));
        let mut f = family();
        f.members[2].nationality = "ZZZ".into();
        assert_eq!(field_of(&f).as_deref(), Some("members.2.nationality"));
        let mut f = family();
        f.members[1].relationship = String::new();
        assert_eq!(field_of(&f).as_deref(), Some("members.1.relationship"));
        let mut f = family();
        f.members[2].age = "300".into();
        assert_eq!(field_of(&f).as_deref(), Some("members.2.age"));
        let mut f = family();
        f.phone = "call me".into();
        assert_eq!(field_of(&f).as_deref(), Some("phone"));
        let mut f = family();
        f.consent = false;
        assert_eq!(field_of(&f).as_deref(), Some("consent"));
        let mut f = family();
        f.urgent = vec!["free_money".into()];
        assert_eq!(field_of(&f).as_deref(), Some("urgent"));
        let mut f = family();
        f.members[0].given_names = "x".repeat(MAX_TEXT + 1);
        assert_eq!(field_of(&f).as_deref(), Some("members.0.givenNames"));
        let mut f = family();
        f.canton = "x".repeat(MAX_PLACE + 1);
        assert_eq!(field_of(&f).as_deref(), Some("canton"));
    }

    #[test]
    fn names_in_any_script_are_accepted() {
        let mut f = family();
        f.members[0].original_script_name = "أحمد".into();
        f.members[1].given_names = "Ахмед".into();
        assert_eq!(f.validate(today()), Ok(()));
    }

    #[test]
    fn urgent_needs_rank_the_queue() {
        let mut f = family();
        let base = f.urgency(today());
        // Chronic illness (3) and a child of three (1).
        assert_eq!(base, 4);
        f.urgent.push("critical_medical".into());
        assert_eq!(f.urgency(today()), 9);
        for n in URGENT_NEEDS {
            assert_eq!(
                crate::needs::validate(n.code, Some(n.sub_code)),
                Ok(()),
                "{}",
                n.key
            );
        }
    }

    #[test]
    fn references_and_secrets_are_derived_readable_and_forgiving() {
        let token = form_token(&[7; 17]);
        assert!(is_form_token(&token));
        let r = reference_of(&token);
        let s = secret_of(&token);
        assert_eq!(
            r,
            reference_of(&token),
            "a double tap finds the same record"
        );
        assert_eq!(r.len(), REFERENCE_LEN + 1);
        assert_eq!(s.len(), SECRET_LEN + 3);
        assert!(!r.contains(['I', 'L', 'O', 'U']));
        assert_eq!(
            normalize(&r.to_lowercase().replace('-', " ")),
            Some(r.clone())
        );
        assert_eq!(normalize("0O1IL-00000"), Some("00111-00000".into()));
        assert_eq!(normalize("UUUUU-UUUUU"), None);
        assert_eq!(normalize("12345"), None);
        assert_eq!(secret_hash(&s), secret_hash(&s.to_lowercase()));
        assert_ne!(
            secret_hash(&s),
            secret_hash(&secret_of(&form_token(&[8; 17])))
        );
        assert_ne!(reference_of(&form_token(&[8; 17])), r);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    #[test]
    fn stages_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert!(!Stage::Registered.bookable());
    }
}
