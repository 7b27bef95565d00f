"""Penalized linear models in NumPy: the public face of regbook's linear solvers.

Objectives follow scikit-learn exactly, so coefficients compare one to one:

.. math::

    \\text{ridge:}\\quad \\lVert y - Xw - b\\mathbf{1}\\rVert_2^2 + \\alpha \\lVert w\\rVert_2^2

    \\text{elastic net:}\\quad \\frac{1}{2n}\\lVert y - Xw - b\\mathbf{1}\\rVert_2^2
        + \\alpha\\rho\\lVert w\\rVert_1 + \\frac{\\alpha(1-\\rho)}{2}\\lVert w\\rVert_2^2
        \\quad(\\text{lasso: } \\rho = 1)

    \\text{logistic:}\\quad C\\sum_i \\ell_i + \\rho\\lVert W\\rVert_1 + \\frac{1-\\rho}{2}\\lVert W\\rVert_2^2

The intercept :math:`b` is never penalized. What lives where:

- :func:`ridge` (closed form, this module);
- :func:`lasso`, :func:`elastic_net`, :func:`lasso_path`, :func:`enet_path`, :func:`alpha_max`:
  coordinate descent with a duality-gap stopping rule, screening and working sets
  (:mod:`regbook.np.coordinate_descent`);
- :func:`ista`, :func:`fista`: proximal gradient (:mod:`regbook.np.proximal_gradient`);
- :func:`logistic_regression`: L1/L2/elastic-net logistic regression by proximal gradient
  (:mod:`regbook.np.logistic`);
- :class:`Ridge`, :class:`Lasso`, :class:`ElasticNet`, :class:`LogisticRegression`:
  scikit-learn-compatible estimators (:mod:`regbook.np.estimators`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import check_array, check_consistent_length, check_scalar

__all__ = ["RidgeResult", "ridge"]


class RidgeResult(NamedTuple):
    """Solution of a ridge problem.

    Attributes
    ----------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept : float or ndarray of shape (n_targets,)
    solver : str
        ``"cholesky"`` (primal, n >= p), ``"dual"`` (n < p) or ``"lstsq"``
        (``alpha=0``: the minimum-norm least-squares solution, by SVD).
    """

    coef: np.ndarray
    intercept: float | np.ndarray
    solver: str


def _center(X, y, fit_intercept):
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), np.zeros(y.shape[1:])
    x_mean = X.mean(axis=0)
    y_mean = y.mean(axis=0)
    return X - x_mean, y - y_mean, x_mean, y_mean


def _solve_spd(A, B):
    """Solve A Z = B for symmetric positive definite A by a Cholesky factorization."""
    L = np.linalg.cholesky(A)  # A = L L^T
    return np.linalg.solve(L.T, np.linalg.solve(L, B))


def ridge(X, y, *, alpha=1.0, fit_intercept=True) -> RidgeResult:
    """Ridge regression in closed form.

    .. math::

        \\hat w = (X_c^\\top X_c + \\alpha I_p)^{-1} X_c^\\top y_c
                = X_c^\\top (X_c X_c^\\top + \\alpha I_n)^{-1} y_c,

    where :math:`X_c, y_c` are centred when ``fit_intercept`` is true. The
    primal form (a :math:`p\\times p` Cholesky solve) is used when
    :math:`n \\ge p`, the dual form (an :math:`n\\times n` solve) when
    :math:`n < p`; both give the same :math:`\\hat w` for :math:`\\alpha > 0`.
    For :math:`\\alpha = 0` the minimum-norm least-squares solution is
    returned (computed by SVD, never through the normal equations), which is
    the limit of :math:`\\hat w` as :math:`\\alpha \\to 0^+`.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,) or (n_samples, n_targets)
    alpha : float, default=1.0
        Penalty strength :math:`\\alpha \\ge 0` (scikit-learn's ``Ridge(alpha)``).
        In the book's mean-loss convention
        :math:`\\tfrac1n\\lVert y - Xw\\rVert^2 + \\tfrac{\\lambda}{2}\\lVert w\\rVert^2`,
        :math:`\\lambda = 2\\alpha / n`.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.

    Returns
    -------
    RidgeResult
        ``coef`` has shape (n_features,) for 1-D ``y``, (n_targets, n_features)
        otherwise, as in scikit-learn.

    Examples
    --------
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> y = np.array([1.0, 2.0, 3.0])
    >>> res = ridge(X, y, alpha=2.0)   # centred X has sum of squares 2, so w = 2 / (2 + 2)
    >>> round(float(res.coef[0]), 6), round(float(res.intercept), 6)
    (0.5, 1.0)
    """
    X = check_array(X, "X", "ridge", ndim=2)
    y = check_array(y, "y", "ridge", ndim=(1, 2))
    check_consistent_length("ridge", X=X, y=y)
    alpha = check_scalar(alpha, "alpha", "ridge", min_val=0.0)
    n, p = X.shape
    y2 = y.reshape(n, -1)
    Xc, yc, x_mean, y_mean = _center(X, y2, fit_intercept)
    if alpha == 0.0:
        # least squares; the minimum-norm solution is the limit alpha -> 0+
        W = np.linalg.lstsq(Xc, yc, rcond=None)[0]
        solver = "lstsq"
    elif n >= p:
        # w = (Xc^T Xc + alpha I)^{-1} Xc^T yc
        W = _solve_spd(Xc.T @ Xc + alpha * np.eye(p), Xc.T @ yc)  # (p, k)
        solver = "cholesky"
    else:
        # w = Xc^T (Xc Xc^T + alpha I)^{-1} yc   (push-through identity)
        W = Xc.T @ _solve_spd(Xc @ Xc.T + alpha * np.eye(n), yc)  # (p, k)
        solver = "dual"
    intercept = y_mean - x_mean @ W  # (k,)
    if y.ndim == 1:
        return RidgeResult(W[:, 0], float(intercept[0]), solver)
    return RidgeResult(W.T, intercept, solver)


# The public face of the linear models: every solver and estimator is importable from here.
# (Imported at the end: the estimators call `ridge` above lazily, so there is no import cycle.)
from regbook.np.coordinate_descent import (  # noqa: E402
    EnetResult,
    PathResult,
    alpha_max,
    elastic_net,
    enet_path,
    lasso,
    lasso_path,
)
from regbook.np.estimators import ElasticNet, Lasso, LogisticRegression, Ridge  # noqa: E402
from regbook.np.logistic import LogisticResult, logistic_regression  # noqa: E402
from regbook.np.proximal_gradient import ProxGradResult, fista, ista  # noqa: E402

__all__ += [
    "ElasticNet", "EnetResult", "Lasso", "LogisticRegression", "LogisticResult", "PathResult",
    "ProxGradResult", "Ridge", "alpha_max", "elastic_net", "enet_path", "fista", "ista", "lasso",
    "lasso_path", "logistic_regression",
]
