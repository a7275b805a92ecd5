//! A whole process, measured the way `/usr/bin/time -v` and `mprof` do:
//! wall time, user and system CPU time and the peak resident set (from
//! `wait4`'s resource usage of the child), and the resident set sampled over
//! time (from `/proc/PID/statm`). Also the same resident-set sampling for a
//! closure run in this process, to set a Rust run beside a Python one.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::Unavailable;

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
fn high_water_bytes(pid: &str) -> Option<u64> {
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
/// set every `every`, and stop it after `limit`.
///
/// # Errors
/// `Unavailable` with the reason: not Linux, the program does not start,
/// exits with an error (its last stderr line quoted), or runs past `limit`.
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
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Unavailable::new(format!("could not start the process: {e}")))?;
    let pid = child.id() as libc::pid_t;
    if let Some(mut s) = child.stdin.take() {
        let text = stdin_text.to_string();
        std::thread::spawn(move || {
            let _ = s.write_all(text.as_bytes());
        });
    }
    let read_all = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out_t = read_all(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_t = read_all(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let mut samples = Vec::new();
    let mut peak = 0u64;
    let mut usage: libc::rusage = unsafe_zeroed_rusage();
    let mut status: libc::c_int = 0;
    let pid_s = pid.to_string();
    loop {
        // SAFETY: `pid` is our own child, not yet reaped; `status` and
        // `usage` are valid for writes. WNOHANG returns at once.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(Unavailable::new(format!(
                "waiting for the process: {}",
                std::io::Error::last_os_error()
            )));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            // SAFETY: as above, now blocking until the killed child is reaped.
            unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            return Err(Unavailable::new(format!(
                "the process ran past its {:.0} s limit and was stopped",
                limit.as_secs_f64()
            )));
        }
        if let Some(b) = rss_bytes(&pid_s) {
            samples.push((start.elapsed().as_secs_f64(), b));
        }
        if let Some(h) = high_water_bytes(&pid_s) {
            peak = peak.max(h);
        }
        std::thread::sleep(every);
    }
    let wall_s = start.elapsed().as_secs_f64();
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let last = crate::measure::cpython::last_line(&stderr);
        return Err(Unavailable::new(format!(
            "the process failed (wait status {status}): {last}"
        )));
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Ok(ProcessRun {
        wall_s,
        user_s: secs(usage.ru_utime),
        system_s: secs(usage.ru_stime),
        max_rss_bytes: peak.max(samples.iter().map(|s| s.1).max().unwrap_or(0)),
        rss_samples: samples,
        stdout,
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
