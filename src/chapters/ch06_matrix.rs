//! Chapter 6 · Matrix and Vector Computation: the diffusion equation from
//! Python lists to numpy to Rust, in the reader's Python and in Rust.

use super::{Chapter, Entry, load_as};
use crate::experiments as x;

/// Chapter 6, in notebook order.
pub const CHAPTER: Chapter = Chapter {
    number: 6,
    slug: "matrix",
    title: "Matrix and Vector Computation",
    core: &[],
    experiments: &[
        Entry {
            name: "norm",
            about: "the book's vector norm, 2⁷ to 2²⁰ elements: a CPython loop, sum() of a generator, np.dot and np.linalg.norm beside Rust's in-order sum, four running sums and 16 lanes",
            run: |m, b, _| Ok(Box::new(x::norm(m, b)?)),
            load: load_as::<x::Norm>,
        },
        Entry {
            name: "diffusion",
            about: "the book's 2D diffusion ladder, 64² to 4096²: CPython lists, numpy with np.roll, numpy in place, numexpr, scipy; Rust nested Vecs, numpy's passes, one fused pass (f64, f32) and rayon — every grid checked against the reference first",
            run: |m, b, _| Ok(Box::new(x::diffusion(m, b)?)),
            load: load_as::<x::Diffusion>,
        },
        Entry {
            name: "diffusion_traffic",
            about: "why each diffusion rung is faster, at 512² and 2048²: the heap one step holds (Rust counted, CPython tracemalloc), the grid streams it reads and writes and the speed it moves them at against a copy loop, hardware counters where they open",
            run: |m, b, _| Ok(Box::new(x::diffusion_traffic(m, b)?)),
            load: load_as::<x::DiffusionTraffic>,
        },
        Entry {
            name: "gpu",
            about: "the book's PyTorch-on-a-GPU diffusion figures (labelled reference data) and, where the NVIDIA driver finds a CUDA device, the diffusion grid's copy time to it and back; otherwise why not",
            run: |m, b, _| Ok(Box::new(x::gpu(m, b)?)),
            load: load_as::<x::Gpu>,
        },
    ],
};
