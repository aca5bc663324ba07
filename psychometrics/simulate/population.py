r"""Population models in lavaan syntax: the values of every parameter and the moments they imply.

As lavaan's ``simulateData``: fixed coefficients in the syntax are the population values
(``ksse ~ 0.35*support``); latent variances are 1 (``std.lv``) unless given; what is not given
takes lavaan's defaults, loadings 1 (0.7 with ``standardized``), (residual) variances 1,
regressions 0 (with a warning), covariances and intercepts 0. Exogenous observed covariates are
random (``fixed.x = FALSE``). The implied moments of group g follow from the RAM form

.. math:: \Sigma = F (I - A)^{-1} S (I - A)^{-T} F', \qquad \mu = F (I - A)^{-1} m .

With ``standardized=True`` the given loadings and paths are standardized values: the residual
variances of the latent and observed variables that have causes are set so that every latent and
every observed outcome has variance 1 (in the order of the paths, so that a mediator's variance is
1 before its outcomes are scaled; lavaan's ``simulateData`` sets them in one pass, which leaves a
chain's later variables off 1).

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2), 1-36. R: ``lavaan::simulateData(model, sample.nobs, standardized)``.
"""

from __future__ import annotations

import dataclasses
import re
import warnings

import numpy as np

from ..exceptions import PsychometricsError, SimulationWarning
from ..sem.model import Model
from ..sem.partable import ParTable, build
from ..sem.syntax import parse


@dataclasses.dataclass(frozen=True)
class Population:
    """A population model: its parameter table, every row's value, and the implied moments of the
    observed variables per group (``Sigma[g]``, ``mu[g]``) and of all variables (``total[g]``)."""

    model: str
    table: ParTable
    values: np.ndarray
    Sigma: tuple[np.ndarray, ...]
    mu: tuple[np.ndarray, ...]
    total: tuple[np.ndarray, ...]
    standardized: bool

    @property
    def observed(self) -> list[str]:
        return list(self.table.observed)

    @property
    def n_groups(self) -> int:
        return self.table.n_groups


def _names(model: str) -> tuple[list[str], list[str]]:
    """Observed and latent names of a population model (latent: left of ``=~``)."""
    stmts = parse(model)
    latent = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    seen: list[str] = []
    for s in stmts:
        if s.op in (":=", "==", "<", ">"):
            continue
        for name in [s.lhs] + [t.name for t in s.rhs]:
            if name != "1" and name not in latent and name not in seen:
                seen.append(name)
    return seen, latent


def population(model: str, standardized: bool = False, n_groups: int = 1) -> Population:
    """The population values and implied moments of ``model`` (see the module docstring).

    Parameters
    ----------
    model : str
        lavaan syntax with the population values as fixed coefficients.
    standardized : bool
        Read the loadings and paths as standardized values (residual variances are then set, not
        read; giving them too is refused).
    n_groups : int
        Groups (``c(...)`` modifiers give each group its value).

    Returns
    -------
    Population

    Examples
    --------
    >>> pop = population("f =~ 0.8*y1 + 0.7*y2 + 0.6*y3", standardized=True)
    >>> [round(float(v), 2) for v in np.diag(pop.Sigma[0])]
    [1.0, 1.0, 1.0]
    >>> round(float(pop.Sigma[0][0, 1]), 2)
    0.56
    """
    observed, _ = _names(model)
    if not observed:
        raise PsychometricsError("the population model names no observed variable")
    pt = build(model, observed, std_lv=True, meanstructure=True, n_groups=n_groups, fixed_x=False)
    if pt.constraints:
        raise PsychometricsError("constraints (==, <, >) have no place in a population model: give the values")
    values = np.empty(len(pt.rows))
    unset_paths = []
    for k, r in enumerate(pt.rows):
        if r.value is not None and not r.free:
            values[k] = r.value
        elif r.value is not None:                  # a start value on a free parameter: its value
            values[k] = r.value
        elif r.op == "=~":
            values[k] = 0.7 if standardized else 1.0
        elif r.op == "~~" and r.lhs == r.rhs:
            values[k] = 1.0
        else:
            if r.op == "~":
                unset_paths.append(f"{r.lhs} ~ {r.rhs}")
            values[k] = 0.0
    if unset_paths:
        warnings.warn(f"population model: regression(s) without a value set to 0 (as lavaan): {', '.join(unset_paths)}",
                      SimulationWarning, stacklevel=2)
    everything = dataclasses.replace(pt, rows=[dataclasses.replace(r, free=k + 1) for k, r in enumerate(pt.rows)],
                                     n_free=len(pt.rows))
    p = len(pt.observed)
    mdl = Model(everything, [np.eye(p)] * pt.n_groups, [np.zeros(p)] * pt.n_groups)
    if standardized:
        values = _standardize(pt, mdl, values)
    Sig, mus, tot = [], [], []
    for g in range(pt.n_groups):
        mom = mdl.moments(values, g)
        Sig.append(mom["Sigma"])
        mus.append(mom["mu"])
        tot.append(mdl.total_cov(values, g))
        ev = np.linalg.eigvalsh(mom["Sigma"])
        if ev[0] < -1e-10 * max(1.0, ev[-1]):
            raise PsychometricsError("the population model implies a covariance matrix that is not positive "
                                     f"semi-definite{'' if pt.n_groups == 1 else f' in group {g + 1}'} (smallest "
                                     f"eigenvalue {ev[0]:.3g}); check the values (a standardized loading or path "
                                     "of 1 or more, or residual variances below 0)")
    return Population(model, pt, values, tuple(Sig), tuple(mus), tuple(tot), standardized)


def _standardize(pt: ParTable, mdl: Model, values: np.ndarray) -> np.ndarray:
    """Residual variances of the variables with causes (indicators, outcomes) set so that every
    latent variable and observed outcome has variance 1, repeated in path order until stable."""
    names = list(mdl.names)
    caused = {r.rhs if r.op == "=~" else r.lhs for r in pt.rows if r.op in ("=~", "~")}
    given = [r for r in pt.rows if r.op == "~~" and r.lhs == r.rhs and r.lhs in caused and r.user]
    if given:
        raise PsychometricsError(f"standardized=True sets the residual variances; the model gives them for "
                                 f"{', '.join(sorted({r.lhs for r in given}))} (use standardized=False, or leave "
                                 "them out)")
    bad = [f"{r.lhs} {r.op} {r.rhs} = {v:g}" for r, v in zip(pt.rows, values) if r.op in ("=~", "~") and abs(v) >= 1]
    if bad:
        warnings.warn(f"standardized=True with standardized loadings or paths of 1 or more: {', '.join(bad)}",
                      SimulationWarning, stacklevel=3)
    out = values.copy()
    resid = [(k, r) for k, r in enumerate(pt.rows) if r.op == "~~" and r.lhs == r.rhs and r.lhs in caused]
    for k, _ in resid:
        out[k] = 0.0
    pos = {v: i for i, v in enumerate(names)}
    for _ in range(len(names) + 1):
        before = out.copy()
        for g in range(pt.n_groups):
            V = mdl.total_cov(out, g)
            for k, r in resid:
                if r.group == g + 1:
                    out[k] = 1.0 - (V[pos[r.lhs], pos[r.lhs]] - out[k])
        if np.allclose(out, before, rtol=0, atol=1e-13):
            break
    neg = [r.lhs for k, r in resid if out[k] < 0]
    if neg:
        raise PsychometricsError(f"standardized=True: the given values explain more than all the variance of "
                                 f"{', '.join(sorted(set(neg)))}; lower the loadings or paths")
    return out


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_VALUE = re.compile(rf"(?:c\(\s*{_NUMBER}(?:\s*,\s*{_NUMBER})*\s*\)|{_NUMBER})\s*\*\s*")


def analysis_syntax(model: str) -> str:
    """The population model as an analysis model: every numeric value removed (``0.35*support``
    becomes ``support``; labels, ``:=`` and constraints stay), so that the parameters are free and
    identified as lavaan's ``sem()`` identifies them (first loading 1).

    >>> analysis_syntax("f =~ 0.8*y1 + a*y2 + 0.6*y3\\nf ~ 0.3*x\\nind := a*2")
    'f =~ y1 + a*y2 + y3\\nf ~ x\\nind := a*2'
    """
    lines = []
    for line in model.splitlines():
        code, hash_, comment = line.partition("#")
        if not any(op in code for op in (":=", "==", "<", ">")):
            code = _VALUE.sub("", code)
        lines.append(code + hash_ + comment)
    return "\n".join(lines)
