//! Run a whole chapter headless: every experiment in turn with progress,
//! each one's timings observed for dispersion, into a results file plus the
//! plots and readings a report shows.

use std::time::{Duration, Instant};

use super::results::{ChapterResults, ExperimentResult, RunQuality, home, redact_home};
use crate::chapters::{Chapter, Entry, RunOptions, run_entries};
use crate::error::Result;
use crate::machine::Machine;
use crate::measure::Budget;

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

/// Run every experiment of `chapter` under `budget`.
///
/// # Errors
/// [`crate::Error::BadInput`] for a bad member name. Experiments that cannot run
/// are recorded as unavailable, not errors.
pub fn run_chapter(
    chapter: &Chapter,
    member: &str,
    machine: &Machine,
    budget: &Budget,
    opts: &RunOptions,
) -> Result<ChapterRun> {
    super::results::check_member(member)?;
    opts.check(machine)?;
    let t0 = Instant::now();
    let quality = measure_quality(
        machine,
        Duration::from_millis(budget.level.pick(150, 400, 400)),
    );
    let mut results = ChapterResults::new(chapter, member, machine, budget, quality)?;
    let mut sections = Vec::new();
    let entries: Vec<&'static Entry> = chapter
        .experiments
        .iter()
        .filter(|e| !opts.core_only || chapter.is_core(e.name))
        .collect();
    let label = format!("chapter {}", chapter.number);
    for ran in run_entries(&label, &entries, machine, budget, opts, |_| {})? {
        let e = ran.entry;
        let flags = ran
            .dispersion
            .as_ref()
            .map(|d| d.flags())
            .unwrap_or_default();
        let (entry, section) = match ran.outcome {
            Ok(o) => {
                let mut data = o.to_data()?;
                redact_home(&mut data, home().as_deref());
                (
                    ExperimentResult {
                        seconds: Some(ran.seconds),
                        data: Some(data),
                        unavailable: None,
                        reading: Some(o.reading()),
                        dispersion: ran.dispersion,
                        flags,
                    },
                    Section {
                        name: e.name.to_string(),
                        about: e.about.to_string(),
                        svg: o.plot().ok().map(|f| f.svg),
                        table: o.table(),
                    },
                )
            }
            Err(err) => (
                ExperimentResult {
                    seconds: Some(ran.seconds),
                    data: None,
                    unavailable: Some(err.to_string()),
                    reading: None,
                    dispersion: ran.dispersion,
                    flags: Vec::new(),
                },
                Section {
                    name: e.name.to_string(),
                    about: e.about.to_string(),
                    svg: None,
                    table: String::new(),
                },
            ),
        };
        sections.push(section);
        results.experiments.insert(e.name.to_string(), entry);
    }
    Ok(ChapterRun {
        results,
        sections,
        machine: machine.clone(),
        seconds: t0.elapsed().as_secs_f64(),
    })
}
