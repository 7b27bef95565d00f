"""regbook.pt.training: the loop against hand-written loops, callbacks, history, bad input."""

import copy
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from regbook.pt.early_stopping import EarlyStopping
from regbook.pt.training import (
    Callback, ConstraintCallback, EarlyStoppingCallback, GradientClipping, History,
    LRSchedulerCallback, accuracy, train,
)


def _data(n=20, d=3, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g)
    y = torch.randint(0, k, (n,), generator=g)
    return X, y


def _model(d=3, k=3, seed=1):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 5), nn.Tanh(), nn.Linear(5, k))


def _states_equal(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


class Recorder(Callback):
    """Counts every hook and keeps a state_dict copy after every epoch."""

    def __init__(self):
        self.calls = {"begin": 0, "backward": 0, "step": 0, "epoch": 0, "end": 0}
        self.snapshots = []

    def on_train_begin(self, state):
        self.calls["begin"] += 1

    def on_after_backward(self, state):
        self.calls["backward"] += 1

    def on_step_end(self, state):
        self.calls["step"] += 1

    def on_epoch_end(self, state):
        self.calls["epoch"] += 1
        self.snapshots.append(copy.deepcopy(state.model.state_dict()))

    def on_train_end(self, state):
        self.calls["end"] += 1


# --------------------------------------------------------------------------- layer 1: toy cases and history
def test_history_keys_lengths_and_dict():
    X, y = _data()
    model = _model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    h = train(model, F.cross_entropy, opt, (X, y), epochs=4, val_data=_data(seed=5),
              metrics={"accuracy": accuracy}, progress=False)
    assert list(h.keys()) == ["batch_loss", "train_loss", "train_accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 4 for v in h.values())
    assert (h.epochs_run, h.stopped_early, h.best_epoch) == (4, False, None)
    d = h.to_dict()
    assert type(d) is dict and d == {k: list(v) for k, v in h.items()}
    d["val_loss"].append(0.0)
    assert len(h["val_loss"]) == 4  # a copy
    assert all(0.0 <= a <= 1.0 for a in h["val_accuracy"])


def test_history_without_val_or_train_evaluation():
    X, y = _data()
    h = train(_model(), F.cross_entropy, torch.optim.SGD(_model().parameters(), lr=0.1), (X, y),
              epochs=2, progress=False, eval_train=False)
    assert list(h.keys()) == ["batch_loss"]


def test_linear_regression_converges_to_least_squares():
    g = torch.Generator().manual_seed(3)
    X = torch.randn(30, 2, generator=g, dtype=torch.float64)
    y = X @ torch.tensor([[1.5], [-0.5]], dtype=torch.float64) + 0.1 * torch.randn(30, 1, generator=g,
                                                                                   dtype=torch.float64)
    model = nn.Linear(2, 1, bias=False).double()
    nn.init.zeros_(model.weight)
    train(model, F.mse_loss, torch.optim.SGD(model.parameters(), lr=0.5), (X, y), epochs=300, progress=False)
    w_ls = torch.linalg.lstsq(X, y).solution
    torch.testing.assert_close(model.weight.detach().T, w_ls, rtol=0, atol=1e-10)


def test_hooks_called_the_right_number_of_times():
    X, y = _data(n=10)
    rec = Recorder()
    model = _model()
    train(model, F.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
          batch_size=4, callbacks=[rec], progress=False)
    assert rec.calls == {"begin": 1, "backward": 9, "step": 9, "epoch": 3, "end": 1}  # ceil(10/4) = 3 batches


def test_accuracy_labels_and_soft_targets():
    out = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 2.0], [0.0, 0.0, 1.0]])
    assert accuracy(out, torch.tensor([0, 1, 1, 2])) == 0.75
    soft = torch.tensor([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.0, 0.2, 0.8]])
    assert accuracy(out, soft) == 0.75


def test_state_stop_ends_training():
    class StopAtTwo(Callback):
        def on_epoch_end(self, state):
            state.stop = state.epoch == 2

    model = _model()
    h = train(model, F.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.1), _data(), epochs=5,
              callbacks=[StopAtTwo()], progress=False)
    assert (h.epochs_run, h.stopped_early, len(h["train_loss"])) == (2, True, 2)


# --------------------------------------------------------------------------- layer 2: equality with hand loops
def test_full_batch_sgd_equals_hand_loop_exactly():
    X, y = _data()
    m1, m2 = _model(), _model()
    o1 = torch.optim.SGD(m1.parameters(), lr=0.3, momentum=0.9)
    o2 = torch.optim.SGD(m2.parameters(), lr=0.3, momentum=0.9)
    h = train(m1, F.cross_entropy, o1, (X, y), epochs=5, progress=False)
    losses = []
    for _ in range(5):
        loss = F.cross_entropy(m2(X), y)
        o2.zero_grad()
        loss.backward()
        o2.step()
        losses.append(loss.item())
        with torch.no_grad():
            assert h["train_loss"][len(losses) - 1] == F.cross_entropy(m2(X), y).item()
    assert h["batch_loss"] == losses
    assert _states_equal(m1.state_dict(), m2.state_dict())


def test_minibatch_permutation_is_reproducible_and_matches_hand_loop():
    X, y = _data(n=23)
    results = []
    for seed in (7, 7, 8):
        m = _model()
        train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.2), (X, y), epochs=3, batch_size=5,
              generator=torch.Generator().manual_seed(seed), progress=False)
        results.append(m.state_dict())
    assert _states_equal(results[0], results[1]) and not _states_equal(results[0], results[2])
    m = _model()
    opt = torch.optim.SGD(m.parameters(), lr=0.2)
    g = torch.Generator().manual_seed(7)
    for _ in range(3):
        perm = torch.randperm(23, generator=g)
        for s in range(0, 23, 5):
            idx = perm[s:s + 5]
            loss = F.cross_entropy(m(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert _states_equal(results[0], m.state_dict())


def test_default_generator_is_seeded_zero():
    X, y = _data(n=12)
    states = []
    for gen in (None, torch.Generator().manual_seed(0)):
        m = _model()
        train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.2), (X, y), epochs=2, batch_size=5,
              generator=gen, progress=False)
        states.append(m.state_dict())
    assert _states_equal(*states)


def test_penalty_is_added_to_the_training_loss_only():
    X, y = _data()
    lam = 0.7

    def penalty(model):
        return lam * sum((p ** 2).sum() for p in model.parameters())

    m = _model()
    m_ref = _model()
    train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), (X, y), epochs=1, penalty=penalty,
          progress=False)
    loss = F.cross_entropy(m_ref(X), y)
    grads = torch.autograd.grad(loss, list(m_ref.parameters()))
    for p_new, p_old, g in zip(m.parameters(), m_ref.parameters(), grads):
        # d/dp [loss + lam * |p|^2] = g + 2 lam p
        torch.testing.assert_close(p_new.detach(), p_old.detach() - 0.1 * (g + 2 * lam * p_old.detach()),
                                   rtol=0, atol=1e-6)
    m0 = _model()
    h = train(m0, F.cross_entropy, torch.optim.SGD(m0.parameters(), lr=0.0), (X, y), epochs=1,
              penalty=penalty, progress=False)
    expected_batch = (F.cross_entropy(m0(X), y) + penalty(m0)).item()
    assert h["batch_loss"][0] == pytest.approx(expected_batch, rel=1e-6)
    assert h["train_loss"][0] == pytest.approx(F.cross_entropy(m0(X), y).item(), rel=1e-6)


def test_transform_applies_to_training_batches_only():
    X, y = _data(n=12)
    seen = []

    def transform(xb, yb, generator):
        seen.append((xb.shape[0], generator))
        return xb + 100.0, yb

    gen = torch.Generator().manual_seed(0)
    m = _model()
    h = train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.0), (X, y), epochs=2, batch_size=5,
              val_data=(X, y), transform=transform, generator=gen, progress=False)
    assert [s for s, _ in seen] == [5, 5, 2, 5, 5, 2] and all(g is gen for _, g in seen)
    with torch.no_grad():
        clean = F.cross_entropy(m(X), y).item()
        shifted = F.cross_entropy(m(X + 100.0), y).item()
    assert h["train_loss"] == [clean, clean] and h["val_loss"] == [clean, clean]
    g = torch.Generator().manual_seed(0)  # lr = 0: the model never changes, so the batch losses can be replayed
    with torch.no_grad():
        for epoch in range(2):
            perm = torch.randperm(12, generator=g)
            replay = [F.cross_entropy(m(X[perm[s:s + 5]] + 100.0), y[perm[s:s + 5]]).item() for s in (0, 5, 10)]
            assert h["batch_loss"][epoch] == pytest.approx(sum(replay) / 3, rel=1e-6)
    assert abs(shifted - clean) > 0.1  # the transform matters, so the equalities above are informative


def test_eval_mode_during_evaluation_train_mode_during_steps():
    modes = []

    class Spy(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            modes.append(self.training)
            return self.lin(x)

    m = Spy()
    train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=1, val_data=_data(),
          progress=False)
    assert modes == [True, False, False] and torch.is_grad_enabled()


def test_dataloader_input_matches_hand_loop():
    X, y = _data(n=17)
    loader = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=False)
    m1, m2 = _model(), _model()
    o1, o2 = (torch.optim.SGD(m.parameters(), lr=0.2) for m in (m1, m2))
    h = train(m1, F.cross_entropy, o1, loader, epochs=2, val_data=loader, metrics={"accuracy": accuracy},
              progress=False)
    for _ in range(2):
        for xb, yb in loader:
            loss = F.cross_entropy(m2(xb), yb)
            o2.zero_grad()
            loss.backward()
            o2.step()
    assert _states_equal(m1.state_dict(), m2.state_dict())
    with torch.no_grad():
        assert h["val_loss"][-1] == pytest.approx(F.cross_entropy(m2(X), y).item(), rel=1e-6)
        assert h["val_accuracy"][-1] == accuracy(m2(X), y)


# --------------------------------------------------------------------------- callbacks
def _scripted(values):
    """A metric fn that returns the next scripted value at every evaluation."""
    it = iter(values)
    return lambda output, y: next(it)


@pytest.mark.parametrize("patience,stop_epoch,best_epoch", [(1, 4, 3), (2, 5, 3), (3, 6, 3), (4, 11, 7)])
def test_early_stopping_on_a_scripted_sequence(patience, stop_epoch, best_epoch):
    script = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 2.0, 2.5, 2.6, 2.7, 2.8, 2.9]
    rec = Recorder()
    m = _model()
    stopper = EarlyStopping(patience=patience)
    h = train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.5), _data(), epochs=12,
              val_data=_data(seed=4), metrics={"script": _scripted(script)}, eval_train=False,
              callbacks=[rec, EarlyStoppingCallback(stopper, monitor="val_script")], progress=False)
    assert (h.epochs_run, h.stopped_early, h.best_epoch) == (stop_epoch, True, best_epoch)
    assert h["val_script"] == script[:stop_epoch]
    assert _states_equal(m.state_dict(), rec.snapshots[best_epoch - 1])
    assert not _states_equal(m.state_dict(), rec.snapshots[-1])


def test_early_stopping_without_restore_keeps_last_weights():
    rec = Recorder()
    m = _model()
    h = train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.5), _data(), epochs=9,
              val_data=_data(seed=4), metrics={"script": _scripted([3.0, 2.0, 2.5, 2.6, 1.0])}, eval_train=False,
              callbacks=[rec, EarlyStoppingCallback(EarlyStopping(patience=2, restore_best=False),
                                                    monitor="val_script")], progress=False)
    assert (h.epochs_run, h.best_epoch) == (4, 2)
    assert _states_equal(m.state_dict(), rec.snapshots[-1])


def test_early_stopping_monitor_missing_is_a_clear_error():
    m = _model()
    with pytest.raises(ValueError, match=r"'monitor' parameter of EarlyStoppingCallback.*"
                                         r"'train_loss'.*Got 'val_loss' instead.*val_data"):
        train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=3,
              callbacks=[EarlyStoppingCallback(EarlyStopping())], progress=False)
    with pytest.raises(ValueError, match="'monitor'.*Got 'my_key' instead"):
        train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=3,
              callbacks=[EarlyStoppingCallback(EarlyStopping(), monitor="my_key")], progress=False)


def test_early_stopping_needs_a_fresh_stopper():
    stopper = EarlyStopping()
    stopper.step(1.0)
    m = _model()
    with pytest.raises(ValueError, match="fresh EarlyStopping"):
        train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=2,
              val_data=_data(), callbacks=[EarlyStoppingCallback(stopper)], progress=False)


def test_gradient_clipping_equals_torch_in_a_hand_loop():
    X, y = _data(n=16)
    m1, m2 = _model(), _model()
    o1, o2 = (torch.optim.SGD(m.parameters(), lr=1.0) for m in (m1, m2))
    h = train(m1, F.cross_entropy, o1, (X, y), epochs=3, batch_size=8, callbacks=[GradientClipping(max_norm=0.1)],
              generator=torch.Generator().manual_seed(2), progress=False)
    g = torch.Generator().manual_seed(2)
    maxima = []
    for _ in range(3):
        norms = []
        perm = torch.randperm(16, generator=g)
        for s in (0, 8):
            idx = perm[s:s + 8]
            loss = F.cross_entropy(m2(X[idx]), y[idx])
            o2.zero_grad()
            loss.backward()
            norms.append(float(torch.nn.utils.clip_grad_norm_(m2.parameters(), 0.1)))
            o2.step()
        maxima.append(max(norms))
    for p1, p2 in zip(m1.parameters(), m2.parameters()):
        torch.testing.assert_close(p1, p2, rtol=0, atol=1e-6)
    assert h["grad_norm"] == pytest.approx(maxima, rel=1e-6)
    assert min(maxima) > 0.1  # clipping was active


def test_gradient_clipping_by_value_equals_torch():
    X, y = _data()
    m1, m2 = _model(), _model()
    o1, o2 = (torch.optim.SGD(m.parameters(), lr=1.0) for m in (m1, m2))
    train(m1, F.cross_entropy, o1, (X, y), epochs=2, callbacks=[GradientClipping(clip_value=0.01)],
          progress=False)
    for _ in range(2):
        o2.zero_grad()
        F.cross_entropy(m2(X), y).backward()
        torch.nn.utils.clip_grad_value_(m2.parameters(), 0.01)
        o2.step()
    assert _states_equal(m1.state_dict(), m2.state_dict())


def test_constraint_callback_once_per_step_without_grad():
    calls = []

    def constraint(model):
        calls.append(torch.is_grad_enabled())
        model[0].weight.clamp_(-0.05, 0.05)

    m = _model()
    train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=1.0), _data(n=20), epochs=3, batch_size=6,
          callbacks=[ConstraintCallback(constraint)], progress=False)
    assert calls == [False] * 12  # 3 epochs x ceil(20/6) = 4 steps
    assert m[0].weight.abs().max() <= torch.tensor(0.05)


@pytest.mark.parametrize("interval,n_steps", [("epoch", 3), ("step", 9)])
def test_lr_scheduler_per_epoch_or_step(interval, n_steps):
    m = _model()
    opt = torch.optim.SGD(m.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = train(m, F.cross_entropy, opt, _data(n=9), epochs=3, batch_size=3,
              callbacks=[LRSchedulerCallback(sched, interval=interval)], progress=False)
    assert opt.param_groups[0]["lr"] == 0.5 ** n_steps
    per_epoch = n_steps // 3
    assert h["lr"] == [0.5 ** (per_epoch * e + per_epoch - 1) if interval == "step" else 0.5 ** e
                       for e in range(3)]


def test_lr_scheduler_reduce_on_plateau_uses_monitor():
    m = _model()
    opt = torch.optim.SGD(m.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=0)
    train(m, F.cross_entropy, opt, _data(), epochs=3, val_data=_data(),
          metrics={"script": _scripted([1.0, 2.0, 3.0])}, eval_train=False,
          callbacks=[LRSchedulerCallback(sched, monitor="val_script")], progress=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


# --------------------------------------------------------------------------- progress output
def test_progress_bar_on_stderr_and_silence(capsys):
    m = _model()
    train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=2, progress=False)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    train(m, F.cross_entropy, torch.optim.SGD(m.parameters(), lr=0.1), _data(), epochs=2, val_data=_data())
    out = capsys.readouterr()
    assert out.out == "" and "epochs" in out.err and "val_loss" in out.err


# --------------------------------------------------------------------------- bad input
def _ok():
    m = _model()
    return dict(model=m, loss_fn=F.cross_entropy, optimizer=torch.optim.SGD(m.parameters(), lr=0.1),
                train_data=_data(), epochs=1, progress=False)


X0, Y0 = _data()


@pytest.mark.parametrize("change,exc,match", [
    ({"epochs": 0}, ValueError, r"'epochs' parameter of train must be an int in the range \[1, inf\). Got 0"),
    ({"epochs": 2.0}, TypeError, r"'epochs'.*int.*Got 2.0"),
    ({"batch_size": 0}, ValueError, r"'batch_size'.*\[1, inf\). Got 0"),
    ({"model": "net"}, TypeError, r"'model'.*torch.nn.Module. Got a str"),
    ({"loss_fn": 3}, TypeError, r"'loss_fn'.*callable.*Got a int"),
    ({"optimizer": None}, TypeError, r"'optimizer'.*Optimizer. Got a NoneType"),
    ({"metrics": ["accuracy"]}, TypeError, r"'metrics'.*dict of str to callable.*Got a list"),
    ({"metrics": {"acc": 1}}, TypeError, r"'metrics'.*dict of str to callable"),
    ({"penalty": 0.1}, TypeError, r"'penalty'.*callable.*Got a float"),
    ({"transform": "noise"}, TypeError, r"'transform'.*callable.*Got a str"),
    ({"callbacks": [lambda s: None]}, TypeError, r"'callbacks'.*Callback instances. Got a function"),
    ({"callbacks": 3}, TypeError, r"'callbacks'.*Got a int"),
    ({"generator": 0}, TypeError, r"'generator'.*torch.Generator. Got a int"),
    ({"progress": 1}, TypeError, r"'progress'.*bool. Got 1"),
    ({"eval_train": None}, TypeError, r"'eval_train'.*bool. Got None"),
    ({"train_data": (X0, Y0[:5])}, ValueError, r"'train_data'.*same non-zero first dimension.*\(20, 3\) and \(5,\)"),
    ({"train_data": X0}, TypeError, r"'train_data'.*tuple \(X, y\).*Got a Tensor"),
    ({"train_data": iter([(X0, Y0)])}, TypeError, r"'train_data'.*iterator is exhausted"),
    ({"train_data": (X0.clone().fill_(math.nan), Y0)}, ValueError, r"'train_data'.*finite"),
    ({"val_data": 5}, TypeError, r"'val_data'.*Got a int"),
    ({"train_data": []}, ValueError, r"'train_data'.*non-empty.*Got no batch in this epoch"),
    ({"train_data": [(X0, Y0)], "batch_size": 4}, ValueError, r"'batch_size'.*None when train_data is an "
                                                              r"iterable.*Got 4"),
])
def test_bad_input_train(change, exc, match):
    kwargs = _ok()
    kwargs.update(change)
    with pytest.raises(exc, match=match):
        train(kwargs.pop("model"), kwargs.pop("loss_fn"), kwargs.pop("optimizer"), kwargs.pop("train_data"),
              **kwargs)


@pytest.mark.parametrize("make,exc,match", [
    (lambda: EarlyStoppingCallback(5), TypeError, r"'stopper'.*EarlyStopping. Got a int"),
    (lambda: EarlyStoppingCallback(EarlyStopping(), monitor=1), TypeError, r"'monitor'.*str. Got 1"),
    (lambda: GradientClipping(), ValueError, r"exactly one of max_norm and clip_value"),
    (lambda: GradientClipping(max_norm=1.0, clip_value=1.0), ValueError, r"exactly one"),
    (lambda: GradientClipping(max_norm=0.0), ValueError, r"'max_norm'.*\(0.0, inf\). Got 0.0"),
    (lambda: GradientClipping(clip_value=-1.0), ValueError, r"'clip_value'.*\[0.0, inf\). Got -1.0"),
    (lambda: GradientClipping(max_norm=1.0, norm_type=0), ValueError, r"'norm_type'.*Got 0"),
    (lambda: LRSchedulerCallback(0.1), TypeError, r"'scheduler'.*Got a float"),
    (lambda: LRSchedulerCallback(torch.optim.lr_scheduler.StepLR(
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0), 1), interval="batch"),
     ValueError, r"'interval'.*one of 'epoch', 'step'. Got 'batch'"),
    (lambda: ConstraintCallback(None), TypeError, r"'fn'.*callable.*Got a NoneType"),
    (lambda: accuracy(torch.zeros(3, 2), torch.zeros(4, dtype=torch.long)), ValueError, r"'y'.*shape \(4,\)"),
    (lambda: accuracy(torch.zeros(3), torch.zeros(3)), ValueError, r"'output'.*2D"),
])
def test_bad_input_callbacks(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_history_is_read_only_mapping():
    h = History()
    h.record("x", 1)
    with pytest.raises(TypeError):
        h["x"] = [2.0]
    assert h["x"] == [1.0] and isinstance(h["x"][0], float)
