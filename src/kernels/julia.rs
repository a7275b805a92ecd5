//! The Julia set of the book's chapter 2: for every point z of a square grid,
//! iterate z ← z² + c and count the steps until |z| reaches 2 (or the
//! iteration limit). The book's variants — the loop as written, `abs(z) < 2`
//! replaced by `|z|² < 4`, the cheaper test first — then explicit lanes over
//! neighbouring points and threads over rows. Every variant returns the same
//! counts as [`julia_reference`].

use rayon::prelude::*;

use crate::error::{Error, Result};

/// The book's constant c.
pub const C: (f64, f64) = (-0.62772, -0.42193);

/// The book's region of the complex plane: x and y from -1.8 to 1.8.
pub const REGION: (f64, f64) = (-1.8, 1.8);

/// The book's iteration limit.
pub const MAX_ITER: u32 = 300;

/// The book's grid width.
pub const BOOK_WIDTH: usize = 1000;

/// The book's check: the sum of all counts at 1000 × 1000 and 300 iterations.
pub const BOOK_SUM: u64 = 33_219_980;

/// The grid's coordinates, built as the book builds them: by adding the step
/// again and again (so the last digits, and the counts near the edge of the
/// set, match the Python run exactly). `xs` left to right, `ys` top to
/// bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Real parts, one per column.
    pub xs: Vec<f64>,
    /// Imaginary parts, one per row (top row first).
    pub ys: Vec<f64>,
}

impl Grid {
    /// The `width` × `width` grid over [`REGION`].
    ///
    /// # Errors
    /// [`Error::BadInput`] for a width of 0 or over 20 000 (400 M points).
    pub fn new(width: usize) -> Result<Grid> {
        if width == 0 || width > 20_000 {
            return Err(Error::bad_input(format!(
                "a Julia grid {width} points wide: use 1 to 20000 (the book uses {BOOK_WIDTH})"
            )));
        }
        let (lo, hi) = REGION;
        let x_step = (hi - lo) / width as f64;
        let y_step = (lo - hi) / width as f64;
        let mut xs = Vec::with_capacity(width + 1);
        let mut x = lo;
        while x < hi {
            xs.push(x);
            x += x_step;
        }
        let mut ys = Vec::with_capacity(width + 1);
        let mut y = hi;
        while y > lo {
            ys.push(y);
            y += y_step;
        }
        Ok(Grid { xs, ys })
    }

    /// Points in the grid.
    pub fn len(&self) -> usize {
        self.xs.len() * self.ys.len()
    }

    /// Whether the grid has no points (never, for a grid from [`Grid::new`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One point, as the book's Python runs it: `abs(z) < 2` first (CPython's
/// `abs` of a complex is `hypot`), then the iteration limit; the complex
/// product written out in CPython's order.
#[inline]
pub fn escape_abs(mut zr: f64, mut zi: f64, max_iter: u32) -> u32 {
    let mut n = 0;
    while zr.hypot(zi) < 2.0 && n < max_iter {
        let re = zr * zr - zi * zi;
        let im = zr * zi + zi * zr;
        zr = re + C.0;
        zi = im + C.1;
        n += 1;
    }
    n
}

/// The book's first fix: compare |z|² with 4 (no square root).
#[inline]
pub fn escape_norm(mut zr: f64, mut zi: f64, max_iter: u32) -> u32 {
    let mut n = 0;
    while zr * zr + zi * zi < 4.0 && n < max_iter {
        let re = zr * zr - zi * zi;
        let im = zr * zi + zi * zr;
        zr = re + C.0;
        zi = im + C.1;
        n += 1;
    }
    n
}

/// The book's second fix: the cheap test (the counter) first.
#[inline]
pub fn escape_cheap_first(mut zr: f64, mut zi: f64, max_iter: u32) -> u32 {
    let mut n = 0;
    while n < max_iter && zr * zr + zi * zi < 4.0 {
        let re = zr * zr - zi * zi;
        let im = zr * zi + zi * zr;
        zr = re + C.0;
        zi = im + C.1;
        n += 1;
    }
    n
}

/// The book's `calculate_z` for one point with its own constant `c`, as
/// chapter 8's compiled versions take it (zs and cs as arrays): count steps
/// of z ← z² + c while the count is under `max_iter` and |z|² < 4 (the
/// book's "expanded math", no square root). With `c` = [`C`] it is
/// [`escape_cheap_first`], and gives [`julia_reference`]'s counts.
#[inline]
pub fn calculate_z_point(z: (f64, f64), c: (f64, f64), max_iter: u32) -> u32 {
    let (mut zr, mut zi) = z;
    let mut n = 0;
    while n < max_iter && zr * zr + zi * zi < 4.0 {
        let re = zr * zr - zi * zi;
        let im = zr * zi + zi * zr;
        zr = re + c.0;
        zi = im + c.1;
        n += 1;
    }
    n
}

/// The grid's points as the book's `zs` list: row by row, top row first.
pub fn grid_points(grid: &Grid) -> Vec<(f64, f64)> {
    grid.ys
        .iter()
        .flat_map(|&y| grid.xs.iter().map(move |&x| (x, y)))
        .collect()
}

/// Apply a one-point function to every point, row by row.
fn map_points(grid: &Grid, max_iter: u32, f: impl Fn(f64, f64, u32) -> u32) -> Vec<u32> {
    grid.ys
        .iter()
        .flat_map(|&y| grid.xs.iter().map(move |&x| (x, y)))
        .map(|(x, y)| f(x, y, max_iter))
        .collect()
}

/// The reference: the book's loop, point by point.
pub fn julia_reference(grid: &Grid, max_iter: u32) -> Vec<u32> {
    map_points(grid, max_iter, escape_abs)
}

/// The book's loop as written, `abs(z) < 2` (a `hypot` per step).
pub fn julia_abs(grid: &Grid, max_iter: u32) -> Vec<u32> {
    map_points(grid, max_iter, escape_abs)
}

/// `|z|² < 4` instead of `abs(z) < 2`.
pub fn julia_norm(grid: &Grid, max_iter: u32) -> Vec<u32> {
    map_points(grid, max_iter, escape_norm)
}

/// `|z|² < 4`, with the counter tested first.
pub fn julia_cheap_first(grid: &Grid, max_iter: u32) -> Vec<u32> {
    map_points(grid, max_iter, escape_cheap_first)
}

/// Neighbouring points handled together: enough for two to four vector
/// registers' worth, so that independent points hide each other's latency.
pub const LANES: usize = 32;

/// `LANES` neighbouring points at once: every lane does the same arithmetic
/// each step, a lane that has escaped keeps its value and stops counting
/// (a select, not a branch), and the block ends when every lane is done.
/// Written so the compiler maps the lanes onto vector registers; the
/// arithmetic is the scalar loop's, in the same order, so the counts are
/// identical.
#[inline(always)]
fn escape_lanes(zr0: &[f64; LANES], zi0: f64, max_iter: u32) -> [u32; LANES] {
    let mut zr = *zr0;
    let mut zi = [zi0; LANES];
    let mut n = [0u32; LANES];
    for _ in 0..max_iter {
        let mut active = [0u32; LANES];
        for l in 0..LANES {
            active[l] = u32::from(zr[l] * zr[l] + zi[l] * zi[l] < 4.0);
        }
        if active.iter().all(|&a| a == 0) {
            break;
        }
        for l in 0..LANES {
            let re = zr[l] * zr[l] - zi[l] * zi[l] + C.0;
            let im = zr[l] * zi[l] + zi[l] * zr[l] + C.1;
            let keep = active[l] != 0;
            zr[l] = if keep { re } else { zr[l] };
            zi[l] = if keep { im } else { zi[l] };
            n[l] += active[l];
        }
    }
    n
}

/// One row with explicit lanes (the tail that does not fill a block goes
/// point by point).
#[inline(always)]
fn row_lanes_generic(xs: &[f64], y: f64, max_iter: u32, out: &mut [u32]) {
    let mut chunks = xs.chunks_exact(LANES);
    let mut outs = out.chunks_exact_mut(LANES);
    for (x, o) in (&mut chunks).zip(&mut outs) {
        let block: &[f64; LANES] = x.try_into().unwrap_or(&[0.0; LANES]);
        o.copy_from_slice(&escape_lanes(block, y, max_iter));
    }
    for (&x, o) in chunks.remainder().iter().zip(outs.into_remainder()) {
        *o = escape_norm(x, y, max_iter);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn row_lanes_avx512(xs: &[f64], y: f64, max_iter: u32, out: &mut [u32]) {
    row_lanes_generic(xs, y, max_iter, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn row_lanes_avx2(xs: &[f64], y: f64, max_iter: u32, out: &mut [u32]) {
    row_lanes_generic(xs, y, max_iter, out);
}

/// The vector width the lanes run at on this CPU, in bits (checked at run
/// time: 512 with AVX-512, 256 with AVX2, else the baseline's 128).
pub fn lane_bits() -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return 512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return 256;
        }
    }
    128
}

/// One row with explicit lanes, at the widest vectors this CPU has.
fn row_lanes(xs: &[f64], y: f64, max_iter: u32, out: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU was just checked for AVX-512F.
            return unsafe { row_lanes_avx512(xs, y, max_iter, out) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU was just checked for AVX2.
            return unsafe { row_lanes_avx2(xs, y, max_iter, out) };
        }
    }
    row_lanes_generic(xs, y, max_iter, out);
}

/// `|z|² < 4` on [`LANES`] neighbouring points at once, one thread.
pub fn julia_lanes(grid: &Grid, max_iter: u32) -> Vec<u32> {
    let w = grid.xs.len();
    let mut out = vec![0u32; grid.len()];
    for (row, &y) in out.chunks_mut(w.max(1)).zip(&grid.ys) {
        row_lanes(&grid.xs, y, max_iter, row);
    }
    out
}

/// Threads over rows, static schedule: the rows cut into `threads`
/// contiguous blocks of equal size, one block per thread, fixed before the
/// run starts (OpenMP's `schedule(static)`).
pub fn julia_static(grid: &Grid, max_iter: u32, threads: usize) -> Vec<u32> {
    let w = grid.xs.len().max(1);
    let mut out = vec![0u32; grid.len()];
    let rows_per = grid.ys.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (block, ys) in out.chunks_mut(rows_per * w).zip(grid.ys.chunks(rows_per)) {
            s.spawn(move || {
                for (row, &y) in block.chunks_mut(w).zip(ys) {
                    row_lanes(&grid.xs, y, max_iter, row);
                }
            });
        }
    });
    out
}

/// Threads over rows, dynamic schedule: a pool of `threads` workers takes
/// rows one at a time as it finishes the last (rayon's work stealing), so
/// expensive rows spread out.
///
/// # Errors
/// [`Error::BadInput`] if the thread pool cannot start.
pub fn julia_dynamic(grid: &Grid, max_iter: u32, threads: usize) -> Result<Vec<u32>> {
    let w = grid.xs.len().max(1);
    let mut out = vec![0u32; grid.len()];
    // A pool per call: evcxr gives each cell its own copy of rayon, so the
    // global pool would not outlive the cell anyway.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::bad_input(format!("could not start {threads} threads: {e}")))?;
    pool.install(|| {
        out.par_chunks_mut(w)
            .zip(grid.ys.par_iter())
            .with_max_len(1)
            .for_each(|(row, &y)| row_lanes(&grid.xs, y, max_iter, row));
    });
    Ok(out)
}

/// The sum of the counts: the book's check.
pub fn output_sum(counts: &[u32]) -> u64 {
    counts.iter().map(|&n| u64::from(n)).sum()
}

/// Iterations per row (the work each row costs).
pub fn row_work(counts: &[u32], width: usize) -> Vec<u64> {
    counts.chunks(width.max(1)).map(output_sum).collect()
}
