r"""The model side of ordered indicators: per group, the sample statistics' container and the
model-implied thresholds (a continuous variable's negated mean), variances and correlations or
covariances with their Jacobian (:class:`OrdinalModel`), from the RAM moments of :mod:`.model`
(see :mod:`.ordinal` for the formulas and the estimation)."""

from __future__ import annotations

import dataclasses

import numpy as np

from . import model as _model
from .partable import ParTable

RAM_OPS = ("=~", "~", "~~", "~1")


@dataclasses.dataclass
class GroupStats:
    n: int
    names: list[str]
    gamma: np.ndarray
    thresholds: dict[str, np.ndarray]
    rho: np.ndarray          # polychoric / polyserial / Pearson correlations
    w: np.ndarray            # diagonal weights of the discrepancy: 1/diag(Gamma) (DWLS) or 1 (ULS)
    s: np.ndarray            # thresholds (-mean), variances of continuous variables, r21, r31, ..., r32, ...
    cov: np.ndarray          # the correlations as covariances (continuous variables' SDs)
    means: np.ndarray        # continuous variables' means (0 for ordinal items)
    W: np.ndarray | None = None    # the full weight (WLS: the inverse of Gamma); None: diag(w)

    def weigh(self, X: np.ndarray) -> np.ndarray:
        """W X (X a vector or a matrix with the statistics as rows)."""
        if self.W is not None:
            return self.W @ X
        return self.w * X if X.ndim == 1 else self.w[:, None] * X

    def weight(self) -> np.ndarray:
        return self.W if self.W is not None else np.diag(self.w)


class OrdinalModel:
    """The model-implied statistics of each group (thresholds, continuous variables' negated
    means and variances, correlations or covariances) and their Jacobian with respect to the
    free parameters (RAM part from :meth:`.model.Model.delta`)."""

    def __init__(self, pt: ParTable, stats: list[GroupStats]):
        self.pt = pt
        self.stats = stats
        self.ram_pt = dataclasses.replace(pt, rows=[r for r in pt.rows if r.op in RAM_OPS])
        p = len(pt.observed)
        self.p = p
        self.ram = _model.Model(self.ram_pt, [st.cov for st in stats], [st.means for st in stats])
        self.theta_param = pt.parameterization == "theta"
        pos = {v: i for i, v in enumerate(pt.observed)}
        self.items = pt.observed
        ordered = set(pt.ordered)
        self.is_ord = np.array([v in ordered for v in self.items])
        self.num_idx = np.flatnonzero(~self.is_ord)
        G = pt.n_groups
        # per group: threshold rows (item index, free index or -1, fixed value) and scaling factors
        self.th_item, self.th_free, self.th_value = [], [], []
        self.d_free, self.d_value = [], []
        for g in range(1, G + 1):
            th = [r for r in pt.rows if r.group == g and r.op == "|"]
            th.sort(key=lambda r: (pos[r.lhs], int(r.rhs[1:])))
            self.th_item.append(np.array([pos[r.lhs] for r in th], dtype=int))
            self.th_free.append(np.array([r.free - 1 for r in th], dtype=int))
            self.th_value.append(np.array([r.value if (not r.free and r.value is not None) else 0.0 for r in th]))
            sc = {r.lhs: r for r in pt.rows if r.group == g and r.op == "~*~"}
            self.d_free.append(np.array([sc[v].free - 1 if v in sc else -1 for v in self.items], dtype=int))
            self.d_value.append(np.array([sc[v].value if (v in sc and not sc[v].free and sc[v].value is not None)
                                          else 1.0 for v in self.items]))
        # the thresholds' block in variable order: an ordinal item's thresholds, a continuous
        # variable's negated mean (the raw order is thresholds first, then the means)
        th_items = self.th_item[0]
        slots = [("t", k) for k in range(len(th_items))] + [("m", k) for k in range(len(self.num_idx))]
        key = [(int(th_items[k]), k) if kind == "t" else (int(self.num_idx[k]), 0) for kind, k in slots]
        self.th_perm = np.array(sorted(range(len(slots)), key=lambda q: key[q]), dtype=int)
        self.pairs_i = np.array([i for j in range(p) for i in range(j + 1, p)], dtype=int)
        self.pairs_j = np.array([j for j in range(p) for i in range(j + 1, p)], dtype=int)
        ra, rb = np.tril_indices(p)
        vech = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ra, rb))}
        self.vech_pairs = np.array([vech[(i, j)] for i, j in zip(self.pairs_i, self.pairs_j)], dtype=int)
        self.vech_diag = np.array([vech[(i, i)] for i in range(p)], dtype=int)
        self.n_vech = len(ra)

    # ---- model-implied statistics ------------------------------------------------------------
    def _parts(self, theta: np.ndarray, g: int):
        mom = self.ram.moments(theta, g)
        Sig, mu = mom["Sigma"], mom["mu"]
        if self.theta_param:
            d = np.where(self.is_ord, 1 / np.sqrt(np.maximum(np.diag(Sig), 1e-300)), 1.0)
        else:
            fr = self.d_free[g]
            d = np.where(fr >= 0, theta[np.maximum(fr, 0)], self.d_value[g])
        fr = self.th_free[g]
        tau = np.where(fr >= 0, theta[np.maximum(fr, 0)], self.th_value[g])
        return Sig, mu, d, tau

    def sigma_g(self, theta: np.ndarray, g: int) -> np.ndarray:
        Sig, mu, d, tau = self._parts(theta, g)
        j, n = self.th_item[g], self.num_idx
        ii, jj = self.pairs_i, self.pairs_j
        th = np.concatenate([d[j] * (tau - mu[j]), -mu[n]])[self.th_perm]
        return np.concatenate([th, Sig[n, n], d[ii] * d[jj] * Sig[ii, jj]])

    def sigma_groups(self, theta: np.ndarray) -> list[np.ndarray]:
        return [self.sigma_g(theta, g) for g in range(self.pt.n_groups)]

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        return np.concatenate(self.sigma_groups(theta))

    def jacobian_g(self, theta: np.ndarray, g: int) -> np.ndarray:
        Sig, mu, d, tau = self._parts(theta, g)
        Dr = self.ram.delta(theta, g)                # vech(Sigma*) rows, then mu* rows
        k = self.pt.n_free
        p = self.p
        dSig, dmu = Dr[: self.n_vech], Dr[self.n_vech:]
        # d d_j / d theta (p x k); 0 for continuous variables
        if self.theta_param:
            dd = np.where(self.is_ord[:, None], -0.5 * (d ** 3)[:, None] * dSig[self.vech_diag], 0.0)
        else:
            dd = np.zeros((p, k))
            fr = self.d_free[g]
            dd[np.flatnonzero(fr >= 0), fr[fr >= 0]] = 1.0
        j, n = self.th_item[g], self.num_idx
        Jt = -d[j][:, None] * dmu[j] + (tau - mu[j])[:, None] * dd[j]
        fr = self.th_free[g]
        rows = np.flatnonzero(fr >= 0)
        np.add.at(Jt, (rows, fr[rows]), d[j][rows])
        Jth = np.vstack([Jt, -dmu[n]])[self.th_perm]
        ii, jj = self.pairs_i, self.pairs_j
        Jr = ((d[ii] * d[jj])[:, None] * dSig[self.vech_pairs] + (Sig[ii, jj] * d[jj])[:, None] * dd[ii]
              + (Sig[ii, jj] * d[ii])[:, None] * dd[jj])
        return np.vstack([Jth, dSig[self.vech_diag[n]], Jr])

    def jacobians(self, theta: np.ndarray) -> list[np.ndarray]:
        return [self.jacobian_g(theta, g) for g in range(self.pt.n_groups)]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        return np.vstack(self.jacobians(theta))

    def score_and_information(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""lavaan's DWLS gradient :math:`-\sum_g \frac{n_g - 1}{N}\Delta_g'W_g(s_g - \sigma_g)` and
        information :math:`\sum_g \frac{n_g}{N}\Delta_g'W_g\Delta_g` at theta (score tests,
        modification indices)."""
        N = sum(st.n for st in self.stats)
        grad = np.zeros(len(theta))
        info = np.zeros((len(theta), len(theta)))
        for st, D, sg in zip(self.stats, self.jacobians(theta), self.sigma_groups(theta)):
            WD = st.weigh(D)
            grad -= (st.n - 1) / N * WD.T @ (st.s - sg)
            info += st.n / N * D.T @ WD
        return grad, info

    def correlation_residuals(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Sample minus model-implied correlations below the diagonal (continuous variables'
        covariances on the correlation scale, each side by its own standard deviations)."""
        Sig, _, d, _ = self._parts(theta, g)
        sd_model = np.where(self.is_ord, 1.0, np.sqrt(np.maximum(np.diag(Sig), 1e-300)))
        ii, jj = self.pairs_i, self.pairs_j
        implied = d[ii] * d[jj] * Sig[ii, jj] / (sd_model[ii] * sd_model[jj])
        return self.stats[g].rho[ii, jj] - implied

    # ---- starting values and the reported solution ----------------------------------------------
    def start_values(self) -> np.ndarray:
        p = self.p
        blocks = [_model.Block(g, np.arange(p), st.n, st.n / sum(s.n for s in self.stats), st.cov, st.means)
                  for g, st in enumerate(self.stats)]
        theta = _model.start_values(self.ram_pt, self.ram, blocks)
        done = np.zeros(self.pt.n_free, dtype=bool)
        ordered = set(self.pt.ordered)
        for r in self.ram_pt.rows:
            if r.free and r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered:
                theta[r.free - 1] = 1.0          # theta parameterization: residual variances of the latent responses
        for g, st in enumerate(self.stats):
            sample = np.concatenate([st.thresholds[v] for v in self.items if v in ordered] or [np.zeros(0)])
            fr = self.th_free[g]
            for t in np.flatnonzero(fr >= 0):
                if not done[fr[t]]:
                    theta[fr[t]], done[fr[t]] = sample[t], True
            for t in np.flatnonzero(self.d_free[g] >= 0):
                theta[self.d_free[g][t]] = 1.0
        for r in self.pt.rows:
            if r.free and r.start is not None:
                theta[r.free - 1] = r.start
        return theta

    def residuals_and_scales(self, thetas: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`residual_variances` for a stack of thetas (T x k): (T x p, T x p)."""
        A, S, _ = self.ram.matrices(thetas, g)
        M = np.linalg.inv(np.eye(A.shape[1])[None] - A)[:, : self.p]
        sig = np.einsum("tij,tjk,tik->ti", M, S, M)           # diag(Sigma*)
        resid = np.einsum("tii->ti", S)[:, : self.p].copy()
        if self.theta_param:
            d = np.where(self.is_ord[None], 1 / np.sqrt(np.maximum(sig, 1e-300)), 1.0)
            return resid, d
        fr = self.d_free[g]
        d = np.where(fr[None] >= 0, thetas[:, np.maximum(fr, 0)], self.d_value[g][None])
        return np.where(self.is_ord[None], 1 / d ** 2 - (sig - resid), resid), d

    def residual_variances(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """The latent responses' residual variances to report, and the scaling factors: delta,
        1/d^2 minus the common part; theta, the parameters (d = 1/sqrt(Sigma*_jj)); a continuous
        variable's residual variance is its parameter."""
        resid, d = self.residuals_and_scales(theta[None], g)
        return resid[0], d[0]


def block_diagonal(mats: list[np.ndarray]) -> np.ndarray:
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    out = np.zeros((rows, cols))
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out
