"""regbook.np.ensembles and regbook.pt.ensembles: bootstrap statistics, bagging, OOB, snapshot ensembles."""

import math

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.ensemble import BaggingClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from torch import nn

from regbook.np import ensembles as E
from regbook.pt import ensembles as P
from regbook.pt.training import LRSchedulerCallback, train


class MeanOfTargets:
    """Deterministic toy estimator: predicts the training mean; probabilities from label frequencies."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.freq_ = np.array([np.mean(y == c) for c in self.classes_])
        self.mean_ = float(np.mean(y))
        return self

    def predict_proba(self, X):
        return np.tile(self.freq_, (len(X), 1))

    def predict(self, X):
        return np.full(len(X), self.classes_[self.freq_.argmax()])


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_indices_are_in_range_and_reproducible():
    idx = E.bootstrap_indices(50, n_estimators=8, rng=3)
    assert idx.shape == (8, 50) and idx.dtype.kind == "i" and idx.min() >= 0 and idx.max() < 50
    np.testing.assert_array_equal(idx, E.bootstrap_indices(50, n_estimators=8, rng=np.random.default_rng(3)))


def test_fraction_of_unique_indices_is_one_minus_one_over_e():
    n, B = 1000, 400
    idx = E.bootstrap_indices(n, n_estimators=B, rng=0)
    frac = np.array([len(np.unique(row)) / n for row in idx])
    expected = 1 - (1 - 1 / n) ** n
    assert expected == pytest.approx(1 - 1 / math.e, abs=2e-4)
    # per-sample sd of the fraction is about 0.015 / sqrt(n / 1000); the mean of B=400 has sd < 1e-3
    assert abs(frac.mean() - expected) < 3e-3


# --------------------------------------------------------------------------- bagging by hand
def test_bagging_a_deterministic_estimator_on_identical_samples_equals_the_estimator():
    X2, y2 = np.arange(12.0).reshape(-1, 1), np.tile([0, 1], 6)
    # with n = 1 every bootstrap sample is the whole training set: bagging = the single estimator
    ests = E.bagging_fit(lambda: DecisionTreeClassifier(random_state=0), X2[:1], y2[:1], n_estimators=5, rng=0)
    one = DecisionTreeClassifier(random_state=0).fit(X2[:1], y2[:1])
    np.testing.assert_array_equal(E.bagging_predict(ests, X2), one.predict(X2))
    np.testing.assert_array_equal(E.bagging_predict_proba(ests, X2), one.predict_proba(X2))
    # a constant target: every bootstrap sample has identical content, whatever the draws
    X, y = np.arange(6.0).reshape(-1, 1), np.ones(6, dtype=int)
    ests = E.bagging_fit(MeanOfTargets, X, y, n_estimators=7, rng=1)
    np.testing.assert_array_equal(E.bagging_predict(ests, X), MeanOfTargets().fit(X, y).predict(X))
    np.testing.assert_array_equal(E.bagging_predict_proba(ests, X), MeanOfTargets().fit(X, y).predict_proba(X))


def test_bagging_equals_a_hand_written_loop_with_the_same_indices():
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    ests, idx = E.bagging_fit(lambda: DecisionTreeClassifier(max_depth=3, random_state=0), X, y,
                              n_estimators=9, rng=5, return_indices=True)
    np.testing.assert_array_equal(idx, E.bootstrap_indices(120, n_estimators=9, rng=5))
    hand = [DecisionTreeClassifier(max_depth=3, random_state=0).fit(X[r], y[r]) for r in idx]
    P_hand = np.mean([h.predict_proba(X) for h in hand], axis=0)
    np.testing.assert_allclose(E.bagging_predict_proba(ests, X), P_hand, atol=1e-15)
    np.testing.assert_array_equal(E.bagging_predict(ests, X), P_hand.argmax(axis=1))
    votes = np.array([h.predict(X) for h in hand])  # 9 voters, 2 classes: no ties
    np.testing.assert_array_equal(E.bagging_predict(ests, X, voting="hard"), (votes.mean(axis=0) > 0.5).astype(int))


def test_probabilities_average_and_classes_missing_from_a_sample_are_aligned():
    class Fixed:
        def __init__(self, classes, p):
            self.classes_, self.p = np.array(classes), np.array(p)

        def predict_proba(self, X):
            return np.tile(self.p, (len(X), 1))

        def predict(self, X):
            return np.full(len(X), self.classes_[self.p.argmax()])

    ests = [Fixed([0, 1, 2], [0.2, 0.2, 0.6]), Fixed([0, 2], [0.9, 0.1])]  # the second never saw class 1
    P_mean = E.bagging_predict_proba(ests, np.zeros((2, 3)))
    np.testing.assert_allclose(P_mean, [[0.55, 0.1, 0.35]] * 2, atol=1e-15)
    np.testing.assert_allclose(P_mean.sum(axis=1), 1.0, atol=1e-15)
    assert E.bagging_predict(ests, np.zeros((1, 3))).tolist() == [0]
    # hard vote: one vote each for 2 and 0 -> tie goes to the smallest label
    assert E.bagging_predict(ests, np.zeros((1, 3)), voting="hard").tolist() == [0]


def test_mean_voting_for_regression_reduces_variance():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    f = np.sin(3 * X[:, 0])
    X_test = np.linspace(-1, 1, 101)[:, None]
    errs_single, errs_bag = [], []
    for seed in range(5):
        y = f + rng.normal(scale=0.5, size=200)
        single = DecisionTreeRegressor(random_state=0).fit(X, y).predict(X_test)
        ests = E.bagging_fit(lambda: DecisionTreeRegressor(random_state=0), X, y, n_estimators=30, rng=seed)
        bag = E.bagging_predict(ests, X_test, voting="mean")
        truth = np.sin(3 * X_test[:, 0])
        errs_single.append(np.mean((single - truth) ** 2))
        errs_bag.append(np.mean((bag - truth) ** 2))
    # fully grown trees have high variance: bagging removes most of it
    assert np.mean(errs_bag) < 0.6 * np.mean(errs_single)


# --------------------------------------------------------------------------- OOB and sklearn (statistical)
def test_out_of_bag_matches_a_hand_computation():
    X, y = make_classification(n_samples=60, n_features=4, random_state=1)
    ests, idx = E.bagging_fit(lambda: DecisionTreeClassifier(max_depth=2, random_state=0), X, y,
                              n_estimators=6, rng=2, return_indices=True)
    correct, total = 0, 0
    for i in range(60):
        members = [e for e, rows in zip(ests, idx) if i not in rows]
        if members:
            p = np.mean([m.predict_proba(X[i:i + 1]) for m in members], axis=0)
            correct += int(p.argmax() == y[i])
            total += 1
    assert 0 < total < 60  # with 6 members some examples are in every sample
    assert E.out_of_bag_score(ests, idx, X, y) == pytest.approx(correct / total, abs=1e-15)
    correct = 0
    for i in range(60):
        members = [e for e, rows in zip(ests, idx) if i not in rows]
        if members:
            votes = np.array([m.predict(X[i:i + 1])[0] for m in members])
            correct += int(np.bincount(votes, minlength=2).argmax() == y[i])
    assert E.out_of_bag_score(ests, idx, X, y, voting="hard") == pytest.approx(correct / total, abs=1e-15)


def test_out_of_bag_r2_for_regression():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(80, 1))
    y = 2 * X[:, 0] + rng.normal(scale=0.1, size=80)
    ests, idx = E.bagging_fit(lambda: DecisionTreeRegressor(max_depth=4, random_state=0), X, y, n_estimators=15,
                              rng=0, return_indices=True)
    p = np.array([np.mean([e.predict(X[i:i + 1])[0] for e, rows in zip(ests, idx) if i not in rows] or [np.nan])
                  for i in range(80)])
    ok = ~np.isnan(p)
    r2 = 1 - np.sum((y[ok] - p[ok]) ** 2) / np.sum((y[ok] - y[ok].mean()) ** 2)
    assert E.out_of_bag_score(ests, idx, X, y, voting="mean") == pytest.approx(r2, abs=1e-12)
    assert r2 > 0.9


def test_accuracy_is_comparable_to_sklearn_bagging():
    # different random draws, so no exact parity: compare mean test accuracies over seeds
    X, y = make_classification(n_samples=600, n_features=10, n_informative=5, flip_y=0.1, random_state=0)
    Xtr, ytr, Xte, yte = X[:400], y[:400], X[400:], y[400:]
    ours, theirs = [], []
    for seed in range(3):
        ests, idx = E.bagging_fit(lambda: DecisionTreeClassifier(random_state=0), Xtr, ytr, n_estimators=20,
                                  rng=seed, return_indices=True)
        ours.append(np.mean(E.bagging_predict(ests, Xte) == yte))
        sk = BaggingClassifier(DecisionTreeClassifier(random_state=0), n_estimators=20, random_state=seed,
                               oob_score=True).fit(Xtr, ytr)
        theirs.append(sk.score(Xte, yte))
        assert abs(E.out_of_bag_score(ests, idx, Xtr, ytr) - sk.oob_score_) < 0.06
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.03
    single = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr).score(Xte, yte)
    assert np.mean(ours) > single + 0.03  # bagging helps the high-variance tree


def test_works_with_estimators_without_classes_attribute():
    class Plain:  # probabilities by column position only
        def fit(self, X, y):
            self.p_ = np.bincount(y, minlength=3) / len(y)

        def predict_proba(self, X):
            return np.tile(self.p_, (len(X), 1))

    X, y = np.zeros((30, 2)), np.repeat([0, 1, 2], 10)
    ests, idx = E.bagging_fit(Plain, X, y, n_estimators=4, rng=0, return_indices=True)
    expected = np.mean([np.bincount(y[r], minlength=3) / 30 for r in idx], axis=0)
    np.testing.assert_allclose(E.bagging_predict_proba(ests, X[:2]), [expected] * 2, atol=1e-15)
    assert E.bagging_predict(ests, X[:1]).tolist() == [int(expected.argmax())]


# --------------------------------------------------------------------------- snapshot ensembles
def test_cosine_cycle_lr_restarts_every_cycle():
    opt = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.2)
    sched = P.cosine_cycle_lr(opt, cycle_length=2, steps_per_epoch=3)  # period 6 steps
    lrs = []
    for _ in range(13):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    expected = [0.1 * (1 + math.cos(math.pi * (t % 6) / 6)) for t in range(13)]
    np.testing.assert_allclose(lrs, expected, atol=1e-15)
    assert lrs[0] == lrs[6] == lrs[12] == pytest.approx(0.2)
    assert all(lrs[t + 1] < lrs[t] for t in range(5))


def _toy_problem():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(96, 4, generator=g)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).long()
    return X, y


def test_snapshot_ensemble_stores_the_right_snapshots_at_the_right_epochs():
    X, y = _toy_problem()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    snap = P.SnapshotEnsemble(cycle_length=3)
    sched = P.cosine_cycle_lr(opt, cycle_length=3, steps_per_epoch=3)  # 96 / 32 batches

    class Record(P.Callback):
        def __init__(self):
            self.states = {}

        def on_epoch_end(self, state):
            self.states[state.epoch] = {k: v.clone() for k, v in state.model.state_dict().items()}

    rec = Record()
    train(model, nn.functional.cross_entropy, opt, (X, y), epochs=10, batch_size=32, progress=False,
          callbacks=[LRSchedulerCallback(sched, interval="step"), snap, rec])
    assert snap.snapshot_epochs == [3, 6, 9] and len(snap.snapshots) == 3
    for epoch, s in zip(snap.snapshot_epochs, snap.snapshots):
        for k, v in s.items():
            assert torch.equal(v, rec.states[epoch][k])  # the weights at that epoch's end, deep-copied
    assert not torch.equal(snap.snapshots[-1]["0.weight"], model[0].weight)  # epoch 10 moved on


def test_ensemble_predict_is_the_mean_of_snapshot_softmaxes_and_restores_the_model():
    X, y = _toy_problem()
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2))
    snaps = []
    for seed in range(3):
        torch.manual_seed(10 + seed)
        other = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2))
        other.train()
        other(X)  # move the BatchNorm running statistics
        snaps.append({k: v.clone() for k, v in other.state_dict().items()})
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    out = P.ensemble_predict(model, snaps, X)
    # reference: one copy per snapshot, in eval mode
    probs = []
    for s in snaps:
        ref = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2))
        ref.load_state_dict(s)
        ref.eval()
        with torch.no_grad():
            probs.append(torch.softmax(ref(X), dim=1))
    torch.testing.assert_close(out, torch.stack(probs).mean(0), rtol=0, atol=1e-6)
    torch.testing.assert_close(P.ensemble_predict(model, snaps, X, n_last=2), torch.stack(probs[1:]).mean(0),
                               rtol=0, atol=1e-6)
    torch.testing.assert_close(out.sum(dim=1), torch.ones(len(X)))
    assert not out.requires_grad
    assert model.training and all(m.training for m in model.modules())  # modes restored
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k  # weights and buffers restored


# --------------------------------------------------------------------------- bad input
X3, y3 = np.zeros((3, 2)), np.array([0, 1, 0])
FITTED = E.bagging_fit(MeanOfTargets, X3, y3, n_estimators=2, rng=0)
OPT = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)
BAD = [  # (call, exception, fragments the message must contain)
    (lambda: E.bootstrap_indices(10, n_estimators=0, rng=0), ValueError,
     ["'n_estimators'", "bootstrap_indices", "[1, inf)", "Got 0"]),
    (lambda: E.bootstrap_indices(0, n_estimators=2, rng=0), ValueError, ["'n_samples'", "[1, inf)", "Got 0"]),
    (lambda: E.bootstrap_indices(10, n_estimators=2.0, rng=0), TypeError, ["'n_estimators'", "an int", "2.0"]),
    (lambda: E.bootstrap_indices(10, n_estimators=2, rng=None), TypeError, ["'rng'", "Generator", "None"]),
    (lambda: E.bagging_fit(MeanOfTargets, X3, y3, n_estimators=0, rng=0), ValueError,
     ["'n_estimators'", "[1, inf)", "Got 0"]),
    (lambda: E.bagging_fit("tree", X3, y3, n_estimators=2, rng=0), TypeError, ["'make_estimator'", "callable"]),
    (lambda: E.bagging_fit(lambda: 3, X3, y3, n_estimators=2, rng=0), TypeError, ["'make_estimator'", "fit(X, y)"]),
    (lambda: E.bagging_fit(MeanOfTargets, X3, y3[:2], n_estimators=2, rng=0), ValueError,
     ["Inconsistent", "X has 3", "y has 2"]),
    (lambda: E.bagging_fit(MeanOfTargets, [[np.nan, 0.0]], [0], n_estimators=2, rng=0), ValueError,
     ["'X'", "bagging_fit", "finite"]),
    (lambda: E.bagging_predict([], X3), TypeError, ["'estimators'", "non-empty list", "[]"]),
    (lambda: E.bagging_predict(FITTED, X3, voting="median"), ValueError,
     ["'voting'", "bagging_predict", "'soft', 'hard', 'mean'", "'median'"]),
    (lambda: E.bagging_predict(FITTED, np.zeros(3)), ValueError, ["'X'", "2D array"]),
    (lambda: E.bagging_predict_proba([object()], X3), TypeError, ["'estimators'", "predict_proba(X)", "object"]),
    (lambda: E.bagging_predict_proba(FITTED, [[np.inf, 0.0]]), ValueError, ["'X'", "finite"]),
    (lambda: E.out_of_bag_score(FITTED, np.zeros((2, 2), dtype=int), X3, y3), ValueError,
     ["'indices'", "out_of_bag_score", "(2, 3)", "[0, 3)"]),
    (lambda: E.out_of_bag_score(FITTED, np.full((2, 3), 3), X3, y3), ValueError, ["'indices'", "[0, 3)"]),
    (lambda: P.cosine_cycle_lr(OPT, 0, 5), ValueError, ["'cycle_length'", "cosine_cycle_lr", "[1, inf)", "Got 0"]),
    (lambda: P.cosine_cycle_lr(OPT, 2, 0), ValueError, ["'steps_per_epoch'", "[1, inf)", "Got 0"]),
    (lambda: P.cosine_cycle_lr("sgd", 2, 3), TypeError, ["'optimizer'", "torch.optim.Optimizer", "str"]),
    (lambda: P.SnapshotEnsemble(cycle_length=0), ValueError, ["'cycle_length'", "SnapshotEnsemble", "[1, inf)", "0"]),
    (lambda: P.ensemble_predict(nn.Linear(1, 2), [], torch.zeros(1, 1)), TypeError,
     ["'snapshots'", "non-empty list of state dicts", "length 0"]),
    (lambda: P.ensemble_predict("model", [{}], torch.zeros(1, 1)), TypeError, ["'model'", "torch.nn.Module", "str"]),
    (lambda: P.ensemble_predict(nn.Linear(1, 2), [nn.Linear(1, 2).state_dict()], torch.zeros(1, 1), n_last=2),
     ValueError, ["'n_last'", "ensemble_predict", "[1, 1]", "Got 2"]),
    (lambda: P.ensemble_predict(nn.Linear(1, 2), [nn.Linear(1, 2).state_dict()], torch.full((1, 1), math.nan)),
     ValueError, ["'X'", "finite"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
