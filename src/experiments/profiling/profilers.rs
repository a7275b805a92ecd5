//! `profilers`: what the book's Python profilers say about the Julia
//! program, and what each costs. The program runs plain, under cProfile
//! (the book's table: where the time is spent, function by function), with
//! tracemalloc on, and under line_profiler when it is installed (time per
//! line of the inner function); Rust runs the same grid for scale. Every
//! run's counts are checked against the reference.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::julia::{Grid, MAX_ITER, julia_abs, julia_reference, output_sum};
use crate::machine::Machine;
use crate::measure::cpython::{CH02, PythonInfo, run_chapter_script, sent_source};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::report::html::{Html, table};
use crate::units::{fmt_bytes, fmt_seconds, fmt_sig};

/// One run of the program, plain or under a tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolRow {
    /// "none" (plain), "cProfile", "tracemalloc", "line_profiler".
    pub tool: String,
    /// "python" or "rust".
    pub language: String,
    /// Wall seconds for the whole program.
    pub seconds: f64,
    /// Its counts' sum (checked against the reference).
    pub output_sum: u64,
}

/// One line of cProfile's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CProfileRow {
    /// The function, as pstats names it.
    pub function: String,
    /// Calls.
    pub ncalls: u64,
    /// Calls that were not recursive.
    pub primitive_calls: u64,
    /// Seconds spent inside the function itself.
    pub tottime_s: f64,
    /// Seconds inside it and everything it called.
    pub cumtime_s: f64,
}

/// One line of line_profiler's report on the inner function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRow {
    /// Line number within the function (1 = its `def`).
    pub line: u32,
    /// Line number in the text the interpreter ran (to find the code).
    #[serde(default)]
    pub source_line: u32,
    /// The source line.
    pub code: String,
    /// Times it ran.
    pub hits: u64,
    /// Seconds spent on it.
    pub time_s: f64,
    /// Its share of the function's time, %.
    pub percent: f64,
}

/// A tool that could not run here, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolMissing {
    /// The tool.
    pub tool: String,
    /// Why.
    pub why: String,
}

/// The `profilers` result. JSON: `grid`, `iterations`, `reference_sum`,
/// `rows[{tool, language, seconds, output_sum}]`, `cprofile[{function,
/// ncalls, primitive_calls, tottime_s, cumtime_s}]`, `line_profile[{line,
/// code, hits, time_s, percent}]`, `traced_peak_bytes`, `unavailable[{tool,
/// why}]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profilers {
    /// Always "profilers".
    pub experiment: String,
    /// Grid width (and height).
    pub grid: usize,
    /// Iteration limit.
    pub iterations: u32,
    /// The reference's sum of counts at this size.
    pub reference_sum: u64,
    /// Every run, Python first.
    pub rows: Vec<ToolRow>,
    /// cProfile's top functions by time inside them.
    pub cprofile: Vec<CProfileRow>,
    /// line_profiler's lines of the inner function (empty when it did not run).
    pub line_profile: Vec<LineRow>,
    /// tracemalloc's peak: bytes of Python objects alive at once.
    pub traced_peak_bytes: Fact<u64>,
    /// Tools that could not run.
    pub unavailable: Vec<ToolMissing>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// Budget used.
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    #[serde(default)]
    unavailable: Vec<ToolMissing>,
    profilers: Option<PyRuns>,
    #[serde(default)]
    cprofile: Vec<CProfileRow>,
    #[serde(default)]
    line_profile: Vec<LineRow>,
    traced_peak_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct PyRuns {
    rows: Vec<PyRow>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    tool: String,
    seconds: f64,
    output_sum: u64,
}

/// Profile the Julia program in the reader's Python (`HPP_PYTHON`, else
/// `python3`) on a grid sized by the budget (200, 300 or 1000 points wide:
/// the tools slow it down several times).
///
/// # Errors
/// None from Python (a missing interpreter or tool is recorded as
/// unavailable); an error if a Rust run's counts differ from the reference.
pub fn profilers(machine: &Machine, budget: &Budget) -> Result<Profilers> {
    profilers_with(machine, budget, None)
}

/// As [`profilers`], with an explicit interpreter.
///
/// # Errors
/// As [`profilers`].
pub fn profilers_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Profilers> {
    let width = budget.level.pick(200, 300, 1000);
    let grid = Grid::new(width)?;
    let mut progress = Progress::new("profilers", 2);
    progress.step("CPython plain, under cProfile, tracemalloc, line_profiler");
    let reference = julia_reference(&grid, MAX_ITER);
    let reference_sum = output_sum(&reference);
    let spec = serde_json::json!({
        "tasks": ["profilers"],
        "width": width,
        "max_iter": MAX_ITER,
        "top": 8,
    });
    let reply = run_chapter_script::<PyReply>(interpreter, CH02, &spec, budget);
    let mut out = Profilers {
        experiment: "profilers".into(),
        grid: width,
        iterations: MAX_ITER,
        reference_sum,
        rows: Vec::new(),
        cprofile: Vec::new(),
        line_profile: Vec::new(),
        traced_peak_bytes: Fact::unavailable("Python did not run"),
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };
    match reply {
        Ok(r) => {
            for row in r.profilers.map(|p| p.rows).unwrap_or_default() {
                if row.output_sum == reference_sum {
                    out.rows.push(ToolRow {
                        tool: row.tool,
                        language: "python".into(),
                        seconds: row.seconds,
                        output_sum: row.output_sum,
                    });
                } else {
                    out.unavailable.push(ToolMissing {
                        why: format!(
                            "its counts sum to {} where the reference sums to {reference_sum}; not shown",
                            row.output_sum
                        ),
                        tool: row.tool,
                    });
                }
            }
            out.cprofile = r.cprofile;
            out.line_profile = r.line_profile;
            // Sent on stdin, the script cannot read its own source back:
            // the code of each line comes from the copy hpp sent.
            let sent = sent_source(CH02);
            let sent: Vec<&str> = sent.lines().collect();
            for l in out.line_profile.iter_mut().filter(|l| l.code.is_empty()) {
                if let Some(code) = (l.source_line as usize)
                    .checked_sub(1)
                    .and_then(|i| sent.get(i))
                {
                    l.code = code.trim().to_string();
                }
            }
            out.traced_peak_bytes = r.traced_peak_bytes.map_or_else(
                || Fact::unavailable("tracemalloc reported nothing"),
                Fact::Known,
            );
            out.unavailable.extend(r.unavailable);
            out.python = Some(r.python);
        }
        Err(why) => out.unavailable.push(ToolMissing {
            tool: "CPython".into(),
            why,
        }),
    }
    progress.step("Rust, the same loop");
    let counts = julia_abs(&grid, MAX_ITER);
    if counts != reference {
        return Err(Error::bad_input(
            "profilers: the Rust loop's counts differ from the reference",
        ));
    }
    let t = timeit_with(&budget.per_point(), || julia_abs(&grid, MAX_ITER).len());
    out.rows.push(ToolRow {
        tool: "none".into(),
        language: "rust".into(),
        seconds: t.median_s,
        output_sum: output_sum(&counts),
    });
    Ok(out)
}

impl Profilers {
    fn plain(&self, language: &str) -> Option<&ToolRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.tool == "none")
    }

    /// How many times slower the Python program ran under `tool`.
    pub fn slowdown(&self, tool: &str) -> Option<f64> {
        let plain = self.plain("python")?;
        let under = self
            .rows
            .iter()
            .find(|r| r.language == "python" && r.tool == tool)?;
        (plain.seconds > 0.0).then(|| under.seconds / plain.seconds)
    }

    /// cProfile's table, as the book prints it.
    pub fn cprofile_html(&self) -> Html {
        let rows: Vec<Vec<String>> = self
            .cprofile
            .iter()
            .map(|r| {
                vec![
                    r.function.clone(),
                    if r.ncalls == r.primitive_calls {
                        r.ncalls.to_string()
                    } else {
                        format!("{}/{}", r.ncalls, r.primitive_calls)
                    },
                    fmt_seconds(r.tottime_s),
                    fmt_seconds(r.cumtime_s),
                ]
            })
            .collect();
        Html(table(&["function", "ncalls", "tottime", "cumtime"], &rows))
    }

    /// line_profiler's report on the inner function, or why there is none.
    pub fn line_profile_html(&self) -> Html {
        if self.line_profile.is_empty() {
            let why = self
                .unavailable
                .iter()
                .find(|u| u.tool == "line_profiler" || u.tool == "CPython")
                .map_or("it did not run".to_string(), |u| u.why.clone());
            return Html(format!("<p>line_profiler: unavailable ({why})</p>"));
        }
        let rows: Vec<Vec<String>> = self
            .line_profile
            .iter()
            .map(|l| {
                vec![
                    l.line.to_string(),
                    l.hits.to_string(),
                    fmt_seconds(l.time_s),
                    format!("{:.1}", l.percent),
                    l.code.clone(),
                ]
            })
            .collect();
        Html(table(&["line", "hits", "time", "% time", "code"], &rows))
    }

    /// Show the cost chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Profilers {
    fn name(&self) -> &str {
        "profilers"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "cprofile_slowdown",
                "cProfile's cost on the Julia program",
                self.slowdown("cProfile"),
                "×",
                false,
            ),
            Headline::new(
                "tracemalloc_slowdown",
                "tracemalloc's cost on the Julia program",
                self.slowdown("tracemalloc"),
                "×",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let plain = self
            .plain("python")
            .ok_or_else(|| Error::Plot("profilers: the Python program did not run".into()))?;
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| {
                let label = match (r.language.as_str(), r.tool.as_str()) {
                    ("rust", _) => "Rust, no profiler".to_string(),
                    (_, "none") => "Python, no profiler".to_string(),
                    (_, t) => format!("Python under {t}"),
                };
                (label, r.seconds / plain.seconds)
            })
            .collect();
        bar_chart(
            &format!(
                "What profiling costs: the Julia program ({} × {}), time ÷ the plain Python run",
                self.grid, self.grid
            ),
            "times the plain run",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        let Some(plain) = self.plain("python") else {
            let why = self
                .unavailable
                .first()
                .map_or("it did not run".to_string(), |u| u.why.clone());
            return format!("Python's profilers: unavailable ({why}).");
        };
        s.push_str(&format!(
            "The Julia program on a {} × {} grid took {} in CPython",
            self.grid,
            self.grid,
            fmt_seconds(plain.seconds)
        ));
        let tools: Vec<String> = ["cProfile", "tracemalloc", "line_profiler"]
            .iter()
            .filter_map(|t| self.slowdown(t).map(|x| format!("{t} {}×", fmt_sig(x, 2))))
            .collect();
        if tools.is_empty() {
            s.push('.');
        } else {
            s.push_str(&format!(
                "; under each tool it ran this many times slower: {}.",
                tools.join(", ")
            ));
        }
        let total: f64 = self.cprofile.iter().map(|r| r.tottime_s).sum();
        if let Some(top) = self.cprofile.first().filter(|_| total > 0.0) {
            s.push_str(&format!(
                " cProfile puts {}% of the time inside {} itself",
                fmt_sig(100.0 * top.tottime_s / total, 2),
                top.function
            ));
            match self.cprofile.get(1) {
                Some(next) => {
                    let points = (self.grid * self.grid).max(1) as f64;
                    let per_point = next.ncalls as f64 / points;
                    s.push_str(&format!(
                        ", then {}% in {} ({} calls{}).",
                        fmt_sig(100.0 * next.tottime_s / total, 2),
                        next.function,
                        next.ncalls,
                        if per_point >= 1.0 {
                            format!(
                                ", {} per grid point: cProfile records every one, and that is where its cost goes",
                                fmt_sig(per_point, 3)
                            )
                        } else {
                            String::new()
                        }
                    ));
                }
                None => s.push('.'),
            }
        }
        if let Some(line) = self
            .line_profile
            .iter()
            .max_by(|a, b| a.percent.total_cmp(&b.percent))
        {
            s.push_str(&format!(
                " line_profiler: the busiest line of escape_counts is line {} (`{}`), {}% of its time over {} hits.",
                line.line,
                line.code,
                fmt_sig(line.percent, 3),
                line.hits
            ));
        }
        if let Fact::Known(b) = self.traced_peak_bytes {
            s.push_str(&format!(
                " tracemalloc's peak: {} of Python objects alive at once.",
                fmt_bytes(b)
            ));
        }
        if let Some(r) = self.plain("rust") {
            s.push_str(&format!(
                " Rust ran the same loop in {}, with no profiler at all.",
                fmt_seconds(r.seconds)
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {}: unavailable ({}).", u.tool, u.why));
        }
        s
    }
}

impl fmt::Display for Profilers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "The Julia program, {} × {} grid, {} iterations",
            self.grid, self.grid, self.iterations
        )?;
        writeln!(f, "{:<10} {:<14} {:>12}", "language", "profiler", "time")?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<10} {:<14} {:>12}",
                r.language,
                r.tool,
                fmt_seconds(r.seconds)
            )?;
        }
        if !self.cprofile.is_empty() {
            writeln!(f, "\ncProfile, by time inside each function:")?;
            writeln!(
                f,
                "{:>10} {:>10} {:>10}  function",
                "ncalls", "tottime", "cumtime"
            )?;
            for r in &self.cprofile {
                writeln!(
                    f,
                    "{:>10} {:>10} {:>10}  {}",
                    r.ncalls,
                    fmt_seconds(r.tottime_s),
                    fmt_seconds(r.cumtime_s),
                    r.function
                )?;
            }
        }
        if !self.line_profile.is_empty() {
            writeln!(f, "\nline_profiler, escape_counts:")?;
            for l in &self.line_profile {
                writeln!(
                    f,
                    "{:>4} {:>10} {:>10} {:>6.1}%  {}",
                    l.line,
                    l.hits,
                    fmt_seconds(l.time_s),
                    l.percent,
                    l.code
                )?;
            }
        }
        write!(f, "{}", self.reading())
    }
}
