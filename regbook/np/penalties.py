r"""Weight penalties in NumPy: L2, L1, elastic net, their (sub)gradients and a KKT check.

The book uses one convention for every penalty, chosen so that ``lam`` is the
coefficient of the penalty's gradient and the elastic net matches scikit-learn:

.. math::

    \text{l2}(w, \lambda) = \frac{\lambda}{2}\lVert w\rVert_2^2, \qquad
    \text{l1}(w, \lambda) = \lambda\lVert w\rVert_1, \qquad
    \text{elastic\_net}(w, \lambda, \rho) = \lambda\Bigl(\rho\lVert w\rVert_1
        + \frac{1-\rho}{2}\lVert w\rVert_2^2\Bigr),

added to a mean loss :math:`\frac1n\sum_i \ell_i`. The same penalty in other
conventions, and the ``lam`` of this module that gives the same minimizer (with
the per-sample loss :math:`\ell` as that convention writes it):

- Keras ``l2(l)``, :math:`l\lVert w\rVert_2^2`: ``lam = 2 * l``;
  Keras ``l1(l)``, :math:`l\lVert w\rVert_1`: ``lam = l``.
- TensorFlow ``c * tf.nn.l2_loss(w)``, :math:`c\lVert w\rVert_2^2 / 2`: ``lam = c``.
- PyTorch ``SGD(weight_decay=wd)`` adds :math:`wd\, w` to the gradient: ``lam = wd``.
- Courses' :math:`\frac{\lambda_s}{2n}\lVert w\rVert_2^2`: ``lam = lambda_s / n``.
- scikit-learn ``Ridge(alpha)``, :math:`\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert^2`
  (a summed, not mean, loss): ``lam = 2 * alpha / n``.
- scikit-learn ``Lasso(alpha)`` and ``ElasticNet(alpha, l1_ratio)``: ``lam = alpha``,
  same ``l1_ratio``.
- scikit-learn ``LogisticRegression(C)``, :math:`C\sum_i \ell_i + \frac12\lVert w\rVert^2`:
  ``lam = 1 / (n * C)``.

(scikit-learn's lasso and elastic-net data term is :math:`\frac1{2n}\lVert y-Xw\rVert^2`,
so its penalty is exactly ``elastic_net(w, alpha, l1_ratio)``.) Penalties sum
over all entries of ``w``, whatever its shape; values are returned as Python
floats and gradients as arrays of the shape of ``w``.
"""

from __future__ import annotations

import math

import numpy as np

from regbook._validation import check_array, check_scalar, param_error

__all__ = ["elastic_net", "elastic_net_grad", "enet_kkt_violation", "l1", "l1_grad", "l2", "l2_grad"]


def _check(w, lam, caller, l1_ratio=None):
    """Validate the common arguments (w of any shape, lam >= 0, l1_ratio in [0, 1])."""
    w = check_array(w, "w", caller, min_samples=0)
    lam = check_scalar(lam, "lam", caller, min_val=0.0, max_val=math.inf, closed="left")
    if l1_ratio is None:
        return w, lam
    return w, lam, check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)


def l2(w, lam) -> float:
    r"""L2 penalty (ridge, weight decay).

    .. math::

        R(w) = \frac{\lambda}{2}\lVert w\rVert_2^2 = \frac{\lambda}{2}\sum_j w_j^2

    Parameters
    ----------
    w : array_like of any shape, e.g. (n_features,) or (n_out, n_in)
        Weights :math:`w`.
    lam : float
        Strength :math:`\lambda \ge 0` (Keras ``l2(l)`` is ``lam = 2 * l``).

    Returns
    -------
    float

    Examples
    --------
    >>> l2([3.0, 4.0], 2.0)   # 2/2 * (9 + 16)
    25.0
    """
    w, lam = _check(w, lam, "l2")
    return 0.5 * lam * float(np.sum(w * w))


def l2_grad(w, lam) -> np.ndarray:
    r"""Gradient of :func:`l2`.

    .. math::

        \nabla R(w) = \lambda w

    Parameters
    ----------
    w : array_like of any shape
    lam : float
        Strength :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray of the shape of ``w``

    Examples
    --------
    >>> l2_grad([3.0, -4.0], 0.5).tolist()
    [1.5, -2.0]
    """
    w, lam = _check(w, lam, "l2_grad")
    return lam * w


def l1(w, lam) -> float:
    r"""L1 penalty (lasso).

    .. math::

        R(w) = \lambda\lVert w\rVert_1 = \lambda\sum_j |w_j|

    Parameters
    ----------
    w : array_like of any shape
    lam : float
        Strength :math:`\lambda \ge 0` (Keras ``l1(l)`` and scikit-learn
        ``Lasso(alpha)``: ``lam = l = alpha``).

    Returns
    -------
    float

    Examples
    --------
    >>> l1([3.0, -4.0], 0.5)
    3.5
    """
    w, lam = _check(w, lam, "l1")
    return lam * float(np.sum(np.abs(w)))


def l1_grad(w, lam) -> np.ndarray:
    r"""Minimum-norm subgradient of :func:`l1`.

    .. math::

        g_j = \lambda \operatorname{sign}(w_j), \qquad
        \partial R(w)_j = \begin{cases} \{\lambda\operatorname{sign}(w_j)\} & w_j \ne 0 \\
                          [-\lambda, \lambda] & w_j = 0 \end{cases}

    :math:`|w|` has no derivative at 0: every value in :math:`[-\lambda, \lambda]`
    is a valid subgradient there. This function returns 0, the element of
    smallest norm, which is also what ``torch.abs`` backpropagates.

    Parameters
    ----------
    w : array_like of any shape
    lam : float
        Strength :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray of the shape of ``w``

    Examples
    --------
    >>> l1_grad([3.0, 0.0, -4.0], 0.5).tolist()
    [0.5, 0.0, -0.5]
    """
    w, lam = _check(w, lam, "l1_grad")
    return lam * np.sign(w)


def elastic_net(w, lam, l1_ratio) -> float:
    r"""Elastic-net penalty, scikit-learn's parameterization (``alpha`` = :math:`\lambda`).

    .. math::

        R(w) = \lambda\Bigl(\rho\lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2\Bigr)

    ``l1_ratio`` :math:`\rho = 1` gives :func:`l1`, :math:`\rho = 0` gives :func:`l2`.

    Parameters
    ----------
    w : array_like of any shape
    lam : float
        Strength :math:`\lambda \ge 0` (scikit-learn's ``alpha``).
    l1_ratio : float
        Mixing :math:`\rho \in [0, 1]`.

    Returns
    -------
    float

    Examples
    --------
    >>> elastic_net([3.0, -4.0], 2.0, 0.5)   # 2 * (0.5 * 7 + 0.25 * 25)
    19.5
    """
    w, lam, rho = _check(w, lam, "elastic_net", l1_ratio)
    return lam * (rho * float(np.sum(np.abs(w))) + 0.5 * (1.0 - rho) * float(np.sum(w * w)))


def elastic_net_grad(w, lam, l1_ratio) -> np.ndarray:
    r"""Minimum-norm subgradient of :func:`elastic_net`.

    .. math::

        g_j = \lambda\bigl(\rho\operatorname{sign}(w_j) + (1-\rho) w_j\bigr),

    the gradient wherever :math:`w_j \ne 0`; at :math:`w_j = 0` the
    subdifferential is :math:`[-\lambda\rho, \lambda\rho]` and 0 is returned.

    Parameters
    ----------
    w : array_like of any shape
    lam : float
        Strength :math:`\lambda \ge 0`.
    l1_ratio : float
        Mixing :math:`\rho \in [0, 1]`.

    Returns
    -------
    ndarray of the shape of ``w``

    Examples
    --------
    >>> elastic_net_grad([2.0, 0.0, -4.0], 2.0, 0.5).tolist()
    [3.0, 0.0, -5.0]
    """
    w, lam, rho = _check(w, lam, "elastic_net_grad", l1_ratio)
    return lam * (rho * np.sign(w) + (1.0 - rho) * w)


def enet_kkt_violation(w, grad_loss, *, alpha, l1_ratio=1.0) -> float:
    r"""How far ``w`` is from minimizing ``loss + elastic_net(w, alpha, l1_ratio)``.

    ``w`` minimizes a convex :math:`L(w) + R(w)` iff :math:`-\nabla L(w) \in \partial R(w)`
    (the KKT condition). This returns the largest distance, over coordinates,
    from :math:`-\nabla L(w)_j` to the subdifferential of the elastic net:

    .. math::

        v = \max_j \begin{cases}
            \bigl|\nabla L(w)_j + \alpha\rho\operatorname{sign}(w_j) + \alpha(1-\rho)w_j\bigr| & w_j \ne 0 \\
            \max\bigl(|\nabla L(w)_j| - \alpha\rho,\ 0\bigr) & w_j = 0
        \end{cases}

    :math:`v = 0` exactly at a minimizer. For scikit-learn's lasso, with
    :math:`L(w) = \frac1{2n}\lVert y - Xw\rVert^2`, ``grad_loss = -X.T @ (y - X @ w) / n``.

    Parameters
    ----------
    w : array_like of any shape, e.g. (n_features,)
        The candidate solution.
    grad_loss : array_like of the shape of ``w``
        :math:`\nabla L(w)`, the gradient of the smooth loss alone at ``w``.
    alpha : float
        Strength :math:`\alpha \ge 0`.
    l1_ratio : float, default=1.0
        Mixing :math:`\rho \in [0, 1]` (1: lasso).

    Returns
    -------
    float
        :math:`v \ge 0` (``0.0`` for an empty ``w``).

    Examples
    --------
    >>> enet_kkt_violation([0.0, 1.0], [-0.5, -1.0], alpha=1.0)   # both conditions hold
    0.0
    >>> enet_kkt_violation([0.0, 1.0], [-1.5, -1.0], alpha=1.0)   # |g_0| exceeds alpha by 0.5
    0.5
    """
    caller = "enet_kkt_violation"
    w = check_array(w, "w", caller, min_samples=0)
    g = check_array(grad_loss, "grad_loss", caller, min_samples=0)
    if g.shape != w.shape:
        raise ValueError(param_error("grad_loss", caller, f"an array of the shape of w, {w.shape}", g))
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, max_val=math.inf, closed="left")
    rho = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    if w.size == 0:
        return 0.0
    active = np.abs(g + alpha * rho * np.sign(w) + alpha * (1.0 - rho) * w)  # w_j != 0
    inactive = np.maximum(np.abs(g) - alpha * rho, 0.0)  # w_j == 0: |g_j| <= alpha * rho
    return float(np.max(np.where(w != 0, active, inactive)))
