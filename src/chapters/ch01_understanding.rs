//! Chapter 1 · Understanding Performant Python: the computer's parts —
//! computing units, memory units, the buses between them — and where
//! Python pays for its flexibility.

use std::path::Path;

use super::{Chapter, Entry, load_as};
use crate::error::Result;
use crate::experiments::io::tiers::{DiskFigures, LevelLatency, NetworkFigures};
use crate::experiments::{self as x, Latency, Network, Storage, Sweep, TierInputs, Tiers};
use crate::machine::Machine;
use crate::measure::Budget;

/// Chapter 1, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 1,
    slug: "understanding",
    title: "Understanding Performant Python",
    // The club session's core path (the notebook marks the rest
    // take-home): about a dozen experiments a group can predict, run and
    // discuss in one evening.
    core: &[
        "sum_layout",
        "clock",
        "ilp",
        "simd",
        "scaling",
        "amdahl",
        "latency",
        "access",
        "bandwidth",
        "roofline",
        "heavy_data",
        "pointers",
        "python",
        "gil",
    ],
    experiments: &[
        Entry {
            name: "clock",
            about: "effective clock from a dependent add chain; Figure 1-1 (clock by year) with you on it",
            run: |m, b, _| Ok(Box::new(x::clock(m, b)?)),
            load: load_as::<x::Clock>,
        },
        Entry {
            name: "ilp",
            about: "instruction-level parallelism: 1-16 independent chains of int add, f64 add, FMA",
            run: |m, b, _| Ok(Box::new(x::ilp(m, b)?)),
            load: load_as::<x::Ilp>,
        },
        Entry {
            name: "branches",
            about: "conditional sum over sorted vs shuffled bytes vs branch-free: the cost of a mispredict",
            run: |m, b, _| Ok(Box::new(x::branches(m, b)?)),
            load: load_as::<x::Branches>,
        },
        Entry {
            name: "flops",
            about: "peak FLOP/s from independent FMA chains: scalar to widest vector, 1..N threads (--threads N)",
            run: |m, b, o| Ok(Box::new(x::flops(m, b, o.threads)?)),
            load: load_as::<x::Flops>,
        },
        Entry {
            name: "simd",
            about: "sum/dot/saxpy: strict scalar vs auto-vectorised vs explicit 128/256/512-bit lanes, L1 vs DRAM",
            run: |m, b, _| Ok(Box::new(x::simd(m, b)?)),
            load: load_as::<x::Simd>,
        },
        Entry {
            name: "scaling",
            about: "CPU share granted, compute- vs memory-bound speed-up on 1..N and 2N threads, Amdahl, false sharing",
            run: |m, b, o| Ok(Box::new(x::scaling(m, b, o.threads)?)),
            load: load_as::<x::Scaling>,
        },
        Entry {
            name: "amdahl",
            about: "Amdahl's law measured: a job 0, 5, 25 and 50% serial on 1..N threads against the law's curves, and CPython's threads fitted the same way",
            run: |m, b, o| Ok(Box::new(x::amdahl(m, b, o.threads)?)),
            load: load_as::<x::Amdahl>,
        },
        Entry {
            name: "sum_layout",
            about: "sum floats in a Vec<f64> vs a Vec<Box<f64>>, L1 to main memory",
            run: |m, b, _| Ok(Box::new(x::sum_layout(m, b)?)),
            load: load_as::<Sweep>,
        },
        Entry {
            name: "latency",
            about: "load-to-use latency by pointer chase, 4 KiB to 4× the last-level cache",
            run: |m, b, _| Ok(Box::new(x::latency(m, b)?)),
            load: load_as::<x::Latency>,
        },
        Entry {
            name: "cacheline",
            about: "cost per read for strides of 8 to 512 bytes: the cache line size",
            run: |m, b, _| Ok(Box::new(x::cacheline(m, b)?)),
            load: load_as::<x::CacheLine>,
        },
        Entry {
            name: "access",
            about: "sequential vs strided vs random reads by size, and the memory mountain",
            run: |m, b, _| Ok(Box::new(x::access(m, b)?)),
            load: load_as::<x::Access>,
        },
        Entry {
            name: "bandwidth",
            about: "read/write/copy/triad GB/s by working-set size and threads (--threads N)",
            run: |m, b, o| Ok(Box::new(x::bandwidth(m, b, o.threads)?)),
            load: load_as::<x::Bandwidth>,
        },
        Entry {
            name: "mlp",
            about: "memory-level parallelism: 1-16 chases at once; random gather with and without prefetch",
            run: |m, b, _| Ok(Box::new(x::mlp(m, b)?)),
            load: load_as::<x::Mlp>,
        },
        Entry {
            name: "roofline",
            about: "one core's roofline: peak FLOP/s, bandwidth per level, chapter kernels at their intensity",
            run: |m, b, _| Ok(Box::new(x::roofline(m, b)?)),
            load: load_as::<x::Roofline>,
        },
        Entry {
            name: "heavy_data",
            about: "moving vs computing: sum in place vs copy / binary / text round trip first",
            run: |m, b, _| Ok(Box::new(x::heavy_data(m, b)?)),
            load: load_as::<x::HeavyData>,
        },
        Entry {
            name: "storage",
            about: "sequential 1 MiB and random 4 KiB file reads, page cache vs O_DIRECT (--dir DIR)",
            run: |m, b, o| Ok(Box::new(x::storage(m, b, o.dir.as_deref())?)),
            load: load_as::<x::Storage>,
        },
        Entry {
            name: "network",
            about: "loopback TCP on 127.0.0.1: stream GB/s and 64-byte round-trip µs",
            run: |m, b, _| Ok(Box::new(x::network(m, b)?)),
            load: load_as::<x::Network>,
        },
        Entry {
            name: "tiers",
            about: "registers to disk: capacity vs measured latency; latency numbers beside the published ones",
            run: |m, b, o| Ok(Box::new(tiers(m, b, o.dir.as_deref())?)),
            load: load_as::<x::Tiers>,
        },
        Entry {
            name: "buses",
            about: "this machine's PCIe links and memory modules (sysfs, DMI), what each carries in theory, a reference table of common links, and measured memory, disk and loopback bandwidth beside them",
            run: |m, b, o| Ok(Box::new(buses(m, b, o.dir.as_deref())?)),
            load: load_as::<x::Buses>,
        },
        Entry {
            name: "pointers",
            about: "the same floats contiguous, boxed in order, boxes shuffled, linked list: L1 to main memory",
            run: |m, b, _| Ok(Box::new(x::pointers(m, b)?)),
            load: load_as::<Sweep>,
        },
        Entry {
            name: "dynamic",
            about: "type-checked tagged values and dyn Any vs plain f64; bounds checks; reading past the end",
            run: |m, b, _| Ok(Box::new(x::dynamic(m, b)?)),
            load: load_as::<x::Dynamic>,
        },
        Entry {
            name: "interpreter",
            about: "a tiny bytecode interpreter vs the same loop compiled: ns per bytecode",
            run: |m, b, _| Ok(Box::new(x::interpreter(m, b)?)),
            load: load_as::<x::Interpreter>,
        },
        Entry {
            name: "python",
            about: "the chapter's Python examples timed by your python3 beside Rust (HPP_PYTHON picks the interpreter)",
            run: |m, b, _| Ok(Box::new(x::python(m, b)?)),
            load: load_as::<x::Python>,
        },
        Entry {
            name: "gil",
            about: "CPU-bound job on 1..N, 2N workers: CPython threads vs processes vs Rust threads (+ free-threaded CPython)",
            run: |m, b, o| Ok(Box::new(x::gil(m, b, o.threads)?)),
            load: load_as::<x::Gil>,
        },
        Entry {
            name: "objects",
            about: "bytes per float: CPython list (tracemalloc) vs Vec<f64> vs Vec<Box<f64>> (memit)",
            run: |m, b, _| Ok(Box::new(x::objects(m, b)?)),
            load: load_as::<x::Objects>,
        },
    ],
};

/// The tiers table's inputs from this chapter's latency, storage and
/// network results (storage or network `None` when they could not run).
pub fn tier_inputs(
    latency: &Latency,
    storage: Option<&Storage>,
    network: Option<&Network>,
) -> TierInputs {
    fn device<'a>(
        s: &'a Storage,
        pattern: &str,
    ) -> Option<&'a crate::experiments::io::storage::StorageRow> {
        s.row(pattern, "device")
    }
    TierInputs {
        levels: latency
            .levels
            .iter()
            .map(|l| LevelLatency {
                level: l.level.clone(),
                probed_bytes: l.probed_bytes,
                size_bytes: l.size_bytes,
                ns_per_load: l.ns_per_load,
            })
            .collect(),
        disk: storage.map(|s| DiskFigures {
            dir: s.dir.clone(),
            random_read_us: device(s, "random").and_then(|r| r.us_per_read.known().copied()),
            sequential_mb_per_s: device(s, "seq").and_then(|r| r.mb_per_s.known().copied()),
        }),
        network: network.map(|n| NetworkFigures {
            stream_gb_per_s: n.stream_gb_per_s,
            round_trip_us: n.round_trip_us,
        }),
    }
}

/// The buses, with the bandwidths they are set beside measured first (the
/// notebook passes the results it already has instead).
///
/// # Errors
/// As `bandwidth`.
pub fn buses(machine: &Machine, budget: &Budget, dir: Option<&Path>) -> Result<x::Buses> {
    let bandwidth = x::bandwidth(machine, budget, None)?;
    let mut measured: Vec<Box<dyn x::Outcome>> = vec![Box::new(bandwidth)];
    if let Ok(s) = x::storage(machine, budget, dir) {
        measured.push(Box::new(s));
    }
    if let Ok(n) = x::network(machine, budget) {
        measured.push(Box::new(n));
    }
    let refs: Vec<&dyn x::Outcome> = measured.iter().map(|b| b.as_ref()).collect();
    x::buses(machine, &refs)
}

/// Run what `tiers` needs (latency, storage in `dir`, network) and build
/// it; a notebook passes the results it already has to
/// [`x::tiers_from`] instead.
///
/// # Errors
/// Whatever the latency experiment returns; storage and network failures
/// become "unavailable" rows instead.
pub fn tiers(machine: &Machine, budget: &Budget, dir: Option<&Path>) -> Result<Tiers> {
    let latency = x::latency(machine, budget)?;
    let storage = x::storage(machine, budget, dir).ok();
    let network = x::network(machine, budget).ok();
    x::tiers_from(
        machine,
        budget,
        &tier_inputs(&latency, storage.as_ref(), network.as_ref()),
    )
}
