//! `gpu`: the end of chapter 6 moves the diffusion grid to a GPU with
//! PyTorch. hpp writes no GPU kernels; it shows what the book measured there
//! (labelled reference data from the book's repository) and what this
//! machine can say for itself: its CUDA devices, if the NVIDIA driver finds
//! any, and how long the diffusion grid takes to copy to the GPU and back —
//! the toll a GPU step pays whenever the data crosses the bus. Without a GPU
//! the reason is given in one line, and the chart holds the book's figures
//! only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::diffusion::initial_grid;
use crate::machine::Machine;
use crate::measure::cuda::{Device, copy_times, devices};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_seconds, fmt_sig};

/// Where the reference figures come from.
pub const BOOK_SOURCE: &str = "reference data: the book's repository (mynameisfiber/high_performance_python_3e, 06_matrix/diffusion_2d/figure_pytorch_vs_numpy.csv) — the authors' machine and GPU, PyTorch in its default float32, numpy in place in float64";

/// The book's figures: grid side, seconds per step for numpy in place and
/// for PyTorch on the GPU (grid kept on the GPU between steps).
pub const BOOK_STEPS: [(usize, f64, f64); 10] = [
    (512, 0.001_415_85, 0.000_134_95),
    (768, 0.005_406_12, 0.000_130_95),
    (1024, 0.010_723_5, 0.000_211_68),
    (1536, 0.023_758_1, 0.000_522_50),
    (2048, 0.056_357_9, 0.000_911_65),
    (3072, 0.123_010, 0.002_017_20),
    (4096, 0.225_717, 0.003_568_62),
    (6144, 0.494_998, 0.008_003_04),
    (8192, 0.872_187, 0.014_200_2),
    (12288, 2.032_08, 0.031_941_8),
];

/// One grid copied to the GPU and back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuCopy {
    /// The grid's side (an f64 grid of side × side cells).
    pub grid: usize,
    /// Its bytes.
    pub bytes: u64,
    /// Median seconds host → device.
    pub to_device_s: f64,
    /// Median seconds device → host.
    pub to_host_s: f64,
}

/// The `gpu` result. JSON: `devices` (a list of `{name, memory_bytes,
/// driver_version}`, or `{"unavailable": why}`), `copies[{grid, bytes,
/// to_device_s, to_host_s}]` (empty without a GPU), `book[{grid, numpy_s,
/// pytorch_s}]` (reference data), `book_source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gpu {
    /// Always "gpu".
    pub experiment: String,
    /// This machine's CUDA devices, or why there are none.
    pub devices: Fact<Vec<Device>>,
    /// The diffusion grid's round trips.
    pub copies: Vec<GpuCopy>,
    /// The book's figures.
    pub book: Vec<BookStep>,
    /// Where they come from.
    pub book_source: String,
    /// Budget used.
    pub budget: String,
}

/// One of the book's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookStep {
    /// Grid side.
    pub grid: usize,
    /// numpy in place, seconds per step.
    pub numpy_s: f64,
    /// PyTorch on the GPU, seconds per step.
    pub pytorch_s: f64,
}

/// Look for a GPU and, if there is one, time the grid's round trips.
///
/// # Errors
/// [`crate::Error::TooBig`] when the largest grid would not fit in memory.
pub fn gpu(machine: &Machine, budget: &Budget) -> Result<Gpu> {
    let sizes: Vec<usize> = budget.level.pick(
        vec![512, 2048],
        vec![512, 2048, 4096],
        vec![512, 2048, 4096, 8192],
    );
    let mut progress = Progress::new("gpu", sizes.len() + 1);
    progress.step("looking for a CUDA device");
    let found = devices();
    let mut copies = Vec::new();
    if let Fact::Known(list) = &found {
        let room = list[0].memory_bytes;
        for &n in &sizes {
            let bytes = (n * n * 8) as u64;
            if bytes > room / 2 {
                continue;
            }
            budget.check_alloc(machine, "the grid and its copy back", 2 * bytes)?;
            progress.step(&format!("{n} × {n}: to the GPU and back"));
            let grid = initial_grid::<f64>(n);
            if let Fact::Known(c) = copy_times(&grid, budget.runs.clamp(3, 11)) {
                copies.push(GpuCopy {
                    grid: n,
                    bytes: c.bytes,
                    to_device_s: c.to_device_s,
                    to_host_s: c.to_host_s,
                });
            }
        }
    }
    Ok(Gpu {
        experiment: "gpu".into(),
        devices: found,
        copies,
        book: BOOK_STEPS
            .iter()
            .map(|&(grid, numpy_s, pytorch_s)| BookStep {
                grid,
                numpy_s,
                pytorch_s,
            })
            .collect(),
        book_source: BOOK_SOURCE.into(),
        budget: budget.level.to_string(),
    })
}

impl Gpu {
    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn book_at(&self, n: usize) -> Option<&BookStep> {
        self.book.iter().find(|b| b.grid == n)
    }
}

impl Outcome for Gpu {
    fn name(&self) -> &str {
        "gpu"
    }

    fn plot(&self) -> Result<Figure> {
        let cells = |n: usize| (n * n * 8) as u64;
        let mut series = vec![
            Series {
                label: "book (reference): numpy in place, per step".into(),
                points: self
                    .book
                    .iter()
                    .map(|b| (cells(b.grid), b.numpy_s))
                    .collect(),
            },
            Series {
                label: "book (reference): PyTorch on a GPU, per step".into(),
                points: self
                    .book
                    .iter()
                    .map(|b| (cells(b.grid), b.pytorch_s))
                    .collect(),
            },
        ];
        if !self.copies.is_empty() {
            series.push(Series {
                label: "this machine: grid copied to the GPU".into(),
                points: self
                    .copies
                    .iter()
                    .map(|c| (c.bytes, c.to_device_s))
                    .collect(),
            });
            series.push(Series {
                label: "this machine: grid copied back".into(),
                points: self.copies.iter().map(|c| (c.bytes, c.to_host_s)).collect(),
            });
        }
        size_chart(&SizeChart {
            title: "The diffusion step on a GPU: the book's figures and this machine's copies",
            x_label: "one f64 grid (n × n cells, n² × 8 bytes)",
            y_label: "seconds (median)",
            series: &series,
            markers: &[],
            log_y: true,
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let speedup = |n: usize| self.book_at(n).map(|b| b.numpy_s / b.pytorch_s);
        if let (Some(small), Some(big)) = (speedup(512), speedup(2048)) {
            s.push_str(&format!(
                "In the book's reference run, PyTorch on the authors' GPU took {}× less time per step than numpy in place at 512 × 512 and {}× less at 2048 × 2048 (the grid kept on the GPU between steps). ",
                fmt_sig(small, 3),
                fmt_sig(big, 3)
            ));
        }
        match &self.devices {
            Fact::Unavailable(u) => {
                s.push_str(&format!("No GPU here: {}.", u.unavailable));
            }
            Fact::Known(list) => {
                let names: Vec<String> = list
                    .iter()
                    .map(|d| format!("{} ({})", d.name, fmt_bytes(d.memory_bytes)))
                    .collect();
                s.push_str(&format!("This machine has {}. ", names.join(", ")));
                match self
                    .copies
                    .iter()
                    .find(|c| c.grid == 2048)
                    .or(self.copies.last())
                {
                    Some(c) => {
                        let round = c.to_device_s + c.to_host_s;
                        s.push_str(&format!(
                            "Copying the {0} × {0} grid ({1}) to it took {2} ({3} GB/s) and back {4} ({5} GB/s)",
                            c.grid,
                            fmt_bytes(c.bytes),
                            fmt_seconds(c.to_device_s),
                            fmt_sig(c.bytes as f64 / c.to_device_s / 1e9, 3),
                            fmt_seconds(c.to_host_s),
                            fmt_sig(c.bytes as f64 / c.to_host_s / 1e9, 3),
                        ));
                        if let Some(b) = self.book_at(c.grid) {
                            let steps = round / b.pytorch_s;
                            s.push_str(&format!(
                                ": one round trip costs {} of the book's GPU steps at that size{}",
                                fmt_sig(steps, 3),
                                if steps > 1.0 {
                                    ", so the grid must stay on the GPU between steps, as the book's version keeps it"
                                } else {
                                    ", less than a step: here copying every step would cost little"
                                }
                            ));
                        }
                        s.push('.');
                    }
                    None => s.push_str("No grid could be copied to it."),
                }
            }
        }
        s
    }
}

impl fmt::Display for Gpu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.book_source)?;
        writeln!(f, "{:>6} {:>12} {:>12}", "grid", "numpy s", "PyTorch s")?;
        for b in &self.book {
            writeln!(
                f,
                "{:>6} {:>12} {:>12}",
                b.grid,
                fmt_sig(b.numpy_s, 3),
                fmt_sig(b.pytorch_s, 3)
            )?;
        }
        for c in &self.copies {
            writeln!(
                f,
                "copy {} × {} ({}): to the GPU {}, back {}",
                c.grid,
                c.grid,
                fmt_bytes(c.bytes),
                fmt_seconds(c.to_device_s),
                fmt_seconds(c.to_host_s)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
