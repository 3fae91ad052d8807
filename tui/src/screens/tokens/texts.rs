//! The words of the tokens screen, in Spanish and English; the columns and states are those of
//! `amparo token` (`crate::token`), the common words come through `Deref`.

include!(concat!(env!("OUT_DIR"), "/texts/tokens.rs"));
