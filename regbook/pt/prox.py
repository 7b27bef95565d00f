r"""PyTorch twin of :mod:`regbook.np.prox`, plus in-place proximal steps for training.

:math:`\operatorname{prox}_{tR}(x) = \operatorname{argmin}_z \tfrac12\lVert z - x\rVert_2^2 + tR(z)`
for the L1, L2 and elastic-net penalties, with the same closed forms as the
NumPy module. The functional forms are differentiable where the closed form is.

Proximal SGD for an L1 (or elastic-net) penalty is plain SGD on the loss
followed, after each ``optimizer.step()``, by the prox of the penalty with
``t = lr * lam``:

.. code-block:: python

    loss.backward()
    optimizer.step()                                # w <- w - lr * grad L(w)
    prox_l1_(decay_parameters(model)[0], lr * lam)  # w <- soft_threshold(w, lr * lam)

Unlike a subgradient step on ``loss + l1(w, lam)``, this sets small weights to
exactly zero.
"""

from __future__ import annotations

import math

import torch

from regbook._validation import check_scalar, check_tensor, param_error

__all__ = ["prox_elastic_net", "prox_elastic_net_", "prox_l1_", "prox_l2", "soft_threshold"]


def _check_x_t(x, t, caller):
    """x: floating tensor; t: float >= 0, or a tensor >= 0 broadcastable to x."""
    check_tensor(x, "x", caller)
    if not isinstance(t, torch.Tensor):  # a scalar (check_scalar refuses bools and strings)
        return check_scalar(t, "t", caller, min_val=0.0, max_val=math.inf, closed="left")
    check_tensor(t, "t", caller)
    if bool((t < 0).any()):
        got = f"a tensor with {int((t < 0).sum())} negative entries (min {t.min().item()!r})"
        raise ValueError(param_error("t", caller, "a float or a tensor in the range [0.0, inf)", got, raw=True))
    if t.dim() > x.dim() or any(a not in (1, b) for a, b in zip(t.shape[::-1], x.shape[::-1])):
        got = f"a tensor of shape {tuple(t.shape)}"
        raise ValueError(param_error("t", caller, f"a float or a tensor broadcastable to x's shape {tuple(x.shape)}", got, raw=True))
    return t


def _soft_threshold(x, t):
    # z = sign(x) * max(|x| - t, 0)
    return torch.sign(x) * torch.clamp(x.abs() - t, min=0.0)


def soft_threshold(x: torch.Tensor, t) -> torch.Tensor:
    r"""Soft thresholding, :math:`\operatorname{argmin}_z \tfrac12\lVert z - x\rVert^2 + t\lVert z\rVert_1 = \operatorname{sign}(x)\max(|x| - t, 0)`.

    Twin of :func:`regbook.np.prox.soft_threshold`.

    Parameters
    ----------
    x : Tensor of any shape
    t : float or Tensor broadcastable to the shape of ``x``
        :math:`t \ge 0`.

    Returns
    -------
    Tensor of the shape, dtype and device of ``x``

    Examples
    --------
    >>> soft_threshold(torch.tensor([-3.0, 0.5, 3.0]), 1.0).tolist()
    [-2.0, 0.0, 2.0]
    """
    t = _check_x_t(x, t, "soft_threshold")
    return _soft_threshold(x, t)


def prox_l2(x: torch.Tensor, t) -> torch.Tensor:
    r"""Shrinkage, :math:`\operatorname{argmin}_z \tfrac12\lVert z - x\rVert^2 + \frac t2\lVert z\rVert^2 = x / (1 + t)`.

    Twin of :func:`regbook.np.prox.prox_l2`.

    Parameters
    ----------
    x : Tensor of any shape
    t : float or Tensor broadcastable to the shape of ``x``
        :math:`t \ge 0`.

    Returns
    -------
    Tensor of the shape, dtype and device of ``x``

    Examples
    --------
    >>> prox_l2(torch.tensor([2.0, -4.0]), 1.0).tolist()
    [1.0, -2.0]
    """
    t = _check_x_t(x, t, "prox_l2")
    return x / (1.0 + t)


def prox_elastic_net(x: torch.Tensor, t, l1_ratio: float) -> torch.Tensor:
    r"""Prox of :math:`t(\rho\lVert z\rVert_1 + \frac{1-\rho}2\lVert z\rVert^2)`: :math:`\operatorname{sign}(x)\max(|x| - t\rho, 0) / (1 + t(1-\rho))`.

    Twin of :func:`regbook.np.prox.prox_elastic_net`.

    Parameters
    ----------
    x : Tensor of any shape
    t : float or Tensor broadcastable to the shape of ``x``
        :math:`t \ge 0`.
    l1_ratio : float
        :math:`\rho \in [0, 1]`.

    Returns
    -------
    Tensor of the shape, dtype and device of ``x``

    Examples
    --------
    >>> prox_elastic_net(torch.tensor([-3.0, 0.5, 3.0]), 2.0, 0.5).tolist()
    [-1.0, 0.0, 1.0]
    """
    t = _check_x_t(x, t, "prox_elastic_net")
    rho = check_scalar(l1_ratio, "l1_ratio", "prox_elastic_net", min_val=0.0, max_val=1.0)
    return _soft_threshold(x, t * rho) / (1.0 + t * (1.0 - rho))


def _check_params(params, caller):
    params = [params] if isinstance(params, torch.Tensor) else list(params)
    for p in params:
        check_tensor(p, "params", caller)
    return params


def prox_l1_(params, t: float) -> int:
    r"""Soft-threshold parameters in place: :math:`W \leftarrow \operatorname{sign}(W)\max(|W| - t, 0)`.

    Call it right after ``optimizer.step()`` with ``t = lr * lam`` to run
    proximal SGD on ``loss + l1(W, lam)``. Runs under :func:`torch.no_grad`.

    Parameters
    ----------
    params : Tensor or iterable of Tensor
        E.g. ``decay_parameters(model)[0]``, so that biases are not thresholded.
    t : float
        :math:`t \ge 0`.

    Returns
    -------
    int
        The number of entries that are exactly zero afterwards, over all ``params``.

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.tensor([-3.0, 0.5, 3.0]))
    >>> prox_l1_([w], 1.0), w.tolist()
    (1, [-2.0, 0.0, 2.0])
    """
    params = _check_params(params, "prox_l1_")
    t = check_scalar(t, "t", "prox_l1_", min_val=0.0, max_val=math.inf, closed="left")
    return _prox_enet_inplace(params, t, 1.0)


def prox_elastic_net_(params, t: float, l1_ratio: float) -> int:
    r"""In-place elastic-net prox: :math:`W \leftarrow \operatorname{sign}(W)\max(|W| - t\rho, 0) / (1 + t(1-\rho))`.

    The proximal-SGD step for ``loss + elastic_net(W, lam, l1_ratio)`` with
    ``t = lr * lam``; see :func:`prox_l1_`.

    Parameters
    ----------
    params : Tensor or iterable of Tensor
    t : float
        :math:`t \ge 0`.
    l1_ratio : float
        :math:`\rho \in [0, 1]`.

    Returns
    -------
    int
        The number of entries that are exactly zero afterwards.

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.tensor([-3.0, 0.5, 3.0]))
    >>> prox_elastic_net_(w, 2.0, 0.5), w.tolist()
    (1, [-1.0, 0.0, 1.0])
    """
    caller = "prox_elastic_net_"
    params = _check_params(params, caller)
    t = check_scalar(t, "t", caller, min_val=0.0, max_val=math.inf, closed="left")
    rho = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    return _prox_enet_inplace(params, t, rho)


def _prox_enet_inplace(params, t, rho):
    n_zero = 0
    with torch.no_grad():
        for p in params:
            p.copy_(_soft_threshold(p, t * rho) / (1.0 + t * (1.0 - rho)))
            n_zero += int((p == 0).sum())
    return n_zero
