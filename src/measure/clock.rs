//! The effective clock, measured: a chain of dependent register adds runs
//! at one add per cycle on every modern core, so the time per add is one
//! cycle as the core really ran (turbo and throttling included).

use std::hint::black_box;

use crate::error::Fact;
use crate::kernels::compute::dependent_adds;
use crate::measure::{Budget, Timing, timeit_with};

/// Adds per timed call of the clock chain.
const ADD_CHAIN: u64 = 1 << 16;

/// Nanoseconds per dependent register add — one clock cycle, so
/// `1 / add_latency_ns` is the effective clock in GHz. The median run.
pub fn add_latency_ns(budget: &Budget) -> Fact<f64> {
    add_chain(budget).map(|t| t.median_s * 1e9 / ADD_CHAIN as f64)
}

/// As [`add_latency_ns`], from the fastest run: the clock to set beside a
/// peak that is itself the best of its runs.
pub fn add_latency_best_ns(budget: &Budget) -> Fact<f64> {
    add_chain(budget).map(|t| t.best_s * 1e9 / ADD_CHAIN as f64)
}

fn add_chain(budget: &Budget) -> Fact<Timing> {
    if dependent_adds(8).is_none() {
        return Fact::unavailable("no add-chain kernel for this architecture");
    }
    Fact::Known(timeit_with(budget, || dependent_adds(black_box(ADD_CHAIN))))
}
