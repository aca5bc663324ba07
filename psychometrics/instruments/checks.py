"""Checks of instrument and battery files: the published JSON Schema first, then consistency
(references between parts, translation completeness, stale translations, the content hash)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ..exceptions import InstrumentError
from . import _yaml
from .model import SCORABLE_TYPES, Problem
from .translations import content_hash, iter_lang_maps, text_hash

if TYPE_CHECKING:
    from .load import InstrumentRegistry


_SCHEMA: dict | None = None


def schema() -> dict:
    """The published JSON Schema of instrument and battery files."""
    global _SCHEMA
    if _SCHEMA is None:
        with resources.files("psychometrics.instruments").joinpath("schema/instrument.schema.json").open("rb") as fh:
            _SCHEMA = json.load(fh)
    return _SCHEMA


def _schema_problems(doc: dict, file: str) -> list[Problem]:
    import jsonschema  # imported when a file is checked: keeps `import psychometrics` light

    validator = jsonschema.Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        # descend into the most specific sub-error for if/then/oneOf wrappers
        leaves = [err]
        while leaves[0].context:
            leaves = sorted(leaves[0].context, key=lambda e: -len(e.absolute_path))
        leaf = leaves[0]
        where = _path_text(leaf.absolute_path, doc) or "(top level)"
        msg = leaf.message
        if leaf.validator == "unevaluatedProperties":
            # jsonschema lists every property as "unexpected" when another part of the document fails
            # (the failed branch evaluated nothing); name only the fields the schema does not know
            unknown = [k for k in (leaf.instance if isinstance(leaf.instance, dict) else {})
                       if k not in _known_fields(doc)]
            if not unknown:
                continue
            msg = (f"unknown field(s) {', '.join(map(repr, unknown))} (not a field of the schema; check the "
                   f"spelling; known fields: {', '.join(sorted(_known_fields(doc)))})")
        elif leaf.validator == "required":
            name = leaf.message.split("'")[1] if leaf.message.count("'") >= 2 else ""
            msg = f"missing field '{name}'" + (f", e.g. {_REQUIRED_EXAMPLE[name]}" if name in _REQUIRED_EXAMPLE else "")
        elif leaf.validator == "minItems" and list(leaf.absolute_path)[-1:] == ["source"]:
            msg += f", e.g. {_REQUIRED_EXAMPLE['source']}"
        elif leaf.validator == "additionalProperties":
            msg += " (not a field of the schema; check the spelling)"
        elif leaf.validator == "pattern" and leaf.schema.get("pattern") in _PATTERN_HELP:
            msg = f"{leaf.instance!r} is not a valid {_PATTERN_HELP[leaf.schema['pattern']]}"
        out.append(Problem(file, where, msg))
    return out


#: a line to copy for each required field (instruments/README.md has an annotated example file)
_REQUIRED_EXAMPLE = {
    "status": "status: draft (or pilot, validated, deprecated)",
    "description": "description: {en: \"What the instrument measures\"}",
    "citations": "citations: [] (or the sources of the items: {id: ..., text: ..., verified: false})",
    "license": "license: {item_text: \"CC-BY-4.0\"}",
    "construct": "construct: {name: ..., definition: {en: ...}, dimensions: [{id: ..., label: {en: ...}}]}",
    "intent": "intent: \"what the item asks, in a few words\" (used to check translations)",
    "source": "source: [{relation: new}] for an item written for this study (or [{ref: CITATION_ID, relation: "
              "adapted}])",
    "label": "label: {en: \"Scale name\"}",
    "min_valid": "min_valid: {proportion: 0.7, rounding: ceil} (answers needed for a score)",
    "title": "title: {en: \"Instrument title\"}",
    "languages": "languages: {source: en, available: [en]}",
    "version": "version: 0.1.0",
}

#: regular expressions of the schema, said in words
_PATTERN_HELP = {
    "^[a-z][a-z0-9_]{1,31}$": "id: 2-32 characters, lower-case letters, digits and _, starting with a letter",
    "^[a-z][a-z0-9]{1,11}$": "item id: 2-12 lower-case letters and digits, starting with a letter (it must "
                             "survive XLSForm, REDCap, SPSS, Stata and LimeSurvey)",
    "^[a-z][a-z0-9_]{0,31}$": "choice name: up to 32 lower-case letters, digits and _, starting with a letter",
    "^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$": "language tag (BCP 47, e.g. en, ru, kk-Cyrl)",
}


def _known_fields(doc: dict) -> set[str]:
    defs = schema()["$defs"]
    kind = doc.get("kind") if doc.get("kind") in ("instrument", "battery") else "instrument"
    return set(defs["common"]["properties"]) | set(defs[kind]["properties"])


def _path_text(path: Iterable, doc: Any) -> str:
    parts, node = [], doc
    for p in path:
        if isinstance(p, int) and isinstance(node, list):
            ident = node[p].get("id") if isinstance(node[p], dict) else None
            parts.append(f"[{p}]" + (f"({ident})" if ident else ""))
            node = node[p]
        else:
            parts.append(("." if parts else "") + str(p))
            node = node.get(p) if isinstance(node, dict) else None
    return "".join(parts)


def check_document(doc: dict, file: str, registry: "InstrumentRegistry | None" = None) -> list[Problem]:
    """All problems of one instrument or battery document (schema first, then consistency)."""
    problems = _schema_problems(doc, file)
    if problems:
        return problems  # consistency checks assume a schema-valid document
    P = lambda where, msg, sev="error": problems.append(Problem(file, where, msg, sev))  # noqa: E731

    langs = doc["languages"]
    available, source = langs["available"], langs["source"]
    if source not in available:
        P("languages.source", f"source language '{source}' is not in languages.available {available}")
    if langs.get("default") and langs["default"] not in available:
        P("languages.default", f"default language '{langs['default']}' is not in languages.available")
    cite_ids = [c["id"] for c in doc.get("citations", [])]
    _dupes(cite_ids, "citations", P)

    if doc["kind"] == "instrument":
        _check_instrument_parts(doc, P)
    else:
        _check_battery(doc, registry, P)

    # translation completeness and provenance
    for path, lmap in iter_lang_maps(doc):
        missing = [lang for lang in available if lang not in lmap]
        extra = [lang for lang in lmap if lang not in available]
        if missing:
            P(path, f"no text for language(s) {', '.join(missing)}: add them, or remove them from languages.available")
        if extra:
            P(path, f"text for language(s) {', '.join(extra)} that languages.available does not list")
        lists = {k: v for k, v in lmap.items() if isinstance(v, list)}
        if lists and len({len(v) for v in lists.values()}) > 1:
            P(path, "label lists differ in length between languages: "
              + ", ".join(f"{k}={len(v)}" for k, v in lists.items()))
    trans = doc.get("translations", {})
    for lang in available:
        if lang != source and lang not in trans:
            P("translations", f"no provenance for language '{lang}' (method, status, source_hashes)")
    for lang, prov in trans.items():
        if lang == source or lang not in available:
            P(f"translations.{lang}", f"provenance for '{lang}', which is the source language or not available")
            continue
        hashes = prov["source_hashes"]
        for path, lmap in iter_lang_maps(doc):
            if source not in lmap or lang not in lmap:
                continue
            want = text_hash(lmap[source])
            got = hashes.get(path)
            if got is None:
                P(f"translations.{lang}.source_hashes", f"no source hash for '{path}': the {lang} text has no "
                  f"recorded origin. After checking it, run: psychometrics instruments stamp FILE --lang {lang}",
                  "translation")
            elif got != want:
                P(f"{path}.{lang}", f"stale translation: the {source} text changed after this {lang} text was made "
                  f"(recorded source hash {got}, now {want}). Update the {lang} text, then run: "
                  f"psychometrics instruments stamp FILE --lang {lang} --path {path}", "translation")
        if prov["status"] == "draft":
            P(f"translations.{lang}.status", f"{lang} translation is a draft ({prov['method']}): have it reviewed "
              "by bilingual experts and pretested before fieldwork", "note")

    expected = content_hash(doc)
    if "content_hash" not in doc:
        P("content_hash", f"no content hash recorded (the content's is {expected}); to record it, so that later "
          "edits are noticed, run: psychometrics instruments rehash FILE", "note")
    elif doc["content_hash"] != expected:
        P("content_hash", f"does not match the content ({expected}); if the change is intended, bump 'version' "
          "as needed and run: psychometrics instruments rehash FILE")
    return problems


def _dupes(values: list, where: str, P) -> None:
    seen = set()
    for v in values:
        if v in seen:
            P(where, f"'{v}' is defined more than once")
        seen.add(v)


def _check_instrument_parts(doc: dict, P) -> None:
    scales = doc["response_scales"]
    for sid, sc in scales.items():
        where = f"response_scales.{sid}"
        vals = sc.get("values", [])
        for lang, labels in sc.get("labels", {}).items():
            if vals and len(labels) != len(vals):
                P(f"{where}.labels.{lang}", f"{len(labels)} labels for {len(vals)} values")
        if "names" in sc and vals and len(sc["names"]) != len(vals):
            P(f"{where}.names", f"{len(sc['names'])} names for {len(vals)} values")
        if sc["type"] == "integer" and sc["min"] >= sc["max"]:
            P(where, f"min {sc['min']} must be below max {sc['max']}")
        for m in sc.get("missing", []):
            if m["code"] in vals or (sc["type"] == "integer" and sc["min"] <= m["code"] <= sc["max"]):
                P(f"{where}.missing", f"missing code {m['code']} is also a valid answer; pick a code outside the scale")
        if sc["type"] in SCORABLE_TYPES and vals and sorted(vals) != list(range(min(vals), max(vals) + 1)):
            P(f"{where}.values", "Likert/frequency codes must be consecutive integers (reverse keying is min+max-x)")

    dims = {d["id"] for d in doc["construct"]["dimensions"]}
    cite_ids = {c["id"] for c in doc.get("citations", [])}
    item_ids = [it["id"] for it in doc["items"]]
    _dupes(item_ids, "items", P)
    items = {it["id"]: it for it in doc["items"]}
    for it in doc["items"]:
        where = f"items.{it['id']}"
        if it["response_scale"] not in scales:
            P(f"{where}.response_scale", f"'{it['response_scale']}' is not under response_scales "
              f"(defined: {', '.join(scales)})")
        if it.get("dimension") and it["dimension"] not in dims:
            P(f"{where}.dimension",
              f"'{it['dimension']}' is not a construct dimension (defined: {', '.join(sorted(dims)) or 'none'})")
        for s in it["source"]:
            if s.get("ref") and s["ref"] not in cite_ids:
                P(f"{where}.source", f"cites '{s['ref']}', which is not under citations")
        if it.get("reverse") and scales.get(it["response_scale"], {}).get("type") not in SCORABLE_TYPES:
            P(f"{where}.reverse", "only Likert/frequency items can be reverse-keyed")

    score_ids = [s["id"] for s in doc["scoring"]]
    _dupes(score_ids, "scoring", P)
    for s in doc["scoring"]:
        where = f"scoring.{s['id']}"
        if s["id"] in items:
            P(where, f"score id '{s['id']}' is also an item id; use a different name")
        if s.get("dimension") and s["dimension"] not in dims:
            P(f"{where}.dimension", f"'{s['dimension']}' is not a construct dimension")
        ranges = set()
        for i in s["items"]:
            if i not in items:
                P(f"{where}.items", f"item '{i}' is not defined under items")
                continue
            sc = scales.get(items[i]["response_scale"], {})
            if sc.get("type") not in SCORABLE_TYPES:
                P(f"{where}.items", f"item '{i}' has a {sc.get('type')} response scale and cannot be scored")
            elif sc.get("values"):
                ranges.add((min(sc["values"]), max(sc["values"])))
        if len(ranges) > 1:
            P(f"{where}.items", f"items use response scales with different ranges {sorted(ranges)}; a mean over them mixes units")
        mv = s["min_valid"]
        if "count" in mv and mv["count"] > len(s["items"]):
            P(f"{where}.min_valid", f"count {mv['count']} exceeds the {len(s['items'])} items of the scale")
    _check_classifications(doc, set(items), set(score_ids), {k: v for k, v in items.items()}, scales, P)


def _check_classifications(doc: dict, item_ids: set, score_ids: set, items: dict, scales: dict, P,
                           extra_inputs: dict[str, str] | None = None) -> None:
    """``extra_inputs`` maps ids known from elsewhere (a battery's sections) to a kind."""
    known: dict[str, str] = {i: "item" for i in item_ids}
    known.update({s: "score" for s in score_ids})
    known.update(extra_inputs or {})
    for c in doc.get("classifications", []):
        where = f"classifications.{c['id']}"
        if c["id"] in known:
            P(where, f"id '{c['id']}' is already used by an item, score or classification")
        cats = [k["name"] for k in c["categories"]]
        _dupes(cats, f"{where}.categories", P)
        for n, rule in enumerate(c["rules"]):
            rw = f"{where}.rules[{n}]"
            if rule["then"] not in cats:
                P(rw, f"category '{rule['then']}' is not among the categories {cats}")
            for name, cond in rule.get("when", {}).items():
                kind = known.get(name)
                if kind is None:
                    P(rw, f"input '{name}' is not an item, score or earlier classification")
                    continue
                if ("any_of" in cond or "none_of" in cond):
                    item = items.get(name)
                    sc = scales.get(item["response_scale"]) if item else None
                    if not sc or sc["type"] != "select_multiple":
                        P(rw, f"any_of/none_of need a select_multiple item; '{name}' is not one")
                    else:
                        bad = [v for v in cond.get("any_of", []) + cond.get("none_of", []) if v not in sc["names"]]
                        if bad:
                            P(rw, f"choices {bad} are not names of '{name}' ({sc['names']})")
        if "otherwise" not in c["rules"][-1]:
            P(f"{where}.rules", "the last rule should be 'otherwise: true' so that every respondent with "
              "inputs gets a category", "note")
        known[c["id"]] = "classification"


def _check_battery(doc: dict, registry: "InstrumentRegistry | None", P) -> None:
    if registry is None:
        P("sections", "a battery needs a registry of instruments to resolve its sections")
        return
    ids: list[str] = []
    items: dict[str, str] = {}
    scales: dict[str, dict] = {}
    score_ids: set[str] = set()
    extra: dict[str, str] = {}
    item_docs: dict[str, dict] = {}   # item documents with instrument-qualified response scales
    for n, sec in enumerate(doc["sections"]):
        try:
            inst = registry.get(sec["instrument"])
        except InstrumentError as exc:
            P(f"sections[{n}]", str(exc))
            continue
        if inst.version != sec["version"]:
            P(f"sections[{n}]", f"asks for {sec['instrument']} {sec['version']} but the registry has {inst.version} "
              f"({inst.path})")
        for lang in doc["languages"]["available"]:
            if lang not in inst.languages.available:
                P(f"sections[{n}]", f"{inst.id} has no '{lang}' version, which the battery lists as available")
        for it in inst.items:
            if it.id in items:
                P(f"sections[{n}]", f"item id '{it.id}' of {inst.id} is also in {items[it.id]}")
            items[it.id] = inst.id
        ids.append(inst.id)
        for s in inst.scoring:
            score_ids.add(s.id)
        for c in inst.classifications:
            extra[c.id] = "classification"
        for sid, sc in inst.response_scales.items():   # what the classification checks read
            scales[f"{inst.id}.{sid}"] = {"type": sc.type, "names": list(sc.names)}
        for it in inst.items:
            item_docs[it.id] = {"id": it.id, "response_scale": f"{inst.id}.{it.scale.id}"}
    _dupes(ids, "sections", P)
    _check_classifications(doc, set(items), score_ids, item_docs, scales, P, extra)



def validate_files(paths: Iterable[str | Path], registry: "InstrumentRegistry") -> list[Problem]:
    """Problems of several files (used by ``psychometrics instruments validate``)."""
    out: list[Problem] = []
    for p in paths:
        p = Path(p)
        try:
            doc = _yaml.read_document(p)
        except InstrumentError as exc:
            out += [Problem(*t) for t in exc.problems] or [Problem(str(p), "(file)", str(exc))]
            continue
        out += check_document(copy.deepcopy(doc), str(p), registry)
    return out


