"""ICC(1), ICC(2), design effects and within/between correlations against psych's statsBy
(tests/reference/generate_cluster.R): lavaan's Demo.twolevel (200 clusters of 5-20) and the
example data with teachers clustered by region (missing answers, unequal regions)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import PsychometricsError
from psychometrics.measurement.multilevel import icc

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"


def _data(name: str) -> pd.DataFrame:
    if name == "demo_twolevel":
        return pd.read_csv(REF / "data" / "demo_twolevel.csv")
    return pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").replace([-98, -99], np.nan)


@pytest.mark.parametrize("name", ["demo_twolevel", "vpc_region"])
def test_iccs_and_correlations_match_statsBy(name):
    ref = json.loads((REF / f"icc_{name}.json").read_text())
    res = icc(_data(name), ref["cluster"], ref["items"])
    t = res.table.set_index("variable")
    for v in ref["items"]:
        # closed forms on the same sums: 1e-10
        assert t.loc[v, "icc1"] == pytest.approx(ref["icc1"][v], rel=1e-10)
        assert t.loc[v, "icc2"] == pytest.approx(ref["icc2"][v], rel=1e-10)
        assert t.loc[v, "design_effect"] == pytest.approx(1 + (t.loc[v, "mean_size"] - 1) * ref["icc1"][v], rel=1e-10)
    assert res.r_within.to_numpy() == pytest.approx(np.array(ref["rwg"]), abs=1e-10)
    assert res.r_between.to_numpy() == pytest.approx(np.array(ref["rbg"]), abs=1e-10)
    for fmt in ("text", "md", "latex", "html"):
        assert "icc1" in res.summary().render(fmt)
    assert res.to_dict()["variables"][0]["variable"] == ref["items"][0]


@pytest.mark.parametrize("change,fragment", [
    (lambda d: d.assign(cluster=1), "single value"),
    (lambda d: d.assign(cluster=d["cluster"].where(d.index > 0)), "empty in 1 row"),
    (lambda d: d.assign(y1="x"), "hold text"),
])
def test_bad_input_is_named(change, fragment):
    with pytest.raises(PsychometricsError, match=fragment):
        icc(change(_data("demo_twolevel")), "cluster", ["y1", "y2"])
