r"""PyTorch twin of :mod:`regbook.np.label_smoothing`, written from scratch.

.. math::

    q = (1-\varepsilon)\, t + \frac{\varepsilon}{k}, \qquad
    L = -\frac1n \sum_i \sum_j q_{ij} \big(z_{ij} - \operatorname{logsumexp}(z_i)\big).

The log-softmax is computed with ``torch.logsumexp``; autograd gives
:math:`(\operatorname{softmax}(z) - q)/n`. The tests compare against
``torch.nn.functional.cross_entropy(..., label_smoothing=eps)``.
"""

from __future__ import annotations

import torch
from torch import nn

from regbook._validation import check_int, check_tensor, param_error
from regbook.np.label_smoothing import _check_epsilon

__all__ = ["LabelSmoothingCrossEntropy", "cross_entropy", "smooth_labels"]


def _check_labels(y, n_classes, name, caller):
    if not isinstance(y, torch.Tensor):
        raise TypeError(param_error(name, caller, "a torch.Tensor", f"a {type(y).__name__}", raw=True))
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(param_error(name, caller, "a tensor of integer class labels", f"dtype {y.dtype}", raw=True))
    if len(y) and (int(y.min()) < 0 or int(y.max()) >= n_classes):
        raise ValueError(param_error(name, caller, f"a tensor of labels in [0, {n_classes})",
                                     f"labels in [{int(y.min())}, {int(y.max())}]", raw=True))
    return y.long()


def smooth_labels(y, n_classes, *, epsilon, dtype=torch.float32):
    r"""Twin of :func:`regbook.np.label_smoothing.smooth_labels`.

    .. math::

        q_{ij} = (1 - \varepsilon)\,[y_i = j] + \frac{\varepsilon}{k}.

    Parameters
    ----------
    y : Tensor of int, shape (n,)
    n_classes : int
        :math:`k \ge 2`.
    epsilon : float
        :math:`\varepsilon \in [0, 1]`.
    dtype : torch.dtype, default=torch.float32

    Returns
    -------
    Tensor of shape (n, k) on ``y``'s device

    Examples
    --------
    >>> [round(v, 4) for v in smooth_labels(torch.tensor([1]), 4, epsilon=0.2)[0].tolist()]
    [0.05, 0.85, 0.05, 0.05]
    """
    caller = "smooth_labels"
    n_classes = check_int(n_classes, "n_classes", caller, min_val=2)
    epsilon = _check_epsilon(epsilon, "epsilon", caller)
    if isinstance(y, torch.Tensor) and y.dim() != 1:
        raise ValueError(f"The 'y' parameter of {caller} must be a 1D tensor (got {y.dim()}D input).")
    y = _check_labels(y, n_classes, "y", caller)
    return (1.0 - epsilon) * nn.functional.one_hot(y, n_classes).to(dtype) + epsilon / n_classes


def cross_entropy(logits, targets, label_smoothing=0.0):
    r"""Mean cross-entropy with label smoothing, torch's convention, from scratch.

    .. math::

        L = -\frac1n \sum_i \sum_j q_{ij} \log \operatorname{softmax}(z_i)_j, \quad
        q = (1-\varepsilon)\, t + \varepsilon / k .

    Parameters
    ----------
    logits : Tensor of shape (n, k), floating point
    targets : Tensor of int, shape (n,), or floating, shape (n, k)
        Labels in :math:`[0, k)` or target probabilities (e.g. from mixup).
    label_smoothing : float, default=0.0
        :math:`\varepsilon \in [0, 1]`.

    Returns
    -------
    Tensor
        0-dimensional, differentiable.

    Examples
    --------
    >>> z = torch.log(torch.tensor([[0.7, 0.2, 0.1]], dtype=torch.float64))
    >>> round(float(cross_entropy(z, torch.tensor([0]), label_smoothing=0.3)), 4)
    0.6765
    """
    caller = "cross_entropy"
    check_tensor(logits, "logits", caller, ndim=2)
    eps = _check_epsilon(label_smoothing, "label_smoothing", caller)
    n, k = logits.shape
    if isinstance(targets, torch.Tensor) and targets.dim() == 2 and targets.is_floating_point():
        check_tensor(targets, "targets", caller)
        if tuple(targets.shape) != (n, k):
            raise ValueError(param_error("targets", caller, f"integer labels (n,) or probabilities of shape {(n, k)}",
                                         f"shape {tuple(targets.shape)}", raw=True))
        t = targets.to(logits.dtype)
    elif isinstance(targets, torch.Tensor) and targets.dim() == 1:
        y = _check_labels(targets, k, "targets", caller)
        if len(y) != n:
            raise ValueError(f"Inconsistent numbers of samples in {caller}: logits has {n}, targets has {len(y)}.")
        t = nn.functional.one_hot(y.to(logits.device), k).to(logits.dtype)
    else:
        got = f"a {type(targets).__name__}" if not isinstance(targets, torch.Tensor) else \
            f"a tensor of shape {tuple(targets.shape)} and dtype {targets.dtype}"
        raise TypeError(param_error("targets", caller, "a tensor of integer labels (n,) or probabilities (n, k)",
                                    got, raw=True))
    q = (1.0 - eps) * t + eps / k
    log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    return -(q * log_p).sum() / n


class LabelSmoothingCrossEntropy(nn.Module):
    r"""Label-smoothed cross-entropy as a loss module: :func:`cross_entropy` with fixed :math:`\varepsilon`.

    .. math::

        L(z, t) = -\frac1n \sum_i \sum_j \big((1-\varepsilon) t_{ij} + \tfrac{\varepsilon}{k}\big)
        \log \operatorname{softmax}(z_i)_j .

    Parameters
    ----------
    epsilon : float, default=0.1
        :math:`\varepsilon \in [0, 1]`.

    Examples
    --------
    >>> loss = LabelSmoothingCrossEntropy(0.1)
    >>> loss
    LabelSmoothingCrossEntropy(epsilon=0.1)
    >>> round(float(loss(torch.zeros(2, 4), torch.tensor([0, 3]))), 6)   # uniform logits: log k
    1.386294
    """

    def __init__(self, epsilon=0.1):
        super().__init__()
        self.epsilon = _check_epsilon(epsilon, "epsilon", "LabelSmoothingCrossEntropy")

    def forward(self, logits, targets):
        return cross_entropy(logits, targets, label_smoothing=self.epsilon)

    def extra_repr(self) -> str:
        return f"epsilon={self.epsilon}"
