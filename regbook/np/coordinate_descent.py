r"""Lasso and elastic net by coordinate descent, single fits and regularization paths.

The objective is scikit-learn's, so coefficients compare one to one:

.. math::

    \min_{w, b}\; \frac{1}{2n}\lVert y - Xw - b\mathbf{1}\rVert_2^2
    + \alpha\rho\,\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2,

with :math:`\rho` = ``l1_ratio`` (:math:`\rho = 1` is the lasso). The intercept
:math:`b` is not penalized: ``X`` and ``y`` are centred and
:math:`b = \bar y - \bar x^\top w` is recovered afterwards.

**Stopping rule** (scikit-learn's meaning of ``tol``). Let :math:`r = y - Xw`
(centred data), :math:`\tilde c = X^\top r/n - \alpha(1-\rho) w` and
:math:`s = \min(1, \alpha\rho / \lVert\tilde c\rVert_\infty)`. The rescaled residual
:math:`\theta = s\,r/n` is dual feasible, and the duality gap

.. math::

    G(w) = P(w) - D(\theta) \;\ge\; P(w) - P(w^\star), \qquad
    D(\theta) = -\frac{s^2}{2n}\bigl(\lVert r\rVert^2 + n\alpha(1-\rho)\lVert w\rVert^2\bigr)
    + \frac{s}{n}\, r^\top y,

bounds the distance to the optimal objective. A fit has converged when
:math:`G(w) \le \texttt{tol}\cdot\lVert y - \bar y\rVert^2 / n`: scikit-learn's test,
written in this module's :math:`1/(2n)` scale (scikit-learn first waits for a sweep
whose largest coefficient change is below ``tol`` times the largest coefficient; the
gap alone decides here). ``dual_gap`` reports :math:`G`; ``max_iter`` bounds the
iterations (a sweep, or an exact solve on the support), summed over working sets.

The algorithm (working sets, exact solves on the support, gap-safe screening, strong
rule along paths) is described in :mod:`regbook.np._cd_kernels` and
:mod:`regbook.np._cd_solver`; the speed comes from it, not from compiled code.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import (
    check_array, check_consistent_length, check_int, check_option, check_scalar,
    param_error, warn_convergence,
)
from regbook.np import _cd_solver as _k

__all__ = ["EnetResult", "PathResult", "alpha_max", "elastic_net", "enet_path", "lasso", "lasso_path"]


class EnetResult(NamedTuple):
    """Solution of one lasso / elastic-net problem.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    intercept : float
    n_iter : int
        Iterations performed: sweeps or exact solves on the support, over all working sets.
    dual_gap : float
        Final duality gap :math:`G(w)` of the objective above.
    converged : bool
        Whether :math:`G(w) \\le \\texttt{tol}\\,\\lVert y-\\bar y\\rVert^2/n`.
    """

    coef: np.ndarray
    intercept: float
    n_iter: int
    dual_gap: float
    converged: bool


class PathResult(NamedTuple):
    """Solutions along a decreasing grid of penalties (scikit-learn's layout).

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,), decreasing
    coefs : ndarray of shape (n_features, n_alphas)
    intercepts : ndarray of shape (n_alphas,)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : ndarray of shape (n_alphas,)
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    n_iters: np.ndarray


# --------------------------------------------------------------------------- validation
def _check_data(X, y, caller, fit_intercept):
    X = check_array(X, "X", caller, ndim=2)
    y = check_array(y, "y", caller, ndim=1)
    check_consistent_length(caller, X=X, y=y)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise TypeError(param_error("fit_intercept", caller, "a bool", fit_intercept))
    x_mean, y_mean = (X.mean(axis=0), float(y.mean())) if fit_intercept else (np.zeros(X.shape[1]), 0.0)
    return X - x_mean, y - y_mean, x_mean, y_mean  # copies: X and y are never modified


def _check_l1_ratio(l1_ratio, caller):
    return check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)


def _check_solver_args(caller, max_iter, tol, precompute, screening):
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    if isinstance(precompute, str):
        check_option(precompute, "precompute", caller, ("auto", True, False))
    elif not isinstance(precompute, (bool, np.bool_)):
        raise TypeError(param_error("precompute", caller, "one of 'auto', True, False", precompute))
    if not isinstance(screening, (bool, np.bool_)):
        raise TypeError(param_error("screening", caller, "a bool", screening))
    return max_iter, tol


# --------------------------------------------------------------------------- public API
def alpha_max(X, y, *, l1_ratio=1.0, fit_intercept=True) -> float:
    r"""Smallest penalty for which the elastic-net solution is :math:`w = 0`.

    .. math::

        \alpha_{\max} = \frac{\lVert X_c^\top y_c\rVert_\infty}{n\,\rho},

    from the optimality condition at :math:`w = 0`:
    :math:`|X_j^\top y_c| / n \le \alpha\rho` for every feature :math:`j`.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    l1_ratio : float, default=1.0
        :math:`\rho \in [0, 1]`; for :math:`\rho = 0` (ridge) no finite penalty zeroes
        :math:`w` and ``inf`` is returned (``0.0`` if :math:`X_c^\top y_c = 0`).
    fit_intercept : bool, default=True
        Centre ``X`` and ``y`` first (:math:`X_c, y_c`).

    Returns
    -------
    float

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    >>> round(alpha_max(X, [2.0, 1.0, -2.0], fit_intercept=False), 6)   # max(|4|, |1|) / 3
    1.333333
    """
    l1_ratio = _check_l1_ratio(l1_ratio, "alpha_max")
    Xc, yc, _, _ = _check_data(X, y, "alpha_max", fit_intercept)
    return _k.alpha_max(Xc.T @ yc, Xc.shape[0], l1_ratio)


def elastic_net(X, y, *, alpha=1.0, l1_ratio=0.5, fit_intercept=True, max_iter=1000, tol=1e-4,
                coef_init=None, precompute="auto", screening=True, _caller="elastic_net") -> EnetResult:
    r"""Elastic net by working-set coordinate descent.

    .. math::

        \hat w, \hat b = \operatorname*{arg\,min}_{w, b}\;
        \frac{1}{2n}\lVert y - Xw - b\mathbf{1}\rVert_2^2
        + \alpha\rho\,\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2

    Coordinate :math:`j` is updated by
    :math:`w_j \leftarrow S(X_j^\top r_{-j}/n,\ \alpha\rho) / (\lVert X_j\rVert^2/n + \alpha(1-\rho))`
    with :math:`S(z, t) = \operatorname{sign}(z)\max(|z| - t, 0)` and :math:`r_{-j}` the
    residual without feature :math:`j`. Stopping rule: see the module docstring.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alpha : float, default=1.0
        :math:`\alpha \ge 0`. :math:`\alpha \ge` :func:`alpha_max` gives :math:`w = 0`
        exactly; :math:`\alpha = 0` gives the minimum-norm least-squares solution.
    l1_ratio : float, default=0.5
        :math:`\rho \in [0, 1]`; 1 is the lasso, 0 is ridge with scikit-learn's
        ``Ridge(alpha=n * alpha)``.
    fit_intercept : bool, default=True
    max_iter : int, default=1000
        Maximum number of iterations (:math:`\ge 1`), as counted in ``n_iter``.
    tol : float, default=1e-4
        Converged when the duality gap is :math:`\le` ``tol`` :math:`\lVert y-\bar y\rVert^2/n`.
    coef_init : array_like of shape (n_features,) or None
        Warm start (default zeros).
    precompute : {"auto", True, False}, default="auto"
        Compute the Gram matrix :math:`X^\top X` once (True), or only its entries among
        features that enter a support (False). "auto": False, switching to True when
        :math:`n \ge p` and a working set reaches :math:`p/4`; on paths, True if
        :math:`n \ge p`.
    screening : bool, default=True
        Discard features by the gap-safe rule (and, on paths, seed working sets by the
        strong rule). The result does not depend on it.

    Returns
    -------
    EnetResult
        ``coef`` (n_features,), ``intercept``, ``n_iter``, ``dual_gap``, ``converged``.

    Warns
    -----
    ConvergenceWarning
        If the gap is above tolerance after ``max_iter`` iterations.

    Examples
    --------
    One feature with :math:`\lVert x\rVert^2/n = 1`: the lasso soft-thresholds
    :math:`x^\top y/n = 2` by :math:`\alpha`, the L2 part divides by :math:`1 + \alpha(1-\rho)`.

    >>> X = np.array([[1.0], [-1.0]]); y = np.array([2.0, -2.0])
    >>> res = elastic_net(X, y, alpha=1.0, l1_ratio=0.5)   # (2 - 0.5) / (1 + 0.5)
    >>> round(float(res.coef[0]), 6), res.converged
    (1.0, True)
    """
    # _caller (private): the name that messages and warnings give, e.g. an estimator's
    return _elastic_net(X, y, alpha, l1_ratio, fit_intercept, max_iter, tol, coef_init, precompute,
                        screening, _caller)


def _elastic_net(X, y, alpha, l1_ratio, fit_intercept, max_iter, tol, coef_init, precompute, screening,
                 caller):
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0)
    l1_ratio = _check_l1_ratio(l1_ratio, caller)
    max_iter, tol = _check_solver_args(caller, max_iter, tol, precompute, screening)
    Xc, yc, x_mean, y_mean = _check_data(X, y, caller, fit_intercept)
    p = Xc.shape[1]
    if coef_init is None:
        w = np.zeros(p)
    else:
        w = check_array(coef_init, "coef_init", caller, ndim=1).copy()
        if w.shape != (p,):
            raise ValueError(param_error("coef_init", caller, f"an array of shape ({p},)", w))
    prob = _k.Problem(Xc, yc, _k.gram_mode(precompute, *Xc.shape, 1), fit_intercept)
    gap, n_iter, converged, _ = _k.fit(prob, alpha, l1_ratio, w, tol, max_iter, screening)
    if not converged:
        scale = tol * prob.yy / prob.n
        warn_convergence(caller, max_iter, tol, f"Duality gap: {gap:.3e}, tolerance: {scale:.3e}.")
    return EnetResult(w, float(y_mean - x_mean @ w), n_iter, float(gap), bool(converged))


def lasso(X, y, *, alpha=1.0, fit_intercept=True, max_iter=1000, tol=1e-4, coef_init=None,
          precompute="auto", screening=True) -> EnetResult:
    r"""Lasso: :func:`elastic_net` with ``l1_ratio=1``.

    .. math::

        \hat w, \hat b = \operatorname*{arg\,min}_{w, b}\;
        \frac{1}{2n}\lVert y - Xw - b\mathbf{1}\rVert_2^2 + \alpha\lVert w\rVert_1

    Parameters and returns are those of :func:`elastic_net` (X of shape
    (n_samples, n_features), y of shape (n_samples,)).

    Examples
    --------
    >>> X = np.array([[1.0], [-1.0]]); y = np.array([2.0, -2.0])
    >>> round(float(lasso(X, y, alpha=0.5).coef[0]), 6)   # S(2, 0.5) / 1
    1.5
    """
    return _elastic_net(X, y, alpha, 1.0, fit_intercept, max_iter, tol, coef_init, precompute, screening,
                        "lasso")


def enet_path(X, y, *, l1_ratio=0.5, alphas=None, n_alphas=100, eps=1e-3, fit_intercept=True,
              max_iter=1000, tol=1e-4, precompute="auto", screening=True) -> PathResult:
    r"""Elastic-net solutions along a decreasing grid of :math:`\alpha`, with warm starts.

    .. math::

        \alpha_k = \alpha_{\max}\, \varepsilon^{k/(K-1)}, \quad k = 0, \dots, K-1,
        \qquad \hat w(\alpha_k) \text{ as in } :func:`elastic_net`

    (the default grid, scikit-learn's). Each fit starts from the previous solution;
    with ``screening`` the sequential strong rule seeds the working set with the
    features where :math:`|\tilde c_j(\alpha_{k-1})| \ge \rho(2\alpha_k - \alpha_{k-1})`.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    l1_ratio : float, default=0.5
        :math:`\rho \in [0, 1]`; with 0 an explicit ``alphas`` is required.
    alphas : array_like of shape (n_alphas,) or None
        Penalties :math:`\ge 0` (sorted decreasingly); None builds the grid above.
    n_alphas : int, default=100
        :math:`K \ge 1`, used when ``alphas`` is None.
    eps : float, default=1e-3
        :math:`\varepsilon = \alpha_{\min}/\alpha_{\max} \in (0, 1)`.
    fit_intercept, max_iter, tol, precompute, screening
        As in :func:`elastic_net` (``max_iter`` and ``tol`` apply to each alpha).

    Returns
    -------
    PathResult
        ``alphas`` (n_alphas,), ``coefs`` (n_features, n_alphas), ``intercepts``,
        ``dual_gaps``, ``n_iters`` (each (n_alphas,)).

    Examples
    --------
    >>> X = np.array([[1.0], [-1.0]]); y = np.array([2.0, -2.0])
    >>> res = enet_path(X, y, l1_ratio=1.0, n_alphas=3, eps=0.25)  # alpha_max = 2
    >>> [round(float(a), 6) for a in res.alphas], [round(float(c), 6) for c in res.coefs[0]]
    ([2.0, 1.0, 0.5], [0.0, 1.0, 1.5])
    """
    return _enet_path(X, y, l1_ratio, alphas, n_alphas, eps, fit_intercept, max_iter, tol, precompute,
                      screening, "enet_path")


def _enet_path(X, y, l1_ratio, alphas, n_alphas, eps, fit_intercept, max_iter, tol, precompute, screening,
               caller):
    l1_ratio = _check_l1_ratio(l1_ratio, caller)
    max_iter, tol = _check_solver_args(caller, max_iter, tol, precompute, screening)
    Xc, yc, x_mean, y_mean = _check_data(X, y, caller, fit_intercept)
    n, p = Xc.shape
    if alphas is None:
        n_alphas = check_int(n_alphas, "n_alphas", caller, min_val=1)
        eps = check_scalar(eps, "eps", caller, min_val=0.0, max_val=1.0, closed="neither")
        if l1_ratio == 0.0:
            raise ValueError(param_error("alphas", caller, "given explicitly when l1_ratio=0", None))
        top = _k.alpha_max(Xc.T @ yc, n, l1_ratio)
        top = top if top > 0.0 else np.finfo(float).resolution  # y orthogonal to X: any grid
        alphas = np.geomspace(top, top * eps, num=n_alphas)
    else:
        alphas = check_array(alphas, "alphas", caller, ndim=1)
        if (alphas < 0).any():
            raise ValueError(param_error("alphas", caller, "an array of floats >= 0", float(alphas.min())))
        alphas = np.sort(alphas)[::-1]
    prob = _k.Problem(Xc, yc, _k.gram_mode(precompute, n, p, alphas.size), fit_intercept)
    coefs = np.zeros((p, alphas.size))
    gaps, iters = np.zeros(alphas.size), np.zeros(alphas.size, dtype=int)
    w, c, prev, failed = np.zeros(p), None, None, []
    for k, alpha in enumerate(alphas):
        hint = None
        if screening and c is not None and l1_ratio > 0.0:  # sequential strong rule
            ct = np.abs(c - n * prev * (1.0 - l1_ratio) * w)
            hint = np.flatnonzero(ct >= n * l1_ratio * (2.0 * alpha - prev))
        gaps[k], iters[k], ok, c = _k.fit(prob, alpha, l1_ratio, w, tol, max_iter, screening, hint, c)
        coefs[:, k], prev = w, alpha
        failed += [] if ok else [k]
    if failed:
        k = max(failed, key=lambda i: gaps[i])
        warn_convergence(caller, max_iter, tol, f"{len(failed)} of {alphas.size} alphas did not converge; "
                         f"largest duality gap {gaps[k]:.3e} at alpha={alphas[k]:.3e}.")
    return PathResult(alphas, coefs, y_mean - x_mean @ coefs, gaps, iters)


def lasso_path(X, y, *, alphas=None, n_alphas=100, eps=1e-3, fit_intercept=True, max_iter=1000,
               tol=1e-4, precompute="auto", screening=True) -> PathResult:
    r"""Lasso path: :func:`enet_path` with ``l1_ratio=1``.

    .. math::

        \hat w(\alpha_k) = \operatorname*{arg\,min}_{w}\;
        \frac{1}{2n}\lVert y_c - X_c w\rVert_2^2 + \alpha_k\lVert w\rVert_1

    Parameters and returns are those of :func:`enet_path` (X of shape
    (n_samples, n_features), y of shape (n_samples,)).

    Examples
    --------
    >>> X = np.array([[1.0], [-1.0]]); y = np.array([2.0, -2.0])
    >>> [round(float(c), 6) for c in lasso_path(X, y, alphas=[0.5, 1.0]).coefs[0]]
    [1.0, 1.5]
    """
    return _enet_path(X, y, 1.0, alphas, n_alphas, eps, fit_intercept, max_iter, tol, precompute, screening,
                      "lasso_path")
