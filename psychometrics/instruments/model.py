"""The typed instrument: response scales, items, scoring rules, classification rule tables and
the :class:`Instrument` that holds them (built only by :mod:`.load`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Literal

import numpy as np
import pandas as pd

from .keys import reverse_key

Severity = Literal["error", "translation", "note"]
SCORABLE_TYPES = ("likert", "frequency")


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
        """Reverse-keyed codes of this scale, ``min + max - x`` (:func:`~.keys.reverse_key`).

        >>> ResponseScale("agree5", "likert", (1, 2, 3, 4, 5), min=1, max=5).reverse(2).item()
        4.0
        """
        return reverse_key(x, self.min, self.max)


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
class Translation:
    """Provenance of one target language: how it was made (``method``: TRAPD, forward-back, ...),
    how far it got (``status``: draft ... final), by whom, and the hash of each source text it was
    made from (``source_hashes``; a mismatch marks the translation stale)."""

    method: str
    status: str
    source_hashes: dict[str, str] = field(default_factory=dict)
    translators: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    date: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class Languages:
    """The languages of an instrument: the ``source`` its texts were written in, the ``available``
    ones (every text exists in each) and the ``default`` for respondents.

    >>> lg = Languages("en", ("en", "ru"), "ru")
    >>> lg.preferred, lg["available"]          # dict-style access as before 0.2 still works
    ('ru', ['en', 'ru'])
    """

    source: str
    available: tuple[str, ...]
    default: str | None = None

    @property
    def preferred(self) -> str:
        """The default language, or the source language when none is declared."""
        return self.default or self.source

    def __getitem__(self, key: str):
        value = getattr(self, key)
        return list(value) if isinstance(value, tuple) else value

    def get(self, key: str, default=None):
        value = getattr(self, key, None)
        return default if value is None else self[key]


@dataclass(frozen=True)
class Instrument:
    """A loaded instrument, battery, composition or ad-hoc key set (built only by :mod:`.load`).

    For a battery or composition, ``items``, ``scoring`` and ``classifications`` are those of all
    its sections in order, followed by the battery's own classifications; ``sections`` holds the
    instruments it was made of.
    """

    id: str
    version: str
    kind: Literal["instrument", "battery"]
    status: str
    title: dict[str, str]
    languages: Languages
    items: tuple[Item, ...]
    response_scales: dict[str, ResponseScale]
    scoring: tuple[ScoringRule, ...]
    classifications: tuple[Classification, ...]
    quality_checks: dict
    content_hash: str
    path: str | None
    sections: tuple["Instrument", ...] = ()
    description: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    metadata_fields: tuple[str, ...] = ()
    translations: dict[str, Translation] = field(default_factory=dict)
    #: the parsed file (instrument and battery files only), for maintenance: content hash,
    #: translation stamps. Analyses and exporters read the typed fields above, never this.
    document: dict = field(default_factory=dict, repr=False, compare=False)

    # -- look-ups -----------------------------------------------------------
    @cached_property
    def item_map(self) -> dict[str, Item]:
        return {it.id: it for it in self.items}

    @property
    def item_ids(self) -> list[str]:
        return [it.id for it in self.items]

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
        out: dict = {"id": self.id, "version": self.version, "content_hash": self.content_hash}
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
        return reverse_key(raw, lo, hi, self.signs(rule))

    def psych_keys(self) -> dict[str, list[str]]:
        """psych ``keys.list``: ``{"scale": ["item", "-reversed_item"]}``."""
        return {s.id: [("-" if sign < 0 else "") + i for i, sign in zip(s.items, self.signs(s))]
                for s in self.scoring}

    def text(self, lang: str | None = None) -> str:
        lang = lang or self.languages.preferred
        return self.title.get(lang) or self.title[self.languages.source]

