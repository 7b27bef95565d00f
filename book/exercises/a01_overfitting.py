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
# # Assignment 1: overfitting, bias and variance
#
# Companion to {doc}`/book/ch01_overfitting`, in its notation: $n = 20$ noisy samples of
# $f(x) = \sin(2\pi x)$, degree-15 polynomial features standardized with the training statistics, and
# scikit-learn's ridge objective $\lVert y - Xw\rVert_2^2 + \alpha\lVert w\rVert_2^2$ with an
# unpenalized intercept.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 1.1 (ridge_closed_form): your code here")`. Replace that line with
# your code, run the cell, then run the **check cell** below it: it compares your result with the
# reference implementation in `regbook` and either prints `passed` or raises a one-line `CheckError`
# that says what was expected and what came back. Do not edit the check cells; the grader runs them as
# they are. Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 1.1 | `ridge_closed_form` | 2 |
# | 1.2 | `ridge_gradient` | 2 |
# | 1.3 | `plug_in_bias_variance` | 2 |
# | 1.4 | `ridge_df` | 2 |
# | 1.5 | `validation_curve` | 2 |
# | 1.6 | written: what counts as regularization? | – |
# | 1.7 | written: the training error grows with $\alpha$ | – |

# %%
import numpy as np

import regbook
from regbook import checks, data
from regbook.np.generalization import bias_variance
from regbook.np.linear import ridge

rng = regbook.nbsetup(seed=0)

N_TRAIN, NOISE, DEGREE = 20, 0.3, 15
x_tr, y_tr = data.make_sinusoid(N_TRAIN, noise=NOISE, rng=rng)
x_val, y_val = data.make_sinusoid(500, noise=NOISE, rng=rng)
scaler = data.Standardizer().fit(data.polynomial_features(2 * x_tr - 1, DEGREE))
X_tr = scaler.transform(data.polynomial_features(2 * x_tr - 1, DEGREE))
X_val = scaler.transform(data.polynomial_features(2 * x_val - 1, DEGREE))
Xc, yc = X_tr - X_tr.mean(axis=0), y_tr - y_tr.mean()  # centred, so the intercept drops out
print(X_tr.shape, X_val.shape)

# %% [markdown]
# ## Exercise 1.1: ridge in closed form (`ridge_closed_form`, 2 points)
#
# Write `ridge_closed_form(X, y, alpha)` returning `(coef, intercept)` for the objective
# $\lVert y - Xw - b\rVert_2^2 + \alpha\lVert w\rVert_2^2$ with $b$ unpenalized: centre $X$ and $y$ with
# their column means, solve the normal equations $(X_c^\top X_c + \alpha I)\,w = X_c^\top y_c$ with
# `np.linalg.solve` (never invert a matrix), and recover $b = \bar y - \bar x^\top w$.

# %% regbook={"exercise": "1.1", "name": "ridge_closed_form"} tags=["solution"]
def ridge_closed_form(X, y, alpha):
    """Ridge coefficients (p,) and intercept (float) with an unpenalized intercept."""
    ### BEGIN SOLUTION
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)
    return coef, float(y_mean - x_mean @ coef)
    ### END SOLUTION


# %% regbook={"exercise": "1.1", "points": 2} tags=["check"]
for a in (0.01, 1.0):
    coef, intercept = ridge_closed_form(X_tr, y_tr, a)
    ref = ridge(X_tr, y_tr, alpha=a)
    checks.check_close(coef, ref.coef, rtol=1e-6, name=f"Exercise 1.1 ridge_closed_form coef (alpha={a})")
    checks.check_close(intercept, ref.intercept, rtol=1e-6, name=f"Exercise 1.1 ridge_closed_form intercept (alpha={a})")
print("Exercise 1.1 passed")

# %% [markdown]
# ## Exercise 1.2: the gradient of the ridge objective (`ridge_gradient`, 2 points)
#
# For data without intercept, return the gradient of $J(w) = \lVert y - Xw\rVert_2^2 + \alpha\lVert w\rVert_2^2$
# at $w$. The check compares it with centred finite differences
# (`regbook.checks.check_gradient`) at a random point.

# %% regbook={"exercise": "1.2", "name": "ridge_gradient"} tags=["solution"]
def ridge_gradient(w, X, y, alpha):
    """Gradient (p,) of ||y - X w||^2 + alpha ||w||^2."""
    ### BEGIN SOLUTION
    return -2.0 * X.T @ (y - X @ w) + 2.0 * alpha * w
    ### END SOLUTION


# %% regbook={"exercise": "1.2", "points": 2} tags=["check"]
w0 = np.random.default_rng(1).standard_normal(DEGREE)
objective = lambda w: float(np.sum((yc - Xc @ w) ** 2) + 0.5 * np.sum(w**2))  # noqa: E731
checks.check_gradient(objective, w0, ridge_gradient(w0, Xc, yc, 0.5), rtol=1e-6,
                      name="Exercise 1.2 ridge_gradient")
checks.check_close(ridge_gradient(ridge(Xc, yc, alpha=0.5, fit_intercept=False).coef, Xc, yc, 0.5),
                   np.zeros(DEGREE), atol=1e-8, name="Exercise 1.2 ridge_gradient at the minimizer")
print("Exercise 1.2 passed")

# %% [markdown]
# ## Exercise 1.3: bias² and variance from repeated fits (`plug_in_bias_variance`, 2 points)
#
# `predictions[r, j]` is the prediction at test input $x_j$ of the model fit on the $r$-th of $R$
# independent training sets, and `f_true[j]` $= f(x_j)$. Return the plug-in estimates of the chapter,
# $\text{bias}^2 = \frac1m\sum_j(\bar f(x_j) - f(x_j))^2$ and
# $\text{variance} = \frac1m\sum_j\frac1R\sum_r(\hat f_r(x_j) - \bar f(x_j))^2$, as two floats (no
# finite-$R$ correction: that is `bias_variance(..., unbiased=False)`).

# %% regbook={"exercise": "1.3", "name": "plug_in_bias_variance"} tags=["solution"]
def plug_in_bias_variance(predictions, f_true):
    """Plug-in (bias^2, variance) from predictions of shape (R, m) and f_true of shape (m,)."""
    ### BEGIN SOLUTION
    f_bar = predictions.mean(axis=0)
    bias2 = float(np.mean((f_bar - f_true) ** 2))
    variance = float(np.mean((predictions - f_bar) ** 2))
    return bias2, variance
    ### END SOLUTION


# %% regbook={"exercise": "1.3", "points": 2} tags=["check"]
x_test = np.linspace(0.05, 0.95, 30)
Z_test = scaler.transform(data.polynomial_features(2 * x_test - 1, DEGREE))
bv_rng = np.random.default_rng(2)
preds = []
for _ in range(200):  # 200 training sets of the degree-3 model
    xs, ys = data.make_sinusoid(N_TRAIN, noise=NOISE, rng=bv_rng)
    s3 = data.Standardizer().fit(data.polynomial_features(2 * xs - 1, 3))
    fit = ridge(s3.transform(data.polynomial_features(2 * xs - 1, 3)), ys, alpha=0.0)
    preds.append(s3.transform(data.polynomial_features(2 * x_test - 1, 3)) @ fit.coef + fit.intercept)
preds = np.array(preds)
ref = bias_variance(preds, data.sinusoid(x_test), noise_var=NOISE**2, unbiased=False)
answer = plug_in_bias_variance(preds, data.sinusoid(x_test))
checks.check_close(answer, [ref.bias2, ref.variance], rtol=1e-10, name="Exercise 1.3 plug_in_bias_variance")
print("Exercise 1.3 passed")

# %% [markdown]
# ## Exercise 1.4: effective degrees of freedom (`ridge_df`, 2 points)
#
# Return $\operatorname{df}(\alpha) = \sum_j d_j^2/(d_j^2 + \alpha)$, where $d_j$ are the singular values
# of the **centred** design $X_c$ (equation {eq}`eq-ridge-df` of chapter 1), for every $\alpha$ in
# `alphas`, as an array. The check compares it with the trace of the hat matrix, built column by
# column from `regbook.np.linear.ridge`.

# %% regbook={"exercise": "1.4", "name": "ridge_df"} tags=["solution"]
def ridge_df(X, alphas):
    """Effective degrees of freedom (len(alphas),) of ridge on the centred X."""
    ### BEGIN SOLUTION
    d2 = np.linalg.svd(X - X.mean(axis=0), compute_uv=False) ** 2
    return np.array([np.sum(d2 / (d2 + a)) for a in alphas])
    ### END SOLUTION


# %% regbook={"exercise": "1.4", "points": 2} tags=["check"]
ALPHAS_DF = [1e-3, 0.1, 10.0]
traces = []
for a in ALPHAS_DF:
    H = np.column_stack([Xc @ ridge(Xc, e, alpha=a, fit_intercept=False).coef for e in np.eye(N_TRAIN)])
    traces.append(np.trace(H))
checks.check_close(ridge_df(X_tr, ALPHAS_DF), traces, rtol=1e-8, name="Exercise 1.4 ridge_df")
print("Exercise 1.4 passed")

# %% [markdown]
# ## Exercise 1.5: a validation curve (`validation_curve`, 2 points)
#
# Fit the degree-15 ridge model on `(X_tr, y_tr)` for every $\alpha$ in `alphas` (with `ridge` or your
# `ridge_closed_form`) and return two arrays: the training MSE and the validation MSE on
# `(X_val, y_val)`. The check compares the values, and then checks the two claims of the chapter:
# the training error never decreases with $\alpha$, and the validation error is smallest strictly
# inside the grid.

# %% regbook={"exercise": "1.5", "name": "validation_curve"} tags=["solution"]
def validation_curve(alphas, X_tr, y_tr, X_val, y_val):
    """Training and validation MSE, each of shape (len(alphas),)."""
    ### BEGIN SOLUTION
    train, val = [], []
    for a in alphas:
        res = ridge(X_tr, y_tr, alpha=a)
        train.append(np.mean((y_tr - X_tr @ res.coef - res.intercept) ** 2))
        val.append(np.mean((y_val - X_val @ res.coef - res.intercept) ** 2))
    return np.array(train), np.array(val)
    ### END SOLUTION


# %% regbook={"exercise": "1.5", "points": 2} tags=["check"]
ALPHAS = np.logspace(-6, 2, 9)
train_mse, val_mse = validation_curve(ALPHAS, X_tr, y_tr, X_val, y_val)
fits = [ridge(X_tr, y_tr, alpha=a) for a in ALPHAS]
checks.check_close(train_mse, [np.mean((y_tr - X_tr @ f.coef - f.intercept) ** 2) for f in fits],
                   rtol=1e-6, name="Exercise 1.5 validation_curve training MSE")
checks.check_close(val_mse, [np.mean((y_val - X_val @ f.coef - f.intercept) ** 2) for f in fits],
                   rtol=1e-6, name="Exercise 1.5 validation_curve validation MSE")
checks.check_true(bool(np.all(np.diff(train_mse) >= -1e-12)), name="Exercise 1.5 validation_curve",
                  expected="a training MSE that never decreases with alpha")
checks.check_true(0 < int(np.argmin(val_mse)) < len(ALPHAS) - 1, name="Exercise 1.5 validation_curve",
                  expected="a validation minimum strictly inside the grid")
print(f"Exercise 1.5 passed; best alpha on the grid: {ALPHAS[np.argmin(val_mse)]:.0e}")

# %% [markdown]
# ## Exercise 1.6: what counts as regularization? (written)
#
# Which of these are regularization in the sense of chapter 1 (a change to the learning algorithm meant
# to lower the generalization error, not the training error), and why: collecting more training data,
# data augmentation, a smaller learning rate, early stopping, averaging the predictions of several
# models, standardizing the features?

# %% [markdown] regbook={"exercise": "1.6"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# *Regularization:* data augmentation (it changes the training set the algorithm sees, to encode an
# invariance, and usually raises the training error), early stopping (it stops before the training
# error is minimal), and averaging several models (an ensemble lowers the variance term of
# {eq}`eq-bias-variance` at no gain in training fit). *Not regularization:* more training data is a
# change of the problem, not of the algorithm (it lowers variance, but nothing is traded away);
# standardizing the features is preprocessing, which changes what a penalty means but on its own does
# not change an unpenalized least-squares fit. A smaller learning rate is an optimization setting; it
# acts as a regularizer only through its interaction with early stopping (fewer effective steps),
# so the answer is "only indirectly".
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 1.7: the training error grows with $\alpha$ (written)
#
# Prove that the training error $E(\alpha) = \lVert y - X\hat w_\alpha\rVert^2$ of ridge regression is
# non-decreasing in $\alpha$. Exercise 1.5 checked it numerically.

# %% [markdown] regbook={"exercise": "1.7"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# Let $\alpha_1 < \alpha_2$, write $w_k = \hat w_{\alpha_k}$, $E_k = \lVert y - Xw_k\rVert^2$ and
# $P_k = \lVert w_k\rVert^2$. Optimality of each minimizer for its own objective gives
# $E_1 + \alpha_1P_1 \le E_2 + \alpha_1P_2$ and $E_2 + \alpha_2P_2 \le E_1 + \alpha_2P_1$. Adding them,
# $(\alpha_2 - \alpha_1)(P_1 - P_2) \ge 0$, so $P_2 \le P_1$; the first inequality then gives
# $E_1 \le E_2 + \alpha_1(P_2 - P_1) \le E_2$.
# <!-- END SOLUTION -->
