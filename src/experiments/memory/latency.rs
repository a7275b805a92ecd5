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
use crate::measure::plan::{cache_markers, half_octave_steps};
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
    /// Where this level's plateau starts on the curve (its smallest size),
    /// when the curve showed one.
    #[serde(default)]
    pub start_bytes: Option<u64>,
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
    let sizes = half_octave_steps(4 << 10, top);
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
    let mut huge_pages_granted_bytes = None;
    let huge_pages = match huge_pages_state() {
        Ok(_) => {
            // From 64 KiB: the first-level TLB's reach on 4 KiB pages is a
            // few hundred KiB, so its step can fall inside L2.
            let big: Vec<u64> = sizes.iter().copied().filter(|&s| s >= 64 << 10).collect();
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
    let mut levels = levels(&points, huge_pages.known().map(Vec::as_slice), machine);
    for l in &mut levels {
        l.cycles = clock_ghz.clone().map(|ghz| l.ns_per_load * ghz);
    }
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

/// How far apart, as a ratio, the fastest and slowest loads of one plateau
/// may be. Neighbouring levels of the hierarchy differ by 2× and more
/// (L1 → L2 about 3×, a cache → main memory 3–10×); the TLB's steps inside a
/// level, on the curve the levels are read from, stay well below this.
const PLATEAU_SPREAD: f64 = 1.5;

/// The curve the levels are read from: at each size the lower of the two
/// chases (4 KiB pages and, where measured, huge pages), so a step that only
/// TLB misses make is not taken for a level of the hierarchy.
pub fn level_curve(points: &[LatencyPoint], huge: Option<&[LatencyPoint]>) -> Vec<LatencyPoint> {
    points
        .iter()
        .map(|p| {
            let on_huge = huge
                .and_then(|h| h.iter().find(|q| q.size_bytes == p.size_bytes))
                .map(|q| q.ns_per_load)
                .filter(|ns| ns.is_finite() && *ns > 0.0);
            LatencyPoint {
                size_bytes: p.size_bytes,
                ns_per_load: on_huge.map_or(p.ns_per_load, |h| h.min(p.ns_per_load)),
            }
        })
        .collect()
}

/// Plateaus of a latency curve, as inclusive index ranges. Neighbouring
/// runs of points are merged, the closest pair first, as long as the merged
/// run's slowest load is within 1.5× of its fastest; the order
/// of merging does not depend on where the sweep starts, so noise in one
/// point moves a boundary by at most that point. Single points left between
/// plateaus are transitions (a working set that is partly in each level)
/// and are dropped, unless the curve has nothing else.
pub fn plateaus(ns: &[f64]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = (0..ns.len()).map(|i| (i, i)).collect();
    let spread = |a: usize, b: usize| {
        let (lo, hi) = ns[a..=b]
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        hi / lo
    };
    loop {
        let best = (0..runs.len().saturating_sub(1))
            .map(|k| (k, spread(runs[k].0, runs[k + 1].1)))
            .filter(|&(_, r)| r <= PLATEAU_SPREAD)
            .min_by(|x, y| x.1.total_cmp(&y.1));
        let Some((k, _)) = best else { break };
        runs[k].1 = runs[k + 1].1;
        runs.remove(k + 1);
    }
    let long: Vec<_> = runs.iter().copied().filter(|(a, b)| b > a).collect();
    if long.is_empty() { runs } else { long }
}

fn median_ns(points: &[LatencyPoint], (a, b): (usize, usize)) -> f64 {
    let v: Vec<f64> = points[a..=b].iter().map(|p| p.ns_per_load).collect();
    crate::measure::stats::median(&v).unwrap_or(f64::NAN)
}

/// The levels of the hierarchy the curve shows, read from
/// [`level_curve`]. With the card's caches known, the plateaus are named in
/// order (L1d, L2, …, then DRAM) when there is one per level, extra ones
/// merged with the neighbour closest in latency. When the curve shows fewer,
/// each plateau takes the first cache it fits in, and the last one is named
/// DRAM only if the sweep went past twice the last-level cache; otherwise
/// it is "L3 or DRAM": a plateau at main memory's speed is never called a
/// cache because the card says the cache is bigger. A cache with no plateau
/// on the curve gets no level (the reading names it).
pub fn levels(
    points: &[LatencyPoint],
    huge: Option<&[LatencyPoint]>,
    machine: &Machine,
) -> Vec<LatencyLevel> {
    if points.is_empty() {
        return Vec::new();
    }
    let curve = level_curve(points, huge);
    let ns: Vec<f64> = curve.iter().map(|p| p.ns_per_load).collect();
    let mut plats = plateaus(&ns);
    let caches = machine.data_caches();
    let want = caches.len() + 1;
    while !caches.is_empty() && plats.len() > want {
        let k = (0..plats.len() - 1)
            .min_by(|&i, &j| {
                let r = |i: usize| median_ns(&curve, plats[i + 1]) / median_ns(&curve, plats[i]);
                r(i).total_cmp(&r(j))
            })
            .unwrap_or(0);
        plats[k].1 = plats[k + 1].1;
        plats.remove(k + 1);
    }
    let last_point = &curve[curve.len() - 1];
    let level = |name: String, (a, b): (usize, usize), memory: bool| {
        let (size_bytes, ns_per_load) = if memory {
            (last_point.size_bytes, last_point.ns_per_load)
        } else {
            (curve[(a + b) / 2].size_bytes, median_ns(&curve, (a, b)))
        };
        LatencyLevel {
            level: name,
            start_bytes: Some(curve[a].size_bytes),
            detected_bytes: (!memory).then_some(curve[b].size_bytes),
            probed_bytes: None,
            size_bytes,
            ns_per_load,
            cycles: Fact::unavailable("the clock was not measured"),
        }
    };
    if caches.is_empty() {
        let n = plats.len();
        return plats
            .iter()
            .enumerate()
            .map(|(k, &r)| {
                let last = k + 1 == n;
                let name = if last {
                    "memory".to_string()
                } else {
                    format!("level {}", k + 1)
                };
                level(name, r, last)
            })
            .collect();
    }
    let mut out = Vec::new();
    if plats.len() == want {
        for (c, &r) in caches.iter().zip(&plats) {
            let mut l = level(c.label(), r, false);
            l.probed_bytes = Some(c.size_bytes);
            out.push(l);
        }
        out.push(level("DRAM".into(), plats[want - 1], true));
        return out;
    }
    let llc = caches.last().map_or(0, |c| c.size_bytes);
    let past_caches = last_point.size_bytes >= llc.saturating_mul(2);
    let mut next = 0;
    for (k, &(a, b)) in plats.iter().enumerate() {
        let fits = caches[next.min(caches.len())..]
            .iter()
            .position(|c| c.size_bytes >= curve[b].size_bytes)
            .map(|i| i + next);
        if k + 1 == plats.len() {
            let name = match fits {
                _ if past_caches => "DRAM".to_string(),
                Some(i) => format!("{} or DRAM", caches[i].label()),
                None => "DRAM".to_string(),
            };
            out.push(level(name, (a, b), true));
        } else if let Some(i) = fits {
            let mut l = level(caches[i].label(), (a, b), false);
            l.probed_bytes = Some(caches[i].size_bytes);
            out.push(l);
            next = i + 1;
        } else {
            out.push(level(format!("level {}", k + 1), (a, b), false));
        }
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
        let parts: Vec<String> = self.levels.iter().map(level_phrase).collect();
        let ratio = match (self.levels.first(), self.levels.last()) {
            (Some(a), Some(b)) if self.levels.len() > 1 && a.ns_per_load > 0.0 => format!(
                " A load from {} costs {}× one from {}.",
                b.level,
                fmt_sig(b.ns_per_load / a.ns_per_load, 3),
                a.level
            ),
            _ => String::new(),
        };
        let unseen: Vec<String> = self
            .markers
            .iter()
            .filter_map(|m| m.label.split_whitespace().next().map(|name| (name, m)))
            .filter(|(name, _)| !self.levels.iter().any(|l| l.level.starts_with(name)))
            .map(|(name, m)| format!("{name} (card: {})", fmt_bytes(m.size_bytes)))
            .collect();
        let unseen = if unseen.is_empty() || self.levels.is_empty() {
            String::new()
        } else {
            format!(
                " No plateau on the curve for {}: the level is too small or too close to its neighbours in speed to show, or this program's share of it ends sooner.",
                unseen.join(", ")
            )
        };
        let from_huge = match &self.huge_pages {
            Fact::Known(h) if !h.is_empty() => {
                " Each level is read from the lower of the two curves, so TLB misses are not taken for a level."
            }
            _ => "",
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
            "Load latency on this machine: {}.{ratio}{unseen}{from_huge}{}{huge}",
            parts.join("; "),
            self.rises_inside_levels()
        )
    }
}

/// One level as the reading lists it.
fn level_phrase(l: &LatencyLevel) -> String {
    let found = match (l.detected_bytes, l.probed_bytes) {
        (Some(d), Some(p)) if d.saturating_mul(4) < p => format!(
            ", plateau ends near {} (card: {}; far sooner: the share of this cache one program gets is smaller — other cores, or a virtual machine's host, use the rest)",
            fmt_bytes(d),
            fmt_bytes(p)
        ),
        (Some(d), Some(p)) => format!(
            ", plateau ends near {} (card: {})",
            fmt_bytes(d),
            fmt_bytes(p)
        ),
        (Some(d), None) => format!(", plateau ends near {}", fmt_bytes(d)),
        (None, _) if l.level.ends_with("or DRAM") => format!(
            " from {} to the end of the sweep (it stopped inside the cache the card reports, so the curve cannot tell which)",
            fmt_bytes(l.start_bytes.unwrap_or(l.size_bytes))
        ),
        (None, _) => match l.start_bytes {
            Some(b) => format!(" (from {} on)", fmt_bytes(b)),
            None => String::new(),
        },
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
}

impl Latency {
    /// For each level, the first size inside its plateau where a load on
    /// 4 KiB pages costs clearly more (a quarter) than the level's own
    /// latency, with its cause as the huge-page chase at that size says it:
    /// the TLB (the CPU's small table of recent page translations) when huge
    /// pages are clearly faster there, something else when they rise as
    /// well. Where no huge-page chase was run at that size the rise is left
    /// unexplained rather than guessed at.
    fn rises_inside_levels(&self) -> String {
        let Some(huge) = self.huge_pages.known() else {
            return String::new();
        };
        // The largest size has its own sentence (the huge-page comparison).
        let last = self.points.last().map_or(0, |p| p.size_bytes);
        let mut out = String::new();
        for l in &self.levels {
            let from = l.start_bytes.unwrap_or(l.size_bytes);
            let to = l
                .detected_bytes
                .unwrap_or(u64::MAX)
                .min(last.saturating_sub(1));
            let Some(p) = self.points.iter().find(|p| {
                (from..=to).contains(&p.size_bytes) && p.ns_per_load >= l.ns_per_load * 1.25
            }) else {
                continue;
            };
            let Some(q) = huge.iter().find(|q| q.size_bytes == p.size_bytes) else {
                continue;
            };
            let cause = if q.ns_per_load <= p.ns_per_load * 0.85 {
                "the working set has outgrown the TLB's reach (each of its entries maps one 4 KiB page, or one 2 MiB huge page), so each load first looks its page up in the page tables"
            } else {
                "not the TLB, since fewer, larger pages do not remove it"
            };
            out.push_str(&format!(
                " Inside {}, loads on 4 KiB pages cost {} ns at {} against the level's {}, and {} on huge pages: {cause}.",
                l.level,
                fmt_sig(p.ns_per_load, 3),
                fmt_bytes(p.size_bytes),
                fmt_sig(l.ns_per_load, 3),
                fmt_sig(q.ns_per_load, 3)
            ));
        }
        out
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
