"""Check responses against an instrument before anything is computed from them.

What is checked, per column and row:

* columns: Kobo/ODK group prefixes (``grp_kse/kse01``) are stripped, column headers
  that are item texts (Kobo "label" exports) are mapped to item ids, select-multiple
  answers in one column (``"whatsapp telegram"``) are expanded to 0/1 columns
  ``plat_whatsapp``...; items missing from the data and unknown columns are reported;
* respondent ids: present, unique;
* values: labels (in any language of the instrument) become codes; declared missing
  codes (-98, -99...) become missing and are counted; text in numeric columns,
  non-integers and codes outside the response scale are *invalid*.

Invalid values either stop the run (``on_invalid="error"``, the default) with a
message listing row, column and value, or are set missing and reported one by one
(``on_invalid="missing"``). No row is ever dropped or reordered.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .._options import validate_option
from .._version import __version__
from ..exceptions import DataWarning, ResponseValidationError
from ..instruments import Instrument, Item
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from .harmonize import KOBO_META, harmonize_columns
from .harmonize import norm_text as _norm
from .io import ID_CANDIDATES, apply_declared_missing, data_fingerprint

OnInvalid = Literal["error", "missing"]
MAX_LISTED = 20


@dataclass(frozen=True, repr=False)
class ValidatedResponses(ResultBase):
    """Responses ready for scoring.

    Attributes
    ----------
    data
        One row per input row, in input order: the id column, every item of the
        instrument as numbers (select-multiple items as ``item_choice`` 0/1
        columns, text items as text), then the other columns unchanged.
    ids
        The respondent ids (a Series aligned with ``data``).
    id_column
        Name of the id column (``"row"`` when the file had none and row numbers were used).
    problems
        One row per invalid value or structural problem: ``row`` (1 = first data
        row), ``id``, ``column``, ``value``, ``problem``, ``action``.
    missing_codes
        Count of declared missing codes turned into missing, per column.
    notes
        Human-readable remarks (renamed columns, unknown columns, ...).
    """

    data: pd.DataFrame
    ids: pd.Series
    id_column: str
    problems: pd.DataFrame
    missing_codes: dict[str, int]
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Rows (every input row is kept)."""
        return len(self.data)

    def _repr_fields(self) -> dict:
        return {"problems": len(self.problems), "missing_codes": sum(self.missing_codes.values())}

    def to_frame(self) -> pd.DataFrame:
        """The validated data (id column, items as numbers, other columns unchanged)."""
        return self.data

    def to_dict(self) -> dict:
        return jsonable({"nobs": self.nobs, "id_column": self.id_column, "problems": self.problems,
                         "missing_codes": self.missing_codes, "notes": self.notes, "meta": self.meta})

    def summary(self) -> Summary:
        header = self.provenance.header() + [f"id column '{self.id_column}'"] + [f"note: {n}" for n in self.notes]
        counts = pd.DataFrame({"column": list(self.missing_codes), "declared_missing": list(self.missing_codes.values())})
        tables = [("Problems (invalid values and structure)", self.problems)]
        if len(counts):
            tables.append(("Declared missing codes set missing", counts))
        return Summary("Validation", header, tables)


def _problem_frame(rows: list[dict]) -> pd.DataFrame:
    cols = ["row", "id", "column", "value", "problem", "action"]
    return pd.DataFrame(rows, columns=cols)


def _label_lookup(scale) -> dict[str, int]:
    out: dict[str, int] = {}
    for labels in scale.labels.values():
        for v, lab in zip(scale.values, labels):
            out.setdefault(_norm(lab), v)
    for n, v in zip(scale.names, scale.values):
        out.setdefault(_norm(n), v)
    for code, labs in scale.missing_labels.items():
        for lab in labs.values():
            out.setdefault(_norm(lab), code)
    return out


def _numeric_column(raw: pd.Series, scale, allowed: np.ndarray | None, lo, hi):
    """Return (values float array, invalid mask, reason array, missing-code count)."""
    n = len(raw)
    values = np.full(n, np.nan)
    invalid = np.zeros(n, dtype=bool)
    reason = np.empty(n, dtype=object)
    num = np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)  # a writable copy
    present = ~pd.isna(raw).to_numpy()
    numeric_dtype = pd.api.types.is_numeric_dtype(raw)
    obj = None if numeric_dtype else raw.astype(object).to_numpy()
    if obj is not None:
        present &= np.array([not (isinstance(x, str) and x.strip() == "") for x in obj])
    text = present & np.isnan(num)
    if text.any():
        lookup = _label_lookup(scale)
        assert obj is not None   # text only in a non-numeric column
        for r in np.flatnonzero(text):
            code = lookup.get(_norm(obj[r]))
            if code is None:
                invalid[r] = True
                reason[r] = "text where a number is expected"
            else:
                num[r] = code
    ok = present & ~invalid
    is_missing_code = ok & np.isin(num, list(scale.missing_codes)) if scale.missing_codes else np.zeros(n, bool)
    ok &= ~is_missing_code
    nonint = ok & (np.abs(num - np.round(num)) > 1e-9) if scale.type != "number" else np.zeros(n, dtype=bool)
    invalid |= nonint
    reason[nonint] = "not a whole number"
    ok &= ~nonint
    if allowed is not None:
        out = ok & ~np.isin(num, allowed)
    elif lo is not None and hi is not None:
        out = ok & ((num < lo) | (num > hi))
    else:  # no declared range (ad-hoc scales without --range)
        out = np.zeros(n, dtype=bool)
    invalid |= out
    reason[out] = "outside the response scale"
    ok &= ~out
    values[ok] = num[ok]
    return values, invalid, reason, int(is_missing_code.sum())


def _scale_text(scale) -> str:
    if scale.values:
        rng = f"codes {min(scale.values)}-{max(scale.values)}" if scale.type in ("likert", "frequency") \
            else "codes " + ", ".join(map(str, scale.values))
    elif scale.min is not None:
        rng = f"whole numbers {scale.min}-{scale.max}"
    else:
        rng = "numbers" if scale.type == "number" else "whole numbers"
    miss = f"; missing codes {', '.join(map(str, scale.missing_codes))}" if scale.missing_codes else ""
    if scale.id == "adhoc":   # keys given with range=(MIN, MAX): say so, and how to score continuous values
        return (f"{rng} of range=({scale.min}, {scale.max}){miss}; for continuous scores (not rating codes) "
                "leave out range=(MIN, MAX)")
    return f"{scale.id} ({rng}{miss})"


def resolve_ids(df: pd.DataFrame, id_column: str | None) -> tuple[pd.Series, str, list[dict]]:
    """The id column (given, or found among common names, or row numbers) and id problems."""
    if id_column is not None and id_column not in df.columns:
        raise ResponseValidationError(
            f"id column '{id_column}' is not in the data; columns are: {', '.join(map(str, df.columns[:30]))}"
            f"{' ...' if len(df.columns) > 30 else ''}. Pass id=COLUMN with one of them")
    if id_column is None:
        id_column = next((c for c in ID_CANDIDATES if c in df.columns), None)
    if id_column is None:
        return pd.Series(np.arange(1, len(df) + 1), name="row"), "row", []
    ids = df[id_column]
    if pd.api.types.is_float_dtype(ids) and ids.notna().any() and (ids.dropna() % 1 == 0).all():
        # numeric ids (SPSS, Stata, parquet store numbers as floats): 17, not "17.0"
        ids = ids.astype("Int64")
    problems = []
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    for r in np.flatnonzero(blank.to_numpy()):
        problems.append({"row": r + 1, "id": None, "column": id_column, "value": None,
                         "problem": "missing respondent id", "action": "refused"})
    dup = ids.duplicated(keep=False) & ~blank
    for r in np.flatnonzero(dup.to_numpy()):
        problems.append({"row": r + 1, "id": ids.iloc[r], "column": id_column, "value": ids.iloc[r],
                         "problem": "duplicate respondent id", "action": "refused"})
    return ids, id_column, problems


def validate_responses(df: pd.DataFrame, instrument: Instrument, id_column: str | None = None,
                       on_invalid: OnInvalid = "error", source: str | None = None,
                       warn_unknown: bool = True) -> ValidatedResponses:
    """Validate responses against an instrument.

    Parameters
    ----------
    df
        Raw responses, one row per respondent (e.g. from :func:`psychometrics.io.read_responses`).
    instrument
        Instrument or battery the data were collected with.
    id_column
        Respondent id column; default: the first of ``id``, ``respondent_id``,
        ``_uuid``, ``_id`` present, else row numbers.
    on_invalid
        ``"error"``: raise :class:`ResponseValidationError` listing every invalid
        value (first 20 in the message). ``"missing"``: set them missing, keep a
        problem row for each, and warn.
    source
        File name used in messages.
    warn_unknown
        Warn about columns the instrument does not know (they are always kept and listed in
        ``notes``); callers that pick columns on purpose (ad-hoc keys, reliability) turn it off.

    Returns
    -------
    ValidatedResponses
        Every input row in input order: ids, items as numbers, a problems table, counts of declared
        missing codes, notes, and the data fingerprint in ``meta``.

    Raises
    ------
    ResponseValidationError
        Duplicate or missing ids (always), and invalid values or missing item
        columns when ``on_invalid="error"``.

    Examples
    --------
    >>> from psychometrics.instruments import adhoc_instrument
    >>> inst = adhoc_instrument({"A": ["a1", "a2"]}, range=(1, 5), missing_codes=(-99,))
    >>> vr = validate_responses(pd.DataFrame({"id": ["t1", "t2"], "a1": ["4", "-99"], "a2": [2, 5]}), inst)
    >>> vr.data["a1"].tolist(), vr.missing_codes["a1"], vr.nobs
    ([4.0, nan], 1, 2)
    """
    validate_option("on_invalid", on_invalid, OnInvalid)
    src = source or df.attrs.get("source", {}).get("path", "data")
    original = df
    df, declared = apply_declared_missing(df)    # the file's own (SPSS) missing-value declarations
    df, notes = harmonize_columns(df.reset_index(drop=True), instrument)
    if declared:
        notes.append(f"{sum(declared.values())} value(s) declared missing in the file itself set missing "
                     f"({', '.join(f'{c}: {n}' for c, n in list(declared.items())[:6])})")
    ids, id_col, id_problems = resolve_ids(df, id_column)
    if id_problems:
        raise ResponseValidationError(_message(src, id_problems, "respondent id problem(s)",
                                               f"Every row needs its own id in column '{id_col}': fix the "
                                               "duplicates/blanks, or pass id=COLUMN naming another column."),
                                      _problem_frame(id_problems))
    if id_col == "row":
        notes.append("no id column found (looked for: " + ", ".join(ID_CANDIDATES[:4]) +
                     "); rows are identified by their row number")

    expected: list[tuple[str, Item]] = []  # (column, item)
    for it in instrument.items:
        if it.scale.type == "select_multiple":
            expected += [(f"{it.id}_{n}", it) for n in it.scale.names]
        else:
            expected.append((it.id, it))
    expected_cols = {c for c, _ in expected}
    problems: list[dict] = []
    missing_cols = [c for c, _ in expected if c not in df.columns]
    if missing_cols:
        for c in missing_cols:
            problems.append({"row": None, "id": None, "column": c, "value": None,
                             "problem": "item column missing from the data",
                             "action": "refused" if on_invalid == "error" else "added as all missing"})
    unknown = [c for c in df.columns if c not in expected_cols and c != id_col and c not in KOBO_META]
    if unknown:
        notes.append(f"{len(unknown)} column(s) not in {instrument.id} kept as they are and not scored: "
                     + ", ".join(unknown[:15]) + (" ..." if len(unknown) > 15 else ""))
        if warn_unknown:
            warnings.warn(f"{src}: {notes[-1]}", DataWarning, stacklevel=2)

    out_cols: dict[str, object] = {id_col: ids.to_numpy()}
    missing_counts: dict[str, int] = {}
    idv = ids.to_numpy()
    for col, it in expected:
        if col not in df.columns:
            out_cols[col] = np.full(len(df), np.nan)
            continue
        raw = df[col]
        sc = it.scale
        if sc.type == "text":
            out_cols[col] = raw.to_numpy()
            continue
        if sc.type == "select_multiple":
            values, invalid, reason, nmiss = _numeric_column(raw, _YesNo, np.array([0, 1]), 0, 1)
        else:
            allowed = np.array(sc.values) if sc.values else None
            values, invalid, reason, nmiss = _numeric_column(raw, sc, allowed, sc.min, sc.max)
        nmiss += declared.get(col, 0)
        if nmiss:
            missing_counts[col] = nmiss
        for r in np.flatnonzero(invalid):
            value = raw.iloc[r]
            problems.append({"row": r + 1, "id": idv[r], "column": col,
                             "value": value.item() if hasattr(value, "item") else value,
                             "problem": f"{reason[r]}: allowed are {_scale_text(sc) if sc.type != 'select_multiple' else '0/1'}",
                             "action": "refused" if on_invalid == "error" else "set missing"})
        out_cols[col] = values
    data = pd.DataFrame(out_cols)
    passthrough = [c for c in df.columns if c not in expected_cols and c != id_col]
    if passthrough:
        data = pd.concat([data, df[passthrough].reset_index(drop=True)], axis=1)

    pf = _problem_frame(problems)
    if problems:
        fix = ("Fix: correct these cells in the file, declare the codes as missing codes in the "
               "instrument, or rerun with on_invalid='missing' to set them missing (each is reported).")
        what = "invalid value(s)" if all(p["row"] is not None for p in problems) else "problem(s)"
        if on_invalid == "error":
            raise ResponseValidationError(_message(src, problems, what, fix), pf)
        warnings.warn(_message(src, problems, "value(s) set missing", "See the problems table for all of them."),
                      DataWarning, stacklevel=2)
    _warn_degenerate(data, instrument.scale_item_ids, src, notes)
    if original.attrs.get("source"):   # the file it came from: its fingerprint is the data's
        data.attrs["source"] = dict(original.attrs["source"])
    fingerprint = data_fingerprint(original, source)
    meta = {"package_version": __version__, "instrument": instrument.provenance, "data": fingerprint,
            "data_sha256": fingerprint["sha256"], "on_invalid": on_invalid}
    return ValidatedResponses(data=data, ids=pd.Series(ids.to_numpy(), name=id_col), id_column=id_col,
                              problems=pf, missing_codes=missing_counts, notes=notes, meta=meta)


class _YesNo:
    """Stand-in response scale for the 0/1 option columns of select-multiple items."""

    id = "0/1"
    type = "binary"
    values = (0, 1)
    names = ("no", "yes")
    labels = {"en": ("No", "Yes"), "ru": ("Нет", "Да"), "kk-Cyrl": ("Жоқ", "Иә")}
    missing_codes = (-98, -99)
    missing_labels: dict = {}


def _message(src: str, problems: list[dict], what: str, fix: str) -> str:
    missing_cols = [p["column"] for p in problems if p["row"] is None]
    cells = [p for p in problems if p["row"] is not None]
    lines = [f"{src}: {len(problems)} {what}:"]
    if missing_cols:
        lines.append(f"  {len(missing_cols)} item column(s) missing from the data: {', '.join(missing_cols[:MAX_LISTED])}"
                     + (" ..." if len(missing_cols) > MAX_LISTED else "")
                     + " (check the instrument and the column names, or pass on_invalid='missing' to score without them)")
    if cells:
        lines.append(f"  rows are counted from 1 at the first data row; first {min(len(cells), MAX_LISTED)} shown:")
    for p in cells[:MAX_LISTED]:
        lines.append(f"  row {p['row']} (id {p['id']}), column {p['column']}: {p['value']!r}: {p['problem']}")
    if len(cells) > MAX_LISTED:
        lines.append(f"  ... and {len(cells) - MAX_LISTED} more")
    lines.append(fix)
    return "\n".join(lines)


def _warn_degenerate(data: pd.DataFrame, cols: list[str], src: str, notes: list[str]) -> None:
    if not cols or data.empty:
        return
    X = data[cols].to_numpy(dtype=float)
    nan = np.isnan(X)
    lo = np.where(nan, np.inf, X).min(axis=0)
    hi = np.where(nan, -np.inf, X).max(axis=0)
    empty_mask = np.isinf(lo)
    empty = [c for c, e in zip(cols, empty_mask) if e]
    if empty:
        notes.append(f"item(s) with no valid answer: {', '.join(empty)}")
        warnings.warn(f"{src}: {notes[-1]}; their scales are scored from the other items", DataWarning, stacklevel=3)
    const = [c for c, a, b, e in zip(cols, lo, hi, empty_mask) if a == b and not e and len(X) > 1]
    if const:
        notes.append(f"constant item(s) (everyone gave the same answer): {', '.join(const)}")
        warnings.warn(f"{src}: {notes[-1]}; they carry no information for reliability or factor analysis",
                      DataWarning, stacklevel=3)


CONVENTIONAL_CODES = (-9, -8, -7, -99, -98, -97, -999, -998, 99, 98, 999, 998, 9999)


def outlying_codes(frame: pd.DataFrame) -> list[tuple[str, float, int]]:
    """Values far outside the rest of their column, such as a missing-data code (-99, 999) among
    answers 1-5: (column, value, count). Conventional codes (-9, -98, -99, 99, 999, ...) are judged
    against the range of the column's other values (they may be the majority of a column: "not
    applicable" for a whole sub-sample); other values against the central 98% of the column. A
    value counts as far when it lies more than three times the other values' range beyond them.

    >>> outlying_codes(pd.DataFrame({"a": [1, 2, 3, 4, 5] * 18 + [-99] * 10, "b": [-98] * 80 + [1, 2, 3, 4] * 5}))
    [('a', -99.0, 10), ('b', -98.0, 80)]
    """
    X = np.column_stack([pd.to_numeric(frame.iloc[:, i], errors="coerce").to_numpy(dtype=float)
                         for i in range(frame.shape[1])]) if frame.shape[1] else np.empty((len(frame), 0))
    return outlying_in_matrix(X, [str(c) for c in frame.columns])


def outlying_in_matrix(X: np.ndarray, names: list[str]) -> list[tuple[str, float, int]]:
    """:func:`outlying_codes` on a numeric matrix (NaN = missing), every column at once (it runs
    before each SEM, EFA and polychoric fit, so it must cost far less than the fit)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.size == 0:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN columns
        lo_x, hi_x = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)    # NaN ignored
    codes_possible = any(((lo_x <= c) & (c <= hi_x)).any() for c in CONVENTIONAL_CODES)
    codes = np.isin(X, CONVENTIONAL_CODES) if codes_possible else np.zeros(X.shape, dtype=bool)
    if not codes.any() and not np.isinf(lo_x).any() and not np.isinf(hi_x).any():
        # the common case, no conventional code and no infinity: only the percentile rule can flag, and
        # it flags a column only through its smallest or largest value
        n = (~np.isnan(X)).sum(axis=0)
        ok = n >= 10
        if not ok.any():
            return []
        cols = np.flatnonzero(ok)
        q = _column_percentiles(X[:, cols], (1, 99))
        w = q[1] - q[0]
        if not ((w > 0) & ((lo_x[cols] < q[0] - 3 * w) | (hi_x[cols] > q[1] + 3 * w))).any():
            return []
    fin = np.isfinite(X)
    codes &= fin
    rest = fin & ~codes
    n_fin, n_rest = fin.sum(axis=0), rest.sum(axis=0)
    with np.errstate(invalid="ignore"):
        lo = np.where(rest, X, np.inf).min(axis=0)
        hi = np.where(rest, X, -np.inf).max(axis=0)
        width = np.maximum(hi - lo, 1.0)
        far = codes & ((X < lo - 3 * width) | (X > hi + 3 * width)) & ((n_rest >= 5) & (n_fin >= 10))
        ok = (n_rest >= 10) & (n_fin >= 10)
        if ok.any():
            q_lo, q_hi = _column_percentiles(np.where(rest[:, ok], X[:, ok], np.nan), (1, 99))
            w = q_hi - q_lo
            sub = rest[:, ok] & (w > 0) & ((X[:, ok] < q_lo - 3 * w) | (X[:, ok] > q_hi + 3 * w))
            far[:, ok] |= sub
    out = []
    for j in np.flatnonzero(far.any(axis=0)):
        col = X[:, j]
        out += [(names[j], float(v), int((col == v).sum())) for v in np.unique(col[far[:, j]])]
    return out


def _column_percentiles(R: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """np.nanpercentile(R, qs, axis=0) (linear interpolation) by one sort: NumPy's loops over columns.
    Without missing values only the order statistics the percentiles need are placed (a
    partition, a third of a sort's time).

    >>> R = np.array([[1.0, np.nan], [2.0, 5.0], [4.0, 7.0]])
    >>> [x.tolist() for x in _column_percentiles(R, (50, 100))]
    [[2.0, 6.0], [4.0, 7.0]]
    >>> x = np.array([[3.0], [1.0], [2.0], [9.0]])
    >>> bool(np.allclose(_column_percentiles(x, (1, 50, 99)), np.percentile(x, (1, 50, 99), axis=0)))
    True
    """
    n = (~np.isnan(R)).sum(axis=0)
    m = np.maximum(n - 1, 0)
    cols = np.arange(R.shape[1])
    pos = [q / 100 * m for q in qs]
    lo = [np.floor(p).astype(int) for p in pos]
    hi = [np.minimum(lo_q + 1, m) for lo_q in lo]
    if len(R) and (n == len(R)).all():
        S = np.partition(R, sorted({int(k[0]) for k in lo + hi}), axis=0)
    else:
        S = np.sort(R, axis=0)   # NaN sort last
    return [S[lo_q, cols] * (1 - (p - lo_q)) + S[hi_q, cols] * (p - lo_q) for p, lo_q, hi_q in zip(pos, lo, hi)]


def describe_outlying(found: list[tuple[str, float, int]], most: int = 6) -> str:
    """The warning's text for :func:`outlying_codes` findings (callers add how to fix it)."""
    shown = "; ".join(f"{c}: {v:g} ({n} rows)" for c, v, n in found[:most])
    return (f"values far outside the rest of their column, perhaps missing-data codes taken as answers: "
            f"{shown}{' ...' if len(found) > most else ''}")
