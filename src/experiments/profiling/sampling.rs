//! `sampling`: the Julia program seen by a sampling profiler, in both
//! languages. Rust's loop as the book wrote it (`abs`, so a `hypot` per
//! step) runs under an in-process sampler and the Python program under
//! py-spy (when installed and allowed to read the process); each profile is
//! drawn as a flame graph and counted line by line, and each run is timed
//! with and without its profiler, so the cost of looking is measured too.
//! Beside them, the work of one step of the loop: the bytecodes CPython
//! executes per step (counted by tracing every opcode on a small grid) and
//! the machine instructions Rust retires per step (where counters exist).

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Fact, Result};
use crate::experiments::outcome::{Headline, Outcome, show};
use crate::kernels::julia::{BOOK_WIDTH, Grid, MAX_ITER, julia_abs, julia_reference, output_sum};
use crate::machine::Machine;
use crate::machine::interpreters::{find_python, which_in};
use crate::measure::cpython::{
    CH02, PythonInfo, python_limit, run_json, run_json_under, sent_source,
};
use crate::measure::sampler::{DEFAULT_RATE_HZ, sample};
use crate::measure::stacks::{LineShare, StackSamples, parse_collapsed};
use crate::measure::stats::{self, median};
use crate::measure::{Budget, Progress, count};
use crate::plot::{Figure, FlameChart, flame_chart};
use crate::report::html::{Html, escape, table};
use crate::units::{fmt_seconds, fmt_sig};

/// The Rust kernel's source, to show the text of its busiest lines.
const JULIA_SOURCE: &str = include_str!("../../kernels/julia.rs");

/// py-spy's sampling rate here (its default is 100 a second; the Python run
/// is short, so more samples make a steadier picture).
pub const PY_SPY_RATE_HZ: u32 = 250;

/// Python runs with and without py-spy, the fastest kept (a single run is
/// at the mercy of whatever else the machine does).
const PYTHON_RUNS: usize = 3;

/// One timed run, with or without a profiler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    /// "python" or "rust".
    pub language: String,
    /// "none", "sampler" or "py-spy".
    pub profiler: String,
    /// Seconds of one run, the program itself, not the interpreter's
    /// start: Rust's median, Python's fastest (its runs are few).
    pub seconds: f64,
    /// Runs behind the median.
    pub runs: usize,
    /// The counts' sum, checked against the reference.
    pub output_sum: u64,
}

/// A busy source line, with its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusyLine {
    /// Line number in its file (for Python, in the text hpp sent).
    pub line: u32,
    /// The function it is in.
    pub function: String,
    /// Its share of the samples (itself and what it called), %.
    pub percent: f64,
    /// The line's code.
    pub code: String,
}

/// The work of one step of the inner loop in each language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepWork {
    /// Bytecodes CPython executed per step, by opcode tracing.
    pub python_bytecodes: Fact<f64>,
    /// The loop's bytecodes as `dis` lists them.
    pub python_loop: Vec<String>,
    /// Instructions Rust retired per step, by hardware counters.
    pub rust_instructions: Fact<f64>,
}

/// The `sampling` result. JSON: `grid`, `python_grid`, `iterations`,
/// `rate_hz`, `py_spy_rate_hz`, `rows[{language, profiler, seconds, runs,
/// output_sum}]`, `rust_profile` and `python_profile` ({profiler, rate_hz,
/// stacks[{frames[{name, file, line}], samples}]} or unavailable),
/// `rust_lines[]` and `python_lines[]` ({line, function, percent, code}),
/// `step` ({python_bytecodes, python_loop[], rust_instructions}),
/// `unavailable[]`, `python`, `budget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// Always "sampling".
    pub experiment: String,
    /// The Rust grid's width (the book's 1000).
    pub grid: usize,
    /// The Python grid's width (smaller: CPython is slower).
    pub python_grid: usize,
    /// Iteration limit.
    pub iterations: u32,
    /// The Rust sampler's rate, samples per CPU second.
    pub rate_hz: u32,
    /// py-spy's rate, samples per second.
    pub py_spy_rate_hz: u32,
    /// Every timing, with and without a profiler.
    pub rows: Vec<CostRow>,
    /// How much the plain Rust runs differed among themselves (slowest ÷
    /// fastest − 1), %: a profiler's cost below this is noise.
    pub plain_noise_percent: Option<f64>,
    /// The same for the plain Python runs.
    #[serde(default)]
    pub python_noise_percent: Option<f64>,
    /// The Rust run's stacks.
    pub rust_profile: Fact<StackSamples>,
    /// The Rust kernel's lines by share of samples.
    pub rust_lines: Vec<BusyLine>,
    /// The Python run's stacks, from py-spy.
    pub python_profile: Fact<StackSamples>,
    /// escape_counts' lines by share of py-spy's samples.
    pub python_lines: Vec<BusyLine>,
    /// One step's work in each language.
    pub step: StepWork,
    /// What could not run, and why.
    pub unavailable: Vec<String>,
    /// The interpreter.
    pub python: Option<PythonInfo>,
    /// Budget used.
    pub budget: String,
}

#[derive(Debug, Deserialize)]
struct PyReply {
    python: PythonInfo,
    plain: Option<PyPlain>,
    bytecodes: Option<PyBytecodes>,
}

#[derive(Debug, Deserialize)]
struct PyPlain {
    seconds: f64,
    output_sum: u64,
    #[serde(default)]
    runs: usize,
    #[serde(default)]
    times: Vec<f64>,
}

#[derive(Debug, Deserialize)]
struct PyBytecodes {
    per_step: f64,
    steps: u64,
    #[serde(rename = "loop", default)]
    listing: Vec<String>,
}

/// Profile the Julia program with sampling profilers in both languages
/// (the reader's Python: `HPP_PYTHON`, else `python3`; py-spy beside it or
/// on `PATH`).
///
/// # Errors
/// None from Python or the profilers (what cannot run is recorded as
/// unavailable); an error if a Rust run's counts differ from the reference.
pub fn sampling(machine: &Machine, budget: &Budget) -> Result<Sampling> {
    sampling_with(machine, budget, None)
}

/// As [`sampling`], with an explicit interpreter.
///
/// # Errors
/// As [`sampling`].
pub fn sampling_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Sampling> {
    let grid = Grid::new(BOOK_WIDTH)?;
    let python_grid = budget.level.pick(300, 500, 1000);
    let pairs = budget.level.pick(2, 4, 8);
    let mut progress = Progress::new("sampling", 3);
    let mut out = Sampling {
        experiment: "sampling".into(),
        grid: BOOK_WIDTH,
        python_grid,
        iterations: MAX_ITER,
        rate_hz: DEFAULT_RATE_HZ,
        py_spy_rate_hz: PY_SPY_RATE_HZ,
        rows: Vec::new(),
        plain_noise_percent: None,
        python_noise_percent: None,
        rust_profile: Fact::unavailable("not run"),
        rust_lines: Vec::new(),
        python_profile: Fact::unavailable("Python did not run"),
        python_lines: Vec::new(),
        step: StepWork {
            python_bytecodes: Fact::unavailable("Python did not run"),
            python_loop: Vec::new(),
            rust_instructions: Fact::unavailable("not run"),
        },
        unavailable: Vec::new(),
        python: None,
        budget: budget.level.to_string(),
    };

    progress.step(&format!(
        "Rust, {pairs} runs plain and {pairs} under the sampler"
    ));
    let reference = julia_reference(&grid, MAX_ITER);
    let reference_sum = output_sum(&reference);
    let (mut plain, mut sampled) = (Vec::new(), Vec::new());
    let mut merged: Option<Fact<StackSamples>> = None;
    for _ in 0..pairs {
        let start = Instant::now();
        let counts = julia_abs(&grid, MAX_ITER);
        plain.push(start.elapsed().as_secs_f64());
        if counts != reference {
            return Err(Error::bad_input(
                "sampling: the Rust loop's counts differ from the reference",
            ));
        }
        let ((counts, took), profile) = sample(DEFAULT_RATE_HZ, || {
            let start = Instant::now();
            let counts = julia_abs(&grid, MAX_ITER);
            (counts, start.elapsed().as_secs_f64())
        });
        if counts != reference {
            return Err(Error::bad_input(
                "sampling: the sampled Rust loop's counts differ from the reference",
            ));
        }
        sampled.push(took);
        merged = Some(match (merged, profile) {
            (Some(Fact::Known(mut all)), Fact::Known(p)) => {
                all.merge(p);
                Fact::Known(all)
            }
            (Some(Fact::Known(all)), Fact::Unavailable(_)) => Fact::Known(all),
            (_, p) => p,
        });
    }
    for (profiler, times) in [("none", &plain), ("sampler", &sampled)] {
        out.rows.push(CostRow {
            language: "rust".into(),
            profiler: profiler.into(),
            seconds: median(times).unwrap_or(f64::NAN),
            runs: times.len(),
            output_sum: reference_sum,
        });
    }
    out.plain_noise_percent = spread_percent(&plain);
    if let Some(Fact::Unavailable(u)) = &merged {
        out.rows.retain(|r| r.profiler != "sampler");
        out.unavailable
            .push(format!("Rust sampler: {}", u.reason()));
    }
    out.rust_profile = merged.unwrap_or_else(|| Fact::unavailable("no runs"));
    if let Fact::Known(p) = &out.rust_profile {
        let src: Vec<&str> = JULIA_SOURCE.lines().collect();
        out.rust_lines = busy_lines(
            p,
            |f| f.ends_with("kernels/julia.rs"),
            |n| src.get(n).copied(),
        );
        if out.rust_lines.is_empty() {
            out.unavailable.push(
                "Rust lines: the samples carry no line numbers (hpp was built without debug line info)".into(),
            );
        }
    }
    let (_, counters) = count(|| julia_abs(&grid, MAX_ITER).len());
    out.step.rust_instructions =
        counters.map(|c| c.instructions as f64 / reference_sum.max(1) as f64);

    progress.step("CPython plain, and the loop's bytecodes");
    let python = match find_python(interpreter).as_result() {
        Ok(p) => p.clone(),
        Err(u) => {
            out.unavailable.push(format!("Python: {}", u.reason()));
            return Ok(out);
        }
    };
    let limit = match python_limit(budget) {
        Ok(l) => l,
        Err(u) => {
            out.unavailable.push(format!("Python: {}", u.reason()));
            return Ok(out);
        }
    };
    let py_reference = output_sum(&julia_reference(&Grid::new(python_grid)?, MAX_ITER));
    let spec = serde_json::json!({
        "tasks": ["plain", "bytecodes"],
        "runs": PYTHON_RUNS,
        "width": python_grid,
        "max_iter": MAX_ITER,
        "trace_width": 30,
    });
    let trace_reference = output_sum(&julia_reference(&Grid::new(30)?, MAX_ITER));
    match run_json::<PyReply>(&python, CH02, &spec, limit) {
        Ok(r) => {
            match r.plain {
                Some(p) if p.output_sum == py_reference => {
                    out.python_noise_percent = spread_percent(&p.times);
                    out.rows.push(CostRow {
                        language: "python".into(),
                        profiler: "none".into(),
                        seconds: p.seconds,
                        runs: p.runs,
                        output_sum: p.output_sum,
                    });
                }
                Some(p) => out.unavailable.push(format!(
                    "Python: its counts sum to {} where the reference sums to {py_reference}; not timed",
                    p.output_sum
                )),
                None => out.unavailable.push("Python: the plain run reported nothing".into()),
            }
            match r.bytecodes {
                Some(b) if b.steps == trace_reference => {
                    out.step.python_bytecodes = Fact::Known(b.per_step);
                    out.step.python_loop = b.listing;
                }
                Some(b) => {
                    out.step.python_bytecodes = Fact::unavailable(format!(
                        "the traced run took {} steps where the reference takes {trace_reference}",
                        b.steps
                    ));
                }
                None => {
                    out.step.python_bytecodes =
                        Fact::unavailable("the tracing run reported nothing")
                }
            }
            out.python = Some(r.python);
        }
        Err(u) => {
            out.unavailable.push(format!("Python: {}", u.reason()));
            return Ok(out);
        }
    }

    progress.step("CPython under py-spy");
    match find_py_spy(&python) {
        None => out
            .unavailable
            .push("py-spy: not installed (pip install py-spy; `make setup` installs it into .venv)".into()),
        Some(spy) => match py_spy_run(&spy, &python, python_grid, limit) {
            Ok((p, profile)) if p.output_sum == py_reference => {
                out.rows.push(CostRow {
                    language: "python".into(),
                    profiler: "py-spy".into(),
                    seconds: p.seconds,
                    runs: p.runs,
                    output_sum: p.output_sum,
                });
                let sent = sent_source(CH02);
                let sent: Vec<&str> = sent.lines().collect();
                let offset = (sent.len() - CH02.lines().count()) as u32;
                out.python_lines =
                    busy_lines_where(&profile, |f| f.name == "escape_counts", |n| sent.get(n).copied());
                // Numbered as in python/ch02_profiling.py, not in the text sent.
                for l in &mut out.python_lines {
                    l.line = l.line.saturating_sub(offset);
                }
                out.python_profile = Fact::Known(profile);
            }
            Ok((p, _)) => out.unavailable.push(format!(
                "py-spy: the profiled run's counts sum to {} where the reference sums to {py_reference}",
                p.output_sum
            )),
            Err(why) => {
                out.python_profile = Fact::unavailable(why.clone());
                out.unavailable.push(format!("py-spy: {why}"));
            }
        },
    }
    Ok(out)
}

/// How much runs of the same work differed: slowest ÷ fastest − 1, % (none
/// from fewer than two runs).
fn spread_percent(times: &[f64]) -> Option<f64> {
    let (fastest, slowest) = (stats::min(times)?, stats::max(times)?);
    (times.len() > 1 && fastest > 0.0).then(|| 100.0 * (slowest / fastest - 1.0))
}

/// py-spy beside the interpreter (a venv's `bin/`), else on `PATH`.
fn find_py_spy(python: &Path) -> Option<PathBuf> {
    let beside = python
        .parent()
        .map(|d| d.join("py-spy"))
        .filter(|p| p.is_file());
    beside.or_else(|| which_in("py-spy", std::env::var_os("PATH").as_deref()))
}

/// A file in the temporary folder, removed when dropped.
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The plain Python program under `py-spy record`: its own timing and
/// py-spy's stacks.
fn py_spy_run(
    spy: &Path,
    python: &Path,
    width: usize,
    limit: std::time::Duration,
) -> std::result::Result<(PyPlain, StackSamples), String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let file = TempPath(
        std::env::temp_dir().join(format!("hpp-py-spy-{}-{nanos}.txt", std::process::id())),
    );
    let args: Vec<OsString> = vec![
        "record".into(),
        "--format".into(),
        "raw".into(),
        "--rate".into(),
        PY_SPY_RATE_HZ.to_string().into(),
        // Read the process's memory without pausing it for each sample:
        // paused, the program runs about a third slower at this rate.
        "--nonblocking".into(),
        "--output".into(),
        file.0.clone().into(),
        "--".into(),
    ];
    let spec = serde_json::json!({"tasks": ["plain"], "width": width, "max_iter": MAX_ITER, "runs": PYTHON_RUNS});
    let reply: PyReply = run_json_under(spy, &args, python, CH02, &spec, limit)
        .map_err(|u| u.reason().to_string())?;
    let plain = reply.plain.ok_or("the profiled run reported nothing")?;
    let text = std::fs::read_to_string(&file.0)
        .map_err(|e| format!("its output file could not be read ({e})"))?;
    let profile = parse_collapsed(&text, "py-spy", PY_SPY_RATE_HZ).map_err(|e| e.to_string())?;
    if profile.total() == 0 {
        return Err("it took no samples".into());
    }
    Ok((plain, profile))
}

/// The busiest lines of the files accepted by `file_ok`, with their text
/// (`text(n)` is line n + 1).
fn busy_lines<'a>(
    p: &StackSamples,
    file_ok: impl Fn(&str) -> bool,
    text: impl Fn(usize) -> Option<&'a str>,
) -> Vec<BusyLine> {
    busy_lines_where(p, |f| f.file.as_deref().is_some_and(&file_ok), text)
}

fn busy_lines_where<'a>(
    p: &StackSamples,
    wanted: impl Fn(&crate::measure::stacks::Frame) -> bool,
    text: impl Fn(usize) -> Option<&'a str>,
) -> Vec<BusyLine> {
    p.lines(wanted)
        .into_iter()
        .map(|l: LineShare| BusyLine {
            code: (l.line as usize)
                .checked_sub(1)
                .and_then(&text)
                .map_or_else(String::new, |s| s.trim().to_string()),
            line: l.line,
            function: l.function,
            percent: l.percent,
        })
        .collect()
}

impl Sampling {
    fn row(&self, language: &str, profiler: &str) -> Option<&CostRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.profiler == profiler)
    }

    /// How much longer a run took under its profiler, % (negative: within
    /// the noise of the plain runs).
    pub fn overhead_percent(&self, language: &str, profiler: &str) -> Option<f64> {
        let plain = self.row(language, "none")?;
        let under = self.row(language, profiler)?;
        (plain.seconds > 0.0).then(|| 100.0 * (under.seconds / plain.seconds - 1.0))
    }

    /// The share (%) of the Rust samples that were inside `hypot` (or
    /// what it calls).
    pub fn rust_hypot_percent(&self) -> Option<f64> {
        self.rust_profile
            .known()
            .map(|p| p.inclusive_percent("hypot"))
    }

    /// The Python run's flame graph, or why there is none.
    ///
    /// # Errors
    /// [`Error::Plot`] when py-spy did not run (the reason is in the message).
    pub fn python_flame(&self) -> Result<Figure> {
        match &self.python_profile {
            Fact::Known(p) => flame(
                p,
                &format!("py-spy: the Python program ({0} × {0})", self.python_grid),
            ),
            Fact::Unavailable(u) => {
                Err(Error::Plot(format!("py-spy: unavailable ({})", u.reason())))
            }
        }
    }

    /// The Python flame graph for a notebook cell: the figure, or one line
    /// saying why there is none (a missing py-spy is not an error).
    pub fn python_flame_html(&self) -> Html {
        match (&self.python_profile, self.python_flame()) {
            (Fact::Unavailable(u), _) => Html(format!(
                "<p>py-spy: unavailable ({})</p>",
                escape(u.reason())
            )),
            (_, Ok(fig)) => Html(format!("<div>{}</div>", fig.svg.trim())),
            (_, Err(e)) => Html(format!("<p>{}</p>", escape(&e.to_string()))),
        }
    }

    /// The busiest lines of each language's loop, as a table.
    pub fn lines_html(&self) -> Html {
        let mut html = String::new();
        for (title, lines, why) in [
            (
                "Rust, kernels/julia.rs (from the sampler)",
                &self.rust_lines,
                self.rust_profile.as_result().err(),
            ),
            (
                "Python, escape_counts (from py-spy)",
                &self.python_lines,
                self.python_profile.as_result().err(),
            ),
        ] {
            html.push_str(&format!("<p><b>{}</b></p>", escape(title)));
            if lines.is_empty() {
                let why = why.map_or("no line numbers in the samples".to_string(), |u| {
                    u.reason().to_string()
                });
                html.push_str(&format!("<p>unavailable: {}</p>", escape(&why)));
                continue;
            }
            let rows: Vec<Vec<String>> = lines
                .iter()
                .take(8)
                .map(|l| {
                    vec![
                        l.line.to_string(),
                        format!("{:.1}", l.percent),
                        l.code.clone(),
                    ]
                })
                .collect();
            html.push_str(&table(&["line", "% of samples", "code"], &rows));
        }
        Html(html)
    }

    /// What each sampler cost: every run's time and its ratio to the same
    /// language's plain run.
    pub fn costs_html(&self) -> Html {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let ratio = self
                    .row(&r.language, "none")
                    .filter(|p| p.seconds > 0.0)
                    .map_or_else(String::new, |p| {
                        format!("{}×", fmt_sig(r.seconds / p.seconds, 3))
                    });
                let kind = if r.language == "rust" {
                    "median"
                } else {
                    "fastest"
                };
                vec![
                    r.language.clone(),
                    r.profiler.clone(),
                    format!("{} ({kind} of {})", fmt_seconds(r.seconds), r.runs),
                    ratio,
                ]
            })
            .collect();
        let mut html = table(
            &["language", "profiler", "time of one run", "× plain"],
            &rows,
        );
        for (language, noise) in [
            ("Rust", self.plain_noise_percent),
            ("Python", self.python_noise_percent),
        ] {
            if let Some(n) = noise {
                html.push_str(&format!(
                    "<p>The plain {language} runs differed by {}% among themselves: a cost smaller than that is noise.</p>",
                    fmt_sig(n, 2)
                ));
            }
        }
        Html(html)
    }

    /// One step's work: bytecodes vs instructions, and the loop's bytecodes.
    pub fn step_html(&self) -> Html {
        let rows = vec![
            vec![
                "Python: bytecodes executed per step".to_string(),
                fact_text(&self.step.python_bytecodes),
            ],
            vec![
                "Rust: machine instructions retired per step".to_string(),
                fact_text(&self.step.rust_instructions),
            ],
        ];
        let mut html = table(&["one step of the while loop", "count"], &rows);
        if !self.step.python_loop.is_empty() {
            let ops: Vec<String> = self
                .step
                .python_loop
                .iter()
                .map(|op| format!("<code>{}</code>", escape(op)))
                .collect();
            html.push_str(&format!(
                "<p>The loop as <code>dis</code> lists it ({} bytecodes, from the condition's first test to the jump back): {}</p>",
                self.step.python_loop.len(),
                ops.join(" · ")
            ));
        }
        Html(html)
    }

    /// Show the Rust flame graph with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

fn fact_text(f: &Fact<f64>) -> String {
    match f {
        Fact::Known(v) => fmt_sig(*v, 3),
        Fact::Unavailable(u) => format!("unavailable: {}", u.reason()),
    }
}

fn flame(p: &StackSamples, title: &str) -> Result<Figure> {
    let stacks = p.by_function();
    let rate = match p.achieved_hz() {
        Some(hz) => format!("{} a second (asked for {})", fmt_sig(hz, 3), p.rate_hz),
        None => format!("{} a second", p.rate_hz),
    };
    let caption = format!(
        "{} samples by {} at {rate}; a box's width is its share of them, its callers are below it",
        p.total(),
        p.profiler,
    );
    flame_chart(&FlameChart {
        title,
        caption: &caption,
        stacks: &stacks,
    })
}

impl Outcome for Sampling {
    fn name(&self) -> &str {
        "sampling"
    }

    fn headlines(&self) -> Vec<Headline> {
        [
            Headline::new(
                "sampler_overhead_percent",
                "the Rust sampler's cost on the Julia loop",
                self.overhead_percent("rust", "sampler"),
                "%",
                false,
            ),
            Headline::new(
                "py_spy_overhead_percent",
                "py-spy's cost on the Python program",
                self.overhead_percent("python", "py-spy"),
                "%",
                false,
            ),
            Headline::new(
                "python_bytecodes_per_step",
                "bytecodes CPython runs per step of the Julia loop",
                self.step.python_bytecodes.known().copied(),
                "",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        match &self.rust_profile {
            Fact::Known(p) => flame(
                p,
                &format!("The Rust loop as written ({0} × {0}), sampled", self.grid),
            ),
            Fact::Unavailable(u) => Err(Error::Plot(format!(
                "the Rust sampler: unavailable ({})",
                u.reason()
            ))),
        }
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        match (&self.rust_profile, self.row("rust", "none")) {
            (Fact::Known(p), Some(plain)) => {
                s.push_str(&format!(
                    "The sampler took {} samples of the Rust loop ({} a run)",
                    p.total(),
                    fmt_seconds(plain.seconds)
                ));
                if let Some(hz) = p
                    .achieved_hz()
                    .filter(|hz| *hz < 0.8 * f64::from(p.rate_hz))
                {
                    s.push_str(&format!(
                        ", {} a second where it asked for {}: the kernel's timer tick delivers no more",
                        fmt_sig(hz, 3),
                        p.rate_hz
                    ));
                }
                if let Some(h) = self.rust_hypot_percent() {
                    s.push_str(&format!(
                        "; {}% of them were inside hypot, the square root behind abs(z) < 2{}",
                        fmt_sig(h, 2),
                        if h >= 25.0 {
                            ": the same culprit as the book's Python profile, and the reason for its first fix"
                        } else {
                            ": in this build hypot is not where the time goes"
                        }
                    ));
                }
                s.push('.');
                if let Some(top) = self.rust_lines.first() {
                    s.push_str(&format!(
                        " The busiest line is julia.rs:{} (`{}`), {}% of the samples.",
                        top.line,
                        top.code,
                        fmt_sig(top.percent, 2)
                    ));
                }
                if let Some(o) = self.overhead_percent("rust", "sampler") {
                    s.push_str(&format!(
                        " {}",
                        overhead_sentence("Sampling Rust", o, self.plain_noise_percent)
                    ));
                }
            }
            (Fact::Unavailable(u), _) => {
                s.push_str(&format!("The Rust sampler: unavailable ({}).", u.reason()))
            }
            _ => {}
        }
        if let Some(top) = self.python_lines.first() {
            s.push_str(&format!(
                " py-spy puts {}% of the Python samples on `{}`",
                fmt_sig(top.percent, 2),
                top.code
            ));
            if let Some(o) = self.overhead_percent("python", "py-spy") {
                s.push_str(&format!(
                    "; {}",
                    overhead_sentence("sampling it from outside", o, self.python_noise_percent)
                ));
            } else {
                s.push('.');
            }
        }
        match (self.step.python_bytecodes.known(), self.step.rust_instructions.known()) {
            (Some(b), Some(i)) => s.push_str(&format!(
                " One step of the loop is {} bytecodes in CPython, each several dozen machine instructions in the interpreter, and {} instructions in Rust.",
                fmt_sig(*b, 3),
                fmt_sig(*i, 3)
            )),
            (Some(b), None) => s.push_str(&format!(
                " One step of the loop is {} bytecodes in CPython, each dispatched and run by the interpreter; Rust's instruction count needs hardware counters ({}).",
                fmt_sig(*b, 3),
                self.step.rust_instructions.as_result().err().map_or("", |u| u.reason())
            )),
            _ => {}
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s
    }
}

/// What a profiler's measured cost means, in words chosen by the numbers:
/// `noise` is how much the plain runs differed among themselves, %.
fn overhead_sentence(what: &str, percent: f64, noise: Option<f64>) -> String {
    let p = fmt_sig(percent, 2);
    match noise {
        Some(n) if percent.abs() <= n => format!(
            "{what} cost nothing this run can tell apart from the noise ({p}%, while the plain runs differed by {}% among themselves).",
            fmt_sig(n, 2)
        ),
        _ if percent < 1.0 => format!("{what} cost nothing measurable ({p}%)."),
        _ if percent <= 5.0 => {
            format!("{what} added {p}%: cheap enough to leave on while you look.")
        }
        _ => format!("{what} added {p}%: noticeable, so time the fix without the profiler."),
    }
}

impl fmt::Display for Sampling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "The Julia program under sampling profilers")?;
        writeln!(
            f,
            "{:<10} {:<10} {:>12} {:>6}",
            "language", "profiler", "median", "runs"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<10} {:<10} {:>12} {:>6}",
                r.language,
                r.profiler,
                fmt_seconds(r.seconds),
                r.runs
            )?;
        }
        for (name, lines) in [("Rust", &self.rust_lines), ("Python", &self.python_lines)] {
            if !lines.is_empty() {
                writeln!(f, "\n{name}, busiest lines:")?;
                for l in lines.iter().take(6) {
                    writeln!(f, "{:>5} {:>6.1}%  {}", l.line, l.percent, l.code)?;
                }
            }
        }
        write!(f, "{}", self.reading())
    }
}
