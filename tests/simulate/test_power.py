"""Monte Carlo power: agrees with a direct count in R (lavaan's simulateData + sem, 1000
replications, tests/reference/generate_power.R) within simulation error; rises with n; identical
for the same seed whatever the workers and batches; recovers the population values; the smallest
n by interpolation; options named."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.exceptions import OptionError
from psychometrics.simulate.power import _smallest_n

from ..conftest import ROOT

REF = json.loads((ROOT / "tests" / "reference" / "power_mediation.json").read_text())


@pytest.fixture(scope="module")
def mediation():
    return pm.power(REF["population"], n=[150, 300], reps=600, seed=11, fit_model=REF["fit_model"], workers=2,
                    progress=False, target=0.8)


def test_power_agrees_with_lavaan_within_monte_carlo_error(mediation):
    t = mediation.to_frame()
    t = t.assign(parameter=t["lhs"] + " " + t["op"] + " " + t["rhs"]).set_index(["n", "parameter"])
    for row in REF["results"]:
        ours = t.loc[(row["n"], row["parameter"])]
        p, R = row["power"], REF["reps"]
        # the difference of two independent Monte Carlo estimates: SD sqrt(p(1-p)(1/600 + 1/R)); 4 SD
        tol = 4 * math.sqrt(max(p * (1 - p), 0.01) * (1 / ours["reps"] + 1 / R))
        assert abs(ours["power"] - p) <= tol, (row, float(ours["power"]))
        assert ours["converged"] >= row["converged"] - 0.02


def test_power_rises_with_n_and_the_estimates_are_recovered(mediation):
    t = mediation.to_frame().set_index(["n", "lhs", "op", "rhs"])
    for key in [("m", "~", "x"), ("y", "~", "m"), ("ab", ":=", "a*b")]:
        assert t.loc[(300, *key), "power"] > t.loc[(150, *key), "power"]
    big = t.loc[300]
    # population values of the analysis model (marker loadings): m ~ x is 0.3 * 0.8 / 0.8 = 0.3
    assert big.loc[("m", "~", "x"), "population"] == pytest.approx(0.3, abs=1e-8)
    assert big.loc[("ab", ":=", "a*b"), "population"] == pytest.approx(0.3 * 0.25, abs=1e-8)
    # relative bias of the paths within 10% and coverage of the 95% intervals within 93%-97.5% (600 reps: SD 0.9%)
    for key in [("m", "~", "x"), ("y", "~", "m")]:
        assert abs(big.loc[key, "rel_bias"]) < 0.10
        assert 0.925 <= big.loc[key, "coverage"] <= 0.975


def test_same_seed_same_results_whatever_the_workers_and_batches():
    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.2*f"
    kw = {"n": [80, 120], "reps": 24, "seed": 5, "standardized": True, "progress": False}
    a = pm.power(pop, workers=1, **kw).to_frame()
    b = pm.power(pop, workers=2, batch=5, **kw).to_frame()
    c = pm.power(pop, workers=2, batch=24, **kw).to_frame()
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert not a.equals(pm.power(pop, workers=1, **{**kw, "seed": 6}).to_frame())


def test_smallest_n_interpolates_between_the_bracketing_sizes():
    t = pd.DataFrame({"n": [100, 200, 400], "lhs": "y", "op": "~", "rhs": "x", "group": 1, "label": "",
                      "power": [0.5, 0.7, 0.9], "power_se": [0.02, 0.02, 0.01]})
    s = _smallest_n(t, 0.8).iloc[0]
    assert s["n"] == pytest.approx(300.0) and s["reached"] and not s["at_smallest_n"]
    # n = 200 + 200 (0.8 - p1) / (p2 - p1): dn/dp1 = 200 (0.8 - 0.9) / 0.04 = -500, dn/dp2 = -500
    assert s["n_se"] == pytest.approx(math.hypot(500 * 0.02, 500 * 0.01))
    assert not _smallest_n(t, 0.95).iloc[0]["reached"]
    assert _smallest_n(t, 0.4).iloc[0]["at_smallest_n"]


def test_result_interface(mediation, tmp_path):
    d = mediation.to_dict()
    assert {"n", "lhs", "op", "rhs", "label", "power", "coverage", "bias", "converged"} <= set(d["results"][0])
    assert d["meta"]["seed"] == 11 and d["meta"]["reps"] == 600
    text = mediation.summary().as_text()
    assert "Smallest n for power 0.8" in text and "m ~ x" not in text      # the table shows lhs/op/rhs columns
    mediation.plot(str(tmp_path / "p.svg"))
    assert (tmp_path / "p.svg").read_text().startswith("<?xml")


@pytest.mark.parametrize("kw, arg", [({"reps": 1}, "reps"), ({"alpha": 1.5}, "alpha"), ({"target": 2}, "target"),
                                     ({"n": [1]}, "n"), ({"seed": -1}, "seed"), ({"workers": 0}, "workers")])
def test_bad_options_are_named(kw, arg):
    with pytest.raises(OptionError) as err:
        pm.power("f =~ 0.7*y1 + 0.7*y2 + 0.7*y3", **{"n": [50], "reps": 4, "progress": False, **kw})
    assert err.value.argument == arg


def test_ordinal_power_fits_wlsmv():
    res = pm.power("f =~ 0.7*y1 + 0.7*y2 + 0.7*y3 + 0.7*y4\ny5 ~ 0.3*f", n=[400], reps=12, seed=2, ordinal=4,
                   standardized=True, workers=1, progress=False)
    t = res.to_frame().set_index(["lhs", "op", "rhs"])
    assert res.meta["estimator"] == "WLSMV" and t["converged"].iloc[0] == 1
    assert t.loc[("y1", "|", "t2"), "population"] == pytest.approx(0.0, abs=1e-12)       # equal-probability cuts
    assert np.isfinite(t.loc[("y5", "~", "f"), "power"])


def test_the_lean_replication_fit_equals_sem():
    """Power fits plain ML replications without the fit measures and tables; its estimates, SEs and
    p-values (and := effects) must be sem()'s."""
    from psychometrics.simulate.data import draw
    from psychometrics.simulate.population import population
    from psychometrics.simulate.power import _Lean, _Spec

    pop = population(REF["population"])
    spec = _Spec(pop, REF["fit_model"], ((150,),), 1, None, None, None, None, 0.05, 0)
    lean = _Lean.make(spec)
    assert lean is not None
    Y = draw(pop, [150], np.random.default_rng(3))
    est, se, p, ok, adm = lean(Y)
    par = pm.sem(REF["fit_model"], pd.DataFrame(Y, columns=pop.observed)).parameters
    keep = ((par["free"] > 0) | (par["op"] == ":=")).to_numpy()
    np.testing.assert_allclose(est, par["est"].to_numpy(float)[keep], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(se, par["se"].to_numpy(float)[keep], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(p, par["pvalue"].to_numpy(float)[keep], rtol=1e-6, atol=1e-12)
    assert ok and adm


def test_cli_power_json_and_plot(tmp_path):
    import subprocess
    import sys

    pop = tmp_path / "pop.lav"
    pop.write_text("f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.25*f\n")
    plot = tmp_path / "power.png"
    r = subprocess.run([sys.executable, "-m", "psychometrics", "power", "--model", str(pop), "--standardized",
                        "--n", "100,200", "--reps", "20", "--seed", "3", "--target", "0.8", "--workers", "1",
                        "--plot", str(plot), "--format", "json", "--no-progress"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    api = pm.power("f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.25*f\n", n=[100, 200], reps=20, seed=3, standardized=True,
                   target=0.8, workers=1, progress=False)
    assert [row["power"] for row in out["results"]] == api.to_frame()["power"].tolist()
    assert {"n", "lhs", "op", "rhs", "label", "power", "coverage", "bias", "converged"} <= set(out["results"][0])
    assert plot.read_bytes()[:4] == b"\x89PNG"
    r = subprocess.run([sys.executable, "-m", "psychometrics", "power", "--model", str(pop), "--n", "100",
                        "--reps", "5", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "not both" in r.stderr


def test_clustered_power_uses_cluster_robust_ses():
    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.25*f"
    kw = {"n": [300], "reps": 30, "seed": 4, "standardized": True, "workers": 1, "progress": False}
    flat = pm.power(pop, **kw).to_frame().set_index(["lhs", "op", "rhs"])
    nested = pm.power(pop, clusters=30, icc=0.3, **kw)
    t = nested.to_frame().set_index(["lhs", "op", "rhs"])
    assert nested.meta["estimator"] == "MLR" and nested.meta["clusters"] == 30
    # teachers in 30 schools of 10 with ICC .3 for every variable: a slope's design effect is about
    # 1 + (m - 1) icc_x icc_e = 1.81 (Scott & Holt, 1982), an SE ratio near 1.35 (1.29 here, 30 reps)
    assert t.loc[("y4", "~", "f"), "mean_se"] > 1.15 * flat.loc[("y4", "~", "f"), "mean_se"]
    assert 0.8 <= t.loc[("y4", "~", "f"), "coverage"] <= 1.0


def test_planned_missingness_is_fitted_by_fiml():
    pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\ny4 ~ 0.3*f"
    kw = {"n": [300], "reps": 20, "seed": 8, "standardized": True, "workers": 1, "progress": False}
    full = pm.power(pop, **kw).to_frame().set_index(["lhs", "op", "rhs"])
    res = pm.power(pop, missing="mcar:0.3", **kw)
    t = res.to_frame().set_index(["lhs", "op", "rhs"])
    assert t["converged"].iloc[0] == 1 and res.meta["missing"] == "mcar:0.3"
    assert ("y4", "~1", "") in t.index                   # FIML: a mean structure, intercepts reported
    # 30% of the answers missing: the SEs grow (about 1/sqrt(0.7) for the loadings)
    assert t.loc[("f", "=~", "y2"), "mean_se"] > 1.1 * full.loc[("f", "=~", "y2"), "mean_se"]
    assert np.isfinite(t.loc[("y4", "~1", ""), "population"])
