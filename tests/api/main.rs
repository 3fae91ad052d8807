//! The server suite: every test runs over real HTTP against a real server, once on SQLite and
//! once on PostgreSQL.

mod abuse;
mod access;
mod admin;
mod assistance;
mod audit;
mod auth;
mod batching;
mod biometrics;
mod cases;
mod errors;
mod explorer;
mod exports;
mod feed;
mod field_groups;
mod idempotency;
mod import;
mod limits;
mod modules;
mod node;
mod pre_registration;
mod processes;
mod protection;
mod reference;
mod registration;
mod search;
mod sessions;
mod sharing;
mod statistics;
mod support;
mod workflow;
