"""Parameter and array validation: one place, one message template.

Every public function of regbook validates its inputs at the boundary with
these helpers, so that every error a reader sees has the same shape::

    The 'p' parameter of dropout_forward must be a float in the range [0, 1). Got 1.5 instead.

Bad values raise :class:`ValueError`, bad types :class:`TypeError`; arrays
with NaN or infinite entries are rejected with a message that says so.
Kernels behind the boundary do not re-validate.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

__all__ = [
    "ConvergenceWarning",
    "check_array",
    "check_bool",
    "check_consistent_length",
    "check_int",
    "check_option",
    "check_rng",
    "check_scalar",
    "check_tensor",
    "param_error",
    "warn_convergence",
]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching ``tol``."""


def _fmt(value) -> str:
    """Render a received value for an error message (short and unambiguous)."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return repr(value)


def param_error(name: str, caller: str, expected: str, got, *, raw: bool = False) -> str:
    """Build the one message template used across regbook.

    >>> param_error("p", "dropout_forward", "a float in the range [0, 1)", 1.5)
    "The 'p' parameter of dropout_forward must be a float in the range [0, 1). Got 1.5 instead."
    """
    got_text = got if raw else _fmt(got)
    return f"The {name!r} parameter of {caller} must be {expected}. Got {got_text} instead."


def _range_text(min_val, max_val, closed: str) -> str:
    left = "[" if closed in ("both", "left") else "("
    right = "]" if closed in ("both", "right") else ")"
    lo = "-inf" if min_val is None else repr(min_val)
    hi = "inf" if max_val is None else repr(max_val)
    if min_val is None:
        left = "("
    if max_val is None:
        right = ")"
    return f"{left}{lo}, {hi}{right}"


def check_scalar(
    value,
    name: str,
    caller: str,
    *,
    min_val=None,
    max_val=None,
    closed: str = "both",
):
    """Validate a real scalar and return it as a Python ``float``.

    Parameters
    ----------
    value : object
        The value received.
    name, caller : str
        The parameter's name and the public function or class that received it.
    min_val, max_val : float or None
        Bounds of the valid range; ``None`` leaves that side unbounded.
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the valid range.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number (booleans are refused).
    ValueError
        If ``value`` is NaN or lies outside the range.

    Examples
    --------
    >>> check_scalar(0.5, "p", "dropout_forward", min_val=0.0, max_val=1.0, closed="left")
    0.5
    >>> check_scalar(1.5, "p", "dropout_forward", min_val=0.0, max_val=1.0, closed="left")
    Traceback (most recent call last):
    ...
    ValueError: The 'p' parameter of dropout_forward must be a float in the range [0.0, 1.0). Got 1.5 instead.
    """
    rng_text = _range_text(min_val, max_val, closed)
    expected = f"a float in the range {rng_text}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(param_error(name, caller, expected, value))
    v = float(value)
    # an unbounded side is open: the message says (-inf, ...) or (..., inf), so infinities are refused
    lo_ok = v > -np.inf if min_val is None else (v >= min_val if closed in ("both", "left") else v > min_val)
    hi_ok = v < np.inf if max_val is None else (v <= max_val if closed in ("both", "right") else v < max_val)
    if np.isnan(v) or not (lo_ok and hi_ok):
        raise ValueError(param_error(name, caller, expected, value))
    return v


def check_int(value, name: str, caller: str, *, min_val=None, max_val=None) -> int:
    """Validate an integer (NumPy integers accepted, floats and booleans refused).

    >>> check_int(3, "degree", "polynomial_features", min_val=0)
    3
    >>> check_int(-1, "degree", "polynomial_features", min_val=0)
    Traceback (most recent call last):
    ...
    ValueError: The 'degree' parameter of polynomial_features must be an int in the range [0, inf). Got -1 instead.
    """
    expected = f"an int in the range {_range_text(min_val, max_val, 'both')}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(param_error(name, caller, expected, value))
    v = int(value)
    if (min_val is not None and v < min_val) or (max_val is not None and v > max_val):
        raise ValueError(param_error(name, caller, expected, value))
    return v


def check_bool(value, name: str, caller: str) -> bool:
    """Validate a flag (Python or NumPy bool; 0/1 and strings are refused).

    >>> check_bool(True, "fit_intercept", "ridge")
    True
    >>> check_bool(1, "fit_intercept", "ridge")
    Traceback (most recent call last):
    ...
    TypeError: The 'fit_intercept' parameter of ridge must be a bool. Got 1 instead.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(param_error(name, caller, "a bool", value))
    return bool(value)


def check_option(value, name: str, caller: str, options):
    """Validate that ``value`` is one of a fixed set of options.

    >>> check_option("png", "fmt", "savefig", ("png", "svg"))
    'png'
    >>> check_option("gif", "fmt", "savefig", ("png", "svg"))
    Traceback (most recent call last):
    ...
    ValueError: The 'fmt' parameter of savefig must be one of 'png', 'svg'. Got 'gif' instead.
    """
    if value not in options:
        choices = ", ".join(repr(o) for o in options)
        raise ValueError(param_error(name, caller, f"one of {choices}", value))
    return value


def check_array(
    X,
    name: str,
    caller: str,
    *,
    ndim=None,
    min_samples: int = 1,
    dtype=np.float64,
    allow_nonfinite: bool = False,
) -> np.ndarray:
    """Convert ``X`` to a NumPy array and validate its dimensions and values.

    Parameters
    ----------
    X : array_like
    name, caller : str
        The parameter's name and the public function that received it.
    ndim : int, tuple of int or None
        Accepted numbers of dimensions (``None`` accepts any).
    min_samples : int
        Minimum length of the first axis (for ``ndim >= 1``).
    dtype : numpy dtype or None
        Target dtype; ``None`` keeps the input's. Non-numeric input is refused.
    allow_nonfinite : bool
        If False (default), NaN and infinite entries are refused.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> check_array([[1.0, 2.0]], "X", "ridge", ndim=2).shape
    (1, 2)
    >>> check_array([1.0, float("nan")], "y", "ridge", ndim=1)
    Traceback (most recent call last):
    ...
    ValueError: The 'y' parameter of ridge must contain only finite values. Got an array with 1 NaN and 0 infinite entries instead.
    >>> check_array([1.0, 2.0], "X", "ridge", ndim=2)
    Traceback (most recent call last):
    ...
    ValueError: The 'X' parameter of ridge must be a 2D array (got 1D input).
    """
    if isinstance(X, (str, bytes)) or np.asarray(X).dtype.kind in "USO":
        # strings that look like numbers ("1") would otherwise be converted silently
        got = f"a {type(X).__name__}" if isinstance(X, (str, bytes)) else f"dtype {np.asarray(X).dtype}"
        raise TypeError(param_error(name, caller, "an array of numbers", got, raw=True))
    try:
        arr = np.asarray(X) if dtype is None else np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            param_error(name, caller, "an array of numbers", f"a {type(X).__name__}", raw=True)
        ) from exc
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(param_error(name, caller, "an array of numbers", f"dtype {arr.dtype}", raw=True))
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}D" for d in allowed)
            raise ValueError(
                f"The {name!r} parameter of {caller} must be a {want} array (got {arr.ndim}D input)."
            )
    if arr.ndim >= 1 and arr.shape[0] < min_samples:
        raise ValueError(
            param_error(
                name, caller, f"an array with at least {min_samples} sample(s)",
                f"{arr.shape[0]} samples (shape {arr.shape})", raw=True,
            )
        )
    if not allow_nonfinite and np.issubdtype(arr.dtype, np.inexact) and not np.isfinite(arr).all():
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        if n_nan or n_inf:
            raise ValueError(
                f"The {name!r} parameter of {caller} must contain only finite values. "
                f"Got an array with {n_nan} NaN and {n_inf} infinite entries instead."
            )
    return arr


def check_consistent_length(caller: str, **arrays) -> int:
    """Check that arrays share their first dimension; return it.

    >>> check_consistent_length("ridge", X=np.zeros((3, 2)), y=np.zeros(3))
    3
    >>> check_consistent_length("ridge", X=np.zeros((3, 2)), y=np.zeros(4))
    Traceback (most recent call last):
    ...
    ValueError: Inconsistent numbers of samples in ridge: X has 3, y has 4.
    """
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"Inconsistent numbers of samples in {caller}: {detail}.")
    return next(iter(lengths.values()))


def check_rng(rng, name: str = "rng", caller: str = "regbook") -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a Generator or an int seed.

    Randomness in regbook is always passed in explicitly; ``None`` is refused so
    that no result silently depends on global state.

    >>> int(check_rng(0).integers(10)) == int(np.random.default_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(param_error(name, caller, "a numpy.random.Generator or a non-negative int seed", rng))


def warn_convergence(caller: str, max_iter: int, tol: float, detail: str = "", *, stacklevel: int = 3) -> None:
    """Emit a :class:`ConvergenceWarning` that names the settings to change.

    ``stacklevel`` counts from the caller of this function, as in :func:`warnings.warn`
    (3 points at the code that called the public solver that called this).
    """
    msg = (
        f"{caller} did not converge within max_iter={max_iter} iterations (tol={tol!r}). "
        "Increase max_iter, loosen tol, or standardize the features."
    )
    if detail:
        msg += " " + detail
    warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)


def check_tensor(t, name: str, caller: str, *, ndim=None, floating: bool = True, allow_nonfinite: bool = False):
    """Validate a :class:`torch.Tensor` with the same messages as :func:`check_array`.

    torch is imported lazily, so ``regbook.np`` never pulls it in.

    >>> import torch
    >>> check_tensor(torch.zeros(2, 3), "x", "dropout", ndim=2).shape
    torch.Size([2, 3])
    >>> check_tensor(torch.zeros(3), "x", "batch_norm", ndim=(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: The 'x' parameter of batch_norm must be a 2D or 3D tensor (got 1D input).
    """
    import torch

    if not isinstance(t, torch.Tensor):
        raise TypeError(param_error(name, caller, "a torch.Tensor", f"a {type(t).__name__}", raw=True))
    if floating and not torch.is_floating_point(t):
        raise TypeError(param_error(name, caller, "a floating-point tensor", f"dtype {t.dtype}", raw=True))
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if t.dim() not in allowed:
            want = " or ".join(f"{d}D" for d in allowed)
            raise ValueError(f"The {name!r} parameter of {caller} must be a {want} tensor (got {t.dim()}D input).")
    if not allow_nonfinite and t.is_floating_point():
        n_nan = int(torch.isnan(t).sum())
        n_inf = int(torch.isinf(t).sum())
        if n_nan or n_inf:
            raise ValueError(
                f"The {name!r} parameter of {caller} must contain only finite values. "
                f"Got a tensor with {n_nan} NaN and {n_inf} infinite entries instead."
            )
    return t
