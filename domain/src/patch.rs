//! Changes to a registered person and the rules that apply them: what a field left out means,
//! how a text is cleared, which changes the history records and how a sensitive one is shown.
//! Pure, so the store and the client apply a patch the same way and the rules are tested here.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::access::FieldGroup;
use crate::events::{FieldChange, person_field_group};
use crate::registration::{AddressInput, DocumentInput, LanguageInput, PersonInput, PhoneInput};

/// Calls `$callback! { $($args)* fields }` with the editable fields of a person, each with its
/// documentation and its type in a patch (`None` leaves the field as it is). The fields are
/// listed here only: [`PersonPatch`] is made from this list, and so is any interface that edits
/// a person (the API's update input), so a field added here reaches every one of them.
#[macro_export]
macro_rules! person_patch_fields {
    ($callback:ident ! { $($args:tt)* }) => {
        $callback! { $($args)*
            /// Given name(s).
            given_names: Option<String>,
            /// Middle name.
            middle_name: Option<String>,
            /// Family name.
            family_name: Option<String>,
            /// Second family name.
            second_family_name: Option<String>,
            /// Father's given name.
            fathers_name: Option<String>,
            /// Grandfather's given name.
            grandfathers_name: Option<String>,
            /// Full name in original script.
            original_script_name: Option<String>,
            /// Aliases.
            aliases: Option<String>,
            /// F, M or X.
            sex: Option<String>,
            /// Date of birth.
            date_of_birth: Option<chrono::NaiveDate>,
            /// exact, year_only or estimated.
            date_of_birth_precision: Option<String>,
            /// Place of birth.
            place_of_birth: Option<String>,
            /// Marital status.
            marital_status: Option<String>,
            /// Nationalities (replaces the list).
            nationalities: Option<Vec<String>>,
            /// Country of origin.
            country_of_origin: Option<String>,
            /// Ethnicity (only roles that see it may change it).
            ethnicity: Option<String>,
            /// Religion (only roles that see it may change it).
            religion: Option<String>,
            /// Needs an interpreter.
            needs_interpreter: Option<bool>,
            /// Asks for an interviewer of the same sex.
            same_sex_interviewer: Option<bool>,
            /// Date of arrival.
            arrival_date: Option<chrono::NaiveDate>,
            /// Point of entry.
            point_of_entry: Option<String>,
            /// Consent to be contacted.
            consent_to_contact: Option<bool>,
        }
    };
}

macro_rules! person_patch {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        /// Changes to an individual: `None` leaves a field as it is; for an optional text or code,
        /// `Some("")` clears it. Dates and lists are replaced, never cleared.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct PersonPatch {
            $($(#[$doc])* pub $name: $ty,)*
            /// The person's languages, replacing the list.
            pub languages: Option<Vec<LanguageInput>>,
            /// The person's current addresses, replacing the list (an address left out ends today).
            pub addresses: Option<Vec<AddressInput>>,
            /// The person's phones, replacing the list (a phone left out is marked removed).
            pub phones: Option<Vec<PhoneInput>>,
            /// Record that the data was verified with the person (a change even when no field changes).
            pub mark_verified: bool,
        }
    };
}
person_patch_fields!(person_patch! {});

/// A patch applied to a person: the person it makes and what changed, by the field's API name.
#[derive(Debug, Clone, PartialEq)]
pub struct Patched {
    pub person: PersonInput,
    /// Each changed field's old and new value; a sensitive field's values are never kept, only
    /// that it changed, because history is read by roles that may not see them.
    pub changes: BTreeMap<String, FieldChange>,
}

impl Patched {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The restricted field groups the change touched.
    pub fn groups(&self) -> impl Iterator<Item = FieldGroup> + '_ {
        self.changes.keys().filter_map(|f| person_field_group(f))
    }
}

/// Shown in history in place of a sensitive value.
pub const RESTRICTED: &str = "(restricted)";

fn shown<T: Serialize>(field: &str, value: &Option<T>) -> Value {
    match person_field_group(field) {
        Some(_) => json!(value.as_ref().map(|_| RESTRICTED)),
        None => json!(value),
    }
}

/// Collects the changes while the fields are applied one by one.
struct Changes(BTreeMap<String, FieldChange>);

impl Changes {
    /// An optional text or code: trimmed, and empty means cleared.
    fn text(&mut self, field: &str, patch: &Option<String>, current: &mut Option<String>) {
        let Some(v) = patch else { return };
        let v = v.trim();
        let new = (!v.is_empty()).then(|| v.to_string());
        if new != *current {
            self.0.insert(
                field.into(),
                FieldChange {
                    from: shown(field, current),
                    to: shown(field, &new),
                },
            );
            *current = new;
        }
    }

    /// A value replaced as given.
    fn value<T: PartialEq + Clone + Serialize>(
        &mut self,
        field: &str,
        patch: Option<T>,
        current: &mut T,
    ) {
        if let Some(v) = patch
            && v != *current
        {
            self.0.insert(
                field.into(),
                FieldChange {
                    from: json!(current),
                    to: json!(v),
                },
            );
            *current = v;
        }
    }
}

impl PersonPatch {
    /// The restricted field groups this patch would write (refused for roles that do not see
    /// them, even when the value is unchanged: the attempt itself reveals intent to change it).
    pub fn writes(&self) -> impl Iterator<Item = FieldGroup> {
        [
            (FieldGroup::Ethnicity, self.ethnicity.is_some()),
            (FieldGroup::Religion, self.religion.is_some()),
        ]
        .into_iter()
        .filter_map(|(g, written)| written.then_some(g))
    }

    /// The person this patch makes of `current`, and what it changed. Does not validate: the
    /// caller validates the result as it would a new registration.
    pub fn apply(&self, current: &PersonInput) -> Patched {
        let mut next = current.clone();
        let mut c = Changes(BTreeMap::new());
        let given = self.given_names.as_ref().map(|g| g.trim().to_string());
        c.value("givenNames", given, &mut next.given_names);
        c.text("middleName", &self.middle_name, &mut next.middle_name);
        c.text("familyName", &self.family_name, &mut next.family_name);
        c.text(
            "secondFamilyName",
            &self.second_family_name,
            &mut next.second_family_name,
        );
        c.text("fathersName", &self.fathers_name, &mut next.fathers_name);
        c.text(
            "grandfathersName",
            &self.grandfathers_name,
            &mut next.grandfathers_name,
        );
        c.text(
            "originalScriptName",
            &self.original_script_name,
            &mut next.original_script_name,
        );
        c.text("aliases", &self.aliases, &mut next.aliases);
        c.text("sex", &self.sex, &mut next.sex);
        c.value(
            "dateOfBirth",
            self.date_of_birth.map(Some),
            &mut next.date_of_birth,
        );
        c.text(
            "dateOfBirthPrecision",
            &self.date_of_birth_precision,
            &mut next.date_of_birth_precision,
        );
        c.text(
            "placeOfBirth",
            &self.place_of_birth,
            &mut next.place_of_birth,
        );
        c.text(
            "maritalStatus",
            &self.marital_status,
            &mut next.marital_status,
        );
        c.value(
            "nationalities",
            self.nationalities.clone(),
            &mut next.nationalities,
        );
        c.text(
            "countryOfOrigin",
            &self.country_of_origin,
            &mut next.country_of_origin,
        );
        c.text("ethnicity", &self.ethnicity, &mut next.ethnicity);
        c.text("religion", &self.religion, &mut next.religion);
        c.value(
            "needsInterpreter",
            self.needs_interpreter,
            &mut next.needs_interpreter,
        );
        c.value(
            "sameSexInterviewer",
            self.same_sex_interviewer,
            &mut next.same_sex_interviewer,
        );
        c.value(
            "arrivalDate",
            self.arrival_date.map(Some),
            &mut next.arrival_date,
        );
        c.text(
            "pointOfEntry",
            &self.point_of_entry,
            &mut next.point_of_entry,
        );
        c.value(
            "consentToContact",
            self.consent_to_contact,
            &mut next.consent_to_contact,
        );
        c.value("languages", self.languages.clone(), &mut next.languages);
        c.value("addresses", self.addresses.clone(), &mut next.addresses);
        c.value("phones", self.phones.clone(), &mut next.phones);
        Patched {
            person: next,
            changes: c.0,
        }
    }
}

impl PersonPatch {
    /// Whether the patch replaces a list kept in rows of its own (languages, addresses,
    /// phones): the store then reads the current lists before applying it.
    pub fn touches_lists(&self) -> bool {
        self.languages.is_some() || self.addresses.is_some() || self.phones.is_some()
    }
}

/// What a correction of a document changes, field by field (the number trimmed as it is
/// stored); empty when nothing does.
pub fn document_changes(
    current: &DocumentInput,
    next: &DocumentInput,
) -> BTreeMap<String, FieldChange> {
    let mut c = Changes(BTreeMap::new());
    let mut cur = current.clone();
    cur.number = cur.number.trim().to_string();
    c.value(
        "documentType",
        Some(next.document_type.clone()),
        &mut cur.document_type,
    );
    c.value(
        "number",
        Some(next.number.trim().to_string()),
        &mut cur.number,
    );
    c.value(
        "issuingCountry",
        Some(next.issuing_country.clone()),
        &mut cur.issuing_country,
    );
    c.value("issuedOn", Some(next.issued_on), &mut cur.issued_on);
    c.value("expiresOn", Some(next.expires_on), &mut cur.expires_on);
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ana() -> PersonInput {
        PersonInput {
            given_names: "Ana".into(),
            family_name: Some("Pérez".into()),
            ethnicity: Some("Wayuu".into()),
            nationalities: vec!["VEN".into()],
            date_of_birth: NaiveDate::from_ymd_opt(1990, 5, 1),
            ..Default::default()
        }
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let p = PersonPatch::default().apply(&ana());
        assert!(p.is_empty());
        assert_eq!(p.person.given_names, "Ana");
        assert_eq!(p.person.family_name.as_deref(), Some("Pérez"));
    }

    #[test]
    fn texts_are_trimmed_and_an_empty_text_clears() {
        let p = PersonPatch {
            given_names: Some("  Ana María ".into()),
            family_name: Some("  ".into()),
            middle_name: Some(" Luz ".into()),
            ..Default::default()
        }
        .apply(&ana());
        assert_eq!(p.person.given_names, "Ana María");
        assert_eq!(p.person.family_name, None);
        assert_eq!(p.person.middle_name.as_deref(), Some("Luz"));
        assert_eq!(p.changes["familyName"].from, json!("Pérez"));
        assert_eq!(p.changes["familyName"].to, Value::Null);
        assert_eq!(p.changes.len(), 3);
    }

    #[test]
    fn the_same_value_again_is_no_change() {
        let p = PersonPatch {
            given_names: Some("Ana ".into()),
            family_name: Some("Pérez".into()),
            nationalities: Some(vec!["VEN".into()]),
            date_of_birth: NaiveDate::from_ymd_opt(1990, 5, 1),
            ..Default::default()
        }
        .apply(&ana());
        assert!(p.is_empty(), "{:?}", p.changes);
    }

    #[test]
    fn a_sensitive_change_keeps_no_value() {
        let p = PersonPatch {
            ethnicity: Some("Barí".into()),
            religion: Some("none".into()),
            ..Default::default()
        }
        .apply(&ana());
        assert_eq!(p.person.ethnicity.as_deref(), Some("Barí"));
        assert_eq!(p.changes["ethnicity"].from, json!(RESTRICTED));
        assert_eq!(p.changes["ethnicity"].to, json!(RESTRICTED));
        assert_eq!(p.changes["religion"].from, Value::Null);
        let groups: Vec<_> = p.groups().collect();
        assert_eq!(groups, [FieldGroup::Ethnicity, FieldGroup::Religion]);
    }

    #[test]
    fn a_patch_names_the_restricted_groups_it_writes_even_unchanged() {
        let patch = PersonPatch {
            ethnicity: Some("Wayuu".into()),
            ..Default::default()
        };
        assert_eq!(patch.writes().collect::<Vec<_>>(), [FieldGroup::Ethnicity]);
        assert!(patch.apply(&ana()).is_empty());
        assert_eq!(PersonPatch::default().writes().count(), 0);
    }

    #[test]
    fn dates_lists_and_flags_are_replaced() {
        let arrival = NaiveDate::from_ymd_opt(2024, 2, 3);
        let p = PersonPatch {
            arrival_date: arrival,
            nationalities: Some(vec!["COL".into(), "VEN".into()]),
            needs_interpreter: Some(true),
            ..Default::default()
        }
        .apply(&ana());
        assert_eq!(p.person.arrival_date, arrival);
        assert_eq!(p.person.nationalities, ["COL", "VEN"]);
        assert!(p.person.needs_interpreter);
        assert_eq!(p.changes["arrivalDate"].from, Value::Null);
        assert_eq!(p.changes["arrivalDate"].to, json!("2024-02-03"));
        assert_eq!(p.changes["nationalities"].from, json!(["VEN"]));
        assert_eq!(p.changes["needsInterpreter"].to, json!(true));
    }

    #[test]
    fn lists_in_rows_of_their_own_are_replaced_whole() {
        let mut current = ana();
        current.phones = vec![PhoneInput {
            number: "+593 99 111".into(),
            kind: "mobile".into(),
            consent_to_contact: true,
        }];
        let address = AddressInput {
            kind: "residence".into(),
            line: "Av. Amazonas 1".into(),
            city: Some("Quito".into()),
            province: None,
            country: "ECU".into(),
        };
        let patch = PersonPatch {
            addresses: Some(vec![address.clone()]),
            phones: Some(current.phones.clone()),
            ..Default::default()
        };
        assert!(patch.touches_lists());
        assert!(!PersonPatch::default().touches_lists());
        let p = patch.apply(&current);
        assert_eq!(p.person.addresses, [address]);
        assert_eq!(p.changes.keys().collect::<Vec<_>>(), ["addresses"]);
        assert_eq!(p.changes["addresses"].from, json!([]));
        assert_eq!(
            p.changes["addresses"].to[0]["line"],
            json!("Av. Amazonas 1")
        );
    }

    #[test]
    fn a_document_correction_names_each_changed_field() {
        let old = DocumentInput {
            document_type: "passport".into(),
            number: "P-1".into(),
            issuing_country: Some("VEN".into()),
            issued_on: NaiveDate::from_ymd_opt(2020, 1, 2),
            expires_on: None,
        };
        let same = DocumentInput {
            number: " P-1 ".into(),
            ..old.clone()
        };
        assert!(document_changes(&old, &same).is_empty());
        let next = DocumentInput {
            number: "P-2".into(),
            issuing_country: None,
            ..old.clone()
        };
        let c = document_changes(&old, &next);
        assert_eq!(c.keys().collect::<Vec<_>>(), ["issuingCountry", "number"]);
        assert_eq!(c["number"].from, json!("P-1"));
        assert_eq!(c["issuingCountry"].to, Value::Null);
    }

    #[test]
    fn fields_a_patch_cannot_reach_stay() {
        let mut current = ana();
        current.legacy_id = Some("OLD-1".into());
        current.dataset_level = Some("comprehensive".into());
        let p = PersonPatch {
            mark_verified: true,
            ..Default::default()
        }
        .apply(&current);
        assert!(p.is_empty());
        assert_eq!(p.person, current);
    }
}
