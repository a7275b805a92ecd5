//! `dynamic`: the dynamic-typing tax and the bounds-check tax. The same sum
//! over plain `f64`, over values that carry their type and are checked on
//! every `+` (a model of Python objects), and over `Box<dyn Any>` downcast
//! per element; then indexing with bounds checks, without them, and with an
//! iterator that needs none. Last, what Rust does where C would read past
//! the end of an array.

use std::any::Any;
use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::dynamic::{
    Value, read_checked, sum_any, sum_indexed_checked, sum_indexed_unchecked, sum_iter, sum_tagged,
};
use crate::kernels::memory::{make_f64, sum_f64};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// Elements summed (80 KB of f64: cache-resident, so the cost is the work).
pub const N: usize = 10_000;

/// One variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicRow {
    /// What was summed, and how.
    pub variant: String,
    /// Median ns per element.
    pub ns_per_element: f64,
}

/// The `dynamic` result. JSON: `rows[{variant, ns_per_element}]`,
/// `past_end` (the message an out-of-range read produced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dynamic {
    /// Always "dynamic".
    pub experiment: String,
    /// Elements per sum.
    pub n: usize,
    /// Every variant.
    pub rows: Vec<DynamicRow>,
    /// What reading one past the end did.
    pub past_end: String,
    /// Budget used.
    pub budget: String,
}

/// Labels, in plot order.
pub const VARIANTS: [&str; 6] = [
    "f64, plain",
    "tagged value, type checked per +",
    "Box<dyn Any>, downcast per element",
    "indexed, bounds-checked",
    "indexed, unchecked",
    "iterator (no index)",
];

/// Run every variant.
///
/// # Errors
/// Never in practice; a type error in the data would be reported.
pub fn dynamic(_machine: &Machine, budget: &Budget) -> Result<Dynamic> {
    let point = budget.per_point();
    let plain = make_f64(N)?;
    let tagged: Vec<Value> = plain.iter().map(|&x| Value::Float(x)).collect();
    let any: Vec<Box<dyn Any>> = plain.iter().map(|&x| Box::new(x) as Box<dyn Any>).collect();
    let mut idx: Vec<usize> = (0..N).collect();
    SplitMix64::new(3).shuffle(&mut idx);
    let mut progress = Progress::new("dynamic", VARIANTS.len());
    let mut times = Vec::new();
    let mut time = |label: &str, f: &mut dyn FnMut() -> f64| {
        progress.step(label);
        let t = timeit_with(&point, &mut *f);
        times.push(t.median_s * 1e9 / N as f64);
    };
    time(VARIANTS[0], &mut || sum_f64(black_box(&plain)));
    time(VARIANTS[1], &mut || match sum_tagged(black_box(&tagged)) {
        Ok(Value::Float(x)) => x,
        _ => f64::NAN,
    });
    time(VARIANTS[2], &mut || {
        sum_any(black_box(&any)).unwrap_or(f64::NAN)
    });
    time(VARIANTS[3], &mut || {
        sum_indexed_checked(black_box(&plain), black_box(&idx))
    });
    // SAFETY: idx is a permutation of 0..N and plain has N elements.
    time(VARIANTS[4], &mut || unsafe {
        sum_indexed_unchecked(black_box(&plain), black_box(&idx))
    });
    time(VARIANTS[5], &mut || sum_iter(black_box(&plain)));
    let past_end = match read_checked(&plain, N) {
        Ok(v) => {
            return Err(Error::bad_input(format!(
                "reading past the end returned {v}"
            )));
        }
        Err(msg) => msg,
    };
    Ok(Dynamic {
        experiment: "dynamic".into(),
        n: N,
        rows: VARIANTS
            .iter()
            .zip(times)
            .map(|(v, t)| DynamicRow {
                variant: v.to_string(),
                ns_per_element: t,
            })
            .collect(),
        past_end,
        budget: budget.level.to_string(),
    })
}

impl Dynamic {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn ns(&self, i: usize) -> f64 {
        self.rows.get(i).map_or(f64::NAN, |r| r.ns_per_element)
    }
}

impl Outcome for Dynamic {
    fn name(&self) -> &str {
        "dynamic"
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| (r.variant.clone(), r.ns_per_element))
            .collect();
        bar_chart(
            "The same sum with types checked at run time, and with bounds checks",
            "ns per element (median)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let typed = self.ns(1) / self.ns(0);
        let bounds = self.ns(3) / self.ns(4);
        // Compare the two overheads by what each adds, not by ratio alone.
        let beside = if (bounds - 1.0) < 0.5 * (typed - 1.0) {
            "less than the type checks add"
        } else if (bounds - 1.0) > 2.0 * (typed - 1.0) {
            "more than the type checks add"
        } else {
            "about what the type checks add"
        };
        format!(
            "Checking each value's type before adding costs {}× the plain sum ({} vs {} ns per element); a downcast through Box<dyn Any> costs {}×. Bounds checks on random indices cost {}× the unchecked loop here, {beside}, and they buy safety: {}.",
            fmt_sig(typed, 3),
            fmt_sig(self.ns(1), 3),
            fmt_sig(self.ns(0), 3),
            fmt_sig(self.ns(2) / self.ns(0), 3),
            fmt_sig(bounds, 3),
            self.past_end
        )
    }
}

impl fmt::Display for Dynamic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<38} {:>8} ns/element",
                r.variant,
                fmt_sig(r.ns_per_element, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
