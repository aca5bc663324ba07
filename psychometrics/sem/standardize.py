"""Standardized solutions (std_lv, std_all) and their delta-method Jacobian; R-squared."""

from __future__ import annotations

import numpy as np

from . import model as _model
from .partable import ParTable


def delta_se(J: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Delta-method standard errors sqrt(diag(J cov J')) (clipped at 0), by one matrix product:
    ``np.einsum("ij,jk,ik->i", ...)`` loops in C over all three indices, 20 times slower here."""
    return np.sqrt(np.maximum(((J @ cov) * J).sum(axis=1), 0))



class Standardizer:
    """std_lv, std_all and R-squared of every parameter-table row for a batch of thetas
    (vectorised over the batch, so the delta method needs one call). Directed effects scale by
    sd(cause)/sd(effect); variances by the total variance; covariances by the residual variances;
    intercepts and means by the total standard deviation (as lavaan)."""

    def __init__(self, pt: ParTable, model: _model.Model, est: np.ndarray):
        self.model = model
        idx = {v: i for i, v in enumerate(model.names)}
        self.kind = np.array([0 if r.op in ("=~", "~") else 3 if r.op == "~1" else (1 if r.lhs == r.rhs else 2)
                              for r in pt.rows])
        self.i = np.array([idx[r.rhs] if r.op == "=~" else idx[r.lhs] for r in pt.rows])
        self.j = np.array([idx[r.lhs] if r.op == "=~" else idx[r.rhs] if r.op != "~1" else idx[r.lhs]
                           for r in pt.rows])
        self.g = np.array([r.group - 1 for r in pt.rows])
        self.free = np.array([r.free - 1 for r in pt.rows])
        self.fixed = est
        self.latent = np.array([v in set(pt.latent) for v in model.names])
        endogenous = {r.lhs for r in pt.rows if r.op == "~"} | {r.rhs for r in pt.rows if r.op == "=~"}
        self.endogenous = [(v, idx[v]) for v in model.names if v in endogenous]

    def _moments(self, thetas: np.ndarray, g: int):
        m = self.model
        A, S, _ = m.matrices(thetas, g)
        M = _model.inv_i_minus_a(A, m.groups[g]["paths"])
        V = M @ S @ M.transpose(0, 2, 1)
        return S, V, np.sqrt(np.maximum(np.einsum("tii->ti", V), 0))

    def batch(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        thetas = np.atleast_2d(thetas)
        E = np.where(self.free >= 0, thetas[:, np.maximum(self.free, 0)], self.fixed)
        std_all, std_lv = np.empty_like(E), np.empty_like(E)
        for g in range(self.model.n_groups):
            S, V, sd = self._moments(thetas, g)
            sd_lv = np.where(self.latent, sd, 1.0)
            rows = self.g == g
            for kind in range(4):
                sel = rows & (self.kind == kind)
                if not sel.any():
                    continue
                i, j, e = self.i[sel], self.j[sel], E[:, sel]
                if kind == 0:
                    a = e * sd[:, j] / sd[:, i]
                    lv = e * sd_lv[:, j] / sd_lv[:, i]
                elif kind == 1:
                    a = e / V[:, i, i]
                    lv = np.where(self.latent[i], a, e)
                elif kind == 2:
                    a = e / np.sqrt(S[:, i, i] * S[:, j, j])
                    # std_lv scales the latent side(s) only (a latent with an observed variable: its SD)
                    lv = e / np.sqrt(np.where(self.latent[i], S[:, i, i], 1.0) * np.where(self.latent[j], S[:, j, j], 1.0))
                else:
                    a = e / sd[:, i]
                    lv = np.where(self.latent[i], a, e)
                std_all[:, sel], std_lv[:, sel] = a, lv
        return std_lv, std_all

    def __call__(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lv, a = self.batch(theta[None])
        return lv[0], a[0]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Analytic d std_all / d theta (rows x free parameters). With V = MSM' the total
        covariance, dV_aa/dtheta_k = 2 c_k Vb[a, u_k] Vb[a, v_k] for Vb = [M, V] (the rank-two
        structure of the model's derivatives), then the quotient rule per kind of row."""
        m = self.model
        R = len(self.kind)
        J = np.zeros((R, m.n_free))
        E = np.where(self.free >= 0, theta[np.maximum(self.free, 0)], self.fixed)
        for g in range(m.n_groups):
            A, S, _ = m.matrices(theta, g)
            M = _model.inv_i_minus_a(A, m.groups[g]["paths"])
            V = M @ S @ M.T
            sd = np.sqrt(np.maximum(np.diag(V), 0))
            x = m.groups[g]
            Vb = np.hstack([M, V])
            dV = (2 * x["c"] * Vb[:, x["u"]] * Vb[:, x["v"]]) @ x["Z"]          # d V_aa / d theta
            dsd = dV / (2 * sd[:, None])
            dSd = np.zeros((m.nv, m.n_free))
            diag_s = x["S"] & (x["i"] == x["j"])
            dSd[x["i"][diag_s], x["k"][diag_s]] = 1.0
            for kind in range(4):
                sel = np.flatnonzero((self.g == g) & (self.kind == kind))
                if not len(sel):
                    continue
                i, j, e = self.i[sel], self.j[sel], E[sel][:, None]
                one = np.zeros((len(sel), m.n_free))
                fr = self.free[sel] >= 0
                one[np.flatnonzero(fr), self.free[sel][fr]] = 1.0
                if kind == 0:
                    si, sj = sd[i][:, None], sd[j][:, None]
                    J[sel] = one * sj / si + e * (dsd[j] / si - sj * dsd[i] / si ** 2)
                elif kind == 1:
                    vi = V[i, i][:, None]
                    J[sel] = one / vi - e * dV[i] / vi ** 2
                elif kind == 2:
                    q = np.sqrt(S[i, i] * S[j, j])[:, None]
                    J[sel] = one / q - e / (2 * q) * (dSd[i] / S[i, i][:, None] + dSd[j] / S[j, j][:, None])
                else:
                    si = sd[i][:, None]
                    J[sel] = one / si - e * dsd[i] / si ** 2
        return J

    def r2(self, theta: np.ndarray, g: int = 0) -> dict:
        S, V, _ = self._moments(theta[None], g)
        return {v: float(1 - S[0, k, k] / V[0, k, k]) for v, k in self.endogenous}


def batched_jacobian(f, theta: np.ndarray) -> np.ndarray:
    """d f(theta) / d theta by central differences, f evaluated once on the stacked perturbations
    (f maps (T, k) to (T, outputs)); rows of the result are outputs."""
    k = len(theta)
    h = 1e-6 * np.maximum(1.0, np.abs(theta))
    P = np.vstack([theta + np.diag(h), theta - np.diag(h)])
    out = f(P)
    return ((out[:k] - out[k:]) / (2 * h)[:, None]).T


def standardized_defined(pt, defined_at, theta, std_lv_v, std_all_v, Js, cov) -> dict:
    """lavaan's standardized ``:=`` values: the expression on the standardized values of the
    parameters it names (each label's first row), delta-method SE through both Jacobians."""
    first = np.zeros(pt.n_free, dtype=int)
    for k in range(len(pt.rows) - 1, -1, -1):
        if pt.rows[k].free:
            first[pt.rows[k].free - 1] = k
    point_all = std_all_v[first]
    G_std = batched_jacobian(defined_at, point_all) @ Js[first]
    return {"std_lv": defined_at(std_lv_v[first]), "std_all": defined_at(point_all),
            "std_all_se": delta_se(G_std, cov)}
