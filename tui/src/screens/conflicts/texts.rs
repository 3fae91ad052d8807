//! The words of the sync conflicts screen, in Spanish and English. The words every screen uses
//! (errors, field names, the status line) come from [`crate::i18n::Text`], reached by `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/conflicts.rs"));
