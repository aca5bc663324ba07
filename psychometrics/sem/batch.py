"""ML fits of many complete-data samples at once (bootstrap draws), vectorised over the samples.

The same discrepancy, gradient and expected information as :mod:`.model`, computed on stacks of
matrices (one per sample) so that the per-call overhead of small matrix operations is shared by
the whole batch; Fisher scoring with per-sample step halving from a common (warm) start.
"""

from __future__ import annotations

import numpy as np

from .model import Model, inv_i_minus_a


class BatchML:
    """``S`` (B, G, p, p) sample covariances (divisor n), ``xbar`` (B, G, p), ``w`` (G,) group weights
    (or (B, G): each draw its own, as when whole clusters are resampled)."""

    def __init__(self, model: Model, S: np.ndarray, xbar: np.ndarray, w: np.ndarray):
        self.m, self.S, self.xbar = model, S, xbar
        self.w = w = np.broadcast_to(np.asarray(w, float), S.shape[:2])
        _, self.logdetS = np.linalg.slogdet(S)                  # (B, G)
        self.c0 = (w * (self.logdetS + S.shape[-1])).sum(axis=1)

    def _mats(self, th: np.ndarray, g: int):
        m = self.m
        A, S, mv = m.matrices(th, g)
        M = inv_i_minus_a(A, m.groups[g]["paths"])
        G = M[:, : m.n_obs]
        GS = G @ S
        return {"S": S, "M": M, "G": G, "Sigma": GS @ G.transpose(0, 2, 1), "H": M @ GS.transpose(0, 2, 1),
                "Mm": np.einsum("bij,bj->bi", M, mv)}

    def evaluate(self, th: np.ndarray, idx: np.ndarray, info: bool):
        """F (B,), gradient (B, k) and, if asked, the expected information (B, k, k) for samples idx."""
        m = self.m
        B, k = len(th), m.n_free
        F = -self.c0[idx].copy()
        grad = np.zeros((B, k))
        I = np.zeros((B, k, k)) if info else None
        ok = np.ones(B, dtype=bool)
        for g in range(m.n_groups):
            x = m.groups[g]
            mo = self._mats(th, g)
            Sig = mo["Sigma"]
            try:
                L = np.linalg.cholesky(Sig)
            except np.linalg.LinAlgError:
                L = np.zeros_like(Sig)
                for b in range(B):
                    try:
                        L[b] = np.linalg.cholesky(Sig[b])
                    except np.linalg.LinAlgError:
                        ok[b] = False
                        L[b] = np.eye(len(Sig[b]))
            Si = np.linalg.inv(L)
            Si = Si.transpose(0, 2, 1) @ Si
            logdet = 2 * np.log(np.abs(np.einsum("bii->bi", L))).sum(axis=1)
            Sobs = self.S[idx, g]
            SS = Si @ Sobs
            wg = self.w[idx, g]
            if m.meanstructure:
                r = self.xbar[idx, g] - mo["Mm"][:, : m.n_obs]
                Sir = np.einsum("bij,bj->bi", Si, r)
                quad = np.einsum("bi,bi->b", r, Sir)
            else:
                Sir, quad = np.zeros((B, m.n_obs)), 0.0
            F += wg * (logdet + np.einsum("bii->b", SS) + quad)
            W = wg[:, None, None] * (Si - SS @ Si - Sir[:, :, None] * Sir[:, None, :])
            G, S, M = mo["G"], mo["S"], mo["M"]
            GWG = G.transpose(0, 2, 1) @ W @ G
            dA = 2 * GWG @ S @ M.transpose(0, 2, 1)
            vals = np.zeros((B, len(x["k"])))
            a, s, mm = x["A"], x["S"], x["m"]
            if m.meanstructure:
                Gb = np.einsum("bpi,bp->bi", G, -2 * wg[:, None] * Sir)
                dA += Gb[:, :, None] * mo["Mm"][:, None, :]
                vals[:, mm] = Gb[:, x["i"][mm]]
            vals[:, a] = dA[:, x["i"][a], x["j"][a]]
            vals[:, s] = np.where(x["i"][s] == x["j"][s], 1.0, 2.0) * GWG[:, x["i"][s], x["j"][s]]
            if x["perm"] is not None:
                grad[:, x["perm"]] += vals
            else:
                grad += vals @ x["Z"]
            if info:
                V = np.concatenate([G, mo["H"].transpose(0, 2, 1)], axis=2)         # (B, p, 2n)
                K = V.transpose(0, 2, 1) @ Si @ V
                u, v, c = x["u"], x["v"], x["c"]
                q = len(u)
                uv = np.concatenate([u, v])
                Kall = K[:, uv[:, None], uv[None, :]]                 # one gather: [[Kuu, Kuv], [Kvu, Kvv]]
                Kvu = Kall[:, q:, :q]
                Ipos = np.outer(c, c)[None] * (Kvu * Kvu.transpose(0, 2, 1) + Kall[:, q:, q:] * Kall[:, :q, :q])
                if m.meanstructure:
                    sc = np.where(x["A"][None], mo["Mm"][:, x["j"]], np.where(x["m"], 1.0, 0.0)[None])
                    Ipos += sc[:, :, None] * sc[:, None, :] * K[:, x["i"]][:, :, x["i"]]
                if x["perm"] is not None:     # one position per parameter: reorder instead of two products
                    assert I is not None
                    I[:, x["perm"][:, None], x["perm"][None, :]] += wg[:, None, None] * Ipos
                else:
                    I += wg[:, None, None] * (x["Z"].T[None] @ Ipos @ x["Z"][None])
        F = np.where(ok, F, np.inf)
        return F, grad, I


def fit_batch(model: Model, S: np.ndarray, xbar: np.ndarray, w: np.ndarray, theta0: np.ndarray,
              tol: float = 1e-7, max_iter: int = 100, info0: np.ndarray | None = None,
              bfgs_iter: int = 40) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit every sample from theta0. Returns (thetas (B, k), F (B,), converged (B,)).

    With ``info0`` (the unit expected information at theta0, e.g. of the full sample, whose
    estimates theta0 are) the samples are fitted by BFGS started from that matrix: a bootstrap
    draw's Hessian differs from it by sampling error, so a few rank-two updates per draw make the
    steps Newton-like, and an iteration costs one gradient instead of a batched information and a
    batched solve. Draws not converged after ``bfgs_iter`` iterations, and every draw without
    ``info0``, are fitted by Fisher scoring with their own information."""
    B = S.shape[0]
    if info0 is not None and B:
        th, F, conv = _fit_bfgs(BatchML(model, S, xbar, w), np.repeat(theta0[None], B, axis=0), info0, tol,
                                bfgs_iter)
        rest = np.flatnonzero(~conv & np.isfinite(F))
        for b in rest:     # (rare) the Fisher-scoring fallback, from where BFGS stopped
            th_b, F_b, ok_b = fit_batch(model, S[b:b + 1], xbar[b:b + 1], w[b:b + 1] if np.ndim(w) == 2 else w, th[b],
                                        tol, max_iter)
            th[b], F[b], conv[b] = th_b[0], F_b[0], ok_b[0]
        return th, F, conv
    bm = BatchML(model, S, xbar, w)
    th = np.repeat(theta0[None], B, axis=0)
    idx_all = np.arange(B)
    F, g, I = bm.evaluate(th, idx_all, True)
    done = np.zeros(B, dtype=bool)
    conv = np.zeros(B, dtype=bool)
    done |= ~np.isfinite(F)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if not len(act):
            break
        try:
            step = np.linalg.solve(2 * I[act], g[act][:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(2 * I[b], g[b], rcond=None)[0] for b in act])
        alpha = np.ones(len(act))
        pending = np.arange(len(act))
        newF, newg, newI = F[act].copy(), g[act].copy(), I[act].copy()
        newth = th[act].copy()
        accepted = np.zeros(len(act), dtype=bool)
        # the information is refreshed while far from the optimum; near it the last one serves
        fresh = np.abs(g[act]).max() > 1e-3
        for _ in range(12):
            cand = th[act][pending] - alpha[pending, None] * step[pending]
            Fc, gc, Ic = bm.evaluate(cand, act[pending], fresh)
            if Ic is None:
                Ic = I[act][pending]
            F0, g0 = F[act][pending], g[act][pending]
            good = np.isfinite(Fc) & ((Fc <= F0 + 1e-15) | ((Fc <= F0 + 1e-13 * (1 + np.abs(F0)))
                                                            & (np.abs(gc).max(axis=1) < np.abs(g0).max(axis=1))))
            sel = pending[good]
            newth[sel], newF[sel], newg[sel], newI[sel] = cand[good], Fc[good], gc[good], Ic[good]
            accepted[sel] = True
            pending = pending[~good]
            if not len(pending):
                break
            alpha[pending] /= 2
        g_before = np.abs(g[act]).max(axis=1)
        th[act], F[act], g[act], I[act] = newth, newF, newg, newI
        fin = (np.abs(newg).max(axis=1) < tol) | (~accepted & (g_before < 1e-6))
        conv[act[fin]] = True
        done[act[fin | (~accepted & ~fin)]] = True
    return th, F * 1.0, conv


def _fit_bfgs(bm: BatchML, th: np.ndarray, info0: np.ndarray, tol: float, max_iter: int):
    """Batched BFGS on the inverse Hessian, every draw starting from (2 info0)^-1, with per-draw
    step halving; (thetas, F, converged)."""
    B, k = th.shape
    try:
        H0 = np.linalg.inv(2 * info0)
    except np.linalg.LinAlgError:
        return th, np.full(B, np.inf), np.zeros(B, dtype=bool)
    Hinv = np.repeat(H0[None], B, axis=0)
    idx_all = np.arange(B)
    F, g, _ = bm.evaluate(th, idx_all, False)
    conv = np.zeros(B, dtype=bool)
    done = ~np.isfinite(F)
    for _ in range(max_iter):
        act = np.flatnonzero(~done)
        if not len(act):
            break
        Ha = Hinv[act]
        step = np.matmul(Ha, g[act][:, :, None])[:, :, 0]
        alpha = np.ones(len(act))
        pending = np.arange(len(act))
        newth, newF, newg = th[act].copy(), F[act].copy(), g[act].copy()
        accepted = np.zeros(len(act), dtype=bool)
        for _ in range(12):
            cand = th[act][pending] - alpha[pending, None] * step[pending]
            Fc, gc, _ = bm.evaluate(cand, act[pending], False)
            F0, g0 = F[act][pending], g[act][pending]
            good = np.isfinite(Fc) & ((Fc <= F0 + 1e-15) | ((Fc <= F0 + 1e-13 * (1 + np.abs(F0)))
                                                            & (np.abs(gc).max(axis=1) < np.abs(g0).max(axis=1))))
            sel = pending[good]
            newth[sel], newF[sel], newg[sel] = cand[good], Fc[good], gc[good]
            accepted[sel] = True
            pending = pending[~good]
            if not len(pending):
                break
            alpha[pending] /= 2
        sv, yv = newth - th[act], newg - g[act]
        sy = np.einsum("bi,bi->b", sv, yv)
        upd = accepted & (sy > 1e-12 * np.linalg.norm(sv, axis=1) * np.linalg.norm(yv, axis=1))
        if upd.any():
            # H+ = H - rho (s Hy' + Hy s') + (rho^2 y'Hy + rho) s s' = H + s (c s - rho Hy)' - rho Hy s'
            s_, y_, rho = sv[upd], yv[upd], 1.0 / sy[upd]
            Hu = Ha[upd]
            Hy = np.matmul(Hu, y_[:, :, None])[:, :, 0]
            c = rho * rho * np.einsum("bi,bi->b", y_, Hy) + rho
            Hu += s_[:, :, None] * (c[:, None] * s_ - rho[:, None] * Hy)[:, None, :]
            Hu -= (rho[:, None] * Hy)[:, :, None] * s_[:, None, :]
            Hinv[act[upd]] = Hu
        g_before = np.abs(g[act]).max(axis=1)
        th[act], F[act], g[act] = newth, newF, newg
        fin = (np.abs(newg).max(axis=1) < tol) | (~accepted & (g_before < 1e-6))
        conv[act[fin]] = True
        done[act[fin | ~accepted]] = True
    return th, F, conv
