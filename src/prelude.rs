//! What `use hpp::prelude::*;` gives a chapter notebook: the probe, the
//! harness, budgets, the experiments and plot helpers. Functions and types
//! only — evcxr cannot import macros from external crates.

pub use crate::chapters::ch01_understanding::tier_inputs;
pub use crate::chapters::{CHAPTERS, Chapter, chapter};
pub use crate::club::{ChapterResults, Club, load_club, notebook_results, session_plan};
pub use crate::error::{Error, Fact, Result, Unavailable};
pub use crate::experiments::{
    Access, Amdahl, Anomalies, BadHash, Bandwidth, Boundary, Branches, Buses, CacheLine, Chains,
    Clock, CompiledCode, Diffusion, DiffusionTraffic, Dynamic, Fibonacci, Flops, Gil, Gpu,
    GrowthResult, Hashers, HeavyData, Ilp, Interpreter, Julia, Latency, Membership, Mlp,
    Namespaces, Network, Norm, Objects, Outcome, Predict, Probes, Profilers, Python, Records,
    ReleasedGil, Routes, Sampling, Simd, Sort, Storage, Sweep, TableGrowthResult, TierInputs,
    Tiers, TimingTools, UniqueNames, access, amdahl, anomalies, anomalies_with, bad_hash,
    bad_hash_with, bandwidth, boundary, boundary_with, branches, buses, cacheline, chains,
    chains_with, clock, compiled_code, compiled_code_with, diffusion, diffusion_traffic,
    diffusion_traffic_with, diffusion_with, dynamic, fibonacci, fibonacci_with, flops, gil, gpu,
    growth, growth_with, hashers, hashers_with, heavy_data, ilp, interpreter, julia, julia_with,
    latency, membership, membership_with, mlp, namespaces, namespaces_with, network, norm,
    norm_with, objects, pointers, probing, profilers, profilers_with, python, python_with, records,
    records_with, released_gil, released_gil_with, roofline, routes, routes_with, sampling,
    sampling_with, scaling, search, search_with, simd, sort, sort_with, storage, sum_layout,
    table_growth, table_growth_with, tiers_from, timing_tools, timing_tools_with, unique_names,
    unique_names_with,
};
pub use crate::kernels::compute::{make_u64, sum_indexed_u64};
pub use crate::kernels::examples::{is_prime, is_prime_naive, is_prime_odd, primes_reference};
// The Julia set's grid (renamed: `Grid` alone says too little in a cell) and
// reference, so a cell can check the reader's own Python against Rust at any
// size (chapter 2).
pub use crate::kernels::julia::{Grid as JuliaGrid, julia_reference, output_sum};
pub use crate::kernels::memory::{make_boxed, make_f64, sum_boxed, sum_f64};
pub use crate::machine::{Machine, machine};
pub use crate::measure::{
    Budget, Comparison, CounterValues, Level, MemUse, PySnippet, PyValue, Timing, compare, count,
    memit, py_eval, py_timeit, timeit, timeit_with,
};
pub use crate::plot::{Figure, Marker, Series, bar_chart};
pub use crate::report::html::Html;
// Re-exported so cells can write `black_box(&v)` without a `use std::hint`.
pub use std::hint::black_box;
