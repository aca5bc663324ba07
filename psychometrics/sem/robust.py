"""Robust ML (lavaan's ``estimator = "MLR"``): Huber-White standard errors and the Yuan-Bentler
scaled chi-square in its Mplus variant.

.. math:: \\widehat{\\operatorname{Cov}}(\\hat\\theta) = \\frac{1}{N} A^{-1} B A^{-1},\\qquad
          c = \\frac{\\operatorname{tr}(A_1^{-1}B_1) - \\operatorname{tr}(B A^{-1})}{df},\\qquad
          T_{scaled} = T / c

A is the unit observed information of the model (lavaan's MLR default), B the mean cross-product
of the casewise scores; A_1, B_1 the same for the saturated model at the sample moments, where for
complete data :math:`\\operatorname{tr}(A_1^{-1}B_1) = \\tfrac12(\\overline{d^2} - p)\\,[+\\,p]` with
:math:`d_i = (x_i-\\bar x)'S^{-1}(x_i-\\bar x)` (the mean part, p, with a mean structure). The
baseline (independence) model's factor is the same with the diagonal model, whose trace term is
:math:`\\sum_j \\tfrac12(\\kappa_j - 1)\\,[+\\,p]` with :math:`\\kappa_j` the j-th standardized
fourth moment. With FIML (incomplete data) A_1 and B_1 belong to the saturated model at its EM
estimates (observed information, casewise scores by missing-data pattern) and the baseline's
trace uses each variable's available cases, as lavaan's ``missing = "ml"`` with MLR. References:
Yuan & Bentler (2000), Sociological Methodology 30, 165-200;
Muthen & Muthen, Mplus technical appendices. R: ``lavaan::sem(..., estimator = "MLR")``.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import EstimationError
from .model import Block, Model, fit_ml, start_values


def _kurtosis_terms(X: np.ndarray) -> tuple[float, float]:
    z = X - X.mean(axis=0)
    S = z.T @ z / len(X)
    d = np.einsum("ij,jk,ik->i", z, np.linalg.inv(S), z)
    p = X.shape[1]
    h1 = 0.5 * (np.mean(d ** 2) - p)
    kappa = (z ** 4).mean(axis=0) / np.diag(S) ** 2
    return h1, float(0.5 * (kappa - 1).sum())


def _fiml_traces(model: Model, blocks: list[Block], c0: float) -> tuple[float, float]:
    """Incomplete data: tr(A1^-1 B1) of the saturated model (means and covariances per group) at its
    ML (EM) estimates, with A1 its observed information and B1 its casewise scores' cross-product;
    and the independence model's trace from each variable's available cases,
    :math:`\\sum_j [1 + \\tfrac12(\\kappa_j - 1)]`."""
    from .partable import build

    obs = model.pt.observed
    syntax = "\n".join([f"{a} ~~ " + " + ".join(obs[i + 1:]) for i, a in enumerate(obs[:-1])]
                       + [f"{a} ~ 1" for a in obs])
    sat = build(syntax, obs, meanstructure=True, n_groups=model.n_groups)
    smodel = Model(sat, [np.eye(len(obs))] * model.n_groups, [np.zeros(len(obs))] * model.n_groups)
    th, _, ok, msg = fit_ml(smodel, blocks, start_values(sat, smodel, blocks), c0)
    if not ok:
        raise EstimationError(f"MLR with FIML: the saturated model did not converge ({msg})")
    N = sum(b.n for b in blocks)
    s1 = np.vstack(smodel.casewise_scores(th, blocks))
    h1 = float(np.trace(np.linalg.solve(smodel.observed_information(th, blocks, c0), s1.T @ s1 / N)))
    base = 0.0
    for g in range(model.n_groups):
        X = np.vstack([_pad(b, len(obs)) for b in blocks if b.group == g])
        for j in range(len(obs)):
            col = X[:, j][~np.isnan(X[:, j])]
            z = col - col.mean()
            base += 1 + 0.5 * ((z ** 4).mean() / (z ** 2).mean() ** 2 - 1)
    return h1, base


def _pad(b: Block, p: int) -> np.ndarray:
    out = np.full((b.n, p), np.nan)
    out[:, b.obs] = b.X
    return out


def mlr(model: Model, blocks: list[Block], theta: np.ndarray, A: np.ndarray, df: int, df_b: int,
        Ainv: np.ndarray | None = None, fiml_c0: float | None = None) -> dict:
    """Sandwich covariance of the estimates, scores' B, and the scaling factors of the model and
    baseline. ``Ainv``: the inverse to use for A (under constraints, the bordered inverse);
    ``fiml_c0``: incomplete data (FIML), with the discrepancy's constant."""
    N = sum(b.n for b in blocks)
    scores = np.vstack(model.casewise_scores(theta, blocks))
    B = scores.T @ scores / N
    Ainv = np.linalg.inv(A) if Ainv is None else Ainv
    cov = Ainv @ B @ Ainv / N
    if fiml_c0 is not None:
        h1, base_trace = _fiml_traces(model, blocks, fiml_c0)
        base = h1 - base_trace
    else:
        h1, base = 0.0, 0.0
        for b in blocks:
            t_h1, t_b = _kurtosis_terms(b.X)
            h1 += t_h1 + (len(b.obs) if model.meanstructure else 0)
            base += t_h1 - t_b
    trace = h1 - float(np.sum(B * Ainv.T))
    c = trace / df if df > 0 else float("nan")
    c_b = base / df_b if df_b > 0 else float("nan")
    return {"cov": cov, "B": B, "scaling": c, "scaling_baseline": c_b}
