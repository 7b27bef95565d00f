r"""Max-norm constraint: project each unit's incoming weight vector onto a ball.

After every optimizer step, each unit's incoming weights :math:`w` are rescaled

.. math::

    w \leftarrow w \cdot \min\!\Big(1, \frac{c}{\lVert w \rVert_2}\Big),

the Euclidean projection onto :math:`\{w : \lVert w \rVert_2 \le c\}`
(Srebro & Shraibman 2005; used with dropout by Srivastava et al. 2014). Unlike
an L2 penalty it does nothing to weights inside the ball, and it bounds the
weights however large the learning rate.

Layouts: a NumPy weight here is ``(d_in, d_out)`` (``X @ W``), so the norm is
taken over ``axis=0`` (each column); a torch ``nn.Linear.weight`` is
``(out, in)``, so :func:`regbook.pt.constraints.max_norm_` takes it over
``dim=1`` (each row). The two agree after transposition.
"""

from __future__ import annotations

import numpy as np

from regbook._validation import check_array, check_int, check_scalar, param_error

__all__ = ["max_norm"]


def _check_max_norm(value, caller):
    return check_scalar(value, "max_norm", caller, min_val=0.0, closed="neither")


def max_norm(W, *, max_norm, axis=0):
    r"""Rescale every slice of ``W`` to Euclidean norm at most ``max_norm``.

    .. math::

        W_{:, j} \leftarrow W_{:, j} \cdot \min\!\Big(1, \frac{c}{\lVert W_{:, j} \rVert_2}\Big)
        \quad (\text{norm over } \texttt{axis}).

    Parameters
    ----------
    W : array_like of shape (d_in, d_out)
        Weights (any number of dimensions; the norm is over ``axis``).
    max_norm : float
        Radius :math:`c > 0`.
    axis : int, default=0
        Axis the norm is taken over: 0 gives one norm per column, i.e. per unit
        of a ``(d_in, d_out)`` weight.

    Returns
    -------
    ndarray of the shape of ``W`` (float64, a new array)

    Examples
    --------
    >>> W = np.array([[3.0, 0.3], [4.0, 0.4]])   # column norms 5 and 0.5
    >>> max_norm(W, max_norm=1.0).round(4).tolist()
    [[0.6, 0.3], [0.8, 0.4]]
    """
    caller = "max_norm"
    W = check_array(W, "W", caller)
    c = _check_max_norm(max_norm, caller)
    axis = check_int(axis, "axis", caller)
    if W.ndim == 0 or not -W.ndim <= axis < W.ndim:
        raise ValueError(param_error("axis", caller, f"an axis of W (W has {W.ndim} dimensions)", axis))
    norms = np.sqrt((W * W).sum(axis=axis, keepdims=True))
    scale = np.minimum(1.0, c / np.where(norms > 0, norms, 1.0))  # zero columns stay zero
    return W * scale
