"""Fit measures computed from S, Sigma, N, df and npar (lavaan's ``fitMeasures`` definitions).

.. math::
    \\chi^2 = N F_{ML}, \\quad CFI = 1 - \\frac{\\max(\\chi^2 - df, 0)}{\\max(\\chi^2_b - df_b, \\chi^2 - df, 0)},
    \\quad TLI = \\frac{\\chi^2_b/df_b - \\chi^2/df}{\\chi^2_b/df_b - 1},
    \\quad RMSEA = \\sqrt{\\max\\Bigl(\\frac{\\chi^2 - df}{N\\,df}, 0\\Bigr)}

with N (not N - 1) throughout, as lavaan; the 90% RMSEA interval inverts the noncentral
chi-square; SRMR is Bentler's (residual covariances scaled by the observed standard deviations,
lower triangle with the diagonal); the log-likelihood is the full normal one, so AIC and BIC are
on lavaan's scale.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def _ncp_for(chisq: float, df: int, prob: float) -> float:
    """Noncentrality lambda with P(X <= chisq | df, lambda) = prob (0 if not attainable)."""
    if df <= 0 or stats.chi2.cdf(chisq, df) < prob:
        return 0.0
    f = lambda lam: stats.ncx2.cdf(chisq, df, lam) - prob  # noqa: E731
    hi = max(chisq, 1.0)
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, 0.0, hi, xtol=1e-12)


def fit_measures(S: np.ndarray, Sigma: np.ndarray, n: int, npar: int, fmin_ml: float) -> dict:
    p = S.shape[0]
    df = p * (p + 1) // 2 - npar
    chisq = max(n * fmin_ml, 0.0)   # F_ML >= 0; a saturated model can round to -1e-15
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else float("nan")
    logdetS = np.linalg.slogdet(S)[1]
    chisq_b = n * (np.log(np.diag(S)).sum() - logdetS)
    df_b = p * (p - 1) // 2
    cfi_den = max(chisq_b - df_b, chisq - df, 0.0)
    cfi = 1 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    tli = ((chisq_b / df_b) - (chisq / df)) / ((chisq_b / df_b) - 1) if df > 0 else float("nan")
    rmsea = math.sqrt(max((chisq - df) / (n * df), 0.0)) if df > 0 else float("nan")
    lo = math.sqrt(_ncp_for(chisq, df, 0.95) / (n * df)) if df > 0 else float("nan")
    hi = math.sqrt(_ncp_for(chisq, df, 0.05) / (n * df)) if df > 0 else float("nan")
    pclose = float(stats.ncx2.sf(chisq, df, 0.05 ** 2 * n * df)) if df > 0 else float("nan")
    sd = np.sqrt(np.diag(S))
    resid = (S - Sigma) / np.outer(sd, sd)
    srmr = math.sqrt(np.mean(resid[np.tril_indices(p)] ** 2))
    Si = np.linalg.inv(Sigma)
    logl = -n / 2 * (p * math.log(2 * math.pi) + np.linalg.slogdet(Sigma)[1] + np.trace(S @ Si))
    logl_h1 = -n / 2 * (p * math.log(2 * math.pi) + logdetS + p)
    return {"npar": npar, "fmin": fmin_ml / 2, "chisq": chisq, "df": df, "pvalue": pvalue,
            "baseline_chisq": chisq_b, "baseline_df": df_b,
            "baseline_pvalue": float(stats.chi2.sf(chisq_b, df_b)), "cfi": cfi, "tli": tli,
            "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "rmsea_pvalue": pclose, "srmr": srmr,
            "logl": logl, "unrestricted_logl": logl_h1, "aic": -2 * logl + 2 * npar,
            "bic": -2 * logl + npar * math.log(n), "ntotal": n}
