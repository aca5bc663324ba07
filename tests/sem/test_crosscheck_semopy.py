"""An independent cross-check (issue 15): semopy 2.3 (the design card's SEM library) fits the
Holzinger-Swineford CFA by ML on today's numpy/pandas; its estimates and SEs agree with ours (and
with lavaan, tests/sem). Its fit statistics are not compared: they differ from lavaan's on purpose
or by defect (RMSEA on N - 1, "GFI" = NFI, AIC/BIC not likelihood-based; README, dependencies).
factor_analyzer 0.5.1 cannot serve: its fit() raises TypeError (check_array's force_all_finite)
on scikit-learn 1.8 and later, asserted below so the README's reason stays true."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import psychometrics as pm

ROOT = Path(__file__).resolve().parents[2]
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_semopy_ml_estimates_and_ses_agree_with_ours():
    semopy = pytest.importorskip("semopy")
    d = pd.read_csv(ROOT / "tests" / "reference" / "data" / "holzinger_swineford.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = semopy.Model(MODEL)
        m.fit(d, obj="MLW")
        theirs = m.inspect()
    ours = pm.cfa(MODEL, d, progress=False).parameters
    load = ours[ours["op"] == "=~"].set_index(["lhs", "rhs"])
    t = theirs[(theirs["op"] == "~") & theirs["rval"].isin(["visual", "textual", "speed"])]
    assert len(t) == 9
    for _, r in t.iterrows():
        est = load.loc[(r["rval"], r["lval"])]
        # semopy's optimizer stops at about 1e-4 of the estimates (its own tolerance)
        assert float(r["Estimate"]) == pytest.approx(est["est"], abs=2e-3)
        if est["free"]:
            assert float(r["Std. Err"]) == pytest.approx(est["se"], rel=2e-2)     # expected information


def test_factor_analyzer_fails_on_this_scikit_learn():
    fa = pytest.importorskip("factor_analyzer")
    import sklearn
    from packaging.version import Version

    if Version(sklearn.__version__) < Version("1.8"):
        pytest.skip(f"scikit-learn {sklearn.__version__}: factor_analyzer's fit still runs here")
    d = pd.read_csv(ROOT / "tests" / "reference" / "data" / "holzinger_swineford.csv")
    with pytest.raises(TypeError, match="force_all_finite"):
        fa.FactorAnalyzer(n_factors=3, rotation="oblimin").fit(d[[f"x{i}" for i in range(1, 10)]])
