"""Batch norm and layer norm, NumPy and PyTorch: toy cases, gradient checks, parity with torch, bad input."""

import importlib.util
import pathlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from regbook.checks import numerical_gradient_array, rel_error
from regbook.np.normalization import (
    BatchNormCache,
    LayerNormCache,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)
from regbook.pt.normalization import BatchNorm1d, BatchNormFunction, LayerNorm, batch_norm, layer_norm

ROOT = pathlib.Path(__file__).resolve().parents[1]


def data(shape, seed=0, scale=3.0, shift=2.0):
    """Non-standardized input, so that normalization has something to do."""
    rng = np.random.default_rng(seed)
    return shift + scale * rng.standard_normal(shape)


def affine(c, seed=1):
    rng = np.random.default_rng(seed)
    return 1.0 + 0.5 * rng.standard_normal(c), rng.standard_normal(c)


def t64(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def bn_train(x, gamma, beta, **kw):
    kw.setdefault("running_mean", None)
    kw.setdefault("running_var", None)
    return batchnorm_forward(x, gamma, beta, training=True, **kw)


# --------------------------------------------------------------------------- layer 1: toy cases by hand
def test_batchnorm_toy_case_by_hand():
    # feature 0: mean 2, biased variance 1, unbiased 2; feature 1: mean 0, variance 4, unbiased 8
    x = np.array([[1.0, -2.0], [3.0, 2.0]])
    out, cache, rm, rv = batchnorm_forward(x, np.array([2.0, 1.0]), np.array([5.0, 0.0]), training=True,
                                           running_mean=np.zeros(2), running_var=np.ones(2), eps=1e-5)
    s0, s1 = np.sqrt(1 + 1e-5), np.sqrt(4 + 1e-5)
    np.testing.assert_allclose(out, [[5 - 2 / s0, -2 / s1], [5 + 2 / s0, 2 / s1]], rtol=1e-14)
    np.testing.assert_allclose(rm, [0.2, 0.0], rtol=1e-14)                 # 0.9 * 0 + 0.1 * mean
    np.testing.assert_allclose(rv, [0.9 + 0.2, 0.9 + 0.8], rtol=1e-14)     # 0.9 * 1 + 0.1 * unbiased var
    assert isinstance(cache, BatchNormCache) and cache.training and cache.axes == (0,)


def test_batchnorm_output_is_standardized_per_feature():
    x = data((50, 4))
    gamma, beta = affine(4)
    out, _, _, _ = bn_train(x, gamma, beta, eps=1e-5)
    var = x.var(axis=0)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), gamma**2 * var / (var + 1e-5), rtol=1e-12)


def test_batchnorm_3d_pools_samples_and_positions():
    # (N, C, L): statistics per channel over N and L, i.e. 2-D batch norm of the (N*L, C) matrix
    x = data((4, 3, 5))
    gamma, beta = affine(3)
    out3, cache, rm3, rv3 = batchnorm_forward(x, gamma, beta, training=True, running_mean=np.zeros(3),
                                              running_var=np.ones(3))
    flat = x.transpose(0, 2, 1).reshape(-1, 3)
    out2, _, rm2, rv2 = batchnorm_forward(flat, gamma, beta, training=True, running_mean=np.zeros(3),
                                          running_var=np.ones(3))
    np.testing.assert_allclose(out3, out2.reshape(4, 5, 3).transpose(0, 2, 1), rtol=1e-13)
    np.testing.assert_allclose(rm3, rm2, rtol=1e-13)
    np.testing.assert_allclose(rv3, rv2, rtol=1e-13)   # unbiased with m = N * L = 20
    assert cache.axes == (0, 2)


def test_eval_uses_running_stats_and_returns_them_unchanged():
    x = data((3, 2))
    gamma, beta = affine(2)
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    rm0, rv0 = rm.copy(), rv.copy()
    out, cache, new_rm, new_rv = batchnorm_forward(x, gamma, beta, training=False, running_mean=rm,
                                                   running_var=rv, eps=1e-5)
    np.testing.assert_allclose(out, gamma * (x - rm) / np.sqrt(rv + 1e-5) + beta, rtol=1e-14)
    np.testing.assert_array_equal(new_rm, rm0)
    np.testing.assert_array_equal(new_rv, rv0)
    np.testing.assert_array_equal(rm, rm0)
    assert new_rm is not rm and not cache.training
    # a batch of one is fine in eval mode
    out1, _, _, _ = batchnorm_forward(x[:1], gamma, beta, training=False, running_mean=rm, running_var=rv)
    np.testing.assert_allclose(out1, out[:1], rtol=1e-14)


def test_training_does_not_mutate_its_inputs():
    x, (gamma, beta) = data((6, 3)), affine(3)
    rm, rv = np.zeros(3), np.ones(3)
    copies = [a.copy() for a in (x, gamma, beta, rm, rv)]
    batchnorm_forward(x, gamma, beta, training=True, running_mean=rm, running_var=rv)
    for a, c in zip((x, gamma, beta, rm, rv), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("momentum", [0.0, 1.0])
def test_momentum_edge_cases(momentum):
    x = data((5, 2))
    rm, rv = np.array([7.0, 7.0]), np.array([3.0, 3.0])
    _, _, new_rm, new_rv = bn_train(x, np.ones(2), np.zeros(2), running_mean=rm, running_var=rv, momentum=momentum)
    if momentum == 0.0:   # the running statistics never move
        np.testing.assert_array_equal(new_rm, rm)
        np.testing.assert_array_equal(new_rv, rv)
    else:                 # they are replaced by the batch's (unbiased variance)
        np.testing.assert_allclose(new_rm, x.mean(axis=0), rtol=1e-14)
        np.testing.assert_allclose(new_rv, x.var(axis=0, ddof=1), rtol=1e-14)


def test_momentum_none_is_the_cumulative_average():
    batches = [data((6, 3), seed=s) for s in range(4)]
    rm, rv = np.zeros(3), np.ones(3)
    for k, x in enumerate(batches):
        _, _, rm, rv = bn_train(x, np.ones(3), np.zeros(3), running_mean=rm, running_var=rv, momentum=None,
                                num_batches_tracked=k)
    np.testing.assert_allclose(rm, np.mean([x.mean(axis=0) for x in batches], axis=0), rtol=1e-13)
    np.testing.assert_allclose(rv, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0), rtol=1e-13)


def test_layernorm_toy_case_by_hand():
    # row (1, 2, 3): mean 2, biased variance 2/3
    out, cache = layernorm_forward(np.array([[1.0, 2.0, 3.0]]), np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.0]),
                                   eps=1e-5)
    s = np.sqrt(2 / 3 + 1e-5)
    np.testing.assert_allclose(out, [[-1 / s, 1.0, 3 / s]], rtol=1e-14)
    assert isinstance(cache, LayerNormCache) and cache.axes == (1,)


def test_layernorm_is_batchnorm_of_the_transpose():
    x = data((5, 7))
    ln, _ = layernorm_forward(x, np.ones(7), np.zeros(7))
    bn, _, _, _ = bn_train(x.T, np.ones(5), np.zeros(5))
    np.testing.assert_allclose(ln, bn.T, rtol=1e-13)


def test_layernorm_normalized_shape_from_gamma_and_batch_of_one():
    x = data((2, 3, 4))
    gamma, beta = affine(12)
    out, cache = layernorm_forward(x, gamma.reshape(3, 4), beta.reshape(3, 4))   # normalize the last two axes
    flat, _ = layernorm_forward(x.reshape(2, 12), gamma, beta)
    np.testing.assert_allclose(out, flat.reshape(2, 3, 4), rtol=1e-13)
    assert cache.axes == (1, 2)
    one, _ = layernorm_forward(x.reshape(2, 12)[:1], gamma, beta)                 # no batch statistics
    np.testing.assert_allclose(one, flat[:1], rtol=1e-14)


# --------------------------------------------------------------------------- layer 2: numerical gradients
def _gradient_errors(forward, backward, x, params, seed):
    """Relative errors of dx and of each parameter gradient against centred finite differences."""
    # h = 1e-5: the inputs are of order 3, and at h = 1e-6 the rounding error of the differences
    # (about 1e-16 / h) already shows on the smallest entries of dx
    h = 1e-5
    dout = np.random.default_rng(seed).standard_normal(forward(x, *params).shape)
    grads = backward(dout)
    errors = [rel_error(grads[0], numerical_gradient_array(lambda v: forward(v, *params), x, dout, h=h))]
    for i, p in enumerate(params):
        def f(v, i=i):
            ps = list(params)
            ps[i] = v
            return forward(x, *ps)
        errors.append(rel_error(grads[1 + i], numerical_gradient_array(f, p.copy(), dout, h=h)))
    return errors


@pytest.mark.parametrize("shape", [(3, 2), (6, 4), (3, 2, 4)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_matches_numerical_gradient(shape, training, backward):
    c = shape[1]
    x, (gamma, beta) = data(shape), affine(c)
    rm, rv = np.full(c, 1.5), np.full(c, 4.0)

    def forward(v, g, b):
        return batchnorm_forward(v, g, b, training=training, running_mean=rm, running_var=rv)[0]

    _, cache, _, _ = batchnorm_forward(x, gamma, beta, training=training, running_mean=rm, running_var=rv)
    errors = _gradient_errors(forward, lambda d: backward(d, cache), x, [gamma, beta], seed=3)
    assert max(errors) < 1e-7, errors


@pytest.mark.parametrize("shape", [(3, 2), (8, 5), (3, 2, 4)])
def test_batchnorm_backward_step_by_step_equals_closed_form(shape):
    x, (gamma, beta) = data(shape, seed=4), affine(shape[1])
    dout = np.random.default_rng(5).standard_normal(shape)
    _, cache, _, _ = bn_train(x, gamma, beta)
    for a, b in zip(batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)):
        assert rel_error(a, b) < 1e-12


@pytest.mark.parametrize("shape,normalized", [((4, 5), (5,)), ((1, 6), (6,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_layernorm_backward_matches_numerical_gradient(shape, normalized):
    x = data(shape, seed=6)
    gamma, beta = (a.reshape(normalized) for a in affine(int(np.prod(normalized))))
    _, cache = layernorm_forward(x, gamma, beta)

    def forward(v, g, b):
        return layernorm_forward(v, g, b)[0]

    errors = _gradient_errors(forward, lambda d: layernorm_backward(d, cache), x, [gamma, beta], seed=7)
    assert max(errors) < 1e-7, errors


# --------------------------------------------------------------------------- layer 3: parity with torch
def _torch_step(x, gamma, beta, rm, rv, dout, training, momentum):
    """F.batch_norm forward + backward in float64; rm and rv (tensors) are updated in place."""
    xt, gt, bt = t64(x, True), t64(gamma, True), t64(beta, True)
    out = F.batch_norm(xt, rm, rv, gt, bt, training, momentum, 1e-5)
    out.backward(t64(dout))
    return out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("shape", [(8, 5), (6, 3, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_numpy_batchnorm_matches_torch_functional_over_steps(shape, momentum):
    c = shape[1]
    gamma, beta = affine(c)
    rm, rv = np.zeros(c), np.ones(c)
    rm_t, rv_t = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    for step in range(4):
        training = step < 3                                    # three training steps, then eval
        x, dout = data(shape, seed=step), data(shape, seed=10 + step, shift=0.0, scale=1.0)
        out, cache, rm, rv = batchnorm_forward(x, gamma, beta, training=training, running_mean=rm, running_var=rv,
                                               momentum=momentum)
        ref = _torch_step(x, gamma, beta, rm_t, rv_t, dout, training, momentum)
        ours = (out, *batchnorm_backward(dout, cache))
        for a, b in zip(ours, ref):
            assert rel_error(a, b) < 1e-10
        assert rel_error(rm, rm_t.numpy()) < 1e-10 and rel_error(rv, rv_t.numpy()) < 1e-10


def test_numpy_momentum_none_matches_torch_module():
    torch_bn = nn.BatchNorm1d(3, momentum=None, dtype=torch.float64)
    rm, rv = np.zeros(3), np.ones(3)
    for k in range(5):
        x = data((7, 3), seed=20 + k)
        _, _, rm, rv = bn_train(x, np.ones(3), np.zeros(3), running_mean=rm, running_var=rv, momentum=None,
                                num_batches_tracked=k)
        torch_bn(t64(x))
    assert int(torch_bn.num_batches_tracked) == 5
    assert rel_error(rm, torch_bn.running_mean.numpy()) < 1e-10
    assert rel_error(rv, torch_bn.running_var.numpy()) < 1e-10


@pytest.mark.parametrize("shape", [(8, 5), (6, 3, 4)])
@pytest.mark.parametrize("affine_params", [True, False])
def test_pt_batch_norm_functional_matches_torch(shape, affine_params):
    c = shape[1]
    w, b = (t64(a, True) for a in affine(c)) if affine_params else (None, None)
    w2, b2 = (t64(a, True) for a in affine(c)) if affine_params else (None, None)
    ours_buf = [torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)]
    ref_buf = [torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)]
    for step in range(4):
        training = step < 3
        x, dout = data(shape, seed=step), t64(data(shape, seed=30 + step))
        x1, x2 = t64(x, True), t64(x, True)
        out = batch_norm(x1, *ours_buf, w, b, training, 0.2, 1e-5)
        ref = F.batch_norm(x2, *ref_buf, w2, b2, training, 0.2, 1e-5)
        out.backward(dout)
        ref.backward(dout)
        assert rel_error(out.detach(), ref.detach()) < 1e-10
        assert rel_error(x1.grad, x2.grad) < 1e-10
        for a, r in zip(ours_buf, ref_buf):
            assert rel_error(a, r) < 1e-10
    if affine_params:
        assert rel_error(w.grad, w2.grad) < 1e-10 and rel_error(b.grad, b2.grad) < 1e-10


def test_pt_batch_norm_without_running_stats_and_numpy_twin():
    x = data((6, 4))
    gamma, beta = affine(4)
    out = batch_norm(t64(x), None, None, t64(gamma), t64(beta), True)
    ref, _, _, _ = bn_train(x, gamma, beta)
    assert rel_error(out.numpy(), ref) < 1e-12


@pytest.mark.parametrize("shape", [(8, 4), (5, 4, 3)])
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine_params,track", [(True, True), (False, True), (True, False)])
def test_BatchNorm1d_matches_torch_module(shape, momentum, affine_params, track):
    kw = dict(momentum=momentum, affine=affine_params, track_running_stats=track, dtype=torch.float64)
    ours, ref = BatchNorm1d(4, **kw), nn.BatchNorm1d(4, **kw)
    if affine_params:   # non-trivial gamma, beta
        with torch.no_grad():
            for m in (ours, ref):
                m.weight.copy_(t64(affine(4)[0]))
                m.bias.copy_(t64(affine(4)[1]))
    for step in range(5):
        if step == 3:
            ours.eval(), ref.eval()
        x, dout = data(shape, seed=40 + step), t64(data(shape, seed=50 + step))
        x1, x2 = t64(x, True), t64(x, True)
        out, expected = ours(x1), ref(x2)
        out.backward(dout)
        expected.backward(dout)
        assert rel_error(out.detach(), expected.detach()) < 1e-10
        assert rel_error(x1.grad, x2.grad) < 1e-10
    if affine_params:
        assert rel_error(ours.weight.grad, ref.weight.grad) < 1e-10
        assert rel_error(ours.bias.grad, ref.bias.grad) < 1e-10
    assert list(ours.state_dict()) == list(ref.state_dict())
    for key, value in ref.state_dict().items():
        assert rel_error(ours.state_dict()[key].double(), value.double()) < 1e-10, key
    if track:
        assert int(ours.num_batches_tracked) == 3
    assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]   # same extra_repr


def test_bias_false_matches_torch():
    x = t64(data((6, 4, 3), seed=8), True)
    x2 = x.detach().clone().requires_grad_()
    pairs = [(BatchNorm1d(4, bias=False, dtype=torch.float64), nn.BatchNorm1d(4, bias=False, dtype=torch.float64)),
             (LayerNorm(3, bias=False, dtype=torch.float64), nn.LayerNorm(3, bias=False, dtype=torch.float64))]
    for ours, ref in pairs:
        assert ours.bias is None and list(ours.state_dict()) == list(ref.state_dict())
        dout = t64(data((6, 4, 3), seed=9))   # (a sum of squares of normalized values would be constant)
        ours(x).backward(dout)
        ref(x2).backward(dout)
        assert rel_error(ours.weight.grad, ref.weight.grad) < 1e-10 and rel_error(x.grad, x2.grad) < 1e-10
        assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]


def test_load_state_dict_both_ways():
    ref = nn.BatchNorm1d(3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.uniform_(0.5, 1.5)
        ref.bias.uniform_(-1.0, 1.0)
    for s in range(3):
        ref(t64(data((6, 3), seed=s)))
    ours = BatchNorm1d(3, dtype=torch.float64)
    ours.load_state_dict(ref.state_dict())
    ours.eval(), ref.eval()
    x = t64(data((4, 3), seed=9))
    assert rel_error(ours(x).detach(), ref(x).detach()) < 1e-12
    ours.train()
    ours(t64(data((6, 3), seed=10)))                  # update ours, then load back into torch's
    back = nn.BatchNorm1d(3, dtype=torch.float64)
    back.load_state_dict(ours.state_dict())
    assert int(back.num_batches_tracked) == 4
    back.eval(), ours.eval()
    assert rel_error(back(x).detach(), ours(x).detach()) < 1e-12


@pytest.mark.parametrize("shape,normalized", [((6, 5), 5), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((1, 7), [7])])
@pytest.mark.parametrize("elementwise_affine", [True, False])
def test_layer_norm_matches_torch(shape, normalized, elementwise_affine):
    ours = LayerNorm(normalized, elementwise_affine=elementwise_affine, dtype=torch.float64)
    ref = nn.LayerNorm(normalized, elementwise_affine=elementwise_affine, dtype=torch.float64)
    if elementwise_affine:
        gamma, beta = affine(int(np.prod(ref.normalized_shape)))
        with torch.no_grad():
            for m in (ours, ref):
                m.weight.copy_(t64(gamma).reshape(ref.normalized_shape))
                m.bias.copy_(t64(beta).reshape(ref.normalized_shape))
        ours.load_state_dict(ref.state_dict())
    x, dout = data(shape, seed=11), t64(data(shape, seed=12))
    x1, x2 = t64(x, True), t64(x, True)
    out, expected = ours(x1), ref(x2)
    out.backward(dout)
    expected.backward(dout)
    assert rel_error(out.detach(), expected.detach()) < 1e-10
    assert rel_error(x1.grad, x2.grad) < 1e-10
    if elementwise_affine:
        assert rel_error(ours.weight.grad, ref.weight.grad) < 1e-10
        assert rel_error(ours.bias.grad, ref.bias.grad) < 1e-10
        # the NumPy twin: forward and hand-written backward
        g, b = ours.weight.detach().numpy(), ours.bias.detach().numpy()
        np_out, cache = layernorm_forward(x, g, b)
        dx, dg, db = layernorm_backward(dout.numpy(), cache)
        for a, r in [(np_out, expected), (dx, x2.grad), (dg, ref.weight.grad), (db, ref.bias.grad)]:
            assert rel_error(a, r.detach().numpy()) < 1e-10
    assert repr(ours).split("(", 1)[1] == repr(ref).split("(", 1)[1]


def test_layer_norm_functional_matches_torch_functional():
    x = t64(data((3, 4, 5), seed=13))
    w, b = (t64(a).reshape(4, 5) for a in affine(20))
    assert rel_error(layer_norm(x, (4, 5), w, b, 1e-3), F.layer_norm(x, (4, 5), w, b, 1e-3)) < 1e-10
    assert rel_error(layer_norm(x, 5), F.layer_norm(x, (5,))) < 1e-10


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 4)])
@pytest.mark.parametrize("with_affine", [True, False])
def test_BatchNormFunction_gradcheck(shape, with_affine):
    x = t64(data(shape, seed=14), True)
    w, b = (t64(a, True) for a in affine(shape[1])) if with_affine else (None, None)
    assert torch.autograd.gradcheck(lambda *a: BatchNormFunction.apply(*a, 1e-5), (x, w, b))


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5)])
def test_BatchNormFunction_matches_torch_and_numpy(shape):
    x, dout = data(shape, seed=15), data(shape, seed=16)
    gamma, beta = affine(shape[1])
    xs, ws, bs = [t64(x, True), t64(x, True)], [t64(gamma, True), t64(gamma, True)], [t64(beta, True), t64(beta, True)]
    out = BatchNormFunction.apply(xs[0], ws[0], bs[0], 1e-5)
    ref = F.batch_norm(xs[1], None, None, ws[1], bs[1], True, 0.1, 1e-5)
    out.backward(t64(dout))
    ref.backward(t64(dout))
    _, cache, _, _ = bn_train(x, gamma, beta)
    np_grads = batchnorm_backward_alt(dout, cache)
    for ours, theirs, mine in [(xs[0].grad, xs[1].grad, np_grads[0]), (ws[0].grad, ws[1].grad, np_grads[1]),
                               (bs[0].grad, bs[1].grad, np_grads[2])]:
        assert rel_error(ours, theirs) < 1e-10 and rel_error(mine, theirs.numpy()) < 1e-10
    assert rel_error(out.detach(), ref.detach()) < 1e-10


def test_second_derivatives_autograd_twin_yes_closed_form_refuses():
    x = t64(data((5, 3), seed=17), True)
    w, b = (t64(a, True) for a in affine(3))
    assert torch.autograd.gradgradcheck(lambda *a: batch_norm(*a[:1], None, None, *a[1:], True), (x, w, b))
    assert torch.autograd.gradgradcheck(lambda *a: layer_norm(a[0], 3, *a[1:]), (x, w, b))
    out = BatchNormFunction.apply(x, w, b, 1e-5)
    (gx,) = torch.autograd.grad((out**3).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|double backward|differentiable"):
        gx.sum().backward()


def test_float32_dtype_is_kept():
    x = torch.randn(8, 4, generator=torch.Generator().manual_seed(0))
    bn, ln = BatchNorm1d(4), LayerNorm(4)
    for out in (bn(x), ln(x), BatchNormFunction.apply(x, None, None, 1e-5), batch_norm(x, None, None, training=True)):
        assert out.dtype == torch.float32 and out.device == x.device
    assert bn.running_mean.dtype == torch.float32 and bn.num_batches_tracked.dtype == torch.long
    bn64 = BatchNorm1d(4).double()
    assert bn64(x.double()).dtype == torch.float64 and bn64.running_var.dtype == torch.float64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available: GPU parity not checked")
def test_cuda_matches_cpu():
    x = torch.randn(16, 8, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    for make in (lambda: BatchNorm1d(8, dtype=torch.float64), lambda: LayerNorm((8, 5), dtype=torch.float64)):
        cpu, gpu = make(), make().cuda()
        xc, xg = x.clone().requires_grad_(), x.cuda().requires_grad_()
        out_c, out_g = cpu(xc), gpu(xg)
        assert out_g.device.type == "cuda"
        out_c.sum().backward()
        (out_g.sum()).backward()
        assert rel_error(out_g.detach().cpu(), out_c.detach()) < 1e-10
        assert rel_error(xg.grad.cpu(), xc.grad) < 1e-8
        for (name, a), (_, b) in zip(gpu.state_dict().items(), cpu.state_dict().items()):
            assert rel_error(a.double().cpu(), b.double()) < 1e-10, name
    w = torch.ones(8, dtype=torch.float64, device="cuda", requires_grad=True)
    out = BatchNormFunction.apply(x.cuda(), w, None, 1e-5)
    assert rel_error(out.detach().cpu(), F.batch_norm(x, None, None, None, None, True)) < 1e-10


def test_benchmark_quick_mode_runs_and_agrees(capsys):
    spec = importlib.util.spec_from_file_location("bench_torch_twins", ROOT / "benchmarks" / "torch_twins.py")
    bench = importlib.util.module_from_spec(spec)
    threads = torch.get_num_threads()
    try:
        spec.loader.exec_module(bench)
        rows = bench.main(["--quick"])
    finally:
        torch.set_num_threads(threads)
    labels = [r["label"] for r in rows]
    assert {"BatchNorm1d train", "BatchNorm1d eval", "LayerNorm", "BatchNormFunction train"} <= set(labels)
    assert all(r["agree"] for r in rows)
    out = capsys.readouterr().out
    assert "1 thread" in out and "<=1.5" in out and "target met on" in out


# --------------------------------------------------------------------------- bad input
X = np.ones((4, 3)) + np.arange(12).reshape(4, 3)
G, B = np.ones(3), np.zeros(3)
NAN_X = X.copy()
NAN_X[1, 2] = np.nan
INF_X = X.copy()
INF_X[0, 0] = np.inf

BN_BAD = [  # (overrides of the valid call, exception, fragments of the message)
    (dict(x=np.ones((2, 3, 4, 5))), ValueError, ["'x'", "batchnorm_forward", "2D or 3D", "(got 4D input)"]),
    (dict(x=np.ones(3)), ValueError, ["'x'", "2D or 3D", "(got 1D input)"]),
    (dict(x=np.ones((1, 3))), ValueError, ["Expected more than 1 value per channel when training", "1, 3"]),
    (dict(x=np.ones((1, 3, 1))), ValueError, ["Expected more than 1 value per channel", "1, 3, 1"]),
    (dict(gamma=np.ones(4)), ValueError, ["'gamma'", "shape (3,)", "shape (4,)"]),
    (dict(beta=np.ones((3, 1))), ValueError, ["'beta'", "shape (3,)", "shape (3, 1)"]),
    (dict(running_mean=np.zeros(2)), ValueError, ["'running_mean'", "shape (3,)", "shape (2,)"]),
    (dict(running_var=np.ones(4)), ValueError, ["'running_var'", "shape (3,)", "shape (4,)"]),
    (dict(running_var=-np.ones(3)), ValueError, ["'running_var'", "non-negative", "-1.0"]),
    (dict(running_var=None), ValueError, ["running_mean and running_var together", "running_mean"]),
    (dict(training=False, running_mean=None, running_var=None), ValueError, ["'running_mean'", "eval mode", "None"]),
    (dict(eps=0.0), ValueError, ["'eps'", "(0.0, inf)", "Got 0.0"]),
    (dict(eps=-1e-5), ValueError, ["'eps'", "(0.0, inf)", "-1e-05"]),
    (dict(momentum=1.5), ValueError, ["'momentum'", "[0.0, 1.0]", "Got 1.5"]),
    (dict(momentum=-0.1), ValueError, ["'momentum'", "[0.0, 1.0]", "-0.1"]),
    (dict(momentum="0.1"), TypeError, ["'momentum'", "float", "'0.1'"]),
    (dict(training="yes"), TypeError, ["'training'", "a bool", "'yes'"]),
    (dict(num_batches_tracked=-1), ValueError, ["'num_batches_tracked'", "[0, inf)", "-1"]),
    (dict(x=NAN_X), ValueError, ["'x'", "finite", "1 NaN"]),
    (dict(x=INF_X), ValueError, ["'x'", "finite", "1 infinite"]),
    (dict(gamma=np.array([1.0, np.nan, 1.0])), ValueError, ["'gamma'", "finite"]),
    (dict(running_mean=np.array([0.0, np.inf, 0.0])), ValueError, ["'running_mean'", "finite"]),
]


def _bn_call(forward, overrides):
    kw = dict(x=X, gamma=G, beta=B, training=True, running_mean=np.zeros(3), running_var=np.ones(3))
    kw.update(overrides)
    return forward(kw.pop("x"), kw.pop("gamma"), kw.pop("beta"), **kw)


@pytest.mark.parametrize("overrides,exc,fragments", BN_BAD)
def test_bad_input_batchnorm_numpy(overrides, exc, fragments):
    with pytest.raises(exc) as info:
        _bn_call(batchnorm_forward, overrides)
    for frag in fragments:
        assert frag in str(info.value)


def _torchify(v):
    return torch.as_tensor(v, dtype=torch.float64) if isinstance(v, np.ndarray) else v


PT_NAMES = {"gamma": "weight", "beta": "bias"}


def _applies_to_torch(overrides, fragments):
    """The torch twin has no num_batches_tracked, and checks parameters and buffers for shape, not values."""
    if "num_batches_tracked" in overrides or "non-negative" in fragments:
        return False
    return not ("finite" in fragments and fragments[0] != "'x'")


def _pt_batch_norm(x, gamma, beta, *, training, running_mean, running_var, momentum=0.1, eps=1e-5):
    return batch_norm(x, running_mean, running_var, gamma, beta, training, momentum, eps)


@pytest.mark.parametrize("overrides,exc,fragments", [c for c in BN_BAD if _applies_to_torch(c[0], c[2])])
def test_bad_input_batch_norm_torch(overrides, exc, fragments):
    overrides = {k: _torchify(v) for k, v in overrides.items()}
    with pytest.raises(exc) as info:
        _bn_call(lambda x, g, b, **kw: _pt_batch_norm(_torchify(x), _torchify(g), _torchify(b),
                                                      **{k: _torchify(v) for k, v in kw.items()}), overrides)
    msg = str(info.value)
    for frag in fragments:
        for np_name, pt_name in PT_NAMES.items():
            frag = frag.replace(f"'{np_name}'", f"'{pt_name}'")
        assert frag.replace("batchnorm_forward", "batch_norm").replace("array", "tensor") in msg, (frag, msg)


def test_bad_input_torch_modules():
    bn = BatchNorm1d(3)
    cases = [
        (lambda: bn(torch.ones(2, 3, 4, 5)), ValueError, ["'x'", "BatchNorm1d", "2D or 3D", "(got 4D input)"]),
        (lambda: bn(torch.ones(4, 5)), ValueError, ["'x'", "3 features in dim 1", "shape (4, 5)"]),
        (lambda: bn(torch.ones(1, 3)), ValueError, ["Expected more than 1 value per channel", "[1, 3]"]),
        (lambda: bn(torch.tensor([[1.0, float("nan"), 0.0], [0.0, 1.0, 2.0]])), ValueError, ["'x'", "finite", "1 NaN"]),
        (lambda: bn(torch.ones(2, 3, dtype=torch.int64)), TypeError, ["'x'", "floating-point", "torch.int64"]),
        (lambda: bn(np.ones((2, 3))), TypeError, ["'x'", "torch.Tensor", "ndarray"]),
        (lambda: BatchNorm1d(0), ValueError, ["'num_features'", "[1, inf)", "Got 0"]),
        (lambda: BatchNorm1d(3, eps=0.0), ValueError, ["'eps'", "(0.0, inf)", "0.0"]),
        (lambda: BatchNorm1d(3, momentum=2.0), ValueError, ["'momentum'", "[0.0, 1.0]", "2.0"]),
        (lambda: BatchNorm1d(3, affine=1), TypeError, ["'affine'", "a bool", "Got 1"]),
        (lambda: LayerNorm(0), ValueError, ["'normalized_shape'", "[1, inf)", "Got 0"]),
        (lambda: LayerNorm(()), TypeError, ["'normalized_shape'", "non-empty", "()"]),
        (lambda: LayerNorm(4, eps=-1.0), ValueError, ["'eps'", "(0.0, inf)", "-1.0"]),
        (lambda: LayerNorm(4)(torch.ones(2, 5)), ValueError, ["'x'", "layer_norm", "(4,)", "shape (2, 5)"]),
        (lambda: LayerNorm(2)(torch.tensor([[1.0, float("inf")]])), ValueError, ["'x'", "finite", "1 infinite"]),
        (lambda: layer_norm(torch.ones(2, 4), 4, torch.ones(3)), ValueError, ["'weight'", "shape (4,)", "shape (3,)"]),
        (lambda: BatchNormFunction.apply(torch.ones(1, 3), None, None, 1e-5), ValueError,
         ["Expected more than 1 value per channel", "[1, 3]"]),
        (lambda: BatchNormFunction.apply(torch.tensor([[0.0], [float("nan")]]), None, None, 1e-5), ValueError,
         ["'x'", "BatchNormFunction", "finite", "1 NaN"]),
        (lambda: BatchNormFunction.apply(torch.ones(2, 3), None, None, 0.0), ValueError, ["'eps'", "(0.0, inf)"]),
        (lambda: batch_norm(torch.ones(2, 3), torch.zeros(3), torch.ones(3), training=True, momentum=None),
         TypeError, ["'momentum'", "[0.0, 1.0]", "None"]),
    ]
    for call, exc, fragments in cases:
        with pytest.raises(exc) as info:
            call()
        for frag in fragments:
            assert frag in str(info.value), (frag, str(info.value))


def test_refused_batch_leaves_running_stats_and_count_alone():
    bn = BatchNorm1d(3)
    for bad in (torch.ones(1, 3), torch.tensor([[0.0, 1.0, float("nan")], [1.0, 2.0, 3.0]])):
        with pytest.raises(ValueError):
            bn(bad)
    assert int(bn.num_batches_tracked) == 0
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.running_var.tolist() == [1.0] * 3
    bn.eval()
    assert bn(torch.ones(1, 3)).shape == (1, 3)     # a batch of one is fine in eval mode


def test_non_finite_input_caught_in_eval_mode_too():
    bn = BatchNorm1d(2).eval()
    with pytest.raises(ValueError, match="finite values. Got a tensor with 0 NaN and 1 infinite"):
        bn(torch.tensor([[0.0, float("-inf")]]))


LN_BAD = [
    (dict(x=np.ones((2, 4))), ValueError, ["'x'", "layernorm_forward", "gamma's shape (3,)", "shape (2, 4)"]),
    (dict(gamma=np.float64(1.0)), ValueError, ["'gamma'", "at least 1 dimension", "0D"]),
    (dict(gamma=np.ones((2, 3))), ValueError, ["'x'", "(2, 3)", "shape (4, 3)"]),
    (dict(beta=np.ones(2)), ValueError, ["'beta'", "shape (3,)", "shape (2,)"]),
    (dict(eps=0.0), ValueError, ["'eps'", "(0.0, inf)", "0.0"]),
    (dict(x=NAN_X), ValueError, ["'x'", "finite", "1 NaN"]),
    (dict(x=INF_X), ValueError, ["'x'", "finite", "1 infinite"]),
    (dict(beta=np.array([0.0, np.nan, 0.0])), ValueError, ["'beta'", "finite"]),
]


@pytest.mark.parametrize("overrides,exc,fragments", LN_BAD)
def test_bad_input_layernorm_numpy(overrides, exc, fragments):
    kw = dict(x=X, gamma=G, beta=B)
    kw.update(overrides)
    with pytest.raises(exc) as info:
        layernorm_forward(kw.pop("x"), kw.pop("gamma"), kw.pop("beta"), **kw)
    for frag in fragments:
        assert frag in str(info.value)


def test_bad_input_backward():
    _, bn_cache, _, _ = bn_train(X, G, B)
    _, ln_cache = layernorm_forward(X, G, B)
    cases = [
        (lambda: batchnorm_backward(np.ones((4, 2)), bn_cache), ValueError, ["'dout'", "shape (4, 3)", "shape (4, 2)"]),
        (lambda: batchnorm_backward_alt(NAN_X, bn_cache), ValueError, ["'dout'", "finite", "1 NaN"]),
        (lambda: batchnorm_backward(np.ones((4, 3)), ln_cache), TypeError,
         ["'cache'", "BatchNormCache", "LayerNormCache"]),
        (lambda: layernorm_backward(np.ones((4, 3)), (1, 2)), TypeError, ["'cache'", "LayerNormCache", "tuple"]),
        (lambda: layernorm_backward(INF_X, ln_cache), ValueError, ["'dout'", "finite", "1 infinite"]),
    ]
    for call, exc, fragments in cases:
        with pytest.raises(exc) as info:
            call()
        for frag in fragments:
            assert frag in str(info.value), (frag, str(info.value))
