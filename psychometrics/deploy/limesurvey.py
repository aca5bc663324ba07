"""LimeSurvey tab-separated survey structure (Survey > Import, ``.txt``), and the code map back.

Rows: survey settings (``S``), one ``SL`` row per language, then per language the same groups
(``G``, one per instrument), questions (``Q``) with subquestions (``SQ``) and answers (``A``), the
base language first (LimeSurvey's TSV layout; relationships come from row order). Likert and
frequency items of an instrument form an Array question (type ``F``) per response scale with the
items as subquestions; select_one items are list questions (``L``), select_multiple multiple
choice (``M``), integers numerical input (``N``). LimeSurvey codes must be alphanumeric and start
with a letter, so every code is sanitised and ``<name>.codes.csv`` maps LimeSurvey's response
columns (``Q[SQ]``) back to item ids; :func:`psychometrics.responses.harmonize.from_limesurvey` uses it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .._safety import csv_cell
from .texts import Texts


def csv_row(cells: list) -> list:
    return [csv_cell(c) for c in cells]

COLUMNS = ["id", "related_id", "class", "type/scale", "name", "relevance", "text", "help", "language", "validation",
           "mandatory", "other", "default", "same_default"]


def code(text: str, used: set[str], limit: int = 20) -> str:
    """Alphanumeric, starting with a letter, unique within ``used``."""
    c = re.sub(r"[^A-Za-z0-9]", "", text)
    if not c or not c[0].isalpha():
        c = "Q" + c
    c = c[:limit]
    base, k = c, 1
    while c in used:
        k += 1
        c = f"{base[:limit - len(str(k))]}{k}"
    used.add(c)
    return c


def plan(texts: Texts) -> list[dict]:
    """Questions in order: code, type, items (subquestions) and scale, per instrument."""
    used: set[str] = set()
    groups = []
    for sec in texts.sections():
        inst = sec.inst
        qs = []
        arrays: dict[str, dict] = {}
        for it in sec.items:
            sc = it.scale
            if sc.type in ("likert", "frequency"):
                key = sc.id
                if key not in arrays:
                    arrays[key] = {"code": code(f"{inst.id}{sc.id}", used), "type": "F", "scale": sc, "items": []}
                    qs.append(arrays[key])
                arrays[key]["items"].append((code(it.id, set(), 20), it))
            else:
                t = {"select_one": "L", "select_multiple": "M", "integer": "N"}.get(sc.type, "S")
                qs.append({"code": code(it.id, used), "type": t, "scale": sc, "items": [(None, it)]})
        groups.append({"inst": inst, "questions": qs})
    return groups


def write_limesurvey(texts: Texts, out: Path) -> list[Path]:
    groups = plan(texts)
    inst = texts.inst
    base = texts.langs[0]
    lime = {lang: lang.split("-")[0] for lang in texts.langs}          # LimeSurvey language codes (kk, ru, en)
    rows: list[dict[str, object]] = [{"class": "S", "name": "language", "text": lime[base]},
            {"class": "S", "name": "additional_languages", "text": " ".join(lime[lg] for lg in texts.langs[1:])},
            {"class": "S", "name": "format", "text": "G"}]
    for lang in texts.langs:
        rows.append({"class": "SL", "name": "surveyls_title", "text": texts.get(inst.title, lang, f"{inst.id} title"),
                     "language": lime[lang]})
    for lang in texts.langs:
        qid = 0
        for gi, g in enumerate(groups, start=1):
            gi_inst = g["inst"]
            rows.append({"id": gi, "class": "G", "type/scale": "", "name": texts.get(gi_inst.title, lang, gi_inst.id),
                         "relevance": "1", "text": texts.instructions(gi_inst, lang), "language": lime[lang]})
            for q in g["questions"]:
                qid += 1
                sc = q["scale"]
                if q["type"] == "F":
                    text = texts.instructions(gi_inst, lang) or texts.get(gi_inst.title, lang, gi_inst.id)
                else:
                    text = texts.item(q["items"][0][1], lang)
                mandatory = "Y" if all(it.required for _, it in q["items"]) else "N"
                rows.append({"id": qid, "class": "Q", "type/scale": q["type"], "name": q["code"], "relevance": "1",
                             "text": text, "language": lime[lang], "mandatory": mandatory, "other": "N"})
                if q["type"] == "F":
                    for sq, it in q["items"]:
                        rows.append({"class": "SQ", "type/scale": "0", "name": sq, "relevance": "1",
                                     "text": texts.item(it, lang), "language": lime[lang]})
                if q["type"] == "M":
                    for name, lab in zip(sc.names, texts.labels(sc, lang)):
                        rows.append({"class": "SQ", "type/scale": "0", "name": code(name, set()), "relevance": "1",
                                     "text": lab, "language": lime[lang]})
                if q["type"] in ("F", "L"):
                    for a, (val, lab) in enumerate(texts.options(sc, lang)):
                        rows.append({"class": "A", "type/scale": "0", "name": f"A{val.replace('-', 'N')}",
                                     "relevance": str(a), "text": lab, "language": lime[lang]})
    with open(out, "w", newline="", encoding="utf-8-sig") as fh:       # UTF-8 with BOM, as LimeSurvey writes
        w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: csv_cell(r.get(c, "")) for c in COLUMNS})
    # code map: LimeSurvey response column -> item id (and answer code -> value)
    mp = out.with_suffix(".codes.csv")
    with open(mp, "w", newline="", encoding="utf-8") as fh:
        cw = csv.writer(fh)
        cw.writerow(csv_row(["limesurvey_column", "item_id", "option"]))
        for g in groups:
            for q in g["questions"]:
                if q["type"] == "F":
                    for sq, it in q["items"]:
                        cw.writerow(csv_row([f"{q['code']}[{sq}]", it.id, ""]))
                elif q["type"] == "M":
                    it = q["items"][0][1]
                    for name in it.scale.names:
                        cw.writerow(csv_row([f"{q['code']}[{code(name, set())}]", it.id, name]))
                else:
                    cw.writerow(csv_row([q["code"], q["items"][0][1].id, ""]))
    return [out, mp]
