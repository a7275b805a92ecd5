#!/usr/bin/env bash
# Check hpp for aarch64 (Apple Silicon, Raspberry Pi, Graviton) from an x86
# machine, without an aarch64 toolchain download: std is rebuilt from the
# installed rust-src (build-std, enabled on stable with RUSTC_BOOTSTRAP=1).
#   1. cargo clippy for aarch64-unknown-linux-gnu and aarch64-apple-darwin,
#      warnings as errors;
#   2. if aarch64-linux-gnu-gcc and qemu-aarch64 are installed (Debian:
#      apt install gcc-aarch64-linux-gnu qemu-user), the kernel tests —
#      NEON lanes, ILP, FLOP/s, probes — run under qemu against their
#      references. Timings under emulation mean nothing; results do.
# Not part of `make test` (it needs rust-src and optionally the cross tools).
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu
dir=target/cross-aarch64
sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
  echo "check-aarch64: rust-src is not installed (rustup component add rust-src)" >&2
  exit 1
fi
export RUSTC_BOOTSTRAP=1
cargo clippy -Zbuild-std=std,panic_abort --target $target --target-dir $dir \
  --all-targets -- -D warnings
# Apple Silicon: type-checked and linted only (no macOS linker here).
cargo clippy -Zbuild-std=std,panic_abort --target aarch64-apple-darwin \
  --target-dir $dir --all-targets -- -D warnings
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
  cargo test -Zbuild-std=std,panic_abort,test --target $target --target-dir $dir \
    --test integration -- kernels_match probe:: python::chapter_examples python::dynamic python::pointer_layouts python::the_bytecode
else
  echo "check-aarch64: no aarch64-linux-gnu-gcc/qemu-aarch64: type-checked only"
fi
