//! The words of the administration screen, in Spanish and English. The words every screen uses
//! (errors, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use crate::i18n::Lang;
use crate::widgets::office_clock;

include!(concat!(env!("OUT_DIR"), "/texts/admin.rs"));

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
            super::View::Nodes => 5,
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
