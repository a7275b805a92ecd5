//! `heavy_data`: the book's point that data is heavy — moving it can cost
//! more than computing on it. The same sum, on data used in place, copied
//! first, or sent through a binary or a text serialisation first (what
//! handing an array to another process or a file costs).

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::memory::{
    decode_le_into, decode_text_into, encode_le_into, encode_text_into, make_f64, sum_f64,
};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_bytes, fmt_seconds, fmt_sig};

/// How many sums reuse one transfer in the "transfer once" variant.
pub const USES: usize = 10;

/// One way to get the data to the sum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyRow {
    /// What was done.
    pub variant: String,
    /// Median seconds per call.
    pub seconds: f64,
    /// Time over the in-place sum.
    pub ratio_to_sum: f64,
}

/// The `heavy_data` result. JSON: `rows[{variant, seconds, ratio_to_sum}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyData {
    /// Always "heavy_data".
    pub experiment: String,
    /// Floats summed.
    pub elements: usize,
    /// Their bytes.
    pub size_bytes: u64,
    /// The variants, the in-place sum first.
    pub rows: Vec<HeavyRow>,
    /// Budget used.
    pub budget: String,
}

/// Measure on 1 Mi floats (8 MiB; 256 Ki in the quick budget; never more
/// than the budget's working set).
///
/// # Errors
/// [`crate::Error::TooBig`] when it would not fit in memory.
pub fn heavy_data(machine: &Machine, budget: &Budget) -> Result<HeavyData> {
    let n: usize = budget.level.pick(1 << 18, 1 << 20, 1 << 20);
    let n = n.min((budget.max_working_set_bytes / 8) as usize).max(1024);
    // Floats, a copy, bytes and text (up to ~25 bytes a float).
    budget.check_alloc(machine, "heavy_data's buffers", (n * 50) as u64)?;
    let v = make_f64(n)?;
    let point = budget.per_point();
    let mut progress = Progress::new("heavy_data", 6);
    let mut time = |name: &str, f: &mut dyn FnMut() -> f64| {
        progress.step(name);
        timeit_with(&point, f).median_s
    };
    // Buffers are allocated once and reused, so the timings are of moving
    // and converting bytes, not of the allocator finding fresh pages.
    let mut copy_buf = v.clone();
    let mut bytes = Vec::new();
    let mut text = String::new();
    let mut back = Vec::with_capacity(n);
    let sum = time("sum in place", &mut || sum_f64(black_box(&v)));
    let copy = time("copy, then sum", &mut || {
        copy_buf.copy_from_slice(black_box(&v));
        sum_f64(&copy_buf)
    });
    let binary = time("binary round trip, then sum", &mut || {
        encode_le_into(black_box(&v), &mut bytes);
        decode_le_into(&bytes, &mut back);
        sum_f64(&back)
    });
    let text = time("text round trip, then sum", &mut || {
        encode_text_into(black_box(&v), &mut text);
        decode_text_into(&text, &mut back);
        sum_f64(&back)
    });
    let per_use = time("copy per use", &mut || {
        (0..USES)
            .map(|_| {
                copy_buf.copy_from_slice(black_box(&v));
                sum_f64(&copy_buf)
            })
            .sum()
    });
    let once = time("copy once", &mut || {
        copy_buf.copy_from_slice(black_box(&v));
        (0..USES).map(|_| sum_f64(black_box(&copy_buf))).sum()
    });
    let row = |variant: &str, seconds: f64| HeavyRow {
        variant: variant.to_string(),
        seconds,
        ratio_to_sum: seconds / sum,
    };
    Ok(HeavyData {
        experiment: "heavy_data".into(),
        elements: n,
        size_bytes: (n * 8) as u64,
        rows: vec![
            row("sum in place", sum),
            row("copy, then sum", copy),
            row("binary round trip, then sum", binary),
            row("text round trip, then sum", text),
            row(&format!("{USES} uses, copy each time"), per_use),
            row(&format!("{USES} uses, copy once"), once),
        ],
        budget: budget.level.to_string(),
    })
}

impl HeavyData {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn ratio(&self, i: usize) -> f64 {
        self.rows.get(i).map_or(f64::NAN, |r| r.ratio_to_sum)
    }
}

impl Outcome for HeavyData {
    fn name(&self) -> &str {
        "heavy_data"
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| {
                (
                    r.variant
                        .replace(", then sum", "")
                        .replace(" round trip", ""),
                    r.seconds * 1e3,
                )
            })
            .collect();
        bar_chart(
            &format!(
                "Moving vs computing: summing {} of floats",
                fmt_bytes(self.size_bytes)
            ),
            "milliseconds per call",
            &bars,
        )
    }

    fn reading(&self) -> String {
        format!(
            "Summing {} in place takes {}. Copying it first makes that {}× as long, a binary round trip {}×, a text round trip {}×. Used {USES} times, copying once costs {}× the in-place sums; copying for every use, {}×.",
            fmt_bytes(self.size_bytes),
            fmt_seconds(self.rows.first().map_or(f64::NAN, |r| r.seconds)),
            fmt_sig(self.ratio(1), 3),
            fmt_sig(self.ratio(2), 3),
            fmt_sig(self.ratio(3), 3),
            fmt_sig(self.ratio(5) / USES as f64, 3),
            fmt_sig(self.ratio(4) / USES as f64, 3),
        )
    }
}

impl fmt::Display for HeavyData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<30} {:>10}  {:>8}×",
                r.variant,
                fmt_seconds(r.seconds),
                fmt_sig(r.ratio_to_sum, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
