"""Simulate Likert data from a recursive latent path model (population values given).

A small, explicit generator used for the bundled example data and for tests:
latent variables follow

.. math:: \\eta = B\\eta + \\zeta, \\qquad \\zeta \\sim N(\\mu, \\Psi)

(solved in topological order), and each item is a thresholded continuous response
:math:`y^* = \\lambda\\eta + \\sqrt{1-\\lambda^2}\\,\\varepsilon`, cut at fixed thresholds
into categories 1..K (as ``lavaan::simulateData`` with ``ordered``).
"""

from __future__ import annotations

import numpy as np


def simulate_latent(n: int, paths: dict[str, dict[str, float]], exogenous_cov: dict[tuple[str, str], float],
                    residual_var: dict[str, float], shifts: np.ndarray | None = None,
                    names: list[str] | None = None, rng: np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Latent scores from a recursive path model.

    Parameters
    ----------
    paths
        ``{"outcome": {"predictor": coefficient}}``.
    exogenous_cov
        Covariances among exogenous latents, ``{("A", "B"): 0.3}``; variances are 1.
    residual_var
        Residual (disturbance) variance of each endogenous latent.
    shifts
        Optional ``n x len(names)`` array of per-respondent mean shifts (group effects),
        added to each latent's disturbance.

    >>> eta = simulate_latent(20000, {"Y": {"X": 0.5}}, {}, {"Y": 0.75}, rng=np.random.default_rng(1))
    >>> round(float(np.corrcoef(eta["X"], eta["Y"])[0, 1]), 1)
    0.5
    """
    rng = rng or np.random.default_rng()
    # a deterministic order (first appearance), so that a seed always gives the same data: an order
    # from sets of names would change with Python's string-hash seed
    seen: dict[str, None] = {}
    for (a, b) in exogenous_cov:
        seen.setdefault(a, None)
        seen.setdefault(b, None)
    for outcome, preds in paths.items():
        for v in preds:
            seen.setdefault(v, None)
        seen.setdefault(outcome, None)
    exo = [v for v in seen if v not in paths]
    order = list(exo)
    pending = [v for v in paths]
    while pending:
        ready = [v for v in pending if all(p in order for p in paths[v])]
        if not ready:
            raise ValueError(f"the paths among {pending} form a cycle; a recursive model is needed")
        order += ready
        pending = [v for v in pending if v not in ready]
    names = names or order
    C = np.eye(len(exo))
    for (a, b), c in exogenous_cov.items():
        i, j = exo.index(a), exo.index(b)
        C[i, j] = C[j, i] = c
    z = rng.multivariate_normal(np.zeros(len(exo)), C, size=n)
    eta = {v: z[:, i] for i, v in enumerate(exo)}
    for v in order:
        if v in paths:
            eta[v] = sum(c * eta[p] for p, c in paths[v].items()) + rng.normal(0, np.sqrt(residual_var[v]), n)
    if shifts is not None:
        for j, v in enumerate(names):
            eta[v] = eta[v] + shifts[:, j]
    return eta


def ordinal_items(eta: np.ndarray, loadings: list[float], thresholds: list[float],
                  rng: np.random.Generator) -> np.ndarray:
    """Items (n x len(loadings)) coded 1..len(thresholds)+1 from one latent variable.

    A negative loading gives a reverse-worded item.

    >>> y = ordinal_items(np.zeros(5), [0.7, -0.7], [-1, 0, 1], np.random.default_rng(0))
    >>> y.shape, int(y.min()) >= 1, int(y.max()) <= 4
    ((5, 2), True, True)
    """
    lam = np.asarray(loadings, dtype=float)
    ystar = eta[:, None] * lam + rng.normal(size=(len(eta), len(lam))) * np.sqrt(1 - lam ** 2)
    return (np.searchsorted(np.asarray(thresholds), ystar) + 1).astype(float)
