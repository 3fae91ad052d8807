//! Resettlement steps pending (F4, the home of resettlement staff in units that run the
//! resettlement module): every case not ended, the earliest deadline first, with its step,
//! priority, categories (`***` when withheld from the role), deadline (`OVERDUE` once passed)
//! and principal; `l` switches to the overdue and to the ended cases. Enter opens a case.

use super::Nav;
use super::queue::{Queue, QueueState};
use crate::api::resettlement_cases::{ResettlementCaseList, ResettlementStatus};
use crate::i18n::pick;
use crate::i18n::{KeyHelp, Lang};
use crate::msg::{Cmd, ResettlementRow};
use crate::widgets::{PageRequest, cell, ellipsis};

/// A step's name, from its wire name (IDENTIFIED, ASSESSED, ...).
pub fn step_name(status: &str, lang: Lang) -> &'static str {
    match status {
        "IDENTIFIED" => pick(lang, "por evaluar", "to assess"),
        "ASSESSED" => pick(lang, "por revisar", "to review"),
        "APPROVED" => pick(lang, "por presentar", "to submit"),
        "SUBMITTED" => pick(lang, "presentado", "submitted"),
        "INTERVIEWED" => pick(lang, "entrevistado", "interviewed"),
        "ACCEPTED" => pick(lang, "aceptado", "accepted"),
        "REJECTED" => pick(lang, "rechazado", "rejected"),
        "DEPARTED" => pick(lang, "partió", "departed"),
        "EXITED" => pick(lang, "salió", "exited"),
        _ => "?",
    }
}

/// A priority's name, from its wire name.
pub fn priority_name(p: &str, lang: Lang) -> &'static str {
    match p {
        "URGENT" => pick(lang, "URGENTE", "URGENT"),
        "EMERGENCY" => pick(lang, "EMERGENCIA", "EMERGENCY"),
        _ => pick(lang, "normal", "normal"),
    }
}

fn wire(s: &ResettlementStatus) -> String {
    format!("{s:?}")
}

/// The resettlement queue's lists, columns and case screen.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResettlementQueue;

/// The resettlement queue screen.
pub type ResettlementState = QueueState<ResettlementQueue>;

impl Queue for ResettlementQueue {
    type Row = ResettlementRow;
    type List = ResettlementCaseList;
    /// The steps pending first.
    const LISTS: &'static [(ResettlementCaseList, &'static str, &'static str)] = &[
        (
            ResettlementCaseList::PENDING,
            "Pasos pendientes de reasentamiento",
            "Resettlement steps pending",
        ),
        (
            ResettlementCaseList::OVERDUE,
            "Pasos vencidos",
            "Overdue steps",
        ),
        (
            ResettlementCaseList::ENDED,
            "Casos terminados",
            "Ended cases",
        ),
    ];

    fn load(list: ResettlementCaseList, page: PageRequest) -> Cmd {
        Cmd::ResettlementCases { list, page }
    }

    fn open(row: &ResettlementRow) -> Nav {
        Nav::ResettlementCase(row.id.clone())
    }

    const COLUMNS: &'static [(&'static str, &'static str, usize)] = &[
        ("Caso", "Case", 17),
        ("Paso", "Step", 14),
        ("Prioridad", "Priority", 11),
        ("Categ.", "Categ.", 8),
        ("Vence", "Due", 12),
        ("Principal", "Principal", 0),
    ];

    fn line(r: &ResettlementRow, lang: Lang, width: usize) -> (String, bool) {
        let person = r
            .members
            .iter()
            .find(|m| m.principal)
            .and_then(|m| m.individual.as_ref())
            .map_or("—", |x| x.full_name.as_str());
        let due = match &r.due_on {
            Some(d) if r.overdue => format!("{d}!"),
            Some(d) => d.clone(),
            None => "—".into(),
        };
        let cats = if r.restricted {
            "***".to_string()
        } else {
            r.categories.join(",")
        };
        let text = format!(
            "{}{}{}{}{}{}",
            cell(&r.case_number, 17),
            cell(step_name(&wire(&r.status), lang), 14),
            cell(priority_name(&format!("{:?}", r.priority), lang), 11),
            cell(&cats, 8),
            cell(&due, 12),
            ellipsis(person, width.saturating_sub(62)),
        );
        (text, r.overdue)
    }

    fn help(lang: Lang) -> &'static [KeyHelp] {
        match lang {
            Lang::Es => &[("l", "pendientes / vencidos / terminados")],
            Lang::En => &[("l", "pending / overdue / ended")],
        }
    }

    fn hint(lang: Lang) -> &'static str {
        pick(
            lang,
            " Enter abre · l lista · g vuelve a leer · ! vencido · ? ayuda",
            " Enter opens · l list · g read again · ! overdue · ? help",
        )
    }
}
