//! Every experiment by name, for `hpp run`, `hpp list` and reports.

use std::path::PathBuf;

use super::outcome::Outcome;
use crate::error::{Error, Result};
use crate::machine::Machine;
use crate::measure::Budget;

/// Settings some experiments take besides the budget.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Threads to use at most (0 or `None`: every usable CPU).
    pub threads: Option<usize>,
    /// Folder for temporary files (storage experiments).
    pub dir: Option<PathBuf>,
}

/// One entry: name, chapter, and what it shows.
pub struct Entry {
    /// Name as `hpp run` takes it.
    pub name: &'static str,
    /// What it measures, in one line.
    pub about: &'static str,
    run: fn(&Machine, &Budget, &RunOptions) -> Result<Box<dyn Outcome>>,
}

/// All experiments, in chapter order.
pub const CATALOG: &[Entry] = &[
    Entry {
        name: "clock",
        about: "effective clock from a dependent add chain; Figure 1-1 (clock by year) with you on it",
        run: |m, b, _| Ok(Box::new(super::clock(m, b)?)),
    },
    Entry {
        name: "ilp",
        about: "instruction-level parallelism: 1-16 independent chains of int add, f64 add, FMA",
        run: |m, b, _| Ok(Box::new(super::ilp(m, b)?)),
    },
    Entry {
        name: "branches",
        about: "conditional sum over sorted vs shuffled bytes vs branch-free: the cost of a mispredict",
        run: |m, b, _| Ok(Box::new(super::branches(m, b)?)),
    },
    Entry {
        name: "flops",
        about: "peak FLOP/s from independent FMA chains: scalar to widest vector, 1..N threads (--threads N)",
        run: |m, b, o| Ok(Box::new(super::flops(m, b, o.threads)?)),
    },
    Entry {
        name: "simd",
        about: "sum/dot/saxpy: strict scalar vs auto-vectorised vs explicit 128/256/512-bit lanes, L1 vs DRAM",
        run: |m, b, _| Ok(Box::new(super::simd(m, b)?)),
    },
    Entry {
        name: "roofline",
        about: "one core's roofline: peak FLOP/s, bandwidth per level, chapter kernels at their intensity",
        run: |m, b, _| Ok(Box::new(super::roofline(m, b)?)),
    },
    Entry {
        name: "scaling",
        about: "CPU share granted, compute- vs memory-bound speed-up on 1..N and 2N threads, Amdahl, false sharing",
        run: |m, b, o| Ok(Box::new(super::scaling(m, b, o.threads)?)),
    },
    Entry {
        name: "sum_layout",
        about: "sum floats in a Vec<f64> vs a Vec<Box<f64>>, L1 to main memory",
        run: |m, b, _| Ok(Box::new(super::sum_layout(m, b)?)),
    },
    Entry {
        name: "latency",
        about: "load-to-use latency by pointer chase, 4 KiB to 4× the last-level cache",
        run: |m, b, _| Ok(Box::new(super::latency(m, b)?)),
    },
    Entry {
        name: "bandwidth",
        about: "read/write/copy/triad GB/s by working-set size and threads (--threads N)",
        run: |m, b, o| Ok(Box::new(super::bandwidth(m, b, o.threads)?)),
    },
    Entry {
        name: "access",
        about: "sequential vs strided vs random reads by size, and the memory mountain",
        run: |m, b, _| Ok(Box::new(super::access(m, b)?)),
    },
    Entry {
        name: "cacheline",
        about: "cost per read for strides of 8 to 512 bytes: the cache line size",
        run: |m, b, _| Ok(Box::new(super::cacheline(m, b)?)),
    },
    Entry {
        name: "mlp",
        about: "memory-level parallelism: 1-16 chases at once; random gather with and without prefetch",
        run: |m, b, _| Ok(Box::new(super::mlp(m, b)?)),
    },
    Entry {
        name: "heavy_data",
        about: "moving vs computing: sum in place vs copy / binary / text round trip first",
        run: |m, b, _| Ok(Box::new(super::heavy_data(m, b)?)),
    },
    Entry {
        name: "storage",
        about: "sequential 1 MiB and random 4 KiB file reads, page cache vs O_DIRECT (--dir DIR)",
        run: |m, b, o| Ok(Box::new(super::storage(m, b, o.dir.as_deref())?)),
    },
    Entry {
        name: "network",
        about: "loopback TCP on 127.0.0.1: stream GB/s and 64-byte round-trip µs",
        run: |m, b, _| Ok(Box::new(super::network(m, b)?)),
    },
    Entry {
        name: "tiers",
        about: "registers to disk: capacity vs measured latency; latency numbers beside the published ones",
        run: |m, b, o| Ok(Box::new(super::tiers(m, b, o.dir.as_deref())?)),
    },
    Entry {
        name: "pointers",
        about: "the same floats contiguous, boxed in order, boxes shuffled, linked list: L1 to main memory",
        run: |m, b, _| Ok(Box::new(super::pointers(m, b)?)),
    },
    Entry {
        name: "dynamic",
        about: "type-checked tagged values and dyn Any vs plain f64; bounds checks; reading past the end",
        run: |m, b, _| Ok(Box::new(super::dynamic(m, b)?)),
    },
    Entry {
        name: "interpreter",
        about: "a tiny bytecode interpreter vs the same loop compiled: ns per bytecode",
        run: |m, b, _| Ok(Box::new(super::interpreter(m, b)?)),
    },
    Entry {
        name: "python",
        about: "the chapter's Python examples timed by your python3 beside Rust (HPP_PYTHON picks the interpreter)",
        run: |m, b, _| Ok(Box::new(super::python(m, b)?)),
    },
    Entry {
        name: "gil",
        about: "CPU-bound job on 1..N, 2N workers: CPython threads vs processes vs Rust threads (+ free-threaded CPython)",
        run: |m, b, o| Ok(Box::new(super::gil(m, b, o.threads)?)),
    },
    Entry {
        name: "objects",
        about: "bytes per float: CPython list (tracemalloc) vs Vec<f64> vs Vec<Box<f64>> (memit)",
        run: |m, b, _| Ok(Box::new(super::objects(m, b)?)),
    },
];

/// Run the experiment called `name` (`-` and `_` are the same).
///
/// # Errors
/// [`Error::BadInput`] naming the known experiments when `name` is unknown;
/// otherwise whatever the experiment returns.
pub fn run_named(name: &str, m: &Machine, b: &Budget, o: &RunOptions) -> Result<Box<dyn Outcome>> {
    let want = name.replace('-', "_");
    match CATALOG.iter().find(|e| e.name == want) {
        Some(e) => (e.run)(m, b, o),
        None => Err(Error::bad_input(format!(
            "no experiment called \"{name}\"; known: {}",
            CATALOG
                .iter()
                .map(|e| e.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
