//! `amdahl`: Amdahl's law, measured. One compute job, a set share of it
//! done on one thread and the rest split among 1 … N threads, for serial
//! shares of 0, 5, 25 and 50 %; each measured speed-up set against the
//! curve the law draws for its share. Then CPython's threads running pure
//! Python, whose speed-ups are fitted the same way: the GIL makes their
//! whole job serial.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::parallel::{amdahl_job, pool};
use crate::machine::Machine;
use crate::machine::interpreters::find_python;
use crate::measure::cpython::{python_limit, run_bench};
use crate::measure::stats::{amdahl_fit, amdahl_speedup};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_percent, fmt_sig};

/// The serial shares set.
pub const SHARES: [f64; 4] = [0.0, 0.05, 0.25, 0.5];

/// One measured point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmdahlPoint {
    /// The serial share set (the units done alone over all units).
    pub serial: f64,
    /// Threads sharing the rest.
    pub threads: usize,
    /// Median seconds for the job.
    pub seconds: f64,
    /// Over the same job on one thread.
    pub speedup: f64,
}

/// CPython's threads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PythonThreads {
    /// `(threads, speed-up over one)`.
    pub speedups: Vec<(usize, f64)>,
    /// Amdahl's serial fraction fitted to them.
    pub serial_fit: Option<f64>,
    /// The interpreter, as "CPython 3.12.3".
    pub python: String,
    /// Whether its GIL was enabled.
    pub gil: String,
}

/// The `amdahl` result. JSON: `cpus`, `units`, `points[{serial, threads,
/// seconds, speedup}]`, `python` (a [`Fact`]: `{speedups[[threads,
/// speedup]], serial_fit, python, gil}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Amdahl {
    /// Always "amdahl".
    pub experiment: String,
    /// The most threads used.
    pub cpus: usize,
    /// Units of work in the job.
    pub units: usize,
    /// Every measurement.
    pub points: Vec<AmdahlPoint>,
    /// CPython's threads, or why not.
    pub python: Fact<PythonThreads>,
    /// Budget used.
    pub budget: String,
}

/// Measure with up to `threads` threads (default: every usable CPU).
///
/// # Errors
/// [`crate::Error::BadInput`] for a thread count the machine cannot run.
pub fn amdahl(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Amdahl> {
    let cpus = crate::measure::plan::threads(machine, threads)?;
    let counts: Vec<usize> = if cpus <= 8 {
        (1..=cpus).collect()
    } else {
        crate::measure::plan::thread_counts(cpus)
    };
    // Divisible by every count up to 8, so the shared part splits evenly.
    let units: usize = budget.level.pick(120, 480, 1680);
    let point = budget.per_point();
    let mut progress = Progress::new("amdahl", SHARES.len() * counts.len() + 1);
    let mut points = Vec::new();
    for &share in &SHARES {
        let serial = (share * units as f64).round() as usize;
        let mut one = None;
        for &t in &counts {
            progress.step(&format!("{}% serial, {t} threads", share * 100.0));
            let p = pool(t)?;
            let seconds = timeit_with(&point, || amdahl_job(&p, units, serial)).median_s;
            let base = *one.get_or_insert(seconds);
            points.push(AmdahlPoint {
                serial: serial as f64 / units as f64,
                threads: t,
                seconds,
                speedup: base / seconds,
            });
        }
    }
    progress.step("CPython: the same question for Python threads");
    let python = python_threads(&counts, budget);
    Ok(Amdahl {
        experiment: "amdahl".into(),
        cpus,
        units,
        points,
        python,
        budget: budget.level.to_string(),
    })
}

fn python_threads(counts: &[usize], budget: &Budget) -> Fact<PythonThreads> {
    if counts.len() < 2 {
        return Fact::unavailable("one CPU: nothing to share among threads");
    }
    let py = match find_python(None) {
        Fact::Known(p) => p,
        Fact::Unavailable(u) => return Fact::Unavailable(u),
    };
    let spec = serde_json::json!({
        "tasks": ["gil"],
        "min_run_s": 0.0,
        "runs": 1,
        "gil_work": budget.level.pick(2_000_000u64, 6_000_000, 20_000_000),
        "workers": counts,
        "gil_runs": budget.level.pick(2, 3, 3),
        "gil_kinds": ["threads"],
    });
    let out = match python_limit(budget).and_then(|limit| run_bench(&py, &spec, limit)) {
        Ok(o) => o,
        Err(u) => return Fact::Unavailable(u),
    };
    let Some(gil) = out.gil else {
        return Fact::unavailable("CPython sent no thread timings");
    };
    let times: Vec<(usize, f64)> = gil
        .points
        .iter()
        .filter(|p| p.kind == "threads")
        .map(|p| (p.workers, p.seconds))
        .collect();
    let Some(&(_, one)) = times.iter().find(|(w, _)| *w == 1) else {
        return Fact::unavailable("CPython sent no one-thread timing");
    };
    let speedups: Vec<(usize, f64)> = times.iter().map(|&(w, s)| (w, one / s)).collect();
    Fact::Known(PythonThreads {
        serial_fit: amdahl_fit(&speedups),
        speedups,
        python: format!("{} {}", out.python.implementation, out.python.version),
        gil: out.python.gil,
    })
}

impl Amdahl {
    /// The measured speed-up for `serial` (as set) at `threads`.
    pub fn speedup(&self, serial: f64, threads: usize) -> Option<f64> {
        self.points
            .iter()
            .find(|p| (p.serial - serial).abs() < 0.01 && p.threads == threads)
            .map(|p| p.speedup)
    }

    /// Measured over Amdahl's prediction, per share, at the most threads.
    pub fn against_the_law(&self) -> Vec<(f64, f64, f64)> {
        let most = self.points.iter().map(|p| p.threads).max().unwrap_or(1);
        self.points
            .iter()
            .filter(|p| p.threads == most)
            .map(|p| {
                let law = amdahl_speedup(p.serial, most as f64);
                (p.serial, p.speedup, law)
            })
            .collect()
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Amdahl {
    fn name(&self) -> &str {
        "amdahl"
    }

    fn headlines(&self) -> Vec<Headline> {
        let most = self.points.iter().map(|p| p.threads).max().unwrap_or(1);
        Headline::new(
            "amdahl_quarter_serial",
            "A job 25% serial: speed-up at the most threads",
            self.speedup(0.25, most).filter(|_| most > 1),
            "×",
            true,
        )
        .into_iter()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let most = self.points.iter().map(|p| p.threads).max().unwrap_or(1);
        let mut series = Vec::new();
        let mut shares: Vec<f64> = self.points.iter().map(|p| p.serial).collect();
        shares.dedup();
        for (k, &s) in shares.iter().enumerate() {
            series.push(XySeries {
                label: format!(
                    "{} serial: measured (dots), Amdahl's law (line)",
                    fmt_percent(s)
                ),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.serial == s)
                    .map(|p| (p.threads as f64, p.speedup))
                    .collect(),
                line: false,
                color_of: Some(k),
            });
            series.push(XySeries {
                label: String::new(),
                points: (0..=40)
                    .map(|j| 1.0 + (most as f64 - 1.0) * j as f64 / 40.0)
                    .map(|n| (n, amdahl_speedup(s, n)))
                    .collect(),
                line: true,
                color_of: Some(k),
            });
        }
        if let Fact::Known(py) = &self.python {
            series.push(XySeries {
                label: format!("{} threads, pure Python", py.python),
                points: py.speedups.iter().map(|&(t, s)| (t as f64, s)).collect(),
                line: true,
                color_of: Some(shares.len()),
            });
        }
        xy_chart(&XyChart {
            title: "Amdahl's law: a job's serial share caps what threads give",
            x_label: "threads",
            y_label: "speed-up over one thread (×)",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let most = self.points.iter().map(|p| p.threads).max().unwrap_or(1);
        if most < 2 {
            return "One CPU only: every job ran on one thread, whatever its serial share.".into();
        }
        let rows = self.against_the_law();
        let mut s = format!(
            "With {most} threads: {}.",
            rows.iter()
                .map(|(serial, got, law)| format!(
                    "{} serial ran {}× faster (the law allows {}×)",
                    fmt_percent(*serial),
                    fmt_sig(*got, 3),
                    fmt_sig(*law, 3)
                ))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let ratios: Vec<f64> = rows.iter().map(|(_, got, law)| got / law).collect();
        let lo = ratios.iter().copied().fold(f64::MAX, f64::min);
        let hi = ratios.iter().copied().fold(f64::MIN, f64::max);
        if lo >= 0.9 {
            s.push_str(
                " Every job kept within 10% of its curve: the serial share alone set the limit.",
            );
        } else if hi < 0.9 && hi - lo < 0.1 {
            s.push_str(&format!(
                " Every job fell short of its curve by about the same factor ({}–{} of it): that shortfall is the threads' own cost and the CPU time this machine gave, not the serial part.",
                fmt_percent(lo),
                fmt_percent(hi)
            ));
        } else {
            let worst = rows
                .iter()
                .zip(&ratios)
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(r, _)| r.0)
                .unwrap_or(0.0);
            s.push_str(&format!(
                " The jobs reached {}–{} of their curves; furthest below: {} serial.",
                fmt_percent(lo),
                fmt_percent(hi),
                fmt_percent(worst)
            ));
        }
        if let (Some(free), Some(half)) = (
            rows.iter().find(|r| r.0 == 0.0).map(|r| r.1),
            rows.iter().find(|r| (r.0 - 0.5).abs() < 0.01).map(|r| r.1),
        ) {
            s.push_str(&format!(
                " The fully parallel job got {}×, the half-serial one {}×{}.",
                fmt_sig(free, 3),
                fmt_sig(half, 3),
                if half < free {
                    ""
                } else {
                    ": no slower here, so something other than the serial half held the parallel job back"
                }
            ));
        }
        match &self.python {
            Fact::Known(py) => {
                if let Some(fit) = py.serial_fit {
                    let at_most = py.speedups.iter().max_by_key(|p| p.0).map_or(1.0, |p| p.1);
                    s.push_str(&format!(
                        " {}'s threads running pure Python got {}× with {most}: as if {} of their work were serial{}.",
                        py.python,
                        fmt_sig(at_most, 3),
                        fmt_percent(fit),
                        if fit >= 0.8 {
                            " — the GIL lets one thread run Python at a time"
                        } else if fit <= 0.2 {
                            " — they ran in parallel"
                        } else {
                            ""
                        }
                    ));
                }
            }
            Fact::Unavailable(u) => {
                s.push_str(&format!(" Python threads: unavailable: {}.", u.unavailable));
            }
        }
        s
    }
}

impl fmt::Display for Amdahl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>8} {:>7} {:>10} {:>8} {:>8}",
            "serial", "threads", "s", "speed-up", "law"
        )?;
        for p in &self.points {
            writeln!(
                f,
                "{:>8} {:>7} {:>10} {:>8} {:>8}",
                fmt_percent(p.serial),
                p.threads,
                fmt_sig(p.seconds, 3),
                fmt_sig(p.speedup, 3),
                fmt_sig(amdahl_speedup(p.serial, p.threads as f64), 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
