//! `Outcome`: what every experiment's result can do — plot itself, say what
//! it means, print as a table, serialise, and name the figures a book club
//! sets side by side — so the CLI, the reports and the club handle every
//! experiment alike, without knowing its fields.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::plot::Figure;

/// A finished experiment's data. Its `Display` is its text table.
pub trait Outcome: fmt::Display + ToData {
    /// The experiment's name, as `hpp run` spells it.
    fn name(&self) -> &str;

    /// Its plot.
    ///
    /// # Errors
    /// [`crate::Error::Plot`] when there is nothing to draw.
    fn plot(&self) -> Result<Figure>;

    /// One or two sentences computed from the data.
    fn reading(&self) -> String;

    /// The data as a text table.
    fn table(&self) -> String {
        self.to_string()
    }

    /// The data as pretty JSON, in the documented shape.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails.
    fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(&self.to_data()?).map_err(|e| Error::Json(e.to_string()))
    }

    /// The few figures a book club compares across machines (none by
    /// default). Missing measurements are left out, never guessed.
    fn headlines(&self) -> Vec<Headline> {
        Vec::new()
    }

    /// This run's curves, bars or rows that `hpp compare` overlays with
    /// other members' (none by default).
    fn overlays(&self) -> Vec<Overlay> {
        Vec::new()
    }
}

/// Any serialisable result as a JSON value (a blanket impl, so `Outcome`
/// stays usable as `dyn Outcome`).
pub trait ToData {
    /// The value.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails.
    fn to_data(&self) -> Result<Value>;
}

impl<T: Serialize> ToData for T {
    fn to_data(&self) -> Result<Value> {
        serde_json::to_value(self).map_err(|e| Error::Json(e.to_string()))
    }
}

/// One headline figure, as the experiment that measured it declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Stable key, e.g. "latency_L2_ns".
    pub key: String,
    /// Human label.
    pub label: String,
    /// The value.
    pub value: f64,
    /// Unit text.
    pub unit: String,
    /// Whether larger is better.
    pub higher_is_better: bool,
}

impl Headline {
    /// A headline when `value` is a finite number, else `None`.
    pub fn new(
        key: impl Into<String>,
        label: impl Into<String>,
        value: Option<f64>,
        unit: &str,
        higher_is_better: bool,
    ) -> Option<Headline> {
        value.filter(|v| v.is_finite()).map(|value| Headline {
            key: key.into(),
            label: label.into(),
            value,
            unit: unit.to_string(),
            higher_is_better,
        })
    }
}

/// One member's part of a comparison chart or table.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    /// Charts with the same key are drawn as one, a line or bar per member.
    pub key: String,
    /// Chart title (the first member's is used).
    pub title: String,
    /// X axis label (unused for bars and rows).
    pub x_label: String,
    /// Y axis label, or the column heading of rows.
    pub y_label: String,
    /// The data.
    pub shape: Shape,
}

/// What an overlay holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A curve over working-set sizes (log-2 byte axis).
    BySize {
        /// (bytes, value) points.
        points: Vec<(u64, f64)>,
        /// Whether the y axis is logarithmic.
        log_y: bool,
    },
    /// A curve over any x.
    Xy {
        /// (x, y) points.
        points: Vec<(f64, f64)>,
    },
    /// One bar.
    Bar(f64),
    /// Table cells: (row name, this member's text).
    Rows(Vec<(String, String)>),
}

/// Print an outcome for evcxr: the reading as ordinary output (so it shows
/// above the figure), then the plot as SVG; or the table and the reason when
/// there is no plot. The one place that writes evcxr's display markers for
/// experiments.
/// "Rust" or "CPython", for a row whose `language` is "rust" or "python".
pub(crate) fn who(language: &str) -> &'static str {
    if language == "rust" {
        "Rust"
    } else {
        "CPython"
    }
}

/// The distinct `(language, name)` pairs of some rows, in the order they
/// first appear: one chart series each.
pub(crate) fn series_keys<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for (language, name) in rows {
        if !keys.iter().any(|(l, n)| l == language && n == name) {
            keys.push((language.to_string(), name.to_string()));
        }
    }
    keys
}

pub(crate) fn show(o: &dyn Outcome) {
    show_with(o, "");
}

/// As [`show`], with `more` (a sentence about this result) after the
/// reading.
pub(crate) fn show_with(o: &dyn Outcome, more: &str) {
    let reading = if more.is_empty() {
        o.reading()
    } else {
        format!("{}\n{more}", o.reading())
    };
    match o.plot() {
        Ok(fig) => println!(
            "{}\n{}",
            reading,
            crate::display::evcxr_content(&[
                ("image/svg+xml", fig.svg.trim()),
                ("text/plain", &format!("[figure] {}", fig.title)),
            ])
        ),
        Err(e) => println!(
            "{}",
            crate::display::evcxr_content(&[(
                "text/plain",
                &format!("{}\n{}\n({e})", o.table(), reading)
            )])
        ),
    }
}

/// A kernel placed on chapter 1's roofline: defined here, beside the other
/// shared vocabulary, so any experiment can offer points for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoofPoint {
    /// Kernel name.
    pub kernel: String,
    /// Flops per byte it moves (counting each array read or written once).
    pub flops_per_byte: f64,
    /// Measured GFLOP/s.
    pub gflops: f64,
    /// Working set it ran on.
    pub size_bytes: u64,
}
