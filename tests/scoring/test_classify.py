"""Rule tables: first rule that holds; missing inputs leave the category missing, never guessed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from psychometrics.scoring.classify import classify


def _table(**cols):
    return pd.DataFrame(cols)


def test_participation_type_rules_and_missing_inputs(registry):
    part = registry.get("participation")
    c = part.classifications[0]
    t = _table(sharing=[4.0, 3.5, 2.0, 1.5, 1.0, np.nan, 1.5],
               receiving=[1.0, 1.0, 5.0, 3.0, 2.9, 5.0, np.nan])
    out = classify(t, c, part).astype(object).tolist()
    assert out[:5] == ["contributor", "contributor", "occasional", "lurker", "inactive"]
    # sharing unknown: the first rule might hold, so no category is guessed
    assert pd.isna(out[5])
    # sharing known and low, receiving unknown: lurker rule unknown -> missing, not "inactive"
    assert pd.isna(out[6])


def test_teacher_type_rules(battery):
    c = next(x for x in battery.classifications if x.id == "teacher_type")
    glev = {f"glev_{n}": v for n, v in zip(["school", "district", "regional", "national", "subject"],
                                           [[1, 1, 1, 1, np.nan, 1, 0], [0, 0, 0, 0, np.nan, 0, 0],
                                            [1, 0, 1, 1, np.nan, 0, 0], [0, 0, 0, 0, np.nan, 0, 0],
                                            [0, 0, 0, 0, np.nan, 0, 0]])}
    t = _table(ngrp=[5, 5, 5, 3, 0, 4, 2], int01=[2, 2, 5, 2, 5, 1, 1],
               participation_type=pd.Categorical(["contributor", "contributor", "lurker", "occasional", None,
                                                  "inactive", "occasional"]),
               f2f=[2, 2, 3, 5, np.nan, 1, 1], **glev)
    out = classify(t, c, battery).astype(object).tolist()
    assert out == ["community_focused", "locally_focused", "not_yet_networking", "locally_focused",
                   "not_yet_networking", "non_networking", "locally_focused"]


def test_choice_names_compare_with_codes(registry):
    ctx = registry.get("context")
    from psychometrics.instruments import Classification

    c = Classification("rural_novice", {"en": "x"}, "", ({"name": "yes", "label": {}}, {"name": "no", "label": {}}),
                       ({"when": {"loc": {"eq": "rural"}, "yrs": {"le": 3}}, "then": "yes"},
                        {"otherwise": True, "then": "no"}), "context")
    out = classify(_table(loc=[2.0, 1.0, 2.0], yrs=[1.0, 1.0, 9.0]), c, ctx).astype(object).tolist()
    assert out == ["yes", "no", "no"]
