//! Hash tables and their hash functions (the book's chapter 4). A hash
//! table is only as fast as its hash spreads keys: a function that gives
//! every key the same value turns each lookup into a scan of every key
//! that collided. The book's keys — the 676 two-letter strings "aa" to
//! "zz" — with three hashes: a constant (all collide), a perfect one for
//! these keys, and the standard library's SipHash; and a plain scan of a
//! list as the reference.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

/// A two-letter key, as two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoLetters(pub [u8; 2]);

impl Hash for TwoLetters {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u16(u16::from_le_bytes(self.0));
    }
}

/// "aa", "ab", …, "zz", in order.
pub fn two_letter_keys() -> Vec<TwoLetters> {
    (b'a'..=b'z')
        .flat_map(|a| (b'a'..=b'z').map(move |b| TwoLetters([a, b])))
        .collect()
}

/// A hasher that ignores its input: every key gets 42.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConstantHasher;

impl Hasher for ConstantHasher {
    fn write(&mut self, _bytes: &[u8]) {}
    fn finish(&self) -> u64 {
        42
    }
}

/// Builds [`ConstantHasher`]s.
#[derive(Debug, Default, Clone, Copy)]
pub struct Constant;

impl BuildHasher for Constant {
    type Hasher = ConstantHasher;
    fn build_hasher(&self) -> ConstantHasher {
        ConstantHasher
    }
}

/// The book's perfect hash for two lowercase letters: (first − 'a') × 26 +
/// (second − 'a'), 0 to 675, a different value for every key.
#[derive(Debug, Default, Clone, Copy)]
pub struct TwoLetterHasher(u64);

impl Hasher for TwoLetterHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0 * 256 + u64::from(b);
        }
    }
    fn write_u16(&mut self, v: u16) {
        let [a, b] = v.to_le_bytes();
        self.0 = u64::from(a.wrapping_sub(b'a')) * 26 + u64::from(b.wrapping_sub(b'a'));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds [`TwoLetterHasher`]s.
#[derive(Debug, Default, Clone, Copy)]
pub struct TwoLetter;

impl BuildHasher for TwoLetter {
    type Hasher = TwoLetterHasher;
    fn build_hasher(&self) -> TwoLetterHasher {
        TwoLetterHasher(0)
    }
}

/// How many of `probes` are in `table`.
#[inline]
pub fn count_found<S: BuildHasher>(table: &HashSet<TwoLetters, S>, probes: &[TwoLetters]) -> usize {
    probes.iter().filter(|p| table.contains(p)).count()
}

/// The reference: how many of `probes` a scan of `keys` finds.
#[inline]
pub fn count_found_reference(keys: &[TwoLetters], probes: &[TwoLetters]) -> usize {
    probes.iter().filter(|p| keys.contains(p)).count()
}

/// Hash every key with `state`: the wrapping sum of the hashes (so the work
/// cannot be skipped).
#[inline]
pub fn hash_all<K: Hash, S: BuildHasher>(state: &S, keys: &[K]) -> u64 {
    keys.iter()
        .fold(0u64, |acc, k| acc.wrapping_add(state.hash_one(k)))
}

/// A map from each key to its position in `keys`, grown from empty as a
/// program would.
pub fn index_map<K: Hash + Eq + Copy, S: BuildHasher + Default>(keys: &[K]) -> HashMap<K, u32, S> {
    let mut map = HashMap::with_hasher(S::default());
    for (i, &k) in keys.iter().enumerate() {
        map.insert(k, i as u32);
    }
    map
}

/// Look every probe up: the sum of the values found, or None if one is
/// missing.
#[inline]
pub fn lookup_sum<K: Hash + Eq, S: BuildHasher>(
    map: &HashMap<K, u32, S>,
    probes: &[K],
) -> Option<u64> {
    probes
        .iter()
        .try_fold(0u64, |acc, k| map.get(k).map(|&v| acc + u64::from(v)))
}

/// The reference for [`lookup_sum`] after [`index_map`]: each probe's
/// first position in `keys`, found by a scan, summed.
pub fn lookup_sum_reference<K: PartialEq>(keys: &[K], probes: &[K]) -> Option<u64> {
    probes.iter().try_fold(0u64, |acc, p| {
        keys.iter().position(|k| k == p).map(|i| acc + i as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::RandomState;

    #[test]
    fn every_table_finds_what_the_scan_finds() {
        let keys = two_letter_keys();
        assert_eq!(keys.len(), 676);
        assert_eq!(keys[0], TwoLetters(*b"aa"));
        assert_eq!(keys[675], TwoLetters(*b"zz"));
        let absent = [TwoLetters(*b"A!"), TwoLetters(*b"zz")];
        let constant: HashSet<_, Constant> = keys.iter().copied().collect();
        let perfect: HashSet<_, TwoLetter> = keys.iter().copied().collect();
        let sip: HashSet<_, RandomState> = keys.iter().copied().collect();
        for probes in [&keys[..], &absent[..]] {
            let want = count_found_reference(&keys, probes);
            assert_eq!(count_found(&constant, probes), want);
            assert_eq!(count_found(&perfect, probes), want);
            assert_eq!(count_found(&sip, probes), want);
        }
    }

    #[test]
    fn index_maps_find_what_the_scan_finds_with_every_hasher() {
        let words: Vec<&str> = ["pear", "fig", "plum", "kiwi", "lime", "date"].to_vec();
        let probes: Vec<&str> = ["lime", "pear", "date", "date"].to_vec();
        let want = lookup_sum_reference(&words, &probes);
        assert_eq!(want, Some(4 + 5 + 5));
        assert_eq!(
            lookup_sum(&index_map::<_, RandomState>(&words), &probes),
            want
        );
        assert_eq!(
            lookup_sum(&index_map::<_, TwoLetter>(&[1u64, 2, 3]), &[3, 1]),
            Some(2)
        );
        assert_eq!(
            lookup_sum(&index_map::<_, RandomState>(&words), &["nope"]),
            None
        );
        assert_eq!(lookup_sum_reference(&words, &["nope"]), None);
        let keys: Vec<u64> = (0..500).map(|i| i * 7919).collect();
        let shuffled: Vec<u64> = keys.iter().rev().copied().collect();
        assert_eq!(
            lookup_sum(&index_map::<_, Constant>(&keys), &shuffled),
            lookup_sum_reference(&keys, &shuffled)
        );
        #[cfg(feature = "ch04")]
        {
            assert_eq!(
                lookup_sum(
                    &index_map::<_, foldhash::fast::RandomState>(&keys),
                    &shuffled
                ),
                lookup_sum_reference(&keys, &shuffled)
            );
            assert_eq!(
                lookup_sum(&index_map::<_, ahash::RandomState>(&words), &probes),
                want
            );
            assert_eq!(
                lookup_sum(&index_map::<_, rustc_hash::FxBuildHasher>(&words), &probes),
                want
            );
        }
        // The same keys hash to the same sum whatever their order.
        let s = RandomState::new();
        assert_eq!(hash_all(&s, &keys), hash_all(&s, &shuffled));
    }

    #[test]
    fn the_perfect_hash_gives_every_key_its_own_value() {
        let mut seen: Vec<u64> = two_letter_keys()
            .iter()
            .map(|k| TwoLetter.hash_one(k))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 676);
        assert_eq!(*seen.last().unwrap(), 675);
        assert_eq!(Constant.hash_one(TwoLetters(*b"qq")), 42);
    }
}
