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
# (ch-optimization)=
# # Regularization on the optimizer's side: clipping, adaptive steps and weight decay
#
# Some techniques that are listed as regularizers live in the optimizer rather than in the loss. Source 004
# names three of them among its keywords, **gradient clipping** (梯度裁剪), **weight decay** (权重衰减) and
# **adaptive gradients** (自适应梯度), and then never explains any of them. This chapter does, and sorts
# out what each one actually changes:
#
# - **Gradient clipping** caps the length of an update. It keeps training alive when gradients explode,
#   as they do in recurrent networks {cite}`pascanu2013difficulty`, but it does not change which
#   parameters minimize the loss: it is step-size control, not a penalty.
# - **Adaptive methods** (AdaGrad {cite}`duchi2011adaptive`, RMSProp {cite}`tieleman2012lecture`, Adam
#   {cite}`kingma2015adam`) divide every coordinate of the gradient by a running estimate of its size.
# - **Weight decay** shrinks the weights by a constant factor at every step. For plain SGD that is the
#   same as adding an L2 penalty to the loss. Inside Adam it is not, and the difference is the subject of
#   Loshchilov and Hutter's AdamW {cite}`loshchilov2019decoupled`: an L2 penalty's gradient is divided by
#   the adaptive denominator like any other gradient, so parameters with large or noisy gradients
#   are regularized less than the others.
#
# Finally, which parameters to decay at all: biases and normalization parameters should usually be left
# alone. Conventions follow PyTorch and the {doc}`notation` chapter: `weight_decay` $=\lambda$ is
# multiplied by the learning rate $\eta$, and an L2 penalty is $\frac{\lambda}{2}\lVert w\rVert^2$.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue
from scipy import stats
from torch import nn

import regbook
from regbook import checks, data, plotting
from regbook.np import clipping as np_clipping
from regbook.np import optim as np_optim
from regbook.pt import clipping as pt_clipping
from regbook.pt import optim as pt_optim
from regbook.pt import penalties as pt_penalties
from regbook.pt.training import Callback, GradientClipping, train

rng = regbook.nbsetup(seed=0)
torch.set_default_dtype(torch.float64)      # every experiment here is small; float64 makes parities exact

# %% [markdown]
# ## Why: one step that destroys a network
#
# A recurrent network reads a sequence $x_1, \dots, x_T$ and updates a hidden state $h_t$ at every step.
# Take the simplest one, a linear recurrence $h_t = W h_{t-1} + U x_t$ with 16 hidden units, read $T = 50$
# standard normal inputs, and ask it to output their sum divided by $\sqrt T$ (a target with variance 1).
# The recurrent matrix is a random rotation scaled by $1.02$, so its largest stretch is only 2% more than
# the identity. The cell computes the loss and the gradient norm at initialization, takes one plain SGD
# step with learning rate $0.01$, and computes the loss again.

# %%
T_SEQ, HIDDEN, BATCH = 50, 16, 32


class ElmanRNN(nn.Module):
    """h_t = phi(W h_{t-1} + U x_t + b), h_0 = 0; prediction v^T h_T + c. W starts as `scale` x a rotation."""

    def __init__(self, scale, seed, phi=None):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        Q, _ = torch.linalg.qr(torch.randn(HIDDEN, HIDDEN, generator=g))
        self.W = nn.Parameter(scale * Q)                                   # (H, H)
        self.U = nn.Parameter(torch.randn(1, HIDDEN, generator=g))          # (1, H): scalar inputs
        self.b = nn.Parameter(torch.zeros(HIDDEN))
        self.out = nn.Linear(HIDDEN, 1)
        with torch.no_grad():
            self.out.weight.copy_(torch.randn(1, HIDDEN, generator=g) / HIDDEN**0.5)
            self.out.bias.zero_()
        self.phi = phi if phi is not None else (lambda a: a)               # identity: a linear RNN

    def states(self, x, h0=None):
        """All hidden states h_1..h_T (a list) and the pre-activations a_t, for x of shape (n, T)."""
        h = torch.zeros(x.shape[0], HIDDEN) if h0 is None else h0
        hs, pre = [], []
        for t in range(x.shape[1]):
            a = h @ self.W.T + x[:, t:t + 1] @ self.U + self.b               # (n, H)
            h = self.phi(a)
            hs.append(h)
            pre.append(a)
        return hs, pre

    def forward(self, x):
        return self.out(self.states(x)[0][-1]).squeeze(1)


def sum_task(n, generator):
    """Inputs (n, T) standard normal; target sum_t x_t / sqrt(T) (variance 1)."""
    x = torch.randn(n, T_SEQ, generator=generator)
    return x, x.sum(1) / T_SEQ**0.5


def total_grad_norm(model):
    return float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()])))


x_why, y_why = sum_task(BATCH, torch.Generator().manual_seed(0))
model_why = ElmanRNN(1.02, seed=0)
loss_before = F.mse_loss(model_why(x_why), y_why)
loss_before.backward()
norm_why = total_grad_norm(model_why)
sgd_why = torch.optim.SGD(model_why.parameters(), lr=0.01)
sgd_why.step()
sgd_why.zero_grad()
loss_after = F.mse_loss(model_why(x_why), y_why)
loss_after.backward()
sgd_why.step()
with torch.no_grad():
    loss_after2 = F.mse_loss(model_why(x_why), y_why).item()
loss_after = loss_after.item()
print(f"loss {loss_before.item():.2f}, gradient norm {norm_why:.0f}; after one SGD step the loss is {loss_after:.3g}, "
      f"after two {loss_after2}")
assert norm_why > 100 and loss_after > 1e50 and not math.isfinite(loss_after2)
glue("ch9_why_norm", round(norm_why, 1), display=False)
glue("ch9_why_exponent", int(math.log10(loss_after)), display=False)
glue("ch9_why_loss", round(loss_before.item(), 4), display=False)

# %% [markdown]
# The gradient has norm {glue:text}`ch9_why_norm` at a loss of {glue:text}`ch9_why_loss`, and the
# step it produces throws the weights so far that the loss jumps to about $10^{x}$ with $x =$
# {glue:text}`ch9_why_exponent`; the step after that overflows, and no later step can repair the damage. The next
# section explains where such gradients come
# from; the one after it, how a single line of code (clipping) prevents the damage.
#
# ## Exploding and vanishing gradients
#
# An Elman network {cite}`pascanu2013difficulty` updates
#
# $$
# a_t = W h_{t-1} + U x_t + b, \qquad h_t = \phi(a_t), \qquad t = 1, \dots, T,
# $$ (eq-opt-rnn)
#
# with an elementwise nonlinearity $\phi$ (tanh, or the identity for a linear RNN). By the chain rule the
# sensitivity of the last state to an early one in {eq}`eq-opt-rnn` is a product of $T - k$ Jacobians,
#
# $$
# \frac{\partial h_T}{\partial h_k} = \prod_{t=k+1}^{T} \frac{\partial h_t}{\partial h_{t-1}}
# = \prod_{t=k+1}^{T} \operatorname{diag}\big(\phi'(a_t)\big)\, W ,
# $$ (eq-opt-jacobian-product)
#
# and since the spectral norm is submultiplicative,
#
# $$
# \Big\lVert \frac{\partial h_T}{\partial h_k} \Big\rVert_2 \le
# \prod_{t=k+1}^{T} \lVert W\rVert_2 \,\big\lVert \operatorname{diag}(\phi'(a_t))\big\rVert_2
# = \prod_{t=k+1}^{T} \lVert W\rVert_2 \max_i |\phi'(a_{t,i})| .
# $$ (eq-opt-jacobian-bound)
#
# If every factor is below some $\gamma < 1$, the bound decays like $\gamma^{T-k}$: gradients from distant
# steps **vanish** and long-range dependencies cannot be learned. If the factors exceed 1, the product *can*
# grow exponentially: gradients **explode**. For a linear RNN ($\phi' = 1$) with $W = sQ$, $Q$ orthogonal,
# the bound is attained exactly: $\lVert (sQ)^{T-k}\rVert_2 = s^{T-k}$. For tanh, $|\phi'| \le 1$, so
# $\lVert W\rVert_2 < 1$ is *sufficient* for vanishing, and $\lVert W\rVert_2 > 1$ is *necessary* for
# exploding {cite}`pascanu2013difficulty`.
#
# The cell computes the full Jacobians $\partial h_t/\partial h_0$ for $t = 1, \dots, 50$ with autograd (one
# call, from a random $h_0$) for a tanh network with $W = 1.5\,Q$, and compares their spectral norms with the
# bound {eq}`eq-opt-jacobian-bound`; then it does the same for linear networks, where the bound must be an
# equality.

# %%
def state_jacobians(model, x, h0):
    """d h_t / d h_0 for t = 1..T, shape (T, H, H), by autograd."""
    return torch.autograd.functional.jacobian(lambda h: torch.stack(model.states(x, h[None])[0])[:, 0], h0,
                                              vectorize=True)


x_one = torch.randn(1, T_SEQ, generator=torch.Generator().manual_seed(1))
h0 = torch.randn(HIDDEN, generator=torch.Generator().manual_seed(2)) * 0.5
tanh_rnn = ElmanRNN(1.5, seed=0, phi=torch.tanh)
J = state_jacobians(tanh_rnn, x_one, h0)
jac_norms = torch.linalg.matrix_norm(J, ord=2).numpy()                        # (T,)
with torch.no_grad():
    _, pre = tanh_rnn.states(x_one, h0[None])
    dphi_max = np.array([float((1 - torch.tanh(a) ** 2).max()) for a in pre])   # max_i |phi'(a_t,i)|
bound = np.cumprod(float(torch.linalg.matrix_norm(tanh_rnn.W.detach(), ord=2)) * dphi_max)
print(f"tanh, ||W|| = 1.5: ||dh_t/dh_0|| <= bound at every t: {bool(np.all(jac_norms <= bound * (1 + 1e-12)))}; "
      f"at t = 50: {jac_norms[-1]:.3g} <= {bound[-1]:.3g}")
assert np.all(jac_norms <= bound * (1 + 1e-12)) and jac_norms[-1] < 1 < bound[-1]

# eq-opt-jacobian-product: the product diag(phi'(a_T)) W ... diag(phi'(a_1)) W against autograd
product = torch.eye(HIDDEN)
with torch.no_grad():
    for a in pre:
        product = torch.diag(1 - torch.tanh(a[0]) ** 2) @ tanh_rnn.W @ product
err_product = checks.rel_error(product.numpy(), J[-1].numpy())
print(f"product of the 50 Jacobians vs autograd's dh_50/dh_0: rel. error {checks.error_bound(err_product)}")
assert err_product < 1e-12

exact = {}
for s in (1.02, 0.9):
    J_lin = torch.linalg.matrix_norm(state_jacobians(ElmanRNN(s, seed=0), x_one, h0), ord=2).numpy()
    exact[s] = checks.rel_error(J_lin, s ** np.arange(1, T_SEQ + 1))
    print(f"linear, W = {s} Q: ||dh_50/dh_0|| = {J_lin[-1]:.4g} (s^50 = {s**50:.4g}), "
          f"max rel. error over t {checks.error_bound(exact[s])}")
assert max(exact.values()) < 1e-10
glue("ch9_tanh_jac50", round(float(jac_norms[-1]), 4), display=False)
glue("ch9_tanh_bound50", round(float(bound[-1]), 4), display=False)
glue("ch9_lin_explode50", round(1.02**50, 4), display=False)
glue("ch9_lin_vanish50", round(0.9**50, 4), display=False)

# %% [markdown]
# The bound holds at every step, and for the linear networks it is exact: $1.02^{50} =$
# {glue:text}`ch9_lin_explode50` and $0.9^{50} =$ {glue:text}`ch9_lin_vanish50`. A recurrent matrix 2% above
# the identity's scale amplifies a perturbation of $h_0$ by the first factor after 50 steps; one 10% below
# shrinks it to the second. The tanh network shows why exploding is rarer than vanishing in practice: although
# $\lVert W\rVert_2 = 1.5$, saturated units have $\phi' \approx 0$, and the Jacobian after 50 steps has norm
# {glue:text}`ch9_tanh_jac50` (the bound: {glue:text}`ch9_tanh_bound50`). Pascanu et al. describe explosions in
# such networks as local events, steep "cliffs" of the loss surface, rather than a steady drift.
#
# The same product drives the gradient of the loss with respect to each hidden state,
# $\partial L/\partial h_t = (\partial h_T/\partial h_t)^\top \partial L/\partial h_T$. The figure shows its
# norm along the sequence for the three networks (one batch of 32 sequences, at initialization).

# %%
def state_grad_norms(model, x, y):
    """||dL/dh_t|| for t = 1..T."""
    hs, _ = model.states(x)
    for h in hs:
        h.retain_grad()
    F.mse_loss(model.out(hs[-1]).squeeze(1), y).backward()
    return np.array([float(h.grad.norm()) for h in hs])


fig, ax = plt.subplots(figsize=(7, 3.6))
curves_h = {}
for label, model in {"linear, W = 1.02 Q": ElmanRNN(1.02, seed=0), "linear, W = 0.9 Q": ElmanRNN(0.9, seed=0),
                     "tanh, W = 1.5 Q": ElmanRNN(1.5, seed=0, phi=torch.tanh)}.items():
    curves_h[label] = state_grad_norms(model, x_why, y_why)
    ax.semilogy(np.arange(1, T_SEQ + 1), curves_h[label], label=label)
ax.set(xlabel="time step t", ylabel=r"$\|\partial L / \partial h_t\|$", title="Gradient reaching each time step")
ax.legend()
plt.show()
for s, label in ((1.02, "linear, W = 1.02 Q"), (0.9, "linear, W = 0.9 Q")):     # exact: s^(T-t) times the last
    c = curves_h[label]
    assert checks.rel_error(c / c[-1], s ** np.arange(T_SEQ - 1, -1, -1.0)) < 1e-10

# %% [markdown]
# ## Gradient clipping
#
# Treat all the gradients of a model as one long vector $g$. **Clipping by norm** rescales it when its norm
# exceeds a threshold $c$ (`max_norm`); **clipping by value** clamps every entry to $[-v, v]$:
#
# $$
# \operatorname{clip}_c(g) = \min\Big(1, \frac{c}{\lVert g\rVert}\Big)\, g , \qquad
# \operatorname{clamp}_v(g)_i = \min\big(v, \max(-v, g_i)\big).
# $$ (eq-opt-clip)
#
# Norm clipping multiplies the whole vector by one positive number, so the **direction is kept**:
# $\cos\angle(\operatorname{clip}_c(g), g) = \alpha\lVert g\rVert^2/(\alpha\lVert g\rVert \lVert g\rVert) = 1$
# for $\alpha = \min(1, c/\lVert g\rVert) > 0$. Value clipping shrinks only the large entries, so the result
# points elsewhere as soon as some entries exceed $v$ and others do not; by Cauchy-Schwarz the cosine is
# then below 1. The norm is usually the Euclidean one; $p = 1$ and $p = \infty$ (the largest absolute
# entry) are also offered by PyTorch. With an SGD step, norm clipping means
#
# $$
# w \leftarrow w - \eta\, \operatorname{clip}_c(g) = w - \min\Big(\eta, \frac{\eta c}{\lVert g\rVert}\Big) g :
# $$ (eq-opt-clip-step)
#
# an ordinary gradient step whose learning rate is cut when the gradient is long, so that no step moves the
# parameters by more than $\eta c$. regbook's NumPy version works on a list of gradient arrays, in place,
# and returns the norm before clipping, like `torch.nn.utils.clip_grad_norm_` (whose $10^{-6}$ safety term
# it copies):

# %%
regbook.show_source(np_clipping.clip_grad_norm)

# %% [markdown]
# The direction claim, checked on a real gradient: the tanh network's gradient on one batch, clipped by norm
# to a tenth of its length and by value at the median absolute entry.

# %%
def fresh_grads(model, x, y):
    model.zero_grad()
    F.mse_loss(model(x), y).backward()
    return [p.grad.clone() for p in model.parameters()]


def cosine(a, b):
    a, b = np.concatenate([v.ravel() for v in a]), np.concatenate([v.ravel() for v in b])
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


raw = [g.numpy() for g in fresh_grads(tanh_rnn, x_why, y_why)]
by_norm, by_value = [g.copy() for g in raw], [g.copy() for g in raw]
norm_raw = np_clipping.clip_grad_norm(by_norm, 0.1 * math.sqrt(sum(float((g**2).sum()) for g in raw)))
v_med = float(np.median(np.abs(np.concatenate([g.ravel() for g in raw]))))
np_clipping.clip_grad_value(by_value, v_med)
cos_norm, cos_value = cosine(by_norm, raw), cosine(by_value, raw)
print(f"gradient norm {norm_raw:.4g}; cosine with the raw gradient: clipped by norm {cos_norm:.6f}, "
      f"clipped by value {cos_value:.4f}")
assert abs(cos_norm - 1) < 1e-12 and cos_value < 0.99
glue("ch9_cos_value", round(cos_value, 4), display=False)

# %% [markdown]
# Clipping by value at the median entry turns the gradient by an angle whose cosine is
# {glue:text}`ch9_cos_value`; clipping by norm does not turn it at all.
#
# **Parity with PyTorch.** `regbook.pt.clipping.clip_grad_norm` is the torch twin (written from scratch on the
# `.grad` tensors). On the same gradients, for $p = 2$, $1$ and $\infty$, the NumPy version, the torch twin and
# `torch.nn.utils.clip_grad_norm_` must return the same total norm and leave the same clipped gradients; and
# likewise for clipping by value.

# %%
def clipped_by(fn, p, max_norm):
    """(returned total norm, clipped grads) of one clipping function on a copy of the tanh RNN's gradients."""
    model = ElmanRNN(1.5, seed=0, phi=torch.tanh)
    fresh_grads(model, x_why, y_why)
    total = fn(model.parameters(), max_norm, norm_type=p)
    return float(total), [q.grad.clone() for q in model.parameters()]


def numpy_clip(parameters, max_norm, norm_type):
    grads = [q.grad.numpy() for q in parameters]                  # views: clipped in place
    return np_clipping.clip_grad_norm(grads, max_norm, norm_type=norm_type)


parity_clip = {}
for p in (2.0, 1.0, math.inf):
    ref_norm, ref_grads = clipped_by(torch.nn.utils.clip_grad_norm_, p, 1.0)
    for name, fn in (("regbook.np", numpy_clip), ("regbook.pt", pt_clipping.clip_grad_norm)):
        total, grads = clipped_by(fn, p, 1.0)
        parity_clip[f"p={p} {name}"] = max(checks.rel_error(total, ref_norm),
                                           max(checks.rel_error(a, b) for a, b in zip(grads, ref_grads)))
m_val = ElmanRNN(1.5, seed=0, phi=torch.tanh)
grads_t = fresh_grads(m_val, x_why, y_why)
torch.nn.utils.clip_grad_value_(m_val.parameters(), 0.05)
grads_np = [g.numpy().copy() for g in grads_t]
np_clipping.clip_grad_value(grads_np, 0.05)
parity_clip["value regbook.np"] = max(checks.rel_error(a, q.grad.numpy()) for a, q in zip(grads_np, m_val.parameters()))
for name, err in parity_clip.items():
    print(f"{name:<20} vs torch: max rel. error {checks.error_bound(err)}")
assert max(parity_clip.values()) < 1e-12

bad = ElmanRNN(1.5, seed=0, phi=torch.tanh)
fresh_grads(bad, x_why, y_why)
bad.W.grad[0, 0] = float("nan")
try:
    pt_clipping.clip_grad_norm(bad.parameters(), 1.0, error_if_nonfinite=True)
except RuntimeError as exc:
    print("error_if_nonfinite=True:", exc)

# %% [markdown]
# With `error_if_nonfinite=True` a NaN anywhere in the gradients stops training with a clear message instead
# of silently writing NaN into every parameter (the default, as in torch, is to scale anyway).
#
# ### Clipping rescues the recurrent network
#
# Back to the network of the first section. We train linear RNNs with $W = 1.02\,Q$ on the sum task with
# regbook's training loop `regbook.pt.training.train`: 320 training sequences, mini-batches of 32 (10 SGD
# steps per epoch, learning rate 0.01), 15 epochs, 1000 validation sequences, three seeds; once without
# clipping and once with the `GradientClipping(max_norm=1.0)` callback, which clips between `backward()` and
# `step()`. Two small callbacks record the batch loss and the gradient norm (before clipping) at every step
# and stop training once the loss is no longer finite.

# %%
class StepLog(Callback):
    """Records the batch loss and the gradient norm (before any clipping) at every step."""

    def on_train_begin(self, state):
        self.loss, self.norm = [], []

    def on_after_backward(self, state):
        self.loss.append(state.loss)
        self.norm.append(total_grad_norm(state.model))


class StopIfNonFinite(Callback):
    def on_epoch_end(self, state):
        return not math.isfinite(state.history["train_loss"][-1])


EPOCHS_RNN, LR_RNN, MAX_NORM, SEEDS = 15, 0.01, 1.0, (0, 1, 2)


def train_rnn(seed, max_norm):
    g = torch.Generator().manual_seed(100 + seed)
    train_set, val_set = sum_task(320, g), sum_task(1000, g)
    model = ElmanRNN(1.02, seed=seed)
    log = StepLog()                                  # before the clipping callback: sees the raw gradient
    callbacks = [log, StopIfNonFinite()] + ([GradientClipping(max_norm=max_norm)] if max_norm else [])
    history = train(model, F.mse_loss, torch.optim.SGD(model.parameters(), lr=LR_RNN), train_set,
                    epochs=EPOCHS_RNN, val_data=val_set, batch_size=32, callbacks=callbacks,
                    generator=torch.Generator().manual_seed(seed), progress=False)
    W = model.W.detach()
    w_norm = float(torch.linalg.matrix_norm(W, ord=2)) if torch.isfinite(W).all() else math.nan
    return history, np.array(log.loss), np.array(log.norm), w_norm


runs_rnn = {(clip, s): train_rnn(s, clip) for clip in (None, MAX_NORM) for s in SEEDS}
CAP = 1e6                                            # larger values are drawn at the top edge
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for s in SEEDS:
    for clip, color in ((None, plotting.COLORS["val"]), (MAX_NORM, plotting.COLORS["train"])):
        _, losses, norms, _ = runs_rnn[clip, s]
        label = ("no clipping" if clip is None else f"clipped at {clip}") if s == 0 else None
        steps_ = np.arange(1, len(losses) + 1)
        marker = "x" if clip is None else None
        axes[0].semilogy(steps_, np.minimum(np.nan_to_num(losses, nan=CAP), CAP), color=color, marker=marker, label=label)
        axes[1].semilogy(steps_, np.minimum(np.nan_to_num(norms, nan=CAP), CAP), color=color, marker=marker, label=label)
axes[0].set(xlabel="SGD step", ylabel="batch loss (MSE)", title="Linear RNN, W = 1.02 Q, T = 50, 3 seeds")
axes[1].set(xlabel="SGD step", ylabel="gradient norm before clipping", title=f"Gradient norm (capped at {CAP:.0e})")
axes[0].legend()
plt.show()

steps_alive = [int(np.sum(np.isfinite(runs_rnn[None, s][1]) & (runs_rnn[None, s][1] < 1e50))) for s in SEEDS]
nonfinite = [not math.isfinite(runs_rnn[None, s][0]["train_loss"][-1]) for s in SEEDS]
first_loss = np.array([runs_rnn[MAX_NORM, s][1][0] for s in SEEDS])
final_clip = np.array([runs_rnn[MAX_NORM, s][0]["val_loss"][-1] for s in SEEDS])
norm_end = np.array([runs_rnn[MAX_NORM, s][2][-10:].max() for s in SEEDS])
print(f"without clipping: steps before the loss exceeds 1e50 {steps_alive}; training loss non-finite after "
      f"epoch 1 on every seed: {all(nonfinite)}")
print(f"with clipping: batch loss {first_loss.mean():.1f} at step 1; validation loss {final_clip.mean():.3f} ± "
      f"{final_clip.std():.3f} after {EPOCHS_RNN} epochs (predicting 0 gives 1); "
      f"gradient norms over the last 10 steps up to {norm_end.max():.0f}")
nan_by_step3 = [not np.isfinite(runs_rnn[None, s][1][:3]).all() for s in SEEDS]
w_norm_end = np.array([runs_rnn[MAX_NORM, s][3] for s in SEEDS])
print(f"with clipping: spectral norm of W after training {w_norm_end.min():.3f} to {w_norm_end.max():.3f} "
      f"(1.02 at the start)")
assert all(nonfinite) and all(nan_by_step3) and steps_alive == [1] * len(SEEDS) and np.all(final_clip < 0.2)
assert np.all(w_norm_end > 1.0)                         # W was not shrunk: the explosion was tamed by the steps' length
glue("ch9_rnn_wnorm_min", round(float(w_norm_end.min()), 4), display=False)
glue("ch9_rnn_wnorm_max", round(float(w_norm_end.max()), 4), display=False)
assert min(runs_rnn[MAX_NORM, s][2][0] for s in SEEDS) > 1000                # first gradients: norms in the thousands
assert norm_end.max() < 0.05 * min(runs_rnn[MAX_NORM, s][2][0] for s in SEEDS)   # ... and much smaller at the end
assert min(runs_rnn[MAX_NORM, s][2].min() for s in SEEDS) > MAX_NORM         # every step was clipped
glue("ch9_rnn_final", round(float(final_clip.mean()), 4), display=False)
glue("ch9_rnn_first", round(float(first_loss.mean()), 4), display=False)
glue("ch9_rnn_norm_end", round(float(norm_end.max()), 4), display=False)

# %% [markdown]
# Without clipping, every seed's loss explodes at the second step and is infinite or NaN by the third, as in
# the first section. With clipping, the same networks start from a batch loss of {glue:text}`ch9_rnn_first`
# and end with a validation loss of {glue:text}`ch9_rnn_final` after 150 steps. The first updates are gradients of
# norm in the thousands cut to length 1; they bring the loss down, and with it the gradients, which are
# proportional to the residuals. They do not do it by shrinking $W$: its spectral norm ends between
# {glue:text}`ch9_rnn_wnorm_min` and {glue:text}`ch9_rnn_wnorm_max`, still above 1. Clipping still
# acts at the end (norms up to {glue:text}`ch9_rnn_norm_end`): with this threshold every step has length
# $\eta c = 0.01$ (every gradient of the run was longer than 1), and the run is in effect normalized gradient
# descent.
#
# **What clipping does not fix.** It only ever shortens the gradient, and it multiplies all of it by the
# same factor. The share of the gradient that comes from early time steps, $0.9^{49}$ of the last step's in
# the $W = 0.9\,Q$ network above, is the same after clipping as before; a vanishing gradient stays vanishing.
# Remedies for that are architectural (gated units such as the LSTM, orthogonal or identity initialization,
# skip connections) or a soft penalty that asks each Jacobian $\partial h_{t}/\partial h_{t-1}$ to preserve
# the norm of the gradient it back-propagates, which Pascanu et al. propose alongside clipping
# {cite}`pascanu2013difficulty`.
#
# **Is clipping a regularizer?** In the sense of {doc}`ch01_overfitting`, something that changes the solution to make it
# generalize better, not really. By {eq}`eq-opt-clip-step` it is a step-size rule: any point where the full
# gradient vanishes is a fixed point of clipped gradient descent and vice versa, so on a problem with a
# unique minimizer clipped and unclipped descent end at the same place. The cell checks that on ridge
# regression, where a tight threshold cuts every early step.

# %%
split_d = data.load_dataset("diabetes", seed=0)
Xd, yd = split_d.X_train, split_d.y_train - split_d.y_train.mean()
n_d, lam_d = Xd.shape[0], 0.1
w_star = np.linalg.solve(Xd.T @ Xd / n_d + lam_d * np.eye(Xd.shape[1]), Xd.T @ yd / n_d)


def gd_ridge(max_norm, steps=3000, lr=0.1):
    w, clipped = np.zeros(Xd.shape[1]), 0
    for _ in range(steps):
        grad = Xd.T @ (Xd @ w - yd) / n_d + lam_d * w                # gradient of the ridge objective
        if max_norm is not None:
            clipped += np_clipping.clip_grad_norm([grad], max_norm) > max_norm
        w -= lr * grad
    return w, clipped


w_plain, _ = gd_ridge(None)
w_clip, n_clipped = gd_ridge(1.0)
err_plain, err_clip = checks.rel_error(w_plain, w_star), checks.rel_error(w_clip, w_star)
print(f"gradient descent on ridge, 3000 steps: distance to the closed form without clipping "
      f"{checks.error_bound(err_plain, floor=1e-8)}, with clipping at 1 {checks.error_bound(err_clip, floor=1e-8)} "
      f"({n_clipped} steps were clipped)")
assert err_plain < 1e-8 and err_clip < 1e-8 and n_clipped > 10

# %% [markdown]
# Both runs end at the ridge solution; only the path differs. Clipping can still influence which solution
# is found where there are many (deep networks), but that is an effect of the optimization path, to be
# measured case by case, not a penalty. Source 004 lists it among regularization techniques with no
# explanation; it is better described as what it is: a safety limit on the step length.
#
# ## Adaptive gradients: AdaGrad, RMSProp, Adam
#
# Plain SGD moves every coordinate by $\eta g_i$, so coordinates with large gradients move fast and those with
# small gradients barely move. Adaptive methods divide each coordinate by an estimate of its typical size.
# With $g_t$ the gradient at step $t$, all operations elementwise, and a small $\epsilon$:
#
# $$
# \begin{aligned}
# \text{AdaGrad:}\quad & G_t = G_{t-1} + g_t^2, & w_t &= w_{t-1} - \eta\, g_t / (\sqrt{G_t} + \epsilon) \\
# \text{RMSProp:}\quad & v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, & w_t &= w_{t-1} - \eta\, g_t / (\sqrt{v_t} +
# \epsilon) \\
# \text{Adam:}\quad & m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ \ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, &
#   w_t &= w_{t-1} - \eta\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}
# \end{aligned}
# $$ (eq-opt-adaptive)
#
# AdaGrad {cite}`duchi2011adaptive` sums all past squared gradients, so its per-coordinate step sizes only
# shrink; RMSProp {cite}`tieleman2012lecture` (proposed in a lecture, never in a paper) replaces the sum by an
# exponential
# average, so the step size can recover; Adam {cite}`kingma2015adam` adds momentum to the numerator and
# corrects both averages for their start at zero (the factors $1 - \beta^t$). The first Adam step moves every
# coordinate by exactly $\eta$ (for $\epsilon = 0$), whatever the size of its gradient. The cell checks the
# three updates against `torch.optim.Adagrad`, `RMSprop` and `Adam` over 50 steps on logistic regression for
# the breast-cancer data in float64; AdaGrad and RMSProp are written out in the cell, Adam is regbook's:

# %%
regbook.show_source(np_optim.adam_direction)
regbook.show_source(np_optim.Adam.step)

# %%
split_bc = data.load_dataset("breast_cancer", seed=0)
Xb, yb = split_bc.X_train, split_bc.y_train.astype(float)        # (341, 30) standardized, labels 0/1
Xb_t, yb_t = torch.tensor(Xb), torch.tensor(yb)


def logistic_grad(w):
    """Gradient of the mean logistic loss, in NumPy."""
    return Xb.T @ (1 / (1 + np.exp(-(Xb @ w))) - yb) / len(yb)


def torch_trajectory(make_opt, steps=50):
    w = torch.zeros(Xb.shape[1], requires_grad=True)
    opt, path = make_opt([w]), []
    for _ in range(steps):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(Xb_t @ w, yb_t).backward()
        opt.step()
        path.append(w.detach().clone().numpy())
    return np.array(path)


def numpy_trajectory(update, steps=50):
    w, state, path = np.zeros(Xb.shape[1]), {}, []
    for t in range(1, steps + 1):
        update(w, logistic_grad(w), state, t)
        path.append(w.copy())
    return np.array(path)


def adagrad(w, g, s, t, lr=0.1, eps=1e-10):
    s["G"] = s.get("G", 0.0) + g**2
    w -= lr * g / (np.sqrt(s["G"]) + eps)


def rmsprop(w, g, s, t, lr=0.01, alpha=0.99, eps=1e-8):
    s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g**2
    w -= lr * g / (np.sqrt(s["v"]) + eps)


def regbook_adam(w, g, s, t, **kw):
    s.setdefault("opt", np_optim.Adam([w], lr=0.01, **kw)).step([g])


parity_adapt = {
    "AdaGrad": checks.rel_error(numpy_trajectory(adagrad), torch_trajectory(lambda p: torch.optim.Adagrad(p, lr=0.1))),
    "RMSProp": checks.rel_error(numpy_trajectory(rmsprop), torch_trajectory(lambda p: torch.optim.RMSprop(p, lr=0.01))),
    "Adam (regbook.np)": checks.rel_error(numpy_trajectory(regbook_adam),
                                          torch_trajectory(lambda p: torch.optim.Adam(p, lr=0.01))),
}
for name, err in parity_adapt.items():
    print(f"{name:<18} 50-step trajectory vs torch: max rel. error {checks.error_bound(err, floor=1e-10)}")
assert max(parity_adapt.values()) < 1e-9
first_step = numpy_trajectory(regbook_adam, steps=1)[0]
print(f"first Adam step: |w_i| ranges from {np.abs(first_step).min():.6f} to {np.abs(first_step).max():.6f} (lr = 0.01)")
assert np.allclose(np.abs(first_step), 0.01, rtol=1e-5)

# %% [markdown]
# (ch9-decoupled)=
# ## Weight decay is not L2 inside Adam
#
# **Two ways to shrink weights.** An L2 penalty adds $\frac{\lambda}{2}\lVert w\rVert^2$ to the loss $f$, so its
# gradient $\lambda w$ joins the gradient; **weight decay** multiplies the weights by $1 - \eta\lambda$ at every
# step, outside the gradient:
#
# $$
# \text{L2:}\quad w_t = w_{t-1} - \eta\,\big(\nabla f(w_{t-1}) + \lambda w_{t-1}\big), \qquad
# \text{decay:}\quad w_t = (1 - \eta\lambda)\, w_{t-1} - \eta \nabla f(w_{t-1}) .
# $$ (eq-opt-sgd-decay)
#
# For plain SGD the two lines are the same expression, multiplied out. (PyTorch multiplies `weight_decay` by
# the learning rate; Loshchilov and Hutter's paper writes the decay as $w \leftarrow (1 - \lambda')w$, with
# $\lambda' = \eta\lambda$ in PyTorch's terms {cite}`loshchilov2019decoupled`. The {doc}`notation` chapter
# maps the conventions.) With momentum, PyTorch's `SGD(weight_decay=λ)` puts $\lambda w$ into the gradient
# before the momentum buffer, which is exactly SGD on the L2-penalized loss. A *decoupled* decay outside the
# buffer (SGDW) is no longer the same trajectory, but it is still an L2 penalty in disguise: at a fixed point
# the buffer equals $\nabla f/(1-\mu)$, so $\nabla f(w) + (1-\mu)\lambda w = 0$, the ridge solution for
# $(1-\mu)\lambda$. The check uses least squares on the diabetes data: regbook's `SGD` against torch's on
# the penalized loss, plain and with momentum $\mu = 0.9$, and SGDW's limit against the closed form.

# %%
def sgd_paths(momentum, lam=0.05, lr=0.05, steps=100):
    w_np = np.zeros(Xd.shape[1])
    opt_np = np_optim.SGD([w_np], lr=lr, momentum=momentum, weight_decay=lam)
    w_t = torch.zeros(Xd.shape[1], requires_grad=True)
    opt_t = torch.optim.SGD([w_t], lr=lr, momentum=momentum)
    Xt, yt = torch.tensor(Xd), torch.tensor(yd)
    a, b = [], []
    for _ in range(steps):
        opt_np.step([Xd.T @ (Xd @ w_np - yd) / n_d])                     # gradient of f only; decay inside
        opt_t.zero_grad()
        (0.5 * ((Xt @ w_t - yt) ** 2).mean() + lam / 2 * (w_t**2).sum()).backward()   # f + L2 penalty
        opt_t.step()
        a.append(w_np.copy())
        b.append(w_t.detach().clone().numpy())
    return checks.rel_error(np.array(a), np.array(b))


def sgdw_limit(lam=0.05, lr=0.05, mu=0.9, steps=4000):
    w, buf = np.zeros(Xd.shape[1]), np.zeros(Xd.shape[1])
    for _ in range(steps):
        buf = mu * buf + Xd.T @ (Xd @ w - yd) / n_d
        w = (1 - lr * lam) * w - lr * buf                             # decoupled: outside the buffer
    return w


ridge_for = lambda lam: np.linalg.solve(Xd.T @ Xd / n_d + lam * np.eye(Xd.shape[1]), Xd.T @ yd / n_d)  # noqa: E731
err_sgd = {m: sgd_paths(m) for m in (0.0, 0.9)}
w_sgdw = sgdw_limit()
err_sgdw, err_sgdw_naive = checks.rel_error(w_sgdw, ridge_for(0.1 * 0.05)), checks.rel_error(w_sgdw, ridge_for(0.05))
for m, err in err_sgd.items():
    print(f"SGD(weight_decay=0.05, momentum={m}) vs SGD on f + 0.025 ||w||^2: max rel. error {checks.error_bound(err)}")
print(f"SGDW (mu = 0.9) limit vs ridge with (1-mu) lambda: {checks.error_bound(err_sgdw, floor=1e-8)}; "
      f"vs ridge with lambda: {err_sgdw_naive:.3f}")
assert max(err_sgd.values()) < 1e-12 and err_sgdw < 1e-8 and err_sgdw_naive > 0.01

# %% [markdown]
# So for SGD, "L2 penalty" and "weight decay" name the same regularizer, up to a rescaling of $\lambda$.
#
# **Inside Adam they differ.** Adam divides whatever gradient it receives by $\sqrt{\hat v_t} + \epsilon$. With
# an L2 penalty the decay term is part of that gradient, so, to first order (ignoring the momentum average and
# the small change that $\lambda w$ makes to $\hat v$), the shrinkage that coordinate $i$ receives in one step is
#
# $$
# \text{Adam + L2:}\quad \Delta w_i \approx -\frac{\eta\lambda}{\sqrt{\hat v_{t,i}} + \epsilon}\, w_i ,
# \qquad
# \text{AdamW:}\quad \Delta w_i = -\eta\lambda\, w_i ,
# $$ (eq-opt-adam-l2)
#
# where AdamW {cite}`loshchilov2019decoupled` applies the decay of {eq}`eq-opt-sgd-decay` directly to the
# weights and gives Adam only $\nabla f$. With L2, **a weight whose gradients are large or noisy (large
# $\hat v_i$) is decayed less**, one with small gradients more: the strength of the regularizer depends on the
# gradient statistics of each coordinate, and an L2 penalty "tuned for Adam" is not the penalty that was
# written down. AdamW decays every weight at the same relative rate $\eta\lambda$, whatever its gradients.
# Seen from the end point instead of per step: with full batches, a fixed point of Adam + L2 has $\hat m = 0$,
# i.e. $\nabla f(w) + \lambda w = 0$, the stationarity condition of the penalized loss, whatever the
# preconditioner; the penalty then hits hardest the coordinates where the data term is flattest (small
# gradients), which is the same conclusion. A fixed point of AdamW satisfies
# $\lambda w_i = -\hat m_i/(\sqrt{\hat v_i} + \epsilon)$ instead, which is not the stationarity condition of
# any fixed penalty added to $f$.
#
# The left-hand side of {eq}`eq-opt-adam-l2`, checked with regbook's `adam_direction`: three coordinates whose
# gradients are noisy with standard deviations 0.5, 2 and 8, the weights held fixed at $w = 1$ so that only
# the penalty's share of the step is measured, and two Adam states fed the same gradients, one with
# $\lambda w$ added ($\lambda = 0.01$). After 2000 steps the difference between the two steps is compared with
# $-\eta\lambda w_i/(\sqrt{\hat v_{t,i}} + \epsilon)$.

# %%
r_l2 = np.random.default_rng(0)
noise_sd, w_fixed, lam_chk, lr_chk, t_chk = np.array([0.5, 2.0, 8.0]), np.ones(3), 0.01, 0.01, 2000
m_0, v_0, m_l2, v_l2 = (np.zeros(3) for _ in range(4))
for t in range(1, t_chk + 1):
    g = 0.05 + noise_sd * r_l2.standard_normal(3)
    d_0 = np_optim.adam_direction(g, m_0, v_0, t=t)                           # Adam on f
    d_l2 = np_optim.adam_direction(g + lam_chk * w_fixed, m_l2, v_l2, t=t)     # Adam on f + L2
measured = -lr_chk * (d_l2 - d_0)                                              # the L2 term's share of the step
predicted = -lr_chk * lam_chk * w_fixed / (np.sqrt(v_0 / (1 - 0.999**t_chk)) + 1e-8)
print("change of w_i due to the L2 term in one step, noise sd 0.5, 2, 8: measured "
      + ", ".join(f"{x:.3e}" for x in measured) + "; predicted " + ", ".join(f"{x:.3e}" for x in predicted))
ratio_l2 = measured[0] / measured[2]                                           # quietest / noisiest coordinate
assert checks.rel_error(measured, predicted) < 0.1 and ratio_l2 > 10
glue("ch9_l2_noise_ratio", round(float(ratio_l2), 1), display=False)

# %% [markdown]
# The prediction holds to within 10% (checked), and the coordinate with the noisiest gradients is decayed
# {glue:text}`ch9_l2_noise_ratio` times less than the quietest, although the penalty is the same for all three.
#
# regbook's `AdamW` (NumPy) and its torch twin `regbook.pt.optim.AdamW` (a `torch.optim.Optimizer` written from
# scratch, with the same `state_dict` keys as torch's) implement the right-hand line:

# %%
regbook.show_source(pt_optim.AdamW.step)

# %% [markdown]
# Parity over 50 steps on the logistic regression, float64, against `torch.optim.AdamW` and, for coupled L2,
# `torch.optim.Adam(weight_decay=λ)`; the last row adds the penalty $\frac{\lambda}{2}\lVert w\rVert^2$ to
# the loss by hand and gives it to torch's Adam without `weight_decay`:

# %%
LAM_P = 0.1


def l2_in_loss(make_opt, steps=50):
    w = torch.zeros(Xb.shape[1], requires_grad=True)
    opt, path = make_opt([w]), []
    for _ in range(steps):
        opt.zero_grad()
        (F.binary_cross_entropy_with_logits(Xb_t @ w, yb_t) + LAM_P / 2 * (w**2).sum()).backward()
        opt.step()
        path.append(w.detach().clone().numpy())
    return np.array(path)


ref_adamw = torch_trajectory(lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=LAM_P))
ref_adam_l2 = torch_trajectory(lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=LAM_P))
parity_w = {
    "regbook.pt AdamW vs torch AdamW": checks.rel_error(
        torch_trajectory(lambda p: pt_optim.AdamW(p, lr=0.01, weight_decay=LAM_P)), ref_adamw),
    "regbook.np AdamW vs torch AdamW": checks.rel_error(
        numpy_trajectory(lambda w, g, s, t: s.setdefault("o", np_optim.AdamW([w], lr=0.01, weight_decay=LAM_P)).step([g])),
        ref_adamw),
    "regbook.np Adam(wd) vs torch Adam(wd)": checks.rel_error(
        numpy_trajectory(lambda w, g, s, t: regbook_adam(w, g, s, t, weight_decay=LAM_P)), ref_adam_l2),
    "torch Adam + L2 in loss vs Adam(wd)": checks.rel_error(l2_in_loss(lambda p: torch.optim.Adam(p, lr=0.01)), ref_adam_l2),
}
for name, err in parity_w.items():
    print(f"{name:<40} max rel. error {checks.error_bound(err, floor=1e-10)}")
gap_w = float(np.linalg.norm(ref_adamw[-1] - ref_adam_l2[-1]) / np.linalg.norm(ref_adam_l2[-1]))
print(f"AdamW vs Adam(weight_decay) with the same lambda after 50 steps: relative distance {gap_w:.3f}")
assert max(parity_w.values()) < 1e-9 and gap_w > 1e-3

# %% [markdown]
# `Adam(weight_decay=λ)` in PyTorch *is* L2 in the loss, and AdamW is a different optimizer.
#
# (ch9-experiment)=
# ### Experiment: features on very different scales
#
# The two rules in {eq}`eq-opt-adam-l2` differ most when gradient sizes differ between coordinates. A
# linear regression makes that easy to control: 20 features, each a standard normal variable multiplied by a
# scale $s_j$ from $0.1$ to $10$ (log-spaced), all equally important (true coefficient $\beta_j/s_j$ with
# $\beta_j \sim \mathcal N(0, 1)$), noise standard deviation 4, only 30 training examples, so that some
# regularization is needed; validation on 2000 fresh examples; five data sets (seeds). The gradient with
# respect to $w_j$ is proportional to $s_j$, so $\hat v_j$ spans four orders of magnitude. Each model is
# trained for 150 epochs with mini-batches of 10 and learning rate 0.01, the bias without decay, once with
# `torch.optim.Adam(weight_decay=λ)` and once with `torch.optim.AdamW(weight_decay=λ)` over the same grid of
# $\lambda$. (All grid points and seeds are trained at once, as separate parameter groups of one optimizer:
# both methods act coordinate by coordinate, so the models do not interact.)

# %%
D_F, N_F, N_VAL_F, NOISE_F, SEEDS_F = 20, 30, 2000, 4.0, 5
feature_scales = np.logspace(-1, 1, D_F)
LAMS = np.concatenate([[0.0], np.logspace(-3, 2, 11)])


def scaled_regression(seed):
    r = np.random.default_rng(seed)
    beta = r.standard_normal(D_F)
    Z = r.standard_normal((N_F + N_VAL_F, D_F))
    y = Z @ beta + NOISE_F * r.standard_normal(N_F + N_VAL_F)
    X = Z * feature_scales                                         # feature j has scale s_j
    return X[:N_F], y[:N_F], X[N_F:], y[N_F:]


sets_f = [scaled_regression(s) for s in range(SEEDS_F)]
Xf, yf, Xf_val, yf_val = (torch.tensor(np.stack([s[i] for s in sets_f])) for i in range(4))   # (S, n, D), (S, n)


def fit_grid(optimizer_cls, lams=LAMS, epochs=150, batch=10, lr=0.01):
    """One linear model per (lambda, seed); returns weights (G, S, D), validation MSE (G, S), sqrt(v_hat) (G, S, D)."""
    Ws = [torch.zeros(SEEDS_F, D_F, requires_grad=True) for _ in lams]
    bias = torch.zeros(len(lams), SEEDS_F, 1, requires_grad=True)
    groups = [{"params": [W], "weight_decay": float(lam)} for W, lam in zip(Ws, lams)]
    opt = optimizer_cls(groups + [{"params": [bias], "weight_decay": 0.0}], lr=lr)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        perm = torch.randperm(N_F, generator=g)
        for k in range(0, N_F, batch):
            idx = perm[k:k + batch]
            pred = torch.einsum("snd,gsd->gsn", Xf[:, idx], torch.stack(Ws)) + bias     # (G, S, batch)
            loss = ((pred - yf[:, idx]) ** 2).mean(2).sum()                           # sum of independent losses
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        val = ((torch.einsum("snd,gsd->gsn", Xf_val, torch.stack(Ws)) + bias - yf_val) ** 2).mean(2)
    v_hat = [(opt.state[W]["exp_avg_sq"] / (1 - 0.999 ** opt.state[W]["step"])).sqrt() for W in Ws]
    return torch.stack(Ws).detach().numpy(), val.numpy(), torch.stack(v_hat).numpy()


W_adam, val_adam, sv_adam = fit_grid(torch.optim.Adam)
W_adamw, val_adamw, sv_adamw = fit_grid(torch.optim.AdamW)
best = {"Adam + L2": int(val_adam.mean(1).argmin()), "AdamW": int(val_adamw.mean(1).argmin())}
print(f"{'':<10}{'best lambda':>12}{'val MSE at best':>17}{'at lambda = 0':>15}{'weight norm at best':>21}")
for name, (W_, val_) in {"Adam + L2": (W_adam, val_adam), "AdamW": (W_adamw, val_adamw)}.items():
    i = best[name]
    print(f"{name:<10}{LAMS[i]:>12.3g}{val_.mean(1)[i]:>11.2f} ± {val_.std(1)[i]:.2f}{val_.mean(1)[0]:>15.2f}"
          f"{np.linalg.norm(W_[i], axis=1).mean():>21.3f}")

# %% [markdown]
# The figure shows, left, the per-step relative shrinkage $\eta\lambda/(\sqrt{\hat v_j} + \epsilon)$ that the L2
# term receives under Adam (read from the optimizer's state at the end of training, at each method's best
# $\lambda$, averaged over seeds) against the constant $\eta\lambda$ of AdamW; middle, what it does to the
# weights: each coefficient at the best $\lambda$ divided by the same optimizer's coefficient without decay
# (median over seeds); right, the validation error over the $\lambda$ grid, relative to the same data set's
# error without decay (the data sets differ in difficulty, the ratios much less).

# %%
ia, iw = best["Adam + L2"], best["AdamW"]
rate_adam = 0.01 * LAMS[ia] / (sv_adam[ia] + 1e-8)                  # (S, D)
rate_adamw = np.full(D_F, 0.01 * LAMS[iw])
shrink_adam = np.median(W_adam[ia] / W_adam[0], axis=0)
shrink_adamw = np.median(W_adamw[iw] / W_adamw[0], axis=0)

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
axes[0].loglog(feature_scales, rate_adam.mean(0), "o-", label=rf"Adam + L2, $\lambda$ = {LAMS[ia]:.3g}")
axes[0].loglog(feature_scales, rate_adamw, "s-", label=rf"AdamW, $\lambda$ = {LAMS[iw]:.3g}")
axes[0].set(xlabel="feature scale $s_j$", ylabel="relative shrinkage per step", title="Decay each weight receives")
axes[1].semilogx(feature_scales, shrink_adam, "o-", label="Adam + L2")
axes[1].semilogx(feature_scales, shrink_adamw, "s-", label="AdamW")
axes[1].set(xlabel="feature scale $s_j$", ylabel=r"$w_j(\lambda^*) / w_j(0)$", title="Coefficient kept at the best λ")
for name, val_, marker in (("Adam + L2", val_adam, "o-"), ("AdamW", val_adamw, "s-")):
    ratio = val_[1:] / val_[0]                                    # (G-1, S): relative to the same seed's lambda = 0
    m, sd = ratio.mean(1), ratio.std(1)
    axes[2].semilogx(LAMS[1:], m, marker, label=name)
    axes[2].fill_between(LAMS[1:], m - sd, m + sd, alpha=0.15)
axes[2].axhline(1.0, color="0.5", ls="--", lw=1, label=r"$\lambda = 0$")
axes[2].set(xlabel=r"$\lambda$ (weight_decay)", ylabel=r"validation MSE / MSE at $\lambda = 0$",
            title="Validation error, 5 seeds (mean ± sd)")
axes[0].legend()
axes[2].legend()
plt.show()

# %% [markdown]
# The cell below checks what the figure shows.

# %%
rho_rate = stats.spearmanr(feature_scales, rate_adam.mean(0)).statistic
spread_rate = rate_adam.mean(0).max() / rate_adam.mean(0).min()
rho_keep = stats.spearmanr(feature_scales, shrink_adam).statistic
small, large = feature_scales < 0.3, feature_scales > 3
keep_small = {"Adam + L2": float(shrink_adam[small].mean()), "AdamW": float(shrink_adamw[small].mean())}
keep_large = {"Adam + L2": float(shrink_adam[large].mean()), "AdamW": float(shrink_adamw[large].mean())}
best_val = {"Adam + L2": val_adam.mean(1)[ia], "AdamW": val_adamw.mean(1)[iw]}
wins = int(np.sum(val_adamw[iw] < val_adam[ia]))
print(f"Adam + L2: the decay rate falls with the feature scale (Spearman {rho_rate:.2f}) and spans a factor "
      f"{spread_rate:.0f}, up to {rate_adam.mean(0).max():.2f} per step; AdamW: one rate")
print(f"coefficient kept, features with s < 0.3: Adam + L2 {keep_small['Adam + L2']:.3f}, AdamW {keep_small['AdamW']:.3f}; "
      f"s > 3: Adam + L2 {keep_large['Adam + L2']:.3f}, AdamW {keep_large['AdamW']:.3f}")
print(f"best validation MSE: Adam + L2 {best_val['Adam + L2']:.2f} (lambda {LAMS[ia]:.3g}), "
      f"AdamW {best_val['AdamW']:.2f} (lambda {LAMS[iw]:.3g}); AdamW lower on {wins} of {SEEDS_F} seeds")
assert rho_rate < -0.9 and spread_rate > 10 and rho_keep > 0.8 and rate_adam.mean(0).max() >= 1
assert keep_small["Adam + L2"] < 0.05 and keep_small["Adam + L2"] < 0.5 * keep_small["AdamW"]   # nearly erased
assert best_val["AdamW"] < best_val["Adam + L2"] and wins >= 4 and LAMS[iw] < LAMS[ia]
assert val_adamw.mean(1)[-1] > best_val["AdamW"] + 2                        # too much decay hurts again
glue("ch9_val_adamw_lam100", round(float(val_adamw.mean(1)[-1]), 4), display=False)
glue("ch9_rate_spread", round(float(spread_rate), 1), display=False)
glue("ch9_keep_small_adam", round(keep_small["Adam + L2"], 4), display=False)
glue("ch9_keep_small_adamw", round(keep_small["AdamW"], 4), display=False)
glue("ch9_keep_large_adam", round(keep_large["Adam + L2"], 4), display=False)
glue("ch9_keep_large_adamw", round(keep_large["AdamW"], 4), display=False)
glue("ch9_best_val_adam", round(float(best_val["Adam + L2"]), 4), display=False)
glue("ch9_best_val_adamw", round(float(best_val["AdamW"]), 4), display=False)
glue("ch9_best_lam_adam", round(float(LAMS[ia]), 4), display=False)
glue("ch9_best_lam_adamw", round(float(LAMS[iw]), 4), display=False)
glue("ch9_val_lam0", round(float(val_adam.mean(1)[0]), 4), display=False)
glue("ch9_adamw_wins", wins, display=False)
norm_best = {"Adam + L2": float(np.linalg.norm(W_adam[ia], axis=1).mean()),
             "AdamW": float(np.linalg.norm(W_adamw[iw], axis=1).mean())}
assert norm_best["Adam + L2"] < 0.5 * norm_best["AdamW"]
glue("ch9_norm_adam", round(norm_best["Adam + L2"], 4), display=False)
glue("ch9_norm_adamw", round(norm_best["AdamW"], 4), display=False)

# the least-squares solution that both optimizers would reach without decay, given enough steps
ols_val = []
for Xtr_, ytr_, Xva_, yva_ in sets_f:
    coef = np.linalg.lstsq(np.c_[Xtr_, np.ones(N_F)], ytr_, rcond=None)[0]
    ols_val.append(np.mean((np.c_[Xva_, np.ones(len(yva_))] @ coef - yva_) ** 2))
print(f"least squares (the limit without decay): validation MSE {np.mean(ols_val):.2f}")
assert np.mean(ols_val) > 1.5 * val_adam.mean(1)[0]
glue("ch9_ols_val", round(float(np.mean(ols_val)), 4), display=False)

# %% [markdown]
# With L2 inside Adam, the per-step decay of a weight falls steadily with the scale of its feature and spans a
# factor of {glue:text}`ch9_rate_spread` across the 20 weights, as {eq}`eq-opt-adam-l2` predicts. (Where the
# linearized rate reaches 1, for the smallest features, the approximation has broken down: there $\lambda w$
# dominates the gradient, and Adam, whose steps have length about $\eta$, simply drives the weight to zero.) The
# consequence is visible in the coefficients: at its best $\lambda$, Adam + L2 keeps only
# {glue:text}`ch9_keep_small_adam` of the small-scale features' coefficients (AdamW:
# {glue:text}`ch9_keep_small_adamw`) and {glue:text}`ch9_keep_large_adam` of the large-scale ones (AdamW:
# {glue:text}`ch9_keep_large_adamw`). The small-scale features are as informative as the others here, so
# Adam + L2 effectively deletes useful features, and its best model has the smaller weight norm
# ({glue:text}`ch9_norm_adam` against {glue:text}`ch9_norm_adamw`), which says nothing about its quality: the norm
# is dominated by the large coefficients of the small-scale features, exactly the ones it removes. Its best $\lambda$ is {glue:text}`ch9_best_lam_adam`, with a
# validation MSE of {glue:text}`ch9_best_val_adam`; AdamW's is {glue:text}`ch9_best_lam_adamw`, with
# {glue:text}`ch9_best_val_adamw`, lower on {glue:text}`ch9_adamw_wins` of 5 seeds (both start from
# {glue:text}`ch9_val_lam0` at $\lambda = 0$). The two curves have different shapes and their optima lie at
# different places, so **a $\lambda$ tuned for one optimizer cannot be carried over to the other**.
#
# Two caveats. Without decay neither optimizer reaches the least-squares solution in 150 epochs, and that is
# lucky: least squares has a validation MSE of {glue:text}`ch9_ols_val` on these data sets. Stopping early is
# itself a regularizer, as in the {doc}`ch08_early_stopping` chapter. And AdamW's advantage here comes from
# the design of the problem (informative features with small gradients); with standardized features the
# per-coordinate rates of {eq}`eq-opt-adam-l2` are much closer to each other, and the difference between the
# two optimizers should shrink (exercise 5 asks you to measure it). Loshchilov and
# Hutter report the practical benefit that matters most for deep networks: with AdamW, the best weight
# decay and the best learning rate are much less coupled, so they can be tuned separately
# {cite}`loshchilov2019decoupled`.
#
# ## Which parameters to decay
#
# Weight decay is meant to limit how strongly a unit responds to its inputs. Two kinds of parameters do not
# do that:
#
# - **Biases** shift a unit's output. Shrinking a bias toward 0 does not make the function smoother; it pulls
#   the outputs toward an arbitrary value (0) and, for the output layer, biases the predictions (linear models
#   never penalize the intercept, as in {doc}`ch02_ridge`).
# - **Normalization parameters** (batch norm's or layer norm's scale $\gamma$ and shift $\beta$,
#   {doc}`ch07_batchnorm`) set the scale and offset of normalized activations; decaying $\gamma$ fights the
#   normalization, and the weights *before* a normalization layer are scale-invariant: multiplying them by
#   $c > 0$ does not change the output, it only divides their gradient by $c$. Decaying such weights does not
#   reduce capacity at all; it raises their effective learning rate (the relative step
#   $\lVert\Delta w\rVert/\lVert w\rVert$ of SGD scales like $1/c^2$) {cite}`vanlaarhoven2017l2`.
#
# A common rule, and regbook's: decay weight matrices, convolution kernels and embeddings; do not decay biases and
# normalization parameters. regbook implements it in
# `decay_parameters` and builds the two optimizer groups with `param_groups`:

# %%
regbook.show_source(pt_penalties.param_groups)
regbook.show_source(pt_penalties.decay_parameters)

# %% [markdown]
# On a network with batch normalization, the split and the scale invariance:

# %%
def bn_mlp(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 10))


net = bn_mlp(0)
decay, no_decay = pt_penalties.decay_parameters(net)
names = {id(p): n for n, p in net.named_parameters()}
print("decayed:    ", [names[id(p)] for p in decay], sum(p.numel() for p in decay), "numbers")
print("not decayed:", [names[id(p)] for p in no_decay], sum(p.numel() for p in no_decay), "numbers")
default_groups = torch.optim.AdamW(net.parameters()).param_groups
print(f"torch.optim.AdamW(model.parameters()) decays all {len(default_groups[0]['params'])} tensors "
      f"with weight_decay = {default_groups[0]['weight_decay']}")
assert [names[id(p)] for p in decay] == ["0.weight", "3.weight"] and len(no_decay) == 4
glue("ch9_n_decayed", sum(p.numel() for p in decay), display=False)
glue("ch9_n_params", sum(p.numel() for p in net.parameters()), display=False)

# scale invariance of the weights in front of batch norm (training mode: batch statistics)
split = data.load_dataset("digits", seed=0, standardize=False)
Xg = torch.tensor(split.X_train[:128] / 16)
yg = torch.tensor(split.y_train[:128])


def out_and_grad(c):
    model = bn_mlp(0).train()
    with torch.no_grad():
        model[0].weight.mul_(c)
        model[1].eps = 1e-12                                         # so that the invariance is exact up to rounding
    out = model(Xg)
    F.cross_entropy(out, yg).backward()
    return out.detach(), model[0].weight.grad.clone()


(out1, grad1), (out10, grad10) = out_and_grad(1.0), out_and_grad(10.0)
err_out = float(torch.linalg.vector_norm(out10 - out1) / torch.linalg.vector_norm(out1))
err_grad = float(torch.linalg.vector_norm(10 * grad10 - grad1) / torch.linalg.vector_norm(grad1))
print(f"first-layer weights x 10: relative change of the outputs {checks.error_bound(err_out, floor=1e-10)}; "
      f"10 x the new gradient vs the old one: {checks.error_bound(err_grad, floor=1e-10)}")
assert err_out < 1e-10 and err_grad < 1e-10

# %% [markdown]
# The first layer's weights can be multiplied by 10 without changing a single output, and their gradient is
# divided by 10: a penalty on them constrains nothing about the function. Only two of the six tensors
# ({glue:text}`ch9_n_decayed` of the {glue:text}`ch9_n_params` numbers) are decayed by `param_groups`, while
# `torch.optim.AdamW(model.parameters())` decays all six with its default `weight_decay=0.01`.
#
# What decaying $\gamma$ and $\beta$ does in practice, measured: the same network trained on 500 digits
# (full batch, AdamW, learning rate $10^{-2}$, strong decay $\lambda = 0.5$, 150 epochs, three seeds), once
# with `param_groups` and once with every parameter decayed.

# %%
Xd_tr = torch.tensor(split.X_train[:500] / 16)
yd_tr = torch.tensor(split.y_train[:500])
Xd_val, yd_val = torch.tensor(split.X_val / 16), torch.tensor(split.y_val)


def train_bn(seed, decay_all, lam=0.5, epochs=150):
    model = bn_mlp(seed)
    if decay_all:
        groups = [{"params": list(model.parameters()), "weight_decay": lam}]
    else:
        groups = pt_penalties.param_groups(model, lam)
    opt = pt_optim.AdamW(groups, lr=1e-2)
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        F.cross_entropy(model(Xd_tr), yd_tr).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = float((model(Xd_val).argmax(1) == yd_val).double().mean())
    return acc, float(model[1].weight.detach().abs().mean()), float(model[1].bias.detach().abs().mean())


bn_runs = {(mode, s): train_bn(s, mode == "all") for mode in ("weights only", "all") for s in SEEDS}
bn_summary = {}
for mode in ("weights only", "all"):
    acc, gam, bet = np.array([bn_runs[mode, s] for s in SEEDS]).T
    bn_summary[mode] = (acc.mean(), gam.mean(), bet.mean())
    print(f"decay {mode:<13} validation accuracy {acc.mean():.3f} ± {acc.std():.3f}; mean |gamma| {gam.mean():.3f}, "
          f"mean |beta| {bet.mean():.3f}")
assert bn_summary["all"][1] < 0.8 * bn_summary["weights only"][1]
assert abs(bn_summary["all"][0] - bn_summary["weights only"][0]) < 0.02
glue("ch9_bn_gamma_all", round(float(bn_summary["all"][1]), 4), display=False)
glue("ch9_bn_gamma_w", round(float(bn_summary["weights only"][1]), 4), display=False)
glue("ch9_bn_acc_all", round(float(bn_summary["all"][0]), 4), display=False)
glue("ch9_bn_acc_w", round(float(bn_summary["weights only"][0]), 4), display=False)

# %% [markdown]
# Decaying everything shrinks batch norm's scales to a mean $|\gamma|$ of {glue:text}`ch9_bn_gamma_all`
# (against {glue:text}`ch9_bn_gamma_w` when they are left alone); the validation accuracy is
# {glue:text}`ch9_bn_acc_all` against {glue:text}`ch9_bn_acc_w` (less than 0.02 apart, checked). On this small
# problem decaying $\gamma$ and $\beta$ neither helped nor hurt the accuracy: since ReLU is positively
# homogeneous, the next layer's weights can make up for a smaller $\gamma$, so mostly the parameterization
# changed. The case for leaving them alone is the
# argument above (decay that constrains nothing, or fights the normalization), not a large effect on this
# benchmark.
#
# (ch9-pitfalls)=
# ## Pitfalls and corrections
#
# **"With AdamW, L1 and L2 terms can be added to the loss and the optimizer handles them automatically"
# (source 004, Q5: "在使用AdamW优化器时，可以加入L1正则化项和L2正则化项，自动进行正则化处理").** An optimizer
# handles nothing "automatically" about a term in the loss: it receives its gradient like any other. Under
# AdamW, an L2 term in the loss is coupled L2, divided by $\sqrt{\hat v}$ (the parity table above shows that
# Adam with $\frac{\lambda}{2}\lVert w\rVert^2$ in the loss is exactly `Adam(weight_decay=λ)`), stacked on top
# of AdamW's own decoupled decay, so the model gets two different regularizers with two strengths. Use
# AdamW's `weight_decay` (with parameter groups) for L2-type shrinkage; if a sparsity-inducing L1 term is
# wanted, know that Adam's normalized steps make exact zeros unlikely (proximal methods, {doc}`ch03_lasso`,
# produce them).
#
# **"L2 regularization avoids the vanishing-gradient problem" (source 004: "可以避免过拟合，同时避免梯度消失问题",
# repeated throughout its L2 sections).** The opposite tendency is what {eq}`eq-opt-jacobian-bound` shows: shrinking the
# recurrent weights lowers every factor $\lVert W\rVert_2$ of the bound and so makes gradients vanish faster.
# With the linear network of this chapter, decaying $W = 1.02\,Q$ by 10% turns an exploding Jacobian into a
# vanishing one:

# %%
J_before = float(torch.linalg.matrix_norm(state_jacobians(ElmanRNN(1.02, seed=0), x_one, h0)[-1], ord=2))
J_after = float(torch.linalg.matrix_norm(state_jacobians(ElmanRNN(1.02 * 0.9, seed=0), x_one, h0)[-1], ord=2))
print(f"||dh_50/dh_0||: W = 1.02 Q: {J_before:.3f}; after shrinking W by 10%: {J_after:.4f}")
assert J_after < 0.02 < 1 < J_before
glue("ch9_j_after", round(J_after, 4), display=False)

# %% [markdown]
# The Jacobian's norm falls to {glue:text}`ch9_j_after`. Weight decay is a brake on the weights, and the
# vanishing gradient is a problem of weights (or derivatives) that are already too small.
#
# **"L2's drawback: it easily causes severe weight decay and makes the model too simple" (source 004:
# "容易产生严重的权重衰减现象，导致模型复杂度过低").** Weight decay is not a side effect of L2; for SGD it *is*
# L2, the same update {eq}`eq-opt-sgd-decay` (checked above to rounding). A model that is too simple is the
# symptom of a $\lambda$ that is too large, and $\lambda$ is chosen on validation data
# ({doc}`ch05_choosing_lambda`); in the experiment above, AdamW's validation error rises again from
# {glue:text}`ch9_best_val_adamw` at the best $\lambda$ to {glue:text}`ch9_val_adamw_lam100` at $\lambda = 100$.
#
# **Coupled L2 in Adam, copied from SGD code (source 002).** Source 002's example adds
# `lambda_reg * tf.nn.l2_loss(W)` to the loss and trains with `tf.train.AdamOptimizer()`. That is Adam + L2:
# the penalty's effect on each weight depends on its gradient statistics {eq}`eq-opt-adam-l2`. If weight decay
# is what is meant, use a decoupled optimizer (`torch.optim.AdamW`, Keras `AdamW`).
#
# **Weight decay conventions.** PyTorch multiplies `weight_decay` by the learning rate (in SGD, Adam and
# AdamW); the AdamW paper writes the decay as $\eta_t \lambda w$ with $\eta_t$ a *schedule multiplier*, not the
# learning rate. A value taken from the paper must be divided by the learning rate to be used in PyTorch, and
# a learning-rate schedule in PyTorch also schedules the decay. Halving the learning rate of an AdamW run
# halves its decay.
#
# **Decaying everything by default.** `torch.optim.AdamW(model.parameters())` applies its default
# `weight_decay=0.01` to every bias and normalization parameter (shown above). Use parameter groups.
#
# **Clipping in the wrong place.** Clipping acts on gradients, so it belongs after `loss.backward()` and before
# `optimizer.step()`. With gradient accumulation, clip once after the last micro-batch; with mixed-precision
# loss scaling, unscale the gradients first, or the threshold applies to the scaled values. The threshold is
# in units of the gradient norm, which depends on the loss's scale (a sum instead of a mean multiplies it by
# the batch size); logging the norms before clipping, as the loop above does, is the way to choose it.
#
# **Value clipping as a drop-in for norm clipping.** Clipping by value changes the direction of the update
# (cosine {glue:text}`ch9_cos_value` above) and treats coordinates independently; norm clipping keeps the
# direction. Prefer the norm unless there is a reason.
#
# ## Summary
#
# - Gradients of recurrent (and deep) networks are products of Jacobians {eq}`eq-opt-jacobian-product`, bounded
#   by $\prod \lVert W\rVert \lVert \phi'\rVert$ {eq}`eq-opt-jacobian-bound`; they explode or vanish
#   exponentially in the number of steps. For $W = sQ$ and a linear network, the bound is attained: $s^T$.
# - Clipping by norm {eq}`eq-opt-clip` keeps the direction and caps the step at $\eta c$; clipping by value
#   turns the gradient. Norm clipping kept a linear RNN trainable (validation loss
#   {glue:text}`ch9_rnn_final` after 150 steps) where unclipped SGD produced a non-finite loss within three steps,
#   on every seed. It does not fix
#   vanishing gradients, and it does not move the minimizers: it is step-size control.
# - AdaGrad, RMSProp and Adam divide each coordinate by a running size estimate {eq}`eq-opt-adaptive`.
# - For SGD, weight decay and an L2 penalty coincide (with momentum up to a factor $1-\mu$ for decoupled
#   decay). For Adam they do not: an L2 term is divided by $\sqrt{\hat v_i}$ {eq}`eq-opt-adam-l2`. With
#   features on scales from 0.1 to 10, Adam + L2's decay rates spanned a factor {glue:text}`ch9_rate_spread`,
#   it nearly erased the small-scale features, and its best validation error was
#   {glue:text}`ch9_best_val_adam` against AdamW's {glue:text}`ch9_best_val_adamw`, at a different $\lambda$.
# - Decay weights, not biases or normalization parameters (`param_groups`); weights in front of batch norm
#   are scale-invariant, so decaying them constrains nothing.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 9 <exercises/solutions/a09_optimization>` has coding exercises on this chapter with checks you can run,
# and covers exercise 1 below (clipping by the total norm); download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **Clipping by hand (coding).** Write `my_clip(grads, max_norm)` for a list of NumPy arrays from
#    {eq}`eq-opt-clip` and check it against `regbook.np.clipping.clip_grad_norm` with `checks.assert_close`
#    for $p = 2$, on gradients with total norm above and below the threshold.
# 2. **The tanh network.** Train the chapter's tanh RNN ($W = 1.5\,Q$) on the sum task with and without
#    clipping over five seeds. Does it diverge? Plot the gradient norm per step and explain, using
#    {eq}`eq-opt-jacobian-bound` and the saturation of tanh, what you see.
# 3. **SGDW (coding).** Implement SGD with decoupled weight decay and momentum, and verify with
#    `checks.assert_close(..., rtol=1e-8)` that on the diabetes least-squares problem its limit is the ridge
#    solution for $(1-\mu)\lambda$. What is the corresponding factor with Nesterov momentum?
# 4. **The AdamW fixed point.** For full-batch AdamW on a quadratic, show that at a fixed point
#    $\lambda w_i = -\hat m_i/(\sqrt{\hat v_i}+\epsilon)$. If the gradient of coordinate $i$ settles at a
#    constant nonzero value, what does $\lambda |w_i|$ tend to (take $\epsilon \to 0$)? Run full-batch AdamW
#    on one of the chapter's regression data sets for many steps and plot $\lambda |w_i|$ per coordinate:
#    which coordinates sit at your value, and what happens to the others?
# 5. **Standardize first.** Repeat the experiment of the {ref}`AdamW section <ch9-experiment>` with standardized
#    features. How far apart are the two validation curves now? Relate your answer to {eq}`eq-opt-adam-l2`.
# 6. **Which parameters (coding).** Write a function that lists, for any `nn.Module`, the names of the
#    parameters that `torch.optim.AdamW(model.parameters())` decays but `param_groups` does not; test it on a
#    network with `nn.LayerNorm` and `nn.Embedding`.
#
# ## References
#
# Exploding and vanishing gradients in recurrent networks and norm clipping: {cite}`pascanu2013difficulty`.
# Adaptive methods: AdaGrad {cite}`duchi2011adaptive`, RMSProp {cite}`tieleman2012lecture`, Adam
# {cite}`kingma2015adam`. Decoupled weight decay and AdamW: {cite}`loshchilov2019decoupled`. Weight decay with
# normalization layers: {cite}`vanlaarhoven2017l2`. Background on regularization and optimization in deep
# networks: {cite}`goodfellow2016deep` (chapters 7, 8 and 10). Full entries are in the {doc}`bibliography`.
