"""Fit measures from the test statistics, N, df and npar (lavaan's ``fitMeasures`` definitions).

.. math::
    CFI = 1 - \\frac{\\max(\\chi^2 - df, 0)}{\\max(\\chi^2_b - df_b, \\chi^2 - df, 0)},
    \\quad TLI = \\frac{\\chi^2_b/df_b - \\chi^2/df}{\\chi^2_b/df_b - 1},
    \\quad RMSEA = \\sqrt{G}\\sqrt{\\max\\Bigl(\\frac{\\chi^2 - df}{N\\,df}, 0\\Bigr)}

with N (not N - 1) and G groups, as lavaan; the 90% RMSEA interval inverts the noncentral
chi-square. With a scaled statistic (MLR: Yuan-Bentler, Mplus variant; scaling factor c, baseline
c_b) the ``_scaled`` measures use the scaled statistics, and the ``_robust`` ones follow
Brosseau-Liard, Savalei & Li (2012) and Brosseau-Liard & Savalei (2014):

.. math:: RMSEA_{robust} = \\sqrt{G}\\sqrt{\\max\\Bigl(\\frac{\\chi^2 - c\\,df}{N\\,df}, 0\\Bigr)},\\quad
          CFI_{robust} = 1 - \\frac{\\max(\\chi^2 - c\\,df, 0)}{\\max(\\chi^2_b - c_b df_b, \\chi^2 - c\\,df, 0)}

The log-likelihood is the full normal one, so AIC and BIC are on lavaan's scale. R:
``lavaan::fitMeasures(fit)``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats


def _ncp_for(chisq: float, df: float, prob: float) -> float:
    """Noncentrality lambda with P(X <= chisq | df, lambda) = prob (0 if not attainable); cdflib's
    inverse of the noncentral chi-square in the noncentrality (``scipy.special.chndtrinc``)."""
    if df <= 0 or special.chdtr(df, chisq) < prob:
        return 0.0
    lam = float(special.chndtrinc(chisq, df, prob))
    return lam if np.isfinite(lam) else 0.0


def _rmsea(chisq, df, n, g, c=1.0, kind="standard"):
    """RMSEA, its 90% interval and p(close) as lavaan 0.6: ``standard`` from chi2; ``scaled`` from
    chi2/c, with the interval and p from chi2 on c*df degrees of freedom; ``robust``
    (Brosseau-Liard et al., 2012) from chi2 - c*df, its interval sqrt(c) times the interval of chi2/c."""
    if df == 0:      # a saturated model: lavaan reports RMSEA 0 with the interval [0, 0]
        return {"rmsea": 0.0, "lo": 0.0, "hi": 0.0, "p": math.nan}
    if df < 0:
        return {"rmsea": math.nan, "lo": math.nan, "hi": math.nan, "p": math.nan}
    sg = math.sqrt(g)
    if kind == "scaled":
        r = sg * math.sqrt(max((chisq / c - df) / (n * df), 0.0))
        d = df * c
        lo = sg * math.sqrt(_ncp_for(chisq, d, 0.95) / (n * d))
        hi = sg * math.sqrt(_ncp_for(chisq, d, 0.05) / (n * d))
        p = float(stats.ncx2.sf(chisq, d, 0.05 ** 2 * n * d / g))
    else:
        r = sg * math.sqrt(max((chisq - c * df) / (n * df), 0.0))
        x = chisq / c
        lo = sg * math.sqrt(c * _ncp_for(x, df, 0.95) / (n * df))
        hi = sg * math.sqrt(c * _ncp_for(x, df, 0.05) / (n * df))
        p = float(stats.ncx2.sf(x, df, 0.05 ** 2 * n * df / c / g))
    return {"rmsea": r, "lo": lo, "hi": hi, "p": p}


def _cfi_tli(chisq, df, chisq_b, df_b, c=1.0, c_b=1.0):
    t1 = max(chisq - c * df, 0.0)
    t2 = max(chisq_b - c_b * df_b, chisq - c * df, 0.0)
    cfi = 1 - t1 / t2 if t2 > 0 else 1.0
    if df > 0 and df_b > 0:
        tli = 1 - ((chisq - c * df) * df_b) / ((chisq_b - c_b * df_b) * df)
    elif df == 0:
        tli = 1.0    # lavaan: a saturated model fits perfectly
    else:
        tli = math.nan
    return cfi, tli


def fit_measures(*, chisq: float, df: int, npar: int, n: int, n_groups: int, chisq_b: float, df_b: int,
                 logl: float, logl_h1: float, srmr: float, fmin: float, scaling: float | None = None,
                 scaling_b: float | None = None, n_rmsea: int | None = None) -> dict:
    chisq = max(chisq, 0.0)   # a saturated model can round to -1e-13
    pvalue = float(special.chdtrc(df, chisq)) if df > 0 else math.nan
    cfi, tli = _cfi_tli(chisq, df, chisq_b, df_b)
    nr = n if n_rmsea is None else n_rmsea
    r = _rmsea(chisq, df, nr, n_groups)
    out = {"npar": npar, "fmin": fmin, "chisq": chisq, "df": df, "pvalue": pvalue,
           "baseline_chisq": chisq_b, "baseline_df": df_b, "baseline_pvalue": float(special.chdtrc(df_b, chisq_b)),
           "cfi": cfi, "tli": tli, "rmsea": r["rmsea"], "rmsea_ci_lower": r["lo"], "rmsea_ci_upper": r["hi"],
           "rmsea_pvalue": r["p"], "srmr": srmr, "logl": logl, "unrestricted_logl": logl_h1,
           "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(n), "ntotal": n}
    if scaling is not None:
        c, cb = scaling, scaling_b
        cs, cbs = chisq / c, chisq_b / cb
        cfi_s, tli_s = _cfi_tli(cs, df, cbs, df_b)
        rs = _rmsea(chisq, df, nr, n_groups, c, kind="scaled")
        cfi_r, tli_r = _cfi_tli(chisq, df, chisq_b, df_b, c, cb)
        rr = _rmsea(chisq, df, nr, n_groups, c)
        out.update({"chisq_scaled": cs, "df_scaled": df, "pvalue_scaled": float(special.chdtrc(df, cs)),
                    "chisq_scaling_factor": c, "baseline_chisq_scaled": cbs, "baseline_df_scaled": df_b,
                    "baseline_pvalue_scaled": float(special.chdtrc(df_b, cbs)), "baseline_chisq_scaling_factor": cb,
                    "cfi_scaled": cfi_s, "tli_scaled": tli_s, "cfi_robust": cfi_r, "tli_robust": tli_r,
                    "rmsea_scaled": rs["rmsea"], "rmsea_ci_lower_scaled": rs["lo"], "rmsea_ci_upper_scaled": rs["hi"],
                    "rmsea_pvalue_scaled": rs["p"], "rmsea_robust": rr["rmsea"], "rmsea_ci_lower_robust": rr["lo"],
                    "rmsea_ci_upper_robust": rr["hi"], "rmsea_pvalue_robust": rr["p"]})
    return out


def srmr(S_list, Sigma_list, mean_list=None, mu_list=None, weights=None) -> float:
    """Bentler's SRMR: residual covariances scaled by the observed standard deviations (lower
    triangle with the diagonal; with a mean structure the standardized mean residuals too); with
    several groups the N-weighted average of the groups' values."""
    vals = []
    for g, (S, Sigma) in enumerate(zip(S_list, Sigma_list)):
        p = S.shape[0]
        sd = np.sqrt(np.diag(S))
        resid = ((S - Sigma) / np.outer(sd, sd))[np.tril_indices(p)]
        if mean_list is not None:
            resid = np.concatenate([resid, (mean_list[g] - mu_list[g]) / sd])
        vals.append(math.sqrt(np.mean(resid ** 2)))
    w = np.ones(len(vals)) / len(vals) if weights is None else np.asarray(weights)
    return float(np.dot(w, vals))
