"""SEM estimates, standard errors, standardized solutions and fit measures against lavaan."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from psychometrics.sem import sem

from ..conftest import DATA, ROOT

REF = ROOT / "tests" / "reference"
CASES = {
    "holzinger_swineford_cfa": (REF / "data" / "holzinger_swineford.csv", {}),
    "holzinger_swineford_cfa_stdlv": (REF / "data" / "holzinger_swineford.csv", {"std_lv": True}),
    "political_democracy": (REF / "data" / "political_democracy.csv", {}),
    "triangle_vpc_example": (DATA / "vpc_teachers_example.csv", {}),
    "triangle_pure_outcomes_vpc_example": (DATA / "vpc_teachers_example.csv", {}),   # auto.cov.y
}
FIT = ["npar", "chisq", "df", "pvalue", "baseline_chisq", "baseline_df", "cfi", "tli", "rmsea", "rmsea_ci_lower",
       "rmsea_ci_upper", "rmsea_pvalue", "srmr", "logl", "unrestricted_logl", "aic", "bic", "ntotal"]


def _key(lhs, op, rhs):
    return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    ref = json.loads((REF / f"sem_{request.param}.json").read_text())
    path, kw = CASES[request.param]
    res = sem(ref["model"], pd.read_csv(path).replace([-98, -99], np.nan), **kw)
    return ref, res


def test_fit_measures_match_lavaan(case):
    ref, res = case
    assert res.converged and res.nobs == ref["nobs"]
    for name in FIT:
        # issue: fit measures within 1e-3 (relative); tighter where both optimisers converge fully
        assert res.fit[name] == pytest.approx(ref["fit"][name], rel=1e-6, abs=1e-7), name


def test_parameters_match_lavaan(case):
    ref, res = case
    theirs = pd.DataFrame(ref["parameters"])
    ours = {_key(r.lhs, r.op, r.rhs): r for r in res.parameters.itertuples()}
    checked = 0
    for r in theirs.itertuples():
        if r.op == "r2":
            assert res.r2[r.lhs] == pytest.approx(r.est, rel=1e-4), r.lhs
            continue
        o = ours[_key(r.lhs, r.op, r.rhs)] if r.op != ":=" else next(x for x in ours.values() if x.lhs == r.lhs)
        # estimates and SEs: the issue asks 1e-3 relative. lavaan's nlminb stops about 1e-5 (relative)
        # from the optimum in flat directions (our gradient is below 1e-10; chi-square agrees to 1e-9), so 1e-4
        assert o.est == pytest.approx(r.est, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs)
        assert o.se == pytest.approx(r.se, rel=1e-4, abs=1e-7), (r.lhs, r.op, r.rhs, "se")
        if r.op != ":=":
            assert o.std_lv == pytest.approx(r._7, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs, "std_lv")
            assert o.std_all == pytest.approx(r._8, rel=1e-4, abs=1e-6), (r.lhs, r.op, r.rhs, "std_all")
        checked += 1
    assert checked == len(res.parameters)  # every row of ours has a lavaan counterpart and vice versa


def test_modification_indices_match_lavaan(case):
    ref, _ = case
    name = next(k for k in CASES if ref == json.loads((REF / f"sem_{k}.json").read_text()))
    path, kw = CASES[name]
    res = sem(ref["model"], pd.read_csv(path).replace([-98, -99], np.nan), modindices=True, **kw)
    theirs = {_key(r["lhs"], r["op"], r["rhs"]): r for r in ref["modindices"]}
    ours = {_key(r.lhs, r.op, r.rhs): r for r in res.modindices.itertuples()}
    observed = set(res.implied.index)
    in_model = {_key(r.lhs, r.op, r.rhs) for r in res.parameters.itertuples()}
    core = {k for k, r in theirs.items() if k not in in_model and
            (r["op"] == "=~" or (r["op"] == "~~" and r["lhs"] in observed and r["rhs"] in observed))}
    # we test every omitted cross-loading and residual covariance of observed variables that lavaan
    # tests; lavaan also lists latent regressions/covariances and fixed non-zero parameters (marker
    # loadings), which are not candidates here yet
    assert core <= set(ours) <= set(theirs)
    for k in ours:
        # MI is on the chi-square scale: lavaan's estimates sit ~1e-5 from the optimum, which moves
        # MIs by ~1e-5 absolute; 1e-3 absolute (or relative) is the meaningful tolerance
        assert ours[k].mi == pytest.approx(theirs[k]["mi"], rel=1e-3, abs=1e-3), k
        assert ours[k].epc == pytest.approx(theirs[k]["epc"], rel=1e-3, abs=1e-4), k


def test_standardized_solution_standard_errors_match_lavaan(case):
    ref, res = case
    ours = {_key(r.lhs, r.op, r.rhs): r for r in res.parameters.itertuples() if r.op != ":="}
    checked = 0
    for r in ref["std_all"]:
        if r["op"] in (":=", "r2") or _key(r["lhs"], r["op"], r["rhs"]) not in ours:
            continue
        o = ours[_key(r["lhs"], r["op"], r["rhs"])]
        assert o.std_all == pytest.approx(r["est.std"], rel=1e-4, abs=1e-6)
        # delta method on both sides; our Jacobian by central differences: 1e-3 relative asked
        assert o.std_all_se == pytest.approx(r["se"], rel=1e-3, abs=1e-5), (r["lhs"], r["op"], r["rhs"])
        checked += 1
    assert checked == len(ours)
