"""Population models against lavaan 0.6.14's simulateData (tests/reference/generate_population.R):
the implied covariance matrix it simulates from, with lavaan's defaults for values not given, with
standardized values, and per group; our standardization of a chain; the analysis syntax."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from psychometrics.exceptions import PsychometricsError, SimulationWarning
from psychometrics.simulate import analysis_syntax, population

from ..conftest import ROOT

REF = json.loads((ROOT / "tests" / "reference" / "population_moments.json").read_text())


@pytest.mark.parametrize("name", sorted(REF))
def test_implied_covariance_equals_lavaans(name):
    case = REF[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SimulationWarning)     # 'defaults': a path without a value
        pop = population(case["model"], standardized=case["standardized"], n_groups=case["groups"])
    covs = list(case["cov"].values()) if isinstance(case["cov"], dict) else case["cov"]
    idx = [pop.observed.index(v) for v in case["names"]]
    for g, want in enumerate(covs):
        # both are the same closed-form product of the RAM matrices: to rounding
        np.testing.assert_allclose(pop.Sigma[g][np.ix_(idx, idx)], np.array(want), rtol=0, atol=1e-12)


def test_a_path_without_a_value_is_zero_with_a_warning():
    with pytest.warns(SimulationWarning, match="f ~ w"):
        pop = population("f =~ y1 + y2 + y3\nf ~ 0.3*z + w")
    assert pop.Sigma[0][pop.observed.index("y1"), pop.observed.index("w")] == 0


def test_standardized_chain_has_unit_variances_everywhere():
    # lavaan's simulateData sets the residual variances in one pass, which leaves a chain's outcome
    # off 1 (x -> m -> y with 0.5 and 0.5: lavaan 0.6.14's var(y) is 1.1875, checked); ours follows the paths
    pop = population("x =~ 0.7*x1 + 0.7*x2\nm =~ 0.7*m1 + 0.7*m2\ny =~ 0.7*y1 + 0.7*y2\nm ~ 0.5*x\ny ~ 0.5*m",
                     standardized=True)
    np.testing.assert_allclose(np.diag(pop.total[0]), 1.0, atol=1e-12)
    names = list(pop.observed) + list(pop.table.latent)
    V = pop.total[0]
    assert V[names.index("y"), names.index("x")] == pytest.approx(0.25, abs=1e-12)


def test_impossible_populations_are_refused():
    with pytest.raises(PsychometricsError, match="explain more than all the variance"), \
            pytest.warns(SimulationWarning, match="of 1 or more: f =~ y1 = 1.2"):
        population("f =~ 1.2*y1 + 0.5*y2 + 0.5*y3", standardized=True)
    with pytest.raises(PsychometricsError, match="sets the residual variances"):
        population("f =~ 0.5*y1 + 0.5*y2 + 0.5*y3\ny1 ~~ 0.3*y1", standardized=True)
    with pytest.raises(PsychometricsError, match="not positive"):
        population("f =~ y1 + y2 + y3\ny1 ~~ -3*y1")


def test_analysis_syntax_frees_the_values_and_keeps_labels():
    text = "f =~ 0.8*y1 + a*y2 + c(0.6, 0.5)*y3  # comment 0.3*x\nf ~ 0.3*x\ny1 ~ 2*1\nind := a*2\nb == 0.5"
    assert analysis_syntax(text) == "f =~ y1 + a*y2 + y3  # comment 0.3*x\nf ~ x\ny1 ~ 1\nind := a*2\nb == 0.5"
