//! Searching a sorted list (the book's chapter 3): a linear scan, which
//! needs no order at all, against binary search, which needs the order and
//! looks at log₂ n elements. Beyond the book, two binary searches written
//! for the hardware: one without branches (the comparison picks the next
//! half by a conditional move, so nothing is mispredicted), and one over
//! the Eytzinger layout (the sorted values stored as a breadth-first binary
//! tree, so the first levels of every search share a few cache lines and
//! the next levels can be fetched ahead).
//!
//! Every search answers the same question as [`lower_bound_reference`]:
//! the index of the first element not less than the needle (the length
//! when there is none), the answer of Python's `bisect.bisect_left`.

/// The reference: a scan from the front for the first element ≥ `needle`.
pub fn lower_bound_reference(haystack: &[u64], needle: u64) -> usize {
    haystack.iter().take_while(|&&v| v < needle).count()
}

/// Linear search as `list.index` does it: the position of `needle`, or
/// `None` after looking at every element.
#[inline]
pub fn linear_find(haystack: &[u64], needle: u64) -> Option<usize> {
    haystack.iter().position(|&v| v == needle)
}

/// The standard library's binary search (branchy, early exit on equality),
/// as a lower bound.
#[inline]
pub fn std_binary(haystack: &[u64], needle: u64) -> usize {
    haystack.partition_point(|&v| v < needle)
}

/// Binary search without branches on the data: the loop runs exactly
/// ⌈log₂ n⌉ times, and each step's choice is a conditional move.
#[inline]
pub fn branchless(haystack: &[u64], needle: u64) -> usize {
    let mut base = 0usize;
    let mut len = haystack.len();
    if len == 0 {
        return 0;
    }
    while len > 1 {
        let half = len / 2;
        // Everything before `base + half` is < needle when this holds.
        base =
            std::hint::select_unpredictable(haystack[base + half - 1] < needle, base + half, base);
        len -= half;
    }
    base + usize::from(haystack[base] < needle)
}

/// The sorted values in Eytzinger (breadth-first) order: slot 1 is the
/// root, slots 2k and 2k + 1 are k's children; slot 0 is unused. `rank[k]`
/// is slot k's index in the sorted order.
#[derive(Debug, Clone, PartialEq)]
pub struct Eytzinger {
    /// Values by slot (slot 0 unused).
    pub slots: Vec<u64>,
    /// Sorted index of each slot's value (slot 0: the length, "not found").
    pub rank: Vec<u32>,
}

impl Eytzinger {
    /// Lay out `sorted` (ascending; at most 2³² − 2 values).
    pub fn new(sorted: &[u64]) -> Eytzinger {
        let n = sorted.len();
        let mut slots = vec![0u64; n + 1];
        let mut rank = vec![0u32; n + 1];
        rank[0] = n as u32;
        // In-order walk of the implicit tree, iteratively: the i-th slot
        // visited in order gets the i-th smallest value.
        let mut next = 0usize;
        let mut stack = Vec::new();
        let mut k = 1usize;
        loop {
            while k <= n {
                stack.push(k);
                k *= 2;
            }
            let Some(top) = stack.pop() else { break };
            slots[top] = sorted[next];
            rank[top] = next as u32;
            next += 1;
            k = 2 * top + 1;
        }
        Eytzinger { slots, rank }
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.slots.len() - 1
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lower bound of `needle`, as an index in the sorted order. The
    /// descent is branch-free, and each step prefetches the cache line
    /// four levels down (the 16 slots of its great-great-grandchildren are
    /// contiguous), so the memory latency of the deep levels overlaps.
    #[inline]
    pub fn lower_bound(&self, needle: u64) -> usize {
        let n = self.len();
        let s = &self.slots;
        let mut k = 1usize;
        while k <= n {
            prefetch(s, 16 * k);
            k = 2 * k + usize::from(s[k] < needle);
        }
        // Undo the right turns taken after the last left turn.
        k >>= k.trailing_ones() + 1;
        self.rank[k] as usize
    }
}

/// Ask for `v[i]`'s cache line to be fetched, where it exists.
#[inline(always)]
fn prefetch(v: &[u64], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < v.len() {
        // SAFETY: `i` is in bounds; a prefetch reads nothing architecturally.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                v.as_ptr().add(i).cast::<i8>(),
                std::arch::x86_64::_MM_HINT_T0,
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Sum of the answers for a batch of needles (so no lookup can be skipped).
pub fn lower_bounds_sum(needles: &[u64], search: impl Fn(u64) -> usize) -> u64 {
    needles.iter().map(|&x| search(x) as u64).sum()
}

/// The haystack of the experiments: the even numbers `0, 2, …, 2(n − 1)`,
/// so that every odd needle is absent and falls between two elements.
pub fn even_haystack(n: usize) -> Vec<u64> {
    (0..n as u64).map(|i| 2 * i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::rng::SplitMix64;

    #[test]
    fn every_search_agrees_with_the_reference_at_every_size_and_needle() {
        let mut rng = SplitMix64::new(3);
        for n in (0..70).chain([127, 128, 129, 255, 256, 1000, 1023, 1025]) {
            // Sorted, with duplicates sometimes.
            let mut v: Vec<u64> = (0..n)
                .map(|_| rng.next_u64() % (3 * n as u64 + 1))
                .collect();
            v.sort_unstable();
            let e = Eytzinger::new(&v);
            assert_eq!(e.len(), n);
            for needle in 0..(3 * n as u64 + 3) {
                let want = lower_bound_reference(&v, needle);
                assert_eq!(std_binary(&v, needle), want, "std n={n} x={needle}");
                assert_eq!(branchless(&v, needle), want, "branchless n={n} x={needle}");
                // With duplicates Eytzinger finds the first of them too:
                // the descent is a lower bound, not an equality test.
                assert_eq!(e.lower_bound(needle), want, "eytzinger n={n} x={needle}");
                let found = linear_find(&v, needle);
                assert_eq!(found.is_some(), v.get(want) == Some(&needle));
                if let Some(i) = found {
                    assert_eq!(i, want);
                }
            }
        }
    }

    #[test]
    fn the_even_haystack_has_every_odd_needle_absent() {
        let h = even_haystack(10);
        assert_eq!(h[9], 18);
        assert_eq!(linear_find(&h, 7), None);
        assert_eq!(branchless(&h, 7), 4);
        assert_eq!(
            lower_bounds_sum(&[0, 7, 100], |x| branchless(&h, x)),
            4 + 10
        );
    }
}
