//! `Outcome`: what every experiment's result can do — plot itself, say what
//! it means, print as a table and serialise — so the CLI and reports handle
//! all experiments alike.

use crate::error::Result;
use crate::plot::Figure;

/// A finished experiment's data.
pub trait Outcome {
    /// The experiment's name, as `hpp run` spells it.
    fn name(&self) -> &str;
    /// Its plot.
    ///
    /// # Errors
    /// [`crate::Error::Plot`] when there is nothing to draw.
    fn plot(&self) -> Result<Figure>;
    /// One or two sentences computed from the data.
    fn reading(&self) -> String;
    /// The data as a text table.
    fn table(&self) -> String;
    /// The data as pretty JSON, in the documented shape.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails.
    fn to_json(&self) -> Result<String>;
}

/// Print an outcome for evcxr: the reading as ordinary output (so it shows
/// above the figure), then the plot as SVG; or the table and the reason when
/// there is no plot.
pub(crate) fn show(o: &dyn Outcome) {
    match o.plot() {
        Ok(fig) => println!(
            "{}\nEVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\n[figure] {}\nEVCXR_END_CONTENT",
            o.reading(),
            fig.svg.trim(),
            fig.title
        ),
        Err(e) => println!(
            "EVCXR_BEGIN_CONTENT text/plain\n{}\n{}\n({e})\nEVCXR_END_CONTENT",
            o.table(),
            o.reading()
        ),
    }
}

/// Serialise any result to pretty JSON with hpp's error type.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| crate::Error::Json(e.to_string()))
}
