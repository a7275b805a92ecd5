//! Compute kernels on integers.

/// Sum with an index loop and wrapping adds: the kernel used to check that a
/// notebook build runs as fast as `--release` (wrapping arithmetic means
/// overflow checks cannot slow it; opt-level still can).
pub fn sum_indexed_u64(xs: &[u64]) -> u64 {
    let mut s = 0u64;
    #[allow(clippy::needless_range_loop)]
    for i in 0..xs.len() {
        s = s.wrapping_add(xs[i]);
    }
    s
}

/// Reference for [`sum_indexed_u64`].
pub fn sum_u64_reference(xs: &[u64]) -> u64 {
    xs.iter().fold(0u64, |a, &b| a.wrapping_add(b))
}

/// `n` integers whose sum exercises wrap-around when `n` is large.
pub fn make_u64(n: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect()
}

/// `n` additions, each waiting for the one before: one add per cycle on
/// every modern core, so `n / seconds` is the effective clock. Written in
/// assembly because the compiler would otherwise fold the chain into one
/// multiply. Returns the final value; `None` on architectures without an
/// implementation here.
pub fn dependent_adds(n: u64) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut x: u64 = 0;
        let mut i = 0;
        while i < n / 8 {
            // SAFETY: eight register adds; no memory, stack or flags contract
            // beyond what `asm!` assumes by default.
            unsafe {
                std::arch::asm!(
                    "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                    "add {x}, 1", "add {x}, 1", "add {x}, 1", "add {x}, 1",
                    x = inout(reg) x,
                    options(nomem, nostack)
                );
            }
            i += 1;
        }
        Some(x)
    }
    #[cfg(target_arch = "aarch64")]
    {
        let mut x: u64 = 0;
        let mut i = 0;
        while i < n / 8 {
            // SAFETY: as above.
            unsafe {
                std::arch::asm!(
                    "add {x}, {x}, #1", "add {x}, {x}, #1", "add {x}, {x}, #1", "add {x}, {x}, #1",
                    "add {x}, {x}, #1", "add {x}, {x}, #1", "add {x}, {x}, #1", "add {x}, {x}, #1",
                    x = inout(reg) x,
                    options(nomem, nostack)
                );
            }
            i += 1;
        }
        Some(x)
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = n;
        None
    }
}

/// Lock and unlock an uncontended mutex `n` times; returns the final count.
pub fn mutex_round_trips(m: &std::sync::Mutex<u64>, n: u64) -> u64 {
    for _ in 0..n {
        // A poisoned lock still counts as a lock/unlock.
        let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
        *g = g.wrapping_add(1);
    }
    *m.lock().unwrap_or_else(|p| p.into_inner())
}
