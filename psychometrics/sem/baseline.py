"""The baseline (independence) model of the fit indices, as lavaan builds it: every variable
uncorrelated, except that lavaan's ML baseline keeps the covariances among the exogenous
covariates (with fixed.x TRUE or FALSE); its GLS/ULS baseline keeps none. Its chi-square for
complete data, its degrees of freedom, and which covariates it keeps. (The FIML baseline's
log-likelihood is :func:`psychometrics.sem.missing.independence_loglik`.)

>>> import numpy as np
>>> from psychometrics.sem.model import complete_blocks
>>> X = np.random.default_rng(1).normal(size=(200, 3))
>>> chisq, df = chisq_complete(complete_blocks([X]), [])
>>> df, round(chisq, 3) >= 0
(3, True)
"""

from __future__ import annotations

import numpy as np


def kept_covariates(pt, opt) -> list[int]:
    """Indices (in ``pt.observed``) of the covariates whose covariances the baseline keeps."""
    return [pt.observed.index(v) for v in pt.exo_x] if opt.likelihood else []


def degrees_of_freedom(pt, opt, n_groups: int) -> int:
    """The covariances among the variables, less those among the covariates it keeps, per group."""
    p, nx = len(pt.observed), len(kept_covariates(pt, opt))
    return n_groups * (p * (p - 1) // 2 - nx * (nx - 1) // 2)


def chisq_complete(blocks, exo_idx: list[int]) -> tuple[float, int]:
    """Likelihood-ratio chi-square of the independence model against the saturated one for
    complete data (the kept covariates' joint distribution at its sample values), and its df."""
    chisq, df = 0.0, 0
    for b in blocks:
        S = b.S
        p = len(S)
        rest = [i for i in range(p) if i not in exo_idx]
        logdet_b = np.log(np.diag(S)[rest]).sum() + (np.linalg.slogdet(S[np.ix_(exo_idx, exo_idx)])[1] if exo_idx else 0)
        chisq += b.n * (logdet_b - np.linalg.slogdet(S)[1])
        df += p * (p - 1) // 2 - len(exo_idx) * (len(exo_idx) - 1) // 2
    return float(chisq), df
