//! How fine the clock that times everything is: the smallest step between two
//! `Instant::now()` readings, measured.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::Fact;

/// The timer behind every measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    /// What the timer is.
    pub source: String,
    /// Smallest non-zero difference seen between consecutive readings, in ns.
    pub resolution_ns: Fact<f64>,
    /// Median cost of one reading, in ns.
    pub overhead_ns: f64,
}

/// Measure the timer.
pub fn measure() -> Timer {
    let mut min_step = u128::MAX;
    let mut costs = Vec::with_capacity(64);
    for _ in 0..64 {
        let t0 = Instant::now();
        let mut t1 = Instant::now();
        let mut n = 1u32;
        while t1 == t0 && n < 1_000_000 {
            t1 = Instant::now();
            n += 1;
        }
        let step = (t1 - t0).as_nanos();
        if step > 0 {
            min_step = min_step.min(step);
        }
        // 256 back-to-back readings give the cost of one.
        let a = Instant::now();
        for _ in 0..256 {
            std::hint::black_box(Instant::now());
        }
        costs.push((a.elapsed().as_nanos() as f64) / 256.0);
    }
    costs.sort_by(f64::total_cmp);
    let source = if cfg!(target_os = "linux") {
        "std::time::Instant (clock_gettime CLOCK_MONOTONIC)"
    } else if cfg!(target_os = "macos") {
        "std::time::Instant (mach_absolute_time)"
    } else {
        "std::time::Instant"
    };
    Timer {
        source: source.to_string(),
        resolution_ns: if min_step == u128::MAX {
            Fact::unavailable("the clock never advanced in a million readings")
        } else {
            Fact::Known(min_step as f64)
        },
        overhead_ns: costs[costs.len() / 2],
    }
}
