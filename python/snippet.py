"""Run one snippet of the reader's Python for a notebook cell: ``setup``
once, then either time ``stmt`` with ``timeit``'s rules or evaluate
``expr`` and send its value back as JSON. hpp sends ``hpp_timing.py`` and
then this file on stdin, with the request as a JSON argument.

Whatever the snippet prints is captured and sent back, so it cannot
corrupt the answer; an exception comes back as its traceback.
"""

import contextlib
import io
import timeit
import traceback


def to_json(value):
    """The value as JSON-ready data: numbers, strings, lists, dicts; numpy
    arrays and scalars through ``tolist()``. Anything else is refused with
    its type, so the reader converts it on purpose."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if hasattr(value, "tolist"):
        return to_json(value.tolist())
    raise TypeError(
        f"a {type(value).__name__} cannot be sent back as JSON: "
        "return a number, string, list or dict (e.g. list(...) or float(...))"
    )


def run(request):
    out = {"python": interpreter()}  # noqa: F821 (hpp_timing.py comes first)
    namespace = {"__name__": "__hpp_snippet__"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(request["setup"], "<setup>", "exec"), namespace)
            if request.get("expr") is not None:
                value = eval(compile(request["expr"], "<expr>", "eval"), namespace)
                out["value"] = to_json(value)
            if request.get("stmt") is not None:
                # timeit.Timer compiles stmt into its own loop, as %timeit
                # does, and switches the garbage collector off while timing.
                timer = timeit.Timer(request["stmt"], globals=namespace)
                warm_up()  # noqa: F821
                loops, scale = 1, 1
                while True:
                    for step in (1, 2, 5):
                        loops = step * scale
                        if timer.timeit(loops) >= request["min_run_s"]:
                            break
                    else:
                        scale *= 10
                        continue
                    break
                per_call = [timer.timeit(loops) / loops for _ in range(request["runs"])]
                out["timing"] = {"loops": loops, "per_call_s": per_call}
    except BaseException as e:  # noqa: BLE001 - the reader's code may raise anything
        # Start the traceback at the reader's code, not at this runner.
        tb = e.__traceback__.tb_next if e.__traceback__ else None
        out["error"] = "".join(traceback.format_exception(type(e), e, tb))
    out["stdout"] = printed.getvalue()
    return out


if __name__ == "__main__":
    import json
    import sys

    json.dump(run(json.loads(sys.argv[1])), sys.stdout)
