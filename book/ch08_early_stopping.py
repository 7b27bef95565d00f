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
# (ch-early-stopping)=
# # Early stopping
#
# **Early stopping** (早停, also 提前停止) trains an iterative model while watching its error on a
# validation set, and keeps the parameters of the iteration where that error was lowest
# {cite}`prechelt1998early,goodfellow2016deep`. It adds no term to the loss and changes no layer: the number
# of training steps is the regularization parameter. It is the cheapest regularizer there is, since it
# *shortens* training, and it is used almost everywhere a network is trained.
#
# This chapter states the stopping rule precisely (patience, minimum improvement, restoring the best
# weights), runs it on a scripted sequence and on a network trained with regbook's training loop, counts the
# epochs it saves, measures the trade-off set by the patience, and proves the classical result that makes
# early stopping a regularizer in the same sense as ridge regression: for linear least squares trained by
# gradient descent from zero, stopping after $t$ steps of size $\eta$ shrinks the solution much like an L2
# penalty of strength $\lambda \approx 1/(\eta t)$, equal to first order and with a proven bound on the difference
# {cite}`bishop1995neural,sjoberg1995overtraining,yao2007early`.
# Each step of that argument is checked numerically. The source articles mention early stopping only in
# a reading list, citing a paper for it that we could not find and that appears not to exist (see the
# {ref}`pitfalls <ch8-pitfalls>`).

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue
from scipy import optimize
from torch import nn

import regbook
from regbook import checks, data, plotting
from regbook.np.early_stopping import EarlyStopping
from regbook.np.linear import ridge
from regbook.pt.early_stopping import EarlyStopping as TorchEarlyStopping
from regbook.pt.training import Callback, EarlyStoppingCallback, LRSchedulerCallback, accuracy, train

rng = regbook.nbsetup(seed=0)

# %% [markdown]
# ## Why: the validation loss has a minimum in time
#
# As in {doc}`ch06_dropout`, we train a fully connected network with two hidden layers of 128 ReLU units
# (about 26,000 parameters) on only 200 of scikit-learn's $8\times 8$ digits, 20 per class, so that it can
# memorize them. Pixels are divided by 16. Training uses Adam (learning rate $2\times 10^{-3}$) on
# mini-batches of 50 images for 200 epochs, with regbook's training loop `regbook.pt.training.train`
# (shown {ref}`below <ch8-loop>`). After every epoch the loop evaluates the loss and the accuracy on the
# training images and on a validation set of 359 images; a small callback, defined here, does the same on a
# separate test set of 359 images that no decision in this chapter will look at, except to report.

# %%
split = data.load_dataset("digits", seed=0, standardize=False)    # pixel values 0..16, fixed split
X_val, y_val = torch.tensor(split.X_val / 16, dtype=torch.float32), torch.tensor(split.y_val)
X_test, y_test = torch.tensor(split.X_test / 16, dtype=torch.float32), torch.tensor(split.y_test)
N_TRAIN, HIDDEN, EPOCHS, LR, BATCH = 200, 128, 200, 2e-3, 50
SEEDS = range(5)


def training_subset(seed):
    """A class-balanced subset of N_TRAIN training images (20 per digit), drawn with `seed`."""
    r = np.random.default_rng(seed)
    idx = np.concatenate([r.choice(np.flatnonzero(split.y_train == c), N_TRAIN // 10, replace=False)
                          for c in range(10)])
    return torch.tensor(split.X_train[idx] / 16, dtype=torch.float32), torch.tensor(split.y_train[idx])


class TestCurve(Callback):
    """Record the test loss and accuracy after every epoch (for reporting only, never for decisions)."""

    def on_epoch_end(self, state):
        state.model.eval()
        with torch.no_grad():
            logits = state.model(X_test)
        state.history.record("test_loss", F.cross_entropy(logits, y_test))
        state.history.record("test_accuracy", accuracy(logits, y_test))


def fit(seed, *, epochs=EPOCHS, callbacks=()):
    """Train a fresh 64-128-128-10 network on training_subset(seed); the seed fixes init and batches."""
    X, y = training_subset(seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                          nn.Linear(HIDDEN, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    history = train(model, F.cross_entropy, opt, (X, y), epochs=epochs, val_data=(X_val, y_val),
                    batch_size=BATCH, metrics={"accuracy": accuracy}, callbacks=[TestCurve(), *callbacks],
                    generator=torch.Generator().manual_seed(seed), progress=False)
    return model, history


model_0, hist_0 = fit(0)
assert sum(p.numel() for p in model_0.parameters()) == 26_122 and len(y_val) == len(y_test) == 359
ax = plotting.plot_learning_curves(hist_0, metric="loss", ylabel="cross-entropy", logy=True,
                                   title="200 training digits, 128-128 ReLU network, Adam, batches of 50")
ax.axvline(int(np.argmin(hist_0["val_loss"])) + 1, color="0.5", ls=":", lw=1)
plt.show()

val_0, test_0 = np.array(hist_0["val_loss"]), np.array(hist_0["test_loss"])
best_0 = int(np.argmin(val_0)) + 1
print(f"validation loss: lowest {val_0.min():.3f} at epoch {best_0}, {val_0[-1]:.3f} at epoch {EPOCHS}")
print(f"test loss at those epochs: {test_0[best_0 - 1]:.3f} and {test_0[-1]:.3f}; "
      f"train accuracy at the end {hist_0['train_accuracy'][-1]:.3f}")

# %% [markdown]
# The training loss keeps falling and every training image is classified correctly, but the validation
# loss reaches its minimum early and then rises again, and the test loss follows it. The dotted line marks
# the epoch of lowest validation loss. Every epoch after it made the network more confident on its 200
# images without making it better on new ones. The cell below checks these statements.

# %%
assert hist_0["train_accuracy"][-1] == 1.0 and hist_0["train_loss"][-1] < 0.01
assert best_0 < EPOCHS // 2 and val_0[-1] > 1.1 * val_0.min() and test_0[-1] > 1.1 * test_0[best_0 - 1]
glue("ch8_why_best", best_0, display=False)
glue("ch8_why_val_min", round(float(val_0.min()), 4), display=False)
glue("ch8_why_val_end", round(float(val_0[-1]), 4), display=False)
glue("ch8_why_test_best", round(float(test_0[best_0 - 1]), 4), display=False)
glue("ch8_why_test_end", round(float(test_0[-1]), 4), display=False)

# %% [markdown]
# The validation loss was {glue:text}`ch8_why_val_min` at epoch {glue:text}`ch8_why_best` and
# {glue:text}`ch8_why_val_end` after 200 epochs; on the test set, the network of epoch
# {glue:text}`ch8_why_best` has a loss of {glue:text}`ch8_why_test_best` and the last one
# {glue:text}`ch8_why_test_end`. Early stopping turns this observation into a rule: watch the validation
# curve during training, stop when it has not improved for a while, and return the parameters of its best
# epoch. The number of epochs becomes a hyperparameter chosen on validation data, like $\lambda$ in
# {doc}`ch05_choosing_lambda`, except that all its candidate values are visited in one training run.
#
# ## The rule: patience, minimum improvement, best weights
#
# Let $m_1, m_2, \dots$ be the validation metric after each epoch (a loss, to be minimized). Epoch $t$
# **improves** if it beats the best value so far by more than a margin $\delta \ge 0$ (`min_delta`):
#
# $$
# \text{improved}_t \iff m_t < m^\star_{t-1} - \delta, \qquad
# m^\star_t = \begin{cases} m_t & \text{if improved}_t \\ m^\star_{t-1} & \text{otherwise,} \end{cases}
# \qquad m^\star_0 = +\infty .
# $$ (eq-es-improve)
#
# A counter $c_t$ of consecutive epochs without improvement is reset by each improvement, and training stops
# at the first epoch where it reaches the **patience** $P$:
#
# $$
# c_t = \begin{cases} 0 & \text{if improved}_t \\ c_{t-1} + 1 & \text{otherwise,} \end{cases} \qquad
# t_{\text{stop}} = \min\{t : c_t \ge P\}, \qquad \hat\theta = \theta_{t^\star},\
# t^\star = \text{the last improving epoch} \le t_{\text{stop}} .
# $$ (eq-es-rule)
#
# Three conventions hide in these two lines, and libraries differ on each. The margin $\delta$ is
# *absolute* (as in Keras), not relative to $m^\star$; the comparison is strict; and a NaN metric is never
# an improvement, so a diverging run stops. The parameters returned are those of the best epoch
# $t^\star$, not those of the stopping epoch, which come $P$ epochs later and are, by the rule's own
# measure, worse: "restore best" is part of the rule, not an option to forget. regbook's
# NumPy class implements {eq}`eq-es-improve` and {eq}`eq-es-rule` in its `step` method (its steps are
# numbered from 0):

# %%
regbook.show_source(EarlyStopping._improves)
regbook.show_source(EarlyStopping.step)

# %% [markdown]
# A scripted sequence whose answers can be checked by hand: the metric improves until step 2 (0.70), rises
# for two steps, dips slightly below the best at step 5 (0.68), and improves clearly at step 7 (0.50).
#
# | patience $P$ | $\delta$ | what happens | stop | best |
# | --- | --- | --- | --- | --- |
# | 1 | 0 | the first rise (step 3) stops it | 3 | 2 |
# | 3 | 0 | the dip at step 5 resets the counter, step 7 improves, steps 8–10 do not | 10 | 7 |
# | 3 | 0.05 | the dip beats 0.70 by only 0.02, so it does not count: steps 3–5 are bad | 5 | 2 |
# | 4 | 0.05 | the same, one step later; the real improvement at step 7 is never seen | 6 | 2 |
# | 5 | 0 | never 5 bad steps in a row: runs to the end | none | 7 |

# %%
script = [1.00, 0.80, 0.70, 0.72, 0.75, 0.68, 0.74, 0.50, 0.55, 0.56, 0.58, 0.60]
table = {}
for patience, min_delta in [(1, 0.0), (3, 0.0), (3, 0.05), (4, 0.05), (5, 0.0)]:
    stopper = EarlyStopping(patience=patience, min_delta=min_delta)
    answers = [stopper.step(m) for m in script]
    table[patience, min_delta] = (stopper.stopped_step, stopper.best_step)
    print(f"patience {patience}, min_delta {min_delta:.2f}: stop at step {stopper.stopped_step}, "
          f"best step {stopper.best_step} (metric {stopper.best:.2f}); step() answered True "
          f"{sum(answers)} times")
    assert sum(answers) == (0 if stopper.stopped_step is None else len(script) - stopper.stopped_step)
assert table == {(1, 0.0): (3, 2), (3, 0.0): (10, 7), (3, 0.05): (5, 2), (4, 0.05): (6, 2), (5, 0.0): (None, 7)}

# %% [markdown]
# The table and the code agree. Two lessons are already visible. A larger patience survives a temporary
# rise and reaches the later, better minimum. A margin $\delta$ makes the rule ignore improvements
# smaller than $\delta$, which protects against noise but can also stop the run before a real improvement:
# $\delta$ has to be small compared with the improvements that matter, in the units of the metric. Once
# the rule has fired, `step` keeps answering True and freezes its state, so a loop that forgets to break
# cannot move the best step.
#
# The PyTorch twin `regbook.pt.EarlyStopping` inherits the rule and changes only what is stored at the best
# step: a deep copy of the model's `state_dict()` (parameters *and* buffers such as batch-norm statistics),
# which `restore` loads back. A deep copy is needed because the optimizer updates the parameters in place: a
# reference to them would follow the training and "restore" the last weights.

# %%
regbook.show_source(TorchEarlyStopping._snapshot)
regbook.show_source(TorchEarlyStopping.restore)

tiny = nn.Linear(2, 1)
nn.init.zeros_(tiny.weight)
twin, reference = TorchEarlyStopping(patience=3), EarlyStopping(patience=3)
saved = []
for m in script:
    with torch.no_grad():
        tiny.weight.add_(1.0)                     # an "optimizer step", in place
    saved.append(copy.deepcopy(tiny.state_dict()))
    if twin.step(torch.tensor(m), tiny) != reference.step(m) or twin.stopped_step is not None:
        break
twin.restore(tiny)
print(f"NumPy and PyTorch twins agree: stop at step {twin.stopped_step} = {reference.stopped_step}, "
      f"best step {twin.best_step}; restored weight {tiny.weight[0, 0].item():.1f} (the value after step "
      f"{twin.best_step})")
assert (twin.stopped_step, twin.best_step, twin.best) == (reference.stopped_step, reference.best_step,
                                                          reference.best) == (10, 7, 0.5)
assert all(torch.equal(v, saved[twin.best_step][k]) for k, v in tiny.state_dict().items())

# %% [markdown]
# (ch8-loop)=
# ## The training loop and its early-stopping callback
#
# The chapters from here on train networks with one loop, `regbook.pt.training.train`. It is plain
# mini-batch training: a fresh permutation of the training set every epoch (drawn from an explicit
# `torch.Generator`, so runs are reproducible), an optional `transform` of each batch (noise, augmentation,
# mixup; {doc}`ch10_data_side`), an optional `penalty(model)` added to the loss, and at the end of each
# epoch an evaluation in `model.eval()` mode without gradients, whose numbers go into a `History`. Everything
# else is a **callback** (回调) with hooks at fixed points: after the backward pass (gradient clipping),
# after the optimizer step (weight constraints, per-step learning-rate schedules), at the end of the epoch
# (early stopping, schedules, extra curves such as `TestCurve` above) and at the end of training.

# %%
regbook.show_source(train)

# %% [markdown]
# Early stopping is a callback that feeds the monitored value of each epoch to a `regbook.pt.EarlyStopping`,
# remembers the epoch of the best one, and restores the best `state_dict` when training ends:

# %%
regbook.show_source(EarlyStoppingCallback)

# %% [markdown]
# ## Early stopping on the digits network
#
# We train the network of the first section with five seeds (each seed fixes the 200 training images, the
# initialization and the order of the mini-batches), in two ways: for the full 200 epochs, and with an
# `EarlyStoppingCallback` with patience 10 on the validation loss and `restore_best=True`. The runs are
# deterministic, so the early-stopped run is exactly the first $t_{\text{stop}}$ epochs of the full run;
# the next cell checks that too, by comparing the test loss of the restored network with the test loss the
# full run recorded at the best epoch.

# %%
PATIENCE = 10
full = {seed: hist_0 if seed == 0 else fit(seed)[1] for seed in SEEDS}   # seed 0 ran above
stopped = {}
for seed in SEEDS:
    model, hist = fit(seed, callbacks=[EarlyStoppingCallback(TorchEarlyStopping(patience=PATIENCE))])
    model.eval()
    with torch.no_grad():
        logits = model(X_test)
    stopped[seed] = dict(history=hist, test_loss=F.cross_entropy(logits, y_test).item(),
                         test_accuracy=accuracy(logits, y_test))

print("seed  best epoch  stop epoch  test loss: restored  last epoch (200) | test accuracy: restored  last")
for seed in SEEDS:
    h, f = stopped[seed]["history"], full[seed]
    print(f"{seed:>4}  {h.best_epoch:>10}  {h.epochs_run:>10}  {stopped[seed]['test_loss']:>19.3f}  "
          f"{f['test_loss'][-1]:>17.3f} | {stopped[seed]['test_accuracy']:>23.3f}  {f['test_accuracy'][-1]:.3f}")
    assert h.stopped_early and h.epochs_run == h.best_epoch + PATIENCE
    assert h["val_loss"] == f["val_loss"][:h.epochs_run]                   # the same run, cut short
    assert stopped[seed]["test_loss"] == f["test_loss"][h.best_epoch - 1]  # restored = the best epoch's net

# %% [markdown]
# Every run stopped exactly `PATIENCE` epochs after its best epoch, as {eq}`eq-es-rule` requires, and the
# restored network gives exactly the test loss that the full run recorded at the best epoch. The summary
# over seeds:

# %%
best_epochs = np.array([stopped[s]["history"].best_epoch for s in SEEDS])
stop_epochs = np.array([stopped[s]["history"].epochs_run for s in SEEDS])
es_loss = np.array([stopped[s]["test_loss"] for s in SEEDS])
end_loss = np.array([full[s]["test_loss"][-1] for s in SEEDS])
es_acc = np.array([stopped[s]["test_accuracy"] for s in SEEDS])
end_acc = np.array([full[s]["test_accuracy"][-1] for s in SEEDS])
saved_frac = 1 - stop_epochs.sum() / (EPOCHS * len(SEEDS))
print(f"best epoch {best_epochs.mean():.1f} ± {best_epochs.std():.1f}, stop epoch "
      f"{stop_epochs.mean():.1f} ± {stop_epochs.std():.1f} (mean ± std over {len(SEEDS)} seeds)")
print(f"test loss: early stopping {es_loss.mean():.3f} ± {es_loss.std():.3f}, "
      f"200 epochs {end_loss.mean():.3f} ± {end_loss.std():.3f}")
print(f"test accuracy: early stopping {es_acc.mean():.3f} ± {es_acc.std():.3f}, "
      f"200 epochs {end_acc.mean():.3f} ± {end_acc.std():.3f}")
print(f"epochs computed: {stop_epochs.sum()} instead of {EPOCHS * len(SEEDS)} ({saved_frac:.0%} saved)")
assert np.all(es_loss < end_loss) and end_loss.mean() > 1.15 * es_loss.mean()
assert abs(es_acc.mean() - end_acc.mean()) < 0.02        # accuracy barely moves either way
assert saved_frac > 0.5
glue("ch8_exp_best_mean", round(float(best_epochs.mean()), 4), display=False)
glue("ch8_exp_best_std", round(float(best_epochs.std()), 4), display=False)
glue("ch8_exp_stop_mean", round(float(stop_epochs.mean()), 4), display=False)
glue("ch8_exp_es_loss", round(float(es_loss.mean()), 4), display=False)
glue("ch8_exp_es_loss_std", round(float(es_loss.std()), 4), display=False)
glue("ch8_exp_end_loss", round(float(end_loss.mean()), 4), display=False)
glue("ch8_exp_end_loss_std", round(float(end_loss.std()), 4), display=False)
glue("ch8_exp_es_acc", round(float(es_acc.mean()), 4), display=False)
glue("ch8_exp_end_acc", round(float(end_acc.mean()), 4), display=False)
glue("ch8_exp_saved_pct", round(float(100 * saved_frac), 4), display=False)
glue("ch8_exp_epochs_run", int(stop_epochs.sum()), display=False)
glue("ch8_exp_epochs_full", EPOCHS * len(SEEDS), display=False)

# %% [markdown]
# Over the five seeds, the best validation epoch was {glue:text}`ch8_exp_best_mean` ±
# {glue:text}`ch8_exp_best_std` and training stopped at epoch {glue:text}`ch8_exp_stop_mean` on average.
# The restored networks have a test loss of {glue:text}`ch8_exp_es_loss` ± {glue:text}`ch8_exp_es_loss_std`,
# against {glue:text}`ch8_exp_end_loss` ± {glue:text}`ch8_exp_end_loss_std` for the networks trained for
# all 200 epochs: lower on every seed. The test *accuracy* hardly differs
# ({glue:text}`ch8_exp_es_acc` against {glue:text}`ch8_exp_end_acc`). After its best epoch the network
# mostly becomes more confident, which the cross-entropy punishes on the images it gets wrong, while
# few decisions change. What early stopping buys here is better predicted probabilities (a lower
# cross-entropy), not more correct answers; on another problem, or with accuracy as the monitored value,
# the balance can differ, and it is measured, not assumed.
#
# **It saves training time, and the saving is counted, not timed.** The early-stopped runs computed
# {glue:text}`ch8_exp_epochs_run` epochs in total instead of {glue:text}`ch8_exp_epochs_full`
# ({glue:text}`ch8_exp_saved_pct` % fewer). Of those, `PATIENCE` epochs per run are spent after the best
# epoch only to confirm that it was the best: the price of not knowing the future of the curve. Each
# epoch also costs one evaluation on the validation set, which is cheap here (359 images, no backward pass)
# but is not free for large validation sets, where one evaluates every few epochs instead.
#
# ## The patience trade-off
#
# A small patience stops soon after the first bump of a noisy validation curve; a large one waits longer
# and pays in epochs. Since the full runs recorded the whole validation and test curves, the rule can be
# replayed on them for any patience without retraining: the stopper of {eq}`eq-es-rule` reads the recorded
# validation losses, and the test loss of the restored network is the recorded test loss at its best epoch.
# (The previous cell showed, for $P = 10$, that this replay gives exactly what the callback gives.)

# %%
PATIENCES = [1, 2, 3, 5, 10, 20, 40]


def replay(val_losses, patience):
    """Run the stopping rule on a recorded curve; return (stop epoch, best epoch), 1-based."""
    stopper = EarlyStopping(patience=patience)
    for epoch, loss in enumerate(val_losses, start=1):
        if stopper.step(loss):
            break
    return epoch, stopper.best_step + 1


stop_p = np.zeros((len(PATIENCES), len(SEEDS)), dtype=int)
test_p = np.zeros((len(PATIENCES), len(SEEDS)))
for i, patience in enumerate(PATIENCES):
    for j, seed in enumerate(SEEDS):
        stop_p[i, j], best = replay(full[seed]["val_loss"], patience)
        test_p[i, j] = full[seed]["test_loss"][best - 1]
assert all(replay(full[s]["val_loss"], PATIENCE) == (stopped[s]["history"].epochs_run,
                                                      stopped[s]["history"].best_epoch) for s in SEEDS)
oracle = np.array([min(full[s]["test_loss"]) for s in SEEDS])

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
axes[0].errorbar(PATIENCES, stop_p.mean(1), yerr=stop_p.std(1), marker="o", capsize=3)
axes[0].set(xscale="log", xlabel="patience P (epochs)", ylabel="stop epoch", title="Cost: epochs computed")
axes[1].errorbar(PATIENCES, test_p.mean(1), yerr=test_p.std(1), marker="o", capsize=3,
                 color=plotting.COLORS["val"], label="restored network")
axes[1].axhline(end_loss.mean(), color="0.4", ls="--", label="after 200 epochs")
axes[1].axhline(oracle.mean(), color="0.4", ls=":", label="best epoch chosen on the test set")
axes[1].set(xscale="log", xlabel="patience P (epochs)", ylabel="test cross-entropy",
            title="Benefit: test loss of the restored network")
axes[1].legend(fontsize=8, loc="center right")
for ax in axes:
    ax.set_xticks(PATIENCES, [str(p) for p in PATIENCES])
plt.show()
for patience, stops, losses in zip(PATIENCES, stop_p, test_p):
    print(f"P = {patience:>2}: stop epoch {stops.mean():6.1f} ± {stops.std():4.1f}, "
          f"test loss {losses.mean():.3f} ± {losses.std():.3f}")

# %% [markdown]
# The stop epoch grows steadily with the patience, while the test loss of the restored network improves
# from $P = 1$ to moderate patience and then stays flat: once the patience is long enough to cross the
# bumps of the validation curve before its minimum, waiting longer finds the same best epoch and only costs
# epochs. The check:

# %%
small, moderate, large = (PATIENCES.index(p) for p in (1, 10, 40))
assert np.all(np.diff(stop_p.mean(1)) > 0)
assert test_p[small].mean() > test_p[moderate].mean() + 0.005
assert abs(test_p[large].mean() - test_p[moderate].mean()) < 0.01
assert np.all(test_p[moderate] < end_loss)
glue("ch8_pat_small_loss", round(float(test_p[small].mean()), 4), display=False)
glue("ch8_pat_small_stop", round(float(stop_p[small].mean()), 4), display=False)
glue("ch8_pat_large_stop", round(float(stop_p[large].mean()), 4), display=False)
glue("ch8_pat_large_loss", round(float(test_p[large].mean()), 4), display=False)
glue("ch8_pat_mod_loss", round(float(test_p[moderate].mean()), 4), display=False)

# %% [markdown]
# With $P = 1$ the runs stop at epoch {glue:text}`ch8_pat_small_stop` on average with a test loss of
# {glue:text}`ch8_pat_small_loss`; with $P = 10$ the test loss is {glue:text}`ch8_pat_mod_loss`, and
# $P = 40$ reaches {glue:text}`ch8_pat_large_loss` at the price of stopping at epoch
# {glue:text}`ch8_pat_large_stop`. The right patience depends on how noisy the validation curve is
# (mini-batch noise, a small validation set) and on how long its bumps last, in epochs. Prechelt
# {cite}`prechelt1998early` compared families of stopping criteria on many problems and found the same
# shape of trade-off: criteria that stop later improve generalization slightly, on average, and cost
# several times the training time.
#
# (ch8-l2)=
# ## Theory: for least squares, early stopping is (almost) an L2 penalty
#
# Why should stopping early regularize at all? For a linear model trained by gradient descent the answer
# is exact {cite}`bishop1995neural,sjoberg1995overtraining,goodfellow2016deep`. Take the mean squared
# error and its gradient,
#
# $$
# L(w) = \frac{1}{2n}\lVert y - Xw\rVert_2^2, \qquad \nabla L(w) = Sw - b, \qquad
# S = \frac{X^\top X}{n} = \sum_{i} s_i v_i v_i^\top, \quad b = \frac{X^\top y}{n},
# $$ (eq-es-ls)
#
# with eigenvalues $s_1 \ge s_2 \ge \dots \ge 0$ and orthonormal eigenvectors $v_i$. Gradient descent with
# step $\eta$ from $w_0 = 0$ is $w_{t+1} = w_t - \eta(Sw_t - b)$. In the eigenbasis the coordinates
# decouple. Write $\hat c_i = v_i^\top b / s_i$ for the coordinates of the (minimum-norm) least-squares
# solution $\hat w$ ($b$ has no component along an eigenvector with $s_i = 0$, since $b$ lies in the row
# space of $X$). The coordinate $c_i(t) = v_i^\top w_t$ obeys
# $c_i(t+1) - \hat c_i = (1 - \eta s_i)\,(c_i(t) - \hat c_i)$, because $\eta s_i \hat c_i = \eta v_i^\top b$.
# Unrolling from $c_i(0) = 0$:
#
# $$
# w_t = \sum_{i:\, s_i > 0} \varphi_i^{\text{GD}}(t)\, \hat c_i\, v_i, \qquad
# \varphi_i^{\text{GD}}(t) = 1 - (1 - \eta s_i)^t .
# $$ (eq-es-gd-filter)
#
# Ridge regression with the same scaling, $\min_w L(w) + \frac{\lambda}{2}\lVert w\rVert_2^2$, solves
# $(S + \lambda I)w = b$, so in the same basis
#
# $$
# w_\lambda = \sum_{i} \varphi_i^{\text{ridge}}(\lambda)\, \hat c_i\, v_i, \qquad
# \varphi_i^{\text{ridge}}(\lambda) = \frac{s_i}{s_i + \lambda} .
# $$ (eq-es-ridge-filter)
#
# (regbook's `ridge` follows scikit-learn's $\lVert y - Xw\rVert^2 + \alpha\lVert w\rVert^2$, so
# $\alpha = n\lambda$.) Both methods keep the least-squares solution's directions and shrink each
# coordinate by a **filter factor** in $[0, 1]$: close to 1 for large eigenvalues (directions the data
# determine well), close to 0 for small ones (directions dominated by noise). They are the same kind of
# estimator; what remains is to match their parameters. Write $u_i = \eta s_i t$ and set
# $\lambda = 1/(\eta t)$, so that $\varphi_i^{\text{ridge}} = u_i/(1 + u_i)$.
#
# * **Small steps, $\eta s_i \ll 1$.** Then
#   $(1-\eta s_i)^t = e^{t\log(1-\eta s_i)} = e^{-u_i(1 + \eta s_i/2 + \dots)} \approx e^{-u_i}$: gradient
#   descent is close to gradient flow, and $\varphi_i^{\text{GD}} \approx 1 - e^{-u_i}$.
#   This is the regime where the comparison is meaningful; with $\eta = 1/s_1$ it holds for every
#   direction except the few largest, which gradient descent fits within a step or two anyway.
# * **Directions not yet fitted, $u_i = \eta s_i t \ll 1$.** $1 - e^{-u} = u - u^2/2 + O(u^3)$ and
#   $u/(1+u) = u - u^2 + O(u^3)$: both filters equal $\eta t\, s_i = s_i/\lambda$ **to first order**; they
#   differ at second order in $u_i$.
# * **Directions already fitted, $u_i \gg 1$.** Both filters tend to 1: $1 - e^{-u}$ exponentially,
#   $u/(1+u)$ like $1 - 1/u$.
# * **In between, $u_i \approx 1$.** They differ by about $\frac{1}{1+u} - e^{-u} \ge 0$, whose largest
#   value over $u > 0$ is {glue:text}`ch8_l2_gap_max`, at $u \approx$ {glue:text}`ch8_l2_gap_u` (computed
#   below).
#
# These approximations can be replaced by a bound that holds for every direction with $0 < \eta s_i \le 1$
# (so for all of them when $\eta \le 1/s_1$). With $\lambda = 1/(\eta t)$,
#
# $$
# 0 \;\le\; \varphi_i^{\text{GD}}(t) - \varphi_i^{\text{ridge}}\!\left(\tfrac{1}{\eta t}\right)
# \;\le\; \min\!\Big(\frac{u_i^2}{1 + u_i},\ \frac{1}{1 + u_i}\Big), \qquad u_i = \eta s_i t .
# $$ (eq-es-match)
#
# *Proof.* Lower bound: $(1-x)^t \le e^{-xt}$ and $e^{-u} \le 1/(1+u)$, so
# $\varphi^{\text{GD}} \ge 1 - e^{-u} \ge u/(1+u)$. Upper bounds: Bernoulli's inequality
# $(1-x)^t \ge 1 - tx$ for $x \le 1$ gives $\varphi^{\text{GD}} \le u$, hence a difference of at most
# $u - u/(1+u) = u^2/(1+u)$; and $\varphi^{\text{GD}} \le 1$ gives at most $1 - u/(1+u) = 1/(1+u)$. So the
# filters agree to first order where $u_i$ is small, agree where $u_i$ is large, and the number of steps
# plays the role of the inverse penalty: $\lambda \approx 1/(\eta t)$. Because the difference is never
# negative, gradient descent always shrinks a little *less* than ridge at $\lambda = 1/(\eta t)$, so the
# ridge solution closest to $w_t$ has a somewhat smaller $\lambda$, by a factor of order one. The
# correspondence is not an exact equality for any single $\lambda$; it is a statement about two families of
# estimators that sweep through nearly the same solutions in the same order as $t$ grows and $\lambda$
# shrinks. Yao, Rosasco and Caponnetto {cite}`yao2007early` turn this into learning rates for
# early-stopped gradient descent in reproducing kernel Hilbert spaces, with $1/(\eta t)$ in the
# role of the regularization parameter.
#
# We check the derivation on a regression problem built to have a wide spectrum: $n = 100$ examples,
# $d = 60$ features whose scales decrease geometrically from 1 to 0.02, a random true weight vector and
# noise of standard deviation 0.5; a validation set of 1000 examples from the same distribution.
# First {eq}`eq-es-gd-filter`: 10,000 steps of gradient descent against the closed form, and regbook's
# `ridge` against {eq}`eq-es-ridge-filter`.

# %%
r_lin = np.random.default_rng(0)
N_LIN, D_LIN, NOISE_LIN = 100, 60, 0.5
scales = np.geomspace(1.0, 0.02, D_LIN)
w_true = 0.5 * r_lin.standard_normal(D_LIN)
X_lin = r_lin.standard_normal((N_LIN, D_LIN)) * scales
y_lin = X_lin @ w_true + NOISE_LIN * r_lin.standard_normal(N_LIN)
X_lv = r_lin.standard_normal((1000, D_LIN)) * scales
y_lv = X_lv @ w_true + NOISE_LIN * r_lin.standard_normal(1000)

S = X_lin.T @ X_lin / N_LIN
b = X_lin.T @ y_lin / N_LIN
s, V = np.linalg.eigh(S)                       # ascending eigenvalues, eigenvectors in columns
c_hat = (V.T @ b) / s                          # least-squares coordinates (all s_i > 0 here)
ETA = 1.0 / s.max()


def w_gd(t):
    """Gradient descent after t steps from 0, by the filter factors (eq-es-gd-filter)."""
    return V @ ((1 - (1 - ETA * s) ** t) * c_hat)


def w_ridge(lam):
    """Ridge with penalty (lam/2)|w|^2 on the 1/(2n) loss, by the filter factors (eq-es-ridge-filter)."""
    return V @ (s / (s + lam) * c_hat)


w, errors = np.zeros(D_LIN), []
for t in range(1, 10_001):
    w = w - ETA * (S @ w - b)                  # one gradient step on eq-es-ls
    if t in (1, 10, 100, 1000, 10_000):
        errors.append(checks.rel_error(w, w_gd(t)))
err_ridge = checks.rel_error(ridge(X_lin, y_lin, alpha=N_LIN * 0.01, fit_intercept=False).coef, w_ridge(0.01))
print(f"eigenvalues of S from {s.min():.2e} to {s.max():.2f}; step eta = 1/s_max = {ETA:.3f}")
print(f"gradient descent vs filter formula, t = 1 ... 10^4: max rel. error "
      f"{checks.error_bound(max(errors), floor=1e-10)}")
print(f"regbook ridge(alpha = n lambda) vs filter formula: rel. error {checks.error_bound(err_ridge, floor=1e-10)}")
assert max(errors) < 1e-10 and err_ridge < 1e-10               # rounding level (S has condition number ~1e4)

u = np.geomspace(1e-4, 1e4, 100_001)
gap = 1 / (1 + u) - np.exp(-u)                 # gradient flow: (1 - e^-u) - u/(1+u)
print(f"max over u of 1/(1+u) - e^-u: {gap.max():.4f} at u = {u[gap.argmax()]:.2f}")
assert gap.min() >= 0 and 0.2 < gap.max() < 0.21

# the bound eq-es-match on every eigenvalue of this problem, for t = 1 ... 10^6
t_grid = np.unique(np.geomspace(1, 1e6, 200).round())[:, None]      # (n_t, 1)
u_it = ETA * s * t_grid                                               # (n_t, d)
diff = (1 - (1 - ETA * s) ** t_grid) - u_it / (1 + u_it)
bound = np.minimum(u_it**2 / (1 + u_it), 1 / (1 + u_it))
small_step = ETA * s <= 0.05                                         # the regime eta s_i << 1
print(f"eq-es-match on {diff.size} (t, s_i) pairs: every difference >= 0, largest difference / bound "
      f"{np.max(diff / bound):.3f}; largest difference {diff.max():.3f} overall, "
      f"{diff[:, small_step].max():.3f} where eta s_i <= 0.05")
assert diff.min() > -1e-12 and np.all(diff <= bound + 1e-12) and diff[:, small_step].max() < gap.max() + 0.01
glue("ch8_l2_diff_small", round(float(diff[:, small_step].max()), 4), display=False)
glue("ch8_l2_gap_max", round(float(gap.max()), 4), display=False)
glue("ch8_l2_gap_u", round(float(u[gap.argmax()]), 4), display=False)
glue("ch8_l2_smin", float(f"{s.min():.3g}"), display=False)
glue("ch8_l2_smax", round(float(s.max()), 4), display=False)

# %% [markdown]
# The bound {eq}`eq-es-match` holds on every pair and is attained: at $t = 1$ the largest eigenvalue has
# $\eta s_1 = 1$, so gradient descent fits that direction completely in one step while ridge with
# $\lambda = 1/\eta = s_1$ fits it halfway. Where $\eta s_i \le 0.05$ the difference never exceeds
# {glue:text}`ch8_l2_diff_small`, close to the gradient-flow value {glue:text}`ch8_l2_gap_max`.
#
# The same iteration through `regbook.pt.training.train` (a bias-free `nn.Linear` in float64, full-batch
# `torch.optim.SGD` with learning rate $\eta$, and half the mean squared error as the loss, so that the
# gradient is {eq}`eq-es-ls`) lands on the same formula:

# %%
X_t, y_t = torch.tensor(X_lin), torch.tensor(y_lin)[:, None]
lin_model = nn.Linear(D_LIN, 1, bias=False).double()
nn.init.zeros_(lin_model.weight)


def half_mse(output, target):
    return 0.5 * F.mse_loss(output, target)


lin_hist = train(lin_model, half_mse, torch.optim.SGD(lin_model.parameters(), lr=ETA), (X_t, y_t),
                 epochs=300, progress=False)
err_torch = checks.rel_error(lin_model.weight.detach().numpy().ravel(), w_gd(300))
print(f"regbook.pt.train, 300 epochs of full-batch SGD vs eq-es-gd-filter: rel. error "
      f"{checks.error_bound(err_torch, floor=1e-10)}")
assert err_torch < 1e-10

# %% [markdown]
# Now the matching of $\lambda$ and $t$. For each $t$ on a logarithmic grid, we find the $\lambda$ whose
# ridge solution is closest to the gradient-descent iterate, $\lambda^\star(t) = \arg\min_\lambda
# \lVert w_t - w_\lambda\rVert_2$ (a one-dimensional minimization over $\log\lambda$), and compare it with
# $1/(\eta t)$. The left panel shows the filter factors themselves for three values of $t$.

# %%
ts = np.unique(np.geomspace(1, 3e5, 40).round().astype(int))


def closest_lambda(t):
    wt = w_gd(t)
    res = optimize.minimize_scalar(lambda z: np.sum((wt - w_ridge(np.exp(z))) ** 2),
                                   bounds=(np.log(1e-9), np.log(1e3)), method="bounded",
                                   options={"xatol": 1e-8})
    return float(np.exp(res.x))


lam_star = np.array([closest_lambda(t) for t in ts])
ratio = lam_star * ETA * ts                                          # lambda* / (1 / (eta t))
inside = (1 / (ETA * ts) >= 10 * s.min()) & (1 / (ETA * ts) <= s.max())   # 1/(eta t) well inside the spectrum
slope = np.polyfit(np.log(ts[inside]), np.log(lam_star[inside]), 1)[0]

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
s_grid = np.geomspace(s.min(), s.max(), 200)
for k, t in enumerate((10, 300, 10_000)):
    color = plotting.PALETTE[k]
    axes[0].plot(s_grid, 1 - (1 - ETA * s_grid) ** t, color=color, label=f"GD, t = {t}")
    axes[0].plot(s_grid, s_grid / (s_grid + 1 / (ETA * t)), color=color, ls="--",
                 label=rf"ridge, $\lambda = 1/(\eta \cdot {t})$")
axes[0].set(xscale="log", xlabel="eigenvalue $s_i$ of $X^TX/n$", ylabel="filter factor",
            title="Filter factors: gradient descent vs ridge")
axes[0].legend(fontsize=7, ncol=2)
axes[1].loglog(ts, lam_star, "o", ms=4, label=r"$\lambda^\star(t)$ closest to $w_t$")
axes[1].loglog(ts, 1 / (ETA * ts), "k--", lw=1, label=r"$1/(\eta t)$")
axes[1].axhspan(s.min(), s.max(), color="0.93", label="range of the eigenvalues")
axes[1].set(xlabel="gradient steps t", ylabel=r"$\lambda$", ylim=(1e-8, 10),
            title=r"The ridge solution closest to $w_t$")
axes[1].legend(fontsize=8)
plt.show()
print(f"fitted slope of log lambda* vs log t where 10 s_min <= 1/(eta t) <= s_max: {slope:.3f}")
print(f"lambda* eta t in that range: from {ratio[inside].min():.2f} to {ratio[inside].max():.2f}")
print(f"beyond it (eta t s_min > 1): lambda* falls to {lam_star[-1]:.0e}, gradient descent is least squares")
assert abs(slope + 1) < 0.1 and 0.4 < ratio[inside].min() and ratio[inside].max() < 1.0
glue("ch8_l2_slope", round(float(slope), 4), display=False)
glue("ch8_l2_ratio_min", round(float(ratio[inside].min()), 4), display=False)
glue("ch8_l2_ratio_max", round(float(ratio[inside].max()), 4), display=False)

# %% [markdown]
# The filter factors of gradient descent and of ridge at $\lambda = 1/(\eta t)$ have the same shape and the
# same position on the eigenvalue axis, with the gradient-descent filter slightly steeper, as
# {eq}`eq-es-match` predicts. On the right, while $1/(\eta t)$ lies inside the spectrum
# ({glue:text}`ch8_l2_smin` to {glue:text}`ch8_l2_smax`), the best-matching $\lambda^\star$ follows a line
# of slope {glue:text}`ch8_l2_slope` on log–log axes, and $\lambda^\star \cdot \eta t$ stays between
# {glue:text}`ch8_l2_ratio_min` and {glue:text}`ch8_l2_ratio_max`: $\lambda^\star$ is proportional to
# $1/(\eta t)$ and slightly below it, as explained above. Once $\eta t\, s_{\min} \gg 1$, every direction is fitted
# and gradient descent has become least squares, which is ridge with $\lambda = 0$: $\lambda^\star$ drops to
# the bottom of the search interval. (With fewer steps than $1/(\eta s_1)$ — not reachable here, since
# $\eta = 1/s_1$ — both would be in the first-order regime of every direction.)
#
# Last, the statistical consequence: the validation error along the gradient-descent path, as a function
# of $\eta t$, and along the ridge path, as a function of $1/\lambda$, on the same axis. Early stopping on
# this problem, with the `EarlyStoppingCallback` on the torch run of the same gradient descent, should stop
# near the minimum of the first curve.

# %%
def val_mse(w):
    return float(np.mean((y_lv - X_lv @ w) ** 2))


t_path = np.unique(np.geomspace(1, 1e5, 120).round().astype(int))
lam_path = np.geomspace(1e-5, 10, 120)
val_gd = np.array([val_mse(w_gd(t)) for t in t_path])
val_ridge = np.array([val_mse(w_ridge(lam)) for lam in lam_path])
val_ls = val_mse(V @ c_hat)
best_gd, best_ridge = np.argmin(val_gd), np.argmin(val_ridge)

lin_model = nn.Linear(D_LIN, 1, bias=False).double()
nn.init.zeros_(lin_model.weight)
es_hist = train(lin_model, half_mse, torch.optim.SGD(lin_model.parameters(), lr=ETA), (X_t, y_t),
                epochs=2000, val_data=(torch.tensor(X_lv), torch.tensor(y_lv)[:, None]), eval_train=False,
                callbacks=[EarlyStoppingCallback(TorchEarlyStopping(patience=50))], progress=False)
t_es = es_hist.best_epoch
curve = [val_mse(w_gd(t)) for t in range(1, es_hist.epochs_run + 1)]
assert t_es == int(np.argmin(curve)) + 1                         # the callback found the curve's minimum
assert checks.rel_error(lin_model.weight.detach().numpy().ravel(), w_gd(t_es)) < 1e-10   # and restored w_t*

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(ETA * t_path, val_gd, color=plotting.COLORS["train"], label=r"gradient descent, x = $\eta t$")
ax.plot(1 / lam_path, val_ridge, color=plotting.COLORS["val"], ls="--", label=r"ridge, x = $1/\lambda$")
ax.axhline(val_ls, color="0.5", ls=":", label="least squares")
ax.axvline(ETA * t_es, color=plotting.COLORS["train"], lw=0.8, label="early stopping (patience 50)")
ax.set(xscale="log", xlabel=r"$\eta t$  or  $1/\lambda$", ylabel="validation mean squared error",
       title="Two regularization paths, one validation curve")
ax.legend(fontsize=8)
plt.show()
print(f"gradient descent: best validation MSE {val_gd[best_gd]:.4f} at eta t = {ETA * t_path[best_gd]:.0f}; "
      f"early stopping chose t = {t_es} (eta t = {ETA * t_es:.0f})")
print(f"ridge: best validation MSE {val_ridge[best_ridge]:.4f} at 1/lambda = {1 / lam_path[best_ridge]:.0f}; "
      f"least squares {val_ls:.4f}")
gap_best = abs(val_gd[best_gd] / val_ridge[best_ridge] - 1)
where_ratio = (ETA * t_path[best_gd]) * lam_path[best_ridge]
assert gap_best < 0.03 and 0.25 < where_ratio < 1.0 and val_ls > 1.5 * max(val_gd.min(), val_ridge.min())
glue("ch8_l2_val_gd", round(float(val_gd[best_gd]), 4), display=False)
glue("ch8_l2_val_ridge", round(float(val_ridge[best_ridge]), 4), display=False)
glue("ch8_l2_val_ls", round(float(val_ls), 4), display=False)
glue("ch8_l2_t_es", int(t_es), display=False)
glue("ch8_l2_where_ratio", round(float(where_ratio), 4), display=False)

# %% [markdown]
# The two curves have the same shape: both fall from the error of strongly shrunk solutions to nearly the
# same minimum (validation MSE {glue:text}`ch8_l2_val_gd` for gradient descent,
# {glue:text}`ch8_l2_val_ridge` for ridge), and rise to the least-squares error {glue:text}`ch8_l2_val_ls`
# as $t \to \infty$ or $\lambda \to 0$. The gradient-descent curve is shifted slightly to the left (the
# minima are at $\eta t \approx$ {glue:text}`ch8_l2_where_ratio` $\times\, 1/\lambda$), as
# $\lambda^\star < 1/(\eta t)$ predicts. The early-stopping callback stopped the torch run with its best
# epoch at $t =$ {glue:text}`ch8_l2_t_es`, the exact minimum of the gradient-descent curve, and restored
# $w_{t}$ there. Choosing the number of steps on validation data is choosing a ridge penalty on validation
# data, and it costs one training run instead of one per candidate $\lambda$.
#
# (ch8-pitfalls)=
# ## Pitfalls and corrections
#
# **Choosing the stopping epoch on the test set.** Picking the epoch where the *test* curve is lowest
# gives a test loss that is biased low, for the same reason as picking $\lambda$ on the test set
# ({doc}`ch05_choosing_lambda`): the minimum of a noisy curve is lower than its value at a point chosen
# independently of the noise. Both numbers are available from the runs above: the test loss at the epoch
# chosen on the validation set (an honest estimate) and the minimum of the test curve (what one would
# report after peeking).

# %%
optimism = es_loss - oracle
print(f"test loss at the validation-chosen epoch {es_loss.mean():.4f}, minimum of the test curve "
      f"{oracle.mean():.4f}: peeking reports a loss lower by {optimism.mean():.4f} on average "
      f"(per seed: {np.round(optimism, 4)})")
assert np.all(optimism >= 0) and optimism.mean() > 0
glue("ch8_pit_oracle", round(float(oracle.mean()), 4), display=False)
glue("ch8_pit_optimism", round(float(optimism.mean()), 4), display=False)

# %% [markdown]
# The peeked value ({glue:text}`ch8_pit_oracle`) is lower by {glue:text}`ch8_pit_optimism` on average and
# never higher, by construction. With a test set of a few hundred images the bias is small here but it is
# never zero, and it grows when one also peeks at the patience, the learning rate and the architecture.
# The validation set decides, the test set reports.
#
# **Forgetting to restore the best weights.** Without `restore_best` the loop returns the weights of the
# stopping epoch, $P$ epochs after the best one: those epochs were spent overfitting, by the rule's own
# measure. On the recorded runs:

# %%
no_restore = {}
for patience in (PATIENCE, 40):
    i = PATIENCES.index(patience)
    at_stop = np.array([full[s]["test_loss"][stop_p[i, j] - 1] for j, s in enumerate(SEEDS)])
    no_restore[patience] = at_stop
    print(f"P = {patience}: test loss of the restored network {test_p[i].mean():.3f}, "
          f"of the network at the stopping epoch {at_stop.mean():.3f}")
assert np.all(no_restore[PATIENCE] > test_p[PATIENCES.index(PATIENCE)])
assert no_restore[40].mean() > no_restore[PATIENCE].mean()
glue("ch8_pit_norestore_10", round(float(no_restore[PATIENCE].mean()), 4), display=False)
glue("ch8_pit_norestore_40", round(float(no_restore[40].mean()), 4), display=False)

# %% [markdown]
# Without restoring, the test loss is {glue:text}`ch8_pit_norestore_10` with $P = 10$ (against
# {glue:text}`ch8_exp_es_loss` restored) and {glue:text}`ch8_pit_norestore_40` with $P = 40$: the larger
# the patience, the more it costs to forget. `EarlyStopping` in regbook restores by default; Keras's
# `EarlyStopping` callback does *not* (`restore_best_weights=False` is its default), which is a common
# source of this mistake.
#
# **Patience too small for a noisy validation curve.** Mini-batch training makes the validation curve
# jagged, and a small validation set adds sampling noise. With $P = 1$ the runs above stopped at epoch
# {glue:text}`ch8_pat_small_stop` on average, at the first upward tick, with a test loss of
# {glue:text}`ch8_pat_small_loss` instead of {glue:text}`ch8_pat_mod_loss`. A margin `min_delta` does not fix
# this: it makes small improvements not count, which stops the run *sooner* (the scripted example above).
#
# **Early stopping together with a learning-rate schedule.** A schedule that lowers the learning rate when
# the validation loss stalls (`ReduceLROnPlateau`) and an early-stopping rule watch the same curve. If the
# stopper's patience is not longer than the scheduler's, the run stops at the first plateau, before the
# learning rate is ever lowered, and the schedule does nothing. The same holds for step and cosine schedules,
# where the validation loss often drops right after a decay: the patience must cover the distance between
# decays. One seed, `ReduceLROnPlateau` with patience 5 and factor 0.2, and two stoppers:

# %%
def fit_with_schedule(es_patience, seed=0):
    X, y = training_subset(seed)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                          nn.Linear(HIDDEN, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.2, patience=5)
    return train(model, F.cross_entropy, opt, (X, y), epochs=EPOCHS, val_data=(X_val, y_val), batch_size=BATCH,
                 callbacks=[TestCurve(), LRSchedulerCallback(sched),
                            EarlyStoppingCallback(TorchEarlyStopping(patience=es_patience))],
                 generator=torch.Generator().manual_seed(seed), progress=False, eval_train=False)


sched_runs = {p: fit_with_schedule(p) for p in (3, 20)}
for p, h in sched_runs.items():
    n_reductions = len(set(h["lr"])) - 1
    print(f"early-stopping patience {p:>2}: stopped at epoch {h.epochs_run:>3}, best epoch {h.best_epoch:>3}, "
          f"learning rate lowered {n_reductions} time(s), test loss at the best epoch "
          f"{h['test_loss'][h.best_epoch - 1]:.3f}")
assert set(sched_runs[3]["lr"]) == {LR}                     # the schedule never acted
assert len(set(sched_runs[20]["lr"])) > 1                   # with a longer patience it did
glue("ch8_pit_sched_stop3", sched_runs[3].epochs_run, display=False)

# %% [markdown]
# With an early-stopping patience of 3 the run ended at epoch {glue:text}`ch8_pit_sched_stop3` with the
# learning rate never lowered: the schedule was configured but had no effect. With a patience of 20 the
# scheduler gets its turn. Whether the lowered learning rate then helps is a separate, empirical question;
# the point is that the two patiences have to be chosen together, the stopper's longer than the
# scheduler's.
#
# **The validation data are not trained on.** Early stopping spends a validation set. With little data,
# Goodfellow et al. {cite}`goodfellow2016deep` (section 7.8) describe two ways to recover it: retrain from
# scratch on training and validation data for the number of epochs (or of parameter updates) found, or
# keep the early-stopped parameters and continue training on all the data until the loss on the validation
# part falls below the training loss at which early stopping halted. Neither is exact: the best number of
# steps depends on the amount of data, and the second target need not ever be reached.
#
# **The sources.** Source 004 lists, in its reading list, "Early Stopping: How To Know When Your Data is
# Around (Bakir等, 2006年)" as the paper that introduced early stopping. We could not find any publication
# with this title or this content, and the title does not describe early stopping; it appears to be
# invented. Early stopping predates 2006 by well over a decade: it was used in the backpropagation
# literature of the late 1980s and early 1990s, its equivalence with weight decay for linear models is in
# {cite}`sjoberg1995overtraining` and in Bishop's 1995 textbook {cite}`bishop1995neural`, and the standard
# practical reference on stopping criteria is Prechelt {cite}`prechelt1998early`. The sources never give
# the stopping rule itself, nor its Chinese name; 早停 and 提前停止 are the terms in common use.
#
# ## Summary
#
# - Early stopping monitors a validation metric during training and returns the parameters of the best
#   epoch. The rule {eq}`eq-es-improve`–{eq}`eq-es-rule` has three settings: the patience $P$, an absolute
#   margin $\delta$, and restoring the best weights (which should always be on).
# - On 200 digits it stopped after {glue:text}`ch8_exp_stop_mean` epochs on average instead of 200, saving
#   {glue:text}`ch8_exp_saved_pct` % of the epochs, and lowered the test loss from
#   {glue:text}`ch8_exp_end_loss` to {glue:text}`ch8_exp_es_loss` on every seed; the test accuracy barely
#   changed.
# - The patience trades epochs for robustness to a noisy validation curve: too small stops at the first
#   bump, and beyond a moderate value only the cost grows.
# - For least squares and gradient descent from zero, $t$ steps of size $\eta$ apply the filter factors
#   $1 - (1 - \eta s_i)^t$ {eq}`eq-es-gd-filter`, ridge applies $s_i/(s_i + \lambda)$
#   {eq}`eq-es-ridge-filter`, and the two agree to first order with $\lambda \approx 1/(\eta t)$
#   {eq}`eq-es-match`; numerically the closest ridge solution has $\lambda^\star \eta t$ between
#   {glue:text}`ch8_l2_ratio_min` and {glue:text}`ch8_l2_ratio_max`, and the validation curves of the two
#   paths nearly coincide.
# - Choose the stopping point on validation data, never on the test set; make the stopper's patience
#   longer than a learning-rate scheduler's.
#
# ## Exercises
#
# **Autograded:** {doc}`Assignment 8 <exercises/solutions/a08_early_stopping>` has coding exercises on this chapter with checks you can run,
# and covers exercise 1 below (the stopping rule); download the student notebook from the {doc}`assignments page <exercises/index>`.
#
# 1. **The rule by hand (coding).** Write `my_stop(metrics, patience, min_delta)` returning
#    `(stop_step, best_step)` (0-based, `None` if it never stops) from {eq}`eq-es-improve`–{eq}`eq-es-rule`,
#    and check it against `regbook.np.early_stopping.EarlyStopping` on 1000 random sequences of length 30
#    (random walks, with and without NaN entries) with `checks.check_true`.
# 2. **Filter factors with momentum.** Heavy-ball gradient descent,
#    $w_{t+1} = w_t - \eta \nabla L(w_t) + \beta (w_t - w_{t-1})$, also acts coordinate-wise in the
#    eigenbasis of $S$. Derive the recursion of its filter factor, compute it numerically for $\beta = 0.9$,
#    and find which $\lambda$ matches $t$ steps (hint: compare with $1/(\eta t/(1-\beta))$). Check with
#    `checks.assert_close` that your recursion reproduces the iterates of `torch.optim.SGD(momentum=0.9)`
#    run through `regbook.pt.training.train`.
# 3. **Effective number of parameters.** The degrees of freedom of a linear smoother are the sum of its
#    filter factors. Plot $\sum_i \varphi_i^{\text{GD}}(t)$ and $\sum_i \varphi_i^{\text{ridge}}(1/(\eta t))$
#    against $t$ for the chapter's regression problem. Where do they differ most, and why (use
#    {eq}`eq-es-match`)?
# 4. **Retraining on all the data.** For the digits network, implement the first strategy of the
#    {ref}`pitfalls <ch8-pitfalls>`: after early stopping on the validation set, retrain from scratch on the
#    200 training plus the 359 validation images for the same number of parameter updates. Compare the test
#    loss with the early-stopped network over five seeds. Is "the same number of updates" or "the same number
#    of epochs" the better translation, and why?
# 5. **Monitoring accuracy instead of loss.** Rerun the digits experiment with
#    `EarlyStoppingCallback(TorchEarlyStopping(patience=10, mode="max"), monitor="val_accuracy")`. Accuracy on 359 images moves in
#    steps of $1/359$: what happens with `min_delta=0`, and what value of `min_delta` makes sense? Report the
#    stop epochs and test losses against the chapter's.
# 6. **Large steps.** Repeat the matching of $\lambda^\star(t)$ with $\eta = 1.9/s_1$. Which directions leave
#    the regime $\eta s_i \ll 1$, what does $(1-\eta s_i)^t$ do for them, and does the slope $-1$ survive?
#
# ## References
#
# The practical rule and a systematic comparison of stopping criteria are in {cite}`prechelt1998early`;
# {cite}`goodfellow2016deep` (section 7.8) presents early stopping as regularization, including the
# quadratic-approximation argument for its equivalence with L2 regularization that the chapter makes exact
# for least squares. That equivalence goes back to {cite}`sjoberg1995overtraining` and
# {cite}`bishop1995neural`; {cite}`yao2007early` give convergence rates for early-stopped gradient descent,
# and {cite}`ali2019continuous` compare the gradient-flow and ridge solutions of least squares in detail,
# including their risks. Full entries are in the {doc}`bibliography`.
