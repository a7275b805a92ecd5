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
        * 1.15;
    let n = bars.len() as u32;
    draw(title, |root| {
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
        Ok(())
    })
}
