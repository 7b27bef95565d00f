r"""K-fold cross-validation of a hyperparameter grid, from scratch.

The data are cut into :math:`k` folds :math:`V_1, \dots, V_k`; for each value
:math:`\lambda` of the grid and each fold :math:`j`, a fresh copy of the model is fitted
on the other folds and scored on :math:`V_j`. The :math:`n_\lambda \times k` fits are
independent, so they are dispatched with :class:`joblib.Parallel`: the same code runs
serially, on local processes (``n_jobs=2``) or on a Dask cluster
(``with joblib.parallel_config(backend="dask"):``). The folds are drawn from ``rng``
before anything is dispatched and the scores are gathered in order, so the result does
not depend on ``n_jobs`` or on the backend.

:mod:`regbook.np.model_selection` builds the one-standard-error rule, nested
cross-validation and the lasso path CV on these pieces.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone

from regbook._validation import (
    check_array, check_bool, check_consistent_length, check_int, check_option, check_rng,
    check_scalar, param_error,
)

__all__ = ["CVResult", "cross_val_grid", "kfold_indices", "log_grid"]

SCORINGS = ("mse", "error_rate")


class CVResult(NamedTuple):
    """Cross-validation scores of a grid of values (lower is better).

    Attributes
    ----------
    values : ndarray of shape (n_values,)
        The grid, in the order given.
    fold_scores : ndarray of shape (n_values, k)
        Score of each value on each validation fold.
    mean : ndarray of shape (n_values,)
        Mean over the folds, :math:`\\mathrm{CV}(\\lambda)`.
    std : ndarray of shape (n_values,)
        Standard deviation over the folds (``ddof=1``).
    se : ndarray of shape (n_values,)
        ``std / sqrt(k)``, the usual (approximate) standard error of ``mean``.
    best_index : int
        Index of the smallest ``mean`` (the first one in a tie).
    best_value : int or float
        ``values[best_index]``.
    """

    values: np.ndarray
    fold_scores: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    se: np.ndarray
    best_index: int
    best_value: float


# --------------------------------------------------------------------------- folds
def kfold_indices(n_samples, *, k=5, shuffle=True, rng=None, stratify=None):
    r"""Split ``range(n_samples)`` into ``k`` folds: a list of (train, validation) indices.

    .. math::

        \{0, \dots, n-1\} = V_1 \cup \dots \cup V_k, \quad V_i \cap V_j = \emptyset,
        \quad |V_j| \in \{\lfloor n/k\rfloor, \lceil n/k\rceil\}, \quad T_j = V_j^{c}

    Without ``stratify``, the (shuffled) samples are cut into consecutive blocks, the
    first ``n % k`` of them one sample larger (scikit-learn's ``KFold`` layout). With
    ``stratify``, the samples are sorted by class (shuffled within each class) and dealt
    to the folds in turn, so each fold holds :math:`\lfloor n_c/k\rfloor` or
    :math:`\lceil n_c/k\rceil` samples of every class :math:`c`.

    Parameters
    ----------
    n_samples : int
        :math:`n \ge 2`.
    k : int, default=5
        Number of folds, :math:`2 \le k \le n`.
    shuffle : bool, default=True
        Shuffle before splitting; ``False`` keeps the order (and ignores ``rng``).
    rng : numpy.random.Generator or int
        Required when ``shuffle`` is True.
    stratify : array_like of shape (n_samples,) or None
        Class labels (numbers or strings) whose proportions every fold keeps.

    Returns
    -------
    list of k tuples (train_idx, val_idx)
        Sorted integer arrays; every sample is in exactly one ``val_idx``.

    Examples
    --------
    >>> [val.tolist() for _, val in kfold_indices(5, k=2, shuffle=False)]
    [[0, 1, 2], [3, 4]]
    >>> [val.tolist() for _, val in kfold_indices(6, k=2, shuffle=False, stratify=[0, 0, 0, 0, 1, 1])]
    [[0, 2, 4], [1, 3, 5]]
    """
    caller = "kfold_indices"
    n = check_int(n_samples, "n_samples", caller, min_val=2)
    k = check_int(k, "k", caller, min_val=2, max_val=n)
    shuffle = check_bool(shuffle, "shuffle", caller)
    gen = check_rng(rng, "rng", caller) if shuffle else None
    labels = None
    if stratify is not None:
        labels = np.asarray(stratify)
        if labels.dtype.kind in "fc":
            labels = check_array(labels, "stratify", caller, ndim=1, dtype=None)
        if labels.ndim != 1:
            raise ValueError(
                f"The 'stratify' parameter of {caller} must be a 1D array (got {labels.ndim}D input).")
        if labels.shape != (n,):
            raise ValueError(param_error("stratify", caller, f"an array of shape ({n},)", labels))
    return _kfold(n, k, gen, labels)


def _kfold(n, k, rng, labels=None):
    """Folds of range(n) (inputs validated); rng None means no shuffling."""
    fold_of = np.empty(n, dtype=int)
    if labels is None:
        order = rng.permutation(n) if rng is not None else np.arange(n)
        sizes = n // k + (np.arange(k) < n % k)  # the first n % k folds get one more
        stops = np.cumsum(sizes)
        for j in range(k):
            fold_of[order[stops[j] - sizes[j]:stops[j]]] = j
    else:
        codes = np.unique(labels, return_inverse=True)[1].ravel()
        ties = rng.random(n) if rng is not None else np.arange(n)
        order = np.lexsort((ties, codes))  # grouped by class, shuffled within a class
        fold_of[order] = np.arange(n) % k  # deal the samples to the folds in turn
        if rng is not None:
            fold_of = rng.permutation(k)[fold_of]  # which folds get the extra samples
    return [(np.flatnonzero(fold_of != j), np.flatnonzero(fold_of == j)) for j in range(k)]


def _check_folds(folds, n, caller):
    """A list of at least two (train, val) pairs of disjoint indices into range(n)."""
    expected = f"a list of at least 2 (train, val) pairs of integer indices in [0, {n})"
    if not isinstance(folds, (list, tuple)):
        raise TypeError(param_error("folds", caller, expected, f"a {type(folds).__name__}", raw=True))
    if len(folds) < 2:
        raise ValueError(param_error("folds", caller, expected, f"{len(folds)} pair(s)", raw=True))
    out = []
    for j, pair in enumerate(folds):
        parts = [np.asarray(part) for part in pair] if isinstance(pair, (list, tuple)) else []
        if len(parts) != 2 or any(part.ndim != 1 or part.size == 0 or part.dtype.kind not in "iu"
                                  or part.min() < 0 or part.max() >= n for part in parts):
            raise ValueError(param_error("folds", caller, expected, f"a bad pair at position {j}", raw=True))
        shared = np.intersect1d(*parts).size
        if shared:
            raise ValueError(param_error("folds", caller, "pairs of disjoint train and val indices",
                                         f"{shared} shared indices in the pair at position {j}", raw=True))
        out.append(tuple(parts))
    return out


# --------------------------------------------------------------------------- grids and checks
def log_grid(start, stop, num):
    r"""A grid of ``num`` values evenly spaced on a log scale from ``start`` to ``stop``.

    .. math::

        v_i = \mathrm{start}\,\Bigl(\frac{\mathrm{stop}}{\mathrm{start}}\Bigr)^{i/(\mathrm{num}-1)},
        \qquad i = 0, \dots, \mathrm{num}-1

    Parameters
    ----------
    start, stop : float
        End points, both :math:`> 0` (included; ``stop < start`` gives a decreasing grid).
    num : int
        Number of values, :math:`\ge 1` (``num=1`` gives ``[start]``).

    Returns
    -------
    ndarray of shape (num,)

    Examples
    --------
    >>> [round(float(v), 6) for v in log_grid(0.01, 100.0, 5)]
    [0.01, 0.1, 1.0, 10.0, 100.0]
    """
    start = check_scalar(start, "start", "log_grid", min_val=0.0, closed="neither")
    stop = check_scalar(stop, "stop", "log_grid", min_val=0.0, closed="neither")
    num = check_int(num, "num", "log_grid", min_val=1)
    return np.geomspace(start, stop, num=num)


def _check_n_jobs(n_jobs, caller):
    if n_jobs is None:
        return None
    if isinstance(n_jobs, (bool, np.bool_)) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(param_error("n_jobs", caller, "None or a non-zero int", n_jobs))
    if n_jobs == 0:
        raise ValueError(param_error("n_jobs", caller, "None or a non-zero int", n_jobs))
    return int(n_jobs)


def _check_estimator(estimator, param_name, caller):
    if not all(hasattr(estimator, m) for m in ("get_params", "set_params", "fit", "predict")):
        raise TypeError(param_error("estimator", caller, "a scikit-learn-compatible estimator "
                                    "(with get_params, set_params, fit and predict)",
                                    f"a {type(estimator).__name__}", raw=True))
    params = estimator.get_params()
    if param_name not in params:
        names = ", ".join(repr(p) for p in sorted(params))
        expected = f"a parameter of {type(estimator).__name__} (one of {names})"
        raise ValueError(param_error("param_name", caller, expected, param_name))


def _check_xy(X, y, scoring, caller):
    X = check_array(X, "X", caller, ndim=2)
    if scoring == "error_rate" and np.asarray(y).dtype.kind in "USO":  # string class labels
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"The 'y' parameter of {caller} must be a 1D array (got {y.ndim}D input).")
    else:
        y = check_array(y, "y", caller, ndim=(1, 2), dtype=None)
    check_consistent_length(caller, X=X, y=y)
    return X, y


def _check_values(values, caller):
    values = check_array(values, "values", caller, ndim=1, min_samples=0, dtype=None)
    if values.size == 0:
        raise ValueError(param_error("values", caller, "a non-empty 1D array of finite numbers",
                                     "an empty array", raw=True))
    return values


# --------------------------------------------------------------------------- the work
def _one_se(values, mean, se, prefer):
    best = int(np.argmin(mean))
    ok = np.flatnonzero(mean <= mean[best] + se[best])  # within one SE of the minimum
    pick = np.argmax(values[ok]) if prefer == "largest" else np.argmin(values[ok])
    return int(ok[pick])


def _score(scoring, y_true, y_pred):
    if scoring == "mse":
        return float(np.mean((np.asarray(y_true, dtype=float) - y_pred) ** 2))
    return float(np.mean(y_true != y_pred))  # error_rate


def _fit_and_score(estimator, X, y, train, val, param_name, value, scoring):
    """One task: clone, set the value, fit on the training part, score on the validation part."""
    model = clone(estimator).set_params(**{param_name: value})
    model.fit(X[train], y[train])
    return _score(scoring, y[val], model.predict(X[val]))


def _cv_grid(estimator, X, y, param_name, values, folds, scoring, n_jobs):
    """cross_val_grid on validated inputs."""
    tasks = (delayed(_fit_and_score)(estimator, X, y, train, val, param_name, v.item(), scoring)
             for v in values for train, val in folds)
    scores = np.array(Parallel(n_jobs=n_jobs)(tasks), dtype=float).reshape(values.size, len(folds))
    mean, std = scores.mean(axis=1), scores.std(axis=1, ddof=1)
    best = int(np.argmin(mean))
    return CVResult(values, scores, mean, std, std / np.sqrt(len(folds)), best, values[best].item())


def cross_val_grid(estimator, X, y, *, param_name, values, k=5, rng=None, scoring="mse", n_jobs=None,
                   folds=None) -> CVResult:
    r"""K-fold cross-validation error of an estimator for each value of one hyperparameter.

    .. math::

        \mathrm{CV}(\lambda) = \frac1k \sum_{j=1}^k
        L\bigl(y_{V_j},\ \hat f_\lambda^{(-j)}(X_{V_j})\bigr), \qquad
        \mathrm{SE}(\lambda) = \frac{s_\lambda}{\sqrt k},

    where :math:`\hat f_\lambda^{(-j)}` is fitted with ``param_name`` :math:`= \lambda` on
    every fold but :math:`V_j`, :math:`L` is the mean squared error (``"mse"``) or the
    misclassification rate (``"error_rate"``) on the fold, and :math:`s_\lambda` is the
    standard deviation of the :math:`k` fold scores. Folds are averaged with equal
    weights, as scikit-learn's ``cross_val_score``.

    Parameters
    ----------
    estimator : scikit-learn-compatible estimator
        regbook's or scikit-learn's; it is cloned for every fit and never modified.
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
        Targets, or class labels for ``"error_rate"``.
    param_name : str
        The hyperparameter to vary (a key of ``estimator.get_params()``).
    values : array_like of shape (n_values,)
        The grid, finite and non-empty (see :func:`log_grid`).
    k : int, default=5
        Number of folds, :math:`2 \le k \le n`.
    rng : numpy.random.Generator or int
        Draws the folds; required unless ``folds`` is given.
    scoring : {"mse", "error_rate"}, default="mse"
        Lower is better for both.
    n_jobs : int or None, default=None
        Workers for :class:`joblib.Parallel` (None: joblib's active configuration).
    folds : list of (train_idx, val_idx) or None
        Explicit folds (e.g. from :func:`kfold_indices` with ``stratify``); ``k`` and
        ``rng`` are then not used.

    Returns
    -------
    CVResult
        ``values``, ``fold_scores`` (n_values, k), ``mean``, ``std``, ``se``,
        ``best_index``, ``best_value``.

    Examples
    --------
    :math:`y = 2x` exactly: almost no penalty fits every fold, a huge one predicts the mean.

    >>> from regbook.np.estimators import Ridge
    >>> X = np.arange(8.0).reshape(-1, 1); y = 2.0 * X[:, 0]
    >>> res = cross_val_grid(Ridge(), X, y, param_name="alpha", values=[1e-8, 1e8], k=4, rng=0)
    >>> res.best_value, round(float(res.mean[0]), 6)
    (1e-08, 0.0)
    """
    caller = "cross_val_grid"
    scoring = check_option(scoring, "scoring", caller, SCORINGS)
    n_jobs = _check_n_jobs(n_jobs, caller)
    _check_estimator(estimator, param_name, caller)
    values = _check_values(values, caller)
    X, y = _check_xy(X, y, scoring, caller)
    if folds is None:
        k = check_int(k, "k", caller, min_val=2, max_val=X.shape[0])
        folds = _kfold(X.shape[0], k, check_rng(rng, "rng", caller))
    else:
        folds = _check_folds(folds, X.shape[0], caller)
    return _cv_grid(estimator, X, y, param_name, values, folds, scoring, n_jobs)
