"""Instruments: load, check and use scale definitions stored as data files.

An instrument file (YAML or JSON, ``kind: instrument``) defines response scales,
items, scoring rules, classification rule tables, citations, licence and
translation provenance. A battery file (``kind: battery``) composes instruments
into one questionnaire. Both are checked against the published JSON Schema
(``psychometrics/schema/instrument.schema.json``) and then for consistency:
references between parts, translation completeness, stale translations and the
content hash.

Nothing here knows where instrument files live: callers pass paths or
directories (:class:`InstrumentRegistry`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal

import jsonschema
import numpy as np
import pandas as pd

from . import _yaml
from .exceptions import InstrumentError, InstrumentWarning

Severity = Literal["error", "translation", "note"]
SCORABLE_TYPES = ("likert", "frequency")
INSTRUMENT_SUFFIXES = (".yaml", ".yml", ".json")


# --------------------------------------------------------------------------- model
@dataclass(frozen=True)
class ResponseScale:
    """Codes, labels and missing-value codes of one response format."""

    id: str
    type: str
    values: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min: int | None = None
    max: int | None = None
    missing_codes: tuple[int, ...] = ()
    missing_labels: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return self.type in ("likert", "frequency", "select_one", "integer")

    def reverse(self, x):
        """Reverse-key codes as ``min + max - x`` (psych's ``reverse.code``)."""
        return self.min + self.max - x


@dataclass(frozen=True)
class Item:
    id: str
    instrument: str
    text: dict[str, str]
    intent: str
    scale: ResponseScale
    dimension: str | None = None
    reverse: bool = False
    required: bool = False
    source: tuple[dict, ...] = ()


@dataclass(frozen=True)
class ScoringRule:
    """A scale score: ``method`` over ``items`` when enough of them are valid."""

    id: str
    label: dict[str, str]
    method: Literal["mean", "sum", "prorated_sum"]
    items: tuple[str, ...]
    min_valid: dict
    instrument: str
    signs: tuple[int, ...] | None = None  # per-scale keying (ad-hoc keys); None: from items' reverse flags

    @property
    def min_valid_count(self) -> int:
        """Items that must be answered: ``count``, or ``proportion`` x k rounded as declared.

        >>> r = ScoringRule("s", {}, "mean", ("a", "b", "c", "d", "e"), {"proportion": 0.5, "rounding": "ceil"}, "x")
        >>> r.min_valid_count
        3
        """
        if "count" in self.min_valid:
            return int(self.min_valid["count"])
        p, k = float(self.min_valid["proportion"]), len(self.items)
        exact = p * k
        if self.min_valid["rounding"] == "floor":
            n = int(exact + 1e-9)
        elif self.min_valid["rounding"] == "round_half_up":
            n = int(exact + 0.5 + 1e-9)
        else:  # ceil
            n = -int(-(exact - 1e-9) // 1)
        return max(1, n)


@dataclass(frozen=True)
class Classification:
    id: str
    label: dict[str, str]
    description: str
    categories: tuple[dict, ...]
    rules: tuple[dict, ...]
    instrument: str

    @property
    def inputs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for rule in self.rules:
            for name in rule.get("when", {}):
                seen.setdefault(name, None)
        return tuple(seen)


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Instrument:
    """A loaded instrument or battery.

    For a battery, ``items``, ``scoring`` and ``classifications`` are those of all
    its sections in order, followed by the battery's own classifications.
    """

    id: str
    version: str
    kind: Literal["instrument", "battery"]
    status: str
    title: dict[str, str]
    languages: dict
    items: tuple[Item, ...]
    response_scales: dict[str, ResponseScale]
    scoring: tuple[ScoringRule, ...]
    classifications: tuple[Classification, ...]
    quality_checks: dict
    content_hash: str
    path: str | None
    document: dict = field(repr=False, compare=False)
    sections: tuple["Instrument", ...] = ()

    # -- look-ups -----------------------------------------------------------
    @cached_property
    def item_map(self) -> dict[str, Item]:
        return {it.id: it for it in self.items}

    @cached_property
    def score_map(self) -> dict[str, ScoringRule]:
        return {s.id: s for s in self.scoring}

    @property
    def item_ids(self) -> list[str]:
        return [it.id for it in self.items]

    @property
    def scored_item_ids(self) -> list[str]:
        """Likert/frequency items, in questionnaire order."""
        return [it.id for it in self.items if it.scale.type in SCORABLE_TYPES]

    @property
    def scale_item_ids(self) -> list[str]:
        """Items answered on a rating scale: Likert/frequency items and every item of a
        scoring rule, in questionnaire order (the items careless-responding indices use)."""
        in_rules = {i for s in self.scoring for i in s.items}
        return [it.id for it in self.items if it.scale.type in SCORABLE_TYPES or it.id in in_rules]

    @property
    def components(self) -> tuple["Instrument", ...]:
        return self.sections or (self,)

    @property
    def provenance(self) -> dict:
        """What a result records about the instrument it used."""
        out = {"id": self.id, "version": self.version, "content_hash": self.content_hash}
        if self.sections:
            out["sections"] = [{"id": s.id, "version": s.version, "content_hash": s.content_hash}
                               for s in self.sections]
        return out

    # -- derived representations -------------------------------------------
    @cached_property
    def keys(self) -> pd.DataFrame:
        """Keys matrix: scored items x scales, +1 keyed, -1 reverse-keyed, 0 not in scale.

        This is psych's ``make.keys`` representation; scoring, reliability and CFA
        syntax all derive from it.
        """
        in_rules = {i for s in self.scoring for i in s.items}
        rows = [i for i in self.item_ids if i in in_rules]
        keys = pd.DataFrame(0, index=pd.Index(rows, name="item"), columns=[s.id for s in self.scoring], dtype=int)
        for s in self.scoring:
            for i, sign in zip(s.items, self.signs(s)):
                keys.loc[i, s.id] = sign
        return keys

    def signs(self, rule: ScoringRule) -> tuple[int, ...]:
        """+1/-1 per item of a scoring rule (-1: reverse-keyed in this scale)."""
        if rule.signs is not None:
            return rule.signs
        return tuple(-1 if self.item_map[i].reverse else 1 for i in rule.items)

    def cfa_syntax(self) -> str:
        """lavaan model syntax with one factor per scoring rule (paste into R to cross-check).

        Reverse-keyed items are written as they are; their loadings are expected
        to be negative unless the data were reverse-coded first.
        """
        lines = []
        for s in self.scoring:
            rev = [i for i, sign in zip(s.items, self.signs(s)) if sign < 0]
            line = f"{s.id} =~ " + " + ".join(s.items)
            if rev:
                line += "  # reverse-keyed: " + ", ".join(rev)
            lines.append(line)
        return "\n".join(lines) + "\n"

    def bounds(self, item_ids: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest codes of each item's response scale (NaN where none is declared)."""
        scales = [self.item_map[i].scale for i in item_ids]
        lo = np.array([np.nan if s.min is None else s.min for s in scales], dtype=float)
        hi = np.array([np.nan if s.max is None else s.max for s in scales], dtype=float)
        return lo, hi

    def keyed(self, rule: ScoringRule, data: pd.DataFrame) -> np.ndarray:
        """The rule's items as a float matrix, reverse-keyed ones recoded as ``min + max - x``."""
        raw = data[list(rule.items)].to_numpy(dtype=float)
        lo, hi = self.bounds(rule.items)
        return np.where(np.array(self.signs(rule)) < 0, lo + hi - raw, raw)

    def psych_keys(self) -> dict[str, list[str]]:
        """psych ``keys.list``: ``{"scale": ["item", "-reversed_item"]}``."""
        return {s.id: [("-" if sign < 0 else "") + i for i, sign in zip(s.items, self.signs(s))]
                for s in self.scoring}

    def text(self, lang: str | None = None) -> str:
        lang = lang or self.languages.get("default") or self.languages["source"]
        return self.title.get(lang) or self.title[self.languages["source"]]


# --------------------------------------------------------------------------- hashing
def canonical_json(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(doc: dict) -> str:
    """SHA-256 of the canonical JSON of a document without its ``content_hash``.

    >>> content_hash({"id": "x", "content_hash": "sha256:0"}) == content_hash({"id": "x"})
    True
    """
    body = {k: v for k, v in doc.items() if k != "content_hash"}
    return "sha256:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def text_hash(value: str | list) -> str:
    """First 16 hex digits of the SHA-256 of a source-language string (or label list)."""
    raw = value if isinstance(value, str) else canonical_json(value)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


# fields whose value is a language map in the schema (lang_map or lang_list_map)
LANG_MAP_FIELDS = frozenset({"title", "description", "instructions", "definition", "label", "text", "labels"})


def iter_lang_maps(doc: Any, path: str = "") -> Iterator[tuple[str, dict]]:
    """Every language map in a document with its path, e.g. ``items/kse01/text``.

    >>> list(iter_lang_maps({"items": [{"id": "a1", "text": {"en": "Hi"}}]}))
    [('items/a1/text', {'en': 'Hi'})]
    """
    if isinstance(doc, dict):
        for k, v in doc.items():
            sub = f"{path}/{k}" if path else str(k)
            if k in LANG_MAP_FIELDS and isinstance(v, dict):
                yield sub, v
            elif not (not path and k in ("translations", "languages")):
                yield from iter_lang_maps(v, sub)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            key = i
            if isinstance(v, dict):
                key = v.get("id", v.get("code", v.get("name", i)))
            yield from iter_lang_maps(v, f"{path}/{key}")


# --------------------------------------------------------------------------- checks
_SCHEMA: dict | None = None


def schema() -> dict:
    """The published JSON Schema of instrument and battery files."""
    global _SCHEMA
    if _SCHEMA is None:
        with resources.files("psychometrics").joinpath("schema/instrument.schema.json").open("rb") as fh:
            _SCHEMA = json.load(fh)
    return _SCHEMA


def _schema_problems(doc: dict, file: str) -> list[Problem]:
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
        if leaf.validator == "additionalProperties" or leaf.validator == "unevaluatedProperties":
            msg += " (not a field of the schema; check the spelling)"
        out.append(Problem(file, where, msg))
    return out


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
    if doc["content_hash"] != expected:
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
    ids, items, scales, score_ids = [], {}, {}, set()
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
            if lang not in inst.languages["available"]:
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
        for sid, sc in inst.document["response_scales"].items():
            scales[f"{inst.id}.{sid}"] = sc
        for it in inst.document["items"]:
            item_docs[it["id"]] = dict(it, response_scale=f"{inst.id}.{it['response_scale']}")
    _dupes(ids, "sections", P)
    _check_classifications(doc, set(items), score_ids, item_docs, scales, P, extra)


# --------------------------------------------------------------------------- building
def _build(doc: dict, path: str | None, sections: tuple[Instrument, ...] = ()) -> Instrument:
    iid = doc["id"]
    classifications = tuple(
        Classification(c["id"], c["label"], c["description"], tuple(c["categories"]), tuple(c["rules"]), iid)
        for c in doc.get("classifications", [])
    )
    if doc["kind"] == "battery":
        items = tuple(it for s in sections for it in s.items)
        scales = {f"{s.id}.{k}": v for s in sections for k, v in s.response_scales.items()}
        scoring = tuple(r for s in sections for r in s.scoring)
        classifications = tuple(c for s in sections for c in s.classifications) + classifications
        qc: dict = {}
        for s in sections:
            qc.update(s.quality_checks)
        qc.update(doc.get("quality_checks", {}))
    else:
        scales = {}
        for sid, sc in doc["response_scales"].items():
            vals = tuple(sc.get("values", ()))
            scales[sid] = ResponseScale(
                id=sid, type=sc["type"], values=vals, names=tuple(sc.get("names", ())),
                labels={k: tuple(v) for k, v in sc.get("labels", {}).items()},
                min=sc.get("min", min(vals) if vals else None), max=sc.get("max", max(vals) if vals else None),
                missing_codes=tuple(m["code"] for m in sc.get("missing", [])),
                missing_labels={m["code"]: m["label"] for m in sc.get("missing", [])},
            )
        items = tuple(
            Item(id=it["id"], instrument=iid, text=it["text"], intent=it["intent"], scale=scales[it["response_scale"]],
                 dimension=it.get("dimension"), reverse=bool(it.get("reverse", False)),
                 required=bool(it.get("required", False)), source=tuple(it["source"]))
            for it in doc["items"]
        )
        scoring = tuple(ScoringRule(s["id"], s["label"], s["method"], tuple(s["items"]), s["min_valid"], iid)
                        for s in doc["scoring"])
        qc = dict(doc.get("quality_checks", {}))
    return Instrument(
        id=iid, version=doc["version"], kind=doc["kind"], status=doc["status"], title=doc["title"],
        languages=doc["languages"], items=items, response_scales=scales, scoring=scoring,
        classifications=classifications, quality_checks=qc, content_hash=doc["content_hash"], path=path,
        document=doc, sections=sections,
    )


def _raise_or_warn(problems: list[Problem], file: str, strict_translations: bool) -> None:
    errors = [p for p in problems if p.severity == "error" or (strict_translations and p.severity == "translation")]
    if errors:
        shown = "\n".join(f"  {p.field}: {p.message}" for p in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise InstrumentError(f"{file}: {len(errors)} problem(s):\n{shown}{more}",
                              [(p.file, p.field, p.message) for p in errors])
    stale = [p for p in problems if p.severity == "translation"]
    if stale:
        warnings.warn(f"{file}: {len(stale)} translation(s) without a current source hash, e.g. "
                      f"{stale[0].field}: {stale[0].message}", InstrumentWarning, stacklevel=3)


def load_instrument(path: str | Path, registry: "InstrumentRegistry | None" = None,
                    strict_translations: bool = False) -> Instrument:
    """Load and check an instrument or battery file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml``/``.json`` file.
    registry
        Needed for batteries: where their sections are looked up.
    strict_translations
        Treat stale or unstamped translations as errors instead of warnings.

    Raises
    ------
    InstrumentError
        With every problem found, each naming the file and the field.
    """
    path = Path(path)
    doc = _yaml.read_document(path)
    problems = check_document(doc, str(path), registry)
    _raise_or_warn(problems, str(path), strict_translations)
    sections = tuple(registry.get(s["instrument"]) for s in doc["sections"]) if doc["kind"] == "battery" else ()
    return _build(doc, str(path), sections)


class InstrumentRegistry:
    """Instruments found in one or more directories, looked up by id.

    >>> reg = InstrumentRegistry([])
    >>> reg.ids()
    []
    """

    def __init__(self, directories: Iterable[str | Path]):
        self.directories = [Path(d) for d in directories]
        self._paths: dict[str, Path] = {}
        self._loaded: dict[str, Instrument] = {}
        self._loading: set[str] = set()
        for d in self.directories:
            if not d.is_dir():
                continue
            for p in sorted(d.iterdir()):
                if p.suffix.lower() in INSTRUMENT_SUFFIXES and p.is_file():
                    try:
                        ident = _yaml.read_document(p).get("id")
                    except InstrumentError:
                        ident = None
                    key = ident if isinstance(ident, str) else f"<unreadable:{p.name}>"
                    self._paths.setdefault(key, p)

    def ids(self) -> list[str]:
        return [k for k in self._paths if not k.startswith("<")]

    def paths(self) -> list[Path]:
        return list(self._paths.values())

    def path(self, ident: str) -> Path:
        if ident not in self._paths:
            where = ", ".join(map(str, self.directories)) or "no directory"
            known = ", ".join(self.ids()) or "none"
            raise InstrumentError(f"no instrument '{ident}' in {where} (known: {known}); "
                                  "pass --instruments DIR or a path to the file")
        return self._paths[ident]

    def get(self, ident: str) -> Instrument:
        if ident in self._loaded:
            return self._loaded[ident]
        if ident in self._loading:
            raise InstrumentError(f"battery '{ident}' includes itself")
        self._loading.add(ident)
        try:
            inst = load_instrument(self.path(ident), registry=self)
        finally:
            self._loading.discard(ident)
        self._loaded[ident] = inst
        return inst

    def resolve(self, spec: str | Path) -> Instrument:
        """``"id"``, ``"id1,id2"`` (composed on the fly) or a file path."""
        spec = str(spec)
        if Path(spec).suffix.lower() in INSTRUMENT_SUFFIXES and Path(spec).exists():
            return load_instrument(spec, registry=self)
        parts = [s.strip() for s in spec.split(",") if s.strip()]
        if len(parts) == 1:
            return self.get(parts[0])
        return compose([self.get(p) for p in parts])


def compose(instruments: list[Instrument]) -> Instrument:
    """An ad-hoc battery of several instruments (item ids must not collide)."""
    seen: dict[str, str] = {}
    for inst in instruments:
        for it in inst.items:
            if it.id in seen:
                raise InstrumentError(f"item id '{it.id}' is in both {seen[it.id]} and {inst.id}; "
                                      "they cannot be scored together")
            seen[it.id] = inst.id
    comps = tuple(c for inst in instruments for c in inst.components)
    doc = {"id": "+".join(i.id for i in instruments), "version": "0.0.0", "kind": "battery",
           "sections": [{"instrument": c.id, "version": c.version} for c in comps]}
    langs = {"source": comps[0].languages["source"],
             "available": [l for l in comps[0].languages["available"]
                           if all(l in c.languages["available"] for c in comps)]}
    doc["content_hash"] = content_hash({"sections": [c.content_hash for c in comps]})
    return Instrument(
        id=doc["id"], version="0.0.0", kind="battery", status="draft",
        title={lang: " + ".join(c.title.get(lang) or c.id for c in comps) for lang in langs["available"]}
        | {langs["source"]: " + ".join(c.title.get(langs["source"]) or c.id for c in comps)},
        languages=langs, items=tuple(it for c in instruments for it in c.items),
        response_scales={k: v for c in instruments for k, v in c.response_scales.items()},
        scoring=tuple(r for c in instruments for r in c.scoring),
        classifications=tuple(x for c in instruments for x in c.classifications),
        quality_checks={k: v for c in instruments for k, v in c.quality_checks.items()},
        content_hash=doc["content_hash"], path=None, document=doc, sections=comps,
    )


# --------------------------------------------------------------------------- maintenance
def rehash(path: str | Path) -> str:
    """Write the current content hash into the file; returns it."""
    path = Path(path)
    doc = _yaml.read_document(path)
    new = content_hash(doc)
    if path.suffix.lower() == ".json":
        doc["content_hash"] = new
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        _yaml.rewrite(path, lambda d: d.__setitem__("content_hash", new))
    return new


def stamp_translations(path: str | Path, lang: str, paths: list[str] | None = None) -> int:
    """Record the current source-language hashes for ``lang`` (all strings, or ``paths``).

    Run it after a translator has checked the text against the current source;
    returns how many hashes were written. The content hash is updated too.
    """
    path = Path(path)
    doc = _yaml.read_document(path)
    source = doc["languages"]["source"]
    want = {p: text_hash(m[source]) for p, m in iter_lang_maps(doc) if source in m and lang in m}
    if paths:
        unknown = [p for p in paths if p not in want]
        if unknown:
            raise InstrumentError(f"{path}: no {lang} text at {unknown}; known paths start with "
                                  f"{sorted(want)[:5]}")
        want = {p: want[p] for p in paths}

    def edit(d):
        prov = d["translations"][lang]["source_hashes"]
        for k, v in want.items():
            prov[k] = v
    if lang not in doc.get("translations", {}):
        raise InstrumentError(f"{path}: translations.{lang} is missing; add method and status first")
    if path.suffix.lower() == ".json":
        edit(doc)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        _yaml.rewrite(path, edit)
    rehash(path)
    return len(want)


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


def adhoc_instrument(scales: dict[str, list[str]], range: tuple[int, int] | None = None,
                     min_valid: int | float = 1, missing_codes: tuple[int, ...] = ()) -> Instrument:
    """An instrument made from psych-style keys: ``{"A": ["-A1", "A2"]}``.

    ``-item`` marks a reverse-keyed item, reversed as ``min + max - x`` with
    ``range=(min, max)``, which is required when any item is reversed.
    ``min_valid``: a count (int) or a proportion of the scale's items (float, rounded up).
    ``missing_codes``: codes that mean "no answer" (e.g. -99), read as missing.

    >>> inst = adhoc_instrument({"A": ["-A1", "A2", "A3"]}, range=(1, 6))
    >>> inst.psych_keys()
    {'A': ['-A1', 'A2', 'A3']}
    """
    if not scales:
        raise InstrumentError("no scales given: use --scale NAME=item1,-item2,... or --instrument ID")
    items: dict[str, Item] = {}
    if range is not None:
        lo, hi = int(range[0]), int(range[1])
        if lo >= hi:
            raise InstrumentError(f"--range {lo},{hi}: the minimum must be below the maximum")
        scale = ResponseScale(id="adhoc", type="likert", values=tuple(builtins_range(lo, hi + 1)), min=lo, max=hi,
                              missing_codes=tuple(missing_codes))
        clash = [c for c in missing_codes if lo <= c <= hi]
        if clash:
            raise InstrumentError(f"missing code(s) {clash} lie inside the response range {lo}-{hi}")
    else:
        # no range: any number (continuous scores allowed); nothing can be reversed
        scale = ResponseScale(id="adhoc", type="number", min=None, max=None, missing_codes=tuple(missing_codes))
    rules = []
    for name, keyed in scales.items():
        if not re.match(r"^[A-Za-z][A-Za-z0-9_.]*$", name):
            raise InstrumentError(f"scale name '{name}' must start with a letter and hold only letters, digits, _ or .")
        ids, signs = [], []
        for key in keyed:
            key = key.strip()
            rev = key.startswith("-")
            iid = key.lstrip("-+").strip()
            if not iid:
                raise InstrumentError(f"scale '{name}': empty item name in {keyed}")
            if rev and range is None:
                raise InstrumentError(f"scale '{name}': item '{iid}' is reverse-keyed, which needs the response "
                                      "range: pass --range MIN,MAX (e.g. --range 1,5)")
            if iid in ids:
                raise InstrumentError(f"scale '{name}' lists item '{iid}' twice")
            ids.append(iid)
            signs.append(-1 if rev else 1)
            items.setdefault(iid, Item(id=iid, instrument="adhoc", text={"en": iid}, intent="", scale=scale))
        need = {"count": int(min_valid)} if isinstance(min_valid, int) else \
            {"proportion": float(min_valid), "rounding": "ceil"}
        if "count" in need and need["count"] > len(ids):
            raise InstrumentError(f"scale '{name}' has {len(ids)} item(s) but min_valid is {need['count']}")
        rules.append(ScoringRule(name, {"en": name}, "mean", tuple(ids), need, "adhoc", tuple(signs)))
    doc = {"scales": {k: list(v) for k, v in scales.items()}, "range": list(range) if range else None,
           "min_valid": min_valid, "missing_codes": list(missing_codes)}
    return Instrument(
        id="adhoc", version="0.0.0", kind="instrument", status="draft", title={"en": "ad-hoc scales"},
        languages={"source": "en", "available": ["en"]},
        items=tuple(Item(id=i.id, instrument="adhoc", text=i.text, intent="", scale=scale) for i in items.values()),
        response_scales={"adhoc": scale}, scoring=tuple(rules), classifications=(), quality_checks={},
        content_hash=content_hash(doc), path=None, document=doc,
    )


builtins_range = range
