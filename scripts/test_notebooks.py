#!/usr/bin/env python3
"""Tests of the notebook pipeline itself: the checker must catch what evcxr
reports only as text (panics, a dead subprocess), plot cells without SVG, and
Python listings that would turn into code cells."""
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


if __name__ == "__main__":
    unittest.main()
