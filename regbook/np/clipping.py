r"""Gradient clipping: rescale by the total norm, or clamp each entry.

Clipping by norm treats all gradients of a model as one long vector
:math:`g` and shrinks it when its :math:`p`-norm exceeds ``max_norm``:

.. math::

    \|g\|_p = \Big\| \big(\|g_1\|_p, \dots, \|g_k\|_p\big) \Big\|_p, \qquad
    c = \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big), \qquad
    g_j \leftarrow c\, g_j .

This is the behaviour of ``torch.nn.utils.clip_grad_norm_``: the coefficient
is clamped at 1 (gradients are never enlarged), the :math:`10^{-6}` keeps the
division safe when every gradient is zero, and a non-finite total norm either
raises (``error_if_nonfinite=True``) or is used as is, so that a NaN norm
turns every gradient into NaN and an infinite norm gives :math:`c = 0`
(finite entries become 0, infinite ones NaN). Clipping by value clamps each
entry to :math:`[-v, v]` and changes the gradient's direction.

Gradients are NumPy arrays modified **in place**; ``None`` entries (parameters
without a gradient) are skipped, as torch skips parameters whose ``.grad`` is
``None``.
"""

from __future__ import annotations

import math

import numpy as np

from regbook._validation import check_bool, check_scalar, param_error

__all__ = ["clip_grad_norm", "clip_grad_value"]

_EPS = 1e-6  # the same safety term as torch


def _check_grads(grads, caller):
    """A list or tuple of floating-point arrays (or None); returns the arrays."""
    if isinstance(grads, np.ndarray):
        grads = [grads]
    if not isinstance(grads, (list, tuple)):
        raise TypeError(param_error("grads", caller, "a list of NumPy arrays", f"a {type(grads).__name__}", raw=True))
    arrays = []
    for g in grads:
        if g is None:
            continue
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            got = f"dtype {g.dtype}" if isinstance(g, np.ndarray) else f"an entry of type {type(g).__name__}"
            raise TypeError(param_error("grads", caller, "a list of floating-point NumPy arrays (modified in place)",
                                        got, raw=True))
        arrays.append(g)
    return arrays


def _check_norm_type(norm_type, caller):
    return check_scalar(norm_type, "norm_type", caller, min_val=0.0, max_val=math.inf, closed="right")


def _total_norm(arrays, p):
    """p-norm of the per-array p-norms (NaN propagates, as in torch)."""
    if not arrays:
        return 0.0
    flat = [np.abs(g, dtype=np.float64).ravel() for g in arrays]
    if math.isinf(p):
        norms = np.array([f.max() if f.size else 0.0 for f in flat])
        return float(norms.max())
    norms = np.array([np.linalg.norm(f, ord=p) if f.size else 0.0 for f in flat])
    return float(np.linalg.norm(norms, ord=p))


def _nonfinite_message(p: float) -> str:
    """The error message for a non-finite total norm (shared with :mod:`regbook.pt.clipping`).

    >>> _nonfinite_message(2.0).startswith("The total norm of order 2.0")
    True
    """
    return (
        f"The total norm of order {p} of the gradients is non-finite, so it cannot be clipped. "
        "Set error_if_nonfinite=False to scale the gradients by the non-finite norm anyway."
    )


def clip_grad_norm(grads, max_norm, *, norm_type=2.0, error_if_nonfinite=False) -> float:
    r"""Rescale gradients in place so that their total ``norm_type``-norm is at most ``max_norm``.

    .. math::

        \|g\|_p = \Big\|\big(\|g_1\|_p, \dots, \|g_k\|_p\big)\Big\|_p, \qquad
        g_j \leftarrow \min\Big(1, \frac{\text{max\_norm}}{\|g\|_p + 10^{-6}}\Big)\, g_j .

    Parameters
    ----------
    grads : list of ndarray (or None), each of any shape, e.g. (n_features,) or (n_features, n_outputs)
        Floating-point gradients, modified in place; ``None`` entries are
        skipped. Non-finite entries are allowed (see ``error_if_nonfinite``).
    max_norm : float
        Largest allowed total norm, in :math:`(0, \infty)`.
    norm_type : float, default=2.0
        Order :math:`p \in (0, \infty]` of the norm; ``math.inf`` gives the
        largest absolute entry.
    error_if_nonfinite : bool, default=False
        If True, a NaN or infinite total norm raises :class:`RuntimeError`
        before any gradient is touched. If False, the gradients are scaled by
        the non-finite coefficient anyway (NaN norm: all entries become NaN).

    Returns
    -------
    total_norm : float
        The total norm **before** clipping.

    Examples
    --------
    >>> import numpy as np
    >>> g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    >>> round(clip_grad_norm(g, 1.0), 4)   # sqrt(9 + 16) = 5
    5.0
    >>> [round(float(v), 4) for v in g[0]], round(float(g[1][0, 0]), 4)
    ([0.6, 0.0], 0.8)
    >>> round(clip_grad_norm(g, 10.0), 4), round(float(g[1][0, 0]), 4)   # below max_norm: unchanged
    (1.0, 0.8)
    """
    caller = "clip_grad_norm"
    arrays = _check_grads(grads, caller)
    max_norm = check_scalar(max_norm, "max_norm", caller, min_val=0.0, closed="neither")
    p = _check_norm_type(norm_type, caller)
    error_if_nonfinite = check_bool(error_if_nonfinite, "error_if_nonfinite", caller)
    total = _total_norm(arrays, p)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(_nonfinite_message(p))
    coef = float(np.minimum(max_norm / (total + _EPS), 1.0))  # np.minimum keeps a NaN coefficient NaN
    with np.errstate(invalid="ignore"):  # inf * 0 = NaN is the documented (torch) behaviour
        for g in arrays:
            g *= coef
    return total


def clip_grad_value(grads, clip_value) -> None:
    r"""Clamp every gradient entry in place to :math:`[-v, v]`.

    .. math::

        g_{j,i} \leftarrow \min\big(v, \max(-v, g_{j,i})\big).

    Parameters
    ----------
    grads : list of ndarray (or None), each of any shape, e.g. (n_features,)
        Floating-point gradients, modified in place; ``None`` entries are skipped.
        NaN entries stay NaN.
    clip_value : float
        The bound :math:`v \in [0, \infty)`.

    Returns
    -------
    None

    Examples
    --------
    >>> import numpy as np
    >>> g = [np.array([-3.0, 0.5, 2.0])]
    >>> clip_grad_value(g, 1.0)
    >>> [round(float(v), 4) for v in g[0]]
    [-1.0, 0.5, 1.0]
    """
    caller = "clip_grad_value"
    arrays = _check_grads(grads, caller)
    v = check_scalar(clip_value, "clip_value", caller, min_val=0.0, closed="left")
    for g in arrays:
        np.clip(g, -v, v, out=g)
