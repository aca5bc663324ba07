"""Instrument exports: XLSForm (checked by pyxform, as ODK/Kobo convert it), REDCap dictionary,
LimeSurvey TSV, paper PDF/HTML (rendered with pdfium), codebooks; missing translations."""

from __future__ import annotations

import csv
import json
import re
import unicodedata

import pandas as pd
import pytest

from psychometrics.deploy import export
from psychometrics.deploy.redcap import COLUMNS as REDCAP_COLUMNS
from psychometrics.exceptions import InstrumentError

IDS = ["context", "prof_connectedness", "kss_efficacy", "participation", "eraut_factors", "networking_motives",
       "vpc_teachers"]
LANGS = ["en", "ru", "kk-Cyrl"]


@pytest.mark.parametrize("iid", IDS)
def test_xlsform_converts_with_pyxform_without_errors_or_warnings(registry, tmp_path, iid):
    from pyxform.xls2xform import convert

    inst = registry.get(iid)
    path = export(inst, "xlsform", LANGS, tmp_path / f"{iid}.xlsx")[0]
    warnings: list = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    assert warnings == []
    for code in ("English (en)", "Russian (ru)", "Kazakh (kk)"):
        assert f'lang="{code}"' in xform
    for it in inst.items:
        assert f"/{it.id}" in xform, it.id
        # the Kazakh text is in the form as written
        assert it.text["kk-Cyrl"].replace("&", "&amp;").replace('"', "&quot;").split()[0] in xform


def test_xlsform_one_language(registry, tmp_path):
    from pyxform.xls2xform import convert

    path = export(registry.get("kss_efficacy"), "xlsform", ["ru"], tmp_path / "k.xlsx")[0]
    warnings: list = []
    convert(xlsform=str(path), warnings=warnings)
    assert warnings == []
    survey = pd.read_excel(path, sheet_name="survey")
    assert [c for c in survey.columns if c.startswith("label::")] == ["label::Russian (ru)"]
    row = survey.set_index("name").loc["kse01"]
    assert row["type"] == "select_one conf5" and row["appearance"] == "likert"
    choices = pd.read_excel(path, sheet_name="choices")
    assert "-99" in choices.loc[choices.list_name == "conf5", "name"].astype(str).tolist()   # missing code offered


def test_redcap_dictionary_columns_and_field_names(registry, tmp_path):
    inst = registry.get("vpc_teachers")
    out, side = export(inst, "redcap", LANGS, tmp_path / "dd.csv")
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == REDCAP_COLUMNS
    body = [dict(zip(REDCAP_COLUMNS, r)) for r in rows[1:]]
    assert body[0]["Variable / Field Name"] == "record_id"
    names = [r["Variable / Field Name"] for r in body]
    assert names[1:] == [it.id for it in inst.items] and len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]{0,25}", n) for n in names)
    assert {r["Field Type"] for r in body} <= {"text", "radio", "checkbox"}
    subj = next(r for r in body if r["Variable / Field Name"] == "subj")
    assert subj["Field Type"] == "checkbox" and subj["Choices, Calculations, OR Slider Labels"].startswith("1, ")
    kse = next(r for r in body if r["Variable / Field Name"] == "kse01")
    assert kse["Matrix Group Name"] == "kss_efficacy_conf5" and "-99, " in kse["Choices, Calculations, OR Slider Labels"]
    lang = json.loads(side.read_text())
    assert set(lang["languages"]) == set(LANGS)
    assert lang["languages"]["ru"]["kse01"]["label"] == inst.item_map["kse01"].text["ru"]


def test_limesurvey_lists_every_item_in_every_language(registry, tmp_path):
    inst = registry.get("vpc_teachers")
    out, codes = export(inst, "limesurvey", LANGS, tmp_path / "ls.txt")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")          # UTF-8 with BOM, as LimeSurvey writes its TSV
    tsv = pd.read_csv(out, sep="\t", dtype=str, encoding="utf-8-sig").fillna("")
    cmap = pd.read_csv(codes, dtype=str).fillna("")
    assert set(cmap["item_id"]) == {it.id for it in inst.items}
    for lang in ("en", "ru", "kk"):
        part = tsv[tsv.language == lang]
        texts = set(part.loc[part["class"].isin(["Q", "SQ"]), "text"])
        src = {"kk": "kk-Cyrl"}.get(lang, lang)
        missing = [it.id for it in inst.items if it.scale.type != "select_multiple" and it.text[src] not in texts]
        assert not missing, (lang, missing)
    names = tsv.loc[tsv["class"].isin(["Q", "SQ"]), "name"]
    assert names.str.fullmatch(r"[A-Za-z][A-Za-z0-9]*").all()


def _glyph_coverage(text: str) -> set[str]:
    from pathlib import Path

    import matplotlib
    from fontTools.ttLib import TTFont

    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    cmap = font.getBestCmap()
    return {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}


@pytest.mark.parametrize("lang", LANGS)
def test_paper_pdf_renders_with_every_glyph(registry, tmp_path, lang):
    import pypdfium2 as pdfium

    inst = registry.get("vpc_teachers")
    pdf, page = export(inst, "paper", [lang], tmp_path / "q.pdf")
    doc = pdfium.PdfDocument(str(pdf))
    assert len(doc) >= 3
    text = ""
    for i in range(len(doc)):
        img = doc[i].render(scale=0.5).to_numpy()
        assert img.min() < 128                              # something is drawn on every page
        text += doc[i].get_textpage().get_text_range()
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFC", text))
    for it in inst.items:                                   # every item's text is in the PDF, in full
        assert re.sub(r"\s+", "", it.text[lang]) in flat, it.id
        assert it.id in flat
    all_text = " ".join(it.text[lang] for it in inst.items)
    assert _glyph_coverage(all_text) == set()               # the embedded font has every character
    html = page.read_text(encoding="utf-8")
    assert html.count("class='box'") > len(inst.items) and inst.item_map["kse01"].text[lang] in html


def test_codebook_package_and_templates(registry, tmp_path):
    import pyreadstat

    inst = registry.get("vpc_teachers")
    files = export(inst, "codebook", ["en", "ru"], tmp_path / "cb.md")
    by_ext = {p.suffix: p for p in files}
    dp = json.loads((tmp_path / "cb.datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in dp["resources"][0]["schema"]["fields"]}
    kse = fields["kse01"]
    assert kse["categoriesOrdered"] is True and [c["value"] for c in kse["categories"]] == [1, 2, 3, 4, 5]
    assert {"value": "-99", "label": "Prefer not to answer"} in kse["missingValues"]
    # valid against the Frictionless Data Package v2.0 profile (vendored, public domain)
    import jsonschema

    from ..conftest import ROOT

    profile = json.loads((ROOT / "tests" / "reference" / "frictionless" / "datapackage-2.0.json").read_text())
    assert list(jsonschema.Draft7Validator(profile).iter_errors(dp)) == []
    assert kse["x-titles"]["ru"] == inst.item_map["kse01"].text["ru"]
    assert "subj_kazakh" in fields and fields["yrs"]["constraints"] == {"minimum": 0, "maximum": 50}
    df, meta = pyreadstat.read_sav(str(by_ext[".sav"]), user_missing=True)
    assert "kse01" in df.columns and meta.variable_value_labels["kse01"][-99.0] == "Prefer not to answer"
    assert meta.missing_ranges["kse01"] == [{"lo": -99.0, "hi": -99.0}]
    df, meta = pyreadstat.read_dta(str(by_ext[".dta"]))
    assert meta.variable_value_labels["loc"][1] == "Urban (city or town)"
    assert "kse01" in by_ext[".md"].read_text(encoding="utf-8")


def _without(inst, item: str, lang: str):
    """The instrument with one item's translation removed (as a partly translated draft would be)."""
    from dataclasses import replace

    items = tuple(replace(it, text={k: v for k, v in it.text.items() if k != lang}) if it.id == item else it
                  for it in inst.items)
    return replace(inst, items=items)


def test_missing_translation_names_item_and_language_unless_fallback(registry, tmp_path):
    inst = _without(registry.get("kss_efficacy"), "kse03", "ru")
    for fmt in ("xlsform", "redcap", "limesurvey", "paper", "codebook"):
        with pytest.raises(InstrumentError, match=r"item kse03 has no 'ru' translation.*fallback=True"):
            export(inst, fmt, ["en", "ru"], tmp_path / f"x.{fmt}")
    path = export(inst, "xlsform", ["en", "ru"], tmp_path / "fb.xlsx", fallback=True)[0]
    survey = pd.read_excel(path, sheet_name="survey").set_index("name")
    assert survey.loc["kse03", "label::Russian (ru)"] == inst.item_map["kse03"].text["en"]
    assert survey.loc["kse02", "label::Russian (ru)"] == inst.item_map["kse02"].text["ru"]


def test_language_the_instrument_lacks_names_the_items(registry, tmp_path):
    with pytest.raises(InstrumentError, match=r"item kse01 has no 'kk-Latn' translation \(nor 6 more"):
        export(registry.get("kss_efficacy"), "paper", ["kk-Latn"], tmp_path / "p.pdf")
