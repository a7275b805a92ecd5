//! Reference data on execution units: how many vector FMAs a core starts per
//! cycle at each width, for the x86 cores in `data/fma_units.csv` (sources in
//! that file). Used to put a theoretical peak beside the measured one; it is
//! never used in place of a measurement.

use serde::{Deserialize, Serialize};

use super::{FamilyModel, Machine};
use crate::error::Fact;

/// The table, compiled in so a notebook cell finds it wherever it runs.
const TABLE: &str = include_str!("../../data/fma_units.csv");

/// One row of `data/fma_units.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FmaUnits {
    /// Microarchitecture name, e.g. "Zen 4".
    pub uarch: String,
    /// 128-bit (and scalar) FMAs per cycle.
    pub fma128: Option<u32>,
    /// 256-bit FMAs per cycle.
    pub fma256: Option<u32>,
    /// 512-bit FMAs per cycle (`None`: absent or varies by SKU).
    pub fma512: Option<u32>,
    /// Where the figures come from.
    pub source: String,
}

impl FmaUnits {
    /// FMA instructions per cycle at `bits` (64 = scalar, on the 128-bit
    /// units), if the table knows.
    pub fn per_cycle(&self, bits: u32) -> Option<u32> {
        match bits {
            64 | 128 => self.fma128,
            256 => self.fma256,
            512 => self.fma512,
            _ => None,
        }
    }

    /// Floating-point operations per cycle per core at `bits` for elements of
    /// `elem_bytes` bytes: FMAs × lanes × 2.
    pub fn flops_per_cycle(&self, bits: u32, elem_bytes: u32) -> Option<f64> {
        let lanes = if bits <= 64 { 1 } else { bits / 8 / elem_bytes };
        self.per_cycle(bits).map(|n| f64::from(2 * n * lanes))
    }
}

fn num(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Parse the CSV text (comment lines start with `#`; the header names the
/// columns). Malformed rows are skipped.
pub fn parse_table(text: &str) -> Vec<(String, u32, u32, u32, FmaUnits)> {
    let mut rows = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
    {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() != 9 {
            continue;
        }
        let (Some(family), Some(first), Some(last)) = (num(c[1]), num(c[2]), num(c[3])) else {
            continue;
        };
        rows.push((
            c[0].trim().to_string(),
            family,
            first,
            last,
            FmaUnits {
                uarch: c[4].trim().to_string(),
                fma128: num(c[5]),
                fma256: num(c[6]),
                fma512: num(c[7]),
                source: c[8].trim().to_string(),
            },
        ));
    }
    rows
}

/// The row for `vendor` and `fm`, if the table has one.
pub fn lookup(vendor: &str, fm: FamilyModel) -> Option<FmaUnits> {
    parse_table(TABLE)
        .into_iter()
        .find(|(v, f, lo, hi, _)| v == vendor && *f == fm.family && (*lo..=*hi).contains(&fm.model))
        .map(|r| r.4)
}

/// The FMA units of this machine's CPU, or why they are not known.
pub fn fma_units(machine: &Machine) -> Fact<FmaUnits> {
    if machine.cpu.arch != "x86_64" {
        return Fact::unavailable(format!(
            "hpp's table of FMA units (data/fma_units.csv) covers x86-64 cores only, not {}",
            machine.cpu.arch
        ));
    }
    let (Some(vendor), Some(fm)) = (machine.cpu.vendor.known(), machine.cpu.family_model.known())
    else {
        return Fact::unavailable(
            "CPU vendor or family/model unknown, so no per-model table applies",
        );
    };
    match lookup(vendor, *fm) {
        Some(u) => Fact::Known(u),
        None => Fact::unavailable(format!(
            "{vendor} family {} model {} is not in hpp's table of FMA units (data/fma_units.csv)",
            fm.family, fm.model
        )),
    }
}
