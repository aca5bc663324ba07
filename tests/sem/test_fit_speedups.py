"""Shortcuts of the single-fit path (issue 12) give the numbers of the long way: the information
reusing the moments and Sigma^-1 of the objective evaluated at the same theta, and the
information's inverse from one Cholesky factorization with the identification test kept."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import EstimationError
from psychometrics.sem import sem
from psychometrics.sem.diagnostics import check_identified, identified_inverse
from psychometrics.sem.model import Model

REF = Path(__file__).resolve().parents[1] / "reference"

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


@pytest.fixture(scope="module")
def fitted():
    df = pd.read_csv(REF / "data" / "holzinger_swineford_full.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sem(HS, df, group="school")
    return r.state


def _fresh(state) -> Model:
    return Model(state["pt"], state["S"], state["means"])


def test_information_after_the_objective_equals_a_fresh_computation(fitted):
    mdl, theta, blocks = fitted["model"], fitted["theta"], fitted["blocks"]
    th = theta * 1.01
    mdl.objective(th, blocks)
    assert set(mdl._last) == {0, 1}                                     # both groups' moments kept
    cached = mdl.expected_information(th, blocks)
    fresh = _fresh(fitted).expected_information(th, blocks)
    assert np.array_equal(cached, fresh)                               # the same arithmetic, bit for bit


def test_information_at_another_theta_does_not_use_the_kept_moments(fitted):
    mdl, theta, blocks = fitted["model"], fitted["theta"], fitted["blocks"]
    mdl.objective(theta * 0.98, blocks)
    other = theta * 1.02
    got = mdl.expected_information(other, blocks)
    assert np.array_equal(got, _fresh(fitted).expected_information(other, blocks))
    assert not np.allclose(got, mdl.expected_information(theta * 0.98, blocks), rtol=1e-3)


def test_theta_changed_in_place_after_the_objective_is_not_mistaken_for_the_old_one(fitted):
    mdl, theta, blocks = fitted["model"], fitted["theta"], fitted["blocks"]
    th = theta.copy()
    mdl.objective(th, blocks)
    th[0] += 0.05                                      # the same array object, other values
    assert np.array_equal(mdl.expected_information(th, blocks), _fresh(fitted).expected_information(th, blocks))


def test_identified_inverse_equals_the_inverse():
    rng = np.random.default_rng(3)
    state_pt = _pt(6)
    for _ in range(20):
        B = rng.normal(size=(6, 6))
        info = B @ B.T + 0.1 * np.eye(6)
        D = np.diag(10 ** rng.uniform(-3, 3, 6))         # parameters on very different scales
        info = D @ info @ D
        assert np.allclose(identified_inverse(state_pt, info), np.linalg.inv(info), rtol=1e-9, atol=0)


def _pt(k: int):
    from psychometrics.sem.partable import build

    # a model with k free parameters (names for the messages)
    names = [f"x{i}" for i in range(k)]
    return build("\n".join(f"{v} ~~ {v}" for v in names), names)


@pytest.mark.parametrize("smallest,identified", [(5e-10, True), (2e-11, False), (0.0, False)])
def test_identification_decision_is_the_eigenvalue_test(smallest, identified):
    """Near the threshold: the Cholesky shortcut accepts only what the eigenvalue test accepts."""
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    R = Q @ np.diag([smallest, 0.5, 1.0, 1.5, 2.0]) @ Q.T
    d = np.sqrt(np.diag(R))
    R = R / np.outer(d, d)                      # unit diagonal, as the test sees it
    pt = _pt(5)
    ev = np.linalg.eigvalsh(R)[0]
    if identified:
        assert ev >= 1e-10
        check_identified(pt, R)
        assert np.allclose(identified_inverse(pt, R) @ R, np.eye(5), atol=1e-4)
    else:
        assert ev < 1e-10
        with pytest.raises(EstimationError, match="not identified"):
            identified_inverse(pt, R)
