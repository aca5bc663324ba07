"""Word output through python-docx (the only module that imports it): APA-style tables (a rule
above and below the table and under the header, no vertical lines: APA 7, section 7.21),
"Table N" in bold over the title in italics, notes under the table, figures as PNG; numbers
rounded only here."""

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
        _apa_table(doc, df, digits)
    doc.save(path)


def _apa_table(doc, df: pd.DataFrame, digits: int = 2):
    """A table with APA rules: top and bottom of the table and under the header row only."""
    from docx.shared import Pt

    t = doc.add_table(rows=1, cols=len(df.columns))
    for cell, name in zip(t.rows[0].cells, df.columns):
        cell.text = str(name)
    for _, row in df.iterrows():
        cells = t.add_row().cells
        for cell, v in zip(cells, row):
            cell.text = _fmt(v, digits)
    last = len(t.rows) - 1
    for i, row in enumerate(t.rows):
        for cell in row.cells:
            edges = {"top": i == 0, "bottom": i in (0, last)}
            _borders(cell, **edges)
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    return t


def _borders(cell, top: bool = False, bottom: bool = False) -> None:
    """Single rules on a cell's top/bottom edges, none on the sides (w:tcBorders)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge, on in (("top", top), ("left", False), ("bottom", bottom), ("right", False)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single" if on else "nil")
        if on:
            el.set(qn("w:sz"), "8")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    tc_pr.append(borders)


def write_document(path: str, doc_model) -> None:
    """A :class:`~.document.Document` as Word: headings, paragraphs, numbered APA tables with their
    notes, figures (PNG, 6.3 in wide) with their captions."""
    import io

    from docx import Document
    from docx.shared import Inches, Pt

    from .document import Figure, Paragraph, Table

    doc = Document()
    doc.add_heading(doc_model.title, level=1)
    if doc_model.subtitle:
        doc.add_paragraph(doc_model.subtitle).runs[0].font.size = Pt(8)
    current = None
    for section, block, n in doc_model.numbered():
        if section is not current:
            doc.add_heading(section.title, level=2)
            current = section
        if isinstance(block, Paragraph):
            doc.add_paragraph(block.text)
            continue
        label = "Table" if isinstance(block, Table) else "Figure"
        doc.add_paragraph().add_run(f"{label} {n}").bold = True
        doc.add_paragraph().add_run(block.caption).italic = True
        if isinstance(block, Table):
            _apa_table(doc, block.frame)
        elif isinstance(block, Figure) and block.png:
            doc.add_picture(io.BytesIO(block.png), width=Inches(6.3))
        if block.note:
            p = doc.add_paragraph()
            p.add_run("Note. ").italic = True
            p.add_run(block.note).font.size = Pt(9)
    doc.save(path)


def _fmt(v, digits: int) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)
