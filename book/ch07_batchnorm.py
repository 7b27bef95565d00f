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
# (ch-batchnorm)=
# # Batch normalization (and layer normalization)
#
# Batch normalization (批量归一化, "BatchNorm") {cite}`ioffe2015batch` standardizes every feature of a
# layer's input with the mean and variance of the current mini-batch, then rescales it with two learned
# parameters. Source 004 lists it among the regularization techniques and says only that it normalizes
# each layer's input to "加速训练过程，提高模型稳定性" (speed up training and improve stability); the
# other four sources do not mention it. What is missing there is everything that makes batch norm work,
# and fail, in practice: the layer computes something different in training and in evaluation, it keeps
# running statistics whose `momentum` means opposite things in PyTorch and Keras, its output for one
# sample depends on the other samples in the batch, and its regularizing effect is a side effect that
# has to be measured rather than assumed.
#
# This chapter derives the forward and backward passes and checks them numerically, pins down the
# running-statistics conventions against `torch.nn.BatchNorm1d`, shows four train/eval pitfalls on a
# trained network, measures the regularizing side effect on the digits data, presents layer
# normalization (层归一化) {cite}`ba2016layer` as the batch-independent alternative, and reports what
# is and is not known about *why* batch norm helps: the "internal covariate shift" (内部协变量偏移)
# explanation of the original paper has been disputed {cite}`santurkar2018how`.
#
# The first cell seeds every random number generator and fixes threads and print options.

# %%
import copy
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue

import regbook
from regbook import checks, data
from regbook.np.normalization import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                                      layernorm_backward, layernorm_forward)
from regbook.pt.normalization import BatchNorm1d, BatchNormFunction, LayerNorm, batch_norm, layer_norm
from regbook.pt.training import Callback, train

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: a deep network that will not train
#
# The digits data (1797 images of 8×8 pixels, standardized with the training statistics) are easy for a
# small network. A deeper one is harder to *train*: we stack six hidden layers of 64 ReLU units and train
# with mini-batch SGD (momentum 0.9, batches of 64, the last of each epoch 55, 10 epochs) at two learning
# rates, three times each
# (seeds 0, 1, 2), in three versions:
#
# - **plain, default init**: `torch.nn.Linear` with PyTorch's default initialization;
# - **plain, He init**: the same network initialized for ReLU layers (weights with variance $2/d_\text{in}$);
# - **batch norm**: the default-initialized network with a batch-norm layer after every hidden linear
#   layer (regbook's `BatchNorm1d`, written from scratch below and checked against torch's).
#
# The training function below is used for every experiment of the chapter. It calls the book's training
# loop `regbook.pt.train` (shown and explained in {doc}`ch08_early_stopping`), with a callback that ends a
# run once its loss is no longer finite. With `full_batch_stats=True` the network is wrapped so that the
# loop's "inputs" are the indices of training images: every step feeds the *whole* training set through the
# network and keeps the rows of the mini-batch, so the loss is that of the mini-batch but the batch-norm
# statistics are those of all training images; we need that later to switch off the noise of mini-batch
# statistics. With `watch` set to a layer, a forward hook records the mean and standard deviation of every
# input unit of that layer at every training step.

# %%
split = data.load_dataset("digits", seed=0)
X_train, y_train = torch.tensor(split.X_train, dtype=torch.float32), torch.tensor(split.y_train)
X_val, y_val = torch.tensor(split.X_val, dtype=torch.float32), torch.tensor(split.y_val)
X_test, y_test = torch.tensor(split.X_test, dtype=torch.float32), torch.tensor(split.y_test)
print(f"train {tuple(X_train.shape)}, validation {tuple(X_val.shape)}, test {tuple(X_test.shape)}")


def mlp(depth, width, norm=None, *, seed, he_init=False):
    """`depth` hidden layers Linear -> norm(width) (if given) -> ReLU, then a linear read-out to 10 classes."""
    torch.manual_seed(seed)
    layers, d_in = [], X_train.shape[1]
    for _ in range(depth):
        linear = torch.nn.Linear(d_in, width)
        if he_init:
            torch.nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            torch.nn.init.zeros_(linear.bias)
        layers += [linear, norm(width) if norm else torch.nn.Identity(), torch.nn.ReLU()]
        d_in = width
    return torch.nn.Sequential(*layers, torch.nn.Linear(d_in, 10))


class StopIfDiverged(Callback):
    """Stop at the end of an epoch whose mean training loss is NaN or infinite."""

    def on_epoch_end(self, state):
        return not math.isfinite(state.history["batch_loss"][-1])


class FullBatchStatistics(torch.nn.Module):
    """`net` applied to all of `X`, returning the rows `idx`: statistics of the whole set, loss of the batch."""

    def __init__(self, net, X):
        super().__init__()
        self.net, self.X = net, X

    def forward(self, idx):
        return self.net(self.X)[idx]


def train_sgd(model, X, y, *, lr, epochs, batch_size, seed, full_batch_stats=False, watch=None):
    """Mini-batch SGD (momentum 0.9) on the cross-entropy with regbook.pt.train. Returns the mean training
    loss of every epoch (NaN from a divergence on, which ends the run), and the per-unit (mean, std) of the
    input of `watch` at every training step (or None)."""
    stats = []
    if watch is not None:
        hook = watch.register_forward_hook(
            lambda mod, inp, out: stats.append(torch.stack([inp[0].mean(0), inp[0].std(0)]).detach()))
    net, data = (FullBatchStatistics(model, X), (torch.arange(len(X)), y)) if full_batch_stats else (model, (X, y))
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    history = train(net, F.cross_entropy, opt, data, epochs=epochs, batch_size=batch_size,
                    callbacks=[StopIfDiverged()], generator=torch.Generator().manual_seed(seed),
                    progress=False, eval_train=False)       # no per-epoch evaluation: only the loss is needed
    if watch is not None:
        hook.remove()
    model.eval()
    losses = np.full(epochs, np.nan)
    losses[:history.epochs_run] = history["batch_loss"]
    return losses, (torch.stack(stats).numpy() if stats else None)


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())


# %%
DEPTH, WIDTH, WHY_EPOCHS, WHY_BATCH = 6, 64, 10, 64
WHY_LRS, WHY_SEEDS = (0.05, 0.2), (0, 1, 2)
WHY_VARIANTS = {"plain, default init": dict(), "plain, He init": dict(he_init=True),
                "batch norm": dict(norm=BatchNorm1d)}

why = {}   # (variant, lr, seed) -> (trained model, loss per epoch, input statistics of the 4th linear layer)
for lr in WHY_LRS:
    for name, kw in WHY_VARIANTS.items():
        for seed in WHY_SEEDS:
            model = mlp(DEPTH, WIDTH, seed=seed, **kw)
            losses, stats = train_sgd(model, X_train, y_train, lr=lr, epochs=WHY_EPOCHS, batch_size=WHY_BATCH,
                                      seed=seed, watch=model[9])
            why[name, lr, seed] = model, losses, stats


def epoch_losses(name, lr):
    """Mean training loss per epoch, one row per seed: shape (n_seeds, n_epochs)."""
    return np.array([why[name, lr, s][1] for s in WHY_SEEDS])


fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
epochs_axis = np.arange(1, WHY_EPOCHS + 1)
for ax, lr in zip(axes, WHY_LRS):
    for name in WHY_VARIANTS:
        curves = epoch_losses(name, lr)
        label = name + (" (diverged: NaN)" if np.isnan(curves).any() else "")
        ax.plot(epochs_axis, curves.mean(0), "o-", ms=3, label=label)
    ax.axhline(np.log(10), color="0.5", ls=":", lw=1, label="chance level ln 10")
    ax.set(yscale="log", xlabel="epoch", title=f"6 hidden layers, SGD, learning rate {lr}")
    ax.legend()
axes[0].set_ylabel("training cross-entropy (mean of 3 seeds)")
plt.show()

for lr in WHY_LRS:
    for name in WHY_VARIANTS:
        accs = [accuracy(why[name, lr, s][0], X_test, y_test) for s in WHY_SEEDS]
        final = epoch_losses(name, lr)[:, -1]
        print(f"lr {lr:<4}  {name:<20}  final training loss {np.mean(final):8.4f}   "
              f"test accuracy {np.mean(accs):.3f}")

# %% [markdown]
# The next cell checks what the figure shows, on every seed: at learning rate 0.05 the plain network
# with PyTorch's default initialization is still at chance level after three epochs while the
# batch-norm network is far below it; at learning rate 0.2 both plain networks fail (they diverge, or stay
# far above the batch-norm network's loss) and the batch-norm network trains.

# %%
l_plain_05, l_he_05, l_bn_05 = (epoch_losses(n, 0.05) for n in WHY_VARIANTS)
l_plain_2, l_he_2, l_bn_2 = (epoch_losses(n, 0.2) for n in WHY_VARIANTS)
assert np.all(l_plain_05[:, 2] > 2.2) and np.all(l_bn_05[:, 2] < 0.5)
assert np.all(l_he_05[:, -1] < 0.3) and np.all(l_bn_05[:, -1] < 0.3)
assert np.all(~np.isfinite(l_plain_2[:, -1]) | (l_plain_2[:, -1] > 1.0))
assert np.all(~np.isfinite(l_he_2[:, -1]) | (l_he_2[:, -1] > 1.0))
assert np.all(l_bn_2[:, -1] < 0.3)

acc_bn_05 = np.mean([accuracy(why["batch norm", 0.05, s][0], X_test, y_test) for s in WHY_SEEDS])
acc_he_05 = np.mean([accuracy(why["plain, He init", 0.05, s][0], X_test, y_test) for s in WHY_SEEDS])
acc_bn_2 = np.mean([accuracy(why["batch norm", 0.2, s][0], X_test, y_test) for s in WHY_SEEDS])
assert abs(acc_bn_05 - acc_he_05) < 0.03 and acc_bn_2 > 0.9
glue("bn_why_plain_loss3", round(float(l_plain_05[:, 2].mean()), 4), display=False)
glue("bn_why_bn_loss3", round(float(l_bn_05[:, 2].mean()), 4), display=False)
glue("bn_why_acc_bn", round(float(acc_bn_05), 4), display=False)
glue("bn_why_acc_he", round(float(acc_he_05), 4), display=False)
glue("bn_why_acc_bn_2", round(float(acc_bn_2), 4), display=False)

# %% [markdown]
# After three epochs at learning rate 0.05 the default-initialized plain network has a mean training loss
# of {glue:text}`bn_why_plain_loss3`, chance level, and the batch-norm network
# {glue:text}`bn_why_bn_loss3`. Two honest qualifications come with this picture. First, batch norm is
# not the only fix: the plain network with He initialization trains too, and reaches a similar test
# accuracy ({glue:text}`bn_why_acc_he` against {glue:text}`bn_why_acc_bn` for batch norm). Second, what
# batch norm buys here is *optimization*: the network becomes trainable from a poor initialization, and
# it tolerates a four times larger learning rate, at which both plain networks fail while the
# batch-norm network still reaches {glue:text}`bn_why_acc_bn_2` test accuracy. Whether batch norm also
# *regularizes* (lowers test error for a given training error) is a separate question; the
# {ref}`experiment section <ch-batchnorm-experiment>` measures it.
#
# ## Theory: the batch-norm transform
#
# Take a mini-batch of $N$ inputs $x_1, \dots, x_N$ of one feature (one unit of a layer; every feature is
# treated separately and identically). Batch norm computes the batch mean and the *biased* batch
# variance, standardizes, and applies a learned scale $\gamma$ and shift $\beta$:
#
# $$
# \mu_B = \frac1N \sum_{i=1}^N x_i, \qquad
# \sigma_B^2 = \frac1N \sum_{i=1}^N (x_i - \mu_B)^2, \qquad
# \hat x_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \varepsilon}}, \qquad
# y_i = \gamma \hat x_i + \beta .
# $$ (eq-bn-forward)
#
# The small $\varepsilon$ (torch: $10^{-5}$, Keras: $10^{-3}$) keeps the division safe for a constant
# feature. For a sequence input of shape $(N, C, L)$ (torch's `BatchNorm1d` on 3-D input) the statistics
# of channel $c$ are taken over all $NL$ values of that channel; below, "$N$" means that number.
#
# Three consequences of {eq}`eq-bn-forward` are used throughout the chapter:
#
# 1. Whatever the input, each feature of the output has batch mean $\beta$ and batch standard deviation
#    $\gamma\sqrt{\sigma_B^2/(\sigma_B^2+\varepsilon)} \approx \gamma$.
# 2. The output does not change if a feature is shifted or multiplied by a positive constant
#    (exactly when $\varepsilon = 0$):
#
#    $$
#    \operatorname{BN}(a x + b) = \operatorname{BN}(x) \quad (a > 0), \qquad\text{hence}\qquad
#    \operatorname{BN}(h (aW)^\top) = \operatorname{BN}(h W^\top)
#    $$ (eq-bn-invariance)
#
#    for a linear layer $z = hW^\top$ before it: the length of each row of $W$ has no effect on the output,
#    and the bias of that linear layer is cancelled by the mean subtraction.
# 3. With $\gamma = \sqrt{\sigma_B^2 + \varepsilon}$ and $\beta = \mu_B$ the layer is the identity on that
#    batch, so the normalization does not remove what the layer can represent: $\gamma$ and $\beta$ can
#    put the scale and the location back if the loss prefers them.
#
# The next cell checks all three on random data in float64 with regbook's `batchnorm_forward` (shown in
# full further down), with $\varepsilon = 10^{-15}$ for the invariance so that it holds to rounding error.

# %%
x = rng.normal(loc=3.0, scale=[0.1, 1.0, 10.0], size=(32, 3))    # (N, D): three features of different scale
gamma, beta = np.array([0.5, 1.0, 2.0]), np.array([-1.0, 0.5, 4.0])
no_stats = dict(training=True, running_mean=None, running_var=None)

out, cache, _, _ = batchnorm_forward(x, gamma, beta, **no_stats)
var_b = x.var(axis=0)
checks.assert_close(out.mean(axis=0), beta, rtol=1e-12, name="batch mean of the output")
checks.assert_close(out.std(axis=0), gamma * np.sqrt(var_b / (var_b + 1e-5)), rtol=1e-12,
                    name="batch std of the output")

a_scale, b_shift = np.array([0.5, 7.0, 300.0]), np.array([5.0, -2.0, 1e3])
out_eps0 = batchnorm_forward(x, gamma, beta, eps=1e-15, **no_stats)[0]
out_moved = batchnorm_forward(a_scale * x + b_shift, gamma, beta, eps=1e-15, **no_stats)[0]
err_inv = checks.assert_close(out_moved, out_eps0, rtol=1e-9, name="BN(a x + b) against BN(x)")

out_id = batchnorm_forward(x, np.sqrt(var_b + 1e-5), x.mean(axis=0), **no_stats)[0]
err_id = checks.assert_close(out_id, x, rtol=1e-12, name="identity recovered by gamma and beta")
print(f"invariance to a x + b: rel. error {checks.error_bound(err_inv)};  "
      f"identity with gamma = sqrt(var + eps), beta = mean: rel. error {checks.error_bound(err_id)}")

# %% [markdown]
# ## Theory: the backward pass, step by step
#
# Training needs $\partial L/\partial x_i$, $\partial L/\partial\gamma$ and $\partial L/\partial\beta$ given
# the upstream gradient $\partial L/\partial y_i$ (written $\partial y_i$ below, and similarly for the other
# nodes). Break {eq}`eq-bn-forward` into a computational graph of elementary nodes, and run the chain rule
# through it backwards, one node at a time. Each line gives a forward node and the gradient it sends to its
# inputs (sums run over the batch):
#
# $$
# \begin{aligned}
# y_i &= \gamma \hat x_i + \beta
#   &&\partial\beta = \textstyle\sum_i \partial y_i,\quad
#     \partial\gamma = \textstyle\sum_i \partial y_i\, \hat x_i,\quad
#     \partial\hat x_i = \gamma\, \partial y_i \\
# \hat x_i &= x_{c,i} / s
#   &&\partial x_{c,i} = \partial\hat x_i / s,\quad
#     \partial s = -\textstyle\sum_i \partial\hat x_i\, x_{c,i} / s^2 \\
# s &= \sqrt{\sigma_B^2 + \varepsilon}
#   &&\partial\sigma_B^2 = \partial s / (2s) \\
# \sigma_B^2 &= \tfrac1N \textstyle\sum_i x_{c,i}^2
#   &&\partial x_{c,i} \mathrel{+}= \tfrac2N\, x_{c,i}\, \partial\sigma_B^2 \\
# x_{c,i} &= x_i - \mu_B,\ \ \mu_B = \tfrac1N \textstyle\sum_j x_j
#   &&\partial x_i = \partial x_{c,i} - \tfrac1N \textstyle\sum_j \partial x_{c,j}
# \end{aligned}
# $$ (eq-bn-graph)
#
# Two details deserve a sentence. The centred value $x_c$ feeds two nodes (the division and the
# variance), so its gradient is the *sum* of what both send back ("$\mathrel{+}=$"). And because the
# variance is computed from the centred values, $\mu_B$ enters only through $x_c$ and the last line
# routes everything back through it. (A graph that computes the variance from $x$ and $\mu_B$ has an extra
# term $\partial\sigma_B^2/\partial\mu_B = -\frac2N\sum_i x_{c,i}$, which is zero because centred values
# sum to zero.) `regbook.np.normalization.batchnorm_backward`
# implements {eq}`eq-bn-graph` line by line; the check compares it with centred finite differences of
# the forward pass (float64; a relative error around $10^{-8}$ or below means the analytic gradient is
# right).

# %%
N_chk, D_chk = 8, 3
x = rng.normal(size=(N_chk, D_chk)) * [1.0, 5.0, 0.2] + [0.0, 2.0, -1.0]
gamma, beta = rng.uniform(0.5, 2.0, D_chk), rng.normal(size=D_chk)
dout = rng.normal(size=(N_chk, D_chk))
out, cache, _, _ = batchnorm_forward(x, gamma, beta, **no_stats)
dx, dgamma, dbeta = batchnorm_backward(dout, cache)


def bn_out(x_=x, gamma_=gamma, beta_=beta):
    return batchnorm_forward(x_, gamma_, beta_, **no_stats)[0]


dx_num = checks.numerical_gradient_array(lambda v: bn_out(x_=v), x, dout)
dgamma_num = checks.numerical_gradient_array(lambda v: bn_out(gamma_=v), gamma, dout)
dbeta_num = checks.numerical_gradient_array(lambda v: bn_out(beta_=v), beta, dout)
for name, analytic, numeric in (("dx", dx, dx_num), ("dgamma", dgamma, dgamma_num), ("dbeta", dbeta, dbeta_num)):
    err = checks.assert_close(analytic, numeric, rtol=1e-7, name=f"graph backward {name}")
    print(f"graph backward, {name:<6}: rel. error vs finite differences {checks.error_bound(err, floor=1e-10)}")

# %% [markdown]
# ### The closed form
#
# The graph can be collapsed into one formula. Write $\sigma = \sqrt{\sigma_B^2 + \varepsilon}$. From
# $\partial\mu_B/\partial x_i = 1/N$ and $\partial\sigma_B^2/\partial x_i = \frac2N(x_i - \mu_B)$ (the term
# through $\mu_B$ vanishes, as above) we get $\partial\sigma/\partial x_i = (x_i - \mu_B)/(N\sigma) =
# \hat x_i/N$, and the quotient rule on $\hat x_j = (x_j - \mu_B)/\sigma$ gives the Jacobian
#
# $$
# \frac{\partial \hat x_j}{\partial x_i} = \frac{1}{\sigma}\Bigl(\delta_{ij} - \frac1N - \frac{\hat x_i \hat x_j}{N}\Bigr).
# $$ (eq-bn-jacobian)
#
# With $\partial\hat x_j = \gamma\,\partial y_j$, the chain rule $\partial x_i = \sum_j \partial\hat x_j\,
# \partial\hat x_j/\partial x_i$ becomes
#
# $$
# \partial x_i = \frac{\gamma}{N\sigma}\Bigl(N\,\partial y_i - \sum_j \partial y_j
#   - \hat x_i \sum_j \partial y_j\, \hat x_j\Bigr),
# $$ (eq-bn-backward)
#
# which reuses the two sums that are already $\partial\beta$ and $\partial\gamma$. Summing
# {eq}`eq-bn-backward` over $i$, and multiplying by $\hat x_i$ before summing (using $\sum_i\hat x_i = 0$
# and $\sum_i \hat x_i^2 = N\sigma_B^2/\sigma^2$), shows
#
# $$
# \sum_i \partial x_i = 0, \qquad \sum_i \partial x_i\, \hat x_i = \frac{\gamma\,\varepsilon}{\sigma^3}\sum_i\partial y_i\hat x_i \approx 0 :
# $$ (eq-bn-orthogonal)
#
# the gradient a batch-norm layer sends back has no component along the two directions the normalization
# removes (shifting the feature, and rescaling it along $\hat x$), exactly so for $\varepsilon = 0$.
# The cell checks the Jacobian {eq}`eq-bn-jacobian` entry by entry against finite differences, the closed
# form `batchnorm_backward_alt` against the graph version and the numerical gradient, and the two
# identities {eq}`eq-bn-orthogonal`.

# %%
x1 = x[:, :1]                                              # one feature, N = 8
_, c1, _, _ = batchnorm_forward(x1, np.ones(1), np.zeros(1), **no_stats)
xh, sig = c1.x_hat[:, 0], c1.std[0, 0]
J_formula = (np.eye(N_chk) - 1.0 / N_chk - np.outer(xh, xh) / N_chk) / sig     # J[i, j] = d x_hat_j / d x_i
J_numeric = np.column_stack([
    checks.numerical_gradient(lambda v, j=j: batchnorm_forward(v, np.ones(1), np.zeros(1), **no_stats)[1].x_hat[j, 0], x1)[:, 0]
    for j in range(N_chk)])
err_J = checks.assert_close(J_formula, J_numeric, rtol=1e-6, name="Jacobian (eq-bn-jacobian)")

dx_alt, dgamma_alt, dbeta_alt = batchnorm_backward_alt(dout, cache)
err_forms = max(checks.rel_error(u, v) for u, v in zip((dx, dgamma, dbeta), (dx_alt, dgamma_alt, dbeta_alt)))
err_alt = checks.assert_close(dx_alt, dx_num, rtol=1e-7, name="closed-form backward dx")
assert err_forms < 1e-12

sum_dx = np.abs(dx_alt.sum(axis=0)).max() / np.abs(dx_alt).sum(axis=0).max()
proj = (dx_alt * cache.x_hat).sum(axis=0)
proj_pred = gamma * 1e-5 / cache.std[0] ** 3 * (dout * cache.x_hat).sum(axis=0)
checks.assert_close(proj, proj_pred, rtol=1e-6, name="sum_i dx_i x_hat_i (eq-bn-orthogonal)")
assert sum_dx < 1e-12
print(f"Jacobian formula vs finite differences:      rel. error {checks.error_bound(err_J, floor=1e-10)}")
print(f"closed form vs graph backward:               rel. error {checks.error_bound(err_forms)}")
print(f"closed form dx vs finite differences:        rel. error {checks.error_bound(err_alt, floor=1e-10)}")
print(f"sum_i dx_i relative to sum_i |dx_i|:         {checks.error_bound(sum_dx)}")

# %% [markdown]
# ## Theory: running statistics, and what `momentum` means
#
# At evaluation time there may be a single input, or a batch whose composition should not matter, so the
# batch statistics are replaced by estimates of the population statistics accumulated during training.
# PyTorch (and regbook) update them at every training step as an exponential moving average
# (滑动平均) with weight $m$ = `momentum` on the **new** batch:
#
# $$
# \hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu_B, \qquad
# \hat\sigma^2 \leftarrow (1 - m)\,\hat\sigma^2 + m\,\frac{N}{N-1}\,\sigma_B^2, \qquad m = 0.1 \text{ by default},
# $$ (eq-bn-running)
#
# starting from $\hat\mu = 0$, $\hat\sigma^2 = 1$. Note the factor $N/(N-1)$: the running estimate uses
# the **unbiased** batch variance, while the normalization {eq}`eq-bn-forward` uses the biased one.
# Unrolled over $T$ steps, $\hat\mu_T = (1-m)^T\hat\mu_0 + m\sum_{t=1}^{T}(1-m)^{T-t}\mu_{B,t}$: recent
# batches weigh most, and the memory is about $1/m$ batches (10 for torch's default).
#
# Keras writes the same average with the opposite weight:
#
# $$
# \hat\mu \leftarrow \text{momentum}\cdot\hat\mu + (1 - \text{momentum})\cdot\mu_B, \qquad
# \text{momentum} = 0.99 \text{ by default}, \qquad\text{so}\qquad m_\text{torch} = 1 - \text{momentum}_\text{Keras}.
# $$ (eq-bn-keras)
#
# Keras's default therefore corresponds to torch's `momentum=0.01`, a memory of about 100 batches, ten
# times longer than torch's default. The name is a trap in both libraries: neither is an optimizer's
# momentum. Passing a Keras value to torch (`momentum=0.99`), or torch's 0.1 to Keras, makes the running
# statistics essentially those of the last batch. The
# {ref}`pitfalls <ch-batchnorm-pitfalls>` show the consequence.
#
# With `momentum=None`, torch uses $m_t = 1/t$ at the $t$-th batch, and then
#
# $$
# \hat\mu_T = \frac1T \sum_{t=1}^T \mu_{B,t}, \qquad \hat\sigma^2_T = \frac1T \sum_{t=1}^T \frac{N_t}{N_t - 1}\sigma^2_{B,t},
# $$ (eq-bn-cma)
#
# the plain (cumulative) average of all batches, with the initial values forgotten after the first step.
#
# In evaluation mode the layer is a fixed affine map of each feature,
#
# $$
# y = \gamma\,\frac{x - \hat\mu}{\sqrt{\hat\sigma^2 + \varepsilon}} + \beta = a\,x + b, \qquad
# a = \frac{\gamma}{\sqrt{\hat\sigma^2 + \varepsilon}}, \quad b = \beta - a\hat\mu,
# $$ (eq-bn-eval)
#
# which can be folded into the linear layer before it ($W' = \operatorname{diag}(a)W$,
# $b' = a\odot b_\text{lin} + b$) so that batch norm costs nothing at inference.
#
# The cell checks {eq}`eq-bn-running` against `torch.nn.BatchNorm1d` over five steps with batches of
# different sizes, the unrolled sum, the role of the unbiased variance, {eq}`eq-bn-keras`,
# {eq}`eq-bn-cma` against torch with `momentum=None`, and the folding {eq}`eq-bn-eval`.

# %%
sizes = [4, 16, 7, 2, 32]
loc, scale = np.array([1.0, -2.0, 5.0]), np.array([1.0, 3.0, 0.5])
batches = [rng.normal(loc, scale, size=(n, 3)) for n in sizes]
ones3, zeros3 = np.ones(3), np.zeros(3)

torch_bn = torch.nn.BatchNorm1d(3, dtype=torch.float64)                 # momentum 0.1
torch_cma = torch.nn.BatchNorm1d(3, momentum=None, dtype=torch.float64)
rm, rv = np.zeros(3), np.ones(3)                                         # torch's initial values
rm_cma, rv_cma = np.zeros(3), np.ones(3)
for t, xb in enumerate(batches):
    _, _, rm, rv = batchnorm_forward(xb, ones3, zeros3, training=True, running_mean=rm, running_var=rv)
    _, _, rm_cma, rv_cma = batchnorm_forward(xb, ones3, zeros3, training=True, running_mean=rm_cma,
                                             running_var=rv_cma, momentum=None, num_batches_tracked=t)
    torch_bn(torch.from_numpy(xb))
    torch_cma(torch.from_numpy(xb))
e1 = checks.assert_close(rm, torch_bn.running_mean, rtol=1e-12, name="running mean vs torch")
e2 = checks.assert_close(rv, torch_bn.running_var, rtol=1e-12, name="running var vs torch")

m, T = 0.1, len(batches)                                                  # the unrolled average
mu_b = np.array([xb.mean(0) for xb in batches])
var_unb = np.array([xb.var(0, ddof=1) for xb in batches])
w = m * (1 - m) ** (T - 1 - np.arange(T))
checks.assert_close(rm, w @ mu_b, rtol=1e-12, name="unrolled running mean")
checks.assert_close(rv, (1 - m) ** T + w @ var_unb, rtol=1e-12, name="unrolled running var")
var_biased_avg = (1 - m) ** T + w @ np.array([xb.var(0) for xb in batches])
assert np.all(rv > var_biased_avg)          # the biased variance would underestimate, in every feature

keras_rm = np.zeros(3)                                                    # Keras's convention, momentum 0.99
rm_001 = np.zeros(3)
for xb in batches:
    keras_rm = 0.99 * keras_rm + (1 - 0.99) * xb.mean(0)
    rm_001 = batchnorm_forward(xb, ones3, zeros3, training=True, running_mean=rm_001, running_var=np.ones(3),
                               momentum=0.01)[2]
checks.assert_close(rm_001, keras_rm, rtol=1e-12, name="torch momentum 0.01 vs Keras momentum 0.99")

e3 = checks.assert_close(rm_cma, torch_cma.running_mean, rtol=1e-12, name="cumulative mean vs torch")
checks.assert_close(rm_cma, mu_b.mean(0), rtol=1e-12, name="cumulative mean = average of batch means")
checks.assert_close(rv_cma, var_unb.mean(0), rtol=1e-12, name="cumulative var = average of unbiased variances")
print(f"regbook vs torch.nn.BatchNorm1d after {T} steps: running mean {checks.error_bound(e1)}, "
      f"running var {checks.error_bound(e2)}; momentum=None: {checks.error_bound(e3)}")
print(f"running var with the biased batch variance instead would be lower by up to "
      f"{np.max(1 - var_biased_avg / rv):.3f} (relative)")

# folding eval-mode batch norm into the linear layer before it (eq-bn-eval)
lin = torch.nn.Linear(5, 3, dtype=torch.float64)
with torch.no_grad():
    torch_bn.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
    torch_bn.bias.copy_(torch.tensor([0.1, 0.0, 3.0]))
net = torch.nn.Sequential(lin, torch_bn).eval()
a_fold = torch_bn.weight / torch.sqrt(torch_bn.running_var + torch_bn.eps)
folded = torch.nn.Linear(5, 3, dtype=torch.float64)
with torch.no_grad():
    folded.weight.copy_(a_fold[:, None] * lin.weight)
    folded.bias.copy_(a_fold * (lin.bias - torch_bn.running_mean) + torch_bn.bias)
    x5 = torch.randn(10, 5, dtype=torch.float64)
    e_fold = checks.assert_close(folded(x5), net(x5), rtol=1e-12, name="folded linear layer")
print(f"eval-mode Linear + BatchNorm1d folded into one Linear: rel. error {checks.error_bound(e_fold)}")

# %% [markdown]
# Every identity holds to rounding error, and the running statistics of regbook and of
# `torch.nn.BatchNorm1d` agree step by step. With batches as small as 2 and 4 the factor $N/(N-1)$ is far
# from 1, which is why the biased variance would give a visibly different running estimate.
#
# ## From scratch in NumPy
#
# `regbook.np.normalization` holds the code used above. The forward pass returns the output, a cache
# (a NamedTuple) for the backward pass, and the *new* running statistics: nothing is modified in place,
# so a NumPy network passes its statistics along explicitly, the way it passes its weights.

# %%
regbook.show_source(batchnorm_forward)

# %% [markdown]
# The backward pass of {eq}`eq-bn-graph`, one node per line (in evaluation mode $\mu$ and $s$ are
# constants, and only the first node remains):

# %%
regbook.show_source(batchnorm_backward)

# %% [markdown]
# and the closed form {eq}`eq-bn-backward`:

# %%
regbook.show_source(batchnorm_backward_alt)

# %% [markdown]
# The same functions handle torch-style $(N, C, L)$ input, with statistics over $N$ and $L$, and
# evaluation mode, where the backward pass is just $\gamma\,\partial y/\sigma$. Both are checked below
# against finite differences, for both backward forms.

# %%
x3 = rng.normal(size=(4, 3, 5)) * [[[1.0], [4.0], [0.3]]]                 # (N, C, L)
g3, b3, d3 = rng.uniform(0.5, 2.0, 3), rng.normal(size=3), rng.normal(size=(4, 3, 5))
rm3, rv3 = rng.normal(size=3), rng.uniform(0.5, 2.0, 3)
for training in (True, False):
    def f3(v, training=training):
        return batchnorm_forward(v, g3, b3, training=training, running_mean=rm3, running_var=rv3)[0]

    _, c3, _, _ = batchnorm_forward(x3, g3, b3, training=training, running_mean=rm3, running_var=rv3)
    num = checks.numerical_gradient_array(f3, x3, d3)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        err = checks.assert_close(backward(d3, c3)[0], num, rtol=1e-7, name=f"{backward.__name__}, (N, C, L)")
        print(f"(N, C, L) input, training={training!s:<5}  {backward.__name__:<22} dx: rel. error "
              f"{checks.error_bound(err, floor=1e-10)}")

# %% [markdown]
# ## PyTorch: regbook's twin, and the idiomatic way
#
# In a PyTorch model, batch norm is a module, `torch.nn.BatchNorm1d(num_features)`, placed between a
# linear layer and its activation; `model.train()` and `model.eval()` switch every batch-norm layer of the
# model between batch statistics and running statistics. `regbook.pt.normalization.BatchNorm1d` is a
# from-scratch twin with the same parameter and buffer names (`weight` = $\gamma$, `bias` = $\beta$,
# `running_mean`, `running_var`, `num_batches_tracked`), so that state dicts load in both directions.
# Its work is done by the functional `batch_norm`, written with elementary tensor operations so that
# autograd derives the backward pass:

# %%
regbook.show_source(batch_norm)

# %% [markdown]
# The parity check trains nothing; it runs the same five batches (of different sizes, one of them of shape
# $(N, C, L)$) through regbook's module and torch's in float64 and compares at every step the outputs, the
# gradients with respect to the input, $\gamma$ and $\beta$, and the running statistics; then the
# evaluation-mode outputs, the state-dict interchange in both directions, and `momentum=None`.

# %%
def parity(momentum):
    ours = BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        for mod in (ours, theirs):                       # non-trivial gamma and beta
            mod.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
            mod.bias.copy_(torch.tensor([0.1, 0.0, 3.0]))
    worst = 0.0
    for shape in [(4, 3), (16, 3), (2, 3), (5, 3, 7), (32, 3)]:
        xb = (torch.randn(shape, dtype=torch.float64) * 2 + 1).requires_grad_()
        up = torch.randn(shape, dtype=torch.float64)
        results = []
        for mod in (ours, theirs):
            mod.zero_grad()
            xb.grad = None
            out = mod(xb)
            out.backward(up)
            results.append((out.detach(), xb.grad.clone(), mod.weight.grad.clone(), mod.bias.grad.clone(),
                            mod.running_mean.clone(), mod.running_var.clone()))
        for name, u, v in zip(("output", "dx", "dgamma", "dbeta", "running_mean", "running_var"), *results):
            worst = max(worst, checks.assert_close(u, v, rtol=1e-10, name=f"BatchNorm1d {name}, shape {shape}"))
    assert int(ours.num_batches_tracked) == int(theirs.num_batches_tracked) == 5
    ours.eval(), theirs.eval()
    x_eval = torch.randn(6, 3, dtype=torch.float64)
    with torch.no_grad():
        worst = max(worst, checks.assert_close(ours(x_eval), theirs(x_eval), rtol=1e-12, name="eval output"))
        fresh_ours, fresh_theirs = BatchNorm1d(3, dtype=torch.float64), torch.nn.BatchNorm1d(3, dtype=torch.float64)
        fresh_ours.load_state_dict(theirs.state_dict())               # torch -> regbook
        fresh_theirs.load_state_dict(ours.state_dict())               # regbook -> torch
        for fresh in (fresh_ours.eval(), fresh_theirs.eval()):
            worst = max(worst, checks.assert_close(fresh(x_eval), theirs(x_eval), rtol=1e-12, name="state_dict"))
    return worst


torch.manual_seed(0)
for momentum in (0.1, None):
    print(f"BatchNorm1d(momentum={momentum}): regbook vs torch, largest rel. error over outputs, gradients, "
          f"running statistics and state dicts {checks.error_bound(parity(momentum))}")
print("state_dict keys of regbook's BatchNorm1d:", list(BatchNorm1d(3).state_dict()))

# %% [markdown]
# ### The hand-derived backward pass in PyTorch
#
# Autograd through `batch_norm` keeps every intermediate of {eq}`eq-bn-graph` for the backward pass.
# `BatchNormFunction` is a `torch.autograd.Function` whose backward is the closed form
# {eq}`eq-bn-backward`, the NumPy derivation transcribed into torch; it saves only $\hat x$ and $1/\sigma$.
# `torch.autograd.gradcheck` compares it with finite differences in float64, for 2-D and 3-D input, and the
# cell compares its gradients with the NumPy twin and with autograd through torch's own
# `F.batch_norm`.

# %%
regbook.show_source(BatchNormFunction.backward)

# %%
for shape in [(6, 4), (3, 4, 5)]:
    xg = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    wg = torch.rand(4, dtype=torch.float64, requires_grad=True) + 0.5
    bg = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, b, c: BatchNormFunction.apply(a, b, c, 1e-5), (xg, wg, bg))

    up = torch.randn(shape, dtype=torch.float64)
    ours = torch.autograd.grad(BatchNormFunction.apply(xg, wg, bg, 1e-5), (xg, wg, bg), up)
    ref = torch.autograd.grad(F.batch_norm(xg, None, None, wg, bg, training=True, eps=1e-5), (xg, wg, bg), up)
    _, c_np, _, _ = batchnorm_forward(xg.detach().numpy(), wg.detach().numpy(), bg.detach().numpy(), **no_stats)
    twin = batchnorm_backward_alt(up.numpy(), c_np)
    e_ref = max(checks.rel_error(u, v) for u, v in zip(ours, ref))
    e_np = max(checks.rel_error(u, v) for u, v in zip(ours, twin))
    assert e_ref < 1e-10 and e_np < 1e-10
    print(f"shape {shape}: gradcheck passed; gradients vs autograd through F.batch_norm "
          f"{checks.error_bound(e_ref)}, vs regbook.np {checks.error_bound(e_np)}")

# forward twins: regbook.np and regbook.pt on the same batch, with running statistics
xb = rng.normal(size=(10, 4))
rm_t, rv_t = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
out_pt = batch_norm(torch.from_numpy(xb), rm_t, rv_t, torch.ones(4, dtype=torch.float64),
                    torch.zeros(4, dtype=torch.float64), True, 0.1, 1e-5)
out_np, _, rm_n, rv_n = batchnorm_forward(xb, np.ones(4), np.zeros(4), training=True,
                                          running_mean=np.zeros(4), running_var=np.ones(4))
e_twin = max(checks.rel_error(u, v) for u, v in ((out_pt, out_np), (rm_t, rm_n), (rv_t, rv_n)))
assert e_twin < 1e-12
print(f"regbook.np vs regbook.pt forward (output and running statistics): {checks.error_bound(e_twin)}")

# %% [markdown]
# (ch-batchnorm-pitfalls)=
# ## Train and eval: four pitfalls
#
# Batch norm is the only common layer whose output for one sample depends on the other samples, and
# whose behaviour differs between training and evaluation. Each of the following is a frequent bug; each
# is shown on the batch-norm network trained at learning rate 0.05 in the first section (seed 0), on
# copies, so that nothing here changes the models used elsewhere.
#
# ### 1. A batch of one in training mode
#
# With $N = 1$ the batch mean is the sample itself and the batch variance is zero, so $\hat x = 0$ and the
# layer outputs $\beta$ whatever the input; its gradient with respect to the input is zero too. torch
# refuses rather than silently returning a constant, and so does regbook. Even $N = 2$ is degenerate:
# $\hat x = \pm\sigma_B/\sqrt{\sigma_B^2 + \varepsilon}$, which is $\pm 1$ unless the two values are almost equal;
# the layer passes on little more than which of the two samples is larger.

# %%
bn_model = copy.deepcopy(why["batch norm", 0.05, WHY_SEEDS[0]][0])
one = X_test[:1]
for label, layer in (("torch.nn.BatchNorm1d", torch.nn.BatchNorm1d(WIDTH)), ("regbook.pt BatchNorm1d", BatchNorm1d(WIDTH))):
    try:
        layer.train()(bn_model[0](one))
    except ValueError as err:
        print(f"{label}: ValueError: {str(err).split('. ')[0]}.")
with torch.no_grad():
    print("eval mode, one sample: predicted class", int(bn_model.eval()(one).argmax()), "true class", int(y_test[0]))
    pair = bn_model[0](X_test[:2])
    two = BatchNorm1d(WIDTH).train()(pair)
opposite = bool(torch.allclose(two[0], -two[1], atol=1e-6))
n_unit = int((two[0].abs() > 0.99).sum())
print(f"N = 2: the two samples get opposite values in every unit: {opposite}; |x_hat| > 0.99 in {n_unit} of "
      f"{WIDTH} units" + ("" if n_unit == WIDTH else " (the rest have a batch variance comparable to eps)"))
assert opposite and n_unit > WIDTH // 2 and bool((two.abs() <= 1).all())

# %% [markdown]
# The fix is to evaluate in eval mode (running statistics), which works for any batch size, or to use a
# normalization that does not look across the batch ({ref}`layer norm <ch-batchnorm-layernorm>`).
#
# ### 2. Forgetting `model.eval()`
#
# In training mode the prediction for a test image depends on which other images share its batch. We
# predict the 359 test images three ways: in eval mode; in training mode with the images in random
# batches of 32; and in training mode with the test set sorted by label, so that each batch holds only
# one or two different digits. (A forward pass in training mode also overwrites the running statistics, one more reason
# to work on a copy.)

# %%
def predict(model, X, batches, *, training):
    model.train(training)
    pred = torch.empty(len(X), dtype=torch.long)
    with torch.no_grad():
        for idx in batches:
            pred[idx] = model(X[idx]).argmax(1)
    model.eval()
    return pred


random_batches = torch.randperm(len(X_test), generator=torch.Generator().manual_seed(1)).split(32)
sorted_batches = torch.argsort(y_test, stable=True).split(32)
pred_eval = predict(bn_model, X_test, random_batches, training=False)
pred_eval_sorted = predict(bn_model, X_test, sorted_batches, training=False)
pred_train_random = predict(copy.deepcopy(bn_model), X_test, random_batches, training=True)
pred_train_sorted = predict(copy.deepcopy(bn_model), X_test, sorted_batches, training=True)
acc_eval = float((pred_eval == y_test).float().mean())
acc_train_random = float((pred_train_random == y_test).float().mean())
acc_train_sorted = float((pred_train_sorted == y_test).float().mean())
changed = float((pred_train_random != pred_train_sorted).float().mean())
print(f"eval mode:                           accuracy {acc_eval:.3f} (identical predictions for both batchings: "
      f"{bool(torch.equal(pred_eval, pred_eval_sorted))})")
print(f"training mode, random batches of 32: accuracy {acc_train_random:.3f}")
print(f"training mode, batches sorted by label: accuracy {acc_train_sorted:.3f}")
print(f"test images whose predicted class depends on the batching in training mode: {changed:.3f}")
assert torch.equal(pred_eval, pred_eval_sorted)
assert acc_train_sorted < acc_eval - 0.3 and changed > 0.3
glue("bn_acc_eval", round(acc_eval, 4), display=False)
glue("bn_acc_train_sorted", round(acc_train_sorted, 4), display=False)
glue("bn_changed", round(changed, 4), display=False)

# %% [markdown]
# In eval mode the predictions do not depend on the batching at all and the accuracy is
# {glue:text}`bn_acc_eval`. In training mode with batches sorted by label it drops to
# {glue:text}`bn_acc_train_sorted`, and a fraction {glue:text}`bn_changed` of the test images change their
# predicted class with the composition of their batch: each batch is normalized with its own statistics,
# which for a batch of "3"s are those of "3"s, and the features that distinguish a "3" are centred away.
#
# (ch-batchnorm-small-batches)=
# ### 3. Small batches: noisy statistics
#
# The batch statistics are estimates from $N$ samples, so the normalized value of a given sample changes
# from batch to batch. For a sample with population-standardized value $z = (x - \mu)/\sigma$, a
# first-order (delta-method) expansion of $\hat x = (x - \mu_B)/\sigma_B$ around $\mu_B = \mu$,
# $\sigma_B = \sigma$ gives, using $\operatorname{Var}\mu_B \approx \sigma^2/N$,
# $\operatorname{Var}\sigma_B \approx \sigma^2(\kappa - 1)/(4N)$ and
# $\operatorname{Cov}(\mu_B, \sigma_B) \approx \sigma^2\,\mathrm{skew}/(2N)$,
#
# $$
# \operatorname{Var}\hat x \approx \frac{1}{N}\Bigl(1 + z\,\mathrm{skew} + z^2\,\frac{\kappa - 1}{4}\Bigr)
# \quad\xrightarrow{\text{Gaussian}}\quad \frac{1 + z^2/2}{N},
# $$ (eq-bn-noise)
#
# with $\mathrm{skew}$ and $\kappa$ the skewness and kurtosis of the feature. The noise shrinks only as
# $1/\sqrt N$. The cell checks {eq}`eq-bn-noise` by sampling 4000 batches per batch size, for a Gaussian
# feature and for a real one: unit 0 of the input of the second batch-norm layer of the trained network,
# over the training images. The batch always contains the sample itself and $N - 1$ others drawn at
# random.

# %%
def xhat_spread(values, i, N, n_batches, gen):
    """Standard deviation, over random batches containing sample i, of that sample's normalized value."""
    others = values[gen.integers(0, len(values), size=(n_batches, N - 1))]
    batch = np.column_stack([np.full(n_batches, values[i]), others])
    return np.std((values[i] - batch.mean(1)) / np.sqrt(batch.var(1) + 1e-5))


def predicted_spread(values, i, N):
    z = (values - values.mean()) / values.std()
    skew, kurt = np.mean(z**3), np.mean(z**4)
    return np.sqrt((1 + z[i] * skew + z[i] ** 2 * (kurt - 1) / 4) / N)


mc = np.random.default_rng(5)
gauss = mc.standard_normal(100_000)
gauss[0] = 1.5                                               # the sample we follow, z = 1.5
with torch.no_grad():
    unit = bn_model.eval()[:4](X_train)[:, 0].double().numpy()   # input of the 2nd batch-norm layer, unit 0
i_unit = int(np.argmin(np.abs((unit - unit.mean()) / unit.std() - 1.5)))
N_GRID = np.array([4, 8, 16, 32, 64, 128])
spread_g = np.array([xhat_spread(gauss, 0, N, 4000, mc) for N in N_GRID])
spread_u = np.array([xhat_spread(unit, i_unit, N, 4000, mc) for N in N_GRID])
pred_g = np.array([predicted_spread(gauss, 0, N) for N in N_GRID])
pred_u = np.array([predicted_spread(unit, i_unit, N) for N in N_GRID])

fig, ax = plt.subplots()
ax.plot(N_GRID, spread_g, "o", label="Gaussian feature, sampled")
ax.plot(N_GRID, pred_g, "-", color="C0", lw=1, label="Gaussian feature, first-order formula")
ax.plot(N_GRID, spread_u, "s", label="hidden unit of the trained network, sampled")
ax.plot(N_GRID, pred_u, "-", color="C1", lw=1, label="hidden unit, first-order formula (its skew, kurtosis)")
ax.set(xscale="log", yscale="log", xlabel="batch size N",
       ylabel=r"std of $\hat x$ across batches",
       title=r"Noise of the normalized value of one sample ($z = 1.5$)")
ax.legend(loc="lower left")
plt.show()

for N, sg, pg, su, pu in zip(N_GRID, spread_g, pred_g, spread_u, pred_u):
    print(f"N = {N:>3}: Gaussian {sg:.3f} (formula {pg:.3f});  hidden unit {su:.3f} (formula {pu:.3f})")
big = N_GRID >= 32
z_unit = (unit - unit.mean()) / unit.std()
kurt_unit = float(np.mean(z_unit**4))
ratio_u = spread_u / pred_u
print(f"hidden unit: kurtosis {kurt_unit:.2f} (Gaussian: 3); sampled / formula {np.round(ratio_u, 3).tolist()}")
assert np.all(np.abs(spread_g[big] / pred_g[big] - 1) < 0.1)
assert np.all(np.abs(ratio_u[N_GRID >= 64] - 1) < 0.1) and abs(ratio_u[N_GRID == 32][0] - 1) > 0.1
assert np.all(np.diff(np.abs(ratio_u - 1)) < 0) and kurt_unit > 4          # heavier tails, slower approach
assert np.all(spread_g[~big] < pred_g[~big]) and np.all(spread_u[~big] < pred_u[~big])
slope = np.polyfit(np.log(N_GRID[big]), np.log(spread_u[big]), 1)[0]
assert -0.6 < slope < -0.4
glue("bn_noise_n4", round(float(spread_u[0]), 4), display=False)
glue("bn_noise_n128", round(float(spread_u[-1]), 4), display=False)
glue("bn_noise_kurt", round(kurt_unit, 2), display=False)
glue("bn_noise_ratio32", round(float(ratio_u[N_GRID == 32][0]), 4), display=False)

# %% [markdown]
# For the Gaussian feature the formula matches the sampled spread within 10% from $N = 32$ on. For the real
# unit, whose skewness and kurtosis enter, the approach is slower because its tails are heavier (kurtosis
# {glue:text}`bn_noise_kurt`, against 3 for a Gaussian): the ratio of sampled to predicted spread moves
# steadily towards 1 as $N$ grows, but it is still {glue:text}`bn_noise_ratio32` at $N = 32$ and within 10%
# of 1 only from $N = 64$ on. For smaller batches the first-order expansion overestimates the noise, which
# cannot grow without bound: a sample inside a batch of $N$ always has $|\hat x| \le \sqrt{N - 1}$.
# Still, for the real unit the normalized value of one sample has a standard deviation of
# {glue:text}`bn_noise_n4` across batches of 4, on a feature whose standard deviation is 1,
# against {glue:text}`bn_noise_n128` across batches of 128.
#
# Small batches add a second, systematic effect: the biased batch variance is on average
# $(N-1)/N$ times the population variance, so training normalizes by a smaller scale than evaluation,
# which uses the unbiased running estimate (a factor $3/4$ in variance for $N = 4$). Group and layer
# normalization, or batch renormalization, are the usual remedies when the batch must be small.
#
# ### 4. Running statistics that lag behind
#
# The running statistics are an average over the last $\approx 1/m$ batches. If the data change, for
# instance a sensor drifts, eval-mode predictions use statistics of the old data until enough new
# training-mode batches have passed. If the same batch (statistics $\mu_B$) is seen $k$ times, the gap
# closes geometrically:
#
# $$
# \hat\mu_k - \mu_B = (1 - m)^k\,(\hat\mu_0 - \mu_B).
# $$ (eq-bn-lag)
#
# We shift every (standardized) input feature by $+2$ (two training standard deviations), a change the first batch-norm layer could remove
# exactly, since a constant input shift becomes a constant shift of each unit of the first linear layer.
# With the stale running statistics the network sees inputs it never saw in training. We then pass the
# shifted training images (without labels, no weight update) through the network in training mode $k$
# times, once with torch's default $m = 0.1$ and once with $m = 0.01$ (what Keras's default 0.99 means),
# and follow the accuracy on the shifted test images.

# %%
SHIFT = 2.0
X_train_shift, X_test_shift = X_train + SHIFT, X_test + SHIFT
acc_clean = accuracy(bn_model, X_test, y_test)
acc_stale = accuracy(bn_model, X_test_shift, y_test)
K_GRID = np.arange(0, 61, 2)
lag = {}
for m in (0.1, 0.01):
    model_m = copy.deepcopy(bn_model)
    bns = [mod for mod in model_m if isinstance(mod, BatchNorm1d)]
    for mod in bns:
        mod.momentum = m
    with torch.no_grad():
        target = model_m[0](X_train_shift).mean(0)           # batch mean of the first BN layer's input
    gap0 = bns[0].running_mean - target
    accs, gaps = [], []
    for k in range(K_GRID[-1] + 1):
        if k in K_GRID:
            accs.append(accuracy(model_m, X_test_shift, y_test))
            gaps.append((bns[0].running_mean - target).clone())
        model_m.train()
        with torch.no_grad():
            model_m(X_train_shift)                          # training-mode pass: updates the running statistics
    lag[m] = np.array(accs)
    pred_gap = torch.stack([(1 - m) ** int(k) * gap0 for k in K_GRID])
    err_gap = float((torch.stack(gaps) - pred_gap).abs().max() / gap0.abs().max())
    assert err_gap < 1e-5, err_gap
    print(f"m = {m}: gap of the running mean follows (1 - m)^k exactly (max deviation "
          f"{checks.error_bound(err_gap, floor=1e-6)} of the initial gap)")

fig, ax = plt.subplots()
for m, label in ((0.1, "m = 0.1 (torch default)"), (0.01, "m = 0.01 (= Keras momentum 0.99)")):
    ax.plot(K_GRID, lag[m], "o-", ms=3, label=label)
ax.axhline(acc_clean, color="0.4", ls=":", label="unshifted test images")
ax.set(xlabel="training-mode passes over the shifted data, k", ylabel="test accuracy (shifted images, eval mode)",
       title="Running statistics catching up after an input shift")
ax.legend()
plt.show()
assert np.any(lag[0.1] >= 0.9 * acc_clean)
k_90_fast = int(K_GRID[np.argmax(lag[0.1] >= 0.9 * acc_clean)])
print(f"accuracy: unshifted {acc_clean:.3f}; shifted with stale statistics {acc_stale:.3f}; "
      f"after {K_GRID[-1]} passes: {lag[0.1][-1]:.3f} (m = 0.1), {lag[0.01][-1]:.3f} (m = 0.01)")
assert acc_stale < acc_clean - 0.1
assert lag[0.1][-1] > acc_clean - 0.01 and np.all(lag[0.01][1:] <= lag[0.1][1:] + 0.02)
assert lag[0.01][-1] < lag[0.1][-1] - 0.02
glue("bn_acc_clean", round(acc_clean, 4), display=False)
glue("bn_acc_stale", round(acc_stale, 4), display=False)
glue("bn_k90", k_90_fast, display=False)
glue("bn_lag_slow", round(float(lag[0.01][-1]), 4), display=False)
glue("bn_lag_fast", round(float(lag[0.1][-1]), 4), display=False)

# %% [markdown]
# With stale statistics the accuracy on the shifted images falls from {glue:text}`bn_acc_clean` to
# {glue:text}`bn_acc_stale`. With $m = 0.1$ it is back above 90% of the unshifted accuracy after
# {glue:text}`bn_k90` passes and within a percentage point of it by the end ({glue:text}`bn_lag_fast`),
# because re-estimated statistics cancel the shift; with $m = 0.01$ it is still at {glue:text}`bn_lag_slow`
# after 60 passes. The gap of the running mean follows {eq}`eq-bn-lag` to rounding error. Setting
# `momentum=None` and resetting the statistics (`reset_running_stats()`) before a pass over representative
# data replaces the lagging average by an exact one.
#
# (ch-batchnorm-experiment)=
# ## Experiment: does batch norm regularize?
#
# Ioffe and Szegedy observed that batch norm "acts as a regularizer" {cite}`ioffe2015batch`. The mechanism
# would be the noise measured in {ref}`pitfall 3 <ch-batchnorm-small-batches>`: each sample's normalized
# activations are perturbed by the random composition of its batch, a multiplicative and additive noise
# somewhat like dropout's. To see whether that noise lowers test error, the comparison must change *only*
# the noise. We train a two-hidden-layer MLP (128 ReLU units per layer) on 200 training images (a
# different random subset for each of 5 seeds), with SGD (momentum 0.9, batches of 20, 20 epochs), and
# evaluate on the 718 held-out images (the validation and test parts together; nothing is tuned on them).
# The variants:
#
# - **no normalization**;
# - **BN, batch statistics**: standard batch norm, statistics of the mini-batch of 20;
# - **BN, full-batch statistics (no noise)**: the same layers, but at every step the statistics are those
#   of all 200 training images (`full_batch_stats=True` above), so the normalization is the same
#   deterministic function for every mini-batch. Using the running statistics during training instead
#   would also remove the noise, but would change two things at once: those statistics lag behind the
#   weights, and no gradient flows through them;
# - **BN, ghost batches of 4**: statistics of groups of 4 inside each mini-batch of 20: *more* noise;
# - **layer norm**: per-sample statistics, no batch noise at all.
#
# Within a seed every variant starts from the same weights and sees the same mini-batches, so differences
# between variants are paired. We run everything at learning rate 0.05, and the no-normalization and
# two main batch-norm variants again at 0.2.

# %%
class GhostBatchNorm1d(BatchNorm1d):
    """Batch norm whose training-mode statistics come from consecutive groups of `ghost` samples."""

    def __init__(self, num_features, *, ghost):
        super().__init__(num_features)
        self.ghost = ghost

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        return torch.cat([BatchNorm1d.forward(self, chunk) for chunk in x.split(self.ghost)])


X_held, y_held = torch.cat([X_val, X_test]), torch.cat([y_val, y_test])
N_SMALL, SMALL_SEEDS, SMALL_EPOCHS, SMALL_BATCH = 200, range(5), 20, 20
SMALL_VARIANTS = {  # name: (normalization layer, full-batch statistics, learning rates)
    "no normalization": (None, False, (0.05, 0.2)),
    "BN, batch statistics": (BatchNorm1d, False, (0.05, 0.2)),
    "BN, full-batch statistics": (BatchNorm1d, True, (0.05, 0.2)),
    "BN, ghost batches of 4": (lambda d: GhostBatchNorm1d(d, ghost=4), False, (0.05,)),
    "layer norm": (LayerNorm, False, (0.05,)),
}
small = {}   # (variant, lr) -> array (n_seeds, 2): training accuracy, held-out accuracy
for name, (norm, full, lrs) in SMALL_VARIANTS.items():
    for lr in lrs:
        rows = []
        for seed in SMALL_SEEDS:
            subset = torch.randperm(len(X_train), generator=torch.Generator().manual_seed(100 + seed))[:N_SMALL]
            model = mlp(2, 128, norm, seed=seed)
            train_sgd(model, X_train[subset], y_train[subset], lr=lr, epochs=SMALL_EPOCHS, batch_size=SMALL_BATCH,
                      seed=seed, full_batch_stats=full)
            rows.append((accuracy(model, X_train[subset], y_train[subset]), accuracy(model, X_held, y_held)))
        small[name, lr] = np.array(rows)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw=dict(width_ratios=(5, 3)))
for ax, lr in zip(axes, (0.05, 0.2)):
    names = [n for n in SMALL_VARIANTS if (n, lr) in small]
    for i, n in enumerate(names):
        acc_seeds = small[n, lr][:, 1]
        ax.plot(acc_seeds, np.full(len(acc_seeds), i), "|", color="0.6", ms=10)
        ax.errorbar(acc_seeds.mean(), i, xerr=acc_seeds.std(ddof=1), fmt="o", color=f"C{i}", capsize=4)
    ax.set_yticks(range(len(names)), [n.replace(", ", ",\n") for n in names])
    ax.invert_yaxis()
    ax.set(xlabel="held-out accuracy", title=f"learning rate {lr}")
axes[0].set_title("learning rate 0.05: mean ± std over 5 seeds (ticks: seeds)")
fig.suptitle("MLP trained on 200 digits images: does batch-norm noise regularize?")
plt.show()

print(f"{'variant':<28}{'lr':>5}  {'train acc':>9}  {'held-out acc (mean ± std)':>26}  {'vs full-batch stats':>20}")
for (name, lr), res in small.items():
    diff = res[:, 1] - small["BN, full-batch statistics", lr][:, 1]
    print(f"{name:<28}{lr:>5}  {res[:, 0].mean():9.3f}  {res[:, 1].mean():17.4f} ± {res[:, 1].std(ddof=1):.4f}"
          f"  {diff.mean():+11.4f} ± {diff.std(ddof=1):.4f}")

# %% [markdown]
# The cell below turns the table into checked statements. "Equal within noise" is tested as: the mean
# paired difference over the 5 seeds is smaller than 2.8 standard errors (the 5% two-sided critical value
# of a $t$ distribution with 4 degrees of freedom), plus a small absolute margin.

# %%
def paired(a, b, lr):
    d = small[a, lr][:, 1] - small[b, lr][:, 1]
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


def equal_within_noise(a, b, lr, margin=0.005):
    mean, se = paired(a, b, lr)
    return abs(mean) < 2.8 * se + margin


held = {k: v[:, 1].mean() for k, v in small.items()}
# at lr 0.05 every variant fits the 200 training images; the no-noise control is as good as batch statistics
assert all(small[k][:, 0].mean() > 0.99 for k in small if k[1] == 0.05)
assert equal_within_noise("BN, batch statistics", "BN, full-batch statistics", 0.05)
assert equal_within_noise("BN, batch statistics", "no normalization", 0.05)
# more noise (ghost batches of 4) does not help: lowest mean held-out and training accuracy at lr 0.05
lr05 = [k for k in small if k[1] == 0.05]
assert min(lr05, key=lambda k: held[k])[0] == "BN, ghost batches of 4"
assert min(lr05, key=lambda k: small[k][:, 0].mean())[0] == "BN, ghost batches of 4"
d_ghost, se_ghost = paired("BN, ghost batches of 4", "BN, batch statistics", 0.05)
# at lr 0.2 the plain network fails, both batch-norm variants train
assert held["no normalization", 0.2] < 0.5 and min(held["BN, batch statistics", 0.2],
                                                   held["BN, full-batch statistics", 0.2]) > 0.85
d_lr2, se_lr2 = paired("BN, batch statistics", "BN, full-batch statistics", 0.2)
assert abs(d_lr2) < 0.02

glue("bn_reg_none", round(float(held["no normalization", 0.05]), 4), display=False)
glue("bn_reg_bn", round(float(held["BN, batch statistics", 0.05]), 4), display=False)
glue("bn_reg_full", round(float(held["BN, full-batch statistics", 0.05]), 4), display=False)
glue("bn_reg_ghost", round(float(held["BN, ghost batches of 4", 0.05]), 4), display=False)
glue("bn_reg_ln", round(float(held["layer norm", 0.05]), 4), display=False)
glue("bn_reg_ghost_train", round(float(small["BN, ghost batches of 4", 0.05][:, 0].mean()), 4), display=False)
glue("bn_reg_ghost_d", round(float(d_ghost), 4), display=False)
glue("bn_reg_ghost_z", round(float(abs(d_ghost) / se_ghost), 1), display=False)
glue("bn_reg_none_2", round(float(held["no normalization", 0.2]), 4), display=False)
glue("bn_reg_bn_2", round(float(held["BN, batch statistics", 0.2]), 4), display=False)
glue("bn_reg_full_2", round(float(held["BN, full-batch statistics", 0.2]), 4), display=False)
glue("bn_reg_d2", round(float(d_lr2), 4), display=False)
glue("bn_reg_se2", round(float(se_lr2), 4), display=False)

# %% [markdown]
# What the numbers show, and no more:
#
# - At learning rate 0.05 every variant fits the 200 training images (training accuracy above 0.99 for
#   all), and the held-out accuracies of no
#   normalization ({glue:text}`bn_reg_none`), standard batch norm ({glue:text}`bn_reg_bn`) and batch norm
#   without batch noise ({glue:text}`bn_reg_full`) are equal within seed-to-seed noise. Here the noise of
#   mini-batch statistics has no measurable regularizing effect.
# - More noise does not help: ghost batches of 4 give the lowest mean held-out accuracy,
#   {glue:text}`bn_reg_ghost`, and the lowest training accuracy (in eval mode,
#   {glue:text}`bn_reg_ghost_train`). The paired difference to standard batch norm,
#   {glue:text}`bn_reg_ghost_d`, is {glue:text}`bn_reg_ghost_z` standard errors: with 5 seeds, suggestive
#   rather than conclusive. Layer norm gives {glue:text}`bn_reg_ln`.
# - At learning rate 0.2 the plain network fails ({glue:text}`bn_reg_none_2`) while both batch-norm
#   variants train ({glue:text}`bn_reg_bn_2` with batch statistics, {glue:text}`bn_reg_full_2` without
#   noise; paired difference {glue:text}`bn_reg_d2` with standard error {glue:text}`bn_reg_se2`). What
#   batch norm buys at this learning rate is, again, that training works at all; with or without the noise
#   of batch statistics the held-out accuracies differ by less than two percentage points, and a small
#   effect of either sign is beyond what 5 seeds can resolve.
#
# This is one small network on one small data set; larger networks trained longer can behave differently,
# and the experiment does not rule out a regularizing effect elsewhere. It does show that "batch norm is a
# regularizer" is not something to assume: its dependable effect is on optimization, and a regularizing
# effect, if any, is a side effect to be measured. Dropout, weight decay or data augmentation, which are
# regularizers by design, do not become unnecessary because a network has batch norm.
#
# (ch-batchnorm-layernorm)=
# ## Layer normalization: statistics of one sample
#
# Layer normalization {cite}`ba2016layer` standardizes each sample over its *features* instead of each
# feature over the batch:
#
# $$
# \mu_n = \frac1D\sum_{j=1}^D x_{nj}, \qquad \sigma_n^2 = \frac1D\sum_{j=1}^D (x_{nj} - \mu_n)^2, \qquad
# y_{nj} = \gamma_j\,\frac{x_{nj} - \mu_n}{\sqrt{\sigma_n^2 + \varepsilon}} + \beta_j .
# $$ (eq-bn-layernorm)
#
# Nothing crosses the batch: training and evaluation compute the same thing, there are no running
# statistics, a batch of one is fine, and a sample's output never depends on its neighbours. That is why
# layer norm is the normalization of recurrent networks and transformers, where batch statistics are
# awkward (variable sequence lengths, small per-device batches). The backward pass is
# {eq}`eq-bn-backward` with the roles of the axes exchanged, with $\gamma$ inside the sums because it
# varies along the normalized axis. Its invariances are different too: a layer-norm output is unchanged
# when a *sample* is shifted or scaled as a whole, not when a *feature* is. regbook's version (with
# torch's `normalized_shape` generality: `gamma` of shape $(L, D)$ normalizes the last two axes):

# %%
regbook.show_source(layernorm_forward)
regbook.show_source(layernorm_backward)

# %% [markdown]
# The cell checks the gradient against finite differences, the NumPy and torch twins against
# `torch.nn.LayerNorm` (outputs and gradients, float64), that a batch of one works and that a sample's
# output does not depend on the rest of the batch, and the two invariances.

# %%
xl = rng.normal(size=(5, 6)) * 3 + 1
gl, bl, dl = rng.uniform(0.5, 2.0, 6), rng.normal(size=6), rng.normal(size=(5, 6))
out_l, cache_l = layernorm_forward(xl, gl, bl)
dxl, dgl, dbl = layernorm_backward(dl, cache_l)
num_l = [checks.numerical_gradient_array(f, v, dl) for f, v in (
    (lambda v: layernorm_forward(v, gl, bl)[0], xl), (lambda v: layernorm_forward(xl, v, bl)[0], gl),
    (lambda v: layernorm_forward(xl, gl, v)[0], bl))]
e_lgrad = max(checks.assert_close(a, n, rtol=1e-7, name="layer norm gradient")
              for a, n in zip((dxl, dgl, dbl), num_l))

xt = torch.from_numpy(xl).requires_grad_()
torch_ln, our_ln = torch.nn.LayerNorm(6, dtype=torch.float64), LayerNorm(6, dtype=torch.float64)
with torch.no_grad():
    for mod in (torch_ln, our_ln):
        mod.weight.copy_(torch.from_numpy(gl))
        mod.bias.copy_(torch.from_numpy(bl))
e_lt = 0.0
for mod in (torch_ln, our_ln):
    xt.grad = None
    mod.zero_grad()
    yt = mod(xt)
    yt.backward(torch.from_numpy(dl))
    for u, v in ((yt, out_l), (xt.grad, dxl), (mod.weight.grad, dgl), (mod.bias.grad, dbl)):
        e_lt = max(e_lt, checks.assert_close(u, v, rtol=1e-10, name=f"{type(mod).__module__} LayerNorm"))
e_lf = checks.rel_error(layer_norm(xt.detach(), 6, torch.from_numpy(gl), torch.from_numpy(bl)), out_l)

single = layernorm_forward(xl[2:3], gl, bl)[0]                  # a batch of one
e_one = checks.rel_error(single, out_l[2:3])
in_other_batch = layernorm_forward(np.vstack([xl[2:3], rng.normal(size=(7, 6)) * 50]), gl, bl)[0][:1]
e_batch = checks.rel_error(in_other_batch, out_l[2:3])
moved = layernorm_forward(3.0 * xl + 7.0, gl, bl, eps=1e-12)[0]           # shift and scale per sample: invariant
e_sample = checks.rel_error(moved, layernorm_forward(xl, gl, bl, eps=1e-12)[0])
per_feature = layernorm_forward(xl * np.arange(1, 7), gl, bl)[0]           # scale per feature: not invariant
assert max(e_lf, e_one, e_batch, e_sample) < 1e-9 and checks.rel_error(per_feature, out_l) > 0.1
print(f"layer norm gradients vs finite differences:              {checks.error_bound(e_lgrad, floor=1e-10)}")
print(f"regbook (NumPy, torch) vs torch.nn.LayerNorm, out+grads: {checks.error_bound(e_lt)}")
print(f"batch of one / other batch mates / per-sample a x + b:   {checks.error_bound(max(e_one, e_batch, e_sample))}")
print(f"after rescaling each feature differently, outputs change by up to {np.abs(per_feature - out_l).max():.2f}")

# %% [markdown]
# In the experiment above, layer norm reached {glue:text}`bn_reg_ln` held-out accuracy, in the same range
# as the other variants. It is not a drop-in replacement everywhere: in convolutional networks, where
# channels carry different kinds of features, normalizing them together works less well than batch norm
# {cite}`ba2016layer`,
# and group normalization (groups of channels per sample) is the usual compromise.
#
# ## Why does batch norm help? Internal covariate shift, disputed
#
# Ioffe and Szegedy motivated batch norm by **internal covariate shift**: as the parameters of the early
# layers change during training, the distribution of the inputs of every later layer changes, and each
# layer must keep adapting to a moving target; normalizing each layer's inputs was meant to remove that
# shift and so allow higher learning rates and less careful initialization {cite}`ioffe2015batch`. The
# benefits are real, as the first section showed. The explanation was put to the test by
# {cite}`santurkar2018how`: they injected random noise with a non-zero mean and a non-unit variance, drawn
# afresh at every step, *after* each batch-norm layer, making the layer input distributions less stable
# than without any normalization, and found that such networks still trained almost as well as with plain
# batch norm, far better than without it. They also found that batch norm does not necessarily reduce
# internal covariate shift as measured through the change of each layer's gradient, and argued that what
# it does is make the loss landscape smoother (the loss and its gradient change more slowly, in the sense
# of Lipschitz constants), which makes larger steps safe.
#
# A small version of the first experiment is cheap to run here. We take the deep network of the first
# section at learning rate 0.05 and add a fourth variant, "noisy batch norm": after each batch-norm layer, every unit is
# multiplied by a random factor in $[2/3, 3/2]$ and shifted by a random amount in $[-0.5, 0.5]$, both drawn
# afresh at every training step. During each run we recorded the input of the fourth linear layer; as a
# measure of how much its distribution moves, we take the change of each unit's batch mean from one step
# to the next, in units of that unit's typical standard deviation, averaged over units and steps ("drift").

# %%
class RandomAffine(torch.nn.Module):
    """Training-time noise: each unit is scaled by a factor in [1/(1+s), 1+s] and shifted by an amount in
    [-s, s], both drawn afresh at every forward pass (identity in eval mode)."""

    def __init__(self, num_features, *, strength, generator):
        super().__init__()
        self.num_features, self.strength, self.generator = num_features, strength, generator

    def forward(self, x):
        if not self.training:
            return x
        u = 2 * torch.rand(2, self.num_features, generator=self.generator) - 1     # uniform in [-1, 1]
        return x * torch.exp(u[0] * math.log1p(self.strength)) + u[1] * self.strength


def drift(stats):
    """Mean over steps and units of |change of the unit's batch mean| / (unit's mean std); dead units skipped."""
    means, stds = stats[:, 0], stats[:, 1]
    typical = stds.mean(0)
    alive = typical > 1e-6
    return float(np.mean(np.abs(np.diff(means[:, alive], axis=0)) / typical[alive]))


for seed in WHY_SEEDS:
    gen = torch.Generator().manual_seed(1000 + seed)
    model = mlp(DEPTH, WIDTH, lambda d: torch.nn.Sequential(BatchNorm1d(d),
                                                            RandomAffine(d, strength=0.5, generator=gen)), seed=seed)
    losses, stats = train_sgd(model, X_train, y_train, lr=0.05, epochs=WHY_EPOCHS, batch_size=WHY_BATCH, seed=seed,
                              watch=model[9])
    why["noisy batch norm", 0.05, seed] = model, losses, stats

ics_variants = ["plain, default init", "plain, He init", "batch norm", "noisy batch norm"]
drifts = {n: np.array([drift(why[n, 0.05, s][2]) for s in WHY_SEEDS]) for n in ics_variants}
finals = {n: epoch_losses(n, 0.05)[:, -1] for n in ics_variants}

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
for n in ics_variants:
    ax0.plot(epochs_axis, epoch_losses(n, 0.05).mean(0), "o-", ms=3, label=n)
ax0.set(yscale="log", xlabel="epoch", ylabel="training cross-entropy (mean of 3 seeds)",
        title="Training loss, learning rate 0.05")
ax0.legend()
ax1.bar(range(len(ics_variants)), [drifts[n].mean() for n in ics_variants],
        yerr=[drifts[n].std(ddof=1) for n in ics_variants], color=[f"C{i}" for i in range(4)], capsize=3)
ax1.set_xticks(range(len(ics_variants)), [n.replace(", ", ",\n") for n in ics_variants])
ax1.set(ylabel="drift of the 4th layer's input per step", title="How much the input distribution moves")
plt.show()
for n in ics_variants:
    print(f"{n:<22} drift {drifts[n].mean():.4f} ± {drifts[n].std(ddof=1):.4f}   final training loss "
          f"{finals[n].mean():.4f}")

# %% [markdown]
# The checks, on every seed: batch norm has the smallest drift; the noisy variant has the largest, larger
# than the plain networks'; yet it trains far better than the default-initialized plain network.

# %%
assert np.all(drifts["batch norm"] < drifts["plain, He init"]) and np.all(drifts["batch norm"] < drifts["plain, default init"])
assert np.all(drifts["noisy batch norm"] > drifts["plain, default init"])
assert np.all(drifts["noisy batch norm"] > drifts["plain, He init"])
assert np.all(drifts["plain, He init"] > 3 * drifts["batch norm"])
assert np.all(finals["noisy batch norm"] < finals["plain, default init"] / 3)
glue("bn_drift_bn", round(float(drifts["batch norm"].mean()), 4), display=False)
glue("bn_drift_plain", round(float(drifts["plain, default init"].mean()), 4), display=False)
glue("bn_drift_he", round(float(drifts["plain, He init"].mean()), 4), display=False)
glue("bn_drift_noisy", round(float(drifts["noisy batch norm"].mean()), 4), display=False)
glue("bn_final_noisy", round(float(finals["noisy batch norm"].mean()), 4), display=False)
glue("bn_final_plain", round(float(finals["plain, default init"].mean()), 4), display=False)
glue("bn_final_bn", round(float(finals["batch norm"].mean()), 4), display=False)

# %% [markdown]
# Batch norm does make the input distribution of the later layer more stable: drift
# {glue:text}`bn_drift_bn` against {glue:text}`bn_drift_plain` (default init) and
# {glue:text}`bn_drift_he` (He init). But the noisy variant, whose drift {glue:text}`bn_drift_noisy` is the
# largest of all, still ends at a training loss of {glue:text}`bn_final_noisy`, against
# {glue:text}`bn_final_plain` for the default-initialized plain network (and {glue:text}`bn_final_bn` for
# plain batch norm); and the He-initialized plain network trains well with a drift several times that of
# batch norm. In this experiment a stable input distribution was not necessary for fast training, in line
# with {cite}`santurkar2018how`. We did not measure smoothness of the loss landscape,
# and the experiment says nothing for or against that explanation. What remains uncontroversial is the
# list of effects: trainability from a poor initialization, tolerance of larger learning rates, and the
# invariance {eq}`eq-bn-invariance` of each layer to the scale of the weights before it.
#
# ## Pitfalls and corrections
#
# **"批量归一化 ... 通过对每一层的输入进行归一化，加速训练过程，提高模型稳定性" (004, §2.1,
# listed twice; "normalizes each layer's input, speeds up training, improves stability")**, listed as a
# regularization technique. The description is incomplete in the ways that matter: the normalization uses
# *mini-batch* statistics during training and running averages at evaluation, the two modes must be
# switched explicitly, and batch norm is first of all an optimization method. As a regularizer its effect
# is a side effect, not reliably present: in this chapter's experiment removing its batch noise changed
# nothing measurable, and adding more noise did not help.
#
# **The flow chart "B[L1正则化] --> E[批量归一化]" (004, §2.1).** It draws an arrow from L1 regularization
# to batch normalization, and the text gives it no meaning; batch norm is not derived from, nor a kind of,
# L1 regularization. There *is* a real interaction between batch norm and a norm penalty, though in the
# opposite direction from what a diagram might suggest: by {eq}`eq-bn-invariance`, a weight matrix $W$
# followed by batch norm can be scaled down without changing the network's function, so an L2 penalty
# $\lambda\lVert W\rVert^2$ on it constrains nothing about the function. Because the loss is invariant to
# $W \to aW$, its gradient is orthogonal to $W$ (differentiate $L(aW) = L(W)$ at $a = 1$), and a plain
# gradient step can only *grow* the weights: $\lVert W - \eta g\rVert^2 = \lVert W\rVert^2 +
# \eta^2\lVert g\rVert^2$. With the scale-invariance, $\nabla L(aW) = \nabla L(W)/a$, so the effective step
# size is $\eta/\lVert W\rVert^2$; weight decay keeps $\lVert W\rVert$ small and thereby keeps the
# effective learning rate up. The cell checks the three identities on a linear layer followed by batch norm.

# %%
h_in = rng.normal(size=(16, 5))
W = rng.normal(size=(4, 5))
c_up = rng.normal(size=(16, 4))                               # a fixed upstream gradient: L = sum(c * BN(h W^T))
ones4, zeros4 = np.ones(4), np.zeros(4)


def loss_and_grad(W_):
    out_, cache_, _, _ = batchnorm_forward(h_in @ W_.T, ones4, zeros4, eps=1e-12, **no_stats)
    return float(np.sum(c_up * out_)), batchnorm_backward_alt(c_up, cache_)[0].T @ h_in    # dL/dW, (4, 5)


L1_, g1 = loss_and_grad(W)
L3_, g3_ = loss_and_grad(3.0 * W)
e_inv = abs(L3_ - L1_) / abs(L1_)
e_orth = float(np.max(np.abs(np.sum(W * g1, axis=1)) / (np.linalg.norm(W, axis=1) * np.linalg.norm(g1, axis=1))))
e_scale = checks.rel_error(g3_, g1 / 3.0)
eta = 0.3
e_norm = abs(np.sum((W - eta * g1) ** 2) - (np.sum(W**2) + eta**2 * np.sum(g1**2))) / np.sum(W**2)
assert max(e_inv, e_orth, e_scale, e_norm) < 1e-9
print(f"L(3W) = L(W): {checks.error_bound(e_inv)};  cos(W_j, dL/dW_j) = 0: {checks.error_bound(e_orth)};  "
      f"grad L(3W) = grad L(W) / 3: {checks.error_bound(e_scale)};  "
      f"|W - eta g|^2 = |W|^2 + eta^2 |g|^2: {checks.error_bound(e_norm)}")

# %% [markdown]
# **"安装TensorFlow Addons：包含一些TensorFlow的扩展模块，如BatchNorm等" (004, §5.1, environment set-up;
# "install TensorFlow Addons, which contains extension modules such as BatchNorm").** Batch normalization is
# part of core Keras/TensorFlow, `tf.keras.layers.BatchNormalization`, as is
# `tf.keras.layers.LayerNormalization`; nothing needs to be installed for it. The normalization layers that
# TensorFlow Addons provided were others, such as group and instance normalization.
#
# **The momentum convention** (not in the sources, but a common batch-norm bug in code that is ported
# between libraries). {eq}`eq-bn-keras` maps the two conventions; the same value means opposite
# things. Implementations that write the update in the Keras form with `momentum=0.9` while calling it
# torch-like are easy to find: the PyTorch version of *Dive into Deep Learning*'s from-scratch batch norm
# used `momentum * moving + (1 - momentum) * batch` with 0.9 until it was changed to torch's form and 0.1
# in 2022 (d2l-ai/d2l-en, pull request 2213), and CS231n's batch-norm assignment wrote its update in the
# Keras form with momentum 0.9 (discussed in cs231n/cs231n.github.io, issue 180). Both forms
# are self-consistent; the bug is mixing one's formula with the other's value. Pitfall 4 showed what
# a memory ten times too long does after a shift; the opposite mistake, torch with `momentum=0.99`, keeps
# essentially only the last batch. For independent batches whose means have standard deviation
# $s_B = \sigma/\sqrt N$, the moving average $\hat\mu_t = (1-m)\hat\mu_{t-1} + m\mu_{B,t}$ settles to a
# fluctuation with variance $m^2 s_B^2\sum_{k\ge 0}(1-m)^{2k} = s_B^2\,m/(2-m)$: about $0.23\,s_B$ for
# $m = 0.1$ and $0.99\,s_B$ for $m = 0.99$, no averaging at all. The cell feeds 1000 batches of 8 values from
# $\mathcal N(5, 1)$ to two layers and measures the fluctuation after a warm-up of 100 batches.

# %%
stream = torch.from_numpy(rng.normal(loc=5.0, scale=1.0, size=(1000, 8, 1)))    # 1000 batches of 8 from N(5, 1)
s_b = 1.0 / math.sqrt(8)                                                           # std of a batch mean
fluctuation = {}
for m in (0.1, 0.99):
    bn_m = BatchNorm1d(1, momentum=m, dtype=torch.float64)
    trace = []
    for xb in stream:
        bn_m(xb)
        trace.append(float(bn_m.running_mean))
    fluct, predicted = np.std(trace[100:]), s_b * math.sqrt(m / (2 - m))
    print(f"momentum={m}: running mean fluctuates with std {fluct:.3f} (formula {predicted:.3f}; "
          f"a single batch mean: {s_b:.3f})")
    assert abs(fluct / predicted - 1) < 0.25
    fluctuation[m] = fluct
glue("bn_fluct_10", round(float(fluctuation[0.1]), 4), display=False)
glue("bn_fluct_99", round(float(fluctuation[0.99]), 4), display=False)

# %% [markdown]
# With `momentum=0.99` the running mean fluctuates by {glue:text}`bn_fluct_99`, as much as the mean of a
# single batch of 8; with torch's 0.1 by {glue:text}`bn_fluct_10`. Every eval-mode prediction inherits that
# error.
#
# **What the sources do get right.** 004 cites the original paper with its correct title and year
# (Ioffe and Szegedy, 2015).
#
# ## Summary
#
# - Batch norm {eq}`eq-bn-forward` standardizes each feature with the mini-batch mean and biased variance
#   and rescales it with learned $\gamma, \beta$; the output is invariant to shifting or rescaling the
#   feature {eq}`eq-bn-invariance`.
# - Its backward pass, derived node by node {eq}`eq-bn-graph` or in closed form {eq}`eq-bn-backward`, passes
#   finite-difference checks in float64; the gradient it sends back sums to zero over the batch
#   {eq}`eq-bn-orthogonal`.
# - Running statistics are exponential moving averages {eq}`eq-bn-running` with the *unbiased* batch
#   variance; torch's `momentum` weighs the new batch (0.1), Keras's the old value (0.99)
#   {eq}`eq-bn-keras`; `momentum=None` gives the plain average {eq}`eq-bn-cma`. In eval mode the layer is an
#   affine map {eq}`eq-bn-eval` that folds into the previous linear layer.
# - Train/eval pitfalls: a batch of one cannot be normalized in training mode; forgetting `eval()` makes
#   predictions depend on the batch; small batches give noisy statistics {eq}`eq-bn-noise`; running
#   statistics lag after a shift {eq}`eq-bn-lag`.
# - Measured on digits: batch norm made a deep network trainable and tolerated a four times larger
#   learning rate; the noise of its batch statistics did not measurably regularize, and more noise
#   (ghost batches of 4) gave the lowest mean accuracy.
# - Layer norm {eq}`eq-bn-layernorm` normalizes each sample on its own: no running statistics, same
#   computation in training and evaluation, any batch size.
# - Internal covariate shift as the reason batch norm works is disputed; in our experiment a network with
#   deliberately unstable layer inputs still trained well.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 7 <exercises/solutions/a07_batchnorm>` has coding exercises on this chapter with checks you can run,
# and covers the derivation of exercise 1 below; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **The Jacobian.** Derive {eq}`eq-bn-jacobian` and {eq}`eq-bn-backward` yourself, then prove
#    {eq}`eq-bn-orthogonal`. What does $\sum_i \partial x_i = 0$ imply for the gradient of the bias of a
#    linear layer that is followed by batch norm? Check your answer with torch's autograd.
# 2. **Group normalization (coding).** Implement `groupnorm_forward(x, gamma, beta, *, groups, eps)` and
#    `groupnorm_backward(dout, cache)` in NumPy for input of shape $(N, C, L)$: statistics per sample over
#    the $C/G$ channels of each group and all $L$ positions. Check the backward pass with
#    `regbook.checks.numerical_gradient_array` and `checks.assert_close(dx, num, rtol=1e-7)`, and the
#    forward pass against `torch.nn.GroupNorm` in float64 with `checks.assert_close(..., rtol=1e-10)`. Which
#    value of $G$ gives layer norm?
# 3. **Folding (coding).** Write `fold(linear, bn)` returning one `torch.nn.Linear` equal to
#    `torch.nn.Sequential(linear, bn).eval()` by {eq}`eq-bn-eval`, including the case `affine=False`.
#    Check it with `checks.assert_close(fold(linear, bn)(x), seq(x), rtol=1e-10)` in float64 after a few
#    training-mode passes have changed the running statistics.
# 4. **Keras to torch (coding).** Write `keras_update(moving, batch_mean, momentum)` and show with
#    `checks.assert_close` that ten Keras-style updates with momentum 0.99 equal ten calls of
#    `batchnorm_forward(..., momentum=0.01)`. Then read Keras's documentation: which variance does its
#    moving variance average, and what is its default $\varepsilon$? Which of these differences changes
#    eval-mode outputs when a Keras model's weights are loaded into torch?
# 5. **Batch size two.** Show that for $N = 2$ the normalized values are $\pm\sigma_B/\sqrt{\sigma_B^2 +
#    \varepsilon}$ whatever the data. What can a network trained with batches of two learn from a feature?
#    Confirm with the ghost-batch module above (ghost size 2) on the 200-image experiment.
# 6. **Recalibration ("precise" statistics).** For the ghost-batch model of the experiment, replace the
#    running statistics by exact training-set statistics (reset them, set `momentum=None`, one training-mode
#    pass over the 200 images without gradients) and measure the held-out accuracy again. How much of the
#    ghost-batch model's deficit was due to its running statistics rather than to its training?
# 7. **Noise strength.** Repeat the internal-covariate-shift experiment with noise strengths 0.25, 1 and 2.
#    At what strength does the noisy network stop training better than the plain default-initialized one?
#    Does its drift grow monotonically with the strength?
#
# ## References
#
# Batch normalization, its running statistics and the internal-covariate-shift motivation are due to
# {cite}`ioffe2015batch`; layer normalization to {cite}`ba2016layer`. The noise-injection experiment and the
# smoothness explanation are in {cite}`santurkar2018how`. {cite}`goodfellow2016deep` (§8.7.1) treats batch
# norm as an optimization method, as this chapter does, and {cite}`paszke2019pytorch` describes the PyTorch
# library whose conventions regbook follows. Full entries are in the {doc}`bibliography`.
