"""Exploratory factor analysis kernels (private): minres extraction, varimax, gradient-projection
oblimin, and the Schmid-Leiman transformation. The public EFA builds on these.

References
----------
Harman & Jones (1966) minres; Kaiser (1958) varimax; Jennrich (2002), Bernaards & Jennrich (2005)
gradient projection; Schmid & Leiman (1957). R: ``psych::fa(fm = "minres")``,
``GPArotation::oblimin``, ``psych::schmid``.
"""

from __future__ import annotations

import warnings

import numpy as np

from .exceptions import PsychometricsWarning


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


def varimax(A: np.ndarray, normalize: bool = True, eps: float = 1e-5, max_iter: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser normalisation by default) with ``stats::varimax``'s stopping rule
    (relative change of the criterion below ``eps``). Returns (L, T) with L = A T."""
    p, m = A.shape
    if m < 2:
        return A.copy(), np.eye(m)
    h = np.sqrt((A ** 2).sum(axis=1)) if normalize else np.ones(p)
    X = A / h[:, None]
    T = np.eye(m)
    d = 0.0
    for _ in range(max_iter):
        Z = X @ T
        B = X.T @ (Z ** 3 - Z @ np.diag((Z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        d_old, d = d, s.sum()
        if d < d_old * (1 + eps):
            break
    return (X @ T) * h[:, None], T


def _oblimin_criterion(L: np.ndarray, gamma: float) -> tuple[float, np.ndarray]:
    m = L.shape[1]
    L2 = L * L
    X = L2 @ (1 - np.eye(m))
    if gamma:
        p = L.shape[0]
        X = (np.eye(p) - gamma / p) @ X
    return float((L2 * X).sum() / 4), L * X


def geomin_criterion(L: np.ndarray, delta: float = 0.01) -> tuple[float, np.ndarray]:
    """Geomin criterion and its gradient (GPArotation ``vgQ.geomin``, delta .01)."""
    m = L.shape[1]
    L2 = L * L + delta
    pro = np.exp(np.log(L2).sum(axis=1) / m)
    return float(pro.sum()), (2 / m) * L / L2 * pro[:, None]


def target_criterion(target: np.ndarray) -> callable:
    """Partially specified target: entries that are NaN do not count (GPArotation ``pstQ``)."""
    W = (~np.isnan(target)).astype(float)
    B = np.nan_to_num(target)

    def crit(L):
        D = W * (L - B)
        return float((D * D).sum()), 2 * D
    return crit


def promax(A: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser-weighted promax as psych's ``fa(rotate = "promax")``: rows scaled to unit length,
    varimax, least-squares fit to the power-``m`` target, columns rescaled, rows scaled back.
    Returns (loadings, Phi)."""
    h = np.sqrt((A * A).sum(axis=1))
    X, T = varimax(A / h[:, None])
    Q = X * np.abs(X) ** (m - 1)
    U = np.linalg.lstsq(X, Q, rcond=None)[0]
    U = U * np.sqrt(np.diag(np.linalg.inv(U.T @ U)))[None, :]
    Z = X @ U
    ui = np.linalg.inv(T @ U)
    return Z * h[:, None], ui @ ui.T


def principal_axis(R: np.ndarray, n_factors: int, min_err: float = 0.001,
                   max_iter: int = 50) -> tuple[np.ndarray, np.ndarray, bool]:
    """Iterated principal-axis factoring exactly as ``psych::fa(fm = "pa")``: squared multiple
    correlations as starting communalities, stopping when the sum of communalities changes by
    less than ``min_err`` (psych's rule, so the loadings agree with psych's, not with a fully
    converged solution). Returns (loadings, eigenvalues of the reduced matrix, converged)."""
    from .reliability import smc

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


def gpa_oblique(A: np.ndarray, criterion=None, gamma: float = 0.0, T: np.ndarray | None = None,
                eps: float = 1e-7, max_iter: int = 5000) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Gradient-projection oblique rotation (oblimin with ``gamma``; 0 = quartimin), as
    ``GPArotation::GPFoblq``. Returns (rotated loadings, Phi, T, converged).

    Stops when the projected gradient's norm is below ``eps``: 1e-7 here, tighter than
    GPArotation's 1e-5, because flat criteria (weakly determined factors) otherwise stop
    visibly short of the optimum (3e-4 in a factor correlation, seen on real data). If the line
    search can no longer lower the criterion, it stops there and reports convergence when the
    gradient norm is below GPArotation's 1e-5.
    """
    crit = criterion or (lambda L: _oblimin_criterion(L, gamma))
    p, m = A.shape
    T = np.eye(m) if T is None else T.copy()
    L = A @ np.linalg.inv(T).T
    f, Gq = crit(L)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    al = 1.0
    converged = False
    for _ in range(max_iter + 1):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = np.sqrt((Gp ** 2).sum())
        if s < eps:
            converged = True
            break
        al *= 2
        improved = False
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X ** 2).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gq = crit(L)
            if ft < f - 0.5 * s * s * al:
                improved = True
                break
            al /= 2
        if not improved and ft >= f:  # numerical floor reached
            L = A @ np.linalg.inv(T).T
            converged = s < 1e-5
            break
        T, f = Tt, ft
        G = -(L.T @ Gq @ np.linalg.inv(T)).T
    return L, T.T @ T, T, converged


def schmid_leiman(R: np.ndarray, n_factors: int) -> dict:
    """Schmid-Leiman transformation of an oblimin minres solution, as ``psych::schmid``.

    Returns general loadings ``g``, group loadings, communalities ``h2`` and uniquenesses ``u2``.
    With two group factors the general factor is not identified; like psych's ``option =
    "equal"`` both factors load :math:`\\sqrt{|\\phi_{12}|}` on it.
    """
    L0, _, ok = minres(R, n_factors)
    if not ok:
        warnings.warn("minres extraction for omega did not converge", PsychometricsWarning, stacklevel=3)
    Lv, _ = varimax(L0)
    h2 = (L0 ** 2).sum(axis=1)
    if n_factors == 1:
        return {"g": L0[:, 0], "group": np.zeros((len(R), 1)), "h2": h2, "u2": np.diag(R) - h2, "phi": np.eye(1)}
    F, Phi, _, conv = gpa_oblique(Lv)
    if not conv:
        warnings.warn("oblimin rotation for omega did not converge", PsychometricsWarning, stacklevel=3)
    if n_factors == 2:
        r = Phi[0, 1]
        gl = np.array([np.sqrt(abs(r)), np.sign(r) * np.sqrt(abs(r))])
    else:
        G, _, _ = minres(Phi, 1)
        gl = G[:, 0]
    g = F @ gl
    group = F * np.sqrt(np.maximum(1 - gl ** 2, 0))
    return {"g": g, "group": group, "h2": h2, "u2": np.diag(R) - h2, "phi": Phi, "oblique": F, "g_of_factors": gl}


def omega_hierarchical(R: np.ndarray, n_factors: int) -> dict:
    """McDonald's omega hierarchical and omega total from a Schmid-Leiman solution (psych ``omega``):

    .. math:: \\omega_h = \\frac{(\\sum_i |g_i|)^2}{\\mathbf 1' K R K \\mathbf 1}, \\qquad
              \\omega_t = 1 - \\frac{\\sum_i u^2_i}{\\mathbf 1' K R K \\mathbf 1}

    with :math:`K` flipping items whose general loading is negative.
    """
    sl = schmid_leiman(R, n_factors)
    key = np.where(sl["g"] < 0, -1.0, 1.0)
    Vt = (R * np.outer(key, key)).sum()
    return {"omega_h": float(np.abs(sl["g"]).sum() ** 2 / Vt), "omega_t": float((Vt - sl["u2"].sum()) / Vt),
            "schmid": sl}
