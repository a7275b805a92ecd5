#!/usr/bin/env bash
# Install what the notebooks need — only what is missing:
#   .venv/           Python venv with JupyterLab, jupytext, nbclient (requirements.txt),
#                    and each optional package (numpy, line_profiler…) when a wheel
#                    exists (requirements-optional.txt)
#   evcxr_jupyter    the Rust Jupyter kernel, `cargo install --locked` (20–27 min on 2 cores, once)
#   the `rust` kernel registration (evcxr_jupyter --install)
set -euo pipefail
cd "$(dirname "$0")/.."
EVCXR_VERSION=0.22.0
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

fail() { echo "setup: $*" >&2; exit 1; }
command -v cargo >/dev/null || fail "cargo not found: install Rust 1.95 or newer with rustup, then run this again"
command -v python3 >/dev/null || fail "python3 not found: install Python 3.9 or newer (or use environment.yml with conda)"
rustc_minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
[ "${rustc_minor:-0}" -ge 95 ] || fail "$(rustc --version) is too old: hpp needs Rust 1.95 or newer (rustup update)"

# 1. Python venv, rebuilt when requirements.txt changes.
if [ ! -x .venv/bin/python ] || ! cat requirements.txt requirements-optional.txt | cmp -s - .venv/.hpp-requirements.txt; then
  echo "setup: creating .venv with $(python3 --version) and requirements.txt"
  python3 -m venv .venv || fail "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  # Optional packages, each on its own: without a wheel for this Python the
  # rows that need it say "unavailable" and everything else runs.
  grep -v '^\s*#' requirements-optional.txt | grep -v '^\s*$' | while IFS= read -r req; do
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --only-binary=:all: "$req" \
      || echo "setup: optional $req could not be installed for $(python3 --version); the rows that need it will say unavailable"
  done
  cat requirements.txt requirements-optional.txt > .venv/.hpp-requirements.txt
fi

# 2. evcxr_jupyter, only when missing (a conda env's evcxr counts).
if ! command -v evcxr_jupyter >/dev/null; then
  echo "setup: building evcxr_jupyter $EVCXR_VERSION (once; about 20-27 minutes on 2 cores)"
  # --locked: without it a newer dependency breaks the build.
  cargo install --locked evcxr_jupyter --version "$EVCXR_VERSION"
fi

# 3. Register the `rust` kernel if Jupyter cannot find a working one.
kernel_ok=$(.venv/bin/python - <<'PY'
import json, os, subprocess
specs = json.loads(subprocess.run([".venv/bin/jupyter", "kernelspec", "list", "--json"],
                                  capture_output=True, text=True, check=True).stdout)["kernelspecs"]
rust = specs.get("rust", {}).get("spec", {})
argv = rust.get("argv", [])
print("yes" if argv and os.access(argv[0], os.X_OK) else "no")
PY
)
if [ "$kernel_ok" != yes ]; then
  echo "setup: registering the rust kernel"
  evcxr_jupyter --install >/dev/null
fi
echo "setup: ready ($(rustc --version | cut -d" " -f1-2), $(command -v evcxr_jupyter), .venv with $(.venv/bin/python --version))"
