r"""CFA and SEM with ordered indicators (Likert items): lavaan's WLSMV and ULSMV, single group,
delta parameterization, every observed variable of the model ordinal, listwise or pairwise.

The steps: sample statistics are the items' thresholds and polychoric correlations with their
asymptotic covariance (:mod:`psychometrics.measurement.acov`); the model's correlations come from
the RAM moments of :mod:`.model` with the latent responses' variances fixed at 1 (delta
parameterization: residual variances are not parameters; they are reported as
:math:`1 - R^2`); thresholds are saturated (equal to the sample's); estimates, robust SEs and the
scaled-shifted test come from :mod:`.estimators.dwls`. Fit measures as lavaan 0.6.14 reports
them for categorical data: :math:`T = (N-1)F`, RMSEA with N - 1, the baseline model of zero
correlations (with its own scaled-shifted statistic for the scaled CFI and TLI), and SRMR over
the correlation matrix's lower triangle with its unit diagonal.

``:=`` parameters get delta-method SEs from the robust covariance. Not yet (each refused with a
message): several groups, mixed ordinal and continuous indicators, regressions among observed
variables, the theta parameterization, constraints. ``missing="pairwise"`` as lavaan: thresholds
from each item's answers, polychorics from each pair's, every row in the scores' sums.
R: ``lavaan::cfa(model, data, ordered = items, estimator = "WLSMV")``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import PsychometricsError, SEMWarning
from . import model as _model
from .compare import chisq_sf
from .estimators import dwls
from .partable import build, observed_variables
from .result import SEMResult

ORDINAL_ESTIMATORS = ("WLSMV", "ULSMV")


def fit_ordinal(model: str, data: pd.DataFrame, ordered, estimator: str = "WLSMV", std_lv: bool = False,
                level: float = 0.95, missing: str = "listwise") -> SEMResult:
    """Fit ``model`` with its indicators as ordered categories (see the module docstring)."""
    from ..measurement.acov import polychoric_acov
    from ..responses.io import data_fingerprint

    est = str(estimator).upper()
    if est not in ORDINAL_ESTIMATORS:
        raise PsychometricsError(f"estimator={estimator!r} with ordered items: choose WLSMV (lavaan's default) or "
                                 "ULSMV (DWLS, WLS and ML for ordinal items come later)")
    items = observed_variables(model, [str(c) for c in data.columns])
    if not items:
        build(model, [str(c) for c in data.columns])      # names the unknown variables
    chosen = items if ordered is True else [str(v) for v in ordered]
    unknown = [v for v in chosen if v not in items]
    if unknown:
        raise PsychometricsError(f"ordered={unknown!r}: not observed variables of the model")
    continuous = [v for v in items if v not in chosen]
    if continuous:
        raise PsychometricsError(f"mixed ordinal and continuous indicators ({', '.join(continuous)} continuous) are "
                                 "not available yet; give ordered=True to treat every indicator as ordinal")
    if missing not in ("listwise", "pairwise"):
        raise PsychometricsError(f"missing={missing!r} with ordered items: choose 'listwise' or 'pairwise' (as lavaan)")
    from ..measurement.correlations import MAX_CATEGORIES
    from .samplestats import numeric

    X = pd.DataFrame(numeric(data[items]), columns=items, index=data.index)   # text is an error, not missing
    empty = [v for v in items if X[v].isna().all()]
    if empty:
        raise PsychometricsError(f"item(s) {', '.join(empty)} have no answers; leave them out of the model")
    many = [f"{v} ({X[v].nunique()} values)" for v in items if X[v].nunique() > MAX_CATEGORIES]
    if many:
        raise PsychometricsError(f"ordered items may have at most {MAX_CATEGORIES} categories: {', '.join(many)}; "
                                 "collapse categories, or leave the item out of ordered (mixed ordinal and continuous "
                                 "indicators come later)")
    complete = X.notna().all(axis=1)
    n_all = len(X)
    notes = []
    if missing == "listwise":
        Xc = X[complete]
        if not complete.all():
            notes.append(f"listwise: {int((~complete).sum())} of {n_all} rows with a missing model variable left out")
    else:       # thresholds from each item's answers, correlations from each pair's, every row counted
        Xc = X
        empty = X.isna().all(axis=1)
        if empty.any():
            Xc = X[~empty]
            notes.append(f"pairwise: {int(empty.sum())} row(s) without any answer left out")
        notes.append(f"pairwise: {int((~complete).sum())} of {n_all} rows incomplete, their answers used")
    N = len(Xc)
    names, gamma, pc = polychoric_acov(Xc, items, return_result=True,
                                       missing="pairwise" if missing == "pairwise" else "listwise")
    p = len(items)
    n_th = len(names) - p * (p - 1) // 2
    R = pc.rho.to_numpy()
    # the latent responses' variances are fixed at 1 (delta parameterization); the value does not
    # enter the correlations below the diagonal, and is reset to 1 - R^2 for the report
    extra = "\n".join(f"{v} ~~ 1*{v}" for v in items)
    pt = build(model + "\n" + extra, items, std_lv=std_lv)
    if any(r.op == "~" and r.lhs in items and r.rhs in items for r in pt.rows):
        raise PsychometricsError("regressions among observed ordinal variables are not available yet with WLSMV")
    if pt.constraints:
        raise PsychometricsError("constraints (==, <, >) with ordered items are not available yet")
    mdl = _model.Model(pt, [R], [np.zeros(p)])
    block = _model.Block(0, np.arange(p), N, 1.0, R, np.zeros(p))
    theta0 = _model.start_values(pt, mdl, [block])
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]       # lavaan's order: r21, r31, ..., r32
    ra, rb = np.tril_indices(p)
    vech = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(ra, rb))}
    rows = np.array([vech[(i, j)] for i, j in pairs])
    ii, jj = np.array([i for i, _ in pairs]), np.array([j for _, j in pairs])
    r = R[ii, jj]
    w_full = 1 / np.diag(gamma) if est == "WLSMV" else np.ones(len(names))
    w = w_full[n_th:]

    def sigma(th):
        return mdl.implied(th, 0)[ii, jj]

    def jacobian(th):
        return mdl.delta(th, 0)[rows]

    theta, F, ok, msg = dwls.fit(sigma, jacobian, r, w, theta0)
    if not ok:
        notes.append(f"the optimiser did not converge ({msg})")
        warnings.warn(f"SEM: {notes[-1]}; estimates are unreliable", SEMWarning, stacklevel=3)
    k = len(theta)
    D = np.zeros((len(names), n_th + k))
    D[:n_th, :n_th] = np.eye(n_th)
    D[n_th:, n_th:] = jacobian(theta)
    W = np.diag(w_full)
    cov = dwls.sandwich(D, W, gamma, N - 1)         # lavaan 0.6.14: N - 1 for categorical data
    se_all = np.sqrt(np.maximum(np.diag(cov), 0))
    df = len(r) - k
    T = (N - 1) * F
    ss = dwls.scaled_shifted(T, df, D, W, gamma)
    # baseline: zero correlations, thresholds saturated
    Tb = (N - 1) * float(r @ (w * r))
    dfb = len(r)
    ssb = dwls.scaled_shifted(Tb, dfb, D[:, :n_th], W, gamma)
    fit = _fit_measures(T, df, Tb, dfb, ss, ssb, N, n_th + k, F, r - sigma(theta), p)
    if est == "ULSMV":      # the unweighted statistic is not chi-square distributed (lavaan: no p-value)
        fit["pvalue"] = float("nan")
    # residual variances of the latent responses (1 - R^2) into the model, for the report and
    # the standardized solution
    common = mdl.implied(theta, 0).diagonal() - 1.0
    params, r2 = _parameter_table(pt, mdl, theta, se_all[n_th:], items, pc, se_all[:n_th], common, level,
                                  cov[n_th:, n_th:])
    fp = data_fingerprint(data)
    notes.append("standardized SEs (std_all_se) for ordinal indicators come with a later version")
    meta = {"package_version": __version__, "data": fp, "data_sha256": fp["sha256"], "input": "data",
            "estimator": est, "information": "expected", "se": "robust.sem", "test": "scaled.shifted",
            "missing": missing, "parameterization": "delta", "ordered": items, "model": model,
            "optimizer": msg, "notes": notes}
    implied = pd.DataFrame(mdl.implied(theta, 0), index=items, columns=items)
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=ok, estimator=est, nobs=N, meta=meta,
                     implied=implied, groups=("all",), group_nobs=(N,))


def _fit_measures(T, df, Tb, dfb, ss, ssb, N, npar, F, e, p) -> dict:
    from .fitmeasures import _cfi_tli, _rmsea

    def rmsea(t, d):     # lavaan 0.6.14 with categorical data: N - 1
        return _rmsea(t, d, N - 1, 1)["rmsea"]

    cfi, tli = _cfi_tli(T, df, Tb, dfb)
    Ts, Tbs = ss["chisq_scaled"], ssb["chisq_scaled"]
    cfi_s, tli_s = _cfi_tli(Ts, df, Tbs, dfb)
    srmr = math.sqrt(float(e @ e) / (p * (p + 1) / 2))
    return {"npar": npar, "fmin": F / 2 * (N - 1) / N, "chisq": T, "df": df, "pvalue": chisq_sf(T, df),
            "chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": chisq_sf(Ts, df),
            "chisq_scaling_factor": ss["chisq_scaling_factor"], "chisq_shift_parameters": ss["chisq_shift_parameters"],
            "baseline_chisq": Tb, "baseline_df": dfb, "baseline_chisq_scaled": Tbs,
            "cfi": cfi, "tli": tli, "rmsea": rmsea(T, df), "cfi_scaled": cfi_s, "tli_scaled": tli_s,
            "rmsea_scaled": rmsea(Ts, df), "srmr": srmr, "ntotal": N}


def _parameter_table(pt, mdl, theta, se_free, items, pc, se_th, common, level,
                     cov) -> tuple[pd.DataFrame, dict]:
    from scipy import special

    from .standardize import Standardizer
    from .table import _fixed_value, _table, _wald_ci

    pos = {v: t for t, v in enumerate(items)}
    for k, r in enumerate(pt.rows):        # the latent responses' residual variances: 1 - R^2
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in pos and not r.free:
            mdl._set_fixed(mdl.pos[mdl.row_pos[k]], 1.0 - common[pos[r.lhs]])
    est = np.array([theta[r.free - 1] if r.free else _fixed_value(mdl, k) for k, r in enumerate(pt.rows)])
    se = np.array([se_free[r.free - 1] if r.free else 0.0 for r in pt.rows])
    standardize = Standardizer(pt, mdl, est)
    std_lv, std_all = standardize(theta)
    th = [(v, t + 1, float(x)) for v in items for t, x in enumerate(pc.thresholds[v])]
    cols: dict = {"lhs": [r.lhs for r in pt.rows] + [v for v, _, _ in th],
            "op": [r.op for r in pt.rows] + ["|"] * len(th),
            "rhs": [r.rhs for r in pt.rows] + [f"t{t}" for _, t, _ in th],
            "group": [1] * (len(pt.rows) + len(th)), "label": [r.label for r in pt.rows] + [""] * len(th),
            "free": [r.free for r in pt.rows] + [pt.n_free + t + 1 for t in range(len(th))],
            "est": np.concatenate([est, [x for _, _, x in th]]), "se": np.concatenate([se, se_th]),
            "std_lv": np.concatenate([std_lv, [x for _, _, x in th]]),
            "std_all": np.concatenate([std_all, [x for _, _, x in th]]),
            "std_all_se": np.full(len(pt.rows) + len(th), np.nan)}
    if pt.defined:      # ':=' with delta-method SEs from the robust covariance
        from .expressions import defined_function
        from .standardize import batched_jacobian

        defined_at = defined_function(pt)
        Gd = batched_jacobian(defined_at, theta)
        first = np.zeros(pt.n_free, dtype=int)
        for k in range(len(pt.rows) - 1, -1, -1):
            if pt.rows[k].free:
                first[pt.rows[k].free - 1] = k
        nd = len(pt.defined)
        extra = {"lhs": [d.lhs for d in pt.defined], "op": [":="] * nd, "rhs": [d.expression for d in pt.defined],
                 "group": [0] * nd, "label": [d.lhs for d in pt.defined], "free": [0] * nd, "est": defined_at(theta),
                 "se": np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Gd, cov, Gd), 0)),
                 "std_lv": defined_at(std_lv[first]), "std_all": defined_at(std_all[first]),
                 "std_all_se": np.full(nd, np.nan)}
        cols = {k: (list(v) + list(extra[k])) if isinstance(v, list) else np.concatenate([v, extra[k]])
                for k, v in cols.items()}
    cols["ci_lower"], cols["ci_upper"] = _wald_ci(cols["est"], cols["se"], special.ndtri(1 - (1 - level) / 2))
    return _table(cols), standardize.r2(theta, 0)
