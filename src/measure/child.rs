//! A child process on a leash: every program hpp starts (the reader's
//! Python, a profiler, later a compiler or a server) runs through
//! [`run_contained`], which
//!
//! - starts it in a process group of its own, so a time limit stops the
//!   child *and* everything it started (worker processes, a shell's
//!   `sleep`), first with SIGTERM, then with SIGKILL for a child that
//!   ignores it;
//! - never waits on a pipe: one loop polls the child's stdin, stdout and
//!   stderr and its exit, so a grandchild that keeps a pipe open cannot
//!   hold hpp past the limit;
//! - reads at most [`Leash::max_output`] bytes: a child that floods its
//!   output is stopped as soon as it passes the cap, not after the limit;
//! - leaves nothing behind: when the child exits, whatever it left running
//!   in its group is killed before the child is reaped.
//!
//! The resident set can be sampled while it runs (`/proc`, Linux), and the
//! child's CPU time comes from `wait4`, as `/usr/bin/time` reports it.

use std::process::Command;
use std::time::Duration;

use crate::error::Unavailable;

/// The limits a child runs under.
#[derive(Debug, Clone, Copy)]
pub struct Leash {
    /// Longest it may run, start to exit.
    pub limit: Duration,
    /// Most bytes it may print (stdout and stderr together).
    pub max_output: usize,
    /// Sample its resident set this often (`None`: do not sample).
    pub sample_every: Option<Duration>,
}

/// Default cap on what a child may print: far above any JSON hpp reads back.
pub const MAX_OUTPUT: usize = 16 << 20;

impl Leash {
    /// A `limit` and the default output cap, no sampling.
    pub fn new(limit: Duration) -> Self {
        Leash {
            limit,
            max_output: MAX_OUTPUT,
            sample_every: None,
        }
    }
}

/// A child that exited by itself.
#[derive(Debug, Clone, Default)]
pub struct Exited {
    /// Exit code, or `None` when a signal ended it.
    pub code: Option<i32>,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr (the last 64 KiB).
    pub stderr: String,
    /// Start to exit, s.
    pub wall_s: f64,
    /// CPU time in user mode, s (the child and the children it waited for).
    pub user_s: f64,
    /// CPU time in the kernel, s.
    pub system_s: f64,
    /// (seconds since start, resident bytes), when sampling was asked for.
    pub rss_samples: Vec<(f64, u64)>,
    /// The kernel's high-water mark of its resident set (`VmHWM`), as last
    /// read while it ran; 0 when not sampled.
    pub peak_rss_bytes: u64,
}

impl Exited {
    /// Did it exit with status 0?
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// "exit status 2" or "signal 9 (killed)", for a message.
    pub fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(c), _) => format!("exit status {c}"),
            (None, Some(s)) => format!("signal {s}{}", signal_name(s)),
            (None, None) => "an unknown status".into(),
        }
    }
}

fn signal_name(s: i32) -> &'static str {
    match s {
        libc::SIGKILL => " (killed)",
        libc::SIGSEGV => " (segmentation fault)",
        libc::SIGABRT => " (aborted)",
        libc::SIGTERM => " (terminated)",
        libc::SIGBUS => " (bus error)",
        _ => "",
    }
}

/// How much of stderr is kept: the end, where the reason is.
const STDERR_KEPT: usize = 64 << 10;

/// Run `cmd` with `stdin` on its standard input under `leash`.
///
/// # Errors
/// `Unavailable` with the reason: the program does not start, runs past
/// the limit, or prints more than the cap (each stopped with its whole
/// process group). A program that exits with an error is *not* an error
/// here: see [`Exited::success`].
pub fn run_contained(
    cmd: &mut Command,
    stdin: &[u8],
    leash: &Leash,
) -> Result<Exited, Unavailable> {
    #[cfg(unix)]
    {
        unix::run(cmd, stdin, leash)
    }
    #[cfg(not(unix))]
    {
        let _ = (cmd, stdin, leash);
        Err(Unavailable::new(
            "running a program under a time limit is implemented for Unix only",
        ))
    }
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::{Exited, Leash, STDERR_KEPT};
    use crate::error::Unavailable;
    use crate::measure::process::{high_water_bytes, rss_bytes};

    /// How long a child gets between SIGTERM and SIGKILL.
    const TERM_GRACE: Duration = Duration::from_millis(500);
    /// How long the pipes are drained after the group is gone.
    const DRAIN_GRACE: Duration = Duration::from_secs(1);

    fn set_nonblocking(fd: i32) {
        // SAFETY: fcntl on a descriptor we own; flags are read then written.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
            }
        }
    }

    /// Has `pid` exited? Leaves it a zombie (WNOWAIT), so its process
    /// group id cannot be reused before the group is killed.
    fn has_exited(pid: libc::pid_t) -> bool {
        // SAFETY: siginfo_t is plain old data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our unreaped child; `info` is valid for writes.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // SAFETY: si_pid is set by waitid when a child changed state; it is
        // 0 when none did (WNOHANG).
        r == 0 && unsafe { info.si_pid() } != 0
    }

    fn kill_group(pgid: libc::pid_t, signal: i32) {
        // SAFETY: signalling a process group we created; ESRCH is harmless.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }

    /// SIGPIPE blocked in this thread while we write to the child's stdin,
    /// so a child that exits without reading cannot kill hpp (the CLI
    /// restores SIGPIPE's default action for `hpp … | head`).
    struct PipeSignalBlocked {
        old: libc::sigset_t,
        set: libc::sigset_t,
    }

    impl PipeSignalBlocked {
        fn new() -> Self {
            // SAFETY: sigset_t is plain old data, initialised by sigemptyset.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                let mut old: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGPIPE);
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
                PipeSignalBlocked { old, set }
            }
        }
    }

    impl Drop for PipeSignalBlocked {
        fn drop(&mut self) {
            // SAFETY: take any SIGPIPE our writes raised (pending, blocked)
            // without waiting, then restore the mask this thread had.
            unsafe {
                #[cfg(target_os = "linux")]
                {
                    let zero = libc::timespec {
                        tv_sec: 0,
                        tv_nsec: 0,
                    };
                    while libc::sigtimedwait(&self.set, std::ptr::null_mut(), &zero) > 0 {}
                }
                libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut());
            }
        }
    }

    /// Why the loop stopped the child.
    enum Stop {
        Limit,
        Flood,
    }

    pub(super) fn run(
        cmd: &mut Command,
        input: &[u8],
        leash: &Leash,
    ) -> Result<Exited, Unavailable> {
        let program = cmd.get_program().to_string_lossy().into_owned();
        let _sigpipe = PipeSignalBlocked::new();
        let start = Instant::now();
        let mut child = cmd
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Unavailable::new(format!("could not start {program}: {e}")))?;
        let pid = child.id() as libc::pid_t;
        // As plain files, so one loop can handle all three alike.
        let as_file = |fd: Option<OwnedFd>| fd.map(File::from);
        let mut stdin = as_file(child.stdin.take().map(OwnedFd::from));
        let mut stdout = as_file(child.stdout.take().map(OwnedFd::from));
        let mut stderr = as_file(child.stderr.take().map(OwnedFd::from));
        for fd in [
            stdin.as_ref().map(|p| p.as_raw_fd()),
            stdout.as_ref().map(|p| p.as_raw_fd()),
            stderr.as_ref().map(|p| p.as_raw_fd()),
        ]
        .into_iter()
        .flatten()
        {
            set_nonblocking(fd);
        }
        if input.is_empty() {
            stdin = None;
        }
        let mut written = 0usize;
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut printed = 0usize;
        let mut samples = Vec::new();
        let mut peak = 0u64;
        let pid_s = pid.to_string();
        let mut next_sample = start;
        let mut buf = vec![0u8; 64 << 10];
        let tick = Duration::from_millis(20);

        let mut exited_at: Option<Instant> = None;
        let mut stop: Option<Stop> = None;
        loop {
            let now = Instant::now();
            if exited_at.is_none() && has_exited(pid) {
                // Whatever it left running in its group goes too, so no
                // grandchild keeps a pipe open or outlives the run.
                kill_group(pid, libc::SIGKILL);
                exited_at = Some(now);
                stdin = None;
            }
            if let Some(t) = exited_at {
                let drained = stdout.is_none() && stderr.is_none();
                if drained || now.duration_since(t) > DRAIN_GRACE {
                    break;
                }
            } else if now.duration_since(start) > leash.limit {
                stop = Some(Stop::Limit);
                break;
            }
            if let Some(every) = leash.sample_every
                && exited_at.is_none()
                && now >= next_sample
            {
                if let Some(b) = rss_bytes(&pid_s) {
                    samples.push((now.duration_since(start).as_secs_f64(), b));
                }
                if let Some(h) = high_water_bytes(&pid_s) {
                    peak = peak.max(h);
                }
                next_sample = now + every;
            }

            let mut fds = Vec::with_capacity(3);
            if let Some(p) = &stdin {
                fds.push(libc::pollfd {
                    fd: p.as_raw_fd(),
                    events: libc::POLLOUT,
                    revents: 0,
                });
            }
            for p in [stdout.as_ref(), stderr.as_ref()].into_iter().flatten() {
                fds.push(libc::pollfd {
                    fd: p.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            let mut wait = tick;
            if let Some(every) = leash.sample_every {
                wait = wait.min(every);
            }
            if exited_at.is_none() {
                wait = wait.min(leash.limit.saturating_sub(now.duration_since(start)));
            }
            if fds.is_empty() {
                std::thread::sleep(wait);
                continue;
            }
            // SAFETY: `fds` is a valid array of pollfd of the given length.
            let ready = unsafe {
                libc::poll(
                    fds.as_mut_ptr(),
                    fds.len() as libc::nfds_t,
                    wait.as_millis().max(1) as i32,
                )
            };
            if ready <= 0 {
                continue;
            }
            if let Some(p) = stdin.as_mut() {
                match p.write(&input[written..]) {
                    Ok(n) => written += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                    Err(_) => written = input.len(), // it closed its stdin: stop sending
                }
                if written >= input.len() {
                    stdin = None; // EOF for the child
                }
            }
            for (pipe, keep) in [(&mut stdout, &mut out), (&mut stderr, &mut err)] {
                let Some(p) = pipe.as_mut() else { continue };
                loop {
                    match p.read(&mut buf) {
                        Ok(0) => {
                            *pipe = None;
                            break;
                        }
                        Ok(n) => {
                            printed += n;
                            keep.extend_from_slice(&buf[..n]);
                            if printed > leash.max_output {
                                break;
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(_) => break, // WouldBlock: nothing more for now
                    }
                }
            }
            if err.len() > 2 * STDERR_KEPT {
                err.drain(..err.len() - STDERR_KEPT);
            }
            if printed > leash.max_output && exited_at.is_none() {
                stop = Some(Stop::Flood);
                break;
            }
        }
        drop((stdin, stdout, stderr));

        if let Some(why) = stop {
            kill_group(pid, libc::SIGTERM);
            let t = Instant::now();
            while !has_exited(pid) && t.elapsed() < TERM_GRACE {
                std::thread::sleep(Duration::from_millis(5));
            }
            kill_group(pid, libc::SIGKILL);
            let _ = child.wait();
            return Err(Unavailable::new(match why {
                Stop::Limit => format!(
                    "{program} ran past its {:.0} s limit and was stopped",
                    leash.limit.as_secs_f64()
                ),
                Stop::Flood => format!(
                    "{program} printed more than {} MiB and was stopped",
                    leash.max_output >> 20
                ),
            }));
        }

        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain old data; all-zero is valid.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our exited, unreaped child; pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r != pid {
            return Err(Unavailable::new(format!(
                "waiting for {program}: {}",
                std::io::Error::last_os_error()
            )));
        }
        let wall_s = exited_at
            .map(|t| t.duration_since(start))
            .unwrap_or_else(|| start.elapsed())
            .as_secs_f64();
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
        if err.len() > STDERR_KEPT {
            err.drain(..err.len() - STDERR_KEPT);
        }
        Ok(Exited {
            code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
            signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
            wall_s,
            user_s: secs(usage.ru_utime),
            system_s: secs(usage.ru_stime),
            peak_rss_bytes: peak.max(samples.iter().map(|s: &(f64, u64)| s.1).max().unwrap_or(0)),
            rss_samples: samples,
        })
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Is process `pid` still running (a zombie waiting for its reaper is not)?
    fn running(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, rest)| !rest.starts_with('Z')))
            .unwrap_or(false)
    }

    /// Gone within a second (a killed process takes a moment to exit).
    fn gone(pid: u32) -> bool {
        (0..200).any(|_| {
            let r = !running(pid);
            if !r {
                std::thread::sleep(Duration::from_millis(5));
            }
            r
        })
    }

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    fn pid_in(path: &std::path::Path) -> u32 {
        std::fs::read_to_string(path)
            .expect("the stand-in wrote its grandchild's pid")
            .trim()
            .parse()
            .expect("a pid")
    }

    #[test]
    fn a_grandchild_that_sleeps_is_stopped_at_the_limit_with_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 300 & echo $! > {}; wait", pidfile.display());
        let t = Instant::now();
        let r = run_contained(
            &mut sh(&script),
            b"",
            &Leash::new(Duration::from_millis(600)),
        );
        let took = t.elapsed();
        let why = r
            .expect_err("a child that never ends is stopped")
            .unavailable;
        assert!(why.contains("ran past its"), "{why}");
        assert!(took < Duration::from_secs(5), "took {took:?}");
        let gc = pid_in(&pidfile);
        assert!(gone(gc), "grandchild {gc} outlived the run");
    }

    #[test]
    fn a_grandchild_holding_the_pipes_does_not_hold_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        // The background job inherits stdout and stderr and keeps them open.
        let script = format!("sleep 300 & echo $! > {}; echo done", pidfile.display());
        let t = Instant::now();
        let r = run_contained(&mut sh(&script), b"", &Leash::new(Duration::from_secs(60)))
            .expect("the child itself exits at once");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "took {:?}",
            t.elapsed()
        );
        assert!(r.success());
        assert_eq!(r.stdout.trim(), "done");
        let gc = pid_in(&pidfile);
        assert!(gone(gc), "grandchild {gc} was left running");
    }

    #[test]
    fn a_flood_is_stopped_at_the_cap_not_at_the_limit() {
        let leash = Leash {
            max_output: 1 << 20,
            ..Leash::new(Duration::from_secs(60))
        };
        for script in ["yes hpp", "yes hpp >&2"] {
            let t = Instant::now();
            let why = run_contained(&mut sh(script), b"", &leash)
                .expect_err("flooding is refused")
                .unavailable;
            assert!(why.contains("printed more than 1 MiB"), "{why}");
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "took {:?}",
                t.elapsed()
            );
        }
    }

    #[test]
    fn a_child_that_ignores_sigterm_is_killed() {
        let t = Instant::now();
        let script = "trap '' TERM; while :; do sleep 0.05; done";
        let why = run_contained(
            &mut sh(script),
            b"",
            &Leash::new(Duration::from_millis(300)),
        )
        .expect_err("stopped")
        .unavailable;
        assert!(why.contains("limit"), "{why}");
        assert!(
            t.elapsed() < Duration::from_secs(4),
            "took {:?}",
            t.elapsed()
        );
    }

    #[test]
    fn a_child_that_does_not_read_its_input_does_not_break_the_run() {
        let input = vec![b'x'; 8 << 20];
        let r = run_contained(
            &mut sh("exit 3"),
            &input,
            &Leash::new(Duration::from_secs(30)),
        )
        .expect("it exits");
        assert_eq!(r.code, Some(3));
        assert!(!r.success());
        assert_eq!(r.describe(), "exit status 3");
    }

    #[test]
    fn input_arrives_whole_and_output_comes_back() {
        let input: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let r = run_contained(
            &mut sh("wc -l; echo oops >&2"),
            &input,
            &Leash::new(Duration::from_secs(30)),
        )
        .expect("runs");
        assert!(r.success());
        assert_eq!(r.stdout.trim(), "200000");
        assert_eq!(r.stderr.trim(), "oops");
    }

    #[test]
    fn a_signal_is_named_and_a_missing_program_is_a_reason() {
        let r = run_contained(
            &mut sh("kill -SEGV $$"),
            b"",
            &Leash::new(Duration::from_secs(30)),
        )
        .expect("runs");
        assert_eq!(r.code, None);
        assert!(
            r.describe().contains("segmentation fault"),
            "{}",
            r.describe()
        );
        let why = run_contained(
            &mut Command::new("/nonexistent/python9"),
            b"",
            &Leash::new(Duration::from_secs(1)),
        )
        .expect_err("no such program")
        .unavailable;
        assert!(
            why.starts_with("could not start /nonexistent/python9"),
            "{why}"
        );
    }

    #[test]
    fn sampling_sees_the_resident_set() {
        let leash = Leash {
            sample_every: Some(Duration::from_millis(5)),
            ..Leash::new(Duration::from_secs(30))
        };
        let r = run_contained(&mut sh("sleep 0.2"), b"", &leash).expect("runs");
        assert!(!r.rss_samples.is_empty());
        assert!(r.peak_rss_bytes > 0);
        assert!(r.wall_s >= 0.2, "{}", r.wall_s);
    }
}
