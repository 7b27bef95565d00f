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
# (ch-overfitting)=
# # Overfitting, generalization and what regularization is
#
# A model that fits its training data perfectly can still predict new data badly. This chapter
# shows that on data, names the error we actually care about and splits it into bias and variance,
# defines regularization (正则化) in the broad sense the rest of the book uses, and takes a first look
# at the strength $\lambda$ of a penalty: turning it up moves a model from overfitting (过拟合) to
# underfitting (欠拟合).
#
# The first cell of every notebook seeds all random number generators and fixes threads and print
# options, so that re-running it reproduces the numbers on this page exactly.

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np
import torch
from myst_nb import glue
from sklearn.linear_model import Ridge

import regbook
from regbook import checks, data, plotting
from regbook.np.generalization import bias_variance
from regbook.np.linear import ridge

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: a perfect fit that predicts badly
#
# We draw $n = 20$ noisy samples of $f(x) = \sin(2\pi x)$ on $[0, 1]$ (noise standard deviation
# $\sigma = 0.3$) and fit polynomials of increasing degree $d$ by least squares. The inputs are mapped
# to $[-1, 1]$ and the polynomial features standardized with the training statistics, which keeps the
# least-squares problems well conditioned up to degree 15. A large validation set of 500 points from the
# same distribution measures how well each fit predicts data it has not seen.

# %%
N_TRAIN, N_VAL, NOISE = 20, 500, 0.3


def features(x, degree, scaler=None):
    """Polynomial features of z = 2x - 1, standardized with the training statistics."""
    Z = data.polynomial_features(2 * x - 1, degree)
    if scaler is None:
        scaler = data.Standardizer().fit(Z)
    return scaler.transform(Z), scaler


def mse(y, y_hat):
    return float(np.mean((y - y_hat) ** 2))


def fit_predict(x_tr, y_tr, x_eval, degree, alpha=0.0):
    """Fit a (ridge-penalized) polynomial of a given degree; predict at each array in x_eval."""
    if degree == 0:
        return [np.full(len(x), y_tr.mean()) for x in x_eval]
    X_tr, scaler = features(x_tr, degree)
    res = ridge(X_tr, y_tr, alpha=alpha)
    return [features(x, degree, scaler)[0] @ res.coef + res.intercept for x in x_eval]


x_tr, y_tr = data.make_sinusoid(N_TRAIN, noise=NOISE, rng=rng)
x_val, y_val = data.make_sinusoid(N_VAL, noise=NOISE, rng=rng)
x_grid = np.linspace(0, 1, 400)

fits = {f"degree {d}": fit_predict(x_tr, y_tr, [x_grid], d)[0] for d in (1, 3, 15)}
ax = plotting.plot_fit(x_tr, y_tr, x_grid=x_grid, predictions=fits, true_fn=data.sinusoid,
                       title="Least-squares polynomial fits to 20 noisy samples")
ax.set_ylim(-2.0, 2.0)
ax.set_xlabel("x")
ax.set_ylabel("y")
plt.show()

# %% [markdown]
# Degree 1 misses the shape; degree 3 follows the sine; degree 15 passes close to every training
# point and swings wildly between them. To see this is not one unlucky sample, we repeat the experiment
# on 20 independent training sets and record training and validation mean squared error (MSE) for
# every degree from 0 to 15.

# %%
DEGREES = np.arange(16)
N_SEEDS = 20
train_err = np.zeros((len(DEGREES), N_SEEDS))
val_err = np.zeros((len(DEGREES), N_SEEDS))
for s in range(N_SEEDS):
    r = np.random.default_rng(1000 + s)
    xs, ys = data.make_sinusoid(N_TRAIN, noise=NOISE, rng=r)
    for i, d in enumerate(DEGREES):
        pred_tr, pred_val = fit_predict(xs, ys, [xs, x_val], d)
        train_err[i, s] = mse(ys, pred_tr)
        val_err[i, s] = mse(y_val, pred_val)

ax = plotting.plot_validation_curve(DEGREES, train_err, val_err, xlabel="polynomial degree d",
                                    ylabel="mean squared error", logx=False,
                                    title="Training and validation error against degree (20 seeds)")
ax.set_yscale("log")
ax.axhline(NOISE**2, color="0.4", lw=1, ls=":", label=r"noise level $\sigma^2$")
ax.legend()
plt.show()

best_degree = int(DEGREES[np.argmin(val_err.mean(axis=1))])
print(f"best degree by mean validation MSE: {best_degree}")
print(f"mean validation MSE at degree 1, {best_degree}, 15: "
      f"{val_err[1].mean():.3f}, {val_err[best_degree].mean():.3f}, {val_err[15].mean():.3g}")

# %% [markdown]
# The training error falls with every added degree: a polynomial of degree $d+1$ can represent every
# polynomial of degree $d$, so least squares can only do as well or better on the data it sees. The
# validation error first falls and then rises by orders of magnitude. The next cell checks both
# statements on all 20 training sets rather than asserting them.

# %%
# training error is non-increasing in the degree (nested models), on every seed
assert np.all(np.diff(train_err, axis=0) <= 1e-10 * (1 + train_err[:-1]))
# validation error is U-shaped: the best degree beats both the straight line and degree 15
assert 1 < best_degree < 15
assert val_err[best_degree].mean() < 0.5 * val_err[1].mean()
assert val_err[15].mean() > 10 * val_err[best_degree].mean()

glue("ch1_best_degree", best_degree, display=False)
glue("ch1_val_best", round(float(val_err[best_degree].mean()), 4), display=False)
glue("ch1_val_15", round(float(np.median(val_err[15])), 4), display=False)
glue("ch1_train_15", round(float(np.median(train_err[15])), 4), display=False)

# %% [markdown]
# Across the 20 training sets the lowest mean validation error is at degree {glue:text}`ch1_best_degree`
# (MSE {glue:text}`ch1_val_best`, against a noise floor of $\sigma^2 = 0.09$). At degree 15 the median
# training MSE is {glue:text}`ch1_train_15` while the median validation MSE is
# {glue:text}`ch1_val_15`. That gap is **overfitting**: the model has fit the noise of its particular
# training set.
#
# ## Theory: the error we care about
#
# Let the data be drawn from a distribution with $y = f(x) + \varepsilon$, $\mathbb E[\varepsilon] = 0$,
# $\operatorname{Var}[\varepsilon] = \sigma^2$. A learning algorithm maps a training set $D$ of $n$
# samples to a predictor $\hat f_D$. What we want small is the **expected risk** (generalization error,
# 泛化误差) of $\hat f_D$; what we can compute is its **empirical risk** (training error) on $D$:
#
# $$
# R(\hat f_D) = \mathbb E_{(x, y)}\big[(y - \hat f_D(x))^2\big], \qquad
# \hat R_D(\hat f_D) = \frac1n \sum_{i=1}^n \big(y_i - \hat f_D(x_i)\big)^2 .
# $$ (eq-risk)
#
# The validation MSE above is an unbiased estimate of $R(\hat f_D)$, because the validation points
# are independent of $D$; the training MSE is not, because $\hat f_D$ was chosen to make it small.
# The difference $R(\hat f_D) - \hat R_D(\hat f_D)$ is the **generalization gap**.
#
# ### The bias-variance decomposition
#
# Averaging the expected risk at a fixed input $x$ over the random training set as well gives a
# decomposition into three terms {cite}`geman1992neural,hastie2009elements`:
#
# $$
# \mathbb E_{D,\varepsilon}\big[(y - \hat f_D(x))^2\big]
# = \underbrace{\big(f(x) - \mathbb E_D[\hat f_D(x)]\big)^2}_{\text{bias}^2}
# + \underbrace{\mathbb E_D\big[(\hat f_D(x) - \mathbb E_D[\hat f_D(x)])^2\big]}_{\text{variance}}
# + \underbrace{\sigma^2}_{\text{noise}} .
# $$ (eq-bias-variance)
#
# *Derivation.* Write $\bar f(x) = \mathbb E_D[\hat f_D(x)]$ and expand
# $y - \hat f_D = \varepsilon + (f - \bar f) + (\bar f - \hat f_D)$. Squaring and taking expectations,
# the three cross terms vanish: $\varepsilon$ has mean zero and is independent of $D$, and
# $\mathbb E_D[\bar f - \hat f_D] = 0$ by the definition of $\bar f$. What remains is
# $\sigma^2 + (f - \bar f)^2 + \mathbb E_D[(\bar f - \hat f_D)^2]$.
#
# Bias is the error of the *average* model; variance is how much the model changes with the training
# set; the noise is a floor no model can go below. Flexible models have low bias and high variance.
#
# ### Checking the decomposition by Monte Carlo
#
# The identity {eq}`eq-bias-variance` is a statement about expectations, so we check it by simulation:
# fit each model on $R = 2000$ independent training sets, predict at 50 test inputs, and compare
#
# - the **direct** estimate of the left-hand side: the squared error against a *fresh* noisy label
#   $y = f(x) + \varepsilon$ drawn for every training set and test input, averaged; with
# - the **formula**: bias² and variance computed from the 2000 predictions by
#   `regbook.np.generalization.bias_variance`, plus $\sigma^2$.
#
# One subtlety: the average prediction $\bar f$ is itself estimated from $R$ fits, so the plug-in
# bias² $(\bar f - f)^2$ overestimates the true bias² by variance$/R$. `bias_variance` corrects both
# terms for this (see its source below); the correction moves variance$/(R-1)$ from one term to the
# other and leaves their sum unchanged. A corrected bias² can therefore come out as a tiny negative
# number when the true bias is below the Monte Carlo resolution.
#
# The two agree only up to Monte Carlo error, so the check is that they differ by less than four
# standard errors of the direct estimate.

# %%
regbook.show_source(bias_variance)

# %%
R_MC = 2000
x_test = np.linspace(0.05, 0.95, 50)
f_test = data.sinusoid(x_test)
mc_rng = np.random.default_rng(7)
train_sets = [data.make_sinusoid(N_TRAIN, noise=NOISE, rng=mc_rng) for _ in range(R_MC)]
fresh_noise = NOISE * mc_rng.standard_normal((R_MC, x_test.size))


def monte_carlo(degree, alpha=0.0):
    preds = np.array([fit_predict(xs, ys, [x_test], degree, alpha)[0] for xs, ys in train_sets])
    sq_err = (f_test + fresh_noise - preds) ** 2          # (R, n_test) squared errors on fresh labels
    per_set = sq_err.mean(axis=1)                         # one risk estimate per training set
    direct, se = per_set.mean(), per_set.std(ddof=1) / np.sqrt(R_MC)
    return bias_variance(preds, f_test, noise_var=NOISE**2), direct, se


print(f"{'degree':>6} {'bias^2':>8} {'variance':>9} {'noise':>6} {'formula':>8} {'direct':>8} {'|diff|/SE':>9}")
for d in (1, 3, 5, 9):
    bv, direct, se = monte_carlo(d)
    z = abs(bv.expected_error - direct) / se
    print(f"{d:>6} {bv.bias2:8.4f} {bv.variance:9.4f} {bv.noise:6.3f} {bv.expected_error:8.4f} "
          f"{direct:8.4f} {z:9.2f}")
    assert z < 4, f"degree {d}: formula and direct estimate differ by {z:.1f} standard errors"

# %% [markdown]
# For every degree the formula and the direct estimate agree within Monte Carlo error, and the table
# shows the trade-off: bias² falls and variance rises as the degree grows (degree 5 already has a bias
# below what 2000 training sets can resolve; degree 9, with 10 parameters for 20 points, has an
# enormous variance).
#
# ## Regularization: the objective and the definition
#
# Restricting the degree is one way to control variance. A smoother knob keeps the flexible model and
# adds a **penalty** $R(\theta)$ on the parameters to the training loss, with a strength $\lambda \ge 0$:
#
# $$
# J(\theta) = L(\theta) + \lambda R(\theta), \qquad L(\theta) = \frac1n\sum_{i=1}^n \ell(\theta; x_i, y_i).
# $$ (eq-regularized-objective)
#
# With $R(\theta) = \tfrac12\lVert w\rVert_2^2$ this is ridge regression or weight decay (L2,
# {cite}`hoerl1970ridge,tikhonov1963solution`), with $R(\theta) = \lVert w\rVert_1$ the lasso (L1,
# {cite}`tibshirani1996regression`); both have chapters of their own.
#
# But a penalty term is not what makes a technique a regularizer. The definition this book uses is
# the broader one of {cite}`goodfellow2016deep` (chapter 7): **regularization is any modification of a
# learning algorithm that is intended to reduce its generalization error but not its training error**.
# Dropout, early stopping, data augmentation, noise injection and ensembles add no term to the loss and
# are regularizers all the same; batch normalization is a normalization method whose regularizing
# effect is a side effect. The source articles define regularization as "adding a penalty term" and
# then try to write dropout as one (one of them gives dropout the L2 formula); the
# {ref}`pitfalls section <ch1-pitfalls>` shows a regularizer with no penalty at all.
#
# ### Ridge regression in closed form
#
# For a linear model with squared loss, scikit-learn's ridge objective
# $\lVert y - Xw\rVert_2^2 + \alpha\lVert w\rVert_2^2$ (intercept handled by centring, never
# penalized) has gradient $-2X^\top(y - Xw) + 2\alpha w$. Setting it to zero gives the normal equations
# and the solution
#
# $$
# (X^\top X + \alpha I)\,\hat w = X^\top y
# \quad\Longrightarrow\quad
# \hat w = (X^\top X + \alpha I)^{-1} X^\top y = X^\top (X X^\top + \alpha I)^{-1} y .
# $$ (eq-ridge-closed-form)
#
# The matrix $X^\top X + \alpha I$ is positive definite for every $\alpha > 0$, so the solution is
# unique even when $p > n$. The second form (the "dual" form, from
# $(X^\top X + \alpha I)X^\top = X^\top(XX^\top + \alpha I)$) needs an $n\times n$ solve instead of a
# $p \times p$ one, the cheaper choice when $p > n$. In the book's mean-loss convention
# {eq}`eq-regularized-objective` with $\ell = (h - y)^2$ and $R = \frac12\lVert w\rVert^2$, the same
# minimizer has $\lambda = 2\alpha/n$ (the {doc}`notation` page lists every convention).
#
# Three checks of {eq}`eq-ridge-closed-form`: at $\hat w$ the numerical gradient of the objective
# vanishes; the primal and dual forms agree on a problem with $p > n$; and the result equals
# scikit-learn's `Ridge`.

# %%
X15, _ = features(x_tr, 15)
Xc, yc = X15 - X15.mean(0), y_tr - y_tr.mean()   # centred, so the intercept drops out
alpha = 0.1
w_hat = ridge(X15, y_tr, alpha=alpha).coef


def ridge_objective(w):
    return np.sum((yc - Xc @ w) ** 2) + alpha * np.sum(w ** 2)


g_hat = checks.numerical_gradient(ridge_objective, w_hat)
g_zero = checks.numerical_gradient(ridge_objective, np.zeros_like(w_hat))
print(f"|grad J(w_hat)| / |grad J(0)| {checks.error_bound(np.linalg.norm(g_hat) / np.linalg.norm(g_zero))}")
assert np.linalg.norm(g_hat) < 1e-6 * np.linalg.norm(g_zero)

# primal and dual forms on a wide problem (n = 20 < p = 60)
Xw = np.random.default_rng(3).standard_normal((20, 60))
primal = np.linalg.solve(Xw.T @ Xw + alpha * np.eye(60), Xw.T @ y_tr)
dual = Xw.T @ np.linalg.solve(Xw @ Xw.T + alpha * np.eye(20), y_tr)
print(f"rel. error primal vs dual {checks.error_bound(checks.rel_error(primal, dual))}")
checks.assert_close(dual, primal, rtol=1e-8, name="dual-form ridge")
res_wide = ridge(Xw, y_tr, alpha=alpha, fit_intercept=False)
err_wide = checks.assert_close(res_wide.coef, primal, rtol=1e-8, name="regbook ridge (p > n)")
print(f"regbook used the {res_wide.solver!r} solver; rel. error vs primal {checks.error_bound(err_wide)}")

# %% [markdown]
# ## From scratch in NumPy
#
# `regbook.np.linear.ridge` is the code every chapter uses. It centres the data so that the intercept
# is not penalized, then solves {eq}`eq-ridge-closed-form` with a Cholesky factorization in whichever
# of the two forms is smaller. With $\alpha = 0$ it returns the minimum-norm least-squares solution
# computed from an SVD, never by inverting $X^\top X$, which is how the unpenalized fits above were
# made.

# %%
regbook.show_source(ridge)

# %% [markdown]
# ## PyTorch and scikit-learn
#
# The PyTorch twin `regbook.pt.linear.ridge` runs the same algorithm on tensors (on any device). We
# compare it with the NumPy version, with scikit-learn's `Ridge`, and with the idiomatic PyTorch way
# of fitting a penalized model: minimize the mean loss plus $\frac{\lambda}{2}\lVert w\rVert^2$ with an
# optimizer (here L-BFGS), where $\lambda = 2\alpha/n$ converts scikit-learn's $\alpha$ into the mean-loss
# convention. The bias is left out of the penalty, as it should be.

# %%
from regbook.pt.linear import ridge as ridge_pt  # noqa: E402

X_t = torch.tensor(X15, dtype=torch.float64)
y_t = torch.tensor(y_tr, dtype=torch.float64)
res_np = ridge(X15, y_tr, alpha=alpha)
res_pt = ridge_pt(X_t, y_t, alpha=alpha)
sk = Ridge(alpha=alpha, solver="cholesky").fit(X15, y_tr)

# idiomatic torch: a linear layer, mean squared error plus an explicit L2 penalty on the weight only
lam = 2 * alpha / N_TRAIN
model = torch.nn.Linear(15, 1, dtype=torch.float64)
opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=500, tolerance_grad=1e-14,
                        tolerance_change=1e-16, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = torch.mean((model(X_t).squeeze(1) - y_t) ** 2) + lam / 2 * model.weight.pow(2).sum()
    loss.backward()
    return loss


for _ in range(5):
    opt.step(closure)

rows = {
    "regbook.pt vs regbook.np": checks.rel_error(res_pt.coef.numpy(), res_np.coef),
    "sklearn Ridge vs regbook.np": checks.rel_error(sk.coef_, res_np.coef),
    "torch L-BFGS vs regbook.np": checks.rel_error(model.weight.detach().numpy().ravel(), res_np.coef),
}
for k, v in rows.items():
    print(f"{k:<28} max rel. error of coefficients {checks.error_bound(v)}")
assert rows["regbook.pt vs regbook.np"] < 1e-10
assert rows["sklearn Ridge vs regbook.np"] < 1e-8
assert rows["torch L-BFGS vs regbook.np"] < 1e-5

# %% [markdown]
# The closed forms agree to rounding error, and the iterative PyTorch fit agrees to the accuracy of
# its optimizer: with the conversion $\lambda = 2\alpha/n$, the three are the same model.
#
# ## Experiment: sweeping λ from overfitting to underfitting
#
# Now we keep the degree-15 polynomial, the model that overfit so badly, and add an L2 penalty. We
# sweep $\alpha$ over twelve decades and record training and validation error on the same 20 training
# sets as before.

# %%
ALPHAS = np.logspace(-9, 3, 25)
tr_a = np.zeros((ALPHAS.size, N_SEEDS))
va_a = np.zeros((ALPHAS.size, N_SEEDS))
for s in range(N_SEEDS):
    r = np.random.default_rng(1000 + s)          # the same training sets as the degree sweep
    xs, ys = data.make_sinusoid(N_TRAIN, noise=NOISE, rng=r)
    for i, a in enumerate(ALPHAS):
        pred_tr, pred_val = fit_predict(xs, ys, [xs, x_val], 15, alpha=a)
        tr_a[i, s] = mse(ys, pred_tr)
        va_a[i, s] = mse(y_val, pred_val)

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
plotting.plot_validation_curve(ALPHAS, tr_a, va_a, ax=ax0, xlabel=r"ridge strength $\alpha$",
                               ylabel="mean squared error",
                               title="Degree-15 polynomial: error against the penalty (20 seeds)")
ax0.set_yscale("log")
i_best = int(np.argmin(va_a.mean(axis=1)))
for a, label in ((1e-9, r"$\alpha = 10^{-9}$"), (ALPHAS[i_best], "best α"), (1e3, r"$\alpha = 10^{3}$")):
    ax1.plot(x_grid, fit_predict(x_tr, y_tr, [x_grid], 15, alpha=a)[0], label=label)
ax1.plot(x_grid, data.sinusoid(x_grid), "k--", lw=1, label="true f")
ax1.scatter(x_tr, y_tr, s=18, color="k", zorder=3)
ax1.set(ylim=(-2, 2), xlabel="x", ylabel="y", title="Fits on the first training set")
ax1.legend()
plt.show()

alpha_best = float(ALPHAS[i_best])
print(f"best alpha (mean validation MSE): {alpha_best:.2g}")
print(f"mean validation MSE at alpha = 1e-9, best, 1e3: "
      f"{va_a[0].mean():.3g}, {va_a[i_best].mean():.4f}, {va_a[-1].mean():.4f}")

# %% [markdown]
# Tiny $\alpha$ reproduces the overfit least-squares polynomial; huge $\alpha$ shrinks every coefficient
# towards zero and leaves a nearly constant prediction (underfitting); in between, the penalized
# degree-15 polynomial removes almost all of the overfitting, though one value of $\alpha$ for all 20
# training sets does not quite match the best hand-picked degree. The next cell asserts each of these
# statements.

# %%
# training error is non-decreasing in alpha on every training set (shrinkage can only hurt the fit)
assert np.all(np.diff(tr_a, axis=0) >= -1e-10)
# U-shaped validation curve: the best alpha beats both ends clearly
assert 0 < i_best < ALPHAS.size - 1
assert va_a[i_best].mean() < 0.1 * va_a[0].mean() and va_a[i_best].mean() < 0.5 * va_a[-1].mean()
# the penalized degree-15 model comes within a factor of 2 of the best unpenalized degree
assert val_err[best_degree].mean() < va_a[i_best].mean() < 2 * val_err[best_degree].mean()
# with the largest alpha the fit is nearly constant: training MSE close to the variance of y
var_y = np.array([np.var(data.make_sinusoid(N_TRAIN, noise=NOISE, rng=np.random.default_rng(1000 + s))[1])
                  for s in range(N_SEEDS)])
assert np.all(tr_a[-1] > 0.9 * var_y)

glue("ch1_alpha_best", float(f"{alpha_best:.2g}"), display=False)
glue("ch1_val_best_degree", round(float(val_err[best_degree].mean()), 4), display=False)
glue("ch1_va_best_alpha", round(float(va_a[i_best].mean()), 4), display=False)
glue("ch1_va_small_alpha", round(float(va_a[0].mean()), 4), display=False)
glue("ch1_va_large_alpha", round(float(va_a[-1].mean()), 4), display=False)

# %% [markdown]
# With $\alpha \approx$ {glue:text}`ch1_alpha_best` the mean validation MSE is
# {glue:text}`ch1_va_best_alpha`, against {glue:text}`ch1_va_small_alpha` with almost no penalty and
# {glue:text}`ch1_va_large_alpha` with a penalty so strong the model is nearly a constant. The best
# polynomial degree reached {glue:text}`ch1_val_best_degree`: a uniform L2 penalty on standardized
# monomials is a good but not a perfect prior for a sine, and choosing the penalty is a problem of its
# own (the chapter on choosing λ).
#
# ### What λ does to bias and variance
#
# The Monte Carlo experiment from before, repeated for the degree-15 model across $\alpha$, shows the
# mechanism: the penalty trades a little bias for a large reduction in variance.

# %%
ALPHAS_BV = np.logspace(-4, 2, 7)
bv_rows = [monte_carlo(15, a)[0] for a in ALPHAS_BV]
b2 = np.array([b.bias2 for b in bv_rows])
va = np.array([b.variance for b in bv_rows])

fig, ax = plt.subplots()
ax.plot(ALPHAS_BV, b2, "o-", label="bias²")
ax.plot(ALPHAS_BV, va, "s-", label="variance")
ax.plot(ALPHAS_BV, b2 + va + NOISE**2, "k-", label="expected error (bias² + variance + σ²)")
ax.set(xscale="log", yscale="log", xlabel=r"ridge strength $\alpha$", ylabel="squared error",
       title="Bias-variance trade-off of a degree-15 ridge fit (2000 training sets)")
ax.legend()
plt.show()

# variance falls at every step of alpha; past its smallest value, bias^2 rises at every step
assert np.all(np.diff(va) < 0) and va[-1] < 1e-3 * va[0]
i_min = int(np.argmin(b2))
assert np.all(np.diff(b2[i_min:]) > 0) and b2[-1] > 50 * b2[i_min]

# %% [markdown]
# ### Effective degrees of freedom
#
# How flexible is a ridge fit? For a linear smoother $\hat y = H_\alpha y$ the **effective degrees of
# freedom** are $\operatorname{tr} H_\alpha$ {cite}`hastie2009elements`. With the SVD
# $X_c = U D V^\top$ of the centred design (singular values $d_j$),
#
# $$
# \operatorname{df}(\alpha) = \operatorname{tr}\big[X_c (X_c^\top X_c + \alpha I)^{-1} X_c^\top\big]
# = \sum_{j=1}^{p} \frac{d_j^2}{d_j^2 + \alpha},
# $$ (eq-ridge-df)
#
# which falls from $p$ (at $\alpha = 0$) to $0$ (as $\alpha\to\infty$); the unpenalized intercept adds one
# more. The cell checks {eq}`eq-ridge-df` against the trace of the hat matrix, built column by column
# from `regbook.np.linear.ridge` itself, so it also checks that the code is the linear smoother the
# formula describes.

# %%
d_sv = np.linalg.svd(Xc, compute_uv=False)
for a in (1e-6, 1e-2, alpha_best, 10.0):
    df_formula = np.sum(d_sv**2 / (d_sv**2 + a))
    # column j of H is the fitted vector when y is the j-th unit vector
    H = np.column_stack([Xc @ ridge(Xc, e, alpha=a, fit_intercept=False).coef for e in np.eye(N_TRAIN)])
    print(f"alpha = {a:8.2g}:  df by formula = {df_formula:7.4f},  trace of hat matrix = {np.trace(H):7.4f}")
    assert abs(df_formula - np.trace(H)) < 1e-8 * (1 + df_formula)

df_best = float(np.sum(d_sv**2 / (d_sv**2 + alpha_best)))
assert abs(df_best - best_degree) <= 2
glue("ch1_df_best", round(df_best, 1), display=False)

# %% [markdown]
# At the validation-optimal $\alpha$ the degree-15 model on the first training set spends
# {glue:text}`ch1_df_best` effective parameters besides the intercept, close to the
# {glue:text}`ch1_best_degree` of the best hand-picked degree: the penalty sets the complexity
# continuously instead of in integer steps.
#
# (ch1-pitfalls)=
# ## Pitfalls and corrections
#
# **"Regularization means adding a penalty term."** All five source articles define it this way. Under
# that definition dropout and early stopping are not regularizers, which is why one source writes the
# L2 formula and calls it the dropout loss. The definition the field uses is about the goal (lower
# generalization error), not the mechanism. The cell below regularizes the degree-15 polynomial with no
# penalty at all: it runs plain gradient descent on the training MSE from $w = 0$ and stops early.

# %%
X_gd, scaler_gd = features(x_tr, 15)
X_gd_val = features(x_val, 15, scaler_gd)[0]
w, b = np.zeros(15), y_tr.mean()
eta = 1.0 / np.linalg.eigvalsh(2 * X_gd.T @ X_gd / N_TRAIN).max()   # a safe step size 1/L
checkpoints = set(np.unique(np.round(np.logspace(0, 5.3, 80)).astype(int)))
steps, gd_tr, gd_va = [], [], []
for t in range(1, max(checkpoints) + 1):
    resid = X_gd @ w + b - y_tr
    w -= eta * 2 * X_gd.T @ resid / N_TRAIN
    b -= eta * 2 * resid.mean()
    if t in checkpoints:
        steps.append(t)
        gd_tr.append(mse(y_tr, X_gd @ w + b))
        gd_va.append(mse(y_val, X_gd_val @ w + b))
steps, gd_tr, gd_va = map(np.array, (steps, gd_tr, gd_va))
t_best = int(steps[np.argmin(gd_va)])
ols_val = mse(y_val, fit_predict(x_tr, y_tr, [x_val], 15)[0])

fig, ax = plt.subplots()
ax.plot(steps, gd_tr, label="train")
ax.plot(steps, gd_va, label="validation")
ax.axhline(ols_val, color="0.4", ls=":", label="validation MSE of the exact least-squares fit")
ax.axvline(t_best, color="0.4", ls="--", lw=1)
ax.set(xscale="log", yscale="log", xlabel="gradient-descent step", ylabel="mean squared error",
       title="Early stopping: no penalty term, still regularization")
ax.legend()
plt.show()
print(f"lowest validation MSE {gd_va.min():.4f} at step {t_best}; after {steps[-1]} steps: "
      f"{gd_va[-1]:.4f}; exact least squares: {ols_val:.3g}")
assert gd_va.min() < 0.5 * gd_va[-1] and gd_va.min() < 0.1 * ols_val
assert gd_tr[-1] < gd_tr[np.argmin(gd_va)]   # training error kept falling after the best stop

# %% [markdown]
# Training error keeps falling while validation error reaches its minimum and then climbs towards that
# of the exact least-squares fit: the number of steps acts like $1/\lambda$ (the early-stopping
# chapter makes this exact for linear least squares).
#
# **"On simple, low-dimensional tasks regularization may even cause overfitting"** (source 004, FAQ Q1).
# Too much regularization causes the opposite, underfitting: as $\alpha$ grows, training error rises
# towards the variance of $y$ and the gap between training and validation error closes. The sweep above
# asserted that training error never decreases with $\alpha$ and that the strongest penalty leaves a
# nearly constant model; here is the gap itself.

# %%
gap = va_a.mean(axis=1) - tr_a.mean(axis=1)
print(f"validation minus training MSE: {gap[0]:.3g} at alpha = 1e-9, {gap[-1]:.4f} at alpha = 1e3")
assert gap[-1] < 0.1 and gap[-1] < 1e-3 * gap[0]

# %% [markdown]
# **Penalizing the intercept.** Source 004's worked example adds $\lambda(|\theta_0| + |\theta_1| +
# |\theta_2|)$, penalizing the intercept $\theta_0$. Then the fitted model depends on where the origin of
# $y$ happens to be: shifting every label by a constant should shift every prediction by the same
# constant, and with a penalized intercept it does not. regbook (like scikit-learn) never penalizes the
# intercept.

# %%
shift = 10.0
X3, _ = features(x_tr, 3)
base = ridge(X3, y_tr, alpha=1.0)
moved = ridge(X3, y_tr + shift, alpha=1.0)
print(f"unpenalized intercept: coefficients change by {checks.error_bound(np.abs(moved.coef - base.coef).max())}, "
      f"intercept by {moved.intercept - base.intercept:.4f}")
assert np.allclose(moved.coef, base.coef, atol=1e-12) and abs(moved.intercept - base.intercept - shift) < 1e-12

# penalizing the intercept: append a column of ones and put everything under the penalty
X3_1 = np.column_stack([X3, np.ones(N_TRAIN)])
pen = ridge(X3_1, y_tr, alpha=1.0, fit_intercept=False).coef
pen_moved = ridge(X3_1, y_tr + shift, alpha=1.0, fit_intercept=False).coef
pred_change = X3_1 @ pen_moved - X3_1 @ pen
print(f"penalized intercept: predictions move by {pred_change.min():.3f} to {pred_change.max():.3f} "
      f"instead of {shift}")
assert np.abs(pred_change - shift).max() > 0.1

# %% [markdown]
# **Scaling conventions.** The sources write the L2 penalty as $\lambda\sum w^2$,
# $\frac{\lambda}{2}\sum w^2$, $\frac{\lambda}{2n}\sum w^2$ and (source 000) $\frac{\lambda}{2p}$ with $p$
# the number of parameters, and never say that the same value of λ then means different models. The
# {doc}`notation` page converts each convention to the one used here and checks each conversion.
#
# ## Summary
#
# - Training error measures fit, not prediction; the expected risk {eq}`eq-risk` is what matters, and a
#   held-out set estimates it.
# - Expected squared error splits into bias², variance and noise {eq}`eq-bias-variance`; flexible models
#   have high variance, and the Monte Carlo check confirms the identity.
# - Regularization is any change meant to lower generalization error rather than training error; a
#   penalty $\lambda R(\theta)$ {eq}`eq-regularized-objective` is one kind, early stopping another.
# - Sweeping the penalty strength moves a model from overfitting to underfitting; the training error
#   never decreases with $\alpha$, and the validation error has a minimum in between.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 1 <exercises/solutions/a01_overfitting>` has coding exercises on this chapter with checks you can run,
# and covers exercises 1, 2, 4 and 5 below; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Derivation.** Derive {eq}`eq-ridge-closed-form` from the gradient of the ridge objective, and
#    prove the push-through identity $(X^\top X + \alpha I)^{-1}X^\top = X^\top(XX^\top + \alpha I)^{-1}$.
#    Check your gradient with `regbook.checks.numerical_gradient` at a random $w$.
# 2. **Monotone training error.** Prove that the training error of ridge regression is non-decreasing
#    in $\alpha$. (Hint: compare the objectives at $\alpha_1 < \alpha_2$ evaluated at both minimizers.)
# 3. **Bias and variance of k-nearest neighbours.** Implement k-NN regression in NumPy and use
#    `bias_variance` to plot bias², variance and their sum against $k$ on the sinusoid data. Which way
#    does $k$ act: like the degree or like $1/\alpha$?
# 4. **Degrees of freedom.** Using {eq}`eq-ridge-df`, find the $\alpha$ at which the degree-15 ridge fit
#    has as many effective degrees of freedom as the best unpenalized degree, and compare their
#    validation errors.
# 5. **What counts as regularization?** Which of these are regularization in the sense of this chapter,
#    and why: collecting more training data, data augmentation, choosing a smaller learning rate, early
#    stopping, averaging the predictions of several models, standardizing the features?
#
# ## References
#
# The bias-variance decomposition is due in this form to {cite}`geman1992neural`; ridge regression to
# {cite}`hoerl1970ridge` and, as a method for ill-posed problems, {cite}`tikhonov1963solution`. The
# broad definition of regularization and the chapter's framing follow {cite}`goodfellow2016deep`;
# degrees of freedom and the bias-variance view of ridge follow {cite}`hastie2009elements`.
# Full entries are in the {doc}`bibliography`.
