//! Iterators and generators (chapter 5): lists against lazy streams, and
//! whether Rust's iterator adapters cost anything, measured beside the
//! reader's CPython.

pub mod anomalies;
pub mod chains;
pub mod fibonacci;
