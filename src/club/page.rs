//! `report.html`: one self-contained page per chapter run — the machine
//! card, how far to trust the run, the summary table, then every
//! experiment's reading, plot and data. No scripts, no external files.

use super::headlines::{MemberHeadline, headlines};
use super::results::ChapterResults;
use super::session::ChapterRun;
use crate::report::html::{Html, escape, table};
use crate::units::{fmt_sig, fmt_utc};

/// The page's style: readable in any browser, printable.
pub const STYLE: &str = "body{font-family:sans-serif;max-width:1040px;margin:24px auto;padding:0 16px;color:#222;line-height:1.45}\
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}\
table.hpp{border-collapse:collapse;font-size:14px}table.hpp td,table.hpp th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
table.hpp td:first-child,table.hpp th:first-child{text-align:left}\
.flag{background:#ffd7d7;padding:4px 8px;border-radius:4px;margin:4px 0}.note{background:#fff4d6;padding:4px 8px;border-radius:4px;margin:4px 0}\
.reading{font-size:15px}pre{font-size:12px;overflow-x:auto}svg{max-width:100%;height:auto}";

/// The run's quality box: red flags, yellow notes, and the facts behind them.
pub fn quality_html(r: &ChapterResults) -> String {
    let q = &r.quality;
    let mut h = String::from("<div class=\"quality\">");
    for f in &q.flags {
        h.push_str(&format!(
            "<div class=\"flag\">⚠ Do not trust this run: {}</div>",
            escape(f)
        ));
    }
    for n in &q.notes {
        h.push_str(&format!("<div class=\"note\">{}</div>", escape(n)));
    }
    let share = q.cpu_share.known().map_or("unavailable".to_string(), |s| {
        format!("{s:.2} of {} CPUs", q.usable_cpus)
    });
    let flagged: Vec<String> = r
        .experiments
        .iter()
        .filter(|(_, e)| !e.flags.is_empty())
        .map(|(n, _)| n.clone())
        .collect();
    h.push_str(&format!(
        "<p>Build: {}. CPU share granted: {}. Virtualised: {}. Governor: {}. Experiments flagged for noisy timings: {}.</p></div>",
        escape(&q.build),
        escape(&share),
        escape(&match q.virtualised.known() {
            Some(true) => format!("yes ({})", q.hypervisor.as_deref().unwrap_or("unnamed")),
            Some(false) => "no".into(),
            None => "unknown".into(),
        }),
        escape(&q.governor.known().cloned().unwrap_or_else(|| "unknown".into())),
        if flagged.is_empty() { "none".to_string() } else { escape(&flagged.join(", ")) }
    ));
    h
}

fn headline_rows(hs: &[MemberHeadline]) -> Vec<Vec<String>> {
    hs.iter()
        .map(|h| {
            vec![
                h.headline.label.clone(),
                format!("{} {}", fmt_sig(h.headline.value, 3), h.headline.unit),
                if h.flagged {
                    format!("⚠ {} flagged", h.experiment)
                } else {
                    h.experiment.clone()
                },
            ]
        })
        .collect()
}

/// "Your machine in numbers": the headline figures as an HTML table.
pub fn summary_html(r: &ChapterResults) -> Html {
    let hs = headlines(r);
    Html(format!(
        "<h3>{} in numbers</h3>{}",
        escape(&r.member),
        table(&["figure", "value", "from"], &headline_rows(&hs))
    ))
}

/// The whole report page.
pub fn report_html(run: &ChapterRun) -> String {
    let r = &run.results;
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hpp chapter {ch} · {m}</title><style>{STYLE}</style></head><body>\n\
<h1>Chapter {ch} · {title} — {m}</h1>\n\
<p>Measured by hpp {v} on {date}, {budget} budget, {n} experiments in {secs:.0} s. Every figure below was measured on this machine in this run, except where a plot or table names its reference source.</p>\n",
        ch = r.chapter,
        title = escape(r.chapter_def().map_or("", |c| c.title)),
        m = escape(&r.member),
        v = escape(&r.hpp_version),
        date = fmt_utc(r.created_unix_s),
        budget = escape(&r.budget),
        n = r.experiments.len(),
        secs = run.seconds,
    );
    h.push_str(&run.machine.to_html());
    h.push_str("\n<h2>How far to trust this run</h2>\n");
    h.push_str(&quality_html(r));
    h.push_str("\n<h2>This machine in numbers</h2>\n");
    h.push_str(&summary_html(r).0);
    for s in &run.sections {
        let e = r.experiments.get(&s.name);
        h.push_str(&format!(
            "\n<h2 id=\"{n}\">{n}</h2>\n<p><i>{a}</i></p>\n",
            n = escape(&s.name),
            a = escape(&s.about)
        ));
        let Some(e) = e else { continue };
        for f in &e.flags {
            h.push_str(&format!("<div class=\"flag\">⚠ {}</div>", escape(f)));
        }
        if let Some(u) = &e.unavailable {
            h.push_str(&format!("<p>unavailable: {}</p>", escape(u)));
            continue;
        }
        if let Some(rd) = &e.reading {
            h.push_str(&format!("<p class=\"reading\">{}</p>\n", escape(rd)));
        }
        if let Some(svg) = &s.svg {
            h.push_str(svg.trim());
            h.push('\n');
        }
        let disp = e.dispersion.as_ref().map_or(String::new(), |d| {
            format!(
                " · {} timings, median CV {:.1}%, worst slowest/fastest {:.2}×",
                d.timings,
                100.0 * d.median_cv,
                d.worst_max_over_min
            )
        });
        let took = e.seconds.map_or(String::new(), |t| format!("{t:.1} s"));
        h.push_str(&format!(
            "<details><summary>data ({took}{})</summary><pre>{}</pre></details>\n",
            escape(&disp),
            escape(&s.table)
        ));
    }
    h.push_str("\n<h2>Compare with your book club</h2>\n<p>Share <code>results.json</code> (it holds the machine card, these figures and the name you chose — nothing else) and run <code>hpp compare yours.json theirs.json …</code>.</p>\n</body></html>\n");
    h
}
