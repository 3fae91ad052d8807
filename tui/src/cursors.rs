//! Where each page of a server-paged list starts, so flipping back asks for exactly the page
//! that was shown: the lists (search, My work, the supervisor's, duplicates) share this.

/// The `after` cursor of every page visited so far; page 0 starts at the beginning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursors(Vec<Option<String>>);

impl Cursors {
    /// Back to the first page: a new query or a list opened again.
    pub fn restart(&mut self) {
        self.0 = vec![None];
    }

    /// The cursor to ask `page` with.
    pub fn after(&self, page: usize) -> Option<String> {
        self.0.get(page).cloned().flatten()
    }

    /// `page` arrived and ends at `end`, where the next page starts; pages after it are forgotten.
    pub fn arrived(&mut self, page: usize, end: Option<String>) {
        self.0.resize(page + 1, None);
        self.0.push(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_their_start_and_a_restart_forgets_them() {
        let mut c = Cursors::default();
        assert_eq!(c.after(0), None);
        c.arrived(0, Some("a".into()));
        c.arrived(1, Some("b".into()));
        assert_eq!(
            (c.after(0), c.after(1), c.after(2)),
            (None, Some("a".into()), Some("b".into()))
        );
        // Back on page 0 with different rows: what followed is no longer known.
        c.arrived(0, Some("x".into()));
        assert_eq!((c.after(1), c.after(2)), (Some("x".into()), None));
        c.restart();
        assert_eq!(c.after(1), None);
    }
}
