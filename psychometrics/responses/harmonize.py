"""Answers back from the survey platforms, as frames with the package's item ids and codes.

* KoboToolbox/ODK exports: :func:`harmonize_columns` (which :func:`psychometrics.validate_responses`
  calls) strips group prefixes (``grp_kss_efficacy/kse01``), maps label exports and splits
  select_multiple answers.
* LimeSurvey response exports (answer codes) come back through the code map written with the
  survey (``<name>.codes.csv``): ``Q[SQ]`` columns to item ids, answer codes ``A3``/``AN99`` to 3/-99,
  multiple-choice ``Y`` to 1, else 0; "N/A" (LimeSurvey's export option for NULL) marks a question
  not answered; without such marks a row with nothing ticked is missing, since an empty cell could
  be either.
* REDCap exports (raw values) keep field names = item ids; checkbox columns ``item___code`` become
  the option columns ``item_<option>``; REDCap's own columns (``redcap_*``, ``*_complete``) are
  left aside and named in the notes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..exceptions import ResponseValidationError
from ..instruments import Instrument

KOBO_META = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
             "audit", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index", "_parent_index", "_parent_table_name",
             "meta/instanceID", "meta/instanceName", "meta/deprecatedID", "formhub/uuid", "instanceID",
             "response_language", "mode"}


CODES_COLUMNS = ("limesurvey_column", "item_id", "option")


def read_limesurvey_codes(path: str, instrument: Instrument | None = None) -> pd.DataFrame:
    """Read the code map written with a LimeSurvey export (``*.codes.csv``), refusing a file that
    is not one with a message naming the file and what it lacks (a malformed file used to end in a
    pandas ParserError or a KeyError)."""
    import csv

    from .._safety import read_csv_cell

    hint = "use the *.codes.csv written by 'psychometrics instruments export --to limesurvey' with the survey"
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh, strict=True))
    except UnicodeDecodeError:
        raise ResponseValidationError(f"{path}: not a UTF-8 text file; {hint}") from None
    except csv.Error as exc:
        raise ResponseValidationError(f"{path}: not a readable CSV file ({exc}); {hint}") from None
    if not rows:
        raise ResponseValidationError(f"{path}: the file is empty; {hint}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in CODES_COLUMNS if c not in header]
    if missing:
        raise ResponseValidationError(f"{path}: not a LimeSurvey code map (no column {', '.join(missing)}; "
                                      f"found {', '.join(header[:6]) or 'none'}); {hint}")
    bad = [i + 2 for i, r in enumerate(rows[1:]) if len(r) != len(header)]
    if bad:
        raise ResponseValidationError(f"{path}: line(s) {', '.join(map(str, bad[:5]))} have a different number of "
                                      f"fields from the header ({len(header)}); {hint}")
    codes = pd.DataFrame([[read_csv_cell(v) for v in r] for r in rows[1:]], columns=header, dtype=object)
    if instrument is not None:
        unknown = sorted(set(codes["item_id"]) - set(instrument.item_map))
        if unknown:
            raise ResponseValidationError(f"{path}: item(s) {', '.join(unknown[:5])} are not in instrument "
                                          f"{instrument.id}; was the survey exported from another instrument?")
    return codes


def from_limesurvey(df: pd.DataFrame, codes: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    items = instrument.item_map
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        if c not in set(codes["limesurvey_column"]):
            out[c] = df[c]          # id, timestamps and other columns pass through (validation names them)
    for r in codes.itertuples():
        if r.limesurvey_column not in df.columns:
            continue
        col = df[r.limesurvey_column]
        if isinstance(r.option, str) and r.option:
            out[f"{r.item_id}_{r.option}"] = np.where(col.astype(str).str.upper() == "Y", 1.0, 0.0)
            continue
        sc = items[r.item_id].scale

        def decode(v):
            if pd.isna(v) or str(v).strip() == "":
                return np.nan
            m = re.fullmatch(r"A(N?)(\d+)", str(v).strip())
            if m:
                return -int(m.group(2)) if m.group(1) else int(m.group(2))
            return v            # left as is: validation reports it if it is not a valid code
        out[r.item_id] = col.map(decode) if sc.type in ("likert", "frequency", "select_one") else col
    # A multiple-choice question not answered is NULL in LimeSurvey; the export writes NULL as "N/A"
    # if asked ("NULL values as: N/A"), else as empty, like an unticked option. With "N/A" in the
    # file, empty means unticked (0); without, a row with nothing ticked is missing (we cannot
    # tell "none" from "not answered", and do not invent answers)
    for item in codes.loc[codes["option"].astype(str) != "", "item_id"].unique():
        src = [c for c in codes.loc[codes["item_id"] == item, "limesurvey_column"] if c in df.columns]
        opts = [f"{item}_{o}" for o in codes.loc[codes["item_id"] == item, "option"] if f"{item}_{o}" in out]
        if not opts:
            continue
        raw = df[src].astype(str).apply(lambda x: x.str.strip().str.upper())
        na = (raw == "N/A").any(axis=1)
        if na.any():
            out.loc[na, opts] = np.nan
        else:
            out.loc[out[opts].sum(axis=1) == 0, opts] = np.nan
    return out


def from_redcap(df: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[str]]:
    items = instrument.item_map
    rename, drop, notes = {}, [], []
    for c in df.columns:
        m = re.fullmatch(r"(.+)___(-?\w+)", str(c))
        if m and m.group(1) in items and items[m.group(1)].scale.type == "select_multiple":
            sc = items[m.group(1)].scale
            code = m.group(2)
            names = {str(v): n for v, n in zip(sc.values, sc.names)}
            if code not in names:
                raise ResponseValidationError(f"REDCap column {c}: option code {code} is not one of "
                                              f"{', '.join(names)} for item {m.group(1)}")
            rename[c] = f"{m.group(1)}_{names[code]}"
        elif str(c).startswith("redcap_") or str(c).endswith("_complete") or str(c).endswith("_timestamp"):
            drop.append(c)
    if drop:
        notes.append(f"left aside REDCap's own columns: {', '.join(map(str, drop))}")
    return df.drop(columns=drop).rename(columns=rename), notes


def norm_text(text) -> str:
    """Text compared without case and runs of whitespace."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def harmonize_columns(df: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[str]]:
    """Map exported column names onto item ids (Kobo/ODK group paths, label headers,
    select-multiple option columns). Returns the renamed frame and notes."""
    notes: list[str] = []
    items = instrument.item_map
    multi = {i.id: i for i in instrument.items if i.scale.type == "select_multiple"}
    by_text: dict[str, str] = {}
    for it in instrument.items:
        for txt in it.text.values():
            by_text.setdefault(norm_text(txt), it.id)
    rename: dict[str, str] = {}
    for col in df.columns:
        if col in items or col in KOBO_META:
            continue
        parts = col.split("/")
        new = None
        if len(parts) >= 2 and parts[-1] in items:
            new = parts[-1]                                  # grp_kse/kse01
        elif len(parts) >= 2 and parts[-2] in multi and parts[-1] in multi[parts[-2]].scale.names:
            new = f"{parts[-2]}_{parts[-1]}"                 # grp/plat/whatsapp
        elif norm_text(col) in by_text:
            new = by_text[norm_text(col)]                        # header is the item text (label export)
        if new and new != col:
            rename[col] = new
    if rename:
        targets = list(rename.values())
        clashes = sorted({t for t in targets if targets.count(t) > 1 or t in df.columns})
        if clashes:
            raise ResponseValidationError(
                f"columns {sorted(k for k, v in rename.items() if v in clashes)} all map to item(s) {clashes}; "
                "keep only one column per item")
        df = df.rename(columns=rename)
        shown = ", ".join(f"{k} -> {v}" for k, v in list(rename.items())[:8])
        notes.append(f"renamed {len(rename)} exported column(s) to item ids ({shown}{', ...' if len(rename) > 8 else ''})")
    # select_multiple given as one column of names/labels -> 0/1 columns
    for iid, it in multi.items():
        if iid not in df.columns:
            continue
        dummies = [f"{iid}_{n}" for n in it.scale.names]
        if any(d in df.columns for d in dummies):
            df = df.drop(columns=[iid])
            notes.append(f"{iid}: used the option columns {iid}_* and ignored the combined column {iid}")
            continue
        df = _expand_multi(df, it, notes)
    return df, notes


def _expand_multi(df: pd.DataFrame, it, notes: list[str]) -> pd.DataFrame:
    lookup: dict[str, str] = {}
    for n, v in zip(it.scale.names, it.scale.values):
        lookup[norm_text(n)] = n
        lookup[norm_text(v)] = n
    for labels in it.scale.labels.values():
        for n, lab in zip(it.scale.names, labels):
            lookup[norm_text(lab)] = n
    col = df[it.id]
    out = {f"{it.id}_{n}": np.full(len(df), np.nan, dtype=object) for n in it.scale.names}
    for r, raw in enumerate(col.tolist()):
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
            continue
        text = str(raw).strip()
        # labels may contain spaces: try ';' or ',' separated labels first, then space separated names
        pieces = [p for p in re.split(r"\s*[;,]\s*", text) if p] if re.search(r"[;,]", text) else None
        if pieces is None or any(norm_text(p) not in lookup for p in pieces):
            pieces = text.split() if all(norm_text(p) in lookup for p in text.split()) else [text]
        chosen = {lookup.get(norm_text(p)) for p in pieces}
        for n in it.scale.names:
            out[f"{it.id}_{n}"][r] = 1 if n in chosen else 0
        if None in chosen:  # keep the raw text so validation reports it
            out[f"{it.id}_{it.scale.names[0]}"][r] = text
    pos = df.columns.get_loc(it.id)
    left, right = df.iloc[:, :pos], df.iloc[:, pos + 1:]
    notes.append(f"{it.id}: split the combined answers into {len(it.scale.names)} 0/1 columns {it.id}_*")
    return pd.concat([left, pd.DataFrame(out, index=df.index), right], axis=1)
