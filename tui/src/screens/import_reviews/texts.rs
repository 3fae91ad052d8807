//! The words of the import review list, in Spanish and English. The words every screen uses
//! (errors, field names, the status line) come from [`crate::i18n::Text`], reached by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub col_imported: &'static str,
    pub col_existing: &'static str,
    pub col_score: &'static str,
    pub out_of_scope: &'static str,
    pub empty: &'static str,
    pub hint: &'static str,
    pub sending: &'static str,
    pub decided: &'static str,
    pub linked: &'static str,
    pub kept_separate: &'static str,
    pub reasons: &'static str,
    pub similar_name: &'static str,
    pub same_birth_date: &'static str,
    pub near_birth_date: &'static str,
    pub same_nationality: &'static str,
    pub same_sex: &'static str,
    pub source: &'static str,
    pub within_import: &'static str,
    pub against_existing: &'static str,
    pub keys: &'static [KeyHelp],
}

impl Deref for Texts {
    type Target = Text;

    fn deref(&self) -> &Text {
        self.common
    }
}

pub fn get(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Es => &ES,
        Lang::En => &EN,
    }
}

static ES: Texts = Texts {
    common: &i18n::ES,
    col_imported: "Importado",
    col_existing: "Ya registrado",
    col_score: "Punt.",
    out_of_scope: "fuera de su alcance",
    empty: "No hay posibles duplicados de importaciones por revisar.",
    hint: "↑↓ elegir · l misma persona · k distintas · n/p páginas · g releer",
    sending: "Enviando:",
    decided: "Decidido",
    linked: "la misma persona (vinculados)",
    kept_separate: "personas distintas",
    reasons: "Coinciden",
    similar_name: "nombre",
    same_birth_date: "fecha de nacimiento",
    near_birth_date: "nacimiento (±1 año)",
    same_nationality: "nacionalidad",
    same_sex: "sexo",
    source: "Origen",
    within_import: "dos personas de la misma importación",
    against_existing: "importado frente a un registro anterior",
    keys: &[
        ("↑ ↓", "elegir una revisión"),
        ("l", "la misma persona: vincular"),
        ("k", "personas distintas: mantener separados"),
        ("AvPág, n", "página siguiente"),
        ("RePág, p", "página anterior"),
        ("g", "releer"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    col_imported: "Imported",
    col_existing: "Already registered",
    col_score: "Score",
    out_of_scope: "outside your scope",
    empty: "No possible duplicates from imports to review.",
    hint: "↑↓ choose · l same person · k different · n/p pages · g reload",
    sending: "Sending:",
    decided: "Decided",
    linked: "the same person (linked)",
    kept_separate: "different people",
    reasons: "Matching",
    similar_name: "name",
    same_birth_date: "date of birth",
    near_birth_date: "birth (±1 year)",
    same_nationality: "nationality",
    same_sex: "sex",
    source: "Source",
    within_import: "two people of the same import",
    against_existing: "imported against an earlier record",
    keys: &[
        ("↑ ↓", "choose a review"),
        ("l", "the same person: link"),
        ("k", "different people: keep separate"),
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("g", "reload"),
    ],
};
