//! `pointers`: the same floats summed four ways, from L1-sized to beyond the
//! caches — contiguous (`Vec<f64>`, a numpy array), one box each allocated
//! in order (a fresh Python list of floats), the same boxes visited in a
//! shuffled order (a list after the heap has been churned), and a linked
//! list in random order (each address known only after the last load).

use std::hint::black_box;

use crate::error::Result;
use crate::experiments::Sweep;
use crate::kernels::memory::{BOXED_BYTES_PER_ELEMENT, make_boxed, make_f64, sum_boxed, sum_f64};
use crate::kernels::pointers::{LinkedList, make_boxed_shuffled};
use crate::machine::Machine;
use crate::measure::cpython::{PyLayout, PyOutput, run_python};
use crate::measure::plan::{cache_markers, size_steps};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::Series;
use crate::units::{fmt_bytes, fmt_sig};

/// Run the sweep. Sizes are bytes of float data (8 per element), from
/// 4 KiB to past the last-level cache, capped by the budget.
///
/// # Errors
/// [`crate::Error::TooBig`] when the largest size would not fit in memory.
pub fn pointers(machine: &Machine, budget: &Budget) -> Result<Sweep> {
    let top = crate::measure::plan::beyond_caches(machine, budget);
    let factor = budget.level.pick(8, 4, 4);
    let sizes = size_steps(4 << 10, top, factor);
    let largest = sizes.last().copied().unwrap_or(top);
    budget.check_alloc(
        machine,
        "pointers' largest working set",
        largest / 8 * BOXED_BYTES_PER_ELEMENT,
    )?;
    let names = [
        "Vec<f64> (a numpy array)",
        "boxes in order (a fresh list)",
        "boxes shuffled (a churned list)",
        "linked list, random order",
    ];
    let mut series: Vec<Series> = names
        .iter()
        .map(|n| Series {
            label: n.to_string(),
            points: Vec::new(),
        })
        .collect();
    let point = budget.per_point();
    let mut progress = Progress::new("pointers", sizes.len() + 1);
    for &size in &sizes {
        progress.step(&fmt_bytes(size));
        let n = (size / 8) as usize;
        let per = |t: crate::measure::Timing| t.median_s * 1e9 / n as f64;
        let v = make_f64(n)?;
        let want = reference_sum(n as u64);
        let checked = |got: f64, layout: &str| {
            if got == want {
                Ok(())
            } else {
                Err(crate::Error::bad_input(format!(
                    "pointers: the {layout} sum gave {got}, not the reference {want}"
                )))
            }
        };
        checked(sum_f64(&v), "contiguous")?;
        series[0]
            .points
            .push((size, per(timeit_with(&point, || sum_f64(black_box(&v))))));
        drop(v);
        let b = make_boxed(n)?;
        checked(sum_boxed(&b), "boxed")?;
        series[1]
            .points
            .push((size, per(timeit_with(&point, || sum_boxed(black_box(&b))))));
        drop(b);
        let s = make_boxed_shuffled(n, 7)?;
        checked(sum_boxed(&s), "shuffled")?;
        series[2]
            .points
            .push((size, per(timeit_with(&point, || sum_boxed(black_box(&s))))));
        drop(s);
        // Each node is one dependent miss past the caches: walk at most
        // 2^20 of them per call (over the whole list) to keep calls short.
        let l = LinkedList::shuffled(n, 7);
        let steps = n.min(1 << 20);
        let t = timeit_with(&point, || black_box(&l).walk(steps));
        series[3]
            .points
            .push((size, t.median_s * 1e9 / steps as f64));
    }
    // The same question in the reader's CPython: a list's floats summed as
    // allocated, then shuffled (sizes up to the budget's cap: building a
    // list of millions of floats takes CPython seconds).
    progress.step("CPython: a fresh list vs the same list shuffled");
    let cap = budget.level.pick(1u64 << 20, 4 << 20, 16 << 20);
    let layout_n: Vec<u64> = sizes.iter().map(|s| s / 8).filter(|&n| n <= cap).collect();
    let spec = serde_json::json!({
        "tasks": ["layout"],
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
        "layout_n": layout_n,
    });
    let python = match run_python(None, &spec, budget) {
        // The values are i % 1024 for i < n: small integers, so every
        // order sums exactly to the same reference the Rust sums give.
        Ok(PyOutput {
            layout: Some(rows), ..
        }) if !rows.is_empty()
            && rows.iter().all(|r| {
                let want = reference_sum(r.elements);
                r.fresh_sum == want && r.shuffled_sum == want
            }) =>
        {
            let line = |label: &str, pick: fn(&PyLayout) -> f64| Series {
                label: label.to_string(),
                points: rows
                    .iter()
                    .map(|r| (r.elements * 8, pick(r) / r.elements as f64))
                    .collect(),
            };
            series.push(line("CPython sum(), fresh list", |r| r.fresh_ns));
            series.push(line("CPython sum(), shuffled list", |r| r.shuffled_ns));
            Ok(())
        }
        Ok(PyOutput {
            layout: Some(rows), ..
        }) if !rows.is_empty() => Err(
            "CPython's sums differ from the reference sum of the same floats; not shown"
                .to_string(),
        ),
        Ok(_) => Err("the interpreter sent no layout timings".to_string()),
        Err(why) => Err(why),
    };
    let reading = reading_from(&series, python.err().as_deref());
    Ok(Sweep {
        experiment: "pointers".into(),
        title: "The same floats behind pointers: contiguous, boxed, shuffled, linked".into(),
        x_label: "working set (bytes of f64 data, log scale)".into(),
        y_label: "ns per element (median of runs)".into(),
        log_y: true,
        series,
        markers: cache_markers(machine),
        reading,
        budget: budget.level.to_string(),
        headlines: Vec::new(),
    })
}

/// The exact sum of `i % 1024` for `i < n` (the values of
/// [`make_f64`]): the answer both languages must give before their timings
/// are shown.
pub fn reference_sum(n: u64) -> f64 {
    let full = n / 1024;
    let rest = n % 1024;
    (full * (1023 * 1024 / 2) + rest * rest.saturating_sub(1) / 2) as f64
}

/// The reading of a `pointers` sweep: `series` in the order the experiment
/// draws them (contiguous, boxes in order, boxes shuffled, linked list,
/// then CPython's fresh and shuffled lists when they came back), and why
/// CPython's did not, if they did not.
pub fn reading_from(series: &[Series], python_unavailable: Option<&str>) -> String {
    let last = |i: usize| series.get(i).and_then(|s| s.points.last()).copied();
    let first = |i: usize| series.get(i).and_then(|s| s.points.first()).copied();
    let (Some(v), Some(b), Some(s), Some(l), Some(v0), Some(s0)) =
        (last(0), last(1), last(2), last(3), first(0), first(2))
    else {
        return "No sizes were measured.".to_string();
    };
    let mut out = format!(
        "At {} the contiguous sum takes {} ns per element; boxes in allocation order {} ns ({}×), the same boxes shuffled {} ns ({}×) and the linked list {} ns ({}×).",
        fmt_bytes(v.0),
        fmt_sig(v.1, 3),
        fmt_sig(b.1, 3),
        fmt_sig(b.1 / v.1, 3),
        fmt_sig(s.1, 3),
        fmt_sig(s.1 / v.1, 3),
        fmt_sig(l.1, 3),
        fmt_sig(l.1 / v.1, 3),
    );
    let in_l1 = s0.1 / v0.1;
    let out_of_cache = s.1 / v.1;
    out.push_str(&if in_l1 < 0.5 * out_of_cache {
        format!(
            " In L1 ({}) shuffling costs only {}×: the damage is done by memory, not by the arithmetic.",
            fmt_bytes(v0.0),
            fmt_sig(in_l1, 3)
        )
    } else {
        format!(
            " Even in L1 ({}) the shuffled boxes cost {}×: the extra load through each pointer costs here before memory does.",
            fmt_bytes(v0.0),
            fmt_sig(in_l1, 3)
        )
    });
    // CPython's own lists, when its timings came back.
    let py = |i: usize| series.get(i).and_then(|s| s.points.last()).copied();
    match (py(4), py(5), python_unavailable) {
        (Some(fresh), Some(shuf), _) => {
            let r = shuf.1 / fresh.1;
            let rust_r = series[2]
                .points
                .iter()
                .zip(&series[1].points)
                .find(|(p, _)| p.0 == fresh.0)
                .map(|(sp, bp)| sp.1 / bp.1);
            let rust = rust_r
                .map(|x| format!(" (Rust's boxes at that size: {}×)", fmt_sig(x, 3)))
                .unwrap_or_default();
            out.push_str(&if r >= 1.2 {
                format!(
                    " CPython pays for scattered objects too: at {} its sum() of the shuffled list takes {}× the fresh list's {} ns per float{rust} — a list after churn is the shuffled-box case.",
                    fmt_bytes(fresh.0),
                    fmt_sig(r, 3),
                    fmt_sig(fresh.1, 3)
                )
            } else {
                format!(
                    " CPython barely notices: at {} its sum() of the shuffled list takes {}× the fresh list's {} ns per float{rust} — the interpreter's own work per element hides the scattered loads.",
                    fmt_bytes(fresh.0),
                    fmt_sig(r, 3),
                    fmt_sig(fresh.1, 3)
                )
            });
        }
        (_, _, Some(why)) => out.push_str(&format!(" CPython's lists: unavailable ({why}).")),
        _ => {}
    }
    out.push_str(" Either way a list's floats are separate objects reached through pointers, not next to each other: summing them in chunks cannot use SIMD.");
    out
}
