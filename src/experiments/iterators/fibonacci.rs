//! `fibonacci`: the book's lists against generators. The first N Fibonacci
//! numbers (N = 100 to 10,000; big integers, as Python's ints are) made as
//! a list and walked, or made one at a time by a generator and walked: the
//! time per number and the most memory held at once, in the reader's
//! CPython (`tracemalloc`) and in Rust (a `Vec<BigUint>` against an
//! `Iterator`, measured by hpp's heap tracker). Then the book's small
//! puzzle — how many Fibonacci numbers up to 5,000 are odd? — three ways in
//! Python and two in Rust (a loop, and iterator adapters).

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show, who};
use crate::kernels::iterators::{
    fibonacci_low64, odd_fibonacci_iter, odd_fibonacci_loop, odd_fibonacci_reference,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH05, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_count, fmt_sig};

/// The book's limit for the odd-number puzzle.
pub const ODD_LIMIT: u64 = 5000;

/// One way at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FibRow {
    /// "python" or "rust".
    pub language: String,
    /// "list" or "generator".
    pub way: String,
    /// Numbers made.
    pub n: usize,
    /// Median ns per number, made and walked.
    pub ns_per_number: f64,
    /// The most heap bytes held at once while making and walking them,
    /// or why that could not be measured.
    pub peak_bytes: Option<u64>,
}

/// One way of counting the odd numbers up to [`ODD_LIMIT`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OddRow {
    /// "python" or "rust".
    pub language: String,
    /// The way.
    pub way: String,
    /// Median ns per call.
    pub ns_per_call: f64,
}

/// The `fibonacci` result. JSON: `rows[{language, way, n, ns_per_number,
/// peak_bytes}]` (`way`: `list` or `generator`; `peak_bytes` null where it
/// could not be measured), `odd_count` (odd Fibonacci numbers ≤ 5000),
/// `odd[{language, way, ns_per_call}]`, `memory_method` (how Rust's peak
/// was measured), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fibonacci {
    /// Always "fibonacci".
    pub experiment: String,
    /// Rust's rows, then CPython's.
    pub rows: Vec<FibRow>,
    /// The answer to the puzzle (every way agreed on it).
    pub odd_count: usize,
    /// The puzzle's timings.
    pub odd: Vec<OddRow>,
    /// How Rust's peak memory was measured.
    pub memory_method: String,
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
    fibonacci: Option<PyFib>,
}

#[derive(Debug, Deserialize)]
struct PyFib {
    rows: Vec<PyRow>,
    odd: Vec<PyOdd>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    way: String,
    n: usize,
    ns_per_number: f64,
    peak_bytes: u64,
    last_bits: u64,
    last_low64: u64,
}

#[derive(Debug, Deserialize)]
struct PyOdd {
    way: String,
    count: usize,
    ns_per_call: f64,
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if Rust's ways disagree.
pub fn fibonacci(machine: &Machine, budget: &Budget) -> Result<Fibonacci> {
    fibonacci_with(machine, budget, None)
}

/// Rust's big-integer rows and the fingerprint (bits, low 64 bits) of the
/// last number at each size.
#[cfg(feature = "ch05")]
fn rust_rows(
    sizes: &[usize],
    point: &Budget,
    progress: &mut Progress,
) -> Result<(Vec<FibRow>, String)> {
    use crate::kernels::iterators::{fibonacci as fib, fibonacci_list, fibonacci_reference};
    use crate::measure::heap::track;
    let mut rows = Vec::new();
    let mut method = String::new();
    for &n in sizes {
        progress.step(&format!(
            "Rust: {} numbers, a Vec and an iterator",
            fmt_count(n as u64)
        ));
        let want = fibonacci_reference(n as u64 - 1);
        let list_last = fibonacci_list(n).last().cloned();
        let iter_last = fib().take(n).last();
        if list_last.as_ref() != Some(&want) || iter_last.as_ref() != Some(&want) {
            return Err(Error::bad_input(format!(
                "fibonacci: the {n}th number differs between the Vec, the iterator and the reference"
            )));
        }
        let walk_list = || {
            let numbers = fibonacci_list(black_box(n));
            numbers.iter().map(|x| black_box(x).bits()).sum::<u64>()
        };
        let walk_iter = || {
            fib()
                .take(black_box(n))
                .map(|x| black_box(&x).bits())
                .sum::<u64>()
        };
        for (way, t, peak) in [
            // The list is handed back, so its bytes are still held when the
            // call ends: a peak no sampler can miss.
            (
                "list",
                timeit_with(point, walk_list),
                track(|| fibonacci_list(black_box(n))).1,
            ),
            (
                "generator",
                timeit_with(point, walk_iter),
                track(walk_iter).1,
            ),
        ] {
            let peak = peak.known().map(|h| {
                method.clone_from(&h.method);
                h.peak_bytes
            });
            rows.push(FibRow {
                language: "rust".into(),
                way: way.into(),
                n,
                ns_per_number: t.median_s * 1e9 / n as f64,
                peak_bytes: peak,
            });
        }
    }
    Ok((rows, method))
}

/// As [`fibonacci`], with an explicit interpreter.
///
/// # Errors
/// As [`fibonacci`].
pub fn fibonacci_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Fibonacci> {
    let sizes: Vec<usize> = vec![100, 1000, 10_000];
    let point = budget.per_point();
    let mut progress = Progress::new("fibonacci", sizes.len() + 2);
    #[allow(unused_mut)]
    let mut unavailable = Vec::new();
    #[cfg(feature = "ch05")]
    let (rows, memory_method) = rust_rows(&sizes, &point, &mut progress)?;
    #[cfg(not(feature = "ch05"))]
    let (rows, memory_method): (Vec<FibRow>, String) = {
        unavailable.push(
            "Rust's big-integer Fibonacci numbers: hpp was built without the `ch05` feature (add `features = [\"ch05\"]` to the :dep line)".to_string(),
        );
        (Vec::new(), String::new())
    };

    progress.step("Rust: odd Fibonacci numbers up to 5000, a loop and iterator adapters");
    let odd_count = odd_fibonacci_reference(ODD_LIMIT);
    let mut odd = Vec::new();
    for (way, f) in [
        ("while loop", odd_fibonacci_loop as fn(u64) -> usize),
        ("take_while + filter + count", odd_fibonacci_iter),
    ] {
        if f(ODD_LIMIT) != odd_count {
            return Err(Error::bad_input(format!(
                "fibonacci: the {way} counted {} odd numbers, the reference {odd_count}",
                f(ODD_LIMIT)
            )));
        }
        let t = timeit_with(&point, || f(black_box(ODD_LIMIT)));
        odd.push(OddRow {
            language: "rust".into(),
            way: way.into(),
            ns_per_call: t.median_s * 1e9,
        });
    }

    let mut out = Fibonacci {
        experiment: "fibonacci".into(),
        rows,
        odd_count,
        odd,
        memory_method,
        unavailable,
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: fibonacci_list and fibonacci_gen, and the odd numbers three ways");
    let spec = serde_json::json!({
        "tasks": ["fibonacci"],
        "fib_sizes": sizes,
        "odd_limit": ODD_LIMIT,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH05, &spec, budget) {
        Ok(PyReply {
            python,
            fibonacci: Some(py),
        }) => {
            for r in py.rows {
                // The last number's lowest 64 bits, and its length: F(k)
                // has k·log2(φ) − log2(√5) bits, give or take one.
                let k = r.n.saturating_sub(1) as u64;
                let golden = (1.0 + 5f64.sqrt()) / 2.0;
                let bits = k as f64 * golden.log2() - 5f64.sqrt().log2();
                let agrees =
                    r.last_low64 == fibonacci_low64(k) && (r.last_bits as f64 - bits).abs() <= 1.5;
                if !agrees {
                    out.unavailable.push(format!(
                        "CPython's {} of {} numbers ended on a different number; not shown",
                        r.way, r.n
                    ));
                    continue;
                }
                out.rows.push(FibRow {
                    language: "python".into(),
                    way: r.way,
                    n: r.n,
                    ns_per_number: r.ns_per_number,
                    peak_bytes: Some(r.peak_bytes),
                });
            }
            for o in py.odd {
                if o.count != odd_count {
                    out.unavailable.push(format!(
                        "CPython's {} counted {} odd numbers, not {odd_count}; not shown",
                        o.way, o.count
                    ));
                    continue;
                }
                out.odd.push(OddRow {
                    language: "python".into(),
                    way: o.way,
                    ns_per_call: o.ns_per_call,
                });
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no Fibonacci numbers".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Fibonacci {
    fn row(&self, language: &str, way: &str, n: usize) -> Option<&FibRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.way == way && r.n == n)
    }

    fn largest(&self, language: &str) -> Option<usize> {
        self.rows
            .iter()
            .filter(|r| r.language == language)
            .map(|r| r.n)
            .max()
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Fibonacci {
    fn name(&self) -> &str {
        "fibonacci"
    }

    fn headlines(&self) -> Vec<Headline> {
        let peak = |lang: &str, way: &str| {
            let n = self.largest(lang)?;
            self.row(lang, way, n)?
                .peak_bytes
                .map(|b| b as f64 / 1024.0)
        };
        [
            Headline::new(
                "python_fib_list_peak_bytes",
                "CPython: peak memory of the list of Fibonacci numbers (largest N)",
                peak("python", "list"),
                "KiB",
                false,
            ),
            Headline::new(
                "python_fib_generator_peak_bytes",
                "CPython: peak memory of the generator (largest N)",
                peak("python", "generator"),
                "KiB",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series = Vec::new();
        for (lang, who) in [("rust", "Rust"), ("python", "CPython")] {
            for (way, name) in [
                ("list", "list (Vec)"),
                ("generator", "generator (iterator)"),
            ] {
                let points: Vec<(f64, f64)> = self
                    .rows
                    .iter()
                    .filter(|r| r.language == lang && r.way == way)
                    .filter_map(|r| Some((r.n as f64, r.peak_bytes? as f64 / 1024.0)))
                    .filter(|p| p.1 > 0.0)
                    .collect();
                if !points.is_empty() {
                    series.push(XySeries {
                        label: format!("{who} {}", if lang == "rust" { name } else { way }),
                        points,
                        line: true,
                        color_of: None,
                    });
                }
            }
        }
        xy_chart(&XyChart {
            title: "The first N Fibonacci numbers: memory held at once",
            x_label: "N (numbers made and walked)",
            y_label: "peak memory (KiB)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, who) in [("python", "CPython"), ("rust", "Rust")] {
            let Some(n) = self.largest(lang) else {
                continue;
            };
            let (Some(l), Some(g)) = (self.row(lang, "list", n), self.row(lang, "generator", n))
            else {
                continue;
            };
            s.push_str(&format!(
                "{who}, {} numbers: the list took {} ns per number and the generator {} ns ({}); ",
                fmt_count(n as u64),
                fmt_sig(l.ns_per_number, 3),
                fmt_sig(g.ns_per_number, 3),
                if (l.ns_per_number / g.ns_per_number - 1.0).abs() < 0.1 {
                    "about the same: the work is the additions either way".to_string()
                } else if l.ns_per_number < g.ns_per_number {
                    format!(
                        "the list {}× faster",
                        fmt_sig(g.ns_per_number / l.ns_per_number, 2)
                    )
                } else {
                    format!(
                        "the generator {}× faster",
                        fmt_sig(l.ns_per_number / g.ns_per_number, 2)
                    )
                }
            ));
            match (l.peak_bytes, g.peak_bytes) {
                (Some(lp), Some(gp)) if gp > 0 && lp > 2 * gp => s.push_str(&format!(
                    "the list held {} at its peak, the generator {} — {}× less, as it keeps only the last two numbers. ",
                    fmt_bytes(lp),
                    fmt_bytes(gp),
                    fmt_sig(lp as f64 / gp as f64, 3)
                )),
                (Some(lp), Some(0)) => s.push_str(&format!(
                    "the list held {} at its peak; the generator's peak was too brief to see this way. ",
                    fmt_bytes(lp)
                )),
                (Some(lp), Some(gp)) => s.push_str(&format!(
                    "the list held {} at its peak and the generator {}: here they did not differ much. ",
                    fmt_bytes(lp),
                    fmt_bytes(gp)
                )),
                _ => s.push_str("their memory could not be measured. "),
            }
        }
        let mut odd: Vec<&OddRow> = self.odd.iter().collect();
        odd.sort_by(|a, b| a.ns_per_call.total_cmp(&b.ns_per_call));
        if let (Some(fast), Some(slow)) = (odd.first(), odd.last()) {
            s.push_str(&format!(
                "{} Fibonacci numbers up to {ODD_LIMIT} are odd; the fastest count was {}'s {} ({} ns), the slowest {}'s {} ({} ns, {}×). ",
                self.odd_count,
                who(&fast.language),
                fast.way,
                fmt_sig(fast.ns_per_call, 3),
                who(&slow.language),
                slow.way,
                fmt_sig(slow.ns_per_call, 3),
                fmt_sig(slow.ns_per_call / fast.ns_per_call, 3)
            ));
        }
        let rust_odd = |way: &str| {
            self.odd
                .iter()
                .find(|o| o.language == "rust" && o.way.starts_with(way))
                .map(|o| o.ns_per_call)
        };
        if let (Some(lp), Some(it)) = (rust_odd("while"), rust_odd("take_while")) {
            s.push_str(&if (it / lp - 1.0).abs() < 0.15 {
                format!(
                    "In Rust the adapters ran as fast as the loop ({} vs {} ns). ",
                    fmt_sig(it, 3),
                    fmt_sig(lp, 3)
                )
            } else {
                format!(
                    "In Rust the adapters took {} ns against the loop's {} ns ({}×). ",
                    fmt_sig(it, 3),
                    fmt_sig(lp, 3),
                    fmt_sig(it / lp, 2)
                )
            });
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Fibonacci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<10} {:>7} {:>12} {:>12}",
            "language", "way", "N", "ns/number", "peak"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<10} {:>7} {:>12} {:>12}",
                r.language,
                r.way,
                r.n,
                fmt_sig(r.ns_per_number, 3),
                r.peak_bytes.map_or("—".into(), fmt_bytes)
            )?;
        }
        for o in &self.odd {
            writeln!(
                f,
                "odd ≤ {ODD_LIMIT}: {:<8} {:<28} {:>10} ns",
                o.language,
                o.way,
                fmt_sig(o.ns_per_call, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
