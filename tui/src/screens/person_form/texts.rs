//! The words of a person's forms, in Spanish and English; the shared ones (errors) through
//! `Deref` to [`crate::i18n::Text`].

include!(concat!(env!("OUT_DIR"), "/texts/person_form.rs"));
