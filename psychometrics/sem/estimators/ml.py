"""Normal-theory maximum likelihood (complete data and FIML): the discrepancy of
:mod:`psychometrics.sem.model` minimised by Fisher scoring (SQP under general constraints), the
expected or observed information, SEs over N, the likelihood-ratio statistic against the
saturated model (EM-estimated with FIML) and the independence baseline."""

from __future__ import annotations

import numpy as np

from .. import model as _model


class MaximumLikelihood:
    likelihood = True

    def estimate(self, f, theta0: np.ndarray):
        if f.cons is not None:
            from ..constraints import fit_constrained

            f.theta, f.fmin, f.ok, f.msg, f.active = fit_constrained(f.mdl, f.blocks, theta0, f.cons, f.c0)
        else:
            f.theta, f.fmin, f.ok, f.msg = _model.fit_ml(f.mdl, f.blocks, theta0, f.c0)

    def information(self, f, kind: str) -> np.ndarray:
        if kind == "observed":
            return f.mdl.observed_information(f.theta, f.blocks, f.c0)
        return f.mdl.expected_information(f.theta, f.blocks)

    def se_divisor(self, f) -> float:
        return float(f.N)

    def statistics(self, f, logl: float) -> tuple[float, float, float]:
        """(chi-square, baseline chi-square, fmin as reported)."""
        from .. import baseline

        if f.fiml:
            return 2 * (f.logl_h1 - logl), 2 * (f.logl_h1 - f.logl_b), f.fmin
        return f.N * f.fmin, baseline.chisq_complete(f.blocks, baseline.kept_covariates(f.pt, f.opt))[0], f.fmin

    def sample_covariances(self, f) -> list:
        return f.S_g
