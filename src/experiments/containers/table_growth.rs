//! `table_growth`: when a hash table grows. Items 0, 1, 2, … go into an
//! empty table one at a time and every resize is recorded: in the reader's
//! CPython, the item at which `sys.getsizeof` of a `dict` and of a `set`
//! jumped (and the bytes after the jump); in Rust, the item at which
//! `HashMap::capacity` and `HashSet::capacity` changed (and the capacity
//! after). Between two resizes a table holds, at most, one item fewer than
//! the item that made it grow next — so both languages' steps are drawn as
//! "items it can hold before it grows".

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::experiments::outcome::{Headline, Outcome, show, who};
use crate::machine::Machine;
use crate::measure::cpython::{CH04, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress};
use crate::plot::{Figure, XyChart, XySeries, xy_chart};
use crate::units::{fmt_bytes, fmt_count, fmt_sig};

/// One resize.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resize {
    /// The table's length after the insert that made it grow.
    pub items: usize,
    /// After the resize: bytes (`sys.getsizeof`, CPython) or capacity
    /// (items it holds before growing again, Rust).
    pub after: usize,
}

/// One table's resizes while `items` were inserted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableGrowth {
    /// "python" or "rust".
    pub language: String,
    /// "dict", "set", "HashMap" or "HashSet".
    pub table: String,
    /// What `after` measures: "bytes" or "capacity".
    pub unit: String,
    /// The empty table's `after` figure.
    pub empty: usize,
    /// Every resize, in order.
    pub resizes: Vec<Resize>,
}

/// The `table_growth` result. JSON: `items` (inserted into each table),
/// `tables[{language, table, unit, empty, resizes[{items, after}]}]`
/// (`unit`: `bytes` for CPython's `sys.getsizeof`, `capacity` for Rust's
/// `capacity()`), `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableGrowthResult {
    /// Always "table_growth".
    pub experiment: String,
    /// Items inserted into each table.
    pub items: usize,
    /// Rust's tables, then CPython's.
    pub tables: Vec<TableGrowth>,
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
    table_growth: Option<Vec<PyTable>>,
}

#[derive(Debug, Deserialize)]
struct PyTable {
    table: String,
    empty: usize,
    resizes: Vec<(usize, usize)>,
    len: usize,
}

/// Insert 0..n into a table, noting each time `capacity` changes.
fn watch(n: usize, mut insert: impl FnMut(u64) -> usize, empty: usize) -> Vec<Resize> {
    let mut before = empty;
    let mut out = Vec::new();
    for i in 0..n {
        let cap = insert(i as u64);
        if cap != before {
            out.push(Resize {
                items: i + 1,
                after: cap,
            });
            before = cap;
        }
    }
    out
}

/// Rust's `HashMap<u64, u64>` and `HashSet<u64>`, filled with 0..n.
pub fn rust_growth(n: usize) -> Vec<TableGrowth> {
    let mut map: HashMap<u64, u64> = HashMap::new();
    let map_empty = map.capacity();
    let map_steps = watch(
        n,
        |k| {
            map.insert(k, k);
            map.capacity()
        },
        map_empty,
    );
    let mut set: HashSet<u64> = HashSet::new();
    let set_empty = set.capacity();
    let set_steps = watch(
        n,
        |k| {
            set.insert(k);
            set.capacity()
        },
        set_empty,
    );
    vec![
        TableGrowth {
            language: "rust".into(),
            table: "HashMap".into(),
            unit: "capacity".into(),
            empty: map_empty,
            resizes: map_steps,
        },
        TableGrowth {
            language: "rust".into(),
            table: "HashSet".into(),
            unit: "capacity".into(),
            empty: set_empty,
            resizes: set_steps,
        },
    ]
}

/// Run the experiment.
///
/// # Errors
/// None so far: CPython's failures become `unavailable` lines.
pub fn table_growth(machine: &Machine, budget: &Budget) -> Result<TableGrowthResult> {
    table_growth_with(machine, budget, None)
}

/// As [`table_growth`], with an explicit interpreter.
///
/// # Errors
/// As [`table_growth`].
pub fn table_growth_with(
    machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<TableGrowthResult> {
    let items: usize = budget.level.pick(100_000, 1_000_000, 1_000_000);
    // Two u64 per entry, a control byte, up to half the buckets empty.
    budget.check_alloc(machine, "table_growth's largest map", items as u64 * 40)?;
    let mut progress = Progress::new("table_growth", 2);
    progress.step(&format!(
        "Rust: HashMap and HashSet, {} inserts",
        fmt_count(items as u64)
    ));
    let mut out = TableGrowthResult {
        experiment: "table_growth".into(),
        items,
        tables: rust_growth(items),
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    progress.step("CPython: dict and set, sys.getsizeof after each insert");
    let spec = serde_json::json!({ "tasks": ["table_growth"], "items": items });
    match run_chapter_script::<PyReply>(interpreter, CH04, &spec, budget) {
        Ok(PyReply {
            python,
            table_growth: Some(tables),
        }) => {
            for t in tables {
                if t.len != items {
                    out.unavailable.push(format!(
                        "CPython's {} held {} items, not {items}; not shown",
                        t.table, t.len
                    ));
                    continue;
                }
                out.tables.push(TableGrowth {
                    language: "python".into(),
                    table: t.table,
                    unit: "bytes".into(),
                    empty: t.empty,
                    resizes: t
                        .resizes
                        .into_iter()
                        .map(|(items, after)| Resize { items, after })
                        .collect(),
                });
            }
            out.python = Some(python);
        }
        Ok(_) => out
            .unavailable
            .push("CPython: the interpreter sent no table sizes".into()),
        Err(why) => out.unavailable.push(format!("CPython: {why}")),
    }
    Ok(out)
}

impl TableGrowth {
    /// Items the table could hold between resizes: `(from, to, holds)`
    /// segments. Rust's come from `capacity()`; CPython's from the next
    /// resize (it grew at item k, so it held k − 1), so its last segment,
    /// with no resize after it, is left out.
    pub fn holds(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (j, r) in self.resizes.iter().enumerate() {
            let next = self.resizes.get(j + 1).map(|n| n.items);
            let holds = if self.unit == "capacity" {
                Some(r.after)
            } else {
                next.map(|k| k - 1)
            };
            if let Some(h) = holds {
                out.push((r.items, next.map_or(h, |k| k - 1), h));
            }
        }
        out
    }

    /// The median ratio between one segment's capacity and the one before.
    pub fn growth_factor(&self) -> Option<f64> {
        let caps: Vec<f64> = self.holds().iter().map(|h| h.2 as f64).collect();
        let mut ratios: Vec<f64> = caps
            .windows(2)
            .filter(|w| w[0] >= 8.0)
            .map(|w| w[1] / w[0])
            .collect();
        if ratios.is_empty() {
            return None;
        }
        ratios.sort_by(f64::total_cmp);
        Some(ratios[ratios.len() / 2])
    }
}

impl TableGrowthResult {
    fn table(&self, language: &str, table: &str) -> Option<&TableGrowth> {
        self.tables
            .iter()
            .find(|t| t.language == language && t.table == table)
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for TableGrowthResult {
    fn name(&self) -> &str {
        "table_growth"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "python_dict_resizes",
                "CPython dict: resizes while inserting the items",
                self.table("python", "dict").map(|t| t.resizes.len() as f64),
                "resizes",
                false,
            ),
            Headline::new(
                "rust_hashmap_resizes",
                "Rust HashMap: resizes while inserting the items",
                self.table("rust", "HashMap")
                    .map(|t| t.resizes.len() as f64),
                "resizes",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let series: Vec<XySeries> = self
            .tables
            .iter()
            .map(|t| XySeries {
                label: format!("{} {}", who(&t.language), t.table),
                points: t
                    .holds()
                    .into_iter()
                    .flat_map(|(from, to, holds)| {
                        [(from as f64, holds as f64), (to as f64, holds as f64)]
                    })
                    .collect(),
                line: true,
                color_of: None,
            })
            .collect();
        let title = format!(
            "When a hash table grows: {} items inserted one by one",
            fmt_count(self.items as u64)
        );
        xy_chart(&XyChart {
            title: &title,
            x_label: "items in the table",
            y_label: "items it can hold before it grows",
            series: &series,
            log_x: true,
            log_y: true,
            notes: &[],
        })
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        for t in &self.tables {
            let who = if t.language == "rust" {
                "Rust's"
            } else {
                "CPython's"
            };
            let firsts: Vec<String> = t
                .holds()
                .iter()
                .take(5)
                .map(|h| fmt_count(h.2 as u64))
                .collect();
            s.push_str(&format!(
                "{who} {} grew {} times on the way to {} items{}{}",
                t.table,
                t.resizes.len(),
                fmt_count(self.items as u64),
                if firsts.is_empty() {
                    String::new()
                } else {
                    format!(", holding {} … items between resizes", firsts.join(", "))
                },
                t.growth_factor().map_or(String::new(), |g| format!(
                    "; each resize {} what it could hold",
                    if (g - 2.0).abs() < 0.15 {
                        "doubled".to_string()
                    } else {
                        format!("multiplied by {}", fmt_sig(g, 2))
                    }
                ))
            ));
            if t.unit == "bytes"
                && let Some(last) = t.resizes.last()
            {
                s.push_str(&format!(
                    " (sys.getsizeof {} at the end, {} bytes per item)",
                    fmt_bytes(last.after as u64),
                    fmt_sig(last.after as f64 / self.items as f64, 3)
                ));
            }
            s.push_str(". ");
        }
        if let (Some(p), Some(r)) = (self.table("python", "dict"), self.table("rust", "HashMap")) {
            let (np, nr) = (p.resizes.len(), r.resizes.len());
            s.push_str(&if np == nr {
                format!("Both dicts resized {np} times: the copying is the same in kind, each resize moves every item once, so an insert costs a constant amount on average. ")
            } else {
                format!(
                    "CPython's dict resized {} than Rust's HashMap ({np} vs {nr}); either way each resize moves every item once, so an insert costs a constant amount on average. ",
                    if np > nr { "more often" } else { "less often" }
                )
            });
        }
        for u in &self.unavailable {
            s.push_str(&format!("{u}. "));
        }
        s.trim_end().to_string()
    }
}

impl fmt::Display for TableGrowthResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tables {
            writeln!(
                f,
                "{} {} (empty: {} {}): grew at {}",
                t.language,
                t.table,
                t.empty,
                t.unit,
                t.resizes
                    .iter()
                    .map(|r| format!("{}→{}", r.items, r.after))
                    .collect::<Vec<_>>()
                    .join(" ")
            )?;
        }
        write!(f, "{}", self.reading())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_capacity_is_the_item_before_the_next_resize() {
        for t in rust_growth(5000) {
            assert!(t.resizes.len() >= 8, "{}", t.table);
            for w in t.resizes.windows(2) {
                // Grew when the table was full: capacity then was items − 1.
                assert_eq!(w[0].after, w[1].items - 1, "{} {:?}", t.table, w);
            }
            let holds = t.holds();
            assert_eq!(holds.len(), t.resizes.len());
            assert!(holds.iter().all(|h| h.0 <= h.1 && h.1 <= h.2));
        }
    }

    #[test]
    fn python_segments_come_from_the_next_resize() {
        let t = TableGrowth {
            language: "python".into(),
            table: "dict".into(),
            unit: "bytes".into(),
            empty: 64,
            resizes: vec![
                Resize {
                    items: 1,
                    after: 184,
                },
                Resize {
                    items: 6,
                    after: 272,
                },
                Resize {
                    items: 11,
                    after: 464,
                },
                Resize {
                    items: 22,
                    after: 720,
                },
            ],
        };
        assert_eq!(t.holds(), vec![(1, 5, 5), (6, 10, 10), (11, 21, 21)]);
        assert_eq!(t.growth_factor(), Some(21.0 / 10.0));
    }
}
