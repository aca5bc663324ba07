"""XLSForm (KoboToolbox, ODK Collect, Enketo): survey, choices and settings sheets.

All chosen languages go into one form as ``label::Language (tag)`` columns (ODK's convention);
one group per instrument opens with its instructions as a note; Likert and frequency items are
``select_one`` with ``appearance = likert``; context questions keep their types (select_one,
select_multiple, integer with a range constraint); declared missing codes are extra choices (or
accepted values of integer questions); ``required`` follows the instrument. Choice names are the
stored codes (select_multiple: the option names, which ODK needs without spaces), so exports come
back with the package's own codes. Reference: xlsform.org; docs.getodk.org/form-language.
"""

from __future__ import annotations

from pathlib import Path

from .._safety import xlsx_value
from .texts import Texts, xlsform_language


def _integer_constraint(sc) -> tuple[str, str | None]:
    parts = []
    if sc.min is not None:
        parts.append(f". >= {sc.min}")
    if sc.max is not None:
        parts.append(f". <= {sc.max}")
    rule = " and ".join(parts)
    if sc.missing_codes and rule:
        rule = f"({rule}) or " + " or ".join(f". = {c}" for c in sc.missing_codes)
    return rule, (f"{sc.min}-{sc.max}" if parts else None)


def rows(texts: Texts) -> tuple[list[dict], list[dict], dict]:
    langs = texts.langs
    col = {lang: xlsform_language(lang) for lang in langs}
    survey: list[dict] = []
    for sec in texts.sections():
        inst = sec.inst
        survey.append({"type": "begin_group", "name": f"grp_{inst.id}", "appearance": "field-list",
                       **{f"label::{col[lg]}": texts.get(inst.title, lg, f"{inst.id} title") for lg in langs}})
        if inst.instructions:
            survey.append({"type": "note", "name": f"{inst.id}_intro",
                           **{f"label::{col[lg]}": texts.instructions(inst, lg) for lg in langs}})
        for it in sec.items:
            sc = it.scale
            row = {"name": it.id, **{f"label::{col[lg]}": texts.item(it, lg) for lg in langs}}
            if sc.type in ("likert", "frequency", "select_one"):
                row["type"] = f"select_one {sc.id}"
                if sc.type in ("likert", "frequency"):
                    row["appearance"] = "likert"
            elif sc.type == "select_multiple":
                row["type"] = f"select_multiple {sc.id}"
            elif sc.type == "integer":
                row["type"] = "integer"
                rule, rng = _integer_constraint(sc)
                if rule:
                    row["constraint"] = rule
                    for lg in langs:
                        row[f"constraint_message::{col[lg]}"] = (
                            {"ru": "Допустимо: ", "kk-Cyrl": "Рұқсат етілген: "}.get(lg, "Allowed: ") + (rng or "")
                            + ("" if not sc.missing_codes else " / " + ", ".join(str(c) for c in sc.missing_codes)))
            else:
                row["type"] = "text"
            if it.required:
                row["required"] = "yes"
            survey.append(row)
        survey.append({"type": "end_group", "name": f"grp_{inst.id}"})
    choices: list[dict] = []
    for sc in texts.scales().values():
        if sc.type not in ("likert", "frequency", "select_one", "select_multiple"):
            continue
        opts = {lg: texts.options(sc, lg) for lg in langs}
        for k, (code, _) in enumerate(opts[langs[0]]):
            name = sc.names[k] if sc.type == "select_multiple" else code     # ODK: no spaces in multi names
            choices.append({"list_name": sc.id, "name": name, **{f"label::{col[lg]}": opts[lg][k][1] for lg in langs}})
    inst = texts.inst
    default = inst.languages.default if inst.languages.default in langs else langs[0]
    settings = {"form_title": texts.get(inst.title, default, f"{inst.id} title"), "form_id": inst.id,
                "version": inst.version.replace(".", "") or "1", "default_language": col[default]}
    return survey, choices, settings


def write_xlsform(texts: Texts, out: Path) -> list[Path]:
    from openpyxl import Workbook

    survey, choices, settings = rows(texts)
    wb = Workbook()
    for title, records in (("survey", survey), ("choices", choices), ("settings", [settings])):
        ws = wb.active if title == "survey" else wb.create_sheet(title)
        ws.title = title
        header: list[str] = []
        for r in records:
            for k in r:
                if k not in header:
                    header.append(k)
        for row, values in enumerate([header] + [[r.get(k, "") for k in header] for r in records], start=1):
            for col, v in enumerate(values, start=1):
                xlsx_value(ws.cell(row=row, column=col), v)   # texts stay texts, never formulas
    wb.save(out)
    return [out]
