"""regbook.np.label_smoothing and regbook.pt.label_smoothing: toy values, gradients, optimum, torch parity."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize

from regbook.checks import numerical_gradient, numerical_gradient_array
from regbook.np import label_smoothing as L
from regbook.pt import label_smoothing as T


def _problem(seed, n=7, k=5):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3.0, size=(n, k))
    y = rng.integers(0, k, n)
    p = rng.dirichlet(np.ones(k), size=n)
    return z, y, p


# --------------------------------------------------------------------------- layer 1: toy values
def test_smooth_labels_by_hand():
    q = L.smooth_labels([0, 2], 3, epsilon=0.3)
    np.testing.assert_allclose(q, [[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]], atol=1e-15)
    np.testing.assert_array_equal(L.smooth_labels([1], 3, epsilon=0.0), [[0.0, 1.0, 0.0]])
    np.testing.assert_allclose(L.smooth_labels([1], 4, epsilon=1.0), [[0.25] * 4], atol=1e-15)
    np.testing.assert_allclose(T.smooth_labels(torch.tensor([0, 2]), 3, epsilon=0.3, dtype=torch.float64).numpy(), q,
                               atol=1e-15)


def test_cross_entropy_by_hand():
    z = np.log([[0.7, 0.2, 0.1]])
    assert L.cross_entropy(z, [0]) == pytest.approx(-math.log(0.7), abs=1e-12)
    # q = (0.8, 0.1, 0.1)
    expected = -(0.8 * math.log(0.7) + 0.1 * math.log(0.2) + 0.1 * math.log(0.1))
    assert L.cross_entropy(z, [0], label_smoothing=0.3) == pytest.approx(expected, abs=1e-12)
    # uniform logits: log k whatever the targets and the smoothing
    assert L.cross_entropy(np.zeros((3, 4)), [0, 1, 3], label_smoothing=0.7) == pytest.approx(math.log(4), abs=1e-12)


def test_epsilon_zero_is_plain_cross_entropy_and_labels_equal_one_hot():
    z, y, _ = _problem(0)
    plain = -np.mean(L.log_softmax(z)[np.arange(len(y)), y])
    assert L.cross_entropy(z, y) == pytest.approx(plain, abs=1e-12)
    for eps in (0.0, 0.1, 0.5):
        assert L.cross_entropy(z, y, label_smoothing=eps) == pytest.approx(
            L.cross_entropy(z, np.eye(5)[y], label_smoothing=eps), abs=1e-12)
        assert L.cross_entropy(z, y, label_smoothing=eps) == pytest.approx(
            L.cross_entropy(z, L.smooth_labels(y, 5, epsilon=eps)), abs=1e-12)


def test_log_softmax_is_stable_for_huge_logits():
    out = L.log_softmax([[1e4, 0.0], [-1e4, -1e4]])
    np.testing.assert_allclose(out, [[0.0, -1e4], [math.log(0.5), math.log(0.5)]], atol=1e-12)
    assert L.cross_entropy([[1e4, -1e4]], [1]) == pytest.approx(2e4, rel=1e-12)


# --------------------------------------------------------------------------- layer 2: gradients and optimum
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.6])
@pytest.mark.parametrize("kind", ["labels", "probs"])
def test_gradient_matches_finite_differences(eps, kind):
    z, y, p = _problem(1)
    t = y if kind == "labels" else p
    g = L.cross_entropy_grad(z, t, label_smoothing=eps)
    num = numerical_gradient(lambda v: L.cross_entropy(v, t, label_smoothing=eps), z.copy())
    np.testing.assert_allclose(g, num, rtol=0, atol=1e-8)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-15)


def test_gradient_as_a_layer_backward_with_numerical_gradient_array():
    z, y, _ = _problem(2)
    # the loss is a 0-d output: its upstream gradient is 1
    num = numerical_gradient_array(lambda v: np.array(L.cross_entropy(v, y, label_smoothing=0.2)), z.copy(),
                                   np.array(1.0))
    np.testing.assert_allclose(L.cross_entropy_grad(z, y, label_smoothing=0.2), num, rtol=0, atol=1e-8)


@pytest.mark.parametrize("eps", [0.05, 0.2, 0.5])
def test_optimum_for_one_example_is_softmax_equal_to_smoothed_target(eps):
    k, label = 4, 2
    q = L.smooth_labels([label], k, epsilon=eps)[0]
    # stationary point: z = log q has zero gradient ...
    np.testing.assert_allclose(L.cross_entropy_grad(np.log(q)[None], [label], label_smoothing=eps), 0.0, atol=1e-15)
    # ... and a numerical minimizer from a random start gets there, with finite logits
    res = minimize(lambda v: L.cross_entropy(v[None], [label], label_smoothing=eps), np.zeros(k),
                   jac=lambda v: L.cross_entropy_grad(v[None], [label], label_smoothing=eps)[0], method="BFGS",
                   options=dict(gtol=1e-12))
    p = np.exp(L.log_softmax(res.x[None]))[0]
    np.testing.assert_allclose(p, q, atol=1e-6)
    # the best logit gap is log((1 - eps + eps/k) / (eps/k)): finite
    gap = res.x[label] - np.delete(res.x, label).max()
    assert gap == pytest.approx(math.log((1 - eps + eps / k) / (eps / k)), abs=1e-5)
    # minimum value is the entropy of q
    assert res.fun == pytest.approx(-(q * np.log(q)).sum(), abs=1e-10)


def test_without_smoothing_the_gradient_never_vanishes():
    for gap in (1.0, 10.0, 30.0):
        g = L.cross_entropy_grad([[gap, 0.0, 0.0]], [0])
        assert g[0, 0] < 0  # the loss keeps decreasing as the correct logit grows: no finite optimum


# --------------------------------------------------------------------------- layer 3: parity with torch
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.35, 1.0])
def test_parity_with_torch_cross_entropy(seed, eps):
    z, y, p = _problem(seed)
    zt = torch.tensor(z, requires_grad=True)
    for t_np, t_t in ((y, torch.tensor(y)), (p, torch.tensor(p))):
        ref = F.cross_entropy(zt, t_t, label_smoothing=eps)
        ref_value = ref.detach().item()
        assert L.cross_entropy(z, t_np, label_smoothing=eps) == pytest.approx(ref_value, rel=1e-12, abs=1e-12)
        (grad,) = torch.autograd.grad(ref, zt)
        np.testing.assert_allclose(L.cross_entropy_grad(z, t_np, label_smoothing=eps), grad.numpy(),
                                   rtol=0, atol=1e-12)
        ours = T.cross_entropy(zt, t_t, label_smoothing=eps)
        assert ours.detach().item() == pytest.approx(ref_value, rel=1e-12, abs=1e-12)
        (g_ours,) = torch.autograd.grad(ours, zt)
        torch.testing.assert_close(g_ours, grad, rtol=0, atol=1e-12)


def test_module_matches_function_and_trains():
    torch.manual_seed(0)
    z = torch.randn(6, 3, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    loss = T.LabelSmoothingCrossEntropy(0.2)
    assert float(loss(z, y)) == pytest.approx(float(F.cross_entropy(z, y, label_smoothing=0.2)), abs=1e-12)
    # float32 and soft targets (as produced by mixup) also work
    soft = torch.full((6, 3), 1 / 3)
    assert float(loss(z.float(), soft)) == pytest.approx(
        float(F.cross_entropy(z.float(), soft, label_smoothing=0.2)), abs=1e-6)


# --------------------------------------------------------------------------- bad input
Z = np.zeros((2, 3))
ZT = torch.zeros(2, 3)
BAD = [  # (call, exception, fragments the message must contain)
    (lambda: L.smooth_labels([0, 1], 3, epsilon=1.5), ValueError, ["'epsilon'", "smooth_labels", "[0.0, 1.0]", "1.5"]),
    (lambda: L.smooth_labels([0, 1], 3, epsilon=-0.1), ValueError, ["'epsilon'", "[0.0, 1.0]", "-0.1"]),
    (lambda: L.smooth_labels([0, 3], 3, epsilon=0.1), ValueError, ["'y'", "smooth_labels", "[0, 3)", "[0, 3]"]),
    (lambda: L.smooth_labels([0, -1], 3, epsilon=0.1), ValueError, ["'y'", "[0, 3)", "[-1, 0]"]),
    (lambda: L.smooth_labels([0.0, 1.0], 3, epsilon=0.1), TypeError, ["'y'", "integer class labels", "float64"]),
    (lambda: L.smooth_labels([0], 1, epsilon=0.1), ValueError, ["'n_classes'", "[2, inf)", "1"]),
    (lambda: L.cross_entropy(Z, [0, 1], label_smoothing=2.0), ValueError,
     ["'label_smoothing'", "cross_entropy", "[0.0, 1.0]", "2.0"]),
    (lambda: L.cross_entropy(Z, [0, 5]), ValueError, ["'targets'", "cross_entropy", "[0, 3)", "[0, 5]"]),
    (lambda: L.cross_entropy(Z, [0, 1, 2]), ValueError, ["Inconsistent", "logits has 2", "targets has 3"]),
    (lambda: L.cross_entropy([[np.nan, 0, 0], [0, 0, 0]], [0, 1]), ValueError, ["'logits'", "finite"]),
    (lambda: L.cross_entropy(Z, np.ones((2, 3))), ValueError, ["'targets'", "sum to 1"]),
    (lambda: L.cross_entropy(Z, np.ones((2, 4)) / 4), ValueError, ["'targets'", "(2, 3)", "(2, 4)"]),
    (lambda: L.cross_entropy(Z, [[np.inf, 0, 0], [1, 0, 0]]), ValueError, ["'targets'", "finite"]),
    (lambda: L.cross_entropy_grad(Z, [0, 1], label_smoothing=-1.0), ValueError,
     ["'label_smoothing'", "cross_entropy_grad", "[0.0, 1.0]", "-1.0"]),
    (lambda: L.cross_entropy_grad(np.zeros(3), [0]), ValueError, ["'logits'", "2D array"]),
    (lambda: L.log_softmax([[np.inf, 0.0]]), ValueError, ["'logits'", "log_softmax", "finite"]),
    (lambda: T.cross_entropy(ZT, torch.tensor([0, 1]), 1.5), ValueError,
     ["'label_smoothing'", "cross_entropy", "[0.0, 1.0]", "1.5"]),
    (lambda: T.cross_entropy(ZT, torch.tensor([0, 3])), ValueError, ["'targets'", "[0, 3)", "[0, 3]"]),
    (lambda: T.cross_entropy(ZT, [0, 1]), TypeError, ["'targets'", "tensor", "list"]),
    (lambda: T.cross_entropy(ZT, torch.tensor([0, 1, 2])), ValueError, ["Inconsistent", "targets has 3"]),
    (lambda: T.cross_entropy(torch.full((2, 3), math.nan), torch.tensor([0, 1])), ValueError, ["'logits'", "finite"]),
    (lambda: T.cross_entropy(ZT, torch.ones(2, 4)), ValueError, ["'targets'", "(2, 3)", "(2, 4)"]),
    (lambda: T.cross_entropy(torch.zeros(2, 3, dtype=torch.long), torch.tensor([0, 1])), TypeError,
     ["'logits'", "floating-point"]),
    (lambda: T.LabelSmoothingCrossEntropy(1.1), ValueError,
     ["'epsilon'", "LabelSmoothingCrossEntropy", "[0.0, 1.0]", "1.1"]),
    (lambda: T.smooth_labels(torch.tensor([0, 4]), 3, epsilon=0.1), ValueError, ["'y'", "[0, 3)", "[0, 4]"]),
    (lambda: T.smooth_labels(torch.tensor([0, 1]), 3, epsilon=-0.5), ValueError, ["'epsilon'", "-0.5"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
