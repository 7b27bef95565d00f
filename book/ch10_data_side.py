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
# (ch-data-side)=
# # Data-side regularization and ensembles
#
# The penalties of chapters 2 to 5 change the objective; dropout and batch normalization change the network.
# This chapter changes the *data* the model is trained on, or the number of models that predict: **noise
# injection** (噪声注入) adds random perturbations to the inputs, **data augmentation** (数据增强) applies
# label-preserving transformations such as small rotations and shifts, **label smoothing** softens the
# targets, **mixup** trains on convex combinations of pairs of examples, and **ensembles** (模型集成) average
# the predictions of several models trained on resampled data (bagging) or taken along one training run
# (snapshot ensembles).
#
# Source 003 mentions augmentation and ensembling only as techniques to "combine with" regularization
# ("结合其他技术（如数据增强、模型集成等）"), outside it. In the broad definition of
# {doc}`ch01_overfitting` (any change to training meant to lower the error on new data rather than on the
# training data) they are regularizers {cite}`goodfellow2016deep`, and the first section shows that one of
# them is *exactly* the L2 penalty of {doc}`ch02_ridge` in disguise {cite}`bishop1995training`.
#
# Every formula is checked by an executed cell; the experiments train the same small network on the same
# 200 handwritten digits with each technique, over three seeds, and end in a
# {ref}`comparison table <ch10-table>`.

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue
from scipy import special
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from torch import nn

import regbook
from regbook import checks, data
from regbook.np import augment as np_augment
from regbook.np import ensembles as np_ensembles
from regbook.np import label_smoothing as np_ls
from regbook.np.linear import ridge
from regbook.pt import augment as pt_augment
from regbook.pt import ensembles as pt_ensembles
from regbook.pt import label_smoothing as pt_ls
from regbook.pt.training import LRSchedulerCallback, accuracy, train

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Noise injection is Tikhonov regularization
#
# ### Linear least squares: an exact identity
#
# Take a linear model $h = Xw$ with the mean squared error, and train it on inputs perturbed by
# independent Gaussian noise, $\tilde X = X + E$ with $E_{ij} \sim \mathcal N(0, \sigma^2)$, a fresh $E$ at
# every pass. With the residual $r = y - Xw$, the loss on the noisy inputs is
# $\lVert r - Ew\rVert^2/n$. Its expectation over the noise has three terms: $\lVert r\rVert^2$, a cross term
# $-2r^\top \mathbb E[E]\,w = 0$, and $\mathbb E\lVert Ew\rVert^2 = \sum_i \mathbb E[(e_i^\top w)^2] =
# n\sigma^2\lVert w\rVert^2$, because each row $e_i^\top w$ of $Ew$ is a sum of independent Gaussians with
# variance $\sigma^2\lVert w\rVert^2$. Hence
#
# $$
# \mathbb E_E\,\frac1n\lVert y - (X+E)w\rVert^2 = \frac1n\lVert y - Xw\rVert^2 + \sigma^2\lVert w\rVert^2
# \quad\text{for every } w,
# $$ (eq-noise-ridge)
#
# with no approximation. The expected noisy loss *is* the ridge objective, so its minimizer is the ridge
# solution with penalty $\sigma^2\lVert w\rVert^2$ in the mean-loss convention. Converted to the other
# conventions of the book ({doc}`notation`): $\lambda = 2\sigma^2$ in the book's
# $\frac1n\sum_i\ell_i + \frac\lambda2\lVert w\rVert^2$, and $\alpha = n\sigma^2$ in scikit-learn's and
# `regbook.np.linear.ridge`'s $\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert^2$. An intercept is not affected
# by the noise, which is why it stays unpenalized. The noise level plays the role of the penalty strength.
#
# First, {eq}`eq-noise-ridge` for one fixed $w$ by Monte Carlo: 20,000 noise matrices, and the distance
# between the average noisy loss and the right-hand side in standard errors of the Monte Carlo mean (a
# correct formula gives values that are rarely above 4).

# %%
N_LIN, SIGMA = 50, 0.3
X_lin = rng.standard_normal((N_LIN, 3))                        # (50, 3)
y_lin = X_lin @ np.array([2.0, -1.0, 0.5]) + 0.5 * rng.standard_normal(N_LIN)
w_any = np.array([1.5, -0.5, 1.0])                              # any weight vector will do

T = 20_000
E = SIGMA * rng.standard_normal((T, N_LIN, 3))                  # T noise matrices
noisy_losses = np.mean((y_lin - (X_lin + E) @ w_any) ** 2, axis=1)   # (T,)
rhs = np.mean((y_lin - X_lin @ w_any) ** 2) + SIGMA**2 * w_any @ w_any
z_noise = abs(noisy_losses.mean() - rhs) / (noisy_losses.std(ddof=1) / np.sqrt(T))
print(f"mean noisy loss {noisy_losses.mean():.4f} ± {noisy_losses.std(ddof=1) / np.sqrt(T):.4f}, "
      f"clean loss + sigma^2 ||w||^2 = {rhs:.4f}; z = {z_noise:.2f}")
assert z_noise < 4

# %% [markdown]
# Second, the minimizer. Least squares on $K$ noisy copies of the data, stacked, minimizes a Monte Carlo
# estimate of the left-hand side with $K$ draws; as $K$ grows it must approach ridge with
# $\alpha = n\sigma^2$, with an error shrinking like $1/\sqrt K$. Both fits include an unpenalized
# intercept, and the error is averaged over 5 repetitions for each $K$.

# %%
w_ridge = ridge(X_lin, y_lin, alpha=N_LIN * SIGMA**2).coef
w_ols = ridge(X_lin, y_lin, alpha=0.0).coef                    # plain least squares
COPIES = np.array([1, 4, 16, 64, 256, 1024])
copy_err = np.zeros(len(COPIES))
for i, K in enumerate(COPIES):
    for _ in range(5):
        X_noisy = np.tile(X_lin, (K, 1)) + SIGMA * rng.standard_normal((K * N_LIN, 3))   # (K n, 3)
        w_noisy = ridge(X_noisy, np.tile(y_lin, K), alpha=0.0).coef
        copy_err[i] += checks.rel_error(w_noisy, w_ridge) / 5
slope = np.polyfit(np.log(COPIES), np.log(copy_err), 1)[0]
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(COPIES, copy_err, "o-", label="least squares on K noisy copies vs ridge")
ax.loglog(COPIES, copy_err[0] / np.sqrt(COPIES), "k--", label=r"$\propto 1/\sqrt{K}$")
ax.axhline(checks.rel_error(w_ols, w_ridge), color="C1", ls=":", label="clean least squares vs ridge")
ax.set(xlabel="number of noisy copies K", ylabel="relative error of the weights",
       title=r"Noise injection converges to ridge with $\alpha = n\sigma^2$")
ax.legend()
plt.show()
print(f"relative error: K = 1: {copy_err[0]:.3f}, K = {COPIES[-1]}: {copy_err[-1]:.4f}; "
      f"log-log slope {slope:.2f}; clean least squares is {checks.rel_error(w_ols, w_ridge):.3f} away")
assert -0.7 < slope < -0.3 and copy_err[-1] < 0.2 * checks.rel_error(w_ols, w_ridge)
glue("ch10_copies_err", round(float(copy_err[-1]), 4), display=False)
glue("ch10_copies_slope", round(float(slope), 4), display=False)
glue("ch10_ols_ridge_gap", round(float(checks.rel_error(w_ols, w_ridge)), 4), display=False)

# %% [markdown]
# With 1024 copies the noisy least-squares weights are within a relative {glue:text}`ch10_copies_err` of
# the ridge weights, while clean least squares is {glue:text}`ch10_ols_ridge_gap` away, and the error falls
# with slope {glue:text}`ch10_copies_slope` on the log-log plot, the Monte Carlo rate $-1/2$. Training with a
# fresh noise draw at every step, as a network does, is a stochastic version of the same computation: the
# expected loss it descends is the ridge objective.
#
# ### Smooth nonlinear models: a penalty on the input gradient
#
# For a general smooth model $f$ and a squared error, expand $f$ around $x$ for small noise
# $\varepsilon \sim \mathcal N(0, \sigma^2 I)$:
# $f(x + \varepsilon) = f + \varepsilon^\top g + \tfrac12\varepsilon^\top H\varepsilon + O(\lVert\varepsilon\rVert^3)$
# with $g = \nabla_x f(x)$ and $H = \nabla_x^2 f(x)$. Square $f(x+\varepsilon) - y$ and take the expectation.
# Odd moments of $\varepsilon$ vanish, $\mathbb E[(\varepsilon^\top g)^2] = \sigma^2\lVert g\rVert^2$ and
# $\mathbb E[\varepsilon^\top H\varepsilon] = \sigma^2\operatorname{tr} H = \sigma^2\,\Delta f$ (the
# Laplacian), so, averaged over the training set,
#
# $$
# \mathbb E_\varepsilon\,\frac1n\sum_i \bigl(f(x_i+\varepsilon_i) - y_i\bigr)^2
# = \frac1n\sum_i \bigl(f(x_i) - y_i\bigr)^2
# + \sigma^2\,\frac1n\sum_i \lVert\nabla_x f(x_i)\rVert^2
# + \sigma^2\,\frac1n\sum_i \bigl(f(x_i) - y_i\bigr)\,\Delta f(x_i) + O(\sigma^4).
# $$ (eq-noise-taylor)
#
# Bishop {cite}`bishop1995training` keeps the second term, a **Tikhonov regularizer** on the input gradient
# that penalizes functions which change quickly where the data are, and drops the third. The third term is
# not zero in general: it has no fixed sign and it involves the labels. It vanishes when
# $f(x) = \mathbb E[y\mid x]$ (the residuals then average to zero at each $x$), which is approximately true
# near the minimum of the error for a flexible model and plenty of data; this is the "at the optimum" of
# the argument, and it holds only approximately for a finite sample. The $O(\sigma^4)$ remainder is dropped
# as well. For a linear model both $H$ and the remainder are zero and {eq}`eq-noise-taylor` reduces to
# {eq}`eq-noise-ridge`.
#
# The check uses a small tanh network $f(x) = v^\top\tanh(W x + b)$ with two inputs and fixed random
# weights, whose gradient and Laplacian have closed forms. The expectation over the noise is computed
# without sampling error by Gauss–Hermite quadrature (20 nodes per input dimension, exact for polynomials of
# degree up to 39 in each coordinate), so even the tiny differences at $\sigma = 0.01$ are accurate. Two
# label sets: $y = f(x) + $ independent noise (the model is the regression function, so the dropped term is
# small), and $y = 1.5 f(x) + $ noise (a model that underfits: its output has two thirds of the amplitude
# of the regression function, so the residuals are systematic and the dropped term is not small).

# %%
H_UNITS, N_NL = 8, 400
W_nl = rng.standard_normal((H_UNITS, 2))
b_nl = rng.standard_normal(H_UNITS)
v_nl = rng.standard_normal(H_UNITS) / np.sqrt(H_UNITS)


def f_net(x):
    """f(x) = v^T tanh(W x + b) for x of shape (..., 2)."""
    return np.tanh(x @ W_nl.T + b_nl) @ v_nl


def grad_f(x):
    """Input gradient W^T (v * (1 - t^2)), shape (..., 2)."""
    t = np.tanh(x @ W_nl.T + b_nl)
    return ((1 - t**2) * v_nl) @ W_nl


def laplacian_f(x):
    """tr of the input Hessian: sum_j v_j (-2 t_j (1 - t_j^2)) ||W_j||^2."""
    t = np.tanh(x @ W_nl.T + b_nl)
    return (-2 * t * (1 - t**2) * v_nl) @ np.sum(W_nl**2, axis=1)


x0 = rng.standard_normal(2)
err_grad = checks.gradient_check(lambda x: float(f_net(x)), x0, grad_f(x0))
lap_numeric = sum(checks.numerical_gradient(lambda x, k=k: float(grad_f(x)[k]), x0)[k] for k in range(2))
err_lap = checks.rel_error(laplacian_f(x0), lap_numeric)
print(f"closed forms vs finite differences: gradient {checks.error_bound(err_grad, floor=1e-8)}, "
      f"Laplacian {checks.error_bound(err_lap, floor=1e-8)}")
assert err_grad < 1e-8 and err_lap < 1e-8

X_nl = rng.standard_normal((N_NL, 2))                                    # (400, 2)
labels = {"well specified": f_net(X_nl) + 0.1 * rng.standard_normal(N_NL),
          "underfitting": 1.5 * f_net(X_nl) + 0.1 * rng.standard_normal(N_NL)}
t_gh, w_gh = np.polynomial.hermite.hermgauss(20)
nodes = np.sqrt(2) * np.stack(np.meshgrid(t_gh, t_gh, indexing="ij"), -1).reshape(-1, 2)   # (400, 2)
node_w = np.outer(w_gh, w_gh).ravel() / np.pi                            # E[g(z)] = sum_q node_w[q] g(nodes[q])


def expected_noisy_loss(y, sigma):
    """E over eps ~ N(0, sigma^2 I) of the mean squared error at x_i + eps, by quadrature."""
    f_noisy = f_net(X_nl[:, None, :] + sigma * nodes[None])             # (n, Q)
    return np.mean(((f_noisy - y[:, None]) ** 2) @ node_w)


grad_term = np.mean(np.sum(grad_f(X_nl) ** 2, axis=1))                  # (1/n) sum ||grad f||^2
SIGMAS_NL = np.geomspace(0.01, 1.0, 13)
ratios = {}
fig, ax = plt.subplots(figsize=(7, 4.2))
for (name, y_nl), color in zip(labels.items(), ("C0", "C1")):
    clean = np.mean((f_net(X_nl) - y_nl) ** 2)
    lap_term = np.mean((f_net(X_nl) - y_nl) * laplacian_f(X_nl))
    delta = np.array([expected_noisy_loss(y_nl, s) - clean for s in SIGMAS_NL])
    ratios[name] = (delta / (SIGMAS_NL**2 * grad_term), delta / (SIGMAS_NL**2 * (grad_term + lap_term)),
                    lap_term / grad_term)
    ax.semilogx(SIGMAS_NL, ratios[name][0], "o-", color=color, label=f"{name}: gradient term only (Bishop)")
    ax.semilogx(SIGMAS_NL, ratios[name][1], "s--", color=color, label=f"{name}: both $\\sigma^2$ terms")
ax.axhline(1.0, color="k", lw=0.8)
ax.set(xlabel=r"input noise $\sigma$", ylabel="(noisy loss − clean loss) / approximation",
       title="Noise injection on a tanh network: exact effect vs its $\\sigma^2$ approximations")
ax.legend(fontsize=8)
plt.show()
for name, (r_grad, r_both, lap_share) in ratios.items():
    print(f"{name:>15}: at sigma = 0.01 ratio {r_grad[0]:.4f} (gradient term), {r_both[0]:.4f} (both terms); "
          f"dropped term / gradient term = {lap_share:+.4f}")

# %% [markdown]
# As $\sigma \to 0$ the ratio of the exact effect to the full $\sigma^2$ part of {eq}`eq-noise-taylor` tends
# to 1 for both label sets, which checks the expansion. The ratio to Bishop's gradient term alone tends to
# $1 + \frac{\sum_i (f(x_i) - y_i)\Delta f(x_i)}{\sum_i\lVert\nabla_x f(x_i)\rVert^2}$: to
# {glue:text}`ch10_taylor_good` when $f$ is the regression function and only label noise remains in the
# residuals, but to {glue:text}`ch10_taylor_bad` for the model that underfits. For large $\sigma$ the
# $O(\sigma^4)$ terms take over (the tanh saturates and the effect grows more slowly than $\sigma^2$): the
# equivalence is a small-noise statement.

# %%
for name, (r_grad, r_both, lap_share) in ratios.items():
    assert abs(r_both[0] - 1) < 1e-3 and abs(r_grad[0] - (1 + lap_share)) < 1e-3
assert abs(ratios["well specified"][2]) < 0.05 and abs(ratios["underfitting"][2]) > 0.1
glue("ch10_taylor_good", round(float(ratios["well specified"][0][0]), 4), display=False)
glue("ch10_taylor_bad", round(float(ratios["underfitting"][0][0]), 4), display=False)

# %% [markdown]
# (ch10-setup)=
# ## The digits setup
#
# All the neural-network experiments of the chapter train the same network on the same data, so that the
# {ref}`final table <ch10-table>` compares like with like. The data are scikit-learn's $8\times 8$ digits
# with the fixed split of {doc}`ch06_dropout`, pixels divided by 16 so that they lie in $[0, 1]$ with a
# background of 0 (the geometric augmentations fill with 0, so they are applied before any
# standardization). Each seed draws a class-balanced subset of 200 training images (20 per digit); the
# network is a 64–128–10 ReLU network trained full batch with Adam (learning rate $3\times 10^{-3}$) for 300
# epochs with `regbook.pt.train`, which is where the data-side regularizers plug in as a `transform` of each
# batch. Results are measured on the 359 test images. The hyperparameters ($\sigma = 0.3$,
# $\varepsilon = 0.1$, $\alpha = 0.2$, ...) are common defaults, not values selected on a validation set
# ({doc}`ch11_images` does that selection for a convolutional network).
#
# Besides the test accuracy and the test cross-entropy, every network is scored on a **moved test set**:
# each test image rotated by a random angle in $[-10°, 10°]$ and shifted by up to one pixel (drawn once,
# with a fixed seed), and on its **confidence**: the mean over test images of the largest predicted
# probability, and the **expected calibration error** (ECE) {cite}`guo2017calibration`, the average gap
# between confidence and accuracy over 10 equal-width confidence bins, weighted by the share of images in
# each bin. A calibrated model has confidence equal to its accuracy and an ECE near 0.

# %%
split = data.load_dataset("digits", seed=0, standardize=False)   # pixel values 0..16, fixed split
X_test_np = split.X_test / 16                                      # (359, 64)
X_test = torch.tensor(X_test_np, dtype=torch.float32)
y_test = torch.tensor(split.y_test)
X_moved = torch.tensor(np_augment.augment_digits(X_test_np, rng=1234), dtype=torch.float32)
N_TRAIN, HIDDEN, EPOCHS, LR, SEEDS = 200, 128, 300, 3e-3, (0, 1, 2)
METRICS = ("accuracy", "moved accuracy", "cross-entropy", "confidence", "ECE")


def training_subset(seed):
    """A class-balanced subset of N_TRAIN training images (20 per digit), drawn with `seed`."""
    r = np.random.default_rng(seed)
    idx = np.concatenate([r.choice(np.flatnonzero(split.y_train == c), N_TRAIN // 10, replace=False)
                          for c in range(10)])
    return torch.tensor(split.X_train[idx] / 16, dtype=torch.float32), torch.tensor(split.y_train[idx])


def mlp():
    """The 64 -> 128 -> 10 ReLU network used throughout."""
    return nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))


def fit(seed, *, loss_fn=F.cross_entropy, transform=None, callbacks=(), make_scheduler=None, data=None):
    """Train mlp() on `data` (default training_subset(seed)) for EPOCHS full-batch Adam steps; return it."""
    X, y = training_subset(seed) if data is None else data
    torch.manual_seed(seed)                                         # the initialization
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    if make_scheduler is not None:
        callbacks = (*callbacks, make_scheduler(opt))
    train(model, loss_fn, opt, (X, y), epochs=EPOCHS, transform=transform, callbacks=callbacks,
          generator=torch.Generator().manual_seed(seed), progress=False, eval_train=False)
    return model


def ece(probs, y, n_bins=10):
    """Expected calibration error: sum over confidence bins of (share of images) * |accuracy - confidence|."""
    conf, pred = probs.max(dim=1)
    correct = (pred == y).double()
    bins = torch.clamp((conf * n_bins).long(), max=n_bins - 1)
    return float(sum((bins == b).double().mean() * abs(correct[bins == b].mean() - conf[bins == b].double().mean())
                     for b in range(n_bins) if (bins == b).any()))


def scores(probs_test, probs_moved):
    """The five numbers of METRICS from predicted probabilities (n, 10) on the test and moved test sets."""
    return np.array([accuracy(probs_test, y_test), accuracy(probs_moved, y_test),
                     float(F.nll_loss(torch.log(probs_test), y_test)),
                     float(probs_test.max(dim=1).values.mean()), ece(probs_test, y_test)])


def evaluate(model):
    """scores() of a single network, in evaluation mode."""
    model.eval()
    with torch.no_grad():
        return scores(model(X_test).softmax(dim=1), model(X_moved).softmax(dim=1))


results = {}                                                        # name -> (n_seeds, len(METRICS))


def report(name):
    """Print mean ± std over seeds of each metric of results[name]."""
    r = results[name]
    print(f"{name:>22}: " + ", ".join(f"{m} {mu:.3f} ± {sd:.3f}"
                                      for m, mu, sd in zip(METRICS, r.mean(axis=0), r.std(axis=0))))


base_models = [fit(s) for s in SEEDS]
results["no regularization"] = np.array([evaluate(m) for m in base_models])
report("no regularization")
glue("ch10_base_acc", round(float(results["no regularization"][:, 0].mean()), 4), display=False)
glue("ch10_base_conf", round(float(results["no regularization"][:, 3].mean()), 4), display=False)

X_all = torch.tensor(split.X_train / 16, dtype=torch.float32)
acc_all = evaluate(fit(0, data=(X_all, torch.tensor(split.y_train))))[0]
train_acc = [accuracy(m(training_subset(s)[0]), training_subset(s)[1]) for m, s in zip(base_models, SEEDS)]
print(f"training accuracy on the 200 images, lowest over seeds: {min(train_acc):.3f}; trained on all "
      f"{len(X_all)} training images: test accuracy {acc_all:.3f}")
assert min(train_acc) == 1.0 and acc_all > results["no regularization"][:, 0].mean() + 0.02
glue("ch10_acc_all", round(float(acc_all), 4), display=False)
glue("ch10_n_all", len(X_all), display=False)

# %% [markdown]
# The network classifies all 200 training images correctly and {glue:text}`ch10_base_acc` of the test
# images; trained on all {glue:text}`ch10_n_all` training images, the same network reaches
# {glue:text}`ch10_acc_all`. More data is the most reliable regularizer there is. The methods of this chapter
# try to get part of that effect without new data: by perturbing the inputs we have (noise, augmentation,
# mixup), by asking less of the labels (label smoothing), or by averaging several models fitted to the same
# data (ensembles).

# %% [markdown]
# ### Noise injection on the digits
#
# The noise of {eq}`eq-noise-ridge` is one line in the training loop: `regbook.pt.augment.noise_transform`
# returns a batch transform that adds fresh Gaussian noise to the inputs at every step, and leaves the
# labels and the evaluation alone.

# %%
regbook.show_source(pt_augment.noise_transform)

# %%
results["input noise σ=0.3"] = np.array([evaluate(fit(s, transform=pt_augment.noise_transform(0.3)))
                                         for s in SEEDS])
report("no regularization")
report("input noise σ=0.3")
noise_gain = results["input noise σ=0.3"][:, 0] - results["no regularization"][:, 0]
assert noise_gain.mean() > 0.005 and noise_gain.min() > -0.01
glue("ch10_noise_gain", round(float(noise_gain.mean()), 4), display=False)

# %% [markdown]
# Noise with $\sigma = 0.3$ (a third of the pixel range) raises the mean test accuracy by
# {glue:text}`ch10_noise_gain` and lowers the test cross-entropy. By {eq}`eq-noise-taylor` it penalizes the
# input gradient of the network, so the learned function varies less between neighbouring images; with only
# three seeds and a spread of about a point of accuracy per configuration, the size of the gain is known
# only roughly.

# %% [markdown]
# ## Data augmentation
#
# If a transformation $T$ does not change the label (a digit rotated by a few degrees is the same digit),
# then $(T(x), y)$ is as good a training example as $(x, y)$. **Data augmentation** trains on random
# transformations of the training images, a fresh draw at every step, so the model minimizes
# $\frac1n\sum_i \mathbb E_T\,\ell(f(T(x_i)), y_i)$: the empirical risk averaged over a neighbourhood of each
# example that the user declares label-preserving. It is a regularizer in the sense of chapter 1 (it changes
# training, not the model) and it encodes prior knowledge, here *"the class does not depend on small
# rotations and shifts"*. For small transformations $T_\theta(x) \approx x + \theta\, t(x)$, the expansion that
# gave {eq}`eq-noise-taylor` gives, in place of $\sigma^2\lVert\nabla_x f\rVert^2$, a penalty on the
# derivative of $f$ along the tangent direction $t(x)$ only: noise injection smooths $f$ in every direction,
# augmentation only along the directions of the transformations (this is "tangent propagation"
# {cite}`simard1992tangent`). Elastic distortions and shifts of handwritten digits gave Simard et al. the best
# MNIST error rates of their time {cite}`simard2003best`.
#
# regbook's `augment_digits` rotates each image by a random angle in $[-m, m]$ degrees about its centre
# (bilinear interpolation, 0 outside the image), then shifts it by a random whole number of pixels in
# $\{-s, \dots, s\}$ along each axis. Each random function draws its parameters and calls a deterministic one
# (`rotate_images_by`, `shift_images_by`), which the PyTorch twins share.

# %%
regbook.show_source(np_augment.augment_digits)

# %% [markdown]
# Checks: rotating by 0° and shifting by 0 pixels change nothing; a rotation by 90° about the centre maps
# the pixel grid onto itself, so bilinear interpolation must reproduce NumPy's exact `np.rot90`
# (counter-clockwise); a shift by one pixel is `np.roll` with the wrapped-around row set to 0. Then the
# NumPy and PyTorch versions on the same draws.

# %%
imgs = X_test_np[:50]                                               # (50, 64)
as_8x8 = imgs.reshape(-1, 8, 8)
zeros = np.zeros(len(imgs))
err_id = np.abs(np_augment.rotate_images_by(imgs, zeros) - imgs).max()
err_rot90 = np.abs(np_augment.rotate_images_by(imgs, zeros + 90.0).reshape(-1, 8, 8)
                   - np.rot90(as_8x8, k=1, axes=(1, 2))).max()
rolled = np.roll(as_8x8, 1, axis=2)
rolled[:, :, 0] = 0.0                                               # one pixel to the right, zero fill
err_shift = np.abs(np_augment.shift_images_by(imgs, zeros.astype(int) + 1, zeros.astype(int)).reshape(-1, 8, 8)
                   - rolled).max()
angles = rng.uniform(-10, 10, len(imgs))
err_pt = np.abs(pt_augment.rotate_images_by(torch.tensor(imgs), torch.tensor(angles)).numpy()
                - np_augment.rotate_images_by(imgs, angles)).max()
for name, err in [("rotation by 0", err_id), ("rotation by 90 vs np.rot90", err_rot90),
                  ("shift by (1, 0) vs np.roll", err_shift), ("NumPy vs PyTorch rotation", err_pt)]:
    print(f"{name:<28} max abs. difference {checks.error_bound(err)}")
assert max(err_id, err_rot90, err_shift, err_pt) < 1e-12

# %% [markdown]
# Which of `dx`, `dy` is horizontal is fixed by the check above (`dx` moves images to the right). What the
# network sees: ten training digits and five random augmentations of each.

# %%
X_demo = training_subset(0)[0][::20][:10].numpy()                   # one image of each digit
fig, axes = plt.subplots(6, 10, figsize=(10, 6.4))
rows = [X_demo] + [np_augment.augment_digits(X_demo, rng=r) for r in range(5)]
for i, row in enumerate(rows):
    for j in range(10):
        axes[i, j].imshow(row[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[i, j].set_xticks([])
        axes[i, j].set_yticks([])
    axes[i, 0].set_ylabel("original" if i == 0 else f"draw {i}", fontsize=9)
fig.suptitle("augment_digits: rotation in [-10°, 10°], then a shift of up to one pixel")
plt.show()

# %% [markdown]
# A one-pixel shift moves an $8\times 8$ digit by an eighth of its width; scikit-learn's digits were
# size-normalized and centred when they were made, so the test images contain no such shifts. The
# experiment trains with `digits_transform` (a fresh augmentation of every image at every step) and scores
# both test sets.

# %%
results["augmentation"] = np.array([evaluate(fit(s, transform=pt_augment.digits_transform()))
                                    for s in SEEDS])
for name in ("no regularization", "augmentation"):
    report(name)
aug_gain = results["augmentation"][:, 0] - results["no regularization"][:, 0]
aug_moved_gain = results["augmentation"][:, 1] - results["no regularization"][:, 1]
assert aug_moved_gain.min() > 0.3                                   # robust to the moves it was trained on
assert aug_gain.max() < -0.02                                       # a loss on the centred test images, every seed
glue("ch10_aug_moved_base", round(float(results["no regularization"][:, 1].mean()), 4), display=False)
glue("ch10_aug_moved", round(float(results["augmentation"][:, 1].mean()), 4), display=False)
glue("ch10_aug_drop", round(float(-aug_gain.mean()), 4), display=False)

# %% [markdown]
# On the moved test images the network without augmentation is right only {glue:text}`ch10_aug_moved_base`
# of the time; the augmented one keeps {glue:text}`ch10_aug_moved`. On the centred test images, however, augmentation
# *lowers* the mean accuracy, by {glue:text}`ch10_aug_drop`, on every seed. The lesson is the one of
# every prior: augmentation pays to the extent that the test data vary the way the augmentation does. A
# fully connected network has no built-in notion of neighbouring pixels, so it has to learn every shifted
# version separately, with the same 128 hidden units and 300 steps, and the moves cost it accuracy on the
# unmoved images. A convolutional network, as in {doc}`ch11_images`, builds part of this in: its convolution
# layers are shift-equivariant (up to the image border), although pooling and the final linear layer are not.
# Augmented training may also need more epochs, since the training set never repeats; exercise 2 asks
# whether it does.

# %% [markdown]
# ## Label smoothing
#
# ### The loss and its gradient
#
# With $k$ classes, logits $z \in \mathbb R^k$ and predicted probabilities $p = \operatorname{softmax}(z)$,
# the cross-entropy against a one-hot target $e_y$ is $-\log p_y$. It can only approach its infimum 0 by
# sending $p_y \to 1$, that is $z_y - z_c \to \infty$ for every $c \ne y$: on a training set it can fit,
# the loss keeps pushing the logits apart for as long as training runs, which is the growing confidence
# seen in {doc}`ch06_dropout`. **Label smoothing** {cite}`szegedy2016rethinking` replaces the one-hot target
# by a mixture with the uniform distribution,
#
# $$
# q = (1-\varepsilon)\, e_y + \frac{\varepsilon}{k}\,\mathbf 1, \qquad
# L(z, y) = -\sum_{c=1}^k q_c \log p_c = (1-\varepsilon)\bigl(-\log p_y\bigr)
# + \varepsilon\,\frac1k\sum_{c=1}^k \bigl(-\log p_c\bigr),
# $$ (eq-ls-loss)
#
# which is the convention of `torch.nn.functional.cross_entropy(..., label_smoothing=ε)` (the true class
# keeps $1 - \varepsilon + \varepsilon/k$, every other class gets $\varepsilon/k$). Since
# $\partial(-\log p_c)/\partial z_j = p_j - [c = j]$ and $q$ sums to 1,
#
# $$
# \frac{\partial L}{\partial z} = p - q ,
# $$ (eq-ls-grad)
#
# the gradient of the plain cross-entropy with the target replaced by $q$ (for a batch mean, divided by the
# batch size).
#
# ### Why it caps the logits
#
# For a fixed $q$, $-\sum_c q_c\log p_c \ge -\sum_c q_c \log q_c$ with equality only at $p = q$ (Gibbs'
# inequality: the difference is the Kullback–Leibler divergence $\mathrm{KL}(q\,\|\,p) \ge 0$). So the loss
# of one example has a finite minimizer, $p = q$, reached by logits $z_c = \log q_c + \text{const}$, and
# the logit of the true class exceeds every other logit by exactly
#
# $$
# z_y - z_c = \log\frac{1-\varepsilon+\varepsilon/k}{\varepsilon/k}
# = \log\Bigl(1 + \frac{k(1-\varepsilon)}{\varepsilon}\Bigr) \qquad (c \ne y),
# $$ (eq-ls-gap)
#
# $\log 91 \approx 4.51$ for $\varepsilon = 0.1$ and $k = 10$, with a largest probability of
# $1 - \varepsilon + \varepsilon/k = 0.91$. Label smoothing thus bounds both the confidence and the logit
# gaps that the loss rewards; the penalty form $\varepsilon\cdot\frac1k\sum_c(-\log p_c)$ in
# {eq}`eq-ls-loss` is, up to a constant, $\varepsilon\,\mathrm{KL}(u\,\|\,p)$ with $u$ uniform: a penalty on
# predictions far from uniform {cite}`szegedy2016rethinking,muller2019when`.

# %%
regbook.show_source(np_ls.cross_entropy)

# %% [markdown]
# Checks: the smoothed targets; the loss against PyTorch's `label_smoothing` and against regbook's PyTorch
# twin (function and module), with integer labels and with the smoothed targets passed as probabilities;
# the gradient {eq}`eq-ls-grad` against `cross_entropy_grad` and finite differences.

# %%
EPS, K = 0.1, 10
z_ls = rng.standard_normal((7, K)) * 3                               # (7, 10) logits
y_ls = rng.integers(0, K, 7)
q_ls = np_ls.smooth_labels(y_ls, K, epsilon=EPS)                     # (7, 10)
print("smoothed target of one example:", np.round(q_ls[0], 3))
assert np.allclose(q_ls.sum(axis=1), 1) and np.isclose(q_ls.max(), 1 - EPS + EPS / K)

loss_np = np_ls.cross_entropy(z_ls, y_ls, label_smoothing=EPS)
z_t, y_t = torch.tensor(z_ls, requires_grad=True), torch.tensor(y_ls)
loss_torch = F.cross_entropy(z_t, y_t, label_smoothing=EPS)
loss_torch.backward()
rows = {
    "torch label_smoothing": checks.rel_error(loss_np, loss_torch.item()),
    "regbook.pt cross_entropy": checks.rel_error(loss_np, pt_ls.cross_entropy(z_t, y_t, label_smoothing=EPS).item()),
    "regbook.pt module": checks.rel_error(loss_np, pt_ls.LabelSmoothingCrossEntropy(EPS)(z_t, y_t).item()),
    "smoothed targets as probabilities": checks.rel_error(loss_np, np_ls.cross_entropy(z_ls, q_ls)),
    "gradient p - q (batch mean)": checks.rel_error(
        np_ls.cross_entropy_grad(z_ls, y_ls, label_smoothing=EPS),
        (special.softmax(z_ls, axis=1) - q_ls) / len(y_ls)),
    "gradient vs torch autograd": checks.rel_error(
        np_ls.cross_entropy_grad(z_ls, y_ls, label_smoothing=EPS), z_t.grad.numpy()),
}
for name, err in rows.items():
    print(f"{name:<35} rel. error {checks.error_bound(err)}")
g_fd = checks.numerical_gradient(lambda z: np_ls.cross_entropy(z, y_ls, label_smoothing=EPS), z_ls.copy())
err_fd = np.abs(g_fd - np_ls.cross_entropy_grad(z_ls, y_ls, label_smoothing=EPS)).max()
print(f"{'gradient vs finite differences':<35} max abs. difference {checks.error_bound(err_fd, floor=1e-8)}")
assert max(rows.values()) < 1e-12 and err_fd < 1e-8

# %% [markdown]
# Now the cap {eq}`eq-ls-gap`: gradient descent on the logits of one example (no network), from zero, with
# and without smoothing. With $\varepsilon = 0.1$ the gap between the true logit and the others converges
# to $\log 91$; without smoothing it grows without bound, roughly like the logarithm of the number of steps.

# %%
gap_formula = np.log((1 - EPS + EPS / K) / (EPS / K))
for eps_run in (EPS, 0.0):
    z_free = np.zeros((1, K))
    gaps = []
    for step in range(1, 5_001):
        z_free -= 2.0 * np_ls.cross_entropy_grad(z_free, np.array([3]), label_smoothing=eps_run)
        if step in (50, 500, 5_000):
            gaps.append(z_free[0, 3] - np.delete(z_free[0], 3).max())
    print(f"epsilon = {eps_run}: gap z_y - max_c z_c after 50, 500, 5000 steps: "
          + ", ".join(f"{g:.3f}" for g in gaps) + (f" (formula {gap_formula:.4f})" if eps_run else ""))
    if eps_run:
        assert abs(gaps[-1] - gap_formula) < 1e-8
    else:
        assert gaps[2] > gaps[1] + 1.5 > gaps[0] + 3
glue("ch10_ls_gap", round(float(gap_formula), 4), display=False)

# %% [markdown]
# ### On the digits network
#
# The experiment trains the network with `LabelSmoothingCrossEntropy(0.1)` as the loss. Besides the usual
# scores it measures, on the training images, the gap between the logit of the true class and the largest
# other logit: {eq}`eq-ls-gap` says it should settle near {glue:text}`ch10_ls_gap` once the network fits the
# training set, whereas without smoothing nothing stops it growing.

# %%
def train_logit_gap(model, seed):
    """Median over the training images of z_y - max_{c != y} z_c."""
    X, y = training_subset(seed)
    model.eval()
    with torch.no_grad():
        z = model(X)
    true = z.gather(1, y[:, None])[:, 0]
    other = z.scatter(1, y[:, None], -torch.inf).max(dim=1).values
    return float((true - other).median())


ls_models = [fit(s, loss_fn=pt_ls.LabelSmoothingCrossEntropy(EPS)) for s in SEEDS]
results["label smoothing ε=0.1"] = np.array([evaluate(m) for m in ls_models])
gap_nets = {name: np.array([train_logit_gap(m, s) for m, s in zip(models, SEEDS)])
            for name, models in (("no regularization", base_models), ("label smoothing ε=0.1", ls_models))}
for name in gap_nets:
    report(name)
    print(f"{'':>24}median logit gap on the training images: {gap_nets[name].mean():.2f} ± {gap_nets[name].std():.2f}")
ls, base = results["label smoothing ε=0.1"], results["no regularization"]
assert 0 < base[:, 3].mean() - base[:, 0].mean() < 0.05                     # the plain network: mildly overconfident
assert gap_nets["label smoothing ε=0.1"].max() < gap_formula < gap_nets["no regularization"].min() - 1
assert abs(ls[:, 0].mean() - base[:, 0].mean()) < 0.02 and ls[:, 3].mean() < ls[:, 0].mean() - 0.1
glue("ch10_ls_acc", round(float(ls[:, 0].mean()), 4), display=False)
glue("ch10_ls_conf", round(float(ls[:, 3].mean()), 4), display=False)
glue("ch10_ls_net_gap", round(float(gap_nets["label smoothing ε=0.1"].mean()), 4), display=False)
glue("ch10_base_net_gap", round(float(gap_nets["no regularization"].mean()), 4), display=False)

# %% [markdown]
# With smoothing, the median gap on the training images is {glue:text}`ch10_ls_net_gap`, below the cap
# {glue:text}`ch10_ls_gap`; without, it is {glue:text}`ch10_base_net_gap`, well above it. The test accuracy
# hardly moves ({glue:text}`ch10_ls_acc` against {glue:text}`ch10_base_acc`), but the confidence drops to
# {glue:text}`ch10_ls_conf`, far below the accuracy: on this small problem the unregularized network was only
# mildly overconfident, and smoothing overshoots into *under*confidence. Müller, Kornblith and Hinton
# {cite}`muller2019when` found that label smoothing improves calibration of large image and translation
# models, which are strongly overconfident without it, and that it erases information about which wrong
# classes are similar (its penalty pulls all wrong logits to the same value). The
# {ref}`pitfalls <ch10-pitfalls>` return to calibration.

# %% [markdown]
# ## Mixup
#
# Empirical risk minimization puts all the training distribution's mass on the $n$ training points.
# **Vicinal risk minimization** {cite}`chapelle2001vicinal` replaces each point by a distribution
# $\nu(\tilde x, \tilde y \mid x_i, y_i)$ over its neighbourhood, its *vicinity*, and minimizes
# $\frac1n\sum_i \mathbb E_{(\tilde x, \tilde y)\sim\nu(\cdot\mid x_i, y_i)}\,\ell(f(\tilde x), \tilde y)$. A
# Gaussian vicinity with the label unchanged is the noise injection of the first section; the random
# transformations of augmentation are another vicinity. **Mixup** {cite}`zhang2018mixup` builds the vicinity
# from pairs of training examples, interpolating the inputs *and* the one-hot targets $e_{y}$:
#
# $$
# \tilde x = \lambda x_i + (1-\lambda)\, x_j, \qquad \tilde y = \lambda e_{y_i} + (1-\lambda)\, e_{y_j},
# \qquad \lambda \sim \operatorname{Beta}(\alpha, \alpha),
# $$ (eq-mixup)
#
# with $j$ a random partner (regbook: a random permutation of the batch) and one $\lambda$ per example
# (Zhang et al. draw one $\lambda$ per mini-batch; both give the same expected loss). For
# $\alpha \to 0$ the $\lambda$'s pile up at 0 and 1 (no mixing); $\alpha = 1$ is uniform. Two facts are used
# below. $\mathbb E[\lambda] = \frac12$ and $\operatorname{Var}[\lambda] = \frac{1}{4(2\alpha+1)}$ (the
# variance of $\operatorname{Beta}(a, b)$ is $ab/((a+b)^2(a+b+1))$). And the cross-entropy with a soft target
# is linear in the target,
# $-\sum_c \tilde y_c\log p_c = \lambda\,(-\log p_{y_i}) + (1-\lambda)(-\log p_{y_j})$, so mixing the labels
# is the same as mixing the two losses, which is how many implementations write it.

# %%
regbook.show_source(np_augment.mixup_by)

# %%
ALPHA = 0.2
X_mix, Y_mix, lam = np_augment.mixup(np.tile(X_test_np[:10], (20_000, 1)), np.tile(np.eye(10), (20_000, 1)),
                                     alpha=ALPHA, rng=rng)
z_mean = abs(lam.mean() - 0.5) / (lam.std(ddof=1) / np.sqrt(lam.size))
var_expected = 1 / (4 * (2 * ALPHA + 1))
z_var = abs(np.mean((lam - 0.5) ** 2) - var_expected) / (np.std((lam - 0.5) ** 2, ddof=1) / np.sqrt(lam.size))
print(f"lambda ~ Beta({ALPHA}, {ALPHA}) from mixup: mean {lam.mean():.4f} (z = {z_mean:.2f}), "
      f"variance {np.var(lam):.4f} vs 1/(4(2 alpha + 1)) = {var_expected:.4f} (z = {z_var:.2f}); "
      f"share of lambda outside [0.1, 0.9]: {np.mean((lam < 0.1) | (lam > 0.9)):.2f}")
assert z_mean < 4 and z_var < 4 and np.allclose(Y_mix.sum(axis=1), 1.0)

# linearity of the cross-entropy in the target, and the PyTorch twin on the same draws
logits = torch.tensor(rng.standard_normal((6, 10)))
yi, yj = torch.tensor([0, 1, 2, 3, 4, 5]), torch.tensor([9, 8, 7, 6, 5, 4])
lam6 = torch.tensor(rng.uniform(size=6))
soft = lam6[:, None] * F.one_hot(yi, 10) + (1 - lam6[:, None]) * F.one_hot(yj, 10)
err_lin = checks.rel_error(F.cross_entropy(logits, soft, reduction="none"),
                           lam6 * F.cross_entropy(logits, yi, reduction="none")
                           + (1 - lam6) * F.cross_entropy(logits, yj, reduction="none"))
perm6 = np.array([5, 4, 3, 2, 1, 0])
np_mixed = np_augment.mixup_by(X_test_np[:6], np.eye(10)[:6], lam6.numpy(), perm6)
pt_mixed = pt_augment.mixup_by(torch.tensor(X_test_np[:6]), torch.eye(10, dtype=torch.float64)[:6], lam6,
                               torch.tensor(perm6))
err_twin = max(checks.rel_error(a.numpy(), b) for a, b in zip(pt_mixed, np_mixed))
print(f"mixed-label loss vs mixed losses: rel. error {checks.error_bound(err_lin)}; "
      f"NumPy vs PyTorch mixup_by: {checks.error_bound(err_twin)}")
assert err_lin < 1e-12 and err_twin < 1e-12

# %% [markdown]
# The experiment uses `mixup_transform(alpha, n_classes)`, which one-hot encodes the integer labels of each
# batch and mixes it with a permutation of itself; `F.cross_entropy` accepts the resulting soft targets.
# The evaluation is on clean images with integer labels. We take $\alpha = 0.2$, inside the range
# $[0.1, 0.4]$ that Zhang et al. found to work on ImageNet {cite}`zhang2018mixup`.

# %%
results["mixup α=0.2"] = np.array([evaluate(fit(s, transform=pt_augment.mixup_transform(ALPHA, 10)))
                                   for s in SEEDS])
for name in ("no regularization", "mixup α=0.2"):
    report(name)
base, mix = results["no regularization"], results["mixup α=0.2"]
assert abs(mix[:, 0].mean() - base[:, 0].mean()) < 0.02 and mix[:, 3].mean() < base[:, 3].mean() - 0.03
glue("ch10_mix_acc", round(float(mix[:, 0].mean()), 4), display=False)
glue("ch10_mix_conf", round(float(mix[:, 3].mean()), 4), display=False)

# %% [markdown]
# Mixup leaves the test accuracy where it was ({glue:text}`ch10_mix_acc` against
# {glue:text}`ch10_base_acc`, within a couple of points) and lowers the confidence from
# {glue:text}`ch10_base_conf` to {glue:text}`ch10_mix_conf`: trained on targets that are never one-hot, the
# network learns to hedge. Whether that is better calibration or underconfidence depends on the accuracy it
# is compared with; the {ref}`table <ch10-table>` gives the ECE.

# %% [markdown]
# ## Ensembles
#
# ### Why averaging helps: the variance of a mean of correlated predictors
#
# An **ensemble** (集成; the sources say 模型集成, model ensembling) predicts with the average of $M$ models.
# Let the predictions $f_1(x), \dots, f_M(x)$ at a point $x$, seen as random through the randomness of
# training (data resampling, initialization, ...), have the same variance $\sigma^2$ and the same pairwise
# correlation $\rho$. Then
#
# $$
# \operatorname{Var}\Bigl[\frac1M\sum_{m=1}^M f_m\Bigr]
# = \frac{1}{M^2}\Bigl(M\sigma^2 + M(M-1)\rho\sigma^2\Bigr) = \rho\sigma^2 + \frac{1-\rho}{M}\,\sigma^2 ,
# $$ (eq-ensemble-variance)
#
# because the variance of a sum is the sum of the $M$ variances and of the $M(M-1)$ covariances
# $\rho\sigma^2$. The mean of the ensemble is the mean of one member, so its bias is unchanged; averaging
# removes the part $(1-\rho)\sigma^2$ of the variance that the members do *not* share, and the shared part
# $\rho\sigma^2$ stays however many members are added {cite}`breiman1996bagging,hastie2009elements`. Ensemble
# methods are therefore ways to make members that are individually good and as little correlated as
# possible. The check draws equicorrelated Gaussian predictors,
# $f_m = \sigma(\sqrt\rho\, Z_0 + \sqrt{1-\rho}\, Z_m)$ with independent standard normal $Z$'s, and compares
# the sample variance of their mean with {eq}`eq-ensemble-variance` in standard errors (for Gaussian samples
# the standard error of a sample variance $v$ is about $v\sqrt{2/T}$).

# %%
RHO, SD, T_ENS = 0.3, 2.0, 100_000
z_ens = []
for M in (1, 2, 5, 20, 100):
    Z = rng.standard_normal((T_ENS, M + 1))
    f_members = SD * (np.sqrt(RHO) * Z[:, :1] + np.sqrt(1 - RHO) * Z[:, 1:])        # (T, M)
    v_sample = f_members.mean(axis=1).var(ddof=1)
    v_formula = RHO * SD**2 + (1 - RHO) * SD**2 / M
    z_ens.append(abs(v_sample - v_formula) / (v_formula * np.sqrt(2 / T_ENS)))
    print(f"M = {M:>3}: variance of the mean {v_sample:.4f}, formula {v_formula:.4f}")
print(f"largest z-score {max(z_ens):.2f}; limit for M -> infinity: rho sigma^2 = {RHO * SD**2:.2f}")
assert max(z_ens) < 4

# %% [markdown]
# ### Bagging
#
# **Bagging** (bootstrap aggregating) {cite}`breiman1996bagging` makes the members different by training each
# on a **bootstrap sample**: $n$ indices drawn uniformly *with replacement* from the $n$ training examples.
# A given example is missed by one draw with probability $1 - 1/n$, by all $n$ draws with probability
# $(1-1/n)^n \to e^{-1}$, so a bootstrap sample contains on average a fraction
#
# $$
# 1 - \Bigl(1 - \frac1n\Bigr)^n \;\xrightarrow[n\to\infty]{}\; 1 - e^{-1} \approx 0.632
# $$ (eq-bootstrap-unique)
#
# of the distinct examples; the others (about 36.8%) are "out of bag" for that member. The classifier
# predicts with the mean of the members' predicted probabilities (or a majority vote). Bagging helps most
# with **high-variance, low-bias** members such as deep decision trees, which change a lot when a few
# training points change {cite}`breiman1996bagging`.

# %%
regbook.show_source(np_ensembles.bootstrap_indices)

# %%
n_boot = N_TRAIN
idx_boot = np_ensembles.bootstrap_indices(n_boot, n_estimators=2000, rng=rng)           # (2000, 200)
unique_share = np.array([len(np.unique(row)) / n_boot for row in idx_boot])
expected_share = 1 - (1 - 1 / n_boot) ** n_boot
z_boot = abs(unique_share.mean() - expected_share) / (unique_share.std(ddof=1) / np.sqrt(len(unique_share)))
print(f"distinct examples per bootstrap sample of n = {n_boot}: {unique_share.mean():.4f} "
      f"(formula {expected_share:.4f}, limit 1 - 1/e = {1 - np.exp(-1):.4f}); z = {z_boot:.2f}")
assert z_boot < 4 and idx_boot.min() >= 0 and idx_boot.max() < n_boot
glue("ch10_boot_unique", round(float(unique_share.mean()), 4), display=False)

# %% [markdown]
# On average {glue:text}`ch10_boot_unique` of the 200 examples appear in a bootstrap sample, as
# {eq}`eq-bootstrap-unique` predicts. Now bagging on the digits with fully grown decision trees (no depth
# limit, so each tree fits its bootstrap sample perfectly), trained on the same 200-image subsets as the
# networks, and the test accuracy of the bagged ensemble as members are added.

# %%
regbook.show_source(np_ensembles.bagging_predict_proba)

# %%
N_MEMBERS = (1, 2, 5, 10, 25, 50)
bag_acc = np.zeros((len(SEEDS), len(N_MEMBERS)))
for s_i, seed in enumerate(SEEDS):
    X_s, y_s = (t.numpy() for t in training_subset(seed))
    trees = np_ensembles.bagging_fit(lambda: DecisionTreeClassifier(random_state=0), X_s, y_s,
                                     n_estimators=max(N_MEMBERS), rng=seed)
    for m_i, m in enumerate(N_MEMBERS):
        bag_acc[s_i, m_i] = np.mean(np_ensembles.bagging_predict(trees[:m], X_test_np) == split.y_test)
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.errorbar(N_MEMBERS, bag_acc.mean(axis=0), yerr=bag_acc.std(axis=0), marker="o", capsize=3,
            label="bagged decision trees")
ax.axhline(results["no regularization"][:, 0].mean(), color="C2", ls="--", label="one network (no regularization)")
ax.set(xscale="log", xlabel="number of bagged trees M", ylabel="test accuracy",
       title="Bagging fully grown trees on 200 digits (mean ± std over 3 seeds)")
ax.legend()
plt.show()
for m, a, sd in zip(N_MEMBERS, bag_acc.mean(axis=0), bag_acc.std(axis=0)):
    print(f"M = {m:>2}: test accuracy {a:.3f} ± {sd:.3f}")
gain_first, gain_last = bag_acc[:, 2].mean() - bag_acc[:, 0].mean(), bag_acc[:, -1].mean() - bag_acc[:, -3].mean()
assert np.all(bag_acc[:, -1] > bag_acc[:, 0] + 0.1) and gain_last < gain_first
assert bag_acc[:, -1].mean() < results["no regularization"][:, 0].mean()
glue("ch10_bag_one", round(float(bag_acc[:, 0].mean()), 4), display=False)
glue("ch10_bag_all", round(float(bag_acc[:, -1].mean()), 4), display=False)

# %% [markdown]
# One tree is right on {glue:text}`ch10_bag_one` of the test images, fifty bagged trees on
# {glue:text}`ch10_bag_all`. Most of the gain comes from the first few members and the curve flattens, as
# {eq}`eq-ensemble-variance` predicts: the trees are trained on overlapping samples of the same 200 images,
# so they are positively correlated, and the shared variance $\rho\sigma^2$ is not averaged away. (Random
# forests decorrelate the trees further by also sampling the features at each split.) The bagged trees stay
# below a single network on these pixels: bagging reduces variance, not the bias of axis-aligned splits.
#
# ### Snapshot ensembles
#
# Training $M$ networks costs $M$ training runs. **Snapshot ensembles** {cite}`huang2017snapshot` take the
# members from *one* run: the learning rate follows a cosine from its initial value down to almost 0 and
# restarts every `cycle_length` epochs {cite}`loshchilov2017sgdr`,
#
# $$
# \eta(t) = \frac{\eta_0}{2}\Bigl(1 + \cos\frac{\pi\,(t \bmod C)}{C}\Bigr),
# $$ (eq-cosine-cycle)
#
# with $t$ the step and $C$ the number of steps in a cycle. At the end of each cycle the small learning rate
# has settled the network in a minimum, and a copy of the weights (a **snapshot**) is stored; the restart's
# large learning rate then pushes it towards a different one. The prediction is the mean of the snapshots'
# softmax probabilities. `regbook.pt.ensembles` provides the schedule (`cosine_cycle_lr`, a
# `LambdaLR`), the callback that stores the snapshots, and the averaged prediction.

# %%
regbook.show_source(pt_ensembles.cosine_cycle_lr)
regbook.show_source(pt_ensembles.SnapshotEnsemble)

# %% [markdown]
# The schedule is checked against {eq}`eq-cosine-cycle` over two cycles, and the experiment trains the same
# network for the same 300 epochs as before, in 5 cycles of 60 epochs, scoring the mean of the 5 snapshots
# and, for comparison, the last snapshot alone (a single model trained with the same schedule).

# %%
CYCLE = 60
opt_demo = torch.optim.Adam(mlp().parameters(), lr=LR)
sched_demo = pt_ensembles.cosine_cycle_lr(opt_demo, CYCLE, 1)
lrs = []
for _ in range(2 * CYCLE):
    lrs.append(opt_demo.param_groups[0]["lr"])
    opt_demo.step()
    sched_demo.step()
t_steps = np.arange(2 * CYCLE)
err_sched = checks.rel_error(np.array(lrs), LR / 2 * (1 + np.cos(np.pi * (t_steps % CYCLE) / CYCLE)))
print(f"cosine cycles vs the formula: rel. error {checks.error_bound(err_sched)}")
assert err_sched < 1e-12

runs = {"snapshot ensemble, all 5": [], "snapshot ensemble, last 3": [], "cosine cycles, last snapshot": []}
disagree = []                                        # per seed: (first vs last, second-to-last vs last)
for seed in SEEDS:
    snap = pt_ensembles.SnapshotEnsemble(cycle_length=CYCLE)
    model = fit(seed, callbacks=(snap,), make_scheduler=lambda opt: LRSchedulerCallback(
        pt_ensembles.cosine_cycle_lr(opt, CYCLE, 1), interval="step"))
    assert snap.snapshot_epochs == list(range(CYCLE, EPOCHS + 1, CYCLE))
    for name, n_last in (("snapshot ensemble, all 5", None), ("snapshot ensemble, last 3", 3)):
        runs[name].append(scores(pt_ensembles.ensemble_predict(model, snap.snapshots, X_test, n_last=n_last),
                                 pt_ensembles.ensemble_predict(model, snap.snapshots, X_moved, n_last=n_last)))
    runs["cosine cycles, last snapshot"].append(evaluate(model))          # the final weights = last snapshot
    classes = [pt_ensembles.ensemble_predict(model, [sd], X_test).argmax(dim=1) for sd in snap.snapshots]
    disagree.append([float((classes[0] != classes[-1]).double().mean()),
                     float((classes[-2] != classes[-1]).double().mean())])
results.update({name: np.array(r) for name, r in runs.items()})
disagree = np.array(disagree)
for name in ("no regularization", *runs):
    report(name)
print(f"share of test images on which two snapshots predict different classes: first vs last "
      f"{disagree[:, 0].mean():.3f}, fourth vs fifth {disagree[:, 1].mean():.3f}")
snap3, last = results["snapshot ensemble, last 3"], results["cosine cycles, last snapshot"]
assert abs(snap3[:, 0].mean() - last[:, 0].mean()) < 0.01 and disagree[:, 1].max() < 0.02 < disagree[:, 0].min()
snap5 = results["snapshot ensemble, all 5"]
assert snap5[:, 3].mean() < last[:, 3].mean() - 0.05 and snap5[:, 4].mean() > last[:, 4].mean() + 0.05
glue("ch10_snap_dis_first", round(float(disagree[:, 0].mean()), 4), display=False)
glue("ch10_snap_dis_last", round(float(disagree[:, 1].mean()), 4), display=False)
glue("ch10_snap3_acc", round(float(snap3[:, 0].mean()), 4), display=False)
glue("ch10_snap_last_acc", round(float(last[:, 0].mean()), 4), display=False)
glue("ch10_snap5_ece", round(float(results["snapshot ensemble, all 5"][:, 4].mean()), 4), display=False)

# %% [markdown]
# Here the snapshot ensemble is no free lunch. The mean of the last three snapshots has a test accuracy of
# {glue:text}`ch10_snap3_acc`, the last snapshot alone {glue:text}`ch10_snap_last_acc`: a difference within
# the spread of the seeds. The reason is {eq}`eq-ensemble-variance` with $\rho$
# close to 1: the fourth and
# fifth snapshots predict different classes on only {glue:text}`ch10_snap_dis_last` of the test images. The
# first snapshot differs more from the last ({glue:text}`ch10_snap_dis_first`), but mainly because it is
# less trained, and averaging all five drags the confidence down (ECE {glue:text}`ch10_snap5_ece`). Huang et
# al. {cite}`huang2017snapshot` restart plain SGD with a large learning rate on deep networks trained for
# hundreds of epochs per cycle, which moves the weights to genuinely different minima; with Adam, a small
# network and 60 full-batch steps per cycle, each restart stays in the same basin. Whether members are
# diverse enough is something to measure, as above, before paying for an ensemble.
#
# Dropout ({doc}`ch06_dropout`) is the other implicit ensemble of this book: it trains an exponential number
# of weight-sharing subnetworks and approximates their average with a single pass at test time.

# %% [markdown]
# (ch10-table)=
# ## The data-side regularizers side by side
#
# Every row is the same 64–128–10 network trained for 300 full-batch epochs on the same three 200-image
# subsets and scored on the same 359 test images (and their moved versions); mean ± standard deviation over
# the three seeds. "Confidence" is the mean largest predicted probability; a calibrated model has confidence
# close to its accuracy and a small ECE.

# %%
ROWS = ["no regularization", "input noise σ=0.3", "augmentation", "label smoothing ε=0.1", "mixup α=0.2",
        "cosine cycles, last snapshot", "snapshot ensemble, last 3", "snapshot ensemble, all 5"]
print(f"{'':<28}" + "".join(f"{m:>17}" for m in METRICS))
for name in ROWS:
    r = results[name]
    print(f"{name:<28}" + "".join(f"{mu:>10.3f} ± {sd:.3f}" for mu, sd in zip(r.mean(axis=0), r.std(axis=0))))

single = [n for n in ROWS if "ensemble" not in n]
assert max(single, key=lambda n: results[n][:, 0].mean()) == "input noise σ=0.3"
assert min(single, key=lambda n: results[n][:, 2].mean()) == "input noise σ=0.3"

fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
for ax, col, label in zip(axes, (0, 1, 4), ("test accuracy", "accuracy on moved test images", "ECE (lower is better)")):
    for i, name in enumerate(ROWS):
        ax.errorbar(results[name][:, col].mean(), i, xerr=results[name][:, col].std(), fmt="o", color=f"C{i}",
                    capsize=3)
    ax.set(xlabel=label, yticks=range(len(ROWS)), yticklabels=ROWS)
axes[0].invert_yaxis()
fig.suptitle("Data-side regularizers on 200 digits (mean ± std over 3 seeds)")
plt.show()

# %% [markdown]
# Read with three seeds in mind: differences of a point of accuracy are within the spread. What the table
# does support, and the assertions in the sections above check: input noise gave the best test accuracy and
# cross-entropy of the single networks; augmentation bought robustness to rotations and shifts and paid for
# it on the centred images; label smoothing and mixup changed the accuracy little and the confidence a lot;
# and the snapshot ensemble, free at training time, bought nothing measurable on this problem.
#
# (ch10-pitfalls)=
# ## Pitfalls
#
# **Augmentations that change the label.** An augmentation is a claim that the label is invariant under it.
# Rotating by up to 10° is safe for digits; rotating by 180° is not, because a 6 turned upside down is a 9.
# The unregularized network, shown test 6s rotated by 180° (an exact pixel permutation, `np.rot90` twice),
# calls most of them 9:

# %%
sixes = X_test_np[split.y_test == 6]
sixes_180 = np_augment.rotate_images_by(sixes, np.full(len(sixes), 180.0))
assert np.abs(sixes_180.reshape(-1, 8, 8) - np.rot90(sixes.reshape(-1, 8, 8), 2, axes=(1, 2))).max() < 1e-12
model_0 = base_models[0].eval()
with torch.no_grad():
    pred_180 = model_0(torch.tensor(sixes_180, dtype=torch.float32)).argmax(dim=1).numpy()
share_9 = np.mean(pred_180 == 9)
print(f"test 6s rotated by 180°: {share_9:.1%} classified as 9, {np.mean(pred_180 == 6):.1%} as 6")
assert share_9 > 0.5
glue("ch10_six_nine", round(float(share_9), 4), display=False)

# %% [markdown]
# {glue:text}`ch10_six_nine` of the rotated sixes are read as nines, and rightly so: training with rotations
# up to 180° and the label kept would teach the network that these images are sixes and contradict the
# nines. The same goes for horizontal flips of digits and letters, crops that cut off the object, or colour
# changes when colour is the class.
#
# **Augmenting before splitting.** If augmented copies are made first and the pool is then split into
# training and validation, the validation set contains near-copies of training images and measures
# memorization. The demonstration uses a 1-nearest-neighbour classifier, the purest memorizer, with four
# rotated copies of each of 200 training images: split after augmenting, then compare with the
# chapter's untouched validation images, which were never augmented, and with the test set.

# %%
leak_rows = []
for seed in SEEDS:
    X_s, y_s = (t.numpy() for t in training_subset(seed))
    pool = np.vstack([X_s] + [np_augment.augment_digits(X_s, rng=10 * seed + c, max_shift=0) for c in range(4)])
    y_pool = np.tile(y_s, 5)
    order = np.random.default_rng(seed).permutation(len(pool))
    val_idx, tr_idx = order[: len(pool) // 5], order[len(pool) // 5:]      # split AFTER augmenting: wrong
    knn = KNeighborsClassifier(n_neighbors=1).fit(pool[tr_idx], y_pool[tr_idx])
    leak_rows.append([knn.score(pool[val_idx], y_pool[val_idx]), knn.score(split.X_val / 16, split.y_val),
                      knn.score(X_test_np, split.y_test)])
leak_rows = np.array(leak_rows)
print("1-NN accuracy, mean over seeds: leaked validation {:.3f}, clean validation {:.3f}, test {:.3f}".format(
    *leak_rows.mean(axis=0)))
assert np.all(leak_rows[:, 0] > leak_rows[:, 2] + 0.02) and abs(leak_rows[:, 1] - leak_rows[:, 2]).mean() < 0.03
glue("ch10_leak_val", round(float(leak_rows[:, 0].mean()), 4), display=False)
glue("ch10_leak_test", round(float(leak_rows[:, 2].mean()), 4), display=False)

# %% [markdown]
# The leaked validation accuracy is {glue:text}`ch10_leak_val`, the test accuracy
# {glue:text}`ch10_leak_test`; the clean validation set agrees with the test set. Split first, augment the
# training part only (and inside each fold of a cross-validation, {doc}`ch05_choosing_lambda`); the same
# holds for several photos of one object or several recordings of one speaker, which must land in the same
# part of the split.
#
# **Calibration: smoothing, mixup, and already smoothed models.** Both label smoothing and mixup train on
# targets that are never one-hot, and both lowered the confidence. Whether that is good depends on where the
# model started. Here the plain network was only mildly overconfident (confidence {glue:text}`ch10_base_conf`
# against an accuracy of {glue:text}`ch10_base_acc`), and both methods overshot into underconfidence, with a
# *larger* ECE. Stacking the two smooths twice:

# %%
results["mixup + label smoothing"] = np.array([
    evaluate(fit(s, loss_fn=pt_ls.LabelSmoothingCrossEntropy(EPS), transform=pt_augment.mixup_transform(ALPHA, 10)))
    for s in SEEDS])
for name in ("no regularization", "label smoothing ε=0.1", "mixup α=0.2", "mixup + label smoothing"):
    report(name)
ece_of = {n: results[n][:, 4].mean() for n in results}
conf_of = {n: results[n][:, 3].mean() for n in results}
assert min(ece_of["label smoothing ε=0.1"], ece_of["mixup α=0.2"]) > ece_of["no regularization"]
for name in ("label smoothing ε=0.1", "mixup α=0.2"):                 # underconfident: confidence < accuracy
    assert conf_of[name] < results[name][:, 0].mean() - 0.05
assert conf_of["mixup + label smoothing"] < min(conf_of["label smoothing ε=0.1"], conf_of["mixup α=0.2"])
glue("ch10_both_conf", round(float(conf_of["mixup + label smoothing"]), 4), display=False)
glue("ch10_ls_ece", round(float(ece_of["label smoothing ε=0.1"]), 4), display=False)
glue("ch10_base_ece", round(float(ece_of["no regularization"]), 4), display=False)

# %% [markdown]
# Combined, the confidence falls to {glue:text}`ch10_both_conf`. The ECE with label smoothing is
# {glue:text}`ch10_ls_ece` against {glue:text}`ch10_base_ece` without. The practical rules: measure
# calibration on held-out data rather than assuming that a smoothing method improves it; do not stack
# target-softening methods blindly; and if calibrated probabilities matter, fit a post-hoc correction such
# as temperature scaling on validation data {cite}`guo2017calibration`, which works in both directions.
# Smoothed models are also poor teachers for knowledge distillation, because the smoothing removes the
# similarity structure between wrong classes that distillation transfers {cite}`muller2019when`.
#
# **Ensembles cost.** $M$ members cost $M$ times the memory and $M$ forward passes per prediction, and, for
# bagging or independent runs, $M$ training runs. Snapshot ensembles remove the training cost but not the
# prediction cost. Dropout's implicit ensemble ({doc}`ch06_dropout`) is the extreme case: $2^n$ members that
# share weights, one forward pass at test time, at the price of an approximation.

# %%
n_params = sum(p.numel() for p in mlp().parameters())
print(f"one network: {n_params} parameters; a snapshot ensemble of {EPOCHS // CYCLE} stores "
      f"{EPOCHS // CYCLE * n_params} and runs {EPOCHS // CYCLE} forward passes per prediction")

# %% [markdown]
# **"Complements to regularization" (source 003).** Source 003 lists data augmentation and model ensembling
# as other techniques to combine with regularization ("结合其他技术（如数据增强、模型集成等）") and as
# a direction for future research. They are regularizers in their own right, in the sense used since
# chapter 1, and not new: training with input noise was shown equivalent to Tikhonov regularization in 1995
# {cite}`bishop1995training` (here {eq}`eq-noise-ridge` and {eq}`eq-noise-taylor`), bagging dates from 1996
# {cite}`breiman1996bagging`, and augmentation of handwritten digits with distortions was the state of the art
# in 2003 {cite}`simard2003best`. What is true in 003's remark is that they combine: the table's rows can be
# stacked, as the mixup + label-smoothing row shows, with effects that do not simply add up.
#
# ## Summary
#
# - **Noise injection** with variance $\sigma^2$ on the inputs of a linear least-squares model is *exactly*
#   ridge regression with penalty $\sigma^2\lVert w\rVert^2$ on the mean loss {eq}`eq-noise-ridge`
#   ($\alpha = n\sigma^2$ in scikit-learn's convention); for a smooth nonlinear model it adds, to order
#   $\sigma^2$, the input-gradient penalty $\sigma^2\,\overline{\lVert\nabla_x f\rVert^2}$ plus a
#   curvature term that vanishes only when the model is the regression function {eq}`eq-noise-taylor`.
# - **Augmentation** trains on label-preserving transformations; it buys the invariance it encodes. On the
#   moved test digits it kept {glue:text}`ch10_aug_moved` accuracy against {glue:text}`ch10_aug_moved_base`,
#   and cost {glue:text}`ch10_aug_drop` on the centred ones.
# - **Label smoothing** {eq}`eq-ls-loss` has gradient $p - q$ {eq}`eq-ls-grad` and caps the logit gap at
#   $\log(1 + k(1-\varepsilon)/\varepsilon)$ {eq}`eq-ls-gap`; **mixup** {eq}`eq-mixup` trains on convex
#   combinations of examples and targets. Both lowered the confidence without changing the accuracy much;
#   whether that is better calibration must be measured.
# - **Ensembles** average away the uncorrelated part of the members' variance {eq}`eq-ensemble-variance`.
#   Bagging resamples the data (each bootstrap sample holds about 63.2% of the distinct examples
#   {eq}`eq-bootstrap-unique`) and helps high-variance learners most; snapshot ensembles collect members
#   along one run with cyclic cosine learning rates {eq}`eq-cosine-cycle`, and help only if the snapshots
#   differ: here the last ones disagreed on {glue:text}`ch10_snap_dis_last` of the test images and the
#   ensemble gained nothing measurable.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 10 <exercises/solutions/a10_data_side>` has coding exercises on this chapter with checks you can run;
# download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Noise on a subset of features (derivation and code).** Redo {eq}`eq-noise-ridge` when the noise on
#    feature $j$ has its own variance $\sigma_j^2$. Show that the result is a generalized ridge penalty
#    $w^\top \operatorname{diag}(\sigma_j^2)\, w$, and check your formula for the minimizer against least
#    squares on 1024 noisy copies (`checks.assert_close(..., rtol=0.02)`).
# 2. **Is augmentation only slow?** Train the augmented network of the chapter for 600 and 1200 epochs
#    (three seeds). Does its accuracy on the centred test images reach that of the unaugmented network?
#    Then repeat with rotations only (`digits_transform(max_shift=0)`) and with shifts only
#    (`max_degrees=0.0`): which of the two transformations costs accuracy on centred digits?
# 3. **The cap in a network.** Train the label-smoothed network for 2000 epochs and plot the median training
#    logit gap against the epoch. Does it approach $\log 91$? Why can the gap of an individual training image
#    exceed the cap?
# 4. **Mixup's $\alpha$.** Repeat the mixup experiment for $\alpha \in \{0.1, 0.4, 1, 4\}$ and plot accuracy,
#    confidence and ECE against $\alpha$. Using $\operatorname{Var}[\lambda] = 1/(4(2\alpha + 1))$, explain
#    the trend in confidence.
# 5. **Correlation of bagged trees.** For the 50 bagged trees of one seed, estimate $\sigma^2$ and $\rho$ of
#    the predicted probability of the true class, over trees, at each test image, and compare the variance
#    of the bagged prediction with {eq}`eq-ensemble-variance`. Then restrict each tree to a random half of
#    the 64 pixels (`DecisionTreeClassifier(max_features=32)`): how do $\rho$ and the accuracy change?
# 6. **Temperature scaling (coding).** Write `fit_temperature(logits, y)` that minimizes the validation
#    cross-entropy of `softmax(logits / T)` over $T > 0$, apply it to the unregularized and the
#    label-smoothed networks (fit $T$ on `split.X_val`), and report the test ECE before and after. Is
#    $T > 1$ or $T < 1$ for each, and why?
#
# ## References
#
# Noise injection as Tikhonov regularization is {cite}`bishop1995training`; tangent propagation
# {cite}`simard1992tangent` and the digit-distortion experiments of {cite}`simard2003best` are the classic
# references for augmentation; vicinal risk is {cite}`chapelle2001vicinal`, mixup {cite}`zhang2018mixup`.
# Label smoothing was introduced in {cite}`szegedy2016rethinking` and analysed in {cite}`muller2019when`;
# calibration and the ECE follow {cite}`guo2017calibration`. Bagging is {cite}`breiman1996bagging`; cosine
# restarts are {cite}`loshchilov2017sgdr`, snapshot ensembles {cite}`huang2017snapshot`; chapter 7 of
# {cite}`goodfellow2016deep` treats dataset augmentation, noise robustness and ensembles as regularization.
# Full entries are in the {doc}`bibliography`.
