//! KERNELS: the hot loops under test, grouped by hardware topic. Each has a
//! `_reference` twin; kernels never print and never allocate in the loop.
//! Written for evcxr's default build too: wrapping arithmetic, iterators and
//! slices, no `debug_assert!` inside loops.

pub mod bandwidth;
pub mod branches;
pub mod cache;
pub mod compute;
pub mod dynamic;
pub mod examples;
pub mod flops;
pub mod ilp;
pub mod interp;
pub mod memory;
pub mod network;
pub mod parallel;
pub mod pointers;
pub mod rng;
pub mod simd;
pub mod storage;
