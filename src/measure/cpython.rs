//! Run Python in a subprocess of the reader's own interpreter and read back
//! its JSON: a chapter's examples (`python/chNN_slug.py`) or a notebook's
//! snippet (`python/snippet.py`), each behind the shared timing harness
//! (`python/hpp_timing.py`). The script travels on stdin, so nothing is
//! written to disk; it runs on a leash (`measure::child`): a run that overstays
//! its time limit or floods its output is stopped with all it started.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Unavailable};
use crate::machine::interpreters::find_python;
use crate::measure::Budget;
use crate::measure::child::{Leash, run_contained};

/// The timing harness every script starts with, compiled in so a notebook
/// cell finds it wherever it runs.
pub const HARNESS: &str = include_str!("../../python/hpp_timing.py");

/// Chapter 1's Python examples.
pub const CH01: &str = include_str!("../../python/ch01_understanding.py");

/// Chapter 2's Python: the Julia set.
pub const CH02: &str = include_str!("../../python/ch02_profiling.py");

/// Chapter 3's Python (lists and tuples), sent to the interpreter after
/// the harness.
pub const CH03: &str = include_str!("../../python/ch03_lists_tuples.py");

/// Chapter 4's Python (dictionaries and sets), sent to the interpreter
/// after the harness.
pub const CH04: &str = include_str!("../../python/ch04_dict_set.py");

/// Chapter 5's Python side: Fibonacci lists and generators, chains, the anomaly hunt.
pub const CH05: &str = include_str!("../../python/ch05_iterators.py");

/// Chapter 6's Python side: the diffusion ladder.
pub const CH06: &str = include_str!("../../python/ch06_matrix.py");

/// Chapter 8's Python side: the Julia loop every way the book compiles it,
/// the boundary's cost, threads and the GIL.
pub const CH08: &str = include_str!("../../python/ch08_compiling.py");

/// The notebook's snippet runner.
pub const SNIPPET: &str = include_str!("../../python/snippet.py");

/// The interpreter as the script describes itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PythonInfo {
    /// e.g. "3.12.3".
    pub version: String,
    /// e.g. "CPython".
    pub implementation: String,
    /// Path of the running interpreter.
    pub executable: String,
    /// GIL state (PEP 703), as the interpreter reports it.
    pub gil: String,
    /// JIT state (PEP 744), as the interpreter reports it.
    pub jit: String,
    /// numpy's version when it imports.
    #[serde(default)]
    pub numpy: Option<String>,
}

/// One timed example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyTiming {
    /// Example name.
    pub example: String,
    /// Calls per run.
    pub loops: u64,
    /// Runs taken.
    pub runs: u64,
    /// Median per-call time, ns.
    pub median_ns: f64,
    /// Best per-call time, ns.
    pub best_ns: f64,
}

/// An example the script could not run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyMissing {
    /// Example name.
    pub example: String,
    /// Why.
    pub why: String,
}

/// One GIL measurement: `workers` threads or processes sharing fixed work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyGilPoint {
    /// "threads" or "processes".
    pub kind: String,
    /// Workers.
    pub workers: usize,
    /// Best wall time, s.
    pub seconds: f64,
}

/// The GIL section of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyGil {
    /// Loop iterations shared among the workers.
    pub work: u64,
    /// Measurements.
    pub points: Vec<PyGilPoint>,
}

/// The memory section of the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyMemory {
    /// Floats in the list.
    pub elements: u64,
    /// Bytes tracemalloc saw allocated while building the list.
    pub traced_bytes: u64,
    /// `sys.getsizeof(list)`: the list's pointer array.
    pub list_bytes: u64,
    /// `sys.getsizeof(1.5)`: one float object.
    pub float_bytes: u64,
}

/// One size of the layout task: `sum()` over a fresh list of floats and
/// over the same list shuffled, ns per call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyLayout {
    /// Floats in the list.
    pub elements: u64,
    /// Median ns per `sum()` of the list as built (objects in allocation order).
    pub fresh_ns: f64,
    /// Median ns per `sum()` after shuffling the list (objects scattered).
    pub shuffled_ns: f64,
    /// What `sum()` of the fresh list returned (checked before use).
    pub fresh_sum: f64,
    /// What `sum()` of the shuffled list returned.
    pub shuffled_sum: f64,
}

/// Everything the script prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PyOutput {
    /// The interpreter.
    pub python: PythonInfo,
    /// Timed examples.
    pub rows: Vec<PyTiming>,
    /// Examples not run.
    pub unavailable: Vec<PyMissing>,
    /// Threads vs processes, when asked for.
    #[serde(default)]
    pub gil: Option<PyGil>,
    /// A list of floats' memory, when asked for.
    #[serde(default)]
    pub memory: Option<PyMemory>,
    /// Fresh vs shuffled lists, when asked for.
    #[serde(default)]
    pub layout: Option<Vec<PyLayout>>,
}

/// Run chapter 1's examples with `python` and the JSON `spec` (see
/// `python/ch01_understanding.py`), killing it after `limit`.
///
/// # Errors
/// `Unavailable` with the reason: the interpreter does not start, exits
/// with an error (its last stderr line is quoted), runs past the limit, or
/// prints something that is not the expected JSON.
pub fn run_bench(
    python: &Path,
    spec: &serde_json::Value,
    limit: Duration,
) -> Result<PyOutput, Unavailable> {
    run_json(python, CH01, spec, limit)
}

/// The text sent to the interpreter for `script`: the harness, then the
/// script (line numbers Python reports count in this text).
pub fn sent_source(script: &str) -> String {
    format!("{HARNESS}\n{script}")
}

/// Run the harness followed by `script` with `python`, the JSON `request`
/// as its argument, killing it after `limit`; parse what it prints.
///
/// # Errors
/// As [`run_bench`].
pub fn run_json<T: serde::de::DeserializeOwned>(
    python: &Path,
    script: &str,
    request: &serde_json::Value,
    limit: Duration,
) -> Result<T, Unavailable> {
    let source = sent_source(script);
    let mut cmd = Command::new(python);
    cmd.arg("-").arg(request.to_string());
    let run = run_contained(&mut cmd, source.as_bytes(), &Leash::new(limit))?;
    if !run.success() {
        let last = last_line(&run.stderr);
        return Err(Unavailable::new(format!(
            "{} exited with {}: {last}",
            python.display(),
            run.describe()
        )));
    }
    serde_json::from_str(&run.stdout).map_err(|e| {
        Unavailable::new(format!(
            "{} printed something hpp cannot read ({e})",
            python.display()
        ))
    })
}

/// As [`run_json`], with the interpreter started by another program
/// (`tool tool_args… python - request`: a profiler that runs its command
/// and watches it). The tool may print its own lines on stdout; the one
/// line that starts with `{` is the script's answer.
///
/// # Errors
/// As [`run_bench`], naming the tool.
pub fn run_json_under<T: serde::de::DeserializeOwned>(
    tool: &Path,
    tool_args: &[std::ffi::OsString],
    python: &Path,
    script: &str,
    request: &serde_json::Value,
    limit: Duration,
) -> Result<T, Unavailable> {
    let source = sent_source(script);
    let mut cmd = Command::new(tool);
    cmd.args(tool_args)
        .arg(python)
        .arg("-")
        .arg(request.to_string());
    let run = run_contained(&mut cmd, source.as_bytes(), &Leash::new(limit))?;
    let name = tool.file_name().map_or_else(
        || tool.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if !run.success() {
        let last = last_line(&run.stderr);
        let last = if last.is_empty() {
            last_line(&run.stdout)
        } else {
            last
        };
        return Err(Unavailable::new(format!(
            "{name} exited with {}: {last}",
            run.describe()
        )));
    }
    let answer = run
        .stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(answer).map_err(|e| {
        Unavailable::new(format!(
            "{} under {name} printed something hpp cannot read ({e})",
            python.display()
        ))
    })
}

/// The last non-blank line of a program's stderr: the one that says why it
/// failed (Python's exception line, a shell's complaint).
pub fn last_line(stderr: &str) -> &str {
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
}

/// Longest a Python run may take before it is stopped (with everything it
/// started): `HPP_PYTHON_LIMIT` seconds when set (for a slow machine, or a
/// test that needs a hung interpreter stopped sooner), else by budget:
/// 45 s quick, 180 s default, 600 s thorough.
///
/// # Errors
/// `Unavailable` when `HPP_PYTHON_LIMIT` is not a number of seconds
/// between 0.1 and 86400.
pub fn python_limit(budget: &Budget) -> Result<Duration, Unavailable> {
    match std::env::var("HPP_PYTHON_LIMIT") {
        Ok(v) if !v.trim().is_empty() => match v.trim().parse::<f64>() {
            Ok(s) if (0.1..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
            _ => Err(Unavailable::new(format!(
                "HPP_PYTHON_LIMIT={v:?} is not a time limit: give seconds between 0.1 and 86400, or unset it"
            ))),
        },
        _ => Ok(Duration::from_secs(budget.level.pick(45, 180, 600))),
    }
}

/// Find the interpreter ([`find_python`]) and run chapter 1's examples with
/// `spec` under the budget's time limit; the error is the reason, for a row.
pub(crate) fn run_python(
    interpreter: Option<&str>,
    spec: &serde_json::Value,
    budget: &Budget,
) -> std::result::Result<PyOutput, String> {
    run_chapter_script(interpreter, CH01, spec, budget)
}

/// Find the interpreter ([`find_python`]: `interpreter`, else `HPP_PYTHON`,
/// else `python3`) and run a chapter's `script` with `spec` under the
/// budget's time limit; the error is the reason, for an "unavailable" row.
pub fn run_chapter_script<T: serde::de::DeserializeOwned>(
    interpreter: Option<&str>,
    script: &str,
    spec: &serde_json::Value,
    budget: &Budget,
) -> std::result::Result<T, String> {
    match find_python(interpreter) {
        Fact::Known(p) => python_limit(budget)
            .and_then(|limit| run_json(&p, script, spec, limit))
            .map_err(|u| u.unavailable),
        Fact::Unavailable(u) => Err(u.unavailable),
    }
}
