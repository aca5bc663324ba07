"""Scores against hand computation; no row is ever dropped or reordered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from psychometrics.exceptions import DataWarning, ScoringError
from psychometrics.scoring.score import score, score_matrix

NPC = [f"npc0{i}" for i in range(1, 9)]


def test_hand_computation_with_reverse_keys_and_min_valid_boundary(registry):
    npc = registry.get("prof_connectedness")  # npc03 and npc08 reverse-keyed, 1-5; npc needs 6 of 8
    df = pd.DataFrame({
        "id": ["full", "six", "five", "iso2"],
        "npc01": [5, 4, None, None], "npc02": [4, 4, 3, None], "npc03": [1, 2, None, 5],
        "npc04": [5, None, 3, 4], "npc05": [3, 3, 3, 3], "npc06": [2, 2, 2, 2],
        "npc07": [4, 4, None, 4], "npc08": [5, None, 1, 1],
    })
    with pytest.warns(DataWarning, match="constant item.*npc05, npc06, npc07"):
        res = score(df, npc, careless=False)
    s = res.scores.set_index("id")
    # full: 5,4,(6-1)=5,5,3,2,4,(6-5)=1 -> 29/8
    assert s.loc["full", "npc"] == pytest.approx(29 / 8, abs=1e-12)
    # six answered (the minimum, 0.75 x 8 = 6): 4,4,(6-2)=4,3,2,4 -> 21/6
    assert s.loc["six", "npc"] == pytest.approx(21 / 6, abs=1e-12) and s.loc["six", "npc_n_valid"] == 6
    # five answered: one short of the minimum -> missing, n_valid still reported
    assert np.isnan(s.loc["five", "npc"]) and s.loc["five", "npc_n_valid"] == 5
    # isolation needs 3 of 4: iso2 has npc03 (reversed 1) and npc04 = 4 only -> missing
    assert np.isnan(s.loc["iso2", "npc_isolation"]) and s.loc["iso2", "npc_isolation_n_valid"] == 2
    # belonging: 3, 2, 4, (6-1)=5 -> 14/4
    assert s.loc["iso2", "npc_belonging"] == pytest.approx(3.5)


@pytest.mark.parametrize("method,expected", [("mean", [2.0, 3.0]), ("sum", [6.0, 6.0]), ("prorated_sum", [6.0, 9.0])])
def test_sum_and_prorated_sum(method, expected):
    X = np.array([[1, 2, 3], [2, 4, np.nan]])
    s, nv = score_matrix(X, np.ones(3), np.ones(3), np.full(3, 5.0), method, 2)
    np.testing.assert_allclose(s, expected)
    assert nv.tolist() == [3, 2]


def test_adhoc_scales_match_psych_convention():
    df = pd.DataFrame({"A1": [1, 6, 3], "A2": [6, 1, 4], "A3": [5, 2, None]})
    res = score(df, scales={"A": ["-A1", "A2", "A3"]}, range=(1, 6), careless=False)
    # reverse with min+max-x = 7-x: row1 (6+6+5)/3, row2 (1+1+2)/3, row3 (4+4)/2
    np.testing.assert_allclose(res.scores["A"], [17 / 3, 4 / 3, 4.0])
    assert res.scores["row"].tolist() == [1, 2, 3]
    with pytest.raises(ScoringError, match="either an instrument or ad-hoc scales"):
        score(df)


def test_reversing_twice_is_identity():
    X = np.array([[1, 2, 5], [3, np.nan, 4]])
    once, _ = score_matrix(X, -np.ones(3), np.ones(3), np.full(3, 5.0), "mean", 1)
    Xr = 6 - X
    twice, _ = score_matrix(Xr, -np.ones(3), np.ones(3), np.full(3, 5.0), "mean", 1)
    plain, _ = score_matrix(X, np.ones(3), np.ones(3), np.full(3, 5.0), "mean", 1)
    np.testing.assert_allclose(twice, plain)
    np.testing.assert_allclose(once, 6 - plain)


likert = arrays(np.float64, st.tuples(st.integers(1, 40), st.just(8)),
                elements=st.one_of(st.integers(1, 5).map(float), st.just(np.nan)))


@pytest.mark.filterwarnings("ignore:.*(constant item|no valid answer):psychometrics.exceptions.DataWarning")
@settings(max_examples=60, deadline=None)
@given(X=likert, seed=st.integers(0, 2**32 - 1))
def test_no_row_is_dropped_or_reordered_and_column_order_does_not_matter(registry, X, seed):
    npc = registry.get("prof_connectedness")
    rng = np.random.default_rng(seed)
    ids = [f"r{i}" for i in rng.permutation(len(X))]
    df = pd.DataFrame(X, columns=NPC).assign(id=ids)
    res = score(df, npc, careless=False)
    assert res.scores["id"].tolist() == ids                     # every row, in input order
    shuffled = df[list(rng.permutation(df.columns))]
    res2 = score(shuffled, npc, careless=False)
    pd.testing.assert_frame_equal(res.scores, res2.scores)      # column order is irrelevant
    # each score equals its definition computed row by row
    rev = X.copy()
    rev[:, [2, 7]] = 6 - rev[:, [2, 7]]
    for i, row in enumerate(rev):
        v = row[~np.isnan(row)]
        want = v.mean() if len(v) >= 6 else np.nan
        got = res.scores["npc"].iloc[i]
        assert (np.isnan(want) and np.isnan(got)) or got == pytest.approx(want, abs=1e-12)


def test_example_data_every_row_returned_with_all_outputs(battery, example_df):
    res = score(example_df, battery)
    s = res.scores
    assert len(s) == len(example_df) == 640 and s["id"].tolist() == example_df["id"].tolist()
    for rule in battery.scoring:
        assert rule.id in s and f"{rule.id}_n_valid" in s
    for col in ["participation_type", "teacher_type", "experience_band", "careless_longstring", "careless_irv",
                "careless_mahalanobis_d2", "careless_evenodd", "careless_psychsyn", "careless_flags"]:
        assert col in s
    meta = res.meta
    assert meta["instrument"]["id"] == "vpc_teachers" and meta["instrument"]["content_hash"].startswith("sha256:")
    assert len(meta["data"]["sha256"]) == 64 and meta["package_version"]
    assert {"seed", "estimator"} <= set(meta)
    # the planted straight-liners are flagged (flags only: they stay in the output)
    straight = s[s["careless_irv"] == 0]
    assert len(straight) == 8 and (straight["careless_flags"] >= 2).all()
    text = res.summary().as_text()
    assert "Scale scores" in text and "Careless-responding flags" in text
    d = res.to_dict()
    assert len(d["scores"]) == 640 and d["meta"]["n_rows"] == 640


def test_summary_renders_in_every_format(battery, example_df):
    res = score(example_df, battery, careless=False)
    sm = res.summary()
    assert sm.as_markdown().startswith("# Scoring") and "| scale" in sm.as_markdown()
    assert "\\begin{tabular}" in sm.as_latex() and "<table" in sm.as_html()
