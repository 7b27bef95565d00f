"""regbook.np.time_series: lag matrices, forward-chaining splits, out-of-sample R², bad input."""

import numpy as np
import pytest
from sklearn.metrics import r2_score
from sklearn.model_selection import TimeSeriesSplit

from regbook.np.estimators import Ridge
from regbook.np.time_series import forward_chaining_splits, lag_matrix, oos_r2


def _pairs(splits):
    return [(tr.tolist(), va.tolist()) for tr, va in splits]


# --------------------------------------------------------------------------- layer 1: toy cases
def test_lag_matrix_by_hand():
    lm = lag_matrix(np.arange(6.0), 3)
    assert lm.X.tolist() == [[2, 1, 0], [3, 2, 1], [4, 3, 2]]
    assert lm.y.tolist() == [3, 4, 5] and lm.target_index.tolist() == [3, 4, 5]


def test_lag_matrix_horizon_skips_ahead():
    lm = lag_matrix(np.arange(6.0), 2, horizon=3)
    assert lm.X.tolist() == [[1, 0], [2, 1]]
    assert lm.y.tolist() == [4, 5] and lm.target_index.tolist() == [4, 5]


def test_lag_matrix_several_series_lag_major():
    s = np.column_stack([np.arange(4.0), 10 + np.arange(4.0)])   # two series
    lm = lag_matrix(s, 2)
    # columns: (series 0, lag 1), (series 1, lag 1), (series 0, lag 2), (series 1, lag 2)
    assert lm.X.tolist() == [[1, 11, 0, 10], [2, 12, 1, 11]]
    assert lm.y.tolist() == [[2, 12], [3, 13]]


def test_lag_matrix_smallest_problem():
    lm = lag_matrix([1.0, 2.0], 1)
    assert lm.X.tolist() == [[1.0]] and lm.y.tolist() == [2.0]


def test_forward_chaining_by_hand():
    assert _pairs(forward_chaining_splits(10, n_splits=3, min_train=4)) == [
        ([0, 1, 2, 3], [4, 5]), ([0, 1, 2, 3, 4, 5], [6, 7]), ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])]
    assert _pairs(forward_chaining_splits(10, n_splits=2, min_train=3, gap=2, test_size=2)) == [
        ([0, 1, 2, 3], [6, 7]), ([0, 1, 2, 3, 4, 5], [8, 9])]


def test_forward_chaining_largest_blocks_respect_min_train():
    # (11 - 4 - 0) // 3 = 2: blocks of 2, first training set 11 - 6 = 5 >= 4
    splits = forward_chaining_splits(11, n_splits=3, min_train=4)
    assert [len(va) for _, va in splits] == [2, 2, 2] and len(splits[0][0]) == 5


def test_oos_r2_by_hand():
    assert oos_r2([1.0, -1.0], [0.0, 0.0], [0.0, 0.0]) == 0.0        # the benchmark itself
    assert oos_r2([1.0, 3.0], [1.0, 3.0], 2.0) == 1.0                # perfect forecast
    assert oos_r2([1.0, 3.0], [3.0, 1.0], 2.0) == pytest.approx(-3.0)


# --------------------------------------------------------------------------- layer 2: properties and optimality
@pytest.mark.parametrize("n,J,min_train,gap", [(50, 5, 10, 0), (50, 3, 7, 4), (23, 1, 1, 0), (100, 7, 30, 9)])
def test_forward_chaining_properties(n, J, min_train, gap):
    splits = forward_chaining_splits(n, n_splits=J, min_train=min_train, gap=gap)
    m = len(splits[0][1])
    assert len(splits) == J and m == (n - min_train - gap) // J
    assert splits[-1][1][-1] == n - 1                                   # blocks end at the last sample
    blocks = np.concatenate([va for _, va in splits])
    np.testing.assert_array_equal(blocks, np.arange(n - J * m, n))      # contiguous, no overlap
    for tr, va in splits:
        assert tr[0] == 0 and np.all(np.diff(tr) == 1) and len(tr) >= min_train
        assert va[0] - tr[-1] == gap + 1                                 # exactly `gap` left out
    assert all(len(a[0]) < len(b[0]) for a, b in zip(splits, splits[1:]))  # expanding window


def test_lag_matrix_matches_a_loop_and_recovers_an_ar2():
    rng = np.random.default_rng(0)
    n, w = 4000, np.array([0.6, -0.3])
    s = np.zeros(n)
    for t in range(2, n):
        s[t] = w[0] * s[t - 1] + w[1] * s[t - 2] + rng.standard_normal()
    lm = lag_matrix(s, 5)
    loop = np.array([[s[t - k] for k in range(1, 6)] for t in range(5, n)])
    np.testing.assert_array_equal(lm.X, loop)
    np.testing.assert_array_equal(lm.y, s[5:])
    # least squares on the lag matrix is the (conditional) maximum-likelihood AR fit
    coef = Ridge(alpha=0.0).fit(lm.X, lm.y).coef_
    np.testing.assert_allclose(coef, [0.6, -0.3, 0, 0, 0], atol=0.05)
    # the normal equations hold at the fit: X_c^T (y - X w - b) = 0
    model = Ridge(alpha=0.0).fit(lm.X, lm.y)
    resid = lm.y - model.predict(lm.X)
    assert np.max(np.abs(lm.X.T @ resid)) < 1e-8 * np.abs(lm.X).sum()


def test_oos_r2_is_one_minus_mse_ratio():
    rng = np.random.default_rng(1)
    y, f, b = rng.standard_normal((3, 30))
    expected = 1 - np.mean((y - f) ** 2) / np.mean((y - b) ** 2)
    assert oos_r2(y, f, b) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- layer 3: parity with scikit-learn
@pytest.mark.parametrize("n,J,test_size,gap", [(20, 3, 4, 0), (57, 5, 6, 2), (100, 4, 20, 10), (9, 2, 1, 0)])
def test_forward_chaining_matches_sklearn_with_explicit_test_size(n, J, test_size, gap):
    ours = forward_chaining_splits(n, n_splits=J, min_train=1, gap=gap, test_size=test_size)
    theirs = list(TimeSeriesSplit(n_splits=J, test_size=test_size, gap=gap).split(np.zeros(n)))
    assert _pairs(ours) == _pairs(theirs)


@pytest.mark.parametrize("n,J", [(20, 3), (57, 5), (101, 4)])
def test_forward_chaining_matches_sklearn_defaults(n, J):
    # scikit-learn's default block is n // (J + 1); the same blocks leave n - J * (n // (J + 1)) to train
    min_train = n - J * (n // (J + 1))
    ours = forward_chaining_splits(n, n_splits=J, min_train=min_train)
    assert _pairs(ours) == _pairs(TimeSeriesSplit(n_splits=J).split(np.zeros(n)))


def test_oos_r2_with_mean_benchmark_is_sklearn_r2():
    rng = np.random.default_rng(2)
    y, f = rng.standard_normal((2, 25))
    assert oos_r2(y, f, np.full(25, y.mean())) == pytest.approx(r2_score(y, f), rel=1e-12)


# --------------------------------------------------------------------------- bad input
NAN = float("nan")
BAD = [
    # (function, args, kwargs, exception, fragments of the message)
    (lag_matrix, ([1.0, 2.0, 3.0], 0), {}, ValueError, ["'n_lags'", "lag_matrix", "[1, inf)", "Got 0"]),
    (lag_matrix, ([1.0, 2.0, 3.0], 1.5), {}, TypeError, ["'n_lags'", "int", "Got 1.5"]),
    (lag_matrix, ([1.0, 2.0, 3.0], 3), {}, ValueError, ["'n_lags'", "at most n_samples - horizon = 2", "Got 3"]),
    (lag_matrix, ([1.0, 2.0, 3.0], 1), {"horizon": 0}, ValueError, ["'horizon'", "[1, inf)", "Got 0"]),
    (lag_matrix, ([1.0, NAN, 3.0], 1), {}, ValueError, ["'series'", "finite", "1 NaN"]),
    (lag_matrix, (np.zeros((3, 2, 2)), 1), {}, ValueError, ["'series'", "1D or 2D", "got 3D"]),
    (lag_matrix, ("abc", 1), {}, TypeError, ["'series'", "array of numbers"]),
    (forward_chaining_splits, (1,), {"n_splits": 1, "min_train": 1}, ValueError,
     ["'n_samples'", "[2, inf)", "Got 1"]),
    (forward_chaining_splits, (10,), {"n_splits": 0, "min_train": 1}, ValueError,
     ["'n_splits'", "[1, 9]", "Got 0"]),
    (forward_chaining_splits, (10,), {"n_splits": 3, "min_train": 8}, ValueError,
     ["'min_train'", "[1, 7]", "Got 8"]),
    (forward_chaining_splits, (10,), {"n_splits": 3, "min_train": 5, "gap": 3}, ValueError,
     ["'gap'", "[0, 2]", "Got 3"]),
    (forward_chaining_splits, (10,), {"n_splits": 3, "min_train": 4, "test_size": 3}, ValueError,
     ["'test_size'", "[1, 2]", "Got 3"]),
    (forward_chaining_splits, (10.0,), {"n_splits": 3, "min_train": 4}, TypeError, ["'n_samples'", "Got 10.0"]),
    (oos_r2, ([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]), {}, ValueError, ["'y_bench'", "perfect benchmark"]),
    (oos_r2, ([1.0, 2.0], [1.0, float("inf")], 0.0), {}, ValueError, ["'y_pred'", "finite", "1 infinite"]),
    (oos_r2, ([1.0, 2.0], [1.0], 0.0), {}, ValueError, ["Inconsistent", "y_true has 2", "y_pred has 1"]),
]


@pytest.mark.parametrize("func,args,kwargs,exc,fragments", BAD,
                         ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, args, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        func(*args, **kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)
