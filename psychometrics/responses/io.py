"""Read response files: CSV/TSV (UTF-8, or Windows-1251 as Russian Excel writes it),
Excel ``.xlsx``, SPSS ``.sav``, Stata ``.dta`` and Parquet.

Values are kept as they are in the file (text stays text) so that validation can
report exactly what was there; nothing is dropped or converted silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataReadError, DataWarning

# Cells that mean "no value" in text files: empty, R's NA, SPSS/Stata's ".", Excel's #N/A.
MISSING_TOKENS = ["", "NA", "NaN", "N/A", "#N/A", "."]
FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".sav": "sav",
           ".zsav": "sav", ".dta": "dta", ".parquet": "parquet", ".pq": "parquet"}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def frame_sha256(df: pd.DataFrame) -> str:
    """SHA-256 of a DataFrame's content: column names, dtypes and pandas' per-row value hashes.

    Identical frames give identical hashes; any changed cell, column name or row order changes it.

    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> frame_sha256(a) == frame_sha256(a.copy()), frame_sha256(a) == frame_sha256(a[::-1])
    (True, False)
    """
    h = hashlib.sha256()
    h.update("\x1f".join(f"{c}:{t}" for c, t in zip(df.columns, df.dtypes.astype(str))).encode("utf-8"))
    h.update(str(len(df)).encode())
    dtypes = set(df.dtypes)
    if len(dtypes) == 1 and isinstance(next(iter(dtypes)), np.dtype) and pd.api.types.is_numeric_dtype(next(iter(dtypes))):
        # one numeric dtype: the same bytes as column by column below, in one call
        h.update(np.ascontiguousarray(df.to_numpy().T).tobytes())
        return h.hexdigest()
    for _, col in df.items():    # numeric columns by their bytes (fast), others by pandas' value hashes
        if pd.api.types.is_numeric_dtype(col.dtype) and isinstance(col.dtype, np.dtype):
            h.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:
            h.update(pd.util.hash_pandas_object(col, index=False).to_numpy().tobytes())
    return h.hexdigest()


def read_responses(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read a response file into a DataFrame, one row per respondent, in file order.

    ``df.attrs["source"]`` records the path, format and SHA-256 of the file.

    Parameters
    ----------
    path
        ``.csv``, ``.tsv``, ``.xlsx``, ``.sav``, ``.dta`` or ``.parquet``.
    sheet
        Worksheet of an Excel file (name or 0-based position).

    Returns
    -------
    DataFrame
        Every row of the file in file order, values as text (validation converts them), with
        ``attrs["source"]`` = path, format, SHA-256 and rows (see :func:`data_fingerprint`).

    Raises
    ------
    DataReadError
        Missing file, unknown extension, unreadable content; the message names
        the file and says what to do.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.csv")
    >>> _ = open(p, "w").write("id;kse01\\nT1;4\\nT2;\\n")
    >>> read_responses(p)["kse01"].tolist()
    ['4', nan]
    """
    path = Path(path)
    if not path.exists():
        raise DataReadError(f"{path}: no such file")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataReadError(f"{path}: unknown file type '{path.suffix}'; use one of "
                            + ", ".join(sorted(set(FORMATS))))
    try:
        if fmt in ("csv", "tsv"):
            df = _read_text(path, "\t" if fmt == "tsv" else None)
        elif fmt == "xlsx":
            df = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        elif fmt in ("sav", "dta"):
            import pyreadstat

            reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
            kwargs: dict[str, Any] = {"user_missing": True} if fmt == "sav" else {}
            df, meta = reader(str(path), **kwargs)
            df.attrs["value_labels"] = {c: meta.variable_value_labels.get(c, {}) for c in df.columns}
        else:
            df = pd.read_parquet(path)
    except DataReadError:
        raise
    except Exception as exc:  # the readers raise many types; name the file in every case
        raise DataReadError(f"{path}: cannot be read as {fmt}: {exc}") from None
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()].astype(str)))
        raise DataReadError(f"{path}: duplicate column names {dup}; rename them so each column is unique")
    df.columns = [str(c).strip() for c in df.columns]
    df = df.reset_index(drop=True)
    df.attrs["source"] = {"path": str(path), "format": fmt, "sha256": file_sha256(path), "rows": len(df)}
    return df


def _read_text(path: Path, sep: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes every byte but 0x98
        raise DataReadError(f"{path}: not UTF-8 or Windows-1251 text; save it as UTF-8 CSV")
    if encoding == "cp1251":
        warnings.warn(f"{path}: not UTF-8; read as Windows-1251 (Cyrillic). Check the Cyrillic labels, "
                      "or save the file as UTF-8", DataWarning, stacklevel=3)
    if sep is None:
        sample = "\n".join(text.splitlines()[:20])
        try:
            sep = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
        except csv.Error:
            sep = ","
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise DataReadError(f"{path}: duplicate column names {dup}; rename them so each column is unique")
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=MISSING_TOKENS,
                       skipinitialspace=False)


def write_table(df: pd.DataFrame, path: str | Path) -> None:
    """Write a result table; the format follows the extension (csv, tsv, xlsx, parquet, sav, dta)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower(), "csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "tsv":
        df.to_csv(path, sep="\t", index=False)
    elif fmt == "xlsx":
        df.to_excel(path, index=False)
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    elif fmt in ("sav", "dta"):
        import pyreadstat

        out = df.copy()
        for c in out.columns:
            if out[c].dtype == "boolean" or out[c].dtype == bool:
                out[c] = out[c].astype("float")
        (pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta)(out, str(path))
    else:
        df.to_csv(path, index=False)


def data_fingerprint(df: pd.DataFrame, source: str | None = None) -> dict:
    """The one fingerprint of the data a result was computed from: ``source``, ``sha256``, ``rows``.

    A frame read by :func:`read_responses` carries its file's path and SHA-256
    (``df.attrs["source"]``); every result computed from it, whatever columns it uses and however
    they were validated, records that file's SHA-256, so results from one file can be linked. A
    frame that did not come from a file, or whose rows were filtered, is fingerprinted by its full
    content (:func:`frame_sha256`). Values changed in place after reading are not detected: re-read
    the file, or drop ``df.attrs["source"]`` first.

    Parameters
    ----------
    df : DataFrame
        The data as given to an analysis.
    source : str, optional
        Name recorded when the frame did not come from a file.

    Returns
    -------
    dict
        ``source`` (path or name), ``sha256`` and ``rows``.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2], "y": [3, 4]})
    >>> fp = data_fingerprint(a)
    >>> fp["source"], fp["rows"], fp["sha256"] == frame_sha256(a)
    ('<DataFrame>', 2, True)
    >>> a.attrs["source"] = {"path": "s.csv", "format": "csv", "sha256": "f" * 64, "rows": 2}
    >>> data_fingerprint(a[["x"]])["sha256"] == "f" * 64   # a column subset: still the file
    True
    >>> data_fingerprint(a.iloc[:1])["source"]               # rows filtered: the frame itself
    '<DataFrame>'
    """
    src = df.attrs.get("source") or {}
    if src.get("sha256") and src.get("rows", len(df)) == len(df):
        return {"source": src.get("path", source or "<DataFrame>"), "sha256": src["sha256"], "rows": len(df)}
    return {"source": source or "<DataFrame>", "sha256": frame_sha256(df), "rows": len(df)}
