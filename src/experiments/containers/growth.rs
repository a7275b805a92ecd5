//! `growth`: how a list finds room for one more item. A CPython list and a
//! Rust `Vec` are both dynamic arrays that over-allocate: when full, they
//! move to a bigger block with spare slots. The experiment records the
//! capacity after every append where it changes (CPython's from
//! `sys.getsizeof`, Rust's from `Vec::capacity`), the factor of each
//! resize, and the time per item of growing by appends against filling a
//! preallocated list (`[None] * n`, `Vec::with_capacity`) and a
//! comprehension (`collect`).

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::machine::Machine;
use crate::measure::cpython::{CH03, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::fmt_sig;

/// One language's growth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    /// "python" or "rust".
    pub language: String,
    /// `[length, capacity]` at the start and after every append that
    /// changed the capacity.
    pub steps: Vec<(u64, u64)>,
    /// Nanoseconds per item: "append" (grow one at a time), "preallocated"
    /// (room made first, then filled), "comprehension" (`[i for i in
    /// range(n)]`, `collect`).
    pub per_item_ns: Vec<(String, f64)>,
}

/// The `growth` result. JSON: `appends` (items appended while watching the
/// capacity), `timed_items`, `languages[{language, steps[[len, cap]],
/// per_item_ns[[how, ns]]}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrowthResult {
    /// Always "growth".
    pub experiment: String,
    /// Appends watched.
    pub appends: u64,
    /// Items per timed fill.
    pub timed_items: u64,
    /// Rust first, then CPython when it ran.
    pub languages: Vec<Growth>,
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
    growth: Option<PyGrowth>,
}

#[derive(Debug, Deserialize)]
struct PyGrowth {
    steps: Vec<(u64, u64)>,
    n: u64,
    sum: u64,
    per_item_ns: std::collections::BTreeMap<String, f64>,
}

/// The capacity of a `Vec<u64>` after every push that changed it, from
/// empty to `n` items.
pub fn vec_steps(n: u64) -> Vec<(u64, u64)> {
    let mut v: Vec<u64> = Vec::new();
    let mut steps = vec![(0, v.capacity() as u64)];
    for i in 0..n {
        let before = v.capacity();
        v.push(i);
        if v.capacity() != before {
            steps.push((v.len() as u64, v.capacity() as u64));
        }
    }
    steps
}

/// Each resize's growth factor (new capacity ÷ old), for resizes from a
/// non-zero capacity.
pub fn factors(steps: &[(u64, u64)]) -> Vec<f64> {
    steps
        .windows(2)
        .filter(|w| w[0].1 > 0)
        .map(|w| w[1].1 as f64 / w[0].1 as f64)
        .collect()
}

/// The sum of a filled list (what both languages must agree on).
fn output_sum(v: &[u64]) -> u64 {
    v.iter().sum()
}

/// The filled `Vec` three ways (each returns the same vector).
#[inline(never)]
fn by_push(n: u64) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..n {
        v.push(i);
    }
    v
}

#[inline(never)]
fn preallocated(n: u64) -> Vec<u64> {
    let mut v = vec![0u64; n as usize];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = i as u64;
    }
    v
}

#[inline(never)]
fn collected(n: u64) -> Vec<u64> {
    (0..n).collect()
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if the three ways of filling a `Vec` disagree.
pub fn growth(machine: &Machine, budget: &Budget) -> Result<GrowthResult> {
    growth_with(machine, budget, None)
}

/// As [`growth`], with an explicit interpreter.
///
/// # Errors
/// As [`growth`].
pub fn growth_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<GrowthResult> {
    let appends: u64 = budget.level.pick(20_000, 150_000, 1_000_000);
    let timed_items: u64 = budget.level.pick(100_000, 1_000_000, 1_000_000);
    let mut progress = Progress::new("growth", 2);
    progress.step("Rust: Vec capacity and time per item");
    let want = collected(timed_items);
    if by_push(timed_items) != want || preallocated(timed_items) != want {
        return Err(Error::bad_input(
            "growth: the three ways of filling a Vec disagree",
        ));
    }
    let point = budget.per_point();
    let per = |f: fn(u64) -> Vec<u64>| {
        let t = timeit_with(&point, || f(black_box(timed_items)).len());
        t.median_s * 1e9 / timed_items as f64
    };
    let rust = Growth {
        language: "rust".into(),
        steps: vec_steps(appends),
        per_item_ns: vec![
            ("append".into(), per(by_push)),
            ("preallocated".into(), per(preallocated)),
            ("comprehension".into(), per(collected)),
        ],
    };
    let mut out = GrowthResult {
        experiment: "growth".into(),
        appends,
        timed_items,
        languages: vec![rust],
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: list size after each append, time per item");
    let spec = serde_json::json!({
        "tasks": ["growth"],
        "growth_n": appends,
        "append_n": timed_items,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
    });
    match run_chapter_script::<PyReply>(interpreter, CH03, &spec, budget) {
        // The filled list must hold 0 … n − 1, as Rust's Vec does, before
        // its timings count.
        Ok(PyReply {
            python,
            growth: Some(g),
        }) if g.n == timed_items && g.sum == output_sum(&want) => {
            out.languages.push(Growth {
                language: "python".into(),
                steps: g.steps,
                per_item_ns: ["append", "preallocated", "comprehension"]
                    .iter()
                    .filter_map(|k| g.per_item_ns.get(*k).map(|v| (k.to_string(), *v)))
                    .collect(),
            });
            out.python = Some(python);
        }
        Ok(PyReply {
            growth: Some(g), ..
        }) => out.unavailable.push(format!(
            "CPython: its filled list of {} items sums to {}, not {}; not shown",
            g.n,
            g.sum,
            output_sum(&want)
        )),
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no growth data".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl GrowthResult {
    fn language(&self, name: &str) -> Option<&Growth> {
        self.languages.iter().find(|g| g.language == name)
    }

    /// The median growth factor of a language's resizes.
    pub fn median_factor(&self, language: &str) -> Option<f64> {
        let mut f = factors(&self.language(language)?.steps);
        f.sort_by(f64::total_cmp);
        f.get(f.len() / 2).copied()
    }

    /// Resizes a language made over the watched appends.
    pub fn resizes(&self, language: &str) -> Option<usize> {
        self.language(language)
            .map(|g| g.steps.len().saturating_sub(1))
    }

    fn per_item(&self, language: &str, how: &str) -> Option<f64> {
        self.language(language)?
            .per_item_ns
            .iter()
            .find(|(h, _)| h == how)
            .map(|(_, v)| *v)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for GrowthResult {
    fn name(&self) -> &str {
        "growth"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "list_growth_factor",
                "CPython list's growth factor per resize",
                self.median_factor("python"),
                "×",
                false,
            ),
            Headline::new(
                "vec_growth_factor",
                "Rust Vec's growth factor per resize",
                self.median_factor("rust"),
                "×",
                false,
            ),
            Headline::new(
                "python_append_ns",
                "CPython append, per item",
                self.per_item("python", "append"),
                "ns",
                false,
            ),
            Headline::new(
                "rust_push_ns",
                "Rust push, per item",
                self.per_item("rust", "append"),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        // Spare slots (capacity − length) just after each resize and just
        // before the next: the over-allocation the book draws.
        let series: Vec<XySeries> = self
            .languages
            .iter()
            .map(|g| {
                let mut points = Vec::new();
                for w in g.steps.windows(2) {
                    let (len, cap) = w[0];
                    let next_len = w[1].0;
                    points.push((len as f64, (cap - len.min(cap)) as f64));
                    points.push((
                        (next_len - 1) as f64,
                        (cap.saturating_sub(next_len - 1)) as f64,
                    ));
                }
                if let Some(&(len, cap)) = g.steps.last() {
                    points.push((len as f64, cap.saturating_sub(len) as f64));
                    points.push((self.appends as f64, cap.saturating_sub(self.appends) as f64));
                }
                XySeries {
                    label: if g.language == "rust" {
                        "Rust Vec<u64>".into()
                    } else {
                        "CPython list".into()
                    },
                    points,
                    line: true,
                    color_of: None,
                }
            })
            .collect();
        xy_chart(&XyChart {
            title: &format!("Spare slots as a list grows, {} appends", self.appends),
            x_label: "items in the list",
            y_label: "allocated but unused slots",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, name) in [("python", "A CPython list"), ("rust", "A Rust Vec")] {
            if let (Some(f), Some(n)) = (self.median_factor(lang), self.resizes(lang)) {
                s.push_str(&format!(
                    "{name} resized {n} times over {} appends, growing by {}× at a time (median). ",
                    self.appends,
                    fmt_sig(f, 3)
                ));
            }
        }
        let (pf, rf) = (self.median_factor("python"), self.median_factor("rust"));
        if let (Some(p), Some(r)) = (pf, rf) {
            let side = |f: f64| {
                format!(
                    "at most {}% of the block spare just after a resize, each item copied about {}× on average as the list grows",
                    fmt_sig(100.0 * (f - 1.0) / f, 2),
                    fmt_sig(1.0 / (f - 1.0), 2)
                )
            };
            s.push_str(&format!(
                "So CPython keeps {}; Rust keeps {}: {}. ",
                side(p),
                side(r),
                if p < r {
                    "CPython trades more copying for less unused memory"
                } else if p > r {
                    "here CPython's list grew faster than Rust's Vec"
                } else {
                    "the same trade in both"
                }
            ));
        }
        for lang in ["python", "rust"] {
            if let (Some(a), Some(p), Some(c)) = (
                self.per_item(lang, "append"),
                self.per_item(lang, "preallocated"),
                self.per_item(lang, "comprehension"),
            ) {
                let who = if lang == "python" { "CPython" } else { "Rust" };
                let verdict = if p < 0.95 * a {
                    format!("preallocating saved {}%", fmt_sig(100.0 * (1.0 - p / a), 2))
                } else if p > 1.05 * a {
                    format!(
                        "preallocating was {}% slower here (filling by index costs more than the resizes it avoids)",
                        fmt_sig(100.0 * (p / a - 1.0), 2)
                    )
                } else {
                    "preallocating made no difference worth naming".to_string()
                };
                s.push_str(&format!(
                    "{who}: {} ns per item by appending, {} preallocated, {} by comprehension; {verdict}. ",
                    fmt_sig(a, 3),
                    fmt_sig(p, 3),
                    fmt_sig(c, 3)
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for GrowthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>8} {:>10} {:>12} {:>13} {:>14}",
            "language", "resizes", "factor", "append ns", "prealloc ns", "comprehension"
        )?;
        for g in &self.languages {
            let p = |how: &str| {
                self.per_item(&g.language, how)
                    .map_or("—".to_string(), |v| fmt_sig(v, 3))
            };
            writeln!(
                f,
                "{:<8} {:>8} {:>10} {:>12} {:>13} {:>14}",
                g.language,
                g.steps.len().saturating_sub(1),
                self.median_factor(&g.language)
                    .map_or("—".to_string(), |v| fmt_sig(v, 3)),
                p("append"),
                p("preallocated"),
                p("comprehension")
            )?;
        }
        write!(f, "{}", self.reading())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vec_capacity_steps_and_factors() {
        let steps = vec_steps(100);
        assert_eq!(steps[0], (0, 0));
        // Every step is a real change, and capacity never falls below length.
        assert!(steps.windows(2).all(|w| w[1].1 > w[0].1));
        assert!(steps.iter().all(|&(l, c)| c >= l));
        let f = factors(&steps);
        assert!(!f.is_empty() && f.iter().all(|&x| x > 1.0));
        assert_eq!(by_push(1000), collected(1000));
        assert_eq!(preallocated(1000), collected(1000));
    }

    #[test]
    fn factors_skip_the_first_allocation() {
        assert_eq!(factors(&[(0, 0), (1, 4), (5, 8), (9, 16)]), vec![2.0, 2.0]);
    }
}
