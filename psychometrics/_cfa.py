"""Maximum-likelihood CFA of a simple-structure measurement model (private).

Each item loads on one factor; factors have variance 1 and free correlations; residual
variances are free and uncorrelated (lavaan's ``cfa(model, std.lv = TRUE)``). The ML
discrepancy

.. math:: F = \\log|\\Sigma| + \\operatorname{tr}(S\\Sigma^{-1}) - \\log|S| - p,
          \\qquad \\Sigma = \\Lambda\\Phi\\Lambda' + \\Theta

is minimised with its analytic gradient (:math:`W = \\Sigma^{-1} - \\Sigma^{-1}S\\Sigma^{-1}`;
:math:`\\partial F/\\partial\\Lambda = 2W\\Lambda\\Phi`, :math:`\\partial F/\\partial\\Phi = \\Lambda'W\\Lambda`,
:math:`\\partial F/\\partial\\Theta = \\mathrm{diag}\\,W`). Residual variances are not bounded,
as in lavaan; a negative one is reported as a Heywood case.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._factor import ml_loadings
from .exceptions import EstimationError, PsychometricsWarning


@dataclass(frozen=True)
class SimpleCFA:
    loadings: np.ndarray      # p x m (zeros off the item's factor)
    phi: np.ndarray           # m x m factor correlations
    theta: np.ndarray         # p residual variances
    fmin: float               # F_ML / 2, lavaan's fmin
    converged: bool


def fit_simple_cfa(S: np.ndarray, groups: list[np.ndarray]) -> SimpleCFA:
    """Fit the simple-structure CFA with item groups ``groups`` (indices into S) to covariance S (divisor n)."""
    p, m = S.shape[0], len(groups)
    mask = np.zeros((p, m), dtype=bool)
    for f, g in enumerate(groups):
        mask[g, f] = True
    # starting values: one-factor ML per group, factor correlations from the group covariances
    lam0 = np.zeros(p)
    for g in groups:
        if len(g) >= 3:
            lam0[g] = ml_loadings(S[np.ix_(g, g)], 1)[0][:, 0]
        else:
            lam0[g] = np.sqrt(np.abs(S[np.ix_(g, g)]).mean())
    th0 = np.maximum(np.diag(S) - lam0 ** 2, 0.05 * np.diag(S))
    phi0 = np.eye(m)
    for a in range(m):
        for b in range(a + 1, m):
            c = S[np.ix_(groups[a], groups[b])].sum() / (lam0[groups[a]].sum() * lam0[groups[b]].sum())
            phi0[a, b] = phi0[b, a] = np.clip(c, -0.9, 0.9)
    iu = np.triu_indices(m, 1)
    logdetS = np.linalg.slogdet(S)[1]

    def unpack(x):
        L = np.zeros((p, m))
        rows, cols = np.nonzero(mask)          # one row per item (simple structure), in item order
        L[rows, cols] = x[:p][rows]
        th = x[p:2 * p]
        Phi = np.eye(m)
        Phi[iu] = x[2 * p:]
        Phi[(iu[1], iu[0])] = x[2 * p:]
        return L, th, Phi

    def f_and_g(x):
        L, th, Phi = unpack(x)
        Sigma = L @ Phi @ L.T + np.diag(th)
        sign, logdet = np.linalg.slogdet(Sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(x)
        Si = np.linalg.inv(Sigma)
        F = logdet + np.trace(S @ Si) - logdetS - p
        W = Si - Si @ S @ Si
        gL = 2 * W @ L @ Phi
        gPhi = L.T @ W @ L
        g = np.concatenate([gL[np.nonzero(mask)], np.diag(W), 2 * gPhi[iu]])
        return F, g

    x0 = np.concatenate([lam0, th0, phi0[iu]])
    res = optimize.minimize(f_and_g, x0, jac=True, method="L-BFGS-B",
                            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000, "maxcor": 30})
    L, th, Phi = unpack(res.x)
    if not np.isfinite(res.fun) or res.fun >= 1e9:
        raise EstimationError("the measurement model could not be fitted (model-implied matrix not positive definite)")
    # sign convention as lavaan's std.lv: each factor's first loading positive
    for f, g in enumerate(groups):
        if L[g[0], f] < 0:
            L[:, f] *= -1
            Phi[f, :] *= -1
            Phi[:, f] *= -1
    if np.any(th < 0):
        warnings.warn("measurement model: negative residual variance (Heywood case) for item(s) at positions "
                      f"{np.flatnonzero(th < 0).tolist()}", PsychometricsWarning, stacklevel=3)
    return SimpleCFA(loadings=L, phi=Phi, theta=th, fmin=float(res.fun) / 2, converged=bool(res.success))
