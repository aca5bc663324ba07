r"""Descriptives of clustered data (teachers nested in schools): ICC(1) and ICC(2) per variable
from the one-way ANOVA, the design effect, and the pooled within-cluster and between-cluster
correlations, as psych's ``statsBy``.

With :math:`C` clusters of sizes :math:`n_c` (N rows), cluster means :math:`\bar x_c` and grand
mean :math:`\bar x` (weighted by the sizes),

.. math:: MS_b = \frac{\sum_c n_c(\bar x_c - \bar x)^2}{C - 1},\quad
          MS_w = \frac{\sum_c (n_c - 1)s_c^2}{\sum_c (n_c - 1)},\quad
          ICC_1 = \frac{MS_b - MS_w}{MS_b + (\bar n - 1)MS_w},\quad ICC_2 = \frac{MS_b - MS_w}{MS_b},

with :math:`\bar n = N/C` (statsBy's ``npr``) and the design effect :math:`1 + (\bar n - 1)ICC_1`
(Kish, 1965). The within correlations are those of the deviations from the cluster means, the
between correlations those of the cluster means given to each row (so weighted by cluster size),
each over the rows where both are present (a row's cluster mean is present when anyone in its
cluster answered, as statsBy).

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein &
S. W. Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations* (pp. 349-381).
Kish, L. (1965). *Survey sampling*. Wiley. R: ``psych::statsBy(data, group = cluster)`` (``ICC1``,
``ICC2``, ``rwg``, ``rbg``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import PsychometricsError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable


@dataclass(frozen=True, repr=False)
class ClusteringResult(ResultBase):
    """ICCs and design effects per variable, and within/between correlations.

    Attributes
    ----------
    table : DataFrame
        One row per variable: ``n``, ``clusters``, ``mean_size``, ``ms_between``, ``ms_within``,
        ``F``, ``icc1``, ``icc2``, ``design_effect``.
    r_within, r_between : DataFrame
        Pooled within-cluster and between-cluster correlations.
    nobs : int
        Rows used.
    meta : dict
        Provenance and notes.
    """

    table: pd.DataFrame
    r_within: pd.DataFrame
    r_between: pd.DataFrame
    nobs: int
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"variables": len(self.table), "clusters": int(self.table["clusters"].max())}

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> Summary:
        header = [f"cluster: {self.meta.get('cluster')}; N = {self.nobs}", *self.provenance.header(),
                  "ICC(1), ICC(2) from the one-way ANOVA and design effect 1 + (mean size - 1) ICC(1), as "
                  "psych::statsBy (Bliese, 2000; Kish, 1965)"]
        return Summary("Clustering", header, [("ICCs and design effects", self.table),
                                               ("Within-cluster correlations", self.r_within.reset_index(names="")),
                                               ("Between-cluster correlations", self.r_between.reset_index(names=""))])

    def to_dict(self) -> dict:
        return jsonable({"cluster": self.meta.get("cluster"), "nobs": self.nobs,
                         "variables": self.table.to_dict(orient="records"),
                         "r_within": self.r_within.to_dict(), "r_between": self.r_between.to_dict(),
                         "meta": self.meta})


def icc(data: pd.DataFrame, cluster: str, items: list[str] | None = None) -> ClusteringResult:
    """ICC(1), ICC(2), design effects and within/between correlations of ``items`` clustered by
    ``cluster`` (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        Numeric variables and the cluster column.
    cluster : str
        Column of the clusters (e.g. school).
    items : list of str, optional
        Variables (default: every numeric column but the cluster's).

    Returns
    -------
    ClusteringResult

    Notes
    -----
    R: ``psych::statsBy(data[, c(items, cluster)], group = cluster)``: ``$ICC1``, ``$ICC2``,
    ``$rwg``, ``$rbg``. Each variable uses its own answered rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> school = np.repeat(np.arange(50), 10)
    >>> y = rng.normal(size=50)[school] * 0.5 + rng.normal(size=500)
    >>> r = icc(pd.DataFrame({"y": y, "school": school}), "school")
    >>> bool(0.1 < r.table.loc[0, "icc1"] < 0.35), int(r.table.loc[0, "clusters"])
    (True, 50)
    """
    from ..responses.io import data_fingerprint

    if cluster not in data.columns:
        raise PsychometricsError(f"cluster column {cluster!r} is not in the data")
    items = list(items) if items is not None else [c for c in data.columns
                                                    if c != cluster and pd.api.types.is_numeric_dtype(data[c])]
    missing_cols = [c for c in items if c not in data.columns]
    if missing_cols:
        raise PsychometricsError(f"variable(s) {', '.join(missing_cols)} are not in the data")
    text = [c for c in items if not pd.api.types.is_numeric_dtype(data[c])]
    if text:
        raise PsychometricsError(f"variable(s) {', '.join(text)} hold text; recode them to numbers first")
    cl = data[cluster]
    if cl.isna().any():
        raise PsychometricsError(f"cluster column {cluster!r} is empty in {int(cl.isna().sum())} row(s) (first: row "
                                 f"{int(np.flatnonzero(cl.isna().to_numpy())[0]) + 1}); fill it in or leave them out")
    codes = pd.factorize(cl.astype(str))[0]
    if codes.max(initial=-1) < 1:
        raise PsychometricsError(f"cluster column {cluster!r} has a single value; ICCs need two clusters or more")
    X = data[items].to_numpy(dtype=float)
    rows, notes = [], []
    means_by_row = np.full_like(X, np.nan)
    for j, v in enumerate(items):
        ok = ~np.isnan(X[:, j])
        x, c = X[ok, j], codes[ok]
        n_c = np.bincount(c, minlength=codes.max() + 1).astype(float)
        present = n_c > 0
        sums = np.bincount(c, weights=x, minlength=len(n_c))
        mean_c = np.divide(sums, n_c, out=np.full_like(sums, np.nan), where=present)
        means_by_row[:, j] = mean_c[codes]         # every row of a cluster gets its mean (statsBy)
        C = int(present.sum())
        N = int(ok.sum())
        gm = float(x.mean())
        ms_b = float(np.sum(n_c[present] * (mean_c[present] - gm) ** 2) / (C - 1))
        ss_w = float(np.sum((x - mean_c[c]) ** 2))
        ms_w = ss_w / float(np.sum(n_c[present] - 1))
        nbar = N / C
        i1 = (ms_b - ms_w) / (ms_b + ms_w * (nbar - 1))
        rows.append({"variable": v, "n": N, "clusters": C, "mean_size": nbar, "ms_between": ms_b,
                     "ms_within": ms_w, "F": ms_b / ms_w if ms_w > 0 else np.nan, "icc1": i1,
                     "icc2": (ms_b - ms_w) / ms_b if ms_b > 0 else np.nan, "design_effect": 1 + (nbar - 1) * i1})
        if (n_c[present] == 1).all():
            notes.append(f"{v}: every cluster has a single answer; the within-cluster variance is not defined")
    table = pd.DataFrame(rows)
    within = pd.DataFrame(X - means_by_row, columns=items).corr(min_periods=3)
    between = pd.DataFrame(means_by_row, columns=items).corr(min_periods=3)
    fp = data_fingerprint(data)
    meta = {"package_version": __version__, "data": fp, "data_sha256": fp["sha256"], "cluster": cluster,
            "method": "one-way ANOVA (psych::statsBy)", "notes": notes}
    return ClusteringResult(table=table, r_within=within, r_between=between, nobs=len(data), meta=meta)
