"""psychometrics: survey instruments and psychometric analysis for teachers'
informal learning in virtual professional communities.

Every command of the ``psychometrics`` command line has a function of the same name here,
taking a DataFrame and the same options:

>>> import psychometrics as pm
>>> [f for f in ("score", "reliability", "polychoric", "efa", "report") if callable(getattr(pm, f))]
['score', 'reliability', 'polychoric', 'efa', 'report']
"""

from ._version import __version__
from .exceptions import (
    CarelessWarning,
    DataReadError,
    DataWarning,
    EstimationError,
    InstrumentError,
    InstrumentWarning,
    PsychometricsError,
    PsychometricsWarning,
    ResponseValidationError,
    ScoringError,
)
from .correlations import polychoric
from .efa import efa
from .instruments import Instrument, InstrumentRegistry, load_instrument
from .io import read_responses
from .reliability import reliability
from .report import build_report as report
from .scoring import score
from .validation import validate_responses

__all__ = [
    "__version__",
    "Instrument",
    "InstrumentRegistry",
    "load_instrument",
    "read_responses",
    "validate_responses",
    "score",
    "reliability",
    "polychoric",
    "efa",
    "report",
    "PsychometricsError",
    "InstrumentError",
    "DataReadError",
    "ResponseValidationError",
    "ScoringError",
    "EstimationError",
    "PsychometricsWarning",
    "InstrumentWarning",
    "DataWarning",
    "CarelessWarning",
]
