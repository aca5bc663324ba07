"""Every exception and warning the package raises.

Errors derive from :class:`PsychometricsError`; the command line turns them into a
message on standard error and exit status 2 (bad input) or 3 (estimation failed).
Warnings derive from :class:`PsychometricsWarning`, so one filter silences all:

>>> import warnings
>>> from psychometrics.exceptions import PsychometricsWarning
>>> warnings.simplefilter("ignore", PsychometricsWarning)
"""

from __future__ import annotations


class PsychometricsError(Exception):
    """Base class of the package's errors. ``exit_code`` is the CLI exit status."""

    exit_code = 2


class OptionError(PsychometricsError, ValueError):
    """An option has a value the function does not accept; ``argument`` names the argument.

    Also a ``ValueError``, which these checks raised before 0.2.
    """

    def __init__(self, message: str, argument: str | None = None):
        super().__init__(message)
        self.argument = argument


class InstrumentError(PsychometricsError):
    """An instrument or battery file is malformed, inconsistent or cannot be found.

    ``problems`` lists every finding as ``(file, field, message)``.
    """

    def __init__(self, message: str, problems: list[tuple[str, str, str]] | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class DataReadError(PsychometricsError):
    """A response file cannot be read (missing, unknown format, bad encoding)."""


class ResponseValidationError(PsychometricsError):
    """Responses break the instrument's rules; ``problems`` is a DataFrame of them."""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = problems


class ScoringError(PsychometricsError):
    """A scoring request cannot be carried out (unknown scale, bad key, bad range)."""


class EstimationError(PsychometricsError):
    """An estimation failed (non-convergence, singular matrix, unidentified model)."""

    exit_code = 3


class PsychometricsWarning(UserWarning):
    """Base class of every warning the package issues."""


class InstrumentWarning(PsychometricsWarning):
    """Something in an instrument deserves attention but does not block its use
    (e.g. a stale or draft translation)."""


class DataWarning(PsychometricsWarning):
    """Responses were changed or look suspicious: values set missing, unknown
    columns, empty or constant items."""


class CarelessWarning(PsychometricsWarning):
    """A careless-responding index could not be computed as configured."""


class CorrelationError(PsychometricsError):
    """Correlations cannot be computed (constant or empty item, text, too few rows)."""


class EFAWarning(PsychometricsWarning):
    """A factor solution needs attention (Heywood case, near-singular matrix, no convergence)."""


class ReverseKeyWarning(PsychometricsWarning):
    """Items correlate negatively with their scale although not marked reverse-keyed."""


class SEMWarning(PsychometricsWarning):
    """A fitted model needs attention (non-convergence, negative variance, non-positive-definite matrix)."""


class SimulationWarning(PsychometricsWarning):
    """Population models and Monte Carlo power: values set by default, replications that failed."""


class ModelSyntaxError(PsychometricsError):
    """The model syntax cannot be parsed; the message shows line, column and a caret."""
