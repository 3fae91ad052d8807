//! The words of the split and merge forms, in Spanish and English.

include!(concat!(env!("OUT_DIR"), "/texts/group_form.rs"));
