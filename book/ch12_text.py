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
# (ch-text)=
# # Application: regularization for text
#
# Every source lists natural language processing (自然语言处理) among the places where regularization
# (正则化) "prevents overfitting"; none shows it. Text makes the case well: a document is a point in a space
# with one dimension per word, most of them never seen more than a few times, so a model can always find a
# word that separates the training documents, and sequences add a second source of variance, the long chains
# of a recurrent network. This chapter runs three small, honest experiments on text that ships with Python
# itself, so nothing is downloaded:
#
# 1. **Sparse linear models.** A bag-of-words (词袋) logistic regression with an L2 or an L1 penalty, the
#    penalty chosen by cross-validation; L1 also selects the words that matter ({doc}`ch02_ridge`,
#    {doc}`ch03_lasso`).
# 2. **A neural text classifier.** A mean-of-embeddings network (词嵌入, word embeddings) trained with the
#    book's loop `regbook.pt.train`, with dropout of whole word types from the embedding table, decoupled
#    weight decay (`regbook.pt.AdamW`), and both.
# 3. **A character-level language model** (语言模型): a one-layer LSTM on the same text, with variational
#    ("locked") dropout on its inputs and outputs {cite}`gal2016theoretically`, weight decay, gradient
#    clipping (梯度裁剪) {cite}`pascanu2013difficulty`, and all three, evaluated in bits per character on
#    modules it has never seen.
#
# The two neural comparisons are repeated over three seeds (mean ± standard deviation). The settings of Parts 1
# and 2 are chosen on held-out data (cross-validation, a validation set); those of Part 3 are fixed in advance.
# Test numbers are read once, at the end.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import Markdown, display
from myst_nb import glue
from sklearn.feature_extraction.text import CountVectorizer
from torch import nn

import regbook
from regbook import checks, data, text
from regbook.np.cross_validation import cross_val_grid
from regbook.np.estimators import LogisticRegression
from regbook.np.model_selection import one_se_rule
from regbook.pt import AdamW, GradientClipping, train
from regbook.pt.training import accuracy

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## The corpus: the standard library's docstrings
#
# `regbook.text.load_docstrings` collects the docstring of every public function, class and method defined in
# a fixed, sorted list of standard-library modules, and labels it with the **family** of its module: files and
# compression (`pathlib`, `zipfile`, `gzip`...), text processing (`textwrap`, `difflib`, `re`...), numbers
# and dates (`statistics`, `fractions`, `math`...), data formats (`json`, `xml.etree`, `email`...),
# concurrency (`threading`, `asyncio`...), networking (`http`, `urllib.parse`, `smtplib`...) and development
# tools (`unittest`, `inspect`, `typing`, `logging`...); the full mapping is `regbook.text.FAMILIES`.
# Docstrings shorter than 80 characters are dropped, and so are exact duplicates. Modules whose contents
# depend on the operating system (`os`, `socket`, `ssl`, `selectors`, `tempfile`, `urllib.request`,
# `multiprocessing`...) are left out, so that the corpus is the same on every machine with the book's
# Python 3.11; its fingerprint below is a hash of all the texts.

# %%
corpus = text.load_docstrings()
families = corpus.label_names
counts = np.bincount(corpus.labels)
print(f"{len(corpus.texts)} docstrings, {sum(map(len, corpus.texts)):,} characters, "
      f"fingerprint {text.fingerprint(corpus.texts)}")
for name, n in zip(families, counts):
    print(f"  {name:12s} {n:4d}  e.g. {corpus.names[int(np.flatnonzero(corpus.labels == families.index(name))[0])]}")
glue("ch12_n_docs", len(corpus.texts), display=False)
glue("ch12_n_families", len(families), display=False)

# %% [markdown]
# The {glue:text}`ch12_n_docs` docstrings fall into {glue:text}`ch12_n_families` families of unequal size. We
# split them once, stratified by family, into 60 % training, 20 % validation and 20 % test documents; Parts 1
# and 2 use this split (Part 3 splits by module). A word is a run of two or more letters, digits or
# underscores, lower-cased: scikit-learn's default, so that our counts can be checked against its
# `CountVectorizer`.

# %%
regbook.show_source(text.tokenize)
print(text.tokenize(corpus.texts[0])[:12])

# %%
doc_index = np.arange(len(corpus.texts), dtype=float).reshape(-1, 1)
split = data.train_val_test_split(doc_index, corpus.labels, val_size=0.2, test_size=0.2, rng=0, stratify=True)
idx_train, idx_val, idx_test = (s[:, 0].astype(int) for s in (split.X_train, split.X_val, split.X_test))
tokens = [text.tokenize(t) for t in corpus.texts]
y_train, y_val, y_test = corpus.labels[idx_train], corpus.labels[idx_val], corpus.labels[idx_test]
print(f"documents: {idx_train.size} training, {idx_val.size} validation, {idx_test.size} test")

# %% [markdown]
# ## Part 1: bag of words and penalized logistic regression
#
# ### Features
#
# Part 1 tunes by cross-validation, so its training set is the training and validation documents together.
# A `Vocabulary` keeps the words that occur at least three times in these documents, the 600 most
# frequent of them, plus two special tokens: `<pad>` (id 0, used later to pad sequences) and `<unk>` (id 1,
# every other word). A document $d_i$ becomes the row
#
# $$
# X_{ij} = \#\{t \in \operatorname{tokens}(d_i) : \operatorname{id}(t) = j\}, \qquad
# X^{\text{bin}}_{ij} = \min(X_{ij}, 1),
# $$ (eq-ch12-bow)
#
# and we use the binary version (does the word occur?), which keeps long docstrings from dominating.

# %%
regbook.show_source(text.bag_of_words)

# %% [markdown]
# The vocabulary is fitted on Part 1's training set only: words that appear only in test documents must not
# leak into the features. (It is fitted once, before the cross-validation folds are drawn; this is harmless
# because the vocabulary is chosen by word counts alone, without the labels.) We check both forms of
# {eq}`eq-ch12-bow` against scikit-learn's `CountVectorizer` given the same vocabulary (column 1, the `<unk>`
# count, has no counterpart there).

# %%
train_val = np.concatenate([idx_train, idx_val])        # part 1 tunes by cross-validation on these
vocab_bow = text.Vocabulary(min_count=3, max_size=602).fit([tokens[i] for i in train_val])
texts_of = lambda idx: [corpus.texts[i] for i in idx]   # noqa: E731
X_tv = text.bag_of_words(texts_of(train_val), vocab_bow, binary=True)     # (n_docs, 602)
X_te = text.bag_of_words(texts_of(idx_test), vocab_bow, binary=True)
y_tv = corpus.labels[train_val]
sk = CountVectorizer(token_pattern=text.TOKEN_PATTERN, binary=True,
                     vocabulary={t: j for j, t in enumerate(vocab_bow.tokens_[2:])})
sk_counts = CountVectorizer(token_pattern=text.TOKEN_PATTERN, vocabulary=sk.vocabulary)
X_counts = text.bag_of_words(texts_of(train_val), vocab_bow)                   # counts X_ij
bow_diff = np.abs(sk.fit_transform(texts_of(train_val)).toarray() - X_tv[:, 2:]).max()
count_diff = np.abs(sk_counts.fit_transform(texts_of(train_val)).toarray() - X_counts[:, 2:]).max()
print(f"X: {X_tv.shape[0]} documents x {X_tv.shape[1]} columns, {X_tv.mean():.1%} non-zero; "
      f"max |regbook - CountVectorizer|: counts {count_diff:.0f}, binary {bow_diff:.0f}")
assert bow_diff == 0 and count_diff == 0 and np.array_equal(X_tv, np.minimum(X_counts, 1))
glue("ch12_bow_p", X_tv.shape[1], display=False)
glue("ch12_bow_n", X_tv.shape[0], display=False)

# %% [markdown]
# ### The objective, and why L1 selects words
#
# regbook's `LogisticRegression` minimizes scikit-learn's objective ({doc}`ch03_lasso` has the binary case):
# with $K$ classes, weights $W \in \mathbb R^{K\times p}$ and the softmax cross-entropy $\ell_i$,
#
# $$
# \min_{W, b}\ C \sum_{i=1}^n \ell_i(W, b) + \rho \lVert W \rVert_1 + \frac{1 - \rho}{2} \lVert W \rVert_F^2 ,
# $$ (eq-ch12-logreg)
#
# so $C$ is an inverse penalty strength: divided by $nC$, {eq}`eq-ch12-logreg` is the book's mean-loss form
# with $\lambda = 1/(nC)$ (the {doc}`notation` page converts every convention). $\rho = 0$ is the L2 (ridge)
# penalty, $\rho = 1$ the L1 (lasso) penalty. For $\rho = 1$ the optimality condition of a weight that is exactly zero is
#
# $$
# W_{kj} = 0 \iff C\,\Bigl|\sum_{i=1}^n (P_{ik} - Y_{ik}) X_{ij}\Bigr| \le 1 ,
# $$ (eq-ch12-l1-kkt)
#
# with $P$ the predicted probabilities and $Y$ the one-hot labels: a word keeps weight zero for a class unless
# the correlation of its column with that class's residuals is large enough to pay the price $1$ per unit of
# weight. Rare words have small columns, so most of them are switched off. Without a penalty the problem can
# be ill posed: with {glue:text}`ch12_bow_p` columns for {glue:text}`ch12_bow_n` documents the training
# documents may be linearly separable, and then the loss keeps decreasing as the weights grow without bound.
# The penalty keeps the weights finite.
#
# We choose $C$ by 3-fold cross-validation (error rate) on the training and validation documents, for the L2
# and the L1 penalty, over the same grid; the largest value, $C = 30$, is the nearly unregularized end. We
# apply the one-standard-error rule of {doc}`ch05_choosing_lambda`: the strongest penalty (smallest $C$) whose
# CV error is within one standard error of the minimum. The
# cross-validation fits stop at a loose tolerance (`tol=1e-4`) to save time; the final models are refitted
# on all {glue:text}`ch12_bow_n` documents with `tol=1e-6`.

# %%
C_GRID = np.array([0.1, 0.3, 1.0, 3.0, 10.0, 30.0])
cv = {}
for penalty, l1_ratio in (("L2", 0.0), ("L1", 1.0)):
    est = LogisticRegression(l1_ratio=l1_ratio, tol=1e-4, max_iter=3000)
    cv[penalty] = cross_val_grid(est, X_tv, y_tv, param_name="C", values=C_GRID, k=3, rng=0,
                                 scoring="error_rate", n_jobs=1)
    print(f"{penalty}: CV error " + "  ".join(f"C={c:g}: {e:.3f}" for c, e in zip(C_GRID, cv[penalty].mean)))
chosen = {p: one_se_rule(C_GRID, cv[p].mean, cv[p].se, prefer="smallest") for p in cv}
for p in cv:
    print(f"{p}: minimum at C = {cv[p].best_value:g}; one-SE rule -> C = {C_GRID[chosen[p]]:g}")

# %%
models = {p: LogisticRegression(C=C_GRID[chosen[p]], l1_ratio=r, tol=1e-6, max_iter=20_000).fit(X_tv, y_tv)
          for p, r in (("L2", 0.0), ("L1", 1.0))}
acc_lr = {p: float((m.predict(X_te) == y_test).mean()) for p, m in models.items()}
nnz = {p: float((m.coef_ != 0).mean()) for p, m in models.items()}
words_used = int((models["L1"].coef_ != 0).any(axis=0).sum())
for p, m in models.items():
    print(f"{p}: C = {m.C:g}, test accuracy {acc_lr[p]:.3f}, non-zero weights {nnz[p]:.1%}")
print(f"L1 uses {words_used} of {X_tv.shape[1]} columns for at least one family")

# %% [markdown]
# We check the optimality condition {eq}`eq-ch12-l1-kkt` on the fitted L1 model: every zero weight must have
# $C|\text{gradient}| \le 1$ (up to the solver's tolerance), and every non-zero weight $C \cdot$ gradient
# $= -\operatorname{sign}(W_{kj})$.

# %%
m1 = models["L1"]
P = m1.predict_proba(X_tv)                                  # (n, K)
Y = np.eye(len(families))[y_tv]
G = m1.C * (P - Y).T @ X_tv                                 # (K, p): C * gradient of the loss
zero = m1.coef_ == 0
viol_zero = float(np.max(np.abs(G[zero])) - 1)
viol_nonzero = float(np.max(np.abs(G[~zero] + np.sign(m1.coef_[~zero]))))
print(f"zero weights: max C|grad| - 1 = {viol_zero:.4f}; non-zero weights: max |C grad + sign(w)| = "
      f"{viol_nonzero:.4f}")
assert viol_zero < 0.05 and viol_nonzero < 0.05

# %% [markdown]
# The objective {eq}`eq-ch12-logreg` itself, with its sum over documents, its factor $\frac12$ and its
# unpenalized intercept, is checked on the fitted L2 model ($\rho = 0$): its gradient
# $C\,(P - Y)^\top X + W$ must vanish, and so must the intercept's gradient $C \sum_i (P_{ik} - Y_{ik})$.

# %%
m2 = models["L2"]
P2 = m2.predict_proba(X_tv)
grad_W = m2.C * (P2 - Y).T @ X_tv + m2.coef_                  # (K, p)
grad_b = m2.C * (P2 - Y).sum(axis=0)                          # (K,)
print(f"L2 model: max |gradient| for W {checks.error_bound(np.abs(grad_W).max(), floor=1e-2)}, "
      f"for b {checks.error_bound(np.abs(grad_b).max(), floor=1e-2)}")
assert np.abs(grad_W).max() < 0.01 and np.abs(grad_b).max() < 0.01

# %% [markdown]
# ### The words that identify a family
#
# Under L1 each family keeps a short list of positive weights. The five largest per family form a readable
# summary of the corpus:

# %%
rows = ["| family | non-zero words | strongest words (largest positive weights) |", "| --- | --- | --- |"]
for k, fam in enumerate(families):
    w = m1.coef_[k]
    top = [j for j in np.argsort(-w, kind="stable")[:5] if w[j] > 0]
    rows.append(f"| {fam} | {int((w != 0).sum())} | {', '.join(vocab_bow.tokens_[j] for j in top)} |")
display(Markdown("\n".join(rows)))

# %%
glue("ch12_l2_C", float(models["L2"].C), display=False)
glue("ch12_l1_C", float(models["L1"].C), display=False)
glue("ch12_l2_acc", round(acc_lr["L2"], 4), display=False)
glue("ch12_l1_acc", round(acc_lr["L1"], 4), display=False)
glue("ch12_l2_cv_weak", round(float(cv["L2"].mean[-1]), 4), display=False)
glue("ch12_l1_cv_weak", round(float(cv["L1"].mean[-1]), 4), display=False)
glue("ch12_l2_cv_best", round(float(cv["L2"].mean[chosen["L2"]]), 4), display=False)
glue("ch12_l1_cv_best", round(float(cv["L1"].mean[chosen["L1"]]), 4), display=False)
glue("ch12_l1_cv_strong", round(float(cv["L1"].mean[0]), 4), display=False)
glue("ch12_l1_nnz", round(100 * nnz["L1"], 1), display=False)
glue("ch12_l1_words", words_used, display=False)
assert nnz["L1"] < 0.2 and nnz["L2"] > 0.99
assert cv["L1"].mean[0] > cv["L1"].mean[chosen["L1"]] + 0.1              # too strong an L1 penalty hurts
assert cv["L2"].mean[-1] - cv["L2"].mean.min() < 0.02                     # the weak end is almost as good
assert cv["L1"].mean[-1] - cv["L1"].mean.min() < 0.02
assert abs(acc_lr["L1"] - acc_lr["L2"]) < 0.03                             # as accurate (210 test documents)
assert all((cv[q].mean - cv[q].mean.min() < 0.02).sum() >= 4 for q in cv)   # flat over most of the grid

# %% [markdown]
# The rule chose $C =$ {glue:text}`ch12_l2_C` for L2 (CV error {glue:text}`ch12_l2_cv_best`) and
# $C =$ {glue:text}`ch12_l1_C` for L1 (CV error {glue:text}`ch12_l1_cv_best`). On the test documents the two
# reach accuracies of {glue:text}`ch12_l2_acc` and {glue:text}`ch12_l1_acc`, but the L1 model does it with
# {glue:text}`ch12_l1_nnz` % of its weights non-zero and {glue:text}`ch12_l1_words` words used at all: a
# classifier one can read. Too strong an L1 penalty is costly (CV error {glue:text}`ch12_l1_cv_strong` at
# $C = 0.1$), but over most of the grid the CV error moves by less than two points, and the weak end is
# within two points of the best for both penalties (L2: {glue:text}`ch12_l2_cv_weak` at $C = 30$, L1:
# {glue:text}`ch12_l1_cv_weak`). With binary features and {glue:text}`ch12_bow_p` columns for
# {glue:text}`ch12_bow_n` documents, the linear model is not where this corpus overfits most.
#
# ## Part 2: a neural bag of embeddings
#
# ### The model and embedding dropout
#
# Each word id $t$ gets a learned vector $e_t \in \mathbb R^{32}$; a document is the mean of the vectors of its
# first 64 tokens, followed by one linear layer to the {glue:text}`ch12_n_families` families (a "neural bag of words",
# {cite}`iyyer2015deep,joulin2017bag`). It has {glue:text}`ch12_clf_params` parameters for
# {glue:text}`ch12_clf_ntrain` training documents, and will memorize them.
#
# **Embedding dropout** removes whole *word types* instead of single units: at every training step a mask
# $m_t \sim \operatorname{Bernoulli}(1 - p)$ is drawn for every row $t$ of the embedding table, and every
# occurrence of a dropped word disappears from every document of the batch
# {cite}`gal2016theoretically,merity2018regularizing`. With mean pooling the natural form renormalizes by the
# number of tokens kept, so no $1/(1-p)$ factor is needed:
#
# $$
# h(d) = \frac{\sum_{s} m_{t_s}\, e_{t_s}}{\max\bigl(1, \sum_s m_{t_s}\bigr)} \quad \text{(training)},
# \qquad h(d) = \frac1{|d|}\sum_s e_{t_s} \quad \text{(evaluation)} .
# $$ (eq-ch12-embdrop)
#
# A document that repeats an informative word ten times loses all ten occurrences at once, so the network
# cannot rely on any single word: the text analogue of dropping a unit ({doc}`ch06_dropout`). Dropping
# single *occurrences* ("word dropout" {cite}`iyyer2015deep`) is the other common variant.

# %%
class MeanEmbedding(nn.Module):
    """Mean of word embeddings -> linear layer; word types dropped with probability p in training."""

    def __init__(self, n_vocab, n_classes, *, dim=32, p=0.0):
        super().__init__()
        self.emb = nn.Embedding(n_vocab, dim, padding_idx=0)
        self.out = nn.Linear(dim, n_classes)
        self.p = p

    def forward(self, ids):                                   # ids: (n, L), 0 = <pad>
        keep = (ids > 0).float()                              # (n, L)
        if self.training and self.p > 0:
            type_kept = (torch.rand(self.emb.num_embeddings) >= self.p).float()   # one draw per word type
            keep = keep * type_kept[ids]                                         # (n, L)
        h = (self.emb(ids) * keep[..., None]).sum(1) / keep.sum(1, keepdim=True).clamp(min=1)   # (n, dim)
        return self.out(h)


vocab_emb = text.Vocabulary(min_count=2).fit([tokens[i] for i in idx_train])
encode = lambda idx: torch.tensor(vocab_emb.encode_batch([tokens[i] for i in idx], max_len=64))  # noqa: E731
D_train = (encode(idx_train), torch.tensor(y_train))
D_val = (encode(idx_val), torch.tensor(y_val))
D_test = (encode(idx_test), torch.tensor(y_test))
n_params = sum(p.numel() for p in MeanEmbedding(len(vocab_emb), len(families)).parameters())
print(f"vocabulary {len(vocab_emb)} words (min count 2 in training), {n_params:,} parameters")
glue("ch12_clf_params", n_params, display=False)
glue("ch12_clf_ntrain", int(idx_train.size), display=False)

# %% [markdown]
# We check {eq}`eq-ch12-embdrop` on 50 training documents with $p = 0.5$: the model's output in training mode
# equals the formula evaluated in NumPy with the model's own draw of $m$ (one per word type, so all occurrences
# of a word are kept or dropped together), the fraction of word types dropped is close to $p$, and in evaluation
# mode the output is the plain mean.

# %%
demo = MeanEmbedding(len(vocab_emb), len(families), p=0.5)
demo_ids = D_train[0][:50]                                     # (50, 64)
torch.manual_seed(0)
out_train = demo.train()(demo_ids).detach().numpy()
torch.manual_seed(0)
m_type = (torch.rand(len(vocab_emb)) >= 0.5).numpy()           # the same draw as inside forward
E, ids_np = demo.emb.weight.detach().numpy(), demo_ids.numpy()
W_out, b_out = demo.out.weight.detach().numpy(), demo.out.bias.detach().numpy()
kept = (ids_np > 0) & m_type[ids_np]                           # (50, 64): m_{t_s}, padding excluded
h_train = (E[ids_np] * kept[..., None]).sum(1) / np.maximum(1, kept.sum(1, keepdims=True))
h_eval = (E[ids_np] * (ids_np > 0)[..., None]).sum(1) / (ids_np > 0).sum(1, keepdims=True)
with torch.no_grad():
    out_eval = demo.eval()(demo_ids).numpy()
err_emb = max(np.abs(out_train - (h_train @ W_out.T + b_out)).max(),
              np.abs(out_eval - (h_eval @ W_out.T + b_out)).max())
frac_dropped = 1 - m_type[2:].mean()
print(f"model vs formula (training and evaluation mode): max |difference| {checks.error_bound(err_emb, floor=1e-5)}; "
      f"fraction of word types dropped {frac_dropped:.3f} (p = 0.5)")
assert err_emb < 1e-5 and abs(frac_dropped - 0.5) < 0.03

# %% [markdown]
# ### Training, and choosing the settings on validation data
#
# Full-batch AdamW (learning rate 0.03, 80 epochs) with `regbook.pt.train`; weight decay is
# decoupled ({doc}`ch09_optimization`): every step multiplies the weights by $1 - \eta\lambda$. We try two
# values of each knob on the validation documents with seed 0, $p \in \{0.25, 0.5\}$ and
# $\lambda \in \{0.03, 0.3\}$, and keep the setting with the lowest final validation loss.

# %%
EPOCHS_CLF, LR_CLF = 80, 0.03


def fit_classifier(seed, p=0.0, weight_decay=0.0, *, curves=False):
    """Train one classifier; the training curve is evaluated every epoch only if `curves` (it costs time)."""
    torch.manual_seed(seed)                                     # initialization and dropout masks
    model = MeanEmbedding(len(vocab_emb), len(families), p=p)
    opt = AdamW(model.parameters(), lr=LR_CLF, weight_decay=weight_decay)
    hist = train(model, F.cross_entropy, opt, D_train, epochs=EPOCHS_CLF, val_data=D_val, eval_train=curves,
                 metrics={"accuracy": accuracy}, progress=False, generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad():
        out, out_train = model(D_test[0]), model(D_train[0])
    confidence = float(F.softmax(out, dim=1).max(dim=1).values.mean())   # mean probability of the predicted class
    return hist, {"train_acc": accuracy(out_train, D_train[1]), "test_loss": float(F.cross_entropy(out, D_test[1])),
                  "test_acc": accuracy(out, D_test[1]), "test_conf": confidence}


choice = {}
for knob, values in (("p", (0.25, 0.5)), ("weight_decay", (0.03, 0.3))):
    val_loss = {v: fit_classifier(0, **{knob: v})[0]["val_loss"][-1] for v in values}
    choice[knob] = min(val_loss, key=val_loss.get)
    print(f"{knob}: final validation loss " + ", ".join(f"{v}: {l:.3f}" for v, l in val_loss.items())
          + f" -> {choice[knob]}")

# %% [markdown]
# Now the four variants over three seeds (initialization, batch order and dropout masks change with the seed;
# the split does not). Test loss and accuracy are measured once, after the last epoch.

# %%
CLF_CONFIGS = {"none": {}, "embedding dropout": {"p": choice["p"]},
               "weight decay": {"weight_decay": choice["weight_decay"]},
               "dropout + decay": {"p": choice["p"], "weight_decay": choice["weight_decay"]}}
SEEDS = (0, 1, 2)
clf = {name: [fit_classifier(s, **cfg, curves=s == 0) for s in SEEDS] for name, cfg in CLF_CONFIGS.items()}
clf_stats = {name: {"val_loss": np.array([h["val_loss"][-1] for h, _ in runs]),
                    **{k: np.array([r[k] for _, r in runs]) for k in runs[0][1]}}
             for name, runs in clf.items()}
pm = lambda a, d=3: f"{a.mean():.{d}f} ± {a.std():.{d}f}"   # noqa: E731
rows = ["| regularization | train accuracy | validation loss | test loss | test accuracy |",
        "| --- | --- | --- | --- | --- |"]
rows += [f"| {n} | {pm(s['train_acc'])} | {pm(s['val_loss'])} | {pm(s['test_loss'])} | {pm(s['test_acc'])} |"
         for n, s in clf_stats.items()]
display(Markdown("\n".join(rows)))

# %% [markdown]
# The learning curves of seed 0:

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for name, runs in clf.items():
    hist = runs[0][0]
    axes[0].plot(np.arange(1, EPOCHS_CLF + 1), hist["val_loss"], label=name)
    axes[1].plot(np.arange(1, EPOCHS_CLF + 1), hist["train_loss"], label=name)
axes[0].set(title="Validation loss (seed 0)", xlabel="epoch", ylabel="cross-entropy (nats)")
axes[1].set(title="Training loss (seed 0)", xlabel="epoch", ylabel="cross-entropy (nats)", yscale="log")
axes[0].legend()
plt.show()

# %%
s_none, s_drop, s_wd, s_both = (clf_stats[k] for k in CLF_CONFIGS)
best_epoch_none = int(np.argmin(clf["none"][0][0]["val_loss"])) + 1
gain_acc = s_drop["test_acc"].mean() - s_none["test_acc"].mean()
gain_loss = s_none["test_loss"].mean() - s_drop["test_loss"].mean()
r4 = lambda x: round(float(x), 4)   # noqa: E731
glue("ch12_clf_none_acc", r4(s_none["test_acc"].mean()), display=False)
glue("ch12_clf_drop_acc", r4(s_drop["test_acc"].mean()), display=False)
glue("ch12_clf_wd_acc", r4(s_wd["test_acc"].mean()), display=False)
glue("ch12_clf_both_acc", r4(s_both["test_acc"].mean()), display=False)
glue("ch12_clf_none_loss", r4(s_none["test_loss"].mean()), display=False)
glue("ch12_clf_drop_loss", r4(s_drop["test_loss"].mean()), display=False)
glue("ch12_clf_wd_loss", r4(s_wd["test_loss"].mean()), display=False)
glue("ch12_clf_both_loss", r4(s_both["test_loss"].mean()), display=False)
glue("ch12_clf_none_train", r4(s_none["train_acc"].mean()), display=False)
glue("ch12_clf_gain_acc", r4(gain_acc), display=False)
glue("ch12_clf_p", r4(choice["p"]), display=False)
glue("ch12_clf_wd", r4(choice["weight_decay"]), display=False)
glue("ch12_clf_best_epoch", best_epoch_none, display=False)
glue("ch12_clf_drop_conf", r4(s_drop["test_conf"].mean()), display=False)
glue("ch12_clf_both_conf", r4(s_both["test_conf"].mean()), display=False)
spread = lambda *s: max(x["test_acc"].std() for x in s)     # noqa: E731
assert best_epoch_none < EPOCHS_CLF
assert gain_acc > 2 * spread(s_none, s_drop) and gain_loss > 0.05
assert s_both["test_acc"].mean() > s_none["test_acc"].mean() + 2 * spread(s_none, s_both)
assert abs(s_both["test_acc"].mean() - s_drop["test_acc"].mean()) < 0.02           # about as accurate
assert abs(s_wd["test_acc"].mean() - s_none["test_acc"].mean()) < 0.02
assert s_drop["test_loss"].mean() < s_both["test_loss"].mean() < s_none["test_loss"].mean()
assert s_both["test_conf"].mean() < s_drop["test_conf"].mean() - 0.05             # less confident with decay
assert s_both["test_conf"].mean() < s_both["test_acc"].mean() - 0.05               # under-confident
assert all((s["train_acc"] == 1).all() for s in clf_stats.values())                # every training document

# %% [markdown]
# Without regularization the network reaches a training accuracy of {glue:text}`ch12_clf_none_train`, its
# validation loss is lowest at epoch {glue:text}`ch12_clf_best_epoch` of 80, and it scores a test accuracy of
# {glue:text}`ch12_clf_none_acc` (test loss {glue:text}`ch12_clf_none_loss`). Embedding dropout with
# $p =$ {glue:text}`ch12_clf_p` raises the test accuracy to {glue:text}`ch12_clf_drop_acc`
# ({glue:text}`ch12_clf_gain_acc` more, more than twice the seed-to-seed spread) and lowers the test loss to
# {glue:text}`ch12_clf_drop_loss`. Weight decay with $\lambda =$ {glue:text}`ch12_clf_wd` gives
# {glue:text}`ch12_clf_wd_acc` (loss {glue:text}`ch12_clf_wd_loss`): hardly better than nothing. The
# combination is about as accurate as dropout alone ({glue:text}`ch12_clf_both_acc`) but has a higher test
# loss ({glue:text}`ch12_clf_both_loss`): decay keeps the logits small, and the model becomes under-confident.
# The mean probability it gives its predicted class is {glue:text}`ch12_clf_both_conf`, below its accuracy,
# against {glue:text}`ch12_clf_drop_conf` for dropout alone. Every variant still classifies every training
# document correctly: none of these regularizers prevents memorization, they change what is memorized.
#
# ## Part 3: a character-level language model
#
# ### Data, split by module
#
# A language model predicts the next character from the previous ones. Documents of one module share
# vocabulary and phrasing (`asyncio` docstrings all talk about coroutines), so a random split of documents
# would test the model on text very close to its training text. We split by **module**: the
# {glue:text}`ch12_lm_n_modules` modules are shuffled once with seed 0, 12 go to the test set, 12 to the
# validation set, the rest to training, and no module is shared. To make overfitting visible in a
# budget of seconds, the model trains on the first 16,384 characters of the training modules (the docstrings
# joined by blank lines), and is evaluated on 8,192 validation and 16,384 test characters. Characters seen
# fewer than 20 times in training map to `<unk>`.

# %%
modules = sorted(set(corpus.modules))
order = np.random.default_rng(0).permutation(len(modules))
lm_split = {"test": {modules[i] for i in order[:12]}, "val": {modules[i] for i in order[12:24]},
            "train": {modules[i] for i in order[24:]}}
lm_texts = {part: [t for t, m in zip(corpus.texts, corpus.modules) if m in mods] for part, mods in lm_split.items()}
chars = text.Vocabulary(min_count=20).fit(lm_texts["train"])
N_CHARS = {"train": 16_384, "val": 8_192, "test": 16_384}
SEQ_LEN = 64
lm_data = {}
for part, n in N_CHARS.items():
    ids = text.char_corpus(lm_texts[part], chars)[:n + 1]
    X_lm, Y_lm = text.windows(ids, seq_len=SEQ_LEN)           # (n // 64, 64) inputs and next characters
    lm_data[part] = (torch.tensor(X_lm), torch.tensor(Y_lm))
print(f"{len(chars)} symbols; test modules: {', '.join(sorted(lm_split['test']))}")
print("windows:", {part: tuple(d[0].shape) for part, d in lm_data.items()})
glue("ch12_lm_n_modules", len(modules), display=False)
glue("ch12_lm_vocab", len(chars), display=False)

# %%
regbook.show_source(text.windows)

# %% [markdown]
# ### Bits per character
#
# The model outputs a distribution $q(\cdot \mid x_{<t})$ over the $V$ symbols and is trained on the mean
# cross-entropy in nats. We report it in **bits per character** (bpc) and perplexity,
#
# $$
# \text{bpc} = \frac{1}{T \ln 2}\sum_{t=1}^T -\ln q(x_t \mid x_{<t}), \qquad
# \text{perplexity} = 2^{\text{bpc}} ,
# $$ (eq-ch12-bpc)
#
# so a model that knows nothing (uniform over $V$ symbols) scores $\log_2 V$ bits, and a perplexity of $P$
# means the model is as unsure as a uniform choice among $P$ characters. Checked on the untrained uniform
# model:

# %%
uniform_logits = torch.zeros(*lm_data["test"][1].shape, len(chars))
nats = F.cross_entropy(uniform_logits.reshape(-1, len(chars)), lm_data["test"][1].reshape(-1)).item()
err_bpc = abs(nats / np.log(2) - np.log2(len(chars)))
print(f"uniform model: {nats / np.log(2):.4f} bpc = log2({len(chars)}); |difference| {checks.error_bound(err_bpc)}")
assert err_bpc < 1e-5

# %% [markdown]
# ### The model and variational dropout
#
# An embedding of 16 dimensions, one LSTM layer with 64 hidden units, and a linear layer to the $V$ symbols
# ({glue:text}`ch12_lm_params` parameters). Zaremba et al. {cite}`zaremba2014recurrent` showed that dropout works in
# recurrent networks if it is applied to the **non-recurrent** connections only (inputs and outputs of the
# LSTM), with a fresh mask at every time step. Gal and Ghahramani {cite}`gal2016theoretically` derived
# from variational inference that the mask should be **the same at every time step** of a sequence
# ("variational" or "locked" dropout), and then also apply it to the recurrent connections; Merity et al.
# {cite}`merity2018regularizing` use locked dropout on inputs and outputs and DropConnect on the
# hidden-to-hidden weights instead. **What we implement:** locked dropout on the embeddings (before the
# LSTM, $p = 0.1$) and on the LSTM outputs (before the output layer, $p = 0.3$), one mask per sequence and
# feature, shared by all 64 time steps; the recurrent connections are not dropped, so the fast built-in
# `nn.LSTM` can be used. For a sequence $x_{1:T}$ of vectors in $\mathbb R^F$,
#
# $$
# \tilde x_t = \frac{m \odot x_t}{1 - p}, \qquad m \in \{0, 1\}^F,\ m_f \sim \operatorname{Bernoulli}(1-p),
# \ \text{the same } m \text{ for } t = 1, \dots, T .
# $$ (eq-ch12-locked)

# %%
class LockedDropout(nn.Module):
    """Inverted dropout with one mask per sequence and feature, shared over time: x of shape (n, T, F)."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1 - self.p) / (1 - self.p)   # (n, 1, F)
        return x * mask


class CharLSTM(nn.Module):
    """Embedding -> locked dropout -> LSTM -> locked dropout -> linear, for next-character logits."""

    def __init__(self, n_symbols, *, emb=16, hidden=64, p_emb=0.0, p_out=0.0):
        super().__init__()
        self.emb = nn.Embedding(n_symbols, emb)
        self.drop_emb, self.drop_out = LockedDropout(p_emb), LockedDropout(p_out)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_symbols)

    def forward(self, x, state=None):                      # x: (n, T) ids
        h, state = self.lstm(self.drop_emb(self.emb(x)), state)   # (n, T, hidden)
        self.state = state
        return self.out(self.drop_out(h))                  # (n, T, n_symbols)


def sequence_loss(logits, y):
    """Mean next-character cross-entropy (nats) over all positions."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


# %% [markdown]
# The mask of {eq}`eq-ch12-locked` is constant along time and different across sequences, its entries are $0$
# or $1/(1-p)$, and it keeps the mean of the input (Monte Carlo over 2,000 sequences):

# %%
torch.manual_seed(0)
x_ones = torch.ones(2000, 64, 8)
x_locked = LockedDropout(0.3).train()(x_ones)
const_in_time = bool((x_locked == x_locked[:, :1]).all())
distinct = len({tuple(row.tolist()) for row in x_locked[:20, 0]})
values_ok = bool(torch.isin(x_locked, torch.tensor([0.0, 1 / 0.7])).all())   # m / (1 - p) with m in {0, 1}
z_mean = abs(x_locked[:, 0].mean().item() - 1) / (x_locked[:, 0].std().item() / np.sqrt(2000 * 8))
print(f"mask constant over the 64 time steps: {const_in_time}; distinct masks among 20 sequences: {distinct}; "
      f"mean {x_locked.mean().item():.4f} (z = {z_mean:.2f})")
assert const_in_time and values_ok and distinct > 10 and z_mean < 4

# %% [markdown]
# ### Five variants, three seeds
#
# AdamW with learning rate 0.02, mini-batches of 32 windows, 20 epochs (160 steps). The variants: no
# regularization; locked dropout as above; weight decay $\lambda = 0.1$; gradient clipping of the global norm
# to 0.25 (`regbook.pt.GradientClipping`, which also records the largest norm of each epoch); and all three.
# These are common values from the literature, fixed in advance rather than tuned, to keep the chapter within
# its time budget; the validation curve is what we look at, and the test numbers are read once.

# %%
LM_CONFIGS = {"none": {}, "locked dropout": {"p_emb": 0.1, "p_out": 0.3}, "weight decay": {"weight_decay": 0.1},
              "clipping": {"max_norm": 0.25},
              "all three": {"p_emb": 0.1, "p_out": 0.3, "weight_decay": 0.1, "max_norm": 0.25}}
EPOCHS_LM, LR_LM = 20, 0.02


def fit_lm(seed, p_emb=0.0, p_out=0.0, weight_decay=0.0, max_norm=None):
    torch.manual_seed(seed)
    model = CharLSTM(len(chars), p_emb=p_emb, p_out=p_out)
    opt = AdamW(model.parameters(), lr=LR_LM, weight_decay=weight_decay)
    callbacks = [] if max_norm is None else [GradientClipping(max_norm=max_norm)]
    hist = train(model, sequence_loss, opt, lm_data["train"], epochs=EPOCHS_LM, batch_size=32,
                 val_data=lm_data["val"], callbacks=callbacks, progress=False, eval_train=False,
                 generator=torch.Generator().manual_seed(seed))
    model.eval()
    with torch.no_grad():
        test_nats = sequence_loss(model(lm_data["test"][0]), lm_data["test"][1]).item()
        train_nats = sequence_loss(model(lm_data["train"][0]), lm_data["train"][1]).item()
    return model, hist, train_nats / np.log(2), test_nats / np.log(2)


glue("ch12_lm_params", sum(p.numel() for p in CharLSTM(len(chars)).parameters()), display=False)
lm = {name: [fit_lm(s, **cfg) for s in SEEDS] for name, cfg in LM_CONFIGS.items()}
lm_stats = {name: {"train_bpc": np.array([r[2] for r in runs]),
                   "best_val_bpc": np.array([min(r[1]["val_loss"]) / np.log(2) for r in runs]),
                   "val_bpc": np.array([r[1]["val_loss"][-1] / np.log(2) for r in runs]),
                   "test_bpc": np.array([r[3] for r in runs])}
            for name, runs in lm.items()}
rows = ["| regularization | train bpc | best validation bpc | final validation bpc | test bpc | test perplexity |",
        "| --- | --- | --- | --- | --- | --- |"]
rows += [f"| {n} | {pm(s['train_bpc'])} | {pm(s['best_val_bpc'])} | {pm(s['val_bpc'])} | {pm(s['test_bpc'])} | "
         f"{pm(2 ** s['test_bpc'], 2)} |" for n, s in lm_stats.items()]
display(Markdown("\n".join(rows)))

# %% [markdown]
# The test bpc in the table is {eq}`eq-ch12-bpc` computed from the mean cross-entropy; we check it against the
# sum of $-\log_2 q(x_t \mid x_{<t})$ over the test characters for one trained model, and perplexity
# $2^{\text{bpc}}$ against $e^{\text{nats}}$.

# %%
model0 = lm["none"][0][0].eval()
with torch.no_grad():
    log_q = F.log_softmax(model0(lm_data["test"][0]).double(), dim=-1)          # (n, T, V)
log2_q_true = log_q.gather(-1, lm_data["test"][1][..., None]).squeeze(-1) / np.log(2)  # (n, T)
bpc_sum = float(-log2_q_true.sum() / log2_q_true.numel())
err_bpc_model = abs(bpc_sum - lm["none"][0][3])
nats_mean = float(-log_q.gather(-1, lm_data["test"][1][..., None]).mean())
err_ppl = abs(2 ** bpc_sum - np.exp(nats_mean)) / np.exp(nats_mean)
print(f"test bpc from the sum: {bpc_sum:.4f}; |difference| {checks.error_bound(err_bpc_model, floor=1e-5)}; "
      f"relative |2^bpc - e^nats| {checks.error_bound(err_ppl)}")
assert err_bpc_model < 1e-5 and err_ppl < 1e-12

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8), layout="constrained")
for name, runs in lm.items():
    curves = np.array([r[1]["val_loss"] for r in runs]) / np.log(2)        # (seeds, epochs)
    ax.plot(np.arange(1, EPOCHS_LM + 1), curves.mean(0), label=name)
    ax.fill_between(np.arange(1, EPOCHS_LM + 1), curves.min(0), curves.max(0), alpha=0.15)
ax.set(title="Character LSTM: validation bits per character (mean and range, 3 seeds)", xlabel="epoch",
       ylabel="bits per character")
ax.legend()
plt.show()

# %%
L = {k: lm_stats[k] for k in LM_CONFIGS}
clip_norms = np.array([r[1]["grad_norm"] for r in lm["clipping"]])          # (seeds, epochs): largest per epoch
late_epochs_clipped = float((clip_norms[:, 5:] > 0.25).mean())
best_epochs_lm = np.array([np.argmin(r[1]["val_loss"]) + 1 for r in lm["none"]])
best_epoch_lm = float(best_epochs_lm.mean())
late_train_gain = np.array([r[1]["batch_loss"][b - 1] - r[1]["batch_loss"][-1]                # nats, after the best
                            for r, b in zip(lm["none"], best_epochs_lm)])                     # validation epoch
max_grad_norm = float(clip_norms.max())                                         # before clipping
glue("ch12_lm_none_test", r4(L["none"]["test_bpc"].mean()), display=False)
glue("ch12_lm_drop_test", r4(L["locked dropout"]["test_bpc"].mean()), display=False)
glue("ch12_lm_wd_test", r4(L["weight decay"]["test_bpc"].mean()), display=False)
glue("ch12_lm_all_test", r4(L["all three"]["test_bpc"].mean()), display=False)
glue("ch12_lm_none_train", r4(L["none"]["train_bpc"].mean()), display=False)
glue("ch12_lm_drop_train", r4(L["locked dropout"]["train_bpc"].mean()), display=False)
glue("ch12_lm_none_best_epoch", round(best_epoch_lm), display=False)
glue("ch12_lm_max_grad_norm", round(max_grad_norm, 2), display=False)
glue("ch12_lm_none_val_rise", r4((L["none"]["val_bpc"] - L["none"]["best_val_bpc"]).mean()), display=False)
glue("ch12_lm_clip_frac", r4(late_epochs_clipped), display=False)
glue("ch12_lm_none_ppl", r4((2 ** L["none"]["test_bpc"]).mean()), display=False)
glue("ch12_lm_all_ppl", r4((2 ** L["all three"]["test_bpc"]).mean()), display=False)
clip_diff = L["clipping"]["test_bpc"].mean() - L["none"]["test_bpc"].mean()
drop_gain = L["none"]["test_bpc"].mean() - L["locked dropout"]["test_bpc"].mean()
glue("ch12_lm_clip_diff", r4(clip_diff), display=False)
glue("ch12_lm_drop_gain_ratio", round(float(drop_gain / clip_diff), 1), display=False)
sd = lambda *names: max(L[n]["test_bpc"].std() for n in names)   # noqa: E731
assert L["none"]["val_bpc"].mean() > L["none"]["best_val_bpc"].mean() + 0.05          # it overfits
assert L["locked dropout"]["test_bpc"].mean() < L["none"]["test_bpc"].mean() - 2 * sd("none", "locked dropout")
assert L["all three"]["test_bpc"].mean() < L["none"]["test_bpc"].mean() - 2 * sd("none", "all three")
assert L["locked dropout"]["train_bpc"].mean() > L["none"]["train_bpc"].mean()      # a worse fit to training
assert L["weight decay"]["test_bpc"].mean() < L["none"]["test_bpc"].mean() - 2 * sd("none", "weight decay")
assert (late_train_gain > 0).all()                    # the training loss keeps falling after the best epoch
assert L["weight decay"]["test_bpc"].mean() > L["locked dropout"]["test_bpc"].mean()   # a smaller gain
assert abs(L["all three"]["test_bpc"].mean() - L["locked dropout"]["test_bpc"].mean()) < 2 * sd("all three",
                                                                                                 "locked dropout")
assert clip_diff > 0 and drop_gain > 3 * clip_diff    # clipping: worse, by several times less than dropout's gain
early_epochs_clipped = float((clip_norms[:, :5] > 0.25).mean())
assert late_epochs_clipped < 0.25 < early_epochs_clipped and max_grad_norm < 5   # active mostly early

# %% [markdown]
# The unregularized model keeps improving on its training characters (train {glue:text}`ch12_lm_none_train`
# bpc) while its validation bpc reaches its minimum around epoch {glue:text}`ch12_lm_none_best_epoch` and then
# rises by {glue:text}`ch12_lm_none_val_rise` bits: overfitting, on 16,384 characters. Locked dropout fits the
# training text less well ({glue:text}`ch12_lm_drop_train` bpc) and generalizes better: test
# {glue:text}`ch12_lm_drop_test` bpc against {glue:text}`ch12_lm_none_test`. Weight decay gives
# {glue:text}`ch12_lm_wd_test`, a smaller but clear gain, and all three together {glue:text}`ch12_lm_all_test`
# (perplexity {glue:text}`ch12_lm_all_ppl` against {glue:text}`ch12_lm_none_ppl`), about as good as dropout
# alone. Gradient clipping did not help: its test bpc is {glue:text}`ch12_lm_clip_diff` *higher* than without
# it. The gradients never exploded: the largest norm before clipping, over all epochs and seeds, was
# {glue:text}`ch12_lm_max_grad_norm`, and after the first five epochs the largest gradient norm of an epoch
# exceeded the threshold in a fraction {glue:text}`ch12_lm_clip_frac` of the epochs, so clipping acted
# mostly in the first epochs. Clipping is a guard against exploding gradients
# {cite}`pascanu2013difficulty` (see {doc}`ch09_optimization`), not a regularizer; a one-layer LSTM on 64
# steps with a modest learning rate rarely needs it. (Validation and test bpc differ in level because they
# are different modules; what matters is the comparison of the variants on the same text.)
#
# ### Samples
#
# For fun, each model writes 200 characters after the prompt "Return the ", sampling each character from its
# predicted distribution at temperature 0.8 with a seeded generator.

# %%
def sample(model, prompt, n_chars, *, temperature=0.8, seed=0):
    """Continue `prompt` by sampling n_chars characters from the model (evaluation mode)."""
    gen = torch.Generator().manual_seed(seed)
    model.eval()
    ids = torch.tensor(chars.encode(prompt))[None]          # (1, len(prompt))
    out = []
    with torch.no_grad():
        logits, state = model(ids)[:, -1], model.state
        for _ in range(n_chars):
            nxt = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=gen)   # (1, 1)
            out.append(int(nxt))
            logits, state = model(nxt, state)[:, -1], model.state
    return prompt + "".join(chars.decode(np.array(out)))


for name in ("none", "all three"):
    print(f"--- {name} (seed 0) ---")
    print(sample(lm[name][0][0], "Return the ", 200))

# %% [markdown]
# Both produce text with the look of a docstring: English-like words of the right length, the words the corpus
# uses most ("the", "path", "file", "object"), punctuation and line breaks. Neither is English: 16,384
# characters of training text are far too few, which is the point of a small-data experiment.
#
# ## What we learned
#
# | experiment | no regularization | best variant | what helped | what did not |
# | --- | --- | --- | --- | --- |
# | bag of words, logistic regression | weakest penalty (L2, $C = 30$): CV error {glue:text}`ch12_l2_cv_weak` | L1, one-SE rule: test accuracy {glue:text}`ch12_l1_acc` | L1 keeps {glue:text}`ch12_l1_words` words; L2 is as accurate ({glue:text}`ch12_l2_acc`) | a strong L1 penalty (CV error {glue:text}`ch12_l1_cv_strong`) |
# | mean of embeddings | test accuracy {glue:text}`ch12_clf_none_acc` | embedding dropout, with or without decay: {glue:text}`ch12_clf_drop_acc`, {glue:text}`ch12_clf_both_acc` | dropping word types | weight decay alone ({glue:text}`ch12_clf_wd_acc`) |
# | character LSTM | test {glue:text}`ch12_lm_none_test` bpc | all three: {glue:text}`ch12_lm_all_test` bpc | locked dropout ({glue:text}`ch12_lm_drop_test`), weight decay ({glue:text}`ch12_lm_wd_test`) | clipping ({glue:text}`ch12_lm_clip_diff` bpc worse) |
#
# - A sparse linear model on 600 binary word features is already a well-behaved learner here; the penalty
#   mostly buys readability (L1) rather than accuracy.
# - A neural model with an embedding per word memorizes its training documents; dropping whole word types is
#   the regularizer that moved the test accuracy by more than twice the seed spread; weight decay alone did
#   not.
# - A character LSTM on little text overfits: its validation error is lowest around epoch
#   {glue:text}`ch12_lm_none_best_epoch` of 20 and rises afterwards; dropout on the non-recurrent connections,
#   with one mask per sequence, lowered the held-out bits per character clearly, weight decay less so; gradient
#   clipping did not help, because the gradients were not exploding.
#
# (ch12-pitfalls)=
# ## Pitfalls and corrections
#
# **Fitting the vocabulary on all the data.** Building the vocabulary (or any word statistics, such as tf-idf
# weights) on training and test documents together leaks information about the test documents into the
# features. Every vocabulary in this chapter is fitted on training text only; the language model's split is
# by module, so even the identifiers of the test modules are new to it.
#
# **Dropout on the recurrent connections with a fresh mask at every step.** Naive dropout of the hidden state
# at every time step multiplies the memory of the network by a new random mask 64 times per sequence, and
# damages what the LSTM is meant to carry; Zaremba et al. {cite}`zaremba2014recurrent` therefore dropped only
# the non-recurrent connections, and Gal and Ghahramani {cite}`gal2016theoretically` showed that the
# recurrent connections *can* be dropped if one mask is used for the whole sequence. Source 004 says only
# that dropout "can be introduced into the model" of a recurrent network for machine translation
# ("在机器翻译任务中，可以在模型中引入Dropout"); where it goes matters, as above.
#
# **Gradient clipping is not a regularizer.** Source 004 lists 梯度裁剪 (gradient clipping) among its keywords
# on regularization, next to dropout and weight decay. Clipping bounds the size of an update; it does not
# change the objective, and when the gradients are below the threshold it does nothing. In Part 3 it changed
# the test bits per character by {glue:text}`ch12_lm_clip_diff` (for the worse), while dropout lowered them by
# {glue:text}`ch12_lm_drop_gain_ratio` times as much. Its job is stability (exploding gradients in long
# recurrent chains).
#
# **"Regularization significantly improves generalization" in NLP** (source 004:
# "正则化技术可以显著提高模型泛化能力"). It depends on the model and the technique. In Part 1 the penalty mattered for sparsity and for
# making the problem well posed, but its strength moved the cross-validated error by less than two points
# over most of the grid; in Part 2 one technique helped clearly and weight decay alone did not. Measure on
# validation data; do not assume.
#
# ## Summary
#
# - Text gives high-dimensional, sparse inputs: a bag-of-words logistic regression is regularized by an L2 or
#   L1 penalty {eq}`eq-ch12-logreg`; L1 zeroes every word whose correlation with the residuals stays below
#   $1/C$ {eq}`eq-ch12-l1-kkt` and yields a readable list of words per class.
# - Neural text models regularize the embedding table: embedding dropout {eq}`eq-ch12-embdrop` removes whole
#   word types for a step; it raised the test accuracy of a mean-of-embeddings classifier from
#   {glue:text}`ch12_clf_none_acc` to {glue:text}`ch12_clf_drop_acc`.
# - Recurrent language models take dropout on their non-recurrent connections, ideally with one mask per
#   sequence {eq}`eq-ch12-locked`; measured in bits per character {eq}`eq-ch12-bpc` on unseen modules, it
#   lowered the error from {glue:text}`ch12_lm_none_test` to {glue:text}`ch12_lm_drop_test` bpc. Gradient
#   clipping is a stabilizer, not a regularizer.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 12 <exercises/solutions/a12_text>` has coding exercises on this chapter with
# checks you can run (locked dropout, the mean of embeddings with word-type dropout, bits per character, the
# optimality condition of the L1 model), and a written question; download the student notebook from the
# {doc}`assignments page <exercises/index>`.
#
# 1. **Word dropout.** Change `MeanEmbedding` to drop single token *occurrences* instead of word types
#    (a mask of shape `(n, L)`). Compare it with embedding dropout over three seeds at the same $p$. Which is
#    stronger at equal $p$, and why, for documents that repeat their key words?
# 2. **tf-idf and the penalty.** Replace the binary features of Part 1 by counts divided by the document
#    length and by tf-idf weights. Does the $C$ chosen by cross-validation change? Explain with
#    {eq}`eq-ch12-l1-kkt` how the scale of a column changes the threshold a word must pass.
# 3. **Dropping the recurrent connections.** Write a `CharLSTM` variant with an `nn.LSTMCell` loop that
#    applies one dropout mask per sequence to the hidden state at every step, as in
#    {cite}`gal2016theoretically`. Verify on a batch that the mask is the same at every step, then compare its
#    test bpc with the chapter's locked dropout. How much slower is it, and why?
# 4. **When does clipping matter?** Rerun Part 3 with learning rates 0.05 and 0.1 with and without clipping.
#    Plot `grad_norm` from the history (for the runs without clipping, record it with
#    `GradientClipping(max_norm=1e6)`, which never clips). At which learning rate does clipping start to change
#    the result?
# 5. **More data vs regularization.** Train the unregularized LSTM on 4 times more characters for the same
#    number of steps. Compare its test bpc with that of the regularized model on the small training set.
#
# ## References
#
# Dropout is {cite}`srivastava2014dropout`; its use in recurrent networks on non-recurrent connections is
# {cite}`zaremba2014recurrent`, the variational (same-mask) form and embedding dropout are
# {cite}`gal2016theoretically`, and the combination with weight-dropped LSTMs is
# {cite}`merity2018regularizing`. Mean-of-embeddings classifiers are {cite}`iyyer2015deep` and
# {cite}`joulin2017bag`, and word dropout (of single occurrences) is from {cite}`iyyer2015deep`; decoupled
# weight decay is {cite}`loshchilov2019decoupled`; gradient clipping for
# recurrent networks is {cite}`pascanu2013difficulty`. The L1 and L2 penalized logistic regressions follow
# {cite}`hastie2009elements`. Full entries are in the {doc}`bibliography`.
