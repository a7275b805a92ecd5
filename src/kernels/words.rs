//! Words to use as string keys: the system word list when the machine has
//! one (`/usr/share/dict/words`), else a deterministic set of made-up words.
//! The Python side (`python/ch04_dict_set.py`) builds the very same list
//! the same way, so both languages hash the same strings.

use std::collections::HashSet;
use std::path::Path;

use crate::kernels::rng::SplitMix64;

/// Where the system word list is looked for.
pub const SYSTEM_WORDS: &str = "/usr/share/dict/words";

/// The most words used.
pub const MAX_WORDS: usize = 200_000;

/// How many made-up words are made when there is no word list.
pub const MADE_UP_WORDS: usize = 100_000;

/// The words and where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Words {
    /// Distinct words, in first-seen order.
    pub words: Vec<String>,
    /// The file they came from, or "generated".
    pub source: String,
}

/// The ASCII lines of `text`, trimmed, distinct, first-seen order, at most
/// [`MAX_WORDS`].
pub fn parse_word_list(text: &[u8]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() || !line.is_ascii() {
            continue;
        }
        let word = String::from_utf8_lossy(line).into_owned();
        if seen.insert(word.clone()) {
            out.push(word);
            if out.len() == MAX_WORDS {
                break;
            }
        }
    }
    out
}

/// `n` distinct made-up words of one to four syllables, from a seeded
/// SplitMix64: the same on every machine and in Python.
pub fn made_up_words(n: usize) -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "t", "v", "w",
        "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "sh", "st", "th", "tr",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou"];
    let mut rng = SplitMix64::new(4);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let syllables = 1 + rng.below(4);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
        }
        if seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
}

/// The system word list if it has at least 1,000 usable words, else
/// [`MADE_UP_WORDS`] made-up ones.
pub fn words() -> Words {
    words_from(Path::new(SYSTEM_WORDS))
}

/// As [`words`], reading the list at `path`.
pub fn words_from(path: &Path) -> Words {
    if let Ok(bytes) = std::fs::read(path) {
        let words = parse_word_list(&bytes);
        if words.len() >= 1000 {
            return Words {
                words,
                source: path.display().to_string(),
            };
        }
    }
    Words {
        words: made_up_words(MADE_UP_WORDS),
        source: "generated".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_words_are_distinct_and_repeatable() {
        let a = made_up_words(5000);
        assert_eq!(a.len(), 5000);
        assert_eq!(a, made_up_words(5000));
        let distinct: HashSet<_> = a.iter().collect();
        assert_eq!(distinct.len(), 5000);
        let odd: Vec<&String> = a.iter().filter(|w| !(2..=16).contains(&w.len())).collect();
        assert!(odd.is_empty(), "{odd:?}");
    }

    #[test]
    fn a_word_list_keeps_distinct_ascii_lines() {
        let words = parse_word_list(b"apple\r\nbanana\n\nappl\xc3\xa9\napple\ncherry");
        assert_eq!(words, ["apple", "banana", "cherry"]);
    }

    #[test]
    fn a_missing_or_short_list_means_made_up_words() {
        let w = words_from(Path::new("/nonexistent/words"));
        assert_eq!(w.source, "generated");
        assert_eq!(w.words.len(), MADE_UP_WORDS);
    }
}
