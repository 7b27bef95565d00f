"""regbook.np.clipping and regbook.pt.clipping: toy cases, projection optimality, parity with torch, bad input."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from regbook.np import clipping as C
from regbook.pt import clipping as TC

NORMS = [1.0, 2.0, 3.0, math.inf]
SHAPES = [[(3,)], [(2, 3), (4,)], [(5, 1), (1,), (2, 2, 2)]]


def _grads(shapes, seed, scale=3.0, none_at=()):
    rng = np.random.default_rng(seed)
    return [None if i in none_at else scale * rng.standard_normal(s) for i, s in enumerate(shapes)]


def _params(grads, dtype=torch.float64):
    """Torch parameters carrying copies of the NumPy gradients (None stays None)."""
    params = []
    for g in grads:
        p = nn.Parameter(torch.zeros(g.shape if g is not None else (2,), dtype=dtype))
        p.grad = None if g is None else torch.tensor(g, dtype=dtype)
        params.append(p)
    return params


def _np_grads(params):
    return [None if p.grad is None else p.grad.detach().numpy().copy() for p in params]


# --------------------------------------------------------------------------- layer 1: toy cases by hand
def test_toy_l2_three_four_five():
    g = [np.array([3.0]), np.array([[4.0, 0.0]])]
    total = C.clip_grad_norm(g, 2.5)
    assert total == pytest.approx(5.0, abs=1e-12)
    coef = 2.5 / (5.0 + 1e-6)
    np.testing.assert_allclose(g[0], [3.0 * coef], rtol=1e-14)
    np.testing.assert_allclose(g[1], [[4.0 * coef, 0.0]], rtol=1e-14)


@pytest.mark.parametrize("p,expected", [(1.0, 12.0), (math.inf, 5.0), (2.0, math.sqrt(9 + 16 + 25))])
def test_toy_other_orders(p, expected):
    g = [np.array([3.0, -4.0]), np.array([5.0])]
    total = C.clip_grad_norm(g, 1.0, norm_type=p)
    assert total == pytest.approx(expected, rel=1e-14)
    np.testing.assert_allclose(g[0], np.array([3.0, -4.0]) / (expected + 1e-6), rtol=1e-14)


def test_below_max_norm_is_unchanged_and_zero_grads_stay_zero():
    g = [np.array([0.3, 0.4])]
    assert C.clip_grad_norm(g, 1.0) == pytest.approx(0.5, rel=1e-14)
    np.testing.assert_array_equal(g[0], [0.3, 0.4])
    z = [np.zeros(3)]
    assert C.clip_grad_norm(z, 1.0) == 0.0  # coefficient 1/1e-6 is clamped to 1
    np.testing.assert_array_equal(z[0], np.zeros(3))


def test_empty_and_all_none():
    assert C.clip_grad_norm([], 1.0) == 0.0
    assert C.clip_grad_norm([None, None], 1.0) == 0.0
    assert float(TC.clip_grad_norm([], 1.0)) == 0.0


def test_clip_value_toy_and_nan():
    g = [np.array([-2.0, -0.5, 0.0, 0.7, 3.0, np.nan]), None]
    C.clip_grad_value(g, 1.0)
    np.testing.assert_array_equal(g[0], [-1.0, -0.5, 0.0, 0.7, 1.0, np.nan])


# --------------------------------------------------------------------------- layer 2: optimality
@pytest.mark.parametrize("seed", range(3))
def test_l2_clipping_is_the_projection_onto_the_ball(seed):
    """For p = 2 the clipped vector is (up to the 1e-6 term) the closest point of the ball of radius max_norm."""
    g = _grads([(4,), (3,)], seed)
    flat = np.concatenate(g)
    C.clip_grad_norm(g, 1.0)
    clipped = np.concatenate(g)
    assert np.linalg.norm(clipped) == pytest.approx(1.0, abs=1e-5)
    assert np.linalg.norm(np.cross(flat[:3], clipped[:3])) < 1e-12 * np.linalg.norm(flat) ** 2  # same direction
    rng = np.random.default_rng(100 + seed)
    z = rng.standard_normal((2000, flat.size))
    z /= np.maximum(1.0, np.linalg.norm(z, axis=1, keepdims=True))  # random points of the unit ball
    assert np.linalg.norm(flat - clipped) <= np.linalg.norm(flat - z, axis=1).min() + 1e-5


def test_clip_value_is_the_projection_onto_the_box():
    g = _grads([(50,)], 7)
    flat = g[0].copy()
    C.clip_grad_value(g, 1.0)
    z = np.random.default_rng(8).uniform(-1.0, 1.0, size=(2000, 50))
    assert np.linalg.norm(flat - g[0]) < np.linalg.norm(flat - z, axis=1).min()
    assert np.abs(g[0]).max() <= 1.0


# --------------------------------------------------------------------------- layer 3: parity with torch and twins
@pytest.mark.parametrize("p", NORMS)
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_norm_parity_with_torch(p, shapes, max_norm):
    grads = _grads(shapes + [(2,)], seed=len(shapes), none_at=(len(shapes),))  # the last one has no grad
    ref = _params(grads)
    mine = _params(grads)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=p)
    pt_total = TC.clip_grad_norm(mine, max_norm, norm_type=p)
    np_total = C.clip_grad_norm(grads, max_norm, norm_type=p)
    assert torch.is_tensor(pt_total) and pt_total.dtype == ref_total.dtype
    assert float(pt_total) == pytest.approx(float(ref_total), rel=1e-13)
    assert np_total == pytest.approx(float(ref_total), rel=1e-13)
    for r, m, n in zip(ref, mine, grads):
        if r.grad is None:
            assert m.grad is None and n is None
            continue
        np.testing.assert_allclose(m.grad.numpy(), r.grad.numpy(), rtol=1e-13, atol=0)
        np.testing.assert_allclose(n, r.grad.numpy(), rtol=1e-13, atol=0)


@pytest.mark.parametrize("p", NORMS)
def test_norm_parity_float32_and_model_parameters(p):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    model(torch.randn(8, 4)).pow(2).sum().mul(10).backward()
    model[2].bias.grad = None
    twin = nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))
    for a, b in zip(model.parameters(), twin.parameters()):
        b.grad = None if a.grad is None else a.grad.clone()
    ref_total = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1, norm_type=p)
    total = TC.clip_grad_norm(twin.parameters(), 0.1, norm_type=p)  # a generator, as in training loops
    assert total.dtype == torch.float32 and float(total) == pytest.approx(float(ref_total), rel=1e-6)
    for a, b in zip(model.parameters(), twin.parameters()):
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            torch.testing.assert_close(b.grad, a.grad, rtol=1e-6, atol=0)


@pytest.mark.parametrize("shapes", SHAPES)
def test_value_parity_with_torch(shapes):
    grads = _grads(shapes + [(2,)], seed=3, none_at=(len(shapes),))
    ref, mine = _params(grads), _params(grads)
    torch.nn.utils.clip_grad_value_(ref, 0.8)
    TC.clip_grad_value(mine, 0.8)
    C.clip_grad_value(grads, 0.8)
    for r, m, n in zip(ref, mine, grads):
        if r.grad is not None:
            torch.testing.assert_close(m.grad, r.grad, rtol=0, atol=0)
            np.testing.assert_array_equal(n, r.grad.numpy())


NONFINITE = {
    "nan": [np.array([1.0, np.nan]), np.array([2.0])],
    "inf": [np.array([1.0, np.inf]), np.array([-2.0])],
    "both": [np.array([np.nan, np.inf]), np.array([0.5])],
}


@pytest.mark.parametrize("p", NORMS)
@pytest.mark.parametrize("case", list(NONFINITE))
def test_nonfinite_propagates_like_torch(case, p):
    grads = [g.copy() for g in NONFINITE[case]]
    ref, mine = _params(grads), _params(grads)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 1.0, norm_type=p)
    pt_total = TC.clip_grad_norm(mine, 1.0, norm_type=p)
    np_total = C.clip_grad_norm(grads, 1.0, norm_type=p)
    assert not math.isfinite(float(ref_total))
    np.testing.assert_array_equal([float(pt_total), np_total], [float(ref_total)] * 2)  # NaN == NaN here
    for r, m, n in zip(ref, mine, grads):
        np.testing.assert_array_equal(m.grad.numpy(), r.grad.numpy())
        np.testing.assert_array_equal(n, r.grad.numpy())


@pytest.mark.parametrize("p", NORMS)
@pytest.mark.parametrize("case", list(NONFINITE))
def test_nonfinite_raises_like_torch_and_leaves_grads(case, p):
    grads = [g.copy() for g in NONFINITE[case]]
    ref, mine = _params(grads), _params(grads)
    with pytest.raises(RuntimeError, match="non-finite") as ref_info:
        torch.nn.utils.clip_grad_norm_(ref, 1.0, norm_type=p, error_if_nonfinite=True)
    for call in (lambda: TC.clip_grad_norm(mine, 1.0, norm_type=p, error_if_nonfinite=True),
                 lambda: C.clip_grad_norm(grads, 1.0, norm_type=p, error_if_nonfinite=True)):
        with pytest.raises(RuntimeError) as info:
            call()
        for frag in ("non-finite", f"order {float(p)}", "cannot be clipped", "error_if_nonfinite=False"):
            assert frag in str(info.value), (frag, str(info.value))
            assert frag.split("=")[0] in str(ref_info.value)  # the same meaning as torch's message
    for g0, m, n in zip(NONFINITE[case], mine, grads):
        np.testing.assert_array_equal(m.grad.numpy(), g0)  # untouched
        np.testing.assert_array_equal(n, g0)


def test_finite_with_error_flag_clips_normally():
    g = [np.array([3.0, 4.0])]
    assert C.clip_grad_norm(g, 1.0, error_if_nonfinite=True) == pytest.approx(5.0)
    assert np.linalg.norm(g[0]) == pytest.approx(1.0, abs=1e-6)


# --------------------------------------------------------------------------- bad input
G = [np.array([1.0, 2.0])]


def _pt():
    p = nn.Parameter(torch.zeros(2))
    p.grad = torch.ones(2)
    return [p]


BAD = [  # (call, exception, fragments the message must contain)
    (lambda: C.clip_grad_norm(G, 0.0), ValueError, ["'max_norm'", "clip_grad_norm", "(0.0, inf)", "Got 0.0"]),
    (lambda: C.clip_grad_norm(G, -1.0), ValueError, ["'max_norm'", "(0.0, inf)", "Got -1.0"]),
    (lambda: C.clip_grad_norm(G, float("nan")), ValueError, ["'max_norm'", "(0.0, inf)", "nan"]),
    (lambda: C.clip_grad_norm(G, math.inf), ValueError, ["'max_norm'", "(0.0, inf)", "inf"]),
    (lambda: C.clip_grad_norm(G, "1"), TypeError, ["'max_norm'", "a float", "'1'"]),
    (lambda: C.clip_grad_norm(G, 1.0, norm_type=0.0), ValueError, ["'norm_type'", "(0.0, inf]", "Got 0.0"]),
    (lambda: C.clip_grad_norm(G, 1.0, norm_type=-2), ValueError, ["'norm_type'", "(0.0, inf]", "Got -2"]),
    (lambda: C.clip_grad_norm(G, 1.0, norm_type=float("nan")), ValueError, ["'norm_type'", "(0.0, inf]", "nan"]),
    (lambda: C.clip_grad_norm(G, 1.0, norm_type="fro"), TypeError, ["'norm_type'", "a float", "'fro'"]),
    (lambda: C.clip_grad_norm(G, 1.0, error_if_nonfinite=1), TypeError, ["'error_if_nonfinite'", "a bool", "Got 1"]),
    (lambda: C.clip_grad_norm([np.array([1, 2])], 1.0), TypeError, ["'grads'", "floating-point", "int64"]),
    (lambda: C.clip_grad_norm([[1.0, 2.0]], 1.0), TypeError, ["'grads'", "NumPy arrays", "list"]),
    (lambda: C.clip_grad_norm("g", 1.0), TypeError, ["'grads'", "list of NumPy arrays", "str"]),
    (lambda: C.clip_grad_value(G, -0.5), ValueError, ["'clip_value'", "clip_grad_value", "[0.0, inf)", "Got -0.5"]),
    (lambda: C.clip_grad_value(G, math.inf), ValueError, ["'clip_value'", "[0.0, inf)", "inf"]),
    (lambda: C.clip_grad_value(G, None), TypeError, ["'clip_value'", "a float", "None"]),
    (lambda: C.clip_grad_norm([np.array([np.nan])], 1.0, error_if_nonfinite=True), RuntimeError,
     ["non-finite", "order 2.0"]),
    (lambda: TC.clip_grad_norm(_pt(), 0), ValueError, ["'max_norm'", "clip_grad_norm", "(0.0, inf)", "Got 0"]),
    (lambda: TC.clip_grad_norm(_pt(), 1.0, norm_type=-1.0), ValueError, ["'norm_type'", "(0.0, inf]", "Got -1.0"]),
    (lambda: TC.clip_grad_norm(_pt(), 1.0, error_if_nonfinite="no"), TypeError, ["'error_if_nonfinite'", "'no'"]),
    (lambda: TC.clip_grad_norm(3.0, 1.0), TypeError, ["'parameters'", "iterable of tensors", "float"]),
    (lambda: TC.clip_grad_norm([np.ones(2)], 1.0), TypeError, ["'parameters'", "tensors", "ndarray"]),
    (lambda: TC.clip_grad_value(_pt(), -1.0), ValueError, ["'clip_value'", "[0.0, inf)", "Got -1.0"]),
    (lambda: TC.clip_grad_value(_pt(), float("nan")), ValueError, ["'clip_value'", "[0.0, inf)", "nan"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))


def test_bad_input_leaves_grads_untouched():
    g = [np.array([3.0, 4.0])]
    with pytest.raises(ValueError):
        C.clip_grad_norm(g, -1.0)
    np.testing.assert_array_equal(g[0], [3.0, 4.0])
