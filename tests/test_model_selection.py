"""regbook.np.model_selection: folds, grid CV, the one-SE rule, nested CV, lasso path CV, bad input."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import ElasticNetCV, LassoCV
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge as SkRidge
from sklearn.model_selection import KFold, cross_val_score, validation_curve

from regbook.checks import rel_error
from regbook.np.coordinate_descent import lasso_path
from regbook.np.estimators import LogisticRegression, Ridge
from regbook.np.model_selection import (
    CVResult, cross_val_grid, kfold_indices, lasso_cv, log_grid, nested_cv, non_nested_minimum, one_se_rule,
)
from regbook.np.penalties import enet_kkt_violation


def regression_data(n=60, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n) + 3.0
    return X, y


class OneFeatureOLS(RegressorMixin, BaseEstimator):
    """Least squares on the single column ``feature``: a grid over features is a grid of models."""

    def __init__(self, feature=0):
        self.feature = feature

    def fit(self, X, y):
        x = X[:, self.feature]
        self.slope_ = float(np.mean((x - x.mean()) * (y - y.mean())) / np.var(x))
        self.intercept_ = float(y.mean() - self.slope_ * x.mean())
        return self

    def predict(self, X):
        return self.intercept_ + self.slope_ * X[:, self.feature]


class RecordingRidge(Ridge):
    """Ridge on X[:, 1:] that logs, in a shared list, the sample ids (X[:, 0]) it fits and predicts on."""

    log = []

    def fit(self, X, y):
        RecordingRidge.log.append(("fit", frozenset(np.asarray(X)[:, 0].astype(int).tolist())))
        return super().fit(np.asarray(X)[:, 1:], y)

    def predict(self, X):
        RecordingRidge.log.append(("predict", frozenset(np.asarray(X)[:, 0].astype(int).tolist())))
        return super().predict(np.asarray(X)[:, 1:])


# --------------------------------------------------------------------------- folds
@pytest.mark.parametrize("n,k", [(10, 2), (10, 3), (17, 5), (7, 7), (100, 10)])
@pytest.mark.parametrize("stratified", [False, True])
def test_kfold_is_a_partition_with_balanced_sizes(n, k, stratified):
    labels = np.arange(n) % 3 if stratified else None
    folds = kfold_indices(n, k=k, rng=0, stratify=labels)
    assert len(folds) == k
    vals = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(vals), np.arange(n))  # every sample in exactly one fold
    sizes = [val.size for _, val in folds]
    assert max(sizes) - min(sizes) <= 1 and sum(sizes) == n
    for train, val in folds:
        np.testing.assert_array_equal(train, np.setdiff1d(np.arange(n), val))
        assert np.all(np.diff(val) > 0) and train.dtype.kind == "i"


def test_unshuffled_folds_are_sklearns_kfold():
    for n, k in [(10, 3), (11, 4), (5, 5)]:
        ours = kfold_indices(n, k=k, shuffle=False)
        for (tr, va), (tr_sk, va_sk) in zip(ours, KFold(k).split(np.zeros(n))):
            np.testing.assert_array_equal(tr, tr_sk)
            np.testing.assert_array_equal(va, va_sk)


def test_stratified_folds_keep_class_proportions_within_one_sample():
    labels = np.array(["a"] * 23 + ["b"] * 9 + ["c"] * 4)  # 36 samples, imbalanced, string labels
    rng = np.random.default_rng(0)
    labels = labels[rng.permutation(labels.size)]
    k = 4
    folds = kfold_indices(labels.size, k=k, rng=1, stratify=labels)
    for cls in "abc":
        n_c = int(np.sum(labels == cls))
        counts = [int(np.sum(labels[val] == cls)) for _, val in folds]
        assert sum(counts) == n_c
        assert all(n_c // k <= c <= -(-n_c // k) for c in counts), (cls, counts)
    # plain shuffled folds do not guarantee it: class "c" (4 samples) lands unevenly for some seeds
    def most_c_in_a_fold(seed):
        return max(np.sum(labels[val] == "c") for _, val in kfold_indices(36, k=4, rng=seed))

    assert any(most_c_in_a_fold(seed) > 1 for seed in range(20))


def test_kfold_is_deterministic_given_the_seed():
    a, b = kfold_indices(30, k=5, rng=7), kfold_indices(30, k=5, rng=np.random.default_rng(7))
    assert all(np.array_equal(v1, v2) for (_, v1), (_, v2) in zip(a, b))
    c = kfold_indices(30, k=5, rng=8)
    assert not all(np.array_equal(v1, v2) for (_, v1), (_, v2) in zip(a, c))
    # without shuffling the seed plays no role
    assert all(np.array_equal(v1, v2) for (_, v1), (_, v2) in
               zip(kfold_indices(9, k=3, shuffle=False), kfold_indices(9, k=3, shuffle=False, rng=3)))


def test_log_grid():
    g = log_grid(1e-3, 1e3, 7)
    assert g[0] == pytest.approx(1e-3, rel=1e-15) and g[-1] == pytest.approx(1e3, rel=1e-15)
    np.testing.assert_allclose(g[1:] / g[:-1], 10.0, rtol=1e-12)
    assert log_grid(2.0, 2.0, 1).tolist() == [2.0]
    assert log_grid(10.0, 1.0, 2).tolist() == [10.0, 1.0]


# --------------------------------------------------------------------------- cross_val_grid
def test_cross_val_grid_equals_a_hand_loop():
    X, y = regression_data()
    values = [0.1, 3.0, 100.0]
    res = cross_val_grid(Ridge(), X, y, param_name="alpha", values=values, k=4, rng=2)
    folds = kfold_indices(len(y), k=4, rng=2)
    by_hand = np.array([[np.mean((y[va] - Ridge(alpha=v).fit(X[tr], y[tr]).predict(X[va])) ** 2)
                         for tr, va in folds] for v in values])
    np.testing.assert_allclose(res.fold_scores, by_hand, rtol=1e-14)
    np.testing.assert_allclose(res.mean, by_hand.mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(res.std, by_hand.std(axis=1, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(res.se, res.std / 2.0, rtol=1e-15)  # sqrt(k) = 2
    assert res.best_index == int(np.argmin(by_hand.mean(axis=1)))
    assert res.best_value == values[res.best_index]
    assert isinstance(res, CVResult) and res.values.tolist() == values


def test_hand_checkable_toy_case():
    # y = 2x exactly: a tiny penalty fits every fold (error ~ 0); an enormous one predicts the training mean
    X = np.arange(8.0).reshape(-1, 1)
    y = 2.0 * X[:, 0]
    folds = kfold_indices(8, k=2, shuffle=False)  # {0..3} and {4..7}
    res = cross_val_grid(Ridge(), X, y, param_name="alpha", values=[1e-10, 1e12], folds=folds)
    assert res.fold_scores[0] == pytest.approx([0.0, 0.0], abs=1e-12)
    # fold 1 holds y = 0, 2, 4, 6 and is predicted by the other half's mean 11:
    # ((0-11)^2 + (2-11)^2 + (4-11)^2 + (6-11)^2) / 4 = (121 + 81 + 49 + 25) / 4 = 69; fold 2 mirrors it
    assert res.fold_scores[1] == pytest.approx([69.0, 69.0], rel=1e-9)
    assert res.best_value == 1e-10 and res.best_index == 0


@pytest.mark.parametrize("estimator", [Ridge(), SkRidge()], ids=["regbook", "sklearn"])
def test_cross_val_grid_matches_sklearn_validation_curve(estimator):
    X, y = regression_data(n=50, seed=3)
    values = log_grid(1e-2, 1e3, 6)
    folds = kfold_indices(len(y), k=5, rng=4)
    res = cross_val_grid(estimator, X, y, param_name="alpha", values=values, folds=folds)
    _, test_scores = validation_curve(estimator, X, y, param_name="alpha", param_range=values, cv=folds,
                                      scoring="neg_mean_squared_error")
    assert rel_error(res.fold_scores, -test_scores) < 1e-12
    est = estimator.set_params(alpha=float(values[2]))
    sk = cross_val_score(est, X, y, cv=folds, scoring="neg_mean_squared_error")
    assert rel_error(res.fold_scores[2], -sk) < 1e-12


def test_error_rate_matches_sklearn_accuracy_with_string_labels():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 3))
    y = np.where(X[:, 0] + 0.8 * rng.standard_normal(60) > 0, "yes", "no")
    folds = kfold_indices(60, k=3, rng=6, stratify=y)
    values = [0.01, 1.0]
    res = cross_val_grid(SkLogisticRegression(), X, y, param_name="C", values=values, folds=folds,
                         scoring="error_rate")
    _, acc = validation_curve(SkLogisticRegression(), X, y, param_name="C", param_range=values, cv=folds,
                              scoring="accuracy")
    np.testing.assert_allclose(res.fold_scores, 1.0 - acc, atol=1e-15)
    ours = cross_val_grid(LogisticRegression(), X, y, param_name="C", values=values, folds=folds,
                          scoring="error_rate")
    assert np.all((ours.fold_scores >= 0) & (ours.fold_scores <= 0.5)) and ours.mean[1] < 0.4


def test_integer_grid_values_reach_the_estimator_as_ints():
    X, y = regression_data(n=30, p=4, seed=1)
    res = cross_val_grid(OneFeatureOLS(), X, y, param_name="feature", values=np.arange(4), k=3, rng=0)
    assert isinstance(res.best_value, int) and res.fold_scores.shape == (4, 3)


def test_result_does_not_depend_on_n_jobs():
    X, y = regression_data(n=40, seed=9)
    kw = dict(param_name="alpha", values=log_grid(1e-2, 1e2, 5), k=4, rng=11)
    serial = cross_val_grid(Ridge(), X, y, n_jobs=1, **kw)
    parallel = cross_val_grid(Ridge(), X, y, n_jobs=2, **kw)
    np.testing.assert_array_equal(serial.fold_scores, parallel.fold_scores)
    a = lasso_cv(X, y, n_alphas=10, k=4, rng=3, n_jobs=1)
    b = lasso_cv(X, y, n_alphas=10, k=4, rng=3, n_jobs=2)
    np.testing.assert_array_equal(a.mse_path, b.mse_path)
    np.testing.assert_array_equal(a.coef, b.coef)


# --------------------------------------------------------------------------- one-SE rule
def test_one_se_rule_on_curves_checkable_by_eye():
    values = [0.01, 0.1, 1.0, 10.0, 100.0]
    mean = [1.50, 1.00, 0.80, 0.88, 1.40]  # minimum 0.80 at 1.0; one SE (0.1) above it: 0.90
    se = [0.1] * 5
    assert one_se_rule(values, mean, se) == 3  # 0.88 <= 0.90: the larger penalty 10.0
    assert one_se_rule(values, mean, se, prefer="smallest") == 2  # 1.00 > 0.90: nothing simpler below
    assert one_se_rule(values, mean, [0.0] * 5) == 2  # no spread: the minimum itself
    assert one_se_rule(values, mean, [1.0] * 5) == 4  # huge spread: the simplest model of all
    # degrees 1..5, unsorted: the smallest degree within one SE of the best
    assert one_se_rule([4, 1, 3, 2, 5], [0.50, 0.90, 0.52, 0.58, 0.55], [0.05] * 5, prefer="smallest") == 2


@pytest.mark.parametrize("seed", range(5))
def test_one_se_rule_satisfies_its_definition(seed):
    rng = np.random.default_rng(seed)
    values, mean, se = rng.permutation(20) * 1.0, rng.random(20), 0.2 * rng.random(20)
    i = one_se_rule(values, mean, se)
    threshold = mean.min() + se[np.argmin(mean)]
    assert mean[i] <= threshold
    assert not np.any((mean <= threshold) & (values > values[i]))  # no simpler admissible model


# --------------------------------------------------------------------------- nested CV
def test_outer_scores_use_data_never_seen_by_the_selection():
    X, y = regression_data(n=30, p=3, seed=4)
    Xid = np.column_stack([np.arange(30.0), X])  # column 0 carries the sample id
    values = [0.1, 10.0]
    RecordingRidge.log.clear()
    res = nested_cv(RecordingRidge(), Xid, y, param_name="alpha", values=values, outer_k=3, inner_k=2,
                    rng=5, n_jobs=1)
    log = RecordingRidge.log
    per_fold = len(values) * 2 * 2  # (fit, predict) per value and inner fold
    assert len(log) == 3 * per_fold + 3 * 2
    outer = res.outer_folds
    for j, (train, val) in enumerate(outer):
        seen = log[j * per_fold:(j + 1) * per_fold]  # everything that chose the value of fold j
        assert all(ids <= set(train.tolist()) and not ids & set(val.tolist()) for _, ids in seen)
        refit, score = log[3 * per_fold + 2 * j: 3 * per_fold + 2 * j + 2]
        assert refit == ("fit", frozenset(train.tolist())) and score == ("predict", frozenset(val.tolist()))
    # the outer folds are the documented ones: drawn first from the same seed
    assert all(np.array_equal(v1, v2) for (_, v1), (_, v2) in zip(outer, kfold_indices(30, k=3, rng=5)))
    assert res.mean == pytest.approx(res.outer_scores.mean()) and res.std == pytest.approx(
        res.outer_scores.std(ddof=1))


def test_one_se_rule_in_nested_cv_chooses_simpler_models():
    X, y = regression_data(n=40, p=10, seed=6)
    kw = dict(param_name="alpha", values=log_grid(1e-2, 1e3, 8), outer_k=4, inner_k=4, rng=7)
    by_min = nested_cv(Ridge(), X, y, rule="min", **kw)
    by_1se = nested_cv(Ridge(), X, y, rule="1se", **kw)
    assert np.all(by_1se.chosen_values >= by_min.chosen_values)
    for res, chosen in zip(by_1se.inner_results, by_1se.chosen_values):
        assert chosen == res.values[one_se_rule(res.values, res.mean, res.se)]


def test_non_nested_minimum_is_optimistic_on_pure_noise():
    # y is independent of X, with variance 1: no model has a true error below 1. CV picks, among 30
    # one-feature regressions, the feature that happened to fit the folds best, and its minimum CV
    # error counts that luck as skill.
    rows = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        X, y = rng.standard_normal((40, 30)), rng.standard_normal(40)
        cv = cross_val_grid(OneFeatureOLS(), X, y, param_name="feature", values=np.arange(30), k=5, rng=rng)
        nested = nested_cv(OneFeatureOLS(), X, y, param_name="feature", values=np.arange(30), outer_k=5,
                           inner_k=5, rng=rng)
        model = OneFeatureOLS(feature=cv.best_value).fit(X, y)
        true_error = 1.0 + model.slope_ ** 2 + model.intercept_ ** 2  # E(y - a - bx)^2, x, y ~ N(0, 1)
        assert non_nested_minimum(cv) == cv.mean.min()
        rows.append((non_nested_minimum(cv), nested.mean, true_error))
    naive, nested, true_error = np.array(rows).T
    assert naive.mean() < 0.95 and true_error.min() >= 1.0  # below the noise floor: impossible for a model
    assert naive.mean() < nested.mean() - 0.15  # (observed: 0.86 vs 1.14)
    assert naive.mean() < true_error.mean() - 0.15  # (observed: 0.86 vs 1.19)
    assert np.mean(naive < nested) >= 0.8


# --------------------------------------------------------------------------- lasso_cv
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_lasso_cv_matches_sklearn(l1_ratio):
    X, y = regression_data(n=80, p=25, seed=12)
    folds = kfold_indices(80, k=5, rng=13)
    ours = lasso_cv(X, y, n_alphas=30, folds=folds, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000)
    sk_cls = LassoCV if l1_ratio == 1.0 else ElasticNetCV
    kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    sk = sk_cls(alphas=ours.alphas, cv=folds, tol=1e-12, max_iter=100_000, **kw).fit(X, y)
    np.testing.assert_allclose(sk.alphas_, ours.alphas, rtol=1e-15)
    assert rel_error(ours.mse_path, sk.mse_path_) < 1e-6
    assert ours.alpha_min == sk.alpha_
    assert rel_error(ours.coef, sk.coef_) < 1e-6
    assert ours.intercept == pytest.approx(sk.intercept_, rel=1e-6)
    assert ours.alpha_1se >= ours.alpha_min


def test_lasso_cv_pieces_by_hand_and_optimality():
    X, y = regression_data(n=50, p=10, seed=14)
    res = lasso_cv(X, y, n_alphas=12, eps=1e-2, k=3, rng=15, tol=1e-10)
    # the grid: alpha_max = max |X_c^T y_c| / n down to eps * alpha_max
    Xc, yc = X - X.mean(0), y - y.mean()
    assert res.alphas[0] == pytest.approx(np.abs(Xc.T @ yc).max() / 50, rel=1e-12)
    assert res.alphas[-1] == pytest.approx(1e-2 * res.alphas[0], rel=1e-12)
    # one fold by hand with lasso_path
    train, val = kfold_indices(50, k=3, rng=15)[1]
    path = lasso_path(X[train], y[train], alphas=res.alphas, tol=1e-10)
    mse = ((y[val, None] - X[val] @ path.coefs - path.intercepts) ** 2).mean(axis=0)
    assert rel_error(res.mse_path[:, 1], mse) < 1e-12
    np.testing.assert_allclose(res.se, res.mse_path.std(axis=1, ddof=1) / np.sqrt(3), rtol=1e-14)
    assert res.alpha_min == res.alphas[np.argmin(res.mean)]
    assert res.alpha_1se == res.alphas[one_se_rule(res.alphas, res.mean, res.se)] >= res.alpha_min
    # the refit minimizes the lasso objective on all the data at alpha_min (KKT conditions)
    r = y - X @ res.coef - res.intercept
    assert abs(r.mean()) < 1e-10
    assert enet_kkt_violation(res.coef, -X.T @ r / 50, alpha=res.alpha_min) < 1e-6


def test_lasso_cv_sorts_explicit_alphas():
    X, y = regression_data(n=30, p=5, seed=16)
    res = lasso_cv(X, y, alphas=[0.01, 1.0, 0.1], k=3, rng=0)
    assert res.alphas.tolist() == [1.0, 0.1, 0.01] and res.mse_path.shape == (3, 3)


# --------------------------------------------------------------------------- bad input
XB, YB = regression_data(n=10, p=2, seed=0)
GRID = dict(param_name="alpha", values=[1.0, 2.0], rng=0)
BAD = [  # (function, kwargs, exception, fragments of the message)
    (kfold_indices, dict(n_samples=10, k=1, rng=0), ValueError, ["'k'", "kfold_indices", "[2, 10]", "Got 1"]),
    (kfold_indices, dict(n_samples=10, k=11, rng=0), ValueError, ["'k'", "[2, 10]", "Got 11"]),
    (kfold_indices, dict(n_samples=10, k=2.0, rng=0), TypeError, ["'k'", "an int", "2.0"]),
    (kfold_indices, dict(n_samples=10, k=2), TypeError, ["'rng'", "Generator", "None"]),
    (kfold_indices, dict(n_samples=10, k=2, shuffle=1, rng=0), TypeError, ["'shuffle'", "a bool", "Got 1"]),
    (kfold_indices, dict(n_samples=4, rng=0, k=2, stratify=[0, 1]), ValueError,
     ["'stratify'", "(4,)", "(2,)"]),
    (kfold_indices, dict(n_samples=2, rng=0, k=2, stratify=[0.0, np.nan]), ValueError,
     ["'stratify'", "finite", "1 NaN"]),
    (log_grid, dict(start=0.0, stop=1.0, num=3), ValueError, ["'start'", "log_grid", "(0.0, inf)", "0.0"]),
    (log_grid, dict(start=1.0, stop=-2.0, num=3), ValueError, ["'stop'", "(0.0, inf)", "-2.0"]),
    (log_grid, dict(start=1.0, stop=np.inf, num=3), ValueError, ["'stop'", "(0.0, inf)", "inf"]),
    (log_grid, dict(start=1.0, stop=2.0, num=0), ValueError, ["'num'", "[1, inf)", "Got 0"]),
    (cross_val_grid, dict(GRID, k=1), ValueError, ["'k'", "cross_val_grid", "[2, 10]", "Got 1"]),
    (cross_val_grid, dict(GRID, k=11), ValueError, ["'k'", "[2, 10]", "Got 11"]),
    (cross_val_grid, dict(GRID, values=[]), ValueError, ["'values'", "non-empty", "an empty array"]),
    (cross_val_grid, dict(GRID, values=[1.0, np.nan]), ValueError, ["'values'", "finite", "1 NaN"]),
    (cross_val_grid, dict(GRID, values=[np.inf]), ValueError, ["'values'", "finite", "1 infinite"]),
    (cross_val_grid, dict(GRID, scoring="r2"), ValueError, ["'scoring'", "'mse', 'error_rate'", "'r2'"]),
    (cross_val_grid, dict(GRID, param_name="lam"), ValueError,
     ["'param_name'", "a parameter of Ridge", "'alpha'", "'lam'"]),
    (cross_val_grid, dict(GRID, estimator=[1]), TypeError,
     ["'estimator'", "scikit-learn-compatible", "a list"]),
    (cross_val_grid, dict(GRID, y=np.ones(9)), ValueError, ["Inconsistent", "X has 10", "y has 9"]),
    (cross_val_grid, dict(GRID, X=np.full((10, 2), np.nan)), ValueError, ["'X'", "finite", "20 NaN"]),
    (cross_val_grid, dict(GRID, y=np.r_[np.inf, np.ones(9)]), ValueError, ["'y'", "finite", "1 infinite"]),
    (cross_val_grid, dict(GRID, n_jobs=0), ValueError, ["'n_jobs'", "non-zero int", "Got 0"]),
    (cross_val_grid, dict(GRID, rng=None), TypeError, ["'rng'", "Generator", "None"]),
    (cross_val_grid, dict(GRID, folds=[(np.arange(5), np.arange(5, 10))]), ValueError,
     ["'folds'", "at least 2", "1 pair(s)"]),
    (cross_val_grid, dict(GRID, folds=[(np.arange(5), np.arange(5, 11))] * 2), ValueError,
     ["'folds'", "[0, 10)", "position 0"]),
    (cross_val_grid, dict(GRID, folds=[(np.arange(6), np.arange(5, 10))] * 2), ValueError,
     ["'folds'", "disjoint", "1 shared"]),
    (one_se_rule, dict(values=[1.0, 2.0], mean=[1.0, 2.0], se=[0.1, -0.1]), ValueError,
     ["'se'", ">= 0", "-0.1"]),
    (one_se_rule, dict(values=[1.0, 2.0], mean=[1.0], se=[0.1, 0.1]), ValueError,
     ["Inconsistent", "mean has 1"]),
    (one_se_rule, dict(values=[1.0], mean=[np.nan], se=[0.1]), ValueError, ["'mean'", "finite"]),
    (one_se_rule, dict(values=[1.0], mean=[1.0], se=[0.1], prefer="big"), ValueError,
     ["'prefer'", "'largest', 'smallest'", "'big'"]),
    (non_nested_minimum, dict(cv_result=(1.0, 2.0)), TypeError, ["'cv_result'", "a CVResult", "tuple"]),
    (nested_cv, dict(GRID, outer_k=1), ValueError, ["'outer_k'", "nested_cv", "[2, 10]", "Got 1"]),
    (nested_cv, dict(GRID, outer_k=5, inner_k=9), ValueError, ["'inner_k'", "[2, 8]", "Got 9"]),
    (nested_cv, dict(GRID, rule="2se"), ValueError, ["'rule'", "'min', '1se'", "'2se'"]),
    (nested_cv, dict(GRID, param_name="C"), ValueError, ["'param_name'", "nested_cv", "'C'"]),
    (nested_cv, dict(GRID, values=[np.nan]), ValueError, ["'values'", "finite"]),
    (nested_cv, dict(GRID, y=np.ones(3)), ValueError, ["Inconsistent", "y has 3"]),
    (lasso_cv, dict(rng=0, k=1), ValueError, ["'k'", "lasso_cv", "[2, 10]", "Got 1"]),
    (lasso_cv, dict(rng=0, alphas=[1.0, -1.0]), ValueError, ["'alphas'", ">= 0", "-1.0"]),
    (lasso_cv, dict(rng=0, alphas=[]), ValueError, ["'alphas'", "at least 1", "0 samples"]),
    (lasso_cv, dict(rng=0, alphas=[np.nan]), ValueError, ["'alphas'", "finite", "1 NaN"]),
    (lasso_cv, dict(rng=0, l1_ratio=0.0), ValueError, ["'alphas'", "l1_ratio=0", "None"]),
    (lasso_cv, dict(rng=0, l1_ratio=1.5), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "1.5"]),
    (lasso_cv, dict(rng=0, eps=0.0), ValueError, ["'eps'", "(0.0, 1.0)", "0.0"]),
    (lasso_cv, dict(rng=0, n_alphas=0), ValueError, ["'n_alphas'", "[1, inf)", "Got 0"]),
    (lasso_cv, dict(rng=0, y=np.ones(4)), ValueError, ["Inconsistent", "X has 10", "y has 4"]),
    (lasso_cv, dict(rng=0, X=np.full((10, 2), np.inf)), ValueError, ["'X'", "finite", "20 infinite"]),
]


@pytest.mark.parametrize("fn,kwargs,exc,fragments", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_bad_input(fn, kwargs, exc, fragments):
    kwargs = dict(kwargs)
    if fn in (cross_val_grid, nested_cv):
        args = (kwargs.pop("estimator", Ridge()), kwargs.pop("X", XB), kwargs.pop("y", YB))
    elif fn is lasso_cv:
        args = (kwargs.pop("X", XB), kwargs.pop("y", YB))
    else:
        args = ()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))


def test_numpy_modules_do_not_import_torch_or_dask():
    import subprocess
    import sys
    code = ("import sys, regbook.np.model_selection; "
            "print(any(m in sys.modules for m in ('torch', 'dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
