"""Structural equation models in lavaan syntax: ``cfa()`` and ``sem()`` with lavaan's defaults.

This first version fits single-group models to complete data by maximum likelihood (standard
errors from the expected information), with labels, fixed and free values, equality constraints
(shared labels or ``a == b``), ``:=`` defined parameters (delta-method SEs), lavaan's fit
measures, and the ``std_lv``/``std_all`` standardized solutions. R: ``lavaan::cfa()``,
``lavaan::sem()``, ``parameterEstimates()``, ``fitMeasures()``, ``standardizedSolution()``.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=(400, 1))
>>> df = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.normal(size=(400, 3)) * 0.6, columns=["a", "b", "c"])
>>> res = cfa("F =~ a + b + c", df)
>>> res.fit["df"], round(res.fit["chisq"], 6)
(0, 0.0)
"""

from __future__ import annotations

import ast
import operator
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import EstimationError, PsychometricsError, PsychometricsWarning
from ..io import frame_sha256
from ..results import Summary, jsonable
from . import model as _model
from .fitmeasures import fit_measures
from .partable import ParTable, build
from .syntax import ModelSyntaxError


class SEMWarning(PsychometricsWarning):
    """A fitted model needs attention (non-convergence, negative variance, non-positive-definite matrix)."""


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def _evaluate(expr: str, values: dict[str, float]) -> float:
    """Arithmetic on labels (``a*b``, ``c + a*b``, ``a^2``): no names other than labels, no calls."""
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.operand))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ModelSyntaxError(f"':=' uses '{node.id}', which is not a parameter label or defined parameter")
            return values[node.id]
        raise ModelSyntaxError(f"':=' expression '{expr}' may only use labels, numbers and + - * / ^")
    return ev(ast.parse(expr.replace("^", "**"), mode="eval"))


@dataclass(frozen=True)
class SEMResult:
    """A fitted model: ``parameters`` (lavaan's parameterEstimates + std_lv/std_all), ``fit``
    (fitMeasures names with ``.`` as ``_``), ``r2``, ``converged``, ``meta``."""

    parameters: pd.DataFrame
    fit: dict
    r2: dict
    converged: bool
    estimator: str
    nobs: int
    meta: dict = field(default_factory=dict)
    implied: pd.DataFrame | None = field(default=None, repr=False)
    modindices: pd.DataFrame | None = None
    bootstrap_draws: np.ndarray | None = field(default=None, repr=False)  # draws x (free + defined) values

    def to_frame(self) -> pd.DataFrame:
        return self.parameters

    def to_dict(self) -> dict:
        out = {"converged": self.converged, "estimator": self.estimator, "nobs": [self.nobs],
               "groups": ["all"], "fit": self.fit, "parameters": self.parameters, "r2": self.r2, "meta": self.meta}
        if self.modindices is not None:
            out["modindices"] = self.modindices
        return jsonable(out)

    def summary(self) -> Summary:
        f = self.fit
        header = [f"estimator {self.estimator}, N = {self.nobs}, {'converged' if self.converged else 'NOT converged'}",
                  f"chi2({f['df']}) = {f['chisq']:.3f}, p = {f['pvalue']:.3g}; CFI = {f['cfi']:.3f}, "
                  f"TLI = {f['tli']:.3f}; RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci_lower']:.3f}, "
                  f"{f['rmsea_ci_upper']:.3f}]; SRMR = {f['srmr']:.3f}",
                  f"logL = {f['logl']:.3f}; AIC = {f['aic']:.3f}; BIC = {f['bic']:.3f}; parameters: {f['npar']}",
                  f"psychometrics {__version__}", *[f"note: {n}" for n in self.meta.get("notes", [])]]
        cols = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all",
                "std_all_se"]
        tables = [("Parameter estimates", self.parameters[cols])]
        if self.r2:
            tables.append(("R-squared", pd.DataFrame({"variable": list(self.r2), "r2": list(self.r2.values())})))
        if self.modindices is not None:
            tables.append(("Modification indices (10 largest)", self.modindices.head(10)))
        return Summary("Structural equation model", header, tables)

    def __str__(self) -> str:
        return str(self.summary())


class _Standardizer:
    """std_lv, std_all and R-squared of every parameter-table row at any theta (vectorised, so the
    delta method can call it once per derivative). Directed effects scale by sd(cause)/sd(effect);
    variances by the total variance; covariances by the residual variances (as lavaan)."""

    def __init__(self, pt: ParTable, ram, est: np.ndarray):
        self.ram = ram
        idx = {v: i for i, v in enumerate(ram.names)}
        self.kind = np.array([0 if r.op in ("=~", "~") else (1 if r.lhs == r.rhs else 2) for r in pt.rows])
        self.i = np.array([idx[r.rhs] if r.op == "=~" else idx[r.lhs] for r in pt.rows])
        self.j = np.array([idx[r.lhs] if r.op == "=~" else idx[r.rhs] for r in pt.rows])
        self.free = np.array([r.free - 1 for r in pt.rows])
        self.fixed = est
        self.latent = np.array([v in set(pt.latent) for v in ram.names])
        endogenous = {r.lhs for r in pt.rows if r.op == "~"} | {r.rhs for r in pt.rows if r.op == "=~"}
        self.endogenous = [(v, idx[v]) for v in ram.names if v in endogenous]

    def _moments(self, theta):
        A, S = self.ram.matrices(theta)
        M = np.linalg.inv(np.eye(len(A)) - A)
        V = M @ S @ M.T
        return S, V, np.sqrt(np.maximum(np.diag(V), 0))

    def __call__(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = np.where(self.free >= 0, theta[np.maximum(self.free, 0)], self.fixed)
        S, V, sd = self._moments(theta)
        sd_lv = np.where(self.latent, sd, 1.0)
        i, j, kind = self.i, self.j, self.kind
        std_all, std_lv = np.empty(len(e)), np.empty(len(e))
        d, v, c = kind == 0, kind == 1, kind == 2
        std_all[d] = e[d] * sd[j[d]] / sd[i[d]]
        std_lv[d] = e[d] * sd_lv[j[d]] / sd_lv[i[d]]
        std_all[v] = e[v] / V[i[v], i[v]]
        std_lv[v] = np.where(self.latent[i[v]], std_all[v], e[v])
        std_all[c] = e[c] / np.sqrt(S[i[c], i[c]] * S[j[c], j[c]])
        std_lv[c] = np.where(self.latent[i[c]] & self.latent[j[c]], std_all[c], e[c])
        return std_lv, std_all

    def r2(self, theta: np.ndarray) -> dict:
        S, V, _ = self._moments(theta)
        return {v: float(1 - S[k, k] / V[k, k]) for v, k in self.endogenous}


def _central_jacobian(f, theta: np.ndarray) -> np.ndarray:
    """d f(theta) / d theta by central differences (rows: outputs of f)."""
    cols = []
    for k in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        cols.append((f(tp) - f(tm)) / (2 * h))
    return np.column_stack(cols)


def _defined_values(pt: ParTable, theta: np.ndarray) -> np.ndarray:
    """Values of the ``:=`` parameters at theta (each may use labels and earlier defined parameters)."""
    vals = {lab: theta[k - 1] for lab, k in pt.labels().items()}
    for d in pt.defined:
        vals[d.lhs] = _evaluate(d.expression, vals)
    return np.array([vals[d.lhs] for d in pt.defined])


def sem(model: str, data: pd.DataFrame, estimator: str = "ML", std_lv: bool = False, missing: str = "listwise",
        level: float = 0.95, modindices: bool = False, bootstrap: int = 0,
        ci: Literal["perc", "bc", "bca"] = "perc", seed: int | None = None, progress: bool = True) -> SEMResult:
    """Fit a structural equation model written in lavaan syntax (lavaan's ``sem()`` defaults).

    Parameters
    ----------
    model
        lavaan model syntax.
    data
        Observed variables as columns (other columns are ignored).
    estimator
        ``"ML"`` (more estimators come with later versions).
    std_lv
        Identify latent variables by fixing their variances to 1 instead of the first loading.
    missing
        ``"listwise"``: rows with a missing model variable are left out (the number is reported).
    bootstrap, ci, seed, progress
        Nonparametric bootstrap with this many draws: SEs are the SD of the draws and intervals are
        ``"perc"`` (percentile, lavaan's default), ``"bc"`` (bias-corrected, lavaan's ``bca.simple``)
        or ``"bca"`` (with jackknife acceleration); seedable, with a progress bar.
    modindices
        Also compute modification indices and expected parameter changes for omitted loadings and
        residual covariances of observed variables (lavaan's ``modindices()``).

    Raises
    ------
    ModelSyntaxError
        Unreadable syntax or a variable that is neither latent nor in the data (exit 2).
    EstimationError
        Not identified, or the estimation failed (exit 3).
    """
    from scipy import stats

    if estimator.upper() != "ML":
        raise PsychometricsError(f"estimator {estimator!r} is not available yet; use 'ML'")
    if missing != "listwise":
        raise PsychometricsError("missing='fiml' is not available yet; use 'listwise'")
    pt = build(model, [str(c) for c in data.columns], std_lv=std_lv)
    X = data[pt.observed].apply(pd.to_numeric, errors="coerce")
    complete = X.notna().all(axis=1)
    notes = []
    if not complete.all():
        notes.append(f"listwise: {int((~complete).sum())} of {len(X)} rows with a missing model variable left out")
    X = X[complete].to_numpy(dtype=float)
    n, p = X.shape
    if n <= p:
        raise EstimationError(f"only {n} complete rows for {p} observed variables")
    S_obs = np.cov(X, rowvar=False, ddof=0)
    if np.linalg.eigvalsh(S_obs).min() <= 1e-12:
        raise EstimationError("the sample covariance matrix is not positive definite (a variable is constant or a "
                              "linear combination of others)")
    ram = _model.build_ram(pt, S_obs)
    df = p * (p + 1) // 2 - pt.n_free
    if df < 0:
        raise EstimationError(f"the model is not identified: {pt.n_free} free parameters for {p * (p + 1) // 2} "
                              f"variances and covariances (degrees of freedom {df}); fix or constrain parameters")
    theta0 = _model.start_values(pt, ram, S_obs)
    theta, fmin, ok, msg = _model.fit_ml(ram, S_obs, theta0)
    if not ok:
        notes.append(f"the optimiser did not converge ({msg})")
        warnings.warn(f"SEM: {notes[-1]}; estimates are unreliable", SEMWarning, stacklevel=2)
    info = _model.expected_information(ram, theta)
    ev = np.linalg.eigvalsh(info)
    if ev.min() < 1e-10 * max(ev.max(), 1):
        raise EstimationError("the model is not identified: the information matrix is singular (a parameter "
                              "cannot be told apart from others); fix a loading or a variance, or add constraints")
    cov = np.linalg.inv(info) / n
    se_free = np.sqrt(np.maximum(np.diag(cov), 0))
    est = np.array([theta[r.free - 1] if r.free else (ram.S_fixed[ram.names.index(r.lhs), ram.names.index(r.rhs)]
                                                       if r.fixed_x else (r.value if r.value is not None else 0.0))
                    for r in pt.rows])
    se = np.array([se_free[r.free - 1] if r.free else 0.0 for r in pt.rows])
    standardize = _Standardizer(pt, ram, est)
    std_lv_v, std_all_v = standardize(theta)
    r2 = standardize.r2(theta)
    # delta method: J Cov J' with J the Jacobian of the std_all estimates
    J = _central_jacobian(lambda th: standardize(th)[1], theta)
    std_all_se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, cov, J), 0))
    zq = stats.norm.ppf(1 - (1 - level) / 2)
    rows = []
    for r, e, s, slv, sall, sall_se in zip(pt.rows, est, se, std_lv_v, std_all_v, std_all_se):
        z = e / s if s > 0 else np.nan
        rows.append({"lhs": r.lhs, "op": r.op, "rhs": r.rhs, "group": 1, "label": r.label, "free": r.free,
                     "est": e, "se": s, "z": z, "pvalue": 2 * stats.norm.sf(abs(z)) if s > 0 else np.nan,
                     "ci_lower": e - zq * s if s > 0 else e, "ci_upper": e + zq * s if s > 0 else e,
                     "std_lv": slv, "std_all": sall, "std_all_se": sall_se})
    # defined parameters, delta method
    if pt.defined:
        base = _defined_values(pt, theta)
        G = _central_jacobian(lambda th: _defined_values(pt, th), theta)
        for d, e, g in zip(pt.defined, base, G):
            s_ = float(np.sqrt(max(g @ cov @ g, 0)))
            z = e / s_ if s_ > 0 else np.nan
            rows.append({"lhs": d.lhs, "op": ":=", "rhs": d.expression, "group": 0, "label": d.lhs, "free": 0,
                         "est": e, "se": s_, "z": z, "pvalue": 2 * stats.norm.sf(abs(z)) if s_ > 0 else np.nan,
                         "ci_lower": e - zq * s_, "ci_upper": e + zq * s_, "std_lv": np.nan, "std_all": np.nan,
                         "std_all_se": np.nan})
    params = pd.DataFrame(rows)
    if bootstrap:
        from .bootstrap import bootstrap as run_bootstrap

        def all_values(th):
            row_values = np.where(standardize.free >= 0, th[np.maximum(standardize.free, 0)], est)
            return np.concatenate([row_values, _defined_values(pt, th)]) if pt.defined else row_values

        bs = run_bootstrap(ram, X, theta, all_values, bootstrap, seed, level, ci, progress)
        free = np.array([bool(r.free) for r in pt.rows] + [True] * len(pt.defined))
        params.loc[free, "se"] = bs["se"][free]
        params.loc[free, "ci_lower"] = bs["ci"][free, 0]
        params.loc[free, "ci_upper"] = bs["ci"][free, 1]
        params["z"] = np.where(params["se"] > 0, params["est"] / params["se"].where(params["se"] > 0, 1), np.nan)
        params["pvalue"] = np.where(params["se"] > 0, 2 * stats.norm.sf(np.abs(params["z"])), np.nan)
        notes.append(f"bootstrap: {bootstrap} draws (seed {seed}), {bs['failed']} failed and left out; "
                     f"{ {'perc': 'percentile', 'bc': 'bias-corrected', 'bca': 'BCa'}[ci] } intervals")
    neg = params[(params.op == "~~") & (params.lhs == params.rhs) & (params.est < 0)]
    if len(neg):
        notes.append("negative variance (Heywood case): " + ", ".join(neg.lhs))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper", SEMWarning, stacklevel=2)
    Sigma = ram.implied(theta)
    fit = fit_measures(S_obs, Sigma, n, pt.n_free, fmin)
    meta = {"package_version": __version__, "data_sha256": frame_sha256(data[pt.observed]), "estimator": "ML",
            "information": "expected", "se": "bootstrap" if bootstrap else "standard", "bootstrap": bootstrap,
            "ci": ci if bootstrap else "normal", "seed": seed, "model": model, "notes": notes}
    draws = bs["draws"] if bootstrap else None
    mi = None
    if modindices:
        from .modindices import modification_indices

        mi = modification_indices(pt, ram, theta, S_obs, n)
    return SEMResult(parameters=params, fit=fit, r2=r2, converged=ok, estimator="ML", nobs=n, meta=meta,
                     implied=pd.DataFrame(Sigma, index=pt.observed, columns=pt.observed), modindices=mi,
                     bootstrap_draws=draws)


def cfa(model: str, data: pd.DataFrame, **kw) -> SEMResult:
    """Confirmatory factor analysis (lavaan's ``cfa()``; the same defaults as :func:`sem` here)."""
    return sem(model, data, **kw)
