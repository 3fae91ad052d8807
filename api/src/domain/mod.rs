//! Pure rules of the registry: names and search keys, specific needs, validation, permissions.
//! Nothing here performs I/O.

pub mod access;
pub mod code_lists;
pub mod codes;
pub mod names;
pub mod needs;
pub mod registration;
pub mod rsd;
