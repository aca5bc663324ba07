"""The frames the R script builds (tests/reference/generate_inference.R), built the same way."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
REF = json.loads((ROOT / "tests" / "reference" / "inference.json").read_text())
DATA = ROOT / "tests" / "reference" / "data"


def r_data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def example() -> pd.DataFrame:
    """The example data with item-mean scores of complete answers (R's rowMeans without na.rm)."""
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")
    new = {}
    for name, prefix, k in (("support", "sup", 4), ("challenge", "chl", 4), ("ksse", "kse", 7)):
        x = d[[f"{prefix}{i:02d}" for i in range(1, k + 1)]].astype(float)
        new[name] = x.where(x >= 0).mean(axis=1, skipna=False)
    new["f2f"] = d["f2f"].where(d["f2f"] > 0)
    new["rural"] = pd.Series(np.where(d["loc"] == 2, "rural", "urban"), index=d.index)
    return pd.concat([d.drop(columns="f2f"), pd.DataFrame(new)], axis=1)
