//! Chapter 2 · Profiling to Find Bottlenecks: measure before changing
//! anything — the book's Julia set, timed in the reader's Python and in
//! Rust, each variant checked before it is timed.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 2, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 2,
    slug: "profiling",
    title: "Profiling to Find Bottlenecks",
    core: &[],
    experiments: &[
        Entry {
            name: "julia",
            about: "the book's Julia set (1000×1000, 300 iterations): CPython vs Rust as written, the book's fixes, vector lanes, static vs dynamic threads",
            run: |m, b, o| Ok(Box::new(x::julia(m, b, o.threads)?)),
            load: load_as::<x::Julia>,
        },
        Entry {
            name: "timing_tools",
            about: "one run, several clocks: time.time(), a decorator, timeit, the whole process (wall, user, system, peak memory) and memory over time, Python and Rust",
            run: |m, b, _| Ok(Box::new(x::timing_tools(m, b)?)),
            load: load_as::<x::TimingTools>,
        },
        Entry {
            name: "profilers",
            about: "the Julia program under cProfile, tracemalloc and line_profiler (when installed): the book's tables and what each tool costs",
            run: |m, b, _| Ok(Box::new(x::profilers(m, b)?)),
            load: load_as::<x::Profilers>,
        },
        Entry {
            name: "sampling",
            about: "sampling profilers: the Rust loop under an in-process sampler and the Python program under py-spy (when installed), as flame graphs, busiest lines and their cost; bytecodes vs instructions per step",
            run: |m, b, _| Ok(Box::new(x::sampling(m, b)?)),
            load: load_as::<x::Sampling>,
        },
    ],
};
