r"""Proximal operators of the L1, L2 and elastic-net penalties, in NumPy.

The proximal operator of a penalty :math:`tR` maps a point :math:`x` to

.. math::

    \operatorname{prox}_{tR}(x) = \operatorname*{argmin}_z\ \tfrac12\lVert z - x\rVert_2^2 + t R(z),

the point that trades closeness to :math:`x` against a small penalty. Its
optimality condition is :math:`(x - z)/t \in \partial R(z)`. A proximal
gradient step (ISTA) is a gradient step on the smooth loss followed by
:math:`\operatorname{prox}_{\eta R}` with the step size :math:`\eta`; for the L1
penalty this is what produces coefficients that are exactly zero.

The penalties are those of :mod:`regbook.np.penalties` with :math:`\lambda = 1`:
:math:`R(z) = \lVert z\rVert_1`, :math:`\frac12\lVert z\rVert_2^2` and
:math:`\rho\lVert z\rVert_1 + \frac{1-\rho}2\lVert z\rVert_2^2`; for a strength
:math:`\lambda` pass ``t = step * lam``. All three act coordinate by
coordinate, so ``t`` may also be an array (one threshold per coordinate,
e.g. a weighted lasso).
"""

from __future__ import annotations

import math

import numpy as np

from regbook._validation import check_array, check_scalar, param_error

__all__ = ["prox_elastic_net", "prox_l2", "soft_threshold"]


def _check_x_t(x, t, caller):
    """x: array of any shape; t: float >= 0, or an array >= 0 broadcastable to x."""
    x = check_array(x, "x", caller, min_samples=0)
    if not isinstance(t, (np.ndarray, list, tuple)):  # a scalar (check_scalar refuses bools and strings)
        return x, check_scalar(t, "t", caller, min_val=0.0, max_val=math.inf, closed="left")
    t = check_array(t, "t", caller, min_samples=0)
    if np.any(t < 0):
        got = f"an array with {int(np.sum(t < 0))} negative entries (min {float(t.min())!r})"
        raise ValueError(param_error("t", caller, "a float or an array in the range [0.0, inf)", got, raw=True))
    if t.ndim > x.ndim or any(a not in (1, b) for a, b in zip(t.shape[::-1], x.shape[::-1])):
        raise ValueError(param_error("t", caller, f"a float or an array broadcastable to x's shape {x.shape}", t))
    return x, t


def _soft_threshold(x, t):
    # z = sign(x) * max(|x| - t, 0)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def soft_threshold(x, t) -> np.ndarray:
    r"""Soft thresholding, the proximal operator of the L1 norm.

    .. math::

        \operatorname*{argmin}_z\ \tfrac12\lVert z - x\rVert_2^2 + t\lVert z\rVert_1
        \;=\; \operatorname{sign}(x)\,\max(|x| - t,\ 0)

    Entries with :math:`|x_j| \le t` become exactly 0; the others move toward 0
    by :math:`t`.

    Parameters
    ----------
    x : array_like of any shape, e.g. (n_features,)
        The point :math:`x`.
    t : float or array_like broadcastable to the shape of ``x``
        Threshold :math:`t \ge 0` (all entries :math:`\ge 0` for an array).

    Returns
    -------
    ndarray of the shape of ``x`` (float64; a NumPy scalar for a scalar ``x``)

    Examples
    --------
    >>> soft_threshold([-3.0, 0.0, 0.5, 3.0], 1.0).tolist()
    [-2.0, 0.0, 0.0, 2.0]
    """
    x, t = _check_x_t(x, t, "soft_threshold")
    return _soft_threshold(x, t)


def prox_l2(x, t) -> np.ndarray:
    r"""Proximal operator of the squared L2 norm: a uniform shrinkage.

    .. math::

        \operatorname*{argmin}_z\ \tfrac12\lVert z - x\rVert_2^2 + \frac t2\lVert z\rVert_2^2
        \;=\; \frac{x}{1 + t}

    No entry becomes zero unless it was zero: this is why ridge does not
    select features.

    Parameters
    ----------
    x : array_like of any shape
        The point :math:`x`.
    t : float or array_like broadcastable to the shape of ``x``
        :math:`t \ge 0`.

    Returns
    -------
    ndarray of the shape of ``x`` (float64; a NumPy scalar for a scalar ``x``)

    Examples
    --------
    >>> prox_l2([2.0, -4.0], 1.0).tolist()
    [1.0, -2.0]
    """
    x, t = _check_x_t(x, t, "prox_l2")
    return x / (1.0 + t)


def prox_elastic_net(x, t, l1_ratio) -> np.ndarray:
    r"""Proximal operator of the elastic-net penalty: soft thresholding, then shrinkage.

    .. math::

        \operatorname*{argmin}_z\ \tfrac12\lVert z - x\rVert_2^2
            + t\Bigl(\rho\lVert z\rVert_1 + \frac{1-\rho}{2}\lVert z\rVert_2^2\Bigr)
        \;=\; \frac{\operatorname{sign}(x)\max(|x| - t\rho,\ 0)}{1 + t(1-\rho)}

    ``l1_ratio`` :math:`\rho = 1` gives :func:`soft_threshold`, :math:`\rho = 0`
    gives :func:`prox_l2`.

    Parameters
    ----------
    x : array_like of any shape
        The point :math:`x`.
    t : float or array_like broadcastable to the shape of ``x``
        :math:`t \ge 0`.
    l1_ratio : float
        Mixing :math:`\rho \in [0, 1]`, as in scikit-learn's ``ElasticNet``.

    Returns
    -------
    ndarray of the shape of ``x`` (float64; a NumPy scalar for a scalar ``x``)

    Examples
    --------
    >>> prox_elastic_net([-3.0, 0.5, 3.0], 2.0, 0.5).tolist()   # threshold 1, then divide by 2
    [-1.0, 0.0, 1.0]
    """
    x, t = _check_x_t(x, t, "prox_elastic_net")
    rho = check_scalar(l1_ratio, "l1_ratio", "prox_elastic_net", min_val=0.0, max_val=1.0)
    return _soft_threshold(x, t * rho) / (1.0 + t * (1.0 - rho))
