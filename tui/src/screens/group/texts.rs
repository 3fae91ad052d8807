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
    pub marked_for_merge: &'static str,
    pub done_split: &'static str,
    pub done_merge: &'static str,
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
    hint: "↑↓ elegir · Enter abrir · x marcar · s separar · m/M unir · Esc volver",
    marked_for_merge: "Marcado para unir a otro grupo",
    done_split: "Separados: este es el grupo nuevo.",
    done_merge: "Unidos: el otro grupo quedó cerrado.",
    keys: &[
        ("x", "marcar o desmarcar al miembro"),
        ("s", "separar los marcados a un grupo nuevo"),
        ("m", "marcar este grupo para unirlo a otro"),
        ("M", "unir el grupo marcado a este"),
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
    hint: "↑↓ choose · Enter open · x mark · s split · m/M merge · Esc back",
    marked_for_merge: "Marked to merge into another group",
    done_split: "Split: this is the new group.",
    done_merge: "Merged: the other group is closed.",
    keys: &[
        ("x", "mark or unmark the member"),
        ("s", "split the marked into a new group"),
        ("m", "mark this group to merge into another"),
        ("M", "merge the marked group into this one"),
        ("↑ ↓", "choose a member"),
        ("Enter", "open the member"),
        ("PgDn, n", "next page"),
        ("PgUp, p", "previous page"),
        ("Esc", "back"),
    ],
};
