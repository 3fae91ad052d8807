//! Amparo's server library: the GraphQL API, the pure domain rules and the database store.
//!
//! The layers depend one way only: `graphql` calls `domain` and `store`; `store` knows nothing of
//! GraphQL; `domain` knows neither diesel nor async-graphql, so its rules are tested without a
//! database.

pub mod auth;
pub mod biometric;
pub use amparo_domain as domain;
pub mod error;
pub mod explorer;
pub mod export;
pub mod follower;
pub mod graphql;
pub mod import;
pub mod node;
pub mod preregistration;
pub mod seed;
pub mod server;
pub mod store;
