r"""PyTorch twin of :mod:`regbook.np.constraints`: the max-norm constraint.

.. math::

    w_u \leftarrow w_u \cdot \min\!\Big(1, \frac{c}{\lVert w_u \rVert_2}\Big)
    \quad \text{for every unit } u \text{ (row of an } \texttt{nn.Linear.weight}\text{)}.

:func:`max_norm_` works in place on a weight of shape ``(out, in)`` (norm over
``dim=1``); :func:`max_norm` is the out-of-place twin of the NumPy function
(same ``axis`` convention). :func:`max_norm_constraint` returns the ``fn(model)``
that :class:`regbook.pt.training.ConstraintCallback` calls after every step; it
touches weights only, never biases. ``torch.renorm(w, 2, 0, c)`` computes the
same thing except that it divides by :math:`\lVert w_u \rVert + 10^{-7}`, so its
rescaled rows have norm slightly below :math:`c`; here they have norm :math:`c`.
"""

from __future__ import annotations

import torch
from torch import nn

from regbook._validation import check_int, check_tensor, param_error
from regbook.np.constraints import _check_max_norm

__all__ = ["max_norm", "max_norm_", "max_norm_constraint"]


def _scale(w, c, dims):
    norms = torch.sqrt((w * w).sum(dim=dims, keepdim=True))
    return torch.clamp(c / torch.where(norms > 0, norms, torch.ones_like(norms)), max=1.0)


def _check_dim(dim, ndim, name, caller):
    dim = check_int(dim, name, caller)
    if not -ndim <= dim < ndim:
        raise ValueError(param_error(name, caller, f"a dimension of the weight ({ndim} dimensions)", dim))
    return dim


def max_norm(W, *, max_norm, axis=0):
    r"""Out-of-place twin of :func:`regbook.np.constraints.max_norm`.

    .. math::

        W_{:, j} \leftarrow W_{:, j} \cdot \min\!\Big(1, \frac{c}{\lVert W_{:, j} \rVert_2}\Big)
        \quad (\text{norm over } \texttt{axis}).

    Parameters
    ----------
    W : Tensor, e.g. of shape (d_in, d_out)
    max_norm : float
        :math:`c > 0`.
    axis : int, default=0
        Dimension the norm is taken over.

    Returns
    -------
    Tensor of the shape, dtype and device of ``W``

    Examples
    --------
    >>> [round(v, 4) for v in max_norm(torch.tensor([[3.0], [4.0]]), max_norm=1.0).ravel().tolist()]
    [0.6, 0.8]
    """
    caller = "max_norm"
    check_tensor(W, "W", caller)
    c = _check_max_norm(max_norm, caller)
    axis = _check_dim(axis, W.dim(), "axis", caller)
    return W * _scale(W, c, axis)


def max_norm_(weight, max_norm, *, dim=1):
    r"""Rescale, in place, every unit's incoming weights to norm at most ``max_norm``.

    .. math::

        W_{u, :} \leftarrow W_{u, :} \cdot \min\!\Big(1, \frac{c}{\lVert W_{u, :} \rVert_2}\Big).

    Parameters
    ----------
    weight : Tensor of shape (out, in)
        E.g. ``nn.Linear.weight`` (a Parameter is modified under ``torch.no_grad()``).
        For a weight with more than 2 dimensions (a convolution) the norm is over
        every dimension but 0 when ``dim=1``.
    max_norm : float
        :math:`c > 0`.
    dim : int, default=1
        Dimension the norm is taken over (1: per row, i.e. per output unit).

    Returns
    -------
    Tensor
        ``weight`` itself.

    Examples
    --------
    >>> layer = torch.nn.Linear(2, 2)
    >>> with torch.no_grad():
    ...     _ = layer.weight.copy_(torch.tensor([[3.0, 4.0], [0.3, 0.4]]))
    >>> _ = max_norm_(layer.weight, 1.0)
    >>> [round(float(v), 4) for v in layer.weight.detach().norm(dim=1)]
    [1.0, 0.5]
    """
    caller = "max_norm_"
    check_tensor(weight, "weight", caller)
    c = _check_max_norm(max_norm, caller)
    dim = _check_dim(dim, weight.dim(), "dim", caller)
    dims = dim
    if weight.dim() > 2 and dim in (1, 1 - weight.dim()):
        dims = tuple(range(1, weight.dim()))
    with torch.no_grad():
        weight.mul_(_scale(weight, c, dims))
    return weight


def max_norm_constraint(max_norm, *, modules=(nn.Linear,)):
    r"""A ``fn(model)`` applying :func:`max_norm_` to the weight of every module of the given types.

    .. math::

        \forall \text{ layers } \ell,\ \forall u:\ W^{(\ell)}_{u, :} \leftarrow W^{(\ell)}_{u, :}
        \min\!\Big(1, \frac{c}{\lVert W^{(\ell)}_{u, :} \rVert_2}\Big); \quad \text{biases unchanged.}

    Parameters
    ----------
    max_norm : float
        :math:`c > 0`.
    modules : tuple of type, default=(nn.Linear,)
        Module classes whose ``weight`` is constrained (e.g. add ``nn.Conv2d``).

    Returns
    -------
    callable
        ``fn(model)``, for :class:`regbook.pt.training.ConstraintCallback`.

    Examples
    --------
    >>> model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    >>> with torch.no_grad():
    ...     _ = model[0].weight.mul_(100.0)
    >>> max_norm_constraint(2.0)(model)
    >>> round(float(model[0].weight.detach().norm(dim=1).max()), 4)
    2.0
    """
    caller = "max_norm_constraint"
    c = _check_max_norm(max_norm, caller)
    if isinstance(modules, type):
        modules = (modules,)
    if not (isinstance(modules, tuple) and modules
            and all(isinstance(m, type) and issubclass(m, nn.Module) for m in modules)):
        raise TypeError(param_error("modules", caller, "a non-empty tuple of nn.Module subclasses", modules))

    def constrain(model):
        if not isinstance(model, nn.Module):
            raise TypeError(param_error("model", caller, "a torch.nn.Module", f"a {type(model).__name__}", raw=True))
        for module in model.modules():
            if isinstance(module, modules) and isinstance(getattr(module, "weight", None), torch.Tensor):
                max_norm_(module.weight, c, dim=1)

    return constrain
