//! A person's record: names, sex, birth, nationalities, office, address, phones and
//! languages, specific needs with their status, documents, group and history, flipped by
//! whole pages.

mod texts;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::person_form::{self, FormEvent, Kind, PersonForm};
use super::{Ctx, Nav, Outcome, Screen, page_lines};
use crate::api::individual::{IndividualIndividual, NeedStatus};
use crate::api::{self, ApiError};
use amparo_domain::{codes, needs};

use crate::i18n::{KeyHelp, Lang};
use crate::msg::Cmd;
use crate::widgets::{PagedLines, bold, cell, dim, when};
use texts::Texts;

#[derive(Debug, Clone, Default)]
pub struct IndividualState {
    /// The person as read, paged.
    pub record: PagedLines<IndividualIndividual>,
    /// The person form open over the record.
    pub form: Option<PersonForm>,
    /// What the last form sent did, shown until the next key.
    pub done: Option<Kind>,
    pub id: String,
}

impl IndividualState {
    /// Starts reading a person.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        let seq = self.record.open();
        self.form = None;
        self.done = None;
        self.id = id.clone();
        vec![Cmd::Individual { seq, id }]
    }

    /// Reads the person again, keeping what is shown (and any form) until the answer arrives.
    pub fn reread(&mut self) -> Vec<Cmd> {
        if self.id.is_empty() {
            return Vec::new();
        }
        vec![Cmd::Individual {
            seq: self.record.reread(),
            id: self.id.clone(),
        }]
    }

    /// Whether a form takes the keys.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    /// The forms this user may open, by the roles the API gives each action.
    fn allowed(kind: Kind, ctx: &Ctx) -> bool {
        let has = |roles: &[&str]| {
            ctx.me
                .is_some_and(|m| m.roles.iter().any(|r| roles.contains(&r.as_str())))
        };
        match kind {
            Kind::AddNeed => has(&[
                "registration_clerk",
                "eligibility_officer",
                "supervisor",
                "protection_officer",
            ]),
            Kind::ReviewNeed => has(&["supervisor", "protection_officer"]),
            Kind::AddDocument | Kind::EditDocument | Kind::Correct => {
                has(&["registration_clerk", "eligibility_officer", "supervisor"])
            }
            Kind::OpenCase => {
                has(&["registration_clerk", "eligibility_officer", "supervisor"])
                    && ctx.runs(amparo_domain::access::Module::Rsd)
            }
        }
    }

    /// The answer to a person's form: done, it closes and the person is read again (or the
    /// case opened is shown); refused, the form stays with the reason; a conflict reads the
    /// record again under the form.
    pub fn person_reply(
        &mut self,
        cmid: &str,
        result: Result<Option<String>, ApiError>,
    ) -> Outcome {
        let Some(form) = self.form.as_mut() else {
            return Outcome::none();
        };
        let conflict = matches!(result, Err(ApiError::Conflict(_)));
        if !form.answered(cmid, result.as_ref().err().cloned()) {
            return Outcome::none();
        }
        match result {
            Ok(case) => {
                self.done = Some(form.kind);
                self.form = None;
                let mut out = Outcome::send(self.reread());
                if let Some(id) = case {
                    out.nav = Some(Nav::Case(id));
                }
                out
            }
            Err(_) if conflict => Outcome::send(self.reread()),
            Err(_) => Outcome::changed(true),
        }
    }

    /// Whether a form on this person holds work not yet sent.
    pub fn unsent(&self) -> bool {
        self.form.is_some()
    }

    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.handle(&key) {
                FormEvent::Close => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormEvent::Changed(c) => Outcome::changed(c),
                FormEvent::Send(cmd) => Outcome::send(vec![cmd]),
            };
        }
        self.done = None;
        let kind = match key.code {
            KeyCode::Char('+') => Some(Kind::AddNeed),
            KeyCode::Char('v') => Some(Kind::ReviewNeed),
            KeyCode::Char('d') => Some(Kind::AddDocument),
            KeyCode::Char('D') => Some(Kind::EditDocument),
            KeyCode::Char('e') => Some(Kind::Correct),
            KeyCode::Char('a') => Some(Kind::OpenCase),
            _ => None,
        };
        if let Some(kind) = kind {
            if !Self::allowed(kind, ctx) {
                return Outcome::none();
            }
            let Some(p) = &self.record.data else {
                return Outcome::none();
            };
            self.form = PersonForm::new(kind, p, ctx.lang);
            return Outcome::changed(self.form.is_some());
        }
        // Whoever may refer refers the person shown to another unit (the referral form).
        if key.code == KeyCode::Char('R')
            && super::referrals::may_refer(ctx)
            && let Some(p) = &self.record.data
        {
            return Outcome::go(Nav::Refer(p.id.clone()));
        }
        // Protection staff open a protection case for the person shown (its intake form).
        if key.code == KeyCode::Char('P')
            && ctx.runs(amparo_domain::access::Module::Protection)
            && ctx.me.is_some_and(|m| {
                m.roles
                    .iter()
                    .any(|r| r == "protection_officer" || r == "supervisor")
            })
            && let Some(p) = &self.record.data
        {
            return Outcome::go(Nav::ProtectionIntake(p.id.clone()));
        }
        if let KeyCode::Char(c @ '1'..='9') = key.code {
            let n = c as usize - '1' as usize;
            let case = self.record.data.as_ref().and_then(|p| p.cases.get(n));
            return match case {
                Some(k) => Outcome::go(Nav::Case(k.id.clone())),
                None => Outcome::none(),
            };
        }
        // The view shows the body (all rows but the header and status lines) less one hint line.
        let page = page_lines(ctx.size, 3);
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Search,
                reread: false,
            }),
            KeyCode::Char('g') => {
                let group = self.record.data.as_ref().and_then(|p| {
                    let m = p.group_membership.as_ref()?;
                    Some(m.group.as_ref()?.id.clone())
                });
                match group {
                    Some(id) => Outcome::go(Nav::Group(id)),
                    None => Outcome::none(),
                }
            }
            code => Outcome::changed(self.record.flip(code, page)),
        }
    }

    pub fn reply(
        &mut self,
        seq: u64,
        result: Result<Box<api::individual::ResponseData>, ApiError>,
        ctx: &Ctx,
    ) {
        let t = texts::get(ctx.lang);
        let read = self.record.answer(seq, result.map(|d| d.individual), |p| {
            individual_lines(t, p).len()
        });
        if let (true, Some(form), Some(p)) = (read, self.form.as_mut(), &self.record.data)
            && matches!(form.error, Some(ApiError::Conflict(_)))
        {
            form.rebase(p, ctx.lang);
        }
    }

    pub fn help(lang: Lang) -> &'static [KeyHelp] {
        let t = texts::get(lang);
        t.keys_individual
    }

    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let lines = self
            .record
            .body(|e| t.error(e), t.loading, |p| individual_lines(t, p));
        let notes = self
            .done
            .map(|kind| Line::styled(t.done(kind), bold()))
            .into_iter()
            .collect();
        self.record
            .draw(frame, area, lines, notes, t.more_below, t.individual_hint);
        if let Some(form) = &self.form {
            person_form::draw(lang, form, frame, area);
        }
    }
}

fn need_badge(t: &Texts, status: &NeedStatus) -> (&'static str, Style) {
    match status {
        NeedStatus::PENDING_REVIEW => (t.pending_review, Style::new().fg(Color::Yellow)),
        NeedStatus::CONFIRMED => (t.confirmed, Style::new().fg(Color::Green)),
        NeedStatus::RESOLVED => (t.resolved, dim()),
        NeedStatus::Other(_) => ("?", Style::new()),
    }
}

/// The individual's lines, before paging; their count is kept to know where pages end.
pub fn individual_lines<'a>(t: &Texts, p: &'a IndividualIndividual) -> Vec<Line<'a>> {
    let mut lines = vec![Line::from(vec![
        Span::styled(p.individual_number.as_str(), bold()),
        Span::raw("  "),
        Span::styled(p.full_name.as_str(), bold()),
    ])];
    if let Some(o) = &p.original_script_name {
        lines.push(Line::raw(format!("{}: {o}", t.original_script)));
    }
    let birth = match (&p.date_of_birth, &p.date_of_birth_precision) {
        (Some(d), Some(prec)) if prec != "exact" => format!("{d} ({prec})"),
        (Some(d), _) => d.clone(),
        (None, _) => "—".to_string(),
    };
    lines.push(Line::raw(format!(
        "{}: {}   {}: {birth}   {}: {}",
        t.sex,
        p.sex.as_deref().unwrap_or("—"),
        t.birth_date,
        t.nationalities,
        if p.nationalities.is_empty() {
            "—".to_string()
        } else {
            p.nationalities.join(", ")
        }
    )));
    lines.push(Line::raw(format!("{}: {}", t.office, p.office.name)));
    // Contact lines only when there is something to show: `e` adds them.
    for a in p.addresses.iter().filter(|a| a.valid_to.is_none()) {
        let city = a
            .city
            .as_deref()
            .map(|c| format!(", {c}"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "{}: {}{city} ({})",
            t.address, a.line, a.country
        )));
    }
    if !p.phones.is_empty() || !p.languages.is_empty() {
        let phones: Vec<_> = p.phones.iter().map(|ph| ph.number.as_str()).collect();
        let languages: Vec<_> = p
            .languages
            .iter()
            .map(|l| codes::label_or_code(codes::LANGUAGES.terms(), &l.language, t.lang))
            .collect();
        lines.push(Line::raw(format!(
            "{}: {}   {}: {}",
            t.phones,
            if phones.is_empty() {
                "—".to_string()
            } else {
                phones.join(", ")
            },
            t.languages,
            if languages.is_empty() {
                "—".to_string()
            } else {
                languages.join(", ")
            },
        )));
    }
    lines.push(Line::default());
    // One need a line: the code and its status always whole, the name after them cut last.
    let mut head = vec![Span::styled(format!("{}:", t.needs), bold())];
    if p.specific_needs.is_empty() && p.withheld_specific_needs == 0 {
        head.push(Span::raw(format!(" {}", t.none)));
    }
    if p.withheld_specific_needs > 0 {
        head.push(Span::styled(
            format!(" (+{} {})", p.withheld_specific_needs, t.withheld),
            dim(),
        ));
    }
    lines.push(Line::from(head));
    for n in &p.specific_needs {
        let (label, style) = need_badge(t, &n.status);
        let code = n.sub_code.as_deref().unwrap_or(&n.code);
        lines.push(Line::from(vec![
            Span::styled(format!("  [{code} {label}]"), style),
            Span::raw(format!(" {}", needs::label_or_code(code, t.lang))),
        ]));
    }
    lines.push(Line::styled(format!("{}:", t.documents), bold()));
    if p.documents.is_empty() {
        lines.push(Line::raw("  —"));
    }
    for d in &p.documents {
        let country = d
            .issuing_country
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {}: {}{country}",
            codes::label_or_code(codes::DOCUMENT_TYPE.terms(), &d.document_type, t.lang),
            d.number
        )));
    }
    if let Some(m) = &p.group_membership {
        let number = m.group.as_ref().map_or("—", |g| g.group_number.as_str());
        lines.push(Line::styled(
            format!(
                "{} {number} · {}: {}",
                t.group,
                t.relationship,
                t.relationship(&m.relationship)
            ),
            bold(),
        ));
        for gm in m.group.iter().flat_map(|g| &g.members) {
            let (num, name) = gm.individual.as_ref().map_or(("—", "—"), |i| {
                (i.individual_number.as_str(), i.full_name.as_str())
            });
            lines.push(Line::raw(format!(
                "  {}{num:<17}{name}",
                cell(t.relationship(&gm.relationship), 16)
            )));
        }
    }
    lines.push(Line::styled(format!("{}:", t.cases), bold()));
    if p.cases.is_empty() {
        lines.push(Line::raw("  —"));
    }
    for (i, k) in p.cases.iter().enumerate() {
        let key = if i < 9 {
            format!("{}", i + 1)
        } else {
            " ".into()
        };
        lines.push(Line::raw(format!(
            "  {key}  {:<18}{}",
            k.case_number,
            t.code(&k.status)
        )));
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &p.history {
        lines.push(Line::raw(format!(
            "  {}  {:<16}{}",
            when(&e.at),
            e.actor,
            t.code(&e.kind)
        )));
    }
    lines
}
