//! Compiling to native code (chapter 8): the Julia loop every way the book
//! makes it native, called from the reader's Python — Cython, Numba, ctypes
//! and cffi into hpp's C ABI, and hpp's own PyO3 module — what crossing the
//! boundary costs, Python threads with the GIL released, and what the
//! compilers made of the loops.

pub mod boundary;
pub mod compiled_code;
pub mod released_gil;
pub mod routes;
