//! Compute kernels on integers.

/// Sum with an index loop and wrapping adds: the kernel used to check that a
/// notebook build runs as fast as `--release` (wrapping arithmetic means
/// overflow checks cannot slow it; opt-level still can).
pub fn sum_indexed_u64(xs: &[u64]) -> u64 {
    let mut s = 0u64;
    #[allow(clippy::needless_range_loop)]
    for i in 0..xs.len() {
        s = s.wrapping_add(xs[i]);
    }
    s
}

/// Reference for [`sum_indexed_u64`].
pub fn sum_u64_reference(xs: &[u64]) -> u64 {
    xs.iter().fold(0u64, |a, &b| a.wrapping_add(b))
}

/// `n` integers whose sum exercises wrap-around when `n` is large.
///
/// # Errors
/// [`Error::TooBig`](crate::Error::TooBig) when `n` integers would not fit
/// in free memory (checked before allocating).
pub fn make_u64(n: usize) -> crate::Result<Vec<u64>> {
    let mut v = crate::machine::vec_with_room("the integers", n, 8)?;
    v.extend((0..n as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    Ok(v)
}

/// `n` additions, each waiting for the one before: one add per cycle on
/// every modern core, so `n / seconds` is the effective clock. Written in
/// assembly because the compiler would otherwise fold the chain into one
/// multiply. The addend is a register, not an immediate: Intel's Golden
/// Cove and later cores fold chains of small immediate adds at rename and
/// run them several per cycle (7.4 "GHz" measured on a Xeon of that family,
/// 2.8 GHz with a register addend). Returns the final value; `None` on
/// architectures without an implementation here.
pub fn dependent_adds(n: u64) -> Option<u64> {
    // Eight copies of one register add, then the loop: the same shape on
    // both architectures, only the instruction differs.
    macro_rules! chain {
        ($add:literal) => {{
            let mut x: u64 = 0;
            let one: u64 = std::hint::black_box(1);
            for _ in 0..n / 8 {
                // SAFETY: eight register adds; no memory, stack or flags
                // contract beyond what `asm!` assumes by default.
                unsafe {
                    std::arch::asm!(
                        $add, $add, $add, $add, $add, $add, $add, $add,
                        x = inout(reg) x,
                        one = in(reg) one,
                        options(nomem, nostack)
                    );
                }
            }
            Some(x)
        }};
    }
    #[cfg(target_arch = "x86_64")]
    return chain!("add {x}, {one}");
    #[cfg(target_arch = "aarch64")]
    return chain!("add {x}, {x}, {one}");
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let _ = n;
        None
    }
}

/// Lock and unlock an uncontended mutex `n` times; returns the final count.
pub fn mutex_round_trips(m: &std::sync::Mutex<u64>, n: u64) -> u64 {
    for _ in 0..n {
        // A poisoned lock still counts as a lock/unlock.
        let mut g = m.lock().unwrap_or_else(|p| p.into_inner());
        *g = g.wrapping_add(1);
    }
    *m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One sweep of a 5-point stencil over a `w`-wide grid: every interior
/// point becomes 0.2 × (itself + its four neighbours). 5 flops per point.
/// Edges are copied unchanged.
pub fn stencil_5pt(input: &[f64], out: &mut [f64], w: usize) {
    let n = input.len().min(out.len());
    out[..n].copy_from_slice(&input[..n]);
    if w < 3 || n < 3 * w {
        return;
    }
    let h = n / w;
    for r in 1..h - 1 {
        let (up, mid, down) = (
            &input[(r - 1) * w..r * w],
            &input[r * w..(r + 1) * w],
            &input[(r + 1) * w..(r + 2) * w],
        );
        let o = &mut out[r * w..(r + 1) * w];
        for c in 1..w - 1 {
            o[c] = 0.2 * (mid[c] + mid[c - 1] + mid[c + 1] + up[c] + down[c]);
        }
    }
}

/// Reference for [`stencil_5pt`], written with plain 2-D indexing.
pub fn stencil_5pt_reference(input: &[f64], out: &mut [f64], w: usize) {
    let n = input.len().min(out.len());
    out[..n].copy_from_slice(&input[..n]);
    if w < 3 || n < 3 * w {
        return;
    }
    let h = n / w;
    for r in 1..h - 1 {
        for c in 1..w - 1 {
            let at = |rr: usize, cc: usize| input[rr * w + cc];
            out[r * w + c] =
                0.2 * (at(r, c) + at(r, c - 1) + at(r, c + 1) + at(r - 1, c) + at(r + 1, c));
        }
    }
}

/// `c = a × b` for `n × n` row-major matrices, in `block × block` tiles so
/// each tile is reused from cache (2n³ flops).
pub fn matmul_blocked(a: &[f64], b: &[f64], c: &mut [f64], n: usize, block: usize) {
    let bs = block.max(1);
    c[..n * n].fill(0.0);
    for ii in (0..n).step_by(bs) {
        for kk in (0..n).step_by(bs) {
            for jj in (0..n).step_by(bs) {
                for i in ii..(ii + bs).min(n) {
                    for k in kk..(kk + bs).min(n) {
                        let aik = a[i * n + k];
                        let (brow, crow) = (
                            &b[k * n + jj..k * n + (jj + bs).min(n)],
                            &mut c[i * n + jj..i * n + (jj + bs).min(n)],
                        );
                        for (cv, bv) in crow.iter_mut().zip(brow) {
                            *cv += aik * bv;
                        }
                    }
                }
            }
        }
    }
}

/// Reference for [`matmul_blocked`]: the textbook triple loop.
pub fn matmul_reference(a: &[f64], b: &[f64], c: &mut [f64], n: usize) {
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..n {
                s += a[i * n + k] * b[k * n + j];
            }
            c[i * n + j] = s;
        }
    }
}
