//! Profiling to find bottlenecks (chapter 2): the book's Julia set, in the
//! reader's Python and in Rust.

pub mod julia;
pub mod profilers;
pub mod sampling;
pub mod timing_tools;
