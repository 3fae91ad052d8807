//! The words of the split and merge forms, in Spanish and English.

use std::ops::Deref;

use crate::i18n::{self, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub split: &'static str,
    pub merge: &'static str,
    pub relationship_to: &'static str,
    pub one_focal_point: &'static str,
    pub filter: &'static str,
    pub sending: &'static str,
    pub hint: &'static str,
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
    split: "Separar a un grupo nuevo",
    merge: "Unir el grupo marcado a este",
    relationship_to: "Parentesco con el punto focal al que se une:",
    one_focal_point: "Exactamente uno debe ser el punto focal del grupo nuevo.",
    filter: "filtrar",
    sending: "enviando…",
    hint: "Tab miembro · escriba para filtrar, ↑↓ elegir · Ctrl-S enviar · Esc cancelar",
};

static EN: Texts = Texts {
    common: &i18n::EN,
    split: "Split into a new group",
    merge: "Merge the marked group into this one",
    relationship_to: "Relationship to the focal point they join:",
    one_focal_point: "Exactly one must be the new group's focal point.",
    filter: "filter",
    sending: "sending…",
    hint: "Tab member · type to filter, ↑↓ choose · Ctrl-S send · Esc cancel",
};
