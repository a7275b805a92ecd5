//! PLOTS: SVG figures drawn with plotters from plain data. A plot never
//! measures: every chart takes numbers and labels, nothing else.

mod bar;
mod figure;
mod flame;
mod heatmap;
mod size_chart;
mod strip;
mod xy_chart;

pub use bar::bar_chart;
pub use figure::{Figure, SIZE};
pub use flame::{FlameChart, flame_chart};
pub use heatmap::{HeatMap, heatmap};
pub use size_chart::{Marker, Series, SizeChart, size_chart};
pub use strip::{BOXES_ABOVE, StripChart, StripRow, strip_chart};
pub use xy_chart::{XyChart, XySeries, xy_chart};

use plotters::style::RGBColor;

/// A colour-blind-friendly palette (Okabe & Ito, 2008, without its pale
/// yellow, which is hard to see on white; grey instead), cycled.
pub(crate) fn palette(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(0, 114, 178),
        RGBColor(213, 94, 0),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
        RGBColor(0, 0, 0),
        RGBColor(128, 128, 128),
    ];
    C[i % C.len()]
}
