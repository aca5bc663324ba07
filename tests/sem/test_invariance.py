"""Measurement invariance (configural, metric, scalar, strict) against lavaan: each step's fit and
the difference tests of lavTestLRT (ML; Satorra-Bentler 2001 scaled for MLR), on three data sets
(tests/reference/generate_invariance.R)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.exceptions import OptionError, PsychometricsError
from psychometrics.sem.compare import lrt

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"
VPC_ITEMS = [f"{p}0{i}" for p in ("con", "chl", "sup") for i in range(1, 5)]


def _data(name: str) -> pd.DataFrame:
    """The data exactly as the R script prepares them."""
    if name == "holzinger_swineford_school":
        return pd.read_csv(REF / "data" / "holzinger_swineford_full.csv")[["school"] + [f"x{i}" for i in range(1, 10)]]
    if name == "bfi_gender":
        cols = [f"{t}{i}" for t in "AC" for i in range(1, 6)] + ["gender"]
        return pd.read_csv(REF / "data" / "bfi_full.csv")[cols].dropna()
    if name == "vpc_loc_cluster":       # teachers in schools, schools nested in location
        d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")[VPC_ITEMS + ["loc", "school"]]
        return d.replace([-98, -99], np.nan).dropna()
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")[VPC_ITEMS + ["mode"]]
    return d.replace([-98, -99], np.nan).dropna()


CASES = sorted(p.stem.removeprefix("invariance_") for p in REF.glob("invariance_*_ml*.json"))


@pytest.fixture(scope="module", params=CASES)
def case(request):
    ref = json.loads((REF / f"invariance_{request.param}.json").read_text())
    name = request.param.rsplit("_", 1)[0]
    with _quiet():
        res = pm.invariance(ref["model"], _data(name), group=ref["group"], estimator=ref["estimator"],
                            cluster=ref.get("cluster") or None)
    return ref, res


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", pm.PsychometricsWarning)

    def __exit__(self, *a):
        self._w.__exit__(*a)


def test_every_step_fits_as_lavaan(case):
    ref, res = case
    assert [str(g) for g in res.groups] == [str(g) for g in ref["groups"]]
    assert list(res.group_nobs) == (ref["nobs"] if isinstance(ref["nobs"], list) else [ref["nobs"]])
    assert list(res.steps) == [s["level"] for s in ref["steps"]]
    for step in ref["steps"]:
        ours = res.fits[step["level"]].fit
        assert res.fits[step["level"]].converged
        for k, v in step["fit"].items():
            # issue: 1e-3 relative; both optimisers converge fully on these models, so 1e-5
            # (lavaan's nlminb stops ~1e-6 relative from the optimum in flat directions)
            assert ours[k] == pytest.approx(v, rel=1e-5, abs=1e-7), (step["level"], k)


def test_difference_tests_match_lavTestLRT(case):
    ref, res = case
    for t in ref["lrt"]:
        ours = res.comparisons[t["level"]]["lrt"]
        assert ours["method"] == ("satorra.bentler.2001" if ref["estimator"] == "MLR" else "standard")
        assert ours["df_diff"] == t["df_diff"]
        # differences of two statistics each within 1e-6 relative: 1e-4 relative on the difference
        assert ours["chisq_diff"] == pytest.approx(t["chisq_diff"], rel=1e-4), t["level"]
        assert ours["pvalue"] == pytest.approx(t["pvalue"], rel=1e-4, abs=1e-12), t["level"]
        if "rmsea" in t:
            assert ours["rmsea"] == pytest.approx(t["rmsea"], rel=1e-4, abs=1e-8), t["level"]


def test_deltas_and_verdicts_follow_the_cutoffs(case):
    _, res = case
    frame = res.to_frame()
    for prev, lv in zip(res.steps, res.steps[1:]):
        c = res.comparisons[lv]
        a, b = res.fits[prev].fit, res.fits[lv].fit
        assert c["delta"]["cfi"] == pytest.approx(b["cfi"] - a["cfi"], abs=1e-15)
        srmr_cut = 0.030 if lv == "metric" else 0.010
        want = c["delta"]["cfi"] >= -0.010 and (c["delta"]["rmsea"] <= 0.015 or c["delta"]["srmr"] <= srmr_cut)
        assert c["holds"]["chen2007"] == want
        assert c["holds"]["cheung_rensvold2002"] == (c["delta"]["cfi"] >= -0.01)
    assert list(frame["level"]) == list(res.steps)
    d = res.to_dict()
    assert [s["level"] for s in d["steps"]] == list(res.steps)
    assert set(d["steps"][1]["lrt"]) == {"chisq_diff", "df_diff", "pvalue", "method"}
    assert set(d["steps"][1]["delta"]) == {"cfi", "rmsea", "srmr"}
    for fmt in ("text", "md", "latex", "html"):
        assert "Chen" in res.summary().render(fmt)


def test_holzinger_swineford_fails_at_scalar_and_reports_no_latent_means():
    ref = json.loads((REF / "invariance_holzinger_swineford_school_ml.json").read_text())
    with _quiet():
        res = pm.invariance(ref["model"], _data("holzinger_swineford_school"), group="school")
    assert res.holds_up_to == "metric" and res.latent_means() is None     # dCFI -.038 at scalar


def test_latent_mean_difference_is_recovered_when_scalar_invariance_holds():
    rng = np.random.default_rng(11)
    n = 600
    grp = np.repeat(["rural", "urban"], n // 2)
    f = rng.normal(size=n) + np.where(grp == "urban", 0.5, 0.0)       # a planted mean difference of 0.5 SD
    d = pd.DataFrame({f"y{j}": 0.8 * f + rng.normal(scale=0.6, size=n) for j in range(1, 6)})
    d["loc"] = grp
    res = pm.invariance("F =~ y1 + y2 + y3 + y4 + y5", d, group="loc", levels="configural,metric,scalar")
    assert res.holds_up_to == "scalar"
    lm = res.latent_means()
    assert len(lm) == 1 and lm["group"].iloc[0] == "urban"
    assert abs(lm["d"].iloc[0] - 0.5) < 0.15 and lm["pvalue"].iloc[0] < 1e-6


@pytest.mark.parametrize("kw,fragment", [
    ({"levels": "metric,configural"}, "in the order"),
    ({"levels": "configural"}, "at least two"),
    ({"levels": "configural,weak"}, 'levels="weak"'),
    ({"group": "nope"}, "not in the data"),
    ({"estimator": "WLSMV"}, "estimator"),
])
def test_bad_options_are_refused_with_a_message(kw, fragment):
    d = _data("holzinger_swineford_school")
    args = {"group": "school", **kw}
    with pytest.raises((OptionError, PsychometricsError), match=fragment):
        pm.invariance("visual =~ x1 + x2 + x3", d, **args)


def test_one_group_is_refused():
    d = _data("holzinger_swineford_school").assign(school="one")
    with pytest.raises(PsychometricsError, match="invariance needs two groups"):
        pm.invariance("visual =~ x1 + x2 + x3", d, group="school")


def test_lrt_refuses_models_in_the_wrong_order():
    d = _data("holzinger_swineford_school")
    with _quiet():
        a = pm.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", d)
        b = pm.cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual ~~ 0*textual", d)
    assert lrt(b, a)["df_diff"] == 1
    with pytest.raises(PsychometricsError, match="more degrees of freedom"):
        lrt(a, b)


def test_cli_invariance_json(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("confidence =~ con01 + con02 + con03 + con04\nchallenge =~ chl01 + chl02 + chl03 + chl04\n"
                     "support =~ sup01 + sup02 + sup03 + sup04\n")
    r = subprocess.run([sys.executable, "-m", "psychometrics", "invariance", str(ROOT / "data" / "vpc_teachers_example.csv"),
                        "--model", str(model), "--group", "mode", "--missing-codes", "-98,-99", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ref = json.loads((REF / "invariance_vpc_mode_ml.json").read_text())
    assert out["groups"] == ref["groups"] and [s["level"] for s in out["steps"]] == [s["level"] for s in ref["steps"]]
    for ours, theirs in zip(out["steps"][1:], ref["lrt"]):
        assert ours["lrt"]["chisq_diff"] == pytest.approx(theirs["chisq_diff"], rel=1e-4)
    assert math.isfinite(out["steps"][0]["fit"]["cfi"])


def test_cli_invariance_with_clusters(tmp_path):
    """--cluster school: every step cluster-robust MLR (lavaan's cluster =), scaled statistics and
    the Satorra-Bentler differences as lavaan's with the clustered scaling factors."""
    model = tmp_path / "m.lav"
    model.write_text("confidence =~ con01 + con02 + con03 + con04\nchallenge =~ chl01 + chl02 + chl03 + chl04\n"
                     "support =~ sup01 + sup02 + sup03 + sup04\n")
    r = subprocess.run([sys.executable, "-m", "psychometrics", "invariance", str(ROOT / "data" / "vpc_teachers_example.csv"),
                        "--model", str(model), "--group", "loc", "--cluster", "school", "--missing-codes", "-98,-99",
                        "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ref = json.loads((REF / "invariance_vpc_loc_cluster_mlr.json").read_text())
    for ours, theirs in zip(out["steps"], ref["steps"]):     # both optimisers converge fully: 1e-5
        assert ours["fit"]["chisq_scaled"] == pytest.approx(theirs["fit"]["chisq_scaled"], rel=1e-5)
    for ours, theirs in zip(out["steps"][1:], ref["lrt"]):
        assert ours["lrt"]["chisq_diff"] == pytest.approx(theirs["chisq_diff"], rel=1e-4)
    # ordered items with clusters: cluster-robust WLSMV at every step (lavaan 0.7-2's values,
    # tests/reference/generate_cluster_wlsmv.R; the API is tested in tests/sem/test_cluster_wlsmv.py)
    r = subprocess.run([sys.executable, "-m", "psychometrics", "invariance", str(ROOT / "data" / "vpc_teachers_example.csv"),
                        "--model", str(model), "--group", "loc", "--cluster", "school", "--missing-codes", "-98,-99",
                        "--ordered", "all", "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    ref = json.loads((REF / "cluster_wlsmv_invariance_vpc_loc_school.json").read_text())
    for ours, theirs in zip(out["steps"], ref["steps"]):     # lavaan's optimiser: 1e-4
        assert ours["fit"]["chisq_scaled"] == pytest.approx(theirs["fit"]["chisq_scaled"], rel=1e-4)


SCORE = json.loads((REF / "invariance_score_tests_holzinger_swineford.json").read_text()) if (
    REF / "invariance_score_tests_holzinger_swineford.json").exists() else None


def _rows(ref_uni):
    return [dict(zip(ref_uni, v)) for v in zip(*ref_uni.values())] if isinstance(ref_uni, dict) else ref_uni


def test_score_tests_match_lavTestScore():
    from psychometrics.sem.scoretest import score_tests

    d = _data("holzinger_swineford_school")
    with _quiet():
        metric = pm.cfa(SCORE["model"], d, group="school", group_equal="loadings")
        scalar = pm.cfa(SCORE["model"], d, group="school", group_equal="loadings,intercepts")
    for res, ref in ((metric, SCORE["metric"]), (scalar, SCORE["scalar"])):
        t = score_tests(res)["constraints"]
        theirs = _rows(ref["uni"])
        assert len(t) == len(theirs)
        for ours, r in zip(t.itertuples(), theirs):
            assert (ours.lhs, ours.op, ours.rhs) == (r["lhs"], r["op"], r["rhs"])
            # a quadratic form in the score at the optimum: both fits converge to ~1e-7 there
            assert ours.x2 == pytest.approx(r["x2"], rel=1e-4, abs=1e-6), (r["lhs"], r["op"], r["rhs"])
    t = score_tests(metric)
    assert t["total"]["x2"] == pytest.approx(SCORE["metric"]["total"]["X2"], rel=1e-4)
    cum = _rows(SCORE["metric"]["cumulative"])
    np.testing.assert_allclose(t["cumulative"]["x2"], [c["x2"] for c in cum], rtol=1e-4)


def test_partial_scalar_invariance_releases_x3_and_x7_intercepts():
    """The textbook case: scalar invariance fails across the two schools; the score tests rank the
    x3 and x7 intercepts first, and freeing them gives partial scalar invariance, with the fit
    and latent means of lavaan's cfa(group.partial = c("x3~1", "x7~1"))."""
    d = _data("holzinger_swineford_school")
    with _quiet():
        res = pm.invariance(SCORE["model"], d, group="school", levels="configural,metric,scalar", release="auto")
    pa = res.partial
    assert pa["level"] == "scalar" and pa["released"] == SCORE["partial"]["released"] and pa["holds"]
    assert list(pa["tests"]["lhs"][:2]) == ["x3", "x7"]
    for k, v in SCORE["partial"]["fit"].items():
        assert pa["fit"].fit[k] == pytest.approx(v, rel=1e-5), k
    lm = res.latent_means()
    theirs = _rows(SCORE["partial"]["means"])
    for ours, r in zip(lm.itertuples(), theirs):
        assert ours.lhs == r["lhs"]
        assert ours.est == pytest.approx(r["est"], rel=1e-4, abs=1e-6) and ours.se == pytest.approx(r["se"], rel=1e-4)
    d_json = res.to_dict()
    assert set(d_json["partial"][0]) == {"lhs", "op", "rhs", "group", "x2", "df", "p"}   # shared/design/CLI.md
    assert d_json["partial_release"]["released"] == ["x3~1", "x7~1"] and d_json["partial_release"]["holds"]
    # latent variance differences (delta-method SEs from the parameters' covariance), as lavaan's
    # ':= v2 - v1' in the same partial model
    ref = json.loads((REF / "invariance_latent_variances_holzinger_swineford.json").read_text())
    lv = res.latent_variances()
    assert list(lv["lhs"]) == ref["factors"] and d_json["latent_variances"][0]["lhs"] == "visual"
    for ours, r in zip(lv.itertuples(), _rows(ref["differences"])):
        assert ours.diff == pytest.approx(r["est"], rel=1e-4, abs=1e-5)      # 1e-5: under 1e-4 of the SE (0.16)
        assert ours.se == pytest.approx(r["se"], rel=1e-4) and ours.pvalue == pytest.approx(r["pvalue"], rel=1e-3)
        assert ours.sd_ratio == pytest.approx(np.sqrt(ours.var / ours.var_ref))


def test_planted_non_invariant_intercept_is_ranked_first_and_released():
    rng = np.random.default_rng(21)
    n = 800
    grp = np.repeat(["kk", "ru"], n // 2)
    f = rng.normal(size=n)
    d = pd.DataFrame({f"y{j}": 0.8 * f + rng.normal(scale=0.6, size=n) for j in range(1, 7)})
    d.loc[grp == "ru", "y4"] += 0.6            # the Russian form's item 4 reads "easier": a shifted intercept
    d["lang"] = grp
    with _quiet():
        res = pm.invariance("F =~ y1 + y2 + y3 + y4 + y5 + y6", d, group="lang", levels="configural,metric,scalar",
                            release="auto")
    assert res.comparisons["metric"]["holds"]["chen2007"] and not res.comparisons["scalar"]["holds"]["chen2007"]
    assert res.partial["tests"]["lhs"].iloc[0] == "y4"
    assert res.partial["released"] == ["y4~1"] and res.partial["holds"]


def test_release_must_be_auto_or_a_count():
    with pytest.raises(OptionError, match="release"):
        pm.invariance(SCORE["model"], _data("holzinger_swineford_school"), group="school", release=0)
