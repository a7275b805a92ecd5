//! `hashers`: what a hash function costs. Random 64-bit integers and words
//! (the system word list, or made-up words when there is none) are hashed,
//! inserted into a map grown from empty (key → position) and looked up in
//! shuffled order, with std's SipHash-1-3 and three fast hashers — foldhash,
//! ahash and FxHash (with the `ch04` feature) — and in the reader's CPython
//! with `hash()` and a `dict` on the same keys. Every map must give back
//! every key's position before it is timed.

use std::fmt;
use std::hash::{BuildHasher, Hash, RandomState};
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::hashing::{hash_all, index_map, lookup_sum};
use crate::kernels::rng::SplitMix64;
use crate::kernels::words::words;
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::units::{fmt_count, fmt_sig};

/// The seed of the integer keys (Python uses the same).
pub const INT_SEED: u64 = 0x4A5F;

/// The label of std's hasher.
pub const SIPHASH: &str = "SipHash-1-3 (std)";

/// One hasher on one kind of key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HasherRow {
    /// "python" or "rust".
    pub language: String,
    /// "int" or "word".
    pub keys: String,
    /// "SipHash-1-3 (std)", "foldhash", "ahash", "FxHash", or "CPython
    /// hash() / dict".
    pub hasher: String,
    /// Median ns to hash one key.
    pub hash_ns: f64,
    /// Median ns per key to build the map from empty.
    pub insert_ns: f64,
    /// Median ns per key to look every key up.
    pub lookup_ns: f64,
}

/// The `hashers` result. JSON: `ints`, `words`, `word_source` (a path or
/// "generated"), `rows[{language, keys, hasher, hash_ns, insert_ns,
/// lookup_ns}]` (`keys`: `int` or `word`), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hashers {
    /// Always "hashers".
    pub experiment: String,
    /// Integer keys.
    pub ints: usize,
    /// Word keys.
    pub words: usize,
    /// Where the words came from.
    pub word_source: String,
    /// Rust's rows, then CPython's.
    pub rows: Vec<HasherRow>,
    /// What could not run, and why.
    pub unavailable: Vec<String>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// Budget used.
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    hashers: Option<Vec<PyRow>>,
    #[serde(default)]
    unavailable: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    keys: String,
    count: usize,
    total: u64,
    hash_ns: f64,
    insert_ns: f64,
    lookup_ns: f64,
}

/// The integer keys: `n` values of SplitMix64 from [`INT_SEED`].
pub fn int_keys(n: usize) -> Vec<u64> {
    let mut rng = SplitMix64::new(INT_SEED);
    (0..n).map(|_| rng.next_u64()).collect()
}

/// Hash, build and look up with one hasher: (hash, insert, lookup) ns per key.
fn measure<K: Hash + Eq + Copy, S: BuildHasher + Default>(
    keys: &[K],
    order: &[K],
    point: &Budget,
    what: &str,
) -> Result<[f64; 3]> {
    let n = keys.len();
    let want = (n as u64) * (n as u64).saturating_sub(1) / 2;
    let map = index_map::<K, S>(keys);
    let got = lookup_sum(&map, order);
    if map.len() != n || got != Some(want) {
        return Err(Error::bad_input(format!(
            "hashers: the {what} map held {} of {n} keys and its lookups summed to {got:?}, not {want}",
            map.len()
        )));
    }
    let state = S::default();
    let per = |s: f64| s * 1e9 / n as f64;
    let hash = timeit_with(point, || hash_all(&state, black_box(keys)));
    let insert = timeit_with(point, || index_map::<K, S>(black_box(keys)).len());
    let lookup = timeit_with(point, || lookup_sum(black_box(&map), black_box(order)));
    Ok([
        per(hash.median_s),
        per(insert.median_s),
        per(lookup.median_s),
    ])
}

/// Every hasher this build has, on one kind of key.
fn every_hasher<K: Hash + Eq + Copy>(
    kind: &str,
    keys: &[K],
    order: &[K],
    point: &Budget,
) -> Result<Vec<HasherRow>> {
    let row = |hasher: &str, [hash_ns, insert_ns, lookup_ns]: [f64; 3]| HasherRow {
        language: "rust".into(),
        keys: kind.into(),
        hasher: hasher.into(),
        hash_ns,
        insert_ns,
        lookup_ns,
    };
    #[allow(unused_mut)]
    let mut rows = vec![row(
        SIPHASH,
        measure::<K, RandomState>(keys, order, point, SIPHASH)?,
    )];
    #[cfg(feature = "ch04")]
    {
        rows.push(row(
            "foldhash",
            measure::<K, foldhash::fast::RandomState>(keys, order, point, "foldhash")?,
        ));
        rows.push(row(
            "ahash",
            measure::<K, ahash::RandomState>(keys, order, point, "ahash")?,
        ));
        rows.push(row(
            "FxHash",
            measure::<K, rustc_hash::FxBuildHasher>(keys, order, point, "FxHash")?,
        ));
    }
    Ok(rows)
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust map loses a key.
pub fn hashers(machine: &Machine, budget: &Budget) -> Result<Hashers> {
    hashers_with(machine, budget, None)
}

/// As [`hashers`], with an explicit interpreter.
///
/// # Errors
/// As [`hashers`].
pub fn hashers_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Hashers> {
    let n_ints: usize = budget.level.pick(20_000, 200_000, 1_000_000);
    let word_cap: usize = budget.level.pick(20_000, 200_000, 200_000);
    // Keys, a shuffled copy and a map of 16-byte entries, in each language.
    budget.check_alloc(
        machine,
        "hashers' integer keys and maps",
        n_ints as u64 * 200,
    )?;
    let mut progress = Progress::new("hashers", 3);
    let point = budget.per_point();
    let mut unavailable = Vec::new();

    progress.step(&format!(
        "Rust: {} random integers, every hasher",
        fmt_count(n_ints as u64)
    ));
    let ints = int_keys(n_ints);
    let mut int_order = ints.clone();
    SplitMix64::new(1).shuffle(&mut int_order);
    let mut rows = every_hasher("int", &ints, &int_order, &point)?;

    let source = words();
    let words: Vec<&str> = source
        .words
        .iter()
        .take(word_cap)
        .map(String::as_str)
        .collect();
    progress.step(&format!(
        "Rust: {} words ({}), every hasher",
        fmt_count(words.len() as u64),
        source.source
    ));
    let mut word_order = words.clone();
    SplitMix64::new(2).shuffle(&mut word_order);
    rows.extend(every_hasher("word", &words, &word_order, &point)?);
    if cfg!(not(feature = "ch04")) {
        unavailable.push(
            "foldhash, ahash, FxHash: hpp was built without the `ch04` feature (add `features = [\"ch04\"]` to the :dep line)".to_string(),
        );
    }

    let mut out = Hashers {
        experiment: "hashers".into(),
        ints: n_ints,
        words: words.len(),
        word_source: source.source.clone(),
        rows,
        unavailable,
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: hash() and a dict on the same keys");
    let spec = serde_json::json!({
        "tasks": ["hashers"],
        "ints": n_ints,
        "int_seed": INT_SEED,
        "words": {
            "source": source.source,
            "count": words.len(),
            "first": words.first(),
            "last": words.last(),
        },
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            hashers: Some(py),
            unavailable,
        }) => {
            for r in py {
                let n = r.count as u64;
                let want = n * n.saturating_sub(1) / 2;
                let expected = if r.keys == "int" { out.ints } else { out.words };
                if r.count != expected || r.total != want {
                    out.unavailable.push(format!(
                        "CPython's {} dict gave back {} over {} keys, not {want} over {expected}; not shown",
                        r.keys, r.total, r.count
                    ));
                    continue;
                }
                out.rows.push(HasherRow {
                    language: "python".into(),
                    keys: r.keys,
                    hasher: "CPython hash() / dict".into(),
                    hash_ns: r.hash_ns,
                    insert_ns: r.insert_ns,
                    lookup_ns: r.lookup_ns,
                });
            }
            out.unavailable
                .extend(unavailable.into_iter().map(|u| format!("CPython: {u}")));
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no hash timings".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Hashers {
    fn rust(&self, keys: &str) -> impl Iterator<Item = &HasherRow> {
        self.rows
            .iter()
            .filter(move |r| r.language == "rust" && r.keys == keys)
    }

    fn row(&self, language: &str, keys: &str, hasher: &str) -> Option<&HasherRow> {
        self.rows.iter().find(|r| {
            r.language == language && r.keys == keys && (language == "python" || r.hasher == hasher)
        })
    }

    /// The fastest Rust hasher by `by` on `keys`.
    fn fastest(&self, keys: &str, by: fn(&HasherRow) -> f64) -> Option<&HasherRow> {
        self.rust(keys).min_by(|a, b| by(a).total_cmp(&by(b)))
    }

    /// SipHash's lookup time over the fastest hasher's, on `keys`.
    pub fn siphash_lookup_ratio(&self, keys: &str) -> Option<f64> {
        let sip = self.row("rust", keys, SIPHASH)?;
        let best = self.fastest(keys, |r| r.lookup_ns)?;
        (best.hasher != SIPHASH).then(|| sip.lookup_ns / best.lookup_ns)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Hashers {
    fn name(&self) -> &str {
        "hashers"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "siphash_lookup_vs_fastest_int",
                "integer keys: SipHash lookups ÷ the fastest hasher's",
                self.siphash_lookup_ratio("int"),
                "×",
                false,
            ),
            Headline::new(
                "siphash_lookup_vs_fastest_word",
                "word keys: SipHash lookups ÷ the fastest hasher's",
                self.siphash_lookup_ratio("word"),
                "×",
                false,
            ),
            Headline::new(
                "python_dict_lookup_word_ns",
                "CPython dict lookup of a word",
                self.row("python", "word", "").map(|r| r.lookup_ns),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| {
                (
                    format!(
                        "{} · {}",
                        if r.keys == "int" { "ints" } else { "words" },
                        r.hasher
                    ),
                    r.lookup_ns,
                )
            })
            .collect();
        bar_chart(
            &format!(
                "Looking up every key once: {} integers, {} words",
                fmt_count(self.ints as u64),
                fmt_count(self.words as u64)
            ),
            "ns per lookup (median)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (keys, noun) in [("int", "integers"), ("word", "words")] {
            let (Some(sip), Some(fast_hash), Some(fast_look)) = (
                self.row("rust", keys, SIPHASH),
                self.fastest(keys, |r| r.hash_ns),
                self.fastest(keys, |r| r.lookup_ns),
            ) else {
                continue;
            };
            if fast_hash.hasher == SIPHASH && fast_look.hasher == SIPHASH {
                s.push_str(&format!(
                    "On {noun} SipHash was the fastest Rust hasher here ({} ns to hash a key, {} ns a lookup). ",
                    fmt_sig(sip.hash_ns, 3),
                    fmt_sig(sip.lookup_ns, 3)
                ));
            } else {
                let hash_ratio = sip.hash_ns / fast_hash.hash_ns;
                let look_ratio = sip.lookup_ns / fast_look.lookup_ns;
                s.push_str(&format!(
                    "On {noun} {} hashed fastest ({} ns a key, SipHash {} ns: {}×) and {} looked up fastest ({} ns, SipHash {}×){}. ",
                    fast_hash.hasher,
                    fmt_sig(fast_hash.hash_ns, 3),
                    fmt_sig(sip.hash_ns, 3),
                    fmt_sig(hash_ratio, 2),
                    fast_look.hasher,
                    fmt_sig(fast_look.lookup_ns, 3),
                    fmt_sig(look_ratio, 2),
                    if look_ratio < 0.8 * hash_ratio {
                        ": in a whole lookup the hash is only part of the cost, beside finding the slot and comparing the key"
                    } else {
                        ""
                    }
                ));
            }
            if let Some(py) = self.row("python", keys, "") {
                s.push_str(&format!(
                    "CPython's dict took {} ns per lookup, {}× Rust's SipHash map. ",
                    fmt_sig(py.lookup_ns, 3),
                    fmt_sig(py.lookup_ns / sip.lookup_ns, 3)
                ));
            }
        }
        if !s.is_empty() {
            s.push_str(&format!(
                "The words: {} ({}). ",
                fmt_count(self.words as u64),
                if self.word_source == "generated" {
                    "made up, as this machine has no word list".to_string()
                } else {
                    self.word_source.clone()
                }
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Hashers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<5} {:<22} {:>8} {:>10} {:>10}",
            "language", "keys", "hasher", "hash ns", "insert ns", "lookup ns"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<5} {:<22} {:>8} {:>10} {:>10}",
                r.language,
                r.keys,
                r.hasher,
                fmt_sig(r.hash_ns, 3),
                fmt_sig(r.insert_ns, 3),
                fmt_sig(r.lookup_ns, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
