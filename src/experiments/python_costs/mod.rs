//! Where Python pays: pointers, dynamic types, the interpreter loop, the
//! GIL and object overhead, and the book's Python examples run by CPython
//! beside Rust.
pub mod dynamic;
pub mod examples;
pub mod gil;
pub mod interpreter;
pub mod objects;
pub mod pointers;
