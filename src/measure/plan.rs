//! Planning shared by every experiment: which working-set sizes to sweep,
//! which cache sizes to mark on a plot, and how many threads to use. All of
//! it is derived from the machine card and the budget, never typed in.

use std::path::Path;

use crate::error::{Error, Result};
use crate::machine::Machine;
use crate::measure::Budget;
use crate::plot::Marker;
use crate::units::fmt_bytes;

/// The machine's data-cache sizes as plot markers ("L1d 32 KiB", …); empty
/// when the caches are unknown.
pub fn cache_markers(machine: &Machine) -> Vec<Marker> {
    machine
        .data_caches()
        .iter()
        .map(|c| Marker {
            label: format!("{} {}", c.label(), fmt_bytes(c.size_bytes)),
            size_bytes: c.size_bytes,
        })
        .collect()
}

/// Sizes from `lo` to `hi` inclusive, multiplying by `factor` (≥ 2); `hi`
/// itself is included if the steps miss it.
pub fn size_steps(lo: u64, hi: u64, factor: u64) -> Vec<u64> {
    let factor = factor.max(2);
    let mut v = Vec::new();
    let mut s = lo.max(1);
    while s <= hi {
        v.push(s);
        match s.checked_mul(factor) {
            Some(n) => s = n,
            None => break,
        }
    }
    if v.last().is_some_and(|&l| l < hi) {
        v.push(hi);
    }
    v
}

/// The largest working set a sweep should reach: four times the last-level
/// cache (so the largest point is well out in main memory), or the budget's
/// ceiling when the caches are unknown; never above the budget, never below
/// 64 KiB.
pub fn beyond_caches(machine: &Machine, budget: &Budget) -> u64 {
    machine
        .last_level_cache_bytes()
        .map(|llc| llc.saturating_mul(4))
        .unwrap_or(budget.max_working_set_bytes)
        .min(budget.max_working_set_bytes)
        .max(64 << 10)
}

/// Most threads per usable CPU an experiment accepts: beyond this a run is
/// only time slicing, and a typo (`--threads 10000`) should not start
/// thousands of threads.
pub const MAX_THREADS_PER_CPU: usize = 16;

/// The thread count to use: `None` or `Some(0)` mean every usable CPU (as
/// rayon and divan read 0); otherwise the number asked for, up to
/// [`MAX_THREADS_PER_CPU`] per usable CPU.
///
/// # Errors
/// [`Error::BadInput`] for a count above that ceiling, naming it.
pub fn threads(machine: &Machine, asked: Option<usize>) -> Result<usize> {
    let cpus = machine.usable_cpus().max(1);
    match asked {
        None | Some(0) => Ok(cpus),
        Some(n) if n > cpus.saturating_mul(MAX_THREADS_PER_CPU) => Err(Error::bad_input(format!(
            "{n} threads on {cpus} usable CPU{} is only time slicing: use at most {} (or 0 for one per CPU)",
            if cpus == 1 { "" } else { "s" },
            cpus * MAX_THREADS_PER_CPU
        ))),
        Some(n) => Ok(n),
    }
}

/// 1, 2, 4, … up to `n`, and `n` itself.
pub fn thread_counts(n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = std::iter::successors(Some(1usize), |t| t.checked_mul(2))
        .take_while(|&t| t < n)
        .collect();
    v.push(n.max(1));
    v
}

/// Check that `dir` is a folder hpp can create files in (by creating and
/// removing one), before an experiment counts on it.
///
/// # Errors
/// [`Error::BadInput`] naming `what` and saying what is wrong: missing, not
/// a folder, or not writable.
pub fn writable_folder(dir: &Path, what: &str) -> Result<()> {
    let shown = dir.display();
    if !dir.exists() {
        return Err(Error::bad_input(format!(
            "{what}: {shown} does not exist; give an existing folder"
        )));
    }
    if !dir.is_dir() {
        return Err(Error::bad_input(format!(
            "{what}: {shown} is not a folder; give a folder"
        )));
    }
    let probe = dir.join(format!(".hpp-write-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            Error::bad_input(format!(
                "{what}: hpp cannot write in {shown} ({e}); give a folder you can write to"
            ))
        })
}
