//! The diffusion ladder's Rust rungs (chapter 6) as steppers: each holds
//! its grid — nested `Vec`s, flat buffers with a scratch grid, an ndarray —
//! and takes one step at a time, so the experiments can time, check and
//! measure every rung alike.

use crate::error::{Error, Result};
use crate::kernels::diffusion::{
    Real, initial_grid, mass, step_fused, step_fused_parallel, step_nested, step_passes, to_nested,
};

/// The book's grid side, where the reading compares the rungs.
pub const BOOK_N: usize = 512;

/// Rust's rungs, in order.
pub const RUST: [&str; 6] = [
    "Vec<Vec<f64>>, new grid each step",
    "flat, numpy's passes in place",
    "fused single pass",
    "fused single pass, f32",
    "fused pass, rayon over rows",
    "ndarray, Zip over shifted views",
];

/// The index in [`RUST`] of the fused single pass (f64, one thread).
pub const FUSED: usize = 2;

/// The index in [`RUST`] of the ndarray rung (feature `ch06`).
pub const NDARRAY: usize = 5;

/// Why Rust's rung `k` cannot run in this build, if it cannot.
pub fn rung_missing(k: usize) -> Option<&'static str> {
    (k == NDARRAY && !cfg!(feature = "ch06")).then_some(
        "built without the `ch06` feature (the CLI has it; a notebook adds `features = [\"ch06\"]` to its `:dep hpp` line)",
    )
}

/// A stepper: its state and how to take one step.
pub trait Stepper {
    /// One step of the equation.
    fn step(&mut self);
    /// The grid now, as `f64`, row by row.
    fn grid(&self) -> Vec<f64>;
}

struct Nested(Vec<Vec<f64>>);
impl Stepper for Nested {
    fn step(&mut self) {
        self.0 = step_nested(&self.0);
    }
    fn grid(&self) -> Vec<f64> {
        self.0.concat()
    }
}

/// A flat grid and its scratch buffer, stepped by `f` and swapped.
struct Flat<T> {
    n: usize,
    now: Vec<T>,
    next: Vec<T>,
    f: fn(&[T], &mut [T], usize),
    pool: Option<rayon::ThreadPool>,
}
impl<T: Real> Stepper for Flat<T> {
    fn step(&mut self) {
        let (now, next, n, f) = (&self.now, &mut self.next, self.n, self.f);
        match &self.pool {
            Some(p) => p.install(|| f(now, next, n)),
            None => f(now, next, n),
        }
        std::mem::swap(&mut self.now, &mut self.next);
    }
    fn grid(&self) -> Vec<f64> {
        self.now.iter().map(|v| v.to_f64()).collect()
    }
}

fn flat<T: Real>(n: usize, f: fn(&[T], &mut [T], usize)) -> Flat<T> {
    Flat {
        n,
        now: initial_grid(n),
        next: vec![T::of(0.0); n * n],
        f,
        pool: None,
    }
}

/// The ndarray rung's two grids.
#[cfg(feature = "ch06")]
struct Nd {
    now: ndarray::Array2<f64>,
    next: ndarray::Array2<f64>,
}
#[cfg(feature = "ch06")]
impl Stepper for Nd {
    fn step(&mut self) {
        crate::kernels::diffusion::step_ndarray(&self.now, &mut self.next);
        std::mem::swap(&mut self.now, &mut self.next);
    }
    fn grid(&self) -> Vec<f64> {
        self.now.iter().copied().collect()
    }
}

/// Rust's rung `k` of [`RUST`] on an `n` × `n` grid, starting from the
/// book's initial block (`threads`: the rayon rung's pool).
///
/// # Errors
/// `Unavailable` for a rung this build lacks; [`Error::BadInput`] when the
/// threads cannot start.
pub fn stepper(k: usize, n: usize, threads: usize) -> Result<Box<dyn Stepper>> {
    if let Some(why) = rung_missing(k) {
        return Err(Error::Unavailable(crate::error::Unavailable::new(format!(
            "{}: {why}",
            RUST[k]
        ))));
    }
    Ok(match k {
        0 => Box::new(Nested(to_nested(&initial_grid(n), n))),
        1 => Box::new(flat::<f64>(n, step_passes)),
        2 => Box::new(flat::<f64>(n, step_fused)),
        3 => Box::new(flat::<f32>(n, step_fused)),
        #[cfg(feature = "ch06")]
        NDARRAY => Box::new(Nd {
            now: ndarray::Array2::from_shape_vec((n, n), initial_grid(n))
                .map_err(|e| Error::bad_input(format!("ndarray grid: {e}")))?,
            next: ndarray::Array2::zeros((n, n)),
        }),
        _ => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| Error::bad_input(format!("could not start {threads} threads: {e}")))?;
            Box::new(Flat {
                pool: Some(pool),
                ..flat::<f64>(n, step_fused_parallel)
            })
        }
    })
}

/// The block's mass at the start: what every grid's sum must stay at.
pub fn start_mass(n: usize) -> f64 {
    mass(&initial_grid::<f64>(n))
}

/// Whether `checksum` is the starting mass, to rounding (looser for f32).
pub fn conserved(checksum: f64, n: usize, single: bool) -> bool {
    let want = start_mass(n);
    let tolerance = if single { 1e-3 } else { 1e-9 };
    (checksum - want).abs() <= tolerance * want.max(1e-12)
}
