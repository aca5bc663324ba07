r"""Reliability of composites in two-level models, as ``semTools::compRelSEM`` computes it for a
fitted two-level lavaan model (Lai, 2021), from a fitted two-level :class:`SEMResult`.

With C_l = Lambda_l Psi_l Lambda_l' the common part of the indicators' covariance at level l
(1 within, 2 between) and S_l the saturated-model (h1) covariance of the indicators at that
level (``obs.var = TRUE``, semTools' default):

- per factor and level (no ``config``/``shared``): omega_l = 1'C_l 1 / 1'S_l 1;
- ``config`` (a factor named the same at both levels, a configural construct):
  omega_W = 1'C_1 1 / 1'S_1 1 and omega_2L = 1'(C_1 + C_2) 1 / 1'(S_1 + S_2) 1;
- ``shared`` (a between-level factor of a shared construct): with n_s = mean(1 / cluster size),
  omega_B = 1'C_2 1 / 1'(n_s S_1 + S_2) 1 and IRR = 1'S_2 1 / 1'(n_s S_1 + S_2) 1.

References
----------
Lai, M. H. C. (2021). Composite reliability of multilevel data: It's about observed scores and
construct meanings. *Psychological Methods*, 26(1), 90-102. Geldhof, G. J., Preacher, K. J., &
Zyphur, M. J. (2014). Reliability estimation in a multilevel confirmatory factor analysis
framework. *Psychological Methods*, 19(1), 72-91.

R: ``semTools::compRelSEM(fit)``, ``compRelSEM(fit, config = "f")``, ``compRelSEM(fit, shared = "fb")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exceptions import PsychometricsError
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable


@dataclass(frozen=True, repr=False)
class MultilevelOmegaResult(ResultBase):
    """Composite reliabilities of a two-level model: ``table`` with one row per group, factor and
    coefficient (``group``, ``factor``, ``coefficient`` -- omega_within, omega_between, omega_W,
    omega_2L, omega_B, IRR -- and ``value``)."""

    table: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"coefficients": len(self.table)}

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> Summary:
        header = [*self.provenance.header(), "omega from the model's common variance over the saturated model's "
                  "variance of the composite, per level (semTools::compRelSEM; Lai, 2021)"]
        return Summary("Multilevel composite reliability", header, [("Reliability", self.table)])

    def to_dict(self) -> dict:
        return jsonable({"reliability": self.table.to_dict(orient="records"), "meta": self.meta})


def _blocks(state: dict, g: int):
    """Per level: (Lambda over the table's observed x latent, Psi, h1 covariance) of group g."""
    mdl, theta = state["model"], state["theta"]
    out = []
    for level in (0, 1):
        b = 2 * g + level
        A, S, _ = mdl.matrices(theta, b)
        p = mdl.n_obs
        M = np.linalg.inv(np.eye(mdl.nv) - A)
        lam = M[:p, p:]                                    # total effects of the latent on the observed
        V = M @ S @ M.T
        out.append((lam, V[p:, p:], state["h1"][g][2 * level]))
    return out


def two_level_omega(result, config: Sequence[str] = (), shared: Sequence[str] = ()) -> MultilevelOmegaResult:
    """Composite reliability of each factor of a two-level model (see the module docstring).

    Parameters
    ----------
    result : SEMResult
        A fitted two-level model (``level:`` syntax with ``cluster=``).
    config : sequence of str
        Factors named the same at both levels (configural constructs): omega_W and omega_2L.
    shared : sequence of str
        Between-level factors of shared constructs: omega_B and IRR.

    Returns
    -------
    MultilevelOmegaResult

    Notes
    -----
    R: ``semTools::compRelSEM(fit, config = ..., shared = ...)``.

    Examples
    --------
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(5)
    >>> codes = np.repeat(np.arange(80), 6)
    >>> f = rng.normal(size=480) + rng.normal(size=80)[codes] * 0.7
    >>> X = f[:, None] * [1.0, 0.9, 0.8] + rng.normal(size=(480, 3)) * 0.6
    >>> df = pd.DataFrame(X, columns=["y1", "y2", "y3"]).assign(school=codes)
    >>> res = pm.sem("level: 1\\n fw =~ y1 + y2 + y3\\nlevel: 2\\n fb =~ y1 + y2 + y3", df, cluster="school")
    >>> two_level_omega(res, shared=["fb"]).table["coefficient"].tolist()
    ['omega_B', 'IRR']
    """
    state = result.state or {}
    if not state.get("two_level"):
        raise PsychometricsError("two_level_omega needs a fitted two-level model (level: syntax with cluster=)")
    pt = state["pt"]
    labels = state["labels"]
    loads: list[dict[str, list[str]]] = [{}, {}]
    for r in pt.rows:
        if r.op == "=~" and r.group <= 2:
            loads[r.level - 1].setdefault(r.lhs, []).append(r.rhs)
    unknown = [f for f in config if not (f in loads[0] and f in loads[1])]
    if unknown:
        raise PsychometricsError(f"config: {', '.join(unknown)} not a factor at both levels; a configural construct "
                                 "has the same name in 'level: 1' and 'level: 2'")
    unknown = [f for f in shared if f not in loads[1]]
    if unknown:
        raise PsychometricsError(f"shared: {', '.join(unknown)} not a between-level factor")
    idx = {v: k for k, v in enumerate(pt.observed)}
    lat = {v: k for k, v in enumerate(pt.latent)}
    rows = []
    for g, lab in enumerate(labels):
        (l1, p1, S1), (l2, p2, S2) = _blocks(state, g)
        ns = state["stats"][g].cluster_size
        n_inv = float(np.mean(1 / ns))

        def common(lam, psi, f, items):
            i, k = [idx[v] for v in items], lat[f]
            v = lam[i, k]
            return float(v.sum() ** 2 * psi[k, k])

        def total(S, items):
            i = [idx[v] for v in items]
            return float(S[np.ix_(i, i)].sum())
        for f in config:
            items = loads[0][f]
            rows += [(lab, f, "omega_W", common(l1, p1, f, items) / total(S1, items)),
                     (lab, f, "omega_2L", (common(l1, p1, f, items) + common(l2, p2, f, items))
                      / (total(S1, items) + total(S2, items)))]
        for f in shared:
            items = loads[1][f]
            denom = n_inv * total(S1, items) + total(S2, items)
            rows += [(lab, f, "omega_B", common(l2, p2, f, items) / denom), (lab, f, "IRR", total(S2, items) / denom)]
        if not config and not shared:
            for level, (lam, psi, S) in ((1, (l1, p1, S1)), (2, (l2, p2, S2))):
                for f, items in loads[level - 1].items():
                    rows.append((lab, f, "omega_within" if level == 1 else "omega_between",
                                 common(lam, psi, f, items) / total(S, items)))
    table = pd.DataFrame(rows, columns=["group", "factor", "coefficient", "value"])
    meta = {**{k: v for k, v in result.meta.items() if k in ("package_version", "data", "data_sha256", "model",
                                                              "cluster", "estimator")},
            "config": list(config), "shared": list(shared)}
    return MultilevelOmegaResult(table, meta)
