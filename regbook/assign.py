r"""Autograded assignments: generate student and solution notebooks, grade submissions.

A *master* notebook ``book/exercises/aNN_topic.ipynb`` holds the exercises, their
solutions and their checks, marked up as follows (``book/exercises/README.md``
has the full description):

- a **solution code cell** has the tag ``solution``, the cell metadata
  ``{"regbook": {"exercise": "2.1", "name": "ridge_closed_form"}}``, and one or
  more blocks between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines;
- a **solution markdown cell** has the tag ``solution``, the same metadata
  (``name`` optional) and blocks between ``<!-- BEGIN SOLUTION -->`` and
  ``<!-- END SOLUTION -->``;
- a **check cell** has the tag ``check`` and the metadata
  ``{"regbook": {"exercise": "2.1", "points": 2}}``; it calls the value-based
  checks of :mod:`regbook.checks` and raises if the answer is wrong.

The score of a notebook is

.. math::

    \text{score}(e) = \sum_{c \in \text{checks}(e)} \text{points}(c)\,
    \mathbb 1[\text{cell } c \text{ runs without error}],
    \qquad \text{total} = \sum_e \text{score}(e).

Command line::

    python -m regbook.assign generate book/exercises/a0*.ipynb
    python -m regbook.assign grade SUBMISSIONS_DIR --out scores.csv --masters book/exercises
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import re
import secrets
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat

from regbook._validation import check_int

__all__ = ["CheckResult", "ExerciseInfo", "generate", "grade", "grade_many", "grade_notebook", "parse_master",
           "solution_version", "student_version"]

CODE_BEGIN, CODE_END = "### BEGIN SOLUTION", "### END SOLUTION"
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
ANSWER_PROMPT = "**Your answer:** _write your answer here._"
_ID = re.compile(r"^[0-9]+(\.[0-9]+)*[a-z]?$")


class ExerciseInfo(NamedTuple):
    """What a master declares: exercise ids, names, and points per check cell.

    Attributes
    ----------
    names : dict
        ``{exercise id: function name}`` for every solution cell, in order.
    points : dict
        ``{exercise id: total points}`` of the check cells, in order.
    checks : list of tuple
        ``(cell index, exercise id, points)`` for each check cell.
    """

    names: dict
    points: dict
    checks: list


class CheckResult(NamedTuple):
    """Outcome of one check cell of a graded notebook."""

    exercise: str
    points: float
    passed: bool
    message: str


# --------------------------------------------------------------------------- parsing
def _meta(cell, where):
    meta = cell.metadata.get("regbook")
    if not isinstance(meta, dict) or not isinstance(meta.get("exercise"), str) or not _ID.match(meta["exercise"]):
        raise ValueError(f"{where}: a cell tagged {_tags(cell)} needs the metadata "
                         f"{{\"regbook\": {{\"exercise\": \"2.1\", ...}}}}; got {meta!r}.")
    return meta


def _tags(cell):
    return list(cell.metadata.get("tags", []))


def _blocks(source, begin, end, where):
    """Split source into [(is_solution, lines)] and check that the markers balance."""
    parts, inside, current = [], False, []
    for line in source.split("\n"):
        marker = line.strip()
        if marker in (begin, end):
            if (marker == begin) == inside:
                raise ValueError(f"{where}: unbalanced solution markers: {marker!r} "
                                 f"{'inside' if inside else 'without'} an open {begin!r}.")
            parts.append((inside, current, line[: len(line) - len(line.lstrip())]))
            inside, current = not inside, []
        else:
            current.append(line)
    if inside:
        raise ValueError(f"{where}: unbalanced solution markers: {begin!r} without {end!r}.")
    parts.append((False, current, ""))
    if len(parts) == 1:
        raise ValueError(f"{where}: a cell tagged 'solution' must contain {begin!r} ... {end!r}.")
    return parts


def parse_master(nb, *, source="notebook") -> ExerciseInfo:
    r"""Validate a master notebook's markup and list its exercises and checks.

    .. math::

        \text{points}(e) = \sum_{c \in \text{checks}(e)} \text{points}(c)

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The master notebook.
    source : str, default="notebook"
        Its name, used in error messages.

    Returns
    -------
    ExerciseInfo

    Raises
    ------
    ValueError
        Unbalanced markers, a duplicate exercise id, a check of an exercise that
        has no solution cell, a graded exercise without checks, or no checks at all.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> sol = new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
    ...                     metadata={"tags": ["solution"], "regbook": {"exercise": "1.1", "name": "f"}})
    >>> chk = new_code_cell("assert f() == 1", metadata={"tags": ["check"], "regbook": {"exercise": "1.1", "points": 2}})
    >>> parse_master(new_notebook(cells=[sol, chk])).points
    {'1.1': 2}
    """
    names, kinds, points, checks = {}, {}, {}, []
    for i, cell in enumerate(nb.cells):
        where = f"{source}, cell {i}"
        tags = _tags(cell)
        if "solution" in tags:
            meta = _meta(cell, where)
            ex = meta["exercise"]
            if ex in names:
                raise ValueError(f"{where}: duplicate exercise id {ex!r}: each exercise has one solution cell.")
            code = cell.cell_type == "code"
            _blocks(cell.source, *((CODE_BEGIN, CODE_END) if code else (MD_BEGIN, MD_END)), where)
            name = meta.get("name", "")
            if code and not (isinstance(name, str) and name.isidentifier()):
                raise ValueError(f"{where}: a solution code cell needs a 'name' (a Python identifier) "
                                 f"in its regbook metadata; got {name!r}.")
            names[ex], kinds[ex] = name, cell.cell_type
        elif CODE_BEGIN in cell.source or MD_BEGIN in cell.source:
            raise ValueError(f"{where}: solution markers in a cell without the 'solution' tag.")
        if "check" in tags:
            meta = _meta(cell, where)
            ex, pts = meta["exercise"], meta.get("points")
            if cell.cell_type != "code":
                raise ValueError(f"{where}: a check cell must be a code cell.")
            if isinstance(pts, bool) or not isinstance(pts, (int, float)) or not pts > 0:
                raise ValueError(f"{where}: the 'points' of a check cell must be a positive number; got {pts!r}.")
            if ex not in names:
                raise ValueError(f"{where}: check of exercise {ex!r}, which has no solution cell above it.")
            points[ex] = points.get(ex, 0) + pts
            checks.append((i, ex, pts))
    if not checks:
        raise ValueError(f"{source}: no check cells (cells tagged 'check' with regbook metadata).")
    missing = [ex for ex, kind in kinds.items() if kind == "code" and ex not in points]
    if missing:
        raise ValueError(f"{source}: exercises with a solution code cell but no check cell: {missing}.")
    return ExerciseInfo(names, points, checks)


# --------------------------------------------------------------------------- generation
def _replace(source, begin, end, stub, where):
    out = []
    for is_solution, lines, indent in _blocks(source, begin, end, where):
        out.extend(lines if not is_solution else [indent + stub])
    return "\n".join(out)


def _strip(source, begin, end, where):
    return "\n".join(line for _, lines, _ in _blocks(source, begin, end, where) for line in lines)


def _clean_metadata(nb):
    nb = copy.deepcopy(nb)
    nb.metadata.pop("jupytext", None)  # generated files are not paired with a .py
    return nb


def student_version(nb, *, source="notebook"):
    r"""The student notebook: solutions replaced by stubs, outputs cleared.

    .. math::

        \texttt{### BEGIN SOLUTION} \ldots \texttt{### END SOLUTION}
        \;\mapsto\; \texttt{raise NotImplementedError("Exercise } e \texttt{ (} name \texttt{): your code here")}

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A master notebook (not modified).
    source : str, default="notebook"
        Its name, for error messages.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> sol = new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
    ...                     metadata={"tags": ["solution"], "regbook": {"exercise": "1.1", "name": "f"}})
    >>> chk = new_code_cell("f()", metadata={"tags": ["check"], "regbook": {"exercise": "1.1", "points": 1}})
    >>> print(student_version(new_notebook(cells=[sol, chk])).cells[0].source)
    def f():
        raise NotImplementedError("Exercise 1.1 (f): your code here")
    """
    parse_master(nb, source=source)
    nb = _clean_metadata(nb)
    for i, cell in enumerate(nb.cells):
        where = f"{source}, cell {i}"
        if "solution" in _tags(cell):
            meta = cell.metadata["regbook"]
            if cell.cell_type == "code":
                stub = f'raise NotImplementedError("Exercise {meta["exercise"]} ({meta["name"]}): your code here")'
                cell.source = _replace(cell.source, CODE_BEGIN, CODE_END, stub, where)
            else:
                cell.source = _replace(cell.source, MD_BEGIN, MD_END, ANSWER_PROMPT, where)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def solution_version(nb, *, source="notebook"):
    r"""The solution notebook for the book: markers removed, solutions folded away.

    .. math::

        \text{solution code cell} \mapsto \text{tag } \texttt{hide-input},\qquad
        \text{markdown answer} \mapsto \texttt{:::\{dropdown\} Answer}

    Outputs of the master are kept.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A master notebook (not modified).
    source : str, default="notebook"
        Its name, for error messages.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> sol = new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
    ...                     metadata={"tags": ["solution"], "regbook": {"exercise": "1.1", "name": "f"}})
    >>> chk = new_code_cell("f()", metadata={"tags": ["check"], "regbook": {"exercise": "1.1", "points": 1}})
    >>> out = solution_version(new_notebook(cells=[sol, chk])).cells[0]
    >>> print(out.source, out.metadata["tags"])
    def f():
        return 1 ['solution', 'hide-input']
    """
    parse_master(nb, source=source)
    nb = _clean_metadata(nb)
    for i, cell in enumerate(nb.cells):
        if "solution" not in _tags(cell):
            continue
        where = f"{source}, cell {i}"
        if cell.cell_type == "code":
            cell.source = _strip(cell.source, CODE_BEGIN, CODE_END, where)
            cell.metadata["tags"] = _tags(cell) + ["hide-input"]
        else:
            parts = _blocks(cell.source, MD_BEGIN, MD_END, where)
            out = []
            for is_solution, lines, _ in parts:
                body = "\n".join(lines).strip("\n")
                if is_solution:
                    out.append(f"::::{{dropdown}} Answer\n{body}\n::::")
                elif body:
                    out.append(body)
            cell.source = "\n\n".join(out)
    return nb


def generate(masters, *, out_dir=None) -> list:
    r"""Write ``student/`` and ``solutions/`` versions of master notebooks.

    .. math::

        \texttt{aNN.ipynb} \mapsto
        \texttt{student/aNN.ipynb},\ \texttt{solutions/aNN.ipynb}

    The output is a function of the master alone (no timestamps, keys sorted as
    nbformat writes them), so regenerating gives byte-identical files.

    Parameters
    ----------
    masters : list of str or Path
        Master notebooks.
    out_dir : str or Path, optional
        Where ``student/`` and ``solutions/`` go; default: each master's folder.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> generate([])
    []
    """
    written = []
    for master in masters:
        master = Path(master)
        if not master.is_file():
            raise FileNotFoundError(f"generate: no master notebook {str(master)!r}.")
        nb = nbformat.read(master, as_version=4)
        base = Path(out_dir) if out_dir is not None else master.parent
        for sub, make in (("student", student_version), ("solutions", solution_version)):
            target = base / sub / master.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(nbformat.writes(make(nb, source=master.name)) + "\n", encoding="utf-8")
            written.append(target)
    return written


# --------------------------------------------------------------------------- grading
def _first_line(text):
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _keyed(cells):
    """{(exercise id, k): cell} for the k-th check cell of each exercise."""
    counts, out = {}, {}
    for cell in cells:
        ex = cell.metadata["regbook"]["exercise"]
        out[(ex, counts.get(ex, 0))] = cell
        counts[ex] = counts.get(ex, 0) + 1
    return out


# Guard cells: with a master, the grader inserts one cell before the first cell of the submission and
# one before every check cell. The first imports what the master's setup imports and records the
# attributes of those modules (and of every regbook module and numpy): functions, classes, modules,
# numbers, strings, and the code of each function. The others put all of that back, execute a fresh
# copy of regbook/checks.py read by the grader, and re-run the master's imports in the notebook, so
# that a submission that patched the checks, numpy or regbook, or rebound an imported name, is
# checked by the real functions all the same. The student's code runs in the same kernel, so this
# raises the bar; it does not make the grader tamper-proof (book/instructor.md says what it covers).
GUARD_TAG = "regbook-grader-guard"
_GUARD_FUNCTIONS = r"""
def _regbook_guard_snapshot(names):
    import sys, types
    keep = {}
    for name, mod in list(sys.modules.items()):
        wanted = name in names or name == "regbook" or name.startswith("regbook.")
        if not wanted or not isinstance(mod, types.ModuleType) or name == "regbook.checks":
            continue
        saved, code = {}, []
        for key, value in list(vars(mod).items()):
            if isinstance(value, (types.ModuleType, type, int, float, str)) or callable(value):
                saved[key] = value
            if isinstance(value, types.FunctionType):
                code.append((value, value.__code__, value.__defaults__, value.__kwdefaults__))
        keep[name] = (mod, saved, code)
    holder = types.ModuleType("_regbook_grader_guard")
    holder.saved = keep
    sys.modules["_regbook_grader_guard"] = holder


def _regbook_guard_restore(source, filename):
    import sys, types
    for name, (mod, saved, code) in sys.modules["_regbook_grader_guard"].saved.items():
        sys.modules[name] = mod
        vars(mod).update(saved)
        for f, c, d, kd in code:
            f.__code__, f.__defaults__, f.__kwdefaults__ = c, d, kd
    fresh = types.ModuleType("regbook.checks")
    fresh.__file__, fresh.__package__ = filename, "regbook"
    sys.modules["regbook.checks"] = fresh
    exec(compile(source, filename, "exec"), vars(fresh))
    sys.modules["regbook"].checks = fresh
    shell = get_ipython()  # noqa: F821 (IPython)
    shell.ast_transformers.clear()
    shell.input_transformers_post.clear()
"""


def _setup_imports(nb):
    """The top-level import statements of a master's code cells that are neither solutions nor checks."""
    lines = []
    for cell in nb.cells:
        tags = _tags(cell)
        if cell.cell_type != "code" or "solution" in tags or "check" in tags:
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics: not a setup cell the guard needs
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, ast.Import)
                  or (isinstance(node, ast.ImportFrom) and node.module != "__future__" and not node.level)]
    return "\n".join(lines)


def _imported_modules(imports):
    """Names of the modules (and parent packages) that the import statements load."""
    names = {"numpy", "numpy.linalg", "regbook"}
    for node in ast.parse(imports).body:
        full = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        if isinstance(node, ast.ImportFrom):
            full += [f"{node.module}.{a.name}" for a in node.names]  # submodules; other names are ignored
        for name in full:
            parts = name.split(".")
            names.update(".".join(parts[: k + 1]) for k in range(len(parts)))
    return sorted(names)


def _guard_sources(master_nb, token):
    """Sources of (the first guard cell, the guard cell before each check) for a master notebook.

    Each prints ``token`` at its end, which shows that it ran as written (not rewritten by an IPython
    input transformer of the submission, for example).
    """
    from regbook import checks

    imports = _setup_imports(master_nb)
    filename = checks.__file__
    source = Path(filename).read_text(encoding="utf-8")
    first = (f"{_GUARD_FUNCTIONS}\n{imports}\n_regbook_guard_snapshot({_imported_modules(imports)!r})\n"
             f"del _regbook_guard_snapshot\nprint({token!r})")
    before = f"_regbook_guard_restore({source!r}, {filename!r})\n{imports}\nprint({token!r})"
    return first, before


def grade_notebook(path, *, timeout=120, master=None) -> list:
    r"""Execute a notebook in a fresh kernel and report every check cell.

    .. math::

        \text{passed}(c) = \mathbb 1[\text{check cell } c \text{ raises nothing}]

    Cells run in order and execution continues after an error, so a failed
    exercise does not stop the grading of the next. A cell that runs longer than
    ``timeout`` seconds is interrupted and counts as failed.

    With ``master``, the check cells and their points are taken from the master
    (matched by exercise id and order), so a submission cannot pass by editing
    or deleting a check cell: a check missing from the submission fails. Before
    each check cell, a guard cell then undoes patches of the submission: it
    restores the names (and function code) of ``numpy``, of every ``regbook``
    module and of the modules the master imports, as they were before the
    submission's first cell, runs a fresh copy of ``regbook/checks.py``, and
    re-runs the master's imports, so ``checks.check_close = lambda *a, **k: 0``
    or a rebound ``checks`` gains nothing. A guard cell that fails (the
    submission broke it) fails the check. Student code runs in the same kernel,
    so this is not tamper-proof (see ``book/instructor.md``).

    Parameters
    ----------
    path : str or Path
        The notebook (a submission).
    timeout : int, default=120
        Per-cell limit in seconds.
    master : str or Path, optional
        The assignment's master notebook.

    Returns
    -------
    list of CheckResult
        One per check cell (of the master, if given), in order; ``message`` is
        one line (empty if passed).

    Examples
    --------
    >>> grade_notebook("missing.ipynb")
    Traceback (most recent call last):
    ...
    FileNotFoundError: grade: no notebook 'missing.ipynb'.
    """
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    path = Path(path)
    timeout = check_int(timeout, "timeout", "grade_notebook", min_val=1)
    if not path.is_file():
        raise FileNotFoundError(f"grade: no notebook {str(path)!r}.")
    nb = nbformat.read(path, as_version=4)
    checks = [(i, c) for i, c in enumerate(nb.cells) if "check" in _tags(c) and c.cell_type == "code"]
    if not checks:
        raise ValueError(f"grade: {path.name} has no check cells (cells tagged 'check'); is it an assignment?")
    for i, cell in checks:
        _meta(cell, f"{path.name}, cell {i}")
    submitted = _keyed([c for _, c in checks])
    guards, token = {}, ""  # with a master: {id(check cell): the guard cell before it, and the first}
    if master is None:
        expected = submitted
    else:
        ref = nbformat.read(master, as_version=4)
        info = parse_master(ref, source=Path(master).name)
        expected = _keyed([ref.cells[i] for i, _, _ in info.checks])
        for key, cell in submitted.items():
            if key in expected:  # run the master's check, whatever the submission's says
                cell.source = expected[key].source
                cell.metadata["regbook"] = copy.deepcopy(expected[key].metadata["regbook"])
        token = f"regbook grader guard {secrets.token_hex(8)}"
        first_src, before = _guard_sources(ref, token)
        guards["first"] = new_code_cell(first_src, metadata={"tags": [GUARD_TAG]})
        cells = [guards["first"]]
        for cell in nb.cells:
            if "check" in _tags(cell) and cell.cell_type == "code":
                guards[id(cell)] = new_code_cell(before, metadata={"tags": [GUARD_TAG]})
                cells.append(guards[id(cell)])
            cells.append(cell)
        nb.cells = cells
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False, shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    results = []
    for key, ref_cell in expected.items():
        meta = ref_cell.metadata["regbook"]
        if key not in submitted:
            results.append(CheckResult(meta["exercise"], meta.get("points", 0), False,
                                       f"check cell {key[1] + 1} of exercise {key[0]} is missing from the submission"))
            continue
        cell = submitted[key]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        message = f"{errors[0].ename}: {_first_line(errors[0].evalue)}" if errors else ""
        guard = [guards["first"], guards[id(cell)]] if guards else []
        broken = [o for g in guard for o in g.outputs if o.output_type == "error"]
        if broken or any(token not in "".join(o.get("text", "") for o in g.outputs) for g in guard):
            why = (f"{broken[0].ename}: {_first_line(broken[0].evalue)}" if broken
                   else "its cell did not run as written")
            message = f"the grader could not restore regbook.checks before this check ({why})"
        if cell.execution_count is None and not errors:  # not reached (kernel died)
            message = "the cell was not executed (the kernel died or stopped earlier)"
        results.append(CheckResult(meta["exercise"], meta.get("points", 0), not message, message))
    return results


def _id_key(ex):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", ex)]


def _number(x):
    return int(x) if float(x).is_integer() else round(float(x), 6)


def grade_many(paths, *, timeout=120, jobs=1, masters=None) -> dict:
    r"""Grade several notebooks, ``jobs`` at a time (one process and kernel each).

    .. math::

        \text{results}[\text{path}] = \texttt{grade\_notebook}(\text{path})

    Parameters
    ----------
    paths : list of str or Path
        Notebooks to grade.
    timeout : int, default=120
        Per-cell limit in seconds.
    jobs : int, default=1
        Notebooks executed at the same time.
    masters : dict, optional
        ``{path: master notebook}`` for the paths to grade against a master.

    Returns
    -------
    dict
        ``{path: list of CheckResult}`` in the order of ``paths``.

    Examples
    --------
    >>> grade_many([])
    {}
    """
    paths = [Path(p) for p in paths]
    timeout = check_int(timeout, "timeout", "grade_many", min_val=1)
    jobs = check_int(jobs, "jobs", "grade_many", min_val=1)
    refs = [None if masters is None else masters.get(p) for p in paths]
    if jobs == 1 or len(paths) < 2:
        return {p: grade_notebook(p, timeout=timeout, master=m) for p, m in zip(paths, refs)}
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths))) as pool:
        return dict(zip(paths, pool.map(_grade_one, paths, refs, [timeout] * len(paths))))


def _grade_one(path, master, timeout):
    return grade_notebook(path, timeout=timeout, master=master)


def _match_masters(paths, masters):
    """{submission: master}, matching the chapter number of the first check's exercise id."""
    folder = Path(masters)
    found = {int(m.name[1:3]): m for m in sorted(folder.glob("a[0-9][0-9]_*.ipynb"))}
    if not found:
        raise FileNotFoundError(f"grade: no master notebooks aNN_*.ipynb in {str(masters)!r}.")
    out = {}
    for path in paths:
        cells = nbformat.read(path, as_version=4).cells
        first = next(c for c in cells if "check" in _tags(c))
        number = int(_meta(first, path.name)["exercise"].split(".")[0])
        if number not in found:
            raise ValueError(f"grade: no master for assignment {number} ({path.name}) in {str(masters)!r}.")
        out[path] = found[number]
    return out


def grade(submissions, *, out=None, timeout=120, jobs=1, masters=None, log=print) -> list:
    r"""Grade every notebook in a folder and write a CSV of scores per exercise.

    .. math::

        \text{total} = \sum_{c} \text{points}(c)\,\mathbb 1[\text{passed}(c)],\qquad
        \text{max} = \sum_c \text{points}(c)

    Parameters
    ----------
    submissions : str or Path
        A folder of ``.ipynb`` files (searched recursively, sorted by path).
    out : str or Path, optional
        CSV file to write, columns ``notebook``, one per exercise id, ``total``,
        ``max``. Exercises absent from a notebook are left blank.
    timeout : int, default=120
        Per-cell limit in seconds.
    jobs : int, default=1
        Notebooks executed at the same time.
    masters : str or Path, optional
        Folder of master notebooks ``aNN_*.ipynb``: each submission's check cells
        and points are then taken from the master of its assignment.
    log : callable or None, default=print
        Receives one line per failed check.

    Returns
    -------
    list of dict
        The CSV rows.

    Examples
    --------
    >>> grade("no/such/folder")
    Traceback (most recent call last):
    ...
    FileNotFoundError: grade: no folder 'no/such/folder'.
    """
    folder = Path(submissions)
    if not folder.is_dir():
        raise FileNotFoundError(f"grade: no folder {str(submissions)!r}.")
    paths = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not paths:
        raise ValueError(f"grade: no .ipynb files in {str(submissions)!r}.")
    for path in paths:  # fail fast, before executing anything, on a notebook that is no assignment
        if not any("check" in _tags(c) for c in nbformat.read(path, as_version=4).cells):
            raise ValueError(f"grade: {path.name} has no check cells (cells tagged 'check'); is it an assignment?")
    rows, exercises = [], set()
    refs = None if masters is None else _match_masters(paths, masters)
    for path, results in grade_many(paths, timeout=timeout, jobs=jobs, masters=refs).items():
        name = str(path.relative_to(folder))
        row = {"notebook": name}
        total = maximum = 0
        for r in results:
            row[r.exercise] = row.get(r.exercise, 0) + (r.points if r.passed else 0)
            total += r.points if r.passed else 0
            maximum += r.points
            exercises.add(r.exercise)
            if not r.passed and log is not None:
                log(f"{name}: Exercise {r.exercise} ({_number(r.points)} pt) failed: {r.message}")
        row.update(total=total, max=maximum)
        rows.append({k: _number(v) if k != "notebook" else v for k, v in row.items()})
    if out is not None:
        columns = ["notebook", *sorted(exercises, key=_id_key), "total", "max"]
        with open(out, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, restval="", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return rows


# --------------------------------------------------------------------------- command line
def main(argv=None) -> int:
    """``python -m regbook.assign {generate,grade} ...``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m regbook.assign", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write student/ and solutions/ versions of master notebooks")
    gen.add_argument("masters", nargs="+", help="master notebooks, e.g. book/exercises/a0*.ipynb")
    gen.add_argument("--out-dir", default=None, help="default: next to each master")
    grd = sub.add_parser("grade", help="grade a folder of submitted notebooks")
    grd.add_argument("submissions", help="folder of .ipynb files")
    grd.add_argument("--out", default="scores.csv", help="CSV file to write (default: scores.csv)")
    grd.add_argument("--timeout", type=int, default=120, help="per-cell limit in seconds (default: 120)")
    grd.add_argument("--jobs", type=int, default=1, help="notebooks graded at the same time (default: 1)")
    grd.add_argument("--masters", default=None,
                     help="folder of master notebooks (e.g. book/exercises): run their check cells, not the submitted ones")
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            for path in generate(args.masters, out_dir=args.out_dir):
                print(f"wrote {path}")
        else:
            rows = grade(args.submissions, out=args.out, timeout=args.timeout, jobs=args.jobs,
                         masters=args.masters)
            for row in rows:
                print(f"{row['total']:>6} / {row['max']:<4} {row['notebook']}")
            print(f"wrote {args.out}")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
