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
    pub edit_title: &'static str,
    pub roles_held: &'static str,
    pub keys_sessions: &'static [KeyHelp],
    pub keys_offices: &'static [KeyHelp],
    pub keys_office_form: &'static [KeyHelp],
    pub keys_settings: &'static [KeyHelp],
    pub keys_review: &'static [KeyHelp],
    pub tab_names: [&'static str; 5],
    pub sessions_hint: &'static str,
    pub offices_hint: &'static str,
    pub review_hint: &'static str,
    pub col_kind: &'static str,
    pub col_opened: &'static str,
    pub col_used: &'static str,
    pub col_expires: &'static str,
    pub col_name: &'static str,
    pub kind_api: &'static str,
    pub kind_session: &'static str,
    pub no_sessions: &'static str,
    pub col_code: &'static str,
    pub col_zone: &'static str,
    pub col_hours: &'static str,
    pub col_holidays: &'static str,
    pub unit_calendar: &'static str,
    pub office_labels: [&'static str; 7],
    pub office_form_hint: &'static str,
    pub office_new_title: &'static str,
    pub office_edit_title: &'static str,
    pub history_hint: &'static str,
    pub setting_edit_hint: &'static str,
    pub settings_hint: &'static str,
    pub settings_dirty_hint: &'static str,
    pub modules_label: &'static str,
    pub history_title: &'static str,
    pub no_history: &'static str,
    pub settings_change: &'static str,
    pub col_offices: &'static str,
    pub col_reads: &'static str,
    pub col_groups: &'static str,
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
            "resettlement_officer" if es => "reasentamiento",
            "resettlement_officer" => "resettlement",
            "analyst" if es => "analista",
            "analyst" => "analyst",
            "assistance_officer" if es => "asistencia",
            "assistance_officer" => "assistance",
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

impl Texts {
    /// The views' names, the one shown in brackets.
    pub fn tabs(&self, view: super::View) -> String {
        let shown = match view {
            super::View::Users | super::View::Sessions => 0,
            super::View::Offices => 1,
            super::View::Settings => 2,
            super::View::Review => 3,
            super::View::Agreements => 4,
        };
        self.tab_names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if i == shown {
                    format!("[{} {n}]", i + 1)
                } else {
                    format!(" {} {n} ", i + 1)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn sessions_of(&self, user: &str, n: usize) -> String {
        match self.lang {
            Lang::Es => format!("Sesiones abiertas de {user}: {n}"),
            Lang::En => format!("Open sessions of {user}: {n}"),
        }
    }

    /// The language of these words.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// A setting's name by its path; one this client has no name for is shown as its path.
    pub fn setting_label(&self, path: &str) -> String {
        let es = self.lang == Lang::Es;
        SETTING_LABELS
            .iter()
            .find(|(p, _, _)| *p == path)
            .map(|(_, e, n)| if es { *e } else { *n }.to_string())
            .unwrap_or_else(|| path.to_string())
    }

    pub fn bad_setting(&self, label: &str) -> String {
        match self.lang {
            Lang::Es => format!("{label}: el valor no es de este tipo (número, lista 1,2,3)."),
            Lang::En => format!("{label}: not a value of this kind (a number, a list 1,2,3)."),
        }
    }

    pub fn office_change(&self, code: &str, created: bool) -> String {
        match (self.lang, created) {
            (Lang::Es, true) => format!("oficina {code} creada"),
            (Lang::Es, false) => format!("oficina {code} cambiada"),
            (Lang::En, true) => format!("office {code} created"),
            (Lang::En, false) => format!("office {code} changed"),
        }
    }

    pub fn more_changes(&self, n: usize) -> String {
        match self.lang {
            Lang::Es => format!("… y {n} cambios más"),
            Lang::En => format!("… and {n} more changes"),
        }
    }

    pub fn yes_no(&self, b: bool) -> &'static str {
        match (self.lang, b) {
            (Lang::Es, true) => "sí",
            (Lang::Es, false) => "no",
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
        }
    }

    /// A sensitive field group's short name.
    pub fn field_group(&self, g: &str) -> &'static str {
        let es = self.lang == Lang::Es;
        match g {
            "sgbv" if es => "VSG",
            "sgbv" => "SGBV",
            "torture" if es => "tortura",
            "torture" => "torture",
            "medical" if es => "médico",
            "medical" => "medical",
            "ethnicity" if es => "etnia",
            "ethnicity" => "ethnicity",
            "religion" if es => "religión",
            "religion" => "religion",
            "claim_narrative" if es => "relato",
            "claim_narrative" => "narrative",
            _ => "?",
        }
    }
}

/// Settings by path: (path, Spanish, English).
const SETTING_LABELS: &[(&str, &str, &str)] = &[
    (
        "access.code_hours",
        "Horas que vale un código de un solo uso",
        "Hours a one-time code lasts",
    ),
    (
        "access.min_password_length",
        "Largo mínimo de contraseña",
        "Minimum password length",
    ),
    (
        "access.sessions_per_user",
        "Sesiones abiertas por usuario",
        "Open sessions per user",
    ),
    (
        "calendar.day_ends",
        "Fin de jornada (minutos desde 00:00)",
        "Day ends (minutes after 00:00)",
    ),
    (
        "calendar.day_starts",
        "Inicio de jornada (minutos desde 00:00)",
        "Day starts (minutes after 00:00)",
    ),
    (
        "calendar.utc_offset_minutes",
        "Diferencia con UTC (minutos)",
        "Offset from UTC (minutes)",
    ),
    (
        "calendar.working_days",
        "Días laborables (1 = lunes)",
        "Working days (1 = Monday)",
    ),
    (
        "rsd.abandonment_days",
        "Días sin contacto hasta abandono",
        "Days without contact to abandonment",
    ),
    (
        "rsd.admissibility",
        "Etapa de admisibilidad",
        "Admissibility stage",
    ),
    (
        "rsd.appeal_deadline_days",
        "Días para apelar",
        "Days to appeal",
    ),
    (
        "rsd.appeal_grace_days",
        "Días de gracia de la apelación",
        "Appeal grace days",
    ),
    (
        "rsd.appeal_warning_days",
        "Aviso antes del plazo (días)",
        "Warning before the deadline (days)",
    ),
    (
        "rsd.cartagena",
        "Definición de Cartagena",
        "Cartagena definition",
    ),
    (
        "rsd.decision_target_days.accelerated",
        "Plazo de decisión: acelerado (días)",
        "Decision target: accelerated (days)",
    ),
    (
        "rsd.decision_target_days.merged",
        "Plazo de decisión: conjunto (días)",
        "Decision target: merged (days)",
    ),
    (
        "rsd.decision_target_days.regular",
        "Plazo de decisión: regular (días)",
        "Decision target: regular (days)",
    ),
    (
        "rsd.decision_target_days.simplified",
        "Plazo de decisión: simplificado (días)",
        "Decision target: simplified (days)",
    ),
    ("code", "Código", "Code"),
    ("name", "Nombre", "Name"),
    ("timeZone", "Zona horaria", "Time zone"),
    ("workingHours", "Horario", "Working hours"),
    ("holidays", "Feriados", "Holidays"),
];

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
    list_hint: "n nuevo · e editar · s sesiones · d des/activar · c código · p forzar clave",
    code_title: "Código de un solo uso",
    code_once: "Entréguelo a la persona: no se mostrará otra vez.",
    form_title: "Nuevo usuario",
    form_labels: ["Usuario", "Nombre", "Rol", "Oficina", "Alcance"],
    form_hint: "Tab cambia · ←→ elige · Espacio da/quita rol · Ctrl-S guarda",
    keys_list: &[
        ("↑↓", "elegir usuario"),
        ("1-4", "usuarios, oficinas, ajustes, revisión de accesos"),
        ("n", "crear un usuario (muestra su código una vez)"),
        ("e Enter", "cambiar roles, oficina y alcance"),
        ("s", "ver y cerrar sus sesiones"),
        ("p", "obligarle a cambiar su contraseña"),
        ("d", "desactivar o activar al usuario elegido"),
        ("c", "emitir un código nuevo para su contraseña"),
        ("g", "releer la lista"),
    ],
    keys_form: &[
        ("Tab", "siguiente campo"),
        ("←→", "elegir rol, oficina o alcance"),
        ("Espacio", "dar o quitar el rol mostrado"),
        ("Ctrl-S", "guardar"),
        ("Esc", "cancelar"),
    ],
    edit_title: "Cambiar usuario",
    roles_held: "Roles:",
    keys_sessions: &[
        ("↑↓", "elegir sesión"),
        ("x", "cerrar la sesión elegida"),
        ("g", "releer"),
        ("Esc", "volver a los usuarios"),
    ],
    keys_offices: &[
        ("↑↓", "elegir oficina"),
        ("n", "nueva oficina"),
        ("e Enter", "cambiar la oficina elegida"),
        ("g", "releer"),
    ],
    keys_office_form: &[
        ("Tab", "siguiente campo"),
        ("Ctrl-S", "guardar"),
        ("Esc", "cancelar"),
    ],
    keys_settings: &[
        ("↑↓", "elegir ajuste"),
        ("Enter", "cambiar el valor (sí/no se invierte)"),
        ("Ctrl-S", "guardar todos los cambios"),
        ("h", "historial de ajustes y oficinas"),
        ("g", "releer (descarta lo no guardado)"),
    ],
    keys_review: &[("↑↓", "elegir usuario"), ("g", "releer")],
    tab_names: ["Usuarios", "Oficinas", "Ajustes", "Accesos", "Acuerdos"],
    sessions_hint: "x cerrar sesión · g releer · Esc volver",
    offices_hint: "n nueva · e editar · g releer",
    review_hint: "↑↓ elegir · g releer",
    col_kind: "TIPO",
    col_opened: "ABIERTA",
    col_used: "ÚLTIMO USO",
    col_expires: "VENCE",
    col_name: "NOMBRE",
    kind_api: "API",
    kind_session: "sesión",
    no_sessions: "No tiene sesiones abiertas.",
    col_code: "CÓD.",
    col_zone: "ZONA HORARIA",
    col_hours: "HORARIO",
    col_holidays: "FERIADOS",
    unit_calendar: "la unidad",
    office_labels: [
        "Código",
        "Nombre",
        "Zona horaria (IANA)",
        "Inicio (HH:MM)",
        "Fin (HH:MM)",
        "Días (1 = lunes)",
        "Feriados",
    ],
    office_form_hint: "Tab cambia · horario vacío: el de la unidad · Ctrl-S guarda",
    office_new_title: "Nueva oficina",
    office_edit_title: "Cambiar oficina",
    history_hint: "↑↓ elegir cambio · h o Esc vuelve a los ajustes",
    setting_edit_hint: "Enter acepta · Esc cancela",
    settings_hint: "Enter cambiar · h historial · g releer",
    settings_dirty_hint: "Sin guardar · Ctrl-S guarda · g descarta",
    modules_label: "Módulos",
    history_title: "Historial de ajustes y oficinas (más reciente primero)",
    no_history: "Sin cambios registrados.",
    settings_change: "ajustes de la unidad",
    col_offices: "OFICINAS",
    col_reads: "LEE",
    col_groups: "GRUPOS SENSIBLES",
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
    list_hint: "n new · e edit · s sessions · d disable/enable · c code · p force password",
    code_title: "One-time code",
    code_once: "Give it to the person: it will not be shown again.",
    form_title: "New user",
    form_labels: ["Username", "Name", "Role", "Office", "Scope"],
    form_hint: "Tab moves · ←→ chooses · Space gives/takes role · Ctrl-S saves",
    keys_list: &[
        ("↑↓", "choose a user"),
        ("1-4", "users, offices, settings, access review"),
        ("n", "create a user (shows their code once)"),
        ("e Enter", "change roles, office and scope"),
        ("s", "see and end their sessions"),
        ("p", "make them change their password"),
        ("d", "disable or enable the chosen user"),
        ("c", "issue a new code for their password"),
        ("g", "re-read the list"),
    ],
    keys_form: &[
        ("Tab", "next field"),
        ("←→", "choose role, office or scope"),
        ("Space", "give or take away the role shown"),
        ("Ctrl-S", "save"),
        ("Esc", "cancel"),
    ],
    edit_title: "Change user",
    roles_held: "Roles:",
    keys_sessions: &[
        ("↑↓", "choose a session"),
        ("x", "end the chosen session"),
        ("g", "re-read"),
        ("Esc", "back to the users"),
    ],
    keys_offices: &[
        ("↑↓", "choose an office"),
        ("n", "new office"),
        ("e Enter", "change the chosen office"),
        ("g", "re-read"),
    ],
    keys_office_form: &[("Tab", "next field"), ("Ctrl-S", "save"), ("Esc", "cancel")],
    keys_settings: &[
        ("↑↓", "choose a setting"),
        ("Enter", "change the value (yes/no flips)"),
        ("Ctrl-S", "save every change"),
        ("h", "history of settings and offices"),
        ("g", "re-read (drops what is not saved)"),
    ],
    keys_review: &[("↑↓", "choose a user"), ("g", "re-read")],
    tab_names: [
        "Users",
        "Offices",
        "Settings",
        "Access review",
        "Agreements",
    ],
    sessions_hint: "x end session · g re-read · Esc back",
    offices_hint: "n new · e edit · g re-read",
    review_hint: "↑↓ choose · g re-read",
    col_kind: "KIND",
    col_opened: "OPENED",
    col_used: "LAST USED",
    col_expires: "EXPIRES",
    col_name: "NAME",
    kind_api: "API",
    kind_session: "session",
    no_sessions: "No open sessions.",
    col_code: "CODE",
    col_zone: "TIME ZONE",
    col_hours: "HOURS",
    col_holidays: "HOLIDAYS",
    unit_calendar: "the unit",
    office_labels: [
        "Code",
        "Name",
        "Time zone (IANA)",
        "Day starts (HH:MM)",
        "Day ends (HH:MM)",
        "Days (1 = Monday)",
        "Holidays",
    ],
    office_form_hint: "Tab moves · empty hours: the unit's · Ctrl-S saves",
    office_new_title: "New office",
    office_edit_title: "Change office",
    history_hint: "↑↓ choose a change · h or Esc back to the settings",
    setting_edit_hint: "Enter accepts · Esc cancels",
    settings_hint: "Enter change · h history · g re-read",
    settings_dirty_hint: "Not saved · Ctrl-S saves · g drops",
    modules_label: "Modules",
    history_title: "History of settings and offices (newest first)",
    no_history: "No changes recorded.",
    settings_change: "unit settings",
    col_offices: "OFFICES",
    col_reads: "READS",
    col_groups: "SENSITIVE GROUPS",
};
