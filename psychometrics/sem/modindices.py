"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

For each parameter fixed at zero (omitted cross-loadings, residual covariances of observed
variables), the score test of freeing it:

.. math:: MI_k = \\frac{N\\,g_k^2}{4\\,c_k}, \\qquad EPC_k = -\\frac{g_k}{2\\,c_k}, \\qquad
          c_k = I_{kk} - I_{kf} I_{ff}^{-1} I_{fk}

with :math:`g_k = \\partial F_{ML}/\\partial\\theta_k` at the estimates and :math:`I` the unit
expected information of the model extended by all candidates (by missing-data pattern with FIML;
lavaan's ``modindices()`` uses the expected information there too).
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
    cands = []   # (group, lhs, op, rhs, matrix, i, j)
    for g in range(mdl.n_groups):
        used = {(int(mat), int(i), int(j)) for gg, mat, i, j, k in mdl.pos if gg == g}
        used |= {(1, j, i) for mat, i, j in list(used) if mat == 1}
        for f in pt.latent:
            for v in obs:
                if (0, idx[v], idx[f]) not in used:
                    cands.append((g, f, "=~", v, "A", idx[v], idx[f]))
        for a in range(len(obs)):
            for b in range(a + 1, len(obs)):
                i, j = idx[obs[a]], idx[obs[b]]
                if (1, i, j) not in used and obs[a] not in fixed_x and obs[b] not in fixed_x:
                    cands.append((g, obs[a], "~~", obs[b], "S", i, j))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc"])
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
    labels = labels or list(range(1, mdl.n_groups + 1))
    out = pd.DataFrame({"lhs": [x[1] for x in cands], "op": [x[2] for x in cands], "rhs": [x[3] for x in cands],
                        "group": [labels[x[0]] for x in cands], "mi": mi, "epc": epc})
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
