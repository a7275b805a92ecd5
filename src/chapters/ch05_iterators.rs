//! Chapter 5 · Iterators and Generators: lazy sequences and what they save,
//! in the reader's Python and in Rust.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 5, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 5,
    slug: "iterators",
    title: "Iterators and Generators",
    core: &[],
    experiments: &[
        Entry {
            name: "fibonacci",
            about: "the book's Fibonacci numbers (big integers) as a list and as a generator, 100 to 10,000 of them: time and peak memory in CPython and Rust; and the odd ones up to 5,000 counted with a loop and with adapters",
            run: |m, b, _| Ok(Box::new(x::fibonacci(m, b)?)),
            load: load_as::<x::Fibonacci>,
        },
        Entry {
            name: "chains",
            about: "are adapters free? the sum of the squares of the odd values as a loop and as filter + map + sum in Rust; a for loop, generator expression, list comprehension and filter + map in CPython: time and memory",
            run: |m, b, _| Ok(Box::new(x::chains(m, b)?)),
            load: load_as::<x::Chains>,
        },
        Entry {
            name: "anomalies",
            about: "the book's lazy pipeline: a stream of a reading a second grouped by day and tested for normality, 1 to 16 days, streaming vs list first, in CPython and Rust: memory held and readings per second; both must flag the same days",
            run: |m, b, _| Ok(Box::new(x::anomalies(m, b)?)),
            load: load_as::<x::Anomalies>,
        },
    ],
};
