//! Vector reductions (the book's chapter 6 opens with the norm of a
//! vector): the sum of the squares, in order, with independent
//! accumulators, and in explicit lanes.
//!
//! Floating-point addition is not associative, so the compiler may not
//! reorder a plain running sum: the in-order loop is bound by the latency
//! of one add after another. Splitting the sum into independent partial
//! sums (which changes the rounding slightly) lets the additions overlap,
//! and with lanes the compiler can put them in vector registers.

/// The book's vector: value `i` is `((i × 7919) mod 1000) / 1000`, the same
/// numbers in every language with no random generator.
pub fn book_vector(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
        .collect()
}

/// Σ v², one addition after another (the reference).
pub fn norm_squared_in_order(v: &[f64]) -> f64 {
    let mut total = 0.0;
    for &x in v {
        total += x * x;
    }
    total
}

/// Σ v² in four running sums, added at the end.
pub fn norm_squared_four_sums(v: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let mut chunks = v.chunks_exact(4);
    for c in &mut chunks {
        for (s, &x) in sums.iter_mut().zip(c) {
            *s += x * x;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|x| x * x).sum();
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// Σ v² in 16 lanes: four vectors of four (or two of eight) `f64`s, with
/// 256-bit AVX when the CPU has it (run-time dispatch, as `-march=native`
/// C would).
pub fn norm_squared_lanes(v: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above).
        return unsafe { lanes_avx(v) };
    }
    lanes_portable(v)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn lanes_avx(v: &[f64]) -> f64 {
    lanes_portable(v)
}

#[inline(always)]
fn lanes_portable(v: &[f64]) -> f64 {
    const LANES: usize = 16;
    let mut sums = [0.0; LANES];
    let mut chunks = v.chunks_exact(LANES);
    for c in &mut chunks {
        for (s, &x) in sums.iter_mut().zip(c) {
            *s += x * x;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|x| x * x).sum();
    sums.iter().sum::<f64>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_gives_the_norm() {
        for n in [0, 1, 3, 4, 15, 16, 17, 1000, 4099] {
            let v = book_vector(n);
            let want = norm_squared_in_order(&v);
            for got in [norm_squared_four_sums(&v), norm_squared_lanes(&v)] {
                assert!(
                    (got - want).abs() <= 1e-12 * want.max(1.0),
                    "{n}: {got} vs {want}"
                );
            }
        }
        assert_eq!(book_vector(3), vec![0.0, 0.919, 0.838]);
    }
}
