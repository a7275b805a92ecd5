//! `simd`: one instruction, many numbers. Sum, dot product and saxpy in
//! strict scalar order, auto-vectorised, and with explicit vector lanes
//! chosen at run time, in f32 and f64, on data that fits in L1 and on data
//! in main memory. SIMD pays when the core is the limit, and hardly at all
//! when memory is.

use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Headline, Overlay, Shape};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::simd::{
    Lanes, dot_auto, dot_lanes, dot_scalar, explicit_widths, make, saxpy, saxpy_lanes, sum_auto,
    sum_lanes, sum_scalar,
};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimdPoint {
    /// "sum", "dot" or "saxpy".
    pub kernel: String,
    /// "scalar", "auto", "explicit-128", "explicit-256", "explicit-512".
    pub variant: String,
    /// Elements per instruction.
    pub lanes: u32,
    /// "f32" or "f64".
    pub precision: String,
    /// Bytes of input data.
    pub size_bytes: u64,
    /// Median nanoseconds per element.
    pub ns_per_element: f64,
}

/// A variant that did not run here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimdMissing {
    /// Kernel.
    pub kernel: String,
    /// Variant.
    pub variant: String,
    /// Why: "n/a on this CPU (…)" or a reason the form does not exist.
    pub why: String,
}

/// The `simd` result. JSON: `points[{kernel, variant, lanes, precision,
/// size_bytes, ns_per_element}]`, `missing[{kernel, variant, why}]`,
/// `auto_bits` (the vector width this build lets the compiler use).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simd {
    /// Always "simd".
    pub experiment: String,
    /// Every measurement.
    pub points: Vec<SimdPoint>,
    /// Variants not run, and why.
    pub missing: Vec<SimdMissing>,
    /// Vector width available to auto-vectorisation in this build, bits.
    pub auto_bits: u32,
    /// Budget used.
    pub budget: String,
}

fn auto_bits() -> u32 {
    if cfg!(target_feature = "avx512f") {
        512
    } else if cfg!(target_feature = "avx") {
        256
    } else if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        128
    } else {
        64
    }
}

/// Measure at half the L1 data cache and at 4× the last-level cache.
///
/// # Errors
/// [`crate::Error::TooBig`] when the DRAM-sized arrays would not fit.
pub fn simd(machine: &Machine, budget: &Budget) -> Result<Simd> {
    let l1 = machine
        .data_caches()
        .first()
        .map(|c| c.size_bytes / 2)
        .unwrap_or(16 << 10);
    let big = crate::measure::plan::beyond_caches(machine, budget);
    // Two arrays of the largest size, in f64.
    budget.check_alloc(machine, "simd's arrays", big.saturating_mul(2))?;
    let point = budget.per_point();
    let mut progress = Progress::new("simd", 4);
    let mut points = Vec::new();
    let mut missing = Vec::new();
    let widths = explicit_widths();
    for size in [l1, big] {
        progress.step(&format!("f32 at {}", fmt_bytes(size)));
        run_precision::<f32>(size, &point, &widths, "f32", &mut points, &mut missing);
        progress.step(&format!("f64 at {}", fmt_bytes(size)));
        run_precision::<f64>(size, &point, &widths, "f64", &mut points, &mut missing);
    }
    missing.sort_by(|a, b| (&a.kernel, &a.variant).cmp(&(&b.kernel, &b.variant)));
    missing.dedup();
    Ok(Simd {
        experiment: "simd".into(),
        points,
        missing,
        auto_bits: auto_bits(),
        budget: budget.level.to_string(),
    })
}

#[allow(clippy::too_many_arguments)]
fn run_precision<T: Lanes>(
    size: u64,
    point: &Budget,
    widths: &[u32],
    name: &str,
    points: &mut Vec<SimdPoint>,
    missing: &mut Vec<SimdMissing>,
) {
    let bytes = std::mem::size_of::<T>() as u64;
    let n = (size / bytes).max(16) as usize;
    // Both arrays start on a 64-byte boundary, so wide loads never straddle
    // two cache lines and the result does not depend on where the allocator
    // happened to put them (which differs between a CLI and a notebook).
    let xbuf: Vec<T> = make(n + 16);
    let mut ybuf: Vec<T> = make(n + 16);
    let xo = xbuf.as_ptr().align_offset(64).min(16);
    let yo = ybuf.as_ptr().align_offset(64).min(16);
    let x = &xbuf[xo..xo + n];
    let y = &mut ybuf[yo..yo + n];
    let lanes = |bits: u32| (bits as u64 / 8 / bytes).max(1) as u32;
    let mut push = |kernel: &str, variant: &str, l: u32, secs: f64| {
        points.push(SimdPoint {
            kernel: kernel.into(),
            variant: variant.into(),
            lanes: l,
            precision: name.into(),
            size_bytes: size,
            ns_per_element: secs * 1e9 / n as f64,
        })
    };
    let t = timeit_with(point, || sum_scalar(black_box(x)));
    push("sum", "scalar", 1, t.median_s);
    let t = timeit_with(point, || sum_auto(black_box(x)));
    push("sum", "auto", lanes(auto_bits()), t.median_s);
    for bits in [128, 256, 512] {
        let variant = format!("explicit-{bits}");
        if widths.contains(&bits) {
            let t = timeit_with(point, || sum_lanes(black_box(x), bits));
            push("sum", &variant, lanes(bits), t.median_s);
        } else {
            missing.push(SimdMissing {
                kernel: "sum".into(),
                variant,
                why: if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
                    format!("n/a on this CPU (no {bits}-bit vector unit hpp has a kernel for)")
                } else {
                    "hpp has explicit-lane kernels for x86_64 and aarch64 only".to_string()
                },
            });
        }
    }
    let t = timeit_with(point, || dot_scalar(black_box(x), y));
    push("dot", "scalar", 1, t.median_s);
    let t = timeit_with(point, || dot_auto(black_box(x), y));
    push("dot", "auto", lanes(auto_bits()), t.median_s);
    for bits in [128, 256, 512] {
        if widths.contains(&bits) {
            let t = timeit_with(point, || dot_lanes(black_box(x), y, bits));
            push("dot", &format!("explicit-{bits}"), lanes(bits), t.median_s);
        }
    }
    // a = 0 keeps y unchanged, so repeated runs stay exact.
    let a = T::from_u16(0);
    let t = timeit_with(point, || saxpy(a, black_box(x), y));
    push("saxpy", "auto", lanes(auto_bits()), t.median_s);
    for bits in [128, 256, 512] {
        if widths.contains(&bits) {
            let t = timeit_with(point, || saxpy_lanes(a, black_box(x), y, bits));
            push(
                "saxpy",
                &format!("explicit-{bits}"),
                lanes(bits),
                t.median_s,
            );
        }
    }
    missing.push(SimdMissing {
        kernel: "saxpy".into(),
        variant: "scalar".into(),
        why: "no strict-order form: with no sum to keep in order the compiler vectorises it anyway"
            .into(),
    });
}

impl Simd {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    /// The f32 sum at the smallest (L1) size: strict scalar time over the
    /// fastest explicit-lanes time, when both ran.
    pub fn l1_f32_sum_gain(&self) -> Option<f64> {
        let small = self.points.iter().map(|p| p.size_bytes).min()?;
        let at = |prefix: &str| {
            self.points
                .iter()
                .filter(|p| p.kernel == "sum" && p.precision == "f32" && p.size_bytes == small)
                .filter(|p| p.variant.starts_with(prefix))
                .map(|p| p.ns_per_element)
                .reduce(f64::min)
        };
        match (at("scalar"), at("explicit")) {
            (Some(scalar), Some(best)) if best > 0.0 => Some(scalar / best),
            _ => None,
        }
    }

    fn find(
        &self,
        kernel: &str,
        variant: &str,
        precision: &str,
        small: bool,
    ) -> Option<&SimdPoint> {
        let sizes: Vec<u64> = self.points.iter().map(|p| p.size_bytes).collect();
        let want = if small {
            sizes.iter().min()
        } else {
            sizes.iter().max()
        }
        .copied()?;
        self.points.iter().find(|p| {
            p.kernel == kernel
                && p.variant == variant
                && p.precision == precision
                && p.size_bytes == want
        })
    }

    fn widest(&self) -> Option<String> {
        self.points
            .iter()
            .filter(|p| p.variant.starts_with("explicit"))
            .max_by_key(|p| p.lanes)
            .map(|p| p.variant.clone())
    }
}

impl Outcome for Simd {
    fn name(&self) -> &str {
        "simd"
    }

    fn headlines(&self) -> Vec<Headline> {
        self.l1_f32_sum_gain()
            .and_then(|g| {
                Headline::new(
                    "simd_f32_sum_l1_speedup",
                    "SIMD f32 sum in L1, × scalar",
                    Some(g),
                    "×",
                    true,
                )
            })
            .into_iter()
            .collect()
    }

    fn overlays(&self) -> Vec<Overlay> {
        self.l1_f32_sum_gain()
            .map(|g| Overlay {
                key: "simd".into(),
                title: "SIMD: f32 sum in L1, explicit lanes ÷ scalar".into(),
                x_label: String::new(),
                y_label: "times faster".into(),
                shape: Shape::Bar(g),
            })
            .into_iter()
            .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series = Vec::new();
        for (precision, small, place) in [
            ("f32", true, "in L1"),
            ("f32", false, "in DRAM"),
            ("f64", true, "in L1"),
            ("f64", false, "in DRAM"),
        ] {
            let Some(base) = self.find("sum", "scalar", precision, small) else {
                continue;
            };
            let pts: Vec<(f64, f64)> = self
                .points
                .iter()
                .filter(|p| {
                    p.kernel == "sum"
                        && p.precision == precision
                        && p.size_bytes == base.size_bytes
                        && p.variant != "auto"
                })
                .map(|p| (f64::from(p.lanes), base.ns_per_element / p.ns_per_element))
                .collect();
            series.push(XySeries {
                label: format!("sum, {precision}, {place}"),
                points: pts,
                line: true,
                color_of: None,
            });
        }
        xy_chart(&XyChart {
            title: "SIMD: speed-up of a sum over strict scalar code, by lanes",
            x_label: "lanes per instruction",
            y_label: "speed-up over scalar (×)",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let Some(w) = self.widest() else {
            return "No explicit-lane kernel runs on this CPU; only the scalar and compiler-vectorised forms were measured.".into();
        };
        let speed = |small: bool| -> Option<f64> {
            Some(
                self.find("sum", "scalar", "f32", small)?.ns_per_element
                    / self.find("sum", &w, "f32", small)?.ns_per_element,
            )
        };
        let (Some(s1), Some(s2), Some(l1), Some(big)) = (
            speed(true),
            speed(false),
            self.find("sum", &w, "f32", true),
            self.find("sum", &w, "f32", false),
        ) else {
            return "Too few points to compare.".into();
        };
        let scalar_big = self.find("sum", "scalar", "f32", false);
        // f32: 4 bytes per element.
        let gb_s = |ns: f64| 4.0 / ns;
        let scalar_rate = scalar_big
            .map(|p| {
                format!(
                    " ({} ns an element, {} GB/s)",
                    fmt_sig(p.ns_per_element, 3),
                    fmt_sig(gb_s(p.ns_per_element), 3)
                )
            })
            .unwrap_or_default();
        // Does SIMD still pay in main memory? Then the scalar loop was not
        // held by memory.
        let scalar_side = if s2 >= 1.5 {
            format!(
                "In main memory ({}) it still runs {}×: the strict scalar loop waits on its own chain of adds{scalar_rate}, not on memory",
                fmt_bytes(big.size_bytes),
                fmt_sig(s2, 3)
            )
        } else {
            format!(
                "In main memory ({}) only {}×: the scalar loop already reads about as fast as memory delivers{scalar_rate}",
                fmt_bytes(big.size_bytes),
                fmt_sig(s2, 3)
            )
        };
        // Does the vector loop keep its lead? If not, memory holds it.
        let vector_side = if s2 < 0.6 * s1 {
            format!(
                "; the vector loop, at {} GB/s, is held there by memory, not by the core",
                fmt_sig(gb_s(big.ns_per_element), 3)
            )
        } else {
            format!(
                "; the vector loop keeps its lead there ({} GB/s): the core, not memory, is still the limit",
                fmt_sig(gb_s(big.ns_per_element), 3)
            )
        };
        format!(
            "Summing f32 with {w} ({} lanes) runs {}× the strict scalar loop on {} (in L1). {scalar_side}{vector_side}.",
            l1.lanes,
            fmt_sig(s1, 3),
            fmt_bytes(l1.size_bytes),
        )
    }
}

impl fmt::Display for Simd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<6} {:<13} {:>5} {:>4} {:>10}  {:>12}",
            "kernel", "variant", "lanes", "type", "size", "ns/element"
        )?;
        for p in &self.points {
            writeln!(
                f,
                "{:<6} {:<13} {:>5} {:>4} {:>10}  {:>12}",
                p.kernel,
                p.variant,
                p.lanes,
                p.precision,
                fmt_bytes(p.size_bytes),
                fmt_sig(p.ns_per_element, 3)
            )?;
        }
        for m in &self.missing {
            writeln!(f, "{:<6} {:<13} {}", m.kernel, m.variant, m.why)?;
        }
        write!(f, "{}", self.reading())
    }
}
