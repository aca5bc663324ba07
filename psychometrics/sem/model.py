"""Model-implied moments in RAM form, the normal-theory discrepancy, its derivatives and the
information matrices, for one or several groups and for complete or incomplete data.

Why this module is long: the moments, the gradient, the expected and observed information and
their batched forms share one set of index tables and cached products; split apart, each part
would reach into the others' internals.

All variables (observed and latent) form one vector; per group ``A`` holds directed effects
(loadings, regressions: ``A[i, j]`` is the effect of j on i), ``S`` (co)variances of residuals
and exogenous variables, ``m`` intercepts and means; ``F`` selects the observed ones:

.. math:: M = (I - A)^{-1},\\quad G = FM,\\quad \\Sigma = G S G',\\quad \\mu = G m

The data enter as *blocks*: a group's complete data are one block; with FIML every missing-data
pattern of a group is a block holding only its observed variables ``o``. With block weights
:math:`w_b = n_b/N`, sample moments :math:`S_b, \\bar x_b` and :math:`r_b = \\bar x_b - \\mu_o`,

.. math:: F(\\theta) = \\sum_b w_b\\,[\\log|\\Sigma_{oo}| + \\operatorname{tr}(S_b\\Sigma_{oo}^{-1})
          + r_b'\\Sigma_{oo}^{-1}r_b] - c_0 = -\\tfrac{2}{N}\\log L(\\theta) - \\text{const}

where :math:`c_0` is chosen so that :math:`N F = \\chi^2` against the saturated model (for complete
data without a mean structure this is lavaan's :math:`F_{ML}`). Every derivative uses that
:math:`\\partial\\Sigma/\\partial\\theta_k` is a symmetric rank-two matrix :math:`c(ab' + ba')` with
:math:`a, b` columns of :math:`V = [G, H']`, :math:`H = MSG'`, and :math:`\\partial\\mu/\\partial\\theta_k`
a scaled column of :math:`G`; traces then reduce to entries of :math:`K = V'\\Sigma^{-1}V`, so the
expected information costs :math:`O(n_{par}^2)` after one small matrix product.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..exceptions import EstimationError
from .partable import ParTable


@dataclass
class Block:
    group: int               # 0-based
    obs: np.ndarray          # indices of the observed variables present
    n: int
    w: float                 # n / N
    S: np.ndarray            # covariance with divisor n
    mean: np.ndarray
    X: np.ndarray | None = None   # the rows (for casewise scores)
    _pad: dict | None = field(default=None, repr=False, compare=False)   # padded patterns (FIML), cached
    rows: np.ndarray | None = field(default=None, repr=False, compare=False)  # positions in the group's rows

    def __post_init__(self):
        self.ix = np.ix_(self.obs, self.obs)       # cached: indexing by pattern is in every evaluation


def complete_blocks(X_groups: list[np.ndarray]) -> list[Block]:
    """One block per group of complete rows: the covariance with divisor n (as ``np.cov(X,
    rowvar=False, ddof=0)``, in one product X_c' X_c, which NumPy computes symmetric) and means."""
    N = sum(len(X) for X in X_groups)
    out = []
    for g, X in enumerate(X_groups):
        mean = X.mean(axis=0)
        Xc = X - mean
        out.append(Block(g, np.arange(X.shape[1]), len(X), len(X) / N, (Xc.T @ Xc) / len(X), mean, X,
                         rows=np.arange(len(X))))
    return out


def pattern_blocks(X_groups: list[np.ndarray]) -> list[Block]:
    """One block per missing-data pattern within each group (rows with nothing observed excluded)."""
    N = sum(int((~np.isnan(X)).any(axis=1).sum()) for X in X_groups)
    out = []
    for g, X in enumerate(X_groups):
        obs = ~np.isnan(X)
        keep = obs.any(axis=1)
        pats, inv = np.unique(obs[keep], axis=0, return_inverse=True)
        Xk = X[keep]
        kept = np.flatnonzero(keep)
        for k, pat in enumerate(pats):
            sel = inv.ravel() == k
            rows = Xk[sel][:, pat]
            o = np.flatnonzero(pat)
            out.append(Block(g, o, len(rows), len(rows) / N, np.cov(rows, rowvar=False, ddof=0).reshape(len(o), -1)
                             if len(rows) > 1 else np.zeros((len(o), len(o))), rows.mean(axis=0), rows,
                             rows=kept[sel]))
    return out


class Model:
    """The parameter table in matrix form, with vectorised index arrays per group."""

    def __init__(self, pt: ParTable, sample_cov: list[np.ndarray], sample_mean: list[np.ndarray],
                 extra: Sequence[tuple[int, str, int, int]] = ()):
        self.pt = pt
        self.names = pt.observed + pt.latent
        self.n_obs = len(pt.observed)
        self.n_groups = pt.n_groups
        self.meanstructure = pt.meanstructure
        # per group, the moments and Sigma^-1 of the last objective evaluation on complete data,
        # (theta's bytes, moments, Sigma^-1): the information at the accepted step reuses them
        self._last: dict[int, tuple[bytes, dict, np.ndarray]] = {}
        idx = {v: i for i, v in enumerate(self.names)}
        n = self.nv = len(self.names)
        self.A_fixed = [np.zeros((n, n)) for _ in range(self.n_groups)]
        self.S_fixed = [np.zeros((n, n)) for _ in range(self.n_groups)]
        self.m_fixed = [np.zeros(n) for _ in range(self.n_groups)]
        pos: list[tuple] = []     # (group, matrix 0/1/2, i, j, free index or -1)
        self.row_pos = []
        for r in pt.rows:
            g = r.group - 1
            k = r.free - 1 if r.free else -1
            if r.op == "=~":
                p = (g, 0, idx[r.rhs], idx[r.lhs], k)
            elif r.op == "~":
                p = (g, 0, idx[r.lhs], idx[r.rhs], k)
            elif r.op == "~~":
                p = (g, 1, idx[r.lhs], idx[r.rhs], k)
            else:
                p = (g, 2, idx[r.lhs], 0, k)
            if k < 0:
                if r.fixed_x:
                    a, b = p[2], p[3]
                    v = sample_mean[g][a] if p[1] == 2 else sample_cov[g][a, b]
                else:
                    v = r.value if r.value is not None else 0.0
                self._set_fixed(p, v)
            self.row_pos.append(len(pos))
            pos.append(p)
        self.n_free = pt.n_free
        for g, mat, i, j in extra:        # candidate parameters (modification indices): free, at 0
            pos.append((g, {"A": 0, "S": 1}[mat], i, j, self.n_free))
            self.n_free += 1
        self.pos = np.array(pos, dtype=int).reshape(-1, 5)
        self._index()

    def _set_fixed(self, p, v):
        g, mat, i, j, _ = p
        if mat == 0:
            self.A_fixed[g][i, j] = v
        elif mat == 1:
            self.S_fixed[g][i, j] = self.S_fixed[g][j, i] = v
        else:
            self.m_fixed[g][i] = v

    def _index(self):
        n = self.nv
        self.groups = []
        for g in range(self.n_groups):
            P = self.pos[(self.pos[:, 0] == g) & (self.pos[:, 4] >= 0)]
            # Z: positions -> parameters (a shared label puts one parameter at several positions)
            mat, i, j, k = P[:, 1], P[:, 2], P[:, 3], P[:, 4]
            Z = np.zeros((len(P), self.n_free))
            Z[np.arange(len(P)), k] = 1.0
            u = np.where(mat == 0, i, np.where(mat == 1, i, 0))
            v = np.where(mat == 0, n + j, np.where(mat == 1, j, 0))
            c = np.where(mat == 0, 1.0, np.where(mat == 1, np.where(i == j, 0.5, 1.0), 0.0))
            perm = k if len(np.unique(k)) == len(k) else None      # each parameter at one position
            # every parameter at one position of this group: the information is a reordering of the
            # positions' (None: already in order)
            iperm = (None if (perm == np.arange(len(perm))).all() else np.argsort(perm)) \
                if perm is not None and len(perm) == self.n_free else False
            a, sm, mm = mat == 0, mat == 1, mat == 2
            fill = (i[a], j[a], k[a], i[sm], j[sm], k[sm], i[mm], k[mm])     # index arrays for matrices()
            # the same as flat positions, both triangles of S at once (np.put: no 2-D fancy indexing)
            fill_flat = (i[a] * n + j[a], k[a], np.concatenate([i[sm] * n + j[sm], j[sm] * n + i[sm]]),
                         np.concatenate([k[sm], k[sm]]), i[mm], k[mm])
            # the gradient's gathers (_collect): flat positions in dA and GWG, the factor 2 of a
            # covariance (two symmetric entries), and each value's parameter, in one order
            grad_ix = (i[a] * n + j[a], i[sm] * n + j[sm], np.where(i[sm] == j[sm], 1.0, 2.0), i[mm],
                       np.concatenate([k[a], k[sm], k[mm]]))
            self.groups.append({"mat": mat, "i": i, "j": j, "k": k, "Z": Z, "u": u, "v": v, "c": c, "perm": perm, "iperm": iperm,
                                "paths": _path_structure(self.A_fixed[g] != 0, i[mat == 0], j[mat == 0], self.n_obs),
                                "fill": fill, "fill_flat": fill_flat, "grad_ix": grad_ix,
                                "A": mat == 0, "S": mat == 1, "m": mat == 2})

    # ---- moments -------------------------------------------------------------------------------
    def matrices(self, theta: np.ndarray, g: int):
        """A, S and m of group g at theta; with a stack of thetas (T, n_free), stacks of them."""
        if theta.ndim == 1:      # the hot path (every objective evaluation)
            fa, ka, fs, ks, fm, km = self.groups[g]["fill_flat"]
            A, S, m = self.A_fixed[g].copy(), self.S_fixed[g].copy(), self.m_fixed[g].copy()
            A.put(fa, theta.take(ka))
            S.put(fs, theta.take(ks))
            m.put(fm, theta.take(km))
            return A, S, m
        ai, aj, ak, si, sj, sk, mi, mk = self.groups[g]["fill"]
        T = len(theta)
        A, S, m = (np.repeat(z[g][None], T, axis=0) for z in (self.A_fixed, self.S_fixed, self.m_fixed))
        A[:, ai, aj] = theta[:, ak]
        S[:, si, sj] = S[:, sj, si] = theta[:, sk]
        m[:, mi] = theta[:, mk]
        return A, S, m

    def moments(self, theta: np.ndarray, g: int) -> dict:
        A, S, m = self.matrices(theta, g)
        M = inv_i_minus_a(A, self.groups[g]["paths"])
        G = M[: self.n_obs]
        GS = G @ S
        Mm = M @ m
        return {"A": A, "S": S, "m": m, "M": M, "G": G, "GS": GS, "Sigma": GS @ G.T, "Mm": Mm, "mu": Mm[: self.n_obs]}

    def implied(self, theta: np.ndarray, g: int = 0) -> np.ndarray:
        return self.moments(theta, g)["Sigma"]

    def total_cov(self, theta: np.ndarray, g: int = 0) -> np.ndarray:
        """Model-implied covariance of all variables, latent included."""
        A, S, _ = self.matrices(theta, g)
        M = inv_i_minus_a(A, self.groups[g]["paths"])
        return M @ S @ M.T

    # ---- discrepancy and gradient ----------------------------------------------------------------
    def objective(self, theta: np.ndarray, blocks: list[Block], c0: float = 0.0, grad: bool = True):
        F = -c0
        gvec = np.zeros(self.n_free) if grad else None
        p = self.n_obs
        for g in range(self.n_groups):
            try:
                mom = self.moments(theta, g)
            except np.linalg.LinAlgError:
                return (np.inf, np.zeros(self.n_free)) if grad else np.inf
            Sigma, mu = mom["Sigma"], mom["mu"]
            mine = [bl for bl in blocks if bl.group == g]
            if len(mine) > 2:      # many missing-data patterns: one batched evaluation (padded blocks)
                res = self._patterns(mine, Sigma, mu, grad)
                if res is None:
                    return (np.inf, np.zeros(self.n_free)) if grad else np.inf
                Fg, W, b = res
                F += Fg
                if grad:
                    gvec += self._collect(g, mom, W, b)
                continue
            if len(mine) == 1 and len(mine[0].obs) == p and not self.meanstructure:
                # the common case, one complete block without means: F = log|Sigma| + tr(Sigma^-1 S),
                # dF/dSigma = Sigma^-1 - Sigma^-1 S Sigma^-1
                bl = mine[0]
                inv = spd_inverse(Sigma)
                if inv is None:
                    return (np.inf, np.zeros(self.n_free)) if grad else np.inf
                Si, logdet = inv
                self._last[g] = (theta.tobytes(), mom, Si)
                SS = Si @ bl.S
                F += bl.w * (logdet + SS.trace())
                if grad:
                    gvec += self._collect(g, mom, bl.w * (Si - SS @ Si), np.zeros(p))
                continue
            W = np.zeros((p, p))
            b = np.zeros(p)
            for bl in mine:
                o = bl.obs
                full = len(o) == p
                Soo = Sigma if full else Sigma[bl.ix]
                inv = spd_inverse(Soo)   # Cholesky: a determinant can be positive with two negative eigenvalues
                if inv is None:
                    return (np.inf, np.zeros(self.n_free)) if grad else np.inf
                Si, logdet = inv
                if full:
                    self._last[g] = (theta.tobytes(), mom, Si)
                r = bl.mean - mu[o] if self.meanstructure else np.zeros(len(o))
                Sir = Si @ r
                SS = Si @ bl.S
                F += bl.w * (logdet + np.trace(SS) + r @ Sir)
                if grad:
                    Wo = Si - SS @ Si - np.outer(Sir, Sir)
                    if full:
                        W += bl.w * Wo
                        b -= 2 * bl.w * Sir
                    else:
                        W[bl.ix] += bl.w * Wo
                        b[o] -= 2 * bl.w * Sir
            if grad:
                gvec += self._collect(g, mom, W, b)
        return (F, gvec) if grad else F

    def _patterns(self, blocks: list[Block], Sigma: np.ndarray, mu: np.ndarray, grad: bool):
        """All blocks of a group at once: each pattern's Sigma_oo padded to p x p with an identity on
        its missing variables (same determinant, inverse Sigma_oo^-1 on oo), sample moments padded
        with zeros, so one batched Cholesky serves every pattern. Returns (F, W, b) or None."""
        pad = getattr(blocks[0], "_pad", None)
        if pad is None or pad["n"] != len(blocks):
            p = self.n_obs
            mask = np.zeros((len(blocks), p), dtype=bool)
            Sp = np.zeros((len(blocks), p, p))
            xp = np.zeros((len(blocks), p))
            for t, bl in enumerate(blocks):
                mask[t, bl.obs] = True
                Sp[t][bl.ix] = bl.S
                xp[t, bl.obs] = bl.mean
            pad = {"n": len(blocks), "mask": mask, "M2": mask[:, :, None] & mask[:, None, :], "S": Sp, "x": xp,
                   "w": np.array([bl.w for bl in blocks]), "eye": np.where(mask, 0.0, 1.0)}
            blocks[0]._pad = pad
        M2 = pad["M2"]
        Sig = np.where(M2, Sigma[None], 0.0)
        idx = np.arange(self.n_obs)
        Sig[:, idx, idx] += pad["eye"]
        try:
            L = np.linalg.cholesky(Sig)
        except np.linalg.LinAlgError:
            return None
        Li = np.linalg.inv(L)
        Si = np.where(M2, Li.transpose(0, 2, 1) @ Li, 0.0)        # Sigma_oo^-1 on oo, 0 elsewhere
        logdet = 2 * np.log(np.einsum("bii->bi", L)).sum(axis=1)
        r = np.where(pad["mask"], pad["x"] - mu[None], 0.0) if self.meanstructure else np.zeros_like(pad["x"])
        Sir = np.einsum("bij,bj->bi", Si, r)
        SS = Si @ pad["S"]
        w = pad["w"]
        F = float(w @ (logdet + np.einsum("bii->b", SS) + np.einsum("bi,bi->b", r, Sir)))
        if not grad:
            return F, None, None
        Wb = Si - SS @ Si - Sir[:, :, None] * Sir[:, None, :]
        W = np.einsum("b,bij->ij", w, Wb)
        b = -2 * (w @ Sir)
        return F, W, b

    def _collect(self, g: int, mom: dict, W: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Gradient from dF/dSigma = W (symmetric) and dF/dmu = b."""
        x = self.groups[g]
        G, S, M = mom["G"], mom["S"], mom["M"]
        GWG = G.T @ W @ G
        dA = 2 * GWG @ S @ M.T
        if self.meanstructure:
            Gb = G.T @ b
            dA += np.outer(Gb, mom["Mm"])
        flat_a, flat_s, two, im, k = x["grad_ix"]
        parts = [dA.take(flat_a), two * GWG.take(flat_s)]
        if self.meanstructure:
            parts.append(Gb.take(im))
        return np.bincount(k[: sum(len(q) for q in parts)], weights=np.concatenate(parts), minlength=self.n_free)

    # ---- derivatives of the moments -------------------------------------------------------------
    def _basis(self, mom: dict, g: int):
        x = self.groups[g]
        V = np.hstack([mom["G"], mom["GS"] @ mom["M"].T])      # [G, H'] with H = M S G
        scale = np.where(x["A"], mom["Mm"][x["j"]], np.where(x["m"], 1.0, 0.0)) if self.meanstructure else None
        return V, scale

    def delta(self, theta: np.ndarray, g: int = 0) -> np.ndarray:
        """Jacobian of (vech Sigma [, mu]) with respect to theta (ndat x n_free); lavaan's Delta."""
        mom = self.moments(theta, g)
        x = self.groups[g]
        V, scale = self._basis(mom, g)
        ra, rb = np.tril_indices(self.n_obs)
        u, v, c = x["u"], x["v"], x["c"]
        D = c * (V[ra][:, u] * V[rb][:, v] + V[ra][:, v] * V[rb][:, u])
        if self.meanstructure:
            D = np.vstack([D, mom["G"][:, x["i"]] * scale])
        return D @ x["Z"]

    def _block_products(self, theta: np.ndarray, blocks: list[Block]):
        """Per group, then per block of it: (g, x, scale, block, Si_oo, V_o, K = V_o' Si_oo V_o, last)
        with V = [G, H'] the basis of the moments' derivatives; ``last`` marks a group's last block."""
        key = theta.tobytes()
        for g in range(self.n_groups):
            last = self._last.get(g)
            hit = last is not None and last[0] == key
            mom = last[1] if last is not None and hit else self.moments(theta, g)
            x = self.groups[g]
            V, scale = self._basis(mom, g)
            mine = [bl for bl in blocks if bl.group == g]
            for t, bl in enumerate(mine):
                full = len(bl.obs) == self.n_obs
                Si = last[2] if last is not None and hit and full else _inverse(mom["Sigma"] if full else mom["Sigma"][bl.ix])
                Vo = V if full else V[bl.obs]
                yield g, x, scale, bl, Si, Vo, Vo.T @ Si @ Vo, t == len(mine) - 1

    def expected_information(self, theta: np.ndarray, blocks: list[Block]) -> np.ndarray:
        """Unit expected information: sum_b w_b [1/2 tr(Si dSigma_k Si dSigma_l) + dmu_k' Si dmu_l]."""
        if len(blocks) > 8 and self.n_obs <= 50:   # many missing-data patterns: all of them in one pass
            from .fiml_hessian import expected_information

            return expected_information(self, theta, blocks)
        info = np.zeros((self.n_free, self.n_free))
        Ipos = None
        for g, x, scale, bl, _, _, K, last in self._block_products(theta, blocks):
            u, v = x["u"], x["v"]
            q = len(u)
            if Ipos is None:
                Ipos = np.zeros((q, q))
            if "uv" not in x:
                x["uv"], x["cc"] = np.concatenate([u, v]), np.outer(x["c"], x["c"])
            uv = x["uv"]
            # one gather, rows then columns (take: a fifth of fancy 2-D indexing's time):
            # [[Kuu, Kuv], [Kvu, Kvv]]
            Kall = K.take(uv, axis=0).take(uv, axis=1)
            Kvu = Kall[q:, :q]
            Ipos += bl.w * (x["cc"] * (Kvu * Kvu.T + Kall[q:, q:] * Kall[:q, :q]))
            if self.meanstructure:
                Ipos += bl.w * np.outer(scale, scale) * K.take(x["i"], axis=0).take(x["i"], axis=1)
            if last:
                perm, iperm = x["perm"], x["iperm"]
                if iperm is not False:      # the positions are the parameters, maybe reordered
                    info += Ipos if iperm is None else Ipos.take(iperm, axis=0).take(iperm, axis=1)
                elif perm is not None:      # one position per parameter: a reordering, not two products
                    info[perm[:, None], perm[None, :]] += Ipos
                else:
                    info += x["Z"].T @ Ipos @ x["Z"]
                Ipos = None
        return info

    def observed_information(self, theta: np.ndarray, blocks: list[Block], c0: float = 0.0) -> np.ndarray:
        """Unit observed information (Hessian of -log L / N): central differences of the analytic
        gradient (forward differences lose about 1e-5 relative, visible in MLR's scaled statistics);
        with many missing-data patterns the closed form of :mod:`.fiml_hessian` (the same to 1e-10,
        10 times faster)."""
        if len(blocks) > 8 and self.n_obs <= 50:
            from .fiml_hessian import observed_information

            return observed_information(self, theta, blocks)
        return self.observed_information_numeric(theta, blocks, c0)

    def observed_information_numeric(self, theta: np.ndarray, blocks: list[Block], c0: float = 0.0) -> np.ndarray:
        """:meth:`observed_information` by central differences of the analytic gradient."""
        H = np.empty((self.n_free, self.n_free))
        for k in range(self.n_free):
            h = 1e-5 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            H[:, k] = (self.objective(tp, blocks, c0)[1] - self.objective(tm, blocks, c0)[1]) / (2 * h)
        return 0.25 * (H + H.T)

    def casewise_scores(self, theta: np.ndarray, blocks: list[Block]) -> list[np.ndarray]:
        """Per block, the rows' scores d log L_i / d theta (n_b x n_free). Without a mean structure
        the means are saturated (deviations from the block mean)."""
        out = []
        for g, x, scale, bl, Si, Vo, K, _ in self._block_products(theta, blocks):
            u, v, c = x["u"], x["v"], x["c"]
            mu = self.moments(theta, g)["mu"][bl.obs] if self.meanstructure else bl.X.mean(axis=0)
            Y = (bl.X - mu) @ Si @ Vo
            sc = c * (Y[:, u] * Y[:, v] - K[u, v])
            if self.meanstructure:
                sc = sc + scale * Y[:, x["i"]]
            out.append(sc @ x["Z"])
        return out


def spd_inverse(S: np.ndarray) -> tuple[np.ndarray, float] | None:
    """(S^-1, log det S) of a symmetric positive definite matrix through its Cholesky factor, or
    None if S is not positive definite (a determinant can be positive with two negative
    eigenvalues). NumPy only: calling SciPy's LAPACK in the same loop makes the two bundled
    OpenBLAS thread pools contend (measured: the whole fit 50% slower on 2 cores).

    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> Si, ld = spd_inverse(S)
    >>> bool(np.allclose(Si, np.linalg.inv(S))), round(ld, 12) == round(float(np.log(1.75)), 12)
    (True, True)
    >>> spd_inverse(np.array([[1.0, 2.0], [2.0, 1.0]])) is None
    True
    """
    try:
        L = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * float(np.log(L.diagonal()).sum())
    if not math.isfinite(logdet):
        return None
    Li = np.linalg.inv(L)
    return Li.T @ Li, logdet


def eigenvalues_above(P: np.ndarray, t: float) -> bool:
    """Whether every eigenvalue of the symmetric P exceeds t: P - tI is positive definite, one
    Cholesky factorization (a fifth of ``eigvalsh``'s time on small matrices).

    >>> P = np.array([[1.0, 0.9], [0.9, 1.0]])        # eigenvalues 0.1 and 1.9
    >>> eigenvalues_above(P, 0.05), eigenvalues_above(P, 0.2)
    (True, False)
    """
    try:
        np.linalg.cholesky(P - t * np.eye(len(P)))
        return True
    except np.linalg.LinAlgError:
        return False


def _inverse(S: np.ndarray) -> np.ndarray:
    out = spd_inverse(S)
    return out[0] if out is not None else np.linalg.inv(S)


def _nilpotency(P: np.ndarray) -> int | None:
    """The smallest d with A^d = 0 for every A of the boolean pattern P, or None if the paths have
    a cycle (a nonrecursive model)."""
    Q = P.astype(float)
    Pk = np.eye(len(P))
    for d in range(1, len(P) + 2):
        if not Pk.any():
            return max(d - 1, 1)
        Pk = (Pk @ Q > 0).astype(float)
    return None


def _path_structure(fixed: np.ndarray, i: np.ndarray, j: np.ndarray, n_obs: int) -> tuple[int | None, int | None]:
    """How to invert I - A for this pattern (nonzero fixed entries and free positions i, j):
    ``(n_obs, depth of B)`` when no variable depends on an observed one (A = [[0, L], [0, B]], the
    usual measurement and structural model), else ``(None, depth of A)``; a depth is None when
    the paths have a cycle."""
    P = fixed.copy()
    P[i, j] = True
    if 0 < n_obs < len(P) and not P[:, :n_obs].any():
        return n_obs, _nilpotency(P[n_obs:, n_obs:])
    return None, _nilpotency(P)


def _neumann(A: np.ndarray, depth: int | None) -> np.ndarray:
    eye = np.eye(A.shape[-1])
    if depth is None:
        return np.linalg.inv(eye - A)
    M = eye + A if depth > 1 else np.broadcast_to(eye, A.shape).copy()
    for _ in range(depth - 2):
        M = A @ M
        M += eye
    return M


def inv_i_minus_a(A: np.ndarray, paths: tuple[int | None, int | None]) -> np.ndarray:
    """(I - A)^-1 for one A (n x n) or a stack (T, n, n), ``paths`` from :func:`_path_structure`.

    With a recursive model A is nilpotent (A^d = 0) and the inverse is the finite sum
    I + A + ... + A^(d-1) (Horner's rule: a few products instead of an LU inverse). When nothing
    depends on an observed variable, A = [[0, L], [0, B]] and (I - A)^-1 = [[I, L N], [0, N]] with
    N = (I - B)^-1 of the latent variables only.

    >>> A = np.zeros((4, 4)); A[0, 2] = 0.7; A[1, 3] = 0.6; A[3, 2] = 0.5     # two indicators, two factors
    >>> bool(np.allclose(inv_i_minus_a(A, _path_structure(A != 0, [], [], 2)), np.linalg.inv(np.eye(4) - A)))
    True
    >>> bool(np.allclose(inv_i_minus_a(A, (None, 3)), np.linalg.inv(np.eye(4) - A)))
    True
    """
    split, depth = paths
    if split is None:
        return _neumann(A, depth)
    p = split
    N = _neumann(A[..., p:, p:], depth)
    M = np.zeros(A.shape)
    idx = np.arange(p)
    M[..., idx, idx] = 1.0
    M[..., :p, p:] = A[..., :p, p:] @ N
    M[..., p:, p:] = N
    return M


# ---- starting values ------------------------------------------------------------------------------
def start_values(pt: ParTable, model: Model, blocks: list[Block]) -> np.ndarray:
    """Simple starting values in the spirit of lavaan's: latent variances from indicator triads,
    loadings from the marker's covariances, regressions 0, residual variances half the observed
    variance, latent covariances from the markers' covariances, intercepts the observed means."""
    theta = np.zeros(pt.n_free)
    set_ = np.zeros(pt.n_free, dtype=bool)
    obs = {v: i for i, v in enumerate(pt.observed)}
    p = len(obs)
    covs, means = [], []
    for g in range(pt.n_groups):   # pooled over the group's blocks (pairwise-available moments)
        S, cnt, mu, mcnt = np.zeros((p, p)), np.zeros((p, p)), np.zeros(p), np.zeros(p)
        for b in blocks:
            if b.group == g:
                S[np.ix_(b.obs, b.obs)] += b.n * b.S
                cnt[np.ix_(b.obs, b.obs)] += b.n
                mu[b.obs] += b.n * b.mean
                mcnt[b.obs] += b.n
        with np.errstate(invalid="ignore", divide="ignore"):
            covs.append(np.nan_to_num(S / cnt))
            means.append(np.nan_to_num(mu / mcnt))
    marker: dict[str, str] = {}
    inds: dict[str, list[str]] = {}
    home: dict[str, int] = {}     # the first block a latent variable appears in (levels: not block 1)
    for r in pt.rows:
        if r.op == "=~" and home.setdefault(r.lhs, r.group) == r.group:
            marker.setdefault(r.lhs, r.rhs)
            inds.setdefault(r.lhs, []).append(r.rhs)
    # latent variances from the triads of the marker m with two other indicators j, k:
    # var(eta) = c_mj c_mk / c_jk under the factor model (median over pairs; half var(m) otherwise)
    lv_var = []
    for C in covs:
        est = {}
        for f, m in marker.items():
            vals = []
            others = [v for v in inds[f] if v in obs and v != m]
            if m in obs:
                for a in range(len(others)):
                    for b2 in range(a + 1, len(others)):
                        j, k = obs[others[a]], obs[others[b2]]
                        if abs(C[j, k]) > 1e-12:
                            vals.append(C[obs[m], j] * C[obs[m], k] / C[j, k])
                good = [v for v in vals if 0 < v < C[obs[m], obs[m]]]
                est[f] = float(statistics.median(good)) if good else 0.5 * C[obs[m], obs[m]]   # np.median: 10x slower
            else:
                est[f] = 0.05
        lv_var.append(est)
    for r in pt.rows:
        if not r.free or set_[r.free - 1]:
            continue
        k = r.free - 1
        g = r.group - 1
        C, mu, V = covs[g], means[g], lv_var[g]
        if r.start is not None:
            theta[k] = r.start
        elif r.op == "=~":
            m = marker[r.lhs]
            if m in obs and r.rhs in obs and m != r.rhs:
                c = C[obs[r.rhs], obs[m]] / max(V[r.lhs], 1e-12 * C[obs[m], obs[m]])
                # kept when the implied standardized loading is plausible (scale-free: an indicator in
                # hundreds loads ~20 on a factor marked by one in tens)
                ok = np.isfinite(c) and c * c * V[r.lhs] < 1.5 * C[obs[r.rhs], obs[r.rhs]]
                theta[k] = c if ok else np.sign(c if np.isfinite(c) else 1.0) * np.sqrt(
                    0.5 * C[obs[r.rhs], obs[r.rhs]] / max(V[r.lhs], 1e-300))
            else:
                theta[k] = 1.0 if m != r.rhs else (np.sqrt(V[r.lhs]) if m in obs else 1.0)
        elif r.op == "~~" and r.lhs == r.rhs:
            if r.lhs in obs:
                theta[k] = 0.5 * C[obs[r.lhs], obs[r.lhs]]
            else:
                theta[k] = V.get(r.lhs, 0.05)
        elif r.op == "~~" and r.lhs in V and r.rhs in V and marker[r.lhs] in obs and marker[r.rhs] in obs:
            # covariance of two latent variables from their markers' covariance (kept inside +-0.9 r)
            c = C[obs[marker[r.lhs]], obs[marker[r.rhs]]]
            bound = 0.9 * np.sqrt(V[r.lhs] * V[r.rhs])
            theta[k] = float(min(max(c, -bound), bound))
        elif r.op == "~1" and r.lhs in obs:
            theta[k] = mu[obs[r.lhs]]
        set_[k] = True
    _shrink_latent_covariances(pt, theta, marker)
    return theta


def _shrink_latent_covariances(pt: ParTable, theta: np.ndarray, marker: dict) -> None:
    """Latent covariances clipped one pair at a time can still make a non-positive-definite
    matrix (many factors, small groups): shrink them towards 0 until it is positive definite."""
    for g in range(1, pt.n_groups + 1):
        var: dict[str, int] = {}
        cov: list[tuple[str, str, int]] = []
        for r in pt.rows:
            if r.group != g or r.op != "~~" or not r.free or r.lhs not in marker or r.rhs not in marker:
                continue
            if r.lhs == r.rhs:
                var[r.lhs] = r.free - 1
            elif r.start is None:
                cov.append((r.lhs, r.rhs, r.free - 1))
        names = list(var)
        if len(names) < 2 or not cov:
            continue
        idx = {n: i for i, n in enumerate(names)}
        for _ in range(20):
            P = np.diag([theta[var[n]] for n in names])
            for a, b, k in cov:
                if a in idx and b in idx:
                    P[idx[a], idx[b]] = P[idx[b], idx[a]] = theta[k]
            if eigenvalues_above(P, 1e-8 * max(np.abs(np.diag(P)).max(), 1e-300)):
                break
            for _, _, k in cov:
                theta[k] *= 0.7


# ---- estimation -----------------------------------------------------------------------------------
def fit_ml(model: Model, blocks: list[Block], theta0: np.ndarray, c0: float = 0.0, tol: float = 1e-8,
           max_iter: int = 500, warm: bool = False) -> tuple[np.ndarray, float, bool, str]:
    """Minimise F: Fisher scoring (expected Hessian 2 I(theta)) with step halving while the gradient
    is large, then BFGS updates of the last Fisher matrix (superlinear near the optimum); L-BFGS when
    scoring stalls far from the optimum (not for ``warm`` starts near it). Every criterion is
    scale-free: parameters are scaled by ``s = 1/sqrt(diag H)`` at the start (as lavaan scales
    nlminb's parameters), the gradient is judged as ``s * g`` and convergence by the Newton
    decrement ``g' H^-1 g`` as well, so variables measured in hundreds converge as those in units
    do. Returns (theta, F, converged, message)."""
    f = lambda th: model.objective(th, blocks, c0)  # noqa: E731
    F, g = f(theta0)
    if not np.isfinite(F):
        raise EstimationError("estimation failed: the model-implied covariance matrix is not positive definite "
                              "at the starting values; check the model or give start values")
    theta = theta0
    lbfgs_done = warm
    it = 0
    H, updated = None, False
    scale = None

    def small(gv, factor=1.0):
        return np.abs(gv * scale).max() < tol * factor

    while it < max_iter:
        it += 1
        if H is None or (scale is not None and not small(g, 1e6)):
            H, updated = 2 * model.expected_information(theta, blocks), False
            if scale is None:
                d = np.diag(H)
                scale = 1.0 / np.sqrt(np.where(d > 0, d, 1.0))
        assert H is not None and scale is not None
        try:
            step = scale * np.linalg.solve(H * np.outer(scale, scale), g * scale)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        decrement = float(g @ step)
        alpha, improved = 1.0, False
        for _ in range(30 if not updated else 12):
            cand = theta - alpha * step
            Fc, gc = f(cand)
            # near the optimum F is flat to its rounding error: a step that lowers the gradient counts
            if np.isfinite(Fc) and (Fc <= F + 1e-15 or (Fc <= F + 1e-13 * (1 + abs(F))
                                                          and np.abs(gc * scale).max() < np.abs(g * scale).max())):
                improved = True
                break
            alpha /= 2
        if not improved and updated:
            H = None           # the BFGS-updated matrix failed: back to the Fisher matrix
            continue
        if not improved and (small(g, 100) or 0 <= decrement < 1e-15):
            # at the optimum to the precision of F (a step of 1e-9 changes F by less than 1e-16)
            return theta, float(F), True, f"Fisher scoring converged in {it} iterations"
        if not improved or (alpha < 0.25 and not lbfgs_done):
            if lbfgs_done:
                break
            # far from the optimum (or a poor start): gradient-only iterations on the scaled parameters
            from scipy import optimize  # here only: the import costs a one-shot command 0.2 s

            fs = lambda phi: (lambda r: (r[0], r[1] * scale))(f(phi * scale))  # noqa: E731
            res = optimize.minimize(fs, theta / scale, jac=True, method="L-BFGS-B", options={"maxiter": 500})
            lbfgs_done = True
            if np.isfinite(res.fun) and res.fun < F:
                theta = res.x * scale
                F, g = f(theta)
            H = None
            continue
        dF = F - Fc
        # near the optimum Fisher scoring converges only linearly (the expected Hessian differs from
        # the observed one when the model misfits): BFGS updates of the last Fisher matrix from there
        sv, yv = cand - theta, gc - g
        sy = sv @ yv
        if sy > 1e-300:
            Hs = H @ sv
            H = H + np.outer(yv, yv) / sy - np.outer(Hs, Hs) / (sv @ Hs)
            updated = True
        theta, F, g = cand, Fc, gc
        if small(g) or (dF < 1e-15 and (small(g, 100) or abs(decrement) < 1e-14)):
            return theta, float(F), True, f"Fisher scoring converged in {it} iterations"
    ok = bool(small(g, 100))
    return theta, float(F), ok, (f"Fisher scoring stopped after {it} iterations, largest scaled gradient "
                                 f"{np.abs(g * scale).max():.2g}")
