//! The bus probe against recorded and written-out machines, and the
//! `buses` reading against numbers where the usual story does not hold.

use std::fmt;
use std::path::{Path, PathBuf};

use hpp::error::Fact;
use hpp::experiments::Headline;
use hpp::experiments::Outcome;
use hpp::experiments::io::buses::{buses_at, reference};
use hpp::machine::buses::{
    generation, lane_gb_per_s, memory_modules, parse_memory_device, pcie_links,
};
use hpp::plot::Figure;
use serde::Serialize;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A result that only declares one headline.
#[derive(Serialize)]
struct Measured {
    key: String,
    value: f64,
}

impl fmt::Display for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.key, self.value)
    }
}

impl Outcome for Measured {
    fn name(&self) -> &str {
        "measured"
    }
    fn plot(&self) -> hpp::Result<Figure> {
        Err(hpp::Error::Plot("none".into()))
    }
    fn reading(&self) -> String {
        String::new()
    }
    fn headlines(&self) -> Vec<Headline> {
        Headline::new(self.key.clone(), "x", Some(self.value), "", true)
            .into_iter()
            .collect()
    }
}

fn m(key: &str, value: f64) -> Measured {
    Measured {
        key: key.into(),
        value,
    }
}

#[test]
fn lanes_and_generations() {
    assert_eq!(generation(8.0), Some(3));
    assert_eq!(generation(64.0), Some(6));
    assert_eq!(generation(7.0), None);
    assert!((lane_gb_per_s(2.5).unwrap() - 0.25).abs() < 1e-12);
    assert!((lane_gb_per_s(8.0).unwrap() * 4.0 - 3.938).abs() < 1e-3);
    assert!((lane_gb_per_s(64.0).unwrap() * 16.0 - 121.0).abs() < 1e-9);
    // The reference table agrees with the same arithmetic.
    let r = reference();
    let row = |l: &str| r.iter().find(|x| x.link == l).unwrap().gb_per_s;
    assert!((row("PCIe 4.0 x16") - lane_gb_per_s(16.0).unwrap() * 16.0).abs() < 0.01);
    assert!((row("PCIe 3.0 x4 (NVMe)") - lane_gb_per_s(8.0).unwrap() * 4.0).abs() < 0.01);
    assert_eq!(row("Wi-Fi 6, 2 streams, 160 MHz"), 0.3);
    assert!(r.len() >= 15);
}

#[test]
fn a_laptops_links_and_memory() {
    // Written from an i7-8550U laptop's layout: bridges, an integrated GPU
    // without a link, Wi-Fi on PCIe 1.0 x1, NVMe on 3.0 x4, a card reader
    // whose link is down; one DDR4-2400 SO-DIMM and an empty slot.
    let root = fixture("intel-i7-8550u-smt");
    let links = pcie_links(&root).known().cloned().unwrap();
    let kinds: Vec<&str> = links.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(kinds, ["Wi-Fi / network", "NVMe SSD"]);
    assert_eq!(links[1].generation(), Some(3));
    assert!((links[1].gb_per_s().unwrap() - 3.938).abs() < 1e-3);
    let mods = memory_modules(&root).known().cloned().unwrap();
    assert_eq!(mods.len(), 1);
    assert_eq!(mods[0].kind, "DDR4");
    assert_eq!((mods[0].mt_per_s, mods[0].data_bits), (2400, 64));
    assert!((mods[0].gb_per_s().unwrap() - 19.2).abs() < 1e-9);

    let dram = m("memory_read_gbs_all", 15.0);
    let disk = m("disk_seq_read_mbs", 2900.0);
    let lo = m("loopback_stream_gbs", 0.9);
    let b = buses_at(&root, &[&dram, &disk, &lo]);
    let text = b.reading();
    assert!(text.contains("NVMe SSD: PCIe 3.0 x4 (3.94 GB/s)"), "{text}");
    assert!(text.contains("No GPU sits on a PCIe link here"), "{text}");
    assert!(
        text.contains("Memory: 1 module (DDR4-2400), 19.2 GB/s in theory if each has a channel of its own; reads measured 15 GB/s, 78% of it."),
        "{text}"
    );
    assert!(
        text.contains("Sequential disk reads measured 2.9 GB/s over a link that carries 3.94 GB/s (NVMe SSD: PCIe 3.0 x4): 74% of it."),
        "{text}"
    );
    // Loopback slower than 10 Gb Ethernet: said so, not "more than".
    assert!(text.contains("72% of 10 Gb Ethernet's 1.25 GB/s"), "{text}");
    b.plot().unwrap();
    // Without the reference table, no figure stands in for it.
    let mut bare = b.clone();
    bare.reference.clear();
    let text = bare.reading();
    assert!(
        text.contains("Loopback TCP moved 0.9 GB/s without touching a wire."),
        "{text}"
    );
    assert!(!text.contains("Ethernet"), "{text}");
}

#[test]
fn a_link_below_its_best_and_a_gpu() {
    let tmp = std::env::temp_dir().join(format!("hpp-buses-{}", std::process::id()));
    let dev = tmp.join("sys/bus/pci/devices/0000:01:00.0");
    std::fs::create_dir_all(&dev).unwrap();
    for (f, v) in [
        ("class", "0x030000"),
        ("current_link_speed", "2.5 GT/s PCIe"),
        ("current_link_width", "16"),
        ("max_link_speed", "16.0 GT/s PCIe"),
        ("max_link_width", "16"),
    ] {
        std::fs::write(dev.join(f), format!("{v}\n")).unwrap();
    }
    let b = buses_at(&tmp, &[]);
    std::fs::remove_dir_all(&tmp).unwrap();
    let text = b.reading();
    assert!(text.contains("GPU: PCIe 1.0 x16 (4 GB/s)"), "{text}");
    assert!(
        text.contains("GPU runs at 2.5 GT/s x16 of its 16 GT/s x16"),
        "{text}"
    );
    assert!(!text.contains("No GPU"), "{text}");
    assert!(text.contains("Memory modules: unavailable"), "{text}");
}

#[test]
fn a_virtual_machine_says_why_not() {
    // This project's VM, recorded 2026-11-30: six virtio / emulated devices,
    // none with a PCIe link.
    let root = fixture("xeon-kvm-2cpu-pci");
    match pcie_links(&root) {
        Fact::Unavailable(u) => assert!(
            u.unavailable.contains("none of the 6 PCI devices"),
            "{}",
            u.unavailable
        ),
        Fact::Known(l) => panic!("{l:?}"),
    }
    let dram = m("memory_read_gbs_all", 30.0);
    let b = buses_at(&root, &[&dram]);
    let text = b.reading();
    assert!(text.starts_with("PCIe links: unavailable"), "{text}");
    assert!(
        text.contains("1.2× more than one DDR4-3200 channel's"),
        "{text}"
    );
    assert!(!text.contains("disk"), "{text}");
    // Nowhere at all.
    let none = buses_at(Path::new("/nonexistent-hpp-root"), &[]);
    assert!(
        none.reading()
            .contains("PCIe links: unavailable: no PCI devices listed")
    );
    none.plot().unwrap();
}

#[test]
fn smbios_memory_devices() {
    let raw = std::fs::read(fixture(
        "intel-i7-8550u-smt/sys/firmware/dmi/entries/17-0/raw",
    ))
    .unwrap();
    assert!(parse_memory_device(&raw).is_some());
    assert!(parse_memory_device(&raw[..10]).is_none(), "too short");
    let empty = std::fs::read(fixture(
        "intel-i7-8550u-smt/sys/firmware/dmi/entries/17-1/raw",
    ))
    .unwrap();
    assert!(parse_memory_device(&empty).is_none(), "an empty slot");
    let mut other = raw.clone();
    other[0] = 16;
    assert!(parse_memory_device(&other).is_none(), "not a memory device");
}
