//! Chapter 4 · Dictionaries and Sets: hash tables, and what their hash
//! functions are worth, in the reader's Python and in Rust.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 4, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 4,
    slug: "dict_set",
    title: "Dictionaries and Sets",
    core: &[],
    experiments: &[
        Entry {
            name: "bad_hash",
            about: "the book's 676 two-letter keys in a set with a constant hash, a perfect hash and the language's own, and in a list: lookups in CPython and Rust",
            run: |m, b, _| Ok(Box::new(x::bad_hash(m, b)?)),
            load: load_as::<x::BadHash>,
        },
        Entry {
            name: "hashers",
            about: "what a hash function costs: std's SipHash-1-3 beside foldhash, ahash and FxHash on random integers and words — hashing, building a map, looking every key up — and CPython's hash() and dict on the same keys",
            run: |m, b, _| Ok(Box::new(x::hashers(m, b)?)),
            load: load_as::<x::Hashers>,
        },
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
            name: "unique_names",
            about: "the book's phone book: different first names counted with a list scan and a set in CPython, and with a Vec scan, HashSet, BTreeSet and sort + dedup in Rust, 100 to 10⁶ entries",
            run: |m, b, _| Ok(Box::new(x::unique_names(m, b)?)),
            load: load_as::<x::UniqueNames>,
        },
        Entry {
            name: "membership",
            about: "is x in it? x in list vs x in set in CPython; Vec scan, HashSet, BTreeSet and a sorted Vec's binary search in Rust, 10 to 10⁶ items",
            run: |m, b, _| Ok(Box::new(x::membership(m, b)?)),
            load: load_as::<x::Membership>,
        },
        Entry {
            name: "namespaces",
            about: "the book's math.sin vs from math import sin vs a local alias: the cost of finding a name, timed in CPython, with the bytecode it ran (specialised in 3.11+)",
            run: |m, b, _| Ok(Box::new(x::namespaces(m, b)?)),
            load: load_as::<x::Namespaces>,
        },
    ],
};
