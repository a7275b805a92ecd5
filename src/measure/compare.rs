//! `compare`: several timings as one table, with the speed-up of each against
//! the first.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::timeit::Timing;
use crate::units::{fmt_seconds, fmt_sig};

/// Timings side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// One row per timing, in the order given.
    pub rows: Vec<ComparisonRow>,
}

/// One timing in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The timing's label, or "#N".
    pub label: String,
    /// Mean seconds per call.
    pub mean_s: f64,
    /// Standard deviation, seconds.
    pub std_s: f64,
    /// Best run, seconds per call.
    pub best_s: f64,
    /// First row's mean over this row's mean: > 1 means faster than the first.
    pub speedup: f64,
}

/// Things that can be put side by side with [`compare`]: timings (a table
/// of speed-ups) and, in `hpp::club`, paths of members' results files (the
/// book club's comparison).
pub trait Compare: Sized {
    /// What comparing gives.
    type Output;
    /// Compare all items, the first being the baseline.
    fn compare_all(items: &[Self]) -> Self::Output;
}

impl Compare for &Timing {
    type Output = Comparison;
    fn compare_all(items: &[Self]) -> Comparison {
        compare_timings(items)
    }
}

/// Put things side by side: `compare(&[&t1, &t2])` for timings,
/// `compare(&["a.json", "b.json"])` for members' results files.
pub fn compare<T: Compare>(items: &[T]) -> T::Output {
    T::compare_all(items)
}

/// Put timings side by side; the first is the baseline.
pub fn compare_timings(timings: &[&Timing]) -> Comparison {
    let base = timings.first().map(|t| t.mean_s).unwrap_or(f64::NAN);
    Comparison {
        rows: timings
            .iter()
            .enumerate()
            .map(|(i, t)| ComparisonRow {
                label: t.label.clone().unwrap_or_else(|| format!("#{}", i + 1)),
                mean_s: t.mean_s,
                std_s: t.std_s,
                best_s: t.best_s,
                speedup: base / t.mean_s,
            })
            .collect(),
    }
}

impl Comparison {
    fn cells(&self) -> Vec<[String; 4]> {
        self.rows
            .iter()
            .map(|r| {
                [
                    r.label.clone(),
                    format!("{} ± {}", fmt_seconds(r.mean_s), fmt_seconds(r.std_s)),
                    fmt_seconds(r.best_s),
                    format!("{}×", fmt_sig(r.speedup, 3)),
                ]
            })
            .collect()
    }

    /// An HTML table.
    pub fn to_html(&self) -> String {
        crate::report::html::table(
            &["", "mean ± std. dev. per call", "best", "speed-up vs first"],
            &self.cells(),
        )
    }

    /// Show in a notebook as an HTML table (and text).
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[
                ("text/html", &self.to_html()),
                ("text/plain", &self.to_string()),
            ])
        );
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells = self.cells();
        let w0 = cells
            .iter()
            .map(|c| c[0].chars().count())
            .max()
            .unwrap_or(0);
        let w1 = cells
            .iter()
            .map(|c| c[1].chars().count())
            .max()
            .unwrap_or(0);
        for c in cells {
            writeln!(
                f,
                "{:<w0$}  {:<w1$}  best {:<10}  {}",
                c[0], c[1], c[2], c[3]
            )?;
        }
        Ok(())
    }
}
