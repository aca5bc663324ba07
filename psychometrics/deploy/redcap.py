"""REDCap data dictionary (CSV, REDCap's 18 columns in order) and a companion language file.

One REDCap instrument (form) per instrument, ``record_id`` first; Likert and frequency items are
radio buttons grouped into a matrix per instrument and scale (``Matrix Group Name``); other
select_one items radio, select_multiple checkboxes (exported by REDCap as ``item___code``),
integers text fields with integer validation and their range. Declared missing codes are choices
too. REDCap keeps translations outside the dictionary (Multi-Language Management), so the first
chosen language fills the dictionary and ``<name>.languages.json`` holds every chosen language's
labels and choices for MLM. Reference: REDCap data dictionary documentation (18 columns).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .._safety import csv_cell
from .texts import Texts

COLUMNS = ["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
           "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
           "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
           "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
           "Matrix Ranking?", "Field Annotation"]


def _choices(texts: Texts, sc, lang: str) -> str:
    return " | ".join(f"{code}, {lab.replace('|', '/')}" for code, lab in texts.options(sc, lang))


def records(texts: Texts, lang: str) -> list[dict]:
    out = [{"Variable / Field Name": "record_id", "Form Name": texts.sections()[0].inst.id,
            "Field Type": "text", "Field Label": "Record ID"}]
    for sec in texts.sections():
        inst = sec.inst
        header = texts.get(inst.title, lang, f"{inst.id} title")
        if inst.instructions:
            header += ": " + texts.instructions(inst, lang)
        for k, it in enumerate(sec.items):
            sc = it.scale
            row = {"Variable / Field Name": it.id, "Form Name": inst.id, "Field Label": texts.item(it, lang),
                   "Section Header": header if k == 0 else "", "Required Field?": "y" if it.required else ""}
            if sc.type in ("likert", "frequency", "select_one"):
                row["Field Type"] = "radio"
                row["Choices, Calculations, OR Slider Labels"] = _choices(texts, sc, lang)
                if sc.type in ("likert", "frequency"):
                    row["Matrix Group Name"] = f"{inst.id}_{sc.id}"
                    row["Section Header"] = ""
                    if not any(r.get("Matrix Group Name") == row["Matrix Group Name"] for r in out):
                        row["Section Header"] = header
            elif sc.type == "select_multiple":
                row["Field Type"] = "checkbox"
                row["Choices, Calculations, OR Slider Labels"] = _choices(texts, sc, lang)
            elif sc.type == "integer":
                row["Field Type"] = "text"
                row["Text Validation Type OR Show Slider Number"] = "integer"
                row["Text Validation Min"] = "" if sc.min is None else str(min([sc.min, *sc.missing_codes]))
                row["Text Validation Max"] = "" if sc.max is None else str(sc.max)
                if sc.missing_codes:
                    row["Field Note"] = "missing: " + ", ".join(str(c) for c in sc.missing_codes)
            else:
                row["Field Type"] = "text"
            out.append(row)
    return out


def write_redcap(texts: Texts, out: Path) -> list[Path]:
    main = texts.langs[0]
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in records(texts, main):
            w.writerow({c: csv_cell(r.get(c, "")) for c in COLUMNS})
    langs = {lang: {r["Variable / Field Name"]: {"label": r["Field Label"],
                                                 "choices": r.get("Choices, Calculations, OR Slider Labels", "")}
                    for r in records(texts, lang)} for lang in texts.langs}
    side = out.with_suffix(".languages.json")
    side.write_text(json.dumps({"dictionary_language": main, "languages": langs}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
    return [out, side]
