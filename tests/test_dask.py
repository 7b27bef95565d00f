"""regbook's model selection on a real Dask cluster, started and stopped by the test.

A ``LocalCluster`` of two worker processes (one thread each, listening on 127.0.0.1 only)
runs ``cross_val_grid``, ``nested_cv`` and ``lasso_cv`` unchanged under
``joblib.parallel_config(backend="dask")``. The results must be bit-for-bit those of the
serial run, and the fits must have run in the workers' processes, not in this one.
"""

import os
import time
import uuid

import joblib
import numpy as np
import pytest

try:
    import distributed
except ImportError as exc:  # pragma: no cover - depends on the environment
    if os.environ.get("CI"):
        raise ImportError("dask.distributed is pinned in requirements.txt; CI must install it") from exc
    pytest.skip(f"dask.distributed is not installed ({exc}); `pip install -r requirements.txt` installs it",
                allow_module_level=True)

from regbook.np.estimators import Ridge
from regbook.np.model_selection import cross_val_grid, lasso_cv, log_grid, nested_cv


class WhereRidge(Ridge):
    """Ridge that records, in a file under ``log_dir``, which process fitted it."""

    def __init__(self, alpha=1.0, *, fit_intercept=True, log_dir=None):
        super().__init__(alpha=alpha, fit_intercept=fit_intercept)
        self.log_dir = log_dir

    def fit(self, X, y):
        try:
            where = distributed.get_worker().address
        except ValueError:  # not inside a Dask worker
            where = "main"
        with open(os.path.join(self.log_dir, uuid.uuid4().hex), "w") as f:
            f.write(f"{where} {os.getpid()}")
        return super().fit(X, y)


def _read_log(log_dir):
    entries = [open(os.path.join(log_dir, name)).read().split() for name in os.listdir(log_dir)]
    return [(where, int(pid)) for where, pid in entries]


def _close(client, cluster, worker_pids):
    client.close()
    cluster.close()
    deadline = time.monotonic() + 20.0
    while any(_alive(pid) for pid in worker_pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in worker_pids if _alive(pid)]
    assert not left, f"Dask worker processes {left} are still running after the cluster was closed"


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def client(request):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    worker_pids = []
    try:
        client = distributed.Client(cluster)
    except Exception:
        cluster.close()
        raise
    request.addfinalizer(lambda: _close(client, cluster, worker_pids))
    client.wait_for_workers(2, timeout=30)
    worker_pids.extend(client.run(os.getpid).values())
    assert os.getpid() not in worker_pids  # separate processes
    return client


def _workers(client):
    return set(client.scheduler_info()["workers"])


def test_cross_val_grid_and_nested_cv_on_the_cluster_are_identical(client, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 8))
    y = X @ rng.standard_normal(8) + rng.standard_normal(60)
    kw = dict(param_name="alpha", values=log_grid(1e-2, 1e2, 6), k=5, rng=1)
    (tmp_path / "serial").mkdir(), (tmp_path / "dask").mkdir()

    serial = cross_val_grid(WhereRidge(log_dir=str(tmp_path / "serial")), X, y, n_jobs=1, **kw)
    with distributed.get_task_stream(client=client) as stream:
        with joblib.parallel_config(backend="dask"):
            on_dask = cross_val_grid(WhereRidge(log_dir=str(tmp_path / "dask")), X, y, **kw)

    for a, b in zip(serial, on_dask):
        np.testing.assert_array_equal(a, b)  # every field, bit for bit
    # the 30 fits ran in the workers' processes, and the scheduler saw the tasks
    serial_log, dask_log = _read_log(tmp_path / "serial"), _read_log(tmp_path / "dask")
    assert len(serial_log) == len(dask_log) == 30
    assert {where for where, _ in serial_log} == {"main"}
    assert {where for where, _ in dask_log} <= _workers(client)
    assert os.getpid() not in {pid for _, pid in dask_log}
    assert stream.data and {task["worker"] for task in stream.data} <= _workers(client)

    nkw = dict(param_name="alpha", values=log_grid(1e-2, 1e2, 4), outer_k=3, inner_k=3, rng=2, rule="1se")
    nested_serial = nested_cv(Ridge(), X, y, n_jobs=1, **nkw)
    with joblib.parallel_config(backend="dask"):
        nested_dask = nested_cv(Ridge(), X, y, **nkw)
    np.testing.assert_array_equal(nested_serial.outer_scores, nested_dask.outer_scores)
    np.testing.assert_array_equal(nested_serial.chosen_values, nested_dask.chosen_values)


def test_lasso_cv_on_the_cluster_is_identical(client):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((100, 30))
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -1.0]) + rng.standard_normal(100)
    kw = dict(n_alphas=40, k=5, rng=4, tol=1e-8)
    serial = lasso_cv(X, y, n_jobs=1, **kw)
    with distributed.get_task_stream(client=client) as stream:
        with joblib.parallel_config(backend="dask"):
            on_dask = lasso_cv(X, y, **kw)
    for a, b in zip(serial, on_dask):
        np.testing.assert_array_equal(a, b)
    assert stream.data and {task["worker"] for task in stream.data} <= _workers(client)
    assert serial.alpha_1se >= serial.alpha_min
