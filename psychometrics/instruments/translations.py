"""Content hashes and translation provenance: the canonical JSON of a document, the hash of each
source-language text a translation was made from, and the maintenance commands that record them
(``psychometrics instruments rehash`` / ``stamp``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

from ..exceptions import InstrumentError
from . import _yaml


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
            key: object = i
            if isinstance(v, dict):
                key = v.get("id", v.get("code", v.get("name", i)))
            yield from iter_lang_maps(v, f"{path}/{key}")



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


