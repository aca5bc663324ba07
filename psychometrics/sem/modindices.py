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


def modification_indices(pt, ram, theta: np.ndarray, S_obs: np.ndarray, n: int) -> pd.DataFrame:
    names = ram.names
    idx = {v: i for i, v in enumerate(names)}
    A_free = {(i, j) for i, j, k in ram.A_pos}
    S_free = {(min(i, j), max(i, j)) for i, j, k in ram.S_pos}
    cands = []   # (lhs, op, rhs, matrix, i, j)
    for f in pt.latent:
        for v in pt.observed:
            if (idx[v], idx[f]) not in A_free:
                cands.append((f, "=~", v, "A", idx[v], idx[f]))
    obs = pt.observed
    fixed_x = {r.lhs for r in pt.rows if r.fixed_x}
    for a in range(len(obs)):
        for b in range(a + 1, len(obs)):
            i, j = idx[obs[a]], idx[obs[b]]
            if (min(i, j), max(i, j)) not in S_free and obs[a] not in fixed_x and obs[b] not in fixed_x:
                cands.append((obs[a], "~~", obs[b], "S", i, j))
    if not cands:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc"])
    k0 = len(theta)
    ext = _model.RAM(ram.names, ram.n_obs,
                     ram.A_pos + [(i, j, k0 + c) for c, (_, _, _, m, i, j) in enumerate(cands) if m == "A"],
                     ram.S_pos + [(i, j, k0 + c) for c, (_, _, _, m, i, j) in enumerate(cands) if m == "S"],
                     ram.A_fixed, ram.S_fixed, k0 + len(cands))
    th = np.concatenate([theta, np.zeros(len(cands))])
    _, g = _model._objective(ext, S_obs, np.linalg.slogdet(S_obs)[1])(th)
    info = _model.expected_information(ext, th)
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
