//! The words of the data-quality screen, in Spanish and English; the common words come through
//! `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/quality.rs"));

impl Texts {
    /// A rule's name.
    pub fn rule_name<'a>(&self, code: &'a str) -> &'a str {
        self.rules
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, n)| n)
    }
}
