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
from typing import Sequence

import numpy as np
from scipy import special


def _ncp_for(chisq: float, df: float, prob: float) -> float:
    """Noncentrality lambda with P(X <= chisq | df, lambda) = prob (0 if not attainable); cdflib's
    inverse of the noncentral chi-square in the noncentrality (``scipy.special.chndtrinc``)."""
    if df <= 0 or special.chdtr(df, chisq) < prob:
        return 0.0
    lam = float(special.chndtrinc(chisq, df, prob))
    return lam if np.isfinite(lam) else 0.0


def _ncx2_sf(x: float, df: float, nc: float) -> float:
    """Upper tail of the noncentral chi-square: cdflib's cdf (fast) unless the tail is small, where
    1 - cdf would lose digits (then scipy.stats' survival function)."""
    p = 1.0 - float(special.chndtr(x, df, nc))
    if p > 1e-6:
        return p
    from scipy import stats

    return float(stats.ncx2.sf(x, df, nc))


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
        p = _ncx2_sf(chisq, d, 0.05 ** 2 * n * d / g)
    else:
        r = sg * math.sqrt(max((chisq - c * df) / (n * df), 0.0))
        x = chisq / c
        lo = sg * math.sqrt(c * _ncp_for(x, df, 0.95) / (n * df))
        hi = sg * math.sqrt(c * _ncp_for(x, df, 0.05) / (n * df))
        p = _ncx2_sf(x, df, 0.05 ** 2 * n * df / c / g)
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
           "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(n), "ntotal": n,
           "nnfi": tli, "rmsea_ci_level": 0.90, "rmsea_close_h0": 0.05, "rmsea_notclose_h0": 0.08,
           "rmsea_notclose_pvalue": (float(special.chndtr(chisq, df, 0.08 ** 2 * nr * df / n_groups))
                                     if df > 0 else math.nan),
           **incremental_measures(chisq, df, chisq_b, df_b, nr, npar, logl, n_groups)}
    if scaling is not None:
        c, cb = scaling, scaling_b
        assert cb is not None  # given with scaling
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


def _rms(cov_part: np.ndarray, mean_part: np.ndarray | None) -> tuple[float, float]:
    """Root mean square of the covariance residuals, and of those with the mean residuals."""
    nomean = math.sqrt(np.mean(cov_part ** 2)) if cov_part.size else 0.0
    if mean_part is None:
        return nomean, nomean
    both = np.concatenate([cov_part, mean_part])
    return math.sqrt(np.mean(both ** 2)), nomean


def residual_measures(S_list, Sigma_list, mean_list, mu_list, weights) -> dict:
    """lavaan's residual-based measures (``lav_residuals_summary``), the N-weighted mean over groups:
    ``rmr`` (raw residuals, lower triangle with the diagonal), ``srmr_bentler`` (residuals scaled by
    the observed standard deviations; lavaan's ``srmr``), ``crmr`` (residual correlations below the
    diagonal, mean residuals scaled by the observed standard deviations) and ``srmr_mplus`` (Mplus:
    residual correlations plus the variances' relative residuals); each also ``_nomean``, without
    the mean residuals."""
    acc: dict[str, float] = {}
    for g, (S, Sigma) in enumerate(zip(S_list, Sigma_list)):
        p = S.shape[0]
        low, strict = np.tril_indices(p), np.tril_indices(p, -1)
        sd, sd_h = np.sqrt(np.diag(S)), np.sqrt(np.diag(Sigma))
        E = S - Sigma
        Rc = S / np.outer(sd, sd) - Sigma / np.outer(sd_h, sd_h)
        m = None if mean_list is None else (mean_list[g], mu_list[g])
        parts = {
            "rmr": (E[low], None if m is None else m[0] - m[1]),
            "srmr_bentler": ((E / np.outer(sd, sd))[low], None if m is None else (m[0] - m[1]) / sd),
            "crmr": (Rc[strict], None if m is None else (m[0] - m[1]) / sd),
        }
        rel_var = (np.diag(S) - np.diag(Sigma)) / np.diag(S)
        mplus_cov = np.concatenate([Rc[strict], rel_var])
        parts["srmr_mplus"] = (mplus_cov, None if m is None else m[0] / sd - m[1] / sd_h)
        for name, (c, mm) in parts.items():
            total, nomean = _rms(c, mm)
            acc[name] = acc.get(name, 0.0) + weights[g] * total
            acc[name + "_nomean"] = acc.get(name + "_nomean", 0.0) + weights[g] * nomean
    return acc


def gfi_measures(S_list, Sigma_list, mean_list, mu_list, weights, df: int, exo: Sequence[int] = (),
                 weight: str = "ML") -> dict:
    """LISREL's GFI, AGFI and PGFI as lavaan computes them: :math:`GFI = 1 - e'We / s'Ws` over the
    sample moments s (covariances, lower triangle with the diagonal, and means with a mean
    structure) and residuals e, leaving out the moments among fixed covariates (``exo``); W is the
    normal-theory weight at the model-implied moments for ML (:math:`\\tfrac12 D'(\\hat\\Sigma^{-1}
    \\otimes \\hat\\Sigma^{-1})D`, and :math:`\\hat\\Sigma^{-1}` for the means), at the sample moments
    for GLS, the identity for ULS; N-weighted over groups. :math:`AGFI = 1 - (n_{el}/df)(1 - GFI)`,
    :math:`PGFI = (df/n_{el})\\,GFI` with :math:`n_{el}` the number of sample moments (all of
    them, as lavaan counts)"""
    gfi, nel = 0.0, 0
    for g, (S, Sigma) in enumerate(zip(S_list, Sigma_list)):
        p = S.shape[0]
        x = np.zeros(p, dtype=bool)
        x[list(exo)] = True
        # the moments left out are set to 0 (the residuals there are 0 already), so that the
        # quadratic forms in vech reduce to traces: e'We = 1/2 tr[(W E)^2] for W = A^-1 kron A^-1
        Sk = np.where(x[:, None] & x[None, :], 0.0, S)
        E = S - Sigma
        if weight == "ULS":
            low = np.tril_indices(p)
            t1, t2 = float((E[low] ** 2).sum()), float((Sk[low] ** 2).sum())
        else:
            Wm = np.linalg.inv(Sigma if weight == "ML" else S)
            A, B = Wm @ E, Wm @ Sk
            t1, t2 = 0.5 * float(np.sum(A * A.T)), 0.5 * float(np.sum(B * B.T))
        nel += p * (p + 1) // 2 + (p if mean_list is not None else 0)   # lavaan: all moments
        if mean_list is not None:
            r, xb = mean_list[g] - mu_list[g], np.where(x, 0.0, mean_list[g])
            if weight == "ULS":
                t1, t2 = t1 + float(r @ r), t2 + float(xb @ xb)
            else:
                t1, t2 = t1 + float(r @ Wm @ r), t2 + float(xb @ Wm @ xb)
        gfi += weights[g] * (1 - t1 / t2)
    agfi = 1 - nel / df * (1 - gfi) if df > 0 else 1.0
    return {"gfi": float(gfi), "agfi": float(agfi), "pgfi": float(df / nel * gfi)}


def incremental_measures(chisq: float, df: int, chisq_b: float, df_b: int, n: int, npar: int,
                         logl: float, n_groups: int) -> dict:
    """NFI, PNFI, RFI, IFI, RNI, NNFI (= TLI), SABIC (``bic2``), Hoelter's critical N, McDonald's
    MFI and the ECVI as lavaan defines them (``lav_fit_cfi.R``, ``lav_fit_other.R``)."""
    nan = math.nan
    if df > df_b or chisq_b == 0:
        nfi = nan
    else:
        nfi = (chisq_b - chisq) / chisq_b if df > 0 else 1.0
    pnfi = (df / df_b) * (chisq_b - chisq) / chisq_b if df_b > 0 and chisq_b > 0 else nan
    if df > df_b:
        rfi = nan
    elif df > 0 and df_b > 0:
        t1, t2 = chisq_b / df_b - chisq / df, chisq_b / df_b
        rfi = 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    else:
        rfi = 1.0
    t1, t2 = chisq_b - chisq, chisq_b - df
    ifi = 1.0 if t2 < 0 else (nan if abs(t2) < 1e-12 else t1 / t2)
    t2 = chisq_b - df_b
    rni = nan if abs(t2) < 1e-12 else 1 - (chisq - df) / t2
    cn = {}
    for a, name in ((0.05, "cn_05"), (0.01, "cn_01")):
        cn[name] = nan if (df == 0 and chisq < 1.5e-8) or chisq <= 0 else float(special.chdtri(df, a) / (chisq / n) + 1)
    return {"nfi": nfi, "pnfi": pnfi, "rfi": rfi, "ifi": ifi, "rni": rni,
            "bic2": -2 * logl + npar * math.log((n + 2) / 24), **cn,
            "mfi": math.exp(-0.5 * (chisq - df) / n), "ecvi": chisq / n + 2 * npar / n}
