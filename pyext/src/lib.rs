//! hpp's kernels as a Python extension module — chapter 8 of the book,
//! "compiling to C", with Rust as the compiled language. `import hpp` in the
//! project's venv (after `make python-module`) gives:
//!
//! - `calculate_z(maxiter, zs, cs, output)`: the book's Julia-set loop on
//!   numpy arrays (complex128 in, int32 out), written into `output` without
//!   copying, with the GIL released while it runs;
//!   `calculate_z_holding_gil` is the same with the GIL held (chapter 8's
//!   GIL comparison), and `calculate_z_rayon` shares the points among
//!   rayon's threads;
//! - `diffusion_step(grid, out)`: one step of chapter 6's diffusion on
//!   square float64 arrays, by hpp's fused single pass;
//! - `noop()`, `sum_array(a)` and `sum_list(values)`: what crossing the
//!   boundary costs — nothing, a borrowed numpy buffer, a list converted
//!   element by element.
//!
//! The same library also exports plain C functions (`hpp_calculate_z`,
//! `hpp_diffusion_step`, `hpp_noop`) for ctypes and cffi, the book's other
//! routes to native code.
//!
//! Wrong input — a wrong dtype, a shape that does not match, an array that
//! is not contiguous — raises a Python exception; nothing is read or written
//! out of bounds.

use numpy::{
    Complex64, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray1, PyReadwriteArray2,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rayon::prelude::*;

use hpp::kernels::bandwidth::read_sum;
use hpp::kernels::diffusion::step_fused;
use hpp::kernels::julia::calculate_z_point;

/// The Julia loop over slices: `output[i]` = steps for `zs[i]` with `cs[i]`.
fn fill(maxiter: u32, zs: &[Complex64], cs: &[Complex64], output: &mut [i32]) {
    for ((z, c), o) in zs.iter().zip(cs).zip(output.iter_mut()) {
        *o = calculate_z_point((z.re, z.im), (c.re, c.im), maxiter) as i32;
    }
}

/// The three arrays as slices, refusing ones of different lengths or that
/// are not contiguous.
fn julia_args<'a>(
    zs: &'a PyReadonlyArray1<'_, Complex64>,
    cs: &'a PyReadonlyArray1<'_, Complex64>,
    output: &'a mut PyReadwriteArray1<'_, i32>,
) -> PyResult<(&'a [Complex64], &'a [Complex64], &'a mut [i32])> {
    let zs = zs
        .as_slice()
        .map_err(|_| PyValueError::new_err("zs must be a contiguous complex128 array"))?;
    let cs = cs
        .as_slice()
        .map_err(|_| PyValueError::new_err("cs must be a contiguous complex128 array"))?;
    let output = output
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err("output must be a contiguous int32 array"))?;
    if zs.len() != cs.len() || zs.len() != output.len() {
        return Err(PyValueError::new_err(format!(
            "zs, cs and output must have the same length (got {}, {} and {})",
            zs.len(),
            cs.len(),
            output.len()
        )));
    }
    Ok((zs, cs, output))
}

/// The book's `calculate_z(maxiter, zs, cs, output)`, with the GIL released
/// while it runs (other Python threads carry on).
#[pyfunction]
fn calculate_z(
    py: Python<'_>,
    maxiter: u32,
    zs: PyReadonlyArray1<'_, Complex64>,
    cs: PyReadonlyArray1<'_, Complex64>,
    mut output: PyReadwriteArray1<'_, i32>,
) -> PyResult<()> {
    let (zs, cs, output) = julia_args(&zs, &cs, &mut output)?;
    py.detach(|| fill(maxiter, zs, cs, output));
    Ok(())
}

/// [`calculate_z`] with the GIL held throughout: no other Python thread
/// runs until it returns.
#[pyfunction]
fn calculate_z_holding_gil(
    maxiter: u32,
    zs: PyReadonlyArray1<'_, Complex64>,
    cs: PyReadonlyArray1<'_, Complex64>,
    mut output: PyReadwriteArray1<'_, i32>,
) -> PyResult<()> {
    let (zs, cs, output) = julia_args(&zs, &cs, &mut output)?;
    fill(maxiter, zs, cs, output);
    Ok(())
}

/// [`calculate_z`] with the points shared among `threads` rayon threads
/// (0: one per CPU), GIL released.
#[pyfunction]
#[pyo3(signature = (maxiter, zs, cs, output, threads = 0))]
fn calculate_z_rayon(
    py: Python<'_>,
    maxiter: u32,
    zs: PyReadonlyArray1<'_, Complex64>,
    cs: PyReadonlyArray1<'_, Complex64>,
    mut output: PyReadwriteArray1<'_, i32>,
    threads: usize,
) -> PyResult<()> {
    let (zs, cs, output) = julia_args(&zs, &cs, &mut output)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| PyValueError::new_err(format!("could not start {threads} threads: {e}")))?;
    py.detach(|| {
        pool.install(|| {
            const CHUNK: usize = 1024;
            output
                .par_chunks_mut(CHUNK)
                .zip(zs.par_chunks(CHUNK).zip(cs.par_chunks(CHUNK)))
                .for_each(|(o, (z, c))| fill(maxiter, z, c, o));
        })
    });
    Ok(())
}

/// One step of chapter 6's diffusion (periodic edges, D = 1, dt = 0.1)
/// from `grid` into `out`, both square, C-contiguous float64 arrays of the
/// same shape.
#[pyfunction]
fn diffusion_step(
    py: Python<'_>,
    grid: PyReadonlyArray2<'_, f64>,
    mut out: PyReadwriteArray2<'_, f64>,
) -> PyResult<()> {
    let shape = grid.shape().to_vec();
    if shape.len() != 2 || shape[0] != shape[1] || out.shape() != shape.as_slice() {
        return Err(PyValueError::new_err(format!(
            "grid and out must be square arrays of the same shape (got {:?} and {:?})",
            shape,
            out.shape()
        )));
    }
    let n = shape[0];
    let g = grid
        .as_slice()
        .map_err(|_| PyValueError::new_err("grid must be C-contiguous"))?;
    let o = out
        .as_slice_mut()
        .map_err(|_| PyValueError::new_err("out must be C-contiguous"))?;
    py.detach(|| step_fused(g, o, n));
    Ok(())
}

/// Does nothing: the cost of a call into the module and back.
#[pyfunction]
fn noop() {}

/// The sum of a float64 array, read in place (the buffer is borrowed), by
/// hpp's vectorised sum (several running totals, so not in Python's order).
#[pyfunction]
fn sum_array(a: PyReadonlyArray1<'_, f64>) -> PyResult<f64> {
    let v = a
        .as_slice()
        .map_err(|_| PyValueError::new_err("a must be a contiguous float64 array"))?;
    Ok(read_sum(v))
}

/// The sum of a list of floats, converted into a Rust vector first (a copy).
#[pyfunction]
fn sum_list(values: Vec<f64>) -> f64 {
    read_sum(&values)
}

/// The module.
#[pymodule]
#[pyo3(name = "hpp")]
fn hpp_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(calculate_z, m)?)?;
    m.add_function(wrap_pyfunction!(calculate_z_holding_gil, m)?)?;
    m.add_function(wrap_pyfunction!(calculate_z_rayon, m)?)?;
    m.add_function(wrap_pyfunction!(diffusion_step, m)?)?;
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    m.add_function(wrap_pyfunction!(sum_array, m)?)?;
    m.add_function(wrap_pyfunction!(sum_list, m)?)?;
    Ok(())
}

/// C ABI: the Julia loop over `n` points; `zs` and `cs` hold `2n` doubles
/// (real, imaginary, … — numpy's complex128 layout), `output` `n` ints.
///
/// # Safety
/// The pointers must be valid for those lengths; `output` must not overlap
/// the inputs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hpp_calculate_z(
    maxiter: u32,
    zs: *const f64,
    cs: *const f64,
    output: *mut i32,
    n: usize,
) {
    if n == 0 || zs.is_null() || cs.is_null() || output.is_null() {
        return;
    }
    // SAFETY: the caller vouches for the lengths (see above).
    let (zs, cs, output) = unsafe {
        (
            std::slice::from_raw_parts(zs, 2 * n),
            std::slice::from_raw_parts(cs, 2 * n),
            std::slice::from_raw_parts_mut(output, n),
        )
    };
    for ((z, c), o) in zs
        .chunks_exact(2)
        .zip(cs.chunks_exact(2))
        .zip(output.iter_mut())
    {
        *o = calculate_z_point((z[0], z[1]), (c[0], c[1]), maxiter) as i32;
    }
}

/// C ABI: one diffusion step of an `n` × `n` row-major grid into `out`.
///
/// # Safety
/// Both pointers must be valid for `n * n` doubles and not overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hpp_diffusion_step(grid: *const f64, out: *mut f64, n: usize) {
    if n == 0 || grid.is_null() || out.is_null() {
        return;
    }
    // SAFETY: the caller vouches for the lengths (see above).
    let (g, o) = unsafe {
        (
            std::slice::from_raw_parts(grid, n * n),
            std::slice::from_raw_parts_mut(out, n * n),
        )
    };
    step_fused(g, o, n);
}

/// C ABI: does nothing (the cost of a ctypes or cffi call).
#[unsafe(no_mangle)]
pub extern "C" fn hpp_noop() {}
