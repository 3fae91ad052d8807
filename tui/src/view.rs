//! Draws the [`App`] as it is; no state changes here. The frame (header, status line, the `?`
//! help) is drawn here and the body by the screen shown. Screens are plain lines without
//! borders or fills: on a thin link every cell that differs between frames costs bytes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::app::{App, Link};
use crate::i18n::{self, Text};
use crate::screens::Screen;
use crate::widgets::{bold, dim, error};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn view(app: &App, frame: &mut Frame) {
    crate::widgets::with_clock(&app.clock, || draw(app, frame));
}

fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let t = i18n::text(app.lang);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!("{} ({}×{})", t.enlarge, area.width, area.height);
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(app, t, frame, header);
    let body = Rect {
        x: body.x + 1,
        width: body.width.saturating_sub(2),
        ..body
    };
    draw_body(app, frame, body);
    draw_status(app, t, frame, status);
    if let Some(page) = app.help {
        draw_help(app, t, frame, area, page);
    }
    if app.quit_asked {
        draw_quit(app, t, frame, area);
    }
}

/// The question before quitting: what would be lost and, under `amparo demo`, where its
/// database is and whether it goes.
fn draw_quit(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    let lost = app.unsent_work();
    if !lost.is_empty() {
        lines.push(Line::raw(t.quit_lost));
        for what in lost {
            lines.push(Line::raw(format!("  · {what}")));
        }
    }
    match app.demo_db.as_ref().filter(|_| !app.logout_asked) {
        Some((dir, false)) => {
            lines.push(Line::raw(t.quit_demo));
            lines.push(Line::raw(format!("  {dir}")));
            lines.push(Line::raw(t.quit_demo_keep));
        }
        Some((dir, true)) => {
            lines.push(Line::raw(t.quit_demo_kept));
            lines.push(Line::raw(format!("  {dir}")));
        }
        None => {}
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        if app.logout_asked {
            t.logout_keys
        } else {
            t.quit_keys
        },
        bold(),
    ));
    let width = 72.min(area.width);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(format!(
                " {} ",
                if app.logout_asked {
                    t.logout_title
                } else {
                    t.quit_title
                }
            ))),
        popup,
    );
}

fn draw_body(app: &App, frame: &mut Frame, area: Rect) {
    let s = &app.screens;
    let lang = app.lang;
    match app.screen() {
        Screen::Login => s.login.draw(&app.ctx(), frame, area),
        Screen::Search => s.search.draw(lang, frame, area),
        Screen::Individual => s.individual.draw(lang, frame, area),
        Screen::Group => s.group.draw(lang, frame, area),
        Screen::Register => s.register.draw(lang, frame, area),
        Screen::Work => s.work.draw(lang, frame, area),
        Screen::Supervisor => s.supervisor.draw(lang, frame, area),
        Screen::Case => s.case.draw(lang, frame, area),
        Screen::Reviews => s.reviews.draw(lang, frame, area),
        Screen::Review => s.review.draw(lang, frame, area),
        Screen::Admin => s.admin.draw(lang, frame, area),
        Screen::Tokens => s.tokens.draw(lang, frame, area),
        Screen::PreRegs => s.pre_regs.draw(lang, frame, area),
        Screen::Protection => s.protection.draw(lang, frame, area),
        Screen::ProtectionCase => s.protection_case.draw(lang, frame, area),
        Screen::ImportReviews => s.import_reviews.draw(lang, frame, area),
        Screen::Distributions => s.distributions.draw(lang, frame, area),
        Screen::DistributionList => s.distribution_list.draw(lang, frame, area),
        Screen::Statistics => s.stats.draw(lang, frame, area),
        Screen::Quality => s.quality.draw(lang, frame, area),
        Screen::Resettlement => s.resettlement.draw(lang, frame, area),
        Screen::ResettlementCase => s.resettlement_case.draw(lang, frame, area),
        Screen::Referrals => s.referrals.draw(lang, frame, area),
        Screen::Conflicts => s.conflicts.draw(lang, frame, area),
    }
}

fn screen_name(t: &Text, s: Screen) -> &'static str {
    match s {
        Screen::Login => t.login,
        Screen::Search => t.search,
        Screen::Individual => t.individual,
        Screen::Group => t.group_title,
        Screen::Register => t.register,
        Screen::Work => t.work,
        Screen::Supervisor => t.supervisor,
        Screen::Case => t.case,
        Screen::Reviews => t.reviews_title,
        Screen::Review => t.review_title,
        Screen::Admin => t.admin_title,
        Screen::Tokens => t.tokens_title,
        Screen::PreRegs => t.pre_regs_title,
        Screen::Protection => t.protection_title,
        Screen::ProtectionCase => t.protection_case_title,
        Screen::ImportReviews => t.import_reviews_title,
        Screen::Distributions => t.distributions_title,
        Screen::DistributionList => t.distribution_list_title,
        Screen::Statistics => t.statistics_title,
        Screen::Quality => t.quality_title,
        Screen::Resettlement => crate::i18n::pick(t.lang, "Reasentamiento", "Resettlement"),
        Screen::ResettlementCase => {
            crate::i18n::pick(t.lang, "Caso de reasentamiento", "Resettlement case")
        }
        Screen::Referrals => crate::i18n::pick(t.lang, "Referencias", "Referrals"),
        Screen::Conflicts => {
            crate::i18n::pick(t.lang, "Conflictos de sincronización", "Sync conflicts")
        }
    }
}

fn draw_header(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let left = Line::from(vec![
        Span::styled(" Amparo", bold()),
        Span::raw(" · "),
        Span::raw(screen_name(t, app.screen())),
    ]);
    frame.render_widget(left, area);
    if let Some(user) = &app.user {
        frame.render_widget(Line::from(format!("{user} ")).right_aligned(), area);
    }
}

fn draw_status(app: &App, t: &Text, frame: &mut Frame, area: Rect) {
    let mut spans = vec![Span::raw(format!(" {}", app.server))];
    // A field node is on the office's own network: its round trip says nothing of the link.
    let on_node = app.node.on_node();
    if let Some(rtt) = app.rtt.filter(|_| !on_node) {
        spans.push(Span::raw(format!(" · {} ms", rtt.as_millis())));
    }
    // On a field node that answers: whether it reaches central, and what waits to go up (in
    // place of the link's word, so that the line fits 80 columns).
    match app.node.spans(t, app.link == Link::Up) {
        Some(node) => spans.extend(node),
        None => {
            spans.push(Span::raw(" · "));
            spans.push(match app.link {
                Link::Unknown => Span::styled(t.not_connected_yet, dim()),
                Link::Up => Span::raw(t.online),
                Link::Down => Span::styled(t.offline, error().add_modifier(Modifier::BOLD)),
            });
        }
    }
    // A link shown down is not live, whatever the websocket has yet to notice.
    if app.live && app.link != Link::Down {
        spans.push(Span::raw(" · "));
        spans.push(Span::raw(t.live));
    }
    if app.pending > 0 {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(t.waiting, bold()));
    }
    let line = Line::from(spans);
    // The keys' hint only where it covers nothing of the status.
    let hint = format!("{} ", t.help_hint);
    let fits = line.width() + hint.chars().count() < usize::from(area.width);
    frame.render_widget(line, area);
    if fits {
        frame.render_widget(Line::from(hint).right_aligned(), area);
    }
}

/// The help: one key to a line with its whole description; when they do not fit the terminal,
/// pages that PgDn/→ and PgUp/← turn.
fn draw_help(app: &App, t: &Text, frame: &mut Frame, area: Rect, page: usize) {
    let pairs = app.help_lines();
    let size = crate::app::help_page_size(area.height);
    let pages = pairs.len().div_ceil(size).max(1);
    let page = page.min(pages - 1);
    // As wide as the terminal allows, so that descriptions are read whole.
    let width = 76.min(area.width);
    let room = usize::from(width).saturating_sub(2 + 13);
    let mut lines: Vec<Line> = pairs
        .into_iter()
        .skip(page * size)
        .take(size)
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{k:<13}"), bold()),
                Span::raw(crate::widgets::ellipsis(&d, room)),
            ])
        })
        .collect();
    lines.push(Line::default());
    if pages > 1 {
        let more = match app.lang {
            crate::i18n::Lang::Es => format!(
                "Página {}/{pages} · AvPág → siguiente · RePág ← anterior · otra tecla cierra",
                page + 1
            ),
            crate::i18n::Lang::En => format!(
                "Page {}/{pages} · PgDn → next · PgUp ← previous · other keys close",
                page + 1
            ),
        };
        lines.push(Line::styled(more, dim()));
    } else {
        lines.push(Line::styled(t.help_close, dim()));
    }
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(area.height)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(format!(" {} ", t.help_title))),
        popup,
    );
}
