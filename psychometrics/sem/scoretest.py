r"""Score (Lagrange multiplier) tests of equality constraints, as ``lavTestScore``: what releasing
one constraint (or the first k, cumulatively) would gain, from the restricted fit alone.

Equal parameters (shared labels, ``group_equal``) are one parameter in the fit; here every
constrained row gets its own parameter (lavaan's "unco" parameterization), and each equality
becomes a row of :math:`R` (:math:`\theta_{ref} - \theta_{other} = 0`). With the unit score
:math:`g = \partial (\log L / N)/\partial\theta` and the unit expected information :math:`I`, both
at the restricted estimates, the statistic for releasing the constraints in a set :math:`r` is

.. math:: X^2_r = N\, g' Z (Z' I Z)^{-1} Z' g,

with :math:`Z` a basis of the directions that keep the other constraints (the null space of
:math:`R_{-r}`); its degrees of freedom are the number released. The total test releases every
constraint (:math:`X^2 = N g' I^{-1} g`).

References
----------
Rao, C. R. (1948); Sörbom, D. (1989). Model modification. *Psychometrika*, 54, 371-384.
R: ``lavaan::lavTestScore(fit, univariate = TRUE, cumulative = TRUE)``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import PsychometricsError
from . import model as _model
from .compare import chisq_sf
from .result import SEMResult


def _unconstrained(res: SEMResult, fixed_rows: Sequence[int] = ()):
    """The fit in lavaan's unconstrained parameterization: every free row (and each of
    ``fixed_rows``, a fixed parameter to be tested for release) its own parameter, and the matrix
    R of the constraints that give the fit back."""
    st = res.state
    if not st:
        raise PsychometricsError("score tests need the fitted model's state (fit it with sem() or cfa())")
    pt = st["pt"]
    if pt.constraints:
        raise PsychometricsError("score tests of general constraints (a + b == 1, a > 0) are not available yet; "
                                 "they are computed for equal parameters (labels, group_equal)")
    rows = [k for k, r in enumerate(pt.rows) if r.free]
    pt_u = copy.deepcopy(pt)
    for u, k in enumerate(rows):
        pt_u.rows[k].free = u + 1
    extra = [k for k in fixed_rows if not pt.rows[k].free]
    for u, k in enumerate(extra):
        pt_u.rows[k].free = len(rows) + u + 1
    pt_u.n_free = len(rows) + len(extra)
    theta = np.array([st["theta"][pt.rows[k].free - 1] for k in rows]
                     + [float(pt.rows[k].value or 0.0) for k in extra])
    mdl: Any
    if st.get("ordinal"):
        from .ordinal_model import OrdinalModel

        mdl = OrdinalModel(pt_u, st["stats"])
    else:
        mdl = _model.Model(pt_u, st["S"], st["means"])
    # constraints: the rows sharing one free parameter, the first of them the reference
    shared: dict[int, list[int]] = {}
    for u, k in enumerate(rows):
        shared.setdefault(pt.rows[k].free, []).append(u)
    R, which = [], []
    for members in shared.values():
        for o in members[1:]:
            row = np.zeros(len(rows))
            row[members[0]], row[o] = 1.0, -1.0
            R.append(row)
            which.append((rows[members[0]], rows[o]))
    R = [np.concatenate([r, np.zeros(len(extra))]) for r in R]
    for u, k in enumerate(extra):          # a fixed parameter: theta_k = its value
        row = np.zeros(len(rows) + len(extra))
        row[len(rows) + u] = 1.0
        R.append(row)
        which.append((k, k))
    return pt, mdl, theta, np.array(R).reshape(-1, len(rows) + len(extra)), which


def _restricted_inverse(info: np.ndarray, R_keep: np.ndarray) -> np.ndarray:
    """Z (Z' I Z)^-1 Z' with Z a basis of the null space of R_keep (lavaan's lav_test_score_iinv)."""
    if not len(R_keep):
        return np.linalg.pinv(info)
    _, s, Vt = np.linalg.svd(R_keep)
    rank = int((s > 1e-10 * max(s.max(initial=0.0), 1.0)).sum())
    Z = Vt[rank:].T
    ZIZ = Z.T @ info @ Z
    # a generalised inverse with MASS::ginv's tolerance (lavaan's): releasing some sets of
    # constraints leaves a direction unidentified, which then adds nothing to the statistic
    out = Z @ np.linalg.pinv(ZIZ, rcond=np.sqrt(np.finfo(float).eps), hermitian=True) @ Z.T
    return 0.5 * (out + out.T)


def constraints(res: SEMResult, fixed_rows: Sequence[int] = ()) -> pd.DataFrame:
    """The equality constraints :func:`score_tests` tests, without the statistics: ``constraint``
    (its index), ``lhs``, ``op``, ``rhs`` and ``group`` of the released member (then the fixed
    parameters of ``fixed_rows``, rows of the parameter table)."""
    pt, _, _, _, which = _unconstrained(res, fixed_rows)
    labels = res.groups
    return pd.DataFrame([{"constraint": r, "lhs": pt.rows[b].lhs, "op": pt.rows[b].op, "rhs": pt.rows[b].rhs,
                          "group": labels[pt.rows[b].group - 1] if len(labels) > 1 else 1}
                         for r, (_, b) in enumerate(which)], columns=["constraint", "lhs", "op", "rhs", "group"])


def score_tests(res: SEMResult, only: list[int] | None = None, fixed_rows: Sequence[int] = ()) -> dict:
    r"""Univariate, cumulative and total score tests of the equality constraints of a fit.

    Parameters
    ----------
    res : SEMResult
        A fit with equal parameters (``group_equal`` or shared labels), ML or MLR, or WLSMV/ULSMV
        (ordered items: the DWLS gradient :math:`-\sum_g \frac{n_g - 1}{N}\Delta_g'W_g(s_g -
        \sigma_g)` and information :math:`\sum_g \frac{n_g}{N}\Delta_g'W_g\Delta_g`, as
        lavaan).
    only : list of int, optional
        Test only these constraints (indices into the ``constraints`` table); the others stay.
    fixed_rows : list of int, optional
        Parameter-table rows of fixed parameters to test for release as well (lavaan's
        ``lavTestScore(add = )``), e.g. the later groups' item intercepts fixed to 0 in an ordinal
        scalar model; they follow the equality constraints in the table.

    Returns
    -------
    dict
        ``constraints`` (one row per equality: ``lhs``, ``op``, ``rhs``, ``group`` of the released
        member and ``ref_group``, ``x2``, ``df``, ``p``), ``cumulative`` (releasing the largest first:
        ``x2``, ``df``, ``p`` after each), ``total`` (all released).

    Notes
    -----
    R: ``lavTestScore(fit, cumulative = TRUE)`` (its ``uni``, ``cumulative`` and ``test``); under
    MLR the standard statistic is given here (lavaan adds scaled versions).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psychometrics.sem import cfa
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=400)
    >>> d = pd.DataFrame({f"y{j}": 0.7 * f + rng.normal(scale=0.6, size=400) for j in range(1, 5)})
    >>> d["g"] = np.repeat(["a", "b"], 200)
    >>> t = score_tests(cfa("F =~ y1 + y2 + y3 + y4", d, group="g", group_equal="loadings"))
    >>> len(t["constraints"]), int(t["total"]["df"])
    (3, 3)
    """
    if res.estimator not in ("ML", "MLR", "WLSMV", "ULSMV", "WLSM", "ULSM", "DWLS", "ULS"):
        raise PsychometricsError(f"score tests with estimator {res.estimator} are not available; use ML or MLR "
                                 "(ordered items: WLSMV)")
    pt, mdl, theta, R, which = _unconstrained(res, fixed_rows)
    if not len(R):
        raise PsychometricsError("the model has no equality constraints to test")
    st = res.state or {}
    N = st["N"]
    if st.get("ordinal"):
        g, info = mdl.score_and_information(theta)
    else:
        blocks = st["blocks"]
        _, grad = mdl.objective(theta, blocks)
        g = -0.5 * grad                              # d(log L / N) / d theta (F = -2 log L / N + const)
        info = mdl.expected_information(theta, blocks)
    labels = res.groups
    idx = list(range(len(R))) if only is None else list(only)
    rows = []
    for r in idx:
        keep = np.delete(R, r, axis=0)
        x2 = float(N * g @ _restricted_inverse(info, keep) @ g)
        ref, other = (pt.rows[k] for k in which[r])
        rows.append({"constraint": r, "lhs": other.lhs, "op": other.op, "rhs": other.rhs,
                     "group": labels[other.group - 1] if len(labels) > 1 else 1,
                     "ref_group": labels[ref.group - 1] if len(labels) > 1 else 1,
                     "x2": x2, "df": 1, "p": chisq_sf(x2, 1)})
    uni = pd.DataFrame(rows, columns=["constraint", "lhs", "op", "rhs", "group", "ref_group", "x2", "df", "p"])
    order = uni.sort_values("x2", ascending=False, kind="stable")["constraint"].tolist()
    cum = []
    for j in range(1, len(order) + 1):
        keep = np.delete(R, order[:j], axis=0)
        x2 = float(N * g @ _restricted_inverse(info, keep) @ g)
        cum.append({"constraint": order[j - 1], "x2": x2, "df": j, "p": chisq_sf(x2, j)})
    cumulative = pd.DataFrame(cum, columns=["constraint", "x2", "df", "p"])
    all_keep = np.delete(R, idx, axis=0)
    x2 = float(N * g @ _restricted_inverse(info, all_keep) @ g)
    return {"constraints": uni, "cumulative": cumulative, "total": {"x2": x2, "df": len(idx), "p": chisq_sf(x2, len(idx))}}
