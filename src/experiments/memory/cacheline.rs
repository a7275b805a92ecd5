//! `cacheline`: read every k-th 8-byte word of an array larger than the
//! caches, for strides of 8 to 512 bytes. While the stride is below the line
//! size, neighbouring reads share a line and each costs a fraction of a line
//! transfer; from the line size on, every read brings a line of its own and
//! the cost per read stops growing. That knee is the line size.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::cache::strided_sum;
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// One stride.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StridePoint {
    /// Bytes between consecutive reads.
    pub stride_bytes: u64,
    /// Median nanoseconds per read.
    pub ns_per_access: f64,
}

/// The `cacheline` result. JSON: `line_bytes` (detected), `probed_line_bytes`,
/// `points[{stride_bytes, ns_per_access}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheLine {
    /// Always "cacheline".
    pub experiment: String,
    /// Line size found from the curve, if there is a knee.
    pub line_bytes: Option<u64>,
    /// Line size the machine card reports, if known.
    pub probed_line_bytes: Option<u64>,
    /// Size of the array read.
    pub array_bytes: u64,
    /// Every stride measured.
    pub points: Vec<StridePoint>,
    /// Budget used.
    pub budget: String,
}

/// The line size from a stride curve: below the line the cost per read is
/// flat (the adds are the limit) or grows with the stride; from the line on
/// it stops growing. Find the first doubling that costs 40% more, then the
/// first stride after it where doubling again adds less than 25%. (Large
/// strides rise again when they crowd a few cache sets; that comes later.)
pub fn detect_line(points: &[StridePoint]) -> Option<u64> {
    let ratio = |i: usize| points[i + 1].ns_per_access / points[i].ns_per_access;
    let rise = (0..points.len().checked_sub(1)?).find(|&i| ratio(i) >= 1.4)?;
    (rise + 1..points.len() - 1)
        .find(|&i| ratio(i) < 1.25)
        .map(|i| points[i].stride_bytes)
}

/// Measure strides 8…512 bytes over an array half the size of the L2 cache
/// (256 KiB when the card does not know it). Served from L2, every new line
/// is one fill of L1; from main memory the prefetchers fetch neighbouring
/// lines too and the knee moves to 128 bytes on many CPUs.
///
/// # Errors
/// [`crate::Error::TooBig`] when the array would not fit in memory.
pub fn cacheline(machine: &Machine, budget: &Budget) -> Result<CacheLine> {
    let bytes = machine
        .data_caches()
        .iter()
        .find(|c| c.level == 2)
        .map(|c| c.size_bytes / 2)
        .unwrap_or(256 << 10)
        .max(4096);
    budget.check_alloc(machine, "cacheline's array", bytes)?;
    let a: Vec<u64> = (0..bytes / 8).collect();
    let strides: Vec<u64> = (3..=9).map(|p| 1u64 << p).collect();
    let point = budget.per_point();
    let mut progress = Progress::new("cacheline", strides.len());
    let mut points = Vec::new();
    for &s in &strides {
        progress.step(&format!("stride {s} B"));
        let words = (s / 8) as usize;
        let t = timeit_with(&point, || strided_sum(std::hint::black_box(&a), words));
        let reads = a.len().div_ceil(words);
        points.push(StridePoint {
            stride_bytes: s,
            ns_per_access: t.median_s * 1e9 / reads as f64,
        });
    }
    Ok(CacheLine {
        experiment: "cacheline".into(),
        line_bytes: detect_line(&points),
        probed_line_bytes: machine.line_bytes().map(u64::from),
        array_bytes: bytes,
        points,
        budget: budget.level.to_string(),
    })
}

impl CacheLine {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for CacheLine {
    fn name(&self) -> &str {
        "cacheline"
    }

    fn plot(&self) -> Result<Figure> {
        let series = vec![Series {
            label: format!(
                "strided read of a {} array (in L2)",
                fmt_bytes(self.array_bytes)
            ),
            points: self
                .points
                .iter()
                .map(|p| (p.stride_bytes, p.ns_per_access))
                .collect(),
        }];
        let markers: Vec<Marker> = self
            .probed_line_bytes
            .map(|l| Marker {
                label: format!("line {l} B (card)"),
                size_bytes: l,
            })
            .into_iter()
            .collect();
        size_chart(&SizeChart {
            title: "Cost per read as the stride grows: the cache line",
            x_label: "stride (bytes, log scale)",
            y_label: "ns per read (log scale)",
            series: &series,
            markers: &markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let probed = self
            .probed_line_bytes
            .map(|l| format!(" (the machine card says {l} bytes)"))
            .unwrap_or_default();
        match self.line_bytes {
            Some(l) => {
                let at = |s: u64| {
                    self.points
                        .iter()
                        .find(|p| p.stride_bytes == s)
                        .map(|p| p.ns_per_access)
                };
                let small = self.points.first();
                format!(
                    "The cost per read stops growing at a {l}-byte stride: this CPU moves memory in {l}-byte lines{probed}. Reading every 8-byte word costs {} ns each; reading one word per line costs {} ns — you pay for the whole line either way.",
                    small
                        .map(|p| fmt_sig(p.ns_per_access, 3))
                        .unwrap_or_default(),
                    at(l).map(|v| fmt_sig(v, 3)).unwrap_or_default()
                )
            }
            None => format!("No clear knee in this run{probed}: run again with a longer budget."),
        }
    }
}

impl fmt::Display for CacheLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:>8}  {:>10}", "stride", "ns/read")?;
        for p in &self.points {
            writeln!(
                f,
                "{:>6} B  {:>10}",
                p.stride_bytes,
                fmt_sig(p.ns_per_access, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
