r"""PyTorch twin of :mod:`regbook.np.clipping`: clip gradients by total norm or by value.

.. math::

    \|g\|_p = \Big\|\big(\|g_1\|_p, \dots, \|g_k\|_p\big)\Big\|_p, \qquad
    g_j \leftarrow \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big)\, g_j .

Written from scratch on the parameters' ``.grad`` tensors (no call to
``torch.nn.utils.clip_grad_norm_``, which the tests use as the reference).
Parameters whose ``.grad`` is ``None`` are skipped. Unlike torch there is no
``foreach`` fast path: one loop over the gradients, under ``torch.no_grad()``.
"""

from __future__ import annotations

import math

import torch

from regbook._validation import check_bool, check_scalar, param_error
from regbook.np.clipping import _EPS, _check_norm_type, _nonfinite_message

__all__ = ["clip_grad_norm", "clip_grad_value"]


def _grads(parameters, caller):
    """The non-None ``.grad`` tensors of a tensor or an iterable of tensors."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(param_error("parameters", caller, "a tensor or an iterable of tensors",
                                    f"a {type(parameters).__name__}", raw=True)) from None
    for p in parameters:
        if not isinstance(p, torch.Tensor):
            raise TypeError(param_error("parameters", caller, "a tensor or an iterable of tensors",
                                        f"an entry of type {type(p).__name__}", raw=True))
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False) -> torch.Tensor:
    r"""Rescale ``.grad`` in place so that the total ``norm_type``-norm is at most ``max_norm``.

    .. math::

        \|g\|_p = \Big\|\big(\|g_1\|_p, \dots, \|g_k\|_p\big)\Big\|_p, \qquad
        g_j \leftarrow \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big)\, g_j .

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor, e.g. ``model.parameters()``
        Tensors whose ``.grad`` (any shape, e.g. (n_features, n_outputs)) is
        clipped in place; those with ``.grad is None`` are skipped.
    max_norm : float
        Largest allowed total norm, in :math:`(0, \infty)`.
    norm_type : float, default=2.0
        Order :math:`p \in (0, \infty]`; ``math.inf`` gives the largest absolute entry.
    error_if_nonfinite : bool, default=False
        If True, a NaN or infinite total norm raises :class:`RuntimeError`
        before any gradient is touched; if False, the gradients are scaled by
        the non-finite coefficient anyway (as torch does).

    Returns
    -------
    total_norm : Tensor, 0-d
        The total norm before clipping (``tensor(0.)`` when no gradient exists).

    Examples
    --------
    >>> import torch
    >>> w = torch.zeros(2, requires_grad=True)
    >>> w.grad = torch.tensor([3.0, 4.0])
    >>> round(float(clip_grad_norm([w], 1.0)), 4)
    5.0
    >>> [round(v, 4) for v in w.grad.tolist()]
    [0.6, 0.8]
    """
    caller = "clip_grad_norm"
    grads = _grads(parameters, caller)
    max_norm = check_scalar(max_norm, "max_norm", caller, min_val=0.0, closed="neither")
    p = _check_norm_type(norm_type, caller)
    error_if_nonfinite = check_bool(error_if_nonfinite, "error_if_nonfinite", caller)
    if not grads:
        return torch.tensor(0.0)
    with torch.no_grad():
        device = grads[0].device
        norms = torch.stack([torch.linalg.vector_norm(g, p).to(device) for g in grads])
        total = torch.linalg.vector_norm(norms, p)
        if error_if_nonfinite and not math.isfinite(float(total)):
            raise RuntimeError(_nonfinite_message(p))
        coef = torch.clamp(max_norm / (total + _EPS), max=1.0)  # clamp keeps a NaN coefficient NaN
        for g in grads:
            g.mul_(coef.to(g.device))
    return total


def clip_grad_value(parameters, clip_value) -> None:
    r"""Clamp every ``.grad`` entry in place to :math:`[-v, v]`.

    .. math::

        g_{j,i} \leftarrow \min\big(v, \max(-v, g_{j,i})\big).

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` (any shape, e.g. (n_features,)) is clamped in
        place; those with ``.grad is None`` are skipped.
    clip_value : float
        The bound :math:`v \in [0, \infty)`.

    Returns
    -------
    None

    Examples
    --------
    >>> import torch
    >>> w = torch.zeros(3, requires_grad=True)
    >>> w.grad = torch.tensor([-3.0, 0.5, 2.0])
    >>> clip_grad_value([w], 1.0)
    >>> [round(v, 4) for v in w.grad.tolist()]
    [-1.0, 0.5, 1.0]
    """
    caller = "clip_grad_value"
    grads = _grads(parameters, caller)
    v = check_scalar(clip_value, "clip_value", caller, min_val=0.0, closed="left")
    with torch.no_grad():
        for g in grads:
            g.clamp_(min=-v, max=v)
