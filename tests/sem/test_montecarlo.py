"""Monte Carlo intervals of := parameters against semTools::monteCarloCI (FIML triangle SEM of
the example data; tests/reference/generate_montecarlo.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.exceptions import PsychometricsError
from psychometrics.sem.montecarlo import monte_carlo_ci

ROOT = Path(__file__).resolve().parents[2]
REF = json.loads((ROOT / "tests" / "reference" / "montecarlo_vpc_triangle.json").read_text())


@pytest.fixture(scope="module")
def fit():
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")
    items = [c for c in d.columns if c[:3] in ("npc", "kse", "sup", "chl", "shr", "rcv") and c[3:].isdigit()]
    d[items] = d[items].where(d[items] >= 0)
    return pm.sem((ROOT / "analyses" / "models" / "vpc_triangle.lav").read_text(), d, missing="fiml", progress=False)


def test_intervals_match_semtools_within_monte_carlo_error(fit):
    ci = monte_carlo_ci(fit, draws=100_000, seed=7).set_index("lhs").loc[REF["lhs"]]
    assert ci["est"].tolist() == pytest.approx(REF["est"], rel=1e-5)        # the FIML estimates themselves
    assert ci["se"].tolist() == pytest.approx(REF["se_delta"], rel=1e-3)
    # a 2.5% quantile of 1e5 draws has an MC SE of about 0.0085 SD of the draws; the two sides'
    # difference is within 4 * sqrt(2) of that, i.e. 0.05 SE
    tol = 0.05 * np.asarray(REF["se_delta"])
    assert np.all(np.abs(ci["ci_lower"].to_numpy() - REF["ci_lower"]) < tol)
    assert np.all(np.abs(ci["ci_upper"].to_numpy() - REF["ci_upper"]) < tol)
    # the interval of a product is skewed: the upper arm is longer than the lower, as in R
    assert np.all(ci["ci_upper"] - ci["est"] > ci["est"] - ci["ci_lower"])


def test_same_seed_same_interval_and_checks(fit):
    a, b = monte_carlo_ci(fit, draws=2000, seed=3), monte_carlo_ci(fit, draws=2000, seed=3)
    assert a.equals(b)
    with pytest.raises(PsychometricsError, match="at least 100"):
        monte_carlo_ci(fit, draws=10)
    plain = pm.sem("y ~ x", pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20.0) ** 0.5}), progress=False)
    with pytest.raises(PsychometricsError, match="':=' lines"):
        monte_carlo_ci(plain)


def test_cfa_validity_matches_semtools():
    from psychometrics.measurement.validity import cfa_validity
    from psychometrics.reporting.analyses import measurement_part

    ref = json.loads((ROOT / "tests" / "reference" / "cfa_validity_vpc_triangle.json").read_text())
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv")
    items = [c for c in d.columns if c[:3] in ("npc", "kse", "sup", "chl", "shr", "rcv") and c[3:].isdigit()]
    d[items] = d[items].where(d[items] >= 0)
    model = measurement_part((ROOT / "analyses" / "models" / "vpc_triangle.lav").read_text())
    cf = pm.cfa(model, d, missing="fiml", progress=False)
    assert cf.fit["chisq"] == pytest.approx(ref["chisq"], rel=1e-5) and cf.fit["df"] == ref["df"]
    v = cfa_validity(cf, d)
    f = ref["factors"]
    # closed forms of the standardized solution: to the precision of the two optimizers (1e-5)
    assert [v.cr[k] for k in f] == pytest.approx(ref["cr"], abs=1e-5)
    assert [v.ave[k] for k in f] == pytest.approx(ref["ave"], abs=1e-5)
    phi = v.fornell_larcker.loc[f, f].to_numpy().copy()
    np.fill_diagonal(phi, 1.0)
    assert phi == pytest.approx(np.array(ref["phi"]), abs=1e-5)
    assert np.diag(v.fornell_larcker.loc[f, f].to_numpy()) == pytest.approx(np.sqrt(ref["ave"]), abs=1e-5)
    # HTMT2 from complete rows' correlations: sample statistics, so to 1e-10
    assert v.htmt.loc[f, f].to_numpy() == pytest.approx(np.array(ref["htmt"]), abs=1e-10)
    assert any("negative loadings (npc03, npc08" in n for n in v.notes)
