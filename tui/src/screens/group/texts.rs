//! The words of the registration group screen, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

use std::ops::Deref;

use crate::i18n::{self, KeyHelp, Lang, Text};

pub struct Texts {
    common: &'static Text,
    pub status: &'static str,
    pub active: &'static str,
    pub closed: &'static str,
    pub registered_on: &'static str,
    pub members: &'static str,
    pub past_members: &'static str,
    pub ended: &'static str,
    pub out_of_scope: &'static str,
    pub hint: &'static str,
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
    status: "Estado",
    active: "activo",
    closed: "cerrado",
    registered_on: "Registrado",
    members: "Miembros",
    past_members: "Miembros anteriores",
    ended: "salió",
    out_of_scope: "fuera de su alcance",
    hint: "↑↓ elegir · Enter abrir · AvPág/RePág páginas · Esc volver",
    keys: &[
        ("↑ ↓", "elegir un miembro"),
        ("Enter", "abrir el miembro"),
        ("AvPág, n", "página siguiente"),
        ("RePág, p", "página anterior"),
        ("Esc", "volver"),
    ],
};

static EN: Texts = Texts {
    common: &i18n::EN,
    status: "Status",
    active: "active",
    closed: "closed",
    registered_on: "Registered",
    members: "Members",
    past_members: "Past members",
    ended: "left",
    out_of_scope: "outside your scope",
    hint: "↑↓ choose · Enter open · PgDn/PgUp pages · Esc back",
    keys: &[
        ("↑ ↓", "choose a member"),
        ("Enter", "open the member"),
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("Esc", "back"),
    ],
};
