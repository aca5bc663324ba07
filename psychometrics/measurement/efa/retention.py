"""How many factors to retain: parallel analysis (Horn, 1965, as ``psych::fa.parallel``) and
Velicer's minimum average partial (MAP, as ``psych::VSS``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..._version import __version__
from ...reporting.result import ResultBase
from ...reporting.summary import Summary, jsonable
from .extraction import Method, extract


def _reduced_values(R: np.ndarray, method: str) -> np.ndarray:
    """psych's ``fa(r, 1, fm)$values``: eigenvalues of R with the fitted one-factor communalities
    on its diagonal."""
    L = extract(R, 1, method)[0]
    Rm = R.copy()
    np.fill_diagonal(Rm, (L * L).sum(axis=1))
    return np.linalg.eigvalsh(Rm)[::-1]


def _batched_minres1(Rs: np.ndarray, tol: float = 1e-10, max_iter: int = 50) -> np.ndarray:
    """One-factor minres for a stack of correlation matrices at once; returns the eigenvalues of
    each matrix with the fitted communalities on its diagonal (psych's ``fa(r, 1)$values``).

    Minres with one factor is least squares on the off-diagonal entries,
    :math:`f(\\lambda) = \\tfrac12\\sum_{i\\ne j}(r_{ij} - \\lambda_i\\lambda_j)^2`, with gradient
    :math:`g_k = -2\\sum_{j\\ne k}(r_{kj} - \\lambda_k\\lambda_j)\\lambda_j` and Hessian
    :math:`H_{kk} = 2\\sum_{j\\ne k}\\lambda_j^2`, :math:`H_{kl} = -2(r_{kl} - 2\\lambda_k\\lambda_l)`:
    batched Newton steps (halved until f falls) converge in a few iterations.
    """
    b, p, _ = Rs.shape
    off = 1.0 - np.eye(p)
    # start: one principal-axis step from squared multiple correlations
    Rm = Rs.copy()
    idx = np.arange(p)
    Rm[:, idx, idx] = 1 - 1 / np.einsum("bii->bi", np.linalg.inv(Rs))
    val, vec = np.linalg.eigh(Rm)
    lam = vec[:, :, -1] * np.sqrt(np.maximum(val[:, -1:], 1e-6))

    def fval(lam):
        E = (Rs - lam[:, :, None] * lam[:, None, :]) * off
        return 0.25 * (E * E).sum(axis=(1, 2)) * 2

    f = fval(lam)
    for _ in range(max_iter):
        E = (Rs - lam[:, :, None] * lam[:, None, :]) * off
        g = -2 * np.einsum("bkj,bj->bk", E, lam)
        H = -2 * (Rs - 2 * lam[:, :, None] * lam[:, None, :]) * off
        H[:, idx, idx] = 2 * ((lam * lam).sum(axis=1, keepdims=True) - lam * lam)
        try:
            step = np.linalg.solve(H, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = g / np.maximum(np.einsum("bii->bi", H), 1e-8)
        t = np.ones(b)
        for _ in range(20):
            new = lam - t[:, None] * step
            fn = fval(new)
            worse = fn > f
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        lam, done = np.where(worse[:, None], lam, new), np.abs(f - fn).max() < tol
        f = np.minimum(f, fn)
        if done:
            break
    Rm[:, idx, idx] = np.minimum(lam * lam, 0.995)
    return np.linalg.eigvalsh(Rm)[:, ::-1]


@dataclass(frozen=True, repr=False)
class ParallelAnalysis(ResultBase):
    """Observed and simulated eigenvalues (components and one-factor solution) and the number of
    factors and components whose observed eigenvalue exceeds the simulated ``quantile`` (or mean)."""

    observed_components: np.ndarray
    observed_factors: np.ndarray
    simulated_components: np.ndarray    # n_iter x p
    simulated_factors: np.ndarray
    quantile: float | None
    suggested_factors: int
    suggested_components: int
    nobs: int = 0
    meta: dict = field(default_factory=dict)

    def _repr_fields(self) -> dict:
        return {"suggested_factors": self.suggested_factors, "suggested_components": self.suggested_components}

    def to_frame(self) -> pd.DataFrame:
        """One row per eigenvalue: observed and simulated, factors and components."""
        k = len(self.observed_components)
        return pd.DataFrame({"number": np.arange(1, k + 1), "observed_factors": self.observed_factors,
                             "simulated_factors": self.thresholds("factors"),
                             "observed_components": self.observed_components,
                             "simulated_components": self.thresholds("components")})

    def summary(self) -> Summary:
        q = f"{self.quantile:.0%} quantile" if self.quantile else "mean"
        header = [f"n = {self.nobs}; {len(self.simulated_factors)} simulated data sets ({q})",
                  f"suggests {self.suggested_factors} factor(s) and {self.suggested_components} component(s)",
                  *self.provenance.header()]
        return Summary("Parallel analysis", header, [("Eigenvalues", self.to_frame())])

    def thresholds(self, which: Literal["factors", "components"]) -> np.ndarray:
        sim = self.simulated_factors if which == "factors" else self.simulated_components
        return np.quantile(sim, self.quantile, axis=0) if self.quantile else sim.mean(axis=0)

    def to_dict(self) -> dict:
        return jsonable({"suggested_factors": self.suggested_factors,
                         "suggested_components": self.suggested_components, "quantile": self.quantile,
                         "observed_factor_eigenvalues": self.observed_factors,
                         "observed_component_eigenvalues": self.observed_components,
                         "simulated_factor_eigenvalues": self.thresholds("factors"),
                         "simulated_component_eigenvalues": self.thresholds("components"),
                         "simulated_factor_mean": self.simulated_factors.mean(axis=0),
                         "simulated_component_mean": self.simulated_components.mean(axis=0)})


def parallel_analysis(R: np.ndarray, n_obs: int, n_iter: int = 20, quantile: float | None = 0.95,
                      method: Method = "minres", seed: int | None = None, progress: bool = True) -> ParallelAnalysis:
    """Horn's parallel analysis, as ``psych::fa.parallel``.

    Observed component eigenvalues of R and factor eigenvalues (of the one-factor ``method``
    solution, psych's ``fa = "both"``) are compared with those of ``n_iter`` random normal data sets
    of the same size; the number suggested is the count of leading observed eigenvalues above the
    simulated ``quantile`` (psych's default .95; ``None``: the mean). Simulations run in batches
    (random correlation matrices and their eigenvalues stacked), with a progress bar.

    Parameters
    ----------
    R : ndarray
        The observed correlation matrix.
    n_obs : int
        Respondents (the simulated data sets have as many rows).
    n_iter : int
        Simulated data sets.
    quantile : float or None
        Quantile of the simulated eigenvalues compared with (None: their mean).
    method : {"minres", "ml", "pa"}
        Extraction of the one-factor solution whose eigenvalues are compared.
    seed : int, optional
        Seed of the simulation.
    progress : bool
        Show a progress bar.

    Returns
    -------
    ParallelAnalysis
        Observed and simulated eigenvalues and the suggested numbers of factors and components.

    Notes
    -----
    R: ``psych::fa.parallel(x, n.iter = n_iter, fa = "both", quant = quantile)``.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
    *Psychometrika*, 30, 179-185.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(400, 1))
    >>> X = F @ np.ones((1, 5)) * 0.7 + rng.normal(size=(400, 5)) * 0.7
    >>> pa = parallel_analysis(np.corrcoef(X, rowvar=False), 400, n_iter=20, seed=1, progress=False)
    >>> pa.suggested_factors, pa.suggested_components
    (1, 1)
    """
    from tqdm.auto import tqdm

    p = R.shape[0]
    rng = np.random.default_rng(seed)
    comps, facs = [], []
    batch = 25
    with tqdm(total=n_iter, desc="parallel analysis", disable=not progress, leave=False) as bar:
        for start in range(0, n_iter, batch):
            b = min(batch, n_iter - start)
            Z = rng.standard_normal((b, n_obs, p))
            Z -= Z.mean(axis=1, keepdims=True)
            C = np.einsum("bni,bnj->bij", Z, Z)
            d = 1 / np.sqrt(np.einsum("bii->bi", C))
            Rs = C * d[:, :, None] * d[:, None, :]
            comps.append(np.linalg.eigvalsh(Rs)[:, ::-1])
            facs.append(_batched_minres1(Rs))
            bar.update(b)
    sim_c, sim_f = np.vstack(comps), np.vstack(facs)
    obs_c = np.linalg.eigvalsh(R)[::-1]
    obs_f = _reduced_values(R, method)
    thr_f = np.quantile(sim_f, quantile, axis=0) if quantile else sim_f.mean(axis=0)
    thr_c = np.quantile(sim_c, quantile, axis=0) if quantile else sim_c.mean(axis=0)
    first = lambda obs, thr: int(np.argmax(~(obs > thr))) if (~(obs > thr)).any() else len(obs)  # noqa: E731
    meta = {"package_version": __version__, "seed": seed, "estimator": method, "n_iter": n_iter,
            "quantile": quantile}
    return ParallelAnalysis(obs_c, obs_f, sim_c, sim_f, quantile, first(obs_f, thr_f), first(obs_c, thr_c),
                            nobs=int(n_obs), meta=meta)


def velicer_map(R: np.ndarray, max_factors: int = 8) -> tuple[np.ndarray, int]:
    r"""Velicer's minimum average partial (MAP) test.

    For m = 1..max_factors principal components partialled out of R, the mean squared partial
    correlation :math:`\bar{r^2_m} = \\sum_{i\ne j} r^{*2}_{ij,m} / (p(p-1))`; the suggested number of
    factors is the m that minimises it.

    Parameters
    ----------
    R : ndarray
        A correlation matrix.
    max_factors : int
        Most components to partial out.

    Returns
    -------
    values : ndarray
        The average squared partial correlation after m = 1, 2, ... components.
    suggested : int
        The m with the smallest value.

    Notes
    -----
    R: ``psych::VSS(R, n = max_factors)$map``.

    References
    ----------
    Velicer, W. F. (1976). Determining the number of components from the matrix of partial
    correlations. *Psychometrika*, 41, 321-327.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> F = rng.normal(size=(500, 2))
    >>> X = np.hstack([F[:, [0]] + rng.normal(size=(500, 3)), F[:, [1]] + rng.normal(size=(500, 3))])
    >>> velicer_map(np.corrcoef(X, rowvar=False), 4)[1]
    2
    """
    p = R.shape[0]
    val, vec = np.linalg.eigh(R)
    comp = vec[:, ::-1] * np.sqrt(np.maximum(val[::-1], 0))
    vals: list[float] = []
    for m in range(1, min(max_factors, p - 1) + 1):
        C = R - comp[:, :m] @ comp[:, :m].T
        d = 1 / np.sqrt(np.diag(C))
        Rs = C * np.outer(d, d)
        np.fill_diagonal(Rs, 0)
        vals.append(float((Rs * Rs).sum() / (p * (p - 1))))
    out = np.array(vals)
    return out, int(np.nanargmin(out)) + 1


