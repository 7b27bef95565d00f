"""regbook.np.lasso_selection: information criteria, degrees of freedom, adaptive lasso.

Layers: toy cases worked by hand; optimality (KKT) and a generic weighted-lasso solver;
parity with scikit-learn's LassoLarsIC at the LARS knots; Monte Carlo checks of the
degrees of freedom and of support recovery; a table of bad inputs.
"""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LassoLarsIC, lars_path

from regbook.checks import rel_error
from regbook.np.coordinate_descent import lasso
from regbook.np.linear import ridge
from regbook.np.lasso_selection import (
    adaptive_lasso, adaptive_weights, lasso_df_simulation, lasso_information_criteria,
)
from regbook.np.ridge_selection import ridge_loocv

# Orthogonal columns with ||X_j||^2 = n = 4: the lasso is soft-thresholding of z = X^T y / n.
XO = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
YO = np.array([3.0, 1.0, -1.0, -1.0])  # z = (1.5, 0.5); OLS residual (1, 0, 0, 1)


def make(n, p, seed, *, rho=0.0, sigma=1.0, beta=None, offset=0.0):
    rng = np.random.default_rng(seed)
    C = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))  # AR(1) correlation
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(C).T + offset
    beta = np.r_[2.0, -1.5, 1.0, np.zeros(p - 3)] if beta is None else beta
    return X, X @ beta + sigma * rng.standard_normal(n) + 3 * offset


# --------------------------------------------------------------------------- information criteria
def test_criteria_by_hand_on_orthogonal_design():
    ic = lasso_information_criteria(XO, YO, alphas=[0.25, 1.0], fit_intercept=False)
    # sigma^2 = RSS_OLS / (n - p) = 2 / 2. alpha=1: w = (0.5, 0), RSS = 7; alpha=0.25: w = (1.25, 0.25), RSS = 2.5
    assert ic.noise_variance == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(ic.alphas, [1.0, 0.25])  # decreasing, as the path
    np.testing.assert_array_equal(ic.df, [1, 2])
    np.testing.assert_allclose(ic.mse, [7.0 / 4, 2.5 / 4], rtol=1e-8)
    const = 4 * np.log(2 * np.pi)
    np.testing.assert_allclose(ic.aic, [const + 7.0 + 2, const + 2.5 + 4], rtol=1e-8)
    np.testing.assert_allclose(ic.bic, [const + 7.0 + np.log(4), const + 2.5 + 2 * np.log(4)], rtol=1e-8)
    assert ic.alpha_aic == ic.alpha_bic == 0.25


def test_given_noise_variance_is_used():
    ic = lasso_information_criteria(XO, YO, alphas=[1.0], fit_intercept=False, noise_variance=2.0)
    assert ic.noise_variance == 2.0
    assert ic.aic[0] == pytest.approx(4 * np.log(4 * np.pi) + 7.0 / 2 + 2, rel=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_parity_with_lassolarsic_at_the_knots(fit_intercept, seed):
    # LassoLarsIC evaluates the criteria at the LARS knots, where the entering feature is
    # still exactly 0. We evaluate just above each knot (alpha * (1 + 1e-7)), where the lasso
    # solution has the same support and moves by O(1e-7): the criteria agree to that order.
    X, y = make(100, 8, seed, sigma=1.5, offset=2.0 * fit_intercept)
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    nnz = np.sum(lars_path(Xc, yc, method="lasso")[2] != 0, axis=0)
    assert np.all(np.diff(nnz) >= 0)  # no feature leaves the LARS path here, so supports match
    for criterion in ("aic", "bic"):
        sk = LassoLarsIC(criterion=criterion, fit_intercept=fit_intercept).fit(X, y)
        knots = sk.alphas_[sk.alphas_ > 0]
        ours = lasso_information_criteria(X, y, alphas=knots * (1 + 1e-7), fit_intercept=fit_intercept)
        assert ours.noise_variance == pytest.approx(sk.noise_variance_, rel=1e-12)
        np.testing.assert_array_equal(ours.df, nnz[: knots.size])
        values = getattr(ours, criterion)
        np.testing.assert_allclose(values, sk.criterion_[: knots.size], rtol=1e-6)
        if sk.alpha_ > 0:  # LassoLarsIC may pick alpha = 0 (OLS), which a grid of alphas > 0 cannot
            assert getattr(ours, f"alpha_{criterion}") == pytest.approx(sk.alpha_ * (1 + 1e-7), rel=1e-12)


def test_default_grid_and_bic_sparser_than_aic():
    X, y = make(80, 10, 0)
    ic = lasso_information_criteria(X, y, n_alphas=40, eps=1e-3)
    assert ic.alphas.size == 40 and ic.alphas[-1] == pytest.approx(ic.alphas[0] * 1e-3, rel=1e-12)
    assert ic.df[0] == 0 and ic.df[-1] == 10
    assert ic.alpha_bic >= ic.alpha_aic
    assert ic.df[np.argmin(ic.bic)] <= ic.df[np.argmin(ic.aic)]


def test_noise_variance_required_when_p_ge_n():
    X, y = make(20, 30, 1)
    with pytest.raises(ValueError, match=r"'noise_variance' parameter .*\(20 <= 31"):
        lasso_information_criteria(X, y)
    ic = lasso_information_criteria(X, y, noise_variance=1.0, n_alphas=10)
    assert ic.df.max() <= 20


# --------------------------------------------------------------------------- degrees of freedom
def test_df_equals_expected_number_of_nonzeros():
    # Zou, Hastie & Tibshirani (2007): df (covariance definition) = E[#non-zeros]
    X, _ = make(40, 8, 2, rho=0.5)
    f = X @ np.r_[1.5, -1.0, 0.5, np.zeros(5)]
    res = lasso_df_simulation(X, f, alpha=0.15, noise_std=1.0, n_sim=600, rng=3)
    assert 2.0 < res.mean_nnz < 7.0  # a penalty that neither keeps all features nor none
    assert 0.0 < res.se < 0.2
    assert abs(res.df_cov - res.mean_nnz) < 4 * res.se
    assert abs(res.df_cov - 8) > 10 * res.se  # the simulation tells E[nnz] from p = 8


def test_df_tends_to_p_without_penalty():
    X, _ = make(30, 5, 4)
    res = lasso_df_simulation(X, X[:, 0], alpha=1e-8, noise_std=1.0, n_sim=300, rng=0)
    assert res.mean_nnz == 5.0  # least squares: every feature is non-zero
    assert abs(res.df_cov - 5.0) < 4 * res.se  # and its df is p


# --------------------------------------------------------------------------- adaptive lasso
def weighted_lasso_fista(X, y, alpha, omega, fit_intercept, n_iter=20000):
    """Generic solver: FISTA on 1/(2n)||y - Xb||^2 + alpha sum omega_j |b_j| (omega_j = inf: b_j = 0)."""
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    n = len(y)
    step = n / np.linalg.norm(Xc, 2) ** 2
    thr = step * alpha * omega  # per-coordinate thresholds; inf keeps the coordinate at 0
    b = z = np.zeros(X.shape[1])
    t = 1.0
    for _ in range(n_iter):
        g = z - step * Xc.T @ (Xc @ z - yc) / n
        b_new = np.sign(g) * np.maximum(np.abs(g) - thr, 0.0)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z, b, t = b_new + (t - 1) / t_new * (b_new - b), b_new, t_new
    return b


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
def test_equals_generic_weighted_lasso(fit_intercept, gamma):
    X, y = make(30, 5, 5, rho=0.6, offset=1.0)
    res = adaptive_lasso(X, y, alpha=0.1, gamma=gamma, init="ols", fit_intercept=fit_intercept, tol=1e-12,
                         max_iter=100_000)
    beta0 = ridge(X, y, alpha=0.0, fit_intercept=fit_intercept).coef
    np.testing.assert_allclose(res.init_coef, beta0, rtol=1e-12)
    np.testing.assert_allclose(res.weights, np.abs(beta0) ** -gamma, rtol=1e-12)
    ref = weighted_lasso_fista(X, y, 0.1, res.weights, fit_intercept)
    assert rel_error(res.coef, ref) < 1e-6
    np.testing.assert_array_equal(res.coef == 0, np.abs(ref) < 1e-12)
    if fit_intercept:
        assert res.intercept == pytest.approx(y.mean() - X.mean(0) @ res.coef, rel=1e-12)


def test_kkt_conditions_of_the_weighted_problem():
    X, y = make(60, 10, 6, rho=0.7)
    alpha = 0.05
    res = adaptive_lasso(X, y, alpha=alpha, tol=1e-12, max_iter=100_000)
    g = (X - X.mean(0)).T @ (y - res.intercept - X @ res.coef) / len(y)  # = alpha omega_j s_j
    on = res.coef != 0
    assert on.sum() >= 3 and (~on).sum() >= 1
    np.testing.assert_allclose(g[on], alpha * res.weights[on] * np.sign(res.coef[on]), rtol=1e-6)
    assert np.all(np.abs(g[~on]) <= alpha * res.weights[~on] * (1 + 1e-8))


def test_reweighting_excludes_zeros_without_dividing_by_zero():
    X, y = make(40, 8, 7, rho=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a division by zero would raise a RuntimeWarning
        one = adaptive_lasso(X, y, alpha=0.2, tol=1e-12, max_iter=100_000)
        two = adaptive_lasso(X, y, alpha=0.2, tol=1e-12, max_iter=100_000, n_reweights=2)
    assert np.any(one.coef == 0)
    assert np.all(np.isinf(two.weights[one.coef == 0]))  # excluded, weight inf
    np.testing.assert_allclose(two.weights[one.coef != 0], 1 / np.abs(one.coef[one.coef != 0]), rtol=1e-12)
    assert np.all(two.coef[one.coef == 0] == 0)  # a zero stays zero
    ref = weighted_lasso_fista(X, y, 0.2, two.weights, True)
    assert rel_error(two.coef, ref) < 1e-6
    np.testing.assert_array_equal(two.init_coef, one.init_coef)  # the first estimate is reported


def test_default_ridge_init_uses_loocv():
    X, y = make(50, 6, 8, rho=0.8)
    res = adaptive_lasso(X, y, alpha=0.05)
    top = np.linalg.norm(X - X.mean(0), 2) ** 2
    best = ridge_loocv(X, y, alphas=top * np.logspace(-6, 1, 36)).best_alpha_loo
    np.testing.assert_allclose(res.init_coef, ridge(X, y, alpha=best).coef, rtol=1e-12)
    given = adaptive_lasso(X, y, alpha=0.05, init_alpha=best)
    np.testing.assert_allclose(given.coef, res.coef, rtol=1e-12)


def test_adaptive_weights_make_a_plain_lasso():
    X, y = make(50, 6, 9, rho=0.5)
    w, _ = adaptive_weights(X, y, gamma=1.5)
    res = adaptive_lasso(X, y, alpha=0.1, gamma=1.5, tol=1e-12, max_iter=100_000)
    theta = lasso(X / w, y, alpha=0.1, tol=1e-12, max_iter=100_000).coef
    np.testing.assert_allclose(res.coef, theta / w, rtol=1e-8, atol=1e-12)


def test_adaptive_lasso_recovers_the_support_more_often():
    # Correlated features (AR(1), rho = 0.7) and a sparse truth; each method picks alpha
    # by BIC along its own path (the adaptive lasso is a lasso on X / weights).
    beta = np.array([3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
    wins = {"lasso": 0, "adaptive": 0}
    n_seeds = 20
    for seed in range(n_seeds):
        X, y = make(100, 8, seed, rho=0.7, sigma=2.0, beta=beta)
        ic = lasso_information_criteria(X, y, n_alphas=50)
        plain = lasso(X, y, alpha=ic.alpha_bic, tol=1e-8).coef
        w, _ = adaptive_weights(X, y)
        ic_w = lasso_information_criteria(X / w, y, n_alphas=50)
        ada = adaptive_lasso(X, y, alpha=ic_w.alpha_bic, tol=1e-8).coef
        wins["lasso"] += np.array_equal(plain != 0, beta != 0)
        wins["adaptive"] += np.array_equal(ada != 0, beta != 0)
    # measured: exact support in 6/20 seeds for the lasso, 19/20 for the adaptive lasso
    assert wins["adaptive"] >= 0.75 * n_seeds
    assert wins["adaptive"] >= wins["lasso"] + 8


# --------------------------------------------------------------------------- bad input
X3, Y3 = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, 0.5], [1.0, 1.0]]), np.array([1.0, 0.0, 2.0, 1.0])
BAD = [  # (function, kwargs, exception, fragments of the message)
    (lasso_information_criteria, dict(alphas=[]), ValueError, ["'alphas'", "non-empty", "(0, inf)", "empty array"]),
    (lasso_information_criteria, dict(alphas=[1.0, 0.0]), ValueError, ["'alphas'", "(0, inf)", "Got 0.0"]),
    (lasso_information_criteria, dict(alphas=[np.nan]), ValueError, ["'alphas'", "finite", "1 NaN"]),
    (lasso_information_criteria, dict(n_alphas=0), ValueError, ["'n_alphas'", "[1, inf)", "Got 0"]),
    (lasso_information_criteria, dict(eps=1.5), ValueError, ["'eps'", "(0.0, 1.0)", "1.5"]),
    (lasso_information_criteria, dict(noise_variance=0.0), ValueError, ["'noise_variance'", "(0.0, inf)", "0.0"]),
    (lasso_information_criteria, dict(noise_variance=-1.0), ValueError, ["'noise_variance'", "-1.0"]),
    (lasso_information_criteria, dict(noise_variance=np.inf), ValueError, ["'noise_variance'", "inf"]),
    (lasso_information_criteria, dict(X=X3[:, :1].repeat(4, 1)), ValueError, ["'noise_variance'", "4 <= 5", "None"]),
    (lasso_information_criteria, dict(y=np.ones(3)), ValueError, ["Inconsistent", "X has 4", "y has 3"]),
    (lasso_information_criteria, dict(X=np.ones(4)), ValueError, ["'X'", "2D", "got 1D"]),
    (lasso_information_criteria, dict(X=np.full((4, 2), np.inf)), ValueError, ["'X'", "finite", "8 infinite"]),
    (lasso_information_criteria, dict(fit_intercept="yes"), TypeError, ["'fit_intercept'", "a bool", "'yes'"]),
    (lasso_df_simulation, dict(alpha=0.0), ValueError, ["'alpha'", "lasso_df_simulation", "(0.0, inf)", "0.0"]),
    (lasso_df_simulation, dict(noise_std=-1.0), ValueError, ["'noise_std'", "(0.0, inf)", "-1.0"]),
    (lasso_df_simulation, dict(n_sim=1), ValueError, ["'n_sim'", "[2, inf)", "Got 1"]),
    (lasso_df_simulation, dict(rng=None), TypeError, ["'rng'", "Generator", "None"]),
    (lasso_df_simulation, dict(y=[1.0, np.nan, 0.0, 1.0]), ValueError, ["'f_true'", "finite", "1 NaN"]),
    (lasso_df_simulation, dict(y=np.ones(5)), ValueError, ["Inconsistent", "f_true has 5"]),
    (adaptive_lasso, dict(gamma=0.0), ValueError, ["'gamma'", "adaptive_lasso", "(0.0, inf)", "Got 0.0"]),
    (adaptive_lasso, dict(gamma=-1.0), ValueError, ["'gamma'", "(0.0, inf)", "-1.0"]),
    (adaptive_lasso, dict(init="lasso"), ValueError, ["'init'", "one of 'ridge', 'ols'", "'lasso'"]),
    (adaptive_lasso, dict(init="ols", init_alpha=1.0), ValueError, ["'init_alpha'", "None when init='ols'", "1.0"]),
    (adaptive_lasso, dict(init_alpha=0.0), ValueError, ["'init_alpha'", "(0.0, inf)", "0.0"]),
    (adaptive_lasso, dict(alpha=-0.1), ValueError, ["'alpha'", "adaptive_lasso", "[0.0, inf)", "-0.1"]),
    (adaptive_lasso, dict(n_reweights=0), ValueError, ["'n_reweights'", "[1, inf)", "Got 0"]),
    (adaptive_lasso, dict(max_iter=0), ValueError, ["'max_iter'", "[1, inf)", "Got 0"]),
    (adaptive_lasso, dict(X=np.full((4, 2), np.nan)), ValueError, ["'X'", "finite", "8 NaN"]),
    (adaptive_lasso, dict(y=np.ones((4, 1))), ValueError, ["'y'", "1D", "got 2D"]),
    (adaptive_weights, dict(gamma=np.nan), ValueError, ["'gamma'", "adaptive_weights", "(0.0, inf)", "nan"]),
    (adaptive_weights, dict(init=None), ValueError, ["'init'", "adaptive_weights", "'ridge', 'ols'", "None"]),
]
DEFAULTS = {lasso_df_simulation: dict(alpha=0.1, noise_std=1.0, n_sim=10, rng=0), adaptive_lasso: dict(alpha=0.1)}


@pytest.mark.parametrize("fn,kwargs,exc,fragments", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_bad_input(fn, kwargs, exc, fragments):
    kwargs = {**DEFAULTS.get(fn, {}), **kwargs}
    X, y = kwargs.pop("X", X3), kwargs.pop("y", Y3)
    with pytest.raises(exc) as info:
        fn(X, y, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)
