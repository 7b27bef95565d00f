"""regbook.np.linear.ridge and its torch twin: toy cases, parity with scikit-learn, bad input."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge

from regbook.checks import numerical_gradient, rel_error
from regbook.np.linear import ridge
from regbook.pt.linear import ridge as ridge_pt


def test_toy_case_by_hand():
    # centred x = (-1, 0, 1) has sum of squares 2, centred y = x, so w = 2 / (2 + alpha)
    res = ridge([[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0], alpha=2.0)
    assert res.coef == pytest.approx([0.5]) and res.intercept == pytest.approx(1.0)
    assert res.solver == "cholesky"


def test_alpha_zero_is_min_norm_least_squares():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 8)), rng.standard_normal(5)
    res = ridge(X, y, alpha=0.0, fit_intercept=False)
    assert res.solver == "lstsq"
    np.testing.assert_allclose(res.coef, np.linalg.pinv(X) @ y, rtol=1e-10)
    # the limit alpha -> 0+ of ridge is the minimum-norm solution
    assert rel_error(ridge(X, y, alpha=1e-9, fit_intercept=False).coef, res.coef) < 1e-6


CASES = [  # (n, p, n_targets, fit_intercept, scale)
    (50, 5, 1, True, 1.0),
    (50, 5, 3, True, 1.0),
    (30, 80, 1, True, 1.0),   # p > n: dual form
    (30, 80, 2, False, 1.0),
    (40, 10, 1, True, 1e3),   # badly scaled features
]


@pytest.mark.parametrize("n,p,k,fit_intercept,scale", CASES)
@pytest.mark.parametrize("alpha", [1e-3, 1.0, 100.0])
@pytest.mark.parametrize("seed", range(3))
def test_parity_with_sklearn_and_torch(n, p, k, fit_intercept, scale, alpha, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.logspace(0, np.log10(scale), p)
    X[:, 1] = X[:, 0] + 0.01 * rng.standard_normal(n)  # strongly correlated pair
    y = rng.standard_normal((n, k)) if k > 1 else rng.standard_normal(n)
    ours = ridge(X, y, alpha=alpha, fit_intercept=fit_intercept)
    sk = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd").fit(X, y)
    assert ours.solver == ("cholesky" if n >= p else "dual")
    assert rel_error(ours.coef, sk.coef_) < 1e-6
    sk_intercept = np.broadcast_to(sk.intercept_, np.shape(ours.intercept))  # sklearn: 0.0 without intercept
    assert rel_error(np.asarray(ours.intercept), sk_intercept) < 1e-6
    tw = ridge_pt(torch.tensor(X), torch.tensor(y), alpha=alpha, fit_intercept=fit_intercept)
    assert rel_error(tw.coef.numpy(), ours.coef) < 1e-9
    assert rel_error(tw.intercept.numpy(), np.asarray(ours.intercept)) < 1e-9
    assert tw.coef.dtype == torch.float64 and tw.coef.shape == tuple(np.shape(ours.coef))


def test_gradient_vanishes_at_solution():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((40, 6)), rng.standard_normal(40)
    alpha = 0.7
    res = ridge(X, y, alpha=alpha)
    Xc, yc = X - X.mean(0), y - y.mean()

    def objective(w):
        return np.sum((yc - Xc @ w) ** 2) + alpha * w @ w

    g = numerical_gradient(objective, res.coef)
    assert np.linalg.norm(g) < 1e-6 * np.linalg.norm(numerical_gradient(objective, np.zeros(6)))


def test_intercept_is_not_penalized():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    a, b = ridge(X, y, alpha=5.0), ridge(X, y + 100.0, alpha=5.0)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-12)
    assert b.intercept - a.intercept == pytest.approx(100.0)


def test_torch_twin_float32_and_device():
    X = torch.randn(10, 3, generator=torch.Generator().manual_seed(0))
    y = X @ torch.tensor([1.0, -1.0, 2.0])
    res = ridge_pt(X, y, alpha=1e-6)
    assert res.coef.dtype == torch.float32 and res.coef.device == X.device
    assert torch.allclose(res.coef, torch.tensor([1.0, -1.0, 2.0]), atol=1e-3)


BAD = [
    (dict(X=np.ones((3, 2)), y=np.ones(3), alpha=-1.0), ValueError, ["'alpha'", "ridge", "[0.0, inf)", "-1.0"]),
    (dict(X=np.ones((3, 2)), y=np.ones(3), alpha="big"), TypeError, ["'alpha'", "'big'"]),
    (dict(X=np.ones((3, 2)), y=np.ones(4), alpha=1.0), ValueError, ["Inconsistent", "X has 3", "y has 4"]),
    (dict(X=np.ones(3), y=np.ones(3), alpha=1.0), ValueError, ["'X'", "2D", "got 1D"]),
    (dict(X=np.ones((3, 2, 1)), y=np.ones(3), alpha=1.0), ValueError, ["'X'", "got 3D"]),
    (dict(X=np.full((3, 2), np.nan), y=np.ones(3), alpha=1.0), ValueError, ["'X'", "finite", "6 NaN"]),
    (dict(X=np.ones((3, 2)), y=[1.0, np.inf, 0.0], alpha=1.0), ValueError, ["'y'", "finite", "1 infinite"]),
    (dict(X=np.ones((0, 2)), y=np.ones(0), alpha=1.0), ValueError, ["'X'", "at least 1 sample", "0 samples"]),
]


@pytest.mark.parametrize("kwargs,exc,fragments", BAD)
def test_bad_input_numpy(kwargs, exc, fragments):
    kwargs = dict(kwargs)
    with pytest.raises(exc) as info:
        ridge(kwargs.pop("X"), kwargs.pop("y"), **kwargs)
    for frag in fragments:
        assert frag in str(info.value)


@pytest.mark.parametrize("kwargs,exc,fragments", BAD[:7])
def test_bad_input_torch(kwargs, exc, fragments):
    kwargs = dict(kwargs)
    X = torch.as_tensor(np.asarray(kwargs.pop("X"), dtype=np.float64))
    y = torch.as_tensor(np.asarray(kwargs.pop("y"), dtype=np.float64))
    with pytest.raises(exc) as info:
        ridge_pt(X, y, **kwargs)
    for frag in fragments:
        assert frag.replace("array", "tensor") in str(info.value)


def test_torch_rejects_non_tensor_and_integer_dtype():
    with pytest.raises(TypeError, match="'X' parameter of ridge must be a torch.Tensor"):
        ridge_pt(np.ones((3, 2)), torch.ones(3))
    with pytest.raises(TypeError, match="floating-point tensor. Got dtype torch.int64"):
        ridge_pt(torch.ones(3, 2, dtype=torch.int64), torch.ones(3))
