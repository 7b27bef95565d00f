"""regbook.np.dropout and regbook.pt.dropout: toy cases, gradients, statistics, parity with torch, bad input.

The statistical tests compare sample means with their expectation in units of
the standard error (SE) the correct model predicts, and accept within 4 SE.
Seeds are fixed, so every test is deterministic; the 4-SE threshold is what makes
the checks sound (a correct implementation fails them with probability about 6e-5
per check), and the wrong implementations below miss them by tens or hundreds of SE.
"""


import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from regbook.checks import numerical_gradient_array, rel_error
from regbook.np import dropout as D
from regbook.pt import dropout as T

P_VALUES = [0.1, 0.5, 0.8]
X_COLUMNS = np.array([1.0, -2.0, 0.5, 3.0])  # x is these columns repeated: no zeros, mixed signs
N_ROWS = 50_000  # 200_000 elements in all


# --------------------------------------------------------------------------- implementations under test
def np_impl(x, p, seed):
    return D.dropout_forward(x, p=p, training=True, rng=seed)[0]


def pt_impl(x, p, seed):
    return T.dropout(torch.from_numpy(x), p, generator=torch.Generator().manual_seed(seed)).numpy()


def torch_reference(x, p, seed):
    torch.manual_seed(seed)
    return F.dropout(torch.from_numpy(x), p, training=True).numpy()


def source_001(x, p, seed):
    return x * (1 - p)  # the source's "dropout": no mask, and the mean shrinks by 1 - p


def no_rescale(x, p, seed):
    return x * (np.random.default_rng(seed).random(x.shape) >= p)  # mask but no 1/(1-p)


def scale_by_keep(x, p, seed):
    return x * (np.random.default_rng(seed).random(x.shape) >= p) * (1 - p)  # (1-p) at train time


CORRECT = {"numpy": np_impl, "torch twin": pt_impl, "torch.nn.functional": torch_reference}
WRONG = {"source 001": source_001, "no rescaling": no_rescale, "scaled by 1-p": scale_by_keep}


def _x():
    return np.tile(X_COLUMNS, (N_ROWS, 1))  # (N_ROWS, 4)


def drop_rate_z(out, p):
    """(observed drop rate - p) / binomial SE, over all elements (x has no zeros)."""
    rate = np.mean(out == 0)
    return (rate - p) / np.sqrt(p * (1 - p) / out.size)


def mean_z(out, x, p):
    """Per column: (mean of out - x) / SE, with SE^2 = x^2 p / (1-p) / n_rows under the correct model."""
    se = np.abs(x[0]) * np.sqrt(p / (1 - p) / x.shape[0])
    return (out.mean(axis=0) - x[0]) / se


def var_z(out, x, p):
    """Per column: (sample variance - x^2 p/(1-p)) / its SE, estimated from the squared deviations."""
    sq = (out - x[0]) ** 2  # deviations from the true mean x
    diff = sq.mean(axis=0) - x[0] ** 2 * p / (1 - p)
    se = sq.std(axis=0) / np.sqrt(x.shape[0])
    if np.all(se == 0):  # p = 1/2: out - x = +-x, so the squared deviations are all x^2
        return np.where(np.abs(diff) <= 1e-12 * x[0] ** 2, 0.0, np.inf)
    return diff / se


# --------------------------------------------------------------------------- toy cases (NumPy)
def test_dropout_toy_mask_by_hand():
    x = np.arange(1.0, 13.0).reshape(3, 4)
    out, cache = D.dropout_forward(x, p=0.25, training=True, rng=7)
    keep = np.random.default_rng(7).random((3, 4)) >= 0.25  # the rule: keep when u >= p
    assert 0 < keep.sum() < keep.size  # both kinds of entries are present
    np.testing.assert_array_equal(cache.mask, keep / 0.75)
    np.testing.assert_array_equal(out, x * (keep / 0.75))
    assert set(np.unique(out / x).tolist()) == {0.0, 4.0 / 3.0}
    assert cache.p == 0.25 and cache.training is True


@pytest.mark.parametrize("p", [0.0, 0.3, 0.9])
def test_eval_mode_is_identity(p):
    x = np.random.default_rng(0).standard_normal((5, 3))
    out, cache = D.dropout_forward(x, p=p, training=False, rng=0)
    np.testing.assert_array_equal(out, x)
    assert cache.mask is None and cache.training is False
    dout = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_array_equal(D.dropout_backward(dout, cache), dout)


def test_p_zero_is_identity_in_training():
    x = np.random.default_rng(0).standard_normal((6, 7))
    out, cache = D.dropout_forward(x, p=0.0, training=True, rng=3)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(cache.mask, np.ones((6, 7)))
    g = torch.Generator().manual_seed(3)
    xt = torch.from_numpy(x)
    assert torch.equal(T.dropout(xt, 0.0, generator=g), xt)


def test_any_shape_dtype_and_reproducibility():
    for shape in [(), (5,), (2, 3, 4)]:
        x = np.ones(shape)
        assert D.dropout_forward(x, p=0.5, training=True, rng=0)[0].shape == shape
    x32 = np.ones((4, 4), dtype=np.float32)
    out32, cache32 = D.dropout_forward(x32, p=0.3, training=True, rng=0)
    assert out32.dtype == np.float32 and cache32.mask.dtype == np.float32
    assert D.dropout_forward([[1, 2]], p=0.3, training=True, rng=0)[0].dtype == np.float64  # ints -> float64
    a = D.dropout_forward(np.ones(50), p=0.5, training=True, rng=11)[0]
    np.testing.assert_array_equal(a, D.dropout_forward(np.ones(50), p=0.5, training=True, rng=11)[0])
    rng = np.random.default_rng(11)  # a Generator advances: two calls draw different masks
    first, second = (D.dropout_forward(np.ones(50), p=0.5, training=True, rng=rng)[0] for _ in range(2))
    np.testing.assert_array_equal(first, a)
    assert not np.array_equal(first, second)


# --------------------------------------------------------------------------- gradients (NumPy, float64)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
@pytest.mark.parametrize("training", [True, False])
def test_dropout_backward_numerical_gradient(shape, training):
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal(shape), rng.standard_normal(shape)
    _, cache = D.dropout_forward(x, p=0.4, training=training, rng=5)

    def f(v):  # the int seed redraws the same mask at every call: f is linear in v
        return D.dropout_forward(v, p=0.4, training=training, rng=5)[0]

    dx = D.dropout_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(f, x, dout)) < 1e-7
    if training:
        np.testing.assert_array_equal(dx, dout * cache.mask)
        assert np.any(dx == 0) and np.any(dx != 0)


@pytest.mark.parametrize("training", [True, False])
def test_dropconnect_backward_numerical_gradient(training):
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((5, 3))
    kw = dict(p=0.3, training=training, rng=9)
    _, cache = D.dropconnect_forward(x, W, b, **kw)
    dx, dW, db = D.dropconnect_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(lambda v: D.dropconnect_forward(v, W, b, **kw)[0], x, dout)) < 1e-7
    assert rel_error(dW, numerical_gradient_array(lambda v: D.dropconnect_forward(x, v, b, **kw)[0], W, dout)) < 1e-7
    assert rel_error(db, numerical_gradient_array(lambda v: D.dropconnect_forward(x, W, v, **kw)[0], b, dout)) < 1e-7
    if training:  # dropped weights get no gradient
        assert np.all(dW[cache.mask == 0] == 0) and np.any(cache.mask == 0)


# --------------------------------------------------------------------------- statistics
@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("name", list(CORRECT))
def test_drop_rate_mean_and_variance_within_4_se(name, p):
    x = _x()
    out = CORRECT[name](x, p, 123)
    assert out.shape == x.shape and out.dtype == np.float64
    assert abs(drop_rate_z(out, p)) < 4
    assert np.all(np.abs(mean_z(out, x, p)) < 4)  # E[out] = x: the 1/(1-p) scaling is right
    assert np.all(np.abs(var_z(out, x, p)) < 4)  # Var[out] = x^2 p / (1-p)


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_scaling_fails_the_same_checks(name, p):
    x = _x()
    out = WRONG[name](x, p, 123)
    assert np.all(np.abs(mean_z(out, x, p)) > 4)  # biased: E[out] = (1-p) x or (1-p)^2 x
    if name == "source 001":
        assert abs(drop_rate_z(out, p)) > 4  # nothing is ever dropped


# --------------------------------------------------------------------------- torch twin
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_forward_equals_torch_given_the_same_mask(p, dtype):
    x = torch.randn(4000, generator=torch.Generator().manual_seed(0), dtype=dtype)
    x[x == 0] = 1.0
    torch.manual_seed(1)
    ref = F.dropout(x, p, training=True)
    keep = ref != 0  # torch's own keep pattern
    assert torch.equal(x * T._scaled_mask(keep, p, dtype), ref)  # bit for bit
    ours = T.dropout(x, p, generator=torch.Generator().manual_seed(2))
    assert torch.equal(ours, x * T._scaled_mask(ours != 0, p, dtype))
    both = keep & (ours != 0)
    assert both.any() and torch.equal(ours[both], ref[both])


def test_numpy_and_torch_outputs_equal_given_the_same_mask():
    x = np.random.default_rng(0).standard_normal((30, 7))
    out, cache = D.dropout_forward(x, p=0.35, training=True, rng=4)
    twin = torch.from_numpy(x) * T._scaled_mask(torch.from_numpy(cache.mask != 0), 0.35, torch.float64)
    np.testing.assert_array_equal(twin.numpy(), out)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_autograd_gradient_is_mask_times_dout(dtype):
    x = torch.randn(6, 5, dtype=dtype, generator=torch.Generator().manual_seed(0), requires_grad=True)
    dout = torch.randn(6, 5, dtype=dtype, generator=torch.Generator().manual_seed(1))
    out = T.dropout(x, 0.4, generator=torch.Generator().manual_seed(2))
    mask = T.dropout(torch.ones(6, 5, dtype=dtype), 0.4, generator=torch.Generator().manual_seed(2))
    assert set(mask.unique().tolist()) == {0.0, float(torch.tensor(1 / 0.6, dtype=dtype))}
    out.backward(dout)
    assert torch.equal(x.grad, mask * dout)
    assert out.dtype == dtype and mask.dtype == dtype


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_torch_dtype_device_eval_and_generator(dtype):
    x = torch.ones(3, 8, dtype=dtype)
    out = T.dropout(x, 0.5, generator=torch.Generator().manual_seed(0))
    assert out.dtype == dtype and out.device == x.device and out.shape == x.shape
    assert set(out.unique().tolist()) == {0.0, 2.0}
    assert T.dropout(x, 0.5, training=False) is x
    a = T.dropout(x, 0.5, generator=torch.Generator().manual_seed(3))
    b = T.dropout(x, 0.5, generator=torch.Generator().manual_seed(3))
    c = T.dropout(x, 0.5, generator=torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    state = torch.get_rng_state()
    T.dropout(x, 0.5, generator=torch.Generator().manual_seed(3))
    assert torch.equal(torch.get_rng_state(), state)  # an explicit generator leaves the global one alone


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available: the CUDA device test is skipped")
def test_torch_on_cuda():
    x = torch.ones(1000, 10, device="cuda")
    g = torch.Generator(device="cuda").manual_seed(0)
    out = T.dropout(x, 0.3, generator=g)
    assert out.device == x.device and out.dtype == x.dtype
    assert abs(drop_rate_z(out.cpu().numpy(), 0.3)) < 4
    with pytest.raises(ValueError, match="'generator' parameter of dropout"):
        T.dropout(x, 0.3, generator=torch.Generator())


def test_dropout_module_is_thin():
    layer = T.Dropout(p=0.3)
    assert repr(layer) == "Dropout(p=0.3)" and list(layer.parameters()) == [] and layer.state_dict() == {}
    x = torch.ones(200, 50)
    torch.manual_seed(0)
    out = layer(x)
    assert set(out.unique().tolist()) == {0.0, float(torch.tensor(1 / 0.7))}
    assert torch.equal(layer.eval()(x), x)


# --------------------------------------------------------------------------- DropConnect
def test_dropconnect_toy_and_shared_mask():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [0.0, -1.0, 2.0]])  # rows 0 and 1 are equal
    W = np.arange(1.0, 7.0).reshape(3, 2)
    b = np.array([0.5, -0.5])
    out, cache = D.dropconnect_forward(x, W, b, p=0.5, training=True, rng=2)
    keep = np.random.default_rng(2).random((3, 2)) >= 0.5
    assert 0 < keep.sum() < keep.size
    np.testing.assert_array_equal(cache.mask, keep / 0.5)
    np.testing.assert_allclose(out, x @ (keep * W / 0.5) + b, rtol=1e-15)
    np.testing.assert_array_equal(out[0], out[1])  # one mask for the whole mini-batch
    for training, p in [(False, 0.5), (True, 0.0)]:  # evaluation, and p = 0, are x W + b
        np.testing.assert_array_equal(D.dropconnect_forward(x, W, b, p=p, training=training, rng=0)[0], x @ W + b)


def test_dropconnect_expectation_and_variance_monte_carlo():
    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    p, n_draws = 0.4, 20_000
    gen = np.random.default_rng(1)
    outs = np.stack([D.dropconnect_forward(x, W, b, p=p, training=True, rng=gen)[0] for _ in range(n_draws)])
    mean_exact = x @ W + b
    var_exact = p / (1 - p) * (x ** 2) @ (W ** 2)  # independent masks per weight
    z_mean = (outs.mean(0) - mean_exact) / np.sqrt(var_exact / n_draws)
    sq = (outs - mean_exact) ** 2
    z_var = (sq.mean(0) - var_exact) / (sq.std(0) / np.sqrt(n_draws))
    assert np.all(np.abs(z_mean) < 4) and np.all(np.abs(z_var) < 4)


# --------------------------------------------------------------------------- MC dropout
def _linear_forward(w, p):
    def forward(x, rng):
        return D.dropout_forward(x, p=p, training=True, rng=rng)[0] @ w
    return forward


def test_mc_dropout_numpy_linear_model_exact_moments():
    rng = np.random.default_rng(0)
    x, w, p, n = rng.standard_normal((4, 5)), rng.standard_normal(5), 0.3, 20_000
    pred = D.mc_dropout_predict(_linear_forward(w, p), x, n_samples=n, rng=1)
    assert pred.samples.shape == (n, 4) and pred.mean.shape == (4,) and pred.var.shape == (4,)
    eval_pred = D.dropout_forward(x, p=p, training=False, rng=0)[0] @ w
    var_exact = p / (1 - p) * (x ** 2) @ (w ** 2)
    assert np.all(np.abs(pred.mean - eval_pred) / np.sqrt(var_exact / n) < 4)  # mean -> eval prediction
    assert np.all(pred.var > 0)
    assert rel_error(pred.var, var_exact) < 0.05
    np.testing.assert_array_equal(pred.mean, pred.samples.mean(0))
    again = D.mc_dropout_predict(_linear_forward(w, p), x, n_samples=n, rng=1)
    np.testing.assert_array_equal(again.samples, pred.samples)  # an int seed is reproducible
    zero = D.mc_dropout_predict(_linear_forward(w, 0.0), x, n_samples=5, rng=1)
    assert np.all(zero.var < 1e-30) and rel_error(zero.mean, x @ w) < 1e-15  # p = 0: no spread


def _bn_model(drop):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), drop, nn.Linear(8, 2)).double()


def test_mc_dropout_torch_linear_model_and_twin():
    w = torch.tensor([[1.0, -2.0, 0.5, 3.0]], dtype=torch.float64)
    model = nn.Sequential(T.Dropout(p=0.3), nn.Linear(4, 1, bias=False)).double().eval()
    with torch.no_grad():
        model[1].weight.copy_(w)
    x = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    n = 5_000
    mean, var = T.mc_dropout_predict(model, x, n_samples=n, generator=torch.Generator().manual_seed(1))
    eval_pred = model(x)
    var_exact = 0.3 / 0.7 * (x ** 2) @ (w ** 2).T
    assert mean.shape == (5, 1) and var.dtype == torch.float64
    assert torch.all((mean - eval_pred).abs() / (var_exact / n).sqrt() < 4)
    assert torch.all(var > 0) and rel_error(var.numpy(), var_exact.numpy()) < 0.05
    pred_np = D.mc_dropout_predict(_linear_forward(w.numpy()[0], 0.3), x.numpy(), n_samples=n, rng=2)
    assert rel_error(pred_np.var, var.numpy()[:, 0]) < 0.1  # the twins estimate the same variance


@pytest.mark.parametrize("drop", [T.Dropout(p=0.5), nn.Dropout(p=0.5)], ids=["regbook", "torch"])
@pytest.mark.parametrize("start_training", [False, True])
def test_mc_dropout_leaves_batchnorm_alone_and_restores_modes(drop, start_training):
    model = _bn_model(drop)
    model(torch.randn(16, 3, dtype=torch.float64))  # give batch norm non-trivial running statistics
    model.train(start_training)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    seen = []
    model[1].register_forward_hook(lambda m, i, o: seen.append((m.training, model[3].training)))
    x = torch.randn(10, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    mean, var = T.mc_dropout_predict(model, x, n_samples=50, generator=torch.Generator().manual_seed(1))
    assert seen == [(False, True)] * 50  # batch norm in eval mode, dropout in training mode, during sampling
    assert all(m.training == start_training for m in model.modules())  # modes restored
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # running statistics untouched
    assert torch.all(var > 0) and mean.shape == (10, 2)


def test_mc_dropout_torch_generator_reproducible_and_modes_restored_on_error():
    model = _bn_model(T.Dropout(p=0.5)).train()
    x = torch.randn(4, 3, dtype=torch.float64)
    state = torch.get_rng_state()
    a = T.mc_dropout_predict(model, x, n_samples=10, generator=torch.Generator().manual_seed(5))
    b = T.mc_dropout_predict(model, x, n_samples=10, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert torch.equal(torch.get_rng_state(), state)  # the global stream is left as it was

    class Broken(nn.Module):
        def forward(self, x):
            raise RuntimeError("boom")

    broken = nn.Sequential(model, Broken()).train()
    with pytest.raises(RuntimeError, match="boom"):
        T.mc_dropout_predict(broken, x, n_samples=3)
    assert all(m.training for m in broken.modules())


# --------------------------------------------------------------------------- bad input
X2 = np.ones((3, 4))
W2, B2 = np.ones((4, 2)), np.ones(2)
XT = torch.ones(3, 4)
_, TRAIN_CACHE = D.dropout_forward(X2, p=0.5, training=True, rng=0)


def _np_fwd(**kw):
    args = dict(x=X2, p=0.5, training=True, rng=0) | kw
    return lambda: D.dropout_forward(args.pop("x"), **args)


def _dc_fwd(**kw):
    args = dict(x=X2, W=W2, b=B2, p=0.5, training=True, rng=0) | kw
    return lambda: D.dropconnect_forward(args.pop("x"), args.pop("W"), args.pop("b"), **args)


def _lin(x, rng):
    return x


BAD = [  # (call, exception, fragments the message must contain)
    (_np_fwd(p=1.5), ValueError, ["'p'", "dropout_forward", "[0, 1)", "Got 1.5"]),
    (_np_fwd(p=1.0), ValueError, ["'p'", "[0, 1)", "Got 1.0", "every unit is dropped", "divides by zero"]),
    (_np_fwd(p=-0.1), ValueError, ["'p'", "[0, 1)", "Got -0.1"]),
    (_np_fwd(p="0.5"), TypeError, ["'p'", "a float", "'0.5'"]),
    (_np_fwd(p=None), TypeError, ["'p'", "None"]),
    (_np_fwd(training=1), TypeError, ["'training'", "a bool", "Got 1"]),
    (_np_fwd(rng=None), TypeError, ["'rng'", "numpy.random.Generator", "Got None"]),
    (_np_fwd(rng=-1), TypeError, ["'rng'", "non-negative int", "Got -1"]),
    (_np_fwd(x=np.array([1.0, np.nan])), ValueError, ["'x'", "finite", "1 NaN"]),
    (_np_fwd(x=np.array([np.inf, 1.0])), ValueError, ["'x'", "finite", "1 infinite"]),
    (_np_fwd(x="abc"), TypeError, ["'x'", "array of numbers"]),
    (lambda: D.dropout_forward(X2, p=0.5, training=True), TypeError, ["rng"]),  # rng missing
    (lambda: D.dropout_backward(np.ones((2, 2)), TRAIN_CACHE), ValueError, ["'dout'", "(3, 4)", "(2, 2)"]),
    (lambda: D.dropout_backward(X2, (None, 0.5, True)), TypeError, ["'cache'", "DropoutCache", "tuple"]),
    (lambda: D.dropout_backward(np.full((3, 4), np.nan), TRAIN_CACHE), ValueError, ["'dout'", "finite"]),
    (_dc_fwd(x=np.ones(4)), ValueError, ["'x'", "2D", "got 1D"]),
    (_dc_fwd(x=np.ones((3, 4, 1))), ValueError, ["'x'", "2D", "got 3D"]),
    (_dc_fwd(W=np.ones((5, 2))), ValueError, ["'W'", "(4, n_out)", "(5, 2)"]),
    (_dc_fwd(W=np.ones(4)), ValueError, ["'W'", "2D", "got 1D"]),
    (_dc_fwd(b=np.ones(3)), ValueError, ["'b'", "(2,)", "(3,)"]),
    (_dc_fwd(W=np.full((4, 2), np.inf)), ValueError, ["'W'", "finite", "8 infinite"]),
    (_dc_fwd(p=1.0), ValueError, ["'p'", "dropconnect_forward", "[0, 1)", "Got 1.0"]),
    (_dc_fwd(rng=None), TypeError, ["'rng'", "dropconnect_forward", "Got None"]),
    (lambda: D.dropconnect_backward(np.ones((3, 3)), D.dropconnect_forward(X2, W2, B2, p=0.5, training=True, rng=0)[1]),
     ValueError, ["'dout'", "(3, 2)", "(3, 3)"]),
    (lambda: D.mc_dropout_predict(_lin, X2, n_samples=1, rng=0), ValueError, ["'n_samples'", "[2, inf)", "Got 1"]),
    (lambda: D.mc_dropout_predict(_lin, X2, n_samples=2.5, rng=0), TypeError, ["'n_samples'", "an int", "2.5"]),
    (lambda: D.mc_dropout_predict("model", X2, n_samples=5, rng=0), TypeError, ["'forward'", "callable", "'model'"]),
    (lambda: D.mc_dropout_predict(_lin, X2, n_samples=5, rng=None), TypeError, ["'rng'", "Got None"]),
    (lambda: D.mc_dropout_predict(_lin, np.full(3, np.nan), n_samples=5, rng=0), ValueError, ["'x'", "finite"]),
    (lambda: T.dropout(XT, p=1.5), ValueError, ["'p'", "dropout", "[0, 1)", "Got 1.5"]),
    (lambda: T.dropout(XT, p=float("nan")), ValueError, ["'p'", "[0, 1)", "nan"]),
    (lambda: T.dropout(X2, p=0.5), TypeError, ["'x'", "torch.Tensor", "ndarray"]),
    (lambda: T.dropout(torch.ones(3, dtype=torch.int64), p=0.5), TypeError, ["'x'", "floating-point", "int64"]),
    (lambda: T.dropout(torch.tensor([1.0, float("nan")])), ValueError, ["'x'", "finite", "1 NaN"]),
    (lambda: T.dropout(torch.tensor([float("inf")])), ValueError, ["'x'", "finite", "1 infinite"]),
    (lambda: T.dropout(XT, training="yes"), TypeError, ["'training'", "a bool", "'yes'"]),
    (lambda: T.dropout(XT, generator=0), TypeError, ["'generator'", "torch.Generator", "Got 0"]),
    (lambda: T.Dropout(p=1.0), ValueError, ["'p'", "Dropout", "[0, 1)", "Got 1.0", "divides by zero"]),
    (lambda: T.Dropout(p="half"), TypeError, ["'p'", "Dropout", "'half'"]),
    (lambda: T.mc_dropout_predict(_lin, XT, n_samples=5), TypeError, ["'model'", "torch.nn.Module", "function"]),
    (lambda: T.mc_dropout_predict(nn.Identity(), XT, n_samples=0), ValueError, ["'n_samples'", "[2, inf)", "Got 0"]),
    (lambda: T.mc_dropout_predict(nn.Identity(), torch.tensor([float("nan")]), n_samples=5), ValueError,
     ["'x'", "finite"]),
    (lambda: T.mc_dropout_predict(nn.Identity(), XT, n_samples=5, generator=np.random.default_rng(0)), TypeError,
     ["'generator'", "torch.Generator", "Generator"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))
