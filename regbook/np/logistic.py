r"""Penalized logistic regression (binary and multinomial) by FISTA, in NumPy.

The objective is scikit-learn's ``LogisticRegression(C, l1_ratio)`` exactly, so
coefficients compare one to one:

.. math::

    \min_{W, b}\ C \sum_{i=1}^n \ell_i(W, b)
    + \rho\,\lVert W\rVert_1 + \frac{1-\rho}{2}\lVert W\rVert_F^2,

with the log-loss :math:`\ell_i = \log\bigl(1 + e^{z_i}\bigr) - y_i z_i`,
:math:`z_i = x_i^\top w + b`, for two classes (one weight vector, the sigmoid),
and :math:`\ell_i = \log\sum_k e^{z_{ik}} - z_{i y_i}`, :math:`z_{ik} = x_i^\top w_k + b_k`,
for :math:`K > 2` classes (one row of :math:`W` per class, the softmax). The
intercept :math:`b` is not penalized. In the book's mean-loss convention
:math:`\frac1n\sum_i \ell_i + \frac{\lambda}{2}\lVert W\rVert^2` (:math:`\rho = 0`),
:math:`\lambda = 1/(nC)`.

The smooth part :math:`C\sum_i \ell_i` has the gradient
:math:`C\,(P - Y)^\top [X, \mathbf 1]`, with :math:`P` the predicted
probabilities and :math:`Y` the 0/1 (one-hot) targets; the penalty goes
through :func:`~regbook.np.prox.prox_elastic_net`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from regbook._validation import (check_array, check_bool, check_consistent_length, check_int, check_scalar,
                                 param_error, warn_convergence)
from regbook.np.proximal_gradient import _minimize
from regbook.np.prox import prox_elastic_net

__all__ = ["LogisticResult", "logistic_regression", "predict_proba"]


class LogisticResult(NamedTuple):
    """Outcome of :func:`logistic_regression`: ``coef`` of shape (1, n_features) for two
    classes or (n_classes, n_features), ``intercept`` of shape (1,) or (n_classes,),
    the sorted ``classes``, ``n_iter``, the ``objective`` history (n_iter + 1,) and
    ``converged``."""

    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray
    n_iter: int
    objective: np.ndarray
    converged: bool


def _probabilities(Z):
    """Sigmoid of Z (n, 1) or softmax of the rows of Z (n, K), computed without overflow."""
    if Z.shape[1] == 1:
        return 0.5 * (1.0 + np.tanh(0.5 * Z))  # sigma(z) = (1 + tanh(z/2)) / 2
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # shift: exp never overflows
    return E / E.sum(axis=1, keepdims=True)


def _log_loss(Z, Y):
    """sum_i l_i for logits Z (n, 1) or (n, K) and 0/1 targets Y of the same shape."""
    if Z.shape[1] == 1:
        return float(np.sum(np.logaddexp(0.0, Z) - Y * Z))  # log(1 + e^z) - y z
    z_max = Z.max(axis=1, keepdims=True)
    log_sum_exp = z_max[:, 0] + np.log(np.sum(np.exp(Z - z_max), axis=1))
    return float(np.sum(log_sum_exp - np.sum(Y * Z, axis=1)))


def predict_proba(X, coef, intercept):
    r"""Class probabilities of a (binary or multinomial) logistic model.

    .. math::

        P(y = \text{classes}[1] \mid x) = \sigma(x^\top w + b) \quad (K = 2), \qquad
        P(y = k \mid x) = \frac{e^{x^\top w_k + b_k}}{\sum_l e^{x^\top w_l + b_l}} \quad (K > 2)

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    coef : array_like of shape (1, n_features) or (n_classes, n_features)
    intercept : array_like of shape (1,) or (n_classes,)

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Rows sum to one; for two classes the columns are :math:`1 - \sigma` and :math:`\sigma`.

    Examples
    --------
    >>> P = predict_proba([[0.0], [2.0]], [[1.0]], [0.0])
    >>> [round(float(p), 4) for p in P[:, 1]]
    [0.5, 0.8808]
    """
    caller = "predict_proba"
    X = check_array(X, "X", caller, ndim=2)
    coef = check_array(coef, "coef", caller, ndim=2)
    intercept = check_array(intercept, "intercept", caller, ndim=1)
    if coef.shape[1] != X.shape[1] or intercept.shape[0] != coef.shape[0]:
        raise ValueError(f"Shapes do not match in {caller}: X {X.shape}, coef {coef.shape}, "
                         f"intercept {intercept.shape}.")
    P = _probabilities(X @ coef.T + intercept)  # (n, 1) or (n, K)
    return np.hstack([1.0 - P, P]) if P.shape[1] == 1 else P


def logistic_regression(X, y, *, C=1.0, l1_ratio=0.0, fit_intercept=True, max_iter=1000,
                        tol=1e-6, _caller="logistic_regression") -> LogisticResult:
    r"""Penalized logistic regression by FISTA with backtracking and gradient restart.

    .. math::

        \min_{W, b}\ C \sum_{i=1}^n \ell_i(W, b)
        + \rho\,\lVert W\rVert_1 + \frac{1-\rho}{2}\lVert W\rVert_F^2

    scikit-learn's objective (see the module docstring for :math:`\ell_i`):
    two classes give one weight vector and the sigmoid, :math:`K > 2` classes the
    multinomial (softmax) model with one row of :math:`W` per class. The unknowns
    :math:`\Theta = [W, b]` start at zero and follow
    :func:`~regbook.np.proximal_gradient.proximal_gradient` with
    ``accelerated=True, backtracking=True, restart=True``, the step starting at 1.
    The features are centred internally (an exact change of the intercept
    variable, which only improves the conditioning).

    Stopping rule: the largest violation of the optimality condition
    :math:`0 \in \partial F(\Theta)` (distance of 0 to the subdifferential, per
    entry), divided by :math:`nC`, is at most ``tol``. For :math:`\rho = 0` this
    is scikit-learn's ``lbfgs`` rule (gradient of its mean-loss objective).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Class labels (at least two distinct values).
    C : float, default=1.0
        Inverse penalty strength :math:`C > 0`.
    l1_ratio : float, default=0.0
        Mixing :math:`\rho \in [0, 1]`: 0 is the L2 penalty, 1 the L1 penalty.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept :math:`b`.
    max_iter : int, default=1000
        Largest number of FISTA steps.
    tol : float, default=1e-6
        Tolerance :math:`\ge 0` of the stopping rule.

    Returns
    -------
    LogisticResult
        ``coef`` (1, n_features) for two classes, (n_classes, n_features)
        otherwise, ``intercept``, ``classes``, ``n_iter``, ``objective``
        history, ``converged``.

    Examples
    --------
    Two points, :math:`x = \pm 1` with labels 1 and 0, and no intercept: the
    optimality condition :math:`w = 2C\,\sigma(-w)` gives :math:`w = 0.6748` for :math:`C = 1`.

    >>> res = logistic_regression([[1.0], [-1.0]], [1, 0], fit_intercept=False, tol=1e-10)
    >>> round(float(res.coef[0, 0]), 4), res.classes.tolist()
    (0.6748, [0, 1])
    """
    caller = _caller  # the estimator LogisticRegression passes its own name
    X = check_array(X, "X", caller, ndim=2)
    y = _check_labels(y, caller)
    check_consistent_length(caller, X=X, y=y)
    C = check_scalar(C, "C", caller, min_val=0.0, max_val=math.inf, closed="neither")
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    classes, y_idx = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(param_error("y", caller, "labels of at least 2 classes",
                                     f"1 class ({classes[0].tolist()!r})", raw=True))

    n, p = X.shape
    K = len(classes)
    Y = (y_idx == 1)[:, None] * 1.0 if K == 2 else np.eye(K)[y_idx]  # (n, 1) or (n, K)
    # x^T w + b = (x - x_mean)^T w + b', b' = b + x_mean^T w: the same objective in (W, b'),
    # but centred features make it far better conditioned for a first-order method
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(p)
    X1 = np.hstack([X - x_mean, np.ones((n, 1))]) if fit_intercept else X  # (n, p [+ 1])

    def f(theta):  # theta = [W, b]: (1 or K, p [+ 1])
        return C * _log_loss(X1 @ theta.T, Y)

    def grad_f(theta):
        return C * (_probabilities(X1 @ theta.T) - Y).T @ X1  # C (P - Y)^T [X, 1]

    def g(theta):
        W = theta[:, :p]
        return l1_ratio * np.sum(np.abs(W)) + 0.5 * (1.0 - l1_ratio) * np.sum(W**2)

    def prox(v, t):
        out = v.copy()
        out[:, :p] = prox_elastic_net(v[:, :p], t, l1_ratio)  # the intercept is not penalized
        return out

    def kkt_violation(theta):
        # distance of 0 to the subdifferential of F, entry by entry, on scikit-learn's scale
        G = grad_f(theta)
        W, G_w = theta[:, :p], G[:, :p] + (1.0 - l1_ratio) * theta[:, :p]
        dist_w = np.where(W != 0, np.abs(G_w + l1_ratio * np.sign(W)),
                          np.maximum(np.abs(G_w) - l1_ratio, 0.0))
        return max(np.max(dist_w, initial=0.0), np.max(np.abs(G[:, p:]), initial=0.0)) / (n * C)

    theta0 = np.zeros((1 if K == 2 else K, X1.shape[1]))
    res = _minimize(f, grad_f, g, prox, theta0, 1.0, True, True, True, max_iter, tol, kkt_violation)
    if not res.converged:
        warn_convergence(caller, max_iter, tol, f"Optimality violation: {kkt_violation(res.x):.3g}.")
    coef = res.x[:, :p].copy()
    intercept = res.x[:, p] - coef @ x_mean if fit_intercept else np.zeros(len(coef))
    if K > 2:  # softmax ignores a common shift of the intercepts: return them with zero sum,
        intercept -= intercept.mean()  # as scikit-learn's solvers do (they start at 0)
    return LogisticResult(coef, intercept, classes, res.n_iter, res.objective, res.converged)


def _check_labels(y, caller):
    """Class labels: a 1-D array of numbers (finite) or of strings."""
    y = np.asarray(y)
    if y.dtype.kind in "biufc":
        return check_array(y, "y", caller, ndim=1, dtype=None)
    if y.ndim != 1:
        raise ValueError(f"The 'y' parameter of {caller} must be a 1D array (got {y.ndim}D input).")
    return y
