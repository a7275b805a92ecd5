//! `sum_layout`: sum the same floats stored contiguously (`Vec<f64>`, like a
//! numpy array) and one per heap box (`Vec<Box<f64>>`, like a Python list of
//! floats), across working-set sizes from L1 to main memory.

use std::hint::black_box;

use crate::error::Result;
use crate::experiments::Sweep;
use crate::kernels::memory::{BOXED_BYTES_PER_ELEMENT, make_boxed, make_f64, sum_boxed, sum_f64};
use crate::machine::Machine;
use crate::measure::plan::{cache_markers, size_steps};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::Series;
use crate::units::{fmt_bytes, fmt_sig};

/// Run the sweep: ns per element for both layouts at each size. Sizes are the
/// bytes of float data (8 per element), from 4 KiB to 4× the last-level
/// cache, capped by the budget.
///
/// # Errors
/// [`crate::Error::TooBig`] when the largest size would not fit in memory.
pub fn sum_layout(machine: &Machine, budget: &Budget) -> Result<Sweep> {
    let top = crate::measure::plan::beyond_caches(machine, budget);
    let factor = budget.level.pick(4, 2, 2);
    let sizes = size_steps(4 << 10, top, factor);
    let largest = sizes.last().copied().unwrap_or(top);
    budget.check_alloc(
        machine,
        "sum_layout's largest working set",
        largest / 8 * BOXED_BYTES_PER_ELEMENT,
    )?;
    let mut plain = Vec::new();
    let mut boxed = Vec::new();
    let point = budget.per_point();
    let mut progress = Progress::new("sum_layout", sizes.len());
    for &size in &sizes {
        progress.step(&fmt_bytes(size));
        let n = (size / 8) as usize;
        let v = make_f64(n)?;
        let t = timeit_with(&point, || sum_f64(black_box(&v)));
        plain.push((size, t.median_s * 1e9 / n as f64));
        drop(v);
        let b = make_boxed(n)?;
        let t = timeit_with(&point, || sum_boxed(black_box(&b)));
        boxed.push((size, t.median_s * 1e9 / n as f64));
    }
    let reading = read(&plain, &boxed, machine);
    Ok(Sweep {
        experiment: "sum_layout".into(),
        title: "Summing floats: contiguous Vec<f64> vs one Box per float".into(),
        x_label: "working set (bytes of f64 data, log scale)".into(),
        y_label: "ns per element (median of runs)".into(),
        log_y: true,
        series: vec![
            Series {
                label: "Vec<f64> (like a numpy array)".into(),
                points: plain,
            },
            Series {
                label: "Vec<Box<f64>> (like a list of floats)".into(),
                points: boxed,
            },
        ],
        markers: cache_markers(machine),
        reading,
        budget: budget.level.to_string(),
        headlines: Vec::new(),
    })
}

fn read(plain: &[(u64, f64)], boxed: &[(u64, f64)], machine: &Machine) -> String {
    let (Some(p0), Some(b0), Some(p1), Some(b1)) =
        (plain.first(), boxed.first(), plain.last(), boxed.last())
    else {
        return "No sizes were measured.".to_string();
    };
    let where_ = match machine.last_level_cache_bytes() {
        Some(llc) if p1.0 > llc => format!(
            ", past the {} last-level cache, where each box is a trip to main memory",
            fmt_bytes(llc)
        ),
        _ => String::new(),
    };
    format!(
        "On this machine the boxed floats cost {}× the contiguous ones at {} ({} vs {} ns per element) and {}× at {}{} ({} vs {} ns).",
        fmt_sig(b0.1 / p0.1, 3),
        fmt_bytes(p0.0),
        fmt_sig(b0.1, 3),
        fmt_sig(p0.1, 3),
        fmt_sig(b1.1 / p1.1, 3),
        fmt_bytes(p1.0),
        where_,
        fmt_sig(b1.1, 3),
        fmt_sig(p1.1, 3),
    )
}
