//! Bar chart: one bar per labelled value.

use plotters::prelude::*;

use super::figure::{Figure, draw};
use super::palette;
use crate::error::{Error, Result};

/// Draw one bar per `(label, value)`, values ≥ 0.
///
/// # Errors
/// [`Error::Plot`] for no bars, or a negative or non-finite value.
pub fn bar_chart(title: &str, y_label: &str, bars: &[(String, f64)]) -> Result<Figure> {
    if bars.is_empty() {
        return Err(Error::Plot(format!("\"{title}\" has no bars")));
    }
    if let Some((l, v)) = bars.iter().find(|(_, v)| !v.is_finite() || *v < 0.0) {
        return Err(Error::Plot(format!(
            "bar \"{l}\" has value {v}; bars need finite values ≥ 0"
        )));
    }
    let y_max = bars
        .iter()
        .map(|b| b.1)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE)
        * 1.18;
    let n = bars.len() as u32;
    // Labels that would not fit under their bars turn the chart on its
    // side: bars run left to right, labels stand in a column at the left.
    let widest = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(0);
    let per_bar_px = (super::SIZE.0 - 90) / n.max(1);
    let sideways = widest as u32 * 7 > per_bar_px;
    let value_font = ("sans-serif", 13).into_font().color(&BLACK);
    draw(title, |root| {
        if sideways {
            let label_px = (widest as u32 * 7 + 16).min(340);
            let mut chart = ChartBuilder::on(root)
                .caption(title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(label_px)
                .build_cartesian_2d(0.0..y_max, (0u32..n.saturating_sub(1)).into_segmented())?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(WHITE.mix(0.0))
                .x_desc(y_label)
                .y_labels(bars.len())
                .y_label_formatter(&|v| match v {
                    // The first bar at the top, as the list reads.
                    SegmentValue::CenterOf(i) => bars
                        .get((n - 1 - *i) as usize)
                        .map(|b| b.0.clone())
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .x_label_formatter(&|v| crate::units::fmt_sig(*v, 3))
                .draw()?;
            chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let row = n - 1 - i as u32;
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(row)),
                        (*v, SegmentValue::Exact(row + 1)),
                    ],
                    palette(i).filled(),
                );
                r.set_margin(6, 6, 0, 0);
                r
            }))?;
            // Each value at its bar's end, so the smallest bar still reads.
            chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                Text::new(
                    format!(" {}", crate::units::fmt_sig(*v, 3)),
                    (*v, SegmentValue::CenterOf(n - 1 - i as u32)),
                    value_font
                        .clone()
                        .pos(plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Left,
                            plotters::style::text_anchor::VPos::Center,
                        )),
                )
            }))?;
            return Ok(());
        }
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0u32..n.saturating_sub(1)).into_segmented(), 0.0..y_max)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE.mix(0.0))
            .y_desc(y_label)
            .x_labels(bars.len())
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => bars
                    .get(*i as usize)
                    .map(|b| b.0.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| crate::units::fmt_sig(*v, 3))
            .draw()?;
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            let i = i as u32;
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), *v),
                ],
                palette(i as usize).filled(),
            );
            r.set_margin(0, 0, 12, 12);
            r
        }))?;
        // Each value above its bar, so a bar too small to see still reads.
        chart.draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
            Text::new(
                crate::units::fmt_sig(*v, 3),
                (SegmentValue::CenterOf(i as u32), *v),
                value_font
                    .clone()
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
            )
        }))?;
        Ok(())
    })
}
