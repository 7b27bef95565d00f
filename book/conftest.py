"""pytest configuration for the notebooks (run by nbval in strict mode).

Prints how long each notebook took to execute, with its budget: the chapters
have time budgets on the 2-core CI machine (see CONTRIBUTING.md). The budgets are
reported, not asserted: wall-clock tests are flaky on shared machines.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict

import pytest

# Budgets in seconds; chapters not listed get the default.
DEFAULT_BUDGET_S = 60.0
BUDGETS_S = {
    "book/ch01_overfitting.ipynb": 30.0,
    # Application chapters (several seeds of several models each).
    "book/ch11_images.ipynb": 90.0,
    "book/ch12_text.ipynb": 90.0,
    "book/ch13_recommender.ipynb": 90.0,
    "book/ch14_tabular.ipynb": 90.0,
}

# The environment this pytest process started with. Tests that run earlier in the same
# session may change os.environ (importing dask.distributed sets MALLOC_TRIM_THRESHOLD_ and
# PYTHONHASHSEED; torch and scikit-learn set KMP_* variables), and nbval starts each
# notebook's kernel with os.environ. MALLOC_TRIM_THRESHOLD_=65536 alone made the text
# chapter 60% slower. So every notebook runs in the environment the session started with,
# as it does under `make outputs`. (This conftest is loaded at start-up, before any test
# module is imported, because book/ notebooks are among pytest's arguments.)
_START_ENV = dict(os.environ)

_first_start: dict[str, float] = {}
_last_stop: dict[str, float] = {}
_cell_time: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def _notebook_of(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".ipynb") else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    nb = _notebook_of(item.nodeid)
    if nb is not None:
        _first_start.setdefault(nb, time.perf_counter())
        if os.environ != _START_ENV:
            os.environ.clear()
            os.environ.update(_START_ENV)
    yield
    if nb is not None:
        _last_stop[nb] = time.perf_counter()


def pytest_runtest_logreport(report):
    nb = _notebook_of(report.nodeid)
    if nb is None:
        return
    _cell_time[nb] += report.duration
    if report.failed:
        _failed.add(nb)


def pytest_terminal_summary(terminalreporter):
    if not _first_start:
        return
    tr = terminalreporter
    tr.section("notebook durations (kernel start included; budgets on the 2-core CI machine)")
    for nb in sorted(_first_start):
        wall = _last_stop.get(nb, _first_start[nb]) - _first_start[nb]
        budget = BUDGETS_S.get(nb, DEFAULT_BUDGET_S)
        status = "within budget" if wall <= budget else "OVER BUDGET"
        if nb in _failed:
            status += ", FAILED"
        tr.write_line(f"{wall:7.1f} s  (cells {_cell_time[nb]:6.1f} s, budget {budget:4.0f} s, {status})  {nb}")
