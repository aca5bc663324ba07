"""Careless-responding indices (Curran, 2016), computed per respondent and used
only to *flag*: no respondent is ever removed.

All functions take a respondents x items float array with NaN for missing answers
and are vectorised over respondents (a million rows take seconds).

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
survey data. *Journal of Experimental Social Psychology*, 66, 4-19.
R equivalents: ``careless::longstring``, ``careless::irv``, ``careless::mahad``,
``careless::evenodd``, ``careless::psychsyn`` (Yentes & Wilhelm).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..exceptions import CarelessWarning

CHUNK = 1 << 15  # rows per block in the row-wise kernels


def longstring(X: np.ndarray) -> np.ndarray:
    """Longest run of identical consecutive answers (a missing answer breaks a run).

    Computed on raw (not reverse-coded) answers in questionnaire order, as
    ``careless::longstring``. Rows without answers get NaN.

    >>> longstring(np.array([[1, 1, 1, 2, 2], [3, np.nan, 3, 3, 4]]))
    array([3., 2.])
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    out = np.ones(n)
    if k > 1:
        eq = X[:, 1:] == X[:, :-1]            # NaN compares unequal: breaks the run
        c = np.cumsum(eq, axis=1, dtype=np.int32)
        reset = np.maximum.accumulate(np.where(~eq, c, 0), axis=1)
        out = (c - reset).max(axis=1) + 1.0
    out[np.isnan(X).all(axis=1)] = np.nan
    return out


def irv(X: np.ndarray) -> np.ndarray:
    """Intra-individual response variability: the SD (n-1) of a person's answers.

    >>> irv(np.array([[1, 2, 3], [4, 4, 4]]))
    array([1., 0.])
    """
    X = np.asarray(X, dtype=float)
    out = np.empty(len(X))
    for a in range(0, len(X), CHUNK):       # row chunks keep the temporaries in cache
        Xc = X[a:a + CHUNK]
        m = ~np.isnan(Xc)
        cnt = m.sum(axis=1)
        Z = np.where(m, Xc, 0.0)
        mean = Z.sum(axis=1) / np.maximum(cnt, 1)
        Z -= mean[:, None]
        Z[~m] = 0.0
        sd = np.sqrt(np.einsum("ij,ij->i", Z, Z) / np.maximum(cnt - 1, 1))
        sd[cnt < 2] = np.nan
        out[a:a + CHUNK] = sd
    return out


def mahalanobis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared Mahalanobis distance of each respondent and its chi-square p-value.

    .. math:: D^2_i = (x_{i,o} - \\mu_o)^\\top \\Sigma_{oo}^{-1} (x_{i,o} - \\mu_o)

    over the items :math:`o` respondent :math:`i` answered (df = number answered), as
    ``careless::mahad`` does for complete rows. The mean vector and covariance matrix
    come from the complete rows (pairwise when fewer than ``2k`` rows are complete).
    :math:`\\Sigma_{oo}^{-1}` is obtained from the full precision matrix
    :math:`P = \\Sigma^{-1}` by the Schur complement
    :math:`\\Sigma_{oo}^{-1} = P_{oo} - P_{om} P_{mm}^{-1} P_{mo}`, batched over
    respondents with the same number of missing items, so a million rows take seconds.

    >>> rng = np.random.default_rng(1)
    >>> d2, p = mahalanobis(rng.normal(size=(500, 4)))
    >>> bool(abs(d2.mean() - 4) < 0.5)
    True
    """
    from scipy import special

    X = np.asarray(X, dtype=float)
    n, k = X.shape
    d2 = np.full(n, np.nan)
    miss = np.isnan(X)
    complete = ~miss.any(axis=1)
    if complete.sum() >= 2 * k:
        mu = X[complete].mean(axis=0)
        S = np.cov(X[complete], rowvar=False)
    else:
        import pandas as pd

        df = pd.DataFrame(X)
        mu, S = df.mean().to_numpy(), df.cov().to_numpy()
    if np.isnan(S).any():
        warnings.warn("Mahalanobis distance not computed: some item pairs were never answered together",
                      CarelessWarning, stacklevel=2)
        return d2, np.full(n, np.nan)
    if np.linalg.cond(S) > 1e12:
        warnings.warn("the item covariance matrix is singular (constant or duplicated items); "
                      "Mahalanobis distances use its pseudo-inverse", CarelessWarning, stacklevel=2)
        P = np.linalg.pinv(S)
    else:
        P = np.linalg.inv(S)
    D = np.where(miss, 0.0, X - mu)
    U = D @ P                                   # rows: (P d)', with d = 0 at missing items
    full = np.einsum("ij,ij->i", U, D)          # d_o' P_oo d_o
    n_miss = miss.sum(axis=1)
    d2[n_miss == 0] = full[n_miss == 0]
    for c in np.unique(n_miss):
        if c == 0 or c == k:
            continue
        rows = np.flatnonzero(n_miss == c)
        M = np.nonzero(miss[rows])[1].reshape(len(rows), c)          # missing positions per row
        Pmm = P[M[:, :, None], M[:, None, :]]                         # (r, c, c)
        u = np.take_along_axis(U[rows], M, axis=1)                    # (P_mo d_o) per row
        try:
            corr = np.einsum("ij,ij->i", u, np.linalg.solve(Pmm, u[:, :, None])[:, :, 0])
        except np.linalg.LinAlgError:   # a constant item among those answered: P has a zero block
            corr = np.einsum("ij,ijk,ik->i", u, np.linalg.pinv(Pmm), u)
        d2[rows] = full[rows] - corr
    df_obs = k - n_miss
    pval = np.where(df_obs > 0, special.chdtrc(np.maximum(df_obs, 1), d2), np.nan)
    d2[df_obs == 0] = np.nan
    return d2, pval


def rowwise_corr(A: np.ndarray, B: np.ndarray, min_pairs: int = 3) -> np.ndarray:
    """Per-row Pearson correlation between A[i, :] and B[i, :] over positions where both
    are present; NaN with fewer than ``min_pairs`` pairs or no variance.

    >>> rowwise_corr(np.array([[1., 2, 3], [1, 2, 3]]), np.array([[2., 4, 6], [3, 2, 1]]))
    array([ 1., -1.])
    """
    out = np.empty(len(A))
    for a in range(0, len(A), CHUNK):       # row chunks keep the temporaries in cache
        Ac, Bc = A[a:a + CHUNK], B[a:a + CHUNK]
        m = ~(np.isnan(Ac) | np.isnan(Bc))
        cnt = m.sum(axis=1)
        safe = np.maximum(cnt, 1)
        da = np.where(m, Ac, 0.0)
        db = np.where(m, Bc, 0.0)
        da -= (da.sum(axis=1) / safe)[:, None]
        db -= (db.sum(axis=1) / safe)[:, None]
        da[~m] = 0.0
        db[~m] = 0.0
        num = np.einsum("ij,ij->i", da, db)
        den = np.sqrt(np.einsum("ij,ij->i", da, da) * np.einsum("ij,ij->i", db, db))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = num / den
        r[(cnt < min_pairs) | (den == 0)] = np.nan
        out[a:a + CHUNK] = r
    return out


def even_odd(R: np.ndarray, scales: list[np.ndarray]) -> np.ndarray:
    """Even-odd consistency: per person, the correlation across scales between the
    means of odd-numbered and even-numbered items of each scale (reverse-coded
    answers). Low or negative values suggest careless answering. Needs at least
    three scales with two or more items; NaN where fewer halves are available.

    No Spearman-Brown correction is applied (the raw correlation is returned).
    """
    odd_means, even_means = [], []
    for idx in scales:
        if len(idx) < 2:
            continue
        odd, even = R[:, idx[0::2]], R[:, idx[1::2]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            odd_means.append(np.nanmean(odd, axis=1))
            even_means.append(np.nanmean(even, axis=1))
    if len(odd_means) < 3:
        return np.full(R.shape[0], np.nan)
    return rowwise_corr(np.column_stack(odd_means), np.column_stack(even_means))


def pairwise_corr(X: np.ndarray, min_periods: int = 3) -> np.ndarray:
    """Pearson correlations of the columns of X over pairwise-complete rows
    (R: ``cor(x, use = "pairwise.complete.obs")``), from a few matrix products.

    >>> X = np.array([[1, 2.], [2, 4], [3, 7], [np.nan, 1], [4, 9]])
    >>> round(float(pairwise_corr(X)[0, 1]), 6) == round(float(np.corrcoef(X[[0, 1, 2, 4]].T)[0, 1]), 6)
    True
    """
    X = np.asarray(X, dtype=float)
    M = (~np.isnan(X)).astype(float)
    Z = np.where(M > 0, X - np.nanmean(X, axis=0), 0.0)   # centred for numerical stability
    n = M.T @ M
    Sx = Z.T @ M                      # [i, j]: sum of x_i over rows where both i and j are present
    Sxx = (Z * Z).T @ M
    Sxy = Z.T @ Z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = Sxy - Sx * Sx.T / n
        var = Sxx - Sx ** 2 / n
        r = cov / np.sqrt(var * var.T)
    r[n < min_periods] = np.nan
    return r


def psychsyn_pairs(R: np.ndarray, r_crit: float) -> list[tuple[int, int]]:
    """Item pairs whose sample correlation exceeds ``r_crit`` (psychometric synonyms)."""
    C = pairwise_corr(R)
    iu = np.triu_indices_from(C, k=1)
    keep = C[iu] > r_crit
    return list(zip(iu[0][keep].tolist(), iu[1][keep].tolist()))


def psychsyn(R: np.ndarray, r_crit: float = 0.6) -> tuple[np.ndarray, int]:
    """Psychometric synonyms: per person, the correlation between answers to the
    two members of each highly correlated item pair. Returns (index, number of pairs).

    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> R = f + 0.3 * rng.normal(size=(300, 6))
    >>> idx, npairs = psychsyn(R, 0.6)
    >>> npairs
    15
    """
    pairs = psychsyn_pairs(R, r_crit)
    if len(pairs) < 3:
        return np.full(R.shape[0], np.nan), len(pairs)
    return pair_corr(R, pairs), len(pairs)


def pair_corr(R: np.ndarray, pairs: list[tuple[int, int]], min_pairs: int = 3) -> np.ndarray:
    """Per-person correlation between the first and second members of item pairs,
    over pairs where both were answered.

    Equal to ``rowwise_corr(R[:, a], R[:, b])`` but computed from sums that are bilinear
    forms in the answers: with ``W[a, b] = 1`` for each pair, ``sum_p x_a x_b = x' W x``
    and so on, so a few (n x k) @ (k x k) products replace n x pairs copies.

    >>> R = np.array([[1., 2, 3, 4, 5, 6], [1, 5, 2, 4, 3, 3]])
    >>> pairs = [(0, 1), (2, 3), (4, 5)]
    >>> bool(np.allclose(pair_corr(R, pairs), rowwise_corr(R[:, [0, 2, 4]], R[:, [1, 3, 5]])))
    True
    """
    k = R.shape[1]
    W = np.zeros((k, k))
    for a, b in pairs:
        W[a, b] += 1.0
    out = np.empty(len(R))
    for s in range(0, len(R), CHUNK):
        Rc = R[s:s + CHUNK]
        m = (~np.isnan(Rc)).astype(float)
        z = np.where(m > 0, Rc, 0.0)
        mW, zW, z2W = m @ W, z @ W, (z * z) @ W
        cnt = np.einsum("ij,ij->i", mW, m)
        sa = np.einsum("ij,ij->i", zW, m)        # sum of first members over valid pairs
        sb = np.einsum("ij,ij->i", mW, z)        # sum of second members
        saa = np.einsum("ij,ij->i", z2W, m)
        sbb = np.einsum("ij,ij->i", mW, z * z)
        sab = np.einsum("ij,ij->i", zW, z)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = sab - sa * sb / cnt
            va = saa - sa ** 2 / cnt
            vb = sbb - sb ** 2 / cnt
            r = cov / np.sqrt(va * vb)
        r[(cnt < min_pairs) | ~(va > 1e-12) | ~(vb > 1e-12)] = np.nan
        out[s:s + CHUNK] = r
    return out
