"""Chapter 8 · Compiling to C — and to Rust: the book's Julia-set loop in the
reader's own Python, then every way chapter 8 makes it native — Cython
(untyped, typed, memoryviews, OpenMP prange), Numba (@njit, prange), ctypes
and cffi calling a C function exported from hpp's Rust library, and hpp's
PyO3 module — each checked against the plain-Python answer before it is
timed.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch08_compiling.py`` (after
``make python-module`` for the hpp rows).
"""

import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

try:
    import numpy as np
except ImportError:
    np = None
try:
    import hpp
except ImportError as e:
    hpp, HPP_WHY = None, f"hpp's Python module is not built ({e}): run make python-module"
else:
    HPP_WHY = None

if "timed" not in globals():  # run on its own: the harness sits beside this file
    from hpp_timing import interpreter, timed, warm_up  # noqa: F401

STANDALONE = {"tasks": ["julia", "steps", "boundary", "gil"], "width": 200, "maxiter": 300,
              "grids": [256, 512],
              "min_run_s": 0.05, "runs": 3, "threads": [1, 2], "sizes": [1, 100, 10000]}

C = complex(-0.62772, -0.42193)


# --- The book's loop, in plain Python ----------------------------------------
#
# Kept as text so that exactly the same code runs here and, when PyPy is
# installed, under PyPy in its own process (PYPY_TIMER below).

PLAIN_SOURCE = """
def calculate_z(maxiter, zs, cs):
    \"\"\"For each z, count steps of z = z*z + c until abs(z) reaches 2.\"\"\"
    output = [0] * len(zs)
    for i in range(len(zs)):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and abs(z) < 2:
            z = z * z + c
            n += 1
        output[i] = n
    return output


def book_points(width):
    \"\"\"The book's grid over -1.8..1.8, built by adding the step again and
    again (as hpp's Rust builds it, so the points are the same bits).\"\"\"
    x1, x2, y1, y2 = -1.8, 1.8, -1.8, 1.8
    x_step, y_step = (x2 - x1) / width, (y1 - y2) / width
    xs, ys = [], []
    y = y2
    while y > y1:
        ys.append(y)
        y += y_step
    x = x1
    while x < x2:
        xs.append(x)
        x += x_step
    return [complex(x, y) for y in ys for x in xs]
"""
exec(PLAIN_SOURCE)

# PyPy times the loop itself (its JIT warms up over the first calls), the
# way hpp_timing.py does: enough calls per run to last min_run_s, the median
# of the runs; it prints the times and every count.
PYPY_TIMER = PLAIN_SOURCE + """
import json, sys, time
width, maxiter, min_run_s, runs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
zs = book_points(width)
cs = [complex(-0.62772, -0.42193)] * len(zs)
start = time.perf_counter()
counts = calculate_z(maxiter, zs, cs)
first = time.perf_counter() - start
loops = 1
while True:
    start = time.perf_counter()
    for _ in range(loops):
        calculate_z(maxiter, zs, cs)
    if time.perf_counter() - start >= min_run_s:
        break
    loops *= 2
times = []
for _ in range(runs):
    start = time.perf_counter()
    for _ in range(loops):
        calculate_z(maxiter, zs, cs)
    times.append((time.perf_counter() - start) / loops)
times.sort()
print(json.dumps({"first": first, "seconds": times[len(times) // 2], "counts": counts,
                  "version": sys.version.split()[0]}))
"""


def pypy(spec, want):
    """The plain loop under PyPy, when `pypy3` is on PATH: a row, or why not."""
    import shutil
    exe = shutil.which("pypy3") or shutil.which("pypy")
    if exe is None:
        raise RuntimeError("PyPy is not installed (no pypy3 on PATH)")
    done = subprocess.run([exe, "-c", PYPY_TIMER, str(spec["width"]), str(spec["maxiter"]),
                           str(spec["min_run_s"]), str(spec["runs"])],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError("PyPy failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    got = json.loads(done.stdout)
    if got["counts"] != want:
        raise RuntimeError("PyPy's counts differ from CPython's; not timed")
    return {"route": f"PyPy {got['version']}, lists", "seconds": got["seconds"],
            "first_call_s": got["first"], "compile_s": None, "output_sum": sum(got["counts"])}


# --- Cython: three versions and a parallel one, compiled here ---------------

CYTHON_SOURCES = {
    "untyped": '''
def calculate_z(maxiter, zs, cs, output):
    for i in range(len(zs)):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and abs(z) < 2:
            z = z * z + c
            n += 1
        output[i] = n
''',
    # C types for the counters and the complex numbers; the loop still
    # indexes Python lists.
    "typed": '''
def calculate_z(int maxiter, zs, cs, output):
    cdef unsigned int i, n
    cdef double complex z, c
    for i in range(len(zs)):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and (z.real * z.real + z.imag * z.imag) < 4:
            z = z * z + c
            n += 1
        output[i] = n
''',
    # Typed memoryviews: numpy's buffers read and written directly.
    "memoryviews": '''
# cython: boundscheck=False, wraparound=False
def calculate_z(int maxiter, double complex[:] zs, double complex[:] cs, int[:] output):
    cdef Py_ssize_t i
    cdef int n
    cdef double complex z, c
    for i in range(zs.shape[0]):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and (z.real * z.real + z.imag * z.imag) < 4:
            z = z * z + c
            n += 1
        output[i] = n
''',
    # The same with the points shared among OpenMP threads, GIL released.
    "prange (OpenMP)": '''
# cython: boundscheck=False, wraparound=False
from cython.parallel import prange
cimport openmp
def calculate_z(int maxiter, double complex[:] zs, double complex[:] cs, int[:] output,
                int threads=0):
    cdef Py_ssize_t i
    cdef int n
    cdef double complex z, c
    if threads < 1:
        threads = openmp.omp_get_max_threads()
    for i in prange(zs.shape[0], nogil=True, schedule="guided", num_threads=threads):
        n = 0
        z = zs[i]
        c = cs[i]
        while n < maxiter and (z.real * z.real + z.imag * z.imag) < 4:
            z = z * z + c
            n = n + 1
        output[i] = n
''',
}


def compile_cython(name, source, folder):
    """Cython to C, then the system C compiler to a module; returns (module,
    seconds) or raises RuntimeError saying why."""
    import importlib.util
    module = "hpp_ch08_" + "".join(ch if ch.isalnum() else "_" for ch in name)
    pyx = os.path.join(folder, module + ".pyx")
    with open(pyx, "w") as f:
        f.write(source)
    start = time.perf_counter()
    c_file = os.path.join(folder, module + ".c")
    done = subprocess.run([sys.executable, "-m", "cython", "-3", pyx, "-o", c_file],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("cython failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    so = os.path.join(folder, module + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    flags = ["-O3", "-shared", "-fPIC", "-I" + sysconfig.get_paths()["include"]]
    if "OpenMP" in name:
        flags += ["-fopenmp"]
    done = subprocess.run([cc, *flags, c_file, "-o", so], capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise RuntimeError(f"the C compiler ({cc}) failed: {last}")
    seconds = time.perf_counter() - start
    spec = importlib.util.spec_from_file_location(module, so)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, seconds


# --- The routes ---------------------------------------------------------------
#
# Plain Python runs the book's loop as written, with abs(z) < 2. Every
# compiled route tests |z|² < 4 instead (the book's "expanded math": no
# square root), as hpp's Rust does, so the routes differ in how they are
# compiled, not in the arithmetic; all must give plain Python's counts.

def routes(folder):
    """Every way to run the loop: (name, setup) where setup() returns
    (call, compile_seconds) — call(maxiter) returns the counts as a list —
    or raises RuntimeError / ImportError saying why it cannot run."""
    out = []

    def python_lists():
        return lambda maxiter, zs, cs: calculate_z(maxiter, zs, cs), None
    out.append(("CPython, lists", python_lists))

    def cython(kind):
        def setup():
            try:
                import Cython  # noqa: F401
            except ImportError:
                raise RuntimeError("Cython is not installed") from None
            mod, seconds = compile_cython(kind, CYTHON_SOURCES[kind], folder)
            if kind in ("untyped", "typed"):
                def call(maxiter, zs, cs):
                    output = [0] * len(zs)
                    mod.calculate_z(maxiter, zs, cs, output)
                    return output
            else:
                need_numpy()

                def call(maxiter, zs, cs):
                    output = np.zeros(len(zs), np.int32)
                    mod.calculate_z(maxiter, as_array(zs), as_array(cs), output)
                    return output
            return call, seconds
        return setup
    for kind in CYTHON_SOURCES:
        out.append((f"Cython, {kind}", cython(kind)))

    def numba_route(parallel):
        def setup():
            kernel = numba_kernel(parallel)

            def call(maxiter, zs, cs):
                output = np.zeros(len(zs), np.int32)
                kernel(maxiter, as_array(zs), as_array(cs), output)
                return output
            return call, None  # compiled on the first call: see first_call_s
        return setup
    out.append(("Numba @njit", numba_route(False)))
    out.append(("Numba prange", numba_route(True)))

    def ctypes_route():
        need_numpy()
        need_hpp()
        import ctypes
        lib = ctypes.CDLL(native_path())
        f = lib.hpp_calculate_z
        f.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                      ctypes.c_size_t]
        f.restype = None

        def call(maxiter, zs, cs):
            z, c = as_array(zs), as_array(cs)
            output = np.zeros(len(z), np.int32)
            f(maxiter, z.ctypes.data, c.ctypes.data, output.ctypes.data, len(z))
            return output
        return call, None
    out.append(("ctypes → Rust (C ABI)", ctypes_route))

    def cffi_route():
        need_numpy()
        need_hpp()
        try:
            import cffi
        except ImportError:
            raise RuntimeError("cffi is not installed") from None
        ffi = cffi.FFI()
        ffi.cdef("void hpp_calculate_z(uint32_t, const double *, const double *, int32_t *,"
                 " size_t);")
        lib = ffi.dlopen(native_path())

        def call(maxiter, zs, cs):
            z, c = as_array(zs), as_array(cs)
            output = np.zeros(len(z), np.int32)
            lib.hpp_calculate_z(maxiter, ffi.from_buffer("double[]", z.view(np.float64)),
                                ffi.from_buffer("double[]", c.view(np.float64)),
                                ffi.from_buffer("int32_t[]", output), len(z))
            return output
        return call, None
    out.append(("cffi → Rust (C ABI)", cffi_route))

    def pyo3(name):
        def setup():
            need_numpy()
            need_hpp()
            f = getattr(hpp, name)

            def call(maxiter, zs, cs):
                output = np.zeros(len(zs), np.int32)
                f(maxiter, as_array(zs), as_array(cs), output)
                return output
            return call, None
        return setup
    out.append(("PyO3 module (hpp.calculate_z)", pyo3("calculate_z")))
    out.append(("PyO3 module, rayon threads", pyo3("calculate_z_rayon")))
    return out


def numba_kernel(parallel):
    """The loop compiled by Numba (on its first call); raises RuntimeError
    saying why where Numba cannot run."""
    need_numpy()
    try:
        import numba
    except ImportError:
        raise RuntimeError("numba is not installed") from None
    except Exception as e:  # numba refuses some numpy versions
        raise RuntimeError(f"numba did not import: {e}") from None

    # One kernel for both routes: without parallel=True, numba.prange is an
    # ordinary range.
    @numba.njit(parallel=parallel)
    def kernel(maxiter, zs, cs, output):
        for i in numba.prange(len(zs)):
            n = 0
            z = zs[i]
            c = cs[i]
            while n < maxiter and z.real * z.real + z.imag * z.imag < 4:
                z = z * z + c
                n += 1
            output[i] = n
    return kernel


def need_numpy():
    if np is None:
        raise RuntimeError("numpy is not installed")


def need_hpp():
    if hpp is None:
        raise RuntimeError(HPP_WHY)


def native_path():
    """The compiled library behind `import hpp` (maturin wraps it in a package)."""
    return getattr(hpp, "hpp", hpp).__file__


_ARRAYS = {}


def as_array(values):
    """A complex128 array of a list, made once per list (converting is not
    part of what is timed)."""
    key = id(values)
    if key not in _ARRAYS:
        _ARRAYS[key] = (values, np.array(values, np.complex128))
    return _ARRAYS[key][1]


def julia(spec, out):
    width, maxiter = spec["width"], spec["maxiter"]
    zs = book_points(width)
    cs = [C] * len(zs)
    want = None
    rows, unavailable = [], []
    only = spec.get("only")  # route-name prefixes to run, plain Python always
    with tempfile.TemporaryDirectory(prefix="hpp-ch08-") as folder:
        for name, setup in routes(folder):
            if only and name != "CPython, lists" and not any(name.startswith(p) for p in only):
                continue
            try:
                call, compile_s = setup()
                if np is not None:
                    as_array(zs), as_array(cs)
                start = time.perf_counter()
                got = call(maxiter, zs, cs)
                first = time.perf_counter() - start
                got = [int(v) for v in got]
            except (RuntimeError, ImportError, OSError, AttributeError) as e:
                unavailable.append({"route": name, "why": str(e)})
                continue
            if want is None:
                want = got  # the plain-Python route runs first: the reference
                if not spec.get("time_reference", True):
                    continue  # timed by another call already
            if got != want:
                bad = sum(1 for a, b in zip(got, want) if a != b)
                unavailable.append({"route": name,
                                    "why": f"{bad} of {len(want)} counts differ from plain Python's;"
                                           " not timed"})
                continue
            t = timed(lambda: call(maxiter, zs, cs), spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"route": name, "seconds": t["median_ns"] / 1e9,
                         "first_call_s": first, "compile_s": compile_s,
                         "output_sum": sum(got)})
    if want is not None and (not only or "PyPy" in only):
        try:
            rows.append(pypy(spec, want))
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as e:
            unavailable.append({"route": "PyPy, lists", "why": str(e)})
    out["julia"] = {"width": width, "maxiter": maxiter, "points": len(zs), "rows": rows,
                    "unavailable": unavailable}


# --- One diffusion step through the module -------------------------------------

def diffusion_numpy(grid):
    """Chapter 6's step in numpy, the check for the compiled ones."""
    lap = (np.roll(grid, 1, 0) + np.roll(grid, -1, 0) + np.roll(grid, 1, 1)
           + np.roll(grid, -1, 1) - 4 * grid)
    return grid + 0.1 * lap


def start_grid(n):
    grid = np.zeros((n, n))
    lo, hi = int(n * 0.4), int(n * 0.5)
    grid[lo:hi, lo:hi] = 0.005
    return grid


def steps(spec, out):
    """hpp's diffusion step called from Python (PyO3, and ctypes into the C
    ABI): checked against numpy after 10 steps at 64 × 64, then timed per
    step (the call and the swap of the two grids)."""
    rows, unavailable = [], []
    if hpp is None or np is None:
        out["steps"] = {"rows": [], "unavailable": [HPP_WHY or "numpy is not installed"]}
        return
    import ctypes
    lib = ctypes.CDLL(native_path())
    lib.hpp_diffusion_step.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.hpp_diffusion_step.restype = None
    ways = {
        "PyO3: hpp.diffusion_step": hpp.diffusion_step,
        "ctypes: hpp_diffusion_step": lambda g, o: lib.hpp_diffusion_step(
            g.ctypes.data, o.ctypes.data, g.shape[0]),
    }
    for name, step in ways.items():
        g, o, want = start_grid(64), np.zeros((64, 64)), start_grid(64)
        for _ in range(10):
            step(g, o)
            g, o = o, g
            want = diffusion_numpy(want)
        diff = float(np.abs(g - want).max())
        if diff > 1e-12:
            unavailable.append(f"{name}: differs from numpy by {diff:g} after 10 steps; not timed")
            continue
        for n in spec["grids"]:
            state = [start_grid(n), np.zeros((n, n))]

            def one(state=state, step=step):
                step(state[0], state[1])
                state[0], state[1] = state[1], state[0]
            t = timed(one, spec["min_run_s"], spec["runs"])  # noqa: F821
            rows.append({"route": name, "grid": n, "seconds_per_step": t["median_ns"] / 1e9,
                         "checksum": float(state[0].sum())})
    out["steps"] = {"rows": rows, "unavailable": unavailable}


# --- What crossing the boundary costs -------------------------------------------

def boundary(spec, out):
    rows, unavailable = [], []

    def add(route, n, fn):
        t = timed(fn, spec["min_run_s"], spec["runs"])  # noqa: F821
        rows.append({"route": route, "n": n, "ns_per_call": t["median_ns"]})

    def nothing():
        return None
    add("a Python function", 0, nothing)
    if hpp is None:
        unavailable.append(HPP_WHY)
    else:
        add("PyO3: hpp.noop()", 0, hpp.noop)
        import ctypes
        lib = ctypes.CDLL(native_path())
        lib.hpp_noop.restype = None
        add("ctypes: hpp_noop()", 0, lib.hpp_noop)
        try:
            import cffi
            ffi = cffi.FFI()
            ffi.cdef("void hpp_noop(void);")
            clib = ffi.dlopen(native_path())
            add("cffi: hpp_noop()", 0, clib.hpp_noop)
        except ImportError:
            unavailable.append("cffi is not installed")
    for n in spec["sizes"]:
        values = [0.5 * i for i in range(n)]
        add("Python sum(list)", n, lambda values=values: sum(values))
        if np is not None:
            array = np.array(values)
            add("numpy array.sum()", n, lambda array=array: array.sum())
        if hpp is not None:
            add("PyO3 sum_list (list copied in)", n, lambda values=values: hpp.sum_list(values))
            if np is not None:
                add("PyO3 sum_array (buffer borrowed)", n,
                    lambda array=array: hpp.sum_array(array))
    out["boundary"] = {"rows": rows, "unavailable": unavailable}


# --- Python threads and the GIL -------------------------------------------------

def gil(spec, out):
    """The grid split among T Python threads, each calling the module on its
    share: with the GIL released they overlap, with it held they queue.
    Then the threads made inside native code, for comparison: rayon in the
    module, Numba's prange, Cython's prange (OpenMP)."""
    if hpp is None or np is None:
        out["gil"] = {"rows": [], "unavailable": [HPP_WHY or "numpy is not installed"]}
        return
    width, maxiter = spec["width"], spec["maxiter"]
    zs = np.array(book_points(width), np.complex128)
    cs = np.full(len(zs), C, np.complex128)
    rows, unavailable = [], []

    def measure(name, threads, run, outputs):
        run()  # a first call: compiles Numba's kernel, starts thread pools
        cpu, wall = time.process_time(), time.perf_counter()
        t = timed(run, spec["min_run_s"], spec["runs"])  # noqa: F821
        # The CPUs this process kept busy meanwhile: what the machine gave.
        cpus = (time.process_time() - cpu) / (time.perf_counter() - wall)
        total = sum(int(o.sum()) for o in outputs)
        rows.append({"route": name, "threads": threads, "seconds": t["median_ns"] / 1e9,
                     "cpus": cpus, "output_sum": total})

    for name, f in (("GIL released", hpp.calculate_z),
                    ("GIL held", hpp.calculate_z_holding_gil)):
        for threads in spec["threads"]:
            # Interleaved slices so every thread gets a fair share of the
            # slow points in the middle of the set.
            parts = [(zs[k::threads].copy(), cs[k::threads].copy(),
                      np.zeros(len(zs[k::threads]), np.int32)) for k in range(threads)]

            def run(parts=parts, f=f):
                workers = [threading.Thread(target=f, args=(maxiter, z, c, o))
                           for z, c, o in parts]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
            measure(name, threads, run, [o for _, _, o in parts])

    # Threads started by native code, one call on the whole grid.
    native = [("rayon, inside the module",
               lambda: lambda threads, o: hpp.calculate_z_rayon(maxiter, zs, cs, o, threads))]

    def numba_setup():
        import numba
        kernel = numba_kernel(True)
        most = numba.config.NUMBA_NUM_THREADS

        def call(threads, o):
            if threads > most:
                raise RuntimeError(f"Numba was started with {most} threads")
            numba.set_num_threads(threads)
            kernel(maxiter, zs, cs, o)
        return call
    native.append(("Numba prange", numba_setup))

    def cython_setup():
        try:
            import Cython  # noqa: F401
        except ImportError:
            raise RuntimeError("Cython is not installed") from None
        mod, _ = compile_cython("prange (OpenMP)", CYTHON_SOURCES["prange (OpenMP)"], folder)
        return lambda threads, o: mod.calculate_z(maxiter, zs, cs, o, threads)
    native.append(("Cython prange (OpenMP)", cython_setup))

    with tempfile.TemporaryDirectory(prefix="hpp-ch08-") as folder:
        for name, setup in native:
            try:
                call = setup()
                for threads in spec["threads"]:
                    o = np.zeros(len(zs), np.int32)
                    measure(name, threads, lambda call=call, threads=threads, o=o: call(threads, o),
                            [o])
            except (RuntimeError, ImportError, OSError) as e:
                unavailable.append(f"{name}: {e}")
    out["gil"] = {"rows": rows, "unavailable": unavailable}


# --- What the compilers made ------------------------------------------------------

def inspect(spec, out):
    """Where hpp's compiled module is (hpp reads its machine code with
    objdump), and what Numba made of the loop: the types it inferred for
    each variable and the assembly it generated."""
    result = {"module_path": None, "numba": None, "unavailable": []}
    if hpp is None:
        result["unavailable"].append(HPP_WHY)
    else:
        result["module_path"] = native_path()
    try:
        kernel = numba_kernel(False)
        points = np.zeros(4, np.complex128)
        kernel(spec.get("maxiter", 300), points, points, np.zeros(4, np.int32))
        signature = kernel.signatures[0]
        types = {}
        typemap = kernel.overloads[signature].type_annotation.typemap
        for name, ty in typemap.items():
            # Numba's own temporaries start with $; arg.x repeats x; x.1 is
            # a later version of x.
            if name.startswith(("$", "arg.")):
                continue
            base = name.split(".")[0]
            text = str(ty)
            if not text.startswith("Literal"):
                types.setdefault(base, set()).add(text)
        result["numba"] = {
            "signature": ", ".join(str(t) for t in signature),
            # In the order the function names them: arguments, then locals.
            "types": [[k, " | ".join(sorted(types[k]))]
                      for k in kernel.py_func.__code__.co_varnames if k in types],
            "asm": kernel.inspect_asm(signature),
        }
    except (RuntimeError, ImportError) as e:
        result["unavailable"].append(str(e))
    except AttributeError as e:  # Numba's inspection API moved
        result["unavailable"].append(f"Numba's inspection failed: {e}")
    out["inspect"] = result


def main():
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else STANDALONE
    out = {"python": interpreter(), "unavailable": []}  # noqa: F821
    warm_up()  # noqa: F821
    if "julia" in spec["tasks"]:
        julia(spec, out)
    if "steps" in spec["tasks"]:
        steps(spec, out)
    if "boundary" in spec["tasks"]:
        boundary(spec, out)
    if "gil" in spec["tasks"]:
        gil(spec, out)
    if "inspect" in spec["tasks"]:
        inspect(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
