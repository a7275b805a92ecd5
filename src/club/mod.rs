//! THE BOOK CLUB: a chapter run as one results file and one report, and
//! several members' results side by side. This layer sits on top: it runs
//! experiments and shows them; nothing below depends on it.

pub mod folder;
pub mod headlines;
pub mod page;
pub mod plan;
pub mod results;
pub mod session;
pub mod side_by_side;
pub mod spread;

pub use folder::{Book, Skipped, gather};
pub use headlines::{MemberHeadline, headlines};
pub use page::{report_html, summary_html};
pub use plan::{SessionPlan, session_plan};
pub use results::{ChapterResults, RunQuality, load, parse};
pub use session::{ChapterRun, run_chapter};
pub use side_by_side::{Club, Drawn, load_club};

use crate::error::Result;
use crate::experiments::Outcome;
use crate::machine::Machine;
use crate::measure::Budget;

/// Collect a notebook's outcomes into chapter `chapter`'s results file for
/// `member` (the CPU share is measured now, briefly; dispersion is not
/// observed in a notebook).
///
/// # Errors
/// An unknown chapter, a bad member name, or an outcome whose JSON cannot
/// be produced.
pub fn notebook_results(
    chapter: u32,
    member: &str,
    machine: &Machine,
    budget: &Budget,
    outcomes: &[&dyn Outcome],
) -> Result<ChapterResults> {
    let quality = session::measure_quality(machine, std::time::Duration::from_millis(200));
    let mut r = ChapterResults::new(
        crate::chapters::chapter(chapter)?,
        member,
        machine,
        budget,
        quality,
    )?;
    for o in outcomes {
        r.add(*o)?;
    }
    Ok(r)
}

impl ChapterResults {
    /// "Your machine in numbers", for a notebook.
    pub fn summary(&self) -> crate::report::html::Html {
        summary_html(self)
    }
}
