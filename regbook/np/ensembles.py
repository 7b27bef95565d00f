r"""Bagging: average models fitted on bootstrap resamples of the training set.

Each of :math:`B` estimators :math:`\hat f_b` is fitted on a bootstrap sample
(:math:`n` indices drawn uniformly with replacement), and the ensemble averages
them:

.. math::

    \hat p(x) = \frac1B \sum_{b=1}^B \hat p_b(x), \qquad
    \operatorname{Var}\big[\bar f\big] = \rho\,\sigma^2 + \frac{1-\rho}{B}\,\sigma^2,

for estimators with variance :math:`\sigma^2` and pairwise correlation
:math:`\rho` (Breiman 1996): averaging removes the part of the variance that
is not shared. A bootstrap sample contains on average a fraction
:math:`1 - (1 - 1/n)^n \to 1 - 1/e \approx 0.632` of the distinct examples; the
others are "out of bag" and give a free validation estimate.

Estimators are any objects with ``fit(X, y)`` and ``predict(X)`` (and
``predict_proba(X)`` for soft voting), e.g. scikit-learn's; class columns are
aligned through ``classes_`` when estimators have it, so a bootstrap sample
that misses a class is handled.
"""

from __future__ import annotations

import numpy as np

from regbook._validation import (
    check_array, check_consistent_length, check_int, check_option, check_rng, param_error,
)

__all__ = ["bagging_fit", "bagging_predict", "bagging_predict_proba", "bootstrap_indices", "out_of_bag_score"]

_VOTING = ("auto", "soft", "hard", "mean")


def bootstrap_indices(n_samples, *, n_estimators, rng):
    r"""Indices of :math:`B` bootstrap samples of size :math:`n`.

    .. math::

        I_{b, i} \sim \operatorname{Uniform}\{0, \dots, n-1\} \text{ i.i.d.}, \qquad
        \mathbb E\,\frac{|\{I_{b, \cdot}\}|}{n} = 1 - \Big(1 - \frac1n\Big)^n .

    Parameters
    ----------
    n_samples : int
        :math:`n \ge 1`.
    n_estimators : int
        :math:`B \ge 1`.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of int, shape (n_estimators, n_samples)

    Examples
    --------
    >>> idx = bootstrap_indices(5, n_estimators=3, rng=0)
    >>> idx.shape, bool(idx.min() >= 0 and idx.max() < 5)
    ((3, 5), True)
    """
    caller = "bootstrap_indices"
    n = check_int(n_samples, "n_samples", caller, min_val=1)
    B = check_int(n_estimators, "n_estimators", caller, min_val=1)
    rng = check_rng(rng, "rng", caller)
    return rng.integers(0, n, size=(B, n))


def _check_Xy(X, y, caller):
    X = check_array(X, "X", caller, ndim=2)
    y = check_array(y, "y", caller, ndim=1, dtype=None)
    check_consistent_length(caller, X=X, y=y)
    return X, y


def bagging_fit(make_estimator, X, y, *, n_estimators, rng, return_indices=False):
    r"""Fit ``n_estimators`` fresh estimators, each on its own bootstrap sample.

    .. math::

        \hat f_b = \operatorname{fit}\big(X_{I_b}, y_{I_b}\big), \quad b = 1, \dots, B,

    with :math:`I` from :func:`bootstrap_indices` (drawn first from ``rng``).

    Parameters
    ----------
    make_estimator : callable
        ``make_estimator() -> estimator`` with ``fit(X, y)``; called once per member.
    X : array_like of shape (n, d)
    y : array_like of shape (n,)
    n_estimators : int
        :math:`B \ge 1`.
    rng : numpy.random.Generator or int
    return_indices : bool, default=False
        Also return the bootstrap indices (for :func:`out_of_bag_score`).

    Returns
    -------
    estimators : list of fitted estimators
    indices : ndarray of shape (n_estimators, n), only if ``return_indices``

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X = np.arange(20.0).reshape(-1, 1); y = (X[:, 0] > 9).astype(int)
    >>> ests = bagging_fit(lambda: DecisionTreeClassifier(random_state=0), X, y, n_estimators=5, rng=0)
    >>> len(ests), bagging_predict(ests, [[0.0], [19.0]]).tolist()
    (5, [0, 1])
    """
    caller = "bagging_fit"
    if not callable(make_estimator):
        raise TypeError(param_error("make_estimator", caller, "a callable returning an estimator", make_estimator))
    X, y = _check_Xy(X, y, caller)
    idx = bootstrap_indices(len(X), n_estimators=n_estimators, rng=rng)
    estimators = []
    for rows in idx:
        est = make_estimator()
        if not hasattr(est, "fit"):
            raise TypeError(param_error("make_estimator", caller, "a callable returning an object with fit(X, y)",
                                        f"a callable returning a {type(est).__name__}", raw=True))
        est.fit(X[rows], y[rows])
        estimators.append(est)
    return (estimators, idx) if return_indices else estimators


def _check_estimators(estimators, caller, method):
    if not isinstance(estimators, (list, tuple)) or not estimators:
        raise TypeError(param_error("estimators", caller, "a non-empty list of fitted estimators", estimators))
    for e in estimators:
        if not hasattr(e, method):
            raise TypeError(param_error("estimators", caller, f"a list of estimators with {method}(X)",
                                        f"a list containing a {type(e).__name__}", raw=True))
    return list(estimators)


def _mean_proba(estimators, X, caller):
    """Mean of predict_proba with columns aligned on the union of classes_ (or positions)."""
    probs = [np.asarray(e.predict_proba(X), dtype=np.float64) for e in estimators]
    if all(hasattr(e, "classes_") for e in estimators):
        classes = np.unique(np.concatenate([np.asarray(e.classes_) for e in estimators]))
        out = np.zeros((len(X), len(classes)))
        for e, p in zip(estimators, probs):
            out[:, np.searchsorted(classes, np.asarray(e.classes_))] += p
        return out / len(estimators), classes
    widths = {p.shape[1] for p in probs}
    if len(widths) > 1:
        raise ValueError(f"The estimators of {caller} return probabilities with different numbers of columns "
                         f"{sorted(widths)}; give them a classes_ attribute to align them.")
    return np.mean(probs, axis=0), np.arange(widths.pop())


def bagging_predict_proba(estimators, X):
    r"""Soft vote: the mean of the members' class probabilities.

    .. math::

        \hat p(x) = \frac1B \sum_{b=1}^B \hat p_b(x).

    Parameters
    ----------
    estimators : list of fitted estimators with ``predict_proba``
    X : array_like of shape (n, d)

    Returns
    -------
    ndarray of shape (n, k)
        Columns in the order of the sorted union of the members' ``classes_``.

    Examples
    --------
    >>> class Const:
    ...     def __init__(self, p): self.p = p
    ...     def predict_proba(self, X): return np.tile(self.p, (len(X), 1))
    >>> bagging_predict_proba([Const([1.0, 0.0]), Const([0.5, 0.5])], np.zeros((1, 2))).tolist()
    [[0.75, 0.25]]
    """
    caller = "bagging_predict_proba"
    estimators = _check_estimators(estimators, caller, "predict_proba")
    X = check_array(X, "X", caller, ndim=2)
    return _mean_proba(estimators, X, caller)[0]


def _predict(estimators, X, voting, caller):
    if voting == "auto":
        voting = "soft" if all(hasattr(e, "predict_proba") for e in estimators) else "hard"
    if voting == "soft":
        P, classes = _mean_proba(_check_estimators(estimators, caller, "predict_proba"), X, caller)
        return classes[P.argmax(axis=1)]
    preds = np.stack([np.asarray(e.predict(X)) for e in _check_estimators(estimators, caller, "predict")])
    if voting == "mean":
        return preds.astype(np.float64).mean(axis=0)
    labels, codes = np.unique(preds, return_inverse=True)
    counts = np.zeros((len(labels), preds.shape[1]), dtype=int)
    np.add.at(counts, (codes.reshape(preds.shape), np.arange(preds.shape[1])[None, :]), 1)
    return labels[counts.argmax(axis=0)]  # ties: the smallest label


def bagging_predict(estimators, X, *, voting="auto"):
    r"""Ensemble prediction: argmax of the mean probabilities, a majority vote, or a mean.

    .. math::

        \hat y(x) = \arg\max_j \hat p_j(x) \ \text{(soft)}, \quad
        \operatorname{mode}_b \hat f_b(x) \ \text{(hard)}, \quad
        \frac1B \sum_b \hat f_b(x) \ \text{(mean, regression)}.

    Parameters
    ----------
    estimators : list of fitted estimators
    X : array_like of shape (n, d)
    voting : {"auto", "soft", "hard", "mean"}, default="auto"
        "auto" is "soft" when every member has ``predict_proba``, else "hard".
        Hard-vote ties go to the smallest label.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> class Const:
    ...     def __init__(self, c): self.c = c
    ...     def predict(self, X): return np.full(len(X), self.c)
    >>> ests = [Const(1), Const(2), Const(2)]
    >>> bagging_predict(ests, np.zeros((2, 1))).tolist()
    [2, 2]
    >>> bagging_predict(ests, np.zeros((1, 1)), voting="mean").round(4).tolist()
    [1.6667]
    """
    caller = "bagging_predict"
    voting = check_option(voting, "voting", caller, _VOTING)
    X = check_array(X, "X", caller, ndim=2)
    return _predict(estimators, X, voting, caller)


def out_of_bag_score(estimators, indices, X, y, *, voting="auto"):
    r"""Out-of-bag estimate: each example is predicted by the members that did not see it.

    .. math::

        \hat y^{\text{oob}}_i = \text{vote}\{\hat f_b(x_i) : i \notin I_b\}, \qquad
        \text{score} = \frac{1}{|S|} \sum_{i \in S} [\hat y^{\text{oob}}_i = y_i],

    over the examples :math:`S` that are out of bag for at least one member
    (for ``voting="mean"``: :math:`R^2` of the out-of-bag means).

    Parameters
    ----------
    estimators : list of fitted estimators, length B
    indices : array_like of int, shape (B, n)
        The bootstrap indices they were fitted on (``bagging_fit(..., return_indices=True)``).
    X : array_like of shape (n, d)
        The training inputs.
    y : array_like of shape (n,)
    voting : {"auto", "soft", "hard", "mean"}, default="auto"

    Returns
    -------
    float
        Accuracy (or :math:`R^2`), NaN if no example is out of bag.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X = np.arange(40.0).reshape(-1, 1); y = (X[:, 0] > 19).astype(int)
    >>> make = lambda: DecisionTreeClassifier(random_state=0)
    >>> ests, idx = bagging_fit(make, X, y, n_estimators=10, rng=0, return_indices=True)
    >>> round(out_of_bag_score(ests, idx, X, y), 2)
    0.95
    """
    caller = "out_of_bag_score"
    voting = check_option(voting, "voting", caller, _VOTING)
    estimators = _check_estimators(estimators, caller, "predict")
    X, y = _check_Xy(X, y, caller)
    idx = check_array(indices, "indices", caller, ndim=2, dtype=None)
    if idx.shape != (len(estimators), len(X)) or idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= len(X):
        raise ValueError(param_error("indices", caller,
                                     f"an int array of shape {(len(estimators), len(X))} with values in [0, {len(X)})",
                                     idx))
    in_bag = np.zeros((len(estimators), len(X)), dtype=bool)
    in_bag[np.arange(len(estimators))[:, None], idx] = True
    oob = ~in_bag  # (B, n): member b may vote on example i
    covered = oob.any(axis=0)
    if not covered.any():
        return float("nan")
    if voting == "auto":
        voting = "soft" if all(hasattr(e, "predict_proba") for e in estimators) else "hard"
    if voting == "soft":
        estimators = _check_estimators(estimators, caller, "predict_proba")
        classes = _mean_proba(estimators, X[:1], caller)[1]
        votes = np.zeros((len(X), len(classes)))
        for e, mask in zip(estimators, oob):
            cols = np.searchsorted(classes, np.asarray(e.classes_)) if hasattr(e, "classes_") else slice(None)
            votes[:, cols] += np.asarray(e.predict_proba(X), dtype=np.float64) * mask[:, None]
        pred = classes[votes.argmax(axis=1)]
    else:
        preds = np.stack([np.asarray(e.predict(X)) for e in estimators])  # (B, n)
        if voting == "mean":
            p = (preds.astype(np.float64) * oob).sum(axis=0)[covered] / oob.sum(axis=0)[covered]
            t = y[covered].astype(np.float64)
            return float(1.0 - ((t - p) ** 2).sum() / ((t - t.mean()) ** 2).sum())
        labels, codes = np.unique(preds, return_inverse=True)
        counts = np.zeros((len(labels), len(X)), dtype=int)
        np.add.at(counts, (codes.reshape(preds.shape), np.broadcast_to(np.arange(len(X)), preds.shape)), oob)
        pred = labels[counts.argmax(axis=0)]
    return float(np.mean(pred[covered] == y[covered]))
