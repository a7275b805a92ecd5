//! PLOTS: SVG figures drawn with plotters from plain data. A plot never
//! measures: every chart takes numbers and labels, nothing else.

mod bar;
mod figure;
mod flame;
mod heatmap;
mod size_chart;
mod stacked;
mod strip;
mod xy_chart;

pub use bar::bar_chart;
pub use figure::{Figure, SIZE};
pub use flame::{FlameChart, flame_chart};
pub use heatmap::{HeatMap, heatmap};
pub use size_chart::{Marker, Series, SizeChart, size_chart};
pub use stacked::{StackedBars, stacked_bars};
pub use strip::{BOXES_ABOVE, StripChart, StripRow, strip_chart};
pub use xy_chart::{XyChart, XySeries, xy_chart};

use plotters::chart::SeriesLabelPosition;
use plotters::style::RGBColor;

/// The share of the plot's height a legend of `series` lines takes.
pub(crate) fn legend_height(series: usize) -> f64 {
    (0.08 + 0.065 * series as f64).min(0.9)
}

/// The corner where a legend box (about 45% of the plot's width, a line
/// per series) would hide the fewest of `pts` (in the chart's own
/// coordinates), trying the corners in the order given (the first wins a
/// tie), with how many points the box hides there.
pub(crate) fn legend_corner_counted(
    pts: &[(f64, f64)],
    (x_lo, x_hi): (f64, f64),
    (y_lo, y_hi): (f64, f64),
    series: usize,
    order: &[SeriesLabelPosition],
) -> (SeriesLabelPosition, usize) {
    let box_w = (x_hi - x_lo) * 0.45;
    let box_h = (y_hi - y_lo) * legend_height(series);
    let hidden = |pos: &SeriesLabelPosition| {
        let (right, upper) = match pos {
            SeriesLabelPosition::LowerRight => (true, false),
            SeriesLabelPosition::UpperRight => (true, true),
            SeriesLabelPosition::UpperLeft => (false, true),
            _ => (false, false),
        };
        pts.iter()
            .filter(|p| {
                let in_x = if right {
                    p.0 > x_hi - box_w
                } else {
                    p.0 < x_lo + box_w
                };
                let in_y = if upper {
                    p.1 > y_hi - box_h
                } else {
                    p.1 < y_lo + box_h
                };
                in_x && in_y
            })
            .count()
    };
    order
        .iter()
        .map(|p| (p.clone(), hidden(p)))
        .min_by_key(|(_, n)| *n)
        .unwrap_or((SeriesLabelPosition::LowerRight, 0))
}

/// A colour-blind-friendly palette (Okabe & Ito, 2008, without its pale
/// yellow, which is hard to see on white; grey instead), then four darker
/// colours from Paul Tol's "muted" scheme for charts with more series,
/// cycled.
pub(crate) fn palette(i: usize) -> RGBColor {
    const C: [RGBColor; 12] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
        RGBColor(0, 0, 0),
        RGBColor(128, 128, 128),
        RGBColor(136, 34, 85),
        RGBColor(51, 34, 136),
        RGBColor(153, 153, 51),
        RGBColor(68, 170, 153),
    ];
    C[i % C.len()]
}
