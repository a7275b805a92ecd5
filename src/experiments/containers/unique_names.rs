//! `unique_names`: the book's phone book question — how many different
//! first names? — answered the book's two ways in the reader's CPython (a
//! list of names seen, scanned for each entry; a set) and four ways in
//! Rust (the same scan over a `Vec`, a `HashSet`, a `BTreeSet`, and sorting
//! then removing duplicates), for phone books of 100 entries to a million.
//! Both languages build the same phone book and must count the same names.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, series_keys, show, who};
use crate::kernels::rng::weyl_below;
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_count, fmt_sig};

/// The phone book of `n` entries: entry i is "First{j} Last{i}", with j
/// drawn from n / 2 first names.
pub fn phonebook(n: usize) -> Vec<(String, &'static str)> {
    let pool = (n / 2).max(1) as u64;
    (0..n as u64)
        .map(|i| {
            let j = weyl_below(i + 1, pool);
            (format!("First{j:07} Last{i:07}"), "555-555-5555")
        })
        .collect()
}

fn first_name(entry: &str) -> &str {
    entry.split_once(' ').map_or(entry, |(first, _)| first)
}

/// The book's first way: names seen kept in a list, scanned per entry.
pub fn unique_by_scan(book: &[(String, &str)]) -> usize {
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in book {
        let first = first_name(name);
        if !seen.contains(&first) {
            seen.push(first);
        }
    }
    seen.len()
}

/// A hash set of first names.
pub fn unique_by_hash(book: &[(String, &str)]) -> usize {
    book.iter()
        .map(|(name, _)| first_name(name))
        .collect::<HashSet<_>>()
        .len()
}

/// An ordered set (a B-tree) of first names.
pub fn unique_by_btree(book: &[(String, &str)]) -> usize {
    book.iter()
        .map(|(name, _)| first_name(name))
        .collect::<BTreeSet<_>>()
        .len()
}

/// All first names, sorted, duplicates removed.
pub fn unique_by_sort(book: &[(String, &str)]) -> usize {
    let mut names: Vec<&str> = book.iter().map(|(name, _)| first_name(name)).collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// One method at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniquePoint {
    /// "python" or "rust".
    pub language: String,
    /// "list", "set", "Vec scan", "HashSet", "BTreeSet", "sort + dedup".
    pub method: String,
    /// Entries in the phone book.
    pub entries: usize,
    /// Median ns per entry.
    pub ns_per_entry: f64,
}

/// The `unique_names` result. JSON: `points[{language, method, entries,
/// ns_per_entry}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniqueNames {
    /// Always "unique_names".
    pub experiment: String,
    /// Every method at every size it ran.
    pub points: Vec<UniquePoint>,
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
    unique_names: Option<Vec<PyRow>>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    method: String,
    entries: usize,
    unique: usize,
    ns_per_entry: f64,
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if two Rust methods count different names.
pub fn unique_names(machine: &Machine, budget: &Budget) -> Result<UniqueNames> {
    unique_names_with(machine, budget, None)
}

/// As [`unique_names`], with an explicit interpreter.
///
/// # Errors
/// As [`unique_names`].
pub fn unique_names_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<UniqueNames> {
    let top: usize = budget.level.pick(100_000, 1_000_000, 1_000_000);
    let sizes: Vec<usize> = (4..=12)
        .map(|k| 10f64.powf(k as f64 / 2.0).round() as usize)
        .filter(|&n| n <= top)
        .collect();
    // The scans are quadratic: stop them where one call takes seconds.
    let rust_scan_cap = budget.level.pick(10_000, 31_623, 31_623);
    let python_scan_cap = budget.level.pick(3_162, 10_000, 10_000);
    // Each entry's name string (~24 bytes) plus the set's copy of pointers.
    budget.check_alloc(machine, "unique_names' largest phone book", top as u64 * 96)?;
    let mut progress = Progress::new("unique_names", sizes.len() + 1);
    let point = budget.per_point();
    let mut points = Vec::new();
    let mut counts = Vec::new();
    type Method = fn(&[(String, &str)]) -> usize;
    let methods: [(&str, Method, Option<usize>); 4] = [
        ("Vec scan", unique_by_scan, Some(rust_scan_cap)),
        ("HashSet", unique_by_hash, None),
        ("BTreeSet", unique_by_btree, None),
        ("sort + dedup", unique_by_sort, None),
    ];
    for &n in &sizes {
        progress.step(&format!("Rust, {} entries", fmt_count(n as u64)));
        let book = phonebook(n);
        let want = unique_by_sort(&book);
        counts.push((n, want));
        for (name, f, cap) in methods {
            if cap.is_some_and(|c| n > c) {
                continue;
            }
            let got = f(&book);
            if got != want {
                return Err(Error::bad_input(format!(
                    "unique_names: {name} counted {got} names where sorting counts {want}"
                )));
            }
            let t = timeit_with(&point, || f(black_box(&book)));
            points.push(UniquePoint {
                language: "rust".into(),
                method: name.into(),
                entries: n,
                ns_per_entry: t.median_s * 1e9 / n as f64,
            });
        }
    }
    let mut out = UniqueNames {
        experiment: "unique_names".into(),
        points,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: a list of names seen, and a set");
    let spec = serde_json::json!({
        "tasks": ["unique_names"],
        "sizes": sizes,
        "list_cap": python_scan_cap,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            unique_names: Some(rows),
        }) => {
            for r in rows {
                match counts.iter().find(|(n, _)| *n == r.entries) {
                    Some(&(_, want)) if want == r.unique => out.points.push(UniquePoint {
                        language: "python".into(),
                        method: r.method,
                        entries: r.entries,
                        ns_per_entry: r.ns_per_entry,
                    }),
                    _ => out.unavailable.push(format!(
                        "CPython's {} counted {} names in {} entries, not Rust's count; not shown",
                        r.method, r.unique, r.entries
                    )),
                }
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no phone book counts".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl UniqueNames {
    fn series(&self) -> Vec<(String, String)> {
        series_keys(
            self.points
                .iter()
                .map(|p| (p.language.as_str(), p.method.as_str())),
        )
    }

    fn at(&self, language: &str, method: &str, entries: usize) -> Option<f64> {
        self.points
            .iter()
            .find(|p| p.language == language && p.method == method && p.entries == entries)
            .map(|p| p.ns_per_entry)
    }

    fn largest(&self, language: &str, method: &str) -> Option<&UniquePoint> {
        self.points
            .iter()
            .filter(|p| p.language == language && p.method == method)
            .max_by_key(|p| p.entries)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for UniqueNames {
    fn name(&self) -> &str {
        "unique_names"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "python_set_ns_per_entry",
                "CPython set of first names, per entry (largest book)",
                self.largest("python", "set").map(|p| p.ns_per_entry),
                "ns",
                false,
            ),
            Headline::new(
                "rust_hashset_ns_per_entry",
                "Rust HashSet of first names, per entry (largest book)",
                self.largest("rust", "HashSet").map(|p| p.ns_per_entry),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let series: Vec<XySeries> = self
            .series()
            .into_iter()
            .map(|(lang, method)| XySeries {
                label: format!("{} {method}", who(&lang)),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.language == lang && p.method == method)
                    .map(|p| (p.entries as f64, p.ns_per_entry))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        xy_chart(&XyChart {
            title: "Counting the different first names in a phone book",
            x_label: "entries in the phone book (half as many different first names)",
            y_label: "ns per entry (median)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, who, scan, noun, set) in [
            ("python", "CPython", "list", "list", "set"),
            ("rust", "Rust", "Vec scan", "Vec", "HashSet"),
        ] {
            let (Some(l), Some(h)) = (self.largest(lang, scan), self.largest(lang, set)) else {
                continue;
            };
            let small = self
                .points
                .iter()
                .filter(|p| p.language == lang && p.method == scan)
                .min_by_key(|p| p.entries);
            let grow = small
                .filter(|sm| sm.entries < l.entries)
                .map(|sm| l.ns_per_entry / sm.ns_per_entry);
            s.push_str(&format!(
                "{who}: scanning a {noun} of names seen cost {} ns per entry at {} entries{}, the {set} {} ns",
                fmt_sig(l.ns_per_entry, 3),
                fmt_count(l.entries as u64),
                grow.map_or(String::new(), |g| format!(
                    " ({}× its cost per entry at {}{})",
                    fmt_sig(g, 2),
                    fmt_count(small.map_or(0, |s| s.entries) as u64),
                    if g > 1.5 {
                        ": the scan grows with the names already seen"
                    } else {
                        ": at these sizes the scan's growth did not show"
                    }
                )),
                self.at(lang, set, l.entries).map_or("—".into(), |v| fmt_sig(v, 3))
            ));
            let versus = self.at(lang, set, l.entries).map_or(String::new(), |v| {
                if v < l.ns_per_entry {
                    format!(" ({}× faster)", fmt_sig(l.ns_per_entry / v, 3))
                } else {
                    format!(
                        " ({}× slower: at this size the scan still won)",
                        fmt_sig(v / l.ns_per_entry, 3)
                    )
                }
            });
            s.push_str(&format!(
                "{versus}, and {} ns per entry at {} entries. ",
                fmt_sig(h.ns_per_entry, 3),
                fmt_count(h.entries as u64)
            ));
        }
        if let (Some(h), Some(b), Some(so)) = (
            self.largest("rust", "HashSet"),
            self.largest("rust", "BTreeSet"),
            self.largest("rust", "sort + dedup"),
        ) {
            let mut ranked = [
                ("HashSet", h.ns_per_entry),
                ("BTreeSet", b.ns_per_entry),
                ("sort + dedup", so.ns_per_entry),
            ];
            ranked.sort_by(|x, y| x.1.total_cmp(&y.1));
            s.push_str(&format!(
                "At {} entries Rust's fastest way was {} ({} ns per entry), then {} ({}) and {} ({}). ",
                fmt_count(h.entries as u64),
                ranked[0].0,
                fmt_sig(ranked[0].1, 3),
                ranked[1].0,
                fmt_sig(ranked[1].1, 3),
                ranked[2].0,
                fmt_sig(ranked[2].1, 3)
            ));
        }
        if let (Some(p), Some(r)) = (
            self.largest("python", "set"),
            self.largest("rust", "HashSet"),
        ) && p.entries == r.entries
        {
            s.push_str(&format!(
                "CPython's set took {}× Rust's HashSet per entry{}.",
                fmt_sig(p.ns_per_entry / r.ns_per_entry, 3),
                if p.ns_per_entry > r.ns_per_entry {
                    " (splitting each name makes new string objects)"
                } else {
                    ": here CPython's was not the slower one"
                }
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for UniqueNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<14} {:>10} {:>12}",
            "language", "method", "entries", "ns/entry"
        )?;
        for p in &self.points {
            writeln!(
                f,
                "{:<8} {:<14} {:>10} {:>12}",
                p.language,
                p.method,
                p.entries,
                fmt_sig(p.ns_per_entry, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_counts_the_same_names() {
        for n in [1, 2, 10, 101, 1000] {
            let book = phonebook(n);
            let want = unique_by_sort(&book);
            assert!(want >= 1 && want <= n);
            assert_eq!(unique_by_scan(&book), want);
            assert_eq!(unique_by_hash(&book), want);
            assert_eq!(unique_by_btree(&book), want);
        }
        assert_eq!(first_name("First0000001 Last0000002"), "First0000001");
        // As Python computes it: half as many first names as entries.
        assert_eq!(unique_by_sort(&phonebook(1000)), 500);
    }
}
