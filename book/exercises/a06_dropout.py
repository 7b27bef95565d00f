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
# # Assignment 6: dropout
#
# Companion to {doc}`/book/ch06_dropout`, in its notation: $p$ is the **drop** probability (torch's
# convention), the keep pattern is $m_j \sim \operatorname{Bernoulli}(1-p)$, and dropout is *inverted*:
# $\tilde h = m \odot h/(1-p)$ in training, $\tilde h = h$ in evaluation ({eq}`eq-dropout-mask`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 6.1 (inverted_dropout): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded. Dropout is random:
# the checks of a random answer accept anything within four standard errors of its expected value
# (a correct answer fails with probability below $10^{-4}$), and every random number comes from the
# seeded `rng` that the check passes to your function, so the grade is reproducible.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 6.1 | `inverted_dropout` | 3 |
# | 6.2 | `inverted_dropout_backward` | 2 |
# | 6.3 | `mc_predict` | 2 |
# | 6.4 | `dropout_risk_mc` | 3 |
# | 6.5 | written: dropout on a linear model is a ridge penalty | – |
# | 6.6 | written: conventions that break dropout | – |

# %%
import numpy as np

import regbook
from regbook import checks
from regbook.np.dropout import DropoutCache, dropout_backward, dropout_forward, mc_dropout_predict

rng = regbook.nbsetup(seed=0)

# a small linear-regression problem for exercises 6.3 and 6.4 (centred, no intercept)
N, D = 60, 5
X = rng.standard_normal((N, D)) * np.array([1.0, 2.0, 0.5, 1.0, 3.0])
w_true = np.array([1.5, -0.5, 2.0, 0.0, 0.3])
y = X @ w_true + 0.5 * rng.standard_normal(N)
w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
print(X.shape, y.shape)

# %% [markdown]
# ## Exercise 6.1: inverted dropout, forward (`inverted_dropout`, 3 points)
#
# Write `inverted_dropout(x, p, training, rng)` returning `(out, keep)`:
#
# - in training mode, draw a boolean keep pattern `keep` of the shape of `x` with
#   $P(\text{keep}) = 1 - p$ from the generator `rng` (e.g. `rng.random(x.shape) >= p`), and return
#   `out = x * keep / (1 - p)`;
# - in evaluation mode, return `out = x` (unchanged, no rescaling) and `keep = None`.
#
# The check verifies the values exactly (each output is $0$ or $x/(1-p)$, evaluation is the identity,
# two calls draw different masks) and the statistics of {eq}`eq-dropout-moments` on 20,000 entries:
# the kept fraction is $1-p$ and $\mathbb E[\tilde h_j] = h_j$, within four standard errors.

# %% regbook={"exercise": "6.1", "name": "inverted_dropout"} tags=["solution"]
def inverted_dropout(x, p, training, rng):
    """Inverted dropout: returns (out of x's shape, boolean keep pattern or None in evaluation)."""
    ### BEGIN SOLUTION
    if not training:
        return x, None
    keep = rng.random(x.shape) >= p
    return x * keep / (1.0 - p), keep
    ### END SOLUTION


# %% regbook={"exercise": "6.1", "points": 3} tags=["check"]
gen = np.random.default_rng(61)
h = gen.uniform(0.5, 2.0, size=(200, 100))  # positive activations, so out / h is the scaled mask
for p in (0.3, 0.7):
    out, keep = inverted_dropout(h, p, True, np.random.default_rng(7))
    checks.check_shape(out, h.shape, name=f"Exercise 6.1 inverted_dropout out (p={p})")
    keep = np.asarray(keep, dtype=bool)
    checks.check_close(out, np.where(keep, h / (1 - p), 0.0), rtol=1e-12,
                       name=f"Exercise 6.1 inverted_dropout: out = x * keep / (1 - p) (p={p})")
    ratio = out / h  # 0 or 1/(1-p), mean 1
    checks.check_statistic(float(keep.mean()), 1 - p, se=np.sqrt(p * (1 - p) / h.size),
                           name=f"Exercise 6.1 inverted_dropout kept fraction (p={p})")
    checks.check_statistic(float(ratio.mean()), 1.0, se=np.sqrt(p / (1 - p) / h.size),
                           name=f"Exercise 6.1 inverted_dropout E[out/x] (p={p})")
same = np.random.default_rng(8)
_, k1 = inverted_dropout(h, 0.5, True, same)
_, k2 = inverted_dropout(h, 0.5, True, same)
checks.check_true(bool(np.any(np.asarray(k1) != np.asarray(k2))), name="Exercise 6.1 inverted_dropout",
                  expected="a fresh mask at every call (two calls with the same generator differ)")
out_eval, _ = inverted_dropout(h, 0.5, False, np.random.default_rng(9))
checks.check_close(out_eval, dropout_forward(h, p=0.5, training=False, rng=0)[0], rtol=0.0,
                   name="Exercise 6.1 inverted_dropout (evaluation mode = identity)")
print("Exercise 6.1 passed")

# %% [markdown]
# ## Exercise 6.2: inverted dropout, backward (`inverted_dropout_backward`, 2 points)
#
# Given the upstream gradient `dout` $= \partial L/\partial\tilde h$, the keep pattern and $p$, return
# $\partial L/\partial h$ ({eq}`eq-dropout-backward`). The check compares it with
# `regbook.np.dropout.dropout_backward` and with centred finite differences of
# $L(h) = \sum_j \text{dout}_j\, \tilde h_j$ for a fixed mask.

# %% regbook={"exercise": "6.2", "name": "inverted_dropout_backward"} tags=["solution"]
def inverted_dropout_backward(dout, keep, p):
    """dL/dx for inverted dropout with the boolean keep pattern `keep`; same shape as dout."""
    ### BEGIN SOLUTION
    return dout * keep / (1.0 - p)
    ### END SOLUTION


# %% regbook={"exercise": "6.2", "points": 2} tags=["check"]
gen = np.random.default_rng(62)
x0, dout = gen.standard_normal((4, 6)), gen.standard_normal((4, 6))
for p in (0.2, 0.6):
    keep = gen.random(x0.shape) >= p
    dx = inverted_dropout_backward(dout, keep, p)
    checks.check_close(dx, dropout_backward(dout, DropoutCache(keep / (1 - p), p, True)), rtol=1e-12,
                       name=f"Exercise 6.2 inverted_dropout_backward vs regbook (p={p})")
    checks.check_gradient(lambda v, keep=keep, p=p: float(np.sum(dout * v * keep / (1 - p))), x0, dx,
                          name=f"Exercise 6.2 inverted_dropout_backward (p={p})")
print("Exercise 6.2 passed")

# %% [markdown]
# ## Exercise 6.3: Monte Carlo dropout (`mc_predict`, 2 points)
#
# Write `mc_predict(forward, x, n_samples, rng)`: call `forward(x, rng)` $T$ = `n_samples` times (each call
# draws fresh masks from `rng`) and return the mean $\bar y$ and the variance
# $\hat\sigma^2 = \frac1T\sum_t(\hat y_t - \bar y)^2$ of the outputs over the passes ({eq}`eq-dropout-mc`;
# note the $1/T$). The check compares your result with `regbook.np.dropout.mc_dropout_predict` given the same
# seed, and verifies on a linear model that $\bar y$ is within four standard errors of the evaluation-mode
# prediction $w^\top x$ and that $\hat\sigma^2$ is close to $\frac{p}{1-p}\sum_j w_j^2x_j^2$.

# %% regbook={"exercise": "6.3", "name": "mc_predict"} tags=["solution"]
def mc_predict(forward, x, n_samples, rng):
    """Mean and variance (1/T) over n_samples stochastic passes forward(x, rng); each of one output's shape."""
    ### BEGIN SOLUTION
    ys = np.stack([np.asarray(forward(x, rng), dtype=float) for _ in range(n_samples)])
    return ys.mean(axis=0), ys.var(axis=0)
    ### END SOLUTION


# %% regbook={"exercise": "6.3", "points": 2} tags=["check"]
P_MC, T_MC = 0.2, 4000


def forward_mc(x, gen):
    """Linear model with inverted dropout on its inputs, in training mode."""
    return dropout_forward(x, p=P_MC, training=True, rng=gen)[0] @ w_ls


x_new = X[:5]
mean, var = mc_predict(forward_mc, x_new, 200, np.random.default_rng(63))
ref = mc_dropout_predict(forward_mc, x_new, n_samples=200, rng=np.random.default_rng(63))
checks.check_close(mean, ref.mean, rtol=1e-10, name="Exercise 6.3 mc_predict mean vs regbook")
checks.check_close(var, ref.var, rtol=1e-10, name="Exercise 6.3 mc_predict variance (1/T) vs regbook")
mean, var = mc_predict(forward_mc, x_new, T_MC, np.random.default_rng(64))
exact_var = P_MC / (1 - P_MC) * (x_new**2) @ (w_ls**2)
for i in range(len(x_new)):
    checks.check_statistic(float(mean[i]), float(x_new[i] @ w_ls), se=float(np.sqrt(exact_var[i] / T_MC)),
                           name=f"Exercise 6.3 mc_predict mean = evaluation prediction (input {i})")
checks.check_close(var, exact_var, rtol=0.15, name="Exercise 6.3 mc_predict variance vs p/(1-p) sum w^2 x^2")
print("Exercise 6.3 passed")

# %% [markdown]
# ## Exercise 6.4 (experiment): the expected loss of dropout on a linear model (`dropout_risk_mc`, 3 points)
#
# {eq}`eq-dropout-linear-risk` says that, summed over the training set, the expected squared error of a
# linear model with inverted dropout on its inputs is
# $\lVert y - Xw\rVert^2 + \frac{p}{1-p}\,w^\top\operatorname{diag}(X^\top X)\,w$. Test it by simulation:
# write `dropout_risk_mc(X, y, w, p, n_draws, rng)` that, `n_draws` times, draws a fresh keep pattern for
# every entry of `X`, computes $\sum_i (y_i - \hat y_i)^2$ with $\hat y = \bigl(\frac{m\odot X}{1-p}\bigr)w$,
# and returns the mean of these sums and its standard error (the standard deviation of the draws over
# $\sqrt{\text{n\_draws}}$). The check compares the mean with the closed form for $p = 0.1$ and $0.5$, within
# four of your standard errors, and your standard error with one computed independently. Then answer in one
# or two sentences (in a comment or a markdown cell): at $p = 0.5$, how large is the penalty term compared
# with the training error of the least-squares $w$?

# %% regbook={"exercise": "6.4", "name": "dropout_risk_mc"} tags=["solution"]
def dropout_risk_mc(X, y, w, p, n_draws, rng):
    """Monte Carlo mean of sum_i (y_i - yhat_i)^2 under input dropout, and its standard error (floats)."""
    ### BEGIN SOLUTION
    losses = np.empty(n_draws)
    for k in range(n_draws):
        keep = rng.random(X.shape) >= p
        losses[k] = np.sum((y - (X * keep / (1 - p)) @ w) ** 2)
    return float(losses.mean()), float(losses.std(ddof=1) / np.sqrt(n_draws))
    ### END SOLUTION


# %% regbook={"exercise": "6.4", "points": 3} tags=["check"]
for p, seed in ((0.1, 65), (0.5, 66)):
    risk, se = dropout_risk_mc(X, y, w_ls, p, 2000, np.random.default_rng(seed))
    exact = float(np.sum((y - X @ w_ls) ** 2) + p / (1 - p) * w_ls @ (np.sum(X**2, axis=0) * w_ls))
    gen = np.random.default_rng(seed + 100)  # the reference spread, from regbook's dropout
    draws = [np.sum((y - dropout_forward(X, p=p, training=True, rng=gen)[0] @ w_ls) ** 2) for _ in range(2000)]
    checks.check_close(se, np.std(draws, ddof=1) / np.sqrt(2000), rtol=0.25,
                       name=f"Exercise 6.4 dropout_risk_mc standard error (p={p})")
    checks.check_statistic(risk, exact, se=se, name=f"Exercise 6.4 dropout_risk_mc vs eq-dropout-linear-risk (p={p})")
print("Exercise 6.4 passed")

# %% [markdown]
# ## Exercise 6.5: dropout on a linear model is a ridge penalty (written)
#
# Starting from {eq}`eq-dropout-linear-risk`, (a) derive the minimizer $\hat w_{\text{dropout}}$ of the
# expected loss ({eq}`eq-dropout-ridge`); (b) show that when every column of $X$ is standardized
# ($\sum_i x_{ij}^2 = n$) it is scikit-learn's ridge solution with $\alpha = n\,p/(1-p)$; (c) say what
# happens to the penalty as $p \to 0$ and as $p \to 1$, and which features a non-standardized dropout
# penalty shrinks most.

# %% [markdown] regbook={"exercise": "6.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) Summing {eq}`eq-dropout-linear-risk` over the examples gives
# $R(w) = \lVert y - Xw\rVert^2 + \frac{p}{1-p}\,w^\top\Gamma w$ with $\Gamma = \operatorname{diag}(X^\top X)$.
# It is a convex quadratic; its gradient $-2X^\top(y - Xw) + 2\frac{p}{1-p}\Gamma w$ vanishes at
# $\hat w_{\text{dropout}} = \bigl(X^\top X + \frac{p}{1-p}\Gamma\bigr)^{-1}X^\top y$ (the matrix is positive
# definite as soon as no column of $X$ is zero and $p > 0$).
#
# (b) With standardized columns $\Gamma = nI$, so $\hat w_{\text{dropout}} = (X^\top X + \alpha I)^{-1}X^\top y$
# with $\alpha = np/(1-p)$: scikit-learn's ridge objective $\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert^2$.
#
# (c) The strength $p/(1-p)$ goes to 0 as $p \to 0$ (least squares) and to $\infty$ as $p \to 1$
# ($\hat w \to 0$). Without standardization the penalty on $w_j$ is proportional to $\sum_i x_{ij}^2$: the
# features with the largest scale are shrunk most, so dropout is *not* invariant to rescaling a feature,
# unlike least squares.
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 6.6: conventions that break dropout (written)
#
# (a) A colleague replaces the random mask during training by the deterministic `out = x * (1 - p)` "since
# that is its expected value". Compare the mean and the variance of this output with those of inverted
# dropout ({eq}`eq-dropout-moments`). Why is it not a regularizer of the same kind, and what is wrong with
# its mean? (b) A paper reports "dropout with $p = 0.8$" following Srivastava et al. Which value do you pass
# to `torch.nn.Dropout`, and what happens if you pass 0.8? (c) Why must a network with dropout be switched
# to evaluation mode before computing a validation loss, and what does MC dropout ({eq}`eq-dropout-mc`) do
# differently on purpose?

# %% [markdown] regbook={"exercise": "6.6"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) `x * (1 - p)` has mean $(1-p)x$, not $x$ (inverted dropout has mean $x$), and variance $0$ instead of
# $\frac{p}{1-p}x^2$. It is a fixed rescaling of the activations, which the next layer's weights simply undo
# (they grow by $1/(1-p)$); the regularization of dropout comes from the noise, i.e. from the variance term
# that becomes the penalty of {eq}`eq-dropout-linear-risk`. Its mean is off by the factor $1-p$, so at
# evaluation time (no rescaling) the activations would be $1/(1-p)$ times larger than in training.
#
# (b) Srivastava et al. write $p$ for the *keep* probability: their $p = 0.8$ is torch's `p = 0.2`.
# Passing 0.8 drops 80 % of the units and multiplies the kept ones by 5: far stronger regularization, much
# noisier gradients, and usually underfitting.
#
# (c) In training mode every forward pass draws a new mask, so the validation loss would be a random,
# biased estimate of the loss of the (deterministic) evaluation network. MC dropout keeps the masks on at
# prediction time *on purpose* and averages many passes: the mean estimates the prediction, and the spread
# across passes is an estimate of the model's uncertainty.
# <!-- END SOLUTION -->
