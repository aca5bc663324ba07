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
from scipy import stats

from .exceptions import CarelessWarning


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
        c = np.cumsum(eq, axis=1)
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
    m = ~np.isnan(X)
    cnt = m.sum(axis=1)
    Z = np.where(m, X, 0.0)
    mean = Z.sum(axis=1) / np.maximum(cnt, 1)
    ss = (np.where(m, X - mean[:, None], 0.0) ** 2).sum(axis=1)
    out = np.sqrt(ss / np.maximum(cnt - 1, 1))
    out[cnt < 2] = np.nan
    return out


def mahalanobis(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared Mahalanobis distance of each respondent and its chi-square p-value.

    The mean vector and covariance matrix come from the complete rows (pairwise
    when fewer than ``2k`` rows are complete). A respondent with missing answers is
    measured on the items he answered (df = number answered). Rows grouped by
    missing-data pattern keep this vectorised.

    >>> rng = np.random.default_rng(1)
    >>> d2, p = mahalanobis(rng.normal(size=(500, 4)))
    >>> bool(abs(d2.mean() - 4) < 0.5)
    True
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    d2 = np.full(n, np.nan)
    pval = np.full(n, np.nan)
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
        return d2, pval
    # missing-data patterns as integer keys
    patterns, inverse = np.unique(miss, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    singular = False
    for p_idx, pattern in enumerate(patterns):
        obs = ~pattern
        kk = int(obs.sum())
        if kk == 0:
            continue
        rows = inverse == p_idx
        S_oo = S[np.ix_(obs, obs)]
        try:
            Sinv = np.linalg.inv(S_oo)
            if not np.isfinite(Sinv).all() or np.linalg.cond(S_oo) > 1e12:
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            Sinv = np.linalg.pinv(S_oo)
            singular = True
        D = X[np.ix_(rows, obs)] - mu[obs]
        d2[rows] = np.einsum("ij,jk,ik->i", D, Sinv, D)
        pval[rows] = stats.chi2.sf(d2[rows], kk)
    if singular:
        warnings.warn("the item covariance matrix is singular (constant or duplicated items); "
                      "Mahalanobis distances use its pseudo-inverse", CarelessWarning, stacklevel=2)
    return d2, pval


def rowwise_corr(A: np.ndarray, B: np.ndarray, min_pairs: int = 3) -> np.ndarray:
    """Per-row Pearson correlation between A[i, :] and B[i, :] over positions where both
    are present; NaN with fewer than ``min_pairs`` pairs or no variance.

    >>> rowwise_corr(np.array([[1., 2, 3], [1, 2, 3]]), np.array([[2., 4, 6], [3, 2, 1]]))
    array([ 1., -1.])
    """
    m = ~(np.isnan(A) | np.isnan(B))
    cnt = m.sum(axis=1)
    a = np.where(m, A, 0.0)
    b = np.where(m, B, 0.0)
    safe = np.maximum(cnt, 1)
    am = a.sum(axis=1) / safe
    bm = b.sum(axis=1) / safe
    da = np.where(m, A - am[:, None], 0.0)
    db = np.where(m, B - bm[:, None], 0.0)
    num = (da * db).sum(axis=1)
    den = np.sqrt((da ** 2).sum(axis=1) * (db ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    r[(cnt < min_pairs) | (den == 0)] = np.nan
    return r


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


def psychsyn_pairs(R: np.ndarray, r_crit: float) -> list[tuple[int, int]]:
    """Item pairs whose sample correlation exceeds ``r_crit`` (psychometric synonyms)."""
    import pandas as pd

    C = pd.DataFrame(R).corr(min_periods=3).to_numpy()
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
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    return rowwise_corr(R[:, a], R[:, b]), len(pairs)
