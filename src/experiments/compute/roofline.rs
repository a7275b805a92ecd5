//! `roofline`: one picture of what limits a kernel. The roof is the peak
//! FLOP/s of one core; the slopes are the bandwidth of each memory level
//! times arithmetic intensity (flops per byte moved). Chapter 1's kernels sit
//! under it at their intensity and their measured GFLOP/s: low-intensity
//! loops (sum, triad, dot, stencil) hug the memory slope, only a blocked
//! matrix multiply climbs toward the roof.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::bandwidth::{BwKernel, read_sum, triad};
use crate::kernels::compute::{matmul_blocked, stencil_5pt};
use crate::kernels::flops::{Precision, flops_per_call, run as fma_run};
use crate::kernels::simd::{dot_auto, make};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// The kernels this experiment measures itself (others are placed on it).
const OWN: [&str; 5] = [
    "sum",
    "dot",
    "triad",
    "5-point stencil",
    "blocked matmul 256",
];

/// A memory level's ceiling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ceiling {
    /// "L1d", "L2", "L3", "DRAM".
    pub level: String,
    /// One thread's read bandwidth there, GB/s.
    pub gb_per_s: f64,
}

pub use crate::experiments::outcome::RoofPoint;

/// The `roofline` result. JSON: `peak_gflops`, `ceilings[{level, gb_per_s}]`,
/// `points[{kernel, flops_per_byte, gflops, size_bytes}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Roofline {
    /// Always "roofline".
    pub experiment: String,
    /// One core's f64 FMA peak, GFLOP/s (widest vectors this CPU has).
    pub peak_gflops: f64,
    /// Bandwidth ceilings.
    pub ceilings: Vec<Ceiling>,
    /// Kernels.
    pub points: Vec<RoofPoint>,
    /// Budget used.
    pub budget: String,
}

/// Measure the roof, the slopes and the kernels (one thread).
///
/// # Errors
/// `Unavailable` without an FMA kernel for this CPU; [`Error::TooBig`] when
/// the arrays would not fit.
pub fn roofline(machine: &Machine, budget: &Budget) -> Result<Roofline> {
    let point = budget.per_point();
    let mut progress = Progress::new("roofline", 3);
    progress.step("peak FLOP/s");
    let bits = [512, 256, 128, 64]
        .into_iter()
        .find(|&b| fma_run(Precision::F64, b, 1).is_some())
        .ok_or_else(|| {
            Error::Unavailable(crate::error::Unavailable::new(
                "no FMA kernel runs on this CPU",
            ))
        })?;
    const ROUNDS: u64 = 1 << 12;
    let t = timeit_with(&point, || fma_run(Precision::F64, bits, black_box(ROUNDS)));
    let peak_gflops = flops_per_call(Precision::F64, bits, ROUNDS) / t.median_s / 1e9;
    progress.step("bandwidth ceilings");
    let mut ceilings = Vec::new();
    let mut below = 0;
    for c in machine.data_caches() {
        if let Some(size) = Some(c.size_bytes / 2).filter(|&s| s > below) {
            ceilings.push(Ceiling {
                level: c.label(),
                gb_per_s: crate::measure::bandwidth::gb_per_s(BwKernel::Read, 1, size, &point)?,
            });
        }
        below = c.size_bytes;
    }
    let big = crate::measure::plan::beyond_caches(machine, budget);
    budget.check_alloc(machine, "roofline's arrays", big.saturating_mul(3))?;
    ceilings.push(Ceiling {
        level: "DRAM".into(),
        gb_per_s: crate::measure::bandwidth::gb_per_s(BwKernel::Read, 1, big, &point)?,
    });
    progress.step("kernels");
    let n = (big / 8 / 3) as usize;
    let x: Vec<f64> = make(n);
    let y: Vec<f64> = make(n);
    let mut z: Vec<f64> = make(n);
    let bytes = (n * 8) as u64;
    let mut points = Vec::new();
    let mut place = |kernel: &str, flops: f64, moved: f64, size: u64, secs: f64| {
        points.push(RoofPoint {
            kernel: kernel.into(),
            flops_per_byte: flops / moved,
            gflops: flops / secs / 1e9,
            size_bytes: size,
        })
    };
    let nf = n as f64;
    let t = timeit_with(&point, || read_sum(black_box(&x)));
    place("sum", nf, nf * 8.0, bytes, t.median_s);
    let t = timeit_with(&point, || dot_auto(black_box(&x), &y));
    place("dot", 2.0 * nf, nf * 16.0, 2 * bytes, t.median_s);
    let t = timeit_with(&point, || triad(&mut z, black_box(&x), &y, 3.0));
    place("triad", 2.0 * nf, nf * 24.0, 3 * bytes, t.median_s);
    let w = 1024;
    let h = (n / w).max(3);
    let t = timeit_with(&point, || {
        stencil_5pt(black_box(&x[..w * h]), &mut z[..w * h], w)
    });
    let pts = ((w - 2) * (h - 2)) as f64;
    place(
        "5-point stencil",
        5.0 * pts,
        (w * h) as f64 * 16.0,
        (2 * w * h * 8) as u64,
        t.median_s,
    );
    let m = 256;
    let (a, b) = (make::<f64>(m * m), make::<f64>(m * m));
    let mut c = vec![0.0; m * m];
    let t = timeit_with(&point, || matmul_blocked(black_box(&a), &b, &mut c, m, 64));
    let mf = m as f64;
    place(
        "blocked matmul 256",
        2.0 * mf * mf * mf,
        3.0 * mf * mf * 8.0,
        (3 * m * m * 8) as u64,
        t.median_s,
    );
    Ok(Roofline {
        experiment: "roofline".into(),
        peak_gflops,
        ceilings,
        points,
        budget: budget.level.to_string(),
    })
}

impl Roofline {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The same roofline with more kernels placed on it (another chapter's
    /// measured points, e.g. [`crate::experiments::DiffusionTraffic::roof_points`]).
    pub fn placing(mut self, points: Vec<RoofPoint>) -> Self {
        self.points.extend(points);
        self
    }

    /// Where a point sits among the slopes: which memory levels' speed it
    /// beat at its intensity and which it stayed under — so where its data
    /// could have come from.
    pub fn between(&self, p: &RoofPoint) -> String {
        let at = |c: &Ceiling| (c.gb_per_s * p.flops_per_byte).min(self.peak_gflops);
        if p.gflops >= 0.9 * self.peak_gflops {
            return "at the roof: the arithmetic, not the memory, is its limit".into();
        }
        let mut sorted: Vec<&Ceiling> = self.ceilings.iter().collect();
        sorted.sort_by(|a, b| a.gb_per_s.total_cmp(&b.gb_per_s));
        let beaten: Vec<&Ceiling> = sorted
            .iter()
            .copied()
            .filter(|c| p.gflops >= at(c))
            .collect();
        let under = sorted.iter().copied().find(|c| p.gflops < at(c));
        match (beaten.last(), under) {
            (None, Some(u)) => format!(
                "under even the slowest slope ({}, {} GFLOP/s there)",
                u.level,
                fmt_sig(at(u), 3)
            ),
            (Some(b), Some(u)) => format!(
                "above the {} slope ({} GFLOP/s there), under the {} slope ({})",
                b.level,
                fmt_sig(at(b), 3),
                u.level,
                fmt_sig(at(u), 3)
            ),
            (Some(b), None) => format!(
                "above every slope, even {}'s ({} GFLOP/s there)",
                b.level,
                fmt_sig(at(b), 3)
            ),
            (None, None) => "no slopes were measured".into(),
        }
    }

    /// The attainable GFLOP/s at `ai` flops per byte from `level`'s data.
    pub fn attainable(&self, level: &str, ai: f64) -> Option<f64> {
        let c = self.ceilings.iter().find(|c| c.level == level)?;
        Some((c.gb_per_s * ai).min(self.peak_gflops))
    }
}

impl Outcome for Roofline {
    fn name(&self) -> &str {
        "roofline"
    }

    fn plot(&self) -> Result<Figure> {
        let ais: Vec<f64> = (-30..=14).map(|k| 10f64.powf(k as f64 / 10.0)).collect();
        let mut series: Vec<XySeries> = self
            .ceilings
            .iter()
            .map(|c| XySeries {
                label: format!("roof from {} ({} GB/s)", c.level, fmt_sig(c.gb_per_s, 3)),
                points: ais
                    .iter()
                    .map(|&ai| (ai, (c.gb_per_s * ai).min(self.peak_gflops)))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        series.push(XySeries {
            label: "kernels (measured)".into(),
            points: self
                .points
                .iter()
                .map(|p| (p.flops_per_byte, p.gflops))
                .collect(),
            line: false,
            color_of: None,
        });
        // Kernels at the same intensity share one label.
        let mut notes: Vec<(f64, f64, String)> = Vec::new();
        for p in &self.points {
            match notes
                .iter_mut()
                .find(|n| (n.0 / p.flops_per_byte - 1.0).abs() < 0.01)
            {
                Some(n) => n.2 = format!("{}, {}", n.2, p.kernel),
                None => notes.push((p.flops_per_byte, p.gflops, p.kernel.clone())),
            }
        }
        xy_chart(&XyChart {
            title: &format!(
                "Roofline of one core (peak {} GFLOP/s f64)",
                fmt_sig(self.peak_gflops, 3)
            ),
            x_label: "arithmetic intensity (flops per byte, log scale)",
            y_label: "GFLOP/s (log scale)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &notes,
        })
    }

    fn reading(&self) -> String {
        let ridge = self
            .ceilings
            .iter()
            .find(|c| c.level == "DRAM")
            .map(|c| self.peak_gflops / c.gb_per_s);
        let mm = self.points.iter().find(|p| p.kernel.starts_with("blocked"));
        let triad = self.points.iter().find(|p| p.kernel == "triad");
        let mut s = format!("One core peaks at {} GFLOP/s", fmt_sig(self.peak_gflops, 3));
        if let Some(r) = ridge {
            s.push_str(&format!(
                "; from main memory a kernel needs {} flops per byte to reach it",
                fmt_sig(r, 3)
            ));
        }
        s.push('.');
        if let Some(t) = triad {
            s.push_str(&format!(
                " Triad does {} flops per byte and gets {} GFLOP/s ({}% of peak) on {}: it waits for memory.",
                fmt_sig(t.flops_per_byte, 2),
                fmt_sig(t.gflops, 3),
                fmt_sig(100.0 * t.gflops / self.peak_gflops, 2),
                fmt_bytes(t.size_bytes)
            ));
        }
        if let Some(m) = mm {
            s.push_str(&format!(
                " The blocked matrix multiply reuses each number ~{} times and reaches {} GFLOP/s ({}% of peak).",
                fmt_sig(m.flops_per_byte * 8.0 / 2.0, 2),
                fmt_sig(m.gflops, 3),
                fmt_sig(100.0 * m.gflops / self.peak_gflops, 2)
            ));
        }
        for p in self
            .points
            .iter()
            .filter(|p| !OWN.contains(&p.kernel.as_str()))
        {
            s.push_str(&format!(
                " {} does {} flops per byte and reached {} GFLOP/s: {}.",
                p.kernel,
                fmt_sig(p.flops_per_byte, 2),
                fmt_sig(p.gflops, 3),
                self.between(p)
            ));
        }
        s
    }
}

impl fmt::Display for Roofline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "peak: {} GFLOP/s (f64, one core)",
            fmt_sig(self.peak_gflops, 4)
        )?;
        for c in &self.ceilings {
            writeln!(f, "{:<6} {:>8} GB/s", c.level, fmt_sig(c.gb_per_s, 3))?;
        }
        for p in &self.points {
            writeln!(
                f,
                "{:<20} {:>8} flop/B {:>8} GFLOP/s",
                p.kernel,
                fmt_sig(p.flops_per_byte, 3),
                fmt_sig(p.gflops, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
