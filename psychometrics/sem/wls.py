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


def moment_vectors(S_list: list[np.ndarray], mean_list: list[np.ndarray] | None, estimator: str
                   ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per group the sample-moment vector s (vech of the unbiased covariance, then the means with
    a mean structure) and its weight: GLS the normal-theory weight at the sample moments (the
    inverse covariance for the means), ULS the identity."""
    svecs, weights = [], []
    for g, S in enumerate(S_list):
        a, b = np.tril_indices(S.shape[0])
        s = S[a, b]
        V = duplication_weight(S) if estimator == "GLS" else np.eye(len(s))
        if mean_list is not None:
            s = np.concatenate([s, mean_list[g]])
            Vm = np.linalg.inv(S) if estimator == "GLS" else np.eye(S.shape[0])
            V = np.block([[V, np.zeros((V.shape[0], Vm.shape[0]))], [np.zeros((Vm.shape[0], V.shape[0])), Vm]])
        svecs.append(s)
        weights.append(V)
    return svecs, weights


def fit_wls(model: Model, svecs: list[np.ndarray], weights: list[np.ndarray], group_w: np.ndarray,
            theta0: np.ndarray, tol: float = 1e-9, max_iter: int = 500) -> tuple[np.ndarray, float, bool, str]:
    """Minimise :math:`F = \\sum_g w_g (s_g - \\sigma_g)' V_g (s_g - \\sigma_g)` (w_g = n_g/N) by
    Gauss-Newton with step halving."""
    p = model.n_obs
    a, b = np.tril_indices(p)

    def resid(theta):
        out = []
        for g in range(model.n_groups):
            mom = model.moments(theta, g)
            sig = mom["Sigma"][a, b]
            if model.meanstructure:
                sig = np.concatenate([sig, mom["mu"]])
            out.append(svecs[g] - sig)
        return out

    def F(theta):
        try:
            r = resid(theta)
        except np.linalg.LinAlgError:
            return np.inf, None
        return float(sum(w * (rg @ V @ rg) for w, rg, V in zip(group_w, r, weights))), r

    def normal_eq(theta, r):
        H, gvec = np.zeros((model.n_free, model.n_free)), np.zeros(model.n_free)
        for g in range(model.n_groups):
            DV = model.delta(theta, g).T @ weights[g]
            H += group_w[g] * DV @ model.delta(theta, g)
            gvec += group_w[g] * DV @ r[g]
        return H, gvec

    theta = theta0
    f, r = F(theta)
    if not np.isfinite(f):
        raise EstimationError("estimation failed at the starting values; check the model or give start values")
    for it in range(1, max_iter + 1):
        H, gv = normal_eq(theta, r)
        grad = -2 * gv
        try:
            step = np.linalg.solve(H, gv)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, gv, rcond=None)[0]
        alpha = 1.0
        for _ in range(20):
            fc, rc = F(theta + alpha * step)
            if np.isfinite(fc) and fc <= f + 1e-15:
                break
            alpha /= 2
        else:
            break
        theta, f, r = theta + alpha * step, fc, rc
        scale = 1.0 / np.sqrt(np.maximum(np.diag(H), 1e-300))
        if np.abs(grad * scale).max() < tol or np.abs(alpha * step / scale).max() < 1e-12:
            grad = -2 * normal_eq(theta, r)[1]
            if np.abs(grad * scale).max() < 1e-6:
                return theta, f, True, f"Gauss-Newton converged in {it} iterations"
    grad = -2 * normal_eq(theta, r)[1]
    H = normal_eq(theta, r)[0]
    scale = 1.0 / np.sqrt(np.maximum(np.diag(H), 1e-300))
    ok = bool(np.abs(grad * scale).max() < 1e-6)
    return theta, f, ok, f"Gauss-Newton stopped, largest scaled gradient {np.abs(grad * scale).max():.2g}"


def information(model: Model, theta: np.ndarray, weights: list[np.ndarray], group_w: np.ndarray) -> np.ndarray:
    """sum_g w_g Delta_g' V_g Delta_g (lavaan's least-squares information)."""
    return sum(group_w[g] * model.delta(theta, g).T @ weights[g] @ model.delta(theta, g)
               for g in range(model.n_groups))


def baseline_wls(svecs: list[np.ndarray], weights: list[np.ndarray], group_w: np.ndarray, p: int) -> float:
    """Minimum of the discrepancy for the independence model (diagonal Sigma; free means with a
    mean structure): weighted least squares in the variances (and means), closed form per group."""
    a, b = np.tril_indices(p)
    total = 0.0
    for s, V, w in zip(svecs, weights, group_w):
        E = ((a[:, None] == b[:, None]) & (a[:, None] == np.arange(p)[None])).astype(float)
        if len(s) > len(a):                                        # means: saturated
            E = np.block([[E, np.zeros((len(a), p))], [np.zeros((p, p)), np.eye(p)]])
        d = np.linalg.solve(E.T @ V @ E, E.T @ V @ s)
        r = s - E @ d
        total += w * float(r @ V @ r)
    return total
