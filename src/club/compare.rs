//! Put several members' results side by side: the headline table, and the
//! latency curves, bandwidth curves, scaling and SIMD gains overlaid, each
//! line labelled with the name its member chose.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::headlines::headlines;
use super::report::STYLE;
use super::results::{ChapterResults, load};
use crate::error::{Error, Result};
use crate::measure::compare::Compare;
use crate::plot::{Figure, Series, SizeChart, XyChart, XySeries, bar_chart, size_chart, xy_chart};
use crate::report::html::{escape, table};
use crate::units::{fmt_sig, fmt_utc};

/// Several members' results, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Club {
    /// The results, one per member.
    pub members: Vec<ChapterResults>,
}

/// Load every file and put them side by side. Any file that cannot be read
/// stops the comparison with its own message; the others are untouched.
///
/// # Errors
/// [`Error::BadInput`] for fewer than two files or any unreadable file.
pub fn compare_files<P: AsRef<Path>>(paths: &[P]) -> Result<Club> {
    if paths.len() < 2 {
        return Err(Error::bad_input(format!(
            "compare needs two or more results files (got {}): each member writes one with `hpp chapter 1 --out DIR`",
            paths.len()
        )));
    }
    let members = paths.iter().map(load).collect::<Result<Vec<_>>>()?;
    Ok(Club { members })
}

impl Club {
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
        let all: Vec<Vec<super::headlines::Headline>> =
            self.members.iter().map(headlines).collect();
        let mut keys: Vec<(String, String, String)> = Vec::new();
        for hs in &all {
            for h in hs {
                if !keys.iter().any(|k| k.0 == h.key) {
                    keys.push((h.key.clone(), h.label.clone(), h.unit.clone()));
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
                let vals: Vec<Option<&super::headlines::Headline>> = all
                    .iter()
                    .map(|hs| hs.iter().find(|h| &h.key == key))
                    .collect();
                let mut row = vec![format!("{label} ({unit})")];
                for v in &vals {
                    row.push(match v {
                        Some(h) if h.flagged => format!("{} ⚠", fmt_sig(h.value, 3)),
                        Some(h) => fmt_sig(h.value, 3),
                        None => "–".into(),
                    });
                }
                row.push(
                    match (
                        vals.first().copied().flatten(),
                        vals.last().copied().flatten(),
                    ) {
                        (Some(a), Some(b)) if a.value != 0.0 => fmt_sig(b.value / a.value, 3),
                        _ => "–".into(),
                    },
                );
                row
            })
            .collect();
        (headers, rows)
    }

    fn size_series(&self, exp: &str, y: &str, keep: impl Fn(&Value) -> bool) -> Vec<Series> {
        self.labels()
            .into_iter()
            .zip(&self.members)
            .filter_map(|(label, m)| {
                let pts: Vec<(u64, f64)> = m
                    .data(exp)?
                    .get("points")?
                    .as_array()?
                    .iter()
                    .filter(|p| keep(p))
                    .filter_map(|p| Some((p.get("size_bytes")?.as_u64()?, p.get(y)?.as_f64()?)))
                    .collect();
                (!pts.is_empty()).then_some(Series { label, points: pts })
            })
            .collect()
    }

    /// Latency curves overlaid.
    ///
    /// # Errors
    /// [`Error::Plot`] when no member has latency data.
    pub fn latency_plot(&self) -> Result<Figure> {
        let series = self.size_series("latency", "ns_per_load", |_| true);
        size_chart(&SizeChart {
            title: "Load latency by working-set size, each member's machine",
            x_label: "working set (bytes, log scale)",
            y_label: "ns per dependent load",
            series: &series,
            markers: &[],
            log_y: true,
        })
    }

    /// One-thread read bandwidth curves overlaid.
    ///
    /// # Errors
    /// [`Error::Plot`] when no member has bandwidth data.
    pub fn bandwidth_plot(&self) -> Result<Figure> {
        let series = self.size_series("bandwidth", "gb_per_s", |p| {
            p.get("kernel").and_then(Value::as_str) == Some("read")
                && p.get("threads").and_then(Value::as_u64) == Some(1)
        });
        size_chart(&SizeChart {
            title: "Read bandwidth (one thread) by working-set size, each member's machine",
            x_label: "working set (bytes, log scale)",
            y_label: "GB/s",
            series: &series,
            markers: &[],
            log_y: true,
        })
    }

    /// Compute-bound speed-up against threads.
    ///
    /// # Errors
    /// [`Error::Plot`] when no member has scaling data.
    pub fn scaling_plot(&self) -> Result<Figure> {
        let series: Vec<XySeries> = self
            .labels()
            .into_iter()
            .zip(&self.members)
            .filter_map(|(label, m)| {
                let pts: Vec<(f64, f64)> = m
                    .data("scaling")?
                    .get("points")?
                    .as_array()?
                    .iter()
                    .filter(|p| p.get("workload").and_then(Value::as_str) == Some("compute"))
                    .filter_map(|p| {
                        Some((p.get("threads")?.as_f64()?, p.get("speedup")?.as_f64()?))
                    })
                    .collect();
                (!pts.is_empty()).then_some(XySeries {
                    label,
                    points: pts,
                    line: true,
                })
            })
            .collect();
        xy_chart(&XyChart {
            title: "Compute-bound speed-up by threads, each member's machine",
            x_label: "threads",
            y_label: "speed-up over one thread",
            series: &series,
            log_x: false,
            log_y: false,
            notes: &[],
        })
    }

    /// The SIMD gain (f32 sum in L1, explicit lanes ÷ scalar) per member.
    ///
    /// # Errors
    /// [`Error::Plot`] when no member has SIMD data.
    pub fn simd_plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .labels()
            .into_iter()
            .zip(&self.members)
            .filter_map(|(l, m)| {
                headlines(m)
                    .into_iter()
                    .find(|h| h.key == "simd_f32_sum_l1_speedup")
                    .map(|h| (l, h.value))
            })
            .collect();
        bar_chart(
            "SIMD: f32 sum in L1, explicit lanes ÷ scalar",
            "times faster",
            &bars,
        )
    }

    /// The tiers table: each tier's latency and bandwidth per member.
    pub fn tiers_rows(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let labels = self.labels();
        let mut tiers: Vec<String> = Vec::new();
        for m in &self.members {
            for t in m
                .data("tiers")
                .and_then(|d| d.get("tiers")?.as_array().cloned())
                .unwrap_or_default()
            {
                if let Some(n) = t.get("tier").and_then(Value::as_str)
                    && !tiers.iter().any(|x| x == n)
                {
                    tiers.push(n.to_string());
                }
            }
        }
        let mut headers = vec!["tier".to_string()];
        headers.extend(labels.iter().map(|l| format!("{l}: latency · bandwidth")));
        let rows = tiers
            .iter()
            .map(|tier| {
                let mut row = vec![tier.clone()];
                for m in &self.members {
                    let t = m.data("tiers").and_then(|d| {
                        d.get("tiers")?
                            .as_array()?
                            .iter()
                            .find(|t| t.get("tier").and_then(Value::as_str) == Some(tier))
                            .cloned()
                    });
                    let ns = t.as_ref().and_then(|t| t.get("latency_ns")?.as_f64());
                    let gbs = t.as_ref().and_then(|t| t.get("gb_per_s")?.as_f64());
                    row.push(format!(
                        "{} · {}",
                        ns.map_or("–".into(), |x| crate::units::fmt_seconds(x / 1e9)),
                        gbs.map_or("–".into(), |x| format!("{} GB/s", fmt_sig(x, 3)))
                    ));
                }
                row
            })
            .collect();
        (headers, rows)
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
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpp compare</title><style>{STYLE}</style></head><body>\n<h1>Book club: chapter 1, {} machines</h1>\n",
            self.members.len()
        );
        h.push_str(&self.body_html());
        h.push_str("</body></html>\n");
        h
    }

    fn body_html(&self) -> String {
        let mut h = String::new();
        h.push_str(&table(
            &["member", "CPU", "run", "budget", "quality flags"],
            &self.members_rows(),
        ));
        let (hd, rows) = self.table_rows();
        let hd: Vec<&str> = hd.iter().map(String::as_str).collect();
        h.push_str("\n<h2>Headline figures</h2>\n<p>⚠ marks a figure from an experiment whose timings were flagged as noisy on that machine.</p>\n");
        h.push_str(&table(&hd, &rows));
        for (title, fig) in [
            ("Latency", self.latency_plot()),
            ("Bandwidth", self.bandwidth_plot()),
            ("SIMD", self.simd_plot()),
            ("Scaling", self.scaling_plot()),
        ] {
            h.push_str(&format!("\n<h2>{title}</h2>\n"));
            match fig {
                Ok(f) => h.push_str(f.svg.trim()),
                Err(e) => h.push_str(&format!("<p>not shown: {}</p>", escape(&e.to_string()))),
            }
        }
        let (th, trows) = self.tiers_rows();
        let th: Vec<&str> = th.iter().map(String::as_str).collect();
        h.push_str("\n<h2>The hierarchy, tier by tier: latency and bandwidth</h2>\n");
        h.push_str(&table(&th, &trows));
        h
    }

    /// Show in a notebook: the tables and every overlaid plot as HTML, with
    /// the latency overlay alone as SVG and the table as text for front ends
    /// that do not render HTML.
    pub fn evcxr_display(&self) {
        let svg = self
            .latency_plot()
            .map(|f| {
                format!(
                    "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT\n",
                    f.svg.trim()
                )
            })
            .unwrap_or_default();
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\n{svg}EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT",
            self.body_html()
        );
    }
}

impl fmt::Display for Club {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for row in self.members_rows() {
            writeln!(
                f,
                "{}: {} · {} · {} · flags: {}",
                row[0], row[1], row[2], row[3], row[4]
            )?;
        }
        let (headers, rows) = self.table_rows();
        writeln!(f)?;
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
        line(f, &headers)?;
        for r in &rows {
            line(f, r)?;
        }
        Ok(())
    }
}

// Paths of results files, however they are spelled, compare as a club.
macro_rules! compare_paths {
    ($($t:ty),*) => {
        $(impl Compare for $t {
            type Output = Result<Club>;
            fn compare_all(items: &[Self]) -> Self::Output {
                compare_files(items)
            }
        })*
    };
}

compare_paths!(&str, String, &Path, PathBuf);
