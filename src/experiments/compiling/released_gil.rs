//! `released_gil`: the GIL, revisited. Chapter 1 showed Python threads
//! that could not run Python in parallel; native code can let go of the
//! GIL while it works. The Julia grid is shared among 1, 2, … Python
//! threads, each calling hpp's module on its share — once with the GIL
//! released (`Python::detach`), once with it held — and the CPUs the
//! process kept busy meanwhile are measured, so the speed-up is set against
//! what the machine gave. Beside them, the threads native code starts on
//! its own, one call on the whole grid: rayon inside hpp's module, Numba's
//! `prange`, Cython's `prange` (OpenMP).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::julia::{C, Grid, calculate_z_point, grid_points};
use crate::machine::Machine;
use crate::measure::cpython::{CH08, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, plan};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_seconds, fmt_sig};

/// The iteration limit (the book's).
pub const MAXITER: u32 = 300;

/// The two ways.
pub const RELEASED: &str = "GIL released";
/// The GIL kept through the call.
pub const HELD: &str = "GIL held";
/// One call, the points shared among rayon's threads inside the module.
pub const RAYON: &str = "rayon, inside the module";
/// Numba's `prange` with `numba.set_num_threads`.
pub const NUMBA_PRANGE: &str = "Numba prange";
/// Cython's `prange`, OpenMP's `num_threads`.
pub const CYTHON_PRANGE: &str = "Cython prange (OpenMP)";

/// Python's threads first, then the threads made inside native code.
pub const ROUTES: [&str; 5] = [RELEASED, HELD, RAYON, NUMBA_PRANGE, CYTHON_PRANGE];

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GilRow {
    /// One of [`ROUTES`].
    pub route: String,
    /// Threads: Python's (for [`RELEASED`] and [`HELD`]) or native.
    pub threads: usize,
    /// Median seconds for the whole grid.
    pub seconds: f64,
    /// CPU seconds over wall seconds while it was timed.
    pub cpus: f64,
    /// Sum of all counts (the same for every row).
    pub output_sum: u64,
}

/// The `released_gil` result. JSON: `width`, `rows[{route, threads,
/// seconds, cpus, output_sum}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleasedGil {
    /// Always "released_gil".
    pub experiment: String,
    /// Julia grid width.
    pub width: usize,
    /// Every run.
    pub rows: Vec<GilRow>,
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
    gil: Option<PyGil>,
}

#[derive(Debug, Deserialize)]
struct PyGil {
    rows: Vec<GilRow>,
    unavailable: Vec<String>,
}

/// Run it.
///
/// # Errors
/// [`Error::Unavailable`] without a Python interpreter; [`Error::BadInput`]
/// if the threads' counts disagree.
pub fn released_gil(machine: &Machine, budget: &Budget) -> Result<ReleasedGil> {
    released_gil_with(machine, budget, None)
}

/// As [`released_gil`], with an explicit interpreter.
///
/// # Errors
/// As [`released_gil`].
pub fn released_gil_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<ReleasedGil> {
    let width: usize = budget.level.pick(200, 400, 600);
    let most = plan::threads(machine, None)?;
    let threads = plan::thread_counts(most);
    let point = budget.per_point();
    let mut progress = Progress::new("released_gil", 1);
    progress.step(&format!(
        "CPython: {} Python threads calling hpp's module (GIL released, held); rayon, Numba and Cython threads",
        threads
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let spec = serde_json::json!({
        "tasks": ["gil"],
        "width": width,
        "maxiter": MAXITER,
        "threads": threads,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    let (rows, unavailable, python) =
        match run_chapter_script::<PyReply>(interpreter, CH08, &spec, budget) {
            Ok(PyReply {
                python,
                gil: Some(g),
            }) => (g.rows, g.unavailable, Some(python)),
            Ok(_) => (vec![], vec!["CPython sent no thread timings".into()], None),
            Err(why) => {
                return Err(Error::Unavailable(crate::error::Unavailable::new(format!(
                    "threads calling hpp's module need Python: {why}"
                ))));
            }
        };
    // Every row against Rust's own count of the same grid (the reference
    // loop, not the module being timed).
    let grid = Grid::new(width)?;
    let want: u64 = grid_points(&grid)
        .into_iter()
        .map(|z| u64::from(calculate_z_point(z, C, MAXITER)))
        .sum();
    if let Some(bad) = rows.iter().find(|r| r.output_sum != want) {
        return Err(Error::bad_input(format!(
            "released_gil: {} with {} threads summed to {}, not Rust's {want}",
            bad.route, bad.threads, bad.output_sum
        )));
    }
    Ok(ReleasedGil {
        experiment: "released_gil".into(),
        width,
        rows,
        unavailable,
        python,
        budget: budget.level.to_string(),
    })
}

impl ReleasedGil {
    fn at(&self, route: &str, threads: usize) -> Option<&GilRow> {
        self.rows
            .iter()
            .find(|r| r.route == route && r.threads == threads)
    }

    /// Speed-up of `route` with `threads` over the same route on one.
    pub fn speedup(&self, route: &str, threads: usize) -> Option<f64> {
        Some(self.at(route, 1)?.seconds / self.at(route, threads)?.seconds)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for ReleasedGil {
    fn name(&self) -> &str {
        "released_gil"
    }

    fn headlines(&self) -> Vec<crate::experiments::outcome::Headline> {
        let most = self.rows.iter().map(|r| r.threads).max().unwrap_or(1);
        crate::experiments::outcome::Headline::new(
            "gil_released_speedup",
            "Python threads, GIL released: speed-up at the most threads",
            self.speedup(RELEASED, most).filter(|_| most > 1),
            "×",
            true,
        )
        .into_iter()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series: Vec<XySeries> = ROUTES
            .iter()
            .filter(|route| self.rows.iter().any(|r| r.route == **route))
            .map(|route| XySeries {
                label: (*route).to_string(),
                points: self
                    .rows
                    .iter()
                    .filter(|r| r.route == *route)
                    .filter_map(|r| Some((r.threads as f64, self.speedup(route, r.threads)?)))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        series.push(XySeries {
            label: "CPUs busy (GIL released)".into(),
            points: self
                .rows
                .iter()
                .filter(|r| r.route == RELEASED)
                .map(|r| (r.threads as f64, r.cpus))
                .collect(),
            line: true,
            color_of: None,
        });
        xy_chart(&XyChart {
            title: "Python threads calling Rust, and threads started by native code",
            x_label: "threads",
            y_label: "speed-up over one thread (×), or CPUs busy",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let most = self.rows.iter().map(|r| r.threads).max().unwrap_or(1);
        let mut s = String::new();
        if self.rows.is_empty() {
            // Nothing ran: the unavailable lines below say why.
        } else if most < 2 {
            s.push_str("One CPU only: there is nothing for threads to share here.");
        } else if self.at(RELEASED, most).is_none() {
            s.push_str("No Python threads called hpp's module in this run.");
        } else if let (Some(r), Some(h), Some(row)) = (
            self.speedup(RELEASED, most),
            self.speedup(HELD, most),
            self.at(RELEASED, most),
        ) {
            let one = self.at(RELEASED, 1).map_or(1.0, |o| o.cpus.max(1e-9));
            let share = row.cpus / one;
            s.push_str(&format!(
                "With {most} Python threads, the grid took {} with the GIL released ({}× one thread's speed) and {} with it held ({}×). ",
                fmt_seconds(row.seconds),
                fmt_sig(r, 3),
                self.at(HELD, most).map_or("—".into(), |h| fmt_seconds(h.seconds)),
                fmt_sig(h, 3)
            ));
            s.push_str(&format!(
                "The released threads kept {} CPUs busy ({}× the one thread's): {}.",
                fmt_sig(row.cpus, 3),
                fmt_sig(share, 3),
                if r >= 0.9 * share {
                    "the speed-up kept pace with the CPU the machine gave"
                } else {
                    "more CPU went in than speed came out"
                }
            ));
            if h > 1.3 {
                s.push_str(&format!(
                    " Holding the GIL still ran {}× faster than one thread.",
                    fmt_sig(h, 3)
                ));
            } else {
                s.push_str(" Holding it, the threads took turns: no faster than one.");
            }
            s.push_str(&self.native_reading(most, r));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim().to_string()
    }
}

impl ReleasedGil {
    /// The threads native code started, set beside Python's `released`
    /// speed-up at `most` threads.
    fn native_reading(&self, most: usize, released: f64) -> String {
        let native: Vec<(&str, f64, f64)> = [RAYON, NUMBA_PRANGE, CYTHON_PRANGE]
            .into_iter()
            .filter_map(|route| {
                Some((
                    route,
                    self.speedup(route, most)?,
                    self.at(route, most)?.seconds,
                ))
            })
            .collect();
        let Some(&(best, best_x, _)) = native.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
            return String::new();
        };
        let mut s = format!(
            " Threads started inside native code, {most} of them: {}.",
            native
                .iter()
                .map(|(route, x, t)| format!("{route} {}× ({})", fmt_sig(*x, 3), fmt_seconds(*t)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        s.push_str(&if released >= 0.9 * best_x {
            format!(
                " Python's threads, with the GIL released, scaled as well as those ({}× against {best}'s {}×).",
                fmt_sig(released, 3),
                fmt_sig(best_x, 3)
            )
        } else {
            format!(
                " {best} scaled better than Python's threads ({}× against {}×).",
                fmt_sig(best_x, 3),
                fmt_sig(released, 3)
            )
        });
        if let Some(fastest) = self
            .rows
            .iter()
            .filter(|r| r.threads == most)
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
        {
            s.push_str(&format!(
                " Fastest grid at {most} threads: {}, {}.",
                fastest.route,
                fmt_seconds(fastest.seconds)
            ));
        }
        s
    }
}

impl fmt::Display for ReleasedGil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<24} {:>7} {:>10} {:>6}",
            "route", "threads", "s", "CPUs"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<24} {:>7} {:>10} {:>6}",
                r.route,
                r.threads,
                fmt_sig(r.seconds, 3),
                fmt_sig(r.cpus, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
