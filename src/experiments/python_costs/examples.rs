//! `python`: the chapter's Python examples run by the reader's own CPython
//! (in a subprocess, timed by `python/ch01_understanding.py` with `timeit`'s rules) beside
//! the same algorithms in Rust, timed by hpp's harness in the same run.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::Headline;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::examples::{is_prime, is_prime_chunked, search_any, search_early, search_full};
use crate::kernels::interp::compiled_sum;
use crate::kernels::memory::{make_f64, sum_f64};
use crate::kernels::simd::sum_auto;
use crate::machine::Machine;
use crate::measure::cpython::{PythonInfo, run_python};
use crate::measure::{Budget, Progress, Timing, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_seconds, fmt_sig};

/// The prime tested (100 000 007 is prime, so every divisor is tried).
pub const PRIME: u64 = 100_000_007;
/// Items searched; the needle sits in the middle.
pub const SEARCH_N: usize = 100_000;
/// Floats summed.
pub const SUM_N: usize = 1_000_000;
/// Iterations of the while loop.
pub const WHILE_N: i64 = 100_000;

/// One example, both languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyRow {
    /// Example name, as `python/ch01_understanding.py` spells it.
    pub example: String,
    /// What the Rust twin is.
    pub rust_variant: String,
    /// CPython's median per-call time, ns; `None` when Python did not run it.
    pub python_ns: Option<f64>,
    /// Rust's median per-call time, ns.
    pub rust_ns: f64,
    /// python_ns ÷ rust_ns.
    pub ratio: Option<f64>,
    /// Why there is no Python time, when there is none.
    pub python_unavailable: Option<String>,
}

/// The `python` result. JSON: `python` (`{version, implementation,
/// executable, gil, jit, numpy}` or `{unavailable}`), `rows[{example,
/// rust_variant, python_ns, rust_ns, ratio, python_unavailable}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Python {
    /// Always "python".
    pub experiment: String,
    /// The interpreter that ran the Python side.
    pub python: Fact<PythonInfo>,
    /// One row per example.
    pub rows: Vec<PyRow>,
    /// Budget used.
    pub budget: String,
}

/// What the script is asked to do, from the budget.
fn spec(budget: &Budget, tasks: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "tasks": tasks,
        "min_run_s": budget.per_point().min_run_s,
        "runs": budget.runs.clamp(5, 7),
        "prime": PRIME,
        "search_n": SEARCH_N,
        "sum_n": SUM_N,
        "while_n": WHILE_N,
    })
}

/// Run with the interpreter [`crate::machine::interpreters::find_python`] picks (`HPP_PYTHON`, else
/// `python3` on PATH).
///
/// # Errors
/// None in practice: a missing or failing interpreter gives rows that say
/// why, and the Rust side is still measured.
pub fn python(machine: &Machine, budget: &Budget) -> Result<Python> {
    python_with(machine, budget, None)
}

/// As [`python`], with an explicit interpreter (a name on PATH or a path).
///
/// # Errors
/// See [`python`].
pub fn python_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Python> {
    let mut progress = Progress::new("python", 2);
    progress.step("CPython side");
    let py = run_python(interpreter, &spec(budget, &["examples"]), budget);
    progress.step("Rust side");
    let point = budget.per_point();
    let items: Vec<i64> = (0..SEARCH_N as i64).collect();
    let needle = (SEARCH_N / 2) as i64;
    let floats = make_f64(SUM_N)?;
    let ns = |t: Timing| t.median_s * 1e9;
    let rust: Vec<(&str, &str, f64)> = vec![
        (
            "is_prime",
            "trial division, u64",
            ns(timeit_with(&point, || is_prime(black_box(PRIME)))),
        ),
        (
            "is_prime_chunked",
            "5 divisors per chunk, u64",
            ns(timeit_with(&point, || is_prime_chunked(black_box(PRIME)))),
        ),
        (
            "search_early_exit",
            "loop, return at first hit",
            ns(timeit_with(&point, || {
                search_early(black_box(&items), needle)
            })),
        ),
        (
            "search_full_scan",
            "loop over all, flag",
            ns(timeit_with(&point, || {
                search_full(black_box(&items), needle)
            })),
        ),
        (
            "search_any",
            "iter().any()",
            ns(timeit_with(&point, || {
                search_any(black_box(&items), needle)
            })),
        ),
        (
            "while_loop",
            "compiled while loop",
            ns(timeit_with(&point, || compiled_sum(black_box(WHILE_N)))),
        ),
        (
            "sum_list",
            "Vec<f64>, strict order",
            ns(timeit_with(&point, || sum_f64(black_box(&floats)))),
        ),
        (
            "sum_numpy",
            "Vec<f64>, vectorised",
            ns(timeit_with(&point, || sum_auto(black_box(&floats)))),
        ),
    ];
    let rows = rust
        .into_iter()
        .map(|(example, variant, rust_ns)| {
            let (python_ns, why) = match &py {
                Ok(out) => match out.rows.iter().find(|r| r.example == example) {
                    Some(r) => (Some(r.median_ns), None),
                    None => (
                        None,
                        Some(
                            out.unavailable
                                .iter()
                                .find(|m| m.example == example)
                                .map(|m| m.why.clone())
                                .unwrap_or_else(|| {
                                    "not reported by python/ch01_understanding.py".into()
                                }),
                        ),
                    ),
                },
                Err(why) => (None, Some(why.clone())),
            };
            PyRow {
                example: example.to_string(),
                rust_variant: variant.to_string(),
                python_ns,
                rust_ns,
                ratio: python_ns.map(|p| p / rust_ns),
                python_unavailable: why,
            }
        })
        .collect();
    Ok(Python {
        experiment: "python".into(),
        python: match py {
            Ok(out) => Fact::Known(out.python),
            Err(why) => Fact::unavailable(why),
        },
        rows,
        budget: budget.level.to_string(),
    })
}

impl Python {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Python {
    fn name(&self) -> &str {
        "python"
    }

    fn headlines(&self) -> Vec<Headline> {
        self.rows
            .iter()
            .filter(|r| matches!(r.example.as_str(), "is_prime" | "sum_list" | "while_loop"))
            .filter_map(|r| {
                Headline::new(
                    format!("python_{}_ratio", r.example),
                    format!("CPython ÷ Rust, {}", r.example),
                    r.ratio,
                    "×",
                    false,
                )
            })
            .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .filter_map(|r| r.ratio.map(|x| (r.example.clone(), x)))
            .collect();
        if bars.is_empty() {
            return Err(crate::Error::Plot(format!(
                "no Python times to compare: {}",
                self.python
                    .as_result()
                    .err()
                    .map_or("every example unavailable", |u| u.unavailable.as_str())
            )));
        }
        bar_chart(
            "The chapter's examples: CPython time ÷ Rust time, same machine, same run",
            "times slower in CPython",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let who = match &self.python {
            Fact::Known(p) => format!(
                "{} {} (GIL {}, JIT {})",
                p.implementation, p.version, p.gil, p.jit
            ),
            Fact::Unavailable(u) => {
                return format!(
                    "Python side unavailable: {}. Rust times are in the table.",
                    u.unavailable
                );
            }
        };
        let get = |e: &str| self.rows.iter().find(|r| r.example == e);
        let mut s = format!("Against {who}:");
        let ratios: Vec<(&str, f64)> = self
            .rows
            .iter()
            .filter_map(|r| Some((r.example.as_str(), r.ratio?)))
            .collect();
        let lo = ratios
            .iter()
            .copied()
            .reduce(|a, b| if b.1 < a.1 { b } else { a });
        let hi = ratios
            .iter()
            .copied()
            .reduce(|a, b| if b.1 > a.1 { b } else { a });
        if let (Some(lo), Some(hi)) = (lo, hi) {
            s.push_str(&if lo.1 >= 1.0 {
                format!(
                    " Rust runs the same algorithms {}× to {}× faster.",
                    fmt_sig(lo.1, 2),
                    fmt_sig(hi.1, 2)
                )
            } else {
                format!(
                    " Rust ranges from {}× slower ({}) to {}× faster ({}).",
                    fmt_sig(1.0 / lo.1, 2),
                    lo.0,
                    fmt_sig(hi.1, 2),
                    hi.0
                )
            });
        }
        if let (Some(a), Some(b)) = (get("is_prime"), get("is_prime_chunked"))
            && let (Some(pa), Some(pb)) = (a.python_ns, b.python_ns)
        {
            let r = pb / pa;
            s.push_str(&if r > 1.05 {
                format!(
                    " Chunking the prime test makes CPython {}× slower (it builds a list per chunk), not faster: without contiguous numbers there is nothing to vectorise.",
                    fmt_sig(r, 3)
                )
            } else if r < 0.95 {
                format!(
                    " Chunking the prime test makes CPython faster here ({}× the time), though it still builds a list per chunk.",
                    fmt_sig(r, 3)
                )
            } else {
                format!(
                    " Chunking the prime test leaves CPython's time about the same ({}×).",
                    fmt_sig(r, 3)
                )
            });
        }
        if let (Some(e), Some(f)) = (get("search_early_exit"), get("search_full_scan"))
            && let (Some(pe), Some(pf)) = (e.python_ns, f.python_ns)
        {
            s.push_str(&if pe < pf {
                format!(
                    " Stopping at the first hit (mid-list) saves {}% in CPython.",
                    fmt_sig(100.0 * (1.0 - pe / pf), 2)
                )
            } else {
                format!(
                    " Stopping at the first hit (mid-list) saved nothing in CPython here ({}% more time than the full scan).",
                    fmt_sig(100.0 * (pe / pf - 1.0), 2)
                )
            });
        }
        if let Some(n) = get("sum_numpy") {
            match n.python_ns {
                Some(p) => {
                    if let Some(l) = get("sum_list").and_then(|l| l.python_ns) {
                        s.push_str(&format!(
                            " In CPython, sum() over the list takes {}× as long as numpy's sum of the same floats in an array;",
                            fmt_sig(l / p, 3)
                        ));
                    }
                    s.push_str(&format!(
                        " numpy's sum takes {}× the time of the Rust vectorised sum (both stream contiguous floats).",
                        fmt_sig(p / n.rust_ns, 3)
                    ));
                }
                None => s.push_str(&format!(
                    " numpy row: unavailable ({}).",
                    n.python_unavailable.as_deref().unwrap_or("?")
                )),
            }
        }
        s
    }
}

impl fmt::Display for Python {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<20} {:>12} {:>12} {:>9}  Rust variant",
            "example", "CPython", "Rust", "ratio"
        )?;
        for r in &self.rows {
            let py = r
                .python_ns
                .map_or("unavailable".to_string(), |p| fmt_seconds(p / 1e9));
            let ratio = r
                .ratio
                .map_or("-".to_string(), |x| format!("{}×", fmt_sig(x, 3)));
            writeln!(
                f,
                "{:<20} {:>12} {:>12} {:>9}  {}",
                r.example,
                py,
                fmt_seconds(r.rust_ns / 1e9),
                ratio,
                r.rust_variant
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
