//! `Figure`: an SVG drawn in memory, shown inline by evcxr as
//! `image/svg+xml` (renders in JupyterLab, nbconvert HTML and on GitHub).

use std::path::Path;

use crate::error::{Error, Result};

/// A finished plot: its title and SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The plot's title, also its plain-text stand-in.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

impl Figure {
    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// Write the SVG to `path` (writing to disk is always opt-in).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let p = path.as_ref();
        std::fs::write(p, &self.svg).map_err(|e| Error::io(format!("writing {}", p.display()), e))
    }

    /// Show inline in a notebook: SVG, with the title as the text fallback.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[
                ("image/svg+xml", self.svg.trim()),
                ("text/plain", &format!("[figure] {}", self.title)),
            ])
        );
    }
}

/// Width and height of every figure, in SVG pixels.
pub const SIZE: (u32, u32) = (760, 440);

/// Draw into an SVG string of the usual [`SIZE`] and wrap it as a `Figure`.
pub(crate) fn draw(
    title: &str,
    paint: impl FnOnce(
        &plotters::drawing::DrawingArea<plotters::prelude::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> std::result::Result<(), Box<dyn std::error::Error>>,
) -> Result<Figure> {
    draw_sized(title, SIZE, paint)
}

/// As [`draw`], `size` pixels wide and high (a chart whose height grows
/// with its rows).
pub(crate) fn draw_sized(
    title: &str,
    size: (u32, u32),
    paint: impl FnOnce(
        &plotters::drawing::DrawingArea<plotters::prelude::SVGBackend<'_>, plotters::coord::Shift>,
    ) -> std::result::Result<(), Box<dyn std::error::Error>>,
) -> Result<Figure> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| Error::Plot(e.to_string()))?;
        paint(&root).map_err(|e| Error::Plot(e.to_string()))?;
        root.present().map_err(|e| Error::Plot(e.to_string()))?;
    }
    Ok(Figure {
        title: title.to_string(),
        svg,
    })
}
