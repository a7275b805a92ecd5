//! `records`: lists against tuples for the book's small fixed records of
//! nine items. In CPython: the bytes of each kind of container
//! (`sys.getsizeof`: a list display, a comprehension that grew by appends,
//! `list()` of it, a tuple, a tuple of constants) and the time to build
//! one. In Rust: the same nine values as an array `[u64; 9]`, a tuple, a
//! `Vec` made by `vec![…]` and one grown by pushes, and a `Box<[u64]>`,
//! with their inline and heap bytes and the time to build one.

use std::fmt;
use std::hint::black_box;
use std::mem::size_of;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::experiments::outcome::{Headline, Outcome, show, who};
use crate::machine::Machine;
use crate::measure::cpython::{CH03, PythonInfo, run_chapter_script};
use crate::measure::{Budget, Progress, timeit_with};
use crate::plot::{Figure, bar_chart};
use crate::report::html::{Html, table};
use crate::units::fmt_sig;

/// Items per record, as in the book.
pub const ITEMS: usize = 9;

/// One kind of container holding one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRow {
    /// "python" or "rust".
    pub language: String,
    /// The container, as written.
    pub container: String,
    /// Bytes the container itself takes (for Python, `sys.getsizeof`; for
    /// Rust, `size_of` of the value).
    pub inline_bytes: u64,
    /// Bytes it asked the heap for besides (Rust's buffers; 0 for Python,
    /// whose getsizeof already counts the pointer array).
    pub heap_bytes: u64,
    /// Nanoseconds to build one (and, in Rust, drop it).
    pub create_ns: f64,
}

impl RecordRow {
    /// Inline plus heap bytes.
    pub fn total_bytes(&self) -> u64 {
        self.inline_bytes + self.heap_bytes
    }
}

/// The `records` result. JSON: `items`, `rows[{language, container,
/// inline_bytes, heap_bytes, create_ns}]`, `unavailable[]`, `python`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Records {
    /// Always "records".
    pub experiment: String,
    /// Items per record.
    pub items: usize,
    /// Rust's containers first, then CPython's.
    pub rows: Vec<RecordRow>,
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
    records: Option<Vec<PyRow>>,
}

#[derive(Debug, Deserialize)]
struct PyRow {
    container: String,
    bytes: u64,
    items: usize,
    create_ns: f64,
    sum: u64,
}

/// A record grown one push at a time from empty (as a comprehension grows
/// a list).
#[inline(never)]
fn pushed(values: &[u64; ITEMS]) -> Vec<u64> {
    let mut v = Vec::new();
    for &x in values {
        v.push(x);
    }
    v
}

/// Run the experiment.
///
/// # Errors
/// [`Error::BadInput`] if a Rust container does not hold the nine values.
pub fn records(machine: &Machine, budget: &Budget) -> Result<Records> {
    records_with(machine, budget, None)
}

/// As [`records`], with an explicit interpreter.
///
/// # Errors
/// As [`records`].
pub fn records_with(
    _machine: &Machine,
    budget: &Budget,
    interpreter: Option<&str>,
) -> Result<Records> {
    let mut progress = Progress::new("records", 2);
    progress.step("Rust: array, tuple, Vec, Box<[u64]>");
    let values: [u64; ITEMS] = std::array::from_fn(|i| i as u64);
    let want: u64 = values.iter().sum();
    let point = budget.per_point();
    // Build one record from values the compiler cannot see, and hand it to
    // black_box so it is really built (and, for the heap kinds, freed).
    let per = |f: &dyn Fn() -> u64| {
        timeit_with(&point, || (0..1000).map(|_| f()).sum::<u64>()).median_s * 1e9 / 1000.0
    };
    // Heap bytes as each container actually reserved them (capacity, not
    // the nine items it holds).
    let pushed_cap = pushed(&values).capacity();
    let vec_cap = black_box(vec![values[0]; ITEMS]).capacity();
    let boxed_len = Box::<[u64]>::from(&values[..]).len();
    let checks = [
        ("[u64; 9]", black_box(values).iter().sum::<u64>()),
        (
            "vec![…]",
            black_box(vec![
                values[0], values[1], values[2], values[3], values[4], values[5], values[6],
                values[7], values[8],
            ])
            .iter()
            .sum(),
        ),
        ("Vec, pushed", pushed(&values).iter().sum()),
        ("Box<[u64]>", Box::<[u64]>::from(&values[..]).iter().sum()),
    ];
    for (name, got) in checks {
        if got != want {
            return Err(Error::bad_input(format!(
                "records: the {name} record sums to {got}, not {want}"
            )));
        }
    }
    type Tuple9 = (u64, u64, u64, u64, u64, u64, u64, u64, u64);
    let rust = |container: &str, inline: usize, heap: usize, create_ns: f64| RecordRow {
        language: "rust".into(),
        container: container.into(),
        inline_bytes: inline as u64,
        heap_bytes: heap as u64,
        create_ns,
    };
    let mut rows = vec![
        rust(
            "array [u64; 9]",
            size_of::<[u64; ITEMS]>(),
            0,
            per(&|| black_box(black_box(values))[ITEMS - 1]),
        ),
        rust(
            "tuple (u64, …, u64)",
            size_of::<Tuple9>(),
            0,
            per(&|| {
                let v = black_box(values);
                let t: Tuple9 = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
                black_box(t).8
            }),
        ),
        rust(
            "vec![a, …, i]",
            size_of::<Vec<u64>>(),
            vec_cap * size_of::<u64>(),
            per(&|| {
                let v = black_box(values);
                let r = vec![v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]];
                black_box(r)[ITEMS - 1]
            }),
        ),
        rust(
            "Vec, pushed 9 times",
            size_of::<Vec<u64>>(),
            pushed_cap * size_of::<u64>(),
            per(&|| black_box(pushed(&black_box(values)))[ITEMS - 1]),
        ),
        rust(
            "Box<[u64]>",
            size_of::<Box<[u64]>>(),
            boxed_len * size_of::<u64>(),
            per(&|| {
                let b: Box<[u64]> = Box::from(&black_box(values)[..]);
                black_box(b)[ITEMS - 1]
            }),
        ),
    ];
    let mut out_unavailable = Vec::new();
    let mut python = None;
    progress.step("CPython: list and tuple displays, comprehensions, constants");
    let spec = serde_json::json!({
        "tasks": ["records"],
        "batch": 1000,
        "min_run_s": point.min_run_s,
        "runs": budget.runs.clamp(3, 7),
    });
    match run_chapter_script::<PyReply>(interpreter, CH03, &spec, budget) {
        Ok(PyReply {
            python: p,
            records: Some(py),
        }) => {
            for r in py {
                if r.items != ITEMS || r.sum != want {
                    out_unavailable.push(format!(
                        "CPython's {} held {} items summing to {}, not {ITEMS} summing to {want}; not shown",
                        r.container, r.items, r.sum
                    ));
                    continue;
                }
                rows.push(RecordRow {
                    language: "python".into(),
                    container: r.container,
                    inline_bytes: r.bytes,
                    heap_bytes: 0,
                    create_ns: r.create_ns,
                });
            }
            python = Some(p);
        }
        Ok(_) => out_unavailable.push("CPython: the interpreter sent no records".into()),
        Err(why) => out_unavailable.push(format!("CPython: {why}")),
    }
    Ok(Records {
        experiment: "records".into(),
        items: ITEMS,
        rows,
        unavailable: out_unavailable,
        python,
        budget: budget.level.to_string(),
    })
}

impl Records {
    fn find(&self, language: &str, prefix: &str) -> Option<&RecordRow> {
        self.rows
            .iter()
            .find(|r| r.language == language && r.container.starts_with(prefix))
    }

    /// The table: bytes and build time of every container.
    pub fn table_html(&self) -> Html {
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    who(&r.language).into(),
                    r.container.clone(),
                    r.inline_bytes.to_string(),
                    r.heap_bytes.to_string(),
                    r.total_bytes().to_string(),
                    fmt_sig(r.create_ns, 3),
                ]
            })
            .collect();
        Html(table(
            &[
                "language",
                "container",
                "inline bytes",
                "heap bytes",
                "total bytes",
                "ns to build",
            ],
            &rows,
        ))
    }

    /// Show the chart with the reading.
    pub fn evcxr_display(&self) {
        show(self)
    }
}

impl Outcome for Records {
    fn name(&self) -> &str {
        "records"
    }

    fn headlines(&self) -> Vec<Headline> {
        let ns = |lang: &str, prefix: &str| self.find(lang, prefix).map(|r| r.create_ns);
        [
            Headline::new(
                "python_list_build_ns",
                "CPython: build a 9-item list",
                ns("python", "list ["),
                "ns",
                false,
            ),
            Headline::new(
                "python_tuple_build_ns",
                "CPython: build a 9-item tuple",
                ns("python", "tuple ("),
                "ns",
                false,
            ),
            Headline::new(
                "rust_vec_build_ns",
                "Rust: build a 9-item vec![]",
                ns("rust", "vec!["),
                "ns",
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn plot(&self) -> Result<Figure> {
        let bars: Vec<(String, f64)> = self
            .rows
            .iter()
            .map(|r| {
                let who = who(&r.language);
                (format!("{who} {}", r.container), r.total_bytes() as f64)
            })
            .collect();
        bar_chart(
            &format!(
                "One record of {} small integers: bytes per container",
                self.items
            ),
            "bytes (container + its buffer; CPython's small ints are shared)",
            &bars,
        )
    }

    fn reading(&self) -> String {
        let mut s = String::new();
        if let (Some(l), Some(t)) = (
            self.find("python", "list ["),
            self.find("python", "tuple ("),
        ) {
            s.push_str(&format!(
                "In CPython a 9-item list takes {} bytes and a tuple {}; building the list took {} ns and the tuple {} ns ({}).",
                l.total_bytes(),
                t.total_bytes(),
                fmt_sig(l.create_ns, 3),
                fmt_sig(t.create_ns, 3),
                if t.create_ns < 0.95 * l.create_ns {
                    format!("the tuple {}× faster: fixed size, one allocation, reused from a free list", fmt_sig(l.create_ns / t.create_ns, 2))
                } else if t.create_ns > 1.05 * l.create_ns {
                    "here the tuple was the slower one".to_string()
                } else {
                    "about the same".to_string()
                }
            ));
            if let Some(c) = self.find("python", "tuple of constants") {
                s.push_str(&format!(
                    " A tuple of constants costs {} ns: the compiler built it once, and the loop only loads it.",
                    fmt_sig(c.create_ns, 3)
                ));
            }
            if let Some(c) = self
                .find("python", "list comprehension")
                .filter(|c| c.total_bytes() > l.total_bytes())
            {
                s.push_str(&format!(
                    " A comprehension grows its list by appends and keeps the spare room: {} bytes for the same 9 items.",
                    c.total_bytes()
                ));
            }
        }
        if let (Some(a), Some(v), Some(p)) = (
            self.find("rust", "array"),
            self.find("rust", "vec!["),
            self.find("rust", "Vec, pushed"),
        ) {
            s.push_str(&format!(
                " In Rust the nine values take {} bytes inline as an array or tuple (no header, no pointers) and {} ns to build; a vec![] adds a {}-byte header and a heap buffer, {} ns to allocate and free; pushed one by one it holds room for {} items ({} bytes).",
                a.total_bytes(),
                fmt_sig(a.create_ns, 2),
                v.inline_bytes,
                fmt_sig(v.create_ns, 3),
                p.heap_bytes / 8,
                p.total_bytes()
            ));
        }
        for u in &self.unavailable {
            s.push_str(&format!(" {u}."));
        }
        s.trim_start().to_string()
    }
}

impl fmt::Display for Records {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<22} {:>7} {:>6} {:>6} {:>10}",
            "language", "container", "inline", "heap", "total", "ns/build"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<8} {:<22} {:>7} {:>6} {:>6} {:>10}",
                r.language,
                r.container,
                r.inline_bytes,
                r.heap_bytes,
                r.total_bytes(),
                fmt_sig(r.create_ns, 3)
            )?;
        }
        write!(f, "{}", self.reading())
    }
}
