//! How much to trust a result: the spread of every timing taken while an
//! experiment ran. [`observe`] runs a closure and collects, from each
//! [`crate::measure::timeit_with`] call made on this thread meanwhile, the
//! coefficient of variation and the slowest-to-fastest ratio of its runs.
//! Nothing persists after the call returns.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::stats;

thread_local! {
    static SINK: RefCell<Option<Vec<(f64, f64)>>> = const { RefCell::new(None) };
}

/// Record one timing's runs (seconds per loop, or rates: the spread is the
/// same), if an [`observe`] is open.
pub(crate) fn note(per_loop_s: &[f64]) {
    let (Some(m), Some(sd), Some(lo), Some(hi)) = (
        stats::mean(per_loop_s),
        stats::std_dev(per_loop_s),
        stats::min(per_loop_s),
        stats::max(per_loop_s),
    ) else {
        return;
    };
    if m <= 0.0 || lo <= 0.0 || per_loop_s.len() < 2 {
        return;
    }
    SINK.with(|s| {
        if let Some(v) = s.borrow_mut().as_mut() {
            v.push((sd / m, hi / lo));
        }
    });
}

/// The spread of the timings one experiment took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispersion {
    /// Timings observed.
    pub timings: usize,
    /// Median over timings of (standard deviation ÷ mean) of their runs.
    pub median_cv: f64,
    /// Largest such coefficient of variation.
    pub worst_cv: f64,
    /// Largest slowest-run ÷ fastest-run ratio.
    pub worst_max_over_min: f64,
}

/// Median coefficient of variation above which results are flagged.
pub const NOISY_CV: f64 = 0.05;

/// Slowest/fastest ratio above which a result is flagged.
pub const UNSTABLE_RATIO: f64 = 2.0;

impl Dispersion {
    /// Reasons not to trust the timings, if any.
    pub fn flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.median_cv > NOISY_CV {
            f.push(format!(
                "noisy: the runs of a typical timing vary by {:.1}% (coefficient of variation; over {:.0}% is flagged)",
                100.0 * self.median_cv,
                100.0 * NOISY_CV
            ));
        }
        if self.worst_max_over_min > UNSTABLE_RATIO {
            f.push(format!(
                "unstable: in one timing the slowest run took {:.1}× the fastest (another program, or the clock changing speed)",
                self.worst_max_over_min
            ));
        }
        f
    }
}

/// Run `f`, and summarise the spread of every timing it took on this
/// thread (`None` when it took none, e.g. experiments that time threads
/// themselves).
pub fn observe<T>(f: impl FnOnce() -> T) -> (T, Option<Dispersion>) {
    let outer = SINK.with(|s| s.borrow_mut().replace(Vec::new()));
    let out = f();
    let got = SINK.with(|s| std::mem::replace(&mut *s.borrow_mut(), outer));
    let got = got.unwrap_or_default();
    if got.is_empty() {
        return (out, None);
    }
    let cvs: Vec<f64> = got.iter().map(|x| x.0).collect();
    let ratios: Vec<f64> = got.iter().map(|x| x.1).collect();
    let d = Dispersion {
        timings: got.len(),
        median_cv: stats::median(&cvs).unwrap_or(f64::NAN),
        worst_cv: stats::max(&cvs).unwrap_or(f64::NAN),
        worst_max_over_min: stats::max(&ratios).unwrap_or(f64::NAN),
    };
    (out, Some(d))
}
