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
