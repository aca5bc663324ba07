"""Shared machinery of result objects: a :class:`Summary` that renders the same
content as text, Markdown, LaTeX or HTML, and JSON-safe conversion of values.

Numbers are kept at full precision in results and rounded only here, when rendered.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._safety import markdown_text

SummaryFormat = Literal["text", "md", "latex", "html"]
NA = "—"  # how a missing number is shown


@dataclass(frozen=True)
class Summary:
    """A titled report: header lines (provenance) and named tables.

    >>> s = Summary("Scores", ["n = 2"], [("Scales", pd.DataFrame({"m": [1.23456]}))])
    >>> print(s.as_text(digits=2))
    Scores
    ======
    n = 2
    <BLANKLINE>
    Scales
       m
    1.23
    """

    title: str
    header: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    apa: bool = False           # tables as APA text (:mod:`.apa`): two decimals, p < .001, yes/no, "fixed"

    def shown(self, df: pd.DataFrame, digits: int) -> pd.DataFrame:
        """A table as rendered: APA text, or rounded to ``digits``."""
        if self.apa:
            from .apa import table

            return table(df, min(digits, 2))
        return _round(df, digits)

    def as_text(self, digits: int = 3) -> str:
        out = [self.title, "=" * len(self.title), *self.header]
        for name, df in self.tables:
            out += ["", name, self.shown(df, digits).to_string(index=False, na_rep=NA)]
        return "\n".join(out)

    def as_markdown(self, digits: int = 3) -> str:
        out = [f"# {markdown_text(self.title)}", ""] + [f"- {markdown_text(h)}" for h in self.header]
        for name, df in self.tables:
            shown = self.shown(df, digits).map(lambda v: markdown_text(v, cell=True)).astype(object)  # data stay text
            if not self.apa:        # APA text shows its own dashes
                shown = shown.where(df.notna().to_numpy(), None)  # tabulate shows None as missingval
            shown.columns = [markdown_text(str(c), cell=True) for c in shown.columns]
            out += ["", f"## {markdown_text(name)}", "", shown.to_markdown(index=False, missingval=NA,
                                                                          disable_numparse=self.apa)]
        return "\n".join(out) + "\n"

    def as_latex(self, digits: int = 3) -> str:
        out = [f"% {self.title}"] + [f"% {h}" for line in self.header for h in str(line).splitlines()]
        for name, df in self.tables:
            # cells and headers escaped (%, _, &, #, ~ as in 'f =~ x1', ...): the table compiles
            styler = (self.shown(df, digits).style.hide(axis="index").format(na_rep="--", precision=digits, escape="latex")
                      .format_index(escape="latex", axis=1))
            out.append(styler.to_latex(caption=_latex_escape(name), hrules=True))
        return "\n".join(out)

    def as_html(self, digits: int = 3) -> str:
        out = [f"<h1>{html.escape(self.title)}</h1>", "<ul>"]
        out += [f"<li>{html.escape(h)}</li>" for h in self.header] + ["</ul>"]
        for name, df in self.tables:
            out += [f"<h2>{html.escape(name)}</h2>", self.shown(df, digits).to_html(index=False, na_rep=NA)]
        return "\n".join(out)

    def render(self, fmt: SummaryFormat = "text", digits: int = 3) -> str:
        return {"text": self.as_text, "md": self.as_markdown, "latex": self.as_latex,
                "html": self.as_html}[fmt](digits=digits)

    def __str__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def _round(df: pd.DataFrame, digits: int) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$", "{": r"\{",
          "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _latex_escape(text: str) -> str:
    r"""LaTeX's special characters escaped in one pass (a caption or a comment line).

    >>> print(_latex_escape("f =~ x_1 & 50% {a}"))
    f =\textasciitilde{} x\_1 \& 50\% \{a\}
    """
    return "".join(_LATEX.get(c, c) for c in text)


def jsonable(value: Any) -> Any:
    """Convert numpy/pandas values to plain JSON types; NaN becomes ``None``.

    >>> jsonable({"a": np.float64("nan"), "b": np.int64(3), "c": [np.bool_(True)]})
    {'a': None, 'b': 3, 'c': [True]}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value
