"""A researcher's first instrument file: English only, no translations block, no content hash yet.
It validates (with a note), loads, scores and records the hash of its content; schema errors name
the field that is wrong and show a line to copy, not every valid field as "unexpected"."""

from __future__ import annotations

import pandas as pd
import pytest

from psychometrics.instruments import InstrumentRegistry, _yaml, content_hash, load_instrument, rehash, validate_files
from psychometrics.scoring.score import score

MINIMAL = """\
schema_version: "1.0"
kind: instrument
id: mini
version: 0.1.0
status: draft
title: {en: "Mini scale"}
description: {en: "Two items on sharing"}
languages: {source: en, available: [en]}
citations: []
license: {item_text: "CC-BY-4.0"}
construct: {name: sharing, definition: {en: "Sharing"}, dimensions: [{id: sh, label: {en: "Sharing"}, definition: {en: "s"}}]}
response_scales:
  agree5:
    type: likert
    values: [1, 2, 3, 4, 5]
    labels: {en: ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]}
items:
  - {id: m1, response_scale: agree5, intent: "share plans", source: [{relation: new}], text: {en: "I share lesson plans"}}
  - {id: m2, response_scale: agree5, intent: "answer", source: [{relation: new}], text: {en: "I answer questions"}}
scoring:
  - {id: mm, label: {en: "M"}, method: mean, items: [m1, m2], min_valid: {proportion: 0.5, rounding: ceil}}
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "mini.yaml").write_text(MINIMAL, encoding="utf-8")
    return tmp_path


def test_english_only_file_without_translations_or_hash_is_valid(folder):
    reg = InstrumentRegistry([folder])
    problems = validate_files([folder / "mini.yaml"], reg)
    assert [p.severity for p in problems] == ["note"]
    assert "rehash" in problems[0].message and problems[0].field == "content_hash"
    inst = load_instrument(folder / "mini.yaml")
    doc = _yaml.read_document(folder / "mini.yaml")
    assert inst.content_hash == content_hash(doc)          # provenance carries the content's hash
    res = score(pd.DataFrame({"id": ["a", "b"], "m1": [2, 4], "m2": [3, 5]}), inst, id="id", careless=False)
    assert res.scores["mm"].tolist() == [2.5, 4.5]


def test_rehash_writes_the_hash_into_a_file_that_has_none(folder):
    new = rehash(folder / "mini.yaml")
    assert f"content_hash: {new}" in (folder / "mini.yaml").read_text(encoding="utf-8")
    assert validate_files([folder / "mini.yaml"], InstrumentRegistry([folder])) == []
    # an edit after that is noticed
    (folder / "mini.yaml").write_text((folder / "mini.yaml").read_text().replace("I answer", "I reply"))
    problems = validate_files([folder / "mini.yaml"], InstrumentRegistry([folder]))
    assert [p.field for p in problems] == ["content_hash"] and problems[0].severity == "error"


def _messages(folder, text):
    (folder / "mini.yaml").write_text(text, encoding="utf-8")
    return [f"{p.field}: {p.message}" for p in validate_files([folder / "mini.yaml"], InstrumentRegistry([folder]))]


def test_a_misspelt_field_is_named_alone(folder):
    msgs = _messages(folder, MINIMAL.replace("title:", "titel:"))
    unknown = [m for m in msgs if "unknown field" in m]
    assert len(unknown) == 1 and "'titel'" in unknown[0] and "'version'" not in unknown[0].split("known fields")[0]
    assert any("missing field 'title'" in m for m in msgs)
    assert not any("were unexpected" in m for m in msgs)


def test_another_error_does_not_make_every_field_unexpected(folder):
    msgs = _messages(folder, MINIMAL.replace("status: draft\n", ""))
    assert msgs == ["(top level): missing field 'status', e.g. status: draft (or pilot, validated, deprecated)"]


def test_pattern_errors_say_what_an_id_may_be(folder):
    msgs = _messages(folder, MINIMAL.replace("id: mm,", "id: M,"))
    assert msgs == ["scoring[0](M).id: 'M' is not a valid id: 2-32 characters, lower-case letters, digits and _, "
                    "starting with a letter"]
    first = 'source: [{relation: new}], text: {en: "I share'
    msgs = _messages(folder, MINIMAL.replace(first, 'source: [], text: {en: "I share'))
    assert len(msgs) == 1 and "relation: new" in msgs[0]
