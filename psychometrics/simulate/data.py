r"""Data from a population model (:mod:`.population`): multivariate normal rows with the implied
moments, optionally cut into ordered categories and with answers removed at random.

- Normal rows: :math:`y = \mu + L z`, :math:`L L' = \Sigma` (a symmetric square root, so a
  singular but positive semi-definite :math:`\Sigma` works), z standard normal.
- ``ordinal=K``: each variable cut into K categories (codes 1..K) at the equal-probability
  thresholds of its population distribution, :math:`\mu_j + \sigma_j \Phi^{-1}(k/K)` (symmetric
  around its mean); ``thresholds=[...]`` gives the cut points on the standardized scale instead
  (as ``simulateData`` with thresholds in the syntax, all items alike).
- ``missing="mcar:0.1"``: each answer missing with probability 0.1; ``"mar:0.1"``: the first
  variable stays complete and every other answer is missing with probability
  :math:`2p\,\mathrm{rank}(y_1)/(n+1)` (mean p, rising with the first variable: missing at random
  given it).
- Several groups: ``n=[n1, n2, ...]`` with the model's ``c(...)`` values per group and a ``group``
  column (``G1``, ``G2``, ... as lavaan).
- ``skewness`` / ``kurtosis`` (excess; one value or one per variable): Vale and Maurelli's (1983)
  method as ``simulateData``: each standardized variable is Fleishman's (1978) polynomial
  :math:`a + bZ + cZ^2 + dZ^3` of a normal Z, with (b, c, d) solving
  :math:`b^2 + 6bd + 2c^2 + 15d^2 = 1`, :math:`2c(b^2 + 24bd + 105d^2 + 2) = \gamma_1`,
  :math:`24[bd + c^2(1 + b^2 + 28bd) + d^2(12 + 48bd + 141c^2 + 225d^2)] = \gamma_2`, a = -c;
  the Z's correlations :math:`\rho` solve
  :math:`r = \rho(b_ib_j + 3b_id_j + 3d_ib_j + 9d_id_j) + 2c_ic_j\rho^2 + 6d_id_j\rho^3`
  so that the variables keep the model's correlations.
- ``clusters=J`` with ``icc``: rows in J clusters of (nearly) equal size, each variable
  :math:`\mu + \sqrt{1-\rho}\,w_{ij} + \sqrt{\rho}\,b_j` with w and b drawn from the model's
  covariance: the total covariance is the model's, every variable has ICC(1) :math:`\rho`, and a
  ``cluster`` column is added (teachers in schools).

Each call draws from its own generator (``seed`` an int or a :class:`numpy.random.Generator`),
so a seed always gives the same data.
R: ``lavaan::simulateData(model, sample.nobs = n, standardized =)`` (then ``cut()`` and ``NA``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import OptionError
from .population import Population, population


def parse_missing(missing: str | None) -> tuple[str, float] | None:
    """``"mcar:0.1"`` / ``"mar:0.1"`` -> (kind, rate), checked."""
    if missing is None or missing == "" or missing == "none":
        return None
    m = re.fullmatch(r"\s*(mcar|mar)\s*:\s*([0-9.eE+-]+)\s*", str(missing))
    rate = float(m.group(2)) if m else float("nan")
    if not m or not 0 <= rate < 1:
        raise OptionError(f"missing={missing!r}: give mcar:RATE or mar:RATE with a rate from 0 to below 1, e.g. mar:0.1",
                          argument="missing")
    return m.group(1), rate


@dataclass(frozen=True)
class Shape:
    """Non-normality and clustering of simulated rows: Fleishman coefficients per variable and
    the normal correlations that give the model's (per group), or J clusters with an ICC."""

    abcd: np.ndarray | None = None                    # (p, 4)
    z_corr: tuple[np.ndarray, ...] | None = None      # per group
    clusters: int | None = None
    icc: float = 0.0


def shape(pop: Population, skewness=None, kurtosis=None, clusters: int | None = None, icc: float | None = None) -> Shape:
    """Check and prepare ``skewness``/``kurtosis`` (Vale-Maurelli) or ``clusters``/``icc``."""
    p = len(pop.observed)
    if clusters is not None:
        if isinstance(clusters, bool) or int(clusters) < 2:
            raise OptionError(f"clusters={clusters!r}: give the number of clusters, 2 or more", argument="clusters")
        if icc is None or not 0 <= float(icc) < 1:
            raise OptionError(f"icc={icc!r}: give the intraclass correlation, from 0 to below 1, with clusters",
                              argument="icc")
        if skewness is not None or kurtosis is not None:
            raise OptionError("skewness/kurtosis with clusters is not available yet; give one or the other",
                              argument="skewness")
        return Shape(clusters=int(clusters), icc=float(icc))
    if icc is not None:
        raise OptionError("icc needs clusters (the number of clusters)", argument="icc")
    if skewness is None and kurtosis is None:
        return Shape()
    sk = np.broadcast_to(np.asarray(0.0 if skewness is None else skewness, float), (p,)).copy()
    ku = np.broadcast_to(np.asarray(0.0 if kurtosis is None else kurtosis, float), (p,)).copy()
    abcd = np.array([_fleishman(a, b) for a, b in zip(sk, ku)])
    corr = []
    for S in pop.Sigma:
        d = np.sqrt(np.diag(S))
        R = S / np.outer(d, d)
        Z = np.eye(p)
        for i in range(p):
            for j in range(i):
                Z[i, j] = Z[j, i] = _intermediate(R[i, j], abcd[i], abcd[j])
        if np.linalg.eigvalsh(Z)[0] < -1e-10:
            raise OptionError("skewness/kurtosis: these values cannot keep the model's correlations (the normal "
                              "correlations Vale-Maurelli's method needs are not positive definite); make them milder",
                              argument="kurtosis")
        corr.append(Z)
    return Shape(abcd=abcd, z_corr=tuple(corr))


def _fleishman(skew: float, kurt: float) -> tuple[float, float, float, float]:
    from scipy import optimize

    def eqs(x):
        b, c, d = x
        return [b * b + 6 * b * d + 2 * c * c + 15 * d * d - 1,
                2 * c * (b * b + 24 * b * d + 105 * d * d + 2) - skew,
                24 * (b * d + c * c * (1 + b * b + 28 * b * d) + d * d * (12 + 48 * b * d + 141 * c * c + 225 * d * d))
                - kurt]
    sol = optimize.least_squares(eqs, [1.0, 0.0, 0.0], xtol=1e-15, ftol=1e-15, gtol=1e-15)
    if np.abs(sol.fun).max() > 1e-8:
        raise OptionError(f"skewness {skew:g} with kurtosis {kurt:g}: no Fleishman polynomial has these moments (the "
                          "kurtosis must be at least about 1.5 * skewness^2 - 1.2); raise the kurtosis", argument="kurtosis")
    b, c, d = sol.x
    return -c, b, c, d


def _intermediate(r: float, f1: np.ndarray, f2: np.ndarray) -> float:
    _, b1, c1, d1 = f1
    _, b2, c2, d2 = f2
    roots = np.roots([6 * d1 * d2, 2 * c1 * c2, b1 * b2 + 3 * b1 * d2 + 3 * d1 * b2 + 9 * d1 * d2, -r])
    real = roots[np.abs(roots.imag) < 1e-9].real
    real = real[np.abs(real) <= 1 + 1e-9]
    if not len(real):
        raise OptionError(f"skewness/kurtosis: no normal correlation gives r = {r:.3f} for these variables; make the "
                          "non-normality milder", argument="kurtosis")
    return float(np.clip(real[np.argmin(np.abs(real - r))], -1, 1))


def _root(S: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(S)
    return V * np.sqrt(np.clip(w, 0, None))


def draw(pop: Population, n: Sequence[int], rng: np.random.Generator, ordinal: int | None = None,
         thresholds: Sequence[float] | None = None, missing: tuple[str, float] | None = None,
         form: Shape | None = None) -> np.ndarray:
    """The rows of every group stacked (observed variables in the table's order), as floats
    (with clusters, their code 0..J-1 in a last column)."""
    form = form or Shape()
    out = []
    for g, ng in enumerate(n):
        S, mu = pop.Sigma[g], pop.mu[g]
        if form.abcd is not None:
            assert form.z_corr is not None
            Z = rng.standard_normal((int(ng), len(mu))) @ _root(form.z_corr[g]).T
            a, b, c, d = form.abcd.T
            Y = mu + np.sqrt(np.diag(S)) * (a + b * Z + c * Z ** 2 + d * Z ** 3)
        elif form.clusters:
            J = form.clusters
            code = np.repeat(np.arange(J), -(-int(ng) // J))[: int(ng)]
            root = _root(S)
            W = rng.standard_normal((int(ng), len(mu))) @ root.T
            B = rng.standard_normal((J, len(mu))) @ root.T
            Y = mu + np.sqrt(1 - form.icc) * W + np.sqrt(form.icc) * B[code]
        else:
            Y = mu + rng.standard_normal((int(ng), len(mu))) @ _root(S).T
        if ordinal or thresholds is not None:
            Y = _cut(Y, mu, np.sqrt(np.clip(np.diag(S), 0, None)), ordinal, thresholds)
        if form.clusters:
            Y = np.column_stack([Y, code + g * form.clusters])
        out.append(Y)
    Y = np.vstack(out)
    if missing:
        k = Y.shape[1] - (1 if form.clusters else 0)
        Y[:, :k] = _remove(Y[:, :k], rng, *missing)
    return Y


def _cut(Y: np.ndarray, mu: np.ndarray, sd: np.ndarray, K: int | None, thresholds) -> np.ndarray:
    from scipy import special

    if thresholds is not None:
        tau = np.sort(np.asarray(thresholds, float))
    else:
        assert K is not None
        tau = special.ndtri(np.arange(1, K) / K)
    Z = (Y - mu) / np.where(sd > 0, sd, 1.0)
    return (np.searchsorted(tau, Z.ravel(), side="right").reshape(Z.shape) + 1).astype(float)


def _remove(Y: np.ndarray, rng: np.random.Generator, kind: str, rate: float) -> np.ndarray:
    Y = Y.copy()
    n, p = Y.shape
    if kind == "mcar":
        Y[rng.random((n, p)) < rate] = np.nan
        return Y
    ranks = np.argsort(np.argsort(Y[:, 0], kind="stable"), kind="stable") + 1
    prob = np.clip(2 * rate * ranks / (n + 1), 0, 1)
    hit = rng.random((n, p - 1)) < prob[:, None]
    Y[:, 1:][hit] = np.nan
    return Y


def simulate(model: str, n: int | Sequence[int] = 500, seed: int | np.random.Generator | None = None,
             standardized: bool = False, ordinal: int | None = None, thresholds: Sequence[float] | None = None,
             missing: str | None = None, skewness: float | Sequence[float] | None = None,
             kurtosis: float | Sequence[float] | None = None, clusters: int | None = None,
             icc: float | None = None) -> pd.DataFrame:
    """Simulate data from a population model in lavaan syntax (see the module docstring).

    Parameters
    ----------
    model : str
        Population model: fixed coefficients are the population values (``KS ~ 0.45*KSSE``).
    n : int or list of int
        Rows (one number per group for several groups).
    seed : int or Generator, optional
        Random seed; the same seed gives the same data.
    standardized : bool
        Read the loadings and paths as standardized values.
    ordinal : int, optional
        Cut every variable into this many ordered categories (codes 1..K).
    thresholds : list of float, optional
        Cut points on the standardized scale instead of the equal-probability ones.
    missing : str, optional
        ``"mcar:RATE"`` or ``"mar:RATE"``.
    skewness, kurtosis : float or list, optional
        Skewness and excess kurtosis of every variable (or one value each): Vale-Maurelli.
    clusters, icc : optional
        Rows in this many clusters, every variable with this intraclass correlation.

    Returns
    -------
    DataFrame
        One column per observed variable (and ``group`` with several groups, ``cluster`` 1..J with
        clusters; clusters are nested in the groups).

    Notes
    -----
    R: ``lavaan::simulateData(model, sample.nobs = n, standardized = standardized, seed = seed)``
    (lavaan's random numbers differ, so the rows do too; the population is the same).

    Examples
    --------
    >>> d = simulate("f =~ 0.8*y1 + 0.7*y2 + 0.6*y3", n=20000, seed=1, standardized=True)
    >>> round(float(d.corr().loc["y1", "y2"]), 2)
    0.56
    >>> simulate("f =~ y1 + y2 + y3", n=5, seed=2, ordinal=4).iloc[0].tolist()
    [3.0, 3.0, 3.0]
    """
    sizes = [int(n)] if isinstance(n, (int, np.integer)) else [int(x) for x in n]
    if any(s < 1 for s in sizes):
        raise OptionError(f"n={n!r}: give a positive number of rows (one per group)", argument="n")
    if ordinal is not None and (isinstance(ordinal, bool) or int(ordinal) < 2):
        raise OptionError(f"ordinal={ordinal!r}: give the number of categories, 2 or more", argument="ordinal")
    pop = population(model, standardized=standardized, n_groups=len(sizes))
    form = shape(pop, skewness, kurtosis, clusters, icc)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    Y = draw(pop, sizes, rng, ordinal, thresholds, parse_missing(missing), form)
    out = pd.DataFrame(Y[:, : len(pop.observed)], columns=pop.observed)
    if form.clusters:
        out["cluster"] = Y[:, -1].astype(int) + 1
    if len(sizes) > 1:
        out["group"] = np.repeat([f"G{g + 1}" for g in range(len(sizes))], sizes)
    return out
