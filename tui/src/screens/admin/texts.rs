//! The words of the administration screen, in Spanish and English. The words every screen uses
//! (errors, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};
use crate::widgets::office_clock;

pub struct Texts {
    common: &'static Text,
    lang: Lang,
    pub col_user: &'static str,
    pub col_roles: &'static str,
    pub col_scope: &'static str,
    pub col_office: &'static str,
    pub col_status: &'static str,
    pub col_login: &'static str,
    pub loading: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub pending: &'static str,
    pub list_hint: &'static str,
    pub code_title: &'static str,
    pub code_once: &'static str,
    pub form_title: &'static str,
    pub form_labels: [&'static str; 5],
    pub form_hint: &'static str,
    pub keys_list: &'static [KeyHelp],
    pub keys_form: &'static [KeyHelp],
}

impl Deref for Texts {
    type Target = Text;

    fn deref(&self) -> &Text {
        self.common
    }
}

impl Texts {
    /// A role's short name.
    pub fn role(&self, r: &str) -> &'static str {
        let es = self.lang == Lang::Es;
        match r {
            "registration_clerk" if es => "registro",
            "registration_clerk" => "registration",
            "eligibility_officer" if es => "oficial",
            "eligibility_officer" => "officer",
            "supervisor" => "supervisor",
            "protection_officer" if es => "protección",
            "protection_officer" => "protection",
            "analyst" if es => "analista",
            "analyst" => "analyst",
            "unit_admin" => "admin",
            _ => "?",
        }
    }

    pub fn scope(&self, s: &str) -> &'static str {
        let es = self.lang == Lang::Es;
        match s {
            "unit" if es => "unidad",
            "unit" => "unit",
            "office" if es => "oficina",
            "office" => "office",
            "own" if es => "propios",
            "own" => "own",
            _ => "?",
        }
    }

    pub fn total(&self, n: i64) -> String {
        match self.lang {
            Lang::Es => format!("{n} usuarios en su alcance"),
            Lang::En => format!("{n} users in your reach"),
        }
    }

    pub fn code_for(&self, user: &str) -> String {
        match self.lang {
            Lang::Es => format!("Código de un solo uso para {user}:"),
            Lang::En => format!("One-time code for {user}:"),
        }
    }

    pub fn code_until(&self, until: &str) -> String {
        match self.lang {
            Lang::Es => format!(
                "Vale hasta {until} ({}), una sola vez.",
                office_clock(self.lang)
            ),
            Lang::En => format!("Valid until {until} ({}), once.", office_clock(self.lang)),
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
    lang: Lang::Es,
    col_user: "USUARIO",
    col_roles: "ROLES",
    col_scope: "ALCANCE",
    col_office: "OFIC.",
    col_status: "ESTADO",
    col_login: "ÚLT. INGRESO",
    loading: "Leyendo usuarios…",
    active: "activo",
    disabled: "inactivo",
    pending: "pendiente",
    list_hint: "n nuevo · d desactivar/activar · c código nuevo · g releer",
    code_title: "Código de un solo uso",
    code_once: "Entréguelo a la persona: no se mostrará otra vez.",
    form_title: "Nuevo usuario",
    form_labels: ["Usuario", "Nombre", "Rol", "Oficina", "Alcance"],
    form_hint: "Tab cambia · ←→ elige · Ctrl-S crea · Esc cancela",
    keys_list: &[
        ("↑↓", "elegir usuario"),
        ("n", "crear un usuario (muestra su código una vez)"),
        ("d", "desactivar o activar al usuario elegido"),
        ("c", "emitir un código nuevo para su contraseña"),
        ("g", "releer la lista"),
    ],
    keys_form: &[
        ("Tab", "siguiente campo"),
        ("←→", "elegir rol, oficina o alcance"),
        ("Ctrl-S", "crear"),
        ("Esc", "cancelar"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    lang: Lang::En,
    col_user: "USER",
    col_roles: "ROLES",
    col_scope: "SCOPE",
    col_office: "OFF.",
    col_status: "STATUS",
    col_login: "LAST LOGIN",
    loading: "Reading users…",
    active: "active",
    disabled: "disabled",
    pending: "pending",
    list_hint: "n new · d disable/enable · c new code · g re-read",
    code_title: "One-time code",
    code_once: "Give it to the person: it will not be shown again.",
    form_title: "New user",
    form_labels: ["Username", "Name", "Role", "Office", "Scope"],
    form_hint: "Tab moves · ←→ chooses · Ctrl-S creates · Esc cancels",
    keys_list: &[
        ("↑↓", "choose a user"),
        ("n", "create a user (shows their code once)"),
        ("d", "disable or enable the chosen user"),
        ("c", "issue a new code for their password"),
        ("g", "re-read the list"),
    ],
    keys_form: &[
        ("Tab", "next field"),
        ("←→", "choose role, office or scope"),
        ("Ctrl-S", "create"),
        ("Esc", "cancel"),
    ],
};
