//! Instruction-level parallelism kernels: `K` independent chains of one
//! operation, interleaved, in assembly so that the compiler can neither fold
//! the chains nor pack them into SIMD lanes. One chain runs at the
//! operation's latency; more chains run in parallel until the core's
//! execution ports are full (its throughput).
//!
//! # Platforms
//! x86_64 (integer add up to 12 chains, scalar f64 add and scalar f64 FMA —
//! when the CPU has FMA — up to 16) and aarch64 (all three up to 16);
//! elsewhere every kernel returns `None`.

/// The operation a chain repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IlpOp {
    /// 64-bit integer add.
    IntAdd,
    /// Scalar f64 add.
    F64Add,
    /// Scalar f64 fused multiply-add.
    F64Fma,
}

impl IlpOp {
    /// All operations.
    pub const ALL: [IlpOp; 3] = [IlpOp::IntAdd, IlpOp::F64Add, IlpOp::F64Fma];

    /// Name as JSON and plots spell it.
    pub fn name(self) -> &'static str {
        match self {
            IlpOp::IntAdd => "int_add",
            IlpOp::F64Add => "f64_add",
            IlpOp::F64Fma => "f64_fma",
        }
    }
}

/// Chain counts the kernels exist for.
pub const CHAINS: [usize; 7] = [1, 2, 4, 6, 8, 12, 16];

/// Most integer chains: inline assembly on x86-64 may use 13 of the 16
/// general registers (the stack and frame pointers and rbx are reserved);
/// aarch64 has 31 and reaches every count in [`CHAINS`].
pub const MAX_INT_CHAINS: usize = if cfg!(target_arch = "aarch64") {
    16
} else {
    12
};

/// Operations per call of [`run`] per chain: 4 unrolled steps × `rounds`.
pub const STEPS_PER_ROUND: u64 = 4;

/// The FMA kernels compute `x = x × c + x` (c read from memory, so all 16
/// vector registers can hold chains); each chain starts at 1.
pub const FMA_C: f64 = 1.0 / 1_048_576.0;

/// Run `chains` independent chains of `op` for `rounds` rounds (4 operations
/// per chain per round). Returns the sum of the final chain values, or `None`
/// when this CPU or architecture has no kernel for it.
pub fn run(op: IlpOp, chains: usize, rounds: u64) -> Option<f64> {
    imp::run(op, chains, rounds)
}

/// Reference for [`run`]: adds add 1 per step, so each chain ends at
/// `4 × rounds`; an FMA chain repeats `x.mul_add(FMA_C, x)` from 1 (one
/// rounding per step, as the hardware does).
pub fn reference(op: IlpOp, chains: usize, rounds: u64) -> f64 {
    match op {
        IlpOp::IntAdd | IlpOp::F64Add => chains as f64 * (STEPS_PER_ROUND * rounds) as f64,
        IlpOp::F64Fma => {
            let mut x = 1.0f64;
            for _ in 0..STEPS_PER_ROUND * rounds {
                x = x.mul_add(FMA_C, x);
            }
            // Summed chain by chain, as the kernel does.
            std::iter::repeat_n(x, chains).sum()
        }
    }
}

// Integer chains in general registers, one template (`$form`, see
// `four_steps!`) per architecture: a kernel of chains $i… returning the sum
// of the chains.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
macro_rules! int_kernel {
    ($name:ident, $form:tt; $($i:literal)*) => {
        fn $name(rounds: u64) -> f64 {
            let mut a = [0u64; 16];
            // The addend sits in a register: Intel's Golden Cove and later
            // fold chains of immediate adds at rename, faster than one a cycle.
            let one: u64 = std::hint::black_box(1);
            for _ in 0..rounds {
                // SAFETY: register-only adds on the chains.
                unsafe {
                    std::arch::asm!(
                        four_steps!($form; $($i)*),
                        $(inout(reg) a[$i],)*
                        one = in(reg) one,
                        options(nomem, nostack)
                    );
                }
            }
            a.iter().map(|&x| x as f64).sum()
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::{FMA_C, IlpOp};

    // Float chains: the operand comes from memory ({m}), so every one of the
    // 16 xmm registers can hold a chain. $form: the instruction's parts.
    macro_rules! float_kernel {
        ($(#[$attr:meta])* $name:ident, $start:expr, $operand:expr, $form:tt; $($i:literal)*) => {
            $(#[$attr])*
            fn $name(rounds: u64) -> f64 {
                let mut a = [$start; 16];
                let m: f64 = $operand;
                for _ in 0..rounds {
                    // SAFETY: the only memory read is `m`, a live local; an
                    // FMA kernel is only called after the CPU reported FMA.
                    unsafe {
                        std::arch::asm!(
                            four_steps!($form; $($i)*),
                            $(inout(xmm_reg) a[$i],)*
                            m = in(reg) &m,
                            options(readonly, nostack)
                        );
                    }
                }
                let n = [$($i),*].len();
                a[..n].iter().sum()
            }
        };
    }

    macro_rules! add_kernel {
        ($name:ident; $($i:literal)*) => {
            float_kernel!($name, 0.0f64, 1.0, ["addsd ", "}, qword ptr [{m}]"]; $($i)*);
        };
    }

    // vfmadd231sd x, x, [c] computes x = x × c + x.
    macro_rules! fma_kernel {
        ($name:ident; $($i:literal)*) => {
            float_kernel!(#[target_feature(enable = "fma")] $name, 1.0f64, FMA_C, ["vfmadd231sd ", "}, ", "}, qword ptr [{m}]"]; $($i)*);
        };
    }

    int_kernel!(int1, ["add ", "}, {one}"]; 0);
    int_kernel!(int2, ["add ", "}, {one}"]; 0 1);
    int_kernel!(int4, ["add ", "}, {one}"]; 0 1 2 3);
    int_kernel!(int6, ["add ", "}, {one}"]; 0 1 2 3 4 5);
    int_kernel!(int8, ["add ", "}, {one}"]; 0 1 2 3 4 5 6 7);
    int_kernel!(int12, ["add ", "}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11);
    add_kernel!(add1; 0);
    add_kernel!(add2; 0 1);
    add_kernel!(add4; 0 1 2 3);
    add_kernel!(add6; 0 1 2 3 4 5);
    add_kernel!(add8; 0 1 2 3 4 5 6 7);
    add_kernel!(add12; 0 1 2 3 4 5 6 7 8 9 10 11);
    add_kernel!(add16; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    fma_kernel!(fma1; 0);
    fma_kernel!(fma2; 0 1);
    fma_kernel!(fma4; 0 1 2 3);
    fma_kernel!(fma6; 0 1 2 3 4 5);
    fma_kernel!(fma8; 0 1 2 3 4 5 6 7);
    fma_kernel!(fma12; 0 1 2 3 4 5 6 7 8 9 10 11);
    fma_kernel!(fma16; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);

    pub fn run(op: IlpOp, chains: usize, rounds: u64) -> Option<f64> {
        Some(match (op, chains) {
            (IlpOp::IntAdd, 1) => int1(rounds),
            (IlpOp::IntAdd, 2) => int2(rounds),
            (IlpOp::IntAdd, 4) => int4(rounds),
            (IlpOp::IntAdd, 6) => int6(rounds),
            (IlpOp::IntAdd, 8) => int8(rounds),
            (IlpOp::IntAdd, 12) => int12(rounds),
            (IlpOp::F64Add, 1) => add1(rounds),
            (IlpOp::F64Add, 2) => add2(rounds),
            (IlpOp::F64Add, 4) => add4(rounds),
            (IlpOp::F64Add, 6) => add6(rounds),
            (IlpOp::F64Add, 8) => add8(rounds),
            (IlpOp::F64Add, 12) => add12(rounds),
            (IlpOp::F64Add, 16) => add16(rounds),
            (IlpOp::F64Fma, k) if std::arch::is_x86_feature_detected!("fma") => {
                // SAFETY: the CPU reported FMA just above.
                unsafe {
                    match k {
                        1 => fma1(rounds),
                        2 => fma2(rounds),
                        4 => fma4(rounds),
                        6 => fma6(rounds),
                        8 => fma8(rounds),
                        12 => fma12(rounds),
                        16 => fma16(rounds),
                        _ => return None,
                    }
                }
            }
            _ => return None,
        })
    }
}

#[cfg(target_arch = "aarch64")]
mod imp {
    use super::{FMA_C, IlpOp};

    // `add x_i, x_i, #1`; `fadd d_i, d_i, m` (m = 1); `fmadd d_i, d_i, m,
    // d_i` (d_i = d_i × m + d_i, m = FMA_C): the same operations and results
    // as the x86 kernels. AArch64 has registers to spare, so every kernel
    // reaches 16 chains.
    macro_rules! kernel {
        ($name:ident, $t:ty, $class:ident, $start:expr, $m:expr, $form:tt; $($i:literal)*) => {
            fn $name(rounds: u64) -> f64 {
                let mut a: [$t; 16] = [$start; 16];
                let m: $t = $m;
                for _ in 0..rounds {
                    // SAFETY: register-only arithmetic on the chains.
                    unsafe {
                        std::arch::asm!(
                            four_steps!($form; $($i)*),
                            $(inout($class) a[$i],)*
                            m = in(vreg) m,
                            options(nomem, nostack)
                        );
                    }
                }
                let n = [$($i),*].len();
                a[..n].iter().map(|&x| x as f64).sum()
            }
        };
    }

    int_kernel!(int1, ["add ", "}, ", "}, {one}"]; 0);
    int_kernel!(int2, ["add ", "}, ", "}, {one}"]; 0 1);
    int_kernel!(int4, ["add ", "}, ", "}, {one}"]; 0 1 2 3);
    int_kernel!(int6, ["add ", "}, ", "}, {one}"]; 0 1 2 3 4 5);
    int_kernel!(int8, ["add ", "}, ", "}, {one}"]; 0 1 2 3 4 5 6 7);
    int_kernel!(int12, ["add ", "}, ", "}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11);
    int_kernel!(int16, ["add ", "}, ", "}, {one}"]; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    kernel!(add1, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0);
    kernel!(add2, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1);
    kernel!(add4, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1 2 3);
    kernel!(add6, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1 2 3 4 5);
    kernel!(add8, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1 2 3 4 5 6 7);
    kernel!(add12, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1 2 3 4 5 6 7 8 9 10 11);
    kernel!(add16, f64, vreg, 0.0, 1.0, ["fadd ", ":d}, ", ":d}, {m:d}"]; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    kernel!(fma1, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0);
    kernel!(fma2, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1);
    kernel!(fma4, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1 2 3);
    kernel!(fma6, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1 2 3 4 5);
    kernel!(fma8, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1 2 3 4 5 6 7);
    kernel!(fma12, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1 2 3 4 5 6 7 8 9 10 11);
    kernel!(fma16, f64, vreg, 1.0, FMA_C, ["fmadd ", ":d}, ", ":d}, {m:d}, ", ":d}"]; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);

    pub fn run(op: IlpOp, chains: usize, rounds: u64) -> Option<f64> {
        Some(match (op, chains) {
            (IlpOp::IntAdd, 1) => int1(rounds),
            (IlpOp::IntAdd, 2) => int2(rounds),
            (IlpOp::IntAdd, 4) => int4(rounds),
            (IlpOp::IntAdd, 6) => int6(rounds),
            (IlpOp::IntAdd, 8) => int8(rounds),
            (IlpOp::IntAdd, 12) => int12(rounds),
            (IlpOp::IntAdd, 16) => int16(rounds),
            (IlpOp::F64Add, 1) => add1(rounds),
            (IlpOp::F64Add, 2) => add2(rounds),
            (IlpOp::F64Add, 4) => add4(rounds),
            (IlpOp::F64Add, 6) => add6(rounds),
            (IlpOp::F64Add, 8) => add8(rounds),
            (IlpOp::F64Add, 12) => add12(rounds),
            (IlpOp::F64Add, 16) => add16(rounds),
            (IlpOp::F64Fma, 1) => fma1(rounds),
            (IlpOp::F64Fma, 2) => fma2(rounds),
            (IlpOp::F64Fma, 4) => fma4(rounds),
            (IlpOp::F64Fma, 6) => fma6(rounds),
            (IlpOp::F64Fma, 8) => fma8(rounds),
            (IlpOp::F64Fma, 12) => fma12(rounds),
            (IlpOp::F64Fma, 16) => fma16(rounds),
            _ => return None,
        })
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod imp {
    use super::IlpOp;

    pub fn run(_op: IlpOp, _chains: usize, _rounds: u64) -> Option<f64> {
        None
    }
}
