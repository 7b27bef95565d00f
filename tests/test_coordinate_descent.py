"""regbook.np.coordinate_descent: toy cases, optimality, parity with scikit-learn, bad input."""

import importlib.util
import pathlib
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.linear_model import enet_path as sk_enet_path

from regbook import ConvergenceWarning
from regbook.checks import numerical_gradient
from regbook.np import _cd_kernels, _cd_solver
from regbook.np.coordinate_descent import alpha_max, elastic_net, enet_path, lasso, lasso_path
from regbook.np.linear import ridge

TIGHT = 1e-12  # tol for both libraries in parity tests, so that 1e-6 relative is meaningful


def objective(X, y, coef, intercept, alpha, l1_ratio):
    r = y - X @ coef - intercept
    return (r @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)


def rel(a, b):
    """Norm-wise relative difference (elementwise would blow up on coefficients near 0)."""
    return float(np.linalg.norm(np.asarray(a) - b) / max(np.linalg.norm(b), 1e-300))


def make(n, p, seed, *, scale=1.0, corr=0.0, offset=0.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if corr:  # every feature shares a common factor: correlation corr
        X = np.sqrt(1 - corr) * X + np.sqrt(corr) * rng.standard_normal((n, 1))
    X = X * np.logspace(0, np.log10(scale), p) + offset
    w = np.zeros(p)
    w[: min(5, p)] = rng.choice([-2.0, 1.0, 3.0], min(5, p))
    return X, X @ w / np.logspace(0, np.log10(scale), p).mean() + rng.standard_normal(n)


def sk_fit(X, y, alpha, l1_ratio, fit_intercept):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkConvergenceWarning)
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=TIGHT,
                         max_iter=200_000).fit(X, y)
    return est.coef_, float(est.intercept_)


def kkt_violation(X, y, res, alpha, l1_ratio, fit_intercept):
    """Largest violation of the subgradient conditions, relative to alpha."""
    Xc, yc = (X - X.mean(0), y - y.mean()) if fit_intercept else (X, y)
    g = Xc.T @ (yc - Xc @ res.coef) / len(y) - alpha * (1 - l1_ratio) * res.coef  # must lie in alpha*rho*d|w|
    on = res.coef != 0
    err_on = np.abs(g[on] - alpha * l1_ratio * np.sign(res.coef[on]))
    err_off = np.maximum(np.abs(g[~on]) - alpha * l1_ratio, 0.0)
    return float(np.concatenate([err_on, err_off, [0.0]]).max() / alpha)


# --------------------------------------------------------------------------- toy cases by hand
def test_one_feature_soft_threshold():
    # ||x||^2 / n = 1 and x^T y / n = 2: the lasso gives S(2, alpha),
    # and the L2 part divides it by 1 + alpha (1 - rho)
    X, y = np.array([[1.0], [-1.0]]), np.array([2.0, -2.0]) + 5.0
    for alpha, rho, expected in [(0.5, 1.0, 1.5), (1.0, 0.5, 1.0), (3.0, 1.0, 0.0), (2.0, 0.0, 2.0 / 3.0)]:
        res = elastic_net(X, y, alpha=alpha, l1_ratio=rho)
        assert res.coef[0] == pytest.approx(expected, abs=1e-12)
        assert res.intercept == pytest.approx(5.0) and res.converged


def test_orthogonal_design_is_soft_thresholded_least_squares():
    # X^T X = n I: the lasso solution is soft-thresholding of X^T y / n, coordinatewise
    n = 8
    X = np.linalg.qr(np.random.default_rng(0).standard_normal((n, 3)))[0] * np.sqrt(n)
    y = X @ np.array([3.0, -0.5, 1.2]) + 0.1
    z = X.T @ y / n
    res = lasso(X, y, alpha=1.0, fit_intercept=False, tol=TIGHT)
    np.testing.assert_allclose(res.coef, np.sign(z) * np.maximum(np.abs(z) - 1.0, 0.0), atol=1e-10)
    assert res.coef[1] == 0.0  # exactly zero, not merely small


def test_alpha_at_or_above_alpha_max_gives_exact_zeros():
    X, y = make(30, 12, 0, corr=0.5)
    for rho in (1.0, 0.5, 0.1):
        top = alpha_max(X, y, l1_ratio=rho)
        for alpha in (top, 1.5 * top):
            res = elastic_net(X, y, alpha=alpha, l1_ratio=rho, coef_init=np.ones(12))
            assert np.all(res.coef == 0.0) and res.intercept == pytest.approx(y.mean())
            assert res.dual_gap == 0.0 and res.converged
        assert np.count_nonzero(elastic_net(X, y, alpha=0.99 * top, l1_ratio=rho, tol=TIGHT).coef) >= 1


def test_alpha_max_matches_sklearn_grid_and_formula():
    X, y = make(25, 7, 1)
    Xc, yc = X - X.mean(0), y - y.mean()
    assert alpha_max(X, y, l1_ratio=0.3) == pytest.approx(np.abs(Xc.T @ yc).max() / (25 * 0.3))
    sk_alphas = sk_enet_path(Xc, yc, l1_ratio=0.3, alphas=5, eps=1e-2)[0]
    ours = enet_path(X, y, l1_ratio=0.3, n_alphas=5, eps=1e-2)
    np.testing.assert_allclose(ours.alphas, sk_alphas, rtol=1e-12)
    assert alpha_max(X, y, l1_ratio=0.0) == np.inf


def test_l1_ratio_zero_is_ridge_and_alpha_zero_is_least_squares():
    X, y = make(20, 6, 2)
    # 1/(2n)||r||^2 + alpha/2 ||w||^2 is scikit-learn's Ridge with alpha_ridge = n * alpha
    res = elastic_net(X, y, alpha=0.3, l1_ratio=0.0, tol=TIGHT)
    ref = ridge(X, y, alpha=20 * 0.3)
    assert rel(res.coef, ref.coef) < 1e-9 and res.intercept == pytest.approx(ref.intercept)
    Xw, yw = make(10, 15, 3)  # p > n: the minimum-norm least-squares solution
    res = lasso(Xw, yw, alpha=0.0)
    Xc = Xw - Xw.mean(0)
    assert rel(res.coef, np.linalg.pinv(Xc) @ (yw - yw.mean())) < 1e-9


def test_degenerate_columns():
    X, y = make(15, 5, 4)
    X = np.column_stack([X, np.zeros(15), X[:, 0]])  # an all-zero column and a duplicate
    res = lasso(X, y, alpha=0.05, tol=TIGHT)
    assert res.converged and res.coef[5] == 0.0
    sk_coef, _ = sk_fit(X, y, 0.05, 1.0, True)
    # duplicates make the split between columns 0 and 6 non-unique; their sum and the objective are not
    assert res.coef[0] + res.coef[6] == pytest.approx(sk_coef[0] + sk_coef[6], rel=1e-6)
    assert objective(X, y, res.coef, res.intercept, 0.05, 1.0) == pytest.approx(
        objective(X, y, sk_coef, y.mean() - X.mean(0) @ sk_coef, 0.05, 1.0), rel=1e-9)
    const = lasso(X, np.full(15, 3.0), alpha=0.1)  # constant y: w = 0, b = 3
    assert np.all(const.coef == 0.0) and const.intercept == pytest.approx(3.0)


# --------------------------------------------------------------------------- optimality
@pytest.mark.parametrize("n,p,rho,fit_intercept", [(40, 15, 1.0, True), (20, 60, 0.5, True),
                                                   (30, 30, 0.9, False)])
def test_kkt_conditions_and_zero_gradient_on_support(n, p, rho, fit_intercept):
    X, y = make(n, p, 5, corr=0.6)
    alpha = alpha_max(X, y, l1_ratio=rho, fit_intercept=fit_intercept) / 20
    res = elastic_net(X, y, alpha=alpha, l1_ratio=rho, fit_intercept=fit_intercept, tol=TIGHT)
    assert kkt_violation(X, y, res, alpha, rho, fit_intercept) < 1e-6
    # on its support the objective is smooth: its numerical gradient there vanishes
    S = np.flatnonzero(res.coef)
    assert S.size > 0

    def f(wS):
        w = np.zeros(p)
        w[S] = wS
        b = (y - X @ w).mean() if fit_intercept else 0.0
        return objective(X, y, w, b, alpha, rho)

    g = numerical_gradient(f, res.coef[S], h=1e-7)
    assert np.abs(g).max() < 1e-5 * alpha


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-8])
def test_duality_gap_is_certified(tol):
    X, y = make(30, 50, 6, corr=0.5)
    alpha = alpha_max(X, y, l1_ratio=0.7) / 30
    res = elastic_net(X, y, alpha=alpha, l1_ratio=0.7, tol=tol)
    scale = np.sum((y - y.mean()) ** 2) / 30
    assert res.converged and 0.0 <= res.dual_gap <= tol * scale
    # the gap bounds the distance to the optimal objective
    best = elastic_net(X, y, alpha=alpha, l1_ratio=0.7, tol=1e-14)
    gap_true = objective(X, y, res.coef, res.intercept, alpha, 0.7) - objective(
        X, y, best.coef, best.intercept, alpha, 0.7)
    assert -1e-12 <= gap_true <= res.dual_gap + 1e-12


def test_convergence_warning_names_max_iter_and_tol():
    X, y = make(40, 80, 7, corr=0.7)
    alpha = alpha_max(X, y) / 50
    with pytest.warns(ConvergenceWarning, match=r"max_iter=1 .*tol=1e-06") as record:
        res = lasso(X, y, alpha=alpha, max_iter=1, tol=1e-6)
    assert "Duality gap" in str(record[0].message)
    assert not res.converged and res.n_iter == 1 and res.dual_gap > 1e-6
    with pytest.warns(ConvergenceWarning, match="lasso_path did not converge"):
        lasso_path(X, y, n_alphas=3, max_iter=1)


# --------------------------------------------------------------------------- parity with scikit-learn
CASES = [  # (n, p, scale, corr, offset)
    (50, 10, 1.0, 0.0, 0.0),
    (20, 60, 1.0, 0.5, 0.0),  # p > n, correlated
    (40, 40, 1e3, 0.0, 5.0),  # badly scaled features with offsets
    (30, 120, 10.0, 0.9, 0.0),  # p >> n, strongly correlated
]


@pytest.mark.parametrize("n,p,scale,corr,offset", CASES)
@pytest.mark.parametrize("rho", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_parity_with_sklearn(n, p, scale, corr, offset, rho, fit_intercept):
    X, y = make(n, p, n + p, scale=scale, corr=corr, offset=offset)
    top = alpha_max(X, y, l1_ratio=rho, fit_intercept=fit_intercept)
    for alpha in (top / 2, top / 10, top / 100):
        sk_coef, sk_b = sk_fit(X, y, alpha, rho, fit_intercept)
        p_sk = objective(X, y, sk_coef, sk_b, alpha, rho)
        for precompute in (True, False):
            for screening in (True, False):
                res = elastic_net(X, y, alpha=alpha, l1_ratio=rho, fit_intercept=fit_intercept, tol=TIGHT,
                                  precompute=precompute, screening=screening, max_iter=100_000)
                assert res.converged
                assert rel(res.coef, sk_coef) < 1e-6
                assert abs(res.intercept - sk_b) <= 1e-6 * (abs(sk_b) + np.abs(X @ sk_coef).max())
                assert objective(X, y, res.coef, res.intercept, alpha, rho) == pytest.approx(p_sk, rel=1e-9)


@pytest.mark.parametrize("n,p,scale,corr,offset", CASES)
@pytest.mark.parametrize("rho", [1.0, 0.5])
def test_path_parity_with_sklearn(n, p, scale, corr, offset, rho):
    X, y = make(n, p, 2 * n + p, scale=scale, corr=corr, offset=offset)
    ours = enet_path(X, y, l1_ratio=rho, n_alphas=12, eps=1e-3, tol=TIGHT, max_iter=100_000)
    Xc, yc = X - X.mean(0), y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkConvergenceWarning)
        alphas, coefs, _ = sk_enet_path(Xc, yc, l1_ratio=rho, alphas=ours.alphas, tol=TIGHT, max_iter=200_000)
    np.testing.assert_array_equal(alphas, ours.alphas)
    assert np.all(np.diff(ours.alphas) < 0) and ours.coefs.shape == (p, 12)
    for k, alpha in enumerate(alphas):
        assert rel(ours.coefs[:, k], coefs[:, k]) < 1e-6
        b_sk = y.mean() - X.mean(0) @ coefs[:, k]
        assert objective(X, y, ours.coefs[:, k], ours.intercepts[k], alpha, rho) == pytest.approx(
            objective(X, y, coefs[:, k], b_sk, alpha, rho), rel=1e-9)
    assert np.all(ours.coefs[:, 0] == 0.0) and np.all(ours.dual_gaps >= 0.0)
    # each point of the path equals the single fit at the same alpha
    mid = elastic_net(X, y, alpha=ours.alphas[6], l1_ratio=rho, tol=TIGHT)
    assert rel(mid.coef, ours.coefs[:, 6]) < 1e-6


def test_lasso_path_takes_alphas_in_any_order_and_warm_start_agrees():
    X, y = make(25, 30, 8, corr=0.4)
    res = lasso_path(X, y, alphas=[0.01, 0.5, 0.1], tol=TIGHT)
    np.testing.assert_array_equal(res.alphas, [0.5, 0.1, 0.01])
    for k, a in enumerate(res.alphas):
        cold = lasso(X, y, alpha=a, tol=TIGHT)
        warm = lasso(X, y, alpha=a, tol=TIGHT, coef_init=res.coefs[:, k] + 0.3)
        assert rel(cold.coef, res.coefs[:, k]) < 1e-6 and rel(warm.coef, cold.coef) < 1e-6
        assert res.intercepts[k] == pytest.approx(cold.intercept, abs=1e-8)


# --------------------------------------------------------------------------- screening
@pytest.mark.parametrize("seed", range(4))
def test_gap_safe_rule_never_discards_an_active_feature(seed):
    X, y = make(30, 100, seed, corr=0.5)
    Xc, yc = X - X.mean(0), y - y.mean()
    rho = (1.0, 0.5)[seed % 2]
    alpha = alpha_max(X, y, l1_ratio=rho) / 8
    lam1, lam2 = 30 * alpha * rho, 30 * alpha * (1 - rho)
    exact = elastic_net(X, y, alpha=alpha, l1_ratio=rho, tol=1e-14, screening=False)
    norms = np.sqrt(np.sum(Xc**2, axis=0) + lam2)
    discarded_total = 0
    for w in (np.zeros(100), 0.5 * exact.coef, 0.999 * exact.coef):  # far from, and near the optimum
        r = yc - Xc @ w
        gap, s = _cd_solver.dual_gap(Xc.T @ r, w, r @ r, r @ yc, lam1, lam2)
        c = Xc.T @ r
        d = _cd_solver.safe_distances(c, w, s, lam1, lam2, norms, np.ones(100, dtype=bool))
        discarded = d > np.sqrt(2 * gap)
        assert np.all(exact.coef[discarded] == 0.0)
        discarded_total += int(discarded.sum())
    assert discarded_total > 0  # the rule did discard features: the check above is not vacuous
    screened = elastic_net(X, y, alpha=alpha, l1_ratio=rho, tol=1e-14, screening=True)
    np.testing.assert_array_equal(screened.coef != 0, exact.coef != 0)
    assert rel(screened.coef, exact.coef) < 1e-9


# --------------------------------------------------------------------------- linear-algebra kernels
def test_null_space_moves_keep_the_fit_and_reach_full_rank():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((12, 20))  # rank 12 < 20 coefficients
    w = rng.standard_normal(20)
    w2 = _cd_kernels.null_space_moves(X.T @ X, w)
    assert np.linalg.norm(X @ w2 - X @ w) < 1e-10 * np.linalg.norm(X @ w)  # same residual
    assert np.abs(w2).sum() <= np.abs(w).sum() + 1e-12  # penalty not raised
    S = np.flatnonzero(w2)
    assert S.size == 12 and np.linalg.matrix_rank(X[:, S]) == 12


def test_cholesky_factor_updates_match_a_fresh_factorization():
    rng = np.random.default_rng(10)
    X = rng.standard_normal((40, 15))
    G = X.T @ X

    def block(a, b):
        return G[a][:, b]

    cache = {}
    # append a block; drop a late feature and add one (update); drop an early one (recompute)
    for S in (np.arange(10), np.arange(13), np.r_[0:11, 12, 14], np.r_[1:11, 12, 14]):
        L, order = _cd_kernels.factor(block, S, S, 0.3, cache)
        A = G[np.ix_(S[order], S[order])] + 0.3 * np.eye(S.size)
        assert np.abs(np.tril(L) @ np.tril(L).T - A).max() < 1e-10 * np.abs(A).max()
    assert _cd_kernels.refactor(block, np.array([0, 0]), np.array([0, 1]), 0.0, {}) is None  # singular


def test_gram_blocks_and_factor_layout():
    # blocks of the symmetric Gram matrix, whichever index set is shorter, and Cholesky
    # factors kept lower-triangular in Fortran order (what LAPACK reads without a copy)
    rng = np.random.default_rng(11)
    X = rng.standard_normal((30, 12))
    G = X.T @ X
    state = _cd_solver.GramState(G, X.T @ X[:, 0], 1.0, np.zeros(12), list(G), np.diag(G).tolist(), 12)
    prob = _cd_solver.Problem(X, X[:, 0], "lazy", False)
    a, b = np.array([1, 4, 7, 9]), np.array([2, 4])
    for u, v in ((a, b), (b, a), (a, a)):
        assert np.abs(state.block(u, v) - G[np.ix_(u, v)]).max() < 1e-12
        assert np.abs(prob.gram(u, v) - G[np.ix_(u, v)]).max() < 1e-10 * np.abs(G).max()
    cache = {}
    for S in (np.arange(6), np.arange(9), np.r_[0:5, 6:9]):
        L, order = _cd_kernels.factor(state.block, S, S, 0.5, cache)
        assert L.flags.f_contiguous and not np.triu(L, 1).any()
        A = G[np.ix_(S[order], S[order])] + 0.5 * np.eye(S.size)
        assert np.abs(L @ L.T - A).max() < 1e-10 * np.abs(A).max()


# --------------------------------------------------------------------------- bad input
X3, Y3 = np.arange(6.0).reshape(3, 2), np.array([1.0, 0.0, 2.0])
BAD = [  # (function, kwargs, exception, fragments of the message)
    (elastic_net, dict(alpha=-1.0), ValueError, ["'alpha'", "elastic_net", "[0.0, inf)", "-1.0"]),
    (elastic_net, dict(alpha="big"), TypeError, ["'alpha'", "'big'"]),
    (elastic_net, dict(l1_ratio=1.5), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "1.5"]),
    (lasso, dict(max_iter=0), ValueError, ["'max_iter'", "lasso", "[1, inf)", "Got 0"]),
    (lasso, dict(max_iter=2.5), TypeError, ["'max_iter'", "an int", "2.5"]),
    (lasso, dict(tol=-1e-3), ValueError, ["'tol'", "[0.0, inf)", "-0.001"]),
    (lasso, dict(precompute="yes"), ValueError, ["'precompute'", "'auto', True, False", "'yes'"]),
    (lasso, dict(precompute=1.0), TypeError, ["'precompute'", "'auto', True, False", "1.0"]),
    (lasso, dict(screening="no"), TypeError, ["'screening'", "a bool", "'no'"]),
    (lasso, dict(fit_intercept=None), TypeError, ["'fit_intercept'", "a bool", "None"]),
    (lasso, dict(coef_init=np.zeros(3)), ValueError, ["'coef_init'", "shape (2,)", "shape (3,)"]),
    (lasso, dict(coef_init=[np.nan, 0.0]), ValueError, ["'coef_init'", "finite", "1 NaN"]),
    (lasso, dict(X=np.ones(3)), ValueError, ["'X'", "2D", "got 1D"]),
    (lasso, dict(y=np.ones((3, 1))), ValueError, ["'y'", "1D", "got 2D"]),
    (lasso, dict(X=np.full((3, 2), np.inf)), ValueError, ["'X'", "finite", "6 infinite"]),
    (elastic_net, dict(y=[1.0, np.nan, 0.0]), ValueError, ["'y'", "finite", "1 NaN"]),
    (elastic_net, dict(y=np.ones(4)), ValueError, ["Inconsistent", "X has 3", "y has 4"]),
    (enet_path, dict(alphas=[0.1, -1.0]), ValueError, ["'alphas'", "enet_path", ">= 0", "-1.0"]),
    (enet_path, dict(alphas=[]), ValueError, ["'alphas'", "at least 1", "0 samples"]),
    (enet_path, dict(alphas=[np.inf]), ValueError, ["'alphas'", "finite", "1 infinite"]),
    (enet_path, dict(n_alphas=0), ValueError, ["'n_alphas'", "[1, inf)", "Got 0"]),
    (enet_path, dict(eps=1.0), ValueError, ["'eps'", "(0.0, 1.0)", "1.0"]),
    (enet_path, dict(eps=0.0), ValueError, ["'eps'", "(0.0, 1.0)", "0.0"]),
    (enet_path, dict(l1_ratio=0.0), ValueError, ["'alphas'", "l1_ratio=0", "None"]),
    (lasso_path, dict(max_iter=-3), ValueError, ["'max_iter'", "lasso_path", "-3"]),
    (alpha_max, dict(l1_ratio=-0.1), ValueError, ["'l1_ratio'", "alpha_max", "[0.0, 1.0]", "-0.1"]),
    (alpha_max, dict(X=[[np.nan]], y=[1.0]), ValueError, ["'X'", "alpha_max", "finite"]),
]


@pytest.mark.parametrize("fn,kwargs,exc,fragments", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_bad_input(fn, kwargs, exc, fragments):
    kwargs = dict(kwargs)
    X, y = kwargs.pop("X", X3), kwargs.pop("y", Y3)
    with pytest.raises(exc) as info:
        fn(X, y, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)


# --------------------------------------------------------------------------- the benchmark runs
def test_benchmark_quick_mode_runs_and_agrees(capsys):
    path = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "linear.py"
    spec = importlib.util.spec_from_file_location("bench_linear", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    rows = bench.main(["--quick", "--repeats", "1"])
    assert len(rows) == 12 and all(r["agree"] for r in rows)
    out = capsys.readouterr().out
    assert "1 thread" in out and "target met on" in out
