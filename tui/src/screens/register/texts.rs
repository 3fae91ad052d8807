//! The words of registration, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub filter: &'static str,
    pub register_title: &'static str,
    pub col_given: &'static str,
    pub col_family: &'static str,
    pub col_dob: &'static str,
    pub date_placeholder: &'static str,
    pub member: &'static str,
    pub future_date: &'static str,
    pub bad_nationality: &'static str,
    /// Says the limit of `amparo_domain::registration::MAX_TEXT` (a test checks it).
    pub too_long: &'static str,
    pub register_hint: &'static str,
    pub retry_hint: &'static str,
    pub duplicates_title: &'static str,
    pub duplicates_hint: &'static str,
    pub resembles: &'static str,
    pub registered: &'static str,
    pub saved_hint: &'static str,
    /// The title of a form filled from a pre-registration, before its reference.
    pub convert_title: &'static str,
    pub converted: &'static str,
    pub converted_hint: &'static str,
    pub convert_conflict_hint: &'static str,
    pub keys_register: &'static [KeyHelp],
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
    filter: "filtrar",
    register_title: "Registro de un grupo familiar",
    col_given: "Nombres",
    col_family: "Apellidos",
    col_dob: "Nacimiento",
    date_placeholder: "AAAA-MM-DD",
    member: "Miembro",
    future_date: "fecha en el futuro",
    bad_nationality: "código de 3 letras, p. ej. VEN",
    too_long: "demasiado largo (máx. 200)",
    register_hint: "Tab campo · listas: escriba, ↑↓ · Ctrl-N añade · Ctrl-D quita · Ctrl-S registra",
    retry_hint: "El formulario se conserva: Ctrl-S reintenta.",
    duplicates_title: "Posibles duplicados ya registrados:",
    duplicates_hint: "Revise. Ctrl-S registra de todos modos; cualquier cambio vuelve a la edición.",
    resembles: "se parece a",
    registered: "Grupo registrado",
    saved_hint: "Enter abre el punto focal · n nuevo registro · Esc búsqueda",
    convert_title: "Registro del prerregistro",
    converted: "Familia registrada del prerregistro",
    converted_hint: "Enter abre el punto focal · Esc vuelve a los prerregistros",
    convert_conflict_hint: "Esc vuelve a la cola, que se lee de nuevo; elíjalo otra vez.",
    keys_register: &[
        ("Tab, Enter", "campo siguiente (Mayús-Tab: anterior)"),
        ("↑ ↓", "miembro anterior / siguiente; en una lista, elegir"),
        ("letras", "filtrar parentesco y nacionalidad por su nombre"),
        ("Ctrl-N", "añadir un miembro"),
        ("Ctrl-D", "quitar el miembro"),
        ("Ctrl-S, F10", "registrar (o confirmar pese a duplicados)"),
        ("Esc", "salir; el formulario se conserva"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    filter: "filter",
    register_title: "Registration of a family group",
    col_given: "Given names",
    col_family: "Family names",
    col_dob: "Born",
    date_placeholder: "YYYY-MM-DD",
    member: "Member",
    future_date: "date in the future",
    bad_nationality: "3-letter code, e.g. VEN",
    too_long: "too long (max. 200)",
    register_hint: "Tab field · lists: type, ↑↓ · Ctrl-N add · Ctrl-D remove · Ctrl-S register",
    retry_hint: "The form is kept: Ctrl-S tries again.",
    duplicates_title: "Possible duplicates already registered:",
    duplicates_hint: "Check them. Ctrl-S registers anyway; any change goes back to editing.",
    resembles: "resembles",
    registered: "Group registered",
    saved_hint: "Enter opens the focal point · n new registration · Esc search",
    convert_title: "Registration of pre-registration",
    converted: "Family registered from pre-registration",
    converted_hint: "Enter opens the focal point · Esc back to the pre-registrations",
    convert_conflict_hint: "Esc goes back to the queue, read again; choose it once more.",
    keys_register: &[
        ("Tab, Enter", "next field (Shift-Tab: previous)"),
        ("↑ ↓", "previous / next member; on a list, choose"),
        ("letters", "narrow relationship and nationality by name"),
        ("Ctrl-N", "add a member"),
        ("Ctrl-D", "remove the member"),
        ("Ctrl-S, F10", "register (or confirm despite duplicates)"),
        ("Esc", "leave; the form is kept"),
    ],
};
