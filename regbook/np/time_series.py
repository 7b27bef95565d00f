r"""Time series as regression: lag matrices, forward-chaining splits, out-of-sample R².

An autoregressive model of order :math:`p`, AR(:math:`p`), predicts a series from its own
past,

.. math::

    y_{t+h-1} = b + \sum_{k=1}^{p} w_k\, y_{t-k} + \varepsilon_t ,

so once the lagged values are laid out as the columns of a matrix (:func:`lag_matrix`) it
is an ordinary linear regression, and ridge, lasso and elastic net apply unchanged. What
does not apply unchanged is validation: the rows are ordered in time, neighbouring rows
share values, and the model will be used on the future. :func:`forward_chaining_splits`
(rolling origin, expanding window) always trains on the past and validates on the block
that follows, optionally leaving a ``gap`` between them. :func:`oos_r2` scores forecasts
against a benchmark forecast, such as the historical mean.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import check_array, check_consistent_length, check_int, param_error

__all__ = ["LagMatrix", "forward_chaining_splits", "lag_matrix", "oos_r2"]


class LagMatrix(NamedTuple):
    """Design matrix of lagged values and the targets it predicts.

    Attributes
    ----------
    X : ndarray of shape (n_rows, n_lags * n_series)
        Row ``i`` holds the values at times ``t-1, ..., t-n_lags`` (lag 1 first; within a
        lag, the series in their column order), with ``t = target_index[i] - horizon + 1``.
    y : ndarray of shape (n_rows,) or (n_rows, n_series)
        The value at time ``target_index[i]`` (same trailing shape as ``series``).
    target_index : ndarray of shape (n_rows,)
        Time index of each target, ``n_lags + horizon - 1 + i``.
    """

    X: np.ndarray
    y: np.ndarray
    target_index: np.ndarray


def lag_matrix(series, n_lags, *, horizon=1) -> LagMatrix:
    r"""Lay out a series as a regression problem: lagged values as features.

    .. math::

        X_{i,\,(k-1)m + j} = s_{t_i - k,\ j}, \qquad y_i = s_{t_i + h - 1}, \qquad
        t_i = p + i, \quad k = 1, \dots, p, \quad i = 0, \dots, n - p - h

    for a series :math:`s` with :math:`n` time steps and :math:`m` columns, :math:`p` =
    ``n_lags`` and :math:`h` = ``horizon``. With :math:`h = 1` this is the one-step-ahead
    AR(:math:`p`) problem; :math:`h > 1` gives the *direct* :math:`h`-step forecast, whose
    errors at neighbouring rows are correlated (their targets are :math:`h-1` steps apart
    or less, and their features overlap).

    Parameters
    ----------
    series : array_like of shape (n_samples,) or (n_samples, n_series)
        Values in time order, finite.
    n_lags : int
        Number of lags :math:`p \ge 1`.
    horizon : int, default=1
        Steps ahead :math:`h \ge 1`; ``n_lags + horizon`` must not exceed ``n_samples``.

    Returns
    -------
    LagMatrix
        ``X`` of shape (n_samples - n_lags - horizon + 1, n_lags * n_series), ``y`` of
        shape (n_rows,) or (n_rows, n_series), ``target_index`` of shape (n_rows,).

    Examples
    --------
    >>> lm = lag_matrix([1.0, 2.0, 3.0, 4.0, 5.0], 2)
    >>> lm.X.tolist(), lm.y.tolist(), lm.target_index.tolist()
    ([[2.0, 1.0], [3.0, 2.0], [4.0, 3.0]], [3.0, 4.0, 5.0], [2, 3, 4])
    >>> lag_matrix([1.0, 2.0, 3.0, 4.0, 5.0], 2, horizon=2).y.tolist()
    [4.0, 5.0]
    """
    caller = "lag_matrix"
    s = check_array(series, "series", caller, ndim=(1, 2))
    n = s.shape[0]
    p = check_int(n_lags, "n_lags", caller, min_val=1)
    h = check_int(horizon, "horizon", caller, min_val=1)
    if p + h > n:
        raise ValueError(param_error("n_lags", caller, f"at most n_samples - horizon = {n - h}", p))
    n_rows = n - p - h + 1
    s2 = s.reshape(n, -1)                                          # (n, m)
    # column block k-1 holds lag k: rows t = p, ..., p + n_rows - 1 read s[t - k]
    X = np.hstack([s2[p - k:p - k + n_rows] for k in range(1, p + 1)])  # (n_rows, p * m)
    y = s[p + h - 1:]                                              # (n_rows,) or (n_rows, m)
    return LagMatrix(X, y, np.arange(p + h - 1, n))


def forward_chaining_splits(n_samples, *, n_splits, min_train, gap=0, test_size=None):
    r"""Rolling-origin (forward-chaining) splits: train on the past, validate on what follows.

    .. math::

        V_j = \{s_j, \dots, s_j + m - 1\}, \qquad T_j = \{0, \dots, s_j - g - 1\}, \qquad
        s_j = n - (J - j)\, m, \quad j = 0, \dots, J - 1

    with :math:`J` = ``n_splits`` consecutive validation blocks of :math:`m` =
    ``test_size`` samples that end at the last sample, and :math:`g` = ``gap`` samples
    left out between each training set and its block (so that rows whose targets or
    features overlap the block's are not trained on). The training sets grow (an
    expanding window); the first holds :math:`n - Jm - g \ge` ``min_train`` samples.
    By default :math:`m = \lfloor (n - \text{min\_train} - g)/J \rfloor`, the largest
    blocks that respect ``min_train``. The layout is scikit-learn's ``TimeSeriesSplit``:
    ``TimeSeriesSplit(n_splits, test_size=m, gap=g)`` gives the same indices.

    Parameters
    ----------
    n_samples : int
        :math:`n \ge 2`, the number of rows, in time order.
    n_splits : int
        Number of validation blocks :math:`J \ge 1`.
    min_train : int
        Smallest training-set size, :math:`\ge 1`.
    gap : int, default=0
        Samples :math:`g \ge 0` dropped between training set and validation block.
    test_size : int or None, default=None
        Block size :math:`m \ge 1`; None takes the largest one allowed.

    Returns
    -------
    list of n_splits tuples (train_idx, val_idx)
        Integer arrays in increasing order; every training index precedes every
        validation index of its pair by more than ``gap``.

    Examples
    --------
    >>> [(tr.tolist(), va.tolist()) for tr, va in forward_chaining_splits(7, n_splits=2, min_train=3)]
    [([0, 1, 2], [3, 4]), ([0, 1, 2, 3, 4], [5, 6])]
    >>> [(tr.tolist(), va.tolist()) for tr, va in forward_chaining_splits(7, n_splits=2, min_train=2, gap=1)]
    [([0, 1], [3, 4]), ([0, 1, 2, 3], [5, 6])]
    """
    caller = "forward_chaining_splits"
    n = check_int(n_samples, "n_samples", caller, min_val=2)
    J = check_int(n_splits, "n_splits", caller, min_val=1, max_val=n - 1)
    min_train = check_int(min_train, "min_train", caller, min_val=1, max_val=n - J)
    g = check_int(gap, "gap", caller, min_val=0, max_val=n - J - min_train)
    room = n - min_train - g                        # samples left for the J validation blocks
    if test_size is None:
        m = room // J
    else:
        m = check_int(test_size, "test_size", caller, min_val=1, max_val=room // J)
    starts = n - (J - np.arange(J)) * m             # s_j = n - (J - j) m
    return [(np.arange(s - g), np.arange(s, s + m)) for s in starts.tolist()]


def oos_r2(y_true, y_pred, y_bench) -> float:
    r"""Out-of-sample :math:`R^2` of a forecast relative to a benchmark forecast.

    .. math::

        R^2_{\text{OS}} = 1 - \frac{\sum_t (y_t - \hat y_t)^2}{\sum_t (y_t - \bar y_t)^2}

    where :math:`\bar y_t` is the benchmark, typically the historical mean of the
    training data (Campbell & Thompson 2008). Positive: the forecast beats the
    benchmark; zero: it ties; negative: it loses. Unlike the in-sample :math:`R^2` it is
    not bounded below.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n_samples,)
        Outcomes and forecasts, finite.
    y_bench : array_like of shape (n_samples,) or float
        Benchmark forecasts (a scalar is broadcast); not all equal to ``y_true``.

    Returns
    -------
    float

    Examples
    --------
    >>> round(oos_r2([1.0, -1.0], [0.5, -0.5], 0.0), 4)
    0.75
    >>> round(oos_r2([1.0, -1.0], [-1.0, 1.0], 0.0), 4)
    -3.0
    """
    caller = "oos_r2"
    y = check_array(y_true, "y_true", caller, ndim=1)
    f = check_array(y_pred, "y_pred", caller, ndim=1)
    b = check_array(y_bench, "y_bench", caller, ndim=(0, 1))
    b = np.broadcast_to(b, y.shape) if b.ndim == 0 else b
    check_consistent_length(caller, y_true=y, y_pred=f, y_bench=b)
    sse_bench = float(np.sum((y - b) ** 2))
    if sse_bench == 0.0:
        raise ValueError(param_error("y_bench", caller, "a forecast that differs from y_true somewhere",
                                     "a perfect benchmark (zero squared error)", raw=True))
    return 1.0 - float(np.sum((y - f) ** 2)) / sse_bench
