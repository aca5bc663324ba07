"""One result of every kind, computed from the bundled example data (shared by the interface and
snapshot tests)."""

from __future__ import annotations

import warnings
from functools import lru_cache

import psychometrics as pm
from psychometrics.measurement.efa import parallel_analysis
from psychometrics.responses import read_responses

from ..conftest import DATA, INSTRUMENTS

KSSE = ["kse01", "kse02", "kse03", "kse04", "kse05", "kse06", "kse07"]


@lru_cache(maxsize=1)
def results() -> dict:
    """kind -> result. The file is read once; every result is computed from that frame."""
    df = read_responses(DATA / "vpc_teachers_example.csv")
    reg = pm.InstrumentRegistry([INSTRUMENTS])
    kss = reg.get("kss_efficacy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vr = pm.validate_responses(df, kss, on_invalid="missing")
        items = vr.data[KSSE].astype(float)  # validated: declared missing codes are missing
        efa = pm.efa(items, factors=2, seed=1, progress=False)
        out = {
            "validation": vr,
            "score": pm.score(df, instrument=kss, on_invalid="missing"),
            "reliability": pm.reliability(df, instrument=kss, on_invalid="missing", progress=False),
            "polychoric": pm.polychoric(items),
            "efa": efa,
            "parallel": parallel_analysis(efa.correlation.to_numpy(), efa.nobs, n_iter=10, seed=1, progress=False),
            "sem": pm.cfa("KSSE =~ " + " + ".join(KSSE), vr.data),
            "report": pm.report(df, kss, on_invalid="missing"),
            "invariance": pm.invariance("KSSE =~ " + " + ".join(KSSE), vr.data.assign(mode=df["mode"].to_numpy()),
                                        group="mode", levels="configural,metric,scalar"),
        }
    out["scale_reliability"] = out["reliability"].scales[0]
    return out
