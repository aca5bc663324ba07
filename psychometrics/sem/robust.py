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
trace uses each variable's available cases, as lavaan's ``missing = "ml"`` with MLR. With fixed
exogenous covariates (``fixed.x``) the saturated model's moments among the covariates (their
means and covariances) are left out of A_1 and B_1, and the covariates out of the baseline's
trace, as lavaan masks them. References:
Yuan & Bentler (2000), Sociological Methodology 30, 165-200;
Muthen & Muthen, Mplus technical appendices. R: ``lavaan::sem(..., estimator = "MLR")``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..exceptions import EstimationError
from .model import Block, Model, fit_ml, start_values


def _saturated_block_trace(X: np.ndarray) -> float:
    """The covariance part of tr(A1^-1 B1) of a saturated model of X: 1/2 (mean d^2 - p)."""
    z = X - X.mean(axis=0)
    d = ((z @ np.linalg.inv(z.T @ z / len(X))) * z).sum(axis=1)
    return 0.5 * (float(np.mean(d ** 2)) - X.shape[1])


def _kurtosis_terms(X: np.ndarray, exo: Sequence[int] = (), free_x: Sequence[int] = ()) -> tuple[float, float]:
    """Complete data: the covariance part of tr(A1^-1 B1) of the saturated model and of the
    independence model. Without covariates the first is 1/2 (mean d^2 - p); with fixed covariates
    the moments among them are masked, so A1 and B1 are formed over the others (vech of the
    covariance matrix: A1 = 1/2 D'(S^-1 x S^-1)D, scores 1/2 D' vec(S^-1 z z' S^-1 - S^-1))."""
    z = X - X.mean(axis=0)
    S = z.T @ z / len(X)
    Si = np.linalg.inv(S)
    p = X.shape[1]
    kappa = (z ** 4).mean(axis=0) / np.diag(S) ** 2
    keep_var = np.setdiff1d(np.arange(p), list(exo) + list(free_x))
    base = float(0.5 * (kappa[keep_var] - 1).sum())
    if len(free_x) > 1:        # fixed_x=False: the baseline keeps the covariates' covariances (as lavaan)
        base += _saturated_block_trace(X[:, list(free_x)])
    elif len(free_x) == 1:
        base += float(0.5 * (kappa[list(free_x)] - 1).sum())
    if not len(exo):
        d = ((z @ Si) * z).sum(axis=1)
        return 0.5 * (np.mean(d ** 2) - p), base
    a, b = np.tril_indices(p)
    ex = np.zeros(p, dtype=bool)
    ex[list(exo)] = True
    keep = ~(ex[a] & ex[b])
    a, b = a[keep], b[keep]
    c = np.where(a == b, 0.5, 1.0)
    A1 = c[:, None] * c[None, :] * (Si[a][:, a] * Si[b][:, b] + Si[a][:, b] * Si[b][:, a])
    Y = z @ Si
    sc = c * (Y[:, a] * Y[:, b] - Si[a, b])
    B1 = sc.T @ sc / len(X)
    return float(np.trace(np.linalg.solve(A1, B1))), base


def _rowsum(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Scores summed within clusters (codes 0..C-1)."""
    out = np.zeros((int(codes.max()) + 1, scores.shape[1]))
    np.add.at(out, codes, scores)
    return out


def _cluster_cross(scores: np.ndarray, codes: np.ndarray, correct: bool = True) -> np.ndarray:
    """The cluster sums' cross-product (times n): with the small-sample factor C/(C-1) for a
    model's first-order information (lavaan's ``lav_mvnorm_information_firstorder``), without it
    for the saturated model's Gamma (``lav_samplestats_Gamma``)."""
    Sc = _rowsum(scores, codes)
    C = len(Sc)
    return (C / (C - 1) if correct else 1.0) * Sc.T @ Sc


def first_order(per_block: list[np.ndarray], blocks: list[Block], clusters: list[np.ndarray] | None) -> np.ndarray:
    """The first-order information (unit): the casewise scores' mean cross-product, or with
    ``clusters`` their cluster sums' (:func:`clustered_B`)."""
    N = sum(b.n for b in blocks)
    if clusters is not None:
        return clustered_B(per_block, blocks, clusters) / N
    scores = np.vstack(per_block)
    return scores.T @ scores / N


def clustered_B(per_block: list[np.ndarray], blocks: list[Block], clusters: list[np.ndarray]) -> np.ndarray:
    """N times the clustered first-order information: per group, the scores of all its blocks
    (missing-data patterns) summed within clusters, with the group's C/(C-1) (``clusters``: per
    group, the cluster code of each of its rows; a block's ``rows`` index them)."""
    out = np.zeros((per_block[0].shape[1],) * 2)
    for g, codes in enumerate(clusters):
        mine = [(sc, b) for sc, b in zip(per_block, blocks) if b.group == g]
        if not mine:
            continue
        assert all(b.rows is not None for _, b in mine)
        out += _cluster_cross(np.vstack([sc for sc, _ in mine]), np.concatenate([codes[b.rows] for _, b in mine]))
    return out


def _cluster_traces(X: np.ndarray, codes: np.ndarray, exo: Sequence[int], meanstructure: bool,
                    free_x: Sequence[int] = ()) -> tuple[float, float]:
    """Complete data with clusters: tr(A1^-1 B1) of the saturated model at the sample moments with
    B1 from the cluster-summed casewise scores (means: S^-1 z; covariances: 1/2 D' vec(S^-1 z z'
    S^-1 - S^-1)), and the same for the independence model (each variable's mean z_j/s_jj and
    variance (z_j^2 - s_jj)/(2 s_jj^2)); returns (saturated trace, saturated minus independence).
    Without clusters these are the closed forms of :func:`_kurtosis_terms` (plus p for the means)."""
    n, p = X.shape
    z = X - X.mean(axis=0)
    S = z.T @ z / n
    Si = np.linalg.inv(S)
    ex = np.zeros(p, dtype=bool)
    ex[list(exo)] = True
    a, b = np.tril_indices(p)
    keep = ~(ex[a] & ex[b])
    a, b = a[keep], b[keep]
    c = np.where(a == b, 0.5, 1.0)
    A1 = c[:, None] * c[None, :] * (Si[a][:, a] * Si[b][:, b] + Si[a][:, b] * Si[b][:, a])
    Y = z @ Si
    h1 = float(np.trace(np.linalg.solve(A1, _cluster_cross(c * (Y[:, a] * Y[:, b] - Si[a, b]), codes) / n)))
    ne = np.flatnonzero(~ex)
    fx = [j for j in free_x if not ex[j]] if len(free_x) > 1 else []
    ind = np.setdiff1d(ne, fx)                 # variables the baseline takes as independent
    s = np.diag(S)[ind]
    zb = z[:, ind]
    Bv = np.diag(_cluster_cross((zb ** 2 - s) / (2 * s ** 2), codes)) / n
    base = float(np.sum(2 * s ** 2 * Bv))
    if meanstructure:
        h1 += float(np.trace(np.linalg.solve(Si[np.ix_(ne, ne)], _cluster_cross(Y[:, ne], codes) / n)))
        base += float(np.sum(s * np.diag(_cluster_cross(zb / s, codes)) / n))
    if fx:                  # fixed_x=False: the covariates' block is saturated in the baseline (as lavaan)
        base += _cluster_traces(X[:, fx], codes, (), meanstructure)[0]
    return h1, h1 - base


def _fixed_moments_model(model: Model, syntax: str, exo: Sequence[int], moments: tuple[list, list] | None,
                         mark) -> tuple:
    """A model over the same observed variables from ``syntax`` (mean structure, same groups), with
    the rows ``mark(row, covariates)`` selects fixed at the given moments (EM estimates)."""
    from .partable import build

    obs = model.pt.observed
    pt = build(syntax, obs, meanstructure=True, n_groups=model.n_groups)
    xs = {obs[k] for k in exo}
    for r in pt.rows:
        if mark(r, xs):
            r.free, r.fixed_x = 0, True
    order = sorted({r.free for r in pt.rows if r.free})
    remap = {old: i + 1 for i, old in enumerate(order)}
    for r in pt.rows:
        r.free = remap.get(r.free, 0)
    pt.n_free = len(order)
    S_fix, m_fix = moments if moments is not None else ([np.eye(len(obs))] * model.n_groups,
                                                        [np.zeros(len(obs))] * model.n_groups)
    return pt, Model(pt, S_fix, m_fix)


def _at_moments(pt, moments: tuple[list, list]) -> np.ndarray:
    """Parameters of the saturated model at given moments (the EM estimates are its ML solution,
    so Fisher scoring only polishes them)."""
    S_list, m_list = moments
    idx = {v: i for i, v in enumerate(pt.observed)}
    theta = np.zeros(pt.n_free)
    for r in pt.rows:
        if r.free:
            g = r.group - 1
            theta[r.free - 1] = m_list[g][idx[r.lhs]] if r.op == "~1" else S_list[g][idx[r.lhs], idx[r.rhs]]
    return theta


def saturated_fiml(model: Model, blocks: list[Block], c0: float, exo: Sequence[int] = (),
                   moments: tuple[list, list] | None = None) -> tuple[Model, np.ndarray]:
    """The saturated model (means and covariances per group; the covariates' own moments fixed,
    masked as lavaan does) fitted by FIML: its model and estimates (the EM moments). The same
    variables, groups, covariates and data (by content) are fitted once (the steps of an
    invariance sequence share it)."""
    from .blockkey import blocks_key

    key = (tuple(model.pt.observed), model.n_groups, tuple(exo), float(c0), blocks_key(blocks, 0, 0.0),
           None if moments is None else tuple(np.asarray(a).tobytes() for m in moments for a in m))
    hit = _SATURATED.get(key)
    if hit is not None:
        return hit[0], hit[1].copy()
    smodel, th = _saturated_fiml(model, blocks, c0, exo, moments)
    if len(_SATURATED) >= 16:
        _SATURATED.pop(next(iter(_SATURATED)))
    _SATURATED[key] = (smodel, th.copy())
    return smodel, th


_SATURATED: dict[tuple, tuple] = {}


def _saturated_fiml(model: Model, blocks: list[Block], c0: float, exo: Sequence[int],
                    moments: tuple[list, list] | None) -> tuple[Model, np.ndarray]:
    obs = model.pt.observed
    syntax = "\n".join([f"{a} ~~ " + " + ".join(obs[i + 1:]) for i, a in enumerate(obs[:-1])]
                       + [f"{a} ~ 1" for a in obs])
    sat, smodel = _fixed_moments_model(model, syntax, exo, moments,
                                       lambda r, xs: r.lhs in xs and (r.op == "~1" or r.rhs in xs))
    th, _, ok, msg = fit_ml(smodel, blocks, _at_moments(sat, moments) if moments is not None
                            else start_values(sat, smodel, blocks), c0)
    if not ok:
        raise EstimationError(f"MLR with FIML: the saturated model did not converge ({msg})")
    return smodel, th


def baseline_fiml(model: Model, blocks: list[Block], c0: float, exo: Sequence[int] = (),
                  moments: tuple[list, list] | None = None) -> tuple[Model, np.ndarray]:
    """The independence (baseline) model fitted by FIML: free means and variances, no covariances,
    except among the covariates (fixed at their moments, as lavaan's baseline with fixed.x)."""
    obs = model.pt.observed
    xs = [obs[k] for k in exo]
    lines = [f"{a} ~~ {a}" for a in obs] + [f"{a} ~ 1" for a in obs]
    lines += [f"{a} ~~ {b}" for i, a in enumerate(xs) for b in xs[i + 1:]]
    _, bmodel = _fixed_moments_model(model, "\n".join(lines), exo, moments,
                                     lambda r, x: r.lhs in x and (r.op == "~1" or r.rhs in x))
    pt = bmodel.pt
    th, _, ok, msg = fit_ml(bmodel, blocks, start_values(pt, bmodel, blocks), c0)
    if not ok:
        raise EstimationError(f"FIML baseline model did not converge ({msg})")
    return bmodel, th


def _fiml_traces(model: Model, blocks: list[Block], c0: float, exo: Sequence[int] = (),
                 moments: tuple[list, list] | None = None, clusters: list[np.ndarray] | None = None) -> tuple[float, float]:
    """Incomplete data: tr(A1^-1 B1) of the saturated model (means and covariances per group) at its
    ML (EM) estimates, with A1 its observed information and B1 its casewise scores' cross-product;
    and the independence model's trace from each variable's available cases,
    :math:`\\sum_j [1 + \\tfrac12(\\kappa_j - 1)]`."""
    obs = model.pt.observed
    smodel, th = saturated_fiml(model, blocks, c0, exo, moments)
    per_block = smodel.casewise_scores(th, blocks)
    from .fiml_hessian import saturated_observed_information

    B1 = first_order(per_block, blocks, clusters)
    h1 = float(np.trace(np.linalg.solve(saturated_observed_information(smodel, th, blocks), B1)))
    base = 0.0
    for g in range(model.n_groups):
        mine = [b for b in blocks if b.group == g]
        X = np.vstack([_pad(b, len(obs)) for b in mine])
        codes = np.concatenate([clusters[g][b.rows] for b in mine]) if clusters is not None else None
        for j in range(len(obs)):
            if j in exo:
                continue
            seen = ~np.isnan(X[:, j])
            z = X[seen, j] - X[seen, j].mean()
            v = (z ** 2).mean()
            if codes is None:
                base += 1 + 0.5 * ((z ** 4).mean() / v ** 2 - 1)
            else:      # the independence model's own clustered trace: mean and variance scores of the answers
                sc = np.column_stack([z / v, (z ** 2 - v) / (2 * v ** 2)])
                Bc = _cluster_cross(sc, codes[seen])
                base += float(Bc[0, 0] * v + Bc[1, 1] * 2 * v ** 2) / len(z)
    return h1, base


def _pad(b: Block, p: int) -> np.ndarray:
    out = np.full((b.n, p), np.nan)
    out[:, b.obs] = b.X
    return out


def mlr(model: Model, blocks: list[Block], theta: np.ndarray, A: np.ndarray, df: int, df_b: int,
        Ainv: np.ndarray | None = None, fiml_c0: float | None = None, exo: Sequence[int] = (),
        moments: tuple[list, list] | None = None, clusters: list[np.ndarray] | None = None,
        free_x: Sequence[int] = ()) -> dict:
    """Sandwich covariance of the estimates, scores' B, and the scaling factors of the model and
    baseline. ``Ainv``: the inverse to use for A (under constraints, the bordered inverse);
    ``fiml_c0``: incomplete data (FIML), with the discrepancy's constant; ``exo``: indices of the
    fixed exogenous covariates; ``moments``: the saturated moments per group (FIML: EM);
    ``clusters``: per group the cluster codes of its rows (lavaan's ``cluster =``: scores summed
    within clusters, with the factor C/(C - 1) in each group; FIML too)."""
    N = sum(b.n for b in blocks)
    B = first_order(model.casewise_scores(theta, blocks), blocks, clusters)
    Ainv = np.linalg.inv(A) if Ainv is None else Ainv
    cov = Ainv @ B @ Ainv / N
    if fiml_c0 is not None:
        h1, base_trace = _fiml_traces(model, blocks, fiml_c0, exo, moments, clusters)
        base = h1 - base_trace
    elif clusters is not None:
        h1, base = 0.0, 0.0
        for b in blocks:
            assert b.X is not None and b.rows is not None
            t_h1, t_base = _cluster_traces(b.X, clusters[b.group][b.rows], exo, model.meanstructure, free_x)
            h1, base = h1 + t_h1, base + t_base
    else:
        h1, base = 0.0, 0.0
        for b in blocks:
            assert b.X is not None   # complete-data blocks keep their rows
            t_h1, t_b = _kurtosis_terms(b.X, exo, free_x)
            h1 += t_h1 + (len(b.obs) - len(exo) if model.meanstructure else 0)
            base += t_h1 - t_b
    trace = h1 - float(np.sum(B * Ainv.T))
    c = trace / df if df > 0 else float("nan")
    c_b = base / df_b if df_b > 0 else float("nan")
    return {"cov": cov, "B": B, "scaling": c, "scaling_baseline": c_b}
