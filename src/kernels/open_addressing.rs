//! An open-addressing hash table that counts its probes: the structure
//! inside CPython's `dict` and `set`, small enough to read. Every key has a
//! home slot (its hash, masked to the table's size); when that slot is
//! taken the table tries others in a fixed order until it finds the key or
//! an empty slot. How many slots it tries — its **probes** — is the cost of
//! an insert or a lookup, and it depends on how full the table is (its load
//! factor) and on how well the hash spreads the keys.
//!
//! Two probe orders:
//! - [`Probing::Linear`]: the next slot, then the next (cheap, cache-friendly,
//!   but runs of taken slots merge into long clusters);
//! - [`Probing::Perturbed`]: CPython's (`Objects/dictobject.c`): from slot `j`
//!   go to `5j + 1 + perturb`, where `perturb` starts as the full hash and is
//!   shifted right by 5 bits at each step, so keys that share a home slot
//!   but differ in their high bits part ways at once.
//!
//! The table has a fixed number of slots (a power of two) and never
//! resizes: the experiment fills it to each load factor on purpose.

/// The order in which slots are tried after the home slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probing {
    /// Slot j, j + 1, j + 2, …
    Linear,
    /// CPython's: j ← 5j + 1 + perturb, perturb ← perturb >> 5.
    Perturbed,
}

/// The hash applied to each `u64` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHash {
    /// The key itself — what CPython's `hash()` does for a small int.
    Identity,
    /// SplitMix64's finaliser: every input bit moves every output bit.
    Mixed,
}

impl KeyHash {
    /// The hash of `key`.
    #[inline]
    pub fn of(self, key: u64) -> u64 {
        match self {
            KeyHash::Identity => key,
            KeyHash::Mixed => {
                let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
        }
    }
}

/// A fixed-size open-addressing set of `u64` keys that counts probes.
#[derive(Debug, Clone)]
pub struct ProbeTable {
    slots: Vec<Option<u64>>,
    len: usize,
    hash: KeyHash,
    probing: Probing,
}

impl ProbeTable {
    /// An empty table of `2^bits` slots (`bits` from 1 to 30).
    ///
    /// # Panics
    /// If `bits` is outside 1..=30.
    pub fn new(bits: u32, hash: KeyHash, probing: Probing) -> Self {
        assert!((1..=30).contains(&bits), "ProbeTable: bits must be 1..=30");
        ProbeTable {
            slots: vec![None; 1 << bits],
            len: 0,
            hash,
            probing,
        }
    }

    /// Number of slots.
    pub fn slots(&self) -> usize {
        self.slots.len()
    }

    /// Keys stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keys stored ÷ slots.
    pub fn load_factor(&self) -> f64 {
        self.len as f64 / self.slots.len() as f64
    }

    /// Walk the probe sequence of `key` until the key or an empty slot:
    /// (the slot where it stopped, how many slots it looked at).
    fn walk(&self, key: u64) -> (usize, u32) {
        let mask = self.slots.len() - 1;
        let h = self.hash.of(key);
        let mut perturb = h;
        let mut j = (h as usize) & mask;
        let mut probes = 1;
        loop {
            match self.slots[j] {
                None => return (j, probes),
                Some(k) if k == key => return (j, probes),
                Some(_) => {}
            }
            j = match self.probing {
                Probing::Linear => (j + 1) & mask,
                Probing::Perturbed => {
                    let next = j
                        .wrapping_mul(5)
                        .wrapping_add(1)
                        .wrapping_add(perturb as usize);
                    perturb >>= 5;
                    next & mask
                }
            };
            probes += 1;
        }
    }

    /// Add `key`: Some(probes it took), or None if it was already there or
    /// the table is full (an open-addressing table needs an empty slot to
    /// end a search, so it holds at most slots − 1 keys).
    pub fn insert(&mut self, key: u64) -> Option<u32> {
        if self.len + 1 >= self.slots.len() {
            return None;
        }
        let (j, probes) = self.walk(key);
        if self.slots[j].is_some() {
            return None;
        }
        self.slots[j] = Some(key);
        self.len += 1;
        Some(probes)
    }

    /// Look `key` up: (found, probes it took).
    pub fn lookup(&self, key: u64) -> (bool, u32) {
        let (j, probes) = self.walk(key);
        (self.slots[j].is_some(), probes)
    }
}

/// Expected probes per lookup with uniform hashing (every probe sequence a
/// random permutation of the slots) at load factor `a` (0 < a < 1), from
/// the textbook analysis (Knuth, TAOCP vol. 3, §6.4): a present key costs
/// (1/a)·ln(1/(1−a)), an absent one 1/(1−a).
pub fn uniform_probes(a: f64, present: bool) -> f64 {
    if present {
        (1.0 / a) * (1.0 / (1.0 - a)).ln()
    } else {
        1.0 / (1.0 - a)
    }
}

/// Expected probes per lookup with linear probing and a hash that spreads
/// keys uniformly (Knuth, same section): present ½(1 + 1/(1−a)), absent
/// ½(1 + 1/(1−a)²).
pub fn linear_probes(a: f64, present: bool) -> f64 {
    if present {
        0.5 * (1.0 + 1.0 / (1.0 - a))
    } else {
        0.5 * (1.0 + 1.0 / ((1.0 - a) * (1.0 - a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::rng::SplitMix64;
    use std::collections::HashSet;

    fn all() -> [(KeyHash, Probing); 4] {
        [
            (KeyHash::Mixed, Probing::Linear),
            (KeyHash::Mixed, Probing::Perturbed),
            (KeyHash::Identity, Probing::Linear),
            (KeyHash::Identity, Probing::Perturbed),
        ]
    }

    #[test]
    fn the_table_agrees_with_std_hashset() {
        for (hash, probing) in all() {
            let mut t = ProbeTable::new(10, hash, probing);
            let mut reference = HashSet::new();
            let mut rng = SplitMix64::new(7);
            for _ in 0..2000 {
                // Small keys repeat, so duplicates are exercised.
                let k = rng.next_u64() % 1500 * 1024;
                if t.len() + 1 >= t.slots() {
                    assert_eq!(t.insert(k), None, "a full table takes no key");
                    continue;
                }
                let added = t.insert(k).is_some();
                assert_eq!(added, reference.insert(k), "{hash:?} {probing:?} key {k}");
            }
            assert_eq!(t.len(), reference.len());
            assert_eq!(t.len(), t.slots() - 1, "{hash:?} {probing:?} fills up");
            for k in 0..3000u64 {
                let k = k * 1024;
                assert_eq!(t.lookup(k).0, reference.contains(&k));
            }
        }
    }

    #[test]
    fn the_perturbed_walk_visits_every_slot() {
        // Once perturb reaches 0 the walk j ← 5j + 1 (mod 2^k) is a full
        // cycle, so a search always ends; check it reaches an empty slot
        // even when a single one is left.
        for (hash, probing) in all() {
            let mut t = ProbeTable::new(6, hash, probing);
            for k in 0..63 {
                assert!(t.insert(k * 64).is_some());
            }
            assert_eq!(t.insert(10_000), None, "full");
            let (found, probes) = t.lookup(99_999 * 64);
            assert!(!found);
            assert!((1..=64 + 13).contains(&probes), "{probes}");
        }
    }

    #[test]
    fn probe_counts_match_the_analysis_for_a_good_hash() {
        // 2^16 slots filled to a = 0.5 with random keys: the mean probes of
        // present and absent keys near Knuth's figures (± 10%).
        for probing in [Probing::Linear, Probing::Perturbed] {
            let mut t = ProbeTable::new(16, KeyHash::Mixed, probing);
            let mut rng = SplitMix64::new(1);
            let keys: Vec<u64> = (0..32_768).map(|_| rng.next_u64()).collect();
            for &k in &keys {
                t.insert(k);
            }
            let hit = keys.iter().map(|&k| t.lookup(k).1 as f64).sum::<f64>() / keys.len() as f64;
            let miss = (0..20_000)
                .map(|_| t.lookup(rng.next_u64()).1 as f64)
                .sum::<f64>()
                / 20_000.0;
            let (want_hit, want_miss) = match probing {
                Probing::Linear => (linear_probes(0.5, true), linear_probes(0.5, false)),
                Probing::Perturbed => (uniform_probes(0.5, true), uniform_probes(0.5, false)),
            };
            assert!(
                (hit / want_hit - 1.0).abs() < 0.1,
                "{probing:?} hit {hit} vs {want_hit}"
            );
            assert!(
                (miss / want_miss - 1.0).abs() < 0.1,
                "{probing:?} miss {miss} vs {want_miss}"
            );
        }
    }

    #[test]
    fn patterned_keys_under_identity_cluster_only_when_probing_is_linear() {
        // Keys 0, 1024, 2048 … under an identity hash share 4 home slots of
        // a 4096-slot table.
        let fill = |probing| {
            let mut t = ProbeTable::new(12, KeyHash::Identity, probing);
            let keys: Vec<u64> = (0..2048).map(|i| i * 1024).collect();
            for &k in &keys {
                t.insert(k);
            }
            keys.iter().map(|&k| t.lookup(k).1 as f64).sum::<f64>() / keys.len() as f64
        };
        let linear = fill(Probing::Linear);
        let perturbed = fill(Probing::Perturbed);
        assert!(linear > 100.0, "{linear}");
        assert!(perturbed < 8.0, "{perturbed}");
    }
}
