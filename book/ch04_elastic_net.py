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
# (ch-elastic-net)=
# # Elastic net: mixing L1 and L2
#
# The lasso selects features and ridge regression copes with correlated ones; the **elastic net**
# (弹性网络) of Zou and Hastie {cite}`zou2005regularization` adds both penalties and gets both
# behaviours. The source articles mention the idea only as a "future trend" under the name
# **mixed regularization** (混合正则化); it has been a standard method since 2005. This chapter
# writes its objective in the two parameterizations in use and converts between them, derives the
# facts that make it work (a lasso on augmented data, a closed-form proximal operator, a one-line
# coordinate-descent update, the grouping effect) and checks each one numerically, then measures
# on data when it helps and when it does not.

# %%
import itertools

import matplotlib.pyplot as plt
import numpy as np
import torch
from myst_nb import glue
from scipy import optimize
from sklearn.linear_model import ElasticNet as SkElasticNet

import regbook
from regbook import checks, data
from regbook.np.coordinate_descent import alpha_max, elastic_net, enet_path, lasso
from regbook.np.linear import ridge
from regbook.np.penalties import elastic_net as enet_penalty
from regbook.np.penalties import enet_kkt_violation
from regbook.np.prox import prox_elastic_net, soft_threshold

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: groups of correlated features
#
# Many real predictors come in groups that measure nearly the same thing: genes in one pathway,
# pixels next to each other, blood tests of related quantities. We simulate that. Three latent
# factors $z_1, z_2, z_3$ drive the response, $y = 3z_1 - 2z_2 + 1.5z_3 + \varepsilon$, but we never
# observe them: each is seen through five noisy copies $x = z_g + 0.15\,\delta$ (within-group
# correlation about 0.98), next to 15 features of pure noise. So $p = 30$ features, $n = 100$
# training samples, and a validation set of the same size. Features are standardized with the
# training statistics, as every penalized fit in this book requires.

# %%
N_GROUPS, GROUP_SIZE, N_NOISE = 3, 5, 15
P_GROUPS = N_GROUPS * GROUP_SIZE
GROUPS = [np.arange(g * GROUP_SIZE, (g + 1) * GROUP_SIZE) for g in range(N_GROUPS)]
LATENT_COEF = np.array([3.0, -2.0, 1.5])


def make_groups(n, rng, *, within=0.15, noise=1.0):
    """y = Z @ LATENT_COEF + noise; X = five noisy copies of each latent column, then pure-noise columns."""
    Z = rng.standard_normal((n, N_GROUPS))                                          # (n, 3) latent factors
    X_groups = np.repeat(Z, GROUP_SIZE, axis=1) + within * rng.standard_normal((n, P_GROUPS))
    X = np.hstack([X_groups, rng.standard_normal((n, N_NOISE))])                    # (n, 30)
    return X, Z @ LATENT_COEF + noise * rng.standard_normal(n)


def standardize(X_train, *others):
    """Standardize every array with the statistics of X_train (no leakage)."""
    scaler = data.Standardizer().fit(X_train)
    return [scaler.transform(A) for A in (X_train, *others)]


TOL = 1e-8   # tight: which coefficients are exactly zero must not depend on when the solver stopped


def fit_on_validation(X, y, X_val, y_val, *, l1_ratio, n_alphas=40):
    """Elastic-net path on (X, y); return (alpha, coef, intercept) with the lowest validation MSE."""
    path = enet_path(X, y, l1_ratio=l1_ratio, n_alphas=n_alphas, tol=TOL)
    val_mse = np.mean((y_val[:, None] - X_val @ path.coefs - path.intercepts) ** 2, axis=0)
    k = int(np.argmin(val_mse))
    return float(path.alphas[k]), path.coefs[:, k], float(path.intercepts[k])


X_raw, y = make_groups(100, rng)
X_val_raw, y_val = make_groups(100, rng)
X, X_val = standardize(X_raw, X_val_raw)

fits = {rho: fit_on_validation(X, y, X_val, y_val, l1_ratio=rho) for rho in (1.0, 0.5)}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
colors = ["C0"] * GROUP_SIZE + ["C1"] * GROUP_SIZE + ["C2"] * GROUP_SIZE + ["0.6"] * N_NOISE
for ax, (rho, (a, w, _)) in zip(axes, fits.items()):
    ax.bar(np.arange(w.size), w, color=colors)
    ax.axhline(0, color="k", lw=0.8)
    name = "lasso" if rho == 1.0 else f"elastic net, l1_ratio = {rho}"
    ax.set(title=f"{name} (α = {a:.3g}, chosen on validation)", xlabel="feature index j (groups 1-3, then noise)")
axes[0].set_ylabel("coefficient $w_j$")
plt.show()


def top_share(w):
    """Share of each group's total |weight| carried by its largest coefficient, averaged over groups."""
    return float(np.mean([np.abs(w[g]).max() / np.abs(w[g]).sum() for g in GROUPS]))


print(f"largest coefficient's share of its group: lasso {top_share(fits[1.0][1]):.2f}, "
      f"elastic net {top_share(fits[0.5][1]):.2f} (an even split is {1 / GROUP_SIZE})")
assert top_share(fits[1.0][1]) > 0.4 and top_share(fits[0.5][1]) < 0.3

# %% [markdown]
# The lasso (left) puts most of each group's weight on one or two of the five copies, and which ones
# it picks depends on the noise in this sample (the stability experiment below measures how much).
# The elastic net (right) spreads the weight over the whole group. The rest of the chapter explains
# why, shows that the pattern is systematic, and asks whether it also predicts better.
#
# ## Theory: the objective in two parameterizations
#
# For a linear model $\hat y = Xw + b$ with an unpenalized intercept $b$, scikit-learn's
# `ElasticNet(alpha, l1_ratio)` and regbook's `elastic_net` minimize
#
# $$
# J(w, b) = \frac{1}{2n}\lVert y - Xw - b\mathbf 1\rVert_2^2
#   + \alpha\rho\,\lVert w\rVert_1 + \frac{\alpha(1-\rho)}{2}\,\lVert w\rVert_2^2 ,
# \qquad \alpha \ge 0,\ \rho \in [0, 1],
# $$ (eq-enet-sklearn)
#
# where $\alpha$ is the overall strength and $\rho$ (`l1_ratio`) the share of L1. $\rho = 1$ is the
# lasso {cite}`tibshirani1996regression`, $\rho = 0$ ridge regression {cite}`hoerl1970ridge`
# (scikit-learn's `Ridge(alpha=n·α)`, whose loss is a sum rather than a mean). glmnet
# {cite}`friedman2010regularization` minimizes the same objective (on features it standardizes
# first, by default) but names the strength `lambda` and the mixing `alpha`: **glmnet's α is
# scikit-learn's `l1_ratio`**, a classic source of confusion.
#
# Zou and Hastie {cite}`zou2005regularization` write the **naive elastic net** with two separate
# strengths, on centred $y$ and standardized $X$:
#
# $$
# L(\beta) = \lVert y - X\beta\rVert_2^2 + \lambda_2\lVert\beta\rVert_2^2 + \lambda_1\lVert\beta\rVert_1 .
# $$ (eq-enet-naive)
#
# Multiplying {eq}`eq-enet-sklearn` by $2n$ (which does not move the minimizer) gives
# $\lVert y - Xw\rVert^2 + 2n\alpha\rho\lVert w\rVert_1 + n\alpha(1-\rho)\lVert w\rVert^2$, so the two are
# the same problem when
#
# $$
# \lambda_1 = 2n\alpha\rho,\quad \lambda_2 = n\alpha(1-\rho)
# \qquad\Longleftrightarrow\qquad
# \alpha = \frac{\lambda_1 + 2\lambda_2}{2n},\quad \rho = \frac{\lambda_1}{\lambda_1 + 2\lambda_2}.
# $$ (eq-enet-conversion)
#
# The cell checks {eq}`eq-enet-conversion` without trusting any elastic-net code: it minimizes
# {eq}`eq-enet-naive` as written, with a general-purpose optimizer (L-BFGS-B on the split
# $\beta = u - v$, $u, v \ge 0$, which makes the objective smooth), and compares the minimizer with
# regbook's `elastic_net` at the converted $(\alpha, \rho)$.

# %%
n, p = X.shape
Xc, yc = X - X.mean(0), y - y.mean()        # X is already centred; y is centred here
lam1, lam2 = 40.0, 25.0                     # Zou & Hastie's strengths, chosen first


def zou_hastie_objective(uv):
    u, v = uv[:p], uv[p:]
    beta = u - v
    resid = yc - Xc @ beta
    value = resid @ resid + lam2 * beta @ beta + lam1 * np.sum(u + v)
    g_beta = -2 * Xc.T @ resid + 2 * lam2 * beta
    return value, np.concatenate([g_beta + lam1, -g_beta + lam1])


opt = optimize.minimize(zou_hastie_objective, np.zeros(2 * p), jac=True, method="L-BFGS-B",
                        bounds=[(0, None)] * (2 * p), options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
beta_zh = opt.x[:p] - opt.x[p:]

alpha_conv = (lam1 + 2 * lam2) / (2 * n)
rho_conv = lam1 / (lam1 + 2 * lam2)
res_conv = elastic_net(X, y, alpha=alpha_conv, l1_ratio=rho_conv, tol=1e-12, max_iter=10_000)
err_conv = checks.assert_close(res_conv.coef, beta_zh, rtol=1e-5, name="elastic_net at converted (alpha, l1_ratio)")
print(f"lambda1 = {lam1}, lambda2 = {lam2}  ->  alpha = {alpha_conv:.4f}, l1_ratio = {rho_conv:.4f}")
print(f"max rel. error, regbook vs direct minimization of (eq-enet-naive): {checks.error_bound(err_conv, floor=1e-5)}")
print(f"same zero pattern: {bool(np.array_equal(res_conv.coef == 0, np.abs(beta_zh) < 1e-8))}")
assert np.array_equal(res_conv.coef == 0, np.abs(beta_zh) < 1e-8)

# %% [markdown]
# ### Naive and rescaled elastic net
#
# Why "naive"? Take an orthogonal design with standardized columns, $X^\top X = nI$. Then
# {eq}`eq-enet-sklearn` separates into one problem per coordinate, and with
# $c_j = x_j^\top y / n$ (centred data) its solution, next to those of the lasso ($\rho = 1$) and of
# ridge ($\rho = 0$), is
#
# $$
# \hat w_j^{\text{enet}} = \frac{\operatorname{sign}(c_j)\max(|c_j| - \alpha\rho,\ 0)}{1 + \alpha(1-\rho)},
# \qquad
# \hat w_j^{\text{lasso}(\alpha\rho)} = \operatorname{sign}(c_j)\max(|c_j| - \alpha\rho,\ 0),
# \qquad
# \hat w_j^{\text{ridge}} = \frac{c_j}{1 + \alpha(1-\rho)} .
# $$ (eq-enet-orthonormal)
#
# The naive elastic net first soft-thresholds like the lasso and then shrinks once more like ridge:
# a **double shrinkage**. Zou and Hastie argue that this extra shrinkage adds bias without reducing
# variance much, and define the **elastic net** proper as the rescaled estimate
# $(1 + \lambda_2)\hat\beta^{\text{naive}}$ for columns of unit norm; for columns of unit *variance*
# ($\lVert x_j\rVert^2 = n$, the scaling used here) the factor is $1 + \alpha(1-\rho)$. In the
# orthogonal case the rescaled elastic net is exactly the lasso with strength $\alpha\rho$; with
# correlated features it is not. **scikit-learn's `ElasticNet`, glmnet and regbook all return the
# naive estimate** {eq}`eq-enet-sklearn`; the rescaling, if wanted, is one multiplication (and an
# intercept recomputed as $\bar y - \bar x^\top w$).
#
# The check builds an exactly orthogonal design with centred columns (a QR factorization) and
# compares regbook's solution with {eq}`eq-enet-orthonormal`, then the rescaled solution with
# regbook's lasso.

# %%
n_o, p_o = 50, 6
A = rng.standard_normal((n_o, p_o))
Q, _ = np.linalg.qr(A - A.mean(0))          # orthonormal, centred columns
X_orth = np.sqrt(n_o) * Q                   # X^T X = n I
y_orth = X_orth @ np.array([2.0, -1.0, 0.5, 0.1, 0.0, 0.0]) + rng.standard_normal(n_o)
alpha_o, rho_o = 0.4, 0.5

c = X_orth.T @ (y_orth - y_orth.mean()) / n_o
w_closed = soft_threshold(c, alpha_o * rho_o) / (1 + alpha_o * (1 - rho_o))
w_enet_o = elastic_net(X_orth, y_orth, alpha=alpha_o, l1_ratio=rho_o, tol=1e-12).coef
w_lasso_o = lasso(X_orth, y_orth, alpha=alpha_o * rho_o, tol=1e-12).coef
err_closed = checks.assert_close(w_enet_o, w_closed, rtol=1e-10, name="naive enet vs (eq-enet-orthonormal)")
err_rescaled = checks.assert_close((1 + alpha_o * (1 - rho_o)) * w_enet_o, w_lasso_o, rtol=1e-10,
                                   name="rescaled enet vs lasso (orthogonal design)")
print(f"naive elastic net vs closed form:        rel. error {checks.error_bound(err_closed)}")
print(f"rescaled elastic net vs lasso(alpha*rho): rel. error {checks.error_bound(err_rescaled)}")
print("coefficients: lasso", np.round(w_lasso_o, 4), " naive enet", np.round(w_enet_o, 4))

# %% [markdown]
# ### The elastic net is a lasso on augmented data
#
# The ridge part of the penalty can be absorbed into the data. With centred $X_c, y_c$, append $p$
# artificial samples: the rows of $\sqrt{n\alpha(1-\rho)}\,I_p$ with response 0,
#
# $$
# \tilde X = \begin{pmatrix} X_c \\ \sqrt{n\alpha(1-\rho)}\; I_p \end{pmatrix} \in \mathbb R^{(n+p)\times p},
# \qquad
# \tilde y = \begin{pmatrix} y_c \\ 0 \end{pmatrix}.
# $$ (eq-enet-augmented)
#
# Then $\lVert\tilde y - \tilde X w\rVert^2 = \lVert y_c - X_c w\rVert^2 + n\alpha(1-\rho)\lVert w\rVert^2$, so
# $J = \frac1{2n}\lVert\tilde y - \tilde Xw\rVert^2 + \alpha\rho\lVert w\rVert_1$. A lasso solver
# normalizes its loss by its own number of samples, $n + p$, so the elastic net at $(\alpha, \rho)$
# is the lasso on $(\tilde X, \tilde y)$, without intercept, at strength
#
# $$
# \tilde\alpha = \frac{n\,\alpha\rho}{n + p} .
# $$ (eq-enet-augmented-alpha)
#
# (Zou and Hastie's Lemma 1 is the same statement in their scaling, with an extra factor
# $(1+\lambda_2)^{-1/2}$ on $\tilde X$.) Two consequences follow at once. $\tilde X$ has rank $p$
# whatever $n$ is, so the elastic net can select all $p$ features even when $p > n$, where the lasso
# stops at $n$ (tested below); and the augmented problem is strongly convex, so the solution is
# unique. The check solves the augmented lasso with regbook's `lasso` and compares it with
# regbook's `elastic_net` on the original data, intercept included.

# %%
alpha_a, rho_a = 0.05, 0.5
res_enet = elastic_net(X, y, alpha=alpha_a, l1_ratio=rho_a, tol=1e-12, max_iter=10_000)
X_aug = np.vstack([Xc, np.sqrt(n * alpha_a * (1 - rho_a)) * np.eye(p)])      # (n + p, p)
y_aug = np.concatenate([yc, np.zeros(p)])                                   # (n + p,)
res_aug = lasso(X_aug, y_aug, alpha=n * alpha_a * rho_a / (n + p), fit_intercept=False,
                tol=1e-12, max_iter=10_000)
b_aug = y.mean() - X.mean(0) @ res_aug.coef                                 # intercept of the original problem
err_aug = checks.assert_close(res_aug.coef, res_enet.coef, rtol=1e-7, name="augmented lasso vs elastic net")
print(f"augmented lasso vs elastic net: coefficients rel. error {checks.error_bound(err_aug)}, "
      f"intercepts differ by {checks.error_bound(abs(b_aug - res_enet.intercept))}")
print(f"{int(np.sum(res_enet.coef != 0))} of {p} coefficients are non-zero in both")
assert abs(b_aug - res_enet.intercept) < 1e-8
assert np.array_equal(res_aug.coef == 0, res_enet.coef == 0)

# %% [markdown]
# ### Optimality conditions and the proximal operator
#
# $J$ is convex, so $(\hat w, \hat b)$ minimizes it exactly when zero is in its subdifferential
# (the KKT conditions). With the residual $\hat r = y - X\hat w - \hat b\mathbf 1$: $\hat b$ makes
# $\hat r$ sum to zero, and for every feature $j$
#
# $$
# \frac1n x_j^\top \hat r = \alpha\rho\, s_j + \alpha(1-\rho)\,\hat w_j,
# \qquad s_j = \operatorname{sign}(\hat w_j) \text{ if } \hat w_j \ne 0,\quad s_j \in [-1, 1] \text{ if } \hat w_j = 0 .
# $$ (eq-enet-kkt)
#
# `regbook.np.penalties.enet_kkt_violation` measures how far a candidate is from satisfying
# {eq}`eq-enet-kkt`. Every solver in this chapter is built from one more object, the **proximal
# operator** of the penalty $R(z) = \rho|z| + \frac{1-\rho}2 z^2$ scaled by $t > 0$. It acts
# coordinate by coordinate; for a scalar $x$, $z$ minimizes $\frac12(z - x)^2 + t\rho|z| +
# \frac{t(1-\rho)}{2}z^2$ iff $0 \in z - x + t\rho\,\partial|z| + t(1-\rho)z$, i.e.
# $(1 + t(1-\rho))\,z = x - t\rho\, s$ with $s \in \partial|z|$. If $|x| \le t\rho$, $z = 0$ works
# (take $s = x/(t\rho)$); otherwise $z$ has the sign of $x$ and $|z| = (|x| - t\rho)/(1 + t(1-\rho))$.
# In one formula,
#
# $$
# \operatorname{prox}_{tR}(x) = \frac{\operatorname{sign}(x)\max(|x| - t\rho,\ 0)}{1 + t(1-\rho)} :
# $$ (eq-enet-prox)
#
# soft thresholding at $t\rho$ (the L1 part) followed by a shrinkage by $1 + t(1-\rho)$ (the L2
# part). The check compares regbook's `prox_elastic_net` with a numerical one-dimensional
# minimization (Brent's method, accurate to about $10^{-7}$) for a grid of inputs, steps and mixings.

# %%
def prox_by_minimization(x, t, rho):
    f = lambda z: 0.5 * (z - x) ** 2 + t * (rho * abs(z) + 0.5 * (1 - rho) * z**2)  # noqa: E731
    return optimize.minimize_scalar(f, bounds=(-abs(x) - 1, abs(x) + 1), method="bounded",
                                    options={"xatol": 1e-12}).x


grid = list(itertools.product([-3.0, -0.7, -0.2, 0.0, 0.1, 0.45, 2.5], [0.1, 0.5, 2.0], [0.0, 0.3, 0.8, 1.0]))
worst = max(abs(float(prox_elastic_net(x, t, r)) - prox_by_minimization(x, t, r)) for x, t, r in grid)
print(f"{len(grid)} cases: max |prox_elastic_net - numerical argmin| {checks.error_bound(worst, floor=1e-6)}")
assert worst < 1e-6    # the accuracy of a bounded Brent search, not of the closed form

# %% [markdown]
# ### Coordinate descent
#
# Minimizing $J$ over one coefficient $w_j$ with all others fixed is a one-dimensional elastic-net
# problem. Write $r^{(j)} = y - Xw - b\mathbf 1 + x_j w_j$ for the partial residual (the residual
# without feature $j$'s contribution) and $a_j = \lVert x_j\rVert^2/n$. Setting the subgradient
# of $J$ in $w_j$ to zero, $-\frac1n x_j^\top(r^{(j)} - x_j w_j) + \alpha\rho s_j + \alpha(1-\rho)w_j
# \ni 0$, gives
#
# $$
# w_j \leftarrow \frac{\operatorname{sign}(u_j)\max(|u_j| - \alpha\rho,\ 0)}{a_j + \alpha(1-\rho)}
#     = \operatorname{prox}_{(\alpha/a_j)R}\!\Big(\frac{u_j}{a_j}\Big),
# \qquad u_j = \frac1n x_j^\top r^{(j)} ,
# $$ (eq-enet-cd)
#
# i.e. the univariate least-squares coefficient $u_j / a_j$ of the partial residual, passed
# through {eq}`eq-enet-prox` with $t = \alpha/a_j$. Cycling over $j$ until nothing changes is
# coordinate descent {cite}`friedman2010regularization`; for standardized features $a_j = 1$. Three
# checks: one update {eq}`eq-enet-cd` equals the exact minimizer of $J$ along that coordinate;
# a short loop built on {eq}`eq-enet-cd` converges to regbook's solution; and that solution
# satisfies {eq}`eq-enet-kkt`.

# %%
def enet_objective(w, b, X, y, alpha, rho):
    """(eq-enet-sklearn), computed with regbook's penalty function."""
    return 0.5 * np.mean((y - X @ w - b) ** 2) + enet_penalty(w, alpha, rho)


def cd_update(w, b, j, X, y, alpha, rho):
    """The new value of w_j from (eq-enet-cd)."""
    n = X.shape[0]
    a_j = X[:, j] @ X[:, j] / n
    r_j = y - X @ w - b + X[:, j] * w[j]                  # partial residual
    return float(prox_elastic_net((X[:, j] @ r_j / n) / a_j, alpha / a_j, rho))


w0 = 0.3 * rng.standard_normal(p)
for j in (0, 7, 20):
    def along_j(v, j=j):
        w = w0.copy()
        w[j] = v
        return enet_objective(w, y.mean(), X, y, alpha_a, rho_a)
    brute = optimize.minimize_scalar(along_j, bounds=(-10, 10), method="bounded", options={"xatol": 1e-12}).x
    print(f"coordinate {j:2d}: update (eq-enet-cd) {cd_update(w0, y.mean(), j, X, y, alpha_a, rho_a):+.6f}, "
          f"numerical argmin {brute:+.6f}")
    assert abs(cd_update(w0, y.mean(), j, X, y, alpha_a, rho_a) - brute) < 1e-7

# %% [markdown]
# The whole algorithm, for teaching only (it keeps the residual up to date instead of recomputing
# it, and centres the data so that the intercept drops out):

# %%
def cd_elastic_net(X, y, alpha, rho, tol=1e-13, max_sweeps=5000):
    """Cyclic coordinate descent on (eq-enet-sklearn) with the update (eq-enet-cd)."""
    n, p = X.shape
    Xc, yc = X - X.mean(0), y - y.mean()
    a = np.sum(Xc**2, axis=0) / n                         # (p,) a_j
    w, r = np.zeros(p), yc.copy()                         # r = y_c - X_c w
    for sweep in range(1, max_sweeps + 1):
        largest_step = 0.0
        for j in range(p):
            w_new = float(prox_elastic_net(w[j] + Xc[:, j] @ r / (n * a[j]), alpha / a[j], rho))
            r -= Xc[:, j] * (w_new - w[j])                # keep the residual in step
            largest_step = max(largest_step, abs(w_new - w[j]))
            w[j] = w_new
        if largest_step < tol:
            break
    return w, y.mean() - X.mean(0) @ w, sweep


w_cd, b_cd, sweeps_cd = cd_elastic_net(X, y, alpha_a, rho_a)
err_cd = checks.assert_close(w_cd, res_enet.coef, rtol=1e-8, name="teaching CD vs regbook elastic_net")
kkt = enet_kkt_violation(res_enet.coef, -X.T @ (y - X @ res_enet.coef - res_enet.intercept) / n,
                         alpha=alpha_a, l1_ratio=rho_a)
print(f"teaching loop ({sweeps_cd} sweeps) vs regbook: rel. error {checks.error_bound(err_cd, floor=1e-10)}")
print(f"KKT violation of regbook's solution: {checks.error_bound(kkt, floor=1e-10)} "
      f"(duality gap {checks.error_bound(res_enet.dual_gap, floor=1e-10)}, converged: {res_enet.converged})")
assert kkt < 1e-8 and res_enet.converged

# %% [markdown]
# ### The grouping effect
#
# Why does the elastic net share weight within a group? Take two features $i, j$ whose fitted
# coefficients are non-zero with the same sign, so $s_i = s_j$ in {eq}`eq-enet-kkt`. Subtracting the
# two conditions removes the L1 term:
#
# $$
# \alpha(1-\rho)\,(\hat w_i - \hat w_j) = \frac1n (x_i - x_j)^\top \hat r
# \quad\Longrightarrow\quad
# |\hat w_i - \hat w_j| \le \frac{\lVert x_i - x_j\rVert_2\,\lVert\hat r\rVert_2}{n\,\alpha(1-\rho)} .
# $$ (eq-enet-grouping-exact)
#
# For standardized columns (mean 0, variance 1) with sample correlation $c_{ij}$,
# $\lVert x_i - x_j\rVert^2 = 2n(1 - c_{ij})$; and $J(\hat w, \hat b) \le J(0, \bar y)$ gives
# $\lVert\hat r\rVert \le \lVert y - \bar y\rVert = \sqrt n\, s_y$ with $s_y$ the standard deviation of $y$.
# Hence
#
# $$
# |\hat w_i - \hat w_j| \;\le\; \frac{s_y\,\sqrt{2(1 - c_{ij})}}{\alpha(1-\rho)} ,
# $$ (eq-enet-grouping)
#
# which is Theorem 1 of {cite}`zou2005regularization` in this chapter's scaling (they state it for the
# naive elastic net {eq}`eq-enet-naive` with unit-norm columns: $|\hat\beta_i - \hat\beta_j|$, relative to
# the size of $y$, is at most $\sqrt{2(1-\rho_{ij})}/\lambda_2$, where their $\rho_{ij}$ is the
# correlation, not the `l1_ratio`). As $c_{ij} \to 1$ the two coefficients are forced together; for
# two identical columns they are equal. The lasso ($\rho = 1$) has no L2 term and no such bound: for two identical
# columns only the sum $\hat w_i + \hat w_j$ is determined, and any split of it is a solution.
#
# First the extreme case, a duplicated column: the elastic net splits the weight exactly in half,
# while the lasso's answer is one of infinitely many with the same sum (regbook's solver happens to
# put all of it on one copy).

# %%
X3 = X[:, [0, GROUP_SIZE, 2 * GROUP_SIZE]]              # one feature from each group
X_dup = np.column_stack([X3[:, 0], X3])                  # ... and the first one twice
dup_enet = elastic_net(X_dup, y, alpha=0.1, l1_ratio=0.5, tol=1e-12).coef
dup_lasso = lasso(X_dup, y, alpha=0.1, tol=1e-12).coef
single_lasso = lasso(X3, y, alpha=0.1, tol=1e-12).coef
print(f"elastic net: w_0 = {dup_enet[0]:.4f}, its copy = {dup_enet[1]:.4f}")
print(f"lasso:       w_0 = {dup_lasso[0]:.4f}, its copy = {dup_lasso[1]:.4f}; "
      f"sum {dup_lasso[0] + dup_lasso[1]:.4f} = lasso without the copy {single_lasso[0]:.4f}")
assert abs(dup_enet[0] - dup_enet[1]) < 1e-8 * abs(dup_enet[0]) and min(abs(dup_lasso[:2])) == 0
assert abs(dup_lasso[0] + dup_lasso[1] - single_lasso[0]) < 1e-6

# %% [markdown]
# Now the bound itself, at every solution along the elastic-net paths of the grouped data for
# $\rho = 0.5$ and $0.2$, and for every pair of features with same-sign non-zero coefficients:
# the identity in {eq}`eq-enet-grouping-exact` should hold to solver accuracy, and the
# difference should stay below the right-hand side of {eq}`eq-enet-grouping`.

# %%
corr = np.corrcoef(X, rowvar=False)
s_y = float(np.std(y))
ratios, identity_err = [], 0.0
for rho in (0.5, 0.2):
    path = enet_path(X, y, l1_ratio=rho, n_alphas=30, tol=1e-10)
    for a, w, b in zip(path.alphas, path.coefs.T, path.intercepts):
        r_hat = y - X @ w - b
        for i, j in itertools.combinations(np.flatnonzero(w), 2):
            if w[i] * w[j] <= 0:
                continue
            lhs = a * (1 - rho) * (w[i] - w[j])
            identity_err = max(identity_err, abs(lhs - (X[:, i] - X[:, j]) @ r_hat / n))
            bound = s_y * np.sqrt(max(2 * (1 - corr[i, j]), 0.0)) / (a * (1 - rho))
            ratios.append(abs(w[i] - w[j]) / bound)
ratios = np.array(ratios)
print(f"{ratios.size} same-sign pairs; largest |w_i - w_j| / bound = {ratios.max():.4f}")
print(f"identity (eq-enet-grouping-exact) holds to {checks.error_bound(identity_err, floor=1e-8)}")
assert ratios.max() <= 1.0 and identity_err < 1e-6
glue("enet_bound_max_ratio", round(float(ratios.max()), 4), display=False)
glue("enet_bound_pairs", int(ratios.size), display=False)

# %% [markdown]
# The bound holds for all {glue:text}`enet_bound_pairs` pairs; the largest ratio of
# $|\hat w_i - \hat w_j|$ to the bound is {glue:text}`enet_bound_max_ratio`. The bound is loose (it
# replaces the residual by $y$ and the inner product by the Cauchy-Schwarz inequality), but it
# captures the mechanism: the L2 part turns "correlated" into "similar coefficients".
#
# ## From scratch in NumPy
#
# regbook's coordinate-descent solver applies {eq}`eq-enet-cd` on the problem multiplied by $n$,
# with three speed-ups that change how fast it converges but not where: it works on a small
# working set of features at a time, it solves the quadratic exactly once the signs are settled,
# and it screens out features that are provably zero. It stops when the duality gap falls below
# `tol` (scaled by $\lVert y - \bar y\rVert^2/n$, as in scikit-learn) and returns it with the solution.
# The public function validates its inputs, centres the data and calls the kernel:

# %%
_ = regbook.show_source(elastic_net)

# %% [markdown]
# and one coordinate-descent sweep is the update {eq}`eq-enet-cd`, in the form of the teaching loop
# above (the residual kept up to date, here with BLAS calls; on the problem multiplied by $n$,
# `lam1` is $n\alpha\rho$ and `den[i]` is $\lVert x_i\rVert^2 + n\alpha(1-\rho)$):

# %%
from regbook.np import _cd_kernels  # noqa: E402

_ = regbook.show_source(_cd_kernels.cd_sweep_residual)

# %% [markdown]
# `enet_path` solves a decreasing sequence of $\alpha$ from
# $\alpha_{\max} = \max_j |x_j^\top(y - \bar y)| / (n\rho)$, the smallest $\alpha$ for which $\hat w = 0$
# (from {eq}`eq-enet-kkt` at $w = 0$), down to $\varepsilon\,\alpha_{\max}$, each fit starting from the
# previous one. The cell checks $\alpha_{\max}$: at it the solution is zero, slightly below it is not.

# %%
for rho in (1.0, 0.5, 0.2):
    a_max = alpha_max(X, y, l1_ratio=rho)
    assert abs(a_max - np.max(np.abs(Xc.T @ yc)) / (n * rho)) < 1e-12 * a_max
    at = elastic_net(X, y, alpha=a_max, l1_ratio=rho, tol=1e-12).coef
    below = elastic_net(X, y, alpha=0.99 * a_max, l1_ratio=rho, tol=1e-12).coef
    print(f"l1_ratio {rho}: alpha_max = {a_max:.4f}; non-zeros at alpha_max: {int(np.sum(at != 0))}, "
          f"at 0.99 alpha_max: {int(np.sum(below != 0))}")
    assert np.all(at == 0) and np.any(below != 0)

# %% [markdown]
# ## PyTorch and scikit-learn
#
# **scikit-learn** minimizes the same objective {eq}`eq-enet-sklearn`, so `ElasticNet` must agree with
# regbook's function and with regbook's estimator `regbook.np.estimators.ElasticNet`, which has
# scikit-learn's interface (`fit`, `predict`, `coef_`, `intercept_`).

# %%
from regbook.np.estimators import ElasticNet  # noqa: E402

alpha_t, rho_t = fits[0.5][0], 0.5            # the validation-chosen alpha from the first figure
ref = elastic_net(X, y, alpha=alpha_t, l1_ratio=rho_t, tol=1e-12, max_iter=10_000)
sk = SkElasticNet(alpha=alpha_t, l1_ratio=rho_t, tol=1e-12, max_iter=100_000).fit(X, y)
est = ElasticNet(alpha=alpha_t, l1_ratio=rho_t, tol=1e-12, max_iter=10_000).fit(X, y)
rows = {
    "sklearn ElasticNet vs regbook": checks.rel_error(sk.coef_, ref.coef),
    "regbook ElasticNet (estimator) vs function": checks.rel_error(est.coef_, ref.coef),
}
for k, v in rows.items():
    print(f"{k:<44} coefficients rel. error {checks.error_bound(v, floor=1e-10)}")
assert max(rows.values()) < 1e-8 and abs(sk.intercept_ - ref.intercept) < 1e-8

# %% [markdown]
# **PyTorch.** A neural-network library has no coordinate descent; the natural way to fit a penalized
# linear layer is gradient-based. With a non-smooth penalty the right first-order method is the
# **proximal gradient** method (ISTA, {cite}`beck2009fast,parikh2014proximal`): a gradient step on the
# smooth loss $\frac1{2n}\lVert y - Xw - b\rVert^2$, then {eq}`eq-enet-prox` on the weights with
# $t = \eta\alpha$ (step size $\eta$ times strength). `regbook.pt.prox.prox_elastic_net_` applies it
# in place after `optimizer.step()`; the bias gets the plain gradient step, since it is not
# penalized. With $\eta = 1/L$, $L$ the largest eigenvalue of the loss's Hessian, each step decreases
# the objective, and the fixed points of the iteration are exactly the solutions of
# {eq}`eq-enet-kkt`.

# %%
from regbook.pt.penalties import decay_parameters, model_penalty  # noqa: E402
from regbook.pt.prox import prox_elastic_net as prox_elastic_net_pt  # noqa: E402
from regbook.pt.prox import prox_elastic_net_  # noqa: E402

X_t = torch.tensor(X)
y_t = torch.tensor(y)
X1 = np.column_stack([X, np.ones(n)])
L = float(np.linalg.eigvalsh(X1.T @ X1 / n).max())       # Lipschitz constant of the loss's gradient
lr = 1.0 / L


def fit_prox_gradient(alpha, rho, n_steps):
    """ISTA in torch: SGD step on the squared loss, then the elastic-net prox on the weight only."""
    model = torch.nn.Linear(p, 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    weights, _ = decay_parameters(model)                  # [model.weight]; the bias is not penalized
    for _ in range(n_steps):
        opt.zero_grad()
        loss = 0.5 * torch.mean((model(X_t).squeeze(1) - y_t) ** 2)
        loss.backward()
        opt.step()
        n_zero = prox_elastic_net_(weights, lr * alpha, rho)
    return model, n_zero


model_pg, n_zero_pg = fit_prox_gradient(alpha_t, rho_t, n_steps=4000)
w_pg = model_pg.weight.detach().numpy().ravel()
err_pg = checks.assert_close(w_pg, ref.coef, rtol=1e-6, name="torch proximal gradient vs regbook")
penalty_gap = abs(model_penalty(model_pg, kind="elastic_net", lam=alpha_t, l1_ratio=rho_t).item()
                  - enet_penalty(w_pg, alpha_t, rho_t))
print(f"torch ISTA (4000 steps) vs regbook elastic_net: rel. error {checks.error_bound(err_pg, floor=1e-10)}")
print(f"exact zeros: torch {n_zero_pg}, regbook {int(np.sum(ref.coef == 0))}; "
      f"intercepts differ by {checks.error_bound(abs(model_pg.bias.item() - ref.intercept), floor=1e-10)}")
v = rng.standard_normal(50)
prox_gap = checks.rel_error(prox_elastic_net_pt(torch.tensor(v), 0.7, 0.3).numpy(), prox_elastic_net(v, 0.7, 0.3))
print(f"model_penalty (torch) vs elastic_net penalty (NumPy): {checks.error_bound(penalty_gap)}; "
      f"prox_elastic_net torch vs NumPy: {checks.error_bound(prox_gap)}")
assert np.array_equal(w_pg == 0, ref.coef == 0) and penalty_gap < 1e-12 and prox_gap < 1e-12
glue("enet_pg_zeros", n_zero_pg, display=False)

# %% [markdown]
# The proximal-gradient fit in torch reaches regbook's solution, with the same
# {glue:text}`enet_pg_zeros` coefficients exactly zero. The idiomatic alternative, adding
# `model_penalty(model, kind="elastic_net", ...)` to the loss and calling `backward()`, uses the
# subgradient of $|w|$; in the pitfalls section it does not produce a single exact zero.
#
# ## Experiments
#
# ### Grouping, over many samples
#
# The first figure was one sample. We repeat it on 10 independent training and validation sets,
# with $\alpha$ chosen on the validation set separately for each method, and record for each group
# how many of its five features are selected and what share of the group's total weight
# $\sum_{j\in g}|\hat w_j|$ the largest coefficient carries (1 if one feature takes all; 0.2 for an
# even split). The bound {eq}`eq-enet-grouping` is checked at each of these solutions too.

# %%
N_SEEDS = 10
RHOS = (1.0, 0.5, 0.2)
n_sel = np.zeros((len(RHOS), N_SEEDS))      # selected features per group (mean over the 3 groups)
share = np.zeros((len(RHOS), N_SEEDS))      # share of the largest coefficient in its group
n_noise_sel = np.zeros((len(RHOS), N_SEEDS))
for s in range(N_SEEDS):
    r = np.random.default_rng(100 + s)
    Xs, ys = make_groups(100, r)
    Xs_val, ys_val = make_groups(100, r)
    Xs, Xs_val = standardize(Xs, Xs_val)
    corr_s, sy_s = np.corrcoef(Xs, rowvar=False), float(np.std(ys))
    for k, rho in enumerate(RHOS):
        a, w, _ = fit_on_validation(Xs, ys, Xs_val, ys_val, l1_ratio=rho)
        n_sel[k, s] = np.mean([np.sum(w[g] != 0) for g in GROUPS])
        share[k, s] = top_share(w)
        n_noise_sel[k, s] = np.sum(w[P_GROUPS:] != 0)
        if rho < 1:
            for i, j in itertools.combinations(np.flatnonzero(w), 2):
                if w[i] * w[j] > 0:
                    assert abs(w[i] - w[j]) <= sy_s * np.sqrt(2 * (1 - corr_s[i, j])) / (a * (1 - rho))

labels = ["lasso", "enet ρ=0.5", "enet ρ=0.2"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
for ax, values, title in zip(axes, (n_sel, share, n_noise_sel),
                             ("features selected per group (of 5)", "largest coefficient's share of its group",
                              "noise features selected (of 15)")):
    ax.bar(labels, values.mean(axis=1), yerr=values.std(axis=1), capsize=4, color=["C3", "C0", "C9"])
    ax.set_title(title, fontsize=10)
axes[1].axhline(1 / GROUP_SIZE, color="0.4", ls=":", lw=1, label="even split")
axes[1].legend()
fig.suptitle("Lasso vs elastic net on correlated groups, α chosen on validation (10 seeds, mean ± std)")
plt.show()
for k, lab in enumerate(labels):
    print(f"{lab:<11} selected per group {n_sel[k].mean():.2f} ± {n_sel[k].std():.2f}, "
          f"top share {share[k].mean():.3f} ± {share[k].std():.3f}, "
          f"noise selected {n_noise_sel[k].mean():.1f} ± {n_noise_sel[k].std():.1f}")

# %%
# the elastic net selects (nearly) whole groups and spreads the weight; the lasso does neither
assert n_sel[1].mean() > 4.5 and n_sel[0].mean() < 4.0 and np.all(n_sel[1] >= n_sel[0])
assert share[0].mean() > 0.45 and share[1].mean() < 0.35 and np.all(share[1] < share[0])
assert n_noise_sel[1].mean() > n_noise_sel[0].mean()       # the price: more noise features get in
glue("enet_sel_lasso", round(float(n_sel[0].mean()), 2), display=False)
glue("enet_sel_enet5", round(float(n_sel[1].mean()), 2), display=False)
glue("enet_share_lasso", round(float(share[0].mean()), 2), display=False)
glue("enet_share_enet5", round(float(share[1].mean()), 2), display=False)
glue("enet_noise_lasso", round(float(n_noise_sel[0].mean()), 2), display=False)
glue("enet_noise_enet5", round(float(n_noise_sel[1].mean()), 2), display=False)

# %% [markdown]
# On every one of the 10 samples the elastic net ($\rho = 0.5$) selects at least as many features per
# group as the lasso, {glue:text}`enet_sel_enet5` of 5 on average against
# {glue:text}`enet_sel_lasso`, and spreads the weight more evenly: the largest coefficient carries
# {glue:text}`enet_share_enet5` of its group's weight against {glue:text}`enet_share_lasso` for the
# lasso (0.2 would be an even split). With $\alpha$ chosen for prediction the lasso does not keep
# exactly one feature per group, but it leans on one or two. The price of the grouping is visible in
# the third panel: the elastic net also lets more pure-noise features in
# ({glue:text}`enet_noise_enet5` of 15 against {glue:text}`enet_noise_lasso`), with small coefficients.
#
# ### Coefficient paths
#
# `enet_path` traces the solutions over $\alpha$. Top row: the grouped data of the first figure,
# coloured by group (noise features in grey). Bottom row: the diabetes data set bundled with
# scikit-learn (442 patients, 10 standardized features), a real problem with two strongly correlated
# serum measurements, `s1` (total cholesterol) and `s2` (LDL). The horizontal axis is
# $\alpha/\alpha_{\max}$, so the three columns start from the all-zero model at the same place.

# %%
diabetes = data.load_dataset("diabetes", seed=0)
DIABETES_NAMES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
paths = {}
fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
for col, rho in enumerate(RHOS):
    for row, (Xp, yp) in enumerate(((X, y), (diabetes.X_train, diabetes.y_train))):
        path = enet_path(Xp, yp, l1_ratio=rho, n_alphas=60, tol=1e-8)
        paths[row, rho] = path
        ax = axes[row, col]
        rel_alpha = path.alphas / path.alphas[0]
        for j in range(Xp.shape[1]):
            if row == 0:
                style = dict(color=colors[j], lw=1.2 if j < P_GROUPS else 0.8)
            else:
                style = dict(color=plt.cm.tab10(j), label=DIABETES_NAMES[j], lw=2.0 if j in (4, 5) else 1.0)
            ax.plot(rel_alpha, path.coefs[j], **style)
        ax.set(xscale="log", title=("lasso" if rho == 1 else f"elastic net ρ = {rho}")
               + (" — grouped data" if row == 0 else " — diabetes"))
    axes[1, col].set_xlabel(r"$\alpha / \alpha_{\max}$ (log scale; weaker penalty to the right)")
axes[0, 0].invert_xaxis()                     # shared x axis: strong penalty on the left for all panels
axes[0, 0].set_ylabel("coefficient")
axes[1, 0].set_ylabel("coefficient")
axes[1, 2].legend(fontsize=8, ncol=2)
plt.show()

# %% [markdown]
# On the grouped data the lasso path lets features enter one at a time and leans on a representative
# or two per group; the elastic-net paths bring each group in as a block and move its five
# coefficients as a bundle, more so for smaller $\rho$. At the largest $\alpha$ at which all three
# groups are represented, the lasso uses {glue:text}`enet_cover_lasso` features in all, the elastic
# net {glue:text}`enet_cover_enet5` ($\rho = 0.5$) and {glue:text}`enet_cover_enet2` ($\rho = 0.2$) of
# the 15. On diabetes the differences are milder, but the correlated pair behaves as the theory
# says: at the weak-penalty end of the path the lasso keeps `s2` and leaves `s1` close to zero, while
# the elastic net shares the weight between them, the more so the smaller $\rho$. The cell checks
# these statements.

# %%
def groups_at_first_cover(path):
    """Active features per group at the largest alpha at which every group has an active feature."""
    for w in path.coefs.T:
        counts = [int(np.sum(w[g] != 0)) for g in GROUPS]
        if min(counts) > 0:
            return counts
    return None


cover = {rho: groups_at_first_cover(paths[0, rho]) for rho in RHOS}
print("active features per group when all three groups have entered:", cover)
assert max(cover[1.0]) <= 2 and sum(cover[1.0]) < sum(cover[0.5]) < sum(cover[0.2]) and sum(cover[0.2]) >= 12
glue("enet_cover_lasso", sum(cover[1.0]), display=False)
glue("enet_cover_enet5", sum(cover[0.5]), display=False)
glue("enet_cover_enet2", sum(cover[0.2]), display=False)

corr_s12 = float(np.corrcoef(diabetes.X_train[:, 4], diabetes.X_train[:, 5])[0, 1])
gap_s12 = {rho: float(abs(paths[1, rho].coefs[4, -1] - paths[1, rho].coefs[5, -1])) for rho in RHOS}
print(f"corr(s1, s2) = {corr_s12:.3f};  |w_s1 - w_s2| at the weakest penalty: "
      + ", ".join(f"l1_ratio {rho}: {v:.2f}" for rho, v in gap_s12.items()))
w_s1, w_s2 = paths[1, 1.0].coefs[4, -1], paths[1, 1.0].coefs[5, -1]
print(f"lasso at the weakest penalty: w_s1 = {w_s1:.2f}, w_s2 = {w_s2:.2f}")
assert corr_s12 > 0.85 and abs(w_s1) < 0.1 * abs(w_s2)
assert gap_s12[0.2] < gap_s12[0.5] < gap_s12[1.0] and gap_s12[0.2] < 0.5 * gap_s12[1.0]
glue("enet_corr_s12", round(corr_s12, 3), display=False)

# %% [markdown]
# (The correlation of `s1` and `s2` in the training split is {glue:text}`enet_corr_s12`.)
#
# ### More features than samples: the lasso stops at n
#
# A lasso solution with more than $n$ non-zero coefficients is never needed: when $p > n$ there is
# always a solution with at most $n$ of them, and for data in general position the solution is
# unique and has at most $n$ (with an intercept, $n - 1$, since centring removes one dimension)
# {cite}`zou2005regularization,hastie2015statistical`. The elastic net has no such limit, because its
# augmented design {eq}`eq-enet-augmented` has $n + p$ rows and rank $p$. We fit the paths of a problem
# with $n = 40$ samples and $p = 200$ independent features (10 of them relevant) on three random
# draws and count the non-zero coefficients. The paths stop at $\alpha = 0.01\,\alpha_{\max}$ and are
# solved to a tight tolerance (the limit is a property of solutions; an iterate of a solver stopped
# early need not respect it).

# %%
N_PN, P_PN = 40, 200
nnz = {}
for s in range(3):
    r = np.random.default_rng(300 + s)
    Xw = r.standard_normal((N_PN, P_PN))
    w_true = np.zeros(P_PN)
    w_true[:10] = 2.0
    yw = Xw @ w_true + r.standard_normal(N_PN)
    for rho in RHOS:
        path = enet_path(Xw, yw, l1_ratio=rho, n_alphas=25, eps=1e-2, tol=1e-10, max_iter=100_000)
        nnz[s, rho] = (path.alphas / path.alphas[0], np.sum(path.coefs != 0, axis=0))

fig, ax = plt.subplots()
for rho, color in zip(RHOS, ("C3", "C0", "C9")):
    rel, counts = nnz[0, rho]
    ax.plot(rel, counts, "o-", ms=3, color=color, label="lasso" if rho == 1 else f"elastic net ρ = {rho}")
ax.axhline(N_PN, color="k", ls="--", lw=1, label=f"n = {N_PN}")
ax.set(xscale="log", xlabel=r"$\alpha / \alpha_{\max}$", ylabel="non-zero coefficients",
       title=f"p = {P_PN} features, n = {N_PN} samples (first draw)")
ax.invert_xaxis()
ax.legend()
plt.show()
max_nnz = {rho: [int(nnz[s, rho][1].max()) for s in range(3)] for rho in RHOS}
print("largest number of non-zeros on each draw:", max_nnz)
assert all(m <= N_PN - 1 for m in max_nnz[1.0])
assert all(m > N_PN for m in max_nnz[0.5]) and all(m > N_PN for m in max_nnz[0.2])
glue("enet_pn_lasso", max(max_nnz[1.0]), display=False)
glue("enet_pn_enet5", min(max_nnz[0.5]), display=False)

# %% [markdown]
# On all three draws the lasso never exceeds $n - 1 = 39$ non-zeros (at most
# {glue:text}`enet_pn_lasso`), while the elastic net with $\rho = 0.5$ goes past $n$ (at least
# {glue:text}`enet_pn_enet5`). Whether selecting more than $n$ features is *useful* depends on the
# problem: here only 10 features matter, and the next experiments show what that costs.
#
# ### Stability of the selected set
#
# A selection that changes with every resample of the data is hard to interpret. For 5 independent
# grouped data sets we choose $\alpha$ on a validation set, then refit at that $\alpha$ on 20
# bootstrap resamples of the training set and record which features are selected. Two summaries:
# the mean selection frequency of the 15 group features (1 if they are selected on every
# resample) and the mean Jaccard similarity $|S_a \cap S_b| / |S_a \cup S_b|$ between the selected
# sets of two resamples (1 if the selection never changes).

# %%
def mean_jaccard(S):
    """Mean Jaccard similarity over all pairs of rows of a boolean selection matrix (B, p)."""
    sims = [np.sum(a & b) / max(np.sum(a | b), 1) for a, b in itertools.combinations(S, 2)]
    return float(np.mean(sims))


N_STAB, N_BOOT = 5, 20
group_freq = np.zeros((len(RHOS), N_STAB))
noise_freq = np.zeros((len(RHOS), N_STAB))
jaccard = np.zeros((len(RHOS), N_STAB))
freq_first = {}
for s in range(N_STAB):
    r = np.random.default_rng(400 + s)
    Xs, ys = make_groups(100, r)
    Xs_val, ys_val = make_groups(100, r)
    Xs, Xs_val = standardize(Xs, Xs_val)
    boots = [r.integers(0, 100, size=100) for _ in range(N_BOOT)]
    for k, rho in enumerate(RHOS):
        a, _, _ = fit_on_validation(Xs, ys, Xs_val, ys_val, l1_ratio=rho)
        S = np.array([elastic_net(Xs[i], ys[i], alpha=a, l1_ratio=rho, tol=TOL).coef != 0 for i in boots])  # (B, p)
        freq = S.mean(axis=0)
        group_freq[k, s], noise_freq[k, s] = freq[:P_GROUPS].mean(), freq[P_GROUPS:].mean()
        jaccard[k, s] = mean_jaccard(S)
        if s == 0:
            freq_first[rho] = freq

fig, ax = plt.subplots(figsize=(10, 3.4))
width = 0.28
for k, (rho, color) in enumerate(zip(RHOS, ("C3", "C0", "C9"))):
    ax.bar(np.arange(p) + (k - 1) * width, freq_first[rho], width, color=color, label=labels[k])
ax.axvline(P_GROUPS - 0.5, color="0.4", ls=":", lw=1)
ax.set(xlabel="feature index (groups 1-3, then noise)", ylabel="selection frequency", ylim=(0, 1.25),
       title=f"How often each feature is selected over {N_BOOT} bootstrap resamples (first data set)")
ax.legend(ncol=3, loc="upper center")
plt.show()
for k, lab in enumerate(labels):
    print(f"{lab:<11} group features selected {group_freq[k].mean():.3f} ± {group_freq[k].std():.3f}, "
          f"noise features {noise_freq[k].mean():.3f} ± {noise_freq[k].std():.3f}, "
          f"Jaccard {jaccard[k].mean():.3f} ± {jaccard[k].std():.3f}")

# %%
assert np.all(group_freq[1] > group_freq[0] + 0.2) and np.all(jaccard[1] > jaccard[0])
assert 0.4 < group_freq[0].mean() < 0.7                    # the lasso: close to a coin flip per copy
assert noise_freq[1].mean() > noise_freq[0].mean()
glue("enet_gfreq_lasso", round(float(group_freq[0].mean()), 2), display=False)
glue("enet_gfreq_enet5", round(float(group_freq[1].mean()), 2), display=False)
glue("enet_jac_lasso", round(float(jaccard[0].mean()), 2), display=False)
glue("enet_jac_enet5", round(float(jaccard[1].mean()), 2), display=False)
glue("enet_nfreq_lasso", round(float(noise_freq[0].mean()), 2), display=False)
glue("enet_nfreq_enet5", round(float(noise_freq[1].mean()), 2), display=False)

# %% [markdown]
# The lasso selects a given group feature on only {glue:text}`enet_gfreq_lasso` of the resamples on
# average, and two resamples share a Jaccard similarity of {glue:text}`enet_jac_lasso`: which copy
# represents a group is close to a coin flip. The elastic net ($\rho = 0.5$) selects the group
# features {glue:text}`enet_gfreq_enet5` of the time, with a Jaccard similarity of
# {glue:text}`enet_jac_enet5`. It also selects *noise* features more often (on average
# {glue:text}`enet_nfreq_enet5` of the resamples against {glue:text}`enet_nfreq_lasso`): the grouping
# effect stabilizes groups, it does not make the elastic net a better filter of irrelevant features.
#
# ### Does it predict better? Ridge, lasso and elastic net on four problems
#
# An honest comparison needs problems where each method should win. Three synthetic regimes, plus one
# real data set:
#
# - **groups**: the correlated-groups data above ($n = 100$, $p = 30$);
# - **sparse, p > n**: $n = 50$, $p = 200$ independent features, 5 of them with coefficient 2;
# - **dense**: $n = 50$, $p = 100$ features with correlation $0.5^{|i-j|}$, all 100 coefficients drawn
#   from $\mathcal N(0, 0.3^2)$ (the same coefficients on every seed);
# - **diabetes**: the bundled data set, with ten different train/validation/test splits.
#
# Each method's strength is chosen on a validation set of the same size as the training set (a
# simple hold-out; choosing λ properly is the subject of a later chapter), and the test error is
# measured on 2000 fresh samples (diabetes: on its 20% test split). The elastic net appears twice:
# with $\rho = 0.5$ fixed, and with $\rho \in \{0.1, 0.5, 0.9\}$ chosen on the validation set as
# well. All noise has standard deviation 1; 10 seeds per regime.

# %%
def make_sparse(n, rng, p=200, k=5):
    X = rng.standard_normal((n, p))
    return X, X[:, :k] @ np.full(k, 2.0) + rng.standard_normal(n)


DENSE_P = 100
DENSE_CHOL = np.linalg.cholesky(0.5 ** np.abs(np.subtract.outer(np.arange(DENSE_P), np.arange(DENSE_P))))
DENSE_COEF = np.random.default_rng(12345).normal(0.0, 0.3, DENSE_P)


def make_dense(n, rng):
    X = rng.standard_normal((n, DENSE_P)) @ DENSE_CHOL.T
    return X, X @ DENSE_COEF + rng.standard_normal(n)


RIDGE_ALPHAS = np.logspace(-2, 4, 25)     # scikit-learn's Ridge alpha (summed loss)
METHODS = ["ridge", "lasso", "enet ρ=0.5", "enet ρ chosen"]


def test_errors(X, y, X_val, y_val, X_test, y_test):
    """Test MSE of each method, every strength (and enet's l1_ratio) chosen on the validation set."""
    def mse(Xe, ye, w, b):
        return float(np.mean((ye - Xe @ w - b) ** 2))

    ridge_fits = [ridge(X, y, alpha=a) for a in RIDGE_ALPHAS]
    best_ridge = min(ridge_fits, key=lambda f: mse(X_val, y_val, f.coef, f.intercept))
    out = {"ridge": mse(X_test, y_test, best_ridge.coef, best_ridge.intercept)}
    _, w, b = fit_on_validation(X, y, X_val, y_val, l1_ratio=1.0, n_alphas=30)
    out["lasso"] = mse(X_test, y_test, w, b)
    candidates = {rho: fit_on_validation(X, y, X_val, y_val, l1_ratio=rho, n_alphas=30) for rho in (0.1, 0.5, 0.9)}
    out["enet ρ=0.5"] = mse(X_test, y_test, *candidates[0.5][1:])
    best = min(candidates.values(), key=lambda f: mse(X_val, y_val, f[1], f[2]))
    out["enet ρ chosen"] = mse(X_test, y_test, best[1], best[2])
    return out


REGIMES = {"groups": (make_groups, 100), "sparse, p > n": (make_sparse, 50), "dense": (make_dense, 50)}
results = {}
for name, (gen, n_tr) in REGIMES.items():
    rows_r = []
    for s in range(N_SEEDS):
        r = np.random.default_rng(500 + s)
        (Xa, ya), (Xb, yb), (Xt, yt) = gen(n_tr, r), gen(n_tr, r), gen(2000, r)
        Xa, Xb, Xt = standardize(Xa, Xb, Xt)
        rows_r.append(test_errors(Xa, ya, Xb, yb, Xt, yt))
    results[name] = rows_r
results["diabetes"] = []
for s in range(N_SEEDS):
    split = data.load_dataset("diabetes", seed=s)     # standardized with its training statistics
    results["diabetes"].append(test_errors(split.X_train, split.y_train, split.X_val, split.y_val,
                                           split.X_test, split.y_test))
test_mse = {name: np.array([[row[m] for row in rows_r] for m in METHODS]) for name, rows_r in results.items()}

fig, axes = plt.subplots(1, 4, figsize=(14, 3.6))
for ax, (name, errs) in zip(axes, test_mse.items()):
    for k, color in enumerate(("C2", "C3", "C0", "C4")):
        ax.errorbar(k, errs[k].mean(), yerr=errs[k].std(), fmt="o", ms=7, capsize=4, color=color)
    if name != "diabetes":
        ax.axhline(1.0, color="0.4", ls=":", lw=1, label="noise variance")
        ax.legend(loc="upper right" if name != "dense" else "upper left")
    ax.set_xticks(range(len(METHODS)), METHODS, rotation=30, ha="right")
    ax.set(xlim=(-0.5, len(METHODS) - 0.5), title=name)
axes[0].set_ylabel("test MSE (mean ± std)")
fig.suptitle("Test error, strengths chosen on a validation set (10 seeds or splits, mean ± std)")
plt.show()

print(f"{'':<15}" + "".join(f"{m:>20}" for m in METHODS))
for name, errs in test_mse.items():
    print(f"{name:<15}" + "".join(f"{mu:>12.3f} ± {sd:<6.3f}" for mu, sd in zip(errs.mean(1), errs.std(1))))

# %%
means = {name: errs.mean(axis=1) for name, errs in test_mse.items()}
best = {name: METHODS[int(np.argmin(m))] for name, m in means.items()}
wins = {name: int(np.sum(errs[2] < errs[1])) for name, errs in test_mse.items()}   # enet 0.5 vs lasso, per seed
chosen_vs_best = {name: float(m[3] / m.min()) for name, m in means.items()}
print("best mean test MSE:", best)
print("seeds on which enet (0.5) beats the lasso:", wins)
print("enet (rho chosen) / best method, mean test MSE:", {k: round(v, 3) for k, v in chosen_vs_best.items()})

g, sp, de, di = (means[k] for k in ("groups", "sparse, p > n", "dense", "diabetes"))
assert max(g[2], g[3]) < g[1] < g[0] and wins["groups"] >= 7              # groups: enet < lasso < ridge
assert g[1] - g[2] < test_mse["groups"][2].std()                           # ... by less than the seed spread
assert best["sparse, p > n"] == "lasso" and sp[0] > 5 * sp[1] and sp[2] > 2 * sp[1]
assert sp[3] - sp[1] < 0.5 * (sp[2] - sp[1])                               # choosing rho recovers most of it
assert best["dense"] == "ridge" and de[1] == de.max() and de[3] < 1.05 * de[0]
assert di.max() < 1.01 * di.min() and di.max() - di.min() < 0.1 * test_mse["diabetes"].std(axis=1).min()
assert max(chosen_vs_best.values()) < 1.3

glue("enet_test_g_ridge", round(float(g[0]), 3), display=False)
glue("enet_test_g_lasso", round(float(g[1]), 3), display=False)
glue("enet_test_g_enet5", round(float(g[2]), 3), display=False)
glue("enet_test_g_enetcv", round(float(g[3]), 3), display=False)
glue("enet_test_s_ridge", round(float(sp[0]), 3), display=False)
glue("enet_test_s_lasso", round(float(sp[1]), 3), display=False)
glue("enet_test_s_enet5", round(float(sp[2]), 3), display=False)
glue("enet_test_s_enetcv", round(float(sp[3]), 3), display=False)
glue("enet_test_d_ridge", round(float(de[0]), 3), display=False)
glue("enet_test_d_lasso", round(float(de[1]), 3), display=False)
glue("enet_test_d_enetcv", round(float(de[3]), 3), display=False)
glue("enet_test_db_ridge", round(float(di[0]), 1), display=False)
glue("enet_test_db_lasso", round(float(di[1]), 1), display=False)
glue("enet_test_db_enet5", round(float(di[2]), 1), display=False)
glue("enet_test_db_enetcv", round(float(di[3]), 1), display=False)
glue("enet_wins_groups", wins["groups"], display=False)
ridge_groups_pct = 100 * (g[0] / g.min() - 1)
assert g[0] == g.max() and ridge_groups_pct < 10
glue("enet_ridge_groups_pct", round(float(ridge_groups_pct), 1), display=False)
glue("enet_chosen_worst_pct", round(100 * (max(chosen_vs_best.values()) - 1), 1), display=False)

# %% [markdown]
# The results, honestly:
#
# - **Correlated groups**: the elastic net is best (test MSE {glue:text}`enet_test_g_enet5` with
#   $\rho = 0.5$ and {glue:text}`enet_test_g_enetcv` with $\rho$ chosen, against
#   {glue:text}`enet_test_g_lasso` for the lasso and {glue:text}`enet_test_g_ridge` for ridge; the
#   noise variance alone is 1). The margin is small next to the spread over seeds, but it is
#   systematic: the elastic net ($\rho = 0.5$) beats the lasso on {glue:text}`enet_wins_groups` of the
#   10 seeds.
# - **Sparse, p > n**: the lasso wins clearly ({glue:text}`enet_test_s_lasso`); ridge, which cannot
#   drop the 195 irrelevant features, is far behind ({glue:text}`enet_test_s_ridge`), and so is the
#   elastic net with a fixed $\rho = 0.5$ ({glue:text}`enet_test_s_enet5`): half of its penalty is
#   spent on shrinkage this problem does not need. With $\rho$ chosen on validation it recovers most
#   of the gap ({glue:text}`enet_test_s_enetcv`).
# - **Dense**: ridge wins ({glue:text}`enet_test_d_ridge`), the lasso is worst
#   ({glue:text}`enet_test_d_lasso`); the elastic net with chosen $\rho$ is close to ridge
#   ({glue:text}`enet_test_d_enetcv`).
# - **Diabetes**: all four are within 1% of each other (ridge {glue:text}`enet_test_db_ridge`, lasso
#   {glue:text}`enet_test_db_lasso`, elastic net {glue:text}`enet_test_db_enet5` and
#   {glue:text}`enet_test_db_enetcv`), far less than the variation between splits: on ten features
#   with plenty of samples the choice of penalty hardly matters.
#
# No penalty wins everywhere; each wins where its assumptions hold. What the elastic net offers is
# robustness: with $\rho$ chosen on validation it was never more than
# {glue:text}`enet_chosen_worst_pct`% worse than the best method, at the cost of one more
# hyperparameter to tune. Zou and Hastie's rescaled variant is an exercise below.
#
# ## Pitfalls and corrections
#
# **"Mixed regularization is a future trend."** Source 004 lists, three times among the "future
# trends", "混合正则化：将L1正则化、L2正则化和Dropout等正则化技术结合使用" (mixed regularization:
# combining L1, L2, dropout and other techniques). Combining L1 and L2 is the elastic net of this
# chapter, published in 2005 {cite}`zou2005regularization`, implemented in glmnet
# {cite}`friedman2010regularization` and scikit-learn {cite}`pedregosa2011scikit`, and used routinely
# since. Combining dropout with a weight penalty is not new either: the dropout paper itself trains
# with dropout together with L2 or max-norm constraints {cite}`srivastava2014dropout`. The open
# questions are how to choose the mixture and strengths well, not whether to mix.
#
# **"L2 suits the case of many, mutually correlated features."** Source 000 says of L2
# regularization "适用于特征数量多且相互关联的情况". Half true. Ridge does handle correlation
# gracefully: it is the $\rho \to 0$ end of the elastic net, where the grouping bound
# {eq}`eq-enet-grouping` is tightest, and on the correlated-groups data its test error
# ({glue:text}`enet_test_g_ridge`) was the worst of the four but only
# {glue:text}`enet_ridge_groups_pct`% above the best. But ridge never selects: every one of its
# coefficients is non-zero, whatever $\alpha$. When the features are many *and* the signal is
# sparse, as in the p > n regime above, that is fatal ({glue:text}`enet_test_s_ridge` against
# {glue:text}`enet_test_s_lasso` for the lasso). The method designed for many correlated features of
# which only some groups matter is the elastic net, which keeps ridge's grouping and the lasso's
# selection. The cell confirms that ridge's coefficients on the grouped data are all non-zero even
# with a strong penalty.

# %%
for a in (1.0, 100.0, 10_000.0):
    w_ridge = ridge(X, y, alpha=a).coef
    print(f"ridge alpha = {a:>8}: non-zero coefficients {int(np.sum(w_ridge != 0))} of {p}, "
          f"smallest |w| = {np.abs(w_ridge).min():.2e}")
    assert np.all(w_ridge != 0)

# %% [markdown]
# **"AdamW can add L1 and L2 terms and handle them automatically."** Source 004 (FAQ Q5) says
# "在使用AdamW优化器时，可以加入L1正则化项和L2正则化项，自动进行正则化处理". AdamW
# {cite}`loshchilov2019decoupled` implements *decoupled weight decay*: at every step, besides the
# Adam update, every weight is multiplied by $1 - \eta\lambda$. That is L2-like shrinkage; a
# multiplication never makes a weight exactly zero, and AdamW has no L1 mechanism at all. An L1 term
# can of course be added to the loss, but then its subgradient goes through Adam's per-coordinate
# rescaling like any other gradient, and the weights that should be zero hover near zero instead of
# reaching it.
# Exact zeros come from a proximal step such as {eq}`eq-enet-prox` (the optimization chapter treats
# AdamW and decoupled decay in detail). The cell trains the same linear model on the grouped data
# three ways, for the same number of steps, and counts exact zeros.

# %%
def train_torch(make_opt, add_penalty, n_steps=2000):
    torch.manual_seed(0)
    model = torch.nn.Linear(p, 1, dtype=torch.float64)
    opt = make_opt(model)
    for _ in range(n_steps):
        opt.zero_grad()
        loss = 0.5 * torch.mean((model(X_t).squeeze(1) - y_t) ** 2) + add_penalty(model)
        loss.backward()
        opt.step()
    return model.weight.detach().numpy().ravel()


def no_penalty(model):
    return 0.0


variants = {
    "AdamW(weight_decay=0.1)": train_torch(lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.1),
                                           no_penalty),
    "AdamW + L1 term in the loss": train_torch(
        lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.1),
        lambda m: model_penalty(m, kind="l1", lam=alpha_t * rho_t)),
    "SGD + elastic-net term (subgradient)": train_torch(
        lambda m: torch.optim.SGD(m.parameters(), lr=lr),
        lambda m: model_penalty(m, kind="elastic_net", lam=alpha_t, l1_ratio=rho_t)),
}
variants["SGD + prox_elastic_net_ (ISTA)"] = w_pg
for name, w in variants.items():
    print(f"{name:<38} exact zeros {int(np.sum(w == 0)):>2} of {p};  |w| < 1e-3: {int(np.sum(np.abs(w) < 1e-3)):>2}")
zeros = {name: int(np.sum(w == 0)) for name, w in variants.items()}
assert zeros["AdamW(weight_decay=0.1)"] == 0 and zeros["AdamW + L1 term in the loss"] == 0
assert zeros["SGD + elastic-net term (subgradient)"] == 0 and zeros["SGD + prox_elastic_net_ (ISTA)"] > 0

# %% [markdown]
# Neither AdamW variant nor the subgradient method produces a single exact zero; the proximal step
# does. Two smaller traps from this chapter belong here as well:
#
# - **Which α?** glmnet's `alpha` is scikit-learn's `l1_ratio`, and glmnet's `lambda` is
#   scikit-learn's `alpha`; Zou and Hastie's $(\lambda_1, \lambda_2)$ convert by
#   {eq}`eq-enet-conversion`. Copying a value between libraries without converting fits a
#   different model.
# - **Naive or rescaled?** The estimator that scikit-learn, glmnet and regbook return is the naive
#   elastic net {eq}`eq-enet-naive`; the estimator Zou and Hastie recommend is
#   $(1 + \lambda_2)$ times it. Results quoted from the paper are for the rescaled one.
#
# ## Summary
#
# - The elastic net {eq}`eq-enet-sklearn` adds an L1 and an L2 penalty; $\rho$ = `l1_ratio` sets the
#   mixture, $\alpha$ the strength, and {eq}`eq-enet-conversion` converts to Zou and Hastie's
#   $(\lambda_1, \lambda_2)$. The common implementations return the naive estimate; Zou and Hastie's
#   elastic net rescales it by $1 + \lambda_2$ to undo the double shrinkage {eq}`eq-enet-orthonormal`.
# - It is a lasso on augmented data {eq}`eq-enet-augmented`, which is why it can select more than $n$
#   features and always has a unique solution.
# - Its proximal operator {eq}`eq-enet-prox` is soft thresholding followed by a shrinkage; coordinate
#   descent {eq}`eq-enet-cd` and proximal gradient (in NumPy or in torch) are built from it.
# - The L2 part forces correlated features to similar coefficients {eq}`eq-enet-grouping`: on grouped
#   data the elastic net selects whole groups and does so stably across resamples, where the lasso
#   picks an arbitrary few; it also admits more noise features.
# - It predicts best when the signal lives in correlated groups; the lasso wins for sparse signals on
#   independent features, ridge for dense signals; with $\rho$ tuned, the elastic net stays close to
#   the best in every regime tried here.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 4 <exercises/solutions/a04_elastic_net>` has coding exercises on this chapter with checks you can run,
# and covers exercises 2 and 4 below; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Conversion.** Starting from {eq}`eq-enet-naive`, derive {eq}`eq-enet-conversion`. Then check
#    the claim that `elastic_net(X, y, alpha=a, l1_ratio=0)` is scikit-learn's `Ridge(alpha=n * a)`:
#    compare it with `regbook.np.linear.ridge(X, y, alpha=n * a)` using `checks.assert_close`.
# 2. **Augmented data (coding).** Write `augment(X, y, alpha, l1_ratio)` returning $(\tilde X, \tilde y,
#    \tilde\alpha)$ of {eq}`eq-enet-augmented` and {eq}`eq-enet-augmented-alpha` for data that you
#    centre yourself, and check with `checks.assert_close(lasso(Xt, yt, alpha=at,
#    fit_intercept=False).coef, elastic_net(X, y, alpha=alpha, l1_ratio=l1_ratio).coef, rtol=1e-6)`
#    on the diabetes training set for three values of `l1_ratio`. (Use a small `tol`.)
# 3. **Proximal gradient in NumPy (coding).** Implement ISTA for {eq}`eq-enet-sklearn` with
#    `regbook.np.prox.prox_elastic_net` (step $1/L$, intercept by a plain gradient step) and check it
#    against `elastic_net` with `checks.assert_close(..., rtol=1e-6)`. How many iterations do you need
#    for $\rho = 0.5$ and for $\rho = 0.99$ on the grouped data, and why does the L2 part help?
# 4. **Identical features.** Prove that if $x_i = x_j$ and $\rho < 1$, then $\hat w_i = \hat w_j$ (hint:
#    strict convexity, or {eq}`eq-enet-grouping-exact`). For the lasso, show that every split of
#    $\hat w_i + \hat w_j$ with equal signs is optimal.
# 5. **At most n.** Show that for $p > n$ the lasso always has a solution with at most $n$ non-zero
#    coefficients. (Hint: if the active columns are linearly dependent, move along a direction in
#    their null space that keeps the L1 norm from increasing until a coefficient hits zero.) Why
#    does the argument fail for the elastic net?
# 6. **Rescaled elastic net (coding).** Add Zou and Hastie's rescaled elastic net,
#    $(1 + \alpha(1-\rho))\hat w$ with the intercept recomputed, to the test-error experiment (choose
#    its $\alpha$ on the validation set along the same path). Where does it beat the naive one?
#
# ## References
#
# The elastic net, its grouping effect and the naive/rescaled distinction are from
# {cite}`zou2005regularization`; the lasso from {cite}`tibshirani1996regression` and ridge from
# {cite}`hoerl1970ridge`. Coordinate descent and the glmnet parameterization follow
# {cite}`friedman2010regularization`; proximal operators and ISTA {cite}`parikh2014proximal,beck2009fast`;
# decoupled weight decay {cite}`loshchilov2019decoupled`. {cite}`hastie2009elements` and
# {cite}`hastie2015statistical` cover all of it at textbook length. Full entries are in the
# {doc}`bibliography`.
