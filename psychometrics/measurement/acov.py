r"""Asymptotic covariance of thresholds and polychoric correlations (Muthén, 1984), the weight of
WLSMV: lavaan's ``NACOV`` (N times the asymptotic covariance matrix) for ordinal items.

Stage 1 estimates each item's thresholds from its proportions, stage 2 each pair's correlation
given them. With the casewise scores of both stages stacked, :math:`s_i = (s^{(1)}_i, s^{(2)}_i)`
(threshold scores of the univariate likelihoods, correlation scores of the bivariate ones),
the estimates are a sandwich over the block-triangular derivative of the estimating equations:

.. math:: \Gamma = N\, B^{-1} \Big(\sum_i s_i s_i'\Big) B^{-T},\qquad
          B = \begin{pmatrix} A_{11} & 0 \\ A_{21} & A_{22} \end{pmatrix},

with :math:`A_{11}` the threshold blocks of :math:`\sum_i s^{(1)}_i s^{(1)\prime}_i`,
:math:`A_{22}` the diagonal of :math:`\sum_i s^{(2)}_i s^{(2)\prime}_i`, and :math:`A_{21}` the
cross-products of each pair's correlation score with the scores of its bivariate likelihood with
respect to the two items' thresholds. Scores depend on an observation only through its cell, so
the blocks are sums over cells; only the full cross-product needs the observations.

Order (lavaan's): every item's thresholds in item order, then the correlations below the
diagonal column by column (r21, r31, ..., r32, ...).

Clustered rows (teachers in schools, ``cluster=``): the bread B stays the one above, the meat sums
the scores within each of the C clusters first (Binder, 1983; lavaan >= 0.7-2, Mplus
``TYPE = COMPLEX``):

.. math:: \Gamma_{cl} = \frac{C}{C-1}\, N\, B^{-1} \Big(\sum_c s_c s_c'\Big) B^{-T},\qquad
          s_c = \sum_{i \in c} s_i .

Continuous variables among them (lavaan's mixed case): stage 1 gives a continuous variable's
mean and variance (normal ML, N divisor; its scores enter the thresholds' and a variances' block),
stage 2 its polyserial (with an ordinal item) or Pearson (with another continuous variable)
correlation, with the scores of the bivariate likelihoods (normal times the conditional ordinal
probability; bivariate normal). The statistics are then lavaan's: in a continuous variable's
threshold slot minus its mean, its variance after the thresholds, and covariances instead of
correlations where a continuous variable is involved (:math:`r s_i s_j`, with the Jacobian of that
change applied to :math:`\Gamma`).

References
----------
Muthén, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
continuous latent variable indicators. *Psychometrika*, 49, 115-132.
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
*International Statistical Review*, 51, 279-292.
R: ``lavaan::cfa(model, data, ordered = TRUE)@SampleStats@NACOV`` (``lavInspect(fit, "gamma")``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import CorrelationError
from .correlations import BOUND, PolychoricResult, _special, bvn_pdf, polychoric


def _univariate_scores(codes: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """(N, K-1) threshold scores of one item: phi(tau_k) (1[c = k] - 1[c = k + 1]) / P_c."""
    ndtr = _special().ndtr
    t = np.concatenate([[-np.inf], tau, [np.inf]])
    P = ndtr(t[1:]) - ndtr(t[:-1])                      # category probabilities (= proportions)
    phi = np.exp(-0.5 * tau * tau) / np.sqrt(2 * np.pi)
    K = len(tau) + 1
    per_cell = np.zeros((K, K - 1))
    for c in range(K):
        if c < K - 1:
            per_cell[c, c] += phi[c] / P[c]
        if c > 0:
            per_cell[c, c - 1] -= phi[c - 1] / P[c]
    return per_cell[codes]


def _pair_cells(ta: np.ndarray, tb: np.ndarray, rho: float):
    """Per cell (c, d) of a pair's table: the correlation score and the scores with respect to the
    thresholds of item a (Ka x Kb x Ka-1) and item b (Ka x Kb x Kb-1) of the bivariate likelihood."""
    from .correlations import bvn_cdf

    ndtr = _special().ndtr
    A = np.concatenate([[-BOUND], np.clip(ta, -BOUND, BOUND), [BOUND]])
    B = np.concatenate([[-BOUND], np.clip(tb, -BOUND, BOUND), [BOUND]])
    H, Kk = np.meshgrid(A, B, indexing="ij")
    r = np.full(H.shape, rho)
    F = bvn_cdf(H, Kk, r)
    f = bvn_pdf(H, Kk, r)
    P = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    dP_rho = f[1:, 1:] - f[:-1, 1:] - f[1:, :-1] + f[:-1, :-1]
    s = np.sqrt(1 - rho * rho)
    Ka, Kb = len(A) - 1, len(B) - 1
    # dF(h, k)/dh = phi(h) Phi((k - rho h)/s): at each threshold of a, across the b grid
    ga = np.exp(-0.5 * A[1:-1, None] ** 2) / np.sqrt(2 * np.pi) * ndtr((B[None, :] - rho * A[1:-1, None]) / s)
    gb = np.exp(-0.5 * B[1:-1, None] ** 2) / np.sqrt(2 * np.pi) * ndtr((A[None, :] - rho * B[1:-1, None]) / s)
    dPa = np.zeros((Ka, Kb, Ka - 1))
    for k in range(Ka - 1):               # tau_a,k is the upper bound of category k, the lower of k + 1
        band = ga[k, 1:] - ga[k, :-1]     # over b's categories
        dPa[k, :, k] += band
        dPa[k + 1, :, k] -= band
    dPb = np.zeros((Ka, Kb, Kb - 1))
    for k in range(Kb - 1):
        band = gb[k, 1:] - gb[k, :-1]
        dPb[:, k, k] += band
        dPb[:, k + 1, k] -= band
    Pc = np.maximum(P, 1e-300)
    return dP_rho / Pc, dPa / Pc[:, :, None], dPb / Pc[:, :, None]


def _two_stage_sandwich(S: np.ndarray, stage1: list[list[int]], A21: np.ndarray, A22: np.ndarray,
                        N: int, cluster: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """N B^-1 (S'S) B^-T for the stacked casewise scores S (stage-1 columns first, then one per
    correlation): A11 the stage-1 blocks of S'S (each variable's own ``stage1`` columns), A22 the
    correlations' diagonal, A21 their cross-derivatives (the module docstring's B); with cluster
    codes (0..C-1 per row) also the clustered Gamma (the same bread, the scores summed within
    clusters, times C/(C-1)), else None."""
    inner = S.T @ S
    n1 = sum(len(b) for b in stage1)
    A11 = np.zeros((n1, n1))
    for blk in stage1:
        A11[np.ix_(blk, blk)] = inner[np.ix_(blk, blk)]
    A11_inv = np.linalg.inv(A11)
    B_inv = np.zeros((len(inner),) * 2)
    B_inv[:n1, :n1] = A11_inv
    B_inv[n1:, n1:] = np.diag(1.0 / A22)
    B_inv[n1:, :n1] = -(A21 / A22[:, None]) @ A11_inv
    gamma = N * B_inv @ inner @ B_inv.T
    if cluster is None:
        return gamma, None
    C = int(cluster.max()) + 1
    Sc = np.zeros((C, S.shape[1]))
    np.add.at(Sc, cluster, S)
    return gamma, C / (C - 1) * N * B_inv @ (Sc.T @ Sc) @ B_inv.T


def _bvmix_scores(z: np.ndarray, sd: float, cy: np.ndarray, tau: np.ndarray, rho: float):
    """Casewise scores of the joint likelihood f(x) P(y | x) of a continuous x (standardised z,
    standard deviation sd) and an ordinal y (codes cy, thresholds tau), polyserial rho: with
    respect to rho, x's mean, x's variance and y's thresholds (N x K-1)."""
    ndtr = _special().ndtr
    R = np.sqrt(1 - rho * rho)
    t = np.concatenate([[-BOUND], np.clip(tau, -BOUND, BOUND), [BOUND]])
    up, lo = t[cy + 1], t[cy]
    a1, a2 = (up - rho * z) / R, (lo - rho * z) / R
    f1, f2 = np.exp(-0.5 * a1 * a1) / np.sqrt(2 * np.pi), np.exp(-0.5 * a2 * a2) / np.sqrt(2 * np.pi)
    P = np.maximum(ndtr(a1) - ndtr(a2), np.finfo(float).eps)
    d_rho = ((f1 * (up * rho - z)) - (f2 * (lo * rho - z))) / (R ** 3 * P)
    d_mu = (z + rho / R * (f1 - f2) / P) / sd
    d_var = ((z * z - 1) + rho * z / R * (f1 - f2) / P) / (2 * sd * sd)
    K = len(tau) + 1
    d_th = np.zeros((len(z), K - 1))
    rows = np.arange(len(z))
    upper, lower = cy < K - 1, cy > 0                   # the category's upper / lower threshold
    d_th[rows[upper], cy[upper]] += f1[upper] / (R * P[upper])
    d_th[rows[lower], cy[lower] - 1] -= f2[lower] / (R * P[lower])
    return d_rho, d_mu, d_var, d_th


def _bvreg_scores(z1: np.ndarray, z2: np.ndarray, sd1: float, sd2: float, rho: float):
    """Casewise scores of the bivariate normal likelihood with respect to rho, both means and
    both variances (means and variances at their stage-1 values)."""
    q = 1 - rho * rho
    d_rho = rho / q + (z1 * z2 * q - rho * (z1 * z1 - 2 * rho * z1 * z2 + z2 * z2)) / (q * q)
    e1, e2 = (z1 - rho * z2) / q, (z2 - rho * z1) / q
    return d_rho, e1 / sd1, e2 / sd2, (e1 * z1 - 1) / (2 * sd1 * sd1), (e2 * z2 - 1) / (2 * sd2 * sd2)


@dataclasses.dataclass(frozen=True)
class ACov:
    """The sample statistics' labels, Gamma (N times their asymptotic covariance), the
    cluster-robust Gamma (None without clusters) and the correlations they belong to."""
    names: list[str]
    gamma: np.ndarray
    gamma_cluster: np.ndarray | None
    result: PolychoricResult


def polychoric_acov(data: pd.DataFrame, items: list[str] | None = None, return_result: bool = False,
                    missing: Literal["listwise", "pairwise"] = "listwise", continuous: Sequence[str] | None = None,
                    cluster: str | Sequence | None = None):
    """Names and N x the asymptotic covariance of the thresholds and polychoric correlations.

    Parameters
    ----------
    data : DataFrame
        Ordinal items (complete rows are used: lavaan's listwise default for WLSMV).
    items : list of str, optional
        Columns (default: all).
    missing : {"listwise", "pairwise"}
        ``"pairwise"`` (lavaan's): thresholds from each item's answers, correlations from each
        pair's, a missing answer scoring 0 in every sum over the rows.
    continuous : sequence of str, optional
        Items treated as continuous, the others ordinal whatever their values (lavaan's statistics
        for the mixed case, see the module docstring; listwise only). Default: every item must
        look ordinal (integers, at most 10 categories).
    cluster : str or sequence, optional
        The rows' clusters (a column of ``data`` or one value per row; teachers in schools): Gamma
        is then the cluster-robust one of the module docstring.

    Returns
    -------
    (list of str, ndarray)
        Labels (``item|t1``, ..., ``item2~~item1``; a continuous variable's ``x~1`` and ``x~~x``)
        and Gamma, as lavaan's ``NACOV``; with
        ``return_result`` also the :class:`~psychometrics.measurement.correlations.PolychoricResult`
        they were computed from.

    Notes
    -----
    R: ``fit <- lavaan::cfa(model, data, ordered = names(data), estimator = "WLSMV");
    fit@SampleStats@NACOV[[1]]`` (with ``cluster = "school"``: lavaan >= 0.7-2); the formula is
    in the module docstring.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], size=3000)
    >>> d = pd.DataFrame(np.searchsorted([-0.5, 0.6], z) + 1, columns=["a", "b"])
    >>> names, G = polychoric_acov(d)
    >>> names
    ['a|t1', 'a|t2', 'b|t1', 'b|t2', 'b~~a']
    >>> bool(np.allclose(G, G.T)) and bool(np.all(np.linalg.eigvalsh(G) > 0))
    True

    Clustered rows (300 clusters of 10) give a different Gamma for the same statistics:

    >>> _, Gc = polychoric_acov(d, cluster=np.repeat(np.arange(300), 10))
    >>> Gc.shape == G.shape and not np.allclose(Gc, G)
    True
    """
    items = list(items) if items is not None else list(data.columns)
    if isinstance(cluster, str):
        if cluster not in data.columns:
            raise CorrelationError(f"cluster column {cluster!r} is not in the data")
        items = [c for c in items if c != cluster]
        cluster = data[cluster]
    parts = acov_parts(data, items, missing, continuous, cluster)
    gamma = parts.gamma if parts.gamma_cluster is None else parts.gamma_cluster
    return (parts.names, gamma, parts.result) if return_result else (parts.names, gamma)


def acov_parts(data: pd.DataFrame, items: list[str], missing: Literal["listwise", "pairwise"] = "listwise",
               continuous: Sequence[str] | None = None, cluster: Sequence | np.ndarray | None = None) -> ACov:
    """:func:`polychoric_acov` with both Gammas: the one that weighs the DWLS discrepancy (never
    clustered) and, given the rows' clusters, the cluster-robust one of the robust SEs and test."""
    if missing not in ("listwise", "pairwise"):
        raise CorrelationError(f'missing="{missing}": choose "listwise" or "pairwise"')
    X = data[items].astype(float)
    codes_cl = None
    if cluster is not None:
        cl = pd.Series(np.asarray(cluster, dtype=object), index=data.index)
        if len(cl) != len(data) or cl.isna().any():
            raise CorrelationError("cluster: give one cluster id per row, none missing")
    if missing == "listwise":
        X = X[X.notna().all(axis=1)]
    if cluster is not None:
        codes_cl = pd.factorize(cl.loc[X.index].astype(str))[0]
        if codes_cl.max(initial=-1) < 1:
            raise CorrelationError("cluster: a single cluster; the cluster-robust Gamma needs at least two")
    if continuous is None:
        pc = polychoric(X, items, missing=missing)
        found = [c for c, k in pc.kinds.items() if k != "ordinal"]
        if found:
            raise CorrelationError(f"item(s) {found} look continuous: the asymptotic covariance treats ordinal items only "
                                   "unless continuous=[...] names the continuous ones")
    else:
        continuous = [c for c in items if c in set(continuous)]
        if continuous and missing != "listwise":
            raise CorrelationError("continuous variables with missing='pairwise' are not available yet; use listwise")
        pc = polychoric(X, items, missing=missing, continuous=continuous)
        if continuous:
            return _mixed_acov(X, items, pc, codes_cl)
    N = len(X)
    # category codes 0..K-1, -1 where missing (pairwise: a missing answer scores 0 in every sum)
    codes = {}
    for c in items:
        v = X[c].to_numpy()
        ok = ~np.isnan(v)
        cc = np.full(len(v), -1)
        cc[ok] = np.searchsorted(np.unique(v[ok]), v[ok])
        codes[c] = cc
    tau = {c: np.asarray(pc.thresholds[c], float) for c in items}
    # stage 1: threshold scores per item
    S1 = [np.where((codes[c] >= 0)[:, None], _univariate_scores(np.maximum(codes[c], 0), tau[c]), 0.0) for c in items]
    sizes = [s.shape[1] for s in S1]
    start = np.concatenate([[0], np.cumsum(sizes)])
    n_th = int(start[-1])
    pairs = [(i, j) for j in range(len(items)) for i in range(j + 1, len(items))]   # (2,1), (3,1), ..., (3,2)
    S2 = np.empty((N, len(pairs)))
    A21 = np.zeros((len(pairs), n_th))
    A22 = np.zeros(len(pairs))
    R = pc.rho.to_numpy()
    for q, (i, j) in enumerate(pairs):
        a, b = items[i], items[j]
        s_rho, d_a, d_b = _pair_cells(tau[a], tau[b], R[i, j])
        ca, cb = codes[a], codes[b]
        both = (ca >= 0) & (cb >= 0)
        S2[:, q] = np.where(both, s_rho[np.maximum(ca, 0), np.maximum(cb, 0)], 0.0)
        counts = np.zeros(s_rho.shape)
        np.add.at(counts, (ca[both], cb[both]), 1.0)
        seen = counts > 0          # empty cells add nothing (their scores can be huge when rho is near 1)
        s_rho, d_a, d_b = np.where(seen, s_rho, 0.0), np.where(seen[..., None], d_a, 0.0), np.where(seen[..., None], d_b, 0.0)
        A22[q] = float((counts * s_rho ** 2).sum())
        A21[q, start[i]:start[i + 1]] = np.einsum("cd,cd,cdk->k", counts, s_rho, d_a)
        A21[q, start[j]:start[j + 1]] = np.einsum("cd,cd,cdk->k", counts, s_rho, d_b)
    gammas = _two_stage_sandwich(np.hstack(S1 + [S2]), [list(range(start[k], start[k + 1])) for k in range(len(items))],
                                 A21, A22, N, codes_cl)
    names = [f"{c}|t{k + 1}" for c in items for k in range(len(tau[c]))] + [f"{items[i]}~~{items[j]}" for i, j in pairs]
    gamma, gamma_cl = (None if g is None else 0.5 * (g + g.T) for g in gammas)
    assert gamma is not None
    return ACov(names, gamma, gamma_cl, pc)


def _mixed_acov(X: pd.DataFrame, items: list[str], pc, codes_cl: np.ndarray | None) -> ACov:
    """polychoric_acov for ordinal and continuous variables together, complete rows (lavaan's
    muthen1984 with numeric variables): names, Gamma and the statistics' vector."""
    N = len(X)
    kinds = pc.kinds
    num = [c for c in items if kinds[c] == "continuous"]
    R = pc.rho.to_numpy()
    cols = {c: X[c].to_numpy() for c in items}
    mean = {c: float(cols[c].mean()) for c in num}
    var = {c: float(((cols[c] - mean[c]) ** 2).mean()) for c in num}
    sd = {c: np.sqrt(var[c]) for c in num}
    z = {c: (cols[c] - mean[c]) / sd[c] for c in num}
    codes = {c: np.searchsorted(np.unique(cols[c]), cols[c]) for c in items if kinds[c] == "ordinal"}
    tau = {c: np.asarray(pc.thresholds[c], float) for c in codes}
    # stage 1: thresholds (a continuous variable: its mean) in item order, then the variances
    th_cols, th_start, th_size = [], {}, {}
    pos = 0
    for c in items:
        sc = _univariate_scores(codes[c], tau[c]) if c in codes else (z[c] / sd[c])[:, None]
        th_cols.append(sc)
        th_start[c], th_size[c] = pos, sc.shape[1]
        pos += sc.shape[1]
    n_th = pos
    var_idx = {c: n_th + k for k, c in enumerate(num)}
    var_cols = [((z[c] ** 2 - 1) / (2 * var[c]))[:, None] for c in num]
    n1 = n_th + len(num)
    pairs = [(i, j) for j in range(len(items)) for i in range(j + 1, len(items))]
    S2 = np.empty((N, len(pairs)))
    A21 = np.zeros((len(pairs), n1))
    H21 = np.zeros((len(pairs), n1))
    H22 = np.ones(len(pairs))
    for q, (i, j) in enumerate(pairs):
        a, b = items[i], items[j]
        r = R[i, j]
        if a in codes and b in codes:
            s_rho, d_a, d_b = _pair_cells(tau[a], tau[b], r)
            S2[:, q] = s_rho[codes[a], codes[b]]
            A21[q, th_start[a]:th_start[a] + th_size[a]] = S2[:, q] @ d_a[codes[a], codes[b]]
            A21[q, th_start[b]:th_start[b] + th_size[b]] = S2[:, q] @ d_b[codes[a], codes[b]]
            continue
        if a in codes or b in codes:          # polyserial: (continuous, ordinal)
            x, y = (b, a) if a in codes else (a, b)
            d_rho, d_mu, d_var, d_th = _bvmix_scores(z[x], sd[x], codes[y], tau[y], r)
            S2[:, q] = d_rho
            A21[q, th_start[x]] = d_rho @ d_mu
            A21[q, var_idx[x]] = d_rho @ d_var
            A21[q, th_start[y]:th_start[y] + th_size[y]] = d_rho @ d_th
            H21[q, var_idx[x]] = r / (2 * sd[x])
            H22[q] = sd[x]
            continue
        d_rho, m1, m2, v1, v2 = _bvreg_scores(z[a], z[b], sd[a], sd[b], r)
        S2[:, q] = d_rho
        A21[q, th_start[a]], A21[q, th_start[b]] = d_rho @ m1, d_rho @ m2
        A21[q, var_idx[a]], A21[q, var_idx[b]] = d_rho @ v1, d_rho @ v2
        H21[q, var_idx[a]] = sd[b] * r / (2 * sd[a])
        H21[q, var_idx[b]] = sd[a] * r / (2 * sd[b])
        H22[q] = sd[a] * sd[b]
    stage1 = [list(range(th_start[c], th_start[c] + th_size[c])) + ([var_idx[c]] if c in var_idx else []) for c in items]
    gammas = _two_stage_sandwich(np.hstack(th_cols + var_cols + [S2]), stage1, A21, (S2 * S2).sum(axis=0), N, codes_cl)
    H = np.eye(len(gammas[0]))                # correlations to covariances
    H[n1:, :n1] = H21
    H[n1:, n1:] = np.diag(H22)
    flip = np.ones(len(H))                    # a continuous variable's threshold slot is minus its mean
    for c in num:
        flip[th_start[c]] = -1.0

    def finish(g: np.ndarray | None) -> np.ndarray | None:
        if g is None:
            return None
        g = flip[:, None] * (H @ g @ H.T) * flip[None, :]
        return 0.5 * (g + g.T)

    names = ([n for c in items for n in ([f"{c}|t{k + 1}" for k in range(th_size[c])] if c in codes else [f"{c}~1"])]
             + [f"{c}~~{c}" for c in num] + [f"{items[i]}~~{items[j]}" for i, j in pairs])
    gamma = finish(gammas[0])
    assert gamma is not None
    return ACov(names, gamma, finish(gammas[1]), pc)
