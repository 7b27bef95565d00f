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
# (ch-recommender)=
# # Recommender systems: matrix factorization with L2
#
# A **recommender system** (推荐系统) predicts how much a user will like an item they have not rated yet.
# **Collaborative filtering** (协同过滤) does it from the ratings alone, and its workhorse is **matrix
# factorization** (矩阵分解): every user and every item gets a short vector of latent factors, and a rating
# is predicted by their inner product {cite}`koren2009matrix`. Three of the five sources this book mirrors
# (000, 002 and 004) list recommender systems as an application of regularization, and source 004 adds that
# one "can add L2 regularization to a collaborative filtering model"; none of them says why it is needed or
# how much. This chapter does.
#
# The data are a synthetic ratings matrix built to have the features that make real ones hard: a few
# popular items that get most ratings, many users with only a handful of ratings, and ratings that are
# **missing not at random** (people mostly rate what they like). The generator keeps every rating each user
# would have given, so we can also measure what a held-out test set cannot show. We derive alternating least
# squares (ALS), in which every step is the ridge regression of {doc}`ch02_ridge`; train the same model by
# SGD in PyTorch; sweep the penalty; and compare the model without a penalty, with one, and the usual
# baselines over several seeds.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from myst_nb import glue

import regbook
from regbook import checks
from regbook.np import matrix_factorization as mf
from regbook.np.linear import ridge
from regbook.pt import matrix_factorization as ptmf

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: more parameters than ratings
#
# We generate 300 users and 150 items. The true ratings have a rank-4 interaction term plus user and item
# biases and noise, rounded to stars 1 to 5; about 10% of the entries are observed, with Zipf item
# popularity, log-normal user activity and a preference for observing high ratings (`mnar=0.5`: a 5-star
# rating is $e^{0.5 \cdot 2} =$ {glue:text}`ch13_odds` times as likely to be observed as a 3-star one, below the
# cap of probability 1; the cell checks that the generator has this form). Per user, about 20% of
# the ratings are held out for testing and 20% of the rest for validation; every user keeps at least one
# training rating. The model has rank 8, twice the true rank, as one would pick without knowing it.

# %%
N_USERS, N_ITEMS, TRUE_RANK = 300, 150, 4
DENSITY, MNAR, NOISE = 0.1, 0.5, 0.4
RANK, N_ITERS, SEEDS = 8, 10, (0, 1, 2)


def make_problem(seed, mnar=MNAR):
    """The ratings problem of one seed: the generator's output and per-user train/validation/test splits."""
    prob = mf.make_ratings(N_USERS, N_ITEMS, rank=TRUE_RANK, rng=seed, density=DENSITY, mnar=mnar, noise=NOISE)
    rest, test = mf.train_test_split_ratings(prob.ratings, test_size=0.2, rng=seed + 100)
    train, val = mf.train_test_split_ratings(rest, test_size=0.2, rng=seed + 200)
    return prob, train, val, test


def fit(train, alpha, *, seed, rank=RANK, weighted_lambda=False):
    return mf.als(train, N_USERS, N_ITEMS, rank=rank, alpha=alpha, n_iters=N_ITERS, rng=seed,
                  weighted_lambda=weighted_lambda)


def unseen(*parts):
    """Boolean (N_USERS, N_ITEMS) mask of the entries in none of the given rating sets."""
    mask = np.ones((N_USERS, N_ITEMS), dtype=bool)
    for part in parts:
        mask[part.users, part.items] = False
    return mask


def full_rmse(model, prob, mask):
    """RMSE against the true ratings (observed or not) of the entries in `mask`."""
    return float(np.sqrt(np.mean((mf.predict_all(model) - prob.full)[mask] ** 2)))


prob0, train0, val0, test0 = make_problem(0)
n_train_user = np.bincount(train0.users, minlength=N_USERS)
n_train_item = np.bincount(train0.items, minlength=N_ITEMS)
n_params = (N_USERS + N_ITEMS) * (RANK + 1)
frac_light = float(np.mean(n_train_user < RANK + 1))
print(f"{len(prob0.ratings.values)} observed ratings ({len(prob0.ratings.values) / prob0.full.size:.1%} of the "
      f"matrix): {len(train0.values)} train, {len(val0.values)} validation, {len(test0.values)} test")
print(f"model parameters: {n_params} (rank {RANK} + 1 bias per user and per item) for {len(train0.values)} "
      f"training ratings")
print(f"training ratings per user: median {np.median(n_train_user):.0f}, max {n_train_user.max()}; "
      f"{frac_light:.0%} of users have fewer than the {RANK + 1} parameters of their row")
print(f"the 10% most popular items hold {np.sort(n_train_item)[::-1][:N_ITEMS // 10].sum() / len(train0.values):.0%} "
      f"of the training ratings")
# below the cap, P(observed) = t a_i q_j e^{mnar (r - 3)}: on the rows and columns without a capped entry,
# log P - mnar (r - 3) is a user term plus an item term, which double centring removes exactly
P = prob0.observe_prob
rows_ok = ~(P >= 1).any(axis=1)
cols_ok = ~(P[rows_ok] >= 1).any(axis=0)
L = (np.log(P) - MNAR * (prob0.full - 3))[np.ix_(rows_ok, cols_ok)]
err_odds = float(np.abs(L - L.mean(0) - L.mean(1, keepdims=True) + L.mean()).max())
print(f"P(observed) = user term x item term x e^(mnar (r - 3)) on {L.shape[0]} x {L.shape[1]} uncapped entries: "
      f"max deviation {checks.error_bound(err_odds, floor=1e-10)}; 5 vs 3 stars: e^(2 mnar) = {np.exp(2 * MNAR):.2f}")
assert err_odds < 1e-10 and min(L.shape) >= 50
assert frac_light > 0.5
glue("ch13_odds", round(float(np.exp(2 * MNAR)), 4), display=False)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
mask = np.zeros((N_USERS, N_ITEMS))
mask[train0.users, train0.items] = 1
axes[0].imshow(mask[np.argsort(-n_train_user)][:, np.argsort(-n_train_item)], aspect="auto", cmap="Greys",
               interpolation="nearest")
axes[0].set(title="Training ratings (users and items sorted by count)", xlabel="item", ylabel="user")
axes[1].hist(n_train_user, bins=np.arange(0, n_train_user.max() + 2, 2), color="C0")
axes[1].axvline(RANK + 1, color="k", linestyle="--", label=f"parameters per user ({RANK + 1})")
axes[1].set(title="Training ratings per user", xlabel="number of ratings", ylabel="users")
axes[1].legend()
plt.show()

# %% [markdown]
# Fitting the model with and without an L2 penalty (both by the ALS algorithm derived below, 10 sweeps):

# %%
no_pen = fit(train0, 0.0, seed=0)
with_pen = fit(train0, 3.0, seed=0)
# without a penalty the values depend on rounding-level details of the least-squares solves: print bounds
print(f"no penalty:   train RMSE {'below' if mf.rmse(no_pen, train0) < 0.3 else 'above'} 0.3, test RMSE "
      f"{'above' if mf.rmse(no_pen, test0) > 3 else 'below'} 3")
print(f"alpha = 3:    train RMSE {mf.rmse(with_pen, train0):.3f}, test RMSE {mf.rmse(with_pen, test0):.3f}")
print(f"global mean:  test RMSE {np.sqrt(np.mean((test0.values - train0.values.mean()) ** 2)):.3f}")
assert mf.rmse(no_pen, train0) < 0.3 and mf.rmse(no_pen, test0) > 3
assert mf.rmse(with_pen, test0) < 0.85 and np.sqrt(np.mean((test0.values - train0.values.mean()) ** 2)) < 1.5
glue("ch13_n_params", n_params, display=False)
glue("ch13_n_train", len(train0.values), display=False)
glue("ch13_frac_light", round(100 * frac_light, 1), display=False)
glue("ch13_mean_per_user", round(float(n_train_user.mean()), 1), display=False)

# %% [markdown]
# The model has {glue:text}`ch13_n_params` parameters for {glue:text}`ch13_n_train` training ratings, and
# {glue:text}`ch13_frac_light`% of the users have fewer training ratings than their own row has parameters.
# Without a penalty their rows are underdetermined, the training ratings are fitted closely, and the
# predictions for new items are wild: the test RMSE is far worse than predicting the global mean for
# everyone. The exact values at $\alpha = 0$ depend on rounding-level details of the least-squares solves, so
# they are only reported as bounds. The reason for the penalty is not "high-dimensional features", as source 004
# says (the model has no features at all), but **too few observations per parameter**, row by row.
#
# ## Theory: the model, the objective and the prior
#
# User $i$ has factors $u_i \in \mathbb R^k$ and a bias $b_i$, item $j$ has $v_j$ and $c_j$, and $\mu$ is
# the mean training rating (fixed):
#
# $$
# \hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j .
# $$ (eq-mf-model)
#
# With $\Omega$ the set of observed (user, item) pairs, $\Omega_i$ the items rated by user $i$ and $n_i =
# |\Omega_i|$, the regularized objective is a **sum** over ratings:
#
# $$
# J = \sum_{(i,j)\in\Omega} \bigl(r_{ij} - \hat r_{ij}\bigr)^2
#     + \sum_i \alpha_i \bigl(\lVert u_i\rVert^2 + b_i^2\bigr)
#     + \sum_j \beta_j \bigl(\lVert v_j\rVert^2 + c_j^2\bigr),
# \qquad \alpha_i = \beta_j = \alpha .
# $$ (eq-mf-objective)
#
# The biases are penalized as well: a user with one rating would otherwise get a bias that reproduces it
# exactly. **The Bayesian view** {cite}`salakhutdinov2008probabilistic`: if $r_{ij} \sim \mathcal
# N(\hat r_{ij}, \sigma^2)$ independently and every factor and bias has a prior $\mathcal N(0, \tau^2)$, the
# negative log posterior is
#
# $$
# -\log p(U, V, b, c \mid r) = \frac{1}{2\sigma^2}\sum_{\Omega}(r_{ij} - \hat r_{ij})^2
#   + \frac{1}{2\tau^2}\Bigl(\sum_i \bigl(\lVert u_i\rVert^2 + b_i^2\bigr)
#   + \sum_j \bigl(\lVert v_j\rVert^2 + c_j^2\bigr)\Bigr) + \text{const},
# $$ (eq-mf-map)
#
# which is $J / (2\sigma^2)$ with $\alpha = \sigma^2/\tau^2$: minimizing $J$ is MAP estimation, and $\alpha$
# is the noise-to-prior variance ratio. With the items fixed, one user's row is a Bayesian linear regression,
# and its posterior mean from Gaussian conditioning, $\tau^2 X^\top(\tau^2 XX^\top + \sigma^2 I)^{-1}y$, must be
# the ridge solution with $\alpha = \sigma^2/\tau^2$. We check it for the busiest user, with the item factors
# of the penalized fit above; then we write out {eq}`eq-mf-model`, {eq}`eq-mf-objective` (and its weighted
# variant {eq}`eq-mf-weighted` below) and {eq}`eq-mf-map` term by term and compare them with regbook's
# `predict` and `mf_objective` and with $J/(2\sigma^2)$:

# %%
busiest = int(np.argmax(n_train_user))
js = train0.items[train0.users == busiest]
X_row = np.hstack([with_pen.item_factors[js], np.ones((len(js), 1))])                     # (n_i, k + 1)
y_row = train0.values[train0.users == busiest] - with_pen.global_mean - with_pen.item_bias[js]
sigma2, tau2 = 0.3, 0.1
post_mean = tau2 * X_row.T @ np.linalg.solve(tau2 * X_row @ X_row.T + sigma2 * np.eye(len(js)), y_row)
ridge_row = ridge(X_row, y_row, alpha=sigma2 / tau2, fit_intercept=False).coef
err_bayes = checks.rel_error(post_mean, ridge_row)
print(f"user {busiest} ({len(js)} ratings): posterior mean vs ridge(alpha = sigma^2/tau^2 = {sigma2 / tau2:.0f}), "
      f"rel. error {checks.error_bound(err_bayes)}")
assert err_bayes < 1e-12

# eq-mf-model, eq-mf-objective (both conventions) and eq-mf-map written out, against regbook
u_, i_, r_ = train0.users, train0.items, train0.values


def by_formula(m, alpha, weighted=False):
    """Predictions (eq-mf-model) and J (eq-mf-objective; alpha_i = alpha n_i, beta_j = alpha m_j if weighted)."""
    pred = m.global_mean + m.user_bias[u_] + m.item_bias[i_] + np.sum(m.user_factors[u_] * m.item_factors[i_], 1)
    a_u = alpha * np.bincount(u_, minlength=N_USERS) if weighted else alpha
    a_i = alpha * np.bincount(i_, minlength=N_ITEMS) if weighted else alpha
    pen = np.sum(a_u * (np.sum(m.user_factors**2, 1) + m.user_bias**2)) + np.sum(
        a_i * (np.sum(m.item_factors**2, 1) + m.item_bias**2))
    return pred, np.sum((r_ - pred) ** 2) + pen


def neg_log_post(m):
    """-log p(U, V, b, c | r) up to its constant: Gaussian likelihood (sigma2) and priors (tau2)."""
    pred, _ = by_formula(m, 0.0)
    theta = np.concatenate([m.user_factors.ravel(), m.user_bias, m.item_factors.ravel(), m.item_bias])
    return np.sum((r_ - pred) ** 2) / (2 * sigma2) + np.sum(theta**2) / (2 * tau2)


pred_f, J_f = by_formula(with_pen, 3.0)
err_model = checks.rel_error(pred_f, mf.predict(with_pen, u_, i_))
err_J = max(checks.rel_error(by_formula(with_pen, a, w)[1],
                             mf.mf_objective(with_pen, train0, alpha=a, weighted_lambda=w))
            for a, w in ((3.0, False), (0.1, True)))
err_map = checks.rel_error(neg_log_post(with_pen), J_f / (2 * sigma2))     # alpha = sigma2 / tau2 = 3
print(f"eq-mf-model vs mf.predict: {checks.error_bound(err_model)}; eq-mf-objective vs mf.mf_objective "
      f"(uniform and weighted): {checks.error_bound(err_J)}; -log posterior vs J / (2 sigma^2): "
      f"{checks.error_bound(err_map)}")
assert err_model < 1e-12 and err_J < 1e-12 and err_map < 1e-12

# %% [markdown]
# ## Alternating least squares: every row is a ridge problem
#
# $J$ is not convex in all parameters together (it contains products $u_i^\top v_j$), but with the item
# parameters fixed it is a sum of independent least-squares problems, one per user
# {cite}`zhou2008large,koren2009matrix`. Writing $w_i = (u_i, b_i)$, $X_i$ for the $n_i \times (k+1)$ matrix
# with rows $(v_j^\top, 1)$, $j \in \Omega_i$, and $y_i$ for the residuals $r_{ij} - \mu - c_j$:
#
# $$
# w_i = \arg\min_w \lVert y_i - X_i w\rVert^2 + \alpha_i \lVert w\rVert^2
#     = (X_i^\top X_i + \alpha_i I)^{-1} X_i^\top y_i ,
# $$ (eq-mf-row)
#
# exactly ridge regression without intercept ({doc}`ch02_ridge`), in scikit-learn's convention. For
# $\alpha_i > 0$ the matrix is invertible even when $n_i < k + 1$; that is the penalty's job here. ALS
# alternates: all users given the items, then all items given the users (the same formula with the roles
# swapped). Each half-step minimizes $J$ exactly over a block of variables, so **$J$ can never increase**.
# regbook's implementation calls `regbook.np.linear.ridge` for every row:

# %%
regbook.show_source(mf._update_rows)
regbook.show_source(mf.als)

# %% [markdown]
# We check the two claims: one sweep from the known initial factors reproduces the normal equations
# {eq}`eq-mf-row` for every user, and the objective history never increases.

# %%
one = mf.als(train0, N_USERS, N_ITEMS, rank=RANK, alpha=3.0, n_iters=1, rng=5)
init = np.random.default_rng(5)
init.standard_normal((N_USERS, RANK))                      # als draws U0 first, then V0, scale 0.1
V0 = 0.1 * init.standard_normal((N_ITEMS, RANK))
worst = 0.0
for i in range(N_USERS):
    sel = train0.users == i
    X_i = np.hstack([V0[train0.items[sel]], np.ones((sel.sum(), 1))])
    w_i = np.linalg.solve(X_i.T @ X_i + 3.0 * np.eye(RANK + 1), X_i.T @ (train0.values[sel] - one.global_mean))
    worst = max(worst, checks.rel_error(np.append(one.user_factors[i], one.user_bias[i]), w_i))
steps = np.diff(with_pen.objective)
print(f"user rows after one sweep vs normal equations: largest rel. error {checks.error_bound(worst, floor=1e-10)}")
print(f"objective: {with_pen.objective[0]:.1f} at the start, {with_pen.objective[-1]:.1f} after {N_ITERS} sweeps; "
      f"largest step {steps.max():.3g} (never positive)")
assert worst < 1e-10 and np.all(steps <= 1e-10 * with_pen.objective[0])

# %% [markdown]
# ### Which $\lambda$? Uniform or weighted by the number of ratings
#
# Two conventions are in use. {eq}`eq-mf-objective` with a single $\alpha$ is the MAP objective. Zhou et al.
# {cite}`zhou2008large` (ALS-WR, "weighted-$\lambda$ regularization") scale each row's penalty by its number
# of ratings,
#
# $$
# \alpha_i = \alpha\, n_i, \qquad \beta_j = \alpha\, m_j \quad (m_j = \text{ratings of item } j),
# $$ (eq-mf-weighted)
#
# so that, in {eq}`eq-mf-row`, both $X_i^\top X_i$ and the penalty grow with $n_i$: every row is shrunk by a
# comparable *relative* amount, and a user with 2 ratings is penalized 50 times less than one with 100. The
# two $\alpha$ are on different scales (the weighted one is per rating); regbook supports both
# (`weighted_lambda=True`), and the experiment tunes each on validation data. The same weighting appears,
# without anyone choosing it, in Koren's stochastic gradient descent {cite}`koren2009matrix`, which adds
# $\alpha(\lVert u_i\rVert^2 + \lVert v_j\rVert^2)$ at every rating: summed over $\Omega$, user $i$'s penalty is
# counted $n_i$ times.
#
# ### L2 on the factors is a nuclear-norm penalty on the matrix
#
# The penalty $\lVert U\rVert_F^2 + \lVert V\rVert_F^2$ depends on the factorization, not only on the matrix
# $M = UV^\top$. Among all factorizations of the same $M$, the smallest value is $2\lVert M\rVert_*$, twice the
# sum of its singular values {cite}`srebro2005maximum`. At a stationary point of $J$ (uniform $\alpha$) the
# gradients $G V + \alpha U$ and $G^\top U + \alpha V$ (with $G$ the gradient of the squared error with respect
# to $M$, halved) vanish, so $U^\top G V = -\alpha U^\top U$ and $V^\top G^\top U = -\alpha V^\top V$, transposes of
# each other:
#
# $$
# U^\top U = V^\top V \quad\Longrightarrow\quad \lVert U\rVert_F^2 + \lVert V\rVert_F^2 = 2\,\lVert UV^\top\rVert_* .
# $$ (eq-mf-nuclear)
#
# Since $\lVert U\rVert_F^2 + \lVert V\rVert_F^2 \ge 2\lVert UV^\top\rVert_*$ for every factorization, with equality
# for balanced ones, minimizing $J$ over $(U, V)$ and minimizing squared error $+\, 2\alpha\lVert M\rVert_*$ over
# matrices $M$ of rank at most $k$ have the same minimum value, and a global minimizer of $J$ gives one of the
# nuclear-norm problem (ALS only guarantees a stationary point, which is balanced but need not be global).
# The penalty shrinks the singular values, and a large rank $k$ costs little once $\alpha$
# is right (the {ref}`rank experiment <ch13-rank>` shows it). A check on a small dense problem, with ALS run
# to convergence:

# %%
small = mf.make_ratings(30, 20, rank=2, rng=1, density=0.6, mnar=0.0)
conv = mf.als(small.ratings, 30, 20, rank=2, alpha=2.0, n_iters=100, rng=0)
U, V = conv.user_factors, conv.item_factors
nuclear = np.linalg.svd(U @ V.T, compute_uv=False).sum()
err_gram = checks.rel_error(U.T @ U, V.T @ V)
err_nuc = checks.rel_error(np.sum(U**2) + np.sum(V**2), 2 * nuclear)
print(f"U^T U vs V^T V: rel. error {checks.error_bound(err_gram, floor=1e-6)}; "
      f"||U||^2 + ||V||^2 = {np.sum(U**2) + np.sum(V**2):.4f}, 2 ||UV^T||_* = {2 * nuclear:.4f}")
# an unbalanced factorization of the same matrix, (2U, V/2), pays more than the nuclear norm
excess = np.sum((2 * U) ** 2) + np.sum((V / 2) ** 2) - 2 * nuclear
print(f"unbalanced factorization (2U, V/2) of the same matrix: ||.||^2 sum exceeds 2 ||UV^T||_* by {excess:.2f}")
assert err_gram < 1e-6 and err_nuc < 1e-6 and excess > 1

# %% [markdown]
# ## PyTorch: the same objective, fitted by SGD
#
# `regbook.pt.matrix_factorization.MatrixFactorization` holds the same parameters as an `nn.Module` (the
# factors are what `nn.Embedding` would hold; a plain parameter matrix indexed by the user ids is the same
# thing). `sgd_mf` minimizes $J/|\Omega|$ with mini-batches whose loss is an unbiased estimate of it: with
# uniform $\alpha$ the whole penalty, divided by $|\Omega|$, is added to every batch; with
# `weighted_lambda=True` each rating carries the penalty of its own user and item, as in Koren's SGD.

# %%
regbook.show_source(ptmf._batch_loss)

# %% [markdown]
# Parity checks, in float64: the torch objective equals the NumPy one for the same parameters (both
# conventions); and on the small dense problem, full-batch gradient descent from a different random start
# reaches the objective value that ALS reached.

# %%
tr_t = [torch.as_tensor(a) for a in train0]
twin = ptmf.MatrixFactorization.from_params(with_pen)
errs = [checks.rel_error(float(ptmf.mf_objective(twin, *tr_t, alpha=a, weighted_lambda=w).detach()),
                         mf.mf_objective(with_pen, train0, alpha=a, weighted_lambda=w))
        for a, w in ((3.0, False), (0.1, True))]
small_t = [torch.as_tensor(a) for a in small.ratings]
gd = ptmf.MatrixFactorization(30, 20, 2, global_mean=conv.global_mean, generator=torch.Generator().manual_seed(1))
hist_gd = ptmf.sgd_mf(gd, *small_t, alpha=2.0, optimizer="sgd", lr=2.0, n_epochs=1000)
err_opt = checks.rel_error(hist_gd.objective[-1], conv.objective[-1])
print(f"objective, torch vs NumPy: rel. error {checks.error_bound(max(errs))}")
print(f"optimum: ALS {conv.objective[-1]:.4f}, full-batch gradient descent {hist_gd.objective[-1]:.4f} "
      f"(rel. error {checks.error_bound(err_opt, floor=1e-8)})")
assert max(errs) < 1e-12 and err_opt < 1e-8

# %% [markdown]
# The idiomatic PyTorch way to get an L2 penalty is the optimizer's `weight_decay`, applied to the gradient
# of the *mean* loss: $\theta \leftarrow \theta - \eta(\nabla \bar\ell + \text{wd}\,\theta)$. The gradient of
# the uniform penalty $\alpha\lVert\theta\rVert^2/|\Omega|$ is $2\alpha\theta/|\Omega|$, so
# $\text{wd} = 2\alpha/|\Omega|$. (`torch.optim.Adam`'s `weight_decay` adds the same term to the gradient;
# AdamW's decoupled decay does not, see {doc}`ch09_optimization`.) One SGD step of each, from the same
# parameters:

# %%
wd = 2 * 3.0 / len(train0.values)
models = [ptmf.MatrixFactorization.from_params(with_pen) for _ in range(2)]
opt_wd = torch.optim.SGD(models[0].parameters(), lr=0.5, weight_decay=wd)
((tr_t[2] - models[0](tr_t[0], tr_t[1])) ** 2).mean().backward()
opt_wd.step()
ptmf.sgd_mf(models[1], *tr_t, alpha=3.0, optimizer="sgd", lr=0.5, n_epochs=1)
err_wd = max(checks.rel_error(p.detach(), q.detach()) for p, q in zip(models[0].parameters(), models[1].parameters()))
print(f"SGD(weight_decay = 2 alpha / |Omega|) vs the penalty in the loss: rel. error {checks.error_bound(err_wd)}")
assert err_wd < 1e-12

# %% [markdown]
# Mini-batch Adam (batch 256, learning rate 0.02) on the chapter's training set, without a penalty and with
# $\alpha = 3$, watching the validation RMSE after each epoch:

# %%
curves = {}
for alpha in (0.0, 3.0):
    model_sgd = ptmf.MatrixFactorization(N_USERS, N_ITEMS, RANK, global_mean=float(train0.values.mean()),
                                         generator=torch.Generator().manual_seed(0))
    curves[alpha] = ptmf.sgd_mf(model_sgd, *tr_t, alpha=alpha, optimizer="adam", lr=0.02, n_epochs=60,
                                batch_size=256, generator=torch.Generator().manual_seed(0),
                                val=[torch.as_tensor(a) for a in val0])
fig, ax = plt.subplots(figsize=(7, 3.8))
for alpha, style in ((0.0, "--"), (3.0, "-")):
    ax.plot(curves[alpha].train_rmse, style, color="C0", label=f"train, alpha = {alpha:g}")
    ax.plot(curves[alpha].val_rmse, style, color="C1", label=f"validation, alpha = {alpha:g}")
ax.set(xlabel="epoch", ylabel="RMSE (stars)", title="Adam on the ratings, with and without L2", ylim=(0, 1.6))
ax.legend()
plt.show()
v0, v3 = np.array(curves[0.0].val_rmse), np.array(curves[3.0].val_rmse)
print(f"alpha = 0: validation RMSE lowest {v0.min():.3f} at epoch {v0.argmin()}, final {v0[-1]:.3f}")
print(f"alpha = 3: validation RMSE lowest {v3.min():.3f} at epoch {v3.argmin()}, final {v3[-1]:.3f}; "
      f"ALS with alpha = 3: {mf.rmse(with_pen, val0):.3f}")
assert v0.argmin() < 10 and v0[-1] > v0.min() + 0.1                     # overfits after an early minimum
assert v3[-1] < v0[-1] - 0.1 and abs(v3[-1] - mf.rmse(with_pen, val0)) < 0.05
assert v0[-1] < 3 < mf.rmse(no_pen, val0)        # unpenalized: SGD overfits, but far less than ALS
glue("ch13_sgd_v0_min", round(float(v0.min()), 4), display=False)
glue("ch13_sgd_v0_argmin", int(v0.argmin()), display=False)
glue("ch13_sgd_v0_final", round(float(v0[-1]), 4), display=False)
glue("ch13_sgd_v3_final", round(float(v3[-1]), 4), display=False)

# %% [markdown]
# Without a penalty, SGD overfits *over time*: the validation RMSE is lowest
# ({glue:text}`ch13_sgd_v0_min`) early, at epoch {glue:text}`ch13_sgd_v0_argmin`, and ends at
# {glue:text}`ch13_sgd_v0_final`, so early stopping ({doc}`ch08_early_stopping`) would act as a regularizer
# here. Even at the end it is far better than unpenalized ALS (above 3): gradient descent from small random
# factors, stopped after a finite number of steps, stays near small-norm solutions, an implicit regularization
# that the exact minimizations of ALS do not have. With $\alpha = 3$ it settles at
# {glue:text}`ch13_sgd_v3_final`, close to what ALS reached with the same objective.
#
# (ch13-experiment)=
# ## Experiment: the penalty over three seeds
#
# For each of three seeds (a new ratings matrix and new splits), we fit with ALS, 10 sweeps, rank 8:
# the model without penalty; uniform $\alpha$ on a grid; weighted $\alpha$ {eq}`eq-mf-weighted` on a grid;
# the biases-only model ($k = 0$) on a grid; and the global mean. Each $\alpha$ is chosen on the validation
# set; test RMSE is read once for the chosen models. We also record the **full-matrix RMSE**: the RMSE
# against the true ratings of every (user, item) pair outside the training and validation sets, observed or
# not, which only a simulation can provide.

# %%
ALPHAS = np.array([0.1, 0.3, 1.0, 3.0, 10.0, 30.0])
W_ALPHAS = np.array([0.03, 0.1, 0.3])
B_ALPHAS = np.array([1.0, 3.0, 10.0])
BUCKETS = ((1, 4), (5, 14), (15, 10_000))       # training ratings of the user


def scores(model, prob, train, val, test):
    return {"train": mf.rmse(model, train), "val": mf.rmse(model, val), "test": mf.rmse(model, test),
            "full": full_rmse(model, prob, unseen(train, val))}


def bucket_rmse(model, train, test):
    """Test RMSE of users grouped by their number of training ratings."""
    n_i = np.bincount(train.users, minlength=N_USERS)[test.users]
    err = test.values - mf.predict(model, test.users, test.items)
    return [float(np.sqrt(np.mean(err[(n_i >= lo) & (n_i <= hi)] ** 2))) for lo, hi in BUCKETS]


runs = []
for seed in SEEDS:
    prob, train, val, test = make_problem(seed)
    run = {"uniform": [fit(train, a, seed=seed) for a in ALPHAS],
           "weighted": [fit(train, a, seed=seed, weighted_lambda=True) for a in W_ALPHAS],
           "biases": [fit(train, a, seed=seed, rank=0) for a in B_ALPHAS],
           "none": [fit(train, 0.0, seed=seed)]}
    res = {k: [scores(m, prob, train, val, test) for m in v] for k, v in run.items()}
    best = {k: int(np.argmin([s["val"] for s in v])) for k, v in res.items()}
    mean_pred = train.values.mean()
    res["mean"] = [{"test": float(np.sqrt(np.mean((test.values - mean_pred) ** 2))),
                    "full": float(np.sqrt(np.mean((prob.full - mean_pred)[unseen(train, val)] ** 2)))}]
    best["mean"] = 0
    buckets = {"weak": bucket_rmse(run["uniform"][0], train, test),
               "tuned": bucket_rmse(run["uniform"][best["uniform"]], train, test),
               "weighted": bucket_rmse(run["weighted"][best["weighted"]], train, test),
               "count": [int(np.sum((np.bincount(train.users, minlength=N_USERS)[test.users] >= lo)
                                    & (np.bincount(train.users, minlength=N_USERS)[test.users] <= hi)))
                         for lo, hi in BUCKETS]}
    runs.append({"res": res, "best": best, "buckets": buckets, "prob": prob,
                 "tuned": run["uniform"][best["uniform"]],
                 "frac_light": float(np.mean(np.bincount(train.users, minlength=N_USERS) < RANK + 1))})


def grid(kind, key):
    """(n_alphas, n_seeds) array of one score along one grid."""
    return np.array([[s[key] for s in r["res"][kind]] for r in runs]).T


def chosen(kind, key):
    """The score of the validation-chosen model, one per seed."""
    return np.array([r["res"][kind][r["best"][kind]][key] for r in runs])


print("alpha chosen on validation (uniform):", [float(ALPHAS[r["best"]["uniform"]]) for r in runs])
print("alpha chosen on validation (weighted):", [float(W_ALPHAS[r["best"]["weighted"]]) for r in runs])
ratio = np.array([ALPHAS[r["best"]["uniform"]] / W_ALPHAS[r["best"]["weighted"]] for r in runs])
n_per_item = len(train0.values) / N_ITEMS
assert np.all((ratio >= 10) & (ratio <= 100)) and n_train_user.mean() / 10 < np.median(ratio) < 10 * n_per_item
glue("ch13_alpha_ratio", round(float(np.median(ratio)), 4), display=False)
glue("ch13_mean_per_item", round(float(n_per_item), 1), display=False)

# %% [markdown]
# ### The U-shape
#
# The mean training RMSE rises steadily with $\alpha$; validation and full-matrix RMSE first fall (less
# variance) and then rise (the factors are shrunk towards zero and the model drifts to the biases-only one).
# Without a penalty (not on the log axis) the test RMSE is far off the chart on every seed.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, key, title in ((axes[0], "val", "validation"), (axes[1], "full", "full matrix (true ratings)")):
    for kind, alphas, color in (("uniform", ALPHAS, "C0"), ("weighted", W_ALPHAS * 30, "C2")):
        m, s = grid(kind, key).mean(1), grid(kind, key).std(1)
        ax.errorbar(alphas, m, yerr=s, color=color, marker="o", capsize=3,
                    label=f"{kind} alpha" + (" (x30)" if kind == "weighted" else ""))
    ax.plot(ALPHAS, grid("uniform", "train").mean(1), color="C0", linestyle=":", label="uniform, train")
    ax.axhline(np.mean(chosen("biases", key)), color="grey", linestyle="--", label="biases only")
    ax.set(xscale="log", xlabel="alpha", ylabel="RMSE (stars)", title=f"RMSE vs alpha: {title}", ylim=(0, 1.4))
    ax.legend(fontsize=8)
plt.show()
val_grid = grid("uniform", "val")
best_idx = val_grid.argmin(axis=0)
u_ok = [val_grid[0, s] > val_grid[b, s] + 0.05 and val_grid[-1, s] > val_grid[b, s] + 0.05
        for s, b in enumerate(best_idx)]
train_rises = bool(np.all(np.diff(grid("uniform", "train")[1:], axis=0) > 0)
                   and np.all(np.diff(grid("uniform", "train").mean(1)) > 0))
full_grid = grid("uniform", "full")
u_full = bool(np.all((full_grid[0] > full_grid.min(0) + 0.05) & (full_grid[-1] > full_grid.min(0) + 0.05)))
print("mean training RMSE along the grid:", np.round(grid("uniform", "train").mean(1), 3))
print(f"validation RMSE at alpha = {ALPHAS[0]}: {val_grid[0].mean():.3f}; at the best alpha: "
      f"{val_grid.min(axis=0).mean():.3f}; at alpha = {ALPHAS[-1]:g}: {val_grid[-1].mean():.3f} (means over seeds)")
print("U-shape (both ends worse than the best by > 0.05) on every seed:", all(u_ok),
      "| training RMSE rises with alpha (mean over seeds; each seed from 0.3 on):", train_rises)
assert all(u_ok) and u_full and train_rises and 0 < best_idx.min() and best_idx.max() < len(ALPHAS) - 1
glue("ch13_u_low", round(float(val_grid[0].mean()), 4), display=False)
glue("ch13_u_best", round(float(val_grid.min(axis=0).mean()), 4), display=False)
glue("ch13_u_high", round(float(val_grid[-1].mean()), 4), display=False)

# %% [markdown]
# The mean validation RMSE is {glue:text}`ch13_u_low` at $\alpha = 0.1$, {glue:text}`ch13_u_best` at the
# best $\alpha$ and {glue:text}`ch13_u_high` at $\alpha = 30$, and each seed has its minimum inside the grid.
#
# ### Users with few ratings
#
# The test error split by the user's number of training ratings, for the weakly penalized model ($\alpha =
# 0.1$), the tuned uniform one, and the tuned weighted one, averaged over the seeds:

# %%
b_weak = np.mean([r["buckets"]["weak"] for r in runs], axis=0)
b_tuned = np.mean([r["buckets"]["tuned"] for r in runs], axis=0)
b_wt = np.mean([r["buckets"]["weighted"] for r in runs], axis=0)
b_count = np.sum([r["buckets"]["count"] for r in runs], axis=0)
labels = [f"{lo}-{hi}" if hi < 10_000 else f"{lo}+" for lo, hi in BUCKETS]
fig, ax = plt.subplots(figsize=(7, 3.8))
xpos = np.arange(len(BUCKETS))
for off, vals, name in ((-0.25, b_weak, "alpha = 0.1"), (0, b_tuned, "uniform alpha, tuned"),
                        (0.25, b_wt, "weighted alpha, tuned")):
    ax.bar(xpos + off, vals, width=0.25, label=name)
ax.set_xticks(xpos, [f"{lab}\n({c} test ratings)" for lab, c in zip(labels, b_count)])
ax.set(xlabel="training ratings of the user", ylabel="test RMSE (stars)", title="Test RMSE by user activity",
       ylim=(0, 1.35))
ax.legend(ncol=3, loc="upper center")
plt.show()
for lab, w, t, wt in zip(labels, b_weak, b_tuned, b_wt):
    print(f"users with {lab:>6} training ratings: alpha = 0.1 {w:.3f}, tuned uniform {t:.3f}, tuned weighted {wt:.3f}")
weak_s = np.array([r["buckets"]["weak"] for r in runs])      # (n_seeds, n_buckets)
tuned_s = np.array([r["buckets"]["tuned"] for r in runs])
assert np.all(weak_s > 0.85) and np.all(tuned_s < weak_s)                 # every bucket, every seed
assert np.all(tuned_s[:, 0] > tuned_s[:, 2]) and b_tuned[0] > b_tuned[2] + 0.05
assert b_weak[2] > b_weak[0]                                              # the naive picture fails
assert b_tuned[0] > b_tuned[1] and np.all(np.argmax(weak_s - tuned_s, axis=1) == 2)   # largest gain: active
assert b_wt[0] > b_tuned[0] and b_wt[2] < b_tuned[2]
glue("ch13_b_weak_light", round(float(b_weak[0]), 4), display=False)
glue("ch13_b_weak_heavy", round(float(b_weak[2]), 4), display=False)
glue("ch13_b_tuned_light", round(float(b_tuned[0]), 4), display=False)
glue("ch13_b_tuned_heavy", round(float(b_tuned[2]), 4), display=False)

# %% [markdown]
# The result is not the one the row-by-row picture suggests. With the tuned penalty, users with 1 to 4
# training ratings remain the hardest group on average, and harder than users with at least 15 on every seed
# ({glue:text}`ch13_b_tuned_light` against {glue:text}`ch13_b_tuned_heavy`); the penalty lowers the error in
# every group on every seed. But with the weak penalty the *active* users are predicted worse than the light
# ones on average ({glue:text}`ch13_b_weak_heavy` against {glue:text}`ch13_b_weak_light`), and the penalty's
# largest gain is on them, on every seed. A plausible reason, which this experiment does not isolate: an active
# user's predictions involve many item vectors, including the weakly constrained ones of rarely rated items
# (the item-side rows of {eq}`eq-mf-row`), which a weak penalty lets overfit. The two
# conventions split the groups as {eq}`eq-mf-weighted` predicts: the weighted penalty, lighter on light
# rows, does slightly worse than the uniform one on light users and slightly better on active users
# (averages over seeds; the tuned models differ by little).
#
# (ch13-rank)=
# ### Rank and penalty together
#
# The rank is a regularizer too: a rank-$k$ model cannot overfit in more than $k$ directions per user. With
# the validation error for several ranks and two penalties (seed 0):

# %%
RANKS = (2, 4, 8, 16)
rank_val = {a: [mf.rmse(fit(train0, a, seed=0, rank=k), val0) for k in RANKS] for a in (0.3, 3.0)}
fig, ax = plt.subplots(figsize=(7, 3.8))
for a, vals in rank_val.items():
    ax.plot(RANKS, vals, marker="o", label=f"alpha = {a:g}")
ax.axvline(TRUE_RANK, color="grey", linestyle=":", label="true rank")
ax.set(xscale="log", xlabel="rank k", ylabel="validation RMSE (stars)", title="Rank vs penalty (seed 0)")
ax.set_xticks(RANKS, [str(k) for k in RANKS])
ax.legend()
plt.show()
for a, vals in rank_val.items():
    print(f"alpha = {a:g}: validation RMSE for ranks {RANKS}: {np.round(vals, 3)}")
spread_weak = rank_val[0.3][-1] - rank_val[0.3][1]
spread_tuned = abs(rank_val[3.0][-1] - rank_val[3.0][1])
assert spread_weak > 0.08 and spread_tuned < 0.03 and min(rank_val[3.0]) < min(rank_val[0.3])
assert all(vals[0] > vals[1] + 0.03 for vals in rank_val.values())           # rank 2 < true rank: too small
glue("ch13_rank_weak", round(float(spread_weak), 4), display=False)
glue("ch13_rank_tuned", round(float(spread_tuned), 4), display=False)

# %% [markdown]
# With a weak penalty ($\alpha = 0.3$), going from rank 4 to rank 16 costs {glue:text}`ch13_rank_weak` in
# validation RMSE; with $\alpha = 3$ it changes it by only {glue:text}`ch13_rank_tuned`. As {eq}`eq-mf-nuclear`
# suggests, a suitable L2 penalty makes a rank above the true one cost little: it shrinks the unneeded
# directions itself. (A rank below the true one still costs accuracy: rank 2 is worse than rank 4 for both
# penalties.) Tuning
# $\alpha$ for a generous rank is safer than tuning the rank with a weak penalty.
#
# ### Missing not at random: what a test set cannot show
#
# The test ratings are a random subset of the *observed* ratings, so they share the observation bias: they
# are mostly ratings of items the user liked, of popular items, by active users. The generator knows every
# rating, so we can compare the test RMSE with the full-matrix RMSE of the tuned model. We also regenerate each
# seed's data with `mnar=0` (the same true ratings, observed independently of their value but still with
# popularity and activity skew) and fit the same model. Finally, weighting each unseen entry's squared error by
# its observation probability gives the error on "the ratings that would be observed", which is what a test
# set estimates.

# %%
def weighted_rmse(model, prob, mask):
    """Full-matrix RMSE over `mask`, each entry weighted by its probability of being observed."""
    w = prob.observe_prob * mask
    return float(np.sqrt(np.sum(w * (mf.predict_all(model) - prob.full) ** 2) / np.sum(w)))


gaps = {"MNAR": [], "MAR": []}
weighted_gap, obs_shift, unseen_bias = [], [], []
for k, (r, seed) in enumerate(zip(runs, SEEDS)):
    _, train_k, val_k, test_k = make_problem(seed)
    gaps["MNAR"].append(chosen("uniform", "full")[k] - chosen("uniform", "test")[k])
    weighted_gap.append(weighted_rmse(r["tuned"], r["prob"], unseen(train_k, val_k)) - chosen("uniform", "test")[k])
    obs_shift.append(r["prob"].ratings.values.mean() - r["prob"].full.mean())
    mask_k = unseen(train_k, val_k)
    unseen_bias.append(float(np.mean((mf.predict_all(r["tuned"]) - r["prob"].full)[mask_k])))
    prob_m, train_m, val_m, test_m = make_problem(seed, mnar=0.0)
    assert np.array_equal(prob_m.full, r["prob"].full)       # the same true ratings, observed differently
    model_m = fit(train_m, float(ALPHAS[r["best"]["uniform"]]), seed=seed)
    gaps["MAR"].append(full_rmse(model_m, prob_m, unseen(train_m, val_m)) - mf.rmse(model_m, test_m))
    weighted_gap.append(weighted_rmse(model_m, prob_m, unseen(train_m, val_m)) - mf.rmse(model_m, test_m))
print(f"mean observed rating minus mean of all ratings (mnar = {MNAR}): {np.mean(obs_shift):.3f} stars")
print(f"mean prediction minus true rating on the unseen entries (tuned model), per seed: {np.round(unseen_bias, 3)}")
for key, g in gaps.items():
    print(f"{key}: full-matrix RMSE minus test RMSE, per seed: {np.round(g, 3)}")
print(f"observation-weighted full-matrix RMSE minus test RMSE, all six fits: {np.round(weighted_gap, 3)}")
mnar_gap, mar_gap = np.array(gaps["MNAR"]), np.array(gaps["MAR"])
assert np.all(mnar_gap > 0.15) and np.all(mar_gap > 0.03) and np.all(mnar_gap > mar_gap + 0.05)
assert max(np.abs(weighted_gap)) < 0.06 and min(obs_shift) > 0.2 and min(unseen_bias) > 0.2
glue("ch13_mnar_gap", round(float(mnar_gap.mean()), 4), display=False)
glue("ch13_mar_gap", round(float(mar_gap.mean()), 4), display=False)
glue("ch13_obs_shift", round(float(np.mean(obs_shift)), 4), display=False)
glue("ch13_unseen_bias", round(float(np.mean(unseen_bias)), 4), display=False)
glue("ch13_weighted_gap", round(float(np.max(np.abs(weighted_gap))), 4), display=False)

# %% [markdown]
# Under MNAR observation the held-out RMSE is too optimistic by {glue:text}`ch13_mnar_gap` stars on average:
# the observed ratings are {glue:text}`ch13_obs_shift` stars above the mean of all ratings, the model learns
# that level through $\mu$ and the biases, and the unobserved (mostly lower) ratings are predicted too high,
# by {glue:text}`ch13_unseen_bias` stars on average.
# When observation does not depend on the rating, the gap shrinks to {glue:text}`ch13_mar_gap` but does not
# vanish: popular items and active users, whose predictions are better, are over-represented among observed
# ratings. In all six fits the test RMSE matches the observation-weighted error within
# {glue:text}`ch13_weighted_gap`: a test set of observed ratings measures the error where ratings are likely
# to be observed, not where recommendations are made. No penalty fixes this; it is a property of the data,
# and the remedies model the missingness itself {cite}`marlin2009collaborative,steck2010training` (e.g.
# treating unobserved entries as weak evidence of low ratings, or weighting by inverse observation
# probabilities).
#
# ### Results
#
# Test RMSE (held-out observed ratings) and full-matrix RMSE (true ratings of all pairs outside training and
# validation), mean ± standard deviation over the three seeds, each $\alpha$ chosen on validation data:

# %%
ROWS = (("global mean", "mean"), ("biases only (L2 on the biases)", "biases"),
        ("MF, no penalty", "none"), ("MF + L2, uniform alpha", "uniform"), ("MF + L2, weighted alpha", "weighted"))
table = {kind: (chosen(kind, "test"), chosen(kind, "full")) for _, kind in ROWS}
print(f"{'model':34s} {'test RMSE':>15s} {'full-matrix RMSE':>18s}")
for name, kind in ROWS:
    test_r, full_r = table[kind]
    if kind == "none":   # diverges; its value depends on rounding-level details, so it is printed as a bound
        assert test_r.min() > 3 and full_r.min() > 3
        print(f"{name:34s} {'> 3':>15s} {'> 3':>18s}")
    else:
        print(f"{name:34s} {test_r.mean():9.3f} ± {test_r.std():.3f} {full_r.mean():12.3f} ± {full_r.std():.3f}")

fig, ax = plt.subplots(figsize=(8, 3.8))
names = [n for n, k in ROWS if k != "none"]
xpos = np.arange(len(names))
for off, key, col in ((-0.2, 0, "test (observed)"), (0.2, 1, "full matrix")):
    ax.bar(xpos + off, [table[k][key].mean() for n, k in ROWS if k != "none"], width=0.4,
           yerr=[table[k][key].std() for n, k in ROWS if k != "none"], capsize=3, label=col)
ax.set_xticks(xpos, [n.replace(" (", "\n(").replace(", ", ",\n") for n in names], fontsize=8)
ax.set(ylabel="RMSE (stars)", title="Three seeds; MF without penalty is off the chart (> 3)")
ax.legend()
plt.show()

# %%
t_mean, t_bias = table["mean"][0], table["biases"][0]
t_uni, t_wt = table["uniform"][0], table["weighted"][0]
f_bias, f_uni = table["biases"][1], table["uniform"][1]
gap_bias = t_bias - t_uni                       # per seed
assert np.all(t_bias < t_mean - 0.05)
assert gap_bias.mean() > 2 * np.std(gap_bias) and np.all(gap_bias > 0.04)
assert np.all(f_uni < f_bias)
assert abs(t_wt.mean() - t_uni.mean()) < 0.03
assert all(np.all(table[k][1] > table[k][0]) for _, k in ROWS if k != "none")   # full matrix worse than test
assert min(r["frac_light"] for r in runs) > 0.5
glue("ch13_t_mean", round(float(t_mean.mean()), 4), display=False)
glue("ch13_t_bias", round(float(t_bias.mean()), 4), display=False)
glue("ch13_t_uni", round(float(t_uni.mean()), 4), display=False)
glue("ch13_t_uni_std", round(float(t_uni.std()), 4), display=False)
glue("ch13_t_wt", round(float(t_wt.mean()), 4), display=False)
glue("ch13_gap_bias", round(float(gap_bias.mean()), 4), display=False)
glue("ch13_f_bias", round(float(f_bias.mean()), 4), display=False)
glue("ch13_f_uni", round(float(f_uni.mean()), 4), display=False)

# %% [markdown]
# ### What we learned
#
# - **Without a penalty, matrix factorization is useless here**: test RMSE above 3 stars on every seed, worse
#   than the global mean ({glue:text}`ch13_t_mean`). On every seed most users have fewer training ratings
#   than their row has parameters.
# - **Biases alone**, penalized, already beat the global mean: {glue:text}`ch13_t_bias`.
# - **Factors with a tuned L2 penalty** reach {glue:text}`ch13_t_uni` ± {glue:text}`ch13_t_uni_std`, better
#   than biases alone by {glue:text}`ch13_gap_bias` on average (on every seed by more than 0.04, and the mean
#   gain is more than twice its standard deviation over seeds).
# - **Uniform or weighted $\alpha$ did not matter** once each is tuned: {glue:text}`ch13_t_wt` for the
#   weighted one, within 0.03 of the uniform one. The choice changes the scale of $\alpha$, not the result.
# - **Users with few ratings stay the hardest** on average even with the penalty, which lowered the error
#   for every activity group; the largest gain was for active users, not (as one might guess) for light ones. With a
#   tuned penalty the **rank matters little**.
# - **The held-out RMSE is optimistic under MNAR data**: on the full matrix of true ratings the same models
#   score {glue:text}`ch13_f_uni` (factors) and {glue:text}`ch13_f_bias` (biases); the factors still help
#   on every seed, but every model scores worse on the full matrix than on the test set, on every seed.
#
# (ch13-pitfalls)=
# ## Pitfalls and corrections
#
# **"Recommender tasks have high-dimensional features, so they overfit" (source 004: "由于推荐系统任务通常
# 具有高维度特征，容易产生过拟合问题").** A collaborative-filtering model has no input features; it
# overfits because each user's and item's parameters are estimated from few ratings
# ({glue:text}`ch13_frac_light`% of our users have fewer ratings than parameters, and so do the many rarely
# rated items). The penalty's job is to make each row problem {eq}`eq-mf-row` well posed.
#
# **Comparing $\lambda$ across implementations.** ALS with a uniform $\alpha$, ALS-WR's $\alpha n_i$,
# Koren's per-rating SGD penalty (which *is* $\alpha n_i$), and an optimizer's `weight_decay` on the mean loss
# ($\text{wd} = 2\alpha/|\Omega|$, checked above) are four scales for the same knob. A value copied from a paper
# is only meaningful with its convention; the tuned uniform $\alpha$ here was {glue:text}`ch13_alpha_ratio`
# times the tuned weighted one (median over seeds; the grids have steps of about 3, so this is coarse), the same
# order of magnitude as the factors $n_i$ and $m_j$ of {eq}`eq-mf-weighted`: for seed 0 the mean number of
# training ratings is {glue:text}`ch13_mean_per_user` per user and {glue:text}`ch13_mean_per_item` per item.
#
# **Leaving the biases unpenalized**, or penalizing only the factors, lets a user with one rating get a bias
# equal to that rating's residual, which is exactly the overfitting the penalty was meant to prevent.
#
# **Reading a held-out RMSE as the quality of recommendations.** On MNAR data it is biased downwards
# (optimistic), as measured above; it also rewards models that predict the observed kind of ratings. A
# random split of observed ratings does not fix this {cite}`marlin2009collaborative,steck2010training`.
#
# **Splitting ratings at random instead of per user** can leave test users without training ratings; their
# predictions then come from $\mu$ and the item bias only and say nothing about the factorization. regbook's
# `train_test_split_ratings` keeps at least one training rating per test user.
#
# ## Summary
#
# - Matrix factorization predicts $\mu + b_i + c_j + u_i^\top v_j$ {eq}`eq-mf-model`; the L2-penalized squared
#   error {eq}`eq-mf-objective` is MAP estimation under Gaussian priors {eq}`eq-mf-map`.
# - ALS solves one ridge problem per user and per item {eq}`eq-mf-row` and never increases the objective;
#   SGD in PyTorch reaches the same optimum, with the penalty per batch (uniform) or per rating (weighted,
#   {eq}`eq-mf-weighted`).
# - L2 on both factor matrices equals a nuclear-norm penalty on their product at the optimum
#   {eq}`eq-mf-nuclear`, which is why a tuned penalty makes the rank less critical.
# - On sparse, popularity-skewed, MNAR data, the penalty turns an unusable model into the best one of the
#   comparison; users with few ratings stay the hardest, and held-out error is still optimistic.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 13 <exercises/solutions/a13_recommender>` has coding exercises on this chapter with checks
# you can run; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Unpenalized biases (coding).** Modify a copy of `_update_rows` so that the bias is an unpenalized
#    intercept (`ridge(..., fit_intercept=True)` on the factors only). Compare the test RMSE of the lightest
#    user bucket with the chapter's model at the tuned $\alpha$ and explain the difference.
# 2. **Weighted λ by SGD (coding).** Train `MatrixFactorization` with `sgd_mf(..., weighted_lambda=True,
#    optimizer="sgd", batch_size=None)` on the small dense problem and verify with `checks.rel_error` that it
#    reaches the objective of `als(..., weighted_lambda=True)` (tolerance 1e-8).
# 3. **The Bayesian α.** The generator's interaction factors have variance $\tau^2 = (0.8^2/4)^{1/2}$ per
#    entry and the noise, including rounding to stars, has variance about $0.4^2 + 1/12$. Compute
#    $\alpha = \sigma^2/\tau^2$ for a rank-4 model and compare it with the $\alpha$ chosen on validation data
#    for rank 4 and for rank 8. Why can they differ?
# 4. **Early stopping instead of L2.** Using `sgd_mf` with `alpha=0` and the `val` history, find the best
#    epoch on validation data and compare its test RMSE with the tuned L2 model over the three seeds.
# 5. **Inverse-propensity weighting.** Using `observe_prob` from `make_ratings`, weight each test error by
#    $1/p_{ij}$ and show that the weighted test RMSE is closer to the full-matrix RMSE than the plain one.
#
# ## References
#
# Matrix factorization for recommendation with biases and L2 penalties is surveyed in
# {cite}`koren2009matrix`; ALS with weighted-λ regularization is {cite}`zhou2008large`; the probabilistic
# (MAP) view is {cite}`salakhutdinov2008probabilistic`; the nuclear-norm connection is
# {cite}`srebro2005maximum`; data missing not at random are analysed in {cite}`marlin2009collaborative` and
# {cite}`steck2010training`. Ridge regression itself is in {doc}`ch02_ridge`. Full entries are in the
# {doc}`bibliography`.
