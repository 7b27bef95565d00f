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
from sklearn.datasets import load_breast_cancer, load_digits

import regbook
from regbook import checks
from regbook.np.augment import add_noise, shift_images_by
from regbook.np.clipping import clip_grad_norm
from regbook.np.cross_validation import kfold_indices
from regbook.np.dropout import dropconnect_forward, dropout_forward
from regbook.np.linear import elastic_net, lasso, ridge
from regbook.np.logistic import logistic_regression, predict_proba
from regbook.np.normalization import batchnorm_forward
from regbook.np.optim import Adam, AdamW
from regbook.np.prox import prox_l2, soft_threshold
from regbook.np.ridge_selection import ridge_loocv
from regbook.np.time_series import forward_chaining_splits

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
# ### E2. Data augmentation and ensembles as "other techniques" for the future (003, §7 and FAQ)
#
# > 未来的研究将需要进一步探索如何更好地使用正则化，以及如何结合其他技术（如数据增强、模型集成等）来进一步提高模型的性能。
# > ("Future research will need to explore how to use regularization better, and how to combine it with other
# > techniques (such as data augmentation and model ensembles) to improve performance further.")
#
# and in its FAQ: "在某些情况下，我们可能还需要使用其他的技术，如数据增强、模型集成等" ("in some cases we may also
# need other techniques, such as data augmentation and ensembles").
#
# **What is wrong.** Both are established regularizers, not future complements of regularization. Training on
# transformed copies of the data was standard practice long before these documents
# {cite}`simard2003best,krizhevsky2012imagenet`; training with noisy inputs is equivalent to Tikhonov
# regularization {cite}`bishop1995training`; bagging {cite}`breiman1996bagging` lowers the variance of a flexible
# model, which is what a penalty does. They fit the definition of E1.
#
# **Correct statement.** For a linear model with squared loss, Gaussian input noise of variance $\sigma^2$ is, in
# expectation, *exactly* an L2 penalty (the cross terms have mean zero):
#
# $$
# \mathbb{E}_{\varepsilon\sim\mathcal N(0,\sigma^2 I)}\bigl[(y - (x+\varepsilon)^\top w)^2\bigr]
# = (y - x^\top w)^2 + \sigma^2\lVert w\rVert_2^2 ,
# $$ (eq-errata-noise-l2)
#
# so least squares on many noisy copies of $n$ samples approaches ridge with $\alpha = n\sigma^2$
# ({doc}`ch10_data_side`, which also treats bagging and snapshot ensembles). The cell fits plain least squares
# to 400 noisy copies ($\sigma = 0.5$) of this page's 50 samples.

# %%
sigma_aug, copies = 0.5, 400
X_noisy = add_noise(np.tile(X, (copies, 1)), sigma=sigma_aug, rng=np.random.default_rng(2))
w_noisy = ridge(X_noisy, np.tile(y, copies), alpha=0.0).coef        # least squares on the augmented data
w_target = ridge(X, y, alpha=n * sigma_aug**2).coef                 # ridge with alpha = n sigma^2
gap_aug = np.linalg.norm(w_noisy - w_target) / np.linalg.norm(w_target)
gap_plain = np.linalg.norm(w_ols - w_target) / np.linalg.norm(w_target)
print(f"relative distance to ridge(alpha = n sigma^2): least squares on noisy copies {gap_aug:.3f}, "
      f"on the original data {gap_plain:.3f}")
assert gap_aug < 0.02 and gap_plain > 10 * gap_aug
glue("e2_gap_aug", round(float(gap_aug), 3), display=False)
glue("e2_gap_plain", round(float(gap_plain), 3), display=False)

# %% [markdown]
# Least squares on the noisy copies lands within {glue:text}`e2_gap_aug` (relative distance) of the ridge
# solution predicted by {eq}`eq-errata-noise-l2`, while least squares on the original data is
# {glue:text}`e2_gap_plain` away from it: the augmentation *is* the penalty.
#
# ### E3. "Regularization may cause overfitting" (004, FAQ Q1)
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
# ### E4. "Regularization increases the model's complexity and the training time" (001, §7; 004, §8.3)
#
# > 正则化技术可能会增加模型的复杂度，导致训练时间增长。
# > ("Regularization may increase the model's complexity, which makes training longer.")
#
# 004 says the same: "训练时间：正则化技术会增加训练时间，可能影响模型的实时性" ("training time: regularization
# increases the training time, which may affect real-time use").
#
# **What is wrong.** A penalty *reduces* the effective complexity; that is its purpose. Its cost is negligible:
# the gradient of $\tfrac{\lambda}{2}\lVert w\rVert^2$ is $p$ multiply-adds per step, against $np$ for the data
# term. An L2 penalty can even *shorten* training: the number of gradient-descent iterations grows with the
# condition number of the problem, $(d_1^2+\alpha)/(d_p^2+\alpha)$ for ridge, which falls as α grows.
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
kappa = lambda a: float((d[0] ** 2 + a) / (d[-1] ** 2 + a))       # condition number of X_c^T X_c + alpha I
print(f"condition number: {kappa(0.0):.2f} without penalty, {kappa(10.0):.2f} with alpha = 10")
assert kappa(10.0) < kappa(0.0)
glue("e4_kappa0", round(kappa(0.0), 2), display=False)
glue("e4_kappa10", round(kappa(10.0), 2), display=False)

# %% [markdown]
# (Per step, the data gradient costs {glue:text}`e3_cost_ratio` times more than the penalty's gradient here; and
# the penalty lowers the condition number that sets gradient descent's speed from {glue:text}`e4_kappa0` to
# {glue:text}`e4_kappa10`.)
#
# ### E5. "Billions of parameters, so deep models overfit" (004, §1.1)
#
# > 由于现代深度学习模型通常具有数十亿个参数，容易产生过拟合现象。
# > ("Because modern deep models have billions of parameters, they overfit easily.")
#
# **What is wrong.** The number of parameters alone does not predict overfitting. Heavily over-parameterized
# models that interpolate the training data often generalize well, and the test error can *fall* again as the
# parameter count grows past the number of samples (double descent) {cite}`zhang2017understanding,belkin2019reconciling`.
# 004's FAQ Q3 adds "对于深度学习模型，正则化技术的优势更加显著，能够显著提高模型精度和泛化能力" ("for deep models the
# advantages of regularization are more pronounced; it markedly improves accuracy"): Zhang et al. found that the
# explicit regularizers (weight decay, dropout, augmentation) improved their networks' test accuracy but were
# neither necessary nor by themselves sufficient for generalization: without any of them the networks still
# generalized well {cite}`zhang2017understanding`. The gain has to be measured, as {doc}`ch11_images` does.
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
# ### E6. "The L2 norm" when the penalty is its square (000, 003, 004)
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
# ### E7. λ divided by the number of parameters (000)
#
# > $J(\theta) = \frac{1}{2m} \sum_{i=1}^{m} (h_{\theta}(x^{(i)}) - y^{(i)})^2 + \frac{\lambda}{2n} \sum_{j=1}^{n} \theta_j^2$
#
# In 000, $m$ is the number of samples and $n$ the number of parameters (the sum runs over $j = 1..n$). 000's
# L1 formula, a few lines above, uses $\lambda\sum_j\lvert\theta_j\rvert$ with no divisor at all: two conventions
# in one document.
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
# ### E8. One symbol λ, five different strengths (001, 002, 003, 004; 000 in E7)
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
# ### E9. 002's code does not implement 002's formula (002, §4)
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
# ### E10. The intercept is penalized (004, §4.3)
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
# ### E11. The difference between L1 and L2 (000 FAQ; 001, §2; 002, §2)
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
# ### E12. "L2 pushes the weights uniformly towards zero" (003, FAQ)
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
# ### E13. "L1 is sensitive to the data distribution, L2 is not" (004, §3.3)
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
# ### E14. "L2 avoids the vanishing-gradient problem" (004, §1.2, §2.1, §3.1, §3.3, §4.2)
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
# ### E15. "L2 easily causes severe weight decay and too simple a model" (004, §3.3)
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
# ### E16. Sparsity from L1 with a gradient optimizer (004, §5.2; 003 FAQ; 004 §3.1)
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
# ### E17. "L1 performs feature selection", with no caveat (000; 003, FAQ; 004, §1.2 and §3.3)
#
# * 000: "L1正则化…实际上可以实现特征选择" ("L1 regularization … can actually perform feature selection").
# * 003: "因此，L1正则化可以用于特征选择" ("so L1 regularization can be used for feature selection").
# * 004: "优点：可以产生参数稀疏化，便于特征选择和降维" ("advantage: sparse parameters, convenient for feature
#   selection and dimensionality reduction").
#
# **What is wrong.** The set of features the lasso keeps is a property of the sample, not of the problem. With
# correlated features it keeps one of a group, and which one changes with a small change of the data; it can keep
# irrelevant features and drop relevant ones. Reading the selected set as "the relevant features" is not
# justified until its stability has been checked {cite}`kalousis2007stability,meinshausen2010stability`.
#
# **Correct statement.** Report how often each feature is selected over resamples (stability selection), or use
# the elastic net for correlated groups ({ref}`ch3-pitfalls`, {ref}`ch-elastic-net`; {doc}`ch14_tabular` measures
# the stability of L1 logistic regression on the same data). The cell fits the lasso, with the same α, to 10
# bootstrap resamples of scikit-learn's breast-cancer data (569 tumours, 30 standardized measurements, the 0/1
# diagnosis as the response).

# %%
X_bc, y_bc = load_breast_cancer(return_X_y=True)
X_bc = (X_bc - X_bc.mean(axis=0)) / X_bc.std(axis=0)
r_bc = np.random.default_rng(1)
selected = []
for _ in range(10):
    rows = r_bc.integers(0, len(y_bc), len(y_bc))               # bootstrap resample
    selected.append(frozenset(np.flatnonzero(lasso(X_bc[rows], y_bc[rows].astype(float), alpha=0.01, tol=1e-8).coef)))
jaccard = np.mean([len(a & b) / len(a | b) for i, a in enumerate(selected) for b in selected[i + 1:]])
n_always, n_ever = len(frozenset.intersection(*selected)), len(frozenset.union(*selected))
print(f"features selected per fit: {[len(s) for s in selected]}; in all 10 fits: {n_always}; in at least one: "
      f"{n_ever}; mean Jaccard index between two fits: {jaccard:.2f}")
assert jaccard < 0.8 and n_ever > 2 * n_always
glue("e17_jaccard", round(float(jaccard), 2), display=False)
glue("e17_always", n_always, display=False)
glue("e17_ever", n_ever, display=False)

# %% [markdown]
# Only {glue:text}`e17_always` features are selected in all ten fits, {glue:text}`e17_ever` in at least one; the
# mean Jaccard index $\lvert S_a\cap S_b\rvert/\lvert S_a\cup S_b\rvert$ between two fits' sets is
# {glue:text}`e17_jaccard` (1 would mean the same set every time).

# %% [markdown]
# ### E18. "AdamW adds L1 and L2 terms automatically" (004, FAQ Q5)
#
# > 在使用AdamW优化器时，可以加入L1正则化项和L2正则化项，自动进行正则化处理。
# > ("With the AdamW optimizer one can add L1 and L2 terms, and the regularization is handled automatically.")
#
# **What is wrong.** AdamW {cite}`loshchilov2019decoupled` has no L1 term. Its `weight_decay` is *decoupled*
# weight decay, $w \leftarrow (1-\eta\lambda)w$ applied outside Adam's per-coordinate scaling; it is not an L2
# term in the loss, and it is not equivalent to Adam with an L2 penalty (the point of the paper). A weight
# decayed by AdamW never reaches exactly 0.
#
# 002 shows the reverse confusion. Its recipe (§3) is "梯度下降：使用梯度下降算法对新的损失函数进行优化" (gradient
# descent on the penalized loss), for which an L2 term and weight decay are the same algorithm; its code minimizes
# `loss + lambda_reg * tf.nn.l2_loss(W)` with `tf.train.AdamOptimizer`. That is a valid L2 penalty, but not
# weight decay: Adam divides the penalty's gradient $\lambda W$ by its per-coordinate scale, so weights with large
# gradients are barely shrunk {cite}`loshchilov2019decoupled`.
#
# **Correct statement.** Adam + L2 (coupled) and AdamW (decoupled) converge to different points
# ({doc}`ch09_optimization`); L1 needs a proximal step (E16). The cell minimizes
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
# ### E19. Gradient clipping and adaptive gradients as regularization (004, keywords)
#
# > 关键词：正则化,Dropout,权重衰减,批量归一化,BatchNorm,过拟合,自适应梯度,梯度裁剪
# > ("Keywords: regularization, dropout, weight decay, batch normalization, BatchNorm, overfitting, adaptive
# > gradients, gradient clipping")
#
# The last two are listed with the regularization techniques and never mentioned again.
#
# **What is wrong.** Both are ways of taking steps, not changes of the objective. Clipping rescales a gradient
# whose norm exceeds a threshold: the direction and the stationary points are unchanged, so a method that
# converges still converges to the same minimizer; its job is to keep one huge gradient from throwing the
# parameters far away {cite}`pascanu2013difficulty`. (With stochastic gradients, clipping each mini-batch's
# gradient can bias the average step a little, but it penalizes nothing.) Adaptive methods (AdaGrad, Adam
# {cite}`duchi2011adaptive,kingma2015adam`) rescale each coordinate; on a problem with a unique minimizer they
# find the same one. Where they do change generalization, it is through *which* of many minimizers training
# reaches, and adaptive methods were found to generalize worse than SGD, not better {cite}`wilson2017marginal`.
#
# **Correct statement.** Clipping is a stabilizer and Adam an optimizer ({doc}`ch09_optimization`); neither
# replaces a penalty. The cell runs gradient descent with norm clipping (threshold 0.05, far below the initial
# gradient norm) and Adam on this page's *unpenalized* least-squares problem: both end at the least-squares
# solution, not at a shrunk one.

# %%
lip = np.linalg.norm(Xc, 2) ** 2 / n                              # Lipschitz constant of the mean-loss gradient
w_clip, w_adam_ls = np.zeros(p), np.zeros(p)
opt_ls = Adam([w_adam_ls], lr=1e-2)
n_clipped = 0
for _ in range(5000):
    g = Xc.T @ (Xc @ w_clip - yc) / n
    n_clipped += clip_grad_norm([g], 0.05) > 0.05                 # returns the norm before clipping
    w_clip -= g / lip
    opt_ls.step([Xc.T @ (Xc @ w_adam_ls - yc) / n])
gap_clip, gap_adam = np.max(np.abs(w_clip - w_ols)), np.max(np.abs(w_adam_ls - w_ols))
print(f"steps clipped: {n_clipped}; distance to least squares: clipped GD {checks.error_bound(gap_clip, floor=1e-8)}, "
      f"Adam {checks.error_bound(gap_adam, floor=1e-8)}")
assert n_clipped > 10 and gap_clip < 1e-8 and gap_adam < 1e-8
assert np.max(np.abs(ridge(X, y, alpha=5.0).coef - w_ols)) > 0.01   # a penalty does move the solution
glue("e19_clipped", int(n_clipped), display=False)

# %% [markdown]
# Although {glue:text}`e19_clipped` steps were clipped, the clipped run ends where plain least squares does.
#
# ## Choosing λ
#
# ### E20. "Choose λ by cross-validation", with no protocol (002, FAQ; 003, §3.3 and FAQ; 004, FAQ Q2)
#
# * 002: "可以通过交叉验证、网格搜索等方法来选择合适的λ值" ("λ can be chosen by cross-validation, grid search…").
# * 003: "通常，我们会通过交叉验证来选择最好的λ" ("usually we choose the best λ by cross-validation").
# * 004: "一般建议通过实验调整正则化强度，找到最优值" ("adjust the strength by experiment to find the optimum").
#
# **What is wrong.** Right in principle, incomplete where it matters: how the folds are made decides what is
# measured. The default, shuffled $K$-fold, assumes exchangeable samples. For time-ordered data (004 lists
# time-series and financial prediction as applications) shuffled folds put every validation point between
# training points of the neighbouring days, so cross-validation measures interpolation, not forecasting: it
# prefers too small a λ and its error estimate is far too optimistic {cite}`tashman2000out,hyndman2021forecasting`.
# (For a purely autoregressive model with uncorrelated errors shuffled folds are valid {cite}`bergmeir2018note`; a
# model of the time index, as below, is not one.) Nor do the sources say that the preprocessing must be fitted
# inside each fold, or that the cross-validation error of the chosen λ is itself optimistic.
#
# **Correct statement.** Validate on blocks that follow their training data for time series (forward chaining,
# {ref}`ch14-time-series`); in general follow {ref}`ch5-recipe`, with {ref}`ch5-leakage` and {ref}`ch5-nested`.
# The cell fits ridge on 40 Gaussian bumps of the time index to a random walk of 300 steps, and chooses α by
# shuffled 5-fold cross-validation and by forward chaining (5 blocks of 20 steps, each after its training data).

# %%
n_t = 300
t_idx = np.arange(n_t) / n_t
walk = np.cumsum(np.random.default_rng(5).standard_normal(n_t))
bumps = np.exp(-((t_idx[:, None] - np.linspace(0, 1, 40)[None, :]) ** 2) / (2 * 0.02**2))
alphas_t = np.logspace(-4, 3, 15)


def cv_error(folds, a):
    """Mean validation MSE of ridge(alpha=a) on the bump features over the given (train, validation) folds."""
    errs = []
    for tr, va in folds:
        fit = ridge(bumps[tr], walk[tr], alpha=a)
        errs.append(np.mean((walk[va] - bumps[va] @ fit.coef - fit.intercept) ** 2))
    return float(np.mean(errs))


shuffled = np.array([cv_error(kfold_indices(n_t, k=5, shuffle=True, rng=0), a) for a in alphas_t])
forward = np.array([cv_error(forward_chaining_splits(n_t, n_splits=5, min_train=150, test_size=20), a)
                    for a in alphas_t])
i_s, i_f = int(shuffled.argmin()), int(forward.argmin())
print(f"shuffled K-fold picks alpha = {alphas_t[i_s]:.1e} (its CV error {shuffled[i_s]:.2f}, "
      f"error when forecasting {forward[i_s]:.1f})")
print(f"forward chaining picks alpha = {alphas_t[i_f]:.1e} (forecasting error {forward[i_f]:.1f})")
assert alphas_t[i_s] < alphas_t[i_f] / 100 and shuffled[i_s] < forward[i_s] / 10 and forward[i_f] < forward[i_s] / 5
glue("e20_shuf_cv", round(float(shuffled[i_s]), 2), display=False)
glue("e20_shuf_fwd", round(float(forward[i_s]), 1), display=False)
glue("e20_fwd_best", round(float(forward[i_f]), 1), display=False)

# %% [markdown]
# Shuffled folds promise an error of {glue:text}`e20_shuf_cv` for the λ they choose; forecasting the next steps
# with it, the error is {glue:text}`e20_shuf_fwd`. The λ chosen by forward chaining forecasts with error
# {glue:text}`e20_fwd_best`.

# %% [markdown]
# ## Dropout
#
# The book's convention, as PyTorch: $p$ is the probability of *dropping* a unit, and dropout is inverted (kept
# units are scaled by $1/(1-p)$ during training, nothing is done at evaluation) ({ref}`ch-dropout`).
#
# ### E21. A "dropout" function with no randomness (001, §4.3)
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
# ### E22. Drop probability of one unit and of "all units" (001, §3.3)
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
# ### E23. What happens at test time (001, §3.3)
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
# ### E24. What dropout drops: units, per pass (000, §3; 004, §1.2)
#
# * 000: "在训练过程中，每次更新权重之前，随机将神经元之间的连接设置为0" ("during training, before every weight
#   update, randomly set the connections between neurons to 0"); earlier, "通过在训练过程中随机断开神经元之间的连接
#   来防止模型过拟合" ("by randomly cutting the connections between neurons during training").
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
# ### E25. The "dropout loss" is the L2 formula (004, §3.1, §3.2, §4.2)
#
# Three times, 004 gives as "Dropout的数学公式" ("the mathematical formula of dropout")
#
# > $L(\theta) = \frac{1}{N}\sum_{i=1}^N \ell(\theta, x_i) + \frac{\lambda}{2} \sum_{j=1}^p \theta_j^2$
#
# which is its L2 formula copied: no drop probability appears and λ is undefined for dropout. Its "Dropout案例"
# (§4.3) is a linear model $y = \theta_1 x_1 + \theta_2 x_2 + \theta_3 x_3$ whose "neurons" are the input
# features, and its "其中" line names only $x_{1,i}$ and $x_{2,i}$. Its general model (§4.1),
# $\frac1N\sum_i\ell(\theta, x_i) + \lambda R(\theta)$, says the same in words: "正则项 $R(\theta)$ 的形式多种多样，常见
# 的有L1正则化、L2正则化、Dropout等" ("the regularization term $R(\theta)$ takes many forms; common ones are L1, L2,
# dropout").
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
# ### E26. Batch normalization as a regularizer, and the flow chart (004, §2.1)
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
# ## Applications
#
# ### E27. "Regularization alleviates overfitting and improves generalization" in every area (004, §3.4, §6)
#
# > 时间序列预测：在时间序列预测任务中，正则化技术可以缓解过拟合问题，提高模型泛化能力。
# > ("Time-series forecasting: in time-series forecasting, regularization alleviates overfitting and improves
# > generalization.")
#
# The same sentence is repeated for image classification, natural language processing, recommender systems,
# time-series, medical and financial prediction, and §6 adds to each that regularization "可以显著提高模型泛化能力"
# ("markedly improves generalization").
#
# **What is wrong.** It is stated as a fact of every area, with no evidence. Whether a penalty helps depends on
# whether the model is too flexible for the amount and noise of the data, not on the area: with many samples per
# parameter the best λ is close to 0 and the gain is nil, and no penalty creates predictability the data do not
# contain. {doc}`ch14_tabular` measures both cases on real data: on the diabetes table regularization changes
# almost nothing, and on monthly stock returns its job is only to keep the model from losing to the historical
# mean.
#
# **Correct statement.** Regularization helps where the model is flexible relative to the data, by an amount that
# must be measured ({ref}`ch-overfitting`, {ref}`ch14-pitfalls`). The cell computes the exact leave-one-out error
# of ridge along a grid of α ({ref}`ch5-loocv`) for linear problems with 3 features and 2,000 samples, and with
# 25 features and 30 samples (5 random problems each, unit noise), and reports by how much the best α lowers the
# error relative to α ≈ 0.

# %%
alphas_loo = np.logspace(-4, 4, 41)


def best_ridge_gain(n_samples, n_features, seed):
    """1 - min LOO error / LOO error at alpha = 1e-4, for a random linear problem with unit noise."""
    r = np.random.default_rng(seed)
    Xr = r.standard_normal((n_samples, n_features))
    yr = Xr @ r.standard_normal(n_features) / np.sqrt(n_features) + r.standard_normal(n_samples)
    loo = ridge_loocv(Xr, yr, alphas=alphas_loo).loo_mse
    return float(1.0 - loo.min() / loo[0])


gain_big = np.mean([best_ridge_gain(2000, 3, s) for s in range(5)])
gain_small = np.mean([best_ridge_gain(30, 25, s) for s in range(5)])
print(f"best ridge vs alpha ~ 0, leave-one-out error lowered by {100 * gain_big:.4f} % (2,000 samples, 3 features), "
      f"by {100 * gain_small:.1f} % (30 samples, 25 features)")
assert gain_big < 1e-3 and gain_small > 0.3
glue("e27_gain_big", round(100 * gain_big, 4), display=False)
glue("e27_gain_small", round(100 * gain_small, 1), display=False)

# %% [markdown]
# The same penalty, tuned the same way, lowers the error by {glue:text}`e27_gain_big` % in the first case and by
# {glue:text}`e27_gain_small` % in the second.
#
# ### E28. "Recommender systems have high-dimensional features, hence overfit" (004, §6.3)
#
# > 由于推荐系统任务通常具有高维度特征，容易产生过拟合问题。
# > ("Because recommender-system tasks usually have high-dimensional features, they overfit easily.")
#
# **What is wrong.** Matrix factorization, the model 004 names ("协同过滤、矩阵分解"), has no input features: it
# learns $k$ factors per user and per item from the ratings alone {cite}`koren2009matrix`. It overfits because
# each user's (and each item's) $k$ parameters are estimated from that user's few ratings; with about as many
# ratings as factors or fewer, the user's least-squares problem fits the noise nearly or exactly. The L2 penalty on the
# factors is what makes these small problems well posed, and it matters most for the users with fewest ratings.
#
# **Correct statement.** With the item factors fixed, each user's factors are a ridge regression on that user's
# ratings ({ref}`ch-recommender`, {ref}`ch13-pitfalls`). The cell takes 200 items with known factors ($k = 10$),
# 100 users with factors drawn from $\mathcal N(0, I/k)$ and rating noise $\sigma = 0.5$, observes 8, 12 or 100
# ratings per user, and measures the error on the user's other items for least squares and for ridge with
# $\alpha = \sigma^2 k$ (the posterior mean under that prior).

# %%
k_mf, n_items, noise_mf = 10, 200, 0.5
r_mf = np.random.default_rng(2)
V_items = r_mf.standard_normal((n_items, k_mf))


def user_error(n_obs, alpha, n_users=100):
    """Mean squared error on the unobserved items' true ratings, per-user least squares / ridge."""
    errs = []
    for _ in range(n_users):
        u_true = r_mf.standard_normal(k_mf) / np.sqrt(k_mf)
        ratings = V_items @ u_true + noise_mf * r_mf.standard_normal(n_items)
        seen = r_mf.choice(n_items, n_obs, replace=False)
        unseen = np.setdiff1d(np.arange(n_items), seen)
        u_hat = ridge(V_items[seen], ratings[seen], alpha=alpha, fit_intercept=False).coef
        errs.append(np.mean((V_items[unseen] @ (u_hat - u_true)) ** 2))
    return float(np.mean(errs))


mf_err = {m: (user_error(m, 0.0), user_error(m, noise_mf**2 * k_mf)) for m in (8, 12, 100)}
for m, (e_ls, e_ridge) in mf_err.items():
    print(f"{m:3d} ratings for {k_mf} factors: least squares {e_ls:.3f}, ridge {e_ridge:.3f}")
assert mf_err[12][0] > 3 * mf_err[12][1] and mf_err[100][0] < 1.2 * mf_err[100][1]
glue("e28_ls12", round(mf_err[12][0], 2), display=False)
glue("e28_ridge12", round(mf_err[12][1], 2), display=False)

# %% [markdown]
# With 12 ratings for 10 factors, least squares has error {glue:text}`e28_ls12` and ridge
# {glue:text}`e28_ridge12`; with 100 ratings the two nearly agree. Overfitting follows the number of ratings per
# parameter, not the dimension of any feature.
#
# ### E29. "On ImageNet, add L1 and L2 regularization" (004, §6.1)
#
# > 例如，在ImageNet数据集上进行图像分类任务时，可以在模型中引入L1和L2正则化，从而提高模型泛化能力。
# > ("For example, for image classification on ImageNet, one can add L1 and L2 regularization to the model to
# > improve generalization.")
#
# **What is wrong.** The example makes weight penalties *the* regularizer of image classifiers. The network that
# made convolutional networks the standard on ImageNet used weight decay (0.0005), dropout ($p = 0.5$ in its fully
# connected layers) and, as its first defence against overfitting, data augmentation (random crops, horizontal
# flips, colour perturbations); no L1 {cite}`krizhevsky2012imagenet`. What images need most is invariance to
# transformations, which no penalty on the weights can express and augmentation can.
#
# **Correct statement.** {doc}`ch11_images` compares weight decay, dropout, batch normalization, augmentation,
# early stopping and label smoothing for a small CNN; {doc}`ch10_data_side` treats augmentation. The cell trains a
# multinomial logistic regression on 600 of scikit-learn's 8×8 digits with an L2 penalty, with an L1 penalty, and
# with L2 plus augmentation (every image also shifted by one pixel in each of the four directions), and tests on
# held-out digits as they are and shifted by up to one pixel.

# %%
X_dg, y_dg = load_digits(return_X_y=True)
X_dg = X_dg / 16.0
X_fit, y_fit, X_hold, y_hold = X_dg[:600], y_dg[:600], X_dg[1000:], y_dg[1000:]
r_dg = np.random.default_rng(3)
X_hold_shifted = shift_images_by(X_hold, r_dg.integers(-1, 2, len(X_hold)), r_dg.integers(-1, 2, len(X_hold)))
moves = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
X_more_dg = np.vstack([shift_images_by(X_fit, np.full(len(X_fit), a), np.full(len(X_fit), b)) for a, b in moves])
y_more_dg = np.tile(y_fit, len(moves))
accuracy = lambda fit, Z, labels: float(np.mean(predict_proba(Z, fit.coef, fit.intercept).argmax(axis=1) == labels))
img_acc = {}
for name, Xf, yf, kw in [("L2", X_fit, y_fit, dict(C=0.1)), ("L1", X_fit, y_fit, dict(C=0.1, l1_ratio=1.0)),
                         ("L2 + shifts", X_more_dg, y_more_dg, dict(C=0.1 / len(moves)))]:   # same penalty per sample
    fit = logistic_regression(Xf, yf, max_iter=500, tol=1e-4, **kw)
    img_acc[name] = (accuracy(fit, X_hold, y_hold), accuracy(fit, X_hold_shifted, y_hold))
    print(f"{name:12s} test accuracy {img_acc[name][0]:.3f}, on shifted test digits {img_acc[name][1]:.3f}")
assert img_acc["L2 + shifts"][1] > max(img_acc["L2"][1], img_acc["L1"][1]) + 0.08
glue("e29_l2_shift", round(img_acc["L2"][1], 3), display=False)
glue("e29_l1_shift", round(img_acc["L1"][1], 3), display=False)
glue("e29_aug_shift", round(img_acc["L2 + shifts"][1], 3), display=False)

# %% [markdown]
# On shifted digits, the L2 and L1 models reach {glue:text}`e29_l2_shift` and {glue:text}`e29_l1_shift`, the
# augmented one {glue:text}`e29_aug_shift`. (A linear model cannot be shift invariant and accurate at once, so
# augmentation costs it some accuracy on unshifted digits; a CNN need not pay that price, {doc}`ch11_images`.)

# %% [markdown]
# ## Code that cannot run, and tools
#
# ### E30. 002's TensorFlow network (002, §4.2)
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
# ### E31. 003's Keras layer: activity regularizer and a linear hidden layer (003, §4)
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
# ### E32. 004's L1 code (004, §5.2)
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
# and never used; so the intended penalty would be applied once, by hand, and to the bias too (E10). (d)
# `LinearRegression(input_dim)` uses an undefined `input_dim`; the code is TensorFlow, not PyTorch. (e) Adam on
# an L1 penalty gives no exact zeros (E16). The cell runs (a) verbatim in Python, (b) with NumPy and PyTorch
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
# ### E33. Facts about the tools (004, §5.1, §7.2)
#
# * "安装TensorFlow Addons：包含一些TensorFlow的扩展模块，如BatchNorm等" ("install TensorFlow Addons, which
#   contains extensions such as BatchNorm"). Batch normalization is a core layer,
#   `tf.keras.layers.BatchNormalization`, as `torch.nn.BatchNorm1d` is in PyTorch; TensorFlow Addons (no longer
#   developed) held group, instance and weight normalization, not batch normalization.
# * "Keras：基于TensorFlow和Theano的高级神经网络API" ("Keras, a high-level API on top of TensorFlow and Theano"):
#   out of date. Theano's development ended in 2017 and Keras dropped it; current Keras runs on TensorFlow, JAX
#   or PyTorch.
# * "conda create -n tf-env python=3.8", then "根据CUDA版本，从官网获取对应的安装命令" ("get the install command
#   for your CUDA version from the official site"): TensorFlow 2.14 (2023) removed support for Python 3.8, so this
#   environment is limited to TensorFlow 2.13 or older (and Python 3.8 itself reached its end of life in 2024).
#   TensorFlow's own instructions install it with pip.
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
# ### E34–E38. Citations
#
# | | document | as cited | what is wrong | correct reference |
# | --- | --- | --- | --- | --- |
# | E34 | 004 | "Early Stopping: How To Know When Your Data is Around（Bakir等，2006年）" | no such publication exists | early stopping: {cite}`prechelt1998early`; its theory {cite}`yao2007early`; see {doc}`ch08_early_stopping` |
# | E35 | 004 | "Weight Regularization（Krizhevsky等，2012年）" | no such paper; Krizhevsky et al. 2012 is AlexNet (ImageNet classification), which *used* weight decay but did not introduce it | weight decay {cite}`krogh1992simple`; ridge {cite}`hoerl1970ridge`; Tikhonov {cite}`tikhonov1963solution`; AlexNet {cite}`krizhevsky2012imagenet` |
# | E36 | 004 | "L1: A Projection Operator for Learning Sparse High-Dimensional Representations with Challenges（Johnson等，2010年）" | no such publication exists; the nearest real title is Duchi et al.'s projection onto the L1 ball (2008) | lasso {cite}`tibshirani1996regression`; L1-ball projection {cite}`duchi2008efficient` |
# | E37 | 003 | "《深度学习》：这本书由深度学习的三位先驱之一Yoshua Bengio主编" ("edited by Yoshua Bengio, one of the three pioneers") | the book is not an edited volume; it is written by Ian Goodfellow, Yoshua Bengio and Aaron Courville, with Goodfellow as first author | {cite}`goodfellow2016deep` |
# | E38 | 000, 001 | 000: "随着深度学习在各个领域的广泛应用…正则化技术应运而生" ("as deep learning spread … regularization arose"); 001: "深度学习模型容易过拟合…正则化技术就是为了解决这个问题而诞生的" ("deep models overfit … regularization was born to solve this problem") | regularization is decades older than deep learning | {cite}`tikhonov1963solution`, {cite}`hoerl1970ridge`, {cite}`tibshirani1996regression` |
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
# ### E39. "Future trends" that are decades old (004, §6.4, §8.2, §8.4)
#
# 004 lists three times, as future research directions, "自动化正则化：通过自动选择正则化强度…" (automatic choice
# of the strength), "混合正则化：将L1正则化、L2正则化和Dropout等正则化技术结合使用" (combining L1, L2, dropout) and
# "自适应正则化：根据数据分布和模型状态，自适应调整正则化强度" (adaptive strength), with a fourth, "多目标正则化：通过
# 多目标优化，综合考虑模型精度和泛化能力" ("multi-objective regularization: trade off accuracy and generalization by
# multi-objective optimization").
#
# **What is wrong.** All three exist and are standard: choosing λ automatically by evidence maximization
# {cite}`mackay1992bayesian` or cross-validation ({ref}`ch-choosing-lambda`); combining L1 and L2 is the elastic
# net {cite}`zou2005regularization` ({ref}`ch-elastic-net`), and dropout was combined with max-norm and L2 from
# the start {cite}`srivastava2014dropout`; adaptive per-coefficient penalties are the adaptive lasso
# {cite}`zou2006adaptive` ({ref}`ch5-adaptive`). The cell shows the point of mixing L1 and L2 (the grouping
# effect): with two nearly identical features, the lasso keeps one, the elastic net shares the weight. The fourth
# misstates the trade-off: generalization *is* accuracy on new data, not a second objective. The two objectives
# a penalized fit trades are the training loss and the size of the weights, and every penalized objective is
# already a multi-objective method: each λ gives one Pareto-optimal point of (training loss, penalty), which is
# why the penalized and the constrained forms of ridge and the lasso are equivalent {cite}`hastie2009elements`. The cell also checks that along the ridge path of E3 the training error rises
# while the norm of the weights falls, so no λ dominates another.

# %%
z1 = rng.standard_normal(n)
Xg = np.column_stack([z1, z1 + 0.01 * rng.standard_normal(n), rng.standard_normal(n)])
yg = Xg[:, 0] + Xg[:, 1] + 0.1 * rng.standard_normal(n)
c_lasso = lasso(Xg, yg, alpha=0.1, tol=1e-10).coef
c_enet = elastic_net(Xg, yg, alpha=0.1, l1_ratio=0.3, tol=1e-10).coef
print("lasso:", np.round(c_lasso, 3).tolist(), " elastic net:", np.round(c_enet, 3).tolist())
assert min(abs(c_lasso[:2])) < 0.2 * max(abs(c_lasso[:2])) and abs(c_enet[0] - c_enet[1]) < 0.1 * abs(c_enet[0])
path_norms = np.array([np.linalg.norm(ridge(X, y, alpha=a).coef) for a in alphas])   # E3's grid
assert np.all(np.diff(path_norms) < 0) and np.all(np.diff(train_mse) >= -1e-12)       # a Pareto front
print(f"ridge path: ||w|| falls from {path_norms[0]:.2f} to {path_norms[-1]:.3f} while the training MSE rises")

# %% [markdown]
# ## Coverage
#
# Every entry above, by document (an entry that quotes several documents counts once for each):

# %%
ERRATA = {
    "E1": "000 001 002 003 004", "E2": "003", "E3": "004", "E4": "001 004", "E5": "004", "E6": "000 003 004",
    "E7": "000", "E8": "001 002 003 004", "E9": "002", "E10": "004", "E11": "000 001 002", "E12": "003",
    "E13": "004", "E14": "004", "E15": "004", "E16": "003 004", "E17": "000 003 004", "E18": "002 004",
    "E19": "004", "E20": "002 003 004", "E21": "001", "E22": "001", "E23": "001", "E24": "000 004", "E25": "004",
    "E26": "004", "E27": "004", "E28": "004", "E29": "004", "E30": "002", "E31": "003", "E32": "004",
    "E33": "004", "E34": "004", "E35": "004", "E36": "004", "E37": "003", "E38": "000 001", "E39": "004",
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
# | `002_410110c616a5eccd.txt` | {glue:text}`count_002` | the L2 objective with λ/(2n) and its gradient (checked below; $(h-y)x_j$ is the data term's gradient for a linear model $h = W^\top x$, not for the hidden layer of its own network); the three-step recipe for gradient descent (its code uses Adam, E18); the resources |
# | `003_d4f52e254f40b6b1.txt` | {glue:text}`count_003` | the definition of overfitting; the L1/L2 formulas; λ too large underfits, too small overfits (E3's cell); its L1-vs-L2 FAQ answer (sparsity, see E11's cell); choosing λ on a validation set (the principle; E20 for the protocol); that regularization can underfit and does not solve every overfitting problem |
# | `004_dfa2cde6fd27bcc0.txt` | {glue:text}`count_004` | the L1 and L2 formulas of §3.1; dropout reduces co-adaptation; the Srivastava 2014 and Ioffe & Szegedy 2015 references; that regularization is *used* in the application areas it lists (E27 for the claim that it always helps); dropout in recurrent networks for machine translation (§6.2, see {doc}`ch12_text`); SciPy supports regularized least squares (checked below) |
#
# In all, {glue:text}`count_entries` errors. The audit covered every sentence of the five documents: definitions,
# formulas (each re-derived or checked numerically), code (each block run or, for TensorFlow, reproduced
# operation by operation), FAQ answers, claimed advantages and drawbacks, tools, future trends and references
# (each checked). Editorial slips that change no meaning are not counted: 001's and 002's duplicated headings
# ("## 4.2" twice in 002), 004's lists numbered "1. 2. 3 3 4 5" and repeated three times, 000's promised
# scikit-learn and TensorFlow examples that are never given, 004's "公式推导过程" (derivations) that only repeat the
# formulas, and 000's link to a web page instead of dropout's
# one-line formula (given in E21). The cell checks the correct claims that the table mentions and no entry
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
#   consequences: dropout and batch normalization given penalty formulas they do not have (E25, E26).
# * Dropout is wrong in four of the five documents: no mask (E21), wrong probabilities (E22, E23), connections
#   instead of units (E24), the L2 formula as its loss (E25).
# * λ means something different in every document (E7–E9); {doc}`notation` gives the conversions.
# * Every code example that goes beyond three lines fails to run or does something other than what it says
#   (E30–E32).
# * Three of 004's five references do not exist or are misattributed (E34–E36).
# * Established regularizers appear as future work or as something else: data augmentation and ensembles (E2),
#   automatic, mixed and adaptive penalties (E39); step-size controls appear as regularizers (E19).
# * Advice is given without the conditions that make it true: L1 "selects features" (E17, unstable), "choose λ
#   by cross-validation" (E20, not with shuffled folds on time series), "regularization improves generalization"
#   in every area (E27–E29; it helps where the model is flexible relative to the data).
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
# over-parameterized models; {cite}`bishop1995training`, {cite}`simard2003best` and {cite}`breiman1996bagging` for
# noise, augmentation and ensembles; {cite}`kalousis2007stability` and {cite}`meinshausen2010stability` for the
# stability of selected features; {cite}`pascanu2013difficulty` and {cite}`wilson2017marginal` for clipping and
# adaptive methods; {cite}`tashman2000out` for validating forecasts; {cite}`koren2009matrix` for matrix
# factorization; {cite}`krizhevsky2012imagenet` for the regularizers of ImageNet networks. Full entries are in the {doc}`bibliography`.
