//! Chapter 3 · Lists and Tuples: how a sorted list is searched and how a
//! growing list finds room, in the reader's Python and in Rust.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 3, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 3,
    slug: "lists_tuples",
    title: "Lists and Tuples",
    core: &[],
    experiments: &[
        Entry {
            name: "search",
            about: "a sorted list searched from 10 to 10⁷ elements: linear scan vs binary search in CPython (list.index, in, bisect) and Rust (position, partition_point, branch-free, Eytzinger)",
            run: |m, b, _| Ok(Box::new(x::search(m, b)?)),
            load: load_as::<x::Sweep>,
        },
        Entry {
            name: "sort",
            about: "sorted() (Timsort) vs Rust's sort and sort_unstable on random, sorted, reversed, nearly sorted and few-distinct inputs: what order already in the data buys",
            run: |m, b, _| Ok(Box::new(x::sort(m, b)?)),
            load: load_as::<x::Sort>,
        },
        Entry {
            name: "growth",
            about: "a list growing one append at a time: capacity steps of a CPython list (getsizeof) and a Rust Vec, the growth factor, and appending vs preallocating vs a comprehension, per item",
            run: |m, b, _| Ok(Box::new(x::growth(m, b)?)),
            load: load_as::<x::GrowthResult>,
        },
        Entry {
            name: "records",
            about: "the book's 9-item records: bytes and build time of a CPython list, comprehension, tuple and tuple of constants, beside Rust's array, tuple, vec![], pushed Vec and Box<[u64]>",
            run: |m, b, _| Ok(Box::new(x::records(m, b)?)),
            load: load_as::<x::Records>,
        },
    ],
};
