"""Deploy instruments: XLSForm (KoboToolbox/ODK), LimeSurvey TSV, REDCap data dictionary, paper
questionnaires (PDF/HTML), codebooks (Markdown/HTML, Frictionless datapackage.json, SPSS/Stata
templates); and read the answers back (:mod:`.imports`).

``export(instrument, to, langs, out, fallback=False)`` is the single entry point (the command
line's ``psychometrics instruments export``). Every text shown to respondents is looked up in each
chosen language; a missing translation is an error naming the item and language unless
``fallback=True`` asks for the source language instead.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Literal

from .._options import validate_option
from ..exceptions import InstrumentError
from ..instruments import Instrument

Format = Literal["xlsform", "limesurvey", "redcap", "codebook", "paper"]
FORMATS = ("xlsform", "limesurvey", "redcap", "codebook", "paper")


def export(inst: Instrument, to: Format, langs: list[str] | None = None, out: str | Path = "",
           fallback: bool = False, force: bool = False) -> list[Path]:
    """Write ``inst`` in format ``to`` for languages ``langs`` (default: all available).

    Parameters
    ----------
    inst
        An instrument or battery.
    to
        ``"xlsform"``, ``"limesurvey"``, ``"redcap"``, ``"codebook"`` or ``"paper"``.
    langs
        Language tags (``en``, ``ru``, ``kk-Cyrl``); every respondent-facing text must exist in each.
    out
        The main output file; companions are written next to it.
    fallback
        Use the source language where a translation is missing (else an error names the item).
    force
        Write over companion files that already exist (``out`` itself is always written).

    Returns
    -------
    list of Path
        The files written: the main file and its companions (LimeSurvey code map, REDCap language
        file, one PDF and HTML page per language, codebook data package and SPSS/Stata templates).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from psychometrics.instruments import adhoc_instrument
    >>> inst = adhoc_instrument({"A": ["a1", "-a2"]}, range=(1, 5))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> [p.name for p in export(inst, "redcap", ["en"], out)]
    ['a.csv', 'a.languages.json']
    >>> import csv
    >>> row = list(csv.DictReader(out.open()))[1]
    >>> row["Variable / Field Name"], row["Field Type"], row["Choices, Calculations, OR Slider Labels"]
    ('a1', 'radio', '1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5')
    """
    from .texts import Texts

    validate_option("to", to, FORMATS)
    texts = Texts(inst, langs, fallback)
    out = Path(out)
    writer = _writer(to)
    # written in a scratch folder first: companions the user did not name are never written over
    # an existing file without force=True, and a failed export leaves nothing half-written
    with tempfile.TemporaryDirectory(prefix=".export-", dir=_existing_parent(out)) as scratch:
        made = writer(texts, Path(scratch) / out.name)
        final = [out.parent / p.name for p in made]
        clash = [f for f in final if f.exists() and f != out]
        if clash and not force:
            raise InstrumentError(f"{', '.join(map(str, clash))} already exist(s) next to {out}: this export writes "
                                  "them too. Move them, choose another output name, or pass force=True")
        out.parent.mkdir(parents=True, exist_ok=True)
        for made_file, dest in zip(made, final):
            shutil.move(str(made_file), dest)
    return final


def _existing_parent(path: Path) -> Path | None:
    """The nearest existing folder above ``path`` (the scratch folder lives on the same disk)."""
    for parent in path.resolve().parents:
        if parent.is_dir():
            return parent
    return None


def _writer(to: str):
    """The writer of one format, imported when used (each pulls in its own libraries)."""
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{to}"), f"write_{to}")
