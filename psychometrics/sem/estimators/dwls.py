r"""Diagonally weighted least squares on polychoric sample statistics (lavaan's WLSMV, ULSMV).

With sample statistics :math:`s` (thresholds, polychoric correlations), their asymptotic
covariance :math:`\Gamma` (:mod:`psychometrics.measurement.acov`) and the weight
:math:`W = \operatorname{diag}(\Gamma)^{-1}` (WLSMV) or :math:`W = I` (ULSMV), the estimates minimise

.. math:: F(\theta) = (s - \sigma(\theta))' W (s - \sigma(\theta))

(Gauss-Newton steps :math:`(\Delta' W \Delta)^{-1} \Delta' W (s - \sigma)`). Robust SEs are the
sandwich :math:`(\Delta'W\Delta)^{-1}\Delta'W\Gamma W\Delta(\Delta'W\Delta)^{-1}/(N-1)` and the test
statistic is :math:`T = (N - 1) F` (lavaan 0.6.14 uses N - 1 for categorical data in both), and
the mean-and-variance adjusted (scaled-shifted) one, with
:math:`U = W - W\Delta(\Delta'W\Delta)^{-1}\Delta'W`,

.. math:: T_{ss} = a T + b,\quad a = \sqrt{df / \operatorname{tr}[(U\Gamma)^2]},\quad
          b = df - a \operatorname{tr}(U\Gamma),

reported with lavaan's scaling factor :math:`1/a` and shift :math:`b` (Asparouhov & Muthén, 2010).

References
----------
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least squares
and quadratic estimating equations in latent variable modeling with categorical and continuous
outcomes. Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction. Mplus
technical appendix.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ...exceptions import EstimationError


def fit(sigma: Callable[[np.ndarray], np.ndarray], jacobian: Callable[[np.ndarray], np.ndarray], s: np.ndarray,
        w: np.ndarray, theta0: np.ndarray, tol: float = 1e-10, max_iter: int = 200) -> tuple[np.ndarray, float, bool, str]:
    """Minimise (s - sigma(theta))' diag(w) (s - sigma(theta)) by Gauss-Newton with step halving.
    Returns (theta, F, converged, message)."""
    theta = theta0.copy()
    e = s - sigma(theta)
    F = float(e @ (w * e))
    for it in range(1, max_iter + 1):
        D = jacobian(theta)
        H = D.T @ (w[:, None] * D)
        try:
            step = np.linalg.solve(H, D.T @ (w * e))
        except np.linalg.LinAlgError:
            raise EstimationError("the model is not identified: the weighted Jacobian of the correlations is "
                                  "singular; fix or constrain parameters") from None
        alpha = 1.0
        for _ in range(30):
            cand = theta + alpha * step
            ec = s - sigma(cand)
            Fc = float(ec @ (w * ec))
            if np.isfinite(Fc) and Fc <= F + 1e-15 * (1 + F):
                break
            alpha /= 2
        else:
            return theta, F, False, f"Gauss-Newton stalled after {it} iterations"
        theta, e, moved, F = cand, ec, np.abs(alpha * step).max(), Fc
        if moved < tol:
            return theta, F, True, f"Gauss-Newton converged in {it} iterations"
    return theta, F, False, f"Gauss-Newton stopped after {max_iter} iterations"


def sandwich(D: np.ndarray, W: np.ndarray, gamma: np.ndarray, n: int) -> np.ndarray:
    """Robust covariance of the estimates: (D'WD)^-1 D'W Gamma W D (D'WD)^-1 / n (lavaan: n = N - 1)."""
    A = np.linalg.inv(D.T @ W @ D)
    B = D.T @ W @ gamma @ W @ D
    return A @ B @ A / n


def scaled_shifted(T: float, df: int, D: np.ndarray, W: np.ndarray, gamma: np.ndarray) -> dict:
    """The mean-and-variance adjusted statistic: chisq_scaled, scaling factor 1/a, shift b."""
    if df <= 0:
        return {"chisq_scaled": float("nan"), "chisq_scaling_factor": float("nan"), "chisq_shift_parameters": float("nan")}
    A = np.linalg.inv(D.T @ W @ D) if D.shape[1] else np.zeros((0, 0))
    U = W - W @ D @ A @ D.T @ W
    UG = U @ gamma
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = np.sqrt(df / tr2)
    b = df - a * tr1
    return {"chisq_scaled": float(a * T + b), "chisq_scaling_factor": float(1 / a), "chisq_shift_parameters": float(b)}
