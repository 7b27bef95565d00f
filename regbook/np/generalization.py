"""Generalization error and its bias-variance decomposition.

For squared loss, a learner :math:`\\hat f_D` trained on a random training set
:math:`D`, and a test point :math:`x` with :math:`y = f(x) + \\varepsilon`,
:math:`\\mathbb E\\varepsilon = 0`, :math:`\\operatorname{Var}\\varepsilon = \\sigma^2`:

.. math::

    \\mathbb E_{D,\\varepsilon}\\big[(y - \\hat f_D(x))^2\\big]
    = \\underbrace{\\big(f(x) - \\mathbb E_D \\hat f_D(x)\\big)^2}_{\\text{bias}^2}
    + \\underbrace{\\operatorname{Var}_D \\hat f_D(x)}_{\\text{variance}}
    + \\underbrace{\\sigma^2}_{\\text{noise}}
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import check_array, check_scalar, param_error

__all__ = ["BiasVariance", "bias_variance"]


class BiasVariance(NamedTuple):
    """Terms of the decomposition, each averaged over the test points.

    ``expected_error = bias2 + variance + noise``.
    """

    bias2: float
    variance: float
    noise: float
    expected_error: float


def bias_variance(predictions, f_true, *, noise_var, unbiased=True) -> BiasVariance:
    """Bias-variance decomposition from predictions of models fit on independent training sets.

    .. math::

        \\text{bias}^2 = \\frac1m\\sum_{j=1}^m \\big(\\bar f(x_j) - f(x_j)\\big)^2,\\qquad
        \\text{variance} = \\frac1m\\sum_{j=1}^m \\frac1R\\sum_{r=1}^R \\big(\\hat f_r(x_j) - \\bar f(x_j)\\big)^2,

    with :math:`\\bar f(x_j) = \\frac1R\\sum_r \\hat f_r(x_j)` the average prediction
    over the :math:`R` training sets.

    These plug-in estimates are biased: because :math:`\\bar f` is itself an average of
    :math:`R` noisy fits, :math:`\\mathbb E[(\\bar f - f)^2] = \\text{bias}^2 + \\text{Var}/R`,
    and the variance above (divided by :math:`R`) underestimates by the factor
    :math:`(R-1)/R`. With ``unbiased=True`` (the default) both are corrected,

    .. math::

        \\widehat{\\text{variance}} = \\tfrac{R}{R-1}\\,\\text{variance},\\qquad
        \\widehat{\\text{bias}^2} = \\text{bias}^2 - \\tfrac{1}{R-1}\\,\\text{variance},

    which moves :math:`\\text{variance}/(R-1)` from one term to the other and leaves their
    sum, the estimate of the expected error, unchanged. The corrected bias² can be
    slightly negative when the true bias is tiny compared with the variance.

    Parameters
    ----------
    predictions : array_like of shape (n_repeats, n_points)
        :math:`\\hat f_r(x_j)`: row ``r`` holds the predictions at the test points of
        the model fit on the ``r``-th training set.
    f_true : array_like of shape (n_points,)
        The noiseless target :math:`f(x_j)`.
    noise_var : float
        :math:`\\sigma^2 \\ge 0`, the variance of the label noise.
    unbiased : bool, default=True
        Correct bias² and variance for the finite number of training sets
        (needs ``n_repeats >= 2``).

    Returns
    -------
    BiasVariance

    Examples
    --------
    >>> preds = np.array([[1.0, 2.0], [3.0, 2.0]])     # two fits, two test points
    >>> plug_in = bias_variance(preds, np.array([1.0, 2.0]), noise_var=0.5, unbiased=False)
    >>> plug_in.bias2, plug_in.variance, plug_in.expected_error   # ((1 + 0)/2, (1 + 0)/2, sum + 0.5)
    (0.5, 0.5, 1.5)
    >>> corrected = bias_variance(preds, np.array([1.0, 2.0]), noise_var=0.5)
    >>> corrected.bias2, corrected.variance, corrected.expected_error
    (0.0, 1.0, 1.5)
    """
    P = check_array(predictions, "predictions", "bias_variance", ndim=2)
    f = check_array(f_true, "f_true", "bias_variance", ndim=1)
    if P.shape[1] != f.shape[0]:
        raise ValueError(
            "The 'predictions' parameter of bias_variance must have one column per test point "
            f"(f_true has {f.shape[0]}). Got shape {P.shape} instead."
        )
    noise = check_scalar(noise_var, "noise_var", "bias_variance", min_val=0.0)
    R = P.shape[0]
    if unbiased and R < 2:
        raise ValueError(param_error("predictions", "bias_variance",
                                     "an array with at least 2 rows when unbiased=True", f"{R} row", raw=True))
    f_bar = P.mean(axis=0)  # (n_points,)
    bias2 = float(np.mean((f_bar - f) ** 2))
    variance = float(np.mean(P.var(axis=0)))  # ddof=0
    if unbiased:
        bias2, variance = bias2 - variance / (R - 1), variance * R / (R - 1)
    return BiasVariance(bias2, variance, noise, bias2 + variance + noise)
