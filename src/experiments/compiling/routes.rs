//! `routes`: chapter 8's question — how to make the Julia loop native from
//! Python — answered on the reader's machine. The reader's Python runs the
//! book's loop as written, then every route the chapter takes: Cython
//! (untyped, typed, memoryviews, OpenMP `prange`), Numba (`@njit`,
//! `prange`), ctypes and cffi calling a C function exported from hpp's Rust
//! library, and hpp's PyO3 module (one thread, and rayon's threads). Rust
//! runs the same loop directly. Every route's counts must equal plain
//! Python's before it is timed; build times and first calls (Numba compiles
//! there) are kept beside the steady speed.

use std::fmt;
use std::hint::black_box;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::julia::{C, Grid, calculate_z_point, grid_points};
use crate::kernels::ladder::{FUSED, conserved, stepper};
use crate::machine::Machine;
use crate::measure::cpython::{CH08, PythonInfo, run_chapter_script};
pub use crate::measure::python_module::ensure_module;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::report::html::{Html, table};
use crate::units::{fmt_seconds, fmt_sig};

/// The reference route's name.
pub const PLAIN: &str = "CPython, lists";
/// Rust's own row.
pub const RUST_DIRECT: &str = "Rust, called directly";

/// One route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRow {
    /// How the loop was run.
    pub route: String,
    /// "python" (called from the reader's Python) or "rust".
    pub language: String,
    /// Median seconds per call (the whole grid).
    pub seconds: f64,
    /// The first call's seconds (a JIT compiles there).
    pub first_call_s: Option<f64>,
    /// Seconds to build it before the first call (Cython: to C, then the C
    /// compiler), where there is a build step.
    pub compile_s: Option<f64>,
    /// The sum of all counts: equal for every route.
    pub output_sum: u64,
}

/// One diffusion step (chapter 6's fused pass) through one route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRow {
    /// "PyO3: hpp.diffusion_step", "ctypes: hpp_diffusion_step" (from
    /// Python) or [`RUST_DIRECT`].
    pub route: String,
    /// The grid's side.
    pub grid: usize,
    /// Median seconds per step (the call and the swap of the grids).
    pub seconds_per_step: f64,
}

/// The `routes` result. JSON: `width`, `maxiter`, `points`,
/// `rows[{route, language, seconds, first_call_s, compile_s, output_sum}]`,
/// `steps[{route, grid, seconds_per_step}]` (one diffusion step from
/// Python through hpp's module and through ctypes, and from Rust),
/// `module_build_s` (seconds hpp's Python module took to build for this
/// run; null when it was already built), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Routes {
    /// Always "routes".
    pub experiment: String,
    /// Grid width (width × width points).
    pub width: usize,
    /// Iteration limit.
    pub maxiter: u32,
    /// Points in the grid.
    pub points: usize,
    /// Every route that ran and matched.
    pub rows: Vec<RouteRow>,
    /// The diffusion step through the module, and from Rust.
    #[serde(default)]
    pub steps: Vec<StepRow>,
    /// Build time of hpp's module, when this run built it.
    pub module_build_s: Option<f64>,
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
    julia: Option<PyJulia>,
    steps: Option<PySteps>,
}

#[derive(Debug, Deserialize)]
struct PySteps {
    rows: Vec<PyStep>,
    unavailable: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PyStep {
    route: String,
    grid: usize,
    seconds_per_step: f64,
    checksum: f64,
}

#[derive(Debug, Deserialize)]
struct PyJulia {
    rows: Vec<PyRow>,
    unavailable: Vec<PyMissing>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    route: String,
    seconds: f64,
    first_call_s: f64,
    compile_s: Option<f64>,
    output_sum: u64,
}

#[derive(Debug, Deserialize)]
struct PyMissing {
    route: String,
    why: String,
}

/// Run every route.
///
/// # Errors
/// [`Error::BadInput`] if Rust's counts differ from plain Python's.
pub fn routes(machine: &Machine, budget: &Budget) -> Result<Routes> {
    routes_with(machine, budget, None)
}

/// As [`routes`], with an explicit interpreter.
///
/// # Errors
/// As [`routes`].
pub fn routes_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Routes> {
    let width: usize = budget.level.pick(200, 500, 1000);
    let maxiter = 300;
    let point = budget.per_point();
    let mut progress = Progress::new("routes", 4);
    let mut unavailable = Vec::new();

    progress.step("hpp's Python module: built?");
    let mut module_build_s = None;
    if let crate::error::Fact::Known(p) = crate::machine::interpreters::find_python(interpreter) {
        match ensure_module(Path::new(&p)) {
            Ok(s) => module_build_s = s,
            Err(why) => unavailable.push(why),
        }
    }

    progress.step("Rust, directly");
    let grid = Grid::new(width)?;
    let zs = grid_points(&grid);
    let run = |zs: &[(f64, f64)]| -> Vec<u32> {
        zs.iter()
            .map(|&z| calculate_z_point(z, C, maxiter))
            .collect()
    };
    let counts = run(&zs);
    let rust_sum: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    let t = timeit_with(&point, || run(black_box(&zs)));
    let mut rows = vec![RouteRow {
        route: RUST_DIRECT.into(),
        language: "rust".into(),
        seconds: t.median_s,
        first_call_s: None,
        compile_s: None,
        output_sum: rust_sum,
    }];
    let grids: Vec<usize> = budget
        .level
        .pick(vec![512, 1024], vec![512, 2048], vec![512, 2048]);
    let mut steps = Vec::new();
    for &n in &grids {
        let mut s = stepper(FUSED, n, 1)?;
        let t = timeit_with(&point, || {
            s.step();
            black_box(())
        });
        steps.push(StepRow {
            route: RUST_DIRECT.into(),
            grid: n,
            seconds_per_step: t.median_s,
        });
    }

    // Two calls, each under the interpreter's time limit: the quick
    // routes, then Cython's four builds (plain Python's counts again, untimed).
    let mut python = None;
    for (k, only) in [
        vec!["Numba", "ctypes", "cffi", "PyO3", "PyPy"],
        vec!["Cython"],
    ]
    .into_iter()
    .enumerate()
    {
        progress.step(if k == 0 {
            "CPython: plain, Numba, ctypes, cffi, PyO3"
        } else {
            "CPython: Cython's four builds"
        });
        let spec = serde_json::json!({
            "tasks": if k == 0 { vec!["julia", "steps"] } else { vec!["julia"] },
            "grids": grids,
            "width": width,
            "maxiter": maxiter,
            "only": only,
            "time_reference": k == 0,
            "min_run_s": point.min_run_s,
            "runs": budget.runs.clamp(3, 5),
        });
        match run_chapter_script::<PyReply>(interpreter, CH08, &spec, budget) {
            Ok(PyReply {
                python: info,
                julia: Some(py),
                steps: py_steps,
            }) => {
                let py_steps = py_steps.map_or_else(Vec::new, |p| {
                    unavailable.extend(p.unavailable);
                    p.rows
                });
                for st in py_steps {
                    if conserved(st.checksum, st.grid, false) {
                        steps.push(StepRow {
                            route: st.route,
                            grid: st.grid,
                            seconds_per_step: st.seconds_per_step,
                        });
                    } else {
                        unavailable.push(format!(
                            "{} at {} × {} lost mass (sum {}); not shown",
                            st.route, st.grid, st.grid, st.checksum
                        ));
                    }
                }
                for m in py.unavailable {
                    unavailable.push(format!("{}: {}", m.route, m.why));
                }
                for r in py.rows {
                    rows.push(RouteRow {
                        route: r.route,
                        language: "python".into(),
                        seconds: r.seconds,
                        first_call_s: Some(r.first_call_s),
                        compile_s: r.compile_s,
                        output_sum: r.output_sum,
                    });
                }
                python = Some(info);
            }
            Ok(_) => unavailable.push("CPython sent no Julia timings".into()),
            Err(why) => {
                unavailable.push(format!("CPython: {why}"));
                break;
            }
        }
    }
    if let Some(p) = rows.iter().find(|r| r.route == PLAIN)
        && p.output_sum != rust_sum
    {
        return Err(Error::bad_input(format!(
            "routes: Rust's counts sum to {rust_sum}, plain Python's to {}",
            p.output_sum
        )));
    }
    Ok(Routes {
        experiment: "routes".into(),
        width,
        maxiter,
        points: zs.len(),
        rows,
        steps,
        module_build_s,
        unavailable,
        python,
        budget: budget.level.to_string(),
    })
}

impl Routes {
    /// Seconds of `route`.
    pub fn seconds(&self, route: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.route == route)
            .map(|r| r.seconds)
    }

    /// Every route's times, build and first call, as a table.
    pub fn table_html(&self) -> Html {
        let plain = self.seconds(PLAIN);
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.route.clone(),
                    fmt_seconds(r.seconds),
                    plain.map_or("—".into(), |p| format!("{}×", fmt_sig(p / r.seconds, 3))),
                    r.compile_s.map_or("—".into(), fmt_seconds),
                    r.first_call_s.map_or("—".into(), fmt_seconds),
                ]
            })
            .collect();
        Html(table(
            &[
                "route",
                "time per call",
                "speed-up over plain CPython",
                "build before the first call",
                "first call",
            ],
            &rows,
        ))
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Routes {
    fn name(&self) -> &str {
        "routes"
    }

    fn headlines(&self) -> Vec<crate::experiments::outcome::Headline> {
        use crate::experiments::outcome::Headline;
        let ms = |route: &str| self.seconds(route).map(|s| s * 1e3);
        [
            Headline::new(
                "julia_plain_cpython_ms",
                "plain CPython, ms per grid",
                ms(PLAIN),
                "ms",
                false,
            ),
            Headline::new(
                "julia_pyo3_ms",
                "hpp's PyO3 module from Python, ms per grid",
                ms("PyO3 module (hpp.calculate_z)"),
                "ms",
                false,
            ),
            Headline::new(
                "julia_rust_direct_ms",
                "Rust called directly, ms per grid",
                ms(RUST_DIRECT),
                "ms",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let plain = self
            .seconds(PLAIN)
            .ok_or_else(|| Error::Plot("no plain-Python time to compare with".into()))?;
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .filter(|r| r.route != PLAIN)
            .map(|r| (r.route.clone(), plain / r.seconds))
            .collect();
        bar_chart(
            &format!(
                "The Julia set ({0} × {0}, {1} iterations): each route's speed-up over plain CPython",
                self.width, self.maxiter
            ),
            "times faster than the loop in plain CPython",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let plain = self.seconds(PLAIN);
        if let Some(p) = plain {
            s.push_str(&format!(
                "Plain CPython took {} for the {} points.",
                fmt_seconds(p),
                self.points
            ));
            let gain = |route: &str| self.seconds(route).map(|t| p / t);
            if let (Some(u), Some(t)) = (gain("Cython, untyped"), gain("Cython, typed")) {
                s.push_str(&format!(
                    " Cython compiled the same code untyped for {}× ({}), and with C types {}×{}.",
                    fmt_sig(u, 3),
                    if u < 2.0 {
                        "hardly faster"
                    } else {
                        "already faster"
                    },
                    fmt_sig(t, 3),
                    if t > 5.0 * u {
                        ": the types, not the compiling, did the work"
                    } else {
                        ""
                    }
                ));
            }
            let single = self
                .rows
                .iter()
                .filter(|r| {
                    r.language == "python"
                        && r.route != PLAIN
                        && !r.route.contains("prange")
                        && !r.route.contains("threads")
                })
                .min_by(|a, b| a.seconds.total_cmp(&b.seconds));
            if let Some(best) = single {
                s.push_str(&format!(
                    " The fastest single-threaded route from Python was {} at {} ({}×).",
                    best.route,
                    fmt_seconds(best.seconds),
                    fmt_sig(p / best.seconds, 3)
                ));
            }
        }
        if let (Some(py), Some(rs)) = (
            self.seconds("PyO3 module (hpp.calculate_z)"),
            self.seconds(RUST_DIRECT),
        ) {
            let over = py / rs - 1.0;
            s.push_str(&format!(
                " Called from Python, hpp's module took {} against {} for the same loop called from Rust: {}.",
                fmt_seconds(py),
                fmt_seconds(rs),
                if over.abs() <= 0.05 {
                    "the crossing costs nothing measurable on a call this size".to_string()
                } else if over > 0.0 {
                    format!("{}% more from Python", fmt_sig(100.0 * over, 2))
                } else {
                    format!("{}% less from Python", fmt_sig(-100.0 * over, 2))
                }
            ));
        }
        if let Some(n) = self.steps.iter().map(|r| r.grid).max() {
            let at = |route: &str| {
                self.steps
                    .iter()
                    .find(|r| r.route == route && r.grid == n)
                    .map(|r| r.seconds_per_step)
            };
            if let (Some(py), Some(rs)) = (at("PyO3: hpp.diffusion_step"), at(RUST_DIRECT)) {
                s.push_str(&format!(
                    " One diffusion step at {n} × {n}: {} through the module from Python, {} from Rust ({}%{}).",
                    fmt_seconds(py),
                    fmt_seconds(rs),
                    fmt_sig(100.0 * (py / rs - 1.0).abs(), 2),
                    if py >= rs { " more from Python" } else { " less from Python" }
                ));
            }
        }
        if let Some(n) = self.rows.iter().find(|r| r.route == "Numba @njit")
            && let Some(first) = n.first_call_s
        {
            s.push_str(&format!(
                " Numba's first call took {} (it compiles then), later calls {}.",
                fmt_seconds(first),
                fmt_seconds(n.seconds)
            ));
        }
        if let Some(b) = self.module_build_s {
            s.push_str(&format!(
                " hpp's Python module was built for this run in {}.",
                fmt_seconds(b)
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim().to_string()
    }
}

impl fmt::Display for Routes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<36} {:>12} {:>12} {:>12}",
            "route", "s/call", "build s", "first call s"
        )?;
        for r in &self.rows {
            let opt = |v: Option<f64>| v.map_or("—".to_string(), |x| fmt_sig(x, 3));
            writeln!(
                f,
                "{:<36} {:>12} {:>12} {:>12}",
                r.route,
                fmt_sig(r.seconds, 3),
                opt(r.compile_s),
                opt(r.first_call_s)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
