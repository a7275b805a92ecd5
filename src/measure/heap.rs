//! What a call did to the heap: how many allocations, how many bytes, and
//! the most it held at once (the Rust side of `tracemalloc`).
//!
//! Two ways to know, best first:
//! - [`Counting`], a global allocator that counts every allocation made
//!   while [`track`] runs (outside it, one relaxed load each). A
//!   program installs it with one line (`#[global_allocator] static A:
//!   hpp::measure::heap::Counting = hpp::measure::heap::Counting;`); the
//!   `hpp` CLI and the test suite do. Its counters are process-wide.
//! - elsewhere (a notebook cannot install an allocator), glibc's own
//!   heap statistics (`mallinfo2`), sampled every millisecond while the call
//!   runs: bytes in use and their peak, but not the number of allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::error::Fact;

/// A call's heap use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeapUse {
    /// Allocations made during the call (counting allocator only).
    pub allocations: Option<u64>,
    /// Bytes asked for during the call, freed or not (counting allocator only).
    pub bytes_allocated: Option<u64>,
    /// The most bytes in use at once during the call, above what was in use
    /// before it.
    pub peak_bytes: u64,
    /// How it was measured.
    pub method: String,
}

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
/// How many [`track`] calls (or install probes) are running: counting
/// happens only while one is, so an installed counter costs every other
/// allocation one relaxed load. A count, not a flag, so one call ending
/// does not stop another's counting.
static ARMED: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting as it goes (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counting;

impl Counting {
    #[inline]
    fn note_alloc(size: usize) {
        if ARMED.load(Ordering::Relaxed) == 0 {
            return;
        }
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
        let live = LIVE.fetch_add(size as u64, Ordering::Relaxed) + size as u64;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    #[inline]
    fn note_free(size: usize) {
        if ARMED.load(Ordering::Relaxed) == 0 {
            return;
        }
        // Saturating: a block allocated before counting began may be freed
        // while it runs.
        let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
            Some(l.saturating_sub(size as u64))
        });
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counters
// only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            Self::note_alloc(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            Self::note_alloc(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        Self::note_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            Self::note_free(layout.size());
            Self::note_alloc(new_size);
        }
        p
    }
}

/// Counting on while it lives (off again even if the call panics).
struct Armed;

impl Armed {
    fn new() -> Armed {
        ARMED.fetch_add(1, Ordering::Relaxed);
        Armed
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        ARMED.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether this program's global allocator is [`Counting`]: a small
/// allocation must move its counter.
pub fn counting_installed() -> bool {
    let _armed = Armed::new();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let probe = std::hint::black_box(Box::new([0u8; 64]));
    drop(probe);
    ALLOCATIONS.load(Ordering::Relaxed) != before
}

/// Run `f` and report its heap use, or why it cannot be known here. The
/// counts are the whole process's during the call: run it when nothing
/// else is allocating.
pub fn track<R>(f: impl FnOnce() -> R) -> (R, Fact<HeapUse>) {
    if counting_installed() {
        let allocations = ALLOCATIONS.load(Ordering::Relaxed);
        let bytes = BYTES.load(Ordering::Relaxed);
        let live = LIVE.load(Ordering::Relaxed);
        PEAK.store(live, Ordering::Relaxed);
        let r = {
            let _armed = Armed::new();
            f()
        };
        let used = HeapUse {
            allocations: Some(ALLOCATIONS.load(Ordering::Relaxed) - allocations),
            bytes_allocated: Some(BYTES.load(Ordering::Relaxed) - bytes),
            peak_bytes: PEAK.load(Ordering::Relaxed).saturating_sub(live),
            method: "hpp's counting allocator".into(),
        };
        return (r, Fact::Known(used));
    }
    glibc::track(f)
}

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    not(feature = "force-fallback")
))]
mod glibc {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::HeapUse;
    use crate::error::Fact;

    /// Bytes glibc's allocator has handed out and not had back.
    fn in_use() -> u64 {
        // SAFETY: mallinfo2 takes no arguments and returns a plain struct.
        let m = unsafe { libc::mallinfo2() };
        (m.uordblks + m.hblkhd) as u64
    }

    pub fn track<R>(f: impl FnOnce() -> R) -> (R, Fact<HeapUse>) {
        let before = in_use();
        let done = AtomicBool::new(false);
        let (r, peak) = std::thread::scope(|s| {
            let watcher = s.spawn(|| {
                let mut peak = in_use();
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                    peak = peak.max(in_use());
                }
                peak
            });
            let r = f();
            let after = in_use();
            done.store(true, Ordering::Relaxed);
            let peak = watcher.join().unwrap_or(after).max(after);
            (r, peak)
        });
        let used = HeapUse {
            allocations: None,
            bytes_allocated: None,
            peak_bytes: peak.saturating_sub(before),
            method: "glibc's heap statistics (mallinfo2), sampled every millisecond: the allocation count needs hpp's counting allocator (the CLI has it)".into(),
        };
        (r, Fact::Known(used))
    }
}

#[cfg(not(all(
    target_os = "linux",
    target_env = "gnu",
    not(feature = "force-fallback")
)))]
mod glibc {
    use super::HeapUse;
    use crate::error::Fact;

    pub fn track<R>(f: impl FnOnce() -> R) -> (R, Fact<HeapUse>) {
        (
            f(),
            Fact::unavailable(
                "no heap statistics here: glibc's mallinfo2 is Linux-only, and this program has no counting allocator",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_the_counting_allocator_the_heap_is_read_from_glibc_or_unavailable() {
        // The library's test binary keeps the system allocator.
        assert!(!counting_installed());
        let (len, used) = track(|| {
            let v = std::hint::black_box(vec![1u8; 16 << 20]);
            std::thread::sleep(std::time::Duration::from_millis(20));
            v.len()
        });
        assert_eq!(len, 16 << 20);
        if cfg!(all(
            target_os = "linux",
            target_env = "gnu",
            not(feature = "force-fallback")
        )) {
            let h = used.known().expect("glibc reports its heap");
            assert!(h.peak_bytes >= 16 << 20, "{h:?}");
            assert_eq!(h.allocations, None, "glibc does not count allocations");
            assert!(h.method.contains("mallinfo2"));
        } else {
            assert!(!used.is_known());
        }
    }
}
