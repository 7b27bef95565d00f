r"""Relative errors, numerical gradients and value checks.

The same few functions check the book's derivations in the notebooks, grade
the exercises and back the test suite. Gradients are checked CS231n style:
centred finite differences in float64, compared with the analytic gradient
through a relative error, which is about :math:`10^{-8}` or smaller when the
analytic gradient is right and of order :math:`10^{-2}` to :math:`1` when it
is wrong.

The ``assert_*`` functions raise :class:`CheckError` with a one-line message
that says what was expected and what came back, so that a failing notebook
cell or exercise tells the reader where to look.
"""

from __future__ import annotations

import math

import numpy as np

from regbook._validation import check_array, check_scalar, param_error

__all__ = [
    "CheckError",
    "assert_close",
    "assert_gradient",
    "error_bound",
    "gradient_check",
    "numerical_gradient",
    "numerical_gradient_array",
    "rel_error",
]


class CheckError(AssertionError):
    """A numerical check failed; the message is one line: expected vs obtained."""


# --------------------------------------------------------------------------- helpers
def _as_float_array(x, name, caller, *, allow_nonfinite=False):
    """Accept arrays, scalars and (detached, CPU) torch tensors without importing torch."""
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return check_array(x, name, caller, dtype=np.float64, allow_nonfinite=allow_nonfinite)


def _check_callable(f, caller):
    if not callable(f):
        raise TypeError(param_error("f", caller, "a callable", f))


def _check_same_shape(a, b, name_a, name_b, caller):
    if a.shape != b.shape:
        raise ValueError(
            f"{caller} needs {name_a} and {name_b} of the same shape; "
            f"got {name_a} of shape {a.shape} and {name_b} of shape {b.shape}."
        )


def _rel_error(x, y, eps):
    # max_i |x_i - y_i| / max(eps, |x_i| + |y_i|)
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(eps, np.abs(x) + np.abs(y))))


def _fmt_index(index):
    return "(" + ", ".join(str(int(i)) for i in index) + (",)" if len(index) == 1 else ")")


def _scalar_output(f, x, caller):
    value = np.asarray(f(x), dtype=np.float64)
    if value.size != 1:
        raise ValueError(
            f"The function f passed to {caller} must return a scalar; "
            f"got an output of shape {value.shape}. Use numerical_gradient_array for array outputs."
        )
    return float(value.reshape(()))


# --------------------------------------------------------------------------- public API
def rel_error(x, y, *, eps=1e-12) -> float:
    r"""Largest elementwise relative error between two arrays.

    .. math::

        \operatorname{rel\_error}(x, y) = \max_i
        \frac{|x_i - y_i|}{\max(\varepsilon,\ |x_i| + |y_i|)}

    It is symmetric in :math:`x` and :math:`y`, lies in :math:`[0, 1]`, and is
    meaningful both for large and for tiny entries; :math:`\varepsilon` only
    guards the entries where both values are zero.

    Parameters
    ----------
    x, y : array_like of the same shape, or scalars
    eps : float, default=1e-12
        Floor :math:`\varepsilon > 0` of the denominator.

    Returns
    -------
    float
        The relative error (``nan`` if either input contains NaN; ``0.0`` for
        empty arrays).

    Examples
    --------
    >>> round(rel_error(1.0, 1.1), 4)
    0.0476
    >>> rel_error([0.0, 2.0], [0.0, 2.0])
    0.0
    """
    eps = check_scalar(eps, "eps", "rel_error", min_val=0.0, closed="neither")
    x = _as_float_array(x, "x", "rel_error", allow_nonfinite=True)
    y = _as_float_array(y, "y", "rel_error", allow_nonfinite=True)
    _check_same_shape(x, y, "x", "y", "rel_error")
    return _rel_error(x, y, eps)


def numerical_gradient(f, x, *, h=1e-6) -> np.ndarray:
    r"""Gradient of a scalar function by centred finite differences.

    .. math::

        \frac{\partial f}{\partial x_i}(x) \approx
        \frac{f(x + h e_i) - f(x - h e_i)}{2h},

    with error :math:`O(h^2)`. One coordinate is moved at a time, so ``f`` is
    called :math:`2 \times` ``x.size`` times.

    If ``x`` is a writable float64 ndarray, it is perturbed in place and each
    entry is restored right after use (also when ``f`` raises), so ``f`` may
    read ``x`` through a closure, as in ``lambda _: model_loss(W)`` with
    ``x=W``. Any other input is converted to a float64 copy first. Either way
    ``x`` is unchanged on return.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; it must return a scalar.
    x : array_like of any shape, or a scalar
        The point, with finite entries.
    h : float, default=1e-6
        Step :math:`h > 0`.

    Returns
    -------
    grad : ndarray of the same shape as ``x`` (float64)

    Examples
    --------
    >>> g = numerical_gradient(lambda v: np.sum(v ** 2), np.array([1.0, -2.0]))
    >>> [round(float(gi), 6) for gi in g]
    [2.0, -4.0]
    """
    caller = "numerical_gradient"
    _check_callable(f, caller)
    h = check_scalar(h, "h", caller, min_val=0.0, closed="neither")
    return _numerical_gradient(f, _writable_float_array(x, caller), h, caller)


def _writable_float_array(x, caller):
    arr = _as_float_array(x, "x", caller)
    if arr is not x or not arr.flags.writeable:
        arr = np.array(arr, dtype=np.float64)  # a private copy we may perturb
    return arr


def _numerical_gradient(f, x, h, caller):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            f_plus = _scalar_output(f, x, caller)
            x[idx] = old - h
            f_minus = _scalar_output(f, x, caller)
        finally:
            x[idx] = old  # restore exactly, even if f raised
        grad[idx] = (f_plus - f_minus) / (2.0 * h)  # centred difference
    return grad


def numerical_gradient_array(f, x, df, *, h=1e-6) -> np.ndarray:
    r"""Gradient of :math:`\sum_j f(x)_j\, \mathrm{d}f_j` for an array-valued ``f``.

    .. math::

        \frac{\partial}{\partial x_i} \sum_j f(x)_j\, \mathrm{d}f_j \approx
        \sum_j \frac{f(x + h e_i)_j - f(x - h e_i)_j}{2h}\, \mathrm{d}f_j

    This is what a layer's backward pass computes: given the upstream gradient
    ``df`` (:math:`\partial L / \partial f`), the result is
    :math:`\partial L / \partial x`. ``x`` is handled as in
    :func:`numerical_gradient` and is unchanged on return.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray``, e.g. a layer's forward pass.
    x : array_like of any shape
        The point, with finite entries.
    df : array_like of the shape of ``f(x)``
        Upstream gradient.
    h : float, default=1e-6
        Step :math:`h > 0`.

    Returns
    -------
    dx : ndarray of the same shape as ``x`` (float64)

    Examples
    --------
    For a linear map :math:`f(x) = Wx` the answer is :math:`W^\top \mathrm{d}f`:

    >>> W = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> dx = numerical_gradient_array(lambda v: W @ v, np.zeros(2), np.array([1.0, 1.0]))
    >>> [round(float(v), 6) for v in dx]
    [4.0, 6.0]
    """
    caller = "numerical_gradient_array"
    _check_callable(f, caller)
    h = check_scalar(h, "h", caller, min_val=0.0, closed="neither")
    x = _writable_float_array(x, caller)
    df = _as_float_array(df, "df", caller)
    out_shape = np.shape(f(x))
    if out_shape != df.shape:
        raise ValueError(
            f"The 'df' parameter of {caller} must have the shape of f(x), {out_shape}. "
            f"Got an array of shape {df.shape} instead."
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        try:
            x[idx] = old + h
            f_plus = np.array(f(x), dtype=np.float64)  # copy: f may return a view of x
            x[idx] = old - h
            f_minus = np.array(f(x), dtype=np.float64)
        finally:
            x[idx] = old
        grad[idx] = np.sum((f_plus - f_minus) * df) / (2.0 * h)
    return grad


def gradient_check(f, x, analytic_grad, *, h=1e-6) -> float:
    r"""Relative error between an analytic gradient and the numerical one.

    .. math::

        \operatorname{rel\_error}\bigl(g,\ \hat g\bigr), \qquad
        \hat g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : array_like of any shape
        The point, with finite entries.
    analytic_grad : array_like of the same shape as ``x``
        The gradient :math:`g` to check.
    h : float, default=1e-6
        Step :math:`h > 0`.

    Returns
    -------
    float
        Around 1e-8 or below for a correct gradient of a smooth function.

    Examples
    --------
    >>> x = np.array([0.5, -1.5])
    >>> bool(gradient_check(lambda v: np.sum(v ** 3), x, 3 * x ** 2) < 1e-8)
    True
    """
    caller = "gradient_check"
    _check_callable(f, caller)
    h = check_scalar(h, "h", caller, min_val=0.0, closed="neither")
    x = _writable_float_array(x, caller)
    g = _as_float_array(analytic_grad, "analytic_grad", caller, allow_nonfinite=True)
    _check_same_shape(g, x, "analytic_grad", "x", caller)
    return _rel_error(g, _numerical_gradient(f, x, h, caller), 1e-12)


def _assert_close(actual, expected, rtol, name, against):
    """Raise CheckError unless rel_error(actual, expected) <= rtol (inputs validated)."""
    if actual.shape != expected.shape:
        raise CheckError(f"{name}: expected shape {expected.shape}, got shape {actual.shape}.")
    bad = ~np.isfinite(actual)
    if bad.any():
        first = _fmt_index(np.unravel_index(int(np.argmax(bad)), actual.shape))
        raise CheckError(
            f"{name}: expected finite values, got {int(np.isnan(actual).sum())} NaN and "
            f"{int(np.isinf(actual).sum())} infinite entries (first at index {first})."
        )
    err = _rel_error(actual, expected, 1e-12)
    if err > rtol:
        diff = np.abs(actual - expected)
        where = _fmt_index(np.unravel_index(int(np.argmax(diff)), diff.shape))
        raise CheckError(
            f"{name}: expected rel_error <= {rtol:g} against {against}, got {err:.3g} "
            f"(max abs diff {float(diff.max()):.3g} at index {where})."
        )
    return err


def assert_close(actual, expected, *, rtol=1e-7, name="value") -> float:
    r"""Check that ``actual`` matches ``expected`` up to a relative error.

    .. math::

        \operatorname{rel\_error}(\text{actual}, \text{expected}) \le \text{rtol}

    Parameters
    ----------
    actual : array_like or scalar
        The value to check (NaN or infinite entries fail the check).
    expected : array_like or scalar, same shape
        The reference, with finite entries.
    rtol : float, default=1e-7
        Largest accepted relative error (:math:`\ge 0`).
    name : str, default="value"
        What is checked, used at the start of the error message.

    Returns
    -------
    float
        The relative error, when the check passes.

    Raises
    ------
    CheckError
        If the shapes differ, ``actual`` is not finite, or the relative error
        exceeds ``rtol``. The message is one line.

    Examples
    --------
    >>> assert_close([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> assert_close([1.0, 2.5], [1.0, 2.0], name="dropout_forward output")
    Traceback (most recent call last):
    ...
    regbook.checks.CheckError: dropout_forward output: expected rel_error <= 1e-07 against the reference, got 0.111 (max abs diff 0.5 at index (1,)).
    """
    rtol = check_scalar(rtol, "rtol", "assert_close", min_val=0.0)
    actual = _as_float_array(actual, "actual", "assert_close", allow_nonfinite=True)
    expected = _as_float_array(expected, "expected", "assert_close")
    return _assert_close(actual, expected, rtol, str(name), "the reference")


def assert_gradient(f, x, analytic_grad, *, rtol=1e-7, h=1e-6, name="gradient") -> float:
    r"""Check an analytic gradient against centred finite differences.

    .. math::

        \operatorname{rel\_error}\bigl(g,\ \hat g\bigr) \le \text{rtol}, \qquad
        \hat g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : array_like of any shape
        The point, with finite entries.
    analytic_grad : array_like of the same shape as ``x``
        The gradient :math:`g` to check.
    rtol : float, default=1e-7
        Largest accepted relative error (:math:`\ge 0`).
    h : float, default=1e-6
        Step :math:`h > 0`.
    name : str, default="gradient"
        What is checked, used at the start of the error message.

    Returns
    -------
    float
        The relative error, when the check passes.

    Raises
    ------
    CheckError
        If ``analytic_grad`` does not have the shape of ``x``, is not finite,
        or is too far from the numerical gradient. One line, as for
        :func:`assert_close`.

    Examples
    --------
    >>> x = np.array([1.0, 2.0])
    >>> bool(assert_gradient(lambda v: np.sum(v ** 2), x, 2 * x) < 1e-7)
    True
    """
    caller = "assert_gradient"
    _check_callable(f, caller)
    rtol = check_scalar(rtol, "rtol", caller, min_val=0.0)
    h = check_scalar(h, "h", caller, min_val=0.0, closed="neither")
    x = _writable_float_array(x, caller)
    g = _as_float_array(analytic_grad, "analytic_grad", caller, allow_nonfinite=True)
    numeric = _numerical_gradient(f, x, h, caller)
    return _assert_close(g, numeric, rtol, str(name), f"the numerical gradient (h={h:g})")


def error_bound(err, *, floor=1e-12) -> str:
    r"""A printable upper bound on a small error: the next power of ten above it.

    .. math::

        \operatorname{bound}(e) = 10^{k}, \qquad
        k = \max\bigl(\lfloor \log_{10} e \rfloor + 1,\ \log_{10} \text{floor}\bigr),

    printed as ``"< 1e{k}"``; :math:`e < \operatorname{bound}(e)` always holds.
    Errors at rounding level (``1e-16`` here, ``3e-15`` on another machine
    or BLAS) would make a notebook's printed output differ from run to run;
    their bound does not. Everything below ``floor`` prints as ``< floor``.

    Parameters
    ----------
    err : float
        A finite error :math:`e \ge 0` (relative error, max abs difference...).
    floor : float, default=1e-12
        Smallest bound printed; a power of ten in :math:`(0, 1]`.

    Returns
    -------
    str
        ``"< 1e-12"``, ``"< 1e-05"``, ...

    Examples
    --------
    >>> error_bound(3.2e-16), error_bound(0.0), error_bound(2.5e-6), error_bound(1e-5)
    ('< 1e-12', '< 1e-12', '< 1e-05', '< 1e-04')
    """
    err = check_scalar(err, "err", "error_bound", min_val=0.0)  # refuses NaN and inf as well
    floor = check_scalar(floor, "floor", "error_bound", min_val=0.0, max_val=1.0, closed="right")
    k_floor = math.log10(floor)
    if not math.isclose(k_floor, round(k_floor), abs_tol=1e-9):
        raise ValueError(param_error("floor", "error_bound", "a power of ten in (0, 1]", floor))
    k = round(k_floor) if err < floor else max(math.floor(math.log10(err)) + 1, round(k_floor))
    return f"< {10.0 ** k:.0e}"
