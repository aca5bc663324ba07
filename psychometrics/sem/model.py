"""Model-implied covariances in RAM form and maximum-likelihood estimation.

All variables (observed and latent) form one vector; ``A`` holds directed effects (loadings,
regressions: ``A[i, j]`` is the effect of j on i), ``S`` (co)variances of residuals and
exogenous variables, ``F`` selects the observed ones:

.. math:: \\Sigma(\\theta) = F (I - A)^{-1} S (I - A)^{-T} F'

ML minimises :math:`F_{ML} = \\log|\\Sigma| + \\operatorname{tr}(S_{obs}\\Sigma^{-1}) - \\log|S_{obs}| - p`
(sample covariance with divisor N, as lavaan's ``likelihood = "normal"``) with the analytic
gradient :math:`\\partial F/\\partial S = G'WG`, :math:`\\partial F/\\partial A = 2 G'WGSM'`,
where :math:`M = (I-A)^{-1}`, :math:`G = FM`, :math:`W = \\Sigma^{-1} - \\Sigma^{-1}S_{obs}\\Sigma^{-1}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..exceptions import EstimationError
from .partable import ParTable


@dataclass
class RAM:
    names: list[str]          # observed first, then latent
    n_obs: int
    A_pos: list[tuple[int, int, int]]    # (row, col, free index or -1) for directed effects
    S_pos: list[tuple[int, int, int]]
    A_fixed: np.ndarray
    S_fixed: np.ndarray
    n_free: int

    def __post_init__(self):
        # index arrays of the free positions, so filling matrices and summing derivatives is vectorised
        a = np.array([(i, j, k) for i, j, k in self.A_pos if k >= 0], dtype=int).reshape(-1, 3)
        s = np.array([(i, j, k) for i, j, k in self.S_pos if k >= 0], dtype=int).reshape(-1, 3)
        self._ai, self._aj, self._ak = a[:, 0], a[:, 1], a[:, 2]
        self._si, self._sj, self._sk = s[:, 0], s[:, 1], s[:, 2]
        self._s_mult = np.where(self._si == self._sj, 1.0, 2.0)

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        A, S = self.A_fixed.copy(), self.S_fixed.copy()
        A[self._ai, self._aj] = theta[self._ak]
        S[self._si, self._sj] = theta[self._sk]
        S[self._sj, self._si] = theta[self._sk]
        return A, S

    def collect(self, dA: np.ndarray, dS: np.ndarray, n: int) -> np.ndarray:
        """Gradient with respect to theta from derivatives with respect to A and (symmetric) S."""
        g = np.bincount(self._ak, weights=dA[self._ai, self._aj], minlength=n)
        g += np.bincount(self._sk, weights=self._s_mult * dS[self._si, self._sj], minlength=n)
        return g

    def implied(self, theta: np.ndarray) -> np.ndarray:
        A, S = self.matrices(theta)
        M = np.linalg.inv(np.eye(len(A)) - A)
        G = M[: self.n_obs]
        return G @ S @ G.T

    def total_cov(self, theta: np.ndarray) -> np.ndarray:
        """Model-implied covariance of all variables, latent included."""
        A, S = self.matrices(theta)
        M = np.linalg.inv(np.eye(len(A)) - A)
        return M @ S @ M.T


def build_ram(pt: ParTable, S_obs: np.ndarray) -> RAM:
    names = pt.observed + pt.latent
    idx = {v: i for i, v in enumerate(names)}
    n = len(names)
    A_fixed, S_fixed = np.zeros((n, n)), np.zeros((n, n))
    A_pos, S_pos = [], []
    obs_idx = {v: i for i, v in enumerate(pt.observed)}
    for r in pt.rows:
        k = r.free - 1 if r.free else -1
        if r.op == "=~":
            i, j = idx[r.rhs], idx[r.lhs]
            A_pos.append((i, j, k))
            if k < 0:
                A_fixed[i, j] = r.value
        elif r.op == "~":
            i, j = idx[r.lhs], idx[r.rhs]
            A_pos.append((i, j, k))
            if k < 0:
                A_fixed[i, j] = r.value if r.value is not None else 0.0
        elif r.op == "~~":
            i, j = idx[r.lhs], idx[r.rhs]
            S_pos.append((i, j, k))
            if k < 0:
                v = S_obs[obs_idx[r.lhs], obs_idx[r.rhs]] if r.fixed_x else (r.value or 0.0)
                S_fixed[i, j] = S_fixed[j, i] = v
    return RAM(names, len(pt.observed), A_pos, S_pos, A_fixed, S_fixed, pt.n_free)


def start_values(pt: ParTable, ram: RAM, S_obs: np.ndarray) -> np.ndarray:
    """Simple starting values in the spirit of lavaan's: loadings 1 (or from the marker's
    covariances), regressions 0, residual variances half the observed variance, latent
    variances from their first indicator, covariances 0."""
    theta = np.zeros(pt.n_free)
    set_ = np.zeros(pt.n_free, dtype=bool)
    obs = {v: i for i, v in enumerate(pt.observed)}
    marker = {}
    for r in pt.rows:
        if r.op == "=~" and r.lhs not in marker:
            marker[r.lhs] = r.rhs
    for r in pt.rows:
        if not r.free or set_[r.free - 1]:
            continue
        k = r.free - 1
        if r.value is not None:
            theta[k] = r.value
        elif r.op == "=~":
            m = marker[r.lhs]
            if m in obs and r.rhs in obs and m != r.rhs:
                c = S_obs[obs[r.rhs], obs[m]] / max(S_obs[obs[m], obs[m]] * 0.5, 1e-8)
                theta[k] = c if np.isfinite(c) and abs(c) < 10 else 1.0
            else:
                theta[k] = 1.0 if m != r.rhs else (np.sqrt(S_obs[obs[m], obs[m]] * 0.5) if m in obs else 1.0)
        elif r.op == "~~" and r.lhs == r.rhs:
            if r.lhs in obs:
                theta[k] = 0.5 * S_obs[obs[r.lhs], obs[r.lhs]]
            else:
                m = marker.get(r.lhs)
                theta[k] = 0.5 * S_obs[obs[m], obs[m]] if m in obs else 0.05
        set_[k] = True
    return theta


def _objective(ram: RAM, S_obs: np.ndarray, logdetS: float):
    p = S_obs.shape[0]
    I = np.eye(len(ram.names))

    def f_and_g(theta):
        A, S = ram.matrices(theta)
        try:
            M = np.linalg.inv(I - A)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(theta)
        G = M[: ram.n_obs]
        Sigma = G @ S @ G.T
        try:  # Cholesky: a determinant can be positive with two negative eigenvalues
            L = np.linalg.cholesky(Sigma)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(theta)
        logdet = 2 * np.log(np.diag(L)).sum()
        Si = np.linalg.inv(Sigma)
        F = logdet + np.trace(S_obs @ Si) - logdetS - p
        W = Si - Si @ S_obs @ Si
        GWG = G.T @ W @ G
        return F, ram.collect(2 * GWG @ S @ M.T, GWG, len(theta))
    return f_and_g


def fit_ml(ram: RAM, S_obs: np.ndarray, theta0: np.ndarray, tol: float = 1e-8,
           max_iter: int = 500, warm: bool = False) -> tuple[np.ndarray, float, bool, str]:
    """Minimise F_ML: cheap L-BFGS iterations (gradient only) to get close, then Fisher scoring
    (expected Hessian 2 I(theta)) with step halving to converge tightly.
    Returns (theta, F_ML, converged, message)."""

    logdetS = np.linalg.slogdet(S_obs)[1]
    f_and_g = _objective(ram, S_obs, logdetS)
    F, g = f_and_g(theta0)
    if not np.isfinite(F):
        raise EstimationError("estimation failed: the model-implied covariance matrix is not positive definite "
                              "at the starting values; check the model or give start values")
    if warm:  # a start near the optimum (bootstrap draws): Fisher scoring alone
        theta = theta0
    else:
        res = optimize.minimize(f_and_g, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 200})
        theta = res.x if np.isfinite(res.fun) and res.fun <= F else theta0
        F, g = f_and_g(theta)
    for it in range(max_iter):
        info = expected_information(ram, theta)
        try:
            step = np.linalg.solve(2 * info, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(2 * info, g, rcond=None)[0]
        alpha, improved = 1.0, False
        for _ in range(12):
            cand = theta - alpha * step
            Fc, gc = f_and_g(cand)
            if np.isfinite(Fc) and Fc <= F + 1e-15:
                improved = True
                break
            alpha /= 2
        if not improved:
            break
        dF = F - Fc
        theta, F, g = cand, Fc, gc
        if np.abs(g).max() < tol or (dF < 1e-15 and np.abs(g).max() < 1e-6):
            return theta, float(F), True, f"Fisher scoring converged in {it + 1} iterations"
    ok = bool(np.abs(g).max() < 1e-6)
    return theta, float(F), ok, f"Fisher scoring stopped, largest gradient {np.abs(g).max():.2g}"


def jacobian(ram: RAM, theta: np.ndarray) -> np.ndarray:
    """Analytic dSigma/dtheta as a stack (npar, p, p): with M = (I - A)^-1, G = F M, H = M S G',
    dSigma/dA_ij = G_i H_j' + H_j G_i' and dSigma/dS_ij = G_i G_j' + G_j G_i' (i != j), G_i G_i'."""
    A, S = ram.matrices(theta)
    M = np.linalg.inv(np.eye(len(A)) - A)
    G = M[: ram.n_obs]
    H = (M @ S @ G.T)               # n x p
    p = ram.n_obs
    D = np.zeros((len(theta), p, p))
    OA = G[:, ram._ai].T[:, :, None] * H[ram._aj][:, None, :]          # one outer product per A position
    np.add.at(D, ram._ak, OA + OA.transpose(0, 2, 1))
    OS = G[:, ram._si].T[:, :, None] * G[:, ram._sj].T[:, None, :]
    OS = np.where((ram._si == ram._sj)[:, None, None], OS, OS + OS.transpose(0, 2, 1))
    np.add.at(D, ram._sk, OS)
    return D


def expected_information(ram: RAM, theta: np.ndarray) -> np.ndarray:
    """Unit expected information of ML: I_kl = 1/2 tr(Sigma^-1 dSigma_k Sigma^-1 dSigma_l)."""
    Si = np.linalg.inv(ram.implied(theta))
    U = Si @ jacobian(ram, theta)    # (npar, p, p)
    k = U.shape[0]
    # tr(U_a U_b) = sum_ij U_a[i, j] U_b[j, i]: one matrix product (BLAS) instead of an einsum
    return 0.5 * (U.reshape(k, -1) @ U.transpose(0, 2, 1).reshape(k, -1).T)
