//! Branch kernels: the same conditional sum written with a real branch
//! (which the CPU must predict) and without one.

/// Sum the bytes `>= threshold`, with a conditional jump per byte. On x86_64
/// the jump is written in assembly, so the compiler cannot turn it into a
/// branch-free select; elsewhere an opaque `black_box` on the taken path
/// keeps the branch.
pub fn sum_if_branchy(data: &[u8], threshold: u8) -> u64 {
    let mut s = 0u64;
    let t = u64::from(threshold);
    for &x in data {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: register-only compare, jump and add; the label is local.
        unsafe {
            std::arch::asm!(
                "cmp {x}, {t}",
                "jb 2f",
                "add {s}, {x}",
                "2:",
                x = in(reg) u64::from(x),
                t = in(reg) t,
                s = inout(reg) s,
                options(nomem, nostack)
            );
        }
        #[cfg(not(target_arch = "x86_64"))]
        if u64::from(x) >= t {
            s = std::hint::black_box(s.wrapping_add(u64::from(x)));
        }
    }
    s
}

/// The same sum with no branch: a comparison turned into a mask (the
/// compiler may also vectorise it).
pub fn sum_if_branchless(data: &[u8], threshold: u8) -> u64 {
    data.iter()
        .map(|&x| u64::from(x) & 0u64.wrapping_sub(u64::from(x >= threshold)))
        .fold(0u64, u64::wrapping_add)
}

/// Reference for both.
pub fn sum_if_reference(data: &[u8], threshold: u8) -> u64 {
    let mut s = 0u64;
    for &x in data {
        if x >= threshold {
            s += u64::from(x);
        }
    }
    s
}
