//! `amparo`, the caseworkers' terminal client. It is built for SSH over thin links: it draws
//! only when something changed, sends one buffered write per frame, and never waits on the
//! network while the user types.
//!
//! The shape is Elm's: [`app::App`] is the whole state, [`app::update`] applies one
//! [`app::Msg`] and returns [`app::Cmd`]s that [`runtime`] runs as tasks, and [`view::view`]
//! draws the state.

pub mod api;
pub mod app;
pub mod capture;
pub mod config;
pub mod cursors;
#[cfg(feature = "demo")]
pub mod demo;
pub mod form;
pub mod group;
pub mod i18n;
pub mod live;
pub mod register;
pub mod review;
pub mod runtime;
pub mod term;
pub mod tls;
pub mod view;
pub mod view_case;
pub mod view_group;
pub mod view_review;
pub mod work;
