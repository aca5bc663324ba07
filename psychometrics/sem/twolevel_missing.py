r"""The two-level normal likelihood with missing answers (FIML), one group at a time.

Cluster j stacks its members' observed answers y_j^o; with D_j = blockdiag(Sigma_W[o_i, o_i]) and
P_j the rows of the observed entries, Cov(y_j^o) = V_j = D_j + P_j Sigma_B P_j'. With A_j =
P_j' D_j^{-1} P_j = sum_i W_i (W_i the inverse of Sigma_W[o_i, o_i] padded with zeros), c_j =
P_j' D_j^{-1} e_j and K_j = Sigma_B (I + A_j Sigma_B)^{-1} (no inverse of Sigma_B, which is
singular when some variables have no between part):

.. math::

    -2 \log L_j = n^o_j \log 2\pi + \sum_i \log|\Sigma_{W,o_i}| + \log|I + A_j \Sigma_B|
                  + \sum_i e_i' W_i e_i - c_j' K_j c_j

(the matrix determinant lemma and Woodbury's identity). The derivatives follow from dF = tr(G
dV), G = V^{-1} - V^{-1} e e' V^{-1}, with u_i = W_i (e_i - K_j c_j) the member's part of
V^{-1} e and v_j = sum_i u_i:

- dF/dSigma_W = sum_j [A_j - sum_i W_i K_j W_i] - sum_i u_i u_i',
- dF/dSigma_B = sum_j [A_j - A_j K_j A_j - v_j v_j'],
- dF/dmu = -2 sum_j v_j.

Cluster-level (between-only) variables z_j, observed once per cluster (entries o of them, o may
be empty): L_j = p(z_j^o) p(y_j^o | z_j^o). Given z_j^o the members' answers follow the model above
with the cluster's mean mu_y + B d_j and between covariance Sigma* = Sigma_yy - B Sigma_oy, where
B = Sigma_yo Sigma_oo^{-1} and d_j = z_j^o - mu_o (the between blocks of Sigma_B). With the
derivatives G* and g_j = -2 v_j of the y part with respect to Sigma* and the cluster's mean, and
H = sum_j d_j g_j', the chain rule gives dF/dSigma_yy = G*, dF/dSigma_oy = -B'G* + Sigma_oo^{-1}H/2
(each off-diagonal block once), dF/dSigma_oo = B'G*B - sym(Sigma_oo^{-1} H B) plus the normal
part n Sigma_oo^{-1} - Sigma_oo^{-1} (sum_j d_j d_j') Sigma_oo^{-1}, dF/dmu_y = sum_j g_j and
dF/dmu_o = -B' sum_j g_j - 2 Sigma_oo^{-1} sum_j d_j.

References
----------
Rosseel, Y. (2021). Evaluating the observed log-likelihood function in two-level structural
equation modeling with missing data: From formulas to R code. *Psych*, 3(2), 197-232.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .twolevel_stats import _h1_loglik, check_levels


@dataclass
class MissingClusterStats:
    """One group's rows with missing answers, by pattern and cluster (indices into the table's
    observed variables); the attributes the fit shares with the complete-data statistics."""

    N: int
    J: int
    y: np.ndarray
    z: np.ndarray
    E0: np.ndarray            # (N, p_y) answers, 0 where missing
    mask: np.ndarray          # (N, p_y) observed
    pattern: np.ndarray       # (N,) pattern of each row
    patterns: np.ndarray      # (K, p_y) observed masks
    codes: np.ndarray         # (N,) cluster of each row
    counts: np.ndarray        # (J, K) rows of each pattern in each cluster
    cluster_size: np.ndarray
    S_PW: np.ndarray          # pairwise pooled within covariance (start values)
    S_B0: np.ndarray          # moment estimate of the between covariance (start values, p x p)
    mean: np.ndarray          # available-case means (p)
    Z: np.ndarray             # (J, p_z) cluster-level values, NaN where missing
    zpattern: np.ndarray      # (J,) pattern of each cluster's z
    zpatterns: np.ndarray     # (Kz, p_z) observed masks
    loglik_x: float = 0.0
    missing: bool = True

    @property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The (cluster, pattern) pairs with rows (cached)."""
        if not hasattr(self, "_pairs"):
            j, k = np.nonzero(self.counts)
            self._pairs = (j, k)
        return self._pairs

    @property
    def P(self) -> int:
        return int(self.mask.sum()) + int((~np.isnan(self.Z)).sum())


def _rows_loglik(X: np.ndarray) -> float:
    """Saturated normal log-likelihood of complete rows (lavaan's loglik.x part)."""
    if X.shape[1] == 0 or len(X) == 0:
        return 0.0
    return _h1_loglik(len(X), np.atleast_2d(np.cov(X, rowvar=False, ddof=0)))


def missing_cluster_stats(X: np.ndarray, codes: np.ndarray, names: list[str], level_observed: list[list[str]],
                          where: str = "", level_exo: list[list[str]] | None = None) -> MissingClusterStats:
    """Rows (with NaN for missing answers) and cluster codes of one group, for FIML; with the
    fixed.x covariates ``level_exo`` (complete) their saturated log-likelihood (lavaan's
    loglik.x: within-only ones over the rows, cluster-level ones over the clusters)."""
    lv1, lv2 = set(level_observed[0]), set(level_observed[1])
    y = np.array([k for k, v in enumerate(names) if v in lv1], dtype=int)
    z = np.array([k for k, v in enumerate(names) if v in lv2 and v not in lv1], dtype=int)
    codes = np.unique(codes, return_inverse=True)[1].ravel()
    J = int(codes.max()) + 1
    p = len(names)
    # cluster-level values: the mean of the cluster's answers (one value per cluster)
    with np.errstate(invalid="ignore", divide="ignore"):
        Zs, Zn = np.zeros((J, len(z))), np.zeros((J, len(z)))
        Xz = X[:, z]
        np.add.at(Zs, codes, np.where(np.isnan(Xz), 0.0, Xz))
        np.add.at(Zn, codes, (~np.isnan(Xz)).astype(float))
        Z = np.where(Zn > 0, Zs / Zn, np.nan)
    check_levels(X, codes, names, y, z, J, len(level_observed[1]), where)
    zpatterns, zpattern = np.unique(~np.isnan(Z), axis=0, return_inverse=True)
    Y = X[:, y]
    mask = ~np.isnan(Y)
    keep = mask.any(axis=1)
    Y, mask, codes = Y[keep], mask[keep], codes[keep]
    N = len(Y)
    patterns, pattern = np.unique(mask, axis=0, return_inverse=True)
    counts = np.zeros((J, len(patterns)))
    np.add.at(counts, (codes, pattern.ravel()), 1.0)
    size = np.bincount(codes, minlength=J)
    with np.errstate(invalid="ignore", divide="ignore"):
        sums, cnt = np.zeros((J, len(y))), np.zeros((J, len(y)))
        np.add.at(sums, codes, np.where(mask, Y, 0.0))
        np.add.at(cnt, codes, mask.astype(float))
        cmean = sums / cnt
        dev = np.where(mask, Y - cmean[codes], np.nan)
        ok = ~np.isnan(dev)
        d0 = np.where(ok, dev, 0.0)
        pair = ok.T.astype(float) @ ok.astype(float)
        S_PW = (d0.T @ d0) / np.maximum(pair - J, 1.0)
        mean_all = np.nanmean(Y, axis=0)
        cm = np.where(np.isnan(cmean), mean_all, cmean) - mean_all
        s = (N - (size ** 2).sum() / N) / max(J - 1, 1)
        S_b = (cm * size[:, None]).T @ cm / max(J - 1, 1)
    S_B0 = np.zeros((p, p))
    S_B0[np.ix_(y, y)] = (S_b - S_PW) / s
    mean = np.zeros(p)
    mean[y] = mean_all
    if len(z):       # start values: available-cluster moments of z and their covariances with the cluster means
        zm = np.nanmean(Z, axis=0)
        zc = np.where(np.isnan(Z), 0.0, Z - zm)
        mean[z] = zm
        S_B0[np.ix_(z, z)] = zc.T @ zc / max(J - 1, 1)
        S_B0[np.ix_(z, y)] = zc.T @ cm / max(J - 1, 1)
        S_B0[np.ix_(y, z)] = S_B0[np.ix_(z, y)].T
    loglik_x = 0.0
    if level_exo:
        idx = {v: k for k, v in enumerate(names)}
        wx = [idx[v] for v in level_exo[0] if v not in lv2]
        bx = [k for k, v in enumerate(names[i] for i in z) if v in level_exo[1]]
        loglik_x = _rows_loglik(X[:, wx][~np.isnan(X[:, wx]).any(axis=1)]) + _rows_loglik(Z[:, bx])
    return MissingClusterStats(N, J, y, z, np.where(mask, Y, 0.0), mask, pattern.ravel(), patterns, codes, counts,
                               size, S_PW, S_B0, mean, Z, zpattern.ravel(), zpatterns, loglik_x)


def _y_part(st: MissingClusterStats, sw: np.ndarray, sbj: np.ndarray, mu: np.ndarray, shift: np.ndarray, grad: bool):
    """The members' answers given each cluster's between covariance ``sbj`` (J, p_y, p_y) and mean
    ``mu + shift[j]``: -2 log L without the constant and, with ``grad``, dF/dSigma_W, dF/dSigma_B
    per cluster (J, p, p) and v (J, p) (dF/dmean_j = -2 v_j); None when not positive definite."""
    py = len(st.y)
    pats = st.patterns
    M2 = pats[:, :, None] & pats[:, None, :]
    padded = np.where(M2, sw[None], 0.0)
    ii = np.arange(py)
    padded[:, ii, ii] += np.where(pats, 0.0, 1.0)
    try:
        L = np.linalg.cholesky(padded)
    except np.linalg.LinAlgError:
        return None
    Li = np.linalg.inv(L)
    Wk = np.where(M2, np.swapaxes(Li, 1, 2) @ Li, 0.0)             # (K, p, p)
    ldk = 2 * np.log(np.einsum("kii->ki", L)).sum(axis=1)
    e = np.where(st.mask, st.E0 - mu - shift[st.codes], 0.0)
    We = (Wk[st.pattern] @ e[:, :, None])[:, :, 0]
    q = float(np.einsum("ni,ni->", e, We))
    A = (st.counts @ Wk.reshape(len(Wk), -1)).reshape(st.J, py, py)   # (J, p, p): sum of the members' W_i
    c = np.zeros((st.J, py))
    np.add.at(c, st.codes, We)
    # V_j is positive definite iff I + R' Sigma_B R is, with A_j = R R' (Sigma_B may be indefinite in a
    # model; det(I + A_j Sigma_B) alone would pass two negative eigenvalues)
    lam, U = np.linalg.eigh(A)
    R = U * np.sqrt(np.clip(lam, 0, None))[:, None, :]
    try:
        Lm = np.linalg.cholesky(np.eye(py)[None] + np.swapaxes(R, 1, 2) @ sbj @ R)
    except np.linalg.LinAlgError:
        return None
    ldm = 2 * np.log(np.einsum("jii->ji", Lm)).sum(axis=1)
    Mj = np.eye(py)[None] + A @ sbj
    try:
        Kj = sbj @ np.linalg.inv(Mj)                                # Sigma_B (I + A Sigma_B)^-1
    except np.linalg.LinAlgError:
        return None
    Kj = (Kj + np.swapaxes(Kj, 1, 2)) / 2
    Kc = (Kj @ c[:, :, None])[:, :, 0]
    F = float((st.counts * ldk[None]).sum())
    F += float(ldm.sum()) + q - float(np.einsum("ja,ja->", c, Kc))
    if not math.isfinite(F):
        return None
    if not grad:
        return F
    u = We - (Wk[st.pattern] @ Kc[st.codes][:, :, None])[:, :, 0]
    v = c - (A @ Kc[:, :, None])[:, :, 0]
    pj, pk = st.pairs                                                 # (cluster, pattern) pairs present
    WKW = Wk[pk] @ Kj[pj] @ Wk[pk]
    dsw = A.sum(axis=0) - np.tensordot(st.counts[pj, pk], WKW, axes=1) - u.T @ u
    dsb = A - A @ Kj @ A - v[:, :, None] * v[:, None, :]
    return F, (dsw + dsw.T) / 2, (dsb + np.swapaxes(dsb, 1, 2)) / 2, v


def minus2loglik_missing(st: MissingClusterStats, Sw: np.ndarray, mw: np.ndarray, Sb: np.ndarray, mb: np.ndarray,
                         grad: bool = True):
    """-2 log L without the constant, and its derivatives (as
    :func:`psychometrics.sem.twolevel.minus2loglik`); None when not positive definite."""
    y, z = st.y, st.z
    py, J = len(y), st.J
    sw, syy = Sw[np.ix_(y, y)], Sb[np.ix_(y, y)]
    mu = mw[y] + mb[y]
    sbj = np.broadcast_to(syy, (J, py, py)).copy()
    shift = np.zeros((J, py))
    Fz = 0.0
    parts = []                   # per z pattern: (clusters, z entries, B, Soo^-1, d)
    for k, obs in enumerate(st.zpatterns):
        if not obs.any():
            continue
        jk = np.flatnonzero(st.zpattern == k)
        o = z[obs]
        Soo, Syo = Sb[np.ix_(o, o)], Sb[np.ix_(y, o)]
        try:
            Lo = np.linalg.cholesky(Soo)
        except np.linalg.LinAlgError:
            return None
        Soo_i = np.linalg.inv(Soo)
        B = Syo @ Soo_i
        d = st.Z[np.ix_(jk, np.flatnonzero(obs))] - mb[o]
        sbj[jk] = syy - B @ Syo.T
        shift[jk] = d @ B.T
        Fz += len(jk) * 2 * float(np.log(np.diag(Lo)).sum()) + float(np.einsum("ja,ab,jb->", d, Soo_i, d))
        parts.append((jk, o, B, Soo_i, d))
    out = _y_part(st, sw, sbj, mu, shift, grad)
    if out is None:
        return None
    if not grad:
        return out + Fz
    F, dsw, dsb, v = out
    p = len(Sw)
    Ww, Wb = np.zeros((p, p)), np.zeros((p, p))
    Ww[np.ix_(y, y)] = dsw
    bw, bb = np.zeros(p), np.zeros(p)
    g = -2 * v                                                        # dF / d(cluster mean)
    bw[y] = bb[y] = g.sum(axis=0)
    in_pattern = np.zeros(J, dtype=bool)
    for jk, o, B, Soo_i, d in parts:
        in_pattern[jk] = True
        Gs = dsb[jk].sum(axis=0)
        H = d.T @ g[jk]                                               # (o, y)
        Wb[np.ix_(y, y)] += Gs
        M = -B.T @ Gs + Soo_i @ H / 2
        Wb[np.ix_(o, y)] += M
        Wb[np.ix_(y, o)] += M.T
        N_oo = B.T @ Gs @ B - Soo_i @ H @ B
        Wb[np.ix_(o, o)] += (N_oo + N_oo.T) / 2 + len(jk) * Soo_i - Soo_i @ (d.T @ d) @ Soo_i
        bb[o] += -B.T @ g[jk].sum(axis=0) - 2 * Soo_i @ d.sum(axis=0)
    Wb[np.ix_(y, y)] += dsb[~in_pattern].sum(axis=0)
    return F + Fz, Ww, Wb, bw, bb
