//! `objects`: what one float costs in memory — 1 M floats as a CPython list
//! (measured inside CPython with `tracemalloc`), as `Vec<f64>` and as
//! `Vec<Box<f64>>` (measured with hpp's `memit`: resident memory).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Fact, Result};
use crate::experiments::outcome::{Outcome, show};
use crate::kernels::memory::{BOXED_BYTES_PER_ELEMENT, make_boxed, make_f64};
use crate::machine::Machine;
use crate::measure::cpython::run_python;
use crate::measure::{Budget, Progress, memit};
use crate::plot::{Figure, bar_chart};
use crate::units::fmt_sig;

/// Floats in each container.
pub const N: usize = 1_000_000;

/// One container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectsRow {
    /// What holds the floats.
    pub container: String,
    /// Bytes per float, or why unknown.
    pub bytes_per_element: Fact<f64>,
    /// How it was measured.
    pub method: String,
}

/// The `objects` result. JSON: `n`, `rows[{container, bytes_per_element,
/// method}]`, `python_float_bytes` (`sys.getsizeof(1.5)`),
/// `python_list_bytes_per_element` (`sys.getsizeof(list) / n`: the pointer
/// array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objects {
    /// Always "objects".
    pub experiment: String,
    /// Floats per container.
    pub n: usize,
    /// One row per container.
    pub rows: Vec<ObjectsRow>,
    /// One CPython float object's size, when CPython ran.
    pub python_float_bytes: Option<u64>,
    /// The list's own bytes per element (its array of pointers), when
    /// CPython ran.
    pub python_list_bytes_per_element: Option<f64>,
    /// Budget used.
    pub budget: String,
}

/// Measure all three.
///
/// # Errors
/// Never in practice: what cannot be measured says why in its row.
pub fn objects(machine: &Machine, budget: &Budget) -> Result<Objects> {
    budget.check_alloc(
        machine,
        "objects' largest container",
        N as u64 * BOXED_BYTES_PER_ELEMENT,
    )?;
    let mut progress = Progress::new("objects", 3);
    // Rust first: memit counts pages that become resident, and memory freed
    // by earlier work in this process could be reused without showing.
    let per =
        |r: std::result::Result<crate::measure::MemUse, crate::error::Unavailable>| -> Fact<f64> {
            r.map(|m| m.increment_bytes as f64 / N as f64).into()
        };
    progress.step("Vec<f64>");
    let plain = per(memit(|| make_f64(N)));
    progress.step("Vec<Box<f64>>");
    let boxed = per(memit(|| make_boxed(N)));
    progress.step("CPython list");
    let spec = serde_json::json!({"tasks": ["memory"], "min_run_s": 0.0, "runs": 1, "memory_n": N});
    let py = run_python(None, &spec, budget);
    let (py_row, float_bytes, list_bytes) = match &py {
        Ok(out) => match &out.memory {
            Some(m) => (
                Fact::Known(m.traced_bytes as f64 / m.elements.max(1) as f64),
                Some(m.float_bytes),
                Some(m.list_bytes as f64 / m.elements.max(1) as f64),
            ),
            None => (
                Fact::unavailable("python/ch01_understanding.py reported no memory section"),
                None,
                None,
            ),
        },
        Err(why) => (Fact::unavailable(why.clone()), None, None),
    };
    let py_name = match &py {
        Ok(out) => format!("CPython {} list of floats", out.python.version),
        Err(_) => "CPython list of floats".to_string(),
    };
    Ok(Objects {
        experiment: "objects".into(),
        n: N,
        rows: vec![
            ObjectsRow {
                container: py_name,
                bytes_per_element: py_row,
                method: "tracemalloc, inside CPython".into(),
            },
            ObjectsRow {
                container: "Vec<f64>".into(),
                bytes_per_element: plain,
                method: "hpp memit (resident set)".into(),
            },
            ObjectsRow {
                container: "Vec<Box<f64>>".into(),
                bytes_per_element: boxed,
                method: "hpp memit (resident set)".into(),
            },
        ],
        python_float_bytes: float_bytes,
        python_list_bytes_per_element: list_bytes,
        budget: budget.level.to_string(),
    })
}

impl Objects {
    /// Show the plot inline with its reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Objects {
    fn name(&self) -> &str {
        "objects"
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .filter_map(|r| {
                r.bytes_per_element
                    .known()
                    .map(|b| (r.container.clone(), *b))
            })
            .collect();
        bar_chart(
            "Memory per float: 1 M floats in a CPython list, a Vec<f64>, a Vec<Box<f64>>",
            "bytes per float",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut parts = Vec::new();
        for r in &self.rows {
            match &r.bytes_per_element {
                Fact::Known(b) => parts.push(format!("{} {} B", r.container, fmt_sig(*b, 3))),
                Fact::Unavailable(u) => {
                    parts.push(format!("{}: unavailable ({})", r.container, u.unavailable))
                }
            }
        }
        let mut s = format!("Bytes per float — {}.", parts.join("; "));
        if let (Some(f), Some(l)) = (self.python_float_bytes, self.python_list_bytes_per_element) {
            s.push_str(&format!(
                " A CPython float object is {f} bytes (reference count, type pointer, the 8-byte value) and the list adds {} bytes per element for its pointer to it; the numbers themselves are 8 bytes, as in Vec<f64>.",
                fmt_sig(l, 3)
            ));
        }
        s
    }
}

impl fmt::Display for Objects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.rows {
            let b = match &r.bytes_per_element {
                Fact::Known(b) => format!("{} B", fmt_sig(*b, 3)),
                Fact::Unavailable(u) => format!("unavailable: {}", u.unavailable),
            };
            writeln!(f, "{:<36} {:>10}  ({})", r.container, b, r.method)?;
        }
        write!(f, "{}", self.reading())
    }
}
