r"""Choosing a penalty strength: the one-standard-error rule, nested CV, the lasso path CV.

Builds on :mod:`regbook.np.cross_validation` and :mod:`regbook.np.path_cv`, whose public
names are re-exported here (:func:`kfold_indices`, :func:`cross_val_grid`, :class:`CVResult`,
:func:`log_grid`, :func:`lasso_cv`, :class:`LassoCVResult`).

* :func:`one_se_rule` picks the simplest model whose CV error is within one standard
  error of the best (Hastie, Tibshirani & Friedman 2009, §7.10).
* :func:`nested_cv` estimates, honestly, the error of the whole procedure "choose the
  value by inner CV, refit"; :func:`non_nested_minimum`, the smallest mean CV error, is
  the optimistic number it corrects.
* :func:`lasso_cv` (from :mod:`regbook.np.path_cv`) cross-validates the lasso along
  its whole path, one warm-started path per fold.

Parallel work goes through :class:`joblib.Parallel`, so every function here also runs
on a Dask cluster under ``joblib.parallel_config(backend="dask")``, with identical results.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed

from regbook._validation import (
    check_array, check_consistent_length, check_int, check_option, check_rng, param_error,
)
from regbook.np.cross_validation import (
    SCORINGS, CVResult, _check_estimator, _check_n_jobs, _check_values, _check_xy, _cv_grid,
    _fit_and_score, _kfold, _one_se, cross_val_grid, kfold_indices, log_grid,
)
from regbook.np.path_cv import LassoCVResult, lasso_cv

__all__ = ["CVResult", "LassoCVResult", "NestedCVResult", "cross_val_grid", "kfold_indices", "lasso_cv",
           "log_grid", "nested_cv", "non_nested_minimum", "one_se_rule"]


class NestedCVResult(NamedTuple):
    """Outer-fold scores of "choose by inner CV, refit" (lower is better).

    Attributes
    ----------
    outer_scores : ndarray of shape (outer_k,)
        Score of the refitted model on each outer validation fold.
    chosen_values : ndarray of shape (outer_k,)
        The value chosen by the inner CV of each outer training set.
    mean, std : float
        Mean and standard deviation (``ddof=1``) of ``outer_scores``.
    inner_results : tuple of outer_k CVResult
        The inner cross-validations (indices relative to each outer training set).
    outer_folds : list of outer_k (train_idx, val_idx)
    """

    outer_scores: np.ndarray
    chosen_values: np.ndarray
    mean: float
    std: float
    inner_results: tuple
    outer_folds: list


# --------------------------------------------------------------------------- the 1-SE rule
def one_se_rule(values, mean, se, *, prefer="largest") -> int:
    r"""Index of the simplest model whose mean CV error is within one SE of the minimum.

    .. math::

        i^\ast = \operatorname*{arg\,min}_i \mathrm{CV}_i, \qquad
        \hat\imath = \text{the simplest } i \text{ with }
        \mathrm{CV}_i \le \mathrm{CV}_{i^\ast} + \mathrm{SE}_{i^\ast}

    (Hastie, Tibshirani & Friedman 2009, §7.10; glmnet's ``lambda.1se``). For a penalty
    strength the simplest model has the *largest* value (``prefer="largest"``); for a
    polynomial degree or a number of features, the *smallest*.

    The rule is a heuristic: the standard error :math:`s/\sqrt k` treats the :math:`k`
    fold scores as independent, but their training sets overlap, so it tends to understate the
    uncertainty of :math:`\mathrm{CV}` (no unbiased estimator of that variance exists,
    Bengio & Grandvalet 2004). It trades a little expected error for a simpler, more
    stable model; it does not make the choice "significant".

    Parameters
    ----------
    values : array_like of shape (n_values,)
        The grid (any order).
    mean : array_like of shape (n_values,)
        Mean CV error of each value.
    se : array_like of shape (n_values,)
        Its standard error (:math:`\ge 0`).
    prefer : {"largest", "smallest"}, default="largest"
        Which end of the grid is the simplest model.

    Returns
    -------
    int
        An index into ``values`` (the first one in a tie).

    Examples
    --------
    >>> values, mean, se = [0.01, 0.1, 1.0, 10.0], [1.1, 0.9, 0.95, 1.5], [0.25] * 4
    >>> one_se_rule(values, mean, se), one_se_rule(values, mean, se, prefer="smallest")
    (2, 0)
    """
    caller = "one_se_rule"
    prefer = check_option(prefer, "prefer", caller, ("largest", "smallest"))
    values = _check_values(values, caller)
    mean = check_array(mean, "mean", caller, ndim=1)
    se = check_array(se, "se", caller, ndim=1)
    check_consistent_length(caller, values=values, mean=mean, se=se)
    if (se < 0).any():
        raise ValueError(param_error("se", caller, "an array of floats >= 0", float(se.min())))
    return _one_se(values, mean, se, prefer)


def non_nested_minimum(cv_result) -> float:
    r"""The smallest mean CV error of a grid: an optimistically biased error estimate.

    .. math::

        \min_\lambda \mathrm{CV}(\lambda) \quad\text{with}\quad
        \mathbb E\bigl[\min_\lambda \mathrm{CV}(\lambda)\bigr] \le
        \min_\lambda \mathbb E\bigl[\mathrm{CV}(\lambda)\bigr]

    The same folds choose :math:`\lambda` and score it, so the noise of the folds that
    made :math:`\lambda` look best is counted as skill (Varma & Simon 2006; Cawley &
    Talbot 2010). :func:`nested_cv` gives the honest estimate.

    Parameters
    ----------
    cv_result : CVResult
        From :func:`cross_val_grid`.

    Returns
    -------
    float

    Examples
    --------
    >>> r = CVResult(np.array([1.0, 2.0]), np.zeros((2, 2)), np.array([0.5, 0.25]),
    ...              np.zeros(2), np.zeros(2), 1, 2.0)
    >>> non_nested_minimum(r)
    0.25
    """
    if not isinstance(cv_result, CVResult):
        raise TypeError(param_error("cv_result", "non_nested_minimum", "a CVResult",
                                    f"a {type(cv_result).__name__}", raw=True))
    return float(np.min(cv_result.mean))


# --------------------------------------------------------------------------- nested CV
def nested_cv(estimator, X, y, *, param_name, values, outer_k=5, inner_k=5, rng=None, scoring="mse",
              n_jobs=None, rule="min", prefer="largest") -> NestedCVResult:
    r"""Honest error estimate of "choose the value by inner CV, refit on the training part".

    .. math::

        \widehat{\mathrm{Err}} = \frac1K \sum_{j=1}^K
        L\bigl(y_{V_j},\ \hat f_{\hat\lambda_j}^{(-j)}(X_{V_j})\bigr), \qquad
        \hat\lambda_j = \text{rule}\bigl(\mathrm{CV}^{(-j)}(\lambda)\bigr)

    For each outer fold :math:`V_j`, :math:`\hat\lambda_j` is chosen by
    :func:`cross_val_grid` on the outer training set only (``rule="min"``: smallest mean,
    ``"1se"``: :func:`one_se_rule`), the model is refitted there with
    :math:`\hat\lambda_j` and scored on :math:`V_j`, which played no part in the choice.
    All folds are drawn from ``rng`` first: the outer folds are
    ``kfold_indices(n_samples, k=outer_k, rng=rng)``, then the inner folds in order.

    Parameters
    ----------
    estimator, param_name, values, scoring, n_jobs
        As in :func:`cross_val_grid`.
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
    outer_k : int, default=5
        :math:`2 \le K \le n`.
    inner_k : int, default=5
        At least 2 and at most the smallest outer training set.
    rng : numpy.random.Generator or int
    rule : {"min", "1se"}, default="min"
    prefer : {"largest", "smallest"}, default="largest"
        The simplest end of the grid, for ``rule="1se"``.

    Returns
    -------
    NestedCVResult
        ``outer_scores`` (outer_k,), ``chosen_values`` (outer_k,), ``mean``, ``std``,
        ``inner_results``, ``outer_folds``.

    Examples
    --------
    >>> from regbook.np.estimators import Ridge
    >>> X = np.arange(12.0).reshape(-1, 1); y = 2.0 * X[:, 0]
    >>> res = nested_cv(Ridge(), X, y, param_name="alpha", values=[1e-8, 1e8], outer_k=3, inner_k=2, rng=0)
    >>> res.chosen_values.tolist(), round(res.mean, 6)
    ([1e-08, 1e-08, 1e-08], 0.0)
    """
    caller = "nested_cv"
    scoring = check_option(scoring, "scoring", caller, SCORINGS)
    rule = check_option(rule, "rule", caller, ("min", "1se"))
    prefer = check_option(prefer, "prefer", caller, ("largest", "smallest"))
    n_jobs = _check_n_jobs(n_jobs, caller)
    _check_estimator(estimator, param_name, caller)
    values = _check_values(values, caller)
    X, y = _check_xy(X, y, scoring, caller)
    n = X.shape[0]
    outer_k = check_int(outer_k, "outer_k", caller, min_val=2, max_val=n)
    inner_k = check_int(inner_k, "inner_k", caller, min_val=2, max_val=n - int(np.ceil(n / outer_k)))
    gen = check_rng(rng, "rng", caller)
    outer = _kfold(n, outer_k, gen)
    inner = [_kfold(train.size, inner_k, gen) for train, _ in outer]  # drawn before any work
    results, chosen = [], []
    for (train, _), folds in zip(outer, inner):
        res = _cv_grid(estimator, X[train], y[train], param_name, values, folds, scoring, n_jobs)
        best = res.best_index if rule == "min" else _one_se(values, res.mean, res.se, prefer)
        results.append(res)
        chosen.append(values[best].item())
    scores = np.array(Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(estimator, X, y, train, val, param_name, v, scoring)
        for (train, val), v in zip(outer, chosen)), dtype=float)
    return NestedCVResult(scores, np.array(chosen), float(scores.mean()), float(scores.std(ddof=1)),
                          tuple(results), outer)
