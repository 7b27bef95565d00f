"""PyTorch twin of :mod:`regbook.np.linear` (closed-form ridge)."""

from __future__ import annotations

from typing import NamedTuple

import torch

from regbook._validation import check_scalar, check_tensor

__all__ = ["RidgeResult", "ridge"]


class RidgeResult(NamedTuple):
    """Solution of a ridge problem (tensors on the input's device and dtype)."""

    coef: torch.Tensor
    intercept: torch.Tensor
    solver: str


def ridge(X: torch.Tensor, y: torch.Tensor, *, alpha: float = 1.0, fit_intercept: bool = True) -> RidgeResult:
    """Ridge regression in closed form, the twin of :func:`regbook.np.linear.ridge`.

    .. math::

        \\hat w = (X_c^\\top X_c + \\alpha I_p)^{-1} X_c^\\top y_c
                = X_c^\\top (X_c X_c^\\top + \\alpha I_n)^{-1} y_c

    Parameters
    ----------
    X : Tensor of shape (n_samples, n_features)
    y : Tensor of shape (n_samples,) or (n_samples, n_targets)
    alpha : float, default=1.0
        Penalty strength, :math:`\\alpha \\ge 0`, scikit-learn's convention.
    fit_intercept : bool, default=True

    Returns
    -------
    RidgeResult
        ``coef`` of shape (n_features,) or (n_targets, n_features); ``intercept``
        a 0-d tensor or one of shape (n_targets,).

    Examples
    --------
    >>> X = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float64)
    >>> y = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    >>> res = ridge(X, y, alpha=2.0)
    >>> round(res.coef.item(), 6), round(res.intercept.item(), 6)
    (0.5, 1.0)
    """
    check_tensor(X, "X", "ridge", ndim=2)
    check_tensor(y, "y", "ridge", ndim=(1, 2))
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"Inconsistent numbers of samples in ridge: X has {X.shape[0]}, y has {y.shape[0]}.")
    alpha = check_scalar(alpha, "alpha", "ridge", min_val=0.0)
    n, p = X.shape
    y2 = y.reshape(n, -1).to(X.dtype)
    if fit_intercept:
        x_mean, y_mean = X.mean(0), y2.mean(0)
        Xc, yc = X - x_mean, y2 - y_mean
    else:
        x_mean = X.new_zeros(p)
        y_mean = X.new_zeros(y2.shape[1])
        Xc, yc = X, y2
    eye = lambda m: torch.eye(m, dtype=X.dtype, device=X.device)  # noqa: E731
    if alpha == 0.0:
        # minimum-norm least squares via the pseudo-inverse (SVD based)
        W, solver = torch.linalg.pinv(Xc) @ yc, "lstsq"
    elif n >= p:
        # w = (Xc^T Xc + alpha I)^{-1} Xc^T yc
        L = torch.linalg.cholesky(Xc.T @ Xc + alpha * eye(p))
        W, solver = torch.cholesky_solve(Xc.T @ yc, L), "cholesky"
    else:
        # w = Xc^T (Xc Xc^T + alpha I)^{-1} yc
        L = torch.linalg.cholesky(Xc @ Xc.T + alpha * eye(n))
        W, solver = Xc.T @ torch.cholesky_solve(yc, L), "dual"  # (p, k)
    intercept = y_mean - x_mean @ W
    if y.dim() == 1:
        return RidgeResult(W[:, 0], intercept[0], solver)
    return RidgeResult(W.T, intercept, solver)
