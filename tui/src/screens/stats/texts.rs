//! The words of the statistics screen, in Spanish and English; the common words come through
//! `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/stats.rs"));

impl Texts {
    /// A modality's name.
    pub fn modality<'a>(&self, code: &'a str) -> &'a str {
        self.modalities
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(code, |(_, n)| n)
    }
}
