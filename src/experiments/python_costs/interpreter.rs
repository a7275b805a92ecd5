//! `interpreter`: the cost of not being compiled. The loop `total += i` for
//! i below n, run by a tiny stack-based bytecode interpreter (fetch, decode,
//! push, pop — what CPython's eval loop does for every bytecode) and
//! compiled to machine code.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::interp::{OPS_PER_ITERATION, compiled_sum, interpreted_sum, sum_reference};
use crate::machine::Machine;
use crate::measure::{Budget, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// Loop iterations per call.
pub const N: i64 = 100_000;

/// The `interpreter` result. JSON: `n`, `ops_per_iteration`,
/// `interpreted_ns_per_iteration`, `interpreted_ns_per_op`,
/// `compiled_ns_per_iteration`, `ratio`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interpreter {
    /// Always "interpreter".
    pub experiment: String,
    /// Iterations per call.
    pub n: i64,
    /// Bytecodes the interpreter runs per iteration.
    pub ops_per_iteration: u64,
    /// Interpreted, median ns per loop iteration.
    pub interpreted_ns_per_iteration: f64,
    /// Interpreted, ns per bytecode.
    pub interpreted_ns_per_op: f64,
    /// Compiled, median ns per loop iteration.
    pub compiled_ns_per_iteration: f64,
    /// Interpreted ÷ compiled.
    pub ratio: f64,
    /// Budget used.
    pub budget: String,
}

/// Time both.
///
/// # Errors
/// When either version computes the wrong total (a defect, reported).
pub fn interpreter(_machine: &Machine, budget: &Budget) -> Result<Interpreter> {
    let want = sum_reference(N);
    let got = interpreted_sum(N).map_err(Error::bad_input)?;
    if got != want || compiled_sum(N) != want {
        return Err(Error::bad_input(format!(
            "the loop computed {got}, expected {want}"
        )));
    }
    let point = budget.per_point();
    let ti = timeit_with(&point, || interpreted_sum(black_box(N)));
    let tc = timeit_with(&point, || compiled_sum(black_box(N)));
    let it = ti.median_s * 1e9 / N as f64;
    let ct = tc.median_s * 1e9 / N as f64;
    Ok(Interpreter {
        experiment: "interpreter".into(),
        n: N,
        ops_per_iteration: OPS_PER_ITERATION,
        interpreted_ns_per_iteration: it,
        interpreted_ns_per_op: it / OPS_PER_ITERATION as f64,
        compiled_ns_per_iteration: ct,
        ratio: it / ct,
        budget: budget.level.to_string(),
    })
}

impl Interpreter {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Interpreter {
    fn name(&self) -> &str {
        "interpreter"
    }

    fn plot(&self) -> Result<Figure> {
        bar_chart(
            "One loop iteration: bytecode interpreter vs compiled",
            "ns per iteration (median)",
            &[
                (
                    format!("interpreted ({} bytecodes)", self.ops_per_iteration),
                    self.interpreted_ns_per_iteration,
                ),
                ("compiled".to_string(), self.compiled_ns_per_iteration),
            ],
        )
    }

    fn reading(&self) -> String {
        let verdict = if self.ratio >= 1.1 {
            format!(
                "{}× faster for the same arithmetic. CPython pays this on every bytecode, and more: its values are objects (see `dynamic`).",
                fmt_sig(self.ratio, 3)
            )
        } else if self.ratio > 1.0 / 1.1 {
            "about as fast: here the interpreter's dispatch cost nothing measurable, which is not what CPython's loop does — rerun before believing it.".to_string()
        } else {
            format!(
                "{}× slower than the interpreter: the compiled loop lost, so this run measured something else (a busy machine?) — rerun it.",
                fmt_sig(1.0 / self.ratio, 3)
            )
        };
        format!(
            "The interpreter spends {} ns per loop iteration ({} ns for each of its {} bytecodes: fetch, decode, stack traffic); the compiled loop {} ns — {verdict}",
            fmt_sig(self.interpreted_ns_per_iteration, 3),
            fmt_sig(self.interpreted_ns_per_op, 3),
            self.ops_per_iteration,
            fmt_sig(self.compiled_ns_per_iteration, 3),
        )
    }
}

impl fmt::Display for Interpreter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reading())
    }
}
