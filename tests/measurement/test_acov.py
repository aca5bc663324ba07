"""The asymptotic covariance of thresholds and polychoric correlations (lavaan's NACOV, the
weight of WLSMV) against lavaan (tests/reference/generate_wlsmv.R)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import CorrelationError
from psychometrics.measurement.acov import polychoric_acov

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"


def _data(name: str, items: list[str]) -> pd.DataFrame:
    if name == "bfi_ac":
        return pd.read_csv(REF / "data" / "bfi.csv")[items]
    return pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")[items].replace([-98, -99], np.nan)


@pytest.mark.parametrize("name", ["bfi_ac", "vpc_eraut"])
def test_nacov_matches_lavaan(name):
    ref = json.loads((REF / f"wlsmv_nacov_{name}.json").read_text())
    items = ref["items"]
    labels, G = polychoric_acov(_data(name, items), items)
    theirs = np.array(ref["nacov"])
    k = len(items)
    assert len(labels) == len(theirs) == len(ref["thresholds"]) + k * (k - 1) // 2
    assert labels[0] == f"{items[0]}|t1" and labels[-1] == f"{items[-1]}~~{items[-2]}"
    # the same closed forms on the same tables: agreement to rounding (issue 13 asks 1e-3; 1e-7 here,
    # relative to the largest element, since both solve the polychoric equations to ~1e-9)
    np.testing.assert_allclose(G, theirs, rtol=0, atol=1e-7 * np.abs(theirs).max())
    # DWLS's weight is the inverse of its diagonal (lavaan's WLS.V); element by element the
    # correlations' entries carry lavaan's polychoric tolerance (~1e-7 relative): 1e-6
    np.testing.assert_allclose(1 / np.diag(G), ref["wls_v_diag"], rtol=1e-6)


def test_nacov_refuses_continuous_items():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"a": rng.integers(1, 5, 200), "b": rng.normal(size=200)})
    with pytest.raises(CorrelationError, match="ordinal items only"):
        polychoric_acov(d)


def test_pairwise_nacov_keeps_every_answer():
    """missing="pairwise" (lavaan's): thresholds from each item's answers, correlations from each
    pair's; a missing answer scores 0 in the sums. Checked through the WLSMV fit of the example
    data against lavaan in tests/sem/test_ordinal.py; here the structure."""
    items = ["con01", "con02", "chl01"]
    d = _data("vpc_eraut", items)
    assert d.isna().any(axis=1).sum() > 0
    labels, G = polychoric_acov(d, items, missing="pairwise")
    _, G_lw = polychoric_acov(d, items)
    assert G.shape == G_lw.shape and not np.allclose(G, G_lw)
    assert np.all(np.linalg.eigvalsh(G) > 0)
    with pytest.raises(CorrelationError, match='missing="fiml"'):
        polychoric_acov(d, items, missing="fiml")
