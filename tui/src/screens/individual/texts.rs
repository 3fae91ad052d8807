//! The words of a person's record, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub original_script: &'static str,
    pub withheld: &'static str,
    pub documents: &'static str,
    pub group: &'static str,
    pub pending_review: &'static str,
    pub confirmed: &'static str,
    pub resolved: &'static str,
    pub individual_hint: &'static str,
    pub keys_individual: &'static [KeyHelp],
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
    original_script: "Escritura original",
    withheld: "reservadas",
    documents: "Documentos",
    group: "Grupo",
    pending_review: "por revisar",
    confirmed: "confirmada",
    resolved: "resuelta",
    individual_hint: "Esc volver · AvPág/RePág páginas · g grupo · / buscar · r registrar",
    keys_individual: &[
        ("AvPág, n", "página siguiente"),
        ("RePág, p", "página anterior"),
        ("g", "el grupo familiar"),
        ("Esc", "volver"),
        ("/, F2", "buscar"),
        ("r, F3", "registrar un grupo"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    original_script: "Original script",
    withheld: "withheld",
    documents: "Documents",
    group: "Group",
    pending_review: "pending review",
    confirmed: "confirmed",
    resolved: "resolved",
    individual_hint: "Esc back · PgDn/PgUp pages · g group · / search · r register",
    keys_individual: &[
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("g", "the registration group"),
        ("Esc", "back"),
        ("/, F2", "search"),
        ("r, F3", "register a group"),
    ],
};
