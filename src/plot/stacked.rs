//! Stacked bars: one bar per row, lying on its side, split into parts
//! (what a whole is made of: the kinds of instruction in a loop, say).

use plotters::prelude::*;

use super::figure::{Figure, draw};
use super::palette;
use crate::error::{Error, Result};

/// A stacked bar chart.
pub struct StackedBars<'a> {
    /// Plot title.
    pub title: &'a str,
    /// What the bars measure, with its unit.
    pub x_label: &'a str,
    /// The parts every bar is split into, in stacking order.
    pub parts: &'a [&'a str],
    /// One bar per row: its label and a value per part (≥ 0).
    pub rows: &'a [(String, Vec<f64>)],
}

/// Draw the bars, the first row at the top.
///
/// # Errors
/// [`Error::Plot`] for no rows, a row without a value for every part, or a
/// negative or non-finite value.
pub fn stacked_bars(c: &StackedBars<'_>) -> Result<Figure> {
    if c.rows.is_empty() {
        return Err(Error::Plot(format!("\"{}\" has no bars", c.title)));
    }
    for (label, values) in c.rows {
        if values.len() != c.parts.len() {
            return Err(Error::Plot(format!(
                "bar \"{label}\" has {} values for {} parts",
                values.len(),
                c.parts.len()
            )));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(Error::Plot(format!(
                "bar \"{label}\" has value {v}; bars need finite values ≥ 0"
            )));
        }
    }
    let total = |v: &[f64]| v.iter().sum::<f64>();
    let x_max = c
        .rows
        .iter()
        .map(|r| total(&r.1))
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE)
        // Room at the right for the legend.
        / 0.55;
    let n = c.rows.len() as u32;
    let widest = c
        .rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0);
    let label_px = (widest as u32 * 7 + 16).min(340);
    let value_font = ("sans-serif", 13).into_font().color(&BLACK);
    draw(c.title, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(c.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(label_px)
            .build_cartesian_2d(0.0..x_max, (0u32..n.saturating_sub(1)).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_desc(c.x_label)
            .y_labels(c.rows.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => c
                    .rows
                    .get((n - 1 - *i) as usize)
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| crate::units::fmt_sig(*v, 3))
            .draw()?;
        for (p, part) in c.parts.iter().enumerate() {
            let color = palette(p);
            chart
                .draw_series(c.rows.iter().enumerate().map(|(i, (_, values))| {
                    let row = n - 1 - i as u32;
                    let from: f64 = values[..p].iter().sum();
                    let mut r = Rectangle::new(
                        [
                            (from, SegmentValue::Exact(row)),
                            (from + values[p], SegmentValue::Exact(row + 1)),
                        ],
                        color.filled(),
                    );
                    r.set_margin(8, 8, 0, 0);
                    r
                }))?
                .label(*part)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        // Each bar's total at its end.
        chart.draw_series(c.rows.iter().enumerate().map(|(i, (_, values))| {
            let t = total(values);
            Text::new(
                format!(" {}", crate::units::fmt_sig(t, 3)),
                (t, SegmentValue::CenterOf(n - 1 - i as u32)),
                value_font
                    .clone()
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )
        }))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 14))
            .draw()?;
        Ok(())
    })
}
