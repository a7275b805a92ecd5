//! KERNELS: the hot loops under test, grouped by hardware topic. Each has a
//! `_reference` twin; kernels never print and never allocate in the loop.
//! Written for evcxr's default build too: wrapping arithmetic, iterators and
//! slices, no `debug_assert!` inside loops.

/// An inline-assembly template for the ILP and FLOP/s kernels: one
/// instruction per chain `i` in `$($i)*`, built as `parts[0] {i parts[1]
/// {i parts[2] …` (the chain's operand is written `{i}` plus whatever
/// modifier the next part starts with), the whole set four times — four
/// steps per round. (Unused on architectures without those kernels.)
#[allow(unused_macros)]
macro_rules! four_steps {
    ($parts:tt; $($i:literal)*) => {
        concat!(
            four_steps!(@all $parts; $($i)*),
            four_steps!(@all $parts; $($i)*),
            four_steps!(@all $parts; $($i)*),
            four_steps!(@all $parts; $($i)*),
        )
    };
    (@all $parts:tt; $($i:literal)*) => {
        concat!($(four_steps!(@line $parts; $i),)*)
    };
    (@line [$first:literal $(, $rest:literal)*]; $i:literal) => {
        concat!($first, $("{", $i, $rest,)* "\n")
    };
}

pub mod anomaly;
pub mod bandwidth;
pub mod branches;
pub mod cache;
pub mod compute;
pub mod diffusion;
pub mod dynamic;
pub mod examples;
pub mod flops;
pub mod hashing;
pub mod ilp;
pub mod interp;
pub mod iterators;
pub mod julia;
pub mod ladder;
pub mod memory;
pub mod network;
pub mod open_addressing;
pub mod parallel;
pub mod pointers;
pub mod rng;
pub mod search;
pub mod simd;
pub mod storage;
pub mod vectors;
pub mod words;
