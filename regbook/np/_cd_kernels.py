r"""Kernels behind :mod:`regbook.np.coordinate_descent` (private; inputs are trusted).

Everything here works on the problem multiplied by :math:`n` (as scikit-learn's
Cython does), with centred data :math:`X, y` and

.. math::

    P(w) = \tfrac12 \lVert y - Xw\rVert^2 + \lambda_1 \lVert w\rVert_1
           + \tfrac{\lambda_2}{2} \lVert w\rVert^2,
    \qquad \lambda_1 = n\,\alpha\,\rho, \quad \lambda_2 = n\,\alpha\,(1-\rho).

Notation: :math:`r = y - Xw`, :math:`c = X^\top r`, :math:`G = X^\top X`,
:math:`q = X^\top y`. Coordinate :math:`j` minimizes :math:`P` in :math:`w_j` alone by
soft-thresholding :math:`z_j = X_j^\top r + \lVert X_j\rVert^2 w_j`
(Friedman, Hastie & Tibshirani 2010).

A *state* holds the coefficients of a set of features and either their Gram matrix,
keeping :math:`c = q - Gw` up to date (:class:`~regbook.np._cd_solver.GramState`,
an update costs :math:`O(\text{features})`), or their columns, keeping :math:`r`
up to date (:class:`~regbook.np._cd_solver.ResidualState`, :math:`O(n)`). The loop
:func:`solve_subproblem` alternates

* coordinate-descent sweeps over the support and the features that violate their
  optimality condition :math:`|c_j| \le \lambda_1`, accelerated by Anderson
  extrapolation (Bertrand & Massias 2021) while the support moves;
* exact solves on the support (:func:`polish`) once a sweep leaves the signs
  unchanged, and once more when the tolerance is met: the quadratic on that support
  and those signs is minimized by a Cholesky solve, updated rather than recomputed
  when the support changes by a few features, the step being cut where a coefficient
  would change sign. When :math:`X_S` is rank deficient the coefficients first move in
  its null space, which lowers the penalty and leaves :math:`r` unchanged
  (:func:`null_space_moves`). Each step lowers the objective; the duality gap decides
  when to stop.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import daxpy, ddot
from scipy.linalg.lapack import dpotrf, dpotrs, dtrtrs

_MIN_WS = 10  # size of the first working set, and the least number of violators visited
_RANK_TOL = 1e-10  # a Cholesky pivot below this (relative) makes X_S rank deficient


def dual_gap(c, w, rr, ry, lam1, lam2):
    r"""Duality gap of the n-scaled problem and the dual scaling :math:`s`.

    With :math:`\tilde c = c - \lambda_2 w`, the point :math:`\theta = s r`,
    :math:`s = \min(1, \lambda_1/\lVert\tilde c\rVert_\infty)` is dual feasible and
    :math:`D = -\tfrac{s^2}{2}(\lVert r\rVert^2 + \lambda_2\lVert w\rVert^2) + s\,r^\top y`
    (``rr``, ``ry``). For :math:`\lambda_1 = 0` scikit-learn's ridge dual
    ("formulation B") is used, for :math:`\lambda_1 = \lambda_2 = 0` :math:`\lVert c\rVert^2`.
    Rounding can make the computed gap slightly negative at the optimum: it is clipped at 0.
    """
    w_l2sq = float(w @ w)
    if lam1 > 0.0:
        primal = 0.5 * (rr + lam2 * w_l2sq) + lam1 * float(np.abs(w).sum())
        ct_max = float(np.abs(c - lam2 * w).max()) if c.size else 0.0
        s = min(1.0, lam1 / ct_max) if ct_max > 0.0 else 1.0
        gap = primal + 0.5 * s * s * (rr + lam2 * w_l2sq) - s * ry
    elif lam2 > 0.0:
        gap, s = rr + 0.5 * lam2 * w_l2sq - ry + float(c @ c) / (2.0 * lam2), 1.0
    else:
        gap, s = float(c @ c), 1.0
    return max(gap, 0.0), s


def cd_sweep_gram(rows, c, w, diag, den, lam1, order):
    """One cyclic pass over ``order``, keeping ``c = q - G w`` (``rows[i] = G[i]``)."""
    for i in order:
        old = w.item(i)
        z = c.item(i) + old * diag[i]  # X_i^T (r + w_i X_i)
        if z > lam1:
            new = (z - lam1) / den[i]  # soft-threshold, then shrink by the L2 part
        elif z < -lam1:
            new = (z + lam1) / den[i]
        else:
            new = 0.0
        if new != old:
            daxpy(rows[i], c, a=old - new)  # c -= (new - old) G[:, i]
            w[i] = new


def cd_sweep_residual(cols, r, w, diag, den, lam1, order):
    """One cyclic pass over ``order``, keeping ``r = y - X w`` (``cols[i] = X[:, i]``)."""
    for i in order:
        old = w.item(i)
        z = ddot(cols[i], r) + old * diag[i]  # X_i^T (r + w_i X_i)
        if z > lam1:
            new = (z - lam1) / den[i]
        elif z < -lam1:
            new = (z + lam1) / den[i]
        else:
            new = 0.0
        if new != old:
            daxpy(cols[i], r, a=old - new)  # r -= (new - old) X_i
            w[i] = new


def null_space_moves(A, wS):
    """Move ``wS`` within the null space of ``A = G_SS`` (so ``X w`` is unchanged) to lower
    ``||w||_1``, zeroing one coefficient per move, until the rest has full rank."""
    evals, evecs = np.linalg.eigh(A)
    N = evecs[:, evals <= _RANK_TOL * max(evals[-1], 1e-300)]  # (s, m) null-space basis
    wS = wS.copy()
    for _ in range(N.shape[1]):
        v = -N @ (N.T @ np.sign(wS))  # steepest descent of sign(w)^T w inside the null space
        if float(v @ v) < 1e-20:
            v = N[:, 0]  # ||w||_1 is flat along the null space: any direction will do
        shrinking = v * wS < 0
        if not shrinking.any():
            v, shrinking = -v, v * wS > 0
        ratios = np.full(wS.size, np.inf)
        ratios[shrinking] = -wS[shrinking] / v[shrinking]
        j = int(np.argmin(ratios))
        wS += ratios[j] * v
        wS[j] = 0.0
        N = N @ np.linalg.svd(N[j : j + 1])[2][1:].T  # the combinations of N that vanish at j
        N[j] = 0.0  # exactly, so that w_j stays zero
    return wS


def refactor(block, S, gid, lam2, cache):
    r"""Cholesky factor of :math:`G_{SS} + \lambda_2 I` from scratch (``None`` if singular)."""
    A = block(S, S)
    A.flat[:: S.size + 1] += lam2
    L, info = dpotrf(A, lower=1, clean=1)
    if info != 0 or L.diagonal().min() ** 2 <= _RANK_TOL * A.diagonal().max():
        cache.clear()
        return None
    cache.update(ids=gid.copy(), L=L, lam2=lam2)
    return L, np.arange(S.size)


def _blocks(L11, L21, L22):
    """The lower-triangular ``[[L11, 0], [L21, L22]]``, in Fortran order (as LAPACK wants it)."""
    a, b = len(L11), len(L22)
    L = np.zeros((a + b, a + b), order="F")
    L[:a, :a], L[a:, :a], L[a:, a:] = L11, L21, L22
    return L


def factor(block, S, gid, lam2, cache):
    r"""Cholesky factor of :math:`A = G_{SS} + \lambda_2 I`, and the order of ``S`` it uses.

    ``block(a, b)`` returns :math:`G_{ab}`; ``gid`` are the global ids of ``S`` (sorted).
    The cached factor is updated rather than recomputed when ``S`` differs from its
    support by a few features: removing one changes only the rows below it, adding
    some appends a block row. ``None`` if :math:`A` is singular.
    """
    old, L = cache.get("ids"), cache.get("L")
    if old is None or cache["lam2"] != lam2:
        return refactor(block, S, gid, lam2, cache)
    at = np.minimum(np.searchsorted(gid, old), gid.size - 1)
    stay = gid[at] == old  # (gid is sorted; isin is slower)
    if not stay.all():  # rows after the first removed one: L22 L22^T = L[rest, j:] L[rest, j:]^T
        j = int(np.argmin(stay))
        if 2 * j < old.size:  # as costly as starting over
            return refactor(block, S, gid, lam2, cache)
        rest = j + np.flatnonzero(stay[j:])
        L22, info = dpotrf(L[rest, j:] @ L[rest, j:].T, lower=1, clean=1)
        if info != 0:
            return refactor(block, S, gid, lam2, cache)
        L = _blocks(L[:j, :j], L[rest, :j], L22)
        old = old[stay]
    pos = np.searchsorted(gid, old)  # where the factor's features sit in S
    fresh = np.ones(gid.size, dtype=bool)
    fresh[pos] = False
    new = np.flatnonzero(fresh)
    if new.size:  # [[L, 0], [Z^T, L22]] with L Z = A[old, new], L22 L22^T = A[new, new] - Z^T Z
        Z = dtrtrs(L, block(S[pos], S[new]), lower=1)[0]
        C = block(S[new], S[new]) - Z.T @ Z
        C.flat[:: new.size + 1] += lam2
        L22, info = dpotrf(C, lower=1, clean=1)
        if info != 0 or L22.diagonal().min() ** 2 <= _RANK_TOL * C.diagonal().max():
            return refactor(block, S, gid, lam2, cache)  # singular: let the caller see it
        L = _blocks(L, Z.T, L22)
        pos = np.concatenate([pos, new])
    cache.update(ids=gid[pos], L=L)
    return L, pos


def polish(state, lam1, lam2, cache, rounds=4):
    r"""Minimize exactly on the current support and signs, never crossing zero.

    On the face :math:`\operatorname{sign}(w_S) = \sigma` the objective is a quadratic
    with Hessian :math:`A = G_{SS} + \lambda_2 I`; the Newton step
    :math:`\delta = A^{-1}(c_S - \lambda_2 w_S - \lambda_1\sigma)` is taken up to the first
    coefficient that would reach zero, which then leaves the support. Returns True when
    the minimum of the face was reached.
    """
    w = state.w
    for _ in range(rounds):
        S = np.flatnonzero(w)
        if S.size == 0:
            return True
        fac = factor(state.block, S, state.gid[S], lam2, cache)
        if fac is None:
            if lam2 > 0.0:
                return False  # numerically singular although positive definite: leave it to CD
            state.move(S, null_space_moves(state.block(S, S), w[S]) - w[S])
            continue
        L, order = fac
        wS, sgn = w[S], np.sign(w[S])
        delta = np.empty(S.size)
        delta[order] = dpotrs(L, (state.corr(S) - lam2 * wS - lam1 * sgn)[order], lower=1)[0]
        cross = np.sign(wS + delta) != sgn
        if not cross.any():
            state.move(S, delta)
            return True
        ratios = wS[cross] / -delta[cross]  # where w + t delta reaches 0
        k = int(np.argmin(ratios))
        state.move(S, ratios[k] * delta)
        w[S[np.flatnonzero(cross)[k]]] = 0.0
    return False


def anderson(hist):
    """Affine combination of the last iterates with the smallest combined difference
    (Anderson extrapolation, Bertrand & Massias 2021)."""
    W = np.array(hist)  # (K + 1, k)
    U = np.diff(W, axis=0)  # (K, k)
    M = U @ U.T
    try:
        z = np.linalg.solve(M + 1e-12 * np.trace(M) * np.eye(len(M)), np.ones(len(M)))
    except np.linalg.LinAlgError:
        return None
    return (z / z.sum()) @ W[1:]


def violators(c, w, lam1, norms, rank):
    """The zeros with ``|c_j| > lam1``, the largest violations relative to the column norm
    first: at most as many as the support has (at least ``_MIN_WS``), and, without an L2
    part, at most enough to fill the support up to ``rank`` (at least one): beyond the rank
    of ``X`` the support's quadratic is singular and the exact solves cannot help."""
    zero = w == 0.0
    excess = np.where(zero, np.abs(c) - lam1, 0.0)
    viol = np.flatnonzero(excess > 0.0)
    nnz = w.size - int(zero.sum())
    cap = max(1, min(max(_MIN_WS, nnz), rank - nnz))
    if viol.size > cap:
        viol = np.sort(viol[np.argpartition(excess[viol] / norms[viol], -cap)[-cap:]])
    return viol


def solve_subproblem(state, lam1, lam2, tol, budget, cache, K=5):
    """Coordinate descent with exact support solves on one state (its ``w`` in place).

    Returns ``(iterations, gap, c)``: an iteration is a sweep or an exact solve on the
    support (at least one is counted); ``gap`` and ``c`` are computed afresh at the end.
    """
    w, diag = state.w, state.diag
    den = np.add(diag, lam2)
    norms, den = np.sqrt(den) + 1e-300, den.tolist()
    settled, hist, its, complete, polished = bool(w.any()), [], 0, False, False
    while True:
        c, rr, ry = state.stats()
        gap = dual_gap(c, w, rr, ry, lam1, lam2)[0]
        if gap <= tol or its >= budget:
            state.refresh()  # free of accumulated rounding
            c, rr, ry = state.stats()
            gap = dual_gap(c, w, rr, ry, lam1, lam2)[0]
            if its >= budget or (gap <= tol and (polished or its == 0 or not w.any())):
                return max(its, 1), gap, c
            # tol is met after a sweep: one more exact solve is cheap and usually lands on
            # the optimum, where the gap alone may leave flat directions far from it
            settled = settled or gap <= tol
        if settled:  # the signs did not move (or a warm start): solve on them
            complete, polished = polish(state, lam1, lam2, cache), True
            hist, its, settled = [], its + 1, False
            continue
        polished = False
        viol = violators(c, w, lam1, norms, state.rank if lam2 == 0.0 else w.size)
        if complete:  # optimal on its face: move only the violators, then solve again
            state.sweep(viol.tolist(), lam1, den)
            its, settled, complete = its + 1, True, False
            continue
        signs = np.sign(w)
        state.sweep(np.union1d(np.flatnonzero(signs), viol).tolist(), lam1, den)
        its += 1
        settled = np.array_equal(signs, np.sign(w))
        if not settled:
            hist.append(w.copy())
            if len(hist) == K + 1:
                w_e, hist = anderson(hist), []
                if w_e is not None and state.objective(w_e, lam1, lam2) < state.objective(w, lam1, lam2):
                    state.reset(w_e)
