"""regbook.np.prox and regbook.pt.prox: closed forms vs brute force, optimality, Moreau, proximal SGD."""

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar
from sklearn.linear_model import Lasso
from torch import nn

from regbook.checks import rel_error
from regbook.np import prox as P
from regbook.pt import prox as T
from regbook.pt.penalties import decay_parameters, model_penalty


def _prox(mod, name, x, t, rho=0.3):
    return getattr(mod, name)(x, t, rho) if name == "prox_elastic_net" else getattr(mod, name)(x, t)


def _penalty(name, z, rho=0.3):
    """R(z) with lambda = 1, per coordinate."""
    return {"soft_threshold": np.abs(z), "prox_l2": 0.5 * z * z,
            "prox_elastic_net": rho * np.abs(z) + 0.5 * (1 - rho) * z * z}[name]


NAMES = ["soft_threshold", "prox_l2", "prox_elastic_net"]


# --------------------------------------------------------------------------- toy cases by hand
def test_toy_values_by_hand():
    assert P.soft_threshold([-3.0, -0.5, 0.0, 0.5, 3.0], 1.0).tolist() == [-2.0, 0.0, 0.0, 0.0, 2.0]
    assert P.prox_l2([2.0, -4.0], 1.0).tolist() == [1.0, -2.0]
    assert P.prox_elastic_net([-3.0, 0.5, 3.0], 2.0, 0.5).tolist() == [-1.0, 0.0, 1.0]
    assert P.prox_elastic_net([-3.0, 3.0], 2.0, 1.0).tolist() == P.soft_threshold([-3.0, 3.0], 2.0).tolist()
    assert P.prox_elastic_net([-3.0, 3.0], 2.0, 0.0).tolist() == P.prox_l2([-3.0, 3.0], 2.0).tolist()


@pytest.mark.parametrize("name", NAMES)
def test_t_zero_is_identity_and_large_t_kills_l1(name):
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_array_equal(_prox(P, name, x, 0.0), x)
    big = _prox(P, name, x, 1e6)
    if name == "prox_l2":
        assert np.all(big != 0) and np.max(np.abs(big)) < 1e-5  # shrinks, never selects
    else:
        assert np.all(big == 0)  # exact zeros


def test_array_threshold_broadcasts_per_coordinate():
    x = np.array([[3.0, 3.0, 3.0], [-1.0, -1.0, -1.0]])
    t = np.array([0.0, 1.0, 4.0])  # one threshold per feature, e.g. a weighted lasso
    assert P.soft_threshold(x, t).tolist() == [[3.0, 2.0, 0.0], [-1.0, 0.0, 0.0]]
    assert P.prox_l2(x, t)[0].tolist() == [3.0, 1.5, 0.6]


# --------------------------------------------------------------------------- brute force and optimality
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(3))
def test_closed_form_equals_brute_force_minimization(name, seed):
    rng = np.random.default_rng(seed)
    x = 3.0 * rng.standard_normal(12)
    t = rng.uniform(0.1, 2.0)
    z = _prox(P, name, x, t)
    for xj, zj in zip(x, z):
        obj = lambda v: 0.5 * (v - xj) ** 2 + t * _penalty(name, v)  # noqa: E731
        res = minimize_scalar(obj, bounds=(-abs(xj) - 1, abs(xj) + 1), method="bounded",
                              options=dict(xatol=1e-10))
        assert abs(res.x - zj) < 1e-6
        assert obj(zj) <= res.fun + 1e-12  # the closed form is at least as good


@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_prox_optimality_condition(rho):
    # z = prox_{tR}(x)  <=>  (x - z) / t in dR(z):
    #   z_j != 0: (x_j - z_j)/t = rho sign(z_j) + (1 - rho) z_j ;  z_j == 0: |x_j|/t <= rho
    rng = np.random.default_rng(1)
    x, t = 2.0 * rng.standard_normal(200), 0.7
    z = P.prox_elastic_net(x, t, rho)
    u = (x - z) / t
    nz = z != 0
    np.testing.assert_allclose(u[nz], rho * np.sign(z[nz]) + (1 - rho) * z[nz], atol=1e-12)
    assert np.all(np.abs(u[~nz]) <= rho + 1e-12)
    if rho > 0:
        assert 0 < np.sum(~nz) < x.size  # both branches are exercised


def test_moreau_identity_for_l1():
    # x = prox_{t f}(x) + t prox_{f*/t}(x/t); f* = indicator of the inf-norm unit ball, its prox = clip to [-1, 1]
    rng = np.random.default_rng(2)
    for t in (0.1, 1.0, 5.0):
        x = 3.0 * rng.standard_normal((4, 5))
        recon = P.soft_threshold(x, t) + t * np.clip(x / t, -1.0, 1.0)
        assert np.max(np.abs(recon - x)) < 1e-12 * (1 + np.max(np.abs(x)))


@pytest.mark.parametrize("name", NAMES)
def test_prox_is_nonexpansive(name):
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 500))
    d = np.abs(_prox(P, name, x, 0.8) - _prox(P, name, y, 0.8))
    assert np.all(d <= np.abs(x - y) + 1e-15)


# --------------------------------------------------------------------------- torch twins
@pytest.mark.parametrize("name", NAMES)
def test_numpy_torch_parity_float64(name):
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((6, 3)), rng.uniform(0.0, 1.0, 3)
    for tt in (0.4, t):
        ref = _prox(P, name, x, tt)
        twin = _prox(T, name, torch.tensor(x), torch.tensor(tt) if isinstance(tt, np.ndarray) else tt)
        assert twin.dtype == torch.float64 and rel_error(twin.numpy(), ref) < 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_torch_keeps_dtype_and_device_and_is_differentiable(name):
    x = torch.tensor([-2.0, -0.1, 0.1, 1.5], requires_grad=True)  # float32
    z = _prox(T, name, x, 0.5)
    assert z.dtype == torch.float32 and z.device == x.device
    (g,) = torch.autograd.grad(z.sum(), x)
    expected = {"soft_threshold": [1.0, 0.0, 0.0, 1.0], "prox_l2": [1 / 1.5] * 4,
                "prox_elastic_net": [1 / 1.35, 0.0, 0.0, 1 / 1.35]}[name]  # t*rho = 0.15, 1 + t(1-rho) = 1.35
    assert torch.allclose(g, torch.tensor(expected))


@pytest.mark.parametrize("rho", [1.0, 0.6])
def test_inplace_prox_matches_functional_and_counts_zeros(rho):
    g = torch.Generator().manual_seed(0)
    params = [nn.Parameter(torch.randn(5, 4, generator=g, dtype=torch.float64)),
              nn.Parameter(torch.randn(7, generator=g, dtype=torch.float64))]
    expected = [T.prox_elastic_net(p.detach(), 0.9, rho) for p in params]
    n_zero = T.prox_l1_(params, 0.9) if rho == 1.0 else T.prox_elastic_net_(iter(params), 0.9, rho)
    assert all(torch.equal(p.detach(), e) for p, e in zip(params, expected))
    assert n_zero == sum(int((e == 0).sum()) for e in expected) > 0
    assert all(p.requires_grad and p.grad is None for p in params)  # still leaves, no graph recorded


def test_proximal_sgd_gives_exact_zeros_adam_on_l1_penalty_gives_none():
    # sparse regression: 4 true features out of 20; objective 1/(2n)||y - Xw - b||^2 + lam ||w||_1 (sklearn's Lasso)
    rng = np.random.default_rng(0)
    n, p, lam = 100, 20, 0.1
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([2.0, -3.0, 1.5, 1.0]) + 0.5 + 0.3 * rng.standard_normal(n)
    ref = Lasso(alpha=lam, tol=1e-12, max_iter=100_000).fit(X, y).coef_
    Xt, yt = torch.tensor(X), torch.tensor(y).unsqueeze(1)

    def train(optimizer, steps, proximal):
        torch.manual_seed(0)
        model = nn.Linear(p, 1).double()
        opt = optimizer(model.parameters())
        for _ in range(steps):
            opt.zero_grad()
            loss = 0.5 * ((model(Xt) - yt) ** 2).mean()
            if not proximal:
                loss = loss + model_penalty(model, kind="l1", lam=lam)  # subgradient of the L1 penalty
            loss.backward()
            opt.step()
            if proximal:  # soft-threshold the weights (not the bias) with t = lr * lam
                T.prox_l1_(decay_parameters(model)[0], opt.param_groups[0]["lr"] * lam)
        return model.weight.detach().numpy()[0]

    w_prox = train(lambda ps: torch.optim.SGD(ps, lr=0.1), 500, proximal=True)
    w_adam = train(lambda ps: torch.optim.Adam(ps, lr=0.01), 2000, proximal=False)
    assert np.sum(ref == 0) == 16
    assert np.array_equal(w_prox == 0, ref == 0)          # exact zeros, on sklearn's support
    assert np.max(np.abs(w_prox - ref)) < 1e-8            # full-batch proximal SGD is ISTA: same solution
    assert np.sum(w_adam == 0) == 0                       # Adam on the penalty: no exact zero ...
    assert np.max(np.abs(w_adam - ref)) < 0.05            # ... though it is near the solution
    assert np.min(np.abs(w_adam[ref == 0])) > 0


# --------------------------------------------------------------------------- bad input
BAD = [  # (name, x, t, extra args, exception, fragments)
    ("soft_threshold", [1.0], -0.5, (), ValueError, ["'t'", "soft_threshold", "[0.0, inf)", "-0.5"]),
    ("prox_l2", [1.0], float("inf"), (), ValueError, ["'t'", "prox_l2", "[0.0, inf)", "inf"]),
    ("soft_threshold", [1.0], "1", (), TypeError, ["'t'", "'1'"]),
    ("soft_threshold", [1.0, 2.0], [1.0, -1.0], (), ValueError, ["'t'", "[0.0, inf)", "1 negative", "-1.0"]),
    ("prox_l2", [[1.0, 2.0]], [1.0, 1.0, 1.0], (), ValueError, ["'t'", "broadcastable", "(1, 2)", "(3,)"]),
    ("soft_threshold", [1.0], [np.nan], (), ValueError, ["'t'", "finite", "1 NaN"]),
    ("prox_elastic_net", [1.0], 1.0, (1.5,), ValueError, ["'l1_ratio'", "prox_elastic_net", "[0.0, 1.0]", "1.5"]),
    ("prox_elastic_net", [np.inf, 1.0], 1.0, (0.5,), ValueError, ["'x'", "prox_elastic_net", "finite", "1 infinite"]),
    ("soft_threshold", [np.nan], 1.0, (), ValueError, ["'x'", "finite", "1 NaN"]),
]


def _as_torch(v):
    return torch.tensor(v, dtype=torch.float64) if isinstance(v, list) else v


@pytest.mark.parametrize("name,x,t,extra,exc,fragments", BAD)
def test_bad_input_numpy(name, x, t, extra, exc, fragments):
    with pytest.raises(exc) as info:
        getattr(P, name)(x, t, *extra)
    for frag in fragments:
        assert frag in str(info.value)


@pytest.mark.parametrize("name,x,t,extra,exc,fragments", BAD)
def test_bad_input_torch(name, x, t, extra, exc, fragments):
    with pytest.raises(exc) as info:
        getattr(T, name)(_as_torch(x), _as_torch(t), *extra)
    for frag in fragments:
        assert frag.replace("array", "tensor") in str(info.value)


BAD_INPLACE = [
    (lambda: T.prox_l1_([torch.ones(2)], -1.0), ValueError, ["'t'", "prox_l1_", "[0.0, inf)", "-1.0"]),
    (lambda: T.prox_l1_([np.ones(2)], 1.0), TypeError, ["'params'", "prox_l1_", "torch.Tensor", "ndarray"]),
    (lambda: T.prox_l1_([torch.tensor([float("nan")])], 1.0), ValueError, ["'params'", "finite", "1 NaN"]),
    (lambda: T.prox_elastic_net_(torch.ones(2), 1.0, -0.2), ValueError, ["'l1_ratio'", "prox_elastic_net_", "-0.2"]),
    (lambda: T.prox_elastic_net_([torch.ones(2, dtype=torch.int64)], 1.0, 0.5), TypeError,
     ["'params'", "floating-point", "torch.int64"]),
    (lambda: T.soft_threshold(np.ones(2), 1.0), TypeError, ["'x'", "soft_threshold", "torch.Tensor"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD_INPLACE)
def test_bad_input_torch_inplace(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for frag in fragments:
        assert frag in str(info.value)
