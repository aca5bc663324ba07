"""Estimators as plug-ins of the SEM pipeline: each says how to estimate, what its information
matrix and standard-error divisor are, and how its test statistic and baseline are formed. The
pipeline (``psychometrics.sem``) calls these methods and never branches on the estimator's name;
adding an estimator (DWLS, WLS for ordinal items) is adding a module here.

>>> from psychometrics.sem.options import settle
>>> type(for_options(settle("GLS"))).__name__, type(for_options(settle("MLR", "fiml"))).__name__
('LeastSquares', 'MaximumLikelihood')
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .least_squares import LeastSquares
from .ml import MaximumLikelihood


class Estimator(Protocol):
    """What the pipeline asks of an estimator plug-in (``f`` is the fit's shared state)."""

    likelihood: bool

    def estimate(self, f: Any, theta0: np.ndarray) -> Any: ...

    def information(self, f: Any, kind: str) -> np.ndarray: ...

    def se_divisor(self, f: Any) -> float: ...

    def statistics(self, f: Any, logl: float) -> tuple[float, float, float]: ...

    def sample_covariances(self, f: Any) -> list: ...


def for_options(opt) -> Estimator:
    """The estimator plug-in for settled options (ML and MLR share the ML discrepancy; MLR's
    robust parts live in the covariance and test steps)."""
    return LeastSquares() if opt.least_squares else MaximumLikelihood()


__all__ = ["LeastSquares", "MaximumLikelihood", "for_options"]
