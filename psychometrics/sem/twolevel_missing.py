r"""The two-level normal likelihood with missing answers (FIML), one group at a time, for models
whose level-2 variables are all observed at level 1 too (no cluster-level-only variables yet).

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

References
----------
Rosseel, Y. (2021). Evaluating the observed log-likelihood function in two-level structural
equation modeling with missing data: From formulas to R code. *Psych*, 3(2), 197-232.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..exceptions import EstimationError


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
        return int(self.mask.sum())


def missing_cluster_stats(X: np.ndarray, codes: np.ndarray, names: list[str], level_observed: list[list[str]],
                          where: str = "") -> MissingClusterStats:
    """Rows (with NaN for missing answers) and cluster codes of one group, for FIML."""
    lv1, lv2 = set(level_observed[0]), set(level_observed[1])
    z = [v for v in lv2 if v not in lv1]
    if z:
        raise EstimationError(f"missing='fiml' with cluster-level (level-2-only) variables ({', '.join(sorted(z))}) is "
                              "not available yet; leave them out or use the complete rows (listwise)")
    y = np.array([k for k, v in enumerate(names) if v in lv1], dtype=int)
    Y = X[:, y]
    mask = ~np.isnan(Y)
    keep = mask.any(axis=1)
    Y, mask, codes = Y[keep], mask[keep], codes[keep]
    codes = np.unique(codes, return_inverse=True)[1].ravel()
    N, J = len(Y), int(codes.max()) + 1
    patterns, pattern = np.unique(mask, axis=0, return_inverse=True)
    counts = np.zeros((J, len(patterns)))
    np.add.at(counts, (codes, pattern.ravel()), 1.0)
    size = np.bincount(codes, minlength=J)
    p = len(names)
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
    return MissingClusterStats(N, J, y, np.zeros(0, dtype=int), np.where(mask, Y, 0.0), mask, pattern.ravel(),
                               patterns, codes, counts, size, S_PW, S_B0, mean)


def minus2loglik_missing(st: MissingClusterStats, Sw: np.ndarray, mw: np.ndarray, Sb: np.ndarray, mb: np.ndarray,
                         grad: bool = True):
    """-2 log L without the constant, and its derivatives (as
    :func:`psychometrics.sem.twolevel.minus2loglik`); None when not positive definite."""
    y = st.y
    py = len(y)
    sw, sb = Sw[np.ix_(y, y)], Sb[np.ix_(y, y)]
    mu = mw[y] + mb[y]
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
    e = np.where(st.mask, st.E0 - mu, 0.0)
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
        Lm = np.linalg.cholesky(np.eye(py)[None] + np.swapaxes(R, 1, 2) @ sb[None] @ R)
    except np.linalg.LinAlgError:
        return None
    ldm = 2 * np.log(np.einsum("jii->ji", Lm)).sum(axis=1)
    Mj = np.eye(py)[None] + A @ sb
    try:
        Kj = sb[None] @ np.linalg.inv(Mj)                           # Sigma_B (I + A Sigma_B)^-1
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
    dsb = A.sum(axis=0) - (A @ Kj @ A).sum(axis=0) - v.T @ v
    dmu = -2 * v.sum(axis=0)
    p = len(Sw)
    Ww, Wb = np.zeros((p, p)), np.zeros((p, p))
    Ww[np.ix_(y, y)] = (dsw + dsw.T) / 2
    Wb[np.ix_(y, y)] = (dsb + dsb.T) / 2
    bw, bb = np.zeros(p), np.zeros(p)
    bw[y] = bb[y] = dmu
    return F, Ww, Wb, bw, bb
