"""Chapter 1 · Understanding Performant Python — the chapter's examples in
Python, as a good Python programmer would write them, timed by the reader's
own interpreter beside hpp's Rust versions.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch01_understanding.py`` (small sizes).
"""

import json
import math
import random
import sys
import threading
import time

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

# What a standalone run measures (hpp sends its own, from the budget).
STANDALONE = {
    "tasks": ["examples"],
    "min_run_s": 0.05,
    "runs": 5,
    "prime": 100_000_007,
    "search_n": 10_000,
    "sum_n": 100_000,
    "while_n": 100_000,
}


def is_prime(n):
    """Trial division by every candidate up to the square root."""
    if n < 2:
        return False
    for d in range(2, math.isqrt(n) + 1):
        if n % d == 0:
            return False
    return True


def is_prime_chunked(n, width=5):
    """The same test done `width` divisors at a time, the way one would feed
    a vector unit; in CPython each chunk is still a list of objects."""
    if n < 2:
        return False
    top = math.isqrt(n) + 1
    for start in range(2, top, width):
        hits = [n % d == 0 for d in range(start, min(start + width, top))]
        if any(hits):
            return False
    return True


def search_early(items, needle):
    for x in items:
        if x == needle:
            return True
    return False


def search_full(items, needle):
    found = False
    for x in items:
        if x == needle:
            found = True
    return found


def search_any(items, needle):
    return any(x == needle for x in items)


def while_sum(n):
    """The loop hpp's toy interpreter runs: total += i for i below n."""
    total = 0
    i = 0
    while i < n:
        total += i
        i += 1
    return total


def spin(count):
    """CPU-bound pure-Python work: an integer loop."""
    total = 0
    for i in range(count):
        total += i & 7
    return total


def _split(total, workers):
    base, extra = divmod(total, workers)
    return [base + (1 if w < extra else 0) for w in range(workers)]


def with_workers(make, total, workers):
    """Wall time for `workers` threads or processes (`make(target, args)`)
    sharing `total` iterations of `spin`, all started before any is joined."""
    pool = [make(target=spin, args=(c,)) for c in _split(total, workers)]
    start = time.perf_counter()
    for w in pool:
        w.start()
    for w in pool:
        w.join()
    return time.perf_counter() - start


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    min_run_s, runs = spec["min_run_s"], spec["runs"]
    want = set(spec["tasks"])
    out = {
        "python": interpreter(),
        "rows": [],
        "unavailable": [],
    }

    def row(example, fn):
        r = timed(fn, min_run_s, runs)
        r["example"] = example
        out["rows"].append(r)

    if "examples" in want:
        warm_up()
        p = spec["prime"]
        row("is_prime", lambda: is_prime(p))
        row("is_prime_chunked", lambda: is_prime_chunked(p))
        n = spec["search_n"]
        items = list(range(n))
        needle = n // 2
        row("search_early_exit", lambda: search_early(items, needle))
        row("search_full_scan", lambda: search_full(items, needle))
        row("search_any", lambda: search_any(items, needle))
        w = spec["while_n"]
        row("while_loop", lambda: while_sum(w))
        floats = [float(i % 1024) for i in range(spec["sum_n"])]
        row("sum_list", lambda: sum(floats))
        try:
            import numpy
        except ImportError as e:
            out["unavailable"].append({"example": "sum_numpy", "why": f"numpy not importable: {e}"})
        else:
            arr = numpy.array(floats)
            row("sum_numpy", lambda: arr.sum())
            out["python"]["numpy"] = numpy.__version__

    if "gil" in want:
        total = spec["gil_work"]
        points = []
        ctx = None
        if "processes" in spec.get("gil_kinds", ["threads", "processes"]):
            try:
                import multiprocessing
                ctx = multiprocessing.get_context("fork")
            except (ImportError, ValueError) as e:
                out["unavailable"].append({"example": "processes",
                                           "why": f"no fork start method: {e}"})
        for w in spec["workers"]:
            t = min(with_workers(threading.Thread, total, w) for _ in range(spec["gil_runs"]))
            points.append({"kind": "threads", "workers": w, "seconds": t})
            if ctx is not None:
                t = min(with_workers(ctx.Process, total, w) for _ in range(spec["gil_runs"]))
                points.append({"kind": "processes", "workers": w, "seconds": t})
        out["gil"] = {"work": total, "points": points}

    if "layout" in want:
        # The same floats summed in the order they were allocated, then in a
        # shuffled order: a list whose objects the heap has scattered.
        layout = []
        for n in spec["layout_n"]:
            floats = [float(i % 1024) for i in range(n)]
            fresh_sum = sum(floats)
            fresh = timed(lambda: sum(floats), min_run_s, runs)
            random.Random(7).shuffle(floats)
            shuffled_sum = sum(floats)
            shuffled = timed(lambda: sum(floats), min_run_s, runs)
            layout.append({"elements": n, "fresh_ns": fresh["median_ns"], "shuffled_ns": shuffled["median_ns"],
                           "fresh_sum": fresh_sum, "shuffled_sum": shuffled_sum})
            del floats
        out["layout"] = layout

    if "memory" in want:
        import tracemalloc
        n = spec["memory_n"]
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        floats = [float(i) for i in range(n)]
        used = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        out["memory"] = {
            "elements": n,
            "traced_bytes": used,
            "list_bytes": sys.getsizeof(floats),
            "float_bytes": sys.getsizeof(1.5),
        }

    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
