"""Instrument files: the shipped ones are valid; broken ones fail naming file and field."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from psychometrics.exceptions import InstrumentError, InstrumentWarning
from psychometrics.instruments import (
    InstrumentRegistry,
    ScoringRule,
    adhoc_instrument,
    compose,
    content_hash,
    load_instrument,
    rehash,
    stamp_translations,
    validate_files,
)

from ..conftest import INSTRUMENTS

SHIPPED = sorted(p.stem for p in INSTRUMENTS.glob("*.yaml"))


def test_all_shipped_files_are_valid(registry):
    problems = validate_files(registry.paths(), registry)
    assert [p for p in problems if p.severity != "note"] == []
    assert set(registry.ids()) == {"kss_efficacy", "prof_connectedness", "participation", "eraut_factors",
                                   "networking_motives", "context", "vpc_teachers"}


@pytest.mark.parametrize("ident", SHIPPED)
def test_every_instrument_has_three_languages_with_honest_provenance(registry, ident):
    inst = registry.get(ident)
    assert inst.languages["available"] == ["en", "ru", "kk-Cyrl"]
    for lang in ("ru", "kk-Cyrl"):
        prov = inst.document["translations"][lang]
        assert prov["status"] == "draft"  # not reviewed by bilingual experts yet: must say so
        assert "not yet reviewed" in prov["notes"]
    for it in inst.items:
        assert set(it.text) == {"en", "ru", "kk-Cyrl"}
        # Kazakh texts are in Cyrillic script
        assert re.search("[\u0400-\u04ff]", it.text["kk-Cyrl"]) or it.scale.type != "likert"
        assert all(s["relation"] in ("adapted", "new") for s in it.source)  # no verbatim copies


def test_issue_minimum_item_counts(registry):
    b = registry.get("vpc_teachers")
    per_scale = {s.id: len(s.items) for s in b.scoring}
    assert per_scale["ksse"] >= 6 and per_scale["npc"] >= 6
    assert per_scale["sharing"] >= 5 and per_scale["receiving"] >= 5
    for s in ("confidence", "challenge", "support"):
        assert per_scale[s] >= 4
    for s in ("feedback", "value", "commitment", "cost_time", "cost_tech", "cost_selfeff", "reward_content",
              "reward_contacts", "community_interest"):
        assert s in per_scale
    assert {c.id for c in b.classifications} >= {"participation_type", "teacher_type", "experience_band"}
    teacher = next(c for c in b.classifications if c.id == "teacher_type")
    assert [k["name"] for k in teacher.categories] == ["community_focused", "locally_focused",
                                                       "not_yet_networking", "non_networking"]
    ctx = registry.get("context")
    assert {"loc", "region", "langi", "yrs", "subj", "qual", "plat", "ngrp", "glev", "f2f", "role", "hasmnt",
            "ismnt", "curtr"} <= set(ctx.item_ids)
    assert set(ctx.item_map["plat"].scale.names) >= {"whatsapp", "telegram", "mailru", "vkontakte", "facebook",
                                                      "instagram", "other"}


def test_keys_matrix_cfa_syntax_and_psych_keys(registry):
    npc = registry.get("prof_connectedness")
    keys = npc.keys
    assert keys.loc["npc03", "npc"] == -1 and keys.loc["npc08", "npc_belonging"] == -1
    assert keys.loc["npc01", "npc_belonging"] == 0 and keys.loc["npc05", "npc"] == 1
    assert "npc_isolation =~ npc01 + npc02 + npc03 + npc04" in npc.cfa_syntax()
    assert npc.psych_keys()["npc"][2] == "-npc03"


@pytest.mark.parametrize("min_valid,k,expected", [
    ({"count": 3}, 5, 3),
    ({"proportion": 0.5, "rounding": "ceil"}, 5, 3),
    ({"proportion": 0.5, "rounding": "floor"}, 5, 2),
    ({"proportion": 0.5, "rounding": "round_half_up"}, 5, 3),
    ({"proportion": 0.75, "rounding": "ceil"}, 8, 6),     # exact: no rounding up past 6
    ({"proportion": 0.7, "rounding": "ceil"}, 7, 5),      # 4.9 -> 5
    ({"proportion": 0.7, "rounding": "floor"}, 7, 4),
    ({"proportion": 0.1, "rounding": "floor"}, 3, 1),     # never below one item
])
def test_min_valid_rounding_is_explicit(min_valid, k, expected):
    rule = ScoringRule("s", {}, "mean", tuple(f"i{j}" for j in range(k)), min_valid, "x")
    assert rule.min_valid_count == expected


# ----------------------------------------------------------------- breakage: each names file and field
def _break(instruments_copy, name, old, new, count=1):
    p = instruments_copy / name
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, count), encoding="utf-8")
    return p


def _problems(path, registry=None):
    registry = registry or InstrumentRegistry([path.parent])
    return [p for p in validate_files([path], registry) if p.severity != "note"]


BREAKAGES = [
    # (file, old, new, field fragment, message fragment)
    ("kss_efficacy.yaml", "license:\n", "licence:\n", "(top level)", "license"),                       # missing required
    ("kss_efficacy.yaml", "- id: kse03", "- id: KSE_03", "items[2]", "is not a valid item id"),               # bad item id
    ("kss_efficacy.yaml", "response_scale: conf5\n    source: [{ref: kankanhalli2005, relation: adapted}]",
     "response_scale: conf7\n    source: [{ref: kankanhalli2005, relation: adapted}]",
     "items.kse03.response_scale", "conf7"),                                                          # unknown scale
    ("kss_efficacy.yaml", "items: [kse01, kse02", "items: [kse99, kse02", "scoring.ksse.items", "kse99"),  # unknown item
    ("kss_efficacy.yaml", '      kk-Cyrl: "Өз педагогикалық тәжірибемнен алған қорытындылармен бөлісу"\n', "",
     "items/kse03/text", "kk-Cyrl"),                                                                  # missing translation
    ("kss_efficacy.yaml", '"Share lessons learned from my own teaching experience"',
     '"Share what I learned from my own teaching experience"', "items/kse03/text.ru", "stale translation"),  # stale
    ("kss_efficacy.yaml", "version: 1.0.0\nstatus", "version: 1.0.1\nstatus", "content_hash", "does not match"),  # hash
    ("kss_efficacy.yaml", '"Very confident", "Completely confident"]', '"Very confident"]',
     "response_scales.conf5.labels.en", "4 labels for 5 values"),                                    # label count
    ("kss_efficacy.yaml", "- code: -99", "- code: 3", "response_scales.conf5.missing", "also a valid answer"),
    ("kss_efficacy.yaml", "{ref: hsu2007, relation: adapted}]", "{ref: hsu2007, relation: verbatim}]",
     "items[1]", "permission"),                                                                       # verbatim w/o permission
    ("kss_efficacy.yaml", "- id: kse02", "- id: kse01", "items", "more than once"),                  # duplicate item
    ("kss_efficacy.yaml", "min_valid: {proportion: 0.7, rounding: ceil}", "min_valid: {count: 9}",
     "scoring.ksse.min_valid", "exceeds"),
    ("participation.yaml", "- {when: {receiving: {ge: 3.0}}, then: lurker}",
     "- {when: {recieving: {ge: 3.0}}, then: lurker}", "classifications.participation_type.rules[2]",
     "recieving"),                                                                                    # unknown input
    ("participation.yaml", "then: lurker}", "then: lurkr}", "classifications.participation_type.rules[2]",
     "lurkr"),                                                                                        # unknown category
    ("kss_efficacy.yaml", "status: draft\ntitle", "status: finished\ntitle", "status", "is not one of"),  # bad enum
    ("kss_efficacy.yaml", "id: kss_efficacy\n", "id: kss_efficacy\n  version: [1\n", "line 5", "YAML refused"),  # YAML syntax
]


@pytest.mark.parametrize("case", BREAKAGES, ids=lambda c: f"{c[0]}:{c[4]}")
def test_broken_file_fails_naming_file_and_field(instruments_copy, case):
    name, old, new, field, message = case
    path = _break(instruments_copy, name, old, new)
    problems = _problems(path)
    assert problems, "a broken file must not validate"
    assert all(p.file == str(path) for p in problems)
    hit = [p for p in problems if field in p.field and message in p.message]
    assert hit, "\n".join(str(p) for p in problems)
    with pytest.raises(InstrumentError) as err:
        load_instrument(path, InstrumentRegistry([path.parent]), strict_translations=True)
    assert str(path) in str(err.value)


def test_duplicate_yaml_key_is_refused(instruments_copy):
    path = _break(instruments_copy, "kss_efficacy.yaml", "status: draft\n", "status: draft\nstatus: pilot\n")
    problems = _problems(path)
    assert problems and "duplicate" in problems[0].message.lower()
    assert "line" in problems[0].field


@pytest.mark.parametrize("payload", [
    "!!python/object/apply:os.system ['echo pwned']\n",
    "schema_version: '1.0'\nkind: instrument\nid: !!python/object/apply:os.getcwd []\n",
    "a: !!python/name:os.system\n",
])
def test_yaml_that_constructs_python_objects_is_refused(tmp_path, payload):
    path = tmp_path / "evil.yaml"
    path.write_text(payload)
    problems = _problems(path)
    assert len(problems) == 1
    assert "YAML refused" in problems[0].message and "python/" in problems[0].message
    assert problems[0].field.startswith("line ")
    with pytest.raises(InstrumentError, match="evil.yaml"):
        load_instrument(path)


def test_json_that_tries_to_construct_python_objects_is_refused(tmp_path):
    # jsonpickle-style payload: refused because it is not plain instrument data
    doc = {"schema_version": "1.0", "kind": "instrument", "py/object": "os.system", "py/reduce": [{"py/function": "os.system"}]}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc))
    problems = _problems(path)
    assert any("py/object" in p.message and "not a field of the schema" in p.message for p in problems)


def test_battery_section_version_mismatch(instruments_copy):
    path = _break(instruments_copy, "vpc_teachers.yaml", "{instrument: context, version: 1.0.0}",
                  "{instrument: context, version: 2.0.0}")
    probs = _problems(path)
    assert any(p.field == "sections[0]" and "2.0.0" in p.message for p in probs)


def test_stale_translation_warns_on_load_and_stamp_fixes_it(instruments_copy):
    path = _break(instruments_copy, "kss_efficacy.yaml", '"Share lessons learned from my own teaching experience"',
                  '"Share what I learned from my own teaching experience"')
    rehash(path)
    with pytest.warns(InstrumentWarning, match="stale translation"):
        load_instrument(path)
    for lang in ("ru", "kk-Cyrl"):
        assert stamp_translations(path, lang, ["items/kse03/text"]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", InstrumentWarning)
        inst = load_instrument(path)
    assert inst.content_hash == content_hash(inst.document)
    # comments survive the round-trip rewrite
    assert path.read_text(encoding="utf-8").startswith("# Knowledge-sharing self-efficacy")


def test_content_hash_ignores_nothing_but_itself(registry):
    inst = registry.get("kss_efficacy")
    doc = dict(inst.document)
    assert content_hash(doc) == inst.content_hash
    doc["version"] = "9.9.9"
    assert content_hash(doc) != inst.content_hash


def test_registry_errors_name_what_is_known(registry):
    with pytest.raises(InstrumentError, match="no instrument 'nope'.*known: .*kss_efficacy"):
        registry.get("nope")


def test_compose_refuses_colliding_item_ids(registry):
    kse = registry.get("kss_efficacy")
    with pytest.raises(InstrumentError, match="kse01"):
        compose([kse, kse])
    both = registry.resolve("kss_efficacy,participation")
    assert [s.id for s in both.scoring] == ["ksse", "sharing", "receiving"]


def test_adhoc_instrument_needs_range_for_reverse_keys():
    with pytest.raises(InstrumentError, match=r"range=\(MIN, MAX\)"):  # the library names its argument
        adhoc_instrument({"A": ["-A1", "A2"]})
    inst = adhoc_instrument({"A": ["-A1", "A2"], "B": ["A1", "A3"]}, range=(1, 5))
    assert inst.keys.loc["A1"].tolist() == [-1, 1]  # keyed per scale, as psych allows


def test_battery_file_and_composition_of_its_sections_are_the_same_instrument(registry):
    """One builder: a battery file and ``--instrument id1,id2,...`` of the same instruments give the
    same items, scales, keys and response scales (only the battery's own classification differs)."""
    from psychometrics.instruments import compose

    b = registry.get("vpc_teachers")
    c = registry.resolve(",".join(s.id for s in b.sections))
    assert c.item_ids == b.item_ids and len(c.item_ids) > 70
    assert [s.id for s in c.scoring] == [s.id for s in b.scoring]
    assert c.keys.equals(b.keys)
    assert c.response_scales.keys() == b.response_scales.keys()
    own = [x.id for x in b.classifications if all(x not in s.classifications for s in b.sections)]
    assert own == ["teacher_type"]
    assert [x.id for x in c.classifications] + own == [x.id for x in b.classifications]
    # composing the battery with another keeps its own classification and flattens its sections
    both = compose([b])
    assert [x.id for x in both.classifications] == [x.id for x in b.classifications]
    assert [s.id for s in both.sections] == [s.id for s in b.sections]
    assert b.instructions["en"].startswith("This questionnaire") and b.languages.default == "ru"
    assert b.translations["ru"].status == "draft"
