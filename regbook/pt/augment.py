r"""PyTorch twin of :mod:`regbook.np.augment`, plus transforms for :func:`regbook.pt.train`.

Same functions on tensors, with ``generator=`` (a :class:`torch.Generator`, or ``None``
for torch's global one) in place of ``rng``; draws are made on the generator's
device and moved to the input's, so a CPU generator works with CUDA data:

.. math::

    \tilde x = x + \sigma \varepsilon; \qquad
    (\tilde x_i, \tilde y_i) = \lambda_i (x_i, y_i) + (1-\lambda_i)(x_{\pi(i)}, y_{\pi(i)}),
    \ \lambda_i \sim \operatorname{Beta}(\alpha, \alpha).

The deterministic halves (``shift_images_by``, ``rotate_images_by``,
``mixup_by``) compute exactly what the NumPy ones do. Geometry is computed in
float64 and the result is returned in the input's dtype and device.
:math:`\operatorname{Beta}(\alpha, \alpha)` is sampled as
:math:`G_1 / (G_1 + G_2)` with Gamma variates drawn by the Marsaglia--Tsang
method from ``generator`` (``torch.distributions.Beta`` cannot take a generator).

``noise_transform``, ``digits_transform`` and ``mixup_transform`` return a
``transform(xb, yb, generator) -> (xb, yb)`` that :func:`regbook.pt.train`
applies to every training batch; :func:`compose_transforms` chains them.
"""

from __future__ import annotations

import math

import torch

from regbook._validation import check_int, check_scalar, check_tensor, param_error
from regbook.np.augment import _check_degrees, _check_shape

__all__ = [
    "add_noise", "augment_digits", "compose_transforms", "digits_transform", "mixup", "mixup_by",
    "mixup_transform", "noise_transform", "rotate_images", "rotate_images_by", "shift_images",
    "shift_images_by",
]


def _check_generator(generator, caller):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(param_error("generator", caller, "a torch.Generator or None", generator))
    return generator


def _draw_device(generator, X):
    """Random numbers are drawn on the generator's device, then moved to X's."""
    return generator.device if generator is not None else X.device


def _as_images(X, shape, caller):
    shape = _check_shape(shape, caller)
    check_tensor(X, "X", caller, ndim=(2, 3, 4))
    h, w = shape
    if X.dim() == 2 and X.shape[1] != h * w:
        raise ValueError(param_error("X", caller, f"of shape (n, {h * w}) for images of shape {shape}",
                                     f"shape {tuple(X.shape)}", raw=True))
    if X.dim() > 2 and tuple(X.shape[-2:]) != shape:
        raise ValueError(param_error("X", caller, f"images of shape {shape} in its last two axes",
                                     f"shape {tuple(X.shape)}", raw=True))
    return X.reshape(X.shape[0], -1, h, w), X.shape


def _per_image(v, n, name, caller, device, *, integer=False):
    if not isinstance(v, torch.Tensor):
        v = torch.as_tensor(v)
    if integer and (v.is_floating_point() or v.is_complex() or v.dtype == torch.bool):
        raise TypeError(param_error(name, caller, "a tensor of ints", f"dtype {v.dtype}", raw=True))
    check_tensor(v, name, caller, ndim=1, floating=False)
    if len(v) != n:
        raise ValueError(param_error(name, caller, f"a tensor of length {n} (one value per image)",
                                     f"length {len(v)}", raw=True))
    return v.to(device=device, dtype=torch.long if integer else torch.float64)


def _gather(imgs, rows, cols):
    n, c, h, w = imgs.shape
    valid = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    flat = (rows.clamp(0, h - 1) * w + cols.clamp(0, w - 1)).reshape(n, 1, h * w).expand(n, c, h * w)
    vals = torch.gather(imgs.reshape(n, c, h * w), 2, flat).reshape(n, c, h, w)
    return vals * valid[:, None].to(imgs.dtype)


def shift_images_by(X, dx, dy, *, shape=(8, 8)):
    r"""Twin of :func:`regbook.np.augment.shift_images_by`: integer shifts, zero fill.

    .. math::

        \tilde x_{r, c} = x_{r - \delta_y,\, c - \delta_x} \ \text{inside the image, else } 0.

    Parameters
    ----------
    X : Tensor of shape (n, h*w), (n, h, w) or (n, c, h, w)
    dx, dy : Tensor or sequence of int, shape (n,)
        Horizontal (positive: right) and vertical (positive: down) offsets.
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> X = torch.zeros(1, 3, 3); X[0, 1, 1] = 1.0
    >>> shift_images_by(X, [1], [-1], shape=(3, 3))[0].nonzero().tolist()
    [[0, 2]]
    """
    caller = "shift_images_by"
    imgs, in_shape = _as_images(X, shape, caller)
    n, _, h, w = imgs.shape
    dx = _per_image(dx, n, "dx", caller, X.device, integer=True)
    dy = _per_image(dy, n, "dy", caller, X.device, integer=True)
    r = torch.arange(h, device=X.device)[None, :, None] - dy[:, None, None]
    c = torch.arange(w, device=X.device)[None, None, :] - dx[:, None, None]
    r, c = torch.broadcast_tensors(r, c)
    return _gather(imgs, r, c).reshape(in_shape)


def shift_images(X, *, max_shift=1, generator=None, shape=(8, 8)):
    r"""Twin of :func:`regbook.np.augment.shift_images`: random shifts in :math:`[-s, s]`.

    .. math::

        \delta_x, \delta_y \sim \operatorname{Uniform}\{-s, \dots, s\}, \qquad
        \tilde x_{r, c} = x_{r - \delta_y,\, c - \delta_x}\ (0 \text{ outside}).

    Parameters
    ----------
    X : Tensor of shape (n, h*w), (n, h, w) or (n, c, h, w)
    max_shift : int, default=1
    generator : torch.Generator or None, default=None
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> X = torch.arange(64.0).reshape(1, 64)
    >>> bool(torch.equal(shift_images(X, max_shift=0), X))
    True
    """
    caller = "shift_images"
    max_shift = check_int(max_shift, "max_shift", caller, min_val=0)
    imgs, _ = _as_images(X, shape, caller)
    generator = _check_generator(generator, caller)
    n, dev = imgs.shape[0], _draw_device(generator, X)
    dx = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator, device=dev)
    dy = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator, device=dev)
    return shift_images_by(X, dx, dy, shape=shape)


def rotate_images_by(X, angles, *, shape=(8, 8)):
    r"""Twin of :func:`regbook.np.augment.rotate_images_by`: rotate about the centre.

    .. math::

        \begin{pmatrix} u' \\ v' \end{pmatrix} = \begin{pmatrix} \cos\theta & \sin\theta \\
        -\sin\theta & \cos\theta \end{pmatrix} \begin{pmatrix} u \\ v \end{pmatrix}
        \quad \text{(bilinear, zero fill, counter-clockwise)}.

    Parameters
    ----------
    X : Tensor of shape (n, h*w), (n, h, w) or (n, c, h, w)
    angles : Tensor or sequence of float, shape (n,)
        Degrees, positive counter-clockwise.
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> X = torch.zeros(1, 3, 3); X[0, 0, 1] = 1.0
    >>> round(float(rotate_images_by(X, [90.0], shape=(3, 3))[0, 1, 0]), 6)
    1.0
    """
    caller = "rotate_images_by"
    imgs, in_shape = _as_images(X, shape, caller)
    n, _, h, w = imgs.shape
    angles = _per_image(angles, n, "angles", caller, X.device)
    check_tensor(angles, "angles", caller)
    theta = torch.deg2rad(angles)[:, None, None]
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    kw = dict(device=X.device, dtype=torch.float64)
    u = torch.arange(w, **kw)[None, None, :] - cx
    v = cy - torch.arange(h, **kw)[None, :, None]
    cos, sin = torch.cos(theta), torch.sin(theta)
    r = cy - (-sin * u + cos * v)
    c = cx + (cos * u + sin * v)
    r0, c0 = torch.floor(r), torch.floor(c)
    fr, fc = r - r0, c - c0
    r0, c0 = r0.long(), c0.long()
    img64 = imgs.to(torch.float64)
    out = 0.0
    for dr, dc, wgt in ((0, 0, (1 - fr) * (1 - fc)), (0, 1, (1 - fr) * fc),
                        (1, 0, fr * (1 - fc)), (1, 1, fr * fc)):
        out = out + _gather(img64, r0 + dr, c0 + dc) * wgt[:, None]
    return out.to(X.dtype).reshape(in_shape)


def rotate_images(X, *, max_degrees=10.0, generator=None, shape=(8, 8)):
    r"""Twin of :func:`regbook.np.augment.rotate_images`: :math:`\theta \sim U[-m, m]` degrees.

    .. math::

        \theta_i = m\,(2 u_i - 1),\ u_i \sim U[0, 1), \qquad \tilde x_i = R_{\theta_i} x_i .

    Parameters
    ----------
    X : Tensor of shape (n, h*w), (n, h, w) or (n, c, h, w)
    max_degrees : float, default=10.0
        :math:`m \in [0, 180]`.
    generator : torch.Generator or None, default=None
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> X = torch.rand(3, 64, generator=torch.Generator().manual_seed(0))
    >>> bool(torch.allclose(rotate_images(X, max_degrees=0.0), X))
    True
    """
    caller = "rotate_images"
    max_degrees = _check_degrees(max_degrees, caller)
    imgs, _ = _as_images(X, shape, caller)
    generator = _check_generator(generator, caller)
    u = torch.rand(imgs.shape[0], generator=generator, device=_draw_device(generator, X), dtype=torch.float64)
    return rotate_images_by(X, max_degrees * (2.0 * u - 1.0), shape=shape)


def augment_digits(X, *, generator=None, max_shift=1, max_degrees=10.0, shape=(8, 8)):
    r"""Twin of :func:`regbook.np.augment.augment_digits`: random rotation, then random shift.

    .. math::

        \tilde x = S_{\delta_x, \delta_y}\, R_\theta\, x .

    Parameters
    ----------
    X : Tensor of shape (n, 64), (n, 8, 8) or (n, c, 8, 8)
        Background 0 (raw or [0, 1]-scaled pixels).
    generator : torch.Generator or None, default=None
    max_shift : int, default=1
    max_degrees : float, default=10.0
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> X = torch.zeros(2, 64); X[:, 27] = 1.0
    >>> out = augment_digits(X, generator=torch.Generator().manual_seed(0), max_degrees=0.0)
    >>> out.sum(dim=1).tolist()   # an inner pixel moved by at most one step stays in the image
    [1.0, 1.0]
    """
    caller = "augment_digits"
    max_shift = check_int(max_shift, "max_shift", caller, min_val=0)
    max_degrees = _check_degrees(max_degrees, caller)
    out = rotate_images(X, max_degrees=max_degrees, generator=generator, shape=shape)
    return shift_images(out, max_shift=max_shift, generator=generator, shape=shape)


def add_noise(X, *, sigma, generator=None):
    r"""Twin of :func:`regbook.np.augment.add_noise`: :math:`\tilde X = X + \sigma E`.

    .. math::

        \tilde X = X + \sigma E, \quad E_{ij} \sim \mathcal N(0, 1).

    Parameters
    ----------
    X : Tensor of any shape, floating point
    sigma : float
        :math:`\sigma \ge 0`.
    generator : torch.Generator or None, default=None

    Returns
    -------
    Tensor of the shape, dtype and device of ``X``

    Examples
    --------
    >>> bool(torch.equal(add_noise(torch.ones(2, 3), sigma=0.0), torch.ones(2, 3)))
    True
    """
    caller = "add_noise"
    check_tensor(X, "X", caller)
    sigma = check_scalar(sigma, "sigma", caller, min_val=0.0)
    generator = _check_generator(generator, caller)
    noise = torch.randn(X.shape, generator=generator, device=_draw_device(generator, X), dtype=X.dtype)
    return X + sigma * noise.to(X.device)


def _log_gamma_variates(a, n, generator, device):
    """log of n Gamma(a, 1) variates (Marsaglia & Tsang 2000; boost U**(1/a) for a < 1)."""
    b = a if a >= 1.0 else a + 1.0
    d = b - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    kw = dict(generator=generator, device=device, dtype=torch.float64)
    out = torch.empty(n, device=device, dtype=torch.float64)
    todo = torch.arange(n, device=device)
    while len(todo):
        x = torch.randn(len(todo), **kw)
        u = torch.rand(len(todo), **kw)
        v = (1.0 + c * x) ** 3
        safe_v = torch.where(v > 0, v, torch.ones_like(v))
        ok = (v > 0) & (torch.log(u) < 0.5 * x * x + d - d * safe_v + d * torch.log(safe_v))
        out[todo[ok]] = math.log(d) + torch.log(safe_v[ok])
        todo = todo[~ok]
    if a < 1.0:
        out = out + torch.log(torch.rand(n, **kw)) / a  # G_a = G_{a+1} U^{1/a}, in logs: no underflow
    return out


def _sample_beta(alpha, n, generator, device):
    g1 = _log_gamma_variates(alpha, n, generator, device)
    g2 = _log_gamma_variates(alpha, n, generator, device)
    return torch.sigmoid(g1 - g2)  # G1 / (G1 + G2)


def _check_mixup_inputs(X, Y, caller):
    check_tensor(X, "X", caller, ndim=(2, 3, 4))
    check_tensor(Y, "Y", caller, ndim=2)
    if len(X) != len(Y):
        raise ValueError(f"Inconsistent numbers of samples in {caller}: X has {len(X)}, Y has {len(Y)}.")


def mixup_by(X, Y, lam, perm):
    r"""Twin of :func:`regbook.np.augment.mixup_by`: mix with given partners and weights.

    .. math::

        \tilde x_i = \lambda_i x_i + (1 - \lambda_i) x_{\pi(i)}, \quad
        \tilde y_i = \lambda_i y_i + (1 - \lambda_i) y_{\pi(i)} .

    Parameters
    ----------
    X : Tensor of shape (n, ...)
    Y : Tensor of shape (n, k)
        Soft or one-hot targets, floating point.
    lam : Tensor or sequence of float, shape (n,), values in [0, 1]
    perm : Tensor or sequence of int, shape (n,), values in [0, n)

    Returns
    -------
    X_mix : Tensor of the shape of ``X``
    Y_mix : Tensor of shape (n, k)

    Examples
    --------
    >>> Xm, Ym = mixup_by(torch.tensor([[0.0], [4.0]]), torch.eye(2), [0.75, 0.75], [1, 0])
    >>> Xm.ravel().tolist(), Ym[0].tolist()
    ([1.0, 3.0], [0.75, 0.25])
    """
    caller = "mixup_by"
    _check_mixup_inputs(X, Y, caller)
    n = len(X)
    lam = _per_image(lam, n, "lam", caller, X.device)
    if lam.min() < 0 or lam.max() > 1 or not torch.isfinite(lam).all():
        raise ValueError(param_error("lam", caller, "a tensor with values in [0, 1]",
                                     f"values in [{float(lam.min())!r}, {float(lam.max())!r}]", raw=True))
    perm = _per_image(perm, n, "perm", caller, X.device, integer=True)
    if perm.min() < 0 or perm.max() >= n:
        raise ValueError(param_error("perm", caller, f"a tensor of ints in [0, {n})",
                                     f"values in [{int(perm.min())}, {int(perm.max())}]", raw=True))
    lx = lam.to(X.dtype).reshape((n,) + (1,) * (X.dim() - 1))
    ly = lam.to(Y.dtype)[:, None]
    return lx * X + (1 - lx) * X[perm], ly * Y + (1 - ly) * Y[perm]


def mixup(X, Y, *, alpha, generator=None):
    r"""Twin of :func:`regbook.np.augment.mixup` (own Beta sampler, so draws differ from NumPy's).

    .. math::

        \lambda_i \sim \operatorname{Beta}(\alpha, \alpha),\ \pi \text{ a random permutation}, \quad
        (\tilde x_i, \tilde y_i) = \lambda_i (x_i, y_i) + (1 - \lambda_i)(x_{\pi(i)}, y_{\pi(i)}).

    Draws ``lam`` (float64) then ``perm = torch.randperm(n)`` from ``generator``.

    Parameters
    ----------
    X : Tensor of shape (n, ...)
    Y : Tensor of shape (n, k), floating point
    alpha : float
        :math:`\alpha > 0`.
    generator : torch.Generator or None, default=None

    Returns
    -------
    X_mix : Tensor of the shape of ``X``
    Y_mix : Tensor of shape (n, k)
    lam : Tensor of shape (n,), float64

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> Xm, Ym, lam = mixup(torch.eye(4), torch.eye(4), alpha=0.4, generator=g)
    >>> [round(float(s), 6) for s in Ym.sum(dim=1)]
    [1.0, 1.0, 1.0, 1.0]
    """
    caller = "mixup"
    _check_mixup_inputs(X, Y, caller)
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, closed="neither")
    generator = _check_generator(generator, caller)
    n, dev = len(X), _draw_device(generator, X)
    lam = _sample_beta(alpha, n, generator, dev)
    perm = torch.randperm(n, generator=generator, device=dev)
    X_mix, Y_mix = mixup_by(X, Y, lam, perm)
    return X_mix, Y_mix, lam


def noise_transform(sigma):
    r"""A ``transform(xb, yb, generator)`` for :func:`regbook.pt.train` that adds Gaussian noise.

    .. math::

        (x_b, y_b) \mapsto (x_b + \sigma E,\ y_b).

    Parameters
    ----------
    sigma : float
        :math:`\sigma \ge 0`.

    Returns
    -------
    callable
        ``transform(xb, yb, generator) -> (xb_noisy, yb)``.

    Examples
    --------
    >>> t = noise_transform(0.0)
    >>> xb, yb = t(torch.ones(2, 3), torch.tensor([0, 1]), torch.Generator())
    >>> bool(torch.equal(xb, torch.ones(2, 3))), yb.tolist()
    (True, [0, 1])
    """
    sigma = check_scalar(sigma, "sigma", "noise_transform", min_val=0.0)

    def transform(xb, yb, generator=None):
        return add_noise(xb, sigma=sigma, generator=generator), yb

    return transform


def digits_transform(max_shift=1, max_degrees=10.0, *, shape=(8, 8)):
    r"""A ``transform(xb, yb, generator)`` that applies :func:`augment_digits` to each batch.

    .. math::

        (x_b, y_b) \mapsto (S_{\delta} R_{\theta}\, x_b,\ y_b).

    Parameters
    ----------
    max_shift : int, default=1
    max_degrees : float, default=10.0
    shape : tuple of int, default=(8, 8)

    Returns
    -------
    callable
        ``transform(xb, yb, generator) -> (xb_augmented, yb)``.

    Examples
    --------
    >>> t = digits_transform(max_shift=0, max_degrees=0.0)
    >>> xb = torch.rand(2, 64, generator=torch.Generator().manual_seed(0))
    >>> bool(torch.allclose(t(xb, None, torch.Generator())[0], xb))
    True
    """
    caller = "digits_transform"
    max_shift = check_int(max_shift, "max_shift", caller, min_val=0)
    max_degrees = _check_degrees(max_degrees, caller)
    shape = _check_shape(shape, caller)

    def transform(xb, yb, generator=None):
        return augment_digits(xb, generator=generator, max_shift=max_shift, max_degrees=max_degrees,
                              shape=shape), yb

    return transform


def mixup_transform(alpha, n_classes):
    r"""A ``transform(xb, yb, generator)`` that applies :func:`mixup` and returns soft targets.

    .. math::

        (x_b, y_b) \mapsto \big(\lambda x_b + (1-\lambda) x_{b,\pi},\
        \lambda e_{y_b} + (1-\lambda) e_{y_{b,\pi}}\big).

    Integer labels are one-hot encoded first (soft targets of shape
    ``(n, n_classes)`` are mixed as they are); the targets come back in
    ``xb``'s dtype, ready for ``torch.nn.functional.cross_entropy`` or
    :func:`regbook.pt.label_smoothing.cross_entropy`.

    Parameters
    ----------
    alpha : float
        :math:`\alpha > 0`.
    n_classes : int
        :math:`k \ge 2`.

    Returns
    -------
    callable
        ``transform(xb, yb, generator) -> (X_mix, Y_mix)`` with ``Y_mix`` of shape (n, k).

    Examples
    --------
    >>> t = mixup_transform(0.2, 3)
    >>> xm, ym = t(torch.zeros(4, 2), torch.tensor([0, 1, 2, 0]), torch.Generator().manual_seed(0))
    >>> tuple(ym.shape), [round(float(s), 6) for s in ym.sum(dim=1)]
    ((4, 3), [1.0, 1.0, 1.0, 1.0])
    """
    caller = "mixup_transform"
    alpha = check_scalar(alpha, "alpha", caller, min_val=0.0, closed="neither")
    n_classes = check_int(n_classes, "n_classes", caller, min_val=2)

    def transform(xb, yb, generator=None):
        check_tensor(xb, "xb", caller)
        if not isinstance(yb, torch.Tensor):
            raise TypeError(param_error("yb", caller, "a torch.Tensor", f"a {type(yb).__name__}", raw=True))
        if yb.dim() == 1 and not yb.is_floating_point():
            if len(yb) and (int(yb.min()) < 0 or int(yb.max()) >= n_classes):
                raise ValueError(param_error("yb", caller, f"integer labels in [0, {n_classes})",
                                             f"labels in [{int(yb.min())}, {int(yb.max())}]", raw=True))
            Y = torch.nn.functional.one_hot(yb.long(), n_classes).to(xb.dtype)
        elif yb.dim() == 2 and yb.shape[1] == n_classes:
            Y = check_tensor(yb, "yb", caller).to(xb.dtype)
        else:
            raise ValueError(param_error("yb", caller, f"integer labels (n,) or soft targets (n, {n_classes})",
                                         f"a tensor of shape {tuple(yb.shape)} and dtype {yb.dtype}", raw=True))
        X_mix, Y_mix, _ = mixup(xb, Y, alpha=alpha, generator=generator)
        return X_mix, Y_mix

    return transform


def compose_transforms(*transforms):
    r"""Chain batch transforms: :math:`t = t_m \circ \dots \circ t_1`, all sharing one generator.

    .. math::

        (x_b, y_b) \mapsto t_m(\dots t_1(x_b, y_b, g) \dots, g).

    Parameters
    ----------
    *transforms : callable
        Each ``transform(xb, yb, generator) -> (xb, yb)``, applied left to right.

    Returns
    -------
    callable

    Examples
    --------
    >>> t = compose_transforms(noise_transform(0.0), mixup_transform(1.0, 2))
    >>> xm, ym = t(torch.zeros(3, 1), torch.tensor([0, 1, 1]), torch.Generator())
    >>> tuple(ym.shape)
    (3, 2)
    """
    for i, t in enumerate(transforms):
        if not callable(t):
            raise TypeError(param_error(f"transforms[{i}]", "compose_transforms",
                                        "a callable transform(xb, yb, generator)", t))

    def transform(xb, yb, generator=None):
        for t in transforms:
            xb, yb = t(xb, yb, generator)
        return xb, yb

    return transform
