//! How this crate was compiled: the difference between a `--release` build
//! and evcxr's default (opt-level 2 with debug assertions and overflow checks)
//! is the difference between honest and misleading kernel timings.

use serde::{Deserialize, Serialize};

/// The compile settings of the hpp crate in this process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// `0`, `1`, `2`, `3`, `s` or `z`.
    pub opt_level: String,
    /// Cargo's profile name as the build script saw it ("debug" or "release").
    pub profile: String,
    /// Whether `debug_assert!` is compiled in.
    pub debug_assertions: bool,
    /// Whether integer overflow panics (checked arithmetic on every `+`).
    pub overflow_checks: bool,
    /// The target triple.
    pub target: String,
    /// Target features enabled at compile time (e.g. "avx2" with
    /// `-C target-cpu=native`).
    pub target_features: Vec<String>,
}

impl BuildInfo {
    /// The settings this copy of the crate was built with.
    pub fn current() -> Self {
        BuildInfo {
            opt_level: env!("HPP_BUILD_OPT_LEVEL").to_string(),
            profile: env!("HPP_BUILD_PROFILE").to_string(),
            debug_assertions: cfg!(debug_assertions),
            overflow_checks: overflow_checks_on(),
            target: env!("HPP_BUILD_TARGET").to_string(),
            target_features: env!("HPP_BUILD_TARGET_FEATURES")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// True when kernels are built as a `--release` build would be: opt-level
    /// 3 (or 2), no debug assertions, no overflow checks.
    pub fn optimised(&self) -> bool {
        matches!(self.opt_level.as_str(), "2" | "3")
            && !self.debug_assertions
            && !self.overflow_checks
    }

    /// What is wrong with this build for timing kernels, if anything.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if !matches!(self.opt_level.as_str(), "2" | "3") {
            w.push(format!(
                "opt-level {} — kernels run many times slower than a release build (in evcxr: `:opt 3`)",
                self.opt_level
            ));
        }
        if self.debug_assertions {
            w.push("debug assertions on (in evcxr: `:build_env CARGO_PROFILE_DEV_DEBUG_ASSERTIONS=false` before `:dep`)".to_string());
        }
        if self.overflow_checks {
            w.push("overflow checks on — every integer + is checked (in evcxr: `:build_env CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false` before `:dep`)".to_string());
        }
        w
    }

    /// One line: "opt-level 3, no debug assertions, no overflow checks".
    pub fn summary(&self) -> String {
        format!(
            "opt-level {}, debug assertions {}, overflow checks {}",
            self.opt_level,
            if self.debug_assertions { "ON" } else { "off" },
            if self.overflow_checks { "ON" } else { "off" }
        )
    }
}

/// Whether integer overflow panics in code compiled as part of this crate.
/// There is no stable `cfg` for it, so ask the arithmetic itself, with the
/// panic message silenced and the previous panic hook restored.
fn overflow_checks_on() -> bool {
    let x = std::hint::black_box(i32::MAX);
    crate::silent_panic::catch_silently(|| std::hint::black_box(x + std::hint::black_box(1)))
        .is_err()
}
