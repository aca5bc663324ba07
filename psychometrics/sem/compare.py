r"""Comparing nested models: the likelihood-ratio (chi-square difference) test, as ``lavTestLRT``.

For ML the difference of the two chi-squares is chi-square with the difference of the degrees of
freedom. For MLR (and other scaled tests) lavaan's default is the scaled difference of Satorra and
Bentler (2001): with standard statistics :math:`T_0, T_1`, degrees of freedom :math:`d_0 > d_1` and
scaling factors :math:`c_0, c_1` of the restricted and the larger model,

.. math:: c_d = \frac{d_0 c_0 - d_1 c_1}{d_0 - d_1}, \qquad T_d = \frac{T_0 - T_1}{c_d}
          \sim \chi^2_{d_0 - d_1}.

:math:`c_d` can be negative in small samples; the test is then undefined and reported as such
(lavaan warns and suggests ``method = "satorra.bentler.2010"``).

References
----------
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for moment
structure analysis. *Psychometrika*, 66, 507-514.
"""

from __future__ import annotations

import math

from ..exceptions import PsychometricsError
from .result import SEMResult


def chisq_sf(x: float, df: float) -> float:
    """Upper tail of the chi-square distribution."""
    from scipy import special

    return float(special.chdtrc(df, x)) if x == x and df > 0 else float("nan")


def lrt(restricted: SEMResult, larger: SEMResult) -> dict:
    r"""Chi-square difference test of ``restricted`` (more degrees of freedom) against ``larger``.

    Returns ``chisq_diff``, ``df_diff``, ``pvalue`` and ``method`` (``"standard"`` for ML, GLS;
    ``"satorra.bentler.2001"`` for MLR), and for the standard test the RMSEA of the difference
    (lavaan's column): :math:`\sqrt{G}\sqrt{\max(0, T_d - d) / (d N)}` with N respondents in G groups.

    R: ``lavaan::lavTestLRT(larger, restricted)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from psychometrics.sem import sem
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300); y = 0.5 * x + rng.normal(size=300); z = 0.3 * y + rng.normal(size=300)
    >>> d = pd.DataFrame({"x": x, "y": y, "z": z})
    >>> full, small = sem("y ~ x; z ~ y + x", d), sem("y ~ x; z ~ y", d)
    >>> t = lrt(small, full)
    >>> t["df_diff"], t["method"], bool(abs(t["chisq_diff"] - small.fit["chisq"]) < 1e-8)
    (1, 'standard', True)
    """
    if restricted.estimator != larger.estimator:
        raise PsychometricsError(f"the models were fitted with different estimators ({restricted.estimator}, "
                                 f"{larger.estimator}); compare models fitted the same way")
    if list(restricted.group_nobs) != list(larger.group_nobs):
        raise PsychometricsError("the models were fitted to different data (numbers of respondents differ)")
    d0, d1 = restricted.fit["df"], larger.fit["df"]
    if d0 <= d1:
        raise PsychometricsError(f"the restricted model must have more degrees of freedom ({d0} vs {d1}); "
                                 "give the models in the order restricted, larger")
    t0, t1 = restricted.fit["chisq"], larger.fit["chisq"]
    dd = int(round(d0 - d1))
    if ((restricted.state or {}).get("ordinal") and (larger.state or {}).get("ordinal")
            and larger.meta.get("test") != "satorra.bentler"):     # WLSM, ULSM: Satorra-Bentler 2001 below
        return _dwls_difference(restricted, larger, t0, t1, dd)
    if "chisq_scaling_factor" in restricted.fit and "chisq_scaling_factor" in larger.fit:
        c0, c1 = restricted.fit["chisq_scaling_factor"], larger.fit["chisq_scaling_factor"]
        cd = (d0 * c0 - d1 * c1) / (d0 - d1)
        method = "satorra.bentler.2001"
        diff = (t0 - t1) / cd if cd > 0 else float("nan")
        note = None if cd > 0 else (f"the scaled difference is undefined (scaling factor of the difference {cd:.3g} "
                                    "<= 0, as happens in small samples); compare the unscaled statistics with care")
    else:
        method, diff, note = "standard", t0 - t1, None
    n = sum(larger.group_nobs) if larger.group_nobs else larger.nobs
    G = max(len(larger.group_nobs), 1)
    rmsea = (math.sqrt(G) * math.sqrt(max(0.0, diff - dd) / (dd * n)) if method == "standard" and diff == diff
             else float("nan"))
    out = {"chisq_diff": float(diff), "df_diff": dd, "pvalue": chisq_sf(diff, dd), "method": method,
           "rmsea": rmsea}
    if note:
        out["note"] = note
    return out


def _dwls_difference(restricted: SEMResult, larger: SEMResult, t0: float, t1: float, dd: int) -> dict:
    """Ordered items: lavaan's default difference test for the fit's test: the scaled-shifted
    ``method = "satorra.2000"`` for WLSMV/ULSMV, the plain difference for the standard test of
    DWLS, ULS and WLS (WLSM/ULSM take Satorra-Bentler 2001 in :func:`lrt`)."""
    import numpy as np

    from .estimators.dwls import satorra2000

    s1, s0 = larger.state or {}, restricted.state or {}
    test = larger.meta.get("test")
    if test == "standard":          # DWLS, ULS, WLS: the plain difference (lavTestLRT's "standard")
        diff = t0 - t1
        n, G = sum(larger.group_nobs), max(len(larger.group_nobs), 1)
        return {"chisq_diff": float(diff), "df_diff": dd, "pvalue": chisq_sf(diff, dd), "method": "standard",
                "rmsea": math.sqrt(G) * math.sqrt(max(0.0, diff - dd) / (dd * n))}
    stats = s1["stats"]
    N = sum(st.n for st in stats)
    f = np.array([st.n / N for st in stats])
    out = satorra2000(s1["jacobians"], s0["jacobians"], [st.w for st in stats], [st.gamma for st in stats],
                      f, t0, t1, dd)
    return {"chisq_diff": out["chisq_diff"], "df_diff": dd, "pvalue": chisq_sf(out["chisq_diff"], dd),
            "method": "satorra.2000", "rmsea": float("nan"), "a": out["a"], "b": out["b"]}
