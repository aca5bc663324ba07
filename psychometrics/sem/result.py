"""The result of a fitted model: parameter table, fit measures, notes and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import PsychometricsError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable


@dataclass(frozen=True, repr=False)
class SEMResult(ResultBase):
    """A fitted model: ``parameters`` (lavaan's parameterEstimates + std_lv/std_all), ``fit``
    (fitMeasures names with ``.`` as ``_``), ``r2`` (by variable; with several groups by group
    label, then variable), ``converged``, ``meta``."""

    parameters: pd.DataFrame
    fit: dict
    r2: dict
    converged: bool
    estimator: str
    nobs: int
    meta: dict = field(default_factory=dict)
    implied: pd.DataFrame | None = field(default=None, repr=False)
    modindices: pd.DataFrame | None = None
    bootstrap_draws: np.ndarray | None = field(default=None, repr=False)  # draws x (rows + defined) values
    groups: tuple = ("all",)
    group_nobs: tuple = ()
    bollen_stine_chisq: np.ndarray | None = field(default=None, repr=False)   # the draws' chi-squares
    state: dict | None = field(default=None, repr=False, compare=False)        # for predict() / residuals()
    levels: dict | None = None    # two-level models: clusters, ICCs from the saturated model (lavInspect "icc")

    def predict(self, data: pd.DataFrame | None = None,
                method: Literal["regression", "bartlett"] = "regression") -> pd.DataFrame:
        """Factor scores (lavaan's ``lavPredict``): ``"regression"`` (default) or ``"bartlett"``, one
        row per row of ``data`` (default: the data the model was fitted to; rows without a score
        are missing). See :mod:`psychometrics.sem.predict`."""
        from .predict import factor_scores

        if self.state is None:
            raise PsychometricsError("this result holds no model state; refit it")
        if self.state.get("ordinal"):
            raise PsychometricsError("factor scores for ordered indicators (WLSMV) are not available yet")
        if self.state.get("two_level"):
            raise PsychometricsError("factor scores of two-level models are not available yet")
        if data is None:
            data = self.state.get("data")
            if data is None:
                raise PsychometricsError("the model was fitted from summary statistics: give the data to score")
        return factor_scores(self.state, data, method)

    def residuals(self) -> list[dict]:
        """Residuals (lavaan's ``lavResiduals(fit, type = "raw")``), one dict per group: ``cov``
        (S - Sigma, DataFrame), ``mean`` (xbar - mu with a mean structure), ``cor`` (residual
        correlations), ``cov_z`` and ``mean_z`` (standardized residuals). See
        :func:`psychometrics.sem.predict.residuals`."""
        from .predict import residuals

        if self.state is None:
            raise PsychometricsError("this result holds no model state; refit it")
        if self.state.get("ordinal"):
            raise PsychometricsError("residuals for ordered indicators (WLSMV) are not available yet")
        if self.state.get("two_level"):
            raise PsychometricsError("residuals of two-level models are not available yet (the fit measures hold "
                                     "SRMR within and between)")
        names = self.state["pt"].observed
        out = []
        for r in residuals(self.state):
            frame = lambda m: pd.DataFrame(m, index=names, columns=names)  # noqa: E731
            out.append({"cov": frame(r["cov"]), "cor": frame(r["cor"]), "cov_z": frame(r["cov_z"]),
                        "mean": None if r["mean"] is None else pd.Series(r["mean"], index=names),
                        "mean_z": None if r["mean_z"] is None else pd.Series(r["mean_z"], index=names),
                        "note": r.get("note", "")})
        return out

    def _repr_fields(self) -> dict:
        f = self.fit
        return {"estimator": self.estimator, "converged": self.converged, "chisq": f.get("chisq"), "df": f.get("df"),
                "cfi": f.get("cfi"), "rmsea": f.get("rmsea")}

    def to_frame(self) -> pd.DataFrame:
        return self.parameters

    def to_dict(self) -> dict:
        # the JSON contract: 'group' is the group number as lavaan numbers them (1, 2, ...; 0 for
        # := rows), with the labels in 'groups' (the DataFrame keeps the labels, easier to read)
        params = self.parameters.copy()
        number = {lab: i + 1 for i, lab in enumerate(self.groups)}
        params["group"] = [0 if op == ":=" else (number.get(g, 1) if len(self.groups) > 1 else 1)
                           for op, g in zip(params["op"], params["group"])]
        out = {"converged": self.converged, "estimator": self.estimator,
               "nobs": list(self.group_nobs) or [self.nobs], "groups": list(self.groups), "fit": self.fit,
               "parameters": params, "r2": self.r2, "meta": self.meta}
        if self.modindices is not None:
            out["modindices"] = self.modindices
        if self.levels is not None:
            out["levels"] = self.levels
        return jsonable(out)

    def summary(self) -> Summary:
        f = self.fit
        scaled = "chisq_scaled" in f
        groups = ("; groups: " + ", ".join(f"{g} (N = {n})" for g, n in zip(self.groups, self.group_nobs))
                  if len(self.groups) > 1 else "")
        header = [f"estimator {self.estimator}, N = {self.nobs}{groups}, "
                  f"{'converged' if self.converged else 'NOT converged'}",
                  f"chi2({f['df']}) = {f['chisq']:.3f}, p = {f['pvalue']:.3g}; CFI = {f['cfi']:.3f}, "
                  f"TLI = {f['tli']:.3f}; RMSEA = {f['rmsea']:.3f}"
                  + (f" [{f['rmsea_ci_lower']:.3f}, {f['rmsea_ci_upper']:.3f}]" if "rmsea_ci_lower" in f else "")
                  + f"; SRMR = {f['srmr']:.3f}"
                  + (f" (within {f['srmr_within']:.3f}, between {f['srmr_between']:.3f})" if "srmr_within" in f else "")]
        if scaled and self.meta.get("test") == "scaled.shifted":
            header.append(f"scaled-shifted ({self.estimator}): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                          f"p = {f['pvalue_scaled']:.3g}, scaling factor {f['chisq_scaling_factor']:.3f}, shift "
                          f"{f['chisq_shift_parameters']:.3f}; scaled CFI = {f['cfi_scaled']:.3f}, "
                          f"TLI = {f['tli_scaled']:.3f}, RMSEA = {f['rmsea_scaled']:.3f}")
        elif scaled and self.meta.get("test") == "satorra.bentler":
            header.append(f"mean-adjusted (Satorra-Bentler, {self.estimator}): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                          f"p = {f['pvalue_scaled']:.3g}, scaling factor {f['chisq_scaling_factor']:.3f}; scaled "
                          f"CFI = {f['cfi_scaled']:.3f}, TLI = {f['tli_scaled']:.3f}, RMSEA = {f['rmsea_scaled']:.3f}")
        elif scaled:
            header.append(f"scaled (Yuan-Bentler, Mplus variant): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                          f"p = {f['pvalue_scaled']:.3g}, scaling factor {f['chisq_scaling_factor']:.3f}; robust "
                          f"CFI = {f['cfi_robust']:.3f}, TLI = {f['tli_robust']:.3f}, RMSEA = {f['rmsea_robust']:.3f}")
        if scaled and self.meta.get("test") in ("scaled.shifted", "satorra.bentler") and np.isfinite(
                f.get("cfi_robust", np.nan)):
            header.append(f"robust (Savalei, 2021): CFI = {f['cfi_robust']:.3f}, TLI = {f['tli_robust']:.3f}, "
                          f"RMSEA = {f['rmsea_robust']:.3f} [{f['rmsea_ci_lower_robust']:.3f}, "
                          f"{f['rmsea_ci_upper_robust']:.3f}]")
        if "bollen_stine_pvalue" in f:
            header.append(f"Bollen-Stine bootstrap p = {f['bollen_stine_pvalue']:.3f}")
        if np.isfinite(f.get("logl", np.nan)):
            header.append(f"logL = {f['logl']:.3f}; AIC = {f['aic']:.3f}; BIC = {f['bic']:.3f}; parameters: {f['npar']}")
        header += [*self.provenance.header(), *[f"note: {n}" for n in self.meta.get("notes", [])]]
        cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all",
                "std_all_se"]
        if len(self.groups) > 1:
            cols.insert(3, "group")
        if "level" in self.parameters.columns:
            cols.insert(3, "level")
        tables = [("Parameter estimates", self.parameters[cols])]
        if self.r2:
            if len(self.groups) > 1:
                r2 = pd.DataFrame([{"group": g, "variable": v, "r2": x} for g, d in self.r2.items() for v, x in d.items()])
            else:
                r2 = pd.DataFrame({"variable": list(self.r2), "r2": list(self.r2.values())})
            tables.append(("R-squared", r2))
        if self.modindices is not None:
            tables.append(("Modification indices (10 largest)", self.modindices.head(10)))
        return Summary("Structural equation model", header, tables)


    def path_diagram(self, path: str | None = None, standardized: bool = True) -> str:
        """Graphviz DOT of the model (latent ovals, observed boxes, directed effects and
        covariances labelled with std_all or raw estimates); written as .dot or, with Graphviz's
        ``dot`` on the PATH, rendered to .svg/.png/.pdf by the file's extension."""
        from .diagram import path_diagram

        return path_diagram(self, path, standardized)
