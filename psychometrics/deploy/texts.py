"""Texts of an instrument in the chosen languages, with the missing-translation rule."""

from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import InstrumentError
from ..instruments import Instrument, Item, ResponseScale

LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk-Cyrl": "Kazakh", "kk-Latn": "Kazakh (Latin)",
                  "kk": "Kazakh"}


def xlsform_language(tag: str) -> str:
    """XLSForm column suffix ``Language (code)``: ODK wants a 2-letter ISO 639-1 code, so the BCP 47
    script subtag goes (kk-Cyrl: ``Kazakh (kk)``, the Cyrillic Kazakh in school use; a Latin-script
    form would be a separate export)."""
    return f"{LANGUAGE_NAMES.get(tag, tag)} ({tag.split('-')[0]})"


@dataclass
class Section:
    inst: Instrument
    items: list[Item]


class Texts:
    def __init__(self, inst: Instrument, langs: list[str] | None, fallback: bool):
        self.inst = inst
        self.source = inst.languages.source
        available = list(inst.languages.available or (self.source,))
        # a language the instrument does not declare is still tried text by text: the first text
        # without it is named in the error (or falls back to the source language)
        self.langs = list(langs) if langs else available
        self.fallback = fallback
        if not fallback:
            for lang in self.langs:
                missing = [it.id for it in inst.items if not it.text.get(lang)]
                if missing:
                    shown = ", ".join(missing[:12]) + (", ..." if len(missing) > 12 else "")
                    raise InstrumentError(
                        f"{inst.id}: item {missing[0]} has no '{lang}' translation"
                        + (f" (nor {len(missing) - 1} more: {shown})" if len(missing) > 1 else "")
                        + "; add the translations to the instrument file, or export with the source-language "
                          "fallback (fallback=True)")
        self.fell_back: list[str] = []

    def get(self, mapping: dict | None, lang: str, where: str) -> str:
        mapping = mapping or {}
        if mapping.get(lang):
            return mapping[lang]
        if self.fallback and mapping.get(self.source):
            self.fell_back.append(f"{where} ({lang})")
            return mapping[self.source]
        raise InstrumentError(f"{self.inst.id}: {where} has no '{lang}' translation; add it to the instrument "
                              f"file, or export with the source-language fallback (fallback=True)")

    def item(self, it: Item, lang: str) -> str:
        return self.get(it.text, lang, f"item {it.id}")

    def labels(self, sc: ResponseScale, lang: str) -> list[str]:
        labels = sc.labels.get(lang)
        if labels:
            return list(labels)
        if not sc.labels:           # a scale without any labels (ad-hoc scales): the codes are the labels
            return [str(v) for v in sc.values]
        if self.fallback and sc.labels.get(self.source):
            self.fell_back.append(f"response scale {sc.id} ({lang})")
            return list(sc.labels[self.source])
        raise InstrumentError(f"{self.inst.id}: response scale {sc.id} has no '{lang}' labels; add them, or "
                              "export with the source-language fallback (fallback=True)")

    def missing_label(self, sc: ResponseScale, code: int, lang: str) -> str:
        return self.get(sc.missing_labels.get(code), lang, f"missing code {code} of response scale {sc.id}")

    def options(self, sc: ResponseScale, lang: str) -> list[tuple[str, str]]:
        """(code, label) of every answer, then the declared missing codes (select_multiple has none:
        its options are names, not codes)."""
        opts = [(str(v), lab) for v, lab in zip(sc.values, self.labels(sc, lang))]
        if sc.type != "select_multiple":
            opts += [(str(c), self.missing_label(sc, c, lang)) for c in sc.missing_codes]
        return opts

    def instructions(self, inst: Instrument, lang: str) -> str:
        """The instrument's instructions in ``lang`` ("" when it has none)."""
        return self.get(inst.instructions, lang, f"{inst.id} instructions") if inst.instructions else ""

    def sections(self) -> list[Section]:
        parts = self.inst.sections or (self.inst,)
        return [Section(s, list(s.items)) for s in parts]

    def scales(self) -> dict[str, ResponseScale]:
        out: dict[str, ResponseScale] = {}
        for it in self.inst.items:
            out.setdefault(it.scale.id, it.scale)
        return out
