//! The server suite: every test runs over real HTTP against a real server, once on SQLite and
//! once on PostgreSQL.

mod access;
mod audit;
mod auth;
mod biometrics;
mod cases;
mod explorer;
mod limits;
mod reference;
mod registration;
mod search;
mod support;
mod workflow;
