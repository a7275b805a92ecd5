"""Chapter 5 · Iterators and Generators — the chapter's experiments in plain
Python, timed by the reader's own interpreter beside hpp's Rust.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch05_iterators.py``.
"""

import json
import math
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import filterfalse, groupby, takewhile

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["fibonacci", "chains", "anomalies"], "min_run_s": 0.05, "runs": 3,
              "fib_sizes": [100, 1000], "odd_limit": 5000,
              "chain_n": 100_000, "chain_seed": 7,
              "days": [1, 2, 4], "list_days_cap": 2, "seed": 3, "threshold": 1e-3}

MASK64 = (1 << 64) - 1


class SplitMix64:
    """hpp's random generator (SplitMix64), so both languages draw the same numbers."""

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

    def unit(self):
        return (self.next() >> 11) * (1.0 / (1 << 53))


def peak_bytes(fn):
    """The most memory Python objects held at once while fn ran (tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


# --- Lists and generators: the Fibonacci numbers -------------------------

def fibonacci_list(num_items):
    """All the numbers, kept in a list."""
    numbers = []
    a, b = 0, 1
    while len(numbers) < num_items:
        numbers.append(a)
        a, b = b, a + b
    return numbers


def fibonacci_gen(num_items):
    """One number at a time: only a and b are kept."""
    a, b = 0, 1
    while num_items:
        yield a
        a, b = b, a + b
        num_items -= 1


def fibonacci():
    """Without end."""
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def consume(numbers):
    last = None
    for last in numbers:
        pass
    return last


def odd_loop(limit):
    """The book's first way: two variables and a counter."""
    i, j = 0, 1
    count = 0
    while j <= limit:
        if j % 2:
            count += 1
        i, j = j, i + j
    return count


def odd_for_break(limit):
    """A for loop over the generator, breaking out past the limit."""
    count = 0
    for f in fibonacci():
        if f > limit:
            break
        if f % 2:
            count += 1
    return count


def odd_takewhile(limit):
    """The succinct way: takewhile, then count the odd ones."""
    return sum(1 for f in takewhile(lambda f: f <= limit, fibonacci()) if f % 2)


def fibonacci_task(spec, out):
    rows = []
    for n in spec["fib_sizes"]:
        for way, make in (("list", fibonacci_list), ("generator", fibonacci_gen)):
            last = consume(make(n))
            t = timed(lambda make=make: consume(make(n)), spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"way": way, "n": n, "ns_per_number": t["median_ns"] / n,
                         "peak_bytes": peak_bytes(lambda make=make: consume(make(n))),
                         "last_bits": last.bit_length(), "last_low64": last & MASK64})
    odd = []
    for way, fn in (("while loop", odd_loop), ("for + break", odd_for_break), ("takewhile", odd_takewhile)):
        t = timed(lambda fn=fn: fn(spec["odd_limit"]), spec["min_run_s"], spec["runs"])  # noqa: F821
        odd.append({"way": way, "count": fn(spec["odd_limit"]), "ns_per_call": t["median_ns"]})
    out["fibonacci"] = {"rows": rows, "odd": odd}


# --- Chains of iterators: the sum of the squares of the odd values --------

def squares_for_loop(values):
    total = 0
    for v in values:
        if v % 2:
            total += v * v
    return total


def squares_generator(values):
    return sum(v * v for v in values if v % 2)


def squares_list(values):
    return sum([v * v for v in values if v % 2])


def squares_filter_map(values):
    return sum(map(lambda v: v * v, filter(lambda v: v % 2, values)))


def chains_task(spec, out):
    rng = SplitMix64(spec["chain_seed"])
    values = [rng.next() >> 34 for _ in range(spec["chain_n"])]
    rows = []
    for way, fn in (("for loop", squares_for_loop), ("generator expression", squares_generator),
                    ("list comprehension", squares_list), ("filter + map", squares_filter_map)):
        t = timed(lambda fn=fn: fn(values), spec["min_run_s"], spec["runs"])  # noqa: F821
        rows.append({"way": way, "total_low64": fn(values) & MASK64,
                     "ns_per_value": t["median_ns"] / len(values),
                     "peak_bytes": peak_bytes(lambda fn=fn: fn(values))})
    out["chains"] = {"n": len(values), "rows": rows}


# --- A lazy pipeline: anomalous days in a stream of readings --------------

@dataclass
class Datum:
    date: datetime
    value: float


def read_fake_data(seed):
    """One reading a second, forever; about once a week a reading of 100."""
    rng = SplitMix64(seed)
    timestamp = 0
    while True:
        if rng.below(7 * 86_400) == 1:
            value = 100.0
        else:
            u1 = 1.0 - rng.unit()
            u2 = rng.unit()
            value = math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
        yield Datum(datetime.fromtimestamp(timestamp, timezone.utc), value)
        timestamp += 1


def groupby_day(iterable):
    for _day, group in groupby(iterable, lambda row: row.date.day):
        yield list(group)


def k2_test(values):
    """D'Agostino and Pearson's K² and its p-value: scipy.stats.normaltest's
    test, written out (used when scipy is not installed)."""
    n = len(values)
    mean = sum(values) / n
    m2 = m3 = m4 = 0.0
    for v in values:
        d = v - mean
        d2 = d * d
        m2 += d2
        m3 += d2 * d
        m4 += d2 * d2
    m2, m3, m4 = m2 / n, m3 / n, m4 / n
    # Skewness to a normal score.
    y = m3 / m2 ** 1.5 * math.sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)))
    beta2 = 3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
    w2 = -1 + math.sqrt(2 * (beta2 - 1))
    delta = 1 / math.sqrt(0.5 * math.log(w2))
    alpha = math.sqrt(2.0 / (w2 - 1))
    y = y or 1.0
    z_skew = delta * math.log(y / alpha + math.sqrt((y / alpha) ** 2 + 1))
    # Kurtosis to a normal score.
    expected = 3.0 * (n - 1) / (n + 1)
    variance = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) ** 2 * (n + 3) * (n + 5))
    x = (m4 / (m2 * m2) - expected) / math.sqrt(variance)
    root_beta1 = (6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
                  * math.sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3))))
    a = 6.0 + 8.0 / root_beta1 * (2.0 / root_beta1 + math.sqrt(1 + 4.0 / root_beta1 ** 2))
    term1 = 1 - 2 / (9.0 * a)
    denom = 1 + x * math.sqrt(2 / (a - 4.0))
    term2 = math.copysign(1.0, denom) * ((1 - 2.0 / a) / abs(denom)) ** (1 / 3)
    z_kurt = (term1 - term2) / math.sqrt(2 / (9.0 * a))
    k2 = z_skew ** 2 + z_kurt ** 2
    return k2, math.exp(-k2 / 2)


def normality_test():
    """scipy's normaltest when installed, else the hand-written twin."""
    try:
        from scipy.stats import normaltest
    except ImportError:
        return "hand-written D'Agostino-Pearson K² (scipy is not installed)", k2_test
    return "scipy.stats.normaltest", lambda values: tuple(normaltest(values))


def anomalies_task(spec, out):
    test_name, test = normality_test()
    threshold = spec["threshold"]

    def is_normal(day):
        _k2, p_value = test([d.value for d in day])
        return p_value >= threshold

    def hunt(data):
        return [int(day[0].date.timestamp()) // 86_400
                for day in filterfalse(is_normal, groupby_day(data))]

    def lazily(days):
        return hunt(d for _, d in zip(range(days * 86_400), read_fake_data(spec["seed"])))

    def all_in_a_list(days):
        data = [d for _, d in zip(range(days * 86_400), read_fake_data(spec["seed"]))]
        return hunt(data)

    rows = []
    for days in spec["days"]:
        for way, fn in (("lazy", lazily), ("list first", all_in_a_list)):
            if way == "list first" and days > spec["list_days_cap"]:
                continue
            # One run is seconds long: timed once, then once more under
            # tracemalloc (which slows it) for the memory.
            start = time.perf_counter()
            flagged = fn(days)
            seconds = time.perf_counter() - start
            rows.append({"way": way, "days": days, "flagged": flagged, "seconds": seconds,
                         "peak_bytes": peak_bytes(lambda fn=fn: fn(days))})
    out["anomalies"] = {"test": test_name, "rows": rows}


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "fibonacci" in spec["tasks"]:
        fibonacci_task(spec, out)
    if "chains" in spec["tasks"]:
        chains_task(spec, out)
    if "anomalies" in spec["tasks"]:
        anomalies_task(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
