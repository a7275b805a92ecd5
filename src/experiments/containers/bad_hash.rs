//! `bad_hash`: the book's experiment on what a hash function is worth. The
//! 676 two-letter keys "aa" … "zz" go into a set three times — with a hash
//! that is the same for every key, with a perfect hash for these keys, and
//! with the language's own hash — and every key is looked up in each; a
//! list scanned per lookup is the baseline. In the reader's CPython (`str`
//! subclasses with their own `__hash__`) and in Rust (`HashSet` with a
//! `BuildHasher` of each kind). Every table must find all 676 keys before
//! it is timed.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show, who};
use crate::kernels::hashing::{
    Constant, TwoLetter, TwoLetters, count_found, count_found_reference, two_letter_keys,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// One table's lookups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashRow {
    /// "python" or "rust".
    pub language: String,
    /// Which table: "constant", "perfect", "default" or "list".
    pub table: String,
    /// Its description.
    pub label: String,
    /// Median ns per lookup, over all the keys.
    pub ns_per_lookup: f64,
}

/// The `bad_hash` result. JSON: `keys` (676), `rows[{language, table,
/// label, ns_per_lookup}]` (`table`: `constant`, `perfect`, `default`,
/// `list`), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadHash {
    /// Always "bad_hash".
    pub experiment: String,
    /// Keys in every table.
    pub keys: usize,
    /// Rust's rows first, then CPython's.
    pub rows: Vec<HashRow>,
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
    bad_hash: Option<PyBadHash>,
}

#[derive(Debug, Deserialize)]
struct PyBadHash {
    keys: usize,
    rows: Vec<PyRow>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    table: String,
    found: usize,
    ns_per_lookup: f64,
}

/// The short name of a table from its description (both languages use the
/// same four, in the same order).
const TABLES: [&str; 4] = ["constant", "perfect", "default", "list"];

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust table does not find every key.
pub fn bad_hash(machine: &Machine, budget: &Budget) -> Result<BadHash> {
    bad_hash_with(machine, budget, None)
}

/// As [`bad_hash`], with an explicit interpreter.
///
/// # Errors
/// As [`bad_hash`].
pub fn bad_hash_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<BadHash> {
    let mut progress = Progress::new("bad_hash", 2);
    progress.step("Rust: HashSet with a constant, a perfect and SipHash; a Vec scan");
    let keys = two_letter_keys();
    let n = keys.len();
    let point = budget.per_point();
    let mut rows = Vec::new();
    fn timed_set<S: BuildHasher + Default>(
        keys: &[TwoLetters],
        point: &Budget,
        what: &str,
    ) -> Result<f64> {
        let table: HashSet<TwoLetters, S> = keys.iter().copied().collect();
        let found = count_found(&table, keys);
        if found != keys.len() {
            return Err(Error::bad_input(format!(
                "bad_hash: the {what} table found {found} of {} keys",
                keys.len()
            )));
        }
        let t = timeit_with(point, || count_found(black_box(&table), black_box(keys)));
        Ok(t.median_s * 1e9 / keys.len() as f64)
    }
    let rust = |table: &str, label: &str, ns: f64| HashRow {
        language: "rust".into(),
        table: table.into(),
        label: label.into(),
        ns_per_lookup: ns,
    };
    rows.push(rust(
        "constant",
        "HashSet, constant hash (every key collides)",
        timed_set::<Constant>(&keys, &point, "constant")?,
    ));
    rows.push(rust(
        "perfect",
        "HashSet, two-letter perfect hash",
        timed_set::<TwoLetter>(&keys, &point, "perfect")?,
    ));
    rows.push(rust(
        "default",
        "HashSet, std's SipHash-1-3",
        timed_set::<RandomState>(&keys, &point, "SipHash")?,
    ));
    if count_found_reference(&keys, &keys) != n {
        return Err(Error::bad_input(
            "bad_hash: the scan did not find every key",
        ));
    }
    let t = timeit_with(&point, || {
        count_found_reference(black_box(&keys), black_box(&keys))
    });
    rows.push(rust(
        "list",
        "Vec, scanned per lookup",
        t.median_s * 1e9 / n as f64,
    ));

    let mut out = BadHash {
        experiment: "bad_hash".into(),
        keys: n,
        rows,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: set with __hash__ returning 42, a perfect __hash__, str's own; a list");
    let spec = serde_json::json!({
        "tasks": ["bad_hash"],
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
    });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            bad_hash: Some(py),
        }) if py.keys == n && py.rows.len() == TABLES.len() => {
            for (row, table) in py.rows.into_iter().zip(TABLES) {
                if row.found != n {
                    out.unavailable.push(format!(
                        "CPython's {} found {} of {n} keys; not shown",
                        row.table, row.found
                    ));
                    continue;
                }
                out.rows.push(HashRow {
                    language: "python".into(),
                    table: table.into(),
                    label: row.table,
                    ns_per_lookup: row.ns_per_lookup,
                });
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no lookups".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl BadHash {
    fn ns(&self, language: &str, table: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.table == table)
            .map(|r| r.ns_per_lookup)
    }

    /// How many times slower the constant hash made a lookup than the
    /// language's own hash.
    pub fn collision_slowdown(&self, language: &str) -> Option<f64> {
        Some(self.ns(language, "constant")? / self.ns(language, "default")?)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for BadHash {
    fn name(&self) -> &str {
        "bad_hash"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "python_constant_hash_slowdown",
                "CPython: a constant __hash__, × slower lookups",
                self.collision_slowdown("python"),
                "×",
                false,
            ),
            Headline::new(
                "rust_constant_hash_slowdown",
                "Rust: a constant hasher, × slower lookups",
                self.collision_slowdown("rust"),
                "×",
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
            .map(|r| {
                let who = who(&r.language);
                (format!("{who}: {}", r.label), r.ns_per_lookup)
            })
            .collect();
        bar_chart(
            &format!(
                "Looking up each of {} two-letter keys, by hash function",
                self.keys
            ),
            "ns per lookup (median)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, who, own) in [
            ("python", "CPython", "str's own hash"),
            ("rust", "Rust", "SipHash"),
        ] {
            let (Some(c), Some(p), Some(d), Some(l)) = (
                self.ns(lang, "constant"),
                self.ns(lang, "perfect"),
                self.ns(lang, "default"),
                self.ns(lang, "list"),
            ) else {
                continue;
            };
            s.push_str(&format!(
                "{who}: with every key colliding a lookup took {} ns, {}× {own} ({} ns){}; the perfect hash took {} ns ({}). ",
                fmt_sig(c, 3),
                fmt_sig(c / d, 3),
                fmt_sig(d, 3),
                if c > l {
                    format!(", slower even than scanning the list ({} ns): each probe also compares keys", fmt_sig(l, 3))
                } else {
                    format!(", about a scan of the colliding keys (the list scan took {} ns)", fmt_sig(l, 3))
                },
                fmt_sig(p, 3),
                if p < 0.95 * d {
                    format!("{}× faster than {own}: a cheaper hash, and no two keys share a slot", fmt_sig(d / p, 2))
                } else if p > 1.05 * d {
                    format!(
                        "{}× slower than {own}{}",
                        fmt_sig(p / d, 2),
                        if lang == "python" {
                            ": a __hash__ written in Python is a function call per lookup, while str caches its own hash"
                        } else {
                            ""
                        }
                    )
                } else {
                    format!("about the same as {own}")
                }
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for BadHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} two-letter keys, every one looked up", self.keys)?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<50} {:>10} ns",
                r.language,
                r.label,
                fmt_sig(r.ns_per_lookup, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
