"""Rotations: varimax (Kaiser, 1958), promax, and gradient-projection oblique rotation
(Jennrich, 2002; Bernaards & Jennrich, 2005) with the oblimin/quartimin, geomin and target
criteria. R: ``GPArotation::Varimax``, ``psych::Promax``, ``GPArotation::oblimin``,
``GPArotation::geominQ``, ``GPArotation::targetQ``."""

from __future__ import annotations

from typing import Callable

import numpy as np


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


def target_criterion(target: np.ndarray) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
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
