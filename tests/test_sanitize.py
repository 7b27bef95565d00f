"""The nbval sanitizer masks timings, progress bars and addresses, and nothing else."""

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).resolve().parents[1] / "book" / "sanitize.cfg"


def sanitize(text):
    """Apply the patterns exactly as nbval reads and applies them."""
    patterns = get_sanitize_patterns(CFG.read_text())
    assert len(patterns) == 3
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


@pytest.mark.parametrize("volatile", [
    ("Wall time: 1.23 s", "Wall time: 2.5 ms"),
    ("elapsed 0.41 s", "elapsed 3.9 s"),
    ("training took 12 ms", "training took 7 ms"),
    ("100%|██████████| 50/50 [00:01<00:00, 45.1it/s]", "100%|██████████| 50/50 [00:02<00:00, 21.7it/s]"),
    ("<Foo object at 0x7f3a2b1c9d00>", "<Foo object at 0x7f00deadbeef>"),
])
def test_volatile_output_is_masked(volatile):
    a, b = volatile
    assert a != b and sanitize(a) == sanitize(b)


@pytest.mark.parametrize("result", [
    "best alpha (mean validation MSE): 0.32",
    "mean validation MSE at degree 1, 4, 15: 0.275, 0.102, 9.42e+04",
    "lowest validation MSE 0.2507 at step 41; after 199526 steps: 0.7806",
    "accuracy 97.5% on 300 test digits",
    "rel. error < 1e-11",
    "time series of length 120 with 12 lags",
])
def test_results_are_not_masked(result):
    assert sanitize(result) == result
