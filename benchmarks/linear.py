"""Time regbook's lasso / elastic net against scikit-learn's Cython coordinate descent.

Usage::

    python benchmarks/linear.py            # the full table (under a minute)
    python benchmarks/linear.py --quick    # toy sizes, one repeat: checks that it runs and agrees

Both libraries solve the same problems (fixed seeds) with the same ``tol`` and
``max_iter``, in one process, with BLAS limited to one thread. Each time is the
best of ``--repeats`` runs (``time.perf_counter``). Before a time is reported the
two answers are compared: the objective values must agree within the duality-gap
bound ``tol * ||y - mean(y)||^2 / n`` that both solvers certify, so a fast but
wrong answer fails the row instead of winning it. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso
from sklearn.linear_model import enet_path as sk_enet_path
from threadpoolctl import threadpool_limits

import regbook
from regbook.np.coordinate_descent import alpha_max, elastic_net, enet_path

FULL_SIZES = [(2000, 500), (200, 5000)]
QUICK_SIZES = [(60, 20), (20, 60)]
N_PATH = 50  # alphas on each path, eps = 1e-3


def make_problem(n, p, seed, *, rho=0.5, n_informative=20, snr=3.0):
    """Gaussian X with AR(1) feature correlation rho^|i-j|, sparse w, Gaussian noise."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):  # X_j = rho X_{j-1} + sqrt(1 - rho^2) Z_j: unit variance, corr rho^|i-j|
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1.0 - rho**2) * Z[:, j]
    w = np.zeros(p)
    support = rng.choice(p, size=min(n_informative, p), replace=False)
    w[support] = rng.choice([-1.0, 1.0], support.size) * rng.uniform(0.5, 2.0, support.size)
    signal = X @ w
    y = signal + rng.standard_normal(n) * signal.std() / snr
    return X, y


def objective(X, y, coef, intercept, alpha, l1_ratio):
    """1/(2n) ||y - X w - b||^2 + alpha rho ||w||_1 + alpha (1 - rho) / 2 ||w||^2."""
    r = y - X @ coef - intercept
    return (r @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)


def best_time(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def compare(X, y, fits_r, fits_s, alphas, l1_ratio, tol):
    """Max relative objective difference, max relative coef difference, and the gap-bound check."""
    bound = tol * np.sum((y - y.mean()) ** 2) / len(y)  # both solvers certify gap <= bound
    obj_rel = coef_rel = 0.0
    ok = True
    for (wr, br), (ws, bs), a in zip(fits_r, fits_s, alphas):
        pr, ps = objective(X, y, wr, br, a, l1_ratio), objective(X, y, ws, bs, a, l1_ratio)
        obj_rel = max(obj_rel, abs(pr - ps) / abs(ps))
        coef_rel = max(coef_rel, np.linalg.norm(wr - ws) / max(np.linalg.norm(ws), 1e-300))
        ok &= abs(pr - ps) <= 1.01 * bound + 1e-12 * abs(ps)
    return obj_rel, coef_rel, bool(ok)


def run_fit(X, y, alpha, l1_ratio, tol, max_iter, repeats):
    est = (Lasso(alpha=alpha, tol=tol, max_iter=max_iter) if l1_ratio == 1.0
           else ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=max_iter))
    t_s, sk = best_time(lambda: est.fit(X, y), repeats)
    t_r, rb = best_time(lambda: elastic_net(X, y, alpha=alpha, l1_ratio=l1_ratio, tol=tol,
                                            max_iter=max_iter), repeats)
    agree = compare(X, y, [(rb.coef, rb.intercept)], [(sk.coef_, sk.intercept_)], [alpha], l1_ratio, tol)
    return t_s, t_r, agree


def run_path(X, y, l1_ratio, tol, max_iter, repeats):
    def sk_path():  # scikit-learn's path functions expect centred data: centring is timed too
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        return sk_enet_path(Xc, yc, l1_ratio=l1_ratio, alphas=N_PATH, eps=1e-3, tol=tol, max_iter=max_iter)

    t_s, (alphas_s, coefs_s, _) = best_time(sk_path, repeats)
    t_r, rb = best_time(lambda: enet_path(X, y, l1_ratio=l1_ratio, n_alphas=N_PATH, eps=1e-3, tol=tol,
                                          max_iter=max_iter), repeats)
    intercepts_s = y.mean() - X.mean(axis=0) @ coefs_s
    agree = compare(X, y, zip(rb.coefs.T, rb.intercepts), zip(coefs_s.T, intercepts_s), rb.alphas,
                    l1_ratio, tol)
    rel = float(np.max(np.abs(rb.alphas - alphas_s) / alphas_s))
    if rel > 1e-12:
        raise RuntimeError(f"alpha grids differ (relative {rel:.2e})")
    return t_s, t_r, agree


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="toy sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=None, help="best of k runs (default 3, quick 1)")
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--max-iter", type=int, default=10_000)
    parser.add_argument("--only", default="", help="run only the rows whose label contains this text")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    print(f"regbook {regbook.__version__} vs scikit-learn {sklearn.__version__}, numpy {np.__version__}; "
          f"BLAS limited to 1 thread (threadpoolctl); tol={args.tol:g}, max_iter={args.max_iter}, "
          f"best of {repeats}")
    header = f"{'problem':<34}{'sklearn s':>10}{'regbook s':>10}{'ratio':>7}{'target':>8}  " \
             f"{'met':<4}{'obj rel':>9}{'coef rel':>9}  agree"
    print(header)
    print("-" * len(header))
    rows = []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("error", SkConvergenceWarning)  # a non-converged reference is no reference
        warnings.simplefilter("error", regbook.ConvergenceWarning)
        for n, p in sizes:
            X, y = make_problem(n, p, seed=n + p)
            for name, l1_ratio in (("lasso", 1.0), ("enet", 0.5)):
                top = alpha_max(X, y, l1_ratio=l1_ratio)
                tasks = [(f"{name} fit a_max/{d}", 2.0, lambda d=d: run_fit(
                    X, y, top / d, l1_ratio, args.tol, args.max_iter, repeats)) for d in (10, 100)]
                tasks.append((f"{name} path {N_PATH} alphas", 1.0, lambda: run_path(
                    X, y, l1_ratio, args.tol, args.max_iter, repeats)))
                for label, target, task in tasks:
                    if args.only not in f"n={n} p={p} {label}":
                        continue
                    t_s, t_r, (obj_rel, coef_rel, ok) = task()
                    ratio = t_r / t_s
                    row = dict(problem=f"n={n} p={p} {label}", sklearn=t_s, regbook=t_r, ratio=ratio,
                               target=target, met=ratio <= target, obj_rel=obj_rel, coef_rel=coef_rel,
                               agree=ok)
                    rows.append(row)
                    print(f"{row['problem']:<34}{t_s:>10.4f}{t_r:>10.4f}{ratio:>7.2f}"
                          f"{'<=' + str(target):>8}  {'yes' if row['met'] else 'NO':<4}"
                          f"{obj_rel:>9.1e}{coef_rel:>9.1e}  {'yes' if ok else 'NO'}", flush=True)
    met, agree = sum(r["met"] for r in rows), sum(r["agree"] for r in rows)
    print(f"target met on {met}/{len(rows)} rows; answers agree on {agree}/{len(rows)}")
    return rows


if __name__ == "__main__":
    rows = main()
    sys.exit(0 if all(r["agree"] for r in rows) else 1)
