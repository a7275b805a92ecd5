//! The 2D diffusion equation (the book's chapter 6): a square grid of
//! concentrations, each step moving every cell towards the mean of its four
//! neighbours, with periodic edges (the grid wraps round like a torus):
//!
//! `new[i][j] = g[i][j] + D·dt·(g[i+1][j] + g[i−1][j] + g[i][j+1] + g[i][j−1] − 4·g[i][j])`
//!
//! The book's constants: D = 1, dt = 0.1, and a block of 0.005 over rows and
//! columns from 0.4 n to 0.5 n. Periodic edges conserve the total, so the
//! grid's sum is a check on every implementation.
//!
//! The implementations, from the book's Python to what Python cannot do:
//! - [`step_nested`]: `Vec<Vec<f64>>`, a new grid every step — the shape of
//!   the book's pure-Python lists;
//! - [`step_passes`]: one flat buffer and a scratch buffer, updated in
//!   place in the same passes as the book's in-place numpy (copy, scale,
//!   four shifted adds, scale, add);
//! - [`step_fused`]: one pass over the grid, the Laplacian and the update
//!   together, for `f64` or `f32`;
//! - [`step_fused_parallel`]: the same pass, rows shared among rayon's
//!   threads;
//! - `step_ndarray` (feature `ch06`): the ecosystem's array crate, `Zip`
//!   over five shifted views of the grid for the interior, the wrapped
//!   edges cell by cell.

use std::ops::{Add, Mul, Sub};

use rayon::prelude::*;

/// The book's diffusion coefficient.
pub const D: f64 = 1.0;
/// The book's time step.
pub const DT: f64 = 0.1;
/// The initial block's value.
pub const BLOCK: f64 = 0.005;

/// A number type the fused step runs on (`f64`, `f32`).
pub trait Real:
    Copy + Send + Sync + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    /// `x` in this type.
    fn of(x: f64) -> Self;
    /// As `f64`.
    fn to_f64(self) -> f64;
}

impl Real for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn to_f64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

/// The rows and columns holding the initial block: 0.4 n to 0.5 n.
pub fn block_range(n: usize) -> std::ops::Range<usize> {
    (n as f64 * 0.4) as usize..(n as f64 * 0.5) as usize
}

/// The book's starting grid, flat and row-major.
pub fn initial_grid<T: Real>(n: usize) -> Vec<T> {
    let mut g = vec![T::of(0.0); n * n];
    for i in block_range(n) {
        for j in block_range(n) {
            g[i * n + j] = T::of(BLOCK);
        }
    }
    g
}

/// The reference: one step by the formula, index by index, with `%` for
/// the wrap, into a new grid.
pub fn step_reference(g: &[f64], n: usize) -> Vec<f64> {
    let mut new = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let at = |r: usize, c: usize| g[(r % n) * n + (c % n)];
            let xx = at(i + 1, j) + at(i + n - 1, j) - 2.0 * at(i, j);
            let yy = at(i, j + 1) + at(i, j + n - 1) - 2.0 * at(i, j);
            new[i * n + j] = at(i, j) + D * (xx + yy) * DT;
        }
    }
    new
}

/// The book's pure-Python shape: a grid of rows, a new one every step.
pub fn step_nested(g: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = g.len();
    let mut new = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            let xx = g[(i + 1) % n][j] + g[(i + n - 1) % n][j] - 2.0 * g[i][j];
            let yy = g[i][(j + 1) % n] + g[i][(j + n - 1) % n] - 2.0 * g[i][j];
            new[i][j] = g[i][j] + D * (xx + yy) * DT;
        }
    }
    new
}

/// `out += src` shifted by one along an axis, wrapping: the book's
/// `roll_add` (`axis` 0 moves rows, 1 moves columns; `down` is +1).
fn roll_add(src: &[f64], out: &mut [f64], n: usize, axis: usize, down: bool) {
    match (axis, down) {
        (0, true) => {
            // out[i] += src[i − 1] row by row; row 0 takes the last row.
            for (o, s) in out[n..].iter_mut().zip(&src[..n * n - n]) {
                *o += s;
            }
            for (o, s) in out[..n].iter_mut().zip(&src[n * n - n..]) {
                *o += s;
            }
        }
        (0, false) => {
            for (o, s) in out[..n * n - n].iter_mut().zip(&src[n..]) {
                *o += s;
            }
            for (o, s) in out[n * n - n..].iter_mut().zip(&src[..n]) {
                *o += s;
            }
        }
        (_, true) => {
            for (o, s) in out.chunks_exact_mut(n).zip(src.chunks_exact(n)) {
                for (a, b) in o[1..].iter_mut().zip(&s[..n - 1]) {
                    *a += b;
                }
                o[0] += s[n - 1];
            }
        }
        (_, false) => {
            for (o, s) in out.chunks_exact_mut(n).zip(src.chunks_exact(n)) {
                for (a, b) in o[..n - 1].iter_mut().zip(&s[1..]) {
                    *a += b;
                }
                o[n - 1] += s[0];
            }
        }
    }
}

/// One step in the passes of the book's in-place numpy: `out` = copy of
/// `g`, × −4, four shifted adds, × D·dt, + `g`. Eight passes over the grid.
pub fn step_passes(g: &[f64], out: &mut [f64], n: usize) {
    out.copy_from_slice(g);
    out.iter_mut().for_each(|v| *v *= -4.0);
    roll_add(g, out, n, 0, true);
    roll_add(g, out, n, 0, false);
    roll_add(g, out, n, 1, true);
    roll_add(g, out, n, 1, false);
    out.iter_mut().for_each(|v| *v *= D * DT);
    for (o, v) in out.iter_mut().zip(g) {
        *o += v;
    }
}

/// One row of the fused step: `up`, `row`, `down` are the rows above, at
/// and below, `out` the new row.
#[inline(always)]
fn fused_row<T: Real>(up: &[T], row: &[T], down: &[T], out: &mut [T]) {
    let n = row.len();
    let k = T::of(D * DT);
    let four = T::of(4.0);
    let cell =
        |j: usize, left: T, right: T| row[j] + k * (up[j] + down[j] + left + right - four * row[j]);
    out[0] = cell(0, row[n - 1], row[1 % n]);
    if n > 2 {
        // The interior as equal-length slices, so the compiler can use
        // vector instructions.
        let (left, mid, right) = (&row[..n - 2], &row[1..n - 1], &row[2..]);
        let (u, d) = (&up[1..n - 1], &down[1..n - 1]);
        for ((((o, &c), (&l, &r)), &a), &b) in out[1..n - 1]
            .iter_mut()
            .zip(mid)
            .zip(left.iter().zip(right))
            .zip(u)
            .zip(d)
        {
            *o = c + k * (a + b + l + r - four * c);
        }
    }
    if n > 1 {
        out[n - 1] = cell(n - 1, row[n - 2], row[0]);
    }
}

/// One step in a single pass: every new cell from its five old cells
/// (with 256-bit AVX when the CPU has it, by run-time dispatch).
pub fn step_fused<T: Real>(g: &[T], out: &mut [T], n: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above).
        return unsafe { fused_avx(g, out, n) };
    }
    fused_portable(g, out, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn fused_avx<T: Real>(g: &[T], out: &mut [T], n: usize) {
    fused_portable(g, out, n)
}

#[inline(always)]
fn fused_portable<T: Real>(g: &[T], out: &mut [T], n: usize) {
    for (i, o) in out.chunks_exact_mut(n).enumerate() {
        let row = |r: usize| &g[r * n..(r + 1) * n];
        fused_row(row((i + n - 1) % n), row(i), row((i + 1) % n), o);
    }
}

/// [`step_fused`] with the rows shared among the threads of the rayon pool
/// it runs in (inside `pool.install(…)` to choose how many).
pub fn step_fused_parallel<T: Real>(g: &[T], out: &mut [T], n: usize) {
    // Bands of rows, each stepped by the (dispatched) single-pass code.
    let band = n.div_ceil(rayon::current_num_threads() * 4).max(1);
    out.par_chunks_mut(band * n).enumerate().for_each(|(b, o)| {
        let first = b * band;
        for (k, row_out) in o.chunks_exact_mut(n).enumerate() {
            let i = first + k;
            let row = |r: usize| &g[r * n..(r + 1) * n];
            fused_one_row(row((i + n - 1) % n), row(i), row((i + 1) % n), row_out);
        }
    });
}

/// One row of the fused step, with AVX when the CPU has it.
fn fused_one_row<T: Real>(up: &[T], row: &[T], down: &[T], out: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU supports AVX (checked just above).
        return unsafe { fused_row_avx(up, row, down, out) };
    }
    fused_row(up, row, down, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn fused_row_avx<T: Real>(up: &[T], row: &[T], down: &[T], out: &mut [T]) {
    fused_row(up, row, down, out)
}

/// One step with [`ndarray`]: the interior (every cell with all four
/// neighbours inside the grid) by `Zip` over five shifted views, like
/// numpy's slices but in one pass; then the first and last rows and
/// columns, whose neighbours wrap round, cell by cell.
#[cfg(feature = "ch06")]
pub fn step_ndarray(g: &ndarray::Array2<f64>, out: &mut ndarray::Array2<f64>) {
    use ndarray::{Zip, s};
    let n = g.nrows();
    if n == 0 {
        return;
    }
    let k = D * DT;
    if n >= 3 {
        Zip::from(out.slice_mut(s![1..n - 1, 1..n - 1]))
            .and(g.slice(s![1..n - 1, 1..n - 1]))
            .and(g.slice(s![..n - 2, 1..n - 1]))
            .and(g.slice(s![2.., 1..n - 1]))
            .and(g.slice(s![1..n - 1, ..n - 2]))
            .and(g.slice(s![1..n - 1, 2..]))
            .for_each(|o, &c, &up, &down, &left, &right| {
                *o = c + k * (up + down + left + right - 4.0 * c);
            });
    }
    let mut edge = |i: usize, j: usize| {
        let at = |r: usize, c: usize| g[[r % n, c % n]];
        let c = g[[i, j]];
        out[[i, j]] =
            c + k * (at(i + n - 1, j) + at(i + 1, j) + at(i, j + n - 1) + at(i, j + 1) - 4.0 * c);
    };
    for j in 0..n {
        edge(0, j);
        edge(n - 1, j);
    }
    for i in 1..n - 1 {
        edge(i, 0);
        edge(i, n - 1);
    }
}

/// Flat to nested and back.
pub fn to_nested(g: &[f64], n: usize) -> Vec<Vec<f64>> {
    g.chunks_exact(n).map(<[f64]>::to_vec).collect()
}

/// The largest difference between two grids, element by element.
pub fn max_difference<T: Real>(a: &[T], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x.to_f64() - y).abs()).fold(
        if a.len() == b.len() {
            0.0
        } else {
            f64::INFINITY
        },
        f64::max,
    )
}

/// The grid's sum: the mass, conserved by periodic edges.
pub fn mass<T: Real>(g: &[T]) -> f64 {
    g.iter().map(|v| v.to_f64()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(n: usize, steps: usize) -> Vec<f64> {
        let mut g = initial_grid::<f64>(n);
        for _ in 0..steps {
            g = step_reference(&g, n);
        }
        g
    }

    #[test]
    fn every_step_matches_the_reference() {
        for n in [1, 2, 3, 4, 10, 33] {
            let want = reference(n, 7);
            let mut nested = to_nested(&initial_grid::<f64>(n), n);
            let (mut a, mut b) = (initial_grid::<f64>(n), vec![0.0; n * n]);
            let (mut c, mut d) = (initial_grid::<f64>(n), vec![0.0; n * n]);
            let (mut e, mut f) = (initial_grid::<f64>(n), vec![0.0; n * n]);
            let (mut x, mut y) = (initial_grid::<f32>(n), vec![0.0f32; n * n]);
            for _ in 0..7 {
                nested = step_nested(&nested);
                step_passes(&a, &mut b, n);
                std::mem::swap(&mut a, &mut b);
                step_fused(&c, &mut d, n);
                std::mem::swap(&mut c, &mut d);
                step_fused_parallel(&e, &mut f, n);
                std::mem::swap(&mut e, &mut f);
                step_fused(&x, &mut y, n);
                std::mem::swap(&mut x, &mut y);
            }
            #[cfg(feature = "ch06")]
            {
                let mut g = ndarray::Array2::from_shape_vec((n, n), initial_grid::<f64>(n))
                    .expect("n × n values");
                let mut h = ndarray::Array2::zeros((n, n));
                for _ in 0..7 {
                    step_ndarray(&g, &mut h);
                    std::mem::swap(&mut g, &mut h);
                }
                let got: Vec<f64> = g.iter().copied().collect();
                assert!(max_difference(&got, &want) < 1e-15, "ndarray {n}");
            }
            let flat: Vec<f64> = nested.concat();
            assert!(max_difference(&flat, &want) < 1e-15, "nested {n}");
            assert!(max_difference(&a, &want) < 1e-15, "passes {n}");
            assert!(max_difference(&c, &want) < 1e-15, "fused {n}");
            assert!(max_difference(&e, &want) < 1e-15, "parallel {n}");
            assert!(max_difference(&x, &want) < 1e-8, "f32 {n}");
        }
    }

    #[test]
    fn the_block_spreads_and_the_mass_stays() {
        let n = 50;
        let start = initial_grid::<f64>(n);
        assert_eq!(block_range(n), 20..25);
        let m0 = mass(&start);
        assert!((m0 - 25.0 * BLOCK).abs() < 1e-15);
        let after = reference(n, 100);
        assert!((mass(&after) - m0).abs() < 1e-12);
        // The peak falls and the corners, far away, have received a little.
        let peak = after.iter().copied().fold(0.0, f64::max);
        assert!(peak < BLOCK && after[0] >= 0.0);
        assert!(after[22 * n + 10] > 0.0);
        assert_eq!(max_difference(&start[..3], &after), f64::INFINITY);
    }
}
