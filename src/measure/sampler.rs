//! A sampling profiler inside this process: `rate_hz` times a second of CPU
//! time the kernel interrupts whichever thread is running and records its
//! call stack (pprof's `SIGPROF` timer and unwinder). Only the stacks that
//! pass through the sampled call are kept, with the frames above it cut
//! off, so a notebook's or a test runner's other threads do not show.
//!
//! # Platforms
//! Linux and macOS, with hpp built with the `ch02` feature (the CLI always
//! is; a notebook asks for it in its `:dep` line). Elsewhere, unavailable.

use crate::error::Fact;
use crate::measure::stacks::StackSamples;

/// The default rate: 997 samples a second of CPU (a prime, so it does not
/// beat with a loop that runs on a round period).
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

#[cfg_attr(
    not(all(feature = "ch02", any(target_os = "linux", target_os = "macos"))),
    allow(dead_code)
)]
const MARKER: &str = "sampled_region";

#[cfg(all(feature = "ch02", any(target_os = "linux", target_os = "macos")))]
mod imp {
    use super::{MARKER, sampled_region};
    use crate::error::Fact;
    use crate::measure::stacks::{Frame, Stack, StackSamples, short_name};

    pub fn sample<R>(rate_hz: u32, f: impl FnOnce() -> R) -> (R, Fact<StackSamples>) {
        let rate = rate_hz.clamp(1, 10_000);
        let guard = match pprof::ProfilerGuardBuilder::default()
            .frequency(rate as i32)
            .blocklist(&["libgcc", "vdso"])
            .build()
        {
            Ok(g) => g,
            Err(e) => {
                return (
                    f(),
                    Fact::unavailable(format!(
                        "the sampler could not start ({e}); another profile may be running"
                    )),
                );
            }
        };
        let start = std::time::Instant::now();
        let r = sampled_region(f);
        let covered_s = start.elapsed().as_secs_f64();
        let report = match guard.report().build() {
            Ok(rep) => rep,
            Err(e) => {
                return (
                    r,
                    Fact::unavailable(format!("the sampler's report failed: {e}")),
                );
            }
        };
        drop(guard);
        let mut stacks = Vec::new();
        for (frames, &count) in &report.data {
            // pprof lists the running frame first and, per address, the
            // innermost inlined function first; flip both to root-first.
            let mut all: Vec<Frame> = Vec::new();
            for symbols in frames.frames.iter().rev() {
                for sym in symbols.iter().rev() {
                    all.push(Frame {
                        name: sym.name(),
                        file: sym.filename.as_ref().map(|p| p.display().to_string()),
                        line: sym.lineno,
                    });
                }
            }
            let Some(cut) = all.iter().rposition(|fr| fr.name.contains(MARKER)) else {
                continue;
            };
            let kept: Vec<Frame> = all
                .into_iter()
                .skip(cut + 1)
                .filter(|fr| !is_plumbing(&fr.name))
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
            if !kept.is_empty() && count > 0 {
                stacks.push(Stack {
                    frames: kept,
                    samples: count as u64,
                });
            }
        }
        stacks.sort_by_key(|s| std::cmp::Reverse(s.samples));
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
                profiler: "pprof".into(),
                rate_hz: rate,
                covered_s: Some(covered_s),
                stacks,
            }),
        )
    }

    /// Closure and call-forwarding frames that say nothing to a reader.
    fn is_plumbing(name: &str) -> bool {
        name.contains("FnOnce::call_once") || name.contains("hint::black_box")
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
        // Every kept stack starts below the marker.
        assert!(
            s.stacks
                .iter()
                .all(|st| st.frames.iter().all(|f| !f.name.contains(MARKER)))
        );
        let in_busy: u64 = s
            .stacks
            .iter()
            .filter(|st| st.frames.iter().any(|f| f.name.contains("busy")))
            .map(|st| st.samples)
            .sum();
        assert!(
            in_busy * 10 >= s.total() * 9,
            "{in_busy} of {} samples in busy()",
            s.total()
        );
    }

    #[test]
    #[cfg(not(all(feature = "ch02", any(target_os = "linux", target_os = "macos"))))]
    fn without_the_feature_the_run_still_happens_and_says_why() {
        let (x, fact) = sample(DEFAULT_RATE_HZ, || busy(0.001));
        assert_ne!(x, 0);
        assert!(!fact.is_known());
    }
}
