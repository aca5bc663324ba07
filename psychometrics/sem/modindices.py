"""Modification indices and expected parameter changes (lavaan's ``modindices()``).

For each parameter fixed at zero (omitted cross-loadings, residual covariances of observed
variables), the score test of freeing it:

.. math:: MI_k = \\frac{N\\,g_k^2}{4\\,c_k}, \\qquad EPC_k = -\\frac{g_k}{2\\,c_k}, \\qquad
          c_k = I_{kk} - I_{kf} I_{ff}^{-1} I_{fk}

with :math:`g_k = \\partial F_{ML}/\\partial\\theta_k` at the estimates and :math:`I` the unit
expected information of the model extended by all candidates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import model as _model


def modification_indices(pt, mdl: _model.Model, theta: np.ndarray, blocks, c0: float, n: int) -> pd.DataFrame:
    idx = {v: i for i, v in enumerate(mdl.names)}
    used = {(int(mat), int(i), int(j)) for g, mat, i, j, k in mdl.pos}
    used |= {(1, j, i) for mat, i, j in list(used) if mat == 1}
    cands = []   # (lhs, op, rhs, matrix, i, j)
    for f in pt.latent:
        for v in pt.observed:
            if (0, idx[v], idx[f]) not in used:
                cands.append((f, "=~", v, "A", idx[v], idx[f]))
    obs = pt.observed
    fixed_x = set(pt.exo_x)
    for a in range(len(obs)):
        for b in range(a + 1, len(obs)):
            i, j = idx[obs[a]], idx[obs[b]]
            if (1, i, j) not in used and obs[a] not in fixed_x and obs[b] not in fixed_x:
                cands.append((obs[a], "~~", obs[b], "S", i, j))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc"])
    k0 = len(theta)
    S_g = [b.S for b in blocks]
    mean_g = [b.mean for b in blocks]
    ext = _model.Model(pt, S_g, mean_g, extra=[(0, m, i, j) for (_, _, _, m, i, j) in cands])
    th = np.concatenate([theta, np.zeros(len(cands))])
    _, g = ext.objective(th, blocks, c0)
    info = ext.expected_information(th, blocks)
    Iff = info[:k0, :k0]
    Ikf = info[k0:, :k0]
    c = np.diag(info[k0:, k0:]) - np.einsum("ij,ij->i", Ikf @ np.linalg.inv(Iff), Ikf)
    gk = g[k0:]
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = n * gk ** 2 / (4 * c)
        epc = -gk / (2 * c)
    out = pd.DataFrame({"lhs": [x[0] for x in cands], "op": [x[1] for x in cands], "rhs": [x[2] for x in cands],
                        "group": 1, "mi": mi, "epc": epc})
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
