//! `sort`: how much a sort gains from order already in the data. CPython's
//! `sorted()` (Timsort: finds runs and merges them) against Rust's stable
//! `sort` (driftsort, also run-adaptive) and `sort_unstable` (ipnsort:
//! pattern-defeating quicksort), on the same five inputs — random, sorted,
//! reversed, nearly sorted (1% of items swapped) and few distinct values —
//! each output checked in both languages before it is timed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::cpython::{CH03, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::report::html::{Html, table};
use crate::units::{fmt_count, fmt_sig};

/// The inputs, in the order they are shown.
pub const INPUTS: [&str; 5] = [
    "random",
    "sorted",
    "reversed",
    "nearly sorted",
    "few distinct",
];

/// The seed both languages build the inputs from.
pub const SEED: u64 = 42;

/// The position-weighted checksum's modulus (a Mersenne prime).
const CHECK_MODULUS: u128 = (1 << 61) - 1;

/// The five inputs, as `python/ch03_lists_tuples.py` builds them: SplitMix64
/// values shifted to 30 bits; sorted; reversed; sorted with n/100 random
/// swaps; the random values modulo 100.
pub fn sort_inputs(n: usize, seed: u64) -> Vec<(&'static str, Vec<u64>)> {
    let draw = |seed: u64, count: usize| {
        let mut g = SplitMix64::new(seed);
        (0..count).map(|_| g.next_u64() >> 34).collect::<Vec<u64>>()
    };
    let random = draw(seed, n);
    let mut sorted = random.clone();
    sorted.sort_unstable();
    let mut nearly = sorted.clone();
    let swaps = draw(seed + 1, 2 * (n / 100));
    for k in 0..n / 100 {
        let (a, b) = (
            (swaps[2 * k] % n as u64) as usize,
            (swaps[2 * k + 1] % n as u64) as usize,
        );
        nearly.swap(a, b);
    }
    let reversed: Vec<u64> = sorted.iter().rev().copied().collect();
    let few: Vec<u64> = random.iter().map(|v| v % 100).collect();
    vec![
        ("random", random),
        ("sorted", sorted),
        ("reversed", reversed),
        ("nearly sorted", nearly),
        ("few distinct", few),
    ]
}

/// Σ (i + 1) · vᵢ mod 2⁶¹ − 1: equal only for the same values in the same
/// order (as Python's `checksum`).
pub fn checksum(values: &[u64]) -> u64 {
    values.iter().enumerate().fold(0u128, |acc, (i, &v)| {
        (acc + (i as u128 + 1) * u128::from(v)) % CHECK_MODULUS
    }) as u64
}

/// One input's times, ns per item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SortRow {
    /// Which input.
    pub input: String,
    /// Rust `clone` + `sort` (stable).
    pub rust_stable_ns: f64,
    /// Rust `clone` + `sort_unstable`.
    pub rust_unstable_ns: f64,
    /// CPython `sorted()`, when it ran and agreed.
    pub python_ns: Option<f64>,
}

/// The `sort` result. JSON: `n`, `rows[{input, rust_stable_ns,
/// rust_unstable_ns, python_ns}]` (ns per item, copying the input
/// included, as `sorted()` copies), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sort {
    /// Always "sort".
    pub experiment: String,
    /// Items per input.
    pub n: usize,
    /// One row per input, in [`INPUTS`] order.
    pub rows: Vec<SortRow>,
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
    sort: Option<Vec<PyRow>>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    input: String,
    ns_per_item: f64,
    checksum: u64,
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust sort's output is not the sorted input.
pub fn sort(machine: &Machine, budget: &Budget) -> Result<Sort> {
    sort_with(machine, budget, None)
}

/// As [`sort`], with an explicit interpreter.
///
/// # Errors
/// As [`sort`].
pub fn sort_with(machine: &Machine, budget: &Budget, interpreter: Option<&str>) -> Result<Sort> {
    let n: usize = budget.level.pick(100_000, 1_000_000, 1_000_000);
    // The five inputs and a working copy.
    budget.check_alloc(machine, "sort's inputs", (n * 8 * 7) as u64)?;
    let inputs = sort_inputs(n, SEED);
    let mut progress = Progress::new("sort", 2);
    progress.step("Rust: sort and sort_unstable on five inputs");
    let point = budget.per_point();
    let mut rows = Vec::new();
    let mut sums = Vec::new();
    for (name, data) in &inputs {
        let mut want = data.clone();
        want.sort_unstable();
        let mut stable = data.clone();
        stable.sort();
        if stable != want {
            return Err(Error::bad_input(format!(
                "sort: the stable sort of the {name} input is not sorted"
            )));
        }
        sums.push(checksum(&want));
        let per = |t: crate::measure::Timing| t.median_s * 1e9 / n as f64;
        let t_stable = timeit_with(&point, || {
            let mut v = data.clone();
            v.sort();
            v.len()
        });
        let t_unstable = timeit_with(&point, || {
            let mut v = data.clone();
            v.sort_unstable();
            v.len()
        });
        rows.push(SortRow {
            input: name.to_string(),
            rust_stable_ns: per(t_stable),
            rust_unstable_ns: per(t_unstable),
            python_ns: None,
        });
    }
    drop(inputs);
    let mut out = Sort {
        experiment: "sort".into(),
        n,
        rows,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: sorted() on the same inputs");
    let spec = serde_json::json!({
        "tasks": ["sort"],
        "sort_n": n,
        "seed": SEED,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH03, &spec, budget) {
        Ok(PyReply {
            python,
            sort: Some(py),
        }) => {
            for (row, sum) in out.rows.iter_mut().zip(&sums) {
                match py.iter().find(|p| p.input == row.input) {
                    Some(p) if p.checksum == *sum => row.python_ns = Some(p.ns_per_item),
                    Some(_) => out.unavailable.push(format!(
                        "CPython's sorted {} input differs from Rust's; not shown",
                        row.input
                    )),
                    None => out
                        .unavailable
                        .push(format!("CPython sent nothing for the {} input", row.input)),
                }
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no sort timings".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Sort {
    fn row(&self, input: &str) -> Option<&SortRow> {
        self.rows.iter().find(|r| r.input == input)
    }

    /// How many times faster a sort ran on `input` than on random data.
    pub fn gain(&self, input: &str, pick: Pick) -> Option<f64> {
        let random = pick(self.row("random")?)?;
        let here = pick(self.row(input)?)?;
        (here > 0.0).then(|| random / here)
    }

    /// The table: ns per item for each input and sort.
    pub fn table_html(&self) -> Html {
        let cell = |v: Option<f64>| v.map_or("—".to_string(), |x| fmt_sig(x, 3));
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.input.clone(),
                    cell(r.python_ns),
                    cell(Some(r.rust_stable_ns)),
                    cell(Some(r.rust_unstable_ns)),
                ]
            })
            .collect();
        Html(table(
            &[
                "input",
                "CPython sorted() ns/item",
                "Rust sort ns/item",
                "Rust sort_unstable ns/item",
            ],
            &rows,
        ))
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

/// Picks one sort's time out of a row.
type Pick = fn(&SortRow) -> Option<f64>;

/// The three sorts, as the chart and reading name them.
const SORTS: [(&str, Pick); 3] = [
    ("CPython sorted()", |r| r.python_ns),
    ("Rust sort", |r| Some(r.rust_stable_ns)),
    ("Rust sort_unstable", |r| Some(r.rust_unstable_ns)),
];

impl Outcome for Sort {
    fn name(&self) -> &str {
        "sort"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "timsort_sorted_gain",
                "sorted() on sorted data, × faster than on random",
                self.gain("sorted", |r| r.python_ns),
                "×",
                true,
            ),
            Headline::new(
                "rust_sort_random_ns",
                "Rust sort, random input, per item",
                self.row("random").map(|r| r.rust_stable_ns),
                "ns",
                false,
            ),
            Headline::new(
                "python_sort_random_ns",
                "CPython sorted(), random input, per item",
                self.row("random").and_then(|r| r.python_ns),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut bars = Vec::new();
        for input in INPUTS.iter().skip(1) {
            for (name, pick) in SORTS {
                if let Some(g) = self.gain(input, pick) {
                    bars.push((format!("{name}, {input}"), g));
                }
            }
        }
        bar_chart(
            &format!(
                "What order in the data buys: {} items, speed-up over the same sort on random data",
                fmt_count(self.n as u64)
            ),
            "× faster than on random input",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        if let Some(r) = self.row("random") {
            s.push_str(&format!(
                "On {} random items Rust's sort took {} ns per item and sort_unstable {}",
                fmt_count(self.n as u64),
                fmt_sig(r.rust_stable_ns, 3),
                fmt_sig(r.rust_unstable_ns, 3)
            ));
            match r.python_ns {
                Some(p) => s.push_str(&format!(
                    "; CPython's sorted() {} ns, {}× Rust's sort{}.",
                    fmt_sig(p, 3),
                    fmt_sig(p / r.rust_stable_ns, 3),
                    if p > r.rust_stable_ns {
                        " (each comparison follows two pointers to int objects)"
                    } else {
                        ": here CPython's sort was not the slower one"
                    }
                )),
                None => s.push('.'),
            }
        }
        for (name, pick) in SORTS {
            let gains: Vec<String> = INPUTS
                .iter()
                .skip(1)
                .filter_map(|i| {
                    self.gain(i, pick)
                        .map(|g| format!("{i} {}×", fmt_sig(g, 2)))
                })
                .collect();
            if !gains.is_empty() {
                s.push_str(&format!(
                    " {name} against its random-input time: {}.",
                    gains.join(", ")
                ));
            }
        }
        // Which sort exploits existing runs most? Compare the nearly-sorted gains.
        let near: Vec<(&str, f64)> = SORTS
            .iter()
            .filter_map(|(n, p)| self.gain("nearly sorted", *p).map(|g| (*n, g)))
            .collect();
        if let Some((best, g)) = near.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)) {
            s.push_str(&format!(
                " On nearly sorted data {best} gained most ({}×){}.",
                fmt_sig(g, 2),
                if g < 1.5 {
                    ", and even that is little: a few swaps break the runs"
                } else {
                    ": it finds the long runs and merges them"
                }
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_start().to_string()
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} items, ns per item (copy of the input included)",
            fmt_count(self.n as u64)
        )?;
        writeln!(
            f,
            "{:<14} {:>16} {:>10} {:>14}",
            "input", "CPython sorted()", "Rust sort", "sort_unstable"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<14} {:>16} {:>10} {:>14}",
                r.input,
                r.python_ns.map_or("—".to_string(), |v| fmt_sig(v, 3)),
                fmt_sig(r.rust_stable_ns, 3),
                fmt_sig(r.rust_unstable_ns, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_are_what_their_names_say() {
        let inputs = sort_inputs(1000, SEED);
        let get = |n: &str| &inputs.iter().find(|(k, _)| *k == n).unwrap().1;
        let mut sorted = get("random").clone();
        sorted.sort_unstable();
        assert_eq!(get("sorted"), &sorted);
        assert!(get("reversed").windows(2).all(|w| w[0] >= w[1]));
        let out_of_place = get("nearly sorted")
            .iter()
            .zip(&sorted)
            .filter(|(a, b)| a != b)
            .count();
        assert!(out_of_place > 0 && out_of_place <= 20, "{out_of_place}");
        assert!(get("few distinct").iter().all(|&v| v < 100));
        assert!(get("random").iter().all(|&v| v < 1 << 30));
    }

    #[test]
    fn the_checksum_sees_order() {
        assert_ne!(checksum(&[1, 2, 3]), checksum(&[2, 1, 3]));
        assert_eq!(checksum(&[1, 2, 3]), 1 + 4 + 9);
    }
}
