//! `mlp`: memory-level parallelism. One pointer chase keeps one miss in
//! flight; k independent chases keep k. And a random gather, whose addresses
//! are known ahead, with and without software prefetch: why prefetching
//! (and async I/O, one level up) hides latency instead of removing it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::cache::{Chain, gather_sum, gather_sum_prefetch, software_prefetch_available};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// Loads per chain per timed call.
const STEPS: usize = 1 << 12;
/// Prefetch distance, in elements ahead.
const DISTANCE: usize = 16;

/// k chases at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpPoint {
    /// Independent chases interleaved.
    pub chains: usize,
    /// Nanoseconds per load, all chases together (time / loads).
    pub ns_per_load: f64,
}

/// The `mlp` result. JSON: `points[{chains, ns_per_load}]`,
/// `gather_ns_per_load`, `gather_prefetch_ns_per_load`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mlp {
    /// Always "mlp".
    pub experiment: String,
    /// Bytes of the chain and of the gathered array.
    pub size_bytes: u64,
    /// One entry per number of chases.
    pub points: Vec<MlpPoint>,
    /// Random gather, no prefetch.
    pub gather_ns_per_load: f64,
    /// Random gather with software prefetch `prefetch_distance` ahead.
    pub gather_prefetch_ns_per_load: Fact<f64>,
    /// How far ahead the prefetch reaches, in elements.
    pub prefetch_distance: usize,
    /// Budget used.
    pub budget: String,
}

/// Measure on a working set of 4× the last-level cache (capped by the budget).
///
/// # Errors
/// [`crate::Error::TooBig`] when it would not fit in memory.
pub fn mlp(machine: &Machine, budget: &Budget) -> Result<Mlp> {
    let size = crate::measure::plan::beyond_caches(machine, budget);
    budget.check_alloc(machine, "mlp's arrays", size.saturating_mul(3))?;
    let node = u64::from(machine.line_bytes().unwrap_or(64)).max(8);
    let chain = Chain::new((size / node) as usize, node as usize, 0xC0FFEE)?;
    let counts = [1usize, 2, 4, 8, 16];
    let point = budget.per_point();
    let mut progress = Progress::new("mlp", counts.len() + 1);
    let mut points = Vec::new();
    for &k in &counts {
        progress.step(&format!("{k} chase{}", if k == 1 { "" } else { "s" }));
        let mut pos = chain.spread_starts(k);
        let t = timeit_with(&point, || {
            chain.chase_parallel(&mut pos, STEPS);
            pos[0]
        });
        points.push(MlpPoint {
            chains: k,
            ns_per_load: t.median_s * 1e9 / (STEPS * k) as f64,
        });
    }
    drop(chain);
    progress.step("random gather, with and without prefetch");
    let n = (size / 8) as usize;
    let data: Vec<u64> = (0..n as u64).collect();
    let mut rng = SplitMix64::new(0xFEED);
    let m = (1usize << 16).min(n);
    let idx: Vec<u32> = (0..m)
        .map(|_| rng.below(n.min(u32::MAX as usize)) as u32)
        .collect();
    let t = timeit_with(&point, || gather_sum(std::hint::black_box(&data), &idx));
    let gather = t.median_s * 1e9 / m as f64;
    let prefetch = if software_prefetch_available() {
        let t = timeit_with(&point, || {
            gather_sum_prefetch(std::hint::black_box(&data), &idx, DISTANCE)
        });
        Fact::Known(t.median_s * 1e9 / m as f64)
    } else {
        Fact::unavailable("hpp issues software prefetch on x86_64 only")
    };
    Ok(Mlp {
        experiment: "mlp".into(),
        size_bytes: size,
        points,
        gather_ns_per_load: gather,
        gather_prefetch_ns_per_load: prefetch,
        prefetch_distance: DISTANCE,
        budget: budget.level.to_string(),
    })
}

impl Mlp {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Mlp {
    fn name(&self) -> &str {
        "mlp"
    }

    fn plot(&self) -> Result<Figure> {
        let mut bars: Vec<(String, f64)> = self
            .points
            .iter()
            .map(|p| {
                (
                    format!("{} chase{}", p.chains, if p.chains == 1 { "" } else { "s" }),
                    p.ns_per_load,
                )
            })
            .collect();
        bars.push(("gather".into(), self.gather_ns_per_load));
        if let Fact::Known(p) = self.gather_prefetch_ns_per_load {
            bars.push(("gather+prefetch".into(), p));
        }
        bar_chart(
            &format!(
                "Misses in flight: ns per load over {}",
                fmt_bytes(self.size_bytes)
            ),
            "ns per load (lower is better)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let (Some(one), Some(many)) = (self.points.first(), self.points.last()) else {
            return "Nothing was measured.".into();
        };
        let pf = match &self.gather_prefetch_ns_per_load {
            Fact::Known(p) => {
                let gain = self.gather_ns_per_load / p;
                format!(
                    "; prefetching {} elements ahead makes it {} ns ({}×){}",
                    self.prefetch_distance,
                    fmt_sig(*p, 3),
                    fmt_sig(gain, 3),
                    if gain < 1.1 {
                        ": out-of-order execution already overlaps these independent loads, so the hint adds little"
                    } else {
                        ""
                    }
                )
            }
            Fact::Unavailable(u) => format!("; software prefetch {u}"),
        };
        let gain = one.ns_per_load / many.ns_per_load;
        let overlap = if gain >= 1.5 {
            "the memory system overlaps their misses"
        } else {
            "their misses hardly overlap here (the core tracks only so many misses at once, and a shared or virtualised memory system may allow fewer)"
        };
        format!(
            "One chase waits for each miss: {} ns per load. With {} independent chases {overlap}: {} ns per load, {}× the throughput. A random gather (addresses known ahead) costs {} ns per load{pf}.",
            fmt_sig(one.ns_per_load, 3),
            many.chains,
            fmt_sig(many.ns_per_load, 3),
            fmt_sig(gain, 3),
            fmt_sig(self.gather_ns_per_load, 3),
        )
    }
}

impl fmt::Display for Mlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:>8}  {:>10}", "chases", "ns/load")?;
        for p in &self.points {
            writeln!(f, "{:>8}  {:>10}", p.chains, fmt_sig(p.ns_per_load, 3))?;
        }
        writeln!(
            f,
            "{:>8}  {:>10}",
            "gather",
            fmt_sig(self.gather_ns_per_load, 3)
        )?;
        writeln!(
            f,
            "{:>8}  {:>10}",
            "+pref",
            self.gather_prefetch_ns_per_load
                .clone()
                .map(|v| fmt_sig(v, 3))
        )?;
        write!(f, "{}", self.reading())
    }
}
