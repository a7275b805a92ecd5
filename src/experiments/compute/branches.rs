//! `branches`: what a wrong guess costs. The same conditional sum over bytes
//! in sorted order (the branch is predictable), in shuffled order (it is a
//! coin toss) and written without a branch. The difference between shuffled
//! and sorted, per mispredicted branch, is the cost of a misprediction.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::branches::{sum_if_branchless, sum_if_branchy};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::{Budget, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// Bytes summed (fits in L2 on every current CPU, so memory is not the limit).
pub const ELEMENTS: usize = 1 << 16;

/// The `branches` result. JSON: `rows[{variant, ns_per_element}]`,
/// `mispredict_ns`, `mispredict_cycles`, `ghz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branches {
    /// Always "branches".
    pub experiment: String,
    /// "sorted", "shuffled", "branch-free (shuffled)".
    pub rows: Vec<(String, f64)>,
    /// Nanoseconds one misprediction costs (shuffled data mispredicts about
    /// half of its branches).
    pub mispredict_ns: f64,
    /// The same in cycles, with the clock measured in this run.
    pub mispredict_cycles: Fact<f64>,
    /// The clock, GHz.
    pub ghz: Fact<f64>,
    /// Budget used.
    pub budget: String,
}

/// Measure on 64 Ki random bytes.
///
/// # Errors
/// None in practice; kept for the common experiment signature.
pub fn branches(_machine: &Machine, budget: &Budget) -> Result<Branches> {
    let point = budget.per_point();
    let mut rng = SplitMix64::new(42);
    let shuffled: Vec<u8> = (0..ELEMENTS).map(|_| rng.next_u64() as u8).collect();
    let mut sorted = shuffled.clone();
    sorted.sort_unstable();
    let per = |secs: f64| secs * 1e9 / ELEMENTS as f64;
    let t_sorted = per(timeit_with(&point, || sum_if_branchy(black_box(&sorted), 128)).median_s);
    let t_shuffled =
        per(timeit_with(&point, || sum_if_branchy(black_box(&shuffled), 128)).median_s);
    let t_free = per(timeit_with(&point, || sum_if_branchless(black_box(&shuffled), 128)).median_s);
    // Random bytes against 128: the predictor can do no better than half.
    let mispredict_ns = ((t_shuffled - t_sorted) / 0.5).max(0.0);
    let ghz = crate::measure::clock::add_latency_ns(&point).map(|ns| 1.0 / ns);
    Ok(Branches {
        experiment: "branches".into(),
        rows: vec![
            ("sorted".into(), t_sorted),
            ("shuffled".into(), t_shuffled),
            ("branch-free (shuffled)".into(), t_free),
        ],
        mispredict_ns,
        mispredict_cycles: ghz.clone().map(|g| mispredict_ns * g),
        ghz,
        budget: budget.level.to_string(),
    })
}

impl Branches {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Branches {
    fn name(&self) -> &str {
        "branches"
    }

    fn plot(&self) -> Result<Figure> {
        bar_chart(
            "A conditional sum: predictable, unpredictable, branch-free",
            "ns per element",
            &self.rows,
        )
    }

    fn reading(&self) -> String {
        let get = |i: usize| self.rows.get(i).map_or(f64::NAN, |r| r.1);
        let (sorted, shuffled, free) = (get(0), get(1), get(2));
        let ratio = shuffled / sorted;
        let shuffled_part = if ratio > 1.2 {
            format!(
                "the same data shuffled: {} ns ({}× slower) — about {} ns{} lost per mispredicted branch",
                fmt_sig(shuffled, 3),
                fmt_sig(ratio, 3),
                fmt_sig(self.mispredict_ns, 2),
                self.mispredict_cycles
                    .known()
                    .map(|c| format!(" ({} cycles)", fmt_sig(*c, 2)))
                    .unwrap_or_default()
            )
        } else {
            format!(
                "the same data shuffled: {} ns ({}×), no dearer — here the branch was not mispredicted (the compiler made it a conditional move, or the predictor learned the data)",
                fmt_sig(shuffled, 3),
                fmt_sig(ratio, 3)
            )
        };
        let free_part = if free <= sorted * 1.2 {
            "nothing to predict, nothing to lose"
        } else if free < shuffled {
            "slower than the predicted branch on sorted data, faster than the mispredicted one"
        } else {
            "no faster than the branch on shuffled data here"
        };
        format!(
            "Sorted data: {} ns per element; {shuffled_part}. Without a branch the shuffled sum takes {} ns: {free_part}.",
            fmt_sig(sorted, 3),
            fmt_sig(free, 3)
        )
    }
}

impl fmt::Display for Branches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (v, ns) in &self.rows {
            writeln!(f, "{v:<24} {:>8} ns/element", fmt_sig(*ns, 3))?;
        }
        write!(f, "{}", self.reading())
    }
}
