//! The words of the registration group screen, in Spanish and English. The words every screen uses (errors,
//! codes, the status line) come from [`crate::i18n::Text`], reached through these by `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/group.rs"));
