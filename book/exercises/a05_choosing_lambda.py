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
# # Assignment 5: choosing λ
#
# Companion to {doc}`/book/ch05_choosing_lambda`, in its notation: $k$-fold cross-validation with fold
# errors $E_j(\lambda)$, their mean $\mathrm{CV}(\lambda)$ and standard error $\mathrm{SE}(\lambda)$
# ({eq}`eq-cv-kfold`); scikit-learn's ridge objective $\lVert y - Xw - b\rVert^2 + \alpha\lVert w\rVert^2$
# with hat matrix $H_\alpha$, so that $\hat y = H_\alpha y$.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 5.1 (cv_mean_se): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells. Written answers go in the cells
# marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 5.1 | `cv_mean_se` | 3 |
# | 5.2 | `one_se_index` | 2 |
# | 5.3 | `ridge_loo_gcv` | 3 |
# | 5.4 | written: the shortcut for any linear smoother | – |

# %%
import numpy as np

import regbook
from regbook import checks, data
from regbook.np.cross_validation import cross_val_grid, kfold_indices
from regbook.np.estimators import Ridge
from regbook.np.linear import ridge
from regbook.np.model_selection import one_se_rule
from regbook.np.ridge_selection import ridge_loocv

rng = regbook.nbsetup(seed=0)

split = data.load_dataset("diabetes", seed=0)
X_dev, y_dev = split.X_train, split.y_train
ALPHAS = np.logspace(-2, 4, 13)
folds = kfold_indices(len(y_dev), k=5, rng=0)
cv_ref = cross_val_grid(Ridge(), X_dev, y_dev, param_name="alpha", values=ALPHAS, folds=folds)  # the reference
print(X_dev.shape)

# %% [markdown]
# ## Exercise 5.1: $k$-fold cross-validation from scratch (`cv_mean_se`, 3 points)
#
# Given `folds`, a list of `(train_idx, val_idx)` pairs, fit ridge (`regbook.np.linear.ridge`, with
# intercept) on each training part for every $\alpha$ and return two arrays of shape `(len(alphas),)`:
# $\mathrm{CV}(\alpha)$ and $\mathrm{SE}(\alpha)$ of {eq}`eq-cv-kfold` (the standard error uses the
# $k - 1$ denominator). The check compares them with `regbook.np.cross_validation.cross_val_grid` on
# the same folds.

# %% regbook={"exercise": "5.1", "name": "cv_mean_se"} tags=["solution"]
def cv_mean_se(X, y, alphas, folds):
    """CV mean (len(alphas),) and standard error (len(alphas),) of the validation MSE of ridge."""
    ### BEGIN SOLUTION
    errors = np.zeros((len(alphas), len(folds)))
    for j, (train, val) in enumerate(folds):
        for i, a in enumerate(alphas):
            res = ridge(X[train], y[train], alpha=a)
            errors[i, j] = np.mean((y[val] - X[val] @ res.coef - res.intercept) ** 2)
    return errors.mean(axis=1), errors.std(axis=1, ddof=1) / np.sqrt(len(folds))
    ### END SOLUTION


# %% regbook={"exercise": "5.1", "points": 3} tags=["check"]
cv_mean, cv_se = cv_mean_se(X_dev, y_dev, ALPHAS, folds)
checks.check_close(cv_mean, cv_ref.mean, rtol=1e-8, name="Exercise 5.1 cv_mean_se mean")
checks.check_close(cv_se, cv_ref.se, rtol=1e-8, name="Exercise 5.1 cv_mean_se standard error")
print("Exercise 5.1 passed")

# %% [markdown]
# ## Exercise 5.2: the one-standard-error rule (`one_se_index`, 2 points)
#
# Return the index of $\lambda_{1\mathrm{SE}}$ of {eq}`eq-cv-one-se`: among the values whose mean is
# at most $\mathrm{CV}(\lambda_{\min}) + \mathrm{SE}(\lambda_{\min})$, the largest value if
# `prefer="largest"` (a penalty) or the smallest if `prefer="smallest"` (a polynomial degree). The grid
# may be in any order. The check compares your index with `regbook.np.model_selection.one_se_rule`.

# %% regbook={"exercise": "5.2", "name": "one_se_index"} tags=["solution"]
def one_se_index(values, mean, se, prefer="largest"):
    """Index (int) into values of the simplest model within one SE of the minimum."""
    ### BEGIN SOLUTION
    values, mean, se = np.asarray(values), np.asarray(mean), np.asarray(se)
    best = int(np.argmin(mean))
    within = np.flatnonzero(mean <= mean[best] + se[best])
    pick = np.argmax if prefer == "largest" else np.argmin
    return int(within[pick(values[within])])
    ### END SOLUTION


# %% regbook={"exercise": "5.2", "points": 2} tags=["check"]
cases = [(ALPHAS, cv_ref.mean, cv_ref.se, "largest"),
         (ALPHAS[::-1], cv_ref.mean[::-1], cv_ref.se[::-1], "largest"),
         ([1, 2, 3, 4, 5], [3.0, 1.2, 1.0, 1.05, 1.3], [0.1, 0.1, 0.25, 0.1, 0.1], "smallest")]
for values, mean, se, prefer in cases:
    got = one_se_index(values, mean, se, prefer=prefer)
    checks.check_true(isinstance(got, (int, np.integer)), name="Exercise 5.2 one_se_index",
                      expected="an integer index")
    checks.check_close(got, one_se_rule(values, mean, se, prefer=prefer), rtol=0.0,
                       name=f"Exercise 5.2 one_se_index (prefer={prefer!r})")
print(f"Exercise 5.2 passed; the 1-SE rule picks alpha = {ALPHAS[one_se_index(ALPHAS, cv_ref.mean, cv_ref.se)]:.3g}")

# %% [markdown]
# ## Exercise 5.3: leave-one-out and GCV in closed form (`ridge_loo_gcv`, 3 points)
#
# For one $\alpha$, build the hat matrix of ridge **with intercept** explicitly,
# $H_\alpha = \frac1n\mathbf 1\mathbf 1^\top + X_c(X_c^\top X_c + \alpha I)^{-1}X_c^\top$, and return the
# leave-one-out MSE of {eq}`eq-cv-loo-shortcut` and the GCV score of {eq}`eq-cv-gcv` as two floats. The
# check compares them with `regbook.np.ridge_selection.ridge_loocv`, and the LOO value with $n$ actual
# leave-one-out fits.

# %% regbook={"exercise": "5.3", "name": "ridge_loo_gcv"} tags=["solution"]
def ridge_loo_gcv(X, y, alpha):
    """(LOO MSE, GCV) of ridge with intercept at one alpha, from the explicit hat matrix."""
    ### BEGIN SOLUTION
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    H = np.full((n, n), 1.0 / n) + Xc @ np.linalg.solve(Xc.T @ Xc + alpha * np.eye(p), Xc.T)
    resid = y - H @ y
    loo = float(np.mean((resid / (1.0 - np.diag(H))) ** 2))
    gcv = float(np.mean(resid**2) / (1.0 - np.trace(H) / n) ** 2)
    return loo, gcv
    ### END SOLUTION


# %% regbook={"exercise": "5.3", "points": 3} tags=["check"]
ref = ridge_loocv(X_dev, y_dev, alphas=[10.0])
got = ridge_loo_gcv(X_dev, y_dev, 10.0)
checks.check_close(got, [ref.loo_mse[0], ref.gcv[0]], rtol=1e-10, name="Exercise 5.3 ridge_loo_gcv (LOO, GCV)")
Xs, ys = X_dev[:40], y_dev[:40]  # brute force on a subset: 40 fits
brute = []
for i in range(len(ys)):
    keep = np.arange(len(ys)) != i
    fit = ridge(Xs[keep], ys[keep], alpha=10.0)
    brute.append((ys[i] - Xs[i] @ fit.coef - fit.intercept) ** 2)
checks.check_close(ridge_loo_gcv(Xs, ys, 10.0)[0], np.mean(brute), rtol=1e-10,
                   name="Exercise 5.3 ridge_loo_gcv LOO vs 40 leave-one-out fits")
print("Exercise 5.3 passed")

# %% [markdown]
# ## Exercise 5.4: the shortcut for any linear smoother (written)
#
# Show that {eq}`eq-cv-loo-shortcut` holds for every fit of the form $\hat y = Hy$ for which leaving out
# sample $i$ gives the prediction $\hat y_{(i)} = \sum_{j\ne i}H_{ij}y_j/(1 - H_{ii})$. Which smoothers
# have this property?

# %% [markdown] regbook={"exercise": "5.4"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# Write $\hat y_i = H_{ii}y_i + \sum_{j\ne i}H_{ij}y_j = H_{ii}y_i + (1 - H_{ii})\hat y_{(i)}$. Then
# $y_i - \hat y_i = (1 - H_{ii})y_i - (1 - H_{ii})\hat y_{(i)} = (1 - H_{ii})(y_i - \hat y_{(i)})$, which
# is {eq}`eq-cv-loo-shortcut` after dividing by $1 - H_{ii}$ (assumed non-zero). The property holds
# for least squares and ridge (by the Sherman-Morrison argument of the chapter, for any fixed $\alpha$),
# for kernel ridge regression and smoothing splines, and for Nadaraya-Watson kernel smoothers whose rows
# are renormalized after a point is removed; it fails for fits whose tuning depends on the data (a
# $\lambda$ chosen by CV, the lasso's active set) and for $k$-nearest neighbours, where removing a
# point brings in a new neighbour rather than renormalizing the old weights.
# <!-- END SOLUTION -->
