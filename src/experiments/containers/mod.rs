//! Lists and tuples, dictionaries and sets (chapters 3 and 4): how
//! CPython's containers and Rust's search, grow and hash, measured side by
//! side.

pub mod bad_hash;
pub mod growth;
pub mod hashers;
pub mod membership;
pub mod namespaces;
pub mod probing;
pub mod records;
pub mod search;
pub mod sort;
pub mod table_growth;
pub mod unique_names;
