#!/usr/bin/env python3
"""Tests of the notebook pipeline itself: the checker must catch what evcxr
reports only as text (panics, a dead subprocess), plot cells without SVG, and
Python listings that would turn into code cells; and live Python cells must
work through the real `rust` kernel, their errors shown as errors."""
import os
import sys
import tempfile
import unittest
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks  # noqa: E402


def executed(outputs, tags=()):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("let x = 1;", metadata={"tags": list(tags)} if tags else {})
    cell.outputs = outputs
    nb.cells.append(cell)
    return nb


class Checker(unittest.TestCase):
    def test_clean_output_passes(self):
        nb = executed([nbformat.v4.new_output("stream", name="stdout", text="fine\n")])
        self.assertEqual(notebooks.check_executed(nb, "t"), [])

    def test_panic_in_stderr_fails(self):
        text = "thread '<unnamed>' panicked at src/lib.rs:1:1:\nboom\n"
        nb = executed([nbformat.v4.new_output("stream", name="stderr", text=text)])
        self.assertTrue(any("panicked at" in p for p in notebooks.check_executed(nb, "t")))

    def test_dead_subprocess_fails(self):
        nb = executed([nbformat.v4.new_output("stream", name="stderr", text="Subprocess terminated with status: signal: 9\n")])
        self.assertTrue(notebooks.check_executed(nb, "t"))

    def test_error_returned_with_question_mark_fails(self):
        progress = "latency [3/17] 64 KiB (1.2 s)\n"
        nb = executed([nbformat.v4.new_output("stream", name="stderr", text=progress)])
        self.assertEqual(notebooks.check_executed(nb, "t"), [], "progress lines are fine")
        nb = executed([nbformat.v4.new_output("stream", name="stderr", text=progress + "hpp has no chapter 9 yet\n")])
        self.assertTrue(any("returned an error" in p for p in notebooks.check_executed(nb, "t")))

    def test_error_output_fails(self):
        nb = executed([nbformat.v4.new_output("error", ename="Error", evalue="cannot find value `y`", traceback=[])])
        self.assertTrue(notebooks.check_executed(nb, "t"))

    def test_plot_cell_needs_svg(self):
        text_only = executed([nbformat.v4.new_output("execute_result", data={"text/plain": "x"})], tags=["plot"])
        self.assertTrue(any("no image/svg+xml" in p for p in notebooks.check_executed(text_only, "t")))
        svg = executed([nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg></svg>"})], tags=["plot"])
        self.assertEqual(notebooks.check_executed(svg, "t"), [])


HEADER = """---
jupyter:
  kernelspec:
    display_name: Rust
    language: rust
    name: rust
---

"""


def shaped(*cells):
    """A notebook from ("md", text) / ("code", text) / ("plot", text) pairs."""
    nb = nbformat.v4.new_notebook()
    for kind, text in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            tags = {"tags": ["plot"]} if kind == "plot" else {}
            nb.cells.append(nbformat.v4.new_code_cell(text, metadata=tags))
    return nb


class Shape(unittest.TestCase):
    GOOD = [
        ("md", "## Latency\n\n**Predict.** How many times slower?"),
        ("code", "let guess = 100.0; // your guess"),
        ("plot", "let lat = latency(&m, &b)?;\nlat.against(guess)"),
        ("md", "**Read.** It says so."),
        ("md", "## Your machine in numbers"),
        ("plot", "club"),
    ]

    def test_a_session_shaped_chapter_passes(self):
        self.assertEqual(notebooks.shape_problems(shaped(*self.GOOD), "01_understanding"), [])

    def test_a_reading_run_into_the_next_heading_fails(self):
        cells = list(self.GOOD)
        cells[3] = ("md", "**Read.** It says so.\n\n## Next section\n\nA claim.")
        found = notebooks.shape_problems(shaped(*cells), "02_profiling")
        self.assertTrue(any("split the cell" in p for p in found), found)

    def test_a_heading_inside_a_code_fence_is_not_a_heading(self):
        cells = [("md", "## A\n\n```py\n# a comment\n```")]
        self.assertEqual(notebooks.shape_problems(shaped(*cells), "02_profiling"), [])

    def test_a_predict_without_a_guess_fails(self):
        cells = [c for c in self.GOOD if not c[1].startswith("let guess")]
        found = notebooks.shape_problems(shaped(*cells), "01_understanding")
        self.assertTrue(any("1 Predict(s) but 0 guess" in p for p in found), found)
        self.assertTrue(any("never asked for" in p for p in found), found)

    def test_a_guess_never_compared_fails(self):
        cells = list(self.GOOD)
        cells[2] = ("plot", "let lat = latency(&m, &b)?;\nlat")
        found = notebooks.shape_problems(shaped(*cells), "01_understanding")
        self.assertTrue(any("never compared" in p for p in found), found)

    def test_an_experiment_without_a_predict_fails(self):
        cells = [("md", "## Storage"), ("plot", "let disk = storage(&m, &b, None)?;\ndisk")]
        found = notebooks.shape_problems(shaped(*cells), "01_understanding")
        self.assertTrue(any("asks no Predict" in p for p in found), found)
        # Other chapters are not shaped as a session (yet).
        self.assertEqual(notebooks.shape_problems(shaped(*cells), "02_profiling"), [])


class Generation(unittest.TestCase):
    def generate(self, body):
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "99_test.md"
            p.write_text(HEADER + body)
            return nbformat.reads(notebooks.generate(p), as_version=4)

    def test_py_listings_stay_prose(self):
        nb = self.generate("Text.\n\n```py\nx = [1.0] * 10\n```\n\n```rust\nlet x = 1;\n```\n")
        kinds = [(c.cell_type, c.source.strip()) for c in nb.cells]
        self.assertIn(("code", "let x = 1;"), kinds)
        self.assertEqual([c for c in nb.cells if c.cell_type == "code" and "x = [1.0]" in c.source], [])

    def test_python_fence_is_refused(self):
        with self.assertRaises(SystemExit):
            self.generate("```python\nx = 1\n```\n")

    def test_generation_is_deterministic(self):
        body = "```rust\nlet a = 1;\n```\n"
        self.assertEqual(nbformat.writes(self.generate(body)), nbformat.writes(self.generate(body)))

    def test_every_chapter_has_only_rust_code_cells(self):
        for md in notebooks.chapter_sources():
            nb = nbformat.reads(notebooks.generate(md), as_version=4)
            self.assertEqual(nb.metadata.kernelspec.name, "rust", md.name)
            for c in nb.cells:
                if c.cell_type == "code":
                    self.assertFalse(c.source.lstrip().startswith("%%"), f"{md.name}: {c.source[:40]}")


class LiveKernel(unittest.TestCase):
    """A notebook of live Python cells, executed by the real evcxr kernel."""

    def test_py_timeit_runs_and_python_errors_are_errors(self):
        """Also: hostile values through the notebook API come back as errors
        with the kernel alive, and the kernel built Cargo.lock's versions."""
        from nbclient import NotebookClient

        nb = nbformat.v4.new_notebook()
        nb.metadata.kernelspec = {"name": "rust", "display_name": "Rust", "language": "rust"}
        hostile = [
            # (cell, what its error must say)
            ("make_f64(1 << 60).unwrap_err()", "choose a smaller size"),
            ("make_boxed(usize::MAX).unwrap_err()", "choose a smaller size"),
            ("bandwidth(&machine(), &Budget::quick(), Some(100_000)).unwrap_err()", "time slicing"),
            ("scaling(&machine(), &Budget::quick(), Some(usize::MAX)).unwrap_err()", "time slicing"),
            ('storage(&machine(), &Budget::quick(), Some(std::path::Path::new("/proc/no-such"))).unwrap_err()',
             "not a folder"),
            ("JuliaGrid::new(1 << 40).unwrap_err()", "20000"),
        ]
        cells = [
            f':dep hpp = {{ path = "{notebooks.ROOT}", default-features = false }}\nuse hpp::prelude::*;\nlet keep = 41;',
            *[c for c, _ in hostile],
            'let t = py_timeit("sum(values)", "values = [float(i) for i in range(1000)]")?;\nt',
            'py_eval("{\'total\': 6 * 7}", "")?',
            'py_eval("1 / 0", "")?',
            'let after = py_eval("2 + 2", "")?;\nafter',
            # Give evcxr's stderr, forwarded behind the cells, time to arrive.
            'std::thread::sleep(std::time::Duration::from_secs(2));\nkeep + 1',
        ]
        h = len(hostile)
        nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
        env = {"HPP_QUICK": "1"}
        client = NotebookClient(nb, kernel_name="rust", timeout=600, startup_timeout=120,
                                allow_errors=True, resources={"metadata": {"path": str(notebooks.NOTEBOOKS)}})
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        notebooks.keep_late_output(client)
        try:
            with notebooks.pinned_kernel_build(client) as build:
                client.execute()
                drift = notebooks.check_build_followed_lock(build, "live")
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.assertEqual(drift, [])
        texts = [list(notebooks.outputs_text(c)) for c in nb.cells]
        self.assertFalse(any(k == "error" for k, _ in texts[0]), texts[0])
        for i, (cell, says) in enumerate(hostile, start=1):
            shown = "".join(t for _, t in texts[i])
            self.assertIn(says, shown, f"{cell}: {texts[i]}")
            self.assertNotIn("panicked", shown, cell)
        timed, valued, raised, after, last = (h + 1, h + 2, h + 3, h + 4, h + 5)
        self.assertFalse(any(k == "error" for k, _ in texts[timed]), texts[timed])
        self.assertTrue(any("per loop" in t for _, t in texts[timed]), texts[timed])
        self.assertTrue(any("42" in t for _, t in texts[valued]), texts[valued])
        # Python's traceback is printed in the cell (stdout, which evcxr keeps
        # in step), and the cell returns an error naming the exception. evcxr
        # prints a `?` error on stderr, which can reach the client after the
        # cell has finished, so it may show under a later cell: the checker
        # fails the notebook either way, on one of the cells after it.
        printed = "".join(t for k, t in texts[raised] if k == "stdout")
        self.assertIn("Traceback", printed)
        self.assertIn("ZeroDivisionError: division by zero", printed)
        error = "".join(t for cell in texts[raised:] for k, t in cell if k == "stderr")
        self.assertIn("raised ZeroDivisionError: division by zero", error)
        problems = notebooks.check_executed(nb, "live")
        self.assertEqual(len(problems), 1, problems)
        self.assertTrue(any(f"cell {i}" in problems[0] for i in (raised, after, last)), problems)
        # The kernel survived all of it, with the state from the first cell.
        self.assertTrue(any(t.strip() == "4" for _, t in texts[after]), texts[after])
        self.assertTrue(any(t.strip() == "42" for _, t in texts[last]), texts[last])


class SavedNotebook(unittest.TestCase):
    """What a saved notebook keeps: results, not the live run's progress."""

    def test_progress_lines_are_dropped_and_other_stderr_kept(self):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("latency(&m, &b)?")
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stderr",
                                   text="latency [1/3] 4 KiB (0.1 s)\nlatency [2/3] 8 KiB (0.2 s)\n"),
            nbformat.v4.new_output("stream", name="stdout", text="a table\n"),
            nbformat.v4.new_output("stream", name="stderr",
                                   text="latency [3/3] 16 KiB (0.3 s)\nsomething went wrong\n"),
        ]
        nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
        self.assertEqual(notebooks.drop_progress(nb), 3)
        outs = nb.cells[1].outputs
        self.assertEqual([o.get("name") for o in outs], ["stdout", "stderr"])
        self.assertEqual(outs[1]["text"], "something went wrong\n")


class Leftovers(unittest.TestCase):
    """The end-of-suite check for leftover processes can fail."""

    def test_a_process_holding_the_token_is_found_until_it_ends(self):
        import subprocess
        sys.path.insert(0, str(notebooks.ROOT / "scripts"))
        import leftovers
        token = f"probe-{os.getpid()}"
        child = subprocess.Popen(["sleep", "30"], env={**os.environ, "HPP_SUITE_TOKEN": token})
        try:
            self.assertTrue(any(str(child.pid) in h for h in leftovers.holders(token)))
        finally:
            child.kill()
            child.wait()
        self.assertEqual(leftovers.holders(token), [])


class LockDrift(unittest.TestCase):
    """The check that a kernel built Cargo.lock's versions can fail."""

    LOCK = 'name = "ctx"\nversion = "1.0.0"\n\n[[package]]\nname = "sysinfo"\nversion = "{}"\n'

    def test_same_versions_pass_and_a_newer_one_is_named(self):
        ours = self.LOCK.format("0.40.1")
        self.assertEqual(notebooks.lock_drift(ours, ours), [])
        drift = notebooks.lock_drift(self.LOCK.format("0.40.4"), ours)
        self.assertEqual(len(drift), 1)
        self.assertIn("sysinfo 0.40.4 (Cargo.lock: 0.40.1)", drift[0])

    def test_a_kernel_that_built_elsewhere_is_caught(self):
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as d:
            # Only the seeded copy (no evcxr `ctx` crate in it): not evidence.
            (Path(d) / "Cargo.lock").write_text((notebooks.ROOT / "Cargo.lock").read_text())
            problems = notebooks.check_build_followed_lock(Path(d), "nb")
            self.assertTrue(problems and "did not build" in problems[0], problems)

    def test_the_notebooks_build_folder_is_read_from_evcxr_toml(self):
        self.assertEqual(notebooks.evcxr_build_folder(notebooks.NOTEBOOKS),
                         (notebooks.NOTEBOOKS / ".evcxr").resolve())
        self.assertIsNone(notebooks.evcxr_build_folder(notebooks.ROOT))

    def test_a_package_missing_from_the_lock_is_named(self):
        drift = notebooks.lock_drift('name = "surprise"\nversion = "1.2.3"\n', "")
        self.assertIn("surprise 1.2.3 (Cargo.lock: not in Cargo.lock)", drift[0])


if __name__ == "__main__":
    unittest.main()
