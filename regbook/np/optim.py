r"""First-order optimizers with explicit gradients: SGD, Adam and AdamW.

Each optimizer holds a list of float64 arrays and updates them **in place**
when ``step(grads)`` is called with the gradients of the same shapes; there is
no hidden autograd. The updates follow ``torch.optim`` step for step, so a
NumPy trajectory and a torch trajectory started from the same point agree to
rounding error.

Convention (as torch and optax): ``weight_decay`` is multiplied by the learning
rate. In :class:`SGD` and :class:`Adam` it is *coupled*, added to the gradient
(the gradient of :math:`\tfrac{\lambda}{2}\|w\|^2`); in :class:`AdamW` it is
*decoupled*, a shrink :math:`w \leftarrow (1 - \eta\lambda) w` applied before
the Adam step, which Adam's per-coordinate scaling never sees.
"""

from __future__ import annotations

import numpy as np

from regbook._validation import check_array, check_bool, check_scalar, param_error

__all__ = ["SGD", "Adam", "AdamW", "adam_direction"]


# --------------------------------------------------------------------------- validation
def _check_params(params, caller):
    if not isinstance(params, (list, tuple)) or len(params) == 0:
        raise TypeError(param_error("params", caller, "a non-empty list of float64 NumPy arrays", params))
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            got = f"dtype {p.dtype}" if isinstance(p, np.ndarray) else f"a {type(p).__name__}"
            raise TypeError(param_error(f"params[{i}]", caller, "a float64 NumPy array (updated in place)",
                                        got, raw=True))
        check_array(p, f"params[{i}]", caller, ndim=None, min_samples=0)
    return list(params)


def _check_grads(grads, params, caller):
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        got = f"{len(grads)} arrays" if isinstance(grads, (list, tuple)) else f"a {type(grads).__name__}"
        raise ValueError(param_error("grads", caller, f"a list of {len(params)} arrays, one per parameter",
                                     got, raw=True))
    out = []
    for i, (g, p) in enumerate(zip(grads, params)):
        g = check_array(g, f"grads[{i}]", caller, min_samples=0)
        if g.shape != p.shape:
            raise ValueError(param_error(f"grads[{i}]", caller, f"an array of shape {p.shape} (the shape of "
                                         f"params[{i}])", f"shape {g.shape}", raw=True))
        out.append(g)
    return out


def _check_betas(betas, caller):
    expected = "a pair of floats in the range [0.0, 1.0)"
    if not isinstance(betas, (list, tuple)) or len(betas) != 2:
        raise TypeError(param_error("betas", caller, expected, betas))
    try:
        return tuple(check_scalar(b, "betas", caller, min_val=0.0, max_val=1.0, closed="left") for b in betas)
    except (TypeError, ValueError) as exc:
        raise type(exc)(param_error("betas", caller, expected, tuple(betas))) from None


def _positive(x, name, caller):
    return check_scalar(x, name, caller, min_val=0.0, closed="neither")


def _nonneg(x, name, caller):
    return check_scalar(x, name, caller, min_val=0.0)


# --------------------------------------------------------------------------- SGD
class SGD:
    r"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay.

    .. math::

        g_t &= \nabla f(w_{t-1}) + \lambda w_{t-1} \\
        b_t &= \mu b_{t-1} + (1 - \tau) g_t \quad (b_1 = g_1) \\
        g_t &\leftarrow g_t + \mu b_t \ \text{(Nesterov)} \quad\text{or}\quad g_t \leftarrow b_t \\
        w_t &= w_{t-1} - \eta g_t

    with learning rate :math:`\eta` (``lr``), momentum :math:`\mu`, dampening
    :math:`\tau` and coupled weight decay :math:`\lambda`, exactly as
    ``torch.optim.SGD``. Without momentum the last line is plain gradient descent.

    Parameters
    ----------
    params : list of ndarray of float64
        Arrays of any shape, e.g. ``(n_features,)``; updated in place.
    lr : float
        Learning rate :math:`\eta > 0`.
    momentum : float, default=0.0
    dampening : float, default=0.0
        :math:`\tau \in [0, 1]`, the share of the new gradient left out of the buffer.
    nesterov : bool, default=False
        Needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float, default=0.0
        :math:`\lambda`, the gradient of :math:`\tfrac{\lambda}{2}\|w\|^2` is added to the gradient.

    Examples
    --------
    >>> w = np.array([1.0])
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> opt.step([np.array([2.0])]); opt.step([np.array([2.0])])
    >>> round(float(w[0]), 6)  # 1 - 0.1*2 - 0.1*(0.9*2 + 2)
    0.42
    """

    def __init__(self, params, *, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        self.params = _check_params(params, "SGD")
        self.lr = _positive(lr, "lr", "SGD")
        self.momentum = _nonneg(momentum, "momentum", "SGD")
        self.dampening = check_scalar(dampening, "dampening", "SGD", min_val=0.0, max_val=1.0)
        self.nesterov = check_bool(nesterov, "nesterov", "SGD")
        self.weight_decay = _nonneg(weight_decay, "weight_decay", "SGD")
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError(
                "The 'nesterov' parameter of SGD can be True only with momentum > 0 and dampening = 0. "
                f"Got momentum={self.momentum!r} and dampening={self.dampening!r} instead."
            )
        self.momentum_buffer = [None] * len(self.params)

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a list of arrays of the params' shapes)."""
        grads = _check_grads(grads, self.params, "SGD.step")
        mu, tau = self.momentum, self.dampening
        for i, (w, g) in enumerate(zip(self.params, grads)):
            g = g + self.weight_decay * w
            if mu != 0.0:
                b = self.momentum_buffer[i]
                b = g.copy() if b is None else mu * b + (1.0 - tau) * g
                self.momentum_buffer[i] = b
                g = g + mu * b if self.nesterov else b
            w -= self.lr * g


# --------------------------------------------------------------------------- Adam
def adam_direction(grad, m, v, *, t, betas=(0.9, 0.999), eps=1e-8, v_max=None):
    r"""One Adam direction; updates the moments ``m``, ``v`` (and ``v_max``) in place.

    .. math::

        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \hat v_t = \max(\hat v_{\max}, v_t) / (1 - \beta_2^t) \ \text{(AMSGrad)} \ \text{or}\ v_t / (1 - \beta_2^t) \\
        d_t &= \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    The caller moves the parameter by :math:`-\eta d_t` (Kingma & Ba, 2015).
    Inputs are not validated (this is a kernel; the optimizers validate).

    Parameters
    ----------
    grad, m, v : ndarray of the parameter's shape
    t : int
        Step number, starting at 1.
    betas : (float, float)
    eps : float
    v_max : ndarray or None
        Running maximum of :math:`v_t` for AMSGrad (updated in place), or None.

    Returns
    -------
    ndarray
        :math:`d_t`, of the parameter's shape.

    Examples
    --------
    >>> m, v = np.zeros(1), np.zeros(1)
    >>> d = adam_direction(np.array([3.0]), m, v, t=1, eps=0.0)
    >>> round(float(d[0]), 12)  # the first step has unit size: m_hat / sqrt(v_hat) = g / |g|
    1.0
    """
    beta1, beta2 = betas
    m *= beta1
    m += (1.0 - beta1) * grad
    v *= beta2
    v += (1.0 - beta2) * grad * grad
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
    m_hat = m / (1.0 - beta1**t)
    v_hat = (v if v_max is None else v_max) / (1.0 - beta2**t)
    return m_hat / (np.sqrt(v_hat) + eps)


class Adam:
    r"""Adam with coupled (L2) weight decay and optional AMSGrad, as ``torch.optim.Adam``.

    .. math::

        g_t &= \nabla f(w_{t-1}) + \lambda w_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \quad \hat v_t = v_t / (1-\beta_2^t) \\
        w_t &= w_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    With AMSGrad, :math:`v_t` in :math:`\hat v_t` is replaced by its running maximum.
    Here ``weight_decay`` is the L2 penalty :math:`\tfrac{\lambda}{2}\|w\|^2` added to the
    loss, so Adam rescales it per coordinate; :class:`AdamW` decouples it.

    Parameters
    ----------
    params : list of ndarray of float64
        Arrays of any shape, e.g. ``(n_features,)``; updated in place.
    lr : float, default=1e-3
    betas : (float, float), default=(0.9, 0.999)
        Each in :math:`[0, 1)`.
    eps : float, default=1e-8
    weight_decay : float, default=0.0
    amsgrad : bool, default=False

    Examples
    --------
    >>> w = np.array([1.0, -1.0])
    >>> Adam([w], lr=0.1).step([np.array([3.0, -0.5])])
    >>> [round(float(x), 6) for x in w]  # the first step moves each coordinate by lr
    [0.9, -0.9]
    """

    _caller = "Adam"
    _decoupled = False

    def __init__(self, params, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
        c = self._caller
        self.params = _check_params(params, c)
        self.lr = _positive(lr, "lr", c)
        self.betas = _check_betas(betas, c)
        self.eps = _nonneg(eps, "eps", c)
        self.weight_decay = _nonneg(weight_decay, "weight_decay", c)
        self.amsgrad = check_bool(amsgrad, "amsgrad", c)
        self.t = 0
        self.m = [np.zeros_like(w) for w in self.params]
        self.v = [np.zeros_like(w) for w in self.params]
        self.v_max = [np.zeros_like(w) if self.amsgrad else None for w in self.params]

    def step(self, grads):
        """Update every parameter in place from ``grads`` (a list of arrays of the params' shapes)."""
        grads = _check_grads(grads, self.params, f"{self._caller}.step")
        self.t += 1
        lr, lam = self.lr, self.weight_decay
        for w, g, m, v, v_max in zip(self.params, grads, self.m, self.v, self.v_max):
            if self._decoupled:
                # Perform stepweight decay
                w *= 1.0 - lr * lam
            elif lam != 0.0:
                g = g + lam * w
            d = adam_direction(g, m, v, t=self.t, betas=self.betas, eps=self.eps, v_max=v_max)
            w -= lr * d


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    .. math::

        w_{t-1} &\leftarrow (1 - \eta\lambda)\, w_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \quad \hat v_t = v_t / (1-\beta_2^t) \\
        w_t &= w_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    with :math:`g_t = \nabla f(w_{t-1})` *without* the decay term.

    .. note:: ``weight_decay`` is multiplied by the learning rate, as in torch and optax:
       the shrink per step is :math:`\eta\lambda`, not :math:`\lambda` as in the paper's
       schedule-multiplier form. Halving ``lr`` also halves the decay.

    Parameters
    ----------
    params : list of ndarray of float64
        Arrays of any shape, e.g. ``(n_features,)``; updated in place.
    lr : float, default=1e-3
    betas : (float, float), default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=1e-2
    amsgrad : bool, default=False

    Examples
    --------
    >>> w = np.array([2.0])
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> for _ in range(3):
    ...     opt.step([np.zeros(1)])  # zero gradient: only the decay acts
    >>> round(float(w[0]), 6)  # 2 * (1 - 0.1*0.5)**3
    1.71475
    """

    _caller = "AdamW"
    _decoupled = True

    def __init__(self, params, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
