//! The buses this machine's devices sit on: each PCI Express link's
//! generation and lanes (now, and the most the link allows) from Linux's
//! sysfs, and the memory modules' type and speed from the firmware's DMI
//! tables where they are readable (usually by root only).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Fact;

/// One device's PCI Express link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcieLink {
    /// The device's PCI address (`0000:01:00.0`).
    pub address: String,
    /// What the device is, from its class code ("GPU", "NVMe SSD", …).
    pub kind: String,
    /// Transfer rate per lane now, GT/s.
    pub gt_per_s: f64,
    /// Lanes now.
    pub lanes: u32,
    /// The most the link allows, GT/s.
    pub max_gt_per_s: f64,
    /// The most lanes the link allows.
    pub max_lanes: u32,
}

impl PcieLink {
    /// Data bandwidth one way, GB/s, at the current rate and lanes.
    pub fn gb_per_s(&self) -> Option<f64> {
        Some(lane_gb_per_s(self.gt_per_s)? * f64::from(self.lanes))
    }

    /// As [`Self::gb_per_s`], at the most the link allows.
    pub fn max_gb_per_s(&self) -> Option<f64> {
        Some(lane_gb_per_s(self.max_gt_per_s)? * f64::from(self.max_lanes))
    }

    /// The PCIe generation of the current rate.
    pub fn generation(&self) -> Option<u32> {
        generation(self.gt_per_s)
    }
}

/// The PCIe generation that runs at `gt` GT/s per lane.
pub fn generation(gt: f64) -> Option<u32> {
    [
        (2.5, 1),
        (5.0, 2),
        (8.0, 3),
        (16.0, 4),
        (32.0, 5),
        (64.0, 6),
    ]
    .iter()
    .find(|(rate, _)| (gt - rate).abs() < 0.01)
    .map(|&(_, g)| g)
}

/// Data bandwidth of one lane at `gt` GT/s, GB/s one way: the transfer
/// rate less the line code — 8b/10b for generations 1–2, 128b/130b for
/// 3–5, and for 6 (PAM4, FLIT mode) 242 of every 256 bytes (PCI-SIG's
/// base specifications).
pub fn lane_gb_per_s(gt: f64) -> Option<f64> {
    let efficiency = match generation(gt)? {
        1 | 2 => 8.0 / 10.0,
        3..=5 => 128.0 / 130.0,
        _ => 242.0 / 256.0,
    };
    Some(gt * efficiency / 8.0)
}

/// A device class code (`0x010802`) in words.
pub fn kind_of(class: u32) -> String {
    match class >> 8 {
        0x0300 | 0x0302 | 0x0380 => "GPU".into(),
        0x0108 => "NVMe SSD".into(),
        0x0106 => "SATA controller".into(),
        0x0200 => "Ethernet".into(),
        0x0280 => "Wi-Fi / network".into(),
        0x0c03 => "USB controller".into(),
        0x0604 => "PCIe bridge / port".into(),
        0x1200 => "accelerator".into(),
        _ => format!("device class {class:#08x}"),
    }
}

/// Every PCIe link under `root` (`/` for this machine), bridges and ports
/// left out, devices sorted by address.
pub fn pcie_links(root: &Path) -> Fact<Vec<PcieLink>> {
    let dir = root.join("sys/bus/pci/devices");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Fact::unavailable(format!(
            "no PCI devices listed ({} cannot be read: not Linux, or no PCI bus)",
            dir.display()
        ));
    };
    let mut devices = 0;
    let mut links = Vec::new();
    for e in entries.flatten() {
        devices += 1;
        let path = e.path();
        let read = |f: &str| std::fs::read_to_string(path.join(f)).ok();
        let Some(class) = read("class")
            .and_then(|c| u32::from_str_radix(c.trim().trim_start_matches("0x"), 16).ok())
        else {
            continue;
        };
        if class >> 8 == 0x0604 || class >> 8 == 0x0600 {
            continue; // bridges and host bridges: the links they lead to are their devices'
        }
        let rate = |f: &str| -> Option<f64> {
            // "8.0 GT/s PCIe" (or "8 GT/s" on older kernels); "Unknown" when idle.
            read(f)?.split_whitespace().next()?.parse().ok()
        };
        let lanes = |f: &str| -> Option<u32> { read(f)?.trim().parse().ok() };
        let (Some(gt), Some(w), Some(max_gt), Some(max_w)) = (
            rate("current_link_speed"),
            lanes("current_link_width"),
            rate("max_link_speed"),
            lanes("max_link_width"),
        ) else {
            continue;
        };
        if w == 0 {
            continue; // a link that is down
        }
        links.push(PcieLink {
            address: e.file_name().to_string_lossy().into_owned(),
            kind: kind_of(class),
            gt_per_s: gt,
            lanes: w,
            max_gt_per_s: max_gt,
            max_lanes: max_w,
        });
    }
    links.sort_by(|a, b| a.address.cmp(&b.address));
    if links.is_empty() {
        return Fact::unavailable(if devices == 0 {
            "no PCI devices listed".to_string()
        } else {
            format!(
                "none of the {devices} PCI devices reports a PCI Express link (a virtual machine's devices, or conventional PCI)"
            )
        });
    }
    Fact::Known(links)
}

/// One memory module, from the firmware's DMI table (SMBIOS type 17).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryModule {
    /// "DDR4", "DDR5", "LPDDR5", … or the type's number.
    pub kind: String,
    /// Rated transfers per second, MT/s.
    pub mt_per_s: u32,
    /// The transfers per second the firmware set, MT/s (0: not given).
    pub configured_mt_per_s: u32,
    /// Data width, bits.
    pub data_bits: u32,
}

impl MemoryModule {
    /// Bandwidth at the configured (else rated) speed, GB/s: transfers
    /// per second × bytes per transfer.
    pub fn gb_per_s(&self) -> Option<f64> {
        let mt = if self.configured_mt_per_s > 0 {
            self.configured_mt_per_s
        } else {
            self.mt_per_s
        };
        (mt > 0 && self.data_bits > 0)
            .then(|| f64::from(mt) * 1e6 * f64::from(self.data_bits) / 8.0 / 1e9)
    }
}

/// The memory type code of SMBIOS type 17 in words.
fn memory_kind(code: u8) -> String {
    match code {
        0x12 => "DDR".into(),
        0x13 => "DDR2".into(),
        0x18 => "DDR3".into(),
        0x1a => "DDR4".into(),
        0x1b => "LPDDR".into(),
        0x1c => "LPDDR2".into(),
        0x1d => "LPDDR3".into(),
        0x1e => "LPDDR4".into(),
        0x22 => "DDR5".into(),
        0x23 => "LPDDR5".into(),
        0x07 => "RAM (type not given)".into(),
        0x02 => "unknown".into(),
        c => format!("type {c:#04x}"),
    }
}

/// Read one SMBIOS type-17 structure (its formatted part): `None` for an
/// empty slot or a structure too short to say.
pub fn parse_memory_device(raw: &[u8]) -> Option<MemoryModule> {
    if raw.first() != Some(&17) || raw.len() < 0x17 {
        return None;
    }
    let word = |at: usize| -> u16 {
        raw.get(at..at + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
    };
    let size = word(0x0c);
    if size == 0 {
        return None; // no module in this slot
    }
    let data_bits = u32::from(word(0x0a));
    Some(MemoryModule {
        kind: memory_kind(raw[0x12]),
        mt_per_s: u32::from(word(0x15)),
        configured_mt_per_s: if raw.len() >= 0x22 {
            u32::from(word(0x20))
        } else {
            0
        },
        data_bits: if data_bits == 0xffff { 0 } else { data_bits },
    })
}

/// The memory modules under `root`'s DMI tables
/// (`sys/firmware/dmi/entries/17-*/raw`).
pub fn memory_modules(root: &Path) -> Fact<Vec<MemoryModule>> {
    let dir = root.join("sys/firmware/dmi/entries");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Fact::unavailable("no DMI tables listed (not Linux, or no firmware tables)");
    };
    let mut modules = Vec::new();
    let mut denied = false;
    let mut names: Vec<_> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("17-"))
        .map(|e| e.path())
        .collect();
    names.sort();
    for p in names {
        match std::fs::read(p.join("raw")) {
            Ok(raw) => modules.extend(parse_memory_device(&raw)),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => denied = true,
            Err(_) => {}
        }
    }
    if modules.is_empty() {
        return Fact::unavailable(if denied {
            "the memory's type and speed are in the firmware's DMI tables, which only root may read (sudo dmidecode -t memory shows them)"
        } else {
            "the firmware's DMI tables describe no memory module"
        });
    }
    Fact::Known(modules)
}
