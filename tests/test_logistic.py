"""regbook.np.logistic: toy cases, gradient and KKT checks, parity with scikit-learn, bad input."""

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq
from sklearn.linear_model import LogisticRegression

from regbook import ConvergenceWarning
from regbook.checks import assert_gradient, numerical_gradient
from regbook.np.logistic import _log_loss, _probabilities, logistic_regression, predict_proba


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def make_problem(n_classes, seed=0, n=60, p=5):
    """Standardized features; labels drawn from a softmax model (Gumbel-max trick)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((n_classes, p))
    y = np.argmax(X @ W.T + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


# --------------------------------------------------------------------------- toy cases by hand
@pytest.mark.parametrize("C", [0.5, 1.0, 4.0])
def test_two_points_without_intercept(C):
    # x = +1 (label 1), x = -1 (label 0): F(w) = 2C log(1 + e^{-w}) + w^2/2, so w = 2C sigma(-w)
    res = logistic_regression([[1.0], [-1.0]], [1, 0], C=C, fit_intercept=False, tol=1e-12)
    w_star = brentq(lambda w: w - 2 * C / (1 + np.exp(w)), 0.0, 2 * C)
    assert res.coef.shape == (1, 1) and res.intercept.tolist() == [0.0]
    assert res.coef[0, 0] == pytest.approx(w_star, rel=1e-9)


def test_uninformative_feature_gives_the_log_odds_intercept():
    # x = 0 everywhere: w = 0 and sigma(b) = mean(y), so b = log(3) for y = (1, 1, 1, 0)
    res = logistic_regression(np.zeros((4, 1)), [1, 1, 1, 0], tol=1e-12)
    assert res.coef[0, 0] == 0.0
    assert res.intercept[0] == pytest.approx(np.log(3.0), rel=1e-9)


def test_uninformative_feature_multinomial():
    # softmax(b) = class frequencies (1/6, 2/6, 3/6); intercepts returned with zero sum
    y = np.array([0, 1, 1, 2, 2, 2])
    res = logistic_regression(np.zeros((6, 2)), y, tol=1e-12)
    log_freq = np.log(np.array([1.0, 2.0, 3.0]) / 6)
    np.testing.assert_allclose(res.intercept, log_freq - log_freq.mean(), atol=1e-9)
    assert res.coef.shape == (3, 2) and np.all(res.coef == 0)


def test_strong_l1_penalty_leaves_the_log_frequency_intercepts():
    # C below the threshold where every coefficient is zero: the model is intercept-only and
    # its intercepts are the centred log class frequencies (scikit-learn's saga can stop short here)
    X, y = make_problem(3, seed=4, n=90)
    res = logistic_regression(X, y, C=0.01, l1_ratio=1.0, tol=1e-12)
    log_freq = np.log(np.bincount(y) / len(y))
    assert np.all(res.coef == 0)
    np.testing.assert_allclose(res.intercept, log_freq - log_freq.mean(), atol=1e-9)


def test_predict_proba_by_hand():
    P = predict_proba([[0.0], [np.log(3.0)]], [[1.0]], [0.0])
    np.testing.assert_allclose(P, [[0.5, 0.5], [0.25, 0.75]])
    Q = predict_proba([[1.0]], [[np.log(2.0)], [0.0], [0.0]], [0.0, 0.0, np.log(2.0)])
    np.testing.assert_allclose(Q, [[0.4, 0.2, 0.4]])


def test_string_labels_and_class_order():
    X, y = make_problem(3)
    labels = np.array(["cat", "ant", "bee"])[y]
    a = logistic_regression(X, labels, tol=1e-10)
    b = logistic_regression(X, y, tol=1e-10)
    assert a.classes.tolist() == ["ant", "bee", "cat"]
    order = [1, 2, 0]  # rows of b for "ant", "bee", "cat"
    np.testing.assert_allclose(a.coef, b.coef[order], atol=1e-12)


# --------------------------------------------------------------------------- gradients and optimality
@pytest.mark.parametrize("n_classes", [2, 4])
def test_gradient_of_the_smooth_part(n_classes):
    X, y = make_problem(n_classes, seed=1, n=20, p=3)
    X1 = np.hstack([X, np.ones((20, 1))])
    Y = (y == 1)[:, None] * 1.0 if n_classes == 2 else np.eye(n_classes)[y]
    C = 0.7
    theta = np.random.default_rng(2).standard_normal((Y.shape[1], 4))
    grad = C * (_probabilities(X1 @ theta.T) - Y).T @ X1

    def f(t):
        return C * _log_loss(X1 @ t.T, Y)

    # h = 1e-5 balances truncation and rounding errors for a loss of size ~10
    assert assert_gradient(f, theta, grad, rtol=1e-7, h=1e-5) < 1e-7


def test_loss_is_stable_for_huge_logits():
    Z = np.array([[800.0], [-800.0]])
    Y = np.array([[0.0], [1.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        assert _log_loss(Z, Y) == pytest.approx(1600.0)
        assert _log_loss(np.hstack([Z, -Z]), np.array([[0.0, 1.0], [1.0, 0.0]])) == pytest.approx(3200.0)
        P = _probabilities(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(P, [[1.0, 0.0, 0.0]])


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_kkt_conditions_with_a_numerical_gradient(n_classes, l1_ratio):
    X, y = make_problem(n_classes, seed=3)
    C = 0.1
    res = logistic_regression(X, y, C=C, l1_ratio=l1_ratio, tol=1e-12, max_iter=10000)
    Y = (y == 1)[:, None] * 1.0 if n_classes == 2 else np.eye(n_classes)[y]
    X1 = np.hstack([X, np.ones((len(y), 1))])

    def smooth(theta):  # C * log-loss + the L2 part of the penalty (not on the intercept)
        return C * _log_loss(X1 @ theta.T, Y) + 0.5 * (1 - l1_ratio) * np.sum(theta[:, :-1] ** 2)

    theta = np.hstack([res.coef, res.intercept[:, None]])
    grad = numerical_gradient(smooth, theta)
    active = res.coef != 0
    assert active.any() and not active.all()
    np.testing.assert_allclose(grad[:, :-1][active], -l1_ratio * np.sign(res.coef[active]), atol=1e-6)
    assert np.all(np.abs(grad[:, :-1][~active]) <= l1_ratio + 1e-6)
    np.testing.assert_allclose(grad[:, -1], 0.0, atol=1e-6)  # the intercept is not penalized


# --------------------------------------------------------------------------- parity with scikit-learn
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_parity_with_sklearn(n_classes, l1_ratio, C):
    X, y = make_problem(n_classes, seed=0)
    solver = "lbfgs" if l1_ratio == 0.0 else "saga"
    sk = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs may report it stopped on a tiny function change
        sk.fit(X, y)
    res = logistic_regression(X, y, C=C, l1_ratio=l1_ratio, tol=1e-10, max_iter=20000)
    assert res.converged
    assert res.coef.shape == sk.coef_.shape and res.intercept.shape == sk.intercept_.shape
    assert rel(res.coef, sk.coef_) < 1e-5
    np.testing.assert_allclose(res.intercept, sk.intercept_, atol=1e-5)
    if l1_ratio > 0:
        np.testing.assert_array_equal(res.coef == 0, sk.coef_ == 0)  # same sparsity pattern
    np.testing.assert_allclose(predict_proba(X, res.coef, res.intercept), sk.predict_proba(X), atol=1e-6)


def test_intercept_is_not_penalized():
    # shifting the features changes only the intercept: b' = b - shift^T w
    X, y = make_problem(2, seed=5)
    a = logistic_regression(X, y, tol=1e-12)
    b = logistic_regression(X + 100.0, y, tol=1e-12)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-7)
    assert b.intercept[0] == pytest.approx(a.intercept[0] - 100.0 * a.coef.sum(), rel=1e-7)


def test_convergence_warning_names_max_iter_and_tol():
    X, y = make_problem(3)
    with pytest.warns(ConvergenceWarning, match=r"logistic_regression did not converge within max_iter=2 .*tol=1e-08"):
        res = logistic_regression(X, y, max_iter=2, tol=1e-8)
    assert not res.converged and res.n_iter == 2 and res.objective.shape == (3,)


# --------------------------------------------------------------------------- bad input
X_OK, Y_OK = np.ones((4, 2)), np.array([0, 1, 0, 1])
BAD = [
    (dict(C=0.0), ValueError, ["'C'", "(0.0, inf)", "Got 0.0"]),
    (dict(C=-1.0), ValueError, ["'C'", "(0.0, inf)", "Got -1.0"]),
    (dict(C=np.inf), ValueError, ["'C'", "(0.0, inf)", "Got inf"]),
    (dict(C="big"), TypeError, ["'C'", "'big'"]),
    (dict(l1_ratio=1.5), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "Got 1.5"]),
    (dict(l1_ratio=-0.5), ValueError, ["'l1_ratio'", "[0.0, 1.0]", "Got -0.5"]),
    (dict(max_iter=0), ValueError, ["'max_iter'", "[1, inf)", "Got 0"]),
    (dict(tol=-1.0), ValueError, ["'tol'", "[0.0, inf)", "Got -1.0"]),
    (dict(fit_intercept=1), TypeError, ["'fit_intercept'", "a bool", "Got 1"]),
    (dict(X=np.full((4, 2), np.inf)), ValueError, ["'X'", "finite", "8 infinite"]),
    (dict(y=[0.0, np.nan, 1.0, 1.0]), ValueError, ["'y'", "finite", "1 NaN"]),
    (dict(y=[1, 1, 1, 1]), ValueError, ["'y'", "at least 2 classes", "Got 1 class (1)"]),
    (dict(y=[0, 1, 0]), ValueError, ["Inconsistent", "X has 4", "y has 3"]),
    (dict(X=np.ones(4)), ValueError, ["'X'", "2D", "got 1D"]),
    (dict(y=np.zeros((4, 2))), ValueError, ["'y'", "1D", "got 2D"]),
]


@pytest.mark.parametrize("kwargs,exc,fragments", BAD)
def test_bad_input(kwargs, exc, fragments):
    kwargs = dict(kwargs)
    X, y = kwargs.pop("X", X_OK), kwargs.pop("y", Y_OK)
    with pytest.raises(exc) as info:
        logistic_regression(X, y, **kwargs)
    for frag in fragments:
        assert frag in str(info.value)
    assert "logistic_regression" in str(info.value)


def test_predict_proba_bad_shapes():
    with pytest.raises(ValueError, match=r"Shapes do not match in predict_proba: X \(1, 2\), coef \(1, 3\)"):
        predict_proba([[1.0, 2.0]], [[1.0, 2.0, 3.0]], [0.0])
