//! `timeit`: IPython's `%timeit` for Rust closures. Grows the loop count
//! (1, 2, 5, 10, 20, 50, …) until one run lasts the budget's minimum (0.2 s by
//! default), then times that many loops per run, 7 runs, and reports the mean
//! and standard deviation per loop, and the best.

use std::fmt;
use std::hint::black_box;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::budget::Budget;
use super::stats;
use crate::units::fmt_seconds;

/// The result of [`timeit`]: every run kept, per-loop seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// What was timed (set with [`Timing::named`]).
    pub label: Option<String>,
    /// Calls per run.
    pub loops_per_run: u64,
    /// Seconds per call, one entry per run.
    pub per_loop_s: Vec<f64>,
    /// Mean of `per_loop_s`.
    pub mean_s: f64,
    /// Population standard deviation of `per_loop_s`.
    pub std_s: f64,
    /// Median run's seconds per call (robust on a noisy machine).
    pub median_s: f64,
    /// Fastest run's seconds per call.
    pub best_s: f64,
    /// Slowest run's seconds per call.
    pub worst_s: f64,
    /// The budget it ran under.
    pub budget: String,
}

impl Timing {
    /// Build a timing from per-loop samples (for tests and imports).
    pub fn from_samples(loops_per_run: u64, per_loop_s: Vec<f64>, budget: &str) -> Self {
        Timing {
            label: None,
            loops_per_run,
            mean_s: stats::mean(&per_loop_s).unwrap_or(f64::NAN),
            std_s: stats::std_dev(&per_loop_s).unwrap_or(f64::NAN),
            median_s: stats::median(&per_loop_s).unwrap_or(f64::NAN),
            best_s: stats::min(&per_loop_s).unwrap_or(f64::NAN),
            worst_s: stats::max(&per_loop_s).unwrap_or(f64::NAN),
            per_loop_s,
            budget: budget.to_string(),
        }
    }

    /// The same timing with a label, for tables and plots.
    pub fn named(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Runs timed.
    pub fn runs(&self) -> usize {
        self.per_loop_s.len()
    }

    /// Mean nanoseconds per call.
    pub fn mean_ns(&self) -> f64 {
        self.mean_s * 1e9
    }

    /// Best nanoseconds per call.
    pub fn best_ns(&self) -> f64 {
        self.best_s * 1e9
    }

    /// IPython's caching warning, when the slowest run took over 4× the fastest.
    pub fn warning(&self) -> Option<String> {
        (self.best_s > 0.0 && self.worst_s > 4.0 * self.best_s && self.worst_s > 1e-6).then(|| {
            format!(
                "The slowest run took {:.2} times longer than the fastest. This could mean that an intermediate result is being cached, or that something else ran on this machine.",
                self.worst_s / self.best_s
            )
        })
    }

    /// "1.23 ms ± 4.56 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)"
    pub fn ipython_line(&self) -> String {
        let plural = |n: u64, w: &str| {
            if n == 1 {
                format!("{n} {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        format!(
            "{} ± {} per loop (mean ± std. dev. of {}, {} each)",
            fmt_seconds(self.mean_s),
            fmt_seconds(self.std_s),
            plural(self.runs() as u64, "run"),
            plural(self.loops_per_run, "loop")
        )
    }

    /// Show in a notebook as text, IPython's way, with the best run too.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[("text/plain", &self.to_string())])
        );
    }
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(w) = self.warning() {
            writeln!(f, "{w}")?;
        }
        if let Some(l) = &self.label {
            write!(f, "{l}: ")?;
        }
        write!(
            f,
            "{}; best {}",
            self.ipython_line(),
            fmt_seconds(self.best_s)
        )
    }
}

/// Time `f` like IPython's `%timeit`, under the budget from the environment
/// ([`Budget::from_env`]). The result of every call goes through
/// `black_box`; pass inputs through `std::hint::black_box` inside `f` when
/// the compiler could otherwise see them as constants.
pub fn timeit<R>(f: impl FnMut() -> R) -> Timing {
    timeit_with(&Budget::from_env(), f)
}

/// [`timeit`] under an explicit budget.
pub fn timeit_with<R>(budget: &Budget, mut f: impl FnMut() -> R) -> Timing {
    let mut run = |loops: u64| -> f64 {
        let t0 = Instant::now();
        for _ in 0..loops {
            black_box(f());
        }
        t0.elapsed().as_secs_f64()
    };
    // Auto-range: 1, 2, 5, 10, 20, 50, … until a run reaches the minimum.
    let mut loops = 1u64;
    let mut step = 0;
    loop {
        let t = run(loops);
        if t >= budget.min_run_s || loops >= 1_000_000_000 {
            break;
        }
        step += 1;
        loops = [1, 2, 5][step % 3] * 10u64.pow(step as u32 / 3);
    }
    let runs = budget.runs.max(1);
    let per_loop: Vec<f64> = (0..runs).map(|_| run(loops) / loops as f64).collect();
    super::quality::note(&per_loop);
    Timing::from_samples(loops, per_loop, budget.level.as_str())
}
