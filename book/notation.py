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
# # Notation and λ conventions, checked
#
# The {doc}`introduction <index>` has a table converting every scaling of the L2 penalty in common use
# into the book's convention
#
# $$
# J(w, b) = \frac1n\sum_{i=1}^n \ell(w, b; x_i, y_i) + \frac{\lambda}{2}\lVert w\rVert_2^2 ,
# $$ (eq-canonical-l2)
#
# where $\ell$ is the per-sample loss as the other convention defines it and the intercept $b$ is not
# penalized. Two objectives are *equivalent* when they have the same minimizer. This page checks every
# row of that table numerically: each objective is written exactly as its source writes it, minimized
# independently, and the minimizer is compared with that of {eq}`eq-canonical-l2` at the converted λ.

# %%
import numpy as np
import torch
from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

import regbook
from regbook import checks

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# A generic minimizer: Newton's method in float64 on any smooth objective written in torch, with the
# gradient and Hessian from automatic differentiation. It knows nothing about the conversions, so
# agreement is evidence that the algebra in the table is right (and Newton's method converges to
# machine precision on these problems, so the comparison can be tight).

# %%
n, p = 60, 5
X = torch.tensor(rng.standard_normal((n, p)))
w_true = torch.tensor([1.5, -2.0, 0.0, 0.5, 3.0], dtype=torch.float64)
y = X @ w_true + 0.7 + 0.5 * torch.tensor(rng.standard_normal(n))           # regression targets
y01 = (X @ w_true + torch.tensor(rng.logistic(size=n)) > 0).to(torch.float64)  # binary labels


def argmin(objective, iters=50):
    """Minimize objective(w, b) over w in R^p and b in R by Newton's method; return (w, b)."""
    f = lambda theta: objective(theta[:p], theta[p])  # noqa: E731
    theta = torch.zeros(p + 1, dtype=torch.float64)
    for _ in range(iters):
        g = torch.autograd.functional.jacobian(f, theta)
        if g.abs().max() < 1e-13:
            break
        theta = theta - torch.linalg.solve(torch.autograd.functional.hessian(f, theta), g)
    return theta.numpy()


def canonical(lam, per_sample_loss):
    """The book's objective: mean per-sample loss + lam/2 ||w||^2, intercept unpenalized."""
    return lambda w, b: per_sample_loss(X @ w + b).mean() + lam / 2 * w.pow(2).sum()


half_sq = lambda h: 0.5 * (h - y) ** 2                                         # noqa: E731
sq = lambda h: (h - y) ** 2                                                    # noqa: E731
logistic = lambda h: torch.nn.functional.softplus(h) - y01 * h                 # -log p(y | x)  # noqa: E731

results = {}


def check(row, theirs, ours, tol=1e-7):
    err = checks.rel_error(theirs, ours)
    results[row] = err
    assert err < tol, f"{row}: relative error {err:.1e}"
    print(f"{row:<52} minimizers agree {checks.error_bound(err)}")


# %% [markdown]
# ## Penalties written into the loss
#
# Each row is the objective as written in its source, with $h = Xw + b$.

# %%
lam_s = 3.0

# Ng's course and source 002: 1/(2n) sum (h - y)^2 + lam_s/(2n) ||w||^2  ->  lam = lam_s / n
check("Ng / source 002:  lam = lam_s / n",
      argmin(lambda w, b: ((X @ w + b - y) ** 2).sum() / (2 * n) + lam_s / (2 * n) * w.pow(2).sum()),
      argmin(canonical(lam_s / n, half_sq)))

# source 000 as written: the penalty is divided by the number of parameters p  ->  lam = lam_s / p
check("source 000 as written:  lam = lam_s / p",
      argmin(lambda w, b: ((X @ w + b - y) ** 2).sum() / (2 * n) + lam_s / (2 * p) * w.pow(2).sum()),
      argmin(canonical(lam_s / p, half_sq)))

# sources 001 and 003: L + lam_s ||w||^2  ->  lam = 2 lam_s
check("sources 001/003:  lam = 2 lam_s",
      argmin(lambda w, b: sq(X @ w + b).mean() + lam_s * w.pow(2).sum()),
      argmin(canonical(2 * lam_s, sq)))

# source 004: L + lam_s/2 ||w||^2 (the book's own form)  ->  lam = lam_s
check("source 004:  lam = lam_s",
      argmin(lambda w, b: sq(X @ w + b).mean() + lam_s / 2 * w.pow(2).sum()),
      argmin(canonical(lam_s, sq)))

# Keras kernel_regularizer=l2(l) adds l * sum(w^2) to the mean loss  ->  lam = 2 l
l_keras = 0.01
check("Keras l2(l):  lam = 2 l",
      argmin(lambda w, b: sq(X @ w + b).mean() + l_keras * w.pow(2).sum()),
      argmin(canonical(2 * l_keras, sq)))

# TensorFlow: c * tf.nn.l2_loss(w), where l2_loss(w) = sum(w^2) / 2  ->  lam = c
c_tf = 0.1
check("TensorFlow c * l2_loss(w):  lam = c",
      argmin(lambda w, b: sq(X @ w + b).mean() + c_tf * w.pow(2).sum() / 2),
      argmin(canonical(c_tf, sq)))

# %% [markdown]
# Keras and TensorFlow are not installed here (the book is PyTorch based), so those two rows check
# the algebra of the formulas in their documentation rather than the libraries themselves.
#
# ## scikit-learn
#
# scikit-learn's estimators are fitted directly and their coefficients compared with the canonical
# minimizer.

# %%
Xn, yn, y01n = X.numpy(), y.numpy(), y01.numpy()

# Ridge(alpha): sum (h - y)^2 + alpha ||w||^2  ->  lam = 2 alpha / n, with l = (h - y)^2
alpha = 2.0
sk = Ridge(alpha=alpha).fit(Xn, yn)
check("sklearn Ridge(alpha):  lam = 2 alpha / n",
      np.append(sk.coef_, sk.intercept_), argmin(canonical(2 * alpha / n, sq)))

# ElasticNet(alpha, l1_ratio=0): 1/(2n) sum (h - y)^2 + alpha/2 ||w||^2  ->  lam = alpha
en = ElasticNet(alpha=0.3, l1_ratio=0.0, tol=1e-14, max_iter=100_000).fit(Xn, yn)
check("sklearn ElasticNet L2 part:  lam = alpha (1 - rho)",
      np.append(en.coef_, en.intercept_), argmin(canonical(0.3, half_sq)))

# LogisticRegression(C): C sum_i logloss_i + 1/2 ||w||^2  ->  lam = 1 / (n C)
C = 0.5
lr = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(Xn, y01n)
check("sklearn LogisticRegression(C):  lam = 1 / (n C)",
      np.append(lr.coef_.ravel(), lr.intercept_), argmin(canonical(1 / (n * C), logistic)), tol=1e-6)

# %% [markdown]
# ## PyTorch's `weight_decay`
#
# `torch.optim.SGD(weight_decay=wd)` adds $\mathit{wd}\cdot w$ to the gradient before the step. That is
# the gradient of $\frac{\mathit{wd}}{2}\lVert w\rVert^2$, so the optimizer follows exactly the same
# trajectory as plain SGD on the penalized loss with $\lambda = \mathit{wd}$ (with momentum as well).
# The check runs both for 100 steps and compares the iterates. Note the parameter groups: only the
# weight is decayed, as in {eq}`eq-canonical-l2`; by default `weight_decay` applies to every
# parameter, the bias included.

# %%
wd, lr_ = 0.05, 0.05


def sgd_trajectory(decay_in_optimizer, momentum):
    torch.manual_seed(0)
    model = torch.nn.Linear(p, 1, dtype=torch.float64)
    groups = [{"params": [model.weight], "weight_decay": wd if decay_in_optimizer else 0.0},
              {"params": [model.bias], "weight_decay": 0.0}]
    opt = torch.optim.SGD(groups, lr=lr_, momentum=momentum)
    traj = []
    for _ in range(100):
        opt.zero_grad()
        loss = sq(model(X).squeeze(1)).mean()
        if not decay_in_optimizer:
            loss = loss + wd / 2 * model.weight.pow(2).sum()
        loss.backward()
        opt.step()
        traj.append(torch.cat([model.weight.detach().ravel(), model.bias.detach()]).clone())
    return torch.stack(traj).numpy()


for momentum in (0.0, 0.9):
    check(f"torch SGD(weight_decay, momentum={momentum}):  lam = wd",
          sgd_trajectory(True, momentum), sgd_trajectory(False, momentum), tol=1e-10)

# %% [markdown]
# The same holds for `torch.optim.Adam(weight_decay=wd)`, which also adds $\mathit{wd}\cdot w$ to the
# gradient, but *not* for `torch.optim.AdamW`, whose decoupled decay is not the gradient of any penalty
# added to the loss {cite}`loshchilov2019decoupled`. The optimization chapter shows the difference.

# %%
assert len(results) == 11 and max(results.values()) < 1e-6
print(f"{len(results)} conventions checked")
