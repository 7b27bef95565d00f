"""Tests for regbook.checks: toy cases, finite-difference accuracy, one-line failures, bad inputs."""

import numpy as np
import pytest

from regbook.checks import (
    CheckError,
    assert_close,
    assert_gradient,
    error_bound,
    gradient_check,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)


def cube_sum(v):
    return np.sum(v**3)


# --------------------------------------------------------------------------- rel_error
@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (1.0, 1.0, 0.0),
        (1.0, 3.0, 0.5),  # |1 - 3| / (1 + 3)
        (0.0, 0.0, 0.0),  # eps guards 0 / 0
        (-1.0, 1.0, 1.0),  # opposite signs: the maximum
        ([1.0, 2.0], [1.0, 6.0], 0.5),  # the max over elements
        ([[0.0, 1e-20]], [[0.0, 0.0]], 1e-8),  # the eps floor: 1e-20 / max(1e-12, 1e-20)
    ],
)
def test_rel_error_by_hand(x, y, expected):
    out = rel_error(x, y)
    assert type(out) is float
    assert out == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_rel_error_symmetric_and_eps():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])
    assert rel_error(x, y) == rel_error(y, x)
    assert rel_error(1e-13, 0.0, eps=1.0) == pytest.approx(1e-13)


def test_rel_error_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*shape \(3, 2\)"):
        rel_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_rel_error_nan_propagates():
    assert np.isnan(rel_error([np.nan], [1.0]))


# --------------------------------------------------------------------------- numerical gradients
def test_numerical_gradient_cube_matches_3x2():
    x = np.random.default_rng(0).normal(size=(3, 4))
    grad = numerical_gradient(cube_sum, x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    assert rel_error(grad, 3 * x**2) < 1e-8


def test_numerical_gradient_scalar_input():
    g = numerical_gradient(lambda t: np.sin(t), 0.3)
    assert g.shape == ()
    assert float(g) == pytest.approx(np.cos(0.3), rel=1e-9)


def test_numerical_gradient_leaves_x_unchanged_and_sees_perturbation_through_closure():
    W = np.random.default_rng(1).normal(size=(2, 3))
    W_before = W.copy()
    grad = numerical_gradient(lambda _: np.sum(W**2), W)  # CS231n pattern: f reads W itself
    np.testing.assert_array_equal(W, W_before)
    assert rel_error(grad, 2 * W) < 1e-8


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0])

    def boom(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(boom, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_gradient_does_not_modify_int_or_list_input():
    x = [1, 2, 3]
    g = numerical_gradient(cube_sum, x)
    assert x == [1, 2, 3]
    assert rel_error(g, 3 * np.array(x, float) ** 2) < 1e-8


def test_numerical_gradient_array_linear_map_is_WT_df():
    rng = np.random.default_rng(2)
    W, x, df = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=4)
    x_before = x.copy()
    dx = numerical_gradient_array(lambda v: W @ v, x, df)
    np.testing.assert_array_equal(x, x_before)
    assert rel_error(dx, W.T @ df) < 1e-8


def test_numerical_gradient_array_elementwise_layer():
    x = np.random.default_rng(3).normal(size=(2, 5))
    df = np.random.default_rng(4).normal(size=(2, 5))
    dx = numerical_gradient_array(np.tanh, x, df)
    assert rel_error(dx, (1 - np.tanh(x) ** 2) * df) < 1e-8


def test_numerical_gradient_array_handles_f_returning_a_view_of_x():
    x = np.array([1.0, 2.0])
    dx = numerical_gradient_array(lambda v: v, x, np.array([3.0, 5.0]))  # identity returns x itself
    assert rel_error(dx, [3.0, 5.0]) < 1e-8


def test_gradient_check_good_and_bad():
    x = np.array([0.5, -1.0, 2.0])
    assert gradient_check(cube_sum, x, 3 * x**2) < 1e-8
    assert gradient_check(cube_sum, x, 2 * x**2) > 0.1


# --------------------------------------------------------------------------- assert_close / assert_gradient
def test_assert_close_passes_and_returns_rel_error():
    assert assert_close([1.0, 2.0], [1.0, 2.0]) == 0.0
    err = assert_close(1.0 + 1e-9, 1.0, rtol=1e-8)
    assert 0 < err < 1e-8


def test_assert_close_message_is_one_line_with_everything():
    actual = np.zeros((3, 4))
    expected = np.zeros((3, 4))
    actual[2, 3] = 0.5
    with pytest.raises(CheckError) as info:
        assert_close(actual, expected, rtol=1e-7, name="dropout_forward output")
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("dropout_forward output: expected rel_error <= 1e-07")
    assert "got 1 " in msg and "max abs diff 0.5 at index (2, 3)" in msg
    assert isinstance(info.value, AssertionError)  # pytest and plain `assert` users see a failure


def test_assert_close_shape_mismatch_is_check_error():
    with pytest.raises(CheckError, match=r"^w: expected shape \(3,\), got shape \(2,\)\.$"):
        assert_close([1.0, 2.0], [1.0, 2.0, 3.0], name="w")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_assert_close_nonfinite_actual_fails(bad):
    with pytest.raises(CheckError, match=r"expected finite values.*index \(1,\)"):
        assert_close([1.0, bad], [1.0, 2.0], rtol=1.0)  # even with the loosest tolerance


def test_assert_gradient_good_passes_wrong_fails_one_line():
    x = np.random.default_rng(5).normal(size=(2, 3))
    assert assert_gradient(cube_sum, x, 3 * x**2) < 1e-7
    wrong = 3 * x**2
    wrong[1, 2] += 1.0
    with pytest.raises(CheckError) as info:
        assert_gradient(cube_sum, x, wrong, name="dW")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("dW: expected rel_error <= 1e-07 against the numerical gradient")
    assert "at index (1, 2)" in msg


def test_assert_gradient_wrong_shape_is_check_error():
    with pytest.raises(CheckError, match="expected shape"):
        assert_gradient(cube_sum, np.ones(3), np.ones((3, 1)))


def test_accepts_torch_tensors_without_grad_tracking():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0], requires_grad=True) * 2
    assert assert_close(t, [2.0, 4.0]) == 0.0


# --------------------------------------------------------------------------- error_bound
@pytest.mark.parametrize(
    ("err", "kwargs", "expected"),
    [
        (0.0, {}, "< 1e-12"),
        (2.2e-16, {}, "< 1e-12"),  # rounding noise: the same text on every machine
        (1e-12, {}, "< 1e-11"),  # the bound is strict
        (3.4e-9, {}, "< 1e-08"),
        (np.float64(0.31), {}, "< 1e+00"),
        (5.0, {}, "< 1e+01"),
        (3e-8, {"floor": 1e-6}, "< 1e-06"),
        (3e-3, {"floor": 1e-6}, "< 1e-02"),
    ],
)
def test_error_bound_by_hand(err, kwargs, expected):
    assert error_bound(err, **kwargs) == expected


def test_error_bound_is_an_upper_bound():
    for err in np.geomspace(1e-12, 1e3, 200):
        bound = float(error_bound(err).removeprefix("< "))
        assert err < bound <= 10 * err * (1 + 1e-12)


# --------------------------------------------------------------------------- bad inputs
ok_f = cube_sum
BAD_INPUTS = [
    (rel_error, dict(x=1.0, y=1.0, eps=0.0), ValueError, "'eps' parameter of rel_error must be a float in the range (0.0, inf). Got 0.0"),
    (rel_error, dict(x="a", y=1.0), TypeError, "'x' parameter of rel_error must be an array of numbers"),
    (numerical_gradient, dict(f=ok_f, x=[1.0], h=0.0), ValueError, "'h' parameter of numerical_gradient must be a float in the range (0.0, inf). Got 0.0"),
    (numerical_gradient, dict(f=ok_f, x=[1.0], h=-1e-3), ValueError, "Got -0.001 instead"),
    (numerical_gradient, dict(f=ok_f, x=[1.0], h="1e-6"), TypeError, "'h' parameter of numerical_gradient"),
    (numerical_gradient, dict(f=3.0, x=[1.0]), TypeError, "'f' parameter of numerical_gradient must be a callable. Got 3.0 instead."),
    (numerical_gradient, dict(f=ok_f, x=[1.0, np.nan]), ValueError, "'x' parameter of numerical_gradient must contain only finite"),
    (numerical_gradient, dict(f=ok_f, x=[np.inf]), ValueError, "finite values. Got an array with 0 NaN and 1 infinite"),
    (numerical_gradient, dict(f=lambda v: v, x=[1.0, 2.0]), ValueError, "must return a scalar; got an output of shape (2,)"),
    (numerical_gradient_array, dict(f=np.tanh, x=[1.0], df=[1.0], h=0), ValueError, "'h' parameter of numerical_gradient_array"),
    (numerical_gradient_array, dict(f=None, x=[1.0], df=[1.0]), TypeError, "'f' parameter of numerical_gradient_array must be a callable. Got None instead."),
    (numerical_gradient_array, dict(f=np.tanh, x=[1.0, 2.0], df=[1.0]), ValueError, "'df' parameter of numerical_gradient_array must have the shape of f(x), (2,). Got an array of shape (1,)"),
    (numerical_gradient_array, dict(f=np.tanh, x=[1.0], df=[np.nan]), ValueError, "'df' parameter of numerical_gradient_array must contain only finite"),
    (gradient_check, dict(f=ok_f, x=[1.0, 2.0], analytic_grad=[1.0]), ValueError, "analytic_grad of shape (1,) and x of shape (2,)"),
    (gradient_check, dict(f=ok_f, x=[np.nan], analytic_grad=[1.0]), ValueError, "'x' parameter of gradient_check must contain only finite"),
    (gradient_check, dict(f=ok_f, x=[1.0], analytic_grad=[1.0], h=0.0), ValueError, "'h' parameter of gradient_check"),
    (assert_close, dict(actual=1.0, expected=1.0, rtol=-1e-7), ValueError, "'rtol' parameter of assert_close must be a float in the range [0.0, inf). Got -1e-07"),
    (assert_close, dict(actual=1.0, expected=np.inf), ValueError, "'expected' parameter of assert_close must contain only finite"),
    (assert_gradient, dict(f="f", x=[1.0], analytic_grad=[1.0]), TypeError, "'f' parameter of assert_gradient must be a callable. Got 'f' instead."),
    (assert_gradient, dict(f=ok_f, x=[1.0], analytic_grad=[1.0], h=0.0), ValueError, "'h' parameter of assert_gradient"),
    (assert_gradient, dict(f=ok_f, x=[1.0], analytic_grad=[1.0], rtol=np.nan), ValueError, "'rtol' parameter of assert_gradient"),
    (assert_gradient, dict(f=ok_f, x=[np.nan], analytic_grad=[1.0]), ValueError, "'x' parameter of assert_gradient must contain only finite"),
    (error_bound, dict(err=-1e-3), ValueError, "'err' parameter of error_bound must be a float in the range [0.0, inf). Got -0.001"),
    (error_bound, dict(err=np.nan), ValueError, "'err' parameter of error_bound must be a float in the range [0.0, inf). Got nan"),
    (error_bound, dict(err=np.inf), ValueError, "'err' parameter of error_bound must be a float in the range [0.0, inf). Got inf"),
    (error_bound, dict(err=np.ones(2)), TypeError, "'err' parameter of error_bound must be a float"),
    (error_bound, dict(err=1e-3, floor=2e-6), ValueError, "'floor' parameter of error_bound must be a power of ten in (0, 1]. Got 2e-06"),
    (error_bound, dict(err=1e-3, floor=0.0), ValueError, "'floor' parameter of error_bound must be a float in the range (0.0, 1.0]. Got 0.0"),
]


@pytest.mark.parametrize(("func", "kwargs", "exc", "message"), BAD_INPUTS, ids=lambda v: getattr(v, "__name__", None))
def test_bad_inputs(func, kwargs, exc, message):
    with pytest.raises(exc) as info:
        func(**kwargs)
    assert message in str(info.value)
    assert not isinstance(info.value, CheckError)  # bad input is the caller's error, not a failed check
