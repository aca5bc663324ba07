"""The parameter table as a DataFrame (lavaan's ``parameterEstimates`` columns): fixed values
from the model's matrices, Wald intervals, z and p from est and se."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._frames import columns_frame
from . import model as _model


def _fixed_value(mdl: _model.Model, k: int) -> float:
    g, mat, i, j, _ = mdl.pos[mdl.row_pos[k]]
    return float(mdl.A_fixed[g][i, j] if mat == 0 else mdl.S_fixed[g][i, j] if mat == 1 else mdl.m_fixed[g][i])


def _wald_ci(est: np.ndarray, se: np.ndarray, zq: float) -> tuple[np.ndarray, np.ndarray]:
    ok = se > 0
    return np.where(ok, est - zq * se, est), np.where(ok, est + zq * se, est)


def _table(cols: dict) -> pd.DataFrame:
    """The parameter table with z and p from est and se (columns in lavaan's order)."""
    from scipy import special

    se, e = np.asarray(cols["se"], float), np.asarray(cols["est"], float)
    ok = se > 0
    z = np.where(ok, e / np.where(ok, se, 1), np.nan)
    p = np.where(ok, special.erfc(np.abs(z) / np.sqrt(2)), np.nan)     # 2 * (1 - Phi(|z|))
    order = ["lhs", "op", "rhs", "group", "label", "free", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
             "std_lv", "std_all", "std_all_se"]
    data = {**cols, "est": e, "se": se, "z": z, "pvalue": p}
    # text columns kept as Python objects (pandas 3 would convert them to Arrow strings element by
    # element, a third of a small model's fit time)
    return columns_frame({k: data[k] for k in order}, text=("lhs", "op", "rhs", "label", "group"))


def with_defined(cols: dict, pt, theta: np.ndarray, cov: np.ndarray, std_lv_v: np.ndarray, std_all_v: np.ndarray,
                 Js: np.ndarray) -> dict:
    """``cols`` with the ``:=`` rows appended (group 0): values, delta-method SEs and lavaan's
    standardized values (:func:`psychometrics.sem.standardize.standardized_defined`)."""
    if not pt.defined:
        return cols
    from .expressions import defined_function
    from .standardize import batched_jacobian, delta_se, standardized_defined

    defined_at = defined_function(pt)
    Gd = batched_jacobian(defined_at, theta)
    nd = len(pt.defined)
    extra = {"lhs": [d.lhs for d in pt.defined], "op": [":="] * nd, "rhs": [d.expression for d in pt.defined],
             "group": [0] * nd, "label": [d.lhs for d in pt.defined], "free": [0] * nd, "est": defined_at(theta),
             "se": delta_se(Gd, cov),
             **standardized_defined(pt, defined_at, theta, std_lv_v, std_all_v, Js, cov)}
    return {k: (list(v) + list(extra[k])) if isinstance(v, list) else np.concatenate([v, extra[k]])
            for k, v in cols.items()}

