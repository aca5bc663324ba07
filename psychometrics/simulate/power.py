r"""Monte Carlo power and parameter recovery of a planned analysis (Muthén & Muthén, 2002).

For every sample size n and replication r, data are drawn from the population model
(:mod:`.data`; the stream of replication r at the i-th n is ``SeedSequence(seed, spawn_key=(i, r))``,
so the results are the same on any number of workers or engines) and the analysis model is fitted.
The analysis model's population values :math:`\theta_0` are its estimates on the population moments
(exact when it is the population model; the pseudo-true values when it is misspecified). Over the
R replications that converged, per parameter and ``:=`` effect:

- power: the share with :math:`p < \alpha` (Wald z test), with Monte Carlo SE
  :math:`\sqrt{\hat\pi(1-\hat\pi)/R}`;
- coverage: the share of 95% (``1 - alpha``) Wald intervals holding :math:`\theta_0`;
- bias :math:`\bar{\hat\theta} - \theta_0`, relative bias (bias / :math:`\theta_0`), and SE bias
  :math:`\overline{SE} / SD(\hat\theta) - 1`;
- converged: the share of replications that converged; admissible: of those, without a negative
  variance.

The smallest n reaching a target power interpolates linearly between the two sample sizes whose
power brackets the target, with its Monte Carlo SE by the delta method.

References
----------
Muthén, L. K., & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size and
determine power. *Structural Equation Modeling*, 9, 599-620.
R: ``for (r in 1:R) {d <- simulateData(pop, sample.nobs = n); fit <- sem(model, d); ...}``
(simsem's ``sim()``).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import OptionError, PsychometricsError, SimulationWarning
from ..sem import parallel
from .data import Shape, draw, parse_missing, shape
from .population import Population, analysis_syntax, population
from .result import PowerResult

KEYS = ["lhs", "op", "rhs", "group", "label"]


@dataclasses.dataclass(frozen=True)
class _Spec:
    """What a replication needs (sent to the workers once per batch)."""

    pop: Population
    fit_model: str
    sizes: tuple[tuple[int, ...], ...]     # per sample size, the rows per group
    seed: int
    estimator: Any                          # an estimator name for sem() (None: its default)
    ordinal: int | None
    thresholds: tuple[float, ...] | None
    missing: tuple[str, float] | None
    alpha: float
    n_keys: int
    form: Shape = dataclasses.field(default_factory=Shape)


def _replicate(job: tuple[int, int, int], spec: _Spec) -> dict:
    """Replications ``start..stop-1`` at the ``i``-th sample size: estimates, SEs, p-values,
    convergence and admissibility (NaN rows for fits that failed)."""
    i, start, stop = job
    k = spec.n_keys
    est, se, p = (np.full((stop - start, k), np.nan) for _ in range(3))
    ok, admissible = np.zeros(stop - start, bool), np.zeros(stop - start, bool)
    names = spec.pop.observed
    G = spec.pop.n_groups
    lean = _Lean.make(spec)
    for t, r in enumerate(range(start, stop)):
        rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(i, r)))
        Y = draw(spec.pop, spec.sizes[i], rng, spec.ordinal, spec.thresholds, spec.missing, spec.form)
        if lean is not None:
            got = lean(Y)
            if got is not None:
                est[t], se[t], p[t], ok[t], admissible[t] = got
            continue
        d = _frame(Y, names, G, spec.sizes[i], spec.form)
        try:
            res = _fit(spec, d)
        except (PsychometricsError, np.linalg.LinAlgError, FloatingPointError):
            continue
        par = res.parameters
        keep = (par["free"] > 0) | (par["op"] == ":=")
        if int(keep.sum()) != k:
            continue
        e = par["est"].to_numpy(float)[keep.to_numpy()]
        est[t], se[t], p[t] = e, par["se"].to_numpy(float)[keep.to_numpy()], par["pvalue"].to_numpy(float)[keep.to_numpy()]
        ok[t] = bool(res.converged)
        var = ((par["op"] == "~~") & (par["lhs"] == par["rhs"])).to_numpy()
        admissible[t] = ok[t] and bool((par["est"].to_numpy(float)[var] >= 0).all())
    return {"est": est, "se": se, "p": p, "ok": ok, "admissible": admissible}


def _fit(spec: _Spec, d: pd.DataFrame):
    """The analysis model fitted to one data set as the replications fit it (warnings silenced:
    power counts what they warn of)."""
    from ..sem import sem

    ordinal = bool(spec.ordinal or spec.thresholds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sem(spec.fit_model, d, estimator=spec.estimator, group="group" if spec.pop.n_groups > 1 else None,
                   ordered=True if ordinal else None, missing="fiml" if spec.missing and not ordinal else "listwise",
                   progress=False, cluster="cluster" if spec.form.clusters else None)


def _frame(Y: np.ndarray, names: list[str], G: int, size, form: Shape) -> pd.DataFrame:
    """A replication's rows as the data frame sem() reads (group and cluster columns)."""
    d = pd.DataFrame(Y[:, : len(names)], columns=names)
    if G > 1:
        d["group"] = np.repeat([f"G{g + 1}" for g in range(G)], size)
    if form.clusters:
        d["cluster"] = Y[:, -1].astype(int)
    return d


class _Lean:
    """The ML fit of one complete single-group replication without what power does not use (fit
    measures, standardized solutions, the parameter table as a DataFrame): the steps of
    :func:`psychometrics.sem.sem` for estimates, expected-information SEs, z tests and ``:=``
    delta-method SEs, tested equal to it (tests/simulate/test_power.py)."""

    def __init__(self, spec: _Spec):
        from ..sem import model as _model
        from ..sem.expressions import defined_function
        from ..sem.partable import build

        self.m = _model
        self.pt = build(spec.fit_model, spec.pop.observed)
        self.cols = [spec.pop.observed.index(v) for v in self.pt.observed]
        self.free = np.array([r.free - 1 for r in self.pt.rows if r.free])
        self.var = np.array([r.op == "~~" and r.lhs == r.rhs for r in self.pt.rows if r.free])
        self.defined = defined_function(self.pt) if self.pt.defined else None

    @staticmethod
    def make(spec: _Spec) -> _Lean | None:
        plain = (spec.estimator is None or str(spec.estimator).upper() == "ML") and not spec.missing and not (
            spec.ordinal or spec.thresholds) and spec.pop.n_groups == 1 and not spec.form.clusters
        if not plain:
            return None
        lean = _Lean(spec)
        if lean.pt.constraints or lean.pt.meanstructure or lean.pt.exo_x:
            return None
        return lean

    def __call__(self, Y: np.ndarray):
        from scipy import special

        from ..sem.standardize import batched_jacobian, delta_se

        X = Y[:, self.cols]
        blocks = self.m.complete_blocks([X])
        b = blocks[0]
        p = X.shape[1]
        try:
            mdl = self.m.Model(self.pt, [b.S], [b.mean])
            c0 = b.w * (np.linalg.slogdet(b.S)[1] + p)
            theta, _, ok, _ = self.m.fit_ml(mdl, blocks, self.m.start_values(self.pt, mdl, blocks), c0)
            cov = np.linalg.inv(mdl.expected_information(theta, blocks)) / b.n
        except (PsychometricsError, np.linalg.LinAlgError, FloatingPointError):
            return None
        est, se = theta[self.free], np.sqrt(np.maximum(np.diag(cov), 0))[self.free]
        if self.defined is not None:
            est = np.concatenate([est, self.defined(theta)])
            se = np.concatenate([se, delta_se(batched_jacobian(self.defined, theta), cov)])
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(se > 0, est / np.where(se > 0, se, 1), np.nan)
        pv = special.erfc(np.abs(z) / np.sqrt(2))
        return est, se, pv, bool(ok), bool(ok) and bool((est[: len(self.free)][self.var] >= 0).all())


def _truth(pop: Population, fit_model: str, estimator: str | None, ordinal: bool,
           thresholds: Sequence[float] | None, K: int | None) -> dict:
    """The analysis model's population values by (lhs, op, rhs, group): its fit to the population
    moments (ordinal: to the correlations of the latent responses, the scale WLSMV estimates on, with
    the thresholds the data were cut at)."""
    from scipy import special

    from ..sem import sem

    G = pop.n_groups
    covs, means = [], []
    for g in range(G):
        S = pop.Sigma[g]
        if ordinal:
            d = np.sqrt(np.diag(S))
            S = S / np.outer(d, d)
        covs.append(pd.DataFrame(S, index=pop.observed, columns=pop.observed))
        means.append(pd.Series(np.zeros(len(S)) if ordinal else pop.mu[g], index=pop.observed))
    labels = [f"G{g + 1}" for g in range(G)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sem(fit_model, None, sample_cov=dict(zip(labels, covs)) if G > 1 else covs[0],
                  sample_nobs=dict.fromkeys(labels, 100000) if G > 1 else 100000,
                  sample_mean=dict(zip(labels, means)) if G > 1 else means[0], meanstructure=True,
                  estimator=cast(Any, "ML" if (estimator is None or ordinal or estimator.upper() == "MLR") else estimator))
    par = res.parameters
    out = {(a, b, c, str(g)): float(e) for a, b, c, g, e in zip(par["lhs"], par["op"], par["rhs"], par["group"],
                                                                 par["est"])}
    if ordinal:
        tau = np.sort(np.asarray(thresholds, float)) if thresholds is not None else special.ndtri(np.arange(1, K or 2) / (K or 2))
        for v in pop.observed:
            for g in range(G):
                for k, t in enumerate(tau):
                    out[(v, "|", f"t{k + 1}", str(labels[g] if G > 1 else 1))] = float(t)
    return out


def power(model: str, n: int | Sequence[int] | Sequence[Sequence[int]], reps: int = 1000, seed: int | None = None,
          fit_model: str | None = None, standardized: bool = False, alpha: float = 0.05, target: float | None = None,
          estimator: str | None = None, ordinal: int | None = None, thresholds: Sequence[float] | None = None,
          missing: str | None = None, skewness=None, kurtosis=None, clusters: int | None = None,
          icc: float | None = None, workers: int | None = None, scheduler=None, batch: int | None = None,
          progress: bool = True) -> PowerResult:
    """Monte Carlo power and parameter recovery at several sample sizes (see the module docstring).

    Parameters
    ----------
    model : str
        Population model in lavaan syntax (fixed coefficients are the population values).
    n : int or list
        Sample sizes to try (each an int, or a list of per-group sizes for several groups).
    reps : int
        Replications per sample size.
    seed : int, optional
        Seed of every replication's stream (drawn and recorded when not given).
    fit_model : str, optional
        The analysis model (default: the population model with its values removed).
    standardized : bool
        Read the population values as standardized ones.
    alpha : float
        Level of the Wald tests (and 1 - alpha intervals for the coverage).
    target : float, optional
        Target power: the smallest n reaching it per parameter (interpolated).
    estimator : str, optional
        ML (default), MLR, ... (WLSMV with ``ordinal``).
    ordinal, thresholds : optional
        Cut the data into ordered categories (:func:`~psychometrics.simulate.data.simulate`);
        the analysis then treats every item as ordered (WLSMV).
    missing : str, optional
        ``"mcar:RATE"`` or ``"mar:RATE"`` (continuous data are then fitted by FIML).
    skewness, kurtosis : optional
        Non-normal data (Vale-Maurelli; :func:`~psychometrics.simulate.data.simulate`).
    clusters, icc : optional
        Rows in this many clusters with this ICC; the analysis is then cluster-robust (MLR with
        ``cluster=``, lavaan's ``cluster =``).
    workers : int, optional
        Local processes (default: every available core; 1: this process).
    scheduler : str or dask.distributed.Client, optional
        Run on a Dask cluster (``"tcp://host:port"``) instead.
    batch : int, optional
        Replications per task (default: about four tasks per worker and sample size).
    progress : bool
        Progress bar on stderr.

    Returns
    -------
    PowerResult

    Examples
    --------
    >>> pop = "f =~ 0.7*y1 + 0.7*y2 + 0.7*y3\\ny4 ~ 0.2*f"
    >>> res = power(pop, n=[100, 300], reps=40, seed=1, standardized=True, workers=1, progress=False)
    >>> t = res.to_frame().set_index(["n", "lhs", "op", "rhs"])
    >>> bool(t.loc[(300, "y4", "~", "f"), "power"] > t.loc[(100, "y4", "~", "f"), "power"])
    True
    """
    from .._options import validate_seed

    if isinstance(reps, bool) or not isinstance(reps, (int, np.integer)) or reps < 2:
        raise OptionError(f"reps={reps!r}: give at least 2 replications (1000 or more for a study)", argument="reps")
    if not 0 < alpha < 1:
        raise OptionError(f"alpha={alpha!r}: give a level between 0 and 1, e.g. 0.05", argument="alpha")
    if target is not None and not 0 < target < 1:
        raise OptionError(f"target={target!r}: give a power between 0 and 1, e.g. 0.8", argument="target")
    validate_seed("seed", seed)
    if seed is None:
        seed = int(cast(int, np.random.SeedSequence().entropy) % (2 ** 31))
    sizes = _sizes(n)
    G = {len(s) for s in sizes}
    if len(G) != 1 or any(x < 2 for s in sizes for x in s):
        raise OptionError(f"n={n!r}: give sample sizes of 2 or more (for several groups, the same number of groups "
                          "in each)", argument="n")
    pop = population(model, standardized=standardized, n_groups=G.pop())
    form = shape(pop, skewness, kurtosis, clusters, icc)
    if form.clusters and estimator is None and not (ordinal or thresholds):
        estimator = "MLR"
    fit_model = fit_model if fit_model is not None else analysis_syntax(model)
    is_ord = bool(ordinal or thresholds)
    truth = _truth(pop, fit_model, estimator, is_ord, thresholds, ordinal)
    spec = _Spec(pop, fit_model, sizes, int(seed), estimator, ordinal,
                 tuple(thresholds) if thresholds is not None else None, parse_missing(missing), alpha, 0, form)
    rows = _table_rows(spec)
    rows = rows.assign(population=[truth.get((a, b, c, str(g)), math.nan) for a, b, c, g in
                                   zip(rows["lhs"], rows["op"], rows["rhs"], rows["group"])])
    spec = dataclasses.replace(spec, n_keys=len(rows))
    n_workers = parallel.available_cores() if workers in (None, -1) and scheduler is None else (workers or 1)
    per = batch or max(5, min(200, math.ceil(reps / (4 * max(int(n_workers), 1)))))
    jobs = [(spec, i, a, min(a + per, reps)) for i in range(len(sizes)) for a in range(0, reps, per)]
    out = parallel.run(_replicate, [j[1:] for j in jobs], workers=workers, scheduler=scheduler, progress=progress,
                       desc="power", sizes=[j[3] - j[2] for j in jobs], shared=spec)
    table = _summarise(rows, sizes, jobs, out, alpha)
    smallest = _smallest_n(table, target) if target is not None else None
    failed = float(1 - table.groupby("n")["converged"].first().min())
    notes = []
    if failed > 0:
        notes.append(f"up to {failed:.1%} of the replications at a sample size did not converge (left out)")
        warnings.warn(f"power: {notes[-1]}", SimulationWarning, stacklevel=2)
    meta = {"package_version": __version__, "seed": int(seed), "estimator": estimator or ("WLSMV" if is_ord else "ML"),
            "model": model, "fit_model": fit_model, "standardized": standardized, "reps": int(reps), "alpha": alpha,
            "target": target, "ordinal": ordinal, "thresholds": list(thresholds) if thresholds is not None else None,
            "missing": missing, "skewness": skewness, "kurtosis": kurtosis, "clusters": clusters, "icc": icc,
            "n": [list(s) if len(s) > 1 else s[0] for s in sizes],
            "engine": "dask" if scheduler is not None else f"local ({n_workers} process{'es' if n_workers != 1 else ''})",
            "batch": per, "notes": notes}
    return PowerResult(table=table, smallest_n=smallest, reps=int(reps), meta=meta)


def _sizes(n) -> tuple[tuple[int, ...], ...]:
    """Sample sizes as per-group tuples: 200 -> ((200,),); [200, 300] -> ((200,), (300,));
    [[100, 100], [150, 150]] -> ((100, 100), (150, 150))."""
    ns = [n] if isinstance(n, (int, np.integer)) else list(n)
    return tuple((int(v),) if isinstance(v, (int, np.integer)) else tuple(int(x) for x in v) for v in ns)


def _table_rows(spec: _Spec) -> pd.DataFrame:
    """The reported rows (free parameters and ``:=``) of the analysis model, from one fit."""
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(2 ** 31,)))
    rows = [max(s, 50) for s in spec.sizes[-1]]
    Y = draw(spec.pop, rows, rng, spec.ordinal, spec.thresholds, spec.missing, spec.form)
    par = _fit(spec, _frame(Y, spec.pop.observed, spec.pop.n_groups, rows, spec.form)).parameters
    return par.loc[(par["free"] > 0) | (par["op"] == ":="), KEYS].reset_index(drop=True)


def _summarise(rows: pd.DataFrame, sizes, jobs, out, alpha: float) -> pd.DataFrame:
    from scipy import special

    z = float(special.ndtri(1 - alpha / 2))
    frames = []
    for i, s in enumerate(sizes):
        parts = [o for j, o in zip(jobs, out) if j[1] == i]
        est, se, p = (np.vstack([o[k] for o in parts]) for k in ("est", "se", "p"))
        ok = np.concatenate([o["ok"] for o in parts])
        adm = np.concatenate([o["admissible"] for o in parts])
        R = int(ok.sum())
        e, sd_, pv = est[ok], se[ok], p[ok]
        theta0 = rows["population"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pw = np.nanmean(pv < alpha, axis=0) if R else np.full(len(rows), np.nan)
            mean, sd = np.nanmean(e, axis=0), np.nanstd(e, axis=0, ddof=1)
            cover = np.nanmean(np.abs(e - theta0) <= z * sd_, axis=0)
            frame = rows[KEYS].copy()
            frame.insert(0, "n", sum(s))
            frame = frame.assign(population=theta0, power=pw, power_se=np.sqrt(pw * (1 - pw) / max(R, 1)),
                                 coverage=np.where(np.isnan(theta0), np.nan, cover), mean_est=mean,
                                 bias=mean - theta0, rel_bias=np.where(np.abs(theta0) > 1e-12, (mean - theta0) / theta0,
                                                                       np.nan),
                                 sd_est=sd, mean_se=np.nanmean(sd_, axis=0), se_bias=np.nanmean(sd_, axis=0) / sd - 1,
                                 converged=ok.mean(), admissible=float(adm.sum() / max(R, 1)), reps=R)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _smallest_n(table: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per parameter: the smallest n with power >= target (linear interpolation between the
    bracketing sample sizes) and its Monte Carlo SE; ``reached`` False when no n reaches it,
    ``at_smallest_n`` when the smallest n tried already does (the n needed may be smaller)."""
    out = []
    for key, t in table.groupby(["lhs", "op", "rhs", "group", "label"], sort=False):
        t = t.sort_values("n")
        n, pw, se = t["n"].to_numpy(float), t["power"].to_numpy(float), t["power_se"].to_numpy(float)
        hit = np.flatnonzero(pw >= target)
        row = dict(zip(["lhs", "op", "rhs", "group", "label"], key))
        if not len(hit):
            out.append({**row, "target": target, "n": math.nan, "n_se": math.nan, "reached": False,
                        "at_smallest_n": False})
            continue
        k = int(hit[0])
        if k == 0:
            out.append({**row, "target": target, "n": n[0], "n_se": math.nan, "reached": True, "at_smallest_n": True})
            continue
        d, p1, p2 = n[k] - n[k - 1], pw[k - 1], pw[k]
        nstar = n[k - 1] + (target - p1) * d / (p2 - p1)
        g1, g2 = d * (target - p2) / (p2 - p1) ** 2, -d * (target - p1) / (p2 - p1) ** 2
        out.append({**row, "target": target, "n": nstar, "n_se": math.sqrt((g1 * se[k - 1]) ** 2 + (g2 * se[k]) ** 2),
                    "reached": True, "at_smallest_n": False})
    return pd.DataFrame(out)
