"""Sample statistics of a two-level model, one group at a time (lavaan's ``YLp``): the pooled
within-cluster covariance and, per distinct cluster size, the mean and covariance of the cluster
means, which are all the two-level normal likelihood needs (complete data).

With rows y_ij (respondent i of cluster j, n_j rows, N in all, J clusters), x-bar_j the cluster
means:

- S_PW = sum_j sum_i (y_ij - x-bar_j)(y_ij - x-bar_j)' / (N - J) over the level-1 variables;
- for each size n: the mean and covariance (divisor: the number of clusters of that size) of the
  cluster means of the clusters of that size, between-only variables first.

The checks a two-level fit needs before any arithmetic are here too: a cluster column that is
filled in and has more than one value, level-1 variables that vary within clusters, level-2-only
variables that are constant within clusters, enough clusters for the between model.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import EstimationError, PsychometricsError, SEMWarning


@dataclass
class ClusterStats:
    """One group's two-level sample statistics; variable indices refer to the parameter table's
    ``observed`` list."""

    N: int                      # respondents
    J: int                      # clusters
    y: np.ndarray               # indices of the level-1 variables (within-only and both)
    z: np.ndarray               # indices of the between-only (cluster-level) variables
    S_PW: np.ndarray            # pooled within-cluster covariance of y (divisor N - J)
    sizes: np.ndarray           # the distinct cluster sizes
    counts: np.ndarray          # clusters of each size
    mean_d: np.ndarray          # (sizes, pz + py): mean of the cluster means per size (z first)
    cov_d: np.ndarray           # (sizes, pz + py, pz + py): their covariance (divisor: count)
    loglik_x: float             # lavaan's loglik.x: saturated log-likelihood of the fixed.x covariates
    cluster_size: np.ndarray    # size of each cluster
    S_B0: np.ndarray            # moment estimate of the between covariance (p x p; start values)
    mean: np.ndarray            # overall means (p)

    @property
    def P(self) -> int:
        """Observations in the likelihood: N p_y + J p_z (lavaan's constant)."""
        return self.N * len(self.y) + self.J * len(self.z)


def _h1_loglik(n: int, S: np.ndarray) -> float:
    if S.size == 0:
        return 0.0
    p = len(S)
    return -n / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(S)[1] + p)


def cluster_stats(X: np.ndarray, codes: np.ndarray, names: list[str], level_observed: list[list[str]],
                  level_exo: list[list[str]], where: str = "") -> ClusterStats:
    """Two-level sample statistics of one group.

    Parameters
    ----------
    X : ndarray (N, p)
        The observed variables (the parameter table's order), complete rows.
    codes : ndarray (N,)
        Cluster codes 0..J-1.
    names : list of str
        The observed variables.
    level_observed, level_exo : list of two lists
        Each level's observed variables and fixed.x covariates.
    where : str
        " in group ..." for messages.

    Returns
    -------
    ClusterStats

    Raises
    ------
    EstimationError
        A level-1 variable constant within every cluster, all clusters of size 1, fewer clusters
        than level-2 variables.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> codes = np.repeat(np.arange(40), 5)
    >>> X = rng.normal(size=(200, 2)) + rng.normal(size=(40, 2))[codes]
    >>> st = cluster_stats(X, codes, ["a", "b"], [["a", "b"], ["a", "b"]], [[], []])
    >>> st.N, st.J, st.sizes.tolist(), st.S_PW.shape
    (200, 40, [5], (2, 2))
    """
    N, p = X.shape
    J = int(codes.max()) + 1
    lv1, lv2 = set(level_observed[0]), set(level_observed[1])
    y = np.array([k for k, v in enumerate(names) if v in lv1], dtype=int)
    z = np.array([k for k, v in enumerate(names) if v in lv2 and v not in lv1], dtype=int)
    size = np.bincount(codes, minlength=J)
    means = np.zeros((J, p))
    np.add.at(means, codes, X)
    means /= size[:, None]
    dev = X - means[codes]
    if N - J < 1:
        raise EstimationError(f"every cluster{where} has a single respondent: the within-cluster covariance cannot be "
                              "estimated; a two-level model needs clusters with several members (or fit a single-"
                              "level model)")
    S_PW = dev[:, y].T @ dev[:, y] / (N - J)
    n_between = len(level_observed[1])
    check_levels(X, codes, names, y, z, J, n_between, where)
    scale = np.maximum(X[:, y].var(axis=0), 1e-300)
    ss = np.zeros((J, len(y)))
    np.add.at(ss, codes, dev[:, y] ** 2)
    constant = (ss <= 1e-12 * scale) & (size > 1)[:, None]
    if constant.any():
        some = [f"{names[y[k]]} ({int(constant[:, k].sum())})" for k in range(len(y)) if constant[:, k].any()]
        warnings.warn(f"SEM: level-1 variable(s){where} with no variance within some clusters (number of clusters): "
                      f"{', '.join(some[:8])}{' ...' if len(some) > 8 else ''}; fine when few, as lavaan warns too",
                      SEMWarning, stacklevel=4)
    single = int((size == 1).sum())
    if single:
        warnings.warn(f"SEM: {single} of {J} clusters{where} have a single respondent: they inform the between-cluster "
                      "level only", SEMWarning, stacklevel=4)
    order = np.concatenate([z, y])
    sizes, inv, counts = np.unique(size, return_inverse=True, return_counts=True)
    cm = means[:, order]
    mean_d = np.zeros((len(sizes), len(order)))
    cov_d = np.zeros((len(sizes), len(order), len(order)))
    np.add.at(mean_d, inv, cm)
    mean_d /= counts[:, None]
    dd = cm - mean_d[inv]
    np.add.at(cov_d, inv, dd[:, :, None] * dd[:, None, :])
    cov_d /= counts[:, None, None]
    # lavaan's loglik.x: the saturated log-likelihood of the level-1 covariates (total covariance,
    # N rows) plus that of the level-2 covariates' cluster means (J rows); as lavaan's Lp$ov.x.idx, only
    # covariates of one level count (a covariate at both levels is split, and not conditioned on)
    idx = {v: k for k, v in enumerate(names)}
    wx = [idx[v] for v in level_exo[0] if v not in lv2]
    bx = [idx[v] for v in level_exo[1] if v not in lv1]
    loglik_x = _h1_loglik(N, np.cov(X[:, wx], rowvar=False, ddof=0).reshape(len(wx), len(wx))) if wx else 0.0
    if bx:
        loglik_x += _h1_loglik(J, np.cov(means[:, bx], rowvar=False, ddof=0).reshape(len(bx), len(bx)))
    # the moment estimate of Sigma_B (start values): (S_b - S_w) / s, s the average cluster size
    s = (N - (size ** 2).sum() / N) / (J - 1)
    mc = means - X.mean(axis=0)
    S_b = (mc * size[:, None]).T @ mc / (J - 1)
    S_w = np.zeros((p, p))
    S_w[np.ix_(y, y)] = S_PW
    S_B0 = (S_b - S_w) / s
    if len(z):
        S_B0[np.ix_(z, z)] = np.cov(means[:, z], rowvar=False, ddof=0).reshape(len(z), len(z))
    return ClusterStats(N, J, y, z, S_PW, sizes, counts, mean_d, cov_d, loglik_x, size, S_B0, X.mean(axis=0))


def check_levels(X: np.ndarray, codes: np.ndarray, names: list[str], y, z, J: int, n_between: int,
                 where: str = "") -> None:
    """The checks every two-level fit makes on its rows (NaN for missing answers): more clusters
    than level-2 variables, level-1 variables that vary within clusters, cluster-level variables
    that do not vary within them (warned: their cluster means are used, as lavaan does)."""
    if J <= n_between:
        raise EstimationError(f"{J} clusters{where} for {n_between} level-2 variables: the between-cluster covariance "
                              "matrix cannot be estimated; a two-level model needs more clusters than between-level "
                              "variables (in practice 50 or more)")
    with np.errstate(invalid="ignore", divide="ignore"):
        sums, cnt = np.zeros((J, X.shape[1])), np.zeros((J, X.shape[1]))
        np.add.at(sums, codes, np.nan_to_num(X))
        np.add.at(cnt, codes, (~np.isnan(X)).astype(float))
        dev = X - (sums / cnt)[codes]
    within = np.nansum(dev ** 2, axis=0)
    scale = np.maximum(np.nanvar(X, axis=0), 1e-300) * np.maximum((~np.isnan(X)).sum(axis=0), 1)
    flat = [names[k] for k in y if within[k] <= 1e-10 * scale[k]]
    if flat:
        raise EstimationError(f"{', '.join(flat)}{where}: no variance within clusters (the same value for everyone "
                              "in a cluster), yet declared at level 1; a cluster-level variable belongs in the "
                              "'level: 2' block only")
    varying = [names[k] for k in z
               if np.nanmax(np.abs(dev[:, k]), initial=0.0) > 1e-8 * max(1.0, np.nanmax(np.abs(X[:, k]), initial=0.0))]
    if varying:
        warnings.warn(f"SEM: {', '.join(varying)}{where} named only at level 2 but not constant within clusters: "
                      "their cluster means are used (as lavaan does)", SEMWarning, stacklevel=4)


def cluster_column(data: pd.DataFrame, cluster: str, group: str | None) -> pd.Series:
    """The cluster column, checked: present, not the group column, more than one value."""
    from .samplestats import check_cluster_column

    check_cluster_column(data, cluster, group)
    col = data[cluster]
    if col.dropna().nunique() < 2:
        raise PsychometricsError(f"cluster column {cluster!r} has {col.dropna().nunique()} distinct value(s): a "
                                 "two-level model needs many clusters (schools); check the column")
    return col
