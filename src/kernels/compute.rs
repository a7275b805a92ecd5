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
