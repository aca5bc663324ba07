"""psychometrics: survey instruments and psychometric analysis for teachers'
informal learning in virtual professional communities.

The folders follow the data: ``instruments`` (definitions) -> ``responses`` (read, harmonize,
validate) -> ``scoring`` -> ``measurement`` (correlations, reliability, EFA) -> ``sem`` ->
``reporting``; ``deploy`` writes survey forms and codebooks, ``simulate`` makes data.

Every command of the ``psychometrics`` command line has a function of the same name here,
taking a DataFrame and the same options:

>>> import psychometrics as pm
>>> [f for f in ("score", "reliability", "polychoric", "efa", "cfa", "sem", "report") if callable(getattr(pm, f))]
['score', 'reliability', 'polychoric', 'efa', 'cfa', 'sem', 'report']

Where the name is also a module (``sem``, ``efa``, ``reliability``, ``report``), the module itself
is callable, so ``pm.sem(model, data)`` and ``pm.sem.partable`` both work:

>>> pm.sem.partable.build("y ~ x", ["y", "x"]).n_free, callable(pm.efa), pm.efa.efa is not pm.efa
(2, True, True)

Import paths of the flat layout of 0.1 (``psychometrics.io``, ``psychometrics.export``, ...)
still work; they are the same module objects as the new ones:

>>> import psychometrics.io, psychometrics.responses.io
>>> psychometrics.io is psychometrics.responses.io
True
"""

import importlib as _importlib

from . import _compat
from ._callable import make_callable
from ._version import __version__
from .exceptions import (
    CarelessWarning,
    DataReadError,
    DataWarning,
    EstimationError,
    InstrumentError,
    InstrumentWarning,
    OptionError,
    PsychometricsError,
    PsychometricsWarning,
    ResponseValidationError,
    ScoringError,
)
from .instruments import Instrument, InstrumentRegistry, load_instrument
from .measurement import efa, reliability
from .measurement.correlations import polychoric
from .reporting import report
from .responses import read_responses, validate_responses
from .scoring import score

_compat.install(__name__)

# modules that are also the command's function (psychometrics.efa(...), psychometrics.efa.efa)
make_callable(efa.__name__, "efa")
make_callable(reliability.__name__, "reliability")
make_callable(report.__name__, "build_report")


def __getattr__(name: str):
    """``sem`` (a callable module: ``pm.sem(model, data)``, ``pm.sem.partable``) and ``cfa`` are
    imported on first use, so that ``import psychometrics`` does not load the SEM engine; old
    flat module names (``pm.io``, ``pm.export``) resolve to their new homes."""
    if name in ("sem", "cfa"):
        module = _importlib.import_module(f"{__name__}.sem")
        return module if name == "sem" else module.cfa
    try:
        return _compat.resolve(__name__, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


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
    "OptionError",
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
