//! A sampling profiler inside this process. While the sampled call runs, a
//! CPU-time timer (`setitimer(ITIMER_PROF)`) sends `SIGPROF` about
//! `rate_hz` times a second; when the signal lands on the thread running
//! the call, the handler records that thread's return addresses into a
//! buffer allocated beforehand (no allocation, no lock). Afterwards the
//! addresses are turned into function names, files and lines, with
//! inlined functions expanded, and the frames above the sampled call are
//! cut off. Nothing is left behind: the timer is disarmed, the handler
//! replaced, the buffer freed.
//!
//! # Platforms
//! Linux and macOS, with hpp built with the `ch02` feature (the CLI always
//! is; a notebook asks for it in its `:dep` line). Elsewhere, unavailable.

use crate::error::Fact;
use crate::measure::stacks::StackSamples;

/// The rate asked for: 997 samples a second of CPU (a prime, so it does
/// not beat with a loop that runs on a round period). The kernel's timer
/// tick caps what is delivered (often 250 or 1000 a second); the result
/// says what was achieved.
pub const DEFAULT_RATE_HZ: u32 = 997;

/// Run `f` with the sampler on at `rate_hz`; return its result and the
/// stacks seen inside it, or why there are none.
pub fn sample<R>(rate_hz: u32, f: impl FnOnce() -> R) -> (R, Fact<StackSamples>) {
    imp::sample(rate_hz, f)
}

/// The frame every kept stack passes through: samples are cut here.
#[inline(never)]
fn sampled_region<R>(f: impl FnOnce() -> R) -> R {
    // black_box on the result keeps this frame on the stack (no tail call).
    std::hint::black_box(f())
}

#[cfg_attr(not(all(feature = "ch02", unix)), allow(dead_code))]
const MARKER: &str = "sampled_region";

#[cfg(all(feature = "ch02", any(target_os = "linux", target_os = "macos")))]
mod imp {
    use std::ffi::c_void;
    use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
    use std::time::Instant;

    use super::{MARKER, sampled_region};
    use crate::error::Fact;
    use crate::measure::stacks::{Frame, Stack, StackSamples, short_name};

    /// Return addresses kept per sample.
    const DEPTH: usize = 96;
    /// Samples kept per call (about a minute at 250 a second).
    const CAPACITY: usize = 16_384;

    /// What the handler writes into, allocated before the timer starts.
    struct Buffer {
        /// The thread whose samples count (`pthread_self` of the caller).
        target: libc::pthread_t,
        /// Addresses, `DEPTH` per sample.
        ips: Box<[usize]>,
        /// Frames recorded per sample.
        depths: Box<[u16]>,
        /// Next free sample slot (may run past `CAPACITY`: those are dropped).
        next: AtomicUsize,
    }

    /// The buffer of the sampling in progress (null when none).
    static ACTIVE: AtomicPtr<Buffer> = AtomicPtr::new(std::ptr::null_mut());
    /// One sampling at a time in this process.
    static BUSY: AtomicBool = AtomicBool::new(false);

    extern "C" fn on_sigprof(_sig: libc::c_int, _info: *mut libc::siginfo_t, _ctx: *mut c_void) {
        let buf = ACTIVE.load(Ordering::Acquire);
        if buf.is_null() {
            return;
        }
        // SAFETY: `buf` stays valid until ACTIVE is cleared, which happens
        // on the target thread itself after the timer is disarmed, so it
        // cannot be freed under a handler running on the target thread; a
        // handler on another thread reads only `target`, which is never
        // written after publication.
        let buf = unsafe { &*buf };
        // SAFETY: pthread_self and pthread_equal are async-signal-safe.
        if unsafe { libc::pthread_equal(libc::pthread_self(), buf.target) } == 0 {
            return;
        }
        let slot = buf.next.fetch_add(1, Ordering::Relaxed);
        if slot >= CAPACITY {
            return;
        }
        let base = slot * DEPTH;
        let ips = buf.ips.as_ptr().cast_mut();
        let mut depth = 0usize;
        // SAFETY: the unwinder runs on this thread's own stack; only this
        // handler, on this thread, writes slot `slot`, and the collector
        // reads it after the timer is disarmed.
        unsafe {
            backtrace::trace_unsynchronized(|frame| {
                *ips.add(base + depth) = frame.ip() as usize;
                depth += 1;
                depth < DEPTH
            });
            *buf.depths.as_ptr().cast_mut().add(slot) = depth as u16;
        }
    }

    /// The timer, armed or not.
    fn arm(rate_hz: u32) -> std::io::Result<()> {
        let micros = if rate_hz == 0 {
            0
        } else {
            (1_000_000 / rate_hz.max(1)).max(1)
        };
        let tv = libc::timeval {
            tv_sec: 0,
            tv_usec: micros as libc::suseconds_t,
        };
        let it = libc::itimerval {
            it_interval: tv,
            it_value: tv,
        };
        // SAFETY: a valid itimerval; the old value is not asked for.
        if unsafe { libc::setitimer(libc::ITIMER_PROF, &it, std::ptr::null_mut()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    pub fn sample<R>(rate_hz: u32, f: impl FnOnce() -> R) -> (R, Fact<StackSamples>) {
        if BUSY.swap(true, Ordering::AcqRel) {
            return (
                f(),
                Fact::unavailable("another sampling is running in this process"),
            );
        }
        let rate = rate_hz.clamp(1, 10_000);
        let buf = Box::new(Buffer {
            // SAFETY: pthread_self has no preconditions.
            target: unsafe { libc::pthread_self() },
            ips: vec![0usize; CAPACITY * DEPTH].into_boxed_slice(),
            depths: vec![0u16; CAPACITY].into_boxed_slice(),
            next: AtomicUsize::new(0),
        });
        let raw = Box::into_raw(buf);
        ACTIVE.store(raw, Ordering::Release);
        // SAFETY: a zeroed sigaction is a valid starting point; the handler
        // has the SA_SIGINFO signature; `old` receives the previous action.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        let installed = unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_sigprof as *const () as usize;
            act.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut act.sa_mask);
            libc::sigaction(libc::SIGPROF, &act, &mut old) == 0
        };
        let armed = installed && arm(rate).is_ok();
        let start = Instant::now();
        let r = sampled_region(f);
        let covered_s = start.elapsed().as_secs_f64();
        let _ = arm(0);
        if installed {
            // A SIGPROF still in flight must not meet the default action
            // (which ends the process): ignore it rather than restore the
            // default; any other previous handler is restored.
            // SAFETY: `old` came from sigaction; SIG_IGN is always valid.
            unsafe {
                if old.sa_sigaction == libc::SIG_DFL {
                    old.sa_sigaction = libc::SIG_IGN;
                }
                libc::sigaction(libc::SIGPROF, &old, std::ptr::null_mut());
            }
        }
        ACTIVE.store(std::ptr::null_mut(), Ordering::Release);
        // SAFETY: `raw` came from Box::into_raw above, and no handler can
        // reach it now (ACTIVE is null, and handlers on this thread are
        // not running while this code is).
        let buf = unsafe { Box::from_raw(raw) };
        BUSY.store(false, Ordering::Release);
        if !armed {
            return (
                r,
                Fact::unavailable("the CPU-time timer or its signal handler could not be set up"),
            );
        }
        let taken = buf.next.load(Ordering::Relaxed).min(CAPACITY);
        let stacks = collect(&buf, taken);
        if stacks.is_empty() {
            return (
                r,
                Fact::unavailable(
                    "the sampler took no samples inside the run (too short, or the timer is not delivered here)",
                ),
            );
        }
        (
            r,
            Fact::Known(StackSamples {
                profiler: "hpp sampler".into(),
                rate_hz: rate,
                covered_s: Some(covered_s),
                stacks,
            }),
        )
    }

    /// Turn the recorded addresses into stacks of named frames.
    fn collect(buf: &Buffer, taken: usize) -> Vec<Stack> {
        use std::collections::HashMap;
        let mut counts: HashMap<&[usize], u64> = HashMap::new();
        for s in 0..taken {
            let depth = usize::from(buf.depths[s]);
            *counts
                .entry(&buf.ips[s * DEPTH..s * DEPTH + depth])
                .or_default() += 1;
        }
        let mut names: HashMap<(usize, bool), Vec<Frame>> = HashMap::new();
        let mut stacks = Vec::new();
        for (ips, samples) in counts {
            // Leaf first, as recorded: the handler's own frames, the
            // signal trampoline, then the interrupted code. Resolve each
            // address (inlined functions innermost first) and flip to root
            // first.
            let mut resolve_at = |i: usize, exact: bool| -> Vec<Frame> {
                names
                    .entry((ips[i], exact))
                    .or_insert_with(|| resolve(ips[i], exact))
                    .clone()
            };
            let Some(handler) = (0..ips.len()).find(|&i| {
                resolve_at(i, false)
                    .iter()
                    .any(|f| f.name.contains("on_sigprof"))
            }) else {
                continue;
            };
            let mut start = handler + 1;
            if start < ips.len()
                && resolve_at(start, false)
                    .iter()
                    .all(|f| is_trampoline(&f.name))
            {
                start += 1;
            }
            let mut leaf_first: Vec<Frame> = Vec::new();
            for i in start..ips.len() {
                leaf_first.extend(resolve_at(i, i == start));
            }
            let mut all: Vec<Frame> = leaf_first.into_iter().rev().collect();
            let Some(cut) = all.iter().rposition(|fr| fr.name.contains(MARKER)) else {
                continue;
            };
            all.drain(..=cut);
            let kept: Vec<Frame> = all
                .into_iter()
                .filter(|fr| !fr.name.contains("black_box"))
                .map(|fr| Frame {
                    name: short_name(&fr.name),
                    ..fr
                })
                .fold(Vec::new(), |mut kept: Vec<Frame>, fr| {
                    // One function seen several times in a row (closures
                    // inlined into it) reads as one frame, the innermost.
                    match kept.last_mut() {
                        Some(last) if last.name == fr.name => *last = fr,
                        _ => kept.push(fr),
                    }
                    kept
                });
            if !kept.is_empty() {
                stacks.push(Stack {
                    frames: kept,
                    samples,
                });
            }
        }
        // Stacks that differ only in frames dropped above now coincide.
        let mut merged: Vec<Stack> = Vec::new();
        for s in stacks {
            match merged.iter_mut().find(|m| m.frames == s.frames) {
                Some(m) => m.samples += s.samples,
                None => merged.push(s),
            }
        }
        merged.sort_by_key(|s| std::cmp::Reverse(s.samples));
        merged
    }

    /// The signal trampoline through which the handler was entered (often
    /// without a symbol: then it resolves to its bare address).
    fn is_trampoline(name: &str) -> bool {
        name == "__restore_rt" || name.contains("_sigtramp") || name.starts_with("0x")
    }

    /// One address's frames, innermost inlined function first. A return
    /// address points after its call: look up the byte before it, except
    /// for the interrupted instruction itself (the frame just below the
    /// signal trampoline).
    fn resolve(ip: usize, interrupted: bool) -> Vec<Frame> {
        let addr = if interrupted {
            ip
        } else {
            ip.saturating_sub(1)
        };
        let mut out = Vec::new();
        backtrace::resolve(addr as *mut c_void, |sym| {
            out.push(Frame {
                name: sym
                    .name()
                    .map_or_else(|| format!("{ip:#x}"), |n| n.to_string()),
                file: sym.filename().map(|p| p.display().to_string()),
                line: sym.lineno(),
            });
        });
        if out.is_empty() {
            out.push(Frame {
                name: format!("{ip:#x}"),
                file: None,
                line: None,
            });
        }
        out
    }
}

#[cfg(not(all(feature = "ch02", any(target_os = "linux", target_os = "macos"))))]
mod imp {
    use super::sampled_region;
    use crate::error::Fact;
    use crate::measure::stacks::StackSamples;

    pub fn sample<R>(_rate_hz: u32, f: impl FnOnce() -> R) -> (R, Fact<StackSamples>) {
        let why = if cfg!(any(target_os = "linux", target_os = "macos")) {
            "hpp was built without the `ch02` feature (add `features = [\"ch02\"]` to the :dep line)"
        } else {
            "no sampling profiler for this operating system"
        };
        (sampled_region(f), Fact::unavailable(why))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spin for about `seconds` of CPU.
    #[inline(never)]
    fn busy(seconds: f64) -> u64 {
        let start = std::time::Instant::now();
        let mut x = 1u64;
        while start.elapsed().as_secs_f64() < seconds {
            for i in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
            }
        }
        x
    }

    #[test]
    #[cfg(all(feature = "ch02", target_os = "linux"))]
    fn samples_land_in_the_sampled_call_and_name_its_function() {
        let (x, fact) = sample(DEFAULT_RATE_HZ, || busy(0.3));
        assert_ne!(x, 0);
        let s = fact.known().expect("the sampler runs on Linux with ch02");
        assert!(
            s.total() >= 20,
            "only {} samples in a run of ~0.3 s",
            s.total()
        );
        assert!(
            s.achieved_hz().is_some_and(|hz| hz > 50.0),
            "{:?}",
            s.achieved_hz()
        );
        // Every kept stack starts below the marker, with no handler frames.
        for st in &s.stacks {
            for f in &st.frames {
                assert!(
                    !f.name.contains(MARKER) && !f.name.contains("on_sigprof"),
                    "{:?}",
                    st.frames
                );
            }
        }
        let in_busy: u64 = s
            .stacks
            .iter()
            .filter(|st| st.frames.iter().any(|f| f.name.contains("busy")))
            .map(|st| st.samples)
            .sum();
        assert!(
            in_busy * 10 >= s.total() * 9,
            "{in_busy} of {} samples in busy(): {:?}",
            s.total(),
            s.stacks
        );
        // A second sampling right after works too, and the process survives
        // a SIGPROF after the sampler is gone (it is ignored, not fatal).
        let (_, again) = sample(DEFAULT_RATE_HZ, || busy(0.05));
        assert!(again.is_known());
        // SAFETY: raising a signal at this thread; its action is SIG_IGN now.
        unsafe { libc::raise(libc::SIGPROF) };
    }

    #[test]
    #[cfg(not(all(feature = "ch02", any(target_os = "linux", target_os = "macos"))))]
    fn without_the_feature_the_run_still_happens_and_says_why() {
        let (x, fact) = sample(DEFAULT_RATE_HZ, || busy(0.001));
        assert_ne!(x, 0);
        assert!(!fact.is_known());
    }
}
