//! Peak floating-point kernels: twelve independent FMA chains (enough to
//! cover the FMA latency on every current core) at each vector width the CPU
//! has, in f64 and f32. Each FMA is 2 floating-point operations per lane.
//!
//! # Platforms
//! x86_64: scalar (SSE registers, FMA3), 128-bit, 256-bit (FMA3) and 512-bit
//! (AVX-512F) when the CPU reports them. aarch64: scalar (`fmadd`) and
//! 128-bit NEON (`fmla`). Elsewhere: none.

/// Floating-point precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 64-bit.
    F64,
    /// 32-bit.
    F32,
}

impl Precision {
    /// "f64" or "f32".
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }

    /// Bytes per element.
    pub fn bytes(self) -> u32 {
        match self {
            Precision::F64 => 8,
            Precision::F32 => 4,
        }
    }
}

/// Independent chains per kernel.
pub const CHAINS: usize = 12;

/// FMAs per chain per round.
pub const STEPS: u64 = 4;

/// Floating-point operations one call of [`run`] performs.
pub fn flops_per_call(p: Precision, vector_bits: u32, rounds: u64) -> f64 {
    // 64 means scalar: one lane whatever the precision.
    let lanes = if vector_bits <= 64 {
        1.0
    } else {
        f64::from(vector_bits / 8 / p.bytes())
    };
    2.0 * lanes * (CHAINS as u64 * STEPS * rounds) as f64
}

/// Run the kernel of `p` at `vector_bits` (64 means scalar) for `rounds`;
/// returns the sum of every lane of every chain, or `None` when this CPU
/// lacks that width or FMA.
pub fn run(p: Precision, vector_bits: u32, rounds: u64) -> Option<f64> {
    imp::run(p, vector_bits, rounds)
}

/// Reference for [`run`]: each chain adds 1 × 1 per FMA in every lane.
pub fn reference(p: Precision, vector_bits: u32, rounds: u64) -> f64 {
    flops_per_call(p, vector_bits, rounds) / 2.0
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::Precision;
    use std::arch::x86_64::*;

    // One kernel: 12 accumulators of type $t in register class $class, the
    // FMA instruction $op, a `one` vector, and a way to sum the lanes.
    macro_rules! kernel {
        ($name:ident, $feat:literal, $class:ident, $t:ty, $zero:expr, $one:expr, $lanes:ty) => {
            #[target_feature(enable = $feat)]
            fn $name(rounds: u64) -> f64 {
                let mut a: [$t; 12] = [$zero; 12];
                let one: $t = $one;
                for _ in 0..rounds {
                    // SAFETY: register-only FMAs; the caller checked the
                    // CPU supports every feature this function enables.
                    unsafe {
                        std::arch::asm!(
                            kernel!(@tmpl $name),
                            inout($class) a[0], inout($class) a[1], inout($class) a[2],
                            inout($class) a[3], inout($class) a[4], inout($class) a[5],
                            inout($class) a[6], inout($class) a[7], inout($class) a[8],
                            inout($class) a[9], inout($class) a[10], inout($class) a[11],
                            one = in($class) one,
                            options(nomem, nostack)
                        );
                    }
                }
                a.iter()
                    .map(|v| {
                        // SAFETY: a SIMD register is plain lanes of floats.
                        let lanes: $lanes = unsafe { std::mem::transmute(*v) };
                        lanes.iter().map(|&x| f64::from(x)).sum::<f64>()
                    })
                    .sum()
            }
        };
        (@tmpl f64_64) => { four_steps!(["vfmadd231sd ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f32_64) => { four_steps!(["vfmadd231ss ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f64_128) => { four_steps!(["vfmadd231pd ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f32_128) => { four_steps!(["vfmadd231ps ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f64_256) => { four_steps!(["vfmadd231pd ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f32_256) => { four_steps!(["vfmadd231ps ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f64_512) => { four_steps!(["vfmadd231pd ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
        (@tmpl f32_512) => { four_steps!(["vfmadd231ps ", "}, {one}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11) };
    }

    kernel!(
        f64_64,
        "fma",
        xmm_reg,
        __m128d,
        _mm_setzero_pd(),
        _mm_set1_pd(1.0),
        [f64; 2]
    );
    kernel!(
        f32_64,
        "fma",
        xmm_reg,
        __m128,
        _mm_setzero_ps(),
        _mm_set1_ps(1.0),
        [f32; 4]
    );
    kernel!(
        f64_128,
        "fma",
        xmm_reg,
        __m128d,
        _mm_setzero_pd(),
        _mm_set1_pd(1.0),
        [f64; 2]
    );
    kernel!(
        f32_128,
        "fma",
        xmm_reg,
        __m128,
        _mm_setzero_ps(),
        _mm_set1_ps(1.0),
        [f32; 4]
    );
    kernel!(
        f64_256,
        "avx,fma",
        ymm_reg,
        __m256d,
        _mm256_setzero_pd(),
        _mm256_set1_pd(1.0),
        [f64; 4]
    );
    kernel!(
        f32_256,
        "avx,fma",
        ymm_reg,
        __m256,
        _mm256_setzero_ps(),
        _mm256_set1_ps(1.0),
        [f32; 8]
    );

    kernel!(
        f64_512,
        "avx512f",
        zmm_reg,
        __m512d,
        _mm512_setzero_pd(),
        _mm512_set1_pd(1.0),
        [f64; 8]
    );
    kernel!(
        f32_512,
        "avx512f",
        zmm_reg,
        __m512,
        _mm512_setzero_ps(),
        _mm512_set1_ps(1.0),
        [f32; 16]
    );

    pub fn run(p: Precision, bits: u32, rounds: u64) -> Option<f64> {
        if !std::arch::is_x86_feature_detected!("fma") {
            return None;
        }
        // SAFETY (all arms): FMA was detected above; the 256-bit arms also
        // check AVX, the 512-bit arms AVX-512F.
        unsafe {
            Some(match (p, bits) {
                // Scalar: only lane 0 accumulates; the other lanes stay 0.
                (Precision::F64, 64) => f64_64(rounds),
                (Precision::F32, 64) => f32_64(rounds),
                (Precision::F64, 128) => f64_128(rounds),
                (Precision::F32, 128) => f32_128(rounds),
                (Precision::F64, 256) if std::arch::is_x86_feature_detected!("avx") => {
                    f64_256(rounds)
                }
                (Precision::F32, 256) if std::arch::is_x86_feature_detected!("avx") => {
                    f32_256(rounds)
                }
                (Precision::F64, 512) if std::arch::is_x86_feature_detected!("avx512f") => {
                    f64_512(rounds)
                }
                (Precision::F32, 512) if std::arch::is_x86_feature_detected!("avx512f") => {
                    f32_512(rounds)
                }
                _ => return None,
            })
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod imp {
    use super::Precision;
    use std::arch::aarch64::*;

    // Scalar: `fmadd d_i, one, one, d_i` (d_i += 1 × 1); vector:
    // `fmla v_i.<arrangement>, one, one`.
    // One kernel: 12 accumulators of type $t, the asm template, a `one`
    // constant and a way to sum the lanes.
    macro_rules! kernel {
        ($name:ident, $t:ty, $zero:expr, $one:expr, $tmpl:expr, $sum:expr) => {
            #[target_feature(enable = "neon")]
            fn $name(rounds: u64) -> f64 {
                let mut a: [$t; 12] = [$zero; 12];
                let one: $t = $one;
                for _ in 0..rounds {
                    // SAFETY: register-only FMAs; NEON was detected by the caller.
                    unsafe {
                        std::arch::asm!(
                            $tmpl,
                            inout(vreg) a[0], inout(vreg) a[1], inout(vreg) a[2],
                            inout(vreg) a[3], inout(vreg) a[4], inout(vreg) a[5],
                            inout(vreg) a[6], inout(vreg) a[7], inout(vreg) a[8],
                            inout(vreg) a[9], inout(vreg) a[10], inout(vreg) a[11],
                            one = in(vreg) one,
                            options(nomem, nostack)
                        );
                    }
                }
                a.iter().map($sum).sum()
            }
        };
    }

    // Scalar: fmadd d_i, one, one, d_i (d_i += 1 × 1). Vector: fmla v_i, one, one.
    kernel!(
        f64_64,
        f64,
        0.0,
        1.0,
        four_steps!(["fmadd ", ":d}, {one:d}, {one:d}, ", ":d}"]; 0 1 2 3 4 5 6 7 8 9 10 11),
        |&x: &f64| x
    );
    kernel!(
        f32_64,
        f32,
        0.0,
        1.0,
        four_steps!(["fmadd ", ":s}, {one:s}, {one:s}, ", ":s}"]; 0 1 2 3 4 5 6 7 8 9 10 11),
        |&x: &f32| f64::from(x)
    );
    kernel!(
        f64_128,
        float64x2_t,
        vdupq_n_f64(0.0),
        vdupq_n_f64(1.0),
        four_steps!(["fmla ", ":v}.2d, {one:v}.2d, {one:v}.2d"]; 0 1 2 3 4 5 6 7 8 9 10 11),
        |x: &float64x2_t| {
            // SAFETY: a vector is plain lanes of floats.
            let l: [f64; 2] = unsafe { std::mem::transmute(*x) };
            l.iter().sum::<f64>()
        }
    );
    kernel!(
        f32_128,
        float32x4_t,
        vdupq_n_f32(0.0),
        vdupq_n_f32(1.0),
        four_steps!(["fmla ", ":v}.4s, {one:v}.4s, {one:v}.4s"]; 0 1 2 3 4 5 6 7 8 9 10 11),
        |x: &float32x4_t| {
            // SAFETY: a vector is plain lanes of floats.
            let l: [f32; 4] = unsafe { std::mem::transmute(*x) };
            l.iter().map(|&v| f64::from(v)).sum::<f64>()
        }
    );

    pub fn run(p: Precision, bits: u32, rounds: u64) -> Option<f64> {
        if !std::arch::is_aarch64_feature_detected!("neon") {
            return None;
        }
        // SAFETY (all arms): NEON was detected above.
        unsafe {
            Some(match (p, bits) {
                (Precision::F64, 64) => f64_64(rounds),
                (Precision::F32, 64) => f32_64(rounds),
                (Precision::F64, 128) => f64_128(rounds),
                (Precision::F32, 128) => f32_128(rounds),
                _ => return None,
            })
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp {
    use super::Precision;

    pub fn run(_p: Precision, _bits: u32, _rounds: u64) -> Option<f64> {
        None
    }
}
