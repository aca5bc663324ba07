"""Simulated data: same seed same data; loadings and paths recovered at large N, continuous and
ordinal (WLSMV); the missingness mechanisms give their rates; bad options are named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import psychometrics as pm
from psychometrics.exceptions import OptionError

POP = "f =~ 0.8*y1 + 0.7*y2 + 0.6*y3 + 0.5*y4\ny5 ~ 0.3*f"


def test_same_seed_same_data():
    a = pm.simulate(POP, n=50, seed=3, standardized=True)
    b = pm.simulate(POP, n=50, seed=3, standardized=True)
    assert a.equals(b) and not a.equals(pm.simulate(POP, n=50, seed=4, standardized=True))


def _std(res):
    p = res.parameters.set_index(["lhs", "op", "rhs"])
    return {k: p.loc[k, "std_all"] for k in [("f", "=~", "y1"), ("f", "=~", "y4"), ("y5", "~", "f")]}


def test_continuous_data_recover_the_standardized_values():
    d = pm.simulate(POP, n=40000, seed=1, standardized=True)
    got = _std(pm.sem(pm.simulate.analysis_syntax(POP), d))
    # sampling SD of a standardized loading at N = 40000 is about 0.004: within 0.015 (3.5 SD)
    assert got[("f", "=~", "y1")] == pytest.approx(0.8, abs=0.015)
    assert got[("f", "=~", "y4")] == pytest.approx(0.5, abs=0.015)
    assert got[("y5", "~", "f")] == pytest.approx(0.3, abs=0.015)


def test_ordinal_data_recover_the_standardized_values_with_wlsmv():
    d = pm.simulate(POP, n=20000, seed=2, standardized=True, ordinal=5)
    assert sorted(np.unique(d.to_numpy())) == [1, 2, 3, 4, 5]
    # equal-probability thresholds: each category about a fifth of the answers
    assert np.allclose(d["y1"].value_counts(normalize=True).sort_index().to_numpy(), 0.2, atol=0.015)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.PsychometricsWarning)
        got = _std(pm.sem(pm.simulate.analysis_syntax(POP), d, ordered=True))
    # polychoric loadings at N = 20000: SD about 0.006; within 0.025
    assert got[("f", "=~", "y1")] == pytest.approx(0.8, abs=0.025)
    assert got[("y5", "~", "f")] == pytest.approx(0.3, abs=0.025)


def test_missingness_rates_and_mechanisms():
    mcar = pm.simulate(POP, n=20000, seed=5, missing="mcar:0.2")
    assert np.allclose(mcar.isna().mean(), 0.2, atol=0.01)
    mar = pm.simulate(POP, n=20000, seed=5, missing="mar:0.2")
    rate = mar.isna().mean()
    assert rate["y1"] == 0 and np.allclose(rate.iloc[1:], 0.2, atol=0.01)
    # missing at random given y1: the rate rises with it (linear in its rank: 0.1 vs 0.3 by halves)
    high = mar["y1"] > mar["y1"].median()
    assert mar.loc[high, "y2"].isna().mean() == pytest.approx(0.3, abs=0.02)
    assert mar.loc[~high, "y2"].isna().mean() == pytest.approx(0.1, abs=0.02)


def test_groups_get_their_own_values_and_a_group_column():
    d = pm.simulate("f =~ c(0.9, 0.4)*y1 + 0.7*y2 + 0.7*y3", n=[20000, 20000], seed=6, standardized=True)
    r = d.groupby("group")[["y1", "y2"]].corr().xs("y1", level=1)["y2"]
    assert r["G1"] == pytest.approx(0.63, abs=0.02) and r["G2"] == pytest.approx(0.28, abs=0.02)


@pytest.mark.parametrize("kw, arg", [({"missing": "half"}, "missing"), ({"missing": "mcar:1.5"}, "missing"),
                                     ({"ordinal": 1}, "ordinal"), ({"n": 0}, "n")])
def test_bad_options_are_named(kw, arg):
    with pytest.raises(OptionError) as err:
        pm.simulate(POP, **{"n": 10, **kw})
    assert err.value.argument == arg


def test_cli_simulate_writes_a_file_read_responses_reads(tmp_path):
    import subprocess
    import sys

    pop = tmp_path / "pop.lav"
    pop.write_text(POP)
    for ext in ("csv", "sav", "parquet"):
        out = tmp_path / f"d.{ext}"
        r = subprocess.run([sys.executable, "-m", "psychometrics", "simulate", "--model", str(pop), "--standardized",
                            "--n", "120", "--seed", "7", "--ordinal", "5", "--missing", "mcar:0.1", "--out", str(out)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        d = pm.read_responses(out)
        want = pm.simulate(POP, n=120, seed=7, standardized=True, ordinal=5, missing="mcar:0.1")
        assert list(d.columns) == list(want.columns) and len(d) == 120
        np.testing.assert_array_equal(d.to_numpy(float), want.to_numpy(float))
    r = subprocess.run([sys.executable, "-m", "psychometrics", "simulate", "--model", str(pop), "--n", "10",
                        "--missing", "often", "--out", str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "--missing" in r.stderr and "Traceback" not in r.stderr


def test_vale_maurelli_gives_the_skewness_kurtosis_and_correlations():
    from scipy import stats

    d = pm.simulate("f =~ 0.8*y1 + 0.7*y2 + 0.6*y3", n=200000, seed=8, standardized=True, skewness=[1.0, 1.5, 0.0],
                    kurtosis=[2.0, 4.0, 0.0])
    # sampling SDs at N = 200000: skewness ~0.01-0.02, kurtosis ~0.05-0.15 for these shapes
    np.testing.assert_allclose(stats.skew(d), [1.0, 1.5, 0.0], atol=0.06)
    np.testing.assert_allclose(stats.kurtosis(d), [2.0, 4.0, 0.0], atol=0.4)
    r = d.corr().to_numpy()
    np.testing.assert_allclose([r[0, 1], r[0, 2], r[1, 2]], [0.56, 0.48, 0.42], atol=0.01)
    with pytest.raises(OptionError, match="no Fleishman polynomial"):
        pm.simulate(POP, n=10, skewness=3.0, kurtosis=0.0)


def test_clusters_give_the_icc_and_a_cluster_column():
    d = pm.simulate(POP, n=30000, seed=9, standardized=True, clusters=600, icc=0.15)
    assert d["cluster"].nunique() == 600 and d["cluster"].value_counts().eq(50).all()
    icc = pm.icc(d, "cluster", ["y1", "y2", "y5"]).table["icc1"].to_numpy()
    np.testing.assert_allclose(icc, 0.15, atol=0.03)     # 600 clusters of 50: SD of ICC(1) about 0.01
    total = d.drop(columns="cluster").corr().loc["y1", "y2"]
    assert total == pytest.approx(0.56, abs=0.02)            # the model's total covariance is kept
    with pytest.raises(OptionError, match="icc"):
        pm.simulate(POP, n=10, clusters=5)
