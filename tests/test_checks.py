"""Tests for regbook.checks: toy cases, finite-difference accuracy, one-line failures, bad inputs."""

import re

import numpy as np
import pytest

from regbook.checks import (
    CheckError,
    assert_close,
    assert_gradient,
    check_close,
    check_gradient,
    check_shape,
    check_statistic,
    check_true,
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



# --------------------------------------------------------------------------- exercise checks (check_*)
EX = "Exercise 3.1 soft_threshold"


def test_check_close_toy_cases_pass_and_return_the_error():
    assert check_close([0.5, 0.0, -1.0], [0.5, 0.0, -1.0], name=EX) == 0.0
    assert check_close(1.0, 1.0 + 1e-9, rtol=1e-8, name=EX) == pytest.approx(1e-9 / (2 + 1e-9))
    assert check_close(np.float32(2.0), 2.0, name=EX) == 0.0  # NumPy scalars and 0-d arrays count as numbers
    assert check_close((1, 2), [1.0, 2.0], rtol=0.0, name=EX) == 0.0  # tuples and ints
    # atol: an entry that is 1e-9 where the reference is exactly 0 has relative error 1, unless atol covers it
    with pytest.raises(CheckError, match=r"max rel\. error 1\)"):
        check_close([1e-9, 1.0], [0.0, 1.0], name=EX)
    assert check_close([1e-9, 1.0], [0.0, 1.0], atol=1e-8, name=EX) == 0.0


@pytest.mark.parametrize(
    ("got", "tail"),
    [
        (None, "got None."),
        ("0.5", "got a str."),
        ([0.5], "got an array of shape (1,): [0.5]."),
        ([[0.5, 0.0]], "got an array of shape (1, 2): [[0.5, 0. ]]."),
        ({"a": 1}, "got a dict."),
        ([0.5, np.nan], "got non-finite values: [0.5, nan]."),
        ([0.5, 0.3], "got [0.5, 0.3] (max rel. error 1)."),
        ([0.8, 0.0], "got [0.8, 0. ] (max rel. error 0.231)."),
    ],
)
def test_check_close_failures_are_one_line_and_name_the_exercise(got, tail):
    with pytest.raises(CheckError) as info:
        check_close(got, [0.5, 0.0], rtol=1e-6, name=EX)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg == f"{EX}: expected an array of shape (2,) close to [0.5, 0. ] (rtol 1e-06), {tail}"


def test_check_close_scalar_and_long_arrays_are_summarized():
    with pytest.raises(CheckError, match=r"^Ex 1: expected a number close to 2 \(rtol 1e-07\), got an array of shape \(1,\): \[2\.\]\.$"):
        check_close([2.0], 2.0, name="Ex 1")
    with pytest.raises(CheckError) as info:
        check_close(np.arange(100.0) + 1, np.arange(100.0), name="Ex 1")
    assert "..." in str(info.value) and len(str(info.value)) < 250


def test_check_close_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    assert check_close(torch.tensor([1.0, 2.0], requires_grad=True), [1.0, 2.0], rtol=1e-7, name=EX) == 0.0


def test_check_shape():
    check_shape(np.zeros((3, 2)), (3, 2), name=EX)
    for got, described in [(None, "None"), (np.zeros(3), "an array of shape (3,)"), ("x", "a str")]:
        with pytest.raises(CheckError, match=rf"^{EX}: expected a numeric array of shape \(3, 2\), got {re.escape(described)}"):
            check_shape(got, (3, 2), name=EX)


def test_check_gradient_right_passes_wrong_fails():
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: float(np.sum(np.sin(v)))  # noqa: E731
    assert check_gradient(f, x, np.cos(x), name="Exercise 2.2 grad") < 1e-8
    with pytest.raises(CheckError, match=r"^Exercise 2\.2 grad \(vs\. finite differences, h=1e-06\): expected an array of shape \(3,\)"):
        check_gradient(f, x, np.sin(x), name="Exercise 2.2 grad")
    with pytest.raises(CheckError, match=r"got None\.$"):
        check_gradient(f, x, None, name="Exercise 2.2 grad")


def test_check_statistic_toy_and_failures():
    assert check_statistic(0.5, 0.5, se=0.01, name="Ex 6.1") == 0.0
    assert check_statistic(np.array(0.46), 0.5, se=0.01, name="Ex 6.1") == pytest.approx(-4.0)
    for got, tail in [(0.55, "got 0.55 (z = 5)."), (None, "got None."), ([0.5, 0.5], "got an array of shape (2,)"),
                      (np.nan, "got nan.")]:
        with pytest.raises(CheckError, match=re.escape(tail)):
            check_statistic(got, 0.5, se=0.01, name="Ex 6.1")
    # a statistical check of a correct random answer: the mean of 10 000 Bernoulli(0.8) draws
    keep = np.random.default_rng(0).random(10_000) < 0.8
    assert abs(check_statistic(keep.mean(), 0.8, se=np.sqrt(0.8 * 0.2 / 10_000), name="Ex 6.1")) < 4


def test_check_true():
    check_true(np.bool_(True), name=EX, expected="exact zeros")
    for bad in (False, np.bool_(False), 1, None, "yes"):
        with pytest.raises(CheckError, match=rf"^{EX}: expected exact zeros, got "):
            check_true(bad, name=EX, expected="exact zeros")


CHECK_BAD_INPUTS = [
    (check_close, dict(got=1.0, expected=1.0, name=""), TypeError, "'name' parameter of check_close must be a non-empty str"),
    (check_close, dict(got=1.0, expected=1.0, name=3), TypeError, "'name' parameter of check_close must be a non-empty str"),
    (check_close, dict(got=1.0, expected=1.0, name=EX, rtol=-1.0), ValueError, "'rtol' parameter of check_close must be a float in the range [0.0, inf). Got -1.0"),
    (check_close, dict(got=1.0, expected=1.0, name=EX, atol=np.nan), ValueError, "'atol' parameter of check_close must be a float in the range [0.0, inf). Got nan"),
    (check_close, dict(got=1.0, expected=np.inf, name=EX), ValueError, "'expected' parameter of check_close must contain only finite"),
    (check_shape, dict(got=1.0, shape=[3], name=EX), TypeError, "'shape' parameter of check_shape must be a tuple of int. Got [3]"),
    (check_gradient, dict(f=None, x=[1.0], analytic=[1.0], name=EX), TypeError, "'f' parameter of check_gradient must be a callable"),
    (check_gradient, dict(f=ok_f, x=[np.inf], analytic=[1.0], name=EX), ValueError, "'x' parameter of check_gradient must contain only finite"),
    (check_gradient, dict(f=ok_f, x=[1.0], analytic=[1.0], name=EX, h=0.0), ValueError, "'h' parameter of check_gradient must be a float in the range (0.0, inf). Got 0.0"),
    (check_statistic, dict(got=1.0, expected=1.0, se=0.0, name=EX), ValueError, "'se' parameter of check_statistic must be a float in the range (0.0, inf). Got 0.0"),
    (check_statistic, dict(got=1.0, expected=np.inf, se=1.0, name=EX), ValueError, "'expected' parameter of check_statistic must be a float in the range (-inf, inf). Got inf"),
    (check_statistic, dict(got=1.0, expected=1.0, se=1.0, z=-1.0, name=EX), ValueError, "'z' parameter of check_statistic"),
    (check_true, dict(condition=True, name=EX, expected=None), TypeError, "'expected' parameter of check_true must be a str. Got None"),
]


@pytest.mark.parametrize(("func", "kwargs", "exc", "message"), CHECK_BAD_INPUTS, ids=lambda v: getattr(v, "__name__", None))
def test_check_bad_inputs(func, kwargs, exc, message):
    with pytest.raises(exc) as info:
        func(**kwargs)
    assert message in str(info.value)
    assert not isinstance(info.value, CheckError)
