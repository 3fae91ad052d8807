//! `amparo`, the caseworkers' terminal client. It is built for SSH over thin links: it draws
//! only when something changed, sends one buffered write per frame, and never waits on the
//! network while the user types.
//!
//! The shape is Elm's, split by screen: [`app::App`] holds the session and the stack of
//! screens, [`app::update`] hands one [`msg::Msg`] to the screen it concerns (each in
//! [`screens`], owning its state, keys and drawing) and returns the [`msg::Cmd`]s that
//! [`runtime`] runs as tasks, and [`view::view`] draws the frame around the screen shown.

pub mod actions;
pub mod api;
pub mod app;
pub mod capture;
pub mod config;
pub mod cursors;
#[cfg(feature = "demo")]
pub mod demo;
pub mod export;
pub mod i18n;
pub mod live;
pub mod msg;
pub mod nav;
pub mod node_status;
pub mod picker;
pub mod refusals;
pub mod runtime;
pub mod screens;
pub mod term;
pub mod tls;
pub mod token;
pub mod view;
pub mod widgets;
