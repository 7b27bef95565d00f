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
# # Assignment 14: time series as regression, validated forward in time
#
# Companion to {doc}`/book/ch14_tabular`, in its notation: an AR($p$) model predicts the value $h$ steps ahead
# from the last $p$ values, $y_{t+h-1} = b + \sum_{k=1}^p w_ky_{t-k} + \varepsilon_t$ ({eq}`eq-tab-ar`), a linear
# regression once the lagged values are the columns of a matrix. **Forward chaining** validates on $J$ blocks of
# $m$ rows that end at the last row, training only on the rows before each block minus a gap of $g$ rows:
# $V_j = \{s_j, \dots, s_j + m - 1\}$, $T_j = \{0, \dots, s_j - g - 1\}$, $s_j = n - (J - j)m$
# ({eq}`eq-tab-forward-chaining`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 14.1 (ar_design): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 14.1 | `ar_design` | 3 |
# | 14.2 | `forward_chaining` | 3 |
# | 14.3 | `residual_autocorrelation` | 2 |
# | 14.4 | written: which validation for which forecast? | – |

# %%
import numpy as np
from scipy.signal import lfilter
from sklearn.model_selection import TimeSeriesSplit

import regbook
from regbook import checks
from regbook.np.time_series import forward_chaining_splits, lag_matrix

rng = regbook.nbsetup(seed=0)

# an AR(2) series y_t = 0.6 y_{t-1} - 0.2 y_{t-2} + e_t, e_t ~ N(0, 1), after a burn-in of 200 steps
PHI = (0.6, -0.2)
series = lfilter([1.0], [1.0, -PHI[0], -PHI[1]], rng.standard_normal(3200))[200:]
print(series.shape)

# %% [markdown]
# ## Exercise 14.1: the lag matrix (`ar_design`, 3 points)
#
# Write `ar_design(series, n_lags, horizon)` for a 1-D series of length $n$, returning `(X, y)`: row $i$ of `X`
# holds $(s_{t-1}, s_{t-2}, \dots, s_{t-p})$ (lag 1 first) and $y_i = s_{t+h-1}$, with $t = p + i$ and
# $i = 0, \dots, n - p - h$. No intercept column. The check compares with
# `regbook.np.time_series.lag_matrix` on a short series you can check by hand and on the AR(2) series above,
# for $h = 1$ and $h = 3$.

# %% regbook={"exercise": "14.1", "name": "ar_design"} tags=["solution"]
def ar_design(series, n_lags, horizon):
    """Lagged values X (n - p - h + 1, p), lag 1 first, and the targets y h steps ahead."""
    ### BEGIN SOLUTION
    n, p, h = len(series), n_lags, horizon
    rows = n - p - h + 1
    X = np.column_stack([series[p - k:p - k + rows] for k in range(1, p + 1)])
    return X, series[p + h - 1:]
    ### END SOLUTION


# %% regbook={"exercise": "14.1", "points": 3} tags=["check"]
for s, p, h in ((np.arange(1.0, 8.0), 2, 1), (np.arange(1.0, 8.0), 3, 2), (series, 5, 1), (series, 5, 3)):
    X, y = ar_design(s, p, h)
    ref = lag_matrix(s, p, horizon=h)
    tag = f"(n={len(s)}, n_lags={p}, horizon={h})"
    checks.check_close(X, ref.X, rtol=0.0, name=f"Exercise 14.1 ar_design X {tag}")
    checks.check_close(y, ref.y, rtol=0.0, name=f"Exercise 14.1 ar_design y {tag}")
print("Exercise 14.1 passed")

# %% [markdown]
# ## Exercise 14.2: forward-chaining splits (`forward_chaining`, 3 points)
#
# Write `forward_chaining(n_samples, n_splits, min_train, gap)` returning the list of `n_splits` pairs
# `(train_idx, val_idx)` (integer arrays in increasing order) of {eq}`eq-tab-forward-chaining`, with the largest
# block size that leaves at least `min_train` rows in the first training set,
# $m = \lfloor(n - \text{min\_train} - g)/J\rfloor$. The check compares with
# `regbook.np.time_series.forward_chaining_splits` and with scikit-learn's `TimeSeriesSplit(n_splits,
# test_size=m, gap=g)`, and verifies that every training index precedes every validation index of its pair by
# more than the gap.

# %% regbook={"exercise": "14.2", "name": "forward_chaining"} tags=["solution"]
def forward_chaining(n_samples, n_splits, min_train, gap):
    """List of n_splits (train_idx, val_idx) pairs: validation blocks ending at the last sample."""
    ### BEGIN SOLUTION
    m = (n_samples - min_train - gap) // n_splits
    out = []
    for j in range(n_splits):
        start = n_samples - (n_splits - j) * m
        out.append((np.arange(start - gap), np.arange(start, start + m)))
    return out
    ### END SOLUTION


# %% regbook={"exercise": "14.2", "points": 3} tags=["check"]
for n, J, min_train, g in ((7, 2, 3, 0), (7, 2, 2, 1), (100, 5, 50, 2), (1000, 4, 300, 0), (23, 3, 5, 4)):
    got = forward_chaining(n, J, min_train, g)
    ref = forward_chaining_splits(n, n_splits=J, min_train=min_train, gap=g)
    tag = f"(n={n}, n_splits={J}, min_train={min_train}, gap={g})"
    checks.check_true(len(got) == J, name=f"Exercise 14.2 forward_chaining {tag}", expected=f"{J} pairs")
    m = len(ref[0][1])
    sk = list(TimeSeriesSplit(n_splits=J, test_size=m, gap=g).split(np.zeros((n, 1))))
    for j, ((tr, va), (rtr, rva), (str_, sva)) in enumerate(zip(got, ref, sk)):
        same = (np.array_equal(tr, rtr) and np.array_equal(va, rva)
                and np.array_equal(tr, str_) and np.array_equal(va, sva))
        checks.check_true(same, name=f"Exercise 14.2 forward_chaining split {j} {tag}",
                          expected=f"train {rtr.min()}..{rtr.max()}, validation {rva.min()}..{rva.max()}")
        checks.check_true(bool(np.max(tr) + g < np.min(va)), name=f"Exercise 14.2 forward_chaining split {j} {tag}",
                          expected="every training index before every validation index, by more than the gap")
print("Exercise 14.2 passed")

# %% [markdown]
# ## Exercise 14.3 (experiment): correlated errors of a direct multi-step forecast (`residual_autocorrelation`, 2 points)
#
# Write `residual_autocorrelation(series, n_lags, horizon)`: build the lag matrix (use `lag_matrix`), fit the
# AR model by least squares **with an intercept** (`np.linalg.lstsq` on `[1, X]`), and return the lag-1
# autocorrelation of the residuals $e$ in time order, $\sum_i (e_i - \bar e)(e_{i+1} - \bar e)/\sum_i (e_i - \bar e)^2$.
# The check runs it on the AR(2) series with 5 lags: one step ahead the residuals are (nearly) uncorrelated,
# within four standard errors $1/\sqrt n$ of 0; three steps ahead they are strongly correlated, as the chapter
# says (a moving average of order $h - 1$). It also compares both values with a recomputation. Then answer in
# a sentence: what gap would you use in forward chaining for $h = 3$, and why?

# %% regbook={"exercise": "14.3", "name": "residual_autocorrelation"} tags=["solution"]
def residual_autocorrelation(series, n_lags, horizon):
    """Lag-1 autocorrelation (a float) of the least-squares residuals of the direct AR(n_lags) forecast."""
    ### BEGIN SOLUTION
    lm = lag_matrix(series, n_lags, horizon=horizon)
    A = np.column_stack([np.ones(len(lm.y)), lm.X])
    e = lm.y - A @ np.linalg.lstsq(A, lm.y, rcond=None)[0]
    e = e - e.mean()
    return float(e[:-1] @ e[1:] / (e @ e))
    ### END SOLUTION


# %% regbook={"exercise": "14.3", "points": 2} tags=["check"]
rho = {h: residual_autocorrelation(series, 5, h) for h in (1, 3)}
for h in (1, 3):
    lm = lag_matrix(series, 5, horizon=h)
    A = np.column_stack([np.ones(len(lm.y)), lm.X])
    e = lm.y - A @ np.linalg.lstsq(A, lm.y, rcond=None)[0]
    e = e - e.mean()
    checks.check_close(rho[h], float(e[:-1] @ e[1:] / (e @ e)), rtol=1e-8,
                       name=f"Exercise 14.3 residual_autocorrelation (horizon={h})")
n_rows = len(series) - 5
checks.check_statistic(rho[1], 0.0, se=1 / np.sqrt(n_rows), name="Exercise 14.3 residual_autocorrelation (horizon=1)")
checks.check_true(bool(rho[3] > 0.3), name="Exercise 14.3 residual_autocorrelation (horizon=3)",
                  expected=f"a lag-1 autocorrelation above 0.3, got {rho[3]:.3f}")
print("Exercise 14.3 passed")

# %% [markdown]
# ## Exercise 14.4: which validation for which forecast? (written)
#
# (a) Why does shuffled K-fold cross-validation leak information for a direct $h$-step forecast with $h > 1$, even
# when the model is correctly specified? (b) What does the gap $g = h - 1$ remove, and why is it enough?
# (c) Bergmeir, Hyndman and Koo showed that ordinary K-fold is valid for a purely autoregressive model with
# uncorrelated errors. Give two situations from the chapter (or your own) in which its assumptions fail, so that
# forward chaining is the safer choice, and one cost of forward chaining.

# %% [markdown] regbook={"exercise": "14.4"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) For $h > 1$ the targets of neighbouring rows share the shocks between them, so their errors are correlated
# (exercise 14.3); a validation row then has neighbours in the training folds whose errors predict its own error,
# and whose features overlap its features. A flexible or weakly penalized model can fit those neighbours' errors,
# and the validation error underestimates the error on genuinely new data; the penalty chosen is then too weak.
#
# (b) Rows whose target lies within $h - 1$ steps of a validation target share shocks with it; leaving out the
# $g = h - 1$ rows before each validation block removes every training row whose error is correlated with the
# block's first rows (the errors form a moving average of order $h - 1$, uncorrelated beyond lag $h - 1$), and
# training on the past only removes the rows after the block.
#
# (c) Failures: a direct multi-step forecast (correlated errors by construction); a misspecified model, e.g. too
# few lags, whose errors remain autocorrelated; a non-stationary series (trends, regime changes, as in financial
# data), where training on the future of a validation block uses information that did not exist at the time.
# Cost: each training set is smaller than in K-fold (the first one only `min_train` rows), and the estimate
# averages over fewer, later blocks, so it is noisier and slightly pessimistic for the model trained on all the data.
# <!-- END SOLUTION -->
