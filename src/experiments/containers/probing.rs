//! `probing`: inside a hash table. hpp's instrumented open-addressing table
//! ([`ProbeTable`]) is filled to load factors from 0.1 to 0.9 and, at each,
//! counts the slots a lookup looks at — for keys that are there and keys
//! that are not — with two hashes (a mixing hash on random keys; the
//! identity hash, which is CPython's for small ints, on keys 0, 1024,
//! 2048, …) and two probe orders (linear; CPython's perturbed walk). The
//! counts are exact, not timed, and are set beside the textbook's
//! expectation for a hash that spreads keys uniformly.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::open_addressing::{
    KeyHash, ProbeTable, Probing, linear_probes, uniform_probes,
};
use crate::kernels::rng::SplitMix64;
use crate::machine::Machine;
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_count, fmt_sig};

/// The stride of the patterned keys (0, 1024, 2048, …).
pub const STRIDE: u64 = 1024;

/// One table at one load factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbePoint {
    /// "mixed" (random keys, SplitMix64's finaliser) or "identity" (keys
    /// 0, 1024, 2048, … hashed to themselves).
    pub hash: String,
    /// "linear" or "perturbed" (CPython's).
    pub probing: String,
    /// Keys ÷ slots.
    pub load_factor: f64,
    /// Mean slots looked at to find a key that is in the table.
    pub hit_probes: f64,
    /// Mean slots looked at to learn that a key is not in the table (what an
    /// insert of a new key also pays).
    pub miss_probes: f64,
}

/// The `probing` result. JSON: `slots`, `lookups` (sampled per point, each
/// kind), `points[{hash, probing, load_factor, hit_probes, miss_probes}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    /// Always "probing".
    pub experiment: String,
    /// Slots in every table (a power of two).
    pub slots: usize,
    /// Present and absent keys looked up at each load factor.
    pub lookups: usize,
    /// Every table at every load factor.
    pub points: Vec<ProbePoint>,
    /// Budget used.
    pub budget: String,
}

/// The four tables, in the order they are reported.
const TABLES: [(KeyHash, &str, Probing, &str); 4] = [
    (KeyHash::Mixed, "mixed", Probing::Perturbed, "perturbed"),
    (KeyHash::Mixed, "mixed", Probing::Linear, "linear"),
    (
        KeyHash::Identity,
        "identity",
        Probing::Perturbed,
        "perturbed",
    ),
    (KeyHash::Identity, "identity", Probing::Linear, "linear"),
];

/// The load factors swept.
pub const LOADS: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/// Fill one table to each load factor in turn and count the probes of
/// `lookups` present keys (spread over those inserted) and `lookups`
/// absent ones.
fn sweep(
    hash: KeyHash,
    probing: Probing,
    bits: u32,
    lookups: usize,
) -> Result<Vec<(f64, f64, f64)>> {
    let mut table = ProbeTable::new(bits, hash, probing);
    let slots = table.slots();
    let mut rng = SplitMix64::new(0x5EED);
    // Random keys for the mixing hash; the patterned ones for identity.
    // Absent keys are drawn the same way from outside the inserted set:
    // odd random keys vs even ones, or the pattern past its end.
    let key = |i: u64, rng: &mut SplitMix64| match hash {
        KeyHash::Mixed => rng.next_u64() & !1,
        KeyHash::Identity => i * STRIDE,
    };
    let mut keys = Vec::with_capacity(slots);
    let mut out = Vec::new();
    for load in LOADS {
        let want = (load * slots as f64).round() as usize;
        while keys.len() < want {
            let k = key(keys.len() as u64, &mut rng);
            if table.insert(k).is_some() {
                keys.push(k);
            }
        }
        let step = keys.len().div_ceil(lookups).max(1);
        let (mut hit, mut n_hit) = (0u64, 0u64);
        for &k in keys.iter().step_by(step).take(lookups) {
            let (found, p) = table.lookup(k);
            if !found {
                return Err(Error::bad_input(format!(
                    "probing: the {hash:?}/{probing:?} table lost key {k}"
                )));
            }
            hit += u64::from(p);
            n_hit += 1;
        }
        let (mut miss, mut n_miss) = (0u64, 0u64);
        for i in 0..lookups as u64 {
            let k = match hash {
                KeyHash::Mixed => rng.next_u64() | 1,
                KeyHash::Identity => (slots as u64 + i) * STRIDE,
            };
            let (found, p) = table.lookup(k);
            if found {
                return Err(Error::bad_input(format!(
                    "probing: the {hash:?}/{probing:?} table found key {k}, never inserted"
                )));
            }
            miss += u64::from(p);
            n_miss += 1;
        }
        out.push((
            table.load_factor(),
            hit as f64 / n_hit.max(1) as f64,
            miss as f64 / n_miss.max(1) as f64,
        ));
    }
    Ok(out)
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a table loses a key or finds one never inserted.
pub fn probing(_machine: &Machine, budget: &Budget) -> Result<Probes> {
    // The patterned keys under linear probing cost O(n) per insert: 2^16
    // slots keep the thorough sweep to a few seconds.
    let bits = budget.level.pick(14, 15, 16);
    let lookups = budget.level.pick(2_000, 5_000, 20_000);
    let mut progress = Progress::new("probing", TABLES.len());
    let mut points = Vec::new();
    for (hash, hash_name, probing, probing_name) in TABLES {
        progress.step(&format!("{hash_name} hash, {probing_name} probing"));
        for (load_factor, hit_probes, miss_probes) in sweep(hash, probing, bits, lookups)? {
            points.push(ProbePoint {
                hash: hash_name.into(),
                probing: probing_name.into(),
                load_factor,
                hit_probes,
                miss_probes,
            });
        }
    }
    Ok(Probes {
        experiment: "probing".into(),
        slots: 1 << bits,
        lookups,
        points,
        budget: budget.level.to_string(),
    })
}

/// A table's legend line.
fn describe(hash: &str, probing: &str) -> String {
    let keys = match hash {
        "mixed" => "random keys".to_string(),
        _ => format!("keys × {STRIDE} as hash"),
    };
    let walk = match probing {
        "perturbed" => "CPython's walk",
        _ => "linear",
    };
    format!("{keys} · {walk}")
}

impl Probes {
    fn at(&self, hash: &str, probing: &str, load: f64) -> Option<&ProbePoint> {
        self.points
            .iter()
            .filter(|p| p.hash == hash && p.probing == probing)
            .min_by(|a, b| {
                (a.load_factor - load)
                    .abs()
                    .total_cmp(&(b.load_factor - load).abs())
            })
            .filter(|p| (p.load_factor - load).abs() < 0.051)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Probes {
    fn name(&self) -> &str {
        "probing"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "probes_hit_perturbed_0_7",
                "probes per lookup, random keys, CPython's probing, load 0.7",
                self.at("mixed", "perturbed", 0.7).map(|p| p.hit_probes),
                "probes",
                false,
            ),
            Headline::new(
                "probes_hit_patterned_linear_0_7",
                "probes per lookup, keys × 1024 hashed to themselves, linear probing, load 0.7",
                self.at("identity", "linear", 0.7).map(|p| p.hit_probes),
                "probes",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let mut series: Vec<XySeries> = TABLES
            .iter()
            .map(|&(_, hash, _, probing)| XySeries {
                label: describe(hash, probing),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.hash == hash && p.probing == probing)
                    .map(|p| (p.load_factor, p.hit_probes))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        let curve = |f: fn(f64, bool) -> f64| -> Vec<(f64, f64)> {
            (2..=18)
                .map(|k| k as f64 / 20.0)
                .map(|a| (a, f(a, true)))
                .collect()
        };
        series.push(XySeries {
            label: "expected: uniform hashing".into(),
            points: curve(uniform_probes),
            line: true,
            color_of: None,
        });
        series.push(XySeries {
            label: "expected: linear probing".into(),
            points: curve(linear_probes),
            line: true,
            color_of: None,
        });
        let title = format!(
            "Slots looked at to find a key, {}-slot table",
            fmt_count(self.slots as u64)
        );
        xy_chart(&XyChart {
            title: &title,
            x_label: "load factor (keys ÷ slots)",
            y_label: "probes per lookup of a present key (mean)",
            series: &series,
            log_x: false,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let busy = 0.7;
        if let (Some(p), Some(l)) = (
            self.at("mixed", "perturbed", busy),
            self.at("mixed", "linear", busy),
        ) {
            let want = uniform_probes(p.load_factor, true);
            s.push_str(&format!(
                "With random keys and a mixing hash, at load {} a lookup of a present key looked at {} slots with CPython's probing ({} expected for uniform hashing: {}) and {} with linear probing; a missing key cost {} and {}. ",
                fmt_sig(p.load_factor, 2),
                fmt_sig(p.hit_probes, 3),
                fmt_sig(want, 3),
                if (p.hit_probes / want - 1.0).abs() < 0.15 {
                    "the walk behaves like a random one"
                } else {
                    "the walk is not behaving like a random one here"
                },
                fmt_sig(l.hit_probes, 3),
                fmt_sig(p.miss_probes, 3),
                fmt_sig(l.miss_probes, 3)
            ));
        }
        if let (Some(lo), Some(hi)) = (
            self.at("mixed", "perturbed", 0.5),
            self.at("mixed", "perturbed", 0.9),
        ) {
            s.push_str(&format!(
                "Filling the table from half to 90% raised a miss from {} to {} probes: {}. ",
                fmt_sig(lo.miss_probes, 3),
                fmt_sig(hi.miss_probes, 3),
                if hi.miss_probes > 2.0 * lo.miss_probes {
                    "this is why CPython resizes a dict before it is two-thirds full"
                } else {
                    "here the fuller table cost little more"
                }
            ));
        }
        if let (Some(l), Some(p)) = (
            self.at("identity", "linear", busy),
            self.at("identity", "perturbed", busy),
        ) {
            let ratio = l.hit_probes / p.hit_probes;
            s.push_str(&format!(
                "Keys 0, {STRIDE}, {}, … hashed to themselves share only {} home slots: with linear probing a lookup looked at {} slots, with CPython's perturbed walk {} ({}).",
                2 * STRIDE,
                fmt_count((self.slots as u64 / STRIDE).max(1)),
                fmt_sig(l.hit_probes, 3),
                fmt_sig(p.hit_probes, 3),
                if ratio > 2.0 {
                    format!(
                        "{}× fewer: the perturbation feeds the hash's high bits into the walk, so keys that share a home slot part ways",
                        fmt_sig(ratio, 3)
                    )
                } else {
                    "the perturbation did not rescue these keys here".to_string()
                }
            ));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Probes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} slots; {} present and {} absent keys looked up per point",
            self.slots, self.lookups, self.lookups
        )?;
        writeln!(
            f,
            "{:<9} {:<10} {:>6} {:>10} {:>11}",
            "hash", "probing", "load", "hit", "miss"
        )?;
        for p in &self.points {
            writeln!(
                f,
                "{:<9} {:<10} {:>6} {:>10} {:>11}",
                p.hash,
                p.probing,
                fmt_sig(p.load_factor, 2),
                fmt_sig(p.hit_probes, 3),
                fmt_sig(p.miss_probes, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
