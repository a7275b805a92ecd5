//! One bandwidth figure: GB/s of a STREAM-style kernel on a given working
//! set and thread count. Shared by the bandwidth sweep, the roofline's
//! ceilings and the tiers table.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::kernels::bandwidth::{BwArrays, BwKernel};
use crate::measure::{Budget, stats};

/// GB/s of kernel `k` with `threads` threads, each on `size_bytes` of arrays.
/// All threads start each run together (a barrier) and the run lasts until
/// the slowest finishes.
///
/// # Errors
/// An error naming the kernel if its output is wrong.
pub fn gb_per_s(k: BwKernel, threads: usize, size_bytes: u64, budget: &Budget) -> Result<f64> {
    let n = ((size_bytes / 8) as usize / k.arrays()).max(2);
    let threads = threads.max(1);
    let barrier = Barrier::new(threads);
    let reps = AtomicU64::new(1);
    let samples = Mutex::new(Vec::new());
    let failure = Mutex::new(None);
    std::thread::scope(|s| {
        for id in 0..threads {
            let (barrier, reps, samples, failure) = (&barrier, &reps, &samples, &failure);
            s.spawn(move || {
                let mut arrays = BwArrays::new(k, n);
                let mut sink = arrays.run(k); // warm: pages resident, caches primed
                let bytes = arrays.bytes_moved(k) as f64 * threads as f64;
                // Calibrate: one timed run by all, then enough repetitions
                // for a sample to last the budget's minimum.
                barrier.wait();
                let t0 = Instant::now();
                sink += arrays.run(k);
                barrier.wait();
                if id == 0 {
                    let one = t0.elapsed().as_secs_f64().max(1e-9);
                    reps.store(
                        ((budget.min_run_s / one).ceil() as u64).max(1),
                        Ordering::Relaxed,
                    );
                }
                barrier.wait();
                let r = reps.load(Ordering::Relaxed);
                for _ in 0..budget.runs.max(1) {
                    barrier.wait();
                    let t0 = Instant::now();
                    for _ in 0..r {
                        sink += std::hint::black_box(arrays.run(k));
                    }
                    barrier.wait();
                    if id == 0 {
                        let secs = t0.elapsed().as_secs_f64();
                        if let Ok(mut v) = samples.lock() {
                            v.push(bytes * r as f64 / secs / 1e9);
                        }
                    }
                }
                std::hint::black_box(sink);
                if let Err(e) = arrays.validate(k)
                    && let Ok(mut f) = failure.lock()
                {
                    *f = Some(e);
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().ok().flatten() {
        return Err(Error::bad_input(format!(
            "bandwidth kernel produced a wrong result: {e}"
        )));
    }
    let v = samples.into_inner().unwrap_or_default();
    // The spread of rates is the spread of times (max/min alike).
    crate::measure::quality::note(&v);
    stats::median(&v).ok_or_else(|| Error::bad_input("no bandwidth samples were taken"))
}
