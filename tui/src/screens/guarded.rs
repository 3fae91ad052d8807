//! What the case screens of the guarded procedures other than RSD (protection, resettlement)
//! share, driven by each procedure's action table in the domain: the words of their history,
//! the actions a case allows with their keys, the help, and the frame of the screen (what
//! just happened, the case, the actions at the foot). Each screen keeps its own lines and
//! forms.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::i18n::Lang;
use crate::i18n::pick;
use crate::widgets::dim;

/// A history entry's kind in `lang`: how the case began, or the label of the action whose
/// stable name it records, from `actions` as `(name, Spanish, English)`. `None` for a kind
/// this client does not know (shown as sent).
pub fn event_label(
    kind: &str,
    lang: Lang,
    actions: impl IntoIterator<Item = (&'static str, &'static str, &'static str)>,
) -> Option<&'static str> {
    match kind {
        "opened" => Some(pick(lang, "caso abierto", "case opened")),
        "identified" => Some(pick(lang, "identificado", "identified")),
        "handed_off" => Some(pick(
            lang,
            "pasado desde protección",
            "handed over from protection",
        )),
        other => actions
            .into_iter()
            .find(|(name, ..)| name.eq_ignore_ascii_case(other))
            .map(|(_, es, en)| pick(lang, es, en)),
    }
}

/// The actions of `table` (kind, key, label) that `allowed` lists, as (key, label), in the
/// table's order.
pub fn allowed<K: PartialEq>(
    table: impl IntoIterator<Item = (K, char, &'static str)>,
    allowed: &[K],
) -> Vec<(String, String)> {
    table
        .into_iter()
        .filter(|(kind, ..)| allowed.contains(kind))
        .map(|(_, key, label)| (key.to_string(), label.to_string()))
        .collect()
}

/// A case screen's help: its own keys (the actions allowed), then paging, reading again and
/// going back.
pub fn case_help(mut own: Vec<(String, String)>, lang: Lang) -> Vec<(String, String)> {
    for (k, d) in [
        ("PgDn PgUp", pick(lang, "página", "page")),
        ("g", pick(lang, "volver a leer", "read again")),
        ("Esc", pick(lang, "volver", "back")),
    ] {
        own.push((k.into(), d.into()));
    }
    own
}

/// A case screen: `head` (what just happened) and the case's `body` from the line shown, and
/// at the foot the `actions` allowed now with their keys (wrapping over up to three lines; at
/// 80 columns every action fits).
pub fn draw_case(
    frame: &mut Frame,
    area: Rect,
    lang: Lang,
    head: Vec<Line<'static>>,
    body: Vec<Line<'static>>,
    actions: &[(String, String)],
) {
    let width = usize::from(area.width);
    let actions: Vec<String> = actions.iter().map(|(k, l)| format!("{k} {l}")).collect();
    let foot_chars = actions.iter().map(|a| a.chars().count() + 3).sum::<usize>();
    let foot = Paragraph::new(Line::styled(
        if actions.is_empty() {
            pick(
                lang,
                "Esc vuelve · g vuelve a leer",
                "Esc back · g read again",
            )
            .to_string()
        } else {
            actions.join(" · ")
        },
        dim(),
    ))
    .wrap(Wrap { trim: true });
    let foot_h = u16::try_from(foot_chars / width.max(1) + 1)
        .unwrap_or(1)
        .clamp(1, 3);
    let body_h = area.height.saturating_sub(foot_h);
    let lines: Vec<Line> = head.into_iter().chain(body).collect();
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: body_h,
            ..area
        },
    );
    frame.render_widget(
        foot,
        Rect {
            y: area.y + body_h,
            height: foot_h,
            ..area
        },
    );
}
