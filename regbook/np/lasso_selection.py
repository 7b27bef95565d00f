r"""Choosing the lasso penalty by information criteria, its degrees of freedom, and the adaptive lasso.

The lasso (scikit-learn's objective, as :func:`regbook.np.coordinate_descent.lasso`)

.. math::

    \min_{w, b}\; \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2 + \alpha \lVert w\rVert_1

has, for a fixed :math:`\alpha`, an unbiased estimate of its degrees of freedom: the
number of non-zero coefficients (Zou, Hastie & Tibshirani 2007). That turns AIC and
BIC into one-pass rules for :math:`\alpha` along the path
(:func:`lasso_information_criteria`), checked by simulation in
:func:`lasso_df_simulation`. The adaptive lasso (Zou 2006) reweights the penalty
with a first estimate so that large coefficients are shrunk less (:func:`adaptive_lasso`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import (
    check_array, check_bool, check_consistent_length, check_int, check_option, check_rng, check_scalar,
    param_error,
)
from regbook.np.coordinate_descent import lasso, lasso_path
from regbook.np.linear import ridge
from regbook.np.ridge_selection import _check_alphas, ridge_loocv

__all__ = ["AdaptiveLassoResult", "DfSimResult", "LassoICResult", "adaptive_lasso", "adaptive_weights",
           "lasso_df_simulation", "lasso_information_criteria"]


class LassoICResult(NamedTuple):
    """AIC and BIC along a lasso path (arrays of shape (n_alphas,), decreasing ``alphas``)."""

    alphas: np.ndarray
    aic: np.ndarray
    bic: np.ndarray
    df: np.ndarray
    mse: np.ndarray
    alpha_aic: float
    alpha_bic: float
    noise_variance: float


class DfSimResult(NamedTuple):
    """Monte Carlo degrees of freedom of a lasso fit.

    ``se`` is the standard error of ``df_cov - mean_nnz`` (both from the same simulations).
    """

    df_cov: float
    mean_nnz: float
    se: float


class AdaptiveLassoResult(NamedTuple):
    """Adaptive lasso fit; ``weights`` are the last penalty weights used (``inf``: excluded)."""

    coef: np.ndarray
    intercept: float
    weights: np.ndarray
    init_coef: np.ndarray


def _check_xy(X, y, caller, name_y="y"):
    X = check_array(X, "X", caller, ndim=2, min_samples=2)
    y = check_array(y, name_y, caller, ndim=1, min_samples=2)
    check_consistent_length(caller, **{"X": X, name_y: y})
    return X, y


def lasso_information_criteria(X, y, *, alphas=None, n_alphas=100, eps=1e-3, fit_intercept=True,
                               noise_variance=None) -> LassoICResult:
    r"""AIC and BIC of the lasso along its path, with the number of non-zeros as degrees of freedom.

    .. math::

        \text{AIC}(\alpha) = n\log(2\pi\sigma^2) + \frac{\mathrm{RSS}(\alpha)}{\sigma^2}
            + 2\,\mathrm{df}(\alpha),
        \qquad
        \text{BIC}(\alpha) = n\log(2\pi\sigma^2) + \frac{\mathrm{RSS}(\alpha)}{\sigma^2}
            + \log(n)\,\mathrm{df}(\alpha),

    :math:`\mathrm{RSS} = \lVert y - X\hat w - \hat b\rVert^2`,
    :math:`\mathrm{df} = \#\{j : |\hat w_j| > \epsilon_{\text{mach}}\}` (the intercept is not
    counted), and by default :math:`\sigma^2 = \mathrm{RSS}_{\text{OLS}}/(n - p - 1)` (``n - p``
    without intercept): exactly scikit-learn's ``LassoLarsIC``, so the curves compare. That
    estimator evaluates the criteria at the LARS knots; here they are evaluated on a grid
    solved by coordinate descent (tolerance ``1e-10``). Within a segment of constant
    support RSS increases with :math:`\alpha` while df is constant, so the exact minimizer
    over all :math:`\alpha` sits at a knot (approached from above); a grid finds it up to
    the grid spacing.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alphas : array_like of shape (n_alphas,) or None
        Penalties :math:`\alpha > 0`; None builds :func:`regbook.np.coordinate_descent.lasso_path`'s grid.
    n_alphas : int, default=100
        Grid size when ``alphas`` is None.
    eps : float, default=1e-3
        :math:`\alpha_{\min}/\alpha_{\max}` of the default grid.
    fit_intercept : bool, default=True
    noise_variance : float or None, default=None
        :math:`\sigma^2 > 0`. Required when :math:`n \le p` + ``fit_intercept`` (no OLS fit).

    Returns
    -------
    LassoICResult
        ``alphas`` (decreasing), ``aic``, ``bic``, ``df``, ``mse`` (:math:`\mathrm{RSS}/n`),
        each (n_alphas,); ``alpha_aic``, ``alpha_bic`` (the minimizers); ``noise_variance``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8)); y = 3 * X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100)
    >>> ic = lasso_information_criteria(X, y, n_alphas=30)
    >>> int(ic.df[0]), bool(ic.alpha_bic >= ic.alpha_aic)   # no feature at alpha_max; BIC is sparser
    (0, True)
    """
    caller = "lasso_information_criteria"
    X, y = _check_xy(X, y, caller)
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    if alphas is None:
        n_alphas = check_int(n_alphas, "n_alphas", caller, min_val=1)
        eps = check_scalar(eps, "eps", caller, min_val=0.0, max_val=1.0, closed="neither")
    else:
        alphas = _check_alphas(alphas, caller)
    n, p = X.shape
    Xc, yc = (X - X.mean(axis=0), y - y.mean()) if fit_intercept else (X, y)
    if noise_variance is None:
        if n <= p + fit_intercept:
            raise ValueError(param_error(
                "noise_variance", caller, f"a float in the range (0, inf) when n_samples <= n_features + "
                f"fit_intercept ({n} <= {p + fit_intercept}: no OLS estimate of the noise)", None))
        w_ols = np.linalg.lstsq(Xc, yc, rcond=None)[0]
        noise_variance = float(np.sum((yc - Xc @ w_ols) ** 2)) / (n - p - fit_intercept)
    else:
        noise_variance = check_scalar(noise_variance, "noise_variance", caller, min_val=0.0, closed="neither")
    path = lasso_path(X, y, alphas=alphas, n_alphas=n_alphas, eps=eps, fit_intercept=fit_intercept,
                      tol=1e-10, max_iter=100_000)
    rss = np.sum((yc[:, None] - Xc @ path.coefs) ** 2, axis=0)  # (n_alphas,)
    df = np.sum(np.abs(path.coefs) > np.finfo(float).eps, axis=0)  # non-zeros, as LassoLarsIC
    base = n * np.log(2 * np.pi * noise_variance) + rss / noise_variance
    aic, bic = base + 2 * df, base + np.log(n) * df
    return LassoICResult(path.alphas, aic, bic, df, rss / n, float(path.alphas[np.argmin(aic)]),
                         float(path.alphas[np.argmin(bic)]), noise_variance)


def lasso_df_simulation(X, f_true, *, alpha, noise_std, n_sim, rng) -> DfSimResult:
    r"""Degrees of freedom of the lasso by Monte Carlo: the covariance definition vs E[non-zeros].

    .. math::

        \mathrm{df} = \frac{1}{\sigma^2}\sum_{i=1}^n \operatorname{Cov}(\hat y_i, y_i)
        = \mathbb E\,\frac{(\hat y - f)^\top (y - f)}{\sigma^2}
        \;\overset{\text{Zou et al.}}{=}\; \mathbb E\,\#\{j: \hat w_j \ne 0\},

    for :math:`y = f + \sigma\varepsilon`, :math:`\varepsilon \sim N(0, I)`, and the lasso
    fit :math:`\hat y = X\hat w` without intercept at a fixed :math:`\alpha` (Efron's
    covariance definition; subtracting :math:`f` from :math:`\hat y` leaves the
    expectation unchanged and lowers the variance). The identity holds when the active
    columns are linearly independent (for any :math:`X`, the right side is
    :math:`\mathbb E\operatorname{rank}(X_{\mathcal A})`: Tibshirani & Taylor 2012). Both
    means use the same ``n_sim`` draws; ``se`` is the standard error of their paired difference.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    f_true : array_like of shape (n_samples,)
        The noise-free mean :math:`f` of :math:`y`.
    alpha : float
        Lasso penalty :math:`\alpha > 0`.
    noise_std : float
        :math:`\sigma > 0`.
    n_sim : int
        Number of simulated responses (:math:`\ge 2`).
    rng : numpy.random.Generator or int
        Source of the noise.

    Returns
    -------
    DfSimResult
        ``df_cov``, ``mean_nnz`` and ``se`` (standard error of their difference).

    Examples
    --------
    >>> X = np.random.default_rng(0).standard_normal((40, 6))
    >>> res = lasso_df_simulation(X, X[:, 0], alpha=0.1, noise_std=1.0, n_sim=200, rng=1)
    >>> bool(abs(res.df_cov - res.mean_nnz) < 4 * res.se)
    True
    """
    caller = "lasso_df_simulation"
    X, f = _check_xy(X, f_true, caller, name_y="f_true")
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, closed="neither")
    sigma = check_scalar(noise_std, "noise_std", caller, min_val=0.0, closed="neither")
    n_sim = check_int(n_sim, "n_sim", caller, min_val=2)
    rng = check_rng(rng, "rng", caller)
    cov_terms, nnz = np.zeros(n_sim), np.zeros(n_sim)
    w = np.zeros(X.shape[1])
    for s in range(n_sim):
        noise = sigma * rng.standard_normal(X.shape[0])  # y - f
        w = lasso(X, f + noise, alpha=alpha, fit_intercept=False, tol=1e-10, max_iter=100_000,
                  coef_init=w).coef  # warm start from the last draw
        cov_terms[s] = (X @ w - f) @ noise / sigma**2
        nnz[s] = np.count_nonzero(w)
    se = float(np.std(cov_terms - nnz, ddof=1) / np.sqrt(n_sim))
    return DfSimResult(float(cov_terms.mean()), float(nnz.mean()), se)


def adaptive_weights(X, y, *, gamma=1.0, init="ridge", init_alpha=None, fit_intercept=True):
    r"""Penalty weights of the adaptive lasso from a first estimate.

    .. math::

        \omega_j = \frac{1}{|\tilde\beta_j|^{\gamma}} \quad(\omega_j = \infty \text{ if } \tilde\beta_j = 0),

    with :math:`\tilde\beta` the ridge fit (``init="ridge"``; :math:`\alpha` = ``init_alpha``,
    by default the leave-one-out choice of :func:`regbook.np.ridge_selection.ridge_loocv` on
    :math:`d_{\max}^2 \cdot 10^{[-6, 1]}`) or least squares (``init="ols"``, minimum-norm when
    :math:`p > n`). Column :math:`j` of ``X / weights`` is :math:`X_j |\tilde\beta_j|^\gamma`
    (0 for excluded features): the design on which the adaptive lasso is a plain lasso.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    gamma : float, default=1.0
        :math:`\gamma > 0`.
    init : {"ridge", "ols"}, default="ridge"
    init_alpha : float or None, default=None
        Ridge penalty :math:`> 0` for ``init="ridge"`` only.
    fit_intercept : bool, default=True

    Returns
    -------
    weights : ndarray of shape (n_features,)
    init_coef : ndarray of shape (n_features,)

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]); y = np.array([2.0, 0.5, 0.0])
    >>> weights, beta = adaptive_weights(X, y, init="ols", fit_intercept=False)
    >>> [round(float(v), 6) for v in weights]   # 1 / |(2, 0.5)|
    [0.5, 2.0]
    """
    X, y = _check_xy(X, y, "adaptive_weights")
    return _adaptive_weights(X, y, gamma, init, init_alpha, fit_intercept, "adaptive_weights")


def _adaptive_weights(X, y, gamma, init, init_alpha, fit_intercept, caller):
    gamma = check_scalar(gamma, "gamma", caller, min_val=0.0, closed="neither")
    check_option(init, "init", caller, ("ridge", "ols"))
    fit_intercept = check_bool(fit_intercept, "fit_intercept", caller)
    if init == "ols" and init_alpha is not None:
        raise ValueError(param_error("init_alpha", caller, "None when init='ols'", init_alpha))
    if init_alpha is not None:
        init_alpha = check_scalar(init_alpha, "init_alpha", caller, min_val=0.0, closed="neither")
    if init == "ols":
        beta = ridge(X, y, alpha=0.0, fit_intercept=fit_intercept).coef  # min-norm least squares
    else:
        if init_alpha is None:  # leave-one-out choice on a grid scaled by the largest d_j^2
            Xc = X - X.mean(axis=0) if fit_intercept else X
            top = max(float(np.linalg.norm(Xc, 2)) ** 2, np.finfo(float).tiny)
            init_alpha = ridge_loocv(X, y, alphas=top * np.logspace(-6, 1, 36),
                                     fit_intercept=fit_intercept).best_alpha_loo
        beta = ridge(X, y, alpha=init_alpha, fit_intercept=fit_intercept).coef
    scale = np.abs(beta) ** gamma  # 1 / weights; 0 marks an excluded feature
    weights = np.divide(1.0, scale, out=np.full_like(scale, np.inf), where=scale > 0)
    return weights, beta


def adaptive_lasso(X, y, *, alpha, gamma=1.0, init="ridge", init_alpha=None, fit_intercept=True,
                   max_iter=1000, tol=1e-4, n_reweights=1) -> AdaptiveLassoResult:
    r"""Adaptive lasso (Zou 2006): a lasso whose penalty weights come from a first estimate.

    .. math::

        \hat\beta = \operatorname*{arg\,min}_{\beta, b}\; \frac{1}{2n}\lVert y - X\beta - b\mathbf 1\rVert_2^2
        + \alpha\sum_j \omega_j|\beta_j|, \qquad \omega_j = |\tilde\beta_j|^{-\gamma}

    (weights from :func:`adaptive_weights`). Substituting :math:`\beta_j = \theta_j/\omega_j`
    turns it into a plain lasso in :math:`\theta` on the columns :math:`X_j/\omega_j`,
    solved by :func:`regbook.np.coordinate_descent.lasso`; features with
    :math:`\tilde\beta_j = 0` (:math:`\omega_j = \infty`) are left out, never divided by.
    With ``n_reweights`` :math:`= K > 1` the weights are recomputed from the last solution
    and the problem re-solved, :math:`K` solves in all: iterated reweighted
    :math:`\ell_1` (Candès, Wakin & Boyd 2008, here without their :math:`\epsilon`, so a
    feature set to 0 stays out).

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    alpha : float
        :math:`\alpha \ge 0`, in the lasso's scale.
    gamma, init, init_alpha
        As in :func:`adaptive_weights`.
    fit_intercept : bool, default=True
    max_iter, tol
        Passed to each lasso solve.
    n_reweights : int, default=1
        Number of weighted-lasso solves :math:`K \ge 1`.

    Returns
    -------
    AdaptiveLassoResult
        ``coef`` (n_features,), ``intercept``, ``weights`` (n_features,), ``init_coef`` (n_features,).

    Examples
    --------
    With orthonormal columns the solution is :math:`\operatorname{sign}(z_j)\max(|z_j| - n\alpha\omega_j, 0)`,
    :math:`z = X^\top y`:

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]); y = np.array([2.0, 0.5, 0.0])
    >>> res = adaptive_lasso(X, y, alpha=0.1, init="ols", fit_intercept=False, tol=1e-10)
    >>> [round(float(c), 6) for c in res.coef]   # (2 - 0.3 * 0.5, 0.5 - 0.3 * 2 -> 0)
    [1.85, 0.0]
    """
    caller = "adaptive_lasso"
    X, y = _check_xy(X, y, caller)
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0)
    max_iter = check_int(max_iter, "max_iter", caller, min_val=1)
    tol = check_scalar(tol, "tol", caller, min_val=0.0)
    n_reweights = check_int(n_reweights, "n_reweights", caller, min_val=1)
    weights, init_coef = _adaptive_weights(X, y, gamma, init, init_alpha, fit_intercept, caller)
    coef = np.zeros(X.shape[1])
    for k in range(n_reweights):
        if k > 0:  # reweight from the last solution
            scale = np.abs(coef) ** float(gamma)
            weights = np.divide(1.0, scale, out=np.full_like(scale, np.inf), where=scale > 0)
        keep = np.isfinite(weights)
        coef, intercept = np.zeros(X.shape[1]), float(y.mean()) if fit_intercept else 0.0
        if keep.any():
            scale = 1.0 / weights[keep]  # (k,)
            fit = lasso(X[:, keep] * scale, y, alpha=alpha, fit_intercept=fit_intercept, max_iter=max_iter,
                        tol=tol)
            coef[keep], intercept = fit.coef * scale, fit.intercept  # beta_j = theta_j / omega_j
    return AdaptiveLassoResult(coef, intercept, weights, init_coef)
