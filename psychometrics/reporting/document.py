"""A results section as a document: sections of paragraphs, numbered tables and numbered figures,
rendered as one self-contained HTML file (inline CSS and SVG, nothing loaded from the network, a
table of contents, print styles), Markdown, LaTeX (booktabs; compiles) and Word (:mod:`.docx`).

Tables hold APA text already (:mod:`.apa`); figures hold SVG text and PNG bytes of one drawing.
Numbers run through the whole document in order, as a paper numbers them.

>>> doc = Document("Results", [Section("sample", "Sample", [Paragraph("N = 3."),
...     Table("Sample", pd.DataFrame({"group": ["a"], "n": ["3"]}), note="One group.")])])
>>> html = doc.to_html()
>>> "Table 1" in html and 'href="#sample"' in html and "http" not in html.split("<body>")[1]
True
>>> print(doc.to_markdown().splitlines()[6])
**Table 1.** *Sample*
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Callable, Union

import pandas as pd

from .._safety import markdown_text
from .summary import _latex_escape


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A table: APA text cells, a caption (the title line under "Table N") and an optional note."""

    caption: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure: the same drawing as SVG text (HTML) and PNG bytes (Word, Markdown), the PNG
    drawn on first use (``render_png``)."""

    caption: str
    svg: str
    render_png: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)
    note: str = ""

    @property
    def png(self) -> bytes:
        return self.render_png() if self.render_png is not None else b""


Block = Union[Paragraph, Table, Figure]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    title: str
    sections: list[Section]
    subtitle: str = ""

    def numbered(self):
        """(section, block, number) in order; tables and figures numbered separately from 1."""
        counts = {Table: 0, Figure: 0}
        for s in self.sections:
            for b in s.blocks:
                n = None
                if type(b) in counts:
                    counts[type(b)] += 1
                    n = counts[type(b)]
                yield s, b, n

    def tables(self) -> list[Table]:
        return [b for _, b, _ in self.numbered() if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for _, b, _ in self.numbered() if isinstance(b, Figure)]

    # ------------------------------------------------------------------ HTML
    def to_html(self) -> str:
        """One self-contained HTML page; a Content-Security-Policy forbids every network load."""
        e = html.escape
        toc = "".join(f'<li><a href="#{e(s.id)}">{e(s.title)}</a></li>' for s in self.sections)
        body: list[str] = []
        current = None
        for s, b, n in self.numbered():
            if s is not current:
                if current is not None:
                    body.append("</section>")
                body.append(f'<section id="{e(s.id)}"><h2>{e(s.title)}</h2>')
                current = s
            if isinstance(b, Paragraph):
                body.append(f"<p>{e(b.text)}</p>")
            elif isinstance(b, Table):
                body.append(f'<div class="table" id="table-{n}"><p class="label">Table {n}</p>'
                            f'<p class="caption">{e(b.caption)}</p>'
                            + _html_table(b.frame)
                            + (f'<p class="note"><em>Note.</em> {e(b.note)}</p>' if b.note else "") + "</div>")
            else:
                body.append(f'<figure id="figure-{n}"><p class="label">Figure {n}</p>'
                            f'<p class="caption">{e(b.caption)}</p>{_clean_svg(b.svg)}'
                            + (f'<figcaption class="note"><em>Note.</em> {e(b.note)}</figcaption>' if b.note else "")
                            + "</figure>")
        if current is not None:
            body.append("</section>")
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
                f'img-src data:">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{e(self.title)}</title><style>{CSS}</style></head>\n<body><main>"
                f"<header><h1>{e(self.title)}</h1>" + (f'<p class="subtitle">{e(self.subtitle)}</p>' if self.subtitle else "")
                + f'</header><nav aria-label="Contents"><h2>Contents</h2><ol>{toc}</ol></nav>\n'
                + "\n".join(body) + "</main></body></html>\n")

    # ------------------------------------------------------------------ Markdown
    def to_markdown(self) -> str:
        out = [f"# {markdown_text(self.title)}", ""] + ([markdown_text(self.subtitle), ""] if self.subtitle else [])
        current = None
        for s, b, n in self.numbered():
            if s is not current:
                out += [f"## {markdown_text(s.title)}", ""]
                current = s
            if isinstance(b, Paragraph):
                out += [markdown_text(b.text), ""]
            elif isinstance(b, Table):
                shown = b.frame.map(lambda v: markdown_text(v, cell=True)).astype(object)
                shown.columns = [markdown_text(str(c), cell=True) for c in shown.columns]
                out += [f"**Table {n}.** *{markdown_text(b.caption)}*", "",
                        shown.to_markdown(index=False, disable_numparse=True), ""]
                if b.note:
                    out += [f"*Note.* {markdown_text(b.note)}", ""]
            else:
                png = b.png
                data = base64.b64encode(png).decode() if png else ""
                out += [f"**Figure {n}.** *{markdown_text(b.caption)}*", ""]
                if data:
                    out += [f"![Figure {n}](data:image/png;base64,{data})", ""]
                if b.note:
                    out += [f"*Note.* {markdown_text(b.note)}", ""]
        return "\n".join(out)

    # ------------------------------------------------------------------ LaTeX
    def to_latex(self) -> str:
        """A complete article (booktabs, longtable for long tables). Figures are left to the HTML and
        Word versions: each is named where it stands, so the numbering stays the same."""
        # pdfLaTeX with T1 fonts for Latin text; XeLaTeX/LuaLaTeX (fontspec) for Russian and Kazakh
        # item texts, given a Cyrillic font (the default Latin Modern has none)
        out = [r"% Compiles with pdfLaTeX (Cyrillic item texts need the T2A fonts: Debian texlive-lang-cyrillic),",
               r"% XeLaTeX or LuaLaTeX (a system font with Cyrillic, e.g. DejaVu Serif, is chosen when installed).",
               r"\documentclass[11pt]{article}", r"\usepackage{iftex}",
               r"\ifPDFTeX\usepackage[utf8]{inputenc}\IfFileExists{t2aenc.def}{\usepackage[T2A,T1]{fontenc}}"
               r"{\usepackage[T1]{fontenc}}\usepackage{textcomp}\newcommand{\cyr}[1]{{\fontencoding{T2A}\selectfont #1}}"
               r"\else\usepackage{fontspec}\IfFontExistsTF{DejaVu Serif}{\setmainfont{DejaVu Serif}}{}"
               r"\newcommand{\cyr}[1]{#1}\fi",
               r"\usepackage{booktabs,longtable,array,caption}",
               r"\usepackage[margin=2.2cm]{geometry}", r"\setlength{\LTcapwidth}{\textwidth}",
               r"\begin{document}", rf"\section*{{{_tex(self.title)}}}"]
        if self.subtitle:
            out.append(_tex(self.subtitle) + r"\par")
        current = None
        for s, b, n in self.numbered():
            if s is not current:
                out.append(rf"\subsection*{{{_tex(s.title)}}}")
                current = s
            if isinstance(b, Paragraph):
                out += [_tex(b.text), ""]
            elif isinstance(b, Table):
                out.append(_latex_table(b, n))
            else:
                out += [rf"\noindent\textbf{{Figure {n}.}} \emph{{{_tex(b.caption)}}} "
                        r"(in the HTML and Word versions of this report)\par", ""]
        out.append(r"\end{document}")
        return "\n".join(out) + "\n"


def _latex_table(t: Table, n: int | None) -> str:
    cols = len(t.frame.columns)
    head = " & ".join(_tex(str(c)) for c in t.frame.columns)
    rows = [" & ".join(_tex(str(v)) for v in r) + r" \\" for r in t.frame.itertuples(index=False)]
    spec = "l" * cols
    lines = [rf"\begin{{longtable}}{{{spec}}}", rf"\caption*{{\textbf{{Table {n}}}\\ \emph{{{_tex(t.caption)}}}}}\\",
             r"\toprule", head + r" \\", r"\midrule", r"\endhead", *rows, r"\bottomrule"]
    if t.note:
        lines.append(rf"\multicolumn{{{cols}}}{{p{{0.95\textwidth}}}}{{\emph{{Note.}} {_tex(t.note)}}}\\")
    lines.append(r"\end{longtable}")
    return "\n".join(lines)


#: characters outside T1 written as LaTeX (Greek letters of the tables, math signs, dashes)
_TEX_SYMBOLS = {"α": r"\ensuremath{\alpha}", "ω": r"\ensuremath{\omega}", "λ": r"\ensuremath{\lambda}",
                "β": r"\ensuremath{\beta}", "χ": r"\ensuremath{\chi}", "η": r"\ensuremath{\eta}",
                "²": r"\textsuperscript{2}", "≥": r"\ensuremath{\geq}", "≤": r"\ensuremath{\leq}", "−": "-",
                "…": r"\ldots{}", "—": "---", "–": "--", "·": r"\textperiodcentered{}", "×": r"\ensuremath{\times}"}
_CYRILLIC = re.compile(r"[\u0400-\u04ff][\u0400-\u04ff\s\d.,;:!?()«»\"'\-]*")


def _tex(text: str) -> str:
    r"""Text for the LaTeX document: specials escaped, symbols as commands, Cyrillic runs in
    ``\cyr{}`` (T2A fonts under pdfLaTeX).

    >>> print(_tex("α = .80, R² ≥ .30; Когда я_"))
    \ensuremath{\alpha} = .80, R\textsuperscript{2} \ensuremath{\geq} .30; \cyr{Когда я}\_
    """
    escaped = "".join(_TEX_SYMBOLS.get(c, c) for c in _latex_escape(text))
    return _CYRILLIC.sub(lambda m: r"\cyr{" + m.group(0).rstrip() + "}" + m.group(0)[len(m.group(0).rstrip()):], escaped)


_NUMBER = re.compile(r"^[<>≥≤]?\s*[-−]?\(?[\d.,]+\)?%?(\s*\[.*\])?(\s*\(.*\))?\**$|^—$|^fixed$")


def _html_table(df: pd.DataFrame) -> str:
    """An APA table: text cells left-aligned, numbers (and "—") right-aligned, everything escaped."""
    e = html.escape
    head = "".join(f'<th scope="col">{e(str(c))}</th>' for c in df.columns)
    rows = []
    for r in df.itertuples(index=False):
        cells = []
        for v in r:
            text = "—" if v is None or (isinstance(v, float) and v != v) else str(v)
            cls = ' class="num"' if _NUMBER.match(text.strip()) else ""
            cells.append(f"<td{cls}>{e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="apa"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _clean_svg(svg: str) -> str:
    """matplotlib's SVG without its XML prolog and DOCTYPE (invalid inside HTML)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else ""


CSS = """
:root { --ink: #1d1d1f; --rule: #1d1d1f; --muted: #5b5b66; --accent: #1f4e79; }
body { font: 15px/1.5 "Source Serif Pro", "Times New Roman", Georgia, serif; color: var(--ink); margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; } h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #ddd; }
.subtitle { color: var(--muted); margin: 0; font-size: .9rem; }
nav { background: #f5f7fa; border: 1px solid #e1e5ea; padding: .3rem 1.2rem; margin: 1.2rem 0; }
nav h2 { border: 0; font-size: 1rem; margin: .6rem 0 .2rem; } nav ol { margin: .2rem 0 .6rem; columns: 2; }
nav a { color: var(--accent); text-decoration: none; }
.table, figure { margin: 1.6rem 0; break-inside: avoid; page-break-inside: avoid; overflow-x: auto; }
figure { margin-left: 0; margin-right: 0; } figure svg { max-width: 100%; height: auto; }
.label { font-weight: bold; margin: 0; } .caption { font-style: italic; margin: 0 0 .4rem; }
.note { font-size: .85rem; color: var(--ink); margin: .3rem 0 0; }
table.apa { border-collapse: collapse; font-size: .85rem; border-top: 2px solid var(--rule);
  border-bottom: 2px solid var(--rule); }
table.apa th { border-bottom: 1px solid var(--rule); font-weight: normal; text-align: center; padding: .25rem .6rem; }
table.apa td { padding: .2rem .6rem; text-align: left; vertical-align: top; }
table.apa td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.apa th:first-child { text-align: left; }
table.apa tr:nth-child(even) td { background: #fafafa; }
@media print { body { font-size: 11pt; } main { max-width: none; padding: 0; } nav { break-after: page; }
  h2 { break-after: avoid; } table.apa tr:nth-child(even) td { background: none; } }
"""
