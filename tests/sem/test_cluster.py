"""Cluster-robust inference for single-level models (teachers nested in schools), against lavaan
0.6.14's ``cluster =`` with MLR (tests/reference/generate_cluster.R): SEs from cluster-summed
casewise scores (with C/(C - 1)), the Yuan-Bentler (Mplus) scaled test with the clustered Gamma,
and the robust fit measures; lavaan's Demo.twolevel (a CFA, an SEM with covariates, with fixed and
with free covariates, two groups of clusters, and FIML with missing answers) and the example data
with teachers clustered by region; and, unclustered, MLR's baseline scaling with free covariates (their covariances are free
in lavaan's baseline)."""

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
CASES = ["demo_cfa", "demo_sem_covariates", "demo_two_groups", "vpc_triangle_region", "demo_sem_free_x",
         "demo_sem_free_x_unclustered", "demo_cfa_fiml", "demo_sem_fiml", "demo_fiml_two_groups"]


def _data(name: str) -> pd.DataFrame:
    if name.startswith("demo"):
        d = pd.read_csv(REF / "data" / ("demo_twolevel_missing.csv" if "fiml" in name else "demo_twolevel.csv"))
        d["half"] = np.where(d["cluster"] % 2 == 0, "even", "odd")
        return d
    return pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)


@pytest.fixture(scope="module", params=CASES)
def case(request):
    ref = json.loads((REF / f"cluster_{request.param}.json").read_text())
    group, ref["cluster"] = ref["group"] or None, ref["cluster"] or None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        kw = {"cluster": ref["cluster"]} if ref["cluster"] else {"estimator": "MLR"}
        res = pm.sem(ref["model"], _data(request.param), group=group, fixed_x=ref.get("fixed_x", True),
                     missing="fiml" if ref.get("missing") == "ml" else "listwise", **kw)
    return ref, res, group


def test_estimates_and_cluster_robust_ses_match_lavaan(case):
    ref, res, group = case
    assert res.meta["se"] == ref["se"] and res.estimator == "MLR"
    ours = {(r.lhs, r.op, r.rhs, str(r.group) if group else "1"): r for r in res.parameters.itertuples()}
    assert len(ours) == len(ref["parameters"])          # intercepts too: cluster= implies a mean structure
    for r in ref["parameters"]:
        o = ours[(r["lhs"], r["op"], r["rhs"], str(r["group_label"]))]
        # 1e-4 relative (issue 14 asks 1e-3); both optimisers converge to ~1e-7 here
        assert o.est == pytest.approx(r["est"], rel=1e-4, abs=1e-6), r
        assert o.se == pytest.approx(r["se"], rel=1e-4, abs=1e-7), r


def test_scaled_test_and_robust_fit_match_lavaan(case):
    ref, res, _ = case
    for k, v in ref["fit"].items():
        if v is None:
            assert math.isnan(res.fit[k]), k
            continue
        assert res.fit[k] == pytest.approx(v, rel=1e-4, abs=1e-7), k


def test_clustering_changes_ses_but_not_estimates():
    ref = json.loads((REF / "cluster_demo_sem_covariates.json").read_text())
    d = _data("demo_sem_covariates")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        plain = pm.sem(ref["model"], d, estimator="MLR", meanstructure=True)
        clustered = pm.sem(ref["model"], d, cluster="cluster")
    assert np.allclose(plain.parameters["est"], clustered.parameters["est"], atol=1e-8)
    assert not np.allclose(plain.parameters["se"], clustered.parameters["se"], rtol=1e-3)
    assert clustered.fit["chisq"] == pytest.approx(plain.fit["chisq"], rel=1e-9)


@pytest.mark.parametrize("change,kw,fragment", [
    (lambda d: d.assign(cluster=1), {}, "single value"),
    (lambda d: d.assign(cluster=d["cluster"].where(d.index > 3)), {}, "empty in 4 row"),
    (lambda d: d, {"cluster": "nope"}, "not in the data"),
    (lambda d: d, {"bollen_stine": 10}, "Bollen-Stine"),
    (lambda d: d, {"estimator": "GLS"}, "GLS"),
])
def test_bad_cluster_input_is_named(change, kw, fragment):
    d = change(_data("demo_cfa"))
    args = {"cluster": "cluster", **kw}
    with pytest.raises(PsychometricsError, match=fragment):
        pm.sem("f =~ y1 + y2 + y3 + y4", d, **args)


def test_few_clusters_are_warned_about():
    """The example data by region: 20 clusters for 39 free parameters (lavaan warns that the
    covariance of the estimates is not positive definite)."""
    ref = json.loads((REF / "cluster_vpc_triangle_region.json").read_text())
    with pytest.warns(pm.PsychometricsWarning, match="only 20 clusters for 39 free parameters"):
        res = pm.sem(ref["model"], _data("vpc_triangle_region"), cluster="region")
    assert any("clusters" in n for n in res.meta["notes"])


def test_cli_cluster_matches_the_library(tmp_path):
    import subprocess
    import sys

    ref = json.loads((REF / "cluster_demo_sem_covariates.json").read_text())
    r = subprocess.run([sys.executable, "-m", "psychometrics", "sem", str(REF / "data" / "demo_twolevel.csv"),
                        "--model", ref["model"], "--cluster", "cluster", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["fit"]["chisq_scaled"] == pytest.approx(ref["fit"]["chisq_scaled"], rel=1e-4)
    se = {(p["lhs"], p["op"], p["rhs"]): p["se"] for p in out["parameters"]}
    for p in ref["parameters"]:
        assert se[(p["lhs"], p["op"], p["rhs"])] == pytest.approx(p["se"], rel=1e-4, abs=1e-7)
    r = subprocess.run([sys.executable, "-m", "psychometrics", "sem", str(REF / "data" / "demo_twolevel.csv"),
                        "--model", ref["model"], "--cluster", "school"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "'school' is not a column" in r.stderr


def test_cluster_bootstrap_resamples_whole_clusters():
    """--bootstrap N --cluster: whole clusters are drawn, so the bootstrap SEs follow the
    cluster-robust ones (here within 12%, the Monte Carlo error of 400 draws being about 4%), well
    above the row bootstrap's for the clustered intercepts; the same seed gives the same draws on
    one process or several; BCa's jackknife leaves out one cluster at a time."""
    d = _data("demo_cfa")
    m = "f =~ y1 + y2 + y3 + y4"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        rob = pm.sem(m, d, cluster="cluster")
        boot = pm.sem(m, d, cluster="cluster", bootstrap=400, seed=7, progress=False)
        boot1 = pm.sem(m, d, cluster="cluster", bootstrap=400, seed=7, progress=False, n_jobs=1)
        rows = pm.sem(m, d, estimator="MLR", meanstructure=True, bootstrap=400, seed=7, progress=False)
    free = rob.parameters["se"] > 0
    ratio = boot.parameters["se"][free] / rob.parameters["se"][free]
    assert ratio.between(0.88, 1.12).all(), ratio
    assert np.array_equal(boot.bootstrap_draws, boot1.bootstrap_draws)
    intercepts = ((rob.parameters["op"] == "~1") & free).to_numpy()
    assert (boot.parameters["se"][intercepts] > 1.8 * rows.parameters["se"][intercepts]).all()
    assert any("whole clusters" in n for n in boot.meta["notes"])
    small = d[d["cluster"] <= 40]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        bca = pm.sem(m, small, cluster="cluster", bootstrap=60, seed=1, ci="bca", progress=False)
    ok = bca.parameters[bca.parameters["se"] > 0]
    assert ((ok["ci_lower"] < ok["est"]) & (ok["est"] < ok["ci_upper"])).all()
