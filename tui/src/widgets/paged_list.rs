//! A list read from the server a page at a time, one row chosen: ↑↓ choose, `n` or PgDn and
//! `p` or PgUp flip pages (each page asked with the cursor it started at, so flipping back
//! asks for exactly the page that was shown), `g` reads the page again. The screen that owns
//! it sends the request it hands back and passes the answer in; only the latest request's
//! answer counts.

use ratatui::crossterm::event::KeyCode;

use crate::api::ApiError;
use crate::cursors::Cursors;

/// One page as the server answered it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    /// Where the next page starts.
    pub end_cursor: Option<String>,
}

/// A page to ask for: the request's sequence number, the page and its `after` cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub seq: u64,
    pub page: usize,
    pub after: Option<String>,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKey {
    /// Not a key of the list.
    Ignored,
    /// The choice moved.
    Moved,
    /// Ask for this page.
    Load(PageRequest),
}

/// The rows of the page shown and where they stand.
#[derive(Debug, Clone)]
pub struct PagedList<T> {
    pub rows: Vec<T>,
    pub selected: usize,
    pub page: usize,
    pub cursors: Cursors,
    pub has_next: bool,
    /// The request whose answer is awaited; earlier answers are dropped.
    pub seq: u64,
    pub loading: bool,
    /// A page has arrived since the list was opened.
    pub loaded: bool,
    pub error: Option<ApiError>,
}

impl<T> Default for PagedList<T> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            selected: 0,
            page: 0,
            cursors: Cursors::default(),
            has_next: false,
            seq: 0,
            loading: false,
            loaded: false,
            error: None,
        }
    }
}

impl<T> PagedList<T> {
    /// The request for `page` (page 0 starts the list afresh).
    pub fn request(&mut self, page: usize) -> PageRequest {
        if page == 0 {
            self.cursors.restart();
        }
        self.seq += 1;
        self.loading = true;
        PageRequest {
            seq: self.seq,
            page,
            after: self.cursors.after(page),
        }
    }

    /// Another list in the same place: forgets the rows and asks for its first page.
    pub fn restart(&mut self) -> PageRequest {
        self.rows.clear();
        self.selected = 0;
        self.loaded = false;
        self.request(0)
    }

    /// The page shown, read again.
    pub fn reread(&mut self) -> PageRequest {
        self.request(self.page)
    }

    /// ↑↓, `n`/PgDn, `p`/PgUp and `g`.
    pub fn key(&mut self, code: KeyCode) -> ListKey {
        match code {
            KeyCode::Up if self.selected > 0 => {
                self.selected -= 1;
                ListKey::Moved
            }
            KeyCode::Down if self.selected + 1 < self.rows.len() => {
                self.selected += 1;
                ListKey::Moved
            }
            KeyCode::PageDown | KeyCode::Char('n') if self.has_next && !self.loading => {
                ListKey::Load(self.request(self.page + 1))
            }
            KeyCode::PageUp | KeyCode::Char('p') if self.page > 0 && !self.loading => {
                ListKey::Load(self.request(self.page - 1))
            }
            KeyCode::Char('g') if !self.loading => ListKey::Load(self.reread()),
            _ => ListKey::Ignored,
        }
    }

    /// Takes the answer to request `seq` for `page`; an older one is dropped. Whether it was
    /// taken.
    pub fn answer(&mut self, seq: u64, page: usize, result: Result<Page<T>, ApiError>) -> bool {
        if seq != self.seq {
            return false;
        }
        self.loading = false;
        match result {
            Ok(p) => {
                // Another page, or one shorter than the row chosen: back to its first row.
                if self.page != page || self.selected >= p.rows.len() {
                    self.selected = 0;
                }
                self.rows = p.rows;
                self.page = page;
                self.has_next = p.has_next;
                self.cursors.arrived(page, p.end_cursor);
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        true
    }

    /// The row chosen.
    pub fn current(&self) -> Option<&T> {
        self.rows.get(self.selected)
    }

    /// The rows that fit in `room` lines, the chosen one in view, each with whether it is the
    /// chosen one.
    pub fn window(&self, room: usize) -> impl Iterator<Item = (bool, &T)> {
        let first = self.selected.saturating_sub(room.saturating_sub(1));
        self.rows
            .iter()
            .enumerate()
            .skip(first)
            .take(room)
            .map(move |(i, r)| (i == self.selected, r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rows: &[u8], next: Option<&str>) -> Result<Page<u8>, ApiError> {
        Ok(Page {
            rows: rows.to_vec(),
            has_next: next.is_some(),
            end_cursor: next.map(str::to_string),
        })
    }

    #[test]
    fn pages_flip_with_their_cursors_and_old_answers_are_dropped() {
        let mut l = PagedList::default();
        let first = l.request(0);
        assert_eq!(first.after, None);
        assert!(l.answer(first.seq, 0, page(&[1, 2, 3], Some("c1"))));
        assert_eq!(l.key(KeyCode::Down), ListKey::Moved);
        assert_eq!(l.current(), Some(&2));
        let ListKey::Load(next) = l.key(KeyCode::Char('n')) else {
            panic!("no next page asked")
        };
        assert_eq!((next.page, next.after.as_deref()), (1, Some("c1")));
        // A read sent before is answered late: it does not count.
        assert!(!l.answer(first.seq, 0, page(&[9], None)));
        assert!(l.answer(next.seq, 1, page(&[4, 5], None)));
        assert_eq!((l.selected, l.rows.clone()), (0, vec![4, 5]));
        assert_eq!(l.key(KeyCode::Char('n')), ListKey::Ignored, "no page after");
        let ListKey::Load(back) = l.key(KeyCode::PageUp) else {
            panic!("no previous page asked")
        };
        assert_eq!((back.page, back.after), (0, None));
        // The window keeps the chosen row in view.
        assert!(l.answer(back.seq, 0, page(&[1, 2, 3], Some("c1"))));
        l.key(KeyCode::Down);
        l.key(KeyCode::Down);
        let shown: Vec<(bool, u8)> = l.window(2).map(|(s, r)| (s, *r)).collect();
        assert_eq!(shown, vec![(false, 2), (true, 3)]);
    }
}
