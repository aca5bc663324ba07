"""Codebooks for the data an instrument produces: Markdown and HTML for people, a Frictionless
data package descriptor (``datapackage.json``, Data Package v2: ``categories`` with
``categoriesOrdered`` for Likert items, labelled ``missingValues``), and empty SPSS ``.sav`` and
Stata ``.dta`` templates with variable labels, value labels and (SPSS) user-missing codes.

One column per data column (select_multiple options as 0/1 columns ``item_option``), in
questionnaire order, labels in the chosen languages (the first for SPSS/Stata).

Codebooks generated from an instrument: one row per data column with its type,
codes, labels and missing-value codes (Markdown for people).

>>> from psychometrics.instruments import adhoc_instrument
>>> print(codebook_frame(adhoc_instrument({"A": ["A1", "-A2"]}, range=(1, 4))).to_string(index=False))
column scale item instrument   type codes labels missing_codes  reverse text
    A1     A   A1      adhoc likert   1-4                         False   A1
    A2     A   A2      adhoc likert   1-4                          True   A2
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..instruments import Instrument
from .texts import Texts


def codebook_frame(instrument: Instrument, lang: str | None = None) -> pd.DataFrame:
    """Columns a response file for ``instrument`` has, in questionnaire order."""
    lang = lang or instrument.languages.source
    scale_of: dict[str, str] = {}
    reversed_items: set[str] = set()
    for s in instrument.scoring:
        for i, sign in zip(s.items, instrument.signs(s)):
            scale_of.setdefault(i, s.id)
            if sign < 0:
                reversed_items.add(i)
    rows = []
    for it in instrument.items:
        sc = it.scale
        labels = sc.labels.get(lang) or sc.labels.get(instrument.languages.source) or ()
        missing = "; ".join(f"{c} = {lab.get(lang, next(iter(lab.values())))}" for c, lab in sc.missing_labels.items())
        base = {"scale": scale_of.get(it.id, ""), "item": it.id, "instrument": it.instrument,
                "missing_codes": missing, "reverse": it.id in reversed_items, "text": it.text.get(lang, "")}
        if sc.type == "select_multiple":
            for n, lab in zip(sc.names, labels):
                rows.append({"column": f"{it.id}_{n}", "type": "0/1", "codes": "0 = not chosen, 1 = chosen",
                             "labels": lab, **base})
            continue
        if sc.values:
            codes = f"{min(sc.values)}-{max(sc.values)}" if sc.type in ("likert", "frequency") else \
                ", ".join(map(str, sc.values))
        elif sc.min is not None:
            codes = f"{sc.min}-{sc.max}"
        else:
            codes = ""
        lab = "; ".join(f"{v} = {l}" for v, l in zip(sc.values, labels))
        rows.append({"column": it.id, "type": sc.type, "codes": codes, "labels": lab, **base})
    cols = ["column", "scale", "item", "instrument", "type", "codes", "labels", "missing_codes", "reverse", "text"]
    return pd.DataFrame(rows, columns=cols)


def codebook_markdown(instrument: Instrument, lang: str | None = None) -> str:
    """A Markdown codebook: scoring rules, classifications and every column."""
    lang = lang or instrument.languages.source
    out = [f"## Instrument {instrument.id} {instrument.version}", "",
           f"Content hash `{instrument.content_hash}`.", "", "### Scores", "",
           "| score | method | items (- = reverse-keyed) | minimum answered |", "|---|---|---|---|"]
    keys = instrument.psych_keys()
    for s in instrument.scoring:
        out.append(f"| {s.id} | {s.method} | {' '.join(keys[s.id])} | {s.min_valid_count} of {len(s.items)} |")
    if instrument.classifications:
        out += ["", "### Classifications (first rule that holds; see the instrument files)", ""]
        for c in instrument.classifications:
            out.append(f"- **{c.id}**: {', '.join(k['name'] for k in c.categories)}. {c.description}")
    out += ["", "### Columns", "", codebook_frame(instrument, lang).drop(columns=["instrument"]).to_markdown(index=False)]
    return "\n".join(out) + "\n"


def _columns(texts: Texts, lang: str) -> list[dict]:
    """Per data column: name, item, type, title, codes/labels, missing codes and labels."""
    out = []
    for it in texts.inst.items:
        sc = it.scale
        title = texts.item(it, lang)
        if sc.type == "select_multiple":
            for name, lab in zip(sc.names, texts.labels(sc, lang)):
                out.append({"name": f"{it.id}_{name}", "item": it.id, "type": "integer", "title": f"{title}: {lab}",
                            "categories": [(0, "0"), (1, lab)], "ordered": False, "missing": []})
            continue
        col = {"name": it.id, "item": it.id, "title": title, "ordered": sc.type in ("likert", "frequency"),
               "missing": [(c, texts.missing_label(sc, c, lang)) for c in sc.missing_codes]}
        if sc.type in ("likert", "frequency", "select_one"):
            col.update(type="integer", categories=list(zip(sc.values, texts.labels(sc, lang))))
        elif sc.type == "integer":
            col.update(type="integer", categories=[], minimum=sc.min, maximum=sc.max)
        else:
            col.update(type="string", categories=[])
        out.append(col)
    return out


def datapackage(texts: Texts) -> dict:
    lang = texts.langs[0]
    fields = [{"name": "id", "type": "string", "title": "Respondent id", "constraints": {"required": True,
                                                                                         "unique": True}}]
    for c in _columns(texts, lang):
        f = {"name": c["name"], "type": c["type"], "title": c["title"]}
        if c["categories"]:
            f["categories"] = [{"value": int(v), "label": lab} for v, lab in c["categories"]]
            if c["ordered"]:
                f["categoriesOrdered"] = True
        cons = {}
        if c.get("minimum") is not None:
            cons["minimum"] = c["minimum"]
        if c.get("maximum") is not None:
            cons["maximum"] = c["maximum"]
        if cons:
            f["constraints"] = cons
        if c["missing"]:
            # all strings or all objects (Table Schema v2): the empty cell as an object too
            f["missingValues"] = [{"value": "", "label": "not answered"}] + [{"value": str(v), "label": lab}
                                                                             for v, lab in c["missing"]]
        if len(texts.langs) > 1:
            f["x-titles"] = {lg: next(x["title"] for x in _columns(texts, lg) if x["name"] == c["name"])
                             for lg in texts.langs}
        fields.append(f)
    inst = texts.inst
    return {"$schema": "https://datapackage.org/profiles/2.0/datapackage.json", "name": inst.id.replace("_", "-"),
            "title": texts.get(inst.title, lang, f"{inst.id} title"), "version": inst.version,
            "description": f"Responses to {inst.id} {inst.version} ({inst.content_hash}); codebook generated by psychometrics",
            "resources": [{"name": "responses", "path": "responses.csv", "type": "table", "format": "csv",
                           "mediatype": "text/csv", "encoding": "utf-8",
                           "schema": {"$schema": "https://datapackage.org/profiles/2.0/tableschema.json",
                                      "fields": fields, "primaryKey": ["id"], "missingValues": [""]}}]}


def write_templates(texts: Texts, stem: Path) -> list[Path]:
    import pyreadstat

    lang = texts.langs[0]
    cols = _columns(texts, lang)
    df = pd.DataFrame({"id": pd.Series([], dtype=str), **{c["name"]: pd.Series([], dtype=np.float64)
                                                           if c["type"] == "integer" else pd.Series([], dtype=str)
                                                           for c in cols}})
    labels = {"id": "Respondent id", **{c["name"]: c["title"][:250] for c in cols}}
    values = {c["name"]: {float(v): lab[:120] for v, lab in c["categories"] + c["missing"]}
              for c in cols if c["categories"] or c["missing"]}
    missing: dict[str, list] = {c["name"]: [float(v) for v, _ in c["missing"]][:3] for c in cols if c["missing"]}
    sav, dta = stem.with_suffix(".sav"), stem.with_suffix(".dta")
    pyreadstat.write_sav(df, str(sav), column_labels=labels, variable_value_labels=values, missing_ranges=missing,
                         variable_measure={c["name"]: ("ordinal" if c["ordered"] else "nominal") for c in cols
                                           if c["categories"]})
    # Stata: value labels need integer values; variable labels at most 80 characters
    pyreadstat.write_dta(df, str(dta), column_labels={k: v[:80] for k, v in labels.items()},
                         variable_value_labels={k: {int(v): lab[:80] for v, lab in d.items()} for k, d in values.items()})
    return [sav, dta]


def write_codebook(texts: Texts, out: Path) -> list[Path]:
    stem = out.with_suffix("")
    lang = texts.langs[0]
    for lg in texts.langs:          # every chosen language must be complete (or fall back)
        _columns(texts, lg)
    md = stem.with_suffix(".md")
    md.write_text(codebook_markdown(texts.inst, lang), encoding="utf-8")
    page = stem.with_suffix(".html")
    frame = codebook_frame(texts.inst, lang)
    page.write_text("<!doctype html><html><head><meta charset='utf-8'><title>Codebook " + texts.inst.id +
                    "</title><style>body{font-family:sans-serif}td,th{border-bottom:1px solid #ccc;padding:3px;"
                    "font-size:10pt;text-align:left}</style></head><body><h1>Codebook: " + texts.inst.id + " " +
                    texts.inst.version + "</h1>" + frame.to_html(index=False, escape=True) + "</body></html>",
                    encoding="utf-8")
    dp = stem.parent / f"{stem.name}.datapackage.json"
    dp.write_text(json.dumps(datapackage(texts), ensure_ascii=False, indent=1), encoding="utf-8")
    return [md, page, dp, *write_templates(texts, stem)]
