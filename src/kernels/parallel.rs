//! Parallel kernels: CPU time actually granted to spinning threads, a
//! compute-bound and a memory-bound job split over a rayon pool built and
//! dropped inside the call (evcxr gives every cell its own copy of rayon, so
//! no pool may outlive a call), and per-thread counters packed into one
//! cache line or padded apart (false sharing).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// CPU seconds this thread has run (Linux `CLOCK_THREAD_CPUTIME_ID`), if the
/// OS can tell.
pub fn thread_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: writes one timespec we own.
        let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        (r == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(unix))]
    None
}

/// Spin `threads` threads for `wall` and return the CPUs' worth of time the
/// OS granted them together (e.g. 1.93 of 2): the real parallelism on offer.
///
/// # Errors
/// `Unavailable` where per-thread CPU time cannot be read.
pub fn cpu_share(threads: usize, wall: Duration) -> Result<f64> {
    if thread_cpu_seconds().is_none() {
        return Err(Error::Unavailable(crate::error::Unavailable::new(
            "per-thread CPU time is not readable on this OS",
        )));
    }
    let threads = threads.max(1);
    let t0 = Instant::now();
    let cpu: f64 = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let c0 = thread_cpu_seconds().unwrap_or(0.0);
                    let mut x = 0u64;
                    while t0.elapsed() < wall {
                        for _ in 0..1000 {
                            x = std::hint::black_box(x.wrapping_add(1));
                        }
                    }
                    thread_cpu_seconds().unwrap_or(0.0) - c0
                })
            })
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).sum()
    });
    Ok(cpu / t0.elapsed().as_secs_f64())
}

/// Split `units` units of compute-bound work (dependent float chains that
/// never touch memory) over a fresh pool of `threads`; returns a checksum.
///
/// # Errors
/// [`Error::BadInput`] if the pool cannot be built.
pub fn compute_job(threads: usize, units: usize) -> Result<f64> {
    use rayon::prelude::*;
    let pool = pool(threads)?;
    Ok(pool.install(|| (0..units).into_par_iter().map(compute_unit).sum()))
}

/// One unit of compute: 20 000 dependent multiply-adds.
pub fn compute_unit(seed: usize) -> f64 {
    let mut x = seed as f64 * 1e-9 + 0.5;
    for _ in 0..20_000 {
        x = x * 0.999_999 + 1e-7;
    }
    x
}

/// Sum `data` in `chunks` pieces over a fresh pool of `threads`
/// (memory-bound when `data` is larger than the caches).
///
/// # Errors
/// [`Error::BadInput`] if the pool cannot be built.
pub fn memory_job(threads: usize, data: &[f64], chunks: usize) -> Result<f64> {
    use rayon::prelude::*;
    let pool = pool(threads)?;
    let size = data.len().div_ceil(chunks.max(1)).max(1);
    Ok(pool.install(|| {
        data.par_chunks(size)
            .map(crate::kernels::bandwidth::read_sum)
            .sum()
    }))
}

/// Amdahl's job: `units` of [`compute_unit`], the first `serial` of them
/// one after another on one of `pool`'s threads, the rest shared among all
/// of them. Returns the sum of the units.
///
/// The serial part runs inside the pool too: run on the calling thread, it
/// would compete for the CPUs with the pool's idle threads, which spin a
/// while before they sleep — one thread more than the CPUs.
pub fn amdahl_job(pool: &rayon::ThreadPool, units: usize, serial: usize) -> f64 {
    use rayon::prelude::*;
    let serial = serial.min(units);
    pool.install(|| {
        let alone: f64 = (0..serial).map(compute_unit).sum();
        let shared: f64 = (serial..units).into_par_iter().map(compute_unit).sum();
        alone + shared
    })
}

/// A pool of `threads` threads of its own (none shared with other cells).
///
/// # Errors
/// [`Error::BadInput`] if the threads cannot be started.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::bad_input(format!("could not start {threads} threads: {e}")))
}

/// Counters for `threads` threads, each incremented `n` times by its own
/// thread; `stride` words apart (1 = neighbours in one cache line, 16 = 128
/// bytes apart). Returns the total count.
pub fn counters(threads: usize, n: u64, stride: usize) -> u64 {
    let stride = stride.max(1);
    let slots: Vec<AtomicU64> = (0..threads.max(1) * stride)
        .map(|_| AtomicU64::new(0))
        .collect();
    std::thread::scope(|s| {
        for t in 0..threads.max(1) {
            let slot = &slots[t * stride];
            s.spawn(move || {
                for _ in 0..n {
                    // A relaxed atomic add still owns the line while it writes.
                    slot.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    slots.iter().map(|a| a.load(Ordering::Relaxed)).sum()
}

/// Pin the calling thread to logical CPU `cpu` (Linux `sched_setaffinity`).
///
/// # Errors
/// `Unavailable` where the OS refuses or cannot pin.
pub fn pin_current_thread(cpu: usize) -> std::result::Result<(), crate::error::Unavailable> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: cpu_set_t is plain data; CPU_SET writes inside it (bounded
        // by the `cpu < CPU_SETSIZE` check); the call reads it.
        unsafe {
            if cpu >= libc::CPU_SETSIZE as usize {
                return Err(crate::error::Unavailable::new(
                    "CPU number beyond CPU_SETSIZE",
                ));
            }
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(crate::error::Unavailable::new(format!(
                    "sched_setaffinity refused: {}",
                    std::io::Error::last_os_error()
                )));
            }
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = cpu;
        Err(crate::error::Unavailable::new(
            "hpp pins threads on Linux only",
        ))
    }
}

/// Seconds for `units` compute units on each of the given CPUs at once, each
/// thread pinned to its CPU.
///
/// # Errors
/// `Unavailable` if a thread cannot be pinned.
pub fn pinned_compute(cpus: &[usize], units: usize) -> Result<f64> {
    let t0 = Instant::now();
    let results: Vec<std::result::Result<f64, crate::error::Unavailable>> =
        std::thread::scope(|s| {
            let hs: Vec<_> = cpus
                .iter()
                .map(|&c| {
                    s.spawn(move || {
                        pin_current_thread(c)?;
                        Ok((0..units).map(compute_unit).sum::<f64>())
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(crate::error::Unavailable::new("a pinned thread panicked"))
                    })
                })
                .collect()
        });
    let secs = t0.elapsed().as_secs_f64();
    for r in results {
        std::hint::black_box(r?);
    }
    Ok(secs)
}
