//! What every step needs but no step teaches.
//!
//! Nothing in here is part of a runtime: the runtime pieces are copied from step to step so that
//! `cargo xtask diff N N+1` shows them changing. This crate only holds the plumbing around them:
//!
//! - [`say`] prints a demo line with the time since the program started, and
//!   [`capture`] lets a test read those lines back;
//! - [`Trace`] records events so that tests can assert the order in which things happened;
//! - [`demo`] answers "may this demo wait for the user?";
//! - [`testing`] has the helpers of the socket tests (a free port, a count of open descriptors).

pub mod demo;
pub mod testing;
mod trace;

pub use trace::{Trace, capture, elapsed, say};
