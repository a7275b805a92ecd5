//! hpp's one integration test binary.

mod arrays;
mod buses;
mod cli;
mod club;
mod compiling;
mod compute;
mod containers;
mod harness;
mod hash_tables;
mod hostile;
mod io;
mod iterators;
mod kernels;
mod machine_code;
mod memory;
mod plots;
mod predict;
mod prelude;
mod probe;
mod profiling;
mod python;
mod readings;
mod units;

use std::path::PathBuf;

/// As in the CLI: every allocation counted (tests `hpp::measure::heap`'s
/// counting path; the library's own unit tests take the other one).
#[global_allocator]
static ALLOCATOR: hpp::measure::heap::Counting = hpp::measure::heap::Counting;

/// A folder under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
