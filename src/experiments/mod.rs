//! EXPERIMENTS: sweeps that drive kernels under a budget and return plain
//! data (`Sweep`), which plots and reports then show.

pub mod access;
pub mod bandwidth;
pub mod branches;
pub mod cacheline;
mod catalog;
pub mod clock;
pub mod dynamic;
pub mod flops;
pub mod gil;
pub mod heavy_data;
pub mod ilp;
pub mod interpreter;
pub mod latency;
pub mod mlp;
pub mod network;
pub mod objects;
mod outcome;
pub mod pointers;
pub mod python;
pub mod roofline;
pub mod scaling;
pub mod simd;
pub mod storage;
mod sum_layout;
mod sweep;
pub mod tiers;

pub use access::{Access, access};
pub use bandwidth::{Bandwidth, bandwidth};
pub use branches::{Branches, branches};
pub use cacheline::{CacheLine, cacheline};
pub use catalog::{CATALOG, Entry, RunOptions, run_named};
pub use clock::{Clock, clock};
pub use dynamic::{Dynamic, dynamic};
pub use flops::{Flops, flops};
pub use gil::{Gil, gil};
pub use heavy_data::{HeavyData, heavy_data};
pub use ilp::{Ilp, ilp};
pub use interpreter::{Interpreter, interpreter};
pub use latency::{Latency, latency};
pub use mlp::{Mlp, mlp};
pub use network::{Network, network};
pub use objects::{Objects, objects};
pub use outcome::Outcome;
pub use pointers::pointers;
pub use python::{Python, python, python_with};
pub use roofline::{Roofline, roofline};
pub use scaling::{Scaling, scaling};
pub use simd::{Simd, simd};
pub use storage::{Storage, storage};
pub use sum_layout::sum_layout;
pub use sweep::Sweep;
pub use tiers::{TierInputs, Tiers, tiers, tiers_from};

use crate::machine::Machine;
use crate::plot::Marker;
use crate::units::fmt_bytes;

/// The machine's data-cache sizes as plot markers ("L1d 32 KiB", …); empty
/// when the caches are unknown.
pub fn cache_markers(machine: &Machine) -> Vec<Marker> {
    machine
        .data_caches()
        .iter()
        .map(|c| Marker {
            label: format!("{} {}", c.label(), fmt_bytes(c.size_bytes)),
            size_bytes: c.size_bytes,
        })
        .collect()
}

/// Sizes from `lo` to `hi` inclusive, multiplying by `factor` (≥ 2); `hi`
/// itself is included if the steps miss it.
pub fn size_steps(lo: u64, hi: u64, factor: u64) -> Vec<u64> {
    let factor = factor.max(2);
    let mut v = Vec::new();
    let mut s = lo.max(1);
    while s <= hi {
        v.push(s);
        match s.checked_mul(factor) {
            Some(n) => s = n,
            None => break,
        }
    }
    if v.last().is_some_and(|&l| l < hi) {
        v.push(hi);
    }
    v
}

/// Nanoseconds per dependent register add — one clock cycle on every modern
/// core, so `1 / add_latency_ns` is the effective clock in GHz while the
/// measurement ran (turbo and throttling included). The median run.
pub fn add_latency_ns(budget: &crate::measure::Budget) -> crate::error::Fact<f64> {
    add_chain(budget).map(|t| t.median_s * 1e9 / ADD_CHAIN as f64)
}

/// As [`add_latency_ns`], from the fastest run: the clock to set beside a
/// peak that is itself the best of its runs.
pub fn add_latency_best_ns(budget: &crate::measure::Budget) -> crate::error::Fact<f64> {
    add_chain(budget).map(|t| t.best_s * 1e9 / ADD_CHAIN as f64)
}

/// Adds per timed call of the clock chain.
const ADD_CHAIN: u64 = 1 << 16;

fn add_chain(budget: &crate::measure::Budget) -> crate::error::Fact<crate::measure::Timing> {
    use crate::kernels::compute::dependent_adds;
    if dependent_adds(8).is_none() {
        return crate::error::Fact::unavailable("no add-chain kernel for this architecture");
    }
    crate::error::Fact::Known(crate::measure::timeit_with(budget, || {
        dependent_adds(std::hint::black_box(ADD_CHAIN))
    }))
}

/// The largest working set a sweep should reach: four times the last-level
/// cache (so the largest point is well out in main memory), or the budget's
/// ceiling when the caches are unknown; never above the budget, never below
/// 64 KiB.
pub fn beyond_caches(machine: &Machine, budget: &crate::measure::Budget) -> u64 {
    machine
        .last_level_cache_bytes()
        .map(|llc| llc.saturating_mul(4))
        .unwrap_or(budget.max_working_set_bytes)
        .min(budget.max_working_set_bytes)
        .max(64 << 10)
}
