"""Odd and hostile response files (the corpus in tests/hostile/corpus.py): each is refused with a
message naming the file, or read with a warning, and never silently shifted, renamed or dropped."""

from __future__ import annotations

import warnings

import pytest

from psychometrics.exceptions import DataReadError, DataWarning
from psychometrics.responses import read_responses

from ..hostile.corpus import CASES, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {case.name: (case, path) for case, path in write_corpus(tmp_path_factory.mktemp("hostile"))}


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_hostile_file_is_refused_or_read_with_a_warning(corpus, name):
    case, path = corpus[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if case.outcome == "refuse":
            with pytest.raises(DataReadError) as e:
                read_responses(path)
            assert str(path) in str(e.value) and case.says in str(e.value), str(e.value)
            return
        try:
            df = read_responses(path)
        except DataReadError as e:    # a reader may refuse garbage, naming the file
            assert case.name == "binary.csv" and str(path) in str(e), str(e)
            return
    shown = " | ".join(str(w.message) for w in caught if issubclass(w.category, DataWarning))
    if case.outcome == "warn":
        assert case.says in shown, shown
    assert case.check(df), df
    assert df.index.equals(__import__("pandas").RangeIndex(len(df)))


def test_spss_user_missing_declarations_are_missing_in_every_analysis(tmp_path):
    """A .sav file's own user-missing values and ranges (-99; 8-9) are missing for validation,
    scoring, polychoric, EFA and SEM, not answers."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    import psychometrics as pm

    rng = np.random.default_rng(3)
    f = rng.normal(size=200)
    df = pd.DataFrame({f"a{j}": np.clip(np.round(3 + f + rng.normal(size=200)), 1, 5) for j in range(1, 5)})
    df.insert(0, "id", np.arange(1.0, 201.0))
    df.loc[:9, "a1"] = -99.0
    df.loc[10:14, "a2"] = 9.0
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), missing_ranges={"a1": [-99.0], "a2": [{"lo": 8.0, "hi": 9.0}]})
    data = read_responses(path)
    assert data["id"].tolist()[:2] == [1.0, 2.0]
    vr = pm.validate_responses(data, pm.instruments.adhoc_instrument({"A": ["a1", "a2", "a3", "a4"]}), id_column="id")
    assert vr.missing_codes["a1"] == 10 and vr.missing_codes["a2"] == 5 and vr.data["a1"].isna().sum() == 10
    assert vr.ids.astype(str).tolist()[:2] == ["1", "2"]          # numeric ids as integers
    items = ["a1", "a2", "a3", "a4"]
    assert pm.polychoric(data, items).nobs == 185                 # listwise: 15 declared missing rows out
    assert pm.efa(data, items, factors=1, missing="listwise").nobs == 185
    fit = pm.cfa("F =~ a1 + a2 + a3 + a4", data)
    assert fit.nobs == 185
