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
# (ch-dropout)=
# # Dropout
#
# **Dropout** (随机失活, "random deactivation"; the sources also write "随机丢弃神经元") trains a neural
# network while randomly switching off a fraction $p$ of its units at every forward pass, and uses all of
# them, unperturbed, for prediction {cite}`hinton2012improving,srivastava2014dropout`. It adds no term to
# the loss, so it is a regularizer in the broad sense of chapter 1 {cite}`goodfellow2016deep`: a change to
# training that is meant to lower the error on new data, not on the training data.
#
# This chapter writes down the random mask and the scaling that makes the expected output equal to the
# input; reads dropout as a cheap ensemble of $2^n$ weight-sharing subnetworks; proves that on a linear
# model it *is* a data-dependent L2 penalty; separates it from DropConnect, which the sources confuse with
# it; and uses it at prediction time for uncertainty estimates (Monte Carlo dropout). Every formula is
# checked by simulation, and an experiment on handwritten digits measures what dropout does for an
# over-parameterized network. The sources get dropout wrong in more ways than any other topic (a
# deterministic "dropout" function, the L2 formula presented as the dropout loss, connections confused with
# units); the {ref}`pitfalls section <ch6-pitfalls>` corrects each one with evidence.
#
# Convention used throughout, as in PyTorch: **$p$ is the probability of dropping a unit**. The original
# paper uses $p$ for the probability of *keeping* one; the {ref}`pitfalls <ch6-pitfalls>` give the mapping.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue
from scipy import optimize, special
from torch import nn

import regbook
from regbook import checks, data, plotting
from regbook.np.dropout import (DropoutCache, dropconnect_backward, dropconnect_forward, dropout_backward,
                                dropout_forward, mc_dropout_predict)
from regbook.np.linear import ridge
from regbook.pt import dropout as pt_dropout
from regbook.pt.training import accuracy, train

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: a network that memorizes 200 digits
#
# scikit-learn's digits are 1797 grey-scale images of $8\times 8$ pixels. We train a fully connected
# network with two hidden layers of 128 ReLU units (about 26,000 parameters) on only 200 of them, 20 per
# digit, and watch a validation set of 359 images that the network never trains on. Pixels are divided by
# 16, their maximum, so inputs lie in $[0, 1]$. Training is full batch with Adam (learning rate
# $3\times 10^{-3}$) for 300 epochs with the book's training loop `regbook.pt.train` (shown and explained in
# {doc}`ch08_early_stopping`), which measures losses and accuracies with dropout switched off
# (`model.eval()`) after every epoch. The helper functions below are used for every network in the chapter;
# the dropout layers are regbook's (`regbook.pt.dropout.Dropout`), and with `p = 0` they do nothing.

# %%
split = data.load_dataset("digits", seed=0, standardize=False)   # pixel values 0..16, fixed split
X_val = torch.tensor(split.X_val / 16, dtype=torch.float32)      # (359, 64)
y_val = torch.tensor(split.y_val)
N_TRAIN, HIDDEN, EPOCHS, LR = 200, 128, 300, 3e-3
CURVES = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")


def training_subset(seed):
    """A class-balanced subset of N_TRAIN training images (20 per digit), drawn with `seed`."""
    r = np.random.default_rng(seed)
    idx = np.concatenate([r.choice(np.flatnonzero(split.y_train == c), N_TRAIN // 10, replace=False)
                          for c in range(10)])
    return torch.tensor(split.X_train[idx] / 16, dtype=torch.float32), torch.tensor(split.y_train[idx])


def mlp(p_in, p_hidden, layer=pt_dropout.Dropout):
    """64 -> 128 -> 128 -> 10 ReLU network; dropout on the input and after each hidden layer."""
    return nn.Sequential(layer(p_in), nn.Linear(64, HIDDEN), nn.ReLU(), layer(p_hidden),
                         nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), layer(p_hidden), nn.Linear(HIDDEN, 10))


def evaluate(model, X, y):
    """Cross-entropy and accuracy with dropout switched off."""
    model.eval()
    with torch.no_grad():
        logits = model(X)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def train_digits(seed, p_in, p_hidden, layer=pt_dropout.Dropout):
    """Full-batch Adam on training_subset(seed) with regbook.pt.train; curves measured after every epoch."""
    X, y = training_subset(seed)
    torch.manual_seed(seed)                      # the initialization and every dropout mask
    model = mlp(p_in, p_hidden, layer)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    history = train(model, F.cross_entropy, opt, (X, y), epochs=EPOCHS, val_data=(X_val, y_val),
                    metrics={"accuracy": accuracy}, generator=torch.Generator().manual_seed(seed), progress=False)
    return model, {key: np.array(history[key]) for key in CURVES}


model_plain, hist_plain = train_digits(0, 0.0, 0.0)
ax = plotting.plot_learning_curves(hist_plain, metric="loss", ylabel="cross-entropy", logy=True,
                                   title="No dropout: 200 training digits, 128-128 ReLU network")
plt.show()

best_epoch = int(np.argmin(hist_plain["val_loss"])) + 1
print(f"after {EPOCHS} epochs: train accuracy {hist_plain['train_accuracy'][-1]:.3f}, "
      f"train loss {hist_plain['train_loss'][-1]:.4f}")
print(f"validation loss: lowest {hist_plain['val_loss'].min():.3f} at epoch {best_epoch}, "
      f"final {hist_plain['val_loss'][-1]:.3f}; final validation accuracy {hist_plain['val_accuracy'][-1]:.3f}")

# %% [markdown]
# The training loss falls by orders of magnitude and every training image ends up classified correctly,
# while the validation loss reaches its minimum early and then climbs: the network keeps making its
# predictions on the training set more confident, and the confidence does not carry over. The next cell
# checks these statements.

# %%
assert hist_plain["train_accuracy"][-1] == 1.0 and hist_plain["train_loss"][-1] < 0.01
assert best_epoch < EPOCHS // 3 and hist_plain["val_loss"][-1] > 1.15 * hist_plain["val_loss"].min()
glue("ch6_why_train_loss", round(float(hist_plain["train_loss"][-1]), 4), display=False)
glue("ch6_why_val_min", round(float(hist_plain["val_loss"].min()), 4), display=False)
glue("ch6_why_best_epoch", best_epoch, display=False)
glue("ch6_why_val_final", round(float(hist_plain["val_loss"][-1]), 4), display=False)
glue("ch6_why_val_acc", round(float(hist_plain["val_accuracy"][-1]), 4), display=False)

# %% [markdown]
# The final training loss is {glue:text}`ch6_why_train_loss`; the validation loss was lowest
# ({glue:text}`ch6_why_val_min`) at epoch {glue:text}`ch6_why_best_epoch` and is
# {glue:text}`ch6_why_val_final` at the end, with a validation accuracy of {glue:text}`ch6_why_val_acc`.
# Hinton et al. {cite}`hinton2012improving` describe the mechanism they wanted to break: a hidden unit can
# become useful only in combination with a few specific other units (**co-adaptation**, 协同适应), and such
# combinations fit the training set without generalizing. If every unit may be absent at any step, no unit
# can rely on another; each has to be useful on its own, in many contexts. The
# {ref}`experiment <ch6-experiment>` trains the same network with dropout.
#
# ## Theory: the random mask and inverted scaling
#
# Let $h \in \mathbb R^n$ be the activations of a layer for one example. Dropout draws a **mask**
# $m \in \{0, 1\}^n$ with independent entries $m_j \sim \operatorname{Bernoulli}(1 - p)$ (a unit is kept
# with probability $1-p$) and passes on
#
# $$
# \tilde h = \frac{m \odot h}{1 - p} \quad \text{(training)}, \qquad \tilde h = h \quad \text{(evaluation)},
# $$ (eq-dropout-mask)
#
# a fresh mask for every example and every forward pass. Dividing the kept units by $1-p$ is **inverted
# dropout**. Since $\mathbb E[m_j] = 1 - p$ and $\operatorname{Var}[m_j] = p(1-p)$,
#
# $$
# \mathbb E[\tilde h_j] = \frac{(1-p)\,h_j}{1-p} = h_j, \qquad
# \operatorname{Var}[\tilde h_j] = \frac{p(1-p)}{(1-p)^2}\, h_j^2 = \frac{p}{1-p}\, h_j^2 .
# $$ (eq-dropout-moments)
#
# So each unit is unbiased, and the noise it carries grows with $p$: the factor $p/(1-p)$ is $0.25$ at
# $p = 0.2$, $1$ at $p = 0.5$ and $4$ at $p = 0.8$, and it is infinite at $p = 1$, which regbook refuses
# (nothing would be kept, and $1/(1-p)$ divides by zero). Because the expectation is already right, the
# evaluation pass is the identity: the layer needs no change at test time.
#
# regbook's implementation is a direct transcription of {eq}`eq-dropout-mask`: a uniform draw
# $u_j \ge p$ keeps unit $j$, and the cache stores the scaled mask $m/(1-p)$ for the backward pass.

# %%
regbook.show_source(dropout_forward)

# %% [markdown]
# We check {eq}`eq-dropout-moments` by Monte Carlo: 200,000 independent masks for one activation vector
# $h$ (the rows of one call), comparing the fraction of dropped units with $p$, and the sample mean and
# variance of each unit with the formulas. The differences are expressed in standard errors of the Monte
# Carlo estimate; a correct formula gives values that are rarely above 4.

# %%
def z_score(samples, expected):
    """|sample mean - expected| in standard errors of the mean (samples along axis 0)."""
    samples = np.asarray(samples, dtype=np.float64)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    return np.abs(samples.mean(axis=0) - expected) / se


P = 0.3
h = np.array([1.0, -2.0, 0.5, 3.0])
T = 200_000
h_tilde, cache = dropout_forward(np.tile(h, (T, 1)), p=P, training=True, rng=rng)   # (T, 4)
dropped = (cache.mask == 0).ravel()
z_rate = abs(dropped.mean() - P) / np.sqrt(P * (1 - P) / dropped.size)
z_mean = z_score(h_tilde, h)
z_var = z_score((h_tilde - h) ** 2, P / (1 - P) * h**2)     # E[(h~ - h)^2] = Var[h~] since E[h~] = h
print(f"fraction dropped {dropped.mean():.4f} (p = {P}), z = {z_rate:.2f}")
print(f"sample mean     {np.round(h_tilde.mean(axis=0), 3)}   vs h            {h}")
print(f"sample variance {np.round(h_tilde.var(axis=0), 3)}   vs p/(1-p) h^2 {P / (1 - P) * h**2}")
print(f"largest z-scores: mean {z_mean.max():.2f}, variance {z_var.max():.2f}")
assert z_rate < 4 and z_mean.max() < 4 and z_var.max() < 4
assert set(np.unique(cache.mask)) == {0.0, 1 / (1 - P)}

# evaluation is the identity, and so is training with p = 0
assert np.array_equal(dropout_forward(h, p=P, training=False, rng=rng)[0], h)
assert np.array_equal(dropout_forward(h, p=0.0, training=True, rng=rng)[0], h)
try:
    dropout_forward(h, p=1.0, training=True, rng=rng)
except ValueError as exc:
    print(f"p = 1: {exc}")

# %% [markdown]
# ### Train versus evaluation, and the original form
#
# Srivastava et al. {cite}`srivastava2014dropout` did not rescale during training. They passed on
# $m \odot h$ and, at test time, multiplied the outgoing weights by the keep probability $1-p$ (the
# **weight scaling inference rule**; AlexNet did the same by multiplying the outputs by 0.5
# {cite}`krizhevsky2012imagenet`). For a layer $u = W\tilde h$ after dropout, the two forms are
#
# $$
# \text{original: } u_{\text{train}} = W_o (m \odot h),\ \ u_{\text{test}} = (1-p)\,W_o h; \qquad
# \text{inverted: } u_{\text{train}} = W_i \frac{m \odot h}{1-p},\ \ u_{\text{test}} = W_i h .
# $$ (eq-dropout-weight-scaling)
#
# With $W_i = (1-p)W_o$ they are the same function, in training (for every mask) and at test time; both
# have $\mathbb E_m[u_{\text{train}}] = u_{\text{test}}$. So the two forms train the same models and differ
# only in where the factor $1-p$ is stored. Inverted dropout is what PyTorch, Keras and regbook implement,
# because it leaves the evaluation network untouched: nothing has to be remembered at deployment.
#
# The check: one mask, both forms, training and test outputs; then the average of 200,000 training outputs
# against the test output.

# %%
h_batch = np.abs(rng.standard_normal((5, 6)))            # activations of 5 examples, 6 units (after a ReLU)
W_o = rng.standard_normal((6, 3))                       # weights of the next layer, original form
W_i = (1 - P) * W_o                                     # the same weights, inverted form
h_drop, cache_b = dropout_forward(h_batch, p=P, training=True, rng=rng)
m = cache_b.mask * (1 - P)                              # the 0/1 keep pattern of this call
rows = {
    "training, same mask": checks.rel_error((m * h_batch) @ W_o, h_drop @ W_i),
    "test time": checks.rel_error(h_batch @ ((1 - P) * W_o), h_batch @ W_i),
}
for name, err in rows.items():
    print(f"original vs inverted, {name:<20} max rel. error {checks.error_bound(err)}")
assert max(rows.values()) < 1e-12

u_train = dropout_forward(np.tile(h_batch[0], (T, 1)), p=P, training=True, rng=rng)[0] @ W_i   # (T, 3)
z_u = z_score(u_train, h_batch[0] @ W_i)
print(f"E[u_train] vs u_test: largest z-score {z_u.max():.2f}")
assert z_u.max() < 4

# %% [markdown]
# ## Theory: an ensemble of $2^n$ subnetworks
#
# A network with $n$ droppable units has $2^n$ masks, and each mask selects a **subnetwork** (子网络): the
# network with the dropped units removed. All subnetworks share the same weights. Each training step
# samples one subnetwork per example and takes a gradient step on it, so dropout trains an exponentially
# large **ensemble** (集成) of weight-sharing models, most of which are never sampled even once
# {cite}`srivastava2014dropout,goodfellow2016deep`. An ensemble predicts by averaging its members. The
# evaluation network, with every unit present and inverted scaling, is a one-pass approximation of that
# average. It is exact in two cases.
#
# *Linear in the dropped units.* If the output is linear in $\tilde h$, the average over masks of the
# output is the output at $\mathbb E[\tilde h] = h$ {eq}`eq-dropout-moments`: the evaluation network *is*
# the ensemble mean.
#
# *Softmax on top of the dropped units.* Let $z(m) = W^\top \frac{m \odot x}{1-p} + b$ be the logits of
# subnetwork $m$ and $P(m) = \prod_j (1-p)^{m_j} p^{1-m_j}$ its probability. Average the members'
# predicted distributions geometrically, with weights $P(m)$, and renormalize:
#
# $$
# \frac{\prod_m \operatorname{softmax}(z(m))_k^{P(m)}}{\sum_{k'} \prod_m \operatorname{softmax}(z(m))_{k'}^{P(m)}}
# = \frac{\exp\bigl(\sum_m P(m)\, z_k(m)\bigr)}{\sum_{k'} \exp\bigl(\sum_m P(m)\, z_{k'}(m)\bigr)}
# = \operatorname{softmax}\bigl(W^\top x + b\bigr)_k .
# $$ (eq-dropout-geometric-mean)
#
# *Derivation.* $\log \operatorname{softmax}(z)_k = z_k - \log\sum_{k'} e^{z_{k'}}$. The second term does
# not depend on $k$, so after the weighted sum over $m$ it cancels in the renormalization; what remains is
# $\exp(\sum_m P(m) z_k(m)) = \exp(\mathbb E_m[z_k(m)])$, and $\mathbb E_m[z(m)] = W^\top x + b$ by
# {eq}`eq-dropout-moments`. This is the result of {cite}`hinton2012improving` for a softmax layer on top of
# dropped units: the evaluation network computes the normalized geometric mean of all $2^n$ subnetworks.
#
# With $n = 10$ inputs there are only 1024 subnetworks, so we can enumerate all of them and compare the
# geometric mean with the evaluation network, and also with the *arithmetic* mean of the members'
# probabilities, which is what averaging sampled subnetworks estimates.

# %%
N_IN, P_GM = 10, 0.3
r_gm = np.random.default_rng(3)
W_gm, b_gm, x_gm = r_gm.standard_normal((N_IN, 3)), r_gm.standard_normal(3), r_gm.standard_normal(N_IN)
masks = ((np.arange(2**N_IN)[:, None] >> np.arange(N_IN)) & 1).astype(float)   # all 1024 keep patterns
weights = np.prod(np.where(masks == 1, 1 - P_GM, P_GM), axis=1)                # P(m)
logits = (masks * x_gm / (1 - P_GM)) @ W_gm + b_gm                              # (1024, 3)
log_probs = logits - special.logsumexp(logits, axis=1, keepdims=True)
geometric = np.exp(weights @ log_probs)
geometric /= geometric.sum()
arithmetic = weights @ np.exp(log_probs)
evaluation_net = special.softmax(x_gm @ W_gm + b_gm)
err_geo = checks.rel_error(geometric, evaluation_net)
gap_arith = float(np.abs(arithmetic - evaluation_net).max())
print(f"sum of P(m) over the 1024 masks: {weights.sum():.12f}")
print(f"evaluation network     {np.round(evaluation_net, 4)}")
print(f"geometric mean         {np.round(geometric, 4)}   rel. error {checks.error_bound(err_geo)}")
print(f"arithmetic mean        {np.round(arithmetic, 4)}   largest difference {gap_arith:.4f}")
assert abs(weights.sum() - 1) < 1e-12 and err_geo < 1e-12 and gap_arith > 0.01
glue("ch6_gm_arith_gap", round(gap_arith, 4), display=False)

# %% [markdown]
# The evaluation network reproduces the geometric mean to rounding error; the arithmetic mean of the
# probabilities does not (largest difference {glue:text}`ch6_gm_arith_gap`): it is less confident, because
# the subnetworks that miss the important inputs spread their probability over all classes. Once a nonlinearity sits between the dropped units and the output, no
# identity holds, and the weight scaling rule is an approximation whose quality has to be measured. The
# {ref}`experiment <ch6-experiment>` measures it on trained digit classifiers by comparing the evaluation
# network with **Monte Carlo averaging** (the mean prediction of many sampled subnetworks).
#
# (ch6-linear)=
# ## Theory: on a linear model, dropout is a data-dependent L2 penalty
#
# Take linear regression with dropout on the inputs, $\hat y = w^\top \frac{m \odot x}{1-p}$ (centred data,
# no intercept; a bias is never dropped). By {eq}`eq-dropout-moments`, $\mathbb E[\hat y] = w^\top x$ and,
# the $m_j$ being independent,
# $\operatorname{Var}[\hat y] = \sum_j w_j^2 x_j^2 \operatorname{Var}[m_j/(1-p)] = \frac{p}{1-p}\sum_j w_j^2 x_j^2$.
# The expected squared error is the squared bias plus the variance:
#
# $$
# \mathbb E_m\bigl[(y - \hat y)^2\bigr] = (y - w^\top x)^2 + \frac{p}{1-p}\sum_{j} w_j^2 x_j^2 .
# $$ (eq-dropout-linear-risk)
#
# Summed over the training set, the expected dropout loss is least squares plus a weighted L2 penalty,
#
# $$
# \mathbb E_m\Bigl[\sum_i (y_i - \hat y_i)^2\Bigr] = \lVert y - Xw\rVert_2^2 + \frac{p}{1-p}\, w^\top \Gamma w,
# \qquad \Gamma = \operatorname{diag}(X^\top X), \quad \Gamma_{jj} = \sum_i x_{ij}^2,
# $$
#
# whose gradient $-2X^\top(y - Xw) + 2\frac{p}{1-p}\Gamma w$ vanishes at
#
# $$
# \hat w_{\text{dropout}} = \Bigl(X^\top X + \frac{p}{1-p}\,\operatorname{diag}(X^\top X)\Bigr)^{-1} X^\top y .
# $$ (eq-dropout-ridge)
#
# This is ridge regression with strength $\lambda = p/(1-p)$ in which feature $j$ is penalized in proportion
# to its energy $\Gamma_{jj}$ {cite}`srivastava2014dropout,wager2013dropout` (section 9.1 of the first writes
# it with the keep probability). Substituting $v_j = \sqrt{\Gamma_{jj}}\, w_j$ turns it into ordinary ridge
# regression on the columns rescaled to unit norm, $Z = X\Gamma^{-1/2}$, with
# $\alpha = p/(1-p)$; for standardized features ($\Gamma_{jj} = n$) it is plain ridge with $\alpha = np/(1-p)$.
# Two consequences: the penalty does not depend on the units of the features (rescaling a feature rescales
# its weight and leaves the fit unchanged, unlike ridge on raw features), and there is no separate
# strength $\lambda$ to choose, because $p$ sets it. For generalized linear models
# {cite}`wager2013dropout` show that the same holds to second order, with $\Gamma$ replaced by a diagonal
# weighted by the model's curvature at each example; that is the sense of their "adaptive regularization".
# Training with additive Gaussian input noise gives the unweighted ridge penalty instead
# {cite}`bishop1995training`.
#
# Four checks on a regression problem whose five features have very different scales: the identity
# {eq}`eq-dropout-linear-risk` for one example by Monte Carlo; {eq}`eq-dropout-ridge` against regbook's
# `ridge` on the rescaled columns; the gradient of the expected loss at that point; and, closest to what
# dropout training does, stochastic gradient descent on the squared error of dropout-noised inputs, a fresh
# mask per example per step, with the iterates averaged over the second half of the run. That last check is
# written out by hand in NumPy rather than run through `regbook.pt.train`, because its point is the single
# step itself: the noisy gradient $2\tilde X^\top(\tilde X w - y)/n$ and the averaging of the iterates.

# %%
P_LIN, N_LIN = 0.3, 100
LAM = P_LIN / (1 - P_LIN)
r_lin = np.random.default_rng(1)
X_lin = r_lin.standard_normal((N_LIN, 5)) * np.array([0.3, 0.5, 1.0, 2.0, 4.0])   # feature scales differ
X_lin -= X_lin.mean(axis=0)
w_true = np.array([1.0, -2.0, 0.5, 0.8, -0.3])
y_lin = X_lin @ w_true + 0.5 * r_lin.standard_normal(N_LIN)
y_lin -= y_lin.mean()

# (1) the identity for one example, over 200,000 masks
x1, y1 = X_lin[0], y_lin[0]
xm = dropout_forward(np.tile(x1, (T, 1)), p=P_LIN, training=True, rng=rng)[0]   # (T, 5)
sq_err = (y1 - xm @ w_true) ** 2
formula = (y1 - x1 @ w_true) ** 2 + LAM * np.sum(w_true**2 * x1**2)
print(f"one example: Monte Carlo E[(y - y_hat)^2] = {sq_err.mean():.4f}, formula {formula:.4f}, "
      f"z = {z_score(sq_err, formula):.2f}")
assert z_score(sq_err, formula) < 4

# (2) the closed form against regbook's ridge on columns rescaled to unit norm
Gamma = np.sum(X_lin**2, axis=0)                                                  # diag(X^T X)
w_drop = np.linalg.solve(X_lin.T @ X_lin + LAM * np.diag(Gamma), X_lin.T @ y_lin)
v = ridge(X_lin / np.sqrt(Gamma), y_lin, alpha=LAM, fit_intercept=False).coef
err_ridge = checks.assert_close(v / np.sqrt(Gamma), w_drop, rtol=1e-10, name="dropout solution via ridge")
print(f"closed form vs regbook ridge on rescaled columns: rel. error {checks.error_bound(err_ridge)}")


# (3) the gradient of the expected loss vanishes there
def expected_loss(w):
    return np.sum((y_lin - X_lin @ w) ** 2) + LAM * np.sum(Gamma * w**2)


g_at = checks.numerical_gradient(expected_loss, w_drop)
g_0 = checks.numerical_gradient(expected_loss, np.zeros(5))
print(f"|grad at w_dropout| / |grad at 0| {checks.error_bound(np.linalg.norm(g_at) / np.linalg.norm(g_0), floor=1e-8)}")
assert np.linalg.norm(g_at) < 1e-6 * np.linalg.norm(g_0)

# %%
# (4) SGD on dropout-noised inputs: each step uses a fresh mask for every example
STEPS = 10_000
eta = 0.25 * N_LIN / np.linalg.eigvalsh(X_lin.T @ X_lin + LAM * np.diag(Gamma)).max()
w, w_avg = np.zeros(5), np.zeros(5)
sgd_rng = np.random.default_rng(5)
for t in range(STEPS):
    Xm = dropout_forward(X_lin, p=P_LIN, training=True, rng=sgd_rng)[0]      # (100, 5), new masks
    w -= eta * 2 * Xm.T @ (Xm @ w - y_lin) / N_LIN                           # gradient of the noisy loss
    if t >= STEPS // 2:
        w_avg += w / (STEPS - STEPS // 2)                                   # iterate averaging
w_ols = ridge(X_lin, y_lin, alpha=0.0, fit_intercept=False).coef
err_sgd, err_ols = checks.rel_error(w_avg, w_drop), checks.rel_error(w_ols, w_drop)
print(f"least squares   {np.round(w_ols, 3)}")
print(f"closed form     {np.round(w_drop, 3)}   (eq. dropout-ridge)")
print(f"dropout SGD     {np.round(w_avg, 3)}")
print(f"max rel. error: dropout SGD vs closed form {err_sgd:.4f}; least squares vs closed form {err_ols:.4f}")
assert err_sgd < 0.02 and err_ols > 10 * err_sgd
glue("ch6_sgd_err", round(err_sgd, 4), display=False)
glue("ch6_ols_err", round(err_ols, 4), display=False)

# %% [markdown]
# Averaged SGD on dropout-noised data lands on {eq}`eq-dropout-ridge` (largest relative error
# {glue:text}`ch6_sgd_err`), not on least squares (which differs by up to {glue:text}`ch6_ols_err`): the
# randomness of the masks, averaged over training, acts exactly like the penalty. The penalty is strongest
# for the large-scale features in absolute terms but shrinks every coefficient by a comparable *fraction*,
# because it is measured in each feature's own units. A uniform ridge penalty cannot do that, as the
# {ref}`pitfalls <ch6-pitfalls>` show.
#
# ## Theory: DropConnect drops weights, not units
#
# **DropConnect** {cite}`wan2013regularization` masks the individual weights of a linear layer instead of
# its input units. For a mini-batch $x \in \mathbb R^{N\times n}$ and weights $W \in \mathbb R^{n\times K}$,
# with $M_{jk} \sim \operatorname{Bernoulli}(1-p)$,
#
# $$
# \text{dropout: } u_{ik} = \sum_j \frac{m_{ij}}{1-p}\, x_{ij} W_{jk} + b_k, \qquad
# \text{DropConnect: } u_{ik} = \sum_j x_{ij}\,\frac{M_{jk}}{1-p}\, W_{jk} + b_k .
# $$ (eq-dropout-dropconnect)
#
# Dropping input unit $j$ is the same as zeroing row $j$ of $W$ for that example; DropConnect zeros
# entries independently, so it has $nK$ mask entries per draw where dropout has $n$. Both are unbiased,
# $\mathbb E[u] = xW + b$. Their second moments, from the independence of the mask entries (write
# $c = p/(1-p)$):
#
# $$
# \begin{aligned}
# &\operatorname{Var}[u_{ik}] = c\sum_j x_{ij}^2 W_{jk}^2 \ \text{(both)}, \\
# &\operatorname{Cov}[u_{ik}, u_{il}] = c\sum_j x_{ij}^2 W_{jk}W_{jl} \ \text{(dropout)}, \quad 0 \ \text{(DropConnect)}, \\
# &\operatorname{Cov}[u_{ik}, u_{i'k}] = 0 \ \text{(dropout)}, \quad c\sum_j x_{ij}x_{i'j} W_{jk}^2 \ \text{(DropConnect, one mask per batch)} .
# \end{aligned}
# $$ (eq-dropout-dropconnect-moments)
#
# Per output unit, the two are indistinguishable in mean and variance. They differ in the correlations:
# dropout's shared unit mask correlates the outputs of one example (all of them lose input $j$ together);
# DropConnect's independent weight masks do not. Wan et al. draw a separate weight mask for every example;
# regbook's `dropconnect_forward` draws **one** mask per forward call for the whole mini-batch, which costs
# one $n\times K$ mask and one matrix product instead of an $N\times n\times K$ tensor and $N$
# matrix-vector products, and keeps the outputs and gradients unbiased. The price, the last line of
# {eq}`eq-dropout-dropconnect-moments`, is that examples of the same batch are now correlated, so the
# gradient of a batch is somewhat noisier. (Wan et al. also replace weight scaling at inference by a
# Gaussian moment-matching approximation; regbook's evaluation mode returns the mean pre-activation.)
#
# The check: 20,000 draws of each for a batch of two examples with four inputs and three outputs, and every
# moment of {eq}`eq-dropout-dropconnect-moments` compared with its Monte Carlo estimate.

# %%
P_DC, T_DC = 0.4, 20_000
C_DC = P_DC / (1 - P_DC)
x_dc = np.array([[1.0, -0.5, 2.0, 0.3], [0.4, 1.5, -1.0, 0.8]])              # (2 examples, 4 inputs)
W_dc, b_dc = r_gm.standard_normal((4, 3)), r_gm.standard_normal(3)          # (4 inputs, 3 outputs)
dc_rng = np.random.default_rng(11)
u_dc = np.stack([dropconnect_forward(x_dc, W_dc, b_dc, p=P_DC, training=True, rng=dc_rng)[0]
                 for _ in range(T_DC)])                                    # (T, 2, 3), one mask per draw
u_do = dropout_forward(np.tile(x_dc, (T_DC, 1, 1)), p=P_DC, training=True, rng=dc_rng)[0] @ W_dc + b_dc
mean_u = x_dc @ W_dc + b_dc
var_u = C_DC * (x_dc**2) @ (W_dc**2)
cov_outputs = C_DC * np.sum(x_dc[0] ** 2 * W_dc[:, 0] * W_dc[:, 1])             # example 0, outputs 0 and 1
cov_examples = C_DC * np.sum(x_dc[0] * x_dc[1] * W_dc[:, 0] ** 2)              # output 0, examples 0 and 1
theory = {  # moment: (formula for dropout, formula for DropConnect, Monte Carlo integrand)
    "E[u] (all 6)": (mean_u, mean_u, lambda u: u),
    "Var[u] (all 6)": (var_u, var_u, lambda u: (u - mean_u) ** 2),
    "Cov[u_00, u_01] (outputs)": (cov_outputs, 0.0, lambda u: (u[:, 0, 0] - mean_u[0, 0]) * (u[:, 0, 1] - mean_u[0, 1])),
    "Cov[u_00, u_10] (examples)": (0.0, cov_examples, lambda u: (u[:, 0, 0] - mean_u[0, 0]) * (u[:, 1, 0] - mean_u[1, 0])),
}
def first(a):
    return float(np.ravel(a)[0])


print(f"{'moment':<28}{'dropout: formula':>18}{'MC':>8}{'DropConnect: formula':>22}{'MC':>8}{'max z':>7}")
for name, (f_do, f_dc, integrand) in theory.items():
    s_do, s_dc = integrand(u_do), integrand(u_dc)
    z = max(z_score(s_do, f_do).max(), z_score(s_dc, f_dc).max())
    print(f"{name:<28}{first(f_do):>18.3f}{first(s_do.mean(axis=0)):>8.3f}{first(f_dc):>22.3f}"
          f"{first(s_dc.mean(axis=0)):>8.3f}{z:>7.2f}")
    assert z < 4.5, name
assert abs(cov_outputs) > 0.1 and abs(cov_examples) > 0.1                    # the differences are not tiny

# %% [markdown]
# (For the first two rows the table prints the first of the six entries; the z-score is the largest over
# all six.) Every moment agrees with {eq}`eq-dropout-dropconnect-moments`: the same means and variances, and
# opposite correlation structures.
#
# (ch6-mc-dropout)=
# ## Theory: Monte Carlo dropout for uncertainty
#
# Gal and Ghahramani {cite}`gal2016dropout` showed that training a network with dropout (and weight decay)
# can be read as approximate variational inference for a Bayesian network: the random masks define an
# approximate posterior over the weights. Predicting then means *keeping dropout on* and averaging $T$
# stochastic forward passes $\hat y_t = f(x; m_t)$:
#
# $$
# \bar y(x) = \frac1T\sum_{t=1}^T \hat y_t, \qquad
# \hat\sigma^2(x) = \frac1T\sum_{t=1}^T \bigl(\hat y_t - \bar y(x)\bigr)^2 \;(+\ \tau^{-1}),
# $$ (eq-dropout-mc)
#
# where $\tau^{-1}$ is the variance of the observation noise, which the masks know nothing about and which
# has to be estimated separately. The spread $\hat\sigma^2$ measures how much the thinned subnetworks
# disagree at $x$. Where the training data pin the function down, they agree; away from the data they can
# disagree, and the spread grows. That is the promise. What it is **not**: a calibrated posterior. The
# width depends on $p$, the architecture and the weight decay, which are usually tuned for accuracy, and
# the variational family (independent Bernoulli masks) is crude, so the intervals can be too narrow or too
# wide and should be checked on held-out data.
#
# The test: 40 noisy samples of $\sin(2\pi x)$ (noise standard deviation 0.1), 20 in $[0, 0.35]$ and 20 in
# $[0.65, 1]$, with nothing in between. A 64-64 ReLU network with dropout $p = 0.1$ after each hidden layer
# is trained by full-batch Adam, and `regbook.pt.dropout.mc_dropout_predict` draws 300 passes on a grid that
# also extends beyond the data. The same model is trained a second time with $p = 0.3$.

# %%
NOISE_MC = 0.1
r_mc = np.random.default_rng(4)
x_a, y_a = data.make_sinusoid(20, noise=NOISE_MC, rng=r_mc, x_range=(0.0, 0.35))
x_b, y_b = data.make_sinusoid(20, noise=NOISE_MC, rng=r_mc, x_range=(0.65, 1.0))
x_mc, y_mc = np.concatenate([x_a, x_b]), np.concatenate([y_a, y_b])
grid = np.linspace(-0.2, 1.2, 141)


def as_input(x):
    return torch.tensor(2 * x - 1, dtype=torch.float32)[:, None]          # inputs mapped to [-1, 1]


def train_regressor(p, seed=0, steps=1500):
    """Full-batch Adam on the squared error, one step per epoch; no per-epoch evaluation is needed."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(1, 64), nn.ReLU(), pt_dropout.Dropout(p),
                          nn.Linear(64, 64), nn.ReLU(), pt_dropout.Dropout(p), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    X_t, y_t = as_input(x_mc), torch.tensor(y_mc, dtype=torch.float32)[:, None]
    train(model, F.mse_loss, opt, (X_t, y_t), epochs=steps, eval_train=False,
          generator=torch.Generator().manual_seed(seed), progress=False)
    return model.eval()


def mc_band(model, x, seed=0):
    mean, var = pt_dropout.mc_dropout_predict(model, as_input(x), n_samples=300,
                                              generator=torch.Generator().manual_seed(seed))
    return mean.squeeze(1).numpy(), var.squeeze(1).sqrt().numpy()


regressors = {p: train_regressor(p) for p in (0.1, 0.3)}
bands = {p: mc_band(model, grid) for p, model in regressors.items()}
in_data = ((grid >= 0) & (grid <= 0.35)) | ((grid >= 0.65) & (grid <= 1))
in_gap = (grid > 0.4) & (grid < 0.6)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (p, (mean, sd)) in zip(axes, bands.items()):
    ax.axvspan(0.35, 0.65, color="0.92", label="no training data")
    ax.fill_between(grid, mean - 2 * sd, mean + 2 * sd, color=plotting.COLORS["val"], alpha=0.25,
                    label=r"$\bar y \pm 2\hat\sigma$ (model part)")
    ax.plot(grid, mean, color=plotting.COLORS["val"], label=r"MC mean $\bar y$")
    ax.plot(grid, data.sinusoid(grid), "k--", lw=1, label=r"true $\sin(2\pi x)$")
    ax.scatter(x_mc, y_mc, s=14, color="k", zorder=3)
    ax.set(xlabel="x", title=f"MC dropout, p = {p}, 300 passes", ylim=(-2, 2))
axes[0].set_ylabel("y")
axes[0].legend(loc="lower left", fontsize=8)
plt.show()

# %% [markdown]
# The next cell puts numbers on the figure: the average predictive standard deviation inside the data and
# in the middle of the gap; the fraction of 2000 fresh noisy labels from the data region that fall inside
# $\bar y \pm 2\hat\sigma$, first with the model part only and then adding $\tau^{-1}$, estimated as the
# residual variance on the training set (for Gaussian errors about 95% should fall inside).

# %%
x_fresh, y_fresh = data.make_sinusoid(2000, noise=NOISE_MC, rng=np.random.default_rng(99))
keep_fresh = (x_fresh <= 0.35) | (x_fresh >= 0.65)
x_fresh, y_fresh = x_fresh[keep_fresh], y_fresh[keep_fresh]
mc_stats = {}
for p, model in regressors.items():
    mean, sd = bands[p]
    with torch.no_grad():
        tau_inv = float(np.var(model(as_input(x_mc)).squeeze(1).numpy() - y_mc))   # residual variance
    m_f, sd_f = mc_band(model, x_fresh, seed=1)
    mc_stats[p] = dict(sd_data=sd[in_data].mean(), sd_gap=sd[in_gap].mean(),
                       cover_model=np.mean(np.abs(y_fresh - m_f) <= 2 * sd_f),
                       cover_total=np.mean(np.abs(y_fresh - m_f) <= 2 * np.sqrt(sd_f**2 + tau_inv)))
    s = mc_stats[p]
    print(f"p = {p}: mean sd in the data {s['sd_data']:.3f}, in the gap {s['sd_gap']:.3f} "
          f"(ratio {s['sd_gap'] / s['sd_data']:.2f}); coverage of fresh labels: model part "
          f"{s['cover_model']:.3f}, with noise {s['cover_total']:.3f}")
s1, s3 = mc_stats[0.1], mc_stats[0.3]
assert s1["sd_gap"] > 1.2 * s1["sd_data"]                      # more spread where there are no data
assert s1["cover_model"] < 0.9 < s1["cover_total"]            # the model part alone is too narrow
assert s3["sd_data"] > 1.3 * s1["sd_data"]                     # the width is set by p
outside = (grid < -0.05) | (grid > 1.05)                       # extrapolation
mean1, sd1 = bands[0.1]
miss_out = np.mean(np.abs(data.sinusoid(grid[outside]) - mean1[outside]) > 2 * sd1[outside])
print(f"p = 0.1: the true function is outside the band at {miss_out:.2f} of the grid points beyond [0, 1]")
assert miss_out > 0.5
glue("ch6_mc_miss_out", round(float(miss_out), 4), display=False)
glue("ch6_mc_sd_data", round(float(s1["sd_data"]), 4), display=False)
glue("ch6_mc_sd_gap", round(float(s1["sd_gap"]), 4), display=False)
glue("ch6_mc_cover_model", round(float(s1["cover_model"]), 4), display=False)
glue("ch6_mc_cover_total", round(float(s1["cover_total"]), 4), display=False)
glue("ch6_mc_sd_data_p3", round(float(s3["sd_data"]), 4), display=False)
glue("ch6_mc_cover_model_p3", round(float(s3["cover_model"]), 4), display=False)

# %% [markdown]
# With $p = 0.1$ the predictive standard deviation averages {glue:text}`ch6_mc_sd_gap` in the gap against
# {glue:text}`ch6_mc_sd_data` where there are data, so the spread does grow where the data end, as
# promised. But the band of the model part alone covers only {glue:text}`ch6_mc_cover_model` of fresh labels
# (it ignores the observation noise); adding the estimated $\tau^{-1}$ brings the coverage to
# {glue:text}`ch6_mc_cover_total`. And the same data with $p = 0.3$ give a spread of
# {glue:text}`ch6_mc_sd_data_p3` inside the data, with the model part alone now covering
# {glue:text}`ch6_mc_cover_model_p3`: the width of the band is a consequence of a hyperparameter, not a
# property of the data. Beyond $[0, 1]$, where there are no data either, the ReLU network extrapolates almost
# linearly and the band barely widens: the true function lies outside $\bar y \pm 2\hat\sigma$ at
# {glue:text}`ch6_mc_miss_out` of the grid points there. Monte Carlo dropout is a cheap, useful signal of where a model has not seen
# data; whether its intervals are calibrated has to be checked, as here, on held-out data.
#
# The NumPy twin `regbook.np.dropout.mc_dropout_predict` takes any `forward(x, rng)`. Running the
# $p = 0.1$ network's weights through a NumPy forward pass gives the same predictive mean and spread up to
# Monte Carlo error:

# %%
regbook.show_source(mc_dropout_predict)

lin = [layer for layer in regressors[0.1] if isinstance(layer, nn.Linear)]
Ws = [layer.weight.detach().double().numpy().T for layer in lin]                 # (in, out) each
bs = [layer.bias.detach().double().numpy() for layer in lin]


def forward_np(x, rng):
    """The p = 0.1 regressor in NumPy, dropout in training mode."""
    a = 2 * x[:, None] - 1
    for k, (W, b) in enumerate(zip(Ws, bs)):
        a = a @ W + b
        if k < 2:                                                                 # hidden layers
            a = dropout_forward(np.maximum(a, 0), p=0.1, training=True, rng=rng)[0]
    return a[:, 0]


pred_np = mc_dropout_predict(forward_np, grid, n_samples=300, rng=5)
mean_pt, sd_pt = bands[0.1]
z_twin = np.abs(pred_np.mean - mean_pt) / np.sqrt((pred_np.var + sd_pt**2) / 300)
sd_ratio = np.sqrt(pred_np.var).mean() / sd_pt.mean()
print(f"NumPy vs PyTorch MC dropout on 141 grid points: largest z-score of the means {z_twin.max():.2f}, "
      f"ratio of average spreads {sd_ratio:.3f}")
assert z_twin.max() < 4.5 and abs(sd_ratio - 1) < 0.05

# %% [markdown]
# ## From scratch in NumPy
#
# The cells above already ran `dropout_forward`, `dropconnect_forward` and `mc_dropout_predict`. The
# backward pass of dropout follows from {eq}`eq-dropout-mask`: the output is the input times a constant
# (given the mask), so
#
# $$
# \frac{\partial L}{\partial h} = \frac{m}{1-p} \odot \frac{\partial L}{\partial \tilde h}
# \quad\text{(training)}, \qquad \frac{\partial L}{\partial h} = \frac{\partial L}{\partial \tilde h}
# \quad\text{(evaluation)}:
# $$ (eq-dropout-backward)
#
# dropped units pass no gradient, kept ones pass it with the same factor $1/(1-p)$ as in the forward pass.
# This is why the mask has to be stored: the backward pass must use the mask of *its* forward pass.

# %%
regbook.show_source(dropout_backward)

# %% [markdown]
# DropConnect's backward pass is that of a linear layer with the effective weights
# $\tilde W = \frac{M}{1-p} \odot W$, plus the mask on the weight gradient:

# %%
regbook.show_source(dropconnect_backward)

# %% [markdown]
# Both are checked against centred finite differences in float64. An int seed as `rng` makes the forward
# pass draw the same mask at every call, so the finite differences see a fixed function (CS231n's trick).
# With $L = \sum \tilde h \odot g$ for a random upstream gradient $g$, the backward pass must return
# $\partial L/\partial h$:

# %%
x_g = rng.standard_normal((4, 5))
W_g, b_g = rng.standard_normal((5, 3)), rng.standard_normal(3)
dout_h, dout_u = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))

_, cache_g = dropout_forward(x_g, p=0.4, training=True, rng=123)
errs = {"dropout dx": checks.rel_error(
    dropout_backward(dout_h, cache_g),
    checks.numerical_gradient_array(lambda v: dropout_forward(v, p=0.4, training=True, rng=123)[0], x_g, dout_h))}
_, cache_dc = dropconnect_forward(x_g, W_g, b_g, p=0.4, training=True, rng=7)
dx, dW, db = dropconnect_backward(dout_u, cache_dc)
dc = lambda x_, W_, b_: dropconnect_forward(x_, W_, b_, p=0.4, training=True, rng=7)[0]  # noqa: E731
errs["DropConnect dx"] = checks.rel_error(dx, checks.numerical_gradient_array(lambda v: dc(v, W_g, b_g), x_g, dout_u))
errs["DropConnect dW"] = checks.rel_error(dW, checks.numerical_gradient_array(lambda v: dc(x_g, v, b_g), W_g, dout_u))
errs["DropConnect db"] = checks.rel_error(db, checks.numerical_gradient_array(lambda v: dc(x_g, W_g, v), b_g, dout_u))
for name, err in errs.items():
    print(f"{name:<16} rel. error vs finite differences {checks.error_bound(err, floor=1e-8)}")
assert max(errs.values()) < 1e-7

# toy case checkable by hand: p = 0.5, mask (1, 0, 1) -> forward (2 h_0, 0, 2 h_2), backward the same pattern
toy = DropoutCache(mask=np.array([2.0, 0.0, 2.0]), p=0.5, training=True)
print("hand-checkable backward:", dropout_backward(np.array([1.0, 1.0, 3.0]), toy).tolist())
assert dropout_backward(np.array([1.0, 1.0, 3.0]), toy).tolist() == [2.0, 0.0, 6.0]

# %% [markdown]
# ## PyTorch: `regbook.pt.dropout` and `torch.nn.Dropout`
#
# The PyTorch twin is written from scratch as well: a uniform draw, a comparison with $p$, a multiplication.
# Autograd differentiates `x * mask`, which is {eq}`eq-dropout-backward`. The module is thin: it validates
# $p$ and calls the functional form with the module's own `training` flag, which `model.train()` and
# `model.eval()` switch.

# %%
regbook.show_source(pt_dropout.dropout)
regbook.show_source(pt_dropout.Dropout)
print(pt_dropout.Dropout(p=0.2), nn.Dropout(p=0.2))

# %% [markdown]
# Parity checks. Masks drawn by different random number generators cannot be compared one by one, so the
# twins are compared twice: by their statistics (drop rate, mean, variance, for regbook's NumPy and PyTorch
# versions and for torch's `F.dropout`, on a million entries), and exactly, *given* a mask: from the output
# of `F.dropout` we read its keep pattern, rebuild the output as $x \odot m/(1-p)$, and compare autograd's
# gradient with `regbook.np.dropout.dropout_backward` on a cache built from that mask.

# %%
P_PT, N_PT = 0.3, 1_000_000
x_pt = torch.linspace(0.5, 2.0, N_PT, dtype=torch.float64)
g_pt = torch.Generator().manual_seed(0)
torch.manual_seed(0)
outs = {"regbook.np": torch.from_numpy(dropout_forward(x_pt.numpy(), p=P_PT, training=True, rng=rng)[0]),
        "regbook.pt": pt_dropout.dropout(x_pt, p=P_PT, generator=g_pt),
        "torch F.dropout": F.dropout(x_pt, p=P_PT, training=True)}
print(f"{'':<16}{'drop rate':>10}{'z':>6}{'z mean':>8}{'z var':>7}")
for name, out in outs.items():
    out = out.numpy()
    rate = np.mean(out == 0)
    z_r = abs(rate - P_PT) / np.sqrt(P_PT * (1 - P_PT) / N_PT)
    z_m = z_score(out - x_pt.numpy(), 0.0)
    z_v = z_score((out - x_pt.numpy()) ** 2 / x_pt.numpy() ** 2, P_PT / (1 - P_PT))   # Var = p/(1-p) x^2
    print(f"{name:<16}{rate:>10.4f}{z_r:>6.2f}{z_m:>8.2f}{z_v:>7.2f}")
    assert max(z_r, z_m, z_v) < 4, name

# exact parity given the mask: forward values and gradients
x_req = torch.linspace(0.5, 2.0, 12, dtype=torch.float64).reshape(3, 4).requires_grad_()
out_t = F.dropout(x_req, p=P_PT, training=True)
keep = (out_t != 0).detach()
upstream = torch.arange(12, dtype=torch.float64).reshape(3, 4)
out_t.backward(upstream)
cache_t = DropoutCache(mask=keep.double().numpy() / (1 - P_PT), p=P_PT, training=True)
parity = {
    "forward given the mask": checks.rel_error(out_t.detach().numpy(), x_req.detach().numpy() * cache_t.mask),
    "torch grad vs dropout_backward": checks.rel_error(x_req.grad.numpy(), dropout_backward(upstream.numpy(), cache_t)),
}
x_req.grad = None
out_rb = pt_dropout.dropout(x_req, p=P_PT, generator=torch.Generator().manual_seed(3))
out_rb.backward(upstream)
parity["regbook.pt grad vs its mask"] = checks.rel_error(x_req.grad, upstream * (out_rb != 0) / (1 - P_PT))
again = pt_dropout.dropout(x_req, p=P_PT, generator=torch.Generator().manual_seed(3))
for name, err in parity.items():
    print(f"{name:<32} max rel. error {checks.error_bound(err)}")
assert max(parity.values()) < 1e-12 and torch.equal(again, out_rb)     # a seeded generator reproduces the mask

# evaluation mode is the identity, for the functional forms and the modules
layers = (pt_dropout.Dropout(P_PT).eval(), nn.Dropout(P_PT).eval())
assert all(torch.equal(layer(x_pt), x_pt) for layer in layers)
assert torch.equal(pt_dropout.dropout(x_pt, p=P_PT, training=False), x_pt)

# %% [markdown]
# All three draw at the rate $p$, are unbiased and have the variance {eq}`eq-dropout-moments`, and given the
# same mask torch's forward and backward equal regbook's to rounding. The idiomatic PyTorch way is what the
# experiment below does: put `nn.Dropout` (or `regbook.pt.dropout.Dropout`, a drop-in replacement) layers in
# the model, call `model.train()` before training steps and `model.eval()` before evaluation; `regbook.pt.train`
# does both, at every step and at every end of an epoch.
#
# (ch6-experiment)=
# ## Experiment: dropout on 200 handwritten digits
#
# The network of the first section, trained on four different 200-image subsets (seeds 0 to 3, each seed
# also fixing the initialization and the masks), in three versions: without dropout; with dropout
# $p = 0.5$ after each hidden layer; and with $p = 0.2$ on the input pixels as well (the values
# {cite}`srivastava2014dropout` recommend as defaults). Seed 0 without dropout is the run from the first
# section.

# %%
CONDITIONS = {"no dropout": (0.0, 0.0), "hidden p=0.5": (0.0, 0.5), "input 0.2 + hidden 0.5": (0.2, 0.5)}
SEEDS = range(4)
runs = {("no dropout", 0): (model_plain, hist_plain)}
for name, (p_in, p_hidden) in CONDITIONS.items():
    for seed in SEEDS:
        if (name, seed) not in runs:
            runs[name, seed] = train_digits(seed, p_in, p_hidden)
hist = {name: {key: np.array([runs[name, s][1][key] for s in SEEDS]) for key in CURVES} for name in CONDITIONS}

fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
for col, name in enumerate(CONDITIONS):
    plotting.plot_learning_curves(hist[name], ax=axes[0, col], metric="loss", ylabel="cross-entropy",
                                  logy=True, title=name)
    plotting.plot_learning_curves(hist[name], ax=axes[1, col], metric="accuracy")
    axes[0, col].set_ylim(1e-4, 3)
    axes[1, col].set_ylim(0.8, 1.005)
fig.suptitle("Digits, 200 training images: mean ± std over 4 seeds (dropout off for every measurement)")
plt.show()

# %%
final = {name: {key: hist[name][key][:, -1] for key in CURVES} for name in CONDITIONS}
rise = {name: final[name]["val_loss"] / hist[name]["val_loss"].min(axis=1) for name in CONDITIONS}
epochs_to_fit = {name: np.argmax(hist[name]["train_accuracy"] >= 1.0, axis=1) + 1 for name in CONDITIONS}
print(f"{'after 300 epochs':<24}{'train loss':>11}{'train acc':>10}{'val loss':>16}{'val accuracy':>18}"
      f"{'epochs to 100% train':>22}{'final/lowest val loss':>23}")
for name in CONDITIONS:
    f = final[name]
    print(f"{name:<24}{f['train_loss'].mean():>11.4f}{f['train_accuracy'].min():>10.3f}"
          f"{f['val_loss'].mean():>9.3f} ± {f['val_loss'].std():.3f}"
          f"{f['val_accuracy'].mean():>11.3f} ± {f['val_accuracy'].std():.3f}{epochs_to_fit[name].mean():>22.1f}"
          f"{rise[name].mean():>23.3f}")

# %% [markdown]
# Without dropout, the validation loss turns upwards after a few dozen epochs while the training loss keeps
# falling. With dropout the training loss falls more slowly and the validation loss stays lower; the
# validation accuracy gains a little. The next cell asserts what the numbers support, on every seed
# where they do, and on the mean otherwise.

# %%
plain, hidden, both = (final[name] for name in CONDITIONS)
gap = {name: final[name]["val_loss"] - final[name]["train_loss"] for name in CONDITIONS}
# every run classifies (almost) every training image correctly, measured with dropout off
assert all(np.all(final[name]["train_accuracy"] >= 0.99) for name in CONDITIONS)
# smaller gap between validation and training loss with dropout, on every seed
assert np.all(gap["hidden p=0.5"] < gap["no dropout"]) and np.all(gap["input 0.2 + hidden 0.5"] < gap["no dropout"])
# lower final validation loss with dropout on every seed; higher mean validation accuracy
assert np.all(both["val_loss"] < plain["val_loss"]) and np.all(hidden["val_loss"] < plain["val_loss"])
acc_gain = both["val_accuracy"].mean() - plain["val_accuracy"].mean()
assert acc_gain > 0.005
glue("ch6_exp_acc_gain", round(float(acc_gain), 4), display=False)
# without dropout the validation loss ends well above its minimum; with input + hidden dropout it rises less
assert np.all(rise["no dropout"] > 1.15) and np.all(rise["input 0.2 + hidden 0.5"] < rise["no dropout"])
assert rise["input 0.2 + hidden 0.5"].mean() - 1 < 0.5 * (rise["no dropout"].mean() - 1)
assert rise["hidden p=0.5"].mean() > 1.15
# dropout needs more epochs to fit the training set
assert np.all(epochs_to_fit["input 0.2 + hidden 0.5"] > 2 * epochs_to_fit["no dropout"])

# the table below: one glued number per cell
f = final["no dropout"]
glue("ch6_exp_plain_val_loss", round(float(f["val_loss"].mean()), 4), display=False)
glue("ch6_exp_plain_val_loss_std", round(float(f["val_loss"].std()), 4), display=False)
glue("ch6_exp_plain_val_acc", round(float(f["val_accuracy"].mean()), 4), display=False)
glue("ch6_exp_plain_val_acc_std", round(float(f["val_accuracy"].std()), 4), display=False)
glue("ch6_exp_plain_gap", round(float(gap["no dropout"].mean()), 4), display=False)
glue("ch6_exp_plain_epochs", round(float(epochs_to_fit["no dropout"].mean()), 1), display=False)
glue("ch6_exp_plain_rise", round(float(rise["no dropout"].mean()), 4), display=False)
f = final["hidden p=0.5"]
glue("ch6_exp_hidden_val_loss", round(float(f["val_loss"].mean()), 4), display=False)
glue("ch6_exp_hidden_val_loss_std", round(float(f["val_loss"].std()), 4), display=False)
glue("ch6_exp_hidden_val_acc", round(float(f["val_accuracy"].mean()), 4), display=False)
glue("ch6_exp_hidden_val_acc_std", round(float(f["val_accuracy"].std()), 4), display=False)
glue("ch6_exp_hidden_gap", round(float(gap["hidden p=0.5"].mean()), 4), display=False)
glue("ch6_exp_hidden_epochs", round(float(epochs_to_fit["hidden p=0.5"].mean()), 1), display=False)
glue("ch6_exp_hidden_rise", round(float(rise["hidden p=0.5"].mean()), 4), display=False)
f = final["input 0.2 + hidden 0.5"]
glue("ch6_exp_both_val_loss", round(float(f["val_loss"].mean()), 4), display=False)
glue("ch6_exp_both_val_loss_std", round(float(f["val_loss"].std()), 4), display=False)
glue("ch6_exp_both_val_acc", round(float(f["val_accuracy"].mean()), 4), display=False)
glue("ch6_exp_both_val_acc_std", round(float(f["val_accuracy"].std()), 4), display=False)
glue("ch6_exp_both_gap", round(float(gap["input 0.2 + hidden 0.5"].mean()), 4), display=False)
glue("ch6_exp_both_epochs", round(float(epochs_to_fit["input 0.2 + hidden 0.5"].mean()), 1), display=False)
glue("ch6_exp_both_rise", round(float(rise["input 0.2 + hidden 0.5"].mean()), 4), display=False)

# %% [markdown]
# | 300 epochs, 4 seeds | validation loss | validation accuracy | val − train loss | epochs to 100% train accuracy |
# | --- | --- | --- | --- | --- |
# | no dropout | {glue:text}`ch6_exp_plain_val_loss` ± {glue:text}`ch6_exp_plain_val_loss_std` | {glue:text}`ch6_exp_plain_val_acc` ± {glue:text}`ch6_exp_plain_val_acc_std` | {glue:text}`ch6_exp_plain_gap` | {glue:text}`ch6_exp_plain_epochs` |
# | hidden $p=0.5$ | {glue:text}`ch6_exp_hidden_val_loss` ± {glue:text}`ch6_exp_hidden_val_loss_std` | {glue:text}`ch6_exp_hidden_val_acc` ± {glue:text}`ch6_exp_hidden_val_acc_std` | {glue:text}`ch6_exp_hidden_gap` | {glue:text}`ch6_exp_hidden_epochs` |
# | input $0.2$ + hidden $0.5$ | {glue:text}`ch6_exp_both_val_loss` ± {glue:text}`ch6_exp_both_val_loss_std` | {glue:text}`ch6_exp_both_val_acc` ± {glue:text}`ch6_exp_both_val_acc_std` | {glue:text}`ch6_exp_both_gap` | {glue:text}`ch6_exp_both_epochs` |
#
# On this small problem dropout's clearest effect is on the loss, i.e. on the quality of the predicted
# probabilities on new data: the gap between validation and training loss shrinks on every seed. With input
# and hidden dropout the validation loss also climbs much less after its minimum (it ends
# {glue:text}`ch6_exp_both_rise` times its lowest value, against {glue:text}`ch6_exp_plain_rise` without
# dropout); with hidden dropout alone it still climbs ({glue:text}`ch6_exp_hidden_rise`), from a lower level. Its effect on accuracy is smaller (the mean
# validation accuracy rises by {glue:text}`ch6_exp_acc_gain` with input and hidden dropout), comparable to
# the spread between seeds, so we claim it only on average. The price is paid in epochs:
# with dropout on input and hidden units the network needs more than twice as many epochs to classify its
# training set perfectly. (Each epoch costs about the same: drawing a mask is one random number per unit
# and example, $O(NH)$, against the $O(NH^2)$ of the matrix products of a hidden layer of width $H$.)
#
# ### Weight scaling versus Monte Carlo averaging, measured
#
# For the trained dropout networks we compare the evaluation network (one pass, weight scaling) with the
# arithmetic average of the predicted probabilities of 100 sampled subnetworks (`mc_dropout_predict` on the
# model followed by a softmax), on the validation set.

# %%
print(f"{'':<24}{'seed':>5}{'acc eval':>10}{'acc MC':>8}{'same class':>12}{'NLL eval':>10}{'NLL MC':>8}{'mean |Δp|':>11}")
ws_mc = {}
for name in ("hidden p=0.5", "input 0.2 + hidden 0.5"):
    for seed in SEEDS:
        model = nn.Sequential(runs[name, seed][0], nn.Softmax(dim=1))
        probs_mc, _ = pt_dropout.mc_dropout_predict(model, X_val, n_samples=100,
                                                    generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            probs_ws = model.eval()(X_val)
        row = dict(acc_ws=(probs_ws.argmax(1) == y_val).float().mean().item(),
                   acc_mc=(probs_mc.argmax(1) == y_val).float().mean().item(),
                   agree=(probs_ws.argmax(1) == probs_mc.argmax(1)).float().mean().item(),
                   nll_ws=F.nll_loss(probs_ws.log(), y_val).item(),
                   nll_mc=F.nll_loss(probs_mc.clamp_min(1e-12).log(), y_val).item(),
                   tv=(0.5 * (probs_ws - probs_mc).abs().sum(1)).mean().item())
        ws_mc[name, seed] = row
        print(f"{name:<24}{seed:>5}{row['acc_ws']:>10.3f}{row['acc_mc']:>8.3f}{row['agree']:>12.3f}"
              f"{row['nll_ws']:>10.3f}{row['nll_mc']:>8.3f}{row['tv']:>11.3f}")
agree = np.array([r["agree"] for r in ws_mc.values()])
acc_diff = np.array([abs(r["acc_ws"] - r["acc_mc"]) for r in ws_mc.values()])
tv = {name: np.mean([ws_mc[name, s]["tv"] for s in SEEDS]) for name in ("hidden p=0.5", "input 0.2 + hidden 0.5")}
assert agree.min() > 0.97 and acc_diff.max() < 0.015
assert tv["input 0.2 + hidden 0.5"] > tv["hidden p=0.5"] > 0.01
glue("ch6_wsmc_agree", round(float(agree.min()), 4), display=False)
glue("ch6_wsmc_acc_diff", round(float(acc_diff.max()), 4), display=False)
glue("ch6_wsmc_tv_hidden", round(float(tv["hidden p=0.5"]), 4), display=False)
glue("ch6_wsmc_tv_both", round(float(tv["input 0.2 + hidden 0.5"]), 4), display=False)

# %% [markdown]
# The two predictors choose the same class for at least {glue:text}`ch6_wsmc_agree` of the validation
# images and their accuracies differ by at most {glue:text}`ch6_wsmc_acc_diff`: for classification, the
# one-pass weight scaling rule is as good as averaging 100 subnetworks, which is why it is the default. The
# predicted probabilities themselves differ more (mean total-variation distance
# {glue:text}`ch6_wsmc_tv_hidden` with hidden dropout, {glue:text}`ch6_wsmc_tv_both` with input dropout as
# well), and which of the two has the lower validation loss depends on the configuration, as the table
# shows. Through ReLUs and two layers the evaluation network is no longer the exact geometric mean
# {eq}`eq-dropout-geometric-mean`, but it stays close to the ensemble's decisions.
#
# Finally, regbook's `Dropout` is a drop-in replacement for `torch.nn.Dropout`: the seed-0 network with
# input and hidden dropout, trained with torch's layer (different masks, same statistics), ends within three
# standard deviations (over seeds) of the mean of the four regbook runs.

# %%
_, hist_torch = train_digits(0, 0.2, 0.5, layer=nn.Dropout)
ref = final["input 0.2 + hidden 0.5"]
for key in ("val_loss", "val_accuracy"):
    print(f"{key}: torch.nn.Dropout {hist_torch[key][-1]:.3f}; regbook Dropout over 4 seeds "
          f"{ref[key].mean():.3f} ± {ref[key].std():.3f}")
    assert abs(hist_torch[key][-1] - ref[key].mean()) < 3 * ref[key].std() + 0.005

# %% [markdown]
# (ch6-pitfalls)=
# ## Pitfalls and corrections
#
# **A "dropout" with no randomness (source 001).** Source 001's code is
#
# ```python
# def dropout(x, p):
#     return x * (1 - p)
# ```
#
# and its formulas are $p_i = 1 - p$ and $h_i^{(l+1)} = h_i^{(l+1)} \times (1 - p)$, where $p_i$ is called the
# probability that neuron $i$ is dropped and $p$ the probability that "all neurons" are dropped. There is no
# random mask: the function multiplies every activation by the same constant. It returns the same output at
# every call, it never drops anything, and its output has mean $(1-p)x$ instead of $x$. (It is the
# *expectation* of the original, non-inverted dropout's training output, equivalently its test-time weight
# scaling from {eq}`eq-dropout-weight-scaling`, presented as if it were dropout itself.) Applied in a
# network, a constant factor can be absorbed by the next layer's weights, so it cannot regularize; and if a
# framework switches it off at evaluation like every dropout layer, the evaluation network sees activations
# $1/(1-p)$ times larger than the ones it was trained on.

# %%
def dropout_source001(x, p):          # source 001, verbatim
    return x * (1 - p)


x_s = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])     # 001's own example, p = 0.5
calls = [dropout_source001(x_s, 0.5) for _ in range(1000)]
print("001's output:", calls[0].tolist())
print(f"variance over 1000 calls {np.var(calls, axis=0).max():.1f}; zeros {int(np.sum(calls[0] == 0))}; "
      f"mean / x = {np.unique(np.mean(calls, axis=0) / x_s)}")
assert np.var(calls, axis=0).max() == 0 and np.all(calls[0] != 0) and np.allclose(np.mean(calls, axis=0), 0.5 * x_s)
real = dropout_forward(np.tile(x_s, (T // 10, 1, 1)), p=0.5, training=True, rng=rng)[0]
print(f"real dropout over {T // 10} calls: mean / x = {np.round(real.mean(axis=0) / x_s, 2).tolist()}, "
      f"fraction zero {np.mean(real == 0):.3f}")


class Source001Dropout(nn.Module):
    """001's function as a layer. Like every dropout layer it is off after model.eval(),
    unless keep_at_eval is set."""

    def __init__(self, p):
        super().__init__()
        self.p, self.keep_at_eval = p, False

    def forward(self, x):
        return dropout_source001(x, self.p) if self.training or self.keep_at_eval else x


model_001, hist_001 = train_digits(0, 0.2, 0.5, layer=Source001Dropout)
loss_mismatch, acc_mismatch = hist_001["val_loss"][-1], hist_001["val_accuracy"][-1]   # layer off at eval
for layer in model_001:
    if isinstance(layer, Source001Dropout):
        layer.keep_at_eval = True
loss_consistent, acc_consistent = evaluate(model_001, X_val, y_val)
gap_001 = loss_consistent - evaluate(model_001, *training_subset(0))[0]
print(f"trained with 001's layer, evaluated with the layer off (as eval() does): "
      f"val accuracy {acc_mismatch:.3f}, val loss {loss_mismatch:.3f}")
print(f"the same network evaluated with 001's scaling kept on:              "
      f"val accuracy {acc_consistent:.3f}, val loss {loss_consistent:.3f}")
print(f"validation minus training loss with the scaling kept on: {gap_001:.3f} "
      f"(seed 0 without dropout: {gap['no dropout'][0]:.3f}; with real dropout: {gap['input 0.2 + hidden 0.5'][0]:.3f})")
assert loss_mismatch > 2 * loss_consistent and abs(acc_mismatch - acc_consistent) < 0.01
assert abs(gap_001 - gap["no dropout"][0]) < abs(gap_001 - gap["input 0.2 + hidden 0.5"][0])
glue("ch6_001_loss_mismatch", round(loss_mismatch, 4), display=False)
glue("ch6_001_loss_consistent", round(loss_consistent, 4), display=False)
glue("ch6_001_acc_mismatch", round(acc_mismatch, 4), display=False)

# %% [markdown]
# The network trained with 001's function and evaluated the way a dropout layer is evaluated reaches a
# validation loss of {glue:text}`ch6_001_loss_mismatch`; keeping the constant factor at evaluation repairs
# the mismatch (loss {glue:text}`ch6_001_loss_consistent`). The accuracy is
# {glue:text}`ch6_001_acc_mismatch` either way: the ReLU layers pass the too-large activations on almost
# proportionally, so the logits grow, the ranking of the classes mostly survives, and the predicted
# probabilities become far too confident. With the factor kept, the "dropout" is just a fixed rescaling that
# the weights absorb, and the gap between validation and training loss is close to that of the network
# without dropout, not to that of real dropout.
# Source 001's description of test time, "将丢弃的神经元重新加回来，并将其输出设为0" (add the dropped neurons
# back and set their output to 0), contradicts itself: setting outputs to 0 is what dropping *is*. At test
# time every unit is present and unmasked; with inverted dropout nothing else happens, with the original form
# the weights are multiplied by the keep probability {eq}`eq-dropout-weight-scaling`.
#
# **Connections are not units (source 000).** Source 000 defines dropout as "随机将神经元之间的连接设置为0"
# (randomly setting the connections between neurons to 0). That is DropConnect {cite}`wan2013regularization`,
# a different method: dropout removes a *unit* with all its outgoing connections at once, which is what
# correlates the outputs of a layer in {eq}`eq-dropout-dropconnect-moments`; the Monte Carlo table above
# shows the two covariance patterns. 000 also places the masking "每次更新权重之前" (before each weight
# update) and sends the reader to a TensorFlow tutorial for the mathematics. The masking is part of the
# forward pass, not of the update: a fresh mask is drawn for every example at every forward pass, the
# backward pass reuses that mask {eq}`eq-dropout-backward`, and the update then applies the resulting
# gradient. The mathematics takes a few lines, {eq}`eq-dropout-mask` to {eq}`eq-dropout-moments`, and the
# primary source is {cite}`srivastava2014dropout`. Masks differ between the examples of one batch and between
# calls:

# %%
torch.manual_seed(0)
ones = torch.ones(4, 8)
mask_a, mask_b = pt_dropout.dropout(ones, p=0.5), pt_dropout.dropout(ones, p=0.5)
distinct_rows = len({tuple(row.tolist()) for row in mask_a})
print(f"4 examples in one call: {distinct_rows} distinct masks; second call equal to the first: "
      f"{bool(torch.equal(mask_a, mask_b))}")
assert distinct_rows > 1 and not torch.equal(mask_a, mask_b)

# %% [markdown]
# **The L2 formula as the "dropout loss" (source 004).** Source 004 gives, as "Dropout的数学公式", the
# formula $L(\theta) = \frac1N\sum_i \ell(\theta, x_i) + \frac{\lambda}{2}\sum_{j=1}^p \theta_j^2$, letter for
# letter its L2 formula, with $p$ the number of parameters. Dropout has no $\lambda$, and with it the symbol
# $p$ means the drop probability. What *is* true is the result of {ref}`the linear-model section
# <ch6-linear>`: in expectation, for a linear model with squared loss, dropout adds
# $\frac{p}{1-p}\sum_j w_j^2 \sum_i x_{ij}^2$, a penalty whose strength is set by the drop probability and
# whose weights are set by the data. Its worked "Dropout案例" is a linear model $y = \theta_1x_1 + \theta_2x_2
# + \theta_3x_3$ in which "随机关闭一定比例的神经元" (randomly switching off neurons) can only mean dropping
# input features; that is exactly the setting of {eq}`eq-dropout-ridge`. On our five-feature problem no
# uniform ridge penalty reproduces the dropout solution; with standardized features one does, with
# $\alpha = np/(1-p)$:

# %%
def rel_gap(log_alpha, X, target):
    w_r = ridge(X, y_lin, alpha=float(np.exp(log_alpha)), fit_intercept=False).coef
    return np.linalg.norm(w_r - target) / np.linalg.norm(target)


best = optimize.minimize_scalar(rel_gap, bounds=(-10, 12), method="bounded", args=(X_lin, w_drop))
print(f"raw features: best uniform ridge (alpha = {np.exp(best.x):.3g}) is still {best.fun:.3f} "
      f"away from the dropout solution (relative distance)")
X_std = X_lin / X_lin.std(axis=0)                       # centred, unit variance: diag(X^T X) = n
w_drop_std = np.linalg.solve(X_std.T @ X_std + LAM * np.diag(np.sum(X_std**2, axis=0)), X_std.T @ y_lin)
w_ridge_std = ridge(X_std, y_lin, alpha=N_LIN * LAM, fit_intercept=False).coef
err_std = checks.rel_error(w_ridge_std, w_drop_std)
print(f"standardized features: ridge with alpha = n p/(1-p) = {N_LIN * LAM:.2f} vs dropout solution, "
      f"rel. error {checks.error_bound(err_std)}")
assert best.fun > 0.1 and err_std < 1e-12
glue("ch6_uniform_ridge_gap", round(float(best.fun), 4), display=False)

# %% [markdown]
# **"Dropout increases training time" (source 004: "增加了训练时间").** Half right. Per step the cost is almost
# unchanged: one random number per unit and example against the matrix products of the layer. What grows is
# the number of steps to converge, because each step trains a different noisy subnetwork; in the experiment
# the network with input and hidden dropout needed {glue:text}`ch6_exp_both_epochs` epochs on average to fit
# its training set against {glue:text}`ch6_exp_plain_epochs` without dropout. Srivastava et al. report two to
# three times longer training for the same reason {cite}`srivastava2014dropout`. (004 cites that paper
# correctly.)
#
# **Forgetting `model.eval()`.** Evaluating with dropout still on makes every prediction random and, on
# average, worse: it evaluates one random subnetwork instead of the ensemble.

# %%
model_eval_demo = runs["input 0.2 + hidden 0.5", 0][0]
torch.manual_seed(1)
with torch.no_grad():
    acc_train_mode = [(model_eval_demo.train()(X_val).argmax(1) == y_val).float().mean().item() for _ in range(20)]
    pred_a, pred_b = model_eval_demo(X_val).argmax(1), model_eval_demo(X_val).argmax(1)
acc_eval_mode = evaluate(model_eval_demo, X_val, y_val)[1]
changed = (pred_a != pred_b).float().mean().item()
print(f"validation accuracy with model.eval(): {acc_eval_mode:.3f}; with dropout left on: "
      f"{np.mean(acc_train_mode):.3f} ± {np.std(acc_train_mode):.3f} over 20 passes")
print(f"two passes with dropout on disagree on {changed:.1%} of the validation images")
assert np.mean(acc_train_mode) < acc_eval_mode - 0.02 and changed > 0.02

# %% [markdown]
# **Dropout before batch normalization: a variance shift.** In training mode a dropout layer changes not only
# single activations but the variance of a layer: with $m$ independent of $h$, $\mathbb E[\tilde h^2] =
# \mathbb E[h^2]/(1-p)$, so
#
# $$
# \operatorname{Var}_{\text{train}}[\tilde h] = \operatorname{Var}[h] + \frac{p}{1-p}\,\mathbb E[h^2]
# \quad\text{against}\quad \operatorname{Var}_{\text{eval}}[\tilde h] = \operatorname{Var}[h] .
# $$
#
# A batch-normalization layer placed after dropout estimates its running variance in training mode, i.e. the
# larger value, and then divides evaluation-mode activations by it: at test time its outputs are too small.
# {cite:t}`li2019understanding` analysed this "variance shift"; common remedies are to place dropout
# after the last batch-normalization layer or to use a small $p$. The batch-normalization mechanics are in
# {ref}`the batch-normalization chapter <ch-batchnorm>`. The formula, checked for activations with mean 1 and
# standard deviation 1 and $p = 0.5$:

# %%
h_bn = 1.0 + rng.standard_normal(T)                         # activations: mean 1, variance 1
h_bn_train = dropout_forward(h_bn, p=0.5, training=True, rng=rng)[0]
var_formula = 1.0 + 0.5 / 0.5 * 2.0                         # Var[h] + p/(1-p) E[h^2], E[h^2] = 2
z_bn = z_score((h_bn_train - h_bn_train.mean()) ** 2, var_formula)
print(f"variance in training mode {h_bn_train.var():.3f} (formula {var_formula}), in evaluation mode "
      f"{h_bn.var():.3f}; a running variance from training shrinks evaluation outputs by "
      f"{np.sqrt(h_bn_train.var() / h_bn.var()):.2f}x")
assert z_bn < 4

# %% [markdown]
# **$p$ = drop or keep?** The same symbol means opposite things in the references a reader is likely to
# meet. A $p = 0.8$ taken from the paper (keep 80%) and passed to PyTorch drops 80% of the units, and the
# noise factor $p/(1-p)$ of {eq}`eq-dropout-moments` becomes 4 instead of 0.25.
#
# | where | parameter | means | regbook's $p$ |
# | --- | --- | --- | --- |
# | PyTorch `nn.Dropout(p)`, regbook | `p` | drop probability | `p` |
# | Keras `Dropout(rate)`, TensorFlow 2 `tf.nn.dropout(x, rate)` | `rate` | drop probability | `rate` |
# | TensorFlow 1 `tf.nn.dropout(x, keep_prob)` | `keep_prob` | keep probability | `1 - keep_prob` |
# | Srivastava et al. {cite}`srivastava2014dropout` | $p$ | retain (keep) probability | $1 - p$ |
# | Wan et al. (DropConnect) {cite}`wan2013regularization` | $p$ | keep probability of a weight | $1 - p$ |
# | source 001 | $p$ and $p_i = 1 - p$ | both, in one line | undefined |

# %%
x_p = torch.ones(1_000_000)
paper_keep = 0.8
frac_dropped = (F.dropout(x_p, p=paper_keep, training=True) == 0).float().mean().item()
frac_dropped_fixed = (F.dropout(x_p, p=1 - paper_keep, training=True) == 0).float().mean().item()
print(f"paper's p = 0.8 passed to torch: {frac_dropped:.3f} dropped (noise factor p/(1-p) = "
      f"{paper_keep / (1 - paper_keep):.2f}); converted, p = 0.2: {frac_dropped_fixed:.3f} dropped "
      f"(noise factor {(1 - paper_keep) / paper_keep:.2f})")
assert abs(frac_dropped - 0.8) < 0.005 and abs(frac_dropped_fixed - 0.2) < 0.005

# %% [markdown]
# ## Summary
#
# - Dropout multiplies each unit by an independent $\operatorname{Bernoulli}(1-p)$ mask during training;
#   inverted dropout divides by $1-p$ so that $\mathbb E[\tilde h] = h$ {eq}`eq-dropout-moments` and
#   evaluation is the identity. The original form scales the weights by $1-p$ at test time instead; the two
#   are the same model {eq}`eq-dropout-weight-scaling`.
# - Dropout trains $2^n$ weight-sharing subnetworks. The evaluation network is their mean for outputs linear
#   in the dropped units and their normalized geometric mean under a softmax
#   {eq}`eq-dropout-geometric-mean`; on trained digit classifiers it chose the same class as Monte Carlo
#   averaging for at least {glue:text}`ch6_wsmc_agree` of the images.
# - On a linear model with squared loss, dropout is, in expectation, ridge regression with a penalty
#   $\frac{p}{1-p}\operatorname{diag}(X^\top X)$ {eq}`eq-dropout-ridge`; SGD on dropout-noised data converges
#   to it.
# - DropConnect masks weights instead of units: same means and variances, different correlations
#   {eq}`eq-dropout-dropconnect-moments`.
# - Monte Carlo dropout {eq}`eq-dropout-mc` gives a spread that grows where there are no data, but its width
#   is set by $p$ and must be checked for calibration.
# - On 200 digits, dropout shrank the gap between validation and training loss on every seed and lowered the
#   final validation loss (validation loss {glue:text}`ch6_exp_plain_val_loss` without,
#   {glue:text}`ch6_exp_both_val_loss` with input and hidden dropout), raised the mean validation accuracy by
#   {glue:text}`ch6_exp_acc_gain`, and needed more than twice the epochs.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 6 <exercises/solutions/a06_dropout>` has coding exercises on this chapter with checks you can run,
# and covers exercise 1 below; download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Backward pass (coding).** Write `my_dropout_backward(dout, mask, p)` from {eq}`eq-dropout-backward`,
#    where `mask` is the 0/1 keep pattern. Check it against `regbook.np.dropout.dropout_backward` with
#    `checks.assert_close` (build the cache as `DropoutCache(mask / (1 - p), p, True)`), and against finite
#    differences with `checks.numerical_gradient_array` using a fixed integer `rng` in the forward pass.
# 2. **The original form (coding).** Implement non-inverted dropout: training output $m \odot h$, evaluation
#    output $(1-p)h$. Train the chapter's digits network with it for one seed and verify with
#    `checks.assert_close(..., rtol=1e-6)` that, after copying its weights into a network with regbook's
#    `Dropout` and multiplying the weights that follow each dropout layer by $1-p$, both networks give the
#    same evaluation-mode logits.
# 3. **Gaussian dropout (coding).** Replace the Bernoulli mask $m_j/(1-p)$ by multiplicative Gaussian noise
#    $\xi_j \sim \mathcal N(1, p/(1-p))$. Show that {eq}`eq-dropout-linear-risk` holds unchanged and check it
#    by Monte Carlo (within 4 standard errors); then verify that SGD on Gaussian-noised inputs converges to the
#    same $\hat w_{\text{dropout}}$ (`checks.assert_close(w_avg, w_drop, rtol=0.02)`).
# 4. **Logistic regression.** For logistic regression with dropout on the inputs, expand the expected loss to
#    second order in the noise and show that the penalty is
#    $\frac{p}{2(1-p)}\sum_j w_j^2 \sum_i \sigma_i(1-\sigma_i) x_{ij}^2$ with $\sigma_i$ the predicted
#    probability {cite}`wager2013dropout`. Compare it with a Monte Carlo estimate of the expected loss on the
#    digits data restricted to two classes: how good is the approximation at $p = 0.1$ and at $p = 0.5$?
# 5. **The geometric mean for two layers.** Repeat the enumeration behind {eq}`eq-dropout-geometric-mean` for
#    a network with one hidden ReLU layer of 10 units, dropout on the hidden units and a softmax output.
#    Measure the distance between the evaluation network and the normalized geometric mean. Why is the
#    identity lost?
# 6. **DropConnect per example.** Modify the Monte Carlo check of {eq}`eq-dropout-dropconnect-moments` to draw
#    a separate weight mask for each example, as Wan et al. do. Which covariance changes, and to what? What
#    does that imply for the variance of the gradient of a mini-batch?
# 7. **Why not $p = 1$, and what happens near it?** Using {eq}`eq-dropout-moments`, describe the training
#    signal as $p \to 1$. What does regbook do at $p = 1$, and why is that better than returning zeros?
#
# ## References
#
# Dropout was introduced by {cite}`hinton2012improving` and developed in {cite}`srivastava2014dropout`, which
# also gives the linear-regression result, the weight scaling rule and the recommended rates; AlexNet
# {cite}`krizhevsky2012imagenet` made it standard. {cite}`wager2013dropout` analyse it as adaptive
# regularization for generalized linear models, and {cite}`bishop1995training` relates training with noise
# to Tikhonov regularization. DropConnect is {cite}`wan2013regularization`; Monte Carlo dropout is
# {cite}`gal2016dropout`. {cite}`goodfellow2016deep` (section 7.12) discusses dropout as bagging with shared
# weights. Full entries are in the {doc}`bibliography`.
