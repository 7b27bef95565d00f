"""Determinism for notebooks: the first cell of every chapter.

A committed notebook is re-executed in CI and its outputs are compared with the
stored ones, so every run must draw the same random numbers, sum floating-point
numbers in the same order (one thread, deterministic kernels) and print them the
same way. :func:`nbsetup` does all of that in one call::

    import regbook
    rng = regbook.nbsetup(seed=0)

torch is optional: it is imported inside the functions (never when this module
is imported), so ``import regbook`` stays light and NumPy-only chapters never
load it.
"""

from __future__ import annotations

import os
import random

import numpy as np

from regbook._validation import check_int, param_error

__all__ = ["nbsetup", "set_seed"]

_MAX_SEED = 2**32 - 1  # the legacy np.random.seed accepts [0, 2**32 - 1]
_THREAD_ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

# The threadpoolctl limiter of the last nbsetup call. It remembers the BLAS limits
# in place before that call; the next call restores them before setting its own,
# so repeated calls never stack limits.
_THREAD_LIMITER = None


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's legacy global RNG and torch (if installed).

    Only global generators are touched. regbook's own functions never use them
    (randomness is passed in explicitly as a ``numpy.random.Generator``), but
    third-party code such as scikit-learn estimators with ``random_state=None``
    or ``torch.nn.Linear`` initialisation does.

    Parameters
    ----------
    seed : int
        A seed in :math:`[0, 2^{32} - 1]`.

    Examples
    --------
    >>> set_seed(3)
    >>> a = np.random.rand()
    >>> set_seed(3)
    >>> bool(np.random.rand() == a)
    True
    """
    seed = check_int(seed, "seed", "set_seed", min_val=0, max_val=_MAX_SEED)
    _seed_all(seed)


def _seed_all(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch = _import_torch()
    if torch is not None:
        torch.manual_seed(seed)  # seeds the CPU and every CUDA device
    return torch


def nbsetup(seed=0, *, threads=1, precision=4, torch_deterministic=True) -> np.random.Generator:
    """Make a notebook reproducible: seeds, threads, print options, figure style.

    In order, this

    1. seeds Python's ``random``, ``np.random.seed`` and ``torch.manual_seed``
       (see :func:`set_seed`);
    2. sets ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS``
       (read by libraries loaded later) and limits the BLAS pools already
       loaded with ``threadpoolctl`` (if installed) to ``threads``;
    3. for torch (if installed): ``torch.set_num_threads(threads)`` and
       ``torch.use_deterministic_algorithms(torch_deterministic)``;
    4. sets ``np.set_printoptions(legacy="1.25", precision=precision,
       suppress=True)``, so a NumPy scalar prints as ``0.5`` rather than
       ``np.float64(0.5)``;
    5. applies the book's figure style, :func:`regbook.plotting.use_style`
       (if matplotlib is installed);

    and returns a fresh ``np.random.default_rng(seed)`` to pass to every
    function that draws random numbers. Calling it twice is harmless.

    Parameters
    ----------
    seed : int, default=0
        A seed in :math:`[0, 2^{32} - 1]`.
    threads : int, default=1
        Number of threads for BLAS and torch (at least 1). One thread makes
        floating-point sums run in the same order every time.
    precision : int, default=4
        Digits NumPy prints after the decimal point (1 to 16).
    torch_deterministic : bool, default=True
        Whether torch must use deterministic algorithms (an error is raised by
        torch for an operation that has none).

    Returns
    -------
    rng : numpy.random.Generator
        ``np.random.default_rng(seed)``.

    Examples
    --------
    >>> saved = np.get_printoptions()
    >>> rng = nbsetup(seed=0)
    >>> np.float64(0.5)
    0.5
    >>> bool(rng.random() == np.random.default_rng(0).random())
    True
    >>> np.set_printoptions(**saved)  # only so that other doctests are unaffected
    """
    global _THREAD_LIMITER
    seed = check_int(seed, "seed", "nbsetup", min_val=0, max_val=_MAX_SEED)
    threads = check_int(threads, "threads", "nbsetup", min_val=1)
    precision = check_int(precision, "precision", "nbsetup", min_val=1, max_val=16)
    if not isinstance(torch_deterministic, (bool, np.bool_)):
        raise TypeError(param_error("torch_deterministic", "nbsetup", "a bool", torch_deterministic))

    torch = _seed_all(seed)

    for var in _THREAD_ENV_VARS:
        os.environ[var] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:
        if _THREAD_LIMITER is not None:
            _THREAD_LIMITER.restore_original_limits()
        _THREAD_LIMITER = threadpool_limits(limits=threads)

    if torch is not None:
        torch.set_num_threads(threads)
        if torch_deterministic:
            # cuBLAS needs a fixed workspace to be deterministic (ignored on CPU).
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(bool(torch_deterministic))

    np.set_printoptions(legacy="1.25", precision=precision, suppress=True)

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        pass
    else:
        from regbook.plotting import use_style

        use_style()

    return np.random.default_rng(seed)
