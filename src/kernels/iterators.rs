//! Iterators and generators (the book's chapter 5). A Python generator
//! hands out one value at a time and remembers where it was; a Rust
//! `Iterator` is the same idea — a struct with a `next` method — and its
//! adapters (`filter`, `map`, `take_while`, `sum`) compile into one loop.
//!
//! The Fibonacci numbers grow without bound (the 10,000th has 6,942 bits),
//! so as in Python they are big integers (`num-bigint`, with hpp's `ch05`
//! feature); the machine-word version serves the "odd numbers below 5000"
//! count, where they stay small.

/// The Fibonacci numbers 0, 1, 1, 2, 3, 5, … in `u64`, ending before the
/// first that does not fit.
#[derive(Debug, Clone)]
pub struct SmallFibonacci {
    a: Option<u64>,
    b: Option<u64>,
}

impl Iterator for SmallFibonacci {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let out = self.a?;
        let next = self.b.and_then(|b| out.checked_add(b));
        self.a = self.b;
        self.b = next;
        Some(out)
    }
}

/// The Fibonacci numbers in `u64`: F(0) to F(93), 94 of them.
pub fn small_fibonacci() -> SmallFibonacci {
    SmallFibonacci {
        a: Some(0),
        b: Some(1),
    }
}

/// The book's first way: a loop with two variables, counting the odd
/// Fibonacci numbers up to `limit`.
pub fn odd_fibonacci_loop(limit: u64) -> usize {
    let (mut i, mut j) = (0u64, 1u64);
    let mut count = 0;
    while j <= limit {
        if j % 2 == 1 {
            count += 1;
        }
        (i, j) = (j, i + j);
    }
    count
}

/// The book's succinct way, as adapters: take while ≤ `limit`, keep the
/// odd ones, count them.
pub fn odd_fibonacci_iter(limit: u64) -> usize {
    small_fibonacci()
        .take_while(|&f| f <= limit)
        .filter(|f| f % 2 == 1)
        .count()
}

/// The reference: list the numbers up to `limit`, then count the odd.
pub fn odd_fibonacci_reference(limit: u64) -> usize {
    let mut all = vec![0u64, 1];
    while all[all.len() - 1] + all[all.len() - 2] <= limit {
        all.push(all[all.len() - 1] + all[all.len() - 2]);
    }
    all.iter().filter(|&&f| f <= limit && f % 2 == 1).count()
}

/// F(k) modulo 2⁶⁴: the lowest 64 bits of the k-th Fibonacci number, by
/// wrapping additions (a check any language can make without big integers).
pub fn fibonacci_low64(k: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..k {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

/// The sum of the squares of the odd values, as a chain of adapters.
#[inline]
pub fn odd_squares_chain(values: &[u64]) -> u64 {
    values
        .iter()
        .filter(|&&v| v % 2 == 1)
        .map(|&v| v.wrapping_mul(v))
        .fold(0u64, u64::wrapping_add)
}

/// The same, as a hand-written loop.
#[inline]
pub fn odd_squares_loop(values: &[u64]) -> u64 {
    let mut total = 0u64;
    for &v in values {
        if v % 2 == 1 {
            total = total.wrapping_add(v.wrapping_mul(v));
        }
    }
    total
}

/// The reference: in u128, no wrapping, then reduced.
pub fn odd_squares_reference(values: &[u64]) -> u64 {
    let mut total = 0u128;
    for &v in values {
        if v % 2 == 1 {
            total += u128::from(v) * u128::from(v);
        }
    }
    total as u64
}

#[cfg(feature = "ch05")]
pub use big::*;

#[cfg(feature = "ch05")]
mod big {
    use num_bigint::BigUint;

    /// The Fibonacci numbers as big integers: a generator in Rust's
    /// clothing, holding just the two numbers it needs.
    #[derive(Debug, Clone)]
    pub struct Fibonacci {
        a: BigUint,
        b: BigUint,
    }

    impl Iterator for Fibonacci {
        type Item = BigUint;

        fn next(&mut self) -> Option<BigUint> {
            let next = &self.a + &self.b;
            let b = std::mem::replace(&mut self.b, next);
            Some(std::mem::replace(&mut self.a, b))
        }
    }

    /// 0, 1, 1, 2, 3, 5, … without end.
    pub fn fibonacci() -> Fibonacci {
        Fibonacci {
            a: BigUint::ZERO,
            b: BigUint::from(1u32),
        }
    }

    /// The book's list: the first `n` numbers, all kept.
    pub fn fibonacci_list(n: usize) -> Vec<BigUint> {
        let mut numbers = Vec::new();
        let (mut a, mut b) = (BigUint::ZERO, BigUint::from(1u32));
        while numbers.len() < n {
            let next = &a + &b;
            numbers.push(std::mem::replace(&mut a, std::mem::replace(&mut b, next)));
        }
        numbers
    }

    /// What both languages report of the k-th number to check they agree:
    /// its bit length and its lowest 64 bits.
    pub fn fingerprint(x: &BigUint) -> (u64, u64) {
        (x.bits(), x.iter_u64_digits().next().unwrap_or(0))
    }

    /// The reference: F(k) by fast doubling (F(2m) = F(m)(2F(m+1) − F(m)),
    /// F(2m+1) = F(m)² + F(m+1)²), a different road to the same numbers.
    pub fn fibonacci_reference(k: u64) -> BigUint {
        fn pair(k: u64) -> (BigUint, BigUint) {
            if k == 0 {
                return (BigUint::ZERO, BigUint::from(1u32));
            }
            let (f, g) = pair(k / 2);
            let even = &f * (&g * 2u32 - &f);
            let odd = &f * &f + &g * &g;
            if k.is_multiple_of(2) {
                (even, odd)
            } else {
                (odd.clone(), even + odd)
            }
        }
        pair(k).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_counts_the_same_odd_numbers() {
        for limit in [0, 1, 2, 5000, 1_000_000, u64::MAX / 4] {
            let want = odd_fibonacci_reference(limit);
            assert_eq!(odd_fibonacci_loop(limit), want, "{limit}");
            assert_eq!(odd_fibonacci_iter(limit), want, "{limit}");
        }
        // 1, 1, 3, 5, 13, 21, 55, 89, 233, 377, 987, 1597, 4181.
        assert_eq!(odd_fibonacci_reference(5000), 13);
        assert_eq!(small_fibonacci().count(), 94);
    }

    #[test]
    fn the_chain_and_the_loop_agree() {
        let values: Vec<u64> = (0..10_000u64).map(|i| i * 2_654_435_761).collect();
        let want = odd_squares_reference(&values);
        assert_eq!(odd_squares_chain(&values), want);
        assert_eq!(odd_squares_loop(&values), want);
        assert_eq!(odd_squares_chain(&[1, 2, 3]), 10);
    }

    #[cfg(feature = "ch05")]
    #[test]
    fn the_generator_and_the_list_give_the_fibonacci_numbers() {
        let list = fibonacci_list(300);
        let generated: Vec<_> = fibonacci().take(300).collect();
        assert_eq!(list, generated);
        for k in [0, 1, 2, 10, 93, 94, 299] {
            assert_eq!(list[k], fibonacci_reference(k as u64), "F({k})");
        }
        assert_eq!(fingerprint(&list[10]), (6, 55));
        for k in [0, 1, 93, 94, 299] {
            assert_eq!(fingerprint(&list[k]).1, fibonacci_low64(k as u64), "F({k})");
        }
        // F(93) is the largest that fits in a u64.
        assert_eq!(fingerprint(&list[93]), (64, 12_200_160_415_121_876_738));
        assert_eq!(small_fibonacci().last(), Some(12_200_160_415_121_876_738));
    }
}
