r"""PyTorch twin of :mod:`regbook.np.dropout`: inverted dropout and Monte Carlo dropout.

Same convention as the NumPy module and as torch: ``p`` is the **drop**
probability, kept units are scaled by :math:`1/(1-p)` during training, and
evaluation is the identity:

.. math::

    \text{out} = \frac{m}{1-p} \odot x,\quad m_i \sim \operatorname{Bernoulli}(1-p),
    \qquad \mathbb{E}[\text{out}] = x, \qquad \operatorname{Var}[\text{out}_i] = \frac{p}{1-p}\,x_i^2 .

Written from scratch (no call to ``torch.nn.functional.dropout``, which the
tests use as the reference); autograd differentiates ``x * mask``, so the
gradient is ``mask * dout``, as in :func:`regbook.np.dropout.dropout_backward`.
The mask lives on ``x``'s device and in ``x``'s dtype.
"""

from __future__ import annotations

import torch
from torch import nn

from regbook._validation import check_bool, check_int, check_tensor, param_error
from regbook.np.dropout import _check_p  # p in [0, 1), the same message as the NumPy twin

__all__ = ["Dropout", "dropout", "mc_dropout_predict"]


def _check_generator(generator, device, caller):
    if generator is None:
        return None
    if not isinstance(generator, torch.Generator):
        raise TypeError(param_error("generator", caller, "a torch.Generator or None", generator))
    if generator.device.type != device.type:
        raise ValueError(param_error("generator", caller, f"a torch.Generator on the input's device ({device.type})",
                                     f"a generator on {generator.device.type}", raw=True))
    return generator


def _scaled_mask(keep, p, dtype):
    return keep.to(dtype) / (1.0 - p)  # 0 or 1/(1-p), in x's dtype


def dropout(x: torch.Tensor, p: float = 0.5, training: bool = True, generator=None) -> torch.Tensor:
    r"""Inverted dropout, twin of :func:`regbook.np.dropout.dropout_forward`.

    .. math::

        \text{out} = \frac{m}{1-p} \odot x,\quad m_i \sim \operatorname{Bernoulli}(1-p)
        \ \ \text{(training)}; \qquad \text{out} = x \ \ \text{(evaluation)}.

    Parameters
    ----------
    x : Tensor of any shape, e.g. (n_samples, n_features)
        Floating point, finite, on any device.
    p : float, default=0.5
        Drop probability :math:`p \in [0, 1)`; ``p = 1`` is refused (the scale
        :math:`1/(1-p)` would divide by zero).
    training : bool, default=True
        Draw a mask (True) or return ``x`` itself (False).
    generator : torch.Generator or None, default=None
        Source of the mask, on ``x``'s device; ``None`` uses torch's global generator.

    Returns
    -------
    Tensor of the shape, dtype and device of ``x``

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> dropout(torch.ones(8), p=0.5, generator=g).unique().tolist()   # dropped, or scaled by 2
    [0.0, 2.0]
    >>> dropout(torch.tensor([1.0, 2.0]), p=0.5, training=False).tolist()
    [1.0, 2.0]
    """
    check_tensor(x, "x", "dropout")
    p = _check_p(p, "dropout")
    training = check_bool(training, "training", "dropout")
    generator = _check_generator(generator, x.device, "dropout")
    if not training:
        return x
    u = torch.rand(x.shape, generator=generator, device=x.device, dtype=torch.float32)
    keep = u >= p  # P(keep) = 1 - p (up to the 2**-24 resolution of u)
    return x * _scaled_mask(keep, p, x.dtype)


class Dropout(nn.Module):
    r"""Inverted dropout as a module: :func:`dropout` with ``training=self.training``.

    .. math::

        \text{out} = \frac{m}{1-p} \odot x \ \ \text{(after ``.train()``)}, \qquad
        \text{out} = x \ \ \text{(after ``.eval()``)}.

    Parameters
    ----------
    p : float, default=0.5
        Drop probability :math:`p \in [0, 1)`.

    Examples
    --------
    >>> layer = Dropout(p=0.25)
    >>> layer
    Dropout(p=0.25)
    >>> layer.eval()(torch.tensor([3.0])).tolist()
    [3.0]
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = _check_p(p, "Dropout")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _is_dropout(module):
    return isinstance(module, (Dropout, nn.modules.dropout._DropoutNd))


def _default_generator(device):
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return torch.cuda.default_generators[index]
    return torch.default_generator


def mc_dropout_predict(model: nn.Module, x: torch.Tensor, *, n_samples: int, generator=None):
    r"""Monte Carlo dropout, twin of :func:`regbook.np.dropout.mc_dropout_predict`.

    .. math::

        \bar y = \frac1T\sum_{t=1}^T f(x;\, m_t), \qquad
        \hat\sigma^2 = \frac1T\sum_{t=1}^T \bigl(f(x;\, m_t) - \bar y\bigr)^2 .

    During sampling only the dropout modules (this module's :class:`Dropout` and
    torch's ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``) are in training
    mode; everything else, batch normalization included, is in evaluation mode,
    so running statistics are used and not updated. Every module's mode is
    restored afterwards, also if the model raises. Sampling runs under
    :func:`torch.no_grad`.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``x`` to a tensor.
    x : Tensor, e.g. (n_samples, n_features)
        Floating point, finite, on the model's device.
    n_samples : int
        Number :math:`T \ge 2` of stochastic passes.
    generator : torch.Generator or None, default=None
        If given (on ``x``'s device), it seeds torch's global generator for the
        duration of the call, whose state is restored afterwards: the result is
        reproducible and the global random stream is left untouched. ``None``
        draws from the global generator.

    Returns
    -------
    mean, var : Tensor
        Of the shape of one output of ``model``; ``var`` is the biased (1/T)
        sample variance, as in :func:`regbook.np.dropout.mc_dropout_predict`.

    Examples
    --------
    >>> model = nn.Sequential(Dropout(p=0.2), nn.Linear(3, 1, bias=False))
    >>> with torch.no_grad():
    ...     _ = model[1].weight.copy_(torch.tensor([[1.0, -2.0, 0.5]]))
    >>> x = torch.ones(1, 3)
    >>> mean, var = mc_dropout_predict(model.eval(), x, n_samples=20_000,
    ...                                generator=torch.Generator().manual_seed(0))
    >>> round(mean.item(), 1), model(x).item(), bool(var.item() > 0), model.training
    (-0.5, -0.5, True, False)
    """
    caller = "mc_dropout_predict"
    if not isinstance(model, nn.Module):
        raise TypeError(param_error("model", caller, "a torch.nn.Module", f"a {type(model).__name__}", raw=True))
    check_tensor(x, "x", caller)
    n_samples = check_int(n_samples, "n_samples", caller, min_val=2)
    generator = _check_generator(generator, x.device, caller)
    modes = [(m, m.training) for m in model.modules()]
    global_gen = _default_generator(x.device)
    state = None if generator is None else global_gen.get_state()
    try:
        model.eval()
        for m in model.modules():
            if _is_dropout(m):
                m.train()  # only dropout is stochastic; batch norm stays in eval mode
        if generator is not None:  # the dropout layers draw from the global generator: seed it from ours
            global_gen.manual_seed(int(torch.randint(2**62, (1,), generator=generator, device=generator.device)))
        with torch.no_grad():
            samples = torch.stack([model(x) for _ in range(n_samples)])  # (T, *out_shape)
    finally:
        for m, mode in modes:
            m.training = mode
        if state is not None:
            global_gen.set_state(state)
    return samples.mean(dim=0), samples.var(dim=0, correction=0)
