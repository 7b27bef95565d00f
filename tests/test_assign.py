"""Tests for regbook.assign: the assignments' markup, generation, and grading.

The expensive part is executing notebooks (a fresh kernel each). Every student
notebook is executed once, in a module-scoped fixture; the folder-grading test
uses the smallest assignment. nbval executes the masters themselves (strict, as
for the chapters); here we check their structure and committed outputs.
"""

import copy
import csv
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from regbook import assign

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "book" / "exercises"
MASTERS = sorted(EXERCISES.glob("a[0-9][0-9]_*.ipynb"))
master_ids = [p.stem for p in MASTERS]


def _read(path):
    return nbformat.read(path, as_version=4)


def _solution(ex, body="    return 1", name="f", begin=assign.CODE_BEGIN, end=assign.CODE_END):
    src = f"def {name}():\n    {begin}\n{body}\n    {end}"
    return new_code_cell(src, metadata={"tags": ["solution"], "regbook": {"exercise": ex, "name": name}})


def _check(ex, points=1, src="assert f() == 1"):
    return new_code_cell(src, metadata={"tags": ["check"], "regbook": {"exercise": ex, "points": points}})


# --------------------------------------------------------------------------- the masters
def test_there_are_masters():
    assert [p.stem[:3] for p in MASTERS][:5] == ["a01", "a02", "a03", "a04", "a05"]


@pytest.mark.parametrize("path", MASTERS, ids=master_ids)
def test_master_structure(path):
    nb = _read(path)
    info = assign.parse_master(nb, source=path.name)  # raises on duplicates, unbalanced markers
    number = str(int(path.stem[1:3]))
    assert all(ex.split(".")[0] == number for ex in info.names), "exercise ids start with the chapter number"
    coding = [ex for ex, name in info.names.items() if name]
    assert len(coding) >= 2, "at least two coding exercises per assignment"
    assert set(info.points) == set(coding), "every coding exercise has at least one check cell"
    # ids, names and points are visible to the student in the markdown
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for ex in info.names:
        assert f"Exercise {ex}" in text
    for ex, name in info.names.items():
        if name:
            assert f"`{name}`" in text and f"| {ex} | `{name}` | {info.points[ex]} |" in text


@pytest.mark.parametrize("path", MASTERS, ids=master_ids)
def test_master_committed_outputs_pass_every_check(path):
    nb = _read(path)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert "regbook.nbsetup(" in code[0].source
    for cell in code:
        assert not [o for o in cell.outputs if o.output_type == "error"]
        if "check" in cell.metadata.get("tags", []):
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert f"Exercise {cell.metadata['regbook']['exercise']} passed" in text


def test_exercise_ids_unique_across_assignments():
    seen = [ex for p in MASTERS for ex in assign.parse_master(_read(p)).names]
    assert len(seen) == len(set(seen))


# --------------------------------------------------------------------------- generation
def test_generation_is_deterministic_and_matches_committed_files(tmp_path):
    first = assign.generate(MASTERS, out_dir=tmp_path / "one")
    second = assign.generate(MASTERS, out_dir=tmp_path / "two")
    assert len(first) == 2 * len(MASTERS)
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
        committed = EXERCISES / a.parent.name / a.name
        assert committed.exists(), f"{committed} missing: run `make exercises`"
        assert a.read_bytes() == committed.read_bytes(), f"{committed} is stale: run `make exercises`"


@pytest.mark.parametrize("path", MASTERS, ids=master_ids)
def test_student_and_solution_versions(path):
    nb = _read(path)
    info = assign.parse_master(nb)
    student = _read(EXERCISES / "student" / path.name)
    solution = _read(EXERCISES / "solutions" / path.name)
    assert len(student.cells) == len(solution.cells) == len(nb.cells)
    assert "jupytext" not in student.metadata and "jupytext" not in solution.metadata
    for m, s, sol in zip(nb.cells, student.cells, solution.cells):
        for text in (s.source, sol.source):
            assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
        if s.cell_type == "code":
            assert s.outputs == [] and s.execution_count is None
            assert sol.outputs == m.outputs
        if "solution" not in m.metadata.get("tags", []):
            assert s.source == m.source == sol.source
            continue
        ex = m.metadata["regbook"]["exercise"]
        if m.cell_type == "code":
            stub = f'raise NotImplementedError("Exercise {ex} ({info.names[ex]}): your code here")'
            assert stub in s.source
            assert "hide-input" in sol.metadata["tags"]
        else:
            assert assign.ANSWER_PROMPT in s.source
            assert sol.source.count("{dropdown}") == 1


def _toy(*cells):
    return new_notebook(cells=list(cells))


def test_stub_keeps_code_outside_markers_and_indentation():
    src = ("import numpy as np\n\ndef g(x):\n    y = 2 * x\n        ### BEGIN SOLUTION\n"
           "    return y\n        ### END SOLUTION\n")
    cell = new_code_cell(src, metadata={"tags": ["solution"], "regbook": {"exercise": "9.1", "name": "g"}})
    out = assign.student_version(_toy(cell, _check("9.1")))
    assert out.cells[0].source == ("import numpy as np\n\ndef g(x):\n    y = 2 * x\n"
                                   '        raise NotImplementedError("Exercise 9.1 (g): your code here")\n')
    md = new_markdown_cell(f"Intro.\n{assign.MD_BEGIN}\nThe answer.\n{assign.MD_END}",
                           metadata={"tags": ["solution"], "regbook": {"exercise": "9.2"}})
    sol = assign.solution_version(_toy(cell, _check("9.1"), md))
    assert sol.cells[2].source == "Intro.\n\n::::{dropdown} Answer\nThe answer.\n::::"


# --------------------------------------------------------------------------- bad input
BAD_MASTERS = [
    ("duplicate id", [_solution("1.1"), _solution("1.1", name="g"), _check("1.1")], r"duplicate exercise id '1\.1'"),
    ("unclosed", [_solution("1.1", end="# end"), _check("1.1")], r"unbalanced solution markers.*without"),
    ("end first", [_solution("1.1", begin=assign.CODE_END, end=assign.CODE_BEGIN), _check("1.1")],
     r"unbalanced solution markers"),
    ("no markers", [_solution("1.1", begin="# a", end="# b"), _check("1.1")], r"must contain '### BEGIN SOLUTION'"),
    ("no checks", [_solution("1.1")], r"no check cells"),
    ("exercise without check", [_solution("1.1"), _solution("1.2", name="g"), _check("1.1")],
     r"no check cell: \['1\.2'\]"),
    ("check before solution", [_check("1.1"), _solution("1.1")], r"no solution cell above it"),
    ("zero points", [_solution("1.1"), _check("1.1", points=0)], r"'points' of a check cell must be a positive"),
    ("bad id", [_solution("one"), _check("1.1")], r"needs the metadata"),
    ("no name", [_solution("1.1", name="f"), _check("1.1")], None),
    ("markers untagged", [new_code_cell(f"{assign.CODE_BEGIN}\n{assign.CODE_END}"), _solution("1.1"), _check("1.1")],
     r"markers in a cell without the 'solution' tag"),
]


@pytest.mark.parametrize(("cells", "match"), [(c, m) for _, c, m in BAD_MASTERS], ids=[b[0] for b in BAD_MASTERS])
def test_bad_masters_give_clear_errors(cells, match, tmp_path):
    nb = _toy(*copy.deepcopy(cells))
    if match is None:  # a well-formed control case
        assign.parse_master(nb)
        del nb.cells[0].metadata["regbook"]["name"]
        match = r"needs a 'name'"
    with pytest.raises(ValueError, match=match):
        assign.parse_master(nb, source="toy.ipynb")
    path = tmp_path / "toy.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match=r"^toy\.ipynb"):
        assign.generate([path], out_dir=tmp_path)


def test_grade_bad_input(tmp_path, capsys):
    with pytest.raises(FileNotFoundError, match=r"no folder 'nope'"):
        assign.grade("nope")
    with pytest.raises(ValueError, match=r"no \.ipynb files"):
        assign.grade(tmp_path)
    nbformat.write(_toy(new_code_cell("x = 1")), tmp_path / "plain.ipynb")
    with pytest.raises(ValueError, match=r"plain\.ipynb has no check cells"):
        assign.grade(tmp_path)
    with pytest.raises(FileNotFoundError, match="no master notebook"):
        assign.generate([tmp_path / "missing.ipynb"])
    assert assign.main(["grade", str(tmp_path / "nope")]) == 2
    assert "error: grade: no folder" in capsys.readouterr().err
    with pytest.raises(ValueError, match="timeout"):
        assign.grade_notebook(tmp_path / "plain.ipynb", timeout=0)
    with pytest.raises(ValueError, match="'jobs' parameter of grade_many"):
        assign.grade_many([tmp_path / "plain.ipynb"], jobs=0)


# --------------------------------------------------------------------------- executing students
@pytest.fixture(scope="module")
def student_results(tmp_path_factory):
    """Grade every committed student notebook once (a fresh kernel each), and the control below.

    Against the masters, so the grader's guard cells run in every assignment's kernel (torch
    included). The control is graded in the same pool, without a master.
    """
    paths = [EXERCISES / "student" / p.name for p in MASTERS[1:]]
    control = tmp_path_factory.mktemp("control") / "patched_partial.ipynb"
    nbformat.write(_tampered(_read(MASTERS[0]), solved=_chosen(assign.parse_master(_read(MASTERS[0])))), control)
    results = assign.grade_many([*paths, control], timeout=120, jobs=2, masters=dict(zip(paths, MASTERS[1:])))
    return {path.name: r for path, r in results.items()}


@pytest.mark.parametrize("path", MASTERS[1:], ids=master_ids[1:])
def test_every_student_check_fails_for_the_stub(path, student_results):
    info = assign.parse_master(_read(path))
    results = student_results[path.name]
    assert [r.exercise for r in results] == [ex for _, ex, _ in info.checks]
    for r in results:
        assert not r.passed
        assert r.message == (f"NotImplementedError: Exercise {r.exercise} ({info.names[r.exercise]}): "
                             "your code here")


# A submission that does not solve the exercises but disables the checks: it patches the functions of
# regbook.checks (their code and the module's names), numpy.allclose, and the module in sys.modules,
# and rebinds the name `checks` that the setup cell imported. WRONG wraps a solution so that it
# returns 1.5 times the right answer: a real check fails it.
TAMPER = """import sys, types
import numpy
from regbook import checks as real_checks
noop = lambda *args, **kwargs: None
CHECKS = ("check_close", "check_gradient", "check_true", "check_statistic", "check_shape")
for fname in CHECKS:
    getattr(real_checks, fname).__code__ = noop.__code__
    setattr(real_checks, fname, noop)
numpy.allclose = lambda *args, **kwargs: True
checks = types.SimpleNamespace(**{fname: noop for fname in CHECKS})
sys.modules["regbook.checks"] = checks
"""
WRONG = """right_{f} = {f}
def {f}(*args, **kwargs):
    def off(r):
        return tuple(off(x) for x in r) if isinstance(r, tuple) else r * 1.5
    return off(right_{f}(*args, **kwargs))
"""


def _tampered(master, solved):
    """The master with the TAMPER cell after its setup cell and every exercise not in `solved` made wrong."""
    nb = copy.deepcopy(master)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and len([c for c in cells if c.cell_type == "code"]) == 1:
            cells.append(new_code_cell(TAMPER))
        meta = cell.metadata.get("regbook", {})
        if "solution" in cell.metadata.get("tags", []) and meta.get("name") and meta["exercise"] not in solved:
            cells.append(new_code_cell(WRONG.format(f=meta["name"])))
    nb.cells = cells
    return nb


def _chosen(info):
    """The exercises the partial submissions of a01 solve, e.g. 1.1 and 1.3."""
    return list(info.names)[0:3:2]


def test_tampering_passes_its_own_checks_without_masters(student_results):
    """The control of patched_partial.ipynb below: graded without the master's guard, the attack
    gives full marks to a notebook that solves only some exercises."""
    info = assign.parse_master(_read(MASTERS[0]))
    results = student_results["patched_partial.ipynb"]
    assert [r.exercise for r in results] == [ex for _, ex, _ in info.checks]
    assert set(_chosen(info)) < set(info.points)
    assert all(r.passed for r in results)


def test_grade_folder_master_blank_partial_and_tampered(tmp_path, capsys):
    """a01 (the smallest assignment): master = full marks, blank = 0, partial = chosen exercises.

    The tampered submission solves the chosen exercises, gives wrong answers to the others, patches
    regbook.checks and numpy (TAMPER), rewrites the check cell of an unsolved exercise to pass and be
    worth 100 points, and deletes another's. Graded against the masters, it scores exactly what its
    real solutions earn, like the partial submission; graded without them, the patches alone would
    give it full marks (the control above). The blank student version of a01 is graded here, so the
    student fixture skips it.
    """
    master_path = MASTERS[0]
    master = _read(master_path)
    info = assign.parse_master(master)
    chosen = _chosen(info)
    partial = _read(EXERCISES / "student" / master_path.name)
    for m, s in zip(master.cells, partial.cells):
        if "solution" in m.metadata.get("tags", []) and m.metadata["regbook"]["exercise"] in chosen:
            s.source = m.source  # the student pasted the solution (markers and all) back in
    sub = tmp_path / "submissions"
    sub.mkdir()
    (sub / "master.ipynb").write_bytes(master_path.read_bytes())
    (sub / "blank.ipynb").write_bytes((EXERCISES / "student" / master_path.name).read_bytes())
    nbformat.write(partial, sub / "partial.ipynb")
    tampered = _tampered(master, solved=chosen)
    unsolved = [c for c in tampered.cells
                if "check" in c.metadata.get("tags", []) and c.metadata["regbook"]["exercise"] not in chosen]
    rewritten_ex, deleted_ex = (c.metadata["regbook"]["exercise"] for c in unsolved[:2])
    assert rewritten_ex != deleted_ex
    unsolved[0].source = f'print("Exercise {rewritten_ex} passed")'
    unsolved[0].metadata["regbook"]["points"] = 100
    tampered.cells.remove(unsolved[1])
    nbformat.write(tampered, sub / "tampered.ipynb")
    out = tmp_path / "scores.csv"
    argv = ["grade", str(sub), "--out", str(out), "--jobs", "2", "--masters", str(EXERCISES)]
    assert assign.main(argv) == 0
    with open(out, newline="") as fh:
        rows = {r["notebook"]: r for r in csv.DictReader(fh)}
    ids = sorted(info.points, key=assign._id_key)
    with open(out, newline="") as fh:
        assert next(csv.reader(fh)) == ["notebook", *ids, "total", "max"]
    full = sum(info.points.values())
    assert rows["master.ipynb"]["total"] == rows["master.ipynb"]["max"] == str(full)
    assert rows["blank.ipynb"]["total"] == "0" and rows["blank.ipynb"]["max"] == str(full)
    expected = sum(info.points[ex] for ex in chosen)
    assert 0 < expected < full
    assert rows["partial.ipynb"]["total"] == rows["tampered.ipynb"]["total"] == str(expected)
    assert rows["tampered.ipynb"]["max"] == str(full)
    for ex in ids:
        assert rows["master.ipynb"][ex] == str(info.points[ex])
        assert rows["partial.ipynb"][ex] == rows["tampered.ipynb"][ex]
        assert rows["partial.ipynb"][ex] == (str(info.points[ex]) if ex in chosen else "0")
    # one line per failed check on the console, naming the exercise and the reason
    log = capsys.readouterr().out
    failed = [ln for ln in log.splitlines() if " failed: " in ln]
    solved_checks = sum(1 for _, ex, _ in info.checks if ex in chosen)
    assert len(failed) == 3 * len(info.checks) - 2 * solved_checks
    missing = [ln for ln in failed if ln.startswith("tampered.ipynb") and "missing from the submission" in ln]
    assert missing == [f"tampered.ipynb: Exercise {deleted_ex} ({info.points[deleted_ex]} pt) failed: "
                       f"check cell 1 of exercise {deleted_ex} is missing from the submission"]
    wrong = [ln for ln in failed if ln.startswith("tampered.ipynb") and ln not in missing]
    assert len(wrong) == len(info.checks) - solved_checks - 1
    assert all(re.search(r"Exercise (\S+) \(.*\) failed: CheckError: Exercise \1 ", ln) for ln in wrong)
    stub = [ln for ln in failed if not ln.startswith("tampered.ipynb")]
    assert all(re.search(r"Exercise (\S+) \(.*\) failed: NotImplementedError: Exercise \1 ", ln) for ln in stub)


def test_grade_against_masters_bad_input(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "x.ipynb").write_bytes(MASTERS[0].read_bytes())
    with pytest.raises(FileNotFoundError, match="no master notebooks aNN_"):
        assign.grade(sub, masters=tmp_path)
    (tmp_path / "a99_other.ipynb").write_bytes(MASTERS[1].read_bytes())
    with pytest.raises(ValueError, match=r"no master for assignment 1 \(x\.ipynb\)"):
        assign.grade(sub, masters=tmp_path)


def _names(source):
    """(global names a cell assigns, global names it reads), from its syntax tree.

    Parameters and local variables of functions and lambdas defined in the cell are not
    global reads; names assigned inside them are not global assignments.
    """
    import ast

    stored, loaded = set(), set()

    def visit(node, local):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef) and local is None:
                stored.add(node.name)
            a = node.args
            inner = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
            inner |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            for d in a.defaults + [d for d in a.kw_defaults if d is not None]:
                visit(d, local)
            for child in node.body if isinstance(node.body, list) else [node.body]:
                visit(child, inner | (local or set()))
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                if local is None:
                    stored.add(node.id)
            elif local is None or node.id not in local:
                loaded.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child, local)

    visit(ast.parse(source), None)
    return stored, loaded


@pytest.mark.parametrize("path", MASTERS, ids=master_ids)
def test_check_cells_do_not_depend_on_other_check_cells(path):
    """A check cell reads no name that only another check cell defines.

    Otherwise a student who solved exercise 3.4 but not 3.3 would fail 3.4 with a NameError
    (the 3.3 check cell stops at the student's stub before defining the name).
    """
    cells = [c for c in _read(path).cells if c.cell_type == "code"]
    from_checks, elsewhere = set(), set()
    for c in cells:
        stored, _ = _names(c.source)
        (from_checks if "check" in c.metadata.get("tags", []) else elsewhere).update(stored)
    only_checks = from_checks - elsewhere
    for c in cells:
        if "check" in c.metadata.get("tags", []):
            stored, loaded = _names(c.source)
            borrowed = (loaded - stored) & only_checks
            assert not borrowed, f"check of {c.metadata['regbook']['exercise']} reads {sorted(borrowed)}"
