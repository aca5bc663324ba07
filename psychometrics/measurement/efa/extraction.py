"""Factor extraction: minres (Harman & Jones, 1966), principal axis, and maximum likelihood
(:mod:`.ml`). R: ``psych::fa(fm = "minres" | "pa" | "ml")``."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ...exceptions import PsychometricsError

Method = Literal["minres", "ml", "pa"]


def _top_eig(M: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    val, vec = np.linalg.eigh(M)
    return val[::-1][:m], vec[:, ::-1][:, :m]


def minres(R: np.ndarray, n_factors: int, lower: float = 0.005, upper: float = 1.0) -> tuple[np.ndarray, np.ndarray, bool]:
    """Minimum-residual (unweighted least squares) factor loadings of a correlation matrix.

    Minimises :math:`\\tfrac12\\lVert R - \\Lambda\\Lambda' - \\Psi\\rVert^2` over the
    uniquenesses :math:`\\Psi`, with :math:`\\Lambda` from the leading eigenvectors of
    :math:`R - \\Psi` (psych's ``fm = "minres"``; starting values :math:`1 - \\mathrm{smc}`).

    >>> lam = np.array([.8, .7, .6, .5])
    >>> R = np.outer(lam, lam); np.fill_diagonal(R, 1)
    >>> L, u, ok = minres(R, 1)
    >>> bool(np.allclose(np.abs(L[:, 0]), lam, atol=1e-5))
    True
    """
    from scipy import optimize

    p = R.shape[0]

    def loadings(psi):
        val, vec = _top_eig(R - np.diag(psi), n_factors)
        return vec * np.sqrt(np.maximum(val, 0))

    def f(psi):
        L = loadings(psi)
        res = R - L @ L.T - np.diag(psi)
        return 0.5 * np.sum(res * res)

    def g(psi):
        L = loadings(psi)
        return np.diag(L @ L.T + np.diag(psi) - R).copy()

    try:
        start = 1 / np.diag(np.linalg.inv(R))
    except np.linalg.LinAlgError:
        start = np.full(p, 0.5)
    res = optimize.minimize(f, np.clip(start, lower, upper), jac=g, method="L-BFGS-B",
                            bounds=[(lower, upper)] * p, options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})
    L = loadings(res.x)
    L *= np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    return L, res.x, bool(res.success)


def principal_axis(R: np.ndarray, n_factors: int, min_err: float = 0.001,
                   max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, bool]:
    """Iterated principal-axis factoring exactly as ``psych::fa(fm = "pa")``: squared multiple
    correlations as starting communalities, stopping when the sum of communalities changes by
    less than ``min_err`` (psych's rule, so the loadings agree with psych's, not with a fully
    converged solution). Returns (loadings, eigenvalues of the reduced matrix, converged)."""

    Rm = R.copy()
    np.fill_diagonal(Rm, smc(R))
    comm = np.trace(Rm)
    converged = False
    for _ in range(max_iter):
        val, vec = np.linalg.eigh(Rm)
        val, vec = val[::-1], vec[:, ::-1]
        L = vec[:, :n_factors] * np.sqrt(np.maximum(val[:n_factors], 0))
        new = (L * L).sum(axis=1)
        comm1 = new.sum()
        np.fill_diagonal(Rm, new)
        err = abs(comm - comm1)
        comm = comm1
        if err <= min_err:
            converged = True
            break
    L *= np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    return L, val, converged


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations, :math:`1 - 1/\\mathrm{diag}(R^{-1})` (pseudo-inverse if singular)."""
    try:
        inv = np.linalg.inv(R)
        if not np.isfinite(inv).all():
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(R)
    return 1 - 1 / np.diag(inv)


def extract(R: np.ndarray, n: int, method: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Unrotated loadings, eigenvalues of the reduced matrix, converged."""
    if method == "minres":
        L, psi, ok = minres(R, n)
    elif method == "ml":
        from .ml import ml_loadings

        L, psi, ok = ml_loadings(R, n)
        L *= np.where(L.sum(axis=0) < 0, -1.0, 1.0)
    elif method == "pa":
        L, vals, ok = principal_axis(R, n)
        return L, vals, ok
    else:
        raise PsychometricsError(f"method must be minres, ml or pa, not {method!r}")
    Rm = R.copy()
    np.fill_diagonal(Rm, (L * L).sum(axis=1))
    return L, np.linalg.eigvalsh(Rm)[::-1], ok
