"""Polychoric and polyserial correlations (two-step maximum likelihood).

Two steps, as ``lavaan::lavCor(ordered = )`` and ``psych::polychoric(global = TRUE)``:

1. thresholds of each ordinal item from its marginal proportions,
   :math:`\\tau_{c} = \\Phi^{-1}(P(X \\le c))`;
2. for each pair, the correlation :math:`\\rho` maximising the bivariate-normal likelihood of the
   pair's contingency table with the thresholds held fixed,

   .. math:: \\ell(\\rho) = \\sum_{a,b} n_{ab} \\log \\pi_{ab}(\\rho), \\qquad
             \\pi_{ab} = \\Phi_2(\\tau_a, \\tau'_b; \\rho) - \\Phi_2(\\tau_{a-1}, \\tau'_b; \\rho)
                       - \\Phi_2(\\tau_a, \\tau'_{b-1}; \\rho) + \\Phi_2(\\tau_{a-1}, \\tau'_{b-1}; \\rho).

:math:`\\Phi_2` is computed in closed form with Owen's T function (Owen, 1956), and
:math:`\\partial \\Phi_2 / \\partial \\rho = \\phi_2`, so Fisher scoring runs for all pairs at once.
An ordinal item with a continuous variable gives a polyserial correlation (two-step ML:
mean and variance of the continuous variable and the thresholds fixed); two continuous
variables give Pearson's r.

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
*Psychometrika*, 44, 443-460. Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial
correlation coefficient. *Psychometrika*, 47, 337-347. Owen, D. B. (1956). Tables for computing
bivariate normal probabilities. *Annals of Mathematical Statistics*, 27, 1075-1090.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .._options import validate_option
from .._version import __version__
from ..exceptions import CorrelationError, DataWarning
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from ..responses.io import apply_declared_missing, data_fingerprint

Missing = Literal["listwise", "pairwise"]
BOUND = 10.0          # stands in for an infinite threshold: Phi(-10) = 7.6e-24
MAX_CATEGORIES = 10


def _special():
    from scipy import special  # imported when first needed: keeps ``import psychometrics`` fast

    return special


def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Standard bivariate normal CDF :math:`\\Phi_2(h, k; \\rho)`, vectorised, via Owen's T:

    .. math:: \\Phi_2 = \\tfrac12\\Phi(h) + \\tfrac12\\Phi(k) - T(h, a_h) - T(k, a_k) - \\beta,
              \\quad a_h = \\frac{k - \\rho h}{h\\sqrt{1-\\rho^2}},\\;
              a_k = \\frac{h - \\rho k}{k\\sqrt{1-\\rho^2}}

    with :math:`\\beta = \\tfrac12` when h and k have opposite signs, else 0.

    >>> float(np.round(bvn_cdf(np.array(0.0), np.array(0.0), np.array(0.5)), 12))  # 1/4 + asin(.5)/(2 pi)
    0.333333333333
    """
    h = np.where(h == 0, 1e-300, h)
    k = np.where(k == 0, 1e-300, k)
    s = np.sqrt(1.0 - rho * rho)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ah = (k - rho * h) / (h * s)
        ak = (h - rho * k) / (k * s)
    beta = np.where((h > 0) == (k > 0), 0.0, 0.5)
    return 0.5 * _special().ndtr(h) + 0.5 * _special().ndtr(k) - _special().owens_t(h, ah) - _special().owens_t(k, ak) - beta


def bvn_pdf(h: np.ndarray, k: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Standard bivariate normal density :math:`\\phi_2(h, k; \\rho)`."""
    s2 = 1.0 - rho * rho
    return np.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s2)) / (2 * np.pi * np.sqrt(s2))


@dataclass(frozen=True, repr=False)
class PolychoricResult(ResultBase):
    """Correlation matrix of ordinal (and continuous) variables.

    Attributes
    ----------
    rho
        Items x items correlation matrix.
    thresholds
        Per ordinal item, its thresholds (one fewer than its observed categories).
    kinds
        ``"ordinal"`` or ``"continuous"`` per item.
    pairs
        One row per pair: ``item1, item2, method, n, empty_cells, iterations, converged``.
    n
        Rows used (listwise) or the smallest pairwise n.
    meta
        Package version, data hash, missing-data rule, notes.
    """

    rho: pd.DataFrame
    thresholds: dict[str, np.ndarray]
    kinds: dict[str, str]
    pairs: pd.DataFrame
    nobs: int
    meta: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Same as :attr:`nobs` (the name before 0.2)."""
        return self.nobs

    def _repr_fields(self) -> dict:
        return {"items": len(self.items), "ordinal": sum(k == "ordinal" for k in self.kinds.values())}

    @property
    def items(self) -> list[str]:
        return list(self.rho.columns)

    def to_frame(self) -> pd.DataFrame:
        return self.rho

    def to_dict(self) -> dict:
        return {"items": self.items, "rho": jsonable(self.rho.to_numpy()),
                "thresholds": {k: jsonable(v) for k, v in self.thresholds.items()},
                "kinds": self.kinds, "n": self.nobs, "nobs": self.nobs, "pairs": jsonable(self.pairs),
                "meta": jsonable(self.meta)}

    def summary(self) -> Summary:
        header = [f"n = {self.nobs} ({self.meta['missing']})", *self.provenance.header(),
                  *[f"note: {x}" for x in self.meta["notes"]]]
        tables = [("Correlations", self.rho.reset_index(names="item"))]
        bad = self.pairs[(self.pairs["empty_cells"] > 0) | ~self.pairs["converged"]]
        if len(bad):
            tables.append(("Pairs with empty cells or without convergence", bad))
        return Summary("Polychoric correlations", header, tables)



def _codes(col: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Category indices 0..K-1 (NaN stays NaN), the observed values, and notes on unused codes."""
    v = col.to_numpy(dtype=float)
    obs = np.unique(v[~np.isnan(v)])
    notes = []
    if len(obs) >= 2 and np.all(obs == np.round(obs)) and obs.max() - obs.min() <= 100:
        # (a gap wider than 100 codes is an outlying value, reported by the outlying-code check,
        # not a run of unused categories to list: 10^9 would otherwise allocate gigabytes)
        full = np.arange(obs.min(), obs.max() + 1)
        unused = np.setdiff1d(full, obs)
        if len(unused):
            notes.append(f"{name}: categories {', '.join(str(int(u)) for u in unused)} unused; its thresholds "
                         "come from the categories observed")
    idx = np.full(len(v), np.nan)
    ok = ~np.isnan(v)
    idx[ok] = np.searchsorted(obs, v[ok])
    return idx, obs, notes


def _thresholds(idx: np.ndarray, K: int) -> np.ndarray:
    c = idx[~np.isnan(idx)].astype(int)
    cum = np.cumsum(np.bincount(c, minlength=K))[:-1] / len(c)
    return _special().ndtri(cum)


def _fit_polychoric(tables: np.ndarray, t1: np.ndarray, t2: np.ndarray, start: np.ndarray,
                    tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fisher scoring for rho of every pair at once.

    tables: (P, K, K) counts; t1, t2: (P, K+1) padded thresholds (-B, tau..., +B, +B...).
    Returns rho, iterations and converged flags.
    """
    P = len(tables)
    N = tables.sum(axis=(1, 2))
    rho = np.clip(start, -0.95, 0.95)
    shape = (P, t1.shape[1], t2.shape[1])
    H, Kk = np.broadcast_to(t1[:, :, None], shape), np.broadcast_to(t2[:, None, :], shape)
    # the bivariate normal is needed at the interior threshold pairs only: on an infinite threshold
    # (+-BOUND) it is 0 or a univariate Phi, and the density is 0 (a 5 x 5 table: 16 of 36 points)
    inner = (np.abs(H) < BOUND) & (np.abs(Kk) < BOUND)
    pi, hi_, ki = np.nonzero(inner)
    hin, kin = H[inner], Kk[inner]
    ndtr = _special().ndtr
    F_edge = np.where((H <= -BOUND) | (Kk <= -BOUND), 0.0,
                      np.where(H >= BOUND, np.where(Kk >= BOUND, 1.0, ndtr(Kk)), ndtr(H)))

    def cells(r):
        F = F_edge.copy()
        f = np.zeros(shape)
        rr = r[pi]
        F[pi, hi_, ki] = bvn_cdf(hin, kin, rr)
        f[pi, hi_, ki] = bvn_pdf(hin, kin, rr)
        p = F[:, 1:, 1:] - F[:, :-1, 1:] - F[:, 1:, :-1] + F[:, :-1, :-1]
        d = f[:, 1:, 1:] - f[:, :-1, 1:] - f[:, 1:, :-1] + f[:, :-1, :-1]
        return np.maximum(p, 1e-300), d

    def loglik(p):
        return np.where(tables > 0, tables * np.log(p), 0.0).sum(axis=(1, 2))

    p, d = cells(rho)
    ll = loglik(p)
    iters = np.zeros(P, dtype=int)
    active = np.ones(P, dtype=bool)
    for _ in range(max_iter):
        if not active.any():
            break
        pos = p > 1e-290
        score = np.where(pos, tables * d / p, 0.0).sum(axis=(1, 2))
        info = N * np.where(pos, d * d / p, 0.0).sum(axis=(1, 2))
        step = np.where(active & (info > 0), score / np.where(info > 0, info, 1.0), 0.0)
        new = np.clip(rho + step, -0.9999, 0.9999)
        for _ in range(30):  # step halving where the likelihood would fall
            p_new, d_new = cells(new)
            ll_new = loglik(p_new)
            worse = active & (ll_new < ll - 1e-12)
            if not worse.any():
                break
            new = np.where(worse, (new + rho) / 2, new)
        moved = np.abs(new - rho)
        rho, p, d, ll = np.where(active, new, rho), p_new, d_new, np.where(active, ll_new, ll)
        iters[active] += 1
        active &= moved > tol
    return rho, iters, ~active


def _polyserial(x: np.ndarray, yidx: np.ndarray, tau: np.ndarray) -> tuple[float, bool]:
    """Two-step ML polyserial correlation of continuous x with ordinal y (categories 0..K-1)."""
    from scipy import optimize

    z = (x - x.mean()) / x.std()          # ML (N-divisor) standardisation, as lavaan
    t = np.concatenate([[-BOUND], tau, [BOUND]])
    c = yidx.astype(int)
    lo, hi = t[c], t[c + 1]

    def nll(r):
        s = np.sqrt(1 - r * r)
        pr = _special().ndtr((hi - r * z) / s) - _special().ndtr((lo - r * z) / s)
        return -np.log(np.maximum(pr, 1e-300)).sum()

    res = optimize.minimize_scalar(nll, bounds=(-0.9999, 0.9999), method="bounded",
                                   options={"xatol": 1e-10, "maxiter": 500})
    return float(res.x), bool(res.success)


def polychoric(data: pd.DataFrame, items: list[str] | None = None, missing: Missing = "listwise",
               max_categories: int = MAX_CATEGORIES, continuous: Sequence[str] | None = None) -> PolychoricResult:
    """Polychoric (ordinal-ordinal), polyserial (ordinal-continuous) and Pearson correlations.

    Parameters
    ----------
    data
        Numeric responses, one row per respondent.
    items
        Columns to use (default: all).
    missing
        ``"listwise"`` (default): rows with any missing item are left out, and the number used is
        reported; ``"pairwise"``: each pair uses the rows where both are present, and thresholds
        each item's own non-missing rows (psych's ``global = TRUE`` convention).
    max_categories
        Integer-valued columns with at most this many distinct values are ordinal; others continuous.
    continuous
        If given, exactly these items are continuous and the others ordinal (as lavaan's
        ``ordered =``), whatever their values.

    Returns
    -------
    PolychoricResult

    Notes
    -----
    R: ``lavaan::lavCor(data, ordered = items)``; ``psych::polychoric(x)$rho`` gives the same
    estimates (to its optimiser's 1e-4 tolerance) when no item has unused categories.
    Empty cells in a pair's table are kept as zeros (no continuity correction) and reported
    per pair. The matrix is not smoothed; a warning says when it is not positive definite.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.multivariate_normal([0, 0], [[1, .5], [.5, 1]], size=4000)
    >>> x = pd.DataFrame(np.searchsorted([-1, 0, 1], z) + 1, columns=["a", "b"])
    >>> r = polychoric(x)
    >>> bool(abs(r.rho.loc["a", "b"] - 0.5) < 0.05)
    True
    """
    validate_option("missing", missing, Missing)
    items = list(items) if items is not None else list(data.columns)
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise CorrelationError(f"item(s) {absent} are not in the data")
    if len(items) < 2:
        raise CorrelationError("correlations need at least two items")
    X, _ = apply_declared_missing(data[items])   # SPSS user-missing declarations
    text = [c for c in items if not pd.api.types.is_numeric_dtype(X[c])]
    if text:
        raise CorrelationError(f"item(s) {text} hold text; validate or recode them to numbers first")
    X = X.astype(float)
    notes: list[str] = []
    n_all = len(X)
    if missing == "listwise":
        keep = X.notna().all(axis=1).to_numpy()
        X = X[keep]
        if keep.sum() < n_all:
            notes.append(f"listwise: {n_all - int(keep.sum())} of {n_all} rows with a missing item left out")
    empty = [c for c in items if X[c].notna().sum() == 0]
    if empty:
        raise CorrelationError(f"item(s) {empty} have no valid answers" +
                               (" in the rows complete on all items; try missing='pairwise'" if missing == "listwise" else ""))
    const = [c for c in items if X[c].nunique() < 2]
    if const:
        raise CorrelationError(f"item(s) {const} are constant (one answer only); leave them out")
    if len(X) < 3:
        raise CorrelationError(f"only {len(X)} usable rows")

    kinds, idx, thresholds = {}, {}, {}
    for c in items:
        col = X[c]
        vals = col.dropna().to_numpy()
        declared = None if continuous is None else c not in continuous
        if declared if declared is not None else (np.all(vals == np.round(vals)) and len(np.unique(vals)) <= max_categories):
            kinds[c] = "ordinal"
            i, obs, nts = _codes(col, c)
            notes += nts
            idx[c] = i
            thresholds[c] = _thresholds(i, len(obs))
        else:
            kinds[c] = "continuous"
    for nt in notes:
        if "unused" in nt:
            warnings.warn(f"polychoric: {nt}", DataWarning, stacklevel=2)

    k = len(items)
    R = np.eye(k)
    rows = []
    ordinal = [c for c in items if kinds[c] == "ordinal"]
    if len(ordinal) >= 2:
        Kmax = max(len(thresholds[c]) + 1 for c in ordinal)
        codes = np.column_stack([idx[c] for c in ordinal])
        a_idx, b_idx = np.triu_indices(len(ordinal), k=1)
        P = len(a_idx)
        # every pair's table at once: the cross-product of the items' one-hot category indicators
        # (a missing answer has no indicator, so each pair counts its complete rows)
        n_ord = len(ordinal)
        onehot = np.zeros((len(codes), n_ord * Kmax))
        rows_, cols_ = np.nonzero(~np.isnan(codes))
        onehot[rows_, cols_ * Kmax + codes[rows_, cols_].astype(np.int64)] = 1.0
        cross = (onehot.T @ onehot).reshape(n_ord, Kmax, n_ord, Kmax)
        tables = np.ascontiguousarray(cross[a_idx, :, b_idx, :])

        def padded(c):
            t = np.full(Kmax + 1, BOUND)
            t[0] = -BOUND
            t[1:len(thresholds[c]) + 1] = np.clip(thresholds[c], -BOUND, BOUND)
            return t

        T = np.array([padded(c) for c in ordinal])
        # start from Pearson correlations of the category codes (pairwise complete)
        from ..scoring.careless import pairwise_corr

        start = np.nan_to_num(pairwise_corr(codes)[a_idx, b_idx])
        rho, iters, conv = _fit_polychoric(tables, T[a_idx], T[b_idx], start)
        for p in range(P):
            ci, cj = ordinal[a_idx[p]], ordinal[b_idx[p]]
            Ki, Kj = len(thresholds[ci]) + 1, len(thresholds[cj]) + 1
            n_emp = int((tables[p, :Ki, :Kj] == 0).sum())
            ii, jj = items.index(ci), items.index(cj)
            R[ii, jj] = R[jj, ii] = rho[p]
            rows.append({"item1": ci, "item2": cj, "method": "polychoric", "n": int(tables[p].sum()),
                         "empty_cells": n_emp, "iterations": int(iters[p]), "converged": bool(conv[p])})
    for a in range(k):
        for b in range(a + 1, k):
            ca, cb = items[a], items[b]
            if kinds[ca] == "ordinal" and kinds[cb] == "ordinal":
                continue
            ok = X[[ca, cb]].notna().all(axis=1).to_numpy()
            xa, xb = X[ca].to_numpy()[ok], X[cb].to_numpy()[ok]
            if kinds[ca] == "continuous" and kinds[cb] == "continuous":
                r, conv_ = float(np.corrcoef(xa, xb)[0, 1]), True
                method = "pearson"
            else:
                cont, ordn = (xa, cb) if kinds[ca] == "continuous" else (xb, ca)
                yi = idx[ordn][ok]
                r, conv_ = _polyserial(cont, yi, thresholds[ordn])
                method = "polyserial"
            R[a, b] = R[b, a] = r
            rows.append({"item1": ca, "item2": cb, "method": method, "n": int(ok.sum()), "empty_cells": 0,
                         "iterations": 0, "converged": conv_})
    pairs = pd.DataFrame(rows, columns=["item1", "item2", "method", "n", "empty_cells", "iterations", "converged"])
    if (~pairs["converged"]).any():
        bad = pairs.loc[~pairs["converged"], ["item1", "item2"]].values.tolist()
        warnings.warn(f"polychoric: no convergence for pair(s) {bad[:10]}", DataWarning, stacklevel=2)
    if (pairs["empty_cells"] > 0).any():
        ne = int((pairs["empty_cells"] > 0).sum())
        notes.append(f"{ne} pair(s) have empty cells in their contingency table (kept as zeros; see pairs)")
    eig = np.linalg.eigvalsh(R)
    if eig.min() <= 0:
        notes.append(f"the matrix is not positive definite (smallest eigenvalue {eig.min():.3g})")
        warnings.warn(f"polychoric: {notes[-1]}; models that need an inverse will fail on it",
                      DataWarning, stacklevel=2)
    n_used = int(len(X)) if missing == "listwise" else int(pairs["n"].min())
    fingerprint = data_fingerprint(data)
    meta = {"package_version": __version__, "data": fingerprint, "data_sha256": fingerprint["sha256"], "missing": missing,
            "n_rows": n_all, "seed": None, "estimator": "two-step ML", "notes": notes}
    return PolychoricResult(rho=pd.DataFrame(R, index=items, columns=items), thresholds=thresholds, kinds=kinds,
                            pairs=pairs, nobs=n_used, meta=meta)
