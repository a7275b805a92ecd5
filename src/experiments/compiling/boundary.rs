//! `boundary`: what crossing from Python into native code costs. An empty
//! call four ways (a Python function, hpp's PyO3 module, ctypes and cffi
//! calling hpp's C function), then a sum over 1 to 10⁶ floats: Python's
//! `sum` of a list, numpy's, and hpp's module given the list (converted
//! element by element on the way in) or a numpy array (its buffer borrowed
//! in place). Where the crossing dominates and where it vanishes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, series_keys, show};
use crate::machine::Machine;
use crate::measure::cpython::{CH08, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_ns, fmt_sig};

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoundaryRow {
    /// What was called.
    pub route: String,
    /// Elements summed (0 for an empty call).
    pub n: usize,
    /// Median nanoseconds per call.
    pub ns_per_call: f64,
}

/// The `boundary` result. JSON: `rows[{route, n, ns_per_call}]` (empty
/// calls have `n` 0), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    /// Always "boundary".
    pub experiment: String,
    /// Every call measured.
    pub rows: Vec<BoundaryRow>,
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
    boundary: Option<PyBoundary>,
}

#[derive(Debug, Deserialize)]
struct PyBoundary {
    rows: Vec<BoundaryRow>,
    unavailable: Vec<String>,
}

/// The empty calls' routes.
pub const EMPTY: [&str; 4] = [
    "a Python function",
    "PyO3: hpp.noop()",
    "ctypes: hpp_noop()",
    "cffi: hpp_noop()",
];

/// Measure the crossings.
///
/// # Errors
/// [`Error::Unavailable`] without a Python interpreter (there is nothing
/// to cross from).
pub fn boundary(machine: &Machine, budget: &Budget) -> Result<Boundary> {
    boundary_with(machine, budget, None)
}

/// As [`boundary`], with an explicit interpreter.
///
/// # Errors
/// As [`boundary`].
pub fn boundary_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Boundary> {
    let sizes: Vec<usize> = budget.level.pick(
        vec![1, 100, 10_000, 100_000],
        vec![1, 10, 100, 1000, 10_000, 100_000, 1_000_000],
        vec![1, 10, 100, 1000, 10_000, 100_000, 1_000_000],
    );
    let point = budget.per_point();
    let mut progress = Progress::new("boundary", 1);
    progress.step("CPython: empty calls, then sums of 1 to 10⁶ floats");
    let spec = serde_json::json!({
        "tasks": ["boundary"],
        "sizes": sizes,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH08, &spec, budget) {
        Ok(PyReply {
            python,
            boundary: Some(b),
        }) => Ok(Boundary {
            experiment: "boundary".into(),
            rows: b.rows,
            unavailable: b.unavailable,
            python: Some(python),
            budget: budget.level.to_string(),
        }),
        Ok(_) => Err(Error::Unavailable(crate::error::Unavailable::new(
            "CPython sent no boundary timings",
        ))),
        Err(why) => Err(Error::Unavailable(crate::error::Unavailable::new(format!(
            "the boundary needs Python on one side: {why}"
        )))),
    }
}

impl Boundary {
    /// Nanoseconds of `route` at `n`.
    pub fn at(&self, route: &str, n: usize) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.route == route && r.n == n)
            .map(|r| r.ns_per_call)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Boundary {
    fn name(&self) -> &str {
        "boundary"
    }

    fn headlines(&self) -> Vec<crate::experiments::outcome::Headline> {
        use crate::experiments::outcome::Headline;
        [
            Headline::new(
                "noop_pyo3_ns",
                "an empty call into hpp's PyO3 module, ns",
                self.at("PyO3: hpp.noop()", 0),
                "ns",
                false,
            ),
            Headline::new(
                "noop_ctypes_ns",
                "an empty ctypes call, ns",
                self.at("ctypes: hpp_noop()", 0),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let routes = series_keys(
            self.rows
                .iter()
                .filter(|r| r.n > 0)
                .map(|r| ("", r.route.as_str())),
        );
        let series: Vec<XySeries> = routes
            .iter()
            .map(|(_, route)| XySeries {
                label: (*route).to_string(),
                points: self
                    .rows
                    .iter()
                    .filter(|r| &r.route == route && r.n > 0)
                    .map(|r| (r.n as f64, r.ns_per_call))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        xy_chart(&XyChart {
            title: "Summing n floats from Python: where the crossing stops mattering",
            x_label: "n (floats summed, log scale)",
            y_label: "nanoseconds per call (log scale)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let empty: Vec<String> = EMPTY
            .iter()
            .filter_map(|r| self.at(r, 0).map(|ns| format!("{r} {}", fmt_ns(ns))))
            .collect();
        if !empty.is_empty() {
            s.push_str(&format!("An empty call: {}.", empty.join(", ")));
        }
        let largest = self.rows.iter().map(|r| r.n).max().unwrap_or(0);
        if let (Some(list), Some(array), Some(py)) = (
            self.at("PyO3 sum_list (list copied in)", largest),
            self.at("PyO3 sum_array (buffer borrowed)", largest),
            self.at("Python sum(list)", largest),
        ) {
            s.push_str(&format!(
                " At {largest} floats, hpp's module took {} per element given the list (each float converted on the way in) and {} given a numpy array (read in place): {}× apart; Python's own sum took {} per element.",
                fmt_ns(list / largest as f64),
                fmt_ns(array / largest as f64),
                fmt_sig(list / array, 3),
                fmt_ns(py / largest as f64),
            ));
            if list > py {
                s.push_str(" Handing Rust a list was slower than summing it in Python: the copy costs more than the loop it saves.");
            }
        }
        // The smallest n from which the borrowed array beats Python's sum.
        let mut ns: Vec<usize> = self.rows.iter().filter(|r| r.n > 0).map(|r| r.n).collect();
        ns.sort_unstable();
        ns.dedup();
        let wins = ns.iter().find(|&&n| {
            matches!(
                (self.at("PyO3 sum_array (buffer borrowed)", n), self.at("Python sum(list)", n)),
                (Some(a), Some(p)) if a < p
            )
        });
        match wins {
            Some(n) => s.push_str(&format!(
                " From {n} floats on, the borrowed array beat Python's sum: below that, the crossing costs more than the loop."
            )),
            None if !ns.is_empty() => s.push_str(" The borrowed array never beat Python's sum here."),
            None => {}
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim().to_string()
    }
}

impl fmt::Display for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<36} {:>9} {:>12}", "route", "n", "ns/call")?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<36} {:>9} {:>12}",
                r.route,
                r.n,
                fmt_sig(r.ns_per_call, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
