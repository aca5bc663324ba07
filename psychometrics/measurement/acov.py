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

References
----------
Muthén, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
continuous latent variable indicators. *Psychometrika*, 49, 115-132.
R: ``lavaan::cfa(model, data, ordered = TRUE)@SampleStats@NACOV`` (``lavInspect(fit, "gamma")``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import CorrelationError
from .correlations import BOUND, _special, bvn_pdf, polychoric


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


def polychoric_acov(data: pd.DataFrame, items: list[str] | None = None, return_result: bool = False,
                    missing: Literal["listwise", "pairwise"] = "listwise"):
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

    Returns
    -------
    (list of str, ndarray)
        Labels (``item|t1``, ..., ``item2~~item1``) and Gamma, as lavaan's ``NACOV``; with
        ``return_result`` also the :class:`~psychometrics.measurement.correlations.PolychoricResult`
        they were computed from.

    Notes
    -----
    R: ``fit <- lavaan::cfa(model, data, ordered = names(data), estimator = "WLSMV");
    fit@SampleStats@NACOV[[1]]``; the formula is in the module docstring.

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
    """
    items = list(items) if items is not None else list(data.columns)
    if missing not in ("listwise", "pairwise"):
        raise CorrelationError(f'missing="{missing}": choose "listwise" or "pairwise"')
    X = data[items].astype(float)
    if missing == "listwise":
        X = X[X.notna().all(axis=1)]
    pc = polychoric(X, items, missing=missing)
    if any(k != "ordinal" for k in pc.kinds.values()):
        raise CorrelationError("the asymptotic covariance is for ordinal items only so far (continuous item(s) "
                               f"{[c for c, k in pc.kinds.items() if k != 'ordinal']})")
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
        A22[q] = float((counts * s_rho ** 2).sum())
        A21[q, start[i]:start[i + 1]] = np.einsum("cd,cd,cdk->k", counts, s_rho, d_a)
        A21[q, start[j]:start[j + 1]] = np.einsum("cd,cd,cdk->k", counts, s_rho, d_b)
    S = np.hstack(S1 + [S2])
    inner = S.T @ S
    A11 = np.zeros((n_th, n_th))
    for k in range(len(items)):
        sl = slice(start[k], start[k + 1])
        A11[sl, sl] = inner[sl, sl]
    A11_inv = np.linalg.inv(A11)
    B_inv = np.zeros((n_th + len(pairs),) * 2)
    B_inv[:n_th, :n_th] = A11_inv
    B_inv[n_th:, n_th:] = np.diag(1.0 / A22)
    B_inv[n_th:, :n_th] = -(A21 / A22[:, None]) @ A11_inv
    gamma = N * B_inv @ inner @ B_inv.T
    names = [f"{c}|t{k + 1}" for c in items for k in range(len(tau[c]))] + [f"{items[i]}~~{items[j]}" for i, j in pairs]
    gamma = 0.5 * (gamma + gamma.T)
    return (names, gamma, pc) if return_result else (names, gamma)
