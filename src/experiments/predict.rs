//! Predict, then measure: each section of chapter 1 asks the reader for a
//! number before the experiment runs (`let guess = …;`), and the result
//! shown after it sets the guess beside the figure this run measured.
//!
//! [`Answers`] gives, for every chapter-1 experiment, the one measured
//! figure its section's **Predict** asks about; [`Predict::against`] shows
//! the result (plot and reading, as usual) with one more sentence: the
//! guess, the measurement, and how far apart they are. The measurement is
//! always this run's; where it could not be taken the sentence says why.

use std::fmt;

use crate::error::Fact;
use crate::experiments::io::buses::{DISK, DRAM};
use crate::experiments::{
    Access, Amdahl, Bandwidth, Branches, Buses, CacheLine, Clock, Dynamic, Flops, Gil, HeavyData,
    Ilp, Interpreter, Latency, Mlp, Network, Objects, Outcome, Python, Roofline, Scaling, Simd,
    Storage, Sweep, Tiers,
};
use crate::units::{fmt_bytes, fmt_sig};

/// A guess within this factor of the measurement counts as close.
const CLOSE: f64 = 1.25;

/// The figure a section's Predict question asks about, as this run
/// measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// What was measured, in a few words ("a load from DRAM ÷ one from L1d").
    pub what: String,
    /// The figure, or why it could not be measured here.
    pub value: Fact<f64>,
    /// Its unit as written after the number: "×", "GHz", "bytes", …
    pub unit: &'static str,
}

impl Answer {
    fn new(what: impl Into<String>, value: Option<f64>, unit: &'static str, why: &str) -> Self {
        Answer {
            what: what.into(),
            value: value
                .filter(|v| v.is_finite() && *v > 0.0)
                .map_or_else(|| Fact::unavailable(why), Fact::Known),
            unit,
        }
    }

    fn with_unit(&self, v: f64) -> String {
        match self.unit {
            "×" => format!("{}×", fmt_sig(v, 3)),
            u => format!("{} {u}", fmt_sig(v, 3)),
        }
    }

    /// The sentence setting `guess` beside the measurement.
    pub fn against(&self, guess: f64) -> String {
        let measured = match &self.value {
            Fact::Known(v) => *v,
            Fact::Unavailable(u) => {
                return format!(
                    "Your guess: {}. Measured: unavailable ({}).",
                    self.with_unit(guess),
                    u.unavailable
                );
            }
        };
        let got = format!("Measured: {} ({})", self.with_unit(measured), self.what);
        if !guess.is_finite() || guess <= 0.0 {
            return format!("No guess written (put a positive number in the guess cell). {got}.");
        }
        let r = guess / measured;
        let verdict = if r.max(1.0 / r) <= CLOSE {
            "close: within 25%".to_string()
        } else if r > 1.0 {
            format!("{}× too high", fmt_sig(r, 2))
        } else {
            format!("{}× too low", fmt_sig(1.0 / r, 2))
        };
        format!(
            "Your guess: {}. {got}. Your guess was {verdict}.",
            self.with_unit(guess)
        )
    }
}

/// The measured answer to the Predict question of the section an
/// experiment belongs to.
pub trait Answers {
    /// This run's figure for the question.
    fn answer(&self) -> Answer;
}

/// A result shown with the reader's guess beside its answer.
pub struct Guessed<'a> {
    outcome: &'a dyn Outcome,
    answer: Answer,
    guess: f64,
}

impl Guessed<'_> {
    /// The sentence comparing the guess with the measurement.
    pub fn verdict(&self) -> String {
        self.answer.against(self.guess)
    }

    /// Show the plot and reading, then the guess against the measurement.
    pub fn evcxr_display(&self) {
        crate::experiments::outcome::show_with(self.outcome, &self.verdict());
    }
}

impl fmt::Display for Guessed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.outcome, self.verdict())
    }
}

/// `result.against(guess)`: for every result that answers a Predict.
pub trait Predict {
    /// This result, shown with `guess` set beside the figure it asked for.
    fn against(&self, guess: f64) -> Guessed<'_>;
}

impl<T: Outcome + Answers> Predict for T {
    fn against(&self, guess: f64) -> Guessed<'_> {
        Guessed {
            outcome: self,
            answer: self.answer(),
            guess,
        }
    }
}

/// `slow ÷ fast`, when both are there.
fn ratio(slow: Option<f64>, fast: Option<f64>) -> Option<f64> {
    match (slow, fast) {
        (Some(s), Some(f)) if f > 0.0 => Some(s / f),
        _ => None,
    }
}

/// The last point of the series whose label starts with `prefix`.
fn last_of(s: &Sweep, prefix: &str) -> Option<(u64, f64)> {
    s.series
        .iter()
        .find(|x| x.label.starts_with(prefix))
        .and_then(|x| x.points.last().copied())
}

impl Answers for Sweep {
    fn answer(&self) -> Answer {
        let (slow, fast, what) = match self.experiment.as_str() {
            "pointers" => ("boxes shuffled", "Vec<f64>", "shuffled boxes ÷ Vec<f64>"),
            _ => (
                "Vec<Box<f64>>",
                "Vec<f64>",
                "the boxed sum ÷ the contiguous one",
            ),
        };
        let (a, b) = (last_of(self, slow), last_of(self, fast));
        let at = a.map(|(size, _)| format!(" at {}", fmt_bytes(size)));
        Answer::new(
            format!("{what}{}", at.unwrap_or_default()),
            ratio(a.map(|p| p.1), b.map(|p| p.1)),
            "×",
            "a layout is missing from this run",
        )
    }
}

impl Answers for Clock {
    fn answer(&self) -> Answer {
        Answer::new(
            "additions per nanosecond in one dependent chain",
            Some(self.ghz),
            "GHz",
            "the add chain was not timed",
        )
    }
}

impl Answers for Ilp {
    fn answer(&self) -> Answer {
        let best = self
            .points
            .iter()
            .filter(|p| p.op == "f64_add")
            .max_by(|a, b| a.ops_per_cycle.total_cmp(&b.ops_per_cycle));
        Answer::new(
            match best {
                Some(p) => format!("f64 additions per cycle at best, with {} chains", p.chains),
                None => "f64 additions per cycle at best".into(),
            },
            best.map(|p| p.ops_per_cycle),
            "per cycle",
            "the f64 add chains did not run",
        )
    }
}

impl Answers for Branches {
    fn answer(&self) -> Answer {
        let row = |name: &str| self.rows.iter().find(|r| r.0 == name).map(|r| r.1);
        Answer::new(
            "the shuffled order ÷ the sorted one",
            ratio(row("shuffled"), row("sorted")),
            "×",
            "a data order is missing from this run",
        )
    }
}

impl Answers for Flops {
    fn answer(&self) -> Answer {
        let at = |bits: u32| {
            self.points
                .iter()
                .find(|p| p.precision == "f64" && p.vector_bits == bits && p.threads == 1)
                .map(|p| p.gflops)
        };
        Answer::new(
            "one core's f64 FLOP/s with 256-bit vectors ÷ scalar",
            ratio(at(256), at(64)),
            "×",
            "this CPU has no 256-bit vectors, or the scalar chain did not run",
        )
    }
}

impl Answers for Simd {
    fn answer(&self) -> Answer {
        let largest = self.points.iter().map(|p| p.size_bytes).max();
        let sum = |pick: &dyn Fn(&str) -> bool| {
            self.points
                .iter()
                .filter(|p| p.kernel == "sum" && p.precision == "f64")
                .filter(|p| Some(p.size_bytes) == largest && pick(&p.variant))
                .map(|p| p.ns_per_element)
                .min_by(f64::total_cmp)
        };
        Answer::new(
            format!(
                "the strict scalar sum ÷ the fastest explicit lanes, f64 at {} in main memory",
                largest.map(fmt_bytes).unwrap_or_default()
            ),
            ratio(sum(&|v| v == "scalar"), sum(&|v| v.starts_with("explicit"))),
            "×",
            "no explicit lanes ran on this CPU",
        )
    }
}

impl Answers for Scaling {
    fn answer(&self) -> Answer {
        Answer::new(
            format!(
                "CPUs' worth of time {} spinning threads were granted",
                self.cpus
            ),
            self.cpu_share.known().copied(),
            "CPUs",
            "the CPU share could not be measured here",
        )
    }
}

impl Answers for Amdahl {
    fn answer(&self) -> Answer {
        let best = self
            .points
            .iter()
            .filter(|p| (p.serial - 0.25).abs() < 1e-9 && p.threads <= self.cpus.max(1))
            .max_by_key(|p| p.threads);
        Answer::new(
            match best {
                Some(p) => format!("the 25%-serial job on {} threads", p.threads),
                None => "the 25%-serial job on every CPU".into(),
            },
            best.map(|p| p.speedup),
            "×",
            "the 25% share did not run",
        )
    }
}

impl Answers for Latency {
    fn answer(&self) -> Answer {
        let (first, last) = (self.levels.first(), self.levels.last());
        Answer::new(
            match (first, last) {
                (Some(a), Some(b)) => format!("a load from {} ÷ one from {}", b.level, a.level),
                _ => "main memory ÷ L1".into(),
            },
            ratio(last.map(|l| l.ns_per_load), first.map(|l| l.ns_per_load))
                .filter(|_| self.levels.len() > 1),
            "×",
            "the curve showed only one level",
        )
    }
}

impl Answers for CacheLine {
    fn answer(&self) -> Answer {
        Answer::new(
            "the stride where the cost per read stops growing",
            self.line_bytes.map(|b| b as f64),
            "bytes",
            "the cost per read never levelled off in this run",
        )
    }
}

impl Answers for Access {
    fn answer(&self) -> Answer {
        let largest = self.points.iter().map(|p| p.size_bytes).max();
        let at = |pattern: &str| {
            self.points
                .iter()
                .find(|p| p.pattern == pattern && Some(p.size_bytes) == largest)
                .map(|p| p.ns_per_read)
        };
        Answer::new(
            format!(
                "a random walk ÷ a sequential one at {}",
                largest.map(fmt_bytes).unwrap_or_default()
            ),
            ratio(at("random"), at("sequential")),
            "×",
            "an access pattern is missing from this run",
        )
    }
}

impl Answers for Bandwidth {
    fn answer(&self) -> Answer {
        let most = self.thread_counts.iter().copied().max().unwrap_or(1);
        let at = |threads: usize| self.at_largest("read", threads).map(|p| p.gb_per_s);
        Answer::new(
            format!("main-memory reads, {most} threads ÷ one"),
            ratio(at(most), at(1)).filter(|_| most > 1),
            "×",
            "only one thread ran (one usable CPU, or --threads 1)",
        )
    }
}

impl Answers for Mlp {
    fn answer(&self) -> Answer {
        let at = |k: usize| {
            self.points
                .iter()
                .find(|p| p.chains == k)
                .map(|p| p.ns_per_load)
        };
        Answer::new(
            "loads per second with 16 chases ÷ with one",
            ratio(at(1), at(16)),
            "×",
            "the 16-chase run is missing",
        )
    }
}

impl Answers for Roofline {
    fn answer(&self) -> Answer {
        let dram = self
            .ceilings
            .iter()
            .find(|c| c.level == "DRAM")
            .map(|c| c.gb_per_s);
        Answer::new(
            "one core's peak GFLOP/s ÷ its main-memory GB/s (the ridge point)",
            ratio(Some(self.peak_gflops), dram),
            "flops per byte",
            "main memory's bandwidth was not measured",
        )
    }
}

impl Answers for HeavyData {
    fn answer(&self) -> Answer {
        Answer::new(
            "a text round trip, then the sum ÷ the sum in place",
            self.rows
                .iter()
                .find(|r| r.variant.starts_with("text"))
                .map(|r| r.ratio_to_sum),
            "×",
            "the text round trip did not run",
        )
    }
}

impl Answers for Storage {
    fn answer(&self) -> Answer {
        Answer {
            what: "one random 4 KiB read from the device".into(),
            value: match self.row("random", "device") {
                Some(r) => r.us_per_read.clone(),
                None => Fact::unavailable("no device reads in this run"),
            },
            unit: "µs",
        }
    }
}

impl Answers for Network {
    fn answer(&self) -> Answer {
        Answer::new(
            format!(
                "one {}-byte round trip over loopback TCP",
                self.message_bytes
            ),
            Some(self.round_trip_us),
            "µs",
            "the round trips were not timed",
        )
    }
}

impl Answers for Buses {
    fn answer(&self) -> Answer {
        Answer::new(
            "reading main memory ÷ reading the disk, in bytes per second",
            ratio(self.measured(DRAM), self.measured(DISK)),
            "×",
            "the memory or the disk bandwidth is missing from this session",
        )
    }
}

impl Answers for Tiers {
    fn answer(&self) -> Answer {
        let ns = |tier: &str| {
            self.tiers
                .iter()
                .find(|t| t.tier == tier)
                .and_then(|t| t.latency_ns.known().copied())
        };
        Answer::new(
            "a random 4 KiB read from the disk ÷ a load from DRAM",
            ratio(ns("disk"), ns("DRAM")),
            "×",
            "the disk or main memory latency is missing from this session",
        )
    }
}

impl Answers for Dynamic {
    fn answer(&self) -> Answer {
        let row = |prefix: &str| {
            self.rows
                .iter()
                .find(|r| r.variant.starts_with(prefix))
                .map(|r| r.ns_per_element)
        };
        Answer::new(
            "the type-checked sum ÷ the plain f64 sum",
            ratio(row("tagged"), row("f64, plain")),
            "×",
            "a variant is missing from this run",
        )
    }
}

impl Answers for Interpreter {
    fn answer(&self) -> Answer {
        Answer::new(
            "the toy interpreter ÷ the compiled loop",
            Some(self.ratio),
            "×",
            "the loops were not timed",
        )
    }
}

impl Answers for Python {
    fn answer(&self) -> Answer {
        let top = self
            .rows
            .iter()
            .filter_map(|r| r.ratio.map(|x| (r, x)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let why = match &self.python {
            Fact::Unavailable(u) => u.unavailable.clone(),
            Fact::Known(_) => "no example ran in both languages".into(),
        };
        Answer::new(
            match top {
                Some((r, _)) => format!("the largest CPython ÷ Rust ratio: {}", r.example),
                None => "the largest CPython ÷ Rust ratio".into(),
            },
            top.map(|t| t.1),
            "×",
            &why,
        )
    }
}

impl Answers for Gil {
    fn answer(&self) -> Answer {
        let threads = self
            .points
            .iter()
            // The GIL's own CPython: not Rust, not a free-threaded build.
            .filter(|p| p.runtime.ends_with(" threads") && !p.runtime.starts_with("Rust"))
            .filter(|p| !p.runtime.contains("free-threaded"))
            .filter(|p| p.workers <= self.usable_cpus.max(1))
            .max_by_key(|p| p.workers);
        Answer::new(
            match threads {
                Some(p) => format!("{} with {} workers", p.runtime, p.workers),
                None => "CPython threads on every CPU".into(),
            },
            threads.map(|p| p.speedup),
            "×",
            "CPython's threads did not run (no python3?)",
        )
    }
}

impl Answers for Objects {
    fn answer(&self) -> Answer {
        let row = self
            .rows
            .iter()
            .find(|r| r.container.contains("list of floats"));
        Answer {
            what: "bytes per float in a CPython list (the object and its pointer)".into(),
            value: match row {
                Some(r) => r.bytes_per_element.clone(),
                None => Fact::unavailable("CPython did not run (no python3?)"),
            },
            unit: "bytes",
        }
    }
}
