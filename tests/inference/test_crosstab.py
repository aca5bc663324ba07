"""Crosstabs against R's chisq.test (tests/reference/inference.json)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import DataWarning, OptionError
from psychometrics.inference import crosstab

from ._data import REF, example, r_data


@pytest.mark.parametrize("name, frame, row, col, yates", [
    ("vpc_langi_rural", example, "langi", "loc", False),     # R: factor rural with urban (loc 1) first
    ("vpc_mode_rural", example, "mode", "loc", True),
    ("mtcars_am_vs", lambda: r_data("mtcars_am_vs"), "am", "vs", True),
])
def test_chisq_matches_r(name, frame, row, col, yates):
    ref = REF["chisq"][name]
    res = crosstab(frame(), row, col)
    # R sorts the levels as we do (codes, or text alphabetically)
    assert res.counts.to_numpy().tolist() == ref["observed"]
    assert res.yates is yates
    assert res.chi2 == pytest.approx(ref["statistic"], rel=1e-10)
    assert res.df == ref["df"]
    assert res.p == pytest.approx(ref["p"], rel=1e-9)
    assert res.cramers_v == pytest.approx(ref["cramers_v"], rel=1e-10)


def test_small_expected_counts_warn_and_missing_rows_are_counted():
    df = pd.DataFrame({"a": [1, 1, 2, 2, 3, np.nan], "b": ["x", "y", "x", "y", "x", "y"]})
    with pytest.warns(DataWarning, match="expected counts are below 5"):
        res = crosstab(df, "a", "b", labels={"a": {1: "one"}})
    assert res.nobs == 5 and "1 of 6 rows" in res.meta["notes"][-1]
    assert res.table()["a"].tolist() == ["one", "2.0", "3.0"]


def test_one_level_is_refused():
    with pytest.raises(OptionError, match="at least two levels"):
        crosstab(pd.DataFrame({"a": [1, 1], "b": [1, 2]}), "a", "b")
