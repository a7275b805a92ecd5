//! Computing units: the clock, instruction-level parallelism, branches,
//! SIMD lanes, peak FLOP/s, the roofline, scaling over cores and Amdahl's
//! law.
pub mod amdahl;
pub mod branches;
pub mod clock;
pub mod flops;
pub mod ilp;
pub mod roofline;
pub mod scaling;
pub mod simd;
