r"""PyTorch twin of :mod:`regbook.np.penalties`, plus penalties over a model's parameters.

Same conventions as the NumPy module:
:math:`\text{l2}(w, \lambda) = \frac{\lambda}{2}\lVert w\rVert_2^2`,
:math:`\text{l1}(w, \lambda) = \lambda\lVert w\rVert_1`,
:math:`\text{elastic\_net}(w, \lambda, \rho) = \lambda(\rho\lVert w\rVert_1 + \frac{1-\rho}2\lVert w\rVert_2^2)`.
Penalty values are differentiable 0-d tensors, so they can be added to a loss;
everything stays on the input's device and dtype.

Which parameters are penalized: weight matrices, convolution kernels and
embeddings are; biases and the scale and shift of normalization layers are
not (see :func:`decay_parameters`). Penalizing a bias pulls the model's output
toward 0 for no gain in smoothness, and penalizing a normalization layer's
scale fights the normalization.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from regbook._validation import check_option, check_scalar, check_tensor, param_error

__all__ = ["decay_parameters", "elastic_net", "elastic_net_grad", "l1", "l1_grad", "l2", "l2_grad",
           "model_penalty", "param_groups"]

_NORM_TYPES = (nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm)


def _check(w, lam, caller, l1_ratio=None):
    check_tensor(w, "w", caller)
    lam = check_scalar(lam, "lam", caller, min_val=0.0, max_val=math.inf, closed="left")
    if l1_ratio is None:
        return lam
    return lam, check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)


def l2(w: torch.Tensor, lam: float) -> torch.Tensor:
    r"""L2 penalty :math:`\frac{\lambda}{2}\lVert w\rVert_2^2`, twin of :func:`regbook.np.penalties.l2`.

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    Tensor
        0-d, differentiable with respect to ``w``.

    Examples
    --------
    >>> l2(torch.tensor([3.0, 4.0]), 2.0).item()
    25.0
    """
    lam = _check(w, lam, "l2")
    return 0.5 * lam * (w * w).sum()


def l2_grad(w: torch.Tensor, lam: float) -> torch.Tensor:
    r"""Gradient :math:`\lambda w` of :func:`l2`.

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    Tensor of the shape of ``w``

    Examples
    --------
    >>> l2_grad(torch.tensor([3.0, -4.0]), 0.5).tolist()
    [1.5, -2.0]
    """
    lam = _check(w, lam, "l2_grad")
    return lam * w


def l1(w: torch.Tensor, lam: float) -> torch.Tensor:
    r"""L1 penalty :math:`\lambda\lVert w\rVert_1`, twin of :func:`regbook.np.penalties.l1`.

    Autograd differentiates :math:`|w_j|` at 0 as 0, the minimum-norm
    subgradient, as :func:`l1_grad` does.

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    Tensor
        0-d, differentiable with respect to ``w``.

    Examples
    --------
    >>> l1(torch.tensor([3.0, -4.0]), 0.5).item()
    3.5
    """
    lam = _check(w, lam, "l1")
    return lam * w.abs().sum()


def l1_grad(w: torch.Tensor, lam: float) -> torch.Tensor:
    r"""Minimum-norm subgradient :math:`\lambda\operatorname{sign}(w)` of :func:`l1` (0 at :math:`w_j = 0`).

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    Tensor of the shape of ``w``

    Examples
    --------
    >>> l1_grad(torch.tensor([3.0, 0.0, -4.0]), 0.5).tolist()
    [0.5, 0.0, -0.5]
    """
    lam = _check(w, lam, "l1_grad")
    return lam * torch.sign(w)


def elastic_net(w: torch.Tensor, lam: float, l1_ratio: float) -> torch.Tensor:
    r"""Elastic net :math:`\lambda(\rho\lVert w\rVert_1 + \frac{1-\rho}{2}\lVert w\rVert_2^2)`.

    Twin of :func:`regbook.np.penalties.elastic_net` (scikit-learn's
    ``alpha`` is :math:`\lambda`, ``l1_ratio`` is :math:`\rho`).

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.
    l1_ratio : float
        :math:`\rho \in [0, 1]`.

    Returns
    -------
    Tensor
        0-d, differentiable with respect to ``w``.

    Examples
    --------
    >>> elastic_net(torch.tensor([3.0, -4.0]), 2.0, 0.5).item()
    19.5
    """
    lam, rho = _check(w, lam, "elastic_net", l1_ratio)
    return lam * (rho * w.abs().sum() + 0.5 * (1.0 - rho) * (w * w).sum())


def elastic_net_grad(w: torch.Tensor, lam: float, l1_ratio: float) -> torch.Tensor:
    r"""Minimum-norm subgradient :math:`\lambda(\rho\operatorname{sign}(w) + (1-\rho)w)` of :func:`elastic_net`.

    Parameters
    ----------
    w : Tensor of any shape
    lam : float
        :math:`\lambda \ge 0`.
    l1_ratio : float
        :math:`\rho \in [0, 1]`.

    Returns
    -------
    Tensor of the shape of ``w``

    Examples
    --------
    >>> elastic_net_grad(torch.tensor([2.0, 0.0, -4.0]), 2.0, 0.5).tolist()
    [3.0, 0.0, -5.0]
    """
    lam, rho = _check(w, lam, "elastic_net_grad", l1_ratio)
    return lam * (rho * torch.sign(w) + (1.0 - rho) * w)


# --------------------------------------------------------------------------- model level
def _is_norm(module: nn.Module) -> bool:
    return isinstance(module, _NORM_TYPES) or "Norm" in type(module).__name__


def decay_parameters(model: nn.Module) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    r"""Split a model's parameters into those to penalize and those to leave alone.

    .. math::

        \text{decay} = \{W : W.\text{ndim} \ge 2,\ \text{not a bias},\ \text{not in a norm layer}\}

    The rule, checked in this order for each parameter of each module:

    1. a parameter of a normalization layer (a subclass of torch's
       ``_NormBase``, ``LayerNorm``, ``GroupNorm``, ``LocalResponseNorm``, or
       any module whose class name contains ``"Norm"``, such as regbook's own
       layers or ``RMSNorm``) goes to ``no_decay``;
    2. a parameter whose name ends in ``"bias"``, or with fewer than 2
       dimensions (biases, scales, gains), goes to ``no_decay``;
    3. everything else (``Linear`` and convolution weights, ``Embedding``
       tables) goes to ``decay``.

    Every parameter lands in exactly one list (shared parameters once), in the
    order of ``model.parameters()``; frozen parameters are included.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    decay, no_decay : list of torch.nn.Parameter

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 1))
    >>> decay, no_decay = decay_parameters(model)
    >>> [tuple(p.shape) for p in decay], len(no_decay)   # 2 weights; 2 biases + LayerNorm's 2
    ([(4, 3), (1, 4)], 4)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(param_error("model", "decay_parameters", "a torch.nn.Module", f"a {type(model).__name__}", raw=True))
    decay, no_decay, seen = [], [], set()
    for module in model.modules():
        for name, p in module.named_parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            skip = _is_norm(module) or name.endswith("bias") or p.dim() < 2
            (no_decay if skip else decay).append(p)
    return decay, no_decay


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    r"""Optimizer parameter groups that apply ``weight_decay`` to the weights only.

    .. math::

        \text{groups} = [\{\text{decay}, \mathit{wd}\},\ \{\text{no\_decay}, 0\}]

    With :class:`torch.optim.SGD`, ``weight_decay=wd`` adds :math:`wd\,W` to
    the gradient, which is exactly the gradient of ``l2(W, wd)``; passing these
    groups instead of ``model.parameters()`` keeps biases and normalization
    parameters out of it (see :func:`decay_parameters`).

    Parameters
    ----------
    model : torch.nn.Module
    weight_decay : float
        :math:`\mathit{wd} \ge 0`, the ``lam`` of :func:`l2`.

    Returns
    -------
    list of dict
        ``[{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]``.

    Examples
    --------
    >>> model = nn.Linear(3, 1)
    >>> opt = torch.optim.SGD(param_groups(model, 1e-2), lr=0.1)
    >>> [(len(g["params"]), g["weight_decay"]) for g in opt.param_groups]
    [(1, 0.01), (1, 0.0)]
    """
    wd = check_scalar(weight_decay, "weight_decay", "param_groups", min_val=0.0, max_val=math.inf, closed="left")
    decay, no_decay = decay_parameters(model)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def model_penalty(model: nn.Module, *, kind: str = "l2", lam: float, l1_ratio: float = 0.5) -> torch.Tensor:
    r"""Penalty summed over the weights of a model (biases and norm layers skipped).

    .. math::

        \Omega(\theta) = \sum_{W \in \text{decay}} R(W), \qquad
        R \in \{\text{l2}(\cdot, \lambda),\ \text{l1}(\cdot, \lambda),\ \text{elastic\_net}(\cdot, \lambda, \rho)\}

    with ``decay`` from :func:`decay_parameters`. Add it to the loss before
    ``backward()``.

    Parameters
    ----------
    model : torch.nn.Module
    kind : {"l2", "l1", "elastic_net"}, default="l2"
    lam : float
        :math:`\lambda \ge 0`.
    l1_ratio : float, default=0.5
        :math:`\rho \in [0, 1]`, used by ``kind="elastic_net"`` only.

    Returns
    -------
    Tensor
        0-d, differentiable, on the device and in the dtype of the model's
        first weight (a float 0 when nothing is penalized).

    Examples
    --------
    >>> model = nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = model.weight.copy_(torch.tensor([[3.0, -4.0]])), model.bias.fill_(10.0)
    >>> model_penalty(model, kind="l2", lam=2.0).item()   # the bias is not penalized
    25.0
    """
    caller = "model_penalty"
    kind = check_option(kind, "kind", caller, ("l2", "l1", "elastic_net"))
    lam = check_scalar(lam, "lam", caller, min_val=0.0, max_val=math.inf, closed="left")
    rho = check_scalar(l1_ratio, "l1_ratio", caller, min_val=0.0, max_val=1.0)
    decay, _ = decay_parameters(model)
    if not decay:
        return torch.zeros(())
    l1_part = sum(W.abs().sum() for W in decay) if kind != "l2" else 0.0
    l2_part = sum((W * W).sum() for W in decay) if kind != "l1" else 0.0
    if kind == "l1":
        return lam * l1_part
    if kind == "l2":
        return 0.5 * lam * l2_part
    return lam * (rho * l1_part + 0.5 * (1.0 - rho) * l2_part)
