//! A strip chart: one row per figure, one dot per member, on a shared log
//! axis of "× the club's median", so figures of different units sit on one
//! chart and every member sees where they stand on each (a box plot per
//! row for a club of hundreds). The highlighted member is a larger dot in
//! its own colour.

use plotters::prelude::*;

use super::figure::{Figure, draw_sized};
use crate::error::{Error, Result};
use crate::units::{fmt_sig, shorten};

/// One row: its label, every member's value as a ratio to the row's
/// median, and the highlighted member's ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct StripRow {
    /// Row label, e.g. "L1 latency (ns)".
    pub label: String,
    /// Each member's value ÷ the median (positive, finite).
    pub ratios: Vec<f64>,
    /// The highlighted member's ratio, if they have this figure.
    pub me: Option<f64>,
}

/// A strip chart.
#[derive(Debug, Clone, PartialEq)]
pub struct StripChart<'a> {
    /// Title.
    pub title: &'a str,
    /// The x axis' description.
    pub x_label: &'a str,
    /// Rows, top to bottom.
    pub rows: &'a [StripRow],
    /// The highlighted member's name (`None`: no one is highlighted); the
    /// title should name them, as the chart draws no legend.
    pub me_label: Option<&'a str>,
}

/// Beyond this many members a row is drawn as a box (the middle half),
/// whiskers (the range) and a tick (the median) instead of one dot each:
/// thousands of dots hide each other and make the page heavy.
pub const BOXES_ABOVE: usize = 200;

/// Pixel height per row.
const ROW_PX: u32 = 30;

/// Draw `c`.
///
/// # Errors
/// [`Error::Plot`] when no row has a value to draw.
pub fn strip_chart(c: &StripChart<'_>) -> Result<Figure> {
    let ok = |r: &f64| r.is_finite() && *r > 0.0;
    let all: Vec<f64> = c
        .rows
        .iter()
        .flat_map(|r| r.ratios.iter().chain(r.me.iter()))
        .copied()
        .filter(ok)
        .map(f64::log10)
        .collect();
    if all.is_empty() {
        return Err(Error::Plot(format!(
            "\"{}\" has no values to draw",
            c.title
        )));
    }
    let lo = all.iter().copied().fold(0.0f64, f64::min);
    let hi = all.iter().copied().fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.06).max(0.02);
    let (x_lo, x_hi) = (lo - pad, hi + pad);
    let n = c.rows.len();
    let height = 110 + ROW_PX * n as u32;
    let width = super::SIZE.0 + 140;
    draw_sized(c.title, (width, height), |root| {
        let label_px = 300u32;
        let mut chart = ChartBuilder::on(root)
            .caption(c.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(label_px)
            .build_cartesian_2d(x_lo..x_hi, 0f64..n as f64)?;
        chart
            .configure_mesh()
            .x_desc(c.x_label)
            .x_labels(9)
            .y_labels(0)
            .x_label_formatter(&|v| format!("{}×", fmt_sig(10f64.powf(*v), 2)))
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        // The median (ratio 1) as a vertical line.
        chart.draw_series(LineSeries::new(
            vec![(0.0, 0.0), (0.0, n as f64)],
            BLACK.mix(0.5).stroke_width(1),
        ))?;
        let grey = super::palette(0).mix(0.45);
        let me_color = super::palette(1);
        let as_boxes = c.rows.iter().any(|r| r.ratios.len() > BOXES_ABOVE);
        let mut dots = Vec::new();
        for (i, row) in c.rows.iter().enumerate() {
            let y = n as f64 - i as f64 - 0.5;
            let mut logs: Vec<f64> = row
                .ratios
                .iter()
                .copied()
                .filter(ok)
                .map(f64::log10)
                .collect();
            if as_boxes {
                logs.sort_by(f64::total_cmp);
                if let (Some(&lo), Some(&hi)) = (logs.first(), logs.last()) {
                    let q = |p: f64| logs[((logs.len() - 1) as f64 * p).round() as usize];
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(lo, y), (hi, y)],
                        grey.stroke_width(1),
                    )))?;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(q(0.25), y - 0.3), (q(0.75), y + 0.3)],
                        super::palette(0).mix(0.25).filled(),
                    )))?;
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(q(0.5), y - 0.3), (q(0.5), y + 0.3)],
                        BLACK.stroke_width(2),
                    )))?;
                }
            } else {
                // A fixed spread of heights (no randomness: the same data
                // draws the same picture) so equal values stay visible.
                dots.extend(logs.iter().enumerate().map(|(k, l)| {
                    let jitter = ((k * 7919) % 11) as f64 / 10.0 - 0.5;
                    (*l, y + jitter * 0.5)
                }));
            }
            let (_, py) = chart.backend_coord(&(x_lo, y));
            root.draw(&Text::new(
                shorten(&row.label, 44),
                (12, py),
                ("sans-serif", 13).into_font().color(&BLACK).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Center,
                    ),
                ),
            ))?;
        }
        chart.draw_series(dots.into_iter().map(|p| Circle::new(p, 3, grey.filled())))?;
        if c.me_label.is_some() {
            let mine: Vec<(f64, f64)> = c
                .rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let m = r.me.filter(ok)?;
                    Some((m.log10(), n as f64 - i as f64 - 0.5))
                })
                .collect();
            // Named in the title, not a legend: a legend box would cover dots.
            chart.draw_series(
                mine.iter()
                    .map(|&p| Circle::new(p, 6, me_color.filled().stroke_width(1))),
            )?;
        }
        Ok(())
    })
}
