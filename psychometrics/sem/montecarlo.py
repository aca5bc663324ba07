r"""Monte Carlo confidence intervals of defined parameters (``:=``), e.g. indirect effects, as
semTools' ``monteCarloCI``: draw the free parameters from their estimated sampling distribution
:math:`\theta^{(r)} \sim N(\hat\theta, \widehat{\mathrm{ACOV}}(\hat\theta))`, compute each defined
parameter :math:`f(\theta^{(r)})`, and take the :math:`\alpha/2` and :math:`1 - \alpha/2`
quantiles of the draws. The interval is asymmetric like a bootstrap interval of a product, and
works with FIML, where the bootstrap would refit the model once per draw.

References
----------
Preacher, K. J., & Selig, J. P. (2012). Advantages of Monte Carlo confidence intervals for indirect
effects. *Communication Methods and Measures, 6*, 77-98. MacKinnon, D. P., Lockwood, C. M., &
Williams, J. (2004). Confidence limits for the indirect effect. *Multivariate Behavioral Research,
39*, 99-128. R: ``semTools::monteCarloCI(fit, nRep = 20000)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import PsychometricsError
from .expressions import defined_function


def monte_carlo_ci(result, draws: int = 20000, level: float = 0.95, seed: int | None = None) -> pd.DataFrame:
    """Monte Carlo intervals of the ``:=`` parameters of a fitted model.

    Parameters
    ----------
    result : SEMResult
        A fitted model with ``:=`` lines.
    draws : int
        Draws of the parameter vector (semTools' ``nRep``; 20000 by default as there).
    level : float
        Confidence level.
    seed : int, optional

    Returns
    -------
    DataFrame
        ``lhs``, ``est``, ``se`` (delta method), ``ci_lower``, ``ci_upper`` (Monte Carlo), ``draws``.

    Examples
    --------
    >>> import psychometrics as pm
    >>> rng = np.random.default_rng(1)
    >>> x = rng.normal(size=300); m = 0.5 * x + rng.normal(size=300); y = 0.4 * m + rng.normal(size=300)
    >>> fit = pm.sem("m ~ a*x\\ny ~ b*m\\nab := a*b", pd.DataFrame({"x": x, "m": m, "y": y}), progress=False)
    >>> ci = monte_carlo_ci(fit, seed=1)
    >>> ci["lhs"].tolist(), bool(ci["ci_lower"].iloc[0] > 0)
    (['ab'], True)
    """
    state = result.state or {}
    pt, theta, cov = state.get("pt"), state.get("theta"), state.get("cov")
    if pt is None or cov is None or not getattr(pt, "defined", None):
        raise PsychometricsError("Monte Carlo intervals need a fitted model with ':=' lines (e.g. ab := a*b)")
    if draws < 100:
        raise PsychometricsError(f"draws = {draws}: use at least 100 (20000 is semTools' default)")
    cov = np.asarray(cov, float)
    ok = np.all(np.isfinite(cov))
    if not ok:
        raise PsychometricsError("the model has no usable covariance matrix of its estimates (SEs missing); "
                                 "no Monte Carlo intervals")
    rng = np.random.default_rng(seed)
    # a symmetric square root tolerates a positive semi-definite ACOV (equality constraints)
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    theta = np.asarray(theta, float)
    sample = theta + rng.standard_normal((draws, len(theta))) @ root.T
    values = defined_function(pt)(sample)
    lo, hi = np.quantile(values, [(1 - level) / 2, 1 - (1 - level) / 2], axis=0)
    params = result.parameters
    rows = params[params["op"] == ":="]
    return pd.DataFrame({"lhs": rows["lhs"].to_numpy(), "est": rows["est"].to_numpy(), "se": rows["se"].to_numpy(),
                         "ci_lower": lo, "ci_upper": hi, "draws": draws})
