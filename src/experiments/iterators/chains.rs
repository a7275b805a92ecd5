//! `chains`: are iterator adapters free? The sum of the squares of the odd
//! values in a list of random integers, written as a hand loop and as a
//! chain of adapters (`filter`, `map`, a sum) in Rust, and in the reader's
//! CPython as a `for` loop, a generator expression, a list comprehension
//! and `filter` + `map`: time per value and the memory each held at once.
//! Rust also collects the squares into a `Vec` before summing — the list
//! comprehension's shape. Every way must give the same total first.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show, who};
use crate::kernels::iterators::{odd_squares_chain, odd_squares_loop, odd_squares_reference};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::cpython::{CH05, PythonInfo, run_chapter_script};
use crate::measure::heap::track;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_bytes, fmt_count, fmt_sig};

/// The seed of the values (Python uses the same).
pub const CHAIN_SEED: u64 = 7;

/// One way of writing the sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainRow {
    /// "python" or "rust".
    pub language: String,
    /// The way.
    pub way: String,
    /// Median ns per value.
    pub ns_per_value: f64,
    /// The most heap bytes held at once (null where not measured).
    pub peak_bytes: Option<u64>,
}

/// The `chains` result. JSON: `n` (values), `rows[{language, way,
/// ns_per_value, peak_bytes}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chains {
    /// Always "chains".
    pub experiment: String,
    /// Values in the list.
    pub n: usize,
    /// Rust's rows, then CPython's.
    pub rows: Vec<ChainRow>,
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
    chains: Option<PyChains>,
}

#[derive(Debug, Deserialize)]
struct PyChains {
    n: usize,
    rows: Vec<PyRow>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    way: String,
    total_low64: u64,
    ns_per_value: f64,
    peak_bytes: u64,
}

/// The values: `n` draws of SplitMix64 from [`CHAIN_SEED`], shifted down
/// to 30 bits.
pub fn chain_values(n: usize) -> Vec<u64> {
    let mut rng = SplitMix64::new(CHAIN_SEED);
    (0..n).map(|_| rng.next_u64() >> 34).collect()
}

/// The list comprehension's shape: every square collected, then summed.
pub fn odd_squares_collected(values: &[u64]) -> u64 {
    let squares: Vec<u64> = values
        .iter()
        .filter(|&&v| v % 2 == 1)
        .map(|&v| v.wrapping_mul(v))
        .collect();
    squares.iter().fold(0u64, |a, &b| a.wrapping_add(b))
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if two Rust ways disagree.
pub fn chains(machine: &Machine, budget: &Budget) -> Result<Chains> {
    chains_with(machine, budget, None)
}

/// As [`chains`], with an explicit interpreter.
///
/// # Errors
/// As [`chains`].
pub fn chains_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Chains> {
    let n: usize = budget.level.pick(100_000, 1_000_000, 1_000_000);
    // The values and, at most, a Vec of half as many squares.
    budget.check_alloc(machine, "chains' values", n as u64 * 16)?;
    let point = budget.per_point();
    let mut progress = Progress::new("chains", 2);
    progress.step(&format!(
        "Rust: {} values, a loop, adapters, collect + sum",
        fmt_count(n as u64)
    ));
    let values = chain_values(n);
    let want = odd_squares_reference(&values);
    let mut rows = Vec::new();
    type Way = fn(&[u64]) -> u64;
    let ways: [(&str, Way); 3] = [
        ("for loop", odd_squares_loop),
        ("filter + map + sum", odd_squares_chain),
        ("collect into a Vec, then sum", odd_squares_collected),
    ];
    for (way, f) in ways {
        let got = f(&values);
        if got != want {
            return Err(Error::bad_input(format!(
                "chains: the {way} gave {got}, the reference {want}"
            )));
        }
        let t = timeit_with(&point, || f(black_box(&values)));
        let (_, heap) = track(|| f(black_box(&values)));
        rows.push(ChainRow {
            language: "rust".into(),
            way: way.into(),
            ns_per_value: t.median_s * 1e9 / n as f64,
            peak_bytes: heap.known().map(|h| h.peak_bytes),
        });
    }
    let mut out = Chains {
        experiment: "chains".into(),
        n,
        rows,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress
        .step("CPython: a for loop, a generator expression, a list comprehension, filter + map");
    let spec = serde_json::json!({
        "tasks": ["chains"],
        "chain_n": n,
        "chain_seed": CHAIN_SEED,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH05, &spec, budget) {
        Ok(PyReply {
            python,
            chains: Some(py),
        }) if py.n == n => {
            for r in py.rows {
                if r.total_low64 != want {
                    out.unavailable.push(format!(
                        "CPython's {} summed to {} (low 64 bits), not {want}; not shown",
                        r.way, r.total_low64
                    ));
                    continue;
                }
                out.rows.push(ChainRow {
                    language: "python".into(),
                    way: r.way,
                    ns_per_value: r.ns_per_value,
                    peak_bytes: Some(r.peak_bytes),
                });
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no sums".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Chains {
    fn row(&self, language: &str, way: &str) -> Option<&ChainRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.way == way)
    }

    /// Rust's adapters per value ÷ its loop per value.
    pub fn adapters_vs_loop(&self) -> Option<f64> {
        Some(
            self.row("rust", "filter + map + sum")?.ns_per_value
                / self.row("rust", "for loop")?.ns_per_value,
        )
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Chains {
    fn name(&self) -> &str {
        "chains"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "rust_adapters_vs_loop",
                "Rust: filter + map + sum ÷ the hand loop",
                self.adapters_vs_loop(),
                "×",
                false,
            ),
            Headline::new(
                "python_genexp_ns_per_value",
                "CPython generator expression, per value",
                self.row("python", "generator expression")
                    .map(|r| r.ns_per_value),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| (format!("{}: {}", who(&r.language), r.way), r.ns_per_value))
            .collect();
        bar_chart(
            &format!(
                "Sum of the squares of the odd values, {} values",
                fmt_count(self.n as u64)
            ),
            "ns per value (median)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        if let (Some(l), Some(c)) = (
            self.row("rust", "for loop"),
            self.row("rust", "filter + map + sum"),
        ) {
            let r = c.ns_per_value / l.ns_per_value;
            s.push_str(&if (r - 1.0).abs() <= 0.1 {
                format!(
                    "Rust's adapters ran at the loop's speed ({} against {} ns per value): the chain compiled to the same loop. ",
                    fmt_sig(c.ns_per_value, 3),
                    fmt_sig(l.ns_per_value, 3)
                )
            } else if r < 1.0 {
                format!(
                    "Rust's adapters beat the hand loop ({} against {} ns per value, {}×): the compiler made a different loop of each. ",
                    fmt_sig(c.ns_per_value, 3),
                    fmt_sig(l.ns_per_value, 3),
                    fmt_sig(1.0 / r, 2)
                )
            } else {
                format!(
                    "Rust's adapters took {}× the hand loop ({} against {} ns per value): here the chain did not compile to the same loop. ",
                    fmt_sig(r, 2),
                    fmt_sig(c.ns_per_value, 3),
                    fmt_sig(l.ns_per_value, 3)
                )
            });
        }
        if let (Some(v), Some(l)) = (
            self.row("rust", "collect into a Vec, then sum"),
            self.row("rust", "for loop"),
        ) {
            s.push_str(&format!(
                "Collecting the squares first cost {}× the loop{}. ",
                fmt_sig(v.ns_per_value / l.ns_per_value, 2),
                v.peak_bytes
                    .filter(|&b| b > 0)
                    .map_or(String::new(), |b| format!(" and held {}", fmt_bytes(b)))
            ));
        }
        if let (Some(g), Some(lc)) = (
            self.row("python", "generator expression"),
            self.row("python", "list comprehension"),
        ) {
            s.push_str(&format!(
                "In CPython the generator expression took {} ns per value and the list comprehension {} ({}); the list held {} at its peak, the generator {}. ",
                fmt_sig(g.ns_per_value, 3),
                fmt_sig(lc.ns_per_value, 3),
                if (lc.ns_per_value / g.ns_per_value - 1.0).abs() < 0.05 {
                    "about the same time".to_string()
                } else if lc.ns_per_value < g.ns_per_value {
                    format!("the list {}× faster: building it is cheaper than resuming a generator per value", fmt_sig(g.ns_per_value / lc.ns_per_value, 2))
                } else {
                    format!("the generator {}× faster", fmt_sig(lc.ns_per_value / g.ns_per_value, 2))
                },
                lc.peak_bytes.map_or("—".into(), fmt_bytes),
                g.peak_bytes.map_or("—".into(), fmt_bytes)
            ));
            if let Some(l) = self.row("rust", "for loop") {
                s.push_str(&format!(
                    "The generator expression took {}× Rust's loop. ",
                    fmt_sig(g.ns_per_value / l.ns_per_value, 3)
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Chains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<30} {:>9} ns/value  peak {}",
                r.language,
                r.way,
                fmt_sig(r.ns_per_value, 3),
                r.peak_bytes.map_or("—".into(), fmt_bytes)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
