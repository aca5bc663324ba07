"""Bootstrap SEs and intervals against lavaan's se = "bootstrap", within Monte Carlo error."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from psychometrics.sem import sem

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"


@pytest.fixture(scope="module")
def boot():
    ref = json.loads((REF / "sem_bootstrap_political_democracy.json").read_text())
    df = pd.read_csv(REF / "data" / "political_democracy.csv")
    res = sem(ref["model"], df, bootstrap=1000, ci="bc", seed=7, progress=False)
    return ref, res


def _rows(res):
    # draws hold one column per row of the parameter table (fixed rows constant): keep the index
    return res.parameters[(res.parameters["free"] > 0) | (res.parameters["op"] == ":=")]


def test_bootstrap_se_and_intervals_within_monte_carlo_error(boot):
    ref, res = boot
    perc = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["perc"]}
    bc = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["bc"]}
    rows = _rows(res)
    draws = res.bootstrap_draws
    assert draws.shape == (1000, len(res.parameters)) and "0 failed" in res.meta["notes"][-1]
    for j, r in rows.iterrows():
        key = (r.lhs, r.op, r.rhs) if (r.lhs, r.op, r.rhs) in perc else (r.rhs, r.op, r.lhs)
        if r.op == ":=":
            key = next(k for k in perc if k[0] == r.lhs and k[1] == ":=")
        p = perc[key]
        se = p["se"]
        # Two independent sets of 1000 draws: the SD of a bootstrap SE is about SE/sqrt(2B) (2.2%), so
        # the two SEs differ by less than 10% (about 3 SD of the difference)
        assert r.se == pytest.approx(se, rel=0.10), key
        # Percentile: a 2.5% / 97.5% quantile of 1000 draws has a Monte Carlo SD of about 0.085 SE, so
        # two independent runs differ with SD ~0.12 SE; with 33 parameters x 2 ends compared, 4 SD = 0.5 SE.
        lo, hi = np.quantile(draws[:, j], [0.025, 0.975])
        assert abs(lo - p["ci.lower"]) < 0.5 * se and abs(hi - p["ci.upper"]) < 0.5 * se, (key, "perc")
        # Bias-corrected (lavaan's bca.simple): z0 is estimated from the draws too, which adds Monte
        # Carlo error; measured seed to seed here, an end moves with SD ~0.13 SE per run (~0.18 SE
        # between two runs), so 4 SD = 0.75 SE.
        assert abs(r.ci_lower - bc[key]["ci.lower"]) < 0.75 * se, (key, "bc")
        assert abs(r.ci_upper - bc[key]["ci.upper"]) < 0.75 * se, (key, "bc")


def test_bootstrap_is_seeded():
    ref = json.loads((REF / "sem_bootstrap_political_democracy.json").read_text())
    df = pd.read_csv(REF / "data" / "political_democracy.csv")
    a = sem(ref["model"], df, bootstrap=20, seed=3, progress=False).bootstrap_draws
    b = sem(ref["model"], df, bootstrap=20, seed=3, progress=False).bootstrap_draws
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["political_democracy", "holzinger_swineford"])
def test_bollen_stine_matches_lavaan_within_monte_carlo_error(name):
    ref = json.loads((REF / f"sem_bollen_stine_{name}.json").read_text())
    data = REF / "data" / f"{name}.csv"
    res = sem(ref["model"], pd.read_csv(data), bollen_stine=1000, seed=11, progress=False, n_jobs=2)
    assert res.fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    ours, theirs = res.bollen_stine_chisq, np.array(ref["draws"])
    assert len(ours) == 1000 and res.fit["bollen_stine_draws"] == 1000
    p, q = res.fit["bollen_stine_pvalue"], ref["pvalue"]
    # two independent sets of 1000 draws: SD of the p difference sqrt(2 p (1 - p) / 1000); 4 SD, at
    # least 0.01 (both 0 for Holzinger-Swineford, whose chi-square of 85 on 24 df is never reached)
    assert abs(p - q) <= max(4 * np.sqrt(2 * q * (1 - q) / 1000), 0.01)
    # the bootstrap distributions of the chi-square: means within 4 SE of their difference, and the
    # 90% quantiles within 4 Monte Carlo SDs (about 1.6 SD / sqrt(n) for a 90% quantile, twice)
    sd = theirs.std()
    assert abs(ours.mean() - theirs.mean()) < 4 * sd * np.sqrt(2 / 1000)
    assert abs(np.quantile(ours, 0.9) - np.quantile(theirs, 0.9)) < 4 * 1.6 * sd * np.sqrt(2 / 1000)
