r"""The two-level normal likelihood (complete data) and its minimisation.

For cluster j with n_j members, y_ij = mu + b_j + w_ij with w_ij ~ N(0, Sigma_W) and b_j ~ N(0,
Sigma_B); cluster-level (between-only) variables z_j are observed once per cluster and covary with
b_j. An orthonormal (Helmert) rotation of the cluster's rows separates n_j - 1 within-cluster
contrasts, iid N(0, Sigma_W), from u_j = sqrt(n_j) ybar_j, which with z_j is normal with

.. math::

    V_j = \begin{pmatrix} \Sigma_{zz} & \sqrt{n_j}\,\Sigma_{zy} \\
                          \sqrt{n_j}\,\Sigma_{yz} & \Sigma_W + n_j \Sigma_{B,yy} \end{pmatrix},

so that (McDonald & Goldstein, 1989; Muthén, 1990)

.. math::

    -2 \log L = P \log 2\pi + (N - J)\,[\log|\Sigma_W| + \mathrm{tr}(\Sigma_W^{-1} S_{PW})]
                + \sum_{n} J_n\,[\log|V_n| + \mathrm{tr}(V_n^{-1} D_n (C_n + d_n d_n') D_n)]

with the sum over the distinct cluster sizes n (J_n clusters of that size, C_n and the mean of
their cluster means, d_n = mean - mu, D_n = diag(1 for z, sqrt(n) for y)) and P = N p_y + J p_z.
This is the likelihood of lavaan's ``lav_mvnorm_cluster_loglik_samplestats_2l``. The derivatives
with respect to Sigma_W, Sigma_B and the means are closed-form (of the same Gaussian pieces) and
reach the parameters through :meth:`psychometrics.sem.model.Model._collect`.

References
----------
McDonald, R. P., & Goldstein, H. (1989). Balanced versus unbalanced designs for linear structural
relations in two-level data. *British Journal of Mathematical and Statistical Psychology*, 42,
215-232. Muthén, B. O. (1990). Mean and covariance structure analysis of hierarchical data. UCLA
Statistics Series 62. Rosseel, Y. (2021). Evaluating the observed log-likelihood function in
two-level structural equation modeling with missing data. *Psych*, 3, 197-232.
"""

from __future__ import annotations

import math

import numpy as np

from ..exceptions import EstimationError
from .model import Model
from .twolevel_stats import ClusterStats


def _chol_inv(S: np.ndarray):
    """(inverse, log-determinant) of a batch of symmetric matrices, or None if one is not PD."""
    try:
        L = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return None
    Li = np.linalg.inv(L)
    return np.swapaxes(Li, -1, -2) @ Li, 2 * np.log(np.einsum("...ii->...i", L)).sum(axis=-1)


def minus2loglik(st: ClusterStats, Sw: np.ndarray, mw: np.ndarray, Sb: np.ndarray, mb: np.ndarray,
                 grad: bool = True):
    """-2 log L without the constant P log 2 pi, and (with ``grad``) dF/dSigma_W, dF/dSigma_B
    (p x p, symmetric) and dF/dmu_W, dF/dmu_B (p), for one group; None when a covariance matrix
    is not positive definite.

    >>> from psychometrics.sem.twolevel_stats import cluster_stats
    >>> rng = np.random.default_rng(2)
    >>> codes = np.repeat(np.arange(30), 4)
    >>> X = rng.normal(size=(120, 2)) + rng.normal(size=(30, 2))[codes]
    >>> st = cluster_stats(X, codes, ["a", "b"], [["a", "b"], ["a", "b"]], [[], []])
    >>> F = minus2loglik(st, np.eye(2), np.zeros(2), np.eye(2), np.zeros(2), grad=False)
    >>> bool(np.isfinite(F))
    True
    """
    y, z = st.y, st.z
    pz = len(z)
    sw = Sw[np.ix_(y, y)]
    mu = np.concatenate([mb[z], mw[y] + mb[y]])
    wi = _chol_inv(sw)
    if wi is None:
        return None
    swi, ldw = wi
    nw = st.N - st.J
    F = nw * (ldw + float(np.sum(swi * st.S_PW)))
    n = st.sizes.astype(float)
    rt = np.sqrt(n)
    q = pz + len(y)
    V = np.empty((len(n), q, q))
    V[:, :pz, :pz] = Sb[np.ix_(z, z)]
    V[:, :pz, pz:] = rt[:, None, None] * Sb[np.ix_(z, y)]
    V[:, pz:, :pz] = np.swapaxes(V[:, :pz, pz:], 1, 2)
    V[:, pz:, pz:] = sw + n[:, None, None] * Sb[np.ix_(y, y)]
    D = np.concatenate([np.ones((len(n), pz)), np.repeat(rt[:, None], len(y), axis=1)], axis=1)
    d = st.mean_d - mu
    M = D[:, :, None] * (st.cov_d + d[:, :, None] * d[:, None, :]) * D[:, None, :]
    vi = _chol_inv(V)
    if vi is None:
        return None
    Vi, ldv = vi
    c = st.counts.astype(float)
    F += float(c @ (ldv + np.einsum("kij,kji->k", Vi, M)))
    if not grad:
        return F
    p = len(Sw)
    WV = c[:, None, None] * (Vi - Vi @ M @ Vi)
    Ww, Wb = np.zeros((p, p)), np.zeros((p, p))
    Ww[np.ix_(y, y)] = nw * (swi - swi @ st.S_PW @ swi) + WV[:, pz:, pz:].sum(axis=0)
    Wb[np.ix_(y, y)] = np.einsum("k,kij->ij", n, WV[:, pz:, pz:])
    if pz:
        Wb[np.ix_(z, z)] = WV[:, :pz, :pz].sum(axis=0)
        Wb[np.ix_(z, y)] = np.einsum("k,kij->ij", rt, WV[:, :pz, pz:])
        Wb[np.ix_(y, z)] = Wb[np.ix_(z, y)].T
    bu = -2 * c[:, None] * np.einsum("kij,kj->ki", Vi, D * d)
    bmu = (D * bu).sum(axis=0)
    bw, bb = np.zeros(p), np.zeros(p)
    bw[y] = bb[y] = bmu[pz:]
    bb[z] = bmu[:pz]
    return F, Ww, Wb, bw, bb


def _likelihood(st):
    """The complete-data likelihood, or FIML's for statistics with missing answers."""
    if getattr(st, "missing", False):
        from .twolevel_missing import minus2loglik_missing

        return minus2loglik_missing
    return minus2loglik


class TwoLevelObjective:
    """F(theta) = sum over groups of -2 log L (without the constant) / N, with its gradient; the
    model's blocks are (group, level) pairs, block 2g within and 2g + 1 between."""

    def __init__(self, mdl: Model, stats: list[ClusterStats]):
        self.mdl, self.stats = mdl, stats
        self.N = sum(st.N for st in stats)
        self.evaluations = 0

    def __call__(self, theta: np.ndarray, grad: bool = True):
        self.evaluations += 1
        mdl = self.mdl
        F = 0.0
        g_out = np.zeros(mdl.n_free)
        for g, st in enumerate(self.stats):
            try:
                mw_, mb_ = mdl.moments(theta, 2 * g), mdl.moments(theta, 2 * g + 1)
            except np.linalg.LinAlgError:
                return (math.inf, g_out) if grad else math.inf
            res = _likelihood(st)(st, mw_["Sigma"], mw_["mu"], mb_["Sigma"], mb_["mu"], grad)
            if res is None:
                return (math.inf, g_out) if grad else math.inf
            if not grad:
                F += res
                continue
            Fg, Ww, Wb, bw, bb = res
            F += Fg
            g_out += mdl._collect(2 * g, mw_, Ww, bw) + mdl._collect(2 * g + 1, mb_, Wb, bb)
        return (F / self.N, g_out / self.N) if grad else F / self.N

    def group_F(self, theta: np.ndarray) -> list[float]:
        """-2 log L (without the constant) of each group."""
        mdl = self.mdl
        out = []
        for g, st in enumerate(self.stats):
            mw_, mb_ = mdl.moments(theta, 2 * g), mdl.moments(theta, 2 * g + 1)
            out.append(float(_likelihood(st)(st, mw_["Sigma"], mw_["mu"], mb_["Sigma"], mb_["mu"], grad=False)))
        return out

    def loglik(self, theta: np.ndarray) -> float:
        """log L (with the constant)."""
        P = sum(st.P for st in self.stats)
        return -0.5 * (self(theta, grad=False) * self.N + P * math.log(2 * math.pi))

    def hessian(self, theta: np.ndarray, central: bool = True) -> np.ndarray:
        """Hessian of F by differences of the analytic gradient (as lavaan's observed information,
        which differentiates its analytic gradient numerically)."""
        k = len(theta)
        H = np.empty((k, k))
        h = 1e-5 * np.maximum(1.0, np.abs(theta))
        g0 = None if central else self(theta)[1]
        for i in range(k):
            e = np.zeros(k)
            e[i] = h[i]
            if central:
                H[:, i] = (self(theta + e)[1] - self(theta - e)[1]) / (2 * h[i])
            else:
                H[:, i] = (self(theta + e)[1] - g0) / h[i]
        return (H + H.T) / 2


def minimise(obj: TwoLevelObjective, theta0: np.ndarray, tol: float = 1e-10, max_iter: int = 300,
             fallback: bool = True, stop=None):
    """Quasi-Newton minimisation of F: the Hessian from gradient differences at the start (and
    again whenever a step fails), BFGS updates in between, eigenvalues kept positive, a
    backtracking line search; L-BFGS if that stalls. Converged when the Newton decrement
    g' H^-1 g is below ``tol`` and the largest gradient below 1e-6 (``fallback=False``: no L-BFGS,
    for a first attempt that may fail; ``stop(theta)`` True ends it early). Returns (theta, F, converged,
    message)."""
    F, g = obj(theta0)
    if not np.isfinite(F):
        raise EstimationError("estimation failed: a model-implied covariance matrix (within or between clusters) is "
                              "not positive definite at the starting values; check the model or give start values")
    theta = theta0.copy()
    hessians, it = 0, 0
    for quasi in (True, False):      # BFGS updates first; full Newton steps if they stall (a boundary optimum)
        H, fresh = None, False
        for it in range(it + 1, it + (min(60, max_iter) if quasi else max_iter) + 1):
            if H is None:
                H, fresh = obj.hessian(theta, central=False), True
                hessians += 1
            w, U = np.linalg.eigh(H)
            floor = 1e-8 * max(1.0, float(np.abs(w).max()))
            step = U @ ((U.T @ g) / np.maximum(np.abs(w), floor))
            decrement = float(g @ step)
            if decrement < tol * 1e-2 and np.abs(g).max() < 1e-6:
                return theta, F, True, f"quasi-Newton converged in {it - 1} iterations ({hessians} Hessians)"
            alpha = 1.0
            while alpha > 1e-10:
                cand = theta - alpha * step
                Fc, gc = obj(cand)
                if np.isfinite(Fc) and Fc <= F - 1e-4 * alpha * decrement:
                    break
                alpha /= 2
            else:
                if fresh:
                    break
                H = None            # the updated matrix failed: a fresh Hessian
                continue
            s_, y_ = cand - theta, gc - g
            theta, F, g = cand, Fc, gc
            if stop is not None and stop(theta):
                return theta, F, False, f"stopped after {it} iterations (the caller's condition)"
            if decrement < tol and np.abs(g).max() < 1e-6:
                return theta, F, True, f"quasi-Newton converged in {it} iterations ({hessians} Hessians)"
            sy = float(s_ @ y_)
            if alpha < 0.25 or not quasi:
                H = None            # far from quadratic: a fresh Hessian at the new point
            elif sy > 1e-300:
                Hs = H @ s_
                H = H + np.outer(y_, y_) / sy - np.outer(Hs, Hs) / float(s_ @ Hs)
                fresh = False
    if not fallback:
        return theta, F, False, f"quasi-Newton stopped after {it} iterations ({hessians} Hessians)"
    from scipy import optimize

    res = optimize.minimize(obj, theta, jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-10})
    ok = bool(np.isfinite(res.fun) and np.abs(res.jac).max() < 1e-5)
    return res.x, float(res.fun), ok, f"L-BFGS after quasi-Newton: {res.message}"
