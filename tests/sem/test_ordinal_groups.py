"""WLSMV with several groups (thresholds per group, lavaan's identification for group.equal with
thresholds) and the theta parameterization, against lavaan 0.6.14
(tests/reference/generate_wlsmv_groups.R): every parameter row's estimate, robust SE and std.all,
and the fit measures, for configural, threshold, metric and scalar models of psych's bfi by gender
and of the example data by school location; and mixed ordinal and continuous indicators (bfi's
agreeableness items ordered, conscientiousness continuous; years of experience next to the
example data's confidence items, two groups with equal thresholds and loadings)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.exceptions import PsychometricsError

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"
CASES = ["bfi_ac_theta", "bfi_gender_configural", "bfi_gender_thresholds", "bfi_gender_metric", "bfi_gender_scalar",
         "bfi_gender_thresholds_theta", "vpc_loc_configural", "vpc_loc_metric_stdlv", "bfi_mixed", "vpc_mixed_loc"]


def _data(ref: dict) -> pd.DataFrame:
    if ref["items"][0].startswith("A"):
        d = pd.read_csv(REF / "data" / "bfi_full.csv")
        d["gender"] = np.where(d["gender"] == 1, "male", "female")
    else:
        d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
        d["loc"] = np.where(d["loc"] == 1, "rural", "urban")
        d["yrs10"] = d["yrs"] / 10
    # listwise first, as the R script (na.omit) does: lavaan orders groups by first appearance
    return d[ref["items"] + ([ref["group"]] if ref["group"] else [])].dropna()


@pytest.fixture(scope="module", params=CASES)
def case(request):
    ref = json.loads((REF / f"wlsmv_mg_{request.param}.json").read_text())
    ref["group"] = ref["group"] or None          # R's NULL arrives as {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        res = pm.cfa(ref["model"], _data(ref), ordered=ref.get("ordered", True), group=ref["group"],
                     group_equal=ref["group_equal"], parameterization=ref["parameterization"], std_lv=ref["std_lv"])
    return ref, res


def test_every_row_matches_lavaan(case):
    ref, res = case
    assert res.converged
    assert list(res.groups) == ref["group_labels"] or ref["group"] is None
    assert list(res.group_nobs) == ref["nobs"]
    G = len(ref["group_labels"])
    ours = {(r.lhs, r.op, r.rhs, str(r.group) if G > 1 else "1"): r for r in res.parameters.itertuples()}
    theirs = pd.DataFrame(ref["parameters"])
    assert len(theirs) == len(res.parameters)            # the same rows, ~*~ and ~1 included
    for r in theirs.itertuples():
        o = ours[(r.lhs, r.op, r.rhs, str(r.group_label))]
        key = (r.lhs, r.op, r.rhs, r.group_label)
        # issue 13 asks 1e-3 relative; lavaan stops its optimiser at about 1e-5 here (we converge
        # to 1e-10), so 1e-4 relative with 2e-6 absolute for values near zero (thresholds ~ -0.02)
        assert o.est == pytest.approx(r.est, rel=1e-4, abs=2e-6), key
        assert o.se == pytest.approx(r.se, rel=1e-4, abs=2e-6), key
        assert o.std_all == pytest.approx(r._7, rel=1e-4, abs=2e-6), key


def test_fit_measures_match_lavaan(case):
    ref, res = case
    for k, v in ref["fit"].items():
        if v is None:      # robust CFI/TLI/RMSEA: not defined with continuous indicators or equal thresholds (NA)
            assert k.endswith("_robust") and math.isnan(res.fit[k]), k
            continue
        # 1e-5: the statistics are quadratic forms at lavaan's less tightly converged solution
        assert res.fit[k] == pytest.approx(v, rel=1e-5, abs=1e-8), k


def test_threshold_invariance_frees_scales_and_means_in_the_later_group(case):
    """lavaan's identification: with thresholds equal, group 2's scaling factors (delta) or
    residual variances (theta) and latent means are free; group 1's stay fixed."""
    ref, res = case
    if "thresholds" not in ref["group_equal"]:
        return
    P = res.parameters
    later = P[P.group == ref["group_labels"][1]]
    first = P[P.group == ref["group_labels"][0]]
    op = "~*~" if ref["parameterization"] == "delta" else "~~"
    items = set(ref["items"])
    sel = lambda d: d[(d.op == op) & d.lhs.isin(items) & (d.lhs == d.rhs)]  # noqa: E731
    assert (sel(later).free > 0).all() and (sel(first).free == 0).all()
    assert (later[(later.op == "~1") & ~later.lhs.isin(items)].free > 0).all()
    th1, th2 = first[first.op == "|"], later[later.op == "|"]
    assert np.array_equal(th1.free.to_numpy(), th2.free.to_numpy())     # one parameter per threshold


def test_unused_category_in_one_group_is_named():
    ref = json.loads((REF / "wlsmv_mg_bfi_gender_configural.json").read_text())
    d = _data(ref).dropna()
    d.loc[(d.gender == "male") & (d.A1 == 6), "A1"] = 5
    with pytest.raises(PsychometricsError, match="item A1: category 6 is not used in group 'male' of gender.*collapse"):
        pm.cfa(ref["model"], d, ordered=True, group="gender")


def test_single_category_in_a_group_is_named():
    ref = json.loads((REF / "wlsmv_mg_bfi_gender_configural.json").read_text())
    d = _data(ref).dropna()
    d.loc[d.gender == "female", "C3"] = 4
    with pytest.raises(PsychometricsError, match="item C3 has a single observed category in group 'female'"):
        pm.cfa(ref["model"], d, ordered=True, group="gender")


def test_a_tiny_group_is_refused():
    ref = json.loads((REF / "wlsmv_mg_bfi_gender_configural.json").read_text())
    d = _data(ref).dropna().reset_index(drop=True)
    d.loc[0, "gender"] = "other"
    with pytest.raises(PsychometricsError, match="group 'other'"):
        pm.cfa(ref["model"], d, ordered=True, group="gender")


def test_mixed_sample_statistics_and_their_acov_match_lavaan():
    """lavaan's WLS.obs (thresholds, minus the continuous variables' means, their variances,
    polychoric/polyserial/Pearson entries as covariances) and NACOV for the mixed case."""
    from psychometrics.measurement.acov import acov_parts, polychoric_acov
    from psychometrics.sem.ordinal import _group_stats

    ref = json.loads((REF / "wlsmv_mg_bfi_mixed.json").read_text())
    d = _data({**ref, "group": None})
    cont = [v for v in ref["items"] if v not in ref["ordered"]]
    names, gamma, pc = polychoric_acov(d, ref["items"], return_result=True, continuous=cont)
    st = _group_stats(d, ref["items"], cont, acov_parts(d, ref["items"], continuous=cont), "WLSMV")
    # polyserial correlations are solved to 1e-10 here and about 1e-8 in lavaan
    assert st.s == pytest.approx(np.array(ref["wls_obs"]), rel=1e-6, abs=1e-8)
    G = np.array(ref["nacov"])
    assert np.abs(gamma - G).max() <= 1e-6 * np.abs(G).max()
    assert names[:5] == ["A1|t1", "A1|t2", "A1|t3", "A1|t4", "A1|t5"] and "C1~1" in names and "C1~~C1" in names


def test_a_non_positive_definite_polychoric_matrix_is_named_and_the_fit_goes_on():
    """A small group with near-duplicate items (one a dichotomised copy of another): its polychoric
    matrix is not positive definite. WLSMV fits (as lavaan), with a warning naming the group and
    the items most involved and what to do; nothing overflows."""
    rng = np.random.default_rng(3)
    parts = []
    for g, n in (("a", 400), ("b", 60)):
        f = rng.normal(size=n)
        d = pd.DataFrame({f"y{j}": np.searchsorted([-1.2, 0, 1.2], (0.7 if g == "a" else 0.95) * f
                                                   + (0.7 if g == "a" else 0.2) * rng.normal(size=n)) + 1
                          for j in range(1, 6)})
        d["y6"] = np.where(d["y2"] > 2, 4, 1) if g == "b" else np.where(rng.random(n) < 0.5, 4, 1)
        parts.append(d.assign(g=g))
    data = pd.concat(parts, ignore_index=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = pm.cfa("F =~ y1 + y2 + y3 + y4 + y5 + y6", data, ordered=True, group="g")
    msgs = [str(w.message) for w in caught if issubclass(w.category, pm.PsychometricsWarning)]
    npd = [m for m in msgs if "not positive definite" in m]
    assert len(npd) == 1 and "in group 'b'" in npd[0] and "y2" in npd[0] and "collapse" in npd[0]
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert res.converged and np.isfinite(res.fit["chisq_scaled"])


@pytest.mark.parametrize("name", ["bfi_ac", "vpc_loc"])
def test_modification_indices_under_wlsmv_match_lavaan(name):
    """modindices() under WLSMV: every omitted loading and residual covariance, with the EPC and
    its standardized versions, one group (bfi) and two (the example data by location)."""
    ref = json.loads((REF / f"wlsmv_modindices_{name}.json").read_text())
    group = ref["group"] or None
    if name == "bfi_ac":
        d = pd.read_csv(REF / "data" / "bfi.csv")[ref["items"]].dropna()
    else:
        d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
        d["loc"] = np.where(d["loc"] == 1, "rural", "urban")
        d = d[ref["items"] + ["loc"]].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        res = pm.cfa(ref["model"], d, ordered=True, group=group, modindices=True)
    ours = {(r.lhs, r.op, r.rhs, str(r.group)): r for r in res.modindices.itertuples()}
    assert len(ours) == len(ref["modindices"])
    for r in ref["modindices"]:
        o = ours[(r["lhs"], r["op"], r["rhs"], str(r["group_label"]))]
        for ours_v, theirs in ((o.mi, r["mi"]), (o.epc, r["epc"]), (o.sepc_lv, r["sepc.lv"]), (o.sepc_all, r["sepc.all"])):
            # 1e-4: quadratic forms at lavaan's solution, converged to ~1e-6
            assert ours_v == pytest.approx(theirs, rel=1e-4, abs=1e-5), r
    assert res.modindices["mi"].is_monotonic_decreasing


@pytest.mark.parametrize("name", ["bfi_gender_thresholds", "vpc_mediation"])
def test_standardized_ses_match_standardizedSolution(name):
    """Delta-method SEs of the standardized solution under WLSMV (lavaan's standardizedSolution):
    loadings, latent-response residual variances (delta: 1/d^2 minus the common part, following
    the parameters), thresholds (tau * d), latent (co)variances and a := indirect effect; two
    groups with equal thresholds (bfi by gender) and the mediation SEM on the example data."""
    ref = json.loads((REF / f"wlsmv_stdse_{name}.json").read_text())
    group = ref["group"] or None
    if name.startswith("bfi"):
        d = pd.read_csv(REF / "data" / "bfi_full.csv")
        d["gender"] = np.where(d["gender"] == 1, "male", "female")
    else:
        d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
    d = d[ref["items"] + ([group] if group else [])].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        res = pm.sem(ref["model"], d, ordered=True, group=group, group_equal=ref["group_equal"])
    ours = {(r.lhs, r.op, r.rhs, "0" if r.op == ":=" else str(r.group)): r for r in res.parameters.itertuples()}
    checked = 0
    for r in ref["std"]:
        o = ours[(r["lhs"], r["op"], r["rhs"], str(r["group_label"]))]
        assert o.std_all == pytest.approx(r["est.std"], rel=1e-4, abs=1e-6), r
        if r["se"] is None or r["se"] == 0:          # fixed in the standardized solution (lavaan: NA or 0)
            assert o.std_all_se == pytest.approx(0, abs=1e-6) or np.isnan(o.std_all_se), r
            continue
        # 1e-4: numerical derivatives (ours central differences, lavaan's its own) at solutions 1e-6 apart
        assert o.std_all_se == pytest.approx(r["se"], rel=1e-4), r
        checked += 1
    assert checked > 40
