"""Deploy instruments: XLSForm (KoboToolbox/ODK), LimeSurvey TSV, REDCap data dictionary, paper
questionnaires (PDF/HTML), codebooks (Markdown/HTML, Frictionless datapackage.json, SPSS/Stata
templates); and read the answers back (:mod:`.imports`).

``export(instrument, to, langs, out, fallback=False)`` is the single entry point (the command
line's ``psychometrics instruments export``). Every text shown to respondents is looked up in each
chosen language; a missing translation is an error naming the item and language unless
``fallback=True`` asks for the source language instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..instruments import Instrument

Format = Literal["xlsform", "limesurvey", "redcap", "codebook", "paper"]
FORMATS = ("xlsform", "limesurvey", "redcap", "codebook", "paper")


def export(inst: Instrument, to: Format, langs: list[str] | None = None, out: str | Path = "",
           fallback: bool = False) -> list[Path]:
    """Write ``inst`` in format ``to`` for languages ``langs`` (default: all available). Returns the
    files written (some formats write companions: a LimeSurvey code map, a REDCap language file,
    one PDF per language, codebook data package and templates)."""
    from ._common import Texts

    texts = Texts(inst, langs, fallback)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if to == "xlsform":
        from .xlsform import write_xlsform
        return write_xlsform(texts, out)
    if to == "limesurvey":
        from .limesurvey import write_limesurvey
        return write_limesurvey(texts, out)
    if to == "redcap":
        from .redcap import write_redcap
        return write_redcap(texts, out)
    if to == "paper":
        from .paper import write_paper
        return write_paper(texts, out)
    if to == "codebook":
        from .codebook import write_codebook
        return write_codebook(texts, out)
    raise ValueError(f"unknown export format {to!r}; choose from {', '.join(FORMATS)}")
