//! `latency`: load-to-use latency across working-set sizes, by a pointer
//! chase through one random cycle of cache-line-sized nodes (lmbench's
//! `lat_mem_rd` method with a random order, so prefetchers cannot help).
//! Each plateau of the curve is one level of the memory hierarchy.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Headline, Overlay, Shape};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::cache::Chain;
use crate::machine::Machine;
use crate::machine::huge_pages::{huge_page_bytes, huge_pages_state};
use crate::measure::plan::{cache_markers, size_steps};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// Links followed per timed call.
const STEPS: usize = 1 << 14;

/// One measured size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyPoint {
    /// Bytes of the chain (nodes × node size).
    pub size_bytes: u64,
    /// Median nanoseconds per dependent load.
    pub ns_per_load: f64,
}

/// One level of the hierarchy as the curve shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyLevel {
    /// "L1d", "L2", "L3", "DRAM" (or "level N" when the caches are unknown).
    pub level: String,
    /// Where this level's plateau ends on the curve (the largest size still
    /// on it), found from the data alone; `None` for main memory.
    pub detected_bytes: Option<u64>,
    /// The cache's size as the machine card reports it, if known.
    pub probed_bytes: Option<u64>,
    /// The working set at which `ns_per_load` was measured.
    pub size_bytes: u64,
    /// Latency of this level.
    pub ns_per_load: f64,
    /// The same in clock cycles, when the clock was measured.
    pub cycles: Fact<f64>,
}

/// The `latency` result. JSON: `points[{size_bytes, ns_per_load}]`,
/// `levels[{level, detected_bytes, probed_bytes, size_bytes, ns_per_load}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Always "latency".
    pub experiment: String,
    /// Node size used (the cache line when known).
    pub node_bytes: u64,
    /// Effective clock during the run, from a dependent add chain (one add
    /// per cycle), in GHz.
    pub clock_ghz: Fact<f64>,
    /// Every size measured, ascending.
    pub points: Vec<LatencyPoint>,
    /// Levels found.
    pub levels: Vec<LatencyLevel>,
    /// The same chase on transparent huge pages, from 1 MiB up (what is left
    /// when TLB misses are mostly gone), or why it was not run.
    pub huge_pages: Fact<Vec<LatencyPoint>>,
    /// Bytes the kernel really backed with huge pages for the largest chain.
    pub huge_pages_granted_bytes: Option<u64>,
    /// Cache sizes drawn on the plot.
    pub markers: Vec<crate::plot::Marker>,
    /// Budget used.
    pub budget: String,
}

/// Measure load latency from 4 KiB to 4× the last-level cache (capped by the
/// budget: 64 MiB quick, 256 MiB default, 1 GiB thorough).
///
/// # Errors
/// [`crate::Error::TooBig`] when the largest chain would not fit in memory.
pub fn latency(machine: &Machine, budget: &Budget) -> Result<Latency> {
    let node_bytes = u64::from(machine.line_bytes().unwrap_or(64)).max(8);
    let top = crate::measure::plan::beyond_caches(machine, budget);
    let sizes = size_steps(4 << 10, top, 2);
    let largest = *sizes.last().unwrap_or(&top);
    // The chain plus the permutation built alongside it.
    budget.check_alloc(
        machine,
        "latency's largest chain",
        largest.saturating_mul(2),
    )?;
    let point = budget.per_point();
    let mut progress = Progress::new("latency", sizes.len());
    let mut points = Vec::with_capacity(sizes.len());
    for &size in &sizes {
        progress.step(&fmt_bytes(size));
        let nodes = (size / node_bytes).max(1) as usize;
        let chain = Chain::new(nodes, node_bytes as usize, 0x5EED ^ size)?;
        points.push(LatencyPoint {
            size_bytes: size,
            ns_per_load: ns_per_load(&chain, &point),
        });
    }
    let clock_ghz = crate::measure::clock::add_latency_ns(&point).map(|ns| 1.0 / ns);
    let mut levels = levels(&points, machine);
    for l in &mut levels {
        l.cycles = clock_ghz.clone().map(|ghz| l.ns_per_load * ghz);
    }
    let mut huge_pages_granted_bytes = None;
    let huge_pages = match huge_pages_state() {
        Ok(_) => {
            let big: Vec<u64> = sizes.iter().copied().filter(|&s| s >= 1 << 20).collect();
            let mut progress = Progress::new("latency (huge pages)", big.len());
            let mut out = Vec::new();
            for size in big {
                progress.step(&fmt_bytes(size));
                let chain = Chain::new_huge(
                    (size / node_bytes).max(1) as usize,
                    node_bytes as usize,
                    0x5EED ^ size,
                )?;
                out.push(LatencyPoint {
                    size_bytes: size,
                    ns_per_load: ns_per_load(&chain, &point),
                });
                huge_pages_granted_bytes = huge_page_bytes();
            }
            Fact::Known(out)
        }
        Err(u) => Fact::Unavailable(u),
    };
    Ok(Latency {
        experiment: "latency".into(),
        node_bytes,
        clock_ghz,
        points,
        levels,
        huge_pages,
        huge_pages_granted_bytes,
        markers: cache_markers(machine),
        budget: budget.level.to_string(),
    })
}

/// Median nanoseconds per link of `chain`. Each timed call continues where
/// the last stopped, so the loads walk the whole cycle rather than the same
/// first stretch of it.
fn ns_per_load(chain: &Chain, point: &Budget) -> f64 {
    let mut at = 0;
    let t = timeit_with(point, || {
        at = chain.chase(at, std::hint::black_box(STEPS));
        at
    });
    t.median_s * 1e9 / STEPS as f64
}

/// Plateaus of the curve: runs of points each within 15% of the one before.
/// Returns index ranges (inclusive).
pub fn plateaus(ns: &[f64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=ns.len() {
        let rising = i < ns.len() && ns[i] > ns[i - 1] * 1.15;
        if i == ns.len() || rising {
            out.push((start, i - 1));
            start = i;
        }
    }
    // Transition points form one-point "plateaus"; keep real ones (≥ 2
    // points) unless the curve has nothing else.
    let long: Vec<_> = out.iter().copied().filter(|(a, b)| b > a).collect();
    if long.is_empty() { out } else { long }
}

fn median_ns(points: &[LatencyPoint], (a, b): (usize, usize)) -> f64 {
    let v: Vec<f64> = points[a..=b].iter().map(|p| p.ns_per_load).collect();
    crate::measure::stats::median(&v).unwrap_or(f64::NAN)
}

/// Match the curve's plateaus to the probed caches in order (L1d, L2, …,
/// then main memory). Extra plateaus (TLB steps, noise) are merged with the
/// neighbour closest in latency until there is one per level.
pub fn levels(points: &[LatencyPoint], machine: &Machine) -> Vec<LatencyLevel> {
    let ns: Vec<f64> = points.iter().map(|p| p.ns_per_load).collect();
    let mut plats = plateaus(&ns);
    let caches = machine.data_caches();
    let want = caches.len() + 1;
    while !caches.is_empty() && plats.len() > want {
        let k = (0..plats.len() - 1)
            .min_by(|&i, &j| {
                let r = |i: usize| median_ns(points, plats[i + 1]) / median_ns(points, plats[i]);
                r(i).total_cmp(&r(j))
            })
            .unwrap_or(0);
        plats[k].1 = plats[k + 1].1;
        plats.remove(k + 1);
    }
    let at = |i: usize| (points[i].size_bytes, points[i].ns_per_load);
    let mut out = Vec::new();
    if caches.is_empty() {
        for (k, &(a, b)) in plats.iter().enumerate() {
            let last = k + 1 == plats.len();
            let (size_bytes, ns_per_load) = at((a + b) / 2);
            out.push(LatencyLevel {
                level: if last {
                    "memory".into()
                } else {
                    format!("level {}", k + 1)
                },
                detected_bytes: (!last).then_some(points[b].size_bytes),
                probed_bytes: None,
                size_bytes,
                ns_per_load,
                cycles: Fact::unavailable("the clock was not measured"),
            });
        }
        return out;
    }
    let complete = plats.len() == want;
    let mut below = 0u64;
    for (k, c) in caches.iter().enumerate() {
        let found = plats.get(k).filter(|_| complete || k + 1 < plats.len());
        let (detected_bytes, idx) = match found {
            Some(&(a, b)) => (Some(points[b].size_bytes), Some((a + b) / 2)),
            // Not on the curve: measure where the data fits this level only.
            None => (
                None,
                points
                    .iter()
                    .rposition(|p| p.size_bytes <= c.size_bytes / 2 && p.size_bytes > below),
            ),
        };
        if let Some(i) = idx {
            let (size_bytes, ns_per_load) = at(i);
            out.push(LatencyLevel {
                level: c.label(),
                detected_bytes,
                probed_bytes: Some(c.size_bytes),
                size_bytes,
                ns_per_load,
                cycles: Fact::unavailable("the clock was not measured"),
            });
        }
        below = c.size_bytes;
    }
    if let Some(last) = points
        .last()
        .filter(|p| p.size_bytes >= below.saturating_mul(2))
    {
        out.push(LatencyLevel {
            level: "DRAM".into(),
            detected_bytes: None,
            probed_bytes: None,
            size_bytes: last.size_bytes,
            ns_per_load: last.ns_per_load,
            cycles: Fact::unavailable("the clock was not measured"),
        });
    }
    out
}

impl Latency {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The level called `name` ("L1d", "L2", "DRAM", …).
    pub fn level(&self, name: &str) -> Option<&LatencyLevel> {
        self.levels.iter().find(|l| l.level == name)
    }
}

impl Outcome for Latency {
    fn name(&self) -> &str {
        "latency"
    }

    fn headlines(&self) -> Vec<Headline> {
        self.levels
            .iter()
            // A cache level counts only where the curve showed its plateau;
            // main memory has none by definition.
            .filter(|l| l.detected_bytes.is_some() || l.level == "DRAM")
            .filter_map(|l| {
                Headline::new(
                    format!("latency_{}_ns", l.level),
                    format!("Load latency, {}", l.level),
                    Some(l.ns_per_load),
                    "ns",
                    false,
                )
            })
            .collect()
    }

    fn overlays(&self) -> Vec<Overlay> {
        vec![Overlay {
            key: "latency".into(),
            title: "Load latency by working-set size, each member's machine".into(),
            x_label: "working set (bytes, log scale)".into(),
            y_label: "ns per dependent load".into(),
            shape: Shape::BySize {
                points: self
                    .points
                    .iter()
                    .map(|p| (p.size_bytes, p.ns_per_load))
                    .collect(),
                log_y: true,
            },
        }]
    }

    fn plot(&self) -> Result<Figure> {
        let mut series = vec![Series {
            label: format!("random pointer chase, {}-byte nodes", self.node_bytes),
            points: self
                .points
                .iter()
                .map(|p| (p.size_bytes, p.ns_per_load))
                .collect(),
        }];
        if let Fact::Known(h) = &self.huge_pages {
            series.push(Series {
                label: "the same on 2 MiB huge pages".into(),
                points: h.iter().map(|p| (p.size_bytes, p.ns_per_load)).collect(),
            });
        }
        size_chart(&SizeChart {
            title: "Memory latency: one dependent load at a time",
            x_label: "working set (bytes, log scale)",
            y_label: "ns per load (log scale)",
            series: &series,
            markers: &self.markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let l1 = self.levels.first();
        let parts: Vec<String> = self
            .levels
            .iter()
            .map(|l| {
                let found = match (l.detected_bytes, l.probed_bytes) {
                    (Some(d), Some(p)) => format!(
                        ", plateau ends near {} (card: {})",
                        fmt_bytes(d),
                        fmt_bytes(p)
                    ),
                    (Some(d), None) => format!(", plateau ends near {}", fmt_bytes(d)),
                    (None, Some(p)) => {
                        format!(" (card: {}; no clear end on the curve)", fmt_bytes(p))
                    }
                    (None, None) => String::new(),
                };
                let cycles = l
                    .cycles
                    .known()
                    .map(|c| format!(" (~{} cycles)", fmt_sig(*c, 2)))
                    .unwrap_or_default();
                format!(
                    "{} {} ns{cycles}{}",
                    l.level,
                    fmt_sig(l.ns_per_load, 3),
                    found
                )
            })
            .collect();
        let ratio = match (l1, self.levels.last()) {
            (Some(a), Some(b)) if self.levels.len() > 1 && a.ns_per_load > 0.0 => format!(
                " A load from {} costs {}× one from {}.",
                b.level,
                fmt_sig(b.ns_per_load / a.ns_per_load, 3),
                a.level
            ),
            _ => String::new(),
        };
        let huge = match (&self.huge_pages, self.points.last()) {
            (Fact::Known(h), Some(last)) => {
                match h.iter().find(|p| p.size_bytes == last.size_bytes) {
                    Some(p) => {
                        let granted = match self.huge_pages_granted_bytes {
                        Some(0) => " (but the kernel granted no huge pages, so this only repeats the run)".to_string(),
                        Some(b) => format!(" ({} granted as huge pages)", fmt_bytes(b)),
                        None => String::new(),
                    };
                        format!(
                            " On huge pages{granted} the {} chase takes {} ns instead of {}: {}.",
                            fmt_bytes(p.size_bytes),
                            fmt_sig(p.ns_per_load, 3),
                            fmt_sig(last.ns_per_load, 3),
                            if p.ns_per_load < last.ns_per_load * 0.9 {
                                "the difference is what TLB misses cost"
                            } else {
                                "TLB misses are a small part of a miss to memory here"
                            }
                        )
                    }
                    None => String::new(),
                }
            }
            (Fact::Unavailable(u), _) => format!(" Huge pages: {u}."),
            _ => String::new(),
        };
        format!(
            "Load latency on this machine: {}.{ratio}{huge}",
            parts.join("; ")
        )
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:>12}  {:>10}", "size", "ns/load")?;
        for p in &self.points {
            writeln!(
                f,
                "{:>12}  {:>10}",
                fmt_bytes(p.size_bytes),
                fmt_sig(p.ns_per_load, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
