//! The navigation table: which key opens which screen for whom, in one place. Each [`Row`] names
//! its keys, who gets it (roles, the module their unit must run, or a permission), the screen
//! and its label in both languages, and whether it can be a landing screen. Key handling
//! ([`target`]), the help overlay ([`help`]) and the screen a user lands on after logging in
//! ([`home`]) all read it, so a new screen reached by a key is one row here.
//!
//! Rows are tried in order and the first that holds for the user takes a key: F4 is My work
//! for RSD officers, else supervision, else distributions, else statistics, else resettlement.
//! A row may also ask for field nodes: sync conflicts (Ctrl-K) exist only in a unit that has
//! some, or on a node itself, and are offered nowhere else.

use amparo_domain::access::{Module, Permission, Role};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::i18n::Lang;
use crate::screens::{Ctx, Screen};

/// When a key of a row is live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// On every screen but the login.
    Always,
    /// Only while no field takes printable characters (a letter key).
    NotTyping,
    /// Only while no form is open (F10 sends forms).
    NoForm,
}

/// One key of a row.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    /// Pressed with Ctrl.
    pub ctrl: bool,
    /// As the help shows it.
    pub shown: &'static str,
    pub when: When,
}

/// A key as pressed: its code and whether Ctrl was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Press {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl From<KeyCode> for Press {
    fn from(code: KeyCode) -> Self {
        Self { code, ctrl: false }
    }
}

impl From<&KeyEvent> for Press {
    fn from(k: &KeyEvent) -> Self {
        Self {
            code: k.code,
            ctrl: k.modifiers.contains(KeyModifiers::CONTROL),
        }
    }
}

impl Key {
    fn is(&self, p: Press) -> bool {
        self.code == p.code && self.ctrl == p.ctrl
    }
}

const fn f(n: u8) -> Key {
    Key {
        code: KeyCode::F(n),
        shown: match n {
            2 => "F2",
            3 => "F3",
            4 => "F4",
            5 => "F5",
            6 => "F6",
            7 => "F7",
            8 => "F8",
            10 => "F10",
            11 => "F11",
            12 => "F12",
            _ => "F?",
        },
        ctrl: false,
        when: if n == 10 { When::NoForm } else { When::Always },
    }
}

const fn letter(c: char, shown: &'static str) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
        shown,
        when: When::NotTyping,
    }
}

/// Ctrl and a letter: live in forms too (a form's fields take no Ctrl keys but Ctrl-S).
const fn ctrl(c: char, shown: &'static str) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
        shown,
        when: When::Always,
    }
}

/// Who gets a row: any of `roles` (none listed: every role), in a unit that runs `module`,
/// holding `permission`, and, with `field_nodes`, where sync conflicts can exist.
#[derive(Debug, Clone, Copy)]
pub struct Who {
    pub roles: &'static [&'static str],
    pub module: Option<Module>,
    pub permission: Option<Permission>,
    pub field_nodes: bool,
}

const fn roles(roles: &'static [&'static str], module: Option<Module>) -> Who {
    Who {
        roles,
        module,
        permission: None,
        field_nodes: false,
    }
}

const fn permission(permission: Permission, module: Option<Module>) -> Who {
    Who {
        roles: &[],
        module,
        permission: Some(permission),
        field_nodes: false,
    }
}

/// One screen reached by a key.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub keys: &'static [Key],
    pub who: Who,
    pub screen: Screen,
    pub es: &'static str,
    pub en: &'static str,
    /// Where this row stands among the landing screens (lower first); None: never landed on.
    pub home: Option<u8>,
    /// Opens above the screen shown, which Esc comes back to, instead of replacing it.
    pub above: bool,
}

/// The table, in the order rows take keys.
pub const ROWS: &[Row] = &[
    Row {
        keys: &[f(4)],
        who: roles(&["eligibility_officer"], Some(Module::Rsd)),
        screen: Screen::Work,
        es: "mi trabajo",
        en: "my work",
        above: false,
        home: Some(3),
    },
    Row {
        keys: &[f(4), f(5)],
        who: roles(&["supervisor"], Some(Module::Rsd)),
        screen: Screen::Supervisor,
        es: "supervisión",
        en: "supervision",
        above: false,
        home: Some(2),
    },
    Row {
        keys: &[f(4)],
        who: roles(&["assistance_officer"], Some(Module::Assistance)),
        screen: Screen::Distributions,
        es: "distribuciones del día, programas",
        en: "the day's distributions, programmes",
        above: false,
        home: Some(4),
    },
    Row {
        keys: &[f(4)],
        who: roles(&["analyst"], None),
        screen: Screen::Statistics,
        es: "estadísticas de la unidad",
        en: "the unit's statistics",
        above: false,
        home: Some(7),
    },
    Row {
        keys: &[f(4)],
        who: roles(&["resettlement_officer"], Some(Module::Resettlement)),
        screen: Screen::Resettlement,
        es: "reasentamiento: pasos pendientes",
        en: "resettlement steps pending",
        above: false,
        home: Some(5),
    },
    Row {
        keys: &[f(10)],
        who: permission(Permission::ReferPersons, None),
        screen: Screen::Referrals,
        es: "referencias entre unidades",
        en: "referrals between units",
        above: false,
        home: None,
    },
    Row {
        keys: &[f(6)],
        who: roles(
            &["supervisor", "protection_officer"],
            Some(Module::Registration),
        ),
        screen: Screen::Reviews,
        es: "posibles duplicados",
        en: "possible duplicates",
        above: false,
        home: None,
    },
    Row {
        keys: &[f(7)],
        who: roles(&["unit_admin"], None),
        screen: Screen::Admin,
        es: "administración de la unidad",
        en: "the unit's administration",
        above: false,
        home: Some(1),
    },
    Row {
        keys: &[f(12)],
        who: roles(&[], None),
        screen: Screen::Tokens,
        es: "sus tokens de API",
        en: "your API tokens",
        above: false,
        home: None,
    },
    Row {
        keys: &[f(11)],
        who: permission(Permission::WritePersons, Some(Module::Registration)),
        screen: Screen::ImportReviews,
        es: "duplicados de importaciones",
        en: "duplicates from imports",
        above: false,
        home: None,
    },
    Row {
        keys: &[f(8)],
        who: roles(
            &["protection_officer", "supervisor"],
            Some(Module::Protection),
        ),
        screen: Screen::Protection,
        es: "casos de protección",
        en: "protection cases",
        above: false,
        home: Some(6),
    },
    Row {
        keys: &[f(8)],
        who: permission(Permission::WritePersons, Some(Module::Registration)),
        screen: Screen::PreRegs,
        es: "prerregistros en línea",
        en: "online pre-registrations",
        above: false,
        home: None,
    },
    Row {
        keys: &[f(2), letter('/', "/")],
        who: roles(&[], Some(Module::Registration)),
        screen: Screen::Search,
        es: "búsqueda",
        en: "search",
        above: false,
        home: Some(8),
    },
    Row {
        keys: &[f(3), letter('r', "r")],
        who: roles(&[], Some(Module::Registration)),
        screen: Screen::Register,
        es: "registro",
        en: "registration",
        above: false,
        home: None,
    },
    Row {
        keys: &[ctrl('k', "Ctrl-K")],
        who: Who {
            field_nodes: true,
            ..roles(&[], None)
        },
        screen: Screen::Conflicts,
        es: "conflictos de sincronización (también en formularios)",
        en: "sync conflicts (from forms too)",
        above: true,
        home: None,
    },
];

impl Who {
    /// Whether the user logged in gets the row.
    pub fn holds(&self, ctx: &Ctx) -> bool {
        let Some(me) = ctx.me else {
            return false;
        };
        let role =
            self.roles.is_empty() || me.roles.iter().any(|r| self.roles.contains(&r.as_str()));
        let module = self.module.is_none_or(|m| ctx.runs(m));
        let permission = self.permission.is_none_or(|p| {
            me.roles
                .iter()
                .any(|r| Role::parse(r).is_some_and(|r| r.permissions().contains(&p)))
        });
        role && module && permission && (!self.field_nodes || ctx.field_nodes)
    }
}

/// What the key handling needs to know of the moment.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    /// The focused field takes printable characters.
    pub typing: bool,
    /// A form is open on the screen shown.
    pub form_open: bool,
}

fn live(key: &Key, now: Moment) -> bool {
    match key.when {
        When::Always => true,
        When::NotTyping => !now.typing,
        When::NoForm => !now.form_open,
    }
}

/// Where in [`ROWS`] the row a key opens for this user now is, if any.
fn index_for(ctx: &Ctx, key: Press, now: Moment) -> Option<usize> {
    ROWS.iter()
        .position(|row| row.keys.iter().any(|k| k.is(key) && live(k, now)) && row.who.holds(ctx))
}

/// The row a key opens for this user now, if any.
pub fn row_for(ctx: &Ctx, key: impl Into<Press>, now: Moment) -> Option<&'static Row> {
    index_for(ctx, key.into(), now).map(|i| &ROWS[i])
}

/// The screen a key opens for this user now, if any.
pub fn target(ctx: &Ctx, key: impl Into<Press>, now: Moment) -> Option<Screen> {
    row_for(ctx, key, now).map(|r| r.screen)
}

/// Whether some row gives this user a key to `screen`.
pub fn reaches(ctx: &Ctx, screen: Screen) -> bool {
    ROWS.iter().any(|r| r.screen == screen && r.who.holds(ctx))
}

/// The screen the user lands on after logging in: the first of their rows by landing order,
/// else search.
pub fn home(ctx: &Ctx) -> Screen {
    ROWS.iter()
        .filter(|r| r.who.holds(ctx))
        .filter_map(|r| r.home.map(|h| (h, r.screen)))
        .min_by_key(|(h, _)| *h)
        .map_or(Screen::Search, |(_, s)| s)
}

/// The keys that open screens for this user, as the help lists them: each row's keys that it
/// takes (a key an earlier row takes is not repeated), ordered by function key.
pub fn help(ctx: &Ctx, lang: Lang) -> Vec<(String, String)> {
    let anywhere = Moment {
        typing: false,
        form_open: false,
    };
    let mut out: Vec<(u8, String, String)> = Vec::new();
    for (i, row) in ROWS.iter().enumerate().filter(|(_, r)| r.who.holds(ctx)) {
        let keys: Vec<&Key> = row
            .keys
            .iter()
            .filter(|k| {
                let press = Press {
                    code: k.code,
                    ctrl: k.ctrl,
                };
                index_for(ctx, press, anywhere) == Some(i)
            })
            .collect();
        let Some(first) = keys.first() else {
            continue;
        };
        let order = match first.code {
            KeyCode::F(n) => n,
            _ => u8::MAX,
        };
        let shown: Vec<&str> = keys.iter().map(|k| k.shown).collect();
        let label = match lang {
            Lang::Es => row.es,
            Lang::En => row.en,
        };
        out.push((order, shown.join(", "), label.to_string()));
    }
    out.sort_by_key(|(order, _, _)| *order);
    out.into_iter().map(|(_, k, d)| (k, d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::me::MeMe;

    fn me(roles: &[&str], modules: &[&str]) -> MeMe {
        serde_json::from_value(serde_json::json!({
            "id": "u", "username": "u", "roles": roles, "office": null,
            "operationUnit": { "timeZone": "America/Guayaquil", "modules": modules, "hasFieldNodes": false },
        }))
        .expect("a me")
    }

    fn ctx(me: &MeMe) -> Ctx<'_> {
        Ctx {
            lang: Lang::En,
            size: (80, 24),
            pending: 0,
            me: Some(me),
            officers: None,
            demo: false,
            field_nodes: false,
        }
    }

    const NOW: Moment = Moment {
        typing: false,
        form_open: false,
    };

    #[test]
    fn f4_is_each_roles_work_in_the_tables_order() {
        let dpin = ["registration", "rsd"];
        let unhcr = ["assistance", "protection", "resettlement"];
        for (roles, modules, screen) in [
            (&["eligibility_officer"][..], &dpin[..], Some(Screen::Work)),
            (&["supervisor"], &dpin, Some(Screen::Supervisor)),
            (&["assistance_officer"], &unhcr, Some(Screen::Distributions)),
            (&["analyst"], &dpin, Some(Screen::Statistics)),
            (
                &["resettlement_officer"],
                &unhcr,
                Some(Screen::Resettlement),
            ),
            (&["supervisor"], &unhcr, None),
            (&["registration_clerk"], &dpin, None),
        ] {
            let m = me(roles, modules);
            assert_eq!(target(&ctx(&m), KeyCode::F(4), NOW), screen, "{roles:?}");
        }
    }

    #[test]
    fn letters_wait_while_typing_and_f10_while_a_form_is_open() {
        let m = me(&["registration_clerk"], &["registration", "rsd"]);
        let c = ctx(&m);
        assert_eq!(target(&c, KeyCode::Char('/'), NOW), Some(Screen::Search));
        let typing = Moment {
            typing: true,
            form_open: false,
        };
        assert_eq!(target(&c, KeyCode::Char('/'), typing), None);
        assert_eq!(target(&c, KeyCode::F(2), typing), Some(Screen::Search));
        assert_eq!(target(&c, KeyCode::F(10), NOW), Some(Screen::Referrals));
        let form = Moment {
            typing: true,
            form_open: true,
        };
        assert_eq!(target(&c, KeyCode::F(10), form), None);
    }

    #[test]
    fn users_land_on_their_work() {
        let dpin = ["registration", "rsd"];
        let unhcr = ["assistance", "protection", "resettlement"];
        for (roles, modules, screen) in [
            (&["unit_admin", "supervisor"][..], &dpin[..], Screen::Admin),
            (&["supervisor"], &dpin, Screen::Supervisor),
            (&["eligibility_officer"], &dpin, Screen::Work),
            (&["assistance_officer"], &unhcr, Screen::Distributions),
            (&["resettlement_officer"], &unhcr, Screen::Resettlement),
            (&["protection_officer"], &unhcr, Screen::Protection),
            (&["supervisor"], &unhcr, Screen::Protection),
            (&["analyst"], &dpin, Screen::Statistics),
            (&["registration_clerk"], &dpin, Screen::Search),
        ] {
            let m = me(roles, modules);
            assert_eq!(home(&ctx(&m)), screen, "{roles:?}");
        }
    }

    #[test]
    fn the_help_lists_the_key_that_fires_once() {
        // A supervisor of a unit running RSD and protection: F8 is protection, not the
        // pre-registrations an earlier row does not take; F4 and F5 are one line.
        let m = me(&["supervisor"], &["registration", "rsd", "protection"]);
        let keys = help(&ctx(&m), Lang::En);
        let f8: Vec<_> = keys.iter().filter(|(k, _)| k == "F8").collect();
        assert_eq!(f8, [&("F8".to_string(), "protection cases".to_string())]);
        assert!(keys.contains(&("F4, F5".to_string(), "supervision".to_string())));
        assert_eq!(keys.first().map(|(k, _)| k.as_str()), Some("F2, /"));
    }

    #[test]
    fn sync_conflicts_are_offered_only_where_there_can_be_some() {
        let m = me(&["registration_clerk"], &["registration", "rsd"]);
        let k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
        let without = ctx(&m);
        assert_eq!(target(&without, &k, NOW), None);
        assert!(!help(&without, Lang::En).iter().any(|(k, _)| k == "Ctrl-K"));
        let with = Ctx {
            field_nodes: true,
            ..ctx(&m)
        };
        let in_a_form = Moment {
            typing: true,
            form_open: true,
        };
        assert_eq!(target(&with, &k, in_a_form), Some(Screen::Conflicts));
        // A plain k is a letter, not the key.
        assert_eq!(target(&with, KeyCode::Char('k'), NOW), None);
        assert!(help(&with, Lang::En).iter().any(|(k, _)| k == "Ctrl-K"));
    }
}
