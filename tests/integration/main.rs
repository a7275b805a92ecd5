//! hpp's one integration test binary.

mod cli;
mod club;
mod compute;
mod harness;
mod hostile;
mod io;
mod kernels;
mod memory;
mod plots;
mod prelude;
mod probe;
mod profiling;
mod python;
mod readings;
mod units;

use std::path::PathBuf;

/// A folder under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
