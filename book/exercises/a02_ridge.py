# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 2: ridge regression
#
# Companion to {doc}`/book/ch02_ridge`, in its notation: scikit-learn's objective
# $\lVert y - Xw - b\rVert_2^2 + \alpha\lVert w\rVert_2^2$ with an unpenalized intercept $b$, the thin
# SVD $X_c = UDV^\top$ of the centred design, and the penalty functions of `regbook.np.penalties`
# ($\operatorname{l2}(w, \lambda) = \frac{\lambda}{2}\lVert w\rVert^2$).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 2.1 (ridge_svd): your code here")`. Replace that line with your code,
# run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells. Written answers go in the cells
# marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 2.1 | `ridge_svd` | 3 |
# | 2.2 | `logistic_l2_grad` | 3 |
# | 2.3 | `weight_decay_step` | 2 |
# | 2.4 | `coef_norm_path` | 2 |
# | 2.5 | written: the norm of the ridge solution decreases | – |

# %%
import numpy as np

import regbook
from regbook import checks, data
from regbook.np.linear import ridge
from regbook.np.penalties import l2, l2_grad

rng = regbook.nbsetup(seed=0)

split = data.load_dataset("diabetes", seed=0)  # standardized with the training statistics
X_tr, y_tr = split.X_train, split.y_train
Xc, yc = X_tr - X_tr.mean(axis=0), y_tr - y_tr.mean()
print(X_tr.shape)

# %% [markdown]
# ## Exercise 2.1: ridge through the SVD (`ridge_svd`, 3 points)
#
# For centred data, return $\hat w_\alpha = \sum_j \frac{d_j}{d_j^2 + \alpha}(u_j^\top y_c)\,v_j$
# ({eq}`eq-ridge-svd`) without solving a linear system. For $\alpha = 0$, directions with $d_j = 0$
# (up to rounding) must be skipped, which gives the minimum-norm least-squares solution.

# %% regbook={"exercise": "2.1", "name": "ridge_svd"} tags=["solution"]
def ridge_svd(Xc, yc, alpha):
    """Ridge coefficients (p,) of centred data through the thin SVD."""
    ### BEGIN SOLUTION
    U, d, Vt = np.linalg.svd(Xc, full_matrices=False)
    keep = d > d.max() * max(Xc.shape) * np.finfo(float).eps
    factors = np.zeros_like(d)
    factors[keep] = d[keep] / (d[keep] ** 2 + alpha)
    return Vt.T @ (factors * (U.T @ yc))
    ### END SOLUTION


# %% regbook={"exercise": "2.1", "points": 3} tags=["check"]
for a in (10.0, 0.0):
    checks.check_close(ridge_svd(Xc, yc, a), ridge(X_tr, y_tr, alpha=a).coef, rtol=1e-8,
                       name=f"Exercise 2.1 ridge_svd (alpha={a})")
X_wide = np.random.default_rng(1).standard_normal((8, 12))  # p > n: d_j = 0 directions
X_wide -= X_wide.mean(axis=0)
y_wide = np.random.default_rng(2).standard_normal(8)
checks.check_close(ridge_svd(X_wide, y_wide - y_wide.mean(), 0.0), ridge(X_wide, y_wide, alpha=0.0).coef,
                   rtol=1e-8, name="Exercise 2.1 ridge_svd (alpha=0, p > n)")
print("Exercise 2.1 passed")

# %% [markdown]
# ## Exercise 2.2: gradient of penalized logistic regression (`logistic_l2_grad`, 3 points)
#
# For labels $y_i \in \{0, 1\}$, $z_i = x_i^\top w + b$ and
# $J(w, b) = \frac1n\sum_i\bigl[\log(1 + e^{z_i}) - y_iz_i\bigr] + \frac{\lambda}{2}\lVert w\rVert^2$
# (the bias $b$ unpenalized), return the gradient with respect to $\theta = (w, b)$, a vector of length
# $p + 1$ with $\partial J/\partial b$ last. Use `l2_grad` for the penalty. The check compares it with
# finite differences on the breast-cancer data.

# %% regbook={"exercise": "2.2", "name": "logistic_l2_grad"} tags=["solution"]
def logistic_l2_grad(theta, X, y, lam):
    """Gradient (p + 1,) of the L2-penalized mean logistic loss at theta = (w, b)."""
    ### BEGIN SOLUTION
    w, b = theta[:-1], theta[-1]
    z = X @ w + b
    r = 1.0 / (1.0 + np.exp(-z)) - y  # d/dz of log(1 + e^z) - y z
    return np.concatenate([X.T @ r / len(y) + l2_grad(w, lam), [r.mean()]])
    ### END SOLUTION


# %% regbook={"exercise": "2.2", "points": 3} tags=["check"]
cancer = data.load_dataset("breast_cancer", seed=0)
Xb, yb = cancer.X_train[:, :6], cancer.y_train.astype(float)


def logistic_objective(theta, lam=0.3):
    z = Xb @ theta[:-1] + theta[-1]
    return float(np.mean(np.logaddexp(0.0, z) - yb * z) + l2(theta[:-1], lam))


theta0 = 0.5 * np.random.default_rng(3).standard_normal(Xb.shape[1] + 1)
checks.check_gradient(logistic_objective, theta0, logistic_l2_grad(theta0, Xb, yb, 0.3), rtol=1e-6,
                      name="Exercise 2.2 logistic_l2_grad")
print("Exercise 2.2 passed")

# %% [markdown]
# ## Exercise 2.3: one step of weight decay (`weight_decay_step`, 2 points)
#
# Return $w_{t+1} = (1 - \eta\lambda)\,w_t - \eta\,\nabla L(w_t)$ ({eq}`eq-ridge-weight-decay`) for the
# mean squared loss $L(w) = \frac1{2n}\lVert y_c - X_cw\rVert^2$, without forming the penalty's gradient
# separately. The check compares one step with a gradient step on $L(w) + \operatorname{l2}(w, \lambda)$,
# and checks that many steps converge to the ridge solution with $\alpha = n\lambda$.

# %% regbook={"exercise": "2.3", "name": "weight_decay_step"} tags=["solution"]
def weight_decay_step(w, Xc, yc, lr, lam):
    """One gradient step with weight decay on the mean squared loss; returns the new w (p,)."""
    ### BEGIN SOLUTION
    grad_loss = -Xc.T @ (yc - Xc @ w) / len(yc)
    return (1.0 - lr * lam) * w - lr * grad_loss
    ### END SOLUTION


# %% regbook={"exercise": "2.3", "points": 2} tags=["check"]
lam, lr, n = 0.5, 0.2, len(yc)  # lr < 2 / L: the largest eigenvalue of Xc^T Xc / n is about 4.4
w = np.random.default_rng(4).standard_normal(Xc.shape[1])
plain = w - lr * (-Xc.T @ (yc - Xc @ w) / n + l2_grad(w, lam))
checks.check_close(weight_decay_step(w, Xc, yc, lr, lam), plain, rtol=1e-10,
                   name="Exercise 2.3 weight_decay_step (one step)")
w = np.zeros(Xc.shape[1])
for _ in range(500):
    w = weight_decay_step(w, Xc, yc, lr, lam)
checks.check_close(w, ridge(X_tr, y_tr, alpha=n * lam).coef, rtol=1e-6,
                   name="Exercise 2.3 weight_decay_step (500 steps vs ridge, alpha = n * lambda)")
print("Exercise 2.3 passed")

# %% [markdown]
# ## Exercise 2.4: the coefficient path (`coef_norm_path`, 2 points)
#
# Return $\lVert\hat w_\alpha\rVert_2$ for every $\alpha$ in `alphas` (an array), fitting ridge on
# `(X, y)` with an intercept. The check compares the values and checks the claim of exercise 2.5.

# %% regbook={"exercise": "2.4", "name": "coef_norm_path"} tags=["solution"]
def coef_norm_path(X, y, alphas):
    """Norms (len(alphas),) of the ridge coefficients along a grid of alphas."""
    ### BEGIN SOLUTION
    return np.array([np.linalg.norm(ridge(X, y, alpha=a).coef) for a in alphas])
    ### END SOLUTION


# %% regbook={"exercise": "2.4", "points": 2} tags=["check"]
ALPHAS = np.logspace(-3, 4, 15)
norms = coef_norm_path(X_tr, y_tr, ALPHAS)
checks.check_close(norms, [np.linalg.norm(ridge(X_tr, y_tr, alpha=a).coef) for a in ALPHAS], rtol=1e-8,
                   name="Exercise 2.4 coef_norm_path")
checks.check_true(bool(np.all(np.diff(norms) < 0)), name="Exercise 2.4 coef_norm_path",
                  expected="norms strictly decreasing in alpha")
print("Exercise 2.4 passed")

# %% [markdown]
# ## Exercise 2.5: the norm of the ridge solution decreases (written)
#
# Using {eq}`eq-ridge-svd`, show that $\lVert\hat w_\alpha\rVert$ is strictly decreasing in $\alpha$
# whenever $X_c^\top y_c \ne 0$.

# %% [markdown] regbook={"exercise": "2.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# The $v_j$ are orthonormal, so {eq}`eq-ridge-svd` gives
# $\lVert\hat w_\alpha\rVert^2 = \sum_j \frac{d_j^2}{(d_j^2 + \alpha)^2}(u_j^\top y_c)^2$. Each term is
# non-increasing in $\alpha$, and strictly decreasing when $d_j(u_j^\top y_c) \ne 0$. Since
# $X_c^\top y_c = \sum_j d_j(u_j^\top y_c)\,v_j$, the condition $X_c^\top y_c \ne 0$ says that at least
# one term has $d_j(u_j^\top y_c) \ne 0$, so the sum is strictly decreasing.
# <!-- END SOLUTION -->
