//! `scaling`: what more threads buy. First, how much CPU this machine really
//! grants (spinning threads, CPU time over wall time) — a VM or a busy host
//! may offer less than it reports. Then a compute-bound and a memory-bound
//! job on 1 … N threads and 2N (oversubscribed), speed-ups judged against
//! that share, an Amdahl fit, and false sharing.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Headline, Overlay, Shape};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::parallel::{compute_job, counters, cpu_share, memory_job};
use crate::machine::Machine;
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::fmt_sig;

/// One workload at one thread count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPoint {
    /// "compute" or "memory".
    pub workload: String,
    /// Threads in the pool.
    pub threads: usize,
    /// One thread's time over this one's.
    pub speedup: f64,
}

/// Per-thread counters in one cache line vs padded apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FalseSharing {
    /// Threads incrementing.
    pub threads: usize,
    /// Nanoseconds per increment, counters adjacent (one line).
    pub packed_ns: f64,
    /// Nanoseconds per increment, counters 128 bytes apart.
    pub padded_ns: f64,
}

/// Two threads on SMT siblings of one core vs on two separate cores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmtPair {
    /// Two logical CPUs of one core.
    pub siblings: [usize; 2],
    /// Two logical CPUs of different cores.
    pub separate: [usize; 2],
    /// Throughput of the sibling pair over one thread alone.
    pub siblings_speedup: f64,
    /// Throughput of the separate pair over one thread alone.
    pub separate_speedup: f64,
}

/// The `scaling` result. JSON: `points[{workload, threads, speedup}]`,
/// `cpu_share` (CPUs' worth granted to `cpus` spinning threads),
/// `amdahl_serial_fraction`, `false_sharing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    /// Always "scaling".
    pub experiment: String,
    /// Logical CPUs this process may use.
    pub cpus: usize,
    /// CPU time granted to `cpus` spinning threads, in CPUs.
    pub cpu_share: Fact<f64>,
    /// Speed-ups.
    pub points: Vec<ScalingPoint>,
    /// Serial fraction of the compute job from Amdahl's law, fitted.
    pub amdahl_serial_fraction: Fact<f64>,
    /// False sharing, where there are two or more CPUs.
    pub false_sharing: Fact<FalseSharing>,
    /// SMT siblings vs separate cores, where the machine has SMT.
    pub smt: Fact<SmtPair>,
    /// Budget used.
    pub budget: String,
}

/// Fit Amdahl's serial fraction from speed-ups (see
/// [`crate::measure::stats::amdahl_fit`]).
pub fn amdahl(points: &[(usize, f64)]) -> Option<f64> {
    crate::measure::stats::amdahl_fit(points)
}

/// Measure with up to `threads` threads (default: every usable CPU).
///
/// # Errors
/// [`Error::BadInput`] for an absurd thread count or a pool that cannot start;
/// [`Error::TooBig`] when the memory-bound array would not fit.
pub fn scaling(machine: &Machine, budget: &Budget, threads: Option<usize>) -> Result<Scaling> {
    let cpus = crate::measure::plan::threads(machine, threads)?;
    let quick = budget.level == crate::measure::Level::Quick;
    let big = crate::measure::plan::beyond_caches(machine, budget);
    budget.check_alloc(machine, "scaling's array", big)?;
    let point = budget.per_point();
    let counts = crate::measure::plan::counts_with_oversubscription(machine, cpus);
    let mut progress = Progress::new("scaling", 3 + counts.len() * 2);
    progress.step("CPU share");
    let share: Fact<f64> =
        cpu_share(cpus, Duration::from_millis(if quick { 100 } else { 400 })).into_fact();
    let units = if quick { 64 } else { 256 };
    let data: Vec<f64> = (0..(big / 8) as usize).map(|i| (i % 16) as f64).collect();
    let mut points = Vec::new();
    for workload in ["compute", "memory"] {
        let mut base = None;
        for &t in &counts {
            progress.step(&format!("{workload}, {t} threads"));
            let mut err = None;
            let timing = timeit_with(&point, || {
                let r = if workload == "compute" {
                    compute_job(t, units)
                } else {
                    memory_job(t, &data, 64)
                };
                match r {
                    Ok(v) => v,
                    Err(e) => {
                        err = Some(e);
                        0.0
                    }
                }
            });
            if let Some(e) = err {
                return Err(e);
            }
            let secs = timing.median_s;
            let b = *base.get_or_insert(secs);
            points.push(ScalingPoint {
                workload: workload.into(),
                threads: t,
                speedup: b / secs,
            });
        }
    }
    let fit: Vec<(usize, f64)> = points
        .iter()
        .filter(|p| p.workload == "compute" && p.threads <= cpus)
        .map(|p| (p.threads, p.speedup))
        .collect();
    let amdahl_serial_fraction = if cpus > 1 {
        amdahl(&fit)
            .map(Fact::Known)
            .unwrap_or_else(|| Fact::unavailable("no multi-thread points"))
    } else {
        Fact::unavailable("one CPU: nothing to fit")
    };
    progress.step("false sharing");
    let false_sharing = if cpus > 1 {
        let t = cpus.min(4);
        let n = if quick { 200_000 } else { 2_000_000 };
        let time = |stride: usize| {
            timeit_with(&point, || counters(t, n, stride)).median_s * 1e9 / n as f64
        };
        Fact::Known(FalseSharing {
            threads: t,
            packed_ns: time(1),
            padded_ns: time(16),
        })
    } else {
        Fact::unavailable("one CPU: no other core to share a line with")
    };
    progress.step("SMT siblings vs separate cores");
    let smt = smt_pair(machine, if quick { 16 } else { 64 });
    Ok(Scaling {
        experiment: "scaling".into(),
        smt,
        cpus,
        cpu_share: share,
        points,
        amdahl_serial_fraction,
        false_sharing,
        budget: budget.level.to_string(),
    })
}

/// Pin two compute threads to SMT siblings, then to separate cores, and
/// compare each pair's throughput with one pinned thread.
fn smt_pair(machine: &Machine, units: usize) -> Fact<SmtPair> {
    let (Some(sib), Some(online)) = (machine.cpu.smt_siblings.known(), machine.cpu.online.known())
    else {
        return Fact::unavailable("the CPU topology is not known here");
    };
    if sib.len() < 2 {
        return Fact::unavailable("no SMT: each core runs one hardware thread");
    }
    let Some(&other) = online.iter().find(|c| !sib.contains(c)) else {
        return Fact::unavailable("every usable CPU is a sibling of one core");
    };
    let (a, b) = (sib[0], sib[1]);
    let run = |cpus: &[usize]| crate::kernels::parallel::pinned_compute(cpus, units);
    let measure = || -> Result<SmtPair> {
        let one = run(&[a])?;
        let pair_sib = run(&[a, b])?;
        let pair_sep = run(&[a, other])?;
        Ok(SmtPair {
            siblings: [a, b],
            separate: [a, other],
            siblings_speedup: 2.0 * one / pair_sib,
            separate_speedup: 2.0 * one / pair_sep,
        })
    };
    measure().into_fact()
}

trait IntoFact<T> {
    fn into_fact(self) -> Fact<T>;
}

impl<T> IntoFact<T> for Result<T> {
    fn into_fact(self) -> Fact<T> {
        match self {
            Ok(v) => Fact::Known(v),
            Err(Error::Unavailable(u)) => Fact::Unavailable(u),
            Err(e) => Fact::unavailable(e.to_string()),
        }
    }
}

impl Scaling {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }

    fn at(&self, workload: &str, threads: usize) -> Option<f64> {
        self.points
            .iter()
            .find(|p| p.workload == workload && p.threads == threads)
            .map(|p| p.speedup)
    }
}

impl Outcome for Scaling {
    fn name(&self) -> &str {
        "scaling"
    }

    fn headlines(&self) -> Vec<Headline> {
        let all = self
            .points
            .iter()
            .find(|p| p.workload == "compute" && p.threads == self.cpus)
            .map(|p| p.speedup);
        [
            Headline::new(
                "cpu_share",
                "CPU share granted",
                self.cpu_share.known().copied(),
                "CPUs",
                true,
            ),
            Headline::new(
                "compute_speedup_all",
                "Compute speed-up, all CPUs",
                all,
                "×",
                true,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn overlays(&self) -> Vec<Overlay> {
        vec![Overlay {
            key: "scaling".into(),
            title: "Compute-bound speed-up by threads, each member's machine".into(),
            x_label: "threads".into(),
            y_label: "speed-up over one thread".into(),
            shape: Shape::Xy {
                points: self
                    .points
                    .iter()
                    .filter(|p| p.workload == "compute")
                    .map(|p| (p.threads as f64, p.speedup))
                    .collect(),
            },
        }]
    }

    fn plot(&self) -> Result<Figure> {
        let mut series: Vec<XySeries> = ["compute", "memory"]
            .iter()
            .map(|w| XySeries {
                label: format!("{w}-bound"),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.workload == *w)
                    .map(|p| (p.threads as f64, p.speedup))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        if let Fact::Known(s) = self.cpu_share {
            series.push(XySeries {
                label: format!("CPU share granted: {}", fmt_sig(s, 3)),
                points: vec![(self.cpus as f64, s)],
                line: false,
                color_of: None,
            });
        }
        let oversubscribed = self.points.iter().any(|p| p.threads > self.cpus);
        xy_chart(&XyChart {
            title: if oversubscribed {
                "Speed-up with more threads (the last point oversubscribes)"
            } else {
                "Speed-up with more threads"
            },
            x_label: "threads",
            y_label: "speed-up over one thread (×)",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let n = self.cpus;
        let mut s = match &self.cpu_share {
            Fact::Known(share) => format!(
                "{n} spinning threads were granted {} CPUs' worth of time.",
                fmt_sig(*share, 3)
            ),
            Fact::Unavailable(u) => format!("CPU share: {u}."),
        };
        if let (Some(c), Some(m)) = (self.at("compute", n), self.at("memory", n)) {
            s.push_str(&format!(
                " With {n} threads the compute-bound job ran {}× faster{} and the memory-bound one {}×{}.",
                fmt_sig(c, 3),
                self.cpu_share
                    .known()
                    .map(|sh| format!(" ({}% of what that share allows)", fmt_sig(100.0 * c / sh.min(n as f64), 3)))
                    .unwrap_or_default(),
                fmt_sig(m, 3),
                if m < 0.9 * c {
                    ": memory is shared by every core, so the memory-bound job gains less"
                } else {
                    ": here memory kept up with the extra cores"
                }
            ));
        }
        if let Some(v) = self.cores_verdict() {
            s.push(' ');
            s.push_str(&v);
        }
        if let (Some(o), Some(c)) = (self.at("compute", 2 * n), self.at("compute", n)) {
            let verdict = if o > c * 1.1 {
                format!(
                    "faster than {n} threads ({}×): more threads cannot add CPUs, so either the work split into smaller shares came out more even, or the host granted more time to more threads",
                    fmt_sig(c, 3)
                )
            } else if o < c * 0.9 {
                format!(
                    "slower than {n} threads ({}×): the threads take turns on the same CPUs, and switching between them costs",
                    fmt_sig(c, 3)
                )
            } else {
                format!(
                    "the same as {n} threads ({}×): the extra threads only take turns on the same CPUs",
                    fmt_sig(c, 3)
                )
            };
            s.push_str(&format!(
                " {} threads on {n} CPUs ran {}×, {verdict}.",
                2 * n,
                fmt_sig(o, 3)
            ));
        }
        if let Fact::Known(f) = &self.amdahl_serial_fraction {
            // The job has no serial part: whatever the fit finds is what
            // stopped it scaling in this run.
            s.push_str(&if *f < 0.05 {
                format!(
                    " Fitting Amdahl's law gives a serial fraction of {}: as near perfectly parallel as this job is.",
                    fmt_sig(*f, 2)
                )
            } else {
                format!(
                    " Fitting Amdahl's law gives an apparent serial fraction of {}; this job has no serial part, so that is what held it back here — starting threads, unequal shares of the CPUs, the host's other work.",
                    fmt_sig(*f, 2)
                )
            });
        }
        match &self.false_sharing {
            Fact::Known(fs) => s.push_str(&format!(
                " False sharing: {} threads bumping counters in one cache line take {} ns per increment, padded apart {} ns ({}×).",
                fs.threads,
                fmt_sig(fs.packed_ns, 3),
                fmt_sig(fs.padded_ns, 3),
                fmt_sig(fs.packed_ns / fs.padded_ns, 3)
            )),
            Fact::Unavailable(u) => s.push_str(&format!(" False sharing: {u}.")),
        }
        match &self.smt {
            Fact::Known(p) => s.push_str(&format!(
                " Two threads on SMT siblings (CPUs {} and {}) do {}× the work of one; on separate cores (CPUs {} and {}) {}×: hyperthreads share one core's units.",
                p.siblings[0], p.siblings[1], fmt_sig(p.siblings_speedup, 3),
                p.separate[0], p.separate[1], fmt_sig(p.separate_speedup, 3)
            )),
            Fact::Unavailable(u) => s.push_str(&format!(" SMT: {u}.")),
        }
        s
    }
}

impl Scaling {
    /// What the logical CPUs behave like, judged from this run alone: when
    /// the threads were granted (nearly) full CPUs yet compute-bound work
    /// fell well short of that share, the CPUs share execution units — SMT
    /// siblings on the host, whatever the guest OS reports, or cores another
    /// guest is using. `None` with one CPU or without a measured share.
    pub fn cores_verdict(&self) -> Option<String> {
        let n = self.cpus;
        let share = *self.cpu_share.known()?;
        let c = self.at("compute", n)?;
        if n < 2 {
            return None;
        }
        let allowed = share.min(n as f64);
        Some(if share >= 0.9 * n as f64 && c < 0.75 * allowed {
            format!(
                "The {n} CPUs gave {} CPUs' worth of time, yet compute-bound work ran only {}× faster: they behave like hyperthreads (SMT siblings) sharing one core's execution units — whatever the OS reports — or like cores another guest is using.",
                fmt_sig(share, 3),
                fmt_sig(c, 3)
            )
        } else if c >= 0.9 * allowed {
            format!(
                "Compute-bound work scaled with the CPU time granted ({}% of it): these CPUs behave as separate cores.",
                fmt_sig(100.0 * c / allowed, 3)
            )
        } else {
            format!(
                "Compute-bound work reached {}% of what the CPU time granted allows: partly shared cores, or a busy host.",
                fmt_sig(100.0 * c / allowed, 3)
            )
        })
    }
}

impl fmt::Display for Scaling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>8} {:>9} {:>9}   (speed-up over one thread)",
            "threads", "compute", "memory"
        )?;
        let mut ts: Vec<usize> = self.points.iter().map(|p| p.threads).collect();
        ts.sort_unstable();
        ts.dedup();
        for t in ts {
            let v = |w: &str| self.at(w, t).map(|x| fmt_sig(x, 3)).unwrap_or_default();
            writeln!(f, "{t:>8} {:>9} {:>9}", v("compute"), v("memory"))?;
        }
        write!(f, "{}", self.reading())
    }
}
