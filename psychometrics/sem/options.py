"""The estimation options, settled once from the estimator (lavaan's ``lav_options_set``): which
discrepancy, standard errors, test statistic and information matrix a fit uses, and lavaan's
defaults for each estimator. The steps read these flags instead of branching on the estimator's
name.

>>> o = settle("mlr", "fiml")
>>> o.estimator, o.se, o.test, o.information, o.fixed_x
('MLR', 'robust.huber.white', 'yuan.bentler.mplus', 'observed', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._options import validate_option
from ..exceptions import OptionError, PsychometricsError

Estimator = Literal["ML", "MLR", "GLS", "ULS"]
Missing = Literal["listwise", "fiml"]
ESTIMATORS = ("ML", "MLR", "GLS", "ULS")


@dataclass(frozen=True)
class Options:
    estimator: str
    missing: str
    information: str            # "expected" | "observed"
    se: str                     # "standard" | "robust.huber.white" | "bootstrap"
    test: str                   # "standard" | "yuan.bentler.mplus"
    fixed_x: bool

    @property
    def fiml(self) -> bool:
        return self.missing == "fiml"

    @property
    def likelihood(self) -> bool:
        """ML-family discrepancy (ML, MLR): a log-likelihood, AIC/BIC, FIML, the bootstrap."""
        return self.estimator in ("ML", "MLR")

    @property
    def least_squares(self) -> bool:
        """GLS/ULS: a fixed weight on the unbiased moments, N - G conventions, no likelihood."""
        return self.estimator in ("GLS", "ULS")

    @property
    def robust(self) -> bool:
        return self.estimator == "MLR"

    @property
    def chisq_distributed(self) -> bool:
        """ULS's statistic is not chi-square distributed (lavaan reports no p-value)."""
        return self.estimator != "ULS"

    @property
    def weight(self) -> str:
        """The weight of GFI-type measures: the normal-theory one for ML/MLR."""
        return "ML" if self.likelihood else self.estimator


def settle(estimator: str, missing: str = "listwise", information: str | None = None, fixed_x: bool | None = None,
           bootstrap: int = 0, bollen_stine: int = 0, cluster: bool = False) -> Options:
    """Check the options (before any work; a bad combination fails naming the fix) and fill in
    lavaan's defaults: information observed with FIML or MLR, else expected; fixed.x with ML/MLR
    only; robust Huber-White SEs and the Yuan-Bentler (Mplus) test with MLR."""
    est = str(estimator).upper()
    if est not in ESTIMATORS:
        raise OptionError(f"estimator={estimator!r} is not available; choose from {', '.join(ESTIMATORS)} "
                          "(WLSMV for ordinal items comes with a later version)", argument="estimator")
    validate_option("missing", missing, ("listwise", "fiml"))
    if information is not None:
        validate_option("information", information, ("expected", "observed"))
    if missing == "fiml" and est not in ("ML", "MLR"):
        raise PsychometricsError(f"missing='fiml' with estimator {est} is not available; use ML or MLR")
    for name, value in (("bootstrap", bootstrap), ("bollen_stine", bollen_stine)):
        if not isinstance(value, (int,)) or isinstance(value, bool) or value < 0:
            raise PsychometricsError(f"{name}={value!r}: give a number of draws (0 for none)")
    if (bootstrap or bollen_stine) and (missing == "fiml" or est not in ("ML", "MLR")):
        raise PsychometricsError("the bootstrap is available for ML/MLR with complete (listwise) data so far")
    if cluster:          # lavaan: cluster = gives robust.cluster SEs and the Yuan-Bentler test (MLR)
        if est not in ("ML", "MLR"):
            raise PsychometricsError(f"cluster with estimator {est} is not available; use ML or MLR")
        if bollen_stine:
            raise PsychometricsError("the Bollen-Stine bootstrap with clusters is not available yet; leave out "
                                     "cluster or bollen_stine")
        est = "MLR"
    likelihood = est in ("ML", "MLR")
    info = information or ("observed" if (missing == "fiml" or est == "MLR") else "expected")
    return Options(estimator=est, missing=missing, information=info if likelihood else "expected",
                   se="bootstrap" if bootstrap else ("robust.cluster" if cluster else
                                                     "robust.huber.white" if est == "MLR" else "standard"),
                   test="yuan.bentler.mplus" if est == "MLR" else "standard",
                   fixed_x=likelihood if fixed_x is None else bool(fixed_x))


def split_option(value) -> tuple[str, ...]:
    """group_equal / group_partial as a tuple (a comma-separated string or any sequence)."""
    if isinstance(value, str):
        return tuple(x.strip() for x in value.split(",") if x.strip())
    return tuple(value)
