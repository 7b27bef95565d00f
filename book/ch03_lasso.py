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
# (ch-lasso)=
# # L1 regularization: the lasso, sparsity and proximal methods
#
# L1 regularization (L1正则化) adds $\alpha\lVert w\rVert_1 = \alpha\sum_j |w_j|$ to a training loss. For
# linear least squares this is the **lasso** (the sources call it "Lasso Regression") of
# {cite}`tibshirani1996regression`. Unlike the L2 penalty of ridge regression it sets some coefficients
# *exactly* to zero, so it fits a model and selects features (特征选择) at the same time: the solution is
# **sparse** (稀疏). This chapter shows why, on data and with formulas, and makes precise a point all five
# source articles skip: the zeros belong to the exact minimizer, and only algorithms that respect the
# kink of $|w|$ at zero (coordinate descent, proximal gradient methods) produce them. Plain (sub)gradient
# training with Adam does not.
#
# The first cell seeds every random number generator and fixes threads and print options.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from myst_nb import glue
from scipy import optimize
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import Lasso, LogisticRegression, lars_path
from sklearn.model_selection import cross_val_score

import regbook
from regbook import checks, data
from regbook.np.coordinate_descent import alpha_max, lasso, lasso_path
from regbook.np.estimators import Lasso as LassoEstimator
from regbook.np.linear import ridge
from regbook.np.logistic import logistic_regression
from regbook.np.penalties import enet_kkt_violation
from regbook.np.prox import prox_l2, soft_threshold
from regbook.np.proximal_gradient import fista, ista

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: many features, few of them matter
#
# A common situation in practice: $p = 100$ candidate features, only $n = 50$ samples, and only 5
# features that actually influence the response. We draw such data, $y = Xw^\star + \varepsilon$ with
# standard normal features and noise ($\sigma = 1$), and compare three fits: least squares (with
# $p > n$ there are infinitely many exact fits; we take the one of minimum norm), ridge regression, and
# the lasso. The penalty strengths are chosen on a separate validation set of 200 samples, and the fits
# are scored on 2000 fresh test samples.

# %%
N, P, K, SIGMA = 50, 100, 5, 1.0
support = np.sort(rng.choice(P, size=K, replace=False))
w_star = np.zeros(P)
w_star[support] = [3.0, -2.0, 1.5, -1.5, 1.0]


def draw(n, r):
    X = r.standard_normal((n, P))
    return X, X @ w_star + SIGMA * r.standard_normal(n)


X, y = draw(N, rng)
X_val, y_val = draw(200, rng)
X_test, y_test = draw(2000, rng)


def test_mse(coef, intercept, Xe=X_test, ye=y_test):
    return float(np.mean((ye - Xe @ coef - intercept) ** 2))


ols = ridge(X, y, alpha=0.0)                      # minimum-norm least squares (SVD)
ridge_alphas = np.logspace(-2, 3, 26)
ridge_fits = [ridge(X, y, alpha=a) for a in ridge_alphas]
ridge_best = min(ridge_fits, key=lambda f: test_mse(f.coef, f.intercept, X_val, y_val))
path = lasso_path(X, y, n_alphas=60, tol=1e-8)
val_path = [test_mse(path.coefs[:, k], path.intercepts[k], X_val, y_val) for k in range(path.alphas.size)]
k_best = int(np.argmin(val_path))
alpha_lasso = float(path.alphas[k_best])
w_lasso, b_lasso = path.coefs[:, k_best], float(path.intercepts[k_best])

mse = {"least squares": test_mse(ols.coef, ols.intercept),
       "ridge": test_mse(ridge_best.coef, ridge_best.intercept),
       "lasso": test_mse(w_lasso, b_lasso)}
nnz = {"least squares": int(np.sum(ols.coef != 0)), "ridge": int(np.sum(ridge_best.coef != 0)),
       "lasso": int(np.sum(w_lasso != 0))}
for name in mse:
    print(f"{name:<14} test MSE {mse[name]:7.3f}   non-zero coefficients {nnz[name]:3d} of {P}")

fig, ax = plt.subplots(figsize=(10, 3.6))
ax.axhline(0, color="0.6", lw=0.8)
ax.plot(ridge_best.coef, "x", ms=5, label="ridge")
ax.plot(w_lasso, "o", ms=4, label="lasso")
ax.plot(support, w_star[support], "D", mfc="none", mec="k", ms=9, mew=1.5, label="true $w^\\star$ (non-zero)")
ax.set(xlabel="feature index j", ylabel="coefficient $w_j$",
       title=f"Ridge and lasso coefficients (n = {N}, p = {P}, 5 true features)")
ax.legend(ncol=3)
plt.show()

# %% [markdown]
# Least squares interpolates the 50 training points and predicts badly. Ridge barely improves on it: it
# shrinks all 100 coefficients together and cannot tell the five real features from the 95 others. The
# lasso keeps about a fifth of the features, among them the true five, and its test error is several times
# smaller. The next cell checks these statements.

# %%
assert mse["lasso"] < 0.25 * mse["ridge"] and mse["ridge"] < mse["least squares"]
assert nnz["ridge"] == P and nnz["least squares"] == P
assert set(support) <= set(np.flatnonzero(w_lasso)) and nnz["lasso"] <= 25
off_support = np.delete(w_lasso, support)
assert np.abs(off_support).max() < np.abs(w_lasso[support]).min()   # the extra ones are smaller
glue("ch3_off_max", round(float(np.abs(off_support).max()), 2), display=False)
glue("ch3_on_min", round(float(np.abs(w_lasso[support]).min()), 2), display=False)
glue("ch3_mse_ols", round(mse["least squares"], 4), display=False)
glue("ch3_mse_ridge", round(mse["ridge"], 4), display=False)
glue("ch3_mse_lasso", round(mse["lasso"], 4), display=False)
glue("ch3_nnz_lasso", nnz["lasso"], display=False)
glue("ch3_alpha_lasso", round(alpha_lasso, 4), display=False)

# %% [markdown]
# The test MSE falls from {glue:text}`ch3_mse_ols` (least squares) to {glue:text}`ch3_mse_ridge`
# (ridge) to {glue:text}`ch3_mse_lasso` (lasso, $\alpha =$ {glue:text}`ch3_alpha_lasso`), against a
# noise floor of $\sigma^2 = 1$. The lasso uses {glue:text}`ch3_nnz_lasso` of the 100 features, and every
# one of the true five is among them; ridge uses all 100. (The lasso's extra features carry smaller
# coefficients, at most {glue:text}`ch3_off_max` in absolute value against at least {glue:text}`ch3_on_min`
# for the true five: a penalty strength chosen for prediction tends to admit some noise features, a point
# the chapter on choosing $\lambda$ returns to.) The rest of the chapter explains where the
# zeros come from and how to compute them.
#
# ## Theory: the lasso and its optimality conditions
#
# ### The objective, penalized and constrained
#
# regbook and scikit-learn write the lasso with a mean squared loss and an unpenalized intercept
# $w_0$:
#
# $$
# \min_{w_0\in\mathbb R,\ w\in\mathbb R^p}\ F(w_0, w) = \frac{1}{2n}\lVert y - w_0\mathbf 1 - Xw\rVert_2^2
# + \alpha\lVert w\rVert_1, \qquad \lVert w\rVert_1 = \sum_{j=1}^p |w_j| .
# $$ (eq-lasso-objective)
#
# Setting the derivative in $w_0$ to zero gives $w_0 = \bar y - \bar x^\top w$; substituting it back
# replaces $X$ and $y$ by their centred versions $X_c$, $y_c$, which we use from now on (the intercept is
# never penalized: penalizing it would make the fit depend on where the origin of $y$ is, see the
# {ref}`pitfalls <ch3-pitfalls>`). Source 000 writes the same objective with $\frac{1}{2m}$ and $\lambda$,
# so its $\lambda$ is scikit-learn's $\alpha$. Source 004's general formula
# $\frac1N\sum_i\ell_i + \lambda\lVert\theta\rVert_1$ is twice {eq}`eq-lasso-objective` with
# $\alpha = \lambda/2$ if $\ell_i$ is the squared error $(y_i - \hat y_i)^2$, while its worked example uses
# $\frac1{2N}\sum_i(y_i - \hat y_i)^2$, for which $\alpha = \lambda$: one symbol, two strengths, in one
# article.
#
# Tibshirani's original formulation is the constrained one {cite}`tibshirani1996regression`:
#
# $$
# \min_{w}\ \frac{1}{2n}\lVert y_c - X_c w\rVert_2^2 \quad\text{subject to}\quad \lVert w\rVert_1 \le t .
# $$ (eq-lasso-constrained)
#
# The two are equivalent: for every $\alpha > 0$ the solution $\hat w_\alpha$ of {eq}`eq-lasso-objective`
# solves {eq}`eq-lasso-constrained` with $t = \lVert \hat w_\alpha\rVert_1$, and conversely every $t$
# below the L1 norm of the least-squares solution has a Lagrange multiplier $\alpha$ that makes the
# solutions coincide. The {ref}`geometry section <ch3-geometry>` checks this numerically.
#
# ### Subgradients and the KKT conditions
#
# $|w_j|$ has no derivative at $w_j = 0$, so "set the gradient to zero" needs the **subdifferential**
# (次梯度, subgradient), the set of slopes of all lines that touch the function from below:
#
# $$
# \partial |w_j| = \begin{cases} \{\operatorname{sign}(w_j)\} & w_j \ne 0, \\ [-1, 1] & w_j = 0 . \end{cases}
# $$ (eq-lasso-subdiff)
#
# A convex function is minimized exactly where $0$ belongs to its subdifferential. Our objective is the
# smooth $f(w) = \frac1{2n}\lVert y_c - X_cw\rVert^2$, with gradient $-X_c^\top r/n$ for the residual
# $r = y_c - X_c w$, plus $\alpha\lVert w\rVert_1$, so the condition $0 \in \nabla f(w) + \alpha\,\partial
# \lVert w\rVert_1$ reads, coordinate by coordinate, in terms of the correlation $c_j = x_{c,j}^\top r / n$
# of feature $j$ with the residual:
#
# $$
# c_j = \frac{x_{c,j}^\top (y_c - X_c\hat w)}{n} \;
# \begin{cases} = \alpha\operatorname{sign}(\hat w_j) & \text{if } \hat w_j \ne 0, \\
# \in [-\alpha, \alpha] & \text{if } \hat w_j = 0 . \end{cases}
# $$ (eq-lasso-kkt)
#
# These are the Karush-Kuhn-Tucker (KKT) conditions of the lasso. They explain the zeros: a feature
# stays out of the model as long as its correlation with the residual is at most $\alpha$ in absolute
# value, an *inequality* that holds on a whole interval. For ridge regression the corresponding condition
# for $\hat w_j = 0$ is the *equation* $c_j = 0$, which data satisfy with probability zero. Every active
# feature has a correlation of exactly $\pm\alpha$ with the residual: the lasso shrinks the active
# coefficients until their correlations are tied.
#
# The check: we solve the lasso of the first section to a tight tolerance with regbook's coordinate
# descent, compute $c$ and test {eq}`eq-lasso-kkt` coordinate by coordinate, and with
# `regbook.np.penalties.enet_kkt_violation`, which returns the largest distance of $-\nabla f(\hat w)_j$ to
# $\alpha\,\partial|\hat w_j|$.

# %%
fit = lasso(X, y, alpha=alpha_lasso, tol=1e-12, max_iter=100_000)
Xc, yc = X - X.mean(axis=0), y - y.mean()
r = yc - Xc @ fit.coef
c = Xc.T @ r / N                                        # correlation of each feature with the residual
active = fit.coef != 0
kkt_active = np.max(np.abs(c[active] - alpha_lasso * np.sign(fit.coef[active])))
kkt_inactive = np.max(np.abs(c[~active]))
violation = enet_kkt_violation(fit.coef, -c, alpha=alpha_lasso)
print(f"{int(active.sum())} active features: max |c_j - alpha sign(w_j)| "
      f"{checks.error_bound(kkt_active, floor=1e-8)}")
print(f"{int((~active).sum())} zero coefficients: max |c_j| / alpha = {kkt_inactive / alpha_lasso:.4f} "
      f"(must be <= 1)")
print(f"enet_kkt_violation: {checks.error_bound(violation, floor=1e-8)}")
assert kkt_active < 1e-8 and kkt_inactive <= alpha_lasso * (1 + 1e-8) and violation < 1e-8

fig, ax = plt.subplots(figsize=(10, 3.4))
ax.axhspan(-alpha_lasso, alpha_lasso, color="0.9", label=r"$[-\alpha, \alpha]$")
ax.plot(np.flatnonzero(~active), c[~active], ".", color="0.45", label=r"$\hat w_j = 0$")
ax.plot(np.flatnonzero(active), c[active], "o", color="C1", label=r"$\hat w_j \neq 0$")
ax.set(xlabel="feature index j", ylabel=r"$c_j = x_{c,j}^\top r / n$",
       title="KKT conditions at the lasso solution: active features sit on the band's edge")
ax.set_ylim(-1.6 * alpha_lasso, 1.6 * alpha_lasso)
ax.legend(ncol=3, loc="upper center")
plt.show()

# %% [markdown]
# Every active feature has $|c_j| = \alpha$ to within $10^{-8}$ and every other one lies inside the band.
#
# A consequence of {eq}`eq-lasso-kkt`: at $\hat w = 0$ the residual is $y_c$, so $w = 0$ is the solution
# exactly when no feature's correlation with $y_c$ exceeds $\alpha$:
#
# $$
# \hat w = 0 \iff \alpha \ge \alpha_{\max} = \max_j \frac{|x_{c,j}^\top y_c|}{n} .
# $$ (eq-lasso-alpha-max)
#
# This is where every regularization path starts. Just below $\alpha_{\max}$ the feature attaining the
# maximum is the first one to enter.

# %%
a_max = alpha_max(X, y)
a_formula = np.max(np.abs(Xc.T @ yc)) / N
print(f"alpha_max: regbook {a_max:.6f}, formula {a_formula:.6f}")
checks.assert_close(a_max, a_formula, rtol=1e-12, name="alpha_max")
at_max = lasso(X, y, alpha=a_max, tol=1e-12)
below = lasso(X, y, alpha=0.99 * a_max, tol=1e-12)
first = int(np.argmax(np.abs(Xc.T @ yc)))
print(f"non-zeros at alpha_max: {int(np.sum(at_max.coef != 0))}; at 0.99 alpha_max: "
      f"{int(np.sum(below.coef != 0))} (feature {int(np.flatnonzero(below.coef)[0])}, argmax is {first})")
assert np.all(at_max.coef == 0) and np.flatnonzero(below.coef).tolist() == [first]

# %% [markdown]
# ### Soft thresholding: the proximal operator of the L1 norm
#
# Every algorithm in this chapter is built from one small problem. The **proximal operator** (近端算子)
# of $t\lVert\cdot\rVert_1$ maps a point $x$ to the point that best trades staying close to $x$ against
# a small L1 norm {cite}`parikh2014proximal`:
#
# $$
# \operatorname{prox}_{t\lVert\cdot\rVert_1}(x) = \operatorname*{argmin}_{z\in\mathbb R^p}\
# \tfrac12\lVert z - x\rVert_2^2 + t\lVert z\rVert_1, \qquad t \ge 0 .
# $$ (eq-lasso-prox)
#
# The objective is a sum over coordinates, so each coordinate is solved separately:
# $h(z) = \frac12(z - x)^2 + t|z|$ is strictly convex, and its minimizer $z^\star$ satisfies
# $0 \in z^\star - x + t\,\partial|z^\star|$. Three cases:
#
# - $z^\star > 0$: then $0 = z^\star - x + t$, so $z^\star = x - t$, consistent only if $x > t$;
# - $z^\star < 0$: then $z^\star = x + t$, consistent only if $x < -t$;
# - $z^\star = 0$: then $x \in t\,[-1, 1]$, that is $|x| \le t$.
#
# The cases cover the real line without overlap, which gives **soft thresholding** (软阈值):
#
# $$
# \operatorname{prox}_{t|\cdot|}(x) = S_t(x) = \operatorname{sign}(x)\max(|x| - t,\ 0) .
# $$ (eq-lasso-soft-threshold)
#
# Every input in $[-t, t]$ is mapped to exactly zero; the others are moved towards zero by $t$. The L2
# counterpart, $\operatorname{prox}_{\frac t2\lVert\cdot\rVert^2}(x) = x/(1+t)$, only rescales and
# never produces a zero. The check minimizes $h$ by brute force, on a grid of spacing $10^{-4}$ and then
# with a bounded scalar minimizer, for 121 values of $x$ and three thresholds.

# %%
xs = np.linspace(-3, 3, 121)
grid = np.linspace(-4, 4, 80_001)                      # spacing 1e-4
worst_grid = worst_scalar = 0.0
for t in (0.0, 0.5, 1.7):
    z_formula = soft_threshold(xs, t)
    for x_i, z_i in zip(xs, z_formula):
        h = lambda z: 0.5 * (z - x_i) ** 2 + t * np.abs(z)  # noqa: E731
        z_grid = grid[np.argmin(h(grid))]
        z_opt = optimize.minimize_scalar(h, bounds=(-4, 4), method="bounded", options={"xatol": 1e-10}).x
        worst_grid = max(worst_grid, abs(z_grid - z_i))
        worst_scalar = max(worst_scalar, abs(z_opt - z_i))
print(f"max |S_t(x) - grid argmin|   {checks.error_bound(worst_grid, floor=1e-4)}")
print(f"max |S_t(x) - scalar argmin| {checks.error_bound(worst_scalar, floor=1e-6)}")
assert worst_grid <= 1e-4 and worst_scalar < 1e-6

fig, ax = plt.subplots(figsize=(5.5, 4))
ax.plot(xs, xs, color="0.6", lw=1, ls=":", label="identity (no penalty)")
ax.plot(xs, soft_threshold(xs, 1.0), label=r"$S_1(x)$: prox of $|z|$ (L1)")
ax.plot(xs, prox_l2(xs, 1.0), label=r"$x/2$: prox of $\frac{1}{2} z^2$ (L2)")
ax.set(xlabel="input x", ylabel=r"$\operatorname{prox}(x)$", title="Proximal operators, t = 1")
ax.legend()
plt.show()

# %% [markdown]
# ### Coordinate descent
#
# Coordinate descent (坐标下降) minimizes {eq}`eq-lasso-objective` one coordinate at a time, cycling
# through $j = 1, \dots, p$ {cite}`friedman2010regularization`. With all coordinates but $w_j$ fixed, let
# $r^{(j)} = y_c - \sum_{k\ne j} x_{c,k}w_k$ be the **partial residual** and
# $a_j = \lVert x_{c,j}\rVert^2/n$. Expanding the square,
#
# $$
# F = \frac{1}{2n}\lVert r^{(j)} - x_{c,j}w_j\rVert^2 + \alpha|w_j| + \text{const}
#   = \frac{a_j}{2}\Bigl(w_j - \frac{x_{c,j}^\top r^{(j)}}{n a_j}\Bigr)^2 + \alpha|w_j| + \text{const},
# $$
#
# and dividing by $a_j$ turns it into the problem {eq}`eq-lasso-prox` with $x = x_{c,j}^\top r^{(j)}/(na_j)$
# and $t = \alpha/a_j$. Its solution $S_{\alpha/a_j}(u/a_j) = S_\alpha(u)/a_j$, with
# $u = x_{c,j}^\top r^{(j)}/n$, is the coordinate update:
#
# $$
# w_j \leftarrow \frac{S_\alpha\bigl(x_{c,j}^\top r^{(j)}/n\bigr)}{\lVert x_{c,j}\rVert^2/n} ,
# $$ (eq-lasso-cd-update)
#
# the soft-thresholded correlation of feature $j$ with the partial residual, divided by the column's
# squared norm over $n$ (1 for standardized features). Keeping the full residual $r$ up to date costs
# $O(n)$ per update, so one sweep costs $O(np)$, the price of one gradient. Because the non-smooth part
# $\alpha\lVert w\rVert_1$ is a sum over coordinates, these exact coordinate minimizations converge to a
# minimizer. Practical solvers add warm starts along a decreasing sequence of $\alpha$ (the path),
# active sets, and screening rules that discard features which cannot be active
# {cite}`friedman2010regularization,tibshirani2012strong,fercoq2015mind,massias2018celer`.
#
# Here is one sweep written out, then checked three ways: each update is the exact minimizer along its
# coordinate (compared with a scalar minimizer), the objective never increases from sweep to sweep, and
# repeated sweeps reach regbook's solution.

# %%
def lasso_objective(w, Xc, yc, alpha):
    """F of (eq-lasso-objective) on centred data."""
    return float(np.sum((yc - Xc @ w) ** 2) / (2 * len(yc)) + alpha * np.sum(np.abs(w)))


def cd_sweep(w, Xc, yc, alpha, check=False):
    """One cyclic pass of coordinate descent for the lasso; updates w in place."""
    n = len(yc)
    r = yc - Xc @ w                                   # full residual, kept up to date
    worst = 0.0
    for j in range(len(w)):
        r += Xc[:, j] * w[j]                          # partial residual r^(j)
        rho = Xc[:, j] @ r / n                        # correlation with the partial residual
        w[j] = soft_threshold(rho, alpha) / (Xc[:, j] @ Xc[:, j] / n)
        r -= Xc[:, j] * w[j]
        if check:                                     # is w_j the exact minimizer along coordinate j?
            def along(v, j=j):
                u = w.copy()
                u[j] = v
                return lasso_objective(u, Xc, yc, alpha)
            best = optimize.minimize_scalar(along, bounds=(w[j] - 5, w[j] + 5), method="bounded",
                                            options={"xatol": 1e-10}).x
            worst = max(worst, abs(best - w[j]))
    return worst


w_cd = np.zeros(P)
worst_1d = cd_sweep(w_cd, Xc, yc, alpha_lasso, check=True)
objectives = [lasso_objective(w_cd, Xc, yc, alpha_lasso)]
for _ in range(300):
    cd_sweep(w_cd, Xc, yc, alpha_lasso)
    objectives.append(lasso_objective(w_cd, Xc, yc, alpha_lasso))
print(f"each update minimizes F along its coordinate: max distance to a scalar minimizer "
      f"{checks.error_bound(worst_1d, floor=1e-6)}")
print(f"objective after 1, 10, 301 sweeps: {objectives[0]:.6f}, {objectives[9]:.6f}, {objectives[-1]:.6f}")
err_cd = checks.assert_close(w_cd, fit.coef, rtol=1e-6, name="301 sweeps vs regbook lasso")
print(f"301 sweeps vs regbook.np.coordinate_descent.lasso: rel. error {checks.error_bound(err_cd, floor=1e-6)}")
assert worst_1d < 1e-6 and np.all(np.diff(objectives) <= 1e-12)

# %% [markdown]
# ### Proximal gradient: ISTA and FISTA
#
# Coordinate descent is specific to separable penalties. The **proximal gradient** method works for any
# smooth loss plus any convex penalty with a cheap proximal operator, and is the form that carries over to neural
# networks. The gradient $\nabla f$ is $L$-Lipschitz with $L = \sigma_{\max}(X_c)^2/n$, so
# $f(w) \le f(w_k) + \nabla f(w_k)^\top(w - w_k) + \frac L2\lVert w - w_k\rVert^2$. Minimizing this upper
# bound plus the penalty, and completing the square, is again problem {eq}`eq-lasso-prox`:
#
# $$
# w_{k+1} = \operatorname*{argmin}_w \frac L2\Bigl\lVert w - \bigl(w_k - \tfrac1L\nabla f(w_k)\bigr)\Bigr\rVert^2
# + \alpha\lVert w\rVert_1 = S_{\alpha/L}\Bigl(w_k - \frac1L\nabla f(w_k)\Bigr) ,
# $$ (eq-lasso-ista)
#
# a gradient step on the loss followed by soft thresholding: ISTA, the iterative shrinkage-thresholding
# algorithm. FISTA {cite}`beck2009fast` takes the same step from an extrapolated point
# $v_k = w_k + \frac{\theta_{k-1} - 1}{\theta_k}(w_k - w_{k-1})$, with
# $\theta_k = \frac12\bigl(1 + \sqrt{1 + 4\theta_{k-1}^2}\bigr)$ and $\theta_0 = 1$. From
# $w_0 = 0$, for any minimizer $w^\star$ {cite}`beck2009fast`:
#
# $$
# F(w_k) - F^\star \le \frac{L\lVert w_0 - w^\star\rVert^2}{2k}\ \ \text{(ISTA)}, \qquad
# F(w_k) - F^\star \le \frac{2L\lVert w_0 - w^\star\rVert^2}{(k+1)^2}\ \ \text{(FISTA)} .
# $$ (eq-lasso-rates)
#
# The check runs both methods for 1000 steps on a deliberately hard problem: 50 samples of 100 features
# that share one common factor (pairwise correlation 0.9), so that $L$ is large and the problem, with
# $p > n$, is not strongly convex. $F^\star$ and $w^\star$ come from coordinate descent, and the plot
# shows the gap together with the two bounds.

# %%
r_h = np.random.default_rng(1)
X_h = np.sqrt(0.1) * r_h.standard_normal((N, P)) + np.sqrt(0.9) * r_h.standard_normal((N, 1))
y_h = X_h[:, [3, 20, 50, 70, 90]] @ np.array([3.0, -2.0, 1.5, -1.5, 1.0]) + r_h.standard_normal(N)
X_hc, y_hc = X_h - X_h.mean(axis=0), y_h - y_h.mean()
ALPHA_H = 0.05
star_h = lasso(X_h, y_h, alpha=ALPHA_H, tol=1e-14, max_iter=100_000)
F_star_h = lasso_objective(star_h.coef, X_hc, y_hc, ALPHA_H)
L = np.linalg.norm(X_hc, 2) ** 2 / N
R2 = float(np.sum(star_h.coef ** 2))                      # ||w_0 - w*||^2 with w_0 = 0
with warnings.catch_warnings():
    warnings.simplefilter("ignore", regbook.ConvergenceWarning)   # tol=0: we want all 1000 steps
    res_ista = ista(X_h, y_h, alpha=ALPHA_H, tol=0.0, max_iter=1000)
    res_fista = fista(X_h, y_h, alpha=ALPHA_H, tol=0.0, max_iter=1000)
k = np.arange(1, 1001)
gap_ista = res_ista.objective[1:] - F_star_h
gap_fista = res_fista.objective[1:] - F_star_h
bound_ista = L * R2 / (2 * k)
bound_fista = 2 * L * R2 / (k + 1) ** 2

fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.loglog(k, gap_ista, label="ISTA")
ax.loglog(k, np.maximum(gap_fista, 1e-16), label="FISTA")
ax.loglog(k, bound_ista, "--", color="C0", lw=1, label=r"bound $L\Vert w^\star\Vert^2/(2k)$, O(1/k)")
ax.loglog(k, bound_fista, "--", color="C1", lw=1, label=r"bound $2L\Vert w^\star\Vert^2/(k+1)^2$, O(1/k²)")
ax.set(xlabel="iteration k", ylabel=r"objective gap $F(w_k) - F^\star$", ylim=(1e-8, 1e4),
       title="Proximal gradient on the lasso: gap against the theoretical bounds")
ax.legend(fontsize=8, loc="lower left")
plt.show()

for kk in (10, 100, 1000):
    print(f"gap after {kk:4d} steps: ISTA {gap_ista[kk - 1]:.2e}, FISTA {gap_fista[kk - 1]:.2e}")
assert np.all(gap_ista >= 0) and np.all(gap_ista <= bound_ista)
assert np.all(gap_fista <= bound_fista)
assert np.all(np.diff(res_ista.objective) <= 1e-15)          # ISTA never increases F
assert np.any(np.diff(res_fista.objective) > 0)              # FISTA sometimes does
assert gap_fista[99] < 0.2 * gap_ista[99] and gap_fista[999] < 1e-3 * gap_ista[999]
assert gap_fista[999] < 0.01 * bound_fista[999]
glue("ch3_ratio_1000", int(float(f"{gap_ista[999] / gap_fista[999]:.2g}")), display=False)

# %% [markdown]
# Both gaps stay below their bounds at every step. ISTA's objective never increases; FISTA's is not
# monotone (the ripples), but after 1000 steps its gap is about {glue:text}`ch3_ratio_1000` times smaller
# than ISTA's, and more than a hundred times below its own bound. The bounds are worst cases: once the
# active set is identified, the problem restricted to it is typically strongly convex, and convergence
# becomes linear.
#
# ### A certificate of accuracy: the duality gap
#
# How do solvers know when to stop? The lasso has a dual problem, derived by writing
# {eq}`eq-lasso-objective` as $\min \frac1{2n}\lVert z\rVert^2 + \alpha\lVert w\rVert_1$ subject to
# $z = y_c - X_c w$ and minimizing the Lagrangian
# $\frac1{2n}\lVert z\rVert^2 + \alpha\lVert w\rVert_1 + \theta^\top(y_c - X_cw - z)$ over $z$ (the minimum is
# at $z = n\theta$) and over $w$ (the minimum is $0$ if $\lVert X_c^\top\theta\rVert_\infty \le \alpha$ and
# $-\infty$ otherwise). Weak duality then says that for every such $\theta$,
#
# $$
# D(\theta) = \theta^\top y_c - \frac n2\lVert\theta\rVert^2 \le F(w) \quad\text{for all } w,
# \qquad \text{if } \lVert X_c^\top\theta\rVert_\infty \le \alpha ,
# $$ (eq-lasso-dual)
#
# with equality at the optimum, where $\theta^\star = r^\star/n$. Rescaling the current residual,
# $\theta = s\,r/n$ with $s = \min\bigl(1, \alpha/\lVert X_c^\top r/n\rVert_\infty\bigr)$, gives a feasible
# $\theta$ at every iterate, and the **duality gap** $F(w) - D(\theta) \ge F(w) - F^\star$ bounds the
# (unknown) suboptimality. scikit-learn and regbook stop when it falls below `tol` times
# $\lVert y_c\rVert^2/n$; the gap also underlies the safe screening rules of {cite}`fercoq2015mind`. The
# check takes the ISTA iterates after 10, 30 and 100 steps, computes the gap from {eq}`eq-lasso-dual`,
# compares it with the gap regbook's solver reports at the same point, and confirms that it bounds the
# true suboptimality.

# %%
fit_star = lasso(X, y, alpha=alpha_lasso, tol=1e-14, max_iter=100_000)   # a reference optimum
F_star = lasso_objective(fit_star.coef, Xc, yc, alpha_lasso)


def duality_gap(w, Xc, yc, alpha):
    n = len(yc)
    r = yc - Xc @ w
    s = min(1.0, alpha / np.max(np.abs(Xc.T @ r / n)))
    theta = s * r / n                                       # a dual-feasible point
    return lasso_objective(w, Xc, yc, alpha) - (theta @ yc - n / 2 * theta @ theta)


with warnings.catch_warnings():
    warnings.simplefilter("ignore", regbook.ConvergenceWarning)
    for steps in (10, 30, 100):
        w_k = ista(X, y, alpha=alpha_lasso, tol=0.0, max_iter=steps).coef
        gap_k = duality_gap(w_k, Xc, yc, alpha_lasso)
        sub_k = lasso_objective(w_k, Xc, yc, alpha_lasso) - F_star
        # regbook's solver, started at w_k with a tolerance so loose that it stops at once,
        # returns w_k and reports the duality gap there
        at_k = lasso(X, y, alpha=alpha_lasso, coef_init=w_k, tol=1e6)
        print(f"ISTA, {steps:3d} steps: duality gap {gap_k:.3e} (regbook: {at_k.dual_gap:.3e}) "
              f">= suboptimality {sub_k:.3e}")
        assert np.array_equal(at_k.coef, w_k)
        checks.assert_close(at_k.dual_gap, gap_k, rtol=1e-8, name="regbook's duality gap")
        assert 0 <= sub_k <= gap_k

# %% [markdown]
# (ch3-geometry)=
# ### Geometry: why corners give zeros
#
# The constrained form {eq}`eq-lasso-constrained` has a picture in two dimensions. The contours of the
# least-squares loss are ellipses around the unconstrained solution $\hat w_{\text{OLS}}$; the solution
# with the constraint is the point where the smallest ellipse touches the feasible set. The L1 ball
# $|w_1| + |w_2| \le t$ is a diamond whose corners lie on the axes, and an ellipse coming from a generic
# direction tends to touch it first at a corner, where one coordinate is exactly zero. The L2 ball is a
# disc with no corners: the touching point has both coordinates non-zero unless $\hat w_{\text{OLS}}$
# itself lies on an axis.
#
# We build a 2-D least-squares problem with correlated features ($X^\top X/n$ has correlation 0.5) whose
# least-squares solution is $(2, 0.6)$, then solve both constrained problems numerically with a generic
# solver (SLSQP; the L1 ball is written with $w = u - v$, $u, v \ge 0$, $\sum(u + v) \le t$ so that the
# constraint is smooth), and cross-check by scanning 40,000 points on each boundary.

# %%
n2 = 200
A = np.array([[1.0, 0.5], [0.5, 1.0]])                 # target X^T X / n
w_ls = np.array([2.0, 0.6])
Z = np.linalg.qr(np.random.default_rng(5).standard_normal((n2, 3)))[0] * np.sqrt(n2)  # Z^T Z = n I
X2 = Z[:, :2] @ np.linalg.cholesky(A).T               # so X2^T X2 / n = A exactly
y2 = X2 @ w_ls + 0.5 * Z[:, 2]                         # noise orthogonal to X2: least squares = w_ls
T = 1.0                                                # radius of both balls


def loss2(w):
    return float(np.sum((y2 - X2 @ w) ** 2) / (2 * n2))


sol_l1 = optimize.minimize(lambda uv: loss2(uv[:2] - uv[2:]), x0=np.full(4, 0.1), method="SLSQP",
                           bounds=[(0, None)] * 4, options={"ftol": 1e-15, "maxiter": 500},
                           constraints=[{"type": "ineq", "fun": lambda uv: T - uv.sum()}])
w_l1 = sol_l1.x[:2] - sol_l1.x[2:]
sol_l2 = optimize.minimize(loss2, x0=np.zeros(2), method="SLSQP", options={"ftol": 1e-15, "maxiter": 500},
                           constraints=[{"type": "ineq", "fun": lambda w: T**2 - w @ w}])
w_l2 = sol_l2.x

# brute force on the boundaries (the unconstrained solution is outside both balls)
phi = np.linspace(0, 2 * np.pi, 40_000, endpoint=False)
circle = T * np.column_stack([np.cos(phi), np.sin(phi)])
diamond = circle / np.abs(circle).sum(axis=1, keepdims=True) * T
loss_grid = lambda W: np.sum((y2[:, None] - X2 @ W.T) ** 2, axis=0) / (2 * n2)  # noqa: E731
w_l1_grid, w_l2_grid = diamond[np.argmin(loss_grid(diamond))], circle[np.argmin(loss_grid(circle))]
# (+ 0.0 turns a rounded -0.0 into 0.0, so that the printout does not depend on the sign of a tiny number)
print(f"L1 ball: SLSQP {np.round(w_l1, 6) + 0.0}, boundary scan {np.round(w_l1_grid, 3) + 0.0}")
print(f"L2 ball: SLSQP {np.round(w_l2, 6) + 0.0}, boundary scan {np.round(w_l2_grid, 3) + 0.0}")
assert np.abs(w_l1 - w_l1_grid).max() < 1e-3 and np.abs(w_l2 - w_l2_grid).max() < 1e-3
assert abs(w_l1[1]) < 1e-8 and abs(w_l1[0] - T) < 1e-8           # a corner: w_2 = 0
assert np.all(np.abs(w_l2) > 0.2)                                  # the disc: no zero

# %% [markdown]
# The L1 solution is the corner $(1, 0)$, the L2 solution has both coordinates clearly non-zero. Now
# the equivalence of the constrained and penalized forms: by {eq}`eq-lasso-kkt` the multiplier of the L1
# constraint is $\alpha = |c_1|$, the correlation of the active feature with the residual at the
# constrained solution; the lasso with that $\alpha$ must return the same point, this time with an exact
# zero. The same argument for the disc gives ridge regression (scikit-learn's scaling
# $\lVert y - Xw\rVert^2 + \alpha_{\text{ridge}}\lVert w\rVert^2$) with $\alpha_{\text{ridge}} = n\mu$, where
# $\mu$ is the multiplier of the L2 constraint, from $\nabla\text{loss}(\hat w) = -\mu\hat w$.

# %%
alpha_equiv = abs(X2[:, 0] @ (y2 - X2 @ w_l1)) / n2
pen_l1 = lasso(X2, y2, alpha=alpha_equiv, fit_intercept=False, tol=1e-14)
g_l2 = -X2.T @ (y2 - X2 @ w_l2) / n2
mu = -(g_l2 @ w_l2) / (w_l2 @ w_l2)
pen_l2 = ridge(X2, y2, alpha=n2 * mu, fit_intercept=False)
print(f"lasso, alpha = {alpha_equiv:.4f}: {pen_l1.coef + 0.0}")
print(f"ridge, alpha = {n2 * mu:.3f}: {np.round(pen_l2.coef, 6)}")
assert pen_l1.coef[1] == 0.0 and abs(pen_l1.coef[0] - w_l1[0]) < 1e-6
assert np.abs(pen_l2.coef - w_l2).max() < 1e-6

fig, ax = plt.subplots(figsize=(5.8, 5.4))
g1, g2 = np.meshgrid(np.linspace(-1.6, 2.6, 300), np.linspace(-1.6, 2.0, 300))
Lgrid = loss_grid(np.column_stack([g1.ravel(), g2.ravel()])).reshape(g1.shape)
ax.contour(g1, g2, Lgrid, levels=np.quantile(Lgrid, [0.005, 0.02, 0.06, 0.12, 0.2, 0.3]), colors="0.6",
           linewidths=0.8)
ax.contour(g1, g2, Lgrid, levels=[loss2(w_l1)], colors="C0", linewidths=1.2, linestyles="--")
ax.contour(g1, g2, Lgrid, levels=[loss2(w_l2)], colors="C1", linewidths=1.2, linestyles="--")
ax.fill(circle[::200, 0], circle[::200, 1], color="C1", alpha=0.2, label=r"L2 ball $w_1^2+w_2^2 \leq 1$")
ax.fill(diamond[::200, 0], diamond[::200, 1], color="C0", alpha=0.45, label=r"L1 ball $|w_1|+|w_2| \leq 1$")
ax.plot(*w_ls, "k*", ms=12, label="least squares")
ax.plot(*w_l1, "o", color="C0", ms=9, label=f"L1 solution ({w_l1[0]:.2f}, {abs(w_l1[1]):.2f})")
ax.plot(*w_l2, "s", color="C1", ms=8, label=f"L2 solution ({w_l2[0]:.2f}, {w_l2[1]:.2f})")
ax.axhline(0, color="0.3", lw=0.6)
ax.axvline(0, color="0.3", lw=0.6)
ax.set(xlabel="$w_1$", ylabel="$w_2$", aspect="equal",
       title="Loss contours touching the L1 and L2 balls")
ax.legend(fontsize=8, loc="lower left")
plt.show()

# %% [markdown]
# ### The Bayesian view: a Laplace prior
#
# Suppose $y_i = w_0 + x_i^\top w + \varepsilon_i$ with independent $\varepsilon_i \sim \mathcal N(0,
# \sigma^2)$, a flat prior on the intercept, and independent **Laplace** (拉普拉斯) priors on the weights,
# $p(w_j) = \frac{1}{2b}e^{-|w_j|/b}$ with scale $b > 0$. By Bayes' rule, the negative log posterior is
#
# $$
# -\log p(w_0, w \mid X, y) = \frac{1}{2\sigma^2}\lVert y - w_0\mathbf 1 - Xw\rVert^2 + \frac1b\lVert w\rVert_1
# + \text{const} .
# $$ (eq-lasso-neglogpost)
#
# Multiplying by the positive constant $\sigma^2/n$ does not move the minimizer and turns it into
# {eq}`eq-lasso-objective`: the maximum a posteriori (MAP) estimate is the lasso solution with
#
# $$
# \alpha = \frac{\sigma^2}{n\,b} .
# $$ (eq-lasso-laplace-alpha)
#
# A wider prior (larger $b$) or more data (larger $n$) means a weaker penalty. (A Gaussian prior
# $\mathcal N(0, \tau^2)$ gives ridge regression instead, with $\alpha_{\text{ridge}} = \sigma^2/\tau^2$
# in scikit-learn's `Ridge` scaling.) The check maximizes the log posterior exactly as
# {eq}`eq-lasso-neglogpost` writes it, in the original units $\sigma$ and $b$, with a generic optimizer
# (L-BFGS-B on $w = u - v$ with $u, v \ge 0$, which makes the objective smooth) and compares the result
# with the lasso at $\alpha = \sigma^2/(nb)$.

# %%
b_scale = 0.2


def neg_log_post(theta):
    """-log posterior of (eq-lasso-neglogpost) and its gradient; theta = (w0, u, v), w = u - v."""
    w0, u, v = theta[0], theta[1:P + 1], theta[P + 1:]
    resid = y - w0 - X @ (u - v)
    g_w = -X.T @ resid / SIGMA**2
    value = resid @ resid / (2 * SIGMA**2) + np.sum(u + v) / b_scale
    grad = np.concatenate([[-resid.sum() / SIGMA**2], g_w + 1 / b_scale, -g_w + 1 / b_scale])
    return value, grad


sol = optimize.minimize(neg_log_post, np.zeros(2 * P + 1), jac=True, method="L-BFGS-B",
                        bounds=[(None, None)] + [(0, None)] * (2 * P),
                        options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 20_000})
w_map = sol.x[1:P + 1] - sol.x[P + 1:]
alpha_map = SIGMA**2 / (N * b_scale)
fit_map = lasso(X, y, alpha=alpha_map, tol=1e-14, max_iter=100_000)
err_map = np.abs(w_map - fit_map.coef).max()
print(f"alpha = sigma^2 / (n b) = {alpha_map:.4f}; max |w_MAP - w_lasso| "
      f"{checks.error_bound(err_map, floor=1e-5)}; "
      f"intercepts {sol.x[0]:.5f} vs {fit_map.intercept:.5f}")
assert err_map < 1e-5 and abs(sol.x[0] - fit_map.intercept) < 1e-5

# %% [markdown]
# The MAP estimate is sparse, but it is only one summary of the posterior. The posterior *mean*, the
# estimate that minimizes the expected squared error under the prior, is never sparse: the posterior has
# a density, so it puts zero probability on $w_j = 0$ exactly. The Bayesian lasso
# {cite}`park2008bayesian` computes it by Gibbs sampling. In one dimension it can be computed by
# quadrature. With one standardized feature ($\lVert x\rVert^2 = n$) and no intercept, the posterior of
# $w$ is proportional to $\exp\bigl(-\frac{n}{2\sigma^2}(w - z)^2 - |w|/b\bigr)$ with $z = x^\top y/n$ the
# least-squares estimate. The MAP is $S_\alpha(z)$, and the mean is an integral.

# %%
n1, b1 = 25, 0.1                                        # alpha = sigma^2 / (n b) = 0.4
alpha1 = SIGMA**2 / (n1 * b1)
zs = np.linspace(-2, 2, 201)
wg = np.linspace(-6, 6, 60_001)
log_post = -n1 / (2 * SIGMA**2) * (wg[None, :] - zs[:, None]) ** 2 - np.abs(wg)[None, :] / b1
dens = np.exp(log_post - log_post.max(axis=1, keepdims=True))
post_mean = np.trapezoid(dens * wg, wg, axis=1) / np.trapezoid(dens, wg, axis=1)
map_grid = wg[np.argmax(log_post, axis=1)]
map_formula = soft_threshold(zs, alpha1)
err_map_grid = np.abs(map_grid - map_formula).max()
print(f"MAP by grid search vs S_alpha(z): max difference {checks.error_bound(err_map_grid, floor=1e-4)}")
assert err_map_grid <= 2e-4
inside = np.abs(zs) <= alpha1
assert np.all(map_formula[inside] == 0)                               # the MAP is exactly zero there...
nonzero_z = zs != 0
assert np.all(np.sign(post_mean[nonzero_z]) == np.sign(zs[nonzero_z]))    # ...the posterior mean is not
assert np.all(np.abs(post_mean[nonzero_z]) > 1e-3) and np.all(np.abs(post_mean) <= np.abs(zs) + 1e-12)

fig, ax = plt.subplots(figsize=(5.8, 4))
ax.plot(zs, zs, ":", color="0.6", label="least squares $z$")
ax.plot(zs, map_formula, label=r"posterior mode (MAP) $= S_\alpha(z)$")
ax.plot(zs, post_mean, label="posterior mean")
ax.axvspan(-alpha1, alpha1, color="0.92")
ax.set(xlabel="least-squares estimate z", ylabel="estimate of w",
       title=f"Laplace prior, one feature: mode vs mean (α = {alpha1:.1f})")
ax.legend()
plt.show()

# %% [markdown]
# Inside the shaded band $|z| \le \alpha$ the MAP is exactly zero while the posterior mean is small but
# non-zero, with the sign of $z$. Sparsity is a property of the *mode* of a Laplace posterior (and of the
# optimization problem), not of Bayesian inference with a Laplace prior.
#
# ## From scratch in NumPy
#
# regbook's NumPy code is what every cell above ran. Soft thresholding is one line:

# %%
regbook.show_source(soft_threshold)

# %% [markdown]
# The coordinate-descent solver `regbook.np.coordinate_descent.lasso` works, as scikit-learn's does, on the
# problem multiplied by $n$ and in terms of the Gram matrix $G = X_c^\top X_c$: it keeps the correlations
# $c = X_c^\top r$ up to date, so that the argument of the soft threshold in {eq}`eq-lasso-cd-update` is
# $x_{c,j}^\top r^{(j)} = c_j + G_{jj}w_j$ and the threshold is $n\alpha$. Around this sweep it adds working
# sets, an exact solve on the current support and signs, gap-safe screening and the strong rule
# {cite}`massias2018celer,fercoq2015mind,tibshirani2012strong`, and it stops on the relative duality gap
# {eq}`eq-lasso-dual`. Its inner sweep (`den` is $G_{jj}$ plus the elastic net's L2 part, zero here):

# %%
from regbook.np import _cd_kernels  # noqa: E402

regbook.show_source(_cd_kernels.cd_sweep_gram)

# %% [markdown]
# One sweep of this kernel from $w = 0$, over all features in order, must give the same coefficients as
# one sweep of our written-out `cd_sweep`, up to rounding (the kernel sums in a different order):

# %%
G = Xc.T @ Xc
w_kernel, c_kernel = np.zeros(P), Xc.T @ yc               # c = X^T r at w = 0
_cd_kernels.cd_sweep_gram(list(G), c_kernel, w_kernel, G.diagonal().tolist(), G.diagonal().tolist(),
                          N * alpha_lasso, range(P))
w_ours = np.zeros(P)
cd_sweep(w_ours, Xc, yc, alpha_lasso)
err_sweep = np.abs(w_kernel - w_ours).max()
print(f"one sweep, regbook kernel vs written out: max difference {checks.error_bound(err_sweep)}, "
      f"{int(np.sum(w_ours != 0))} non-zeros after one sweep")
assert err_sweep < 1e-12 and np.array_equal(w_kernel != 0, w_ours != 0)

# %% [markdown]
# ISTA and FISTA share one loop, `regbook.np.proximal_gradient.proximal_gradient`, which takes the smooth
# loss, its gradient, the penalty and its proximal operator; `ista` and `fista` call it with the lasso's
# pieces. The loop (shown without its docstring) makes the gradient step, then the proximal step, then
# the FISTA extrapolation:

# %%
from regbook.np import proximal_gradient as pg  # noqa: E402

regbook.show_source(pg._minimize)

# %% [markdown]
# ## PyTorch and scikit-learn
#
# The PyTorch twins in `regbook.pt.penalties` and `regbook.pt.prox` compute the same penalty and the same
# soft thresholding on tensors; `prox_l1_` applies soft thresholding in place to a list of parameters,
# which is the proximal step after an optimizer step. We check the twins against NumPy, autograd's
# derivative of $\alpha\lVert w\rVert_1$ against the minimum-norm subgradient `l1_grad`, the four
# lasso solvers (regbook's coordinate descent, ISTA, FISTA, and scikit-learn's `Lasso`) against each
# other on the first section's problem, and regbook's estimator `regbook.np.estimators.Lasso` against
# scikit-learn's inside `cross_val_score`.

# %%
from regbook.np import penalties as pen_np  # noqa: E402
from regbook.pt import penalties as pen_pt  # noqa: E402
from regbook.pt import prox as prox_pt  # noqa: E402

regbook.show_source(prox_pt.prox_l1_)

v = rng.standard_normal((7, 5))
v[0, :2] = 0.0                                            # include exact zeros
v_t = torch.tensor(v, requires_grad=True)
pen_np_val, pen_pt_val = pen_np.l1(v, 0.3), pen_pt.l1(v_t, 0.3)
pen_pt_val.backward()
rows = {
    "soft_threshold pt vs np": checks.rel_error(prox_pt.soft_threshold(v_t.detach(), 0.4).numpy(),
                                                soft_threshold(v, 0.4)),
    "l1 pt vs np": checks.rel_error(pen_pt_val.item(), pen_np_val),
    "autograd of l1 vs l1_grad": checks.rel_error(v_t.grad.numpy(), pen_np.l1_grad(v, 0.3)),
}
w_inplace = torch.nn.Parameter(torch.tensor(v))
n_zero = prox_pt.prox_l1_([w_inplace], 0.4)
rows["prox_l1_ vs soft_threshold"] = checks.rel_error(w_inplace.detach().numpy(), soft_threshold(v, 0.4))
for name, err in rows.items():
    print(f"{name:<28} {checks.error_bound(err)}")
assert max(rows.values()) < 1e-12 and n_zero == int(np.sum(np.abs(v) <= 0.4))

sk = Lasso(alpha=alpha_lasso, tol=1e-14, max_iter=1_000_000).fit(X, y)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", regbook.ConvergenceWarning)
    solvers = {"regbook coordinate descent": fit_star.coef,
               "regbook ISTA": ista(X, y, alpha=alpha_lasso, tol=1e-12, max_iter=20_000).coef,
               "regbook FISTA": fista(X, y, alpha=alpha_lasso, tol=1e-12, max_iter=20_000).coef}
for name, coef in solvers.items():
    err = checks.rel_error(coef, sk.coef_)
    print(f"{name:<27} vs sklearn Lasso: rel. error {checks.error_bound(err, floor=1e-5)}, "
          f"same zeros: {bool(np.all((np.abs(coef) > 1e-10) == (sk.coef_ != 0)))}")
    assert err < 1e-5
assert np.all((fit_star.coef != 0) == (sk.coef_ != 0))

# regbook's scikit-learn-compatible estimator inside scikit-learn's own cross-validation
scores_rb = cross_val_score(LassoEstimator(alpha=alpha_lasso, tol=1e-10), X, y, cv=5)
scores_sk = cross_val_score(Lasso(alpha=alpha_lasso, tol=1e-10, max_iter=100_000), X, y, cv=5)
err_cv = checks.rel_error(scores_rb, scores_sk)
print(f"cross_val_score, regbook Lasso estimator vs sklearn Lasso: rel. error "
      f"{checks.error_bound(err_cv, floor=1e-6)}")
assert err_cv < 1e-6

# %% [markdown]
# ### Subgradient training gives no zeros; proximal steps do
#
# The sources say that L1 regularization "makes weights sparse" (e.g. 002: "L1正则化可以稀疏化权重矩阵")
# and that one trains it "with gradient descent or other optimizers" (004). In deep learning the usual way
# is to add `lam * w.abs().sum()` to the loss and call an optimizer such as Adam {cite}`kingma2015adam`.
# Autograd then uses the subgradient $\alpha\operatorname{sign}(w)$. That step pushes a weight across
# zero rather than onto it, and Adam rescales it further, so weights that should be zero oscillate around
# zero with a small amplitude and (with probability one) never equal it. The proximal alternative
# (proximal SGD) takes a plain SGD step on the loss alone and then applies soft thresholding with
# threshold $\eta\alpha$, $\eta$ the learning rate, using `prox_l1_`.
#
# On a sparse regression ($n = 500$, $p = 50$, five non-zero coefficients, scikit-learn's scaling with
# $\alpha = 0.2$) we train a `torch.nn.Linear` model in float64 for 100 epochs of mini-batches of 50:
#
# - (a) Adam (learning rate 0.01) on the mean loss $+\ \alpha\lVert w\rVert_1$ (the subgradient way);
# - (b) SGD on the mean loss, then `prox_l1_(model.weight, lr * alpha)` after every step, with a decaying
#   learning rate $\eta_k = 0.2/(1 + k/50)$ (proximal SGD);
# - (b') the same proximal step after full-batch SGD steps with the constant step
#   $\eta = 1/(\sigma_{\max}(X_c)^2/n + 1)$, a safe $1/L$ for the loss in the weights and the bias: ISTA
#   written with torch's optimizer, 2000 steps;
# - (c) regbook's coordinate-descent lasso.
#
# The bias is never penalized or thresholded.

# %%
from regbook.pt.penalties import l1 as l1_pt  # noqa: E402
from regbook.pt.prox import prox_l1_  # noqa: E402

n_s, p_s, ALPHA_S = 500, 50, 0.2
r_s = np.random.default_rng(11)
X_s = r_s.standard_normal((n_s, p_s))
w_s = np.zeros(p_s)
w_s[:5] = [3.0, -2.0, 1.5, -1.0, 0.5]
y_s = X_s @ w_s + 1.0 + r_s.standard_normal(n_s)
X_st, y_st = torch.tensor(X_s), torch.tensor(y_s)


ETA_FULL = 1.0 / (np.linalg.norm(X_s - X_s.mean(axis=0), 2) ** 2 / n_s + 1.0)   # a safe 1/L for (w, bias)


def train(method):
    """Train Linear(50, 1) from zero; method is "adam", "prox-sgd" or "full-batch prox"."""
    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Linear(p_s, 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    full = method == "full-batch prox"
    batch, epochs = (n_s, 2000) if full else (50, 100)
    opt = torch.optim.Adam(model.parameters(), lr=0.01) if method == "adam" else torch.optim.SGD(
        model.parameters(), lr=ETA_FULL)
    step = 0
    for _ in range(epochs):
        perm = torch.randperm(n_s, generator=gen)
        for i in range(0, n_s, batch):
            idx = perm[i:i + batch]
            step += 1
            if method == "prox-sgd":
                for group in opt.param_groups:
                    group["lr"] = 0.2 / (1 + step / 50)          # decaying step eta_k
            opt.zero_grad()
            loss = 0.5 * torch.mean((y_st[idx] - model(X_st[idx]).squeeze(1)) ** 2)
            if method == "adam":
                loss = loss + l1_pt(model.weight, ALPHA_S)       # autograd: subgradient alpha * sign(w)
            loss.backward()
            opt.step()
            if method != "adam":                                 # proximal step, threshold eta * alpha
                prox_l1_([model.weight], opt.param_groups[0]["lr"] * ALPHA_S)   # weights only, not the bias
    return model.weight.detach().numpy().ravel()


w_adam = train("adam")
w_psgd = train("prox-sgd")
w_pfull = train("full-batch prox")
w_ref = lasso(X_s, y_s, alpha=ALPHA_S, tol=1e-12).coef
zeros = {"(a) Adam + L1 subgradient": w_adam, "(b) proximal SGD": w_psgd,
         "(b') full-batch prox (ISTA)": w_pfull, "(c) regbook lasso": w_ref}
for name, w in zeros.items():
    print(f"{name:<28} exact zeros {int(np.sum(w == 0)):3d} of {p_s};  max |w - w_lasso| "
          f"{np.abs(w - w_ref).max():.4f}")
inactive = w_ref == 0
print(f"Adam: median |w_j| over the lasso's zero coefficients {np.median(np.abs(w_adam[inactive])):.1e}")

# %% [markdown]
# The claims, asserted: Adam leaves no weight at exactly zero; proximal SGD zeroes most of the
# coefficients the lasso zeroes and agrees with it to about $10^{-2}$; full-batch proximal steps reproduce
# the lasso's zeros exactly.

# %%
n_zero_ref = int(np.sum(w_ref == 0))
assert np.sum(w_adam == 0) == 0
assert np.sum(w_psgd == 0) >= 0.75 * n_zero_ref and np.abs(w_psgd - w_ref).max() < 1e-2
assert np.all((w_pfull == 0) == (w_ref == 0)) and np.abs(w_pfull - w_ref).max() < 1e-6
assert np.abs(w_adam - w_ref).max() < 0.05                   # Adam is close, just never exactly zero
glue("ch3_zero_ref", n_zero_ref, display=False)
glue("ch3_zero_psgd", int(np.sum(w_psgd == 0)), display=False)
glue("ch3_adam_median", float(f"{np.median(np.abs(w_adam[inactive])):.1e}"), display=False)

# %% [markdown]
# The lasso has {glue:text}`ch3_zero_ref` zero coefficients. Adam has none; its "zero" weights have a
# median magnitude of {glue:text}`ch3_adam_median`, small but not zero, and any threshold used to
# round them off would be an extra, arbitrary hyperparameter. Proximal SGD has
# {glue:text}`ch3_zero_psgd`: mini-batch noise occasionally kicks a coefficient whose full gradient is
# just inside $[-\alpha, \alpha]$ out of zero for one step, which is why the full-batch version matches
# the lasso exactly. (Variance-reduced and dual-averaging variants of proximal SGD reduce that effect.)
#
# ## Application 1: the lasso path on the diabetes data
#
# The diabetes data ship with scikit-learn: ten baseline measurements (age, sex, body mass index `bmi`,
# blood pressure `bp`, six blood serum measurements `s1` to `s6`) of 442 patients, and a measure of disease
# progression one year later. It is the example of the LARS paper {cite}`efron2004least`. We standardize
# the features and compute the **regularization path** (正则化路径), the solutions for 200 values of
# $\alpha$ from $\alpha_{\max}$ down to $10^{-4}\alpha_{\max}$, with regbook's warm-started coordinate
# descent.

# %%
diabetes = load_diabetes(scaled=False)
names = np.array(diabetes.feature_names)
X_d = diabetes.data - diabetes.data.mean(axis=0)
X_d /= X_d.std(axis=0)
y_d = diabetes.target - diabetes.target.mean()
path_d = lasso_path(X_d, y_d, n_alphas=200, eps=1e-4, tol=1e-10)
nnz_d = np.sum(path_d.coefs != 0, axis=0)

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11.5, 4.3), gridspec_kw={"width_ratios": [1.6, 1]})
label_y = path_d.coefs[:, -1].copy()                    # end-of-path labels, nudged apart
for _ in range(50):
    o = np.argsort(label_y)
    for a_, b_ in zip(o[:-1], o[1:]):
        if label_y[b_] - label_y[a_] < 2.5:
            label_y[a_] -= 0.2
            label_y[b_] += 0.2
for j in range(X_d.shape[1]):
    ax0.plot(path_d.alphas, path_d.coefs[j], ls="-" if j < 7 else "--")
    ax0.annotate(names[j], (path_d.alphas[-1], label_y[j]), fontsize=8, xytext=(3, 0),
                 textcoords="offset points", va="center")
ax0.set(xscale="log", xlabel=r"$\alpha$ (log scale)", ylabel="coefficient (per standard deviation)",
        title="Lasso path, diabetes data")
ax0.invert_xaxis()
ax1.step(path_d.alphas, nnz_d, where="post")
ax1.set(xscale="log", xlabel=r"$\alpha$ (log scale)", ylabel="number of non-zero coefficients",
        title="Sparsity along the path")
ax1.invert_xaxis()
plt.show()

# %% [markdown]
# Reading the path from left to right ($\alpha$ decreasing), features enter one at a time. The order in
# which they first become non-zero is a ranking of the features, computed here from the path, and
# compared with the order of scikit-learn's `lars_path(method="lasso")`, which computes the same path
# exactly, knot by knot, with the LARS algorithm modified for the lasso {cite}`efron2004least`. As a
# second check we solve the lasso at the midpoint (geometric mean) of every pair of consecutive LARS knots
# and compare the active sets.

# %%
def entry_order(coefs):
    """Features in the order in which they first become non-zero along a path (columns)."""
    first = [int(np.argmax(coefs[j] != 0)) if np.any(coefs[j] != 0) else coefs.shape[1]
             for j in range(coefs.shape[0])]
    return [int(j) for j in np.argsort(first, kind="stable")]


order_cd = entry_order(path_d.coefs)
alphas_lars, _, coefs_lars = lars_path(X_d, y_d, method="lasso")
order_lars = entry_order(coefs_lars)
print("entry order, coordinate descent:", ", ".join(names[order_cd]))
print("entry order, LARS (lasso):      ", ", ".join(names[order_lars]))
assert order_cd == order_lars

mids = np.sqrt(alphas_lars[:-2] * alphas_lars[1:-1])     # between consecutive knots (last knot is 0)
same = [np.array_equal(lasso(X_d, y_d, alpha=a, tol=1e-12).coef != 0, coefs_lars[:, i + 1] != 0)
        for i, a in enumerate(mids)]
print(f"active sets equal between all {len(mids)} pairs of LARS knots: {all(same)}")
assert all(same)
drops = [(names[j], i) for i in range(1, coefs_lars.shape[1]) for j in range(X_d.shape[1])
         if coefs_lars[j, i - 1] != 0 and coefs_lars[j, i] == 0]
print("features that leave the model along the path:", [d[0] for d in drops])
assert len(drops) >= 1 and np.any(np.diff(nnz_d) < 0)
assert list(names[order_cd[:3]]) == ["bmi", "s5", "bp"]
assert drops[0][0] == "s3" and coefs_lars[list(names).index("s3"), -1] != 0      # s3 leaves, then re-enters
glue("ch3_first_three", ", ".join(names[order_cd[:3]]), display=False)
glue("ch3_drop", str(drops[0][0]), display=False)

# %% [markdown]
# Both algorithms agree on the order: body mass index enters first, followed by the serum measurement
# `s5` and blood pressure (the first three are {glue:text}`ch3_first_three`). The active sets agree
# between every pair of knots. The path also shows something the "L1 makes weights sparse" slogans hide:
# the number of non-zero coefficients is *not* monotone in $\alpha$. Feature {glue:text}`ch3_drop` enters,
# leaves again, and re-enters near the least-squares end, where strongly correlated serum measurements
# trade weight. A feature's selection is a statement about a particular $\alpha$, not a property of the
# feature.
#
# ## Application 2: L1-regularized logistic regression on the breast-cancer data
#
# The Wisconsin diagnostic breast-cancer data {cite}`street1993nuclear` (also bundled with scikit-learn)
# describe 569 cell-nucleus images by 30 features (mean, standard error and worst value of ten shape and
# texture measurements) with a benign or malignant diagnosis. Many of the 30 features are nearly
# redundant, so L1 regularization can classify with a few of them. The L1 penalty suits feature selection
# in logistic regression in a precise sense: its sample complexity grows only logarithmically with the
# number of irrelevant features {cite}`ng2004feature`.
#
# We use regbook's `logistic_regression` with scikit-learn's objective
# $C\sum_i \ell_{\log}(y_i, w_0 + x_i^\top w) + \lVert w\rVert_1$ (`l1_ratio=1`), for 14 values of $C$ and
# on 5 random stratified splits (60 % training, 20 % validation, 20 % test, features standardized with the
# training statistics), and record the test accuracy and the number of selected features.

# %%
C_GRID = np.logspace(-2, 0, 9)
SPLITS = range(5)
acc = np.zeros((len(SPLITS), C_GRID.size))
val_acc = np.zeros_like(acc)
acc_l2 = np.zeros(len(SPLITS))                           # L2 penalty, all 30 features, C = 1
n_sel = np.zeros_like(acc)
selected = np.zeros((len(SPLITS), C_GRID.size, 30), dtype=bool)
for s in SPLITS:
    sp = data.load_dataset("breast_cancer", seed=s, val_size=0.2, test_size=0.2)
    for i, C in enumerate(C_GRID):
        res = logistic_regression(sp.X_train, sp.y_train, C=C, l1_ratio=1.0, max_iter=20_000)
        coef = np.ravel(res.coef)

        def accuracy(Xe, ye):
            return float(np.mean(((Xe @ coef + res.intercept) > 0).astype(int) == ye))

        acc[s, i], val_acc[s, i] = accuracy(sp.X_test, sp.y_test), accuracy(sp.X_val, sp.y_val)
        selected[s, i] = coef != 0
        n_sel[s, i] = np.sum(coef != 0)
    res_l2 = logistic_regression(sp.X_train, sp.y_train, C=1.0, l1_ratio=0.0, max_iter=20_000)
    acc_l2[s] = float(np.mean(((sp.X_test @ np.ravel(res_l2.coef) + res_l2.intercept) > 0) == sp.y_test))

fig, ax = plt.subplots(figsize=(6.5, 4.2))
m, sd = acc.mean(axis=0), acc.std(axis=0)
ax.errorbar(n_sel.mean(axis=0), m, xerr=n_sel.std(axis=0), yerr=sd, fmt="o-", capsize=3,
            label="L1, C from 0.01 to 1")
ax.axhspan(acc_l2.mean() - acc_l2.std(), acc_l2.mean() + acc_l2.std(), color="0.88",
           label="L2, C = 1, all 30 features (mean ± std)")
ax.legend(loc="lower right")
ax.set(xlabel="number of selected features (mean ± std over 5 splits)", ylabel="test accuracy (mean ± std)",
       title="L1 logistic regression, breast cancer: accuracy vs sparsity")
plt.show()
for i in range(C_GRID.size):
    print(f"C = {C_GRID[i]:7.4f}: features {n_sel[:, i].mean():5.1f} ± {n_sel[:, i].std():4.1f}, "
          f"test accuracy {acc[:, i].mean():.3f} ± {acc[:, i].std():.3f}")

# %% [markdown]
# A parity check for one fit (first split, $C = 0.1$) against scikit-learn's `LogisticRegression` with the
# same objective (`l1_ratio=1`, SAGA solver, a tight tolerance):

# %%
sp0 = data.load_dataset("breast_cancer", seed=0, val_size=0.2, test_size=0.2)
ours = logistic_regression(sp0.X_train, sp0.y_train, C=0.1, l1_ratio=1.0, tol=1e-10, max_iter=100_000)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    theirs = LogisticRegression(C=0.1, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=100_000).fit(
        sp0.X_train, sp0.y_train)
err_lr = np.abs(np.ravel(ours.coef) - theirs.coef_.ravel()).max()
print(f"max |coef difference| {checks.error_bound(err_lr, floor=1e-4)}, "
      f"same zeros: {bool(np.array_equal(np.ravel(ours.coef) != 0, np.abs(theirs.coef_.ravel()) > 1e-6))}")
assert err_lr < 1e-4

# %% [markdown]
# Which features survive? We take the first value of $C$ on the grid (the strongest penalty) at which at
# least five features are selected on average, and list the features selected in all five splits there.
# We also choose $C$ per split by validation accuracy, the honest way to use the curve.

# %%
feature_names = np.array(load_breast_cancer().feature_names)
i_sparse = int(np.argmax(n_sel.mean(axis=0) >= 5))
always = np.all(selected[:, i_sparse], axis=0)
i_best = np.argmax(val_acc, axis=1)                      # C chosen on the validation set, per split
acc_chosen = acc[np.arange(len(SPLITS)), i_best]
nsel_chosen = n_sel[np.arange(len(SPLITS)), i_best]
print(f"L2 penalty, all 30 features: test accuracy {acc_l2.mean():.3f} ± {acc_l2.std():.3f}")
print(f"L1, C = {C_GRID[i_sparse]:.3f}: {n_sel[:, i_sparse].mean():.1f} features on average, "
      f"test accuracy {acc[:, i_sparse].mean():.3f} ± {acc[:, i_sparse].std():.3f}")
print(f"  selected in all 5 splits: {', '.join(feature_names[always])}")
print(f"L1, C chosen on validation: test accuracy {acc_chosen.mean():.3f} ± {acc_chosen.std():.3f} with "
      f"{nsel_chosen.mean():.1f} ± {nsel_chosen.std():.1f} features")

# %% [markdown]
# The claims, asserted: a handful of features classify almost as well as all thirty, and the features kept
# in every split include the worst (largest) concave points and the worst radius.

# %%
assert n_sel[:, i_sparse].mean() <= 8 and acc[:, i_sparse].mean() > acc_l2.mean() - 0.04
assert acc_chosen.mean() > acc_l2.mean() - 0.02 and nsel_chosen.mean() < 20
assert {"worst concave points", "worst radius"} <= set(feature_names[always])
assert np.all(np.diff(n_sel.mean(axis=0)) >= 0)          # weaker penalty, more features (on average)
glue("ch3_bc_sparse_k", round(float(n_sel[:, i_sparse].mean()), 1), display=False)
glue("ch3_bc_sparse_acc", round(float(acc[:, i_sparse].mean()), 4), display=False)
glue("ch3_bc_l2_acc", round(float(acc_l2.mean()), 4), display=False)
glue("ch3_bc_chosen_acc", round(float(acc_chosen.mean()), 4), display=False)
glue("ch3_bc_chosen_sd", round(float(acc_chosen.std()), 4), display=False)
glue("ch3_bc_chosen_k", round(float(nsel_chosen.mean()), 1), display=False)
glue("ch3_bc_n_always", int(always.sum()), display=False)

# %% [markdown]
# With about {glue:text}`ch3_bc_sparse_k` features the mean test accuracy is
# {glue:text}`ch3_bc_sparse_acc`, against {glue:text}`ch3_bc_l2_acc` for the L2-penalized model on all 30;
# choosing $C$ on the validation set gives {glue:text}`ch3_bc_chosen_acc` ± {glue:text}`ch3_bc_chosen_sd`
# with {glue:text}`ch3_bc_chosen_k` features on average. {glue:text}`ch3_bc_n_always` features are
# selected in every split at the sparse setting; which of the redundant ones join them varies between
# splits (radius, perimeter and area measure nearly the same thing, and the lasso picks one of a
# correlated group). A selected set is a property of the data sample and of $C$, and should be reported
# with its stability, as here.
#
# (ch3-pitfalls)=
# ## Pitfalls and corrections
#
# **"L1 ... 对数据分布敏感，可能产生过拟合或欠拟合" (004, disadvantages of L1; "sensitive to the data
# distribution, may overfit or underfit").** Any penalty overfits when $\alpha$ is too small and
# underfits when it is too large; that is a statement about $\alpha$, not about L1, and 004 simultaneously
# calls L2 "对数据分布不敏感" (insensitive). What is true, and applies to *both* penalties, is that they
# depend on the units of the features: least squares is unchanged when a feature is rescaled (its
# coefficient just rescales), but a penalty on the coefficients is not. On the diabetes data we change the
# units of one feature at a time: body mass index in units ten times larger (its values become ten times
# smaller, so the same effect needs a ten times larger, more penalized coefficient), and age in units a
# hundred times smaller (the same effect now costs almost no penalty).

# %%
def selected_names(coef):
    return ", ".join(names[coef != 0])


base_l1 = lasso(X_d, y_d, alpha=2.0, tol=1e-12)
print(f"lasso, alpha = 2, standardized features: {selected_names(base_l1.coef)}")
for j, factor in ((2, 0.1), (0, 100.0)):                 # bmi in units 10x larger, age in units 100x smaller
    X_units = X_d.copy()
    X_units[:, j] *= factor
    moved = lasso(X_units, y_d, alpha=2.0, tol=1e-12)
    ridge_change = np.abs(X_d @ ridge(X_d, y_d, alpha=50.0).coef - X_units @ ridge(X_units, y_d, alpha=50.0).coef)
    ols_change = np.abs(X_d @ ridge(X_d, y_d, alpha=0.0).coef - X_units @ ridge(X_units, y_d, alpha=0.0).coef)
    print(f"'{names[j]}' times {factor:g}: lasso selects {selected_names(moved.coef)}")
    print(f"    ridge (alpha = 50) predictions move by up to {ridge_change.max():.2f}; "
          f"least squares by {checks.error_bound(ols_change.max(), floor=1e-8)}")
    assert (base_l1.coef[j] != 0) != (moved.coef[j] != 0)       # the feature's selection flips
    assert ols_change.max() < 1e-8
    if j == 2:
        assert ridge_change.max() > 10.0

# %% [markdown]
# The remedy for both is to standardize the features (with the training statistics) before penalizing,
# as every experiment in this chapter does. A second genuine weakness: with strongly correlated features
# the lasso tends to pick one of a group and drop the rest, and which one it picks can change with the
# sample; the diabetes path showed a feature leaving and re-entering. The elastic net
# {cite}`zou2005regularization` (next chapter) mixes in an L2 term to keep such groups together.
#
# **004's code: `reg_loss = tf.reduce_sum(tf.abs(model.trainable_weights))`.** Four problems. (1) It
# cannot run: `model.trainable_weights` is a *list* of tensors of different shapes (the kernel, shape
# `(input_dim, 1)`, and the bias, shape `(1,)`), and taking `abs` of it first converts the list into one
# tensor, which fails for ragged shapes. TensorFlow is not installed here; NumPy and PyTorch show the same
# failure. (2) Even fixed to `sum(tf.reduce_sum(tf.abs(w)) for w in ...)`, it penalizes the bias. (3) The
# same code already declares `kernel_regularizer=tf.keras.regularizers.l1(0.01)` on the layer: that
# penalty lands in `model.losses`, which this hand-written loop never adds, so it is silently ignored;
# fix the loop the usual way (`loss + sum(model.losses)`) and the kernel is penalized twice. (4) In
# `total_loss`, the line `reg_loss = reg_loss(model)` makes `reg_loss` a local variable of the function,
# so calling it raises `UnboundLocalError` before anything is computed. The section is also announced as
# "使用TensorFlow ... 的PyTorch代码实现" while every line is TensorFlow.

# %%
kernel, bias = np.zeros((8, 1)), np.zeros(1)            # the shapes of a Dense(1) layer on 8 inputs
for name, f in (("numpy.abs", lambda: np.abs([kernel, bias])),
                ("torch.abs", lambda: torch.abs([torch.zeros(8, 1), torch.zeros(1)]))):
    try:
        f()
        outcome = "ran"
    except (ValueError, TypeError) as exc:
        outcome = f"{type(exc).__name__}"
    print(f"{name} of [kernel, bias]: {outcome}")
    assert outcome != "ran"

# 004's total_loss, with stand-ins for the TensorFlow calls (the scoping error is pure Python)
def mse_loss(y_true, y_pred):
    return 0.0


def reg_loss(model):
    return 0.0


def total_loss(model, y_true, y_pred):
    loss = mse_loss(y_true, y_pred)
    reg_loss = reg_loss(model)  # noqa: F823 -- 004's line, verbatim
    return loss + 0.01 * reg_loss


try:
    total_loss(None, 0.0, 0.0)
    outcome = "ran"
except UnboundLocalError as exc:
    outcome = f"UnboundLocalError: {exc}"
print(f"004's total_loss: {outcome}")
assert outcome.startswith("UnboundLocalError")

# %% [markdown]
# The working PyTorch version is the one in the experiment above: penalize `model.weight` only (with
# `regbook.pt.penalties.l1`, or better, take a proximal step with `prox_l1_` after each optimizer step);
# for models with many layers, `regbook.pt.penalties.decay_parameters(model)` returns the weights to
# penalize and leaves biases and normalization parameters out.
#
# **004's worked example penalizes the intercept**, $\lambda(|\theta_0| + |\theta_1| + |\theta_2|)$. With
# standardized features the penalized intercept is soft-thresholded, $\theta_0 = S_\alpha(\bar y)$: it is
# exactly zero whenever the mean label lies within $\alpha$ of zero, and otherwise every prediction is
# pulled towards zero by $\alpha$, so the model no longer follows a shift of the labels. Below, centred
# diabetes labels are fitted with $\alpha = 2$ and then shifted by 100; with an unpenalized intercept every
# prediction moves by exactly 100.

# %%
y_shift = y_d + 100.0
ones = np.ones((len(y_d), 1))
own = lasso(X_d, y_d, alpha=2.0, tol=1e-12)
own_shift = lasso(X_d, y_shift, alpha=2.0, tol=1e-12)
pen = lasso(np.hstack([ones, X_d]), y_d, alpha=2.0, fit_intercept=False, tol=1e-12)
pen_shift = lasso(np.hstack([ones, X_d]), y_shift, alpha=2.0, fit_intercept=False, tol=1e-12)
move_own = (X_d @ own_shift.coef + own_shift.intercept) - (X_d @ own.coef + own.intercept)
move_pen = np.hstack([ones, X_d]) @ (pen_shift.coef - pen.coef)
print(f"unpenalized intercept: predictions move by {move_own.min():.6f} to {move_own.max():.6f}")
print(f"penalized intercept:   on centred labels it is {pen.coef[0]:.4f} "
      f"(exactly zero: {bool(pen.coef[0] == 0)}); "
      f"after the shift predictions move by {move_pen.min():.2f} to {move_pen.max():.2f}")
assert np.abs(move_own - 100).max() < 1e-8 and pen.coef[0] == 0 and np.abs(move_pen - 100).max() > 1.0

# %% [markdown]
# **A reference that does not exist.** 004 lists "L1: A Projection Operator for Learning Sparse
# High-Dimensional Representations with Challenges (Johnson等, 2010)" as the paper that introduced L1
# regularization. We could find no such paper. The lasso is due to {cite}`tibshirani1996regression`; its
# path algorithm LARS to {cite}`efron2004least`; pathwise coordinate descent to
# {cite}`friedman2010regularization`; FISTA to {cite}`beck2009fast`. A book-length treatment is
# {cite}`hastie2015statistical`.
#
# **"L1 makes the weights sparse" (000, 001, 002, 003, 004).** True of the exact minimizer, and of the
# algorithms that handle the kink at zero exactly (coordinate descent, proximal gradient, LARS). False for
# the way the sources suggest training it, gradient-based optimization of loss + $\lambda\lVert w\rVert_1$:
# the Adam experiment above ended with zero exact zeros out of 50, against {glue:text}`ch3_zero_ref` for the
# lasso.
#
# **"L2 makes the weights uniformly close to 0 but never exactly 0" (003).** The "never" is right for the
# ridge *solution*, for the reason {eq}`eq-lasso-kkt` gives: $\hat w_j = 0$ requires the equation
# $c_j = 0$ rather than the inequality $|c_j| \le \alpha$, and the proximal operator $x/(1+t)$ of the L2
# penalty never maps a non-zero input to zero. (During training with a gradient method neither penalty
# gives exact zeros.) "Uniformly" is wrong: ridge shrinks the least-squares fit along the principal
# directions of $X$, by the factor $d_k^2/(d_k^2 + \alpha)$ for singular value $d_k$, so different
# coefficients shrink by different factors, and with correlated features a coefficient can even grow or
# change sign as $\alpha$ increases. On the diabetes data:

# %%
ridge_path = np.array([ridge(X_d, y_d, alpha=a).coef for a in np.logspace(-2, 4, 61)])
ols_d = ridge_path[0]
ratios = ridge(X_d, y_d, alpha=100.0).coef / ols_d
sign_changes = [names[j] for j in range(X_d.shape[1]) if np.any(np.diff(np.sign(ridge_path[:, j])) != 0)]
print(f"ridge (alpha = 100) / least squares, per feature: min {ratios.min():.3f}, max {ratios.max():.3f}")
print(f"coefficients that change sign along the ridge path: {', '.join(sign_changes)}")
print(f"zero coefficients along the ridge path: {int(np.sum(ridge_path == 0))}")
assert ratios.max() > 1 and ratios.min() < 0 and len(sign_changes) >= 1 and np.all(ridge_path != 0)

# %% [markdown]
# **The FAQ answer of 000 to "L1和L2有什么区别": both "使模型更简洁" (make the model simpler).** That
# answers a different question. The differences: L1 produces exact zeros (feature selection) and L2 does
# not; L1 corresponds to a Laplace prior and L2 to a Gaussian one; the L2 problem has a closed form and a
# unique solution, the L1 problem needs an iterative solver and its solution need not be unique; and they
# treat correlated features oppositely. The last two show with the simplest correlated pair, a feature
# duplicated: ridge splits the weight equally, the lasso puts it all on one copy, and moving weight between
# the copies (same sign) does not change the lasso objective at all.

# %%
X_dup = np.hstack([X_d[:, [2]], X_d[:, [2]], X_d[:, [8]]])       # bmi twice, and s5
l1_dup = lasso(X_dup, y_d, alpha=2.0, tol=1e-14).coef
l2_dup = ridge(X_dup, y_d, alpha=10.0).coef
split = l1_dup.copy()
split[:2] = l1_dup[:2].sum() / 2                                  # the same total weight, shared
obj = lambda w: lasso_objective(w, X_dup, y_d, 2.0)  # noqa: E731 (X_dup and y_d are centred)
print(f"ridge coefficients on (bmi, bmi copy, s5): {np.round(l2_dup, 4)}")
print(f"lasso coefficients on (bmi, bmi copy, s5): {np.round(l1_dup, 4)}")
print(f"lasso objective, all weight on one copy vs split: {obj(l1_dup):.6f} vs {obj(split):.6f}")
assert abs(l2_dup[0] - l2_dup[1]) < 1e-10 and np.sum(l1_dup[:2] == 0) == 1
assert abs(obj(l1_dup) - obj(split)) < 1e-9

# %% [markdown]
# ## Summary
#
# - The lasso {eq}`eq-lasso-objective` adds $\alpha\lVert w\rVert_1$ to the mean squared loss; it is
#   equivalent to a constraint $\lVert w\rVert_1 \le t$ {eq}`eq-lasso-constrained` and to MAP estimation
#   under a Laplace prior with $\alpha = \sigma^2/(nb)$ {eq}`eq-lasso-laplace-alpha`.
# - Its optimality conditions {eq}`eq-lasso-kkt` say that a coefficient is zero as long as its feature's
#   correlation with the residual stays inside $[-\alpha, \alpha]$; that interval is where the zeros come
#   from, and $\alpha_{\max}$ {eq}`eq-lasso-alpha-max` is where the path starts.
# - Soft thresholding {eq}`eq-lasso-soft-threshold` is the proximal operator of the L1 norm. Coordinate
#   descent {eq}`eq-lasso-cd-update` and ISTA/FISTA {eq}`eq-lasso-ista` are built from it, converge at the
#   rates {eq}`eq-lasso-rates`, and the duality gap {eq}`eq-lasso-dual` certifies their accuracy.
# - Exact zeros need an algorithm that handles the kink: subgradient steps with Adam gave none, proximal
#   SGD gave most of them, full-batch proximal steps all of them.
# - On the diabetes data the lasso ranks features by their entry into the path, as LARS does; on the
#   breast-cancer data a few features classify almost as well as thirty.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 3 <exercises/solutions/a03_lasso>` has coding exercises on this chapter with checks you can run,
# and covers exercise 6 below (the elastic-net sweep of exercise 2 is in assignment 4); download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Prox of the elastic net.** Derive, by the case analysis used for {eq}`eq-lasso-soft-threshold`, the
#    minimizer of $\frac12(z - x)^2 + t\bigl(\rho|z| + \frac{1-\rho}{2}z^2\bigr)$. Check your formula
#    against a brute-force minimization and against `regbook.np.prox.prox_elastic_net` with
#    `regbook.checks.assert_close`.
# 2. **Coordinate descent for the elastic net (coding).** Extend `cd_sweep` to the elastic-net objective
#    $\frac1{2n}\lVert y_c - X_cw\rVert^2 + \alpha\rho\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\lVert w\rVert^2$
#    (derive the update first). Check your solution `w` against
#    `ref = regbook.np.coordinate_descent.elastic_net(X, y, alpha=0.1, l1_ratio=0.5, tol=1e-12).coef` with
#    `checks.assert_close(w, ref, rtol=1e-6)`, and with
#    `regbook.np.penalties.enet_kkt_violation(w, grad, alpha=0.1, l1_ratio=0.5) < 1e-8`.
# 3. **ISTA with backtracking (coding).** Implement ISTA without knowing $L$: start from $t = 1$ and halve $t$
#    until $f(w^+) \le f(w) + \nabla f(w)^\top(w^+ - w) + \lVert w^+ - w\rVert^2/(2t)$. Verify that the
#    objective never increases, and that your solution passes
#    `checks.assert_close(w, sklearn.linear_model.Lasso(alpha, tol=1e-12).fit(X, y).coef_, rtol=1e-5)`.
# 4. **Orthonormal design.** Show that if $X_c^\top X_c = nI$, the lasso solution is
#    $S_\alpha(\hat w_{\text{OLS}})$ coordinate by coordinate and the ridge solution (scikit-learn's scaling)
#    is $\hat w_{\text{OLS}}\,n/(n + \alpha)$. Build such an $X$ with a QR factorization (as in the geometry
#    section) and check both with `checks.assert_close`.
# 5. **$\alpha_{\max}$ and uniqueness.** Prove {eq}`eq-lasso-alpha-max` from {eq}`eq-lasso-kkt`. Then show
#    that the fitted values $X\hat w$ are the same for every solution of the lasso (hint: the loss is
#    strictly convex in $Xw$), even when $\hat w$ itself is not unique, as in the duplicated-feature example.
# 6. **Gaussian prior.** Repeat the derivation of {eq}`eq-lasso-laplace-alpha` for the prior
#    $w_j \sim \mathcal N(0, \tau^2)$ and show that the MAP is ridge regression with
#    $\alpha_{\text{ridge}} = \sigma^2/\tau^2$; check it numerically as in the Laplace cell.
# 7. **Adam and proximal steps.** Apply `prox_l1_` with threshold $\eta\alpha$ after each *Adam* step in the
#    experiment above. Do you get exact zeros? Do they agree with the lasso's? Explain why the answer to the
#    second question is no in general (hint: Adam's step is preconditioned, so the matching proximal step
#    would use a per-coordinate threshold).
#
# ## References
#
# The lasso is due to {cite}`tibshirani1996regression`, LARS and the diabetes example to
# {cite}`efron2004least`, pathwise coordinate descent to {cite}`friedman2010regularization`, and FISTA with
# its convergence rates to {cite}`beck2009fast`. {cite}`parikh2014proximal` survey proximal operators and
# algorithms; screening rules and dual extrapolation are in
# {cite}`tibshirani2012strong,fercoq2015mind,massias2018celer`. The Bayesian lasso is
# {cite}`park2008bayesian`, L1 versus L2 for logistic regression {cite}`ng2004feature`, and the
# breast-cancer data {cite}`street1993nuclear`. {cite}`hastie2015statistical` is a book-length treatment
# of sparsity; {cite}`hastie2009elements` and {cite}`goodfellow2016deep` place it among the other
# regularizers. Full entries are in the {doc}`bibliography`.
