//! Several members' results side by side: the headline table, and every
//! curve, bar and row the chapter's experiments offer for comparison
//! overlaid, each labelled with the name its member chose. Generic over the
//! registry: this file names no experiment.

use std::fmt;
use std::path::Path;

use super::headlines::{MemberHeadline, headlines};
use super::page::STYLE;
use super::results::{ChapterResults, load};
use super::spread::{HANDFUL, flags_summary, spread_rows, spreads, strip};
use crate::error::{Error, Result};
use crate::experiments::{Overlay, Shape};
use crate::plot::{Figure, Series, SizeChart, XyChart, XySeries, bar_chart, size_chart, xy_chart};
use crate::report::html::{escape, table};
use crate::units::{fmt_sig, fmt_utc, shorten};

/// Several members' results of one chapter, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Club {
    /// The results, one per member.
    pub members: Vec<ChapterResults>,
    /// The member to highlight (`--me NAME`), by index.
    pub me: Option<usize>,
    /// Each member's headline figures, read once (in parallel) when first
    /// asked for: a club of hundreds would otherwise read every file's
    /// experiments again for each table and chart.
    headlines: std::sync::OnceLock<Vec<Vec<MemberHeadline>>>,
}

/// Load every file and put them side by side. Any file that cannot be read
/// stops with its own message; nothing is written.
///
/// # Errors
/// [`Error::BadInput`] for fewer than two files, any unreadable file, or
/// files of different chapters.
pub fn load_club<P: AsRef<Path>>(paths: &[P]) -> Result<Club> {
    if paths.len() < 2 {
        return Err(Error::bad_input(format!(
            "a comparison needs two or more results files (got {}): each member writes one with `hpp chapter N --out DIR`",
            paths.len()
        )));
    }
    let members = paths.iter().map(load).collect::<Result<Vec<_>>>()?;
    if let Some(other) = members.iter().find(|m| m.chapter != members[0].chapter) {
        return Err(Error::bad_input(format!(
            "these files hold different chapters ({} and {}): compare one chapter at a time",
            members[0].chapter, other.chapter
        )));
    }
    Ok(Club::new(members))
}

/// One comparison chart or table, drawn from every member's overlay.
#[derive(Debug, Clone, PartialEq)]
pub enum Drawn {
    /// A chart.
    Figure(Figure),
    /// A table: headers and rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

impl Club {
    /// A club of `members`, no one highlighted.
    pub fn new(members: Vec<ChapterResults>) -> Club {
        Club {
            members,
            me: None,
            headlines: std::sync::OnceLock::new(),
        }
    }

    /// A club whose headline figures were read already (one list per
    /// member, in order): a club of hundreds read from a folder keeps only
    /// these, not every experiment's data, so it has no overlays.
    pub fn with_headlines(
        members: Vec<ChapterResults>,
        headlines: Vec<Vec<MemberHeadline>>,
    ) -> Club {
        let club = Club::new(members);
        if headlines.len() == club.members.len() {
            let _ = club.headlines.set(headlines);
        }
        club
    }

    /// Every member's headline figures, in member order.
    pub fn member_headlines(&self) -> &[Vec<MemberHeadline>] {
        self.headlines.get_or_init(|| {
            use rayon::prelude::*;
            self.members.par_iter().map(headlines).collect()
        })
    }

    /// The same club with member `name` highlighted (their value and rank
    /// beside every figure, their dot marked on the strip chart).
    ///
    /// # Errors
    /// [`Error::BadInput`] naming the members when none is called `name`.
    pub fn with_me(mut self, name: &str) -> Result<Club> {
        let labels = self.labels();
        match labels.iter().position(|l| l == name) {
            Some(i) => {
                self.me = Some(i);
                Ok(self)
            }
            None => {
                let mut known: Vec<&str> = labels.iter().map(String::as_str).take(12).collect();
                if labels.len() > 12 {
                    known.push("…");
                }
                Err(Error::bad_input(format!(
                    "--me {name}: no member of chapter {} is called that; members: {}",
                    self.chapter(),
                    known.join(", ")
                )))
            }
        }
    }

    /// Too many members for side-by-side columns ([`HANDFUL`])?
    pub fn is_large(&self) -> bool {
        self.members.len() > HANDFUL
    }

    /// Each member's label: the chosen name, numbered when two are equal.
    pub fn labels(&self) -> Vec<String> {
        self.members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                // Members before this one with the very same name.
                let same = self.members[..i]
                    .iter()
                    .filter(|o| o.member == m.member)
                    .count();
                if same == 0 {
                    m.member.clone()
                } else {
                    format!("{} ({})", m.member, same + 1)
                }
            })
            .collect()
    }

    /// Headline figures as rows: label, one value per member, and the
    /// ratio of the last member's value to the first's.
    pub fn table_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let labels = self.labels();
        let all = self.member_headlines();
        let mut keys: Vec<(String, String, String)> = Vec::new();
        for hs in all {
            for h in hs {
                if !keys.iter().any(|k| k.0 == h.headline.key) {
                    keys.push((
                        h.headline.key.clone(),
                        h.headline.label.clone(),
                        h.headline.unit.clone(),
                    ));
                }
            }
        }
        let mut headers = vec!["figure".to_string()];
        headers.extend(labels.iter().cloned());
        headers.push(format!(
            "{} ÷ {}",
            labels.last().cloned().unwrap_or_default(),
            labels[0]
        ));
        let rows = keys
            .iter()
            .map(|(key, label, unit)| {
                let vals: Vec<Option<&MemberHeadline>> = all
                    .iter()
                    .map(|hs| hs.iter().find(|h| &h.headline.key == key))
                    .collect();
                let mut row = vec![format!("{label} ({unit})")];
                for v in &vals {
                    row.push(match v {
                        Some(h) if h.flagged => format!("{} ⚠", fmt_sig(h.headline.value, 3)),
                        Some(h) => fmt_sig(h.headline.value, 3),
                        None => "–".into(),
                    });
                }
                row.push(
                    match (
                        vals.first().copied().flatten(),
                        vals.last().copied().flatten(),
                    ) {
                        (Some(a), Some(b)) if a.headline.value != 0.0 => {
                            fmt_sig(b.headline.value / a.headline.value, 3)
                        }
                        _ => "–".into(),
                    },
                );
                row
            })
            .collect();
        (headers, rows)
    }

    /// The chapter being compared.
    pub fn chapter(&self) -> u32 {
        self.members.first().map_or(0, |m| m.chapter)
    }

    /// Every member's overlays, grouped by key in chapter order: each group
    /// is one chart or table, with (member label, overlay) pairs.
    pub fn overlay_groups(&self) -> Vec<(String, Vec<(String, Overlay)>)> {
        let mut groups: Vec<(String, Vec<(String, Overlay)>)> = Vec::new();
        for (label, m) in self.labels().into_iter().zip(&self.members) {
            for (_, o) in m.outcomes() {
                for ov in o.overlays() {
                    match groups.iter_mut().find(|g| g.0 == ov.key) {
                        Some(g) => g.1.push((label.clone(), ov)),
                        None => groups.push((ov.key.clone(), vec![(label.clone(), ov)])),
                    }
                }
            }
        }
        groups
    }

    /// The comparison for overlay `key` ("latency", "bandwidth", …): a
    /// chart with one line or bar per member, or a table with a column each.
    ///
    /// # Errors
    /// [`Error::Plot`] when no member has data for it.
    pub fn overlay(&self, key: &str) -> Result<Drawn> {
        let group = self
            .overlay_groups()
            .into_iter()
            .find(|g| g.0 == key)
            .map(|g| g.1)
            .unwrap_or_default();
        draw(key, &group)
    }

    /// Every comparison, titled, in chapter order.
    pub fn overlays(&self) -> Vec<(String, Result<Drawn>)> {
        self.overlay_groups()
            .into_iter()
            .map(|(key, group)| {
                let title = group.first().map_or(key.clone(), |g| g.1.title.clone());
                (title, draw(&key, &group))
            })
            .collect()
    }

    /// Who is who: member, CPU, run date, budget, flags.
    pub fn members_rows(&self) -> Vec<Vec<String>> {
        self.labels()
            .into_iter()
            .zip(&self.members)
            .map(|(l, m)| {
                let flags: Vec<String> = m
                    .quality
                    .flags
                    .iter()
                    .cloned()
                    .chain(
                        m.experiments
                            .iter()
                            .filter(|(_, e)| !e.flags.is_empty())
                            .map(|(n, _)| format!("{n}: noisy")),
                    )
                    .collect();
                vec![
                    l,
                    m.cpu_brand(),
                    fmt_utc(m.created_unix_s),
                    m.budget.clone(),
                    if flags.is_empty() {
                        "none".into()
                    } else {
                        flags.join("; ")
                    },
                ]
            })
            .collect()
    }

    /// A self-contained HTML page.
    pub fn to_html(&self) -> String {
        let mut h = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpp compare</title><style>{STYLE}</style></head><body>\n<h1>Book club: chapter {}, {} machines</h1>\n",
            self.chapter(),
            self.members.len()
        );
        h.push_str(&self.body_html());
        h.push_str("</body></html>\n");
        h
    }

    pub(crate) fn body_html(&self) -> String {
        self.body_html_with(true)
    }

    /// The page body; `spread_table`: include the large club's table of
    /// spreads (a whole-book page shows them all in its summary instead).
    pub(crate) fn body_html_with(&self, spread_table: bool) -> String {
        if self.is_large() {
            return self.large_body_html(spread_table);
        }
        let mut h = String::new();
        h.push_str(&table(
            &["member", "CPU", "run", "budget", "quality flags"],
            &self.members_rows(),
        ));
        let (hd, rows) = self.table_rows();
        let hd: Vec<&str> = hd.iter().map(String::as_str).collect();
        h.push_str("\n<h2>Headline figures</h2>\n<p>⚠ marks a figure from an experiment whose timings were flagged as noisy on that machine.</p>\n");
        h.push_str(&table(&hd, &rows));
        for (title, drawn) in self.overlays() {
            h.push_str(&format!("\n<h2>{}</h2>\n", escape(&title)));
            match drawn {
                Ok(Drawn::Figure(f)) => h.push_str(f.svg.trim()),
                Ok(Drawn::Table(th, rows)) => {
                    let th: Vec<&str> = th.iter().map(String::as_str).collect();
                    h.push_str(&table(&th, &rows));
                }
                Err(e) => h.push_str(&format!("<p>not shown: {}</p>", escape(&e.to_string()))),
            }
        }
        h
    }

    /// A club of many: the flags counted once, every member on one strip
    /// chart, the spread of each figure, and the member list folded away.
    fn large_body_html(&self, spread_table: bool) -> String {
        let spreads = spreads(self);
        let mut h = format!("<p><b>Quality:</b> {}.</p>\n", escape(&flags_summary(self)));
        match strip(self, &spreads) {
            Ok(f) => h.push_str(f.svg.trim()),
            Err(e) => h.push_str(&format!("<p>not shown: {}</p>", escape(&e.to_string()))),
        }
        if spread_table {
            let (hd, rows) = spread_rows(self, &spreads);
            let hd: Vec<&str> = hd.iter().map(String::as_str).collect();
            h.push_str("\n<h2>Headline figures across the club</h2>\n");
            h.push_str(&table(&hd, &rows));
        }
        h.push_str(&format!(
            "\n<p>Per-member curves are overlaid for clubs of up to {HANDFUL}: compare a few results files to see them.</p>\n<details><summary>The {} members: CPU, run, budget, quality flags</summary>\n",
            self.members.len()
        ));
        h.push_str(&table(
            &["member", "CPU", "run", "budget", "quality flags"],
            &self.members_rows(),
        ));
        h.push_str("</details>\n");
        h
    }

    /// Show in a notebook: the tables and every overlaid chart as HTML, with
    /// the first chart alone as SVG and the table as text for front ends
    /// that do not render HTML.
    pub fn evcxr_display(&self) {
        let first_svg = self.overlays().into_iter().find_map(|(_, d)| match d {
            Ok(Drawn::Figure(f)) => Some(f.svg),
            _ => None,
        });
        let html = self.body_html();
        let text = self.to_string();
        let mut parts = vec![("text/html", html.as_str())];
        if let Some(svg) = &first_svg {
            parts.push(("image/svg+xml", svg.trim()));
        }
        parts.push(("text/plain", text.as_str()));
        println!("{}", crate::display::evcxr_content(&parts));
    }
}

/// Draw one overlay group.
fn draw(key: &str, group: &[(String, Overlay)]) -> Result<Drawn> {
    let Some((_, first)) = group.first() else {
        return Err(Error::Plot(format!("no member has \"{key}\" data")));
    };
    match &first.shape {
        Shape::BySize { log_y, .. } => {
            let series: Vec<Series> = group
                .iter()
                .filter_map(|(label, o)| match &o.shape {
                    Shape::BySize { points, .. } if !points.is_empty() => Some(Series {
                        label: label.clone(),
                        points: points.clone(),
                    }),
                    _ => None,
                })
                .collect();
            size_chart(&SizeChart {
                title: &first.title,
                x_label: &first.x_label,
                y_label: &first.y_label,
                series: &series,
                markers: &[],
                log_y: *log_y,
            })
            .map(Drawn::Figure)
        }
        Shape::Xy { .. } => {
            let series: Vec<XySeries> = group
                .iter()
                .filter_map(|(label, o)| match &o.shape {
                    Shape::Xy { points } if !points.is_empty() => Some(XySeries {
                        label: label.clone(),
                        points: points.clone(),
                        line: true,
                        color_of: None,
                    }),
                    _ => None,
                })
                .collect();
            xy_chart(&XyChart {
                title: &first.title,
                x_label: &first.x_label,
                y_label: &first.y_label,
                series: &series,
                log_x: false,
                log_y: false,
                notes: &[],
            })
            .map(Drawn::Figure)
        }
        Shape::Bar(_) => {
            let bars: Vec<(String, f64)> = group
                .iter()
                .filter_map(|(label, o)| match o.shape {
                    Shape::Bar(v) => Some((label.clone(), v)),
                    _ => None,
                })
                .collect();
            bar_chart(&first.title, &first.y_label, &bars).map(Drawn::Figure)
        }
        Shape::Rows(_) => {
            let mut names: Vec<String> = Vec::new();
            for (_, o) in group {
                if let Shape::Rows(rows) = &o.shape {
                    for (n, _) in rows {
                        if !names.contains(n) {
                            names.push(n.clone());
                        }
                    }
                }
            }
            let mut headers = vec![first.x_label.clone()];
            headers.extend(group.iter().map(|(l, o)| format!("{l}: {}", o.y_label)));
            let rows = names
                .iter()
                .map(|n| {
                    let mut row = vec![n.clone()];
                    row.extend(group.iter().map(|(_, o)| {
                        match &o.shape {
                            Shape::Rows(rows) => rows
                                .iter()
                                .find(|r| &r.0 == n)
                                .map_or("–".to_string(), |r| r.1.clone()),
                            _ => "–".to_string(),
                        }
                    }));
                    row
                })
                .collect();
            Ok(Drawn::Table(headers, rows))
        }
    }
}

/// Columns padded to their widest cell, first left-aligned, the rest right.
fn text_table(f: &mut fmt::Formatter<'_>, headers: &[String], rows: &[Vec<String>]) -> fmt::Result {
    let width = |c: usize| {
        std::iter::once(&headers[c])
            .chain(rows.iter().map(|r| &r[c]))
            .map(|x| x.chars().count())
            .max()
            .unwrap_or(6)
    };
    let widths: Vec<usize> = (0..headers.len()).map(width).collect();
    let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
        write!(f, "{:<w$}", cells[0], w = widths[0])?;
        for (c, w) in cells[1..].iter().zip(&widths[1..]) {
            write!(f, "  {c:>w$}")?;
        }
        writeln!(f)
    };
    line(f, headers)?;
    for r in rows {
        line(f, r)?;
    }
    Ok(())
}

impl fmt::Display for Club {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_large() {
            let spreads = spreads(self);
            writeln!(
                f,
                "chapter {}: {} machines{}",
                self.chapter(),
                self.members.len(),
                self.me
                    .map(|i| format!(" (you: {})", self.labels()[i]))
                    .unwrap_or_default()
            )?;
            writeln!(f, "quality: {}\n", shorten(&flags_summary(self), 400))?;
            let (mut headers, mut rows) = spread_rows(self, &spreads);
            // Keep the widest column, the figure's name, within 100 columns.
            for r in &mut rows {
                r[0] = shorten(&r[0], 38);
            }
            if let Some(me) = headers.get_mut(4) {
                *me = shorten(me, 12);
            }
            headers[0] = "figure".into();
            return text_table(f, &headers, &rows);
        }
        for row in self.members_rows() {
            writeln!(
                f,
                "{}: {} · {} · {} · flags: {}",
                row[0], row[1], row[2], row[3], row[4]
            )?;
        }
        let (headers, rows) = self.table_rows();
        writeln!(f)?;
        text_table(f, &headers, &rows)
    }
}
