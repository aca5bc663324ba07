"""psychometrics._frames: the fast frame constructor gives exactly the public constructor's frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psychometrics import _frames


def _columns(n: int) -> dict:
    rng = np.random.default_rng(n)
    return {"lhs": [f"f{i % 3}" for i in range(n)], "op": ["=~"] * n, "group": [1 + i % 2 for i in range(n)],
            "label": ["" if i % 2 else f"a{i}" for i in range(n)], "free": list(range(n)),
            "est": rng.normal(size=n), "se": np.where(np.arange(n) % 5, rng.random(n), np.nan)}


@pytest.mark.parametrize("n", [0, 1, 70])
def test_fast_frame_equals_public_frame(n):
    cols = _columns(n)
    fast = _frames.columns_frame(cols, text=("lhs", "op", "group", "label"))
    public = _frames.public_frame(cols, text=("lhs", "op", "group", "label"))
    pd.testing.assert_frame_equal(fast, public)
    if n:     # (no rows: NumPy makes the empty 'free' column float, in both paths)
        assert fast.dtypes.astype(str).tolist() == ["object"] * 4 + ["int64", "float64", "float64"]
    assert list(fast.columns) == list(cols)
    assert fast["group"].tolist() == cols["group"]        # ints kept as Python ints, not text


def test_fallback_when_the_private_constructor_is_gone(monkeypatch):
    cols = _columns(12)
    want = _frames.columns_frame(cols, text=("lhs", "op", "group", "label"))
    monkeypatch.delattr(pd.DataFrame, "_from_arrays")
    pd.testing.assert_frame_equal(_frames.columns_frame(cols, text=("lhs", "op", "group", "label")), want)


def test_fallback_when_the_private_constructor_changes(monkeypatch):
    cols = _columns(12)
    want = _frames.columns_frame(cols, text=("lhs", "op", "group", "label"))

    def changed(arrays, columns):          # a signature without index/verify_integrity
        raise AssertionError("not to be reached")

    monkeypatch.setattr(pd.DataFrame, "_from_arrays", staticmethod(changed))
    pd.testing.assert_frame_equal(_frames.columns_frame(cols, text=("lhs", "op", "group", "label")), want)


def test_columns_of_unequal_length_are_refused():
    with pytest.raises(ValueError, match="same length"):
        _frames.columns_frame({"a": [1, 2], "b": [1.0]})


def test_frame_is_independent_of_the_inputs():
    cols = _columns(5)
    df = _frames.columns_frame(cols, text=("lhs", "op", "group", "label"))
    cols["lhs"][0] = "changed"
    assert df["lhs"].iloc[0] == "f0"
