//! The words of the case lists My work and the supervisor's view share, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub no_cases: &'static str,
    pub col_case: &'static str,
    pub col_status: &'static str,
    pub col_waiting: &'static str,
    pub col_due: &'static str,
    pub col_principal: &'static str,
    pub col_officer: &'static str,
    pub col_badges: &'static str,
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
    no_cases: "No hay casos en esta lista.",
    col_case: "Caso",
    col_status: "Estado",
    col_waiting: "Espera",
    col_due: "Vence",
    col_principal: "Solicitante",
    col_officer: "Oficial",
    col_badges: "Marcas",
};

static EN: Texts = Texts {
    common: &i18n::EN,
    no_cases: "No cases in this list.",
    col_case: "Case",
    col_status: "Status",
    col_waiting: "Waiting",
    col_due: "Due",
    col_principal: "Applicant",
    col_officer: "Officer",
    col_badges: "Badges",
};
