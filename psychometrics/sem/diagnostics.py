"""Checks of a model and its solution: identification (a singular information matrix, naming the
parameters), observed variances on very different scales, and improper solutions (Heywood cases,
a latent covariance matrix that is not positive definite)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..exceptions import EstimationError, SEMWarning
from . import model as _model
from .partable import ParTable

if TYPE_CHECKING:
    from .api import _Fit


def check_scales(pt: ParTable, var: np.ndarray, notes: list[str]) -> None:
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


def check_identified(pt: ParTable, info: np.ndarray) -> None:
    """Refuse a singular information matrix, judged scale-free (on the information scaled to unit
    diagonal, so that variables measured in hundreds do not look unidentified), naming the
    parameters that cannot be told apart (the largest entries of the null direction)."""
    d = np.sqrt(np.clip(np.diag(info), 0, None))
    names = {}
    for r in pt.rows:
        if r.free and r.free not in names:
            names[r.free] = f"{r.lhs} {r.op} {r.rhs}".strip() + (f" (group {r.group})" if pt.n_groups > 1 else "")
    if (d <= 0).any():
        bad = [names[int(k) + 1] for k in np.flatnonzero(d <= 0)]
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


def identified_inverse(pt: ParTable, info: np.ndarray) -> np.ndarray:
    """The inverse of the information matrix after :func:`check_identified`'s test, in one
    Cholesky factorization of the unit-diagonal scaling R when that settles it: the smallest
    eigenvalue of R is at least 1 / trace(R^-1), so trace(R^-1) <= 1e10 proves it above the
    1e-10 threshold (else the eigenvalue test decides and names the parameters).

    >>> from psychometrics.sem.partable import build
    >>> pt = build("y ~ x", ["x", "y"])
    >>> info = np.array([[2.0, 0.3], [0.3, 1.0]])
    >>> bool(np.allclose(identified_inverse(pt, info), np.linalg.inv(info)))
    True
    """
    d = np.sqrt(np.clip(np.diag(info), 0, None))
    if (d > 0).all():
        inv = _model.spd_inverse(info / np.outer(d, d))
        if inv is not None and np.isfinite(inv[0]).all() and np.trace(inv[0]) <= 1e10:
            return inv[0] / np.outer(d, d)
    check_identified(pt, info)
    return np.linalg.inv(info)


def improper(f: _Fit, params: pd.DataFrame, notes: list[str]) -> None:
    """Heywood cases and a non-positive-definite latent covariance matrix: a note and a warning."""
    est = params["est"].to_numpy(dtype=float)       # the table's rows are the parameter table's (then :=)
    neg = sorted({r.lhs for r, e in zip(f.pt.rows, est) if r.op == "~~" and r.lhs == r.rhs and e < 0})
    if neg:
        notes.append("negative variance (Heywood case): " + ", ".join(neg))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper", SEMWarning, stacklevel=3)
    lv_neg, beyond = [], []
    for g, lab in enumerate(f.labels):
        if not f.pt.latent:
            break
        V = latent_cov(f.mdl, f.theta, g)
        if np.linalg.eigvalsh(V).min() >= -1e-10:
            continue
        lv_neg.append(lab)
        sd = np.sqrt(np.clip(np.diag(V), 1e-300, None))
        r = V / np.outer(sd, sd)
        names = f.pt.latent
        beyond += [f"{names[i]} with {names[j]} r = {r[i, j]:.2f}" for i in range(len(names))
                   for j in range(i) if abs(r[i, j]) > 1]
    if lv_neg and not neg:
        notes.append("the covariance matrix of the latent variables is not positive definite"
                     + ("" if f.G == 1 else f" (group {', '.join(lv_neg)})")
                     + (f": {'; '.join(beyond[:4])} (a correlation beyond 1: the factors are not distinct; "
                        "consider merging them)" if beyond else ""))
        warnings.warn(f"SEM: {notes[-1]}; the solution is improper", SEMWarning, stacklevel=3)


def latent_cov(mdl: _model.Model, theta: np.ndarray, g: int) -> np.ndarray:
    V = mdl.total_cov(theta, g)
    return V[mdl.n_obs:, mdl.n_obs:]
