"""The F quantile and incomplete beta of Feldt's interval, written without SciPy (its import was
most of a one-shot command's time), against SciPy over the df and levels a reliability table meets
and beyond; the one-factor ML fit of omega by projected Newton against L-BFGS-B."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special

from psychometrics.measurement.coefficients import beta_cdf, f_quantile
from psychometrics.measurement.efa import ml


@pytest.mark.parametrize("d1", [1, 2, 5, 49, 199, 2799])
@pytest.mark.parametrize("d2", [1, 3, 9, 196, 796, 11196])
def test_f_quantile_equals_scipy(d1, d2):
    for q in (0.0005, 0.005, 0.025, 0.5, 0.975, 0.995, 0.9995):
        assert f_quantile(q, d1, d2) == pytest.approx(special.fdtri(d1, d2, q), rel=1e-10)


def test_beta_cdf_equals_scipy():
    for a, b in ((0.5, 0.5), (2, 5), (30, 400), (1399.5, 5598)):
        for x in (1e-6, 0.01, 0.2, 0.5, 0.8, 0.999):
            assert beta_cdf(x, a, b) == pytest.approx(special.betainc(a, b, x), rel=1e-10, abs=1e-300)


def test_one_factor_newton_reaches_the_lbfgsb_optimum(monkeypatch):
    rng = np.random.default_rng(5)
    for trial in range(20):
        p = int(rng.integers(3, 12))
        lam = rng.uniform(0.2, 0.95, p)
        X = rng.normal(size=(300, 1)) * lam + rng.normal(size=(300, p)) * np.sqrt(1 - lam ** 2)
        S = np.cov(X, rowvar=False)
        L, psi, ok = ml.ml_loadings(S, 1)
        # the same criterion minimised by SciPy's L-BFGS-B (the path of m > 1)
        sd = np.sqrt(np.diag(S))
        R = S / np.outer(sd, sd)

        def objective(u):
            sc = 1 / np.sqrt(u)
            e = np.linalg.eigvalsh(R * np.outer(sc, sc))[::-1][1:]
            return -np.sum(np.log(e) - e) - 1 + p
        ref = optimize.minimize(objective, np.full(p, 0.5), method="L-BFGS-B", bounds=[(0.005, 1.0)] * p,
                                options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 5000})
        assert ok
        assert objective(psi / sd ** 2) <= ref.fun + 1e-10
        assert psi / sd ** 2 == pytest.approx(ref.x, abs=2e-5)


def test_heywood_case_ends_at_the_bound():
    lam = np.array([0.999, 0.6, 0.5, 0.4])
    R = np.outer(lam, lam)
    np.fill_diagonal(R, 1)
    R[0, 1] = R[1, 0] = 0.75          # more than the first item's variance allows: a Heywood case
    L, psi, ok = ml.ml_loadings(R, 1)
    assert psi[0] == pytest.approx(0.005)
