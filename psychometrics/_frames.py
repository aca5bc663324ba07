"""Building a DataFrame from ready columns, quickly: pandas' quirks in one place.

pandas 3 turns every list or object array of text into an Arrow-backed string column, element by
element, and checks each column again when a frame is built from a dict; for a parameter table of
70 rows that was a third of a small SEM's fit time. :func:`columns_frame` builds the frame from
the columns as they are (text as Python objects, numbers as NumPy arrays) through pandas'
``DataFrame._from_arrays``; if a future pandas drops or changes that private constructor it falls
back to the public one with the same result (tested in ``tests/test_frames.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd


def _object_column(values: Sequence) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def public_frame(columns: Mapping[str, Sequence], text: Sequence[str] = ()) -> pd.DataFrame:
    """The same frame as :func:`columns_frame` through pandas' public constructor only."""
    return pd.DataFrame({k: (pd.Series(_object_column(v), dtype=object) if k in text else np.asarray(v))
                         for k, v in columns.items()})


@lru_cache(maxsize=256)
def labels_index(names: tuple[str, ...]) -> pd.Index:
    """A pandas Index of these labels, built once (an Index is immutable, so one object can serve
    every frame with these labels; building one converts each label to an Arrow string).

    >>> labels_index(("x", "y")) is labels_index(("x", "y"))
    True
    """
    return pd.Index(list(names))


def columns_frame(columns: Mapping[str, Sequence], text: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame with these columns in this order: the ``text`` ones as ``object`` columns (not
    converted to Arrow strings), the others as NumPy arrays; a RangeIndex.

    >>> df = columns_frame({"lhs": ["f", "f"], "est": np.array([1.0, 0.5])}, text=("lhs",))
    >>> df.dtypes.astype(str).tolist(), df["est"].tolist()
    (['object', 'float64'], [1.0, 0.5])
    """
    arrays = [_object_column(v) if k in text else np.asarray(v) for k, v in columns.items()]
    n = len(arrays[0]) if arrays else 0
    if any(a.ndim != 1 or len(a) != n for a in arrays):
        raise ValueError("columns_frame: every column must be one-dimensional and of the same length")
    build = getattr(pd.DataFrame, "_from_arrays", None)
    if build is not None:
        try:
            return build(arrays, columns=labels_index(tuple(columns)), index=pd.RangeIndex(n), verify_integrity=False)
        except TypeError:      # the private constructor's signature changed
            pass
    return public_frame(columns, text)
