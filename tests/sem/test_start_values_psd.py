"""Start values of many correlated factors in small groups: latent covariances clipped pair by pair
made a non-positive-definite matrix, and the configural model of the triangle study across the
form's language failed at its start on 320 respondents (found by the analyses/ scripts' test)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import psychometrics as pm
from psychometrics.responses.validation import validate_responses
from psychometrics.sem.partable import build

ROOT = Path(__file__).resolve().parents[2]


def test_pairwise_clipped_latent_covariances_are_shrunk_to_a_positive_definite_matrix():
    from psychometrics.sem.model import _shrink_latent_covariances

    pt = build("\n".join(f"f{k} =~ x{k}0 + x{k}1 + x{k}2" for k in range(3)), [f"x{k}{j}" for k in range(3) for j in range(3)])
    theta = np.zeros(pt.n_free)
    cov = {}
    for r in pt.rows:
        if r.op == "~~" and r.lhs.startswith("f"):
            cov[(r.lhs, r.rhs)] = r.free - 1
    for (a, b), k in cov.items():       # each |r| = .9 is inside its own bound, the matrix is not PD
        theta[k] = 1.0 if a == b else (-0.9 if {a, b} == {"f1", "f2"} else 0.9)
    def psi():
        return np.array([[theta[cov.get((f"f{i}", f"f{j}"), cov.get((f"f{j}", f"f{i}")))] for j in range(3)]
                                for i in range(3)])
    assert np.linalg.eigvalsh(psi()).min() < 0
    _shrink_latent_covariances(pt, theta, {f"f{k}": f"x{k}0" for k in range(3)})
    assert np.linalg.eigvalsh(psi()).min() > 0
    assert theta[cov[("f0", "f0")]] == 1.0          # variances kept


def test_configural_model_by_language_on_a_small_sample_converges():
    d = pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").iloc[:320]
    inst = pm.InstrumentRegistry([ROOT / "instruments"]).get("vpc_teachers")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = validate_responses(d, inst, on_invalid="missing").data.assign(response_language=d["response_language"].to_numpy())
        res = pm.invariance((ROOT / "analyses" / "models" / "vpc_triangle_measurement.lav").read_text(), v,
                            group="response_language", missing="fiml")
    assert all(f.converged for f in res.fits.values())
