r"""PyTorch twin of :mod:`regbook.np.early_stopping` for an ``nn.Module``.

Same rule as the NumPy class (absolute, strict ``min_delta``; NaN is never an
improvement; stop when ``num_bad_steps`` reaches ``patience``):

.. math::

    \text{improved}_t = \begin{cases} m_t < m^\star - \delta & \text{mode = "min"} \\
    m_t > m^\star + \delta & \text{mode = "max"} \end{cases}.

At the best step the model's ``state_dict()`` is deep-copied (so later
optimizer steps, which update the parameters in place, do not change the
copy), and :meth:`EarlyStopping.restore` loads it back with
``model.load_state_dict``.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from regbook._validation import param_error
from regbook.np.early_stopping import EarlyStopping as _NumpyEarlyStopping

__all__ = ["EarlyStopping"]


class EarlyStopping(_NumpyEarlyStopping):
    r"""Track a validation metric and keep the best ``state_dict`` of a model.

    .. math::

        \text{stop at the first } t \text{ with } \text{num\_bad\_steps}_t \ge \text{patience},
        \qquad \theta^\star = \theta_{\text{best\_step}} .

    Parameters
    ----------
    patience : int, default=5
        Consecutive non-improving steps after which to stop, in :math:`[0, \infty)`.
    min_delta : float, default=0.0
        Absolute margin :math:`\delta \ge 0` an improvement must beat the best by (strictly).
    mode : {"min", "max"}, default="min"
        "min" for losses, "max" for accuracies.
    restore_best : bool, default=True
        Keep a deep copy of the model's ``state_dict()`` at the best step.

    Attributes
    ----------
    best, best_step, num_bad_steps, stopped_step
        As in :class:`regbook.np.early_stopping.EarlyStopping`.
    best_params : dict or None
        Deep copy of ``model.state_dict()`` at ``best_step``.

    Examples
    --------
    >>> import torch
    >>> model = torch.nn.Linear(1, 1)
    >>> stopper = EarlyStopping(patience=1)
    >>> with torch.no_grad():
    ...     _ = model.weight.fill_(2.0)
    >>> stopper.step(torch.tensor(0.3), model)
    False
    >>> with torch.no_grad():
    ...     _ = model.weight.fill_(5.0)
    >>> stopper.step(0.9, model)
    True
    >>> stopper.restore(model); round(float(model.weight.detach()), 4)
    2.0
    """

    def _check_model(self, model, method):
        if not isinstance(model, nn.Module):
            raise TypeError(param_error("model", f"{self._caller}.{method}", "a torch.nn.Module",
                                        f"a {type(model).__name__}", raw=True))
        return model

    def _snapshot(self, model):
        return copy.deepcopy(self._check_model(model, "step").state_dict())

    def _metric(self, metric):
        if isinstance(metric, torch.Tensor) and metric.numel() == 1:
            metric = metric.detach().reshape(()).item()
        return super()._metric(metric)

    def step(self, metric, model=None) -> bool:
        r"""Record one validation metric; return True when training should stop.

        .. math::

            \text{stop} \iff \text{num\_bad\_steps} \ge \text{patience}.

        Parameters
        ----------
        metric : float or 0-d Tensor
            This step's validation metric; NaN counts as no improvement.
        model : torch.nn.Module, optional
            Its ``state_dict()`` is deep-copied when this step is the best so far.

        Returns
        -------
        bool
            True from the stopping step on.

        Examples
        --------
        >>> stopper = EarlyStopping(patience=1, min_delta=0.5)
        >>> stopper.step(1.0), stopper.step(0.5)   # 0.5 is not < 1.0 - 0.5
        (False, True)
        """
        return super().step(metric, model)

    def restore(self, model) -> None:
        r"""Load the best ``state_dict`` into ``model``: :math:`\theta \leftarrow \theta^\star`.

        Parameters
        ----------
        model : torch.nn.Module
            The model passed to :meth:`step`.

        Returns
        -------
        None

        Examples
        --------
        >>> import torch
        >>> model = torch.nn.Linear(2, 1)
        >>> stopper = EarlyStopping(patience=0)
        >>> stopper.step(1.0, model)
        False
        >>> best = model.weight.detach().clone()
        >>> with torch.no_grad():
        ...     _ = model.weight.add_(1.0)
        >>> stopper.restore(model); bool(torch.equal(model.weight, best))
        True
        """
        if self.best_params is None:
            raise RuntimeError(
                f"{self._caller}.restore has no best state_dict to restore: pass the model to step() "
                "with restore_best=True, and call restore() after at least one improvement."
            )
        self._check_model(model, "restore").load_state_dict(self.best_params)
