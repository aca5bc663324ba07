"""Report sections of the factor models: EFA, the measurement model (CFA) with the cut-offs it is
judged by, the structural model with its path diagram and indirect effects, and measurement
invariance across the groups asked for. Rendering only: the fits ran in :mod:`.analyses`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import apa
from .document import Figure, Paragraph, Section, Table
from .sections_data import item_text

#: cut-offs of approximate fit (Hu & Bentler, 1999), as (key, label, rule, threshold)
CUTOFFS = (("cfi", "CFI", ">=", 0.95), ("tli", "TLI", ">=", 0.95), ("rmsea", "RMSEA", "<=", 0.06),
           ("srmr", "SRMR", "<=", 0.08))


def stars(p: float) -> str:
    """Significance marks: * p < .05, ** p < .01, *** p < .001."""
    if p != p:
        return ""
    return "***" if p < .001 else "**" if p < .01 else "*" if p < .05 else ""


def _robust(fit: dict, key: str, estimator: str) -> float:
    if estimator in ("MLR",) and np.isfinite(fit.get(f"{key}_robust", np.nan)):
        return fit[f"{key}_robust"]
    return fit[key]


def fit_sentence(res) -> str:
    f, est = res.fit, res.estimator
    chi = f.get("chisq_scaled", f["chisq"]) if est == "MLR" else f["chisq"]
    p = f.get("pvalue_scaled", f["pvalue"]) if est == "MLR" else f["pvalue"]
    r = _robust(f, "rmsea", est)
    ci = (f" [{apa.bounded(f.get('rmsea_ci_lower', np.nan), 3)}, {apa.bounded(f.get('rmsea_ci_upper', np.nan), 3)}]"
          if "rmsea_ci_lower" in f and est != "MLR" else "")
    return (f"χ²({int(f['df'])}) = {chi:.2f}, {apa.p_text(p)}; "
            f"CFI = {apa.bounded(_robust(f, 'cfi', est), 3)}, "
            f"TLI = {apa.bounded(_robust(f, 'tli', est), 3)}, RMSEA = {apa.bounded(r, 3)}{ci}, "
            f"SRMR = {apa.bounded(f['srmr'], 3)}")


def fit_table(res) -> pd.DataFrame:
    f, est = res.fit, res.estimator
    rows = [{"Index": "χ² (df)", "Value": f"{f.get('chisq_scaled', f['chisq']) if est == 'MLR' else f['chisq']:.2f} "
             f"({int(f['df'])})", "Cut-off": "p > .05 (sensitive to N)",
             "Met": "yes" if (f.get("pvalue_scaled", f["pvalue"]) if est == "MLR" else f["pvalue"]) > .05 else "no"}]
    for key, label, rule, cut in CUTOFFS:
        v = _robust(f, key, est)
        met = v >= cut if rule == ">=" else v <= cut
        rows.append({"Index": label, "Value": apa.bounded(v, 3), "Cut-off": f"{'≥' if rule == '>=' else '≤'} {apa.bounded(cut)}",
                     "Met": "yes" if met else "no"})
    return pd.DataFrame(rows)


CUTOFF_NOTE = ("Cut-offs after Hu and Bentler (1999): CFI and TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08; they are rules of "
               "thumb from simulations of continuous data, not tests.")


def efa_section(s) -> Section:
    res = s.report.analyses["efa"]
    w = s.w
    blocks: list = []
    pa = res.parallel
    blocks.append(Paragraph(
        f"An exploratory factor analysis ({res.method}, {res.rotation} rotation, {res.cor} correlations, N = {res.nobs}) "
        f"of {len(res.items)} items " + (f"retained {res.n_factors} factor(s) by parallel analysis "
                                         f"(the observed eigenvalues above the 95th percentile of random data)."
                                         if pa is not None else f"extracted {res.n_factors} factor(s).")))
    svg, png = s.plots.scree_figure(res)
    blocks.append(Figure(w("Scree plot and parallel analysis"), svg, png,
                         note="Factor eigenvalues of the observed correlations against those of random data of the same size."))
    L = res.sorted_loadings(cutoff=0.3)
    shown = pd.DataFrame({"Item": L.index, "Wording": [item_text(s.instrument.item_map[i], s.lang, 50)
                                                       if i in s.instrument.item_map else "" for i in L.index]})
    for c in L.columns:
        shown[str(c)] = ["" if v != v else apa.bounded(v) for v in L[c]]
    blocks.append(Table(w("Factor loadings"), shown,
                        note="Pattern loadings, items sorted by their largest loading; loadings below .30 in absolute value "
                             "are left blank. h2 = communality."))
    return Section("efa", w("Exploratory factor analysis"), blocks)


def cfa_section(s) -> Section:
    cf = s.report.analyses["cfa"]
    val = s.report.analyses.get("cfa_validity")
    w = s.w
    load = cf.parameters[cf.parameters["op"] == "=~"]
    factors = list(dict.fromkeys(load["lhs"]))
    missing = s.report.meta.get("model_missing")
    blocks: list = [Paragraph(
        f"The measurement model ({len(factors)} factors, {len(load)} items) was fitted by {cf.estimator}"
        + (" with full-information ML for missing answers" if missing == "fiml" else " on complete cases")
        + f" (N = {cf.nobs}): {fit_sentence(cf)}.")]
    blocks.append(Table(w("Fit of the measurement model"), fit_table(cf), note=CUTOFF_NOTE))
    rows = []
    for r in load.itertuples():
        it = s.instrument.item_map.get(r.rhs)
        rows.append({"Factor": r.lhs, "Item": r.rhs, "Wording": item_text(it, s.lang, 55) if it else "",
                     "λ (std.)": apa.bounded(r.std_all), "SE": apa.bounded(r.std_all_se),
                     "p": "fixed" if not r.free else apa.p_value(r.pvalue)})
    blocks.append(Table(w("Standardized factor loadings"), pd.DataFrame(rows),
                        note="Standardized (std.all) loadings with delta-method SEs; p of the unstandardized loading "
                             "(the first loading of each factor is fixed to 1 for identification)."))
    if val is not None and val.fornell_larcker is not None:
        fl = val.fornell_larcker
        names = list(fl.columns)
        tab = pd.DataFrame({"Factor": names, "CR": [apa.bounded(val.cr[n]) for n in names],
                            "AVE": [apa.bounded(val.ave[n]) for n in names]})
        for j, b in enumerate(names):
            col = []
            for i, a in enumerate(names):
                if i == j:
                    col.append(f"({apa.bounded(fl.iat[i, i])})")
                elif i > j:
                    col.append(apa.bounded(fl.iat[i, j]))
                else:
                    col.append(apa.bounded(val.htmt.iat[i, j]) if val.htmt is not None else apa.DASH)
            tab[b] = col
        blocks.append(Table(w("Discriminant validity"), tab,
                            note="Diagonal: square root of AVE (in parentheses); below it: factor correlations "
                                 "(Fornell & Larcker, 1981); above it: HTMT2 (Henseler et al., 2015; Roemer et al., 2021), "
                                 "with .85 as the usual ceiling. " + " ".join(n[:1].upper() + n[1:] + "." for n in val.notes)))
    return Section("cfa", w("Measurement model (CFA)"), blocks)


def _layout(latent: list[str], paths: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Columns by the longest chain of regressions leading to a variable; rows spread evenly."""
    depth = {v: 0 for v in latent}
    for _ in latent:
        for a, b in paths:
            depth[b] = max(depth[b], depth[a] + 1)
    cols: dict[int, list[str]] = {}
    for v in latent:
        cols.setdefault(depth[v], []).append(v)
    tallest = max(len(c) for c in cols.values())
    pos = {}
    for d, vs in cols.items():
        offset = (tallest - len(vs)) / 2
        for k, v in enumerate(vs):
            pos[v] = (d * 3.2, -(k + offset) * 1.6)
    return pos


def path_figure(res, plots, caption: str = "Path diagram") -> Figure:
    """The structural part of a fitted model as a figure: standardized paths with significance
    marks, covariances of the exogenous variables, R² of the outcomes."""
    par = res.parameters
    reg = par[par["op"] == "~"]
    latent = list(dict.fromkeys(par.loc[par["op"] == "=~", "lhs"]))
    nodes_all = list(dict.fromkeys([*latent, *reg["rhs"], *reg["lhs"]]))
    paths = [(r.rhs, r.lhs, f"{apa.bounded(r.std_all)}{stars(r.pvalue)}", bool(r.pvalue < .05)) for r in reg.itertuples()]
    endo = set(reg["lhs"])
    exo = [v for v in nodes_all if v not in endo]
    cov = par[(par["op"] == "~~") & par["lhs"].isin(exo) & par["rhs"].isin(exo) & (par["lhs"] != par["rhs"])]
    covs = [(r.lhs, r.rhs, f"{apa.bounded(r.std_all)}{stars(r.pvalue)}") for r in cov.itertuples()]
    r2 = {k: float(v) for k, v in (res.r2 or {}).items() if k in endo}
    svg, png = plots.structural_diagram(_layout(nodes_all, [(a, b) for a, b, _, _ in paths]), paths, covs, r2)
    return Figure(caption, svg, png,
                  note="Standardized estimates (std.all); * p < .05, ** p < .01, *** p < .001; grey dashed arrows: "
                       "p ≥ .05. Measurement part and residuals not drawn; R² under each outcome.")


def structural_section(s) -> Section:
    res = s.report.model
    w = s.w
    par = res.parameters
    reg = par[par["op"] == "~"]
    blocks: list = [Paragraph(f"The structural model was fitted by {res.estimator}"
                              + (" with full-information ML" if s.report.meta.get("model_missing") == "fiml" else "")
                              + f" (N = {res.nobs}): {fit_sentence(res)}.")]
    blocks.append(Table(w("Fit of the structural model"), fit_table(res), note=CUTOFF_NOTE))
    fig = path_figure(res, s.plots, w("Path diagram"))
    blocks.append(fig)
    endo = set(reg["lhs"])
    r2 = {k: float(v) for k, v in (res.r2 or {}).items() if k in endo}
    rows = pd.DataFrame({"Outcome": reg["lhs"], "Predictor": reg["rhs"], "b": [apa.number(x) for x in reg["est"]],
                         "SE": [apa.number(x) for x in reg["se"]], "β": [apa.bounded(x) for x in reg["std_all"]],
                         "z": [apa.number(x) for x in reg["z"]], "p": [apa.p_value(x) for x in reg["pvalue"]],
                         "95% CI of b": [f"[{apa.number(a)}, {apa.number(b)}]"
                                         for a, b in zip(reg["ci_lower"], reg["ci_upper"])]})
    blocks.append(Table(w("Regression paths"), rows,
                        note="b = unstandardized estimate; β = standardized (std.all). R²: "
                             + "; ".join(f"{k} {apa.bounded(v)}" for k, v in r2.items()) + "."))
    ind = s.report.analyses.get("indirect")
    if ind is not None and len(ind):
        method = str(ind["method"].iloc[0])
        pt = (res.state or {}).get("pt")
        defs = {d.lhs: d.expression for d in pt.defined} if pt is not None else {}
        tab = pd.DataFrame({"Effect": ind["lhs"], "Definition": [defs.get(x, "") for x in ind["lhs"]],
                            "Estimate": [apa.number(x, 3) for x in ind["est"]], "SE": [apa.number(x, 3) for x in ind["se"]],
                            "95% CI": [f"[{apa.number(a, 3)}, {apa.number(b, 3)}]"
                                       for a, b in zip(ind["ci_lower"], ind["ci_upper"])],
                            "Excludes 0": ["yes" if a > 0 or b < 0 else "no" for a, b in zip(ind["ci_lower"], ind["ci_upper"])]})
        why = ("" if method.startswith("percentile") else
               " Under FIML the bootstrap would refit the model once per draw; Monte Carlo intervals (Preacher & Selig, "
               "2012) draw the parameters from their estimated sampling distribution instead.")
        blocks.append(Table(w("Indirect effects"), tab,
                            note=f"Unstandardized; SE by the delta method; confidence intervals: {method}.{why}"))
    return Section("structural", w("Structural model"), blocks)


def invariance_section(s) -> Section:
    w = s.w
    blocks: list = [Paragraph("Measurement invariance of the measurement model was tested by a sequence of nested "
                              "multiple-group models: configural (same structure), metric (equal loadings), scalar (equal "
                              "intercepts) and strict (equal residual variances). A step holds when CFI drops by no more "
                              "than .010 and RMSEA rises by no more than .015 (Chen, 2007); the chi-square difference "
                              "test is given too.")]
    for g, res in s.report.analyses.get("invariance", {}).items():
        t = apa.table(res.paper_table())
        groups = ", ".join(f"{s.labels.get(g, {}).get(_code(x), x)} (n = {n})" for x, n in zip(res.groups, res.group_nobs))
        blocks.append(Table(f"{w('Invariance across')} {s.word_for(g).lower()}", t,
                            note=(f"Groups: {groups}. " if groups else "")
                                 + f"Estimator {res.meta.get('estimator')}. Invariance holds up to the "
                                   f"{res.holds_up_to or 'no'} level (Chen, 2007)."))
    return Section("invariance", w("Measurement invariance"), blocks)


def _code(x):
    """A group label as the code it stands for ("2.0" -> 2)."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return x
    return int(f) if f.is_integer() else f
