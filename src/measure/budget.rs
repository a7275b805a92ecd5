//! How much time and memory an experiment may spend: `quick` for tests and CI,
//! `default` for a live session, `thorough` for a write-up.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::machine::Machine;

/// How long and how big: the three levels every experiment knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Tests and CI: seconds per experiment.
    Quick,
    /// A live session (IPython's `%timeit` settings).
    Default,
    /// Numbers worth publishing.
    Thorough,
}

impl Level {
    /// The level's name, as files and flags spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Quick => "quick",
            Level::Default => "default",
            Level::Thorough => "thorough",
        }
    }

    /// One of three values by level, for a setting that grows with it.
    pub fn pick<T>(self, quick: T, default: T, thorough: T) -> T {
        match self {
            Level::Quick => quick,
            Level::Default => default,
            Level::Thorough => thorough,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Time and size limits for one measurement or sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Quick, default or thorough.
    pub level: Level,
    /// A timed run is grown until it lasts at least this long (IPython: 0.2 s).
    pub min_run_s: f64,
    /// Runs per timing (IPython: 7).
    pub runs: usize,
    /// Largest working set a sweep may allocate.
    pub max_working_set_bytes: u64,
}

impl Budget {
    /// For tests and CI: short runs, small working sets.
    pub fn quick() -> Self {
        Budget {
            level: Level::Quick,
            min_run_s: 0.01,
            runs: 5,
            max_working_set_bytes: 64 << 20,
        }
    }

    /// IPython's own `%timeit` settings: runs of ≥ 0.2 s, 7 of them.
    pub fn standard() -> Self {
        Budget {
            level: Level::Default,
            min_run_s: 0.2,
            runs: 7,
            max_working_set_bytes: 256 << 20,
        }
    }

    /// For numbers worth publishing: longer runs, more of them, bigger sets.
    pub fn thorough() -> Self {
        Budget {
            level: Level::Thorough,
            min_run_s: 0.5,
            runs: 11,
            max_working_set_bytes: 1 << 30,
        }
    }

    /// `quick` when `HPP_QUICK=1` (tests, CI, the README's quick run), else
    /// `HPP_BUDGET=quick|default|thorough`, else `default`.
    pub fn from_env() -> Self {
        if std::env::var("HPP_QUICK").is_ok_and(|v| v == "1") {
            return Budget::quick();
        }
        match std::env::var("HPP_BUDGET").as_deref() {
            Ok("quick") => Budget::quick(),
            Ok("thorough") => Budget::thorough(),
            _ => Budget::standard(),
        }
    }

    /// The budget for one point of a sweep: a tenth of the run length (at
    /// least 10 ms), so a 16-size sweep of two variants stays near ten
    /// seconds under the default budget.
    pub fn per_point(&self) -> Budget {
        Budget {
            min_run_s: (self.min_run_s / 10.0).max(0.01),
            ..self.clone()
        }
    }

    /// Refuse, before allocating, a working set this budget or this machine
    /// cannot hold. Allows at most 80% of the memory available now.
    ///
    /// # Errors
    /// [`Error::TooBig`] naming the sizes, or [`Error::BadInput`] for zero.
    pub fn check_alloc(&self, machine: &Machine, what: &str, bytes: u64) -> Result<()> {
        if bytes == 0 {
            return Err(Error::bad_input(format!(
                "{what}: a size of 0 bytes measures nothing; ask for at least one element"
            )));
        }
        if let Some(avail) = machine.available_memory_bytes() {
            let limit = avail / 10 * 8;
            if bytes > limit {
                return Err(Error::TooBig {
                    what: what.to_string(),
                    needed_bytes: bytes,
                    available_bytes: limit,
                });
            }
        } else if bytes > self.max_working_set_bytes.saturating_mul(8) {
            // Without a memory figure, stay within 8× the budget's working-set
            // ceiling (room for per-element overhead such as boxes).
            return Err(Error::TooBig {
                what: format!(
                    "{what} (this machine's free memory is unknown, so hpp keeps to the {} budget)",
                    self.level
                ),
                needed_bytes: bytes,
                available_bytes: self.max_working_set_bytes.saturating_mul(8),
            });
        }
        Ok(())
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::standard()
    }
}
