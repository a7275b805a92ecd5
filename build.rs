//! Records how the crate itself is being compiled, so the machine card can say
//! whether the kernels a reader is timing were optimised.

fn main() {
    let get = |k: &str| std::env::var(k).unwrap_or_default();
    println!("cargo:rustc-env=HPP_BUILD_OPT_LEVEL={}", get("OPT_LEVEL"));
    println!("cargo:rustc-env=HPP_BUILD_PROFILE={}", get("PROFILE"));
    println!("cargo:rustc-env=HPP_BUILD_DEBUGINFO={}", get("DEBUG"));
    println!("cargo:rustc-env=HPP_BUILD_TARGET={}", get("TARGET"));
    println!(
        "cargo:rustc-env=HPP_BUILD_TARGET_FEATURES={}",
        get("CARGO_CFG_TARGET_FEATURE")
    );
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTFLAGS");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
}
