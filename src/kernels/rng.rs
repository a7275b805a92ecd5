//! A small, fast, seedable generator (SplitMix64) for shuffles and random
//! access patterns: reproducible across runs and machines, no dependency.

/// SplitMix64 (Steele, Lea & Flood, 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n` > 0), by Lemire's multiply-shift.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// The step of the Weyl sequence the chapter experiments share with their
/// Python files: 2⁶⁴ divided by the golden ratio.
pub const WEYL_STEP: u64 = 0x9E37_79B9_7F4A_7C15;

/// The `i`-th term of that Weyl sequence scaled into `0..n` by a
/// multiply-high: evenly spread values, with integer arithmetic any
/// language reproduces exactly (Python: `((i * STEP) & MASK64) * n >> 64`).
#[inline]
pub fn weyl_below(i: u64, n: u64) -> u64 {
    ((u128::from(i.wrapping_mul(WEYL_STEP)) * u128::from(n)) >> 64) as u64
}

/// A random cyclic permutation of `0..n` (Sattolo's algorithm): following
/// `next[i]` from any start visits every element once before returning.
pub fn single_cycle(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    // Sattolo: like Fisher–Yates but j < i, which yields one n-cycle.
    for i in (1..n).rev() {
        let j = rng.below(i);
        order.swap(i, j);
    }
    // `order` read as a cycle: order[0] -> order[1] -> … -> order[n-1] -> order[0].
    let mut next = vec![0; n];
    for k in 0..n {
        next[order[k]] = order[(k + 1) % n];
    }
    next
}
