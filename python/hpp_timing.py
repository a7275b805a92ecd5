"""hpp's Python timing harness, shared by every chapter's Python file and
by the notebook's live ``py_timeit`` cells.

It follows the ``timeit`` module's rules: the garbage collector is off
while timing, the loop count grows 1, 2, 5, 10, 20, ... until one run lasts
``min_run_s``, then ``runs`` runs are taken and the per-call times
reported. hpp sends this file, followed by a chapter's file or the snippet
runner, to the reader's own interpreter on stdin (nothing is written to
disk) and reads one JSON object back from stdout.
"""

import gc
import json
import platform
import sys
import sysconfig
import time


def _run(fn, loops):
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def timed(fn, min_run_s, runs):
    loops, scale = 1, 1
    while True:
        for step in (1, 2, 5):
            loops = step * scale
            if _run(fn, loops) >= min_run_s:
                break
        else:
            scale *= 10
            continue
        break
    per_call = [_run(fn, loops) / loops for _ in range(runs)]
    ordered = sorted(per_call)
    return {
        "loops": loops,
        "runs": runs,
        "median_ns": ordered[len(ordered) // 2] * 1e9,
        "best_ns": ordered[0] * 1e9,
        "per_call_s": per_call,
    }


def gil_state():
    check = getattr(sys, "_is_gil_enabled", None)
    if check is not None:
        return "enabled" if check() else "disabled (free-threaded)"
    return "enabled (this CPython has no free-threaded build option)"


def jit_state():
    jit = getattr(sys, "_jit", None)
    if jit is not None and hasattr(jit, "is_enabled"):
        return "enabled" if jit.is_enabled() else "built in, off"
    if "_Py_JIT" in (sysconfig.get_config_var("PY_CORE_CFLAGS") or ""):
        return "built in"
    return "not built in"


def interpreter():
    """What is running this code, for the reader's table."""
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "gil": gil_state(),
        "jit": jit_state(),
    }


def warm_up(seconds=0.1):
    """Spin for a moment first: a process that has just started would
    otherwise time the CPU settling."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        sum(range(1000))
