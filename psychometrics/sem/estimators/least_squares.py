"""GLS and ULS (lavaan's conventions): the unbiased covariances (and means) with a fixed weight,
groups weighted by (n_g - 1)/(N - G), Gauss-Newton estimation (:mod:`psychometrics.sem.wls`),
"standard" SEs from the information weighted by n_g/N over N - G, and the statistic (N - G) F."""

from __future__ import annotations

import numpy as np


def _group_weights(f) -> np.ndarray:
    return (np.array(f.group_n, float) - 1) / (f.N - f.G)


class LeastSquares:
    likelihood = False

    def estimate(self, f, theta0: np.ndarray):
        from ..wls import fit_wls, moment_vectors

        f.S_ls = [S * n / (n - 1) for S, n in zip(f.S_g, f.group_n)]
        f.svecs, f.Vw = moment_vectors(f.S_ls, f.mean_g if f.pt.meanstructure else None, f.est)
        f.theta, f.fmin, f.ok, f.msg = fit_wls(f.mdl, f.svecs, f.Vw, _group_weights(f), theta0)

    def information(self, f, kind: str) -> np.ndarray:
        from ..wls import information

        # lavaan's "standard" least-squares SEs: the information weighted by n_g / N
        return information(f.mdl, f.theta, f.Vw, np.array(f.group_n, float) / f.N)

    def se_divisor(self, f) -> float:
        # (Delta' V Delta)^-1 / (N - G). For ULS this treats the identity weight as if it were the
        # inverse sampling covariance (not scale-free); use ML, MLR or the bootstrap for SEs to read
        return float(f.N - f.G)

    def statistics(self, f, logl: float) -> tuple[float, float, float]:
        from ..wls import baseline_wls

        n_ls = f.N - f.G
        chisq = n_ls * f.fmin
        chisq_b = n_ls * baseline_wls(f.svecs, f.Vw, _group_weights(f), f.p)
        return chisq, chisq_b, chisq / f.N      # reported fmin is chisq / (2N), as lavaan's

    def sample_covariances(self, f) -> list:
        return f.S_ls
