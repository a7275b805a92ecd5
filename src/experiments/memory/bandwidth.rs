//! `bandwidth`: STREAM-style read, write, copy and triad (and streaming-store
//! variants) across working-set sizes and thread counts. Each thread has its
//! own arrays; GB/s counts the bytes the kernel reads and writes, as STREAM
//! does, and every run's result is validated.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Headline, Overlay, Shape};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::bandwidth::{BwKernel, streaming_stores_available};
use crate::machine::Machine;
use crate::measure::plan::{cache_markers, size_steps};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BwPoint {
    /// "read", "write", "copy", "triad", "write_nt", "copy_nt", "triad_nt".
    pub kernel: String,
    /// Threads running at once, each on its own arrays.
    pub threads: usize,
    /// Bytes of one thread's arrays together.
    pub size_bytes: u64,
    /// Decimal GB/s, all threads together (median of runs).
    pub gb_per_s: f64,
}

/// The `bandwidth` result. JSON: `points[{kernel, threads, size_bytes, gb_per_s}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bandwidth {
    /// Always "bandwidth".
    pub experiment: String,
    /// Every measurement.
    pub points: Vec<BwPoint>,
    /// Thread counts measured.
    pub thread_counts: Vec<usize>,
    /// Whether the `_nt` kernels used real streaming stores.
    pub streaming_stores: bool,
    /// Cache sizes drawn on the plot.
    pub markers: Vec<Marker>,
    /// Budget used.
    pub budget: String,
}

/// Run the sweep: every kernel, at sizes from 16 KiB to 4× the last-level
/// cache (per thread, capped by the budget), with 1 … `threads` threads
/// (`None`: every usable CPU).
///
/// # Errors
/// [`crate::Error::BadInput`] for an absurd thread count, [`crate::Error::TooBig`] when the arrays of
/// all threads would not fit in memory, and an error naming the kernel if a
/// result fails validation.
pub fn bandwidth(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Bandwidth> {
    let max_threads = crate::measure::plan::threads(machine, threads)?;
    let top = crate::measure::plan::beyond_caches(machine, budget);
    let sizes = size_steps(16 << 10, top, 4);
    let largest = *sizes.last().unwrap_or(&top);
    budget.check_alloc(
        machine,
        &format!("bandwidth's arrays for {max_threads} threads"),
        largest.saturating_mul(max_threads as u64),
    )?;
    let counts = crate::measure::plan::thread_counts(max_threads);
    let point = budget.per_point();
    let mut progress = Progress::new("bandwidth", sizes.len() * counts.len());
    let mut points = Vec::new();
    for &t in &counts {
        for &size in &sizes {
            progress.step(&format!(
                "{} per thread, {t} thread{}",
                fmt_bytes(size),
                if t == 1 { "" } else { "s" }
            ));
            for k in BwKernel::ALL {
                let gb_per_s = crate::measure::bandwidth::gb_per_s(k, t, size, &point)?;
                points.push(BwPoint {
                    kernel: k.name().to_string(),
                    threads: t,
                    size_bytes: size,
                    gb_per_s,
                });
            }
        }
    }
    Ok(Bandwidth {
        experiment: "bandwidth".into(),
        points,
        thread_counts: counts,
        streaming_stores: streaming_stores_available(),
        markers: cache_markers(machine),
        budget: budget.level.to_string(),
    })
}

impl Bandwidth {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// GB/s of `kernel` with `threads` threads at the largest size measured.
    pub fn at_largest(&self, kernel: &str, threads: usize) -> Option<&BwPoint> {
        self.points
            .iter()
            .filter(|p| p.kernel == kernel && p.threads == threads)
            .max_by_key(|p| p.size_bytes)
    }

    /// GB/s of `kernel` with `threads` threads at the smallest size measured.
    pub fn at_smallest(&self, kernel: &str, threads: usize) -> Option<&BwPoint> {
        self.points
            .iter()
            .filter(|p| p.kernel == kernel && p.threads == threads)
            .min_by_key(|p| p.size_bytes)
    }
}

impl Outcome for Bandwidth {
    fn name(&self) -> &str {
        "bandwidth"
    }

    fn headlines(&self) -> Vec<Headline> {
        let largest = self.points.iter().map(|p| p.size_bytes).max();
        let read_at = |threads: Option<usize>| {
            self.points
                .iter()
                .filter(|p| p.kernel == "read" && Some(p.size_bytes) == largest)
                .filter(|p| threads.is_none_or(|t| p.threads == t))
                .map(|p| p.gb_per_s)
                .reduce(f64::max)
        };
        [
            Headline::new(
                "memory_read_gbs_1t",
                "Memory read bandwidth, one thread",
                read_at(Some(1)),
                "GB/s",
                true,
            ),
            Headline::new(
                "memory_read_gbs_all",
                "Memory read bandwidth, all threads",
                read_at(None),
                "GB/s",
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn overlays(&self) -> Vec<Overlay> {
        vec![Overlay {
            key: "bandwidth".into(),
            title: "Read bandwidth (one thread) by working-set size, each member's machine".into(),
            x_label: "working set (bytes, log scale)".into(),
            y_label: "GB/s".into(),
            shape: Shape::BySize {
                points: self
                    .points
                    .iter()
                    .filter(|p| p.kernel == "read" && p.threads == 1)
                    .map(|p| (p.size_bytes, p.gb_per_s))
                    .collect(),
                log_y: true,
            },
        }]
    }

    fn plot(&self) -> Result<Figure> {
        let max_t = self.thread_counts.last().copied().unwrap_or(1);
        let mut series: Vec<Series> = ["read", "write", "copy", "triad", "copy_nt"]
            .iter()
            .map(|k| Series {
                label: format!("{k}, 1 thread"),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.kernel == *k && p.threads == 1)
                    .map(|p| (p.size_bytes, p.gb_per_s))
                    .collect(),
            })
            .collect();
        if max_t > 1 {
            for k in ["read", "triad"] {
                series.push(Series {
                    label: format!("{k}, {max_t} threads"),
                    points: self
                        .points
                        .iter()
                        .filter(|p| p.kernel == k && p.threads == max_t)
                        .map(|p| (p.size_bytes, p.gb_per_s))
                        .collect(),
                });
            }
        }
        size_chart(&SizeChart {
            title: "Memory bandwidth by working-set size (STREAM-style)",
            x_label: "working set per thread (bytes, log scale)",
            y_label: "GB/s (decimal, reads + writes)",
            series: &series,
            markers: &self.markers,
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let max_t = self.thread_counts.last().copied().unwrap_or(1);
        let (Some(small), Some(big)) = (self.at_smallest("read", 1), self.at_largest("read", 1))
        else {
            return "No bandwidth was measured.".into();
        };
        let drop = small.gb_per_s / big.gb_per_s;
        let verdict = if drop >= 1.2 {
            format!(
                "{}× less once the data has to come from further out",
                fmt_sig(drop, 3)
            )
        } else {
            "no less: here one thread's reads were limited by the core, not by where the data lives"
                .to_string()
        };
        let mut s = format!(
            "One thread reads {} GB/s from a {} working set and {} GB/s from {}: {verdict}.",
            fmt_sig(small.gb_per_s, 3),
            fmt_bytes(small.size_bytes),
            fmt_sig(big.gb_per_s, 3),
            fmt_bytes(big.size_bytes),
        );
        if max_t > 1
            && let (Some(t1), Some(tn)) =
                (self.at_largest("triad", 1), self.at_largest("triad", max_t))
        {
            s.push_str(&format!(
                " Triad at {}: {} GB/s with 1 thread, {} GB/s with {max_t} ({}×).",
                fmt_bytes(t1.size_bytes),
                fmt_sig(t1.gb_per_s, 3),
                fmt_sig(tn.gb_per_s, 3),
                fmt_sig(tn.gb_per_s / t1.gb_per_s, 3)
            ));
        }
        if let (Some(c), Some(nt)) = (self.at_largest("copy", 1), self.at_largest("copy_nt", 1)) {
            if self.streaming_stores {
                s.push_str(&format!(
                    " Streaming stores change a large copy from {} to {} GB/s.",
                    fmt_sig(c.gb_per_s, 3),
                    fmt_sig(nt.gb_per_s, 3)
                ));
            } else {
                s.push_str(
                    " (No streaming stores on this CPU: the _nt kernels use ordinary stores.)",
                );
            }
        }
        s
    }
}

impl fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>8} {:>12}", "threads", "size")?;
        for k in BwKernel::ALL {
            write!(f, " {:>9}", k.name())?;
        }
        writeln!(f, "   (GB/s)")?;
        let mut keys: Vec<(usize, u64)> = self
            .points
            .iter()
            .map(|p| (p.threads, p.size_bytes))
            .collect();
        keys.dedup();
        for (t, size) in keys {
            write!(f, "{t:>8} {:>12}", fmt_bytes(size))?;
            for k in BwKernel::ALL {
                match self
                    .points
                    .iter()
                    .find(|p| p.threads == t && p.size_bytes == size && p.kernel == k.name())
                {
                    Some(p) => write!(f, " {:>9}", fmt_sig(p.gb_per_s, 3))?,
                    None => write!(f, " {:>9}", "—")?,
                }
            }
            writeln!(f)?;
        }
        write!(f, "{}", self.reading())
    }
}
