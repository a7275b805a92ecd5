//! `diffusion_traffic`: why each rung of chapter 6's ladder is faster, in
//! bytes. Every implementation of the diffusion step runs at the book's
//! 512 × 512 and at 2048 × 2048 (1024 × 1024 in quick runs), and for each
//! the experiment sets side by side:
//!
//! - the heap one step holds above what was in use before it — Rust: hpp's
//!   counting allocator where the program installed it (with the number of
//!   allocations), glibc's statistics otherwise; CPython: `tracemalloc`;
//! - the whole-grid streams its code reads or writes per step (counted
//!   from the code: see [`streams`]), so the bytes it must move, and the
//!   speed at which it moved them, set against a copy loop's measured
//!   bandwidth on the same working set;
//! - where the hardware counters open, instructions and last-level cache
//!   misses per step (Rust's rungs: they count this process), otherwise
//!   why not.
//!
//! The same flops and bytes place the rungs on chapter 1's roofline
//! ([`DiffusionTraffic::roof_points`]).

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Outcome, RoofPoint, show, who};
use crate::kernels::bandwidth::BwKernel;
use crate::kernels::diffusion::mass;
use crate::kernels::ladder::{BOOK_N, RUST, conserved, rung_missing, stepper};
use crate::machine::Machine;
use crate::measure::cpython::{CH06, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, counters, heap, plan, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::report::html::{Html, table};
use crate::units::{fmt_bytes, fmt_seconds, fmt_sig};

/// Floating-point operations per cell per step, in every implementation:
/// four neighbour adds (three in the fused pass, plus the `−4·c` as a
/// multiply and a subtract), the scale by D·dt and the add to the old value.
pub const FLOPS_PER_CELL: f64 = 7.0;

/// Whole-grid streams an implementation reads or writes per step: each
/// array operation over the grid counts one stream per array it reads and
/// one per array it writes (a cache-friendly neighbour read of a grid
/// already being read counts once). `None` where the data is not a flat
/// array (CPython's lists: pointers to float objects) or the rung is not
/// known here.
///
/// - one fused pass (Rust f64, f32, rayon, ndarray): read the grid, write
///   the new one: 2;
/// - Rust's nested `Vec`s: the new grid is zeroed, then written, and the
///   old one read: 3;
/// - numpy's in-place passes (and Rust's copy of them): copy (2), × −4
///   (2), four shifted adds (3 each), × D·dt (2), + grid (3): 21;
/// - numexpr: the same Laplacian (16), then one fused update (3): 19;
/// - numpy with `np.roll`: four rolled copies (2 each), three adds of
///   them (3 each), `4 * g` (2), the subtract (3), the scale (2) and the
///   add (3): 27;
/// - `scipy.ndimage.laplace` (scipy 1.16's `generic_laplace`): one axis
///   into the output (2), the other into a temporary (2), added (3), then
///   the scale (2) and the add (3): 12.
pub fn streams(language: &str, implementation: &str) -> Option<u32> {
    match (language, implementation) {
        ("rust", i) if i == RUST[0] => Some(3),
        ("rust", i) if i == RUST[1] => Some(21),
        ("rust", _) => Some(2),
        ("python", "numpy in place") => Some(21),
        ("python", "numexpr") => Some(19),
        ("python", "numpy, np.roll") => Some(27),
        ("python", "scipy.ndimage.laplace") => Some(12),
        _ => None,
    }
}

/// Bytes per cell of an implementation's grid.
fn cell_bytes(implementation: &str) -> usize {
    if implementation == RUST[3] { 4 } else { 8 }
}

/// One implementation at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficRow {
    /// The implementation (as `diffusion` names it).
    pub implementation: String,
    /// "python" or "rust".
    pub language: String,
    /// The grid's side.
    pub grid: usize,
    /// Median seconds per step.
    pub seconds_per_step: f64,
    /// Whole-grid streams per step (see [`streams`]).
    pub streams: Option<u32>,
    /// The bytes those streams move per step.
    pub bytes_per_step: Option<f64>,
    /// Those bytes over the time per step, GB/s.
    pub gb_per_s: Option<f64>,
    /// A copy loop's measured GB/s on the same working set (two grids).
    pub copy_gb_per_s: f64,
    /// The most heap one step held above what was in use before it.
    pub heap_bytes: Option<f64>,
    /// Allocations per step (Rust with hpp's counting allocator only).
    pub allocations_per_step: Option<f64>,
    /// Instructions per step (hardware counters, Rust only).
    pub instructions_per_step: Option<f64>,
    /// Last-level cache misses per step (hardware counters, Rust only).
    pub cache_misses_per_step: Option<f64>,
}

impl TrafficRow {
    /// The bytes the step cannot do without: read the grid once, write the
    /// new one once.
    pub fn needed_bytes(&self) -> f64 {
        (2 * self.grid * self.grid * cell_bytes(&self.implementation)) as f64
    }

    /// How many bytes the copy loop moves in this row's time per step,
    /// over the bytes the step needs: 1 is the step running at memory's
    /// speed, 2 is it taking twice that.
    pub fn time_over_needed(&self) -> f64 {
        self.seconds_per_step * self.copy_gb_per_s * 1e9 / self.needed_bytes()
    }
}

/// The `diffusion_traffic` result. JSON: `rows[{implementation, language,
/// grid, seconds_per_step, streams, bytes_per_step, gb_per_s,
/// copy_gb_per_s, heap_bytes, allocations_per_step, instructions_per_step,
/// cache_misses_per_step}]` (absent figures are null), `heap_method`,
/// `counters` (null, or why there are none), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffusionTraffic {
    /// Always "diffusion_traffic".
    pub experiment: String,
    /// Every implementation at both sizes.
    pub rows: Vec<TrafficRow>,
    /// How Rust's heap use was measured.
    pub heap_method: String,
    /// Why there are no hardware counts, if there are none.
    pub counters: Option<String>,
    /// What could not run, and why.
    pub unavailable: Vec<String>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// Budget used.
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    traffic: Option<PyTraffic>,
}

#[derive(Debug, Deserialize)]
struct PyTraffic {
    rows: Vec<PyRow>,
    unavailable: Vec<PyMissing>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    implementation: String,
    grid: usize,
    seconds_per_step: f64,
    heap_bytes: f64,
    checksum: f64,
}

#[derive(Debug, Deserialize)]
struct PyMissing {
    implementation: String,
    why: String,
}

/// Run the experiment.
///
/// # Errors
/// [`Error::TooBig`] when the grids would not fit; [`Error::BadInput`] if a
/// rung loses mass.
pub fn diffusion_traffic(machine: &Machine, budget: &Budget) -> Result<DiffusionTraffic> {
    diffusion_traffic_with(machine, budget, None)
}

/// As [`diffusion_traffic`], with an explicit interpreter.
///
/// # Errors
/// As [`diffusion_traffic`].
pub fn diffusion_traffic_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<DiffusionTraffic> {
    let big: usize = budget.level.pick(1024, 2048, 2048);
    let sizes = [BOOK_N, big];
    budget.check_alloc(
        machine,
        "the diffusion grids and the copy loop's arrays",
        (big * big * 8 * 5) as u64,
    )?;
    let threads = plan::threads(machine, None)?;
    let point = budget.per_point();
    let mut progress = Progress::new("diffusion_traffic", 2 * sizes.len() + 1);
    let mut rows = Vec::new();
    let mut unavailable = Vec::new();
    let mut heap_method = String::from("not measured");
    let mut counters_why = None;
    let mut copy = Vec::new();
    for &n in &sizes {
        progress.step(&format!("copy loop at {n} × {n}: the memory's speed"));
        for cell in [8, 4] {
            let ws = (2 * n * n * cell) as u64;
            copy.push((
                n,
                cell,
                crate::measure::bandwidth::gb_per_s(BwKernel::Copy, 1, ws, &point)?,
            ));
        }
    }
    let copy_at = |n: usize, implementation: &str| {
        let cell = cell_bytes(implementation);
        copy.iter()
            .find(|c| c.0 == n && c.1 == cell)
            .map_or(f64::NAN, |c| c.2)
    };
    for &n in &sizes {
        progress.step(&format!("Rust at {n} × {n}: time, heap, counters"));
        for (k, name) in RUST.iter().enumerate() {
            if let Some(why) = rung_missing(k) {
                if n == BOOK_N {
                    unavailable.push(format!("Rust {name}: {why}"));
                }
                continue;
            }
            let mut s = stepper(k, n, threads)?;
            let t = timeit_with(&point, || {
                s.step();
                black_box(())
            });
            // Enough steps for the heap sampler (every millisecond) to see
            // a step's peak, and for the counters to count something.
            let steps = ((0.02 / t.median_s.max(1e-9)).ceil() as usize).clamp(3, 1000);
            let (_, used) = heap::track(|| {
                for _ in 0..steps {
                    s.step();
                }
            });
            let (_, counts) = counters::count(|| {
                for _ in 0..steps {
                    s.step();
                }
            });
            let checksum = mass(&s.grid());
            if !conserved(checksum, n, k == 3) {
                return Err(Error::bad_input(format!(
                    "diffusion_traffic: {name} at {n} × {n} lost mass (sum {checksum})"
                )));
            }
            let (heap_bytes, allocations) = match used {
                Fact::Known(h) => {
                    heap_method = h.method.clone();
                    (
                        Some(h.peak_bytes as f64),
                        h.allocations.map(|a| a as f64 / steps as f64),
                    )
                }
                Fact::Unavailable(u) => {
                    heap_method = format!("unavailable: {}", u.unavailable);
                    (None, None)
                }
            };
            let (instructions, misses) = match counts {
                Fact::Known(c) => (
                    Some(c.instructions as f64 / steps as f64),
                    Some(c.cache_misses as f64 / steps as f64),
                ),
                Fact::Unavailable(u) => {
                    counters_why = Some(u.unavailable);
                    (None, None)
                }
            };
            rows.push(row(
                name,
                "rust",
                n,
                t.median_s,
                copy_at(n, name),
                heap_bytes,
                allocations,
                instructions,
                misses,
            ));
        }
    }
    progress.step("CPython: time and tracemalloc, lists to scipy");
    let spec = serde_json::json!({
        "tasks": ["traffic"],
        "sizes": sizes,
        "list_cap": BOOK_N,
        "check_n": 4,
        "check_steps": 1,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    let mut python = None;
    match run_chapter_script::<PyReply>(interpreter, CH06, &spec, budget) {
        Ok(PyReply {
            python: info,
            traffic: Some(py),
        }) => {
            for m in py.unavailable {
                unavailable.push(format!("CPython {}: {}", m.implementation, m.why));
            }
            for r in py.rows {
                if !conserved(r.checksum, r.grid, false) {
                    unavailable.push(format!(
                        "CPython {} at {} × {} lost mass (sum {}); not shown",
                        r.implementation, r.grid, r.grid, r.checksum
                    ));
                    continue;
                }
                rows.push(row(
                    &r.implementation,
                    "python",
                    r.grid,
                    r.seconds_per_step,
                    copy_at(r.grid, &r.implementation),
                    Some(r.heap_bytes),
                    None,
                    None,
                    None,
                ));
            }
            python = Some(info);
        }
        Ok(_) => unavailable.push("CPython: the interpreter sent no timings".into()),
        Err(why) => unavailable.push(format!("CPython: {why}")),
    }
    Ok(DiffusionTraffic {
        experiment: "diffusion_traffic".into(),
        rows,
        heap_method,
        counters: counters_why,
        unavailable,
        python,
        budget: budget.level.to_string(),
    })
}

#[allow(clippy::too_many_arguments)]
fn row(
    implementation: &str,
    language: &str,
    n: usize,
    seconds_per_step: f64,
    copy_gb_per_s: f64,
    heap_bytes: Option<f64>,
    allocations_per_step: Option<f64>,
    instructions_per_step: Option<f64>,
    cache_misses_per_step: Option<f64>,
) -> TrafficRow {
    let streams = streams(language, implementation);
    let bytes_per_step = streams.map(|s| (s as usize * n * n * cell_bytes(implementation)) as f64);
    TrafficRow {
        implementation: implementation.to_string(),
        language: language.to_string(),
        grid: n,
        seconds_per_step,
        streams,
        bytes_per_step,
        gb_per_s: bytes_per_step.map(|b| b / seconds_per_step / 1e9),
        copy_gb_per_s,
        heap_bytes,
        allocations_per_step,
        instructions_per_step,
        cache_misses_per_step,
    }
}

impl DiffusionTraffic {
    /// The row of `implementation` at side `n`.
    pub fn at(&self, language: &str, implementation: &str, n: usize) -> Option<&TrafficRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.implementation == implementation && r.grid == n)
    }

    /// The larger grid this run measured.
    pub fn big(&self) -> usize {
        self.rows.iter().map(|r| r.grid).max().unwrap_or(BOOK_N)
    }

    /// The single-threaded rungs with counted bytes at the larger grid, as
    /// points for chapter 1's roofline: flops per byte moved and GFLOP/s.
    pub fn roof_points(&self) -> Vec<RoofPoint> {
        let n = self.big();
        [
            ("python", "numpy in place", "diffusion, numpy in place"),
            ("rust", RUST[2], "diffusion, Rust fused"),
            ("rust", RUST[3], "diffusion, Rust fused f32"),
        ]
        .into_iter()
        .filter_map(|(l, i, label)| {
            let r = self.at(l, i, n)?;
            let flops = FLOPS_PER_CELL * (n * n) as f64;
            Some(RoofPoint {
                kernel: label.to_string(),
                flops_per_byte: flops / r.bytes_per_step?,
                gflops: flops / r.seconds_per_step / 1e9,
                size_bytes: (2 * n * n * cell_bytes(i)) as u64,
            })
        })
        .collect()
    }

    /// The table: every row's figures.
    pub fn table_html(&self) -> Html {
        let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("—".to_string(), f);
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    format!("{} {}", who(&r.language), r.implementation),
                    format!("{0} × {0}", r.grid),
                    fmt_seconds(r.seconds_per_step),
                    r.streams.map_or("—".into(), |s| s.to_string()),
                    opt(r.bytes_per_step, &|b| fmt_bytes(b as u64)),
                    opt(r.gb_per_s, &|g| fmt_sig(g, 3)),
                    fmt_sig(r.copy_gb_per_s, 3),
                    opt(r.heap_bytes, &|b| fmt_bytes(b as u64)),
                    opt(r.allocations_per_step, &|a| fmt_sig(a, 3)),
                    opt(r.instructions_per_step, &|a| fmt_sig(a, 3)),
                    opt(r.cache_misses_per_step, &|a| fmt_sig(a, 3)),
                ]
            })
            .collect();
        Html(table(
            &[
                "implementation",
                "grid",
                "time per step",
                "grid streams",
                "bytes per step",
                "GB/s",
                "copy loop GB/s",
                "heap held per step",
                "allocations per step",
                "instructions per step",
                "LLC misses per step",
            ],
            &rows,
        ))
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for DiffusionTraffic {
    fn name(&self) -> &str {
        "diffusion_traffic"
    }

    fn plot(&self) -> Result<Figure> {
        let n = self.big();
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .filter(|r| r.grid == n)
            .filter_map(|r| {
                let share = 100.0 * r.gb_per_s? / r.copy_gb_per_s;
                Some((
                    format!(
                        "{} {} ({} streams)",
                        who(&r.language),
                        r.implementation,
                        r.streams?
                    ),
                    share,
                ))
            })
            .filter(|b| b.1.is_finite())
            .collect();
        bar_chart(
            &format!("Diffusion at {n} × {n}: the bytes each step must move, at what speed"),
            "% of a copy loop's GB/s on the same grids",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let n = self.big();
        let mut s = String::new();
        if let Some(f) = self.at("rust", RUST[2], n) {
            let r = f.time_over_needed();
            s.push_str(&format!(
                "At {n} × {n} one step needs at least {} moved (the grid read once, the new grid written once); at the copy loop's {} GB/s that is {}, and Rust's fused pass took {} ({}× that{}). ",
                fmt_bytes(f.needed_bytes() as u64),
                fmt_sig(f.copy_gb_per_s, 3),
                fmt_seconds(f.needed_bytes() / (f.copy_gb_per_s * 1e9)),
                fmt_seconds(f.seconds_per_step),
                fmt_sig(r, 3),
                if r <= 1.1 {
                    ": it runs at the memory's speed"
                } else if r <= 2.0 {
                    ": close to the memory's speed, with time left over"
                } else {
                    ": here something other than moving bytes limited it"
                }
            ));
        }
        let mut passes = Vec::new();
        for (l, i) in [("python", "numpy in place"), ("rust", RUST[1])] {
            if let Some(r) = self.at(l, i, n)
                && let (Some(st), Some(g)) = (r.streams, r.gb_per_s)
            {
                passes.push(format!(
                    "{} {i} makes {st} streams ({}) in {}, moving them at {} GB/s ({}% of the copy loop)",
                    who(l),
                    fmt_bytes(r.bytes_per_step.unwrap_or(0.0) as u64),
                    fmt_seconds(r.seconds_per_step),
                    fmt_sig(g, 3),
                    fmt_sig(100.0 * g / r.copy_gb_per_s, 2)
                ));
            }
        }
        if !passes.is_empty() {
            s.push_str(&format!("{}. ", capitalise(&passes.join("; "))));
        }
        if let (Some(f), Some(p)) = (
            self.at("rust", RUST[2], n),
            self.at("python", "numpy in place", n),
        ) && let (Some(fb), Some(pb)) = (f.bytes_per_step, p.bytes_per_step)
        {
            let fewer = pb / fb;
            let faster = p.seconds_per_step / f.seconds_per_step;
            s.push_str(&format!(
                "The fused pass moves {}× fewer bytes than numpy in place and ran {}× faster: {}. ",
                fmt_sig(fewer, 3),
                fmt_sig(faster, 3),
                if faster >= 0.8 * fewer {
                    "the speed-up is the bytes saved"
                } else if faster >= 1.0 {
                    "part of the bytes saved turned into speed"
                } else {
                    "moving fewer bytes did not make it faster here"
                }
            ));
        }
        let heap: Vec<String> = [
            ("python", "lists"),
            ("python", "numpy, np.roll"),
            ("python", "numpy in place"),
            ("rust", RUST[0]),
            ("rust", RUST[2]),
        ]
        .into_iter()
        .filter_map(|(l, i)| {
            let r = self.at(l, i, BOOK_N)?;
            let h = r.heap_bytes?;
            let held = if h < 1024.0 {
                "nothing measurable".to_string()
            } else {
                format!(
                    "{} ({}× the grid)",
                    fmt_bytes(h as u64),
                    fmt_sig(h / (BOOK_N * BOOK_N * 8) as f64, 2)
                )
            };
            Some(format!(
                "{} {i} {held}{}",
                who(l),
                r.allocations_per_step.map_or(String::new(), |a| format!(
                    "{} {} allocations",
                    if h < 1024.0 { "," } else { " in" },
                    fmt_sig(a, 3)
                ))
            ))
        })
        .collect();
        if !heap.is_empty() {
            s.push_str(&format!(
                "Heap held above the start during one step at {BOOK_N} × {BOOK_N}: {}. ",
                heap.join("; ")
            ));
        }
        match &self.counters {
            Some(why) => s.push_str(&format!("Hardware counters: unavailable: {why}.")),
            None => {
                if let (Some(f), Some(p)) =
                    (self.at("rust", RUST[2], n), self.at("rust", RUST[1], n))
                    && let (Some(fi), Some(fm), Some(pi), Some(pm)) = (
                        f.instructions_per_step,
                        f.cache_misses_per_step,
                        p.instructions_per_step,
                        p.cache_misses_per_step,
                    )
                {
                    s.push_str(&format!(
                        "Counted by the CPU per step: the fused pass {} instructions and {} last-level cache misses, numpy's passes in Rust {} and {} ({}× the misses).",
                        fmt_sig(fi, 3),
                        fmt_sig(fm, 3),
                        fmt_sig(pi, 3),
                        fmt_sig(pm, 3),
                        fmt_sig(pm / fm.max(1.0), 2)
                    ));
                }
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_end().to_string()
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

impl fmt::Display for DiffusionTraffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opt = |v: Option<f64>| v.map_or("—".to_string(), |x| fmt_sig(x, 3));
        writeln!(
            f,
            "{:<8} {:<36} {:>5} {:>10} {:>4} {:>8} {:>8} {:>10} {:>8}",
            "language",
            "implementation",
            "grid",
            "s/step",
            "strm",
            "GB/s",
            "copy",
            "heap B",
            "allocs"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<36} {:>5} {:>10} {:>4} {:>8} {:>8} {:>10} {:>8}",
                r.language,
                r.implementation,
                r.grid,
                fmt_sig(r.seconds_per_step, 3),
                r.streams.map_or("—".into(), |s| s.to_string()),
                opt(r.gb_per_s),
                fmt_sig(r.copy_gb_per_s, 3),
                opt(r.heap_bytes),
                opt(r.allocations_per_step)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
