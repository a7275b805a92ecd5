//! Memory: layout, latency, cache lines, access patterns, bandwidth,
//! misses in flight and the cost of moving data.
pub mod access;
pub mod bandwidth;
pub mod cacheline;
pub mod heavy_data;
pub mod latency;
pub mod mlp;
pub mod sum_layout;
