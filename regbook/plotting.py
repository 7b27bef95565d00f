"""The book's figure style, and the three figures every chapter draws.

One palette (Okabe–Ito, safe for colour-blind readers) with fixed roles:
training data and curves are blue, validation vermillion, test bluish green,
the true function black. Every figure is drawn on a white background so that
it stays readable in a dark-mode reader.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler

from regbook._validation import check_array, check_option, param_error

__all__ = ["COLORS", "PALETTE", "plot_fit", "plot_learning_curves", "plot_validation_curve", "use_style"]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour deficiency.
COLORS = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
    # roles
    "train": "#0072B2",
    "val": "#D55E00",
    "test": "#009E73",
    "true": "#000000",
    "data": "#7F7F7F",
}
PALETTE = [COLORS[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black")]

_STYLE = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}
_LABELS = {"train": "train", "val": "validation", "test": "test"}
_BAND_ALPHA = 0.2


def use_style() -> None:
    """Apply the book's figure style to matplotlib's ``rcParams``.

    Sets the Okabe–Ito colour cycle, a 6.4 x 4.0 inch figure at 100 dpi on
    screen and 150 dpi when saved, a light grid, no top or right spines,
    frameless legends, constrained layout and an explicit white background
    (figures are not transparent, so they read well in dark mode). Calling it
    again changes nothing.

    Examples
    --------
    >>> use_style()
    >>> mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == COLORS["train"]
    True
    >>> bool(mpl.rcParams["figure.constrained_layout.use"])
    True
    """
    mpl.rcParams.update(_STYLE)


def _new_axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _mean_band(ax, x, values, *, color, label, linestyle="-"):
    """Draw values (n,) as a line, or values (k, n) as their mean over axis 0 and a ±1 std band."""
    if values.ndim == 1:
        ax.plot(x, values, color=color, label=label, linestyle=linestyle)
        return values
    mean, std = values.mean(axis=0), values.std(axis=0)
    ax.plot(x, mean, color=color, label=label, linestyle=linestyle)
    ax.fill_between(x, mean - std, mean + std, color=color, alpha=_BAND_ALPHA, linewidth=0)
    return mean


def plot_learning_curves(history, *, ax=None, metric="loss", title=None, xlabel="epoch", ylabel=None, logy=False):
    r"""Plot training, validation and test curves over epochs.

    For a 2-D series of shape ``(n_seeds, n_epochs)`` the line is the mean over
    seeds and the band is :math:`\bar m_t \pm s_t`, with :math:`s_t` the
    standard deviation over seeds (``ddof=0``). Epochs are numbered from 1.

    Parameters
    ----------
    history : dict
        Maps ``"train_<metric>"``, ``"val_<metric>"`` and ``"test_<metric>"``
        (whichever are present, at least one) to array_like of shape
        ``(n_epochs,)`` or ``(n_seeds, n_epochs)``; all with the same
        ``n_epochs``. Other keys are ignored.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created if None.
    metric : str, default="loss"
        Which curves to draw.
    title, xlabel, ylabel : str, optional
        ``ylabel`` defaults to ``metric``.
    logy : bool, default=False
        Use a logarithmic y axis.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> ax = plot_learning_curves({"train_loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.7, 0.6]})
    >>> [line.get_label() for line in ax.get_lines()]
    ['train', 'validation']
    >>> plt.close(ax.figure)
    """
    caller = "plot_learning_curves"
    if not isinstance(history, Mapping):
        raise TypeError(param_error("history", caller, "a dict", f"a {type(history).__name__}", raw=True))
    if not isinstance(metric, str):
        raise TypeError(param_error("metric", caller, "a str", metric))
    keys = [f"{prefix}_{metric}" for prefix in _LABELS]
    series = {}
    for key in keys:
        if key in history:
            series[key] = check_array(history[key], "history[" + repr(key) + "]", caller, ndim=(1, 2))
    if not series:
        wanted = ", ".join(repr(k) for k in keys)
        raise ValueError(param_error("history", caller, f"a dict with at least one of the keys {wanted}",
                                     f"keys {sorted(map(str, history))}", raw=True))
    lengths = {key: values.shape[-1] for key, values in series.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"Inconsistent numbers of epochs in {caller}: {detail}.")
    ax = _new_axes(ax)
    for key, values in series.items():
        role = key.split("_", 1)[0]
        epochs = np.arange(1, values.shape[-1] + 1)
        _mean_band(ax, epochs, values, color=COLORS[role], label=_LABELS[role])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(metric if ylabel is None else ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_validation_curve(param_values, train_scores, val_scores, *, ax=None, xlabel="λ", ylabel="error",
                          title=None, logx=True, mark="min"):
    r"""Plot training and validation scores against a hyperparameter.

    For 2-D scores of shape ``(n_params, n_repeats)`` the line is the mean over
    repeats and the band is the mean :math:`\pm 1` standard deviation. With
    ``mark="min"`` a dashed vertical line marks
    :math:`\lambda^\star = \arg\min_\lambda \overline{\text{val}}(\lambda)`
    (``"max"`` for scores where higher is better, e.g. accuracy).

    Parameters
    ----------
    param_values : array_like of shape (n_params,)
        The hyperparameter values (positive when ``logx``).
    train_scores, val_scores : array_like of shape (n_params,) or (n_params, n_repeats)
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created if None.
    xlabel, ylabel, title : str, optional
    logx : bool, default=True
        Use a logarithmic x axis.
    mark : {"min", "max", None}, default="min"
        Mark the best mean validation score, or nothing.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> ax = plot_validation_curve([0.01, 0.1, 1.0], [0.1, 0.2, 0.5], [0.4, 0.3, 0.6])
    >>> round(float(ax.get_lines()[-1].get_xdata()[0]), 4)
    0.1
    >>> plt.close(ax.figure)
    """
    caller = "plot_validation_curve"
    mark = check_option(mark, "mark", caller, ("min", "max", None))
    params = check_array(param_values, "param_values", caller, ndim=1)
    train = check_array(train_scores, "train_scores", caller, ndim=(1, 2))
    val = check_array(val_scores, "val_scores", caller, ndim=(1, 2))
    _check_lengths(caller, param_values=params, train_scores=train, val_scores=val)
    if logx and np.any(params <= 0):
        raise ValueError(param_error("param_values", caller, "positive when logx=True",
                                     f"a minimum of {float(params.min())!r}", raw=True))
    ax = _new_axes(ax)
    # scores are (n_params, n_repeats): transpose so that repeats come first, as in _mean_band
    _mean_band(ax, params, train.T, color=COLORS["train"], label="train")
    val_mean = _mean_band(ax, params, val.T, color=COLORS["val"], label="validation")
    if mark is not None:
        best = params[np.argmin(val_mean) if mark == "min" else np.argmax(val_mean)]
        ax.axvline(best, color=COLORS["grey"], linestyle="--", linewidth=1.2, label=f"best: {best:.3g}")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def _check_lengths(caller, **arrays):
    lengths = {k: v.shape[0] for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"Inconsistent lengths in {caller}: {detail}.")


def plot_fit(x, y, *, x_grid, predictions, true_fn=None, ax=None, title=None):
    """Plot data points, the true function and fitted curves.

    Parameters
    ----------
    x, y : array_like of shape (n_samples,)
        The data, drawn as points.
    x_grid : array_like of shape (n_grid,)
        Where ``true_fn`` and the predictions are evaluated.
    predictions : dict
        Maps a legend label to array_like of shape ``(n_grid,)`` (predictions
        on ``x_grid``); one solid line each. May be empty.
    true_fn : callable, optional
        The true regression function, drawn dashed in black.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created if None.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> grid = np.linspace(0, 1, 5)
    >>> ax = plot_fit([0.1, 0.9], [0.5, -0.5], x_grid=grid, predictions={"linear": 0.6 - 1.2 * grid},
    ...               true_fn=lambda t: np.sin(2 * np.pi * t))
    >>> [line.get_label() for line in ax.get_lines()]
    ['true function', 'linear']
    >>> plt.close(ax.figure)
    """
    caller = "plot_fit"
    x = check_array(x, "x", caller, ndim=1)
    y = check_array(y, "y", caller, ndim=1)
    _check_lengths(caller, x=x, y=y)
    grid = check_array(x_grid, "x_grid", caller, ndim=1)
    if not isinstance(predictions, Mapping):
        raise TypeError(param_error("predictions", caller, "a dict of label -> array",
                                    f"a {type(predictions).__name__}", raw=True))
    preds = {}
    for label, values in predictions.items():
        name = f"predictions[{label!r}]"
        preds[label] = check_array(values, name, caller, ndim=1)
        _check_lengths(caller, x_grid=grid, **{name: preds[label]})
    if true_fn is not None and not callable(true_fn):
        raise TypeError(param_error("true_fn", caller, "a callable or None", true_fn))
    ax = _new_axes(ax)
    ax.scatter(x, y, s=18, color=COLORS["data"], alpha=0.8, label="data", zorder=3)
    if true_fn is not None:
        ax.plot(grid, np.asarray(true_fn(grid), dtype=float), color=COLORS["true"], linestyle="--", label="true function")
    cycle = [c for c in PALETTE if c not in (COLORS["true"],)]
    for i, (label, values) in enumerate(preds.items()):
        ax.plot(grid, values, color=cycle[i % len(cycle)], label=str(label))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax
