"""regbook.show_source prints the code the chapters run."""

import pytest

import regbook
from regbook.np.linear import ridge


def test_docstring_removed_by_default(capsys):
    assert regbook.show_source(ridge) is None  # printed once, not echoed as a cell result
    src = capsys.readouterr().out
    assert src.startswith("def ridge(") and '"""' not in src and "check_array(X" in src


def test_docstring_kept_on_request(capsys):
    regbook.show_source(ridge, docstring=True)
    assert "Ridge regression in closed form." in capsys.readouterr().out


def test_rejects_non_functions():
    with pytest.raises(TypeError, match="'obj' parameter of show_source must be a function or a class. Got int"):
        regbook.show_source(3)
