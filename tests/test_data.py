"""Tests for regbook.data: generators, features, standardizing, splits and bundled datasets."""

import numpy as np
import pytest

from regbook.data import (
    DATASETS,
    NotFittedError,
    Split,
    Standardizer,
    load_dataset,
    make_polynomial_regression,
    make_sinusoid,
    polynomial_features,
    sinusoid,
    train_val_test_split,
)


# --------------------------------------------------------------------------- generators
def test_sinusoid_by_hand():
    np.testing.assert_allclose(sinusoid([0.0, 0.25, 0.5, 0.75]), [0.0, 1.0, 0.0, -1.0], atol=1e-12)
    assert sinusoid(np.zeros((2, 3))).shape == (2, 3)


def test_make_sinusoid_shapes_sorted_range_and_noise_free_case():
    x, y = make_sinusoid(50, noise=0.0, rng=0, x_range=(2.0, 3.0))
    assert x.shape == y.shape == (50,)
    assert np.all(np.diff(x) >= 0) and x.min() >= 2.0 and x.max() < 3.0
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x))


def test_make_sinusoid_noise_level():
    x, y = make_sinusoid(20_000, noise=0.3, rng=1)
    assert np.std(y - sinusoid(x)) == pytest.approx(0.3, rel=0.03)


def test_generators_deterministic_per_seed():
    a = make_sinusoid(10, rng=7)
    b = make_sinusoid(10, rng=np.random.default_rng(7))
    c = make_sinusoid(10, rng=8)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])
    p, q = make_polynomial_regression(10, coef=[1.0], rng=3), make_polynomial_regression(10, coef=[1.0], rng=3)
    np.testing.assert_array_equal(p[1], q[1])


def test_make_polynomial_regression_noise_free():
    x, y = make_polynomial_regression(30, coef=[0.5, -1.0, 0.0, 2.0], noise=0.0, rng=0)
    assert x.shape == y.shape == (30,) and x.min() >= -1.0 and x.max() < 1.0
    np.testing.assert_allclose(y, 0.5 - x + 2 * x**3)


def test_polynomial_features_by_hand():
    np.testing.assert_array_equal(polynomial_features([2.0, 3.0], 3), [[2, 4, 8], [3, 9, 27]])
    np.testing.assert_array_equal(polynomial_features([[2.0]], 2, include_bias=True), [[1, 2, 4]])
    assert polynomial_features([1.0, 2.0, 3.0], 0).shape == (3, 0)
    np.testing.assert_array_equal(polynomial_features([5.0, 0.0], 0, include_bias=True), [[1.0], [1.0]])


# --------------------------------------------------------------------------- Standardizer
def test_standardizer_by_hand_and_constant_column():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    sc = Standardizer().fit(X)
    np.testing.assert_allclose(sc.mean_, [3.0, 7.0])
    np.testing.assert_allclose(sc.scale_, [np.sqrt(8 / 3), 1.0])  # ddof=0; constant column -> 1
    Z = sc.transform(X)
    np.testing.assert_allclose(Z[:, 1], 0.0)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 0].std(), 1.0)


def test_standardizer_round_trip_and_fit_transform():
    X = np.random.default_rng(0).normal(3.0, 5.0, size=(40, 4))
    sc = Standardizer()
    Z = sc.fit_transform(X)
    np.testing.assert_allclose(Z, Standardizer().fit(X).transform(X))
    np.testing.assert_allclose(sc.inverse_transform(Z), X, rtol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_standardizer_before_fit(method):
    with pytest.raises(NotFittedError, match=f"Standardizer.{method} was called before fit"):
        getattr(Standardizer(), method)(np.ones((2, 2)))


def test_standardizer_feature_count_checked():
    sc = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="must be an array with 2 features .as seen in fit.. Got 3 features"):
        sc.transform(np.ones((3, 3)))


# --------------------------------------------------------------------------- splits
def test_split_sizes_no_overlap_union_everything():
    X = np.arange(100.0).reshape(50, 2)
    y = np.arange(50)
    s = train_val_test_split(X, y, val_size=0.2, test_size=0.3, rng=0)
    assert isinstance(s, Split)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (25, 10, 15)
    ids = np.concatenate([s.y_train, s.y_val, s.y_test])
    assert sorted(ids.tolist()) == list(range(50))  # disjoint and complete
    np.testing.assert_array_equal(s.X_train[:, 0], 2 * s.y_train)  # rows stay paired with labels
    assert not np.array_equal(s.y_train, np.sort(s.y_train))  # shuffled


def test_split_determinism():
    X, y = np.arange(30.0), np.arange(30)
    a = train_val_test_split(X, y, rng=4)
    b = train_val_test_split(X, y, rng=4)
    c = train_val_test_split(X, y, rng=5)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.y_test, c.y_test)


@pytest.mark.parametrize("seed", range(5))
def test_stratified_split_keeps_class_proportions_within_one(seed):
    counts = [37, 11, 52, 5, 23]
    y = np.repeat(np.arange(5), counts)
    X = np.arange(y.size, dtype=float)
    s = train_val_test_split(X, y, val_size=0.23, test_size=0.17, rng=seed, stratify=True)
    n = y.size
    assert sorted(np.concatenate([s.X_train, s.X_val, s.X_test]).tolist()) == X.tolist()
    for part in (s.y_train, s.y_val, s.y_test):
        for c, n_c in enumerate(counts):
            assert abs(np.sum(part == c) - len(part) * n_c / n) <= 1
    assert (len(s.y_val), len(s.y_test)) == (round(0.23 * n), round(0.17 * n))


def test_empty_part_is_refused():
    with pytest.raises(ValueError, match="would leave the validation part empty: n_samples=10"):
        train_val_test_split(np.zeros(10), np.zeros(10), val_size=0.01, test_size=0.5, rng=0)
    with pytest.raises(ValueError, match="train part empty"):
        train_val_test_split(np.zeros(4), np.zeros(4), val_size=0.45, test_size=0.45, rng=0)


# --------------------------------------------------------------------------- bundled datasets
@pytest.mark.parametrize("name", sorted(DATASETS))
def test_load_dataset_offline_shapes_and_metadata(name):
    info = DATASETS[name]
    s = load_dataset(name, seed=0)
    parts = (s.X_train, s.X_val, s.X_test)
    assert sum(len(p) for p in parts) == info["n_samples"]
    assert all(p.shape[1] == info["n_features"] and p.dtype == np.float64 for p in parts)
    y = np.concatenate([s.y_train, s.y_val, s.y_test])
    if info["task"] == "classification":
        assert np.unique(y).size == info["n_classes"]
        for part in (s.y_train, s.y_val, s.y_test):  # stratified
            for c in np.unique(y):
                assert abs(np.sum(part == c) - len(part) * np.mean(y == c)) <= 1
    else:
        assert info["n_classes"] is None and np.issubdtype(y.dtype, np.floating)


def test_load_dataset_standardizes_with_train_statistics_only():
    raw = load_dataset("wine", seed=3, standardize=False)
    std = load_dataset("wine", seed=3)
    np.testing.assert_array_equal(raw.y_val, std.y_val)  # same split
    np.testing.assert_allclose(std.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(std.X_train.std(axis=0), 1.0)
    mu, sd = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    np.testing.assert_allclose(std.X_val, (raw.X_val - mu) / sd)
    np.testing.assert_allclose(std.X_test, (raw.X_test - mu) / sd)
    assert not np.allclose(std.X_val.mean(axis=0), 0.0, atol=1e-6)  # val statistics were not used


def test_load_digits_raw_pixel_range_and_seed():
    s = load_dataset("digits", standardize=False, seed=1)
    X = np.concatenate([s.X_train, s.X_val, s.X_test])
    assert X.min() == 0.0 and X.max() == 16.0
    other = load_dataset("digits", standardize=False, seed=2)
    assert not np.array_equal(s.y_test, other.y_test)


# --------------------------------------------------------------------------- bad inputs
BAD_INPUTS = [
    (sinusoid, dict(x=[0.0, np.nan]), ValueError, "'x' parameter of sinusoid must contain only finite"),
    (make_sinusoid, dict(n_samples=0, rng=0), ValueError, "'n_samples' parameter of make_sinusoid must be an int in the range [1, inf). Got 0"),
    (make_sinusoid, dict(n_samples=2.0, rng=0), TypeError, "'n_samples' parameter of make_sinusoid must be an int"),
    (make_sinusoid, dict(n_samples=5, noise=-0.1, rng=0), ValueError, "'noise' parameter of make_sinusoid must be a float in the range [0.0, inf). Got -0.1"),
    (make_sinusoid, dict(n_samples=5, rng=None), TypeError, "'rng' parameter of make_sinusoid must be a numpy.random.Generator or a non-negative int seed. Got None"),
    (make_sinusoid, dict(n_samples=5, rng=0, x_range=(1.0, 0.0)), ValueError, "'x_range' parameter of make_sinusoid must be a pair (low, high) of finite floats with low < high. Got (1.0, 0.0)"),
    (make_sinusoid, dict(n_samples=5, rng=0, x_range=(0.0, np.inf)), ValueError, "finite floats with low < high. Got (0.0, inf)"),
    (make_sinusoid, dict(n_samples=5, rng=0, x_range=1.0), TypeError, "'x_range' parameter of make_sinusoid"),
    (make_polynomial_regression, dict(n_samples=5, coef=[], rng=0), ValueError, "'coef' parameter of make_polynomial_regression must be an array with at least 1"),
    (make_polynomial_regression, dict(n_samples=5, coef=[1.0, np.inf], rng=0), ValueError, "'coef' parameter of make_polynomial_regression must contain only finite"),
    (polynomial_features, dict(x=[1.0], degree=-1), ValueError, "'degree' parameter of polynomial_features must be an int in the range [0, inf). Got -1"),
    (polynomial_features, dict(x=np.ones((3, 2)), degree=2), ValueError, "'x' parameter of polynomial_features must be of shape (n_samples,) or (n_samples, 1). Got shape (3, 2)"),
    (polynomial_features, dict(x=[np.nan], degree=2), ValueError, "must contain only finite"),
    (Standardizer().fit, dict(X=[1.0, 2.0]), ValueError, "'X' parameter of Standardizer.fit must be a 2D array (got 1D input)"),
    (Standardizer().fit, dict(X=[[np.inf]]), ValueError, "'X' parameter of Standardizer.fit must contain only finite"),
    (train_val_test_split, dict(X=np.ones(5), y=np.ones(4), rng=0), ValueError, "Inconsistent numbers of samples in train_val_test_split: X has 5, y has 4"),
    (train_val_test_split, dict(X=np.ones(9), y=np.ones(9), val_size=0.0, rng=0), ValueError, "'val_size' parameter of train_val_test_split must be a float in the range (0.0, 1.0). Got 0.0"),
    (train_val_test_split, dict(X=np.ones(9), y=np.ones(9), test_size=1.0, rng=0), ValueError, "'test_size' parameter of train_val_test_split must be a float in the range (0.0, 1.0). Got 1.0"),
    (train_val_test_split, dict(X=np.ones(9), y=np.ones(9), val_size=0.5, test_size=0.5, rng=0), ValueError, "'val_size' parameter of train_val_test_split must be less than 1 - test_size = 0.5. Got 0.5"),
    (train_val_test_split, dict(X=[[np.nan]] * 9, y=np.ones(9), rng=0), ValueError, "'X' parameter of train_val_test_split must contain only finite"),
    (load_dataset, dict(name="mnist"), ValueError, "'name' parameter of load_dataset must be one of 'digits', 'diabetes', 'breast_cancer', 'wine', 'iris'. Got 'mnist'"),
    (load_dataset, dict(name="iris", seed=-1), ValueError, "'seed' parameter of load_dataset must be an int in the range [0, inf). Got -1"),
    (load_dataset, dict(name="iris", test_size=1.5), ValueError, "'test_size' parameter of load_dataset must be a float in the range (0.0, 1.0). Got 1.5"),
    (load_dataset, dict(name="iris", val_size=0.6, test_size=0.4), ValueError, "'val_size' parameter of load_dataset must be less than 1 - test_size = 0.6. Got 0.6"),
]


@pytest.mark.parametrize(("func", "kwargs", "exc", "message"), BAD_INPUTS, ids=lambda v: getattr(v, "__name__", None))
def test_bad_inputs(func, kwargs, exc, message):
    with pytest.raises(exc) as info:
        func(**kwargs)
    assert message in str(info.value)
