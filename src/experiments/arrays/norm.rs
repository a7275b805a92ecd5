//! `norm`: the book's first vector computation — the length (norm) of a
//! vector, √Σ v² — from 2⁷ to 2²⁰ elements. In the reader's CPython: a
//! `for` loop, `sum()` of a generator, `np.dot` and `np.linalg.norm`; in
//! Rust: the sum in order (one add waiting for the last), in four running
//! sums, and in 16 lanes the compiler can put in vector registers. Every
//! way's norm must match the in-order sum's to 1e-9 (relative) first.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, series_keys, show, who};
use crate::kernels::vectors::{
    book_vector, norm_squared_four_sums, norm_squared_in_order, norm_squared_lanes,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH06, PythonInfo, run_chapter_script};
use crate::measure::plan::cache_markers;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// Rust's ways, in order.
pub const RUST: [&str; 3] = ["in order", "four running sums", "16 lanes"];

/// One way at one length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormRow {
    /// "python" or "rust".
    pub language: String,
    /// The way.
    pub way: String,
    /// Elements.
    pub n: usize,
    /// Median ns per element.
    pub ns_per_element: f64,
}

/// The `norm` result. JSON: `rows[{language, way, n, ns_per_element}]`
/// (Rust `in order`, `four running sums`, `16 lanes`; CPython `for loop`,
/// `sum of a generator`, `numpy np.dot`, `numpy np.linalg.norm`; 2⁷ to 2²⁰
/// f64 elements), `markers[]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Norm {
    /// Always "norm".
    pub experiment: String,
    /// Every way at every length.
    pub rows: Vec<NormRow>,
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
    norm: Option<PyNorm>,
}

#[derive(Debug, Deserialize)]
struct PyNorm {
    rows: Vec<PyRow>,
    unavailable: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    way: String,
    n: usize,
    ns_per_element: f64,
    norm: f64,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-300)
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust way disagrees with the in-order sum.
pub fn norm(machine: &Machine, budget: &Budget) -> Result<Norm> {
    norm_with(machine, budget, None)
}

/// As [`norm`], with an explicit interpreter.
///
/// # Errors
/// As [`norm`].
pub fn norm_with(machine: &Machine, budget: &Budget, interpreter: Option<&str>) -> Result<Norm> {
    let sizes: Vec<usize> = (7..=20)
        .step_by(budget.level.pick(2, 1, 1))
        .map(|p| 1 << p)
        .collect();
    let point = budget.per_point();
    let mut progress = Progress::new("norm", 2);
    progress.step("Rust: in order, four sums, 16 lanes");
    let mut rows = Vec::new();
    let mut want = Vec::new();
    type Way = fn(&[f64]) -> f64;
    let ways: [Way; 3] = [
        norm_squared_in_order,
        norm_squared_four_sums,
        norm_squared_lanes,
    ];
    for &n in &sizes {
        let v = book_vector(n);
        let reference = norm_squared_in_order(&v).sqrt();
        want.push((n, reference));
        for (name, f) in RUST.iter().zip(ways) {
            let got = f(&v).sqrt();
            if !close(got, reference) {
                return Err(Error::bad_input(format!(
                    "norm: {name} gave {got} at {n} elements, the in-order sum {reference}"
                )));
            }
            let t = timeit_with(&point, || f(black_box(&v)));
            rows.push(NormRow {
                language: "rust".into(),
                way: (*name).into(),
                n,
                ns_per_element: t.median_s * 1e9 / n as f64,
            });
        }
    }
    let mut out = Norm {
        experiment: "norm".into(),
        rows,
        markers: cache_markers(machine),
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: a for loop, sum() of a generator, np.dot, np.linalg.norm");
    let spec = serde_json::json!({
        "tasks": ["norm"],
        "norm_sizes": sizes,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH06, &spec, budget) {
        Ok(PyReply {
            python,
            norm: Some(py),
        }) => {
            for r in py.rows {
                match want.iter().find(|(n, _)| *n == r.n) {
                    Some(&(_, w)) if close(r.norm, w) => out.rows.push(NormRow {
                        language: "python".into(),
                        way: r.way,
                        n: r.n,
                        ns_per_element: r.ns_per_element,
                    }),
                    _ => out.unavailable.push(format!(
                        "CPython's {} gave {} at {} elements, not Rust's norm; not shown",
                        r.way, r.norm, r.n
                    )),
                }
            }
            out.unavailable
                .extend(py.unavailable.into_iter().map(|u| format!("CPython: {u}")));
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no norms".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Norm {
    fn at(&self, language: &str, way: &str, n: usize) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.way == way && r.n == n)
            .map(|r| r.ns_per_element)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Norm {
    fn name(&self) -> &str {
        "norm"
    }

    fn headlines(&self) -> Vec<Headline> {
        let mid = 1 << 15;
        [
            Headline::new(
                "rust_lanes_vs_in_order_32k",
                "Rust: the in-order sum ÷ 16 lanes, 2¹⁵ elements",
                self.at("rust", RUST[0], mid)
                    .zip(self.at("rust", RUST[2], mid))
                    .map(|(a, b)| a / b),
                "×",
                true,
            ),
            Headline::new(
                "numpy_dot_ns_per_element_32k",
                "CPython np.dot, ns per element, 2¹⁵ elements",
                self.at("python", "numpy np.dot", mid),
                "ns",
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
                .map(|r| (r.language.as_str(), r.way.as_str())),
        );
        let series: Vec<Series> = names
            .iter()
            .map(|(lang, way)| Series {
                label: format!("{} {way}", who(lang)),
                points: self
                    .rows
                    .iter()
                    .filter(|r| &r.language == lang && &r.way == way)
                    .map(|r| ((r.n * 8) as u64, r.ns_per_element))
                    .collect(),
            })
            .collect();
        size_chart(&SizeChart {
            title: "The norm of a vector: ns per element",
            x_label: "the vector (bytes of f64)",
            y_label: "ns per element (median)",
            series: &series,
            markers: &self.markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let Some(n) = self
            .rows
            .iter()
            .filter(|r| r.language == "rust")
            .map(|r| r.n)
            .max()
        else {
            return "No lengths were measured.".into();
        };
        let mid = (1usize << 15).min(n);
        if let (Some(o), Some(f), Some(l)) = (
            self.at("rust", RUST[0], mid),
            self.at("rust", RUST[1], mid),
            self.at("rust", RUST[2], mid),
        ) {
            s.push_str(&format!(
                "At {mid} elements ({}) Rust's in-order sum took {} ns per element, four running sums {} and 16 lanes {} ({}× the in-order speed{}). ",
                fmt_bytes((mid * 8) as u64),
                fmt_sig(o, 3),
                fmt_sig(f, 3),
                fmt_sig(l, 3),
                fmt_sig(o / l, 2),
                if o / l > 1.5 {
                    ": the adds no longer wait for each other"
                } else {
                    ": splitting the sum did not pay here"
                }
            ));
        }
        if let (Some(small), Some(big)) = (
            self.at("rust", RUST[2], 1 << 7),
            self.at("rust", RUST[2], n),
        ) && n > 1 << 7
        {
            s.push_str(&format!(
                "The lanes took {} ns per element at {} and {} at {}{}. ",
                fmt_sig(small, 3),
                fmt_bytes(1 << 10),
                fmt_sig(big, 3),
                fmt_bytes((n * 8) as u64),
                if big > 1.5 * small {
                    ": past the caches, memory sets the pace"
                } else {
                    ""
                }
            ));
        }
        if let (Some(lp), Some(d), Some(r)) = (
            self.at("python", "for loop", mid),
            self.at("python", "numpy np.dot", mid),
            self.at("rust", RUST[2], mid),
        ) {
            s.push_str(&format!(
                "In CPython the for loop took {} ns per element and np.dot {} ({}×); Rust's lanes were {} np.dot.",
                fmt_sig(lp, 3),
                fmt_sig(d, 3),
                fmt_sig(lp / d, 3),
                if r < d {
                    format!("{}× faster than", fmt_sig(d / r, 2))
                } else {
                    format!("{}× slower than", fmt_sig(r / d, 2))
                }
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Norm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<22} {:>9} {:>10} ns/element",
                r.language,
                r.way,
                r.n,
                fmt_sig(r.ns_per_element, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
