"""Sample statistics, the step between the parameter table and the estimator (lavaan's
``lav_samplestats``): the groups (in order of first appearance, as lavaan), the data blocks (one per
group, or one per missing-data pattern with FIML), listwise deletion and rows left out (always
reported), and the alternative input of summary statistics (``sample.cov``, ``sample.nobs``,
``sample.mean``). Everything downstream sees :class:`SampleStats`, whatever the input was.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import EstimationError, PsychometricsError
from ..responses.io import apply_declared_missing, data_fingerprint, frame_sha256
from . import model as _model
from .partable import ParTable


@dataclass
class SampleStats:
    blocks: list
    X_groups: list            # the rows per group (None when fitted from summary statistics)
    notes: list[str]
    variances: np.ndarray     # of the model's observed variables (for the scale check)
    fingerprint: dict         # source, sha256 and rows of the data (or of the summary statistics)
    rows: list | None = None  # per group, the positions in the data of the rows used


@dataclass
class Summary:
    labels: list[str]
    columns: list[str]
    covs: list[pd.DataFrame]
    nobs: list[int]
    means: list[pd.Series] | None


def _warn_class():
    from . import SEMWarning

    return SEMWarning


def numeric(sub: pd.DataFrame) -> np.ndarray:
    """The model's columns as floats; text in a numeric column is an error naming row and value
    (never silently turned into a missing value)."""
    cols = list(sub.columns)
    if all(pd.api.types.is_numeric_dtype(t) for t in sub.dtypes):
        return sub.to_numpy(dtype=float, na_value=np.nan)
    out = []
    for c in cols:
        col = sub[c]
        if not pd.api.types.is_numeric_dtype(col):
            conv = pd.to_numeric(col, errors="coerce")
            bad = conv.isna() & col.notna()
            if bad.any():
                i = bad.to_numpy().nonzero()[0][0]
                raise PsychometricsError(f"column '{c}' holds non-numeric values ({int(bad.sum())} rows; first: row "
                                         f"{i + 1}, {col.iloc[i]!r}); recode them or mark them as missing")
            col = conv
        out.append(col.to_numpy(dtype=float, na_value=np.nan))
    return np.column_stack(out) if out else np.zeros((len(sub), 0))


def split_groups(data: pd.DataFrame, group: str | None) -> tuple[list[str], np.ndarray]:
    if group is None:
        return ["all"], np.zeros(len(data), dtype=int)
    if group not in data.columns:
        raise PsychometricsError(f"group column '{group}' is not in the data")
    gv = data[group]
    if gv.isna().any():
        raise PsychometricsError(f"group column '{group}' is empty in {int(gv.isna().sum())} row(s) (first: row "
                                 f"{int(gv.isna().to_numpy().nonzero()[0][0]) + 1}); fill it in or leave those rows out")
    labels = [str(v) for v in pd.unique(gv.astype(str))]      # order of first appearance, as lavaan
    codes = pd.Categorical(gv.astype(str), categories=labels).codes
    if len(labels) < 2:
        raise PsychometricsError(f"group column '{group}' has only one value ({labels[0]!r})")
    return labels, np.asarray(codes)


def data_blocks(X: np.ndarray, gcode: np.ndarray, labels: list[str], pt: ParTable, fiml: bool):
    """Rows per group and the data blocks (one per group; per missing-data pattern with FIML),
    with notes on what was left out. Listwise deletion and empty rows are reported, never silent."""
    notes: list[str] = []
    G = len(labels)
    n_rows = len(X)
    isnan = np.isnan(X)
    p = X.shape[1]
    if fiml:
        empty = isnan.all(axis=1)
        if empty.any():
            notes.append(f"FIML: {int(empty.sum())} of {n_rows} rows with no observed model variable left out")
        exo_idx = [pt.observed.index(v) for v in pt.exo_x] if pt.fixed_x else []
        if exo_idx and isnan[:, exo_idx].any():
            # lavaan (fixed.x = TRUE): the likelihood is conditional on x, so rows missing an x go
            miss_x = isnan[:, exo_idx].any(axis=1) & ~empty
            empty = empty | miss_x
            notes.append(f"FIML: {int(miss_x.sum())} of {n_rows} rows with a missing exogenous covariate ("
                         + ", ".join(v for v, k in zip(pt.exo_x, exo_idx) if isnan[:, k].any())
                         + ") left out, as lavaan does with fixed.x; model the covariates (fixed_x=False) to keep them")
            warnings.warn(f"SEM: {notes[-1]}", _warn_class(), stacklevel=5)
        X_groups = [X[(gcode == g) & ~empty] for g in range(G)]
        fiml_rows = [np.flatnonzero((gcode == g) & ~empty) for g in range(G)]
        blocks = _model.pattern_blocks(X_groups)
        if all(len(b.obs) == p for b in blocks):
            notes.append("FIML: no missing values in the model variables")
        else:
            incomplete = sum(b.n for b in blocks if len(b.obs) < p)
            notes.append(f"FIML: {len(blocks)} missing-data patterns; {incomplete} of {sum(b.n for b in blocks)} rows "
                         "incomplete, all used")
    else:
        complete = ~isnan.any(axis=1)
        if not complete.all():
            notes.append(f"listwise: {int((~complete).sum())} of {n_rows} rows with a missing model variable left out")
        X_groups = [X[(gcode == g) & complete] for g in range(G)]
        rows = [np.flatnonzero((gcode == g) & complete) for g in range(G)]
        for lab, Xg in zip(labels, X_groups):
            if len(Xg) <= p:
                raise EstimationError(f"only {len(Xg)} complete rows{'' if G == 1 else f' in group {lab!r}'} for "
                                      f"{p} observed variables" + ("" if G == 1 else
                                                                   f"; merge group {lab!r} with a similar one or "
                                                                   "leave it out"))
        blocks = _model.complete_blocks(X_groups)
        for lab, b in zip(labels, blocks):
            check_positive_definite(b.S, pt.observed, "" if G == 1 else f" of group {lab!r}")
        return X_groups, blocks, notes, rows
    return X_groups, blocks, notes, fiml_rows


def check_positive_definite(S: np.ndarray, names: list[str], where: str = "") -> None:
    """Refuse a singular sample covariance matrix, judged on the correlation scale (a variable
    measured in units 10^8 times larger than the others is not singular; judged on the raw matrix
    it looked so), naming the constant variables or those that are a linear combination of others
    (the largest entries of the null direction)."""
    var = np.diag(S).copy()
    const = [n for n, v in zip(names, var) if not v > 0]
    if const:
        raise EstimationError(f"the sample covariance matrix{where} is singular: {', '.join(const[:6])} "
                              f"{'is' if len(const) == 1 else 'are'} constant; leave {'it' if len(const) == 1 else 'them'}"
                              " out of the model")
    d = 1 / np.sqrt(var)
    R = S * d[:, None] * d[None, :]
    if _model.eigenvalues_above(R, 1e-10):     # eigenvectors only to name the variables
        return
    w, V = np.linalg.eigh(R)
    if w[0] > 1e-10:
        return
    v = np.abs(V[:, 0])
    involved = [names[i] for i in np.argsort(-v) if v[i] > 0.1 * v.max()]
    raise EstimationError(f"the sample covariance matrix{where} is singular: {', '.join(involved[:8])} are linearly "
                          "dependent (one is a sum or copy of the others, or there are fewer complete rows than "
                          "variables); leave one of them out")


def _warn_outlying(X: np.ndarray, names: list[str]) -> None:
    from ..exceptions import DataWarning
    from ..responses.validation import describe_outlying, outlying_in_matrix

    found = outlying_in_matrix(X, names)
    if found:
        warnings.warn(f"{describe_outlying(found)}; mark them missing (validate the responses with their instrument, "
                      "or replace the codes by NaN) if they are not answers", DataWarning, stacklevel=5)


def _all_numeric(data: pd.DataFrame, names: list[str]) -> np.ndarray | None:
    """The named columns as floats straight from a frame whose columns are all numeric NumPy
    dtypes (no subset frame built: a tenth of a small model's fit), else None."""
    if not data.columns.is_unique or not all(isinstance(t, np.dtype) and t.kind in "iuf" for t in data.dtypes):
        return None
    pos = {str(c): k for k, c in enumerate(data.columns)}
    if any(v not in pos for v in names):
        return None
    return data.to_numpy(dtype=float)[:, [pos[v] for v in names]]


def from_data(data: pd.DataFrame, pt: ParTable, group: str | None, gcode: np.ndarray, labels: list[str],
              fiml: bool) -> SampleStats:
    X = None if data.attrs.get("missing_declared") else _all_numeric(data, pt.observed)
    if X is None:
        used, _ = apply_declared_missing(data[pt.observed + ([group] if group else [])])   # SPSS user-missing
        X = numeric(used[pt.observed] if group else used)
    _warn_outlying(X, pt.observed)
    X_groups, blocks, notes, rows = data_blocks(X, gcode, labels, pt, fiml)
    if len(X) and not fiml and sum(len(x) for x in X_groups) == len(X):    # every row complete: no NaN
        var = X.var(axis=0)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.nanvar(X, axis=0) if len(X) else np.full(X.shape[1], np.nan)
    return SampleStats(blocks, X_groups, notes, var, data_fingerprint(data), rows)


def _as_list(value, labels, what: str) -> list:
    if isinstance(value, dict):
        missing = [lab for lab in labels if lab not in value]
        if missing:
            raise PsychometricsError(f"{what} has no entry for group(s) {', '.join(missing)}")
        return [value[lab] for lab in labels]
    if isinstance(value, (list, tuple)) and not isinstance(value, str):
        if len(value) != len(labels):
            raise PsychometricsError(f"{what} has {len(value)} entries for {len(labels)} group(s)")
        return list(value)
    return [value] * len(labels) if len(labels) == 1 else [value]


def summary_input(sample_cov, sample_nobs, sample_mean) -> Summary:
    """Check and align summary statistics: labelled square matrices, one N per group."""
    if isinstance(sample_cov, dict):
        labels = [str(k) for k in sample_cov]
        covs = list(sample_cov.values())
    elif isinstance(sample_cov, (list, tuple)):
        labels = [str(i + 1) for i in range(len(sample_cov))] if len(sample_cov) > 1 else ["all"]
        covs = list(sample_cov)
    else:
        labels, covs = ["all"], [sample_cov]
    out = []
    for lab, C in zip(labels, covs):
        if not isinstance(C, pd.DataFrame):
            raise PsychometricsError("sample_cov must be a pandas DataFrame with the variable names as index and "
                                     "columns (or a dict of them, one per group)")
        if list(C.index) != list(C.columns):
            raise PsychometricsError(f"sample_cov{'' if lab == 'all' else f' of group {lab}'}: the row and column "
                                     "names must be the same variables in the same order")
        A = C.to_numpy(dtype=float)
        where = "" if lab == "all" else f" of group {lab}"
        if not np.isfinite(A).all():
            i, j = map(int, np.argwhere(~np.isfinite(A))[0])
            raise PsychometricsError(f"sample_cov{where} holds a missing or infinite value (row {C.index[i]!r}, "
                                     f"column {C.columns[j]!r}); give the complete matrix")
        if not np.allclose(A, A.T, rtol=1e-8, atol=1e-10 * max(np.abs(A).max(), 1)):
            raise PsychometricsError(f"sample_cov{'' if lab == 'all' else f' of group {lab}'} is not symmetric")
        out.append(C.astype(float))
    if sample_nobs is None:
        raise PsychometricsError("sample_cov needs sample_nobs (the number of respondents, per group)")
    nobs = [int(n) for n in _as_list(sample_nobs, labels, "sample_nobs")]
    if any(n < 2 for n in nobs):
        raise PsychometricsError("sample_nobs must be at least 2 in every group")
    means = None
    if sample_mean is not None:
        means = [pd.Series(m, index=out[0].columns) if not isinstance(m, pd.Series) else m
                 for m in _as_list(sample_mean, labels, "sample_mean")]
    columns = [str(c) for c in out[0].columns]
    if any([str(c) for c in C.columns] != columns for C in out):
        raise PsychometricsError("sample_cov: every group's matrix must hold the same variables in the same order")
    return Summary(labels, columns, out, nobs, means)


def from_moments(summary: Summary, pt: ParTable, estimator: str) -> SampleStats:
    """Blocks from summary statistics: the covariance matrices (divisor N - 1) rescaled to N for
    the likelihood, as lavaan's ``sample.cov.rescale``; means when the model has a mean structure."""
    if pt.meanstructure and summary.means is None:
        raise PsychometricsError("the model has a mean structure (intercepts, several groups): give sample_mean as "
                                 "well as sample_cov")
    N = sum(summary.nobs)
    blocks = []
    parts = []
    for g, (C, n) in enumerate(zip(summary.covs, summary.nobs)):
        S = C.loc[pt.observed, pt.observed].to_numpy() * (n - 1) / n
        lab = summary.labels[g]
        check_positive_definite(S, pt.observed, "" if lab == "all" else f" of group {lab!r}")
        mean = (summary.means[g].loc[pt.observed].to_numpy(dtype=float) if summary.means is not None
                else np.zeros(len(pt.observed)))
        blocks.append(_model.Block(g, np.arange(len(pt.observed)), n, n / N, S, mean, None))
        parts.append(C.loc[pt.observed, pt.observed])
        if summary.means is not None:
            parts.append(summary.means[g].loc[pt.observed].to_frame().T)
    fingerprint = {"source": "<summary statistics>", "sha256": frame_sha256(pd.concat(parts, axis=0).reset_index(drop=True)),
                   "rows": int(sum(summary.nobs))}
    notes = [f"fitted from summary statistics (sample_cov, N = {', '.join(map(str, summary.nobs))})"]
    return SampleStats(blocks, [None] * len(blocks), notes, np.diag(blocks[0].S).copy(), fingerprint)


def check_cluster_column(data: pd.DataFrame, cluster: str, group: str | None) -> None:
    """The cluster column is in the data and is not the group column."""
    if cluster not in data.columns:
        raise PsychometricsError(f"cluster column {cluster!r} is not in the data; give the column of the clusters "
                                 "(e.g. --cluster school)")
    if cluster == group:
        raise PsychometricsError(f"cluster={cluster!r} is also the group column; give the column of the clusters "
                                 "(e.g. school) that are nested in the groups")


YB_CLUSTER = "robust SEs and the Yuan-Bentler test from the cluster-summed scores (lavaan's robust.cluster)"


def cluster_codes(data: pd.DataFrame, cluster: str, rows: list[np.ndarray] | None, group: str | None,
                  n_free: int | None, notes: list[str], bootstrap: int = 0, method: str = YB_CLUSTER) -> list[np.ndarray]:
    """Per group, the cluster of each row used (codes 0..C-1), for cluster-robust standard errors:
    the cluster column must exist and be filled in for every row used, and there must be at
    least two clusters in each group; with no more clusters than free parameters the robust
    covariance is singular, which a warning says."""
    check_cluster_column(data, cluster, group)
    if rows is None:
        raise PsychometricsError("cluster-robust standard errors need the raw data")
    col = data[cluster]
    out = []
    for g, r in enumerate(rows):
        vals = col.iloc[r]
        if vals.isna().any():
            first = int(r[int(np.flatnonzero(vals.isna().to_numpy())[0])]) + 1
            raise PsychometricsError(f"cluster column {cluster!r} is empty in {int(vals.isna().sum())} row(s) used "
                                     f"(first: row {first}); fill it in or leave those rows out")
        codes = pd.factorize(vals.astype(str))[0]
        if codes.max(initial=-1) < 1:
            where = "" if len(rows) == 1 else f" in group {g + 1}"
            raise PsychometricsError(f"cluster column {cluster!r} has a single value{where}: cluster-robust "
                                     "standard errors need at least two clusters (and are only trustworthy with many)")
        out.append(codes)
    n_clusters = sum(int(c.max()) + 1 for c in out)
    notes.append(f"cluster: {cluster} ({n_clusters} clusters): {method}")
    if bootstrap:
        notes.append("cluster bootstrap: whole clusters resampled within groups (BCa: a jackknife of the clusters)")
    if n_free is not None:
        check_cluster_count(n_clusters, n_free, notes)
    return out


def check_cluster_count(n_clusters: int, n_free: int, notes: list[str]) -> None:
    """Warn (and note) when there are no more clusters than free parameters."""
    if n_clusters <= n_free:
        notes.append(f"only {n_clusters} clusters for {n_free} free parameters: the cluster-robust covariance of the "
                     "estimates is singular and its SEs unreliable; use more clusters or a two-level model")
        warnings.warn(f"SEM: {notes[-1]}", _warn_class(), stacklevel=5)
