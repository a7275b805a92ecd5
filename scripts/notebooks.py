#!/usr/bin/env python3
"""Chapter pipeline: chapters/NN_slug.md (jupytext Markdown, the source) ->
notebooks/NN_slug.ipynb (generated, committed without outputs) -> executed
through the real `rust` (evcxr) kernel.

  notebooks.py build            regenerate notebooks/ from chapters/
  notebooks.py check            committed notebooks are clean and match chapters/
  notebooks.py execute [--out DIR] [--only NAME]
                                run every notebook in the rust kernel, fail on
                                errors, panics or a plot cell without an SVG;
                                write executed notebooks and HTML to DIR

Each kernel's build folder (notebooks/.evcxr, named by notebooks/evcxr.toml)
is seeded with the project's Cargo.lock just before the first cell runs, so
a notebook builds the dependency versions the tests ran; after the run the
versions the kernel built are checked against Cargo.lock.
"""
import argparse
import copy
import json
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = ROOT / "notebooks"
FIX = "run `make notebooks` and commit notebooks/"


def evcxr_build_folder(kernel_dir):
    """The build folder a kernel started in `kernel_dir` uses when its
    evcxr.toml names one (notebooks/evcxr.toml keeps a reusable build cache
    there); None when evcxr would pick a temporary folder."""
    config = Path(kernel_dir) / "evcxr.toml"
    if not config.exists():
        return None
    import tomllib
    tmpdir = tomllib.loads(config.read_text()).get("evcxr", {}).get("tmpdir")
    return (Path(kernel_dir) / tmpdir).resolve() if tmpdir else None


@contextmanager
def pinned_kernel_build(client, kernel_dir=None):
    """Seed the build folder of the kernel that `client` starts (in
    `kernel_dir`) with Cargo.lock just before its first cell: evcxr runs
    cargo once at start with no dependencies, which prunes a lock seeded any
    earlier. The folder is the one evcxr.toml names there, else a fresh one
    given through EVCXR_TMPDIR and removed afterwards. Yields the folder."""
    kernel_dir = Path(kernel_dir or NOTEBOOKS)
    folder = evcxr_build_folder(kernel_dir)
    fresh = folder is None
    if fresh:
        folder = Path(tempfile.mkdtemp(prefix="hpp-evcxr-"))
    old = os.environ.get("EVCXR_TMPDIR")
    if fresh:
        os.environ["EVCXR_TMPDIR"] = str(folder)

    seeded = []

    def seed(**_):
        # Called before every code cell (a notebook may open with prose,
        # so the first code cell's index is not 0): seed once, at the first.
        if not seeded:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "Cargo.lock", folder / "Cargo.lock")
            seeded.append(True)

    client.on_cell_execute = seed
    try:
        yield folder
    finally:
        if fresh:
            if old is None:
                os.environ.pop("EVCXR_TMPDIR", None)
            else:
                os.environ["EVCXR_TMPDIR"] = old
            shutil.rmtree(folder, ignore_errors=True)


# How long to wait after each cell for output evcxr sends late.
LATE_OUTPUT_S = 0.15


def keep_late_output(client):
    """evcxr forwards a cell's stderr (where a `?` error is printed) on a
    thread of its own, parented to the latest request: a line can arrive
    after the cell has gone idle, and nbclient then drops it, so an error
    would vanish from the executed notebook. After each cell, wait briefly
    for such stray lines and keep them with the cell they belong to."""
    import queue
    import nbformat
    from nbclient.util import ensure_async

    async def drain(cell=None, execute_reply=None, **_):
        parent = (execute_reply or {}).get("parent_header", {}).get("msg_id")
        while parent:
            try:
                msg = await ensure_async(client.kc.iopub_channel.get_msg(timeout=LATE_OUTPUT_S))
            except queue.Empty:
                return
            if msg["parent_header"].get("msg_id") == parent and msg["msg_type"] == "stream":
                cell.outputs.append(nbformat.v4.output_from_msg(msg))

    client.on_cell_executed = drain


def locked_versions(text):
    """{package name: set of versions} from a Cargo.lock's text."""
    found = {}
    for name, version in re.findall(r'name = "([^"]+)"\nversion = "([^"]+)"', text):
        found.setdefault(name, set()).add(version)
    return found


def lock_drift(built_lock_text, project_lock_text):
    """Packages the kernel built at versions Cargo.lock does not hold
    (evcxr's own `ctx` crate aside); [] when the build followed the lock."""
    want = locked_versions(project_lock_text)
    drift = []
    for name, versions in sorted(locked_versions(built_lock_text).items()):
        if name == "ctx":
            continue
        extra = versions - want.get(name, set())
        if extra:
            had = ", ".join(sorted(want.get(name, set()))) or "not in Cargo.lock"
            drift.append(f"{name} {', '.join(sorted(extra))} (Cargo.lock: {had})")
    return drift


def check_build_followed_lock(folder, name):
    built = folder / "Cargo.lock"
    if not built.exists():
        return [f"{name}: the kernel left no Cargo.lock in {folder}: cannot tell what it built"]
    if "ctx" not in locked_versions(built.read_text()):
        # Still the seeded copy: the kernel built somewhere else.
        return [f"{name}: the kernel did not build in {folder}: cannot tell what it built"]
    drift = lock_drift(built.read_text(), (ROOT / "Cargo.lock").read_text())
    return [f"{name}: the kernel built versions Cargo.lock does not pin: {'; '.join(drift)}"] if drift else []


def chapter_sources():
    return sorted(CHAPTERS.glob("[0-9][0-9]_*.md"))


def generate(md_path):
    """The notebook jupytext makes from one chapter, as JSON text."""
    import jupytext
    import nbformat

    nb = jupytext.read(md_path)
    # Rust fences become code cells; everything else (```py listings of the
    # book's Python included) must stay prose, since the kernel runs Rust only.
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith("%%"):
            raise SystemExit(f"{md_path.name}: a non-Rust code cell slipped in: {cell.source[:40]!r}")
    # Stable ids (nbformat would draw random ones), so regenerating a
    # notebook from an unchanged chapter changes nothing.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
    return nbformat.writes(nb) + "\n"


def cmd_build(_args):
    NOTEBOOKS.mkdir(exist_ok=True)
    for md in chapter_sources():
        out = NOTEBOOKS / (md.stem + ".ipynb")
        out.write_text(generate(md))
        print(f"wrote {out.relative_to(ROOT)}")


# Chapters shaped as one club session: every Predict has a guess cell that
# a later cell compares with the measurement.
GUESSING = {"01_understanding"}

# Sections whose plot is not an experiment a reader predicts.
NO_PREDICT = ("Your machine in numbers",)

HEADING = re.compile(r"^#{1,6} ")


def heading_lines(source):
    """Indexes of the Markdown heading lines of a cell, outside code fences."""
    out, fenced = [], False
    for i, line in enumerate(source.splitlines()):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and HEADING.match(line):
            out.append(i)
    return out


def shape_problems(nb, name):
    """A notebook shaped for reading: no Markdown cell runs one section's
    text into the next section's heading; in a GUESSING chapter, every
    section with a plot asks a Predict, every Predict has one `let guess =`
    cell, and every guess is compared (`.against(guess)`) before the next."""
    problems = []
    section, predicts, guesses, plots, pending = "(top)", 0, 0, False, False

    def close():
        if name not in GUESSING:
            return
        if pending:
            problems.append(f"{name}: section '{section}': its guess is never compared (.against(guess))")
        if predicts != guesses:
            problems.append(f"{name}: section '{section}': {predicts} Predict(s) but {guesses} guess cell(s)")
        if plots and not predicts and not section.startswith(NO_PREDICT):
            problems.append(f"{name}: section '{section}': runs an experiment but asks no Predict")

    for i, cell in enumerate(nb.cells):
        src = cell.source
        if cell.cell_type == "markdown":
            heads = heading_lines(src)
            if heads and heads != [0]:
                later = [h for h in heads if h > 0]
                problems.append(
                    f"{name} cell {i}: a heading ({src.splitlines()[later[0]][:60]!r}) after other text: "
                    "split the cell at the heading")
            if heads and heads[0] == 0:
                close()
                section = src.splitlines()[0].lstrip("# ").strip()
                predicts, guesses, plots, pending = 0, 0, False, False
            predicts += src.count("**Predict")
        elif cell.cell_type == "code":
            if src.lstrip().startswith("let guess ="):
                if pending:
                    problems.append(f"{name} cell {i}: a second guess before the first was compared")
                guesses += 1
                pending = True
            if ".against(guess)" in src:
                if not pending:
                    problems.append(f"{name} cell {i}: compares a guess that this section never asked for")
                pending = False
            if "plot" in cell.metadata.get("tags", []):
                plots = True
    close()
    return problems


def cmd_check(_args):
    problems = []
    sources = chapter_sources()
    if not sources:
        problems.append("no chapters/NN_slug.md found")
    for md in sources:
        ipynb = NOTEBOOKS / (md.stem + ".ipynb")
        if not ipynb.exists():
            problems.append(f"{ipynb.relative_to(ROOT)} is missing: {FIX}")
            continue
        text = ipynb.read_text()
        nb = json.loads(text)
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                problems.append(f"{ipynb.name} cell {i} has outputs: notebooks are committed clean; {FIX}")
                break
        if text != generate(md):
            problems.append(f"{ipynb.name} differs from what {md.relative_to(ROOT)} generates: {FIX}")
        import nbformat
        problems += shape_problems(nbformat.reads(text, as_version=4), md.stem)
    for ipynb in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not (CHAPTERS / (ipynb.stem + ".md")).exists():
            problems.append(f"{ipynb.name} has no chapter source in chapters/")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    print(f"notebooks: {len(sources)} clean and in step with chapters/")


BAD_TEXT = ("panicked at", "Subprocess terminated", "error[E")

# hpp's progress lines ("latency [3/17] 64 KiB (1.2 s)") are the only thing
# hpp writes to stderr. Anything else there is an error a cell returned with
# `?`: evcxr prints it to stderr and reports the cell as a success.
PROGRESS = re.compile(r"^\S.* \[\d+/\d+\] .* \(\d+\.\d s\)$")


def stray_stderr(text):
    """The stderr lines that are not progress lines."""
    return [line for line in text.splitlines() if line.strip() and not PROGRESS.match(line)]


def drop_progress(nb):
    """Progress lines belong to the live run: remove them from a checked
    notebook before it is saved, so the saved notebook and its HTML keep
    only results (an stderr block left with other text keeps that text).
    Returns how many lines were dropped."""
    dropped = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines = out.get("text", "").splitlines(keepends=True)
                rest = [l for l in lines if not PROGRESS.match(l.rstrip("\n"))]
                dropped += len(lines) - len(rest)
                if not "".join(rest).strip():
                    continue
                out["text"] = "".join(rest)
            kept.append(out)
        cell["outputs"] = kept
    return dropped


def outputs_text(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            yield out.get("name", ""), out.get("text", "")
        elif out.get("output_type") in ("execute_result", "display_data"):
            yield "data", str(out.get("data", {}).get("text/plain", ""))
        elif out.get("output_type") == "error":
            yield "error", f"{out.get('ename')}: {out.get('evalue')}"


def check_executed(nb, name):
    """Problems in an executed notebook: errors, panics, plot cells without SVG."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        head = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        stderr = "".join(text for kind, text in outputs_text(cell) if kind == "stderr")
        if stray_stderr(stderr):
            problems.append(f"{name} cell {i} ({head}): returned an error: {' / '.join(stray_stderr(stderr))[:400]}")
        for kind, text in outputs_text(cell):
            if kind == "error":
                problems.append(f"{name} cell {i} ({head}): error output: {text[:400]}")
            for bad in BAD_TEXT:
                if bad in text:
                    problems.append(f"{name} cell {i} ({head}): '{bad}' in {kind}: {text[:400]}")
        if "plot" in cell.metadata.get("tags", []):
            svgs = [o for o in cell.get("outputs", []) if "image/svg+xml" in o.get("data", {})]
            if not svgs:
                problems.append(f"{name} cell {i} ({head}): tagged plot but produced no image/svg+xml")
            for o in svgs:
                svg = o["data"]["image/svg+xml"]
                if "<svg" not in svg or "</svg>" not in svg:
                    problems.append(f"{name} cell {i}: image/svg+xml is not an SVG document")
    return problems


def first_plot_seconds(nb, start):
    """Seconds from asking for a kernel to the first plot cell's reply
    (nbclient records each cell's reply time)."""
    from datetime import datetime

    for cell in nb.cells:
        if cell.cell_type == "code" and "plot" in cell.metadata.get("tags", []):
            stamp = cell.metadata.get("execution", {}).get("shell.execute_reply")
            if stamp:
                return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() - start
    return None


def cmd_execute(args):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    out_dir = Path(args.out).resolve() if args.out else None
    problems = []
    todo = [NOTEBOOKS / (md.stem + ".ipynb") for md in chapter_sources()]
    if args.only:
        todo = [p for p in todo if args.only in p.stem]
        if not todo:
            raise SystemExit(f"no notebook matches {args.only!r}")
    for path in todo:
        nb = nbformat.read(path, as_version=4)
        start = time.time()
        print(f"executing {path.name} in the rust kernel "
              f"({'quick' if os.environ.get('HPP_QUICK') == '1' else 'default'} budget)...", flush=True)
        client = NotebookClient(
            nb,
            kernel_name="rust",
            timeout=args.timeout,
            startup_timeout=120,
            allow_errors=True,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        keep_late_output(client)
        with pinned_kernel_build(client) as build:
            try:
                client.execute()
            except (CellExecutionError, DeadKernelError, TimeoutError, RuntimeError) as e:
                problems.append(f"{path.name}: execution stopped: {type(e).__name__}: {str(e)[:400]}")
            problems += check_build_followed_lock(build, path.name)
        took = time.time() - start
        found = check_executed(nb, path.name)
        problems += found
        first_plot = first_plot_seconds(nb, start)
        print(f"  {path.name}: {len(nb.cells)} cells in {took:.0f} s"
              + (f", kernel start -> first plot {first_plot:.1f} s" if first_plot is not None else "")
              + f", {'OK' if not found else f'{len(found)} problem(s)'}", flush=True)
        if out_dir:
            drop_progress(nb)
            (out_dir / "notebooks").mkdir(parents=True, exist_ok=True)
            (out_dir / "html").mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out_dir / "notebooks" / path.name)
            from nbconvert import HTMLExporter
            html, _ = HTMLExporter().from_notebook_node(copy.deepcopy(nb))
            (out_dir / "html" / (path.stem + ".html")).write_text(html)
            print(f"  wrote {out_dir / 'notebooks' / path.name} and {out_dir / 'html' / (path.stem + '.html')}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)
    # A plain closing line CI can read.
    print(f"notebooks: {len(todo)} passed, 0 failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    sub.add_parser("check")
    ex = sub.add_parser("execute")
    ex.add_argument("--out", help="write executed notebooks and HTML here")
    ex.add_argument("--only", help="run only notebooks whose name contains this")
    ex.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = ap.parse_args()
    {"build": cmd_build, "check": cmd_check, "execute": cmd_execute}[args.cmd](args)


if __name__ == "__main__":
    main()
