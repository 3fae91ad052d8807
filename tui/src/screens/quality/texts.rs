//! The words of the data-quality screen, in Spanish and English; the common words come through
//! `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub loading: &'static str,
    pub hint: &'static str,
    pub office: &'static str,
    pub all_offices: &'static str,
    pub rule: &'static str,
    pub count: &'static str,
    pub trace: &'static str,
    pub by_office: &'static str,
    pub by_registrar: &'static str,
    pub by_officer: &'static str,
    pub no_records: &'static str,
    rules: [(&'static str, &'static str); 7],
    pub keys: &'static [KeyHelp],
}

impl Texts {
    /// A rule's name.
    pub fn rule_name<'a>(&self, code: &'a str) -> &'a str {
        self.rules
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, n)| n)
    }
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
    loading: "Revisando los registros…",
    hint: "↑↓ elegir regla · o/O oficina · g releer",
    office: "Oficina",
    all_offices: "todas",
    rule: "Regla",
    count: "Casos",
    trace: "Por mes",
    by_office: "Por oficina",
    by_registrar: "Por quien registró",
    by_officer: "Por oficial asignado",
    no_records: "Sus permisos no muestran los registros.",
    rules: [
        (
            "birth_date_missing_or_estimated",
            "Nacimiento sin fecha o estimado",
        ),
        ("no_document", "Sin documento"),
        ("name_in_one_script", "Nombre en una sola escritura"),
        ("impossible_family_age", "Edades imposibles en la familia"),
        ("need_past_review", "Necesidad sin revisar a tiempo"),
        ("duplicate_not_adjudicated", "Posible duplicado sin decidir"),
        ("case_without_events", "Caso sin actividad"),
    ],
    keys: &[
        ("↑ ↓", "elegir una regla"),
        ("o, O", "oficina siguiente / anterior (primero todas)"),
        ("g", "releer"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    loading: "Checking the records…",
    hint: "↑↓ choose rule · o/O office · g re-read",
    office: "Office",
    all_offices: "all",
    rule: "Rule",
    count: "Count",
    trace: "By month",
    by_office: "By office",
    by_registrar: "By registering user",
    by_officer: "By assigned officer",
    no_records: "Your permissions do not show the records.",
    rules: [
        (
            "birth_date_missing_or_estimated",
            "Birth date missing or estimated",
        ),
        ("no_document", "No document"),
        ("name_in_one_script", "Name in one script only"),
        ("impossible_family_age", "Impossible ages in a family"),
        ("need_past_review", "Need past its review"),
        ("duplicate_not_adjudicated", "Duplicate not adjudicated"),
        ("case_without_events", "Case without activity"),
    ],
    keys: &[
        ("↑ ↓", "choose a rule"),
        ("o, O", "next / previous office (all first)"),
        ("g", "re-read"),
    ],
};
