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
# (appendix-errata)=
# # Errata for the five source articles
#
# The book was written to cover everything five Chinese articles on regularization cover, and to correct what
# they get wrong. This appendix is the audit: every claim, formula, code example and reference in the five
# documents was read and checked, and each error is listed here with
#
# * the document (file name in the project's `seeds/` folder), a short quote in Chinese and its English
#   translation,
# * what is wrong and the correct statement,
# * an executed cell that demonstrates the correct behaviour, computed with the tested `regbook` package and
#   asserted with a tolerance (for code that cannot run: the error it raises, then the fix),
# * a link to the chapter that treats the topic in full.
#
# Entries are numbered E1, E2, … and grouped by topic. The documents are referred to by the first three digits
# of their file names:
#
# | short name | file | title or subject |
# | --- | --- | --- |
# | 000 | `000_6a8548a0c94a1a21.txt` | L1, L2 and dropout, with an FAQ |
# | 001 | `001_1af746dd131e4210.txt` | regularization in deep learning: L1, L2, dropout with NumPy code |
# | 002 | `002_410110c616a5eccd.txt` | L2 regularization with a TensorFlow network |
# | 003 | `003_d4f52e254f40b6b1.txt` | regularization of neural networks with Keras |
# | 004 | `004_dfa2cde6fd27bcc0.txt` | "Regularization Techniques 原理与代码实战案例讲解" (the longest) |
#
# A coverage table at the end counts the errors per document and says what was found correct. The book's own
# convention for the penalty strength λ is the one of {doc}`notation`.

# %%
import re
from pathlib import Path

import numpy as np
import torch
from myst_nb import glue
from scipy import optimize
from scipy.sparse.linalg import lsqr

import regbook
from regbook import checks
from regbook.np.dropout import dropconnect_forward, dropout_forward
from regbook.np.linear import elastic_net, lasso, ridge
from regbook.np.normalization import batchnorm_forward
from regbook.np.optim import Adam, AdamW
from regbook.np.prox import prox_l2, soft_threshold

rng = regbook.nbsetup(seed=0)

# one small regression problem used by several entries: 50 samples, 5 features, 2 of them irrelevant
n, p = 50, 5
X = rng.standard_normal((n, p))
w_true = np.array([2.0, -1.0, 0.0, 0.0, 0.5])
y = X @ w_true + 0.5 * rng.standard_normal(n)
Xc, yc = X - X.mean(axis=0), y - y.mean()          # centred copies (the intercept is never penalized)
w_ols = ridge(X, y, alpha=0.0).coef

# %% [markdown]
# ## What regularization is, and what it does
#
# ### E1. "Regularization = adding a penalty term" (all five documents)
#
# * 000: "正则化技术的主要目的是在训练模型时增加一个惩罚项" ("the main purpose of regularization is to add a
#   penalty term when training the model").
# * 001: "正则化技术的核心思想是通过增加一个惩罚项" ("the core idea of regularization is to add a penalty term").
# * 002: "通过引入一个正则化项来约束模型的复杂性" ("by introducing a regularization term to constrain the
#   model's complexity"); 003: "通过在损失函数中添加一个正则项来限制模型的复杂度" (the same, "added to the loss").
# * 004: "正则化通过在模型损失函数中加入正则项，对模型参数进行限制" ("regularization adds a regularization
#   term to the loss and constrains the parameters").
#
# **What is wrong.** The definition excludes techniques the same documents list as regularization: dropout
# (all five), batch normalization (004), data augmentation and ensembles (003), early stopping (004's
# references). None of them adds a term to the loss.
#
# **Correct statement.** Regularization is any change to the learning procedure meant to reduce the error on new
# data rather than on the training data {cite}`goodfellow2016deep`; a penalty is one kind
# ({ref}`ch-overfitting`). The cell shows a regularizer with no penalty: gradient descent on the *unpenalized*
# least-squares loss, stopped early, returns coefficients that are shrunk towards zero, like ridge
# ({doc}`ch08_early_stopping` makes the correspondence exact).

# %%
eta = 1.0 / np.linalg.norm(Xc, 2) ** 2               # step 1/L: gradient descent is monotone
w_gd, norms = np.zeros(p), []
for _ in range(10):
    w_gd -= eta * Xc.T @ (Xc @ w_gd - yc)            # gradient of 1/2 ||y - Xw||^2, no penalty anywhere
    norms.append(np.linalg.norm(w_gd))
ratio_gd5 = norms[4] / np.linalg.norm(w_ols)
print(f"||w_GD|| / ||w_OLS|| after 5 steps: {ratio_gd5:.3f}; after 10 steps: {norms[-1] / np.linalg.norm(w_ols):.3f}")
assert np.all(np.diff(norms) > 0) and norms[-1] < np.linalg.norm(w_ols)   # shrunk at every step, grows with t
glue("e1_ratio", round(float(ratio_gd5), 3), display=False)

# %% [markdown]
# After five steps the norm of the coefficients is {glue:text}`e1_ratio` times that of the least-squares
# solution: stopping the optimizer early is a regularizer, though nothing was added to the loss.
#
# ### E2. "Regularization may cause overfitting" (004, FAQ Q1)
#
# > 对于低维度的简单任务，正则化技术可能没有明显效果，甚至可能导致过拟合。
# > ("For simple low-dimensional tasks regularization may have no visible effect, and may even cause overfitting.")
#
# **What is wrong.** A penalty restricts the model; more of it moves the fit towards *underfitting*, never
# towards overfitting. 003 says so correctly ("如果λ太大，那么模型可能会欠拟合").
#
# **Correct statement.** Too much regularization underfits; the training error is a non-decreasing function of
# λ ({ref}`ch-overfitting`, {ref}`ch-ridge`). The cell checks it along a grid of 30 values of λ.

# %%
alphas = np.logspace(-3, 4, 30)
train_mse = np.array([np.mean((yc - Xc @ ridge(X, y, alpha=a).coef) ** 2) for a in alphas])
print(f"training MSE: {train_mse[0]:.3f} at alpha=1e-3, {train_mse[-1]:.3f} at alpha=1e4 "
      f"(variance of y: {np.var(y):.3f})")
assert np.all(np.diff(train_mse) >= -1e-12)          # never decreases as the penalty grows
assert abs(train_mse[-1] - np.var(y)) < 0.02 * np.var(y)   # very large penalty: the constant model (underfit)

# %% [markdown]
# ### E3. "Regularization increases the model's complexity and the training time" (001, §7)
#
# > 正则化技术可能会增加模型的复杂度，导致训练时间增长。
# > ("Regularization may increase the model's complexity, which makes training longer.")
#
# **What is wrong.** A penalty *reduces* the effective complexity; that is its purpose. Its cost is negligible:
# the gradient of $\tfrac{\lambda}{2}\lVert w\rVert^2$ is $p$ multiply-adds per step, against $np$ for the data
# term.
#
# **Correct statement.** The effective number of parameters (degrees of freedom) of ridge,
# $\operatorname{df}(\alpha) = \sum_j d_j^2/(d_j^2+\alpha)$ with $d_j$ the singular values of the centred $X$,
# falls from $p$ to 0 as α grows ({ref}`ch-ridge`, {ref}`ch-choosing-lambda`). Some regularizers need more
# *epochs* (dropout, {ref}`ch-dropout`), which is a different statement.

# %%
d = np.linalg.svd(Xc, compute_uv=False)
df = lambda a: float(np.sum(d**2 / (d**2 + a)))
dfs = [df(a) for a in alphas]
print("df(alpha) at alpha = 1e-3, 1, 1e2, 1e4:", [round(df(a), 2) for a in (1e-3, 1.0, 1e2, 1e4)])
assert np.all(np.diff(dfs) < 0) and abs(dfs[0] - p) < 1e-3
# the trace formula agrees with the definition df = trace of the hat matrix
H = Xc @ np.linalg.solve(Xc.T @ Xc + 1.0 * np.eye(p), Xc.T)
print("trace of the hat matrix at alpha=1 matches:", checks.error_bound(abs(np.trace(H) - df(1.0))))
glue("e3_cost_ratio", n, display=False)

# %% [markdown]
# (Per step, the data gradient costs {glue:text}`e3_cost_ratio` times more than the penalty's gradient here.)
#
# ### E4. "Billions of parameters, so deep models overfit" (004, §1.1)
#
# > 由于现代深度学习模型通常具有数十亿个参数，容易产生过拟合现象。
# > ("Because modern deep models have billions of parameters, they overfit easily.")
#
# **What is wrong.** The number of parameters alone does not predict overfitting. Heavily over-parameterized
# models that interpolate the training data often generalize well, and the test error can *fall* again as the
# parameter count grows past the number of samples (double descent) {cite}`zhang2017understanding,belkin2019reconciling`.
#
# **Correct statement.** The worst case is near the interpolation threshold (parameters ≈ samples); beyond it,
# the minimum-norm solution an optimizer finds is implicitly regularized ({ref}`ch-overfitting`). The cell fits
# minimum-norm least squares on random ReLU features to 40 noisy samples, averaged over 5 seeds.

# %%
def random_features_test_mse(n_feat, seed, n_train=40, dim=5, n_test=500):
    """Test MSE of minimum-norm least squares on n_feat random ReLU features of a smooth target."""
    r = np.random.default_rng(seed)
    w0 = r.standard_normal(dim)
    X_tr, X_te = r.standard_normal((n_train, dim)), r.standard_normal((n_test, dim))
    target = lambda Z: np.sin(Z @ w0 / np.sqrt(dim))
    V = r.standard_normal((dim, n_feat)) / np.sqrt(dim)
    phi = lambda Z: np.maximum(Z @ V, 0.0)
    fit = ridge(phi(X_tr), target(X_tr) + 0.1 * r.standard_normal(n_train), alpha=0.0)   # minimum-norm LS
    return float(np.mean((phi(X_te) @ fit.coef + fit.intercept - target(X_te)) ** 2))


dd = {m: np.mean([random_features_test_mse(m, s) for s in range(5)]) for m in (10, 40, 400, 2000)}
print({m: round(float(v), 2) for m, v in dd.items()})
assert dd[40] > 10 * dd[400] and dd[2000] < dd[400]       # peak at #features = #samples, then down again
glue("e4_peak", round(float(dd[40]), 2), display=False)
glue("e4_big", round(float(dd[2000]), 3), display=False)

# %% [markdown]
# With as many features as samples the test MSE is {glue:text}`e4_peak`; with 50 times more features it is
# {glue:text}`e4_big`. Regularization still helps large models, but "more parameters, more overfitting" is not
# the rule.

# %% [markdown]
# ## Formulas and λ conventions
#
# ### E5. "The L2 norm" when the penalty is its square (000, 003, 004)
#
# * 000: "L2正则化通过惩罚模型中权重的L2范数" ("L2 regularization penalizes the L2 norm of the weights"),
#   next to the formula $\frac{\lambda}{2n}\sum_j\theta_j^2$.
# * 003: "这个正则项通常是神经网络权重的L1或L2范数" ("this term is usually the L1 or L2 norm of the weights").
# * 004: "通过在损失函数中引入L2范数" ("by adding the L2 norm to the loss").
#
# **What is wrong.** Every formula they give is the *squared* norm $\lVert w\rVert_2^2 = \sum_j w_j^2$. The
# norm itself, $\lVert w\rVert_2$, is a different penalty: it is not differentiable at 0 and sets the whole
# vector exactly to zero when the data pull is weak (the group lasso behaviour), whereas the squared norm only
# shrinks.
#
# **Correct statement.** Ridge, weight decay and "L2 regularization" penalize $\tfrac{\lambda}{2}\lVert
# w\rVert_2^2$ ({ref}`ch-ridge`). The cell compares the two proximal steps on the same vector $z$ with
# $\lVert z\rVert_2 = 0.5$ and $t = 1$.

# %%
z, t = np.array([0.3, -0.4]), 1.0
prox_norm = max(0.0, 1.0 - t / np.linalg.norm(z)) * z + 0.0          # argmin 1/2||w-z||^2 + t ||w||_2
prox_sq = prox_l2(z, t)                                          # argmin 1/2||w-z||^2 + t/2 ||w||_2^2 = z/(1+t)
for name, f, closed in [("norm", lambda w: 0.5 * np.sum((w - z) ** 2) + t * np.linalg.norm(w), prox_norm),
                        ("squared norm", lambda w: 0.5 * np.sum((w - z) ** 2) + 0.5 * t * np.sum(w**2), prox_sq)]:
    num = optimize.minimize(f, x0=z, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14}).x
    gap = checks.error_bound(np.max(np.abs(num - closed)), floor=1e-6)
    print(f"{name:13s}: closed form {closed.tolist()}, numerical minimizer within {gap}")
    assert np.allclose(num, closed, atol=1e-6)
assert np.all(prox_norm == 0) and np.all(prox_sq != 0)

# %% [markdown]
# ### E6. λ divided by the number of parameters (000)
#
# > $J(\theta) = \frac{1}{2m} \sum_{i=1}^{m} (h_{\theta}(x^{(i)}) - y^{(i)})^2 + \frac{\lambda}{2n} \sum_{j=1}^{n} \theta_j^2$
#
# In 000, $m$ is the number of samples and $n$ the number of parameters (the sum runs over $j = 1..n$).
#
# **What is wrong.** Dividing the penalty by the number of *parameters* makes the strength of the penalty on the
# same weights depend on how many other features the model has. The usual form divides by the number of
# *samples*, $\frac{\lambda}{2m}$, the same factor as the data term (002 writes it that way).
#
# **Correct statement.** $\frac{1}{2m}\sum_i (h_\theta(x^{(i)}) - y^{(i)})^2 + \frac{\lambda}{2m}\sum_j\theta_j^2$,
# or the book's mean-loss form with $\frac{\lambda}{2}\lVert\theta\rVert^2$ ({doc}`notation`). Multiplying 000's
# objective by $2m$ shows it is ridge with $\alpha = \lambda m/n$. The cell appends two constant features (their
# centred columns are zero, so their coefficients are 0): under 000's formula the coefficients of the original
# five features change; under the corrected one they do not.

# %%
lam = 5.0
X_more = np.hstack([X, np.ones((n, 2))])                         # two constant (useless) features
coef_000 = lambda Xm: ridge(Xm, y, alpha=lam * n / Xm.shape[1]).coef[:p]   # 000: lambda/(2 * #params)
coef_fix = lambda Xm: ridge(Xm, y, alpha=lam).coef[:p]                     # lambda/(2 * #samples)
change_000 = np.max(np.abs(coef_000(X_more) - coef_000(X)))
change_fix = np.max(np.abs(coef_fix(X_more) - coef_fix(X)))
print(f"000's formula: coefficients move by {change_000:.3f}; corrected: {checks.error_bound(change_fix)}")
assert change_000 > 0.01 and change_fix < 1e-12
glue("e6_change", round(float(change_000), 3), display=False)

# %% [markdown]
# Adding two features that carry no information moves a coefficient by {glue:text}`e6_change` under 000's formula.
#
# ### E7. One symbol λ, five different strengths (001, 002, 003, 004; 000 in E6)
#
# | document | objective as written | equals scikit-learn `Ridge(alpha)` with |
# | --- | --- | --- |
# | 001 | $\lambda\sum_i w_i^2$ added to an unspecified loss (taken as the mean squared error) | $\alpha = \lambda n$ |
# | 002 (formula) | $\frac{1}{2n}\sum_i(\cdot)^2 + \frac{\lambda}{2n}\sum_j W_j^2$ | $\alpha = \lambda$ |
# | 002 (code) | `reduce_mean(loss) + lambda_reg * tf.nn.l2_loss(W)`, `l2_loss` $=\frac12\lVert W\rVert^2$ | $\alpha = \lambda n / 2$ |
# | 003 | $J(\theta) + \lambda\sum_i\theta_i^2$; Keras `l2(0.01)` is $0.01\sum w^2$ on a mean loss | $\alpha = \lambda n$ |
# | 004 | $\frac1N\sum_i\ell + \frac{\lambda}{2}\sum_j\theta_j^2$ ($\ell$ the squared error) | $\alpha = \lambda N / 2$ |
#
# **What is wrong.** None of the documents says which convention it uses or how they relate, and the
# recommended value (003's `l2(0.01)`, 002's `lambda_reg = 0.1`) is meaningless without it. 004 even uses two
# data terms for L1: $\frac1N\sum\ell$ in the general formula and $\frac{1}{2N}\sum(\cdot)^2$ in its worked
# example, a factor 2 in λ.
#
# **Correct statement.** The same λ gives solutions that differ by a factor $n$ in penalty strength;
# {doc}`notation` converts every convention into the book's and checks each row numerically. The cell solves
# the problem of this page with λ = 0.1 in each convention.

# %%
lam = 0.1
conventions = {"001 / 003 (Keras l2)": lam * n, "002 formula": lam, "002 code": lam * n / 2, "004": lam * n / 2}
norms_conv = {k: float(np.linalg.norm(ridge(X, y, alpha=a).coef)) for k, a in conventions.items()}
for k, a in conventions.items():
    print(f"{k:22s} alpha = {a:6.2f}   ||w|| = {norms_conv[k]:.3f}")
spread = max(conventions.values()) / min(conventions.values())
assert spread == n and max(norms_conv.values()) - min(norms_conv.values()) > 0.05
glue("e7_spread", int(spread), display=False)

# %% [markdown]
# The same "λ = 0.1" is a penalty {glue:text}`e7_spread` times stronger in one document than in another.
#
# ### E8. 002's code does not implement 002's formula (002, §4)
#
# 002's formula is $\frac{1}{2n}\sum_i(\cdot)^2 + \frac{\lambda}{2n}\sum_j W_j^2$; its code is
#
# ```python
# loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=y_pred, labels=y_train))
# loss += lambda_reg * tf.nn.l2_loss(W)
# ```
#
# **What is wrong.** The code adds $\frac{\lambda}{2}\lVert W\rVert^2$ to a *mean* loss, so relative to the data
# term its penalty is $n/2$ times stronger than the formula's (for 60,000 MNIST images, 30,000 times). The data
# terms also differ (squared error in the formula, cross-entropy in the code).
#
# **Correct statement.** With a mean loss, the formula's penalty is `lambda_reg / n * tf.nn.l2_loss(W)`; or keep
# the code and read its λ as $n/2$ times the formula's ({doc}`notation`).

# %%
a_formula, a_code = conventions["002 formula"], conventions["002 code"]
# formula x 2n: ||y - Xw||^2 + lam ||w||^2;  code x n: ||y - Xw||^2 + (lam n / 2) ||w||^2
obj_code = lambda w: np.mean((yc - Xc @ w) ** 2) + lam / 2 * np.sum(w**2)   # reduce_mean + lam * l2_loss
w_code = optimize.minimize(obj_code, np.zeros(p), method="BFGS", options={"gtol": 1e-12}).x
print("code's minimizer = ridge(alpha = lambda * n / 2):",
      checks.error_bound(np.max(np.abs(w_code - ridge(X, y, alpha=a_code).coef)), floor=1e-6))
assert np.allclose(w_code, ridge(X, y, alpha=a_code).coef, atol=1e-6)
assert not np.allclose(w_code, ridge(X, y, alpha=a_formula).coef, atol=1e-2)

# %% [markdown]
# ### E9. The intercept is penalized (004, §4.3)
#
# > $L(\theta) = \frac{1}{2N}\sum_{i=1}^N (y_i - (\theta_0 + \theta_1 x_{1,i} + \theta_2 x_{2,i}))^2 + \lambda (|\theta_0| + |\theta_1| + |\theta_2|)$
#
# and the same with $\frac{\lambda}{2}(\theta_0^2 + \theta_1^2 + \theta_2^2)$ for L2. 004's Keras code penalizes the
# bias too (`tf.abs(model.trainable_weights)` includes it).
#
# **What is wrong.** Penalizing the intercept $\theta_0$ makes the predictions depend on where the origin of $y$
# is: adding a constant to every target no longer adds that constant to every prediction. 000 and 002 correctly
# start their sums at $j = 1$.
#
# **Correct statement.** Leave the intercept (and biases) unpenalized, or centre $y$ ({ref}`ch-ridge`;
# the FAQ {doc}`appendix_faq` "Should I regularize the bias?"). The cell shifts $y$ by 10.

# %%
shift, alpha_b = 10.0, 5.0
X1 = np.hstack([np.ones((n, 1)), X])                               # theta_0 as a penalized coefficient
pred_pen = lambda yy: X1 @ ridge(X1, yy, alpha=alpha_b, fit_intercept=False).coef
pred_free = lambda yy: X @ (r := ridge(X, yy, alpha=alpha_b)).coef + r.intercept
moved_pen = np.mean(pred_pen(y + shift) - pred_pen(y))
moved_free = pred_free(y + shift) - pred_free(y)
print(f"predictions move by {moved_pen:.3f} with theta_0 penalized, by {moved_free.mean():.3f} without")
assert abs(moved_pen - shift) > 0.5 and np.allclose(moved_free, shift, atol=1e-10)
glue("e9_moved", round(float(moved_pen), 2), display=False)

# %% [markdown]
# Shifting every target by 10 shifts the predictions by only {glue:text}`e9_moved` when the intercept is
# penalized.

# %% [markdown]
# ## L1 versus L2
#
# ### E10. The difference between L1 and L2 (000 FAQ; 001, §2; 002, §2)
#
# * 000, FAQ: "L1正则化通过惩罚权重的L1范数，使得模型更简洁；L2正则化通过惩罚权重的L2范数，使得模型更简洁。"
#   ("L1 penalizes the L1 norm and makes the model simpler; L2 penalizes the L2 norm and makes the model
#   simpler.")
# * 001: "L1正则化通过增加L1惩罚项来抑制模型的复杂度，L2正则化则通过增加L2惩罚项来抑制模型的权重值" ("L1
#   restrains the model's complexity, whereas L2 restrains the weights' values").
# * 002: "L1正则化可以稀疏化权重矩阵，L2正则化则对权重矩阵的每个元素进行惩罚" ("L1 sparsifies the weight
#   matrix, whereas L2 penalizes every element").
#
# **What is wrong.** 000 answers its own question with the same sentence twice. 001 and 002 draw false
# contrasts: both penalties restrain the weights' values, both reduce complexity, and L1 penalizes every element
# just as L2 does.
#
# **Correct statement.** L1 sets small coefficients *exactly* to zero (its proximal step is soft thresholding,
# a subtraction); L2 shrinks every coefficient proportionally and sets none to zero (its proximal step is a
# division) ({ref}`ch3-geometry`, {ref}`ch-ridge`). 003's FAQ states it correctly.

# %%
v = np.array([3.0, 0.5, -0.2, -2.0])
print("soft threshold (L1, t=1):", (soft_threshold(v, 1.0) + 0.0).tolist())
print("prox of L2     (t=1):   ", prox_l2(v, 1.0).tolist())
fit_l1, fit_l2 = lasso(X, y, alpha=0.2, tol=1e-10).coef, ridge(X, y, alpha=1.0).coef
print("lasso zeros:", int(np.sum(fit_l1 == 0)), " ridge zeros:", int(np.sum(fit_l2 == 0)))
assert soft_threshold(v, 1.0).tolist() == [2.0, 0.0, 0.0, -1.0] and np.all(prox_l2(v, 1.0) == v / 2)
assert np.sum(fit_l1 == 0) == 2 and np.all(fit_l2 != 0)

# %% [markdown]
# ### E11. "L2 pushes the weights uniformly towards zero" (003, FAQ)
#
# > L2正则化则会使得权重均匀地接近0，但不会真的变为0。
# > ("L2 makes the weights approach 0 uniformly, but never reach it.")
#
# **What is wrong.** Imprecise. The shrinkage is uniform (the same factor $1/(1+\lambda)$ for every coefficient)
# only when the features are orthonormal. In general ridge shrinks each principal direction $v_j$ of the data by
# its own factor $d_j^2/(d_j^2+\alpha)$: directions with little variance in the data are shrunk much more.
#
# **Correct statement.** $V^\top\hat w_{\text{ridge}} = \operatorname{diag}\bigl(d_j^2/(d_j^2+\alpha)\bigr)V^\top\hat
# w_{\text{OLS}}$ ({ref}`ch-ridge`). The cell checks it with two strongly correlated features.

# %%
Xk = rng.standard_normal((n, 2)) @ np.array([[1.0, 0.95], [0.0, 0.3]])   # correlated columns
yk = Xk @ np.array([1.0, 1.0]) + 0.3 * rng.standard_normal(n)
Xkc = Xk - Xk.mean(axis=0)
_, dk, Vt = np.linalg.svd(Xkc, full_matrices=False)
alpha_k = 5.0
factors = (Vt @ ridge(Xk, yk, alpha=alpha_k).coef) / (Vt @ ridge(Xk, yk, alpha=0.0).coef)
print("shrink factor per principal direction:", np.round(factors, 3).tolist())
assert np.allclose(factors, dk**2 / (dk**2 + alpha_k), rtol=1e-8) and factors.max() / factors.min() > 2
glue("e11_lo", round(float(factors.min()), 2), display=False)
glue("e11_hi", round(float(factors.max()), 2), display=False)

# %% [markdown]
# The factors here are {glue:text}`e11_hi` and {glue:text}`e11_lo`: not uniform.
#
# ### E12. "L1 is sensitive to the data distribution, L2 is not" (004, §3.3)
#
# > L1正则化…缺点：对数据分布敏感，可能产生过拟合或欠拟合现象。L2正则化…优点：对数据分布不敏感。
# > ("L1's drawback: sensitive to the data distribution… L2's advantage: insensitive to the data distribution.")
#
# **What is wrong.** Both penalties depend on the units of the features: they penalize coefficients, and a
# coefficient's size depends on its feature's scale. Rescaling one feature leaves least squares' predictions
# unchanged but changes both ridge's and the lasso's.
#
# **Correct statement.** Neither L1 nor L2 is invariant to the scaling of the features; standardize them before
# penalizing ({ref}`ch2-pitfalls`, {ref}`ch3-pitfalls`). The lasso is the less *stable* of the two when features
# are correlated (it picks one of a correlated group), which is a different property ({ref}`ch-elastic-net`).

# %%
Xs = X.copy()
Xs[:, 0] *= 100.0                                          # same data, first feature in other units
pred = lambda fit, Z: Z @ fit.coef + fit.intercept
diffs = {name: np.max(np.abs(pred(f(X), X) - pred(f(Xs), Xs))) for name, f in [
    ("least squares", lambda Z: ridge(Z, y, alpha=0.0)),
    ("ridge", lambda Z: ridge(Z, y, alpha=10.0)),
    ("lasso", lambda Z: lasso(Z, y, alpha=0.3, tol=1e-10))]}
print({k: (checks.error_bound(v, floor=1e-8) if v < 1e-8 else round(float(v), 3)) for k, v in diffs.items()})
assert diffs["least squares"] < 1e-8 and diffs["ridge"] > 0.05 and diffs["lasso"] > 0.05

# %% [markdown]
# ### E13. "L2 avoids the vanishing-gradient problem" (004, §1.2, §2.1, §3.1)
#
# > L2正则化…使得参数值较小，可以避免过拟合，同时避免梯度消失问题。
# > ("L2 makes the parameters small, which avoids overfitting and also avoids vanishing gradients.")
#
# **What is wrong.** Vanishing gradients come from products of many small Jacobians; smaller weights make those
# factors smaller. Weight decay can therefore make vanishing gradients *worse*, not avoid them.
#
# **Correct statement.** Vanishing (and exploding) gradients are addressed by initialization
# {cite}`glorot2010understanding`, normalization layers ({ref}`ch-batchnorm`), residual connections and gating;
# exploding ones also by clipping ({doc}`ch09_optimization`). The cell back-propagates through 20 tanh layers
# with the weights of a good initialization and with the same weights shrunk by half, as strong weight decay
# would do.

# %%
def input_grad_norm(scale, depth=20, width=32, seed=0):
    """Norm of d(sum of outputs)/d(input) through `depth` tanh layers with weights scale * N(0, 1/width)."""
    g = torch.Generator().manual_seed(seed)
    Ws = [torch.randn(width, width, generator=g, dtype=torch.float64) / width**0.5 for _ in range(depth)]
    x = torch.randn(8, width, generator=g, dtype=torch.float64, requires_grad=True)
    h = x
    for W in Ws:
        h = torch.tanh(h @ (scale * W))
    h.sum().backward()
    return float(x.grad.norm())


g_full, g_half = input_grad_norm(1.0), input_grad_norm(0.5)
print(f"gradient norm at the input: {g_full:.3g} (initialization scale), {g_half:.3g} (weights halved)")
assert g_half < 1e-4 * g_full
glue("e13_ratio", float(f"{g_half / g_full:.1e}"), display=False)

# %% [markdown]
# Halving the weights multiplies the gradient that reaches the input by {glue:text}`e13_ratio`.
#
# ### E14. "L2 easily causes severe weight decay and too simple a model" (004, §3.3)
#
# > L2正则化…缺点：容易产生严重的权重衰减现象，导致模型复杂度过低。
# > ("L2's drawback: it easily causes severe weight decay, so the model becomes too simple.")
#
# **What is wrong.** The amount of shrinkage is set by λ, which is chosen by the user (by validation,
# {ref}`ch-choosing-lambda`); as λ → 0 the ridge solution tends continuously to the least-squares one. "Too
# simple" describes a badly chosen λ, not L2 (the same holds for L1).
#
# **Correct statement.** Ridge interpolates continuously between least squares (α → 0) and the constant model
# (α → ∞) ({ref}`ch-ridge`); choose α by cross-validation ({ref}`ch5-kfold`).

# %%
gaps = [float(np.max(np.abs(ridge(X, y, alpha=a).coef - w_ols))) for a in (1e-2, 1e-4, 1e-6)]
print("max |w_ridge - w_OLS| at alpha = 1e-2, 1e-4, 1e-6:", [checks.error_bound(g, floor=1e-8) for g in gaps])
assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-6

# %% [markdown]
# ### E15. Sparsity from L1 with a gradient optimizer (004, §5.2; 003 FAQ; 004 §3.1)
#
# 004 trains its L1 model in a hand-written loop: `loss + 0.01 * reg_loss`, `tape.gradient`, Adam. The documents
# promise that L1 "使得部分参数变为0" ("makes some parameters 0", 004) and "会使得一些权重变为0" (003).
#
# **What is wrong.** Only the exact minimizer of the L1 objective has exact zeros, and only solvers that use the
# proximal step (soft thresholding) or coordinate descent produce them. A (sub)gradient method such as Adam on
# $\lambda\lvert w\rvert$ oscillates around zero with steps of the size of the learning rate: the weights become
# small, never 0.
#
# **Correct statement.** Use a proximal or coordinate-descent solver for sparsity, or threshold afterwards and
# say so ({ref}`ch3-pitfalls`). The cell minimizes the same lasso objective with Adam (3,000 steps) and with
# regbook's coordinate descent.

# %%
alpha_l1 = 0.2
w_adam = np.zeros(p)
opt = Adam([w_adam], lr=0.01)
for _ in range(3000):
    opt.step([Xc.T @ (Xc @ w_adam - yc) / n + alpha_l1 * np.sign(w_adam)])   # subgradient of the lasso objective
w_cd = lasso(X, y, alpha=alpha_l1, tol=1e-10).coef
lasso_obj = lambda w: 0.5 * np.mean((yc - Xc @ w) ** 2) + alpha_l1 * np.sum(np.abs(w))
print(f"exact zeros: Adam {int(np.sum(w_adam == 0))}, coordinate descent {int(np.sum(w_cd == 0))}; "
      f"objectives agree to {checks.error_bound(abs(lasso_obj(w_adam) - lasso_obj(w_cd)), floor=1e-3)}")
assert np.sum(w_adam == 0) == 0 and np.sum(w_cd == 0) == 2
assert abs(lasso_obj(w_adam) - lasso_obj(w_cd)) < 1e-3

# %% [markdown]
# ### E16. "AdamW adds L1 and L2 terms automatically" (004, FAQ Q5)
#
# > 在使用AdamW优化器时，可以加入L1正则化项和L2正则化项，自动进行正则化处理。
# > ("With the AdamW optimizer one can add L1 and L2 terms, and the regularization is handled automatically.")
#
# **What is wrong.** AdamW {cite}`loshchilov2019decoupled` has no L1 term. Its `weight_decay` is *decoupled*
# weight decay, $w \leftarrow (1-\eta\lambda)w$ applied outside Adam's per-coordinate scaling; it is not an L2
# term in the loss, and it is not equivalent to Adam with an L2 penalty (the point of the paper). A weight
# decayed by AdamW never reaches exactly 0.
#
# **Correct statement.** Adam + L2 (coupled) and AdamW (decoupled) converge to different points
# ({doc}`ch09_optimization`); L1 needs a proximal step (E15). The cell minimizes
# $\tfrac12\sum_i h_i(w_i - 1)^2$ with curvatures $h = (100, 1)$ and λ = 0.5: Adam + L2 reaches the ridge
# solution $h_i/(h_i + \lambda)$; AdamW does not.

# %%
h_curv, lam_w = np.array([100.0, 1.0]), 0.5
ends = {}
for cls in (Adam, AdamW):
    w_o = np.zeros(2)
    o = cls([w_o], lr=1e-2, weight_decay=lam_w)
    for _ in range(5000):
        o.step([h_curv * (w_o - 1.0)])
    ends[cls.__name__] = w_o.copy()
ridge_sol = h_curv / (h_curv + lam_w)
print({k: np.round(v, 4).tolist() for k, v in ends.items()}, "ridge solution:", np.round(ridge_sol, 4).tolist())
assert np.allclose(ends["Adam"], ridge_sol, atol=1e-3) and np.max(np.abs(ends["AdamW"] - ridge_sol)) > 0.1
w_z = np.array([1.0])
o = AdamW([w_z], lr=0.1, weight_decay=0.5)
for _ in range(200):
    o.step([np.zeros(1)])                                  # no data gradient: only the decay acts
assert w_z[0] > 0 and abs(w_z[0] - 0.95**200) < 1e-12   # geometric decay, never exactly zero

# %% [markdown]
# ## Dropout
#
# The book's convention, as PyTorch: $p$ is the probability of *dropping* a unit, and dropout is inverted (kept
# units are scaled by $1/(1-p)$ during training, nothing is done at evaluation) ({ref}`ch-dropout`).
#
# ### E17. A "dropout" function with no randomness (001, §4.3)
#
# ```python
# def dropout(x, p):
#     return x * (1 - p)
# ```
#
# **What is wrong.** There is no random mask: the function multiplies every activation by the same constant, so it
# drops nothing and returns the same output at every call. It is the *expected* output of non-inverted dropout
# (its test-time scaling), presented as dropout itself; a constant factor can be absorbed by the next layer's
# weights, so it cannot regularize.
#
# **Correct statement.** Draw a Bernoulli mask at every forward pass: $\text{out} = m\odot x/(1-p)$, $m_i\sim
# \operatorname{Bernoulli}(1-p)$ ({ref}`ch-dropout`; {ref}`ch6-pitfalls` trains a network with 001's function).

# %%
def dropout_001(x, p):                                     # 001, verbatim
    return x * (1 - p)


x6 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])          # 001's own example, p = 0.5
outs_001 = np.array([dropout_001(x6, 0.5) for _ in range(200)])
outs_real = np.array([dropout_forward(x6, p=0.5, training=True, rng=rng)[0] for _ in range(200)])
print("001: distinct outputs over 200 calls:", len(np.unique(outs_001, axis=0)), "; zeros:", int(np.sum(outs_001 == 0)))
print("inverted dropout: distinct outputs:", len(np.unique(outs_real, axis=0)),
      f"; fraction of zeros {np.mean(outs_real == 0):.2f}")
assert len(np.unique(outs_001, axis=0)) == 1 and np.all(outs_001 != 0)
assert len(np.unique(outs_real, axis=0)) > 50 and abs(np.mean(outs_real == 0) - 0.5) < 0.05

# %% [markdown]
# ### E18. Drop probability of one unit and of "all units" (001, §3.3)
#
# > $p_i = 1 - p$ … 其中，$p_i$ 是第$i$ 个神经元被丢弃的概率，$p$ 是全部神经元被丢弃的概率。
# > ("$p_i$ is the probability that neuron $i$ is dropped, $p$ the probability that all neurons are dropped.")
#
# **What is wrong.** Dropout drops each unit independently with the same probability $p$, so $p_i = p$ (and $1-p$
# is the probability of *keeping* it). The probability that all $n$ units of a layer are dropped is $p^n$, not
# $p$. The formula $h_i^{(l+1)} = h_i^{(l+1)}\times(1-p)$ has the same quantity on both sides and no mask.
#
# **Correct statement.** $P(\text{unit } i \text{ dropped}) = p$; $P(\text{all } n \text{ dropped}) = p^n$; the
# training output is $h_i = m_i\,a_i/(1-p)$ with $m_i\sim\operatorname{Bernoulli}(1-p)$ ({ref}`ch-dropout`). The
# cell simulates 200,000 forward passes of a layer of 3 units with $p = 0.5$.

# %%
T, n_units, p_drop = 200_000, 3, 0.5
masks = dropout_forward(np.ones((T, n_units)), p=p_drop, training=True, rng=rng)[0] == 0   # True = dropped
p_unit, p_all = masks.mean(axis=0), np.all(masks, axis=1).mean()
print(f"per-unit drop rate {np.round(p_unit, 3).tolist()}, all three dropped {p_all:.4f} (p^3 = {p_drop**3})")
checks.assert_close(p_unit, np.full(n_units, p_drop), rtol=0.01, name="per-unit drop rate")
checks.assert_close(p_all, p_drop**n_units, rtol=0.03, name="all-dropped rate")
glue("e18_all", round(float(p_all), 3), display=False)

# %% [markdown]
# All three units are dropped together in a fraction {glue:text}`e18_all` of the passes, $p^3$, not $p$.
#
# ### E19. What happens at test time (001, §3.3)
#
# > 在测试过程中，将丢弃的神经元重新加回来，并将其输出设为0。
# > ("At test time, add the dropped neurons back and set their output to 0.")
#
# **What is wrong.** The sentence contradicts itself (a neuron added back whose output is 0 is still dropped). At
# test time every unit is used and no mask is drawn.
#
# **Correct statement.** With inverted dropout the evaluation output is $x$ itself; with the original
# (non-inverted) form the training output is $m\odot x$ and the evaluation output is $(1-p)x$. Either way the
# expected training output equals the evaluation output ({ref}`ch-dropout`).

# %%
xe = np.array([1.0, -2.0, 3.0])
train_mean = dropout_forward(np.tile(xe, (T, 1)), p=0.3, training=True, rng=rng)[0].mean(axis=0)
eval_out = dropout_forward(xe, p=0.3, training=False, rng=rng)[0]
print("eval output:", eval_out.tolist(), " mean training output:", np.round(train_mean, 2).tolist())
assert np.array_equal(eval_out, xe) and np.allclose(train_mean, xe, atol=0.03)

# %% [markdown]
# ### E20. What dropout drops: units, per pass (000, §3; 004, §1.2)
#
# * 000: "在训练过程中，每次更新权重之前，随机将神经元之间的连接设置为0" ("during training, before every weight
#   update, randomly set the connections between neurons to 0").
# * 004: "Dropout等基于样本的随机失活方法" ("dropout and other *sample-based* random deactivation methods").
#
# **What is wrong.** Setting individual *connections* (weights) to zero is DropConnect {cite}`wan2013regularization`,
# a different method. Dropout sets *units* (activations) to zero, which removes all of a unit's outgoing
# connections at once. The mask is drawn at every forward pass, independently for every example of the
# mini-batch, not once per weight update; and it drops units, not samples.
#
# **Correct statement.** Dropout: one Bernoulli variable per unit per example per forward pass
# {cite}`srivastava2014dropout` ({ref}`ch-dropout`, which also implements DropConnect). The cell shows that a
# dropped unit removes its whole row of outgoing weights for that example, that DropConnect removes single
# weights, and that the masks differ between examples.

# %%
hid = rng.standard_normal((4, 6))                          # 4 examples, 6 hidden units
W_next = rng.standard_normal((6, 3))
out_do, cache = dropout_forward(hid, p=0.5, training=True, rng=1)
kept = cache.mask != 0                                     # (4, 6): one variable per unit per example
# dropout = the next layer seeing, for each example, W_next with the rows of its dropped units removed
per_example = np.stack([(hid[i] * 2.0) @ (W_next * kept[i][:, None]) for i in range(4)])
assert np.allclose(out_do @ W_next, per_example)
out_dc, cache_dc = dropconnect_forward(hid, W_next, np.zeros(3), p=0.5, training=True, rng=1)
wmask = cache_dc.mask != 0                                 # (6, 3): single weights dropped
partial_rows = int(np.sum(wmask.any(axis=1) & ~wmask.all(axis=1)))
print("dropout masks differ between examples:", len({tuple(r) for r in kept}) > 1,
      "; DropConnect rows with some but not all weights dropped:", partial_rows)
assert len({tuple(r) for r in kept}) > 1 and partial_rows > 0

# %% [markdown]
# ### E21. The "dropout loss" is the L2 formula (004, §3.1, §3.2, §4.2)
#
# Three times, 004 gives as "Dropout的数学公式" ("the mathematical formula of dropout")
#
# > $L(\theta) = \frac{1}{N}\sum_{i=1}^N \ell(\theta, x_i) + \frac{\lambda}{2} \sum_{j=1}^p \theta_j^2$
#
# which is its L2 formula copied: no drop probability appears and λ is undefined for dropout. Its "Dropout案例"
# (§4.3) is a linear model $y = \theta_1 x_1 + \theta_2 x_2 + \theta_3 x_3$ whose "neurons" are the input
# features, and its "其中" line names only $x_{1,i}$ and $x_{2,i}$.
#
# **What is wrong.** Dropout adds no term to the loss. For a linear model with inverted dropout on the inputs,
# the *expected* training loss does equal the loss plus an L2-like penalty, but a data-dependent one with
# strength set by $p$:
#
# $$
# \mathbb{E}_m\Bigl[\bigl(y - \textstyle\sum_j w_j \tfrac{m_j}{1-p} x_j\bigr)^2\Bigr]
# = (y - w^\top x)^2 + \frac{p}{1-p}\sum_j w_j^2 x_j^2 .
# $$ (eq-errata-dropout-linear)
#
# **Correct statement.** {eq}`eq-errata-dropout-linear`, derived in {ref}`ch6-linear` {cite}`srivastava2014dropout,wager2013dropout`.
# Averaged over the data, the penalty is ridge with one weight per feature, $\frac{p}{1-p}\,\overline{x_j^2}$,
# not $\frac{\lambda}{2}$. The cell checks {eq}`eq-errata-dropout-linear` by Monte Carlo on one example.

# %%
x_one, y_one, w_lin, p_lin = np.array([1.0, -2.0, 0.5]), 1.5, np.array([0.4, 0.3, -1.0]), 0.3
noisy_x = dropout_forward(np.tile(x_one, (T, 1)), p=p_lin, training=True, rng=rng)[0]   # m x / (1 - p)
sq = (y_one - noisy_x @ w_lin) ** 2
mc, se = sq.mean(), sq.std() / np.sqrt(T)
formula = (y_one - w_lin @ x_one) ** 2 + p_lin / (1 - p_lin) * np.sum(w_lin**2 * x_one**2)
print(f"Monte Carlo {mc:.3f} +/- {se:.3f}, formula {formula:.3f}")
assert abs(mc - formula) < 4 * se

# %% [markdown]
# 004 also lists as dropout's drawback "增加了训练时间" ("it increases training time"). Half right: a step costs
# the same (one mask multiplication), but more epochs are usually needed {cite}`srivastava2014dropout`.
#
# ## Batch normalization
#
# ### E22. Batch normalization as a regularizer, and the flow chart (004, §2.1)
#
# 004 lists batch normalization among the regularization techniques, "通过对每一层的输入进行归一化，加速训练
# 过程，提高模型稳定性" ("normalizes each layer's input, speeds up training, improves stability"), and its
# Mermaid chart has the edges `B[L1正则化] --> E[批量归一化]` and `C[L2正则化] --> D[Dropout]`.
#
# **What is wrong.** The chart's edges say nothing true (L1 does not lead to batch normalization, nor L2 to
# dropout), and the text never mentions what makes batch normalization behave differently in training and at
# evaluation: in training it uses the statistics of the current mini-batch (so an example's output depends on
# the other examples, a noise that can regularize a little), at evaluation the running averages. The real link
# between batch normalization and an L2 penalty is the opposite of a constraint: a layer followed by batch
# normalization is invariant to the scale of its weights, so L2 on those weights does not restrict the function,
# it only changes the effective learning rate {cite}`vanlaarhoven2017l2`.
#
# **Correct statement.** {ref}`ch-batchnorm` (train/eval modes, {ref}`ch-batchnorm-pitfalls`) and
# {doc}`ch09_optimization` (weight decay with normalization). The cell shows both facts.

# %%
xb = rng.standard_normal((8, 4))
Wb = rng.standard_normal((4, 3))
gamma_b, beta_b, rm, rv = np.ones(3), np.zeros(3), np.zeros(3), np.ones(3)
bn = lambda Z, training: batchnorm_forward(Z, gamma_b, beta_b, training=training, running_mean=rm, running_var=rv)[0]
other = xb.copy()
other[1:] = rng.standard_normal((7, 4))                    # same first example, different batch mates
dep_train = np.max(np.abs(bn(xb @ Wb, True)[0] - bn(other @ Wb, True)[0]))
dep_eval = np.max(np.abs(bn(xb @ Wb, False)[0] - bn(other @ Wb, False)[0]))
scale_gap = np.max(np.abs(bn(xb @ (10.0 * Wb), True) - bn(xb @ Wb, True)))
print(f"example 0's output changes with its batch mates: training {dep_train:.3f}, evaluation {dep_eval:.1f}")
print("BN(x (10 W)) = BN(x W) in training mode:", checks.error_bound(scale_gap, floor=1e-4))
assert dep_train > 0.1 and dep_eval == 0.0 and scale_gap < 1e-4

# %% [markdown]
# ## Code that cannot run, and tools
#
# ### E23. 002's TensorFlow network (002, §4.2)
#
# ```python
# W = tf.Variable(tf.random_normal([784, 128]))
# b = tf.Variable(tf.random_normal([128]))
# h = tf.nn.relu(tf.matmul(X_train, W) + b)
# y_pred = tf.matmul(h, W) + b
# ...
# with tf.Session() as sess:
#     ...
#         sess.run(optimizer, feed_dict={X_train: X_train, y_train: y_train})
# ```
#
# **What is wrong.** (a) The output layer reuses the hidden layer's `W` (784×128) and `b`: `h` is $n\times128$,
# so `tf.matmul(h, W)` is a shape error; the output layer needs its own 128×10 weights and bias. (b) `feed_dict`
# is keyed by the data arrays themselves; its keys must be placeholders (graph tensors), and a NumPy array cannot
# even be a dictionary key. (c) `tf.random_normal`, `tf.Session`, `tf.train.AdamOptimizer` and
# `tf.global_variables_initializer` are TensorFlow 1 names, absent from the top level of TensorFlow 2 (they live
# under `tf.compat.v1`). (d) `X_train = ...` leaves the data undefined. The book does not install TensorFlow, so
# the cell runs the same operations in NumPy and shows the errors, then the fixed network in PyTorch.

# %%
X_tr = rng.standard_normal((32, 784))                       # stand-in for 32 MNIST images
W_002, b_002 = rng.standard_normal((784, 128)), rng.standard_normal(128)
h_002 = np.maximum(X_tr @ W_002 + b_002, 0.0)               # (32, 128)
try:
    h_002 @ W_002 + b_002                                   # 002's output layer
except ValueError as err:
    print(f"output layer: {type(err).__name__} for h {h_002.shape} @ W {W_002.shape}")
try:
    {X_tr: X_tr}                                            # 002's feed_dict keys
except TypeError as err:
    print("feed_dict:", type(err).__name__, "-", err)

g_002 = torch.Generator().manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).double()
xb_t = torch.tensor(X_tr)
yb_t = torch.randint(0, 10, (32,), generator=g_002)
lambda_reg = 0.1
data_loss = torch.nn.functional.cross_entropy(net(xb_t), yb_t)                     # mean over the batch
penalty = sum(0.5 * (m.weight**2).sum() for m in net if isinstance(m, torch.nn.Linear))  # weights only, = l2_loss
loss = data_loss + lambda_reg / len(xb_t) * penalty        # 002's formula: lambda / (2n) * sum W^2
loss.backward()
print("fixed network: logits", tuple(net(xb_t).shape), "; loss finite:", bool(torch.isfinite(loss)))
assert net(xb_t).shape == (32, 10) and torch.isfinite(loss)

# %% [markdown]
# ### E24. 003's Keras layer: activity regularizer and a linear hidden layer (003, §4)
#
# ```python
# model.add(Dense(64, input_dim=64,
#                 kernel_regularizer=l2(0.01),
#                 activity_regularizer=l2(0.01)))
# model.add(Dense(10, activation='softmax'))
# ```
#
# described as "我们在这个层上使用了L2正则化，正则化参数为0.01" ("we use L2 regularization on this layer, with
# parameter 0.01").
#
# **What is wrong.** (a) Two different penalties are set: `kernel_regularizer` penalizes the weights
# ($0.01\sum w^2$, Keras's `l2(λ)` is $\lambda\sum w^2$, not $\frac{\lambda}{2}$); `activity_regularizer`
# penalizes the layer's *outputs*, $0.01\sum_{i,k} a_{ik}^2$ over the batch, which depends on the data and is not
# weight decay. The text presents them as one L2 penalty. (b) The hidden layer has no activation, so the model
# is a linear map followed by softmax, i.e. multinomial logistic regression with a rank-64 weight matrix: the
# hidden layer adds nothing. (c) The model is never compiled or trained.
#
# **Correct statement.** Use `kernel_regularizer` for weight decay, add an activation (`activation="relu"`), and
# state the penalty's scale ({doc}`notation`). The cell computes both penalties' gradients in PyTorch and checks
# that two stacked linear layers are one linear map.

# %%
g3 = torch.Generator().manual_seed(3)
layer = torch.nn.Linear(64, 64).double()
x3 = torch.randn(16, 64, generator=g3, dtype=torch.float64)
kernel_pen = 0.01 * (layer.weight**2).sum()
activity_pen = 0.01 * (layer(x3) ** 2).sum()
gk, = torch.autograd.grad(kernel_pen, layer.weight)
ga, = torch.autograd.grad(activity_pen, layer.weight)
cos = float((gk * ga).sum() / (gk.norm() * ga.norm()))
gk_err = float((gk - 0.02 * layer.weight).abs().max().detach())
print(f"kernel penalty gradient = 0.02 W: {checks.error_bound(gk_err)}; "
      f"cosine with the activity penalty's gradient: {cos:.2f}")
assert torch.allclose(gk, 0.02 * layer.weight) and cos < 0.9
out_layer = torch.nn.Linear(64, 10).double()
with torch.no_grad():
    W_eff = out_layer.weight @ layer.weight                # (10, 64): one linear map
    b_eff = out_layer.weight @ layer.bias + out_layer.bias
    gap = float((out_layer(layer(x3)) - (x3 @ W_eff.T + b_eff)).abs().max())
print("Dense(64) without activation, then Dense(10) = one linear layer:", checks.error_bound(gap))
assert gap < 1e-12

# %% [markdown]
# ### E25. 004's L1 code (004, §5.2)
#
# ```python
# def reg_loss(model):
#     return tf.reduce_sum(tf.abs(model.trainable_weights))
#
# def total_loss(model, y_true, y_pred):
#     loss = mse_loss(y_true, y_pred)
#     reg_loss = reg_loss(model)
#     return loss + 0.01 * reg_loss
# ```
#
# introduced as "使用TensorFlow对线性回归模型进行正则化处理的PyTorch代码实现" ("the PyTorch implementation, using
# TensorFlow, …").
#
# **What is wrong.** (a) Inside `total_loss`, the assignment `reg_loss = reg_loss(model)` makes `reg_loss` a
# local variable, so the call on the right raises `UnboundLocalError` before anything is computed. (b)
# `tf.abs(model.trainable_weights)` applies `abs` to a *list* of tensors of different shapes (kernel
# `input_dim`×1, bias 1); converting it to one tensor fails. (c) The layer's own `kernel_regularizer=l1(0.01)`
# is silently ignored: a hand-written `GradientTape` loop must add `model.losses` itself, and this one does not; `l1_reg` is defined
# and never used; so the intended penalty would be applied once, by hand, and to the bias too (E9). (d)
# `LinearRegression(input_dim)` uses an undefined `input_dim`; the code is TensorFlow, not PyTorch. (e) Adam on
# an L1 penalty gives no exact zeros (E15). The cell runs (a) verbatim in Python, (b) with NumPy and PyTorch
# lists, then the fix.

# %%
def mse_loss(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def reg_loss(model):                                        # 004's structure; model = list of arrays
    return sum(np.sum(np.abs(w)) for w in model)


def total_loss(model, y_true, y_pred):                      # 004, verbatim apart from the framework
    loss = mse_loss(y_true, y_pred)
    reg_loss = reg_loss(model)
    return loss + 0.01 * reg_loss


kernel, bias = np.array([[0.5], [-1.0]]), np.array([0.2])
try:
    total_loss([kernel, bias], np.zeros(3), np.ones(3))
except UnboundLocalError as err:
    print("(a)", type(err).__name__, "-", err)
for name, fn in [("np.abs", lambda: np.abs([kernel, bias])),
                 ("torch.abs", lambda: torch.abs([torch.tensor(kernel), torch.tensor(bias)]))]:
    try:
        fn()
    except (ValueError, TypeError) as err:
        print("(b)", name, "on a list of weights of different shapes:", type(err).__name__)


def total_loss_fixed(weights, y_true, y_pred, lam=0.01):
    """Mean squared error + lam * sum |w| over the weight arrays (biases excluded by the caller)."""
    penalty = sum(np.sum(np.abs(w)) for w in weights)       # no name clash, one term per array
    return mse_loss(y_true, y_pred) + lam * penalty


fixed = total_loss_fixed([kernel], np.zeros(3), np.ones(3))
print(f"fixed: {fixed:.3f} = 1 + 0.01 * (0.5 + 1.0)")
assert abs(fixed - 1.015) < 1e-12

# %% [markdown]
# ### E26. Facts about the tools (004, §5.1, §7.2)
#
# * "安装TensorFlow Addons：包含一些TensorFlow的扩展模块，如BatchNorm等" ("install TensorFlow Addons, which
#   contains extensions such as BatchNorm"). Batch normalization is a core layer,
#   `tf.keras.layers.BatchNormalization`, as `torch.nn.BatchNorm1d` is in PyTorch; TensorFlow Addons (no longer
#   developed) held group, instance and weight normalization, not batch normalization.
# * "Keras：基于TensorFlow和Theano的高级神经网络API" ("Keras, a high-level API on top of TensorFlow and Theano"):
#   out of date. Theano's development ended in 2017 and Keras dropped it; current Keras runs on TensorFlow, JAX
#   or PyTorch.
#
# **Correct statement.** Every framework the book uses ships batch normalization in its core; regbook's
# from-scratch version matches PyTorch's core layer ({ref}`ch-batchnorm`), which the cell checks.

# %%
bn_t = torch.nn.BatchNorm1d(4).double().train()
xt = rng.standard_normal((16, 4))
ref = bn_t(torch.tensor(xt)).detach().numpy()
ours = batchnorm_forward(xt, np.ones(4), np.zeros(4), training=True,
                         running_mean=np.zeros(4), running_var=np.ones(4))[0]
print("regbook batchnorm_forward vs torch.nn.BatchNorm1d:", checks.error_bound(np.max(np.abs(ours - ref))))
assert np.allclose(ours, ref, atol=1e-12)

# %% [markdown]
# ## References and history
#
# ### E27–E31. Citations
#
# | | document | as cited | what is wrong | correct reference |
# | --- | --- | --- | --- | --- |
# | E27 | 004 | "Early Stopping: How To Know When Your Data is Around（Bakir等，2006年）" | no such publication exists | early stopping: {cite}`prechelt1998early`; its theory {cite}`yao2007early`; see {doc}`ch08_early_stopping` |
# | E28 | 004 | "Weight Regularization（Krizhevsky等，2012年）" | no such paper; Krizhevsky et al. 2012 is AlexNet (ImageNet classification), which *used* weight decay but did not introduce it | weight decay {cite}`krogh1992simple`; ridge {cite}`hoerl1970ridge`; Tikhonov {cite}`tikhonov1963solution`; AlexNet {cite}`krizhevsky2012imagenet` |
# | E29 | 004 | "L1: A Projection Operator for Learning Sparse High-Dimensional Representations with Challenges（Johnson等，2010年）" | no such publication exists; the nearest real title is Duchi et al.'s projection onto the L1 ball (2008) | lasso {cite}`tibshirani1996regression`; L1-ball projection {cite}`duchi2008efficient` |
# | E30 | 003 | "《深度学习》：这本书由深度学习的三位先驱之一Yoshua Bengio主编" ("edited by Yoshua Bengio, one of the three pioneers") | the book is not an edited volume; it is written by Ian Goodfellow, Yoshua Bengio and Aaron Courville, with Goodfellow as first author | {cite}`goodfellow2016deep` |
# | E31 | 000 | "随着深度学习在各个领域的广泛应用…正则化技术应运而生" ("as deep learning spread … regularization arose") | regularization is decades older than deep learning | {cite}`tikhonov1963solution`, {cite}`hoerl1970ridge`, {cite}`tibshirani1996regression` |
#
# Checked and correct: Srivastava et al. 2014 (dropout) and Ioffe & Szegedy 2015 (batch normalization) in 004;
# Mitchell's *Machine Learning* and Goodfellow, Bengio & Courville's *Deep Learning* in 000. 004's
# "《自然语言处理入门》博客，由大模型技术专家撰写" names no author or address and could not be identified; it is not
# counted as an error. The cell reads the book's bibliography files (whose entries were checked against the
# publications) and confirms the authors and years the table relies on.

# %%
BOOK = Path(".") if Path("references.bib").exists() else Path("book")          # run from book/ or the repo root
bib_files = sorted((BOOK / "bib").glob("*.bib")) + [BOOK / "references.bib"]
bib_text = "\n".join(f.read_text(encoding="utf-8") for f in bib_files)
entries = {}
for key, body in re.findall(r"@\w+\{([^,]+),(.*?)\n\}", bib_text, flags=re.S):
    year = re.search(r"year\s*=\s*\{?(\d{4})", body)
    author = re.search(r"author\s*=\s*\{([^,}]+)", body)
    entries[key.strip()] = (int(year.group(1)), author.group(1).strip())
expected = {"prechelt1998early": (1998, "Prechelt"), "krogh1992simple": (1992, "Krogh"),
            "krizhevsky2012imagenet": (2012, "Krizhevsky"), "tibshirani1996regression": (1996, "Tibshirani"),
            "duchi2008efficient": (2008, "Duchi"), "goodfellow2016deep": (2016, "Goodfellow"),
            "tikhonov1963solution": (1963, "Tikhonov"), "hoerl1970ridge": (1970, "Hoerl"),
            "srivastava2014dropout": (2014, "Srivastava"), "ioffe2015batch": (2015, "Ioffe")}
for key, (year, author) in expected.items():
    assert entries[key] == (year, author), (key, entries[key])
print("first author and year confirmed for", len(expected), "entries")
assert not re.search(r"Bakir|Projection Operator for Learning Sparse|title\s*=\s*\{Weight Regularization\}", bib_text)
glue("e31_gap", 2006 - entries["tikhonov1963solution"][0], display=False)

# %% [markdown]
# Tikhonov's regularization predates the 2006 revival of deep networks by {glue:text}`e31_gap` years.
#
# ### E32. "Future trends" that are decades old (004, §6.4, §8.2, §8.4)
#
# 004 lists three times, as future research directions, "自动化正则化：通过自动选择正则化强度…" (automatic choice
# of the strength), "混合正则化：将L1正则化、L2正则化和Dropout等正则化技术结合使用" (combining L1, L2, dropout) and
# "自适应正则化：根据数据分布和模型状态，自适应调整正则化强度" (adaptive strength).
#
# **What is wrong.** All three exist and are standard: choosing λ automatically by evidence maximization
# {cite}`mackay1992bayesian` or cross-validation ({ref}`ch-choosing-lambda`); combining L1 and L2 is the elastic
# net {cite}`zou2005regularization` ({ref}`ch-elastic-net`), and dropout was combined with max-norm and L2 from
# the start {cite}`srivastava2014dropout`; adaptive per-coefficient penalties are the adaptive lasso
# {cite}`zou2006adaptive` ({ref}`ch5-adaptive`). The cell shows the point of mixing L1 and L2 (the grouping
# effect): with two nearly identical features, the lasso keeps one, the elastic net shares the weight.

# %%
z1 = rng.standard_normal(n)
Xg = np.column_stack([z1, z1 + 0.01 * rng.standard_normal(n), rng.standard_normal(n)])
yg = Xg[:, 0] + Xg[:, 1] + 0.1 * rng.standard_normal(n)
c_lasso = lasso(Xg, yg, alpha=0.1, tol=1e-10).coef
c_enet = elastic_net(Xg, yg, alpha=0.1, l1_ratio=0.3, tol=1e-10).coef
print("lasso:", np.round(c_lasso, 3).tolist(), " elastic net:", np.round(c_enet, 3).tolist())
assert min(abs(c_lasso[:2])) < 0.2 * max(abs(c_lasso[:2])) and abs(c_enet[0] - c_enet[1]) < 0.1 * abs(c_enet[0])

# %% [markdown]
# ## Coverage
#
# Every entry above, by document (an entry that quotes several documents counts once for each):

# %%
ERRATA = {
    "E1": "000 001 002 003 004", "E2": "004", "E3": "001", "E4": "004", "E5": "000 003 004", "E6": "000",
    "E7": "001 002 003 004", "E8": "002", "E9": "004", "E10": "000 001 002", "E11": "003", "E12": "004",
    "E13": "004", "E14": "004", "E15": "004", "E16": "004", "E17": "001", "E18": "001", "E19": "001",
    "E20": "000 004", "E21": "004", "E22": "004", "E23": "002", "E24": "003", "E25": "004", "E26": "004",
    "E27": "004", "E28": "004", "E29": "004", "E30": "003", "E31": "000", "E32": "004",
}
DOCS = ["000", "001", "002", "003", "004"]
per_doc = {d: [e for e, docs in ERRATA.items() if d in docs.split()] for d in DOCS}
for d in DOCS:
    print(f"{d}: {len(per_doc[d]):2d} errors  ({', '.join(per_doc[d])})")
glue("count_000", len(per_doc["000"]), display=False)
glue("count_001", len(per_doc["001"]), display=False)
glue("count_002", len(per_doc["002"]), display=False)
glue("count_003", len(per_doc["003"]), display=False)
glue("count_004", len(per_doc["004"]), display=False)
glue("count_entries", len(ERRATA), display=False)
assert list(ERRATA) == [f"E{i}" for i in range(1, len(ERRATA) + 1)]

# %% [markdown]
# | document | errors found | what was checked and found correct |
# | --- | --- | --- |
# | `000_6a8548a0c94a1a21.txt` | {glue:text}`count_000` | the L1 formula ($\frac{1}{2m}\sum + \lambda\sum_{j\ge1}\lvert\theta_j\rvert$, intercept unpenalized); ridge for many correlated features; the FAQ answer "regularization prevents overfitting"; the application areas; both book references |
# | `001_1af746dd131e4210.txt` | {glue:text}`count_001` | the L1 and L2 penalty formulas (in 001's own scaling); the L1/L2 NumPy penalty functions (they print 3.0 and 5.0 for its example); the FAQ on regularization vs optimization; the tool list |
# | `002_410110c616a5eccd.txt` | {glue:text}`count_002` | the L2 objective with λ/(2n) and its gradient (checked below); the three-step recipe; choosing λ by cross-validation or grid search; the resources |
# | `003_d4f52e254f40b6b1.txt` | {glue:text}`count_003` | the definition of overfitting; the L1/L2 formulas; λ too large underfits, too small overfits (E2's cell); its L1-vs-L2 FAQ answer (sparsity, see E10's cell); choosing λ on a validation set |
# | `004_dfa2cde6fd27bcc0.txt` | {glue:text}`count_004` | the L1 and L2 formulas of §3.1; dropout reduces co-adaptation; the Srivastava 2014 and Ioffe & Szegedy 2015 references; the application areas; SciPy supports regularized least squares (checked below) |
#
# In all, {glue:text}`count_entries` errors. The audit covered every sentence of the five documents: definitions,
# formulas (each re-derived or checked numerically), code (each block run or, for TensorFlow, reproduced
# operation by operation), FAQ answers, claimed advantages and drawbacks, tools, future trends and references
# (each checked). Editorial slips that change no meaning are not counted: 001's and 002's duplicated headings
# ("## 4.2" twice in 002), 004's lists numbered "1. 2. 3 3 4 5" and repeated three times, 000's promised
# scikit-learn and TensorFlow examples that are never given, and 000's link to a web page instead of dropout's
# one-line formula (given in E17). The cell checks the correct claims that the table mentions and no entry
# above demonstrates: 002's gradient, 001's penalty functions, and SciPy's damped least squares
# (`lsqr(damp=...)`), which is ridge.

# %%
lam2 = 0.7
J = lambda w: np.sum((yc - Xc @ w) ** 2) / (2 * n) + lam2 / (2 * n) * np.sum(w**2)        # 002's J(W)
grad_002 = lambda w: Xc.T @ (Xc @ w - yc) / n + lam2 / n * w                                 # 002's gradient
w_test = rng.standard_normal(p)
err_grad = checks.gradient_check(J, w_test, grad_002(w_test))
print("002's gradient vs finite differences:", checks.error_bound(err_grad, floor=1e-6))
assert err_grad < 1e-6
def L1_regularization(w, lambda_value):                      # 001, verbatim
    return lambda_value * np.sum(np.abs(w))


def L2_regularization(w, lambda_value):                      # 001, verbatim
    return lambda_value * np.sum(w**2)


w_001 = np.array([1, -1, 2, -2])
print("001's penalty functions:", float(L1_regularization(w_001, 0.5)), float(L2_regularization(w_001, 0.5)))
assert float(L1_regularization(w_001, 0.5)) == 3.0 and float(L2_regularization(w_001, 0.5)) == 5.0
w_lsqr = lsqr(Xc, yc, damp=np.sqrt(2.0), atol=1e-14, btol=1e-14)[0]   # min ||y - Xw||^2 + damp^2 ||w||^2
lsqr_gap = np.max(np.abs(w_lsqr - ridge(X, y, alpha=2.0).coef))
print("scipy lsqr(damp=sqrt(alpha)) vs ridge(alpha):", checks.error_bound(lsqr_gap, floor=1e-8))
assert lsqr_gap < 1e-8

# %% [markdown]
# ## Summary
#
# * The sources' most frequent error is conceptual: "regularization = a penalty term" (E1), with its
#   consequences: dropout and batch normalization given penalty formulas they do not have (E21, E22).
# * Dropout is wrong in four of the five documents: no mask (E17), wrong probabilities (E18, E19), connections
#   instead of units (E20), the L2 formula as its loss (E21).
# * λ means something different in every document (E6–E8); {doc}`notation` gives the conversions.
# * Every code example that goes beyond three lines fails to run or does something other than what it says
#   (E23–E25).
# * Three of 004's five references do not exist or are misattributed (E27–E29).
#
# The FAQ ({doc}`appendix_faq`) answers the questions the sources ask, correctly, and the glossary
# ({doc}`appendix_glossary`) lists the Chinese terms they use.
#
# ## References
#
# The corrections rest on {cite}`goodfellow2016deep` for definitions; {cite}`hoerl1970ridge`,
# {cite}`tibshirani1996regression` and {cite}`zou2005regularization` for the penalties;
# {cite}`srivastava2014dropout`, {cite}`wager2013dropout` and {cite}`wan2013regularization` for dropout and
# DropConnect; {cite}`ioffe2015batch` and {cite}`vanlaarhoven2017l2` for batch normalization;
# {cite}`loshchilov2019decoupled` for AdamW; {cite}`zhang2017understanding` and {cite}`belkin2019reconciling` for
# over-parameterized models. Full entries are in the {doc}`bibliography`.
