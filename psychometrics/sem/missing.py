"""The saturated (h1) and independence (baseline) models under FIML: EM estimates of the means and
covariances from incomplete data (Dempster, Laird & Rubin, 1977; Little & Rubin, 2002, ch. 11),
as lavaan's ``missing = "ml"`` uses for the chi-square, SRMR and the baseline model.
"""

from __future__ import annotations

import math
import warnings
from typing import Sequence

import numpy as np

from ..exceptions import PsychometricsWarning
from .blockkey import blocks_key
from .model import Block


def pattern_loglik(blocks: list[Block], mu: np.ndarray, Sigma: np.ndarray) -> float:
    """Sum over the blocks' rows of the normal log-density of their observed parts."""
    ll = 0.0
    for b in blocks:
        o = b.obs
        Soo = Sigma[np.ix_(o, o)]
        sign, logdet = np.linalg.slogdet(Soo)
        if sign <= 0:
            return -np.inf
        Si = np.linalg.inv(Soo)
        r = b.mean - mu[o]
        ll -= b.n / 2 * (len(o) * math.log(2 * math.pi) + logdet + np.trace(Si @ b.S) + r @ Si @ r)
    return ll


def _available_moments(blocks: list[Block], p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each variable's ML mean and variance from the rows where it is observed, and their number."""
    s1, s2, cnt = np.zeros(p), np.zeros(p), np.zeros(p)
    for b in blocks:
        s1[b.obs] += b.n * b.mean
        s2[b.obs] += b.n * (np.diag(b.S) + b.mean ** 2)
        cnt[b.obs] += b.n
    mu = s1 / cnt
    return mu, s2 / cnt - mu ** 2, cnt


#: saturated moments already estimated, by the content of the blocks: the steps of an invariance
#: sequence, a model and its measurement part, a power study's analysis fits all share them
_EM_CACHE: dict[tuple, tuple] = {}
_EM_CACHE_SIZE = 32


def em_saturated(blocks: list[Block], p: int, tol: float = 1e-10, max_iter: int = 10000) -> tuple[np.ndarray, np.ndarray, float]:
    """EM for the unrestricted mean vector and covariance matrix of one group's blocks.
    Returns (mu, Sigma, log-likelihood); the same blocks (by content) are estimated once."""
    key = blocks_key(blocks, p, tol) + (max_iter,)
    hit = _EM_CACHE.get(key)
    if hit is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            mu, Sigma, ll = _em_saturated(blocks, p, tol, max_iter)
        if len(_EM_CACHE) >= _EM_CACHE_SIZE:
            _EM_CACHE.pop(next(iter(_EM_CACHE)))
        hit = _EM_CACHE[key] = (mu, Sigma, ll, [(str(w.message), w.category) for w in caught])
    for message, category in hit[3]:       # said again at every use, as without the cache
        warnings.warn(message, category, stacklevel=2)
    return hit[0].copy(), hit[1].copy(), hit[2]


def _em_saturated(blocks: list[Block], p: int, tol: float, max_iter: int) -> tuple[np.ndarray, np.ndarray, float]:
    n_tot = sum(b.n for b in blocks)
    mu, var, _ = _available_moments(blocks, p)
    Sigma = np.diag(var)
    ll_old = -np.inf
    for it in range(max_iter):
        T1, T2 = np.zeros(p), np.zeros((p, p))
        for b in blocks:
            o = b.obs
            m = np.setdiff1d(np.arange(p), o)
            xb, n = b.mean, b.n
            Sxx = n * (b.S + np.outer(xb, xb))          # sum of x_o x_o'
            if len(m) == 0:
                T1 += n * xb
                T2 += Sxx
                continue
            B = Sigma[np.ix_(m, o)] @ np.linalg.inv(Sigma[np.ix_(o, o)])
            d = xb - mu[o]
            Sdd = n * (b.S + np.outer(d, d))
            xm = mu[m] + B @ d                           # mean of the completed x_m
            T1[o] += n * xb
            T1[m] += n * xm
            T2[np.ix_(o, o)] += Sxx
            cross = n * np.outer(xb, mu[m]) + (Sxx - n * np.outer(xb, mu[o])) @ B.T
            T2[np.ix_(o, m)] += cross
            T2[np.ix_(m, o)] += cross.T
            C = Sigma[np.ix_(m, m)] - B @ Sigma[np.ix_(o, m)]
            mm = n * np.outer(mu[m], mu[m]) + np.outer(mu[m], B @ d * n) + np.outer(B @ d * n, mu[m]) + B @ Sdd @ B.T
            T2[np.ix_(m, m)] += mm + n * C
        mu = T1 / n_tot
        Sigma = T2 / n_tot - np.outer(mu, mu)
        ll = pattern_loglik(blocks, mu, Sigma)
        if abs(ll - ll_old) < tol * max(1.0, abs(ll)):
            return mu, Sigma, ll
        ll_old = ll
    warnings.warn(f"EM for the saturated model did not converge in {max_iter} iterations", PsychometricsWarning,
                  stacklevel=2)
    return mu, Sigma, ll


def independence_loglik(blocks: list[Block], p: int, exo: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray, float]:
    """The baseline model (free means and variances, no covariances) factorises over variables:
    each variable's ML mean and variance from its observed values. Exogenous covariates fixed at
    their sample moments (``exo``, complete by then) keep their joint distribution, as lavaan's
    baseline with fixed.x."""
    mu, var, cnt = _available_moments(blocks, p)
    rest = np.setdiff1d(np.arange(p), exo)
    ll = float(-0.5 * (cnt[rest] * (math.log(2 * math.pi) + np.log(var[rest]) + 1)).sum())
    if len(exo):
        from .model import pattern_blocks

        rows = []
        for b in blocks:
            full = np.full((b.n, p), np.nan)
            full[:, b.obs] = b.X
            rows.append(full[:, list(exo)])
        ll += em_saturated(pattern_blocks([np.vstack(rows)]), len(exo))[2]
    return mu, var, ll
