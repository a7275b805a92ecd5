//! Matrix and vector computation (chapter 6): grids and vectors stepped
//! and reduced in the reader's Python (lists, numpy, numexpr, scipy) and in
//! Rust (nested vectors to one fused pass and threads), each checked against
//! a reference before it is timed.

pub mod diffusion;
pub mod gpu;
pub mod norm;
pub mod traffic;
