"""Chapter 4 · Dictionaries and Sets — the chapter's experiments in plain
Python, timed by the reader's own interpreter beside hpp's Rust.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch04_dict_set.py``.
"""

import json
import string
import sys

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["bad_hash", "unique_names", "table_growth"], "min_run_s": 0.05,
              "runs": 3, "sizes": [100, 1000, 10_000], "list_cap": 3000, "items": 10_000}


class ConstantHash(str):
    """A string whose hash is the same for every value: every key collides."""

    def __hash__(self):
        return 42


class TwoLetterHash(str):
    """A perfect hash for two lowercase letters: 676 keys, 676 values."""

    def __hash__(self):
        return (ord(self[0]) - 97) * 26 + (ord(self[1]) - 97)


def two_letter_keys():
    """'aa', 'ab', ..., 'zz', in order."""
    return [a + b for a in string.ascii_lowercase for b in string.ascii_lowercase]


def bad_hash(spec, out):
    """Look up every two-letter key in a set built with each hash, and in a
    list: ns per lookup, and how many keys were found (all of them)."""
    keys = two_letter_keys()
    rows = []
    for name, kind in (("constant hash (every key collides)", ConstantHash),
                       ("two-letter perfect hash", TwoLetterHash),
                       ("str's own hash (SipHash, cached in the string)", str)):
        table = {kind(k) for k in keys}
        probes = [kind(k) for k in keys]

        def lookups(table=table, probes=probes):
            found = 0
            for p in probes:
                found += p in table
            return found

        rows.append({"table": name, "found": lookups(),
                     "ns_per_lookup": timed(lookups, spec["min_run_s"], spec["runs"])["median_ns"] / len(keys)})  # noqa: F821

    def scan(keys=keys):
        found = 0
        for k in keys:
            found += k in keys
        return found

    rows.append({"table": "list (a scan per lookup)", "found": scan(),
                 "ns_per_lookup": timed(scan, spec["min_run_s"], spec["runs"])["median_ns"] / len(keys)})  # noqa: F821
    out["bad_hash"] = {"keys": len(keys), "rows": rows}


# Phone book entries both languages build identically: entry i's first
# name is drawn from `pool` names by a Weyl sequence scaled with a
# multiply-high (no random generator, so Rust computes the same names).
STRIDE = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1


def phonebook(n):
    pool = max(1, n // 2)
    book = []
    for i in range(n):
        j = (((i + 1) * STRIDE) & MASK64) * pool >> 64
        book.append((f"First{j:07d} Last{i:07d}", "555-555-5555"))
    return book


def list_unique_names(book):
    """The book's first way: a list of names seen, scanned for each entry."""
    unique_names = []
    for name, _number in book:
        first_name, _last_name = name.split(" ", 1)
        for unique in unique_names:
            if unique == first_name:
                break
        else:
            unique_names.append(first_name)
    return len(unique_names)


def set_unique_names(book):
    """The book's second way: a set."""
    unique_names = set()
    for name, _number in book:
        first_name, _last_name = name.split(" ", 1)
        unique_names.add(first_name)
    return len(unique_names)


def unique_names(spec, out):
    rows = []
    for n in spec["sizes"]:
        book = phonebook(n)
        for method, fn, cap in (("list", list_unique_names, spec["list_cap"]),
                                ("set", set_unique_names, None)):
            if cap is not None and n > cap:
                continue
            t = timed(lambda fn=fn, book=book: fn(book), spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"method": method, "entries": n, "unique": fn(book),
                         "ns_per_entry": t["median_ns"] / n})
    out["unique_names"] = rows


def table_growth(spec, out):
    """Insert 0, 1, 2, ... into an empty dict and an empty set, noting each
    insert after which sys.getsizeof changed: the table was resized."""
    n = spec["items"]
    rows = []
    for name, table, add in (("dict", {}, dict.__setitem__), ("set", set(), None)):
        empty = sys.getsizeof(table)
        before, resizes = empty, []
        for i in range(n):
            if add is None:
                table.add(i)
            else:
                add(table, i, None)
            size = sys.getsizeof(table)
            if size != before:
                resizes.append((i + 1, size))
                before = size
        rows.append({"table": name, "empty": empty, "resizes": resizes, "len": len(table)})
    out["table_growth"] = rows


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "bad_hash" in spec["tasks"]:
        bad_hash(spec, out)
    if "unique_names" in spec["tasks"]:
        unique_names(spec, out)
    if "table_growth" in spec["tasks"]:
        table_growth(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
