//! The words of the supervisor's view, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub open: &'static str,
    pub overdue: &'static str,
    pub priority: &'static str,
    pub unassigned: &'static str,
    pub awaiting_review: &'static str,
    pub abandonment: &'static str,
    pub appeals_near: &'static str,
    pub aging: &'static str,
    pub workload: &'static str,
    /// Names of the supervisor's lists, in the order of `work::LISTS`.
    pub lists: [&'static str; 5],
    pub reassigned: &'static str,
    pub supervisor_hint: &'static str,
    pub keys_supervisor: &'static [KeyHelp],
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
    open: "Abiertos",
    overdue: "vencidos",
    priority: "prioridad",
    unassigned: "sin asignar",
    awaiting_review: "Por revisar",
    abandonment: "abandono",
    appeals_near: "apelaciones por vencer",
    aging: "Antigüedad",
    workload: "Carga (abiertos/vencidos/revisión)",
    lists: [
        "Revisión",
        "Abandono",
        "Apelaciones",
        "Vencidos",
        "Prioridad",
    ],
    reassigned: "reasignados:",
    supervisor_hint: "1-5 lista · ↑↓ · Espacio elegir · a reasignar · Enter abrir · n/p",
    keys_supervisor: &[
        (
            "1-5",
            "revisión, abandono, apelaciones, vencidos, prioridad",
        ),
        ("↑ ↓", "elegir un caso"),
        ("Espacio", "marcar para reasignar"),
        ("a", "reasignar los marcados (o el elegido)"),
        ("Enter", "abrir el caso"),
        ("n, p", "página siguiente / anterior"),
        ("g", "releer"),
        ("s", "estadísticas de la unidad"),
        ("q", "calidad de los datos"),
        ("c, Ctrl-K", "conflictos de sincronización"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    open: "Open",
    overdue: "overdue",
    priority: "priority",
    unassigned: "unassigned",
    awaiting_review: "Awaiting review",
    abandonment: "abandonment",
    appeals_near: "appeals near deadline",
    aging: "Aging",
    workload: "Workload (open/overdue/review)",
    lists: ["Review", "Abandonment", "Appeals", "Overdue", "Priority"],
    reassigned: "reassigned:",
    supervisor_hint: "1-5 list · ↑↓ · Space choose · a reassign · Enter open · n/p",
    keys_supervisor: &[
        ("1-5", "review, abandonment, appeals, overdue, priority"),
        ("↑ ↓", "choose a case"),
        ("Space", "mark for reassignment"),
        ("a", "reassign the marked (or the chosen) case"),
        ("Enter", "open the case"),
        ("n, p", "next / previous page"),
        ("g", "reload"),
        ("s", "the unit's statistics"),
        ("q", "data quality"),
        ("c, Ctrl-K", "sync conflicts"),
    ],
};
