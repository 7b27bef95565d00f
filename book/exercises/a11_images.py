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
# # Assignment 11: regularizing an image classifier
#
# Companion to {doc}`/book/ch11_images`, in its notation: 8×8 digit images with pixels divided by 16, a small CNN
# whose convolutions are dense layers constrained to local, shared weights, batch normalization for feature maps
# (statistics per channel over the batch **and** the pixel positions, as `torch.nn.BatchNorm2d`), a cosine
# learning-rate schedule $\eta_t = \frac{\eta_0}{2}\bigl(1 + \cos\frac{\pi(t-1)}{T}\bigr)$ ({eq}`eq-ch11-cosine`) and
# label smoothing with $q_k = (1-\varepsilon)[k = y] + \varepsilon/K$ ({eq}`eq-ch11-label-smoothing`).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 11.1 (conv_as_matrix): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` or `torch` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 11.1 | `conv_as_matrix` | 3 |
# | 11.2 | `spatial_batchnorm` | 2 |
# | 11.3 | `cosine_lr` | 1 |
# | 11.4 | `train_softmax` | 2 |
# | 11.5 | written: architecture as a prior | – |

# %%
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import regbook
from regbook import checks, data
from regbook.np.normalization import batchnorm_forward
from regbook.pt import AdamW
from regbook.pt.label_smoothing import LabelSmoothingCrossEntropy

rng = regbook.nbsetup(seed=0)

split = data.load_dataset("digits", seed=0, standardize=False)
X_tr = torch.tensor(split.X_train / 16, dtype=torch.float64)
y_tr = torch.tensor(split.y_train)
X_va = torch.tensor(split.X_val / 16, dtype=torch.float64)
print(tuple(X_tr.shape), tuple(X_va.shape))

# %% [markdown]
# ## Exercise 11.1: a convolution is a constrained dense layer (`conv_as_matrix`, 3 points)
#
# Write `conv_as_matrix(weight, bias)` for a convolution with one input channel, $C$ output channels, a $3\times3$
# kernel and zero padding 1 on $8\times8$ images (`weight` of shape (C, 1, 3, 3), `bias` of shape (C,), NumPy
# arrays). Return `(M, b)` with `M` of shape $(64C, 64)$ and `b` of shape $(64C,)$ such that, for images flattened
# row by row, `conv(x).reshape(n, 64 * C) == x.reshape(n, 64) @ M.T + b`. Like torch, the convolution is a
# cross-correlation: output $(c, i, j)$ is $\text{bias}_c + \sum_{a,b\in\{-1,0,1\}} w_{c,0,a+1,b+1}\,x_{i+a,j+b}$,
# with $x = 0$ outside the image. Build `M` entry by entry (no call to torch). The check compares with
# `torch.nn.functional.conv2d`, and counts the non-zero entries and distinct values of `M`: local connectivity
# and weight sharing.

# %% regbook={"exercise": "11.1", "name": "conv_as_matrix"} tags=["solution"]
def conv_as_matrix(weight, bias):
    """Dense (64C, 64) matrix and (64C,) offset of a 3x3, padding-1 convolution on 8x8 images."""
    ### BEGIN SOLUTION
    C = weight.shape[0]
    M = np.zeros((64 * C, 64))
    for c in range(C):
        for i in range(8):
            for j in range(8):
                for a in (-1, 0, 1):
                    for b in (-1, 0, 1):
                        if 0 <= i + a < 8 and 0 <= j + b < 8:
                            M[c * 64 + i * 8 + j, (i + a) * 8 + (j + b)] = weight[c, 0, a + 1, b + 1]
    return M, np.repeat(bias, 64)
    ### END SOLUTION


# %% regbook={"exercise": "11.1", "points": 3} tags=["check"]
gen = torch.Generator().manual_seed(111)
w_conv = torch.randn(4, 1, 3, 3, dtype=torch.float64, generator=gen)
b_conv = torch.randn(4, dtype=torch.float64, generator=gen)
M, b_vec = conv_as_matrix(w_conv.numpy(), b_conv.numpy())
checks.check_shape(M, (256, 64), name="Exercise 11.1 conv_as_matrix M")
x_img = X_tr[:10].reshape(10, 1, 8, 8)
ref = F.conv2d(x_img, w_conv, b_conv, padding=1).reshape(10, 256).numpy()
checks.check_close(X_tr[:10].numpy() @ np.asarray(M).T + b_vec, ref, rtol=1e-10, atol=1e-12,
                   name="Exercise 11.1 conv_as_matrix vs torch conv2d")
M = np.asarray(M)
checks.check_true(int(np.count_nonzero(M)) == 4 * (36 * 9 + 24 * 6 + 4 * 4), name="Exercise 11.1 conv_as_matrix",
                  expected="4 x 484 non-zero entries (9 per interior pixel, 6 per edge pixel, 4 per corner)")
checks.check_true(len(np.unique(M[M != 0])) == 36, name="Exercise 11.1 conv_as_matrix",
                  expected="36 distinct non-zero values (4 filters x 9 taps)")
print("Exercise 11.1 passed")

# %% [markdown]
# ## Exercise 11.2: batch norm for feature maps (`spatial_batchnorm`, 2 points)
#
# Write `spatial_batchnorm(x, gamma, beta, eps)` for `x` of shape (N, C, H, W) in training mode: per channel, the
# mean and the biased variance over the $N\cdot H\cdot W$ values of that channel, then
# $\gamma_c\hat x + \beta_c$. The check compares with `torch.nn.functional.batch_norm` (which is what
# `BatchNorm2d` computes) and with `regbook.np.normalization.batchnorm_forward` on the (N, C, H·W) view.

# %% regbook={"exercise": "11.2", "name": "spatial_batchnorm"} tags=["solution"]
def spatial_batchnorm(x, gamma, beta, eps):
    """Training-mode batch norm of feature maps x (N, C, H, W), statistics per channel; same shape as x."""
    ### BEGIN SOLUTION
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    return gamma[None, :, None, None] * (x - mu) / np.sqrt(var + eps) + beta[None, :, None, None]
    ### END SOLUTION


# %% regbook={"exercise": "11.2", "points": 2} tags=["check"]
gen = np.random.default_rng(112)
fm = gen.standard_normal((6, 3, 4, 4)) * np.array([1.0, 5.0, 0.2])[None, :, None, None] + 2.0
g_bn, b_bn = np.array([1.0, 0.5, 2.0]), np.array([0.0, -1.0, 0.3])
out = spatial_batchnorm(fm, g_bn, b_bn, 1e-5)
ref_t = F.batch_norm(torch.tensor(fm), None, None, torch.tensor(g_bn), torch.tensor(b_bn), training=True, eps=1e-5)
checks.check_close(out, ref_t.numpy(), rtol=1e-10, atol=1e-12, name="Exercise 11.2 spatial_batchnorm vs torch")
ref_np = batchnorm_forward(fm.reshape(6, 3, 16), g_bn, b_bn, training=True, running_mean=None, running_var=None)[0]
checks.check_close(np.asarray(out).reshape(6, 3, 16), ref_np, rtol=1e-10, atol=1e-12,
                   name="Exercise 11.2 spatial_batchnorm vs regbook on the (N, C, H*W) view")
print("Exercise 11.2 passed")

# %% [markdown]
# ## Exercise 11.3: the cosine schedule (`cosine_lr`, 1 point)
#
# Return the array of the $T$ learning rates $\eta_1, \dots, \eta_T$ of {eq}`eq-ch11-cosine`. The check compares them
# with the rates that `torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T)` gives an optimizer, epoch by epoch.

# %% regbook={"exercise": "11.3", "name": "cosine_lr"} tags=["solution"]
def cosine_lr(lr0, T):
    """Learning rates (T,) of epochs 1..T of the cosine schedule from lr0 to 0."""
    ### BEGIN SOLUTION
    t = np.arange(1, T + 1)
    return lr0 / 2 * (1 + np.cos(np.pi * (t - 1) / T))
    ### END SOLUTION


# %% regbook={"exercise": "11.3", "points": 1} tags=["check"]
for lr0, T in ((1e-2, 100), (0.5, 7)):
    rates = cosine_lr(lr0, T)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=T)
    used = []
    for _ in range(T):
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    checks.check_close(rates, used, rtol=1e-9, atol=1e-15, name=f"Exercise 11.3 cosine_lr (lr0={lr0}, T={T})")
print("Exercise 11.3 passed")

# %% [markdown]
# ## Exercise 11.4 (experiment): label smoothing caps the confidence (`train_softmax`, 2 points)
#
# Write `train_softmax(X, y, epsilon, epochs, seed)`: set `torch.manual_seed(seed)`, build a softmax regression
# `nn.Linear(64, 10).double()`, and train it for `epochs` full-batch steps of regbook's `AdamW` with `lr=0.05` and
# `weight_decay=0`, on the label-smoothed cross-entropy (`LabelSmoothingCrossEntropy(epsilon)`); return the model.
# The check compares your weights with a recomputation, then measures the mean of the largest predicted
# probability on the validation images: with $\varepsilon = 0.1$ it must be lower than without smoothing, and on
# the training images it cannot exceed by much the target's own largest probability $1 - \varepsilon + \varepsilon/K
# = 0.91$, while without smoothing it exceeds 0.95. Then answer in a sentence: does a lower confidence mean a
# worse classifier? (Compare the validation accuracies.)

# %% regbook={"exercise": "11.4", "name": "train_softmax"} tags=["solution"]
def train_softmax(X, y, epsilon, epochs, seed):
    """A float64 nn.Linear(64, 10) trained by full-batch AdamW (lr 0.05) on the label-smoothed loss."""
    ### BEGIN SOLUTION
    torch.manual_seed(seed)
    model = nn.Linear(64, 10).double()
    opt = AdamW(model.parameters(), lr=0.05, weight_decay=0.0)
    loss_fn = LabelSmoothingCrossEntropy(epsilon)
    for _ in range(epochs):
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()
    return model
    ### END SOLUTION


# %% regbook={"exercise": "11.4", "points": 2} tags=["check"]
EPOCHS_LS = 300
models = {eps: train_softmax(X_tr, y_tr, eps, EPOCHS_LS, 0) for eps in (0.0, 0.1)}
torch.manual_seed(0)
ref_model = nn.Linear(64, 10).double()
ref_opt = AdamW(ref_model.parameters(), lr=0.05, weight_decay=0.0)
for _ in range(EPOCHS_LS):
    ref_opt.zero_grad()
    F.cross_entropy(ref_model(X_tr), y_tr, label_smoothing=0.1).backward()
    ref_opt.step()
checks.check_close(models[0.1].weight.detach(), ref_model.weight.detach(), rtol=1e-6, atol=1e-9,
                   name="Exercise 11.4 train_softmax weights (epsilon=0.1) vs a recomputation")
with torch.no_grad():
    conf = {(eps, part): torch.softmax(m(Xp), dim=1).max(dim=1).values.mean().item()
            for eps, m in models.items() for part, Xp in (("train", X_tr), ("val", X_va))}
checks.check_true(conf[0.1, "val"] < conf[0.0, "val"], name="Exercise 11.4 train_softmax",
                  expected=f"a lower validation confidence with smoothing ({conf[0.1, 'val']:.3f} vs {conf[0.0, 'val']:.3f})")
checks.check_true(conf[0.1, "train"] < 0.93 and conf[0.0, "train"] > 0.95, name="Exercise 11.4 train_softmax",
                  expected=f"training confidence below 0.93 with smoothing ({conf[0.1, 'train']:.3f}) "
                           f"and above 0.95 without ({conf[0.0, 'train']:.3f})")
print("Exercise 11.4 passed")

# %% [markdown]
# ## Exercise 11.5: architecture as a prior (written)
#
# (a) From your matrix of exercise 11.1: how many free parameters does the first convolution of the chapter's CNN
# (8 filters) have, and how many would a dense layer with the same input and output sizes have? In what sense is a
# convolution "a dense layer with a penalty of infinite strength"? (b) Shifting every training image by one pixel
# (augmentation) and using a convolution both encode that a shifted digit is the same digit. Why are they not
# redundant in the chapter's network? (c) The chapter selects each technique's setting on the validation set and
# then combines them. Why can the combination be worse than the best single technique?

# %% [markdown] regbook={"exercise": "11.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) $8\times(9 + 1) = 80$ parameters, against $512\times64 + 512 = 33{,}280$ for a dense layer from 64 pixels to
# $8\times64$ outputs. The convolution is the dense layer restricted to the subspace where every weight outside a
# $3\times3$ neighbourhood is zero and the weights of the same filter tap are equal at every position: the limit of a
# penalty $\lambda\bigl(\sum_{\text{non-local}}W^2 + \sum(\text{differences of tied weights})^2\bigr)$ as
# $\lambda\to\infty$, i.e. a hard constraint.
#
# (b) The convolution is (nearly) shift-*equivariant*: a shifted input gives shifted feature maps. The network as a
# whole is not shift-*invariant*: the final dense layer reads the $4\times4$ feature maps position by position, the
# max-pooling is invariant only to some shifts, and the borders break equivariance. Augmentation teaches the
# invariance the architecture lacks, and also covers rotations, which the convolution does not encode.
#
# (c) The settings were tuned one technique at a time; the techniques overlap in what they do (dropout, weight decay,
# label smoothing and augmentation all reduce the effective capacity), so their sum can over-regularize and
# underfit. The combination's own settings would have to be tuned jointly, and with 359 validation images the
# differences between good combinations are within the noise of the selection.
# <!-- END SOLUTION -->
