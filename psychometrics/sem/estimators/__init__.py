"""Estimators as plug-ins of the SEM pipeline: each says how to estimate, what its information
matrix and standard-error divisor are, and how its test statistic and baseline are formed. The
pipeline (``psychometrics.sem``) calls these methods and never branches on the estimator's name;
adding an estimator (DWLS, WLS for ordinal items) is adding a module here.

>>> from psychometrics.sem.options import settle
>>> type(for_options(settle("GLS"))).__name__, type(for_options(settle("MLR", "fiml"))).__name__
('LeastSquares', 'MaximumLikelihood')
"""

from __future__ import annotations

from .least_squares import LeastSquares
from .ml import MaximumLikelihood


def for_options(opt):
    """The estimator plug-in for settled options (ML and MLR share the ML discrepancy; MLR's
    robust parts live in the covariance and test steps)."""
    return LeastSquares() if opt.least_squares else MaximumLikelihood()


__all__ = ["LeastSquares", "MaximumLikelihood", "for_options"]
