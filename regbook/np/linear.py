"""Penalized linear models in NumPy.

Objectives follow scikit-learn exactly, so coefficients compare one to one:

.. math::

    \\text{ridge:}\\quad \\min_{w, b}\\; \\lVert y - Xw - b\\mathbf{1}\\rVert_2^2 + \\alpha \\lVert w\\rVert_2^2

The intercept :math:`b` is never penalized: it is removed by centring ``X`` and
``y`` and recovered afterwards as :math:`b = \\bar y - \\bar x^\\top w`.
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
