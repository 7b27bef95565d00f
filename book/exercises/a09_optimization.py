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
# # Assignment 9: regularization on the optimizer's side
#
# Companion to {doc}`/book/ch09_optimization`, in its notation and torch's conventions. **AdamW** (Loshchilov
# and Hutter) shrinks the weights by $(1 - \eta\lambda)$ *before* the Adam step, with $\lambda$ =
# `weight_decay` multiplied by the learning rate $\eta$, and the moments see the loss gradient only:
#
# $$
# w \leftarrow (1-\eta\lambda)\,w, \quad m_t = \beta_1m_{t-1} + (1-\beta_1)g_t, \quad
# v_t = \beta_2v_{t-1} + (1-\beta_2)g_t^2, \quad
# w \leftarrow w - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}.
# $$
#
# Adam with an **L2 penalty** (`torch.optim.Adam(weight_decay=λ)`) instead adds $\lambda w$ to the gradient
# before the moments ({eq}`eq-opt-adam-l2`). **Clipping by norm** rescales all gradients, seen as one vector,
# by $\min\bigl(1, c/(\lVert g\rVert + 10^{-6})\bigr)$ ({eq}`eq-opt-clip`; the $10^{-6}$ is torch's).
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 9.1 (adamw_step): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 9.1 | `adamw_step` | 3 |
# | 9.2 | `clip_by_total_norm` | 3 |
# | 9.3 | `decay_only` | 2 |
# | 9.4 | written: what L2 becomes inside Adam | – |
# | 9.5 | written: clipping, by norm or by value | – |

# %%
import numpy as np
import torch

import regbook
from regbook import checks
from regbook.np.clipping import clip_grad_norm
from regbook.np.optim import Adam, AdamW

rng = regbook.nbsetup(seed=0)

w_init = rng.standard_normal(6)
grad_seq = [rng.standard_normal(6) * np.array([1e-3, 0.1, 1.0, 10.0, 1.0, 0.01]) for _ in range(8)]
print(len(grad_seq), w_init.shape)

# %% [markdown]
# ## Exercise 9.1: one AdamW step (`adamw_step`, 3 points)
#
# Write `adamw_step(w, g, m, v, t, lr, betas, eps, weight_decay)` performing step number `t` (counted from 1)
# of AdamW as above and returning the new `(w, m, v)` (new arrays; do not rely on in-place updates). The check
# runs eight steps on gradients whose scales span four orders of magnitude and compares every iterate with
# `regbook.np.optim.AdamW` and with `torch.optim.AdamW`.

# %% regbook={"exercise": "9.1", "name": "adamw_step"} tags=["solution"]
def adamw_step(w, g, m, v, t, lr, betas, eps, weight_decay):
    """Step t (from 1) of AdamW with torch's conventions; returns the new (w, m, v), each of w's shape."""
    ### BEGIN SOLUTION
    beta1, beta2 = betas
    w = w * (1.0 - lr * weight_decay)  # decoupled decay, multiplied by the learning rate
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat, v_hat = m / (1.0 - beta1**t), v / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    ### END SOLUTION


# %% regbook={"exercise": "9.1", "points": 3} tags=["check"]
for lr, betas, eps, wd in ((1e-2, (0.9, 0.999), 1e-8, 1e-2), (0.1, (0.8, 0.99), 1e-3, 0.5)):
    w, m, v = w_init.copy(), np.zeros(6), np.zeros(6)
    w_ref = w_init.copy()
    ref = AdamW([w_ref], lr=lr, betas=betas, eps=eps, weight_decay=wd)
    w_t = torch.tensor(w_init, requires_grad=True)
    opt_t = torch.optim.AdamW([w_t], lr=lr, betas=betas, eps=eps, weight_decay=wd)
    for t, g in enumerate(grad_seq, start=1):
        w, m, v = adamw_step(w, g, m, v, t, lr, betas, eps, wd)
        ref.step([g])
        w_t.grad = torch.tensor(g)
        opt_t.step()
        tag = f"(step {t}, lr={lr}, weight_decay={wd})"
        checks.check_close(w, w_ref, rtol=1e-10, name=f"Exercise 9.1 adamw_step vs regbook AdamW {tag}")
        checks.check_close(w, w_t.detach().numpy(), rtol=1e-10, name=f"Exercise 9.1 adamw_step vs torch AdamW {tag}")
print("Exercise 9.1 passed")

# %% [markdown]
# ## Exercise 9.2: clipping by the total norm (`clip_by_total_norm`, 3 points)
#
# Write `clip_by_total_norm(grads, max_norm)` for a list of gradient arrays of any shapes: compute the total
# Euclidean norm $\lVert g\rVert = \bigl(\sum_j\lVert g_j\rVert_2^2\bigr)^{1/2}$ over all of them, scale every
# array by $\min\bigl(1, \text{max\_norm}/(\lVert g\rVert + 10^{-6})\bigr)$, and return `(clipped, total_norm)`:
# the list of clipped arrays and the norm **before** clipping. The check compares with
# `regbook.np.clipping.clip_grad_norm` and `torch.nn.utils.clip_grad_norm_`, below and above the threshold,
# and verifies that clipping keeps the direction of the whole gradient, not of each array separately.

# %% regbook={"exercise": "9.2", "name": "clip_by_total_norm"} tags=["solution"]
def clip_by_total_norm(grads, max_norm):
    """Clip a list of arrays by their total 2-norm; returns (list of clipped arrays, norm before clipping)."""
    ### BEGIN SOLUTION
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    coef = min(1.0, max_norm / (total + 1e-6))
    return [g * coef for g in grads], total
    ### END SOLUTION


# %% regbook={"exercise": "9.2", "points": 3} tags=["check"]
gen = np.random.default_rng(92)
base = [gen.standard_normal((3, 4)), 10.0 * gen.standard_normal(5), gen.standard_normal((2, 2, 2))]
for max_norm in (0.5, 5.0, 1e3):
    grads = [g.copy() for g in base]
    clipped, total = clip_by_total_norm(grads, max_norm)
    ref = [g.copy() for g in base]
    ref_total = clip_grad_norm(ref, max_norm)
    tensors = [torch.tensor(g, requires_grad=True) for g in base]
    for t_, g in zip(tensors, base):
        t_.grad = torch.tensor(g)
    t_total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    checks.check_close(total, ref_total, rtol=1e-12, name=f"Exercise 9.2 clip_by_total_norm total norm (max_norm={max_norm})")
    checks.check_close(total, float(t_total), rtol=1e-12, name=f"Exercise 9.2 clip_by_total_norm total norm vs torch (max_norm={max_norm})")
    checks.check_true(len(clipped) == len(base), name="Exercise 9.2 clip_by_total_norm",
                      expected=f"a list of {len(base)} arrays")
    for j, (c, r, t_) in enumerate(zip(clipped, ref, tensors)):
        checks.check_close(c, r, rtol=1e-12, name=f"Exercise 9.2 clip_by_total_norm array {j} (max_norm={max_norm})")
        checks.check_close(c, t_.grad.numpy(), rtol=1e-12, name=f"Exercise 9.2 clip_by_total_norm array {j} vs torch")
    flat, flat0 = np.concatenate([np.ravel(c) for c in clipped]), np.concatenate([g.ravel() for g in base])
    checks.check_close(flat / np.linalg.norm(flat), flat0 / np.linalg.norm(flat0), rtol=1e-12,
                       name="Exercise 9.2 clip_by_total_norm keeps the direction of the whole gradient")
print("Exercise 9.2 passed")

# %% [markdown]
# ## Exercise 9.3 (experiment): weight decay with a zero loss gradient (`decay_only`, 2 points)
#
# Isolate the regularizer: take a loss whose gradient is always zero, so that only the weight decay acts.
# Write `decay_only(w0, lr, weight_decay, n_steps, decoupled)`, which copies `w0`, runs `n_steps` steps of
# `regbook.np.optim.AdamW` (`decoupled=True`) or `regbook.np.optim.Adam` with the L2 `weight_decay`
# (`decoupled=False`) with zero gradients and default betas and eps, and returns the final weights. The check
# compares with torch, and then tests two claims of the chapter: AdamW shrinks every weight by the same factor
# $(1-\eta\lambda)^n$, while Adam with L2 moves every weight by about $\eta$ per step towards 0 **whatever
# $\lambda$ is** (the normalization by $\sqrt{\hat v}$ divides $\lambda$ out). Then answer in one sentence: which
# weights does Adam + L2 regularize more strongly than AdamW, and which less?

# %% regbook={"exercise": "9.3", "name": "decay_only"} tags=["solution"]
def decay_only(w0, lr, weight_decay, n_steps, decoupled):
    """Weights after n_steps of AdamW (decoupled) or Adam + L2 (not) with zero loss gradients; shape of w0."""
    ### BEGIN SOLUTION
    w = np.array(w0, dtype=float, copy=True)
    cls = AdamW if decoupled else Adam
    opt = cls([w], lr=lr, weight_decay=weight_decay)
    for _ in range(n_steps):
        opt.step([np.zeros_like(w)])
    return w
    ### END SOLUTION


# %% regbook={"exercise": "9.3", "points": 2} tags=["check"]
W0, LR, STEPS = np.array([5.0, 1.0, 0.2, -3.0]), 0.01, 100
final = {}
for decoupled in (True, False):
    for lam in (0.01, 1.0):
        final[decoupled, lam] = decay_only(W0, LR, lam, STEPS, decoupled)
        w_t = torch.tensor(W0, requires_grad=True)
        opt_cls = torch.optim.AdamW if decoupled else torch.optim.Adam
        opt_t = opt_cls([w_t], lr=LR, weight_decay=lam)
        for _ in range(STEPS):
            w_t.grad = torch.zeros(4, dtype=torch.float64)
            opt_t.step()
        checks.check_close(final[decoupled, lam], w_t.detach().numpy(), rtol=1e-9, atol=1e-12,
                           name=f"Exercise 9.3 decay_only vs torch (decoupled={decoupled}, weight_decay={lam})")
    checks.check_close(W0, np.array([5.0, 1.0, 0.2, -3.0]), rtol=0.0, name="Exercise 9.3 decay_only (w0 unchanged)")
for lam in (0.01, 1.0):
    checks.check_close(final[True, lam], W0 * (1 - LR * lam) ** STEPS, rtol=1e-10,
                       name=f"Exercise 9.3 decay_only: AdamW shrinks by (1 - lr wd)^n (weight_decay={lam})")
checks.check_close(final[False, 0.01], final[False, 1.0], rtol=1e-3, atol=1e-6,
                   name="Exercise 9.3 decay_only: Adam + L2 does not depend on weight_decay")
moved = np.abs(W0 - final[False, 1.0])[[0, 3]]  # the two large weights
checks.check_true(bool(np.all((moved > 0.5 * LR * STEPS) & (moved <= LR * STEPS + 1e-9))),
                  name="Exercise 9.3 decay_only", expected=f"Adam + L2 moves large weights by about lr per step, got {moved}")
print("Exercise 9.3 passed")

# %% [markdown]
# ## Exercise 9.4: what L2 becomes inside Adam (written)
#
# (a) Derive the first-order shrinkage {eq}`eq-opt-adam-l2` of one Adam step with an L2 penalty, and compare it
# with AdamW's. (b) Explain the result of exercise 9.3 from the same formula: why does $\lambda$ cancel when the
# loss gradient is zero? (c) For plain SGD (no momentum), show that an L2 penalty $\frac\lambda2\lVert w\rVert^2$
# and decoupled weight decay give the same update, and say which learning-rate convention makes them equal
# ({eq}`eq-opt-sgd-decay`).

# %% [markdown] regbook={"exercise": "9.4"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) With L2, Adam receives $g_t + \lambda w$; ignoring the momentum average and the effect of $\lambda w$ on
# $\hat v_t$, its step is $-\eta(g_t + \lambda w)/(\sqrt{\hat v_t} + \epsilon)$, whose decay part is
# $-\eta\lambda w_i/(\sqrt{\hat v_{t,i}} + \epsilon)$: coordinate by coordinate, the decay is divided by the
# gradient's running RMS. AdamW's decay is $-\eta\lambda w_i$ for every coordinate.
#
# (b) With a zero loss gradient Adam receives only $\lambda w$, so $\hat m \approx \lambda w$ and
# $\sqrt{\hat v} \approx \lambda|w|$ (while $w$ changes slowly compared with its size), and the step is
# $\approx -\eta\,\lambda w/(\lambda|w|) = -\eta\operatorname{sign}(w)$: $\lambda$ cancels, and every weight
# moves by $\eta$ per step, a constant amount instead of a constant fraction.
#
# (c) SGD with L2: $w \leftarrow w - \eta(g + \lambda w) = (1 - \eta\lambda)w - \eta g$; decoupled decay with
# torch's convention (decay multiplied by the learning rate): $w \leftarrow (1-\eta\lambda)w - \eta g$, the same.
# With the paper's convention (shrink by $\lambda'$, not multiplied by $\eta$) they agree for $\lambda' = \eta\lambda$.
# <!-- END SOLUTION -->

# %% [markdown]
# ## Exercise 9.5: clipping, by norm or by value (written)
#
# (a) Show that clipping by the total norm keeps the direction of the gradient and clipping by value does not,
# with a two-dimensional example. (b) Does clipping by norm change the fixed points of gradient descent, i.e.
# the points where the gradient is zero? Does it change where SGD with noisy gradients ends up on average?
# (c) Why does `clip_grad_norm_` return the norm *before* clipping, and what would you log during training?

# %% [markdown] regbook={"exercise": "9.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) Clipping by norm multiplies the whole vector by a positive scalar, so the direction is unchanged. Clamping
# $g = (10, 1)$ to $[-1, 1]$ gives $(1, 1)$: the direction turns from almost along the first axis to the diagonal.
#
# (b) A zero gradient is left at zero by both (the coefficient is at most 1), so the fixed points of full-batch
# gradient descent do not move. With noisy gradients, clipping is a nonlinear map of the noise: the average of
# clipped gradients is not the clipped average gradient, so the stationary distribution and, in general, its mean
# can shift, which is one reason clipping acts as a regularizer and not only as a safeguard.
#
# (c) The norm before clipping is the diagnostic: it shows how often and by how much the threshold is exceeded
# (and a NaN or inf reveals divergence). Log it at every step (or its running maximum), together with the
# fraction of steps that were clipped; after clipping the norm is just $\min(\lVert g\rVert, c)$ and says little.
# <!-- END SOLUTION -->
