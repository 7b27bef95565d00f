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
    "check_close",
    "check_gradient",
    "check_shape",
    "check_statistic",
    "check_true",
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



# --------------------------------------------------------------------------- exercise checks
# The check_* functions grade a student's answer. Unlike assert_*, they never
# raise a validation error about what the student returned: None, a string, a
# wrong shape or NaN entries all fail the check with a one-line CheckError
# that starts with the exercise's name and says what was expected.
def _describe(value):
    """A short description of whatever came back (never raises)."""
    if value is None:
        return "None"
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)) and _numeric(value) is not None:
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _fmt_values(value)
        return f"an array of shape {value.shape}: {_fmt_values(value)}"
    if isinstance(value, (bool, np.bool_, int, float, np.number)):
        return repr(value.item() if isinstance(value, np.generic) else value)
    text = f"a {type(value).__name__}"
    if isinstance(value, (list, tuple)):
        text += f" of length {len(value)}"
    return text


def _fmt_values(arr):
    """Rounded, one-line rendering of a numeric array or scalar."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        return f"{float(arr):.6g}" if arr.dtype.kind in "fc" else repr(arr.item())
    if arr.size > 8:  # long or multi-dimensional: first and last entries, flattened (the shape is stated)
        arr = arr.ravel()
    with np.printoptions(precision=4, threshold=8, edgeitems=3, suppress=False):
        return " ".join(np.array2string(arr, separator=", ").split())


def _numeric(value):
    """Float64 array from an answer, or None if it is not numeric."""
    if value is None or isinstance(value, (str, bytes, dict)):
        return None
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - any object that NumPy cannot convert
        return None
    if arr.dtype.kind not in "biuf":
        return None
    return arr.astype(np.float64)


def _check_name(name, caller):
    if not isinstance(name, str) or not name:
        raise TypeError(param_error("name", caller, "a non-empty str such as 'Exercise 2.1 ridge'", name))
    return name


def _expected_text(expected):
    if expected.ndim == 0:
        return f"a number close to {_fmt_values(expected)}"
    return f"an array of shape {expected.shape} close to {_fmt_values(expected)}"


def check_close(got, expected, *, name, rtol=1e-7, atol=0.0) -> float:
    r"""Grade an answer: it must have the reference's shape and match it entrywise.

    .. math::

        \max_{i:\ |g_i - e_i| > \text{atol}} \frac{|g_i - e_i|}{|g_i| + |e_i|}
        \le \text{rtol},

    the relative error of :func:`rel_error`, ignoring entries that agree to
    ``atol`` (useful where the reference is exactly zero).

    Parameters
    ----------
    got : array_like, scalar or torch tensor
        The student's answer; anything else (``None``, a string, a wrong shape,
        NaN entries) fails the check.
    expected : array_like or scalar, finite
        The reference value.
    name : str
        The exercise and what is checked, e.g. ``"Exercise 3.2 soft_threshold"``.
    rtol : float, default=1e-7
        Largest accepted relative error (:math:`\ge 0`).
    atol : float, default=0.0
        Entries with :math:`|g_i - e_i| \le` ``atol`` always pass.

    Returns
    -------
    float
        The relative error, when the check passes.

    Raises
    ------
    CheckError
        One line: the name, what was expected and what came back.

    Examples
    --------
    >>> check_close([0.5, 0.0], [0.5, 0.0], name="Exercise 3.1 soft_threshold")
    0.0
    >>> check_close(None, [0.5, 0.0], name="Exercise 3.1 soft_threshold")
    Traceback (most recent call last):
    ...
    regbook.checks.CheckError: Exercise 3.1 soft_threshold: expected an array of shape (2,) close to [0.5, 0. ] (rtol 1e-07), got None.
    """
    caller = "check_close"
    name = _check_name(name, caller)
    rtol = check_scalar(rtol, "rtol", caller, min_val=0.0)
    atol = check_scalar(atol, "atol", caller, min_val=0.0)
    expected = _as_float_array(expected, "expected", caller)
    want = f"{name}: expected {_expected_text(expected)} (rtol {rtol:g}"
    want += f", atol {atol:g})" if atol else ")"
    arr = _numeric(got)
    if arr is None or arr.shape != expected.shape:
        raise CheckError(f"{want}, got {_describe(got)}.")
    if not np.all(np.isfinite(arr)):
        raise CheckError(f"{want}, got non-finite values: {_fmt_values(arr)}.")
    diff = np.abs(arr - expected)
    rel = np.where(diff <= atol, 0.0, diff / np.maximum(1e-12, np.abs(arr) + np.abs(expected)))
    err = float(rel.max()) if rel.size else 0.0
    if err > rtol:
        raise CheckError(f"{want}, got {_fmt_values(arr)} (max rel. error {err:.3g}).")
    return err


def check_shape(got, shape, *, name) -> None:
    r"""Grade the shape of an answer: a numeric array (or tensor) of exactly ``shape``.

    .. math::

        \operatorname{shape}(\text{got}) = \text{shape}

    Parameters
    ----------
    got : array_like or torch tensor
        The student's answer.
    shape : tuple of int
        The expected shape.
    name : str
        The exercise and what is checked.

    Raises
    ------
    CheckError
        One line, if ``got`` is not numeric or has another shape.

    Examples
    --------
    >>> check_shape(np.zeros((3, 2)), (3, 2), name="Exercise 1.1 features")
    >>> check_shape(np.zeros(3), (3, 2), name="Exercise 1.1 features")
    Traceback (most recent call last):
    ...
    regbook.checks.CheckError: Exercise 1.1 features: expected a numeric array of shape (3, 2), got an array of shape (3,): [0., 0., 0.].
    """
    name = _check_name(name, "check_shape")
    if not isinstance(shape, tuple) or not all(isinstance(s, (int, np.integer)) for s in shape):
        raise TypeError(param_error("shape", "check_shape", "a tuple of int", shape))
    shape = tuple(int(s) for s in shape)
    arr = _numeric(got)
    if arr is None or arr.shape != shape:
        raise CheckError(f"{name}: expected a numeric array of shape {shape}, got {_describe(got)}.")


def check_gradient(f, x, analytic, *, name, rtol=1e-6, h=1e-6) -> float:
    r"""Grade a gradient against centred finite differences.

    .. math::

        \operatorname{rel\_error}\bigl(g,\ \hat g\bigr) \le \text{rtol}, \qquad
        \hat g_i = \frac{f(x + h e_i) - f(x - h e_i)}{2h}

    Parameters
    ----------
    f : callable
        ``f(x) -> float``, the function whose gradient is graded.
    x : array_like, finite
        The point.
    analytic : array_like of the shape of ``x``
        The student's gradient :math:`g`; ``None`` or a wrong shape fails.
    name : str
        The exercise and what is checked.
    rtol : float, default=1e-6
        Largest accepted relative error.
    h : float, default=1e-6
        Finite-difference step :math:`h > 0`.

    Returns
    -------
    float
        The relative error, when the check passes.

    Raises
    ------
    CheckError
        One line, naming the exercise.

    Examples
    --------
    >>> x = np.array([1.0, -2.0])
    >>> bool(check_gradient(lambda v: float(np.sum(v ** 2)), x, 2 * x, name="Exercise 2.2") < 1e-8)
    True
    """
    caller = "check_gradient"
    name = _check_name(name, caller)
    _check_callable(f, caller)
    rtol = check_scalar(rtol, "rtol", caller, min_val=0.0)
    h = check_scalar(h, "h", caller, min_val=0.0, closed="neither")
    x = _writable_float_array(x, caller)
    numeric = _numerical_gradient(f, x, h, caller)
    return check_close(analytic, numeric, name=f"{name} (vs. finite differences, h={h:g})", rtol=rtol)


def check_statistic(got, expected, *, se, name, z=4.0) -> float:
    r"""Grade a random quantity: within ``z`` standard errors of its expected value.

    .. math::

        |\text{got} - \text{expected}| \le z \cdot \text{se}

    For random layers (a dropout mask's mean, a Monte Carlo average) whose exact
    value depends on the random draws. With ``z = 4`` a correct answer fails
    with probability below :math:`10^{-4}` (for a normal statistic).

    Parameters
    ----------
    got : float or 0-d array
        The student's statistic.
    expected : float
        Its expected value.
    se : float
        Its standard error (:math:`> 0`).
    name : str
        The exercise and what is checked.
    z : float, default=4.0
        Accepted number of standard errors.

    Returns
    -------
    float
        :math:`(\text{got} - \text{expected}) / \text{se}`, when the check passes.

    Raises
    ------
    CheckError
        One line, naming the exercise.

    Examples
    --------
    >>> round(check_statistic(0.51, 0.5, se=0.01, name="Exercise 6.1 mask mean"), 4)
    1.0
    >>> check_statistic(0.7, 0.5, se=0.01, name="Exercise 6.1 mask mean")
    Traceback (most recent call last):
    ...
    regbook.checks.CheckError: Exercise 6.1 mask mean: expected a value within 4 standard errors (se 0.01) of 0.5, got 0.7 (z = 20).
    """
    caller = "check_statistic"
    name = _check_name(name, caller)
    expected = check_scalar(expected, "expected", caller)
    se = check_scalar(se, "se", caller, min_val=0.0, closed="neither")
    z = check_scalar(z, "z", caller, min_val=0.0, closed="neither")
    want = f"{name}: expected a value within {z:g} standard errors (se {se:g}) of {expected:g}"
    arr = _numeric(got)
    if arr is None or arr.size != 1:
        raise CheckError(f"{want}, got {_describe(got)}.")
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        raise CheckError(f"{want}, got {value}.")
    score = (value - expected) / se
    if abs(score) > z:
        raise CheckError(f"{want}, got {value:.6g} (z = {score:.3g}).")
    return score


def check_true(condition, *, name, expected) -> None:
    r"""Grade a property that must hold, stated in words.

    .. math::

        \text{condition} = \text{True}

    Parameters
    ----------
    condition : bool
        The property, evaluated on the student's answer (a Python or NumPy bool).
    name : str
        The exercise and what is checked.
    expected : str
        The property in words, e.g. ``"an objective that never increases"``.

    Raises
    ------
    CheckError
        One line: ``"<name>: expected <expected>, got <condition>."``.

    Examples
    --------
    >>> check_true(True, name="Exercise 3.3 ista", expected="a non-increasing objective")
    >>> check_true(False, name="Exercise 3.3 ista", expected="a non-increasing objective")
    Traceback (most recent call last):
    ...
    regbook.checks.CheckError: Exercise 3.3 ista: expected a non-increasing objective, got False.
    """
    name = _check_name(name, "check_true")
    if not isinstance(expected, str):
        raise TypeError(param_error("expected", "check_true", "a str", expected))
    if not (isinstance(condition, (bool, np.bool_)) and bool(condition)):
        raise CheckError(f"{name}: expected {expected}, got {_describe(condition)}.")
