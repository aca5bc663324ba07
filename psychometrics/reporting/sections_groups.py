"""Report sections on groups: comparisons of the scale scores across the context groups (Welch
tests, effect sizes), regressions on context variables with SEs clustered by school, and the
crosstabs of participation and teacher types. Rendering only: the tests ran in :mod:`.analyses`.
"""

from __future__ import annotations

import pandas as pd

from . import apa
from .document import Paragraph, Section, Table


def groups_section(s) -> Section:
    w = s.w
    an = s.report.analyses
    blocks: list = []
    for g, res in an.get("comparisons", {}).items():
        d, t = res.descriptives, res.tests
        levels = list(dict.fromkeys(d["group"]))
        rows = []
        for r in t.itertuples():
            row = {"Scale": r.variable}
            for lev in levels:
                m = d[(d["variable"] == r.variable) & (d["group"] == lev)]
                row[f"{lev} M (SD)"] = (f"{apa.number(m['M'].iloc[0])} ({apa.number(m['SD'].iloc[0])})" if len(m) else apa.DASH)
            if r.test == "Welch t":
                row.update({"Test": f"t({apa.number(r.df2, 1)}) = {apa.number(r.statistic)}", "p": apa.p_value(r.p),
                            "Effect [95% CI]": f"d = {apa.number(r.d)} [{apa.number(r.d_ci_low)}, {apa.number(r.d_ci_high)}]"})
            elif r.test == "Welch F":
                row.update({"Test": f"F({apa.number(r.df1, 0)}, {apa.number(r.df2, 1)}) = {apa.number(r.statistic)}",
                            "p": apa.p_value(r.p), "Effect [95% CI]": f"ω² = {apa.bounded(r.omega2)}"})
            else:
                row.update({"Test": apa.DASH, "p": apa.DASH, "Effect [95% CI]": apa.DASH})
            rows.append(row)
        kind = "Welch's t-tests with Cohen's d" if (t["test"] == "Welch t").any() else "Welch's one-way ANOVA with ω²"
        blocks.append(Table(f"{w('Scale scores by')} {s.word_for(g).lower()}", pd.DataFrame(rows),
                            note=f"{kind} (no equal variances assumed); the first group minus the second for d. "
                                 "Each scale uses the respondents with a score and a group. "
                                 + " ".join(res.meta.get("notes", []))))
    regs = an.get("regressions", [])
    if regs:
        cluster = s.report.meta.get("cluster")
        rows = []
        for r in regs:
            c = r.coefficients
            for k, x in enumerate(c.itertuples()):
                rows.append({"Outcome": r.outcome if k == 0 else "", "Term": _term(s, x.term), "b": apa.number(x.estimate, 3),
                             "SE": apa.number(x.SE, 3), "t": apa.number(x.statistic), "p": apa.p_value(x.p),
                             "95% CI": f"[{apa.number(x.ci_low, 3)}, {apa.number(x.ci_high, 3)}]",
                             "R²": apa.bounded(r.stats.get("r2")) if k == 0 else ""})
        how = (f"OLS with SEs clustered by {cluster} (CR1, t on {int(regs[0].stats['df'])} df; {regs[0].stats['clusters']} "
               f"clusters)" if cluster else "OLS with conventional SEs (give --cluster for SEs clustered by school)")
        blocks.append(Paragraph("Each scale score was regressed on the context variables, categorical ones as dummies "
                                "against their first category."))
        blocks.append(Table(w("Regressions of the scale scores"), pd.DataFrame(rows),
                            note=f"{how}; n = {', '.join(sorted({str(r.nobs) for r in regs}))}."))
    mixed = an.get("mixed", [])
    if mixed:
        blocks.append(Paragraph("Random-intercept models (REML) of the same regressions give the share of score variance "
                                "between schools: " + "; ".join(f"{m.outcome} ICC = {apa.bounded(m.stats['icc'])}"
                                                                for m in mixed) + "."))
    ordn = an.get("ordinal")
    if ordn is not None:
        c = ordn.coefficients
        names = ("inactive", "lurker", "occasional", "contributor")
        labels = s.labels.get("participation_type", {})
        cut = {f"participation_level <= {k}": f"cut: {labels.get(names[k - 1], names[k - 1])} | "
                                              f"{labels.get(names[k], names[k])}" for k in range(1, 4)}
        terms = [cut.get(t) or _term(s, t) for t in c["term"]]
        rows = pd.DataFrame({"Term": terms, "Estimate (logit)": [apa.number(x) for x in c["estimate"]],
                             "SE": [apa.number(x) for x in c["SE"]], "z": [apa.number(x) for x in c["statistic"]],
                             "p": [apa.p_value(x) for x in c["p"]]})
        blocks.append(Table("Ordinal logit of the participation level", rows,
                            note="Proportional-odds model of inactive < lurker < occasional < contributor; positive "
                                 f"estimates mean more active participation; cut points last. n = {ordn.nobs}."))
    return Section("groups", w("Group comparisons"), blocks)


def _term(s, term: str) -> str:
    """A coefficient's name in words: ``loc[Rural (village)]`` -> ``School location (urban or rural):
    Rural (village)``; ``yrs`` -> its question's intent."""
    if term == "(Intercept)":
        return term
    if term.endswith("]") and "[" in term:
        var, level = term[:-1].split("[", 1)
        return f"{s.word_for(var)}: {level}"
    return s.word_for(term)


def participation_section(s) -> Section:
    w = s.w
    blocks: list = []
    for t in s.report.analyses.get("crosstabs", []):
        tab = t.table().rename(columns={t.row: s.word_for(t.row)})
        blocks.append(Table(f"{s.word_for(t.row)} by {s.word_for(t.col).lower()}", tab,
                            note=f"n (row %). {t.test_line()}. " + " ".join(t.meta.get("notes", []))))
    if not blocks:
        blocks.append(Paragraph("No classification and grouping to cross-tabulate (give --groups)."))
    return Section("participation", w("Participation and teacher types"), blocks)
