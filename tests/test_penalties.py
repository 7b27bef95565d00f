"""regbook.np.penalties and regbook.pt.penalties: toy values, gradients, KKT, conventions, model helpers."""

import copy

import numpy as np
import pytest
import torch
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from torch import nn

from regbook.checks import assert_gradient, rel_error
from regbook.np import penalties as P
from regbook.pt import penalties as T

NAMES = ["l1", "l1_grad", "l2", "l2_grad", "elastic_net", "elastic_net_grad"]


# --------------------------------------------------------------------------- toy cases by hand
def test_toy_values_by_hand():
    w = [3.0, -4.0]
    assert P.l2(w, 2.0) == 25.0            # 2/2 * 25
    assert P.l1(w, 0.5) == 3.5             # 0.5 * 7
    assert P.elastic_net(w, 2.0, 0.5) == 19.5  # 2 * (0.5 * 7 + 0.25 * 25)
    assert P.l2_grad(w, 0.5).tolist() == [1.5, -2.0]
    assert P.l1_grad([3.0, 0.0, -4.0], 0.5).tolist() == [0.5, 0.0, -0.5]
    assert P.elastic_net_grad([2.0, 0.0, -4.0], 2.0, 0.5).tolist() == [3.0, 0.0, -5.0]
    assert type(P.l1(w, 1.0)) is float and type(P.l2(w, 1.0)) is float
    assert type(P.elastic_net(w, 1.0, 0.5)) is float


def test_any_shape_sums_all_entries_and_lam_zero():
    W = np.arange(6.0).reshape(2, 3) - 2.5
    assert P.l2(W, 2.0) == pytest.approx(np.sum(W ** 2))
    assert P.l1(W, 1.0) == pytest.approx(np.sum(np.abs(W)))
    assert P.l2_grad(W, 1.0).shape == (2, 3)
    assert P.l2(W, 0.0) == 0.0 and P.l1(np.zeros(0), 1.0) == 0.0
    assert P.l2(3.0, 2.0) == 9.0  # a scalar is a 0-d array


@pytest.mark.parametrize("rho", [0.0, 0.3, 1.0])
def test_elastic_net_interpolates_l1_and_l2(rho):
    w = np.random.default_rng(0).standard_normal((4, 3))
    expected = rho * P.l1(w, 1.7) + (1 - rho) * P.l2(w, 1.7)
    assert P.elastic_net(w, 1.7, rho) == pytest.approx(expected, rel=1e-14)
    g = rho * P.l1_grad(w, 1.7) + (1 - rho) * P.l2_grad(w, 1.7)
    np.testing.assert_allclose(P.elastic_net_grad(w, 1.7, rho), g, rtol=1e-14)


# --------------------------------------------------------------------------- gradients and subgradients
@pytest.mark.parametrize("rho", [0.0, 0.5, 1.0])
def test_gradients_match_finite_differences_away_from_zero(rho):
    rng = np.random.default_rng(1)
    w = rng.uniform(0.5, 2.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))  # |w_j| >= 0.5 > h
    assert_gradient(lambda v: P.l2(v, 0.7), w, P.l2_grad(w, 0.7), rtol=1e-7)
    assert_gradient(lambda v: P.l1(v, 0.7), w, P.l1_grad(w, 0.7), rtol=1e-7)
    assert_gradient(lambda v: P.elastic_net(v, 0.7, rho), w, P.elastic_net_grad(w, 0.7, rho), rtol=1e-7)


def test_l1_subgradient_at_zero_is_minimum_norm():
    lam = 0.8
    # one-sided derivatives of lam*|w| at 0 are -lam and +lam: the subdifferential is [-lam, lam]
    h = 1e-7
    right, left = (P.l1([h], lam) - 0.0) / h, (0.0 - P.l1([-h], lam)) / h
    assert right == pytest.approx(lam) and left == pytest.approx(-lam)
    g = P.l1_grad([0.0], lam)[0]
    assert left <= g <= right and g == 0.0  # inside, and of smallest norm
    # the subgradient inequality R(v) >= R(0) + g (v - 0) holds for every v
    v = np.linspace(-3, 3, 61)
    assert np.all(lam * np.abs(v) >= g * v)


# --------------------------------------------------------------------------- KKT violation
def test_kkt_violation_by_hand():
    # active coordinate: g + alpha*sign(w) must be 0; inactive: |g| <= alpha
    assert P.enet_kkt_violation([0.0, 1.0], [-0.5, -1.0], alpha=1.0) == 0.0
    assert P.enet_kkt_violation([0.0, 1.0], [-1.5, -1.0], alpha=1.0) == 0.5
    assert P.enet_kkt_violation([0.0, -2.0], [0.25, 2.0], alpha=1.0) == 1.0  # active: |2 - 1| = 1
    # elastic net, active: g + a*rho*sign(w) + a*(1-rho)*w = -3 + 1 + 1*2 = 0
    assert P.enet_kkt_violation([2.0], [-3.0], alpha=2.0, l1_ratio=0.5) == 0.0
    assert P.enet_kkt_violation([2.0], [-2.0], alpha=2.0, l1_ratio=0.5) == 1.0
    assert P.enet_kkt_violation(np.zeros(0), np.zeros(0), alpha=1.0) == 0.0


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_kkt_holds_at_sklearn_solution_and_fails_elsewhere(l1_ratio):
    rng = np.random.default_rng(2)
    n, p = 60, 12
    X = rng.standard_normal((n, p))
    y = X[:, :3] @ np.array([2.0, -1.0, 0.5]) + 0.3 * rng.standard_normal(n)
    alpha = 0.1
    est = (Lasso(alpha=alpha) if l1_ratio == 1.0 else ElasticNet(alpha=alpha, l1_ratio=l1_ratio))
    est.set_params(fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    w = est.coef_
    assert 0 < np.sum(w == 0) < p  # both kinds of coordinates are checked

    def grad_loss(v):  # gradient of 1/(2n) ||y - Xv||^2
        return -X.T @ (y - X @ v) / n

    assert P.enet_kkt_violation(w, grad_loss(w), alpha=alpha, l1_ratio=l1_ratio) < 1e-9
    w_bad = w.copy()
    w_bad[0] *= 1.1
    assert P.enet_kkt_violation(w_bad, grad_loss(w_bad), alpha=alpha, l1_ratio=l1_ratio) > 1e-3


def test_ridge_convention_mapping_lam_is_two_alpha_over_n():
    # sklearn Ridge(alpha) minimizes ||y - Xw||^2 + alpha ||w||^2, i.e. mean loss (h - y)^2 + l2(w, 2 alpha / n)
    rng = np.random.default_rng(3)
    n, p, alpha = 40, 5, 3.0
    X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
    w = Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(X, y).coef_
    grad = -2.0 * X.T @ (y - X @ w) / n + P.l2_grad(w, 2.0 * alpha / n)
    assert np.max(np.abs(grad)) < 1e-12 * n
    assert np.max(np.abs(-2.0 * X.T @ (y - X @ w) / n + P.l2_grad(w, alpha / n))) > 1e-3  # the wrong λ fails


# --------------------------------------------------------------------------- torch twins
def _call(mod, name, w, lam=0.7, rho=0.3):
    return getattr(mod, name)(w, lam, rho) if "elastic" in name else getattr(mod, name)(w, lam)


@pytest.mark.parametrize("name", NAMES)
def test_numpy_torch_parity_float64(name):
    w = np.random.default_rng(4).standard_normal((5, 3))
    w[0, 0] = 0.0
    ours = _call(P, name, w)
    twin = _call(T, name, torch.tensor(w))
    assert twin.dtype == torch.float64
    assert twin.shape == (() if np.ndim(ours) == 0 else w.shape)  # values are 0-d tensors
    assert rel_error(twin.numpy(), np.asarray(ours)) < 1e-12


@pytest.mark.parametrize("name", NAMES)
def test_torch_keeps_dtype_and_device(name):
    w = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))  # float32
    out = _call(T, name, w)
    assert out.dtype == torch.float32 and out.device == w.device


@pytest.mark.parametrize("rho", [0.0, 0.4, 1.0])
def test_autograd_equals_analytic_gradient_away_from_zero(rho):
    w = (torch.rand(6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) + 0.1)
    w = (w * torch.tensor([1.0, -1.0], dtype=torch.float64)).requires_grad_()
    (g_l2,) = torch.autograd.grad(T.l2(w, 0.9), w)
    (g_en,) = torch.autograd.grad(T.elastic_net(w, 0.9, rho), w)
    with torch.no_grad():
        assert rel_error(g_l2.numpy(), T.l2_grad(w, 0.9).numpy()) < 1e-14
        assert rel_error(g_en.numpy(), T.elastic_net_grad(w, 0.9, rho).numpy()) < 1e-14
    # at zero, autograd of |w| gives the same minimum-norm subgradient, 0
    z = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.grad(T.l1(z, 1.0), z)[0].abs().sum().item() == 0.0


# --------------------------------------------------------------------------- model-level helpers
class TinyNorm(nn.Module):
    """Stands in for regbook's own norm layers: only the class name marks it (its parameter is 2-D)."""

    def __init__(self):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(1, 4))


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(2, 4))
        self.extra_bias = nn.Parameter(torch.ones(2, 4))  # 2-D, caught by its name
        self.scale = nn.Parameter(torch.ones(4))  # 1-D, caught by its ndim


def _model():
    torch.manual_seed(0)
    m = nn.ModuleDict(dict(
        emb=nn.Embedding(10, 4), conv=nn.Conv1d(4, 4, 3), bn=nn.BatchNorm1d(4), lin=nn.Linear(4, 4),
        ln=nn.LayerNorm(4), tiny=TinyNorm(), odd=Odd(), head=nn.Linear(4, 10, bias=False),
    ))
    m.head.weight = m.emb.weight  # tied weights: one parameter, listed once
    return m


def test_decay_parameters_split_as_documented():
    m = _model()
    decay, no_decay = T.decay_parameters(m)
    ids = lambda ps: [id(p) for p in ps]  # noqa: E731
    assert ids(decay) == ids([m.emb.weight, m.conv.weight, m.lin.weight, m.odd.weight])
    assert set(ids(no_decay)) == set(ids([m.conv.bias, m.bn.weight, m.bn.bias, m.lin.bias, m.ln.weight,
                                          m.ln.bias, m.tiny.gamma, m.odd.extra_bias, m.odd.scale]))
    assert sorted(ids(decay) + ids(no_decay)) == sorted(ids(m.parameters()))  # a partition, no duplicates


@pytest.mark.parametrize("layer", [nn.GroupNorm(2, 4), nn.InstanceNorm1d(4, affine=True), nn.RMSNorm(4),
                                   nn.LayerNorm((3, 4))])  # the last has a 2-D weight
def test_every_normalization_parameter_is_not_decayed(layer):
    decay, no_decay = T.decay_parameters(nn.Sequential(layer))
    assert decay == [] and len(no_decay) == len(list(layer.parameters())) > 0


def test_param_groups_structure():
    m = _model()
    groups = T.param_groups(m, 0.01)
    decay, no_decay = T.decay_parameters(m)
    assert [g["weight_decay"] for g in groups] == [0.01, 0.0]
    assert groups[0]["params"] == decay and groups[1]["params"] == no_decay
    opt = torch.optim.AdamW(T.param_groups(nn.Linear(3, 2, bias=False), 0.1), lr=1e-3)  # empty group is fine
    assert [len(g["params"]) for g in opt.param_groups] == [1, 0]


@pytest.mark.parametrize("kind", ["l2", "l1", "elastic_net"])
def test_model_penalty_equals_hand_computation(kind):
    m = _model()
    Ws = [m.emb.weight, m.conv.weight, m.lin.weight, m.odd.weight]
    sq = sum(float((W.detach() ** 2).sum()) for W in Ws)
    ab = sum(float(W.detach().abs().sum()) for W in Ws)
    lam, rho = 0.3, 0.25
    expected = {"l2": lam / 2 * sq, "l1": lam * ab, "elastic_net": lam * (rho * ab + (1 - rho) / 2 * sq)}[kind]
    pen = T.model_penalty(m, kind=kind, lam=lam, l1_ratio=rho)
    assert pen.dim() == 0 and pen.item() == pytest.approx(expected, rel=1e-6)
    pen.backward()
    assert m.lin.bias.grad is None and m.bn.weight.grad is None  # untouched by the penalty
    if kind == "l2":
        assert torch.allclose(m.lin.weight.grad, lam * m.lin.weight.detach())
    assert T.model_penalty(nn.Sequential(nn.LayerNorm(3)), lam=1.0).item() == 0.0


def _net():
    return nn.Sequential(nn.Linear(5, 8), nn.LayerNorm(8), nn.Tanh(), nn.Linear(8, 1)).double()


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_l2_penalty_and_sgd_weight_decay_give_the_same_trajectory(momentum):
    g = torch.Generator().manual_seed(5)
    X = torch.randn(32, 5, generator=g, dtype=torch.float64)
    y = torch.randn(32, 1, generator=g, dtype=torch.float64)
    torch.manual_seed(6)
    a = _net()
    b, c = copy.deepcopy(a), copy.deepcopy(a)
    wd, lr = 0.05, 0.1
    opt_a = torch.optim.SGD(a.parameters(), lr=lr, momentum=momentum)             # penalty in the loss
    opt_b = torch.optim.SGD(T.param_groups(b, wd), lr=lr, momentum=momentum)      # weight decay, groups
    opt_c = torch.optim.SGD(c.parameters(), lr=lr, momentum=momentum, weight_decay=wd)  # decays biases too
    for _ in range(50):
        for model, opt, pen in ((a, opt_a, True), (b, opt_b, False), (c, opt_c, False)):
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            (loss + T.model_penalty(model, lam=wd) if pen else loss).backward()
            opt.step()
    pa, pb, pc = (torch.cat([p.detach().flatten() for p in m.parameters()]).numpy() for m in (a, b, c))
    # equal in exact arithmetic; torch's fused add (w*wd + g in one rounding) may differ in the last bit
    assert rel_error(pa, pb) < 1e-12
    assert np.max(np.abs(pa - pc)) > 1e-4  # the default (all parameters decayed) is another model


# --------------------------------------------------------------------------- bad input
BAD = [  # (name, args, kwargs, exception, message fragments)
    ("l2", ([1.0], -1.0), {}, ValueError, ["'lam'", "of l2", "[0.0, inf)", "-1.0"]),
    ("l1", ([1.0], "big"), {}, TypeError, ["'lam'", "of l1", "'big'"]),
    ("l1_grad", ([1.0], float("nan")), {}, ValueError, ["'lam'", "l1_grad", "nan"]),
    ("l2_grad", ([1.0], float("inf")), {}, ValueError, ["'lam'", "[0.0, inf)", "Got inf"]),
    ("elastic_net", ([1.0], 1.0, 1.5), {}, ValueError, ["'l1_ratio'", "elastic_net", "[0.0, 1.0]", "1.5"]),
    ("elastic_net_grad", ([np.nan, 1.0], 1.0, 0.5), {}, ValueError, ["'w'", "elastic_net_grad", "finite", "1 NaN"]),
    ("l2", ([np.inf], 1.0), {}, ValueError, ["'w'", "finite", "1 infinite"]),
]
BAD_NP_ONLY = [
    ("l2", (["a"], 1.0), {}, TypeError, ["'w'", "array of numbers"]),
    ("enet_kkt_violation", ([1.0, 2.0], [1.0, 2.0, 3.0]), dict(alpha=1.0), ValueError,
     ["'grad_loss'", "shape of w, (2,)", "shape (3,)"]),
    ("enet_kkt_violation", ([1.0], [1.0]), dict(alpha=-0.5), ValueError, ["'alpha'", "[0.0, inf)", "-0.5"]),
    ("enet_kkt_violation", ([1.0], [np.nan]), dict(alpha=1.0), ValueError, ["'grad_loss'", "finite"]),
    ("enet_kkt_violation", ([1.0], [1.0]), dict(alpha=1.0, l1_ratio=-0.1), ValueError, ["'l1_ratio'", "-0.1"]),
]


@pytest.mark.parametrize("name,args,kwargs,exc,fragments", BAD + BAD_NP_ONLY)
def test_bad_input_numpy(name, args, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        getattr(P, name)(*args, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)


@pytest.mark.parametrize("name,args,kwargs,exc,fragments", BAD)
def test_bad_input_torch(name, args, kwargs, exc, fragments):
    w = torch.tensor(args[0], dtype=torch.float64)
    with pytest.raises(exc) as info:
        getattr(T, name)(w, *args[1:], **kwargs)
    for frag in fragments:
        assert frag.replace("array", "tensor") in str(info.value)


BAD_MODEL = [
    (lambda: T.l2(np.ones(2), 1.0), TypeError, ["'w'", "of l2", "torch.Tensor", "ndarray"]),
    (lambda: T.l1(torch.ones(2, dtype=torch.int64), 1.0), TypeError, ["'w'", "floating-point", "torch.int64"]),
    (lambda: T.decay_parameters([1, 2]), TypeError, ["'model'", "decay_parameters", "torch.nn.Module", "list"]),
    (lambda: T.param_groups(nn.Linear(2, 1), -0.1), ValueError, ["'weight_decay'", "[0.0, inf)", "-0.1"]),
    (lambda: T.model_penalty(nn.Linear(2, 1), kind="l3", lam=1.0), ValueError,
     ["'kind'", "model_penalty", "'l2', 'l1', 'elastic_net'", "'l3'"]),
    (lambda: T.model_penalty(nn.Linear(2, 1), lam=-1.0), ValueError, ["'lam'", "model_penalty", "-1.0"]),
    (lambda: T.model_penalty(nn.Linear(2, 1), kind="elastic_net", lam=1.0, l1_ratio=2.0), ValueError,
     ["'l1_ratio'", "[0.0, 1.0]", "2.0"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD_MODEL)
def test_bad_input_torch_model_helpers(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for frag in fragments:
        assert frag in str(info.value)
