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
# # Assignment 3: the lasso
#
# Companion to {doc}`/book/ch03_lasso`, in its notation: scikit-learn's objective
# $F(w) = \frac1{2n}\lVert y_c - X_cw\rVert_2^2 + \alpha\lVert w\rVert_1$ on centred data
# ({eq}`eq-lasso-objective`), soft thresholding $S_t(x) = \operatorname{sign}(x)\max(|x| - t, 0)$,
# and coordinate descent with $a_j = \lVert x_{c,j}\rVert^2/n$.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 3.1 (soft_threshold): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells. Written answers go in the cells
# marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 3.1 | `soft_threshold` | 2 |
# | 3.2 | `lasso_alpha_max` | 2 |
# | 3.3 | `cd_sweep` | 3 |
# | 3.4 | `ista_step` | 3 |
# | 3.5 | written: a Gaussian prior gives ridge | – |

# %%
import numpy as np

import regbook
from regbook import checks, data
from regbook.np import prox
from regbook.np.coordinate_descent import alpha_max, lasso
from regbook.np.penalties import enet_kkt_violation

rng = regbook.nbsetup(seed=0)

split = data.load_dataset("diabetes", seed=0)
X_tr, y_tr = split.X_train, split.y_train
Xc, yc = X_tr - X_tr.mean(axis=0), y_tr - y_tr.mean()
n, p = Xc.shape
ALPHA = 2.0  # the lasso strength of exercises 3.3 and 3.4
print(n, p)

# %% [markdown]
# ## Exercise 3.1: soft thresholding (`soft_threshold`, 2 points)
#
# Return $S_t(x)$ ({eq}`eq-lasso-soft-threshold`) elementwise for an array `x` and a threshold
# $t \ge 0$. Every entry in $[-t, t]$ must come out as exactly zero.

# %% regbook={"exercise": "3.1", "name": "soft_threshold"} tags=["solution"]
def soft_threshold(x, t):
    """S_t(x) = sign(x) max(|x| - t, 0), elementwise; same shape as x."""
    ### BEGIN SOLUTION
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)
    ### END SOLUTION


# %% regbook={"exercise": "3.1", "points": 2} tags=["check"]
xs = np.linspace(-3, 3, 25).reshape(5, 5)
for t in (0.0, 0.5, 1.7):
    checks.check_close(soft_threshold(xs, t), prox.soft_threshold(xs, t), rtol=1e-12,
                       name=f"Exercise 3.1 soft_threshold (t={t})")
checks.check_true(bool(np.all(soft_threshold(xs, 1.7)[np.abs(xs) <= 1.7] == 0.0)),
                  name="Exercise 3.1 soft_threshold", expected="exact zeros for |x| <= t")
print("Exercise 3.1 passed")

# %% [markdown]
# ## Exercise 3.2: where the path starts (`lasso_alpha_max`, 2 points)
#
# Return $\alpha_{\max} = \max_j |x_{c,j}^\top y_c|/n$ ({eq}`eq-lasso-alpha-max`) for data `X, y` that
# you centre yourself. The check compares it with `regbook.np.coordinate_descent.alpha_max` and checks
# that the lasso at your $\alpha_{\max}$ is exactly zero, and just below it is not.

# %% regbook={"exercise": "3.2", "name": "lasso_alpha_max"} tags=["solution"]
def lasso_alpha_max(X, y):
    """The smallest alpha at which the lasso solution (with intercept) is w = 0; a float."""
    ### BEGIN SOLUTION
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    return float(np.max(np.abs(Xc.T @ yc)) / len(y))
    ### END SOLUTION


# %% regbook={"exercise": "3.2", "points": 2} tags=["check"]
a_max = lasso_alpha_max(X_tr, y_tr)
checks.check_close(a_max, alpha_max(X_tr, y_tr), rtol=1e-12, name="Exercise 3.2 lasso_alpha_max")
checks.check_true(bool(np.all(lasso(X_tr, y_tr, alpha=a_max).coef == 0)), name="Exercise 3.2 lasso_alpha_max",
                  expected="w = 0 at alpha_max")
checks.check_true(bool(np.any(lasso(X_tr, y_tr, alpha=0.95 * a_max, tol=1e-12).coef != 0)),
                  name="Exercise 3.2 lasso_alpha_max", expected="a non-zero w at 0.95 alpha_max")
print("Exercise 3.2 passed")

# %% [markdown]
# ## Exercise 3.3: one sweep of coordinate descent (`cd_sweep`, 3 points)
#
# Write one cyclic pass $j = 1, \dots, p$ of coordinate descent ({eq}`eq-lasso-cd-update`) on centred
# data, **updating `w` in place**: with the partial residual $r^{(j)} = y_c - \sum_{k\ne j}x_{c,k}w_k$,
# set $w_j \leftarrow S_\alpha(x_{c,j}^\top r^{(j)}/n)/a_j$. Keep the residual up to date rather than
# recomputing $X_cw$ for every coordinate. The check runs your sweep: the objective must never
# increase, and 300 sweeps must reach the solution of `regbook.np.coordinate_descent.lasso` and
# satisfy the KKT conditions.

# %% regbook={"exercise": "3.3", "name": "cd_sweep"} tags=["solution"]
def cd_sweep(w, Xc, yc, alpha):
    """One cyclic coordinate-descent pass for the lasso; modifies w (p,) in place, returns None."""
    ### BEGIN SOLUTION
    n = len(yc)
    r = yc - Xc @ w
    for j in range(len(w)):
        r += Xc[:, j] * w[j]
        w[j] = soft_threshold(Xc[:, j] @ r / n, alpha) / (Xc[:, j] @ Xc[:, j] / n)
        r -= Xc[:, j] * w[j]
    ### END SOLUTION


# %% regbook={"exercise": "3.3", "points": 3} tags=["check"]
def lasso_objective(w):
    return float(np.sum((yc - Xc @ w) ** 2) / (2 * n) + ALPHA * np.sum(np.abs(w)))


w = np.zeros(p)
objectives = [lasso_objective(w)]
for _ in range(300):
    cd_sweep(w, Xc, yc, ALPHA)
    objectives.append(lasso_objective(w))
checks.check_true(bool(np.all(np.diff(objectives) <= 1e-10)), name="Exercise 3.3 cd_sweep",
                  expected="an objective that never increases from sweep to sweep")
ref = lasso(X_tr, y_tr, alpha=ALPHA, tol=1e-12).coef
checks.check_close(w, ref, rtol=1e-6, atol=1e-10, name="Exercise 3.3 cd_sweep (300 sweeps vs regbook lasso)")
kkt = enet_kkt_violation(w, -Xc.T @ (yc - Xc @ w) / n, alpha=ALPHA)
checks.check_close(kkt, 0.0, atol=1e-8, name="Exercise 3.3 cd_sweep KKT violation")
print(f"Exercise 3.3 passed; {int(np.sum(w != 0))} of {p} coefficients are non-zero")

# %% [markdown]
# ## Exercise 3.4: one ISTA step (`ista_step`, 3 points)
#
# Return $w_{k+1} = S_{\alpha/L}\bigl(w_k - \frac1L\nabla f(w_k)\bigr)$ ({eq}`eq-lasso-ista`) for
# $f(w) = \frac1{2n}\lVert y_c - X_cw\rVert^2$ and a step $1/L$ given by the caller. The check compares
# one step with `regbook.np.prox.soft_threshold` applied to a gradient step, and checks that 3000
# steps with $L$ the largest eigenvalue of $X_c^\top X_c/n$ reach the lasso solution.

# %% regbook={"exercise": "3.4", "name": "ista_step"} tags=["solution"]
def ista_step(w, Xc, yc, alpha, L):
    """One proximal-gradient step for the lasso with step 1/L; returns the new w (p,)."""
    ### BEGIN SOLUTION
    grad = -Xc.T @ (yc - Xc @ w) / len(yc)
    return soft_threshold(w - grad / L, alpha / L)
    ### END SOLUTION


# %% regbook={"exercise": "3.4", "points": 3} tags=["check"]
L = float(np.linalg.eigvalsh(Xc.T @ Xc / n)[-1])
w0 = np.random.default_rng(5).standard_normal(p)
one = prox.soft_threshold(w0 + Xc.T @ (yc - Xc @ w0) / (n * L), ALPHA / L)
checks.check_close(ista_step(w0, Xc, yc, ALPHA, L), one, rtol=1e-10, atol=1e-14, name="Exercise 3.4 ista_step (one step)")
w = np.zeros(p)
for _ in range(3000):
    w = ista_step(w, Xc, yc, ALPHA, L)
checks.check_close(w, lasso(X_tr, y_tr, alpha=ALPHA, tol=1e-12).coef, rtol=1e-6, atol=1e-8,
                   name="Exercise 3.4 ista_step (3000 steps vs regbook lasso)")
print("Exercise 3.4 passed")

# %% [markdown]
# ## Exercise 3.5: a Gaussian prior gives ridge (written)
#
# Repeat the derivation of {eq}`eq-lasso-laplace-alpha` for the prior $w_j \sim \mathcal N(0, \tau^2)$
# (independent) and noise $\varepsilon_i \sim \mathcal N(0, \sigma^2)$, and show that the MAP estimate is
# ridge regression with scikit-learn's $\alpha_{\text{ridge}} = \sigma^2/\tau^2$.

# %% [markdown] regbook={"exercise": "3.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# Up to constants, $-\log p(w \mid y) = \frac{1}{2\sigma^2}\lVert y_c - X_cw\rVert^2 + \frac{1}{2\tau^2}\lVert w\rVert^2$.
# Multiplying by $2\sigma^2 > 0$ does not move the minimizer, which therefore minimizes
# $\lVert y_c - X_cw\rVert^2 + \frac{\sigma^2}{\tau^2}\lVert w\rVert^2$: scikit-learn's ridge objective
# with $\alpha = \sigma^2/\tau^2$. Unlike the Laplace case, $\alpha$ does not depend on $n$, because
# scikit-learn's ridge loss is a sum and its lasso loss a mean.
# <!-- END SOLUTION -->
