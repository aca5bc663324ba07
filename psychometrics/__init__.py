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

_compat.install(__name__)

#: the curated API, imported on first use so that ``import psychometrics`` (and every one-shot
#: command) loads only what it needs: name -> (module, attribute; None for the module itself)
_LAZY = {
    "Instrument": ("instruments", "Instrument"), "InstrumentRegistry": ("instruments", "InstrumentRegistry"),
    "load_instrument": ("instruments", "load_instrument"), "read_responses": ("responses", "read_responses"),
    "validate_responses": ("responses", "validate_responses"), "score": ("scoring", "score"),
    "polychoric": ("measurement.correlations", "polychoric"), "efa": ("measurement.efa", None),
    "reliability": ("measurement.reliability", None), "report": ("reporting.report", None),
    "sem": ("sem", None), "cfa": ("sem", "cfa"), "invariance": ("sem.invariance", "invariance"),
    "instruments": ("instruments", None), "responses": ("responses", None), "scoring": ("scoring", None),
    "measurement": ("measurement", None), "reporting": ("reporting", None), "deploy": ("deploy", None),
    "simulate": ("simulate", None), "power": ("simulate.power", "power"), "icc": ("measurement.multilevel", "icc"),
    "two_level_omega": ("measurement.multilevel_omega", "two_level_omega"),
}


def __getattr__(name: str):
    """The curated API on first use (PEP 562); ``sem``, ``efa``, ``reliability`` and ``report`` are
    callable modules (``pm.sem(model, data)`` and ``pm.sem.partable``); old flat module names
    (``pm.io``, ``pm.export``) resolve to their new homes."""
    if name in _LAZY:
        where, attr = _LAZY[name]
        module = _importlib.import_module(f"{__name__}.{where}")   # efa, reliability, report, sem: callable
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    try:
        return _compat.resolve(__name__, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
