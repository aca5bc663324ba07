"""Shared helpers for the lavaan corpus tests: load the corpus, fit a model as lavaan's options say,
and align our parameter table with lavaan's (rows keyed by lhs, op, rhs and group number)."""

from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "reference"
DATA = {"hs": "holzinger_swineford_full.csv", "pd": "political_democracy.csv", "growth": "demo_growth.csv",
        "sat": "sat_act.csv", "bfi": "bfi_full.csv", "mtcars": "mtcars.csv", "attitude": "attitude.csv",
        "swiss": "swiss.csv", "burns": "facial_burns.csv"}


@lru_cache(maxsize=None)
def corpus() -> dict:
    spec = json.loads((REF / "sem_corpus_models.json").read_text())
    ref = {m["name"]: m for m in json.loads((REF / "sem_corpus.json").read_text())["models"]}
    return {"models": spec["models"], "refused": spec["refused"], "lavaan": ref}


@lru_cache(maxsize=None)
def dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "data" / DATA[name])


def options(lavaan_options: dict) -> dict:
    """lavaan's option names and values in ours."""
    names = {"std.lv": "std_lv", "fixed.x": "fixed_x", "group.equal": "group_equal",
             "group.partial": "group_partial"}
    out = {}
    for k, v in lavaan_options.items():
        if k == "missing":
            v = {"ml": "fiml", "listwise": "listwise"}[v]
        if isinstance(v, list):
            v = tuple(v)
        out[names.get(k, k)] = v
    return out


def summary_statistics(entry: dict) -> dict:
    """sample_cov (divisor N - 1), sample_nobs and sample_mean as the R script computes them."""
    d = dataset(entry["data"])
    spec = entry["summary"]
    cols = spec["vars"]
    if spec.get("group"):
        out = {"sample_cov": {}, "sample_nobs": {}, "sample_mean": {}}
        for lab in pd.unique(d[spec["group"]]):
            x = d.loc[d[spec["group"]] == lab, cols].dropna()
            out["sample_cov"][str(lab)], out["sample_nobs"][str(lab)] = x.cov(), len(x)
            out["sample_mean"][str(lab)] = x.mean()
        return out
    x = d[cols].dropna()
    out = {"sample_cov": x.cov(), "sample_nobs": len(x)}
    if spec.get("means"):
        out["sample_mean"] = x.mean()
    return out


def fit(entry: dict, **extra):
    from psychometrics.sem import sem

    opts = options(entry["options"])
    if entry.get("summary"):
        opts = {k: v for k, v in opts.items() if k != "group"}
        inputs = {"data": None, **summary_statistics(entry)}
    else:
        inputs = {"data": dataset(entry["data"])}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sem(entry["model"], progress=False, **inputs, **opts, **extra)
    return res, [str(w.message) for w in caught]


def key(lhs: str, op: str, rhs: str, group: int) -> tuple:
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return (lhs, op, rhs if op != ":=" else "", 0 if op == ":=" else int(group))


def lavaan_rows(ref: dict, table: str = "estimates") -> dict:
    t = ref[table]
    cols = list(t)
    n = len(t["lhs"])
    out = {}
    for i in range(n):
        row = {c: t[c][i] for c in cols}
        out[key(row["lhs"], row["op"], row["rhs"], row["group"])] = row
    return out


def our_rows(res) -> dict:
    labels = list(res.groups)
    out = {}
    for r in res.parameters.to_dict("records"):
        g = 0 if r["op"] == ":=" else (labels.index(r["group"]) + 1 if len(labels) > 1 else 1)
        out[key(r["lhs"], r["op"], r["rhs"], g)] = r
    return out


def free_set_lavaan(ref: dict) -> set:
    pt = ref["partable"]
    return {key(pt["lhs"][i], pt["op"][i], pt["rhs"][i], pt["group"][i]) for i in range(len(pt["lhs"]))
            if pt["free"][i] > 0 and pt["op"][i] in ("=~", "~", "~~", "~1")}


def free_set_ours(res) -> set:
    return {k for k, r in our_rows(res).items() if r["free"] and k[1] in ("=~", "~", "~~", "~1")}


def reldiff(a, b, floor: float) -> float:
    a, b = float(a), float(b)
    if np.isnan(a) and np.isnan(b):
        return 0.0
    return abs(a - b) / max(abs(b), floor)
