# The two commands the README promises:
#   make run    set up what is missing, then execute every chapter notebook
#   make test   set up what is missing, then run every test
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PY := .venv/bin/python
export PATH := $(HOME)/.cargo/bin:$(PATH)
# The chapter's Python examples run with the venv's CPython (your python3,
# plus numpy for the sum_numpy row) unless you name another interpreter.
export HPP_PYTHON ?= $(CURDIR)/.venv/bin/python

.PHONY: run test setup notebooks check lab clean check-aarch64 python-module

run: setup
	cargo build --release
	$(PY) scripts/notebooks.py execute --out build
	target/release/hpp chapter all --out build
	@echo
	@echo "Executed notebooks: build/notebooks/   HTML: build/html/"
	@echo "Each chapter's report: build/chapterN/report.html   results to compare: build/chapterN/results.json"
	@echo "To read and run them yourself:  .venv/bin/jupyter lab notebooks/"
	@echo "Headless, the same experiments: target/release/hpp --help"

# Everything the tests start inherits this token; scripts/leftovers.py fails
# the run if a process holding it is still running at the end.
test: export HPP_SUITE_TOKEN := suite-$(shell date +%s%N)
test: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --features force-fallback -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	cargo test
	cargo test --features force-fallback
	cargo fmt --manifest-path pyext/Cargo.toml --check
	cargo clippy --manifest-path pyext/Cargo.toml -- -D warnings
	scripts/python-module.sh
	$(PY) -m unittest discover -s pyext/tests
	$(PY) scripts/test_notebooks.py
	$(PY) scripts/notebooks.py check
	HPP_QUICK=1 $(PY) scripts/notebooks.py execute
	$(PY) scripts/leftovers.py

setup:
	scripts/setup.sh

# hpp's kernels as a Python module (chapter 8): built with maturin into .venv,
# where `import hpp` then works (the notebook builds it when it is missing).
python-module: setup
	scripts/python-module.sh

# Regenerate notebooks/ from chapters/ (after editing a chapter).
notebooks: setup
	$(PY) scripts/notebooks.py build

lab: setup
	.venv/bin/jupyter lab notebooks/

clean:
	rm -rf build notebooks/.evcxr

# Clippy for aarch64 from this x86 machine, and the kernel tests under qemu when
# gcc-aarch64-linux-gnu and qemu-user are installed (not part of `make test`).
check-aarch64:
	scripts/check-aarch64.sh
