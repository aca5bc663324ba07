"""Least-squares estimators with a fixed weight matrix on the non-duplicated covariances:
GLS (normal-theory weight at the sample covariance) and ULS (identity weight).

.. math:: F(\\theta) = (s - \\sigma(\\theta))' V (s - \\sigma(\\theta)), \\qquad
          V_{GLS} = \\tfrac12 D'(S^{-1}\\otimes S^{-1})D \\;\\Rightarrow\\;
          F_{GLS} = \\tfrac12\\operatorname{tr}\\{[(S - \\Sigma)S^{-1}]^2\\}

minimised by Gauss-Newton, :math:`\\theta \\leftarrow \\theta + (\\Delta'V\\Delta)^{-1}\\Delta'V(s - \\sigma)`.
Standard errors are lavaan's "standard" ones for both, :math:`(\\Delta'V\\Delta)^{-1}/(N-1)` on the
unbiased covariance (for ULS not scale-free: lavaan treats the identity weight as if it were the
inverse sampling covariance). References: Browne (1974), South African Statistical Journal 8, 1-24;
Bollen (1989), ch. 4. R: ``lavaan::sem(..., estimator = "GLS")`` / ``"ULS"``.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import EstimationError
from .model import Model


def duplication_weight(S: np.ndarray) -> np.ndarray:
    """1/2 D'(S^-1 kron S^-1)D on vech (np.tril_indices order): entry (ij, kl) is
    (s^ik s^jl + s^il s^jk) g_ij g_kl with g = 1 off the diagonal and 1/2 on it."""
    Si = np.linalg.inv(S)
    a, b = np.tril_indices(S.shape[0])
    g = np.where(a == b, 0.5, 1.0)
    return (Si[np.ix_(a, a)] * Si[np.ix_(b, b)] + Si[np.ix_(a, b)] * Si[np.ix_(b, a)]) * np.outer(g, g)


def fit_wls(model: Model, S: np.ndarray, V: np.ndarray, theta0: np.ndarray, tol: float = 1e-9,
            max_iter: int = 500) -> tuple[np.ndarray, float, bool, str]:
    a, b = np.tril_indices(S.shape[0])
    s = S[a, b]

    def F(theta):
        try:
            r = s - model.implied(theta)[a, b]
        except np.linalg.LinAlgError:
            return np.inf, None
        return float(r @ V @ r), r

    theta = theta0
    f, r = F(theta)
    if not np.isfinite(f):
        raise EstimationError("estimation failed at the starting values; check the model or give start values")
    for it in range(1, max_iter + 1):
        D = model.delta(theta)
        DV = D.T @ V
        grad = -2 * DV @ r
        try:
            step = np.linalg.solve(DV @ D, DV @ r)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(DV @ D, DV @ r, rcond=None)[0]
        alpha = 1.0
        for _ in range(20):
            fc, rc = F(theta + alpha * step)
            if np.isfinite(fc) and fc <= f + 1e-15:
                break
            alpha /= 2
        else:
            break
        theta, f, r = theta + alpha * step, fc, rc
        if np.abs(grad).max() < tol or np.abs(alpha * step).max() < 1e-12:
            D = model.delta(theta)
            grad = -2 * D.T @ V @ r
            if np.abs(grad).max() < 1e-6:
                return theta, f, True, f"Gauss-Newton converged in {it} iterations"
    D = model.delta(theta)
    grad = -2 * D.T @ V @ r
    ok = bool(np.abs(grad).max() < 1e-6)
    return theta, f, ok, f"Gauss-Newton stopped, largest gradient {np.abs(grad).max():.2g}"


def baseline_wls(S: np.ndarray, V: np.ndarray) -> float:
    """Minimum of the discrepancy for the independence model (a diagonal Sigma): weighted least
    squares in the p variances, closed form."""
    a, b = np.tril_indices(S.shape[0])
    s = S[a, b]
    E = (a[:, None] == b[:, None]) & (a[:, None] == np.arange(S.shape[0])[None])
    E = E.astype(float)
    d = np.linalg.solve(E.T @ V @ E, E.T @ V @ s)
    r = s - E @ d
    return float(r @ V @ r)
