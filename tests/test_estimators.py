"""regbook.np.estimators: scikit-learn's estimator checks, parity, pipelines, bad input."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model as sk_lm
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from regbook import ConvergenceWarning
from regbook.np.estimators import ElasticNet, Lasso, LogisticRegression, Ridge


def rel(a, b):
    return float(np.linalg.norm(np.asarray(a) - b) / np.linalg.norm(b))


def regression_problem(seed=0, n=60, p=8, n_targets=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.linspace(0.5, 3.0, p) + 2.0
    W = rng.standard_normal((n_targets or 1, p))
    W[:, p // 2:] = 0.0
    Y = X @ W.T + 0.5 * rng.standard_normal((n, n_targets or 1)) + 1.0
    return X, (Y[:, 0] if n_targets is None else Y)


def classification_problem(n_classes, seed=0, n=90, p=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.argmax(X @ rng.standard_normal((n_classes, p)).T + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


# --------------------------------------------------------------------------- scikit-learn's API checks
# All checks pass; no expected failures are declared. Non-default settings are checked too.
@parametrize_with_checks([Ridge(), Lasso(), ElasticNet(), LogisticRegression(),
                          ElasticNet(l1_ratio=0.0, warm_start=True)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- toy cases by hand
def test_lasso_is_an_elastic_net_with_l1_ratio_one():
    X, y = regression_problem()
    a = Lasso(alpha=0.1, tol=1e-10).fit(X, y)
    b = ElasticNet(alpha=0.1, l1_ratio=1.0, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert "l1_ratio" not in Lasso().get_params() and clone(Lasso(alpha=3.0)).l1_ratio == 1.0


def test_fitted_attributes_and_predict_by_hand():
    X, y = [[1.0], [-1.0]], [2.0, -2.0]  # ||x||^2/n = 1, x^T y/n = 2
    model = Lasso(alpha=0.5).fit(X, y)
    assert model.coef_.tolist() == pytest.approx([1.5]) and model.intercept_ == pytest.approx(0.0)
    assert model.n_features_in_ == 1 and model.n_iter_ >= 1 and model.dual_gap_ >= 0.0
    assert model.predict([[2.0]]).tolist() == pytest.approx([3.0])
    ridge = Ridge(alpha=2.0).fit([[1.0], [2.0], [3.0]], [1.0, 2.0, 3.0])  # w = 2 / (2 + 2)
    assert ridge.coef_.tolist() == pytest.approx([0.5]) and ridge.solver_ == "cholesky"
    assert ridge.n_iter_ is None


def test_warm_start_starts_from_the_previous_solution():
    X, y = regression_problem(p=30)
    cold = ElasticNet(alpha=0.05, tol=1e-10).fit(X, y)
    warm = ElasticNet(alpha=0.05, tol=1e-10, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)  # restarted at the solution
    assert warm.n_iter_ < first == cold.n_iter_
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=1e-8, atol=1e-12)


# --------------------------------------------------------------------------- parity with scikit-learn
@pytest.mark.parametrize("n_targets", [None, 3])
@pytest.mark.parametrize("alpha", [0.1, 10.0])
def test_ridge_parity(n_targets, alpha):
    X, y = regression_problem(n_targets=n_targets)
    ours, sk = Ridge(alpha=alpha).fit(X, y), sk_lm.Ridge(alpha=alpha).fit(X, y)
    assert rel(ours.coef_, sk.coef_) < 1e-10
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-10)
    assert ours.score(X, y) == pytest.approx(sk.score(X, y), rel=1e-10)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("shape", [(60, 8), (30, 50)])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_elastic_net_parity(l1_ratio, shape, fit_intercept):
    X, y = regression_problem(n=shape[0], p=shape[1])
    kwargs = dict(alpha=0.05, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**5)
    ours, sk = ElasticNet(**kwargs).fit(X, y), sk_lm.ElasticNet(**kwargs).fit(X, y)
    assert rel(ours.coef_, sk.coef_) < 1e-6
    assert ours.intercept_ == pytest.approx(sk.intercept_, rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_logistic_parity(n_classes, l1_ratio):
    X, y = classification_problem(n_classes)
    labels = np.array(["b", "c", "a"])[y]  # string labels, not in sorted order
    ours = LogisticRegression(C=0.5, l1_ratio=l1_ratio, tol=1e-10, max_iter=10**4).fit(X, labels)
    sk = sk_lm.LogisticRegression(C=0.5, l1_ratio=l1_ratio, tol=1e-12, max_iter=10**5,
                                  solver="lbfgs" if l1_ratio == 0.0 else "saga")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.fit(X, labels)
    assert ours.classes_.tolist() == sk.classes_.tolist()
    assert rel(ours.coef_, sk.coef_) < 1e-5
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, atol=1e-5)
    np.testing.assert_allclose(ours.decision_function(X), sk.decision_function(X), atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.predict_log_proba(X), sk.predict_log_proba(X), atol=1e-5)
    np.testing.assert_array_equal(ours.predict(X), sk.predict(X))


# --------------------------------------------------------------------------- pipelines and grid search
def test_lasso_in_a_pipeline_inside_grid_search():
    X, y = regression_problem(n=80, p=10)
    grid = {"lasso__alpha": [0.01, 0.1, 1.0]}
    cv = KFold(4, shuffle=True, random_state=0)
    ours = GridSearchCV(make_pipeline(StandardScaler(), Lasso(tol=1e-10)), grid, cv=cv).fit(X, y)
    sk = GridSearchCV(make_pipeline(StandardScaler(), sk_lm.Lasso(tol=1e-10)), grid, cv=cv).fit(X, y)
    assert ours.best_params_ == sk.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], sk.cv_results_["mean_test_score"],
                               rtol=1e-6)
    assert isinstance(ours.best_estimator_[-1], Lasso)


@pytest.mark.parametrize("Estimator,grid", [
    (Ridge, {"alpha": [0.1, 10.0, 1000.0]}),
    (ElasticNet, {"alpha": [0.01, 1.0], "l1_ratio": [0.2, 0.8]}),
    (LogisticRegression, {"C": [0.1, 1.0], "l1_ratio": [0.0, 1.0]}),
])
def test_grid_search_picks_the_same_setting_as_sklearn(Estimator, grid):
    scoring = None  # R^2 for the regressors
    if Estimator is LogisticRegression:
        scoring = "neg_log_loss"  # continuous in the coefficients, unlike accuracy
        X, y = classification_problem(3, n=120)
        ours_est, sk_est = Estimator(tol=1e-8), sk_lm.LogisticRegression(tol=1e-10, solver="saga",
                                                                           max_iter=10**4)
    else:
        X, y = regression_problem(n=80, p=10)
        ours_est, sk_est = Estimator(), getattr(sk_lm, Estimator.__name__)()
    cv = KFold(3, shuffle=True, random_state=1)
    ours = GridSearchCV(make_pipeline(StandardScaler(), ours_est), {f"{Estimator.__name__.lower()}__{k}": v
                        for k, v in grid.items()}, cv=cv, scoring=scoring).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = GridSearchCV(make_pipeline(StandardScaler(), sk_est), {f"{Estimator.__name__.lower()}__{k}": v
                          for k, v in grid.items()}, cv=cv, scoring=scoring).fit(X, y)
    assert ours.best_params_ == sk.best_params_
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], sk.cv_results_["mean_test_score"],
                               rtol=1e-5)


# --------------------------------------------------------------------------- convergence warnings
def test_convergence_warnings_name_max_iter_and_tol():
    X, y = regression_problem(n=30, p=60)
    with pytest.warns(ConvergenceWarning, match=r"ElasticNet did not converge within max_iter=1 .*tol=1e-12"):
        ElasticNet(alpha=0.001, max_iter=1, tol=1e-12).fit(X, y)
    X, y = classification_problem(3)
    with pytest.warns(ConvergenceWarning, match=r"LogisticRegression did not converge within max_iter=2 .*tol=1e-10"):
        model = LogisticRegression(max_iter=2, tol=1e-10).fit(X, y)
    assert model.n_iter_ == 2


# --------------------------------------------------------------------------- bad input
X_OK, Y_OK = np.arange(8.0).reshape(4, 2), np.array([0.0, 1.0, 0.0, 1.0])
ALL = [Ridge, Lasso, ElasticNet, LogisticRegression]
BAD = [  # (estimators, params, X, y, exception, fragments of the message)
    ([Ridge, Lasso, ElasticNet], dict(alpha=-1.0), X_OK, Y_OK, ValueError,
     ["'alpha'", "[0.0, inf)", "Got -1.0"]),
    ([Ridge, Lasso], dict(alpha="big"), X_OK, Y_OK, TypeError, ["'alpha'", "a float", "Got 'big'"]),
    ([ElasticNet, LogisticRegression], dict(l1_ratio=1.5), X_OK, Y_OK, ValueError,
     ["'l1_ratio'", "[0.0, 1.0]", "Got 1.5"]),
    ([ElasticNet, LogisticRegression], dict(l1_ratio=-0.2), X_OK, Y_OK, ValueError,
     ["'l1_ratio'", "[0.0, 1.0]", "Got -0.2"]),
    ([LogisticRegression], dict(C=0.0), X_OK, Y_OK, ValueError, ["'C'", "(0.0, inf)", "Got 0.0"]),
    ([Lasso, LogisticRegression], dict(max_iter=0), X_OK, Y_OK, ValueError, ["'max_iter'", "[1, inf)", "Got 0"]),
    ([Lasso, LogisticRegression], dict(tol=-1.0), X_OK, Y_OK, ValueError, ["'tol'", "[0.0, inf)", "Got -1.0"]),
    ([Ridge, ElasticNet], dict(fit_intercept="no"), X_OK, Y_OK, TypeError,
     ["'fit_intercept'", "a bool", "Got 'no'"]),
    ([Lasso], dict(warm_start=None), X_OK, Y_OK, TypeError, ["'warm_start'", "a bool", "Got None"]),
    ([Lasso], dict(precompute="yes"), X_OK, Y_OK, ValueError, ["'precompute'", "'auto'", "Got 'yes'"]),
    (ALL, {}, np.where(X_OK > 6, np.nan, X_OK), Y_OK, ValueError, ["'X'", "fit", "finite", "1 NaN"]),
    (ALL, {}, np.where(X_OK > 5, np.inf, X_OK), Y_OK, ValueError, ["'X'", "fit", "finite", "2 infinite"]),
    (ALL, {}, X_OK, [0.0, np.nan, 1.0, 0.0], ValueError, ["'y'", "fit", "finite", "1 NaN"]),
    (ALL, {}, X_OK, [0.0, np.inf, 1.0, 0.0], ValueError, ["'y'", "fit", "finite", "1 infinite"]),
    (ALL, {}, X_OK, Y_OK[:3], ValueError, ["Inconsistent", "X has 4", "y has 3"]),
    (ALL, {}, X_OK[:, 0], Y_OK, ValueError, ["'X'", "2D", "got 1D", "Reshape"]),
    (ALL, {}, X_OK[:, :, None], Y_OK, ValueError, ["'X'", "2D", "got 3D"]),
    ([Lasso, LogisticRegression], {}, X_OK, np.ones((4, 2)), ValueError, ["'y'", "1D", "got 2D"]),
    ([Ridge], {}, X_OK, np.ones((4, 2, 1)), ValueError, ["'y'", "got 3D"]),
]
BAD_CASES = [pytest.param(Est, *case[1:], id=f"{Est.__name__}-{i}") for i, case in enumerate(BAD) for Est in case[0]]


@pytest.mark.parametrize("Estimator,params,X,y,exc,fragments", BAD_CASES)
def test_bad_input(Estimator, params, X, y, exc, fragments):
    model = Estimator(**params)  # __init__ stores without validating, as scikit-learn requires
    with pytest.raises(exc) as info:
        model.fit(X, y)
    message = str(info.value)
    for frag in fragments:
        assert frag in message
    assert Estimator.__name__ in message


@pytest.mark.parametrize("Estimator", ALL)
def test_predict_validates_X(Estimator):
    model = Estimator().fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match=rf"'X' parameter of {Estimator.__name__}\.\w+ must contain only finite"):
        model.predict([[np.nan, 1.0]])
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 2 features"):
        model.predict(np.ones((2, 3)))
