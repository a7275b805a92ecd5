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
    let mut progress = Progress::new("pointers", sizes.len());
    for &size in &sizes {
        progress.step(&fmt_bytes(size));
        let n = (size / 8) as usize;
        let per = |t: crate::measure::Timing| t.median_s * 1e9 / n as f64;
        let v = make_f64(n)?;
        series[0]
            .points
            .push((size, per(timeit_with(&point, || sum_f64(black_box(&v))))));
        drop(v);
        let b = make_boxed(n)?;
        series[1]
            .points
            .push((size, per(timeit_with(&point, || sum_boxed(black_box(&b))))));
        drop(b);
        let s = make_boxed_shuffled(n, 7)?;
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
    let reading = read(&series);
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
    })
}

fn read(series: &[Series]) -> String {
    let last = |i: usize| series.get(i).and_then(|s| s.points.last()).copied();
    let first = |i: usize| series.get(i).and_then(|s| s.points.first()).copied();
    let (Some(v), Some(b), Some(s), Some(l), Some(v0), Some(s0)) =
        (last(0), last(1), last(2), last(3), first(0), first(2))
    else {
        return "No sizes were measured.".to_string();
    };
    format!(
        "At {} the contiguous sum takes {} ns per element; boxes in allocation order {} ns ({}×), the same boxes shuffled {} ns ({}×) and the linked list {} ns ({}×). In L1 ({}) shuffling costs only {}×: the damage is done by memory, not by the arithmetic. A Python list is the shuffled-box case — which is why summing it in chunks (the chapter's \"vectorised\" loop) cannot use SIMD: the numbers are not next to each other, and each one is a separate load through a pointer.",
        fmt_bytes(v.0),
        fmt_sig(v.1, 3),
        fmt_sig(b.1, 3),
        fmt_sig(b.1 / v.1, 3),
        fmt_sig(s.1, 3),
        fmt_sig(s.1 / v.1, 3),
        fmt_sig(l.1, 3),
        fmt_sig(l.1 / v.1, 3),
        fmt_bytes(v0.0),
        fmt_sig(s0.1 / v0.1, 3),
    )
}
