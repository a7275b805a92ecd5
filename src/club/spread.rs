//! A club too large for side-by-side columns: for each headline figure, the
//! spread of the members' values (median, range) and where one member sits
//! (value, rank); the strip chart that shows every member at once; and the
//! quality flags counted once instead of repeated per member.

use std::collections::BTreeMap;

use super::side_by_side::Club;
use crate::error::Result;
use crate::plot::{Figure, StripChart, StripRow, strip_chart};
use crate::units::fmt_sig;

/// Members up to which a club is shown side by side, in columns.
pub const HANDFUL: usize = 6;

/// One headline figure across the club.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// The headline's key.
    pub key: String,
    /// "L1 latency".
    pub label: String,
    /// "ns".
    pub unit: String,
    /// Whether larger is better (for the rank).
    pub higher_is_better: bool,
    /// (member index, value), for every member who has the figure.
    pub values: Vec<(usize, f64)>,
    /// The median of the values.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Spread {
    /// Member `who`'s value, if they have this figure.
    pub fn value_of(&self, who: usize) -> Option<f64> {
        self.values.iter().find(|v| v.0 == who).map(|v| v.1)
    }

    /// Member `who`'s rank, 1 = best (largest where larger is better,
    /// smallest otherwise), ties sharing the better rank.
    pub fn rank_of(&self, who: usize) -> Option<usize> {
        let mine = self.value_of(who)?;
        let better = self
            .values
            .iter()
            .filter(|(_, v)| {
                if self.higher_is_better {
                    *v > mine
                } else {
                    *v < mine
                }
            })
            .count();
        Some(better + 1)
    }
}

/// The median of `v` (sorted copy; the mean of the middle two for an even
/// count). `None` for no values.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    Some(if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    })
}

/// Every headline figure of the club, in chapter order, with its spread.
pub fn spreads(club: &Club) -> Vec<Spread> {
    let mut out: Vec<Spread> = Vec::new();
    for (who, hs) in club.member_headlines().iter().enumerate() {
        for h in hs {
            let h = h.headline.clone();
            if !h.value.is_finite() {
                continue;
            }
            match out.iter_mut().find(|s| s.key == h.key) {
                Some(s) => s.values.push((who, h.value)),
                None => out.push(Spread {
                    key: h.key,
                    label: h.label,
                    unit: h.unit,
                    higher_is_better: h.higher_is_better,
                    values: vec![(who, h.value)],
                    median: 0.0,
                    min: 0.0,
                    max: 0.0,
                }),
            }
        }
    }
    for s in &mut out {
        let vals: Vec<f64> = s.values.iter().map(|v| v.1).collect();
        s.median = median(&vals).unwrap_or(f64::NAN);
        s.min = vals.iter().copied().fold(f64::INFINITY, f64::min);
        s.max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    out
}

/// The table of spreads: figure, median, range, and the chosen member's
/// value and rank when one is chosen.
pub fn spread_rows(club: &Club, spreads: &[Spread]) -> (Vec<String>, Vec<Vec<String>>) {
    let me = club.me;
    let mut headers: Vec<String> = ["figure", "median", "range", "members"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(i) = me {
        headers.push(club.labels()[i].clone());
        headers.push("rank (1 = best)".into());
    }
    let rows = spreads
        .iter()
        .map(|s| {
            let mut row = vec![
                format!("{} ({})", s.label, s.unit),
                fmt_sig(s.median, 3),
                format!("{} – {}", fmt_sig(s.min, 3), fmt_sig(s.max, 3)),
                s.values.len().to_string(),
            ];
            if let Some(i) = me {
                row.push(s.value_of(i).map_or("–".into(), |v| fmt_sig(v, 3)));
                row.push(
                    s.rank_of(i)
                        .map_or("–".into(), |r| format!("{r} of {}", s.values.len())),
                );
            }
            row
        })
        .collect();
    (headers, rows)
}

/// Every member on every headline figure, as a ratio to the club's median.
///
/// # Errors
/// [`crate::Error::Plot`] when there is nothing to draw.
pub fn strip(club: &Club, spreads: &[Spread]) -> Result<Figure> {
    let rows: Vec<StripRow> = spreads
        .iter()
        .filter(|s| s.median.is_finite() && s.median > 0.0)
        .map(|s| StripRow {
            label: format!("{} ({})", s.label, s.unit),
            ratios: s.values.iter().map(|v| v.1 / s.median).collect(),
            me: club.me.and_then(|i| s.value_of(i)).map(|v| v / s.median),
        })
        .collect();
    let me_label = club.me.map(|i| club.labels()[i].clone());
    strip_chart(&StripChart {
        title: &format!(
            "Chapter {}: where each of {} machines sits{}",
            club.chapter(),
            club.members.len(),
            me_label
                .as_deref()
                .map(|m| format!(" (orange: {m})"))
                .unwrap_or_default()
        ),
        x_label: if club.members.len() > crate::plot::BOXES_ABOVE {
            "value ÷ the club's median (log scale); box: the middle half of the members, whiskers: all, tick: the median"
        } else {
            "value ÷ the club's median (log scale)"
        },
        rows: &rows,
        me_label: me_label.as_deref(),
    })
}

/// The quality flags counted once: "12 of 50 runs flagged: noisy bandwidth
/// 9, latency 5; CPU share 3".
pub fn flags_summary(club: &Club) -> String {
    let n = club.members.len();
    let mut flagged = 0;
    let mut noisy: BTreeMap<String, usize> = BTreeMap::new();
    let mut run_flags: BTreeMap<String, usize> = BTreeMap::new();
    for m in &club.members {
        let mut any = false;
        for f in &m.quality.flags {
            // "CPU share: 2 spinning threads …" → "CPU share".
            let kind = f.split(':').next().unwrap_or(f).trim().to_string();
            *run_flags.entry(kind).or_default() += 1;
            any = true;
        }
        for (name, e) in &m.experiments {
            if !e.flags.is_empty() {
                *noisy.entry(name.clone()).or_default() += 1;
                any = true;
            }
        }
        flagged += usize::from(any);
    }
    if flagged == 0 {
        return format!("no run of the {n} was flagged");
    }
    let by_count = |m: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .map(|(k, c)| format!("{k} {c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !noisy.is_empty() {
        parts.push(format!("noisy {}", by_count(noisy)));
    }
    if !run_flags.is_empty() {
        parts.push(by_count(run_flags));
    }
    format!("{flagged} of {n} runs flagged: {}", parts.join("; "))
}
