//! Line chart over working-set sizes: log2 x axis with KiB/MiB/GiB ticks and
//! dashed vertical markers at the machine's cache sizes (passed in as data).

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::figure::{Figure, draw};
use super::palette;
use crate::error::{Error, Result};
use crate::units::fmt_bytes_short;

/// One line: y values at byte sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// `(size_bytes, value)` pairs, any order.
    pub points: Vec<(u64, f64)>,
}

/// A vertical line at a size, e.g. "L2 512 KiB".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    /// Text beside the line.
    pub label: String,
    /// Where it stands.
    pub size_bytes: u64,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeChart<'a> {
    /// Plot title.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label, with its unit.
    pub y_label: &'a str,
    /// The lines.
    pub series: &'a [Series],
    /// Vertical markers.
    pub markers: &'a [Marker],
    /// Log10 y axis when values span decades.
    pub log_y: bool,
}

/// Draw the chart.
///
/// # Errors
/// [`Error::Plot`] when there is nothing finite and positive to draw.
pub fn size_chart(c: &SizeChart<'_>) -> Result<Figure> {
    let pts: Vec<(f64, f64)> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| *x > 0 && y.is_finite() && (*y > 0.0 || !c.log_y))
        .map(|&(x, y)| ((x as f64).log2(), y))
        .collect();
    if pts.is_empty() {
        return Err(Error::Plot(format!(
            "\"{}\" has no points to draw",
            c.title
        )));
    }
    let x_lo = pts
        .iter()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .floor();
    let x_hi = pts
        .iter()
        .map(|p| p.0)
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil()
        .max(x_lo + 1.0);
    let y_min = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let y_max = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    // Integer positions are powers of two; plotters' "nice" steps for a span
    // of up to ~15 units land on them.
    draw(c.title, |root| {
        let mut b = ChartBuilder::on(root);
        b.caption(c.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64);
        let x_range = x_lo..x_hi;
        if c.log_y {
            let (lo, hi) = (y_min * 0.8, y_max * 1.25);
            let mut chart = b.build_cartesian_2d(x_range, (lo..hi).log_scale())?;
            paint(&mut chart, c, lo, hi)?;
        } else {
            let (lo, hi) = (0.0, y_max * 1.12);
            let mut chart = b.build_cartesian_2d(x_range, lo..hi)?;
            paint(&mut chart, c, lo, hi)?;
        }
        Ok(())
    })
}

fn paint<'a, DB, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    c: &SizeChart<'_>,
    y_lo: f64,
    y_hi: f64,
) -> std::result::Result<(), Box<dyn std::error::Error>>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    Y: Ranged<ValueType = f64> + plotters::coord::ranged1d::ValueFormatter<f64>,
{
    let x_range = chart.x_range();
    // Integer positions are powers of two; plotters' "nice" steps for a span
    // of up to ~15 units land on them.
    let n_labels = ((x_range.end - x_range.start) as usize + 1).min(15);
    chart
        .configure_mesh()
        .x_desc(c.x_label)
        .y_desc(c.y_label)
        .x_labels(n_labels)
        .x_label_formatter(&|v| fmt_bytes_short(2f64.powf(*v).round() as u64))
        .y_label_formatter(&|v| crate::units::fmt_sig(*v, 3))
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for m in c.markers {
        let x = (m.size_bytes as f64).log2();
        if x < x_range.start || x > x_range.end {
            continue;
        }
        let grey = RGBColor(120, 120, 120);
        chart.draw_series(DashedLineSeries::new(
            vec![(x, y_lo), (x, y_hi)],
            4,
            4,
            grey.stroke_width(1),
        ))?;
        // Label near the top, just right of the line.
        let y_text = if c.log_y {
            (y_lo.ln() + 0.93 * (y_hi.ln() - y_lo.ln())).exp()
        } else {
            y_lo + 0.95 * (y_hi - y_lo)
        };
        chart.draw_series(std::iter::once(Text::new(
            m.label.clone(),
            (x + 0.08, y_text),
            ("sans-serif", 13).into_font().color(&grey),
        )))?;
    }
    for (i, s) in c.series.iter().enumerate() {
        let color = palette(i);
        let mut pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|(x, y)| *x > 0 && y.is_finite() && *y >= y_lo)
            .map(|&(x, y)| ((x as f64).log2(), y))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}
