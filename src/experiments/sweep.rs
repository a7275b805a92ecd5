//! `Sweep`: what a size sweep returns — plain data that plots itself, prints
//! as a table and serialises to JSON.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::outcome::{Headline, Outcome, show};
use crate::error::Result;
use crate::plot::{Figure, Marker, Series, SizeChart, size_chart};
use crate::units::{fmt_bytes, fmt_sig};

/// Values measured at several working-set sizes, one series per variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Experiment name, as `hpp run` spells it.
    pub experiment: String,
    /// Plot title.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label with unit.
    pub y_label: String,
    /// Whether the y axis is logarithmic.
    pub log_y: bool,
    /// One series per variant.
    pub series: Vec<Series>,
    /// The machine's cache sizes, drawn as vertical lines.
    pub markers: Vec<Marker>,
    /// One or two sentences computed from this run's data.
    pub reading: String,
    /// Budget it ran under.
    pub budget: String,
    /// The figures a book club compares (none for some sweeps).
    #[serde(default)]
    pub headlines: Vec<Headline>,
}

impl Sweep {
    /// Draw it.
    ///
    /// # Errors
    /// [`crate::Error::Plot`] if there is nothing to draw.
    pub fn plot(&self) -> Result<Figure> {
        size_chart(&SizeChart {
            title: &self.title,
            x_label: &self.x_label,
            y_label: &self.y_label,
            series: &self.series,
            markers: &self.markers,
            log_y: self.log_y,
        })
    }

    /// Show the plot inline, with the reading as text.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Sweep {
    fn name(&self) -> &str {
        &self.experiment
    }
    fn plot(&self) -> Result<Figure> {
        Sweep::plot(self)
    }
    fn reading(&self) -> String {
        self.reading.clone()
    }
    fn headlines(&self) -> Vec<Headline> {
        self.headlines.clone()
    }
}

impl fmt::Display for Sweep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        let mut sizes: Vec<u64> = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.0))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        write!(f, "{:>12}", "size")?;
        for s in &self.series {
            write!(f, "  {:>18}", s.label)?;
        }
        writeln!(f, "    ({})", self.y_label)?;
        for size in sizes {
            write!(f, "{:>12}", fmt_bytes(size))?;
            for s in &self.series {
                match s.points.iter().find(|p| p.0 == size) {
                    Some(p) => write!(f, "  {:>18}", fmt_sig(p.1, 3))?,
                    None => write!(f, "  {:>18}", "—")?,
                }
            }
            writeln!(f)?;
        }
        write!(f, "{}", self.reading)
    }
}
