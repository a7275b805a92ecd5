"""Chapter 6 · Matrix and Vector Computation — the diffusion equation in the
reader's own Python, from lists to numpy in place, timed beside hpp's Rust.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch06_matrix.py``.
"""

import json
import sys
import time
import tracemalloc

# The optional packages: a rung whose package is missing says so.
try:
    import numpy as np
except ImportError:
    np = None
try:
    import numexpr as ne
except ImportError:
    ne = None
try:
    from scipy.ndimage import laplace
except ImportError:
    laplace = None

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["diffusion", "traffic", "norm"], "sizes": [64, 128], "list_cap": 128,
              "norm_sizes": [128, 4096],
              "check_n": 16, "check_steps": 10, "min_run_s": 0.05, "runs": 3}

D, DT, BLOCK = 1.0, 0.1, 0.005


def block(n):
    return range(int(n * 0.4), int(n * 0.5))


# --- Pure Python: lists of lists, a new grid every step ------------------

def lists_start(n):
    grid = [[0.0] * n for _ in range(n)]
    for i in block(n):
        for j in block(n):
            grid[i][j] = BLOCK
    return grid


def lists_evolve(grid, dt=DT):
    n = len(grid)
    new_grid = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            grid_xx = grid[(i + 1) % n][j] + grid[(i - 1) % n][j] - 2.0 * grid[i][j]
            grid_yy = grid[i][(j + 1) % n] + grid[i][(j - 1) % n] - 2.0 * grid[i][j]
            new_grid[i][j] = grid[i][j] + D * (grid_xx + grid_yy) * dt
    return new_grid


class Lists:
    """Each implementation keeps its own state and steps it."""

    def __init__(self, n):
        self.grid = lists_start(n)

    def step(self):
        self.grid = lists_evolve(self.grid)

    def values(self):
        return [v for row in self.grid for v in row]


# --- numpy: whole-array expressions ---------------------------------------

def numpy_start(n):
    grid = np.zeros((n, n))
    lo, hi = int(n * 0.4), int(n * 0.5)
    grid[lo:hi, lo:hi] = BLOCK
    return grid


class NumpyRoll:
    """The first numpy version: np.roll makes four shifted copies per step."""

    def __init__(self, n):
        self.grid = numpy_start(n)

    def step(self):
        g = self.grid
        laplacian = (np.roll(g, +1, 0) + np.roll(g, -1, 0) + np.roll(g, +1, 1)
                     + np.roll(g, -1, 1) - 4 * g)
        self.grid = g + DT * D * laplacian

    def values(self):
        return self.grid.ravel().tolist()


def roll_add(src, shift, axis, out):
    """out += src rolled by one along axis, without a temporary."""
    if axis == 0 and shift == 1:
        out[1:, :] += src[:-1, :]
        out[0, :] += src[-1, :]
    elif axis == 0:
        out[:-1, :] += src[1:, :]
        out[-1, :] += src[0, :]
    elif shift == 1:
        out[:, 1:] += src[:, :-1]
        out[:, 0] += src[:, -1]
    else:
        out[:, :-1] += src[:, 1:]
        out[:, -1] += src[:, 0]


def laplacian_in_place(grid, out):
    np.copyto(out, grid)
    np.multiply(out, -4.0, out)
    for shift, axis in ((1, 0), (-1, 0), (1, 1), (-1, 1)):
        roll_add(grid, shift, axis, out)


class NumpyInPlace:
    """In place: a scratch grid, the Laplacian by shifted adds, no temporaries."""

    def __init__(self, n):
        self.grid = numpy_start(n)
        self.scratch = np.zeros_like(self.grid)

    def step(self):
        laplacian_in_place(self.grid, self.scratch)
        np.multiply(self.scratch, D * DT, self.scratch)
        np.add(self.scratch, self.grid, self.scratch)
        self.grid, self.scratch = self.scratch, self.grid

    def values(self):
        return self.grid.ravel().tolist()


class Numexpr(NumpyInPlace):
    """The in-place Laplacian, then the update fused by numexpr."""

    def step(self):
        laplacian_in_place(self.grid, self.scratch)
        ne.evaluate("scratch * k + grid", local_dict={"scratch": self.scratch, "k": D * DT,
                                                       "grid": self.grid}, out=self.scratch)
        self.grid, self.scratch = self.scratch, self.grid


class Scipy(NumpyInPlace):
    """scipy.ndimage.laplace with wrapped edges, then the update in place."""

    def step(self):
        laplace(self.grid, self.scratch, mode="wrap")
        np.multiply(self.scratch, D * DT, self.scratch)
        np.add(self.scratch, self.grid, self.scratch)
        self.grid, self.scratch = self.scratch, self.grid


# (name, class, the packages it needs)
IMPLEMENTATIONS = (("lists", Lists, ()), ("numpy, np.roll", NumpyRoll, ("numpy",)),
                   ("numpy in place", NumpyInPlace, ("numpy",)),
                   ("numexpr", Numexpr, ("numpy", "numexpr")),
                   ("scipy.ndimage.laplace", Scipy, ("numpy", "scipy")))
INSTALLED = {"numpy": np is not None, "numexpr": ne is not None, "scipy": laplace is not None}


def missing(packages):
    absent = [p for p in packages if not INSTALLED[p]]
    return f"{' and '.join(absent)} not installed" if absent else None


def seconds_per_step(make, n, min_run_s, runs):
    """Median seconds per step over `runs` runs of enough steps to last
    min_run_s (at least one step each)."""
    impl = make(n)
    start = time.perf_counter()
    impl.step()
    one = time.perf_counter() - start
    steps = max(1, int(min_run_s / max(one, 1e-9)))
    per_step = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(steps):
            impl.step()
        per_step.append((time.perf_counter() - start) / steps)
    per_step.sort()
    return per_step[len(per_step) // 2], impl


def diffusion(spec, out):
    rows, unavailable, checks = [], [], []
    for name, make, packages in IMPLEMENTATIONS:
        why = missing(packages)
        if why:
            unavailable.append({"implementation": name, "why": why})
            continue
        # The check: the whole small grid after a few steps.
        impl = make(spec["check_n"])
        for _ in range(spec["check_steps"]):
            impl.step()
        checks.append({"implementation": name, "grid": impl.values()})
        for n in spec["sizes"]:
            if name == "lists" and n > spec["list_cap"]:
                continue
            t, impl = seconds_per_step(make, n, spec["min_run_s"], spec["runs"])
            rows.append({"implementation": name, "grid": n, "seconds_per_step": t,
                         "checksum": sum(impl.values())})
    out["diffusion"] = {"rows": rows, "checks": checks, "unavailable": unavailable}


def heap_per_step(impl):
    """The most memory one step holds above what was in use before it, as
    tracemalloc sees it (numpy reports its arrays' buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        impl.step()  # the first step under tracing allocates what the next reuses
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        impl.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def traffic(spec, out):
    """For each implementation and size: seconds per step, and the heap one
    step holds above the start."""
    rows, unavailable = [], []
    for name, make, packages in IMPLEMENTATIONS:
        why = missing(packages)
        if why:
            unavailable.append({"implementation": name, "why": why})
            continue
        for n in spec["sizes"]:
            if name == "lists" and n > spec["list_cap"]:
                continue
            t, impl = seconds_per_step(make, n, spec["min_run_s"], spec["runs"])
            rows.append({"implementation": name, "grid": n, "seconds_per_step": t,
                         "heap_bytes": heap_per_step(impl),
                         "checksum": sum(impl.values())})
    out["traffic"] = {"rows": rows, "unavailable": unavailable}


# --- The norm of a vector -------------------------------------------------

def book_vector(n):
    """Value i is ((i * 7919) mod 1000) / 1000, as hpp builds it."""
    return [((i * 7919) % 1000) / 1000 for i in range(n)]


def norm_loop(vector):
    total = 0.0
    for v in vector:
        total += v * v
    return total ** 0.5


def norm_generator(vector):
    return sum(v * v for v in vector) ** 0.5


def norm(spec, out):
    rows, unavailable = [], []
    for n in spec["norm_sizes"]:
        vector = book_vector(n)
        ways = [("for loop", norm_loop, vector), ("sum of a generator", norm_generator, vector)]
        if np is not None:
            array = np.array(vector)
            ways += [("numpy np.dot", lambda a: float(np.sqrt(np.dot(a, a))), array),
                     ("numpy np.linalg.norm", lambda a: float(np.linalg.norm(a)), array)]
        for way, fn, data in ways:
            t = timed(lambda fn=fn, data=data: fn(data), spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"way": way, "n": n, "ns_per_element": t["median_ns"] / n, "norm": fn(data)})
    if np is None:
        unavailable.append("numpy is not installed")
    out["norm"] = {"rows": rows, "unavailable": unavailable}


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "diffusion" in spec["tasks"]:
        diffusion(spec, out)
    if "traffic" in spec["tasks"]:
        traffic(spec, out)
    if "norm" in spec["tasks"]:
        norm(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
