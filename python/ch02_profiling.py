"""Chapter 2 · Profiling to Find Bottlenecks — the Julia set in plain
Python, as the book builds it: two lists of complex coordinates, then the
escape-time loop over them, timed by the reader's own interpreter beside
hpp's Rust versions.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch02_profiling.py`` (the book's 1000 x
1000 grid; about ten seconds).
"""

import json
import sys
import time

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

# The book's region of the complex plane and its constant c.
X1, X2, Y1, Y2 = -1.8, 1.8, -1.8, 1.8
C = complex(-0.62772, -0.42193)

STANDALONE = {"tasks": ["julia"], "width": 1000, "max_iter": 300, "runs": 1}


def coordinates(width):
    """The grid's points and the constant for each, as the book builds them:
    stepping by repeated addition, so the last digits match its run."""
    x_step = (X2 - X1) / width
    y_step = (Y1 - Y2) / width
    xs, ys = [], []
    y = Y2
    while y > Y1:
        ys.append(y)
        y += y_step
    x = X1
    while x < X2:
        xs.append(x)
        x += x_step
    zs = [complex(x, y) for y in ys for x in xs]
    cs = [C] * len(zs)
    return zs, cs


def escape_counts(max_iter, zs, cs):
    """For each point, how many steps of z = z*z + c before |z| reaches 2."""
    output = [0] * len(zs)
    for i, (z, c) in enumerate(zip(zs, cs)):
        n = 0
        while abs(z) < 2 and n < max_iter:
            z = z * z + c
            n += 1
        output[i] = n
    return output


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    if "julia" in spec["tasks"]:
        width, max_iter = spec["width"], spec["max_iter"]
        start = time.perf_counter()
        zs, cs = coordinates(width)
        build_s = time.perf_counter() - start
        best, counts = None, None
        for _ in range(spec["runs"]):
            start = time.perf_counter()
            counts = escape_counts(max_iter, zs, cs)
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        out["julia"] = {
            "width": width,
            "points": len(zs),
            "build_seconds": build_s,
            "seconds": best,
            "output_sum": sum(counts),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
