"""regbook.np.early_stopping and regbook.pt.early_stopping: scripted loss sequences, restore, twins, bad input."""

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from regbook.np.early_stopping import EarlyStopping
from regbook.pt.early_stopping import EarlyStopping as TorchEarlyStopping

NAN = float("nan")


def _run(stopper, metrics):
    """Feed metrics until the stopper says stop; return the list of answers."""
    answers = []
    for m in metrics:
        answers.append(stopper.step(m))
        if answers[-1]:
            break
    return answers


# --------------------------------------------------------------------------- layer 1: scripted sequences
@pytest.mark.parametrize("patience", [1, 2, 3, 5])
def test_stops_exactly_after_patience_bad_steps(patience):
    losses = [3.0, 2.0, 1.0] + [1.5] * 10  # best at step 2, then only bad steps
    s = EarlyStopping(patience=patience)
    answers = _run(s, losses)
    assert len(answers) == 3 + patience and answers[-1] and not any(answers[:-1])
    assert s.stopped_step == 2 + patience
    assert (s.best, s.best_step, s.num_bad_steps) == (1.0, 2, patience)


def test_improvement_resets_the_counter():
    s = EarlyStopping(patience=2)
    answers = [s.step(m) for m in [1.0, 1.1, 0.9, 1.2, 0.8, 0.85, 0.95]]
    assert answers == [False, False, False, False, False, False, True]
    assert (s.best, s.best_step, s.stopped_step) == (0.8, 4, 6)


def test_patience_zero_stops_at_first_non_improvement():
    s = EarlyStopping(patience=0)
    assert _run(s, [5.0, 4.0, 3.0, 3.0, 1.0]) == [False, False, False, True]
    assert (s.best_step, s.stopped_step, s.num_bad_steps) == (2, 3, 1)


def test_keeps_saying_stop_and_freezes_state():
    s = EarlyStopping(patience=1)
    assert [s.step(m) for m in [1.0, 2.0, 0.1, 0.05]] == [False, True, True, True]
    assert (s.best, s.best_step, s.stopped_step) == (1.0, 0, 1)  # later improvements are ignored


@pytest.mark.parametrize("mode,best,equal,better", [
    ("min", 1.0, 1.0 - 0.25, 1.0 - 0.25 - 1e-9),
    ("max", 0.5, 0.5 + 0.25, 0.5 + 0.25 + 1e-9),
])
def test_min_delta_boundary_is_absolute_and_strict(mode, best, equal, better):
    s = EarlyStopping(patience=3, min_delta=0.25, mode=mode)
    s.step(best)
    s.step(equal)  # exactly best -/+ min_delta: not an improvement
    assert (s.best, s.num_bad_steps) == (best, 1)
    s.step(better)
    assert (s.best, s.best_step, s.num_bad_steps) == (better, 2, 0)


def test_min_delta_is_not_relative():
    # relative 10% of 100 would be 10; absolute 0.5 accepts an improvement of 1
    s = EarlyStopping(patience=1, min_delta=0.5)
    s.step(100.0)
    assert not s.step(99.0) and s.best == 99.0


def test_mode_max_for_accuracies():
    s = EarlyStopping(patience=2, mode="max")
    assert _run(s, [0.5, 0.7, 0.6, 0.7, 0.9]) == [False, False, False, True]
    assert (s.best, s.best_step, s.stopped_step) == (0.7, 1, 3)
    assert EarlyStopping(mode="max").best == -math.inf and EarlyStopping().best == math.inf


def test_nan_is_never_an_improvement():
    s = EarlyStopping(patience=2)
    assert [s.step(m) for m in [1.0, NAN, NAN]] == [False, False, True]
    assert (s.best, s.best_step) == (1.0, 0)
    s = EarlyStopping(patience=1)
    assert s.step(NAN) and s.best_step is None  # NaN from the start: stop, nothing to restore


def test_metric_can_be_numpy_or_torch_scalar():
    s = TorchEarlyStopping(patience=1)
    s.step(np.float32(2.0))
    s.step(torch.tensor(1.0, requires_grad=True) * 1.0)
    assert (s.best, s.best_step) == (1.0, 1)


# --------------------------------------------------------------------------- layer 2: restore semantics
def test_restore_writes_back_the_best_deep_copy():
    w = [np.array([1.0, 2.0]), np.array([[3.0]])]
    s = EarlyStopping(patience=2)
    for step, loss in enumerate([0.9, 0.5, 0.7, 0.8]):
        w[0] += 1.0  # in-place updates, as an optimizer does: a stored reference would follow them
        w[1][0, 0] = 10.0 * step
        stop = s.step(loss, w)
    assert stop and s.best_step == 1
    expected = [np.array([3.0, 4.0]), np.array([[10.0]])]
    ids = [id(a) for a in w]
    s.restore(w)
    assert [id(a) for a in w] == ids  # in place
    for a, b in zip(w, expected):
        np.testing.assert_array_equal(a, b)
    w[0][0] = -1.0
    np.testing.assert_array_equal(s.best_params[0], [3.0, 4.0])  # restore copied, did not alias


def test_restore_best_false_keeps_nothing():
    s = EarlyStopping(patience=1, restore_best=False)
    s.step(1.0, [np.ones(2)])
    assert s.best_params is None
    with pytest.raises(RuntimeError, match="no best parameters"):
        s.restore([np.ones(2)])


def test_restore_shape_mismatch():
    s = EarlyStopping()
    s.step(1.0, [np.ones(2)])
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        s.restore([np.ones(3)])


def _model(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))


def test_torch_twin_restores_state_dict_exactly():
    model = _model(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(16, 3), torch.randn(16, 1)
    s = TorchEarlyStopping(patience=2)
    snapshots = []
    for loss_value in [1.0, 0.4, 0.6, 0.7]:
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()  # updates parameters (and BatchNorm buffers) in place
        snapshots.append(copy.deepcopy(model.state_dict()))
        stop = s.step(loss_value, model)
    assert stop and s.best_step == 1
    assert not torch.equal(model[0].weight, snapshots[1]["0.weight"])  # the model moved on
    s.restore(model)
    restored = model.state_dict()
    assert restored.keys() == snapshots[1].keys()
    for k, v in snapshots[1].items():
        assert torch.equal(restored[k], v), k  # exact, buffers included


# --------------------------------------------------------------------------- layer 3: twins agree
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mode", ["min", "max"])
def test_numpy_and_torch_twins_agree(seed, mode):
    rng = np.random.default_rng(seed)
    metrics = np.round(rng.uniform(0, 1, 30), 2).tolist()
    metrics[rng.integers(30)] = NAN
    kw = dict(patience=int(rng.integers(0, 4)), min_delta=float(rng.choice([0.0, 0.05])), mode=mode)
    a, b = EarlyStopping(**kw), TorchEarlyStopping(**kw)
    ra = [a.step(m) for m in metrics]
    rb = [b.step(torch.tensor(m, dtype=torch.float64)) for m in metrics]
    assert ra == rb and any(ra)
    assert (a.best, a.best_step, a.num_bad_steps, a.stopped_step) == (b.best, b.best_step, b.num_bad_steps,
                                                                      b.stopped_step)


# --------------------------------------------------------------------------- bad input
BAD = [  # (call, exception, fragments the message must contain)
    (lambda: EarlyStopping(patience=-1), ValueError, ["'patience'", "EarlyStopping", "[0, inf)", "Got -1"]),
    (lambda: EarlyStopping(patience=2.5), TypeError, ["'patience'", "an int", "Got 2.5"]),
    (lambda: EarlyStopping(min_delta=-0.1), ValueError, ["'min_delta'", "EarlyStopping", "[0.0, inf)", "Got -0.1"]),
    (lambda: EarlyStopping(min_delta=NAN), ValueError, ["'min_delta'", "[0.0, inf)", "nan"]),
    (lambda: EarlyStopping(min_delta=math.inf), ValueError, ["'min_delta'", "[0.0, inf)", "inf"]),
    (lambda: EarlyStopping(mode="minimum"), ValueError, ["'mode'", "one of 'min', 'max'", "Got 'minimum'"]),
    (lambda: EarlyStopping(restore_best=1), TypeError, ["'restore_best'", "a bool", "Got 1"]),
    (lambda: EarlyStopping().step("0.5"), TypeError, ["'metric'", "EarlyStopping.step", "real number", "'0.5'"]),
    (lambda: EarlyStopping().step(None), TypeError, ["'metric'", "real number", "None"]),
    (lambda: EarlyStopping().step(1.0, params=np.ones(2).tolist()), TypeError,
     ["'params'", "EarlyStopping.step", "list of NumPy arrays"]),
    (lambda: EarlyStopping().restore([np.ones(2)]), RuntimeError, ["restore", "no best parameters"]),
    (lambda: TorchEarlyStopping(patience=-3), ValueError, ["'patience'", "[0, inf)", "Got -3"]),
    (lambda: TorchEarlyStopping(mode="best"), ValueError, ["'mode'", "'min', 'max'", "'best'"]),
    (lambda: TorchEarlyStopping().step(1.0, [np.ones(2)]), TypeError, ["'model'", "torch.nn.Module", "list"]),
    (lambda: TorchEarlyStopping().step(torch.ones(2)), TypeError, ["'metric'", "real number"]),
    (lambda: TorchEarlyStopping().restore(nn.Linear(1, 1)), RuntimeError, ["restore", "no best state_dict"]),
]


@pytest.mark.parametrize("call,exc,fragments", BAD)
def test_bad_input(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for frag in fragments:
        assert frag in str(info.value), (frag, str(info.value))
