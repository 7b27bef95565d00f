"""Tests for regbook._setup: seeding, threads, print options, style; global state restored after each test."""

import os
import random
import subprocess
import sys

import matplotlib
import numpy as np
import pytest

import regbook._setup as regbook_setup
from regbook._setup import nbsetup, set_seed

try:
    import torch
except ImportError:  # pragma: no cover - torch is in the test environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
ENV_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "CUBLAS_WORKSPACE_CONFIG")


def release_thread_limits():
    if regbook_setup._THREAD_LIMITER is not None:
        regbook_setup._THREAD_LIMITER.restore_original_limits()
        regbook_setup._THREAD_LIMITER = None


@pytest.fixture(autouse=True)
def restore_global_state():
    """Everything nbsetup touches is put back, so other test modules are unaffected."""
    print_options = np.get_printoptions()
    np_state, py_state = np.random.get_state(), random.getstate()
    env = {k: os.environ.get(k) for k in ENV_VARS}
    release_thread_limits()  # start from the process's own BLAS limits (a doctest may have set some)
    if torch is not None:
        torch_state = (torch.get_rng_state(), torch.are_deterministic_algorithms_enabled(), torch.get_num_threads())
    with matplotlib.rc_context():
        yield
    np.set_printoptions(**print_options)
    np.random.set_state(np_state)
    random.setstate(py_state)
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    release_thread_limits()
    if torch is not None:
        torch.set_rng_state(torch_state[0])
        torch.use_deterministic_algorithms(torch_state[1])
        torch.set_num_threads(torch_state[2])


def draw_everything():
    out = [random.random(), *np.random.rand(3)]
    if torch is not None:
        out.append(float(torch.rand(1)))
    return out


def test_nbsetup_returns_the_seeded_generator():
    rng = nbsetup(seed=11)
    assert isinstance(rng, np.random.Generator)
    np.testing.assert_array_equal(rng.random(4), np.random.default_rng(11).random(4))


def test_nbsetup_makes_global_generators_reproducible():
    nbsetup(seed=3)
    first = draw_everything()
    nbsetup(seed=3)
    assert draw_everything() == first
    nbsetup(seed=4)
    assert all(a != b for a, b in zip(draw_everything(), first))


@needs_torch
def test_nbsetup_torch_rand_reproducible_and_flags():
    nbsetup(seed=0, threads=2)
    a = torch.rand(1)
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == 2
    nbsetup(seed=0, torch_deterministic=False)
    assert torch.equal(torch.rand(1), a)
    assert not torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == 1


def test_set_seed_seeds_only():
    before = np.get_printoptions()
    set_seed(9)
    first = draw_everything()
    set_seed(9)
    assert draw_everything() == first
    assert np.get_printoptions() == before


def test_print_options():
    nbsetup(precision=3)
    assert repr(np.float64(0.5)) == "0.5"
    assert repr(np.array([1 / 3, 1e-9])) == "array([0.333, 0.   ])"
    opts = np.get_printoptions()
    assert opts["precision"] == 3 and opts["suppress"]


def test_threads_environment_and_blas_limit():
    nbsetup(threads=2)
    for var in ENV_VARS[:3]:
        assert os.environ[var] == "2"
    threadpoolctl = pytest.importorskip("threadpoolctl")
    nbsetup(threads=1)
    info = threadpoolctl.threadpool_info()
    assert info, "numpy's BLAS should be visible to threadpoolctl"
    assert all(lib["num_threads"] == 1 for lib in info)


def test_nbsetup_applies_the_figure_style():
    matplotlib.rcdefaults()
    assert not matplotlib.rcParams["figure.constrained_layout.use"]
    nbsetup()
    assert matplotlib.rcParams["figure.constrained_layout.use"]
    assert matplotlib.rcParams["savefig.dpi"] == 150


def test_importing_numpy_side_modules_does_not_import_torch():
    code = (
        "import sys, regbook._setup, regbook.checks, regbook.data, regbook.plotting; "
        "print('torch' in sys.modules)"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.strip() == "False"


BAD_INPUTS = [
    (nbsetup, dict(seed=-1), ValueError, "'seed' parameter of nbsetup must be an int in the range [0, 4294967295]. Got -1"),
    (nbsetup, dict(seed=2**32), ValueError, "Got 4294967296 instead"),
    (nbsetup, dict(seed=1.5), TypeError, "'seed' parameter of nbsetup must be an int"),
    (nbsetup, dict(seed=None), TypeError, "'seed' parameter of nbsetup must be an int in the range [0, 4294967295]. Got None"),
    (nbsetup, dict(threads=0), ValueError, "'threads' parameter of nbsetup must be an int in the range [1, inf). Got 0"),
    (nbsetup, dict(precision=0), ValueError, "'precision' parameter of nbsetup must be an int in the range [1, 16]. Got 0"),
    (nbsetup, dict(precision=17), ValueError, "'precision' parameter of nbsetup must be an int in the range [1, 16]. Got 17"),
    (nbsetup, dict(torch_deterministic="yes"), TypeError, "'torch_deterministic' parameter of nbsetup must be a bool. Got 'yes'"),
    (set_seed, dict(seed=True), TypeError, "'seed' parameter of set_seed must be an int"),
    (set_seed, dict(seed=-3), ValueError, "'seed' parameter of set_seed must be an int in the range [0, 4294967295]. Got -3"),
]


@pytest.mark.parametrize(("func", "kwargs", "exc", "message"), BAD_INPUTS, ids=lambda v: getattr(v, "__name__", None))
def test_bad_inputs_change_nothing(func, kwargs, exc, message):
    before = np.get_printoptions(), np.random.get_state()[1].copy()
    with pytest.raises(exc) as info:
        func(**kwargs)
    assert message in str(info.value)
    assert np.get_printoptions() == before[0]  # validated before any global state is touched
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])


def test_repeated_nbsetup_does_not_stack_thread_limits():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    original = [lib["num_threads"] for lib in threadpoolctl.threadpool_info()]
    nbsetup(threads=max(original) + 1)  # a count different from the original one
    nbsetup(threads=1)
    regbook_setup._THREAD_LIMITER.restore_original_limits()
    assert [lib["num_threads"] for lib in threadpoolctl.threadpool_info()] == original
