//! A whole process, measured the way `/usr/bin/time -v` and `mprof` do:
//! wall time, user and system CPU time and the peak resident set (from
//! `wait4`'s resource usage of the child), and the resident set sampled over
//! time (from `/proc/PID/statm`). Also the same resident-set sampling for a
//! closure run in this process, to set a Rust run beside a Python one.

use std::process::Command;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Unavailable;
use crate::measure::child::{Leash, run_contained};

/// One process's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessRun {
    /// Start to exit, s.
    pub wall_s: f64,
    /// CPU time in user mode, s.
    pub user_s: f64,
    /// CPU time in the kernel, s.
    pub system_s: f64,
    /// Peak resident set, bytes: the kernel's high-water mark (`VmHWM`) as
    /// last read while it ran. (`wait4`'s `ru_maxrss` is not used: for a
    /// forked child it also counts the parent's pages from before `exec`.)
    pub max_rss_bytes: u64,
    /// (seconds since start, resident bytes), sampled while it ran.
    pub rss_samples: Vec<(f64, u64)>,
    /// What it printed on stdout.
    #[serde(skip)]
    pub stdout: String,
}

/// Bytes per page, for `statm`.
fn page_bytes() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 { p as u64 } else { 4096 }
}

/// Resident bytes of process `pid` ("self" for this one), from statm.
pub fn rss_bytes(pid: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_bytes())
}

/// The kernel's high-water mark of process `pid`'s resident set (`VmHWM`).
pub(crate) fn high_water_bytes(pid: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = s
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Run `cmd` with `stdin_text` on its standard input, sampling its resident
/// set every `every`, and stop it (with everything it started) after
/// `limit` ([`run_contained`]).
///
/// # Errors
/// `Unavailable` with the reason: not Linux, the program does not start,
/// exits with an error (its last stderr line quoted), runs past `limit` or
/// floods its output.
pub fn run_process(
    cmd: &mut Command,
    stdin_text: &str,
    limit: Duration,
    every: Duration,
) -> Result<ProcessRun, Unavailable> {
    if !cfg!(target_os = "linux") || cfg!(feature = "force-fallback") {
        return Err(Unavailable::new(
            "measuring a whole process reads Linux's /proc and wait4",
        ));
    }
    let leash = Leash {
        sample_every: Some(every),
        ..Leash::new(limit)
    };
    let run = run_contained(cmd, stdin_text.as_bytes(), &leash)?;
    if !run.success() {
        let last = crate::measure::cpython::last_line(&run.stderr);
        return Err(Unavailable::new(format!(
            "the process failed ({}): {last}",
            run.describe()
        )));
    }
    if run.peak_rss_bytes == 0 {
        return Err(Unavailable::new(
            "the process ended before its memory could be read",
        ));
    }
    Ok(ProcessRun {
        wall_s: run.wall_s,
        user_s: run.user_s,
        system_s: run.system_s,
        max_rss_bytes: run.peak_rss_bytes,
        rss_samples: run.rss_samples,
        stdout: run.stdout,
    })
}

fn unsafe_zeroed_rusage() -> libc::rusage {
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    unsafe { std::mem::zeroed() }
}

/// Run `f` here while a thread samples this process's resident set every
/// `every`: (seconds since start, bytes), and `f`'s value.
pub fn sample_rss<T>(every: Duration, f: impl FnOnce() -> T) -> (T, Vec<(f64, u64)>) {
    let done = std::sync::atomic::AtomicBool::new(false);
    let start = Instant::now();
    std::thread::scope(|s| {
        let sampler = s.spawn(|| {
            let mut v = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(b) = rss_bytes("self") {
                    v.push((start.elapsed().as_secs_f64(), b));
                }
                std::thread::sleep(every);
            }
            if let Some(b) = rss_bytes("self") {
                v.push((start.elapsed().as_secs_f64(), b));
            }
            v
        });
        let out = f();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (out, sampler.join().unwrap_or_default())
    })
}

/// CPU seconds (user + system) the whole process — every thread — has
/// used so far.
pub fn process_cpu_s() -> Option<f64> {
    #[cfg(unix)]
    {
        // SAFETY: rusage is plain data; all-zero is a valid value.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is valid for writes.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
            return Some(secs(u.ru_utime) + secs(u.ru_stime));
        }
    }
    None
}

/// User and system CPU seconds this thread has used so far.
pub fn thread_cpu_s() -> Option<(f64, f64)> {
    #[cfg(target_os = "linux")]
    {
        let mut u = unsafe_zeroed_rusage();
        // SAFETY: `u` is valid for writes; RUSAGE_THREAD is Linux's.
        if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) } == 0 {
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
            return Some((secs(u.ru_utime), secs(u.ru_stime)));
        }
    }
    None
}
