#!/usr/bin/env bash
# Build hpp's Python extension module (pyext/: the Julia set and the
# diffusion step, in Rust, through PyO3) into the project's venv with
# maturin, so that `import hpp` works there. Cargo rebuilds only what
# changed: a few seconds when nothing did, a minute or two the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/maturin ] || { echo "python-module: .venv/bin/maturin is missing: run make setup first" >&2; exit 1; }
export VIRTUAL_ENV="$PWD/.venv"
export PATH="$VIRTUAL_ENV/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cd pyext
maturin develop --release --quiet
echo "python-module: built; $("$VIRTUAL_ENV/bin/python" -c 'import hpp; print("import hpp works:", hpp.__name__)')"
