r"""Choosing the ridge penalty without refitting: closed-form LOOCV, GCV and the evidence.

Ridge (scikit-learn's objective, as :func:`regbook.np.linear.ridge`)

.. math::

    \min_{w, b}\; \lVert y - Xw - b\mathbf{1}\rVert_2^2 + \alpha \lVert w\rVert_2^2

is a linear smoother, :math:`\hat y = H(\alpha)\, y`. One SVD of the centred design
:math:`X_c = U D V^\top` gives :math:`H(\alpha)` for every :math:`\alpha`, hence the
leave-one-out error and generalized cross-validation without a single refit
(:func:`ridge_loocv`). Seen as Bayesian linear regression, the same SVD gives the
marginal likelihood ("evidence") of :math:`\alpha`, maximized by MacKay's fixed-point
updates (:func:`ridge_evidence`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import (
    check_array, check_bool, check_consistent_length, check_int, check_scalar, param_error, warn_convergence,
)
from regbook.np.linear import ridge

__all__ = ["EvidenceHistory", "EvidenceResult", "RidgeCVResult", "ridge_evidence", "ridge_loocv",
           "ridge_loocv_bruteforce"]


class RidgeCVResult(NamedTuple):
    """Leave-one-out and GCV scores of ridge on a grid of penalties.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The penalties, in the order given.
    loo_mse : ndarray of shape (n_alphas,)
        Mean squared leave-one-out error.
    gcv : ndarray of shape (n_alphas,)
        Generalized cross-validation score.
    df : ndarray of shape (n_alphas,)
        Effective degrees of freedom :math:`\\operatorname{tr} H(\\alpha)` (the intercept counts 1).
    best_alpha_loo, best_alpha_gcv : float
        The penalty with the smallest ``loo_mse`` / ``gcv`` (the first one on ties).
    """

    alphas: np.ndarray
    loo_mse: np.ndarray
    gcv: np.ndarray
    df: np.ndarray
    best_alpha_loo: float
    best_alpha_gcv: float


class EvidenceHistory(NamedTuple):
    """The fixed-point iterates of :func:`ridge_evidence`, each of shape (n_iter + 1,)."""

    weight_precision: np.ndarray
    noise_precision: np.ndarray
    log_evidence: np.ndarray


class EvidenceResult(NamedTuple):
    """Type-II maximum likelihood estimate of the ridge prior.

    Attributes
    ----------
    alpha : float
        The equivalent ridge penalty :math:`a/b` (scikit-learn's ``Ridge(alpha)``).
    noise_precision : float
        :math:`b = 1/\\sigma^2` (scikit-learn's ``BayesianRidge.alpha_``).
    weight_precision : float
        :math:`a`, prior :math:`w \\sim N(0, a^{-1} I)` (``BayesianRidge.lambda_``).
    log_evidence : float
        :math:`\\log p(y \\mid a, b)` at the returned :math:`(a, b)`.
    n_iter : int
        Fixed-point updates performed.
    converged : bool
    history : EvidenceHistory
        :math:`a`, :math:`b` and the log evidence at the start and after each update.
    """

    alpha: float
    noise_precision: float
    weight_precision: float
    log_evidence: float
    n_iter: int
    converged: bool
    history: EvidenceHistory


# --------------------------------------------------------------------------- helpers
def _check_xy(X, y, caller, fit_intercept, min_samples=1):
    X = check_array(X, "X", caller, ndim=2, min_samples=min_samples)
    y = check_array(y, "y", caller, ndim=1, min_samples=min_samples)
    check_consistent_length(caller, X=X, y=y)
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    if fit_intercept:
        return X - X.mean(axis=0), y - y.mean(), fit_intercept
    return X, y, fit_intercept


def _check_alphas(alphas, caller):
    """A non-empty 1D array of finite penalties > 0 (the closed forms need 1 - h_ii > 0)."""
    alphas = check_array(alphas, "alphas", caller, ndim=1, min_samples=0)
    if alphas.size == 0:
        raise ValueError(param_error("alphas", caller, "a non-empty array of floats in the range (0, inf)",
                                     "an empty array", raw=True))
    if (alphas <= 0).any():
        raise ValueError(param_error("alphas", caller, "an array of floats in the range (0, inf)",
                                     float(alphas.min())))
    return alphas


# --------------------------------------------------------------------------- LOOCV and GCV
def ridge_loocv(X, y, *, alphas, fit_intercept=True) -> RidgeCVResult:
    r"""Exact leave-one-out error and GCV of ridge for many penalties, from one SVD.

    .. math::

        \text{LOO}(\alpha) = \frac1n\sum_{i=1}^n \Bigl(\frac{y_i - \hat y_i}{1 - h_{ii}}\Bigr)^2,
        \qquad
        \text{GCV}(\alpha) = \frac{\frac1n\sum_i (y_i - \hat y_i)^2}{\bigl(1 - \operatorname{tr}H/n\bigr)^2},

        H = \tfrac1n \mathbf{1}\mathbf{1}^\top
            + U\,\operatorname{diag}\!\Bigl(\frac{d_j^2}{d_j^2 + \alpha}\Bigr)U^\top,
        \qquad h_{ii} = \tfrac1n + \sum_j U_{ij}^2\, \frac{d_j^2}{d_j^2 + \alpha},

    with :math:`X_c = U D V^\top` the thin SVD of the centred design (no centring and
    no :math:`\tfrac1n` term when ``fit_intercept`` is false).

    **Derivation.** Write the fit as penalized least squares on the augmented design
    :math:`Z = [\mathbf{1}, X]` with penalty matrix :math:`P = \operatorname{diag}(0, \alpha I)`
    (the intercept is not penalized): :math:`\hat\theta = A^{-1}Z^\top y`,
    :math:`A = Z^\top Z + P`, :math:`H = Z A^{-1} Z^\top`. Dropping sample :math:`i` gives
    :math:`A_{-i} = A - z_i z_i^\top` and, by Sherman–Morrison,
    :math:`A_{-i}^{-1} = A^{-1} + A^{-1}z_i z_i^\top A^{-1}/(1 - h_{ii})`. Then
    :math:`\hat\theta_{-i} = A_{-i}^{-1}(Z^\top y - z_i y_i)
    = \hat\theta - A^{-1}z_i (y_i - \hat y_i)/(1-h_{ii})`,
    so :math:`y_i - z_i^\top\hat\theta_{-i} = (y_i - \hat y_i)/(1 - h_{ii})`: the
    leave-one-out residual of PRESS (Allen 1974). This is the exact refit on
    :math:`n-1` samples, re-centring included, because centring is only a change of
    variables of the unpenalized intercept. In those variables
    :math:`\mathbf 1 \perp X_c`, so :math:`H` splits into the two terms above.
    GCV (Golub, Heath & Wahba 1979) replaces every :math:`h_{ii}` by their mean
    :math:`\operatorname{tr}H/n`.

    In the code, :math:`1 - h_{ii}` and :math:`y - \hat y` are computed from
    :math:`I - H = P_\perp + U\operatorname{diag}(\alpha/(d_j^2+\alpha))U^\top`
    (:math:`P_\perp` projects on the complement of :math:`\operatorname{span}(\mathbf 1, X_c)`),
    which keeps them accurate to rounding when they are tiny (:math:`p \ge n`, small :math:`\alpha`).

    Cost: :math:`O(np\min(n,p))` for the SVD, then :math:`O(n \min(n,p))` per penalty.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        At least 2 samples.
    y : array_like of shape (n_samples,)
    alphas : array_like of shape (n_alphas,)
        Penalties :math:`\alpha > 0` (scikit-learn's ``Ridge(alpha)``), any order.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.

    Returns
    -------
    RidgeCVResult
        ``alphas``, ``loo_mse``, ``gcv``, ``df`` (each (n_alphas,)), ``best_alpha_loo``,
        ``best_alpha_gcv``.

    Examples
    --------
    Without intercept, one feature :math:`x = (1, 1)` and :math:`y = (1, 3)`:
    :math:`h_{ii} = 1/(2 + \alpha)`; with :math:`\alpha = 2` the fit is :math:`\hat y = 1`
    and the leave-one-out residuals are :math:`(0, 2)/(3/4)`.

    >>> res = ridge_loocv([[1.0], [1.0]], [1.0, 3.0], alphas=[2.0], fit_intercept=False)
    >>> round(float(res.loo_mse[0]), 6), round(float(res.df[0]), 6)   # mean(0, (8/3)^2), 2 / 4
    (3.555556, 0.5)
    """
    caller = "ridge_loocv"
    Xc, yc, fit_intercept = _check_xy(X, y, caller, fit_intercept, min_samples=2)
    alphas = _check_alphas(alphas, caller)
    n = Xc.shape[0]
    U, d, _ = np.linalg.svd(Xc, full_matrices=False)  # Xc = U diag(d) V^T
    r = int(np.sum(d > d.max(initial=0.0) * max(Xc.shape) * np.finfo(float).eps))  # numerical rank
    U, d = U[:, :r], d[:r]  # (n, r), (r,)
    z = U.T @ yc  # (r,)
    # I - H = P_perp + U diag(alpha / (d^2 + alpha)) U^T, with P_perp the projector on the
    # complement of span(1, Xc): written this way, 1 - h_ii and y - y_hat keep their relative
    # accuracy when they are small (near interpolation, p >= n), instead of being 1 - (1 - tiny).
    full = r + fit_intercept >= n  # span(1, Xc) is everything: P_perp = 0
    p_perp = np.zeros(n) if full else np.clip(1.0 - fit_intercept / n - np.sum(U**2, axis=1), 0.0, 1.0)
    e_perp = np.zeros(n) if full else yc - U @ z  # (n,) part of y that no w can fit
    G = alphas[:, None] / (d**2 + alphas[:, None])  # (n_alphas, r) 1 - shrinkage factors
    one_minus_h = p_perp[:, None] + (U**2) @ G.T  # (n, n_alphas) 1 - h_ii
    resid = e_perp[:, None] + U @ (G * z).T  # (n, n_alphas) training residuals y - y_hat
    loo_mse = np.mean((resid / one_minus_h) ** 2, axis=0)  # PRESS / n
    df = np.sum(1.0 - G, axis=1) + fit_intercept  # tr H
    gcv = np.mean(resid**2, axis=0) / (1.0 - df / n) ** 2
    return RidgeCVResult(alphas, loo_mse, gcv, df, float(alphas[np.argmin(loo_mse)]),
                         float(alphas[np.argmin(gcv)]))


def ridge_loocv_bruteforce(X, y, *, alphas, fit_intercept=True) -> np.ndarray:
    r"""Leave-one-out error of ridge by definition: :math:`n` refits per penalty.

    .. math::

        \text{LOO}(\alpha) = \frac1n\sum_{i=1}^n \bigl(y_i - \hat b_{-i} - x_i^\top \hat w_{-i}\bigr)^2,

    where :math:`(\hat w_{-i}, \hat b_{-i})` is :func:`regbook.np.linear.ridge` fit
    without sample :math:`i` (re-centred on the other :math:`n-1` samples). This is the
    reference :func:`ridge_loocv` is checked against; it costs :math:`n` times a ridge
    fit per penalty.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        At least 2 samples.
    y : array_like of shape (n_samples,)
    alphas : array_like of shape (n_alphas,)
        Penalties :math:`\alpha > 0`.
    fit_intercept : bool, default=True

    Returns
    -------
    loo_mse : ndarray of shape (n_alphas,)

    Examples
    --------
    >>> loo = ridge_loocv_bruteforce([[1.0], [1.0]], [1.0, 3.0], alphas=[2.0], fit_intercept=False)
    >>> round(float(loo[0]), 6)   # as ridge_loocv
    3.555556
    """
    caller = "ridge_loocv_bruteforce"
    X = check_array(X, "X", caller, ndim=2, min_samples=2)
    y = check_array(y, "y", caller, ndim=1, min_samples=2)
    check_consistent_length(caller, X=X, y=y)
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    alphas = _check_alphas(alphas, caller)
    n = X.shape[0]
    loo = np.zeros(alphas.size)
    for k, alpha in enumerate(alphas):
        for i in range(n):
            keep = np.arange(n) != i
            fit = ridge(X[keep], y[keep], alpha=float(alpha), fit_intercept=fit_intercept)
            loo[k] += (y[i] - fit.intercept - X[i] @ fit.coef) ** 2 / n
    return loo


# --------------------------------------------------------------------------- evidence
def _log_evidence(a, b, lam, z, r0, nu, p):
    """log p(y | a, b) and the quantities of one fixed-point step, in SVD coordinates.

    ``nu`` is the number of data dimensions: n_samples, minus 1 with an intercept.
    """
    s = a + b * lam  # (k,) eigenvalues of A = a I + b Xc^T Xc on the row space
    m2 = np.sum((b * np.sqrt(lam) * z / s) ** 2)  # ||m||^2, m = b A^{-1} Xc^T y
    sse = r0 + np.sum((a * z / s) ** 2)  # ||y - Xc m||^2
    gamma = np.sum(b * lam / s)  # effective number of parameters
    logdet = np.sum(np.log(s)) + (p - lam.size) * np.log(a)  # log |A|
    log_ev = 0.5 * (p * np.log(a) + nu * np.log(b) - b * sse - a * m2 - logdet - nu * np.log(2 * np.pi))
    return float(log_ev), float(m2), float(sse), float(gamma)


def _drift_hint(a, b, gamma, var_y):
    """Say which boundary the iterates drift to, if any."""
    if b * var_y > 1e10:
        return (f"The noise precision grew to {b:.3g}: the evidence may increase toward noise-free "
                "interpolation (alpha -> 0), typical when n_features >= n_samples.")
    if gamma < 1e-8:
        return f"The weight precision grew to {a:.3g}: the evidence may increase toward w = 0."
    return ""


def ridge_evidence(X, y, *, fit_intercept=True, max_iter=300, tol=1e-10, alpha_init=1.0,
                   lambda_init=None) -> EvidenceResult:
    r"""Empirical Bayes for ridge: maximize the evidence over the prior and noise precisions.

    Model: :math:`y = b_0\mathbf 1 + X_c w + \varepsilon`, :math:`\varepsilon \sim N(0, b^{-1}I)`,
    prior :math:`w \sim N(0, a^{-1} I)` and, with ``fit_intercept``, a flat prior on
    :math:`b_0`. The posterior mean of :math:`w` is the ridge solution with :math:`\alpha = a/b`.
    Integrating out :math:`w` and :math:`b_0` leaves :math:`\nu = n - 1` data dimensions
    (:math:`\nu = n` without intercept) and the log marginal likelihood (evidence, MacKay 1992)

    .. math::

        \log p(y \mid a, b) = \tfrac p2\log a + \tfrac \nu2 \log b - \tfrac b2\lVert y_c - X_c m\rVert^2
        - \tfrac a2\lVert m\rVert^2 - \tfrac12\log\lvert A\rvert - \tfrac \nu2\log 2\pi,

    :math:`A = aI + bX_c^\top X_c`, :math:`m = bA^{-1}X_c^\top y_c`, up to a constant free of
    :math:`a, b` (from the flat prior). Setting its derivatives to zero gives MacKay's
    fixed-point updates, iterated here from :math:`a_0 = \alpha_0 b_0`:

    .. math::

        \gamma = \sum_j \frac{b\, d_j^2}{b\, d_j^2 + a},\qquad
        a \leftarrow \frac{\gamma}{\lVert m\rVert^2},\qquad
        b \leftarrow \frac{\nu - \gamma}{\lVert y_c - X_c m\rVert^2},

    with :math:`d_j` the singular values of :math:`X_c` (one SVD; every step is
    :math:`O(\min(n,p))`) and :math:`\gamma` the effective number of parameters. They stop
    when :math:`\max(\lvert\Delta\log a\rvert, \lvert\Delta\log b\rvert) \le` ``tol``.
    The updates are not an EM algorithm and carry no general guarantee that the
    evidence increases at every step; ``history`` records it so that this can be checked.

    The evidence need not be concave: different starts can reach different fixed points
    (compare their ``log_evidence``), and its supremum can lie on a boundary,
    :math:`a \to \infty` (:math:`w = 0`) or, typically when :math:`p \ge n`,
    :math:`b \to \infty` (noise-free interpolation, :math:`\alpha \to 0`). The iterates then
    drift; after ``max_iter`` updates a ConvergenceWarning names the boundary, and the last
    iterate is returned with ``converged=False``.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    fit_intercept : bool, default=True
    max_iter : int, default=300
        Maximum number of fixed-point updates (:math:`\ge 1`).
    tol : float, default=1e-10
        Stopping tolerance on the change of :math:`\log a` and :math:`\log b` (:math:`\ge 0`).
    alpha_init : float, default=1.0
        Starting ridge penalty :math:`\alpha_0 = a_0/b_0 > 0`.
    lambda_init : float or None, default=None
        Starting noise precision :math:`b_0 > 0`; None uses :math:`1/\operatorname{Var}(y)`,
        scikit-learn's start.

    Returns
    -------
    EvidenceResult
        ``alpha`` (:math:`a/b`), ``noise_precision`` (:math:`b`), ``weight_precision``
        (:math:`a`), ``log_evidence``, ``n_iter``, ``converged``, ``history``.

    Notes
    -----
    scikit-learn's ``BayesianRidge(fit_intercept=True)`` centres the data but keeps
    :math:`\nu = n`: that is the evidence maximized over :math:`b_0` instead of integrated,
    and it differs from the above by :math:`\tfrac12\log b` (the direction
    :math:`\mathbf 1`, where the centred residual is exactly 0). Its noise precision is
    larger by a factor of about :math:`(n-\gamma)/(n-1-\gamma)`, and for :math:`p \ge n-1`
    its evidence grows without bound as :math:`b \to \infty`. Without intercept the two agree.

    Names differ between sources. Here, as in MacKay (1992) and Bishop (2006), the weight
    precision is :math:`a` (their :math:`\alpha`) and the noise precision :math:`b` (their
    :math:`\beta`). scikit-learn's ``BayesianRidge`` swaps the Greek letters: its
    ``alpha_`` is the NOISE precision :math:`b` and its ``lambda_`` the WEIGHT precision
    :math:`a`. The equivalent ``Ridge(alpha)`` is ``lambda_ / alpha_`` there, :math:`a/b` here.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 3)); y = X @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.standard_normal(200)
    >>> res = ridge_evidence(X, y)
    >>> res.converged, round(float(res.noise_precision) ** -0.5, 1)   # the noise std is 0.5
    (True, 0.5)
    """
    caller = "ridge_evidence"
    Xc, yc, fit_intercept = _check_xy(X, y, caller, fit_intercept, min_samples=2)
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    alpha0 = check_scalar(alpha_init, "alpha_init", caller, min_val=0.0, closed="neither")
    if lambda_init is None:
        b = 1.0 / max(float(np.var(yc)), np.finfo(float).tiny)
    else:
        b = check_scalar(lambda_init, "lambda_init", caller, min_val=0.0, closed="neither")
    nu, p = Xc.shape[0] - fit_intercept, Xc.shape[1]  # a flat-prior intercept takes one dimension
    U, d, _ = np.linalg.svd(Xc, full_matrices=False)
    lam, z = d**2, U.T @ yc  # eigenvalues of Xc^T Xc on the row space, coordinates of y
    r0 = float(np.sum((yc - U @ z) ** 2))  # part of y no w can fit
    if np.linalg.norm(d * z) <= 1e-12 * d.max(initial=0.0) * np.linalg.norm(yc):  # Xc^T y = 0
        raise ValueError(param_error("y", caller, "correlated with a column of X (after centring) for the "
                                     "evidence to have a finite maximum", "y orthogonal to X", raw=True))
    a = alpha0 * b
    log_ev, m2, sse, gamma = _log_evidence(a, b, lam, z, r0, nu, p)
    hist, converged = [(a, b, log_ev)], False
    for _ in range(max_iter):
        if not (m2 > 0.0 and sse > 0.0):  # drifted out of floating point (a or b -> inf)
            break
        a_new, b_new = gamma / m2, (nu - gamma) / sse  # MacKay's updates
        step = max(abs(np.log(a_new / a)), abs(np.log(b_new / b)))
        a, b = a_new, b_new
        log_ev, m2, sse, gamma = _log_evidence(a, b, lam, z, r0, nu, p)
        hist.append((a, b, log_ev))
        if step <= tol:
            converged = True
            break
    if not converged:
        warn_convergence(caller, max_iter, tol, _drift_hint(a, b, gamma, float(yc @ yc) / nu))
    H = np.array(hist)
    return EvidenceResult(a / b, b, a, log_ev, len(hist) - 1, converged,
                          EvidenceHistory(H[:, 0], H[:, 1], H[:, 2]))
