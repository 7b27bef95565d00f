r"""Dropout, DropConnect and Monte Carlo dropout in NumPy (forward/backward pairs).

One convention throughout, torch's: ``p`` is the **drop** probability and
dropout is *inverted*, i.e. the kept units are scaled by :math:`1/(1-p)` at
training time so that nothing changes at evaluation time:

.. math::

    m_i \sim \operatorname{Bernoulli}(1-p), \qquad
    \text{out}_i = \frac{m_i}{1-p}\, x_i \ \ \text{(training)}, \qquad
    \text{out}_i = x_i \ \ \text{(evaluation)},

    \mathbb{E}[\text{out}_i] = x_i, \qquad
    \operatorname{Var}[\text{out}_i] = \frac{p}{1-p}\, x_i^2 .

Other conventions: Srivastava et al. (2014) write :math:`p` for the *keep*
probability (``p_here = 1 - p_paper``) and, instead of rescaling during
training, multiply the weights by it at test time (same expected
pre-activations). Keras and TensorFlow 2 ``rate`` is this ``p``; TensorFlow 1
``keep_prob`` is ``1 - p``. ``x * (1 - p)`` at training time, with no mask, is
not dropout: it is a deterministic shrinkage whose mean is off by :math:`1-p`.

Randomness is passed in (``rng``: a Generator, or an int seed for a
reproducible call), the training flag is explicit, caches are NamedTuples.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from regbook._validation import check_array, check_bool, check_int, check_rng, check_scalar, param_error

__all__ = [
    "DropConnectCache",
    "DropoutCache",
    "MCPrediction",
    "dropconnect_backward",
    "dropconnect_forward",
    "dropout_backward",
    "dropout_forward",
    "mc_dropout_predict",
]


class DropoutCache(NamedTuple):
    """What :func:`dropout_backward` needs.

    Attributes
    ----------
    mask : ndarray of the shape of ``x``, or None
        Scaled keep pattern :math:`m/(1-p)`, entries 0 or :math:`1/(1-p)`; ``None`` in evaluation mode.
    p : float
    training : bool
    """

    mask: np.ndarray | None
    p: float
    training: bool


class DropConnectCache(NamedTuple):
    """What :func:`dropconnect_backward` needs.

    Attributes
    ----------
    x : ndarray of shape (n_samples, n_in)
    W : ndarray of shape (n_in, n_out)
    mask : ndarray of shape (n_in, n_out), or None
        Scaled weight mask :math:`M/(1-p)`, entries 0 or :math:`1/(1-p)`; ``None`` in evaluation mode.
    p : float
    training : bool
    """

    x: np.ndarray
    W: np.ndarray
    mask: np.ndarray | None
    p: float
    training: bool


class MCPrediction(NamedTuple):
    r"""Monte Carlo dropout prediction from :math:`T` stochastic passes :math:`\hat y_t`.

    Attributes
    ----------
    mean : ndarray of the shape of one output
        :math:`\bar y = \frac1T\sum_t \hat y_t`.
    var : ndarray of the shape of one output
        :math:`\frac1T\sum_t (\hat y_t - \bar y)^2`, per output.
    samples : ndarray of shape (n_samples, \*output_shape)
        The passes :math:`\hat y_t`.
    """

    mean: np.ndarray
    var: np.ndarray
    samples: np.ndarray


def _float_array(x, name, caller, ndim=None):
    """Validate; keep float32/float64 as given, convert anything else to float64."""
    x = check_array(x, name, caller, ndim=ndim, min_samples=0, dtype=None)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def _check_p(p, caller):
    try:
        return check_scalar(p, "p", caller, min_val=0, max_val=1, closed="left")
    except ValueError as exc:
        if p == 1:  # say why the end point is refused
            raise ValueError(f"{exc} With p = 1 every unit is dropped and the scale 1/(1-p) divides by zero.") from None
        raise


def _scaled_mask(shape, p, rng, dtype):
    keep = rng.random(shape) >= p  # P(keep) = P(u >= p) = 1 - p
    return keep.astype(dtype) / (1.0 - p)  # 0 or 1/(1-p), in x's dtype


def dropout_forward(x, *, p, training, rng):
    r"""Inverted dropout, forward pass.

    .. math::

        \text{out} = \frac{m}{1-p} \odot x,\quad m_i \sim \operatorname{Bernoulli}(1-p)
        \ \ \text{(training)}; \qquad \text{out} = x \ \ \text{(evaluation)},

    so that :math:`\mathbb{E}[\text{out}] = x` and evaluation needs no rescaling.

    Parameters
    ----------
    x : array_like of any shape, e.g. (n_samples, n_features)
        Activations :math:`x`, finite. Floating dtypes are kept; integers become float64.
    p : float
        Drop probability :math:`p \in [0, 1)` (torch's ``p``; Srivastava et al.'s
        keep probability is ``1 - p``). ``p = 1`` is refused: every unit would be
        dropped and the scale :math:`1/(1-p)` would divide by zero.
    training : bool
        Draw a mask (True) or return ``x`` itself (False).
    rng : numpy.random.Generator or int
        Source of the mask; an int seed makes the call reproducible.

    Returns
    -------
    out : ndarray of the shape of ``x``
    cache : DropoutCache
        ``mask`` holds :math:`m/(1-p)` (0 or :math:`1/(1-p)`), ``None`` in evaluation mode.

    Examples
    --------
    >>> out, cache = dropout_forward(np.ones((2, 4)), p=0.5, training=True, rng=0)
    >>> sorted(set(out.ravel().tolist()))   # dropped, or kept and scaled by 1/(1-p)
    [0.0, 2.0]
    >>> out_big, _ = dropout_forward(np.ones(100_000), p=0.3, training=True, rng=0)
    >>> round(float(out_big.mean()), 2)   # E[out] = x
    1.0
    >>> dropout_forward([1.0, 2.0], p=0.5, training=False, rng=0)[0].tolist()
    [1.0, 2.0]
    """
    x = _float_array(x, "x", "dropout_forward")
    p = _check_p(p, "dropout_forward")
    training = check_bool(training, "training", "dropout_forward")
    rng = check_rng(rng, "rng", "dropout_forward")
    if not training:
        return x, DropoutCache(None, p, False)
    mask = _scaled_mask(x.shape, p, rng, x.dtype)  # same shape as x
    return x * mask, DropoutCache(mask, p, True)


def dropout_backward(dout, cache):
    r"""Inverted dropout, backward pass.

    .. math::

        \frac{\partial L}{\partial x} = \frac{m}{1-p} \odot \frac{\partial L}{\partial\,\text{out}}
        \ \ \text{(training)}, \qquad
        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial\,\text{out}} \ \ \text{(evaluation)}:

    the gradient flows only through the kept units, with the same scale as the forward pass.

    Parameters
    ----------
    dout : array_like of the shape of ``x``
        Upstream gradient :math:`\partial L / \partial\,\text{out}`.
    cache : DropoutCache
        From :func:`dropout_forward`.

    Returns
    -------
    dx : ndarray of the shape of ``x``

    Examples
    --------
    >>> out, cache = dropout_forward(np.ones(6), p=0.5, training=True, rng=1)
    >>> dx = dropout_backward(np.ones(6), cache)
    >>> bool(np.array_equal(dx, cache.mask)), bool(np.array_equal(dx, out))
    (True, True)
    """
    if not isinstance(cache, DropoutCache):
        got = f"a {type(cache).__name__}"
        raise TypeError(param_error("cache", "dropout_backward", "a DropoutCache", got, raw=True))
    dout = _float_array(dout, "dout", "dropout_backward")
    if not cache.training:
        return dout
    if dout.shape != cache.mask.shape:
        raise ValueError(param_error("dout", "dropout_backward", f"an array of shape {cache.mask.shape}", dout))
    return dout * cache.mask  # dL/dx = m/(1-p) * dL/dout


def dropconnect_forward(x, W, b, *, p, training, rng):
    r"""DropConnect linear layer, forward pass: drop weights instead of activations.

    .. math::

        \text{out} = x \Bigl(\frac{M}{1-p} \odot W\Bigr) + b,\quad M_{jk} \sim \operatorname{Bernoulli}(1-p)
        \ \ \text{(training)}; \qquad \text{out} = x W + b \ \ \text{(evaluation)},

    with :math:`\mathbb{E}_M[\text{out}] = xW + b`. The bias is never dropped
    (to drop it too, append a column of ones to ``x`` and ``b`` as a row of ``W``).

    One mask :math:`M` is drawn per call and shared by the mini-batch. Wan et al.
    (2013), whose :math:`p` is the *keep* probability, draw one per example,
    :math:`\text{out}_i = x_i (M^{(i)} \odot W) + b`: a mask tensor of shape
    (n_samples, n_in, n_out) and a matrix-vector product per example, instead of
    one (n_in, n_out) mask and one matrix product. Both are unbiased; the shared
    mask correlates the examples of a batch, so its gradient is noisier. At
    inference Wan et al. average the activation over a Gaussian approximation of
    the pre-activation; here evaluation returns the mean :math:`xW + b`.

    Parameters
    ----------
    x : array_like of shape (n_samples, n_in)
    W : array_like of shape (n_in, n_out)
    b : array_like of shape (n_out,)
    p : float
        Probability :math:`p \in [0, 1)` of dropping each weight.
    training : bool
    rng : numpy.random.Generator or int

    Returns
    -------
    out : ndarray of shape (n_samples, n_out)
    cache : DropConnectCache

    Examples
    --------
    >>> x, W, b = np.array([[1.0, 2.0]]), np.array([[1.0], [1.0]]), np.array([0.5])
    >>> dropconnect_forward(x, W, b, p=0.5, training=False, rng=0)[0].tolist()
    [[3.5]]
    >>> out, cache = dropconnect_forward(x, W, b, p=0.5, training=True, rng=0)
    >>> bool(np.allclose(out, x @ (cache.mask * W) + b))
    True
    """
    caller = "dropconnect_forward"
    x = _float_array(x, "x", caller, ndim=2)
    W = _float_array(W, "W", caller, ndim=2)
    b = _float_array(b, "b", caller, ndim=1)
    if W.shape[0] != x.shape[1]:
        expected = f"an array of shape ({x.shape[1]}, n_out) to match x of shape {x.shape}"
        raise ValueError(param_error("W", caller, expected, W))
    if b.shape != (W.shape[1],):
        expected = f"an array of shape ({W.shape[1]},) to match W of shape {W.shape}"
        raise ValueError(param_error("b", caller, expected, b))
    p = _check_p(p, caller)
    training = check_bool(training, "training", caller)
    rng = check_rng(rng, "rng", caller)
    if not training:
        return x @ W + b, DropConnectCache(x, W, None, p, False)
    mask = _scaled_mask(W.shape, p, rng, W.dtype)  # (n_in, n_out): M / (1-p)
    out = x @ (mask * W) + b  # (N, n_out)
    return out, DropConnectCache(x, W, mask, p, True)


def dropconnect_backward(dout, cache):
    r"""DropConnect linear layer, backward pass.

    With :math:`\tilde W = \frac{M}{1-p} \odot W` (:math:`\tilde W = W` in evaluation mode):

    .. math::

        \frac{\partial L}{\partial x} = \frac{\partial L}{\partial\,\text{out}}\, \tilde W^\top, \qquad
        \frac{\partial L}{\partial W} = \frac{M}{1-p} \odot
            \Bigl(x^\top \frac{\partial L}{\partial\,\text{out}}\Bigr), \qquad
        \frac{\partial L}{\partial b} = \sum_i \frac{\partial L}{\partial\,\text{out}_i}.

    Parameters
    ----------
    dout : array_like of shape (n_samples, n_out)
    cache : DropConnectCache
        From :func:`dropconnect_forward`.

    Returns
    -------
    dx : ndarray of shape (n_samples, n_in)
    dW : ndarray of shape (n_in, n_out)
    db : ndarray of shape (n_out,)

    Examples
    --------
    >>> x, W, b = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.zeros(1)
    >>> _, cache = dropconnect_forward(x, W, b, p=0.5, training=False, rng=0)
    >>> [g.tolist() for g in dropconnect_backward(np.array([[1.0]]), cache)]
    [[[3.0, 4.0]], [[1.0], [2.0]], [1.0]]
    """
    if not isinstance(cache, DropConnectCache):
        got = f"a {type(cache).__name__}"
        raise TypeError(param_error("cache", "dropconnect_backward", "a DropConnectCache", got, raw=True))
    dout = _float_array(dout, "dout", "dropconnect_backward", ndim=2)
    x, W, mask = cache.x, cache.W, cache.mask
    if dout.shape != (x.shape[0], W.shape[1]):
        expected = f"an array of shape {(x.shape[0], W.shape[1])}"
        raise ValueError(param_error("dout", "dropconnect_backward", expected, dout))
    W_eff = W if mask is None else mask * W  # the weights the forward pass used
    dx = dout @ W_eff.T  # (N, n_in)
    dW = x.T @ dout if mask is None else mask * (x.T @ dout)  # (n_in, n_out)
    db = dout.sum(axis=0)  # (n_out,)
    return dx, dW, db


def mc_dropout_predict(forward, x, *, n_samples, rng):
    r"""Monte Carlo dropout: average many stochastic forward passes (Gal and Ghahramani, 2016).

    .. math::

        \hat y_t = f(x;\, m_t), \qquad
        \bar y = \frac1T\sum_{t=1}^T \hat y_t, \qquad
        \hat\sigma^2 = \frac1T\sum_{t=1}^T (\hat y_t - \bar y)^2,

    where each pass draws fresh dropout masks :math:`m_t` (training-mode dropout
    at prediction time). :math:`\hat\sigma^2` is the model (epistemic) part of
    Gal and Ghahramani's predictive variance; for a regression model with
    observation noise precision :math:`\tau`, add :math:`\tau^{-1}`. For a model
    that is linear in the dropped units, :math:`\mathbb{E}[\hat y_t]` is exactly
    the evaluation-mode prediction, so :math:`\bar y` converges to it.

    Parameters
    ----------
    forward : callable
        ``forward(x, rng) -> ndarray``, the model with dropout in training mode,
        drawing its masks from ``rng``.
    x : array_like, e.g. (n_samples, n_features)
        Inputs, finite.
    n_samples : int
        Number :math:`T \ge 2` of stochastic passes.
    rng : numpy.random.Generator or int
        Passed to every call of ``forward`` (so each pass draws new masks).

    Returns
    -------
    MCPrediction
        ``mean`` and ``var`` of the shape of one output, ``samples`` of shape
        (n_samples, \*output_shape).

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> def forward(x, rng):
    ...     return dropout_forward(x, p=0.2, training=True, rng=rng)[0] @ w
    >>> pred = mc_dropout_predict(forward, np.ones((1, 3)), n_samples=20_000, rng=0)
    >>> round(float(pred.mean[0]), 1), float((np.ones((1, 3)) @ w)[0])   # E = eval prediction
    (-0.5, -0.5)
    >>> bool(pred.var[0] > 0)
    True
    """
    caller = "mc_dropout_predict"
    if not callable(forward):
        raise TypeError(param_error("forward", caller, "a callable forward(x, rng)", forward))
    x = _float_array(x, "x", caller)
    n_samples = check_int(n_samples, "n_samples", caller, min_val=2)
    rng = check_rng(rng, "rng", caller)
    samples = np.stack([np.asarray(forward(x, rng), dtype=np.float64) for _ in range(n_samples)])
    mean = samples.mean(axis=0)  # (1/T) sum_t y_t
    var = samples.var(axis=0)  # (1/T) sum_t (y_t - mean)^2
    return MCPrediction(mean, var, samples)
