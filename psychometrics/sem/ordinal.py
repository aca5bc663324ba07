r"""CFA and SEM with ordered indicators (Likert items): lavaan's WLSMV and ULSMV, one or several
groups, delta or theta parameterization, every observed variable of the model ordinal, listwise or
pairwise.

The steps: per group, the sample statistics are the items' thresholds and polychoric correlations
with their asymptotic covariance :math:`\Gamma_g` (:mod:`psychometrics.measurement.acov`). The
model's latent-response moments :math:`\Sigma^*_g, \mu^*_g` come from the RAM matrices of
:mod:`.model`; with scaling factors :math:`d_j` the model-implied statistics are

.. math:: \tau^*_{jk} = d_j(\tau_{jk} - \mu^*_j), \qquad \rho_{ij} = d_i d_j \Sigma^*_{ij},

with :math:`d_j` a parameter (``~*~``, fixed to 1 unless the thresholds are held equal across
groups) in the delta parameterization, whose residual variances are then not parameters but
:math:`1/d_j^2 - (\Sigma^*_{jj} - \theta_{jj})`; and :math:`d_j = 1/\sqrt{\Sigma^*_{jj}}` in the
theta parameterization, whose residual variances are parameters (fixed to 1 in the first group).
Estimates minimise :math:`\sum_g (n_g - 1) F_g` with the DWLS discrepancy :math:`F_g`
(:mod:`.estimators.dwls`); robust SEs are the sandwich with group weights :math:`f_g = n_g/N`,
divided by :math:`N - G`; :math:`T = \sum_g (n_g - 1) F_g`, with the scaled-shifted statistic on
the stacked groups (lavaan 0.6.14's ``lav_test_satorra_bentler``). Fit measures as lavaan reports
them for categorical data: RMSEA with :math:`N - G` and :math:`\sqrt G`, the baseline model of zero
correlations with free thresholds (and its own scaled-shifted statistic for the scaled CFI and
TLI), and SRMR over each group's correlation matrix (lower triangle with its unit diagonal),
weighted by :math:`f_g`.

Continuous indicators next to ordered ones (lavaan's mixed case): a continuous variable's sample
statistics are minus its mean (in the thresholds' place), its variance and its covariances
(polyserial correlation times its standard deviation with an ordinal item); the model's are
:math:`-\mu^*_j`, :math:`\Sigma^*_{jj}` and :math:`d_i\Sigma^*_{ij}` (:math:`d_j = 1`).

``:=`` parameters get delta-method SEs from the robust covariance. Not yet (each refused with a
message): regressions on observed variables, constraints (==, <, >), continuous variables with
``missing="pairwise"``. ``missing="pairwise"`` as lavaan: thresholds from each item's answers,
polychorics from each pair's, every row in the scores' sums.
R: ``lavaan::cfa(model, data, ordered = items, estimator = "WLSMV", group =, group.equal =,
parameterization =)``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import PsychometricsError, SEMWarning
from .estimators import dwls
from .ordinal_fitmeasures import baseline_statistic, categorical_fit_measures, robust_catml
from .ordinal_model import RAM_OPS, GroupStats, OrdinalModel, block_diagonal
from .partable import build, observed_variables
from .result import SEMResult

#: lavaan's estimators for categorical data: (weight, standard errors, test)
ESTIMATOR_SPEC = {"WLSMV": ("diagonal", "robust.sem", "scaled.shifted"),
                  "WLSM": ("diagonal", "robust.sem", "satorra.bentler"),
                  "DWLS": ("diagonal", "standard", "standard"),
                  "ULSMV": ("identity", "robust.sem", "scaled.shifted"),
                  "ULSM": ("identity", "robust.sem", "satorra.bentler"),
                  "ULS": ("identity", "standard", "standard"),
                  "WLS": ("full", "standard", "standard")}
ORDINAL_ESTIMATORS = tuple(ESTIMATOR_SPEC)
WLS_CLUSTER = ("robust SEs and the scaled test from the cluster-summed scores of the thresholds and polychoric "
               "correlations (lavaan >= 0.7-2; the DWLS weight and the estimates are those without clusters)")


def fit_ordinal(model: str, data: pd.DataFrame, ordered, estimator: str = "WLSMV", std_lv: bool = False,
                level: float = 0.95, missing: str = "listwise", group: str | None = None,
                group_equal: tuple[str, ...] = (), group_partial: tuple[str, ...] = (),
                parameterization: str = "delta", cluster: str | None = None) -> SEMResult:
    """Fit ``model`` with its indicators as ordered categories (see the module docstring)."""
    from ..measurement.acov import acov_parts
    from ..responses.io import data_fingerprint
    from .samplestats import split_groups

    est = str(estimator).upper()
    if est not in ORDINAL_ESTIMATORS:
        raise PsychometricsError(f"estimator={estimator!r} with ordered items: choose WLSMV (lavaan's default), "
                                 f"{', '.join(e for e in ORDINAL_ESTIMATORS if e != 'WLSMV')}")
    if parameterization not in ("delta", "theta"):
        raise PsychometricsError(f"parameterization={parameterization!r}: choose 'delta' (lavaan's default) or 'theta'")
    columns = [str(c) for c in data.columns if c not in (group, cluster)]
    items = observed_variables(model, columns)
    if not items:
        build(model, columns)      # names the unknown variables
    chosen = items if ordered is True else [str(v) for v in ordered]
    unknown = [v for v in chosen if v not in items]
    if unknown:
        raise PsychometricsError(f"ordered={unknown!r}: not observed variables of the model")
    continuous = [v for v in items if v not in chosen]
    ordinal = [v for v in items if v in chosen]
    if missing not in ("listwise", "pairwise"):
        raise PsychometricsError(f"missing={missing!r} with ordered items: choose 'listwise' or 'pairwise' (as lavaan)")
    if continuous and missing == "pairwise":
        raise PsychometricsError(f"missing='pairwise' with continuous indicators ({', '.join(continuous)}) next to "
                                 "ordered ones is not available yet; use listwise")
    labels, gcode = split_groups(data, group)
    X, notes = _ordinal_data(data, items, ordinal, missing)
    gcode = np.asarray(gcode)[data.index.get_indexer(X.index)]
    G = len(labels)
    levels = {v: np.sort(X[v].dropna().unique()) for v in ordinal}
    if G > 1:
        _check_categories(X, ordinal, levels, gcode, labels, group)
    clusters: list[np.ndarray | None] = [None] * G
    if cluster:
        from .samplestats import cluster_codes

        rows = [data.index.get_indexer(X.index[gcode == g]) for g in range(G)]
        clusters = list(cluster_codes(data, cluster, rows, group, None, notes, method=WLS_CLUSTER))
    stats: list[GroupStats] = []
    for g in range(G):
        Xg = X[gcode == g]
        where = f" in group {labels[g]!r}" if G > 1 else ""
        if len(Xg) < 2:
            raise PsychometricsError(f"{len(Xg)} complete row(s){where}: too few to estimate thresholds and "
                                     "polychoric correlations; merge groups or collect more data")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = acov_parts(Xg, items, "pairwise" if missing == "pairwise" else "listwise", continuous, clusters[g])
        for w in caught:           # the matrix's own warning is replaced by one naming the group and items
            if "not positive definite" not in str(w.message):
                warnings.warn(w.message, w.category, stacklevel=3)
        _check_positive_definite(parts.result.rho.to_numpy(), items, where, notes)
        stats.append(_group_stats(Xg, items, continuous, parts, est))
    n_th = {v: len(levels[v]) - 1 for v in ordinal}
    pt = build(model, columns, std_lv=std_lv, n_groups=G, group_equal=tuple(group_equal),
               group_partial=tuple(group_partial), ordered=ordinal, n_thresholds=n_th, parameterization=parameterization)
    if cluster:
        from .samplestats import check_cluster_count

        check_cluster_count(sum(int(c.max()) + 1 for c in clusters if c is not None), pt.n_free, notes)
    if any(r.op == "~" and r.rhs in items for r in pt.rows):
        raise PsychometricsError("regressions on observed variables are not available yet with WLSMV (regress on "
                                 "latent variables, or use a single-indicator latent variable)")
    if pt.constraints:
        raise PsychometricsError("constraints (==, <, >) with ordered items are not available yet")
    om = OrdinalModel(pt, stats)
    theta0 = om.start_values()
    weight, se_type, test = ESTIMATOR_SPEC[est]
    if weight == "full":      # sum_g (n_g - 1) F_g
        c: np.ndarray = block_diagonal([(st.n - 1) * st.weight() for st in stats])
    else:
        c = np.concatenate([(st.n - 1) * st.w for st in stats])
    s_all = np.concatenate([st.s for st in stats])
    theta, T, ok, msg = dwls.fit(om.sigma, om.jacobian, s_all, c, theta0)
    if not ok:
        notes.append(f"the optimiser did not converge ({msg})")
        warnings.warn(f"SEM: {notes[-1]}; estimates are unreliable", SEMWarning, stacklevel=3)
    N = sum(st.n for st in stats)
    f = np.array([st.n / N for st in stats])
    Ds = om.jacobians(theta)
    E = sum(f[g] * Ds[g].T @ stats[g].weigh(Ds[g]) for g in range(G))
    try:
        Ei = np.linalg.inv(E)
    except np.linalg.LinAlgError:
        raise PsychometricsError("the model is not identified (singular information matrix); fix or constrain "
                                 "parameters") from None
    if se_type == "robust.sem":
        B = sum(f[g] * stats[g].weigh(Ds[g]).T @ stats[g].gamma @ stats[g].weigh(Ds[g]) for g in range(G))
        cov = Ei @ B @ Ei / (N - G)               # lavaan 0.6.14: N - G for categorical data
    else:
        cov = Ei / (N - G)
    se_all = np.sqrt(np.maximum(np.diag(cov), 0))
    df = len(s_all) - pt.n_free
    V_all = block_diagonal([f[g] * stats[g].weight() for g in range(G)])
    Gam_all = block_diagonal([stats[g].gamma / f[g] for g in range(G)])
    D_all = np.vstack(Ds)
    # baseline: zero correlations, thresholds (means, variances) free per group
    nth_g = [len(st.s) - len(st.rho) * (len(st.rho) - 1) // 2 for st in stats]
    Db = block_diagonal([np.vstack([np.eye(k), np.zeros((len(st.s) - k, k))]) for st, k in zip(stats, nth_g)])
    Tb = baseline_statistic(stats, nth_g)
    dfb = sum(len(st.s) - k for st, k in zip(stats, nth_g))
    ss: dict | None
    ssb: dict | None
    if test == "scaled.shifted":
        ss, ssb = (dwls.scaled_shifted(T, df, D_all, V_all, Gam_all), dwls.scaled_shifted(Tb, dfb, Db, V_all, Gam_all))
    elif test == "satorra.bentler":
        ss, ssb = (dwls.mean_adjusted(T, df, D_all, V_all, Gam_all), dwls.mean_adjusted(Tb, dfb, Db, V_all, Gam_all))
    else:
        ss = ssb = None
    resid = [om.correlation_residuals(theta, g) for g in range(G)]
    srmr = float(sum(f[g] * math.sqrt(float(e @ e) / (len(items) * (len(items) + 1) / 2)) for g, e in enumerate(resid)))
    fit = categorical_fit_measures(T, df, Tb, dfb, ss, ssb, N, G, pt.n_free, srmr)
    if ss is not None:
        fit.update(robust_catml(om, theta, stats, Ds, Ei, N, bool(continuous)))
        if G > 1 and not np.isfinite(fit["cfi_robust"]) and not continuous:
            notes.append("robust CFI, TLI and RMSEA (Savalei, 2021) are not given with thresholds held equal across "
                         "groups (as lavaan 0.6.14); the scaled ones are")
    if weight == "identity":   # the unweighted statistic is not chi-square distributed (lavaan: no p-value)
        fit["pvalue"] = float("nan")
    params, r2 = _parameter_table(om, theta, se_all, labels, level, cov)
    fp = data_fingerprint(data)
    meta = {"package_version": __version__, "data": fp, "data_sha256": fp["sha256"], "input": "data",
            "estimator": est, "information": "expected",
            "se": "robust.cluster.sem" if cluster and se_type == "robust.sem" else se_type, "test": test,
            "cluster": cluster,
            "missing": missing, "parameterization": parameterization, "ordered": ordinal, "continuous": continuous,
            "model": model,
            "group": group, "group_equal": list(group_equal), "group_partial": list(group_partial),
            "optimizer": msg, "notes": notes}
    implied = pd.DataFrame(om.ram.implied(theta, 0), index=items, columns=items)
    state = {"ordinal": True, "pt": pt, "model": om, "theta": theta, "stats": stats, "labels": labels,
             "group": group, "N": N, "jacobians": Ds, "cov": cov}
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=ok, estimator=est, nobs=N, meta=meta,
                     implied=implied, groups=tuple(labels), group_nobs=tuple(st.n for st in stats), state=state)


def _group_stats(Xg: pd.DataFrame, items: list[str], continuous: list[str], parts, est) -> GroupStats:
    """One group's sample statistics in lavaan's order: thresholds (a continuous variable: minus
    its mean), the continuous variables' variances (N divisor), then the correlations below the
    diagonal (r21, r31, ..., r32, ...), as covariances where a continuous variable is involved.
    The weight comes from the unclustered Gamma, the robust SEs and test from the clustered one
    when there are clusters (lavaan >= 0.7-2)."""
    names, gamma, pc = parts.names, parts.gamma, parts.result
    p = len(items)
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]
    R = pc.rho.to_numpy()
    means = np.array([float(Xg[v].mean()) if v in continuous else 0.0 for v in items])
    sd = np.array([float(Xg[v].std(ddof=0)) if v in continuous else 1.0 for v in items])
    th = np.concatenate([np.asarray(pc.thresholds[v], float) if v not in continuous else [-means[k]]
                         for k, v in enumerate(items)])
    cov = R * np.outer(sd, sd)
    var = [cov[k, k] for k, v in enumerate(items) if v in continuous]
    s = np.concatenate([th, var, [cov[i, j] for i, j in pairs]])
    weight = ESTIMATOR_SPEC[est][0]
    w = np.ones(len(names)) if weight == "identity" else 1 / np.diag(gamma)
    W = None
    if weight == "full":
        try:
            W = np.linalg.inv(gamma)
        except np.linalg.LinAlgError:
            raise PsychometricsError("estimator WLS: the asymptotic covariance of the sample statistics is singular "
                                     "(too few respondents for the number of statistics); use WLSMV") from None
    robust = gamma if parts.gamma_cluster is None else parts.gamma_cluster
    return GroupStats(len(Xg), names, robust, {v: np.asarray(pc.thresholds[v], float) for v in items
                                                  if v not in continuous}, R, w, s, cov, means, W)


def _ordinal_data(data: pd.DataFrame, items: list[str], ordinal: list[str],
                  missing: str) -> tuple[pd.DataFrame, list[str]]:
    """The items as numbers (text is an error, not missing), checked, with listwise or pairwise
    deletion noted."""
    from ..measurement.correlations import MAX_CATEGORIES
    from .samplestats import numeric

    X = pd.DataFrame(numeric(data[items]), columns=items, index=data.index)
    empty = [v for v in items if X[v].isna().all()]
    if empty:
        raise PsychometricsError(f"item(s) {', '.join(empty)} have no answers; leave them out of the model")
    many = [f"{v} ({X[v].nunique()} values)" for v in ordinal if X[v].nunique() > MAX_CATEGORIES]
    if many:
        raise PsychometricsError(f"ordered items may have at most {MAX_CATEGORIES} categories: {', '.join(many)}; "
                                 "collapse categories, or leave the item out of ordered (a continuous indicator)")
    const = [v for v in items if v not in ordinal and X[v].nunique() < 2]
    if const:
        raise PsychometricsError(f"continuous variable(s) {', '.join(const)} are constant; leave them out")
    complete = X.notna().all(axis=1)
    n_all = len(X)
    notes = []
    if missing == "listwise":
        if not complete.all():
            notes.append(f"listwise: {int((~complete).sum())} of {n_all} rows with a missing model variable left out")
        return X[complete], notes
    empty_rows = X.isna().all(axis=1)
    if empty_rows.any():
        notes.append(f"pairwise: {int(empty_rows.sum())} row(s) without any answer left out")
    notes.append(f"pairwise: {int((~complete).sum())} of {n_all} rows incomplete, their answers used")
    return X[~empty_rows], notes


def _check_positive_definite(R: np.ndarray, items: list[str], where: str, notes: list[str]) -> None:
    """A polychoric matrix that is not positive definite (sparse tables, small groups): WLSMV does
    not invert it and still fits, as lavaan; say so, naming the group and the items most involved."""
    vals, vecs = np.linalg.eigh(R)
    if vals[0] > 0:
        return
    top = [items[k] for k in np.argsort(-np.abs(vecs[:, 0]))[:3]]
    notes.append(f"the polychoric correlations{where} are not positive definite (smallest eigenvalue {vals[0]:.3g}; "
                 f"mostly {', '.join(top)})")
    warnings.warn(f"SEM: {notes[-1]}: WLSMV does not need their inverse and fits, but the estimates may be unstable; "
                  "collapse sparse categories of these items, or merge small groups", SEMWarning, stacklevel=4)


def _check_categories(X, items, levels, gcode, labels, group) -> None:
    """Every group must use every category of every item (thresholds are per group and may be
    held equal): name the item, the group and the counts, and say what to do."""
    for v in items:
        for g, lab in enumerate(labels):
            col = X[v][gcode == g].dropna()
            counts = col.value_counts()
            absent = [x for x in levels[v] if x not in counts.index]
            if len(counts) < 2:
                raise PsychometricsError(f"item {v} has a single observed category in group {lab!r} of {group} "
                                         f"({', '.join(f'{x:g}' for x in counts.index) or 'no answers'}): its thresholds "
                                         "cannot be estimated there; leave the item out or merge groups")
            if absent:
                shown = ", ".join(f"{x:g}: {int(counts.get(x, 0))}" for x in levels[v])
                raise PsychometricsError(f"item {v}: category {', '.join(f'{x:g}' for x in absent)} is not used in group "
                                         f"{lab!r} of {group} (counts {shown}); collapse it with a neighbouring "
                                         "category (recode) so that every group uses every category")


def _parameter_table(om: OrdinalModel, theta, se_free, labels, level, cov) -> tuple[pd.DataFrame, dict]:
    from scipy import special

    from .standardize import Standardizer
    from .table import _fixed_value, _table, _wald_ci

    pt, mdl, G = om.pt, om.ram, om.pt.n_groups
    pos = {v: t for t, v in enumerate(om.items)}
    d_g = []
    for g in range(G):           # the latent responses' residual variances into the model (report, std_all)
        resid, d = om.residual_variances(theta, g)
        d_g.append(d)
        if not om.theta_param:
            for t in np.flatnonzero(om.is_ord):
                mdl.S_fixed[g][t, t] = resid[t]
    mdl._last.clear()     # fixed values changed: moments cached at an earlier theta no longer hold
    ram_index = {id(r): k for k, r in enumerate(om.ram_pt.rows)}
    ram_est = np.array([theta[r.free - 1] if r.free else _fixed_value(mdl, k) for k, r in enumerate(om.ram_pt.rows)])
    standardize = Standardizer(om.ram_pt, mdl, ram_est)
    std_lv_r, std_all_r = standardize(theta)
    n = len(pt.rows)
    est, se = np.zeros(n), np.zeros(n)
    std_lv, std_all = np.zeros(n), np.zeros(n)
    for k, r in enumerate(pt.rows):
        g = r.group - 1
        se[k] = se_free[r.free - 1] if r.free else 0.0
        if r.op in RAM_OPS:
            q = ram_index[id(r)]
            est[k], std_lv[k], std_all[k] = ram_est[q], std_lv_r[q], std_all_r[q]
        elif r.op == "|":
            est[k] = theta[r.free - 1] if r.free else (r.value or 0.0)
            std_lv[k] = est[k]
            std_all[k] = est[k] * d_g[g][pos[r.lhs]]
        else:                    # ~*~
            est[k] = theta[r.free - 1] if r.free else d_g[g][pos[r.lhs]]
            std_lv[k], std_all[k] = est[k], 1.0          # lavaan: a scaling factor's std.all is 1
    from .standardize import batched_jacobian, delta_se

    std_at = _std_all_function(om)
    Js = batched_jacobian(std_at, theta)
    std_all_se = delta_se(Js, cov)
    cols: dict = {"lhs": [r.lhs for r in pt.rows], "op": [r.op for r in pt.rows], "rhs": [r.rhs for r in pt.rows],
                  "group": [labels[r.group - 1] if G > 1 else 1 for r in pt.rows], "label": [r.label for r in pt.rows],
                  "free": [r.free for r in pt.rows], "est": est, "se": se, "std_lv": std_lv, "std_all": std_all,
                  "std_all_se": std_all_se}
    if pt.defined:      # ':=' with delta-method SEs from the robust covariance
        from .expressions import defined_function

        defined_at = defined_function(pt)
        Gd = batched_jacobian(defined_at, theta)
        first = np.zeros(pt.n_free, dtype=int)
        for k in range(len(pt.rows) - 1, -1, -1):
            if pt.rows[k].free:
                first[pt.rows[k].free - 1] = k
        nd = len(pt.defined)
        Jd = batched_jacobian(lambda th: defined_at(std_at(th)[:, first]), theta)
        extra = {"lhs": [d.lhs for d in pt.defined], "op": [":="] * nd, "rhs": [d.expression for d in pt.defined],
                 "group": [0] * nd, "label": [d.lhs for d in pt.defined], "free": [0] * nd, "est": defined_at(theta),
                 "se": delta_se(Gd, cov),
                 "std_lv": defined_at(std_lv[first]), "std_all": defined_at(std_all[first]),
                 "std_all_se": delta_se(Jd, cov)}
        cols = {k: (list(v) + list(extra[k])) if isinstance(v, list) else np.concatenate([v, extra[k]])
                for k, v in cols.items()}
    cols["ci_lower"], cols["ci_upper"] = _wald_ci(cols["est"], cols["se"], special.ndtri(1 - (1 - level) / 2))
    r2 = {labels[g]: standardize.r2(theta, g) for g in range(G)}
    return _table(cols), (r2[labels[0]] if G == 1 else r2)


def fit_with_options(model, data, ordered, estimator, std_lv, level, **asked) -> SEMResult:
    """:func:`fit_ordinal` from :func:`~psychometrics.sem.sem`'s options (and the modification
    indices), refusing what it cannot do yet, each with a message naming the option."""
    pending = {"missing='fiml'": asked["missing"] == "fiml", "bootstrap": asked["bootstrap"],
               "sample_cov": asked["sample_cov"] is not None,
               "information": asked["information"] is not None}
    refused = [k for k, v in pending.items() if v]
    if refused:
        raise PsychometricsError(f"{', '.join(refused)} with ordered items: not available yet (WLSMV so far fits "
                                 "listwise or pairwise, from the data)")
    if data is None:
        raise PsychometricsError("ordered items need the data (thresholds and polychoric correlations)")
    if asked["modindices"] and str(estimator).upper() == "WLS":
        raise PsychometricsError("modification indices with estimator WLS are not available; use WLSMV")
    res = fit_ordinal(model, data, ordered, estimator or "WLSMV", std_lv=std_lv, level=level, missing=asked["missing"],
                      group=asked["group"], group_equal=asked["group_equal"], group_partial=asked["group_partial"],
                      parameterization=asked["parameterization"], cluster=asked.get("cluster"))
    if asked["modindices"]:
        from .modindices import ordinal_modification_indices

        res = dataclasses.replace(res, modindices=ordinal_modification_indices(res))
    return res


def _std_all_function(om: OrdinalModel):
    """theta (a stack, T x k) -> std_all of every parameter-table row (T x rows), for the
    delta-method SEs of the standardized solution: the latent responses' residual variances
    (delta: 1/d^2 minus the common part) follow theta as extra parameters of a RAM copy of the
    model; thresholds standardize as tau * d, scaling factors are 1 (as lavaan)."""
    from . import model as _model
    from .standardize import Standardizer
    from .table import _fixed_value

    pt, k = om.pt, om.pt.n_free
    rows = [dataclasses.replace(r) for r in om.ram_pt.rows]
    pos = {v: t for t, v in enumerate(om.items)}
    extra: list[tuple[int, int]] = []                       # (group, item position) of each residual variance that follows theta
    if not om.theta_param:
        for r in rows:
            if r.op == "~~" and r.lhs == r.rhs and r.lhs in pos and om.is_ord[pos[r.lhs]] and not r.free:
                r.free = k + len(extra) + 1
                extra.append((r.group - 1, pos[r.lhs]))
    pt_ext = dataclasses.replace(om.ram_pt, rows=rows, n_free=k + len(extra))
    mdl = _model.Model(pt_ext, [st.cov for st in om.stats], [st.means for st in om.stats])
    fixed = np.array([0.0 if r.free else _fixed_value(mdl, q) for q, r in enumerate(rows)])
    std = Standardizer(pt_ext, mdl, fixed)
    ram_of = {id(r): q for q, r in enumerate(om.ram_pt.rows)}
    order = [("ram", ram_of[id(r)]) if r.op in RAM_OPS else (r.op, q) for q, r in enumerate(pt.rows)]
    ram_cols = np.array([q for kind, q in order if kind == "ram"])
    ram_pos = np.array([i for i, (kind, _) in enumerate(order) if kind == "ram"])
    th_rows = [(i, pt.rows[i]) for i, (kind, _) in enumerate(order) if kind == "|"]
    sc_pos = np.array([i for i, (kind, _) in enumerate(order) if kind == "~*~"], dtype=int)

    def f(thetas: np.ndarray) -> np.ndarray:
        T = len(thetas)
        ext = np.empty((T, k + len(extra)))
        ext[:, :k] = thetas
        out = np.empty((T, len(pt.rows)))
        ds = [om.residuals_and_scales(thetas, g) for g in range(pt.n_groups)]
        for e, (g, j) in enumerate(extra):
            ext[:, k + e] = ds[g][0][:, j]
        for i, r in th_rows:
            tau = thetas[:, r.free - 1] if r.free else (r.value or 0.0)
            out[:, i] = tau * ds[r.group - 1][1][:, pos[r.lhs]]
        _, a = std.batch(ext)
        out[:, ram_pos] = a[:, ram_cols]
        out[:, sc_pos] = 1.0
        return out

    return f
