//! A case: status, stage, deadlines, members, workflow and history, paged, with the actions
//! the server allows below, each opened by its key (from [`crate::actions::ACTIONS`]) as a
//! form over the record.

mod texts;

use amparo_domain::code_lists;
use amparo_domain::codes::label_or_code;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action_form::{self, ActionForm, CaseContext, FormEvent};
use super::cases::Reload;
use super::{Ctx, Nav, Outcome, Screen, page_lines};
use crate::actions;
use crate::api::case::CaseCase;
use crate::api::{self, ApiError};
use crate::i18n::Lang;
use crate::msg::{ActDone, Cmd};
use crate::widgets::{bold, cell, dim, error, local_date, local_time, warn};
use texts::Texts;

/// One case, its record and the form of the action being taken.
#[derive(Debug, Clone, Default)]
pub struct CaseState {
    pub id: String,
    pub seq: u64,
    pub loading: bool,
    pub data: Option<api::case::CaseCase>,
    pub error: Option<ApiError>,
    pub top: usize,
    pub form: Option<ActionForm>,
    pub reload: Reload,
    /// The status the last accepted action left, shown until the next one.
    pub done: Option<String>,
    /// How many lines the record takes, counted when it arrived.
    pub lines: usize,
}

impl CaseState {
    /// Reads the case; `silent` for re-reads after a notice.
    pub fn load(&mut self, silent: bool) -> Cmd {
        self.seq += 1;
        if !silent {
            self.loading = true;
            // This read supersedes a silent one still out (after the user's own action, say):
            // that one's answer is stale and dropped, so it must not hold back the re-reads of
            // later notices.
            self.reload = Reload::default();
        }
        Cmd::Case {
            seq: self.seq,
            id: self.id.clone(),
        }
        .silent_if(silent)
    }

    /// Opens a case, forgetting the one shown before.
    pub fn open(&mut self, id: String) -> Vec<Cmd> {
        *self = CaseState {
            id,
            seq: self.seq,
            ..CaseState::default()
        };
        vec![self.load(false)]
    }

    /// Whether a form takes the keys.
    pub fn typing(&self) -> bool {
        self.form.is_some()
    }

    /// The case screen's keys: paging, and a key per allowed action.
    pub fn key(&mut self, key: KeyEvent, ctx: &Ctx) -> Outcome {
        if let Some(form) = self.form.as_mut() {
            return match form.handle(&key) {
                FormEvent::Close => {
                    self.form = None;
                    Outcome::changed(true)
                }
                FormEvent::Send(cmd) => Outcome::send(vec![cmd]),
                FormEvent::Changed(changed) => Outcome::changed(changed),
            };
        }
        // The view shows the body less the message, three action lines and the hint.
        let page = page_lines(ctx.size, 7);
        match key.code {
            KeyCode::Esc => Outcome::go(Nav::Back {
                fallback: Screen::Work,
                reread: true,
            }),
            KeyCode::PageDown | KeyCode::Char('n') if self.top + page < self.lines => {
                self.top += page;
                Outcome::changed(true)
            }
            KeyCode::PageUp | KeyCode::Char('p') if self.top > 0 => {
                self.top = self.top.saturating_sub(page);
                Outcome::changed(true)
            }
            KeyCode::Char('g') => Outcome::send(vec![self.load(false)]),
            KeyCode::Char(k) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.open_action(k, ctx)
            }
            _ => Outcome::none(),
        }
    }

    /// Opens the form of the action under key `k`, if the server allows it now.
    fn open_action(&mut self, k: char, ctx: &Ctx) -> Outcome {
        let Some(data) = &self.data else {
            return Outcome::none();
        };
        let Some(action) = actions::by_key(k) else {
            return Outcome::none();
        };
        if !data.allowed_actions.contains(&action.kind) {
            return Outcome::none();
        }
        let case = CaseContext {
            members: data
                .members
                .iter()
                .filter_map(|m| {
                    m.individual
                        .as_ref()
                        .map(|i| (i.id.clone(), i.full_name.clone()))
                })
                .collect(),
            appointments: data
                .workflow
                .pending_appointments
                .iter()
                .map(|a| (a.id.clone(), local_time(&a.at)))
                .collect(),
            my_id: ctx.my_id(),
            assessment: assessment_lines(texts::get(ctx.lang), data, ctx),
        };
        let officers = ctx.officer_pairs();
        let form = ActionForm::new(
            action.kind,
            &data.id,
            data.version,
            &case,
            officers.as_deref(),
            ctx.lang,
        );
        self.form = Some(form);
        self.done = None;
        Outcome {
            changed: true,
            // The review names the assessor and the interviewers: their names come with the
            // officers' list.
            need_officers: super::action_form::needs_officers(action.kind)
                || action.kind == actions::Kind::ReviewAssessment,
            ..Outcome::default()
        }
    }

    /// Fills the open form's officer choices.
    pub fn set_officers(&mut self, officers: &[(String, String)], my_id: Option<&str>) {
        if let Some(form) = self.form.as_mut() {
            form.set_officers(officers, my_id);
        }
    }

    /// The officers' names arrived: the review form's assessment names its people.
    pub fn refresh_context(&mut self, ctx: &Ctx) {
        if let (Some(form), Some(data)) = (self.form.as_mut(), &self.data)
            && form.action == actions::Kind::ReviewAssessment
        {
            form.context = assessment_lines(texts::get(ctx.lang), data, ctx);
        }
    }

    /// An action's answer, if it was this case's form (`None` otherwise): success closes the
    /// form and re-reads the case; a refusal keeps the form with the server's message so it can
    /// be fixed or retried.
    pub fn act_reply(&mut self, cmid: &str, result: Result<ActDone, ApiError>) -> Option<Outcome> {
        let form = self.form.as_mut()?;
        let error = result.as_ref().err().cloned();
        if !form.answered(cmid, error) {
            return None;
        }
        Some(match result {
            Ok(done) => {
                self.form = None;
                self.done = done.status;
                Outcome::send(vec![self.load(false)])
            }
            Err(_) => Outcome::changed(true),
        })
    }

    /// The case read. A silent re-read changes the screen only if the case differs.
    pub fn reply(
        &mut self,
        seq: u64,
        result: Result<Box<api::case::ResponseData>, ApiError>,
        silent: bool,
        ctx: &Ctx,
    ) -> Outcome {
        if seq != self.seq {
            return Outcome::none();
        }
        self.loading = false;
        let changed = match result {
            Ok(d) => {
                let changed = self.data.as_ref() != Some(&d.case) || self.error.is_some();
                if let Some(form) = &mut self.form
                    && form.version != d.case.version
                    && !form.sending
                {
                    // Someone else acted: the form now answers to what is shown.
                    form.version = d.case.version;
                }
                self.lines = case_lines(texts::get(ctx.lang), &d.case).len();
                // Someone else moved the case on: what the user's own action left is no
                // longer the news.
                if self.done.as_ref().is_some_and(|s| *s != d.case.status) {
                    self.done = None;
                }
                self.data = Some(d.case);
                self.error = None;
                changed
            }
            Err(e) => {
                let changed = self.error.as_ref() != Some(&e);
                self.error = Some(e);
                changed
            }
        };
        let mut out = Outcome::changed(changed || !silent);
        if self.reload.finish(silent) {
            out.cmds.push(self.load(true));
        }
        out
    }

    /// A live notice: re-read when it is about this case, or when notices were lost.
    pub fn notice(&mut self, case_id: &str, kind: &str) -> Vec<Cmd> {
        if (kind == "reload" || self.id == case_id) && self.reload.start() {
            vec![self.load(true)]
        } else {
            Vec::new()
        }
    }

    /// The keys of the screen for `?`: the actions the caller may take now come first.
    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let t = texts::get(lang);
        if self.form.is_some() {
            return pairs(t.keys_form);
        }
        let mut out: Vec<(String, String)> = Vec::new();
        if let Some(d) = &self.data {
            for a in actions::allowed(&d.allowed_actions) {
                out.push((a.key.to_string(), a.label(lang).to_string()));
            }
        }
        out.extend(pairs(t.keys_case));
        out
    }

    /// A case: the record, paged, with the allowed actions below.
    pub fn draw(&self, lang: Lang, frame: &mut Frame, area: Rect) {
        let t = texts::get(lang);
        let c = t;
        let k = self;
        let lines = match (&k.data, &k.error) {
            (_, Some(e)) if k.data.is_none() => vec![Line::styled(t.error(e), error())],
            (Some(d), _) => case_lines(t, d),
            (None, _) => vec![Line::raw(t.loading)],
        };
        let height = usize::from(area.height.saturating_sub(5));
        let total = lines.len();
        let top = k.top.min(total.saturating_sub(1));
        let shown: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
        frame.render_widget(
            Paragraph::new(shown),
            Rect {
                height: area.height.saturating_sub(5),
                ..area
            },
        );
        let bottom = area.y + area.height.saturating_sub(5);
        // One message at a time, the most pressing first, so two never run together: a
        // failure, then what was done, then that more lines follow.
        let msg = match (&k.error, &k.data, &k.done) {
            (Some(e), Some(_), _) => Span::styled(t.error(e), error()),
            (_, _, Some(s)) => Span::styled(
                format!("{} {}", c.done, t.code(s)),
                Style::new().fg(Color::Green),
            ),
            _ if top + height < total => Span::styled(t.more_below, dim()),
            _ => Span::raw(""),
        };
        frame.render_widget(Line::from(msg), Rect::new(area.x, bottom, area.width, 1));
        let actions = match &k.data {
            Some(d) if d.allowed_actions.is_empty() => {
                vec![Span::styled(c.no_actions, dim())]
            }
            Some(d) => {
                let mut s = vec![Span::styled(format!("{}: ", c.actions), bold())];
                s.extend(action_line(lang, d));
                s
            }
            None => Vec::new(),
        };
        frame.render_widget(
            Paragraph::new(Line::from(actions)).wrap(Wrap { trim: true }),
            Rect::new(area.x, bottom + 1, area.width, 3),
        );
        frame.render_widget(
            Line::styled(c.case_hint, dim()),
            Rect::new(area.x, bottom + 4, area.width, 1),
        );
        if let Some(form) = &k.form {
            action_form::draw(lang, form, frame, area);
        }
    }
}

fn pairs(keys: &[(&str, &str)]) -> Vec<(String, String)> {
    keys.iter()
        .map(|(k, d)| (k.to_string(), d.to_string()))
        .collect()
}

/// The case's lines, before paging; their count is kept to know where pages end.
/// The latest assessment as a reviewer reads it before deciding: who wrote it and when, each
/// member's recommendation with its ground, reasons or clauses named in the user's language,
/// and the interviews it rests on.
pub fn assessment_lines(t: &Texts, k: &CaseCase, ctx: &Ctx) -> Vec<String> {
    let lang = ctx.lang;
    let who = |id: &str| -> String {
        ctx.officers
            .and_then(|o| o.iter().find(|x| x.id == id))
            .map_or_else(|| id.to_string(), |x| x.display_name.clone())
    };
    let name = |id: &str| -> String {
        k.members
            .iter()
            .filter_map(|m| m.individual.as_ref())
            .find(|i| i.id == id)
            .map_or_else(|| id.to_string(), |i| i.full_name.clone())
    };
    let mut out = Vec::new();
    let Some(stage) = k
        .workflow
        .stages
        .iter()
        .rev()
        .find(|s| s.assessment.is_some())
    else {
        return out;
    };
    let Some(a) = &stage.assessment else {
        return out;
    };
    out.push(format!(
        "{}: {} · {} ({})",
        t.assessment,
        who(&a.assessor_id),
        local_time(&a.at),
        crate::widgets::office_clock(t.lang)
    ));
    for r in &a.recommendations {
        let codes: Vec<String> = match r.outcome.as_str() {
            "recognised" => r
                .ground
                .iter()
                .map(|g| label_or_code(code_lists::GROUNDS, g, lang).to_string())
                .collect(),
            "rejected" => r
                .reasons
                .iter()
                .map(|g| label_or_code(code_lists::REJECTION_REASONS, g, lang).to_string())
                .collect(),
            _ => r
                .clauses
                .iter()
                .map(|g| label_or_code(code_lists::EXCLUSION_CLAUSES, g, lang).to_string())
                .collect(),
        };
        out.push(format!(
            "  {}: {} · {}",
            name(&r.individual_id),
            t.code(&r.outcome),
            codes.join(", ")
        ));
    }
    if a.recommendations.is_empty() {
        out.push(format!("  {}", t.recommendations_withheld));
    }
    for i in &stage.interviews {
        out.push(format!(
            "  {} {} · {} · {}{}",
            t.interview,
            local_time(&i.at),
            who(&i.interviewer_id),
            if i.principal_attended {
                t.attended
            } else {
                t.not_attended
            },
            i.notes_ref
                .as_deref()
                .map(|n| format!(" · {n}"))
                .unwrap_or_default()
        ));
    }
    out
}

pub fn case_lines<'a>(t: &Texts, k: &'a CaseCase) -> Vec<Line<'a>> {
    let c = t;
    let mut head = vec![
        Span::styled(k.case_number.as_str(), bold()),
        Span::raw(format!(
            "  {} · {} · {} · {} {}",
            t.code(&k.status),
            t.code(&k.stage),
            t.code(&k.modality),
            k.days_waiting,
            c.days
        )),
    ];
    if k.priority {
        head.push(Span::styled(format!("  {}", c.priority_badge), warn()));
    }
    let mut lines = vec![Line::from(head)];
    let mut needs = vec![Span::styled(format!("{}: ", t.needs), bold())];
    if k.specific_need_codes.is_empty() {
        needs.push(Span::raw(t.none));
    }
    for n in &k.specific_need_codes {
        needs.push(Span::styled(format!("[{n}] "), warn()));
    }
    lines.push(Line::from(needs));
    let d = &k.deadlines;
    let mut due = vec![Span::raw(format!(
        "{}: {}",
        c.decision_due,
        d.decision_due.as_deref().map_or("—".into(), local_date)
    ))];
    if d.overdue {
        due.push(Span::styled(format!(" {}", c.overdue_badge), error()));
    }
    due.push(Span::raw(format!(
        " · {}: {}",
        c.appeal_deadline,
        d.appeal_deadline.as_deref().map_or("—".into(), local_date)
    )));
    lines.push(Line::from(due));
    let mut next = format!(
        "{}: {}",
        c.next_interview,
        d.next_interview.as_deref().map_or("—".into(), local_time)
    );
    if let Some(a) = &d.abandonment_candidate_from {
        next.push_str(&format!(" · {}: {}", c.abandonment_from, local_date(a)));
    }
    lines.push(Line::raw(next));
    lines.push(Line::styled(format!("{}:", c.members), bold()));
    let name_of = |id: &str| {
        k.members
            .iter()
            .filter_map(|m| m.individual.as_ref())
            .find(|i| i.id == id)
            .map_or(id.to_string(), |i| i.full_name.clone())
    };
    for m in &k.members {
        let (num, name) = m.individual.as_ref().map_or(("—", "—"), |i| {
            (i.individual_number.as_str(), i.full_name.as_str())
        });
        let rel = match (m.role.as_str(), &m.relationship) {
            ("principal", _) => c.principal.to_string(),
            (_, Some(r)) => t.relationship(r).to_string(),
            (role, None) => t.code(role).to_string(),
        };
        lines.push(Line::raw(format!("  {}{num:<17}{name}", cell(&rel, 16))));
    }
    let w = &k.workflow;
    lines.push(Line::styled(format!("{}:", c.workflow), bold()));
    if let Some(a) = &w.admissibility {
        let verdict = if a.admissible {
            c.admissible
        } else {
            c.inadmissible
        };
        let reason = a
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {}: {verdict}{reason}",
            c.admissibility
        )));
    }
    if let Some(h) = &w.hold_reason {
        lines.push(Line::styled(format!("  {}: {h}", c.on_hold), warn()));
    }
    for a in &w.pending_appointments {
        let lang = a
            .interpreter_language
            .as_deref()
            .map(|l| format!(" ({} {l})", c.interpreter))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {}: {}{lang}",
            c.appointment,
            local_time(&a.at)
        )));
    }
    for s in &w.stages {
        let attended = s.interviews.iter().filter(|i| i.principal_attended).count();
        let mut text = format!(
            "  {}: {} {}/{} · {} {}",
            t.code(&s.stage),
            c.interviews,
            attended,
            s.interviews.len(),
            c.missed,
            s.missed_appointments
        );
        if let Some(a) = &s.assessment {
            text.push_str(&format!(" · {} {}", c.assessed_on, local_date(&a.at)));
        }
        if s.returned_assessments > 0 {
            text.push_str(&format!(" · {} {}", c.returned, s.returned_assessments));
        }
        if let Some(at) = &s.decided_at {
            text.push_str(&format!(" · {} {}", c.decided_on, local_date(at)));
        }
        if let Some(at) = &s.notified_at {
            text.push_str(&format!(" · {} {}", c.notified_on, local_date(at)));
        }
        lines.push(Line::raw(text));
        for d in &s.decisions {
            let codes: Vec<&str> = d
                .ground
                .iter()
                .map(String::as_str)
                .chain(d.reasons.iter().map(String::as_str))
                .chain(d.clauses.iter().map(String::as_str))
                .collect();
            lines.push(Line::raw(format!(
                "    {}: {} ({})",
                name_of(&d.individual_id),
                t.code(&d.outcome),
                codes.join(", ")
            )));
        }
    }
    if let Some(at) = &w.appeal_lodged_at {
        lines.push(Line::raw(format!(
            "  {}: {}",
            c.appeal_lodged,
            local_date(at)
        )));
    }
    if let Some(r) = &w.closure_reason {
        lines.push(Line::raw(format!("  {}: {}", c.closure, t.code(r))));
    }
    if w.reopenings > 0 {
        lines.push(Line::raw(format!("  {}: {}", c.reopenings, w.reopenings)));
    }
    lines.push(Line::styled(format!("{}:", t.history), bold()));
    for e in &k.events {
        lines.push(Line::raw(format!(
            "  {}  {:<14}{}{}",
            local_time(&e.at),
            e.actor,
            t.code(&e.kind),
            event_detail(t, &e.data)
        )));
    }
    lines
}

/// What a step recorded beyond its kind, as shown in the history: when an interview was held,
/// when and how a decision was handed over, how the applicant got in touch and the note.
fn event_detail(t: &Texts, data: &str) -> String {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else {
        return String::new();
    };
    // An imported case's history in the earlier system: its date there and what happened,
    // in that system's words.
    if let (Some(on), Some(what)) = (v["on"].as_str(), v["what"].as_str()) {
        return format!(" · {on} {}", crate::widgets::ellipsis(what, 28));
    }
    let d = &v["data"];
    let time = |key: &str| d[key].as_str().map(|at| local_time(&format!("{at}Z")));
    let mut parts: Vec<String> = Vec::new();
    if let Some(at) = time("held_at") {
        parts.push(format!("{} {at}", t.held));
    }
    if let Some(at) = time("notified_at") {
        parts.push(at);
    }
    if let Some(m) = d["method"].as_str() {
        parts.push(label_or_code(code_lists::NOTIFICATION_METHODS, m, t.lang).to_string());
    }
    if let Some(c) = d["channel"].as_str() {
        parts.push(label_or_code(code_lists::CONTACT_CHANNELS, c, t.lang).to_string());
    }
    if v["kind"] == "contact_recorded"
        && let Some(why) = v["why"].as_str()
    {
        // Kept short so the line holds at 80 columns; the note is whole in the API's history.
        parts.push(format!("«{}»", crate::widgets::ellipsis(why, 24)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" · {}", parts.join(" · "))
    }
}

/// The allowed actions with their keys, in the order of [`actions::ACTIONS`].
pub fn action_line<'a>(lang: Lang, k: &CaseCase) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for a in actions::allowed(&k.allowed_actions) {
        spans.push(Span::styled(format!("{}", a.key), bold()));
        spans.push(Span::raw(format!(" {}  ", a.label(lang))));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::{event_detail, texts};
    use amparo_domain::codes::Lang;

    #[test]
    fn an_imported_cases_earlier_history_shows_its_date_and_words() {
        let t = texts::get(Lang::Es);
        let data =
            r#"{"source":"registration-system","on":"2020-03-15","what":"ADMISION A TRAMITE"}"#;
        assert_eq!(event_detail(t, data), " · 2020-03-15 ADMISION A TRAMITE");
        // Where it came from says nothing more than its kind.
        let imported = r#"{"source":"registration-system","sourceKey":"C1","batchId":"b"}"#;
        assert_eq!(event_detail(t, imported), "");
    }
}
