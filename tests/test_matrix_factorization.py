"""Tests for regbook.np.matrix_factorization and its torch twin regbook.pt.matrix_factorization.

Layers: hand-checkable toy cases; optimality (ALS row updates are the normal equations, the objective
never increases, autograd gradients against finite differences); parity (NumPy vs torch objectives,
ALS vs full-batch gradient descent, the biases-only model vs scikit-learn's Ridge).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.linear_model import Ridge as SkRidge

from regbook import checks
from regbook.np import matrix_factorization as npmf
from regbook.np.matrix_factorization import MFParams, Ratings
from regbook.pt import matrix_factorization as ptmf


@pytest.fixture(scope="module")
def small():
    """A small, fairly dense, well-posed problem (20 users, 15 items)."""
    return npmf.make_ratings(20, 15, rank=2, rng=0, density=0.6, mnar=0.0)


def _random_params(n_users, n_items, rank, seed):
    r = np.random.default_rng(seed)
    return MFParams(r.normal(size=(n_users, rank)), r.normal(size=(n_items, rank)), r.normal(size=n_users),
                    r.normal(size=n_items), 3.3)


def _tensors(ratings):
    return tuple(torch.as_tensor(a) for a in ratings)


# --------------------------------------------------------------------------- layer 1: toy cases
def test_predict_rmse_objective_by_hand():
    m = MFParams(np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[1.0, 1.0]]), np.array([0.5, -0.5]),
                 np.array([0.25]), 3.0)
    r = Ratings(np.array([0, 1]), np.array([0, 0]), np.array([7.0, 3.0]))
    pred = npmf.predict(m, r.users, r.items)               # 3 + 0.5 + 0.25 + 3 = 6.75;  3 - 0.5 + 0.25 + 1 = 3.75
    np.testing.assert_allclose(pred, [6.75, 3.75])
    assert npmf.rmse(m, r) == pytest.approx(np.sqrt((0.25**2 + 0.75**2) / 2))
    # J = 0.625 + alpha (|u_0|^2 + b_0^2 + |u_1|^2 + b_1^2) + alpha (|v_0|^2 + c_0^2)
    #   = 0.625 + 2 (5.25 + 1.25) + 2 * 2.0625
    assert npmf.mf_objective(m, r, alpha=2.0) == pytest.approx(0.625 + 13.0 + 4.125)
    # weighted: user counts (1, 1), item count 2
    assert npmf.mf_objective(m, r, alpha=2.0, weighted_lambda=True) == pytest.approx(0.625 + 13.0 + 8.25)
    np.testing.assert_allclose(npmf.predict_all(m)[:, 0], pred)


def test_make_ratings_shapes_and_structure():
    prob = npmf.make_ratings(300, 120, rank=3, rng=1, density=0.08, popularity=1.2, activity=1.0, mnar=0.0)
    r = prob.ratings
    assert prob.full.shape == prob.expected.shape == prob.observe_prob.shape == (300, 120)
    assert set(np.unique(prob.full)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    np.testing.assert_array_equal(r.values, prob.full[r.users, r.items])
    assert len(set(zip(r.users.tolist(), r.items.tolist()))) == len(r.users)       # no duplicates
    assert np.bincount(r.users, minlength=300).min() >= 2
    assert abs(len(r.values) / prob.full.size - 0.08) < 0.01
    item_counts = np.sort(np.bincount(r.items, minlength=120))[::-1]
    assert item_counts[0] > 8 * np.median(item_counts)                            # Zipf popularity
    user_counts = np.bincount(r.users, minlength=300)
    assert user_counts.max() > 5 * np.median(user_counts)                          # heavy-tailed activity


def test_make_ratings_mnar_biases_the_observed_mean():
    mar = npmf.make_ratings(200, 100, rank=2, rng=3, density=0.1, mnar=0.0)
    mnar = npmf.make_ratings(200, 100, rank=2, rng=3, density=0.1, mnar=1.0)
    assert abs(mar.ratings.values.mean() - mar.full.mean()) < 0.1
    assert mnar.ratings.values.mean() > mnar.full.mean() + 0.4
    np.testing.assert_array_equal(mar.full, mnar.full)                             # same ratings, different mask


def test_train_test_split_per_user(small):
    big = npmf.make_ratings(200, 80, rank=2, rng=2, density=0.05)
    train, test = npmf.train_test_split_ratings(big.ratings, test_size=0.25, rng=0)
    assert len(train.users) + len(test.users) == len(big.ratings.users)
    pairs = set(zip(train.users.tolist(), train.items.tolist()))
    assert pairs.isdisjoint(zip(test.users.tolist(), test.items.tolist()))
    assert np.isin(test.users, train.users).all()
    assert 0.15 < len(test.users) / len(big.ratings.users) < 0.3
    again = npmf.train_test_split_ratings(big.ratings, test_size=0.25, rng=0)[1]
    np.testing.assert_array_equal(again.items, test.items)


def test_als_limits():
    prob = npmf.make_ratings(30, 20, rank=2, rng=4, density=0.3)
    r = prob.ratings
    res = npmf.als(r, 31, 21, rank=2, alpha=1e8, n_iters=2, rng=0)                 # user 30 and item 20 unseen
    np.testing.assert_allclose(npmf.predict_all(res), r.values.mean(), atol=1e-6)  # huge penalty: mu everywhere
    res = npmf.als(r, 31, 21, rank=2, alpha=1.0, n_iters=2, rng=0)
    assert np.all(res.user_factors[30] == 0) and res.item_bias[20] == 0.0
    no_bias = npmf.als(r, 30, 20, rank=2, alpha=1.0, n_iters=2, rng=0, biases=False)
    assert np.all(no_bias.user_bias == 0) and np.all(no_bias.item_bias == 0)


# --------------------------------------------------------------------------- layer 2: optimality
@pytest.mark.parametrize("biases", [True, False])
@pytest.mark.parametrize("weighted_lambda, alpha", [(False, 0.0), (False, 3.0), (True, 0.3)])
def test_als_objective_never_increases(biases, weighted_lambda, alpha):
    prob = npmf.make_ratings(60, 40, rank=3, rng=5, density=0.1)
    res = npmf.als(prob.ratings, 60, 40, rank=4, alpha=alpha, n_iters=8, rng=1, biases=biases,
                   weighted_lambda=weighted_lambda)
    assert np.all(np.diff(res.objective) <= 1e-10 * res.objective[0])
    assert res.objective[-1] < 0.9 * res.objective[0]
    assert res.objective[-1] == pytest.approx(npmf.mf_objective(res, prob.ratings, alpha=alpha,
                                                                weighted_lambda=weighted_lambda))


@pytest.mark.parametrize("weighted_lambda", [False, True])
def test_als_row_updates_are_the_normal_equations(small, weighted_lambda):
    r, alpha, k = small.ratings, 0.7, 2
    res = npmf.als(r, 20, 15, rank=k, alpha=alpha, n_iters=1, rng=7, weighted_lambda=weighted_lambda)
    init = np.random.default_rng(7)                                # als draws U0 then V0 with init_scale 0.1
    init.standard_normal((20, k))
    V0, mu = 0.1 * init.standard_normal((15, k)), r.values.mean()
    for i in range(20):
        js, y = r.items[r.users == i], r.values[r.users == i] - mu   # item biases start at 0
        X = np.hstack([V0[js], np.ones((len(js), 1))])
        a = alpha * len(js) if weighted_lambda else alpha
        w = np.linalg.solve(X.T @ X + a * np.eye(k + 1), X.T @ y)   # (X^T X + a I) w = X^T y
        checks.assert_close(np.append(res.user_factors[i], res.user_bias[i]), w, rtol=1e-10)
    j = 3                                                           # an item update uses the new users
    us = r.users[r.items == j]
    X = np.hstack([res.user_factors[us], np.ones((len(us), 1))])
    y = r.values[r.items == j] - mu - res.user_bias[us]
    a = alpha * len(us) if weighted_lambda else alpha
    w = np.linalg.solve(X.T @ X + a * np.eye(k + 1), X.T @ y)
    checks.assert_close(np.append(res.item_factors[j], res.item_bias[j]), w, rtol=1e-10)


def _flat_objective(shapes, ratings, alpha, weighted_lambda, mu):
    sizes = [int(np.prod(s)) for s in shapes]

    def f(theta):
        parts = np.split(theta, np.cumsum(sizes)[:-1])
        return npmf.mf_objective(MFParams(*(p.reshape(s) for p, s in zip(parts, shapes)), mu), ratings,
                                 alpha=alpha, weighted_lambda=weighted_lambda)
    return f


@pytest.mark.parametrize("weighted_lambda", [False, True])
def test_torch_gradient_matches_finite_differences(weighted_lambda):
    prob = npmf.make_ratings(6, 5, rank=2, rng=8, density=0.5)
    p = _random_params(6, 5, 2, seed=9)
    model = ptmf.MatrixFactorization.from_params(p)
    J = ptmf.mf_objective(model, *_tensors(prob.ratings), alpha=0.8, weighted_lambda=weighted_lambda)
    J.backward()
    grad = np.concatenate([getattr(model, n).grad.numpy().ravel()
                           for n in ("user_factors", "item_factors", "user_bias", "item_bias")])
    theta = np.concatenate([np.ravel(a) for a in p[:4]])
    f = _flat_objective([a.shape for a in p[:4]], prob.ratings, 0.8, weighted_lambda, p.global_mean)
    checks.assert_gradient(f, theta, grad, rtol=1e-7)


def test_als_optimum_is_stationary(small):
    res = npmf.als(small.ratings, 20, 15, rank=2, alpha=2.0, n_iters=100, rng=0)
    model = ptmf.MatrixFactorization.from_params(res)
    J = ptmf.mf_objective(model, *_tensors(small.ratings), alpha=2.0)
    J.backward()
    grad_norm = max(float(p.grad.abs().max()) for p in model.parameters())
    assert grad_norm < 1e-6 * float(J.detach())


@pytest.mark.parametrize("weighted_lambda", [False, True])
def test_batch_losses_average_to_the_objective(small, weighted_lambda):
    u, i, v = _tensors(small.ratings)
    model = ptmf.MatrixFactorization.from_params(_random_params(20, 15, 2, seed=1))
    n, alpha = len(v), 0.6
    J = float(ptmf.mf_objective(model, u, i, v, alpha=alpha, weighted_lambda=weighted_lambda).detach())
    full = float(ptmf._batch_loss(model, u, i, v, n, alpha, weighted_lambda).detach())
    assert full == pytest.approx(J / n, rel=1e-12)
    batches = torch.arange(n - n % 4).reshape(4, -1)               # 4 equal batches (a few ratings left out)
    keep = batches.reshape(-1)
    J_keep = float(ptmf.mf_objective(model, u[keep], i[keep], v[keep], alpha=alpha,
                                     weighted_lambda=weighted_lambda).detach())
    mean_batch = np.mean([float(ptmf._batch_loss(model, u[b], i[b], v[b], len(keep), alpha,
                                                 weighted_lambda).detach()) for b in batches])
    assert mean_batch == pytest.approx(J_keep / len(keep), rel=1e-12)


# --------------------------------------------------------------------------- layer 3: parity
@pytest.mark.parametrize("weighted_lambda", [False, True])
@pytest.mark.parametrize("rank", [0, 3])
def test_torch_objective_equals_numpy(small, weighted_lambda, rank):
    p = _random_params(20, 15, rank, seed=2)
    model = ptmf.MatrixFactorization.from_params(p)
    u, i, v = _tensors(small.ratings)
    J_pt = float(ptmf.mf_objective(model, u, i, v, alpha=1.3, weighted_lambda=weighted_lambda).detach())
    J_np = npmf.mf_objective(p, small.ratings, alpha=1.3, weighted_lambda=weighted_lambda)
    assert checks.rel_error(J_pt, J_np) < 1e-12
    assert checks.rel_error(model(u, i).detach().numpy(), npmf.predict(p, *small.ratings[:2])) < 1e-12
    assert checks.rel_error(ptmf.rmse(model, u, i, v), npmf.rmse(p, small.ratings)) < 1e-12


@pytest.mark.parametrize("weighted_lambda, alpha", [(False, 2.0), (True, 0.2)])
def test_als_and_gradient_descent_reach_the_same_optimum(small, weighted_lambda, alpha):
    res = npmf.als(small.ratings, 20, 15, rank=2, alpha=alpha, n_iters=100, rng=0, weighted_lambda=weighted_lambda)
    model = ptmf.MatrixFactorization(20, 15, 2, global_mean=res.global_mean,
                                     generator=torch.Generator().manual_seed(1))
    hist = ptmf.sgd_mf(model, *_tensors(small.ratings), alpha=alpha, weighted_lambda=weighted_lambda,
                       optimizer="sgd", lr=2.0, n_epochs=800)
    # a different start and a different algorithm, same objective value (to 1e-9) and the same predictions
    assert checks.rel_error(hist.objective[-1], res.objective[-1]) < 1e-9
    pred = ptmf.predict(model, torch.arange(20).repeat_interleave(15), torch.arange(15).repeat(20))
    checks.assert_close(pred.detach().numpy().reshape(20, 15), npmf.predict_all(res), rtol=1e-4)


def test_biases_only_als_equals_sklearn_ridge(small):
    r, alpha = small.ratings, 1.5
    res = npmf.als(r, 20, 15, rank=0, alpha=alpha, n_iters=120, rng=0)
    design = np.hstack([np.eye(20)[r.users], np.eye(15)[r.items]])   # one-hot users | one-hot items
    sk = SkRidge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(design, r.values - r.values.mean())
    checks.assert_close(np.concatenate([res.user_bias, res.item_bias]), sk.coef_, rtol=1e-8)


def test_sgd_mf_minibatch_adam_learns(small):
    train, val = npmf.train_test_split_ratings(small.ratings, test_size=0.2, rng=0)
    model = ptmf.MatrixFactorization(20, 15, 2, global_mean=float(train.values.mean()),
                                     generator=torch.Generator().manual_seed(0))
    hist = ptmf.sgd_mf(model, *_tensors(train), alpha=1.0, optimizer="adam", lr=0.05, n_epochs=60, batch_size=32,
                       generator=torch.Generator().manual_seed(0), val=_tensors(val))
    assert len(hist.objective) == len(hist.val_rmse) == 61
    assert hist.objective[-1] < 0.5 * hist.objective[0] and hist.val_rmse[-1] < hist.val_rmse[0]


# --------------------------------------------------------------------------- bad input
R_OK = Ratings(np.array([0, 1]), np.array([0, 1]), np.array([4.0, 3.0]))
P_OK = _random_params(2, 2, 1, seed=0)
T_OK = (torch.tensor([0, 1]), torch.tensor([0, 1]), torch.tensor([4.0, 3.0], dtype=torch.float64))

BAD = [
    (lambda: npmf.make_ratings(1, 5, rank=1, rng=0), ValueError, ["'n_users'", "make_ratings", "[2, inf)", "Got 1"]),
    (lambda: npmf.make_ratings(5, 5, rank=0, rng=0), ValueError, ["'rank'", "[1, inf)", "Got 0"]),
    (lambda: npmf.make_ratings(5, 5, rank=1, rng=0, density=0.0), ValueError, ["'density'", "(0.0, 1.0]", "0.0"]),
    (lambda: npmf.make_ratings(5, 5, rank=1, rng=0, mnar=-1.0), ValueError, ["'mnar'", "[0.0, inf)", "-1.0"]),
    (lambda: npmf.make_ratings(5, 5, rank=1, rng=0, noise=float("nan")), ValueError, ["'noise'", "nan"]),
    (lambda: npmf.make_ratings(5, 5, rank=1, rng=None), TypeError, ["'rng'", "Generator", "None"]),
    (lambda: npmf.train_test_split_ratings(R_OK, test_size=1.0, rng=0), ValueError,
     ["'test_size'", "(0.0, 1.0)", "1.0"]),
    (lambda: npmf.train_test_split_ratings([1, 2], rng=0), TypeError, ["'ratings'", "Ratings", "[1, 2]"]),
    (lambda: npmf.als(R_OK, 2, 2, rank=1, alpha=-1.0, rng=0), ValueError, ["'alpha'", "als", "[0.0, inf)", "-1.0"]),
    (lambda: npmf.als(R_OK, 2, 2, rank=1, alpha=1.0, n_iters=0, rng=0), ValueError, ["'n_iters'", "[1, inf)", "0"]),
    (lambda: npmf.als(R_OK, 2, 2, rank=0, alpha=1.0, rng=0, biases=False), ValueError,
     ["'rank'", "at least 1 when biases=False", "0"]),
    (lambda: npmf.als(R_OK, 2, 2, rank=1, alpha=1.0, rng=0, biases=1), TypeError, ["'biases'", "a bool", "1"]),
    (lambda: npmf.als(R_OK, 1, 2, rank=1, alpha=1.0, rng=0), ValueError,
     ["'ratings.users'", "[0, 0]", "values in [0, 1]"]),
    (lambda: npmf.als(Ratings(R_OK.users, R_OK.items, np.array([4.0, np.inf])), 2, 2, rank=1, alpha=1.0, rng=0),
     ValueError, ["'ratings.values'", "finite", "1 infinite"]),
    (lambda: npmf.als(Ratings(np.array([0.0, 1.0]), R_OK.items, R_OK.values), 2, 2, rank=1, alpha=1.0, rng=0),
     TypeError, ["'ratings.users'", "integer indices", "float64"]),
    (lambda: npmf.mf_objective(P_OK, R_OK, alpha=1.0, weighted_lambda="yes"), TypeError,
     ["'weighted_lambda'", "a bool", "'yes'"]),
    (lambda: npmf.predict("model", [0], [0]), TypeError, ["'model'", "MFParams", "'model'"]),
    (lambda: ptmf.MatrixFactorization(0, 2, 1), ValueError, ["'n_users'", "[1, inf)", "Got 0"]),
    (lambda: ptmf.mf_objective(ptmf.MatrixFactorization(2, 2, 1), *T_OK, alpha=-0.5), ValueError,
     ["'alpha'", "mf_objective", "-0.5"]),
    (lambda: ptmf.predict(ptmf.MatrixFactorization(2, 2, 1), torch.tensor([0, 2]), torch.tensor([0, 1])),
     ValueError, ["'users'", "[0, 1]", "values in [0, 2]"]),
    (lambda: ptmf.predict(ptmf.MatrixFactorization(2, 2, 1), torch.tensor([0.0]), torch.tensor([0])),
     TypeError, ["'users'", "int64"]),
    (lambda: ptmf.sgd_mf(ptmf.MatrixFactorization(2, 2, 1), *T_OK, alpha=1.0, optimizer="lbfgs"), ValueError,
     ["'optimizer'", "'adam', 'sgd'", "'lbfgs'"]),
    (lambda: ptmf.sgd_mf(ptmf.MatrixFactorization(2, 2, 1), *T_OK, alpha=1.0, lr=0.0), ValueError,
     ["'lr'", "(0.0, inf)", "0.0"]),
    (lambda: ptmf.sgd_mf(ptmf.MatrixFactorization(2, 2, 1), T_OK[0], T_OK[1],
                         torch.tensor([4.0, float("nan")], dtype=torch.float64), alpha=1.0), ValueError,
     ["'values'", "finite", "1 NaN"]),
    (lambda: ptmf.sgd_mf(torch.nn.Linear(1, 1), *T_OK, alpha=1.0), TypeError, ["'model'", "MatrixFactorization"]),
]


@pytest.mark.parametrize("call, exc, fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)
