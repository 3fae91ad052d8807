//! The words of My work, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub all_statuses: &'static str,
    pub filter_status: &'static str,
    pub priority_only: &'static str,
    pub overdue_only: &'static str,
    pub work_hint: &'static str,
    pub keys_work: &'static [KeyHelp],
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
    all_statuses: "todos",
    filter_status: "Estado",
    priority_only: "solo prioridad (!)",
    overdue_only: "solo vencidos (o)",
    work_hint: "↑↓ elegir · Enter abrir · f estado · ! prioridad · o vencidos · n/p páginas",
    keys_work: &[
        ("↑ ↓", "elegir un caso"),
        ("Enter", "abrir el caso"),
        ("f, F", "estado siguiente / anterior"),
        ("!", "solo prioridad"),
        ("o", "solo vencidos"),
        ("n, AvPág", "página siguiente"),
        ("p, RePág", "página anterior"),
        ("g", "releer"),
        ("c, Ctrl-K", "conflictos de sincronización"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    all_statuses: "all",
    filter_status: "Status",
    priority_only: "priority only (!)",
    overdue_only: "overdue only (o)",
    work_hint: "↑↓ choose · Enter open · f status · ! priority · o overdue · n/p pages",
    keys_work: &[
        ("↑ ↓", "choose a case"),
        ("Enter", "open the case"),
        ("f, F", "next / previous status"),
        ("!", "priority only"),
        ("o", "overdue only"),
        ("n, PgDn", "next page"),
        ("p, PgUp", "previous page"),
        ("g", "reload"),
        ("c, Ctrl-K", "sync conflicts"),
    ],
};
