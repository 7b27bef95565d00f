r"""Batch normalization and layer normalization in NumPy: forward and backward passes.

Both layers standardize activations and then apply a learned scale and shift,

.. math::

    \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}}, \qquad y = \gamma \hat x + \beta,

and differ only in the axes :math:`\mu` and :math:`\sigma^2` are taken over:
batch norm (Ioffe and Szegedy, 2015) over the samples of a mini-batch, one
mean per feature; layer norm (Ba et al., 2016) over the features of one
sample, one mean per sample. Both use the biased (divide by :math:`m`)
variance to normalize.

No hidden state: batch norm's running statistics are passed in and the
updated ones are returned, never changed in place. Conventions follow torch:
``new = (1 - momentum) * old + momentum * batch_stat`` with ``momentum=0.1``
and the *unbiased* batch variance for the running estimate. This
``momentum`` is not an optimizer's momentum: it is the weight of the *new*
batch (Keras calls ``1 - momentum`` its momentum).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import check_array, check_bool, check_int, check_scalar, param_error

__all__ = [
    "BatchNormCache",
    "LayerNormCache",
    "batchnorm_backward",
    "batchnorm_backward_alt",
    "batchnorm_forward",
    "layernorm_backward",
    "layernorm_forward",
]


class BatchNormCache(NamedTuple):
    """What :func:`batchnorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : ndarray of the shape of ``x``
        Normalized input :math:`\\hat x`.
    x_centered : ndarray of the shape of ``x``
        :math:`x - \\mu`.
    std : ndarray of shape (1, C) or (1, C, 1)
        :math:`\\sqrt{\\sigma^2 + \\varepsilon}` (batch or running variance).
    gamma : ndarray of shape (C,)
    axes : tuple of int
        The axes the statistics were taken over: ``(0,)`` or ``(0, 2)``.
    training : bool
        Whether batch statistics were used (eval mode uses constants).
    """

    x_hat: np.ndarray
    x_centered: np.ndarray
    std: np.ndarray
    gamma: np.ndarray
    axes: tuple
    training: bool


class LayerNormCache(NamedTuple):
    """What :func:`layernorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : ndarray of the shape of ``x``
    inv_std : ndarray, shape of ``x`` with the normalized axes set to 1
        :math:`1 / \\sqrt{\\sigma^2 + \\varepsilon}`, one per sample.
    gamma : ndarray, the normalized shape
    axes : tuple of int
        The normalized (trailing) axes.
    """

    x_hat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    axes: tuple


# --------------------------------------------------------------------------- validation
def _check_vector(v, name, caller, shape, *, nonnegative=False):
    v = check_array(v, name, caller)
    if v.shape != shape:
        raise ValueError(param_error(name, caller, f"an array of shape {shape}", v))
    if nonnegative and (v < 0).any():
        raise ValueError(param_error(name, caller, "an array with non-negative entries", f"min {v.min()!r}", raw=True))
    return v


def _check_batchnorm_args(x, gamma, beta, training, running_mean, running_var, momentum, eps, n_tracked):
    caller = "batchnorm_forward"
    x = check_array(x, "x", caller, ndim=(2, 3))
    training = check_bool(training, "training", caller)
    eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
    if momentum is not None:
        momentum = check_scalar(momentum, "momentum", caller, min_val=0.0, max_val=1.0)
    n_tracked = check_int(n_tracked, "num_batches_tracked", caller, min_val=0)
    shape = (x.shape[1],)
    gamma = _check_vector(gamma, "gamma", caller, shape)
    beta = _check_vector(beta, "beta", caller, shape)
    if (running_mean is None) != (running_var is None):
        given = "running_var" if running_mean is None else "running_mean"
        raise ValueError(f"{caller} needs running_mean and running_var together (or neither); got only {given}.")
    if running_mean is not None:
        running_mean = _check_vector(running_mean, "running_mean", caller, shape)
        running_var = _check_vector(running_var, "running_var", caller, shape, nonnegative=True)
    elif not training:
        expected = f"an array of shape {shape} in eval mode (training=False)"
        raise ValueError(param_error("running_mean", caller, expected, None))
    m = x.shape[0] * (x.shape[2] if x.ndim == 3 else 1)
    if training and m < 2:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {x.shape}. "
            f"The 'x' parameter of {caller} needs N * L >= 2 values per channel in training mode "
            "(the variance of one value is 0); use training=False to apply the running statistics."
        )
    return x, gamma, beta, training, running_mean, running_var, momentum, eps, n_tracked


def _check_cache(dout, cache, cache_type, caller):
    if not isinstance(cache, cache_type):
        raise TypeError(param_error("cache", caller, f"a {cache_type.__name__}", f"a {type(cache).__name__}", raw=True))
    dout = check_array(dout, "dout", caller)
    if dout.shape != cache.x_hat.shape:
        raise ValueError(param_error("dout", caller, f"an array of shape {cache.x_hat.shape}", dout))
    return dout


# --------------------------------------------------------------------------- batch norm
def batchnorm_forward(x, gamma, beta, *, training, running_mean, running_var, momentum=0.1, eps=1e-5,
                      num_batches_tracked=0):
    r"""Batch normalization: standardize each feature over the mini-batch, then scale and shift.

    .. math::

        \mu_c = \frac1m \sum_{i} x_{ic}, \quad
        \sigma_c^2 = \frac1m \sum_{i} (x_{ic} - \mu_c)^2, \quad
        \hat x_{ic} = \frac{x_{ic} - \mu_c}{\sqrt{\sigma_c^2 + \varepsilon}}, \quad
        y_{ic} = \gamma_c \hat x_{ic} + \beta_c,

    where :math:`i` runs over the :math:`m = N` samples of an (N, C) input, or
    over the :math:`m = NL` positions of an (N, C, L) input (as torch's
    ``BatchNorm1d``). In training mode the running statistics are updated as

    .. math::

        \hat\mu \leftarrow (1 - \alpha)\hat\mu + \alpha \mu, \qquad
        \hat\sigma^2 \leftarrow (1 - \alpha)\hat\sigma^2 + \alpha \tfrac{m}{m-1}\sigma^2,

    with :math:`\alpha` = ``momentum`` (the weight of the new batch, not an
    optimizer's momentum) and the *unbiased* variance. ``momentum=None`` gives
    the cumulative average :math:`\alpha = 1 / (k + 1)` with :math:`k` =
    ``num_batches_tracked``, as torch. In eval mode :math:`\hat\mu,
    \hat\sigma^2` replace :math:`\mu, \sigma^2` and are returned unchanged.

    Parameters
    ----------
    x : array_like of shape (n_samples, n_features) or (n_samples, n_channels, length)
    gamma, beta : array_like of shape (n_features,)
        Scale :math:`\gamma` and shift :math:`\beta`.
    training : bool
        Batch statistics (True) or running statistics (False).
    running_mean, running_var : array_like of shape (n_features,) or None
        :math:`\hat\mu, \hat\sigma^2`; not modified. ``None`` (both) is allowed
        in training mode only, and then ``None`` is returned for them.
    momentum : float in [0, 1] or None, default=0.1
    eps : float, default=1e-5
        :math:`\varepsilon > 0`, added to the variance.
    num_batches_tracked : int, default=0
        Batches already averaged into the running statistics; used only when
        ``momentum`` is None. Count it yourself (``k += 1`` per training call).

    Returns
    -------
    out : ndarray of the shape of ``x``
    cache : BatchNormCache
    new_running_mean, new_running_var : ndarray of shape (n_features,) or None

    Raises
    ------
    ValueError
        In training mode with a single value per feature (:math:`m = 1`),
        like torch: its variance is 0 and :math:`\hat x` would be 0.

    Examples
    --------
    >>> x = np.array([[1.0], [3.0]])              # mean 2, biased variance 1
    >>> out, cache, rm, rv = batchnorm_forward(x, np.ones(1), np.zeros(1), training=True,
    ...                                        running_mean=np.zeros(1), running_var=np.ones(1))
    >>> [round(float(v), 4) for v in out[:, 0]]
    [-1.0, 1.0]
    >>> round(float(rm[0]), 4), round(float(rv[0]), 4)   # 0.9*0 + 0.1*2, 0.9*1 + 0.1*2 (unbiased)
    (0.2, 1.1)
    """
    x, gamma, beta, training, running_mean, running_var, momentum, eps, n_tracked = _check_batchnorm_args(
        x, gamma, beta, training, running_mean, running_var, momentum, eps, num_batches_tracked)
    axes = (0,) if x.ndim == 2 else (0, 2)
    pshape = (1, -1) if x.ndim == 2 else (1, -1, 1)  # broadcast a (C,) vector against x
    if training:
        mu = x.mean(axis=axes, keepdims=True)            # (1, C[, 1])
        xc = x - mu
        var = (xc * xc).mean(axis=axes, keepdims=True)   # biased, to normalize
        if running_mean is not None:
            m = x.size // x.shape[1]
            a = 1.0 / (n_tracked + 1) if momentum is None else momentum
            running_mean = (1 - a) * running_mean + a * mu.ravel()
            running_var = (1 - a) * running_var + a * var.ravel() * m / (m - 1)  # unbiased
    else:
        xc = x - running_mean.reshape(pshape)
        var = running_var.reshape(pshape)
        running_mean, running_var = running_mean.copy(), running_var.copy()
    std = np.sqrt(var + eps)
    x_hat = xc / std
    out = gamma.reshape(pshape) * x_hat + beta.reshape(pshape)
    return out, BatchNormCache(x_hat, xc, std, gamma, axes, training), running_mean, running_var


def batchnorm_backward(dout, cache):
    r"""Backward pass of batch norm, node by node through the computational graph.

    The forward pass as a graph, and the gradient rule of each node (in
    reverse order), with :math:`m` values per feature and sums over them:

    .. math::

        \begin{aligned}
        y &= \gamma \hat x + \beta &&\Rightarrow
            \partial\beta = \textstyle\sum \partial y,\
            \partial\gamma = \textstyle\sum \partial y\, \hat x,\
            \partial\hat x = \gamma\, \partial y \\
        \hat x &= x_c\, s^{-1} &&\Rightarrow
            \partial x_c = \partial\hat x\, s^{-1},\
            \partial s = -\textstyle\sum \partial\hat x\, x_c / s^2 \\
        s &= \sqrt{\sigma^2 + \varepsilon} &&\Rightarrow
            \partial\sigma^2 = \partial s / (2 s) \\
        \sigma^2 &= \tfrac1m \textstyle\sum x_c^2 &&\Rightarrow
            \partial x_c \mathrel{+}= \tfrac{2}{m} x_c\, \partial\sigma^2 \\
        x_c &= x - \mu,\ \mu = \tfrac1m \textstyle\sum x &&\Rightarrow
            \partial x = \partial x_c - \tfrac1m \textstyle\sum \partial x_c
        \end{aligned}

    In eval mode :math:`\mu` and :math:`s` are constants and
    :math:`\partial x = \gamma\, \partial y / s`.
    :func:`batchnorm_backward_alt` collapses the same graph into one formula.

    Parameters
    ----------
    dout : array_like of the shape of ``x``
        Upstream gradient :math:`\partial L / \partial y`.
    cache : BatchNormCache
        From :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
    dgamma, dbeta : ndarray of shape (n_features,)

    Examples
    --------
    >>> x = np.array([[1.0, 0.0], [3.0, 5.0], [2.0, -1.0]])
    >>> out, cache, _, _ = batchnorm_forward(x, np.ones(2), np.zeros(2), training=True,
    ...                                      running_mean=None, running_var=None)
    >>> dx, dgamma, dbeta = batchnorm_backward(np.ones_like(x), cache)
    >>> bool(np.allclose(dx, 0.0)), [round(float(v), 4) for v in dbeta]   # a shift is normalized away
    (True, [3.0, 3.0])
    """
    dout = _check_cache(dout, cache, BatchNormCache, "batchnorm_backward")
    x_hat, xc, s, gamma, axes, training = cache
    pshape = (1, -1) if x_hat.ndim == 2 else (1, -1, 1)
    dbeta = dout.sum(axis=axes)                                   # y = gamma x_hat + beta
    dgamma = (dout * x_hat).sum(axis=axes)
    dx_hat = dout * gamma.reshape(pshape)
    dxc = dx_hat / s                                              # x_hat = xc / s
    if not training:
        return dxc, dgamma, dbeta                                 # mu and s are constants
    m = x_hat.size // x_hat.shape[1]
    ds = -(dx_hat * xc).sum(axis=axes, keepdims=True) / s**2
    dvar = ds / (2.0 * s)                                         # s = sqrt(var + eps)
    dxc = dxc + 2.0 * xc * dvar / m                               # var = mean(xc^2)
    dx = dxc - dxc.sum(axis=axes, keepdims=True) / m              # xc = x - mean(x)
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    r"""Backward pass of batch norm in closed form.

    Simplifying the graph of :func:`batchnorm_backward` gives, per feature
    with :math:`m` values and :math:`\sigma = \sqrt{\sigma^2 + \varepsilon}`,

    .. math::

        \partial x = \frac{\gamma}{m \sigma}\Bigl(m\, \partial y - \sum \partial y
            - \hat x \sum \partial y\, \hat x\Bigr), \qquad
        \partial\gamma = \sum \partial y\, \hat x, \qquad
        \partial\beta = \sum \partial y :

    the gradient of a normalized layer has no component along the two
    directions the normalization removes (a shift of the feature, and a
    rescaling along :math:`\hat x`). In eval mode
    :math:`\partial x = \gamma\, \partial y / \sigma`, as in
    :func:`batchnorm_backward`.

    Parameters
    ----------
    dout : array_like of the shape of ``x``
    cache : BatchNormCache
        From :func:`batchnorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
    dgamma, dbeta : ndarray of shape (n_features,)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    >>> _, cache, _, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), training=True,
    ...                                    running_mean=None, running_var=None)
    >>> a, b = batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache)
    >>> all(bool(np.allclose(u, v, rtol=1e-12, atol=1e-12)) for u, v in zip(a, b))
    True
    """
    dout = _check_cache(dout, cache, BatchNormCache, "batchnorm_backward_alt")
    x_hat, _, s, gamma, axes, training = cache
    pshape = (1, -1) if x_hat.ndim == 2 else (1, -1, 1)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    g = gamma.reshape(pshape)
    if not training:
        return g * dout / s, dgamma, dbeta
    m = x_hat.size // x_hat.shape[1]
    # dx = gamma / (m sigma) (m dout - sum dout - x_hat sum(dout x_hat))
    dx = g / (m * s) * (m * dout - dbeta.reshape(pshape) - x_hat * dgamma.reshape(pshape))
    return dx, dgamma, dbeta


# --------------------------------------------------------------------------- layer norm
def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    r"""Layer normalization: standardize each sample over its features, then scale and shift.

    .. math::

        \mu_n = \frac1D \sum_j x_{nj}, \quad
        \sigma_n^2 = \frac1D \sum_j (x_{nj} - \mu_n)^2, \quad
        y_{nj} = \gamma_j \frac{x_{nj} - \mu_n}{\sqrt{\sigma_n^2 + \varepsilon}} + \beta_j .

    The statistics are those of one sample, so training and eval are the same
    computation, there are no running statistics, and a batch of one is fine.
    As torch's ``normalized_shape``, the shape of ``gamma`` says which trailing
    axes are normalized together: ``gamma`` of shape (D,) normalizes the last
    axis, of shape (L, D) the last two (:math:`j` then runs over both).

    Parameters
    ----------
    x : array_like of shape (n_samples, n_features), or (..., \*gamma.shape)
    gamma, beta : array_like of shape (n_features,), or the normalized shape
    eps : float, default=1e-5
        :math:`\varepsilon > 0`, added to the variance.

    Returns
    -------
    out : ndarray of the shape of ``x``
    cache : LayerNormCache

    Examples
    --------
    >>> out, _ = layernorm_forward(np.array([[1.0, 2.0, 3.0]]), np.ones(3), np.zeros(3), eps=1e-12)
    >>> [round(float(v), 4) for v in out[0]]    # (x - 2) / sqrt(2/3)
    [-1.2247, 0.0, 1.2247]
    """
    caller = "layernorm_forward"
    gamma = check_array(gamma, "gamma", caller)
    if gamma.ndim == 0:
        raise ValueError(param_error("gamma", caller, "an array with at least 1 dimension", "a 0D array", raw=True))
    x = check_array(x, "x", caller)
    k = gamma.ndim
    if x.ndim < k or x.shape[x.ndim - k:] != gamma.shape:
        expected = f"an array whose trailing dimensions are gamma's shape {gamma.shape}"
        raise ValueError(param_error("x", caller, expected, x))
    beta = _check_vector(beta, "beta", caller, gamma.shape)
    eps = check_scalar(eps, "eps", caller, min_val=0.0, closed="neither")
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(axis=axes, keepdims=True)                # (N, 1)
    xc = x - mu
    inv_std = 1.0 / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)
    x_hat = xc * inv_std
    return gamma * x_hat + beta, LayerNormCache(x_hat, inv_std, gamma, axes)


def layernorm_backward(dout, cache):
    r"""Backward pass of layer norm in closed form.

    With :math:`g = \gamma \odot \partial y` and means over the :math:`D`
    normalized entries of each sample,

    .. math::

        \partial x = \frac{1}{\sigma}\Bigl(g - \overline{g} - \hat x\, \overline{g \hat x}\Bigr),
        \qquad \partial\gamma = \sum_n \partial y\, \hat x, \qquad \partial\beta = \sum_n \partial y,

    the formula of :func:`batchnorm_backward_alt` with the roles of the
    sample and feature axes exchanged (and :math:`\gamma` applied per entry
    instead of per normalized group).

    Parameters
    ----------
    dout : array_like of the shape of ``x``
    cache : LayerNormCache
        From :func:`layernorm_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``
    dgamma, dbeta : ndarray of the shape of ``gamma``

    Examples
    --------
    >>> x = np.array([[1.0, 2.0, 4.0], [0.0, -1.0, 3.0]])
    >>> _, cache = layernorm_forward(x, np.ones(3), np.zeros(3))
    >>> dx, dgamma, dbeta = layernorm_backward(np.ones_like(x), cache)
    >>> bool(np.allclose(dx, 0.0)), [round(float(v), 4) for v in dbeta]   # a shift is normalized away
    (True, [2.0, 2.0, 2.0])
    """
    dout = _check_cache(dout, cache, LayerNormCache, "layernorm_backward")
    x_hat, inv_std, gamma, axes = cache
    batch_axes = tuple(range(x_hat.ndim - gamma.ndim))
    dbeta = dout.sum(axis=batch_axes)
    dgamma = (dout * x_hat).sum(axis=batch_axes)
    g = dout * gamma                                                  # dL/dx_hat
    dx = inv_std * (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))
    return dx, dgamma, dbeta
