//! `memit`: memory_profiler's `%memit` for Rust closures. Peak resident set
//! while the closure runs, and the increment over the resident set before.
//!
//! # Platforms
//! Linux: resets the kernel's high-water mark (`/proc/self/clear_refs`) and
//! reads `VmHWM` after; where that is refused, samples `/proc/self/statm`
//! from a second thread every 0.2 ms. Elsewhere: unavailable.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Unavailable;
use crate::units::fmt_sig;

/// Memory used by one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemUse {
    /// What was measured.
    pub label: Option<String>,
    /// Resident set before the call.
    pub before_bytes: u64,
    /// Highest resident set during the call.
    pub peak_bytes: u64,
    /// `peak_bytes - before_bytes`.
    pub increment_bytes: u64,
    /// How the peak was found.
    pub method: String,
}

impl MemUse {
    /// The same result with a label.
    pub fn named(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Show in a notebook as memory_profiler prints it.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[("text/plain", &self.to_string())])
        );
    }
}

impl fmt::Display for MemUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: u64| fmt_sig(b as f64 / (1u64 << 20) as f64, 4);
        if let Some(l) = &self.label {
            write!(f, "{l}: ")?;
        }
        write!(
            f,
            "peak memory: {} MiB, increment: {} MiB",
            mib(self.peak_bytes),
            mib(self.increment_bytes)
        )
    }
}

/// Run `f` once and report its peak memory and increment. Whatever `f`
/// returns is dropped after the measurement, so return the data you built to
/// have it counted.
///
/// # Errors
/// `Unavailable` where the OS gives no resident-set figure.
pub fn memit<R>(f: impl FnOnce() -> R) -> Result<MemUse, Unavailable> {
    imp::memit(f)
}

#[cfg(all(target_os = "linux", not(feature = "force-fallback")))]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use super::MemUse;
    use crate::error::Unavailable;

    fn status_kib(key: &str) -> Option<u64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        s.lines().find_map(|l| {
            l.strip_prefix(key)?
                .strip_prefix(':')?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
    }

    fn rss_bytes() -> Option<u64> {
        // statm: size resident shared … in pages; cheap to read often.
        let s = std::fs::read_to_string("/proc/self/statm").ok()?;
        let pages: u64 = s.split_whitespace().nth(1)?.parse().ok()?;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Some(pages * u64::try_from(page).ok()?)
    }

    pub fn memit<R>(f: impl FnOnce() -> R) -> Result<MemUse, Unavailable> {
        // Hand memory freed earlier back to the OS first; otherwise the
        // allocator may reuse pages that are still resident and the new
        // data would not show in the increment.
        #[cfg(target_env = "gnu")]
        // SAFETY: malloc_trim only releases free memory; no preconditions.
        unsafe {
            libc::malloc_trim(0);
        }
        let before =
            rss_bytes().ok_or_else(|| Unavailable::new("/proc/self/statm not readable"))?;
        // Writing 5 resets VmHWM to the current RSS (Linux ≥ 4.0).
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        if reset && let Some(_hwm) = status_kib("VmHWM") {
            // black_box: data nobody reads could otherwise be optimised away.
            let out = std::hint::black_box(f());
            let peak = status_kib("VmHWM").map(|k| k * 1024).unwrap_or(0);
            let now = rss_bytes().unwrap_or(0);
            drop(out);
            let peak = peak.max(now).max(before);
            return Ok(MemUse {
                label: None,
                before_bytes: before,
                peak_bytes: peak,
                increment_bytes: peak - before,
                method: "kernel high-water mark (VmHWM after clear_refs)".into(),
            });
        }
        let stop = AtomicBool::new(false);
        let peak = AtomicU64::new(before);
        let out = std::thread::scope(|s| {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(r) = rss_bytes() {
                        peak.fetch_max(r, Ordering::Relaxed);
                    }
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
            });
            // black_box: data nobody reads could otherwise be optimised away.
            let out = std::hint::black_box(f());
            if let Some(r) = rss_bytes() {
                peak.fetch_max(r, Ordering::Relaxed);
            }
            stop.store(true, Ordering::Relaxed);
            out
        });
        drop(out);
        let peak = peak.load(Ordering::Relaxed);
        Ok(MemUse {
            label: None,
            before_bytes: before,
            peak_bytes: peak,
            increment_bytes: peak - before,
            method: "sampling /proc/self/statm every 0.2 ms".into(),
        })
    }
}

#[cfg(not(all(target_os = "linux", not(feature = "force-fallback"))))]
mod imp {
    use super::MemUse;
    use crate::error::Unavailable;

    pub fn memit<R>(f: impl FnOnce() -> R) -> Result<MemUse, Unavailable> {
        drop(f);
        Err(Unavailable::new(if cfg!(feature = "force-fallback") {
            "not read (force-fallback build)"
        } else {
            "hpp reads the resident set on Linux only"
        }))
    }
}
