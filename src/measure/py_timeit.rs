//! Live Python in a notebook: a Rust cell sends a snippet to the reader's
//! own interpreter and gets back a [`Timing`] (timed with `timeit`'s rules,
//! so `compare` sets it beside Rust timings) or a value (as JSON, to check
//! that both languages computed the same thing).
//!
//! ```no_run
//! use hpp::prelude::*;
//! let setup = "values = [float(i) for i in range(10**6)]";
//! let py = py_timeit("sum(values)", setup)?;
//! let total = py_eval("sum(values)", setup)?;
//! # Ok::<(), hpp::Error>(())
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::cpython::{PythonInfo, SNIPPET, python_limit, run_json};
use super::{Budget, Timing};
use crate::error::{Error, Fact, Result};
use crate::machine::interpreters::find_python;

/// A snippet to run: its setup, the interpreter, the budget and a time
/// limit. Build with [`PySnippet::new`], then call [`PySnippet::timeit`] or
/// [`PySnippet::eval`].
#[derive(Debug, Clone)]
pub struct PySnippet {
    setup: String,
    interpreter: Option<String>,
    budget: Budget,
    limit: Option<Duration>,
}

/// A value sent back from the reader's Python, as JSON (`Deref`s to
/// [`serde_json::Value`], so `.as_f64()`, `.as_array()`… work). Its own
/// type, so a notebook can keep it in a variable.
#[derive(Debug, Clone, PartialEq)]
pub struct PyValue(pub Value);

impl std::ops::Deref for PyValue {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl std::fmt::Display for PyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl PyValue {
    /// Check that Python computed what Rust did before either is timed:
    /// numbers compare by value (Python's `511370976.0` equals Rust's
    /// `511370976`), anything else as JSON. Prints the agreed value.
    ///
    /// # Errors
    /// [`Error::BadInput`] naming both values when they differ.
    pub fn agrees_with<T: serde::Serialize>(&self, rust: T) -> Result<()> {
        let rust = serde_json::to_value(rust).map_err(|e| Error::Json(e.to_string()))?;
        let same = match (self.0.as_f64(), rust.as_f64()) {
            (Some(p), Some(r)) => p == r,
            _ => self.0 == rust,
        };
        if same {
            println!("Python and Rust agree: {rust}");
            Ok(())
        } else {
            Err(Error::bad_input(format!(
                "Python computed {} and Rust {rust}: they differ, so neither is worth timing — fix one first",
                self.0
            )))
        }
    }

    /// Show in a notebook as the JSON text.
    pub fn evcxr_display(&self) {
        println!(
            "{}",
            crate::display::evcxr_content(&[("text/plain", &self.to_string())])
        );
    }
}

/// What the snippet runner sends back.
#[derive(Debug, Deserialize)]
struct Reply {
    python: PythonInfo,
    #[serde(default)]
    value: Option<Value>,
    #[serde(default)]
    timing: Option<ReplyTiming>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    stdout: String,
}

#[derive(Debug, Deserialize)]
struct ReplyTiming {
    loops: u64,
    per_call_s: Vec<f64>,
}

impl PySnippet {
    /// A snippet whose `setup` runs once before the statement or expression
    /// (imports, building the input). The interpreter is `HPP_PYTHON`, else
    /// `python3` on PATH (`make` points `HPP_PYTHON` at the project's venv);
    /// the budget is [`Budget::from_env`].
    pub fn new(setup: &str) -> Self {
        PySnippet {
            setup: setup.to_string(),
            interpreter: None,
            budget: Budget::from_env(),
            limit: None,
        }
    }

    /// Use this interpreter (a name on PATH or a path).
    pub fn interpreter(mut self, python: &str) -> Self {
        self.interpreter = Some(python.to_string());
        self
    }

    /// Time under this budget (run length and run count).
    pub fn budget(mut self, budget: &Budget) -> Self {
        self.budget = budget.clone();
        self
    }

    /// Stop the interpreter after this long (default: 45 s quick, 180 s
    /// default, 600 s thorough).
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Time `stmt` as `%timeit` would: loops grown 1, 2, 5, 10… until a run
    /// lasts the budget's minimum, then the budget's number of runs.
    ///
    /// # Errors
    /// [`Error::Python`] with the traceback when the snippet raises;
    /// [`Error::Unavailable`] when no interpreter runs it, or it runs past
    /// the limit and is stopped.
    pub fn timeit(&self, stmt: &str) -> Result<Timing> {
        let reply = self.send(Some(stmt), None)?;
        let t = reply
            .timing
            .ok_or_else(|| Error::Json("the snippet runner sent no timing".into()))?;
        if t.per_call_s.is_empty() || t.loops == 0 {
            return Err(Error::Json(
                "the snippet runner sent an empty timing".into(),
            ));
        }
        let label = format!(
            "{} {}: {}",
            reply.python.implementation,
            reply.python.version,
            one_line(stmt)
        );
        Ok(Timing::from_samples(t.loops, t.per_call_s, self.budget.level.as_str()).named(label))
    }

    /// Evaluate `expr` after the setup and return its value as JSON
    /// (numbers, strings, lists, dicts; numpy values through `tolist()`).
    ///
    /// # Errors
    /// As [`PySnippet::timeit`]; a value that is not JSON-ready comes back
    /// as a Python `TypeError` naming its type.
    pub fn eval(&self, expr: &str) -> Result<PyValue> {
        let reply = self.send(None, Some(expr))?;
        reply
            .value
            .map(PyValue)
            .ok_or_else(|| Error::Json("the snippet runner sent no value".into()))
    }

    fn send(&self, stmt: Option<&str>, expr: Option<&str>) -> Result<Reply> {
        if stmt.is_some_and(|s| s.trim().is_empty()) || expr.is_some_and(|e| e.trim().is_empty()) {
            return Err(Error::bad_input(
                "an empty snippet times nothing: give a statement such as \"sum(values)\"",
            ));
        }
        let python: PathBuf = match find_python(self.interpreter.as_deref()) {
            Fact::Known(p) => p,
            Fact::Unavailable(u) => return Err(Error::Unavailable(u)),
        };
        let request = serde_json::json!({
            "setup": self.setup,
            "stmt": stmt,
            "expr": expr,
            "min_run_s": self.budget.per_point().min_run_s,
            "runs": self.budget.runs.clamp(3, 11),
        });
        let limit = match self.limit {
            Some(l) => l,
            None => python_limit(&self.budget)?,
        };
        let reply: Reply = run_json(&python, SNIPPET, &request, limit)?;
        // What the snippet printed is shown, as it would be in a Python cell;
        // so is a traceback, on stdout, which evcxr keeps in step with the
        // cell (its stderr can arrive after the cell has finished).
        if !reply.stdout.is_empty() {
            print!("{}", reply.stdout);
        }
        match reply.error {
            Some(traceback) => {
                print!("{traceback}");
                Err(Error::Python { traceback })
            }
            None => Ok(reply),
        }
    }
}

fn one_line(code: &str) -> String {
    let first = code.lines().next().unwrap_or("").trim();
    if code.lines().count() > 1 || first.chars().count() > 60 {
        format!("{}…", first.chars().take(60).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Time `stmt` in the reader's Python after `setup`, with `timeit`'s rules
/// (see [`PySnippet`] for the interpreter, budget and limit).
///
/// # Errors
/// As [`PySnippet::timeit`].
pub fn py_timeit(stmt: &str, setup: &str) -> Result<Timing> {
    PySnippet::new(setup).timeit(stmt)
}

/// The value of `expr` in the reader's Python after `setup`, as JSON.
///
/// # Errors
/// As [`PySnippet::eval`].
pub fn py_eval(expr: &str, setup: &str) -> Result<PyValue> {
    PySnippet::new(setup).eval(expr)
}
