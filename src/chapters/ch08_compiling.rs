//! Chapter 8 · Compiling to C — and to Rust: the Julia loop made native
//! every way the book does it, from the reader's Python, and hpp's own
//! PyO3 module, and what the compilers made of the loop.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 8, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 8,
    slug: "compiling",
    title: "Compiling to C",
    core: &[],
    experiments: &[
        Entry {
            name: "routes",
            about: "the book's Julia loop from the reader's Python every way chapter 8 compiles it — Cython untyped, typed, memoryviews and prange; Numba @njit and prange; ctypes and cffi into hpp's C ABI; hpp's PyO3 module, one thread and rayon — each checked against plain Python's counts, with build and first-call times; and Rust calling it directly",
            run: |m, b, _| Ok(Box::new(x::routes(m, b)?)),
            load: load_as::<x::Routes>,
        },
        Entry {
            name: "boundary",
            about: "what crossing into native code costs: an empty call from Python, PyO3, ctypes and cffi; summing 1 to 10⁶ floats from a list (converted) or a numpy array (borrowed)",
            run: |m, b, _| Ok(Box::new(x::boundary(m, b)?)),
            load: load_as::<x::Boundary>,
        },
        Entry {
            name: "released_gil",
            about: "Python threads calling hpp's module on shares of the Julia grid, the GIL released and held, beside the CPUs the process kept busy",
            run: |m, b, _| Ok(Box::new(x::released_gil(m, b)?)),
            load: load_as::<x::ReleasedGil>,
        },
        Entry {
            name: "compiled_code",
            about: "what the compilers made of the loops: the Julia loop and the diffusion step in hpp's module (read back with objdump) and the Julia loop from Numba (its own assembly and inferred types) — the innermost loop's instructions by kind: packed SIMD, scalar, shuffles",
            run: |m, b, _| Ok(Box::new(x::compiled_code(m, b)?)),
            load: load_as::<x::CompiledCode>,
        },
    ],
};
