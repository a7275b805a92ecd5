//! `diffusion`: the book's 2D diffusion equation, the whole ladder. The
//! reader's CPython runs the book's rungs — lists of lists, numpy with
//! `np.roll`, numpy in place with a hand-written Laplacian, numexpr and
//! scipy's `ndimage.laplace` when installed — and Rust adds its own: the
//! same nested `Vec`s, a flat buffer in numpy's passes, one fused pass
//! (`f64` and `f32`) and the fused pass over rayon's threads. Every
//! implementation's grid after 10 steps at 64 × 64 must match the
//! reference within 1e-12 (f32: 1e-7) before any of its timings count;
//! seconds per step from 64² to 4096² (1024² in quick runs).

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, series_keys, show, who};
use crate::kernels::diffusion::{initial_grid, mass, max_difference, step_reference};
pub use crate::kernels::ladder::{
    BOOK_N, NDARRAY, RUST, Stepper, conserved, rung_missing, start_mass, stepper,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH06, PythonInfo, run_chapter_script};
use crate::measure::plan::cache_markers;
use crate::measure::process::process_cpu_s;
use crate::measure::{Budget, Progress, plan, timeit_with};
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_seconds, fmt_sig};

/// The grid side of the correctness check.
pub const CHECK_N: usize = 64;
/// Steps taken before the check.
pub const CHECK_STEPS: usize = 10;
/// One implementation at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffusionRow {
    /// The implementation.
    pub implementation: String,
    /// "python" or "rust".
    pub language: String,
    /// The grid's side (grid × grid cells).
    pub grid: usize,
    /// Median seconds per step.
    pub seconds_per_step: f64,
    /// The grid's sum after the timed steps: the block's mass, which
    /// periodic edges conserve.
    pub checksum: f64,
}

/// The CPUs one timed run kept busy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpusUsed {
    /// The grid's side.
    pub grid: usize,
    /// CPU seconds over wall seconds, for the rayon rung.
    pub cpus: f64,
    /// The same for the single fused pass at this size (on a shared
    /// machine, even one thread may get less than a whole CPU).
    #[serde(default)]
    pub single_cpus: Option<f64>,
}

/// The `diffusion` result. JSON: `rows[{implementation, language, grid,
/// seconds_per_step, checksum}]`, `threads` (of the rayon rung),
/// `checked` (implementations whose 64 × 64 grid after 10 steps matched
/// the reference), `markers` (the caches, as grid sizes in bytes),
/// `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diffusion {
    /// Always "diffusion".
    pub experiment: String,
    /// Every implementation at every size it ran.
    pub rows: Vec<DiffusionRow>,
    /// Threads of the rayon rung.
    pub threads: usize,
    /// CPUs the rayon rung kept busy while it was timed, per grid side:
    /// the process's CPU time over the wall-clock time (what the machine
    /// gave it; absent where CPU time cannot be read).
    #[serde(default)]
    pub cpus_used: Vec<CpusUsed>,
    /// Implementations that passed the check.
    pub checked: Vec<String>,
    /// Cache sizes, for the chart.
    pub markers: Vec<Marker>,
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
    diffusion: Option<PyDiffusion>,
}

#[derive(Debug, Deserialize)]
struct PyDiffusion {
    rows: Vec<PyRow>,
    checks: Vec<PyCheck>,
    unavailable: Vec<PyMissing>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    implementation: String,
    grid: usize,
    seconds_per_step: f64,
    checksum: f64,
}

#[derive(Debug, Deserialize)]
struct PyCheck {
    implementation: String,
    grid: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct PyMissing {
    implementation: String,
    why: String,
}

/// The reference grid after `steps` steps.
pub fn reference_grid(n: usize, steps: usize) -> Vec<f64> {
    let mut g = initial_grid(n);
    for _ in 0..steps {
        g = step_reference(&g, n);
    }
    g
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust rung does not match the reference.
pub fn diffusion(machine: &Machine, budget: &Budget) -> Result<Diffusion> {
    diffusion_with(machine, budget, None)
}

/// As [`diffusion`], with an explicit interpreter.
///
/// # Errors
/// As [`diffusion`].
pub fn diffusion_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Diffusion> {
    let top: usize = budget.level.pick(1024, 4096, 4096);
    let sizes: Vec<usize> = (6..=12)
        .map(|p| 1usize << p)
        .filter(|&n| n <= top)
        .collect();
    // Lists take about a quarter of a second a step at the book's 512².
    let python_list_cap: usize = budget.level.pick(512, 512, 1024);
    // Two f64 grids of the largest size (the nested rung makes a third
    // while it steps).
    budget.check_alloc(
        machine,
        "the largest diffusion grids",
        (top * top * 8 * 3) as u64,
    )?;
    let threads = plan::threads(machine, None)?;
    let point = budget.per_point();
    let mut progress = Progress::new("diffusion", 2 * sizes.len() + 1);

    progress.step("the check: every Rust rung against the reference at 64 × 64");
    let want = reference_grid(CHECK_N, CHECK_STEPS);
    let mut checked = Vec::new();
    let mut unavailable = Vec::new();
    for (k, name) in RUST.iter().enumerate() {
        if let Some(why) = rung_missing(k) {
            unavailable.push(format!("Rust {name}: {why}"));
            continue;
        }
        let mut s = stepper(k, CHECK_N, threads)?;
        for _ in 0..CHECK_STEPS {
            s.step();
        }
        let tolerance = if k == 3 { 1e-7 } else { 1e-12 };
        let diff = max_difference(&s.grid(), &want);
        if diff > tolerance {
            return Err(Error::bad_input(format!(
                "diffusion: {name} differs from the reference by {diff:e} after {CHECK_STEPS} steps"
            )));
        }
        checked.push((*name).to_string());
    }

    let mut rows = Vec::new();
    let mut cpus_used = Vec::new();
    for &n in &sizes {
        progress.step(&format!("Rust: {n} × {n}, {} rungs", checked.len()));
        let mut single = None;
        for (k, name) in RUST.iter().enumerate() {
            if rung_missing(k).is_some() {
                continue;
            }
            let mut s = stepper(k, n, threads)?;
            let (cpu0, wall0) = (process_cpu_s(), std::time::Instant::now());
            let t = timeit_with(&point, || {
                s.step();
                black_box(())
            });
            if let (Some(a), Some(b)) = (cpu0, process_cpu_s()) {
                let cpus = (b - a) / wall0.elapsed().as_secs_f64();
                match k {
                    2 => single = Some(cpus),
                    4 => cpus_used.push(CpusUsed {
                        grid: n,
                        cpus,
                        single_cpus: single,
                    }),
                    _ => {}
                }
            }
            let checksum = mass(&s.grid());
            if !conserved(checksum, n, k == 3) {
                return Err(Error::bad_input(format!(
                    "diffusion: {name} at {n} × {n} ended with mass {checksum}, not {}",
                    start_mass(n)
                )));
            }
            rows.push(DiffusionRow {
                implementation: (*name).to_string(),
                language: "rust".into(),
                grid: n,
                seconds_per_step: t.median_s,
                checksum,
            });
        }
    }

    let mut out = Diffusion {
        experiment: "diffusion".into(),
        rows,
        threads,
        cpus_used,
        checked,
        markers: cache_markers(machine),
        unavailable,
        python: None,
        budget: budget.level.to_string(),
    };
    // CPython: one interpreter per size, the check with the first.
    for (i, &n) in sizes.iter().enumerate() {
        progress.step(&format!("CPython: {n} × {n}, lists to numpy"));
        let spec = serde_json::json!({
            "tasks": ["diffusion"],
            "sizes": [n],
            "list_cap": python_list_cap,
            "check_n": if i == 0 { CHECK_N } else { 4 },
            "check_steps": CHECK_STEPS,
            "min_run_s": point.min_run_s,
            "runs": budget.runs.clamp(3, 5),
        });
        match run_chapter_script::<PyReply>(interpreter, CH06, &spec, budget) {
            Ok(PyReply {
                python,
                diffusion: Some(py),
            }) => {
                if i == 0 {
                    for m in py.unavailable {
                        out.unavailable
                            .push(format!("CPython {}: {}", m.implementation, m.why));
                    }
                    for c in py.checks {
                        let diff = max_difference(&c.grid, &want);
                        if diff <= 1e-12 {
                            out.checked.push(format!("CPython {}", c.implementation));
                        } else {
                            out.unavailable.push(format!(
                                "CPython {}: its grid differs from the reference by {diff:e}; not shown",
                                c.implementation
                            ));
                        }
                    }
                }
                for r in py.rows {
                    if !out
                        .checked
                        .contains(&format!("CPython {}", r.implementation))
                    {
                        continue;
                    }
                    if !conserved(r.checksum, r.grid, false) {
                        out.unavailable.push(format!(
                            "CPython {} at {} × {} ended with mass {}, not {}; not shown",
                            r.implementation,
                            r.grid,
                            r.grid,
                            r.checksum,
                            start_mass(r.grid)
                        ));
                        continue;
                    }
                    out.rows.push(DiffusionRow {
                        implementation: r.implementation,
                        language: "python".into(),
                        grid: r.grid,
                        seconds_per_step: r.seconds_per_step,
                        checksum: r.checksum,
                    });
                }
                out.python = Some(python);
            }
            Ok(_) => {
                out.unavailable
                    .push("CPython: the interpreter sent no diffusion timings".into());
                break;
            }
            Err(why) => {
                out.unavailable.push(format!("CPython at {n} × {n}: {why}"));
                break;
            }
        }
    }
    Ok(out)
}

impl Diffusion {
    /// Seconds per step of `implementation` at side `n`.
    pub fn at(&self, language: &str, implementation: &str, n: usize) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.implementation == implementation && r.grid == n)
            .map(|r| r.seconds_per_step)
    }

    fn largest(&self, language: &str, implementation: &str) -> Option<usize> {
        self.rows
            .iter()
            .filter(|r| r.language == language && r.implementation == implementation)
            .map(|r| r.grid)
            .max()
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Diffusion {
    fn name(&self) -> &str {
        "diffusion"
    }

    fn headlines(&self) -> Vec<Headline> {
        let ms = |l: &str, i: &str| self.at(l, i, BOOK_N).map(|s| s * 1e3);
        [
            Headline::new(
                "python_lists_512_ms",
                "CPython lists, ms per step at 512 × 512",
                ms("python", "lists"),
                "ms",
                false,
            ),
            Headline::new(
                "numpy_in_place_512_ms",
                "numpy in place, ms per step at 512 × 512",
                ms("python", "numpy in place"),
                "ms",
                false,
            ),
            Headline::new(
                "rust_fused_512_ms",
                "Rust fused pass, ms per step at 512 × 512",
                ms("rust", RUST[2]),
                "ms",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let names = series_keys(
            self.rows
                .iter()
                .map(|r| (r.language.as_str(), r.implementation.as_str())),
        );
        let series: Vec<Series> = names
            .iter()
            .map(|(lang, imp)| Series {
                label: format!("{} {imp}", who(lang)),
                points: self
                    .rows
                    .iter()
                    .filter(|r| &r.language == lang && &r.implementation == imp)
                    .map(|r| ((r.grid * r.grid * 8) as u64, r.seconds_per_step))
                    .collect(),
            })
            .collect();
        size_chart(&SizeChart {
            title: "2D diffusion: seconds per step, from lists to one fused pass",
            x_label: "one f64 grid (n × n cells, n² × 8 bytes)",
            y_label: "seconds per step (median)",
            series: &series,
            markers: &self.markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let n = BOOK_N;
        let lists = self.at("python", "lists", n);
        let inplace = self.at("python", "numpy in place", n);
        let fused = self.at("rust", RUST[2], n);
        if let Some(l) = lists {
            s.push_str(&format!(
                "At the book's {n} × {n}, CPython's lists took {} per step",
                fmt_seconds(l)
            ));
            let mut ladder = Vec::new();
            for imp in [
                "numpy, np.roll",
                "numpy in place",
                "numexpr",
                "scipy.ndimage.laplace",
            ] {
                if let Some(t) = self.at("python", imp, n) {
                    ladder.push(format!("{imp} {} ({}×)", fmt_seconds(t), fmt_sig(l / t, 3)));
                }
            }
            if !ladder.is_empty() {
                s.push_str(&format!("; {}", ladder.join(", ")));
            }
            s.push_str(". ");
        }
        if let (Some(f), Some(i)) = (fused, inplace) {
            s.push_str(&format!(
                "Rust's fused pass took {} at {n} × {n}, {} numpy in place{}. ",
                fmt_seconds(f),
                if f < i {
                    format!("{}× faster than", fmt_sig(i / f, 3))
                } else {
                    format!("{}× slower than", fmt_sig(f / i, 3))
                },
                lists.map_or(String::new(), |l| format!(
                    " and {}× faster than the lists",
                    fmt_sig(l / f, 3)
                ))
            ));
        } else if let Some(f) = fused {
            s.push_str(&format!(
                "Rust's fused pass took {} at {n} × {n}. ",
                fmt_seconds(f)
            ));
        }
        if let (Some(p), Some(f)) = (self.at("rust", RUST[1], n), fused) {
            s.push_str(&format!(
                "Rust in numpy's eight passes took {} against one fused pass's {}: {}. ",
                fmt_seconds(p),
                fmt_seconds(f),
                if p > 1.3 * f {
                    format!("{}× the time for the same arithmetic — the extra passes are memory traffic", fmt_sig(p / f, 2))
                } else {
                    "here the extra passes cost little".to_string()
                }
            ));
        }
        if let Some(big) = self.largest("rust", RUST[2]) {
            if let (Some(f64t), Some(f32t)) =
                (self.at("rust", RUST[2], big), self.at("rust", RUST[3], big))
            {
                let r = f32t / f64t;
                s.push_str(&format!(
                    "At {big} × {big}, f32 {}. ",
                    if r < 0.75 {
                        format!("took {}× the time of f64: half the bytes to move", fmt_sig(r, 2))
                    } else if r <= 1.1 {
                        "took about the time of f64: at this size the grid's bytes were not what limited it".to_string()
                    } else {
                        format!("took {}× the time of f64", fmt_sig(r, 2))
                    }
                ));
            }
            if let (Some(one), Some(par)) =
                (self.at("rust", RUST[2], big), self.at("rust", RUST[4], big))
            {
                s.push_str(&format!(
                    "Rayon over {} threads ran {}× the single pass's speed there",
                    self.threads,
                    fmt_sig(one / par, 2)
                ));
                match self.cpus_used.iter().find(|c| c.grid == big) {
                    Some(c) => {
                        // What the machine gave: rayon's CPUs over the
                        // single pass's (a shared VM may give less than one).
                        let share = c.cpus / c.single_cpus.unwrap_or(1.0).max(1e-9);
                        s.push_str(&format!(
                            ", keeping {} CPUs busy (its CPU time over the wall clock){}: {}.",
                            fmt_sig(c.cpus, 3),
                            c.single_cpus.map_or(String::new(), |one| format!(
                                " against the single pass's {}, {}× the CPU",
                                fmt_sig(one, 3),
                                fmt_sig(share, 3)
                            )),
                            if one / par >= 0.9 * share {
                                "the speed-up kept pace with the CPU it was given"
                            } else {
                                "the threads were busy but not all of that went into steps (waiting for memory, or spinning between steps)"
                            }
                        ))
                    }
                    None => s.push('.'),
                }
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Diffusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<36} {:>6} {:>12} {:>12}",
            "language", "implementation", "grid", "s/step", "checksum"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<36} {:>6} {:>12} {:>12}",
                r.language,
                r.implementation,
                r.grid,
                fmt_sig(r.seconds_per_step, 3),
                fmt_sig(r.checksum, 6)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
