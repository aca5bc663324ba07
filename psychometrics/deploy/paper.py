"""Printable paper questionnaires: one PDF (and one HTML page) per language.

Instructions, then per instrument its title and instructions and its questions: Likert and
frequency items as a grid (one box per answer, the answer labels as column heads, declared missing
codes as extra columns), select_one and select_multiple questions as lists of boxes, numbers as an
answer line with the allowed range. Item codes and answer codes are printed small in the margin and
under the boxes for data entry. The fonts are the DejaVu fonts that ship with matplotlib (full
Cyrillic, Kazakh letters included), embedded in the PDF.
"""

from __future__ import annotations

import html
from pathlib import Path

from .texts import Texts

INTRO = {
    "en": "Please answer every question by marking one box (X) per row, unless it says that you may mark several. "
          "There are no right or wrong answers. The small codes are for data entry.",
    "ru": "Пожалуйста, ответьте на каждый вопрос, отметив одну клетку (X) в строке, если не сказано, что можно "
          "отметить несколько. Правильных или неправильных ответов нет. Мелкие коды нужны для ввода данных.",
    "kk-Cyrl": "Әр сұраққа жолына бір ұяшықты (X) белгілеп жауап беріңіз, егер бірнешеуін белгілеуге болатыны "
               "айтылмаса. Дұрыс немесе бұрыс жауап жоқ. Кішкентай кодтар деректерді енгізуге арналған.",
}
MULTI = {"en": "(mark all that apply)", "ru": "(можно отметить несколько)", "kk-Cyrl": "(бірнешеуін белгілеуге болады)"}
NUMBER = {"en": "Number", "ru": "Число", "kk-Cyrl": "Сан"}


def _fonts() -> tuple[str, str]:
    import matplotlib

    base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return str(base / "DejaVuSans.ttf"), str(base / "DejaVuSans-Bold.ttf")


def _blocks(texts: Texts, lang: str):
    """Per section: (title, instructions, entries); an entry is ("grid", scale, [items]) or ("item", item)."""
    for sec in texts.sections():
        entries: list[tuple] = []
        for it in sec.items:
            if it.scale.type in ("likert", "frequency"):
                if entries and entries[-1][0] == "grid" and entries[-1][1].id == it.scale.id:
                    entries[-1][2].append(it)
                else:
                    entries.append(("grid", it.scale, [it]))
            else:
                entries.append(("item", it))
        yield (texts.get(sec.inst.title, lang, f"{sec.inst.id} title"),
               texts.instructions(sec.inst, lang), entries)


def write_pdf(texts: Texts, lang: str, out: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = _fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    inst = texts.inst
    L, R, BOTTOM = 16.0, 194.0, 282.0
    pdf.set_margins(L, 14, 210 - R)
    pdf.add_page()

    def ensure(h: float) -> None:
        if pdf.get_y() + h > BOTTOM:
            pdf.add_page()

    def text_lines(w: float, txt: str, size: float) -> int:
        pdf.set_font("DejaVu", "", size)
        lines = pdf.multi_cell(w, size * 0.45, txt, dry_run=True, output="LINES")
        return len(lines) if isinstance(lines, list) else 1

    def code_in_margin(code: str, y: float) -> None:
        pdf.set_font("DejaVu", "", 6)
        pdf.set_text_color(110)
        pdf.set_xy(3, y)
        pdf.cell(L - 4, 3, code)
        pdf.set_text_color(0)

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(R - L, 7, texts.get(inst.title, lang, f"{inst.id} title"), align="L", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(R - L, 5, f"{inst.id} {inst.version} · {lang}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.multi_cell(R - L, 4.6, INTRO.get(lang, INTRO["en"]), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    box = 3.6
    for title, instructions, entries in _blocks(texts, lang):
        ensure(30)
        pdf.set_font("DejaVu", "B", 11.5)
        pdf.multi_cell(R - L, 5.5, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if instructions:
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(R - L, 4.3, instructions, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
        for entry in entries:
            if entry[0] == "grid":
                _, sc, items = entry
                opts = texts.options(sc, lang)
                cw = min(17.0, (R - L) * 0.55 / len(opts))
                tw = R - L - cw * len(opts)

                def header() -> None:
                    y0 = pdf.get_y()
                    hh = max(text_lines(cw - 1, lab, 6.5) for _, lab in opts) * 2.9 + 1
                    for k, (_, lab) in enumerate(opts):
                        pdf.set_font("DejaVu", "", 6.5)
                        pdf.set_xy(L + tw + k * cw + 0.5, y0)
                        pdf.multi_cell(cw - 1, 2.9, lab, align="C")
                    pdf.set_y(y0 + hh)
                    pdf.line(L, pdf.get_y(), R, pdf.get_y())

                ensure(25)
                header()
                for n, it in enumerate(items):
                    txt = texts.item(it, lang)
                    h = max(text_lines(tw - 2, txt, 9) * 4.05 + 2, 7.5)
                    if pdf.get_y() + h > BOTTOM:
                        pdf.add_page()
                        header()
                    y0 = pdf.get_y()
                    if n % 2:
                        pdf.set_fill_color(243, 243, 243)
                        pdf.rect(L, y0, R - L, h, style="F")
                    code_in_margin(it.id, y0 + 1)
                    pdf.set_font("DejaVu", "", 9)
                    pdf.set_xy(L, y0 + 1)
                    pdf.multi_cell(tw - 2, 4.05, txt, align="L")
                    for k, (val, _) in enumerate(opts):
                        x = L + tw + k * cw + (cw - box) / 2
                        pdf.rect(x, y0 + (h - box) / 2 - 0.8, box, box)
                        pdf.set_font("DejaVu", "", 5)
                        pdf.set_text_color(120)
                        pdf.set_xy(x - 1, y0 + (h + box) / 2 - 0.6)
                        pdf.cell(box + 2, 2, val, align="C")
                        pdf.set_text_color(0)
                    pdf.set_y(y0 + h)
                pdf.ln(3)
            else:
                it = entry[1]
                sc = it.scale
                txt = texts.item(it, lang)
                if sc.type == "select_multiple" and "(" not in txt:    # say it unless the item text does
                    txt += " " + MULTI.get(lang, MULTI["en"])
                opts = texts.options(sc, lang) if sc.type in ("select_one", "select_multiple") else []
                ensure(text_lines(R - L, txt, 9.5) * 4.4 + 6 * ((len(opts) + 1) // 2) + 4)
                code_in_margin(it.id, pdf.get_y() + 0.5)
                pdf.set_font("DejaVu", "", 9.5)
                pdf.set_x(L)
                pdf.multi_cell(R - L, 4.4, txt, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(0.8)
                if opts:
                    col_w = (R - L) / 2
                    for k, (val, lab) in enumerate(opts):
                        if k % 2 == 0:
                            ensure(6)
                            y = pdf.get_y()
                        x = L + (k % 2) * col_w
                        pdf.rect(x + 1, y + 0.8, box, box)
                        pdf.set_font("DejaVu", "", 8.5)
                        pdf.set_xy(x + 2 + box, y)
                        pdf.cell(col_w - 12, 5, lab)
                        pdf.set_font("DejaVu", "", 5.5)
                        pdf.set_text_color(120)
                        pdf.set_xy(x + col_w - 10, y + 1)
                        pdf.cell(8, 3, val)
                        pdf.set_text_color(0)
                        if k % 2 == 1 or k == len(opts) - 1:
                            pdf.set_y(y + 5.5)
                else:
                    rng = f"{sc.min}–{sc.max}" if sc.min is not None and sc.max is not None else ""
                    pdf.set_font("DejaVu", "", 8.5)
                    pdf.cell(60, 6, f"{NUMBER.get(lang, NUMBER['en'])}: ____________  {rng}",
                             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(2.5)
    pdf.output(str(out))


def write_html(texts: Texts, lang: str, out: Path) -> None:
    e = html.escape
    inst = texts.inst
    parts = [f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'>"
             f"<title>{e(texts.get(inst.title, lang, inst.id))}</title><style>"
             "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:52em;margin:2em auto;font-size:11pt}"
             "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:4px;"
             "vertical-align:middle}th{font-size:8pt;font-weight:normal}.code{color:#777;font-size:7pt}"
             ".box{display:inline-block;width:.9em;height:.9em;border:1px solid #000}td.c{text-align:center}"
             "@media print{body{margin:0}}</style></head><body>",
             f"<h1>{e(texts.get(inst.title, lang, inst.id))}</h1><p class='code'>{e(inst.id)} {e(inst.version)} · {e(lang)}</p>",
             f"<p>{e(INTRO.get(lang, INTRO['en']))}</p>"]
    for title, instructions, entries in _blocks(texts, lang):
        parts.append(f"<h2>{e(title)}</h2>" + (f"<p>{e(instructions)}</p>" if instructions else ""))
        for entry in entries:
            if entry[0] == "grid":
                _, sc, items = entry
                opts = texts.options(sc, lang)
                parts.append("<table><tr><th></th><th></th>" + "".join(f"<th>{e(lab)}</th>" for _, lab in opts) + "</tr>")
                for it in items:
                    parts.append(f"<tr><td class='code'>{e(it.id)}</td><td>{e(texts.item(it, lang))}</td>" + "".join(
                        f"<td class='c'><span class='box'></span><br><span class='code'>{e(v)}</span></td>"
                        for v, _ in opts) + "</tr>")
                parts.append("</table>")
            else:
                it = entry[1]
                sc = it.scale
                extra = " " + MULTI.get(lang, MULTI["en"]) if sc.type == "select_multiple" and "(" not in \
                    texts.item(it, lang) else ""
                parts.append(f"<p><span class='code'>{e(it.id)}</span> {e(texts.item(it, lang))}{e(extra)}</p>")
                if sc.type in ("select_one", "select_multiple"):
                    parts.append("<p>" + " &nbsp; ".join(f"<span class='box'></span> {e(lab)} <span class='code'>{e(v)}"
                                                         "</span>" for v, lab in texts.options(sc, lang)) + "</p>")
                else:
                    parts.append(f"<p>{e(NUMBER.get(lang, NUMBER['en']))}: ____________</p>")
    parts.append("</body></html>")
    out.write_text("\n".join(parts), encoding="utf-8")


def write_paper(texts: Texts, out: Path) -> list[Path]:
    written = []
    for lang in texts.langs:
        stem = out.with_suffix("") if len(texts.langs) == 1 else out.with_name(f"{out.with_suffix('').name}_{lang}")
        pdf, page = stem.with_suffix(".pdf"), stem.with_suffix(".html")
        write_pdf(texts, lang, pdf)
        write_html(texts, lang, page)
        written += [pdf, page]
    return written
