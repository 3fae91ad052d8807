//! The words of the sync conflicts screen, in Spanish and English. The words every screen uses
//! (errors, field names, the status line) come from [`crate::i18n::Text`], reached by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub col_change: &'static str,
    pub col_record: &'static str,
    pub col_reason: &'static str,
    pub col_when: &'static str,
    pub col_field: &'static str,
    pub col_mine: &'static str,
    pub col_theirs: &'static str,
    pub central_says: &'static str,
    pub empty: &'static str,
    pub hint: &'static str,
    pub sending: &'static str,
    pub resolved: &'static str,
    pub applied_mine: &'static str,
    pub kept_theirs: &'static str,
    pub merged: &'static str,
    pub changed_on_central: &'static str,
    pub gone_from_central: &'static str,
    pub no_longer_allowed: &'static str,
    pub refused: &'static str,
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
    col_change: "Cambio",
    col_record: "Registro",
    col_reason: "Motivo",
    col_when: "Cuándo",
    col_field: "Campo",
    col_mine: "Mío (nodo)",
    col_theirs: "Central",
    central_says: "Central:",
    empty: "No hay conflictos de sincronización abiertos.",
    hint: "↑↓ elegir · Tab campos · espacio marcar · m lo mío · t lo de central · f fusionar",
    sending: "Enviando:",
    resolved: "Resuelto",
    applied_mine: "aplicado lo mío",
    kept_theirs: "se queda lo de central",
    merged: "fusionados los campos marcados",
    changed_on_central: "cambió en central",
    gone_from_central: "ya no está en central",
    no_longer_allowed: "ya no permitido",
    refused: "rechazado",
    keys: &[
        ("↑ ↓", "elegir un conflicto (o un campo)"),
        ("Tab", "pasar a los campos y volver"),
        ("espacio", "marcar un campo para fusionar"),
        ("m", "aplicar lo mío sobre lo de central"),
        ("t", "quedarse con lo de central"),
        ("f", "fusionar: aplicar solo los campos marcados"),
        ("g", "releer"),
        ("Esc", "volver"),
        ("Ctrl-K", "conflictos (desde cualquier pantalla)"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    col_change: "Change",
    col_record: "Record",
    col_reason: "Reason",
    col_when: "When",
    col_field: "Field",
    col_mine: "Mine (node)",
    col_theirs: "Central",
    central_says: "Central:",
    empty: "No open sync conflicts.",
    hint: "↑↓ choose · Tab fields · space mark · m mine · t keep central's · f merge",
    sending: "Sending:",
    resolved: "Resolved",
    applied_mine: "mine applied",
    kept_theirs: "central's kept",
    merged: "marked fields merged",
    changed_on_central: "changed on central",
    gone_from_central: "no longer on central",
    no_longer_allowed: "no longer allowed",
    refused: "refused",
    keys: &[
        ("↑ ↓", "choose a conflict (or a field)"),
        ("Tab", "go to the fields and back"),
        ("space", "mark a field to merge"),
        ("m", "apply mine over central's"),
        ("t", "keep central's"),
        ("f", "merge: apply only the marked fields"),
        ("g", "read again"),
        ("Esc", "back"),
        ("Ctrl-K", "conflicts (from any screen)"),
    ],
};
