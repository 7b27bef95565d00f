r"""Label smoothing: cross-entropy against targets mixed with the uniform distribution.

With :math:`k` classes and smoothing :math:`\varepsilon \in [0, 1]`, a target
distribution :math:`t` (one-hot for an integer label) is replaced by

.. math::

    q = (1 - \varepsilon)\, t + \frac{\varepsilon}{k}\mathbf 1, \qquad
    L = -\frac1n \sum_{i=1}^n \sum_{j=1}^k q_{ij} \log \operatorname{softmax}(z_i)_j,
    \qquad \frac{\partial L}{\partial z_i} = \frac{\operatorname{softmax}(z_i) - q_i}{n}.

This is exactly the convention of ``torch.nn.functional.cross_entropy(z, t,
label_smoothing=eps)`` for integer and for probability targets (mean over the
batch). For one example the loss is minimized where
:math:`\operatorname{softmax}(z) = q`: the logits stay finite, which is the point.
"""

from __future__ import annotations

import numpy as np

from regbook._validation import check_array, check_consistent_length, check_int, check_scalar, param_error

__all__ = ["cross_entropy", "cross_entropy_grad", "log_softmax", "smooth_labels"]


def _check_epsilon(epsilon, name, caller):
    return check_scalar(epsilon, name, caller, min_val=0.0, max_val=1.0)


def _check_labels(y, n_classes, name, caller):
    y = check_array(y, name, caller, ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        raise TypeError(param_error(name, caller, "an array of integer class labels", f"dtype {y.dtype}", raw=True))
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(param_error(name, caller, f"an array of labels in [0, {n_classes})",
                                     f"labels in [{int(y.min())}, {int(y.max())}]", raw=True))
    return y


def smooth_labels(y, n_classes, *, epsilon):
    r"""Smoothed one-hot targets :math:`q = (1-\varepsilon)\, e_y + \varepsilon / k`.

    .. math::

        q_{ij} = (1 - \varepsilon)\,[y_i = j] + \frac{\varepsilon}{k}.

    Parameters
    ----------
    y : array_like of int, shape (n,)
        Labels in :math:`[0, k)`.
    n_classes : int
        :math:`k \ge 2`.
    epsilon : float
        :math:`\varepsilon \in [0, 1]`; 0 gives one-hot targets, 1 the uniform distribution.

    Returns
    -------
    ndarray of shape (n, k)
        Rows sum to 1.

    Examples
    --------
    >>> smooth_labels([1], 4, epsilon=0.2).round(4).tolist()
    [[0.05, 0.85, 0.05, 0.05]]
    """
    caller = "smooth_labels"
    n_classes = check_int(n_classes, "n_classes", caller, min_val=2)
    epsilon = _check_epsilon(epsilon, "epsilon", caller)
    y = _check_labels(y, n_classes, "y", caller)
    return (1.0 - epsilon) * np.eye(n_classes)[y] + epsilon / n_classes


def log_softmax(logits):
    r"""Row-wise log-softmax, stable via the log-sum-exp trick.

    .. math::

        \log \operatorname{softmax}(z)_j = z_j - m - \log \sum_l e^{z_l - m}, \quad m = \max_l z_l.

    Parameters
    ----------
    logits : array_like of shape (n, k)

    Returns
    -------
    ndarray of shape (n, k)

    Examples
    --------
    >>> [round(float(v), 6) for v in np.exp(log_softmax([[1000.0, 1000.0]]))[0]]
    [0.5, 0.5]
    """
    z = check_array(logits, "logits", "log_softmax", ndim=2)
    return _log_softmax(z)


def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    s = z - m
    return s - np.log(np.exp(s).sum(axis=1, keepdims=True))


def _targets(logits, targets, label_smoothing, caller):
    z = check_array(logits, "logits", caller, ndim=2)
    eps = _check_epsilon(label_smoothing, "label_smoothing", caller)
    k = z.shape[1]
    t = np.asarray(targets) if not isinstance(targets, np.ndarray) else targets
    if t.ndim == 1:
        y = _check_labels(t, k, "targets", caller)
        check_consistent_length(caller, logits=z, targets=y)
        q = (1.0 - eps) * np.eye(k)[y] + eps / k
    else:
        t = check_array(t, "targets", caller, ndim=2)
        if t.shape != z.shape:
            raise ValueError(param_error("targets", caller, f"integer labels (n,) or probabilities of shape {z.shape}",
                                         f"shape {t.shape}", raw=True))
        if t.min() < 0 or np.abs(t.sum(axis=1) - 1.0).max() > 1e-6:
            raise ValueError(param_error("targets", caller, "probabilities: non-negative rows that sum to 1",
                                         f"entries in [{t.min()!r}, {t.max()!r}] and row sums in "
                                         f"[{t.sum(axis=1).min()!r}, {t.sum(axis=1).max()!r}]", raw=True))
        q = (1.0 - eps) * t + eps / k
    return z, q


def cross_entropy(logits, targets, *, label_smoothing=0.0) -> float:
    r"""Mean cross-entropy with label smoothing (torch's convention).

    .. math::

        L = -\frac1n \sum_i \sum_j q_{ij} \log \operatorname{softmax}(z_i)_j, \qquad
        q = (1-\varepsilon)\, t + \varepsilon / k .

    Parameters
    ----------
    logits : array_like of shape (n, k)
        Scores :math:`z`, finite.
    targets : array_like of int, shape (n,), or of float, shape (n, k)
        Class labels in :math:`[0, k)`, or target probabilities :math:`t` (rows summing to 1).
    label_smoothing : float, default=0.0
        :math:`\varepsilon \in [0, 1]`.

    Returns
    -------
    float

    Examples
    --------
    >>> z = np.log([[0.7, 0.2, 0.1]])
    >>> round(cross_entropy(z, [0]), 6) == round(float(-np.log(0.7)), 6)
    True
    >>> round(cross_entropy(z, [0], label_smoothing=0.3), 4)
    0.6765
    """
    caller = "cross_entropy"
    z, q = _targets(logits, targets, label_smoothing, caller)
    return float(-(q * _log_softmax(z)).sum() / len(z))


def cross_entropy_grad(logits, targets, *, label_smoothing=0.0):
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial L}{\partial z_{ij}} = \frac{\operatorname{softmax}(z_i)_j - q_{ij}}{n},

    because :math:`\sum_j q_{ij} = 1`.

    Parameters
    ----------
    logits : array_like of shape (n, k)
    targets : array_like of int, shape (n,), or of float, shape (n, k)
    label_smoothing : float, default=0.0

    Returns
    -------
    ndarray of shape (n, k)
        Rows sum to 0.

    Examples
    --------
    >>> g = cross_entropy_grad(np.zeros((1, 2)), [0], label_smoothing=0.2)
    >>> g.round(4).tolist()   # softmax = (0.5, 0.5), q = (0.9, 0.1)
    [[-0.4, 0.4]]
    """
    caller = "cross_entropy_grad"
    z, q = _targets(logits, targets, label_smoothing, caller)
    return (np.exp(_log_softmax(z)) - q) / len(z)
