//! Open-loop load generator for Amparo's GraphQL endpoint.
//!
//! The server benchmark has to say how the API behaves at a *given* arrival rate, the way offices
//! actually hit it, not how fast one client can loop. A closed loop (send, wait, send) slows down
//! together with the server and hides the queueing a slow server causes (coordinated omission).
//! Here requests leave on a fixed schedule, each on its own task, and every latency is measured
//! from the moment the request was *scheduled*, so time spent waiting for a connection or behind a
//! slow response counts.
//!
//! Load only ever goes to this machine: [`target::Target`] refuses anything but loopback, and
//! [`runner`] bounds rate, duration and the total number of requests.

pub mod client;
pub mod names;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod target;
