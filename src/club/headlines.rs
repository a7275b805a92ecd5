//! The figures a book club puts side by side. Each experiment declares its
//! own ([`crate::experiments::Outcome::headlines`]); this collects them from
//! a results file in chapter order and notes whether the experiment they
//! came from was flagged as noisy.

use serde::{Deserialize, Serialize};

use super::results::ChapterResults;

/// One headline figure from one member's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberHeadline {
    /// The figure as the experiment declared it.
    #[serde(flatten)]
    pub headline: crate::experiments::Headline,
    /// The experiment it was read from.
    pub experiment: String,
    /// Whether that experiment carries a quality flag.
    pub flagged: bool,
}

/// Every headline the results hold, in notebook order (missing experiments
/// or measurements are skipped, never guessed).
pub fn headlines(r: &ChapterResults) -> Vec<MemberHeadline> {
    r.outcomes()
        .into_iter()
        .flat_map(|(entry, o)| {
            let flagged = r
                .experiments
                .get(entry.name)
                .is_some_and(|e| !e.flags.is_empty());
            o.headlines()
                .into_iter()
                .map(move |headline| MemberHeadline {
                    headline,
                    experiment: entry.name.to_string(),
                    flagged,
                })
        })
        .collect()
}
