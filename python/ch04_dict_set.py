"""Chapter 4 · Dictionaries and Sets — the chapter's experiments in plain
Python, timed by the reader's own interpreter beside hpp's Rust.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch04_dict_set.py``.
"""

import dis
import json
import math
import random
import string
import sys
from math import sin

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["bad_hash", "unique_names", "table_growth", "hashers",
                        "namespaces", "membership"], "calls": 10_000, "member_sizes": [10, 1000],
              "lookups": 1000, "item_seed": 0x1D, "absent_seed": 0xAB5E, "min_run_s": 0.05,
              "runs": 3, "sizes": [100, 1000, 10_000], "list_cap": 3000, "items": 10_000,
              "ints": 10_000, "int_seed": 0x4A5F,
              "words": {"source": "generated", "count": 10_000, "first": None, "last": None}}


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


class SplitMix64:
    """hpp's random generator (SplitMix64), so both languages draw the same keys."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, n):
        return (self.next() * n) >> 64


ONSETS = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "qu", "r", "s", "t", "v",
          "w", "z", "br", "ch", "cl", "dr", "fl", "gr", "pl", "sh", "st", "th", "tr"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]


def made_up_words(n):
    """n distinct made-up words, as hpp makes them when there is no word list."""
    rng, seen, words = SplitMix64(4), set(), []
    while len(words) < n:
        word = "".join(ONSETS[rng.below(len(ONSETS))] + VOWELS[rng.below(len(VOWELS))]
                       for _ in range(1 + rng.below(4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def word_list(path, n):
    """The first n distinct ASCII lines of a word list, as hpp reads it."""
    with open(path, "rb") as f:
        data = f.read()
    seen, words = set(), []
    for line in data.split(b"\n"):
        line = line.removesuffix(b"\r")
        if not line or not line.isascii():
            continue
        word = line.decode("ascii")
        if word not in seen:
            seen.add(word)
            words.append(word)
            if len(words) == n:
                break
    return words


def hash_every(keys):
    for key in keys:
        hash(key)


def index_dict(keys):
    return {key: i for i, key in enumerate(keys)}


def lookup_total(table, order):
    total = 0
    for key in order:
        total += table[key]
    return total


def hashers(spec, out):
    """hash() every key, build a dict key -> position, look every key up in
    shuffled order: ns per key, on the integers and the words hpp used."""
    rng = SplitMix64(spec["int_seed"])
    ints = [rng.next() for _ in range(spec["ints"])]
    w = spec["words"]
    words = (made_up_words(w["count"]) if w["source"] == "generated"
             else word_list(w["source"], w["count"]))
    expected = (w["first"], w["last"])
    if len(words) != w["count"] or (w["first"] is not None and words and (words[0], words[-1]) != expected):
        out["unavailable"].append(f"the words read here differ from hpp's ({len(words)} words)")
        words = None
    rows = []
    for kind, keys in (("int", ints), ("word", words)):
        if keys is None:
            continue
        order = keys[:]
        random.Random(2).shuffle(order)
        table = index_dict(keys)
        n = len(keys)
        runs, min_run_s = spec["runs"], spec["min_run_s"]
        rows.append({
            "keys": kind, "count": n, "total": lookup_total(table, order),
            "hash_ns": timed(lambda: hash_every(keys), min_run_s, runs)["median_ns"] / n,  # noqa: F821
            "insert_ns": timed(lambda: index_dict(keys), min_run_s, runs)["median_ns"] / n,  # noqa: F821
            "lookup_ns": timed(lambda: lookup_total(table, order), min_run_s, runs)["median_ns"] / n,  # noqa: F821
        })
    out["hashers"] = rows


# The book's namespace experiment: the same sum of sines with `sin` found
# four ways. Each name a function uses is a dict lookup unless it is local.
def sines_via_module(xs):
    """math.sin: the global `math`, then its attribute `sin`, every time."""
    total = 0.0
    for x in xs:
        total += math.sin(x)
    return total


def sines_via_global(xs):
    """from math import sin: one global lookup per call."""
    total = 0.0
    for x in xs:
        total += sin(x)
    return total


def sines_via_local(xs):
    """A local alias, looked up once before the loop."""
    local_sin = math.sin
    total = 0.0
    for x in xs:
        total += local_sin(x)
    return total


def sines_via_default(xs, sin=math.sin):
    """A default argument: a local the caller never passes."""
    total = 0.0
    for x in xs:
        total += sin(x)
    return total


def name_loads(fn, adaptive):
    """The instructions that fetch `math` or `sin` in fn (specialised forms
    when adaptive and this CPython shows them)."""
    try:
        instructions = dis.get_instructions(fn, adaptive=adaptive)
    except TypeError:  # before 3.11: no adaptive interpreter to show
        if adaptive:
            return []
        instructions = dis.get_instructions(fn)
    return [f"{i.opname} {i.argval}" for i in instructions
            if i.argval in ("math", "sin", "local_sin")]


def namespaces(spec, out):
    xs = [i / spec["calls"] for i in range(spec["calls"])]
    rows = []
    for variant, fn in (("math.sin(x)", sines_via_module), ("sin(x) after from math import sin", sines_via_global),
                        ("local_sin = math.sin before the loop", sines_via_local),
                        ("sin=math.sin as a default argument", sines_via_default)):
        t = timed(lambda fn=fn: fn(xs), spec["min_run_s"], spec["runs"])  # noqa: F821
        rows.append({"variant": variant, "total": fn(xs), "ns_per_call": t["median_ns"] / len(xs),
                     "loads": name_loads(fn, False), "specialised": name_loads(fn, True)})
    out["namespaces"] = {"calls": len(xs), "rows": rows}


def count_in(table, probes):
    """How many probes `in` finds in table (a list or a set)."""
    found = 0
    for p in probes:
        if p in table:
            found += 1
    return found


def membership(spec, out):
    """x in list vs x in set for the items and probes hpp used: half the
    probes present (spread by the Weyl sequence), half drawn afresh."""
    rng = SplitMix64(spec["item_seed"])
    everything = [rng.next() for _ in range(max(spec["member_sizes"]))]
    n_look = spec["lookups"]
    rows = []
    for n in spec["member_sizes"]:
        items = everything[:n]
        absent = SplitMix64(spec["absent_seed"])
        probes = [items[((((i + 1) * STRIDE) & MASK64) * n) >> 64] if i < n_look // 2 else absent.next()
                  for i in range(n_look)]
        for container, table in (("list", items), ("set", set(items))):
            if container == "list" and n > spec["list_cap"]:
                continue
            t = timed(lambda table=table: count_in(table, probes), spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"container": container, "items": n, "found": count_in(table, probes),
                         "ns_per_lookup": t["median_ns"] / n_look})
    out["membership"] = rows


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
    if "hashers" in spec["tasks"]:
        hashers(spec, out)
    if "namespaces" in spec["tasks"]:
        namespaces(spec, out)
    if "membership" in spec["tasks"]:
        membership(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
