"""Two-level CFA/SEM (``level: 1`` / ``level: 2`` syntax with ``cluster=``), fitted as lavaan 0.6.14
fits it with ``estimator = "ML"``: the steps of :func:`psychometrics.sem.sem` for a two-level
parameter table (parse -> parameter table -> cluster statistics -> saturated model -> estimate ->
observed information -> parameters -> fit statistics).

- The saturated (h1) model, unrestricted Sigma_W and Sigma_B with the means, is fitted by the same
  likelihood; its estimates give the values of the fixed.x covariates (as lavaan's EM estimates
  do) and the SRMR's sample side, its log-likelihood the chi-square's reference.
- The baseline model is lavaan's: variances only (and the means) at both levels, the fixed.x
  covariates' block kept at their h1 values (with fixed_x=False the covariates' covariances free).
- SEs from the observed information (lavaan's default for two-level models: the Hessian of the
  log-likelihood, here by central differences of the analytic gradient, as lavaan's).
- ``logl`` is conditional on the fixed.x covariates (less lavaan's ``loglik.x``); AIC and BIC use
  the number of respondents; RMSEA uses N and SRMR is lavaan's ``srmr_within + srmr_between``
  (correlation residuals per level against the h1 estimates).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import EstimationError, PsychometricsError, SEMWarning
from .levels import build_two_level
from .model import Block, Model, start_values
from .options import split_option
from .partable import ParTable
from .result import SEMResult
from .twolevel import TwoLevelObjective, minimise
from .twolevel_stats import ClusterStats, cluster_column, cluster_stats


def from_sem_options(model, data, cluster, *, ordered, bootstrap, bollen_stine, modindices, sample_cov, meanstructure,
               group_equal, group_partial, estimator, **kw) -> SEMResult:
    """A model with ``level:`` blocks: the options two-level ML does not take are refused by name."""
    if not cluster:
        raise PsychometricsError("the model has 'level:' blocks: give the column of the clusters, cluster='school' "
                                 "(--cluster school), for a two-level model")
    refused = [name for name, value in (("ordered", ordered not in (None, False)), ("bootstrap", bootstrap),
                                        ("bollen_stine", bollen_stine), ("modindices", modindices),
                                        ("sample_cov", sample_cov is not None), ("meanstructure=False",
                                                                                 meanstructure is False)) if value]
    if refused:
        raise PsychometricsError(f"{', '.join(refused)} with a two-level model is not available yet (two-level models "
                                 "are fitted by ML on the raw data, SEs from the observed information)")
    return fit_two_level(model, data, cluster, estimator=estimator or "ML", group_equal=split_option(group_equal),
                         group_partial=split_option(group_partial), **kw)


def _baseline_syntax(pt: ParTable, exo_values) -> str:
    """lavaan's two-level baseline: variances only (and the means), with the fixed.x covariates'
    covariances and means fixed at ``exo_values`` = (within cov, within mean, between cov, between
    mean) (p x p, p; the table's observed order)."""
    idx = {v: k for k, v in enumerate(pt.observed)}
    text = []
    for level in (1, 2):
        names = pt.level_observed[level - 1]
        text.append(f"level: {level}")
        S, m = exo_values[2 * (level - 1)], exo_values[2 * (level - 1) + 1]
        exo = pt.level_exo[level - 1] if pt.fixed_x else []
        for v in names:
            if v not in exo:
                text.append(f"{v} ~~ {v}")
        for i, v in enumerate(exo):
            text.append(f"{v} ~~ " + " + ".join(f"{float(S[idx[v], idx[w]])!r}*{w}" for w in exo[i:]))
            if level == 2 or v not in pt.level_observed[1]:
                text.append(f"{v} ~ {float(m[idx[v]])!r}*1")
        free_x = [] if pt.fixed_x else pt.level_exo[level - 1]      # modelled covariates: their covariances free
        text += [f"{v} ~~ {w}" for i, v in enumerate(free_x) for w in free_x[i + 1:]]
    return "\n".join(text)


def _within_padded(pt: ParTable, st: ClusterStats) -> np.ndarray:
    """The pooled within covariance on the table's observed variables (p x p, 0 elsewhere)."""
    Sw = np.zeros((len(pt.observed),) * 2)
    Sw[np.ix_(st.y, st.y)] = st.S_PW
    return Sw


def _between_floored(pt: ParTable, st: ClusterStats, fraction: float) -> np.ndarray:
    """The moment estimate of Sigma_B on the level-2 variables with its eigenvalues raised to
    ``fraction`` of the mean within variance (positive definite start values)."""
    b = [pt.observed.index(v) for v in pt.level_observed[1]]
    ev, U = np.linalg.eigh(st.S_B0[np.ix_(b, b)])
    return U @ np.diag(np.maximum(ev, fraction * max(float(np.mean(np.diag(st.S_PW))), 1e-8))) @ U.T


def _start_blocks(pt: ParTable, stats: list[ClusterStats]) -> list[Block]:
    """Pseudo data blocks for the start values: the pooled within covariance for block 2g, the
    moment estimate of the between covariance (diagonal kept positive) for block 2g + 1."""
    out = []
    idx = {v: k for k, v in enumerate(pt.observed)}
    for g, st in enumerate(stats):
        for level in (1, 2):
            obs = np.array([idx[v] for v in pt.level_observed[level - 1]], dtype=int)
            if level == 1:
                S = _within_padded(pt, st)[np.ix_(obs, obs)]
            else:
                S = st.S_B0[np.ix_(obs, obs)].copy()
                total = np.maximum(st.S_PW.diagonal().mean(), 1e-8)
                bad = np.diag(S) < 0.05 * total
                S[bad, :] = 0
                S[:, bad] = 0
                S[np.flatnonzero(bad), np.flatnonzero(bad)] = 0.05 * total
            mean = st.mean[obs]
            out.append(Block(2 * g + level - 1, obs, st.N, 1.0, S, mean))
    return out


def _free_start(pt: ParTable, st: ClusterStats) -> np.ndarray:
    """Start values of the free saturated model: the pooled within covariance, the moment estimate
    of the between covariance (eigenvalues raised to 1% of the mean within variance) and the
    means."""
    idx = {v: k for k, v in enumerate(pt.observed)}
    Sw = _within_padded(pt, st)
    b = [idx[v] for v in pt.level_observed[1]]
    Sb = np.zeros_like(Sw)
    Sb[np.ix_(b, b)] = _between_floored(pt, st, 0.01)
    theta = np.zeros(pt.n_free)
    for r in pt.rows:
        if r.free:
            i = idx[r.lhs]
            theta[r.free - 1] = st.mean[i] if r.op == "~1" else (Sw if r.level == 1 else Sb)[i, idx[r.rhs]]
    return theta


def _fit_table(pt: ParTable, stats: list[ClusterStats], moments=None, theta0=None, **options):
    """Fit a two-level table: (objective, model, theta, F, converged, message)."""
    p = len(pt.observed)
    if moments is None:
        moments = [(np.eye(p), np.zeros(p))] * pt.n_groups
    mdl = Model(pt, [m[0] for m in moments], [m[1] for m in moments])
    obj = TwoLevelObjective(mdl, stats)
    if theta0 is None:
        theta0 = start_values(pt, mdl, _start_blocks(pt, stats))
    theta, F, ok, msg = minimise(obj, theta0, **options)
    return obj, mdl, theta, F, ok, msg


def _free_saturated_syntax(pt: ParTable) -> str:
    """The saturated two-level model with every covariance free at both levels."""
    text = []
    for level, names in enumerate(pt.level_observed, start=1):
        text.append(f"level: {level}")
        text += [f"{v} ~~ " + " + ".join(names[i:]) for i, v in enumerate(names)]
    return "\n".join(text)


def _saturated_syntax(pt: ParTable, st: ClusterStats) -> str:
    """The saturated two-level model: Sigma_W free; Sigma_B = L L' through p_b unit-variance
    uncorrelated factors loading on the level-2 variables (a Cholesky factor, so Sigma_B stays
    positive semi-definite, as in lavaan's EM for h1: with small between variances the likelihood
    over indefinite Sigma_B can grow without bound), started at the Cholesky factor of the
    moment estimate."""
    w, b = pt.level_observed
    text = ["level: 1"] + [f"{v} ~~ " + " + ".join(w[i:]) for i, v in enumerate(w)] + ["level: 2"]
    L = np.linalg.cholesky(_between_floored(pt, st, 0.05))
    names = [f"h1chol{i}" for i in range(len(b))]
    for i, f in enumerate(names):
        text.append(f"{f} =~ " + " + ".join(f"{'NA*' if j == i else ''}start({float(L[j, i])!r})*{b[j]}"
                                             for j in range(i, len(b))))
        text.append(f"{f} ~~ 1*{f}" + "".join(f" + 0*{g}" for g in names[i + 1:]))
    text += [f"{v} ~~ 0*{v}" for v in b]
    return "\n".join(text)


def _saturated(pt: ParTable, columns: list[str], stats: list[ClusterStats]):
    """Per group: the h1 estimates (Sigma_W, mu_W, Sigma_B, mu_B; p x p and p, padded with zeros)
    and the saturated log-likelihood."""
    out = []
    free = None
    for st in stats:
        # free Sigma_B first (Newton converges in a few steps); its optimum is the h1 when it is positive
        # semi-definite, else the Cholesky-factored model finds the boundary optimum
        ok = False
        try:
            if free is None:
                free = build_two_level(_free_saturated_syntax(pt), columns, fixed_x=False)
            b = [free.observed.index(v) for v in free.level_observed[1]]
            small = -0.01 * float(np.mean(np.diag(st.S_PW)))
            p = len(free.observed)
            mdl0 = Model(free, [np.eye(p)] * 2, [np.zeros(p)] * 2)
            indefinite = lambda th: np.linalg.eigvalsh(mdl0.implied(th, 1)[np.ix_(b, b)])[0] < small  # noqa: E731
            obj, mdl, theta, F, ok, msg = _fit_table(free, [st], theta0=_free_start(free, st), max_iter=40,
                                                     fallback=False, stop=indefinite)
            ok = ok and np.linalg.eigvalsh(mdl.implied(theta, 1))[0] >= -1e-10
        except EstimationError:
            ok = False
        if not ok:
            sat = build_two_level(_saturated_syntax(pt, st), columns, fixed_x=False)
            obj, mdl, theta, F, ok, msg = _fit_table(sat, [st])
        if not ok:
            raise EstimationError(f"the saturated two-level model did not converge ({msg}); the between-cluster "
                                  "covariance matrix may be singular (too few clusters, or a variable with no "
                                  "variance between clusters)")
        mw, mb = mdl.moments(theta, 0), mdl.moments(theta, 1)
        out.append(((mw["Sigma"], mw["mu"], mb["Sigma"], mb["mu"]), obj.loglik(theta)))
    return out


def _srmr_level(S: np.ndarray, Sigma: np.ndarray, obs: list[int]) -> float:
    S, Sigma = S[np.ix_(obs, obs)], Sigma[np.ix_(obs, obs)]
    ds, dm = np.sqrt(np.diag(S)), np.sqrt(np.clip(np.diag(Sigma), 0, None))
    if (dm <= 0).any():
        return math.nan
    R = S / np.outer(ds, ds) - Sigma / np.outer(dm, dm)
    r = R[np.tril_indices(len(obs))]
    return float(np.sqrt(r @ r / len(r)))


def fit_two_level(model: str, data: pd.DataFrame, cluster: str, *, estimator: str = "ML", std_lv: bool = False,
                  missing: str = "listwise", group: str | None = None, group_equal: tuple[str, ...] = (),
                  group_partial: tuple[str, ...] = (), level: float = 0.95, fixed_x: bool | None = None,
                  orthogonal: bool = False, information: str | None = None) -> SEMResult:
    """A two-level model fitted by ML (see the module docstring); called by :func:`sem` for syntax
    with ``level:`` blocks.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> codes = np.repeat(np.arange(60), 8)
    >>> fb, fw = rng.normal(size=60)[codes] * 0.6, rng.normal(size=480)
    >>> X = (fw + fb)[:, None] * [1.0, 0.8, 0.7] + rng.normal(size=(480, 3)) * 0.6
    >>> df = pd.DataFrame(X, columns=["y1", "y2", "y3"]).assign(school=codes)
    >>> res = fit_two_level("level: 1\\n fw =~ y1 + y2 + y3\\nlevel: 2\\n fb =~ y1 + y2 + y3", df, "school")
    >>> res.fit["df"], res.converged, sorted(set(res.parameters["level"]))
    (0, True, [1, 2])
    """
    from ..responses.io import apply_declared_missing, data_fingerprint
    from .samplestats import _warn_outlying, numeric, split_groups
    from .standardize import Standardizer, delta_se
    from .table import _fixed_value, _table, _wald_ci, with_defined

    if str(estimator).upper() != "ML":
        raise PsychometricsError(f"estimator {estimator!r} for a two-level model is not available yet: two-level "
                                 "models are fitted by ML (lavaan's default); the single-level model with "
                                 "cluster= and MLR gives cluster-robust SEs")
    if missing not in ("listwise", "fiml"):
        raise PsychometricsError(f"missing={missing!r} for a two-level model: use 'listwise' or 'fiml'")
    fiml = missing == "fiml"
    if information not in (None, "observed"):
        raise PsychometricsError("two-level models use the observed information (lavaan's default for them)")
    if data is None:
        raise PsychometricsError("a two-level model needs the raw data (rows with their cluster)")
    notes: list[str] = []
    col = cluster_column(data, cluster, group)
    labels, gcode = split_groups(data, group)
    columns = [str(c) for c in data.columns if c not in (group, cluster)]
    pt = build_two_level(model, columns, n_groups=len(labels), std_lv=std_lv, group_equal=group_equal,
                         group_partial=group_partial, fixed_x=True if fixed_x is None else fixed_x,
                         orthogonal=orthogonal)
    if pt.constraints:
        raise PsychometricsError("constraints other than 'a == b' in a two-level model are not available yet")
    for note in pt.notes:
        warnings.warn(f"SEM: {note}", SEMWarning, stacklevel=3)
    notes += pt.notes
    used, _ = apply_declared_missing(data[pt.observed])
    X = numeric(used)
    _warn_outlying(X, pt.observed)
    exo = sorted({v for lv in pt.level_exo for v in lv}) if pt.fixed_x else []
    if fiml:
        keep = ~np.isnan(X).all(axis=1) & col.notna().to_numpy()
        if not keep.all():
            notes.append(f"FIML: {int((~keep).sum())} of {len(X)} rows with no observed model variable or no cluster "
                         "left out")
            warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)
        gone = keep & np.isnan(X[:, [pt.observed.index(v) for v in exo]]).any(axis=1)
        if gone.any():           # lavaan: fixed.x covariates are conditioned on, so they must be observed
            keep &= ~gone
            notes.append(f"FIML: {int(gone.sum())} row(s) with a missing fixed.x covariate ({', '.join(exo)}) left out "
                         "(as lavaan); give fixed_x=False (--no-fixed-x) to keep them with the covariates modelled")
            warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)
        incomplete = int(np.isnan(X[keep]).any(axis=1).sum())
        notes.append(f"FIML: {incomplete} of {int(keep.sum())} rows incomplete, all used")
    else:
        keep = ~np.isnan(X).any(axis=1) & col.notna().to_numpy()
        if not keep.all():
            notes.append(f"listwise: {int((~keep).sum())} of {len(X)} rows with a missing model variable or cluster "
                         "left out")
            warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)
    stats: list = []      # ClusterStats, or MissingClusterStats with FIML (the same attributes)
    rows = []
    for g, lab in enumerate(labels):
        sel = np.flatnonzero(keep & (gcode == g))
        where = "" if len(labels) == 1 else f" in group {lab!r}"
        if len(sel) == 0:
            raise EstimationError(f"no complete rows{where}")
        codes = pd.factorize(col.iloc[sel].astype(str))[0]
        if codes.max() < 1:
            raise PsychometricsError(f"cluster column {cluster!r} has a single value{where}: a two-level model needs "
                                     "many clusters")
        if fiml:
            from .twolevel_missing import missing_cluster_stats

            stats.append(missing_cluster_stats(X[sel], codes, pt.observed, pt.level_observed, where,
                                               pt.level_exo if pt.fixed_x else None))
        else:
            stats.append(cluster_stats(X[sel], codes, pt.observed, pt.level_observed, pt.level_exo, where))
        rows.append(sel)
    if len(labels) > 1:
        ids = [set(col.iloc[r].astype(str)) for r in rows]
        shared = {c for i, a in enumerate(ids) for b in ids[i + 1:] for c in a & b}
        if shared:
            notes.append(f"{len(shared)} cluster id(s) of {cluster} appear in more than one group (e.g. "
                         f"{sorted(shared)[0]}): each group's part is taken as a cluster of its own; clusters "
                         "(schools) should be nested in the groups")
            warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)
    N = sum(st.N for st in stats)
    J = sum(st.J for st in stats)
    notes.append(f"two-level {'FIML' if fiml else 'ML'}: {N} respondents in {J} clusters of {cluster} (sizes "
                 f"{min(int(st.cluster_size.min()) for st in stats)}-{max(int(st.cluster_size.max()) for st in stats)})")
    ndat = pt.ndat()
    if ndat < pt.n_free:
        raise EstimationError(f"the model is not identified: {pt.n_free} free parameters for {ndat} sample moments "
                              f"(degrees of freedom {ndat - pt.n_free}); fix or constrain parameters")
    h1 = _saturated(pt, columns, stats)
    moments = []
    for (Sw, mw, Sb, mb), _ in h1:
        mw = mw.copy()
        both = [k for k, v in enumerate(pt.observed) if v in pt.level_observed[1]]
        mw[both] = 0.0                  # a "both" variable's mean sits at the between level
        moments += [(Sw, mw), (Sb, mb)]
    obj, mdl, theta, F, ok, msg = _fit_table(pt, stats, moments)
    if not ok:
        notes.append(f"the optimiser did not converge ({msg})")
        warnings.warn(f"SEM: {notes[-1]}; estimates are unreliable", SEMWarning, stacklevel=3)
    H = obj.hessian(theta) * N / 2          # Hessian of -log L
    from .diagnostics import check_identified

    check_identified(pt, H)
    cov = np.linalg.inv(H)
    # ---- parameters ----
    se_free = np.sqrt(np.maximum(np.diag(cov), 0))
    est = np.array([theta[r.free - 1] if r.free else _fixed_value(mdl, k) for k, r in enumerate(pt.rows)])
    se = np.array([se_free[r.free - 1] if r.free else 0.0 for r in pt.rows])
    standardize = Standardizer(pt, mdl, est)
    with np.errstate(invalid="ignore", divide="ignore"):     # a block's matrices hold the other level's variables at 0
        std_lv_v, std_all_v = standardize(theta)
        Js = standardize.jacobian(theta)
        r2_blocks = [standardize.r2(theta, b) for b in range(pt.n_groups)]
    std_all_se = delta_se(Js, cov)
    G = len(labels)
    cols: dict[str, Any] = {"lhs": [r.lhs for r in pt.rows], "op": [r.op for r in pt.rows], "rhs": [r.rhs for r in pt.rows],
            "group": [labels[(r.group - 1) // 2] if G > 1 else 1 for r in pt.rows],
            "label": [r.label for r in pt.rows], "free": [r.free for r in pt.rows], "est": est, "se": se,
            "std_lv": std_lv_v, "std_all": std_all_v, "std_all_se": std_all_se}
    level_col = [r.level for r in pt.rows]
    block_col = [r.group for r in pt.rows]
    cols = with_defined(cols, pt, theta, cov, std_lv_v, std_all_v, Js)
    level_col += [0] * len(pt.defined)
    block_col += [0] * len(pt.defined)
    from scipy import special

    cols["ci_lower"], cols["ci_upper"] = _wald_ci(cols["est"], cols["se"], special.ndtri(1 - (1 - level) / 2))
    params = _table(cols)
    params.insert(4, "level", level_col)
    params.insert(5, "block", block_col)
    neg = sorted({f"{r.lhs} (level {r.level})" for r, e in zip(pt.rows, est) if r.op == "~~" and r.lhs == r.rhs
                  and e < 0})
    if neg:
        notes.append("negative variance (Heywood case): " + ", ".join(neg))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper (at the between level often a sign of too few "
                      "clusters or of a variable with almost no between-cluster variance)", SEMWarning, stacklevel=3)
    r2: dict = {}
    for b in range(pt.n_groups):
        key = f"{labels[b // 2]}/level{b % 2 + 1}" if G > 1 else f"level{b % 2 + 1}"
        names = set(pt.level_observed[b % 2]) | {r.lhs for r in pt.rows if r.group == b + 1 and r.op == "=~"}
        r2[key] = {v: x for v, x in r2_blocks[b].items() if v in names}
    fit = _fit_measures(pt, columns, stats, obj, mdl, theta, h1, ok)
    fingerprint = data_fingerprint(data)          # hashes the data once
    meta = {"package_version": __version__, "data": fingerprint,
            "data_sha256": fingerprint["sha256"], "input": "data", "estimator": "ML",
            "information": "observed", "se": "standard", "test": "standard", "missing": missing,
            "fixed_x": pt.fixed_x, "group": group, "group_equal": list(group_equal),
            "group_partial": list(group_partial), "cluster": cluster, "levels": 2, "bootstrap": 0, "ci": "normal",
            "seed": None, "model": model, "optimizer": msg, "notes": notes,
            "clusters": [st.J for st in stats]}
    within = mdl.implied(theta, 0)
    w_obs = [pt.observed.index(v) for v in pt.level_observed[0]]
    implied = pd.DataFrame(within[np.ix_(w_obs, w_obs)], index=pt.level_observed[0], columns=pt.level_observed[0])
    at_both = [v for v in pt.level_observed[0] if v in pt.level_observed[1]]
    idx = {v: k for k, v in enumerate(pt.observed)}
    iccs = {}
    for lab, ((Sw, _, Sb, _), _) in zip(labels, h1):      # lavInspect(fit, "icc"): from the h1 estimates
        iccs[lab] = {v: float(Sb[idx[v], idx[v]] / (Sw[idx[v], idx[v]] + Sb[idx[v], idx[v]])) for v in at_both}
    levels = {"cluster": cluster, "clusters": [st.J for st in stats],
              "mean_inverse_cluster_size": [float(np.mean(1 / st.cluster_size)) for st in stats],
              "icc": iccs[labels[0]] if G == 1 else iccs}
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=ok, estimator="ML", nobs=N, meta=meta,
                     implied=implied, groups=tuple(labels), group_nobs=tuple(st.N for st in stats), levels=levels,
                     state={"pt": pt, "model": mdl, "theta": theta, "two_level": True, "labels": labels,
                            "group": group, "cluster": cluster, "cov": cov, "N": N, "data": data,
                            "h1": [h[0] for h in h1], "stats": stats})


def _fit_measures(pt, columns, stats, obj, mdl, theta, h1, converged) -> dict:
    from .fitmeasures import fit_measures

    N = sum(st.N for st in stats)
    G = len(stats)
    loglik_x = sum(st.loglik_x for st in stats) if pt.fixed_x and any(pt.level_exo) else 0.0
    logl = obj.loglik(theta) - loglik_x
    logl_h1 = sum(h[1] for h in h1) - loglik_x
    chisq = max(2 * (logl_h1 - logl), 0.0)
    df = pt.ndat() - pt.n_free
    # the baseline, per group (independent groups: the statistics add up)
    chisq_b, npar_b = 0.0, 0
    for g, st in enumerate(stats):
        (Sw, mw, Sb, mb), ll_h1 = h1[g]
        base = build_two_level(_baseline_syntax(pt, (Sw, mw, Sb, mb)), columns, fixed_x=False)
        bobj, _, btheta, _, bok, bmsg = _fit_table(base, [st])
        if not bok:
            warnings.warn(f"SEM: the baseline model did not converge ({bmsg}); CFI and TLI are unreliable",
                          SEMWarning, stacklevel=4)
        chisq_b += 2 * (ll_h1 - bobj.loglik(btheta))
        npar_b += base.n_free
    df_b = pt.ndat() - npar_b
    srmr_w, srmr_b = 0.0, 0.0
    idx = {v: k for k, v in enumerate(pt.observed)}
    for g, st in enumerate(stats):
        (Sw, _, Sb, _), _ = h1[g]
        w = st.N / N
        srmr_w += w * _srmr_level(Sw, mdl.implied(theta, 2 * g), [idx[v] for v in pt.level_observed[0]])
        srmr_b += w * _srmr_level(Sb, mdl.implied(theta, 2 * g + 1), [idx[v] for v in pt.level_observed[1]])
    fit = fit_measures(chisq=chisq, df=df, npar=pt.n_free, n=N, n_groups=G, chisq_b=max(chisq_b, 0.0), df_b=df_b,
                       logl=logl, logl_h1=logl_h1, srmr=srmr_w + srmr_b,
                       # lavaan's fx: per group -2 log L (no 2 pi) / (2 N), weighted by N_g / N
                       fmin=sum(st.N / N * Fg / (2 * N) for st, Fg in zip(stats, obj.group_F(theta))))
    fit.update({"srmr_within": srmr_w, "srmr_between": srmr_b})
    return fit
