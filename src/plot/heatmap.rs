//! Heat map: a grid of coloured cells with labelled rows and columns and a
//! colour key (used for the memory mountain).

use plotters::prelude::*;

use super::figure::{Figure, draw};
use crate::error::{Error, Result};
use crate::units::fmt_sig;

/// Blue (low) through green to yellow (high), like viridis.
fn colour(t: f64) -> RGBColor {
    const STOPS: [(f64, (f64, f64, f64)); 4] = [
        (0.0, (68.0, 1.0, 84.0)),
        (0.33, (49.0, 104.0, 142.0)),
        (0.66, (53.0, 183.0, 121.0)),
        (1.0, (253.0, 231.0, 37.0)),
    ];
    let t = t.clamp(0.0, 1.0);
    let i = STOPS
        .iter()
        .rposition(|s| s.0 <= t)
        .unwrap_or(0)
        .min(STOPS.len() - 2);
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let f = (t - a.0) / (b.0 - a.0);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.1.0, b.1.0), mix(a.1.1, b.1.1), mix(a.1.2, b.1.2))
}

fn label(names: &[String], v: &SegmentValue<i32>) -> String {
    match v {
        SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// What to draw: `values[row][col]`, rows bottom to top, columns left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap<'a> {
    /// Plot title.
    pub title: &'a str,
    /// X axis label.
    pub x_desc: &'a str,
    /// Y axis label.
    pub y_desc: &'a str,
    /// Column labels.
    pub cols: &'a [String],
    /// Row labels.
    pub rows: &'a [String],
    /// The grid.
    pub values: &'a [Vec<f64>],
    /// What a value is, with its unit (the colour key's label).
    pub value_desc: &'a str,
    /// Colour by log10 of the value.
    pub log: bool,
}

/// Draw the heat map.
///
/// # Errors
/// [`Error::Plot`] when the grid is empty, ragged, or has no positive value.
pub fn heatmap(h: &HeatMap<'_>) -> Result<Figure> {
    let HeatMap {
        title,
        x_desc,
        y_desc,
        cols,
        rows,
        values,
        value_desc,
        log,
    } = *h;
    if rows.is_empty()
        || cols.is_empty()
        || values.len() != rows.len()
        || values.iter().any(|r| r.len() != cols.len())
    {
        return Err(Error::Plot(format!(
            "\"{title}\" needs a full {}×{} grid",
            rows.len(),
            cols.len()
        )));
    }
    let tr = |v: f64| {
        if log {
            v.max(f64::MIN_POSITIVE).log10()
        } else {
            v
        }
    };
    let finite: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    if finite.is_empty() {
        return Err(Error::Plot(format!("\"{title}\" has no positive values")));
    }
    let lo = finite.iter().copied().map(tr).fold(f64::INFINITY, f64::min);
    let hi = finite
        .iter()
        .copied()
        .map(tr)
        .fold(f64::NEG_INFINITY, f64::max)
        .max(lo + 1e-9);
    let (nx, ny) = (cols.len() as i32, rows.len() as i32);
    draw(title, |root| {
        let (main, key) = root.split_horizontally(660);
        let mut chart = ChartBuilder::on(&main)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0..nx - 1).into_segmented(), (0..ny - 1).into_segmented())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(cols.len() + 1)
            .y_labels(rows.len() + 1)
            .x_label_formatter(&|v| label(cols, v))
            .y_label_formatter(&|v| label(rows, v))
            .draw()?;
        chart.draw_series(values.iter().enumerate().flat_map(|(r, row)| {
            row.iter().enumerate().map(move |(c, v)| {
                let t = if v.is_finite() && *v > 0.0 {
                    (tr(*v) - lo) / (hi - lo)
                } else {
                    0.0
                };
                let (c, r) = (c as i32, r as i32);
                Rectangle::new(
                    [
                        (SegmentValue::Exact(c), SegmentValue::Exact(r)),
                        (SegmentValue::Exact(c + 1), SegmentValue::Exact(r + 1)),
                    ],
                    colour(t).filled(),
                )
            })
        }))?;
        // Colour key: ten steps from low to high, labelled at both ends.
        let untr = |x: f64| if log { 10f64.powf(x) } else { x };
        let kx = 30;
        for k in 0..10 {
            let y0 = 380 - k * 30;
            key.draw(&Rectangle::new(
                [(kx, y0 - 30), (kx + 24, y0)],
                colour(k as f64 / 9.0).filled(),
            ))?;
        }
        let style = ("sans-serif", 13).into_font();
        key.draw(&Text::new(
            fmt_sig(untr(hi), 3),
            (kx + 28, 84),
            style.clone(),
        ))?;
        key.draw(&Text::new(
            fmt_sig(untr(lo), 3),
            (kx + 28, 370),
            style.clone(),
        ))?;
        key.draw(&Text::new(value_desc.to_string(), (kx - 10, 60), style))?;
        Ok(())
    })
}
