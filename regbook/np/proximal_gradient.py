r"""Proximal gradient descent (ISTA) and its accelerated version (FISTA), in NumPy.

Both minimize :math:`F(x) = f(x) + g(x)`, with :math:`f` smooth (gradient
:math:`L`-Lipschitz) and :math:`g` convex with a cheap proximal operator
(:mod:`regbook.np.prox`): a gradient step on :math:`f`, then the prox of :math:`g`.
With the step :math:`t = 1/L`, ISTA's objective never increases and
:math:`F(x_k) - F^\star \le L\lVert x_0 - x^\star\rVert^2 / (2k)`; FISTA (Beck and
Teboulle, 2009) adds momentum, may oscillate, and reaches
:math:`F(x_k) - F^\star \le 2L\lVert x_0 - x^\star\rVert^2 / (k+1)^2`.
:func:`proximal_gradient` is the generic solver; :func:`ista` and :func:`fista`
apply it to the lasso / elastic net.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from regbook._validation import (check_array, check_bool, check_consistent_length, check_int, check_scalar,
                                 param_error, warn_convergence)
from regbook.np.prox import prox_elastic_net

__all__ = ["ProxGradResult", "ProximalGradientResult", "fista", "ista", "proximal_gradient"]


class ProximalGradientResult(NamedTuple):
    r"""Outcome of :func:`proximal_gradient`: the last iterate ``x`` (shape of ``x0``), the number
    of steps ``n_iter``, the ``objective`` history :math:`F(x_0), \dots, F(x_k)` (shape
    (n_iter + 1,)) and whether the stopping rule was met (``converged``)."""

    x: np.ndarray
    n_iter: int
    objective: np.ndarray
    converged: bool


class ProxGradResult(NamedTuple):
    r"""Outcome of :func:`ista` and :func:`fista`: ``coef`` (n_features,), ``intercept``,
    ``n_iter``, the ``objective`` history at :math:`w_0 = 0, w_1, \dots, w_k` (shape
    (n_iter + 1,)) and ``converged``."""

    coef: np.ndarray
    intercept: float
    n_iter: int
    objective: np.ndarray
    converged: bool


def _minimize(f, grad_f, g, prox, x0, step, backtracking, accelerated, restart, max_iter, tol,
              criterion):
    """The proximal gradient loop (inputs already validated)."""
    x = np.array(x0, dtype=np.float64)
    y, theta = x, 1.0
    history = [f(x) + g(x)]
    converged, k = False, 0
    while not converged and k < max_iter:
        k += 1
        grad_y = grad_f(y)
        f_y = f(y) if backtracking else 0.0
        while True:
            x_new = prox(y - step * grad_y, step)  # gradient step on f, then prox of g
            f_new = f(x_new)
            if not backtracking:
                break
            d = x_new - y
            # accept t if f(x_new) lies below the quadratic model of f at y
            # (with a relative slack of 1e-14, so that rounding near the solution does not shrink t)
            if f_new <= f_y + np.vdot(grad_y, d) + np.vdot(d, d) / (2 * step) + 1e-14 * abs(f_y):
                break
            step *= 0.5
        history.append(f_new + g(x_new))
        if not accelerated:
            y = x_new
        elif restart and np.vdot(y - x_new, x_new - x) > 0:
            y, theta = x_new, 1.0  # the momentum points uphill: drop it
        else:
            theta_new = (1.0 + math.sqrt(1.0 + 4.0 * theta**2)) / 2.0
            y = x_new + ((theta - 1.0) / theta_new) * (x_new - x)
            theta = theta_new
        if criterion is None:  # relative change of the objective
            converged = abs(history[-2] - history[-1]) <= tol * max(abs(history[-2]), abs(history[-1]))
        else:
            converged = criterion(x_new) <= tol
        x = x_new
    return ProximalGradientResult(x, k, np.array(history), bool(converged))


def proximal_gradient(
    f, grad_f, g, prox, x0, *, step=None, backtracking=False, accelerated=False,
    restart=False, max_iter=1000, tol=1e-6, criterion=None,
) -> ProximalGradientResult:
    r"""Minimize :math:`F = f + g` by proximal gradient steps (ISTA, or FISTA if accelerated).

    .. math::

        x_{k+1} = \operatorname{prox}_{t g}\bigl(y_k - t\,\nabla f(y_k)\bigr), \qquad
        y_{k+1} = \begin{cases} x_{k+1} & \text{ISTA} \\
        x_{k+1} + \frac{\theta_k - 1}{\theta_{k+1}}(x_{k+1} - x_k) & \text{FISTA}\end{cases}
        \qquad \theta_{k+1} = \frac{1 + \sqrt{1 + 4\theta_k^2}}{2},\ \theta_0 = 1

    With ``backtracking`` the step :math:`t` is halved until
    :math:`f(x_{k+1}) \le f(y_k) + \nabla f(y_k)^\top d + \lVert d\rVert^2/(2t)`,
    :math:`d = x_{k+1} - y_k` (Beck and Teboulle's rule; :math:`t` never grows
    back). With ``restart`` (FISTA only) the momentum is reset to zero whenever
    :math:`(y_k - x_{k+1})^\top (x_{k+1} - x_k) > 0` (O'Donoghue and Candès'
    gradient restart), which recovers linear convergence on strongly convex problems.

    Stopping rule: if ``criterion`` is given, stop when
    ``criterion(x_k) <= tol`` (e.g. a duality gap); otherwise when the relative
    change of the objective :math:`|F(x_{k-1}) - F(x_k)| \le \text{tol}\,\max(|F(x_{k-1})|, |F(x_k)|)`.
    If ``max_iter`` steps do not meet it, ``converged`` is False and a
    :class:`~regbook.ConvergenceWarning` naming ``max_iter`` and ``tol`` is emitted.

    Parameters
    ----------
    f, grad_f : callable
        The smooth part :math:`f(x) \to` float and its gradient :math:`\nabla f(x)`
        (same shape as ``x``).
    g : callable
        The nonsmooth part :math:`g(x) \to` float (used for the objective history).
    prox : callable
        ``prox(v, t)`` :math:`= \operatorname{argmin}_x\, g(x) + \lVert x - v\rVert^2/(2t)`.
    x0 : array_like of any shape, e.g. (n_features,)
        Starting point :math:`x_0`, with finite entries.
    step : float or None, default=None
        Step :math:`t > 0`, usually :math:`1/L`. ``None`` needs ``backtracking=True``
        and then starts from :math:`t = 1`.
    backtracking, accelerated, restart : bool, default=False
        See above.
    max_iter : int, default=1000
        Largest number of steps (:math:`\ge 1`).
    tol : float, default=1e-6
        Tolerance :math:`\ge 0` of the stopping rule.
    criterion : callable or None, default=None
        ``criterion(x) -> float``, a non-negative optimality measure.

    Returns
    -------
    ProximalGradientResult
        ``x``, ``n_iter``, ``objective`` (the history :math:`F(x_0), \dots, F(x_k)`),
        ``converged``.

    Examples
    --------
    Minimize :math:`\tfrac12\lVert x - a\rVert^2 + \lVert x\rVert_1`; with
    :math:`L = 1` one ISTA step from any :math:`x_0` lands on the answer
    :math:`\operatorname{sign}(a)\max(|a| - 1, 0)`:

    >>> from regbook.np.prox import soft_threshold
    >>> a = np.array([3.0, 0.5])
    >>> res = proximal_gradient(lambda x: 0.5 * np.sum((x - a) ** 2), lambda x: x - a,
    ...                         lambda x: np.sum(np.abs(x)), soft_threshold, np.zeros(2), step=1.0)
    >>> res.x.tolist(), res.n_iter, round(float(res.objective[-1]), 6)
    ([2.0, 0.0], 2, 2.625)
    """
    caller = "proximal_gradient"
    for name, fn in (("f", f), ("grad_f", grad_f), ("g", g), ("prox", prox)):
        if not callable(fn):
            raise TypeError(param_error(name, caller, "a callable", fn))
    if criterion is not None and not callable(criterion):
        raise TypeError(param_error("criterion", caller, "a callable or None", criterion))
    x0 = check_array(x0, "x0", caller, min_samples=0)
    backtracking = check_bool(backtracking, "backtracking", caller)
    accelerated = check_bool(accelerated, "accelerated", caller)
    restart = check_bool(restart, "restart", caller)
    if step is None:
        if not backtracking:
            raise ValueError(param_error("step", caller, "a float in the range (0.0, inf) "
                                         "when backtracking=False", step))
        step = 1.0
    step = check_scalar(step, "step", caller, min_val=0.0, max_val=math.inf, closed="neither")
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    res = _minimize(f, grad_f, g, prox, x0, step, backtracking, accelerated, restart,
                    max_iter, tol, criterion)
    if not res.converged:
        warn_convergence(caller, max_iter, tol)
    return res


# --------------------------------------------------------------------------- lasso / elastic net
def _enet_dual_gap(X, y, w, l1, l2):
    r"""Duality gap of :math:`\frac1{2n}\lVert y - Xw\rVert^2 + g(w)`,
    :math:`g(w) = l_1\lVert w\rVert_1 + \frac{l_2}2\lVert w\rVert^2`.

    Dual point :math:`\theta = s\,r/n`, :math:`r = y - Xw`, dual objective
    :math:`\theta^\top y - \frac n2\lVert\theta\rVert^2 - g^*(X^\top\theta)` with
    :math:`g^*(v) = \sum_j (|v_j| - l_1)_+^2 / (2 l_2)`; for :math:`l_2 = 0`, :math:`g^*`
    is the indicator of :math:`\lVert v\rVert_\infty \le l_1` and :math:`s \le 1`
    scales :math:`\theta` into it. With :math:`u = X^\top r / n` the gap is
    :math:`(1-s)^2\lVert r\rVert^2/(2n) + \sum_j [g_j(w_j) + g_j^*(s u_j) - s u_j w_j]`,
    a sum of non-negative (Fenchel–Young) terms, free of cancellation between large totals.
    """
    n = X.shape[0]
    r = y - X @ w
    u = X.T @ r / n
    if l2 > 0:
        s = 1.0
        conj = np.maximum(np.abs(u) - l1, 0.0) ** 2 / (2 * l2)
    else:
        u_max = np.max(np.abs(u), initial=0.0)
        s = 1.0 if u_max <= l1 else l1 / u_max
        conj = 0.0
    fenchel_young = l1 * np.abs(w) + 0.5 * l2 * w**2 + conj - s * u * w  # each term >= 0
    return max((1 - s) ** 2 * (r @ r) / (2 * n) + float(np.sum(fenchel_young)), 0.0)


def _enet_prox_gradient(X, y, alpha, l1_ratio, fit_intercept, max_iter, tol, accelerated, restart,
                        caller):
    """Validate, centre, run ISTA or FISTA; return the result and the warning to emit (or None)."""
    X = check_array(X, "X", caller, ndim=2)
    y = check_array(y, "y", caller, ndim=1)
    check_consistent_length(caller, X=X, y=y)
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, max_val=math.inf, closed="neither")
    l1_ratio = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)

    n = X.shape[0]
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    y_mean = y.mean() if fit_intercept else 0.0
    Xc, yc = X - x_mean, y - y_mean  # the intercept is removed by centring
    l1, l2 = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    lipschitz = np.linalg.norm(Xc, 2) ** 2 / n  # sigma_max(Xc)^2 / n
    step = 1.0 / lipschitz if lipschitz > 0 else 1.0  # Xc = 0: w = 0 is optimal anyway
    gap_scale = max(yc @ yc / n, np.finfo(float).tiny)  # tol is relative to ||y_c||^2 / n

    def f(w):
        r = yc - Xc @ w
        return r @ r / (2 * n)

    def grad_f(w):
        return Xc.T @ (Xc @ w - yc) / n

    def g(w):
        return l1 * np.sum(np.abs(w)) + 0.5 * l2 * (w @ w)

    def prox(v, t):
        return prox_elastic_net(v, t * alpha, l1_ratio)

    def relative_gap(w):
        return _enet_dual_gap(Xc, yc, w, l1, l2) / gap_scale

    res = _minimize(f, grad_f, g, prox, np.zeros(X.shape[1]), step, False, accelerated, restart,
                    max_iter, tol, relative_gap)
    intercept = float(y_mean - x_mean @ res.x)
    # the caller emits the warning, so that it points at the user's line
    detail = f"Relative duality gap: {relative_gap(res.x):.3g}."
    warning = None if res.converged else (caller, max_iter, tol, detail)
    return ProxGradResult(res.x, intercept, res.n_iter, res.objective, res.converged), warning


def ista(X, y, *, alpha=1.0, l1_ratio=1.0, fit_intercept=True, max_iter=1000,
         tol=1e-6) -> ProxGradResult:
    r"""Lasso / elastic net by ISTA (proximal gradient descent, no momentum).

    .. math::

        \min_{w, b}\ \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2
        + \alpha\rho\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2

    the objective of scikit-learn's ``ElasticNet`` (``Lasso`` for :math:`\rho = 1`)
    and of :func:`regbook.np.coordinate_descent.elastic_net`. The intercept is
    removed by centring :math:`X` and :math:`y`; the step is :math:`t = 1/L`,
    :math:`L = \sigma_{\max}(X_c)^2 / n`; the whole penalty goes through
    :func:`~regbook.np.prox.prox_elastic_net`. Starts from :math:`w_0 = 0`.

    Stopping rule: the duality gap (dual point :math:`\theta = r/n`, rescaled into
    the dual box when :math:`\rho = 1`) is at most ``tol`` :math:`\cdot\lVert y_c\rVert^2/n`,
    scikit-learn's rule for coordinate descent, so ``tol`` means the same in both.
    A :class:`~regbook.ConvergenceWarning` naming ``max_iter`` and ``tol`` is emitted
    if ``max_iter`` steps do not meet it.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alpha : float, default=1.0
        Penalty strength :math:`\alpha > 0`.
    l1_ratio : float, default=1.0
        Mixing :math:`\rho \in [0, 1]`; 1 is the lasso.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept :math:`b`.
    max_iter : int, default=1000
        Largest number of steps.
    tol : float, default=1e-6
        Relative duality-gap tolerance.

    Returns
    -------
    ProxGradResult
        ``coef`` (n_features,), ``intercept``, ``n_iter``, ``objective`` (the
        history :math:`F(w_0), \dots, F(w_k)`, never increasing), ``converged``.

    Examples
    --------
    With one standardized feature the lasso solution is
    :math:`w = \operatorname{sign}(c)\max(|c| - \alpha, 0)`, :math:`c = x_c^\top y_c / n`:

    >>> X = np.array([[-1.0], [1.0], [-1.0], [1.0]])
    >>> y = np.array([-2.0, 2.0, -2.0, 2.0])          # c = 2
    >>> res = ista(X, y, alpha=0.5)
    >>> round(float(res.coef[0]), 6), round(res.intercept, 6), res.converged
    (1.5, 0.0, True)
    """
    res, warning = _enet_prox_gradient(X, y, alpha, l1_ratio, fit_intercept, max_iter, tol,
                                       False, False, "ista")
    if warning:
        warn_convergence(*warning)
    return res


def fista(X, y, *, alpha=1.0, l1_ratio=1.0, fit_intercept=True, max_iter=1000, tol=1e-6,
          restart=False) -> ProxGradResult:
    r"""Lasso / elastic net by FISTA (proximal gradient with Beck–Teboulle momentum).

    .. math::

        \min_{w, b}\ \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2
        + \alpha\rho\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2

    Same problem, step, starting point and stopping rule as :func:`ista`; the
    iterates are extrapolated as in :func:`proximal_gradient` with ``accelerated=True``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alpha, l1_ratio, fit_intercept, max_iter, tol
        As in :func:`ista`.
    restart : bool, default=False
        Reset the momentum when it points uphill (gradient restart).

    Returns
    -------
    ProxGradResult
        As :func:`ista`; here the ``objective`` history may oscillate.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((30, 5)), rng.standard_normal(30)
    >>> a = ista(X, y, alpha=0.1, tol=1e-10)
    >>> b = fista(X, y, alpha=0.1, tol=1e-10, restart=True)
    >>> bool(np.allclose(a.coef, b.coef, atol=1e-6)), bool(b.n_iter < a.n_iter)
    (True, True)
    """
    res, warning = _enet_prox_gradient(X, y, alpha, l1_ratio, fit_intercept, max_iter, tol,
                                       True, restart, "fista")
    if warning:
        warn_convergence(*warning)
    return res
