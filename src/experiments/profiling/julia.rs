//! `julia`: the book's chapter-2 program — the Julia set on a 1000 × 1000
//! grid, 300 iterations — run by the reader's CPython as the book writes it,
//! and in Rust as written, with the book's two fixes, with explicit vector
//! lanes, and on threads with a static and a dynamic schedule. Every
//! variant's counts are checked against the reference (and the book's sum,
//! 33219980) before its time is shown.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Headline, Outcome, Overlay, Shape, show};
use crate::kernels::julia::{
    BOOK_SUM, BOOK_WIDTH, Grid, MAX_ITER, julia_abs, julia_cheap_first, julia_dynamic, julia_lanes,
    julia_norm, julia_reference, julia_static, lane_bits, output_sum, row_work,
};
use crate::machine::Machine;
use crate::measure::cpython::{CH02, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, HeatMap, bar_chart, heatmap};
use crate::units::{fmt_seconds, fmt_sig};

/// Side of the downsampled picture kept for the heat map.
const IMAGE_SIDE: usize = 80;

/// One variant's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JuliaRow {
    /// What was run.
    pub variant: String,
    /// "python" or "rust".
    pub language: String,
    /// Threads it ran on.
    pub threads: usize,
    /// Seconds for the whole grid (median of the runs for Rust; the best
    /// of the runs for Python, which is run fewer times).
    pub seconds: f64,
    /// The sum of its counts (the book's check).
    pub output_sum: u64,
}

/// A variant that could not run here, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JuliaMissing {
    /// What would have run.
    pub variant: String,
    /// Why it did not.
    pub why: String,
}

/// How a static split of the rows shares the work among `threads` blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticSplit {
    /// Blocks (threads).
    pub threads: usize,
    /// The busiest block's iterations over a fair share (1 = balanced):
    /// the static schedule's run lasts this much longer than a perfect one.
    pub busiest_over_fair: f64,
}

/// The `julia` result. JSON: `grid`, `iterations`, `rows[{variant, language,
/// threads, seconds, output_sum}]`, `unavailable[{variant, why}]`,
/// `reference_sum`, `book_sum`, `lane_bits`, `static_splits[{threads,
/// busiest_over_fair}]`, `row_work`, `image_side`, `image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Julia {
    /// Always "julia".
    pub experiment: String,
    /// Grid width (and height), points.
    pub grid: usize,
    /// Iteration limit.
    pub iterations: u32,
    /// The reference's sum of counts.
    pub reference_sum: u64,
    /// The book's published sum, when the grid is the book's.
    pub book_sum: Option<u64>,
    /// Vector width the lanes ran at, bits.
    pub lane_bits: u32,
    /// Every variant that ran, Python first.
    pub rows: Vec<JuliaRow>,
    /// Variants that could not run.
    pub unavailable: Vec<JuliaMissing>,
    /// The interpreter, when Python ran.
    pub python: Option<PythonInfo>,
    /// Iterations per row, top to bottom (why a static split is unfair).
    pub row_work: Vec<u64>,
    /// What a static split of the rows would hand the busiest thread.
    pub static_splits: Vec<StaticSplit>,
    /// CPUs' worth of time the OS granted as many spinning threads as the
    /// threaded variants used, measured in this run: the speed-up on offer.
    #[serde(default = "share_not_measured")]
    pub cpu_share: Fact<f64>,
    /// Side of the downsampled picture.
    pub image_side: usize,
    /// The picture: the largest count in each cell, row by row from the top.
    pub image: Vec<u32>,
    /// Budget used.
    pub budget: String,
}

fn share_not_measured() -> Fact<f64> {
    Fact::unavailable("not measured by this version of hpp")
}

/// What the chapter's Python file sends back.
#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    julia: Option<PyJulia>,
}

#[derive(Debug, Deserialize)]
struct PyJulia {
    seconds: f64,
    output_sum: u64,
}

/// Run the book's grid (1000 × 1000, 300 iterations) in every variant,
/// Python included when an interpreter is found (`HPP_PYTHON`, else
/// `python3`), on up to `threads` threads (`None` or 0: every usable CPU).
///
/// # Errors
/// [`Error::BadInput`] for an absurd thread count; an error naming the
/// variant if its counts differ from the reference (it is not timed).
pub fn julia(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Julia> {
    julia_with(machine, budget, threads, None)
}

/// As [`julia`], with an explicit Python interpreter (a name on PATH or a
/// path).
///
/// # Errors
/// As [`julia`].
pub fn julia_with(
    machine: &Machine,
    budget: &Budget,
    threads: Option<usize>,
    interpreter: Option<&str>,
) -> Result<Julia> {
    let threads = crate::measure::plan::threads(machine, threads)?;
    let grid = Grid::new(BOOK_WIDTH)?;
    let width = grid.xs.len();
    let mut progress = Progress::new("julia", 9);
    progress.step("reference");
    let reference = julia_reference(&grid, MAX_ITER);
    let reference_sum = output_sum(&reference);
    let mut rows = Vec::new();
    let mut unavailable = Vec::new();
    let mut python = None;

    progress.step("CPython (the book's loop)");
    let spec = serde_json::json!({
        "tasks": ["julia"],
        "width": BOOK_WIDTH,
        "max_iter": MAX_ITER,
        "runs": budget.level.pick(1, 1, 3),
    });
    let reply = run_chapter_script::<PyReply>(interpreter, CH02, &spec, budget);
    match reply {
        Ok(PyReply {
            python: info,
            julia: Some(j),
        }) => {
            let label = format!("{} {}", info.implementation, info.version);
            if j.output_sum != reference_sum {
                unavailable.push(JuliaMissing {
                    variant: format!("{label}: the book's loop"),
                    why: format!(
                        "its counts sum to {} where the reference sums to {reference_sum}; not shown",
                        j.output_sum
                    ),
                });
            } else {
                rows.push(JuliaRow {
                    variant: format!("{label}: the book's loop"),
                    language: "python".into(),
                    threads: 1,
                    seconds: j.seconds,
                    output_sum: j.output_sum,
                });
            }
            python = Some(info);
        }
        Ok(_) => unavailable.push(JuliaMissing {
            variant: "CPython: the book's loop".into(),
            why: "the Python side sent no result".into(),
        }),
        Err(why) => unavailable.push(JuliaMissing {
            variant: "CPython: the book's loop".into(),
            why,
        }),
    }

    let point = budget.per_point();
    let bits = lane_bits();
    let mut rust = |name: String, threads: usize, f: &dyn Fn() -> Result<Vec<u32>>| {
        progress.step(&name);
        let out = f()?;
        if out != reference {
            return Err(Error::bad_input(format!(
                "julia: {name} computed different counts from the reference (sum {} vs {reference_sum}); it is not timed",
                output_sum(&out)
            )));
        }
        let t = timeit_with(&point, || f().map(|o| o.len()).unwrap_or(0));
        rows.push(JuliaRow {
            variant: name,
            language: "rust".into(),
            threads,
            seconds: t.median_s,
            output_sum: output_sum(&out),
        });
        Ok(())
    };
    rust("Rust: the book's loop, abs(z) < 2".into(), 1, &|| {
        Ok(julia_abs(&grid, MAX_ITER))
    })?;
    rust("Rust: |z|² < 4".into(), 1, &|| {
        Ok(julia_norm(&grid, MAX_ITER))
    })?;
    rust("Rust: |z|² < 4, counter tested first".into(), 1, &|| {
        Ok(julia_cheap_first(&grid, MAX_ITER))
    })?;
    rust(
        format!(
            "Rust: {} lanes, {bits}-bit vectors",
            crate::kernels::julia::LANES
        ),
        1,
        &|| Ok(julia_lanes(&grid, MAX_ITER)),
    )?;
    rust(
        format!("Rust: lanes + {threads} threads, static rows"),
        threads,
        &|| Ok(julia_static(&grid, MAX_ITER, threads)),
    )?;
    rust(
        format!("Rust: lanes + {threads} threads, dynamic rows"),
        threads,
        &|| julia_dynamic(&grid, MAX_ITER, threads),
    )?;

    progress.step("the CPU share on offer");
    let cpu_share = match crate::kernels::parallel::cpu_share(
        threads,
        std::time::Duration::from_millis(budget.level.pick(150, 300, 500)),
    ) {
        Ok(s) => Fact::Known(s),
        Err(e) => Fact::unavailable(e.to_string()),
    };
    let work = row_work(&reference, width);
    let static_splits = [2, 4, 8, 16]
        .into_iter()
        .map(|t| StaticSplit {
            threads: t,
            busiest_over_fair: busiest_over_fair(&work, t),
        })
        .collect();
    Ok(Julia {
        experiment: "julia".into(),
        grid: width,
        iterations: MAX_ITER,
        reference_sum,
        book_sum: (width == BOOK_WIDTH).then_some(BOOK_SUM),
        lane_bits: bits,
        rows,
        unavailable,
        python,
        row_work: work,
        static_splits,
        cpu_share,
        image_side: IMAGE_SIDE,
        image: downsample(&reference, width, IMAGE_SIDE),
        budget: budget.level.to_string(),
    })
}

/// A variant's name short enough to sit under a bar.
fn short_label(r: &JuliaRow) -> String {
    let v = r.variant.as_str();
    if r.language == "python" {
        v.split(':').next().unwrap_or("Python").to_string()
    } else if v.contains("abs(z)") {
        "Rust, as written".into()
    } else if v.contains("counter tested first") {
        "cheap test first".into()
    } else if v.contains("static rows") {
        format!("{} threads, static", r.threads)
    } else if v.contains("dynamic rows") {
        format!("{} threads, dynamic", r.threads)
    } else if v.contains("lanes") {
        "vector lanes".into()
    } else if v.contains("|z|²") {
        "|z|² < 4".into()
    } else {
        v.trim_start_matches("Rust: ").to_string()
    }
}

/// The busiest of `threads` equal contiguous row blocks, over a fair share.
pub fn busiest_over_fair(row_work: &[u64], threads: usize) -> f64 {
    let total: u64 = row_work.iter().sum();
    if total == 0 || threads == 0 || row_work.is_empty() {
        return 1.0;
    }
    let per = row_work.len().div_ceil(threads);
    let busiest = row_work
        .chunks(per)
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    busiest as f64 * threads as f64 / total as f64
}

/// The largest count in each cell of a `side` × `side` picture.
fn downsample(counts: &[u32], width: usize, side: usize) -> Vec<u32> {
    let height = counts.len() / width.max(1);
    let mut img = vec![0u32; side * side];
    for (r, row) in counts.chunks(width.max(1)).enumerate() {
        let ir = r * side / height.max(1);
        for (c, &n) in row.iter().enumerate() {
            let cell = &mut img[ir * side + c * side / width.max(1)];
            *cell = (*cell).max(n);
        }
    }
    img
}

impl Julia {
    /// The row called `variant` (the start of its name).
    pub fn row(&self, starts_with: &str) -> Option<&JuliaRow> {
        self.rows
            .iter()
            .find(|r| r.variant.starts_with(starts_with))
    }

    fn python_row(&self) -> Option<&JuliaRow> {
        self.rows.iter().find(|r| r.language == "python")
    }

    fn rust_row(&self, contains: &str) -> Option<&JuliaRow> {
        self.rows
            .iter()
            .find(|r| r.language == "rust" && r.variant.contains(contains))
    }

    /// The heaviest row's iterations over the lightest's.
    pub fn row_spread(&self) -> f64 {
        let lo = self.row_work.iter().copied().filter(|&w| w > 0).min();
        let hi = self.row_work.iter().copied().max();
        match (lo, hi) {
            (Some(lo), Some(hi)) => hi as f64 / lo as f64,
            _ => 1.0,
        }
    }

    /// The fastest Rust row.
    pub fn fastest_rust(&self) -> Option<&JuliaRow> {
        self.rows
            .iter()
            .filter(|r| r.language == "rust")
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
    }

    /// The Julia set itself, drawn from this run's counts (log colour scale:
    /// most points escape within a few steps).
    ///
    /// # Errors
    /// [`Error::Plot`] if the picture is empty.
    pub fn image(&self) -> Result<Figure> {
        let side = self.image_side;
        let values: Vec<Vec<f64>> = self
            .image
            .chunks(side.max(1))
            .rev() // the heat map draws its first row at the bottom
            .map(|r| r.iter().map(|&n| f64::from(n.max(1))).collect())
            .collect();
        let label = |i: usize| {
            let v = -1.8 + 3.6 * (i as f64 + 0.5) / side as f64;
            if i.is_multiple_of((side / 4).max(1)) {
                format!("{v:.1}")
            } else {
                String::new()
            }
        };
        let cols: Vec<String> = (0..side).map(label).collect();
        let rows: Vec<String> = (0..side).map(label).collect();
        heatmap(&HeatMap {
            title: &format!(
                "Julia set: steps before |z| reaches 2 ({} × {}, at most {})",
                self.grid, self.grid, self.iterations
            ),
            x_desc: "real part",
            y_desc: "imaginary part",
            cols: &cols,
            rows: &rows,
            values: &values,
            value_desc: "steps (largest in each cell)",
            log: true,
        })
    }

    /// Show the speed-ups with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Julia {
    fn name(&self) -> &str {
        "julia"
    }

    fn headlines(&self) -> Vec<Headline> {
        let book = self.rust_row("abs(z)").map(|r| r.seconds);
        [
            Headline::new(
                "julia_python_s",
                "Julia set, CPython (the book's loop)",
                self.python_row().map(|r| r.seconds),
                "s",
                false,
            ),
            Headline::new(
                "julia_rust_book_loop_s",
                "Julia set, Rust (the book's loop)",
                book,
                "s",
                false,
            ),
            Headline::new(
                "julia_rust_fastest_s",
                "Julia set, Rust (fastest variant)",
                self.fastest_rust().map(|r| r.seconds),
                "s",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn overlays(&self) -> Vec<Overlay> {
        match (self.python_row(), self.fastest_rust()) {
            (Some(p), Some(r)) if r.seconds > 0.0 => vec![Overlay {
                key: "julia".into(),
                title: "Julia set: CPython's time ÷ the fastest Rust variant's".into(),
                x_label: String::new(),
                y_label: "times faster".into(),
                shape: Shape::Bar(p.seconds / r.seconds),
            }],
            _ => Vec::new(),
        }
    }

    fn plot(&self) -> Result<Figure> {
        let base = self
            .python_row()
            .or_else(|| self.rust_row("abs(z)"))
            .ok_or_else(|| Error::Plot("julia: nothing ran".into()))?;
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| (short_label(r), base.seconds / r.seconds))
            .collect();
        bar_chart(
            &format!(
                "Julia set, {} × {}: how many times faster than {}",
                self.grid, self.grid, base.variant
            ),
            "times faster",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let check = match self.book_sum {
            Some(b) if b == self.reference_sum => format!(
                "Every variant's counts sum to {} — the book's own check — and match the reference point for point.",
                self.reference_sum
            ),
            Some(b) => format!(
                "The reference sums to {} where the book says {b}: this machine's floating point differs.",
                self.reference_sum
            ),
            None => format!(
                "Every variant matches the reference (sum {}).",
                self.reference_sum
            ),
        };
        s.push_str(&check);
        let book = self.rust_row("abs(z)");
        if let (Some(p), Some(b)) = (self.python_row(), book) {
            s.push_str(&format!(
                " CPython took {} for the book's loop; the same loop in Rust took {} ({}× faster).",
                fmt_seconds(p.seconds),
                fmt_seconds(b.seconds),
                fmt_sig(p.seconds / b.seconds, 3)
            ));
        }
        if let (Some(b), Some(n), Some(c)) = (
            book,
            self.rust_row("|z|² < 4")
                .filter(|r| !r.variant.contains("first")),
            self.rust_row("counter tested first"),
        ) {
            let change = |from: f64, to: f64| {
                let pct = 100.0 * (from - to) / from;
                if pct.abs() < 3.0 {
                    "made no measurable difference".to_string()
                } else if pct > 0.0 {
                    format!("saved {}%", fmt_sig(pct, 2))
                } else {
                    format!("cost {}% more", fmt_sig(-pct, 2))
                }
            };
            s.push_str(&format!(
                " |z|² < 4 instead of abs(z) < 2 {}; testing the counter first {}.",
                change(b.seconds, n.seconds),
                change(n.seconds, c.seconds)
            ));
        }
        if let (Some(c), Some(l)) = (
            self.rust_row("counter tested first"),
            self.rust_row("lanes,"),
        ) {
            s.push_str(&format!(
                " {} neighbouring points at once on {}-bit vectors: {}× the scalar loop.",
                crate::kernels::julia::LANES,
                self.lane_bits,
                fmt_sig(c.seconds / l.seconds, 3)
            ));
        }
        if let (Some(l), Some(st), Some(dy)) = (
            self.rust_row("lanes,"),
            self.rust_row("static rows"),
            self.rust_row("dynamic rows"),
        ) {
            let split = self
                .static_splits
                .iter()
                .find(|x| x.threads == st.threads)
                .or_else(|| self.static_splits.first());
            let worst = self
                .static_splits
                .iter()
                .max_by(|a, b| a.busiest_over_fair.total_cmp(&b.busiest_over_fair));
            let faster = if dy.seconds < st.seconds * 0.97 {
                "the dynamic schedule won"
            } else if st.seconds < dy.seconds * 0.97 {
                "the static schedule won"
            } else {
                "the two schedules tied"
            };
            s.push_str(&format!(
                " On {} threads: static rows {}×, dynamic rows {}× the one-thread lanes — {faster}",
                st.threads,
                fmt_sig(l.seconds / st.seconds, 3),
                fmt_sig(l.seconds / dy.seconds, 3)
            ));
            match self.cpu_share.known() {
                Some(&share) if share > 0.0 => {
                    let best = (l.seconds / dy.seconds).max(l.seconds / st.seconds);
                    s.push_str(&format!(
                        "; the OS granted {} CPUs' worth of time to {} spinning threads in this run, so the better schedule reached {}% of the speed-up on offer.",
                        fmt_sig(share, 3),
                        st.threads,
                        fmt_sig(100.0 * best / share, 3)
                    ));
                }
                _ => s.push('.'),
            }
            if let (Some(sp), Some(w)) = (split, worst) {
                let here = if sp.busiest_over_fair < 1.05 {
                    format!(
                        "{} equal blocks happen to share the work fairly ({:.2}× a fair share for the busiest)",
                        sp.threads, sp.busiest_over_fair
                    )
                } else {
                    format!(
                        "{} equal blocks give the busiest {:.2}× a fair share",
                        sp.threads, sp.busiest_over_fair
                    )
                };
                let rows = if self.row_spread() >= 1.5 {
                    format!(
                        "The rows differ in cost (the heaviest row takes {}× the lightest's iterations)",
                        fmt_sig(self.row_spread(), 3)
                    )
                } else {
                    format!(
                        "The rows cost about the same (the heaviest {}× the lightest)",
                        fmt_sig(self.row_spread(), 3)
                    )
                };
                s.push_str(&format!(
                    " {rows}: {here}, and {} blocks would give the busiest {:.2}×.",
                    w.threads, w.busiest_over_fair
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {}: unavailable ({}).", u.variant, u.why));
        }
        s
    }
}

impl fmt::Display for Julia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Julia set, {} × {} grid, {} iterations",
            self.grid, self.grid, self.iterations
        )?;
        writeln!(
            f,
            "{:<48} {:>8} {:>12} {:>12}",
            "variant", "threads", "time", "sum"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<48} {:>8} {:>12} {:>12}",
                r.variant,
                r.threads,
                fmt_seconds(r.seconds),
                r.output_sum
            )?;
        }
        for u in &self.unavailable {
            writeln!(f, "{:<48} unavailable: {}", u.variant, u.why)?;
        }
        write!(f, "{}", self.reading())
    }
}
