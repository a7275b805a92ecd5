//! Instruction-level parallelism kernels: `K` independent chains of one
//! operation, interleaved, in assembly so that the compiler can neither fold
//! the chains nor pack them into SIMD lanes. One chain runs at the
//! operation's latency; more chains run in parallel until the core's
//! execution ports are full (its throughput).
//!
//! # Platforms
//! x86_64 only (integer add, scalar f64 add, scalar f64 FMA when the CPU has
//! FMA); elsewhere every kernel returns `None`.

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
pub const CHAINS: [usize; 6] = [1, 2, 4, 6, 8, 12];

/// Operations per call of [`run`] per chain: 4 unrolled steps × `rounds`.
pub const STEPS_PER_ROUND: u64 = 4;

/// Run `chains` independent chains of `op` for `rounds` rounds (4 operations
/// per chain per round). Returns the sum of the final chain values, or `None`
/// when this CPU or architecture has no kernel for it.
pub fn run(op: IlpOp, chains: usize, rounds: u64) -> Option<f64> {
    imp::run(op, chains, rounds)
}

/// Reference for [`run`]: every chain adds 1 (or 1 × 1 for FMA) per step, so
/// each ends at `4 × rounds`.
pub fn reference(chains: usize, rounds: u64) -> f64 {
    chains as f64 * (STEPS_PER_ROUND * rounds) as f64
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::IlpOp;

    // Four copies of one step for chains $i…, as an asm template:
    // "<op> {i}<tail>" per chain.
    macro_rules! steps {
        ($op:literal, $tail:literal; $($i:literal)*) => {
            concat!(
                $(concat!($op, " {", $i, "}", $tail, "\n"),)*
                $(concat!($op, " {", $i, "}", $tail, "\n"),)*
                $(concat!($op, " {", $i, "}", $tail, "\n"),)*
                $(concat!($op, " {", $i, "}", $tail, "\n"),)*
            )
        };
    }

    // One kernel: chains $i… of element type $t in register class $class,
    // each step "<op> {i}<tail>" with `inc` (1) as the operand; extra
    // attributes (a target feature) go first.
    macro_rules! chain_kernel {
        ($(#[$attr:meta])* $name:ident, $t:ty, $class:ident, $op:literal, $tail:literal; $($i:literal)*) => {
            $(#[$attr])*
            fn $name(rounds: u64) -> f64 {
                let mut a: [$t; 12] = [0 as $t; 12];
                for _ in 0..rounds {
                    // SAFETY: register-only adds or FMAs on the chains; an FMA
                    // kernel is only called after the CPU reported FMA.
                    unsafe {
                        std::arch::asm!(
                            steps!($op, $tail; $($i)*),
                            $(inout($class) a[$i],)*
                            inc = in($class) 1 as $t,
                            options(nomem, nostack)
                        );
                    }
                }
                a.iter().map(|&x| x as f64).sum()
            }
        };
    }

    macro_rules! int_kernel {
        ($name:ident; $($i:literal)*) => {
            chain_kernel!($name, u64, reg, "add", ", {inc}"; $($i)*);
        };
    }

    macro_rules! f64_kernel {
        ($name:ident; $($i:literal)*) => {
            chain_kernel!($name, f64, xmm_reg, "addsd", ", {inc}"; $($i)*);
        };
    }

    macro_rules! fma_kernel {
        ($name:ident; $($i:literal)*) => {
            chain_kernel!(#[target_feature(enable = "fma")] $name, f64, xmm_reg, "vfmadd231sd", ", {inc}, {inc}"; $($i)*);
        };
    }

    // vfmadd231sd a, b, c computes a += b × c: each chain adds inc × inc.
    int_kernel!(int1; 0);
    int_kernel!(int2; 0 1);
    int_kernel!(int4; 0 1 2 3);
    int_kernel!(int6; 0 1 2 3 4 5);
    int_kernel!(int8; 0 1 2 3 4 5 6 7);
    int_kernel!(int12; 0 1 2 3 4 5 6 7 8 9 10 11);
    f64_kernel!(add1; 0);
    f64_kernel!(add2; 0 1);
    f64_kernel!(add4; 0 1 2 3);
    f64_kernel!(add6; 0 1 2 3 4 5);
    f64_kernel!(add8; 0 1 2 3 4 5 6 7);
    f64_kernel!(add12; 0 1 2 3 4 5 6 7 8 9 10 11);
    fma_kernel!(fma1; 0);
    fma_kernel!(fma2; 0 1);
    fma_kernel!(fma4; 0 1 2 3);
    fma_kernel!(fma6; 0 1 2 3 4 5);
    fma_kernel!(fma8; 0 1 2 3 4 5 6 7);
    fma_kernel!(fma12; 0 1 2 3 4 5 6 7 8 9 10 11);

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
                        _ => return None,
                    }
                }
            }
            _ => return None,
        })
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    use super::IlpOp;

    pub fn run(_op: IlpOp, _chains: usize, _rounds: u64) -> Option<f64> {
        None
    }
}
