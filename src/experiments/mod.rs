//! EXPERIMENTS: sweeps that drive kernels under a budget and return plain
//! data, grouped by the hardware they are about. Each experiment owns its
//! data type, its plot, its reading and its headline figures; experiments
//! never import each other (what several need lives in [`crate::measure`]).
//! Which chapter shows which experiment is the registry's business
//! ([`crate::chapters`]).

pub mod arrays;
pub mod compiling;
pub mod compute;
pub mod containers;
pub mod io;
pub mod iterators;
pub mod memory;
mod outcome;
pub mod predict;
pub mod profiling;
pub mod python_costs;
mod sweep;

pub use arrays::diffusion::{Diffusion, diffusion, diffusion_with};
pub use arrays::gpu::{Gpu, gpu};
pub use arrays::norm::{Norm, norm, norm_with};
pub use arrays::traffic::{DiffusionTraffic, diffusion_traffic, diffusion_traffic_with};
pub use compiling::boundary::{Boundary, boundary, boundary_with};
pub use compiling::compiled_code::{CompiledCode, compiled_code, compiled_code_with};
pub use compiling::released_gil::{ReleasedGil, released_gil, released_gil_with};
pub use compiling::routes::{Routes, routes, routes_with};
pub use compute::amdahl::{Amdahl, amdahl};
pub use compute::branches::{Branches, branches};
pub use compute::clock::{Clock, clock};
pub use compute::flops::{Flops, flops};
pub use compute::ilp::{Ilp, ilp};
pub use compute::roofline::{Roofline, roofline};
pub use compute::scaling::{Scaling, scaling};
pub use compute::simd::{Simd, simd};
pub use containers::bad_hash::{BadHash, bad_hash, bad_hash_with};
pub use containers::growth::{GrowthResult, growth, growth_with};
pub use containers::hashers::{Hashers, hashers, hashers_with};
pub use containers::membership::{Membership, membership, membership_with};
pub use containers::namespaces::{Namespaces, namespaces, namespaces_with};
pub use containers::probing::{Probes, probing};
pub use containers::records::{Records, records, records_with};
pub use containers::search::{search, search_with};
pub use containers::sort::{Sort, sort, sort_with};
pub use containers::table_growth::{TableGrowthResult, table_growth, table_growth_with};
pub use containers::unique_names::{UniqueNames, unique_names, unique_names_with};
pub use io::buses::{Buses, buses, buses_at};
pub use io::network::{Network, network};
pub use io::storage::{Storage, storage};
pub use io::tiers::{TierInputs, Tiers, tiers_from};
pub use iterators::anomalies::{Anomalies, anomalies, anomalies_with};
pub use iterators::chains::{Chains, chains, chains_with};
pub use iterators::fibonacci::{Fibonacci, fibonacci, fibonacci_with};
pub use memory::access::{Access, access};
pub use memory::bandwidth::{Bandwidth, bandwidth};
pub use memory::cacheline::{CacheLine, cacheline};
pub use memory::heavy_data::{HeavyData, heavy_data};
pub use memory::latency::{Latency, latency};
pub use memory::mlp::{Mlp, mlp};
pub use memory::sum_layout::sum_layout;
pub use outcome::{Headline, Outcome, Overlay, Shape, ToData};
pub use predict::{Answer, Answers, Guessed, Predict};
pub use profiling::julia::{Julia, julia, julia_with};
pub use profiling::profilers::{Profilers, profilers, profilers_with};
pub use profiling::sampling::{Sampling, sampling, sampling_with};
pub use profiling::timing_tools::{TimingTools, timing_tools, timing_tools_with};
pub use python_costs::dynamic::{Dynamic, dynamic};
pub use python_costs::examples::{Python, python, python_with};
pub use python_costs::gil::{Gil, gil};
pub use python_costs::interpreter::{Interpreter, interpreter};
pub use python_costs::objects::{Objects, objects};
pub use python_costs::pointers::pointers;
pub use sweep::Sweep;
