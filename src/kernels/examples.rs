//! The chapter's small Python examples, in Rust, for side-by-side timing
//! with the same code run by CPython (`python/ch01_understanding.py`): a trial-division
//! prime test (plain and in chunks of divisors) and searching a list (stop
//! at the first hit, scan everything, and `any`).

// `n % d == 0` on purpose: the same expression as the Python beside it.
#![allow(clippy::manual_is_multiple_of)]

/// Integer square root (largest r with r² ≤ n).
pub fn isqrt(n: u64) -> u64 {
    let mut r = (n as f64).sqrt() as u64;
    while r.checked_mul(r).is_none_or(|x| x > n) {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|x| x <= n) {
        r += 1;
    }
    r
}

/// Trial division by every candidate up to √n.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    (2..=isqrt(n)).all(|d| n % d != 0)
}

/// The same test `WIDTH` divisors at a time: all remainders of a chunk are
/// computed before looking at any of them, the shape a vector unit wants.
pub fn is_prime_chunked(n: u64) -> bool {
    const WIDTH: u64 = 5;
    if n < 2 {
        return false;
    }
    let top = isqrt(n) + 1;
    let mut start = 2;
    while start < top {
        let mut hit = false;
        for d in start..(start + WIDTH).min(top) {
            hit |= n % d == 0;
        }
        if hit {
            return false;
        }
        start += WIDTH;
    }
    true
}

/// "Make it work": every candidate divisor below n.
pub fn is_prime_naive(n: u64) -> bool {
    n >= 2 && (2..n).all(|d| n % d != 0)
}

/// "Make it fast": 2 and then odd divisors up to √n only.
pub fn is_prime_odd(n: u64) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 {
        return false;
    }
    let r = isqrt(n);
    let mut d = 3;
    while d <= r {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// Reference: a sieve of Eratosthenes up to `limit` (inclusive).
pub fn primes_reference(limit: usize) -> Vec<bool> {
    let mut p = vec![true; limit + 1];
    for x in p.iter_mut().take(2) {
        *x = false;
    }
    let mut i = 2;
    while i * i <= limit {
        if p[i] {
            let mut j = i * i;
            while j <= limit {
                p[j] = false;
                j += i;
            }
        }
        i += 1;
    }
    p
}

/// Stop at the first match.
pub fn search_early(items: &[i64], needle: i64) -> bool {
    for &x in items {
        if x == needle {
            return true;
        }
    }
    false
}

/// Look at every element, remembering whether one matched.
pub fn search_full(items: &[i64], needle: i64) -> bool {
    let mut found = false;
    for &x in items {
        found |= x == needle;
    }
    found
}

/// `any`, through an iterator (Python's `any(x == needle for x in items)`).
#[allow(clippy::manual_contains)]
pub fn search_any(items: &[i64], needle: i64) -> bool {
    items.iter().any(|&x| x == needle)
}

/// Reference for the searches.
pub fn search_reference(items: &[i64], needle: i64) -> bool {
    items.contains(&needle)
}

/// CPU-bound busy work, the same loop `python/ch01_understanding.py` runs in each thread
/// or process: `total += i & 7` for i below `count`. `black_box` keeps the
/// compiler from summing it in closed form.
pub fn spin(count: u64) -> u64 {
    let mut total = 0u64;
    for i in 0..count {
        total = total.wrapping_add(std::hint::black_box(i) & 7);
    }
    total
}

/// Reference for [`spin`]: whole groups of 8 add 28 each, then the rest.
pub fn spin_reference(count: u64) -> u64 {
    let rest = count % 8;
    (count / 8) * 28 + rest * (rest.saturating_sub(1)) / 2
}
