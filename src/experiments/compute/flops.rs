//! `flops`: peak floating-point throughput. Twelve independent FMA chains per
//! thread, at every vector width the CPU has, in f64 and f32, on 1 … N
//! threads. SIMD multiplies the work per instruction; cores multiply it
//! again — the two ways hardware has grown since clocks stopped.

use std::fmt;
use std::sync::Barrier;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::Headline;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::flops::{Precision, flops_per_call, run};
use crate::machine::Machine;
use crate::machine::uarch::{FmaUnits, fma_units};
use crate::measure::plan::thread_counts;
use crate::measure::{Budget, Progress, stats};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// Widths tried, in bits (64 = scalar).
pub const WIDTHS: [u32; 4] = [64, 128, 256, 512];

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlopsPoint {
    /// "f64" or "f32".
    pub precision: String,
    /// Register width used (64 = scalar).
    pub vector_bits: u32,
    /// Threads running the kernel at once.
    pub threads: usize,
    /// Billions of floating-point operations per second, all threads.
    pub gflops: f64,
    /// What the core's FMA units could do at the measured clock, all
    /// threads (from `data/fma_units.csv`); `None` when the table does not
    /// know this CPU or width.
    pub theoretical_gflops: Option<f64>,
}

/// The `flops` result. JSON: `points[{precision, vector_bits, threads,
/// gflops, theoretical_gflops}]`, `unavailable[{precision, vector_bits, why}]`,
/// `ghz`, `flops_per_cycle_per_core` (best single-thread figure ÷ clock),
/// `fma_units` (the reference row used for the theoretical figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flops {
    /// Always "flops".
    pub experiment: String,
    /// Every measurement.
    pub points: Vec<FlopsPoint>,
    /// Widths this CPU or hpp cannot run, and why.
    pub unavailable: Vec<(String, u32, String)>,
    /// Clock measured in this run, GHz.
    pub ghz: Fact<f64>,
    /// Best single-thread f64 FLOP per cycle.
    pub flops_per_cycle_per_core: Fact<f64>,
    /// Reference data on this CPU's FMA units, or why there is none.
    pub fma_units: Fact<FmaUnits>,
    /// Budget used.
    pub budget: String,
}

/// GFLOP/s of one kernel on `threads` threads started together: the best
/// of the budget's runs.
fn measure(p: Precision, bits: u32, threads: usize, budget: &Budget) -> f64 {
    const ROUNDS: u64 = 1 << 12;
    let one = flops_per_call(p, bits, ROUNDS);
    // Calibrate on one thread: calls per sample to last the budget's minimum.
    let t0 = Instant::now();
    let _ = std::hint::black_box(run(p, bits, ROUNDS));
    let calls = ((budget.min_run_s / t0.elapsed().as_secs_f64().max(1e-9)).ceil() as u64).max(1);
    let mut samples = Vec::new();
    for _ in 0..budget.runs.max(1) {
        let barrier = Barrier::new(threads);
        let start = std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        let t = Instant::now();
                        for _ in 0..calls {
                            std::hint::black_box(run(p, bits, std::hint::black_box(ROUNDS)));
                        }
                        t.elapsed().as_secs_f64()
                    })
                })
                .collect();
            hs.into_iter()
                .filter_map(|h| h.join().ok())
                .fold(0.0, f64::max)
        });
        samples.push(one * calls as f64 * threads as f64 / start / 1e9);
    }
    // A peak is the best the core can do: interference (another guest, a
    // sibling hyperthread) only ever lowers a sample, so report the best,
    // as STREAM and likwid-bench do.
    crate::measure::quality::note(&samples);
    stats::max(&samples).unwrap_or(f64::NAN)
}

/// Measure every width on one thread, and the widest on 1 … `threads`.
///
/// # Errors
/// [`Error::BadInput`] for more threads than [`crate::measure::plan::threads`] allows; `Unavailable` when no width runs here.
pub fn flops(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Flops> {
    let max_t = crate::measure::plan::threads(machine, threads)?;
    let point = budget.per_point();
    let mut progress = Progress::new("flops", 2 * WIDTHS.len());
    let mut points = Vec::new();
    let mut unavailable = Vec::new();
    for p in [Precision::F64, Precision::F32] {
        let mut widest = None;
        for bits in WIDTHS {
            progress.step(&format!("{} at {bits} bits", p.name()));
            if run(p, bits, 1).is_none() {
                let why = format!("n/a on this CPU (no {bits}-bit FMA)");
                unavailable.push((p.name().to_string(), bits, why));
                continue;
            }
            widest = Some(bits);
            points.push(FlopsPoint {
                precision: p.name().into(),
                vector_bits: bits,
                threads: 1,
                gflops: measure(p, bits, 1, &point),
                theoretical_gflops: None,
            });
        }
        if let Some(bits) = widest {
            for t in thread_counts(max_t).into_iter().filter(|&t| t > 1) {
                points.push(FlopsPoint {
                    precision: p.name().into(),
                    vector_bits: bits,
                    threads: t,
                    gflops: measure(p, bits, t, &point),
                    theoretical_gflops: None,
                });
            }
        }
    }
    if points.is_empty() {
        return Err(Error::Unavailable(crate::error::Unavailable::new(
            "no FMA kernel runs on this CPU",
        )));
    }
    // The fastest run's clock, as the peaks are the fastest runs' rates.
    let ghz = crate::measure::clock::add_latency_best_ns(&point).map(|ns| 1.0 / ns);
    let units = fma_units(machine);
    if let (Some(g), Some(u)) = (ghz.known(), units.known()) {
        for x in &mut points {
            let bytes = if x.precision == "f64" { 8 } else { 4 };
            x.theoretical_gflops = u
                .flops_per_cycle(x.vector_bits, bytes)
                .map(|f| f * g * x.threads as f64);
        }
    }
    let best = points
        .iter()
        .filter(|x| x.precision == "f64" && x.threads == 1)
        .map(|x| x.gflops)
        .fold(0.0, f64::max);
    Ok(Flops {
        experiment: "flops".into(),
        flops_per_cycle_per_core: ghz.clone().map(|g| best / g),
        fma_units: units,
        points,
        unavailable,
        ghz,
        budget: budget.level.to_string(),
    })
}

impl Flops {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Flops {
    fn name(&self) -> &str {
        "flops"
    }

    fn headlines(&self) -> Vec<Headline> {
        let best = |one_thread: bool| {
            self.points
                .iter()
                .filter(|p| p.precision == "f64" && (!one_thread || p.threads == 1))
                .map(|p| p.gflops)
                .reduce(f64::max)
        };
        [
            Headline::new(
                "peak_f64_gflops_1t",
                "Peak f64 FLOP/s, one core",
                best(true),
                "GFLOP/s",
                true,
            ),
            Headline::new(
                "peak_f64_gflops_all",
                "Peak f64 FLOP/s, all cores",
                best(false),
                "GFLOP/s",
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let label = |x: &FlopsPoint| {
            let w = if x.vector_bits == 64 {
                "scalar".to_string()
            } else {
                format!("{}-bit", x.vector_bits)
            };
            if x.threads == 1 {
                format!("{} {w}", x.precision)
            } else {
                format!("{} {w} ×{}", x.precision, x.threads)
            }
        };
        let bars: Vec<(String, f64)> = self.points.iter().map(|x| (label(x), x.gflops)).collect();
        bar_chart(
            "Peak FLOP/s: scalar, vector lanes, and cores",
            "GFLOP/s",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let get = |p: &str, b: u32, t: usize| {
            self.points
                .iter()
                .find(|x| x.precision == p && x.vector_bits == b && x.threads == t)
                .map(|x| x.gflops)
        };
        let widest = |p: &str| {
            self.points
                .iter()
                .filter(|x| x.precision == p && x.threads == 1)
                .map(|x| x.vector_bits)
                .max()
        };
        let mut s = String::new();
        if let (Some(sc), Some(w)) = (get("f64", 64, 1), widest("f64"))
            && let Some(v) = get("f64", w, 1)
        {
            s.push_str(&format!(
                "One core does {} GFLOP/s of scalar f64 FMAs and {} GFLOP/s with {w}-bit vectors ({}×)",
                fmt_sig(sc, 3),
                fmt_sig(v, 3),
                fmt_sig(v / sc, 3)
            ));
            if let Some(f) = self.flops_per_cycle_per_core.known() {
                s.push_str(&format!(", {} FLOP per cycle", fmt_sig(*f, 3)));
            }
            s.push('.');
            let all = self
                .points
                .iter()
                .filter(|x| x.precision == "f64" && x.vector_bits == w)
                .max_by_key(|x| x.threads);
            if let Some(a) = all.filter(|a| a.threads > 1) {
                s.push_str(&format!(
                    " With {} threads: {} GFLOP/s ({}× one thread).",
                    a.threads,
                    fmt_sig(a.gflops, 3),
                    fmt_sig(a.gflops / v, 3)
                ));
            }
        }
        if let (Some(w), Some(f32w)) = (widest("f64"), widest("f32"))
            && let (Some(a), Some(b)) = (get("f64", w, 1), get("f32", f32w, 1))
        {
            s.push_str(&format!(
                " f32 packs twice the lanes: {} GFLOP/s ({}×).",
                fmt_sig(b, 3),
                fmt_sig(b / a, 3)
            ));
        }
        match &self.fma_units {
            Fact::Known(u) => {
                let best = self
                    .points
                    .iter()
                    .filter(|x| x.precision == "f64" && x.threads == 1)
                    .filter_map(|x| x.theoretical_gflops.map(|t| (x, t)))
                    .max_by_key(|(x, _)| x.vector_bits);
                if let Some((x, t)) = best {
                    s.push_str(&format!(
                        " The {} table (reference data: {}) allows {} GFLOP/s at {} bits at this clock; measured {}%.",
                        u.uarch,
                        u.source,
                        fmt_sig(t, 3),
                        x.vector_bits,
                        fmt_sig(100.0 * x.gflops / t, 3)
                    ));
                }
            }
            Fact::Unavailable(u) => {
                s.push_str(&format!(
                    " Theoretical peak unavailable: {}.",
                    u.unavailable
                ));
            }
        }
        for (p, b, why) in &self.unavailable {
            s.push_str(&format!(" {p} {b}-bit: {why}."));
        }
        s
    }
}

impl fmt::Display for Flops {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for x in &self.points {
            let of_peak = x
                .theoretical_gflops
                .map(|t| {
                    format!(
                        "  (theoretical {}, {}%)",
                        fmt_sig(t, 4),
                        fmt_sig(100.0 * x.gflops / t, 3)
                    )
                })
                .unwrap_or_default();
            writeln!(
                f,
                "{:>4} {:>4}-bit {:>3} thread(s) {:>10} GFLOP/s{of_peak}",
                x.precision,
                x.vector_bits,
                x.threads,
                fmt_sig(x.gflops, 4)
            )?;
        }
        for (p, b, why) in &self.unavailable {
            writeln!(f, "{p:>4} {b:>4}-bit            {why}")?;
        }
        write!(f, "{}", self.reading())
    }
}
