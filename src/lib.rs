//! # hpp — the Rust companion to *High Performance Python*
//!
//! One support crate for the chapter notebooks and the `hpp` command line.
//! Data flows one way: **probe → measure / kernels → experiment data →
//! plot / report**.
//!
//! - [`machine`](mod@machine): what is this machine? (caches, cores, SIMD, memory, build)
//! - [`measure`]: `timeit`, `memit`, `compare`, budgets
//! - [`kernels`]: the hot loops, each with a reference twin
//! - [`experiments`]: sweeps returning plain data
//! - [`plot`]: SVG figures shown inline in evcxr
//! - [`report`]: the machine card and HTML pieces
//!
//! In a notebook: `use hpp::prelude::*;` then `machine()`.
//!
//! The crate keeps no global state: evcxr compiles each cell with its own
//! copy of every dependency, so a static or a thread pool would not survive
//! from one cell to the next.

pub mod chapters;
pub mod club;
pub mod display;
pub mod error;
pub mod experiments;
pub mod kernels;
pub mod machine;
pub mod measure;
pub mod plot;
pub mod prelude;
pub mod report;
mod silent_panic;
pub mod units;

pub use error::{Error, Fact, Result, Unavailable};
pub use machine::{Machine, machine};
