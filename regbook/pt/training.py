r"""A small, readable training loop for ``nn.Module`` models, with callbacks.

One epoch of :func:`train` is mini-batch gradient descent on the (penalized)
empirical risk,

.. math::

    \theta \leftarrow \mathrm{step}\Big(\nabla_\theta \Big[\frac{1}{|B|}\sum_{i \in B}
    \ell\big(f_\theta(\tilde x_i), \tilde y_i\big) + \Omega(\theta)\Big]\Big)
    \quad \text{for each batch } B,

where :math:`(\tilde x, \tilde y)` is the batch after the optional
``transform`` (noise, augmentation, mixup) and :math:`\Omega` the optional
``penalty``. At the end of every epoch the model is evaluated (``model.eval()``,
no gradient, no penalty, no transform) on the training and validation data and
the numbers are appended to a :class:`History`. Everything else (early
stopping, clipping, learning-rate schedules, weight constraints) is a
:class:`Callback` with hooks at fixed points of the loop.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping

import torch
from torch import nn
from tqdm.std import tqdm

from regbook._validation import (
    check_bool, check_int, check_option, check_scalar, check_tensor, param_error,
)
from regbook.pt.clipping import clip_grad_norm, clip_grad_value
from regbook.pt.early_stopping import EarlyStopping

__all__ = [
    "Callback", "ConstraintCallback", "EarlyStoppingCallback", "GradientClipping", "History",
    "LRSchedulerCallback", "TrainState", "accuracy", "train",
]


class History(Mapping):
    r"""Per-epoch records of a training run: a read-only mapping ``key -> list of float``.

    .. math::

        \text{history}[k] = (v_1, \dots, v_E), \qquad E = \text{epochs\_run}.

    Attributes
    ----------
    epochs_run : int
        Number of epochs completed.
    stopped_early : bool
        True when a callback (or ``state.stop``) ended training before ``epochs``.
    best_epoch : int or None
        1-based epoch of the best monitored value (set by :class:`EarlyStoppingCallback`).

    Examples
    --------
    >>> h = History()
    >>> h.record("val_loss", 0.5); h.record("val_loss", 0.25)
    >>> h["val_loss"], list(h.keys()), h.to_dict() == {"val_loss": [0.5, 0.25]}
    ([0.5, 0.25], ['val_loss'], True)
    """

    def __init__(self):
        self._data: dict[str, list[float]] = {}
        self.epochs_run = 0
        self.stopped_early = False
        self.best_epoch = None

    def record(self, key: str, value) -> None:
        """Append ``float(value)`` to the list under ``key`` (created if new)."""
        self._data.setdefault(key, []).append(float(value))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict:
        """A plain ``dict`` of copied lists."""
        return {k: list(v) for k, v in self._data.items()}

    def __repr__(self) -> str:
        return f"History(epochs_run={self.epochs_run}, keys={list(self._data)})"


class TrainState:
    """What callbacks see: ``model``, ``optimizer``, ``epoch`` (1-based), ``step``
    (global batch count), ``history``, ``loss`` (last batch loss), ``stop``, and
    ``recorded_keys`` (the keys :func:`train` itself records every epoch)."""

    def __init__(self, model, optimizer, history, recorded_keys=()):
        self.model, self.optimizer, self.history = model, optimizer, history
        self.epoch, self.step, self.loss, self.stop = 0, 0, math.nan, False
        self.recorded_keys = tuple(recorded_keys)


class Callback:
    r"""Base class of the hooks of :func:`train`; every hook is a no-op.

    .. math::

        \text{per batch: backward} \to \texttt{on\_after\_backward} \to \text{optimizer step}
        \to \texttt{on\_step\_end}; \quad \text{per epoch: evaluate} \to \texttt{on\_epoch\_end}.

    Override the hooks you need; ``on_epoch_end`` may return True to stop training.

    Examples
    --------
    >>> class CountSteps(Callback):
    ...     def __init__(self):
    ...         self.n = 0
    ...     def on_step_end(self, state):
    ...         self.n += 1
    >>> CountSteps().on_epoch_end(None) is None
    True
    """

    def on_train_begin(self, state) -> None:
        """Called once before the first epoch."""

    def on_after_backward(self, state) -> None:
        """Called after ``loss.backward()``, before ``optimizer.step()`` (gradients are set)."""

    def on_step_end(self, state) -> None:
        """Called after every ``optimizer.step()``."""

    def on_epoch_end(self, state):
        """Called after the epoch's evaluation; return True to stop training."""
        return None

    def on_train_end(self, state) -> None:
        """Called once after the last epoch."""


def accuracy(output, y) -> float:
    r"""Fraction of correct predictions, :math:`\frac1n\sum_i [\arg\max_k o_{ik} = y_i]`.

    Parameters
    ----------
    output : Tensor of shape (n, n_classes)
        Logits or probabilities.
    y : Tensor of shape (n,) or (n, n_classes)
        Integer labels, or soft targets (compared through their argmax).

    Returns
    -------
    float

    Examples
    --------
    >>> import torch
    >>> accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), torch.tensor([0, 1, 1]))
    0.6666666666666666
    """
    check_tensor(output, "output", "accuracy", ndim=2, allow_nonfinite=True)
    if not isinstance(y, torch.Tensor):
        raise TypeError(param_error("y", "accuracy", "a torch.Tensor", f"a {type(y).__name__}", raw=True))
    labels = y.argmax(dim=1) if y.dim() == 2 else y
    if labels.shape != (output.shape[0],):
        raise ValueError(param_error("y", "accuracy", f"a tensor of shape ({output.shape[0]},) or "
                                     f"({output.shape[0]}, n_classes)", f"shape {tuple(y.shape)}", raw=True))
    return float((output.argmax(dim=1) == labels).double().mean())


# --------------------------------------------------------------------------- the loop
def _batches(data, batch_size, generator):
    """Yield the epoch's ``(xb, yb)``: a fresh permutation for tensors, the iterable as is otherwise."""
    if not isinstance(data, tuple):
        yield from data
        return
    X, y = data
    if batch_size is None:
        yield X, y
        return
    order = torch.randperm(len(X), generator=generator)
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], y[idx]


@torch.no_grad()
def _evaluate(model, loss_fn, metrics, data, history, prefix):
    """Record ``<prefix>_loss`` and ``<prefix>_<metric>`` on all of ``data`` in eval mode."""
    model.eval()
    pairs = [data] if isinstance(data, tuple) else list(data)
    output = torch.cat([model(xb) for xb, _ in pairs])
    y = torch.cat([yb for _, yb in pairs])
    history.record(f"{prefix}_loss", loss_fn(output, y))
    for name, fn in metrics.items():
        history.record(f"{prefix}_{name}", fn(output, y))


def train(model, loss_fn, optimizer, train_data, *, epochs, val_data=None, batch_size=None,
          metrics=None, penalty=None, transform=None, callbacks=(), generator=None,
          progress=True, eval_train=True) -> History:
    r"""Train ``model`` for up to ``epochs`` epochs; return the per-epoch :class:`History`.

    .. math::

        L_B(\theta) = \frac{1}{|B|}\sum_{i\in B} \ell\big(f_\theta(\tilde x_i), \tilde y_i\big)
        + \Omega(\theta), \qquad \theta \leftarrow \texttt{optimizer.step}(\nabla_\theta L_B).

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(output, y) -> 0-d Tensor`` (mean over the batch), e.g.
        ``torch.nn.functional.cross_entropy``.
    optimizer : torch.optim.Optimizer
    train_data : tuple (X, y) of Tensors, or re-iterable of (xb, yb) batches
        ``X`` of shape (n, ...) and ``y`` of shape (n, ...); a ``DataLoader`` also works.
    epochs : int
        Maximum number of epochs, in :math:`[1, \infty)`.
    val_data : same kinds as ``train_data``, optional
        Evaluated at every epoch end (``val_loss``, ``val_<metric>``).
    batch_size : int or None
        Mini-batch size in :math:`[1, \infty)` for tensor data (a fresh permutation
        each epoch); None is full batch. Must be None for an iterable of batches.
    metrics : dict of str to callable, optional
        ``fn(output, y) -> float``, e.g. ``{"accuracy": accuracy}``.
    penalty : callable, optional
        ``penalty(model) -> 0-d Tensor`` added to every batch loss.
    transform : callable, optional
        ``transform(xb, yb, generator) -> (xb, yb)`` applied to training batches only.
    callbacks : sequence of Callback
    generator : torch.Generator, optional
        Drives the permutations and ``transform``; None is a generator seeded 0.
    progress : bool, default=True
        Show a text tqdm bar over epochs on stderr; False is silent.
    eval_train : bool, default=True
        Evaluate on the full training data at every epoch end.

    Returns
    -------
    History
        ``batch_loss`` (mean training-mode batch loss, penalty included),
        ``train_loss``, ``train_<metric>``, ``val_loss``, ``val_<metric>``, and the
        keys callbacks add; ``epochs_run``, ``stopped_early``, ``best_epoch``.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[1.0], [2.0], [3.0]]); y = 2.0 * X
    >>> model = torch.nn.Linear(1, 1, bias=False)
    >>> _ = torch.nn.init.zeros_(model.weight)
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1)
    >>> h = train(model, torch.nn.functional.mse_loss, opt, (X, y), epochs=30, progress=False)
    >>> h.epochs_run, round(model.weight.item(), 4), h["train_loss"][-1] < 1e-8
    (30, 2.0, True)
    """
    metrics, callbacks, generator = _check_train_args(
        model, loss_fn, optimizer, train_data, epochs, val_data, batch_size, metrics, penalty,
        transform, callbacks, generator, progress, eval_train)
    keys = ["batch_loss"] + [f"{p}_{k}" for p, on in (("train", eval_train), ("val", val_data is not None))
                             if on for k in ["loss", *metrics]]
    history = History()
    state = TrainState(model, optimizer, history, keys)
    for cb in callbacks:
        cb.on_train_begin(state)
    bar = tqdm(range(1, epochs + 1), desc="epochs", file=sys.stderr, disable=not progress, leave=False)
    for epoch in bar:
        state.epoch, batch_losses = epoch, []
        for xb, yb in _batches(train_data, batch_size, generator):
            model.train()
            if transform is not None:
                xb, yb = transform(xb, yb, generator)
            loss = loss_fn(model(xb), yb)
            if penalty is not None:
                loss = loss + penalty(model)
            state.step, state.loss = state.step + 1, float(loss.detach())
            optimizer.zero_grad()
            loss.backward()
            for cb in callbacks:
                cb.on_after_backward(state)
            optimizer.step()
            for cb in callbacks:
                cb.on_step_end(state)
            batch_losses.append(state.loss)
        if not batch_losses:
            raise ValueError(param_error("train_data", "train", "a non-empty source of batches",
                                         "no batch in this epoch", raw=True))
        history.record("batch_loss", sum(batch_losses) / len(batch_losses))
        if eval_train:
            _evaluate(model, loss_fn, metrics, train_data, history, "train")
        if val_data is not None:
            _evaluate(model, loss_fn, metrics, val_data, history, "val")
        history.epochs_run = epoch
        bar.set_postfix({k: f"{history[k][-1]:.4g}" for k in ("train_loss", "val_loss") if k in history})
        stops = [bool(cb.on_epoch_end(state)) for cb in callbacks]  # every callback sees every epoch
        if any(stops) or state.stop:
            history.stopped_early = epoch < epochs
            break
    bar.close()
    for cb in callbacks:
        cb.on_train_end(state)
    return history


def _check_data(data, name, batch_size):
    """A tuple (X, y) of tensors with equal length, or a re-iterable of batches."""
    if isinstance(data, tuple) and len(data) == 2 and all(isinstance(t, torch.Tensor) for t in data):
        X, y = data
        check_tensor(X, name, "train", floating=False)
        check_tensor(y, name, "train", floating=False)
        if X.dim() == 0 or y.dim() == 0 or len(X) != len(y) or len(X) == 0:
            raise ValueError(param_error(name, "train", "a tuple (X, y) of tensors with the same "
                                         "non-zero first dimension",
                                         f"shapes {tuple(X.shape)} and {tuple(y.shape)}", raw=True))
        return
    expected = "a tuple (X, y) of tensors or a re-iterable of (xb, yb) batches"
    if isinstance(data, (tuple, str, bytes, torch.Tensor)) or not isinstance(data, Iterable):
        raise TypeError(param_error(name, "train", expected, f"a {type(data).__name__}", raw=True))
    if iter(data) is data:
        raise TypeError(param_error(name, "train", expected + " (an iterator is exhausted after one epoch)",
                                    f"a {type(data).__name__}", raw=True))
    if batch_size is not None:
        raise ValueError(param_error("batch_size", "train", f"None when {name} is an iterable of batches",
                                     batch_size))


def _check_train_args(model, loss_fn, optimizer, train_data, epochs, val_data, batch_size, metrics,
                      penalty, transform, callbacks, generator, progress, eval_train):
    """Validate the arguments of :func:`train`; return (metrics dict, callbacks list, generator)."""
    def need(ok, name, expected, value):
        if not ok:
            raise TypeError(param_error(name, "train", expected, f"a {type(value).__name__}", raw=True))

    need(isinstance(model, nn.Module), "model", "a torch.nn.Module", model)
    need(callable(loss_fn), "loss_fn", "a callable loss_fn(output, y)", loss_fn)
    need(isinstance(optimizer, torch.optim.Optimizer), "optimizer", "a torch.optim.Optimizer", optimizer)
    check_int(epochs, "epochs", "train", min_val=1)
    if batch_size is not None:
        check_int(batch_size, "batch_size", "train", min_val=1)
    _check_data(train_data, "train_data", batch_size)
    if val_data is not None:
        _check_data(val_data, "val_data", None)
    metrics = {} if metrics is None else metrics
    need(isinstance(metrics, Mapping) and all(isinstance(k, str) and callable(f) for k, f in metrics.items()),
         "metrics", "a dict of str to callable fn(output, y)", metrics)
    need(penalty is None or callable(penalty), "penalty", "None or a callable penalty(model)", penalty)
    need(transform is None or callable(transform), "transform",
         "None or a callable transform(xb, yb, generator)", transform)
    callbacks = list(callbacks) if isinstance(callbacks, Iterable) else callbacks
    need(isinstance(callbacks, list), "callbacks", "a sequence of Callback instances", callbacks)
    for cb in callbacks:
        need(isinstance(cb, Callback), "callbacks", "a sequence of Callback instances", cb)
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    need(isinstance(generator, torch.Generator), "generator", "None or a torch.Generator", generator)
    check_bool(progress, "progress", "train")
    check_bool(eval_train, "eval_train", "train")
    return dict(metrics), callbacks, generator


# --------------------------------------------------------------------------- callbacks
class EarlyStoppingCallback(Callback):
    r"""Stop when the monitored value stops improving; restore the best weights at the end.

    .. math::

        \text{stop at the first epoch } e \text{ with } \#\{\text{bad epochs since } m^\star\}
        \ge \text{patience}, \qquad \theta \leftarrow \theta_{\text{best\_epoch}} .

    Parameters
    ----------
    stopper : regbook.pt.EarlyStopping
        A fresh stopper (its ``patience``, ``min_delta``, ``mode`` and ``restore_best`` apply).
    monitor : str, default="val_loss"
        A key the history records every epoch (e.g. ``"val_loss"``, ``"val_accuracy"``).

    Examples
    --------
    >>> cb = EarlyStoppingCallback(EarlyStopping(patience=2))
    >>> cb.monitor
    'val_loss'
    """

    def __init__(self, stopper, *, monitor="val_loss"):
        if not isinstance(stopper, EarlyStopping):
            raise TypeError(param_error("stopper", "EarlyStoppingCallback", "a regbook.pt.EarlyStopping",
                                        f"a {type(stopper).__name__}", raw=True))
        if not isinstance(monitor, str):
            raise TypeError(param_error("monitor", "EarlyStoppingCallback", "a str", monitor))
        self.stopper, self.monitor = stopper, monitor
        self._best_epoch = None

    def on_train_begin(self, state):
        if self.stopper.best_step is not None or self.stopper.num_bad_steps:
            raise ValueError("EarlyStoppingCallback needs a fresh EarlyStopping: this one has already "
                             "seen metrics (create a new one for every call to train).")
        builtin = self.monitor == "batch_loss" or self.monitor.startswith(("train_", "val_"))
        if builtin and self.monitor not in state.recorded_keys:
            self._missing(state.recorded_keys)

    def _missing(self, keys):
        hint = " (val_* keys need val_data; train_* keys need eval_train=True)"
        raise ValueError(param_error("monitor", "EarlyStoppingCallback", "a key recorded every epoch, one of "
                                     + ", ".join(repr(k) for k in keys), self.monitor) + hint)

    def on_epoch_end(self, state):
        if self.monitor not in state.history:
            self._missing(list(state.history))
        before = self.stopper.best_step
        stop = self.stopper.step(state.history[self.monitor][-1], state.model)
        if self.stopper.best_step != before:
            self._best_epoch = state.epoch
        state.history.best_epoch = self._best_epoch
        return stop

    def on_train_end(self, state):
        if self.stopper.restore_best and self.stopper.best_params is not None:
            self.stopper.restore(state.model)


class GradientClipping(Callback):
    r"""Clip gradients after every backward pass; record the epoch's largest pre-clip norm.

    .. math::

        g \leftarrow \min\Big(1, \frac{c}{\|g\|_p + 10^{-6}}\Big) g \ \ (\text{max\_norm}=c)
        \quad\text{or}\quad g_i \leftarrow \min(v, \max(-v, g_i)) \ \ (\text{clip\_value}=v).

    Parameters
    ----------
    max_norm : float, optional
        Total-norm bound in :math:`(0, \infty)`.
    clip_value : float, optional
        Element-wise bound in :math:`[0, \infty)`. Give exactly one of the two.
    norm_type : float, default=2.0
        The :math:`p` of the total norm (also used for the recorded ``grad_norm``).

    Examples
    --------
    >>> GradientClipping(max_norm=1.0).max_norm
    1.0
    """

    def __init__(self, *, max_norm=None, clip_value=None, norm_type=2.0):
        caller = "GradientClipping"
        if (max_norm is None) == (clip_value is None):
            raise ValueError(f"{caller} needs exactly one of max_norm and clip_value. "
                             f"Got max_norm={max_norm!r} and clip_value={clip_value!r} instead.")
        if max_norm is not None:
            max_norm = check_scalar(max_norm, "max_norm", caller, min_val=0.0, closed="neither")
        if clip_value is not None:
            clip_value = check_scalar(clip_value, "clip_value", caller, min_val=0.0)
        self.max_norm, self.clip_value = max_norm, clip_value
        self.norm_type = check_scalar(norm_type, "norm_type", caller, min_val=0.0, max_val=math.inf,
                                      closed="right")
        self._epoch_max = 0.0

    def on_after_backward(self, state):
        params = [p for p in state.model.parameters() if p.grad is not None]
        if self.max_norm is not None:
            norm = float(clip_grad_norm(params, self.max_norm, self.norm_type))
        else:
            norms = [torch.linalg.vector_norm(p.grad, self.norm_type) for p in params]
            norm = float(torch.linalg.vector_norm(torch.stack(norms), self.norm_type)) if norms else 0.0
            clip_grad_value(params, self.clip_value)
        self._epoch_max = max(self._epoch_max, norm)

    def on_epoch_end(self, state):
        state.history.record("grad_norm", self._epoch_max)
        self._epoch_max = 0.0


class LRSchedulerCallback(Callback):
    r"""Step a ``torch.optim.lr_scheduler`` every epoch or every optimizer step; record ``lr``.

    .. math::

        \eta_{k+1} = \text{schedule}(k + 1), \qquad k = \text{epochs (or steps) done}.

    Parameters
    ----------
    scheduler : torch.optim.lr_scheduler.LRScheduler
    interval : {"epoch", "step"}, default="epoch"
    monitor : str, default="val_loss"
        Passed to ``ReduceLROnPlateau.step`` (ignored by other schedulers).

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> LRSchedulerCallback(torch.optim.lr_scheduler.StepLR(opt, step_size=1), interval="step").interval
    'step'
    """

    def __init__(self, scheduler, *, interval="epoch", monitor="val_loss"):
        caller = "LRSchedulerCallback"
        if not callable(getattr(scheduler, "step", None)):
            raise TypeError(param_error("scheduler", caller, "a torch.optim.lr_scheduler scheduler",
                                        f"a {type(scheduler).__name__}", raw=True))
        self.scheduler = scheduler
        self.interval = check_option(interval, "interval", caller, ("epoch", "step"))
        self.monitor = monitor
        self._last_lr = math.nan

    def _step(self, state):
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            if self.monitor not in state.history:
                raise ValueError(param_error("monitor", "LRSchedulerCallback", "a key recorded every epoch, one "
                                             "of " + ", ".join(repr(k) for k in state.history), self.monitor))
            self.scheduler.step(state.history[self.monitor][-1])
        else:
            self.scheduler.step()

    def on_step_end(self, state):
        self._last_lr = state.optimizer.param_groups[0]["lr"]  # the rate this step used
        if self.interval == "step":
            self._step(state)

    def on_epoch_end(self, state):
        state.history.record("lr", self._last_lr)  # the rate of the epoch's last step
        if self.interval == "epoch":
            self._step(state)


class ConstraintCallback(Callback):
    r"""Call ``fn(model)`` under ``torch.no_grad()`` after every optimizer step.

    .. math::

        \theta \leftarrow \Pi_{\mathcal C}(\theta) \quad \text{after each step, e.g. }
        \|w_j\|_2 \le c \text{ (max-norm)}.

    Parameters
    ----------
    fn : callable
        ``fn(model)``, modifying parameters in place.

    Examples
    --------
    >>> cb = ConstraintCallback(lambda model: None)
    >>> callable(cb.fn)
    True
    """

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(param_error("fn", "ConstraintCallback", "a callable fn(model)",
                                        f"a {type(fn).__name__}", raw=True))
        self.fn = fn

    def on_step_end(self, state):
        with torch.no_grad():
            self.fn(state.model)
