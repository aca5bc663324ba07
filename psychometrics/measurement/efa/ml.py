"""Maximum-likelihood factor analysis of a covariance or correlation matrix (private).

The concentrated ML criterion of Lawley & Maxwell (1971), minimised over the uniquenesses
with L-BFGS-B as R's ``factanal`` does: for given uniquenesses :math:`\\Psi`, the loadings
come from the leading eigenvectors of :math:`\\Psi^{-1/2} S \\Psi^{-1/2}`.
"""

from __future__ import annotations

import numpy as np


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
    if m == 1 and p <= 60:      # omega's fit, at every one-shot command: Newton here, no SciPy import (0.45 s)
        psi, ok = _projected_newton(objective, gradient, np.clip(start, lower, 1.0), lower, 1.0)
    else:
        from scipy import optimize

        res = optimize.minimize(objective, start, jac=gradient, method="L-BFGS-B",
                                bounds=[(lower, 1.0)] * p, options={"ftol": 1e-14, "gtol": 1e-10, "maxiter": 2000})
        psi, ok = res.x, bool(res.success)
    L = loadings(psi)
    if L[:, 0].sum() < 0:
        L = -L
    return L * sd[:, None], psi * sd ** 2, ok


def _projected_newton(f, grad, x: np.ndarray, lo: float, hi: float, tol: float = 1e-10,
                      max_iter: int = 200) -> tuple[np.ndarray, bool]:
    """Minimise ``f`` on the box [lo, hi]^p: Newton steps on the variables not held at a bound
    (Hessian by central differences of the analytic gradient), projected back into the box, with
    backtracking; a variable at a bound whose gradient pushes outward stays there (the optimum
    L-BFGS-B finds, as factanal's; a Heywood case ends at ``lo``)."""
    fx = f(x)
    for _ in range(max_iter):
        g = grad(x)
        held = ((x <= lo + 1e-12) & (g > 0)) | ((x >= hi - 1e-12) & (g < 0))
        free = ~held
        if not free.any() or np.max(np.abs(g[free])) < tol:
            return x, True
        idx = np.flatnonzero(free)
        h = 1e-6
        H = np.empty((len(idx), len(idx)))
        for j, i in enumerate(idx):
            e = np.zeros_like(x)
            e[i] = h
            H[:, j] = (grad(np.clip(x + e, lo, hi))[idx] - grad(np.clip(x - e, lo, hi))[idx]) / (2 * h)
        H = (H + H.T) / 2
        try:
            step = -np.linalg.solve(H, g[idx])
            if g[idx] @ step >= 0:            # not a descent direction: a gradient step instead
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            step = -g[idx] / max(np.abs(np.diag(H)).max(), 1.0)
        t = 1.0
        while True:
            trial = x.copy()
            trial[idx] = np.clip(x[idx] + t * step, lo, hi)
            ft = f(trial)
            if ft <= fx - 1e-4 * t * abs(g[idx] @ step) or t < 1e-10:
                break
            t /= 2
        if t < 1e-10 and ft >= fx:
            return x, bool(np.max(np.abs(g[free])) < 1e-6)
        x, fx = trial, ft
    return x, False
