"""SEM estimates, standard errors, standardized solutions and fit measures against lavaan
(tests/reference/generate.R: lavaan 0.6.14) for ML, MLR, GLS, ULS, FIML and two-group models."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from psychometrics.sem import sem

from ..conftest import DATA, ROOT

REF = ROOT / "tests" / "reference"
HS = REF / "data" / "holzinger_swineford.csv"
HSF = REF / "data" / "holzinger_swineford_full.csv"
HSM = REF / "data" / "holzinger_swineford_missing.csv"
PD = REF / "data" / "political_democracy.csv"
VPC = DATA / "vpc_teachers_example.csv"
CASES = {
    "holzinger_swineford_cfa": (HS, {}),
    "holzinger_swineford_cfa_stdlv": (HS, {"std_lv": True}),
    "political_democracy": (PD, {}),
    "triangle_vpc_example": (VPC, {}),
    "triangle_pure_outcomes_vpc_example": (VPC, {}),   # auto.cov.y
    "holzinger_swineford_cfa_mlr": (HS, {"estimator": "MLR"}),
    "political_democracy_mlr": (PD, {"estimator": "MLR"}),
    "holzinger_swineford_cfa_gls": (HS, {"estimator": "GLS"}),
    "holzinger_swineford_cfa_uls": (HS, {"estimator": "ULS"}),
    "holzinger_swineford_fiml": (HSM, {"missing": "fiml"}),
    "political_democracy_fiml_complete": (PD, {"missing": "fiml"}),
    "holzinger_swineford_fiml_mlr": (HSM, {"missing": "fiml", "estimator": "MLR"}),
    "holzinger_swineford_fiml_mlr_two_group": (HSM, {"missing": "fiml", "estimator": "MLR", "group": "school",
                                                     "group_equal": "loadings"}),
    "holzinger_swineford_two_group": (HSF, {"group": "school"}),
    "holzinger_swineford_two_group_metric": (HSF, {"group": "school", "group_equal": "loadings"}),
    "holzinger_swineford_two_group_scalar_partial": (HSF, {"group": "school",
                                                           "group_equal": ("loadings", "intercepts", "residuals"),
                                                           "group_partial": ("x3~1", "x7~~x7")}),
    "holzinger_swineford_two_group_labels": (HSF, {"group": "school", "estimator": "MLR"}),
    "holzinger_swineford_two_group_all_equal": (HSF, {"group": "school", "group_equal": (
        "loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances", "lv.covariances",
        "regressions")}),
    "holzinger_swineford_constraint_linear": (HS, {}),            # l5 + l6 == 2.2
    "holzinger_swineford_constraint_linear_mlr": (HS, {"estimator": "MLR"}),
    "holzinger_swineford_constraint_nonlinear": (HS, {}),         # b == a^2 + 0.2
    "holzinger_swineford_constraint_redundant": (HS, {}),         # a + b == 1.6 twice: df counts it once
    "holzinger_swineford_inequality_active": (HS, {}),            # v2 > 1.3 (binds)
    "holzinger_swineford_inequality_inactive": (HS, {}),          # v2 > 0
}
FIT = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "rmsea", "rmsea_ci_lower",
       "rmsea_ci_upper", "rmsea_pvalue", "srmr", "logl", "unrestricted_logl", "aic", "bic", "ntotal"]
ROBUST = ["chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "baseline_chisq_scaled",
          "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust", "rmsea_scaled",
          "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_robust", "rmsea_ci_lower_robust",
          "rmsea_ci_upper_robust", "rmsea_pvalue_scaled", "rmsea_pvalue_robust"]
LS = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "rmsea", "rmsea_ci_lower",
      "rmsea_ci_upper", "rmsea_pvalue", "srmr"]


def _key(lhs, op, rhs, group):
    return (min(lhs, rhs), op, max(lhs, rhs), group) if op == "~~" else (lhs, op, rhs, group)


def _load(name):
    ref = json.loads((REF / f"sem_{name}.json").read_text())
    path, kw = CASES[name]
    data = pd.read_csv(path).replace([-98, -99], np.nan)
    return ref, data, kw


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    ref, data, kw = _load(request.param)
    res = sem(ref["model"], data, **kw)
    labels = ref["group_labels"] or [1]
    # lavaan numbers groups 1, 2, ...; we report the group's label (one group: 1); ':=' rows have group 0
    group_of = (lambda g: labels[g - 1] if g else 0) if len(labels) > 1 and ref["group_labels"] else (lambda g: g)
    return request.param, ref, res, group_of


def test_options_are_lavaans(case):
    name, ref, res, _ = case
    opt = ref["options"]
    assert res.estimator == (opt["estimator"] if opt["estimator"] != "ML" or opt["se"] == "standard" else "MLR")
    info = opt["information"][0] if isinstance(opt["information"], list) else opt["information"]
    if res.estimator in ("ML", "MLR"):
        assert res.meta["information"] == info


def test_fit_measures_match_lavaan(case):
    name, ref, res, _ = case
    assert res.converged
    nobs = ref["nobs"] if isinstance(ref["nobs"], list) else [ref["nobs"]]
    assert list(res.group_nobs) == nobs
    names = LS if res.estimator in ("GLS", "ULS") else FIT + (ROBUST if res.estimator == "MLR" else [])
    for n in names:
        theirs = ref["fit"][n]
        if n.endswith("_robust") and res.meta["missing"] == "fiml":
            # lavaan's robust measures under FIML are Zhang & Savalei's corrections (so are ours)
            assert any("Zhang" in x for x in res.meta["notes"]), n
        if theirs is None and res.estimator == "ULS" and n == "pvalue":
            assert math.isnan(res.fit[n])   # lavaan gives no p-value for the ULS statistic; neither do we
            continue
        if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
            assert n in ("rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "rmsea_pvalue_robust"), n
            continue
        # issue: fit measures within 1e-3 (relative); both optimisers converge fully here, so 1e-5
        # (lavaan's nlminb stops ~1e-6 relative from the optimum in flat directions). Under a
        # nonlinear constraint lavaan's augmented-Lagrangian optimiser (nlminb.constr) stops ~1e-5
        # away (its KKT residual; ours is below 1e-8): 1e-4 there
        rel = 1e-4 if "constraint_nonlinear" in name else 1e-5
        if n.endswith("_robust") and res.meta["missing"] == "fiml":
            # the FIML-corrected measures are evaluated at the EM moments of the saturated model,
            # which lavaan's EM gives to ~1e-5 relative: 1e-4; the p of close fit, a tail probability
            # near 0.005, moves ~20 times as much (absolute 5e-6)
            rel = 1e-4
            if n == "rmsea_pvalue_robust":
                assert res.fit[n] == pytest.approx(theirs, abs=5e-6), n
                continue
        assert res.fit[n] == pytest.approx(theirs, rel=rel, abs=1e-7), n


def test_parameters_match_lavaan(case):
    name, ref, res, group_of = case
    theirs = pd.DataFrame(ref["parameters"])
    ours = {_key(r.lhs, r.op, r.rhs, r.group): r for r in res.parameters.itertuples()}
    r2 = res.r2 if len(res.groups) == 1 else None
    checked = 0
    for r in theirs.itertuples():
        g = group_of(r.group)
        if r.op == "r2":
            mine = res.r2[r.lhs] if r2 is not None else res.r2[g][r.lhs]
            assert mine == pytest.approx(r.est, rel=1e-4), r.lhs
            continue
        if r.op == "==":   # lavaan writes group.equal as constraint rows; ours share one parameter
            continue
        o = ours[_key(r.lhs, r.op, r.rhs, g)] if r.op != ":=" else next(x for x in ours.values() if x.lhs == r.lhs)
        # estimates and SEs: the issue asks 1e-3 relative. lavaan's nlminb stops about 1e-5 (relative)
        # from the optimum in flat directions (our gradient is below 1e-8), so 1e-4
        tol_se = 2e-4 if res.meta["information"] == "observed" else 1e-4   # Hessian by differences (ours) and lavaan's
        assert o.est == pytest.approx(r.est, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs, g)
        if r.se is None or (isinstance(r.se, float) and math.isnan(r.se)):
            # lavaan gives no SE for a parameter held at an active inequality bound; neither do we
            assert math.isnan(o.se), (r.lhs, r.op, r.rhs, g, "se")
        else:
            assert o.se == pytest.approx(r.se, rel=tol_se, abs=1e-6), (r.lhs, r.op, r.rhs, g, "se")
        if r.op != ":=":
            assert o.std_lv == pytest.approx(r._8, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs, g, "std_lv")
            assert o.std_all == pytest.approx(r._9, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs, g, "std_all")
        checked += 1
    assert checked == len(res.parameters)  # every row of ours has a lavaan counterpart and vice versa


def test_modification_indices_match_lavaan(case):
    name, ref, res, group_of = case
    path, kw = CASES[name]
    res = sem(ref["model"], pd.read_csv(path).replace([-98, -99], np.nan), modindices=True, **kw)
    if res.estimator not in ("ML", "MLR") or "constraint" in name or "inequality" in name:
        # not implemented for least squares and general constraints: none given, and the notes say so
        assert res.modindices is None
        assert any("modification indices are computed for ML/MLR" in n for n in res.meta["notes"])
        return
    theirs = {_key(r["lhs"], r["op"], r["rhs"], group_of(r.get("group", 1))): r for r in ref["modindices"]}
    ours = {_key(r.lhs, r.op, r.rhs, r.group): r for r in res.modindices.itertuples()}
    observed = set(res.implied.index)
    in_model = {_key(r.lhs, r.op, r.rhs, r.group) for r in res.parameters.itertuples()}
    core = {k for k, r in theirs.items() if k not in in_model and
            (r["op"] == "=~" or (r["op"] == "~~" and r["lhs"] in observed and r["rhs"] in observed))}
    # we test every omitted cross-loading and residual covariance of observed variables that lavaan
    # tests (in every group); lavaan also lists latent regressions/covariances and fixed non-zero
    # parameters (marker loadings), which are not candidates here yet
    assert core <= set(ours) <= set(theirs)
    for k in ours:
        # MI is on the chi-square scale: lavaan's estimates sit ~1e-5 from the optimum, which moves
        # MIs by ~1e-5 absolute; 1e-3 absolute (or relative) is the meaningful tolerance. With MLR,
        # lavaan's modindices are the ML ones (expected information) too.
        assert ours[k].mi == pytest.approx(theirs[k]["mi"], rel=1e-3, abs=1e-3), k
        assert ours[k].epc == pytest.approx(theirs[k]["epc"], rel=1e-3, abs=1e-4), k


def test_standardized_solution_standard_errors_match_lavaan(case):
    name, ref, res, group_of = case
    ours = {_key(r.lhs, r.op, r.rhs, r.group): r for r in res.parameters.itertuples() if r.op != ":="}
    checked = 0
    for r in ref["std_all"]:
        k = _key(r["lhs"], r["op"], r["rhs"], group_of(r["group"]))
        if r["op"] in (":=", "r2", "==") or k not in ours:
            continue
        o = ours[k]
        assert o.std_all == pytest.approx(r["est.std"], rel=1e-4, abs=1e-6)
        # delta method on both sides (analytic Jacobian here): 1e-3 relative asked
        assert o.std_all_se == pytest.approx(r["se"], rel=1e-3, abs=1e-5), (k, "std_all_se")
        checked += 1
    assert checked == len(ours)
