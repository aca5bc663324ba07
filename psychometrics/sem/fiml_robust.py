"""Robust CFI, TLI and RMSEA under FIML: Zhang & Savalei's (2023) FIML-corrected indices, as
lavaan 0.6 reports them for ``missing = "ml"`` (``lav_fit_fiml_corrected``).

The fitted model is re-evaluated, without re-estimation, on the saturated model's EM moments
:math:`(\\tilde S, \\tilde\\mu)` as if they were complete data, giving :math:`X_3` (and
:math:`X_{3,0}` for the FIML baseline model), and the statistic is corrected by

.. math:: \\hat c_3 = k / df,\\qquad
          k = \\operatorname{tr}(W_c W_m^{-1}) - \\operatorname{tr}(\\Delta'W_c\\Delta\\,E^{-1})

(version V6, normal theory, estimator ML) or, with MLR (version V3),

.. math:: k = \\operatorname{tr}(W_c\\Gamma) - 2\\operatorname{tr}(\\Delta'J_mW_m^{-1}W_c\\Delta E^{-1})
          + \\operatorname{tr}(\\Delta'J_m\\Delta E^{-1}\\Delta'W_c\\Delta E^{-1}),\\quad
          \\Gamma = W_m^{-1}J_mW_m^{-1}

with :math:`W_c` the complete-data information of the saturated model at the EM moments, :math:`W_m`
its observed information from the incomplete data and :math:`J_m` its casewise scores'
cross-product, :math:`\\Delta` the model's Jacobian and :math:`E = \\Delta'W_m\\Delta` its
information (lavaan's "h1" observed information; all per unit, groups weighted by n_g/N). The robust
indices are then the usual ones of :math:`X_3` with scaling :math:`\\hat c_3` (and the baseline's).
Everything is in the saturated model's coordinates, which leaves out the fixed covariates' own
moments. Reference: Zhang, X. & Savalei, V. (2023), New computations for RMSEA and CFI following
FIML and TS estimation with missing data, Psychological Methods 28(2), 263-283. R:
``fitMeasures(fit)[c("cfi.robust", "tli.robust", "rmsea.robust")]`` with ``missing = "ml"``.
"""

from __future__ import annotations

import numpy as np

from .model import Block, Model


def _complete_discrepancy(model: Model, theta: np.ndarray, S_list, mean_list, nobs) -> float:
    """N F_ML of the model at theta against moments taken as complete data (chi-square scale)."""
    stat = 0.0
    for g, (S, m, n) in enumerate(zip(S_list, mean_list, nobs)):
        mom = model.moments(theta, g)
        Sigma, mu = mom["Sigma"], mom["mu"]
        Si = np.linalg.inv(Sigma)
        r = m - mu
        stat += n * (np.linalg.slogdet(Sigma)[1] + np.trace(S @ Si) - np.linalg.slogdet(S)[1] - len(S) + r @ Si @ r)
    return float(stat)


def _moment_information(S: np.ndarray) -> np.ndarray:
    """Complete-data unit information of (vech Sigma, mu) at S: 1/2 D'(S^-1 x S^-1)D and S^-1."""
    p = len(S)
    a, b = np.tril_indices(p)
    Si = np.linalg.inv(S)
    c = np.where(a == b, 1.0, 2.0)
    W = 0.25 * c[:, None] * c[None, :] * (Si[a][:, a] * Si[b][:, b] + Si[a][:, b] * Si[b][:, a])
    out = np.zeros((len(a) + p, len(a) + p))
    out[: len(a), : len(a)] = W
    out[len(a):, len(a):] = Si
    return out


def corrected(model: Model, theta: np.ndarray, blocks: list[Block], c0: float,
              S_list, mean_list, nobs, df: int, df_b: int, exo: list[int], robust: bool,
              clusters: list | None = None) -> dict:
    """X3, c3 and the baseline's X3 and c3 (see the module docstring); ``clusters`` (per group,
    the cluster of each row): J_m from the cluster-summed scores, as lavaan's ``cluster =``."""
    from .fiml_hessian import saturated_observed_information
    from .robust import baseline_fiml, first_order, saturated_fiml

    N = sum(nobs)
    fg = np.array(nobs, float) / N
    smodel, th_s = saturated_fiml(model, blocks, c0, exo, (S_list, mean_list))
    # moments = P theta_sat: P (stacked over groups) selects one saturated parameter per moment
    P = np.vstack([smodel.delta(th_s, g) for g in range(model.n_groups)])
    Wc_all = np.zeros((len(P), len(P)))
    i = 0
    for g, S in enumerate(S_list):
        W = _moment_information(S)
        Wc_all[i:i + len(W), i:i + len(W)] = fg[g] * W
        i += len(W)
    Wc = P.T @ Wc_all @ P
    Wm = saturated_observed_information(smodel, th_s, blocks)     # closed form (central differences: 2k gradients)
    Wmi = np.linalg.inv(Wm)

    def delta_sat(mdl: Model, th: np.ndarray) -> np.ndarray:
        return P.T @ np.vstack([mdl.delta(th, g) for g in range(mdl.n_groups)])

    if robust:
        Jm = first_order(smodel.casewise_scores(th_s, blocks), blocks, clusters)
        Gamma = Wmi @ Jm @ Wmi
        tr11 = float(np.sum(Wc * Gamma.T))

        def k_of(D, Ei):
            A = D.T @ Jm @ Wmi @ Wc @ D
            B = D.T @ Jm @ D @ Ei
            C = D.T @ Wc @ D @ Ei
            return tr11 - 2 * float(np.sum(A * Ei.T)) + float(np.sum(B * C.T))
    else:
        tr1 = float(np.sum(Wc * Wmi.T))

        def k_of(D, Ei):
            return tr1 - float(np.sum((D.T @ Wc @ D) * Ei.T))

    # E: lavaan's "h1" observed information, Delta' W_m Delta (not the Hessian)
    D = delta_sat(model, theta)
    x3 = _complete_discrepancy(model, theta, S_list, mean_list, nobs)
    c3 = k_of(D, np.linalg.pinv(D.T @ Wm @ D)) / df if df > 0 else float("nan")
    bmodel, th_b = baseline_fiml(model, blocks, c0, exo, (S_list, mean_list))
    x3_b = _complete_discrepancy(bmodel, th_b, S_list, mean_list, nobs)
    Db = delta_sat(bmodel, th_b)
    c3_b = k_of(Db, np.linalg.pinv(Db.T @ Wm @ Db)) / df_b if df_b > 0 else float("nan")
    return {"x3": x3, "c3": c3, "x3_b": x3_b, "c3_b": c3_b}
