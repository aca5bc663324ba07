"""Stage 6, output: the one result interface (:mod:`.result`: ``ResultBase`` and ``Provenance``),
rendering (:mod:`.summary`: text, Markdown, LaTeX, HTML; :mod:`.docx`; :mod:`.plots`) and the
report of an instrument's scales (:mod:`.report`)."""

from .result import Provenance, ResultBase
from .summary import Summary, jsonable

__all__ = ["ResultBase", "Provenance", "Summary", "jsonable"]
