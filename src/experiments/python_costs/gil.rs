//! `gil`: one CPU-bound job shared among 1 … N workers (and 2N, more than
//! the CPUs), as CPython threads, CPython processes and Rust threads — and,
//! when a free-threaded CPython (PEP 703: `python3.13t`, `python3.14t`) is on
//! PATH, its threads too. The GIL lets one thread run Python bytecode at a
//! time, so the thread curve stays flat while processes and Rust scale.

use std::fmt;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::examples::spin;
use crate::machine::Machine;
use crate::machine::interpreters::{find_python, free_threaded};
use crate::measure::cpython::python_limit;
use crate::measure::cpython::{PythonInfo, run_bench};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::fmt_sig;

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GilPoint {
    /// e.g. "CPython 3.12.3 threads", "Rust threads".
    pub runtime: String,
    /// Workers sharing the job.
    pub workers: usize,
    /// Best wall time, s.
    pub seconds: f64,
    /// Time with 1 worker ÷ time with this many.
    pub speedup: f64,
}

/// The `gil` result. JSON: `points[{runtime, workers, seconds, speedup}]`,
/// `pythons[{version, implementation, executable, gil, jit}]`,
/// `unavailable[why]`, `usable_cpus`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gil {
    /// Always "gil".
    pub experiment: String,
    /// CPUs this process may use.
    pub usable_cpus: usize,
    /// Every measurement.
    pub points: Vec<GilPoint>,
    /// Interpreters that ran.
    pub pythons: Vec<PythonInfo>,
    /// What could not run, and why.
    pub unavailable: Vec<String>,
    /// Budget used.
    pub budget: String,
}

/// Python loop iterations for the whole job.
fn python_work(budget: &Budget) -> u64 {
    budget.level.pick(3_000_000, 10_000_000, 30_000_000)
}

/// Rust's job is larger (it runs ~100× faster) so that its times are not
/// dominated by starting threads.
const RUST_FACTOR: u64 = 50;

fn speedups(runtime: &str, times: &[(usize, f64)]) -> Vec<GilPoint> {
    let one = times.iter().find(|(w, _)| *w == 1).map(|t| t.1);
    times
        .iter()
        .map(|&(workers, seconds)| GilPoint {
            runtime: runtime.to_string(),
            workers,
            seconds,
            speedup: one.map_or(f64::NAN, |o| o / seconds),
        })
        .collect()
}

fn rust_threads(total: u64, workers: usize) -> f64 {
    let w = workers as u64;
    let start = Instant::now();
    std::thread::scope(|s| {
        for k in 0..w {
            let share = total / w + u64::from(k < total % w);
            s.spawn(move || std::hint::black_box(spin(share)));
        }
    });
    start.elapsed().as_secs_f64()
}

/// Run it with `threads` workers at most (`None`: every usable CPU), plus
/// twice that.
///
/// # Errors
/// [`crate::Error::BadInput`] for an absurd thread count (0 means every CPU).
pub fn gil(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Gil> {
    let cpus = crate::measure::plan::threads(machine, threads)?;
    let workers = crate::measure::plan::counts_with_oversubscription(machine, cpus);
    let runs = budget.level.pick(2, 3, 3);
    let mut interpreters: Vec<std::path::PathBuf> = Vec::new();
    let mut unavailable = Vec::new();
    match find_python(None) {
        Fact::Known(p) => interpreters.push(p),
        Fact::Unavailable(u) => unavailable.push(format!("CPython: {}", u.unavailable)),
    }
    let ft = free_threaded();
    if ft.is_empty() {
        unavailable.push(
            "free-threaded CPython: none on PATH (python3.13t / python3.14t, PEP 703)".to_string(),
        );
    }
    interpreters.extend(ft);
    let mut progress = Progress::new("gil", interpreters.len() + 1);
    let mut points = Vec::new();
    let mut pythons = Vec::new();
    let spec = serde_json::json!({
        "tasks": ["gil"],
        "min_run_s": 0.0,
        "runs": 1,
        "gil_work": python_work(budget),
        "workers": workers,
        "gil_runs": runs,
    });
    for py in &interpreters {
        progress.step(&py.display().to_string());
        match python_limit(budget).and_then(|limit| run_bench(py, &spec, limit)) {
            Ok(out) => {
                let name = format!("{} {}", out.python.implementation, out.python.version);
                let free = out.python.gil.starts_with("disabled");
                if let Some(g) = &out.gil {
                    for kind in ["threads", "processes"] {
                        if free && kind == "processes" {
                            continue;
                        }
                        let times: Vec<(usize, f64)> = g
                            .points
                            .iter()
                            .filter(|p| p.kind == kind)
                            .map(|p| (p.workers, p.seconds))
                            .collect();
                        let label = if free {
                            format!("{name} free-threaded, threads")
                        } else {
                            format!("{name} {kind}")
                        };
                        points.extend(speedups(&label, &times));
                    }
                }
                unavailable.extend(
                    out.unavailable
                        .iter()
                        .map(|m| format!("{}: {}", m.example, m.why)),
                );
                pythons.push(out.python);
            }
            Err(u) => unavailable.push(format!("{}: {}", py.display(), u.unavailable)),
        }
    }
    progress.step("Rust threads");
    let total = python_work(budget) * RUST_FACTOR;
    let times: Vec<(usize, f64)> = workers
        .iter()
        .map(|&w| {
            let best = (0..runs)
                .map(|_| rust_threads(total, w))
                .fold(f64::INFINITY, f64::min);
            (w, best)
        })
        .collect();
    points.extend(speedups("Rust threads", &times));
    Ok(Gil {
        experiment: "gil".into(),
        usable_cpus: cpus,
        points,
        pythons,
        unavailable,
        budget: budget.level.to_string(),
    })
}

impl Gil {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn runtimes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for p in &self.points {
            if !v.contains(&p.runtime.as_str()) {
                v.push(&p.runtime);
            }
        }
        v
    }

    fn at(&self, runtime_ends: &str, workers: usize) -> Option<&GilPoint> {
        self.points
            .iter()
            .find(|p| p.runtime.ends_with(runtime_ends) && p.workers == workers)
    }
}

impl Outcome for Gil {
    fn name(&self) -> &str {
        "gil"
    }

    fn plot(&self) -> Result<Figure> {
        let series: Vec<XySeries> = self
            .runtimes()
            .into_iter()
            .map(|r| XySeries {
                label: r.to_string(),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.runtime == r)
                    .map(|p| (p.workers as f64, p.speedup))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        xy_chart(&XyChart {
            title: "One CPU-bound job shared by N workers: threads, processes, GIL",
            x_label: "workers",
            y_label: "speed-up over one worker",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let n = self.usable_cpus;
        let mut s = format!("With {n} usable CPU(s):");
        let gil_threads = self.points.iter().find(|p| {
            p.workers == n
                && p.runtime.ends_with(" threads")
                && !p.runtime.contains("free")
                && !p.runtime.starts_with("Rust")
        });
        let processes = self.points.iter().find(|p| {
            p.workers == n && p.runtime.ends_with(" processes") && !p.runtime.contains("free")
        });
        let rust = self.at("Rust threads", n);
        let free = self
            .points
            .iter()
            .find(|p| p.workers == n && p.runtime.contains("free-threaded"));
        for (label, p) in [
            ("CPython threads", gil_threads),
            ("CPython processes", processes),
            ("Rust threads", rust),
            ("free-threaded CPython threads", free),
        ] {
            if let Some(p) = p {
                s.push_str(&format!(" {label} {}×,", fmt_sig(p.speedup, 3)));
            }
        }
        s.pop();
        s.push_str(" speed-up over one worker.");
        // Each verdict is read off the speed-ups measured above.
        const GAINED: f64 = 1.2;
        if n == 1 {
            s.push_str(
                " With one CPU there is nothing to share out: no runtime can speed up CPU-bound work here.",
            );
        } else {
            match gil_threads {
                Some(t) if t.speedup < GAINED => s.push_str(
                    " CPython threads gained nothing: the GIL lets one thread run Python bytecode at a time.",
                ),
                Some(t) => s.push_str(&format!(
                    " CPython threads did speed up ({}×): this interpreter did not make them take turns on one lock.",
                    fmt_sig(t.speedup, 3)
                )),
                None => {}
            }
            let (did, did_not): (Vec<_>, Vec<_>) = [
                ("processes (each with its own interpreter)", processes),
                ("Rust threads", rust),
            ]
            .into_iter()
            .filter_map(|(l, p)| p.map(|p| (l, p.speedup)))
            .partition(|(_, sp)| *sp >= GAINED);
            let names = |v: &[(&str, f64)]| v.iter().map(|x| x.0).collect::<Vec<_>>().join(" and ");
            if !did.is_empty() {
                s.push_str(&format!(
                    " {} did speed up, up to the CPUs granted.",
                    capitalise(&names(&did))
                ));
            }
            if !did_not.is_empty() {
                s.push_str(&format!(
                    " {} did not: the CPUs were not granted in full, or were busy with other work.",
                    capitalise(&names(&did_not))
                ));
            }
        }
        for u in &self.unavailable {
            s.push_str(&format!(" Unavailable: {u}."));
        }
        s
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl fmt::Display for Gil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.points {
            writeln!(
                f,
                "{:<40} {:>3} workers {:>9} s  {:>6}×",
                p.runtime,
                p.workers,
                fmt_sig(p.seconds, 3),
                fmt_sig(p.speedup, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
