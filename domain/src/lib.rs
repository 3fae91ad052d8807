//! Pure rules of the registry: names and search keys, specific needs, validation, permissions.
//! Nothing here performs I/O, and the crate depends on no database, web or async library, so the
//! client can share these rules with the server.

pub mod access;
pub mod assistance;
pub mod code_lists;
pub mod codes;
pub mod error;
pub mod events;
pub mod export;
pub mod feed;
pub mod import;
pub mod names;
pub mod needs;
pub mod patch;
pub mod prereg;
pub mod protection;
pub mod registration;
pub mod resettlement;
pub mod rsd;
pub mod sharing;
pub mod stats;
pub mod time_zone;
