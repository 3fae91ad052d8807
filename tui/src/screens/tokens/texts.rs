//! The words of the tokens screen, in Spanish and English; the columns and states are those of
//! `amparo token` (`crate::token`), the common words come through `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub loading: &'static str,
    pub list_hint: &'static str,
    pub form_title: &'static str,
    pub form_name: &'static str,
    pub form_days: &'static str,
    pub form_hint: &'static str,
    pub bad_days: &'static str,
    pub secret_title: &'static str,
    pub secret_intro: &'static str,
    pub secret_once: &'static str,
    pub keys_list: &'static [KeyHelp],
    pub keys_form: &'static [KeyHelp],
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
    loading: "Leyendo sus tokens…",
    list_hint: "n nuevo token · x revocar el elegido · g releer",
    form_title: "Nuevo token de API",
    form_name: "Para qué es",
    form_days: "Días (1-365)",
    form_hint: "Tab cambia · Ctrl-S crea · vacío: los días del servidor",
    bad_days: "Los días van de 1 a 365 (vacío: los del servidor).",
    secret_title: "Secreto del token",
    secret_intro: "Guárdelo ahora; envíelo como «Authorization: Bearer …»:",
    secret_once: "No se mostrará otra vez. Cualquier tecla cierra.",
    keys_list: &[
        ("↑↓", "elegir token"),
        ("n", "crear un token (su secreto se muestra una vez)"),
        ("x", "revocar el token elegido"),
        ("g", "releer"),
    ],
    keys_form: &[
        ("Tab", "siguiente campo"),
        ("Ctrl-S", "crear"),
        ("Esc", "cancelar"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    loading: "Reading your tokens…",
    list_hint: "n new token · x revoke the chosen one · g re-read",
    form_title: "New API token",
    form_name: "What it is for",
    form_days: "Days (1-365)",
    form_hint: "Tab moves · Ctrl-S creates · empty: the server's days",
    bad_days: "Days are 1 to 365 (empty: the server's).",
    secret_title: "Token secret",
    secret_intro: "Store it now; send it as \"Authorization: Bearer …\":",
    secret_once: "It will not be shown again. Any key closes this.",
    keys_list: &[
        ("↑↓", "choose a token"),
        ("n", "create a token (its secret is shown once)"),
        ("x", "revoke the chosen token"),
        ("g", "re-read"),
    ],
    keys_form: &[
        ("Tab", "next field"),
        ("Ctrl-S", "create"),
        ("Esc", "cancel"),
    ],
};
