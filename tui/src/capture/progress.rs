//! The progress table printed after every step: which fingers and eyes are done and at what
//! quality, which were recorded as exceptions, what is still missing. Plain lines of text, a few
//! hundred bytes each time, so it reads the same over SSH on a thin link as on the console.

use std::collections::BTreeMap;

use amparo_sbi::Position;

use super::model::ExceptionReason;
use crate::i18n::CaptureText;

/// The state of one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Pending,
    Done(u8),
    Exception(ExceptionReason),
}

/// Every position the session captures, and how far each got.
#[derive(Debug, Clone, Default)]
pub struct Board {
    cells: BTreeMap<Position, Cell>,
    /// Unsigned devices allowed: said on every printout.
    pub unsigned_allowed: bool,
}

impl Board {
    pub fn new(positions: impl IntoIterator<Item = Position>, unsigned_allowed: bool) -> Self {
        Self {
            cells: positions.into_iter().map(|p| (p, Cell::Pending)).collect(),
            unsigned_allowed,
        }
    }

    pub fn set(&mut self, position: Position, cell: Cell) {
        self.cells.insert(position, cell);
    }

    pub fn get(&self, position: Position) -> Option<Cell> {
        self.cells.get(&position).copied()
    }

    /// The table in `text`'s language.
    pub fn render(&self, text: &CaptureText) -> String {
        let cell = |p: Position| match self.cells.get(&p) {
            None => String::new(),
            Some(Cell::Pending) => text.pending.to_string(),
            Some(Cell::Done(q)) => q.to_string(),
            Some(Cell::Exception(ExceptionReason::Missing)) => text.missing.to_string(),
            Some(Cell::Exception(ExceptionReason::Injured)) => text.injured.to_string(),
            Some(Cell::Exception(ExceptionReason::UnableToCapture)) => text.unable.to_string(),
        };
        let mut out = String::new();
        if self.unsigned_allowed {
            out.push_str(text.unsigned_banner);
            out.push('\n');
        }
        let label_width = text.right.chars().count().max(text.left.chars().count());
        let widths: Vec<usize> = text
            .fingers
            .iter()
            .map(|f| {
                [f, &text.missing, &text.injured, &text.unable]
                    .iter()
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let fingers = Position::FINGERS;
        if fingers.iter().any(|p| self.cells.contains_key(p)) {
            out.push_str(&" ".repeat(label_width));
            for (name, w) in text.fingers.iter().zip(&widths) {
                out.push_str(&format!(" {name:>w$}"));
            }
            out.push('\n');
            for (label, hand) in [(text.right, &fingers[..5]), (text.left, &fingers[5..])] {
                out.push_str(&format!("{label:<label_width$}"));
                for (p, w) in hand.iter().zip(&widths) {
                    out.push_str(&format!(" {:>w$}", cell(*p)));
                }
                out.push('\n');
            }
        }
        let eyes = [Position::RightIris, Position::LeftIris];
        if eyes.iter().any(|p| self.cells.contains_key(p)) {
            out.push_str(&format!(
                "{} {} {}  {} {}\n",
                text.iris,
                text.right,
                cell(Position::RightIris),
                text.left,
                cell(Position::LeftIris)
            ));
        }
        if self.cells.contains_key(&Position::Face) {
            out.push_str(&format!("{} {}\n", text.face, cell(Position::Face)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN_CAPTURE, ES_CAPTURE};

    #[test]
    fn shows_done_pending_and_exceptions_and_the_unsigned_warning() {
        let mut b = Board::new(
            Position::FINGERS
                .into_iter()
                .chain([Position::RightIris, Position::LeftIris]),
            true,
        );
        b.set(Position::RightThumb, Cell::Done(72));
        b.set(
            Position::LeftLittle,
            Cell::Exception(ExceptionReason::Injured),
        );
        b.set(Position::LeftIris, Cell::Done(88));
        let en = b.render(&EN_CAPTURE);
        assert_eq!(
            en,
            "!! DEVELOPMENT: UNSIGNED DEVICES ACCEPTED; THESE SAMPLES PROVE NOTHING !!\n\
             \x20       thumb   index  middle    ring  little\n\
             right      72      ..      ..      ..      ..\n\
             left       ..      ..      ..      .. injured\n\
             iris right ..  left 88\n"
        );
        let es = b.render(&ES_CAPTURE);
        assert!(es.contains("herido") && es.contains("DESARROLLO"));
        assert!(en.len() < 400, "{} bytes", en.len());
    }
}
