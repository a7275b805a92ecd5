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

STANDALONE = {"tasks": ["search", "growth", "sort", "records"], "batch": 1000, "sort_n": 100_000, "seed": 42, "sizes": [1000, 100_000], "binary_lookups": 20_000,
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

    filled = appending()
    assert filled == preallocated() == comprehension()
    per = {}
    for name, fn in (("append", appending), ("preallocated", preallocated), ("comprehension", comprehension)):
        t = timed(fn, spec["min_run_s"], spec["runs"])  # noqa: F821
        per[name] = t["median_ns"] / n
    out["growth"] = {"pointer_bytes": pointer, "empty_list_bytes": empty, "steps": steps,
                     "n": n, "sum": sum(filled), "per_item_ns": per}


MASK64 = (1 << 64) - 1
CHECK_MODULUS = (1 << 61) - 1


def splitmix(seed, count):
    """`count` values from SplitMix64 (as hpp's Rust generator), each
    shifted down to 30 bits: the same numbers in both languages."""
    out, state = [], seed
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out.append((z ^ (z >> 31)) >> 34)
    return out


def sort_inputs(n, seed):
    """The five inputs of the sort experiment, as hpp builds them in Rust."""
    shuffled = splitmix(seed, n)
    ordered = sorted(shuffled)
    nearly = ordered[:]
    swaps = splitmix(seed + 1, 2 * (n // 100))
    for k in range(n // 100):
        a, b = swaps[2 * k] % n, swaps[2 * k + 1] % n
        nearly[a], nearly[b] = nearly[b], nearly[a]
    return {
        "random": shuffled,
        "sorted": ordered,
        "reversed": ordered[::-1],
        "nearly sorted": nearly,
        "few distinct": [v % 100 for v in shuffled],
    }


def checksum(values):
    """A position-weighted sum: equal only for the same values in the same order."""
    return sum((i + 1) * v for i, v in enumerate(values)) % CHECK_MODULUS


def sort(spec, out):
    """`sorted()` (Timsort) on each input, ns per item."""
    rows = []
    for name, data in sort_inputs(spec["sort_n"], spec["seed"]).items():
        t = timed(lambda data=data: sorted(data), spec["min_run_s"], spec["runs"])  # noqa: F821
        rows.append({"input": name, "ns_per_item": t["median_ns"] / len(data),
                     "checksum": checksum(sorted(data))})
    out["sort"] = rows


def records(spec, out):
    """The book's small fixed records, 9 items each: the bytes of each kind
    of container (`sys.getsizeof`; the small ints inside are shared) and
    the time to build one, in a loop of `batch` builds."""
    a, b, c, d, e, f, g, h, i = range(9)
    batch = spec["batch"]

    def list_display():
        for _ in range(batch):
            record = [a, b, c, d, e, f, g, h, i]
        return record

    def comprehension():
        for _ in range(batch):
            record = [x for x in (a, b, c, d, e, f, g, h, i)]
        return record

    def list_of_comprehension():
        for _ in range(batch):
            record = list([x for x in (a, b, c, d, e, f, g, h, i)])
        return record

    def tuple_display():
        for _ in range(batch):
            record = (a, b, c, d, e, f, g, h, i)
        return record

    def constant_tuple():
        for _ in range(batch):
            record = (0, 1, 2, 3, 4, 5, 6, 7, 8)
        return record

    rows = []
    for name, fn in (("list [a, ..., i]", list_display),
                     ("list comprehension", comprehension),
                     ("list(comprehension)", list_of_comprehension),
                     ("tuple (a, ..., i)", tuple_display),
                     ("tuple of constants", constant_tuple)):
        record = fn()
        t = timed(fn, spec["min_run_s"], spec["runs"])  # noqa: F821
        rows.append({"container": name, "bytes": sys.getsizeof(record), "items": len(record),
                     "create_ns": t["median_ns"] / batch, "sum": sum(record)})
    out["records"] = rows


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "search" in spec["tasks"]:
        search(spec, out)
    if "growth" in spec["tasks"]:
        growth(spec, out)
    if "sort" in spec["tasks"]:
        sort(spec, out)
    if "records" in spec["tasks"]:
        records(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
