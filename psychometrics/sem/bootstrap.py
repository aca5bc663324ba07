"""Bootstrap of SEM estimates and ``:=`` effects (lavaan's ``se = "bootstrap"``) and the
Bollen-Stine bootstrap of the chi-square (lavaan's ``bootstrapLavaan(type = "bollen.stine")``).

Rows are resampled with replacement within each group (with ``clusters``, whole clusters: their
rows go together, as the design sampled them), the model is refitted from the
full-sample estimates (warm start, Fisher scoring), and for every free and defined parameter the
bootstrap SE (SD of the draws) and intervals are formed: percentile; bias-corrected (``bc``,
lavaan's ``bca.simple``); BCa (Efron, 1987) with the acceleration from a jackknife of the rows.
Draw b uses its own random stream ``SeedSequence(seed, spawn_key=(b,))``, so results do not depend
on the number of worker processes. Draws that fail are left out and counted.

Bollen-Stine: each group's data are first transformed to fit the model exactly,
:math:`Z = (X - \\bar x) S^{-1/2} \\hat\\Sigma^{1/2} + \\hat\\mu`, then resampled; the p-value is the
share of draws whose chi-square exceeds the observed one (Bollen & Stine, 1992, Sociological
Methods & Research 21, 205-229).
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, special

from . import model as _model


def _quantile_ci(draws: np.ndarray, est: float, level: float, kind: str, jack: np.ndarray | None) -> tuple[float, float]:
    g = 1 - level
    if kind == "perc":
        q = [g / 2, 1 - g / 2]
    else:
        z0 = special.ndtri(np.clip(np.mean(draws < est), 1e-10, 1 - 1e-10))
        zq = special.ndtri(np.array([g / 2, 1 - g / 2]))
        a = 0.0
        if kind == "bca" and jack is not None:
            d = jack.mean() - jack
            den = 6 * (d ** 2).sum() ** 1.5
            a = float((d ** 3).sum() / den) if den > 0 else 0.0
        q = special.ndtr(z0 + (z0 + zq) / (1 - a * (z0 + zq)))
    return tuple(np.quantile(draws, q))


def _chunk(bs: list[int], st: dict) -> list[tuple[np.ndarray | None, float]]:
    """Fit the draws bs together (vectorised over draws); draw b resamples with its own stream."""
    from .batch import fit_batch

    Xs = st["X"]
    members = st.get("members")          # per group, the rows of each cluster (cluster bootstrap)
    S = np.empty((len(bs), len(Xs), Xs[0].shape[1], Xs[0].shape[1]))
    xbar = np.empty((len(bs), len(Xs), Xs[0].shape[1]))
    nb = np.empty((len(bs), len(Xs)))
    for t, b in enumerate(bs):
        rng = np.random.default_rng(np.random.SeedSequence(st["entropy"], spawn_key=(b,)))
        for g, X in enumerate(Xs):
            if members is None:
                Xb = X[rng.integers(0, len(X), len(X))]
            else:
                pick = rng.integers(0, len(members[g]), len(members[g]))
                Xb = X[np.concatenate([members[g][c] for c in pick])]
            nb[t, g] = len(Xb)
            xbar[t, g] = Xb.mean(axis=0)
            z = Xb - xbar[t, g]
            S[t, g] = z.T @ z / len(Xb)
    n = nb[0] if members is None else nb
    w = n / n.sum(axis=-1, keepdims=True)
    if st.get("cons") is not None:     # constrained models: one SQP fit per draw
        from .constraints import fit_constrained

        out = []
        for t in range(len(bs)):
            n_t = nb[t]
            blocks = [_model.Block(g, np.arange(S.shape[-1]), int(n_t[g]), n_t[g] / n_t.sum(), S[t, g], xbar[t, g])
                      for g in range(len(Xs))]
            c0 = sum(b.w * (np.linalg.slogdet(b.S)[1] + b.S.shape[0]) for b in blocks)
            try:
                th, F, ok, _, _ = fit_constrained(st["model"], blocks, st["theta"], st["cons"], c0)
            except Exception:   # a singular resample: counted, not fatal
                th, F, ok = None, float("nan"), False
            out.append((th if ok else None, F * n_t.sum()))
        return out
    thb, Fb, okb = fit_batch(st["model"], S, xbar, w, st["theta"], tol=st["tol"], info0=st.get("info0"))
    return [(thb[t] if okb[t] else None, Fb[t] * nb[t].sum()) for t in range(len(bs))]


def _run(state: dict, n_boot: int, n_jobs: int, progress: bool, desc: str, scheduler=None):
    """Every draw's (theta or None, statistic), in chunks of 50 on :mod:`.parallel`'s engine (the
    state sent once per worker); one process when there are too few draws to share."""
    from .parallel import run

    size = 50
    chunks = [list(range(i, min(i + size, n_boot))) for i in range(0, n_boot, size)]
    workers = n_jobs if (n_boot > size or scheduler is not None) else 1
    out = run(_chunk, chunks, workers=workers, scheduler=scheduler, progress=progress, desc=desc,
              sizes=[len(c) for c in chunks], shared=state, argument="n_jobs")
    return [r for part in out for r in part]


def bootstrap(model, X_groups: list[np.ndarray], theta: np.ndarray, values_at, n_boot: int, seed: int | None,
              level: float, kind: str, progress: bool, n_jobs: int = 1, cons=None,
              clusters: list[np.ndarray] | None = None, scheduler=None) -> dict:
    """``values_at(thetas)`` maps (T, n_free) to every reported value (rows, then defined ones);
    ``clusters`` (per group, each row's cluster): resample whole clusters, and jackknife them for
    BCa."""
    entropy = np.random.SeedSequence(seed).entropy
    # draws stop at gradient 1e-6: estimates within ~1e-6 (relative) of the optimum, far below the
    # bootstrap's Monte Carlo error (about 2% for SEs from 1000 draws)
    info0 = model.expected_information(theta, _model.complete_blocks(X_groups)) if cons is None else None
    members = None if clusters is None else [[np.flatnonzero(codes == c) for c in range(int(codes.max()) + 1)]
                                              for codes in clusters]
    res = _run({"model": model, "X": X_groups, "theta": theta, "entropy": entropy, "tol": 1e-6, "cons": cons,
                "info0": info0, "members": members}, n_boot, n_jobs, progress,
               "bootstrap" if members is None else "cluster bootstrap", scheduler)
    thetas = np.array([th for th, _ in res if th is not None]).reshape(-1, len(theta))
    failed = n_boot - len(thetas)
    draws = values_at(thetas)
    base = values_at(theta)[0]
    jack = None
    if kind == "bca":
        from tqdm.auto import tqdm

        jack_draws = []
        units = [[np.array([i]) for i in range(len(X))] for X in X_groups] if members is None else members
        idx = [(g, rows) for g in range(len(X_groups)) for rows in units[g]]
        for g, rows in tqdm(idx, desc="jackknife", disable=not progress, leave=False):
            Xs = [np.delete(X, rows, axis=0) if h == g else X for h, X in enumerate(X_groups)]
            if cons is not None:
                from .constraints import fit_constrained

                th = fit_constrained(model, _model.complete_blocks(Xs), theta, cons)[0]
            else:
                th = _model.fit_ml(model, _model.complete_blocks(Xs), theta, warm=True)[0]
            jack_draws.append(th)
        jack = values_at(np.array(jack_draws))
    se = draws.std(axis=0, ddof=1)
    ci = np.array([_quantile_ci(draws[:, j], base[j], level, kind, None if jack is None else jack[:, j])
                   for j in range(draws.shape[1])])
    return {"se": se, "ci": ci, "draws": draws, "failed": failed}


def _sqrtm(S: np.ndarray) -> np.ndarray:
    w, V = linalg.eigh(S)
    return (V * np.sqrt(np.maximum(w, 0))) @ V.T


def bollen_stine(model, X_groups: list[np.ndarray], theta: np.ndarray, Sigmas, mus, chisq: float, n_boot: int,
                 seed: int | None, progress: bool, n_jobs: int = 1, cons=None, scheduler=None) -> dict:
    Z = []
    for X, Sig, mu in zip(X_groups, Sigmas, mus):
        xbar = X.mean(axis=0)
        S = np.cov(X, rowvar=False, ddof=0)
        T = np.linalg.inv(_sqrtm(S)) @ _sqrtm(Sig)
        Z.append((X - xbar) @ T + (mu if model.meanstructure else xbar))
    entropy = np.random.SeedSequence(seed).entropy
    info0 = model.expected_information(theta, _model.complete_blocks(Z)) if cons is None else None
    res = _run({"model": model, "X": Z, "theta": theta, "entropy": entropy, "tol": 1e-7, "cons": cons,
                "info0": info0}, n_boot, n_jobs, progress, "Bollen-Stine", scheduler)
    stats_ = np.array([t for th, t in res if th is not None])
    return {"pvalue": float(np.mean(stats_ > chisq)) if len(stats_) else float("nan"), "used": len(stats_),
            "failed": n_boot - len(stats_), "draws": stats_}
