"""regbook.np.optim (SGD, Adam, AdamW) and regbook.pt.optim.AdamW: toy cases by hand,
convergence to the known minimizer, trajectory parity with torch.optim, bad input."""

import copy

import numpy as np
import pytest
import torch

from regbook.checks import assert_gradient, rel_error
from regbook.np.optim import SGD, Adam, AdamW, adam_direction
from regbook.pt.optim import AdamW as AdamW_pt

N_STEPS = 60


# --------------------------------------------------------------------------- test problem
def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 3))
    y = np.sin(X @ np.array([1.0, -2.0, 0.5]))
    init = [0.5 * rng.standard_normal((3, 5)), 0.1 * rng.standard_normal(5), 0.5 * rng.standard_normal(5)]
    return X, y, init


def _loss_t(params, X, y):
    """Nonconvex 2-layer tanh net, mean squared error; params are float64 tensors."""
    W1, b1, w2 = params
    return ((torch.tanh(torch.as_tensor(X) @ W1 + b1) @ w2 - torch.as_tensor(y)) ** 2).mean()


def _grads(params_np, X, y):
    """Gradients at NumPy params, through torch autograd in float64."""
    ts = [torch.tensor(p, requires_grad=True) for p in params_np]
    _loss_t(ts, X, y).backward()
    return [t.grad.numpy().copy() for t in ts]


def _run_pair(np_cls, torch_cls, kw, n_steps=N_STEPS, seed=0):
    X, y, init = _data(seed)
    ours = [p.copy() for p in init]
    opt = np_cls(ours, **kw)
    theirs = [torch.tensor(p, requires_grad=True) for p in init]
    topt = torch_cls(theirs, **kw)
    for _ in range(n_steps):
        opt.step(_grads(ours, X, y))  # each trajectory uses the gradient at its own point
        topt.zero_grad()
        _loss_t(theirs, X, y).backward()
        topt.step()
    return ours, theirs, opt, topt, init


# --------------------------------------------------------------------------- layer 1: by hand
def test_sgd_by_hand():
    w = np.array([1.0, 2.0])
    SGD([w], lr=0.5, weight_decay=0.2).step([np.array([1.0, -1.0])])
    # g = (1 + 0.2, -1 + 0.4) = (1.2, -0.6); w = (1 - 0.6, 2 + 0.3)
    np.testing.assert_allclose(w, [0.4, 2.3], rtol=1e-15)


def test_sgd_momentum_dampening_nesterov_by_hand():
    g = [np.array([2.0])]
    w = np.array([0.0])
    opt = SGD([w], lr=1.0, momentum=0.5, dampening=0.5)
    opt.step(g); opt.step(g)  # b1 = 2 (no dampening on the first step), b2 = 0.5*2 + 0.5*2 = 2
    assert w[0] == pytest.approx(-4.0, rel=1e-15)
    w = np.array([0.0])
    opt = SGD([w], lr=1.0, momentum=0.5, nesterov=True)
    opt.step(g); opt.step(g)  # b1 = 2, step 2 + 1; b2 = 3, step 2 + 1.5
    assert w[0] == pytest.approx(-6.5, rel=1e-15)


def test_adam_first_step_has_size_lr():
    w = np.array([1.0, -1.0, 3.0])
    Adam([w], lr=0.01, eps=0.0).step([np.array([5.0, -1e-3, 2.0])])
    np.testing.assert_allclose(w, [0.99, -0.99, 2.99], rtol=1e-14)


def test_adamw_zero_gradient_is_pure_decay_and_adam_is_not():
    w, u = np.array([2.0, -4.0]), np.array([2.0, -4.0])
    opt, opt_adam = AdamW([w], lr=0.1, weight_decay=0.5), Adam([u], lr=0.1, weight_decay=0.5)
    for _ in range(10):
        opt.step([np.zeros(2)])
        opt_adam.step([np.zeros(2)])
    np.testing.assert_allclose(w, np.array([2.0, -4.0]) * 0.95**10, rtol=1e-14)
    # coupled decay goes through Adam's per-coordinate scaling: both coordinates move by
    # about the same amount, whatever |w|; decoupled decay moves each in proportion to |w|
    move = np.abs(u - [2.0, -4.0])
    assert move[1] == pytest.approx(move[0], rel=0.05) and 0.5 < move[0] < 1.0


def test_adam_direction_amsgrad_keeps_the_max():
    m, v, v_max = np.zeros(1), np.zeros(1), np.zeros(1)
    adam_direction(np.array([10.0]), m, v, t=1, v_max=v_max)
    adam_direction(np.array([0.0]), m, v, t=2, v_max=v_max)
    assert v_max[0] == pytest.approx(0.001 * 100.0, rel=1e-14) and v[0] < v_max[0]


# --------------------------------------------------------------------------- layer 2: optimality
def test_problem_gradient_is_right():
    X, y, init = _data()
    flat = np.concatenate([p.ravel() for p in init])
    shapes = [p.shape for p in init]

    def unflat(z):
        out, k = [], 0
        for s in shapes:
            n = int(np.prod(s))
            out.append(z[k:k + n].reshape(s))
            k += n
        return out

    f = lambda z: float(_loss_t([torch.tensor(p) for p in unflat(z)], X, y))  # noqa: E731
    g = np.concatenate([a.ravel() for a in _grads(init, X, y)])
    assert_gradient(f, flat, g)


@pytest.mark.parametrize("make", [
    lambda w: SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5),
    lambda w: SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.5),
    lambda w: Adam([w], lr=0.05, weight_decay=0.5),
])
def test_coupled_decay_converges_to_ridge_minimizer(make):
    # f(w) = 1/2 ||A w - b||^2 with decay lam: minimizer solves (A^T A + lam I) w = A^T b
    rng = np.random.default_rng(3)
    A, b = rng.standard_normal((8, 3)), rng.standard_normal(8)
    A /= np.linalg.norm(A, 2)
    w = np.zeros(3)
    opt = make(w)
    for _ in range(3000):
        opt.step([A.T @ (A @ w - b)])
    w_star = np.linalg.solve(A.T @ A + 0.5 * np.eye(3), A.T @ b)
    assert rel_error(w, w_star) < 1e-6


def test_adamw_fixed_point():
    # AdamW with a constant gradient g on a 1-D problem stops where decay balances the step:
    # w = -d / lam with d -> sign(g) (m_hat / sqrt(v_hat) -> 1); here f(w) = c*w.
    w = np.array([0.0])
    opt = AdamW([w], lr=0.01, weight_decay=0.5, eps=0.0)
    for _ in range(5000):
        opt.step([np.array([0.3])])
    assert w[0] == pytest.approx(-1.0 / 0.5, rel=1e-6)


def test_adam_weight_decay_equals_l2_loss_exactly_but_adamw_differs():
    X, y, init = _data(1)
    lam = 0.3
    a, b, c = ([p.copy() for p in init] for _ in range(3))
    opt_a, opt_b = Adam(a, lr=0.01, weight_decay=lam), Adam(b, lr=0.01)
    opt_c = AdamW(c, lr=0.01, weight_decay=lam)
    for _ in range(N_STEPS):
        opt_a.step(_grads(a, X, y))
        opt_b.step([g + lam * w for g, w in zip(_grads(b, X, y), b)])  # gradient of loss + lam/2 ||w||^2
        opt_c.step(_grads(c, X, y))
    for pa, pb, pc in zip(a, b, c):
        assert np.array_equal(pa, pb)
        assert rel_error(pa, pc) > 1e-3


# --------------------------------------------------------------------------- layer 3: parity with torch
SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.05),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
]
ADAM_CASES = [
    dict(lr=0.01),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, amsgrad=True, weight_decay=0.05),
]


@pytest.mark.parametrize("np_cls,torch_cls,kw", [(SGD, torch.optim.SGD, k) for k in SGD_CASES]
                         + [(Adam, torch.optim.Adam, k) for k in ADAM_CASES]
                         + [(AdamW, torch.optim.AdamW, dict(k, weight_decay=0.1)) for k in ADAM_CASES])
def test_trajectory_parity_with_torch(np_cls, torch_cls, kw):
    ours, theirs, opt, topt, init = _run_pair(np_cls, torch_cls, kw)
    for p, t, p0 in zip(ours, theirs, init):
        assert rel_error(p, t.detach().numpy()) < 1e-9
        assert rel_error(p, p0) > 1e-2  # the parameters did move
    if np_cls is not SGD:
        for i, t in enumerate(theirs):
            st = topt.state[t]
            assert rel_error(opt.m[i], st["exp_avg"].numpy()) < 1e-9
            assert rel_error(opt.v[i], st["exp_avg_sq"].numpy()) < 1e-9
            assert opt.t == int(st["step"])


def _groups(params):
    return [dict(params=params[:2], lr=0.02, weight_decay=0.1), dict(params=params[2:], lr=0.005, weight_decay=0.0)]


@pytest.mark.parametrize("amsgrad", [False, True])
def test_pt_adamw_matches_torch_with_param_groups_and_state_dict(amsgrad):
    X, y, init = _data(2)
    ours = [torch.tensor(p, requires_grad=True) for p in init]
    theirs = [torch.tensor(p, requires_grad=True) for p in init]
    opt = AdamW_pt(_groups(ours), betas=(0.85, 0.995), amsgrad=amsgrad)
    topt = torch.optim.AdamW(_groups(theirs), betas=(0.85, 0.995), amsgrad=amsgrad)

    def run(o, ps, n):
        for _ in range(n):
            o.zero_grad()
            loss = o.step(lambda: (_loss_t(ps, X, y).backward(), _loss_t(ps, X, y))[1])
        return loss

    loss_ours, loss_theirs = run(opt, ours, 30), run(topt, theirs, 30)
    assert rel_error(loss_ours.detach().numpy(), loss_theirs.detach().numpy()) < 1e-9
    sd_ours, sd_theirs = opt.state_dict(), topt.state_dict()
    assert set(sd_ours["state"][0]) == set(sd_theirs["state"][0])
    for k in sd_ours["state"]:
        for key, val in sd_ours["state"][k].items():
            assert rel_error(val.numpy(), sd_theirs["state"][k][key].numpy()) < 1e-9
    # round trip: a fresh regbook AdamW from our state, a fresh torch AdamW from our state too
    ours2 = [p.detach().clone().requires_grad_() for p in ours]
    opt2 = AdamW_pt(_groups(ours2), amsgrad=amsgrad)
    opt2.load_state_dict(copy.deepcopy(sd_ours))
    theirs2 = [p.detach().clone().requires_grad_() for p in ours]
    topt2 = torch.optim.AdamW(_groups(theirs2), amsgrad=amsgrad)
    topt2.load_state_dict(copy.deepcopy(sd_ours))
    ours3 = [p.detach().clone().requires_grad_() for p in theirs]  # and ours from torch's state
    opt3 = AdamW_pt(_groups(ours3), amsgrad=amsgrad)
    opt3.load_state_dict(copy.deepcopy(sd_theirs))
    for o, ps in [(opt, ours), (topt, theirs), (opt2, ours2), (topt2, theirs2), (opt3, ours3)]:
        run(o, ps, 30)
    for a, b, c, d, e, p0 in zip(ours, theirs, ours2, theirs2, ours3, init):
        a = a.detach().numpy()
        assert rel_error(a, b.detach().numpy()) < 1e-9
        assert np.array_equal(a, c.detach().numpy())  # our own round trip is exact
        assert rel_error(a, d.detach().numpy()) < 1e-9
        assert rel_error(a, e.detach().numpy()) < 1e-9
        assert rel_error(a, p0) > 1e-2
    assert opt2.param_groups[1]["lr"] == 0.005 and opt2.param_groups[0]["betas"] == (0.85, 0.995)


def test_np_and_pt_adamw_twins_agree():
    X, y, init = _data(4)
    ours = [p.copy() for p in init]
    opt = AdamW(ours, lr=0.01, weight_decay=0.2, amsgrad=True)
    ts = [torch.tensor(p, requires_grad=True) for p in init]
    topt = AdamW_pt(ts, lr=0.01, weight_decay=0.2, amsgrad=True)
    for _ in range(N_STEPS):
        opt.step(_grads(ours, X, y))
        topt.zero_grad()
        _loss_t(ts, X, y).backward()
        topt.step()
    for i, t in enumerate(ts):
        assert rel_error(ours[i], t.detach().numpy()) < 1e-9
        assert rel_error(opt.v_max[i], topt.state[t]["max_exp_avg_sq"].numpy()) < 1e-9


# --------------------------------------------------------------------------- bad input
def _w():
    return [np.zeros(3)]


BAD = [  # (constructor, expected exception, fragments that must appear in the message)
    (lambda: SGD(_w(), lr=0.0), ValueError, ["'lr'", "SGD", "(0.0, inf)", "Got 0.0"]),
    (lambda: Adam(_w(), lr=-1e-3), ValueError, ["'lr'", "Adam", "(0.0, inf)", "Got -0.001"]),
    (lambda: AdamW_pt([torch.zeros(2, requires_grad=True)], lr=float("inf")), ValueError,
     ["'lr'", "AdamW", "(0.0, inf)", "Got inf"]),
    (lambda: Adam(_w(), betas=(0.9, 1.0)), ValueError, ["'betas'", "[0.0, 1.0)", "Got (0.9, 1.0)"]),
    (lambda: AdamW(_w(), betas=(-0.1, 0.999)), ValueError, ["'betas'", "AdamW", "[0.0, 1.0)", "Got (-0.1, 0.999)"]),
    (lambda: AdamW(_w(), betas=0.9), TypeError, ["'betas'", "pair", "Got 0.9"]),
    (lambda: AdamW_pt([torch.zeros(2, requires_grad=True)], betas=(0.9, 1.5)), ValueError,
     ["'betas'", "[0.0, 1.0)", "Got (0.9, 1.5)"]),
    (lambda: Adam(_w(), eps=-1e-8), ValueError, ["'eps'", "[0.0, inf)", "Got -1e-08"]),
    (lambda: AdamW(_w(), weight_decay=-0.1), ValueError, ["'weight_decay'", "[0.0, inf)", "Got -0.1"]),
    (lambda: SGD(_w(), lr=0.1, momentum=-0.5), ValueError, ["'momentum'", "[0.0, inf)", "Got -0.5"]),
    (lambda: SGD(_w(), lr=0.1, dampening=2.0), ValueError, ["'dampening'", "[0.0, 1.0]", "Got 2.0"]),
    (lambda: SGD(_w(), lr=0.1, nesterov=True), ValueError, ["'nesterov'", "momentum > 0", "momentum=0.0"]),
    (lambda: SGD(_w(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     ["'nesterov'", "dampening = 0", "dampening=0.1"]),
    (lambda: SGD(_w(), lr=0.1, weight_decay=float("nan")), ValueError, ["'weight_decay'", "Got nan"]),
    (lambda: Adam(_w(), amsgrad=1), TypeError, ["'amsgrad'", "a bool", "Got 1"]),
    (lambda: SGD([np.zeros(3, dtype=np.float32)], lr=0.1), TypeError, ["'params[0]'", "float64", "float32"]),
    (lambda: SGD([[0.0, 1.0]], lr=0.1), TypeError, ["'params[0]'", "float64 NumPy array", "a list"]),
    (lambda: SGD([np.array([np.inf])], lr=0.1), ValueError, ["'params[0]'", "finite", "1 infinite"]),
    (lambda: SGD(_w(), lr=0.1).step([np.zeros(4)]), ValueError, ["'grads[0]'", "shape (3,)", "shape (4,)"]),
    (lambda: Adam(_w()).step([np.zeros(3), np.zeros(3)]), ValueError, ["'grads'", "1 arrays", "Got 2 arrays"]),
    (lambda: AdamW(_w()).step([np.array([0.0, np.nan, 1.0])]), ValueError, ["'grads[0]'", "finite", "1 NaN"]),
]


@pytest.mark.parametrize("make,exc,fragments", BAD)
def test_bad_input(make, exc, fragments):
    with pytest.raises(exc) as info:
        make()
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))


def test_bad_input_leaves_params_untouched():
    w = np.ones(3)
    opt = AdamW([w], lr=0.1)
    with pytest.raises(ValueError):
        opt.step([np.array([1.0, np.inf, 1.0])])
    assert np.array_equal(w, np.ones(3)) and opt.t == 0
