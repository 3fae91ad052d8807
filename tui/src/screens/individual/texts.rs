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
    pub cases: &'static str,
    pub address: &'static str,
    pub phones: &'static str,
    pub languages: &'static str,
    pub lang: Lang,
    done_need: &'static str,
    done_review: &'static str,
    done_document: &'static str,
    done_edit_document: &'static str,
    done_correct: &'static str,
    done_case: &'static str,
    pub keys_individual: &'static [KeyHelp],
}

impl Deref for Texts {
    type Target = Text;

    fn deref(&self) -> &Text {
        self.common
    }
}

impl Texts {
    /// What a person's form did, once the server took it.
    pub fn done(&self, kind: super::person_form::Kind) -> &'static str {
        use super::person_form::Kind;
        match kind {
            Kind::AddNeed => self.done_need,
            Kind::ReviewNeed => self.done_review,
            Kind::AddDocument => self.done_document,
            Kind::EditDocument => self.done_edit_document,
            Kind::Correct => self.done_correct,
            Kind::OpenCase => self.done_case,
        }
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
    individual_hint: "Esc volver · AvPág/RePág · g grupo · + necesidad · d documento · ? más",
    cases: "Casos",
    address: "Dirección",
    phones: "Teléfono",
    languages: "Idiomas",
    lang: Lang::Es,
    done_need: "Necesidad añadida: queda por revisar.",
    done_review: "Necesidad revisada.",
    done_document: "Documento añadido.",
    done_edit_document: "Documento corregido.",
    done_correct: "Datos corregidos.",
    done_case: "Caso abierto.",
    keys_individual: &[
        ("+", "añadir una necesidad específica"),
        ("v", "revisar una necesidad (protección)"),
        ("d", "añadir un documento"),
        ("D", "corregir un documento"),
        ("e", "corregir datos, dirección, teléfono, idioma"),
        ("a", "abrir un caso"),
        ("P", "abrir un caso de protección"),
        ("1-9", "abrir el caso n.º"),
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
    individual_hint: "Esc back · PgDn/PgUp · g group · + need · d document · e correct · ? more",
    cases: "Cases",
    address: "Address",
    phones: "Phone",
    languages: "Languages",
    lang: Lang::En,
    done_need: "Need added: it waits for review.",
    done_review: "Need reviewed.",
    done_document: "Document added.",
    done_edit_document: "Document corrected.",
    done_correct: "Data corrected.",
    done_case: "Case opened.",
    keys_individual: &[
        ("+", "add a specific need"),
        ("v", "review a need (protection)"),
        ("d", "add a document"),
        ("D", "correct a document"),
        ("e", "correct data, address, phone, language"),
        ("a", "open a case"),
        ("P", "open a protection case"),
        ("1-9", "open case number n"),
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("g", "the registration group"),
        ("Esc", "back"),
        ("/, F2", "search"),
        ("r, F3", "register a group"),
    ],
};
