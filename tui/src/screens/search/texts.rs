//! The words of search, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub query: &'static str,
    pub query_hint: &'static str,
    pub col_born: &'static str,
    pub no_results: &'static str,
    pub searching: &'static str,
    pub results_hint: &'static str,
    pub keys_search: &'static [KeyHelp],
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
    query: "Buscar",
    query_hint: "Nombres como se oyen (tildes, transliteraciones, parciales) o un número.",
    col_born: "Nacimiento",
    no_results: "Nadie coincide con la búsqueda.",
    searching: "Buscando…",
    results_hint: "↑↓ elegir · Enter abrir · n/AvPág siguiente · p/RePág anterior · / buscar",
    keys_search: &[
        ("Enter", "buscar lo escrito; en la lista, abrir"),
        ("↑ ↓", "elegir en la lista"),
        ("n, AvPág", "página siguiente"),
        ("p, RePág", "página anterior"),
        ("/", "volver a escribir la búsqueda"),
        ("r, F3", "registrar un grupo"),
        ("Ctrl-K", "conflictos de sincronización"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    query: "Search",
    query_hint: "Names as you hear them (accents, transliterations, partial) or a number.",
    col_born: "Born",
    no_results: "No one matches the search.",
    searching: "Searching…",
    results_hint: "↑↓ choose · Enter open · n/PgDn next · p/PgUp previous · / search",
    keys_search: &[
        ("Enter", "search what is typed; in the list, open"),
        ("↑ ↓", "choose in the list"),
        ("n, PgDn", "next page"),
        ("p, PgUp", "previous page"),
        ("/", "back to typing the search"),
        ("r, F3", "register a group"),
        ("Ctrl-K", "sync conflicts"),
    ],
};
