"""Maximum-likelihood factor analysis of a covariance or correlation matrix (private).

The concentrated ML criterion of Lawley & Maxwell (1971), minimised over the uniquenesses
with L-BFGS-B as R's ``factanal`` does: for given uniquenesses :math:`\\Psi`, the loadings
come from the leading eigenvectors of :math:`\\Psi^{-1/2} S \\Psi^{-1/2}`.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize


def ml_loadings(S: np.ndarray, n_factors: int = 1, lower: float = 0.005) -> tuple[np.ndarray, np.ndarray, bool]:
    """ML factor loadings (unrotated) and uniquenesses of covariance matrix ``S``.

    Returns (loadings p x m on the scale of S, uniquenesses, converged). The fit is done on the
    correlation scale (uniquenesses bounded below by ``lower``, as ``factanal``) and rescaled;
    a uniqueness at that bound is a Heywood case, which callers report in their own terms.

    >>> lam = np.array([.8, .7, .6, .5])
    >>> R = np.outer(lam, lam); np.fill_diagonal(R, 1)
    >>> L, psi, ok = ml_loadings(R)
    >>> np.allclose(np.abs(L[:, 0]), lam, atol=1e-4), ok
    (True, True)
    """
    S = np.asarray(S, dtype=float)
    sd = np.sqrt(np.diag(S))
    R = S / np.outer(sd, sd)
    p = R.shape[0]
    m = n_factors

    def loadings(psi):
        sc = 1 / np.sqrt(psi)
        val, vec = np.linalg.eigh(R * np.outer(sc, sc))
        val, vec = val[::-1][:m], vec[:, ::-1][:, :m]
        return (vec * np.sqrt(np.maximum(val - 1, 0))) * np.sqrt(psi)[:, None]

    def objective(psi):
        sc = 1 / np.sqrt(psi)
        val = np.linalg.eigvalsh(R * np.outer(sc, sc))[::-1]
        e = val[m:]
        return -np.sum(np.log(e) - e) - m + p

    def gradient(psi):
        L = loadings(psi)
        g = L @ L.T + np.diag(psi) - R
        return np.diag(g) / psi ** 2

    start = (1 - 0.5 * m / p) / np.diag(np.linalg.inv(R))
    res = optimize.minimize(objective, start, jac=gradient, method="L-BFGS-B",
                            bounds=[(lower, 1.0)] * p, options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
    psi = res.x
    L = loadings(psi)
    if L[:, 0].sum() < 0:
        L = -L
    return L * sd[:, None], psi * sd ** 2, bool(res.success)
