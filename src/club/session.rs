//! Run a whole chapter headless: every experiment in turn with progress,
//! each one's timings observed for dispersion, into a results file plus the
//! plots and readings a report shows.

use std::time::{Duration, Instant};

use super::results::{ChapterResults, ExperimentResult, RunQuality};
use crate::error::{Error, Result};
use crate::experiments::{CATALOG, RunOptions, run_named};
use crate::machine::Machine;
use crate::measure::quality::observe;
use crate::measure::{Budget, Progress};

/// One experiment as a report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Experiment name.
    pub name: String,
    /// What it measures.
    pub about: String,
    /// Its plot, as SVG, when it has one.
    pub svg: Option<String>,
    /// Its data as a text table.
    pub table: String,
}

/// A finished chapter run.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterRun {
    /// What goes into results.json.
    pub results: ChapterResults,
    /// What the report shows, in chapter order.
    pub sections: Vec<Section>,
    /// The machine it ran on.
    pub machine: Machine,
    /// Wall time, s.
    pub seconds: f64,
}

/// Measure the CPU share granted to one spinning thread per usable CPU for
/// `wall`, then judge the run's quality.
pub fn measure_quality(machine: &Machine, wall: Duration) -> RunQuality {
    let share = match crate::kernels::parallel::cpu_share(machine.usable_cpus(), wall) {
        Ok(v) => crate::error::Fact::Known(v),
        Err(e) => crate::error::Fact::unavailable(e.to_string()),
    };
    RunQuality::judge(machine, share)
}

/// Chapters hpp has so far.
pub const CHAPTERS: [u32; 1] = [1];

/// Run every experiment of `chapter` under `budget`.
///
/// # Errors
/// [`Error::BadInput`] for an unknown chapter or member name. Experiments
/// that cannot run are recorded as unavailable, not errors.
pub fn run_chapter(
    chapter: u32,
    member: &str,
    machine: &Machine,
    budget: &Budget,
    opts: &RunOptions,
) -> Result<ChapterRun> {
    if !CHAPTERS.contains(&chapter) {
        return Err(Error::bad_input(format!(
            "hpp has chapter 1 only so far (asked for chapter {chapter})"
        )));
    }
    super::results::check_member(member)?;
    let t0 = Instant::now();
    let quality = measure_quality(
        machine,
        Duration::from_millis(if budget.name == "quick" { 150 } else { 400 }),
    );
    let mut results = ChapterResults::new(member, machine, budget, quality)?;
    let mut sections = Vec::new();
    let mut progress = Progress::new(&format!("chapter {chapter}"), CATALOG.len());
    for e in CATALOG {
        progress.step(e.name);
        let t = Instant::now();
        let (outcome, dispersion) = observe(|| run_named(e.name, machine, budget, opts));
        let seconds = t.elapsed().as_secs_f64();
        let flags = dispersion.as_ref().map(|d| d.flags()).unwrap_or_default();
        let entry = match outcome {
            Ok(o) => {
                let mut data: serde_json::Value = serde_json::from_str(&o.to_json()?)
                    .map_err(|err| Error::Json(err.to_string()))?;
                super::results::redact_home(&mut data, super::results::home().as_deref());
                sections.push(Section {
                    name: e.name.to_string(),
                    about: e.about.to_string(),
                    svg: o.plot().ok().map(|f| f.svg),
                    table: o.table(),
                });
                ExperimentResult {
                    seconds: Some(seconds),
                    data: Some(data),
                    unavailable: None,
                    reading: Some(o.reading()),
                    dispersion,
                    flags,
                }
            }
            Err(err) => {
                sections.push(Section {
                    name: e.name.to_string(),
                    about: e.about.to_string(),
                    svg: None,
                    table: String::new(),
                });
                ExperimentResult {
                    seconds: Some(seconds),
                    data: None,
                    unavailable: Some(err.to_string()),
                    reading: None,
                    dispersion,
                    flags: Vec::new(),
                }
            }
        };
        results.experiments.insert(e.name.to_string(), entry);
    }
    Ok(ChapterRun {
        results,
        sections,
        machine: machine.clone(),
        seconds: t0.elapsed().as_secs_f64(),
    })
}
