//! `search`: finding a value in a sorted list, from ten elements to ten
//! million. The book's contrast — a linear scan (`list.index`, `in`)
//! against binary search (`bisect`) — in the reader's CPython and in Rust,
//! and beyond the book two binary searches written for the hardware: one
//! without branches and one over the cache-friendly Eytzinger layout.
//! Both languages search for the same needles (half present, half absent)
//! and must give the same answers before any time is shown.

use std::hint::black_box;

use serde::Deserialize;

use crate::error::{Error, Fact, Result};
use crate::experiments::Sweep;
use crate::experiments::outcome::Headline;
use crate::kernels::rng::weyl_below;
use crate::kernels::search::{
    Eytzinger, branchless, even_haystack, linear_find, lower_bound_reference, lower_bounds_sum,
    std_binary,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH03, run_chapter_script};
use crate::measure::plan::cache_markers;
use crate::measure::{Budget, Progress, count, timeit_with};
use crate::plot::Series;
use crate::units::{fmt_bytes, fmt_count, fmt_sig};

/// `count` needles present in the even haystack of `n` values (the Weyl
/// sequence of [`weyl_below`], as `python/ch03_lists_tuples.py` draws them).
pub fn present_needles(n: usize, count: usize) -> Vec<u64> {
    (1..=count as u64)
        .map(|i| 2 * weyl_below(i, n as u64))
        .collect()
}

/// Haystack sizes: 10 to 10⁷ elements in steps of √10 (the budget caps the
/// top: 10⁶ quick).
pub fn sizes(budget: &Budget) -> Vec<usize> {
    let top = budget.level.pick(6, 7, 7);
    (2..=2 * top)
        .map(|k| 10f64.powf(k as f64 / 2.0).round() as usize)
        .collect()
}

/// Series names, in drawing order.
pub const SERIES: [&str; 8] = [
    "Rust linear, present (iter().position)",
    "Rust linear, absent",
    "Rust binary (std partition_point)",
    "Rust binary, branch-free",
    "Rust binary, Eytzinger layout",
    "CPython list.index, present",
    "CPython `in`, absent",
    "CPython bisect_left",
];

#[derive(Debug, Deserialize)]
struct PyReply {
    search: Option<Vec<PyRow>>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    n: usize,
    binary_lookups: usize,
    linear_lookups: usize,
    bisect_sum: u64,
    index_sum: u64,
    in_found: u64,
    bisect_ns: f64,
    index_ns: f64,
    in_ns: f64,
}

/// Run the sweep.
///
/// # Errors
/// [`Error::TooBig`] when the largest haystack (and its Eytzinger copy)
/// would not fit in memory; [`Error::BadInput`] if any Rust search
/// disagrees with the reference.
pub fn search(machine: &Machine, budget: &Budget) -> Result<Sweep> {
    search_with(machine, budget, None)
}

/// As [`search`], with an explicit interpreter.
///
/// # Errors
/// As [`search`].
pub fn search_with(machine: &Machine, budget: &Budget, interpreter: Option<&str>) -> Result<Sweep> {
    let sizes = sizes(budget);
    let largest = sizes.last().copied().unwrap_or(10);
    // The haystack, its Eytzinger copy and ranks.
    budget.check_alloc(
        machine,
        "search's largest haystack",
        largest as u64 * (8 + 8 + 4),
    )?;
    let mut series: Vec<Series> = SERIES
        .iter()
        .map(|n| Series {
            label: n.to_string(),
            points: Vec::new(),
        })
        .collect();
    let point = budget.per_point();
    let binary_lookups = 1usize << 14;
    let mut progress = Progress::new("search", sizes.len() + 1);
    let mut misses: Fact<f64> = Fact::unavailable("not measured");
    for &n in &sizes {
        progress.step(&format!("{n} elements"));
        let bytes = n as u64 * 8;
        let haystack = even_haystack(n);
        let present = present_needles(n, binary_lookups / 2);
        let mixed: Vec<u64> = present
            .iter()
            .copied()
            .chain(present.iter().map(|x| x + 1))
            .collect();
        // Check: the first needles against the reference scan, then every
        // variant's whole batch against std's.
        for &x in mixed.iter().step_by(mixed.len() / 16) {
            if std_binary(&haystack, x) != lower_bound_reference(&haystack, x) {
                return Err(Error::bad_input(format!(
                    "search: std's binary search is wrong at n={n}"
                )));
            }
        }
        let eytz = Eytzinger::new(&haystack);
        let want = lower_bounds_sum(&mixed, |x| std_binary(&haystack, x));
        for (name, got) in [
            (
                "branch-free",
                lower_bounds_sum(&mixed, |x| branchless(&haystack, x)),
            ),
            (
                "Eytzinger",
                lower_bounds_sum(&mixed, |x| eytz.lower_bound(x)),
            ),
        ] {
            if got != want {
                return Err(Error::bad_input(format!(
                    "search: the {name} search's answers sum to {got}, not {want}, at n={n}"
                )));
            }
        }
        let per = |t: crate::measure::Timing, count: usize| t.median_s * 1e9 / count as f64;
        // Linear: enough lookups to scan ~2·10⁷ elements per call.
        let k = (20_000_000 / n).clamp(4, 4096);
        let wanted = present_needles(n, k);
        let positions: u64 = wanted.iter().map(|x| x / 2).sum();
        let found: u64 = wanted
            .iter()
            .filter_map(|&x| linear_find(&haystack, x))
            .map(|i| i as u64)
            .sum();
        if found != positions {
            return Err(Error::bad_input(format!(
                "search: the linear scan found the wrong positions at n={n}"
            )));
        }
        let t = timeit_with(&point, || {
            wanted
                .iter()
                .filter_map(|&x| linear_find(black_box(&haystack), x))
                .sum::<usize>()
        });
        series[0].points.push((bytes, per(t, k)));
        let t = timeit_with(&point, || {
            wanted
                .iter()
                .filter(|&&x| linear_find(black_box(&haystack), x + 1).is_some())
                .count()
        });
        series[1].points.push((bytes, per(t, k)));
        let t = timeit_with(&point, || {
            lower_bounds_sum(&mixed, |x| std_binary(black_box(&haystack), x))
        });
        series[2].points.push((bytes, per(t, mixed.len())));
        let t = timeit_with(&point, || {
            lower_bounds_sum(&mixed, |x| branchless(black_box(&haystack), x))
        });
        series[3].points.push((bytes, per(t, mixed.len())));
        let t = timeit_with(&point, || {
            lower_bounds_sum(&mixed, |x| black_box(&eytz).lower_bound(x))
        });
        series[4].points.push((bytes, per(t, mixed.len())));
        if n == largest {
            let (_, c) = count(|| lower_bounds_sum(&mixed, |x| std_binary(&haystack, x)));
            misses = c.map(|c| c.cache_misses as f64 / mixed.len() as f64);
        }
    }

    progress.step("CPython: list.index, in, bisect_left");
    let py_top = budget.level.pick(1_000_000, 1_000_000, 10_000_000);
    let py_sizes: Vec<usize> = sizes.iter().copied().filter(|&n| n <= py_top).collect();
    let spec = serde_json::json!({
        "tasks": ["search"],
        "sizes": py_sizes,
        "binary_lookups": budget.level.pick(4_000, 20_000, 20_000),
        "linear_elements": budget.level.pick(1_000_000, 4_000_000, 10_000_000),
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
    });
    let python = match run_chapter_script::<PyReply>(interpreter, CH03, &spec, budget) {
        Ok(PyReply { search: Some(rows) }) if !rows.is_empty() => {
            let mut wrong = None;
            for r in &rows {
                let present = present_needles(r.n, r.binary_lookups / 2);
                let mixed: Vec<u64> = present
                    .iter()
                    .copied()
                    .chain(present.iter().map(|x| x + 1))
                    .collect();
                let want_bisect: u64 = mixed.iter().map(|&x| x.div_ceil(2).min(r.n as u64)).sum();
                let want_index: u64 = present_needles(r.n, r.linear_lookups)
                    .iter()
                    .map(|x| x / 2)
                    .sum();
                if r.bisect_sum != want_bisect || r.index_sum != want_index || r.in_found != 0 {
                    wrong = Some(r.n);
                    break;
                }
                let bytes = r.n as u64 * 8;
                series[5].points.push((bytes, r.index_ns));
                series[6].points.push((bytes, r.in_ns));
                series[7].points.push((bytes, r.bisect_ns));
            }
            match wrong {
                Some(n) => {
                    for s in &mut series[5..] {
                        s.points.clear();
                    }
                    Err(format!(
                        "CPython's answers at {n} elements differ from Rust's; not shown"
                    ))
                }
                None => Ok(()),
            }
        }
        Ok(_) => Err("the interpreter sent no search timings".to_string()),
        Err(why) => Err(why),
    };
    let markers = cache_markers(machine);
    let llc = markers.iter().map(|m| m.size_bytes).max();
    let reading = reading_from(&series, llc, &misses, python.err().as_deref());
    // A language that did not run has no lines (and no legend entries).
    series.retain(|s| !s.points.is_empty());
    let headlines = headlines_from(&series);
    Ok(Sweep {
        experiment: "search".into(),
        title: "Finding a value in a sorted list: linear scan vs binary search".into(),
        x_label: "haystack (bytes of Rust's 8-byte values; a Python list of n ints, log scale)"
            .into(),
        y_label: "ns per lookup (median of runs)".into(),
        log_y: true,
        series,
        markers,
        reading,
        budget: budget.level.to_string(),
        headlines,
    })
}

/// The club's figures from a `search` sweep (series named as in
/// [`SERIES`]), at the largest haystack each pair shares.
pub fn headlines_from(series: &[Series]) -> Vec<Headline> {
    let last = |name: &str| {
        series
            .iter()
            .find(|s| s.label == name)
            .and_then(|s| s.points.last().copied())
    };
    // a's largest size, against b at that same size.
    let ratio = |a: &str, b: &str| {
        let (x, ya) = last(a)?;
        let yb = series
            .iter()
            .find(|s| s.label == b)?
            .points
            .iter()
            .find(|p| p.0 == x)?
            .1;
        Some(ya / yb)
    };
    [
        Headline::new(
            "rust_binary_search_ns",
            "Rust binary search (partition_point), largest haystack",
            last(SERIES[2]).map(|p| p.1),
            "ns",
            false,
        ),
        Headline::new(
            "eytzinger_speedup",
            "Eytzinger layout: std's binary search time ÷ its own, largest haystack",
            ratio(SERIES[2], SERIES[4]),
            "×",
            true,
        ),
        Headline::new(
            "python_bisect_vs_rust",
            "CPython bisect_left ÷ Rust binary search, largest size both ran",
            ratio(SERIES[7], SERIES[2]),
            "×",
            false,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The reading of a `search` sweep: `series` in [`SERIES`] order, the
/// last-level cache's size, the measured cache misses per binary lookup
/// at the largest size (or why not), and why CPython's rows are missing.
pub fn reading_from(
    series: &[Series],
    llc_bytes: Option<u64>,
    misses: &Fact<f64>,
    python: Option<&str>,
) -> String {
    let at = |i: usize, bytes: u64| {
        series
            .get(i)
            .and_then(|s| s.points.iter().find(|p| p.0 == bytes))
            .map(|p| p.1)
    };
    let Some(&(top, std_top)) = series.get(2).and_then(|s| s.points.last()) else {
        return "No sizes were measured.".to_string();
    };
    let n = |bytes: u64| fmt_count(bytes / 8);
    let mut s = String::new();
    // Where does the scan stop winning?
    let scan_wins: Vec<u64> = series[2]
        .points
        .iter()
        .filter(|&&(b, t)| at(0, b).is_some_and(|lin| lin < t))
        .map(|p| p.0)
        .collect();
    match scan_wins.last() {
        Some(&b) => s.push_str(&format!(
            "A linear scan for a present value beat binary search up to {} elements (a short scan streams through a cache line or two, while each step of a binary search waits for the comparison before it)",
            n(b)
        )),
        None => s.push_str("Binary search beat the linear scan at every size measured, even the smallest"),
    }
    if let Some(lin) = at(0, top) {
        s.push_str(&format!(
            "; at {} elements it was {}× faster ({} ns against {} ns per lookup).",
            n(top),
            fmt_sig(lin / std_top, 3),
            fmt_sig(std_top, 3),
            fmt_sig(lin, 3)
        ));
    } else {
        s.push('.');
    }
    // Branch-free and Eytzinger against std, small and large.
    let first = series[2].points.first().map(|p| p.0).unwrap_or(top);
    for (i, name) in [(3, "The branch-free search"), (4, "The Eytzinger layout")] {
        if let (Some(small), Some(big), Some(std_small)) = (at(i, first), at(i, top), at(2, first))
        {
            let speed = |mine: f64, theirs: f64| {
                if (mine / theirs - 1.0).abs() < 0.05 {
                    "about as fast as std's".to_string()
                } else if mine < theirs {
                    format!("{}× faster than std's", fmt_sig(theirs / mine, 2))
                } else {
                    format!("{}× slower than std's", fmt_sig(mine / theirs, 2))
                }
            };
            s.push_str(&format!(
                " {name} was {} at {} elements and {} at {}.",
                speed(small, std_small),
                n(first),
                speed(big, std_top),
                n(top)
            ));
        }
    }
    if let Some(llc) = llc_bytes.filter(|&l| top > l) {
        let levels = (top as f64 / llc as f64).log2();
        s.push_str(&format!(
            " The largest haystack ({}) is {}× the last-level cache, so about the last {} of a binary search's {} steps miss it",
            fmt_bytes(top),
            fmt_sig(top as f64 / llc as f64, 2),
            fmt_sig(levels, 2),
            fmt_sig(((top / 8) as f64).log2(), 2)
        ));
        match misses {
            Fact::Known(m) => s.push_str(&format!(
                " (counted: {} cache misses per lookup).",
                fmt_sig(*m, 2)
            )),
            Fact::Unavailable(u) => s.push_str(&format!(
                " (an estimate: cache misses cannot be counted here, {}).",
                u.reason()
            )),
        }
    }
    let py = |i: usize| series.get(i).and_then(|s| s.points.last()).copied();
    match (py(7), python) {
        (Some((b, bis)), _) => {
            if let Some(r) = at(2, b) {
                s.push_str(&format!(
                    " CPython's bisect_left took {} ns per lookup at {} elements, {}× Rust's binary search",
                    fmt_sig(bis, 3),
                    n(b),
                    fmt_sig(bis / r, 3)
                ));
            }
            if let (Some((_, idx)), Some(lin)) = (py(5), at(0, b)) {
                s.push_str(&format!(
                    "; its list.index scan {}× Rust's scan{}",
                    fmt_sig(idx / lin, 3),
                    if idx > lin {
                        " (each comparison is a call on two int objects)"
                    } else {
                        ", no slower here"
                    }
                ));
            }
            s.push('.');
        }
        (None, Some(why)) => s.push_str(&format!(" CPython: unavailable ({why}).")),
        (None, None) => {}
    }
    s
}
