//! Scatter / line chart over a plain numeric x axis (years, counts), with an
//! optional log y axis and text notes beside chosen points.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::figure::{Figure, draw};
use super::palette;
use crate::error::{Error, Result};
use crate::units::fmt_sig;

/// One set of points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XySeries {
    /// Legend text.
    pub label: String,
    /// `(x, y)` pairs.
    pub points: Vec<(f64, f64)>,
    /// Join the points with a line (in x order).
    pub line: bool,
    /// Draw in the colour of the series at this index instead of its own
    /// (a model curve beside the measurements it models).
    #[serde(default)]
    pub color_of: Option<usize>,
}

/// What to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct XyChart<'a> {
    /// Plot title.
    pub title: &'a str,
    /// X axis label.
    pub x_label: &'a str,
    /// Y axis label, with its unit.
    pub y_label: &'a str,
    /// The series.
    pub series: &'a [XySeries],
    /// Log10 x axis.
    pub log_x: bool,
    /// Log10 y axis.
    pub log_y: bool,
    /// Text drawn just above and left of a point (ending at it): `(x, y, text)`.
    pub notes: &'a [(f64, f64, String)],
}

/// Draw the chart.
///
/// # Errors
/// [`Error::Plot`] when there is nothing finite (and positive, on a log
/// axis) to draw.
pub fn xy_chart(c: &XyChart<'_>) -> Result<Figure> {
    let ty = |y: f64| if c.log_y { y.log10() } else { y };
    let tx = |x: f64| if c.log_x { x.log10() } else { x };
    let ok = |&(x, y): &(f64, f64)| {
        x.is_finite() && y.is_finite() && (y > 0.0 || !c.log_y) && (x > 0.0 || !c.log_x)
    };
    let pts: Vec<(f64, f64)> = c
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| ok(p))
        .map(|&(x, y)| (tx(x), ty(y)))
        .collect();
    if pts.is_empty() {
        return Err(Error::Plot(format!(
            "\"{}\" has no points to draw",
            c.title
        )));
    }
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in &pts {
        x_lo = x_lo.min(x);
        x_hi = x_hi.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    // A linear x axis pads by a share of its span (seconds and thread counts
    // alike), and does not dip below zero when every x is at or above it.
    let xpad = if c.log_x {
        ((x_hi - x_lo) * 0.04).max(0.1)
    } else if x_hi > x_lo {
        (x_hi - x_lo) * 0.05
    } else {
        1.0
    };
    let ypad = ((y_hi - y_lo) * 0.08).max(if c.log_y { 0.1 } else { 1.0 });
    let (y_lo, y_hi) = if c.log_y {
        (y_lo - ypad, y_hi + ypad * 2.0)
    } else {
        // A linear axis starts at zero, so heights compare honestly.
        (y_lo.min(0.0), y_hi + (y_hi - y_lo.min(0.0)) * 0.12)
    };
    let x_floor = if !c.log_x && x_lo >= 0.0 {
        0.0
    } else {
        f64::MIN
    };
    // Counts on a short linear axis (threads, say) get whole-number ticks.
    // (Model curves, dense lines, are drawn between the counts.)
    let counts = !c.log_x
        && x_hi - x_lo <= 32.0
        && c.series
            .iter()
            .filter(|s| !(s.line && s.points.len() > 20))
            .flat_map(|s| s.points.iter())
            .all(|p| p.0.fract() == 0.0);
    let x_ticks = if counts {
        (x_hi - x_lo) as usize + 2
    } else {
        12
    };
    let (x_lo, x_hi) = ((x_lo - xpad).max(x_floor), x_hi + xpad);
    let fmt_y = |v: &f64| fmt_sig(if c.log_y { 10f64.powf(*v) } else { *v }, 2);
    // Rising curves leave the upper left free, and on a log axis of growth
    // (Figure 1-1) the lower right: tried first, then the corner whose box
    // hides the fewest points.
    let order = if c.log_y {
        [
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerLeft,
        ]
    } else {
        [
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::LowerLeft,
        ]
    };
    let (mut legend_at, hidden) =
        super::legend_corner_counted(&pts, (x_lo, x_hi), (y_lo, y_hi), c.series.len(), &order);
    // Where every corner would hide a point, raise the top of the axis so
    // the legend fits above the highest one.
    let share = super::legend_height(c.series.len());
    let y_hi = if hidden > 0 && c.series.len() > 1 && share < 0.6 {
        let top = pts.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        legend_at = SeriesLabelPosition::UpperRight;
        ((top - share * y_lo) / (1.0 - share)).max(y_hi) + (y_hi - y_lo) * 0.03
    } else {
        y_hi
    };
    draw(c.title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(c.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
        chart
            .configure_mesh()
            .x_desc(c.x_label)
            .y_desc(c.y_label)
            .x_labels(x_ticks)
            .y_labels(10)
            .x_label_formatter(&|v| {
                if counts && (v.fract().abs() > 1e-9) {
                    return String::new();
                }
                fmt_sig(
                    if c.log_x { 10f64.powf(*v) } else { *v },
                    if c.log_x { 2 } else { 4 },
                )
            })
            .y_label_formatter(&fmt_y)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (i, s) in c.series.iter().enumerate() {
            let color = palette(s.color_of.unwrap_or(i));
            let mut p: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| ok(p))
                .map(|&(x, y)| (tx(x), ty(y)))
                .collect();
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            if s.line {
                chart.draw_series(LineSeries::new(p.clone(), color.stroke_width(2)))?;
            }
            // Dots mark measurements; a dense line (a model curve) has none.
            let r = if s.line && p.len() > 20 { 0 } else { 4 };
            let drawn =
                chart.draw_series(p.into_iter().map(|q| Circle::new(q, r, color.filled())))?;
            // A series without a label (a model drawn in its data's colour)
            // has no line in the legend.
            if !s.label.is_empty() {
                drawn.label(s.label.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(3))
                });
            }
        }
        // Notes, left to right; one that would overlap a note already
        // placed moves up a line (kernels at nearby intensities, say).
        let mut notes: Vec<&(f64, f64, String)> =
            c.notes.iter().filter(|n| ok(&(n.0, n.1))).collect();
        notes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        let (line_h, char_w) = (16, 7);
        for (x, y, text) in notes {
            let (px, py) = chart.backend_coord(&(tx(*x), ty(*y)));
            let w = text.chars().count() as i32 * char_w;
            // Right-aligned ending just left of the point, above it; at the
            // left edge, starting right of it instead.
            let (x0, x1, anchor, at) = if px - 4 - w < 0 {
                (
                    px + 4,
                    px + 4 + w,
                    plotters::style::text_anchor::HPos::Left,
                    px + 4,
                )
            } else {
                (
                    px - 4 - w,
                    px - 4,
                    plotters::style::text_anchor::HPos::Right,
                    px - 4,
                )
            };
            let mut bottom = py - 22;
            while placed
                .iter()
                .any(|b| x0 < b.2 && b.0 < x1 && bottom - line_h < b.3 && b.1 < bottom)
            {
                bottom -= line_h;
            }
            placed.push((x0, bottom - line_h, x1, bottom));
            let style = ("sans-serif", 14).into_font().color(&BLACK).pos(
                plotters::style::text_anchor::Pos::new(
                    anchor,
                    plotters::style::text_anchor::VPos::Bottom,
                ),
            );
            root.draw(&Text::new(text.clone(), (at, bottom), style))?;
        }
        chart
            .configure_series_labels()
            // Rising curves leave the upper left free; on a log axis of
            // growth (Figure 1-1) the lower right is.
            .position(legend_at)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 14))
            .draw()?;
        Ok(())
    })
}
