"""Test statistics and fit measures of a fitted model: the log-likelihoods (conditional on fixed
covariates as lavaan), the model and baseline chi-squares from the estimator plug-in, lavaan's fit
measures, FIML-corrected robust indices, and the Bollen-Stine bootstrap p-value."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import baseline
from .fitmeasures import fit_measures, gfi_measures, residual_measures
from .fitmeasures import srmr as _srmr

if TYPE_CHECKING:
    from .api import _Fit


def fit_statistics(f: _Fit, robust: dict | None, bollen_stine: int, seed, progress: bool, n_jobs: int,
                    notes: list[str]) -> tuple[dict, np.ndarray | None]:
    """Test statistics of the model and the baseline, then lavaan's fit measures (and the
    Bollen-Stine p-value when asked)."""
    mdl, theta, G, N = f.mdl, f.theta, f.G, f.N
    moms = [mdl.moments(theta, g) for g in range(G)]
    Sigmas, mus = [m["Sigma"] for m in moms], [m["mu"] for m in moms]
    logl = -N / 2 * (f.fmin + f.c0 + f.log2pi_terms) if f.estimator.likelihood else _ml_loglik(f.blocks, Sigmas)
    chisq, chisq_b, fmin = f.estimator.statistics(f, logl)
    df_b = baseline.degrees_of_freedom(f.pt, f.opt, f.G)
    logl_h1 = f.logl_h1
    if f.pt.exo_x and f.pt.fixed_x and f.opt.likelihood:
        # lavaan (fixed.x): the log-likelihood is conditional on the covariates (less their own part)
        logl_x = _exo_loglik(f)
        logl, logl_h1 = logl - logl_x, logl_h1 - logl_x
    fit = fit_measures(chisq=chisq, df=f.df, npar=f.pt.n_free - (f.cons.rank if f.cons else 0), n=N,
                       n_rmsea=N - G if f.opt.least_squares else N,      # lavaan: N - G without a likelihood
                       n_groups=G, chisq_b=chisq_b, df_b=df_b, logl=logl, logl_h1=logl_h1, fmin=fmin / 2,
                       srmr=_srmr(f.estimator.sample_covariances(f), Sigmas,
                                  f.mean_g if f.pt.meanstructure else None, mus, np.array(f.group_n) / N),
                       scaling=robust["scaling"] if robust else None,
                       scaling_b=robust["scaling_baseline"] if robust else None)
    S_fit = f.estimator.sample_covariances(f)
    w = np.array(f.group_n) / N
    means = f.mean_g if f.pt.meanstructure else None
    fit.update(residual_measures(S_fit, Sigmas, means, mus, w))
    fit.update(gfi_measures(S_fit, Sigmas, means, mus, w, f.df,
                            [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else [],
                            f.opt.weight))
    if f.opt.least_squares:
        fit["bic2"] = float("nan")     # no likelihood (lavaan: NA)
    if not f.opt.chisq_distributed:   # ULS: N - G times the discrepancy is not chi-square (lavaan: NA)
        fit["pvalue"] = fit["baseline_pvalue"] = float("nan")
    if f.fiml:
        # lavaan's robust CFI/TLI/RMSEA under FIML (with ML too): Zhang & Savalei's (2023) FIML-corrected
        # statistic on the EM moments, not the complete-data formulas
        from .fiml_robust import corrected
        from .fitmeasures import _cfi_tli, _rmsea

        exo = [f.pt.observed.index(v) for v in f.pt.exo_x] if f.pt.fixed_x else []
        z = corrected(mdl, theta, f.blocks, f.c0, f.S_g, f.mean_g, f.group_n, f.df, fit["baseline_df"], exo,
                      robust=robust is not None, clusters=f.clusters)
        cfi_r, tli_r = _cfi_tli(z["x3"], f.df, z["x3_b"], fit["baseline_df"], z["c3"], z["c3_b"])
        rr = _rmsea(z["x3"], f.df, N, G, z["c3"])
        fit.update({"cfi_robust": cfi_r, "tli_robust": tli_r, "rmsea_robust": rr["rmsea"],
                    "rmsea_ci_lower_robust": rr["lo"], "rmsea_ci_upper_robust": rr["hi"],
                    "rmsea_pvalue_robust": rr["p"]})
        notes.append("robust CFI/TLI/RMSEA under FIML: Zhang & Savalei's (2023) corrections, as lavaan")
    if not bollen_stine:
        return fit, None
    from .bootstrap import bollen_stine as run_bs

    bsp = run_bs(mdl, f.X_groups, theta, Sigmas, mus, chisq, bollen_stine, seed, progress, n_jobs, f.cons, f.scheduler)
    fit["bollen_stine_pvalue"] = bsp["pvalue"]
    fit["bollen_stine_draws"] = bsp["used"]
    notes.append(f"Bollen-Stine bootstrap: {bollen_stine} draws (seed {seed}), {bsp['failed']} failed")
    return fit, bsp["draws"]


def _exo_loglik(f: _Fit) -> float:
    """Normal log-likelihood of the fixed exogenous covariates at their sample moments, summed over
    groups (their rows are complete)."""
    ix = [f.pt.observed.index(v) for v in f.pt.exo_x]
    k = len(ix)
    ll = 0.0
    for g in range(f.G):
        C = f.S_g[g][np.ix_(ix, ix)]
        n = f.group_n[g]
        ll -= 0.5 * n * (k * math.log(2 * math.pi) + np.linalg.slogdet(C)[1] + k)
    return float(ll)


def _ml_loglik(blocks, Sigmas) -> float:
    ll = 0.0
    for b in blocks:
        Sg = Sigmas[b.group]
        ll -= b.n / 2 * (len(Sg) * math.log(2 * math.pi) + np.linalg.slogdet(Sg)[1] + np.trace(b.S @ np.linalg.inv(Sg)))
    return float(ll)
