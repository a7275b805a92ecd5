//! `ilp`: instruction-level parallelism. One chain of dependent operations
//! runs at the operation's latency; independent chains overlap until every
//! execution port is busy. Operations per cycle against the number of chains
//! shows a core's latency and throughput — what out-of-order, superscalar
//! execution buys, and why a Python loop (one long dependent chain through
//! the interpreter) cannot use it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result, Unavailable};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::ilp::{CHAINS, IlpOp, MAX_INT_CHAINS, STEPS_PER_ROUND, run};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::fmt_sig;

/// Rounds per timed call (4 operations per chain per round).
const ROUNDS: u64 = 1 << 12;

/// One operation at one chain count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IlpPoint {
    /// "int_add", "f64_add" or "f64_fma".
    pub op: String,
    /// Independent chains.
    pub chains: usize,
    /// Operations per nanosecond, all chains together.
    pub ops_per_ns: f64,
    /// Operations per clock cycle (with the measured clock).
    pub ops_per_cycle: f64,
}

/// The `ilp` result. JSON: `ghz`, `points[{op, chains, ops_per_ns,
/// ops_per_cycle}]`, `missing[{op, why}]` for operations this CPU lacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ilp {
    /// Always "ilp".
    pub experiment: String,
    /// Clock measured by the same run, GHz.
    pub ghz: f64,
    /// Every measured point.
    pub points: Vec<IlpPoint>,
    /// Operations not measured here, and why.
    pub missing: Vec<(String, Unavailable)>,
    /// Budget used.
    pub budget: String,
}

/// Measure every operation at 1 … 16 chains (integer adds to 12).
///
/// # Errors
/// `Unavailable` on an architecture without the kernels.
pub fn ilp(_machine: &Machine, budget: &Budget) -> Result<Ilp> {
    let point = budget.per_point();
    let ghz = match crate::measure::clock::add_latency_ns(&point) {
        Fact::Known(ns) => 1.0 / ns,
        Fact::Unavailable(u) => return Err(Error::Unavailable(u)),
    };
    let mut progress = Progress::new("ilp", IlpOp::ALL.len());
    let mut points = Vec::new();
    let mut missing = Vec::new();
    for op in IlpOp::ALL {
        progress.step(op.name());
        if run(op, 1, 1).is_none() {
            missing.push((
                op.name().to_string(),
                Unavailable::new(if op == IlpOp::F64Fma {
                    "this CPU has no FMA instructions"
                } else {
                    "no kernel for this architecture"
                }),
            ));
            continue;
        }
        for k in CHAINS {
            if run(op, k, 1).is_none() {
                missing.push((
                    format!("{} × {k}", op.name()),
                    Unavailable::new(format!(
                        "x86-64 inline assembly has {MAX_INT_CHAINS} general registers free for chains"
                    )),
                ));
                continue;
            }
            let t = timeit_with(&point, || run(op, k, std::hint::black_box(ROUNDS)));
            let ops = (k as u64 * STEPS_PER_ROUND * ROUNDS) as f64;
            let ops_per_ns = ops / (t.median_s * 1e9);
            points.push(IlpPoint {
                op: op.name().to_string(),
                chains: k,
                ops_per_ns,
                ops_per_cycle: ops_per_ns / ghz,
            });
        }
    }
    Ok(Ilp {
        experiment: "ilp".into(),
        ghz,
        points,
        missing,
        budget: budget.level.to_string(),
    })
}

impl Ilp {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn of(&self, op: &str) -> Vec<&IlpPoint> {
        self.points.iter().filter(|p| p.op == op).collect()
    }
}

impl Outcome for Ilp {
    fn name(&self) -> &str {
        "ilp"
    }

    fn plot(&self) -> Result<Figure> {
        let series: Vec<XySeries> = IlpOp::ALL
            .iter()
            .map(|op| XySeries {
                label: op.name().to_string(),
                points: self
                    .of(op.name())
                    .iter()
                    .map(|p| (p.chains as f64, p.ops_per_cycle))
                    .collect(),
                line: true,
                color_of: None,
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        xy_chart(&XyChart {
            title: "Instruction-level parallelism: independent chains per cycle",
            x_label: "independent chains",
            y_label: "operations per cycle",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut parts = Vec::new();
        for op in IlpOp::ALL {
            let pts = self.of(op.name());
            let (Some(one), Some(best)) = (
                pts.first(),
                pts.iter()
                    .max_by(|a, b| a.ops_per_cycle.total_cmp(&b.ops_per_cycle)),
            ) else {
                continue;
            };
            parts.push(format!(
                "{}: one chain {} per cycle (a latency of {} cycle{}), up to {} per cycle with {} chains",
                op.name(),
                fmt_sig(one.ops_per_cycle, 2),
                fmt_sig(1.0 / one.ops_per_cycle, 2),
                if (1.0 / one.ops_per_cycle).round() == 1.0 { "" } else { "s" },
                fmt_sig(best.ops_per_cycle, 2),
                best.chains
            ));
        }
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|(op, u)| format!("{op}: {u}"))
            .collect();
        format!(
            "At {} GHz — {}. Independent work runs side by side; a single dependent chain, like an interpreter's loop, cannot.{}",
            fmt_sig(self.ghz, 3),
            parts.join("; "),
            if missing.is_empty() {
                String::new()
            } else {
                format!(" ({})", missing.join("; "))
            }
        )
    }
}

impl fmt::Display for Ilp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>8}", "chains")?;
        for op in IlpOp::ALL {
            write!(f, " {:>9}", op.name())?;
        }
        writeln!(f, "   (operations per cycle)")?;
        for k in CHAINS {
            write!(f, "{k:>8}")?;
            for op in IlpOp::ALL {
                match self
                    .points
                    .iter()
                    .find(|p| p.op == op.name() && p.chains == k)
                {
                    Some(p) => write!(f, " {:>9}", fmt_sig(p.ops_per_cycle, 3))?,
                    None => write!(f, " {:>9}", "n/a")?,
                }
            }
            writeln!(f)?;
        }
        write!(f, "{}", self.reading())
    }
}
