"""Structural equation models in lavaan syntax: ``cfa()`` and ``sem()`` with lavaan's defaults.

Estimators: ML (expected information; observed with FIML), MLR (Huber-White SEs, Yuan-Bentler
scaled chi-square, robust CFI/TLI/RMSEA), GLS and ULS; FIML for incomplete data
(``missing="fiml"``, case-wise likelihood by missing-data pattern, EM saturated model); several
groups (``group=``) with ``group_equal``/``group_partial``; labels, fixed and free values,
equality and inequality constraints (shared labels, ``a == b``, ``l5 + l6 == 2.2``, ``v > 0``),
``:=`` defined parameters (delta-method SEs), lavaan's fit measures,
``std_lv``/``std_all`` standardized solutions, modification indices, and the nonparametric and
Bollen-Stine bootstrap. R: ``lavaan::cfa()``, ``lavaan::sem()``, ``parameterEstimates()``,
``fitMeasures()``, ``standardizedSolution()``.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=(400, 1))
>>> df = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.normal(size=(400, 3)) * 0.6, columns=["a", "b", "c"])
>>> res = cfa("F =~ a + b + c", df)
>>> res.fit["df"], round(res.fit["chisq"], 6)
(0, 0.0)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import EstimationError, PsychometricsError, SEMWarning
from ..results import Summary, jsonable
from . import baseline
from . import model as _model
from .expressions import defined_function
from .fitmeasures import fit_measures, gfi_measures, residual_measures
from .fitmeasures import srmr as _srmr
from .options import ESTIMATORS, Estimator  # noqa: F401  (re-exported)
from .partable import ParTable, build
from .syntax import ModelSyntaxError  # noqa: F401  (re-exported: psychometrics.sem.ModelSyntaxError)


@dataclass(frozen=True)
class SEMResult:
    """A fitted model: ``parameters`` (lavaan's parameterEstimates + std_lv/std_all), ``fit``
    (fitMeasures names with ``.`` as ``_``), ``r2`` (by variable; with several groups by group
    label, then variable), ``converged``, ``meta``."""

    parameters: pd.DataFrame
    fit: dict
    r2: dict
    converged: bool
    estimator: str
    nobs: int
    meta: dict = field(default_factory=dict)
    implied: pd.DataFrame | None = field(default=None, repr=False)
    modindices: pd.DataFrame | None = None
    bootstrap_draws: np.ndarray | None = field(default=None, repr=False)  # draws x (rows + defined) values
    groups: tuple = ("all",)
    group_nobs: tuple = ()
    bollen_stine_chisq: np.ndarray | None = field(default=None, repr=False)   # the draws' chi-squares
    state: dict | None = field(default=None, repr=False, compare=False)        # for predict() / residuals()

    def predict(self, data: pd.DataFrame | None = None,
                method: Literal["regression", "bartlett"] = "regression") -> pd.DataFrame:
        """Factor scores (lavaan's ``lavPredict``): ``"regression"`` (default) or ``"bartlett"``, one
        row per row of ``data`` (default: the data the model was fitted to; rows without a score
        are missing). See :mod:`psychometrics.sem.predict`."""
        from .predict import factor_scores

        if self.state is None:
            raise PsychometricsError("this result holds no model state; refit it")
        if data is None:
            data = self.state.get("data")
            if data is None:
                raise PsychometricsError("the model was fitted from summary statistics: give the data to score")
        return factor_scores(self.state, data, method)

    def residuals(self) -> list[dict]:
        """Residuals (lavaan's ``lavResiduals(fit, type = "raw")``), one dict per group: ``cov``
        (S - Sigma, DataFrame), ``mean`` (xbar - mu with a mean structure), ``cor`` (residual
        correlations), ``cov_z`` and ``mean_z`` (standardized residuals). See
        :func:`psychometrics.sem.predict.residuals`."""
        from .predict import residuals

        if self.state is None:
            raise PsychometricsError("this result holds no model state; refit it")
        names = self.state["pt"].observed
        out = []
        for r in residuals(self.state):
            frame = lambda m: pd.DataFrame(m, index=names, columns=names)  # noqa: E731
            out.append({"cov": frame(r["cov"]), "cor": frame(r["cor"]), "cov_z": frame(r["cov_z"]),
                        "mean": None if r["mean"] is None else pd.Series(r["mean"], index=names),
                        "mean_z": None if r["mean_z"] is None else pd.Series(r["mean_z"], index=names),
                        "note": r.get("note", "")})
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.parameters

    def to_dict(self) -> dict:
        # the JSON contract: 'group' is the group number as lavaan numbers them (1, 2, ...; 0 for
        # := rows), with the labels in 'groups' (the DataFrame keeps the labels, easier to read)
        params = self.parameters.copy()
        number = {lab: i + 1 for i, lab in enumerate(self.groups)}
        params["group"] = [0 if op == ":=" else (number.get(g, 1) if len(self.groups) > 1 else 1)
                           for op, g in zip(params["op"], params["group"])]
        out = {"converged": self.converged, "estimator": self.estimator,
               "nobs": list(self.group_nobs) or [self.nobs], "groups": list(self.groups), "fit": self.fit,
               "parameters": params, "r2": self.r2, "meta": self.meta}
        if self.modindices is not None:
            out["modindices"] = self.modindices
        return jsonable(out)

    def summary(self) -> Summary:
        f = self.fit
        scaled = "chisq_scaled" in f
        groups = ("; groups: " + ", ".join(f"{g} (N = {n})" for g, n in zip(self.groups, self.group_nobs))
                  if len(self.groups) > 1 else "")
        header = [f"estimator {self.estimator}, N = {self.nobs}{groups}, "
                  f"{'converged' if self.converged else 'NOT converged'}",
                  f"chi2({f['df']}) = {f['chisq']:.3f}, p = {f['pvalue']:.3g}; CFI = {f['cfi']:.3f}, "
                  f"TLI = {f['tli']:.3f}; RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_lower']:.3f}, "
                  f"{f['rmsea_ci_upper']:.3f}]; SRMR = {f['srmr']:.3f}"]
        if scaled:
            header.append(f"scaled (Yuan-Bentler, Mplus variant): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                          f"p = {f['pvalue_scaled']:.3g}, scaling factor {f['chisq_scaling_factor']:.3f}; robust "
                          f"CFI = {f['cfi_robust']:.3f}, TLI = {f['tli_robust']:.3f}, RMSEA = {f['rmsea_robust']:.3f}")
        if "bollen_stine_pvalue" in f:
            header.append(f"Bollen-Stine bootstrap p = {f['bollen_stine_pvalue']:.3f}")
        if np.isfinite(f.get("logl", np.nan)):
            header.append(f"logL = {f['logl']:.3f}; AIC = {f['aic']:.3f}; BIC = {f['bic']:.3f}; parameters: {f['npar']}")
        header += [f"psychometrics {__version__}", *[f"note: {n}" for n in self.meta.get("notes", [])]]
        cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all",
                "std_all_se"]
        if len(self.groups) > 1:
            cols.insert(3, "group")
        tables = [("Parameter estimates", self.parameters[cols])]
        if self.r2:
            if len(self.groups) > 1:
                r2 = pd.DataFrame([{"group": g, "variable": v, "r2": x} for g, d in self.r2.items() for v, x in d.items()])
            else:
                r2 = pd.DataFrame({"variable": list(self.r2), "r2": list(self.r2.values())})
            tables.append(("R-squared", r2))
        if self.modindices is not None:
            tables.append(("Modification indices (10 largest)", self.modindices.head(10)))
        return Summary("Structural equation model", header, tables)

    def __str__(self) -> str:
        return str(self.summary())

    def path_diagram(self, path: str | None = None, standardized: bool = True) -> str:
        """Graphviz DOT of the model (latent ovals, observed boxes, directed effects and
        covariances labelled with std_all or raw estimates); written as .dot or, with Graphviz's
        ``dot`` on the PATH, rendered to .svg/.png/.pdf by the file's extension."""
        from .diagram import path_diagram

        return path_diagram(self, path, standardized)


class _Standardizer:
    """std_lv, std_all and R-squared of every parameter-table row for a batch of thetas
    (vectorised over the batch, so the delta method needs one call). Directed effects scale by
    sd(cause)/sd(effect); variances by the total variance; covariances by the residual variances;
    intercepts and means by the total standard deviation (as lavaan)."""

    def __init__(self, pt: ParTable, model: _model.Model, est: np.ndarray):
        self.model = model
        idx = {v: i for i, v in enumerate(model.names)}
        self.kind = np.array([0 if r.op in ("=~", "~") else 3 if r.op == "~1" else (1 if r.lhs == r.rhs else 2)
                              for r in pt.rows])
        self.i = np.array([idx[r.rhs] if r.op == "=~" else idx[r.lhs] for r in pt.rows])
        self.j = np.array([idx[r.lhs] if r.op == "=~" else idx[r.rhs] if r.op != "~1" else idx[r.lhs]
                           for r in pt.rows])
        self.g = np.array([r.group - 1 for r in pt.rows])
        self.free = np.array([r.free - 1 for r in pt.rows])
        self.fixed = est
        self.latent = np.array([v in set(pt.latent) for v in model.names])
        endogenous = {r.lhs for r in pt.rows if r.op == "~"} | {r.rhs for r in pt.rows if r.op == "=~"}
        self.endogenous = [(v, idx[v]) for v in model.names if v in endogenous]

    def _moments(self, thetas: np.ndarray, g: int):
        m = self.model
        A, S, _ = m.matrices(thetas, g)
        M = np.linalg.inv(np.eye(m.nv)[None] - A)
        V = M @ S @ M.transpose(0, 2, 1)
        return S, V, np.sqrt(np.maximum(np.einsum("tii->ti", V), 0))

    def batch(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        thetas = np.atleast_2d(thetas)
        E = np.where(self.free >= 0, thetas[:, np.maximum(self.free, 0)], self.fixed)
        std_all, std_lv = np.empty_like(E), np.empty_like(E)
        for g in range(self.model.n_groups):
            S, V, sd = self._moments(thetas, g)
            sd_lv = np.where(self.latent, sd, 1.0)
            rows = self.g == g
            for kind in range(4):
                sel = rows & (self.kind == kind)
                if not sel.any():
                    continue
                i, j, e = self.i[sel], self.j[sel], E[:, sel]
                if kind == 0:
                    a = e * sd[:, j] / sd[:, i]
                    lv = e * sd_lv[:, j] / sd_lv[:, i]
                elif kind == 1:
                    a = e / V[:, i, i]
                    lv = np.where(self.latent[i], a, e)
                elif kind == 2:
                    a = e / np.sqrt(S[:, i, i] * S[:, j, j])
                    lv = np.where(self.latent[i] & self.latent[j], a, e)
                else:
                    a = e / sd[:, i]
                    lv = np.where(self.latent[i], a, e)
                std_all[:, sel], std_lv[:, sel] = a, lv
        return std_lv, std_all

    def __call__(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lv, a = self.batch(theta[None])
        return lv[0], a[0]

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Analytic d std_all / d theta (rows x free parameters). With V = MSM' the total
        covariance, dV_aa/dtheta_k = 2 c_k Vb[a, u_k] Vb[a, v_k] for Vb = [M, V] (the rank-two
        structure of the model's derivatives), then the quotient rule per kind of row."""
        m = self.model
        R = len(self.kind)
        J = np.zeros((R, m.n_free))
        E = np.where(self.free >= 0, theta[np.maximum(self.free, 0)], self.fixed)
        for g in range(m.n_groups):
            A, S, _ = m.matrices(theta, g)
            M = np.linalg.inv(np.eye(m.nv) - A)
            V = M @ S @ M.T
            sd = np.sqrt(np.maximum(np.diag(V), 0))
            x = m.groups[g]
            Vb = np.hstack([M, V])
            dV = (2 * x["c"] * Vb[:, x["u"]] * Vb[:, x["v"]]) @ x["Z"]          # d V_aa / d theta
            dsd = dV / (2 * sd[:, None])
            dSd = np.zeros((m.nv, m.n_free))
            diag_s = x["S"] & (x["i"] == x["j"])
            dSd[x["i"][diag_s], x["k"][diag_s]] = 1.0
            for kind in range(4):
                sel = np.flatnonzero((self.g == g) & (self.kind == kind))
                if not len(sel):
                    continue
                i, j, e = self.i[sel], self.j[sel], E[sel][:, None]
                one = np.zeros((len(sel), m.n_free))
                fr = self.free[sel] >= 0
                one[np.flatnonzero(fr), self.free[sel][fr]] = 1.0
                if kind == 0:
                    si, sj = sd[i][:, None], sd[j][:, None]
                    J[sel] = one * sj / si + e * (dsd[j] / si - sj * dsd[i] / si ** 2)
                elif kind == 1:
                    vi = V[i, i][:, None]
                    J[sel] = one / vi - e * dV[i] / vi ** 2
                elif kind == 2:
                    q = np.sqrt(S[i, i] * S[j, j])[:, None]
                    J[sel] = one / q - e / (2 * q) * (dSd[i] / S[i, i][:, None] + dSd[j] / S[j, j][:, None])
                else:
                    si = sd[i][:, None]
                    J[sel] = one / si - e * dsd[i] / si ** 2
        return J

    def r2(self, theta: np.ndarray, g: int = 0) -> dict:
        S, V, _ = self._moments(theta[None], g)
        return {v: float(1 - S[0, k, k] / V[0, k, k]) for v, k in self.endogenous}


def _batched_jacobian(f, theta: np.ndarray) -> np.ndarray:
    """d f(theta) / d theta by central differences, f evaluated once on the stacked perturbations
    (f maps (T, k) to (T, outputs)); rows of the result are outputs."""
    k = len(theta)
    h = 1e-6 * np.maximum(1.0, np.abs(theta))
    P = np.vstack([theta + np.diag(h), theta - np.diag(h)])
    out = f(P)
    return ((out[:k] - out[k:]) / (2 * h)[:, None]).T


def sem(model: str, data: pd.DataFrame, estimator: Estimator = "ML", std_lv: bool = False,
        missing: Literal["listwise", "fiml"] = "listwise", group: str | None = None,
        group_equal: str | tuple[str, ...] = (), group_partial: str | tuple[str, ...] = (),
        information: Literal["expected", "observed"] | None = None, level: float = 0.95, modindices: bool = False,
        bootstrap: int = 0, ci: Literal["perc", "bc", "bca"] = "perc", bollen_stine: int = 0,
        seed: int | None = None, progress: bool = True, n_jobs: int = 1, fixed_x: bool | None = None,
        orthogonal: bool = False, meanstructure: bool | None = None,
        sample_cov: pd.DataFrame | dict | list | None = None, sample_nobs: int | list | dict | None = None,
        sample_mean: pd.Series | dict | list | None = None) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (lavaan's ``sem()`` defaults).

    Parameters
    ----------
    model
        lavaan model syntax.
    data
        Observed variables as columns (other columns are ignored).
    estimator
        ``"ML"`` (normal-theory maximum likelihood), ``"MLR"`` (ML estimates with Huber-White SEs,
        Yuan-Bentler scaled chi-square and robust CFI/TLI/RMSEA; complete data), ``"GLS"``, ``"ULS"``
        (single group, complete data).
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
    information
        ``"expected"`` or ``"observed"``; default as lavaan: expected, observed with FIML or MLR.
    bootstrap, ci, seed, progress, n_jobs
        Nonparametric bootstrap with this many draws: SEs are the SD of the draws and intervals are
        ``"perc"`` (percentile, lavaan's default), ``"bc"`` (bias-corrected, lavaan's ``bca.simple``)
        or ``"bca"`` (with jackknife acceleration); seedable (the same draws whatever ``n_jobs``),
        with a progress bar; ``n_jobs`` worker processes (-1: all cores).
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

    Raises
    ------
    ModelSyntaxError
        Unreadable syntax or a variable that is neither latent nor in the data (exit 2).
    EstimationError
        Not identified, or the estimation failed (exit 3).

    Notes
    -----
    R: ``lavaan::sem(model, data, estimator=, missing=, group=, group.equal=, group.partial=)``.
    """
    from .options import settle

    opt = settle(estimator, missing, information, fixed_x, bootstrap, bollen_stine)
    est_name, fiml = opt.estimator, opt.fiml
    group_equal, group_partial = _split_option(group_equal), _split_option(group_partial)
    from .samplestats import from_data, from_moments, split_groups, summary_input

    summary = None
    if sample_cov is not None:
        if data is not None:
            raise PsychometricsError("give either data or sample_cov (with sample_nobs), not both")
        summary = summary_input(sample_cov, sample_nobs, sample_mean)
        labels, columns, gcode = summary.labels, summary.columns, None
        if opt.robust or fiml or bootstrap or bollen_stine:
            raise PsychometricsError("MLR, missing='fiml' and the bootstrap need the raw data; with sample_cov use "
                                     "estimator ML, GLS or ULS")
    else:
        if data is None:
            raise PsychometricsError("no data: give a DataFrame, or sample_cov and sample_nobs")
        labels, gcode = split_groups(data, group)
        columns = [str(c) for c in data.columns if c != group]
    pt = build(model, columns, std_lv=std_lv, meanstructure=bool(fiml or meanstructure), n_groups=len(labels),
               group_equal=group_equal, group_partial=group_partial, fixed_x=opt.fixed_x, orthogonal=orthogonal)
    if meanstructure is False and pt.meanstructure and (fiml or len(labels) > 1):
        raise PsychometricsError("meanstructure=False is not possible with missing='fiml' or several groups")
    stats_ = from_moments(summary, pt, est_name) if summary is not None else from_data(data, pt, group, gcode,
                                                                                        labels, fiml)
    X_groups, blocks, notes = stats_.X_groups, stats_.blocks, stats_.notes
    for note in pt.notes:
        warnings.warn(f"SEM: {note}", SEMWarning, stacklevel=2)
    notes = pt.notes + notes
    _check_scales(pt, stats_.variances, notes)
    f = _prepare(pt, X_groups, blocks, labels, opt)
    _estimate(f, notes)
    cov, robust = _covariance(f, opt.information)
    params, r2, draws = _parameters(f, cov, level, bootstrap, ci, seed, progress, n_jobs, notes)
    _improper(f, params, notes)
    fit, bs_draws = _fit_statistics(f, robust, bollen_stine, seed, progress, n_jobs, notes)
    mi = None
    if modindices:
        if not opt.likelihood or f.cons is not None:
            notes.append("modification indices are computed for ML/MLR without constraints beyond shared labels "
                         "(so far)")
        else:
            from .modindices import modification_indices

            mi = modification_indices(pt, f.mdl, f.theta, blocks, f.c0, f.N, labels if f.G > 1 else None, f.S_g,
                                      f.mean_g)
    meta = {"package_version": __version__, "data_sha256": stats_.fingerprint,
            "input": "sample_cov" if summary is not None else "data",
            "estimator": est_name, "information": opt.information, "se": opt.se, "test": opt.test,
            "missing": missing, "fixed_x": opt.fixed_x,
            "group": group, "group_equal": list(group_equal), "group_partial": list(group_partial),
            "bootstrap": bootstrap, "ci": ci if bootstrap else "normal", "seed": seed, "model": model,
            "optimizer": f.msg, "notes": notes}
    implied = pd.DataFrame(f.mdl.implied(f.theta, 0), index=pt.observed, columns=pt.observed)
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=f.ok, estimator=est_name, nobs=f.N, meta=meta,
                     implied=implied, modindices=mi, bootstrap_draws=draws, groups=tuple(labels),
                     group_nobs=tuple(f.group_n), bollen_stine_chisq=bs_draws,
                     state={"pt": pt, "model": f.mdl, "theta": f.theta, "means": f.mean_g, "S": f.S_g,
                            "labels": labels, "group": group, "fiml": fiml, "data": data,
                            "blocks": blocks, "est": est_name, "N": f.N, "group_n": f.group_n})


def _split_option(value) -> tuple[str, ...]:
    """group_equal / group_partial as a tuple (a comma-separated string or any sequence)."""
    if isinstance(value, str):
        return tuple(x.strip() for x in value.split(",") if x.strip())
    return tuple(value)


@dataclass
class _Fit:
    """What the steps of one fit share: data blocks, sample moments, the model and its estimates."""

    pt: ParTable
    mdl: _model.Model
    blocks: list
    X_groups: list
    labels: list
    opt: object
    S_g: list
    mean_g: list
    c0: float
    logl_h1: float
    logl_b: float | None
    df: int
    cons: object = None
    active: np.ndarray | None = None
    theta: np.ndarray | None = None
    fmin: float = float("nan")
    ok: bool = False
    msg: str = ""
    Vw: list | None = None                # least-squares weights per group (GLS/ULS)
    S_ls: list | None = None              # unbiased covariances per group (GLS/ULS)
    svecs: list | None = None             # sample-moment vectors per group (GLS/ULS)

    @property
    def est(self) -> str:
        return self.opt.estimator

    @property
    def estimator(self):
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
    f = _Fit(pt, _model.Model(pt, S_g, mean_g), blocks, X_groups, labels, opt, S_g, mean_g, c0, logl_h1,
             logl_b, ndat - pt.n_free)
    if pt.constraints:
        from .constraints import Constraints
        from .expressions import constraint_function

        if opt.least_squares:
            raise PsychometricsError(f"constraints other than 'a == b' with estimator {opt.estimator} are not available "
                                     "yet; use ML or MLR")
        f.cons = Constraints(*constraint_function(pt))
        f.df += f.cons.n_eq          # lavaan: each equality constraint adds a degree of freedom
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


def _covariance(f: _Fit, information: str) -> tuple[np.ndarray, dict | None]:
    """Covariance of the free parameters: inverse information / N (expected, observed; bordered
    under constraints), the MLR sandwich, or lavaan's least-squares SEs."""
    mdl, theta = f.mdl, f.theta
    info = f.estimator.information(f, information)
    if f.cons is not None:      # constrained: the bordered inverse (singular if not identified)
        from .constraints import bordered_inverse

        info_inv = bordered_inverse(info, f.cons.jacobian(theta)[f.active])
    else:
        _check_identified(f.pt, info)
        info_inv = np.linalg.inv(info)
    if f.opt.robust:
        from .robust import mlr

        exo = [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else []
        df_b = baseline.degrees_of_freedom(f.pt, f.opt, f.G)
        robust = mlr(mdl, f.blocks, theta, info, f.df, df_b, Ainv=info_inv, fiml_c0=f.c0 if f.fiml else None,
                     exo=exo, moments=(f.S_g, f.mean_g))
        return robust["cov"], robust
    return info_inv / f.estimator.se_divisor(f), None


def _parameters(f: _Fit, cov: np.ndarray, level: float, bootstrap: int, ci: str, seed, progress: bool,
                n_jobs: int, notes: list[str]):
    """The parameter table (estimates, SEs, Wald or bootstrap intervals, standardized solutions with
    delta-method SEs, ``:=`` rows), R-squared and the bootstrap draws."""
    from scipy import stats

    pt, mdl, theta, labels, G = f.pt, f.mdl, f.theta, f.labels, f.G
    se_free = np.sqrt(np.maximum(np.diag(cov), 0))
    if f.cons is not None:     # a parameter held at an active inequality bound has no SE (as lavaan)
        J = f.cons.jacobian(theta)
        for i in np.flatnonzero(f.active & ~f.cons.eq):
            se_free[np.abs(J[i]) > 1e-8] = np.nan
    est = np.array([theta[r.free - 1] if r.free else _fixed_value(mdl, k) for k, r in enumerate(pt.rows)])
    se = np.array([se_free[r.free - 1] if r.free else 0.0 for r in pt.rows])
    standardize = _Standardizer(pt, mdl, est)
    std_lv_v, std_all_v = standardize(theta)
    r2 = {labels[g]: standardize.r2(theta, g) for g in range(G)}
    r2 = r2[labels[0]] if G == 1 else r2
    Js = standardize.jacobian(theta)
    std_all_se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Js, cov, Js), 0))
    defined_at = defined_function(pt)
    cols = {"lhs": [r.lhs for r in pt.rows], "op": [r.op for r in pt.rows], "rhs": [r.rhs for r in pt.rows],
            "group": [labels[r.group - 1] if G > 1 else 1 for r in pt.rows], "label": [r.label for r in pt.rows],
            "free": [r.free for r in pt.rows], "est": est, "se": se, "std_lv": std_lv_v, "std_all": std_all_v,
            "std_all_se": std_all_se}
    if pt.defined:
        Gd = _batched_jacobian(defined_at, theta)
        nd = len(pt.defined)
        # standardized := parameters (lavaan's standardizedSolution): the expression evaluated on the
        # standardized values of the parameters it names, delta-method SEs through both Jacobians
        first = np.zeros(pt.n_free, dtype=int)
        for k in range(len(pt.rows) - 1, -1, -1):
            if pt.rows[k].free:
                first[pt.rows[k].free - 1] = k
        std_point_all, std_point_lv = std_all_v[first], std_lv_v[first]
        G_std = _batched_jacobian(defined_at, std_point_all) @ Js[first]
        extra = {"lhs": [d.lhs for d in pt.defined], "op": [":="] * nd, "rhs": [d.expression for d in pt.defined],
                 "group": [0] * nd, "label": [d.lhs for d in pt.defined], "free": [0] * nd, "est": defined_at(theta),
                 "se": np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Gd, cov, Gd), 0)),
                 "std_lv": defined_at(std_point_lv), "std_all": defined_at(std_point_all),
                 "std_all_se": np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", G_std, cov, G_std), 0))}
        cols = {k: (list(v) + list(extra[k])) if isinstance(v, list) else np.concatenate([v, extra[k]])
                for k, v in cols.items()}
    cols["ci_lower"], cols["ci_upper"] = _wald_ci(cols["est"], cols["se"], stats.norm.ppf(1 - (1 - level) / 2))
    draws = None
    if bootstrap:
        from .bootstrap import bootstrap as run_bootstrap

        def all_values(th):
            th = np.atleast_2d(th)
            row_values = np.where(standardize.free >= 0, th[:, np.maximum(standardize.free, 0)], est)
            return np.hstack([row_values, defined_at(th)]) if pt.defined else row_values

        bs = run_bootstrap(mdl, f.X_groups, theta, all_values, bootstrap, seed, level, ci, progress, n_jobs, f.cons)
        free = np.array([bool(r.free) for r in pt.rows] + [True] * len(pt.defined))
        cols["se"] = np.where(free, bs["se"], cols["se"])
        cols["ci_lower"] = np.where(free, bs["ci"][:, 0], cols["ci_lower"])
        cols["ci_upper"] = np.where(free, bs["ci"][:, 1], cols["ci_upper"])
        draws = bs["draws"]
        notes.append(f"bootstrap: {bootstrap} draws (seed {seed}), {bs['failed']} failed and left out; "
                     f"{ {'perc': 'percentile', 'bc': 'bias-corrected', 'bca': 'BCa'}[ci] } intervals")
    return _table(cols), r2, draws


def _improper(f: _Fit, params: pd.DataFrame, notes: list[str]) -> None:
    """Heywood cases and a non-positive-definite latent covariance matrix: a note and a warning."""
    op, lhs, rhs = (params[c].to_numpy(dtype=object) for c in ("op", "lhs", "rhs"))
    bad = (op == "~~") & (lhs == rhs) & (params["est"].to_numpy(dtype=float) < 0)
    neg = sorted(set(lhs[bad]))
    if neg:
        notes.append("negative variance (Heywood case): " + ", ".join(neg))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper", SEMWarning, stacklevel=3)
    lv_neg = [lab for g, lab in enumerate(f.labels)
              if f.pt.latent and np.linalg.eigvalsh(_latent_cov(f.mdl, f.theta, g)).min() < -1e-10]
    if lv_neg and not neg:
        notes.append("the covariance matrix of the latent variables is not positive definite"
                     + ("" if f.G == 1 else f" (group {', '.join(lv_neg)})"))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper", SEMWarning, stacklevel=3)


def _fit_statistics(f: _Fit, robust: dict | None, bollen_stine: int, seed, progress: bool, n_jobs: int,
                    notes: list[str]) -> tuple[dict, np.ndarray | None]:
    """Test statistics of the model and the baseline, then lavaan's fit measures (and the
    Bollen-Stine p-value when asked)."""
    mdl, theta, G, N = f.mdl, f.theta, f.G, f.N
    Sigmas = [mdl.implied(theta, g) for g in range(G)]
    mus = [mdl.moments(theta, g)["mu"] for g in range(G)]
    logl = -N / 2 * (f.fmin + f.c0 + f.log2pi_terms) if f.estimator.likelihood else _ml_loglik(f.blocks, Sigmas)
    chisq, chisq_b, fmin = f.estimator.statistics(f, logl)
    df_b = baseline.degrees_of_freedom(f.pt, f.opt, f.G)
    logl_h1 = f.logl_h1
    if f.pt.exo_x and f.pt.fixed_x and f.opt.likelihood:
        # lavaan (fixed.x): the log-likelihood is conditional on the covariates (less their own part)
        logl_x = _exo_loglik(f)
        logl, logl_h1 = logl - logl_x, logl_h1 - logl_x
    fit = fit_measures(chisq=chisq, df=f.df, npar=f.pt.n_free - (f.cons.n_eq if f.cons else 0), n=N,
                       n_rmsea=N - G if f.opt.least_squares else N,      # lavaan: N - G without a likelihood
                       n_groups=G, chisq_b=chisq_b, df_b=df_b, logl=logl, logl_h1=logl_h1, fmin=fmin / 2,
                       srmr=_srmr(f.estimator.sample_covariances(f), Sigmas,
                                  f.mean_g if f.pt.meanstructure else None, mus, np.array(f.group_n) / N),
                       scaling=robust["scaling"] if robust else None,
                       scaling_b=robust["scaling_baseline"] if robust else None)
    S_fit = f.estimator.sample_covariances(f)
    w = np.array(f.group_n) / N
    means = f.mean_g if f.pt.meanstructure else None
    fit.update(residual_measures(S_fit, Sigmas, means, mus, w))
    fit.update(gfi_measures(S_fit, Sigmas, means, mus, w, f.df,
                            [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else [],
                            f.opt.weight))
    if f.opt.least_squares:
        fit["bic2"] = float("nan")     # no likelihood (lavaan: NA)
    if not f.opt.chisq_distributed:   # ULS: N - G times the discrepancy is not chi-square (lavaan: NA)
        fit["pvalue"] = fit["baseline_pvalue"] = float("nan")
    if f.fiml:
        # lavaan's robust CFI/TLI/RMSEA under FIML (with ML too): Zhang & Savalei's (2023) FIML-corrected
        # statistic on the EM moments, not the complete-data formulas
        from .fiml_robust import corrected
        from .fitmeasures import _cfi_tli, _rmsea

        exo = [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else []
        z = corrected(mdl, theta, f.blocks, f.c0, f.S_g, f.mean_g, f.group_n, f.df, fit["baseline_df"], exo,
                      robust=robust is not None)
        cfi_r, tli_r = _cfi_tli(z["x3"], f.df, z["x3_b"], fit["baseline_df"], z["c3"], z["c3_b"])
        rr = _rmsea(z["x3"], f.df, N, G, z["c3"])
        fit.update({"cfi_robust": cfi_r, "tli_robust": tli_r, "rmsea_robust": rr["rmsea"],
                    "rmsea_ci_lower_robust": rr["lo"], "rmsea_ci_upper_robust": rr["hi"],
                    "rmsea_pvalue_robust": rr["p"]})
        notes.append("robust CFI/TLI/RMSEA under FIML: Zhang & Savalei's (2023) corrections, as lavaan")
    if not bollen_stine:
        return fit, None
    from .bootstrap import bollen_stine as run_bs

    bsp = run_bs(mdl, f.X_groups, theta, Sigmas, mus, chisq, bollen_stine, seed, progress, n_jobs, f.cons)
    fit["bollen_stine_pvalue"] = bsp["pvalue"]
    fit["bollen_stine_draws"] = bsp["used"]
    notes.append(f"Bollen-Stine bootstrap: {bollen_stine} draws (seed {seed}), {bsp['failed']} failed")
    return fit, bsp["draws"]


def _check_scales(pt: ParTable, var: np.ndarray, notes: list[str]) -> None:
    """lavaan's warning: observed variances a factor 1000 or more apart make the estimation
    numerically harder (our optimizer is scale-free, but SEs and fit are still worth a look)."""
    ok = np.isfinite(var) & (var > 0)
    if ok.sum() > 1 and var[ok].max() >= 1000 * var[ok].min():
        lo = int(np.flatnonzero(ok)[np.argmin(var[ok])])
        hi = int(np.flatnonzero(ok)[np.argmax(var[ok])])
        var = var[ok]
        notes.append(f"observed variances differ by a factor of {var.max() / var.min():.0f} ({pt.observed[hi]}: "
                     f"{var.max():.4g}, {pt.observed[lo]}: {var.min():.4g}); consider rescaling (e.g. dividing "
                     f"{pt.observed[hi]} by {10 ** int(np.log10(np.sqrt(var.max() / var.min())))}) so that "
                     "estimates and SEs are easier to read")
        warnings.warn(f"SEM: {notes[-1]}", SEMWarning, stacklevel=3)


def _check_identified(pt: ParTable, info: np.ndarray) -> None:
    """Refuse a singular information matrix, judged scale-free (on the information scaled to unit
    diagonal, so that variables measured in hundreds do not look unidentified), naming the
    parameters that cannot be told apart (the largest entries of the null direction)."""
    d = np.sqrt(np.clip(np.diag(info), 0, None))
    names = {}
    for r in pt.rows:
        if r.free and r.free not in names:
            names[r.free] = f"{r.lhs} {r.op} {r.rhs}".strip() + (f" (group {r.group})" if pt.n_groups > 1 else "")
    if (d <= 0).any():
        bad = [names[k + 1] for k in np.flatnonzero(d <= 0)]
        raise EstimationError("the model is not identified: the data carry no information on " + ", ".join(bad[:5])
                              + "; fix or remove these parameters")
    R = info / np.outer(d, d)
    if np.linalg.eigvalsh(R)[0] < 1e-10:
        ev, vec = np.linalg.eigh(R)
        v = np.abs(vec[:, 0])
        worst = [names[k + 1] for k in np.argsort(-v)[:4] if v[k] > 0.1]
        raise EstimationError("the model is not identified: the information matrix is singular; these parameters "
                              "cannot be told apart: " + ", ".join(worst) + ". Fix a loading or a variance, or add "
                              "constraints")


def _exo_loglik(f: _Fit) -> float:
    """Normal log-likelihood of the fixed exogenous covariates at their sample moments, summed over
    groups (their rows are complete)."""
    ix = [f.pt.observed.index(v) for v in f.pt.exo_x]
    k = len(ix)
    ll = 0.0
    for g in range(f.G):
        C = f.S_g[g][np.ix_(ix, ix)]
        n = f.group_n[g]
        ll -= 0.5 * n * (k * math.log(2 * math.pi) + np.linalg.slogdet(C)[1] + k)
    return float(ll)


def _fixed_value(mdl: _model.Model, k: int) -> float:
    g, mat, i, j, _ = mdl.pos[mdl.row_pos[k]]
    return float(mdl.A_fixed[g][i, j] if mat == 0 else mdl.S_fixed[g][i, j] if mat == 1 else mdl.m_fixed[g][i])


def _latent_cov(mdl: _model.Model, theta: np.ndarray, g: int) -> np.ndarray:
    V = mdl.total_cov(theta, g)
    return V[mdl.n_obs:, mdl.n_obs:]


def _ml_loglik(blocks, Sigmas) -> float:
    ll = 0.0
    for b in blocks:
        Sg = Sigmas[b.group]
        ll -= b.n / 2 * (len(Sg) * math.log(2 * math.pi) + np.linalg.slogdet(Sg)[1] + np.trace(b.S @ np.linalg.inv(Sg)))
    return float(ll)


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
    return pd.DataFrame({k: (pd.Series(data[k], dtype=object) if k in ("lhs", "op", "rhs", "label", "group")
                             else data[k]) for k in order})


def cfa(model: str, data: pd.DataFrame, **kw) -> SEMResult:
    """Confirmatory factor analysis (lavaan's ``cfa()``; the same defaults as :func:`sem` here)."""
    return sem(model, data, **kw)


from .._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "sem")      # psychometrics.sem(model, data) and psychometrics.sem.partable
