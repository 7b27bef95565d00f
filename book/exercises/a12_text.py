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
# # Assignment 12: regularizing text models
#
# Companion to {doc}`/book/ch12_text`, in its notation: documents as binary bags of words, a penalized
# multinomial logistic regression with scikit-learn's objective
# $C\sum_i\ell_i(W, b) + \rho\lVert W\rVert_1 + \frac{1-\rho}{2}\lVert W\rVert_F^2$ ($\lambda = 1/(nC)$ in the book's convention, see {doc}`/book/notation`), embedding dropout,
# which drops whole word *types* and renormalizes the mean by the number of tokens kept, locked ("variational")
# dropout, one mask per sequence and feature shared by every time step, and bits per character,
# $\text{bpc} = \frac{1}{T\ln2}\sum_t -\ln q(x_t\mid x_{<t})$.
#
# **How to work.** Each coding exercise is a function whose body raises
# `NotImplementedError("Exercise 12.1 (locked_dropout): your code here")`. Replace that line with your
# code, run the cell, then run the **check cell** below it: it compares your result with the reference
# implementation in `regbook` or `torch` and either prints `passed` or raises a one-line `CheckError` that says
# what was expected and what came back. Do not edit the check cells; the grader runs them as they are.
# Written answers go in the cells marked **Your answer**; they are not autograded.
#
# | exercise | function | points |
# | --- | --- | --- |
# | 12.1 | `locked_dropout` | 3 |
# | 12.2 | `mean_embedding` | 2 |
# | 12.3 | `bits_per_char` | 1 |
# | 12.4 | `l1_kkt_violations` | 2 |
# | 12.5 | written: which dropout for which model? | – |

# %%
import numpy as np
import torch
import torch.nn.functional as F

import regbook
from regbook import checks
from regbook.np.dropout import dropout_forward
from regbook.np.estimators import LogisticRegression

rng = regbook.nbsetup(seed=0)

# a synthetic bag-of-words problem: 300 documents, 40 words, 3 classes, 5 indicative words per class
N_DOCS, N_WORDS, K = 300, 40, 3
y_docs = rng.integers(0, K, N_DOCS)
word_prob = np.full((K, N_WORDS), 0.1)
for k in range(K):
    word_prob[k, 5 * k:5 * (k + 1)] = 0.6
X_bow = (rng.random((N_DOCS, N_WORDS)) < word_prob[y_docs]).astype(float)  # binary: does the word occur?
print(X_bow.shape, np.bincount(y_docs))

# %% [markdown]
# ## Exercise 12.1: locked dropout (`locked_dropout`, 3 points)
#
# Write `locked_dropout(x, p, rng)` for a batch of sequences `x` of shape (n, T, F) in training mode: draw **one**
# keep pattern per sequence and feature, $m \in \{0,1\}^{n\times1\times F}$ with $P(m = 1) = 1 - p$, and return
# `(out, mask)` with `mask` $= m/(1-p)$ of shape (n, 1, F) and `out = x * mask` (broadcast over time). The check
# verifies the shapes, that a dropped feature is dropped at every time step, the scaling, and the kept fraction
# within four standard errors.

# %% regbook={"exercise": "12.1", "name": "locked_dropout"} tags=["solution"]
def locked_dropout(x, p, rng):
    """Inverted dropout with one mask per sequence and feature, shared over time; x (n, T, F)."""
    ### BEGIN SOLUTION
    mask = (rng.random((x.shape[0], 1, x.shape[2])) >= p) / (1.0 - p)
    return x * mask, mask
    ### END SOLUTION


# %% regbook={"exercise": "12.1", "points": 3} tags=["check"]
gen = np.random.default_rng(121)
seq = gen.uniform(0.5, 1.5, size=(64, 20, 50))
for p in (0.1, 0.4):
    out, mask = locked_dropout(seq, p, np.random.default_rng(7))
    checks.check_shape(mask, (64, 1, 50), name=f"Exercise 12.1 locked_dropout mask (p={p})")
    checks.check_shape(out, seq.shape, name=f"Exercise 12.1 locked_dropout out (p={p})")
    ratio = np.asarray(out) / seq                                    # (n, T, F): 0 or 1/(1-p)
    checks.check_close(ratio, np.broadcast_to(ratio[:, :1, :], ratio.shape), rtol=1e-12, atol=1e-15,
                       name=f"Exercise 12.1 locked_dropout: the same mask at every time step (p={p})")
    values = np.unique(np.round(ratio, 12))
    checks.check_close(values, [0.0, round(1 / (1 - p), 12)], rtol=1e-10,
                       name=f"Exercise 12.1 locked_dropout scaled mask values (p={p})")
    kept = float((ratio[:, 0, :] > 0).mean())
    checks.check_statistic(kept, 1 - p, se=np.sqrt(p * (1 - p) / (64 * 50)),
                           name=f"Exercise 12.1 locked_dropout kept fraction (p={p})")
# against independent masks: the time-averaged output of a sequence varies much more when the mask is shared
ones = np.ones((2000, 30, 1))
shared = np.asarray(locked_dropout(ones, 0.5, np.random.default_rng(8))[0]).mean(axis=1).ravel()
fresh = dropout_forward(ones, p=0.5, training=True, rng=9)[0].mean(axis=1).ravel()
checks.check_true(bool(shared.var() > 10 * fresh.var()), name="Exercise 12.1 locked_dropout",
                  expected="a time-averaged output far more variable than with a fresh mask at every step")
print("Exercise 12.1 passed")

# %% [markdown]
# ## Exercise 12.2: mean of embeddings with word-type dropout (`mean_embedding`, 2 points)
#
# Write `mean_embedding(E, ids, keep_types)`: `E` (V, d) is the embedding table, `ids` (n, L) the token ids of $n$
# documents padded with id 0, and `keep_types` (V,) the 0/1 mask of the word types kept at this step. Return
# $h(d) = \sum_s m_{t_s}e_{t_s} / \max(1, \sum_s m_{t_s})$ over the non-padding tokens $t_s$ of each document
# ({eq}`eq-ch12-embdrop`), shape (n, d); a document whose words are all dropped gets the zero vector. With every type
# kept it is the plain mean (evaluation mode). The check compares with the chapter's formula written in torch.

# %% regbook={"exercise": "12.2", "name": "mean_embedding"} tags=["solution"]
def mean_embedding(E, ids, keep_types):
    """Mean (n, d) of the kept, non-padding word embeddings of each document (0 if none is kept)."""
    ### BEGIN SOLUTION
    keep = (ids > 0) * keep_types[ids]                    # (n, L)
    total = (E[ids] * keep[..., None]).sum(axis=1)        # (n, d)
    return total / np.maximum(1.0, keep.sum(axis=1))[:, None]
    ### END SOLUTION


# %% regbook={"exercise": "12.2", "points": 2} tags=["check"]
gen = np.random.default_rng(122)
V_EMB, DIM = 30, 4
table = gen.standard_normal((V_EMB, DIM))
docs = gen.integers(1, V_EMB, size=(6, 8))
docs[0, 5:] = 0                                           # padding
docs[1] = [3, 3, 3, 0, 0, 0, 0, 0]                        # one word type, repeated
keep_types = (gen.random(V_EMB) >= 0.3).astype(float)
keep_types[3] = 0.0                                       # ... and dropped: document 1 becomes empty
for kt, tag in ((keep_types, "training"), (np.ones(V_EMB), "evaluation")):
    got = mean_embedding(table, docs, kt)
    t_ids = torch.tensor(docs)
    keep = (t_ids > 0).double() * torch.tensor(kt)[t_ids]
    ref = (torch.tensor(table)[t_ids] * keep[..., None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1)
    checks.check_close(got, ref.numpy(), rtol=1e-12, atol=1e-15, name=f"Exercise 12.2 mean_embedding ({tag})")
checks.check_close(mean_embedding(table, docs, keep_types)[1], np.zeros(DIM), rtol=0.0,
                   name="Exercise 12.2 mean_embedding (a document whose only word is dropped)")
print("Exercise 12.2 passed")

# %% [markdown]
# ## Exercise 12.3: bits per character (`bits_per_char`, 1 point)
#
# Return the bits per character ({eq}`eq-ch12-bpc`) of next-symbol logits (T, V) against the true symbols (T,), as a
# float, computed stably (log-sum-exp). The check compares with `torch.nn.functional.cross_entropy` divided by
# $\ln 2$, and checks that a uniform model scores exactly $\log_2 V$.

# %% regbook={"exercise": "12.3", "name": "bits_per_char"} tags=["solution"]
def bits_per_char(logits, targets):
    """Mean negative log2-probability of the targets (T,) under softmax(logits (T, V)); a float."""
    ### BEGIN SOLUTION
    z = logits - logits.max(axis=1, keepdims=True)
    log_q = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_q[np.arange(len(targets)), targets].mean() / np.log(2))
    ### END SOLUTION


# %% regbook={"exercise": "12.3", "points": 1} tags=["check"]
gen = np.random.default_rng(123)
for scale in (1.0, 500.0):
    lg, tg = gen.standard_normal((50, 27)) * scale, gen.integers(0, 27, 50)
    ref = F.cross_entropy(torch.tensor(lg), torch.tensor(tg)).item() / np.log(2)
    checks.check_close(bits_per_char(lg, tg), ref, rtol=1e-10, name=f"Exercise 12.3 bits_per_char (logits x{scale:g})")
checks.check_close(bits_per_char(np.zeros((10, 27)), np.arange(10)), np.log2(27), rtol=1e-12,
                   name="Exercise 12.3 bits_per_char (uniform model = log2 V)")
print("Exercise 12.3 passed")

# %% [markdown]
# ## Exercise 12.4 (experiment): why L1 switches words off (`l1_kkt_violations`, 2 points)
#
# For the L1-penalized model ($\rho = 1$), a weight is zero at the optimum exactly when
# $C\,\bigl|\sum_i(P_{ik} - Y_{ik})X_{ij}\bigr| \le 1$, and a non-zero weight satisfies
# $C\sum_i(P_{ik} - Y_{ik})X_{ij} = -\operatorname{sign}(W_{kj})$ ({eq}`eq-ch12-l1-kkt`), with $P$ the softmax
# probabilities and $Y$ the one-hot labels. Write `l1_kkt_violations(coef, intercept, C, X, y)` returning two floats:
# $\max_{W_{kj} = 0} C|G_{kj}| - 1$ and $\max_{W_{kj} \ne 0}|C G_{kj} + \operatorname{sign}W_{kj}|$, with
# $G = (P - Y)^\top X$. The check fits regbook's `LogisticRegression(C=0.5, l1_ratio=1.0)` to the synthetic bag of
# words: at the fitted weights both violations are at most $10^{-3}$; at the weights of the L2 model (which are
# all non-zero) the conditions fail. Then answer in a sentence: which words does the L1 model keep, and why do
# the other words, which occur in 10 % of every class's documents, get exactly zero weight?

# %% regbook={"exercise": "12.4", "name": "l1_kkt_violations"} tags=["solution"]
def l1_kkt_violations(coef, intercept, C, X, y):
    """(max over zero weights of C|G| - 1, max over non-zero weights of |C G + sign W|) for L1 logistic regression."""
    ### BEGIN SOLUTION
    Z = X @ coef.T + intercept
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    G = C * (P - np.eye(coef.shape[0])[y]).T @ X
    zero = coef == 0
    v_zero = float(np.max(np.abs(G[zero])) - 1) if zero.any() else -np.inf
    v_nonzero = float(np.max(np.abs(G[~zero] + np.sign(coef[~zero])))) if (~zero).any() else 0.0
    return v_zero, v_nonzero
    ### END SOLUTION


# %% regbook={"exercise": "12.4", "points": 2} tags=["check"]
l1 = LogisticRegression(C=0.5, l1_ratio=1.0, tol=1e-8, max_iter=20_000).fit(X_bow, y_docs)
v_zero, v_nonzero = l1_kkt_violations(l1.coef_, l1.intercept_, 0.5, X_bow, y_docs)
checks.check_true(bool(v_zero <= 1e-3 and v_nonzero <= 1e-3), name="Exercise 12.4 l1_kkt_violations",
                  expected=f"both violations <= 1e-3 at the L1 solution, got {v_zero:.3g} and {v_nonzero:.3g}")
l2 = LogisticRegression(C=0.5, l1_ratio=0.0, tol=1e-8, max_iter=20_000).fit(X_bow, y_docs)
_, v_l2 = l1_kkt_violations(l2.coef_, l2.intercept_, 0.5, X_bow, y_docs)
checks.check_true(bool(v_l2 > 0.1), name="Exercise 12.4 l1_kkt_violations",
                  expected=f"a violation above 0.1 at the L2 solution, got {v_l2:.3g}")
Z = X_bow @ l1.coef_.T + l1.intercept_
P = np.exp(Z - Z.max(axis=1, keepdims=True))
P /= P.sum(axis=1, keepdims=True)
G = 0.5 * (P - np.eye(K)[y_docs]).T @ X_bow
checks.check_close(v_zero, np.max(np.abs(G[l1.coef_ == 0])) - 1, rtol=1e-8,
                   name="Exercise 12.4 l1_kkt_violations (zero weights)")
print(f"Exercise 12.4 passed; the L1 model uses {int(np.sum(np.any(l1.coef_ != 0, axis=0)))} of {N_WORDS} words")

# %% [markdown]
# ## Exercise 12.5: which dropout for which model? (written)
#
# (a) Why does embedding dropout renormalize by the number of kept tokens instead of multiplying by $1/(1-p)$? What
# would go wrong with $1/(1-p)$ for a short document? (b) In a recurrent network, why is a fresh dropout mask at
# every time step on the *recurrent* connection harmful, and what does locked dropout change? (c) Why does an L1
# penalty suit a bag of words with many rare words better than an L2 penalty, and what is the price?

# %% [markdown] regbook={"exercise": "12.5"} tags=["solution"]
# <!-- BEGIN SOLUTION -->
# (a) With mean pooling, the output should stay a mean of embeddings, whatever the number of words kept. Dividing the
# kept sum by the number of kept tokens does exactly that (an unbiased-looking scale is not needed, because the
# mean of the kept embeddings is already on the right scale). With $1/(1-p)$ the pooled vector of a short document
# fluctuates wildly: with 3 tokens and $p = 0.5$ it is $0$, $\frac23$, $\frac43$ or $2$ times a mean, and the next
# layer sees inputs whose norm depends on the luck of the draw rather than on the document.
#
# (b) The hidden state is carried through all $T$ steps; a fresh mask at every step multiplies it by an independent
# random factor each time, so the noise accumulates over the sequence and destroys long-range information (the
# model cannot learn to carry anything). Locked dropout uses the same mask at every step: the network is, for the
# whole sequence, a thinned network with some features removed, as Gal and Ghahramani's variational interpretation
# requires, and information in the kept features flows undisturbed.
#
# (c) Most rare words carry no reliable evidence; L1 sets their weights to exactly zero (a word enters only if its
# correlation with a class's residuals beats the threshold $1/C$), which gives a small, interpretable model and
# removes the noise of thousands of tiny weights. L2 keeps every word with a small weight. The price: among
# correlated words (synonyms, words that co-occur) L1 picks one somewhat arbitrarily, the selected set is unstable
# across resamples, and the kept weights are biased towards zero.
# <!-- END SOLUTION -->
