r"""Snapshot ensembles (Huang et al. 2017): one training run, several models.

The learning rate follows a cosine that restarts every :math:`T` steps
(:math:`T` = ``cycle_length`` epochs × ``steps_per_epoch``):

.. math::

    \eta_t = \frac{\eta_0}{2}\Big(1 + \cos\frac{\pi\,(t \bmod T)}{T}\Big),

so each cycle ends with a small learning rate near a local minimum, where the
weights are saved; the restart to :math:`\eta_0` moves the model elsewhere.
The prediction averages the softmax outputs of the saved snapshots:

.. math::

    \hat p(x) = \frac1M \sum_{m=1}^M \operatorname{softmax}\big(f(x; \theta_m)\big).

Use :func:`cosine_cycle_lr` with ``LRSchedulerCallback(scheduler, interval="step")``
and :class:`SnapshotEnsemble` as callbacks of :func:`regbook.pt.training.train`.
The bagging functions of :mod:`regbook.np.ensembles` need no torch twin: they
work with any estimator object.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from regbook._validation import check_int, check_tensor, param_error
from regbook.pt.training import Callback

__all__ = ["SnapshotEnsemble", "cosine_cycle_lr", "ensemble_predict"]


def cosine_cycle_lr(optimizer, cycle_length, steps_per_epoch):
    r"""A ``LambdaLR`` with cosine annealing restarted every ``cycle_length`` epochs.

    .. math::

        \eta_t = \eta_0 \cdot \tfrac12 \Big(1 + \cos \frac{\pi\,(t \bmod T)}{T}\Big),
        \qquad T = \texttt{cycle\_length} \times \texttt{steps\_per\_epoch},

    where :math:`t` counts ``scheduler.step()`` calls (one per batch).

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
    cycle_length : int
        Epochs per cycle, :math:`\ge 1`.
    steps_per_epoch : int
        Batches per epoch, :math:`\ge 1` (``ceil(n / batch_size)``).

    Returns
    -------
    torch.optim.lr_scheduler.LambdaLR
        To be stepped once per batch (``LRSchedulerCallback(..., interval="step")``).

    Examples
    --------
    >>> opt = torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1)
    >>> sched = cosine_cycle_lr(opt, cycle_length=1, steps_per_epoch=4)
    >>> lrs = []
    >>> for _ in range(5):
    ...     lrs.append(round(opt.param_groups[0]["lr"], 4)); opt.step(); sched.step()
    >>> lrs   # restart after 4 steps
    [0.1, 0.0854, 0.05, 0.0146, 0.1]
    """
    caller = "cosine_cycle_lr"
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(param_error("optimizer", caller, "a torch.optim.Optimizer",
                                    f"a {type(optimizer).__name__}", raw=True))
    cycle_length = check_int(cycle_length, "cycle_length", caller, min_val=1)
    steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch", caller, min_val=1)
    period = cycle_length * steps_per_epoch

    def factor(step):
        return 0.5 * (1.0 + math.cos(math.pi * (step % period) / period))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class SnapshotEnsemble(Callback):
    r"""Callback saving a deep copy of ``model.state_dict()`` at the end of every cycle.

    .. math::

        \theta_m = \theta\big|_{\text{epoch} = m \cdot \texttt{cycle\_length}}, \quad m = 1, 2, \dots

    Parameters
    ----------
    cycle_length : int
        Epochs per cycle, :math:`\ge 1` (the same as in :func:`cosine_cycle_lr`).

    Attributes
    ----------
    snapshots : list of dict
        Deep-copied state dicts, oldest first (cleared when training begins).
    snapshot_epochs : list of int
        The 1-based epochs at which they were taken.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> cb, model = SnapshotEnsemble(cycle_length=2), torch.nn.Linear(1, 1)
    >>> for epoch in range(1, 6):
    ...     cb.on_epoch_end(SimpleNamespace(model=model, epoch=epoch))
    >>> cb.snapshot_epochs
    [2, 4]
    """

    def __init__(self, *, cycle_length):
        self.cycle_length = check_int(cycle_length, "cycle_length", "SnapshotEnsemble", min_val=1)
        self.snapshots = []
        self.snapshot_epochs = []

    def on_train_begin(self, state) -> None:
        self.snapshots, self.snapshot_epochs = [], []

    def on_epoch_end(self, state):
        if state.epoch % self.cycle_length == 0:
            self.snapshots.append(copy.deepcopy(state.model.state_dict()))
            self.snapshot_epochs.append(state.epoch)
        return None

    def __repr__(self) -> str:
        return f"SnapshotEnsemble(cycle_length={self.cycle_length}, n_snapshots={len(self.snapshots)})"


def ensemble_predict(model, snapshots, X, *, n_last=None):
    r"""Mean softmax probabilities of ``model`` loaded with each snapshot in turn.

    .. math::

        \hat p(x) = \frac1M \sum_{m} \operatorname{softmax}\big(f(x; \theta_m)\big),

    over the last ``n_last`` snapshots (all by default), in evaluation mode and
    without gradients. The model's parameters, buffers and train/eval modes
    are restored afterwards.

    Parameters
    ----------
    model : torch.nn.Module
        Returns logits of shape (n, k).
    snapshots : list of dict
        State dicts (e.g. ``SnapshotEnsemble.snapshots``).
    X : Tensor of shape (n, ...)
    n_last : int or None, default=None
        Use the last ``n_last`` snapshots, :math:`1 \le` ``n_last`` :math:`\le M`.

    Returns
    -------
    Tensor of shape (n, k)
        Rows sum to 1.

    Examples
    --------
    >>> model = torch.nn.Linear(1, 2, bias=False)
    >>> snaps = [{"weight": torch.tensor([[1.0], [0.0]])}, {"weight": torch.tensor([[0.0], [1.0]])}]
    >>> [round(v, 4) for v in ensemble_predict(model, snaps, torch.tensor([[2.0]]))[0].tolist()]
    [0.5, 0.5]
    """
    caller = "ensemble_predict"
    if not isinstance(model, nn.Module):
        raise TypeError(param_error("model", caller, "a torch.nn.Module", f"a {type(model).__name__}", raw=True))
    if not isinstance(snapshots, (list, tuple)) or not snapshots or not all(isinstance(s, dict) for s in snapshots):
        raise TypeError(param_error("snapshots", caller, "a non-empty list of state dicts",
                                    f"a {type(snapshots).__name__} of length {len(snapshots)}"
                                    if isinstance(snapshots, (list, tuple)) else f"a {type(snapshots).__name__}",
                                    raw=True))
    check_tensor(X, "X", caller)
    if n_last is not None:
        n_last = check_int(n_last, "n_last", caller, min_val=1, max_val=len(snapshots))
    chosen = list(snapshots)[-n_last:] if n_last is not None else list(snapshots)
    saved = copy.deepcopy(model.state_dict())
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        total = None
        with torch.no_grad():
            for state in chosen:
                model.load_state_dict(state)
                p = torch.softmax(model(X), dim=1)
                total = p if total is None else total + p
        return total / len(chosen)
    finally:
        model.load_state_dict(saved)
        for m, mode in modes.items():
            m.training = mode
