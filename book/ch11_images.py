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
# (ch-images)=
# # Application: classifying handwritten digits with a small CNN
#
# Image classification is the application every source names first ("图像识别", "图像分类") and the one
# where regularization (正则化) became standard practice: the convolutional network that won the ImageNet
# challenge in 2012 was trained with weight decay, dropout and data augmentation together
# {cite}`krizhevsky2012imagenet`. This
# chapter runs that comparison on a problem small enough to repeat on a laptop in about a minute:
# scikit-learn's $8\times 8$ handwritten digits, a convolutional neural network (卷积神经网络) with two
# convolutional layers, and only 25 training images per digit, so that the unregularized network overfits
# (过拟合).
#
# We train the same network with no regularization; with each technique of the earlier chapters on its own,
# weight decay (权重衰减, {doc}`ch02_ridge`), dropout (随机失活, {doc}`ch06_dropout`), batch normalization
# (批量归一化, {doc}`ch07_batchnorm`), early stopping (早停, {doc}`ch08_early_stopping`), data augmentation
# (数据增强, {doc}`ch10_data_side`) and label smoothing (标签平滑); and with the techniques combined. Each
# technique's setting is chosen on a validation set from a small grid that is reported in full; test scores
# are read once, at the end. Every number is a mean ± standard deviation (NumPy's `std`, which divides by the
# number of seeds) over three seeds, each seed drawing a different training subset, initialization, dropout
# masks and augmentations. Everything is trained with
# the book's training loop `regbook.pt.train`, whose per-batch hooks are where the regularizers plug in.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from myst_nb import glue
from torch import nn

import regbook
from regbook import checks, data, plotting
from regbook.pt import AdamW, BatchNorm1d, Dropout, EarlyStopping
from regbook.pt.augment import digits_transform, shift_images_by
from regbook.pt.label_smoothing import LabelSmoothingCrossEntropy
from regbook.pt.penalties import param_groups
from regbook.pt.training import EarlyStoppingCallback, LRSchedulerCallback, accuracy, train

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Data and protocol
#
# `regbook.data.load_dataset("digits", seed=0)` splits the 1797 images once, stratified by digit, into a
# training part (60%), a validation part and a test part (20% each). From the training part each seed draws
# 25 images of every digit; the validation set (359 images) decides every hyperparameter and the test set
# (359 images) is used only for the final table. Pixels are divided by 16, their maximum, and are not
# standardized: the background stays exactly 0, so that the augmentations below can fill the pixels they
# uncover with zeros.

# %%
split = data.load_dataset("digits", seed=0, standardize=False)   # pixel values 0..16, fixed stratified split
PER_CLASS, SEEDS = 25, (0, 1, 2)


def to_tensor(X):
    """Pixels scaled to [0, 1] (background 0, so shifts and rotations can fill with zeros)."""
    return torch.tensor(X / 16, dtype=torch.float32)                 # (n, 64)


VAL = (to_tensor(split.X_val), torch.tensor(split.y_val))           # 359 images, for every choice
TEST = (to_tensor(split.X_test), torch.tensor(split.y_test))        # 359 images, looked at once


def training_subset(seed):
    """A class-balanced subset of the training part: PER_CLASS images of each digit, drawn with `seed`."""
    r = np.random.default_rng(seed)
    idx = np.concatenate([r.choice(np.flatnonzero(split.y_train == c), PER_CLASS, replace=False)
                          for c in range(10)])
    return to_tensor(split.X_train[idx]), torch.tensor(split.y_train[idx])


X0, y0 = training_subset(0)
print(f"training subset {tuple(X0.shape)} ({PER_CLASS} per digit, drawn from {len(split.y_train)}), "
      f"validation {tuple(VAL[0].shape)}, test {tuple(TEST[0].shape)}")
assert torch.equal(torch.bincount(y0), torch.full((10,), PER_CLASS))

# %% [markdown]
# ## The model: a small CNN, and batch norm for feature maps
#
# The network has two $3\times 3$ convolutions with 8 and 16 channels, a $2\times2$ max-pooling after the
# first, and a linear layer on the $16\times4\times4$ feature maps. Its batch-normalized variant puts a batch
# normalization after each convolution; its dropout variant drops the 256 inputs of the last layer. The batch
# normalization is regbook's own `regbook.pt.BatchNorm1d` applied to the $(N, C, H\!\cdot\! W)$ view of the
# $(N, C, H, W)$ feature maps: `BatchNorm1d` normalizes each channel over all axes but the second, so on this
# view its statistics are taken per channel over the batch *and* the pixel positions, which is exactly
# `torch.nn.BatchNorm2d`. A convolution with $C_\text{in}$ input and $C_\text{out}$ output channels and a
# $k\times k$ kernel has $C_\text{out}(C_\text{in}k^2 + 1)$ parameters.

# %%
class SpatialBatchNorm(nn.Module):
    """Batch norm for feature maps: regbook's BatchNorm1d on the (N, C, H*W) view of (N, C, H, W)."""

    def __init__(self, channels):
        super().__init__()
        self.bn = BatchNorm1d(channels)

    def forward(self, x):                           # (N, C, H, W)
        return self.bn(x.flatten(2)).view_as(x)     # statistics per channel, over N, H and W


def make_cnn(*, p=0.0, batch_norm=False):
    """conv 3x3 (8) -> [BN] -> ReLU -> max-pool 2 -> conv 3x3 (16) -> [BN] -> ReLU -> dropout p -> linear."""
    norm = (lambda c: [SpatialBatchNorm(c)]) if batch_norm else (lambda c: [])
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),                                             # (N, 64) -> (N, 1, 8, 8)
        nn.Conv2d(1, 8, 3, padding=1), *norm(8), nn.ReLU(), nn.MaxPool2d(2),    # (N, 8, 4, 4)
        nn.Conv2d(8, 16, 3, padding=1), *norm(16), nn.ReLU(),                   # (N, 16, 4, 4)
        nn.Flatten(), Dropout(p), nn.Linear(16 * 4 * 4, 10))                    # (N, 10) logits


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def conv_params(c_in, c_out, k):
    """Parameters of a k x k convolution, C_out (C_in k^2 + 1): the weights and one bias per output channel."""
    return c_out * (c_in * k * k + 1)


cnn = make_cnn()
counts = {"conv 1": conv_params(1, 8, 3), "conv 2": conv_params(8, 16, 3), "linear": 256 * 10 + 10}
mlp_ch6 = (64 * 128 + 128) + (128 * 128 + 128) + (128 * 10 + 10)       # chapter 6's 64-128-128-10 network
print(cnn)
print(f"parameters: {counts} -> {sum(counts.values())}; the MLP of chapter 6 has {mlp_ch6}")
layers = [m for m in cnn if isinstance(m, (nn.Conv2d, nn.Linear))]
assert [n_params(m) for m in layers] == list(counts.values()) and n_params(cnn) == sum(counts.values())
glue("ch11_n_params", n_params(cnn), display=False)
glue("ch11_n_params_mlp", mlp_ch6, display=False)

# %% [markdown]
# With {glue:text}`ch11_n_params` parameters the CNN is far smaller than the fully connected network of
# {doc}`ch06_dropout` ({glue:text}`ch11_n_params_mlp` parameters), yet we will see it overfit 250 images. The
# convolution is itself a constraint on the weights. Written as a dense layer, the first convolution maps the
# 64 pixels to $8\times 64 = 512$ outputs through a $512\times 64$ matrix, but that matrix is zero except
# where a pixel lies in a $3\times3$ neighbourhood, and its non-zero entries take only the $8\times 9 = 72$
# values of the filters: **local connectivity and weight sharing**, an architectural prior that every shifted
# copy of a pattern should be detected by the same filter {cite}`lecun1998gradient`. The next cell builds that
# matrix by feeding the 64 one-pixel images through the layer and checks that it reproduces the convolution.

# %%
conv = nn.Conv2d(1, 8, 3, padding=1).double()
basis = torch.eye(64, dtype=torch.float64).reshape(64, 1, 8, 8)                              # the 64 one-pixel images
with torch.no_grad():
    M = (conv(basis) - conv.bias[None, :, None, None]).reshape(64, 512).T   # (512, 64): conv as a matrix
    x_test = torch.rand(5, 1, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    as_matrix = x_test.reshape(5, 64) @ M.T + conv.bias.repeat_interleave(64)        # (5, 512)
    err_conv = checks.rel_error(conv(x_test).reshape(5, 512), as_matrix)
distinct = torch.unique(M[M != 0]).numel()
print(f"the first convolution as a dense layer: a {tuple(M.shape)} matrix, {int((M != 0).sum())} non-zero "
      f"entries, {distinct} distinct values (8 filters x 9 taps); conv vs matrix "
      f"{checks.error_bound(err_conv, floor=1e-10)}")
taps_per_axis = sum(min(i + 1, 7) - max(i - 1, 0) + 1 for i in range(8))   # in-image taps along one axis: 22
assert distinct == 72 and err_conv < 1e-10 and int((M != 0).sum()) == 8 * taps_per_axis ** 2
glue("ch11_conv_nonzero", int((M != 0).sum()), display=False)
glue("ch11_conv_entries", M.numel(), display=False)
glue("ch11_taps_per_axis", taps_per_axis, display=False)

# %% [markdown]
# The matrix has {glue:text}`ch11_conv_nonzero` non-zero entries out of {glue:text}`ch11_conv_entries` and
# 72 distinct values; a dense layer of the same shape would have {glue:text}`ch11_conv_entries` free weights.
# The count is $8 \times 22^2$: along each axis the window of the 8 positions covers
# {glue:text}`ch11_taps_per_axis` in-image taps in all, 3 for each of the 6 inner positions and 2 for each of
# the 2 border ones, because the zero padding contributes nothing.
#
# Next, the batch normalization for feature maps against `torch.nn.BatchNorm2d`, in float64: training-mode
# output, the gradient with respect to the input, the running statistics after two batches, and the
# evaluation-mode output.

# %%
x_bn = torch.randn(6, 3, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(1), requires_grad=True)
ours, ref = SpatialBatchNorm(3).double(), nn.BatchNorm2d(3).double()
upstream = torch.randn(6, 3, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
bn_err = {}
for name, layer in (("ours", ours), ("torch", ref)):
    out = layer(x_bn)                                     # training mode: batch statistics
    out.backward(upstream)
    bn_err[name] = (out.detach(), x_bn.grad.clone())
    x_bn.grad = None
    layer(x_bn.detach() * 2 + 1)                          # a second batch for the running statistics
errs = {"training-mode output": checks.rel_error(bn_err["ours"][0], bn_err["torch"][0]),
        "input gradient": checks.rel_error(bn_err["ours"][1], bn_err["torch"][1]),
        "running mean": checks.rel_error(ours.bn.running_mean, ref.running_mean),
        "running variance": checks.rel_error(ours.bn.running_var, ref.running_var),
        "eval-mode output": checks.rel_error(ours.eval()(x_bn).detach(), ref.eval()(x_bn).detach())}
for name, err in errs.items():
    print(f"{name:<22} SpatialBatchNorm vs torch.nn.BatchNorm2d: rel. error {checks.error_bound(err)}")
assert max(errs.values()) < 1e-12

# %% [markdown]
# ## Training, and where each regularizer enters
#
# Every network is trained by `regbook.pt.train` for 100 full-batch epochs with regbook's AdamW. The learning
# rate starts at $\eta_0 = 10^{-2}$ and follows a cosine to zero {cite}`loshchilov2017sgdr`,
#
# $$
# \eta_t = \frac{\eta_0}{2}\Big(1 + \cos\frac{\pi (t-1)}{T}\Big), \qquad t = 1, \dots, T = 100,
# $$ (eq-ch11-cosine)
#
# stepped after every epoch by an `LRSchedulerCallback`, which also records the rate each epoch used. The
# decaying rate lets every variant settle; in trial runs without it (not shown), the batch-normalized networks
# with weight decay jumped between good and bad solutions late in training. With label smoothing
# $\varepsilon$ and $K = 10$ classes, the loss of one example with logits $z$ and label $y$ is
#
# $$
# \ell_\varepsilon(z, y) = -\sum_{k=1}^{K} q_k \log\operatorname{softmax}(z)_k, \qquad
# q_k = (1-\varepsilon)\,[k = y] + \frac{\varepsilon}{K},
# $$ (eq-ch11-label-smoothing)
#
# the cross-entropy against a target that puts $\varepsilon$ of its mass uniformly on all classes
# {cite}`szegedy2016rethinking`. With $\varepsilon = 0$ it is the negative log-likelihood (NLL), the score we
# select and report with. Each technique enters `train` at a different place:
#
# | technique | in this chapter | enters `regbook.pt.train` through | theory |
# | --- | --- | --- | --- |
# | weight decay | `AdamW(param_groups(model, λ))`: $w \leftarrow (1-\eta\lambda)w - \eta\,\text{Adam}$, weights only | the optimizer | {doc}`ch02_ridge`, {doc}`ch09_optimization` |
# | dropout | `regbook.pt.Dropout(p)` before the last layer | the model (`model.train()` / `eval()`) | {doc}`ch06_dropout` |
# | batch norm | `SpatialBatchNorm` after each convolution | the model | {doc}`ch07_batchnorm` |
# | augmentation | `regbook.pt.augment.digits_transform(max_shift, max_degrees)` | `transform=`, training batches only | {doc}`ch10_data_side` |
# | early stopping | `EarlyStoppingCallback(EarlyStopping(patience=20), monitor="val_nll")` | `callbacks=`; restores the best weights | {doc}`ch08_early_stopping` |
# | label smoothing | `LabelSmoothingCrossEntropy(ε)` {eq}`eq-ch11-label-smoothing` | `loss_fn` (training only; NLL is a metric) | {doc}`ch10_data_side` |
#
# Biases and batch-norm parameters are not decayed (`param_groups`, see {doc}`ch02_ridge`). The helper `fit`
# below builds one network and trains it; `run_condition` does so for every seed and scores the result on
# the validation and test sets.

# %%
EPOCHS, LR = 100, 1e-2
METRICS = {"accuracy": accuracy, "nll": lambda output, y: F.cross_entropy(output, y).item()}


def fit(seed, *, wd=0.0, p=0.0, batch_norm=False, aug=None, patience=None, eps=0.0, curves=False):
    """One CNN trained on training_subset(seed) with the given regularizers; returns (model, history).

    The validation set is scored every epoch only when early stopping needs it or `curves` are asked for,
    the training set only for `curves`: per-epoch evaluation costs as much as training here.
    """
    torch.manual_seed(seed)                                             # initialization and dropout masks
    model = make_cnn(p=p, batch_norm=batch_norm)
    opt = AdamW(param_groups(model, wd), lr=LR)                         # decay on conv/linear weights only
    callbacks = [LRSchedulerCallback(torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS))]
    if patience is not None:
        callbacks.append(EarlyStoppingCallback(EarlyStopping(patience=patience), monitor="val_nll"))
    history = train(model, LabelSmoothingCrossEntropy(eps) if eps > 0 else F.cross_entropy, opt,
                    training_subset(seed), epochs=EPOCHS, metrics=METRICS, callbacks=callbacks,
                    val_data=VAL if curves or patience is not None else None, eval_train=curves,
                    transform=None if aug is None else digits_transform(*aug),
                    generator=torch.Generator().manual_seed(seed), progress=False)
    return model, history


def evaluate(model, X, y):
    """Negative log-likelihood (mean cross-entropy) and accuracy, in eval mode."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
    return F.cross_entropy(logits, y).item(), accuracy(logits, y)


RUNS = {}            # name -> one dict per seed: model, history, validation and test scores, epochs run


def run_condition(name, **settings):
    """Train `name` on every seed; store validation and test scores (the test scores are read at the end)."""
    RUNS[name] = []
    for seed in SEEDS:
        model, history = fit(seed, **settings)
        val_nll, val_acc = evaluate(model, *VAL)
        test_nll, test_acc = evaluate(model, *TEST)
        RUNS[name].append(dict(model=model, history=history, val_nll=val_nll, val_acc=val_acc,
                               test_nll=test_nll, test_acc=test_acc, epochs=history.epochs_run))


def scores(name, key):
    """One score of condition `name` over the seeds, as an array."""
    return np.array([r[key] for r in RUNS[name]])


# %% [markdown]
# Three checks of the formulas first. The weight-decay row of the table: one step of regbook's `AdamW` on
# `param_groups(model, λ)` differs from the same step with $\lambda = 0$ by exactly $-\eta\lambda w$ on the
# convolution and linear weights, and not at all on biases and batch-norm parameters (float64, the
# batch-normalized network, the same gradients for both). Then regbook's label-smoothed cross-entropy against
# {eq}`eq-ch11-label-smoothing` written out and against PyTorch's `label_smoothing` argument; and, after the
# first runs, the learning rates recorded by the callback against {eq}`eq-ch11-cosine`.

# %%
torch.manual_seed(0)
net_decay = make_cnn(batch_norm=True).double()
net_plain = make_cnn(batch_norm=True).double()
net_plain.load_state_dict(net_decay.state_dict())                          # identical copies
w_before = [w.detach().clone() for w in net_decay.parameters()]
for net, lam in ((net_decay, 1.0), (net_plain, 0.0)):
    F.cross_entropy(net(X0.double()), y0).backward()                      # the same gradients for both
    AdamW(param_groups(net, lam), lr=LR).step()
decayed_ids = {id(w) for w in param_groups(net_decay, 1.0)[0]["params"]}
decay_errs, untouched, decayed_names = [], [], []
for (name, wa), wb, w0 in zip(net_decay.named_parameters(), net_plain.parameters(), w_before):
    if id(wa) in decayed_ids:
        decayed_names.append(name)
        decay_errs.append(checks.rel_error((wa - wb).detach(), -LR * 1.0 * w0))
    else:
        untouched.append(torch.equal(wa, wb))
print(f"decayed: {decayed_names}; step difference vs -ηλw: rel. error {checks.error_bound(max(decay_errs))}; "
      f"{sum(untouched)} of {len(untouched)} other tensors (biases, batch-norm scales and shifts) identical")
assert len(decayed_names) == 3 and max(decay_errs) < 1e-10 and all(untouched)

# %%
z = torch.randn(7, 10, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
y_ls = torch.tensor([0, 3, 9, 2, 2, 5, 7])
log_p = torch.log_softmax(z, dim=1)
q = (1 - 0.1) * F.one_hot(y_ls, 10).double() + 0.1 / 10                    # (7, 10) smoothed targets
by_formula = -(q * log_p).sum(dim=1).mean()
ls_errs = {"regbook vs formula": checks.rel_error(LabelSmoothingCrossEntropy(0.1)(z, y_ls), by_formula),
           "torch vs formula": checks.rel_error(F.cross_entropy(z, y_ls, label_smoothing=0.1), by_formula)}
for name, err in ls_errs.items():
    print(f"label smoothing, {name}: rel. error {checks.error_bound(err)}")
assert max(ls_errs.values()) < 1e-12

# %% [markdown]
# ## Why: the unregularized network overfits
#
# The baseline: no regularizer, AdamW with $\lambda = 0$, three seeds. For this run the training and
# validation losses are recorded after every epoch.

# %%
run_condition("none", curves=True)
base = {k: np.array([r["history"][k] for r in RUNS["none"]]) for k in ("train_loss", "val_loss", "lr")}
t = np.arange(1, EPOCHS + 1)
err_lr = checks.rel_error(base["lr"][0], LR * (1 + np.cos(np.pi * (t - 1) / EPOCHS)) / 2)
print(f"recorded learning rates vs the cosine formula: rel. error {checks.error_bound(err_lr, floor=1e-9)}")
assert err_lr < 1e-9

fig, ax = plt.subplots(figsize=(6.5, 4))
plotting.plot_learning_curves(base, ax=ax, metric="loss", ylabel="cross-entropy (NLL)", logy=True,
                              title=f"No regularization: {10 * PER_CLASS} training digits, mean ± std of 3 seeds")
plt.show()
best_epochs = base["val_loss"].argmin(axis=1) + 1
rise = base["val_loss"][:, -1] / base["val_loss"].min(axis=1)
print(f"final training loss at most {base['train_loss'][:, -1].max():.4f}; validation loss lowest at epochs "
      f"{best_epochs.tolist()}, final/lowest = {np.round(rise, 2).tolist()}")
train_fall = base["train_loss"][np.arange(len(SEEDS)), best_epochs - 1] / base["train_loss"][:, -1]
print(f"training loss at the best validation epoch / at the end: {np.round(train_fall, 1).tolist()}")
assert base["train_loss"][:, -1].max() < 0.02 and best_epochs.max() < EPOCHS // 2 and rise.min() > 1.0
assert train_fall.min() > 2                               # the training loss still falls severalfold
glue("ch11_base_train_fall_min", round(float(train_fall.min()), 1), display=False)
glue("ch11_base_train_loss", round(float(base["train_loss"][:, -1].max()), 4), display=False)
glue("ch11_base_best_epoch_max", int(best_epochs.max()), display=False)
glue("ch11_base_rise_max", round(float(rise.max()), 4), display=False)

# %% [markdown]
# The training loss falls to at most {glue:text}`ch11_base_train_loss` on every seed while the validation loss
# reaches its minimum by epoch {glue:text}`ch11_base_best_epoch_max` and never improves again (at the end it is
# up to {glue:text}`ch11_base_rise_max` times its minimum): after the best validation epoch the training loss
# still falls by a factor of at least {glue:text}`ch11_base_train_fall_min`, and the validation loss does not
# follow. This is the gap of {doc}`ch01_overfitting`, with a network of only {glue:text}`ch11_n_params`
# parameters.
#
# ## Augmented digits
#
# `digits_transform(max_shift, max_degrees)` returns the `transform(xb, yb, generator)` that `train` applies
# to every training batch (never to evaluation data). It rotates each image by a random angle in $[-d, d]$
# degrees, $d$ = `max_degrees` (bilinear interpolation about the centre), then shifts it by a random integer
# number of pixels in $[-s, s]$ along each axis, $s$ = `max_shift`, filling with zeros; labels are unchanged.
# A fresh draw is made for every batch, from the generator `train` passes. (The NumPy version of the image
# operations is shown in {doc}`ch10_data_side`, the training loop in {doc}`ch08_early_stopping`.) With
# rotation switched off, every augmented image must be one of the nine integer translates of the original,
# which the cell below checks for all 250 images before drawing a few examples.

# %%
regbook.show_source(digits_transform)

g_aug = torch.Generator().manual_seed(0)
shifted, _ = digits_transform(1, 0.0)(X0, y0, g_aug)
offsets = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
translates = torch.stack([shift_images_by(X0, [dx] * len(X0), [dy] * len(X0)) for dx, dy in offsets])  # (9, n, 64)
is_translate = (translates == shifted).all(dim=2).any(dim=0)
print(f"shift-only augmentation: {int(is_translate.sum())} of {len(X0)} images are exact integer translates")
assert bool(is_translate.all())

first = torch.arange(10) * PER_CLASS                      # the first training image of each digit
rotated, _ = digits_transform(1, 10.0)(X0[first], y0[first], torch.Generator().manual_seed(1))
again, _ = digits_transform(1, 10.0)(X0[first], y0[first], torch.Generator().manual_seed(1))
assert torch.equal(rotated, again)                        # the same generator state gives the same images
fig, axes = plt.subplots(3, 10, figsize=(11, 3.8), layout="constrained")
for j in range(10):
    for row, (imgs, label) in enumerate(((X0[first], "original"), (shifted[first], "shift ±1"),
                                         (rotated, "shift ±1,\nrotate ±10°"))):
        axes[row, j].imshow(imgs[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, j].set_xticks([])
        axes[row, j].set_yticks([])
        if j == 0:
            axes[row, j].set_ylabel(label, fontsize=9)
fig.suptitle("Training digits and one random augmentation of each")
plt.show()

# %% [markdown]
# ## Choosing each technique's setting on the validation set
#
# The grid is small and fixed in advance: weight decay $\lambda \in \{0.3, 1, 3\}$ (AdamW's decoupled decay,
# so each step multiplies the weights by $1 - \eta_t\lambda$); dropout $p \in \{0.25, 0.5\}$; augmentation by
# shifts of one pixel, with or without rotations of up to 10°. Batch normalization has no setting here; early
# stopping uses a patience of 20 epochs on the validation NLL and label smoothing $\varepsilon = 0.1$, the
# value of {cite}`szegedy2016rethinking`, without tuning. Each setting is trained on the three seeds and the
# one with the lowest mean validation NLL is kept. We select on NLL rather than accuracy because 359
# validation images give an accuracy in steps of {glue:text}`ch11_acc_step` percentage points, and NLL also
# rewards a model for knowing when it is unsure.

# %%
glue("ch11_acc_step", round(100 / len(VAL[1]), 4), display=False)   # one image, in percentage points
assert len(VAL[1]) == len(TEST[1]) == 359
CANDIDATES = {   # technique -> {label: settings}; each is trained on all seeds, chosen by mean validation NLL
    "weight decay": {f"weight decay λ={wd:g}": dict(wd=wd) for wd in (0.3, 1.0, 3.0)},
    "dropout": {f"dropout p={p:g}": dict(p=p) for p in (0.25, 0.5)},
    "batch norm": {"batch norm": dict(batch_norm=True)},
    "augmentation": {f"shift ±{s}" + (f", rotate ±{d:g}°" if d else ""): dict(aug=(s, d))
                     for s, d in ((1, 0.0), (1, 10.0))},
    "early stopping": {"early stopping": dict(patience=20)},
    "label smoothing": {"label smoothing ε=0.1": dict(eps=0.1)},
}
for options in CANDIDATES.values():
    for label, settings in options.items():
        run_condition(label, **settings)


def pm(name, key):
    v = scores(name, key)
    return f"{v.mean():.3f} ± {v.std():.3f}"


print(f"{'setting':<26}{'validation NLL':>16}{'validation accuracy':>22}")
for label in ["none", *(label for options in CANDIDATES.values() for label in options)]:
    print(f"{label:<26}{pm(label, 'val_nll'):>16}{pm(label, 'val_acc'):>22}")
CHOSEN = {technique: min(options, key=lambda label: scores(label, "val_nll").mean())
          for technique, options in CANDIDATES.items()}
print("chosen:", "; ".join(CHOSEN.values()))
val_mean = {label: scores(label, "val_nll").mean() for label in RUNS}
assert all(val_mean[label] < val_mean["none"] for label in CHOSEN.values())
ranked = sorted(CHOSEN.values(), key=val_mean.get)
margin = val_mean[ranked[1]] - val_mean[ranked[0]]
assert ranked[0] == "batch norm" and margin > 2 * max(scores(n, "val_nll").std() for n in ranked[:2])
assert CHOSEN["augmentation"] == "shift ±1"
glue("ch11_wd_chosen", float(CANDIDATES["weight decay"][CHOSEN["weight decay"]]["wd"]), display=False)
glue("ch11_p_chosen", float(CANDIDATES["dropout"][CHOSEN["dropout"]]["p"]), display=False)
glue("ch11_val_bn", round(float(val_mean["batch norm"]), 4), display=False)
glue("ch11_val_second", round(float(val_mean[ranked[1]]), 4), display=False)
glue("ch11_val_none", round(float(val_mean["none"]), 4), display=False)
glue("ch11_val_rot", round(float(val_mean["shift ±1, rotate ±10°"]), 4), display=False)
glue("ch11_val_shift", round(float(val_mean["shift ±1"]), 4), display=False)

# %% [markdown]
# Every technique, at its chosen setting, lowers the mean validation NLL below the baseline's
# {glue:text}`ch11_val_none`; weight decay $\lambda =$ {glue:text}`ch11_wd_chosen` and dropout
# $p =$ {glue:text}`ch11_p_chosen` are kept. Batch normalization is the clear winner on its own
# (validation NLL {glue:text}`ch11_val_bn` against {glue:text}`ch11_val_second` for the runner-up, a margin of
# more than two standard deviations). Rotations did not help: shifts alone reached
# {glue:text}`ch11_val_shift`, shifts with rotations {glue:text}`ch11_val_rot`, so the combination uses shifts
# only. A plausible reason: on $8\times8$ images a rotation by a few degrees moves few pixels by a whole
# step, while the bilinear interpolation blurs the strokes.
#
# ## The combination
#
# The combination uses weight decay, dropout, batch normalization and augmentation at their chosen settings,
# with early stopping watching the validation NLL. Label smoothing is added in a second variant because of
# what it does to NLL, discussed below.

# %%
combo = {}
for technique in ("weight decay", "dropout", "batch norm", "augmentation", "early stopping"):
    combo.update(CANDIDATES[technique][CHOSEN[technique]])
print("combination:", combo)
run_condition("combination", **combo, curves=True)
run_condition("combination + label smoothing", **combo, eps=0.1)
for name in ("combination", "combination + label smoothing"):
    print(f"{name:<30} validation NLL {pm(name, 'val_nll')}, accuracy {pm(name, 'val_acc')}; "
          f"epochs run {scores(name, 'epochs').tolist()}")

# %% [markdown]
# ## Test results
#
# Only now are the test scores read: for the baseline, each technique at its chosen setting, and the two
# combinations. "Epochs" is the mean number of epochs trained (early stopping can end a run before 100). The
# validation NLL of a run that early stopping ended is optimistic, since the same validation set chose its
# epoch; its test NLL is not.

# %%
ROWS = ["none", *CHOSEN.values(), "combination", "combination + label smoothing"]
table = ["| regularization | validation NLL | test NLL | test accuracy | epochs |",
         "| --- | --- | --- | --- | --- |"]
table += [f"| {name} | {pm(name, 'val_nll')} | {pm(name, 'test_nll')} | {pm(name, 'test_acc')} | "
          f"{scores(name, 'epochs').mean():.0f} |" for name in ROWS]
display(Markdown("\n".join(table)))

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, layout="constrained")
ypos = np.arange(len(ROWS))[::-1]
colors = ["tab:gray"] + ["tab:blue"] * (len(ROWS) - 3) + ["tab:green"] * 2
for ax, key, xlabel in zip(axes, ("test_nll", "test_acc"), ("test NLL (lower is better)", "test accuracy")):
    ax.barh(ypos, [scores(n, key).mean() for n in ROWS], xerr=[scores(n, key).std() for n in ROWS], color=colors)
    ax.axvline(scores("none", key).mean(), color="k", lw=0.8, ls="--")
    ax.set_xlabel(xlabel)
axes[0].set_yticks(ypos, ROWS)
axes[1].set_xlim(0.85, 1.0)
fig.suptitle("Test scores, mean ± std over 3 seeds (dashed: no regularization)")
plt.show()

# %% [markdown]
# The learning curves of the combination (seed 0) next to those of the baseline. Its training loss is
# measured on the unaugmented training images in evaluation mode, like the validation loss.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
plotting.plot_learning_curves(base, ax=axes[0], ylabel="cross-entropy (NLL)", logy=True,
                              title="no regularization (3 seeds)")
h_combo = RUNS["combination"][0]["history"]
plotting.plot_learning_curves(h_combo.to_dict(), ax=axes[1], ylabel="cross-entropy (NLL)", logy=True,
                              title="combination (seed 0; dashed: best epoch)")
axes[1].axvline(h_combo.best_epoch, color="k", lw=0.8, ls="--")
plt.show()
gap_base = base["val_loss"][:, -1] - base["train_loss"][:, -1]
gap_combo = np.array([r["history"]["val_loss"][-1] - r["history"]["train_loss"][-1] for r in RUNS["combination"]])
print(f"final validation minus training loss: baseline {np.round(gap_base, 3).tolist()}, "
      f"combination {np.round(gap_combo, 3).tolist()}")
assert gap_combo.max() < gap_base.min()
glue("ch11_gap_base_min", round(float(gap_base.min()), 4), display=False)
glue("ch11_gap_combo_max", round(float(gap_combo.max()), 4), display=False)
best_combo = [r["history"].best_epoch for r in RUNS["combination"]]
stopped = [r["history"].stopped_early for r in RUNS["combination"]]
print(f"combination: best epochs {best_combo}, stopped early: {stopped}")
assert not any(stopped) and all(b == EPOCHS for b in best_combo)

# %% [markdown]
# At the end of training the validation loss exceeds the training loss by at least
# {glue:text}`ch11_gap_base_min` for the baseline and by at most {glue:text}`ch11_gap_combo_max` for the
# combination, on every seed. Early stopping never triggered in the combination: on every seed the validation
# NLL was lowest at the last epoch, so the weights the callback restores at the end are the final ones.

# %% [markdown]
# ## What the combination still gets wrong
#
# The test digits that the combination misclassifies (seed 0), and baseline errors that it corrects.

# %%
def test_errors(name, seed_index=0):
    """Indices of misclassified test images and all predictions of one trained network."""
    model = RUNS[name][seed_index]["model"].eval()
    with torch.no_grad():
        pred = model(TEST[0]).argmax(1)
    return np.flatnonzero((pred != TEST[1]).numpy()), pred


wrong_base, pred_base = test_errors("none")
wrong_combo, pred_combo = test_errors("combination")
fixed, new = np.setdiff1d(wrong_base, wrong_combo), np.setdiff1d(wrong_combo, wrong_base)
print(f"seed 0: {len(wrong_base)} test errors without regularization, {len(wrong_combo)} with the combination; "
      f"{len(fixed)} baseline errors corrected, {len(new)} new ones")
assert len(wrong_combo) < len(wrong_base) and len(new) > 0
glue("ch11_err_base", len(wrong_base), display=False)
glue("ch11_err_combo", len(wrong_combo), display=False)
glue("ch11_err_fixed", len(fixed), display=False)
glue("ch11_err_new", len(new), display=False)

fig, axes = plt.subplots(2, 8, figsize=(10, 3.2), layout="constrained")
for ax, i in zip(axes[0], wrong_combo[:8]):
    ax.imshow(TEST[0][i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{TEST[1][i].item()} → {pred_combo[i].item()}", fontsize=10)
for ax, i in zip(axes[1], fixed[:8]):
    ax.imshow(TEST[0][i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{TEST[1][i].item()} → {pred_base[i].item()}", fontsize=10, color="tab:red")
for ax in axes.ravel():
    ax.axis("off")
fig.suptitle("Top: errors of the combination. Bottom: baseline errors it corrects (true → predicted)")
plt.show()

# %% [markdown]
# On seed 0 the baseline misclassifies {glue:text}`ch11_err_base` test digits and the combination
# {glue:text}`ch11_err_combo`. The combination corrects {glue:text}`ch11_err_fixed` of the baseline's errors
# but makes {glue:text}`ch11_err_new` new ones: regularization moves the decision boundaries, it does not only
# remove errors.
#
# (ch11-learned)=
# ## What we learned
#
# The next cell computes and asserts every statement of this section.

# %%
def mean(name, key):
    return float(scores(name, key).mean())


def std(name, key):
    return float(scores(name, key).std())


nll_gain = mean("none", "test_nll") - mean("combination", "test_nll")
acc_gain = mean("combination", "test_acc") - mean("none", "test_acc")
assert nll_gain > 2 * max(std("none", "test_nll"), std("combination", "test_nll"))
assert acc_gain > 2 * max(std("none", "test_acc"), std("combination", "test_acc"))
assert np.all(scores("combination", "test_nll") < scores("none", "test_nll"))        # seed by seed
assert np.all(scores("combination", "test_acc") > scores("none", "test_acc"))
assert max(mean(n, "test_acc") for n in CHOSEN.values()) < min(
    mean(n, "test_acc") for n in ("combination", "combination + label smoothing"))     # combining pays most
bn_vs_combo = mean("batch norm", "test_nll") - mean("combination", "test_nll")
assert 0 < bn_vs_combo < max(std("batch norm", "test_nll"), std("combination", "test_nll"))
bn_share = {key: (mean("batch norm", key) - mean("none", key)) / (mean("combination", key) - mean("none", key))
            for key in ("test_nll", "test_acc")}                     # share of the combination's gain
assert min(bn_share.values()) > 0.5
glue("ch11_bn_share_nll", round(100 * bn_share["test_nll"]), display=False)
glue("ch11_bn_share_acc", round(100 * bn_share["test_acc"]), display=False)
ls, wd, es = CHOSEN["label smoothing"], CHOSEN["weight decay"], CHOSEN["early stopping"]
assert mean(ls, "test_acc") - mean("none", "test_acc") > 2 * max(std(ls, "test_acc"), std("none", "test_acc"))
assert mean(ls, "test_nll") > max(mean(CHOSEN["dropout"], "test_nll"), mean("batch norm", "test_nll"))
assert np.all(scores("combination + label smoothing", "test_nll") > scores("combination", "test_nll") + 0.05)
assert abs(mean("combination + label smoothing", "test_acc") - mean("combination", "test_acc")) < 0.01
assert mean(wd, "test_nll") < mean("none", "test_nll") - std("none", "test_nll")
assert abs(mean(wd, "test_acc") - mean("none", "test_acc")) < 0.01
assert all(mean(CHOSEN[t], "test_acc") > mean("none", "test_acc")
           for t in ("dropout", "batch norm", "augmentation", "label smoothing"))   # (pitfalls section)
singles = list(CHOSEN.values())
assert abs(mean(es, "test_nll") - mean("none", "test_nll")) < std("none", "test_nll")
assert abs(mean(es, "test_acc") - mean("none", "test_acc")) < max(std(es, "test_acc"), std("none", "test_acc"))
assert max(singles, key=lambda n: mean(n, "test_nll")) == es
assert min(singles, key=lambda n: mean(n, "test_acc")) == es
aug = CHOSEN["augmentation"]
assert abs(mean(aug, "test_nll") - mean(wd, "test_nll")) < std("none", "test_nll")     # (pitfalls section)
assert mean(es, "epochs") < EPOCHS * 0.7 and np.all(scores("combination", "epochs") == EPOCHS)
glue("ch11_none_nll", round(mean("none", "test_nll"), 4), display=False)
glue("ch11_none_nll_std", round(std("none", "test_nll"), 4), display=False)
glue("ch11_none_acc", round(mean("none", "test_acc"), 4), display=False)
glue("ch11_none_acc_std", round(std("none", "test_acc"), 4), display=False)
glue("ch11_combo_nll", round(mean("combination", "test_nll"), 4), display=False)
glue("ch11_combo_nll_std", round(std("combination", "test_nll"), 4), display=False)
glue("ch11_combo_acc", round(mean("combination", "test_acc"), 4), display=False)
glue("ch11_combo_acc_std", round(std("combination", "test_acc"), 4), display=False)
glue("ch11_bn_nll", round(mean("batch norm", "test_nll"), 4), display=False)
glue("ch11_bn_acc", round(mean("batch norm", "test_acc"), 4), display=False)
glue("ch11_ls_acc", round(mean(ls, "test_acc"), 4), display=False)
glue("ch11_ls_nll", round(mean(ls, "test_nll"), 4), display=False)
glue("ch11_combo_ls_nll", round(mean("combination + label smoothing", "test_nll"), 4), display=False)
glue("ch11_combo_ls_acc", round(mean("combination + label smoothing", "test_acc"), 4), display=False)
glue("ch11_wd_nll", round(mean(wd, "test_nll"), 4), display=False)
glue("ch11_wd_acc", round(mean(wd, "test_acc"), 4), display=False)
glue("ch11_es_nll", round(mean(es, "test_nll"), 4), display=False)
glue("ch11_es_acc", round(mean(es, "test_acc"), 4), display=False)
glue("ch11_es_epochs", round(mean(es, "epochs"), 4), display=False)
glue("ch11_drop_nll", round(mean(CHOSEN["dropout"], "test_nll"), 4), display=False)
print(f"combination vs none: test NLL -{nll_gain:.3f}, test accuracy +{acc_gain:.3f}")


def confidence_when_right(name):
    """Mean predicted probability of the (correct) predicted class on correctly classified test images."""
    values = []
    for r in RUNS[name]:
        with torch.no_grad():
            prob = torch.softmax(r["model"].eval()(TEST[0]), dim=1)
        right = prob.argmax(1) == TEST[1]
        values.append(prob.max(1).values[right].mean().item())
    return float(np.mean(values))


def mean_confidence(name):
    """Mean top predicted probability over all test images and the seeds (to compare with the accuracy)."""
    values = []
    for r in RUNS[name]:
        with torch.no_grad():
            values.append(torch.softmax(r["model"].eval()(TEST[0]), dim=1).max(1).values.mean().item())
    return float(np.mean(values))


conf = {name: confidence_when_right(name) for name in ("combination", "combination + label smoothing")}
conf_all = {name: mean_confidence(name) for name in ("none", "combination", "combination + label smoothing")}
for name, c in conf_all.items():
    print(f"{name:<30} mean top probability {c:.3f}, accuracy {mean(name, 'test_acc'):.3f}")
assert conf_all["none"] > mean("none", "test_acc")                         # overconfident
assert all(conf_all[n] < mean(n, "test_acc") for n in ("combination", "combination + label smoothing"))
glue("ch11_confall_none", round(conf_all["none"], 4), display=False)
glue("ch11_confall_combo", round(conf_all["combination"], 4), display=False)
glue("ch11_confall_ls", round(conf_all["combination + label smoothing"], 4), display=False)
print(f"mean confidence on correctly classified test digits: {conf['combination']:.3f} without label smoothing, "
      f"{conf['combination + label smoothing']:.3f} with (its target for the true class: {1 - 0.1 + 0.1 / 10:.2f})")
assert conf["combination + label smoothing"] + 0.05 < conf["combination"]
glue("ch11_conf_combo", round(conf["combination"], 4), display=False)
glue("ch11_conf_ls", round(conf["combination + label smoothing"], 4), display=False)

# %% [markdown]
# - **Regularization pays off, and combining pays most in accuracy.** Without regularization the network
#   reaches a test NLL of {glue:text}`ch11_none_nll` ± {glue:text}`ch11_none_nll_std` and a test accuracy of
#   {glue:text}`ch11_none_acc` ± {glue:text}`ch11_none_acc_std`; the combination (weight decay, dropout, batch
#   norm, shifts, early stopping) reaches {glue:text}`ch11_combo_nll` ± {glue:text}`ch11_combo_nll_std` and
#   {glue:text}`ch11_combo_acc` ± {glue:text}`ch11_combo_acc_std`. Both gains exceed twice the larger standard
#   deviation, and the combination beats the baseline on every seed.
# - **Batch normalization did most of the work.** On its own it reached a test NLL of
#   {glue:text}`ch11_bn_nll` (accuracy {glue:text}`ch11_bn_acc`), {glue:text}`ch11_bn_share_nll`% of the
#   combination's improvement in NLL over the baseline and {glue:text}`ch11_bn_share_acc`% of its improvement
#   in accuracy; the combination's NLL is lower by less than one standard deviation, so on NLL the other
#   techniques add little on top of it. Training was full batch, so the batch statistics were computed on the
#   same 250 images at every step: whatever batch norm did here, it was not the noise of mini-batch statistics,
#   whose regularizing effect {ref}`the experiment of chapter 7 <ch-batchnorm-experiment>` could not detect
#   either.
# - **Label smoothing buys accuracy and costs likelihood.** It raised the test accuracy to
#   {glue:text}`ch11_ls_acc`, more than two standard deviations above the baseline, but its test NLL
#   ({glue:text}`ch11_ls_nll`) is worse than that of dropout ({glue:text}`ch11_drop_nll`) or batch norm. Added to
#   the combination it leaves the accuracy where it was ({glue:text}`ch11_combo_ls_acc`) and raises the NLL on
#   every seed, to {glue:text}`ch11_combo_ls_nll`. The reason is in the targets: trained towards a probability
#   of $1 - \varepsilon + \varepsilon/K = 0.91$ for the true class, the network gives the digits it classifies
#   correctly a mean probability of {glue:text}`ch11_conf_ls`, against {glue:text}`ch11_conf_combo` without
#   label smoothing, and every such image adds $-\log$ of that probability to the NLL. Label smoothing is known
#   to temper overconfident networks {cite}`muller2019when`, but this network was not overconfident: over all
#   test images the combination's mean top probability, {glue:text}`ch11_confall_combo`, is already below its
#   accuracy, and label smoothing lowers it to {glue:text}`ch11_confall_ls`. (The unregularized network is the
#   overconfident one: mean top probability {glue:text}`ch11_confall_none` at an accuracy of
#   {glue:text}`ch11_none_acc`.) Which of accuracy and NLL matters depends on the use: accuracy for a ranking of
#   classes, NLL when the probabilities are used {cite}`guo2017calibration`.
# - **Weight decay improved the probabilities, not the decisions.** Its test NLL ({glue:text}`ch11_wd_nll`) is
#   more than one baseline standard deviation lower, its accuracy ({glue:text}`ch11_wd_acc`) within a
#   percentage point of the baseline's.
# - **Early stopping did least.** Alone it stopped after {glue:text}`ch11_es_epochs` epochs on average, with
#   the highest mean test NLL ({glue:text}`ch11_es_nll`) and the lowest mean accuracy
#   ({glue:text}`ch11_es_acc`) of the single techniques, both within one standard deviation of the baseline's.
#   In the combination it never triggered: the validation NLL was lowest at the last epoch on every seed, so it
#   changed nothing.
# - **Rotations did not help** on these $8\times8$ images (validation, above); shifts by one pixel did.
#
# (ch11-pitfalls)=
# ## Pitfalls
#
# **Tuning on the test set.** Every choice above (the grid values, the combination, even dropping rotations)
# was made on the validation set. Choosing the best of the dozen conditions above by test score and reporting
# that score would report the luckiest of a dozen noisy estimates; with 359 test images, one image is
# {glue:text}`ch11_acc_step` percentage points of accuracy.
#
# **Reading one seed.** Across three seeds the baseline's test NLL has a standard deviation of
# {glue:text}`ch11_none_nll_std`: differences between single techniques of that size, such as between
# augmentation and weight decay here, are not findings. This chapter asserts only differences larger than the
# spread.
#
# **Augmenting standardized images.** Shifts and rotations fill the uncovered pixels with 0, which is the
# background only for raw or $[0, 1]$-scaled pixels. After standardization, 0 is the mean of each pixel, and a
# shifted image gets a border of grey mean values; augment first, then standardize.
#
# **Label smoothing in the validation loss.** With label smoothing, the loss that `train` records as
# `val_loss` is the smoothed loss; early stopping or model selection on it compares the smoothed objective,
# not the likelihood. Here early stopping monitors `val_nll`, a metric computed without smoothing.
#
# **"L1 and L2 on ImageNet" (source 004).** Source 004, §6.1, says that for image classification on ImageNet
# "可以在模型中引入L1和L2正则化" (one can add L1 and L2 regularization to the model) and names nothing else for
# CNNs. The network that made convolutional networks standard on ImageNet used weight decay, dropout and
# data augmentation, and no L1 {cite}`krizhevsky2012imagenet`. In this chapter's measurement, weight decay
# alone improved the test NLL (to {glue:text}`ch11_wd_nll` from {glue:text}`ch11_none_nll`) but not the
# accuracy, while batch normalization, dropout, shifts and label smoothing each raised the mean accuracy.
#
# ## Summary
#
# - On 250 training digits a CNN with {glue:text}`ch11_n_params` parameters overfits: training loss near
#   zero, validation loss rising after the first few dozen epochs.
# - Each regularizer enters `regbook.pt.train` at its own place: the optimizer (weight decay), the model
#   (dropout, batch norm), `transform` (augmentation), `callbacks` (early stopping) and `loss_fn` (label
#   smoothing).
# - Chosen on validation data and measured on test data over three seeds, the combination lowered the test NLL
#   from {glue:text}`ch11_none_nll` to {glue:text}`ch11_combo_nll` and raised the accuracy from
#   {glue:text}`ch11_none_acc` to {glue:text}`ch11_combo_acc`; batch normalization alone got most of the way.
# - Label smoothing raises accuracy and lowers likelihood; early stopping and rotations did little here.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 11 <exercises/solutions/a11_images>` has coding exercises on this chapter with checks
# you can run; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Mini-batches and batch norm.** Rerun batch norm alone and the combination with `batch_size=50` (and
#    20 epochs, so that the number of steps is the same: 5 per epoch instead of 1). Does batch norm's
#    advantage grow, now that its statistics are noisy? Report mean ± std over the three seeds and say whether the difference is larger
#    than the spread.
# 2. **A fairer early stopping.** Early stopping competed with a cosine schedule that already ends training
#    with tiny steps. Train the baseline with a constant learning rate of $10^{-3}$ for 300 epochs, with and
#    without `EarlyStoppingCallback(EarlyStopping(patience=20), monitor="val_nll")`. How much does early
#    stopping help now?
# 3. **Mixup.** Add `regbook.pt.augment.mixup_transform(alpha, 10)` to the candidates (it returns soft
#    targets, which `LabelSmoothingCrossEntropy` accepts) with $\alpha \in \{0.2, 0.4\}$, chosen on the
#    validation NLL. Does it replace label smoothing's gain in accuracy without its cost in NLL?
# 4. **Temperature scaling.** Fit a single temperature $T$ that divides the logits of the
#    "combination + label smoothing" networks, by minimizing the validation NLL {cite}`guo2017calibration`.
#    How much of the NLL gap to the combination without label smoothing does it close on the test set?
# 5. **More data.** Repeat the baseline and the combination with 10, 25 and 75 images per digit and plot
#    test accuracy against the training-set size. Does the benefit of regularization shrink as data grow?
#
# ## References
#
# Convolutional networks for digits: {cite}`lecun1998gradient`; augmentation of handwritten digits by small
# distortions: {cite}`simard2003best`. The combination of weight decay, dropout and augmentation on ImageNet:
# {cite}`krizhevsky2012imagenet`; dropout {cite}`srivastava2014dropout`; batch normalization
# {cite}`ioffe2015batch`; decoupled weight decay (AdamW) {cite}`loshchilov2019decoupled`; early stopping
# {cite}`prechelt1998early`; label smoothing {cite}`szegedy2016rethinking,muller2019when`; cosine learning
# rates {cite}`loshchilov2017sgdr`; calibration {cite}`guo2017calibration`. Full entries are in the
# {doc}`bibliography`.
