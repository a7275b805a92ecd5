//! Memory-layout kernels: the same sum over data laid out differently.
//! Each kernel has a `_reference` twin written the plainest way; tests compare
//! them on small inputs.

/// Sum `f64`s left to right (the order Python's `sum` uses, so the compiler
/// may not reorder it into SIMD lanes).
pub fn sum_f64(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &x in xs {
        s += x;
    }
    s
}

/// Reference for [`sum_f64`]: an index loop, same order, so results are equal.
pub fn sum_f64_reference(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut i = 0;
    while i < xs.len() {
        s += xs[i];
        i += 1;
    }
    s
}

/// Sum `f64`s that each live in their own heap allocation, as the floats in
/// a Python list do: one pointer load, then one value load, per element.
pub fn sum_boxed(xs: &[Box<f64>]) -> f64 {
    let mut s = 0.0;
    for b in xs {
        s += **b;
    }
    s
}

/// Reference for [`sum_boxed`].
pub fn sum_boxed_reference(xs: &[Box<f64>]) -> f64 {
    xs.iter().fold(0.0, |acc, b| acc + *b.as_ref())
}

/// `n` floats with distinct, exactly representable values (0.0, 1.0, …
/// wrapped at 1024 so sums stay exact).
///
/// # Errors
/// [`Error::TooBig`](crate::Error::TooBig) when `n` floats would not fit in
/// free memory (checked before allocating).
pub fn make_f64(n: usize) -> crate::Result<Vec<f64>> {
    let mut v = crate::machine::vec_with_room("the floats", n, 8)?;
    v.extend((0..n).map(|i| (i % 1024) as f64));
    Ok(v)
}

/// Bytes one boxed float costs at most, for sizing checks before allocating:
/// the 8-byte pointer in the vector plus the allocator's chunk for an 8-byte
/// box (32 bytes, glibc's minimum; `objects` measures the real figure).
pub const BOXED_BYTES_PER_ELEMENT: u64 = 8 + 32;

/// The same values as [`make_f64`], each in its own `Box`, allocated in order.
///
/// # Errors
/// [`Error::TooBig`](crate::Error::TooBig) when `n` boxes would not fit in
/// free memory (checked before allocating).
pub fn make_boxed(n: usize) -> crate::Result<Vec<Box<f64>>> {
    let mut v = crate::machine::vec_with_room("the boxed floats", n, BOXED_BYTES_PER_ELEMENT)?;
    v.extend((0..n).map(|i| Box::new((i % 1024) as f64)));
    Ok(v)
}

/// Serialise floats as little-endian bytes into `out` (cleared first; its
/// capacity is reused): the least that sending an array to another process
/// or machine costs.
pub fn encode_le_into(xs: &[f64], out: &mut Vec<u8>) {
    out.clear();
    out.resize(xs.len() * 8, 0);
    for (c, x) in out.chunks_exact_mut(8).zip(xs) {
        c.copy_from_slice(&x.to_le_bytes());
    }
}

/// Inverse of [`encode_le_into`]; a trailing partial value is ignored.
pub fn decode_le_into(bytes: &[u8], out: &mut Vec<f64>) {
    out.clear();
    out.extend(
        bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))),
    );
}

/// Serialise floats as text into `out`, one per line (what CSV or JSON costs).
pub fn encode_text_into(xs: &[f64], out: &mut String) {
    use std::fmt::Write;
    out.clear();
    for x in xs {
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{x}");
    }
}

/// Inverse of [`encode_text_into`]; lines that are not numbers are skipped.
pub fn decode_text_into(s: &str, out: &mut Vec<f64>) {
    out.clear();
    out.extend(s.lines().filter_map(|l| l.parse::<f64>().ok()));
}
