//! One progress line per step of a long run, on stderr (evcxr holds back a
//! `print!` without a newline, so there are no carriage-return bars). Runs
//! that finish within a second print nothing; `HPP_PROGRESS=0` silences it,
//! `HPP_PROGRESS=all` shows every step.

use std::time::Instant;

/// Counts the steps of one experiment.
#[derive(Debug)]
pub struct Progress {
    name: String,
    total: usize,
    done: usize,
    start: Instant,
    on: bool,
    all: bool,
}

impl Progress {
    /// A run of `total` steps called `name`.
    pub fn new(name: &str, total: usize) -> Self {
        Progress {
            name: name.to_string(),
            total,
            done: 0,
            start: Instant::now(),
            on: std::env::var("HPP_PROGRESS").map_or(true, |v| v != "0"),
            all: std::env::var("HPP_PROGRESS").is_ok_and(|v| v == "all"),
        }
    }

    /// Announce the next step.
    pub fn step(&mut self, what: &str) {
        self.done += 1;
        // Quiet for the first second: short runs need no progress report.
        if self.on && (self.all || self.start.elapsed().as_secs_f64() >= 1.0) {
            eprintln!(
                "{} [{}/{}] {what} ({:.1} s)",
                self.name,
                self.done,
                self.total,
                self.start.elapsed().as_secs_f64()
            );
        }
    }
}
