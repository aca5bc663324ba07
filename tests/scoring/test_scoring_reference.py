"""Scale scores against R: psych::scoreItems(keys, impute = "none") (tests/reference/generate.R)."""

from __future__ import annotations

import json

import numpy as np

from psychometrics.scoring.score import score

from ..conftest import ROOT

REF = ROOT / "tests" / "reference"


def test_reference_keys_are_the_instrument_keys(battery):
    spec = json.loads((REF / "vpc_keys.json").read_text())
    assert spec["keys"] == battery.psych_keys()  # regenerate the R reference if the instrument changes


def test_scores_match_psych_score_items(battery, example_df):
    ref = json.loads((REF / "score_items_vpc_example.json").read_text())
    res = score(example_df, battery, careless=False)
    assert res.scores["id"].tolist() == ref["ids"]
    for scale, values in ref["scores"].items():
        r = np.array([np.nan if v is None else v for v in values], dtype=float)
        ours = res.scores[scale].to_numpy(float)
        nv = res.scores[f"{scale}_n_valid"].to_numpy()
        ok = ~np.isnan(ours)
        # closed-form means: agreement to rounding error (R writes 15 significant digits)
        np.testing.assert_allclose(ours[ok], r[ok], rtol=1e-13, atol=0, err_msg=scale)
        # Deliberate difference: psych averages whatever was answered; we require the instrument's
        # minimum number of answered items (SPSS MEAN.n semantics) and leave the score missing below it.
        below = ~ok & (nv > 0)
        assert not np.isnan(r[below]).any(), scale
        assert (nv[below] < next(s for s in battery.scoring if s.id == scale).min_valid_count).all()
