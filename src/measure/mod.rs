//! HARNESS: `timeit`, `memit`, `compare`, budgets and statistics — the
//! `%timeit`/`%memit` of Rust notebooks.

pub mod bandwidth;
pub mod budget;
pub mod child;
pub mod clock;
pub mod compare;
pub mod counters;
pub mod cpython;
pub mod cuda;
pub mod heap;
pub mod machine_code;
pub mod memit;
pub mod plan;
pub mod process;
pub mod progress;
pub mod py_timeit;
pub mod python_module;
pub mod quality;
pub mod sampler;
pub mod stacks;
pub mod stats;
pub mod timeit;

pub use budget::{Budget, Level};
pub use compare::{Compare, Comparison, ComparisonRow, compare, compare_timings};
pub use counters::{CounterValues, count};
pub use memit::{MemUse, memit};
pub use progress::Progress;
pub use py_timeit::{PySnippet, PyValue, py_eval, py_timeit};
pub use timeit::{Timing, timeit, timeit_with};
