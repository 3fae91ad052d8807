//! The real terminal: raw mode on the alternate screen, no mouse capture, and frames sent as
//! one write each, wrapped in synchronized-update markers so a slow link never shows half a
//! frame. Input is read on its own thread and arrives as [`Msg`]s.

use std::io::{self, Stdout, Write};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{execute, queue};
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

pub type Term = Terminal<CrosstermBackend<FrameWriter>>;

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
    Terminal::new(CrosstermBackend::new(FrameWriter {
        buf: Vec::with_capacity(16 * 1024),
        out,
    }))
}

pub fn restore() -> io::Result<()> {
    disable_raw_mode()?;
    execute!(io::stdout(), LeaveAlternateScreen)
}

/// Draws one frame: only the cells that changed since the last one, in a single write.
pub fn draw(terminal: &mut Term, app: &App) -> io::Result<()> {
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|frame| crate::view::view(app, frame))?;
    queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().writer_mut().commit()
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
