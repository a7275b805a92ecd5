//! `anomalies`: the book's lazy pipeline. A seeded stream of one reading a
//! second (about once a week a reading of 100), grouped by day, each day
//! tested for normality (D'Agostino–Pearson K², p < 0.001 flags it), run
//! over 1 to 16 days: streaming — one day in memory at a time — and with
//! every reading put in a list first. In the reader's CPython (generators,
//! `itertools.groupby`, `scipy.stats.normaltest` or its hand-written twin,
//! memory by `tracemalloc`) and in Rust (iterators, a day-grouping adapter,
//! memory by hpp's heap tracker). Both languages make the same readings
//! and must flag the same days.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::anomaly::{
    SECONDS_PER_DAY, anomalous_days, anomalous_days_reference, readings,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH05, PythonInfo, run_chapter_script};
use crate::measure::heap::track;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_count, fmt_sig};

/// The stream's seed (Python uses the same): chosen so that its first
/// anomalous reading falls on day 2, inside even the quick run's 4 days.
pub const SEED: u64 = 3;

/// A day whose p-value falls below this is flagged.
pub const THRESHOLD: f64 = 1e-3;

/// One way over one stream length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HuntRow {
    /// "python" or "rust".
    pub language: String,
    /// "lazy" or "list first".
    pub way: String,
    /// Days of readings.
    pub days: u64,
    /// Readings handled per second.
    pub readings_per_s: f64,
    /// The most heap bytes held at once (null where not measured).
    pub peak_bytes: Option<u64>,
    /// The days flagged (day numbers from 0).
    pub flagged: Vec<u64>,
}

/// The `anomalies` result. JSON: `seed`, `threshold`, `rows[{language,
/// way, days, readings_per_s, peak_bytes, flagged[]}]` (`way`: `lazy` or
/// `list first`), `python_test` (which normality test CPython ran),
/// `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomalies {
    /// Always "anomalies".
    pub experiment: String,
    /// The stream's seed.
    pub seed: u64,
    /// The p-value below which a day is flagged.
    pub threshold: f64,
    /// Rust's rows, then CPython's.
    pub rows: Vec<HuntRow>,
    /// The normality test CPython used.
    pub python_test: Option<String>,
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
    anomalies: Option<PyHunt>,
}

#[derive(Debug, Deserialize)]
struct PyHunt {
    test: String,
    rows: Vec<PyRow>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    way: String,
    days: u64,
    flagged: Vec<u64>,
    seconds: f64,
    peak_bytes: u64,
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if the lazy pipeline and the list-first reference
/// flag different days.
pub fn anomalies(machine: &Machine, budget: &Budget) -> Result<Anomalies> {
    anomalies_with(machine, budget, None)
}

/// As [`anomalies`], with an explicit interpreter.
///
/// # Errors
/// As [`anomalies`].
pub fn anomalies_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Anomalies> {
    let days: Vec<u64> = budget.level.pick(
        vec![1, 2, 4],
        vec![1, 2, 4, 8, 16],
        vec![1, 2, 4, 8, 16, 32],
    );
    // Python's list of every reading costs ~150 bytes a reading.
    let list_cap: u64 = budget.level.pick(2, 8, 8);
    let top = *days.last().unwrap_or(&1);
    budget.check_alloc(
        machine,
        "the anomaly hunt's list of every reading (CPython's, the larger)",
        list_cap.min(top) * SECONDS_PER_DAY * 160,
    )?;
    let point = budget.per_point();
    let mut progress = Progress::new("anomalies", 2 * days.len());
    let mut rows = Vec::new();
    for &d in &days {
        progress.step(&format!(
            "Rust: {d} day{} ({} readings), lazy and list first",
            if d == 1 { "" } else { "s" },
            fmt_count(d * SECONDS_PER_DAY)
        ));
        let n = (d * SECONDS_PER_DAY) as usize;
        let lazy =
            || anomalous_days(readings(black_box(SEED)).take(n), THRESHOLD).collect::<Vec<u64>>();
        let list = || anomalous_days_reference(black_box(SEED), d, THRESHOLD);
        let flagged = lazy();
        if flagged != list() {
            return Err(Error::bad_input(format!(
                "anomalies: the lazy pipeline flagged {flagged:?} over {d} days, the list-first reference {:?}",
                list()
            )));
        }
        for (way, t, heap) in [
            ("lazy", timeit_with(&point, lazy), track(lazy).1),
            ("list first", timeit_with(&point, list), track(list).1),
        ] {
            rows.push(HuntRow {
                language: "rust".into(),
                way: way.into(),
                days: d,
                readings_per_s: n as f64 / t.median_s,
                peak_bytes: heap.known().map(|h| h.peak_bytes),
                flagged: flagged.clone(),
            });
        }
    }
    let mut out = Anomalies {
        experiment: "anomalies".into(),
        seed: SEED,
        threshold: THRESHOLD,
        rows,
        python_test: None,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    // One interpreter per stream length, so each stays well inside the
    // time limit (a day takes CPython about a second, twice: timed, then
    // under tracemalloc).
    for &d in &days {
        progress.step(&format!(
            "CPython: {d} day{} through generators, groupby and a normality test",
            if d == 1 { "" } else { "s" }
        ));
        let spec = serde_json::json!({
            "tasks": ["anomalies"],
            "days": [d],
            "list_days_cap": list_cap,
            "seed": SEED,
            "threshold": THRESHOLD,
        });
        match run_chapter_script::<PyReply>(interpreter, CH05, &spec, budget) {
            Ok(PyReply {
                python,
                anomalies: Some(py),
            }) => {
                for r in py.rows {
                    // Rust's lazy and list-first hunts agreed on these days
                    // (checked above): CPython's must name the same ones.
                    let rust = out
                        .rows
                        .iter()
                        .find(|x| x.language == "rust" && x.days == r.days)
                        .map(|x| x.flagged.clone());
                    if rust.as_ref() != Some(&r.flagged) {
                        out.unavailable.push(format!(
                            "CPython's {} hunt over {} days flagged days {:?}, Rust's {:?}; not shown",
                            r.way,
                            r.days,
                            r.flagged,
                            rust.unwrap_or_default()
                        ));
                        continue;
                    }
                    out.rows.push(HuntRow {
                        language: "python".into(),
                        way: r.way,
                        days: r.days,
                        readings_per_s: (r.days * SECONDS_PER_DAY) as f64 / r.seconds.max(1e-9),
                        peak_bytes: Some(r.peak_bytes),
                        flagged: r.flagged,
                    });
                }
                out.python_test = Some(py.test);
                out.python = Some(python);
            }
            Ok(_) => {
                out.unavailable.push(format!(
                    "CPython: the interpreter sent no hunt over {d} days"
                ));
                break;
            }
            Err(why) => {
                out.unavailable.push(format!("CPython: {why}"));
                break;
            }
        }
    }
    Ok(out)
}

impl Anomalies {
    fn rows_of(&self, language: &str, way: &str) -> Vec<&HuntRow> {
        self.rows
            .iter()
            .filter(|r| r.language == language && r.way == way)
            .collect()
    }

    fn longest(&self, language: &str, way: &str) -> Option<&HuntRow> {
        self.rows_of(language, way)
            .into_iter()
            .max_by_key(|r| r.days)
    }

    /// Stream lengths where the two languages flagged different days.
    pub fn disagreements(&self) -> Vec<u64> {
        self.rows_of("python", "lazy")
            .into_iter()
            .filter(|p| {
                self.rows_of("rust", "lazy")
                    .iter()
                    .any(|r| r.days == p.days && r.flagged != p.flagged)
            })
            .map(|p| p.days)
            .collect()
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Anomalies {
    fn name(&self) -> &str {
        "anomalies"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "python_readings_per_s",
                "CPython: readings through the lazy pipeline per second",
                self.longest("python", "lazy")
                    .map(|r| r.readings_per_s / 1e6),
                "million/s",
                true,
            ),
            Headline::new(
                "rust_readings_per_s",
                "Rust: readings through the lazy pipeline per second",
                self.longest("rust", "lazy").map(|r| r.readings_per_s / 1e6),
                "million/s",
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series = Vec::new();
        for (lang, who) in [("rust", "Rust"), ("python", "CPython")] {
            for way in ["lazy", "list first"] {
                let points: Vec<(f64, f64)> = self
                    .rows_of(lang, way)
                    .into_iter()
                    .filter_map(|r| Some((r.days as f64, r.peak_bytes? as f64 / 1_048_576.0)))
                    .filter(|p| p.1 > 0.0)
                    .collect();
                if !points.is_empty() {
                    series.push(XySeries {
                        label: format!("{who}, {way}"),
                        points,
                        line: true,
                        color_of: None,
                    });
                }
            }
        }
        xy_chart(&XyChart {
            title: "Hunting anomalous days: memory held at once",
            x_label: "days of readings (86,400 a day)",
            y_label: "peak memory (MiB)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, who) in [("python", "CPython"), ("rust", "Rust")] {
            let mut lazy = self.rows_of(lang, "lazy");
            lazy.sort_by_key(|r| r.days);
            let (Some(&a), Some(&b)) = (lazy.first(), lazy.last()) else {
                continue;
            };
            match (a.peak_bytes, b.peak_bytes) {
                (Some(pa), Some(pb)) if a.days < b.days && pa > 0 => {
                    let growth = pb as f64 / pa as f64;
                    s.push_str(&format!(
                        "{who}'s lazy pipeline held {} at most over {} day{} and {} over {} days ({}){}",
                        fmt_bytes(pa),
                        a.days,
                        if a.days == 1 { "" } else { "s" },
                        fmt_bytes(pb),
                        b.days,
                        if growth < 1.5 {
                            "flat: one day in memory at a time".to_string()
                        } else if growth < 0.5 * (b.days as f64 / a.days as f64) {
                            format!(
                                "{}× more while the stream grew {}×: bounded, though a day it hands on is still held while the next is built",
                                fmt_sig(growth, 2),
                                b.days / a.days
                            )
                        } else {
                            format!("{}× more: it grew with the stream", fmt_sig(growth, 2))
                        },
                        match self.longest(lang, "list first") {
                            Some(l) => match l.peak_bytes {
                                Some(pl) => format!(
                                    "; with every reading in a list first, {} over {} days",
                                    fmt_bytes(pl),
                                    l.days
                                ),
                                None => String::new(),
                            },
                            None => String::new(),
                        }
                    ));
                }
                _ => s.push_str(&format!(
                    "{who}'s memory could not be compared across lengths"
                )),
            }
            s.push_str(&format!(
                ". It handled {} readings a second. ",
                fmt_count(b.readings_per_s as u64)
            ));
        }
        if let (Some(p), Some(r)) = (self.longest("python", "lazy"), self.longest("rust", "lazy")) {
            s.push_str(&format!(
                "Rust went through the stream {}× as fast as CPython. ",
                fmt_sig(r.readings_per_s / p.readings_per_s, 3)
            ));
        }
        if let Some(r) = self.longest("rust", "lazy") {
            s.push_str(&if r.flagged.is_empty() {
                format!("No day of the {} was flagged", r.days)
            } else {
                format!(
                    "Over {} days, day{} {} failed the test (p < {})",
                    r.days,
                    if r.flagged.len() == 1 { "" } else { "s" },
                    r.flagged
                        .iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    self.threshold
                )
            });
            let differ = self.disagreements();
            if !self.rows_of("python", "lazy").is_empty() {
                s.push_str(&if differ.is_empty() {
                    format!(
                        "; CPython ({}) flagged the same days. ",
                        self.python_test.as_deref().unwrap_or("its test")
                    )
                } else {
                    format!(
                        "; CPython flagged different days over {} days (its test: {}). ",
                        differ
                            .iter()
                            .map(u64::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        self.python_test.as_deref().unwrap_or("unknown")
                    )
                });
            } else {
                s.push_str(". ");
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Anomalies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<10} {:>3} days {:>12} readings/s  peak {:>10}  flagged {:?}",
                r.language,
                r.way,
                r.days,
                fmt_count(r.readings_per_s as u64),
                r.peak_bytes.map_or("—".into(), fmt_bytes),
                r.flagged
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
