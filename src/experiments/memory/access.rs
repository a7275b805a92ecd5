//! `access`: the same data read three ways — sequentially, one word per
//! cache line (strided), and in random order — across working-set sizes; and
//! the memory mountain (CS:APP): read throughput over size × stride.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::bandwidth::read_sum;
use crate::kernels::cache::{gather_sum, strided_sum};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::plan::{cache_markers, size_steps};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, HeatMap, Marker, Series, SizeChart, heatmap, size_chart};
use crate::units::{fmt_bytes, fmt_bytes_short, fmt_sig};

/// One pattern at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessPoint {
    /// "sequential", "strided" (one word per line) or "random".
    pub pattern: String,
    /// Working set.
    pub size_bytes: u64,
    /// Median nanoseconds per word read.
    pub ns_per_read: f64,
}

/// The memory mountain: `mb_per_s[size][stride]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mountain {
    /// Working sets (rows).
    pub sizes_bytes: Vec<u64>,
    /// Strides (columns).
    pub strides_bytes: Vec<u64>,
    /// Decimal MB/s of words actually read.
    pub mb_per_s: Vec<Vec<f64>>,
}

/// The `access` result. JSON: `points[{pattern, size_bytes, ns_per_read}]`,
/// `mountain{sizes_bytes, strides_bytes, mb_per_s}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Access {
    /// Always "access".
    pub experiment: String,
    /// Bytes between reads in the strided pattern (the line size).
    pub stride_bytes: u64,
    /// Every pattern at every size.
    pub points: Vec<AccessPoint>,
    /// Throughput over size × stride.
    pub mountain: Mountain,
    /// Cache sizes for the plot.
    pub markers: Vec<Marker>,
    /// Budget used.
    pub budget: String,
}

/// Measure from 16 KiB to 4× the last-level cache (capped by the budget).
///
/// # Errors
/// [`crate::Error::TooBig`] when the arrays would not fit in memory.
pub fn access(machine: &Machine, budget: &Budget) -> Result<Access> {
    let top = crate::measure::plan::beyond_caches(machine, budget);
    let sizes = size_steps(16 << 10, top, 4);
    let largest = *sizes.last().unwrap_or(&top);
    // The data plus the random order (4 bytes per word).
    budget.check_alloc(machine, "access's arrays", largest + largest / 2)?;
    let line = u64::from(machine.line_bytes().unwrap_or(64));
    let point = budget.per_point();
    let mut progress = Progress::new("access", sizes.len() * 2);
    let mut points = Vec::new();
    let strides: Vec<u64> = vec![8, 16, 32, 64, 128, 256];
    let mut mb = Vec::new();
    for &size in &sizes {
        progress.step(&format!("{}: sequential, strided, random", fmt_bytes(size)));
        let n = (size / 8) as usize;
        let words: Vec<u64> = (0..n as u64).collect();
        let floats: Vec<f64> = (0..n).map(|i| (i % 1024) as f64).collect();
        let mut rng = SplitMix64::new(size);
        let mut order: Vec<u32> = (0..n as u32).collect();
        rng.shuffle(&mut order);
        let per = |secs: f64, reads: usize| secs * 1e9 / reads as f64;
        let t = timeit_with(&point, || read_sum(black_box(&floats)));
        points.push(AccessPoint {
            pattern: "sequential".into(),
            size_bytes: size,
            ns_per_read: per(t.median_s, n),
        });
        let sw = (line / 8).max(1) as usize;
        let t = timeit_with(&point, || strided_sum(black_box(&words), sw));
        points.push(AccessPoint {
            pattern: "strided".into(),
            size_bytes: size,
            ns_per_read: per(t.median_s, n.div_ceil(sw)),
        });
        let t = timeit_with(&point, || gather_sum(black_box(&words), &order));
        points.push(AccessPoint {
            pattern: "random".into(),
            size_bytes: size,
            ns_per_read: per(t.median_s, n),
        });
        progress.step(&format!("{}: mountain row", fmt_bytes(size)));
        let row: Vec<f64> = strides
            .iter()
            .map(|&s| {
                let sw = (s / 8) as usize;
                let t = timeit_with(&point, || strided_sum(black_box(&words), sw));
                (n.div_ceil(sw) * 8) as f64 / t.median_s / 1e6
            })
            .collect();
        mb.push(row);
    }
    Ok(Access {
        experiment: "access".into(),
        stride_bytes: line,
        points,
        mountain: Mountain {
            sizes_bytes: sizes,
            strides_bytes: strides,
            mb_per_s: mb,
        },
        markers: cache_markers(machine),
        budget: budget.level.to_string(),
    })
}

impl Access {
    /// Show the line chart inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The memory mountain as a heat map.
    ///
    /// # Errors
    /// [`crate::Error::Plot`] when it is empty.
    pub fn mountain_plot(&self) -> Result<Figure> {
        let m = &self.mountain;
        let cols: Vec<String> = m.strides_bytes.iter().map(|s| format!("{s}")).collect();
        let rows: Vec<String> = m.sizes_bytes.iter().map(|s| fmt_bytes_short(*s)).collect();
        heatmap(&HeatMap {
            title: "The memory mountain: read throughput by working set and stride",
            x_desc: "stride (bytes)",
            y_desc: "working set",
            cols: &cols,
            rows: &rows,
            values: &m.mb_per_s,
            value_desc: "MB/s",
            log: true,
        })
    }

    fn at(&self, pattern: &str, largest: bool) -> Option<&AccessPoint> {
        let it = self.points.iter().filter(|p| p.pattern == pattern);
        if largest {
            it.max_by_key(|p| p.size_bytes)
        } else {
            it.min_by_key(|p| p.size_bytes)
        }
    }
}

impl Outcome for Access {
    fn name(&self) -> &str {
        "access"
    }

    fn plot(&self) -> Result<Figure> {
        let series: Vec<Series> = ["sequential", "strided", "random"]
            .iter()
            .map(|p| Series {
                label: match *p {
                    "strided" => format!("strided ({} B: one word per line)", self.stride_bytes),
                    other => other.to_string(),
                },
                points: self
                    .points
                    .iter()
                    .filter(|x| x.pattern == *p)
                    .map(|x| (x.size_bytes, x.ns_per_read))
                    .collect(),
            })
            .collect();
        size_chart(&SizeChart {
            title: "Sequential vs strided vs random reads of the same data",
            x_label: "working set (bytes, log scale)",
            y_label: "ns per word read (log scale)",
            series: &series,
            markers: &self.markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let (Some(s), Some(r), Some(st)) = (
            self.at("sequential", true),
            self.at("random", true),
            self.at("strided", true),
        ) else {
            return "Nothing was measured.".into();
        };
        let small = self.at("random", false).zip(self.at("sequential", false));
        format!(
            "At {}, reading words in random order costs {} ns each, {}× the sequential {} ns; one word per line costs {} ns. {}",
            fmt_bytes(s.size_bytes),
            fmt_sig(r.ns_per_read, 3),
            fmt_sig(r.ns_per_read / s.ns_per_read, 3),
            fmt_sig(s.ns_per_read, 3),
            fmt_sig(st.ns_per_read, 3),
            small
                .map(|(rs, ss)| {
                    let big_gap = r.ns_per_read / s.ns_per_read;
                    let small_gap = rs.ns_per_read / ss.ns_per_read;
                    if small_gap < 0.5 * big_gap {
                        format!(
                            "In a {} working set the gap is {}×, well under the large one's: order matters most once the data leaves the caches.",
                            fmt_bytes(ss.size_bytes),
                            fmt_sig(small_gap, 3)
                        )
                    } else {
                        format!(
                            "In a {} working set the gap is {}×, about as large: on this machine order costs even inside the caches.",
                            fmt_bytes(ss.size_bytes),
                            fmt_sig(small_gap, 3)
                        )
                    }
                })
                .unwrap_or_default()
        )
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>12} {:>11} {:>11} {:>11}   (ns per word)",
            "size", "sequential", "strided", "random"
        )?;
        for &size in &self.mountain.sizes_bytes {
            let v = |p: &str| {
                self.points
                    .iter()
                    .find(|x| x.pattern == p && x.size_bytes == size)
                    .map(|x| fmt_sig(x.ns_per_read, 3))
                    .unwrap_or_default()
            };
            writeln!(
                f,
                "{:>12} {:>11} {:>11} {:>11}",
                fmt_bytes(size),
                v("sequential"),
                v("strided"),
                v("random")
            )?;
        }
        writeln!(
            f,
            "memory mountain (MB/s), rows = size, columns = stride {:?} B",
            self.mountain.strides_bytes
        )?;
        for (size, row) in self
            .mountain
            .sizes_bytes
            .iter()
            .zip(&self.mountain.mb_per_s)
        {
            write!(f, "{:>12}", fmt_bytes(*size))?;
            for v in row {
                write!(f, " {:>8}", fmt_sig(*v, 3))?;
            }
            writeln!(f)?;
        }
        write!(f, "{}", self.reading())
    }
}
