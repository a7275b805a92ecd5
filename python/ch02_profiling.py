"""Chapter 2 · Profiling to Find Bottlenecks — the Julia set in plain
Python, as the book builds it: two lists of complex coordinates, then the
escape-time loop over them, timed by the reader's own interpreter beside
hpp's Rust versions.

hpp sends ``hpp_timing.py`` and then this file to the interpreter on stdin,
with a JSON spec as the first argument, and reads one JSON object back. To
run it yourself: ``python3 python/ch02_profiling.py`` (the book's 1000 x
1000 grid; about ten seconds).
"""

import functools
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


def timefn(fn):
    """The book's timing decorator: time each call of `fn` (here the time is
    kept on the wrapper instead of printed, since stdout carries JSON)."""
    @functools.wraps(fn)
    def measure_time(*args, **kwargs):
        t1 = time.perf_counter()
        result = fn(*args, **kwargs)
        measure_time.last_s = time.perf_counter() - t1
        return result
    return measure_time


def timing_tools(spec, out):
    """One program, three clocks: time.time() around the call, the
    decorator, and timeit's best of three."""
    import timeit

    width, max_iter = spec["width"], spec["max_iter"]
    zs, cs = coordinates(width)
    warm_up()  # noqa: F821
    t0 = time.time()
    counts = escape_counts(max_iter, zs, cs)
    around = time.time() - t0
    timed = timefn(escape_counts)
    timed(max_iter, zs, cs)
    best = min(timeit.repeat(lambda: escape_counts(max_iter, zs, cs), number=1, repeat=3))
    out["timing_tools"] = {
        "width": width,
        "output_sum": sum(counts),
        "time_time_s": around,
        "decorator_s": timed.last_s,
        "timeit_best_of_3_s": best,
    }


def run_once(width, max_iter):
    """The whole program, coordinates and all, as the book profiles it."""
    zs, cs = coordinates(width)
    return escape_counts(max_iter, zs, cs)


def cprofile_run(width, max_iter, top):
    """The program under cProfile: its time and the book's table (the
    functions with the most time spent inside them)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    counts = run_once(width, max_iter)
    profiler.disable()
    took = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({
            "function": name if filename.startswith(("<", "~")) else f"{name} (line {line})",
            "ncalls": nc,
            "primitive_calls": cc,
            "tottime_s": tt,
            "cumtime_s": ct,
        })
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return took, sum(counts), rows[:top]


def tracemalloc_run(width, max_iter):
    """The program with tracemalloc on: its time and the peak traced bytes."""
    import tracemalloc

    tracemalloc.start()
    start = time.perf_counter()
    counts = run_once(width, max_iter)
    took = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return took, sum(counts), peak


def line_profile_run(width, max_iter):
    """escape_counts under line_profiler (when installed): time per line."""
    import inspect

    from line_profiler import LineProfiler

    profiler = LineProfiler()
    wrapped = profiler(escape_counts)
    zs, cs = coordinates(width)
    start = time.perf_counter()
    counts = wrapped(max_iter, zs, cs)
    took = time.perf_counter() - start
    stats = profiler.get_stats()
    first = escape_counts.__code__.co_firstlineno
    try:
        source = inspect.getsourcelines(escape_counts)[0]
    except OSError:  # sent on stdin: hpp fills the code in from its own copy
        source = []
    lines = []
    for (_file, _line, _name), timings in stats.timings.items():
        total = sum(t for _, _, t in timings) or 1
        for lineno, hits, t in timings:
            rel = lineno - first
            lines.append({
                "line": rel + 1,
                "source_line": lineno,
                "code": source[rel].strip() if 0 <= rel < len(source) else "",
                "hits": hits,
                "time_s": t * stats.unit,
                "percent": 100.0 * t / total,
            })
    lines.sort(key=lambda r: r["line"])
    return took, sum(counts), lines


def profilers(spec, out):
    width, max_iter = spec["width"], spec["max_iter"]
    warm_up()  # noqa: F821
    rows = []
    start = time.perf_counter()
    plain = sum(run_once(width, max_iter))
    rows.append({"tool": "none", "seconds": time.perf_counter() - start, "output_sum": plain})
    took, total, top = cprofile_run(width, max_iter, spec.get("top", 8))
    rows.append({"tool": "cProfile", "seconds": took, "output_sum": total})
    out["cprofile"] = top
    took, total, peak = tracemalloc_run(width, max_iter)
    rows.append({"tool": "tracemalloc", "seconds": took, "output_sum": total})
    out["traced_peak_bytes"] = peak
    try:
        took, total, lines = line_profile_run(width, max_iter)
    except ImportError as e:
        out["unavailable"].append({"tool": "line_profiler", "why": f"not installed ({e})"})
    else:
        rows.append({"tool": "line_profiler", "seconds": took, "output_sum": total})
        out["line_profile"] = lines
    out["profilers"] = {"width": width, "rows": rows}


def loop_bytecodes(fn):
    """The bytecodes of `fn`'s innermost loop, as `dis` lists them: from the
    target of the last backward jump to that jump."""
    import dis

    instructions = list(dis.get_instructions(fn))
    backward = [
        ins for ins in instructions
        if "JUMP" in ins.opname and isinstance(ins.argval, int) and ins.argval < ins.offset
    ]
    if not backward:
        return []
    jump = max(backward, key=lambda ins: ins.argval)
    return [
        f"{ins.opname} {ins.argrepr}".strip()
        for ins in instructions
        if jump.argval <= ins.offset <= jump.offset
    ]


def bytecodes_per_step(max_iter, width):
    """Run escape_counts on a small grid with opcode tracing on, and count
    the bytecodes the interpreter executed per step of the while loop."""
    zs, cs = coordinates(width)
    code = escape_counts.__code__
    executed = 0

    def local(frame, event, arg):
        nonlocal executed
        if event == "opcode":
            executed += 1
        return local

    def tracer(frame, event, arg):
        if frame.f_code is code:
            frame.f_trace_opcodes = True
            frame.f_trace_lines = False
            return local
        return None

    sys.settrace(tracer)
    try:
        steps = sum(escape_counts(max_iter, zs, cs))
    finally:
        sys.settrace(None)
    return {"executed": executed, "steps": steps, "per_step": executed / max(steps, 1),
            "loop": loop_bytecodes(escape_counts)}


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
    if "profilers" in spec["tasks"]:
        profilers(spec, out)
    if "plain" in spec["tasks"]:
        times = []
        for _ in range(spec.get("runs", 1)):
            start = time.perf_counter()
            total = sum(run_once(spec["width"], spec["max_iter"]))
            times.append(time.perf_counter() - start)
        out["plain"] = {"seconds": min(times), "times": times, "output_sum": total, "runs": len(times)}
    if "bytecodes" in spec["tasks"]:
        out["bytecodes"] = bytecodes_per_step(spec["max_iter"], spec.get("trace_width", 40))
    if "timing_tools" in spec["tasks"]:
        timing_tools(spec, out)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
