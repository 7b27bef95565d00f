r"""PyTorch twin of :mod:`regbook.np.matrix_factorization`: the same model and objective, fitted by SGD or Adam.

The model :math:`\hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j` and the objective

.. math::

    J = \sum_{(i,j)\in\Omega} (r_{ij} - \hat r_{ij})^2
        + \sum_i \alpha_i \bigl(\lVert u_i\rVert^2 + b_i^2\bigr)
        + \sum_j \beta_j \bigl(\lVert v_j\rVert^2 + c_j^2\bigr)

are those of the NumPy module (:math:`\alpha_i = \alpha` or :math:`\alpha n_i`
with ``weighted_lambda``). :func:`sgd_mf` minimizes :math:`J / |\Omega|` with
mini-batches :math:`B` whose loss is an unbiased estimate of it:

- ``weighted_lambda=True`` (per-example weight, as in Koren et al.'s SGD): each
  rating in the batch carries the penalty of its own user and item,
  :math:`\frac1{|B|}\sum_{B}\bigl[(r_{ij}-\hat r_{ij})^2 + \alpha(\lVert u_i\rVert^2 + b_i^2
  + \lVert v_j\rVert^2 + c_j^2)\bigr]`. Summed over :math:`\Omega`, a user's penalty appears
  :math:`n_i` times: this *is* the weighted-:math:`\lambda` penalty.
- ``weighted_lambda=False`` (per-batch weight): the full penalty scaled by
  :math:`1/|\Omega|` is added to every batch,
  :math:`\frac1{|B|}\sum_{B}(r_{ij}-\hat r_{ij})^2 + \frac{\alpha}{|\Omega|}(\lVert U\rVert^2 + \lVert b\rVert^2
  + \lVert V\rVert^2 + \lVert c\rVert^2)`.

With ``batch_size=None`` (full batch) both are exactly :math:`J/|\Omega|`.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from regbook._validation import check_bool, check_int, check_option, check_scalar, check_tensor, param_error

__all__ = ["MatrixFactorization", "SGDHistory", "mf_objective", "predict", "rmse", "sgd_mf"]


def _check_indices(users, items, model, caller):
    for name, idx, n in (("users", users, model.user_factors.shape[0]), ("items", items, model.item_factors.shape[0])):
        if not isinstance(idx, torch.Tensor) or idx.dtype not in (torch.int32, torch.int64) or idx.dim() != 1:
            raise TypeError(param_error(name, caller, "a 1D tensor of int64 indices", idx))
        if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= n):
            raise ValueError(param_error(name, caller, f"indices in the range [0, {n - 1}]",
                                         f"values in [{int(idx.min())}, {int(idx.max())}]", raw=True))
    if users.shape != items.shape:
        raise ValueError(
            f"Inconsistent numbers of samples in {caller}: users has {len(users)}, items has {len(items)}.")


def predict(model, users, items) -> torch.Tensor:
    r"""Predicted ratings for (user, item) index pairs.

    .. math::

        \hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j

    Parameters
    ----------
    model : MatrixFactorization
    users, items : Tensor of int64, shape (n,)

    Returns
    -------
    Tensor of shape (n,)

    Examples
    --------
    >>> m = MatrixFactorization(2, 3, 1, generator=torch.Generator().manual_seed(0), global_mean=3.0)
    >>> _ = m.user_factors.data.fill_(1.0), m.item_factors.data.fill_(0.5)
    >>> [round(v, 4) for v in predict(m, torch.tensor([0, 1]), torch.tensor([2, 0])).tolist()]
    [3.5, 3.5]
    """
    _check_indices(users, items, model, "predict")
    dot = (model.user_factors[users] * model.item_factors[items]).sum(dim=1)   # (n,)
    return model.global_mean + model.user_bias[users] + model.item_bias[items] + dot


class MatrixFactorization(nn.Module):
    r"""Biased matrix factorization as an ``nn.Module``; ``forward(users, items)`` calls :func:`predict`.

    .. math::

        \hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j

    Parameters
    ----------
    n_users, n_items : int
    rank : int
        :math:`k \ge 0` (0: the biases-only model).
    biases : bool, default=True
        Learn :math:`b, c`; if false they are zero buffers.
    global_mean : float, default=0.0
        :math:`\mu`, a fixed buffer (the mean training rating, as in the NumPy ALS).
    init_scale : float, default=0.1
        Factors start as :math:`\mathcal N(0, \text{init\_scale}^2)`; biases at 0.
    generator : torch.Generator or None
        Source of the initial factors (None: torch's global generator).
    dtype : torch.dtype, default=torch.float64

    Examples
    --------
    >>> m = MatrixFactorization(5, 4, 2, generator=torch.Generator().manual_seed(0))
    >>> tuple(m.user_factors.shape), tuple(m.item_bias.shape), m(torch.tensor([0]), torch.tensor([3])).dtype
    ((5, 2), (4,), torch.float64)
    """

    def __init__(self, n_users, n_items, rank, biases=True, *, global_mean=0.0, init_scale=0.1, generator=None,
                 dtype=torch.float64):
        super().__init__()
        c = "MatrixFactorization"
        n_users, n_items = check_int(n_users, "n_users", c, min_val=1), check_int(n_items, "n_items", c, min_val=1)
        rank, biases = check_int(rank, "rank", c, min_val=0), check_bool(biases, "biases", c)
        init_scale = check_scalar(init_scale, "init_scale", c, min_val=0.0)
        global_mean = check_scalar(global_mean, "global_mean", c)
        self.rank, self.biases = rank, biases
        self.user_factors = nn.Parameter(init_scale * torch.randn(n_users, rank, generator=generator, dtype=dtype))
        self.item_factors = nn.Parameter(init_scale * torch.randn(n_items, rank, generator=generator, dtype=dtype))
        if biases:
            self.user_bias = nn.Parameter(torch.zeros(n_users, dtype=dtype))
            self.item_bias = nn.Parameter(torch.zeros(n_items, dtype=dtype))
        else:   # zero buffers: the formulas stay the same, nothing is learned
            self.register_buffer("user_bias", torch.zeros(n_users, dtype=dtype))
            self.register_buffer("item_bias", torch.zeros(n_items, dtype=dtype))
        self.register_buffer("global_mean", torch.tensor(global_mean, dtype=dtype))

    @classmethod
    def from_params(cls, params, *, dtype=torch.float64):
        """A module holding copies of NumPy parameters (an ``MFParams`` or ``ALSResult``)."""
        n_users, rank = params.user_factors.shape
        model = cls(n_users, params.item_factors.shape[0], rank, global_mean=float(params.global_mean), dtype=dtype)
        with torch.no_grad():
            for name in ("user_factors", "item_factors", "user_bias", "item_bias"):
                getattr(model, name).copy_(torch.as_tensor(getattr(params, name), dtype=dtype))
        return model

    def forward(self, users, items):
        return predict(self, users, items)

    def extra_repr(self):
        n_users, n_items = self.user_factors.shape[0], self.item_factors.shape[0]
        return f"n_users={n_users}, n_items={n_items}, rank={self.rank}, biases={self.biases}"


def _penalty_weights(model, users, items, alpha, weighted_lambda):
    n_users, n_items = model.user_factors.shape[0], model.item_factors.shape[0]
    if not weighted_lambda:
        return alpha, alpha
    dtype = model.user_factors.dtype
    return (alpha * torch.bincount(users, minlength=n_users).to(dtype),
            alpha * torch.bincount(items, minlength=n_items).to(dtype))


def mf_objective(model, users, items, values, *, alpha, weighted_lambda=False) -> torch.Tensor:
    r"""The penalized sum of squares :math:`J` (module docstring), differentiable.

    .. math::

        J = \sum_{\Omega} (r_{ij} - \hat r_{ij})^2 + \sum_i \alpha_i(\lVert u_i\rVert^2 + b_i^2)
            + \sum_j \beta_j(\lVert v_j\rVert^2 + c_j^2)

    Parameters
    ----------
    model : MatrixFactorization
    users, items : Tensor of int64, shape (n_ratings,)
    values : Tensor of shape (n_ratings,)
    alpha : float
        :math:`\alpha \ge 0`.
    weighted_lambda : bool, default=False
        Use :math:`\alpha n_i` and :math:`\alpha m_j` (counts in these ratings).

    Returns
    -------
    Tensor
        A scalar.

    Examples
    --------
    >>> m = MatrixFactorization(1, 1, 1, global_mean=3.0)
    >>> _ = m.user_factors.data.fill_(1.0), m.item_factors.data.fill_(1.0)
    >>> float(mf_objective(m, torch.tensor([0]), torch.tensor([0]), torch.tensor([5.0]), alpha=0.5).detach())
    2.0
    """
    c = "mf_objective"
    _check_indices(users, items, model, c)
    values = check_tensor(values, "values", c, ndim=1)
    alpha = check_scalar(alpha, "alpha", c, min_val=0.0)
    weighted_lambda = check_bool(weighted_lambda, "weighted_lambda", c)
    a_u, a_i = _penalty_weights(model, users, items, alpha, weighted_lambda)
    sse = ((values - predict(model, users, items)) ** 2).sum()
    pen_u = (a_u * (model.user_factors.pow(2).sum(dim=1) + model.user_bias.pow(2))).sum()
    pen_i = (a_i * (model.item_factors.pow(2).sum(dim=1) + model.item_bias.pow(2))).sum()
    return sse + pen_u + pen_i


def rmse(model, users, items, values) -> float:
    r"""Root mean squared error, as a Python float.

    .. math::

        \operatorname{RMSE} = \sqrt{\frac{1}{n}\sum_{(i,j)} (r_{ij} - \hat r_{ij})^2}

    Parameters
    ----------
    model : MatrixFactorization
    users, items : Tensor of int64, shape (n,)
    values : Tensor of shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> m = MatrixFactorization(1, 2, 0, global_mean=3.0)
    >>> rmse(m, torch.tensor([0, 0]), torch.tensor([0, 1]), torch.tensor([4.0, 2.0], dtype=torch.float64))
    1.0
    """
    values = check_tensor(values, "values", "rmse", ndim=1)
    with torch.no_grad():
        return float(torch.sqrt(torch.mean((values - predict(model, users, items)) ** 2)))


class SGDHistory(NamedTuple):
    """Per epoch (index 0: before training): the objective J and the RMSEs, lists of n_epochs + 1 floats."""

    objective: list
    train_rmse: list
    val_rmse: list          # empty without validation data


def _batch_loss(model, u, i, r, n_total, alpha, weighted_lambda):
    err = ((r - predict(model, u, i)) ** 2).mean()
    if weighted_lambda:   # per example: each rating carries its user's and item's penalty
        pen = (model.user_factors[u].pow(2).sum(1) + model.user_bias[u].pow(2)
               + model.item_factors[i].pow(2).sum(1) + model.item_bias[i].pow(2)).mean()
    else:                 # per batch: the whole penalty, scaled by 1 / |Omega|
        pen = sum(p.pow(2).sum() for p in (model.user_factors, model.user_bias,
                                           model.item_factors, model.item_bias)) / n_total
    return err + alpha * pen


def sgd_mf(model, users, items, values, *, alpha, weighted_lambda=False, optimizer="adam", lr=0.01, n_epochs=100,
           batch_size=None, generator=None, val=None) -> SGDHistory:
    r"""Fit a :class:`MatrixFactorization` by mini-batch SGD or Adam on :math:`J/|\Omega|`.

    .. math::

        \theta \leftarrow \theta - \eta\, \nabla_\theta L_B, \qquad
        \mathbb E_B[L_B] = J(\theta) / |\Omega|

    (plain SGD; Adam rescales the step), with :math:`L_B` the batch loss of the
    module docstring. The L2 terms are in the loss; no ``weight_decay`` is used.

    Parameters
    ----------
    model : MatrixFactorization
        Trained in place.
    users, items : Tensor of int64, shape (n_ratings,)
    values : Tensor of shape (n_ratings,)
    alpha : float
        :math:`\alpha \ge 0`, same meaning as in the NumPy ``als``.
    weighted_lambda : bool, default=False
    optimizer : {"adam", "sgd"}, default="adam"
    lr : float, default=0.01
        Learning rate :math:`\eta > 0`.
    n_epochs : int, default=100
    batch_size : int or None, default=None
        None: full batch (deterministic).
    generator : torch.Generator or None
        Shuffles the mini-batches.
    val : tuple (users, items, values) of tensors, or None
        Validation ratings, scored after every epoch.

    Returns
    -------
    SGDHistory

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> u, i = torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 0, 1])
    >>> r = torch.tensor([5.0, 3.0, 4.0, 2.0], dtype=torch.float64)
    >>> m = MatrixFactorization(2, 2, 1, global_mean=3.5, generator=g)
    >>> h = sgd_mf(m, u, i, r, alpha=0.1, lr=0.05, n_epochs=200)
    >>> bool(h.objective[-1] < 0.1 * h.objective[0])
    True
    """
    c = "sgd_mf"
    if not isinstance(model, MatrixFactorization):
        raise TypeError(param_error("model", c, "a MatrixFactorization", model))
    _check_indices(users, items, model, c)
    values = check_tensor(values, "values", c, ndim=1)
    alpha = check_scalar(alpha, "alpha", c, min_val=0.0)
    weighted_lambda = check_bool(weighted_lambda, "weighted_lambda", c)
    optimizer = check_option(optimizer, "optimizer", c, ("adam", "sgd"))
    lr = check_scalar(lr, "lr", c, min_val=0.0, closed="neither")
    n_epochs, n = check_int(n_epochs, "n_epochs", c, min_val=1), len(values)
    batch_size = n if batch_size is None else check_int(batch_size, "batch_size", c, min_val=1)
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=lr)

    def record():
        with torch.no_grad():
            hist.objective.append(float(mf_objective(model, users, items, values, alpha=alpha,
                                                     weighted_lambda=weighted_lambda)))
        hist.train_rmse.append(rmse(model, users, items, values))
        if val is not None:
            hist.val_rmse.append(rmse(model, *val))

    hist = SGDHistory([], [], [])
    record()
    for _ in range(n_epochs):
        order = torch.randperm(n, generator=generator) if batch_size < n else torch.arange(n)
        for start in range(0, n, batch_size):
            b = order[start:start + batch_size]
            opt.zero_grad()
            _batch_loss(model, users[b], items[b], values[b], n, alpha, weighted_lambda).backward()
            opt.step()
        record()
    return hist
