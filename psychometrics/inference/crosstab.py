r"""Crosstabs of two categorical variables with Pearson's chi-square test and Cramer's V.

:math:`\chi^2 = \sum (O - E)^2/E` with :math:`E = n_{i\cdot} n_{\cdot j}/n` on
:math:`(r-1)(c-1)` df; on 2 x 2 tables with Yates' continuity correction, as R's ``chisq.test``
does by default. Cramer's V is :math:`\sqrt{\chi^2/(n(\min(r, c) - 1))}` from the uncorrected
statistic. A warning says when more than 20% of the expected counts are below 5 (Cochran, 1954).

References
----------
Cramer, H. (1946). *Mathematical methods of statistics*. Princeton University Press. Cochran, W. G.
(1954). Some methods for strengthening the common chi-square tests. *Biometrics, 10*, 417-451.
R: ``chisq.test(table(x, y))``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._version import __version__
from ..exceptions import DataWarning, OptionError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable


@dataclass(frozen=True, repr=False)
class CrosstabResult(ResultBase):
    """Counts, row percentages and the test.

    Attributes
    ----------
    counts : DataFrame
        Rows = levels of ``row``, columns = levels of ``col``.
    chi2, df, p, cramers_v : float
    yates : bool
        Whether the continuity correction was applied (2 x 2 tables).
    """

    counts: pd.DataFrame
    row: str
    col: str
    chi2: float
    df: int
    p: float
    cramers_v: float
    yates: bool
    nobs: int
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"row": self.row, "col": self.col, "chi2": self.chi2, "p": self.p}

    def table(self) -> pd.DataFrame:
        """Counts with row percentages, ``n (%)`` per cell, and a total column."""
        c = self.counts
        pct = c.div(c.sum(axis=1), axis=0) * 100
        out = pd.DataFrame({str(k): [f"{n} ({p:.1f}%)" for n, p in zip(c[k], pct[k])] for k in c.columns})
        out.insert(0, self.row, [str(i) for i in c.index])
        out["total"] = c.sum(axis=1).to_numpy()
        return out

    def test_line(self) -> str:
        """APA text: χ²(df, N = n) = x.xx, p = .xxx, V = .xx."""
        from ..reporting.apa import bounded, p_text

        return (f"χ²({self.df}, N = {self.nobs}) = {self.chi2:.2f}, {p_text(self.p)}, "
                f"Cramer's V = {bounded(self.cramers_v)}" + (" (Yates' correction)" if self.yates else ""))

    def summary(self) -> Summary:
        return Summary(f"{self.row} by {self.col}", [self.test_line(), f"psychometrics {__version__}",
                                                      *[f"note: {n}" for n in self.meta.get("notes", [])]],
                       [("Counts (row %)", self.table())], apa=True)

    def to_frame(self) -> pd.DataFrame:
        return self.counts

    def to_dict(self) -> dict:
        return jsonable({"meta": self.meta, "row": self.row, "col": self.col, "counts": self.counts.to_numpy(),
                         "rows": [str(i) for i in self.counts.index], "cols": [str(c) for c in self.counts.columns],
                         "chi2": self.chi2, "df": self.df, "p": self.p, "cramers_v": self.cramers_v, "yates": self.yates})


def crosstab(data: pd.DataFrame, row: str, col: str, labels: dict | None = None) -> CrosstabResult:
    """Cross-tabulate ``row`` by ``col`` (rows where both are present) and test independence.

    Parameters
    ----------
    data : DataFrame
    row, col : str
        Categorical columns (codes or text).
    labels : dict, optional
        ``{column: {code: label}}`` shown in the table.

    Returns
    -------
    CrosstabResult

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 1, 1, 2, 2, 2, 1, 2] * 5, "b": ["x", "x", "y", "y", "y", "x", "x", "y"] * 5})
    >>> res = crosstab(df, "a", "b")
    >>> res.counts.to_numpy().tolist(), res.df, res.yates
    ([[15, 5], [5, 15]], 1, True)
    >>> print(res.test_line())
    χ²(1, N = 40) = 8.10, p = .004, Cramer's V = .50 (Yates' correction)
    """
    for c in (row, col):
        if c not in data.columns:
            raise OptionError(f"column {c!r} is not in the data; available: {', '.join(map(str, data.columns))}", "crosstab")
    labels = labels or {}
    ok = data[row].notna() & data[col].notna()
    counts = pd.crosstab(data.loc[ok, row], data.loc[ok, col])
    counts.index = [labels.get(row, {}).get(i, i) for i in counts.index]
    counts.columns = [labels.get(col, {}).get(i, i) for i in counts.columns]
    n = int(counts.to_numpy().sum())
    notes = []
    if min(counts.shape) < 2:
        raise OptionError(f"{row} by {col}: a crosstab needs at least two levels of each with answers "
                          f"(found {counts.shape[0]} x {counts.shape[1]})", "crosstab")
    obs = counts.to_numpy()
    yates = obs.shape == (2, 2)
    chi2, p, df, expected = stats.chi2_contingency(obs, correction=yates)
    chi2_raw = stats.chi2_contingency(obs, correction=False)[0]
    v = float(np.sqrt(chi2_raw / (n * (min(obs.shape) - 1))))
    share = float((expected < 5).mean())
    if share > 0.2:
        msg = (f"{row} by {col}: {share:.0%} of the expected counts are below 5; the chi-square p-value is approximate "
               "(merge small categories or use an exact test)")
        warnings.warn(msg, DataWarning, stacklevel=2)
        notes.append(msg)
    left = int((~ok).sum())
    if left:
        notes.append(f"{left} of {len(data)} rows missing {row} or {col} left out")
    meta = {"package_version": __version__, "notes": notes, "engine": "scipy.stats.chi2_contingency"}
    return CrosstabResult(counts=counts, row=row, col=col, chi2=float(chi2), df=int(df), p=float(p), cramers_v=v,
                          yates=yates, nobs=n, meta=meta)
