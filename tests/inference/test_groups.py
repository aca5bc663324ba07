"""Welch t-tests and one-way ANOVAs against R's t.test, oneway.test and aov
(tests/reference/inference.json); the effect sizes against their formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from psychometrics.exceptions import DataWarning, OptionError
from psychometrics.inference import compare_groups

from ._data import REF, example, r_data


@pytest.mark.parametrize("name, frame, by, var, first", [
    ("vpc_support_urban_rural", example, "loc", "support", 1),
    ("toothgrowth_len_supp", lambda: r_data("ToothGrowth"), "supp", "len", "OJ"),
])
def test_welch_t_matches_r(name, frame, by, var, first):
    ref = REF["ttest"][name]
    res = compare_groups(frame(), by, [var])
    t = res.tests.iloc[0]
    assert t["test"] == "Welch t" and t["n"] == ref["n_x"] + ref["n_y"]
    # t, df, p, the CI of the difference: closed forms, so to 1e-9 relative
    assert t["statistic"] == pytest.approx(ref["t"], rel=1e-9)
    assert t["df2"] == pytest.approx(ref["df"], rel=1e-9)
    assert t["p"] == pytest.approx(ref["p"], rel=1e-8)
    assert [t["ci_low"], t["ci_high"]] == pytest.approx(ref["ci"], rel=1e-9)
    assert t["difference"] == pytest.approx(ref["mean_x"] - ref["mean_y"], rel=1e-12)
    d = res.descriptives
    assert d["group"].iloc[0] == str(first) and d["M"].tolist() == pytest.approx([ref["mean_x"], ref["mean_y"]], rel=1e-12)


def test_cohens_d_and_hedges_g_formulas():
    x, y = r_data("ToothGrowth").pipe(lambda t: (t.len[t.supp == "OJ"].to_numpy(), t.len[t.supp == "VC"].to_numpy()))
    res = compare_groups(r_data("ToothGrowth"), "supp", ["len"]).tests.iloc[0]
    nx, ny = len(x), len(y)
    sp = np.sqrt(((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2))
    d = (x.mean() - y.mean()) / sp
    assert res["d"] == pytest.approx(d, rel=1e-12)
    assert res["g"] == pytest.approx(d * (1 - 3 / (4 * (nx + ny) - 9)), rel=1e-3)   # Hedges' approximate J
    # pingouin's CI of d: the large-sample SE (Hedges & Olkin, 1985) times t(nx + ny - 2)
    se = np.sqrt((nx + ny) / (nx * ny) + d ** 2 / (2 * (nx + ny)))
    q = stats.t.ppf(0.975, nx + ny - 2)
    assert [res["d_ci_low"], res["d_ci_high"]] == pytest.approx([d - q * se, d + q * se], rel=1e-9)


@pytest.mark.parametrize("name, frame, by, var", [
    ("vpc_challenge_langi", example, "langi", "challenge"),
    ("plantgrowth_weight_group", lambda: r_data("PlantGrowth"), "group", "weight"),
])
def test_anova_matches_r(name, frame, by, var):
    ref = REF["anova"][name]
    t = compare_groups(frame(), by, [var]).tests.iloc[0]
    assert t["test"] == "Welch F"
    assert t["statistic"] == pytest.approx(ref["welch_F"], rel=1e-9)
    assert [t["df1"], t["df2"]] == pytest.approx([ref["welch_df1"], ref["welch_df2"]], rel=1e-9)
    assert t["p"] == pytest.approx(ref["welch_p"], rel=1e-8)
    assert t["F"] == pytest.approx(ref["F"], rel=1e-9)
    assert t["F_p"] == pytest.approx(ref["p"], rel=1e-8)
    ss_b, ss_w = ref["ss_between"], ref["ss_within"]
    assert t["eta2"] == pytest.approx(ss_b / (ss_b + ss_w), rel=1e-9)
    ms_w = ss_w / ref["df2"]
    assert t["omega2"] == pytest.approx((ss_b - ref["df1"] * ms_w) / (ss_b + ss_w + ms_w), rel=1e-9)


def test_labels_small_groups_and_constant_values_are_reported_not_dropped_silently():
    df = pd.DataFrame({"g": [1, 1, 1, 2, 2, 2, 3], "y": [1.0, 2, 3, 2, 3, 5, 9], "z": [1.0] * 7})
    with pytest.warns(DataWarning, match="group\\(s\\) C of g have fewer than 2 answers"):
        res = compare_groups(df, "g", ["y", "z"], labels={1: "A", 2: "B", 3: "C"})
    assert res.tests["test"].tolist() == ["Welch t", "none"]
    assert any("constant within every group" in n for n in res.meta["notes"])
    assert "C" not in res.descriptives.loc[res.descriptives["variable"] == "y", "group"].tolist()


def test_unknown_column_is_named():
    with pytest.raises(OptionError, match="'nope' is not in the data"):
        compare_groups(pd.DataFrame({"g": [1, 2]}), "g", ["nope"])


def test_summary_renders_apa():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = compare_groups(r_data("PlantGrowth"), "group", ["weight"]).summary()
    text = s.as_text()
    assert ".016" in text and "0.016" not in text        # p without its leading zero
