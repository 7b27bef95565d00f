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
# # Assignment 10: regularization on the data side
#
# Companion to {doc}`/book/ch10_data_side`, in its notation. **Label smoothing** replaces the one-hot target by
# $q = (1-\varepsilon)e_y + \frac{\varepsilon}{k}\mathbf 1$ (torch's convention, {eq}`eq-ls-loss`), and the
# gradient of the cross-entropy with respect to the logits is $p - q$ ({eq}`eq-ls-grad`), divided by $n$ for the
# mean over a batch. **Noise injection** $\tilde X = X + E$, $E_{ij} \sim \mathcal N(0, \sigma^2)$, turns the
# mean squared error into ridge on average ({eq}`eq-noise-ridge`). **Mixup** trains on
# $\tilde x = \lambda x_i + (1-\lambda)x_j$, $\tilde y = \lambda e_{y_i} + (1-\lambda)e_{y_j}$ ({eq}`eq-mixup`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 10.1 (smoothed_cross_entropy): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 10.1 | `smoothed_cross_entropy` | 3 |
# | 10.2 | `smoothed_cross_entropy_grad` | 2 |
# | 10.3 | `mixup_batch` | 2 |
# | 10.4 | `noisy_loss_mc` | 3 |
# | 10.5 | written: the optimum of the smoothed loss | – |
# | 10.6 | written: noise injection is ridge | – |

# %%
import numpy as np
import torch
import torch.nn.functional as F

import regbook
from regbook import checks
from regbook.np.augment import add_noise, mixup_by
from regbook.np.label_smoothing import cross_entropy, cross_entropy_grad

rng = regbook.nbsetup(seed=0)

K = 5
logits = rng.standard_normal((12, K)) * 3.0
labels = rng.integers(0, K, size=12)

N, D = 80, 4
X = rng.standard_normal((N, D))
y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 * rng.standard_normal(N)
print(logits.shape, X.shape)

# %% [markdown]
# ## Exercise 10.1: cross-entropy with label smoothing (`smoothed_cross_entropy`, 3 points)
#
# Write `smoothed_cross_entropy(logits, y, epsilon)` returning the mean over the batch of
# $-\sum_c q_c\log p_c$, with $p = \operatorname{softmax}(z)$ and integer labels `y`. Compute $\log p$ with the
# log-sum-exp trick, $\log p_c = z_c - \max_j z_j - \log\sum_j e^{z_j - \max_j z_j}$: the check also uses
# logits of size 1000, where `np.log(softmax)` overflows. It compares with
# `regbook.np.label_smoothing.cross_entropy` and `torch.nn.functional.cross_entropy(..., label_smoothing=ε)`.

# %% regbook={"exercise": "10.1", "name": "smoothed_cross_entropy"} tags=["solution"]
def smoothed_cross_entropy(logits, y, epsilon):
    """Mean label-smoothed cross-entropy (a float) of logits (n, k) against integer labels y (n,)."""
    ### BEGIN SOLUTION
    n, k = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    q = np.full((n, k), epsilon / k)
    q[np.arange(n), y] += 1.0 - epsilon
    return float(-(q * log_p).sum() / n)
    ### END SOLUTION


# %% regbook={"exercise": "10.1", "points": 3} tags=["check"]
for scale in (1.0, 1000.0):
    z = logits * scale
    for eps in (0.0, 0.1, 0.5):
        got = smoothed_cross_entropy(z, labels, eps)
        tag = f"(epsilon={eps}, logits x{scale:g})"
        checks.check_close(got, cross_entropy(z, labels, label_smoothing=eps), rtol=1e-10,
                           name=f"Exercise 10.1 smoothed_cross_entropy vs regbook {tag}")
        ref_t = F.cross_entropy(torch.tensor(z), torch.tensor(labels), label_smoothing=eps)
        checks.check_close(got, float(ref_t), rtol=1e-10, name=f"Exercise 10.1 smoothed_cross_entropy vs torch {tag}")
print("Exercise 10.1 passed")

# %% [markdown]
# ## Exercise 10.2: its gradient (`smoothed_cross_entropy_grad`, 2 points)
#
# Return $\partial L/\partial z = (p - q)/n$ for the mean loss of exercise 10.1 ({eq}`eq-ls-grad`). The check
# compares with `regbook.np.label_smoothing.cross_entropy_grad`, with centred finite differences of regbook's
# loss, and verifies that every row sums to zero (so adding a constant to a row of logits changes nothing).

# %% regbook={"exercise": "10.2", "name": "smoothed_cross_entropy_grad"} tags=["solution"]
def smoothed_cross_entropy_grad(logits, y, epsilon):
    """Gradient (n, k) of the mean label-smoothed cross-entropy with respect to the logits."""
    ### BEGIN SOLUTION
    n, k = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    q = np.full((n, k), epsilon / k)
    q[np.arange(n), y] += 1.0 - epsilon
    return (p - q) / n
    ### END SOLUTION


# %% regbook={"exercise": "10.2", "points": 2} tags=["check"]
for eps in (0.0, 0.2):
    g = smoothed_cross_entropy_grad(logits, labels, eps)
    checks.check_close(g, cross_entropy_grad(logits, labels, label_smoothing=eps), rtol=1e-9, atol=1e-14,
                       name=f"Exercise 10.2 smoothed_cross_entropy_grad vs regbook (epsilon={eps})")
    checks.check_gradient(lambda z, eps=eps: cross_entropy(z, labels, label_smoothing=eps), logits, g, rtol=1e-5,
                          name=f"Exercise 10.2 smoothed_cross_entropy_grad (epsilon={eps})")
    checks.check_close(np.sum(g, axis=1), np.zeros(len(logits)), atol=1e-12,
                       name=f"Exercise 10.2 smoothed_cross_entropy_grad row sums (epsilon={eps})")
print("Exercise 10.2 passed")

# %% [markdown]
# ## Exercise 10.3: mixup with given weights and partners (`mixup_batch`, 2 points)
#
# Write `mixup_batch(X, Y, lam, perm)`: for every example $i$, mix it with example `perm[i]` with its own weight
# `lam[i]`, inputs and targets alike ({eq}`eq-mixup`), and return `(X_mix, Y_mix)`. `X` may have any number of
# dimensions after the first (e.g. images of shape (n, 8, 8)); `Y` holds one-hot or soft targets (n, k). The
# check compares with `regbook.np.augment.mixup_by`, and verifies that mixed targets are still probability
# vectors.

# %% regbook={"exercise": "10.3", "name": "mixup_batch"} tags=["solution"]
def mixup_batch(X, Y, lam, perm):
    """Mixup of each example i with example perm[i], weights lam (n,); returns (X_mix, Y_mix)."""
    ### BEGIN SOLUTION
    lx = lam.reshape((-1,) + (1,) * (X.ndim - 1))
    return lx * X + (1 - lx) * X[perm], lam[:, None] * Y + (1 - lam[:, None]) * Y[perm]
    ### END SOLUTION


# %% regbook={"exercise": "10.3", "points": 2} tags=["check"]
gen = np.random.default_rng(103)
imgs, Y1 = gen.standard_normal((6, 8, 8)), np.eye(3)[gen.integers(0, 3, size=6)]
lam, perm = gen.beta(0.4, 0.4, size=6), gen.permutation(6)
for Xm_in in (imgs, imgs.reshape(6, -1)):
    X_mix, Y_mix = mixup_batch(Xm_in, Y1, lam, perm)
    ref_X, ref_Y = mixup_by(Xm_in, Y1, lam, perm)
    checks.check_close(X_mix, ref_X, rtol=1e-12, atol=1e-15,
                       name=f"Exercise 10.3 mixup_batch inputs of shape {Xm_in.shape}")
    checks.check_close(Y_mix, ref_Y, rtol=1e-12, atol=1e-15, name="Exercise 10.3 mixup_batch targets")
    checks.check_close(np.sum(Y_mix, axis=1), np.ones(6), rtol=1e-12, name="Exercise 10.3 mixup_batch target sums")
print("Exercise 10.3 passed")

# %% [markdown]
# ## Exercise 10.4 (experiment): noise injection is ridge on average (`noisy_loss_mc`, 3 points)
#
# Write `noisy_loss_mc(X, y, w, sigma, n_draws, rng)`: `n_draws` times, draw a fresh noise matrix $E$ (use
# `regbook.np.augment.add_noise`), compute the noisy loss $\frac1n\lVert y - (X+E)w\rVert^2$, and return the mean
# of the draws and its standard error. The check compares the mean with the right-hand side of
# {eq}`eq-noise-ridge`, $\frac1n\lVert y - Xw\rVert^2 + \sigma^2\lVert w\rVert^2$, within four of your standard
# errors, for the least-squares $w$ and for $w = 0$, and your standard error with one computed independently.
# Then answer in a sentence: for which $w$ does the noise add nothing, and what does that say about where the
# expected noisy loss has its minimum?

# %% regbook={"exercise": "10.4", "name": "noisy_loss_mc"} tags=["solution"]
def noisy_loss_mc(X, y, w, sigma, n_draws, rng):
    """Monte Carlo mean of |y - (X + E) w|^2 / n over n_draws noise draws, and its standard error (floats)."""
    ### BEGIN SOLUTION
    losses = np.array([np.mean((y - add_noise(X, sigma=sigma, rng=rng) @ w) ** 2) for _ in range(n_draws)])
    return float(losses.mean()), float(losses.std(ddof=1) / np.sqrt(n_draws))
    ### END SOLUTION


# %% regbook={"exercise": "10.4", "points": 3} tags=["check"]
w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
SIGMA, DRAWS = 0.5, 3000
for w, tag in ((w_ls, "least-squares w"), (np.zeros(D), "w = 0")):
    mean, se = noisy_loss_mc(X, y, w, SIGMA, DRAWS, np.random.default_rng(104))
    exact = float(np.mean((y - X @ w) ** 2) + SIGMA**2 * w @ w)
    if tag == "w = 0":
        checks.check_close(mean, exact, rtol=1e-12, name="Exercise 10.4 noisy_loss_mc (w = 0: no noise effect)")
        continue
    gen = np.random.default_rng(204)
    draws = [np.mean((y - (X + SIGMA * gen.standard_normal(X.shape)) @ w) ** 2) for _ in range(DRAWS)]
    checks.check_close(se, np.std(draws, ddof=1) / np.sqrt(DRAWS), rtol=0.1,
                       name=f"Exercise 10.4 noisy_loss_mc standard error ({tag})")
    checks.check_statistic(mean, exact, se=se, name=f"Exercise 10.4 noisy_loss_mc vs eq-noise-ridge ({tag})")
print("Exercise 10.4 passed")

# %% [markdown]
# ## Exercise 10.5: the optimum of the smoothed loss (written)
#
# (a) Derive {eq}`eq-ls-grad` from {eq}`eq-ls-loss`. (b) For one example, show that the smoothed loss is minimized
# by $p = q$ and that the logit gap is then $z_y - z_c = \log\bigl(1 + k(1-\varepsilon)/\varepsilon\bigr)$
# ({eq}`eq-ls-gap`). Evaluate it for $k = 10$, $\varepsilon = 0.1$. (c) Why can the gap grow without bound when
# $\varepsilon = 0$, and why is that a problem on a training set the network can fit?

# %% [markdown] regbook={"exercise": "10.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) $-\log p_c = -z_c + \log\sum_j e^{z_j}$, so $\partial(-\log p_c)/\partial z_j = -[c = j] + p_j$. Weighting by
# $q_c$ and summing over $c$: $\partial L/\partial z_j = p_j\sum_c q_c - q_j = p_j - q_j$, since $\sum_c q_c = 1$.
#
# (b) $L = -\sum_c q_c\log p_c = H(q) + \operatorname{KL}(q\,\|\,p) \ge H(q)$, with equality iff $p = q$ (Gibbs'
# inequality); $p = q$ is reached by $z_c = \log q_c + $ const, since every $q_c > 0$ when $\varepsilon > 0$. Then
# $z_y - z_c = \log\frac{1 - \varepsilon + \varepsilon/k}{\varepsilon/k} = \log\bigl(1 + \frac{k(1-\varepsilon)}{\varepsilon}\bigr)$.
# For $k = 10$, $\varepsilon = 0.1$: $\log(1 + 90) = \log 91 \approx 4.51$.
#
# (c) With $\varepsilon = 0$, $q = e_y$ and $L = -\log p_y > 0$ for every finite logit vector, decreasing towards 0
# only as $z_y - z_c \to \infty$: there is no finite minimizer. On a training set the network fits, the gradient
# keeps pushing the logits apart (growing weights, over-confident probabilities) for as long as training runs;
# smoothing gives the loss a finite minimizer and so bounds the confidence.
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 10.6: noise injection is ridge (written)
#
# (a) Prove {eq}`eq-noise-ridge`. (b) Deduce that the minimizer of the expected noisy loss is scikit-learn's ridge
# solution, and give its $\alpha$ in terms of $n$ and $\sigma^2$. (c) In practice one draws a fresh $E$ for every
# mini-batch and takes SGD steps, rather than minimizing the expectation. Is the result exactly ridge? What
# happens to the equivalence for a nonlinear model ({eq}`eq-noise-taylor`)?

# %% [markdown] regbook={"exercise": "10.6"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) With $r = y - Xw$, $\lVert y - (X+E)w\rVert^2 = \lVert r - Ew\rVert^2 = \lVert r\rVert^2 - 2r^\top Ew + \lVert Ew\rVert^2$.
# $\mathbb E[E] = 0$ removes the middle term; each entry $(Ew)_i = \sum_j E_{ij}w_j$ is a sum of independent centred
# Gaussians with variance $\sigma^2\lVert w\rVert^2$, so $\mathbb E\lVert Ew\rVert^2 = n\sigma^2\lVert w\rVert^2$.
# Dividing by $n$ gives {eq}`eq-noise-ridge`.
#
# (b) Multiplying the expected loss by $n$, the minimizer minimizes $\lVert y - Xw\rVert^2 + n\sigma^2\lVert w\rVert^2$:
# scikit-learn's ridge objective with $\alpha = n\sigma^2$ (and no intercept, or centred data).
#
# (c) Not exactly: SGD with fresh noise minimizes the expected loss only in the limit of small steps (or with
# averaging of the iterates); with a constant step the iterates fluctuate around the ridge solution, with extra
# noise from $E$. For a nonlinear model the expectation adds, to second order in $\sigma$, a penalty on the
# squared input gradient $\sigma^2\frac1n\sum_i\lVert\nabla_xf(x_i)\rVert^2$ (a Tikhonov penalty on the function)
# plus a term involving the residuals and the Laplacian, which is not a penalty and vanishes only at a perfect fit;
# the equivalence with ridge (on the weights) is specific to linear models.
# <!-- END SOLUTION -->
