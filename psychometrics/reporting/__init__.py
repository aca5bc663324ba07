"""Stage 6, output: rendering (:mod:`.summary`: text, Markdown, LaTeX, HTML; :mod:`.docx`;
:mod:`.plots`) and the report of an instrument's scales (:mod:`.report`)."""

from .summary import Summary, jsonable

__all__ = ["Summary", "jsonable"]
