"""Cluster-robust WLSMV (ordered items, ``cluster=``) against lavaan 0.7-2
(tests/reference/generate_cluster_wlsmv.R; Debian's lavaan 0.6.14 accepts cluster= with WLSMV but
clusters nothing): estimates, robust SEs, std.all, the scaled-shifted test and the fit measures on
the example data (teachers in 95 schools; one group, two groups by location, pairwise deletion)
and lavaan's Demo.twolevel cut into four categories (200 clusters); the clustered Gamma itself;
the ordinal invariance sequence with clusters and lavTestLRT."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.measurement.acov import polychoric_acov

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"
CASES = ["vpc_eraut_school", "vpc_eraut_school_loc", "vpc_eraut_school_pairwise", "demo_ordinal"]


def _ref(name: str) -> dict:
    ref = json.loads((REF / f"cluster_wlsmv_{name}.json").read_text())
    ref["group"] = ref["group"] or None        # R's NULL arrives as {}
    return ref


def _data(ref: dict) -> pd.DataFrame:
    if ref["cluster"] == "cluster":
        return pd.read_csv(REF / "data" / "demo_twolevel_ordinal.csv")
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
    d["loc"] = np.where(d["loc"] == 1, "rural", "urban")
    d = d[ref["items"] + [ref["cluster"]] + ([ref["group"]] if ref["group"] else [])]
    return d.dropna() if ref["missing"] == "listwise" else d


@pytest.fixture(scope="module", params=CASES)
def case(request):
    ref = _ref(request.param)
    d = _data(ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        fits = {which: pm.sem(ref["model"], d, ordered=True, group=ref["group"], missing=ref["missing"], cluster=cl)
                for which, cl in (("clustered", ref["cluster"]), ("unclustered", None))}
    return ref, fits


def _expected(ref: dict, which: str) -> dict:
    # missing="pairwise": lavaan 0.7-2 sums the scores within clusters with NA propagating, so every
    # cluster with a missing answer drops out of its Gamma (the R script shows lavaan's Gamma is that
    # meat to 1e-15). A missing answer scores 0, as in the unclustered meat of lavaan and ours; the
    # reference for that is lavaan fed the zero-filled clustered Gamma with the unclustered weight
    # (a route the script checks reproduces lavaan's own clustered fit on complete rows).
    if which == "clustered" and ref["clustered_corrected"]:
        return ref["clustered_corrected"]
    return ref[which]


@pytest.mark.parametrize("which", ["clustered", "unclustered"])
def test_estimates_and_robust_ses_match_lavaan(case, which):
    ref, fits = case
    res = fits[which]
    p = res.parameters.assign(group_label=res.parameters["group"].astype(str))
    exp = pd.DataFrame(_expected(ref, which)["parameters"])
    m = exp.merge(p, on=["lhs", "op", "rhs", "group_label"], suffixes=("_r", ""), validate="one_to_one")
    assert len(m) == len(exp) == len(p)
    # estimates do not depend on the clusters (the DWLS weight is the unclustered Gamma's diagonal);
    # lavaan's optimiser stops near 1e-6 relative: estimates and std.all to 1e-5, SEs 1e-4 relative
    assert np.allclose(m["est"], m["est_r"], atol=1e-5, rtol=0)
    assert np.allclose(m["std_all"], m["std.all"], atol=1e-5, rtol=0)
    se = m["se_r"].fillna(0) > 0
    assert np.allclose(m.loc[se, "se"], m.loc[se, "se_r"], rtol=1e-4, atol=0)
    assert (m.loc[~se, "se"] == 0).all()
    assert res.meta["se"] == ("robust.cluster.sem" if which == "clustered" else "robust.sem")


@pytest.mark.parametrize("which", ["clustered", "unclustered"])
def test_scaled_test_and_fit_measures_match_lavaan(case, which):
    ref, fits = case
    fit, exp = fits[which].fit, _expected(ref, which)["fit"]
    for k, v in exp.items():
        if k == "pvalue":
            # lavaan 0.7-2 gives no p-value for the unscaled DWLS statistic (not chi-square distributed);
            # 0.6.14 does, and so do we (tests/sem/test_wlsmv.py)
            assert v is None and 0 <= fit[k] <= 1
            continue
        if k == "rmsea_robust" and v:
            # lavaan 0.7-2 divides the robust RMSEA of categorical data by N, 0.6.14 (and we) by N - G
            # (tests/sem/test_wlsmv.py holds us to 0.6.14); the rest is the same formula
            G = len(ref["nobs"])
            N = sum(ref["nobs"])
            assert fit[k] * np.sqrt((N - G) / N) == pytest.approx(v, rel=1e-5), k
            continue
        # 1e-5 relative: lavaan's optimiser; values at 0 or 1 (RMSEA 0, CFI 1) exactly as lavaan
        assert fit[k] == pytest.approx(v, rel=1e-5, abs=1e-8), k


def test_clusters_change_the_ses_not_the_estimates(case):
    ref, fits = case
    a, b = fits["clustered"].parameters, fits["unclustered"].parameters
    assert np.array_equal(a["est"], b["est"])
    free = (a["se"] > 0).to_numpy()
    assert not np.allclose(a["se"][free], b["se"][free], rtol=1e-3)
    assert fits["clustered"].fit["chisq"] == fits["unclustered"].fit["chisq"]
    assert any("cluster-summed scores of the thresholds" in n for n in fits["clustered"].meta["notes"])


def test_clustered_gamma_matches_lavaan():
    ref = _ref("vpc_eraut_school")
    d = _data(ref)
    names, G = polychoric_acov(d, ref["items"], cluster="school")
    # Gamma's entries run to about 10; lavaan's polychorics are converged to about 1e-9
    assert np.allclose(G, np.array(ref["gamma"][0]), atol=1e-6, rtol=0)
    _, G0 = polychoric_acov(d, ref["items"])
    _, G1 = polychoric_acov(d, ref["items"], cluster=np.arange(len(d)))     # clusters of one: C/(C-1)
    assert np.allclose(G1, G0 * len(d) / (len(d) - 1), rtol=1e-12)


def test_cluster_of_one_value_is_refused():
    d = _data(_ref("vpc_eraut_school")).assign(school=7)
    with pytest.raises(pm.PsychometricsError, match="single value"):
        pm.sem("s =~ sup01 + sup02 + sup03 + sup04", d, ordered=True, cluster="school")


def test_empty_cluster_id_is_named():
    d = _data(_ref("vpc_eraut_school")).astype({"school": object})
    d.iloc[5, d.columns.get_loc("school")] = None
    with pytest.raises(pm.PsychometricsError, match="empty in 1 row"):
        pm.sem("s =~ sup01 + sup02 + sup03 + sup04", d, ordered=True, cluster="school")


def test_invariance_sequence_with_clusters_matches_lavaan():
    ref = json.loads((REF / "cluster_wlsmv_invariance_vpc_loc_school.json").read_text())
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
    d["loc"] = np.where(d["loc"] == 1, "rural", "urban")
    d = d[ref["items"] + ["loc", "school"]].dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        res = pm.invariance(ref["model"], d, group="loc", ordered=True, cluster="school")
    for step in ref["steps"]:
        ours = res.fits[step["level"]].fit
        for k, v in step["fit"].items():
            if v is None or k == "rmsea_robust":    # NA with equal thresholds; N vs N - G (above)
                continue
            assert ours[k] == pytest.approx(v, rel=1e-4, abs=5e-7), (step["level"], k)
    for t in ref["lrt"]:
        ours = res.comparisons[t["level"]]["lrt"]
        assert ours["df_diff"] == t["df_diff"]
        # 1e-4: the steps' optimisers (lavaan's near 1e-6 relative) enter the difference
        assert ours["chisq_diff"] == pytest.approx(t["chisq_diff"], rel=1e-4), t["level"]
        assert ours["pvalue"] == pytest.approx(t["pvalue"], rel=1e-3), t["level"]


def test_fewer_clusters_than_parameters_warn():
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
    d = d[["sup01", "sup02", "sup03", "sup04", "region"]].dropna()
    with pytest.warns(pm.PsychometricsWarning, match=r"only 20 clusters for 20 free parameters"):
        res = pm.sem("s =~ sup01 + sup02 + sup03 + sup04", d, ordered=True, cluster="region")
    assert any("unreliable" in n for n in res.meta["notes"])
