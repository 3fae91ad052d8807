//! The words of the import review list, in Spanish and English. The words every screen uses
//! (errors, field names, the status line) come from [`crate::i18n::Text`], reached by `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/import_reviews.rs"));
