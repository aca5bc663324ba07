r"""Group comparisons of scale scores: Welch's t-test for two groups, Welch's and the classic
one-way ANOVA for more, with effect sizes and confidence intervals.

Two groups: :math:`t = (\bar x_1 - \bar x_2)/\sqrt{s_1^2/n_1 + s_2^2/n_2}` on the
Welch-Satterthwaite df, the mean difference with its CI, Cohen's d (pooled SD) with its CI and
Hedges' g. More groups: Welch's F (Welch, 1951), the classic F, :math:`\eta^2` and
:math:`\omega^2`. Each variable uses the rows where it and the grouping are present (listed in
the table's n); groups with fewer than two such rows are left out of the test with a warning.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different population
variances are involved. *Biometrika, 34*, 28-35. Welch, B. L. (1951). On the comparison of several
mean values: An alternative approach. *Biometrika, 38*, 330-336. Delacre, M., Lakens, D., & Leys, C.
(2017). Why psychologists should by default use Welch's t-test instead of Student's t-test.
*International Review of Social Psychology, 30*, 92-101.
R: ``t.test(y ~ g)``, ``oneway.test(y ~ g)``, ``summary(aov(y ~ g))``; ``effectsize::cohens_d``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import DataWarning, OptionError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from . import _backends


@dataclass(frozen=True, repr=False)
class GroupComparison(ResultBase):
    """Descriptives per group and one test per variable.

    Attributes
    ----------
    descriptives : DataFrame
        ``variable``, ``group``, ``n``, ``M``, ``SD``.
    tests : DataFrame
        ``variable``, ``groups``, ``n``, ``test`` (``Welch t`` / ``Welch F``), ``statistic``,
        ``df1``, ``df2``, ``p``; two groups add ``difference`` [``ci_low``, ``ci_high``], ``d``
        [``d_ci_low``, ``d_ci_high``] and ``g``; more groups add the classic ``F``, ``F_p``,
        ``eta2`` and ``omega2``.
    by : str
        The grouping column.
    """

    descriptives: pd.DataFrame
    tests: pd.DataFrame
    by: str
    nobs: int
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"by": self.by, "variables": list(self.tests["variable"])}

    def summary(self) -> Summary:
        t = self.tests.copy()
        header = [f"grouping: {self.by}; Welch tests (no equal variances assumed)", f"psychometrics {__version__}",
                  *[f"note: {n}" for n in self.meta.get("notes", [])]]
        return Summary(f"Group comparisons by {self.by}", header,
                       [("Descriptives", self.descriptives), ("Tests", t)], apa=True)

    def to_frame(self) -> pd.DataFrame:
        return self.tests

    def to_dict(self) -> dict:
        return jsonable({"meta": self.meta, "by": self.by, "descriptives": self.descriptives, "tests": self.tests})


def compare_groups(data: pd.DataFrame, by: str, variables: list[str], labels: dict | None = None,
                   confidence: float = 0.95) -> GroupComparison:
    """Compare the means of ``variables`` across the groups in column ``by``.

    Parameters
    ----------
    data : DataFrame
        Scale scores and the grouping column, one row per respondent.
    by : str
        Grouping column (codes or text); missing values are no group and are left out.
    variables : list of str
        Numeric columns to compare.
    labels : dict, optional
        Group code -> label shown in the tables (e.g. the instrument's response labels).
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    GroupComparison

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"g": np.repeat([1, 2], 50), "y": np.r_[rng.normal(0, 1, 50), rng.normal(1, 1, 50)]})
    >>> res = compare_groups(df, "g", ["y"], labels={1: "urban", 2: "rural"})
    >>> res.tests[["test", "groups", "n"]].to_dict("records")
    [{'test': 'Welch t', 'groups': 2, 'n': 100}]
    >>> bool(res.tests["p"].iloc[0] < .001), list(res.descriptives["group"])
    (True, ['urban', 'rural'])
    """
    for col in [by, *variables]:
        if col not in data.columns:
            raise OptionError(f"column {col!r} is not in the data; available: {', '.join(map(str, data.columns))}",
                              "by" if col == by else "variables")
    labels = labels or {}
    desc, tests, notes = [], [], []
    for var in variables:
        y = pd.to_numeric(data[var], errors="coerce")
        ok = y.notna() & data[by].notna()
        frame = pd.DataFrame({"y": y[ok].to_numpy(float), "g": data[by][ok].to_numpy()})
        levels = sorted(frame["g"].unique(), key=lambda v: (str(type(v)), v))
        small = [g for g in levels if (frame["g"] == g).sum() < 2]
        if small:
            msg = f"{var}: group(s) {', '.join(str(labels.get(g, g)) for g in small)} of {by} have fewer than 2 answers; " \
                  "left out of the test"
            warnings.warn(msg, DataWarning, stacklevel=2)
            notes.append(msg)
            levels = [g for g in levels if g not in small]
            frame = frame[frame["g"].isin(levels)]
        for g in levels:
            v = frame.loc[frame["g"] == g, "y"]
            desc.append({"variable": var, "group": str(labels.get(g, g)), "n": len(v), "M": v.mean(), "SD": v.std(ddof=1)})
        row: dict = {"variable": var, "groups": len(levels), "n": len(frame)}
        if len(levels) < 2:
            notes.append(f"{var}: fewer than two groups with answers; no test")
            tests.append({**row, "test": "none"})
            continue
        if frame.groupby("g")["y"].std(ddof=1).max() == 0:
            notes.append(f"{var}: constant within every group of {by}; no test")
            tests.append({**row, "test": "none"})
            continue
        if len(levels) == 2:
            x1 = frame.loc[frame["g"] == levels[0], "y"].to_numpy()
            x2 = frame.loc[frame["g"] == levels[1], "y"].to_numpy()
            r = _backends.welch_t(x1, x2, confidence)
            tests.append({**row, "test": "Welch t", "statistic": r["t"], "df1": np.nan, "df2": r["df"], "p": r["p"],
                          "difference": r["diff"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "d": r["d"],
                          "d_ci_low": r["d_ci_low"], "d_ci_high": r["d_ci_high"], "g": r["g"]})
        else:
            r = _backends.anova(frame["y"].to_numpy(), frame["g"].astype(str).to_numpy())
            tests.append({**row, "test": "Welch F", "statistic": r["welch_F"], "df1": r["welch_df1"],
                          "df2": r["welch_df2"], "p": r["welch_p"], "F": r["F"], "F_p": r["p"],
                          "eta2": r["eta2"], "omega2": r["omega2"]})
    meta = {"package_version": __version__, "by": by, "confidence": confidence, "notes": notes,
            "engine": "pingouin (Welch t, Welch and classic ANOVA, Cohen's d)"}
    nobs = int(data[by].notna().sum())
    return GroupComparison(descriptives=pd.DataFrame(desc), tests=pd.DataFrame(tests), by=by, nobs=nobs, meta=meta)
