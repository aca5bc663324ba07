"""The invariance sequence's result (:class:`InvarianceResult`): the steps' fits, comparisons,
verdicts by the cut-offs of Chen (2007) and Cheung and Rensvold (2002), partial invariance and
latent mean differences, with tables for papers (see :mod:`.invariance` for the sequence)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable

#: Chen (2007): Delta CFI >= -.010 with Delta RMSEA <= .015 or Delta SRMR <= .030 (metric), .010 (later)
CHEN = {"cfi": -0.010, "rmsea": 0.015, "srmr_metric": 0.030, "srmr": 0.010}
CHEUNG_RENSVOLD = -0.01
CITATIONS = ["Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. "
             "Structural Equation Modeling, 14, 464-504.",
             "Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing measurement "
             "invariance. Structural Equation Modeling, 9, 233-255.",
             "Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment "
             "structure analysis. Psychometrika, 66, 507-514."]
ORDINAL_CITATIONS = ["Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of "
                     "different levels of invariance for ordered categorical outcomes. Psychometrika, 81, 1014-1045.",
                     "Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of moment "
                     "structures. In R. D. H. Heijmans, D. S. G. Pollock, & A. Satorra (Eds.), Innovations in "
                     "multivariate statistical analysis (pp. 233-247). Kluwer."]
FIT_KEYS = ("npar", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
            "chisq_shift_parameters", "cfi", "tli", "rmsea", "srmr", "cfi_scaled", "tli_scaled", "rmsea_scaled",
            "cfi_robust", "tli_robust", "rmsea_robust", "aic", "bic")


@dataclass(frozen=True, repr=False)
class InvarianceResult(ResultBase):
    """The invariance sequence: one fitted model per step, the comparisons and verdicts.

    Attributes
    ----------
    steps : tuple of str
        The levels fitted, in order.
    fits : dict
        Level -> :class:`~psychometrics.sem.result.SEMResult`.
    comparisons : dict
        Level (from the second on) -> ``lrt`` (``chisq_diff``, ``df_diff``, ``pvalue``, ``method``),
        ``delta`` (``cfi``, ``rmsea``, ``srmr``: this step minus the previous one) and ``holds``
        (``chen2007``, ``cheung_rensvold2002``).
    groups : tuple of str
        Group labels (lavaan's order: as they first appear in the data).
    partial : dict or None
        For the first step that fails (Chen, 2007): ``level``, ``tests`` (score tests of each of
        its equality constraints, largest first, as ``lavTestScore``), ``cumulative``, and with
        ``release``: ``released`` (the constraints freed, as ``group_partial`` strings), ``fit``
        (the partial model) and ``comparison`` (against the step before), ``holds``.
    """

    steps: tuple
    fits: dict
    comparisons: dict
    groups: tuple
    nobs: int
    group_nobs: tuple = ()
    partial: dict | None = None
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"steps": ",".join(self.steps), "holds_up_to": self.holds_up_to}

    @property
    def holds_up_to(self) -> str | None:
        """The last level reached with every step before it holding by Chen's (2007) criteria."""
        last = self.steps[0] if self.steps else None
        for level in self.steps[1:]:
            if not self.comparisons[level]["holds"]["chen2007"]:
                break
            last = level
        return last

    def to_frame(self) -> pd.DataFrame:
        """One row per step: its fit and the comparison with the step before."""
        rows = []
        for level in self.steps:
            f = self.fits[level].fit
            c = self.comparisons.get(level)
            rows.append({"level": level, "npar": f.get("npar"), "chisq": f["chisq"], "df": f["df"],
                         "pvalue": f.get("pvalue"),
                         **({"chisq_scaled": f.get("chisq_scaled")} if "chisq_scaled" in f else {}),
                         "cfi": f.get("cfi"), "rmsea": f.get("rmsea"),
                         **({"cfi_scaled": f.get("cfi_scaled"), "rmsea_scaled": f.get("rmsea_scaled")}
                            if "cfi_scaled" in f else {}),
                         "srmr": f.get("srmr"),
                         "chisq_diff": c["lrt"]["chisq_diff"] if c else np.nan,
                         "df_diff": c["lrt"]["df_diff"] if c else np.nan,
                         "pvalue_diff": c["lrt"]["pvalue"] if c else np.nan,
                         "delta_cfi": c["delta"]["cfi"] if c else np.nan,
                         "delta_rmsea": c["delta"]["rmsea"] if c else np.nan,
                         "delta_srmr": c["delta"]["srmr"] if c else np.nan,
                         "holds_chen2007": c["holds"]["chen2007"] if c else None,
                         "holds_cheung_rensvold2002": c["holds"]["cheung_rensvold2002"] if c else None})
        return pd.DataFrame(rows)

    def paper_table(self) -> pd.DataFrame:
        """The invariance sequence as a paper reports it: per step chi-square (df), CFI, RMSEA and
        SRMR (the scaled chi-square with MLR and WLSMV; the CFI and RMSEA the changes are judged
        on: scaled with WLSMV, standard otherwise), the difference test (chi-square difference
        (df), p), the changes in CFI, RMSEA and SRMR, and whether the step holds by Chen (2007).
        Numbers as numbers, rounded when rendered."""
        ordinal = bool(self.meta.get("ordered"))
        robust = self.meta.get("estimator") == "MLR"
        chi = "chisq_scaled" if (ordinal or robust) else "chisq"
        cfi, rmsea = ("cfi_scaled", "rmsea_scaled") if ordinal else ("cfi", "rmsea")
        rows = []
        for level in self.steps:
            f = self.fits[level].fit
            c = self.comparisons.get(level)
            rows.append({"Model": level.capitalize(), "chi2": f.get(chi), "df": f.get("df"), "CFI": f.get(cfi),
                         "RMSEA": f.get(rmsea), "SRMR": f.get("srmr"),
                         "Delta chi2": c["lrt"]["chisq_diff"] if c else np.nan,
                         "Delta df": c["lrt"]["df_diff"] if c else np.nan, "p": c["lrt"]["pvalue"] if c else np.nan,
                         "Delta CFI": c["delta"]["cfi"] if c else np.nan,
                         "Delta RMSEA": c["delta"]["rmsea"] if c else np.nan,
                         "Delta SRMR": c["delta"]["srmr"] if c else np.nan,
                         "Holds (Chen, 2007)": ("yes" if c["holds"]["chen2007"] else "no") if c else ""})
        out = pd.DataFrame(rows)
        out["Delta df"] = pd.Series([int(x) if x == x else np.nan for x in out["Delta df"]], dtype=object)  # whole numbers
        return out

    def _comparison_fit(self):
        """The model latent differences are read from: the scalar model when it holds, else the
        partial scalar model when it holds; None otherwise."""
        if "scalar" in self.fits and self.comparisons.get("scalar", {}).get("holds", {}).get("chen2007"):
            return self.fits["scalar"]
        if (self.partial and self.partial.get("level") == "scalar" and self.partial.get("holds")
                and self.partial.get("fit") is not None):
            return self.partial["fit"]
        return None

    def latent_variances(self) -> pd.DataFrame | None:
        r"""Latent variance differences of the later groups from the first (scalar or partial
        scalar model): ``var_ref``, ``var``, ``diff`` = var - var_ref with its delta-method SE
        (from the parameters' covariance), z and p, and the SD ratio
        :math:`\sqrt{var / var_{ref}}` as the standardized effect. None unless scalar (or
        partial scalar) invariance holds."""
        from scipy import special

        fit = self._comparison_fit()
        if fit is None or (fit.state or {}).get("cov") is None:
            return None
        cov = fit.state["cov"]
        p = fit.parameters
        lat = list(dict.fromkeys(p.loc[p.op == "=~", "lhs"]))
        var = p[(p.op == "~~") & (p.lhs == p.rhs) & p.lhs.isin(lat)]
        rows = []
        for f in lat:
            ref = var[(var.lhs == f) & (var.group == self.groups[0])].iloc[0]
            for g in self.groups[1:]:
                r = var[(var.lhs == f) & (var.group == g)].iloc[0]
                a, b = int(r.free) - 1, int(ref.free) - 1
                grad = np.zeros(len(cov))
                if a >= 0:
                    grad[a] += 1.0
                if b >= 0:
                    grad[b] -= 1.0
                se = float(np.sqrt(max(grad @ cov @ grad, 0.0)))
                diff = float(r.est - ref.est)
                z = diff / se if se > 0 else np.nan
                rows.append({"lhs": f, "group": g, "var_ref": float(ref.est), "var": float(r.est), "diff": diff,
                             "se": se, "z": z, "pvalue": float(special.erfc(abs(z) / np.sqrt(2))) if se > 0 else np.nan,
                             "sd_ratio": float(np.sqrt(r.est / ref.est)) if ref.est > 0 and r.est >= 0 else np.nan})
        return pd.DataFrame(rows)

    def latent_means(self) -> pd.DataFrame | None:
        """Latent mean differences from the scalar model (group 1 the reference, its means 0), with
        SEs and the mean in SD units of the reference group's factor (lavaan's std.lv of ``~1``
        rows uses each group's own SD; here the reference SD, a Cohen's d-like effect size). None
        unless the scalar step was fitted and holds."""
        fit = self._comparison_fit()        # scalar, or partial scalar, invariance
        if fit is None:
            return None
        p = fit.parameters
        lat = set(p.loc[p.op == "=~", "lhs"])
        means = p[(p.op == "~1") & p.lhs.isin(lat) & (p.group != self.groups[0])]
        ref_var = p[(p.op == "~~") & (p.lhs == p.rhs) & p.lhs.isin(lat) & (p.group == self.groups[0])]
        sd = dict(zip(ref_var.lhs, np.sqrt(ref_var.est.astype(float))))
        out = means[["lhs", "group", "est", "se", "z", "pvalue"]].copy()
        out["d"] = [e / sd[f] if sd.get(f) else np.nan for f, e in zip(out.lhs, out.est)]
        return out.reset_index(drop=True)

    def summary(self) -> Summary:
        header = [f"groups: {', '.join(map(str, self.groups))} (n = {', '.join(map(str, self.group_nobs))})",
                  f"estimator {self.meta.get('estimator')}; difference tests: "
                  f"{self.comparisons[self.steps[1]]['lrt']['method'] if len(self.steps) > 1 else '-'}",
                  f"holds up to: {self.holds_up_to} (Chen, 2007: dCFI >= -.010 with dRMSEA <= .015 or dSRMR <= .030 "
                  "metric / .010 scalar, strict; Cheung & Rensvold, 2002: dCFI >= -.01)",
                  *self.provenance.header()]
        ordinal, robust = bool(self.meta.get("ordered")), self.meta.get("estimator") == "MLR"
        which = ("scaled chi-square, CFI and RMSEA (WLSMV)" if ordinal else
                 "scaled chi-square (MLR), CFI and RMSEA" if robust else "chi-square, CFI and RMSEA")
        tables = [(f"Table: measurement invariance across {self.meta.get('group', 'groups')} ({which}; "
                   f"difference tests: {self.comparisons[self.steps[1]]['lrt']['method'] if len(self.steps) > 1 else '-'})",
                   self.paper_table()),
                  ("Invariance sequence, every statistic", self.to_frame())]
        if self.partial:
            pa = self.partial
            tables.append((f"Score tests of the {pa['level']} constraints (lavTestScore), largest first",
                           pa["tests"].drop(columns="constraint")))
            if pa.get("released") is not None:
                header.append(f"partial {pa['level']} invariance: released {', '.join(pa['released']) or 'none'}; "
                              f"{'holds' if pa['holds'] else 'does not hold'} (Chen, 2007)")
        lm = self.latent_means()
        if lm is not None:
            which = "scalar" if self.comparisons.get("scalar", {}).get("holds", {}).get("chen2007") else (
                f"partial scalar model, {', '.join(self.partial['released'])} free" if self.partial else "scalar")
            tables.append((f"Latent mean differences ({which} model; group 1 the reference)", lm))
            lv = self.latent_variances()
            if lv is not None:
                tables.append((f"Latent variance differences ({which} model; group 1 the reference)", lv))
        refs = CITATIONS + (ORDINAL_CITATIONS if self.meta.get("ordered") else [])
        if self.meta.get("ordered"):
            header.insert(2, "ordered items: the Wu and Estabrook (2016) sequence (thresholds, then loadings, then "
                             "intercepts); changes judged on the scaled CFI and RMSEA")
        return Summary("Measurement invariance", header + ["References: " + " ".join(refs)], tables)

    def _partial_tests(self) -> list:
        """The contract's ``partial``: score tests of the first failing step's constraints."""
        if not self.partial:
            return []
        return [{"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": r.group, "x2": r.x2, "df": r.df, "p": r.p}
                for r in self.partial["tests"].itertuples()]

    def _partial_release(self) -> dict | None:
        """Addition to the contract: the step tested, the cumulative tests and, with ``release``,
        what was freed and the partial model's fit and comparison."""
        if not self.partial:
            return None
        pa = self.partial
        out = {"level": pa["level"], "cumulative": pa["cumulative"].drop(columns="constraint").to_dict(orient="records"),
               "released": pa["released"]}
        if pa.get("released") is not None:
            out.update({"holds": pa["holds"], "fit": {k: pa["fit"].fit[k] for k in FIT_KEYS if k in pa["fit"].fit},
                        "delta": pa["comparison"]["delta"] if pa["comparison"] else None,
                        "lrt": ({k: pa["comparison"]["lrt"][k] for k in ("chisq_diff", "df_diff", "pvalue", "method")}
                                if pa["comparison"] else None)})
        return out

    def to_dict(self) -> dict:
        steps = []
        for level in self.steps:
            f = self.fits[level].fit
            item = {"level": level, "fit": {k: f[k] for k in FIT_KEYS if k in f}, "converged": self.fits[level].converged}
            c = self.comparisons.get(level)
            if c:
                item["delta"] = c["delta"]
                item["lrt"] = {k: c["lrt"][k] for k in ("chisq_diff", "df_diff", "pvalue", "method")}
                item["holds"] = c["holds"]
            steps.append(item)
        lm = self.latent_means()
        return jsonable({"groups": list(self.groups), "nobs": list(self.group_nobs), "estimator": self.meta.get("estimator"),
                         "steps": steps, "holds_up_to": self.holds_up_to,
                         "partial": self._partial_tests(), "partial_release": self._partial_release(),
                         "latent_means": None if lm is None else lm.to_dict(orient="records"),
                         "latent_variances": None if (lv := self.latent_variances()) is None else
                         lv.to_dict(orient="records"),
                         "cutoffs": {"chen2007": CHEN, "cheung_rensvold2002": {"cfi": CHEUNG_RENSVOLD}},
                         "references": CITATIONS + (ORDINAL_CITATIONS if self.meta.get("ordered") else []),
                         "meta": self.meta})
