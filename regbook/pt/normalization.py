r"""PyTorch twin of :mod:`regbook.np.normalization`: batch norm and layer norm from scratch.

.. math::

    y = \gamma \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta

with :math:`\mu, \sigma^2` (biased) taken per feature over the batch (batch
norm) or per sample over its features (layer norm). :func:`batch_norm` and
:func:`layer_norm` are written with elementary tensor operations, so autograd
derives their backward passes (second derivatives included);
:class:`BatchNormFunction` instead carries the closed-form backward of
:func:`regbook.np.normalization.batchnorm_backward_alt`. The modules are thin
and keep torch's parameter and buffer names, so state dicts load both ways
between :class:`BatchNorm1d` and ``torch.nn.BatchNorm1d``.

Running statistics follow torch: ``new = (1 - momentum) * old + momentum *
batch_stat`` with the unbiased batch variance (``momentum`` weighs the *new*
batch; it is not an optimizer's momentum), and ``momentum=None`` in
:class:`BatchNorm1d` gives the cumulative average.

Everything runs on the input's device and dtype. Validation stays cheap: NaN
and inf in ``x`` are caught through the statistics they propagate into (the
variance; in eval mode one extra sum), and only then is ``x`` itself scanned
to name the bad entries; on a GPU that check costs one synchronization per
call. Parameters and running statistics are checked for type and shape, not
values.
"""

from __future__ import annotations

import numbers

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from regbook._validation import check_bool, check_int, check_scalar, check_tensor, param_error

__all__ = ["BatchNorm1d", "BatchNormFunction", "LayerNorm", "batch_norm", "layer_norm"]


# --------------------------------------------------------------------------- helpers
def _channel_view(x):
    """The reduction dims and the (1, C[, 1]) shape that broadcasts a per-channel vector."""
    return ((0,), (1, -1)) if x.dim() == 2 else ((0, 2), (1, -1, 1))


def _check_finite(x, summary, caller):
    # NaN or inf anywhere in x reaches a reduction of x; scan x itself only then, for the message
    # (if x turns out finite, the reduction overflowed: carry on, as torch would).
    if not bool(torch.isfinite(summary).all()):
        check_tensor(x, "x", caller)


def _check_shape(t, name, caller, shape):
    if t is None:
        return
    check_tensor(t, name, caller, allow_nonfinite=True)
    if tuple(t.shape) != shape:
        raise ValueError(param_error(name, caller, f"a tensor of shape {shape}", f"a tensor of shape {tuple(t.shape)}",
                                     raw=True))


def _check_x(x, caller, training):
    check_tensor(x, "x", caller, ndim=(2, 3), allow_nonfinite=True)
    if training and x.numel() // max(x.shape[1], 1) < 2:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {x.shape}. "
            f"The 'x' parameter of {caller} needs N * L >= 2 values per channel in training mode "
            "(the variance of one value is 0); use eval mode to apply the running statistics."
        )


def _check_batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps, caller):
    training = check_bool(training, "training", caller)
    _check_x(x, caller, training)
    shape = (x.shape[1],)
    for name, t in [("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)]:
        _check_shape(t, name, caller, shape)
    if (running_mean is None) != (running_var is None):
        given = "running_var" if running_mean is None else "running_mean"
        raise ValueError(f"{caller} needs running_mean and running_var together (or neither); got only {given}.")
    if running_mean is None and not training:
        raise ValueError(param_error("running_mean", caller, f"a tensor of shape {shape} in eval mode (training=False)",
                                     None))
    momentum = check_scalar(momentum, "momentum", caller, min_val=0.0, max_val=1.0)
    eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
    return training, momentum, eps


# --------------------------------------------------------------------------- batch norm
def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    r"""Batch normalization, twin of :func:`regbook.np.normalization.batchnorm_forward` and ``F.batch_norm``.

    .. math::

        y = \gamma \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta, \qquad
        \hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha\mu, \quad
        \hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha \tfrac{m}{m-1}\sigma^2,

    with :math:`\mu, \sigma^2` per channel over the :math:`m = N` (or
    :math:`NL`) values of the batch in training mode, :math:`\hat\mu,
    \hat\sigma^2` in eval mode. As torch's functional, the running buffers are
    updated **in place** in training mode (the NumPy twin returns new ones),
    and the arguments are positional in torch's order.

    Parameters
    ----------
    x : Tensor of shape (n_samples, n_features) or (n_samples, n_channels, length)
    running_mean, running_var : Tensor of shape (n_features,) or None
        :math:`\hat\mu, \hat\sigma^2`; ``None`` only in training mode.
    weight, bias : Tensor of shape (n_features,) or None
        :math:`\gamma, \beta` (``None``: 1 and 0).
    training : bool, default=False
    momentum : float in [0, 1], default=0.1
        :math:`\alpha`, the weight of the new batch.
    eps : float, default=1e-5
        :math:`\varepsilon > 0`.

    Returns
    -------
    Tensor of the shape of ``x``

    Examples
    --------
    >>> x = torch.tensor([[1.0], [3.0]])
    >>> rm, rv = torch.zeros(1), torch.ones(1)
    >>> [round(v, 4) for v in batch_norm(x, rm, rv, training=True).flatten().tolist()]
    [-1.0, 1.0]
    >>> round(rm.item(), 4), round(rv.item(), 4)    # 0.1 * 2, 0.9 + 0.1 * 2 (unbiased variance)
    (0.2, 1.1)
    """
    caller = "batch_norm"
    training, momentum, eps = _check_batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps,
                                                caller)
    dims, shape = _channel_view(x)
    if training:
        mean = x.mean(dims, keepdim=True)                   # (1, C[, 1])
        xc = x - mean
        var = (xc * xc).mean(dims, keepdim=True)            # biased: used to normalize
        _check_finite(x, var, caller)
        if running_mean is not None:
            m = x.numel() // x.shape[1]
            with torch.no_grad():
                running_mean.mul_(1 - momentum).add_(momentum * mean.flatten())
                running_var.mul_(1 - momentum).add_(momentum * m / (m - 1) * var.flatten())  # unbiased
    else:
        xc = x - running_mean.view(shape)
        var = running_var.view(shape)
        _check_finite(x, xc.detach().sum(), caller)
    scale = torch.rsqrt(var + eps)                          # 1 / sqrt(var + eps)
    if weight is not None:
        scale = scale * weight.view(shape)                  # gamma / sqrt(var + eps), one per channel
    if bias is None:
        return xc * scale
    return torch.addcmul(bias.view(shape), xc, scale)       # beta + (x - mu) * gamma / sqrt(var + eps)


class BatchNormFunction(torch.autograd.Function):
    r"""Training-mode batch norm with the hand-derived backward pass.

    .. math::

        y = \gamma \hat x + \beta, \qquad
        \partial x = \frac{\gamma}{m \sigma}\Bigl(m\, \partial y - \sum \partial y
            - \hat x \sum \partial y\, \hat x\Bigr),

    the closed form of :func:`regbook.np.normalization.batchnorm_backward_alt`
    (sums over the :math:`m` values of each channel,
    :math:`\sigma = \sqrt{\sigma^2 + \varepsilon}`). It saves only
    :math:`\hat x` and :math:`1/\sigma`, where autograd through
    :func:`batch_norm` keeps every intermediate. Batch statistics only: no
    running statistics (use :func:`batch_norm` for those). The backward pass
    is not itself differentiable (``once_differentiable``: asking for second
    derivatives raises an error instead of returning wrong ones).

    Call it as ``BatchNormFunction.apply(x, weight, bias, eps)``.

    Parameters
    ----------
    x : Tensor of shape (n_samples, n_features) or (n_samples, n_channels, length)
    weight, bias : Tensor of shape (n_features,) or None
    eps : float
        :math:`\varepsilon > 0`.

    Returns
    -------
    Tensor of the shape of ``x``

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0], [3.0, 5.0], [2.0, -1.0]], requires_grad=True)
    >>> BatchNormFunction.apply(x, None, None, 1e-5).sum().backward()
    >>> bool(x.grad.abs().max() < 1e-6)    # a sum of normalized values is constant
    True
    """

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        caller = "BatchNormFunction"
        _, _, eps = _check_batch_norm(x, None, None, weight, bias, True, 0.1, eps, caller)
        dims, shape = _channel_view(x)
        mean = x.mean(dims, keepdim=True)
        xc = x - mean
        var = (xc * xc).mean(dims, keepdim=True)
        _check_finite(x, var, caller)
        inv_std = torch.rsqrt(var + eps)                    # 1 / sigma, (1, C[, 1])
        x_hat = xc.mul_(inv_std)                            # xc is ours: reuse its memory
        ctx.save_for_backward(x_hat, inv_std, weight)
        if weight is None:
            return x_hat.clone() if bias is None else x_hat + bias.view(shape)   # never hand out x_hat itself
        if bias is None:
            return x_hat * weight.view(shape)
        return torch.addcmul(bias.view(shape), x_hat, weight.view(shape))     # beta + gamma x_hat

    @staticmethod
    @once_differentiable
    def backward(ctx, dout):
        x_hat, inv_std, weight = ctx.saved_tensors
        dims, shape = _channel_view(x_hat)
        m = x_hat.numel() // x_hat.shape[1]
        dbeta = dout.sum(dims)
        dgamma = (dout * x_hat).sum(dims)
        k = inv_std if weight is None else inv_std * weight.view(shape)    # gamma / sigma
        # dx = gamma / (m sigma) (m dout - sum dout - x_hat sum(dout x_hat)), in place on one new tensor
        dx = torch.addcmul(dbeta.view(shape), x_hat, dgamma.view(shape)).div_(-m).add_(dout).mul_(k)
        return (dx, dgamma if ctx.needs_input_grad[1] else None,
                dbeta if ctx.needs_input_grad[2] else None, None)


class BatchNorm1d(nn.Module):
    r"""Batch normalization over (N, C) or (N, C, L) input, a drop-in twin of ``torch.nn.BatchNorm1d``.

    .. math::

        y = \gamma \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta, \qquad
        \hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha\mu, \quad
        \hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha \tfrac{m}{m-1}\sigma^2 .

    Training mode (``module.train()``) normalizes with the batch statistics
    :math:`\mu, \sigma^2` and updates the running ones; eval mode
    (``module.eval()``) uses :math:`\hat\mu, \hat\sigma^2`. With
    ``momentum=None``, :math:`\alpha = 1/k` at the :math:`k`-th training batch
    (``num_batches_tracked``): a cumulative average. Without running
    statistics (``track_running_stats=False``) batch statistics are used in
    both modes. Parameters ``weight`` (:math:`\gamma`, ones) and ``bias``
    (:math:`\beta`, zeros); buffers ``running_mean``, ``running_var`` and
    ``num_batches_tracked``, as torch's.

    Parameters
    ----------
    num_features : int
        :math:`C`.
    eps : float, default=1e-5
    momentum : float in [0, 1] or None, default=0.1
    affine : bool, default=True
        Learn :math:`\gamma` (and :math:`\beta` if ``bias``).
    track_running_stats : bool, default=True
    device, dtype : optional
        Where and in which dtype to create parameters and buffers.
    bias : bool, default=True
        Keyword only, as in torch: learn :math:`\beta` too.

    Examples
    --------
    >>> bn = BatchNorm1d(2)
    >>> out = bn(torch.tensor([[1.0, 4.0], [3.0, 8.0]]))     # batch means 2 and 6
    >>> [round(v, 4) for v in out[:, 0].tolist()], [round(v, 4) for v in bn.running_mean.tolist()]
    ([-1.0, 1.0], [0.2, 0.6])
    >>> int(bn.num_batches_tracked)
    1
    """

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        caller = "BatchNorm1d"
        self.num_features = check_int(num_features, "num_features", caller, min_val=1)
        self.eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
        self.momentum = None if momentum is None else check_scalar(momentum, "momentum", caller, min_val=0.0,
                                                                   max_val=1.0)
        self.affine = check_bool(affine, "affine", caller)
        self.track_running_stats = check_bool(track_running_stats, "track_running_stats", caller)
        bias = check_bool(bias, "bias", caller)
        factory = {"device": device, "dtype": dtype}
        if self.affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory))
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = nn.Parameter(torch.zeros(num_features, **factory))
        else:
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch tracked."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics, and :math:`\\gamma = 1, \\beta = 0`."""
        self.reset_running_stats()
        if self.affine:
            nn.init.ones_(self.weight)
            nn.init.zeros_(self.bias)

    def forward(self, x):
        _check_x(x, "BatchNorm1d", self.training)
        if x.shape[1] != self.num_features:
            raise ValueError(param_error("x", "BatchNorm1d", f"a tensor with {self.num_features} features in dim 1",
                                         f"a tensor of shape {tuple(x.shape)}", raw=True))
        tracking = self.training and self.track_running_stats
        alpha = 0.0 if self.momentum is None else self.momentum
        if tracking and self.momentum is None:
            alpha = 1.0 / (float(self.num_batches_tracked) + 1.0)   # cumulative average: 1/k at the k-th batch
        use_batch_stats = self.training or self.running_mean is None
        out = batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch_stats, alpha,
                         self.eps)
        if tracking:
            self.num_batches_tracked.add_(1)   # counted after success: a refused batch leaves no trace
        return out

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


# --------------------------------------------------------------------------- layer norm
def _check_normalized_shape(normalized_shape, caller):
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (normalized_shape,)
    if isinstance(normalized_shape, torch.Size):
        normalized_shape = tuple(normalized_shape)
    if not isinstance(normalized_shape, (tuple, list)) or len(normalized_shape) == 0:
        raise TypeError(param_error("normalized_shape", caller, "an int or a non-empty tuple of ints",
                                    normalized_shape))
    return tuple(check_int(d, "normalized_shape", caller, min_val=1) for d in normalized_shape)


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Layer normalization, twin of :func:`regbook.np.normalization.layernorm_forward` and ``F.layer_norm``.

    .. math::

        y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta,

    with :math:`\mu, \sigma^2` (biased) over the trailing ``normalized_shape``
    dimensions of each sample: the same in training and eval, no running
    statistics.

    Parameters
    ----------
    x : Tensor of shape (n_samples, n_features), or (..., \*normalized_shape)
    normalized_shape : int or tuple of int
        The trailing shape normalized together (``n_features`` for 2-D input).
    weight, bias : Tensor of shape ``normalized_shape`` or None
        :math:`\gamma, \beta` (``None``: 1 and 0).
    eps : float, default=1e-5
        :math:`\varepsilon > 0`.

    Returns
    -------
    Tensor of the shape of ``x``

    Examples
    --------
    >>> out = layer_norm(torch.tensor([[1.0, 2.0, 3.0]]), 3, eps=1e-12)
    >>> [round(v, 4) for v in out[0].tolist()]    # (x - 2) / sqrt(2/3)
    [-1.2247, 0.0, 1.2247]
    """
    caller = "layer_norm"
    shape = _check_normalized_shape(normalized_shape, caller)
    check_tensor(x, "x", caller, allow_nonfinite=True)
    k = len(shape)
    if x.dim() < k or tuple(x.shape[x.dim() - k:]) != shape:
        raise ValueError(param_error("x", caller, f"a tensor whose trailing dimensions are {shape}",
                                     f"a tensor of shape {tuple(x.shape)}", raw=True))
    _check_shape(weight, "weight", caller, shape)
    _check_shape(bias, "bias", caller, shape)
    eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
    dims = tuple(range(-k, 0))
    xc = x - x.mean(dims, keepdim=True)
    var = (xc * xc).mean(dims, keepdim=True)                # (N, 1): one per sample
    _check_finite(x, var, caller)
    x_hat = xc * torch.rsqrt(var + eps)
    if weight is None:
        return x_hat if bias is None else x_hat + bias
    return x_hat * weight if bias is None else torch.addcmul(bias, x_hat, weight)   # beta + gamma x_hat


class LayerNorm(nn.Module):
    r"""Layer normalization over the trailing ``normalized_shape`` dimensions, twin of ``torch.nn.LayerNorm``.

    .. math::

        y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta

    Parameters ``weight`` (:math:`\gamma`, ones) and ``bias`` (:math:`\beta`,
    zeros) of shape ``normalized_shape``, as torch's; no buffers.

    Parameters
    ----------
    normalized_shape : int or tuple of int
    eps : float, default=1e-5
    elementwise_affine : bool, default=True
        Learn :math:`\gamma` (and :math:`\beta` if ``bias``).
    bias : bool, default=True
    device, dtype : optional

    Examples
    --------
    >>> ln = LayerNorm(3)
    >>> [round(v, 4) for v in ln(torch.tensor([[2.0, 4.0, 6.0]]))[0].tolist()]
    [-1.2247, 0.0, 1.2247]
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        caller = "LayerNorm"
        self.normalized_shape = _check_normalized_shape(normalized_shape, caller)
        self.eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
        self.elementwise_affine = check_bool(elementwise_affine, "elementwise_affine", caller)
        bias = check_bool(bias, "bias", caller)
        factory = {"device": device, "dtype": dtype}
        if self.elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape, **factory))
        else:
            self.register_parameter("weight", None)
        if self.elementwise_affine and bias:
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape, **factory))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        """:math:`\\gamma = 1, \\beta = 0`."""
        if self.weight is not None:
            nn.init.ones_(self.weight)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x):
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
