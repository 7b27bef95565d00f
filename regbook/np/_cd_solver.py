r"""The outer loop of :mod:`regbook.np.coordinate_descent`: data, states, working sets.

Same n-scaled problem and notation as :mod:`regbook.np._cd_kernels` (private; inputs
are trusted).

* With the full Gram matrix (paths with :math:`n \ge p`, or ``precompute=True``) there
  is one level: a :class:`GramState` over all features, whose sweeps visit only the
  support and the violators.
* Otherwise, working sets (Massias, Gramfort & Salmon 2018): a :class:`ResidualState`
  over a small set of features is solved, then the correlations :math:`X^\top r` of all
  features (one vectorized product) certify the result by the duality gap, discard
  features by the gap-safe rule (Fercoq, Gramfort & Salmon 2015) and choose the next
  set. Gram entries are computed only among features that have been in a support, for
  the exact solves.
"""

from __future__ import annotations

import numpy as np

from regbook.np._cd_kernels import (
    _MIN_WS, cd_sweep_gram, cd_sweep_residual, dual_gap, solve_subproblem,
)


def gram_mode(precompute, n, p, n_alphas):
    """The Gram matrix (n p^2 flops, at matrix-multiply speed) pays on paths with n >= p,
    where every alpha reuses it; a single fit starts "lazy" (see :class:`Problem`)."""
    if precompute != "auto":
        return "full" if precompute else "lazy"
    return "full" if n >= p and n_alphas > 1 else "auto"


def alpha_max(q, n, l1_ratio):
    """``max_j |q_j| / (n l1_ratio)`` with ``q = X^T y``; ``inf`` for ridge unless q = 0."""
    top = float(np.abs(q).max()) if q.size else 0.0
    if l1_ratio == 0.0:
        return np.inf if top > 0.0 else 0.0
    return top / (n * l1_ratio)


def fit(prob, alpha, l1_ratio, w, tol, max_iter, screening, hint=None, c=None):
    """Solve one penalty, in the 1/(2n) scale; returns ``(gap, n_iter, converged, c)``."""
    n = prob.n
    if l1_ratio > 0.0 and alpha >= alpha_max(prob.q, n, l1_ratio):
        w[:] = 0.0  # exactly zero: the optimality conditions hold at w = 0
        return 0.0, 0, True, prob.q
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
    gap, n_iter, converged, c = enet_solve(prob, lam1, lam2, w, tol * prob.yy, max_iter, screening, hint, c)
    return gap / n, n_iter, converged, c


class GramState:
    """Coefficients ``w`` of all features, with ``c = q - G w`` kept up to date."""

    def __init__(self, G, q, yy, w, rows, diag, rank, c=None):
        self.G, self.q, self.yy, self.w, self.rows, self.diag = G, q, yy, w, rows, diag
        self.gid, self.rank = np.arange(len(w)), rank  # rank: an upper bound on rank(X)
        self.c = q - G @ w if c is None else c.copy()  # c: q - G w if already known

    def block(self, a, b):  # G is symmetric: take the rows of the shorter index set
        return self.G[a][:, b] if len(a) <= len(b) else self.G[b][:, a].T

    def corr(self, S):
        return self.c[S]

    def move(self, S, step):
        self.w[S] += step
        if 4 * S.size < len(self.G):  # c -= G[:, S] step, through rows of the symmetric G
            self.c -= self.G[S].T @ step
        else:
            full = np.zeros(len(self.G))
            full[S] = step
            self.c -= self.G @ full

    def sweep(self, order, lam1, den):
        cd_sweep_gram(self.rows, self.c, self.w, self.diag, den, lam1, order)

    def stats(self):  # c, ||r||^2 = y^T y - 2 w^T q + w^T G w = r^T y - w^T c, r^T y
        ry = self.yy - float(self.w @ self.q)
        return self.c, ry - float(self.w @ self.c), ry

    def refresh(self):
        self.c = self.q - self.G @ self.w

    def objective(self, v, lam1, lam2):
        rr = self.yy - 2.0 * float(v @ self.q) + float(v @ (self.G @ v))
        return 0.5 * (rr + lam2 * float(v @ v)) + lam1 * float(np.abs(v).sum())

    def reset(self, v):
        self.w[:] = v
        self.refresh()


class ResidualState:
    """Coefficients of the features ``gid``, with ``r = y - X w`` kept up to date."""

    def __init__(self, X, y, w, gid, diag, gram, rank):
        self.X = np.asfortranarray(X)  # (n, k); X[:, ws] usually is already
        self.y, self.w, self.gid, self.diag, self.gram = y, w, gid, diag, gram
        self.rank = rank  # an upper bound on the rank of X
        self.cols = list(self.X.T)  # contiguous columns
        self.refresh()

    def block(self, a, b):
        return self.gram(self.gid[a], self.gid[b])

    def corr(self, S):
        return (self.X.T @ self.r)[S]

    def move(self, S, step):
        self.w[S] += step
        if 4 * S.size < len(self.w):  # r -= X[:, S] step
            self.r -= self.X[:, S] @ step
        else:
            full = np.zeros(len(self.w))
            full[S] = step
            self.r -= self.X @ full

    def sweep(self, order, lam1, den):
        cd_sweep_residual(self.cols, self.r, self.w, self.diag, den, lam1, order)

    def stats(self):
        return self.X.T @ self.r, float(self.r @ self.r), float(self.r @ self.y)

    def refresh(self):
        self.r = self.y - self.X @ self.w

    def objective(self, v, lam1, lam2):
        r = self.y - self.X @ v
        return 0.5 * (float(r @ r) + lam2 * float(v @ v)) + lam1 * float(np.abs(v).sum())

    def reset(self, v):
        self.w[:] = v
        self.refresh()


class Problem:
    r"""Centred data, its statistics, and Gram entries computed once, on demand.

    ``gram="full"`` computes all of :math:`X^\top X` at once; ``"lazy"`` only the entries
    among features that have been in a support; ``"auto"`` starts lazy and, when
    :math:`n \ge p`, switches to the full matrix once a working set reaches :math:`p/4`
    (then the support's Gram is a large part of the full one, and one level is cheaper).
    """

    def __init__(self, X, y, gram, centred):
        self.n, self.p = X.shape
        self.X = X
        self.rank = self.n - centred  # an upper bound on the rank of X
        self.y, self.yy, self.q = y, float(y @ y), X.T @ y  # q: (p,)
        self.norm2 = np.einsum("ij,ij->j", X, X)  # (p,) squared column norms
        self.cache, self.full_gram = {}, False
        self.auto = gram == "auto" and self.n >= self.p
        self.slot = np.full(self.p, -1)  # where feature j sits in the Gram buffer
        self.G, self.m, self.Xs = np.empty((0, 0)), 0, np.empty((self.n, 0), order="F")
        if gram == "full":
            self.make_full()

    def make_full(self):
        self.G, self.m, self.Xs, self.full_gram = self.X.T @ self.X, self.p, None, True
        self.slot[:] = np.arange(self.p)
        self.rows, self.diag = list(self.G), self.norm2.tolist()

    def gram(self, a, b):
        """``G[a][:, b]`` for global feature ids, computing the entries not seen before."""
        ids = np.union1d(a, b)
        new = ids[self.slot[ids] < 0]
        m, k = self.m, new.size
        if k:
            if m + k > len(self.G):  # grow the buffers geometrically (a large empty one costs)
                size = min(self.p, max(2 * len(self.G), m + k))
                G, Xs = np.empty((size, size)), np.empty((self.n, size), order="F")
                G[:m, :m], Xs[:, :m] = self.G[:m, :m], self.Xs[:, :m]
                self.G, self.Xs = G, Xs
            Xn = self.Xs[:, m : m + k]
            Xn[:] = self.X[:, new]
            self.G[:m, m : m + k] = self.Xs[:, :m].T @ Xn
            self.G[m : m + k, :m] = self.G[:m, m : m + k].T
            self.G[m : m + k, m : m + k] = Xn.T @ Xn
            self.slot[new], self.m = np.arange(m, m + k), m + k
        sa, sb = self.slot[a], self.slot[b]  # G is symmetric: take the rows of the shorter set
        return self.G[sa][:, sb] if sa.size <= sb.size else self.G[sb][:, sa].T


def safe_distances(c, w, s, lam1, lam2, norms, keep):
    r"""Distance of the dual point to each feature's constraint, in units of :math:`\lVert\tilde X_j\rVert`.

    .. math::

        d_j = \frac{\lambda_1 - s\,|c_j - \lambda_2 w_j|}{\sqrt{\lVert X_j\rVert^2 + \lambda_2}}

    The dual is 1-strongly concave, so its optimum lies within :math:`\sqrt{2\,\text{gap}}`
    of the dual point :math:`s r`: :math:`d_j > \sqrt{2\,\text{gap}}` proves
    :math:`w^\star_j = 0` (gap-safe rule), and small :math:`d_j` marks the features
    most likely to be active. Features outside ``keep`` get ``inf``.
    """
    d = np.full(c.shape, np.inf)
    d[keep] = (lam1 - s * np.abs(c[keep] - lam2 * w[keep])) / norms[keep]
    return d


def next_working_set(d, w, size, progress, hint):
    """The support plus the features with the smallest ``d`` (from ``hint`` only, if given).

    Twice the support (as Massias et al. 2018), or four times when the last set filled
    up or the gap did not decrease.
    """
    d = d.copy()
    d[w != 0.0] = -1.0  # the support always stays in the working set
    if hint is not None:  # strong rule: the first set is taken among its features only
        outside = np.ones(d.size, dtype=bool)
        outside[hint] = False
        d[outside & (w == 0.0)] = np.inf
    nnz = int(np.count_nonzero(w))
    grow = 4 * nnz if nnz >= 0.9 * size > 0 or not progress else 2 * nnz
    size = min(max(_MIN_WS, grow), int(np.isfinite(d).sum()))
    return np.sort(np.argpartition(d, size - 1)[:size])


def enet_solve(prob, lam1, lam2, w, tol, max_iter, screening, hint=None, c=None):
    """Coordinate descent for one penalty; ``w`` (p,) is updated in place.

    Returns ``(gap, n_iter, converged, c)`` with ``c = X^T r`` at the final ``w``; ``c``
    may be passed in when known; ``hint`` (e.g. the strong-rule set) limits the first set.
    """
    if lam1 == 0.0 and lam2 == 0.0:  # least squares: the minimum-norm solution
        w[:] = np.linalg.lstsq(prob.X, prob.y, rcond=None)[0]
        r = prob.y - prob.X @ w
        gap = dual_gap(prob.X.T @ r, w, float(r @ r), float(r @ prob.y), 0.0, 0.0)[0]
        return gap, 1, gap <= tol, prob.X.T @ r
    n_iter, ws, prev_gap = 0, np.empty(0, dtype=np.intp), np.inf
    norms = np.sqrt(prob.norm2 + lam2)
    keep = norms > 0.0  # all-zero columns always have w_j = 0
    w[~keep] = 0.0
    r = None if prob.full_gram else prob.y - prob.X @ w  # the Gram state needs no residual
    while not prob.full_gram:
        c = prob.X.T @ r if c is None else c
        gap, s = dual_gap(c, w, float(r @ r), float(r @ prob.y), lam1, lam2)
        if gap <= tol or n_iter >= max_iter:
            return gap, n_iter, gap <= tol, c
        if lam1 > 0.0:
            d = safe_distances(c, w, s, lam1, lam2, norms, keep)
            if screening:
                keep &= d <= np.sqrt(2.0 * gap)
                d[~keep], w[~keep] = np.inf, 0.0
            ws, hint = next_working_set(d, w, ws.size, gap < prev_gap, hint), None
        else:
            ws = np.flatnonzero(keep)  # no sparsity to exploit
        # switch to the full Gram matrix once a working set, or the violators, reach p/4
        if prob.auto and 4 * max(ws.size, int(np.sum(np.abs(c - lam2 * w) > lam1))) >= prob.p:
            prob.make_full()
            c = None  # screening may have zeroed some of w since c was computed
            break
        state = ResidualState(prob.X[:, ws], prob.y, w[ws], ws, prob.norm2[ws].tolist(), prob.gram, prob.rank)
        sub_tol = tol if ws.size == keep.sum() else max(0.3 * gap, 0.1 * tol)
        its = solve_subproblem(state, lam1, lam2, sub_tol, max_iter - n_iter, prob.cache)[0]
        w[:] = 0.0
        w[ws] = state.w
        r, c, n_iter, prev_gap = state.r, None, n_iter + its, gap
    state = GramState(prob.G, prob.q, prob.yy, w, prob.rows, prob.diag, prob.rank, c)
    its, gap, c = solve_subproblem(state, lam1, lam2, tol, max_iter - n_iter, prob.cache)
    return gap, n_iter + its, gap <= tol, c
