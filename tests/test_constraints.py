"""regbook.np.constraints and regbook.pt.constraints: projection by hand, optimality, torch.renorm, layouts."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from regbook.np.constraints import max_norm
from regbook.pt import constraints as T


# --------------------------------------------------------------------------- layer 1: by hand
def test_columns_outside_the_ball_are_rescaled_to_the_radius():
    W = np.array([[3.0, 0.0, 0.6], [4.0, 0.0, 0.8]])  # column norms 5, 0, 1
    out = max_norm(W, max_norm=2.0)
    np.testing.assert_allclose(out[:, 0], [1.2, 1.6], atol=1e-15)
    np.testing.assert_array_equal(out[:, 1:], W[:, 1:])  # zero column and column inside: unchanged
    np.testing.assert_allclose(np.linalg.norm(max_norm(W, max_norm=1.0), axis=0), [1.0, 0.0, 1.0], atol=1e-15)


def test_inside_the_ball_is_unchanged_bit_for_bit():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(6, 4))
    big = float(np.linalg.norm(W, axis=0).max()) + 1e-9
    np.testing.assert_array_equal(max_norm(W, max_norm=big), W)
    w = torch.tensor(W.T.copy())
    before = w.clone()
    T.max_norm_(w, big)
    assert torch.equal(w, before)


def test_axis_selects_which_norm():
    W = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(max_norm(W, max_norm=1.0, axis=1), [[0.6, 0.8], [0.0, 0.0]], atol=1e-15)
    np.testing.assert_allclose(max_norm(W, max_norm=1.0, axis=0), [[1.0, 1.0], [0.0, 0.0]], atol=1e-15)


# --------------------------------------------------------------------------- layer 2: it is the projection
@pytest.mark.parametrize("seed", range(3))
def test_result_is_the_euclidean_projection_onto_the_ball(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=2.0, size=(5, 8))
    c = 1.5
    P = max_norm(W, max_norm=c)
    assert np.linalg.norm(P, axis=0).max() <= c * (1 + 1e-12)
    # projection characterization: <w - p, z - p> <= 0 for every z in the ball
    Z = rng.normal(size=(5, 8, 200))
    Z = Z / np.linalg.norm(Z, axis=0, keepdims=True) * c * rng.uniform(size=(1, 8, 200)) ** (1 / 5)
    inner = np.einsum("ij,ijk->jk", W - P, Z - P[:, :, None])
    assert inner.max() <= 1e-12
    # and it is idempotent
    np.testing.assert_allclose(max_norm(P, max_norm=c), P, atol=1e-15)


# --------------------------------------------------------------------------- layer 3: torch.renorm and layouts
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("c", [0.5, 1.0, 3.0])
def test_parity_with_torch_renorm(seed, c):
    w = torch.randn(7, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(seed)) * 1.5
    ref = torch.renorm(w, p=2, dim=0, maxnorm=c)  # torch keeps dim 0 and normalizes each row
    ours = T.max_norm_(w.clone(), c)
    # torch divides by norm + 1e-7, so the rescaled rows differ by a relative 1e-7 / norm
    torch.testing.assert_close(ours, ref, rtol=2e-7, atol=0)
    torch.testing.assert_close(T.max_norm(w, max_norm=c, axis=1), ours, rtol=0, atol=0)


def test_numpy_and_torch_layouts_agree_after_transposition():
    rng = np.random.default_rng(3)
    W_np = rng.normal(size=(6, 4)) * 2  # (d_in, d_out), X @ W
    layer = nn.Linear(6, 4).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W_np.T))  # (out, in)
    T.max_norm_(layer.weight, 1.0)
    np.testing.assert_allclose(layer.weight.detach().numpy().T, max_norm(W_np, max_norm=1.0), rtol=0, atol=1e-15)
    X = rng.normal(size=(3, 6))
    np.testing.assert_allclose(layer(torch.tensor(X)).detach().numpy() - layer.bias.detach().numpy(),
                               X @ max_norm(W_np, max_norm=1.0), atol=1e-12)


def test_conv_weights_are_normed_per_output_channel():
    w = torch.randn(3, 2, 3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 5
    T.max_norm_(w, 1.0)
    torch.testing.assert_close(w.flatten(1).norm(dim=1), torch.ones(3, dtype=torch.float64))


def test_constraint_callback_leaves_biases_and_other_modules_alone():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(50.0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    T.max_norm_constraint(1.0)(model)
    after = model.state_dict()
    for k in before:
        if k in ("0.weight", "3.weight"):
            assert float(after[k].norm(dim=1).max()) == pytest.approx(1.0, abs=1e-6)
        else:
            assert torch.equal(after[k], before[k]), k  # biases, BatchNorm weight and buffers


def test_constraint_holds_after_every_step_of_training():
    from regbook.pt.training import Callback, ConstraintCallback, train

    class Watch(Callback):
        def __init__(self):
            self.max_norms = []

        def on_step_end(self, state):
            self.max_norms.append(float(state.model[0].weight.detach().norm(dim=1).max()))

    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, 5, generator=g)
    y = (X[:, 0] > 0).long()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2))
    watch = Watch()
    opt = torch.optim.SGD(model.parameters(), lr=2.0)  # large steps push the weights out of the ball
    train(model, nn.functional.cross_entropy, opt, (X, y), epochs=3, batch_size=16,
          callbacks=[ConstraintCallback(T.max_norm_constraint(0.5)), watch], progress=False)
    assert len(watch.max_norms) == 12 and max(watch.max_norms) <= 0.5 + 1e-6


# --------------------------------------------------------------------------- bad input
W2 = np.ones((2, 3))
BAD = [  # (call, exception, fragments the message must contain)
    (lambda: max_norm(W2, max_norm=0.0), ValueError, ["'max_norm'", "max_norm", "(0.0, inf)", "Got 0.0"]),
    (lambda: max_norm(W2, max_norm=-1.0), ValueError, ["'max_norm'", "(0.0, inf)", "-1.0"]),
    (lambda: max_norm(W2, max_norm=math.inf), ValueError, ["'max_norm'", "(0.0, inf)", "inf"]),
    (lambda: max_norm(W2, max_norm="1"), TypeError, ["'max_norm'", "a float", "'1'"]),
    (lambda: max_norm([[np.nan, 1.0]], max_norm=1.0), ValueError, ["'W'", "max_norm", "finite"]),
    (lambda: max_norm(W2, max_norm=1.0, axis=2), ValueError, ["'axis'", "2 dimensions", "Got 2"]),
    (lambda: T.max_norm_(torch.ones(2, 3), 0.0), ValueError, ["'max_norm'", "max_norm_", "(0.0, inf)", "0.0"]),
    (lambda: T.max_norm_(torch.ones(2, 3), 1.0, dim=3), ValueError, ["'dim'", "max_norm_", "Got 3"]),
    (lambda: T.max_norm_(np.ones((2, 3)), 1.0), TypeError, ["'weight'", "torch.Tensor", "ndarray"]),
    (lambda: T.max_norm_(torch.full((2, 3), math.inf), 1.0), ValueError, ["'weight'", "finite"]),
    (lambda: T.max_norm(torch.ones(2, 3), max_norm=-2.0), ValueError, ["'max_norm'", "(0.0, inf)", "-2.0"]),
    (lambda: T.max_norm_constraint(-1.0), ValueError, ["'max_norm'", "max_norm_constraint", "(0.0, inf)", "-1.0"]),
    (lambda: T.max_norm_constraint(1.0, modules=(int,)), TypeError, ["'modules'", "nn.Module subclasses"]),
    (lambda: T.max_norm_constraint(1.0)([1, 2]), TypeError, ["'model'", "torch.nn.Module", "list"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
