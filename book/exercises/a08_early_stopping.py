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
# # Assignment 8: early stopping
#
# Companion to {doc}`/book/ch08_early_stopping`, in its notation: an epoch $t$ **improves** if its validation
# loss beats the best so far by more than an absolute margin $\delta$ (`min_delta`), strictly
# ({eq}`eq-es-improve`); training stops at the first epoch whose count of consecutive non-improving epochs
# reaches the patience $P$, and the parameters of the best epoch are restored ({eq}`eq-es-rule`). For least
# squares, $L(w) = \frac1{2n}\lVert y - Xw\rVert^2$, $S = X^\top X/n = \sum_i s_iv_iv_i^\top$ ({eq}`eq-es-ls`),
# gradient descent from $0$ with step $\eta$ has the filter factors
# $\varphi_i^{\text{GD}}(t) = 1 - (1-\eta s_i)^t$ ({eq}`eq-es-gd-filter`) and ridge
# $\varphi_i^{\text{ridge}}(\lambda) = s_i/(s_i + \lambda)$ ({eq}`eq-es-ridge-filter`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 8.1 (early_stop): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 8.1 | `early_stop` | 3 |
# | 8.2 | `gd_filter_factors` | 2 |
# | 8.3 | `gd_validation_curve` | 3 |
# | 8.4 | written: gradient descent in the eigenbasis | – |
# | 8.5 | written: the conventions of the stopping rule | – |

# %%
import math

import numpy as np

import regbook
from regbook import checks
from regbook.np.early_stopping import EarlyStopping
from regbook.np.linear import ridge

rng = regbook.nbsetup(seed=0)

# the least-squares problem of the chapter's theory section, smaller: scales from 1 to 0.02
N, D = 100, 60
scales = np.geomspace(1.0, 0.02, D)
w_true = 0.5 * rng.standard_normal(D)
X = rng.standard_normal((N, D)) * scales
y = X @ w_true + 0.5 * rng.standard_normal(N)
X_val = rng.standard_normal((1000, D)) * scales
y_val = X_val @ w_true + 0.5 * rng.standard_normal(1000)
S, b = X.T @ X / N, X.T @ y / N
s, V = np.linalg.eigh(S)  # ascending eigenvalues, eigenvectors in columns
c_hat = (V.T @ b) / s     # least-squares coordinates (all s_i > 0 here)
ETA = 1.0 / s.max()
print(X.shape, X_val.shape)

# %% [markdown]
# ## Exercise 8.1: the stopping rule (`early_stop`, 3 points)
#
# Write `early_stop(losses, patience, min_delta)`: replay the rule of {eq}`eq-es-improve` and
# {eq}`eq-es-rule` on a list of validation losses (steps numbered from 0) and return
# `(best_step, stop_step)`, where `best_step` is the step of the best loss seen up to the stop (`None` if no
# step ever improved) and `stop_step` the step at which training stops (`None` if it never does). A NaN loss
# never improves; a loss equal to the best does not improve; `patience` is at least 1. The check replays
# scripted sequences (ties, a margin, NaN, a late improvement) through `regbook.np.early_stopping.EarlyStopping`.

# %% regbook={"exercise": "8.1", "name": "early_stop"} tags=["solution"]
def early_stop(losses, patience, min_delta):
    """(best_step or None, stop_step or None) of the early-stopping rule replayed on losses."""
    ### BEGIN SOLUTION
    best, best_step, bad = math.inf, None, 0
    for t, m in enumerate(losses):
        if m < best - min_delta:  # False for NaN
            best, best_step, bad = m, t, 0
        else:
            bad += 1
            if bad >= patience:
                return best_step, t
    return best_step, None
    ### END SOLUTION


# %% regbook={"exercise": "8.1", "points": 3} tags=["check"]
nan = float("nan")
SCRIPTS = [
    ([1.0, 0.5, 0.6, 0.7, 0.4], 2, 0.0),                 # stops before the late improvement
    ([1.0, 0.5, 0.6, 0.7, 0.4], 3, 0.0),                 # waits long enough to see it, never stops
    ([1.0, 0.9, 0.9, 0.9, 0.9], 3, 0.0),                 # a tie is not an improvement
    ([1.0, 0.95, 0.92, 0.90, 0.89, 0.88], 2, 0.05),      # small improvements do not beat the margin
    ([1.0, 0.8, nan, nan, 0.7], 2, 0.0),                 # NaN never improves
    ([nan, nan, nan], 2, 0.0),                           # nothing ever improves
    ([3.0, 2.0, 1.0, 0.5, 0.25], 1, 0.0),                # always improving
    ([2.0, 2.5, 1.0, 1.1, 1.2, 0.2, 0.3], 2, 0.1),
]
for losses, patience, min_delta in SCRIPTS:
    got = early_stop(list(losses), patience, min_delta)
    stopper = EarlyStopping(patience, min_delta=min_delta)
    for m in losses:
        if stopper.step(m):
            break
    expected = (stopper.best_step, stopper.stopped_step)
    checks.check_true(tuple(got) == expected, name=f"Exercise 8.1 early_stop({losses}, patience={patience}, "
                      f"min_delta={min_delta})", expected=f"(best_step, stop_step) = {expected}, got {tuple(got)}")
print("Exercise 8.1 passed")

# %% [markdown]
# ## Exercise 8.2: filter factors of gradient descent (`gd_filter_factors`, 2 points)
#
# Return the vector $\varphi^{\text{GD}}(t) = 1 - (1 - \eta s)^t$ for eigenvalues `s`, step `eta` and step
# count `t` ({eq}`eq-es-gd-filter`). The check runs $t$ steps of gradient descent on the problem above and
# compares the iterate with $w_t = \sum_i \varphi_i^{\text{GD}}(t)\,\hat c_i v_i$ built from your factors.

# %% regbook={"exercise": "8.2", "name": "gd_filter_factors"} tags=["solution"]
def gd_filter_factors(s, eta, t):
    """Filter factors 1 - (1 - eta s_i)^t of t gradient-descent steps from 0; same shape as s."""
    ### BEGIN SOLUTION
    return 1.0 - (1.0 - eta * s) ** t
    ### END SOLUTION


# %% regbook={"exercise": "8.2", "points": 2} tags=["check"]
w = np.zeros(D)
for t in range(1, 201):
    w = w - ETA * (S @ w - b)
    if t in (1, 7, 50, 200):
        phi = gd_filter_factors(s, ETA, t)
        checks.check_shape(phi, s.shape, name=f"Exercise 8.2 gd_filter_factors (t={t})")
        checks.check_close(V @ (phi * c_hat), w, rtol=1e-8, atol=1e-12,
                           name=f"Exercise 8.2 gd_filter_factors: filter formula vs {t} GD steps")
checks.check_close(gd_filter_factors(np.array([0.5, 1.0]), 1.0, 3), [0.875, 1.0], rtol=1e-12,
                   name="Exercise 8.2 gd_filter_factors (s = 0.5, 1; eta = 1; t = 3)")
print("Exercise 8.2 passed")

# %% [markdown]
# ## Exercise 8.3 (experiment): early stopping against tuned ridge (`gd_validation_curve`, 3 points)
#
# Write `gd_validation_curve(X, y, X_val, y_val, eta, n_steps)`: run gradient descent on
# $L(w) = \frac1{2n}\lVert y - Xw\rVert^2$ from $w_0 = 0$ (no intercept) and return the array of the
# validation mean squared errors $\frac1{n_{\text{val}}}\lVert y_{\text{val}} - X_{\text{val}}w_t\rVert^2$ after
# steps $t = 1, \dots, n_{\text{steps}}$. The check runs it for 3000 steps with $\eta = 1/s_1$ and verifies
# (a) the curve against the filter factors, (b) that stopping at the best step beats running all 3000 steps,
# and (c) the chapter's claim that early stopping matches ridge: the best validation error of gradient
# descent is within 3 % of that of ridge tuned on a grid of $\lambda$ (regbook's `ridge` with
# $\alpha = n\lambda$, since its loss is a sum), and the best step $t^\star$ corresponds to
# $\lambda = 1/(\eta t^\star)$ within a factor 3 of the best ridge $\lambda$. Then answer in a sentence: which
# of the two procedures needs fewer fits to tune, and why?

# %% regbook={"exercise": "8.3", "name": "gd_validation_curve"} tags=["solution"]
def gd_validation_curve(X, y, X_val, y_val, eta, n_steps):
    """Validation MSE after each of n_steps gradient-descent steps on |y - Xw|^2/(2n) from 0; shape (n_steps,)."""
    ### BEGIN SOLUTION
    n = len(y)
    w = np.zeros(X.shape[1])
    curve = np.empty(n_steps)
    for t in range(n_steps):
        w = w - eta * X.T @ (X @ w - y) / n
        curve[t] = np.mean((y_val - X_val @ w) ** 2)
    return curve
    ### END SOLUTION


# %% regbook={"exercise": "8.3", "points": 3} tags=["check"]
T = 3000
curve = gd_validation_curve(X, y, X_val, y_val, ETA, T)
checks.check_shape(curve, (T,), name="Exercise 8.3 gd_validation_curve")
for t in (1, 30, 300, 3000):
    w_t = V @ ((1.0 - (1.0 - ETA * s) ** t) * c_hat)
    checks.check_close(curve[t - 1], np.mean((y_val - X_val @ w_t) ** 2), rtol=1e-8,
                       name=f"Exercise 8.3 gd_validation_curve at t={t} vs the filter formula")
t_star = int(np.argmin(curve)) + 1
checks.check_true(bool(curve.min() < 0.95 * curve[-1]), name="Exercise 8.3 gd_validation_curve",
                  expected="a best validation error at least 5 % below the error after all steps")
lams = np.geomspace(1e-5, 1.0, 101)
ridge_val = [np.mean((y_val - X_val @ ridge(X, y, alpha=N * lam, fit_intercept=False).coef) ** 2) for lam in lams]
checks.check_close(curve.min(), min(ridge_val), rtol=0.015,
                   name="Exercise 8.3 gd_validation_curve: best early-stopped error vs best ridge error")
ratio = (1.0 / (ETA * t_star)) / lams[int(np.argmin(ridge_val))]
checks.check_true(bool(1 / 3 < ratio < 3.0), name="Exercise 8.3 gd_validation_curve",
                  expected=f"lambda = 1/(eta t*) within a factor 3 of the best ridge lambda (ratio {ratio:.2f})")
print("Exercise 8.3 passed")

# %% [markdown]
# ## Exercise 8.4: gradient descent in the eigenbasis (written)
#
# (a) Derive {eq}`eq-es-gd-filter` from $w_{t+1} = w_t - \eta(Sw_t - b)$, $w_0 = 0$. (b) Show that
# $\varphi_i^{\text{GD}}(t) \approx \varphi_i^{\text{ridge}}(1/(\eta t))$ in both regimes $\eta s_i t \ll 1$ and
# $\eta s_i t \gg 1$: to which values do both go? (c) What happens to the coordinate along $v_i$ if
# $\eta s_i > 2$, and what does that say about the largest usable step?

# %% [markdown] regbook={"exercise": "8.4"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) Write $c_i(t) = v_i^\top w_t$. Since $v_i^\top S = s_iv_i^\top$, $c_i(t+1) = c_i(t) - \eta(s_ic_i(t) - v_i^\top b)$
# and, with $v_i^\top b = s_i\hat c_i$, $c_i(t+1) - \hat c_i = (1 - \eta s_i)(c_i(t) - \hat c_i)$. Unrolling
# from $c_i(0) = 0$ gives $c_i(t) - \hat c_i = -(1-\eta s_i)^t\hat c_i$, i.e. $c_i(t) = \bigl(1 - (1-\eta s_i)^t\bigr)\hat c_i$.
#
# (b) With $u = \eta s_it$ and $\lambda = 1/(\eta t)$, $\varphi^{\text{ridge}} = s_i/(s_i + \lambda) = u/(1+u)$.
# For $u \ll 1$ (and $\eta s_i$ small), $(1-\eta s_i)^t \approx 1 - u$, so $\varphi^{\text{GD}} \approx u$ and
# $\varphi^{\text{ridge}} \approx u$: both are near 0, the direction is not fitted yet. For $u \gg 1$,
# $(1-\eta s_i)^t \le e^{-u} \approx 0$, so $\varphi^{\text{GD}} \approx 1$ and $\varphi^{\text{ridge}} = 1 - 1/(1+u) \approx 1$:
# the direction is fitted. They differ only for $u$ of order 1, by at most the bound {eq}`eq-es-match`.
#
# (c) If $\eta s_i > 2$ then $|1 - \eta s_i| > 1$ and $(1-\eta s_i)^t$ grows in magnitude with alternating sign:
# the coordinate diverges. Gradient descent needs $\eta < 2/s_1$; the chapter's $\eta = 1/s_1$ keeps every
# factor $1 - \eta s_i$ in $[0, 1)$, so every $\varphi_i$ increases monotonically.
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 8.5: the conventions of the stopping rule (written)
#
# (a) With patience $P$, how many epochs after the best one does a run that stops end, and why must the
# best parameters be restored rather than kept from the last epoch? (b) A validation loss decreases from
# 1000 to 999.9 in one epoch, another from 0.01 to 0.0099. With `min_delta=0.05`, which counts as an
# improvement? Propose a relative criterion and say what it changes. (c) Why should a NaN validation loss
# count as "no improvement" rather than raise an error or be skipped?

# %% [markdown] regbook={"exercise": "8.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) Exactly $P$ epochs after the best epoch $t^\star$: the counter is reset at $t^\star$ and reaches $P$ at
# $t^\star + P$ (unless a later epoch improves, which would make it the best). The last $P$ epochs are, by the
# rule's own measure, worse than $t^\star$; keeping the last parameters throws away the point the rule selected
# and typically overfits further.
#
# (b) The margin is absolute: the first decrease (0.1, a relative change of 0.01 %) counts, the second
# (0.0001, a relative change of 1 %) does not, so the absolute margin rewards the *smaller* relative
# progress. A relative criterion, $m_t < m^\star(1 - \delta_{\text{rel}})$, makes the rule invariant to the
# scale of the loss (e.g. to summing instead of averaging over examples); but once $m^\star$ is close to 0 a
# fixed fraction of it is tiny, and noise alone then counts as an improvement.
#
# (c) A NaN loss means the run has diverged; it must not become the new best (comparisons with NaN are
# false, which gives exactly that), and skipping it would let a diverged run continue forever. Counting it
# as a non-improvement makes the run stop after $P$ such epochs with the last good parameters restored.
# <!-- END SOLUTION -->
