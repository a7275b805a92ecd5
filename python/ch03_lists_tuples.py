"""Chapter 3 · Lists and Tuples — the chapter's experiments in plain
Python, timed by the reader's own interpreter beside hpp's Rust.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch03_lists_tuples.py``.
"""

import json
import sys
from bisect import bisect_left

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["search", "growth"], "sizes": [1000, 100_000], "binary_lookups": 20_000,
              "linear_elements": 2_000_000, "min_run_s": 0.05, "runs": 3, "growth_n": 10_000,
              "append_n": 1_000_000}

# The needles both languages search for: a Weyl sequence over 64-bit
# integers (step: 2^64 divided by the golden ratio), scaled to 0..n by a
# multiply-high, spreads them evenly over the haystack without a random
# generator, so Rust computes exactly the same ones.
STRIDE = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1


def present_needles(n, count):
    """`count` values that are in the even haystack 0, 2, ..., 2(n - 1)."""
    return [2 * ((((i + 1) * STRIDE) & MASK) * n >> 64) for i in range(count)]


def search(spec, out):
    """Linear search (`list.index` for a present needle, `in` for an absent
    one) against binary search (`bisect_left`) on sorted lists of sizes."""
    rows = []
    for n in spec["sizes"]:
        haystack = list(range(0, 2 * n, 2))
        present = present_needles(n, spec["binary_lookups"] // 2)
        mixed = present + [x + 1 for x in present]  # half present, half absent

        def binary(haystack=haystack, mixed=mixed):
            total = 0
            for x in mixed:
                total += bisect_left(haystack, x)
            return total

        k = max(2, min(200, spec["linear_elements"] // n))
        wanted = present_needles(n, k)
        missing = [x + 1 for x in wanted]

        def index(haystack=haystack, wanted=wanted):
            total = 0
            for x in wanted:
                total += haystack.index(x)
            return total

        def contains(haystack=haystack, missing=missing):
            found = 0
            for x in missing:
                found += x in haystack
            return found

        row = {"n": n, "binary_lookups": len(mixed), "linear_lookups": k,
               "bisect_sum": binary(), "index_sum": index(), "in_found": contains()}
        for name, fn, count in (("bisect", binary, len(mixed)), ("index", index, k), ("in", contains, k)):
            t = timed(fn, spec["min_run_s"], spec["runs"])  # noqa: F821
            row[f"{name}_ns"] = t["median_ns"] / count
        rows.append(row)
        del haystack
    out["search"] = rows


def list_capacity(lst, empty_size, pointer):
    """Slots a list has room for, from `sys.getsizeof` (its header plus one
    pointer per slot, over-allocated ones included)."""
    return (sys.getsizeof(lst) - empty_size) // pointer


def growth(spec, out):
    """A list's capacity after every append (where it changes), and the
    time per append with and without preallocation."""
    import struct

    pointer = struct.calcsize("P")
    empty = sys.getsizeof([])
    items, steps, last = [], [[0, list_capacity([], empty, pointer)]], None
    for i in range(spec["growth_n"]):
        items.append(i)
        cap = list_capacity(items, empty, pointer)
        if cap != last:
            steps.append([len(items), cap])
            last = cap
    n = spec["append_n"]

    def appending():
        out_list = []
        for i in range(n):
            out_list.append(i)
        return out_list

    def preallocated():
        out_list = [None] * n
        for i in range(n):
            out_list[i] = i
        return out_list

    def comprehension():
        return [i for i in range(n)]

    assert appending() == preallocated() == comprehension()
    per = {}
    for name, fn in (("append", appending), ("preallocated", preallocated), ("comprehension", comprehension)):
        t = timed(fn, spec["min_run_s"], spec["runs"])  # noqa: F821
        per[name] = t["median_ns"] / n
    out["growth"] = {"pointer_bytes": pointer, "empty_list_bytes": empty, "steps": steps,
                     "n": n, "per_item_ns": per}


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "search" in spec["tasks"]:
        search(spec, out)
    if "growth" in spec["tasks"]:
        growth(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
