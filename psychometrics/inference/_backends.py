"""The one module that imports pingouin and statsmodels (both imported on first use: together they
take about 2 s). Everything else in :mod:`psychometrics.inference` calls these functions with
NumPy arrays and gets plain dicts back, so neither library's column names, rounding or warnings
reach the rest of the package.

Quirks handled here:

* pingouin rounds confidence intervals to two decimals by default (``CI95``, ``compute_esci``);
  the mean-difference CI is computed here from the unrounded SE and the Welch df, and the CI of d
  is asked for with more decimals.
* pingouin's ``chi2_independence`` takes its Cramer's V from the Yates-corrected statistic on
  2 x 2 tables; crosstabs use SciPy directly (:mod:`.crosstab`).
* statsmodels' ``OrderedModel`` stores thresholds as the first cut point followed by log
  increments; they are turned into cut points (and their SEs by the delta method) here.
* pingouin 0.7 calls ``DataFrame.dropna(inplace=True)``, deprecated in pandas 3.1; that warning
  is silenced around its calls.
* statsmodels' MixedLM SEs of the fixed effects come from the joint Hessian; lme4's (and ours)
  from :math:`(X'V^{-1}X)^{-1}`.
* statsmodels warns on every MixedLM fit whose REML optimum lies on the boundary; the warning is
  turned into a note the result carries.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats


def welch_t(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> dict:
    r"""Welch's t-test of two independent samples with Cohen's d and Hedges' g.

    ``t = (mean_x - mean_y) / sqrt(s_x^2/n_x + s_y^2/n_y)`` on Welch-Satterthwaite df; d uses the
    pooled SD, g multiplies it by the small-sample correction (pingouin ``ttest``, ``compute_effsize``,
    ``compute_esci``). R: ``t.test(x, y)``.
    """
    import pingouin as pg

    with warnings.catch_warnings():        # pingouin's own pandas deprecations, not the user's
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        r = pg.ttest(x, y, correction=True, confidence=confidence).iloc[0]
    diff = float(np.mean(x) - np.mean(y))
    se = float(np.sqrt(np.var(x, ddof=1) / len(x) + np.var(y, ddof=1) / len(y)))
    df = float(r["dof"])
    q = stats.t.ppf(0.5 + confidence / 2, df)
    d = float(pg.compute_effsize(x, y, eftype="cohen"))
    d_ci = pg.compute_esci(stat=d, nx=len(x), ny=len(y), eftype="cohen", confidence=confidence, decimals=12)
    return {"t": float(r["T"]), "df": df, "p": float(r["p_val"]), "diff": diff, "ci_low": diff - q * se,
            "ci_high": diff + q * se, "d": d, "d_ci_low": float(d_ci[0]), "d_ci_high": float(d_ci[1]),
            "g": float(pg.compute_effsize(x, y, eftype="hedges"))}


def anova(values: np.ndarray, groups: np.ndarray) -> dict:
    r"""One-way ANOVA: Welch's F (no equal variances assumed) and the classic F, with
    :math:`\eta^2 = SS_b/SS_t` and :math:`\omega^2 = (SS_b - df_b MS_w)/(SS_t + MS_w)`
    (pingouin ``welch_anova``, ``anova``). R: ``oneway.test(y ~ g)``, ``summary(aov(y ~ g))``.
    """
    import pandas as pd
    import pingouin as pg

    frame = pd.DataFrame({"y": values, "g": groups})
    with warnings.catch_warnings():        # pingouin 0.7 calls dropna(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        w = pg.welch_anova(data=frame, dv="y", between="g").iloc[0]
        a = pg.anova(data=frame, dv="y", between="g", detailed=True)
    ss_b, ss_w = float(a["SS"].iloc[0]), float(a["SS"].iloc[1])
    df_b, df_w = float(a["DF"].iloc[0]), float(a["DF"].iloc[1])
    ms_w = ss_w / df_w
    return {"welch_F": float(w["F"]), "welch_df1": float(w["ddof1"]), "welch_df2": float(w["ddof2"]),
            "welch_p": float(w["p_unc"]), "F": float(a["F"].iloc[0]), "df1": df_b, "df2": df_w,
            "p": float(a["p_unc"].iloc[0]), "ss_between": ss_b, "ss_within": ss_w,
            "eta2": ss_b / (ss_b + ss_w), "omega2": (ss_b - df_b * ms_w) / (ss_b + ss_w + ms_w)}


def ols(y: np.ndarray, X: np.ndarray, clusters: np.ndarray | None) -> dict:
    r"""OLS with, given clusters, the cluster-robust (CR1) covariance
    :math:`\frac{G}{G-1}\frac{N-1}{N-K}(X'X)^{-1}\sum_g X_g'u_gu_g'X_g(X'X)^{-1}` and t tests on
    G - 1 df (statsmodels ``OLS.fit(cov_type="cluster")``, Stata's ``vce(cluster)``).
    R: ``sandwich::vcovCL(lm(...), cluster = g, type = "HC1")``.
    """
    import statsmodels.api as sm

    model = sm.OLS(y, X)
    if clusters is None:
        fit = model.fit()
        df = float(fit.df_resid)
    else:
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": clusters, "use_correction": True}, use_t=True)
        df = float(len(np.unique(clusters)) - 1)
    return {"estimate": np.asarray(fit.params), "se": np.asarray(fit.bse), "df": df, "r2": float(fit.rsquared),
            "test": "t"}


def ordinal_logit(y: np.ndarray, X: np.ndarray) -> dict:
    r"""Proportional-odds logit :math:`\mathrm{logit}\,P(Y \le k) = \zeta_k - x'\beta` by ML
    (statsmodels ``OrderedModel(distr="logit")``); the cut points' SEs by the delta method from
    statsmodels' first-cut-plus-log-increments parameters. R: ``MASS::polr(..., Hess = TRUE)``.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    model = OrderedModel(y, X, distr="logit")
    fit = model.fit(method="newton", disp=False, maxiter=200)
    k = X.shape[1]
    raw = np.asarray(fit.params)
    V = np.asarray(fit.cov_params())
    # cut points: zeta_1 = a_1, zeta_j = a_1 + sum_{i<=j} exp(a_i); Jacobian of that map
    a = raw[k:]
    J = np.zeros((len(a), len(a)))
    J[:, 0] = 1.0
    for j in range(1, len(a)):
        J[j:, j] = np.exp(a[j])
    zeta = J[:, :1].ravel() * a[0] + np.concatenate([[0.0], np.cumsum(np.exp(a[1:]))])
    Vz = J @ V[k:, k:] @ J.T
    return {"estimate": raw[:k], "se": np.sqrt(np.diag(V)[:k]), "zeta": zeta, "zeta_se": np.sqrt(np.diag(Vz)),
            "loglik": float(fit.llf), "test": "z", "converged": bool(fit.mle_retvals.get("converged", True))}


def mixed(y: np.ndarray, X: np.ndarray, clusters: np.ndarray) -> dict:
    r"""Linear mixed model with a random intercept per cluster, by REML
    (statsmodels ``MixedLM``): :math:`y_{ij} = x_{ij}'\beta + u_j + e_{ij}`,
    :math:`u_j \sim N(0, \tau^2)`, :math:`e_{ij} \sim N(0, \sigma^2)`; Wald z tests of the fixed
    effects. R: ``lme4::lmer(y ~ x + (1 | cluster), REML = TRUE)``.
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    notes = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # BFGS to a small gradient: L-BFGS (the default) stops on flat REML surfaces with the
        # random-intercept variance 5e-5 relative from lme4's
        fit = sm.MixedLM(y, X, groups=clusters).fit(reml=True, method=["bfgs", "lbfgs"], gtol=1e-10)
    for w in caught:
        if issubclass(w.category, (ConvergenceWarning, UserWarning, RuntimeWarning)):
            notes.append(str(w.message).splitlines()[0])
    tau2, sigma2 = float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)
    # SEs of the fixed effects from (X'V^-1 X)^-1 at the REML estimates, as lme4 and nlme give them;
    # statsmodels' bse inverts the joint Hessian, whose fixed-effect/variance cross terms are not 0
    # on unbalanced clusters (4e-4 relative larger on the example data)
    _, inverse, sizes = np.unique(clusters, return_inverse=True, return_counts=True)
    shrink = tau2 / (sigma2 + sizes * tau2)            # V_j^-1 = (I - shrink_j 11') / sigma2
    sums = np.zeros((len(sizes), X.shape[1]))
    np.add.at(sums, inverse, X)
    XtVX = (X.T @ X - (sums * shrink[:, None]).T @ sums) / sigma2
    return {"estimate": np.asarray(fit.fe_params), "se": np.sqrt(np.diag(np.linalg.inv(XtVX))),
            "var_intercept": tau2, "var_residual": sigma2,
            "reml": float(fit.llf), "test": "z", "converged": bool(fit.converged), "notes": notes}
