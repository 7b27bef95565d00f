r"""Data augmentation as a regularizer: input noise, shifts, rotations, mixup.

Each random transformation is split in two: a deterministic function that
applies given draws (``shift_images_by``, ``rotate_images_by``, ``mixup_by``)
and a random one that draws them from ``rng`` and calls it. The torch twins in
:mod:`regbook.pt.augment` share the deterministic half, so parity between the
two is exact given the same draws.

.. math::

    \tilde x = x + \sigma \varepsilon,\ \varepsilon \sim \mathcal N(0, I); \qquad
    \tilde x = \lambda x_i + (1-\lambda) x_j,\ \tilde y = \lambda y_i + (1-\lambda) y_j,
    \ \lambda \sim \operatorname{Beta}(\alpha, \alpha).

Images are ``(n, h*w)`` flattened rows (scikit-learn's digits), ``(n, h, w)``,
or ``(n, c, h, w)`` (every channel of an image moves together); the output has
the input's shape. Pixels that come from outside the image are 0, so apply
geometric augmentation before standardizing, or to data whose background is 0.
"""

from __future__ import annotations

import numpy as np

from regbook._validation import (
    check_array, check_consistent_length, check_int, check_rng, check_scalar, param_error,
)

__all__ = [
    "add_noise", "augment_digits", "mixup", "mixup_by", "rotate_images", "rotate_images_by",
    "shift_images", "shift_images_by",
]


def _check_shape(shape, caller):
    ok = isinstance(shape, (tuple, list)) and len(shape) == 2
    if ok:
        try:
            shape = tuple(check_int(s, "shape", caller, min_val=1) for s in shape)
        except (TypeError, ValueError):
            ok = False
    if not ok:
        raise ValueError(param_error("shape", caller, "a pair of positive ints (height, width)", shape))
    return shape


def _as_images(X, shape, caller):
    """Validate X and return it as (n, c, h, w) plus the input's shape."""
    shape = _check_shape(shape, caller)
    X = check_array(X, "X", caller, ndim=(2, 3, 4))
    h, w = shape
    if X.ndim == 2 and X.shape[1] != h * w:
        raise ValueError(param_error("X", caller, f"of shape (n, {h * w}) for images of shape {shape}",
                                     f"shape {X.shape}", raw=True))
    if X.ndim > 2 and X.shape[-2:] != shape:
        raise ValueError(param_error("X", caller, f"images of shape {shape} in its last two axes",
                                     f"shape {X.shape}", raw=True))
    return X.reshape(X.shape[0], -1, h, w), X.shape


def _per_image(v, n, name, caller, *, dtype=np.float64):
    v = check_array(v, name, caller, ndim=1, dtype=dtype)
    if len(v) != n:
        raise ValueError(param_error(name, caller, f"an array of length {n} (one value per image)",
                                     f"length {len(v)}", raw=True))
    return v


def _gather(imgs, rows, cols):
    """imgs (n, c, h, w); rows, cols (n, h, w) integer source positions -> values, 0 outside."""
    n, _, h, w = imgs.shape
    valid = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    i = np.arange(n)[:, None, None]
    vals = imgs[i, :, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)]  # (n, h, w, c)
    return np.moveaxis(vals, -1, 1) * valid[:, None]


def shift_images_by(X, dx, dy, *, shape=(8, 8)):
    r"""Shift every image by given integer offsets, filling with zeros.

    .. math::

        \tilde x_{r, c} = \begin{cases} x_{r - \delta_y,\, c - \delta_x} & \text{inside the image} \\
        0 & \text{otherwise} \end{cases}

    Parameters
    ----------
    X : array_like of shape (n, h*w), (n, h, w) or (n, c, h, w)
        Images.
    dx, dy : array_like of int, shape (n,)
        Horizontal (positive: right) and vertical (positive: down) offsets.
    shape : tuple of int, default=(8, 8)
        ``(h, w)`` of one image.

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> X = np.zeros((1, 3, 3)); X[0, 1, 1] = 1.0
    >>> out = shift_images_by(X, [1], [-1], shape=(3, 3))
    >>> [int(v) for v in np.argwhere(out[0] == 1.0)[0]], float(out.sum())
    ([0, 2], 1.0)
    """
    caller = "shift_images_by"
    imgs, in_shape = _as_images(X, shape, caller)
    n, _, h, w = imgs.shape
    dx = _per_image(dx, n, "dx", caller, dtype=None)
    dy = _per_image(dy, n, "dy", caller, dtype=None)
    for name, v in (("dx", dx), ("dy", dy)):
        if v.dtype.kind not in "iu":
            raise TypeError(param_error(name, caller, "an array of ints", f"dtype {v.dtype}", raw=True))
    rows = np.arange(h)[None, :, None] - dy[:, None, None] + np.zeros((1, 1, w), dtype=int)
    cols = np.arange(w)[None, None, :] - dx[:, None, None] + np.zeros((1, h, 1), dtype=int)
    return _gather(imgs, rows, cols).reshape(in_shape)


def shift_images(X, *, max_shift=1, rng, shape=(8, 8)):
    r"""Shift every image by random integer offsets in :math:`[-s, s]` per axis, zero fill.

    .. math::

        \delta_x, \delta_y \sim \operatorname{Uniform}\{-s, \dots, s\}, \qquad
        \tilde x_{r, c} = x_{r - \delta_y,\, c - \delta_x}\ (0 \text{ outside}).

    Draws ``dx = rng.integers(-s, s + 1, n)`` then ``dy`` likewise and calls
    :func:`shift_images_by`.

    Parameters
    ----------
    X : array_like of shape (n, h*w), (n, h, w) or (n, c, h, w)
    max_shift : int, default=1
        :math:`s \ge 0`; 0 is the identity.
    rng : numpy.random.Generator or int
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> X = np.arange(64.0).reshape(1, 64)
    >>> bool(np.array_equal(shift_images(X, max_shift=0, rng=0), X))
    True
    """
    caller = "shift_images"
    max_shift = check_int(max_shift, "max_shift", caller, min_val=0)
    rng = check_rng(rng, "rng", caller)
    imgs, _ = _as_images(X, shape, caller)
    n = imgs.shape[0]
    dx = rng.integers(-max_shift, max_shift + 1, size=n)
    dy = rng.integers(-max_shift, max_shift + 1, size=n)
    return shift_images_by(X, dx, dy, shape=shape)


def _rotation_sources(angles, h, w):
    """Source coordinates (n, h, w) of each output pixel for a counter-clockwise rotation."""
    theta = np.deg2rad(angles)[:, None, None]
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    x = np.arange(w)[None, None, :] - cx  # to the right
    y = cy - np.arange(h)[None, :, None]  # upwards
    cos, sin = np.cos(theta), np.sin(theta)
    x_src = cos * x + sin * y  # inverse map: rotate the output grid by -theta
    y_src = -sin * x + cos * y
    return cy - y_src, cx + x_src  # (row, col) in the source image


def _bilinear(imgs, r, c):
    r0, c0 = np.floor(r), np.floor(c)
    fr, fc = r - r0, c - c0
    r0, c0 = r0.astype(int), c0.astype(int)
    out = 0.0
    for dr, dc, wgt in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                        (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        out = out + _gather(imgs, r0 + dr, c0 + dc) * wgt[:, None]
    return out


def rotate_images_by(X, angles, *, shape=(8, 8)):
    r"""Rotate every image by a given angle about its centre (bilinear, zero fill).

    With :math:`(u, v)` the pixel's offset from the centre :math:`((w-1)/2, (h-1)/2)`
    (:math:`u` to the right, :math:`v` upwards), the output samples the input at

    .. math::

        \begin{pmatrix} u' \\ v' \end{pmatrix} = \begin{pmatrix} \cos\theta & \sin\theta \\
        -\sin\theta & \cos\theta \end{pmatrix} \begin{pmatrix} u \\ v \end{pmatrix},

    i.e. the image turns counter-clockwise by :math:`\theta`; values between
    pixels are bilinear, positions outside the image read 0.

    Parameters
    ----------
    X : array_like of shape (n, h*w), (n, h, w) or (n, c, h, w)
    angles : array_like of shape (n,)
        Angles in degrees (positive: counter-clockwise), finite.
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> X = np.zeros((1, 3, 3)); X[0, 0, 1] = 1.0   # top middle
    >>> out = rotate_images_by(X, [90.0], shape=(3, 3))   # -> middle left
    >>> round(float(out[0, 1, 0]), 6), round(float(out.sum()), 6)
    (1.0, 1.0)
    """
    caller = "rotate_images_by"
    imgs, in_shape = _as_images(X, shape, caller)
    n, _, h, w = imgs.shape
    angles = _per_image(angles, n, "angles", caller)
    r, c = _rotation_sources(angles, h, w)
    return _bilinear(imgs, r, c).reshape(in_shape)


def _check_degrees(max_degrees, caller):
    return check_scalar(max_degrees, "max_degrees", caller, min_val=0.0, max_val=180.0)


def rotate_images(X, *, max_degrees=10.0, rng, shape=(8, 8)):
    r"""Rotate every image by a random angle :math:`\theta \sim U[-m, m]` degrees.

    .. math::

        \theta_i \sim \operatorname{Uniform}[-m, m], \qquad \tilde x_i = R_{\theta_i} x_i
        \ \text{(see :func:`rotate_images_by`)}.

    Parameters
    ----------
    X : array_like of shape (n, h*w), (n, h, w) or (n, c, h, w)
    max_degrees : float, default=10.0
        :math:`m \in [0, 180]`; 0 is the identity.
    rng : numpy.random.Generator or int
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> X = np.ones((2, 64))
    >>> out = rotate_images(X, max_degrees=5.0, rng=0)
    >>> round(float(out[:, 27].min()), 6)   # an inner pixel stays 1
    1.0
    """
    caller = "rotate_images"
    max_degrees = _check_degrees(max_degrees, caller)
    rng = check_rng(rng, "rng", caller)
    imgs, _ = _as_images(X, shape, caller)
    angles = rng.uniform(-max_degrees, max_degrees, size=imgs.shape[0])
    return rotate_images_by(X, angles, shape=shape)


def augment_digits(X, *, rng, max_shift=1, max_degrees=10.0):
    r"""Random rotation then random shift of 8x8 digit images.

    .. math::

        \tilde x = S_{\delta_x, \delta_y}\, R_\theta\, x, \qquad \theta \sim U[-m, m],\
        \delta \sim U\{-s, \dots, s\}^2.

    Parameters
    ----------
    X : array_like of shape (n, 64), (n, 8, 8) or (n, c, 8, 8)
        Pixel intensities with background 0 (raw digits, or scaled to [0, 1]).
    rng : numpy.random.Generator or int
    max_shift : int, default=1
    max_degrees : float, default=10.0

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> X = np.zeros((1, 64)); X[0, 27] = 1.0
    >>> bool(np.array_equal(augment_digits(X, rng=0, max_shift=0, max_degrees=0.0), X))
    True
    """
    caller = "augment_digits"
    max_shift = check_int(max_shift, "max_shift", caller, min_val=0)
    max_degrees = _check_degrees(max_degrees, caller)
    rng = check_rng(rng, "rng", caller)
    out = rotate_images(X, max_degrees=max_degrees, rng=rng)
    return shift_images(out, max_shift=max_shift, rng=rng)


def add_noise(X, *, sigma, rng):
    r"""Gaussian input noise: :math:`\tilde X = X + \sigma E,\ E_{ij} \sim \mathcal N(0, 1)`.

    .. math::

        \tilde X = X + \sigma E, \qquad \mathbb E[\tilde X] = X, \quad
        \operatorname{Var}[\tilde X_{ij}] = \sigma^2 .

    Parameters
    ----------
    X : array_like of any shape, e.g. (n, d)
    sigma : float
        Noise standard deviation :math:`\sigma \ge 0`.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of the shape of ``X`` (float64)

    Examples
    --------
    >>> bool(np.array_equal(add_noise(np.ones((2, 3)), sigma=0.0, rng=0), np.ones((2, 3))))
    True
    """
    caller = "add_noise"
    X = check_array(X, "X", caller)
    sigma = check_scalar(sigma, "sigma", caller, min_val=0.0)
    rng = check_rng(rng, "rng", caller)
    return X + sigma * rng.standard_normal(X.shape)


def _check_mixup_inputs(X, Y, caller):
    X = check_array(X, "X", caller, ndim=(2, 3, 4))
    Y = check_array(Y, "Y", caller, ndim=2)
    check_consistent_length(caller, X=X, Y=Y)
    return X, Y


def mixup_by(X, Y, lam, perm):
    r"""Mix every example with a given partner and weight.

    .. math::

        \tilde x_i = \lambda_i x_i + (1 - \lambda_i) x_{\pi(i)}, \qquad
        \tilde y_i = \lambda_i y_i + (1 - \lambda_i) y_{\pi(i)} .

    Parameters
    ----------
    X : array_like of shape (n, ...)
    Y : array_like of shape (n, k)
        One-hot or soft targets.
    lam : array_like of shape (n,)
        Weights in [0, 1].
    perm : array_like of int, shape (n,)
        Partner indices in [0, n).

    Returns
    -------
    X_mix : ndarray of the shape of ``X``
    Y_mix : ndarray of shape (n, k)

    Examples
    --------
    >>> Xm, Ym = mixup_by([[0.0], [4.0]], [[1.0, 0.0], [0.0, 1.0]], [0.75, 0.75], [1, 0])
    >>> Xm.ravel().tolist(), Ym[0].tolist()
    ([1.0, 3.0], [0.75, 0.25])
    """
    caller = "mixup_by"
    X, Y = _check_mixup_inputs(X, Y, caller)
    n = len(X)
    lam = _per_image(lam, n, "lam", caller)
    if lam.min() < 0 or lam.max() > 1:
        raise ValueError(param_error("lam", caller, "an array with values in [0, 1]",
                                     f"values in [{lam.min()!r}, {lam.max()!r}]", raw=True))
    perm = _per_image(perm, n, "perm", caller, dtype=None)
    if perm.dtype.kind not in "iu" or perm.min() < 0 or perm.max() >= n:
        raise ValueError(param_error("perm", caller, f"an array of ints in [0, {n})", perm))
    lx = lam.reshape((n,) + (1,) * (X.ndim - 1))
    return lx * X + (1 - lx) * X[perm], lam[:, None] * Y + (1 - lam[:, None]) * Y[perm]


def mixup(X, Y, *, alpha, rng):
    r"""Mixup: convex combinations of random pairs of examples and of their targets.

    .. math::

        \lambda_i \sim \operatorname{Beta}(\alpha, \alpha), \quad \pi \sim \text{random permutation},
        \quad (\tilde x_i, \tilde y_i) = \lambda_i (x_i, y_i) + (1 - \lambda_i)(x_{\pi(i)}, y_{\pi(i)}).

    Draws ``lam = rng.beta(alpha, alpha, n)`` then ``perm = rng.permutation(n)``
    and calls :func:`mixup_by`.

    Parameters
    ----------
    X : array_like of shape (n, ...)
    Y : array_like of shape (n, k)
        One-hot or soft targets (rows summing to 1).
    alpha : float
        :math:`\alpha > 0`; small :math:`\alpha` puts :math:`\lambda` near 0 or 1.
    rng : numpy.random.Generator or int

    Returns
    -------
    X_mix : ndarray of the shape of ``X``
    Y_mix : ndarray of shape (n, k)
    lam : ndarray of shape (n,)

    Examples
    --------
    >>> Xm, Ym, lam = mixup(np.eye(4), np.eye(4), alpha=0.4, rng=0)
    >>> [round(float(s), 6) for s in Ym.sum(axis=1)]
    [1.0, 1.0, 1.0, 1.0]
    """
    caller = "mixup"
    X, Y = _check_mixup_inputs(X, Y, caller)
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, closed="neither")
    rng = check_rng(rng, "rng", caller)
    n = len(X)
    lam = rng.beta(alpha, alpha, size=n)
    perm = rng.permutation(n)
    X_mix, Y_mix = mixup_by(X, Y, lam, perm)
    return X_mix, Y_mix, lam
