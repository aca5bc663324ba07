"""Codebooks generated from an instrument: one row per data column with its type,
codes, labels and missing-value codes (Markdown for people).

>>> from psychometrics.instruments import adhoc_instrument
>>> print(codebook_frame(adhoc_instrument({"A": ["A1", "-A2"]}, range=(1, 4))).to_string(index=False))
column scale item instrument   type codes labels missing_codes  reverse text
    A1     A   A1      adhoc likert   1-4                         False   A1
    A2     A   A2      adhoc likert   1-4                          True   A2
"""

from __future__ import annotations

import pandas as pd

from .instruments import Instrument


def codebook_frame(instrument: Instrument, lang: str | None = None) -> pd.DataFrame:
    """Columns a response file for ``instrument`` has, in questionnaire order."""
    lang = lang or instrument.languages["source"]
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
        labels = sc.labels.get(lang) or sc.labels.get(instrument.languages["source"]) or ()
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
    lang = lang or instrument.languages["source"]
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
