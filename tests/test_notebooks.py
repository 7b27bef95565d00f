"""Structure of the book's notebooks: paired, in the table of contents, executed, seeded.

nbval (run by `make test-notebooks`) re-executes the notebooks and compares outputs; these
checks catch what it cannot: a .py pair out of step with its notebook, a notebook missing
from the table of contents, or one committed without (or with out-of-order) outputs.
"""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
# Generated assignment notebooks (student and solution versions) are checked by
# tests/test_assign.py, not here: they have no jupytext pair and students' stubs raise.
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts and "_build" not in p.parts
                   and not ("exercises" in p.parts and {"student", "solutions"} & set(p.parts)))
CHAPTERS = [p for p in NOTEBOOKS if "exercises" not in p.parts]
ids = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert len(CHAPTERS) >= 2


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_paired_py_file_in_sync(path):
    py = path.with_suffix(".py")
    assert py.exists(), f"{path.name} has no paired {py.name}; run `jupytext --set-formats ipynb,py:percent`"
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    text = jupytext.read(py)
    a = [(c.cell_type, c.source.strip()) for c in nb.cells]
    b = [(c.cell_type, c.source.strip()) for c in text.cells]
    assert a == b, f"{path.name} and {py.name} differ; run `make sync` (then `make outputs`)"


@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_chapter_in_toc(path):
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*([^\s#]+)", toc))
    assert str(path.relative_to(ROOT).with_suffix("")) in listed


@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_executed_in_order_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    code = _code_cells(nb)
    counts = [c.execution_count for c in code]
    assert None not in counts, "run the notebook top to bottom (make outputs) before committing"
    assert counts == list(range(1, len(code) + 1)), "cells were not executed once, in order, in a fresh kernel"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_first_cell_seeds_everything(path):
    first = _code_cells(nbformat.read(path, as_version=4))[0].source
    assert "regbook.nbsetup(" in first


@pytest.mark.parametrize("path", CHAPTERS, ids=[str(p.relative_to(ROOT)) for p in CHAPTERS])
def test_every_glued_name_is_defined(path):
    nb = nbformat.read(path, as_version=4)
    used = set(re.findall(r"\{glue:(?:text|any|)\}`([^`:]+)", "\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown")))
    defined = set(re.findall(r"glue\(\s*\"([^\"]+)\"", "\n".join(c.source for c in _code_cells(nb))))
    assert used <= defined, f"glued in prose but never computed: {sorted(used - defined)}"
