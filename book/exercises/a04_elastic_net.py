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
# # Assignment 4: the elastic net
#
# Companion to {doc}`/book/ch04_elastic_net`, in its notation: scikit-learn's objective
# $J(w, b) = \frac1{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2 + \alpha\rho\lVert w\rVert_1
# + \frac{\alpha(1-\rho)}{2}\lVert w\rVert_2^2$ ({eq}`eq-enet-sklearn`) with mixing $\rho$ = `l1_ratio`,
# and $a_j = \lVert x_{c,j}\rVert^2/n$ on centred data.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 4.1 (enet_prox): your code here")`. Replace that line with your code,
# run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells. Written answers go in the cells
# marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 4.1 | `enet_prox` | 2 |
# | 4.2 | `augment` | 3 |
# | 4.3 | `enet_cd_sweep` | 3 |
# | 4.4 | written: identical features get equal coefficients | – |

# %%
import numpy as np

import regbook
from regbook import checks, data
from regbook.np.coordinate_descent import elastic_net, lasso
from regbook.np.penalties import enet_kkt_violation
from regbook.np.prox import prox_elastic_net

rng = regbook.nbsetup(seed=0)

split = data.load_dataset("diabetes", seed=0)
X_tr, y_tr = split.X_train, split.y_train
Xc, yc = X_tr - X_tr.mean(axis=0), y_tr - y_tr.mean()
n, p = Xc.shape
print(n, p)

# %% [markdown]
# ## Exercise 4.1: the proximal operator (`enet_prox`, 2 points)
#
# Return $\operatorname{prox}_{tR}(x) = \operatorname{sign}(x)\max(|x| - t\rho, 0)/(1 + t(1-\rho))$
# ({eq}`eq-enet-prox`) elementwise, for $t \ge 0$ and $\rho \in [0, 1]$.

# %% regbook={"exercise": "4.1", "name": "enet_prox"} tags=["solution"]
def enet_prox(x, t, l1_ratio):
    """Proximal operator of t * (rho |z| + (1 - rho) z^2 / 2), elementwise; same shape as x."""
    ### BEGIN SOLUTION
    return np.sign(x) * np.maximum(np.abs(x) - t * l1_ratio, 0.0) / (1.0 + t * (1.0 - l1_ratio))
    ### END SOLUTION


# %% regbook={"exercise": "4.1", "points": 2} tags=["check"]
xs = np.linspace(-3, 3, 31)
for t, rho in [(0.5, 0.0), (0.5, 1.0), (1.3, 0.3), (2.0, 0.9)]:
    checks.check_close(enet_prox(xs, t, rho), prox_elastic_net(xs, t, rho), rtol=1e-12,
                       name=f"Exercise 4.1 enet_prox (t={t}, l1_ratio={rho})")
print("Exercise 4.1 passed")

# %% [markdown]
# ## Exercise 4.2: the elastic net is a lasso on augmented data (`augment`, 3 points)
#
# Return $(\tilde X, \tilde y, \tilde\alpha)$ of {eq}`eq-enet-augmented` and
# {eq}`eq-enet-augmented-alpha` for data `X, y` that you centre yourself: $p$ extra rows
# $\sqrt{n\alpha(1-\rho)}\,I_p$ with response 0, and $\tilde\alpha = n\alpha\rho/(n + p)$. The check
# solves the lasso on your augmented data without intercept and compares it with `elastic_net`.

# %% regbook={"exercise": "4.2", "name": "augment"} tags=["solution"]
def augment(X, y, alpha, l1_ratio):
    """Augmented design (n + p, p), response (n + p,) and lasso strength (float)."""
    ### BEGIN SOLUTION
    n, p = X.shape
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    X_aug = np.vstack([Xc, np.sqrt(n * alpha * (1.0 - l1_ratio)) * np.eye(p)])
    y_aug = np.concatenate([yc, np.zeros(p)])
    return X_aug, y_aug, float(n * alpha * l1_ratio / (n + p))
    ### END SOLUTION


# %% regbook={"exercise": "4.2", "points": 3} tags=["check"]
for rho in (0.2, 0.5, 0.9):
    Xt, yt, at = augment(X_tr, y_tr, 1.0, rho)
    checks.check_shape(Xt, (n + p, p), name=f"Exercise 4.2 augment X (l1_ratio={rho})")
    checks.check_close(at, n * rho / (n + p), rtol=1e-12, name=f"Exercise 4.2 augment alpha (l1_ratio={rho})")
    w_aug = lasso(Xt, yt, alpha=at, fit_intercept=False, tol=1e-12, max_iter=10_000).coef
    ref = elastic_net(X_tr, y_tr, alpha=1.0, l1_ratio=rho, tol=1e-12, max_iter=10_000).coef
    checks.check_close(w_aug, ref, rtol=1e-6, atol=1e-10, name=f"Exercise 4.2 augment (l1_ratio={rho})")
print("Exercise 4.2 passed")

# %% [markdown]
# ## Exercise 4.3: coordinate descent for the elastic net (`enet_cd_sweep`, 3 points)
#
# Extend the lasso sweep of assignment 3 to the elastic net on centred data, **updating `w` in place**:
# $w_j \leftarrow S_{\alpha\rho}(x_{c,j}^\top r^{(j)}/n)\,/\,(a_j + \alpha(1-\rho))$ ({eq}`eq-enet-cd`).
# The check runs 500 sweeps and compares with `elastic_net` and with the KKT conditions
# ({eq}`eq-enet-kkt`).

# %% regbook={"exercise": "4.3", "name": "enet_cd_sweep"} tags=["solution"]
def enet_cd_sweep(w, Xc, yc, alpha, l1_ratio):
    """One cyclic coordinate-descent pass for the elastic net; modifies w (p,) in place."""
    ### BEGIN SOLUTION
    n = len(yc)
    r = yc - Xc @ w
    for j in range(len(w)):
        r += Xc[:, j] * w[j]
        rho_j = Xc[:, j] @ r / n
        shrunk = np.sign(rho_j) * max(abs(rho_j) - alpha * l1_ratio, 0.0)
        w[j] = shrunk / (Xc[:, j] @ Xc[:, j] / n + alpha * (1.0 - l1_ratio))
        r -= Xc[:, j] * w[j]
    ### END SOLUTION


# %% regbook={"exercise": "4.3", "points": 3} tags=["check"]
ALPHA, RHO = 0.5, 0.5
w = np.zeros(p)
for _ in range(500):
    enet_cd_sweep(w, Xc, yc, ALPHA, RHO)
ref = elastic_net(X_tr, y_tr, alpha=ALPHA, l1_ratio=RHO, tol=1e-12, max_iter=10_000).coef
checks.check_close(w, ref, rtol=1e-6, atol=1e-10, name="Exercise 4.3 enet_cd_sweep (500 sweeps vs elastic_net)")
kkt = enet_kkt_violation(w, -Xc.T @ (yc - Xc @ w) / n, alpha=ALPHA, l1_ratio=RHO)
checks.check_close(kkt, 0.0, atol=1e-8, name="Exercise 4.3 enet_cd_sweep KKT violation")
print(f"Exercise 4.3 passed; {int(np.sum(w != 0))} of {p} coefficients are non-zero")

# %% [markdown]
# ## Exercise 4.4: identical features get equal coefficients (written)
#
# Prove that if two columns are identical, $x_i = x_j$, and $\rho < 1$, then $\hat w_i = \hat w_j$. For
# the lasso ($\rho = 1$), show that every split of $\hat w_i + \hat w_j$ with equal signs is optimal.

# %% [markdown] regbook={"exercise": "4.4"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# For $\rho < 1$ the objective is strictly convex in $w$ (the term $\frac{\alpha(1-\rho)}{2}\lVert w\rVert^2$
# is), so the minimizer is unique. Swapping $\hat w_i$ and $\hat w_j$ leaves $X\hat w$ and both
# penalties unchanged, so the swapped vector is also a minimizer, hence equal to $\hat w$: $\hat w_i = \hat w_j$.
# For $\rho = 1$, only $s = w_i + w_j$ enters the loss, and $|w_i| + |w_j| \ge |s|$ with equality exactly
# when $w_i$ and $w_j$ have the same sign (or one is zero): every such split has the same loss and the
# same, smallest, penalty, so all of them are optimal.
# <!-- END SOLUTION -->
