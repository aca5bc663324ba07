"""Nonparametric bootstrap of SEM estimates and ``:=`` effects (lavaan's ``se = "bootstrap"``).

Rows are resampled with replacement, the model is refitted from the full-sample estimates (warm
start, Fisher scoring), and for every free and defined parameter the bootstrap SE (SD of the draws)
and intervals are formed: percentile; bias-corrected (``bc``, lavaan's ``bca.simple``); BCa
(Efron, 1987) with the acceleration from a jackknife of the rows. Draws that fail to converge are
left out and counted.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import model as _model


def _quantile_ci(draws: np.ndarray, est: float, level: float, kind: str, jack: np.ndarray | None) -> tuple[float, float]:
    g = 1 - level
    if kind == "perc":
        q = [g / 2, 1 - g / 2]
    else:
        z0 = stats.norm.ppf(np.clip(np.mean(draws < est), 1e-10, 1 - 1e-10))
        zq = stats.norm.ppf([g / 2, 1 - g / 2])
        a = 0.0
        if kind == "bca" and jack is not None:
            d = jack.mean() - jack
            den = 6 * (d ** 2).sum() ** 1.5
            a = float((d ** 3).sum() / den) if den > 0 else 0.0
        q = stats.norm.cdf(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    return tuple(np.quantile(draws, q))


def bootstrap(ram, X: np.ndarray, theta: np.ndarray, values_at, n_boot: int, seed: int | None, level: float,
              kind: str, progress: bool) -> dict:
    """``values_at(theta)`` returns every reported value (free parameters then defined ones)."""
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    n = len(X)
    base = values_at(theta)
    draws, failed = [], 0
    for _ in tqdm(range(n_boot), desc="bootstrap", disable=not progress, leave=False):
        Xb = X[rng.integers(0, n, n)]
        Sb = np.cov(Xb, rowvar=False, ddof=0)
        try:
            th, _, ok, _ = _model.fit_ml(ram, Sb, theta, warm=True)
        except Exception:  # a singular resample: counted, not fatal
            ok = False
        if ok:
            draws.append(values_at(th))
        else:
            failed += 1
    draws = np.array(draws)
    jack = None
    if kind == "bca":
        jack = []
        for i in tqdm(range(n), desc="jackknife", disable=not progress, leave=False):
            Xi = np.delete(X, i, axis=0)
            th, _, _, _ = _model.fit_ml(ram, np.cov(Xi, rowvar=False, ddof=0), theta, warm=True)
            jack.append(values_at(th))
        jack = np.array(jack)
    se = draws.std(axis=0, ddof=1)
    ci = np.array([_quantile_ci(draws[:, j], base[j], level, kind, None if jack is None else jack[:, j])
                   for j in range(draws.shape[1])])
    return {"se": se, "ci": ci, "draws": draws, "failed": failed}
