//! The real terminal: raw mode on the alternate screen, no mouse capture, and frames sent as
//! one write each, wrapped in synchronized-update markers so a slow link never shows half a
//! frame. [`LeanBackend`] leaves out the escape sequences a frame does not need. Input is read
//! on its own thread and arrives as [`Msg`]s.

use std::io::{self, Stdout, Write};

use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::cursor::MoveTo;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::style::Print;
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{execute, queue};
use ratatui::layout::{Position, Size};
use ratatui::text::Span;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{App, Msg};

/// Collects a whole frame and sends it in one write on [`FrameWriter::commit`]; ratatui's own
/// flush after drawing is deliberately ignored so the end marker goes out in the same write.
pub struct FrameWriter {
    buf: Vec<u8>,
    out: Stdout,
}

impl FrameWriter {
    pub fn commit(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        self.buf.clear();
        Ok(())
    }
}

impl Write for FrameWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub type Term = Terminal<LeanBackend<FrameWriter>>;

/// ratatui's crossterm backend, less what a frame on a thin link does not need: a run of
/// unstyled cells is printed without the colour and attribute resets the stock backend ends every
/// frame with, and the cursor is neither shown again while visible nor moved to where drawing
/// already left it. A character typed into a plain field costs its position, itself and the
/// synchronized-update markers.
pub struct LeanBackend<W: Write> {
    inner: CrosstermBackend<W>,
    cursor_visible: Option<bool>,
    /// Where the terminal's cursor is, when known.
    cursor_at: Option<Position>,
    /// The size, when drawing to something that is not a terminal (measuring the bytes a
    /// task sends, in tests and benches); `None` asks the terminal.
    fixed: Option<Size>,
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            cursor_visible: None,
            cursor_at: None,
            fixed: None,
        }
    }

    /// A backend of a fixed size writing to `writer`: the same bytes a terminal of that size
    /// would receive.
    pub fn with_size(writer: W, size: Size) -> Self {
        Self {
            fixed: Some(size),
            ..Self::new(writer)
        }
    }

    pub fn writer_mut(&mut self) -> &mut W {
        self.inner.writer_mut()
    }
}

/// For the synchronized-update markers, which do not move the cursor; anything written here
/// must not move it either.
impl<W: Write> Write for LeanBackend<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.inner.write(data)
    }
    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let Some(&(x, y, last)) = cells.last() else {
            return Ok(());
        };
        let plain = Cell::EMPTY.style();
        if cells.iter().any(|(_, _, c)| c.style() != plain) {
            self.inner.draw(cells.into_iter())?;
        } else {
            let mut at: Option<Position> = None;
            for (x, y, cell) in cells {
                if !matches!(at, Some(p) if p.x + 1 == x && p.y == y) {
                    queue!(self.inner.writer_mut(), MoveTo(x, y))?;
                }
                at = Some(Position { x, y });
                queue!(self.inner.writer_mut(), Print(cell.symbol()))?;
            }
        }
        let width = u16::try_from(Span::raw(last.symbol()).width()).unwrap_or(u16::MAX);
        let end = x.saturating_add(width);
        // At the right margin terminals differ on where the cursor stays; then it is unknown.
        let inside = self.size().is_ok_and(|s| end < s.width);
        self.cursor_at = inside.then_some(Position { x: end, y });
        Ok(())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(false) {
            self.inner.hide_cursor()?;
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.cursor_visible != Some(true) {
            self.inner.show_cursor()?;
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let position = position.into();
        if self.cursor_at != Some(position) {
            self.inner.set_cursor_position(position)?;
            self.cursor_at = Some(position);
        }
        Ok(())
    }

    fn clear(&mut self) -> io::Result<()> {
        self.cursor_at = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.cursor_at = None;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(size) => Ok(size),
            None => self.inner.size(),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

pub fn setup() -> io::Result<Term> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(out, EnterAlternateScreen)?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic must not leave the caseworker's terminal in raw mode.
        let _ = restore();
        previous(info);
    }));
    Terminal::new(LeanBackend::new(FrameWriter {
        buf: Vec::with_capacity(16 * 1024),
        out,
    }))
}

pub fn restore() -> io::Result<()> {
    disable_raw_mode()?;
    execute!(io::stdout(), LeaveAlternateScreen)
}

/// Draws one frame: only the cells that changed since the last one, in a single write, and
/// nothing at all when no cell changed (a password character, a key that changed hidden state).
pub fn draw(terminal: &mut Term, app: &App) -> io::Result<()> {
    if frame(terminal, app)? {
        terminal.backend_mut().writer_mut().commit()?;
    } else {
        terminal.backend_mut().writer_mut().buf.clear();
    }
    Ok(())
}

/// Writes one frame into the backend's writer inside synchronized-update markers; nothing
/// (and false) when no cell changed. The one place frames are made, so the byte count of a
/// task measured off a terminal (`tests/wire.rs`) is what a terminal would receive.
pub fn frame<W: Write + AsBytes>(
    terminal: &mut Terminal<LeanBackend<W>>,
    app: &App,
) -> io::Result<bool> {
    let begun = terminal.backend_mut().writer_mut().bytes().len();
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let marked = terminal.backend_mut().writer_mut().bytes().len();
    terminal.draw(|frame| crate::view::view(app, frame))?;
    if terminal.backend_mut().writer_mut().bytes().len() == marked {
        terminal.backend_mut().writer_mut().truncate(begun);
        return Ok(false);
    }
    queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(true)
}

/// A writer that keeps what was written, so a frame that turned out empty can be taken back.
pub trait AsBytes {
    fn bytes(&self) -> &[u8];
    fn truncate(&mut self, len: usize);
}

impl AsBytes for FrameWriter {
    fn bytes(&self) -> &[u8] {
        &self.buf
    }
    fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }
}

impl AsBytes for Vec<u8> {
    fn bytes(&self) -> &[u8] {
        self
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// Reads keys and resizes on a thread of its own until the receiver is gone.
pub fn spawn_input(tx: UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                Err(_) => return,
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use ratatui::layout::Rect;
    use ratatui::style::Stylize;
    use ratatui::text::Line;
    use ratatui::{TerminalOptions, Viewport};

    use super::*;

    fn terminal() -> Terminal<LeanBackend<Vec<u8>>> {
        Terminal::with_options(
            LeanBackend::new(Vec::new()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, 20, 2)),
            },
        )
        .expect("terminal on a buffer")
    }

    fn frame(t: &mut Terminal<LeanBackend<Vec<u8>>>, text: &str, bold: bool) -> String {
        t.backend_mut().writer_mut().clear();
        t.draw(|f| {
            let line = if bold {
                Line::from(text.bold())
            } else {
                Line::from(text)
            };
            f.render_widget(line, f.area());
            f.set_cursor_position((u16::try_from(text.len()).unwrap_or(0), 0));
        })
        .expect("draw");
        String::from_utf8_lossy(t.backend_mut().writer_mut()).into_owned()
    }

    #[test]
    fn a_plain_change_sends_no_style_resets_and_shows_the_cursor_once() {
        let mut t = terminal();
        let first = frame(&mut t, "ab", false);
        assert!(first.contains("\x1b[?25h"), "{first:?}");
        let second = frame(&mut t, "abc", false);
        assert!(second.starts_with("\x1b[1;3Hc"), "{second:?}");
        assert!(
            !second.contains("\x1b[?25h"),
            "cursor shown again: {second:?}"
        );
        assert!(
            !second.contains("\x1b[0m") && !second.contains("\x1b[39m"),
            "style resets on a plain change: {second:?}"
        );
    }

    #[test]
    fn styled_cells_still_get_their_style_and_a_reset() {
        let mut t = terminal();
        frame(&mut t, "ab", false);
        let styled = frame(&mut t, "ab", true);
        assert!(styled.contains("\x1b[1m"), "{styled:?}");
        assert!(styled.contains("\x1b[0m"), "{styled:?}");
    }
}
