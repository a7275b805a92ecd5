//! Chapter 4 · Dictionaries and Sets: hash tables, and what their hash
//! functions are worth, in the reader's Python and in Rust.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 4, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 4,
    slug: "dict_set",
    title: "Dictionaries and Sets",
    experiments: &[
        Entry {
            name: "probing",
            about: "inside a hash table: hpp's instrumented open-addressing table counts the slots a lookup visits at load factors 0.1 to 0.9, with a mixing hash and with CPython's int hash on patterned keys, probing linearly and CPython's way",
            run: |m, b, _| Ok(Box::new(x::probing(m, b)?)),
            load: load_as::<x::Probes>,
        },
        Entry {
            name: "table_growth",
            about: "when a hash table grows: the resizes of CPython's dict and set (sys.getsizeof) and Rust's HashMap and HashSet (capacity) over 10⁵–10⁶ inserts",
            run: |m, b, _| Ok(Box::new(x::table_growth(m, b)?)),
            load: load_as::<x::TableGrowthResult>,
        },
        Entry {
            name: "bad_hash",
            about: "the book's 676 two-letter keys in a set with a constant hash, a perfect hash and the language's own, and in a list: lookups in CPython and Rust",
            run: |m, b, _| Ok(Box::new(x::bad_hash(m, b)?)),
            load: load_as::<x::BadHash>,
        },
        Entry {
            name: "unique_names",
            about: "the book's phone book: different first names counted with a list scan and a set in CPython, and with a Vec scan, HashSet, BTreeSet and sort + dedup in Rust, 100 to 10⁶ entries",
            run: |m, b, _| Ok(Box::new(x::unique_names(m, b)?)),
            load: load_as::<x::UniqueNames>,
        },
    ],
};
