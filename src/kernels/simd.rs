//! SIMD kernels: sum and dot product in three forms — strict scalar order
//! (what a plain loop compiles to: it cannot be vectorised without changing
//! the rounding), auto-vectorisable (independent partial sums the compiler
//! packs into the build's vector width), and explicit lanes with run-time
//! dispatch (SSE2 128-bit, AVX2 256-bit, AVX-512 512-bit on x86_64) — plus
//! saxpy (`y += a·x`), which the compiler vectorises whatever you write.
//!
//! # Platforms
//! Explicit lanes on x86_64; elsewhere those variants are unavailable.

/// f64 or f32, for the generic helpers.
pub trait Float:
    Copy + Default + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + PartialOrd
{
    /// From a small integer.
    fn from_u16(v: u16) -> Self;
    /// To f64 (for comparisons).
    fn to_f64(self) -> f64;
}

impl Float for f64 {
    fn from_u16(v: u16) -> Self {
        f64::from(v)
    }
    fn to_f64(self) -> f64 {
        self
    }
}

impl Float for f32 {
    fn from_u16(v: u16) -> Self {
        f32::from(v)
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

/// `n` small whole numbers (0 … 15), so every summation order gives the same
/// exact result.
pub fn make<T: Float>(n: usize) -> Vec<T> {
    (0..n).map(|i| T::from_u16((i % 16) as u16)).collect()
}

/// Sum left to right: one dependent add per element.
pub fn sum_scalar<T: Float>(x: &[T]) -> T {
    let mut s = T::default();
    for &v in x {
        s = s + v;
    }
    s
}

/// Sum with 16 independent partial sums, which the compiler can keep in
/// vector registers of the build's width.
pub fn sum_auto<T: Float>(x: &[T]) -> T {
    let mut acc = [T::default(); 16];
    let chunks = x.chunks_exact(16);
    let rem = chunks.remainder();
    for c in chunks {
        for k in 0..16 {
            acc[k] = acc[k] + c[k];
        }
    }
    let mut s = T::default();
    for a in acc {
        s = s + a;
    }
    for &v in rem {
        s = s + v;
    }
    s
}

/// Dot product left to right.
pub fn dot_scalar<T: Float>(x: &[T], y: &[T]) -> T {
    let mut s = T::default();
    for (&a, &b) in x.iter().zip(y) {
        s = s + a * b;
    }
    s
}

/// Dot product with 16 independent partial sums.
pub fn dot_auto<T: Float>(x: &[T], y: &[T]) -> T {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let mut acc = [T::default(); 16];
    for (cx, cy) in x.chunks_exact(16).zip(y.chunks_exact(16)) {
        for k in 0..16 {
            acc[k] = acc[k] + cx[k] * cy[k];
        }
    }
    let mut s = T::default();
    for a in acc {
        s = s + a;
    }
    let tail = n - n % 16;
    for (&a, &b) in x[tail..].iter().zip(&y[tail..]) {
        s = s + a * b;
    }
    s
}

/// `y[i] += a · x[i]`.
pub fn saxpy<T: Float>(a: T, x: &[T], y: &mut [T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + a * xi;
    }
}

/// Vector widths with an explicit kernel that this CPU can run, in bits.
pub fn explicit_widths() -> Vec<u32> {
    let mut v = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        v.push(128); // SSE2 is part of x86_64
        if std::arch::is_x86_feature_detected!("avx2") {
            v.push(256);
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            v.push(512);
        }
    }
    v
}

/// Explicit-lane f32 sum at `bits` (128, 256, 512); `None` if this CPU or
/// architecture cannot.
pub fn sum_f32_lanes(x: &[f32], bits: u32) -> Option<f32> {
    if !explicit_widths().contains(&bits) {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: each width runs only when the CPU reported its feature
    // (checked by `explicit_widths`).
    unsafe {
        return Some(match bits {
            128 => x86::sum_f32_128(x),
            256 => x86::sum_f32_256(x),
            _ => x86::sum_f32_512(x),
        });
    }
    #[allow(unreachable_code)]
    None
}

/// Explicit-lane f64 sum at `bits`; `None` if this CPU cannot.
pub fn sum_f64_lanes(x: &[f64], bits: u32) -> Option<f64> {
    if !explicit_widths().contains(&bits) {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as in `sum_f32_lanes`.
    unsafe {
        return Some(match bits {
            128 => x86::sum_f64_128(x),
            256 => x86::sum_f64_256(x),
            _ => x86::sum_f64_512(x),
        });
    }
    #[allow(unreachable_code)]
    None
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    // Four vector accumulators hide the add latency; lanes are summed at the
    // end, the tail one element at a time.
    macro_rules! lanes_sum {
        ($name:ident, $feat:literal, $t:ty, $v:ty, $lanes:literal, $zero:ident, $load:ident, $add:ident, $arr:ty) => {
            #[target_feature(enable = $feat)]
            pub unsafe fn $name(x: &[$t]) -> $t {
                // Unrolled by hand so that every build profile (evcxr's
                // incremental, 16-codegen-unit one included) gets the same loop.
                let (mut a0, mut a1, mut a2, mut a3) = ($zero(), $zero(), $zero(), $zero());
                let step = 4 * $lanes;
                let body = x.len() / step * step;
                let p = x.as_ptr();
                let mut i = 0;
                while i < body {
                    // SAFETY: i + 4·lanes ≤ body ≤ len; unaligned loads.
                    unsafe {
                        a0 = $add(a0, $load(p.add(i)));
                        a1 = $add(a1, $load(p.add(i + $lanes)));
                        a2 = $add(a2, $load(p.add(i + 2 * $lanes)));
                        a3 = $add(a3, $load(p.add(i + 3 * $lanes)));
                    }
                    i += step;
                }
                let acc = [a0, a1, a2, a3];
                let mut s: $t = 0.0;
                for a in acc {
                    // SAFETY: a vector is plain lanes of floats.
                    let l: $arr = unsafe { std::mem::transmute(a) };
                    for v in l {
                        s += v;
                    }
                }
                for &v in &x[body..] {
                    s += v;
                }
                s
            }
        };
    }

    lanes_sum!(
        sum_f32_128,
        "sse2",
        f32,
        __m128,
        4,
        _mm_setzero_ps,
        _mm_loadu_ps,
        _mm_add_ps,
        [f32; 4]
    );
    lanes_sum!(
        sum_f64_128,
        "sse2",
        f64,
        __m128d,
        2,
        _mm_setzero_pd,
        _mm_loadu_pd,
        _mm_add_pd,
        [f64; 2]
    );
    lanes_sum!(
        sum_f32_256,
        "avx2",
        f32,
        __m256,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_add_ps,
        [f32; 8]
    );
    lanes_sum!(
        sum_f64_256,
        "avx2",
        f64,
        __m256d,
        4,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_add_pd,
        [f64; 4]
    );
    lanes_sum!(
        sum_f32_512,
        "avx512f",
        f32,
        __m512,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_add_ps,
        [f32; 16]
    );
    lanes_sum!(
        sum_f64_512,
        "avx512f",
        f64,
        __m512d,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_add_pd,
        [f64; 8]
    );
}
