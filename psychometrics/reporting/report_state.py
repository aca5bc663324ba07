"""What the report's sections read: a :class:`View` of a finished :class:`~.report.Report` in
one language (labels of codes, item texts, the scales shown, notes gathered from every analysis,
provenance). Sections render from it; the analyses themselves ran in :func:`~.report.build_report`.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any

import pandas as pd

from . import plots
from .analyses import labels_in
from .words import words

#: headings of context columns that are not instrument items
CONTEXT_WORDS = {"response_language": "Language of the form", "mode": "Mode of the form",
                 "experience_band": "Teaching experience", "school": "School", "participation_type": "Participation type",
                 "teacher_type": "Teacher type"}


@dataclass
class View:
    report: Any            # the Report (not imported: report.py imports this module's users)
    lang: str = "en"
    notes: list[str] = field(default_factory=list)

    plots = plots

    @property
    def instrument(self):
        return self.report.instrument

    @property
    def data(self) -> pd.DataFrame:
        return self.report.data

    @property
    def n_rows(self) -> int:
        return int(self.report.meta["n_rows"])

    @property
    def groups(self) -> list[str]:
        return list(self.report.options.get("groups") or [])

    @property
    def w(self):
        return words(self.lang)

    @cached_property
    def labels(self) -> dict[str, dict]:
        """``{variable: {code: label}}`` in the view's language: select-one items, classifications,
        the forms' language codes (the same labels the analyses used)."""
        return labels_in(self.instrument, self.lang)

    def order(self, var: str, values) -> list:
        """Categories in the instrument's order (a classification's categories, a scale's codes),
        others sorted after them."""
        known = list(self.labels.get(var, {}))
        present = list(values)
        first = [v for v in known if v in present]
        return first + sorted((v for v in present if v not in first), key=lambda v: (str(type(v)), v))

    def context_column(self, var: str) -> pd.Series | None:
        scores = self.report.scores.scores
        if var in self.data.columns:
            return self.data[var].reset_index(drop=True)
        if var in scores.columns:
            return scores[var].reset_index(drop=True)
        return None

    def word_for(self, var: str) -> str:
        item = self.instrument.item_map.get(var)
        if item is not None:
            return item.intent[:1].upper() + item.intent[1:]
        for c in self.instrument.classifications:
            if c.id == var:
                return c.label.get(self.lang) or c.label.get("en") or var
        return self.w(CONTEXT_WORDS.get(var, var.replace("_", " ")))

    @cached_property
    def scales_shown(self) -> list:
        """The most specific scoring rules of Likert/frequency items (facets, not their totals)."""
        from ..instruments.keys import leaf_scales

        out = []
        for r in leaf_scales(self.instrument.scoring):
            items = [self.instrument.item_map[i] for i in r.items if i in self.instrument.item_map]
            if items and all(it.scale.type in ("likert", "frequency") for it in items) and all(i in self.data for i in r.items):
                out.append(r)
        return out

    def item_groups(self):
        """(title, items, response scale): the shown scales' items by instrument section and scale."""
        sections = self.instrument.sections or (self.instrument,)
        shown = {i for r in self.scales_shown for i in r.items}
        for sec in sections:
            by_scale: dict[str, list] = {}
            for it in sec.items:
                if it.id in shown:
                    by_scale.setdefault(it.scale.id, []).append(it)
            for items in by_scale.values():
                yield sec.text(self.lang if self.lang in sec.title else None), items, items[0].scale

    def provenance_rows(self) -> pd.DataFrame:
        m = self.report.meta
        rows = [("psychometrics", m["package_version"]),
                ("instrument", f"{m['instrument']['id']} {m['instrument']['version']}"),
                ("instrument content hash", m["instrument"]["content_hash"]),
                ("data", m["data"]["source"]), ("data SHA-256", m["data"]["sha256"]), ("rows", str(m["n_rows"])),
                ("estimator", str(m.get("estimator"))), ("missing data (models)", str(m.get("model_missing"))),
                ("bootstrap draws", str(self.report.options.get("bootstrap") or 0)),
                ("seed", str(m.get("seed"))), ("cluster", str(m.get("cluster"))),
                ("Python", platform.python_version())]
        for lib in ("numpy", "scipy", "pandas", "statsmodels", "pingouin", "matplotlib"):
            try:
                rows.append((lib, metadata.version(lib)))
            except metadata.PackageNotFoundError:      # pragma: no cover - all are dependencies
                pass
        return pd.DataFrame(rows, columns=["Field", "Value"])
