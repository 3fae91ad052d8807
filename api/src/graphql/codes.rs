//! The code lists, with their names in both languages, for clients that show them.

use async_graphql::{Object, SimpleObject};

use crate::domain::code_lists::{self, CodeList as DomainList, Entry};
use crate::domain::codes::Term;

/// A code with its names.
#[derive(SimpleObject, Clone)]
pub struct Code {
    /// The code the API takes and returns, e.g. `not_credible`, `ECU`, `SP-PT`.
    pub code: String,
    /// Its name in Spanish.
    pub name_es: String,
    /// Its name in English.
    pub name_en: String,
    /// Finer codes under this one (a specific need's sub-codes); empty for most lists.
    pub sub_codes: Vec<Code>,
}

impl Code {
    fn of(term: &Term, sub_codes: &[Term]) -> Self {
        Self {
            code: term.code.to_string(),
            name_es: term.es.to_string(),
            name_en: term.en.to_string(),
            sub_codes: sub_codes.iter().map(|s| Code::of(s, &[])).collect(),
        }
    }
}

/// A list of codes a user chooses from.
#[derive(SimpleObject, Clone)]
pub struct CodeList {
    /// The list's identifier: countries, sex, date_of_birth_precision, marital_status,
    /// relationships, document_types, data_set_levels, address_types, phone_types, languages,
    /// specific_needs, grounds, rejection_reasons, exclusion_clauses, closure_reasons,
    /// reopen_grounds, modalities, duplicate_reasons.
    pub id: String,
    /// What the list holds, in Spanish.
    pub name_es: String,
    /// What the list holds, in English.
    pub name_en: String,
    /// Its codes, in the order to show them.
    pub codes: Vec<Code>,
}

impl From<DomainList> for CodeList {
    fn from(list: DomainList) -> Self {
        Self {
            id: list.id.to_string(),
            name_es: list.title.es.to_string(),
            name_en: list.title.en.to_string(),
            codes: list
                .entries
                .iter()
                .map(|Entry { term, sub_codes }| Code::of(term, sub_codes))
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct CodeQuery;

/// Reference data: no personal data, so no sign-in is needed.
#[Object]
impl CodeQuery {
    /// The code lists with every code's name in Spanish and English: all of them, or those
    /// named in `ids` (unknown ids are left out). The same lists the server validates against.
    async fn code_lists(
        &self,
        #[graphql(desc = "Only these lists, by id (e.g. [\"rejection_reasons\", \"countries\"]).")]
        ids: Option<Vec<String>>,
    ) -> Vec<CodeList> {
        code_lists::all()
            .into_iter()
            .filter(|l| ids.as_ref().is_none_or(|ids| ids.iter().any(|i| i == l.id)))
            .map(CodeList::from)
            .collect()
    }
}
