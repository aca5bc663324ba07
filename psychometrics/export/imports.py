"""Answers back from the survey platforms, as frames with the package's item ids and codes.

* KoboToolbox/ODK exports need nothing here: :func:`psychometrics.validate_responses` already
  strips group prefixes (``grp_kss_efficacy/kse01``), maps label exports and splits
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
