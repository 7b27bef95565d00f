"""Tests for regbook.plotting: style, artists drawn, bands, markers and bad inputs."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from regbook.plotting import (  # noqa: E402
    COLORS,
    PALETTE,
    plot_fit,
    plot_learning_curves,
    plot_validation_curve,
    use_style,
)


@pytest.fixture(autouse=True)
def _clean_matplotlib():
    with matplotlib.rc_context():  # restores rcParams changed by use_style
        yield
    plt.close("all")


def bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --------------------------------------------------------------------------- style
def test_use_style_sets_the_book_style_idempotently():
    use_style()
    first = dict(matplotlib.rcParams)
    use_style()
    assert dict(matplotlib.rcParams) == first
    rc = matplotlib.rcParams
    assert [to_hex(c) for c in rc["axes.prop_cycle"].by_key()["color"]] == [c.lower() for c in PALETTE]
    assert tuple(rc["figure.figsize"]) == (6.4, 4.0)
    assert rc["figure.dpi"] == 100 and rc["savefig.dpi"] == 150
    assert to_hex(rc["figure.facecolor"]) == "#ffffff" and to_hex(rc["axes.facecolor"]) == "#ffffff"
    assert rc["axes.grid"] and not rc["axes.spines.top"] and not rc["axes.spines.right"]
    assert not rc["legend.frameon"] and rc["figure.constrained_layout.use"]


def test_palette_roles_distinct_and_hex():
    roles = [COLORS[k] for k in ("train", "val", "test", "true")]
    assert len(set(roles)) == 4
    assert all(c.startswith("#") and len(c) == 7 for c in PALETTE + roles)


# --------------------------------------------------------------------------- learning curves
def test_learning_curves_1d_lines_labels_and_data():
    history = {"train_loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 2.0], "train_acc": [0.1, 0.5, 0.9]}
    ax = plot_learning_curves(history, title="t", logy=True)
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["train", "validation"]  # train_acc ignored for metric="loss"
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[1].get_ydata(), [3.5, 2.5, 2.0])
    assert to_hex(lines[1].get_color()) == COLORS["val"].lower()
    assert bands(ax) == []
    assert ax.get_yscale() == "log" and ax.get_title() == "t" and ax.get_ylabel() == "loss"


def test_learning_curves_2d_mean_and_band():
    runs = np.array([[1.0, 0.5], [3.0, 1.5]])  # (n_seeds=2, n_epochs=2)
    ax = plot_learning_curves({"train_acc": runs, "test_acc": runs + 1}, metric="acc", ylabel="accuracy")
    assert legend_labels(ax) == ["train", "test"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [2.0, 1.0])
    assert len(bands(ax)) == 2
    ys = bands(ax)[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(1.0 - 0.5) and ys.max() == pytest.approx(2.0 + 1.0)  # mean ± std
    assert ax.get_ylabel() == "accuracy"


def test_learning_curves_draws_on_given_axes():
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_learning_curves({"val_loss": [1.0, 0.5]}, ax=b) is b
    assert len(a.get_lines()) == 0 and len(b.get_lines()) == 1


# --------------------------------------------------------------------------- validation curve
def test_validation_curve_marks_min_and_max():
    lam = [1e-3, 1e-2, 1e-1, 1.0]
    train = [0.1, 0.15, 0.3, 0.6]
    val = [0.5, 0.35, 0.4, 0.7]
    ax = plot_validation_curve(lam, train, val)
    lines = ax.get_lines()
    assert len(lines) == 3 and ax.get_xscale() == "log"
    assert lines[2].get_linestyle() == "--"
    assert lines[2].get_xdata()[0] == pytest.approx(1e-2)
    ax = plot_validation_curve(lam, train, val, mark="max", logx=False)
    assert ax.get_lines()[2].get_xdata()[0] == pytest.approx(1.0) and ax.get_xscale() == "linear"
    ax = plot_validation_curve(lam, train, val, mark=None)
    assert len(ax.get_lines()) == 2


def test_validation_curve_2d_uses_mean_over_repeats():
    lam = np.array([0.1, 1.0, 10.0])
    val = np.array([[0.9, 0.1], [0.4, 0.4], [0.3, 0.7]])  # means 0.5, 0.4, 0.5; per-column minima elsewhere
    ax = plot_validation_curve(lam, val * 0.5, val)
    assert len(bands(ax)) == 2
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [0.5, 0.4, 0.5])
    assert ax.get_lines()[2].get_xdata()[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- fit
def test_plot_fit_artists():
    x = np.array([0.1, 0.4, 0.8])
    grid = np.linspace(0, 1, 11)
    preds = {"degree 1": grid, "degree 9": grid**2}
    ax = plot_fit(x, np.sin(x), x_grid=grid, predictions=preds, true_fn=np.sin, title="fits")
    assert [c for c in ax.collections if isinstance(c, PathCollection)][0].get_offsets().shape == (3, 2)
    lines = ax.get_lines()
    assert [l.get_label() for l in lines] == ["true function", "degree 1", "degree 9"]
    assert lines[0].get_linestyle() == "--"
    np.testing.assert_allclose(lines[0].get_ydata(), np.sin(grid))
    np.testing.assert_allclose(lines[2].get_ydata(), grid**2)
    ax = plot_fit(x, x, x_grid=grid, predictions={})
    assert len(ax.get_lines()) == 0 and ax.get_title() == ""


# --------------------------------------------------------------------------- bad inputs
g = np.linspace(0, 1, 3)
BAD_INPUTS = [
    (plot_learning_curves, dict(history=[1.0, 2.0]), TypeError, "'history' parameter of plot_learning_curves must be a dict"),
    (plot_learning_curves, dict(history={"loss": [1.0]}), ValueError, "must be a dict with at least one of the keys 'train_loss', 'val_loss', 'test_loss'. Got keys ['loss']"),
    (plot_learning_curves, dict(history={"train_loss": [1.0, 2.0], "val_loss": [1.0]}), ValueError, "Inconsistent numbers of epochs in plot_learning_curves: train_loss has 2, val_loss has 1"),
    (plot_learning_curves, dict(history={"train_loss": np.ones((2, 2, 2))}), ValueError, "must be a 1D or 2D array (got 3D input)"),
    (plot_learning_curves, dict(history={"val_loss": [1.0, np.nan]}), ValueError, "\"history['val_loss']\" parameter of plot_learning_curves must contain only finite"),
    (plot_learning_curves, dict(history={"val_loss": [1.0]}, metric=3), TypeError, "'metric' parameter of plot_learning_curves must be a str. Got 3"),
    (plot_validation_curve, dict(param_values=[1.0, 2.0], train_scores=[1.0], val_scores=[1.0, 2.0]), ValueError, "Inconsistent lengths in plot_validation_curve: param_values has 2, train_scores has 1, val_scores has 2"),
    (plot_validation_curve, dict(param_values=[0.0, 1.0], train_scores=[1.0, 1.0], val_scores=[1.0, 2.0]), ValueError, "'param_values' parameter of plot_validation_curve must be positive when logx=True. Got a minimum of 0.0"),
    (plot_validation_curve, dict(param_values=[1.0], train_scores=[1.0], val_scores=[1.0], mark="best"), ValueError, "'mark' parameter of plot_validation_curve must be one of 'min', 'max', None. Got 'best'"),
    (plot_validation_curve, dict(param_values=[1.0], train_scores=[np.inf], val_scores=[1.0]), ValueError, "'train_scores' parameter of plot_validation_curve must contain only finite"),
    (plot_fit, dict(x=[1.0, 2.0], y=[1.0], x_grid=g, predictions={}), ValueError, "Inconsistent lengths in plot_fit: x has 2, y has 1"),
    (plot_fit, dict(x=[1.0], y=[1.0], x_grid=g, predictions={"m": [1.0]}), ValueError, "Inconsistent lengths in plot_fit: x_grid has 3, predictions['m'] has 1"),
    (plot_fit, dict(x=[1.0], y=[1.0], x_grid=g, predictions=[g]), TypeError, "'predictions' parameter of plot_fit must be a dict"),
    (plot_fit, dict(x=[1.0], y=[1.0], x_grid=g, predictions={}, true_fn=1), TypeError, "'true_fn' parameter of plot_fit must be a callable or None. Got 1 instead."),
    (plot_fit, dict(x=[np.nan], y=[1.0], x_grid=g, predictions={}), ValueError, "'x' parameter of plot_fit must contain only finite"),
]


@pytest.mark.parametrize(("func", "kwargs", "exc", "message"), BAD_INPUTS, ids=lambda v: getattr(v, "__name__", None))
def test_bad_inputs(func, kwargs, exc, message):
    n_figs = len(plt.get_fignums())
    with pytest.raises(exc) as info:
        func(**kwargs)
    assert message in str(info.value)
    assert len(plt.get_fignums()) == n_figs  # validation happens before any figure is created
