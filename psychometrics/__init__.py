"""psychometrics: survey instruments and psychometric analysis for teachers'
informal learning in virtual professional communities.

>>> import psychometrics as pm
>>> sorted(x for x in pm.__all__ if x.startswith("load"))
['load_instrument']
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
from .instruments import Instrument, InstrumentRegistry, load_instrument

__all__ = [
    "__version__",
    "Instrument",
    "InstrumentRegistry",
    "load_instrument",
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
