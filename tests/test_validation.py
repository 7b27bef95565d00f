"""The one message template: every error names the parameter, the valid range and the value."""

import numpy as np
import pytest
import torch

from regbook import _validation as v


@pytest.mark.parametrize("call,exc,message", [
    (lambda: v.check_scalar(1.5, "p", "dropout_forward", min_val=0.0, max_val=1.0, closed="left"), ValueError,
     "The 'p' parameter of dropout_forward must be a float in the range [0.0, 1.0). Got 1.5 instead."),
    (lambda: v.check_scalar(0.0, "lr", "SGD", min_val=0.0, closed="neither"), ValueError,
     "The 'lr' parameter of SGD must be a float in the range (0.0, inf). Got 0.0 instead."),
    (lambda: v.check_scalar(float("nan"), "alpha", "ridge", min_val=0.0), ValueError,
     "The 'alpha' parameter of ridge must be a float in the range [0.0, inf). Got nan instead."),
    (lambda: v.check_scalar(True, "alpha", "ridge", min_val=0.0), TypeError,
     "The 'alpha' parameter of ridge must be a float in the range [0.0, inf). Got True instead."),
    (lambda: v.check_scalar("1", "alpha", "ridge"), TypeError,
     "The 'alpha' parameter of ridge must be a float in the range (-inf, inf). Got '1' instead."),
    (lambda: v.check_int(2.0, "k", "kfold", min_val=2), TypeError,
     "The 'k' parameter of kfold must be an int in the range [2, inf). Got 2.0 instead."),
    (lambda: v.check_int(1, "k", "kfold", min_val=2, max_val=10), ValueError,
     "The 'k' parameter of kfold must be an int in the range [2, 10]. Got 1 instead."),
    (lambda: v.check_option("max", "mode", "EarlyStopping", ("min",)), ValueError,
     "The 'mode' parameter of EarlyStopping must be one of 'min'. Got 'max' instead."),
    (lambda: v.check_array([[1.0, np.inf]], "X", "ridge"), ValueError,
     "The 'X' parameter of ridge must contain only finite values. Got an array with 0 NaN and 1 infinite entries instead."),
    (lambda: v.check_array([["a"]], "X", "ridge"), TypeError,
     "The 'X' parameter of ridge must be an array of numbers."),
    (lambda: v.check_array(np.ones((2, 2, 2)), "x", "layernorm_forward", ndim=(2, 3)), ValueError, None),
    (lambda: v.check_array(["1", "2"], "x", "ridge"), TypeError,
     "The 'x' parameter of ridge must be an array of numbers. Got dtype <U1 instead."),
    (lambda: v.check_scalar(float("inf"), "alpha", "ridge", min_val=0.0), ValueError,
     "The 'alpha' parameter of ridge must be a float in the range [0.0, inf). Got inf instead."),
    (lambda: v.check_scalar(float("-inf"), "t", "f", max_val=1.0), ValueError,
     "The 't' parameter of f must be a float in the range (-inf, 1.0]. Got -inf instead."),
    (lambda: v.check_rng(None, "rng", "dropout_forward"), TypeError,
     "The 'rng' parameter of dropout_forward must be a numpy.random.Generator or a non-negative int seed. Got None instead."),
    (lambda: v.check_tensor(np.ones(2), "x", "dropout"), TypeError,
     "The 'x' parameter of dropout must be a torch.Tensor. Got a ndarray instead."),
    (lambda: v.check_tensor(torch.tensor([float("nan")]), "x", "dropout"), ValueError,
     "The 'x' parameter of dropout must contain only finite values. Got a tensor with 1 NaN and 0 infinite entries instead."),
])
def test_messages(call, exc, message):
    if message is None:  # accepted input: no error
        call()
        return
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(message)


def test_accepted_values_pass_through():
    assert v.check_scalar(np.float32(0.25), "p", "f", min_val=0, max_val=1) == 0.25
    assert v.check_int(np.int64(3), "k", "f", min_val=2) == 3
    assert v.check_array([1, 2], "x", "f").dtype == np.float64
    assert v.check_array([1.0, np.nan], "x", "f", allow_nonfinite=True).shape == (2,)
    g = np.random.default_rng(0)
    assert v.check_rng(g) is g


def test_convergence_warning_names_the_settings():
    with pytest.warns(v.ConvergenceWarning, match=r"max_iter=50 .*tol=0.001.*Increase max_iter"):
        v.warn_convergence("lasso", 50, 1e-3)


def test_regbook_np_does_not_import_torch():
    """Every module under regbook.np (found automatically, so new ones are covered) and the
    NumPy-side helpers import without pulling in torch."""
    import pkgutil
    import subprocess
    import sys

    import regbook.np
    modules = [f"regbook.np.{m.name}" for m in pkgutil.iter_modules(regbook.np.__path__)]
    assert {"regbook.np.linear", "regbook.np.dropout", "regbook.np.optim"} <= set(modules)
    modules += ["regbook", "regbook.checks", "regbook.data", "regbook.plotting"]
    code = f"import sys, {', '.join(modules)}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
