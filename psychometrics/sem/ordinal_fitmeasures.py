r"""Fit measures of models with ordered indicators, as lavaan 0.6.14 reports them for categorical
data: the standard, scaled-shifted and mean-adjusted statistics' CFI, TLI and RMSEA (N - G, times
sqrt(G)), the baseline model of zero correlations with free thresholds, and the robust CFI, TLI
and RMSEA of Savalei (2021) (see :mod:`.ordinal`)."""

from __future__ import annotations

import numpy as np

from .compare import chisq_sf
from .ordinal_model import GroupStats, OrdinalModel, block_diagonal


def baseline_statistic(stats: list[GroupStats], nth_g: list[int]) -> float:
    r"""The baseline model's statistic: correlations 0, thresholds (means, variances) free per
    group; with a diagonal weight the free part is fitted exactly, with a full one (WLS) by
    weighted least squares: :math:`\sum_g (n_g - 1)\, r' (W_{rr} - W_{rt}W_{tt}^{-1}W_{tr}) r`."""
    total = 0.0
    for st, k in zip(stats, nth_g):
        r = st.s[k:]
        if st.W is None:
            total += (st.n - 1) * float(r @ (st.w[k:] * r))
        else:
            W = st.W
            total += (st.n - 1) * float(r @ (W[k:, k:] - W[k:, :k] @ np.linalg.solve(W[:k, :k], W[:k, k:])) @ r)
    return total


def categorical_fit_measures(T, df, Tb, dfb, ss, ssb, N, G, npar, srmr) -> dict:
    """lavaan's fit measures for categorical data: the standard ones from T; with a scaled test
    (scaled-shifted or mean-adjusted) the scaled chi-square, CFI, TLI and RMSEA too."""
    from .fitmeasures import _cfi_tli, _rmsea

    def rmsea(t, d):     # lavaan 0.6.14 with categorical data: N - G, times sqrt(G)
        return _rmsea(t, d, N - G, G)["rmsea"]

    cfi, tli = _cfi_tli(T, df, Tb, dfb)
    out = {"npar": npar, "fmin": T / (2 * N), "chisq": T, "df": df, "pvalue": chisq_sf(T, df),
           "baseline_chisq": Tb, "baseline_df": dfb, "cfi": cfi, "tli": tli, "rmsea": rmsea(T, df), "srmr": srmr,
           "ntotal": N}
    if ss is None:
        return out
    Ts, Tbs = ss["chisq_scaled"], ssb["chisq_scaled"]
    cfi_s, tli_s = _cfi_tli(Ts, df, Tbs, dfb)
    out.update({"chisq_scaled": Ts, "df_scaled": df, "pvalue_scaled": chisq_sf(Ts, df),
                "chisq_scaling_factor": ss["chisq_scaling_factor"], "baseline_chisq_scaled": Tbs,
                "cfi_scaled": cfi_s, "tli_scaled": tli_s, "rmsea_scaled": rmsea(Ts, df)})
    if "chisq_shift_parameters" in ss:
        out["chisq_shift_parameters"] = ss["chisq_shift_parameters"]
    return out


def robust_catml(om: OrdinalModel, theta, stats: list[GroupStats], Ds, Ei, N: int, mixed: bool) -> dict:
    r"""lavaan 0.6.14's robust CFI, TLI and RMSEA for categorical data (Savalei, 2021; its
    ``lav_fit_catml_dwls``): the ML discrepancy of the polychoric matrices at the DWLS solution,
    :math:`X^2_3 = \sum_g n_g[\log|\hat P_g| + \operatorname{tr}(R_g\hat P_g^{-1}) - \log|R_g| - p]`
    on :math:`df_3` (the correlations less the parameters other than thresholds and intercepts),
    its correction :math:`\hat c = \operatorname{tr}(U'VU\Gamma)/df_3` with
    :math:`U = I - \Delta E^{-1}\Delta'W` (correlation rows, the DWLS weight and information) and
    V the normal-theory weight of the correlations at :math:`\hat P`; the baseline
    :math:`-\sum_g n_g\log|R_g|` with :math:`\hat c_0 = \operatorname{tr}\Gamma / df_0`. Not
    defined (NaN, as lavaan) with continuous indicators or a polychoric matrix that is not
    positive definite.

    Reference: Savalei, V. (2021). Improving fit indices in structural equation modeling with
    categorical data. *Multivariate Behavioral Research*, 56, 390-407."""
    from .fitmeasures import _cfi_tli, _rmsea

    keys = ("cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
            "rmsea_pvalue_robust")
    nan = dict.fromkeys(keys, float("nan"))
    p, G = om.p, len(stats)
    if mixed or any(np.linalg.eigvalsh(st.rho)[0] < np.sqrt(np.finfo(float).eps) for st in stats):
        return nan
    shared: dict[int, set[int]] = {}
    for r in om.pt.rows:
        if r.op == "|" and r.free:
            shared.setdefault(r.free, set()).add(r.group)
    free_scales = any(r.free for r in om.pt.rows if r.op == "~*~" or (r.op == "~~" and r.lhs == r.rhs and om.theta_param
                                                                        and r.lhs in om.pt.ordered))
    if free_scales or any(len(gs) > 1 for gs in shared.values()):
        return nan          # thresholds equal across groups: lavaan 0.6.14's catML refit fails and gives NA
    ii, jj = om.pairs_i, om.pairs_j
    q = len(ii)
    f = np.array([st.n / N for st in stats])
    X3 = X3_null = 0.0
    V, W, Gam, D = [], [], [], []
    for g, st in enumerate(stats):
        P = np.eye(p)
        P[ii, jj] = P[jj, ii] = om.sigma_g(theta, g)[-q:]
        Pi = np.linalg.inv(P)
        X3 += st.n * (np.linalg.slogdet(P)[1] + float(np.sum(st.rho * Pi)) - np.linalg.slogdet(st.rho)[1] - p)
        X3_null -= st.n * np.linalg.slogdet(st.rho)[1]
        V.append(f[g] * (Pi[np.ix_(ii, ii)] * Pi[np.ix_(jj, jj)] + Pi[np.ix_(ii, jj)] * Pi[np.ix_(jj, ii)]))
        W.append(f[g] * st.weight()[-q:, -q:])
        Gam.append(st.gamma[-q:, -q:] / f[g])
        D.append(Ds[g][-q:])
    kept = {r.free for r in om.pt.rows if r.free and r.op not in ("|", "~1")}
    df3 = G * q - len(kept)
    Dall, Wall, Vall, Gall = np.vstack(D), block_diagonal(W), block_diagonal(V), block_diagonal(Gam)
    U = np.eye(len(Dall)) - Dall @ Ei @ Dall.T @ Wall
    c3 = float(np.trace(U.T @ Vall @ U @ Gall)) / df3 if df3 > 0 else float("nan")
    df0 = G * q
    c0 = float(np.trace(Gall)) / df0
    cfi, tli = _cfi_tli(X3, df3, X3_null, df0, c3, c0)
    r = _rmsea(X3, df3, N - G, G, c=c3, kind="robust")
    return {"cfi_robust": cfi, "tli_robust": tli, "rmsea_robust": r["rmsea"], "rmsea_ci_lower_robust": r["lo"],
            "rmsea_ci_upper_robust": r["hi"], "rmsea_pvalue_robust": r["p"]}
