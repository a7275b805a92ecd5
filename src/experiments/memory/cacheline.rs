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
        let at = |s: u64| {
            self.points
                .iter()
                .find(|p| p.stride_bytes == s)
                .map(|p| p.ns_per_access)
        };
        let Some(l) = self.line_bytes else {
            return format!(
                "No clear knee in this run{}: the cost per read did not rise and then level off. Run again with a longer budget.",
                self.probed_line_bytes
                    .map(|p| format!(" (the machine card says lines are {p} bytes)"))
                    .unwrap_or_default()
            );
        };
        let knee = match self.probed_line_bytes {
            Some(p) if p == l => format!(
                "The cost per read stops growing at a {l}-byte stride, the line size the machine card reports: from there on every read brings a line of its own."
            ),
            Some(p) if l == 2 * p => format!(
                "The cost per read stops growing at a {l}-byte stride, twice the {p}-byte line the machine card reports: the hardware fetches lines in adjacent pairs (a spatial prefetcher), so a stride of {p} bytes still shares each fetch with the next read."
            ),
            Some(p) if l < p => format!(
                "The cost per read levels off at a {l}-byte stride, before the {p}-byte line the card reports: something other than line transfers (the adds, or L1 bandwidth) limits the small strides here."
            ),
            Some(p) => format!(
                "The cost per read stops growing at a {l}-byte stride, {}× the {p}-byte line the card reports: the prefetchers fetch more than one line per miss on this machine.",
                l / p.max(1)
            ),
            None => format!(
                "The cost per read stops growing at a {l}-byte stride: the line size, as measured (the card does not report one)."
            ),
        };
        let mut out = knee;
        if let (Some(first), Some(at_l)) = (self.points.first(), at(l)) {
            let per_word = first.ns_per_access;
            let words = (l / first.stride_bytes.max(1)) as f64;
            let share = at_l / (per_word * words);
            out.push_str(&format!(
                " Reading every {}-byte word costs {} ns a read; one read per {l} bytes costs {} ns, {} what the {} words of the same span cost one by one{}.",
                first.stride_bytes,
                fmt_sig(per_word, 3),
                fmt_sig(at_l, 3),
                if share > 0.8 { "nearly" } else { "only a share of" },
                words,
                if share > 0.8 {
                    ": you pay for the whole line either way"
                } else {
                    ""
                }
            ));
        }
        // A rise again beyond the knee: fewer reads per page and per set.
        if let [.., prev, last] = self.points.as_slice()
            && last.stride_bytes > l
            && last.ns_per_access > prev.ns_per_access * 1.25
        {
            out.push_str(&format!(
                " At {} bytes the cost rises again ({}×): each 4 KiB page now serves only {} reads, so translating addresses (the TLB) and crowding fewer cache sets cost more per read.",
                last.stride_bytes,
                fmt_sig(last.ns_per_access / prev.ns_per_access, 3),
                4096 / last.stride_bytes.max(1)
            ));
        }
        out
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
