//! `tiers`: the chapter's first picture in one figure. Each tier of storage
//! — registers, caches, main memory, disk — by capacity (from the machine
//! card) against its measured latency, and the "latency numbers every
//! programmer should know" measured here beside the published figures
//! (labelled reference data, with their sources).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::experiments::outcome::{Overlay, Shape};
use crate::kernels::bandwidth::BwKernel;
use crate::kernels::compute::mutex_round_trips;
use crate::kernels::storage::total_bytes;
use crate::machine::Machine;
use crate::measure::bandwidth::gb_per_s as measure_bandwidth;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_ns, fmt_sig};

/// The published table, committed with its sources (`data/latency_numbers.csv`).
const REFERENCE: &str = include_str!("../../../data/latency_numbers.csv");

/// One tier of storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    /// "registers", "L1d", "L2", "L3", "DRAM", "disk".
    pub tier: String,
    /// How much it holds.
    pub capacity_bytes: Fact<u64>,
    /// Time for one access, measured.
    pub latency_ns: Fact<f64>,
    /// Sequential read bandwidth, one thread, measured (decimal GB/s).
    pub gb_per_s: Fact<f64>,
}

/// One line of the latency-numbers table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyNumber {
    /// The operation, as the published table names it.
    pub operation: String,
    /// Measured here, in this run.
    pub measured_ns: Fact<f64>,
    /// How it was measured here.
    pub how: String,
    /// Reference: the ~2012 list (Dean; Norvig).
    pub dean_2012_ns: Option<f64>,
    /// Reference: Dean & Ghemawat, Performance Hints.
    pub dean_ghemawat_ns: Option<f64>,
    /// Measured over the measured L1 reference.
    pub ratio_to_l1: Fact<f64>,
}

/// The `tiers` result. JSON: `tiers[{tier, capacity_bytes, latency_ns,
/// gb_per_s}]`, `numbers[{operation, measured_ns, how, dean_2012_ns,
/// dean_ghemawat_ns, ratio_to_l1}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tiers {
    /// Always "tiers".
    pub experiment: String,
    /// Registers to disk.
    pub tiers: Vec<Tier>,
    /// The latency-numbers table.
    pub numbers: Vec<LatencyNumber>,
    /// Budget used.
    pub budget: String,
}

/// A cache level's latency as the latency experiment found it.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelLatency {
    /// "L1d", "L2", "L3", "DRAM" (or "level N").
    pub level: String,
    /// The cache's size on the machine card, when known.
    pub probed_bytes: Option<u64>,
    /// The working set the latency was measured at.
    pub size_bytes: u64,
    /// Nanoseconds per dependent load there.
    pub ns_per_load: f64,
}

/// The disk's figures as the storage experiment measured them.
#[derive(Debug, Clone, PartialEq)]
pub struct DiskFigures {
    /// The folder whose file system was measured.
    pub dir: std::path::PathBuf,
    /// One random 4 KiB read from the device (`O_DIRECT`), µs.
    pub random_read_us: Option<f64>,
    /// Sequential reads from the device (`O_DIRECT`), MB/s.
    pub sequential_mb_per_s: Option<f64>,
}

/// The network's figures as the loopback experiment measured them.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkFigures {
    /// Loopback TCP stream, GB/s.
    pub stream_gb_per_s: f64,
    /// Loopback 64-byte round trip, µs.
    pub round_trip_us: f64,
}

/// The measurements `tiers` takes from the session's other experiments, as
/// plain numbers (the chapter that shows them builds these).
#[derive(Debug, Clone, PartialEq)]
pub struct TierInputs {
    /// Each level of the hierarchy, L1 first.
    pub levels: Vec<LevelLatency>,
    /// The disk; `None` if storage could not run.
    pub disk: Option<DiskFigures>,
    /// The network; `None` if it could not run.
    pub network: Option<NetworkFigures>,
}

/// Build the tiers from results already measured in this session (the
/// notebook passes its own), adding the few measurements only this needs:
/// a register add, a mutex, and read bandwidth at each level's size.
///
/// # Errors
/// Only if a bandwidth kernel fails its validation.
pub fn tiers_from(machine: &Machine, budget: &Budget, inp: &TierInputs) -> Result<Tiers> {
    let point = budget.per_point();
    let mut progress = Progress::new("tiers", 3);
    progress.step("register adds and a mutex");
    let add_ns = crate::measure::clock::add_latency_ns(&point);
    let m = std::sync::Mutex::new(0u64);
    let t = timeit_with(&point, || mutex_round_trips(&m, 1000));
    let mutex_ns = t.median_s * 1e9 / 1000.0;
    progress.step("read bandwidth at each level");
    let mut tiers = Vec::new();
    let regs = register_bytes(machine);
    tiers.push(Tier {
        tier: "registers".into(),
        capacity_bytes: regs,
        latency_ns: add_ns.clone(),
        gb_per_s: Fact::unavailable("registers are not read as a stream"),
    });
    for l in &inp.levels {
        let capacity = match (l.probed_bytes, l.level.as_str()) {
            (Some(b), _) => Fact::Known(b),
            (None, "DRAM") => machine.memory.total_bytes.clone(),
            _ => Fact::unavailable("not on the machine card"),
        };
        let gb = measure_bandwidth(BwKernel::Read, 1, l.size_bytes, &point)?;
        tiers.push(Tier {
            tier: l.level.clone(),
            capacity_bytes: capacity,
            latency_ns: Fact::Known(l.ns_per_load),
            gb_per_s: Fact::Known(gb),
        });
    }
    progress.step("disk");
    let disk = |f: &dyn Fn(&DiskFigures) -> Option<f64>| -> Fact<f64> {
        match &inp.disk {
            Some(d) => f(d).map(Fact::Known).unwrap_or_else(|| {
                Fact::unavailable("no device reads (O_DIRECT unavailable here)")
            }),
            None => Fact::unavailable("the storage experiment did not run"),
        }
    };
    tiers.push(Tier {
        tier: "disk".into(),
        capacity_bytes: inp
            .disk
            .as_ref()
            .map(|d| total_bytes(&d.dir).into())
            .unwrap_or_else(|| Fact::unavailable("the storage experiment did not run")),
        latency_ns: disk(&|d| d.random_read_us.map(|us| us * 1e3)),
        gb_per_s: disk(&|d| d.sequential_mb_per_s.map(|mb| mb / 1e3)),
    });
    let l1 = inp.levels.first().map(|l| l.ns_per_load);
    let level = |name: &str| {
        inp.levels
            .iter()
            .find(|l| l.level == name)
            .map(|l| l.ns_per_load)
    };
    let dram_gb = tiers
        .iter()
        .find(|t| t.tier == "DRAM")
        .and_then(|t| t.gb_per_s.known().copied());
    let measured: Vec<(Fact<f64>, String)> = vec![
        (
            fact(level("L1d"), "latency: L1d"),
            "pointer chase inside L1".into(),
        ),
        (
            Fact::unavailable("see the computing-units section"),
            "not measured in this section".into(),
        ),
        (
            fact(level("L2"), "latency: L2"),
            "pointer chase inside L2".into(),
        ),
        (Fact::Known(mutex_ns), "uncontended std::sync::Mutex".into()),
        (
            fact(level("DRAM"), "latency: DRAM"),
            "pointer chase beyond the caches".into(),
        ),
        (
            Fact::unavailable("hpp has no compressor"),
            "not measured".into(),
        ),
        (
            inp.network
                .as_ref()
                .map(|n| Fact::Known(1024.0 / (n.stream_gb_per_s * 1e9) * 1e9))
                .unwrap_or_else(|| Fact::unavailable("network did not run")),
            "loopback TCP stream (no wire)".into(),
        ),
        (
            disk(&|d| d.random_read_us.map(|us| us * 1e3)),
            "random 4 KiB O_DIRECT read".into(),
        ),
        (
            fact(dram_gb.map(|g| 1e6 / (g * 1e9) * 1e9), "bandwidth: DRAM"),
            "1 MB at one thread's read bandwidth".into(),
        ),
        (
            inp.network
                .as_ref()
                .map(|n| Fact::Known(n.round_trip_us * 1e3))
                .unwrap_or_else(|| Fact::unavailable("network did not run")),
            "loopback 64-byte round trip (no datacenter)".into(),
        ),
        (
            disk(&|d| d.sequential_mb_per_s.map(|mb| 1e6 / (mb * 1e6) * 1e9)),
            "1 MB at O_DIRECT sequential speed".into(),
        ),
        (
            Fact::unavailable("no spinning disk measured"),
            "not measured".into(),
        ),
        (
            Fact::unavailable("no spinning disk measured"),
            "not measured".into(),
        ),
        (
            Fact::unavailable("hpp measures this machine only"),
            "not measured".into(),
        ),
    ];
    let numbers = reference_rows()
        .into_iter()
        .zip(measured)
        .map(|((operation, d12, dg), (measured_ns, how))| LatencyNumber {
            ratio_to_l1: match (&measured_ns, l1) {
                (Fact::Known(v), Some(l)) if l > 0.0 => Fact::Known(v / l),
                _ => Fact::unavailable("needs both measurements"),
            },
            operation,
            measured_ns,
            how,
            dean_2012_ns: d12,
            dean_ghemawat_ns: dg,
        })
        .collect();
    Ok(Tiers {
        experiment: "tiers".into(),
        tiers,
        numbers,
        budget: budget.level.to_string(),
    })
}

fn fact(v: Option<f64>, what: &str) -> Fact<f64> {
    v.map(Fact::Known)
        .unwrap_or_else(|| Fact::unavailable(format!("{what} not found in this run")))
}

/// Architectural register file visible to a program: general-purpose
/// registers plus the vector registers at the widest width this CPU has.
fn register_bytes(m: &Machine) -> Fact<u64> {
    let bits = u64::from(m.simd.widest_bits);
    match m.cpu.arch.as_str() {
        "x86_64" => {
            let vregs = if m.simd.has("avx512f") { 32 } else { 16 };
            Fact::Known(16 * 8 + vregs * bits / 8)
        }
        "aarch64" => Fact::Known(31 * 8 + 32 * 16),
        other => Fact::unavailable(format!("register file of {other} not described")),
    }
}

/// (operation, 2012, Dean & Ghemawat) from the committed CSV.
pub fn reference_rows() -> Vec<(String, Option<f64>, Option<f64>)> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("operation,") && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split(',');
            let op = f.next()?.to_string();
            let a = f.next().and_then(|v| v.trim().parse().ok());
            let b = f.next().and_then(|v| v.trim().parse().ok());
            Some((op, a, b))
        })
        .collect()
}

impl Tiers {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The latency-numbers table as HTML.
    pub fn numbers_html(&self) -> String {
        let cell = |v: &Option<f64>| v.map(fmt_ns).unwrap_or_else(|| "—".into());
        let rows: Vec<Vec<String>> = self
            .numbers
            .iter()
            .map(|n| {
                vec![
                    n.operation.clone(),
                    match &n.measured_ns {
                        Fact::Known(v) => fmt_ns(*v),
                        Fact::Unavailable(u) => format!("— ({})", u.reason()),
                    },
                    n.how.clone(),
                    n.ratio_to_l1
                        .known()
                        .map(|r| format!("{}×", fmt_sig(*r, 3)))
                        .unwrap_or_default(),
                    cell(&n.dean_2012_ns),
                    cell(&n.dean_ghemawat_ns),
                ]
            })
            .collect();
        crate::report::html::table(
            &[
                "operation",
                "measured here",
                "how",
                "× L1 here",
                "reference: ~2012 list",
                "reference: Dean & Ghemawat",
            ],
            &rows,
        )
    }
}

impl Outcome for Tiers {
    fn name(&self) -> &str {
        "tiers"
    }

    fn overlays(&self) -> Vec<Overlay> {
        let cell = |t: &Tier| {
            format!(
                "{} · {}",
                t.latency_ns
                    .known()
                    .map_or("–".into(), |ns| crate::units::fmt_seconds(ns / 1e9)),
                t.gb_per_s
                    .known()
                    .map_or("–".into(), |g| format!("{} GB/s", fmt_sig(*g, 3)))
            )
        };
        vec![Overlay {
            key: "tiers".into(),
            title: "The hierarchy, tier by tier: latency and bandwidth".into(),
            x_label: "tier".into(),
            y_label: "latency · bandwidth".into(),
            shape: Shape::Rows(
                self.tiers
                    .iter()
                    .map(|t| (t.tier.clone(), cell(t)))
                    .collect(),
            ),
        }]
    }

    fn plot(&self) -> Result<Figure> {
        let pts: Vec<(u64, f64)> = self
            .tiers
            .iter()
            .filter_map(|t| Some((*t.capacity_bytes.known()?, *t.latency_ns.known()?)))
            .collect();
        let markers: Vec<Marker> = self
            .tiers
            .iter()
            .filter_map(|t| {
                Some(Marker {
                    label: t.tier.clone(),
                    size_bytes: *t.capacity_bytes.known()?,
                })
            })
            .collect();
        size_chart(&SizeChart {
            title: "Capacity against latency, registers to disk (this machine)",
            x_label: "capacity (bytes, log scale)",
            y_label: "ns per access (log scale)",
            series: &[Series {
                label: "measured latency of each tier".into(),
                points: pts,
            }],
            markers: &markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let known: Vec<(&str, u64, f64)> = self
            .tiers
            .iter()
            .filter_map(|t| {
                Some((
                    t.tier.as_str(),
                    *t.capacity_bytes.known()?,
                    *t.latency_ns.known()?,
                ))
            })
            .collect();
        match (known.first(), known.last()) {
            (Some(a), Some(b)) if known.len() > 1 => format!(
                "From {} to {}, capacity grows {}× ({} to {}) and latency {}× ({} to {}): every step down the hierarchy buys room with time.",
                a.0,
                b.0,
                fmt_sig(b.1 as f64 / a.1 as f64, 3),
                fmt_bytes(a.1),
                fmt_bytes(b.1),
                fmt_sig(b.2 / a.2, 3),
                fmt_ns(a.2),
                fmt_ns(b.2)
            ),
            _ => "Too few tiers were measured to compare.".into(),
        }
    }
}

impl fmt::Display for Tiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:>12} {:>14} {:>12}",
            "tier", "capacity", "latency", "GB/s"
        )?;
        for t in &self.tiers {
            writeln!(
                f,
                "{:<10} {:>12} {:>14} {:>12}",
                t.tier,
                t.capacity_bytes
                    .known()
                    .map(|b| fmt_bytes(*b))
                    .unwrap_or_else(|| "—".into()),
                t.latency_ns
                    .known()
                    .map(|v| fmt_ns(*v))
                    .unwrap_or_else(|| "—".into()),
                t.gb_per_s
                    .known()
                    .map(|v| fmt_sig(*v, 3))
                    .unwrap_or_else(|| "—".into())
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<36} {:>12} {:>10}  {:>10} {:>10}",
            "operation", "here", "× L1", "~2012", "D&G"
        )?;
        for n in &self.numbers {
            let r = |v: &Option<f64>| v.map(fmt_ns).unwrap_or_else(|| "—".into());
            writeln!(
                f,
                "{:<36} {:>12} {:>10}  {:>10} {:>10}",
                n.operation,
                n.measured_ns
                    .known()
                    .map(|v| fmt_ns(*v))
                    .unwrap_or_else(|| "—".into()),
                n.ratio_to_l1
                    .known()
                    .map(|v| format!("{}×", fmt_sig(*v, 3)))
                    .unwrap_or_default(),
                r(&n.dean_2012_ns),
                r(&n.dean_ghemawat_ns)
            )?;
        }
        writeln!(
            f,
            "(reference columns: published figures, not measured here; sources in data/latency_numbers.csv)"
        )?;
        write!(f, "{}", self.reading())
    }
}
