//! Compiling to native code (chapter 8): the Julia loop every way the book
//! makes it native, called from the reader's Python — Cython, Numba, ctypes
//! and cffi into hpp's C ABI, and hpp's own PyO3 module — what crossing the
//! boundary costs, and Python threads with the GIL released.

pub mod boundary;
pub mod released_gil;
pub mod routes;
