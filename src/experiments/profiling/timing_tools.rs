//! `timing_tools`: one program, several clocks — the book's first lesson in
//! measuring. The Julia loop timed in the reader's Python by `time.time()`
//! around the call, by a timing decorator and by `timeit`; the whole Python
//! process measured from outside as `/usr/bin/time -v` would (wall, user,
//! system, peak resident set) with its memory sampled over time as `mprof`
//! draws it; and the same loop in Rust by `Instant`, by hpp's `timeit`, by
//! the CPU time the call used, and its memory over time.

use std::fmt;
use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::julia::{Grid, MAX_ITER, julia_abs, julia_reference, output_sum};
use crate::machine::Machine;
use crate::machine::interpreters::find_python;
use crate::measure::cpython::{CH02, PythonInfo, python_limit, run_json, sent_source};
use crate::measure::heap::{HeapUse, track};
use crate::measure::process::{ProcessRun, run_process, sample_rss, thread_cpu_s};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_seconds, fmt_sig};

fn not_measured() -> Fact<HeapUse> {
    Fact::unavailable("not measured by the hpp that wrote this file")
}

/// One clock's reading of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClockRow {
    /// "python" or "rust".
    pub language: String,
    /// Which clock, in words.
    pub tool: String,
    /// What it read, s.
    pub seconds: f64,
}

/// The `timing_tools` result. JSON: `grid`, `iterations`, `rows[{language,
/// tool, seconds}]`, `python_process` ({wall_s, user_s, system_s,
/// max_rss_bytes, rss_samples} or unavailable), `python_startup_s`,
/// `rust_rss_samples`, `unavailable[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimingTools {
    /// Always "timing_tools".
    pub experiment: String,
    /// Grid width (and height).
    pub grid: usize,
    /// Iteration limit.
    pub iterations: u32,
    /// Every clock's reading.
    pub rows: Vec<ClockRow>,
    /// The whole Python program as one process, measured from outside.
    pub python_process: Fact<ProcessRun>,
    /// An empty Python process (`python -c pass`): what starting the
    /// interpreter costs in time and memory.
    pub python_empty: Fact<ProcessRun>,
    /// This process's resident set while Rust ran the loop: (s, bytes).
    pub rust_rss_samples: Vec<(f64, u64)>,
    /// The whole Rust program's heap use (building the grid, then the
    /// loop): allocations, bytes, peak.
    #[serde(default = "not_measured")]
    pub rust_heap: Fact<HeapUse>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// What could not run, and why.
    pub unavailable: Vec<String>,
    /// Budget used.
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    timing_tools: Option<PyClocks>,
}

#[derive(Debug, Deserialize)]
struct PyClocks {
    output_sum: u64,
    time_time_s: f64,
    decorator_s: f64,
    timeit_best_of_3_s: f64,
}

#[derive(Debug, Deserialize)]
struct PyJulia {
    julia: Option<PyJuliaSum>,
}

#[derive(Debug, Deserialize)]
struct PyJuliaSum {
    output_sum: u64,
}

/// How often memory is sampled.
const EVERY: Duration = Duration::from_millis(10);

/// Time the Julia loop with every clock, on a grid sized by the budget (300,
/// 500 or 1000 points wide), in the reader's Python (`HPP_PYTHON`, else
/// `python3`) and in Rust.
///
/// # Errors
/// An error if the Rust loop's counts differ from the reference; Python's
/// problems become "unavailable" lines.
pub fn timing_tools(machine: &Machine, budget: &Budget) -> Result<TimingTools> {
    timing_tools_with(machine, budget, None)
}

/// As [`timing_tools`], with an explicit interpreter.
///
/// # Errors
/// As [`timing_tools`].
pub fn timing_tools_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<TimingTools> {
    let width = budget.level.pick(300, 500, 1000);
    let grid = Grid::new(width)?;
    let reference = output_sum(&julia_reference(&grid, MAX_ITER));
    let mut progress = Progress::new("timing_tools", 4);
    let mut out = TimingTools {
        experiment: "timing_tools".into(),
        grid: width,
        iterations: MAX_ITER,
        rows: Vec::new(),
        python_process: Fact::unavailable("Python did not run"),
        python_empty: Fact::unavailable("Python did not run"),
        rust_rss_samples: Vec::new(),
        rust_heap: not_measured(),
        python: None,
        unavailable: Vec::new(),
        budget: budget.level.to_string(),
    };
    progress.step("CPython: three clocks around the call");
    let python = match python_limit(budget) {
        Ok(limit) => find_python(interpreter).map(|py| (py, limit)),
        Err(u) => Fact::Unavailable(u),
    };
    match python {
        Fact::Known((py, limit)) => {
            let spec = serde_json::json!({"tasks": ["timing_tools"], "width": width, "max_iter": MAX_ITER});
            match run_json::<PyReply>(&py, CH02, &spec, limit) {
                Ok(PyReply {
                    python,
                    timing_tools: Some(c),
                }) if c.output_sum == reference => {
                    for (tool, s) in [
                        ("time.time() around the call", c.time_time_s),
                        ("@timefn decorator", c.decorator_s),
                        ("timeit.repeat, best of 3", c.timeit_best_of_3_s),
                    ] {
                        out.rows.push(ClockRow {
                            language: "python".into(),
                            tool: tool.into(),
                            seconds: s,
                        });
                    }
                    out.python = Some(python);
                }
                Ok(PyReply {
                    timing_tools: Some(c),
                    ..
                }) => out.unavailable.push(format!(
                    "Python's counts sum to {} where the reference sums to {reference}; not shown",
                    c.output_sum
                )),
                Ok(_) => out.unavailable.push("Python sent no timings".into()),
                Err(u) => out.unavailable.push(u.unavailable),
            }
            progress.step("CPython: the whole process, from outside");
            let spec = serde_json::json!({"tasks": ["julia"], "width": width, "max_iter": MAX_ITER, "runs": 1});
            let mut cmd = Command::new(&py);
            cmd.arg("-").arg(spec.to_string());
            out.python_process = match run_process(&mut cmd, &sent_source(CH02), limit, EVERY) {
                Ok(run) => match serde_json::from_str::<PyJulia>(&run.stdout) {
                    Ok(PyJulia { julia: Some(j) }) if j.output_sum == reference => Fact::Known(run),
                    _ => Fact::unavailable("the process did not report the reference's counts"),
                },
                Err(u) => Fact::Unavailable(u),
            };
            let mut empty = Command::new(&py);
            empty.arg("-c").arg("pass");
            out.python_empty = run_process(&mut empty, "", limit, EVERY).into();
        }
        Fact::Unavailable(u) => out.unavailable.push(u.unavailable),
    }

    progress.step("Rust: Instant, timeit, CPU time, memory");
    // The clocks start and stop inside the sampled closure, so waiting for
    // the sampler thread to notice the end is not counted.
    let ((counts, around, cpu0, cpu1), rss) = sample_rss(EVERY, || {
        let cpu0 = thread_cpu_s();
        let t0 = Instant::now();
        let counts = julia_abs(&grid, MAX_ITER);
        let around = t0.elapsed().as_secs_f64();
        (counts, around, cpu0, thread_cpu_s())
    });
    if output_sum(&counts) != reference {
        return Err(Error::bad_input(
            "timing_tools: the Rust loop's counts differ from the reference",
        ));
    }
    out.rust_rss_samples = rss;
    // The whole program again, for its heap: the grid's coordinates, then
    // the counts (not timed).
    let (heap_sum, heap) = track(|| Grid::new(width).map(|g| output_sum(&julia_abs(&g, MAX_ITER))));
    out.rust_heap = match heap_sum {
        Ok(sum) if sum == reference => heap,
        _ => Fact::unavailable("the program's counts differed from the reference"),
    };
    out.rows.push(ClockRow {
        language: "rust".into(),
        tool: "Instant around the call".into(),
        seconds: around,
    });
    progress.step("Rust: hpp timeit");
    let t = timeit_with(&budget.per_point(), || julia_abs(&grid, MAX_ITER).len());
    out.rows.push(ClockRow {
        language: "rust".into(),
        tool: format!("hpp timeit, median of {}", t.runs()),
        seconds: t.median_s,
    });
    match (cpu0, cpu1) {
        (Some((u0, s0)), Some((u1, s1))) => out.rows.push(ClockRow {
            language: "rust".into(),
            tool: "getrusage: CPU time of the call (user + system)".into(),
            seconds: (u1 - u0) + (s1 - s0),
        }),
        _ => out
            .unavailable
            .push("CPU time per thread (getrusage RUSAGE_THREAD) is Linux's".into()),
    }
    Ok(out)
}

impl TimingTools {
    fn row(&self, language: &str, starts: &str) -> Option<&ClockRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.tool.starts_with(starts))
    }

    /// Show the memory-over-time chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

fn mib_series(label: String, samples: &[(f64, u64)]) -> XySeries {
    XySeries {
        label,
        points: samples
            .iter()
            .map(|&(t, b)| (t, b as f64 / (1u64 << 20) as f64))
            .collect(),
        line: true,
        color_of: None,
    }
}

impl Outcome for TimingTools {
    fn name(&self) -> &str {
        "timing_tools"
    }

    fn headlines(&self) -> Vec<Headline> {
        let p = self.python_process.known();
        [
            Headline::new(
                "python_julia_peak_rss_mib",
                "Julia program in CPython: peak resident set",
                p.map(|r| r.max_rss_bytes as f64 / (1u64 << 20) as f64),
                "MiB",
                false,
            ),
            Headline::new(
                "python_startup_ms",
                "CPython start-up (python -c pass)",
                self.python_empty.known().map(|r| r.wall_s * 1e3),
                "ms",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series = Vec::new();
        if let Fact::Known(p) = &self.python_process {
            series.push(mib_series(
                "CPython, the whole program (its own process)".into(),
                &p.rss_samples,
            ));
        }
        if let Some(base) = self.rust_rss_samples.first().map(|s| s.1) {
            // Rust ran inside this (already running) process: its line is
            // the growth of the resident set during the loop.
            let growth: Vec<(f64, u64)> = self
                .rust_rss_samples
                .iter()
                .map(|&(t, b)| (t, b.saturating_sub(base)))
                .collect();
            series.push(mib_series(
                "Rust, the loop (growth of this process's resident set)".into(),
                &growth,
            ));
        }
        xy_chart(&XyChart {
            title: &format!(
                "Memory over time, the Julia program ({} × {}), sampled every {} ms",
                self.grid,
                self.grid,
                EVERY.as_millis()
            ),
            x_label: "seconds since start",
            y_label: "resident set (MiB)",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let (a, d, t) = (
            self.row("python", "time.time"),
            self.row("python", "@timefn"),
            self.row("python", "timeit"),
        );
        if let (Some(a), Some(d), Some(t)) = (a, d, t) {
            let spread = a.seconds.max(d.seconds) / a.seconds.min(d.seconds);
            s.push_str(&format!(
                "On a {} × {} grid, CPython's loop read {} with time.time() around the call and {} with the decorator ({}); timeit's best of 3 read {}, {} the single runs (timeit reports the fastest run and switches the garbage collector off).",
                self.grid,
                self.grid,
                fmt_seconds(a.seconds),
                fmt_seconds(d.seconds),
                if spread < 1.05 {
                    "the same, within 5%".to_string()
                } else {
                    format!("{}× apart: single runs vary", fmt_sig(spread, 2))
                },
                fmt_seconds(t.seconds),
                if t.seconds < a.seconds.min(d.seconds) {
                    "below"
                } else {
                    "not below"
                }
            ));
        }
        if let Fact::Known(p) = &self.python_process {
            let points = (self.grid * self.grid).max(1) as u64;
            let (startup, per_point) = match &self.python_empty {
                Fact::Known(e) => (
                    format!(
                        " (an empty interpreter: {} and {})",
                        fmt_seconds(e.wall_s),
                        fmt_bytes(e.max_rss_bytes)
                    ),
                    format!(
                        "{} per grid point above the empty interpreter",
                        fmt_bytes(p.max_rss_bytes.saturating_sub(e.max_rss_bytes) / points)
                    ),
                ),
                Fact::Unavailable(_) => (
                    String::new(),
                    format!("{} per grid point", fmt_bytes(p.max_rss_bytes / points)),
                ),
            };
            s.push_str(&format!(
                " Measured from outside, the whole program took {} of wall time{startup}, {} of user and {} of system CPU time, and its resident set peaked at {} — {per_point}: lists of complex objects.",
                fmt_seconds(p.wall_s),
                fmt_seconds(p.user_s),
                fmt_seconds(p.system_s),
                fmt_bytes(p.max_rss_bytes),
            ));
            if let Some(t) = t {
                s.push_str(&if p.wall_s > t.seconds {
                    format!(
                        " The {} beyond timeit's figure is what a stopwatch on the loop never sees: start-up, imports, building the coordinate lists.",
                        fmt_seconds(p.wall_s - t.seconds)
                    )
                } else {
                    " Here the whole process took less than one timed call inside it: single runs on this machine vary by more than start-up costs.".to_string()
                });
            }
        }
        let (ri, rt, rc) = (
            self.row("rust", "Instant"),
            self.row("rust", "hpp timeit"),
            self.row("rust", "getrusage"),
        );
        if let (Some(i), Some(t)) = (ri, rt) {
            s.push_str(&format!(
                " Rust's loop: {} by Instant around one (first) call, {} as hpp timeit's median",
                fmt_seconds(i.seconds),
                fmt_seconds(t.seconds)
            ));
            match rc {
                Some(c) => s.push_str(&format!(
                    ", and the call used {} of CPU time ({}% of its wall time: {}).",
                    fmt_seconds(c.seconds),
                    fmt_sig(100.0 * c.seconds / i.seconds.max(1e-12), 3),
                    if c.seconds < 0.9 * i.seconds {
                        "the thread waited for part of the call — another program or the host had the CPU"
                    } else {
                        "the core was busy with it throughout"
                    }
                )),
                None => s.push('.'),
            }
        }
        if let (Some(lo), Some(hi)) = (
            self.rust_rss_samples.iter().map(|x| x.1).min(),
            self.rust_rss_samples.iter().map(|x| x.1).max(),
        ) {
            s.push_str(&format!(
                " Its resident set grew by {} during the loop; the counts it returns take {} (4 bytes per point).",
                fmt_bytes(hi - lo),
                fmt_bytes((self.grid * self.grid * 4) as u64)
            ));
        }
        match &self.rust_heap {
            Fact::Known(h) => {
                let points = (self.grid * self.grid) as u64;
                let counted = match (h.allocations, h.bytes_allocated) {
                    (Some(n), Some(b)) => format!(
                        "made {n} heap allocation{} ({} asked for in all) and ",
                        if n == 1 { "" } else { "s" },
                        fmt_bytes(b)
                    ),
                    _ => String::new(),
                };
                s.push_str(&format!(
                    " The whole Rust program (the grid's coordinates, then the loop) {counted}held at most {} of heap at once — {} per grid point, by {}.",
                    fmt_bytes(h.peak_bytes),
                    fmt_bytes(h.peak_bytes / points.max(1)),
                    h.method
                ));
            }
            Fact::Unavailable(u) => {
                s.push_str(&format!(" Rust's heap use: unavailable ({}).", u.reason()))
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" Unavailable: {u}."));
        }
        if let Fact::Unavailable(u) = &self.python_process {
            s.push_str(&format!(" The whole Python process: {u}."));
        }
        s
    }
}

impl fmt::Display for TimingTools {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "The Julia loop, {} × {} grid: one run, several clocks",
            self.grid, self.grid
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<50} {:>10}",
                r.language,
                r.tool,
                fmt_seconds(r.seconds)
            )?;
        }
        if let Fact::Known(p) = &self.python_process {
            writeln!(
                f,
                "python   whole process: wall {}, user {}, system {}, max RSS {}",
                fmt_seconds(p.wall_s),
                fmt_seconds(p.user_s),
                fmt_seconds(p.system_s),
                fmt_bytes(p.max_rss_bytes)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
