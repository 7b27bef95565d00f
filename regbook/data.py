r"""Offline data: synthetic generators, fixed splits and scikit-learn's bundled datasets.

Nothing here downloads anything. The synthetic problems are the book's running
examples (:math:`y = \sin(2\pi x) + \varepsilon` for over-fitting with
polynomials); the real ones are the small datasets that ship inside
scikit-learn. Randomness is always passed in (``rng``: a
``numpy.random.Generator`` or an int seed), never taken from global state.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from regbook._validation import (check_array, check_consistent_length, check_int, check_option, check_rng,
                                 check_scalar, param_error)

__all__ = ["DATASETS", "NotFittedError", "Split", "Standardizer", "load_dataset", "make_polynomial_regression",
           "make_sinusoid", "polynomial_features", "sinusoid", "train_val_test_split"]


# --------------------------------------------------------------------------- generators
def sinusoid(x):
    r"""The true regression function of the book's running example.

    .. math::

        f(x) = \sin(2\pi x)

    Parameters
    ----------
    x : array_like of any shape

    Returns
    -------
    ndarray of the same shape as ``x``

    Examples
    --------
    >>> [round(float(v), 4) for v in sinusoid([0.0, 0.25, 0.5])]
    [0.0, 1.0, 0.0]
    """
    x = check_array(x, "x", "sinusoid")
    return np.sin(2.0 * np.pi * x)


def _check_range(x_range, caller):
    expected = "a pair (low, high) of finite floats with low < high"
    ok = isinstance(x_range, (tuple, list)) and len(x_range) == 2
    ok = ok and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in x_range)
    if not ok:
        raise TypeError(param_error("x_range", caller, expected, x_range))
    low, high = float(x_range[0]), float(x_range[1])
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(param_error("x_range", caller, expected, x_range))
    return low, high


def _draw_x(n_samples, x_range, rng, caller):
    n_samples = check_int(n_samples, "n_samples", caller, min_val=1)
    low, high = _check_range(x_range, caller)
    rng = check_rng(rng, "rng", caller)
    return np.sort(rng.uniform(low, high, size=n_samples)), rng


def make_sinusoid(n_samples, *, noise=0.3, rng, x_range=(0.0, 1.0)):
    r"""Noisy samples of :math:`\sin(2\pi x)`.

    .. math::

        x_i \sim \mathcal U(\text{low}, \text{high}), \qquad
        y_i = \sin(2\pi x_i) + \sigma\, \varepsilon_i, \quad \varepsilon_i \sim \mathcal N(0, 1)

    Parameters
    ----------
    n_samples : int
        Number of points (at least 1).
    noise : float, default=0.3
        Noise standard deviation :math:`\sigma \ge 0`.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).
    x_range : tuple of two floats, default=(0.0, 1.0)
        ``(low, high)`` with ``low < high``.

    Returns
    -------
    x : ndarray of shape (n_samples,)
        Sorted in ascending order.
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> x, y = make_sinusoid(10, noise=0.0, rng=0)
    >>> x.shape, bool(np.all(np.diff(x) >= 0)), bool(np.allclose(y, sinusoid(x)))
    ((10,), True, True)
    """
    noise = check_scalar(noise, "noise", "make_sinusoid", min_val=0.0)
    x, rng = _draw_x(n_samples, x_range, rng, "make_sinusoid")
    y = sinusoid(x) + noise * rng.standard_normal(x.shape[0])
    return x, y


def make_polynomial_regression(n_samples, *, coef, noise=0.1, rng, x_range=(-1.0, 1.0)):
    r"""Noisy samples of a polynomial.

    .. math::

        x_i \sim \mathcal U(\text{low}, \text{high}), \qquad
        y_i = \sum_{k=0}^{d} c_k x_i^k + \sigma\, \varepsilon_i, \quad \varepsilon_i \sim \mathcal N(0, 1)

    Parameters
    ----------
    n_samples : int
        Number of points (at least 1).
    coef : array_like of shape (d + 1,)
        Coefficients :math:`c_0, \dots, c_d`, constant term first.
    noise : float, default=0.1
        Noise standard deviation :math:`\sigma \ge 0`.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).
    x_range : tuple of two floats, default=(-1.0, 1.0)
        ``(low, high)`` with ``low < high``.

    Returns
    -------
    x : ndarray of shape (n_samples,)
        Sorted in ascending order.
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> x, y = make_polynomial_regression(5, coef=[1.0, 0.0, 2.0], noise=0.0, rng=0)
    >>> bool(np.allclose(y, 1.0 + 2.0 * x ** 2))
    True
    """
    caller = "make_polynomial_regression"
    coef = check_array(coef, "coef", caller, ndim=1)
    noise = check_scalar(noise, "noise", caller, min_val=0.0)
    x, rng = _draw_x(n_samples, x_range, rng, caller)
    y = np.polynomial.polynomial.polyval(x, coef) + noise * rng.standard_normal(x.shape[0])
    return x, y


def polynomial_features(x, degree, *, include_bias=False):
    r"""Powers of a single feature.

    .. math::

        \Phi(x)_{i,k} = x_i^{k}, \qquad k = 1, \dots, d \quad (k = 0, \dots, d \text{ with the bias})

    Parameters
    ----------
    x : array_like of shape (n_samples,) or (n_samples, 1)
    degree : int
        Highest power :math:`d \ge 0`.
    include_bias : bool, default=False
        Prepend a column of ones (:math:`x^0`).

    Returns
    -------
    ndarray of shape (n_samples, degree) or (n_samples, degree + 1) with the bias

    Examples
    --------
    >>> polynomial_features([1.0, 2.0], 3).tolist()
    [[1.0, 1.0, 1.0], [2.0, 4.0, 8.0]]
    >>> polynomial_features([2.0], 2, include_bias=True).tolist()
    [[1.0, 2.0, 4.0]]
    """
    caller = "polynomial_features"
    x = check_array(x, "x", caller, ndim=(1, 2))
    if x.ndim == 2 and x.shape[1] != 1:
        raise ValueError(param_error("x", caller, "of shape (n_samples,) or (n_samples, 1)",
                                     f"shape {x.shape}", raw=True))
    degree = check_int(degree, "degree", caller, min_val=0)
    powers = np.arange(0 if include_bias else 1, degree + 1)
    return x.reshape(-1, 1) ** powers  # (n_samples, n_powers)


# --------------------------------------------------------------------------- standardizing
class NotFittedError(ValueError, AttributeError):
    """A transformer was used before ``fit`` (a ValueError and an AttributeError, as in scikit-learn)."""


class Standardizer:
    r"""Centre and scale features with statistics learned on the training set.

    .. math::

        z_{ij} = \frac{x_{ij} - \mu_j}{s_j}, \qquad
        \mu_j = \frac1n \sum_i x_{ij}, \quad
        s_j = \sqrt{\tfrac1n \textstyle\sum_i (x_{ij} - \mu_j)^2}

    (``ddof=0``, as scikit-learn's ``StandardScaler``); a constant column gets
    :math:`s_j = 1`. Fit on the training part only and apply the same
    :math:`\mu, s` to validation and test data, otherwise information from them
    leaks into training.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> sc = Standardizer().fit([[0.0, 5.0], [2.0, 5.0]])
    >>> sc.mean_.tolist(), sc.scale_.tolist()
    ([1.0, 5.0], [1.0, 1.0])
    >>> sc.transform([[4.0, 5.0]]).tolist()
    [[3.0, 0.0]]
    """

    def _check(self, X, name, method):
        caller = f"Standardizer.{method}"
        X = check_array(X, name, caller, ndim=2)
        if method != "fit":
            if not hasattr(self, "mean_"):
                raise NotFittedError(f"Standardizer.{method} was called before fit: call fit(X_train) first.")
            if X.shape[1] != self.mean_.shape[0]:
                raise ValueError(param_error(name, caller, f"an array with {self.mean_.shape[0]} features "
                                             "(as seen in fit)", f"{X.shape[1]} features", raw=True))
        return X

    def fit(self, X):
        """Learn the column means and standard deviations of ``X``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        self : Standardizer

        Examples
        --------
        >>> Standardizer().fit([[1.0], [3.0]]).scale_.tolist()
        [1.0]
        """
        X = self._check(X, "X", "fit")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        # a column that is constant (up to rounding) is only centred
        constant = std <= 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))
        self.mean_ = mean
        self.scale_ = np.where(constant, 1.0, std)
        return self

    def transform(self, X):
        r"""Standardize ``X`` with the fitted statistics, :math:`z = (x - \mu) / s`.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> Standardizer().fit([[1.0], [3.0]]).transform([[5.0]]).tolist()
        [[3.0]]
        """
        X = self._check(X, "X", "transform")
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X):
        """Fit on ``X`` and return it standardized.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> Standardizer().fit_transform([[1.0], [3.0]]).tolist()
        [[-1.0], [1.0]]
        """
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        r"""Undo :meth:`transform`, :math:`x = \mu + s z`.

        Parameters
        ----------
        Z : array_like of shape (n_samples, n_features)

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)

        Examples
        --------
        >>> Standardizer().fit([[1.0], [3.0]]).inverse_transform([[-1.0]]).tolist()
        [[1.0]]
        """
        Z = self._check(Z, "Z", "inverse_transform")
        return self.mean_ + self.scale_ * Z


# --------------------------------------------------------------------------- splitting
class Split(NamedTuple):
    """Training, validation and test parts of a dataset (rows of ``X`` and ``y`` alike)."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray


def _stratified_parts(y, sizes, rng):
    """Indices of each part, with class c's count in part p within one sample of n_c * n_p / n."""
    classes, label = np.unique(y, return_inverse=True)
    class_sizes = np.bincount(label)
    quota = np.outer(class_sizes, sizes) / y.shape[0]  # (n_classes, n_parts)
    counts = np.floor(quota).astype(int)
    col_need = np.asarray(sizes) - counts.sum(axis=0)
    # Round up sum(row fractions) cells per class, each time in the parts that still need the most
    # samples (Gale-Ryser greedy: it always completes both margins here; |count - quota| <= 1).
    for c in rng.permutation(classes.size):
        cols = np.lexsort((rng.random(len(sizes)), counts[c] - quota[c], -col_need))
        cols = cols[: class_sizes[c] - counts[c].sum()]
        counts[c, cols] += 1
        col_need[cols] -= 1
    parts = [[] for _ in sizes]
    for c in range(classes.size):
        members = rng.permutation(np.flatnonzero(label == c))
        for p, chunk in enumerate(np.split(members, np.cumsum(counts[c])[:-1])):
            parts[p].append(chunk)
    return [rng.permutation(np.concatenate(chunks)) for chunks in parts]  # classes mixed within each part


def _check_sizes(val_size, test_size, caller):
    val_size = check_scalar(val_size, "val_size", caller, min_val=0.0, max_val=1.0, closed="neither")
    test_size = check_scalar(test_size, "test_size", caller, min_val=0.0, max_val=1.0, closed="neither")
    if val_size + test_size >= 1.0:
        raise ValueError(param_error("val_size", caller, f"less than 1 - test_size = {1.0 - test_size!r}",
                                     val_size))
    return val_size, test_size


def train_val_test_split(X, y, *, val_size=0.2, test_size=0.2, rng, stratify=False) -> Split:
    r"""Shuffle the samples and cut them into training, validation and test parts.

    .. math::

        n_\text{test} = \operatorname{round}(t\, n), \quad
        n_\text{val} = \operatorname{round}(v\, n), \quad
        n_\text{train} = n - n_\text{val} - n_\text{test}

    With ``stratify=True`` every part holds each class in the proportion it has
    in ``y``: class :math:`c` (:math:`n_c` samples) puts
    :math:`n_c\, n_\text{part} / n` samples, rounded up or down, in each part.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features) or (n_samples,)
    y : array_like of shape (n_samples,)
        Targets; class labels when ``stratify``.
    val_size, test_size : float, default=0.2
        Fractions :math:`v, t \in (0, 1)` with :math:`v + t < 1`.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).
    stratify : bool, default=False
        Keep the class proportions of ``y`` in every part.

    Returns
    -------
    Split
        ``(X_train, X_val, X_test, y_train, y_val, y_test)``; no sample is in
        two parts and together they hold every sample.

    Raises
    ------
    ValueError
        If a part would be empty.

    Examples
    --------
    >>> s = train_val_test_split(np.arange(20.0).reshape(10, 2), np.arange(10), rng=0)
    >>> s.X_train.shape, s.X_val.shape, s.X_test.shape
    ((6, 2), (2, 2), (2, 2))
    """
    caller = "train_val_test_split"
    X = check_array(X, "X", caller, ndim=(1, 2))
    y = check_array(y, "y", caller, ndim=1, dtype=None)
    n = check_consistent_length(caller, X=X, y=y)
    val_size, test_size = _check_sizes(val_size, test_size, caller)
    rng = check_rng(rng, "rng", caller)
    n_test, n_val = round(test_size * n), round(val_size * n)
    sizes = {"train": n - n_val - n_test, "validation": n_val, "test": n_test}
    for part, size in sizes.items():
        if size < 1:
            raise ValueError(f"{caller} would leave the {part} part empty: n_samples={n}, val_size={val_size!r}, "
                             f"test_size={test_size!r}. Use more samples or larger fractions.")
    if stratify:
        train, val, test = _stratified_parts(y, list(sizes.values()), rng)
    else:
        train, val, test = np.split(rng.permutation(n), [sizes["train"], sizes["train"] + n_val])
    return Split(X[train], X[val], X[test], y[train], y[val], y[test])


# --------------------------------------------------------------------------- bundled datasets
DATASETS = {
    "digits": dict(task="classification", n_samples=1797, n_features=64, n_classes=10,
                   description="8x8 images of handwritten digits 0-9; pixel intensities 0-16."),
    "diabetes": dict(task="regression", n_samples=442, n_features=10, n_classes=None,
                     description="Disease progression after one year from age, sex, BMI, blood pressure "
                                 "and six serum measurements (raw, unscaled units)."),
    "breast_cancer": dict(task="classification", n_samples=569, n_features=30, n_classes=2,
                          description="Wisconsin diagnostic breast cancer: malignant (0) or benign (1)."),
    "wine": dict(task="classification", n_samples=178, n_features=13, n_classes=3,
                 description="Chemical analysis of wines from three cultivars."),
    "iris": dict(task="classification", n_samples=150, n_features=4, n_classes=3,
                 description="Sepal and petal sizes of three iris species."),
}
"""Name -> task, n_samples, n_features, n_classes (None for regression) and a description."""


def _load_raw(name):
    from sklearn import datasets  # imported here: only load_dataset needs scikit-learn

    if name == "diabetes":
        # raw units; sklearn's default scaling uses all samples, which would leak test statistics
        return datasets.load_diabetes(return_X_y=True, scaled=False)
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def load_dataset(name, *, val_size=0.2, test_size=0.2, seed=0, standardize=True) -> Split:
    r"""One of scikit-learn's bundled datasets, split into train, validation and test.

    The split is fixed by ``seed`` and stratified for classification sets.
    With ``standardize``, a :class:`Standardizer` fitted on ``X_train`` only
    maps all three parts, :math:`z = (x - \mu_\text{train}) / s_\text{train}`,
    so no statistic of the validation or test data leaks into training.
    Targets are never scaled. The data ship with scikit-learn: nothing is
    downloaded. See :data:`DATASETS` for what each one holds.

    Parameters
    ----------
    name : {"digits", "diabetes", "breast_cancer", "wine", "iris"}
    val_size, test_size : float, default=0.2
        Fractions, as in :func:`train_val_test_split`.
    seed : int, default=0
        Seed of the split (at least 0).
    standardize : bool, default=True
        Standardize the features with the training statistics. Without it,
        the features are as shipped (digits: float64 pixel values in [0, 16];
        diabetes: raw units).

    Returns
    -------
    Split
        ``X_*`` of shape (n_*, n_features) as float64, ``y_*`` of shape (n_*,):
        int class labels or float targets.

    Examples
    --------
    >>> s = load_dataset("iris", seed=0)
    >>> s.X_train.shape, s.X_val.shape, s.X_test.shape
    ((90, 4), (30, 4), (30, 4))
    >>> [int(np.sum(s.y_test == c)) for c in range(3)]
    [10, 10, 10]
    """
    caller = "load_dataset"
    name = check_option(name, "name", caller, tuple(DATASETS))
    seed = check_int(seed, "seed", caller, min_val=0)
    val_size, test_size = _check_sizes(val_size, test_size, caller)
    X, y = _load_raw(name)
    X = np.asarray(X, dtype=np.float64)
    stratify = DATASETS[name]["task"] == "classification"
    split = train_val_test_split(X, y, val_size=val_size, test_size=test_size, rng=seed, stratify=stratify)
    if not standardize:
        return split
    scaler = Standardizer().fit(split.X_train)
    return split._replace(X_train=scaler.transform(split.X_train), X_val=scaler.transform(split.X_val),
                          X_test=scaler.transform(split.X_test))
