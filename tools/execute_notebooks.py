"""Execute notebooks in place, top to bottom in a fresh kernel, as CI does.

Used by ``make outputs``. Each notebook runs in its own fresh ``python3`` kernel
of the current environment, with timing metadata switched off so that a
re-execution changes only what the code prints. The wall time of each notebook
is reported, since the book has per-chapter budgets (see CONTRIBUTING.md).

Usage: python tools/execute_notebooks.py book/ch01_overfitting.ipynb [...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        path = Path(name)
        elapsed = execute(path)
        print(f"{elapsed:7.1f} s  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
