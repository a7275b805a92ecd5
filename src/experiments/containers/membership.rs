//! `membership`: "is x in here?" asked of a list and of a set, 10 to 10⁶
//! items. CPython: `x in list` (a scan) and `x in set` (a hash). Rust:
//! `Vec::contains` (a scan), `HashSet`, `BTreeSet` (a B-tree, ordered) and
//! a sorted `Vec` with `binary_search`. The items are random 64-bit
//! integers; half the lookups are for items that are there (spread over the
//! collection), half for items that are not. Every container must find the
//! same number as the reference before it is timed.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, series_keys, show, who};
use crate::kernels::rng::{SplitMix64, weyl_below};
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_count, fmt_sig};

/// The seed of the items (Python uses the same).
pub const ITEM_SEED: u64 = 0x1D;
/// The seed of the absent probes.
pub const ABSENT_SEED: u64 = 0xAB5E;

/// One container at one size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberPoint {
    /// "python" or "rust".
    pub language: String,
    /// "list", "set", "Vec scan", "HashSet", "BTreeSet" or "sorted Vec".
    pub container: String,
    /// Items in the container.
    pub items: usize,
    /// Median ns per lookup.
    pub ns_per_lookup: f64,
}

/// The `membership` result. JSON: `lookups` (per timed run, half present),
/// `points[{language, container, items, ns_per_lookup}]`, `unavailable[]`,
/// `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// Always "membership".
    pub experiment: String,
    /// Lookups per timed run.
    pub lookups: usize,
    /// Every container at every size it ran.
    pub points: Vec<MemberPoint>,
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
    membership: Option<Vec<PyRow>>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    container: String,
    items: usize,
    found: usize,
    ns_per_lookup: f64,
}

/// `n` items and `lookups` probes: the first half present (spread over the
/// items by the shared Weyl sequence), the rest drawn afresh.
pub fn items_and_probes(n: usize, lookups: usize) -> (Vec<u64>, Vec<u64>) {
    let mut rng = SplitMix64::new(ITEM_SEED);
    let items: Vec<u64> = (0..n).map(|_| rng.next_u64()).collect();
    let mut absent = SplitMix64::new(ABSENT_SEED);
    let probes = (0..lookups)
        .map(|i| {
            if i < lookups / 2 {
                items[weyl_below(i as u64 + 1, n as u64) as usize]
            } else {
                absent.next_u64()
            }
        })
        .collect();
    (items, probes)
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust container finds a different number of
/// probes from the reference.
pub fn membership(machine: &Machine, budget: &Budget) -> Result<Membership> {
    membership_with(machine, budget, None)
}

/// As [`membership`], with an explicit interpreter.
///
/// # Errors
/// As [`membership`].
pub fn membership_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Membership> {
    let top: usize = budget.level.pick(100_000, 1_000_000, 1_000_000);
    let sizes: Vec<usize> = (1..=6)
        .map(|k| 10usize.pow(k))
        .filter(|&n| n <= top)
        .collect();
    let lookups = 1000;
    // Scans cost n per lookup: stop them where a run takes seconds.
    let rust_scan_cap = 100_000;
    let python_scan_cap = budget.level.pick(10_000, 100_000, 100_000);
    // The items, a sorted copy, a hash set and a B-tree of them.
    budget.check_alloc(machine, "membership's largest containers", top as u64 * 120)?;
    let mut progress = Progress::new("membership", sizes.len() + 1);
    let point = budget.per_point();
    let mut points = Vec::new();
    let mut counts = Vec::new();
    for &n in &sizes {
        progress.step(&format!("Rust, {} items", fmt_count(n as u64)));
        let (items, probes) = items_and_probes(n, lookups);
        let mut sorted = items.clone();
        sorted.sort_unstable();
        let hash: HashSet<u64> = items.iter().copied().collect();
        let tree: BTreeSet<u64> = items.iter().copied().collect();
        let want = probes
            .iter()
            .filter(|p| sorted.binary_search(p).is_ok())
            .count();
        counts.push((n, want));
        let mut time = |container: &str, f: &dyn Fn(&u64) -> bool| -> Result<()> {
            let found = probes.iter().filter(|p| f(p)).count();
            if found != want {
                return Err(Error::bad_input(format!(
                    "membership: {container} found {found} of {lookups} probes where the reference found {want}"
                )));
            }
            let t = timeit_with(&point, || {
                black_box(&probes).iter().filter(|p| f(p)).count()
            });
            points.push(MemberPoint {
                language: "rust".into(),
                container: container.into(),
                items: n,
                ns_per_lookup: t.median_s * 1e9 / lookups as f64,
            });
            Ok(())
        };
        if n <= rust_scan_cap {
            time("Vec scan", &|p| items.contains(p))?;
        }
        time("HashSet", &|p| hash.contains(p))?;
        time("BTreeSet", &|p| tree.contains(p))?;
        time("sorted Vec", &|p| sorted.binary_search(p).is_ok())?;
    }
    let mut out = Membership {
        experiment: "membership".into(),
        lookups,
        points,
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: x in list, x in set");
    let spec = serde_json::json!({
        "tasks": ["membership"],
        "member_sizes": sizes,
        "lookups": lookups,
        "item_seed": ITEM_SEED,
        "absent_seed": ABSENT_SEED,
        "list_cap": python_scan_cap,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 5),
    });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            membership: Some(rows),
        }) => {
            for r in rows {
                match counts.iter().find(|(n, _)| *n == r.items) {
                    Some(&(_, want)) if want == r.found => out.points.push(MemberPoint {
                        language: "python".into(),
                        container: r.container,
                        items: r.items,
                        ns_per_lookup: r.ns_per_lookup,
                    }),
                    _ => out.unavailable.push(format!(
                        "CPython's {} found {} probes among {} items, not Rust's count; not shown",
                        r.container, r.found, r.items
                    )),
                }
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no lookups".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl Membership {
    fn largest(&self, language: &str, container: &str) -> Option<&MemberPoint> {
        self.points
            .iter()
            .filter(|p| p.language == language && p.container == container)
            .max_by_key(|p| p.items)
    }

    fn at(&self, language: &str, container: &str, items: usize) -> Option<f64> {
        self.points
            .iter()
            .find(|p| p.language == language && p.container == container && p.items == items)
            .map(|p| p.ns_per_lookup)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Membership {
    fn name(&self) -> &str {
        "membership"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "python_set_in_ns",
                "CPython: x in set, largest size",
                self.largest("python", "set").map(|p| p.ns_per_lookup),
                "ns",
                false,
            ),
            Headline::new(
                "rust_hashset_contains_ns",
                "Rust: HashSet::contains, largest size",
                self.largest("rust", "HashSet").map(|p| p.ns_per_lookup),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let names = series_keys(
            self.points
                .iter()
                .map(|p| (p.language.as_str(), p.container.as_str())),
        );
        let series: Vec<XySeries> = names
            .into_iter()
            .map(|(lang, container)| XySeries {
                label: format!("{} {container}", who(&lang)),
                points: self
                    .points
                    .iter()
                    .filter(|p| p.language == lang && p.container == container)
                    .map(|p| (p.items as f64, p.ns_per_lookup))
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        xy_chart(&XyChart {
            title: "Is x in the collection? Half the lookups hit",
            x_label: "items in the collection",
            y_label: "ns per lookup (median)",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for (lang, who, scan, set) in [
            ("python", "CPython", "list", "set"),
            ("rust", "Rust", "Vec scan", "HashSet"),
        ] {
            let (Some(l), Some(h)) = (self.largest(lang, scan), self.largest(lang, set)) else {
                continue;
            };
            let Some(h_same) = self.at(lang, set, l.items) else {
                continue;
            };
            s.push_str(&format!(
                "{who}: at {} items a scan took {} ns per lookup and the {set} {} ns ({}){}. ",
                fmt_count(l.items as u64),
                fmt_sig(l.ns_per_lookup, 3),
                fmt_sig(h_same, 3),
                if h_same < l.ns_per_lookup {
                    format!("{}× faster", fmt_sig(l.ns_per_lookup / h_same, 3))
                } else {
                    format!("the scan won by {}×", fmt_sig(h_same / l.ns_per_lookup, 2))
                },
                if h.items > l.items {
                    format!(
                        "; at {} items the {set} took {} ns",
                        fmt_count(h.items as u64),
                        fmt_sig(h.ns_per_lookup, 3)
                    )
                } else {
                    String::new()
                }
            ));
            // Where the scan stopped being the faster one.
            let cross = self
                .points
                .iter()
                .filter(|p| p.language == lang && p.container == scan)
                .filter(|p| {
                    self.at(lang, set, p.items)
                        .is_some_and(|v| v < p.ns_per_lookup)
                })
                .map(|p| p.items)
                .min();
            if let Some(c) = cross {
                s.push_str(&format!(
                    "The {set} was the faster one from {} items up. ",
                    fmt_count(c as u64)
                ));
            }
        }
        let mut ranked: Vec<&MemberPoint> = ["HashSet", "BTreeSet", "sorted Vec"]
            .iter()
            .filter_map(|c| self.largest("rust", c))
            .collect();
        if ranked.len() == 3 && ranked.iter().all(|p| p.items == ranked[0].items) {
            ranked.sort_by(|a, b| a.ns_per_lookup.total_cmp(&b.ns_per_lookup));
            s.push_str(&format!(
                "At {} items Rust's three lookups ranked: {} ({} ns), {} ({}), {} ({}). ",
                fmt_count(ranked[0].items as u64),
                ranked[0].container,
                fmt_sig(ranked[0].ns_per_lookup, 3),
                ranked[1].container,
                fmt_sig(ranked[1].ns_per_lookup, 3),
                ranked[2].container,
                fmt_sig(ranked[2].ns_per_lookup, 3)
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<11} {:>9} {:>12}",
            "language", "container", "items", "ns/lookup"
        )?;
        for p in &self.points {
            writeln!(
                f,
                "{:<8} {:<11} {:>9} {:>12}",
                p.language,
                p.container,
                p.items,
                fmt_sig(p.ns_per_lookup, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
