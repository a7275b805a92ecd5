//! Line chart over working-set sizes: log2 x axis with KiB/MiB/GiB ticks and
//! dashed vertical markers at the machine's cache sizes (passed in as data).

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::figure::{Figure, SIZE, draw_sized};
use super::palette;
use crate::error::{Error, Result};
use crate::units::{fmt_bytes, fmt_sig};

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
    // Both axes are drawn in linear coordinates of transformed values: log2
    // of the size, and log10 of y on a log chart. Labels undo the transform.
    let ty = |y: f64| if c.log_y { y.log10() } else { y };
    let keep = |&(x, y): &(u64, f64)| x > 0 && y.is_finite() && (y > 0.0 || !c.log_y);
    let pts: Vec<(f64, f64)> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| keep(p))
        .map(|&(x, y)| ((x as f64).log2(), ty(y)))
        .collect();
    if pts.is_empty() {
        return Err(Error::Plot(format!(
            "\"{}\" has no points to draw",
            c.title
        )));
    }
    let fold = |f: fn(f64, f64) -> f64, init: f64, k: fn(&(f64, f64)) -> f64| {
        pts.iter().map(k).fold(init, f)
    };
    let x_lo = fold(f64::min, f64::INFINITY, |p| p.0).floor();
    // Room on the right for the label of a marker at the last point.
    let x_hi = (fold(f64::max, f64::NEG_INFINITY, |p| p.0) + 0.7).max(x_lo + 1.0);
    let (y_min, y_max) = (
        fold(f64::min, f64::INFINITY, |p| p.1),
        fold(f64::max, f64::NEG_INFINITY, |p| p.1),
    );
    let (y_lo, y_hi) = if c.log_y {
        let pad = ((y_max - y_min) * 0.08).max(0.05);
        (y_min - pad, y_max + pad)
    } else {
        (0.0f64.min(y_min), y_max * 1.12 + f64::MIN_POSITIVE)
    };
    // Integer x positions are powers of two; plotters' "nice" steps for a
    // span of up to ~15 units land on them.
    let n_labels = ((x_hi - x_lo) as usize + 1).min(12);
    let (legend_at, hidden) = super::legend_corner_counted(
        &pts,
        (x_lo, x_hi),
        (y_lo, y_hi),
        c.series.len(),
        &[
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerLeft,
        ],
    );
    let fmt_x = |v: &f64| fmt_bytes(2f64.powf(*v).round() as u64);
    let fmt_y = |v: &f64| fmt_sig(if c.log_y { 10f64.powf(*v) } else { *v }, 2);
    // A long legend that would hide points in every corner goes beside the
    // chart instead, in a wider figure.
    let beside = hidden > 0 && c.series.len() >= 7;
    let size = if beside {
        (PLOT_BESIDE + LEGEND_W, SIZE.1)
    } else {
        SIZE
    };
    draw_sized(c.title, size, |root| {
        let (area, side) = root.split_horizontally(if beside { PLOT_BESIDE } else { SIZE.0 });
        let mut chart = ChartBuilder::on(&area)
            .caption(c.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc(c.x_label)
            .y_desc(c.y_label)
            .x_labels(n_labels)
            .y_labels(10)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&fmt_y)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let grey = RGBColor(120, 120, 120);
        for m in c.markers {
            let x = (m.size_bytes as f64).log2();
            if x < x_lo || x > x_hi {
                continue;
            }
            chart.draw_series(DashedLineSeries::new(
                vec![(x, y_lo), (x, y_hi)],
                4,
                4,
                grey.stroke_width(1),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (x + 0.08, y_lo + 0.95 * (y_hi - y_lo)),
                ("sans-serif", 13).into_font().color(&grey),
            )))?;
        }
        for (i, s) in c.series.iter().enumerate() {
            let color = palette(i);
            let mut line: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| keep(p))
                .map(|&(x, y)| ((x as f64).log2(), ty(y)))
                .collect();
            line.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            chart.draw_series(line.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        }
        if beside {
            for (i, s) in c.series.iter().enumerate() {
                let y = 60 + 22 * i as i32;
                let color = palette(i);
                side.draw(&PathElement::new(
                    vec![(8, y), (28, y)],
                    color.stroke_width(2),
                ))?;
                side.draw(&Text::new(
                    s.label.clone(),
                    (34, y - 7),
                    ("sans-serif", 13).into_font(),
                ))?;
            }
        } else {
            chart
                .configure_series_labels()
                .position(legend_at)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(("sans-serif", 14))
                .draw()?;
        }
        Ok(())
    })
}

/// Extra width for a legend drawn beside the chart.
const LEGEND_W: u32 = 300;

/// The plot's width beside such a legend: the whole stays within a
/// notebook's output column (about 950 pixels) instead of scrolling.
const PLOT_BESIDE: u32 = 640;
