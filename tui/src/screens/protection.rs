//! Protection follow-ups (F8, the home of protection staff in units that run the protection
//! module): the cases with a follow-up due today or earlier, most overdue first; `l` switches
//! to the open cases and to the closed ones. Enter opens a case. The screen is the procedures'
//! queue (`queue.rs`); this is what protection puts in it.

use super::Nav;
use super::queue::{Queue, QueueState};
use crate::api::protection_cases::ProtectionCaseList;
use crate::i18n::{KeyHelp, Lang, pick};
use crate::msg::{Cmd, ProtectionRow};
use crate::widgets::{PageRequest, cell, ellipsis};

/// The name of a risk level.
pub fn risk_name(risk: &str, lang: Lang) -> &'static str {
    match risk {
        "LOW" => pick(lang, "bajo", "low"),
        "MEDIUM" => pick(lang, "medio", "medium"),
        "HIGH" => pick(lang, "ALTO", "HIGH"),
        "CRITICAL" => pick(lang, "CRÍTICO", "CRITICAL"),
        _ => "?",
    }
}

/// The protection queue's lists, columns and case screen.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProtectionQueue;

/// The protection queue screen.
pub type ProtectionState = QueueState<ProtectionQueue>;

impl Queue for ProtectionQueue {
    type Row = ProtectionRow;
    type List = ProtectionCaseList;
    /// The protection officers' work first.
    const LISTS: &'static [(ProtectionCaseList, &'static str, &'static str)] = &[
        (
            ProtectionCaseList::FOLLOW_UPS_DUE,
            "Seguimientos pendientes",
            "Follow-ups due",
        ),
        (ProtectionCaseList::OPEN, "Casos abiertos", "Open cases"),
        (ProtectionCaseList::CLOSED, "Casos cerrados", "Closed cases"),
    ];

    fn load(list: ProtectionCaseList, page: PageRequest) -> Cmd {
        Cmd::ProtectionCases { list, page }
    }

    fn open(row: &ProtectionRow) -> Nav {
        Nav::ProtectionCase(row.id.clone())
    }

    const COLUMNS: &'static [(&'static str, &'static str, usize)] = &[
        ("Caso", "Case", 17),
        ("Riesgo", "Risk", 9),
        ("Categ.", "Categ.", 7),
        ("Seguim.", "Follow-up", 11),
        ("Persona", "Person", 0),
    ];

    fn line(r: &ProtectionRow, lang: Lang, width: usize) -> (String, bool) {
        let person = r
            .members
            .iter()
            .find(|m| m.principal)
            .map(|m| {
                let name = m
                    .individual
                    .as_ref()
                    .map_or("—", |x| x.full_name.as_str())
                    .to_string();
                if r.members.iter().any(|m| m.child) {
                    format!("{name} [{}]", pick(lang, "NNA", "CHILD"))
                } else {
                    name
                }
            })
            .unwrap_or_default();
        let risk = format!("{:?}", r.risk_level);
        let text = format!(
            "{}{}{}{}{}",
            cell(&r.case_number, 17),
            cell(risk_name(&risk, lang), 9),
            cell(r.category.as_deref().unwrap_or("***"), 7),
            cell(r.next_follow_up.as_deref().unwrap_or("—"), 11),
            ellipsis(&person, width.saturating_sub(44)),
        );
        (text, false)
    }

    fn help(lang: Lang) -> &'static [KeyHelp] {
        match lang {
            Lang::Es => &[("l", "seguimientos / abiertos / cerrados")],
            Lang::En => &[("l", "follow-ups due / open / closed")],
        }
    }

    fn hint(lang: Lang) -> &'static str {
        pick(
            lang,
            " Enter abre · l lista · g vuelve a leer · ? ayuda",
            " Enter opens · l list · g read again · ? help",
        )
    }
}
