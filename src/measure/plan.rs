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

/// Sizes from `lo` to `hi` inclusive in half-octave steps: each power-of-two
/// multiple of `lo` and one and a half times it (4, 6, 8, 12, 16 KiB, …), so
/// a cache level spans twice as many points as with doubling and falls
/// between sizes less often; `hi` itself is included if the steps miss it.
pub fn half_octave_steps(lo: u64, hi: u64) -> Vec<u64> {
    let mut v = Vec::new();
    for s in size_steps(lo, hi, 2) {
        v.push(s);
        let mid = s.saturating_add(s / 2);
        if s / 2 > 0 && mid < hi {
            v.push(mid);
        }
    }
    v.sort_unstable();
    v.dedup();
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

/// Stack reserved per thread hpp starts: Rust's default for spawned
/// threads, which rayon keeps.
pub const THREAD_STACK_BYTES: u64 = 2 << 20;

/// The thread count to use: `None` or `Some(0)` mean every usable CPU (as
/// rayon and divan read 0); otherwise the number asked for, up to
/// [`MAX_THREADS_PER_CPU`] per usable CPU and no more than the free memory
/// holds stacks for (a thread that cannot get its stack aborts the whole
/// process, and with it a notebook's kernel). Decided before any thread
/// starts.
///
/// # Errors
/// [`Error::BadInput`] for a count above either ceiling, naming it.
pub fn threads(machine: &Machine, asked: Option<usize>) -> Result<usize> {
    let cpus = machine.usable_cpus().max(1);
    let n = match asked {
        None | Some(0) => return Ok(cpus),
        Some(n) => n,
    };
    let per_cpu = cpus.saturating_mul(MAX_THREADS_PER_CPU);
    if n > per_cpu {
        return Err(Error::bad_input(format!(
            "{n} threads on {cpus} usable CPU{} is only time slicing: use at most {per_cpu} (or 0 for one per CPU)",
            if cpus == 1 { "" } else { "s" },
        )));
    }
    if let Some(free) = machine.available_memory_bytes() {
        let room = (free / 4 / THREAD_STACK_BYTES).max(1) as usize;
        if n > room {
            return Err(Error::bad_input(format!(
                "{n} threads need {} of stacks but {} is free: use at most {room}",
                fmt_bytes(n as u64 * THREAD_STACK_BYTES),
                fmt_bytes(free)
            )));
        }
    }
    Ok(n)
}

/// The thread counts an experiment that oversubscribes on purpose runs:
/// 1, 2, 4, … up to `n`, `n`, then `2n` when the plan ([`threads`]) allows
/// that many (it is left out otherwise, never forced).
pub fn counts_with_oversubscription(machine: &Machine, n: usize) -> Vec<usize> {
    let mut v = thread_counts(n);
    if let Some(over) = n.checked_mul(2)
        && threads(machine, Some(over)).is_ok()
    {
        v.push(over);
    }
    v
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
