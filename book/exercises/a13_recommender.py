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
# # Assignment 13: regularized matrix factorization
#
# Companion to {doc}`/book/ch13_recommender`, in its notation: the model predicts
# $\hat r_{ij} = \mu + b_i + c_j + u_i^\top v_j$ ({eq}`eq-mf-model`), fitted by minimizing the **sum**
# $J = \sum_{\Omega}(r_{ij} - \hat r_{ij})^2 + \alpha\sum_i(\lVert u_i\rVert^2 + b_i^2) + \alpha\sum_j(\lVert v_j\rVert^2 + c_j^2)$
# ({eq}`eq-mf-objective`), by alternating least squares: with the items fixed, user $i$'s parameters
# $w_i = (u_i, b_i)$ solve the ridge problem {eq}`eq-mf-row`,
# $\min_w\lVert y_i - X_iw\rVert^2 + \alpha\lVert w\rVert^2$, with rows $(v_j^\top, 1)$ of $X_i$ and
# $y_i = r_{ij} - \mu - c_j$ for the items $j \in \Omega_i$ that user $i$ rated.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 13.1 (user_ridge_update): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 13.1 | `user_ridge_update` | 3 |
# | 13.2 | `rmse_by_alpha` | 3 |
# | 13.3 | written: ALS, MAP and the weighted penalty | – |

# %%
import numpy as np

import regbook
from regbook import checks
from regbook.np import matrix_factorization as mf
from regbook.np.linear import ridge

rng = regbook.nbsetup(seed=0)

N_USERS, N_ITEMS, RANK = 200, 100, 8
prob = mf.make_ratings(N_USERS, N_ITEMS, rank=4, rng=0, density=0.1, mnar=0.5, noise=0.4)
train, test = mf.train_test_split_ratings(prob.ratings, test_size=0.2, rng=100)
print(len(train.values), "training ratings,", len(test.values), "test ratings")

# %% [markdown]
# ## Exercise 13.1: one user's update is a ridge problem (`user_ridge_update`, 3 points)
#
# Write `user_ridge_update(V, c, mu, items, values, alpha)`: given the item factors `V` (n_items, k), the item
# biases `c`, the global mean `mu`, and the items and ratings of **one** user, return the minimizer
# `(u, b)` (an array of shape (k,) and a float) of
# $\sum_{j}(r_{ij} - \mu - c_j - b - v_j^\top u)^2 + \alpha(\lVert u\rVert^2 + b^2)$, by solving the normal
# equations of {eq}`eq-mf-row` (`np.linalg.solve`, no inverse). The check compares with regbook's `ridge`, checks
# that the gradient of this objective vanishes at your answer, and that replacing every user's parameters of a
# model fitted by `regbook.np.matrix_factorization.als` by your update does not increase $J$.

# %% regbook={"exercise": "13.1", "name": "user_ridge_update"} tags=["solution"]
def user_ridge_update(V, c, mu, items, values, alpha):
    """Ridge update (u (k,), b float) of one user's factors and bias with the items fixed."""
    ### BEGIN SOLUTION
    X = np.hstack([V[items], np.ones((len(items), 1))])  # rows (v_j, 1)
    y = values - mu - c[items]
    w = np.linalg.solve(X.T @ X + alpha * np.eye(X.shape[1]), X.T @ y)
    return w[:-1], float(w[-1])
    ### END SOLUTION


# %% regbook={"exercise": "13.1", "points": 3} tags=["check"]
ALPHA = 3.0
model = mf.als(train, N_USERS, N_ITEMS, rank=RANK, alpha=ALPHA, n_iters=2, rng=0)
V, c, mu = model.item_factors, model.item_bias, model.global_mean
for user in (0, 7, 42):
    sel = train.users == user
    items, values = train.items[sel], train.values[sel]
    u, b = user_ridge_update(V, c, mu, items, values, ALPHA)
    checks.check_shape(u, (RANK,), name=f"Exercise 13.1 user_ridge_update u (user {user})")
    Xu = np.hstack([V[items], np.ones((len(items), 1))])
    ref = ridge(Xu, values - mu - c[items], alpha=ALPHA, fit_intercept=False).coef
    checks.check_close(np.append(u, b), ref, rtol=1e-8, atol=1e-12,
                       name=f"Exercise 13.1 user_ridge_update vs regbook ridge (user {user})")
    resid = values - mu - c[items] - b - V[items] @ u
    grad = np.append(-2 * V[items].T @ resid + 2 * ALPHA * u, -2 * resid.sum() + 2 * ALPHA * b)
    checks.check_close(grad, np.zeros(RANK + 1), atol=1e-8,
                       name=f"Exercise 13.1 user_ridge_update: gradient of the user's objective (user {user})")
U_new, b_new = np.zeros((N_USERS, RANK)), np.zeros(N_USERS)
for user in range(N_USERS):
    sel = train.users == user
    if sel.any():
        U_new[user], b_new[user] = user_ridge_update(V, c, mu, train.items[sel], train.values[sel], ALPHA)
J_old = mf.mf_objective(model, train, alpha=ALPHA)
J_new = mf.mf_objective(mf.MFParams(U_new, V, b_new, c, mu), train, alpha=ALPHA)
checks.check_true(bool(J_new <= J_old * (1 + 1e-12)), name="Exercise 13.1 user_ridge_update",
                  expected=f"a user sweep that does not increase J (J before {J_old:.6g}, after {J_new:.6g})")
print("Exercise 13.1 passed")

# %% [markdown]
# ## Exercise 13.2 (experiment): the strength of the penalty (`rmse_by_alpha`, 3 points)
#
# Write `rmse_by_alpha(train, test, alphas, rank, n_iters, seed)` returning the array of test RMSEs of
# `regbook.np.matrix_factorization.als` (with `rng=seed`, $N_{\text{users}} = 200$, $N_{\text{items}} = 100$ as
# above) for each $\alpha$ in `alphas`, measured with `mf.rmse`. The check runs it for
# $\alpha \in \{0.1, 1, 3, 30\}$, rank 8 (twice the true rank), 5 sweeps, compares one value with a
# recomputation, and verifies the U-shape the chapter describes: the best $\alpha$ is neither the smallest nor
# the largest, and it beats the smallest by at least 0.1 stars. Then answer in two sentences: what happens to the
# **training** RMSE as $\alpha$ grows, and why is the test RMSE at $\alpha = 0.1$ so poor with rank 8 and about
# eight training ratings per user?

# %% regbook={"exercise": "13.2", "name": "rmse_by_alpha"} tags=["solution"]
def rmse_by_alpha(train, test, alphas, rank, n_iters, seed):
    """Test RMSE (len(alphas),) of ALS fitted on train for each alpha."""
    ### BEGIN SOLUTION
    return np.array([mf.rmse(mf.als(train, N_USERS, N_ITEMS, rank=rank, alpha=a, n_iters=n_iters, rng=seed), test)
                     for a in alphas])
    ### END SOLUTION


# %% regbook={"exercise": "13.2", "points": 3} tags=["check"]
ALPHAS = [0.1, 1.0, 3.0, 30.0]
curve = rmse_by_alpha(train, test, ALPHAS, RANK, 5, 0)
checks.check_shape(curve, (len(ALPHAS),), name="Exercise 13.2 rmse_by_alpha")
ref = mf.rmse(mf.als(train, N_USERS, N_ITEMS, rank=RANK, alpha=ALPHAS[2], n_iters=5, rng=0), test)
checks.check_close(curve[2], ref, rtol=1e-8, name=f"Exercise 13.2 rmse_by_alpha (alpha={ALPHAS[2]})")
best = int(np.argmin(curve))
checks.check_true(0 < best < len(ALPHAS) - 1, name="Exercise 13.2 rmse_by_alpha",
                  expected="the best alpha strictly inside the grid (a U-shaped test error)")
checks.check_true(bool(curve[0] - curve[best] > 0.1), name="Exercise 13.2 rmse_by_alpha",
                  expected="the best alpha at least 0.1 stars better than alpha = 0.1")
print("Exercise 13.2 passed")

# %% [markdown]
# ## Exercise 13.3: ALS, MAP and the weighted penalty (written)
#
# (a) Explain why each ALS half-step cannot increase $J$, and why this does not guarantee the global minimum.
# (b) Show that minimizing $J$ is MAP estimation for Gaussian rating noise of variance $\sigma^2$ and independent
# Gaussian priors $\mathcal N(0, \tau^2)$ on every factor entry and bias, with $\alpha = \sigma^2/\tau^2$
# ({eq}`eq-mf-map`). (c) ALS-WR multiplies the penalty of user $i$ by its number of ratings $n_i$
# ({eq}`eq-mf-weighted`). Compared with a uniform $\alpha$, whom does it shrink more, the users with 2 ratings
# or those with 200? Why might one want that, or the opposite?

# %% [markdown] regbook={"exercise": "13.3"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) With the items fixed, $J$ separates into one ridge problem per user, and the update replaces each user's
# parameters by the exact minimizer of its problem: $J$ can only decrease or stay equal; the same holds for the
# item half-step. This is block-coordinate descent on a non-convex function (the products $u_i^\top v_j$), so it
# converges to a point where no block can improve, which may be a saddle point or a local minimum, and it depends
# on the initialization.
#
# (b) $-\log p(\theta\mid r) = \frac{1}{2\sigma^2}\sum_\Omega(r_{ij} - \hat r_{ij})^2 + \frac{1}{2\tau^2}\bigl(\sum_i\lVert u_i\rVert^2
# + b_i^2 + \sum_j\lVert v_j\rVert^2 + c_j^2\bigr) + $ const. Multiplying by $2\sigma^2$ does not move the minimizer and
# gives $J$ with $\alpha = \sigma^2/\tau^2$.
#
# (c) Its penalty $\alpha n_i$ grows with the number of ratings, so relative to a uniform $\alpha$ chosen to suit a
# typical user it shrinks the heavy users (200 ratings) *more* and the light users (2 ratings) *less*. The
# balance between data term and penalty then stays about constant per user (both grow like $n_i$), which is
# why the same $\alpha$ works across datasets of different sizes; the opposite preference (shrink the users with
# little data the most, as a uniform $\alpha$ or a Bayesian prior does) protects against overfitting the sparse
# users, who dominate the test error in heavy-tailed data.
# <!-- END SOLUTION -->
