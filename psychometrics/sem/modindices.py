"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

For each parameter fixed at zero (omitted cross-loadings, residual covariances of observed
variables), the score test of freeing it:

.. math:: MI_k = \\frac{N\\,g_k^2}{4\\,c_k}, \\qquad EPC_k = -\\frac{g_k}{2\\,c_k}, \\qquad
          c_k = I_{kk} - I_{kf} I_{ff}^{-1} I_{fk}

with :math:`g_k = \\partial F_{ML}/\\partial\\theta_k` at the estimates and :math:`I` the unit
expected information of the model extended by all candidates (by missing-data pattern with FIML;
lavaan's ``modindices()`` uses the expected information there too). The standardized EPCs are
lavaan's: ``sepc_lv`` scales a loading's EPC by the factor's model-implied SD, ``sepc_all`` also
divides by the indicator's; a residual covariance's ``sepc_all`` divides by the square root of the
two residual variances (``cov.std = TRUE``) and its ``sepc_lv`` is the EPC itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import model as _model


def modification_indices(pt, mdl: _model.Model, theta: np.ndarray, blocks, c0: float, n: int,
                         labels: list | None = None, S_g: list | None = None,
                         mean_g: list | None = None) -> pd.DataFrame:
    """Score tests for every omitted loading and residual covariance of observed variables, in
    every group (``labels``: the groups' labels for the output, default 1, 2, ...)."""
    idx = {v: i for i, v in enumerate(mdl.names)}
    obs = pt.observed
    fixed_x = set(pt.exo_x)
    # lavaan 0.6's candidates: loadings of every latent variable on observed variables that are
    # neither covariates nor in a regression; residual covariances among observed variables that
    # are neither covariates, nor in a regression without being indicators, nor "orphans" (in no loading and no regression)
    in_regression = {r.lhs for r in pt.rows if r.op == "~"} | {r.rhs for r in pt.rows if r.op == "~"}
    indicators = {r.rhs for r in pt.rows if r.op == "=~"}
    orphans = {v for v in obs if v not in indicators and v not in in_regression and v not in fixed_x}
    regression_only = in_regression - indicators
    cands = []   # (group, lhs, op, rhs, matrix, i, j)
    for g in range(mdl.n_groups):
        used = {(int(mat), int(i), int(j)) for gg, mat, i, j, k in mdl.pos if gg == g}
        used |= {(1, j, i) for mat, i, j in list(used) if mat == 1}
        for f in pt.latent:
            for v in obs:
                if (0, idx[v], idx[f]) not in used and v not in fixed_x and v not in in_regression:
                    cands.append((g, f, "=~", v, "A", idx[v], idx[f]))
        for a in range(len(obs)):
            for b in range(a + 1, len(obs)):
                i, j = idx[obs[a]], idx[obs[b]]
                if ((1, i, j) not in used and not {obs[a], obs[b]} & (fixed_x | orphans | regression_only)):
                    cands.append((g, obs[a], "~~", obs[b], "S", i, j))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"])
    k0 = len(theta)
    ext = _model.Model(pt, S_g or [b.S for b in blocks], mean_g or [b.mean for b in blocks],
                       extra=[(g, m, i, j) for (g, _, _, _, m, i, j) in cands])
    th = np.concatenate([theta, np.zeros(len(cands))])
    _, grad = ext.objective(th, blocks, c0)
    info = ext.expected_information(th, blocks)
    Iff = info[:k0, :k0]
    Ikf = info[k0:, :k0]
    c = np.diag(info[k0:, k0:]) - np.einsum("ij,ij->i", Ikf @ np.linalg.inv(Iff), Ikf)
    gk = grad[k0:]
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = n * gk ** 2 / (4 * c)
        epc = -gk / (2 * c)
    sepc_lv, sepc_all = np.empty(len(cands)), np.empty(len(cands))
    for g in range(mdl.n_groups):
        _, S, _ = mdl.matrices(theta, g)
        sd = np.sqrt(np.maximum(np.diag(mdl.total_cov(theta, g)), 0))
        for t, (gg, _, op, _, _, i, j) in enumerate(cands):
            if gg != g:
                continue
            if op == "=~":                        # A[i, j]: indicator i on factor j
                sepc_lv[t] = epc[t] * sd[j]
                sepc_all[t] = epc[t] * sd[j] / sd[i]
            else:
                sepc_lv[t] = epc[t]
                v = abs(S[i, i] * S[j, j])            # |.|: a Heywood case; 0: a fixed zero variance (NA)
                sepc_all[t] = epc[t] / np.sqrt(v) if v > 0 else np.nan
    # lavaan drops candidates whose information given the model is below eps^(1/3): freeing them
    # is equivalent to a parameter already in the model (e.g. y1 ~~ y2 next to y2 ~ y1)
    keep = c >= np.finfo(float).eps ** (1 / 3)
    cands = [x for x, k in zip(cands, keep) if k]
    mi, epc, sepc_lv, sepc_all = mi[keep], epc[keep], sepc_lv[keep], sepc_all[keep]
    labels = labels or list(range(1, mdl.n_groups + 1))
    out = pd.DataFrame({"lhs": [x[1] for x in cands], "op": [x[2] for x in cands], "rhs": [x[3] for x in cands],
                        "group": [labels[x[0]] for x in cands], "mi": mi, "epc": epc, "sepc_lv": sepc_lv,
                        "sepc_all": sepc_all})
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


def ordinal_modification_indices(res) -> pd.DataFrame:
    r"""Modification indices under DWLS/ULS (ordered items), as lavaan's ``modindices()`` for
    WLSMV: the model extended by every omitted loading and residual covariance of observed
    variables (at 0), the gradient :math:`g = -\sum_g \frac{n_g - 1}{N}\Delta_g'W_g(s_g - \sigma_g)`
    and information :math:`I = \sum_g \frac{n_g}{N}\Delta_g'W_g\Delta_g` there;
    :math:`MI_k = N g_k^2 / c_k`, :math:`EPC_k = -g_k / c_k` with
    :math:`c_k = I_{kk} - I_{kf}I_{ff}^{-1}I_{fk}`. Standardized EPCs scale by the model-implied
    standard deviations of the factor and the latent response (``sepc_all``), or the two
    residual standard deviations (residual covariances)."""
    import copy

    from .ordinal_model import OrdinalModel
    from .partable import Row

    st = res.state
    pt, theta, stats, labels = st["pt"], st["theta"], st["stats"], st["labels"]
    obs, lat = pt.observed, pt.latent
    cands: list[Row] = []
    k0 = pt.n_free
    for g in range(1, pt.n_groups + 1):
        have = {(r.lhs, r.op, r.rhs) for r in pt.rows if r.group == g}
        have |= {(r.rhs, r.op, r.lhs) for r in pt.rows if r.group == g and r.op == "~~"}
        for f in lat:
            for v in obs:
                if (f, "=~", v) not in have:
                    cands.append(Row(f, "=~", v, group=g, free=k0 + len(cands) + 1, user=False))
        for a in range(len(obs)):
            for b in range(a + 1, len(obs)):
                if (obs[a], "~~", obs[b]) not in have:
                    cands.append(Row(obs[a], "~~", obs[b], group=g, free=k0 + len(cands) + 1, user=False))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"])
    pt_ext = copy.copy(pt)
    pt_ext.rows = list(pt.rows) + cands
    pt_ext.n_free = k0 + len(cands)
    om = OrdinalModel(pt_ext, stats)
    th = np.concatenate([theta, np.zeros(len(cands))])
    N = st["N"]
    grad, info = om.score_and_information(th)
    Ikf = info[k0:, :k0]
    c = np.diag(info[k0:, k0:]) - np.einsum("ij,ij->i", Ikf @ np.linalg.inv(info[:k0, :k0]), Ikf)
    gk = grad[k0:]
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = N * gk ** 2 / c
        epc = -gk / c
    fitted = st["model"]
    sepc_lv, sepc_all = np.empty(len(cands)), np.empty(len(cands))
    pos = {v: i for i, v in enumerate(fitted.ram.names)}
    for g in range(pt.n_groups):
        resid, d = fitted.residual_variances(theta, g)
        A, S, _ = fitted.ram.matrices(theta, g)
        S = S.copy()
        S[np.arange(len(obs)), np.arange(len(obs))] = resid
        M = np.linalg.inv(np.eye(len(A)) - A)
        V = M @ S @ M.T
        sd = np.sqrt(np.maximum(np.diag(V), 0))
        for t, r in enumerate(cands):
            if r.group != g + 1:
                continue
            if r.op == "=~":
                i, j = pos[r.rhs], pos[r.lhs]
                sepc_lv[t] = epc[t] * sd[j]
                sepc_all[t] = epc[t] * sd[j] / sd[i]
            else:
                i, j = pos[r.lhs], pos[r.rhs]
                sepc_lv[t] = epc[t]
                v = abs(S[i, i] * S[j, j])
                sepc_all[t] = epc[t] / np.sqrt(v) if v > 0 else np.nan
    keep = c >= np.finfo(float).eps ** (1 / 3)
    rows = [r for r, k in zip(cands, keep) if k]
    out = pd.DataFrame({"lhs": [r.lhs for r in rows], "op": [r.op for r in rows], "rhs": [r.rhs for r in rows],
                        "group": [labels[r.group - 1] if len(labels) > 1 else 1 for r in rows], "mi": mi[keep],
                        "epc": epc[keep], "sepc_lv": sepc_lv[keep], "sepc_all": sepc_all[keep]})
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
