"""regbook.np.proximal_gradient: ISTA/FISTA toy cases, optimality, rates, parity with scikit-learn, bad input."""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, Lasso

from regbook import ConvergenceWarning
from regbook.checks import numerical_gradient
from regbook.np.prox import soft_threshold
from regbook.np.proximal_gradient import _enet_dual_gap, fista, ista, proximal_gradient

SOLVERS = [ista, fista]


def enet_objective(X, y, w, alpha, l1_ratio):
    """scikit-learn's elastic-net objective on centred data."""
    Xc, yc = X - X.mean(0), y - y.mean()
    r = yc - Xc @ w
    return r @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(w).sum() + 0.5 * alpha * (1 - l1_ratio) * w @ w


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def correlated_problem(seed=0, n=40, p=60):
    """Features with correlation 0.9^|i-j| (an ill-conditioned lasso), three true coefficients."""
    rng = np.random.default_rng(seed)
    idx = np.arange(p)
    X = rng.standard_normal((n, p)) @ np.linalg.cholesky(0.9 ** np.abs(idx[:, None] - idx)).T
    w = np.zeros(p)
    w[[0, p // 3, 2 * p // 3]] = [2.0, -1.5, 1.0]
    return X, X @ w + 0.3 * rng.standard_normal(n)


# --------------------------------------------------------------------------- toy cases by hand
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("alpha,l1_ratio,expected", [
    (0.5, 1.0, 1.5),         # lasso: soft-threshold c = 2 by alpha
    (1.0, 0.5, 1.0),         # elastic net: (2 - 0.5) / (1 + 0.5)
    (2.5, 1.0, 0.0),         # alpha above c: exactly zero
    (1.0, 0.0, 1.0),         # ridge part only: 2 / (1 + 1)
])
def test_one_standardized_feature(solver, alpha, l1_ratio, expected):
    # x_c has ||x_c||^2 / n = 1 and x_c^T y_c / n = c = 2
    X, y = np.array([[0.0], [2.0], [0.0], [2.0]]), np.array([-1.0, 3.0, -1.0, 3.0])
    res = solver(X, y, alpha=alpha, l1_ratio=l1_ratio, tol=1e-12)
    assert res.coef[0] == pytest.approx(expected, abs=1e-9)
    assert res.intercept == pytest.approx(1.0 - expected * 1.0, abs=1e-9)  # b = y_mean - x_mean w
    assert res.converged and res.objective.shape == (res.n_iter + 1,)
    assert res.objective[0] == pytest.approx(enet_objective(X, y, np.zeros(1), alpha, l1_ratio))


def test_generic_core_one_step_on_a_separable_problem():
    # min 1/2 ||x - a||^2 + ||x||_1 has L = 1: one step with t = 1 lands on soft_threshold(a, 1)
    a = np.array([3.0, -0.5, -2.0])
    res = proximal_gradient(lambda x: 0.5 * np.sum((x - a) ** 2), lambda x: x - a,
                            lambda x: np.abs(x).sum(), soft_threshold, np.ones(3), step=1.0)
    np.testing.assert_array_equal(res.x, [2.0, 0.0, -1.0])
    assert res.n_iter == 2 and res.converged  # the second step changes nothing: relative change 0
    assert res.objective[1] == pytest.approx(0.5 * (1 + 0.25 + 1) + 3.0)


def test_backtracking_and_restart_reach_the_fixed_step_solution():
    rng = np.random.default_rng(3)
    A, b = rng.standard_normal((30, 8)), rng.standard_normal(30)
    lam = 2.0
    f = lambda x: 0.5 * np.sum((A @ x - b) ** 2)  # noqa: E731
    grad = lambda x: A.T @ (A @ x - b)  # noqa: E731
    g = lambda x: lam * np.abs(x).sum()  # noqa: E731
    prox = lambda v, t: soft_threshold(v, lam * t)  # noqa: E731
    step = 1.0 / np.linalg.norm(A, 2) ** 2
    fixed = proximal_gradient(f, grad, g, prox, np.zeros(8), step=step, tol=1e-15, max_iter=20000)
    bt = proximal_gradient(f, grad, g, prox, np.zeros(8), backtracking=True, accelerated=True,
                           tol=1e-15, max_iter=20000)  # starts at t = 1 >> 1/L
    rs = proximal_gradient(f, grad, g, prox, np.zeros(8), step=step, accelerated=True, restart=True,
                           tol=1e-15, max_iter=20000)
    plain = proximal_gradient(f, grad, g, prox, np.zeros(8), step=step, accelerated=True,
                              tol=1e-15, max_iter=20000)
    for res in (bt, rs, plain):
        assert res.converged and rel(res.x, fixed.x) < 1e-6
    assert rs.n_iter < plain.n_iter  # restart removes FISTA's oscillations on this strongly convex problem


# --------------------------------------------------------------------------- optimality
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_kkt_conditions_with_a_numerical_gradient(l1_ratio):
    X, y = correlated_problem(seed=1, n=30, p=20)
    alpha = 0.05
    res = fista(X, y, alpha=alpha, l1_ratio=l1_ratio, restart=True, tol=1e-13, max_iter=20000)
    Xc, yc = X - X.mean(0), y - y.mean()
    smooth = lambda w: np.sum((yc - Xc @ w) ** 2) / (2 * len(y)) + 0.5 * alpha * (1 - l1_ratio) * w @ w  # noqa: E731
    grad = numerical_gradient(smooth, res.coef)
    l1 = alpha * l1_ratio
    active = res.coef != 0
    assert active.any() and not active.all()
    # 0 in grad + l1 * d|w|: equality on the support, |grad| <= l1 off it
    np.testing.assert_allclose(grad[active], -l1 * np.sign(res.coef[active]), atol=1e-7)
    assert np.all(np.abs(grad[~active]) <= l1 + 1e-7)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7, 0.0])
def test_dual_gap_bounds_the_suboptimality(l1_ratio):
    X, y = correlated_problem(seed=2, n=30, p=40)
    alpha = 0.1
    Xc, yc = X - X.mean(0), y - y.mean()
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    best = fista(X, y, alpha=alpha, l1_ratio=l1_ratio, restart=True, tol=1e-14, max_iter=50000)
    f_star = enet_objective(X, y, best.coef, alpha, l1_ratio)
    assert _enet_dual_gap(Xc, yc, best.coef, l1, l2) < 1e-13
    rng = np.random.default_rng(0)
    for _ in range(20):
        w = best.coef + 0.1 * rng.standard_normal(40)
        gap = _enet_dual_gap(Xc, yc, w, l1, l2)
        assert enet_objective(X, y, w, alpha, l1_ratio) - f_star <= gap + 1e-12


# --------------------------------------------------------------------------- rates
@pytest.fixture(scope="module")
def rate_runs():
    X, y = correlated_problem()
    alpha, K = 0.05, 500
    sk = Lasso(alpha=alpha, tol=1e-15, max_iter=10**6).fit(X, y)
    f_star = enet_objective(X, y, sk.coef_, alpha, 1.0)
    with pytest.warns(ConvergenceWarning):
        a = ista(X, y, alpha=alpha, max_iter=K, tol=0.0)
    with pytest.warns(ConvergenceWarning):
        b = fista(X, y, alpha=alpha, max_iter=K, tol=0.0)
    Xc = X - X.mean(0)
    L = np.linalg.norm(Xc, 2) ** 2 / len(y)
    r2 = float(sk.coef_ @ sk.coef_)  # ||x_0 - x*||^2 with x_0 = 0
    return a.objective - f_star, b.objective - f_star, L, r2, a.objective


def test_ista_objective_never_increases(rate_runs):
    objective = rate_runs[4]
    assert np.all(np.diff(objective) <= 1e-14 * objective[:-1])


def test_ista_and_fista_rate_bounds(rate_runs):
    gap_ista, gap_fista, L, r2, _ = rate_runs
    k = np.arange(1, len(gap_ista))
    assert np.all(gap_ista[1:] <= L * r2 / (2 * k))              # O(1/k)
    assert np.all(gap_fista[1:] <= 2 * L * r2 / (k + 1) ** 2)    # O(1/k^2)


def test_fista_is_ahead_of_ista_after_100_steps(rate_runs):
    gap_ista, gap_fista = rate_runs[:2]
    assert gap_fista[100] <= 0.01 * gap_ista[100]
    assert np.all(gap_fista[1:] <= gap_ista[1:])  # on this problem, at every step


# --------------------------------------------------------------------------- parity with scikit-learn
CASES = [  # (n, p, alpha, l1_ratio, fit_intercept)
    (50, 10, 0.1, 1.0, True),
    (30, 60, 0.1, 1.0, True),     # p > n
    (40, 80, 0.05, 0.5, True),    # p > n, elastic net
    (50, 10, 0.05, 0.3, False),
    (20, 50, 0.2, 0.9, True),
]


@pytest.mark.parametrize("n,p,alpha,l1_ratio,fit_intercept", CASES)
@pytest.mark.parametrize("seed", range(2))
def test_parity_with_sklearn(n, p, alpha, l1_ratio, fit_intercept, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ w + 0.3 * rng.standard_normal(n) + 1.0
    sk = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-14,
                    max_iter=10**5).fit(X, y)
    # the duality gap is quadratic in the error when the L2 part is present: a tighter tol
    tol = 1e-14 if l1_ratio == 1.0 else 1e-16
    for res in (ista(X, y, alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol,
                     max_iter=10**4),
                fista(X, y, alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol,
                      max_iter=10**4),
                fista(X, y, alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol,
                      max_iter=10**4, restart=True)):
        assert res.converged
        assert rel(res.coef, sk.coef_) < 1e-6
        assert res.intercept == pytest.approx(sk.intercept_, abs=1e-6)
        np.testing.assert_array_equal(res.coef == 0, np.abs(sk.coef_) == 0)  # same support


def test_intercept_is_not_penalized():
    X, y = correlated_problem(seed=4, n=30, p=10)
    a = fista(X, y, alpha=0.1, tol=1e-14, restart=True)
    b = fista(X, y + 100.0, alpha=0.1, tol=1e-14, restart=True)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-9)
    assert b.intercept - a.intercept == pytest.approx(100.0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_convergence_warning_names_max_iter_and_tol(solver):
    X, y = correlated_problem()
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3 .*tol=1e-10.*duality gap"):
        res = solver(X, y, alpha=0.05, max_iter=3, tol=1e-10)
    assert not res.converged and res.n_iter == 3


# --------------------------------------------------------------------------- bad input
X_OK, Y_OK = np.ones((4, 2)), np.arange(4.0)
BAD = [
    (dict(alpha=-1.0), ValueError, ["'alpha'", "(0.0, inf)", "Got -1.0"]),
    (dict(alpha=0.0), ValueError, ["'alpha'", "(0.0, inf)", "Got 0.0"]),
    (dict(alpha="big"), TypeError, ["'alpha'", "'big'"]),
    (dict(l1_ratio=1.5), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "Got 1.5"]),
    (dict(l1_ratio=-0.1), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "Got -0.1"]),
    (dict(max_iter=0), ValueError, ["'max_iter'", "[1, inf)", "Got 0"]),
    (dict(max_iter=2.5), TypeError, ["'max_iter'", "an int", "Got 2.5"]),
    (dict(tol=-1e-3), ValueError, ["'tol'", "[0.0, inf)", "Got -0.001"]),
    (dict(fit_intercept="yes"), TypeError, ["'fit_intercept'", "a bool", "Got 'yes'"]),
    (dict(X=np.full((4, 2), np.nan)), ValueError, ["'X'", "finite", "8 NaN"]),
    (dict(y=[0.0, np.inf, 1.0, 2.0]), ValueError, ["'y'", "finite", "1 infinite"]),
    (dict(y=np.ones(5)), ValueError, ["Inconsistent", "X has 4", "y has 5"]),
    (dict(X=np.ones(4)), ValueError, ["'X'", "2D", "got 1D"]),
    (dict(y=np.ones((4, 2))), ValueError, ["'y'", "1D", "got 2D"]),
]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("kwargs,exc,fragments", BAD)
def test_bad_input(solver, kwargs, exc, fragments):
    kwargs = dict(kwargs)
    X, y = kwargs.pop("X", X_OK), kwargs.pop("y", Y_OK)
    with pytest.raises(exc) as info:
        solver(X, y, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)
    assert solver.__name__ in str(info.value) or "Inconsistent" in str(info.value)


def _core(**kwargs):
    quad = dict(f=lambda x: 0.5 * x @ x, grad_f=lambda x: x, g=lambda x: 0.0, prox=lambda v, t: v,
                x0=np.ones(2))
    quad.update(kwargs)
    return proximal_gradient(quad.pop("f"), quad.pop("grad_f"), quad.pop("g"), quad.pop("prox"),
                             quad.pop("x0"), **quad)


BAD_CORE = [
    (dict(), ValueError, ["'step'", "when backtracking=False", "Got None"]),
    (dict(step=-1.0), ValueError, ["'step'", "(0.0, inf)", "Got -1.0"]),
    (dict(step=1.0, f="f"), TypeError, ["'f'", "a callable", "'f'"]),
    (dict(step=1.0, criterion=3), TypeError, ["'criterion'", "a callable or None", "Got 3"]),
    (dict(step=1.0, x0=[1.0, np.nan]), ValueError, ["'x0'", "finite", "1 NaN"]),
    (dict(step=1.0, accelerated=1), TypeError, ["'accelerated'", "a bool", "Got 1"]),
    (dict(step=1.0, max_iter=0), ValueError, ["'max_iter'", "[1, inf)", "Got 0"]),
]


@pytest.mark.parametrize("kwargs,exc,fragments", BAD_CORE)
def test_bad_input_generic_core(kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        _core(**kwargs)
    for frag in fragments + ["proximal_gradient"]:
        assert frag in str(info.value)


def test_generic_core_warns_on_max_iter():
    with pytest.warns(ConvergenceWarning, match=r"proximal_gradient did not converge within max_iter=2 .*tol=0.0"):
        res = _core(step=0.1, max_iter=2, tol=0.0)
    assert not res.converged and res.n_iter == 2
