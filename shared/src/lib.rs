//! What every step needs but no step teaches.
//!
//! Nothing in here is part of a runtime: the runtime pieces are copied from step to step so that
//! `cargo xtask diff N N+1` shows them changing. This crate only holds the plumbing around them,
//! so that it never shows up in a diff:
//!
//! - [`say`] prints a demo line with the time since the program started, and [`capture`] lets a
//!   test read those lines back; [`Trace`] records events so that tests can assert their order;
//!   [`output`] keeps a server's logging from ever blocking it;
//! - [`demo`] answers "may this demo wait for the user?" and parses every demo's flags;
//! - [`echo`] is the reverse-echo line protocol of steps 04 to 06 (splitting, reversing, limits,
//!   log previews) and a blocking client for tests;
//! - [`testing`] has the test helpers: a time limit, running a demo, a free port, a count of
//!   open descriptors; [`sys`] measures the CPU time used, to show a loop that no longer spins;
//! - [`record`] listens to what the loops of steps 03 to 06 decide, for `cargo xtask trace`,
//!   for the demos' `--step`, and for tests (it never schedules anything itself).

pub mod demo;
pub mod echo;
pub mod output;
pub mod record;
pub mod sys;
pub mod testing;
mod trace;

pub use trace::{Trace, capture, elapsed, say};
