//! `buses`: the links data crosses, in theory and as measured. This
//! machine's PCI Express links (generation and lanes, from sysfs) and
//! memory modules (type and speed, from the firmware's DMI tables where
//! readable), what each can carry (width × transfer rate), a reference
//! table of common links (`data/bus_bandwidth.csv`, labelled with its
//! sources), and the bandwidths this session measured — memory reads, the
//! disk, loopback TCP — set beside the links they cross.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::machine::Machine;
use crate::machine::buses::{MemoryModule, PcieLink, memory_modules, pcie_links};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_percent, fmt_sig};

/// The published table, committed with its sources.
const REFERENCE: &str = include_str!("../../../data/bus_bandwidth.csv");

/// One row of the reference table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceLink {
    /// "PCIe 4.0 x4 (NVMe)".
    pub link: String,
    /// "memory", "pcie", "network" or "usb".
    pub kind: String,
    /// GB/s one way, in theory.
    pub gb_per_s: f64,
}

/// A bandwidth this session measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredLink {
    /// What was measured.
    pub what: String,
    /// GB/s.
    pub gb_per_s: f64,
}

/// What memory reads measured (the `bandwidth` experiment's headline).
pub const DRAM: &str = "memory reads, all threads";
/// What sequential disk reads measured (`storage`).
pub const DISK: &str = "disk, sequential reads";
/// What loopback TCP measured (`network`).
pub const LOOPBACK: &str = "loopback TCP, one stream";

/// The `buses` result. JSON: `pcie` (`[{address, kind, gt_per_s, lanes,
/// max_gt_per_s, max_lanes}]` or `{"unavailable": why}`), `memory`
/// (`[{kind, mt_per_s, configured_mt_per_s, data_bits}]` or
/// `{"unavailable": why}`), `measured[{what, gb_per_s}]`,
/// `reference[{link, kind, gb_per_s}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Buses {
    /// Always "buses".
    pub experiment: String,
    /// This machine's PCI Express links.
    pub pcie: Fact<Vec<PcieLink>>,
    /// Its memory modules.
    pub memory: Fact<Vec<MemoryModule>>,
    /// Bandwidths measured in this session.
    pub measured: Vec<MeasuredLink>,
    /// The reference table.
    pub reference: Vec<ReferenceLink>,
}

/// The reference table (`data/bus_bandwidth.csv`).
pub fn reference() -> Vec<ReferenceLink> {
    REFERENCE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| {
            // The link's name may be quoted and hold commas.
            let (name, rest) = match l.strip_prefix('"') {
                Some(q) => {
                    let (name, rest) = q.split_once("\",")?;
                    (name.to_string(), rest)
                }
                None => {
                    let (name, rest) = l.split_once(',')?;
                    (name.to_string(), rest)
                }
            };
            let (kind, gb) = rest.split_once(',')?;
            Some(ReferenceLink {
                link: name,
                kind: kind.to_string(),
                gb_per_s: gb.trim().parse().ok()?,
            })
        })
        .collect()
}

/// Read this machine's buses, with the bandwidths `results` measured
/// (the `bandwidth`, `storage` and `network` results of this session, by
/// their headlines; any may be missing).
///
/// # Errors
/// None today; the signature leaves room for probes that can fail.
pub fn buses(_machine: &Machine, results: &[&dyn Outcome]) -> Result<Buses> {
    Ok(buses_at(Path::new("/"), results))
}

/// As [`buses`], reading the system files under `root` (a recorded
/// machine in tests).
pub fn buses_at(root: &Path, results: &[&dyn Outcome]) -> Buses {
    let headline = |key: &str| {
        results
            .iter()
            .flat_map(|r| r.headlines())
            .find(|h| h.key == key)
            .map(|h| h.value)
    };
    let mut measured = Vec::new();
    for (what, key, scale) in [
        (DRAM, "memory_read_gbs_all", 1.0),
        (DISK, "disk_seq_read_mbs", 1e-3),
        (LOOPBACK, "loopback_stream_gbs", 1.0),
    ] {
        if let Some(v) = headline(key).filter(|v| v.is_finite() && *v > 0.0) {
            measured.push(MeasuredLink {
                what: what.into(),
                gb_per_s: v * scale,
            });
        }
    }
    Buses {
        experiment: "buses".into(),
        pcie: pcie_links(root),
        memory: memory_modules(root),
        measured,
        reference: reference(),
    }
}

impl Buses {
    /// The bandwidth measured for `what` ([`DRAM`], [`DISK`] or
    /// [`LOOPBACK`]) in this session, GB/s.
    pub fn measured(&self, what: &str) -> Option<f64> {
        self.measured
            .iter()
            .find(|m| m.what == what)
            .map(|m| m.gb_per_s)
    }

    fn reference_gb(&self, link: &str) -> Option<f64> {
        self.reference
            .iter()
            .find(|r| r.link == link)
            .map(|r| r.gb_per_s)
    }

    /// `got` GB/s set beside the reference table's `link` (called `name`):
    /// ": 1.2× more than NAME's X GB/s" or ": 76% of NAME's X GB/s";
    /// nothing when the table has no such row.
    fn beside(&self, got: f64, link: &str, name: &str) -> String {
        let Some(theory) = self.reference_gb(link).filter(|t| *t > 0.0) else {
            return String::new();
        };
        format!(
            ": {} {name}'s {} GB/s",
            if got > theory {
                format!("{}× more than", fmt_sig(got / theory, 2))
            } else {
                format!("{} of", fmt_percent(got / theory))
            },
            fmt_sig(theory, 3)
        )
    }

    /// A link's name: "NVMe SSD: PCIe 3.0 x4".
    pub fn link_name(l: &PcieLink) -> String {
        format!(
            "{}: PCIe {}.0 x{}",
            l.kind,
            l.generation().map_or("?".into(), |g| g.to_string()),
            l.lanes
        )
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Buses {
    fn name(&self) -> &str {
        "buses"
    }

    fn plot(&self) -> Result<Figure> {
        let mut bars: Vec<(String, f64)> = self
            .measured
            .iter()
            .map(|m| (format!("measured: {}", m.what), m.gb_per_s))
            .collect();
        if let Fact::Known(links) = &self.pcie {
            bars.extend(links.iter().filter_map(|l| {
                Some((
                    format!("this machine, {}", Self::link_name(l)),
                    l.gb_per_s()?,
                ))
            }));
        }
        if let Fact::Known(mods) = &self.memory {
            bars.extend(mods.iter().filter_map(|m| {
                Some((
                    format!("this machine, {}-{} module", m.kind, m.mt_per_s),
                    m.gb_per_s()?,
                ))
            }));
        }
        bars.extend(
            self.reference
                .iter()
                .filter(|r| r.kind != "usb" && !r.link.ends_with("x1"))
                .map(|r| (format!("reference: {}", r.link), r.gb_per_s)),
        );
        bar_chart(
            "Buses: what links carry in theory, and what this machine measured",
            "GB/s, one way (theory: width × transfer rate)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        match &self.pcie {
            Fact::Known(links) => {
                s.push_str(&format!(
                    "This machine's PCI Express links: {}.",
                    links
                        .iter()
                        .map(|l| format!(
                            "{} ({} GB/s)",
                            Self::link_name(l),
                            l.gb_per_s().map_or("?".into(), |g| fmt_sig(g, 3))
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                let slow: Vec<String> = links
                    .iter()
                    .filter(|l| l.gt_per_s < l.max_gt_per_s || l.lanes < l.max_lanes)
                    .map(|l| {
                        format!(
                            "{} runs at {} GT/s x{} of its {} GT/s x{}",
                            l.kind,
                            fmt_sig(l.gt_per_s, 2),
                            l.lanes,
                            fmt_sig(l.max_gt_per_s, 2),
                            l.max_lanes
                        )
                    })
                    .collect();
                if !slow.is_empty() {
                    s.push_str(&format!(
                        " Below what the link allows right now: {} (an idle link often drops to a slower rate to save power).",
                        slow.join("; ")
                    ));
                }
                if !links.iter().any(|l| l.kind == "GPU") {
                    s.push_str(" No GPU sits on a PCIe link here (an integrated GPU, where there is one, shares the CPU's memory instead).");
                }
            }
            Fact::Unavailable(u) => {
                s.push_str(&format!("PCIe links: unavailable: {}.", u.unavailable));
            }
        }
        let dram = self.measured(DRAM);
        match (&self.memory, dram) {
            (Fact::Known(mods), got) => {
                let theory: f64 = mods.iter().filter_map(MemoryModule::gb_per_s).sum();
                let kinds: Vec<String> = mods
                    .iter()
                    .map(|m| format!("{}-{}", m.kind, m.mt_per_s))
                    .collect();
                s.push_str(&format!(
                    " Memory: {} module{} ({}), {} GB/s in theory if each has a channel of its own",
                    mods.len(),
                    if mods.len() == 1 { "" } else { "s" },
                    kinds.join(", "),
                    fmt_sig(theory, 3)
                ));
                match got {
                    Some(g) if theory > 0.0 => s.push_str(&format!(
                        "; reads measured {} GB/s, {} of it.",
                        fmt_sig(g, 3),
                        fmt_percent(g / theory)
                    )),
                    _ => s.push('.'),
                }
            }
            (Fact::Unavailable(u), Some(g)) => {
                s.push_str(&format!(
                    " Memory reads measured {} GB/s{} (the modules' own type and speed: unavailable: {}).",
                    fmt_sig(g, 3),
                    self.beside(g, "DDR4-3200 channel", "one DDR4-3200 channel"),
                    u.unavailable
                ));
            }
            (Fact::Unavailable(u), None) => {
                s.push_str(&format!(" Memory modules: unavailable: {}.", u.unavailable));
            }
        }
        if let Some(d) = self.measured(DISK) {
            let nvme = self.pcie.known().and_then(|links| {
                links
                    .iter()
                    .find(|l| l.kind == "NVMe SSD")
                    .and_then(|l| Some((Self::link_name(l), l.gb_per_s()?)))
            });
            match nvme {
                Some((name, link)) => s.push_str(&format!(
                    " Sequential disk reads measured {} GB/s over a link that carries {} GB/s ({}): {} of it.",
                    fmt_sig(d, 3),
                    fmt_sig(link, 3),
                    name,
                    fmt_percent(d / link)
                )),
                None => s.push_str(&format!(
                    " Sequential disk reads measured {} GB/s{}.",
                    fmt_sig(d, 3),
                    self.beside(d, "PCIe 3.0 x4 (NVMe)", "a PCIe 3.0 x4 NVMe link")
                )),
            }
        }
        if let Some(l) = self.measured(LOOPBACK) {
            s.push_str(&format!(
                " Loopback TCP moved {} GB/s without touching a wire{}.",
                fmt_sig(l, 3),
                self.beside(l, "Ethernet 10 Gb/s", "10 Gb Ethernet")
            ));
        }
        s.trim().to_string()
    }
}

impl fmt::Display for Buses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Fact::Known(links) = &self.pcie {
            for l in links {
                writeln!(
                    f,
                    "{:<14} {:<28} {:>8} GB/s (max {} GT/s x{})",
                    l.address,
                    Self::link_name(l),
                    l.gb_per_s().map_or("?".into(), |g| fmt_sig(g, 3)),
                    fmt_sig(l.max_gt_per_s, 2),
                    l.max_lanes
                )?;
            }
        }
        for m in &self.measured {
            writeln!(
                f,
                "measured: {:<28} {:>8} GB/s",
                m.what,
                fmt_sig(m.gb_per_s, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
