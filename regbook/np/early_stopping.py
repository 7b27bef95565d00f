r"""Early stopping: stop training when a validation metric stops improving.

With ``mode="min"`` (losses) step :math:`t` **improves** when

.. math::

    m_t < m^\star - \delta, \qquad m^\star = \min_{s < t,\ s\ \text{improved}} m_s ,

and with ``mode="max"`` (accuracies) when :math:`m_t > m^\star + \delta`.
The margin :math:`\delta` = ``min_delta`` is **absolute** (as in Keras), not
relative, and the inequality is strict: a metric equal to
:math:`m^\star - \delta` is not an improvement. A NaN metric is never an
improvement (every comparison with NaN is false), so a diverged run stops.

Each non-improving step increments ``num_bad_steps``; an improvement resets it
to 0. :meth:`EarlyStopping.step` returns True at the step where
``num_bad_steps`` reaches ``patience`` (so ``patience=0`` and ``patience=1``
both stop at the first non-improvement, as in Keras), and keeps returning True
afterwards without changing its state. Steps are numbered 0, 1, 2, ... in the
order of the calls. With ``restore_best=True`` the parameters passed at the
best step are deep-copied, and :meth:`EarlyStopping.restore` writes them back
in place.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from regbook._validation import check_bool, check_int, check_option, check_scalar, param_error

__all__ = ["EarlyStopping"]


class EarlyStopping:
    r"""Track a validation metric and say when to stop; keep the best parameters.

    .. math::

        \text{improved}_t = \begin{cases} m_t < m^\star - \delta & \text{mode = "min"} \\
        m_t > m^\star + \delta & \text{mode = "max"} \end{cases}, \qquad
        \text{stop at the first } t \text{ with } \#\{\text{bad steps since } m^\star\} \ge \text{patience}.

    Parameters
    ----------
    patience : int, default=5
        Number of consecutive non-improving steps after which to stop, in
        :math:`[0, \infty)` (0 behaves as 1: stop at the first non-improvement).
    min_delta : float, default=0.0
        Absolute margin :math:`\delta \ge 0` an improvement must beat the best by (strictly).
    mode : {"min", "max"}, default="min"
        "min" for losses, "max" for accuracies.
    restore_best : bool, default=True
        Keep a deep copy of the parameters passed at the best step, for :meth:`restore`.

    Attributes
    ----------
    best : float
        Best metric so far (``inf`` for "min", ``-inf`` for "max" before the first improvement).
    best_step : int or None
        Step number of ``best``.
    num_bad_steps : int
        Consecutive non-improving steps since the best one.
    stopped_step : int or None
        Step at which :meth:`step` first returned True.
    best_params : list of ndarray or None
        Copy of the parameters at ``best_step`` (when given and ``restore_best``).

    Examples
    --------
    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(loss) for loss in [1.0, 0.5, 0.6, 0.7, 0.4]]
    [False, False, False, True, True]
    >>> round(stopper.best, 4), stopper.best_step, stopper.stopped_step
    (0.5, 1, 3)
    """

    _caller = "EarlyStopping"

    def __init__(self, patience=5, *, min_delta=0.0, mode="min", restore_best=True):
        caller = self._caller
        self.patience = check_int(patience, "patience", caller, min_val=0)
        self.min_delta = check_scalar(min_delta, "min_delta", caller, min_val=0.0, closed="left")
        self.mode = check_option(mode, "mode", caller, ("min", "max"))
        self.restore_best = check_bool(restore_best, "restore_best", caller)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_step = None
        self.num_bad_steps = 0
        self.stopped_step = None
        self.best_params = None
        self._n_steps = 0

    # ------------------------------------------------------------------ hooks for the torch twin
    def _snapshot(self, params):
        """Deep copy of a list of arrays (validated)."""
        return [np.array(p, copy=True) for p in self._check_params(params, "step")]

    def _check_params(self, params, method):
        if isinstance(params, np.ndarray):
            params = [params]
        if not isinstance(params, (list, tuple)) or not all(isinstance(p, np.ndarray) for p in params):
            raise TypeError(param_error("params", f"{self._caller}.{method}", "a list of NumPy arrays",
                                        f"a {type(params).__name__}", raw=True))
        return list(params)

    def _metric(self, metric):
        if isinstance(metric, np.ndarray) and metric.size == 1:
            metric = metric.reshape(()).item()
        if isinstance(metric, (bool, np.bool_)) or not isinstance(metric, numbers.Real):
            raise TypeError(param_error("metric", f"{self._caller}.step", "a real number (NaN allowed)", metric))
        return float(metric)

    def _improves(self, m):
        if self.mode == "min":
            return m < self.best - self.min_delta
        return m > self.best + self.min_delta

    # ------------------------------------------------------------------ public API
    def step(self, metric, params=None) -> bool:
        r"""Record one validation metric; return True when training should stop.

        .. math::

            \text{stop} \iff \text{num\_bad\_steps} \ge \text{patience}
            \ \text{(after this step's update)}.

        Parameters
        ----------
        metric : float
            This step's validation metric; NaN counts as no improvement.
        params : list of ndarray, each of any shape, e.g. (n_features,), optional
            Current parameters; deep-copied when this step is the best so far
            and ``restore_best`` is True.

        Returns
        -------
        bool
            True from the stopping step on.

        Examples
        --------
        >>> stopper = EarlyStopping(patience=0, mode="max")
        >>> stopper.step(0.8), stopper.step(0.8)   # equal is not better
        (False, True)
        """
        m = self._metric(metric)
        if self.stopped_step is not None:
            return True
        t = self._n_steps
        self._n_steps += 1
        if self._improves(m):
            self.best, self.best_step, self.num_bad_steps = m, t, 0
            if params is not None and self.restore_best:
                self.best_params = self._snapshot(params)
            return False
        self.num_bad_steps += 1
        if self.num_bad_steps >= self.patience:
            self.stopped_step = t
            return True
        return False

    def restore(self, params) -> None:
        r"""Copy the best parameters back into ``params`` in place: :math:`\theta \leftarrow \theta^\star`.

        Parameters
        ----------
        params : list of ndarray
            The arrays to overwrite; same number and shapes as those passed to :meth:`step`.

        Returns
        -------
        None

        Examples
        --------
        >>> import numpy as np
        >>> w = [np.array([1.0])]
        >>> stopper = EarlyStopping(patience=1)
        >>> stopper.step(0.5, w); w[0][0] = 9.0; stopper.step(0.7, w)
        False
        True
        >>> stopper.restore(w); round(float(w[0][0]), 4)
        1.0
        """
        if self.best_params is None:
            raise RuntimeError(
                f"{self._caller}.restore has no best parameters to restore: pass params to step() "
                "with restore_best=True, and call restore() after at least one improvement."
            )
        arrays = self._check_params(params, "restore")
        if len(arrays) != len(self.best_params) or any(a.shape != b.shape for a, b in zip(arrays, self.best_params)):
            raise ValueError(
                f"{self._caller}.restore needs arrays of the shapes passed to step(): "
                f"expected {[b.shape for b in self.best_params]}, got {[a.shape for a in arrays]}."
            )
        for a, b in zip(arrays, self.best_params):
            a[...] = b
