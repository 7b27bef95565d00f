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
# # Assignment 7: batch normalization
#
# Companion to {doc}`/book/ch07_batchnorm`, in its notation: for an input of shape $(N, C)$, batch norm
# standardizes each feature over the mini-batch with the **biased** variance,
# $\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \varepsilon}$, then scales and shifts, $y = \gamma\hat x + \beta$
# ({eq}`eq-bn-forward`); the running statistics follow torch ({eq}`eq-bn-running`):
# $\hat\mu \leftarrow (1-m)\hat\mu + m\mu_B$ and $\hat\sigma^2 \leftarrow (1-m)\hat\sigma^2 + m\frac{N}{N-1}\sigma_B^2$
# (the **unbiased** variance), with $m$ = `momentum` the weight of the new batch; evaluation mode uses
# $\hat\mu, \hat\sigma^2$ instead of the batch statistics ({eq}`eq-bn-eval`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 7.1 (bn_train_forward): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 7.1 | `bn_train_forward` | 3 |
# | 7.2 | `bn_eval_forward` | 2 |
# | 7.3 | `bn_backward` | 3 |
# | 7.4 | `running_estimates` | 2 |
# | 7.5 | written: the backward pass in closed form | – |
# | 7.6 | written: momentum conventions and the train/eval gap | – |

# %%
import numpy as np
import torch

import regbook
from regbook import checks
from regbook.np.normalization import batchnorm_backward, batchnorm_forward

rng = regbook.nbsetup(seed=0)

C = 3
X_pop = rng.standard_normal((2000, C)) * np.array([1.0, 3.0, 0.5]) + np.array([2.0, -1.0, 0.0])
gamma0, beta0 = np.array([1.5, 0.5, -2.0]), np.array([0.1, -0.3, 1.0])
print(X_pop.shape)

# %% [markdown]
# ## Exercise 7.1: forward pass in training mode (`bn_train_forward`, 3 points)
#
# Write `bn_train_forward(x, gamma, beta, running_mean, running_var, momentum, eps)` for `x` of shape
# $(N, C)$, returning `(out, new_running_mean, new_running_var)`: `out` uses the batch mean and the biased
# batch variance; the new running statistics follow {eq}`eq-bn-running`. Do not modify the arrays passed in.
# The check compares all three with `regbook.np.normalization.batchnorm_forward` and with
# `torch.nn.functional.batch_norm` (which updates its running buffers in place).

# %% regbook={"exercise": "7.1", "name": "bn_train_forward"} tags=["solution"]
def bn_train_forward(x, gamma, beta, running_mean, running_var, momentum, eps):
    """Batch norm in training mode on x (N, C); returns out (N, C) and the new running mean and variance (C,)."""
    ### BEGIN SOLUTION
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)  # biased, to normalize
    out = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)  # unbiased, for the estimate
    return out, new_mean, new_var
    ### END SOLUTION


# %% regbook={"exercise": "7.1", "points": 3} tags=["check"]
xb = X_pop[:16]
rm0, rv0 = np.array([0.5, 0.0, -0.2]), np.array([1.0, 2.0, 0.3])
for momentum, eps in ((0.1, 1e-5), (0.3, 1e-3)):
    out, rm, rv = bn_train_forward(xb, gamma0, beta0, rm0.copy(), rv0.copy(), momentum, eps)
    ref_out, _, ref_rm, ref_rv = batchnorm_forward(xb, gamma0, beta0, training=True, running_mean=rm0,
                                                   running_var=rv0, momentum=momentum, eps=eps)
    tag = f"(momentum={momentum}, eps={eps})"
    checks.check_close(out, ref_out, rtol=1e-10, atol=1e-12, name=f"Exercise 7.1 bn_train_forward out {tag}")
    checks.check_close(rm, ref_rm, rtol=1e-10, atol=1e-12, name=f"Exercise 7.1 bn_train_forward running mean {tag}")
    checks.check_close(rv, ref_rv, rtol=1e-10, name=f"Exercise 7.1 bn_train_forward running var (unbiased) {tag}")
    t_rm, t_rv = torch.tensor(rm0), torch.tensor(rv0)
    t_out = torch.nn.functional.batch_norm(torch.tensor(xb), t_rm, t_rv, torch.tensor(gamma0), torch.tensor(beta0),
                                           training=True, momentum=momentum, eps=eps)
    checks.check_close(out, t_out.numpy(), rtol=1e-10, atol=1e-12, name=f"Exercise 7.1 bn_train_forward vs torch {tag}")
    checks.check_close(rv, t_rv.numpy(), rtol=1e-10, name=f"Exercise 7.1 bn_train_forward running var vs torch {tag}")
print("Exercise 7.1 passed")

# %% [markdown]
# ## Exercise 7.2: forward pass in evaluation mode (`bn_eval_forward`, 2 points)
#
# Write `bn_eval_forward(x, gamma, beta, running_mean, running_var, eps)`: the same affine map with the
# running statistics in place of the batch statistics ({eq}`eq-bn-eval`). The check compares it with regbook,
# and verifies that in evaluation mode the output of an example does not depend on the rest of its batch
# (a batch of one gives the same row).

# %% regbook={"exercise": "7.2", "name": "bn_eval_forward"} tags=["solution"]
def bn_eval_forward(x, gamma, beta, running_mean, running_var, eps):
    """Batch norm in evaluation mode on x (N, C) with running statistics (C,); returns out (N, C)."""
    ### BEGIN SOLUTION
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    ### END SOLUTION


# %% regbook={"exercise": "7.2", "points": 2} tags=["check"]
rm_e, rv_e = X_pop.mean(axis=0), X_pop.var(axis=0, ddof=1)
xe = X_pop[100:110]
out = bn_eval_forward(xe, gamma0, beta0, rm_e, rv_e, 1e-5)
ref = batchnorm_forward(xe, gamma0, beta0, training=False, running_mean=rm_e, running_var=rv_e, eps=1e-5)[0]
checks.check_close(out, ref, rtol=1e-10, atol=1e-12, name="Exercise 7.2 bn_eval_forward vs regbook")
single = bn_eval_forward(xe[3:4], gamma0, beta0, rm_e, rv_e, 1e-5)
checks.check_close(single, ref[3:4], rtol=1e-10, atol=1e-12,
                   name="Exercise 7.2 bn_eval_forward (a batch of one gives the same row)")
print("Exercise 7.2 passed")

# %% [markdown]
# ## Exercise 7.3: backward pass (`bn_backward`, 3 points)
#
# Write `bn_backward(dout, x, gamma, eps)` returning `(dx, dgamma, dbeta)` for batch norm **in training
# mode** (batch statistics, which depend on $x$): either node by node through the graph
# ({eq}`eq-bn-graph`) or with the closed form {eq}`eq-bn-backward`. The check compares your gradients with
# `regbook.np.normalization.batchnorm_backward` and $\partial x$, $\partial\gamma$ with centred finite
# differences of $L = \sum_{ic} \text{dout}_{ic}\, y_{ic}$.

# %% regbook={"exercise": "7.3", "name": "bn_backward"} tags=["solution"]
def bn_backward(dout, x, gamma, eps):
    """Gradients (dx (N, C), dgamma (C,), dbeta (C,)) of batch norm in training mode."""
    ### BEGIN SOLUTION
    n = x.shape[0]
    mu = x.mean(axis=0)
    std = np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)
    x_hat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma / (n * std) * (n * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
    ### END SOLUTION


# %% regbook={"exercise": "7.3", "points": 3} tags=["check"]
gen = np.random.default_rng(73)
xg, dout = gen.standard_normal((8, C)) * 2.0 + 1.0, gen.standard_normal((8, C))
EPS_G = 1e-5
dx, dgamma, dbeta = bn_backward(dout, xg, gamma0, EPS_G)
_, cache, _, _ = batchnorm_forward(xg, gamma0, beta0, training=True, running_mean=None, running_var=None, eps=EPS_G)
ref_dx, ref_dgamma, ref_dbeta = batchnorm_backward(dout, cache)
checks.check_close(dx, ref_dx, rtol=1e-8, atol=1e-12, name="Exercise 7.3 bn_backward dx vs regbook")
checks.check_close(dgamma, ref_dgamma, rtol=1e-8, name="Exercise 7.3 bn_backward dgamma vs regbook")
checks.check_close(dbeta, ref_dbeta, rtol=1e-10, name="Exercise 7.3 bn_backward dbeta vs regbook")


def loss_x(v):
    out = batchnorm_forward(v, gamma0, beta0, training=True, running_mean=None, running_var=None, eps=EPS_G)[0]
    return float(np.sum(dout * out))


def loss_gamma(g):
    out = batchnorm_forward(xg, g, beta0, training=True, running_mean=None, running_var=None, eps=EPS_G)[0]
    return float(np.sum(dout * out))


checks.check_gradient(loss_x, xg, dx, rtol=1e-5, name="Exercise 7.3 bn_backward dx")
checks.check_gradient(loss_gamma, gamma0, dgamma, rtol=1e-5, name="Exercise 7.3 bn_backward dgamma")
print("Exercise 7.3 passed")

# %% [markdown]
# ## Exercise 7.4 (experiment): do the running statistics estimate the population? (`running_estimates`, 2 points)
#
# Write `running_estimates(X, batch_size, momentum, n_epochs, rng)`: starting from $\hat\mu = 0$,
# $\hat\sigma^2 = 1$ (torch's initial buffers), go through `n_epochs` epochs of `X` in shuffled mini-batches
# of `batch_size` rows (drop an incomplete last batch), update the running statistics with
# `regbook.np.normalization.batchnorm_forward` in training mode at every batch, and return the final
# $(\hat\mu, \hat\sigma^2)$. The check runs it on 2000 samples of three features with different means and
# scales: the estimates must be within four standard errors of the sample mean and variance of `X`, the
# standard error of an exponential moving average with weight $m$ being $\sqrt{m/(2-m)}$ times that of one
# batch. Then answer in a sentence: how would you pick the momentum if the network's weights were frozen?

# %% regbook={"exercise": "7.4", "name": "running_estimates"} tags=["solution"]
def running_estimates(X, batch_size, momentum, n_epochs, rng):
    """Final running mean and variance (each (C,)) after n_epochs of shuffled batches of X (n, C)."""
    ### BEGIN SOLUTION
    n, c = X.shape
    rm, rv = np.zeros(c), np.ones(c)
    ones, zeros = np.ones(c), np.zeros(c)
    for _ in range(n_epochs):
        order = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            batch = X[order[start:start + batch_size]]
            _, _, rm, rv = batchnorm_forward(batch, ones, zeros, training=True, running_mean=rm,
                                             running_var=rv, momentum=momentum)
    return rm, rv
    ### END SOLUTION


# %% regbook={"exercise": "7.4", "points": 2} tags=["check"]
B, M = 32, 0.1
rm, rv = running_estimates(X_pop, B, M, 2, np.random.default_rng(74))
checks.check_shape(rm, (C,), name="Exercise 7.4 running_estimates mean")
ema = np.sqrt(M / (2 - M))
mean_pop, var_pop = X_pop.mean(axis=0), X_pop.var(axis=0, ddof=1)
kurt = np.mean((X_pop - mean_pop) ** 4, axis=0) / var_pop**2
for c in range(C):
    checks.check_statistic(float(rm[c]), float(mean_pop[c]), se=float(ema * np.sqrt(var_pop[c] / B)),
                           name=f"Exercise 7.4 running_estimates mean (feature {c})")
    se_var = ema * var_pop[c] * np.sqrt((kurt[c] - 1) / B + 2 / (B * (B - 1)))
    checks.check_statistic(float(rv[c]), float(var_pop[c]), se=float(se_var),
                           name=f"Exercise 7.4 running_estimates variance (feature {c})")
print("Exercise 7.4 passed")

# %% [markdown]
# ## Exercise 7.5: the backward pass in closed form (written)
#
# From $\partial\hat x_j/\partial x_i = \frac{1}{\sigma}\bigl(\delta_{ij} - \frac1N - \frac1N\hat x_i\hat x_j\bigr)$
# ({eq}`eq-bn-jacobian`, one feature, $\sigma = \sqrt{\sigma_B^2 + \varepsilon}$), derive {eq}`eq-bn-backward`.
# Then show that $\sum_i \partial x_i = 0$ and, when $\varepsilon = 0$, $\sum_i \hat x_i\,\partial x_i = 0$, and
# explain both identities by what batch norm's output does when the whole batch is shifted or scaled
# ({eq}`eq-bn-invariance`).

# %% [markdown] regbook={"exercise": "7.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# With $\partial\hat x_j = \gamma\,\partial y_j$, the chain rule gives
# $\partial x_i = \sum_j \gamma\,\partial y_j\,\frac1\sigma\bigl(\delta_{ij} - \frac1N - \frac1N\hat x_i\hat x_j\bigr)
# = \frac{\gamma}{N\sigma}\bigl(N\partial y_i - \sum_j\partial y_j - \hat x_i\sum_j \partial y_j\hat x_j\bigr)$,
# which is {eq}`eq-bn-backward`.
#
# Summing over $i$: $\sum_i \partial x_i = \frac{\gamma}{N\sigma}\bigl(N\sum\partial y - N\sum\partial y
# - (\sum_i\hat x_i)\sum_j\partial y_j\hat x_j\bigr) = 0$ because $\sum_i \hat x_i = 0$.
# Multiplying by $\hat x_i$ and summing: $\sum_i\hat x_i\partial x_i = \frac{\gamma}{N\sigma}\bigl(N\sum\hat x\partial y
# - 0 - (\sum_i \hat x_i^2)\sum_j\partial y_j\hat x_j\bigr)$, and $\sum_i\hat x_i^2 = N\sigma_B^2/(\sigma_B^2+\varepsilon)
# = N$ when $\varepsilon = 0$, so the sum vanishes.
#
# Both identities say the gradient is orthogonal to the directions in which the output does not change:
# adding the same constant to every $x_i$ (a shift of the batch, direction $\mathbf 1$) leaves $\hat x$
# unchanged, and so, for $\varepsilon = 0$, does scaling the centred batch (direction $\hat x$). A function
# that is constant along a direction has zero directional derivative along it.
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 7.6: momentum conventions and the train/eval gap (written)
#
# (a) A Keras model uses `BatchNormalization(momentum=0.99)`. Which `momentum` gives the same running averages
# in `torch.nn.BatchNorm1d`? (b) Why do torch and regbook store the *unbiased* batch variance in the running
# estimate but normalize with the biased one? (c) A model trained with batches of 4 reaches a low training loss
# but its validation loss (evaluation mode) is much worse. Give two reasons related to batch norm and one fix
# for each.

# %% [markdown] regbook={"exercise": "7.6"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) Keras's momentum is the weight of the *old* average, torch's the weight of the *new* batch
# ({eq}`eq-bn-keras`): Keras 0.99 is torch `momentum=0.01`.
#
# (b) Normalizing a batch uses its own mean, and the biased variance is exactly what makes
# $\frac1N\sum_i\hat x_i^2 = 1$ (up to $\varepsilon$). The running estimate, on the other hand, estimates the
# population variance, for which $\frac{N}{N-1}\sigma_B^2$ is unbiased; with small $N$ the biased one would
# underestimate it by the factor $(N-1)/N$ (25 % for $N = 4$).
#
# (c) First, batch statistics of 4 samples are very noisy ({eq}`eq-bn-noise`), so the network is trained on
# heavily perturbed activations and evaluated on deterministic ones with different statistics: use larger
# batches, or a normalization that does not depend on the batch (layer norm, group norm), or batch
# renormalization. Second, the running statistics may not describe the final network: they are an average
# over past weights and, with a small batch, a noisy one: recompute them after training with the weights
# frozen (a pass over the training data in training mode with `momentum=None`, the cumulative average
# {eq}`eq-bn-cma`, and no weight update), or use a smaller momentum.
# <!-- END SOLUTION -->
