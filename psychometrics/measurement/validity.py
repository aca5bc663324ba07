"""Convergent and discriminant validity of the most specific scales of an instrument: composite
reliability (CR) and average variance extracted (AVE) from one CFA of all of them, the
Fornell-Larcker criterion and the heterotrait-monotrait ratio (HTMT).

R: ``semTools::compRelSEM``, ``semTools::AVE`` and ``lavInspect(fit, "cor.lv")`` on
``lavaan::cfa(model, std.lv = TRUE)``; ``semTools::htmt``.

References
----------
Fornell & Larcker (1981), *Journal of Marketing Research* 18, 39-50; Henseler, Ringle & Sarstedt
(2015), *Journal of the Academy of Marketing Science* 43, 115-135; Roemer, Schuberth & Henseler
(2021) on HTMT2.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import EstimationError, PsychometricsWarning
from ..instruments import Instrument
from ..instruments.keys import leaf_scales


@dataclass(frozen=True)
class Validity:
    """CR and AVE per leaf scale, factor correlations with sqrt(AVE) on the diagonal
    (Fornell-Larcker), HTMT, and notes on what was left out and why."""

    cr: dict[str, float] = field(default_factory=dict)
    ave: dict[str, float] = field(default_factory=dict)
    fornell_larcker: pd.DataFrame | None = None
    htmt: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def discriminant_validity(inst: Instrument, d: pd.DataFrame, fit: bool = True) -> Validity:
    """CR, AVE, Fornell-Larcker and HTMT of the leaf scales of ``inst`` (:func:`~psychometrics.instruments.leaf_scales`)
    on validated data ``d`` (complete cases of the leaf scales' items). ``fit=False`` skips the CFA.
    """
    notes: list[str] = []
    ht = fl = None
    cr_by: dict[str, float] = {}
    ave_by: dict[str, float] = {}
    # HTMT and the measurement model (CR, AVE, Fornell-Larcker) use the most specific scales:
    # a scale containing another (e.g. a total over its facets) is left out
    leaves = leaf_scales(inst.scoring)
    cols = [i for r in leaves for i in r.items]
    if len(set(cols)) < len(cols):
        notes.append("HTMT and measurement model not computed: the most specific scales share items")
    elif fit and leaves and all(len(r.items) >= (3 if len(leaves) == 1 else 2) for r in leaves):
        groups, start = [], 0
        for r in leaves:
            groups.append(np.arange(start, start + len(r.items)))
            start += len(r.items)
        Xr = np.column_stack([inst.keyed(r, d) for r in leaves])
        Xr = Xr[~np.isnan(Xr).any(axis=1)]
        names = [r.id for r in leaves]
        if len(leaves) < len(inst.scoring):
            left = [r.id for r in inst.scoring if r not in leaves]
            notes.append(f"HTMT and measurement model use the most specific scales; left out (they contain "
                         f"other scales): {', '.join(left)}")
        try:
            cr, ave, phi = measurement_model(Xr, groups)
        except EstimationError as exc:   # reliability still stands; say why CR/AVE are missing
            notes.append(f"CR, AVE and Fornell-Larcker not computed: the measurement model (one CFA of "
                         f"{', '.join(names)}) could not be estimated: {exc}")
            warnings.warn(notes[-1], PsychometricsWarning, stacklevel=3)
        else:
            M = phi.copy()
            np.fill_diagonal(M, np.sqrt(ave))
            fl = pd.DataFrame(M, index=names, columns=names)
            fails = [f"{a}-{b}" for i, a in enumerate(names) for j, b in enumerate(names)
                     if i < j and abs(phi[i, j]) >= min(np.sqrt(ave[i]), np.sqrt(ave[j]))]
            if fails:
                notes.append("Fornell-Larcker criterion not met (a factor correlation is at least the square root "
                             f"of an AVE) for: {', '.join(fails)}")
            cr_by = {n: float(c) for n, c in zip(names, cr)}
            ave_by = {n: float(a) for n, a in zip(names, ave)}
        if len(leaves) >= 2:
            R = np.corrcoef(Xr, rowvar=False)
            with np.errstate(divide="ignore", invalid="ignore"):
                ht = pd.DataFrame(htmt(R, groups, "htmt2"), index=names, columns=names)
            if not np.isfinite(ht.to_numpy()).all():
                notes.append("HTMT undefined (shown as missing) where items of a scale do not correlate at all")
                ht = ht.where(np.isfinite(ht.to_numpy()))
    return Validity(cr_by, ave_by, fl, ht, notes)


def measurement_model(X: np.ndarray, groups: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Composite reliability and AVE per factor, and factor correlations, from an ML CFA in which
    each group of columns measures one factor (variances 1, correlations free):

    .. math:: CR_f = \\frac{(\\sum_{i\\in f}\\lambda_i)^2}{\\mathbf 1' S_{ff} \\mathbf 1}, \\qquad
              AVE_f = \\frac{\\sum_{i\\in f}\\lambda_i^2}{\\sum_{i\\in f} S_{ii}}

    with the observed covariances S (divisor n), as ``semTools::compRelSEM`` and
    ``semTools::AVE`` (``obs.var = TRUE``) on ``lavaan::cfa(std.lv = TRUE)``; the CFA is fitted by
    :func:`psychometrics.sem.sem`.
    """
    S = np.cov(X, rowvar=False, ddof=0)
    if len(groups) == 1:
        # one factor: the ML CFA with std.lv is the one-factor ML factor analysis (the same
        # likelihood), which omega already fits without the SEM machinery; used when its solution
        # is interior (a Heywood case is left to the CFA, which does not bound the residuals)
        from .efa.ml import ml_loadings

        L, psi, ok = ml_loadings(S, 1)
        if ok and np.all(psi / np.diag(S) > 0.005 + 1e-6):
            lam = L[:, 0]
            return (np.array([lam.sum() ** 2 / S.sum()]), np.array([(lam ** 2).sum() / np.diag(S).sum()]),
                    np.eye(1))
    from ..sem import sem

    names = [f"i{j}" for j in range(X.shape[1])]
    syntax = "\n".join(f"F{f} =~ " + " + ".join(names[j] for j in g) for f, g in enumerate(groups))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sem(syntax, pd.DataFrame(X, columns=names), std_lv=True, progress=False)
    for w in caught:       # said of the model they concern (as lavaan warns on the same CFA)
        text = str(w.message).removeprefix("SEM: ")
        warnings.warn(f"measurement model for CR, AVE and Fornell-Larcker (one CFA of {len(groups)} scales, "
                      f"N = {len(X)}): {text}", PsychometricsWarning, stacklevel=3)
    if not res.converged:
        warnings.warn("measurement model (CFA) did not converge; CR and AVE are unreliable",
                      PsychometricsWarning, stacklevel=3)
    par = res.parameters
    loadings = np.zeros((X.shape[1], len(groups)))
    phi = np.eye(len(groups))
    for r in par.itertuples():
        if r.op == "=~":
            loadings[names.index(r.rhs), int(r.lhs[1:])] = r.est
        elif r.op == "~~" and r.lhs.startswith("F") and r.rhs.startswith("F") and r.lhs != r.rhs:
            a, b = int(r.lhs[1:]), int(r.rhs[1:])
            phi[a, b] = phi[b, a] = r.est
    cr, ave = [], []
    for f, g in enumerate(groups):
        lam = loadings[g, f]
        cr.append(lam.sum() ** 2 / S[np.ix_(g, g)].sum())
        ave.append((lam ** 2).sum() / np.diag(S)[g].sum())
    return np.array(cr), np.array(ave), phi


def htmt(R: np.ndarray, groups: list[np.ndarray], kind: Literal["htmt2", "htmt"] = "htmt2") -> np.ndarray:
    r"""Heterotrait-monotrait ratio of correlations for each pair of item groups.

    .. math:: \mathrm{HTMT}_{ij} = \frac{\bar r_{ij}}{\sqrt{\bar r_{ii}\,\bar r_{jj}}}

    with :math:`\bar r_{ij}` the mean absolute correlation between items of groups i and j and
    :math:`\bar r_{ii}` the mean absolute correlation among different items of group i:
    arithmetic means for ``"htmt"`` (Henseler et al., 2015), geometric means for ``"htmt2"``
    (Roemer, Schuberth & Henseler, 2021; the default of ``semTools::htmt``).

    >>> R = np.array([[1, .6, .3, .3], [.6, 1, .3, .3], [.3, .3, 1, .5], [.3, .3, .5, 1]])
    >>> g = [np.array([0, 1]), np.array([2, 3])]
    >>> bool(round(float(htmt(R, g, "htmt")[0, 1]), 6) == round(.3 / np.sqrt(.6 * .5), 6))
    True
    """
    A = np.abs(R)
    mean = (lambda v: float(np.exp(np.log(v).mean()))) if kind == "htmt2" else (lambda v: float(v.mean()))
    m = len(groups)
    out = np.eye(m)
    mono = [mean(A[np.ix_(g, g)][np.triu_indices(len(g), 1)]) if len(g) > 1 else np.nan for g in groups]
    for i in range(m):
        for j in range(i + 1, m):
            denom = math.sqrt(mono[i] * mono[j])
            # items of a scale that do not correlate at all: the ratio is undefined (missing), not an error
            out[i, j] = out[j, i] = mean(A[np.ix_(groups[i], groups[j])].ravel()) / denom if denom > 0 else np.nan
    return out


def cfa_validity(result, data: pd.DataFrame) -> Validity:
    r"""CR, AVE, Fornell-Larcker and HTMT of the factors of a fitted CFA (one group, simple
    structure), from its standardized solution:

    .. math:: CR_f = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i}, \qquad
              AVE_f = \frac{1}{k_f}\sum_i \lambda_i^2

    with standardized loadings :math:`\lambda` and residual variances :math:`\theta = 1 - \lambda^2`
    (Fornell & Larcker, 1981; Raykov, 1997); factor correlations from the fit; HTMT2 from the items'
    correlations over complete rows. R: the same formulas on ``standardizedSolution(fit)``;
    ``semTools::htmt(model, data)``. (``semTools::compRelSEM(fit, obs.var = FALSE)`` and ``AVE()``
    differ from these by up to 6e-3 under FIML.)
    """
    par = result.parameters
    load = par[par["op"] == "=~"]
    factors = list(dict.fromkeys(load["lhs"]))
    notes: list[str] = []
    cr, ave = {}, {}
    for f in factors:
        lam = load.loc[load["lhs"] == f, "std_all"].to_numpy(float)
        theta = 1 - lam ** 2
        cr[f] = float(lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum()))
        ave[f] = float((lam ** 2).mean())
    if (load["std_all"] < 0).any():
        neg = load.loc[load["std_all"] < 0, "rhs"].tolist()
        notes.append(f"negative loadings ({', '.join(neg)}: reverse-worded items) lower CR, which sums signed loadings "
                     "as semTools does; reverse-key them in the model data to avoid it")
    phi = np.eye(len(factors))
    cov = par[(par["op"] == "~~") & par["lhs"].isin(factors) & par["rhs"].isin(factors) & (par["lhs"] != par["rhs"])]
    for r in cov.itertuples():
        i, j = factors.index(r.lhs), factors.index(r.rhs)
        phi[i, j] = phi[j, i] = r.std_all
    M = phi.copy()
    np.fill_diagonal(M, np.sqrt(list(ave.values())))
    fl = pd.DataFrame(M, index=factors, columns=factors)
    fails = [f"{a}-{b}" for i, a in enumerate(factors) for j, b in enumerate(factors)
             if i < j and abs(phi[i, j]) >= min(math.sqrt(ave[a]), math.sqrt(ave[b]))]
    if fails:
        notes.append("Fornell-Larcker criterion not met for: " + ", ".join(fails))
    items = [list(load.loc[load["lhs"] == f, "rhs"]) for f in factors]
    cols = [i for g in items for i in g]
    X = data[cols].apply(pd.to_numeric, errors="coerce").dropna().to_numpy(float)
    groups, start = [], 0
    for g in items:
        groups.append(np.arange(start, start + len(g)))
        start += len(g)
    ht = None
    if len(factors) >= 2 and len(X) > 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            ht = pd.DataFrame(htmt(np.corrcoef(X, rowvar=False), groups, "htmt2"), index=factors, columns=factors)
        notes.append(f"HTMT over the {len(X)} respondents who answered every item of the model (semTools' listwise default)")
    return Validity(cr, ave, fl, ht, notes)
