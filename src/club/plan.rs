//! How long a chapter takes, before it is run: each experiment's wall time
//! from a recorded results file (a reference run, labelled as such), split
//! into the core path a book club runs together and the take-home rest.

use std::fmt;
use std::path::Path;

use crate::chapters::{self, Chapter};
use crate::error::Result;
use crate::report::html::escape;
use crate::units::fmt_sig;

/// One experiment of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRow {
    /// As `hpp run` spells it.
    pub name: String,
    /// What it measures.
    pub about: String,
    /// On the core path (else take-home).
    pub core: bool,
    /// Its wall time in the recorded run; `None` where that run did not
    /// time it (a notebook's file, or an experiment newer than the file).
    pub seconds: Option<f64>,
}

/// A chapter's experiments with the time each took in a recorded run.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPlan {
    /// Book chapter.
    pub chapter: u32,
    /// Who recorded the run, and on what: "hpp dev VM (reference): Intel …,
    /// 2 CPUs, default budget".
    pub recorded_on: String,
    /// Every experiment, in notebook order.
    pub rows: Vec<PlanRow>,
}

/// The plan for `chapter` from the results file at `reference`.
///
/// # Errors
/// An unknown chapter, or a results file that cannot be read (see
/// [`crate::club::load`]), or one recorded for another chapter.
pub fn session_plan(chapter: u32, reference: impl AsRef<Path>) -> Result<SessionPlan> {
    let ch: &Chapter = chapters::chapter(chapter)?;
    let run = crate::club::load(reference.as_ref())?;
    if run.chapter != chapter {
        return Err(crate::Error::bad_input(format!(
            "{} records chapter {}, not chapter {chapter}: pass that chapter's results file",
            reference.as_ref().display(),
            run.chapter
        )));
    }
    let cpus = run.machine["cpu"]["logical_cpus"]
        .as_u64()
        .map(|n| format!(", {n} CPUs"))
        .unwrap_or_default();
    Ok(SessionPlan {
        chapter,
        recorded_on: format!(
            "{}: {}{cpus}, {} budget",
            run.member,
            run.cpu_brand(),
            run.budget
        ),
        rows: ch
            .experiments
            .iter()
            .map(|e| PlanRow {
                name: e.name.to_string(),
                about: e.about.to_string(),
                core: ch.is_core(e.name),
                seconds: run
                    .experiments
                    .get(e.name)
                    .and_then(|r| r.seconds)
                    .filter(|s| s.is_finite() && *s >= 0.0),
            })
            .collect(),
    })
}

impl SessionPlan {
    /// Recorded seconds of the core path (`true`) or the take-home part,
    /// and how many of its experiments the recording did not time.
    pub fn seconds(&self, core: bool) -> (f64, usize) {
        let rows = self.rows.iter().filter(|r| r.core == core);
        let total = rows.clone().filter_map(|r| r.seconds).sum();
        (total, rows.filter(|r| r.seconds.is_none()).count())
    }

    /// One sentence: the two parts' recorded times.
    pub fn summary(&self) -> String {
        let part = |core: bool, name: &str| {
            let n = self.rows.iter().filter(|r| r.core == core).count();
            let (s, untimed) = self.seconds(core);
            let untimed = match untimed {
                0 => String::new(),
                k => format!(", {k} of them not in the recording"),
            };
            format!("{name}: {n} experiments, {}{untimed}", minutes(s))
        };
        format!(
            "Recorded on {} — {}; {}. The experiments only: building hpp and compiling each cell come on top.",
            self.recorded_on,
            part(true, "core path"),
            part(false, "take-home")
        )
    }

    /// Show it in a notebook: a table and the summary.
    pub fn evcxr_display(&self) {
        let rows: String = self
            .rows
            .iter()
            .map(|r| {
                format!(
                    "<tr><td style=\"text-align:left\"><code>{}</code></td><td style=\"text-align:left;white-space:nowrap\">{}</td><td style=\"text-align:left\">{}</td><td style=\"text-align:right;white-space:nowrap\">{}</td></tr>",
                    escape(&r.name),
                    if r.core { "core" } else { "take-home" },
                    escape(&r.about),
                    r.seconds.map_or("—".to_string(), |s| format!("{} s", fmt_sig(s, 2)))
                )
            })
            .collect();
        let html = format!(
            "<p>{}</p><table><tr><th style=\"text-align:left\">experiment</th><th style=\"text-align:left\">part</th><th style=\"text-align:left\">what it measures</th><th style=\"text-align:right\">recorded time</th></tr>{rows}</table>",
            escape(&self.summary())
        );
        println!(
            "{}",
            crate::display::evcxr_content(&[
                ("text/html", &html),
                ("text/plain", &self.to_string())
            ])
        );
    }
}

fn minutes(s: f64) -> String {
    if s < 90.0 {
        format!("{} s", fmt_sig(s, 2))
    } else {
        format!("{} min", fmt_sig(s / 60.0, 2))
    }
}

impl fmt::Display for SessionPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            writeln!(
                f,
                "{:<12} {:<9} {:>8}",
                r.name,
                if r.core { "core" } else { "take-home" },
                r.seconds
                    .map_or("—".to_string(), |s| format!("{} s", fmt_sig(s, 2)))
            )?;
        }
        write!(f, "{}", self.summary())
    }
}
