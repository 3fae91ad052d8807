//! The words of a person's record, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/individual.rs"));

impl Texts {
    /// What a person's form did, once the server took it.
    pub fn done(&self, kind: super::person_form::Kind) -> &'static str {
        use super::person_form::Kind;
        match kind {
            Kind::AddNeed => self.done_need,
            Kind::ReviewNeed => self.done_review,
            Kind::AddDocument => self.done_document,
            Kind::EditDocument => self.done_edit_document,
            Kind::Correct => self.done_correct,
            Kind::OpenCase => self.done_case,
        }
    }
}
