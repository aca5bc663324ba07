"""One interface for every result: :class:`ResultBase` and the :class:`Provenance` it records.

Every result of the package (scores, validated responses, reliability, polychoric correlations,
EFA, parallel analysis, SEM, the report) derives from :class:`ResultBase` and so has:

* ``summary()``: a :class:`~.summary.Summary` that renders as text, Markdown, LaTeX or HTML
  (``summary().render("md")``), numbers rounded only there;
* ``to_frame()``: the main table; ``to_dict()``: the JSON of the command line;
* ``_repr_html_()`` (notebooks show the HTML summary), ``to_docx(path)`` (Word), a one-line
  ``repr()`` and ``str()`` = the text summary;
* ``nobs``: the number of respondents (rows) it used, and ``provenance``: package version,
  instrument id/version/content hash, the data fingerprint, seed, estimator and options.

The data fingerprint is the same for every result computed from one file
(:func:`psychometrics.responses.data_fingerprint`), so results can be linked to their data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .summary import Summary, jsonable


@dataclass(frozen=True)
class Provenance:
    """What a result was computed from and how.

    Attributes
    ----------
    package_version : str
        ``psychometrics.__version__`` at the time of the computation.
    data : dict
        ``source`` (file path or ``"<DataFrame>"``), ``sha256`` (the data fingerprint: the
        file's SHA-256, or a hash of the frame's content) and ``rows``.
    instrument : dict or None
        ``id``, ``version`` and ``content_hash`` of the instrument used (and of its sections).
    seed : int or None
        Random seed of bootstrap, simulation or parallel analysis.
    estimator : str or None
        Estimator (``"ML"``, ``"MLR"``, ``"minres"``, ...).
    options : dict
        The other options that change the numbers (missing-data rule, rotation, ...).

    Examples
    --------
    >>> p = Provenance.from_meta({"package_version": "0.2.0", "data": {"source": "a.csv", "sha256": "ab" * 32,
    ...                           "rows": 3}, "seed": 1, "missing": "listwise"})
    >>> p.header()
    ['data: a.csv (sha256 abababababab...), 3 rows', 'seed 1; missing: listwise', 'psychometrics 0.2.0']
    """

    package_version: str
    data: dict = field(default_factory=dict)
    instrument: dict | None = None
    seed: int | None = None
    estimator: str | None = None
    options: dict = field(default_factory=dict)

    #: meta keys that are not options (results, notes, or recorded above)
    _NOT_OPTIONS = frozenset({"package_version", "data", "data_sha256", "instrument", "seed", "estimator",
                              "notes", "n_rows", "id_column", "missing_codes", "classifications", "careless",
                              "labels", "group_labels", "nobs", "state", "items", "sections"})

    @classmethod
    def from_meta(cls, meta: dict) -> "Provenance":
        """The provenance recorded in a result's ``meta`` (the JSON's ``meta`` object)."""
        data = dict(meta.get("data") or {})
        if "sha256" not in data and meta.get("data_sha256"):
            data["sha256"] = meta["data_sha256"]
        options = {k: v for k, v in meta.items()
                   if k not in cls._NOT_OPTIONS and (v is None or isinstance(v, (str, int, float, bool)))}
        return cls(package_version=str(meta.get("package_version", "")), data=data,
                   instrument=meta.get("instrument"), seed=meta.get("seed"), estimator=meta.get("estimator"),
                   options=options)

    def header(self) -> list[str]:
        """Summary header lines: data (fingerprint), instrument, estimator/seed/options, version."""
        out = []
        if self.data:
            sha = self.data.get("sha256") or ""
            line = f"data: {self.data.get('source', '<DataFrame>')}" + (f" (sha256 {sha[:12]}...)" if sha else "")
            if self.data.get("rows") is not None:
                line += f", {self.data['rows']} rows"
            out.append(line)
        if self.instrument:
            out.append(f"instrument: {self.instrument.get('id')} {self.instrument.get('version')} "
                       f"({str(self.instrument.get('content_hash', ''))[:19]}...)")
        how = []
        if self.estimator:
            how.append(f"estimator {self.estimator}")
        if self.seed is not None:
            how.append(f"seed {self.seed}")
        # short options in the header (the model's syntax and the optimizer's log stay in options)
        how += [f"{k}: {v}" for k, v in self.options.items()
                if v is not None and v != "" and k not in ("level", "model", "fit_model", "optimizer") and len(str(v)) <= 40]
        if how:
            out.append("; ".join(how))
        out.append(f"psychometrics {self.package_version}")
        return out

    def to_dict(self) -> dict:
        return jsonable({"package_version": self.package_version, "data": self.data, "instrument": self.instrument,
                         "seed": self.seed, "estimator": self.estimator, "options": self.options})


class ResultBase:
    """Base of every result object (see the module docstring for the interface).

    Subclasses are frozen dataclasses with a ``meta`` dict (the provenance as JSON) and define
    :meth:`summary`, :meth:`to_frame`, :meth:`to_dict` and ``nobs`` (a field or a property; not
    declared here, where a dataclass would take it for the field's default); they are declared with
    ``@dataclass(frozen=True, repr=False)`` so that the one-line :meth:`__repr__` here is used.
    """

    meta: dict

    def summary(self) -> Summary:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def to_dict(self) -> dict:  # pragma: no cover
        raise NotImplementedError

    @property
    def provenance(self) -> Provenance:
        return Provenance.from_meta(getattr(self, "meta", {}) or {})

    def _repr_fields(self) -> dict[str, Any]:
        """What the one-line repr shows besides nobs (subclasses add their key numbers)."""
        return {}

    def __repr__(self) -> str:
        parts = [f"nobs={getattr(self, 'nobs', '?')}"] + [f"{k}={_short(v)}" for k, v in self._repr_fields().items()]
        return f"<{type(self).__name__} " + ", ".join(parts) + ">"

    def __str__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def to_docx(self, path: str, digits: int = 2) -> None:
        """Word document of the summary: title, provenance lines and one table per summary table."""
        from .docx import write_tables

        s = self.summary()
        tables = [(name, s.shown(df, digits)) for name, df in s.tables] if s.apa else s.tables
        write_tables(path, s.title, s.header, tables, digits=digits)


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)) and len(v) > 4:
        return "[" + ", ".join(map(str, v[:4])) + ", ...]"
    return repr(v) if isinstance(v, str) else str(v)
