"""Output that cannot run: spreadsheet formula injection and raw HTML in Markdown.

A cell text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
when a spreadsheet opens a CSV file (OWASP, "CSV Injection"); an item text or a respondent id
such as ``=HYPERLINK(...)`` or ``=cmd|'/C calc'!A0`` would run on the researcher's machine.
Every CSV/TSV writer passes its cells through :func:`csv_cell`, which puts a single quote in
front (as OWASP recommends; numbers such as ``-1`` are left alone), and :func:`read_csv_cell`
takes it off again when the package reads such a file back, so a round trip keeps the text.
Spreadsheets written as .xlsx store such texts as strings (:func:`xlsx_value`), never as formulas.
Markdown cells and lines are HTML-escaped (:func:`markdown_text`), so ``<script>`` stays text.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
#: what :func:`csv_cell` writes and :func:`read_csv_cell` reads back: quotes before a formula start
#: (a text that itself begins with ``'=`` gets one more quote, so the round trip keeps it)
QUOTED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run.

    >>> csv_cell("=cmd|' /C calc'!A0"), csv_cell("-1"), csv_cell("- I share"), csv_cell(3), csv_cell("'=x")
    ("'=cmd|' /C calc'!A0", '-1', "'- I share", 3, "''=x")
    """
    if isinstance(value, str) and ((value[:1] in FORMULA_START and not _NUMBER.match(value.strip()))
                                   or QUOTED_FORMULA.match(value)):
        return "'" + value
    return value


def read_csv_cell(value: Any) -> Any:
    """Undo :func:`csv_cell` on a cell read back from a CSV file.

    >>> read_csv_cell("'=SUM(A1)"), read_csv_cell("'quoted"), read_csv_cell(None), read_csv_cell("''=x")
    ('=SUM(A1)', "'quoted", None, "'=x")
    """
    if isinstance(value, str) and QUOTED_FORMULA.match(value):
        return value[1:]
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell (and column name) passed through :func:`csv_cell`."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(csv_cell)
    out.columns = [csv_cell(str(c)) for c in out.columns]
    return out


def xlsx_value(cell, value: Any) -> None:
    """Put ``value`` into an openpyxl cell; text is stored as text, never as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def markdown_text(value: Any, cell: bool = False) -> Any:
    """Text shown literally in Markdown: a ``<`` that would open an HTML tag, comment or
    declaration is escaped (``r < 0.3`` stays as it is), and in a table ``cell`` so is ``|``.

    >>> markdown_text("<script>alert(1)</script> r < 0.3, a|b")
    '&lt;script>alert(1)&lt;/script> r < 0.3, a|b'
    >>> markdown_text("a|b", cell=True)
    'a\\\\|b'
    """
    if isinstance(value, str):
        text = _TAG_START.sub("&lt;", value)
        return text.replace("|", "\\|") if cell else text
    return value
