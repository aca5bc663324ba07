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
technical appendix. Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample
analysis of moment structures. In Heijmans, Pollock & Satorra (Eds.), *Innovations in Multivariate
Statistical Analysis* (pp. 233-247). Kluwer.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ...exceptions import EstimationError


def fit(sigma: Callable[[np.ndarray], np.ndarray], jacobian: Callable[[np.ndarray], np.ndarray], s: np.ndarray,
        w: np.ndarray, theta0: np.ndarray, tol: float = 1e-10, max_iter: int = 200) -> tuple[np.ndarray, float, bool, str]:
    """Minimise (s - sigma(theta))' W (s - sigma(theta)) by Gauss-Newton with step halving, W =
    diag(w) for a vector ``w`` or the matrix ``w`` (WLS). Returns (theta, F, converged, message)."""
    full = w.ndim == 2

    def wx(x):
        return w @ x if full else (w * x if x.ndim == 1 else w[:, None] * x)

    theta = theta0.copy()
    e = s - sigma(theta)
    F = float(e @ wx(e))
    for it in range(1, max_iter + 1):
        D = jacobian(theta)
        H = D.T @ wx(D)
        try:
            step = np.linalg.solve(H, D.T @ wx(e))
        except np.linalg.LinAlgError:
            raise EstimationError("the model is not identified: the weighted Jacobian of the correlations is "
                                  "singular; fix or constrain parameters") from None
        alpha = 1.0
        for _ in range(30):
            cand = theta + alpha * step
            ec = s - sigma(cand)
            Fc = float(ec @ wx(ec))
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
    if df <= 0:     # a saturated model (df 0): nothing to scale; lavaan reports its statistic, 0
        return {"chisq_scaled": float(T) if df == 0 else float("nan"), "chisq_scaling_factor": float("nan"),
                "chisq_shift_parameters": float("nan")}
    A = np.linalg.inv(D.T @ W @ D) if D.shape[1] else np.zeros((0, 0))
    U = W - W @ D @ A @ D.T @ W
    UG = U @ gamma
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = np.sqrt(df / tr2)
    b = df - a * tr1
    return {"chisq_scaled": float(a * T + b), "chisq_scaling_factor": float(1 / a), "chisq_shift_parameters": float(b)}


def mean_adjusted(T: float, df: int, D: np.ndarray, W: np.ndarray, gamma: np.ndarray) -> dict:
    r"""The mean-adjusted (Satorra-Bentler) statistic of WLSM/ULSM: :math:`T / c` with
    :math:`c = \operatorname{tr}(U\Gamma)/df`, U as for :func:`scaled_shifted`."""
    if df <= 0:
        return {"chisq_scaled": float(T) if df == 0 else float("nan"), "chisq_scaling_factor": float("nan")}
    A = np.linalg.inv(D.T @ W @ D) if D.shape[1] else np.zeros((0, 0))
    U = W - W @ D @ A @ D.T @ W
    c = float(np.sum(U * gamma.T)) / df
    return {"chisq_scaled": float(T / c), "chisq_scaling_factor": c}


def satorra2000(D1: list[np.ndarray], D0: list[np.ndarray], W: list[np.ndarray], gamma: list[np.ndarray],
                f: np.ndarray, T0: float, T1: float, m: int) -> dict:
    r"""The scaled-shifted difference test of nested DWLS models (Satorra, 2000; lavaan's
    ``lavTestLRT`` default for WLSMV, ``method = "satorra.2000"``).

    With the larger model's Jacobians :math:`\Pi_g` and information
    :math:`P = \sum_g f_g \Pi_g' W_g \Pi_g`, the restrictions' directions :math:`A` (the orthogonal
    complement of :math:`\Pi^+ \Delta_0`, ``A.method = "delta"``, from the Jacobians of both
    models at their estimates) and :math:`M = P^{-1}A'(AP^{-1}A')^{+}AP^{-1}`,
    :math:`U = V \Pi M \Pi' V` (:math:`V = \operatorname{bdiag}(W_g)`) and
    :math:`\Gamma_f = \operatorname{bdiag}(f_g \Gamma_g)`:

    .. math:: a = \sqrt{m / \operatorname{tr}[(U\Gamma_f)^2]},\quad
              b = m - a \operatorname{tr}(U\Gamma_f),\quad T_d = a (T_0 - T_1) + b \sim \chi^2_m.

    ``D1``/``D0``: per group, the larger (1) and restricted (0) model's Jacobians of the sample
    statistics; ``W``: per group the diagonal weights; ``gamma``: per group N x the statistics'
    asymptotic covariance; ``f``: n_g / N.
    """
    P = sum(f[g] * D1[g].T @ (W[g][:, None] * D1[g]) for g in range(len(D1)))
    Pi = np.linalg.pinv(P)
    H = np.linalg.pinv(np.vstack(D1)) @ np.vstack(D0)
    Uh, sv, _ = np.linalg.svd(H, full_matrices=True)
    rank = int((sv > 1e-8 * max(sv.max(initial=0.0), 1.0)).sum())
    A = Uh[:, rank:].T                        # the directions the restrictions remove
    M = Pi @ A.T @ np.linalg.pinv(A @ Pi @ A.T) @ A @ Pi
    Pi_all = np.vstack(D1)
    w_all = np.concatenate(W)
    U = (w_all[:, None] * Pi_all) @ M @ (Pi_all.T * w_all[None, :])
    k = np.cumsum([0] + [len(x) for x in W])
    UG = np.zeros_like(U)
    for g in range(len(W)):
        UG[:, k[g]:k[g + 1]] = U[:, k[g]:k[g + 1]] @ (f[g] * gamma[g])
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = math.sqrt(m / tr2)
    b = m - a * tr1
    return {"chisq_diff": float((T0 - T1) * a + b), "df_diff": m, "a": a, "b": b, "trace_ugamma": tr1,
            "trace_ugamma2": tr2}
