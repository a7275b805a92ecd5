//! THE REGISTRY: which chapters exist, and which experiments each shows in
//! notebook order. One small file per chapter, named like its
//! `chapters/NN_slug.md`. The CLI, the reports and the book club find
//! experiments here and nowhere else: adding an experiment to a chapter is
//! one line in its chapter file.

pub mod ch01_understanding;
pub mod ch02_profiling;
pub mod ch03_lists_tuples;
pub mod ch04_dict_set;
pub mod ch05_iterators;
pub mod ch06_matrix;
pub mod ch08_compiling;

use std::path::PathBuf;
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::experiments::Outcome;
use crate::machine::Machine;
use crate::measure::quality::{Dispersion, observe};
use crate::measure::{Budget, Progress, plan};

/// Settings some experiments take besides the budget.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Threads to use at most (`None` or 0: every usable CPU).
    pub threads: Option<usize>,
    /// Folder for temporary files (storage experiments).
    pub dir: Option<PathBuf>,
    /// Run only the chapter's core path, the experiments a book club runs
    /// together (`hpp chapter N --core`); the take-home ones are left out.
    pub core_only: bool,
}

impl RunOptions {
    /// Check every setting against this machine before anything runs: the
    /// thread count ([`plan::threads`]) and the scratch folder (it must be
    /// a folder hpp can write in).
    ///
    /// # Errors
    /// [`Error::BadInput`] saying which setting and what to give instead.
    pub fn check(&self, machine: &Machine) -> Result<()> {
        plan::threads(machine, self.threads)?;
        if let Some(dir) = &self.dir {
            plan::writable_folder(dir, "the folder for temporary files (--dir)")?;
        }
        Ok(())
    }
}

/// How an entry runs its experiment.
pub type RunFn = fn(&Machine, &Budget, &RunOptions) -> Result<Box<dyn Outcome>>;

/// How an entry reads its experiment's data back from a results file
/// (borrowed: a club of hundreds reads thousands of them).
pub type LoadFn = fn(&Value) -> Result<Box<dyn Outcome>>;

/// One experiment as a chapter lists it.
pub struct Entry {
    /// Name as `hpp run` takes it and results files key it.
    pub name: &'static str,
    /// What it measures, in one line.
    pub about: &'static str,
    /// Run it.
    pub run: RunFn,
    /// Read its data (its own type, so a renamed field fails loudly).
    pub load: LoadFn,
}

/// One book chapter.
pub struct Chapter {
    /// The book's chapter number.
    pub number: u32,
    /// As in `chapters/NN_slug.md` and the book's code repository.
    pub slug: &'static str,
    /// The book's chapter title.
    pub title: &'static str,
    /// Its experiments, in notebook order.
    pub experiments: &'static [Entry],
    /// The experiments a book club runs together in one session (the core
    /// path); the rest are take-home. Empty: every experiment is core.
    pub core: &'static [&'static str],
}

impl Chapter {
    /// "01_understanding".
    pub fn file_stem(&self) -> String {
        format!("{:02}_{}", self.number, self.slug)
    }

    /// The entry called `name` in this chapter.
    pub fn entry(&self, name: &str) -> Option<&'static Entry> {
        self.experiments.iter().find(|e| e.name == name)
    }

    /// Whether `name` is on the chapter's core path (a club session runs
    /// it together) rather than take-home.
    pub fn is_core(&self, name: &str) -> bool {
        self.core.is_empty() || self.core.contains(&name)
    }
}

/// Every chapter hpp has, in book order.
pub const CHAPTERS: &[&Chapter] = &[
    &ch01_understanding::CHAPTER,
    &ch02_profiling::CHAPTER,
    &ch03_lists_tuples::CHAPTER,
    &ch04_dict_set::CHAPTER,
    &ch05_iterators::CHAPTER,
    &ch06_matrix::CHAPTER,
    &ch08_compiling::CHAPTER,
];

/// Read experiment data back as its own type (the `load` of an [`Entry`]).
///
/// # Errors
/// [`Error::BadInput`] naming the field that does not fit.
pub fn load_as<T: Outcome + DeserializeOwned + 'static>(v: &Value) -> Result<Box<dyn Outcome>> {
    T::deserialize(v)
        .map(|t| Box::new(t) as Box<dyn Outcome>)
        .map_err(|e| Error::bad_input(format!("its data does not fit ({e})")))
}

fn chapter_list() -> String {
    CHAPTERS
        .iter()
        .map(|c| format!("{} ({})", c.number, c.title))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The chapter numbered `number`.
///
/// # Errors
/// [`Error::BadInput`] listing the chapters that exist.
pub fn chapter(number: u32) -> Result<&'static Chapter> {
    CHAPTERS
        .iter()
        .copied()
        .find(|c| c.number == number)
        .ok_or_else(|| {
            Error::bad_input(format!(
                "hpp has no chapter {number} yet; chapters so far: {}",
                chapter_list()
            ))
        })
}

/// Every entry of every chapter, in book order.
pub fn entries() -> impl Iterator<Item = (&'static Chapter, &'static Entry)> {
    CHAPTERS
        .iter()
        .flat_map(|c| c.experiments.iter().map(move |e| (*c, e)))
}

/// The entry called `name` (`-` and `_` are the same), in any chapter.
///
/// # Errors
/// [`Error::BadInput`] naming the known experiments.
pub fn entry(name: &str) -> Result<&'static Entry> {
    let want = name.replace('-', "_");
    entries()
        .map(|(_, e)| e)
        .find(|e| e.name == want)
        .ok_or_else(|| {
            Error::bad_input(format!(
                "no experiment called \"{name}\"; known: {} (`hpp list` says what each does)",
                entries()
                    .map(|(_, e)| e.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Run the experiment called `name`.
///
/// # Errors
/// As [`entry`] for an unknown name and [`RunOptions::check`] for a bad
/// setting (both before anything runs); otherwise whatever the experiment
/// returns.
pub fn run_named(name: &str, m: &Machine, b: &Budget, o: &RunOptions) -> Result<Box<dyn Outcome>> {
    let entry = entry(name)?;
    o.check(m)?;
    run_caught(entry, m, b, o)
}

/// Run one entry; a panic inside it (a bug) comes back as an error that
/// names the experiment, so a notebook kernel and a chapter run go on.
fn run_caught(entry: &Entry, m: &Machine, b: &Budget, o: &RunOptions) -> Result<Box<dyn Outcome>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (entry.run)(m, b, o))).unwrap_or_else(
        |payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(Error::Bug(format!("{} panicked: {what}", entry.name)))
        },
    )
}

/// One experiment after it ran: its outcome (or why it could not run), how
/// long it took, and the spread of the timings it took.
pub struct Ran {
    /// The registry entry.
    pub entry: &'static Entry,
    /// What it returned.
    pub outcome: Result<Box<dyn Outcome>>,
    /// Wall time, s.
    pub seconds: f64,
    /// Spread of its timings (`None`: it took none).
    pub dispersion: Option<Dispersion>,
}

/// Run `entries` in order with one line of progress each, handing each
/// result to `done` as it finishes (to print it while the next one runs).
/// The one runner behind `hpp run`, `hpp run all` and `hpp chapter`. The
/// options are checked before the first one starts; a panicking experiment
/// becomes its own error and the rest go on.
///
/// # Errors
/// As [`RunOptions::check`], before anything runs.
pub fn run_entries(
    label: &str,
    entries: &[&'static Entry],
    machine: &Machine,
    budget: &Budget,
    opts: &RunOptions,
    mut done: impl FnMut(&Ran),
) -> Result<Vec<Ran>> {
    opts.check(machine)?;
    let mut progress = Progress::new(label, entries.len());
    Ok(entries
        .iter()
        .map(|&entry| {
            progress.step(entry.name);
            let t = Instant::now();
            let (outcome, dispersion) = observe(|| run_caught(entry, machine, budget, opts));
            let ran = Ran {
                entry,
                outcome,
                seconds: t.elapsed().as_secs_f64(),
                dispersion,
            };
            done(&ran);
            ran
        })
        .collect())
}
