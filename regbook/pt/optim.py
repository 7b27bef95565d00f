r"""PyTorch twin of :mod:`regbook.np.optim`: AdamW written from scratch.

:class:`AdamW` is a :class:`torch.optim.Optimizer` subclass with param groups,
a ``state_dict`` that uses the same keys as ``torch.optim.AdamW`` (``step``,
``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``), so that a state saved by one
loads into the other, and a ``step(closure=None)`` that follows the pseudocode
of its docstring line by line. It does not call torch's own Adam functional.
"""

from __future__ import annotations

import torch

from regbook._validation import check_bool, check_scalar, param_error

__all__ = ["AdamW", "adam_direction"]


@torch.no_grad()
def adam_direction(grad, m, v, *, t, betas=(0.9, 0.999), eps=1e-8, v_max=None):
    r"""One Adam direction; updates ``m``, ``v`` (and ``v_max``) in place.

    The twin of :func:`regbook.np.optim.adam_direction`:

    .. math::

        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \hat v_t = \max(\hat v_{\max}, v_t) / (1 - \beta_2^t) \ \text{(AMSGrad)} \ \text{or}\ v_t / (1 - \beta_2^t) \\
        d_t &= \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    Parameters
    ----------
    grad, m, v : Tensor of the parameter's shape
    t : int
        Step number, starting at 1.
    betas : (float, float)
    eps : float
    v_max : Tensor or None
        Running maximum of :math:`v_t` for AMSGrad (updated in place), or None.

    Returns
    -------
    Tensor
        :math:`d_t`, of the parameter's shape, device and dtype.

    Examples
    --------
    >>> m, v = torch.zeros(1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64)
    >>> d = adam_direction(torch.tensor([-3.0], dtype=torch.float64), m, v, t=1, eps=0.0)
    >>> round(d.item(), 12)
    -1.0
    """
    beta1, beta2 = betas
    m.mul_(beta1).add_(grad, alpha=1.0 - beta1)
    v.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
    if v_max is not None:
        torch.maximum(v_max, v, out=v_max)
    m_hat = m / (1.0 - beta1**t)
    v_hat = (v if v_max is None else v_max) / (1.0 - beta2**t)
    return m_hat / (v_hat.sqrt() + eps)


def _check_betas(betas, caller):
    expected = "a pair of floats in the range [0.0, 1.0)"
    if not isinstance(betas, (list, tuple)) or len(betas) != 2:
        raise TypeError(param_error("betas", caller, expected, betas))
    try:
        return tuple(check_scalar(b, "betas", caller, min_val=0.0, max_val=1.0, closed="left") for b in betas)
    except (TypeError, ValueError) as exc:
        raise type(exc)(param_error("betas", caller, expected, tuple(betas))) from None


class AdamW(torch.optim.Optimizer):
    r"""Adam with decoupled weight decay, the twin of :class:`regbook.np.optim.AdamW`.

    .. math::

        w_{t-1} &\leftarrow (1 - \eta\lambda)\, w_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
        \hat m_t &= m_t / (1-\beta_1^t), \quad \hat v_t = v_t / (1-\beta_2^t) \\
        w_t &= w_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon)

    with :math:`g_t` the ``.grad`` of each parameter (no decay term in it); with
    AMSGrad, :math:`v_t` in :math:`\hat v_t` is replaced by its running maximum.
    Same semantics as ``torch.optim.AdamW``.

    .. note:: ``weight_decay`` is multiplied by the learning rate, as in torch and optax:
       the shrink per step is :math:`\eta\lambda`. Each param group may set its own
       ``lr`` and ``weight_decay`` (e.g. ``weight_decay=0`` for biases and norms).

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters (any shape, e.g. ``(n_features,)``) or param groups.
    lr : float, default=1e-3
    betas : (float, float), default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=1e-2
    amsgrad : bool, default=False

    Examples
    --------
    >>> w = torch.nn.Parameter(torch.tensor([2.0], dtype=torch.float64))
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> for _ in range(3):
    ...     w.grad = torch.zeros_like(w)  # zero gradient: only the decay acts
    ...     opt.step()
    >>> round(w.item(), 6)  # 2 * (1 - 0.1*0.5)**3
    1.71475
    """

    def __init__(self, params, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, self._check_hyper(defaults))

    @staticmethod
    def _check_hyper(group):
        c = "AdamW"
        group["lr"] = check_scalar(group["lr"], "lr", c, min_val=0.0, closed="neither")
        group["betas"] = _check_betas(group["betas"], c)
        group["eps"] = check_scalar(group["eps"], "eps", c, min_val=0.0)
        group["weight_decay"] = check_scalar(group["weight_decay"], "weight_decay", c, min_val=0.0)
        group["amsgrad"] = check_bool(group["amsgrad"], "amsgrad", c)
        return group

    def add_param_group(self, param_group):
        """Add a group; its own hyperparameters are validated like the constructor's."""
        super().add_param_group(param_group)
        self._check_hyper(self.param_groups[-1])

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:  # a state saved by torch.optim.AdamW carries extra keys
            group.setdefault("amsgrad", False)

    @torch.no_grad()
    def step(self, closure=None):
        """Perform one step on every parameter that has a ``.grad``; return ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, lam, amsgrad = group["lr"], group["weight_decay"], group["amsgrad"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g = w.grad
                if g.is_sparse:
                    raise RuntimeError("AdamW does not support sparse gradients.")
                state = self.state[w]
                if len(state) == 0:
                    state["step"] = torch.tensor(0.0)  # a tensor, as torch's AdamW stores it
                    state["exp_avg"] = torch.zeros_like(w, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(w, memory_format=torch.preserve_format)
                if amsgrad and "max_exp_avg_sq" not in state:  # also for a state saved without amsgrad
                    state["max_exp_avg_sq"] = torch.zeros_like(w, memory_format=torch.preserve_format)
                state["step"] += 1
                # Perform stepweight decay
                w.mul_(1.0 - lr * lam)
                d = adam_direction(g, state["exp_avg"], state["exp_avg_sq"], t=state["step"].item(),
                                   betas=group["betas"], eps=group["eps"],
                                   v_max=state["max_exp_avg_sq"] if amsgrad else None)
                w.add_(d, alpha=-lr)
        return loss
