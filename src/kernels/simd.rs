//! SIMD kernels: sum and dot product in three forms — strict scalar order
//! (what a plain loop compiles to: it cannot be vectorised without changing
//! the rounding), auto-vectorisable (independent partial sums the compiler
//! packs into the build's vector width), and explicit lanes with run-time
//! dispatch (SSE2 128-bit, AVX2 256-bit, AVX-512 512-bit on x86_64; NEON
//! 128-bit on aarch64) — plus
//! saxpy (`y += a·x`), which the compiler vectorises whatever you write.
//!
//! # Platforms
//! Explicit lanes on x86_64 and aarch64; elsewhere those variants are
//! unavailable.

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
    #[allow(unused_mut)]
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
    #[cfg(target_arch = "aarch64")]
    if std::arch::is_aarch64_feature_detected!("neon") {
        v.push(128);
    }
    v
}

/// Explicit-lane sum at `bits` (128, 256, 512); `None` if this CPU or
/// architecture cannot.
pub fn sum_lanes<T: Lanes>(x: &[T], bits: u32) -> Option<T> {
    if !explicit_widths().contains(&bits) {
        return None;
    }
    T::sum(x, bits)
}

/// [`sum_lanes`] for f32.
pub fn sum_f32_lanes(x: &[f32], bits: u32) -> Option<f32> {
    sum_lanes(x, bits)
}

/// [`sum_lanes`] for f64.
pub fn sum_f64_lanes(x: &[f64], bits: u32) -> Option<f64> {
    sum_lanes(x, bits)
}

/// Explicit-lane dot product at `bits`; `None` if this CPU cannot.
pub fn dot_lanes<T: Lanes>(x: &[T], y: &[T], bits: u32) -> Option<T> {
    if !explicit_widths().contains(&bits) {
        return None;
    }
    T::dot(x, y, bits)
}

/// Explicit-lane saxpy (`y += a·x`) at `bits`; `false` if this CPU cannot.
pub fn saxpy_lanes<T: Lanes>(a: T, x: &[T], y: &mut [T], bits: u32) -> bool {
    explicit_widths().contains(&bits) && T::saxpy(a, x, y, bits)
}

/// The explicit-lane kernels of one precision (f32, f64).
pub trait Lanes: Float {
    /// Sum at `bits`, if there is a kernel.
    fn sum(x: &[Self], bits: u32) -> Option<Self>;
    /// Dot product at `bits`, if there is a kernel.
    fn dot(x: &[Self], y: &[Self], bits: u32) -> Option<Self>;
    /// saxpy at `bits`; false if there is no kernel.
    fn saxpy(a: Self, x: &[Self], y: &mut [Self], bits: u32) -> bool;
}

macro_rules! lanes_impl {
    ($t:ty, $u128:ident, $u256:ident, $u512:ident, $d128:ident, $d256:ident, $d512:ident, $s128:ident, $s256:ident, $s512:ident) => {
        impl Lanes for $t {
            #[allow(unused_variables, unreachable_code)]
            fn sum(x: &[$t], bits: u32) -> Option<$t> {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: callers go through `sum_lanes`, which checked the
                // CPU supports this width.
                unsafe {
                    return match bits {
                        128 => Some(x86::$u128(x)),
                        256 => Some(x86::$u256(x)),
                        512 => Some(x86::$u512(x)),
                        _ => None,
                    };
                }
                #[cfg(target_arch = "aarch64")]
                // SAFETY: as above; NEON was detected.
                unsafe {
                    return match bits {
                        128 => Some(neon::$u128(x)),
                        _ => None,
                    };
                }
                None
            }
            #[allow(unused_variables, unreachable_code)]
            fn dot(x: &[$t], y: &[$t], bits: u32) -> Option<$t> {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: callers go through `dot_lanes`, which checked the
                // CPU supports this width.
                unsafe {
                    return match bits {
                        128 => Some(x86::$d128(x, y)),
                        256 => Some(x86::$d256(x, y)),
                        512 => Some(x86::$d512(x, y)),
                        _ => None,
                    };
                }
                #[cfg(target_arch = "aarch64")]
                // SAFETY: as above; NEON was detected.
                unsafe {
                    return match bits {
                        128 => Some(neon::$d128(x, y)),
                        _ => None,
                    };
                }
                None
            }
            #[allow(unused_variables, unreachable_code)]
            fn saxpy(a: $t, x: &[$t], y: &mut [$t], bits: u32) -> bool {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: as above, through `saxpy_lanes`.
                unsafe {
                    match bits {
                        128 => x86::$s128(a, x, y),
                        256 => x86::$s256(a, x, y),
                        512 => x86::$s512(a, x, y),
                        _ => return false,
                    }
                    return true;
                }
                #[cfg(target_arch = "aarch64")]
                // SAFETY: as above; NEON was detected.
                unsafe {
                    if bits != 128 {
                        return false;
                    }
                    neon::$s128(a, x, y);
                    return true;
                }
                false
            }
        }
    };
}

lanes_impl!(
    f32,
    sum_f32_128,
    sum_f32_256,
    sum_f32_512,
    dot_f32_128,
    dot_f32_256,
    dot_f32_512,
    saxpy_f32_128,
    saxpy_f32_256,
    saxpy_f32_512
);
lanes_impl!(
    f64,
    sum_f64_128,
    sum_f64_256,
    sum_f64_512,
    dot_f64_128,
    dot_f64_256,
    dot_f64_512,
    saxpy_f64_128,
    saxpy_f64_256,
    saxpy_f64_512
);

// The kernels' shapes, shared by x86 (SSE2/AVX2/AVX-512) and aarch64 (NEON):
// only the vector type and the intrinsics differ.
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

// Dot product: two vector accumulators of products (multiply, then add),
// the tail one element at a time.
macro_rules! lanes_dot {
    ($name:ident, $feat:literal, $t:ty, $v:ty, $lanes:literal, $zero:ident, $load:ident, $add:ident, $mul:ident, $arr:ty) => {
        #[target_feature(enable = $feat)]
        pub unsafe fn $name(x: &[$t], y: &[$t]) -> $t {
            let n = x.len().min(y.len());
            let (mut a0, mut a1) = ($zero(), $zero());
            let step = 2 * $lanes;
            let body = n / step * step;
            let (px, py) = (x.as_ptr(), y.as_ptr());
            let mut i = 0;
            while i < body {
                // SAFETY: i + 2·lanes ≤ body ≤ n; unaligned loads.
                unsafe {
                    a0 = $add(a0, $mul($load(px.add(i)), $load(py.add(i))));
                    a1 = $add(
                        a1,
                        $mul($load(px.add(i + $lanes)), $load(py.add(i + $lanes))),
                    );
                }
                i += step;
            }
            let mut s: $t = 0.0;
            for a in [a0, a1] {
                // SAFETY: a vector is plain lanes of floats.
                let l: $arr = unsafe { std::mem::transmute(a) };
                for v in l {
                    s += v;
                }
            }
            for k in body..n {
                s += x[k] * y[k];
            }
            s
        }
    };
}

// saxpy: y = a·x + y, one vector at a time, the tail one element at a time.
macro_rules! lanes_saxpy {
    ($name:ident, $feat:literal, $t:ty, $lanes:literal, $set1:ident, $load:ident, $store:ident, $add:ident, $mul:ident) => {
        #[target_feature(enable = $feat)]
        pub unsafe fn $name(a: $t, x: &[$t], y: &mut [$t]) {
            let n = x.len().min(y.len());
            let body = n / $lanes * $lanes;
            let va = $set1(a);
            let (px, py) = (x.as_ptr(), y.as_mut_ptr());
            let mut i = 0;
            while i < body {
                // SAFETY: i + lanes ≤ body ≤ n for both slices.
                unsafe {
                    let r = $add($mul(va, $load(px.add(i))), $load(py.add(i)));
                    $store(py.add(i), r);
                }
                i += $lanes;
            }
            for k in body..n {
                y[k] += a * x[k];
            }
        }
    };
}

#[cfg(target_arch = "aarch64")]
mod neon {
    use std::arch::aarch64::*;

    #[target_feature(enable = "neon")]
    fn zero_f32() -> float32x4_t {
        vdupq_n_f32(0.0)
    }

    #[target_feature(enable = "neon")]
    fn zero_f64() -> float64x2_t {
        vdupq_n_f64(0.0)
    }

    lanes_sum!(
        sum_f32_128,
        "neon",
        f32,
        float32x4_t,
        4,
        zero_f32,
        vld1q_f32,
        vaddq_f32,
        [f32; 4]
    );
    lanes_sum!(
        sum_f64_128,
        "neon",
        f64,
        float64x2_t,
        2,
        zero_f64,
        vld1q_f64,
        vaddq_f64,
        [f64; 2]
    );
    lanes_dot!(
        dot_f32_128,
        "neon",
        f32,
        float32x4_t,
        4,
        zero_f32,
        vld1q_f32,
        vaddq_f32,
        vmulq_f32,
        [f32; 4]
    );
    lanes_dot!(
        dot_f64_128,
        "neon",
        f64,
        float64x2_t,
        2,
        zero_f64,
        vld1q_f64,
        vaddq_f64,
        vmulq_f64,
        [f64; 2]
    );
    lanes_saxpy!(
        saxpy_f32_128,
        "neon",
        f32,
        4,
        vdupq_n_f32,
        vld1q_f32,
        vst1q_f32,
        vaddq_f32,
        vmulq_f32
    );
    lanes_saxpy!(
        saxpy_f64_128,
        "neon",
        f64,
        2,
        vdupq_n_f64,
        vld1q_f64,
        vst1q_f64,
        vaddq_f64,
        vmulq_f64
    );
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

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

    lanes_dot!(
        dot_f32_128,
        "sse2",
        f32,
        __m128,
        4,
        _mm_setzero_ps,
        _mm_loadu_ps,
        _mm_add_ps,
        _mm_mul_ps,
        [f32; 4]
    );
    lanes_dot!(
        dot_f64_128,
        "sse2",
        f64,
        __m128d,
        2,
        _mm_setzero_pd,
        _mm_loadu_pd,
        _mm_add_pd,
        _mm_mul_pd,
        [f64; 2]
    );
    lanes_dot!(
        dot_f32_256,
        "avx2",
        f32,
        __m256,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_add_ps,
        _mm256_mul_ps,
        [f32; 8]
    );
    lanes_dot!(
        dot_f64_256,
        "avx2",
        f64,
        __m256d,
        4,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_add_pd,
        _mm256_mul_pd,
        [f64; 4]
    );
    lanes_dot!(
        dot_f32_512,
        "avx512f",
        f32,
        __m512,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_add_ps,
        _mm512_mul_ps,
        [f32; 16]
    );
    lanes_dot!(
        dot_f64_512,
        "avx512f",
        f64,
        __m512d,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_add_pd,
        _mm512_mul_pd,
        [f64; 8]
    );
    lanes_saxpy!(
        saxpy_f32_128,
        "sse2",
        f32,
        4,
        _mm_set1_ps,
        _mm_loadu_ps,
        _mm_storeu_ps,
        _mm_add_ps,
        _mm_mul_ps
    );
    lanes_saxpy!(
        saxpy_f64_128,
        "sse2",
        f64,
        2,
        _mm_set1_pd,
        _mm_loadu_pd,
        _mm_storeu_pd,
        _mm_add_pd,
        _mm_mul_pd
    );
    lanes_saxpy!(
        saxpy_f32_256,
        "avx2",
        f32,
        8,
        _mm256_set1_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_add_ps,
        _mm256_mul_ps
    );
    lanes_saxpy!(
        saxpy_f64_256,
        "avx2",
        f64,
        4,
        _mm256_set1_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_add_pd,
        _mm256_mul_pd
    );
    lanes_saxpy!(
        saxpy_f32_512,
        "avx512f",
        f32,
        16,
        _mm512_set1_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_add_ps,
        _mm512_mul_ps
    );
    lanes_saxpy!(
        saxpy_f64_512,
        "avx512f",
        f64,
        8,
        _mm512_set1_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_add_pd,
        _mm512_mul_pd
    );
}
