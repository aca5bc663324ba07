"""Exploratory factor analysis that matches ``psych::fa``: factorability (KMO, Bartlett),
retention (parallel analysis, Velicer's MAP), extraction (minres, ML, principal axis) on Pearson
or polychoric correlations, rotation (varimax, promax, oblimin, quartimin, geomin, target),
communalities, variance explained, Heywood cases, factor scores and plots.

R equivalents: ``psych::KMO``, ``psych::cortest.bartlett``, ``psych::fa.parallel``,
``psych::VSS`` (MAP), ``psych::fa(r, nfactors, fm, rotate)``, ``psych::factor.scores``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..._options import validate_count, validate_option, validate_seed
from ..._version import __version__
from ...exceptions import EFAWarning, EstimationError, OptionError, PsychometricsError
from ...reporting.result import ResultBase
from ...reporting.summary import Summary, jsonable
from ...responses.io import apply_declared_missing, data_fingerprint
from . import extraction
from . import rotation as rot
from .extraction import Method
from .factorability import bartlett, kmo
from .retention import ParallelAnalysis, parallel_analysis, velicer_map

Rotation = Literal["oblimin", "quartimin", "geomin", "promax", "varimax", "target", "none"]
OBLIQUE = ("oblimin", "quartimin", "geomin", "promax", "target")


# --------------------------------------------------------------------------- rotation
def _rotate(L: np.ndarray, rotation: str, target: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None, bool]:
    m = L.shape[1]
    if m == 1 or rotation == "none":
        return L, None, True
    if rotation == "varimax":
        return rot.varimax(L)[0], None, True
    if rotation == "promax":
        Lr, Phi = rot.promax(L)
        return Lr, Phi, True
    if rotation in ("oblimin", "quartimin"):
        Lr, Phi, _, ok = rot.gpa_oblique(L)
    elif rotation == "geomin":
        Lr, Phi, _, ok = rot.gpa_oblique(L, criterion=rot.geomin_criterion)
    elif rotation == "target":
        if target is None or target.shape != L.shape:
            raise PsychometricsError(f"rotation='target' needs a target matrix of shape {L.shape} (NaN = unspecified)")
        Lr, Phi, _, ok = rot.gpa_oblique(L, criterion=rot.target_criterion(target))
    else:
        raise PsychometricsError(f"unknown rotation {rotation!r}; use one of "
                                 "oblimin, quartimin, geomin, promax, varimax, target, none")
    return Lr, Phi, ok


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, repr=False)
class EFAResult(ResultBase):
    """A fitted exploratory factor model.

    ``loadings`` (items x factors; pattern matrix for oblique rotations), ``phi`` (factor
    correlations, identity for orthogonal ones), ``communalities``, ``uniquenesses``,
    ``variance`` (SS loadings, proportion, cumulative), ``kmo``, ``bartlett``, ``parallel`` and
    ``map`` when asked, ``heywood`` (items with communality >= .995).
    """

    n_factors: int
    method: str
    rotation: str
    cor: str
    nobs: int
    loadings: pd.DataFrame
    phi: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: np.ndarray
    kmo: tuple[float, pd.Series]
    bartlett: tuple[float, int, float]
    parallel: ParallelAnalysis | None
    map: tuple[np.ndarray, int] | None
    heywood: list[str]
    converged: bool
    correlation: pd.DataFrame = field(repr=False)
    meta: dict = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        return list(self.loadings.index)

    def structure(self) -> pd.DataFrame:
        """Structure matrix: correlations of items with factors (loadings x Phi)."""
        return self.loadings @ self.phi

    def sorted_loadings(self, cutoff: float = 0.3) -> pd.DataFrame:
        """Items grouped by their largest loading, blanks below ``cutoff`` (as psych's print)."""
        L = self.loadings
        main = L.abs().to_numpy().argmax(axis=1)
        order = sorted(range(len(L)), key=lambda i: (main[i], -abs(L.iloc[i, main[i]])))
        out = L.iloc[order].copy()
        shown = out.where(out.abs() >= cutoff)
        shown["h2"] = self.communalities.iloc[order]
        shown["u2"] = self.uniquenesses.iloc[order]
        return shown

    def scores(self, data: pd.DataFrame, method: Literal["regression", "bartlett"] = "regression") -> pd.DataFrame:
        """Factor scores of the rows of ``data`` (standardised with the sample SD, divisor n - 1).

        regression (Thurstone): :math:`W = R^{-1}\\Lambda\\Phi`; Bartlett:
        :math:`W = U^{-2}\\Lambda(\\Lambda'U^{-2}\\Lambda)^{-1}`. Rows with a missing item get NaN
        scores (nothing is imputed). R: ``psych::factor.scores(x, f, method = "Thurstone" | "Bartlett")``.
        """
        validate_option("method", method, ("regression", "bartlett"))
        X = data[self.items].to_numpy(dtype=float)
        Z = (X - np.nanmean(X, axis=0)) / np.nanstd(X, axis=0, ddof=1)
        L, Phi, R = self.loadings.to_numpy(), self.phi.to_numpy(), self.correlation.to_numpy()
        if method == "regression":
            W = np.linalg.solve(R, L @ Phi)
        else:
            Ui = np.diag(1 / self.uniquenesses.to_numpy())
            W = Ui @ L @ np.linalg.inv(L.T @ Ui @ L)
        S = Z @ W
        S[np.isnan(Z).any(axis=1)] = np.nan
        return pd.DataFrame(S, index=data.index, columns=self.loadings.columns)

    @property
    def n_obs(self) -> int:
        """Same as :attr:`nobs` (the name before 0.2)."""
        return self.nobs

    def _repr_fields(self) -> dict:
        return {"n_factors": self.n_factors, "method": self.method, "rotation": self.rotation}

    def to_frame(self) -> pd.DataFrame:
        return self.loadings.assign(h2=self.communalities, u2=self.uniquenesses)

    def to_dict(self) -> dict:
        out = {"n_factors": self.n_factors, "method": self.method, "rotation": self.rotation, "cor": self.cor,
               "n_obs": self.nobs, "nobs": self.nobs, "items": self.items, "factors": list(self.loadings.columns),
               "loadings": jsonable(self.loadings.to_numpy()), "phi": jsonable(self.phi.to_numpy()),
               "communalities": jsonable(self.communalities.to_numpy()),
               "uniquenesses": jsonable(self.uniquenesses.to_numpy()),
               "variance": jsonable(self.variance.reset_index(names="factor")),
               "kmo": {"overall": self.kmo[0], "items": jsonable(self.kmo[1].to_numpy())},
               "bartlett": {"chisq": self.bartlett[0], "df": self.bartlett[1], "p": self.bartlett[2],
                            "pvalue": self.bartlett[2]},
               "heywood": self.heywood, "converged": self.converged, "meta": jsonable(self.meta)}
        if self.parallel is not None:
            out["parallel"] = self.parallel.to_dict()
        if self.map is not None:
            out["map"] = {"values": jsonable(self.map[0]), "suggested_factors": self.map[1]}
        return jsonable(out)

    def summary(self, cutoff: float = 0.3) -> Summary:
        header = [f"{self.n_factors} factor(s), {self.method}, {self.rotation} rotation, {self.cor} correlations, "
                  f"n = {self.nobs}",
                  f"KMO = {self.kmo[0]:.3f}; Bartlett chi2({self.bartlett[1]}) = {self.bartlett[0]:.2f}, "
                  f"p = {self.bartlett[2]:.3g}"]
        if self.parallel is not None:
            header.append(f"parallel analysis suggests {self.parallel.suggested_factors} factor(s) and "
                          f"{self.parallel.suggested_components} component(s)")
        if self.map is not None:
            header.append(f"Velicer's MAP suggests {self.map[1]} factor(s)")
        header += [f"note: {n}" for n in self.meta.get("notes", [])] + self.provenance.header()
        shown = self.sorted_loadings(cutoff)
        factors = list(self.loadings.columns)
        shown[factors] = shown[factors].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")  # blanks below the cut-off
        tables = [(f"Loadings (|loading| >= {cutoff} shown)", shown.reset_index(names="item")),
                  ("Variance explained", self.variance.reset_index(names="factor"))]
        if self.rotation in OBLIQUE and self.n_factors > 1:
            tables.append(("Factor correlations", self.phi.reset_index(names="factor")))
        return Summary("Exploratory factor analysis", header, tables)

    def plot_scree(self, path: str) -> None:
        """Scree plot with parallel-analysis thresholds (PNG or SVG by extension)."""
        from ...reporting.plots import scree

        scree(self, path)

    def plot_loadings(self, path: str) -> None:
        """Loadings heatmap (PNG or SVG by extension)."""
        from ...reporting.plots import loadings_heatmap

        loadings_heatmap(self, path)



def correlation_matrix(data: pd.DataFrame, items: list[str], cor: str,
                       missing: Literal["listwise", "pairwise"]) -> tuple[np.ndarray, int]:
    X, _ = apply_declared_missing(data[items])   # SPSS user-missing declarations
    if cor == "polychoric":
        from ..correlations import polychoric

        res = polychoric(X, items, missing=missing)
        return res.rho.to_numpy(), res.n
    if cor != "pearson":
        raise PsychometricsError(f"cor must be 'pearson' or 'polychoric', not {cor!r}")
    if missing == "listwise":
        X = X.dropna()
        return np.corrcoef(X.to_numpy(dtype=float), rowvar=False), len(X)
    return X.astype(float).corr().to_numpy(), len(X)


def efa(data: pd.DataFrame, items: list[str] | None = None, factors: int | Literal["parallel", "map"] = "parallel",
        method: Method = "minres", rotation: Rotation = "oblimin", cor: Literal["pearson", "polychoric"] = "pearson",
        missing: Literal["pairwise", "listwise"] = "pairwise", n_iter: int = 20, quantile: float | None = 0.95,
        seed: int | None = None, target: np.ndarray | None = None, progress: bool = True) -> EFAResult:
    """Exploratory factor analysis (``psych::fa``).

    Parameters
    ----------
    data, items
        Responses and the columns to analyse (default: all numeric columns).
    factors
        A number, or ``"parallel"`` (parallel analysis, as ``psych::fa.parallel``) or ``"map"``
        (Velicer's MAP) to choose it.
    method
        ``"minres"`` (psych's default), ``"ml"`` or ``"pa"`` (iterated principal axis).
    rotation
        ``"oblimin"`` (psych's default; = quartimin), ``"quartimin"``, ``"geomin"`` (oblique,
        delta .01), ``"promax"``, ``"varimax"``, ``"target"`` (with ``target``), ``"none"``.
    cor, missing
        Pearson or polychoric correlations; pairwise (psych's default) or listwise deletion.
    n_iter, quantile, seed
        Parallel analysis: simulated data sets, the quantile compared with (psych's .95), seed.

    Returns
    -------
    EFAResult
        Loadings (pattern matrix for oblique rotations), factor correlations, communalities,
        uniquenesses, variance explained, KMO, Bartlett's test, and parallel analysis or MAP when
        they chose the number of factors.

    Notes
    -----
    Factors are ordered by variance explained and signed so their loadings sum positive, as psych does.

    R: ``psych::fa(r, nfactors, n.obs, fm = "minres", rotate = "oblimin")``,
    ``psych::fa.parallel(x, fa = "both")``, ``psych::VSS(x)$map``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(500, 2))
    >>> X = np.hstack([F[:, [0]] * .7 + rng.normal(size=(500, 3)) * .7, F[:, [1]] * .7 + rng.normal(size=(500, 3)) * .7])
    >>> res = efa(pd.DataFrame(X, columns=list("abcdef")), factors="parallel", seed=1, progress=False)
    >>> res.n_factors, [int(np.argmax(np.abs(r))) for r in res.loadings.to_numpy()] in ([0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0])
    (2, True)
    """
    validate_option("method", method, Method)
    validate_option("rotation", rotation, Rotation)
    validate_option("cor", cor, ("pearson", "polychoric"))
    validate_option("missing", missing, ("pairwise", "listwise"))
    validate_count("n_iter", n_iter, 1)
    validate_seed("seed", seed)
    if not (isinstance(factors, int) and factors >= 1) and factors not in ("parallel", "map"):
        raise OptionError(f"factors={factors!r}: give a number of factors (1 or more), \"parallel\" or \"map\"",
                          argument="factors")
    items = list(items) if items is not None else [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    absent = [i for i in items if i not in data.columns]
    if absent:
        raise PsychometricsError(f"item(s) {absent} are not in the data")
    if len(items) < 3:
        raise PsychometricsError("factor analysis needs at least three items")
    text = [c for c in items if not pd.api.types.is_numeric_dtype(data[c])]
    if text:
        raise PsychometricsError(f"item(s) {text} hold text; validate or recode them first")
    const = [c for c in items if data[c].nunique(dropna=True) < 2]
    if const:
        raise PsychometricsError(f"item(s) {const} are constant or empty; leave them out")
    notes: list[str] = []
    R, n_obs = correlation_matrix(data, items, cor, missing)
    if np.isnan(R).any():
        raise PsychometricsError("some item pairs were never answered together; use missing='pairwise' with more "
                                 "data or leave those items out")
    eig = np.linalg.eigvalsh(R)
    if eig.min() < 1e-8:
        raise EstimationError(f"the correlation matrix is singular (smallest eigenvalue {eig.min():.2g}): an item is "
                              "a linear combination of others; leave out duplicated items")
    if eig.min() < 1e-3:
        notes.append(f"the correlation matrix is nearly singular (smallest eigenvalue {eig.min():.2g})")
        warnings.warn(f"EFA: {notes[-1]}; estimates may be unstable", EFAWarning, stacklevel=2)
    k_all, k_items = kmo(R)
    bart = bartlett(R, n_obs)
    pa = mp = None
    if factors == "parallel":
        pa = parallel_analysis(R, n_obs, n_iter, quantile, method, seed, progress)
        n = max(pa.suggested_factors, 1)
    elif factors == "map":
        mp = velicer_map(R)
        n = mp[1]
    else:
        n = int(factors)
    p = len(items)
    dof = ((p - n) ** 2 - (p + n)) / 2
    if n < 1 or n >= p:
        raise PsychometricsError(f"{n} factors for {p} items: choose between 1 and {p - 1}")
    if dof < 0:
        raise EstimationError(f"{n} factors are more than {p} items can identify (degrees of freedom {dof:g}); "
                              "use fewer factors")
    L0, values, ok = extraction.extract(R, n, method)
    L, Phi, ok_rot = _rotate(L0, rotation, target)
    if not (ok and ok_rot):
        notes.append("the " + ("extraction" if not ok else "rotation") + " did not converge")
        warnings.warn(f"EFA: {notes[-1]}; results are unreliable", EFAWarning, stacklevel=2)
    Phi = np.eye(n) if Phi is None else Phi
    s = np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    L, Phi = L * s, Phi * np.outer(s, s)
    ss = np.diag(Phi @ L.T @ L)
    order = np.argsort(-ss, kind="stable") if n > 1 else np.arange(n)
    L, Phi, ss = L[:, order], Phi[np.ix_(order, order)], ss[order]
    h2 = ((L @ Phi) * L).sum(axis=1)
    prefix = {"minres": "MR", "ml": "ML", "pa": "PA"}[method]   # psych's factor names
    names = [f"{prefix}{i + 1}" for i in range(n)]
    heywood = [it for it, h in zip(items, h2) if h >= 0.995]
    if heywood:
        notes.append(f"Heywood case: communality >= .995 for {', '.join(heywood)}")
        warnings.warn(f"EFA: {notes[-1]}; the solution is improper (too many factors, or an item duplicates "
                      "another)", EFAWarning, stacklevel=2)
    variance = pd.DataFrame({"ss_loadings": ss, "proportion": ss / p, "cumulative": np.cumsum(ss) / p}, index=names)
    fingerprint = data_fingerprint(data)
    meta = {"package_version": __version__, "data": fingerprint, "data_sha256": fingerprint["sha256"], "missing": missing,
            "seed": seed, "estimator": method, "notes": notes}
    return EFAResult(
        n_factors=n, method=method, rotation=rotation if n > 1 else "none", cor=cor, nobs=n_obs,
        loadings=pd.DataFrame(L, index=items, columns=names), phi=pd.DataFrame(Phi, index=names, columns=names),
        communalities=pd.Series(h2, index=items), uniquenesses=pd.Series(1 - h2, index=items), variance=variance,
        eigenvalues=values, kmo=(k_all, pd.Series(k_items, index=items)), bartlett=bart, parallel=pa, map=mp,
        heywood=heywood, converged=bool(ok and ok_rot), correlation=pd.DataFrame(R, index=items, columns=items),
        meta=meta)
