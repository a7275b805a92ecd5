//! SIMD features detected at run time (not the compile-time target features:
//! those are in the build info).

use serde::{Deserialize, Serialize};

/// The vector features this CPU reports, and the widest vector in bits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simd {
    /// Every feature hpp asks about, detected or not, in a fixed order.
    pub features: Vec<SimdFeature>,
    /// The widest SIMD register usable, in bits (128 for SSE2/NEON, 256 for
    /// AVX, 512 for AVX-512).
    pub widest_bits: u32,
}

/// One feature and whether the running CPU has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimdFeature {
    /// Name as Rust's feature detection spells it ("avx2", "neon").
    pub name: String,
    /// Whether this CPU (and OS) supports it.
    pub detected: bool,
}

impl Simd {
    /// Names of the detected features.
    pub fn detected(&self) -> Vec<&str> {
        self.features
            .iter()
            .filter(|f| f.detected)
            .map(|f| f.name.as_str())
            .collect()
    }

    /// Whether a feature was detected.
    pub fn has(&self, name: &str) -> bool {
        self.features.iter().any(|f| f.detected && f.name == name)
    }
}

/// Ask the running CPU.
pub fn detect() -> Simd {
    #[allow(unused_mut)]
    let mut features: Vec<SimdFeature> = Vec::new();
    #[allow(unused_mut, unused_assignments)]
    let mut widest_bits = 0;
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        macro_rules! x86 {
            ($($f:tt),*) => {{
                $(features.push(SimdFeature {
                    name: $f.to_string(),
                    detected: std::arch::is_x86_feature_detected!($f),
                });)*
            }};
        }
        x86!(
            "sse2",
            "sse3",
            "ssse3",
            "sse4.1",
            "sse4.2",
            "avx",
            "avx2",
            "fma",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512vnni"
        );
        widest_bits = if std::arch::is_x86_feature_detected!("avx512f") {
            512
        } else if std::arch::is_x86_feature_detected!("avx") {
            256
        } else if std::arch::is_x86_feature_detected!("sse2") {
            128
        } else {
            0
        };
    }
    #[cfg(target_arch = "aarch64")]
    {
        macro_rules! arm {
            ($($f:tt),*) => {{
                $(features.push(SimdFeature {
                    name: $f.to_string(),
                    detected: std::arch::is_aarch64_feature_detected!($f),
                });)*
            }};
        }
        arm!("neon", "fp16", "dotprod", "sve", "sve2");
        // SVE's width is set by the implementation; 128 is what NEON guarantees.
        widest_bits = if std::arch::is_aarch64_feature_detected!("neon") {
            128
        } else {
            0
        };
    }
    Simd {
        features,
        widest_bits,
    }
}
