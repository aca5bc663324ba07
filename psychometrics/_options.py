"""Option values checked in one place: :func:`validate_option` names the argument, the value and
the choices, and raises :class:`~psychometrics.exceptions.OptionError` (also a ``ValueError``).

Library messages name Python arguments (``on_invalid="missing"``, ``id=COLUMN``); the command
line rewrites them as its flags (``--on-invalid missing``, ``--id COLUMN``) with
:func:`as_flags`, so each layer speaks its user's language.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from .exceptions import OptionError


def choices_of(allowed: Any) -> tuple:
    """The values of a ``Literal[...]`` type (or of an iterable of values).

    >>> from typing import Literal
    >>> choices_of(Literal["a", "b"])
    ('a', 'b')
    """
    if typing.get_origin(allowed) is typing.Literal:
        return typing.get_args(allowed)
    return tuple(allowed)


def validate_option(name: str, value: Any, allowed: Any) -> Any:
    """Return ``value`` if it is one of ``allowed`` (a ``Literal`` type or the values), else raise.

    Parameters
    ----------
    name : str
        The argument's name, as the function's signature spells it.
    value
        What the caller passed.
    allowed : Literal type or iterable
        The accepted values.

    Raises
    ------
    OptionError
        Naming the argument, the value and the accepted values.

    Examples
    --------
    >>> from typing import Literal
    >>> validate_option("missing", "fiml", Literal["listwise", "fiml"])
    'fiml'
    >>> validate_option("missing", "pairwise", Literal["listwise", "fiml"])
    Traceback (most recent call last):
    ...
    psychometrics.exceptions.OptionError: missing="pairwise" is not an option here; choose missing="listwise" or missing="fiml"
    """
    options = choices_of(allowed)
    if value in options:
        return value
    shown = " or ".join(f"{name}={_literal(o)}" for o in options)
    raise OptionError(f"{name}={_literal(value)} is not an option here; choose {shown}", argument=name)


def validate_count(name: str, value: Any, minimum: int = 1) -> int:
    """Return ``value`` if it is a whole number of at least ``minimum`` (a number of draws,
    replicates or iterations), else raise :class:`OptionError` naming the argument.

    >>> validate_count("n_boot", 200)
    200
    >>> validate_count("n_boot", 0)
    Traceback (most recent call last):
    ...
    psychometrics.exceptions.OptionError: n_boot=0: give a whole number of at least 1
    """
    import numbers

    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)) or int(value) < minimum:
        raise OptionError(f"{name}={_literal(value)}: give a whole number of at least {minimum}", argument=name)
    return int(value)


def validate_seed(name: str, value: Any) -> int | None:
    """Return ``value`` if it can seed NumPy's generator (``None`` or a whole number >= 0), else
    raise :class:`OptionError` (NumPy's own message, "expected non-negative integer", names no
    argument).

    >>> validate_seed("seed", 42)
    42
    >>> validate_seed("seed", -1)
    Traceback (most recent call last):
    ...
    psychometrics.exceptions.OptionError: seed=-1: give a whole number >= 0 (or leave it out for a fresh seed)
    """
    if value is None:
        return None
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise OptionError(f"{name}={_literal(value)}: give a whole number >= 0 (or leave it out for a fresh seed)",
                          argument=name)
    return int(value)


def _literal(v: Any) -> str:
    return f'"{v}"' if isinstance(v, str) else repr(v)


# ---------------------------------------------------------------- the command line's view
#: Python argument -> command-line flag, where the two differ only in spelling
FLAGS = {"id": "--id", "on_invalid": "--on-invalid", "range": "--range", "missing": "--missing",
         "estimator": "--estimator", "method": "--method", "rotation": "--rotation", "cor": "--cor",
         "ci": "--ci", "boot_ci": "--boot-ci", "fallback": "--fallback", "lang": "--lang", "to": "--to",
         "group": "--group", "group_equal": "--group-equal", "items": "--items", "factors": "--factors",
         "instrument": "--instrument", "scales": "--scale", "missing_codes": "--missing-codes",
         "registry": "--instruments", "se": "--se", "test": "--test", "information": "--information",
         "seed": "--seed", "bootstrap": "--bootstrap", "model": "--model", "ordinal": "--ordinal",
         "force": "--force", "min_valid": "--min-valid",
         "n_boot": "--n-boot", "n_iter": "--n-iter", "bollen_stine": "--bollen-stine", "n_jobs": "--jobs", "levels": "--levels"}

_ARG = re.compile(r"\b(?P<name>[a-z_]+)=(?P<value>\"[^\"]*\"|'[^']*'|\([^)]*\)|\{[^}]*\}|\[[^\]]*\]|[^\s,;)]+)")


def as_flags(message: str, flags: dict[str, str] | None = None) -> str:
    """A library message with its ``argument=value`` mentions rewritten as command-line flags.

    >>> as_flags('pass on_invalid="missing" to set them missing, or id=COLUMN')
    'pass --on-invalid missing to set them missing, or --id COLUMN'
    >>> as_flags("give range=(1, 5)"), as_flags("use fallback=True")
    ('give --range 1,5', 'use --fallback')
    >>> as_flags('scales={"NAME": ["item1", "-item2"]}')
    '--scale NAME=item1,-item2'
    """
    flags = FLAGS if flags is None else flags

    def sub(m: re.Match) -> str:
        name, value = m.group("name"), m.group("value")
        if name not in flags:
            return m.group(0)
        flag = flags[name]
        if value == "True":
            return flag
        if value[0] in "\"'":
            return f"{flag} {value[1:-1]}"
        if value[0] == "(" or value[0] == "[":
            return f"{flag} " + ",".join(p.strip().strip("\"'") for p in value[1:-1].split(","))
        if value[0] == "{":   # scales={"NAME": ["item1", "-item2"]} -> --scale NAME=item1,-item2
            body = re.findall(r"[\"']([^\"']+)[\"']\s*:\s*\[([^\]]*)\]", value + "]}")
            if body:
                return " ".join(f"{flag} {k}=" + ",".join(p.strip().strip("\"'") for p in v.split(",")) for k, v in body)
        return f"{flag} {value}"

    return _ARG.sub(sub, message)



