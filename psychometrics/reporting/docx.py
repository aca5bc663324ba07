"""Word output through python-docx (the only module that imports it): APA-style tables,
numbers rounded only here."""

from __future__ import annotations

import pandas as pd


def write_tables(path: str, title: str, header: list[str], tables: list[tuple[str, pd.DataFrame]],
                 digits: int = 2) -> None:
    """A .docx file with a heading, provenance lines and one table per (caption, frame)."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(title, level=1)
    for line in header:
        doc.add_paragraph(line).runs[0].font.size = Pt(8)
    for n, (caption, df) in enumerate(tables, start=1):
        p = doc.add_paragraph()
        p.add_run(f"Table {n}").bold = True
        doc.add_paragraph().add_run(caption).italic = True
        t = doc.add_table(rows=1, cols=len(df.columns))
        t.style = "Table Grid"
        for cell, name in zip(t.rows[0].cells, df.columns):
            cell.text = str(name)
        for _, row in df.iterrows():
            cells = t.add_row().cells
            for cell, v in zip(cells, row):
                cell.text = _fmt(v, digits)
    doc.save(path)


def _fmt(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)
