r"""Regressions of scale scores (or a category) on context variables, for teachers nested in
schools: OLS with cluster-robust SEs, a proportional-odds logit for ordered categories, and a
linear mixed model with random school intercepts.

* ``kind="ols"``: :math:`y = X\beta + e`; with ``cluster`` the CR1 covariance
  :math:`\frac{G}{G-1}\frac{N-1}{N-K}(X'X)^{-1}\left(\sum_g X_g'\hat e_g\hat e_g'X_g\right)(X'X)^{-1}`
  and t tests on G - 1 df (Cameron & Miller, 2015).
* ``kind="ordinal"``: :math:`\mathrm{logit}\,P(y \le k) = \zeta_k - x'\beta` by ML; cut points
  and their SEs are reported as ``MASS::polr`` does.
* ``kind="mixed"``: :math:`y_{ij} = x_{ij}'\beta + u_j + e_{ij}` by REML, with the variance of the
  school intercepts, the residual variance and the ICC :math:`\tau^2/(\tau^2 + \sigma^2)`.

Categorical predictors (text columns, or those named in ``categorical``) enter as treatment
dummies against their first level. Rows missing the outcome, a predictor or the cluster are left
out, and the result says how many.

References
----------
Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference.
*Journal of Human Resources, 50*, 317-372. McCullagh, P. (1980). Regression models for ordinal data.
*JRSS B, 42*, 109-142. Bates, D., Maechler, M., Bolker, B., & Walker, S. (2015). Fitting linear
mixed-effects models using lme4. *Journal of Statistical Software, 67*(1).
R: ``sandwich::vcovCL(lm(y ~ x), cluster = ~school, type = "HC1")``; ``MASS::polr(factor(y) ~ x,
Hess = TRUE)``; ``lme4::lmer(y ~ x + (1 | school))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._version import __version__
from ..exceptions import OptionError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from . import _backends

RegressionKind = Literal["ols", "ordinal", "mixed"]


@dataclass(frozen=True, repr=False)
class RegressionResult(ResultBase):
    """Coefficients of one regression.

    Attributes
    ----------
    coefficients : DataFrame
        ``term``, ``estimate``, ``SE``, ``statistic`` (t or z), ``p``, ``ci_low``, ``ci_high``;
        ordinal models add the cut points as ``term`` ``y <= k`` rows.
    outcome, kind : str
    nobs : int
        Rows used.
    stats : dict
        ``r2`` (OLS), ``clusters``, ``df`` of the t tests, ``var_intercept``, ``var_residual``,
        ``icc`` (mixed), ``loglik``.
    """

    coefficients: pd.DataFrame
    outcome: str
    kind: str
    nobs: int
    stats: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"outcome": self.outcome, "kind": self.kind}

    def summary(self) -> Summary:
        what = {"ols": "OLS" + (", SEs clustered by " + str(self.meta.get("cluster")) if self.meta.get("cluster") else ""),
                "ordinal": "proportional-odds logit (ML)", "mixed": f"random intercepts of {self.meta.get('cluster')} (REML)"}
        header = [f"{self.outcome}: {what[self.kind]}; N = {self.nobs}",
                  "; ".join(f"{k} = {v:.3f}" if isinstance(v, float) else f"{k} = {v}" for k, v in self.stats.items()),
                  f"psychometrics {__version__}", *[f"note: {n}" for n in self.meta.get("notes", [])]]
        return Summary(f"Regression of {self.outcome}", header, [("Coefficients", self.coefficients)], apa=True)

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients

    def to_dict(self) -> dict:
        return jsonable({"meta": self.meta, "outcome": self.outcome, "kind": self.kind, "nobs": self.nobs,
                         "stats": self.stats, "coefficients": self.coefficients})


def design(data: pd.DataFrame, predictors: list[str], categorical: list[str] | None = None,
           labels: dict | None = None, intercept: bool = True) -> pd.DataFrame:
    """The model matrix: numeric predictors as they are, categorical ones as treatment dummies
    named ``column[level]`` against their first level (R's default contrasts).

    >>> design(pd.DataFrame({"loc": [1, 2, 2], "yrs": [3, 4, 5]}), ["loc", "yrs"], ["loc"],
    ...        {"loc": {1: "urban", 2: "rural"}}).to_dict("list")
    {'(Intercept)': [1.0, 1.0, 1.0], 'loc[rural]': [0.0, 1.0, 1.0], 'yrs': [3.0, 4.0, 5.0]}
    """
    as_category = set(categorical or [])
    labels = labels or {}
    cols: dict[str, np.ndarray] = {"(Intercept)": np.ones(len(data))} if intercept else {}
    for p in predictors:
        col = data[p]
        if p in as_category or not pd.api.types.is_numeric_dtype(col):
            levels = sorted(col.dropna().unique(), key=lambda v: (str(type(v)), v))
            for lev in levels[1:]:
                cols[f"{p}[{labels.get(p, {}).get(lev, lev)}]"] = (col == lev).to_numpy(float)
        else:
            cols[p] = col.to_numpy(float)
    return pd.DataFrame(cols, index=data.index)


def regress(data: pd.DataFrame, outcome: str, predictors: list[str], kind: RegressionKind = "ols",
            cluster: str | None = None, categorical: list[str] | None = None, labels: dict | None = None,
            confidence: float = 0.95) -> RegressionResult:
    """Regress ``outcome`` on ``predictors`` (see the module docstring for the models).

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Scale score (``ols``, ``mixed``) or ordered category codes (``ordinal``).
    predictors : list of str
    kind : {"ols", "ordinal", "mixed"}
    cluster : str, optional
        Cluster column (schools): cluster-robust SEs for ``ols``; required for ``mixed``.
    categorical : list of str, optional
        Numeric code columns to treat as categories.
    labels : dict, optional
        ``{column: {code: label}}`` for the dummies' names.
    confidence : float

    Returns
    -------
    RegressionResult

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> school = np.repeat(np.arange(20), 10)
    >>> df = pd.DataFrame({"x": rng.normal(size=200), "school": school})
    >>> df["y"] = 0.5 * df["x"] + rng.normal(size=20)[school] + rng.normal(size=200)
    >>> res = regress(df, "y", ["x"], cluster="school")
    >>> res.coefficients["term"].tolist(), res.stats["clusters"], res.stats["df"]
    (['(Intercept)', 'x'], 20, 19.0)
    """
    if kind not in ("ols", "ordinal", "mixed"):
        raise OptionError(f"kind {kind!r}: use 'ols', 'ordinal' or 'mixed'", "kind")
    if kind == "mixed" and cluster is None:
        raise OptionError("a mixed model needs the cluster column (e.g. cluster='school')", "cluster")
    if kind == "ordinal" and cluster is not None:
        raise OptionError("cluster-robust SEs are not offered for the ordinal logit; use kind='mixed' or 'ols' with "
                          "cluster, or leave cluster out", "cluster")
    needed = [outcome, *predictors] + ([cluster] if cluster else [])
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise OptionError(f"column(s) {', '.join(missing)} not in the data; available: {', '.join(map(str, data.columns))}",
                          "predictors")
    ok = data[needed].notna().all(axis=1)
    frame = data.loc[ok]
    notes = [f"listwise: {int((~ok).sum())} of {len(data)} rows missing {outcome}, a predictor or the cluster left out"] \
        if (~ok).any() else []
    X = design(frame, predictors, categorical, labels, intercept=kind != "ordinal")
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise OptionError(f"the predictors of {outcome} are collinear (a dummy or column is a combination of the others: "
                          f"{', '.join(X.columns)}); leave one out", "predictors")
    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(float)
    groups = frame[cluster].astype(str).to_numpy() if cluster else None
    st: dict = {}
    if kind == "ols":
        r = _backends.ols(y, X.to_numpy(), groups)
        st = {"r2": r["r2"], "df": r["df"]}
    elif kind == "mixed":
        assert groups is not None
        r = _backends.mixed(y, X.to_numpy(), groups)
        st = {"var_intercept": r["var_intercept"], "var_residual": r["var_residual"],
              "icc": r["var_intercept"] / (r["var_intercept"] + r["var_residual"]), "reml_loglik": r["reml"]}
        notes += r["notes"]
    else:
        codes = np.sort(np.unique(y))
        r = _backends.ordinal_logit(np.searchsorted(codes, y), X.to_numpy())
        st = {"loglik": r["loglik"], "categories": len(codes)}
    if groups is not None:
        st["clusters"] = int(len(np.unique(groups)))
    est, se = np.asarray(r["estimate"]), np.asarray(r["se"])
    terms = list(X.columns)
    if kind == "ordinal":
        est, se = np.r_[est, r["zeta"]], np.r_[se, r["zeta_se"]]
        terms += [f"{outcome} <= {c:g}" for c in codes[:-1]]
    stat = est / se
    if r["test"] == "t":
        p, q = 2 * stats.t.sf(np.abs(stat), r["df"]), stats.t.ppf(0.5 + confidence / 2, r["df"])
    else:
        p, q = 2 * stats.norm.sf(np.abs(stat)), stats.norm.ppf(0.5 + confidence / 2)
    coef = pd.DataFrame({"term": terms, "estimate": est, "SE": se, "statistic": stat, "p": p,
                         "ci_low": est - q * se, "ci_high": est + q * se})
    meta = {"package_version": __version__, "kind": kind, "cluster": cluster, "confidence": confidence, "notes": notes,
            "engine": {"ols": "statsmodels OLS", "ordinal": "statsmodels OrderedModel", "mixed": "statsmodels MixedLM"}[kind],
            "test": r["test"]}
    return RegressionResult(coefficients=coef, outcome=outcome, kind=kind, nobs=int(len(frame)), stats=st, meta=meta)
