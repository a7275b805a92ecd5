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

/// Instructions per cycle, counted by the CPU around one loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpcRow {
    /// What ran: [`IPC_SUM`], [`IPC_COMPILED`] or [`IPC_INTERPRETED`].
    pub kernel: String,
    /// Elements (or loop iterations) it handled in all.
    pub elements: u64,
    /// Instructions retired.
    pub instructions: u64,
    /// Cycles.
    pub cycles: u64,
    /// Wall-clock seconds of the counted call.
    pub seconds: f64,
}

impl IpcRow {
    /// Instructions per cycle.
    pub fn ipc(&self) -> f64 {
        self.instructions as f64 / self.cycles.max(1) as f64
    }

    /// Instructions per second.
    pub fn per_second(&self) -> f64 {
        self.instructions as f64 / self.seconds.max(1e-12)
    }

    /// Instructions per element.
    pub fn per_element(&self) -> f64 {
        self.instructions as f64 / self.elements.max(1) as f64
    }
}

/// `sum_f64` over 4096 floats (in L1), many times.
pub const IPC_SUM: &str = "sum_f64 (floats in L1)";
/// The integer sum loop, compiled.
pub const IPC_COMPILED: &str = "sum loop, compiled";
/// The same loop run by hpp's toy bytecode interpreter.
pub const IPC_INTERPRETED: &str = "sum loop, interpreted";

fn not_measured() -> Fact<Vec<IpcRow>> {
    Fact::unavailable("not measured by the hpp that wrote this file")
}

/// The `ilp` result. JSON: `ghz`, `points[{op, chains, ops_per_ns,
/// ops_per_cycle}]`, `missing[{op, why}]` for operations this CPU lacks,
/// `ipc` (counted IPC: `[{kernel, elements, instructions, cycles,
/// seconds}]`, or `{"unavailable": why}`).
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
    /// Instructions per cycle counted by the CPU's own counters, for a
    /// compiled sum and an interpreter's loop, or why not.
    #[serde(default = "not_measured")]
    pub ipc: Fact<Vec<IpcRow>>,
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
    let ipc = counted_ipc(budget);
    Ok(Ilp {
        experiment: "ilp".into(),
        ghz,
        points,
        missing,
        ipc,
        budget: budget.level.to_string(),
    })
}

/// Count instructions and cycles around three loops: a compiled float sum
/// over data in L1, an integer sum loop compiled, and the same loop run by
/// hpp's toy bytecode interpreter (the shape of CPython's eval loop).
fn counted_ipc(budget: &Budget) -> Fact<Vec<IpcRow>> {
    use crate::kernels::interp::{compiled_sum, interpreted_sum};
    use crate::kernels::memory::{make_f64, sum_f64};
    use crate::measure::count;
    use std::hint::black_box;
    use std::time::Instant;

    let repeats: u64 = budget.level.pick(200, 1000, 4000);
    let n: u64 = budget.level.pick(300_000, 1_000_000, 4_000_000);
    let data = match make_f64(4096) {
        Ok(d) => d,
        Err(e) => return Fact::unavailable(e.to_string()),
    };
    let mut rows = Vec::new();
    let mut counted = |kernel: &str, elements: u64, f: &mut dyn FnMut()| -> Option<Unavailable> {
        let start = Instant::now();
        let ((), c) = count(f);
        let seconds = start.elapsed().as_secs_f64();
        match c {
            Fact::Known(c) => {
                rows.push(IpcRow {
                    kernel: kernel.into(),
                    elements,
                    instructions: c.instructions,
                    cycles: c.cycles,
                    seconds,
                });
                None
            }
            Fact::Unavailable(u) => Some(u),
        }
    };
    let floats = repeats * data.len() as u64;
    let why = counted(IPC_SUM, floats, &mut || {
        for _ in 0..repeats {
            black_box(sum_f64(black_box(&data)));
        }
    })
    .or_else(|| {
        counted(IPC_COMPILED, n, &mut || {
            black_box(compiled_sum(black_box(n as i64)));
        })
    })
    .or_else(|| {
        counted(IPC_INTERPRETED, n, &mut || {
            black_box(interpreted_sum(black_box(n as i64)).ok());
        })
    });
    if let Some(u) = why {
        return Fact::Unavailable(u);
    }
    Fact::Known(rows)
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
        // The widest gain any operation got from independent chains.
        let gain = IlpOp::ALL
            .iter()
            .filter_map(|op| {
                let pts = self.of(op.name());
                let one = pts.first()?.ops_per_cycle;
                let best = pts.iter().map(|p| p.ops_per_cycle).fold(0.0, f64::max);
                Some((op.name(), best / one, best))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let mut s = format!(
            "At {} GHz — {}.{}",
            fmt_sig(self.ghz, 3),
            parts.join("; "),
            if missing.is_empty() {
                String::new()
            } else {
                format!(" ({})", missing.join("; "))
            }
        );
        if let Some((op, g, best)) = gain {
            if g >= 1.5 {
                s.push_str(&format!(
                    " Independent work ran side by side: {op} went {}× further per cycle with independent chains ({} instructions per cycle × {} GHz = {} billion a second); a single dependent chain, like an interpreter's loop, cannot.",
                    fmt_sig(g, 2),
                    fmt_sig(best, 2),
                    fmt_sig(self.ghz, 3),
                    fmt_sig(best * self.ghz, 3)
                ));
            } else {
                s.push_str(&format!(
                    " Independent chains gained little here (at most {}×): this core, or its share of one, ran them barely side by side.",
                    fmt_sig(g, 2)
                ));
            }
        }
        s.push_str(&self.ipc_reading());
        s
    }
}

impl Ilp {
    fn ipc_reading(&self) -> String {
        let rows = match &self.ipc {
            Fact::Unavailable(u) => {
                return format!(
                    " Instructions per cycle counted by the CPU itself: unavailable: {}.",
                    u.unavailable
                );
            }
            Fact::Known(rows) => rows,
        };
        let find = |k: &str| rows.iter().find(|r| r.kernel == k);
        let mut s = String::from(" Counted by the CPU:");
        for r in rows {
            s.push_str(&format!(
                " {} ran {} instructions per cycle ({} billion a second, {} per element);",
                r.kernel,
                fmt_sig(r.ipc(), 3),
                fmt_sig(r.per_second() / 1e9, 3),
                fmt_sig(r.per_element(), 3)
            ));
        }
        s.pop();
        s.push('.');
        if let (Some(c), Some(i)) = (find(IPC_COMPILED), find(IPC_INTERPRETED)) {
            let more = i.per_element() / c.per_element();
            s.push_str(&format!(
                " The interpreter needed {}× the compiled loop's instructions for the same sum{}.",
                fmt_sig(more, 3),
                if i.ipc() >= c.ipc() {
                    ", and ran them at least as fast per cycle: its cost is the extra instructions"
                } else {
                    ", and ran fewer of them per cycle: its steps wait on each other"
                }
            ));
        }
        s
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
