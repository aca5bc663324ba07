"""psychometrics: survey instruments and psychometric analysis for teachers'
informal learning in virtual professional communities.

Every command of the ``psychometrics`` command line has a function of the same name here,
taking a DataFrame and the same options:

>>> import psychometrics as pm
>>> [f for f in ("score", "reliability", "polychoric", "efa", "cfa", "sem", "report") if callable(getattr(pm, f))]
['score', 'reliability', 'polychoric', 'efa', 'cfa', 'sem', 'report']

Where the name is also a module (``sem``, ``efa``, ``reliability``, ``report``), the module itself
is callable, so ``pm.sem(model, data)`` and ``pm.sem.partable`` both work:

>>> pm.sem.partable.build("y ~ x", ["y", "x"]).n_free, callable(pm.efa), pm.efa.efa is not pm.efa
(2, True, True)
"""

from . import efa, reliability, report
from ._callable import make_callable
from ._version import __version__
from .correlations import polychoric
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
from .io import read_responses
from .scoring import score
from .validation import validate_responses

# modules that are also the command's function (psychometrics.efa(...), psychometrics.efa.efa)
make_callable(f"{__name__}.efa", "efa")
make_callable(f"{__name__}.reliability", "reliability")
make_callable(f"{__name__}.report", "build_report")


def __getattr__(name: str):
    """``sem`` (a callable module: ``pm.sem(model, data)``, ``pm.sem.partable``) and ``cfa`` are
    imported on first use, so that ``import psychometrics`` does not load the SEM engine."""
    if name in ("sem", "cfa"):
        import importlib

        module = importlib.import_module(f"{__name__}.sem")
        return module if name == "sem" else module.cfa
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
    "cfa",
    "sem",
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
