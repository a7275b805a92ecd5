//! `namespaces`: the book's closing experiment of chapter 4 — every name a
//! Python function uses that is not local is a dictionary lookup (globals,
//! then builtins, then a module's attributes). The same sum of sines runs
//! in the reader's CPython with `sin` found four ways: `math.sin` (a global
//! and an attribute per call), `from math import sin` (a global), a local
//! alias and a default argument (locals, by index). Each way's bytecode for
//! those names is shown as compiled and, where the interpreter specialises
//! instructions (CPython 3.11+), as it ran. There is no Rust side to time:
//! Rust resolves every name when it compiles.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_count, fmt_sig};

/// One way of finding `sin`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamespaceRow {
    /// Always "python".
    pub language: String,
    /// The way, as code.
    pub variant: String,
    /// Median ns per call of `sin` in the loop (the loop's own work included).
    pub ns_per_call: f64,
    /// The instructions that fetch `math`/`sin`, as compiled.
    pub loads: Vec<String>,
    /// The same after running, where the interpreter specialises them
    /// (empty where it does not).
    pub specialised: Vec<String>,
}

/// The `namespaces` result. JSON: `calls`, `rows[{language, variant,
/// ns_per_call, loads[], specialised[]}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespaces {
    /// Always "namespaces".
    pub experiment: String,
    /// Calls of `sin` per timed run.
    pub calls: usize,
    /// The four ways, in the book's order.
    pub rows: Vec<NamespaceRow>,
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
    namespaces: Option<PyNamespaces>,
}

#[derive(Debug, Deserialize)]
struct PyNamespaces {
    calls: usize,
    rows: Vec<PyRow>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    variant: String,
    total: f64,
    ns_per_call: f64,
    loads: Vec<String>,
    specialised: Vec<String>,
}

/// The reference for every way: Σ sin(i / calls) for i in 0..calls, in order.
pub fn sum_of_sines(calls: usize) -> f64 {
    (0..calls).map(|i| (i as f64 / calls as f64).sin()).sum()
}

/// Run the experiment.
///
/// # Errors
/// None so far: without CPython the result says why.
pub fn namespaces(machine: &Machine, budget: &Budget) -> Result<Namespaces> {
    namespaces_with(machine, budget, None)
}

/// As [`namespaces`], with an explicit interpreter.
///
/// # Errors
/// As [`namespaces`].
pub fn namespaces_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Namespaces> {
    let calls: usize = budget.level.pick(10_000, 100_000, 100_000);
    let point = budget.per_point();
    let mut progress = Progress::new("namespaces", 1);
    progress.step("CPython: math.sin, from math import sin, a local alias, a default argument");
    let mut out = Namespaces {
        experiment: "namespaces".into(),
        calls,
        rows: Vec::new(),
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    let spec = serde_json::json!({
        "tasks": ["namespaces"],
        "calls": calls,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
    });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            namespaces: Some(py),
        }) if py.calls == calls && !py.rows.is_empty() => {
            // Every way adds the same sines in the same order: Rust's sum of
            // them is the reference (to rounding: two libraries' sin).
            let want = sum_of_sines(calls);
            for r in py.rows {
                if (r.total - want).abs() > 1e-9 * want.abs().max(1.0) {
                    out.unavailable.push(format!(
                        "CPython's {} summed to {}, not {want}; not shown",
                        r.variant, r.total
                    ));
                    continue;
                }
                out.rows.push(NamespaceRow {
                    language: "python".into(),
                    variant: r.variant,
                    ns_per_call: r.ns_per_call,
                    loads: r.loads,
                    specialised: r.specialised,
                });
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no namespace timings".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Namespaces {
    fn module(&self) -> Option<&NamespaceRow> {
        self.rows.iter().find(|r| r.variant.starts_with("math.sin"))
    }

    fn local(&self) -> Option<&NamespaceRow> {
        self.rows
            .iter()
            .find(|r| r.variant.starts_with("local_sin"))
    }

    /// `math.sin` per call ÷ the local alias per call.
    pub fn module_vs_local(&self) -> Option<f64> {
        Some(self.module()?.ns_per_call / self.local()?.ns_per_call)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Namespaces {
    fn name(&self) -> &str {
        "namespaces"
    }

    fn headlines(&self) -> Vec<Headline> {
        Headline::new(
            "python_module_vs_local_sin",
            "CPython: math.sin per call ÷ a local alias",
            self.module_vs_local(),
            "×",
            false,
        )
        .into_iter()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| (r.variant.clone(), r.ns_per_call))
            .collect();
        bar_chart(
            &format!(
                "{} calls of sin, the name found four ways (CPython)",
                fmt_count(self.calls as u64)
            ),
            "ns per call, loop included (median)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        if let (Some(m), Some(l)) = (self.module(), self.local()) {
            let ratio = m.ns_per_call / l.ns_per_call;
            let extra = m.ns_per_call - l.ns_per_call;
            s.push_str(&if ratio > 1.05 {
                format!(
                    "Fetching sin through math on every call cost {} ns per call against {} ns for a local alias: {} ns ({}%) for two lookups the local does not make. ",
                    fmt_sig(m.ns_per_call, 3),
                    fmt_sig(l.ns_per_call, 3),
                    fmt_sig(extra, 2),
                    fmt_sig(100.0 * (ratio - 1.0), 2)
                )
            } else if ratio < 0.95 {
                format!(
                    "math.sin ({} ns per call) was faster than the local alias ({} ns) in this run: the lookups cost less than the noise between runs. ",
                    fmt_sig(m.ns_per_call, 3),
                    fmt_sig(l.ns_per_call, 3)
                )
            } else {
                format!(
                    "math.sin ({} ns per call) and a local alias ({} ns) were within 5% of each other. ",
                    fmt_sig(m.ns_per_call, 3),
                    fmt_sig(l.ns_per_call, 3)
                )
            });
            let specialised: Vec<&String> = m
                .specialised
                .iter()
                .filter(|i| !m.loads.contains(i))
                .collect();
            if specialised.is_empty() {
                s.push_str("This CPython shows no specialised instructions: every global and attribute lookup is a dictionary lookup each time. ");
            } else {
                s.push_str(&format!(
                    "As it ran, this CPython rewrote {} as {}: since 3.11 the interpreter specialises a lookup it has seen succeed, checking only that the dictionary has not changed{}. ",
                    m.loads.join(", "),
                    m.specialised.join(", "),
                    if ratio <= 1.05 {
                        " — which is why the book's gap has all but closed here"
                    } else {
                        ", yet the extra lookups still showed"
                    }
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Namespaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<38} {:>8} ns  {}",
                r.variant,
                fmt_sig(r.ns_per_call, 3),
                if r.specialised.is_empty() {
                    r.loads.join(", ")
                } else {
                    r.specialised.join(", ")
                }
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
