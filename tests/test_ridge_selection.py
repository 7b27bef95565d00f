"""regbook.np.ridge_selection: closed-form LOOCV/GCV and evidence maximization for ridge.

Layers: toy cases worked by hand; the closed forms against their definitions (n refits,
an explicit hat matrix, an independent Gaussian log density, scipy.optimize); parity with
scikit-learn's RidgeCV and BayesianRidge; a table of bad inputs.
"""

import warnings

import numpy as np
import pytest
from scipy.linalg import null_space
from scipy.optimize import minimize
from scipy.stats import multivariate_normal
from sklearn.linear_model import BayesianRidge, RidgeCV

from regbook import ConvergenceWarning
from regbook.checks import numerical_gradient, rel_error
from regbook.np.linear import ridge
from regbook.np.ridge_selection import ridge_evidence, ridge_loocv, ridge_loocv_bruteforce

ALPHAS = np.logspace(-3, 3, 13)


def make(n, p, seed, *, offset=3.0, noise=1.0):
    """Correlated-ish design with offsets (so that re-centring matters), sparse truth."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.logspace(0, 1, p) + offset
    w = rng.standard_normal(p) * (rng.random(p) < 0.5)
    w[0] = 1.0  # some signal
    return X, X @ w + noise * rng.standard_normal(n) + 2 * offset


# --------------------------------------------------------------------------- LOOCV / GCV: by hand
def test_toy_case_by_hand_with_intercept():
    # centred x = (-1, 0, 1), alpha = 2: w = 3/4, y_hat = (1/4, 1, 7/4), h = 1/3 + x_c^2 / 4.
    # The refits without each sample predict 0.6, 1.5, 0 (worked out in the docstring's way),
    # so the LOO residuals are (-0.6, -1.5, 3); GCV = mean(e^2) / (1 - 1.5/3)^2 = 3.5.
    X, y = [[0.0], [1.0], [2.0]], [0.0, 0.0, 3.0]
    res = ridge_loocv(X, y, alphas=[2.0])
    assert res.loo_mse[0] == pytest.approx((0.36 + 2.25 + 9.0) / 3, rel=1e-12)
    assert res.df[0] == pytest.approx(1.5, rel=1e-12)
    assert res.gcv[0] == pytest.approx(3.5, rel=1e-12)
    assert ridge_loocv_bruteforce(X, y, alphas=[2.0])[0] == pytest.approx(3.87, rel=1e-12)


def test_toy_case_by_hand_without_intercept():
    res = ridge_loocv([[1.0], [1.0]], [1.0, 3.0], alphas=[2.0], fit_intercept=False)
    assert res.loo_mse[0] == pytest.approx(32 / 9, rel=1e-12)  # residuals (0, 8/3)
    assert res.df[0] == pytest.approx(0.5, rel=1e-12)
    assert res.best_alpha_loo == res.best_alpha_gcv == 2.0


# --------------------------------------------------------------------------- LOOCV / GCV: definitions
PROBLEMS = [(30, 5, True), (30, 5, False), (20, 40, True), (20, 40, False), (25, 24, True), (40, 10, True)]


@pytest.mark.parametrize("n,p,fit_intercept", PROBLEMS)
@pytest.mark.parametrize("seed", range(2))
def test_closed_form_equals_bruteforce(n, p, fit_intercept, seed):
    X, y = make(n, p, seed)
    fast = ridge_loocv(X, y, alphas=ALPHAS, fit_intercept=fit_intercept)
    slow = ridge_loocv_bruteforce(X, y, alphas=ALPHAS, fit_intercept=fit_intercept)
    assert np.max(np.abs(fast.loo_mse - slow) / slow) < 1e-10  # the tolerance
    assert fast.best_alpha_loo == ALPHAS[np.argmin(slow)]


def test_intercept_term_of_the_hat_matrix_is_needed():
    # Without the 1/n of the intercept in h_ii, the shortcut no longer equals the refits.
    X, y = make(15, 4, 0)
    Xc, yc = X - X.mean(0), y - y.mean()
    U, d, _ = np.linalg.svd(Xc, full_matrices=False)
    f = d**2 / (d**2 + 1.0)
    e = yc - U @ (f * (U.T @ yc))
    naive = np.mean((e / (1 - (U**2) @ f)) ** 2)
    exact = ridge_loocv_bruteforce(X, y, alphas=[1.0])[0]
    assert abs(naive - exact) / exact > 1e-3
    assert ridge_loocv(X, y, alphas=[1.0]).loo_mse[0] == pytest.approx(exact, rel=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_against_explicit_hat_matrix(fit_intercept):
    # H = Z (Z^T Z + P)^{-1} Z^T with Z = [1, X] and the intercept unpenalized.
    X, y = make(25, 6, 3)
    n, p = X.shape
    Z = np.column_stack([np.ones(n), X]) if fit_intercept else X
    res = ridge_loocv(X, y, alphas=ALPHAS, fit_intercept=fit_intercept)
    for k, alpha in enumerate(ALPHAS):
        P = alpha * np.eye(Z.shape[1])
        if fit_intercept:
            P[0, 0] = 0.0
        H = Z @ np.linalg.solve(Z.T @ Z + P, Z.T)
        e = y - H @ y
        assert res.df[k] == pytest.approx(np.trace(H), rel=1e-10)
        assert res.gcv[k] == pytest.approx(np.mean(e**2) / (1 - np.trace(H) / n) ** 2, rel=1e-10)
        assert res.loo_mse[k] == pytest.approx(np.mean((e / (1 - np.diag(H))) ** 2), rel=1e-10)


def test_df_decreases_from_rank_plus_one_to_one():
    X, y = make(30, 5, 1)
    res = ridge_loocv(X, y, alphas=np.logspace(-10, 12, 12))
    assert np.all(np.diff(res.df) < 0)
    assert res.df[0] == pytest.approx(6.0, rel=1e-6) and res.df[-1] == pytest.approx(1.0, rel=1e-6)


def test_alphas_kept_in_the_given_order():
    X, y = make(20, 3, 2)
    res = ridge_loocv(X, y, alphas=[10.0, 0.1, 1.0])
    np.testing.assert_array_equal(res.alphas, [10.0, 0.1, 1.0])
    assert res.loo_mse[1] == pytest.approx(ridge_loocv(X, y, alphas=[0.1]).loo_mse[0], rel=1e-12)


# --------------------------------------------------------------------------- LOOCV: scikit-learn
@pytest.mark.parametrize("n,p,fit_intercept", PROBLEMS)
@pytest.mark.parametrize("gcv_mode", ["svd", "eigen"])
def test_parity_with_sklearn_ridgecv(n, p, fit_intercept, gcv_mode):
    X, y = make(n, p, 4)
    ours = ridge_loocv(X, y, alphas=ALPHAS, fit_intercept=fit_intercept)
    sk = RidgeCV(alphas=ALPHAS, store_cv_results=True, gcv_mode=gcv_mode, fit_intercept=fit_intercept).fit(X, y)
    assert sk.cv_results_.shape == (n, ALPHAS.size)  # squared LOO errors per sample and alpha
    assert np.max(np.abs(ours.loo_mse - sk.cv_results_.mean(axis=0)) / ours.loo_mse) < 1e-8
    assert ours.best_alpha_loo == sk.alpha_


# --------------------------------------------------------------------------- evidence: helpers
def reduced(X, y, fit_intercept):
    """Orthonormal coordinates of the data orthogonal to 1 (nu = n - 1 dims) when fitting an intercept."""
    if not fit_intercept:
        return X, y
    Q = null_space(np.ones((1, X.shape[0])))  # (n, n-1)
    return Q.T @ (X - X.mean(0)), Q.T @ (y - y.mean())


def log_evidence_direct(a, b, Xr, yr):
    """log N(y; 0, C), C = X X^T / a + I / b: the evidence written as the density of y."""
    lam, V = np.linalg.eigh(Xr @ Xr.T)  # C = V diag(lam / a + 1 / b) V^T
    c = np.clip(lam, 0.0, None) / a + 1.0 / b
    return -0.5 * (np.sum(np.log(c)) + np.sum((V.T @ yr) ** 2 / c) + len(yr) * np.log(2 * np.pi))


def flat_priors(**kwargs):
    return BayesianRidge(tol=1e-14, max_iter=100_000, alpha_1=0.0, alpha_2=0.0, lambda_1=0.0, lambda_2=0.0,
                         **kwargs)


# --------------------------------------------------------------------------- evidence: definitions
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n,p", [(40, 5), (15, 30)])
def test_log_evidence_matches_gaussian_density(fit_intercept, n, p):
    X, y = make(n, p, 5)
    Xr, yr = reduced(X, y, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # only the history is used
        res = ridge_evidence(X, y, fit_intercept=fit_intercept, max_iter=20)
    h = res.history
    for t in range(0, len(h.log_evidence), 5):
        a, b = h.weight_precision[t], h.noise_precision[t]
        C = Xr @ Xr.T / a + np.eye(Xr.shape[0]) / b
        direct = multivariate_normal(mean=np.zeros(Xr.shape[0]), cov=C).logpdf(yr)
        assert h.log_evidence[t] == pytest.approx(direct, rel=1e-10)
        assert log_evidence_direct(a, b, Xr, yr) == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fixed_point_maximizes_the_evidence(fit_intercept):
    X, y = make(50, 5, 6)
    Xr, yr = reduced(X, y, fit_intercept)
    res = ridge_evidence(X, y, fit_intercept=fit_intercept)
    assert res.converged
    opt = np.log([res.weight_precision, res.noise_precision])

    def neg(theta):
        return -log_evidence_direct(np.exp(theta[0]), np.exp(theta[1]), Xr, yr)

    # the gradient (in log coordinates) vanishes at the fixed point ...
    assert np.max(np.abs(numerical_gradient(neg, opt, h=1e-5))) < 1e-5
    # ... scipy, started two decades away, finds the same point and nothing higher ...
    found = minimize(neg, opt + np.array([2.0, -2.0]), method="BFGS", options={"gtol": 1e-9})
    assert np.max(np.abs(found.x - opt)) < 1e-4
    assert -found.fun <= res.log_evidence + 1e-9
    # ... and so does a 41 x 41 grid over +-2 decades
    grid = np.linspace(-2, 2, 41) * np.log(10)
    best = max(-neg(opt + np.array([u, v])) for u in grid for v in grid)
    assert best <= res.log_evidence + 1e-9
    assert res.log_evidence == pytest.approx(-neg(opt), rel=1e-12)


def test_history_is_monotone_on_these_problems():
    # Not a theorem (the updates are not EM); observed on every problem and start tried here.
    for (n, p, fit_intercept) in [(50, 5, True), (100, 30, False), (30, 28, True), (10, 3, True)]:
        for seed in range(3):
            X, y = make(n, p, seed, noise=0.7)
            for alpha_init in (1e-3, 1.0, 1e3):
                res = ridge_evidence(X, y, fit_intercept=fit_intercept, alpha_init=alpha_init, max_iter=2000)
                assert res.converged and res.n_iter >= 2
                steps = np.diff(res.history.log_evidence)
                assert steps.min() >= -1e-12 * abs(res.log_evidence)


def test_two_fixed_points_from_two_starts():
    # The evidence is not concave in (a, b): here two starts converge to two different
    # stationary points, and the default start finds the lower one.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((10, 3)) * np.logspace(0, 2, 3) + 1
    y = X @ (rng.standard_normal(3) * (rng.random(3) < 0.5)) + 0.7 * rng.standard_normal(10) + 2
    Xr, yr = reduced(X, y, True)
    low, high = ridge_evidence(X, y), ridge_evidence(X, y, alpha_init=1e3)
    assert low.converged and high.converged
    assert high.weight_precision / low.weight_precision > 100
    assert high.log_evidence > low.log_evidence + 1.0
    for res in (low, high):
        theta = np.log([res.weight_precision, res.noise_precision])
        g = numerical_gradient(lambda t: log_evidence_direct(np.exp(t[0]), np.exp(t[1]), Xr, yr), theta, h=1e-5)
        assert np.max(np.abs(g)) < 1e-5


def test_posterior_mean_is_ridge_with_alpha_a_over_b():
    X, y = make(40, 6, 7)
    res = ridge_evidence(X, y)
    assert res.alpha == pytest.approx(res.weight_precision / res.noise_precision, rel=1e-15)
    coef = ridge(X, y, alpha=res.alpha).coef
    b, a = res.noise_precision, res.weight_precision
    Xc, yc = X - X.mean(0), y - y.mean()
    m = b * np.linalg.solve(a * np.eye(6) + b * Xc.T @ Xc, Xc.T @ yc)  # posterior mean
    assert rel_error(coef, m) < 1e-10


# --------------------------------------------------------------------------- evidence: scikit-learn
@pytest.mark.parametrize("seed", range(3))
def test_parity_with_bayesian_ridge_without_intercept(seed):
    X, y = make(50, 5, seed)
    ours = ridge_evidence(X, y, fit_intercept=False)
    sk = flat_priors(fit_intercept=False).fit(X, y)
    # scikit-learn's alpha_ is the NOISE precision, its lambda_ the WEIGHT precision
    assert ours.noise_precision == pytest.approx(sk.alpha_, rel=1e-8)
    assert ours.weight_precision == pytest.approx(sk.lambda_, rel=1e-8)
    assert rel_error(ridge(X, y, alpha=ours.alpha, fit_intercept=False).coef, sk.coef_) < 1e-8


@pytest.mark.parametrize("seed", range(3))
def test_parity_with_bayesian_ridge_on_the_centred_subspace(seed):
    # With an intercept the evidence lives on the n-1 dimensions orthogonal to 1:
    # scikit-learn without intercept on those coordinates solves exactly our problem.
    X, y = make(50, 5, seed)
    ours = ridge_evidence(X, y)
    sk = flat_priors(fit_intercept=False).fit(*reduced(X, y, True))
    assert ours.noise_precision == pytest.approx(sk.alpha_, rel=1e-8)
    assert ours.weight_precision == pytest.approx(sk.lambda_, rel=1e-8)
    assert rel_error(ridge(X, y, alpha=ours.alpha).coef, sk.coef_) < 1e-8


def test_sklearn_intercept_convention_differs_by_one_dimension():
    # BayesianRidge(fit_intercept=True) keeps n: its noise precision is larger by about
    # (n - gamma) / (n - 1 - gamma), as the Notes of ridge_evidence say.
    X, y = make(50, 5, 8)
    ours = ridge_evidence(X, y)
    sk = flat_priors(fit_intercept=True).fit(X, y)
    d2 = np.linalg.svd(X - X.mean(0), compute_uv=False) ** 2
    gamma = np.sum(ours.noise_precision * d2 / (ours.noise_precision * d2 + ours.weight_precision))
    ratio = sk.alpha_ / ours.noise_precision
    assert ratio == pytest.approx((50 - gamma) / (49 - gamma), rel=1e-3)
    assert ratio - 1 > 0.01  # a real difference, not rounding


def test_sklearn_convention_is_unbounded_when_p_is_n_minus_1():
    # Keeping n dimensions adds (1/2) log b from the direction 1, where the centred residual
    # is 0; with p = n - 1 nothing else bounds b. Ours (n - 1 dims) has a finite maximum.
    X, y = make(30, 29, 1, noise=0.7)
    Xc, yc = X - X.mean(0), y - y.mean()
    full = [log_evidence_direct(1.0, b, Xc, yc) for b in (1e2, 1e4, 1e6, 1e8)]
    assert np.all(np.diff(full) > 1.0)
    res = ridge_evidence(X, y)
    assert res.converged and np.isfinite(res.noise_precision)


# --------------------------------------------------------------------------- evidence: boundaries
def test_drift_to_noise_free_interpolation_warns():
    X, y = make(20, 40, 2, noise=0.7)  # p > n: the evidence increases toward b -> inf here
    with pytest.warns(ConvergenceWarning, match="noise precision grew") as info:
        res = ridge_evidence(X, y, max_iter=500)
    assert "max_iter=500" in str(info[0].message)
    assert not res.converged and res.noise_precision * np.var(y) > 1e10


def test_no_correlation_is_refused():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    with pytest.raises(ValueError, match="'y' parameter of ridge_evidence must be correlated"):
        ridge_evidence(X, [1.0, 1.0, 2.0, 2.0])  # centred y is orthogonal to centred X


# --------------------------------------------------------------------------- bad input
X3, Y3 = np.arange(6.0).reshape(3, 2) ** 1.5, np.array([1.0, 0.0, 2.0])
BAD = [  # (function, kwargs, exception, fragments of the message)
    (ridge_loocv, dict(alphas=[]), ValueError, ["'alphas'", "ridge_loocv", "non-empty", "(0, inf)", "empty array"]),
    (ridge_loocv, dict(alphas=[1.0, 0.0]), ValueError, ["'alphas'", "(0, inf)", "Got 0.0"]),
    (ridge_loocv, dict(alphas=[-2.0]), ValueError, ["'alphas'", "(0, inf)", "Got -2.0"]),
    (ridge_loocv, dict(alphas=[np.nan]), ValueError, ["'alphas'", "finite", "1 NaN"]),
    (ridge_loocv, dict(alphas=[np.inf]), ValueError, ["'alphas'", "finite", "1 infinite"]),
    (ridge_loocv, dict(alphas=[[1.0]]), ValueError, ["'alphas'", "1D", "got 2D"]),
    (ridge_loocv, dict(y=np.ones(4), alphas=[1.0]), ValueError, ["Inconsistent", "X has 3", "y has 4"]),
    (ridge_loocv, dict(X=np.ones(3), alphas=[1.0]), ValueError, ["'X'", "2D", "got 1D"]),
    (ridge_loocv, dict(y=np.ones((3, 1)), alphas=[1.0]), ValueError, ["'y'", "1D", "got 2D"]),
    (ridge_loocv, dict(X=np.full((3, 2), np.nan), alphas=[1.0]), ValueError, ["'X'", "finite", "6 NaN"]),
    (ridge_loocv, dict(y=[1.0, np.inf, 0.0], alphas=[1.0]), ValueError, ["'y'", "finite", "1 infinite"]),
    (ridge_loocv, dict(X=np.ones((1, 2)), y=np.ones(1), alphas=[1.0]), ValueError, ["'X'", "at least 2", "1 samples"]),
    (ridge_loocv, dict(alphas=[1.0], fit_intercept=1), TypeError, ["'fit_intercept'", "a bool", "Got 1"]),
    (ridge_loocv_bruteforce, dict(alphas=[]), ValueError, ["'alphas'", "ridge_loocv_bruteforce", "empty"]),
    (ridge_loocv_bruteforce, dict(alphas=[-1.0]), ValueError, ["'alphas'", "(0, inf)", "-1.0"]),
    (ridge_loocv_bruteforce, dict(y=np.ones(2), alphas=[1.0]), ValueError, ["Inconsistent", "y has 2"]),
    (ridge_loocv_bruteforce, dict(X=np.full((3, 2), np.inf), alphas=[1.0]), ValueError, ["'X'", "finite"]),
    (ridge_evidence, dict(max_iter=0), ValueError, ["'max_iter'", "ridge_evidence", "[1, inf)", "Got 0"]),
    (ridge_evidence, dict(tol=-1.0), ValueError, ["'tol'", "[0.0, inf)", "-1.0"]),
    (ridge_evidence, dict(alpha_init=0.0), ValueError, ["'alpha_init'", "(0.0, inf)", "Got 0.0"]),
    (ridge_evidence, dict(alpha_init=np.inf), ValueError, ["'alpha_init'", "(0.0, inf)", "inf"]),
    (ridge_evidence, dict(lambda_init=-1.0), ValueError, ["'lambda_init'", "(0.0, inf)", "-1.0"]),
    (ridge_evidence, dict(lambda_init="a"), TypeError, ["'lambda_init'", "'a'"]),
    (ridge_evidence, dict(y=[np.nan, 1.0, 2.0]), ValueError, ["'y'", "finite", "1 NaN"]),
    (ridge_evidence, dict(X=np.ones((3, 2, 1))), ValueError, ["'X'", "2D", "got 3D"]),
    (ridge_evidence, dict(y=np.ones(5)), ValueError, ["Inconsistent", "y has 5"]),
]


@pytest.mark.parametrize("fn,kwargs,exc,fragments", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_bad_input(fn, kwargs, exc, fragments):
    kwargs = dict(kwargs)
    X, y = kwargs.pop("X", X3), kwargs.pop("y", Y3)
    with pytest.raises(exc) as info:
        fn(X, y, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)
