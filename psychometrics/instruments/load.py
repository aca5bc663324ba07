"""Building instruments: the one place an :class:`~.model.Instrument` is made, from a file
(instrument or battery), a composition of loaded instruments, or psych-style ad-hoc keys; and the
:class:`InstrumentRegistry` that finds instrument files in directories by id.

Nothing here knows where instrument files live: callers pass paths or directories.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from ..exceptions import InstrumentError, InstrumentWarning
from . import _yaml
from .checks import check_document
from .model import Classification, Instrument, Item, Languages, Problem, ResponseScale, ScoringRule, Translation
from .translations import content_hash

INSTRUMENT_SUFFIXES = (".yaml", ".yml", ".json")
MAX_CODES = 1000   # codes of an ad-hoc rating scale (a bigger range is not a rating scale)


@dataclass(frozen=True)
class _Parts:
    """What an instrument file, a battery file or a key set contributes itself (a battery: its own
    classifications and quality checks; its items come from its sections)."""

    response_scales: dict[str, ResponseScale] = field(default_factory=dict)
    items: tuple[Item, ...] = ()
    scoring: tuple[ScoringRule, ...] = ()
    classifications: tuple[Classification, ...] = ()
    quality_checks: dict = field(default_factory=dict)


def _assemble(*, id: str, version: str, kind: Literal["instrument", "battery"], status: str, title: dict[str, str],
              languages: Languages, content_hash: str, path: str | None, own: _Parts,
              sections: tuple[Instrument, ...] = (), description: dict[str, str] | None = None,
              instructions: dict[str, str] | None = None, metadata_fields: tuple[str, ...] = (),
              translations: dict[str, Translation] | None = None, document: dict | None = None) -> Instrument:
    """The one place an :class:`Instrument` is made (file, battery, composition, ad hoc).

    Sections come first, in order: their items, scoring rules and classifications, their response
    scales named ``<section>.<scale>``, their quality checks (later ones override earlier ones);
    then what the instrument adds itself. Item ids must be unique across all of it.
    """
    seen: dict[str, str] = {}
    for owner, items in [(s.id, s.items) for s in sections] + [(id, own.items)]:
        for it in items:
            if it.id in seen:
                raise InstrumentError(f"item id '{it.id}' is in both {seen[it.id]} and {owner}; "
                                      "they cannot be scored together")
            seen[it.id] = owner
    scales = {f"{s.id}.{k}": v for s in sections for k, v in s.response_scales.items()} | own.response_scales
    qc: dict = {}
    for s in sections:
        qc.update(s.quality_checks)
    qc.update(own.quality_checks)
    return Instrument(
        id=id, version=version, kind=kind, status=status, title=title, languages=languages,
        items=tuple(it for s in sections for it in s.items) + own.items, response_scales=scales,
        scoring=tuple(r for s in sections for r in s.scoring) + own.scoring,
        classifications=tuple(c for s in sections for c in s.classifications) + own.classifications,
        quality_checks=qc, content_hash=content_hash, path=path, sections=sections,
        description=dict(description or {}), instructions=dict(instructions or {}),
        metadata_fields=tuple(metadata_fields), translations=dict(translations or {}), document=document or {},
    )


def _languages(doc: dict) -> Languages:
    lg = doc["languages"]
    return Languages(lg["source"], tuple(lg["available"]), lg.get("default"))


def _parts(doc: dict) -> _Parts:
    """The typed parts of a schema-valid document (a battery has classifications and checks only)."""
    iid = doc["id"]
    classifications = tuple(
        Classification(c["id"], c["label"], c["description"], tuple(c["categories"]), tuple(c["rules"]), iid)
        for c in doc.get("classifications", []))
    qc = dict(doc.get("quality_checks", {}))
    if doc["kind"] == "battery":
        return _Parts(classifications=classifications, quality_checks=qc)
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
        for it in doc["items"])
    scoring = tuple(ScoringRule(s["id"], s["label"], s["method"], tuple(s["items"]), s["min_valid"], iid)
                    for s in doc["scoring"])
    return _Parts(scales, items, scoring, classifications, qc)


def _from_document(doc: dict, path: str | None, sections: tuple[Instrument, ...] = ()) -> Instrument:
    return _assemble(id=doc["id"], version=doc["version"], kind=doc["kind"], status=doc["status"],
                     title=doc["title"], languages=_languages(doc),
                     content_hash=doc.get("content_hash") or content_hash(doc), path=path,
                     own=_parts(doc), sections=sections, description=doc.get("description"),
                     instructions=doc.get("instructions"), metadata_fields=tuple(doc.get("metadata_fields", ())),
                     translations={lang: Translation(t["method"], t["status"], dict(t["source_hashes"]),
                                                     tuple(t.get("translators", ())), tuple(t.get("reviewers", ())),
                                                     t.get("date"), t.get("notes", ""))
                                   for lang, t in doc.get("translations", {}).items()},
                     document=doc)


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

    Returns
    -------
    Instrument
        The typed instrument (or battery with its sections).

    Raises
    ------
    InstrumentError
        With every problem found, each naming the file and the field.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from psychometrics.instruments import InstrumentRegistry
    >>> reg = InstrumentRegistry([pathlib.Path(tempfile.mkdtemp())])
    >>> try:
    ...     load_instrument(pathlib.Path(tempfile.mkdtemp()) / "missing.yaml", reg)
    ... except InstrumentError as e:
    ...     print("InstrumentError" if "missing.yaml" in str(e) else e)
    InstrumentError
    """
    path = Path(path)
    doc = _yaml.read_document(path)
    problems = check_document(doc, str(path), registry)
    _raise_or_warn(problems, str(path), strict_translations)
    sections: tuple[Instrument, ...] = ()
    if doc["kind"] == "battery":
        assert registry is not None   # check_document reported a battery without one
        sections = tuple(registry.get(s["instrument"]) for s in doc["sections"])
    return _from_document(doc, str(path), sections)


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
                                  "add the directory holding it (registry=DIR) or give the path to the file")
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
    """An ad-hoc battery of several instruments, as the command line's ``--instrument id1,id2``.

    The result equals a battery file listing them as sections (same items, scales, keys and
    response scales named ``<section>.<scale>``); a battery among them contributes its sections and
    keeps its own classifications.

    Parameters
    ----------
    instruments : list of Instrument
        Instruments or batteries; item ids must not collide.

    Returns
    -------
    Instrument
        A battery (``kind="battery"``, version 0.0.0) whose content hash is that of its sections.

    Raises
    ------
    InstrumentError
        Two instruments share an item id.

    Examples
    --------
    >>> a = adhoc_instrument({"A": ["a1", "a2"]}, range=(1, 5))
    >>> b = adhoc_instrument({"B": ["b1", "b2"]}, range=(1, 5))
    >>> c = compose([a, b])
    >>> [s.id for s in c.scoring], c.kind
    (['A', 'B'], 'battery')
    """
    comps = tuple(c for inst in instruments for c in inst.components)
    own_cls = tuple(c for inst in instruments if inst.sections
                    for c in inst.classifications if all(c not in s.classifications for s in inst.sections))
    source = comps[0].languages.source
    available = tuple(lg for lg in comps[0].languages.available if all(lg in c.languages.available for c in comps))
    default = comps[0].languages.default if comps[0].languages.default in available else None
    title = {lang: " + ".join(c.title.get(lang) or c.id for c in comps) for lang in (*available, source)}
    return _assemble(id="+".join(i.id for i in instruments), version="0.0.0", kind="battery", status="draft",
                     title=title, languages=Languages(source, available or (source,), default),
                     content_hash=content_hash({"sections": [c.content_hash for c in comps]}), path=None,
                     own=_Parts(classifications=own_cls), sections=comps)


def adhoc_instrument(scales: dict[str, list[str]], range: tuple[int, int] | None = None,
                     min_valid: int | float = 1, missing_codes: tuple[int, ...] = ()) -> Instrument:
    """An instrument made from psych-style keys: ``{"A": ["-A1", "A2"]}``.

    Parameters
    ----------
    scales : dict of str to list of str
        Scale name -> its items; ``-item`` marks a reverse-keyed item, reversed as ``min + max - x``.
    range : tuple of int, optional
        ``(min, max)`` of the response codes; required when any item is reversed. Without it any
        number is a valid answer.
    min_valid : int or float
        Items that must be answered: a count (int) or a proportion of the scale's items (float,
        rounded up).
    missing_codes : tuple of int
        Codes that mean "no answer" (e.g. -99), read as missing.

    Returns
    -------
    Instrument
        One Likert response scale, one item per key, one mean-scored rule per scale.

    Raises
    ------
    InstrumentError
        A bad scale name, a reversed item without ``range``, a repeated item, or a count above the
        number of items.

    Notes
    -----
    R: ``psych::make.keys(items, keys.list)`` (the keys), scored as ``psych::scoreItems``.

    Examples
    --------
    >>> inst = adhoc_instrument({"A": ["-A1", "A2", "A3"]}, range=(1, 6))
    >>> inst.psych_keys()
    {'A': ['-A1', 'A2', 'A3']}
    """
    if not scales:
        raise InstrumentError('no scales given: give scales={"NAME": ["item1", "-item2"]} or instrument=ID')
    if not (min_valid > 0):       # also NaN
        raise InstrumentError(f"min_valid={min_valid}: give a count of items (1, 2, ...) or a proportion (0 to 1)")
    items: dict[str, Item] = {}
    if range is not None:
        lo, hi = int(range[0]), int(range[1])
        if lo >= hi:
            raise InstrumentError(f"range=({lo}, {hi}): the minimum must be below the maximum")
        if hi - lo > MAX_CODES:
            raise InstrumentError(f"range=({lo}, {hi}): {hi - lo + 1} response codes; a rating scale has at most "
                                  f"{MAX_CODES + 1}. For continuous scores leave out range (nothing can be reversed then)")
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
                                      "range: pass range=(MIN, MAX), e.g. range=(1, 5)")
            if iid in ids:
                raise InstrumentError(f"scale '{name}' lists item '{iid}' twice")
            ids.append(iid)
            signs.append(-1 if rev else 1)
            items.setdefault(iid, Item(id=iid, instrument="adhoc", text={"en": iid}, intent="", scale=scale))
        need: dict = {"count": int(min_valid)} if isinstance(min_valid, int) else \
            {"proportion": float(min_valid), "rounding": "ceil"}
        if "count" in need and need["count"] > len(ids):
            raise InstrumentError(f"scale '{name}' has {len(ids)} item(s) but min_valid is {need['count']}")
        rules.append(ScoringRule(name, {"en": name}, "mean", tuple(ids), need, "adhoc", tuple(signs)))
    keys = {"scales": {k: list(v) for k, v in scales.items()}, "range": list(range) if range else None,
            "min_valid": min_valid, "missing_codes": list(missing_codes)}
    own = _Parts(response_scales={"adhoc": scale}, scoring=tuple(rules),
                 items=tuple(Item(id=i.id, instrument="adhoc", text=i.text, intent="", scale=scale) for i in items.values()))
    return _assemble(id="adhoc", version="0.0.0", kind="instrument", status="draft", title={"en": "ad-hoc scales"},
                     languages=Languages("en", ("en",)), content_hash=content_hash(keys), path=None, own=own)


builtins_range = range
