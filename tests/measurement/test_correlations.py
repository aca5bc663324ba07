"""Polychoric, polyserial and Pearson correlations against lavaan::lavCor; edge cases."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import DataWarning
from psychometrics.measurement.correlations import CorrelationError, bvn_cdf, polychoric

from ..conftest import DATA, ROOT


def test_mixed_matrix_matches_lavcor():
    ref = json.loads((ROOT / "tests" / "reference" / "polychoric_mixed_vpc_example.json").read_text())
    df = pd.read_csv(DATA / "vpc_teachers_example.csv").replace([-98, -99], np.nan)
    res = polychoric(df, ref["items"])
    assert res.kinds == {"yrs": "continuous", "ngrp": "continuous", "kse01": "ordinal", "kse02": "ordinal",
                         "kse03": "ordinal", "npc03": "ordinal"}
    assert res.n == ref["n"]
    methods = dict(zip(zip(res.pairs.item1, res.pairs.item2), res.pairs.method))
    assert methods[("yrs", "ngrp")] == "pearson" and methods[("yrs", "kse01")] == "polyserial"
    # two-step ML in both: optimisers converge to ~1e-8; 2e-3 asked
    np.testing.assert_allclose(res.rho.to_numpy(), np.array(ref["rho"]), atol=1e-6)


def test_bivariate_normal_cdf_against_quadrature():
    from scipy import integrate, stats

    for h, k, r in [(-1.2, 0.4, 0.7), (0.0, 0.0, -0.9), (2.5, -0.3, 0.99), (0.3, 1.1, -0.2)]:
        f = lambda t: np.exp(-(h * h + k * k - 2 * h * k * np.sin(t)) / (2 * np.cos(t) ** 2)) / (2 * np.pi)  # noqa: E731
        want = stats.norm.cdf(h) * stats.norm.cdf(k) + integrate.quad(f, 0, np.arcsin(r), epsabs=1e-14)[0]
        assert float(bvn_cdf(np.array(h), np.array(k), np.array(r))) == pytest.approx(want, abs=1e-13)


def _ordinal(n=800, r=0.5, seed=0, cuts=(-1, 0, 1)):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=n)
    return pd.DataFrame(np.searchsorted(cuts, z) + 1, columns=["a", "b"])


def test_empty_cells_are_reported_per_pair():
    df = _ordinal(cuts=(-2.5, -1, 1, 2.5), r=0.8, n=300)
    res = polychoric(df)
    row = res.pairs.iloc[0]
    assert row.empty_cells > 0 and row.converged
    assert any("empty cells" in n for n in res.meta["notes"])
    assert "Pairs with empty cells" in res.summary().as_text()


def test_unused_category_is_named_and_thresholds_come_from_observed_ones():
    df = _ordinal()
    df.loc[df["a"] == 2, "a"] = 1  # category 2 of 'a' never used
    with pytest.warns(DataWarning, match="a: categories 2 unused"):
        res = polychoric(df)
    assert len(res.thresholds["a"]) == 2 and len(res.thresholds["b"]) == 3


@pytest.mark.parametrize("frame,message", [
    (pd.DataFrame({"a": [1, 1, 1, 1], "b": [1, 2, 3, 2]}), "constant"),
    (pd.DataFrame({"a": [np.nan] * 4, "b": [1, 2, 3, 2]}), "no valid answers"),
    (pd.DataFrame({"a": ["x", "y", "x", "y"], "b": [1, 2, 3, 2]}), "hold text"),
    (pd.DataFrame({"a": [1, 2, 3, 2]}), "at least two items"),
])
def test_degenerate_input_gets_clear_errors(frame, message):
    with pytest.raises(CorrelationError, match=message):
        polychoric(frame)


def test_listwise_and_pairwise_n_are_reported():
    df = _ordinal(n=500)
    df.loc[:49, "a"] = np.nan
    assert polychoric(df).n == 450
    pw = polychoric(df, missing="pairwise")
    assert pw.n == 450 and pw.meta["missing"] == "pairwise"
    assert polychoric(df).rho.loc["a", "b"] == pytest.approx(pw.rho.loc["a", "b"], abs=0.05)


def test_recovers_population_correlation():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = polychoric(_ordinal(n=20000, r=0.6, seed=3))
    assert res.rho.loc["a", "b"] == pytest.approx(0.6, abs=0.02)
