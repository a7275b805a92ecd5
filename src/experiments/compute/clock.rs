//! `clock`: how fast does this core really tick? A chain of dependent integer
//! adds runs at one add per cycle, so adds per second is the effective clock
//! (turbo included), beside what the OS reports. And the book's Figure 1-1 —
//! clock speed by year — with this machine on it: the clock stopped climbing
//! around 2005, and cores and vector lanes took over.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::Headline;
use crate::experiments::outcome::{Outcome, show};
use crate::machine::Machine;
use crate::measure::Budget;
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::fmt_sig;

/// The committed history (`data/cpu_clocks.csv`), with its sources.
const HISTORY: &str = include_str!("../../../data/cpu_clocks.csv");

/// One historical processor (reference data, not a measurement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoricCpu {
    /// Launch year.
    pub year: u32,
    /// Name.
    pub cpu: String,
    /// Clock of the fastest model at launch, MHz.
    pub mhz: f64,
    /// Cores.
    pub cores: u32,
    /// Where the figure comes from.
    pub source: String,
}

/// The `clock` result. JSON: `ghz` (measured), `add_ns`, `os_reported_mhz`,
/// `os_max_mhz`, `cores`, `vector_bits`, `year`, `history[{year, cpu, mhz,
/// cores, source}]` (reference data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// Always "clock".
    pub experiment: String,
    /// Effective clock measured here, GHz.
    pub ghz: f64,
    /// Nanoseconds per dependent add.
    pub add_ns: f64,
    /// What the OS last reported (a snapshot).
    pub os_reported_mhz: Fact<f64>,
    /// The highest frequency the OS may select.
    pub os_max_mhz: Fact<f64>,
    /// Logical CPUs this process may use.
    pub cores: usize,
    /// Widest SIMD register, bits.
    pub vector_bits: u32,
    /// This year (for "you are here").
    pub year: u32,
    /// Reference data for the figure.
    pub history: Vec<HistoricCpu>,
    /// Budget used.
    pub budget: String,
}

/// Parse the committed history.
pub fn history() -> Vec<HistoricCpu> {
    HISTORY
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("year,") && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.splitn(5, ',').collect();
            Some(HistoricCpu {
                year: f.first()?.trim().parse().ok()?,
                cpu: f.get(1)?.trim().to_string(),
                mhz: f.get(2)?.trim().parse().ok()?,
                cores: f.get(3)?.trim().parse().ok()?,
                source: f.get(4)?.trim().to_string(),
            })
        })
        .collect()
}

/// The current year from the system clock (for the "you are here" point).
fn this_year() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days to civil year (Howard Hinnant's algorithm, year part only).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let y = yoe + era * 400 + i64::from(mp >= 10);
    y as u32
}

/// Measure the effective clock.
///
/// # Errors
/// `Unavailable` on an architecture without the add-chain kernel.
pub fn clock(machine: &Machine, budget: &Budget) -> Result<Clock> {
    let add_ns = match crate::measure::clock::add_latency_ns(&budget.per_point()) {
        Fact::Known(v) => v,
        Fact::Unavailable(u) => return Err(Error::Unavailable(u)),
    };
    Ok(Clock {
        experiment: "clock".into(),
        ghz: 1.0 / add_ns,
        add_ns,
        os_reported_mhz: machine.frequency.reported_mhz.clone(),
        os_max_mhz: machine.frequency.max_mhz.clone(),
        cores: machine.usable_cpus(),
        vector_bits: machine.simd.widest_bits,
        year: this_year(),
        history: history(),
        budget: budget.level.to_string(),
    })
}

impl Clock {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Clock {
    fn name(&self) -> &str {
        "clock"
    }

    fn headlines(&self) -> Vec<Headline> {
        Headline::new(
            "clock_ghz",
            "Clock (dependent adds)",
            Some(self.ghz),
            "GHz",
            true,
        )
        .into_iter()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let single: Vec<(f64, f64)> = self
            .history
            .iter()
            .filter(|c| c.cores == 1)
            .map(|c| (f64::from(c.year), c.mhz))
            .collect();
        let multi: Vec<(f64, f64)> = self
            .history
            .iter()
            .filter(|c| c.cores > 1)
            .map(|c| (f64::from(c.year), c.mhz))
            .collect();
        let here = (f64::from(self.year), self.ghz * 1000.0);
        xy_chart(&XyChart {
            title: "Clock speed by year (after the book's Figure 1-1), and this machine",
            x_label: "year",
            y_label: "clock (MHz, log scale)",
            series: &[
                XySeries {
                    label: "single core (reference data)".into(),
                    points: single,
                    line: false,
                    color_of: None,
                },
                XySeries {
                    label: "multi-core (reference data)".into(),
                    points: multi,
                    line: false,
                    color_of: None,
                },
                XySeries {
                    label: "this machine (measured)".into(),
                    points: vec![here],
                    line: false,
                    color_of: None,
                },
            ],
            log_x: false,
            log_y: true,
            notes: &[(
                here.0,
                here.1,
                format!(
                    "you: {} GHz, {} CPUs, {}-bit",
                    fmt_sig(self.ghz, 3),
                    self.cores,
                    self.vector_bits
                ),
            )],
        })
    }

    fn reading(&self) -> String {
        let os = match (&self.os_reported_mhz, &self.os_max_mhz) {
            (_, Fact::Known(m)) => format!(" (the OS allows up to {} MHz)", fmt_sig(*m, 4)),
            (Fact::Known(r), _) => format!(" (the OS last reported {} MHz)", fmt_sig(*r, 4)),
            _ => String::new(),
        };
        let peak = self
            .history
            .iter()
            .filter(|c| c.cores == 1)
            .max_by(|a, b| a.mhz.total_cmp(&b.mhz));
        let first = self.history.first();
        match (first, peak) {
            (Some(f), Some(p)) => format!(
                "This core ran dependent adds at {} GHz{os}. Single-core clocks climbed from {} MHz ({}) to {} GHz ({}, {}) and then stopped; {} years later your machine runs at {}× that clock, but with {} CPUs and {}-bit vector registers: the gains moved to cores and lanes.",
                fmt_sig(self.ghz, 3),
                fmt_sig(f.mhz, 3),
                f.year,
                fmt_sig(p.mhz / 1000.0, 3),
                p.cpu,
                p.year,
                self.year.saturating_sub(p.year),
                fmt_sig(self.ghz * 1000.0 / p.mhz, 2),
                self.cores,
                self.vector_bits
            ),
            _ => format!(
                "This core ran dependent adds at {} GHz{os}.",
                fmt_sig(self.ghz, 3)
            ),
        }
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "effective clock: {} GHz ({} ns per dependent add)",
            fmt_sig(self.ghz, 3),
            fmt_sig(self.add_ns, 3)
        )?;
        writeln!(
            f,
            "OS: reported {}, max {}",
            self.os_reported_mhz
                .clone()
                .map(|v| format!("{} MHz", fmt_sig(v, 4))),
            self.os_max_mhz
                .clone()
                .map(|v| format!("{} MHz", fmt_sig(v, 4)))
        )?;
        write!(f, "{}", self.reading())
    }
}
