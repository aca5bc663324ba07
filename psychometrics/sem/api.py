"""``sem()`` and ``cfa()``: the fit as named steps in order (parse -> parameter table -> sample
statistics -> estimate -> covariance of the estimates -> parameters -> fit statistics).

"""

from __future__ import annotations

import math
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from .._frames import labels_index
from .._options import validate_seed
from .._version import __version__
from ..exceptions import EstimationError, OptionError, PsychometricsError, SEMWarning
from . import baseline
from . import model as _model
from .constraints import Constraints
from .diagnostics import check_scales, identified_inverse, improper
from .estimators import Estimator as Estimator_
from .expressions import defined_function
from .options import Estimator, Options, split_option
from .partable import ParTable, build
from .result import SEMResult
from .standardize import Standardizer, delta_se
from .table import _fixed_value, _table, _wald_ci, with_defined
from .teststats import fit_statistics

P = ParamSpec("P")
R = TypeVar("R")


def sem(model: str, data: pd.DataFrame, estimator: Estimator | Literal["WLSMV", "ULSMV"] | None = None,
        std_lv: bool = False,
        missing: Literal["listwise", "fiml", "pairwise"] = "listwise", group: str | None = None,
        group_equal: str | tuple[str, ...] = (), group_partial: str | tuple[str, ...] = (),
        information: Literal["expected", "observed"] | None = None, level: float = 0.95, modindices: bool = False,
        bootstrap: int = 0, ci: Literal["perc", "bc", "bca"] = "perc", bollen_stine: int = 0,
        seed: int | None = None, progress: bool = True, n_jobs: int = -1, fixed_x: bool | None = None,
        orthogonal: bool = False, meanstructure: bool | None = None,
        sample_cov: pd.DataFrame | dict | list | None = None, sample_nobs: int | list | dict | None = None,
        sample_mean: pd.Series | dict | list | None = None, ordered: bool | list[str] | None = None,
        parameterization: Literal["delta", "theta"] = "delta", cluster: str | None = None,
        scheduler: Any = None) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (lavaan's ``sem()`` defaults).

    Parameters
    ----------
    model
        lavaan model syntax.
    data
        Observed variables as columns (other columns are ignored).
    estimator
        ``"ML"`` (normal-theory maximum likelihood; the default), ``"MLR"`` (ML estimates with
        Huber-White SEs, Yuan-Bentler scaled chi-square and robust CFI/TLI/RMSEA; complete data),
        ``"GLS"``, ``"ULS"`` (single group, complete data); with ``ordered`` items ``"WLSMV"`` (the
        default there, as lavaan) or ``"ULSMV"``.
    std_lv
        Identify latent variables by fixing their variances to 1 instead of the first loading.
    missing
        ``"listwise"``: rows with a missing model variable are left out (the number is reported);
        ``"fiml"``: full-information ML over all rows with at least one observed value (mean
        structure; chi-square against the EM-estimated saturated model).
    group, group_equal, group_partial
        Multiple-group model by the values of column ``group`` (in order of first appearance);
        ``group_equal`` names kinds of parameters held equal across groups (``"loadings"``,
        ``"intercepts"``, ``"means"``, ``"residuals"``, ``"residual.covariances"``,
        ``"lv.variances"``, ``"lv.covariances"``, ``"regressions"``; a tuple or comma-separated
        string); ``group_partial`` frees single ones (``"visual=~x2"``, ``"x3~1"``).
    cluster
        Column of the clusters the rows are nested in (teachers in schools): robust SEs from the
        cluster-summed casewise scores and the Yuan-Bentler scaled test adjusted for clustering
        (MLR), as lavaan's ``cluster =`` for a single-level model; listwise or FIML. With
        ``ordered``: WLSMV's robust SEs and scaled-shifted test from the cluster-robust Gamma
        (lavaan >= 0.7-2), the estimates unchanged.
    information
        ``"expected"`` or ``"observed"``; default as lavaan: expected, observed with FIML or MLR.
    bootstrap, ci, seed, progress, n_jobs
        Nonparametric bootstrap with this many draws: SEs are the SD of the draws and intervals are
        ``"perc"`` (percentile, lavaan's default), ``"bc"`` (bias-corrected, lavaan's ``bca.simple``)
        or ``"bca"`` (with jackknife acceleration); seedable (the same draws whatever ``n_jobs``),
        with a progress bar; ``n_jobs`` worker processes (default -1: every core this process may
        use; 1: none); ``scheduler`` (``"tcp://host:port"`` or a ``dask.distributed.Client``): the
        draws on a Dask cluster instead, the same draws for the same seed.
    bollen_stine
        Draws for the Bollen-Stine bootstrap p-value of the chi-square (data transformed to fit the
        model exactly, then resampled); reported as ``fit["bollen_stine_pvalue"]``.
    modindices
        Also compute modification indices and expected parameter changes for omitted loadings and
        residual covariances of observed variables (lavaan's ``modindices()``; single group).
    fixed_x
        lavaan's ``fixed.x``: the variances, covariances and means of exogenous observed covariates
        are fixed at their sample values and not counted among the sample moments, and the
        log-likelihood is conditional on them (the default with ML and MLR); ``False`` estimates
        them as free parameters (the default with GLS and ULS, as lavaan).
    orthogonal
        lavaan's ``orthogonal``: exogenous latent variables uncorrelated (their default
        covariances fixed to 0).
    meanstructure
        Add intercepts and latent means (default: with FIML, several groups, or ``~ 1`` in the
        syntax, as lavaan).
    sample_cov, sample_nobs, sample_mean
        Fit from summary statistics instead of ``data`` (``data=None``), as lavaan's
        ``sample.cov``/``sample.nobs``/``sample.mean``: a labelled covariance (or correlation)
        matrix with the usual N - 1 divisor (rescaled by (N - 1)/N for ML, as lavaan's
        ``sample.cov.rescale``), and N; for several groups a dict {label: matrix} (or a list) with
        N per group. Means are needed when the model has a mean structure. ML, GLS and ULS only
        (MLR, FIML and the bootstrap need the raw data).
    ordered
        ``True`` (every observed variable of the model) or a list of items: ordered categories
        (Likert answers), fitted by WLSMV on polychoric correlations as lavaan's
        ``ordered =`` (thresholds ``|`` rows ``t1``, ``t2``, ...; robust SEs; the scaled-shifted
        test with scaled CFI/TLI/RMSEA), one or several groups (``group_equal`` may name
        ``"thresholds"``), every indicator ordinal, listwise or pairwise (see
        :mod:`psychometrics.sem.ordinal`).
    parameterization
        With ``ordered``: ``"delta"`` (lavaan's default; scaling factors ``~*~``) or ``"theta"``
        (residual variances of the latent responses as parameters).

    Returns
    -------
    SEMResult
        ``parameters`` (lavaan's ``parameterEstimates`` with std_lv, std_all and their SEs), ``fit``
        (``fitMeasures`` names with ``.`` as ``_``), ``r2``, ``modindices`` when asked, ``nobs``,
        ``converged`` and the provenance in ``meta``; ``predict()`` and ``residuals()``.

    Raises
    ------
    ModelSyntaxError
        Unreadable syntax or a variable that is neither latent nor in the data (exit 2).
    EstimationError
        Not identified, or the estimation failed (exit 3).

    Notes
    -----
    R: ``lavaan::sem(model, data, estimator=, missing=, group=, group.equal=, group.partial=)``.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2), 1-36. Bollen, K. A. (1989). *Structural equations with latent
    variables*. Wiley.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300)
    >>> m = 0.5 * x + rng.normal(size=300)
    >>> df = pd.DataFrame({"x": x, "m": m, "y": 0.4 * m + rng.normal(size=300)})
    >>> res = sem("m ~ a*x; y ~ b*m + x; ab := a*b", df)
    >>> p = res.parameters.set_index(["lhs", "op", "rhs"])
    >>> float(round(p.loc[("m", "~", "x"), "est"], 3)), float(round(p.loc[("ab", ":=", "a*b"), "se"], 3))
    (0.54, 0.039)

    (lavaan 0.6.14 on the same data: 0.540 and 0.039.)
    """
    from .levels import is_two_level
    from .options import settle

    if is_two_level(model):
        from .twolevel_fit import from_sem_options

        return from_sem_options(model, data, cluster, estimator=estimator, std_lv=std_lv, missing=missing, group=group,
                          group_equal=group_equal, group_partial=group_partial, level=level, fixed_x=fixed_x,
                          orthogonal=orthogonal, information=information, ordered=ordered, bootstrap=bootstrap,
                          bollen_stine=bollen_stine, modindices=modindices, sample_cov=sample_cov,
                          meanstructure=meanstructure)
    if ordered is not None and ordered is not False:
        from .ordinal import fit_with_options

        return fit_with_options(model, data, ordered, estimator, std_lv, level, missing=missing, group=group,
                        group_equal=split_option(group_equal), group_partial=split_option(group_partial),
                        parameterization=parameterization, bootstrap=bootstrap, modindices=modindices,
                        sample_cov=sample_cov, information=information, cluster=cluster)
    opt = settle(estimator or "ML", missing, information, fixed_x, bootstrap, bollen_stine, cluster=bool(cluster))
    validate_seed("seed", seed)
    if n_jobs != -1 and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1):
        raise OptionError(f"n_jobs={n_jobs!r}: give a number of worker processes (1 or more; -1 for all cores)",
                          argument="n_jobs")
    est_name, fiml = opt.estimator, opt.fiml
    group_equal, group_partial = split_option(group_equal), split_option(group_partial)
    from .samplestats import from_data, from_moments, split_groups, summary_input

    summary = None
    if sample_cov is not None:
        if data is not None:
            raise PsychometricsError("give either data or sample_cov (with sample_nobs), not both")
        summary = summary_input(sample_cov, sample_nobs, sample_mean)
        labels, columns, gcode = summary.labels, summary.columns, None
        if opt.robust or fiml or bootstrap or bollen_stine:
            raise PsychometricsError("MLR, cluster, missing='fiml' and the bootstrap need the raw data; with sample_cov "
                                     "use estimator ML, GLS or ULS")
    else:
        if data is None:
            raise PsychometricsError("no data: give a DataFrame, or sample_cov and sample_nobs")
        labels, gcode = split_groups(data, group)
        columns = [str(c) for c in data.columns if c != group]
    pt = build(model, columns, std_lv=std_lv, meanstructure=bool(fiml or meanstructure or cluster), n_groups=len(labels),
               group_equal=group_equal, group_partial=group_partial, fixed_x=opt.fixed_x, orthogonal=orthogonal)
    if meanstructure is False and pt.meanstructure and (fiml or len(labels) > 1):
        raise PsychometricsError("meanstructure=False is not possible with missing='fiml' or several groups")
    if summary is not None:
        stats_ = from_moments(summary, pt, est_name)
    else:
        assert data is not None and gcode is not None
        stats_ = from_data(data, pt, group, gcode, labels, fiml)
    X_groups, blocks, notes = stats_.X_groups, stats_.blocks, stats_.notes
    for note in pt.notes:
        warnings.warn(f"SEM: {note}", SEMWarning, stacklevel=2)
    notes = pt.notes + notes
    check_scales(pt, stats_.variances, notes)
    f = _prepare(pt, X_groups, blocks, labels, opt)
    f.scheduler = scheduler
    if cluster:
        from .samplestats import cluster_codes

        assert data is not None
        f.clusters = cluster_codes(data, cluster, stats_.rows, group, pt.n_free, notes, bootstrap)
    _estimate(f, notes)
    cov, robust = _covariance(f, opt.information, notes)
    params, r2, draws = _parameters(f, cov, level, bootstrap, ci, seed, progress, n_jobs, notes)
    improper(f, params, notes)
    fit, bs_draws = fit_statistics(f, robust, bollen_stine, seed, progress, n_jobs, notes)
    mi = None
    if modindices:
        if not opt.likelihood or f.cons is not None:
            notes.append("modification indices are computed for ML/MLR without constraints beyond shared labels "
                         "(so far)")
        else:
            from .modindices import modification_indices

            mi = modification_indices(pt, f.mdl, f.theta, blocks, f.c0, f.N, labels if f.G > 1 else None, f.S_g,
                                      f.mean_g)
    meta = {"package_version": __version__, "data": stats_.fingerprint, "data_sha256": stats_.fingerprint["sha256"],
            "input": "sample_cov" if summary is not None else "data",
            "estimator": est_name, "information": opt.information, "se": opt.se, "test": opt.test,
            "missing": missing, "fixed_x": opt.fixed_x,
            "group": group, "group_equal": list(group_equal), "group_partial": list(group_partial),
            "cluster": cluster, "bootstrap": bootstrap, "ci": ci if bootstrap else "normal", "seed": seed, "model": model,
            "optimizer": f.msg, "notes": notes}
    names = labels_index(tuple(pt.observed))
    implied = pd.DataFrame(f.mdl.implied(f.theta, 0), index=names, columns=names)
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=f.ok, estimator=est_name, nobs=f.N, meta=meta,
                     implied=implied, modindices=mi, bootstrap_draws=draws, groups=tuple(labels),
                     group_nobs=tuple(f.group_n), bollen_stine_chisq=bs_draws,
                     state={"pt": pt, "model": f.mdl, "theta": f.theta, "means": f.mean_g, "S": f.S_g,
                            "labels": labels, "group": group, "fiml": fiml, "data": data,
                            "blocks": blocks, "est": est_name, "N": f.N, "group_n": f.group_n, "cov": cov})


@dataclass
class _Fit:
    """What the steps of one fit share: data blocks, sample moments, the model and its estimates."""

    pt: ParTable
    mdl: _model.Model
    blocks: list
    X_groups: list
    labels: list
    opt: Options
    S_g: list
    mean_g: list
    c0: float
    logl_h1: float
    logl_b: float | None
    df: int
    cons: Constraints | None = None
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # active inequality bounds
    theta: np.ndarray = field(default_factory=lambda: np.zeros(0))                # estimates (after the fit)
    fmin: float = float("nan")
    ok: bool = False
    msg: str = ""
    Vw: list | None = None                # least-squares weights per group (GLS/ULS)
    S_ls: list | None = None              # unbiased covariances per group (GLS/ULS)
    svecs: list | None = None             # sample-moment vectors per group (GLS/ULS)
    clusters: list | None = None          # per group, the cluster codes of its rows (cluster-robust SEs)
    scheduler: Any = None                 # bootstrap draws on a Dask cluster

    @property
    def est(self) -> str:
        return self.opt.estimator

    @property
    def estimator(self) -> Estimator_:
        from .estimators import for_options

        return for_options(self.opt)

    @property
    def fiml(self) -> bool:
        return self.opt.fiml

    @property
    def G(self) -> int:
        return len(self.labels)

    @property
    def N(self) -> int:
        return sum(b.n for b in self.blocks)

    @property
    def p(self) -> int:
        return len(self.pt.observed)

    @property
    def group_n(self) -> list[int]:
        return [sum(b.n for b in self.blocks if b.group == g) for g in range(self.G)]

    @property
    def log2pi_terms(self) -> float:
        return sum(b.w * len(b.obs) for b in self.blocks) * math.log(2 * math.pi)


def _prepare(pt: ParTable, X_groups, blocks, labels, opt) -> _Fit:
    """Sample moments (EM estimates with FIML), the saturated log-likelihood, the model matrices,
    degrees of freedom and constraints."""
    p, G = len(pt.observed), len(labels)
    N = sum(b.n for b in blocks)
    logl_b = None
    if opt.fiml:
        from .missing import em_saturated, independence_loglik

        for g in range(G):   # the saturated model (p means, p(p+1)/2 covariances) needs more rows than variables
            n_g = sum(b.n for b in blocks if b.group == g)
            if n_g <= p:
                where = f" in group {labels[g]}" if G > 1 else ""
                raise EstimationError(f"FIML with {n_g} respondent(s){where} for {p} observed variables: the "
                                      "saturated model cannot be estimated (it needs more respondents than "
                                      "variables); collect more data or model fewer variables")
        h1 = [em_saturated([b for b in blocks if b.group == g], p) for g in range(G)]
        S_g, mean_g = [h[1] for h in h1], [h[0] for h in h1]
        logl_h1 = float(sum(h[2] for h in h1))
        exo = baseline.kept_covariates(pt, opt)
        logl_b = float(sum(independence_loglik([b for b in blocks if b.group == g], p, exo)[2] for g in range(G)))
        c0 = -2 * logl_h1 / N - sum(b.w * len(b.obs) for b in blocks) * math.log(2 * math.pi)
    else:
        S_g, mean_g = [b.S for b in blocks], [b.mean for b in blocks]
        c0 = sum(b.w * (np.linalg.slogdet(b.S)[1] + p) for b in blocks)
        logl_h1 = float(-0.5 * sum(b.n * (p * math.log(2 * math.pi) + np.linalg.slogdet(b.S)[1] + p) for b in blocks))
    ndat = pt.ndat()
    if ndat - pt.n_free + len(pt.constraints) < 0:   # before any matrix of the model's size is allocated
        raise EstimationError(f"the model is not identified: {pt.n_free} free parameters for {ndat} sample moments "
                              f"(degrees of freedom {ndat - pt.n_free}); fix or constrain parameters")
    f = _Fit(pt, _model.Model(pt, S_g, mean_g), blocks, X_groups, labels, opt, S_g, mean_g, c0, logl_h1,
             logl_b, ndat - pt.n_free)
    if pt.constraints:
        from .expressions import constraint_function

        if opt.least_squares:
            raise PsychometricsError(f"constraints other than 'a == b' with estimator {opt.estimator} are not available "
                                     "yet; use ML or MLR")
        f.cons = Constraints(*constraint_function(pt))
        # lavaan: each non-redundant equality constraint adds a degree of freedom (the rank of their
        # Jacobian, so 'a == b' written twice counts once)
        f.df += f.cons.rank_eq(_model.start_values(f.pt, f.mdl, f.blocks))
    if f.df < 0:
        raise EstimationError(f"the model is not identified: {pt.n_free} free parameters for {ndat} sample moments "
                              f"(degrees of freedom {f.df}); fix or constrain parameters")
    return f


def _estimate(f: _Fit, notes: list[str]) -> None:
    theta0 = _model.start_values(f.pt, f.mdl, f.blocks)
    f.estimator.estimate(f, theta0)
    if not f.ok:
        notes.append(f"the optimiser did not converge ({f.msg})")
        warnings.warn(f"SEM: {notes[-1]}; estimates are unreliable", SEMWarning, stacklevel=3)


def _covariance(f: _Fit, information: str, notes: list[str] | None = None) -> tuple[np.ndarray, dict | None]:
    """Covariance of the free parameters: inverse information / N (expected, observed; bordered
    under constraints), the MLR sandwich, or lavaan's least-squares SEs."""
    mdl, theta = f.mdl, f.theta
    info = f.estimator.information(f, information)
    if f.cons is not None:      # constrained: the bordered inverse (singular if not identified)
        from .constraints import bordered_inverse

        keep, redundant = f.cons.independent(theta, f.active)
        if redundant and notes is not None:
            notes.append(f"constraint(s) {', '.join(redundant[:6])} follow from the others and add nothing "
                         "(counted once in the degrees of freedom, as lavaan does)")
            warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)
        info_inv = bordered_inverse(info, f.cons.jacobian(theta)[keep])
    else:
        info_inv = identified_inverse(f.pt, info)
    if f.opt.robust:
        from .robust import mlr

        exo = [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else []
        df_b = baseline.degrees_of_freedom(f.pt, f.opt, f.G)
        robust = mlr(mdl, f.blocks, theta, info, f.df, df_b, Ainv=info_inv, fiml_c0=f.c0 if f.fiml else None,
                     exo=exo, moments=(f.S_g, f.mean_g), clusters=f.clusters,
                     free_x=[] if f.pt.fixed_x else [f.pt.observed.index(v) for v in f.pt.exo_x])
        return robust["cov"], robust
    return info_inv / f.estimator.se_divisor(f), None


def _parameters(f: _Fit, cov: np.ndarray, level: float, bootstrap: int, ci: str, seed, progress: bool,
                n_jobs: int, notes: list[str]):
    """The parameter table (estimates, SEs, Wald or bootstrap intervals, standardized solutions with
    delta-method SEs, ``:=`` rows), R-squared and the bootstrap draws."""
    from scipy import special

    pt, mdl, theta, labels, G = f.pt, f.mdl, f.theta, f.labels, f.G
    se_free = np.sqrt(np.maximum(np.diag(cov), 0))
    if f.cons is not None:     # a parameter held at an active inequality bound has no SE (as lavaan)
        J = f.cons.jacobian(theta)
        for i in np.flatnonzero(f.active & ~f.cons.eq):
            se_free[np.abs(J[i]) > 1e-8] = np.nan
    est = np.array([theta[r.free - 1] if r.free else _fixed_value(mdl, k) for k, r in enumerate(pt.rows)])
    se = np.array([se_free[r.free - 1] if r.free else 0.0 for r in pt.rows])
    standardize = Standardizer(pt, mdl, est)
    std_lv_v, std_all_v = standardize(theta)
    r2 = {labels[g]: standardize.r2(theta, g) for g in range(G)}
    r2 = r2[labels[0]] if G == 1 else r2
    Js = standardize.jacobian(theta)
    std_all_se = delta_se(Js, cov)
    defined_at = defined_function(pt)
    cols: dict[str, Any] = {"lhs": [r.lhs for r in pt.rows], "op": [r.op for r in pt.rows], "rhs": [r.rhs for r in pt.rows],
            "group": [labels[r.group - 1] if G > 1 else 1 for r in pt.rows], "label": [r.label for r in pt.rows],
            "free": [r.free for r in pt.rows], "est": est, "se": se, "std_lv": std_lv_v, "std_all": std_all_v,
            "std_all_se": std_all_se}
    cols = with_defined(cols, pt, theta, cov, std_lv_v, std_all_v, Js)
    cols["ci_lower"], cols["ci_upper"] = _wald_ci(cols["est"], cols["se"], special.ndtri(1 - (1 - level) / 2))
    draws = None
    if bootstrap:
        from .bootstrap import bootstrap as run_bootstrap

        def all_values(th):
            th = np.atleast_2d(th)
            row_values = np.where(standardize.free >= 0, th[:, np.maximum(standardize.free, 0)], est)
            return np.hstack([row_values, defined_at(th)]) if pt.defined else row_values

        bs = run_bootstrap(mdl, f.X_groups, theta, all_values, bootstrap, seed, level, ci, progress, n_jobs, f.cons,
                           f.clusters, f.scheduler)
        free = np.array([bool(r.free) for r in pt.rows] + [True] * len(pt.defined))
        cols["se"] = np.where(free, bs["se"], cols["se"])
        cols["ci_lower"] = np.where(free, bs["ci"][:, 0], cols["ci_lower"])
        cols["ci_upper"] = np.where(free, bs["ci"][:, 1], cols["ci_upper"])
        draws = bs["draws"]
        notes.append(f"bootstrap: {bootstrap} draws (seed {seed}), {bs['failed']} failed and left out; "
                     f"{ {'perc': 'percentile', 'bc': 'bias-corrected', 'bca': 'BCa'}[ci] } intervals")
    return _table(cols), r2, draws


def _renamed(fn: Callable[P, R], name: str, doc: str) -> Callable[P, R]:
    """A copy of ``fn`` under another name and docstring: the same explicit parameters (no
    ``**kwargs``), for type checkers too."""
    new = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    new.__kwdefaults__, new.__annotations__ = fn.__kwdefaults__, dict(fn.__annotations__)
    new.__qualname__, new.__module__, new.__doc__ = name, fn.__module__, doc
    return new


cfa = _renamed(sem, "cfa", """Confirmatory factor analysis: lavaan's ``cfa()``, which has the same defaults as
    ``sem()`` (first loading fixed to 1, exogenous latent covariances free, residual covariances
    of pure outcomes free); every parameter is that of :func:`sem`.

    Parameters
    ----------
    model : str
        lavaan syntax with ``=~`` measurement lines (and optional ``~~``, ``~``, ``:=``).
    data : DataFrame
        The indicators as columns. The other parameters are :func:`sem`'s.

    Returns
    -------
    SEMResult
        As :func:`sem`.

    Notes
    -----
    R: ``lavaan::cfa(model, data, ...)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(400, 1))
    >>> df = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.normal(size=(400, 3)) * 0.6, columns=["a", "b", "c"])
    >>> res = cfa("F =~ a + b + c", df)
    >>> res.fit["df"], res.nobs
    (0, 400)
    """)
