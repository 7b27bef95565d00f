r"""Matrix factorization with L2 penalties, fitted by alternating least squares.

The model predicts the rating of user :math:`i` for item :math:`j` as

.. math::

    \hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j ,

with :math:`\mu` the mean of the training ratings (fixed, not fitted), user and
item biases :math:`b_i, c_j` and factors :math:`u_i, v_j \in \mathbb R^k`. The
objective is a sum (not a mean) over the observed set :math:`\Omega`:

.. math::

    J = \sum_{(i,j)\in\Omega} (r_{ij} - \hat r_{ij})^2
        + \sum_i \alpha_i \bigl(\lVert u_i\rVert^2 + b_i^2\bigr)
        + \sum_j \beta_j \bigl(\lVert v_j\rVert^2 + c_j^2\bigr),

with :math:`\alpha_i = \beta_j = \alpha` (``weighted_lambda=False``) or
:math:`\alpha_i = \alpha n_i`, :math:`\beta_j = \alpha m_j`, the numbers of
training ratings of user :math:`i` and item :math:`j` (``weighted_lambda=True``,
the "weighted-:math:`\lambda`" regularization of ALS-WR, Zhou et al. 2008).
With the items fixed, the terms of user :math:`i` form a ridge problem in
:math:`(u_i, b_i)` with scikit-learn's objective
:math:`\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert^2`, solved by
:func:`regbook.np.linear.ridge`; then the same for every item.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import (check_array, check_bool, check_consistent_length, check_int, check_rng,
                                 check_scalar, param_error)
from regbook.np.linear import ridge

__all__ = ["ALSResult", "MFParams", "Ratings", "RatingsProblem", "als", "make_ratings", "mf_objective",
           "predict", "predict_all", "rmse", "train_test_split_ratings"]


class Ratings(NamedTuple):
    """Observed ratings as (user, item, value) triples, each an array of shape (n_ratings,)."""

    users: np.ndarray
    items: np.ndarray
    values: np.ndarray


class RatingsProblem(NamedTuple):
    """A synthetic ratings problem; the matrices have shape (n_users, n_items)."""

    ratings: Ratings          # the observed triples
    full: np.ndarray          # the star rating every user would give every item
    expected: np.ndarray      # the noise-free rating before rounding
    observe_prob: np.ndarray  # probability that each rating is observed


class MFParams(NamedTuple):
    """Parameters of the model :math:`\\mu + b_i + c_j + u_i^\\top v_j`."""

    user_factors: np.ndarray  # (n_users, rank)
    item_factors: np.ndarray  # (n_items, rank)
    user_bias: np.ndarray     # (n_users,)
    item_bias: np.ndarray     # (n_items,)
    global_mean: float


class ALSResult(NamedTuple):
    """The fitted parameters (as in :class:`MFParams`) and the objective before and after each iteration."""

    user_factors: np.ndarray
    item_factors: np.ndarray
    user_bias: np.ndarray
    item_bias: np.ndarray
    global_mean: float
    objective: np.ndarray     # (n_iters + 1,)


def _check_ratings(ratings, n_users, n_items, caller):
    if not (isinstance(ratings, tuple) and len(ratings) == 3):
        raise TypeError(param_error("ratings", caller, "a Ratings(users, items, values) tuple", ratings))
    users = check_array(ratings[0], "ratings.users", caller, ndim=1, dtype=None, min_samples=0)
    items = check_array(ratings[1], "ratings.items", caller, ndim=1, dtype=None, min_samples=0)
    values = check_array(ratings[2], "ratings.values", caller, ndim=1, min_samples=0)
    check_consistent_length(caller, users=users, items=items, values=values)
    for name, idx, n in (("ratings.users", users, n_users), ("ratings.items", items, n_items)):
        want = "non-negative integer indices" if n is None else f"integer indices in the range [0, {n - 1}]"
        if idx.dtype.kind not in "iu" and idx.size:
            raise TypeError(param_error(name, caller, want, f"dtype {idx.dtype}", raw=True))
        if idx.size and (idx.min() < 0 or (n is not None and idx.max() >= n)):
            raise ValueError(param_error(name, caller, want, f"values in [{idx.min()}, {idx.max()}]", raw=True))
    return Ratings(users.astype(np.int64), items.astype(np.int64), values)


def _check_model(model, caller):
    try:
        U, V = np.asarray(model.user_factors, float), np.asarray(model.item_factors, float)
        b, c, mu = np.asarray(model.user_bias, float), np.asarray(model.item_bias, float), float(model.global_mean)
    except AttributeError:
        raise TypeError(param_error("model", caller, "an MFParams or ALSResult", model)) from None
    if U.ndim != 2 or V.ndim != 2 or U.shape[1] != V.shape[1] or b.shape != U.shape[:1] or c.shape != V.shape[:1]:
        raise ValueError(param_error("model", caller, "factors of shapes (n_users, rank), (n_items, rank) and "
                                     "biases of shapes (n_users,), (n_items,)", f"{U.shape}, {V.shape}, "
                                     f"{b.shape}, {c.shape}", raw=True))
    return MFParams(U, V, b, c, mu)


def make_ratings(n_users, n_items, *, rank, rng, density=0.05, popularity=1.0, activity=1.0, mnar=1.0,
                 noise=0.5, min_ratings=2) -> RatingsProblem:
    r"""A synthetic ratings matrix: low rank plus biases, popular items, sparse users, MNAR.

    .. math::

        r_{ij} = \operatorname{clip}_{[1,5]}\operatorname{round}
                 \bigl(3.5 + b_i + c_j + u_i^\top v_j + \varepsilon_{ij}\bigr), \qquad
        P(\text{observed}_{ij}) \propto a_i\, q_j\, e^{\gamma (r_{ij} - 3)},

    with :math:`b_i \sim \mathcal N(0, 0.4^2)`, :math:`c_j \sim \mathcal N(0, 0.6^2)`,
    factors with i.i.d. normal entries scaled so that :math:`\operatorname{sd}(u_i^\top v_j) = 0.8`,
    noise :math:`\varepsilon_{ij} \sim \mathcal N(0, \sigma^2)`; user activity
    :math:`a_i = e^{s z_i}` (log-normal, heavy tailed), item popularity
    :math:`q_j = \pi_j^{-\rho}` with :math:`\pi` a random ranking of the items (Zipf),
    and :math:`\gamma` the strength of missing-not-at-random observation (people
    rate what they like). Probabilities are scaled (and capped at 1) so that a
    fraction ``density`` of the entries is observed; users left with fewer than
    ``min_ratings`` ratings get more, drawn with the same weights. Ratings are
    integer stars 1 to 5 (stored as floats).

    Parameters
    ----------
    n_users, n_items : int
        Shape of the matrix, at least 2 each.
    rank : int
        :math:`k \ge 1`, the rank of the interaction term.
    rng : numpy.random.Generator or int
    density : float, default=0.05
        Expected observed fraction in (0, 1].
    popularity : float, default=1.0
        Zipf exponent :math:`\rho \ge 0` (0: all items equally likely).
    activity : float, default=1.0
        Log-normal scale :math:`s \ge 0` of user activity (0: all users alike).
    mnar : float, default=1.0
        :math:`\gamma \ge 0`; 0 makes observation independent of the rating.
    noise : float, default=0.5
        :math:`\sigma \ge 0`.
    min_ratings : int, default=2
        Smallest number of ratings of a user, in [0, n_items].

    Returns
    -------
    RatingsProblem
        ``ratings`` (observed triples, sorted by user), ``full`` (every star rating),
        ``expected`` (the noise-free value), ``observe_prob``; matrices of shape (n_users, n_items).

    Examples
    --------
    >>> prob = make_ratings(50, 40, rank=2, rng=0, mnar=0.0)
    >>> bool(np.all(np.bincount(prob.ratings.users, minlength=50) >= 2))
    True
    >>> bool(set(np.unique(prob.full)) <= {1.0, 2.0, 3.0, 4.0, 5.0})
    True
    """
    c = "make_ratings"
    n_users, n_items = check_int(n_users, "n_users", c, min_val=2), check_int(n_items, "n_items", c, min_val=2)
    rank, rng = check_int(rank, "rank", c, min_val=1), check_rng(rng, "rng", c)
    density = check_scalar(density, "density", c, min_val=0.0, max_val=1.0, closed="right")
    popularity, activity = check_scalar(popularity, "popularity", c, min_val=0.0), check_scalar(
        activity, "activity", c, min_val=0.0)
    mnar, noise = check_scalar(mnar, "mnar", c, min_val=0.0), check_scalar(noise, "noise", c, min_val=0.0)
    min_ratings = check_int(min_ratings, "min_ratings", c, min_val=0, max_val=n_items)
    scale = (0.8**2 / rank) ** 0.25                                   # sd(u.v) = rank^(1/2) scale^2 = 0.8
    U, V = scale * rng.standard_normal((n_users, rank)), scale * rng.standard_normal((n_items, rank))
    expected = 3.5 + 0.4 * rng.standard_normal((n_users, 1)) + 0.6 * rng.standard_normal(n_items) + U @ V.T
    full = np.clip(np.round(expected + noise * rng.standard_normal(expected.shape)), 1.0, 5.0)
    weight = (np.exp(activity * rng.standard_normal((n_users, 1)))              # a_i, heavy tailed
              * (1.0 + rng.permutation(n_items)) ** (-popularity)               # q_j, Zipf
              * np.exp(mnar * (full - 3.0)))                                    # MNAR: good ratings seen more
    target, t = density * full.size, density * full.size / weight.sum()
    for _ in range(50):                       # scale so that sum(min(1, t w)) = target
        t *= target / np.minimum(1.0, t * weight).sum()
    prob = np.minimum(1.0, t * weight)
    mask = rng.random(full.shape) < prob
    for i in np.flatnonzero(mask.sum(axis=1) < min_ratings):
        free = np.flatnonzero(~mask[i])
        extra = rng.choice(free, min_ratings - mask[i].sum(), replace=False, p=weight[i, free] / weight[i, free].sum())
        mask[i, extra] = True
    users, items = np.nonzero(mask)
    return RatingsProblem(Ratings(users.astype(np.int64), items.astype(np.int64), full[users, items]),
                          full, expected, prob)


def train_test_split_ratings(ratings, *, test_size=0.2, rng) -> tuple[Ratings, Ratings]:
    r"""Hold out ratings per user, keeping at least one training rating for every user.

    .. math::

        n_i^{\text{test}} = \min\bigl(\operatorname{Binomial}(n_i, \tau),\ n_i - 1\bigr),

    drawn independently for each user with :math:`n_i` ratings, then that many of
    the user's ratings chosen at random. Users with a single rating stay in
    training only; every user in the test set has training ratings. Items of the
    test set may have none (the model then predicts them from the biases).

    Parameters
    ----------
    ratings : Ratings
        Triples with arrays of shape (n_ratings,).
    test_size : float, default=0.2
        :math:`\tau \in (0, 1)`.
    rng : numpy.random.Generator or int

    Returns
    -------
    train, test : Ratings

    Examples
    --------
    >>> r = Ratings(np.array([0, 0, 0, 1]), np.array([0, 1, 2, 0]), np.array([5.0, 3.0, 4.0, 2.0]))
    >>> train, test = train_test_split_ratings(r, test_size=0.5, rng=0)
    >>> len(train.users) + len(test.users), bool(np.isin(test.users, train.users).all())
    (4, True)
    """
    c = "train_test_split_ratings"
    ratings = _check_ratings(ratings, None, None, c)
    test_size = check_scalar(test_size, "test_size", c, min_val=0.0, max_val=1.0, closed="neither")
    rng = check_rng(rng, "rng", c)
    is_test = np.zeros(len(ratings.users), dtype=bool)
    for idx in _groups(ratings.users, int(ratings.users.max(initial=-1)) + 1):
        n_test = min(int(rng.binomial(len(idx), test_size)), max(len(idx) - 1, 0))
        is_test[rng.choice(idx, n_test, replace=False)] = True
    return Ratings(*(a[~is_test] for a in ratings)), Ratings(*(a[is_test] for a in ratings))


def _groups(index, n):
    """Positions of the entries equal to 0, 1, ..., n - 1 in ``index`` (a list of n arrays)."""
    order = np.argsort(index, kind="stable")
    return np.split(order, np.cumsum(np.bincount(index, minlength=n))[:-1])


def predict(model, users, items) -> np.ndarray:
    r"""Predicted ratings for (user, item) index pairs.

    .. math::

        \hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j

    Parameters
    ----------
    model : MFParams or ALSResult
    users, items : array_like of int, shape (n,)

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> m = MFParams(np.array([[1.0, 2.0]]), np.array([[0.5, 0.5]]), np.array([0.1]), np.array([-0.2]), 3.0)
    >>> [round(float(v), 6) for v in predict(m, [0], [0])]
    [4.4]
    """
    m = _check_model(model, "predict")
    r = _check_ratings(Ratings(users, items, np.zeros(np.shape(users))), len(m.user_bias), len(m.item_bias), "predict")
    u, i = r.users, r.items
    return m.global_mean + m.user_bias[u] + m.item_bias[i] + np.sum(m.user_factors[u] * m.item_factors[i], axis=1)


def predict_all(model) -> np.ndarray:
    r"""The full predicted matrix.

    .. math::

        \hat R = \mu + b\,\mathbf 1^\top + \mathbf 1\, c^\top + U V^\top

    Parameters
    ----------
    model : MFParams or ALSResult

    Returns
    -------
    ndarray of shape (n_users, n_items)

    Examples
    --------
    >>> m = MFParams(np.ones((2, 1)), np.ones((3, 1)), np.zeros(2), np.zeros(3), 3.0)
    >>> predict_all(m).shape, float(predict_all(m)[1, 2])
    ((2, 3), 4.0)
    """
    m = _check_model(model, "predict_all")
    return m.global_mean + m.user_bias[:, None] + m.item_bias[None, :] + m.user_factors @ m.item_factors.T


def rmse(model, ratings) -> float:
    r"""Root mean squared error on observed triples.

    .. math::

        \operatorname{RMSE} = \sqrt{\frac{1}{n}\sum_{(i,j)} (r_{ij} - \hat r_{ij})^2}

    Parameters
    ----------
    model : MFParams or ALSResult
    ratings : Ratings
        Triples with arrays of shape (n,), n >= 1.

    Returns
    -------
    float

    Examples
    --------
    >>> m = MFParams(np.zeros((1, 1)), np.zeros((2, 1)), np.zeros(1), np.zeros(2), 3.0)
    >>> rmse(m, Ratings(np.array([0, 0]), np.array([0, 1]), np.array([4.0, 2.0])))
    1.0
    """
    m = _check_model(model, "rmse")
    r = _check_ratings(ratings, len(m.user_bias), len(m.item_bias), "rmse")
    return float(np.sqrt(np.mean((r.values - predict(m, r.users, r.items)) ** 2)))


def _penalty_weights(r, n_users, n_items, alpha, weighted_lambda):
    if not weighted_lambda:
        return np.full(n_users, alpha), np.full(n_items, alpha)
    return alpha * np.bincount(r.users, minlength=n_users), alpha * np.bincount(r.items, minlength=n_items)


def mf_objective(model, ratings, *, alpha, weighted_lambda=False) -> float:
    r"""The penalized sum of squares :math:`J` of the module docstring.

    .. math::

        J = \sum_{\Omega} (r_{ij} - \hat r_{ij})^2 + \sum_i \alpha_i(\lVert u_i\rVert^2 + b_i^2)
            + \sum_j \beta_j(\lVert v_j\rVert^2 + c_j^2)

    Parameters
    ----------
    model : MFParams or ALSResult
    ratings : Ratings
        Training triples; they also give the counts :math:`n_i, m_j`.
    alpha : float
        :math:`\alpha \ge 0`.
    weighted_lambda : bool, default=False
        :math:`\alpha_i = \alpha n_i`, :math:`\beta_j = \alpha m_j` if true, else :math:`\alpha`.

    Returns
    -------
    float

    Examples
    --------
    >>> m = MFParams(np.ones((1, 1)), np.ones((1, 1)), np.zeros(1), np.zeros(1), 3.0)
    >>> mf_objective(m, Ratings(np.array([0]), np.array([0]), np.array([5.0])), alpha=0.5)
    2.0
    """
    c = "mf_objective"
    m = _check_model(model, c)
    r = _check_ratings(ratings, len(m.user_bias), len(m.item_bias), c)
    alpha = check_scalar(alpha, "alpha", c, min_val=0.0)
    weighted_lambda = check_bool(weighted_lambda, "weighted_lambda", c)
    a_u, a_i = _penalty_weights(r, len(m.user_bias), len(m.item_bias), alpha, weighted_lambda)
    sse = np.sum((r.values - predict(m, r.users, r.items)) ** 2)
    pen_u = a_u @ (np.sum(m.user_factors**2, axis=1) + m.user_bias**2)
    pen_i = a_i @ (np.sum(m.item_factors**2, axis=1) + m.item_bias**2)
    return float(sse + pen_u + pen_i)


def _update_rows(groups, other_factors, other_bias, residual, row_alpha, biases):
    """Solve one ridge problem per row: min ||y - [V_row, 1] w||^2 + alpha_row ||w||^2."""
    rank = other_factors.shape[1]
    new = np.zeros((len(groups), rank + 1))                    # (n_rows, rank + 1): factors, then bias
    for row, (pos, other) in enumerate(groups):                 # this row's ratings and their columns
        if len(pos) == 0:
            continue                                            # no data: the penalty alone puts it at 0
        cols = other_factors[other]                             # (n_row, rank)
        y = residual[pos] - (other_bias[other] if biases else 0.0)
        X = np.hstack([cols, np.ones((len(y), 1))]) if biases else cols
        new[row, : X.shape[1]] = ridge(X, y, alpha=row_alpha[row], fit_intercept=False).coef
    return new[:, :rank], new[:, rank]


def als(ratings, n_users, n_items, *, rank, alpha, n_iters=20, rng, biases=True, weighted_lambda=False,
        init_scale=0.1) -> ALSResult:
    r"""Alternating least squares: every user, then every item, is a ridge problem.

    .. math::

        (u_i, b_i) \leftarrow \arg\min_{u, b} \sum_{j \in \Omega_i}
            \bigl(r_{ij} - \mu - c_j - b - v_j^\top u\bigr)^2 + \alpha_i(\lVert u\rVert^2 + b^2),

    i.e. ``ridge(X=[V[Ω_i], 1], y=r - μ - c, alpha=α_i, fit_intercept=False)``,
    then the same for each item with the users fixed. Each step minimizes
    :math:`J` (see :func:`mf_objective`) exactly over a block of parameters, so
    :math:`J` never increases. Rows without ratings are set to zero.

    Parameters
    ----------
    ratings : Ratings
        Training triples, arrays of shape (n_ratings,).
    n_users, n_items : int
    rank : int
        :math:`k \ge 0`; 0 gives the biases-only model (needs ``biases=True``).
    alpha : float
        :math:`\alpha \ge 0`; 0 is least squares (minimum-norm solution per row).
    n_iters : int, default=20
        Sweeps (users then items), at least 1.
    rng : numpy.random.Generator or int
        Draws the initial factors, :math:`\mathcal N(0, \text{init\_scale}^2)`.
    biases : bool, default=True
        Fit penalized biases :math:`b_i, c_j`; if false they stay 0.
    weighted_lambda : bool, default=False
        Penalty :math:`\alpha n_i` for a user with :math:`n_i` ratings (ALS-WR) instead of :math:`\alpha`.
    init_scale : float, default=0.1

    Returns
    -------
    ALSResult
        Parameters and ``objective``, :math:`J` at the start and after each sweep, shape (n_iters + 1,).

    Examples
    --------
    >>> prob = make_ratings(30, 20, rank=2, rng=0, density=0.3)
    >>> res = als(prob.ratings, 30, 20, rank=2, alpha=1.0, n_iters=5, rng=0)
    >>> bool(np.all(np.diff(res.objective) <= 1e-9 * res.objective[0]))
    True
    """
    c = "als"
    n_users, n_items = check_int(n_users, "n_users", c, min_val=1), check_int(n_items, "n_items", c, min_val=1)
    r = _check_ratings(ratings, n_users, n_items, c)
    rank, alpha = check_int(rank, "rank", c, min_val=0), check_scalar(alpha, "alpha", c, min_val=0.0)
    n_iters, rng = check_int(n_iters, "n_iters", c, min_val=1), check_rng(rng, "rng", c)
    biases, weighted_lambda = check_bool(biases, "biases", c), check_bool(weighted_lambda, "weighted_lambda", c)
    init_scale = check_scalar(init_scale, "init_scale", c, min_val=0.0)
    if rank == 0 and not biases:
        raise ValueError(param_error("rank", c, "at least 1 when biases=False", rank))
    if len(r.values) == 0:
        raise ValueError(param_error("ratings", c, "non-empty", "no ratings", raw=True))
    mu = float(np.mean(r.values))
    U, V = init_scale * rng.standard_normal((n_users, rank)), init_scale * rng.standard_normal((n_items, rank))
    b, cb = np.zeros(n_users), np.zeros(n_items)
    a_u, a_i = _penalty_weights(r, n_users, n_items, alpha, weighted_lambda)
    by_user = [(p, r.items[p]) for p in _groups(r.users, n_users)]     # (positions of the ratings, items)
    by_item = [(p, r.users[p]) for p in _groups(r.items, n_items)]
    residual = r.values - mu
    history = [mf_objective(MFParams(U, V, b, cb, mu), r, alpha=alpha, weighted_lambda=weighted_lambda)]
    for _ in range(n_iters):
        U, b_new = _update_rows(by_user, V, cb, residual, a_u, biases)   # users, items fixed
        b = b_new if biases else b
        V, c_new = _update_rows(by_item, U, b, residual, a_i, biases)    # items, users fixed
        cb = c_new if biases else cb
        history.append(mf_objective(MFParams(U, V, b, cb, mu), r, alpha=alpha, weighted_lambda=weighted_lambda))
    return ALSResult(U, V, b, cb, mu, np.array(history))
