"""Bias-variance decomposition: hand cases, the Monte Carlo identity, bad input."""

import numpy as np
import pytest

from regbook.np.generalization import bias_variance


def test_hand_case_plug_in_and_corrected():
    preds = np.array([[1.0, 2.0], [3.0, 2.0]])
    f = np.array([1.0, 2.0])
    plug = bias_variance(preds, f, noise_var=0.5, unbiased=False)
    assert (plug.bias2, plug.variance, plug.noise) == (0.5, 0.5, 0.5)
    corr = bias_variance(preds, f, noise_var=0.5)
    assert corr.bias2 == pytest.approx(0.0) and corr.variance == pytest.approx(1.0)
    assert corr.expected_error == pytest.approx(plug.expected_error)


def test_plug_in_identity_is_exact():
    # mean_r (pred - f)^2 = (f_bar - f)^2 + var_r(pred) holds exactly for the plug-in terms
    rng = np.random.default_rng(0)
    preds, f = rng.standard_normal((30, 7)), rng.standard_normal(7)
    bv = bias_variance(preds, f, noise_var=0.0, unbiased=False)
    assert bv.expected_error == pytest.approx(np.mean((preds - f) ** 2), rel=1e-12)


def test_corrected_estimates_are_unbiased():
    # predictions with known bias 0.3 and variance 4: the corrected estimates average to the truth,
    # the plug-in bias^2 is off by variance / R
    rng = np.random.default_rng(1)
    R, m, reps = 5, 4, 4000
    f = np.zeros(m)
    est = np.array([bias_variance(0.3 + 2.0 * rng.standard_normal((R, m)), f, noise_var=0.0)[:2]
                    for _ in range(reps)])
    plug = np.array([bias_variance(0.3 + 2.0 * rng.standard_normal((R, m)), f, noise_var=0.0,
                                   unbiased=False)[:2] for _ in range(reps)])
    se = est.std(axis=0) / np.sqrt(reps)
    assert abs(est[:, 0].mean() - 0.09) < 4 * se[0]
    assert abs(est[:, 1].mean() - 4.0) < 4 * se[1]
    assert plug[:, 0].mean() > 0.09 + 4.0 / R * 0.8  # inflated by about variance / R


@pytest.mark.parametrize("kwargs,exc,fragment", [
    (dict(predictions=np.ones(3), f_true=np.ones(3), noise_var=0.1), ValueError, "2D"),
    (dict(predictions=np.ones((2, 3)), f_true=np.ones(4), noise_var=0.1), ValueError, "one column per test point"),
    (dict(predictions=np.ones((2, 3)), f_true=np.ones(3), noise_var=-0.1), ValueError, "'noise_var'"),
    (dict(predictions=np.ones((1, 3)), f_true=np.ones(3), noise_var=0.1), ValueError, "at least 2 rows"),
    (dict(predictions=np.full((2, 3), np.nan), f_true=np.ones(3), noise_var=0.1), ValueError, "finite"),
])
def test_bad_input(kwargs, exc, fragment):
    with pytest.raises(exc, match=fragment):
        bias_variance(**kwargs)
