r"""Cross-validation along the lasso / elastic-net path (glmnet's ``cv.glmnet``, scikit-learn's ``LassoCV``).

Refitting the lasso from scratch for every penalty and fold wastes most of the work:
solutions at neighbouring penalties are close. :func:`lasso_cv` instead computes one
grid :math:`\alpha_{\max}\varepsilon^{m/(M-1)}` on all the data, runs one warm-started
:func:`~regbook.np.coordinate_descent.enet_path` per fold on that grid, and scores every
point of each path on its validation fold. Folds run in parallel with
:class:`joblib.Parallel` (so also on a Dask cluster). Also importable from
:mod:`regbook.np.model_selection`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed

from regbook._validation import (
    check_array, check_consistent_length, check_int, check_rng, check_scalar, param_error,
)
from regbook.np.coordinate_descent import alpha_max, elastic_net, enet_path
from regbook.np.cross_validation import _check_folds, _check_n_jobs, _kfold, _one_se

__all__ = ["LassoCVResult", "lasso_cv"]


class LassoCVResult(NamedTuple):
    """Cross-validation along the elastic-net path.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    mse_path : ndarray of shape (n_alphas, k)
        Validation mean squared error of each alpha on each fold.
    mean, se : ndarray of shape (n_alphas,)
        Mean over folds and its standard error ``std(ddof=1) / sqrt(k)``.
    alpha_min : float
        The alpha of smallest ``mean``.
    alpha_1se : float
        The largest alpha within one standard error of the minimum
        (:func:`~regbook.np.model_selection.one_se_rule`).
    coef : ndarray of shape (n_features,)
        Refit on all the data at ``alpha_min``.
    intercept : float
    """

    alphas: np.ndarray
    mse_path: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    alpha_min: float
    alpha_1se: float
    coef: np.ndarray
    intercept: float


# --------------------------------------------------------------------------- lasso path CV
def _fold_mse(X, y, train, val, alphas, l1_ratio, tol, max_iter):
    """One task: the path on the training part, its validation MSE at every alpha."""
    path = enet_path(X[train], y[train], l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=max_iter)
    pred = X[val] @ path.coefs + path.intercepts  # (n_val, n_alphas)
    return np.mean((y[val, None] - pred) ** 2, axis=0)


def lasso_cv(X, y, *, alphas=None, n_alphas=100, eps=1e-3, k=5, rng=None, l1_ratio=1.0, n_jobs=None,
             tol=1e-4, max_iter=1000, folds=None) -> LassoCVResult:
    r"""Choose the lasso (or elastic-net) penalty by K-fold CV along the path.

    .. math::

        \mathrm{CV}(\alpha_m) = \frac1k\sum_{j=1}^k \frac{1}{|V_j|}
        \bigl\lVert y_{V_j} - X_{V_j}\hat w^{(-j)}(\alpha_m) - \hat b^{(-j)}(\alpha_m)\bigr\rVert_2^2,
        \qquad \alpha_m = \alpha_{\max}\,\varepsilon^{m/(M-1)}

    :math:`\alpha_{\max}` (:func:`~regbook.np.coordinate_descent.alpha_max`) is computed on
    all the data, so every fold shares the grid; each fold then runs one warm-started
    :func:`~regbook.np.coordinate_descent.enet_path` (the folds in parallel with joblib).
    ``alpha_min`` minimizes the mean, ``alpha_1se`` applies
    :func:`~regbook.np.model_selection.one_se_rule`; the model is refitted on all the data
    at ``alpha_min``. The objective is
    :math:`\frac{1}{2n}\lVert y - Xw - b\rVert^2 + \alpha\rho\lVert w\rVert_1
    + \frac{\alpha(1-\rho)}{2}\lVert w\rVert^2`, scikit-learn's ``LassoCV`` / ``ElasticNetCV``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alphas : array_like of shape (n_alphas,) or None
        Explicit grid (finite, :math:`\ge 0`, sorted decreasingly here); None builds the one above.
    n_alphas : int, default=100
        :math:`M \ge 1`, when ``alphas`` is None.
    eps : float, default=1e-3
        :math:`\varepsilon = \alpha_{\min}/\alpha_{\max} \in (0, 1)`.
    k : int, default=5
        Number of folds, :math:`2 \le k \le n`.
    rng : numpy.random.Generator or int
        Draws the folds; required unless ``folds`` is given.
    l1_ratio : float, default=1.0
        :math:`\rho \in [0, 1]` (1: lasso; 0 needs explicit ``alphas``).
    n_jobs : int or None, default=None
        Workers for :class:`joblib.Parallel`, over folds.
    tol, max_iter
        As in :func:`~regbook.np.coordinate_descent.enet_path`.
    folds : list of (train_idx, val_idx) or None
        Explicit folds; ``k`` and ``rng`` are then not used.

    Returns
    -------
    LassoCVResult
        ``alphas``, ``mse_path`` (n_alphas, k), ``mean``, ``se``, ``alpha_min``,
        ``alpha_1se``, ``coef`` (n_features,), ``intercept``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = 3.0 * X[:, 0] + 0.1 * rng.standard_normal(60)
    >>> res = lasso_cv(X, y, n_alphas=20, k=3, rng=1)
    >>> bool(res.alpha_1se >= res.alpha_min), round(float(res.coef[0]), 1)
    (True, 3.0)
    """
    caller = "lasso_cv"
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    n_jobs = _check_n_jobs(n_jobs, caller)
    X = check_array(X, "X", caller, ndim=2)
    y = check_array(y, "y", caller, ndim=1)
    n = check_consistent_length(caller, X=X, y=y)
    if alphas is None:
        n_alphas = check_int(n_alphas, "n_alphas", caller, min_val=1)
        eps = check_scalar(eps, "eps", caller, min_val=0.0, max_val=1.0, closed="neither")
        if l1_ratio == 0.0:
            raise ValueError(param_error("alphas", caller, "given explicitly when l1_ratio=0", None))
        top = alpha_max(X, y, l1_ratio=l1_ratio) or np.finfo(float).resolution  # y constant: any grid
        alphas = np.geomspace(top, top * eps, num=n_alphas)
    else:
        alphas = check_array(alphas, "alphas", caller, ndim=1)
        if (alphas < 0).any():
            raise ValueError(param_error("alphas", caller, "an array of floats >= 0", float(alphas.min())))
        alphas = np.sort(alphas)[::-1]
    if folds is None:
        k = check_int(k, "k", caller, min_val=2, max_val=n)
        folds = _kfold(n, k, check_rng(rng, "rng", caller))
    else:
        folds = _check_folds(folds, n, caller)
    mse = Parallel(n_jobs=n_jobs)(delayed(_fold_mse)(X, y, train, val, alphas, l1_ratio, tol, max_iter)
                                  for train, val in folds)
    mse_path = np.column_stack(mse)  # (n_alphas, k)
    mean, se = mse_path.mean(axis=1), mse_path.std(axis=1, ddof=1) / np.sqrt(len(folds))
    i_min, i_1se = int(np.argmin(mean)), _one_se(alphas, mean, se, "largest")
    fit = elastic_net(X, y, alpha=alphas[i_min], l1_ratio=l1_ratio, tol=tol, max_iter=max_iter)
    return LassoCVResult(alphas, mse_path, mean, se, float(alphas[i_min]), float(alphas[i_1se]), fit.coef,
                         fit.intercept)
